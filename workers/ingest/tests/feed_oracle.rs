//! Cross-check of our RSS/Atom mapping against feed-rs, the well-kept Rust feed parser, over
//! every feed in the real-world corpus (`$COPYDESK_DATA_DIR/wire/{rss,atom}`, skipped with a
//! message when absent) and our own feed fixtures.
//!
//! Where feed-rs reads a feed, both must agree on the number of items, each item's title, link
//! and id, and every timestamp feed-rs found. Where feed-rs reads less (it refuses AP's
//! `sATOM` wrapper with NITF payloads and ignores the lowercase `<pubdate>` some feeds send),
//! ours must read at least as much; the test prints what feed-rs missed or misread.

use std::path::{Path, PathBuf};

use chrono::Datelike;
use copydesk_ingest::{parse_document, IngestConfig, Parsed, Story};

fn feed_files() -> Vec<PathBuf> {
    let base = std::env::var("COPYDESK_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let mut files = Vec::new();
    for dir in ["rss", "atom"] {
        match std::fs::read_dir(base.join("wire").join(dir)) {
            Ok(rd) => files.extend(rd.filter_map(Result::ok).map(|e| e.path())),
            Err(_) => eprintln!("skipped: no {dir} corpus under {} (set COPYDESK_DATA_DIR)", base.display()),
        }
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    files.extend(["rss1.rdf", "atom-nitf.xml"].iter().map(|f| fixtures.join(f)));
    files.sort();
    files
}

/// Our items in document order: stories, and `None` for items skipped with a reason (feed
/// items without body text).
fn ours(path: &Path, bytes: &[u8]) -> Vec<Option<Story>> {
    let items = parse_document(bytes, &path.display().to_string(), &IngestConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    items
        .into_iter()
        .map(|p| match p {
            Parsed::Story(s) => Some(s),
            Parsed::Skipped { reason, .. } => {
                assert!(!reason.is_empty(), "{}: a skip without a reason", path.display());
                None
            }
        })
        .collect()
}

/// Titles compared as words: feed-rs hands back `type="html"` titles as HTML (entities such
/// as `&#8220;` and markup kept) where we reduce them to text, so entities and tags are
/// dropped on both sides before comparing.
fn words(s: &str) -> String {
    let mut plain = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<']) {
        plain.push_str(&rest[..i]);
        let close = if rest[i..].starts_with('&') { ';' } else { '>' };
        match rest[i..].find(close).filter(|&j| j <= 12 || close == '>') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                plain.push(' ');
                rest = &rest[i + 1..];
            }
        }
        plain.push(' ');
    }
    plain.push_str(rest);
    plain.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[test]
fn our_feed_mapping_agrees_with_feed_rs_wherever_feed_rs_reads_the_feed() {
    let (mut compared, mut skipped, mut dates_only_ours) = (0usize, 0usize, 0usize);
    for path in feed_files() {
        let bytes = std::fs::read(&path).expect("read");
        let mine = ours(&path, &bytes);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let theirs = match feed_rs::parser::parse(&bytes[..]) {
            Ok(f) => f,
            Err(e) => {
                assert!(!mine.is_empty(), "{name}: neither parser reads it");
                eprintln!("{name}: feed-rs refuses it ({e}); we read {} item(s)", mine.len());
                continue;
            }
        };
        assert_eq!(mine.len(), theirs.entries.len(), "{name}: item count");
        for (i, (s, e)) in mine.iter().zip(&theirs.entries).enumerate() {
            let Some(s) = s else {
                skipped += 1;
                continue;
            };
            let at = format!("{name} item {i}");
            let title = e.title.as_ref().map(|t| words(&t.content)).unwrap_or_default();
            assert_eq!(words(&s.headline), title, "{at}: title");
            if let (Some(uri), Some(link)) = (&s.uri, e.links.first()) {
                assert_eq!(uri.trim(), link.href.trim_end_matches('/').trim().to_string() + if uri.trim().ends_with('/') { "/" } else { "" }, "{at}: link");
            }
            // feed-rs: published (RSS pubDate, Atom published) and updated; ours: first_created
            // and version_created (each falling back to the other).
            let pairs = [(e.published, s.first_created, "published"), (e.updated, s.version_created, "updated")];
            for (t, o, what) in pairs {
                match (t, o) {
                    // feed-rs reads "mer, 16 nov 2022 00:38:15 +0100" (Italian names) as the
                    // year 100; such dates are its misreadings, not a disagreement.
                    (Some(t), Some(o)) if t.year() < 1970 => {
                        eprintln!("{at}: feed-rs misread the {what} date as {t}; we read {o}");
                        assert!(o.year() >= 1970, "{at}: we misread it too");
                    }
                    (Some(t), Some(o)) => assert_eq!(t, o.with_timezone(&chrono::Utc), "{at}: {what} timestamp"),
                    (Some(t), None) => panic!("{at}: feed-rs found the {what} date {t} and we did not"),
                    _ => {}
                }
            }
            if e.published.or(e.updated).is_none() && s.version_created.is_some() {
                dates_only_ours += 1;
            }
            compared += 1;
        }
    }
    eprintln!("compared {compared} items with feed-rs ({skipped} more skipped by us for want of a body); {dates_only_ours} dates read by us and not by feed-rs");
    assert!(compared > 0, "the fixtures alone give items to compare");
}
