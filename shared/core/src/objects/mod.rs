//! Objects in the media bucket: tenant-prefixed keys, presigned uploads and downloads, and the S3 calls the
//! background functions make. Clients upload and download directly with presigned URLs, so no object body
//! passes through API Gateway or a request handler.

pub mod event;
mod key;

pub use event::{ObjectCreated, object_created};
pub use key::ObjectKey;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use bytes::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("s3 {op} failed: {message}")]
    Sdk { op: &'static str, message: String },
    #[error("presigning failed: {0}")]
    Presign(String),
    /// The object is no longer the version a read was pinned to (its ETag changed).
    #[error("the object changed")]
    Changed,
}

impl ObjectError {
    fn sdk(op: &'static str, err: impl std::error::Error + 'static) -> Self {
        Self::Sdk { op, message: DisplayErrorContext(&err).to_string() }
    }
}

impl From<ObjectError> for crate::http::ApiError {
    fn from(err: ObjectError) -> Self {
        crate::http::ApiError::internal(err)
    }
}

/// A presigned request the client sends as is: the URL, the method and the headers that were signed with it
/// (an upload's `content-type` and `content-length`, so S3 refuses any other type or size).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Presigned {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What S3 says about a stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    pub content_type: Option<String>,
    pub etag: Option<String>,
}

/// The object tag the bucket's lifecycle rule expires exports by (S3 lifecycle filters take a key prefix,
/// and exports live under each tenant's prefix, so a tag is what selects them).
pub const EXPORT_TAGGING: &str = "nudge-kind=export";

#[derive(Clone, Debug)]
pub struct Objects {
    client: aws_sdk_s3::Client,
    bucket: Arc<str>,
}

impl Objects {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<Arc<str>>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// The S3 client for `sdk`. Against a local emulator (an endpoint URL is set) buckets are addressed by
    /// path, since `<bucket>.127.0.0.1` does not resolve; on AWS by virtual host, as AWS recommends.
    pub fn client(sdk: &crate::config::SdkConfig) -> aws_sdk_s3::Client {
        let local = sdk.endpoint_url().is_some();
        aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(local).build())
    }

    pub fn from_settings(
        sdk: &crate::config::SdkConfig,
        settings: &crate::config::Settings,
    ) -> Result<Self, crate::config::ConfigError> {
        Ok(Self::new(Self::client(sdk), settings.media_bucket()?))
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// A presigned PUT of exactly `length` bytes of `content_type` to `key`, valid for `ttl`.
    pub async fn presign_put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        length: u64,
        ttl: Duration,
    ) -> Result<Presigned, ObjectError> {
        self.presign_put_of(key, content_type, length, ttl, None).await
    }

    /// [`Self::presign_put`] of an object tagged `tagging` (as [`Self::put_tagged`]), so a lifecycle rule
    /// can expire it whatever became of its job. The tag is a signed header: an upload without it fails.
    pub async fn presign_put_tagged(
        &self,
        key: &ObjectKey,
        content_type: &str,
        length: u64,
        ttl: Duration,
        tagging: &str,
    ) -> Result<Presigned, ObjectError> {
        self.presign_put_of(key, content_type, length, ttl, Some(tagging)).await
    }

    async fn presign_put_of(
        &self,
        key: &ObjectKey,
        content_type: &str,
        length: u64,
        ttl: Duration,
        tagging: Option<&str>,
    ) -> Result<Presigned, ObjectError> {
        let length = i64::try_from(length).map_err(|e| ObjectError::Presign(e.to_string()))?;
        let request = self
            .client
            .put_object()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .content_length(length)
            .set_tagging(tagging.map(str::to_owned))
            .presigned(presigning(ttl)?)
            .await
            .map_err(|e| ObjectError::Presign(DisplayErrorContext(&e).to_string()))?;
        Ok(presigned(&request, ttl))
    }

    /// A presigned GET of `key`, valid for `ttl`; `download_name` makes browsers save it under that name.
    pub async fn presign_get(
        &self,
        key: &ObjectKey,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> Result<Presigned, ObjectError> {
        let disposition = download_name.map(|name| {
            let safe: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' { c } else { '_' }).collect();
            format!("attachment; filename=\"{safe}\"")
        });
        let request = self
            .client
            .get_object()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .set_response_content_disposition(disposition)
            .presigned(presigning(ttl)?)
            .await
            .map_err(|e| ObjectError::Presign(DisplayErrorContext(&e).to_string()))?;
        Ok(presigned(&request, ttl))
    }

    /// The object's size and type, or `None` if there is no such object.
    pub async fn head(&self, key: &ObjectKey) -> Result<Option<Head>, ObjectError> {
        crate::store::calls::record();
        match self.client.head_object().bucket(&*self.bucket).key(key.as_str()).send().await {
            Ok(out) => Ok(Some(Head {
                size: out.content_length.and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                content_type: out.content_type,
                etag: out.e_tag,
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(ObjectError::sdk("HeadObject", err)),
        }
    }

    /// Bytes `start..end` (end exclusive, clamped to the object) of the object.
    pub async fn get_range(&self, key: &ObjectKey, start: u64, end: u64) -> Result<Bytes, ObjectError> {
        self.get_range_of(key, start, end, None).await
    }

    /// [`Self::get_range`] of the object's version whose ETag is `etag` (when given): a read of a file in
    /// chunks never mixes two uploads; another version is [`ObjectError::Changed`].
    pub async fn get_range_of(
        &self,
        key: &ObjectKey,
        start: u64,
        end: u64,
        etag: Option<&str>,
    ) -> Result<Bytes, ObjectError> {
        if end <= start {
            return Ok(Bytes::new());
        }
        let range = format!("bytes={start}-{}", end - 1);
        self.read(key, Some(range), etag).await
    }

    /// The whole object: for objects known to be small (a thumbnail, a version snapshot).
    pub async fn get(&self, key: &ObjectKey) -> Result<Bytes, ObjectError> {
        self.read(key, None, None).await
    }

    async fn read(&self, key: &ObjectKey, range: Option<String>, etag: Option<&str>) -> Result<Bytes, ObjectError> {
        crate::store::calls::record();
        let out = self
            .client
            .get_object()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .set_range(range)
            .set_if_match(etag.map(str::to_owned))
            .send()
            .await
            .map_err(|e| {
                let status = e.raw_response().map(|r| r.status().as_u16());
                if status == Some(412) { ObjectError::Changed } else { ObjectError::sdk("GetObject", e) }
            })?;
        let body = out.body.collect().await.map_err(|e| ObjectError::sdk("GetObject body", e))?;
        Ok(body.into_bytes())
    }

    pub async fn put(&self, key: &ObjectKey, body: Vec<u8>, content_type: &str) -> Result<(), ObjectError> {
        self.put_object(key, body, content_type, None).await
    }

    /// Puts an object the functions made themselves, tagged (`key=value`, URL-encoded pairs) so a lifecycle
    /// rule can expire it (exports).
    pub async fn put_tagged(
        &self,
        key: &ObjectKey,
        body: Vec<u8>,
        content_type: &str,
        tagging: &str,
    ) -> Result<(), ObjectError> {
        self.put_object(key, body, content_type, Some(tagging)).await
    }

    async fn put_object(
        &self,
        key: &ObjectKey,
        body: Vec<u8>,
        content_type: &str,
        tagging: Option<&str>,
    ) -> Result<(), ObjectError> {
        crate::store::calls::record();
        self.client
            .put_object()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .set_tagging(tagging.map(str::to_owned))
            .body(body.into())
            .send()
            .await
            .map_err(|e| ObjectError::sdk("PutObject", e))?;
        Ok(())
    }

    /// Starts a multipart upload (tagged as [`Objects::put_tagged`]); returns its upload id.
    pub async fn create_multipart(
        &self,
        key: &ObjectKey,
        content_type: &str,
        tagging: &str,
    ) -> Result<String, ObjectError> {
        crate::store::calls::record();
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .tagging(tagging)
            .send()
            .await
            .map_err(|e| ObjectError::sdk("CreateMultipartUpload", e))?;
        out.upload_id.ok_or(ObjectError::Sdk { op: "CreateMultipartUpload", message: "no upload id".into() })
    }

    /// Uploads part `number` (from 1) of a multipart upload; uploading a number again replaces that part.
    /// Returns the part's ETag, which completing the upload names.
    pub async fn upload_part(
        &self,
        key: &ObjectKey,
        upload_id: &str,
        number: u32,
        body: Vec<u8>,
    ) -> Result<String, ObjectError> {
        crate::store::calls::record();
        let number =
            i32::try_from(number).map_err(|e| ObjectError::Sdk { op: "UploadPart", message: e.to_string() })?;
        let out = self
            .client
            .upload_part()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .upload_id(upload_id)
            .part_number(number)
            .body(body.into())
            .send()
            .await
            .map_err(|e| ObjectError::sdk("UploadPart", e))?;
        out.e_tag.ok_or(ObjectError::Sdk { op: "UploadPart", message: "no ETag".into() })
    }

    /// Completes a multipart upload from its parts `(number, etag)` in order. `Ok(false)` when S3 knows no
    /// such upload (completed or aborted before): the caller checks the object.
    pub async fn complete_multipart(
        &self,
        key: &ObjectKey,
        upload_id: &str,
        parts: &[(u32, String)],
    ) -> Result<bool, ObjectError> {
        use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
        crate::store::calls::record();
        let parts =
            parts.iter().map(|(n, etag)| CompletedPart::builder().part_number(*n as i32).e_tag(etag).build()).collect();
        let done = self
            .client
            .complete_multipart_upload()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .upload_id(upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await;
        match done {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().and_then(|e| e.meta().code()) == Some("NoSuchUpload") => Ok(false),
            Err(err) => Err(ObjectError::sdk("CompleteMultipartUpload", err)),
        }
    }

    /// Aborts a multipart upload, dropping its parts; one that is gone already is fine.
    pub async fn abort_multipart(&self, key: &ObjectKey, upload_id: &str) -> Result<(), ObjectError> {
        crate::store::calls::record();
        let aborted = self
            .client
            .abort_multipart_upload()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .upload_id(upload_id)
            .send()
            .await;
        match aborted {
            Ok(_) => Ok(()),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_upload()) => Ok(()),
            Err(err) => Err(ObjectError::sdk("AbortMultipartUpload", err)),
        }
    }

    /// Deletes the object; deleting one that is gone already succeeds (S3 answers 204 either way).
    pub async fn delete(&self, key: &ObjectKey) -> Result<(), ObjectError> {
        crate::store::calls::record();
        self.client
            .delete_object()
            .bucket(&*self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| ObjectError::sdk("DeleteObject", e))?;
        Ok(())
    }
}

fn presigning(ttl: Duration) -> Result<PresigningConfig, ObjectError> {
    PresigningConfig::expires_in(ttl).map_err(|e| ObjectError::Presign(e.to_string()))
}

fn presigned(request: &aws_sdk_s3::presigning::PresignedRequest, ttl: Duration) -> Presigned {
    let headers = request.headers().map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
    let expires_at = chrono::Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::zero());
    Presigned { url: request.uri().to_owned(), method: request.method().to_owned(), headers, expires_at }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client with made-up credentials: presigning signs locally and sends nothing.
    fn offline() -> Objects {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("eu-west-1"))
            .credentials_provider(aws_credential_types::Credentials::new("AKID", "secret", None, None, "test"))
            .build();
        Objects::new(aws_sdk_s3::Client::from_conf(config), "bucket")
    }

    #[tokio::test]
    async fn a_tagged_upload_must_send_its_tag() {
        let key = ObjectKey::tenant(&crate::testing::tenant(1), "imports/j/rows");
        let ttl = Duration::from_secs(60);
        let tagged = offline().presign_put_tagged(&key, "text/csv", 10, ttl, "nudge-kind=import").await.unwrap();
        assert_eq!(tagged.headers.get("x-amz-tagging").map(String::as_str), Some("nudge-kind=import"));
        assert!(tagged.url.contains("x-amz-tagging"), "the tag is signed: {}", tagged.url);
        let plain = offline().presign_put(&key, "text/csv", 10, ttl).await.unwrap();
        assert!(!plain.headers.contains_key("x-amz-tagging") && !plain.url.contains("x-amz-tagging"));
    }
}
