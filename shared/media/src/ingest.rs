//! The upload consumer: S3 announces an asset's original (`tenants/<t>/media/<id>/original`) through the
//! upload queue; the tenant is the key's, and the asset is looked up under that tenant only. The file's
//! real size and format (magic bytes, not the name or the declared type) are checked, an image's
//! dimensions read and a thumbnail made, and the asset marked `ready`, or `failed` with the reason and its
//! file deleted. Audio and video get a duration (and a video its frame size) from their headers, read in
//! small ranges; documents a page count (see [`crate::probe`]). Redelivered events change nothing twice: only a `processing` asset is verified (or a ready
//! one whose file was overwritten since, by its ETag), and every write is conditioned on the version read.

use crate::error::MediaError;
use crate::inspect;
use crate::model::{MediaAsset, Metadata, asset_of, original_key};
use crate::probe::{self, HEAD_WINDOW, Probed, TAIL_WINDOW, isomedia};
use crate::repo;
use crate::sniff::{self, Format};
use crate::{MediaStatus, MediaType};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use nudge_core::TenantId;
use nudge_core::objects::{Head, ObjectCreated, ObjectKey, Objects, object_created};
use nudge_core::queue::Deadline;
use nudge_core::store::Store;

#[derive(Clone, Debug)]
pub struct Ingest {
    store: Store,
    objects: Objects,
}

/// What verification decided.
enum Verdict {
    Ready { metadata: Metadata, thumbnail: Option<Vec<u8>> },
    Failed(String),
}

impl Ingest {
    pub fn new(store: Store, objects: Objects) -> Self {
        Self { store, objects }
    }

    /// One SQS batch; only the messages that failed, or that the invocation had no time left to start,
    /// are reported for redelivery (an image takes seconds at most: a message starts with 20 s left).
    pub async fn handle(&self, event: SqsEvent, deadline: Deadline) -> SqsBatchResponse {
        let margin = std::time::Duration::from_secs(20);
        nudge_core::queue::each_record_before(event, deadline, margin, |message| self.message(message)).await
    }

    async fn message(&self, message: SqsMessage) -> Result<(), MediaError> {
        let created = object_created(message.body.as_deref().unwrap_or_default())?;
        for object in created {
            self.object(&object).await?;
        }
        Ok(())
    }

    async fn object(&self, object: &ObjectCreated) -> Result<(), MediaError> {
        let Some((tenant, asset_id)) = ObjectKey::parse(&object.key).and_then(|(t, rest)| Some((t, asset_of(&rest)?)))
        else {
            tracing::warn!(key = %object.key, "an upload event for a key that names no media asset; ignored");
            return Ok(());
        };
        let key = original_key(&tenant, asset_id);
        let asset = repo::get(&self.store, &tenant, asset_id).await?;
        let head = self.objects.head(&key).await?;
        let (asset, head) = match (asset, head) {
            (Some(asset), Some(head)) => (asset, head),
            // No record under this tenant: an orphan (the asset was deleted while its upload ran).
            (None, Some(_)) => return Ok(self.objects.delete(&key).await?),
            // No object: a late duplicate of an event already handled.
            (_, None) => return Ok(()),
        };
        let overwritten = asset.status == MediaStatus::Ready && head.etag.is_some() && head.etag != asset.etag;
        match asset.status {
            MediaStatus::Processing => {}
            MediaStatus::Ready if overwritten => {}
            // A second upload to a refused asset's URL is refused too.
            MediaStatus::Failed => return Ok(self.objects.delete(&key).await?),
            _ => return Ok(()),
        }
        let verdict = self.verify(&tenant, &asset, &head).await?;
        self.settle(&tenant, &asset, &head, verdict).await
    }

    async fn verify(&self, tenant: &TenantId, asset: &MediaAsset, head: &Head) -> Result<Verdict, MediaError> {
        if head.size == 0 {
            return Ok(Verdict::Failed("the uploaded file is empty".into()));
        }
        if head.size != asset.file_size || head.size > sniff::max_size(asset.kind) {
            return Ok(Verdict::Failed(format!(
                "the uploaded file is {} bytes; {} were declared",
                head.size, asset.file_size
            )));
        }
        let key = asset.original(tenant);
        // An image is read whole (at most 20 MB) for its dimensions and thumbnail; other files first for
        // their signature and headers.
        let bytes = if asset.kind == MediaType::Image {
            self.objects.get(&key).await
        } else {
            self.objects.get_range(&key, 0, HEAD_WINDOW).await
        }
        .map_err(|source| MediaError::Read { what: "reading the upload", source })?;
        let format = match sniff::verify(&asset.mime_type, &bytes) {
            Ok(format) => format,
            Err(reason) => return Ok(Verdict::Failed(reason)),
        };
        let mut metadata = Metadata { format: format.name().to_owned(), ..Metadata::default() };
        if asset.kind != MediaType::Image {
            let probed = match asset.kind {
                MediaType::Document => self.probe_document(&key, format).await?,
                _ => self.probe_media(&key, format, &bytes, head.size).await?,
            };
            metadata.width = probed.width;
            metadata.height = probed.height;
            metadata.duration_seconds = probed.duration_seconds;
            metadata.page_count = probed.page_count;
            return Ok(Verdict::Ready { metadata, thumbnail: None });
        }
        // Decoding is CPU work: off the async workers.
        let inspected = tokio::task::spawn_blocking(move || {
            let size = inspect::dimensions(&bytes)?;
            Ok::<_, inspect::InspectError>((size, inspect::thumbnail(&bytes, size)?))
        })
        .await
        .map_err(|source| MediaError::Stopped { what: "image", source })?;
        Ok(match inspected {
            Ok(((width, height), thumbnail)) => {
                metadata.width = Some(width);
                metadata.height = Some(height);
                Verdict::Ready { metadata, thumbnail }
            }
            Err(e) => Verdict::Failed(e.to_string()),
        })
    }

    /// A duration (and a video's frame size) from `head`, the file's first [`HEAD_WINDOW`] bytes, and a few
    /// more ranged reads where the format keeps them elsewhere; never the whole file.
    async fn probe_media(&self, key: &ObjectKey, format: Format, head: &[u8], size: u64) -> Result<Probed, MediaError> {
        Ok(match format {
            Format::IsoMedia(_) => self.probe_iso(key, head, size).await?,
            Format::Ebml => probe::ebml::probe(head),
            Format::Wav => Probed::duration(probe::wav::probe(head, size)),
            Format::Mp3 => Probed::duration(probe::mp3::probe(head, size)),
            Format::Ogg if size <= head.len() as u64 => Probed::duration(probe::ogg::probe(head, head)),
            Format::Ogg => {
                let tail = self
                    .objects
                    .get_range(key, size.saturating_sub(TAIL_WINDOW), size)
                    .await
                    .map_err(|source| MediaError::Read { what: "reading the end of an Ogg upload", source })?;
                Probed::duration(probe::ogg::probe(head, &tail))
            }
            _ => Probed::default(),
        })
    }

    /// Walks an ISO media file's top-level boxes to `moov` (often after the media data, at the end), one
    /// small read per hop, at most [`MAX_HOPS`] of them, and reads `moov` if it is at most
    /// [`isomedia::MAX_MOOV`].
    async fn probe_iso(&self, key: &ObjectKey, head: &[u8], size: u64) -> Result<Probed, MediaError> {
        /// Top-level boxes are few (ftyp, free, mdat, moov, maybe udta/uuid); more hops than this is not a
        /// file worth reading further.
        const MAX_HOPS: usize = 16;
        /// Read at each hop: a short clip's whole `moov` fits.
        const HOP: u64 = 64 * 1024;
        let read = |start: u64, end: u64| async move {
            self.objects
                .get_range(key, start, end)
                .await
                .map_err(|source| MediaError::Read { what: "reading an ISO media box", source })
        };
        let mut window = head.to_vec();
        let mut start = 0u64;
        for _ in 0..MAX_HOPS {
            match isomedia::walk(&window, start, size) {
                isomedia::Walk::Moov { start: at, size: len } if len <= isomedia::MAX_MOOV => {
                    let end = at + len;
                    let inside = at >= start && end <= start + window.len() as u64;
                    if inside {
                        let from = (at - start) as usize;
                        return Ok(isomedia::moov(&window[from..from + len as usize]));
                    }
                    return Ok(isomedia::moov(&read(at, end).await?));
                }
                isomedia::Walk::ReadAt(next) => {
                    window = read(next, next.saturating_add(HOP).min(size)).await?.to_vec();
                    start = next;
                }
                _ => break,
            }
        }
        Ok(Probed::default())
    }

    /// A document's page count. Documents are read whole (at most 50 MB): a PDF's page tree and a ZIP's
    /// directory can be anywhere in the file.
    async fn probe_document(&self, key: &ObjectKey, format: Format) -> Result<Probed, MediaError> {
        if !matches!(format, Format::Pdf | Format::Zip) {
            return Ok(Probed::default());
        }
        let whole =
            self.objects.get(key).await.map_err(|source| MediaError::Read { what: "reading the document", source })?;
        // Scanning and inflating is CPU work: off the async workers.
        let pages = tokio::task::spawn_blocking(move || match format {
            Format::Pdf => probe::pdf::page_count(&whole),
            _ => probe::office::probe(&whole),
        })
        .await
        .map_err(|source| MediaError::Stopped { what: "document", source })?;
        Ok(Probed { page_count: pages, ..Probed::default() })
    }

    /// Writes the outcome. A version conflict means another delivery (or a delete) got there first: done.
    async fn settle(
        &self,
        tenant: &TenantId,
        asset: &MediaAsset,
        head: &Head,
        verdict: Verdict,
    ) -> Result<(), MediaError> {
        let next = match verdict {
            Verdict::Ready { metadata, thumbnail } => {
                if let Some(png) = &thumbnail {
                    self.objects.put(&asset.thumbnail(tenant), png.clone(), "image/png").await?;
                }
                asset.revised(|a| {
                    a.status = MediaStatus::Ready;
                    a.file_size = head.size;
                    a.metadata = Some(metadata);
                    a.has_thumbnail = thumbnail.is_some();
                    a.etag = head.etag.clone();
                    a.failure_reason = None;
                })
            }
            Verdict::Failed(reason) => {
                self.objects.delete(&asset.original(tenant)).await?;
                self.objects.delete(&asset.thumbnail(tenant)).await?;
                asset.revised(|a| {
                    a.status = MediaStatus::Failed;
                    a.has_thumbnail = false;
                    a.failure_reason = Some(reason);
                })
            }
        };
        match repo::replace(&self.store, tenant, asset, &next).await {
            Ok(()) => {
                tracing::info!(asset_id = %asset.id, status = next.status.as_str(), reason = next.failure_reason.as_deref().unwrap_or(""), "media asset ingested");
                Ok(())
            }
            Err(e) if e.is_version_conflict() => Ok(()),
            Err(e) => Err(e),
        }
    }
}
