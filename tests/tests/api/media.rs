//! Media assets end to end: a real presigned PUT through the emulator's S3, whose notification reaches the
//! ingest consumer through the upload queue; verification by content, not name; thumbnails; presigned
//! downloads; redelivery; delete refused while content uses an asset; tenant isolation; bad input.

use e2e::{png, stack};
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn a_png_upload_becomes_ready_with_dimensions_and_a_thumbnail() {
    let s = stack();
    let tenant = s.organization("Media PNG").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let bytes = png(640, 480);
    let asset = s.upload(&admin, "image", "image/png", "team.png", bytes.clone()).await;
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!((asset["metadata"]["width"].as_u64(), asset["metadata"]["height"].as_u64()), (Some(640), Some(480)));
    assert_eq!(asset["metadata"]["format"], "png");
    assert_eq!((asset["hasThumbnail"].as_bool(), asset["fileSize"].as_u64()), (Some(true), Some(bytes.len() as u64)));
    assert_eq!((asset["provider"].as_str(), asset["type"].as_str()), (Some("s3"), Some("image")));
    // Presigned URLs are the caller's alone: no cache keeps the answer that holds them.
    let read = s.get(&format!("/media-assets/{}", asset["id"].as_str().unwrap()), &admin).await;
    assert_eq!(read.header("cache-control"), Some("no-store"));

    // The presigned downloads serve the original and a PNG thumbnail that fits 320 × 320.
    let (status, original) = s.fetch(asset["url"].as_str().unwrap()).await;
    assert_eq!((status, original == bytes), (StatusCode::OK, true));
    let (status, thumb) = s.fetch(asset["thumbnailUrl"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));

    // Filters, and the list carries no download links.
    let id = asset["id"].as_str().unwrap();
    for path in [
        "/media-assets",
        "/media-assets?status=ready",
        "/media-assets?type=image",
        "/media-assets?status=ready&type=image",
    ] {
        let listed = s.get(path, &admin).await;
        assert_eq!(listed.status, StatusCode::OK, "{path}");
        let items = listed.body["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["id"] == id), "{path}");
        assert!(items.iter().all(|i| i.get("url").is_none()));
    }
    assert!(s.get("/media-assets?status=failed", &admin).await.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_text_file_named_png_fails_and_its_object_is_deleted() {
    let s = stack();
    let tenant = s.organization("Media text").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let asset = s.upload(&admin, "image", "image/png", "notes.png", b"just some text, named .png".to_vec()).await;
    assert_eq!(asset["status"], "failed", "{asset}");
    assert!(asset["failureReason"].as_str().unwrap().contains("no known format"), "{asset}");
    assert!(asset.get("url").is_none() && asset.get("thumbnailUrl").is_none());

    // The object is gone from the bucket.
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let objects =
        nudge_core::objects::Objects::new(nudge_core::objects::Objects::client(&sdk), s.resources.bucket.clone());
    let key = format!("tenants/{tenant}/media/{}/original", asset["id"].as_str().unwrap());
    let stored = objects
        .get(
            &nudge_core::objects::ObjectKey::parse(&key)
                .map(|(t, rest)| nudge_core::objects::ObjectKey::tenant(&t, &rest))
                .unwrap(),
        )
        .await;
    assert!(stored.is_err(), "the refused file is still stored");

    // A PDF declared as a PDF passes; declared as a JPEG it does not.
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let ok = s.upload(&admin, "document", "application/pdf", "policy.pdf", pdf.clone()).await;
    assert_eq!((ok["status"].as_str(), ok["metadata"]["format"].as_str()), (Some("ready"), Some("pdf")), "{ok}");
    assert_eq!(ok["hasThumbnail"], false);
    let wrong = s.upload(&admin, "image", "image/jpeg", "policy.jpg", pdf).await;
    assert_eq!(wrong["status"], "failed");
    assert!(wrong["failureReason"].as_str().unwrap().contains("is pdf"), "{wrong}");
}

#[tokio::test]
async fn a_redelivered_upload_event_changes_nothing() {
    let s = stack();
    let tenant = s.organization("Media redelivery").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let asset = s.upload(&admin, "image", "image/png", "a.png", png(64, 64)).await;
    let id = asset["id"].as_str().unwrap();
    let key = format!("tenants/{tenant}/media/{id}/original");
    let event = json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T10:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "x"}, "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "c",
               "bucket": {"name": s.resources.bucket, "ownerIdentity": {"principalId": "x"}, "arn": "arn:aws:s3:::b"},
               "object": {"key": key, "size": 1, "eTag": "e", "sequencer": "01"}}}]});
    let sdk = nudge_local::emulator::sdk_config(&s.endpoint).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue = &s.resources.queues["UploadEventsQueue"].url;
    for _ in 0..2 {
        sqs.send_message().queue_url(queue).message_body(event.to_string()).send().await.unwrap();
    }
    // A key of no asset, a thumbnail and a test event are ignored, not retried.
    for body in [
        json!({"Service": "Amazon S3", "Event": "s3:TestEvent"}).to_string(),
        event.to_string().replace("/original", "/thumbnail.png"),
        event.to_string().replace(id, &Uuid::now_v7().to_string()),
    ] {
        sqs.send_message().queue_url(queue).message_body(body).send().await.unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let again = s.get(&format!("/media-assets/{id}"), &admin).await;
    assert_eq!(again.body["version"], asset["version"], "{:?}", again.body);
    assert_eq!(again.body["status"], "ready");
    let dlq = &s.resources.queues["UploadEventsDLQ"].url;
    let stuck = sqs.receive_message().queue_url(dlq).send().await.unwrap();
    assert!(stuck.messages.unwrap_or_default().is_empty());
}

#[tokio::test]
async fn delete_waits_until_no_content_uses_the_asset() {
    let s = stack();
    let tenant = s.organization("Media delete").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let first = s.upload(&admin, "image", "image/png", "one.png", png(8, 8)).await;
    let second = s.upload(&admin, "image", "image/png", "two.png", png(9, 9)).await;
    let (a, b) = (first["id"].as_str().unwrap(), second["id"].as_str().unwrap());
    let content = s
        .post(
            "/contents",
            &admin,
            &json!({"type": "image", "title": "Team", "image": {"mediaAssetId": a, "altText": "Us"}}),
        )
        .await;
    assert_eq!(content.status, StatusCode::CREATED, "{:?}", content.body);

    let refused = s.delete(&format!("/media-assets/{a}"), &admin).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", refused.body);
    let kept = s.get(&format!("/media-assets/{a}"), &admin).await;
    assert_eq!(kept.body["status"], "ready", "a refused delete puts the asset back");

    // Pointing the content at another asset releases the first.
    let path = format!("/contents/{}", content.body["id"].as_str().unwrap());
    let moved = s.patch(&path, &admin, &json!({"image": {"mediaAssetId": b}}), None).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(s.delete(&format!("/media-assets/{a}"), &admin).await.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&format!("/media-assets/{a}"), &admin).await.status, StatusCode::NOT_FOUND);
    let (status, _) = s.fetch(first["url"].as_str().unwrap()).await;
    // S3 answers a missing key 404, or 403 to a caller that may not list the bucket.
    assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "the file went with the record: {status}");
    // Content cannot take a deleted asset back.
    let back = s.patch(&path, &admin, &json!({"image": {"mediaAssetId": a}}), None).await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(back.pointers(), ["/image/mediaAssetId"]);
}

#[tokio::test]
async fn assets_are_tenant_scoped_and_bad_input_is_named() {
    let s = stack();
    let (ta, tb) = (s.organization("Media A").await, s.organization("Media B").await);
    let (a, b) = (s.tenant(ta, SystemRole::Admin), s.tenant(tb, SystemRole::Admin));
    let asset = s.upload(&a, "image", "image/png", "a.png", png(4, 4)).await;
    let path = format!("/media-assets/{}", asset["id"].as_str().unwrap());
    assert_eq!(s.get(&path, &b).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.patch(&path, &b, &json!({"altText": "x"}), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.delete(&path, &b).await.status, StatusCode::NOT_FOUND);
    assert!(s.get("/media-assets", &b).await.body["items"].as_array().unwrap().is_empty());
    // Another tenant's asset in content answers exactly as a missing one.
    let body = |id: &str| json!({"type": "image", "title": "x", "image": {"mediaAssetId": id}});
    let foreign = s.post("/contents", &b, &body(asset["id"].as_str().unwrap())).await;
    let missing = s.post("/contents", &b, &body(&Uuid::now_v7().to_string())).await;
    assert_eq!(
        (foreign.status, foreign.pointers()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["/image/mediaAssetId".to_owned()])
    );
    assert_eq!(foreign.body["errors"], missing.body["errors"]);

    let bad = s
        .post(
            "/media-assets",
            &a,
            &json!({"fileName": "x/y", "mimeType": "text/html", "size": 0, "type": "image", "url": "u"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.pointers(), ["/fileName", "/mimeType", "/size", "/url"]);
    assert_eq!(s.get("/media-assets?status=nope", &a).await.status, StatusCode::BAD_REQUEST);
    let viewer = s.tenant(ta, SystemRole::Viewer);
    assert_eq!(s.get(&path, &viewer).await.status, StatusCode::OK);
    let denied = s
        .post(
            "/media-assets",
            &viewer,
            &json!({"fileName": "a.png", "mimeType": "image/png", "size": 1, "type": "image"}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    let renamed = s.patch(&path, &a, &json!({"fileName": "renamed.png", "altText": "Alt"}), Some("\"1\"")).await;
    assert_eq!(renamed.status, StatusCode::PRECONDITION_FAILED, "the upload moved it past version 1");
    let renamed = s.patch(&path, &a, &json!({"fileName": "renamed.png", "altText": "Alt"}), None).await;
    assert_eq!((renamed.status, renamed.body["fileName"].as_str()), (StatusCode::OK, Some("renamed.png")));
}

/// A PCM WAV of `seconds` of 16-bit mono silence at 8 kHz.
fn wav(seconds: u32) -> Vec<u8> {
    let data = vec![0u8; (8_000 * 2 * seconds) as usize];
    let mut fmt = vec![1, 0, 1, 0]; // PCM, mono
    fmt.extend_from_slice(&8_000u32.to_le_bytes());
    fmt.extend_from_slice(&16_000u32.to_le_bytes()); // byte rate
    fmt.extend_from_slice(&[2, 0, 16, 0]); // block align, bits per sample
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&((4 + 8 + fmt.len() + 8 + data.len()) as u32).to_le_bytes());
    file.extend_from_slice(b"WAVEfmt ");
    file.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    file.extend_from_slice(&fmt);
    file.extend_from_slice(b"data");
    file.extend_from_slice(&(data.len() as u32).to_le_bytes());
    file.extend_from_slice(&data);
    file
}

/// An ISO box.
fn iso_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    [&((body.len() + 8) as u32).to_be_bytes()[..], kind, body].concat()
}

/// An MP4 as a recorder writes it without "fast start": `moov` after 300 KiB of media data, past the
/// first bytes the ingest reads, with a 7.5 s movie header and a 1280 × 720 video track.
fn mp4() -> Vec<u8> {
    let mut mvhd = vec![0u8; 12];
    mvhd.extend_from_slice(&600u32.to_be_bytes());
    mvhd.extend_from_slice(&4_500u32.to_be_bytes());
    mvhd.resize(100, 0);
    let mut tkhd = vec![0u8; 76];
    tkhd.extend_from_slice(&(1280u32 << 16).to_be_bytes());
    tkhd.extend_from_slice(&(720u32 << 16).to_be_bytes());
    let mut hdlr = vec![0u8; 8];
    hdlr.extend_from_slice(b"vide");
    hdlr.resize(25, 0);
    let trak = iso_box(b"trak", &[iso_box(b"tkhd", &tkhd), iso_box(b"mdia", &iso_box(b"hdlr", &hdlr))].concat());
    [
        iso_box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
        iso_box(b"mdat", &vec![0u8; 300 * 1024]),
        iso_box(b"moov", &[iso_box(b"mvhd", &mvhd), trak].concat()),
    ]
    .concat()
}

/// A PDF of `pages` blank pages with its cross-reference table.
fn pdf(pages: usize) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 3)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")),
    ];
    objects.extend((0..pages).map(|_| "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] >>".to_owned()));
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let trailer = format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.extend_from_slice(trailer.as_bytes());
    out
}

#[tokio::test]
async fn audio_video_and_documents_get_durations_sizes_and_page_counts() {
    let s = stack();
    let tenant = s.organization("Media probes").await;
    let admin = s.tenant(tenant, SystemRole::Admin);

    let audio = s.upload(&admin, "audio", "audio/wav", "greeting.wav", wav(3)).await;
    assert_eq!(audio["status"], "ready", "{audio}");
    assert_eq!(audio["metadata"], json!({"format": "wav", "durationSeconds": 3.0}), "{audio}");

    let video = s.upload(&admin, "video", "video/mp4", "welcome.mp4", mp4()).await;
    assert_eq!(video["status"], "ready", "{video}");
    assert_eq!(
        video["metadata"],
        json!({"format": "mp4", "durationSeconds": 7.5, "width": 1280, "height": 720}),
        "{video}"
    );
    assert_eq!(video["hasThumbnail"], false);

    let document = s.upload(&admin, "document", "application/pdf", "handbook.pdf", pdf(3)).await;
    assert_eq!(document["status"], "ready", "{document}");
    assert_eq!(document["metadata"], json!({"format": "pdf", "pageCount": 3}), "{document}");

    // Content takes the duration from its asset unless it states its own.
    let body = |kind: &str, asset: &Value, duration: Option<u32>| {
        let mut playable = json!({"mediaAssetId": asset["id"]});
        if let Some(d) = duration {
            playable["duration"] = json!(d);
        }
        let mut content = json!({"type": kind, "title": "Welcome"});
        content[kind] = playable;
        content
    };
    let heard = s.post("/contents", &admin, &body("audio", &audio, None)).await;
    assert_eq!(heard.status, StatusCode::CREATED, "{:?}", heard.body);
    assert_eq!(heard.body["audio"]["duration"], 3);
    let seen = s.post("/contents", &admin, &body("video", &video, Some(5))).await;
    assert_eq!(seen.body["video"]["duration"], 5, "a stated duration is kept");
}
