//! One story's path through the stages: W3C Trace Context (`traceparent`) in AMQP headers.
//!
//! A source (drop folder, feed, push) starts a trace for each story it publishes; every stage
//! that consumes a message continues that trace with a span of its own, puts the trace id in
//! every log line of the message (the `trace_id` field of the `message` span), passes a child
//! `traceparent` to its outputs and to dead letters, and appends itself to the path header
//! ([`H_PATH`]): `stage@time` entries, oldest first, that the console shows as the story's path.
//! When `[telemetry] otlp_endpoint` is set, each stage's span is also exported ([`crate::otlp`]).

use crate::publisher::Outgoing;

/// The W3C Trace Context header.
pub const TRACEPARENT: &str = "traceparent";
/// The stages a story went through with the time each handled it: `ingest@2026-...Z,extract@...`.
pub const H_PATH: &str = "x-copydesk-path";
/// The trace id, in plain sight on dead letters (also inside `traceparent`).
pub const H_TRACE_ID: &str = "x-copydesk-trace-id";

/// Longest path header kept (a message replayed many times keeps its latest entries).
const MAX_PATH: usize = 2000;

/// A trace context: 16-byte trace id and 8-byte span id, as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 hex digits.
    pub trace_id: String,
    /// 16 hex digits: the span that sent the message (the parent of the receiver's span).
    pub span_id: String,
    /// The sampled flag.
    pub sampled: bool,
}

fn random_hex(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes * 2);
    while out.len() < bytes * 2 {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(bytes * 2);
    out
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) && s.bytes().any(|b| b != b'0')
}

impl TraceContext {
    /// A new trace (a story entering the pipeline).
    pub fn new_root() -> Self {
        TraceContext { trace_id: random_hex(16), span_id: random_hex(8), sampled: true }
    }

    /// Parse a `traceparent` value (version 00 and later versions' first four fields); `None`
    /// for anything malformed, as the spec asks (the receiver then starts a new trace).
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.trim().split('-');
        let (version, trace_id, span_id, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version.len() != 2 || version == "ff" || !version.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        if version == "00" && parts.next().is_some() {
            return None;
        }
        if !is_hex(trace_id, 32) || !is_hex(span_id, 16) || flags.len() != 2 {
            return None;
        }
        let flags = u8::from_str_radix(flags, 16).ok()?;
        Some(TraceContext { trace_id: trace_id.into(), span_id: span_id.into(), sampled: flags & 1 == 1 })
    }

    /// The same trace with a new span (this stage's), whose parent is `self`.
    pub fn child(&self) -> Self {
        TraceContext { trace_id: self.trace_id.clone(), span_id: random_hex(8), sampled: self.sampled }
    }

    /// The header value.
    pub fn header(&self) -> String {
        format!("00-{}-{}-{:02x}", self.trace_id, self.span_id, u8::from(self.sampled))
    }
}

/// One stage's entry in the path header.
pub fn path_entry(stage: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{stage}@{}", at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// `path` with `entry` appended (the oldest entries dropped past [`MAX_PATH`] characters).
pub fn extend_path(path: Option<&str>, entry: &str) -> String {
    let mut out = match path.filter(|p| !p.is_empty()) {
        Some(p) => format!("{p},{entry}"),
        None => entry.to_string(),
    };
    while out.len() > MAX_PATH {
        match out.find(',') {
            Some(i) => out.drain(..=i),
            None => break,
        };
    }
    out
}

/// A parsed path: (stage, time) per entry, oldest first; unparseable entries are skipped.
pub fn parse_path(path: &str) -> Vec<(String, chrono::DateTime<chrono::FixedOffset>)> {
    path.split(',')
        .filter_map(|e| {
            let (stage, at) = e.trim().split_once('@')?;
            Some((stage.to_string(), chrono::DateTime::parse_from_rfc3339(at).ok()?))
        })
        .collect()
}

/// Stamp a message sent on behalf of `span` (the stage's span): its `traceparent` names `span`
/// as the parent, and its path gets `stage@now` appended to `path`.
pub fn stamp(message: &mut Outgoing, span: &TraceContext, path: Option<&str>, stage: &str) {
    let entry = path_entry(stage, chrono::Utc::now());
    let next = extend_path(path, &entry);
    for (key, value) in [(TRACEPARENT, span.header()), (H_PATH, next)] {
        message.headers.insert(key.into(), lapin::types::AMQPValue::LongString(value.into_bytes().into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example_and_rejects_malformed_values() {
        let t = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").expect("valid");
        assert_eq!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(t.span_id, "00f067aa0ba902b7");
        assert!(t.sampled);
        assert_eq!(t.header(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert_eq!(TraceContext::parse(bad), None, "{bad}");
        }
        // A later version may carry more fields.
        assert!(TraceContext::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-x").is_some_and(|t| !t.sampled));
    }

    #[test]
    fn a_child_keeps_the_trace_and_gets_a_new_span() {
        let root = TraceContext::new_root();
        let child = root.child();
        assert_eq!(child.trace_id, root.trace_id);
        assert_ne!(child.span_id, root.span_id);
        assert_eq!(TraceContext::parse(&child.header()), Some(child));
    }

    #[test]
    fn the_path_grows_oldest_first_and_stays_bounded() {
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z").expect("time").with_timezone(&chrono::Utc);
        let p = extend_path(None, &path_entry("ingest", t0));
        let p = extend_path(Some(&p), &path_entry("extract", t0 + chrono::Duration::milliseconds(250)));
        let parsed = parse_path(&p);
        assert_eq!(parsed.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), ["ingest", "extract"]);
        assert_eq!((parsed[1].1 - parsed[0].1).num_milliseconds(), 250);
        let mut long = String::new();
        for _ in 0..200 {
            long = extend_path(Some(&long), &path_entry("publish", t0));
        }
        assert!(long.len() <= MAX_PATH && long.starts_with("publish@"), "{}", long.len());
    }

    #[test]
    fn stamping_sets_both_headers() {
        let span = TraceContext::new_root();
        let mut m = Outgoing::to_queue("q", b"x".to_vec());
        stamp(&mut m, &span, Some("ingest@2026-01-02T03:04:05.000Z"), "extract");
        let text = |k: &str| m.headers.inner().get(&lapin::types::ShortString::from(k)).map(crate::worker::header_text);
        assert_eq!(text(TRACEPARENT), Some(span.header()));
        assert!(text(H_PATH).is_some_and(|p| p.starts_with("ingest@2026-01-02T03:04:05.000Z,extract@")));
    }
}
