//! The AI module builder end to end: a real DOCX (and a PDF) made in the test, uploaded through the media
//! API, a build asked for and run on the learning queue (the local cloud's language-model step is the
//! deterministic fake), the draft module read back; redelivery; refusals, failures, rights, tenancy.

use e2e::{Stack, png, stack};
use nudge_core::auth::SystemRole;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn para(style: Option<&str>, text: &str) -> String {
    let style = style.map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#)).unwrap_or_default();
    format!(r#"<w:p>{style}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A minimal valid .docx whose body is `body` (Word opens it).
fn docx(body: &str) -> Vec<u8> {
    let types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    zip_of(&[("[Content_Types].xml", types), ("_rels/.rels", rels), ("word/document.xml", &document)])
}

fn forklift() -> Vec<u8> {
    docx(
        &[
            para(Some("Title"), "Forklift safety"),
            para(None, "Read this first &amp; sign <b>it</b>."),
            para(Some("Heading1"), "BEFORE YOU DRIVE"),
            para(None, "Check the forks."),
            para(None, "Check the tyres."),
            para(Some("Heading1"), "Loading"),
            para(None, "Keep the load low."),
        ]
        .concat()
        .replace("<b>", "&lt;b&gt;")
        .replace("</b>", "&lt;/b&gt;"),
    )
}

async fn document(s: &Stack, token: &str, mime: &str, name: &str, bytes: Vec<u8>) -> String {
    let asset = s.upload(token, "document", mime, name, bytes).await;
    assert_eq!(asset["status"], "ready", "{asset}");
    asset["id"].as_str().unwrap().to_owned()
}

/// Asks for a build and answers it once finished.
async fn build(s: &Stack, token: &str, body: Value) -> Value {
    let asked = s.post("/module-builds", token, &body).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.body);
    let id = asked.body["id"].as_str().unwrap().to_owned();
    assert_eq!(asked.header("location"), Some(format!("/module-builds/{id}").as_str()));
    assert!(matches!(asked.body["status"].as_str(), Some("PENDING")), "{:?}", asked.body);
    s.eventually(&format!("/module-builds/{id}"), token, "finishes", |b| {
        matches!(b["status"].as_str(), Some("COMPLETED" | "FAILED"))
    })
    .await
}

fn titles(module: &Value) -> Vec<&str> {
    module["sections"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_docx_becomes_a_draft_module_with_a_section_per_heading_once() {
    let s = stack();
    let tenant = s.organization("Builder DOCX").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let asset = document(s, &admin, DOCX, "forklift.docx", forklift()).await;

    let done = build(s, &admin, json!({"mediaAssetId": asset})).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!((done["sourceType"].as_str(), done["aiStructured"].as_bool()), (Some("DOCX"), Some(true)), "{done}");
    assert_eq!(done["sectionCount"], 4, "{done}");
    let module_id = done["moduleId"].as_str().unwrap().to_owned();

    // The draft: the document's title, a section per heading (the fake model's sentence case, its summary).
    let module = s.get(&format!("/modules/{module_id}"), &admin).await;
    assert_eq!(module.status, StatusCode::OK, "{:?}", module.body);
    let m = &module.body;
    assert_eq!((m["title"].as_str(), m["status"].as_str()), (Some("Forklift safety"), Some("DRAFT")), "{m}");
    assert_eq!(titles(m), ["Introduction", "Before you drive", "Loading", "Summary"]);
    let contents: Vec<&str> =
        m["sections"].as_array().unwrap().iter().map(|s| s["content"].as_str().unwrap()).collect();
    assert_eq!(
        contents,
        [
            "<p>Read this first &amp; sign &lt;b&gt;it&lt;/b&gt;.</p>",
            "<p>Check the forks.</p><p>Check the tyres.</p>",
            "<p>Keep the load low.</p>",
            "<p>This module covers Before you drive and Loading.</p>",
        ]
    );
    let sections = s.get(&format!("/modules/{module_id}/sections"), &admin).await;
    assert_eq!(sections.status, StatusCode::OK, "{:?}", sections.body);
    assert_eq!(sections.body.as_array().map(Vec::len), Some(4), "{:?}", sections.body);

    // A redelivered build message changes nothing: still one module, the build as it was.
    let id = done["id"].as_str().unwrap();
    s.send_raw("LearningQueue", &json!({"tenantId": tenant, "type": "build", "buildId": id})).await;
    s.drained(&["LearningQueue"]).await;
    let again = s.get(&format!("/module-builds/{id}"), &admin).await;
    assert_eq!(again.body, done);
    let modules = s.all_pages("/modules", &admin, 100).await;
    assert_eq!(modules.len(), 1, "{modules:?}");

    // Without the model step and with a title of the author's: the document's structure as it is.
    let plain = build(s, &admin, json!({"mediaAssetId": asset, "title": "Forklifts", "structureWithAi": false})).await;
    assert_eq!((plain["status"].as_str(), plain["aiStructured"].as_bool()), (Some("COMPLETED"), Some(false)));
    let m = s.get(&format!("/modules/{}", plain["moduleId"].as_str().unwrap()), &admin).await.body;
    assert_eq!(m["title"], "Forklifts");
    assert_eq!(titles(&m), ["Introduction", "BEFORE YOU DRIVE", "Loading"]);

    // Newest first, by pages.
    let listed = s.all_pages("/module-builds", &admin, 1).await;
    let ids: Vec<&str> = listed.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [plain["id"].as_str().unwrap(), id]);
}

#[tokio::test]
async fn a_pdf_text_layer_is_built_by_its_headings() {
    let s = stack();
    let tenant = s.organization("Builder PDF").await;
    let admin = s.tenant(tenant, SystemRole::Admin);
    let content = "BT /F1 12 Tf 72 700 Td (1. Lifting) Tj 0 -14 Td (Bend your knees and keep the load close to your body at all times.) Tj \
                   0 -28 Td (2. Carrying) Tj 0 -14 Td (Look where you go and never carry a load that blocks your view ahead.) Tj ET";
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    pdf.extend(b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    pdf.extend(b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n");
    pdf.extend(format!("4 0 obj\n<< /Length {} >>\nstream\n{content}\nendstream\nendobj\n", content.len()).as_bytes());
    pdf.extend(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    let asset = document(s, &admin, "application/pdf", "manual-handling.pdf", pdf).await;

    let done = build(s, &admin, json!({"mediaAssetId": asset, "structureWithAi": false})).await;
    assert_eq!((done["status"].as_str(), done["sourceType"].as_str()), (Some("COMPLETED"), Some("PDF")), "{done}");
    let m = s.get(&format!("/modules/{}", done["moduleId"].as_str().unwrap()), &admin).await.body;
    assert_eq!(m["title"], "1. Lifting", "the first heading names it");
    assert_eq!(titles(&m), ["1. Lifting", "2. Carrying"]);
    assert_eq!(
        m["sections"][0]["content"],
        "<p>Bend your knees and keep the load close to your body at all times.</p>"
    );
}

#[tokio::test]
async fn builds_refuse_what_is_not_a_ready_document_and_say_why_they_fail() {
    let s = stack();
    let tenant = s.organization("Builder refusals").await;
    let admin = s.tenant(tenant, SystemRole::Admin);

    // Schema violations: 400, every field named.
    let bad =
        s.post("/module-builds", &admin, &json!({"mediaAssetId": "x", "structureWithAi": "yes", "extra": 1})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{:?}", bad.body);
    assert_eq!(bad.pointers(), ["/mediaAssetId", "/structureWithAi", "/extra"], "{:?}", bad.body);
    let missing = s.post("/module-builds", &admin, &json!({"title": null})).await;
    assert_eq!((missing.status, missing.pointers()), (StatusCode::BAD_REQUEST, vec!["/mediaAssetId".to_owned()]));

    // Rule breaks: 422 at /mediaAssetId (an image, a document still processing, a workbook, nothing).
    let image = s.upload(&admin, "image", "image/png", "team.png", png(8, 8)).await;
    let declared = s
        .post(
            "/media-assets",
            &admin,
            &json!({"fileName": "later.docx", "mimeType": DOCX, "size": 100, "type": "document"}),
        )
        .await;
    assert_eq!(declared.status, StatusCode::CREATED, "{:?}", declared.body);
    let xlsx = document(
        s,
        &admin,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "book.xlsx",
        zip_of(&[("xl/workbook.xml", "<workbook><sheets><sheet name=\"A\"/></sheets></workbook>")]),
    )
    .await;
    for (asset, why) in [
        (image["id"].as_str().unwrap().to_owned(), "is a image asset"),
        (declared.body["id"].as_str().unwrap().to_owned(), "is processing"),
        (xlsx, "a module is built from a PDF or a DOCX"),
        (uuid::Uuid::now_v7().to_string(), "names no media asset"),
    ] {
        let refused = s.post("/module-builds", &admin, &json!({"mediaAssetId": asset})).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {:?}", refused.body);
        assert_eq!(refused.pointers(), ["/mediaAssetId"]);
        assert!(refused.body.to_string().contains(why), "{why}: {:?}", refused.body);
    }

    // A corrupt DOCX and one without text are accepted, then fail with the reason.
    let corrupt = zip_of(&[("word/document.xml", "<w:document><w:body><w:p></w:body>")]);
    let corrupt = document(s, &admin, DOCX, "corrupt.docx", corrupt).await;
    let failed = build(s, &admin, json!({"mediaAssetId": corrupt})).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert!(failed["error"].as_str().unwrap().contains("not a DOCX document"), "{failed}");
    assert!(failed.get("moduleId").is_none(), "{failed}");
    let empty = document(s, &admin, DOCX, "empty.docx", docx(&para(None, " "))).await;
    let failed = build(s, &admin, json!({"mediaAssetId": empty})).await;
    assert_eq!(
        (failed["status"].as_str(), failed["error"].as_str()),
        (Some("FAILED"), Some("the document has no text"))
    );
    assert!(s.all_pages("/modules", &admin, 100).await.is_empty(), "a failed build makes no module");

    // Rights: an employee may not build; another organization sees nothing.
    let employee = s.tenant(tenant, SystemRole::Employee);
    let forbidden = s.post("/module-builds", &employee, &json!({"mediaAssetId": empty})).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "{:?}", forbidden.body);
    let outsider = s.tenant(s.organization("Builder outsider").await, SystemRole::Admin);
    let theirs = s.get(&format!("/module-builds/{}", failed["id"].as_str().unwrap()), &outsider).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{:?}", theirs.body);
    assert!(s.all_pages("/module-builds", &outsider, 100).await.is_empty());
    let foreign_asset = s.post("/module-builds", &outsider, &json!({"mediaAssetId": empty})).await;
    assert_eq!(foreign_asset.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", foreign_asset.body);
}
