//! What anyone holding a certificate's code may learn about it, as JSON ([`Verification`]) and as a page
//! ([`page`]). The page opens from a printed code or a QR code on any phone, so it is one small HTML
//! document: no JavaScript, nothing to load, no style (the browser's own is readable and accessible), and
//! a [`PAGE_CSP`] that allows nothing. Everything shown goes through maud, which escapes it.
//!
//! Stable hooks for browser tests: `data-testid` `title`, `code`, `holder`, `module`, `issued`,
//! `expires`, `status` (which also carries `data-status="valid|expired|revoked"`), `not-found`.

use super::validity::CertificateStatus;
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use serde::Serialize;
use utoipa::ToSchema;

/// The page's `Content-Security-Policy`: it needs nothing, so nothing is allowed, not even being framed.
pub const PAGE_CSP: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A certificate as its public verification shows it. Only these fields, on purpose: whoever has the
/// code learns who holds what and until when, and nothing of the tenant (no ids, emails or names).
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// The code as printed, `XXXX-XXXX-XXXX`.
    pub code: String,
    pub holder_name: String,
    pub module_title: String,
    pub issued_at: DateTime<Utc>,
    /// `null`: it does not expire.
    pub expires_at: Option<DateTime<Utc>>,
    pub status: CertificateStatus,
}

/// The page's words in one language.
struct Words {
    lang: &'static str,
    title: &'static str,
    code: &'static str,
    holder: &'static str,
    module: &'static str,
    issued: &'static str,
    expires: &'static str,
    status: &'static str,
    never_expires: &'static str,
    valid: &'static str,
    /// Before the date: "Expired on 2026-11-30".
    expired_on: &'static str,
    expired: &'static str,
    revoked: &'static str,
    not_found: &'static str,
    not_found_hint: &'static str,
}

static EN: Words = Words {
    lang: "en",
    title: "Certificate verification",
    code: "Code",
    holder: "Holder",
    module: "Module",
    issued: "Issued",
    expires: "Expires",
    status: "Status",
    never_expires: "Does not expire",
    valid: "Valid",
    expired_on: "Expired on",
    expired: "Expired",
    revoked: "Revoked",
    not_found: "No certificate has this code",
    not_found_hint: "Check the code on the certificate and try again.",
};

static SL: Words = Words {
    lang: "sl",
    title: "Preverjanje certifikata",
    code: "Koda",
    holder: "Imetnik",
    module: "Modul",
    issued: "Izdan",
    expires: "Velja do",
    status: "Stanje",
    never_expires: "Ne poteče",
    valid: "Veljaven",
    expired_on: "Potekel",
    expired: "Potekel",
    revoked: "Preklican",
    not_found: "Noben certifikat nima te kode",
    not_found_hint: "Preverite kodo na certifikatu in poskusite znova.",
};

/// The words for a language tag as stored or sent by a browser (`sl`, `sl-SI`, `SL_si`, `slv`, or an
/// `Accept-Language` list, whose first tag decides): Slovenian for Slovenian, English for anything else.
fn words(lang: &str) -> &'static Words {
    let first = lang.split([',', ';']).next().unwrap_or_default();
    let primary = first.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    match primary.as_str() {
        "sl" | "slv" => &SL,
        _ => &EN,
    }
}

/// ISO 8601 (`2026-11-30`), in UTC: unambiguous in every language.
fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn time(at: DateTime<Utc>) -> Markup {
    let text = date(at);
    html! { time datetime=(text) { (text) } }
}

/// The verification page of a certificate, in the language `lang` names (see [`words`]).
pub fn page(v: &Verification, lang: &str) -> Markup {
    let w = words(lang);
    let (status_key, status_text) = match v.status {
        CertificateStatus::Valid => ("valid", w.valid.to_owned()),
        CertificateStatus::Expired => (
            "expired",
            match v.expires_at {
                Some(at) => format!("{} {}", w.expired_on, date(at)),
                // Not expected (expired implies an expiry), but the status still reads right.
                None => w.expired.to_owned(),
            },
        ),
        CertificateStatus::Revoked => ("revoked", w.revoked.to_owned()),
    };
    document(
        w,
        html! {
            main {
                h1 data-testid="title" { (w.title) }
                dl {
                    dt { (w.code) }
                    dd data-testid="code" { (v.code) }
                    dt { (w.holder) }
                    dd data-testid="holder" { (v.holder_name) }
                    dt { (w.module) }
                    dd data-testid="module" { (v.module_title) }
                    dt { (w.issued) }
                    dd data-testid="issued" { (time(v.issued_at)) }
                    dt { (w.expires) }
                    dd data-testid="expires" {
                        @match v.expires_at {
                            Some(at) => (time(at)),
                            None => (w.never_expires),
                        }
                    }
                    dt { (w.status) }
                    dd data-testid="status" data-status=(status_key) { strong { (status_text) } }
                }
            }
        },
    )
}

/// The page for a code that matches no certificate (or is malformed): it says so, and nothing else; not
/// even the code, which the visitor has.
pub fn not_found_page(lang: &str) -> Markup {
    let w = words(lang);
    document(
        w,
        html! {
            main {
                h1 data-testid="title" { (w.title) }
                p data-testid="not-found" { strong { (w.not_found) } }
                p { (w.not_found_hint) }
            }
        },
    )
}

fn document(w: &Words, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(w.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // The URL holds the code: no referrer carries it elsewhere, no search engine lists names.
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex, nofollow";
                title { (w.title) }
            }
            body { (content) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn verification(status: CertificateStatus) -> Verification {
        Verification {
            code: "28T5-CY4T-QKFF".to_owned(),
            holder_name: "Ana Novak".to_owned(),
            module_title: "Food safety basics".to_owned(),
            issued_at: Utc.with_ymd_and_hms(2025, 11, 30, 23, 59, 0).unwrap(),
            expires_at: Some(Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 0).unwrap()),
            status,
        }
    }

    fn assert_self_contained(html: &str) {
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
        assert!(html.contains("<main>"));
        for forbidden in ["<script", "style=", "<style", "http", "<link", "<img", "<iframe", "<form"] {
            assert!(!html.contains(forbidden), "{forbidden} in {html}");
        }
        // No event handler attribute (` onclick=`), though text may say " on".
        let handler = html.match_indices(" on").any(|(i, _)| {
            let rest = html[i + 3..].trim_start_matches(|c: char| c.is_ascii_alphabetic());
            rest.starts_with('=')
        });
        assert!(!handler, "an event handler in {html}");
    }

    #[test]
    fn shows_the_holder_module_dates_and_status() {
        let html = page(&verification(CertificateStatus::Valid), "en").into_string();
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains("<h1 data-testid=\"title\">Certificate verification</h1>"));
        assert!(html.contains("<dl>"));
        for text in ["28T5-CY4T-QKFF", "Ana Novak", "Food safety basics", "Holder", "Module", "Issued", "Expires"] {
            assert!(html.contains(text), "{text} missing from {html}");
        }
        assert!(html.contains(r#"<time datetime="2025-11-30">2025-11-30</time>"#));
        assert!(html.contains(r#"<time datetime="2026-11-30">2026-11-30</time>"#));
        assert!(html.contains(r#"data-status="valid"><strong>Valid</strong>"#));
        assert_self_contained(&html);
    }

    #[test]
    fn words_each_status() {
        let expired = page(&verification(CertificateStatus::Expired), "en").into_string();
        assert!(expired.contains(r#"data-status="expired"><strong>Expired on 2026-11-30</strong>"#));
        let revoked = page(&verification(CertificateStatus::Revoked), "en").into_string();
        assert!(revoked.contains(r#"data-status="revoked"><strong>Revoked</strong>"#));
        let odd = Verification { expires_at: None, ..verification(CertificateStatus::Expired) };
        assert!(page(&odd, "en").into_string().contains("<strong>Expired</strong>"));
        for html in [expired, revoked] {
            assert_self_contained(&html);
        }
    }

    #[test]
    fn a_certificate_without_expiry_says_so() {
        let v = Verification { expires_at: None, ..verification(CertificateStatus::Valid) };
        let html = page(&v, "en").into_string();
        assert!(html.contains(r#"<dd data-testid="expires">Does not expire</dd>"#));
        let html = page(&v, "sl").into_string();
        assert!(html.contains(r#"<dd data-testid="expires">Ne poteče</dd>"#));
    }

    #[test]
    fn speaks_slovenian_for_slovenian_tags_and_english_otherwise() {
        for tag in ["sl", "sl-SI", "SL_si", "slv", " sl-SI, en;q=0.8"] {
            let html = page(&verification(CertificateStatus::Expired), tag).into_string();
            assert!(html.contains(r#"<html lang="sl">"#), "{tag}");
            assert!(html.contains("Preverjanje certifikata"), "{tag}");
            assert!(html.contains("<strong>Potekel 2026-11-30</strong>"), "{tag}");
            assert!(html.contains("Imetnik"), "{tag}");
        }
        for tag in ["", "en", "de-DE", "slovak", "sk", "en, sl", "\"><script>"] {
            let html = page(&verification(CertificateStatus::Revoked), tag).into_string();
            assert!(html.contains(r#"<html lang="en">"#), "{tag}");
            assert!(html.contains("<strong>Revoked</strong>"), "{tag}");
        }
    }

    #[test]
    fn escapes_what_it_shows() {
        let v = Verification {
            holder_name: "<script>alert(1)</script>".to_owned(),
            module_title: "\"><img src=x onerror=alert(1)>".to_owned(),
            ..verification(CertificateStatus::Valid)
        };
        let html = page(&v, "en").into_string();
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<script") && !html.contains("<img"));
    }

    #[test]
    fn the_not_found_page_says_only_that() {
        let html = not_found_page("en").into_string();
        assert!(html.contains(r#"<html lang="en">"#));
        assert!(html.contains("No certificate has this code"));
        assert!(!html.contains("<dl") && !html.contains("data-status"));
        assert_self_contained(&html);
        let html = not_found_page("sl-SI").into_string();
        assert!(html.contains(r#"<html lang="sl">"#));
        assert!(html.contains("Noben certifikat nima te kode"));
        assert_eq!(not_found_page("en").into_string(), not_found_page("fr").into_string());
    }

    #[test]
    fn the_json_has_exactly_the_six_public_keys() {
        let json = serde_json::to_value(verification(CertificateStatus::Expired)).unwrap();
        let object = json.as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["code", "expiresAt", "holderName", "issuedAt", "moduleTitle", "status"]);
        assert_eq!(json["code"], "28T5-CY4T-QKFF");
        assert_eq!(json["status"], "expired");
        assert_eq!(json["issuedAt"], "2025-11-30T23:59:00Z");
        let never = Verification { expires_at: None, ..verification(CertificateStatus::Valid) };
        let json = serde_json::to_value(never).unwrap();
        assert_eq!(json.as_object().unwrap().len(), 6);
        assert!(json["expiresAt"].is_null());
    }

    #[test]
    fn the_policy_allows_nothing() {
        assert!(PAGE_CSP.starts_with("default-src 'none'"));
        for directive in ["base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"] {
            assert!(PAGE_CSP.contains(directive));
        }
        assert!(!PAGE_CSP.contains("unsafe") && !PAGE_CSP.contains("http"));
    }
}
