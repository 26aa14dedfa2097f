//! IPTC NewsML-G2: `newsMessage` envelopes, bare `newsItem`s, and `packageItem`s.
//!
//! Mapping per newsItem: `@guid`/`@version`; `itemMeta` -> versionCreated, firstCreated,
//! pubStatus (`stat:canceled` kill, `stat:withheld`), embargoed (only when it holds a date),
//! edNote, signals (`sig:update`, `sig:correction`, `edStat:C`, writethru labels), provider;
//! `contentMeta` -> urgency, headline (rank 1) and subheadline, slugline, by, dateline,
//! located, language, keyword, subject, infoSource/creator; `inlineXML` (XHTML) or
//! `inlineData` -> body. A package with no text item in the same document is skipped.

use copydesk_types::{PubStatus, Story, Subject};
use roxmltree::Node;

use super::Doc;
use crate::dates::{parse_date, parse_utc};
use crate::text::{clean_opt, plain_paragraphs};
use crate::xml::{self, attr, child, children, find, find_all};
use crate::{urgency, IngestError, Parsed};

/// Parse a NewsML-G2 document into one item per `newsItem`.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = xml::decode_xml(doc)?;
    let tree = xml::parse(&text, doc)?;
    let root = tree.root_element();
    let priority = find(root, "header").and_then(|h| child(h, "priority")).and_then(xml::text);
    let mut out = Vec::new();
    for item in find_all(root, "newsItem") {
        let class = find(item, "itemClass").and_then(|c| attr(c, "qcode")).unwrap_or("icls:text");
        if !(class.ends_with("text") || class.ends_with("composite")) {
            let id = attr(item, "guid").map(str::to_string);
            out.push(Parsed::Skipped { id, reason: format!("non-text news item ({class})") });
            continue;
        }
        let mut s = doc.story();
        fill_item(item, &mut s);
        s.priority = priority.as_deref().and_then(urgency::iptc);
        out.push(Parsed::Story(s));
    }
    if out.is_empty() {
        let packages: Vec<Node<'_, '_>> = find_all(root, "packageItem").collect();
        if packages.is_empty() {
            return Err(doc.invalid("contains no newsItem or packageItem; send the item itself, not only its envelope"));
        }
        for p in packages {
            let refs = find_all(p, "itemRef").count();
            out.push(Parsed::Skipped {
                id: attr(p, "guid").map(str::to_string),
                reason: format!("package item referencing {refs} items that are not in this document"),
            });
        }
    }
    Ok(out)
}

fn fill_item(item: Node<'_, '_>, s: &mut Story) {
    s.guid = attr(item, "guid").unwrap_or_default().to_string();
    s.version = attr(item, "version").and_then(|v| v.trim().parse().ok()).unwrap_or(1);
    s.language = attr(item, "lang").map(str::to_string);
    if let Some(meta) = child(item, "itemMeta") {
        fill_item_meta(meta, s);
    }
    if let Some(cm) = child(item, "contentMeta") {
        fill_content_meta(cm, s);
    }
    if let Some(set) = child(item, "contentSet") {
        fill_body(set, s);
    }
}

fn fill_item_meta(meta: Node<'_, '_>, s: &mut Story) {
    s.version_created = xml::find_text(meta, "versionCreated").as_deref().and_then(parse_date);
    s.first_created = xml::find_text(meta, "firstCreated").as_deref().and_then(parse_date).or(s.version_created);
    let status = child(meta, "pubStatus").and_then(|p| attr(p, "qcode")).unwrap_or("stat:usable").to_ascii_lowercase();
    s.pub_status = if status.ends_with("canceled") || status.ends_with("cancelled") {
        PubStatus::Canceled
    } else if status.ends_with("withheld") {
        PubStatus::Withheld
    } else {
        PubStatus::Usable
    };
    // An empty <embargoed/> means "not embargoed" (Scoop sends one on every item).
    s.embargo = child(meta, "embargoed").and_then(xml::text).as_deref().and_then(parse_utc);
    let notes: Vec<String> = children(meta, "edNote").filter_map(xml::text).collect();
    s.ednote = (!notes.is_empty()).then(|| notes.join(" / "));
    for sig in children(meta, "signal").filter_map(|n| attr(n, "qcode")) {
        let q = sig.to_ascii_lowercase();
        match q.as_str() {
            "sig:update" | "edstat:u" => s.signals.update = true,
            "sig:correction" | "edstat:c" => s.signals.correction = true,
            _ if q.starts_with("update:") => s.signals.update = true,
            _ if q.contains("writethru") => s.signals.writethru = true,
            _ if q.ends_with(":correction") => s.signals.correction = true,
            _ => {}
        }
    }
    s.source = child(meta, "provider").and_then(party_name);
    // A link to the previous version (STT: bare `guidref`; others: rel irel:previousVersion).
    let previous = children(meta, "link").find(|l| {
        let rel = attr(*l, "rel").unwrap_or_default().to_ascii_lowercase();
        rel.contains("previous") || (rel.is_empty() && attr(*l, "guidref").is_some())
    });
    if let Some(link) = previous {
        s.signals.refers_to = attr(link, "guidref").or_else(|| attr(link, "residref")).or_else(|| attr(link, "href")).map(str::to_string);
    }
}

/// A party's name: `literal`, else a `<name>` child, else the qcode's code part.
fn party_name(n: Node<'_, '_>) -> Option<String> {
    attr(n, "literal")
        .and_then(clean_opt)
        .or_else(|| child(n, "name").and_then(xml::text))
        .or_else(|| attr(n, "qcode").map(|q| q.rsplit(':').next().unwrap_or(q).to_string()))
}

fn fill_content_meta(cm: Node<'_, '_>, s: &mut Story) {
    s.urgency = child(cm, "urgency").and_then(xml::text).as_deref().and_then(urgency::iptc);
    let heads: Vec<Node<'_, '_>> = children(cm, "headline").collect();
    let is_sub = |n: &Node<'_, '_>| attr(*n, "role").is_some_and(|r| r.to_ascii_lowercase().contains("sub"));
    s.headline = heads.iter().find(|n| !is_sub(n)).and_then(|n| xml::text(*n)).unwrap_or_default();
    s.subheadline = heads
        .iter()
        .find(|n| is_sub(n))
        .and_then(|n| xml::text(*n))
        .or_else(|| child(cm, "subheadline").and_then(xml::text))
        .filter(|sub| *sub != s.headline);
    s.slugline = child(cm, "slugline").and_then(xml::text);
    s.byline = children(cm, "by").next().and_then(xml::text).or_else(|| child(cm, "byline").and_then(xml::text));
    s.dateline = child(cm, "dateline").and_then(xml::text);
    s.located = child(cm, "located").and_then(party_name);
    if s.language.is_none() {
        s.language = child(cm, "language").and_then(|l| attr(l, "tag")).map(str::to_string);
    }
    s.keywords = children(cm, "keyword").filter_map(xml::text).collect();
    for subj in children(cm, "subject") {
        let code = attr(subj, "qcode").or_else(|| attr(subj, "uri"));
        if let Some(code) = code {
            let name = child(subj, "name").and_then(xml::text);
            s.subjects.push(Subject { code: code.trim().to_string(), name });
        }
    }
    if s.source.is_none() || s.source.as_deref().is_some_and(|p| p.contains('.')) {
        // "reuters.com" as provider: the infoSource or creator names the agency better.
        let better = children(cm, "infoSource").chain(children(cm, "creator")).find_map(party_name);
        if better.is_some() {
            s.source = better;
        }
    }
}

fn fill_body(set: Node<'_, '_>, s: &mut Story) {
    if let Some(inline) = child(set, "inlineXML") {
        let body = find(inline, "body").unwrap_or(inline);
        let (paras, links) = xml::paragraphs(body);
        s.body = paras;
        s.links = links;
    } else if let Some(data) = child(set, "inlineData").and_then(|d| d.text()) {
        let (paras, links) = crate::text::any_to_paragraphs(data);
        s.body = if paras.is_empty() { plain_paragraphs(data) } else { paras };
        s.links = links;
    }
}
