//! Conformance over the real-world sample corpus (`$COPYDESK_DATA_DIR/wire`, default
//! `../shared/data` relative to the repo root). Skipped with a message when the corpus is absent.
//!
//! Every file must parse; every story needs a guid, a headline, a body (kills excepted) and the
//! format its folder names. Files whose MANIFEST notes call them non-story items must come out
//! skipped with a reason. The lifecycle samples named in the corpus README are checked field by
//! field when present.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use copydesk_ingest::{parse_document, IngestConfig, Parsed, SourceFormat, Story};
use copydesk_types::PubStatus;

fn wire_dir() -> Option<PathBuf> {
    let base = std::env::var("COPYDESK_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let wire = base.join("wire");
    wire.is_dir().then_some(wire)
}

fn expected_formats(folder: &str) -> &'static [SourceFormat] {
    match folder {
        "nitf" => &[SourceFormat::Nitf],
        "newsml-g2" => &[SourceFormat::NewsmlG2],
        "newsml-1.2" => &[SourceFormat::Newsml12],
        "ninjs" => &[SourceFormat::Ninjs],
        "anpa-1312" => &[SourceFormat::Anpa1312],
        "iptc7901" => &[SourceFormat::Iptc7901],
        "rss" => &[SourceFormat::Rss2, SourceFormat::Rss1],
        "atom" => &[SourceFormat::Atom],
        "ap-media-json" => &[SourceFormat::ApMediaJson],
        "dpa-digitalwires" => &[SourceFormat::DpaDigitalwires],
        _ => &[],
    }
}

/// MANIFEST notes by local path, to find the non-story samples without naming them.
fn manifest_notes(wire: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(wire.join("MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((cols.first()?.to_string(), cols.last()?.to_lowercase()))
        })
        .collect()
}

fn corpus() -> Option<Vec<(String, Vec<Parsed>)>> {
    let mut failures = Vec::new();
    let Some(wire) = wire_dir() else {
        eprintln!("skipped: no wire corpus (set COPYDESK_DATA_DIR to the folder holding wire/)");
        return None;
    };
    let mut out = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir(&wire).expect("list wire").filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    for folder in folders {
        let mut files: Vec<_> = std::fs::read_dir(&folder).expect("list").filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let local = file.strip_prefix(&wire).expect("prefix").to_string_lossy().into_owned();
            let bytes = std::fs::read(&file).expect("read");
            let name = file.file_name().expect("name").to_string_lossy().into_owned();
            match parse_document(&bytes, &name, &IngestConfig::default()) {
                Ok(items) => out.push((local, items)),
                Err(e) => failures.push(format!("{local}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "files that failed to parse:\n{}", failures.join("\n"));
    Some(out)
}

fn stories_of(items: &[Parsed]) -> Vec<&Story> {
    items.iter().filter_map(|p| if let Parsed::Story(s) = p { Some(s) } else { None }).collect()
}

#[test]
fn every_story_file_yields_complete_stories_in_the_right_format() {
    let Some(corpus) = corpus() else { return };
    let notes = wire_dir().map(|w| manifest_notes(&w)).unwrap_or_default();
    for (local, items) in &corpus {
        let folder = local.split('/').next().unwrap_or_default();
        let note = notes.get(local).cloned().unwrap_or_default();
        let stories = stories_of(items);
        println!("{local}: {} stories, {} skipped", stories.len(), items.len() - stories.len());
        if note.contains("non-story") || note.contains("notice message") {
            assert!(stories.is_empty(), "{local} is a non-story item but produced a story");
            assert!(items.iter().all(|p| matches!(p, Parsed::Skipped { reason, .. } if !reason.is_empty())));
            continue;
        }
        // AP Media items that carry only a headline (their text is in the NITF rendition) are
        // not articles: such a feed page may yield nothing but skips, each with its reason.
        let headline_only = folder == "ap-media-json"
            && items.iter().all(|p| matches!(p, Parsed::Skipped { reason, .. } if reason.contains("not an article")));
        if headline_only {
            continue;
        }
        assert!(!stories.is_empty(), "{local}: no story");
        for s in stories {
            assert!(!s.guid.is_empty(), "{local}: empty guid");
            assert!(!s.headline.is_empty() || s.is_kill(), "{local}: {} has no headline", s.guid);
            assert!(!s.body.is_empty() || s.is_kill(), "{local}: {} has no body", s.guid);
            let want = expected_formats(folder);
            assert!(want.is_empty() || want.contains(&s.format), "{local}: format {:?}", s.format);
            assert_eq!(s.checksum.len(), 64, "{local}: checksum");
        }
    }
}

fn find<'a>(corpus: &'a [(String, Vec<Parsed>)], local: &str) -> Option<Vec<&'a Story>> {
    corpus.iter().find(|(l, _)| l == local).map(|(_, items)| stories_of(items))
}

#[test]
fn lifecycle_samples_named_in_the_readme_carry_the_right_fields() {
    let Some(corpus) = corpus() else { return };
    let first = |local: &str| find(&corpus, local).map(|mut v| v.remove(0).clone());

    let corrected = first("newsml-g2/reuters-L1N14N0FF-v978556838.xml");
    let killed = first("newsml-g2/reuters-L1N14N0FF-v1542761538.xml");
    if let (Some(c), Some(k)) = (&corrected, &killed) {
        assert!(c.signals.correction, "corrected Reuters story");
        assert_eq!(k.pub_status, PubStatus::Canceled, "Reuters kill");
        assert_eq!(c.guid, k.guid, "same guid across versions");
        assert!(k.version > c.version, "kill is the later version");
    }
    if let Some(s) = first("nitf/nitf-fishing.xml") {
        assert_eq!(s.pub_status, PubStatus::Canceled);
        assert!(s.signals.refers_to.is_some(), "kill refers to the prior doc");
    }
    if let Some(s) = first("newsml-g2/dpa-170629-99-43688.xml") {
        assert_eq!(s.version, 5);
        assert!(s.signals.correction);
        assert!(s.ednote.as_deref().unwrap_or_default().contains("Berichtigung") || s.ednote.is_some());
    }
    if let Some(s) = first("dpa-digitalwires/embargoed.json") {
        assert!(s.embargo.is_some(), "dpa embargo");
    }
    if let Some(s) = first("dpa-digitalwires/eil-urgency2.json") {
        assert_eq!(s.urgency, Some(2));
    }
    for f in ["anpa-1312/ap_anpa-1.tst", "anpa-1312/ap_anpa-4.tst"] {
        if let Some(s) = first(f) {
            assert!(s.signals.writethru && s.signals.update, "{f}: writethru");
        }
    }
    if let Some(s) = first("iptc7901/dpa_four_line.txt") {
        assert!(s.signals.update, "REFILE / 1ST LEAD is an update");
    }
    if let Some(s) = first("iptc7901/dpa_two_line.txt") {
        assert!(s.urgency.is_some_and(|u| u <= 3), "EXTRA is urgent: {:?}", s.urgency);
    }
    if let Some(s) = first("newsml-g2/scoop-embargoed.xml") {
        assert!(s.embargo.is_none(), "an empty <embargoed/> is no embargo");
    }
    if let Some(s) = first("dpa-digitalwires/correction-v2.json") {
        assert!(s.signals.correction && s.version == 2);
    }
}
