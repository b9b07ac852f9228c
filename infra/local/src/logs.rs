//! The dev server's logs: one readable line per request and per consumed batch, instead of Lambda's JSON
//! lines (`NUDGE_LOG=json make dev` brings those back). Other events print as `LEVEL message key=value`.
//!
//! ```text
//! 19:30:01.204  GET    /workers/{id}                 200    4.1 ms  tenant 01a228c0…  2 DynamoDB calls
//! 19:30:01.950  SQS    SegmentSyncQueue              1 message, 0 failed  38.0 ms
//! ```

use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// Installs the dev subscriber (or the JSON one with `NUDGE_LOG=json`); `RUST_LOG` filters, default info.
pub fn init() {
    if std::env::var("NUDGE_LOG").is_ok_and(|v| v == "json") {
        nudge_core::telemetry::init();
        return;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).event_format(DevLine).try_init();
}

/// One line per event, shaped by what the event is.
pub struct DevLine;

/// An event's fields, in order.
#[derive(Default)]
struct Fields {
    message: String,
    pairs: Vec<(String, String)>,
}

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.pairs.push((field.name().to_owned(), text.trim_matches('"').to_owned()));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.pairs.push((field.name().to_owned(), value.to_owned()));
        }
    }
}

/// `key=value` pairs of the request span (as the fmt layer formatted them).
fn span_value<'a>(span_fields: &'a str, key: &str) -> Option<&'a str> {
    span_fields.split(' ').find_map(|pair| pair.strip_prefix(key)?.strip_prefix('=')).map(|v| v.trim_matches('"'))
}

/// The readable line of an event, given its fields and its request span's fields.
fn line(level: &tracing::Level, fields: &Fields, span: &str) -> String {
    let mut out = String::new();
    match fields.message.as_str() {
        "request done" => {
            let method = span_value(span, "method").unwrap_or("?");
            let route = span_value(span, "route").unwrap_or("?");
            let status = fields.get("status").unwrap_or("?");
            let ms: f64 = fields.get("latency_ms").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let _ = write!(out, "{method:<6} {route:<40} {status}  {ms:>7.1} ms");
            if let Some(tenant) = span_value(span, "tenant_id") {
                let _ = write!(out, "  tenant {}…", tenant.get(..8).unwrap_or(tenant));
            }
            if let Some(calls) = fields.get("ddb_calls").filter(|c| *c != "0") {
                let _ = write!(out, "  {calls} DynamoDB call{}", if calls == "1" { "" } else { "s" });
            }
        }
        "batch consumed" => {
            let queue = fields.get("queue").unwrap_or("?");
            let n: u64 = fields.get("messages").and_then(|v| v.parse().ok()).unwrap_or(0);
            let failed = fields.get("failed").unwrap_or("0");
            let ms: f64 = fields.get("ms").and_then(|v| v.parse().ok()).unwrap_or(0.0);
            let plural = if n == 1 { "" } else { "s" };
            let _ = write!(out, "{:<6} {queue:<40} {n} message{plural}, {failed} failed  {ms:.1} ms", "SQS");
        }
        message => {
            let _ = write!(out, "{level:<6} {message}");
            for (k, v) in &fields.pairs {
                let _ = write!(out, " {k}={v}");
            }
        }
    }
    out
}

impl<S, N> FormatEvent<S, N> for DevLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let span = ctx
            .event_scope()
            .and_then(|scope| scope.from_root().last())
            .and_then(|span| span.extensions().get::<FormattedFields<N>>().map(|f| f.fields.clone()))
            .unwrap_or_default();
        let time = chrono::Utc::now().format("%H:%M:%S%.3f");
        writeln!(writer, "{time}  {}", line(event.metadata().level(), &fields, &span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(message: &str, pairs: &[(&str, &str)]) -> Fields {
        Fields {
            message: message.into(),
            pairs: pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn a_request_is_one_line_with_method_route_status_time_and_tenant() {
        let span = r#"request_id=abc tenant_id=01a228c0-9996-7567-b935-a88edab1da11 method=GET route=/workers/{id}"#;
        let text = line(
            &tracing::Level::INFO,
            &fields("request done", &[("status", "200"), ("latency_ms", "4.12"), ("ddb_calls", "2")]),
            span,
        );
        assert!(text.starts_with("GET    /workers/{id}"), "{text}");
        assert!(text.contains(" 200 ") && text.contains("4.1 ms") && text.contains("tenant 01a228c0…"), "{text}");
        assert!(text.ends_with("2 DynamoDB calls"), "{text}");
    }

    #[test]
    fn a_batch_and_other_events_read_plainly() {
        let text = line(
            &tracing::Level::INFO,
            &fields(
                "batch consumed",
                &[("queue", "SegmentSyncQueue"), ("messages", "1"), ("failed", "0"), ("ms", "38")],
            ),
            "",
        );
        assert_eq!(text, format!("{:<6} {:<40} 1 message, 0 failed  38.0 ms", "SQS", "SegmentSyncQueue"));
        let text = line(&tracing::Level::WARN, &fields("receive failed", &[("queue", "q")]), "");
        assert_eq!(text, "WARN   receive failed queue=q");
    }
}
