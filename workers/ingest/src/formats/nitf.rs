//! NITF 3.x, including the AP, AAP/AFP, EFE, PA and NTB variants.
//!
//! Mapping: `doc-id@id-string` -> guid; `hl1` (else `title`) -> headline; `hl2` -> subheadline;
//! `byline` (+ `byttl`) -> byline; `dateline`/`location`/`evloc` -> dateline and located;
//! `urgency@ed-urg` (else an ANPA priority meta) -> urgency; `docdata@management-status` ->
//! pub status (`canceled` is a kill, `withheld` withheld, `embargoed` usable with embargo);
//! `management-doc-idref` -> refers_to; `date.release` later than `date.issue` -> embargo;
//! `tobject.subject` -> subjects; `key-list` -> keywords; `ed-msg` -> ednote.

use copydesk_types::{PubStatus, SourceFormat, Story, Subject};
use roxmltree::Node;

use super::Doc;
use crate::dates::parse_date;
use crate::xml::{self, attr, child, find, find_all, find_text};
use crate::{urgency, IngestError, Parsed};

/// Parse a NITF document.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = xml::decode_xml(doc)?;
    let tree = xml::parse(&text, doc)?;
    let root = tree.root_element();
    let mut s = doc.story();
    fill_from_nitf(root, &mut s);
    Ok(vec![Parsed::Story(s)])
}

/// Fill a story from a `<nitf>` element (also used for NITF inside Atom and ninjs).
pub(crate) fn fill_from_nitf(nitf: Node<'_, '_>, s: &mut Story) {
    let head = child(nitf, "head");
    let body = child(nitf, "body");
    let docdata = head.and_then(|h| child(h, "docdata"));
    let body_head = body.and_then(|b| child(b, "body.head"));

    if let Some(id) = docdata.and_then(|d| child(d, "doc-id")) {
        if let Some(v) = attr(id, "id-string") {
            s.guid = v.to_string();
        }
        s.source = attr(id, "regsrc").map(str::to_string);
    }
    if let Some(v) = docdata.and_then(|d| child(d, "du-key")).and_then(|k| attr(k, "version")) {
        s.version = v.trim().parse().unwrap_or(1);
    }
    s.headline = body_head
        .and_then(|b| find(b, "hl1"))
        .and_then(xml::text)
        .or_else(|| head.and_then(|h| find_text(h, "title")))
        .unwrap_or_default();
    s.subheadline = body_head.and_then(|b| find(b, "hl2")).and_then(xml::text);
    s.byline = body_head.and_then(|b| child(b, "byline")).and_then(byline);
    fill_dateline(body_head, docdata, s);
    s.language = attr(nitf, "baselang")
        .or_else(|| attr(nitf, "lang"))
        .or_else(|| body.and_then(|b| attr(b, "lang")))
        .map(str::to_string);
    fill_head_meta(head, s);
    if let Some(d) = docdata {
        fill_docdata(d, s);
    }
    if s.source.is_none() {
        s.source = docdata
            .and_then(|d| child(d, "doc.copyright"))
            .and_then(|c| attr(c, "holder"))
            .map(str::to_string)
            .or_else(|| body_head.and_then(|b| find_text(b, "distributor")));
    }
    if let Some(content) = body.and_then(|b| child(b, "body.content")) {
        let (paras, links) = xml::paragraphs(content);
        s.body = paras;
        s.links = links;
    }
}

/// "By NEIL SHAW" + `<byttl>Associated Press</byttl>` -> "By NEIL SHAW, Associated Press";
/// `By <person>Ann Lee</person>` stays inline ("By Ann Lee"); each title follows a comma.
fn byline(node: Node<'_, '_>) -> Option<String> {
    let mut names = String::new();
    let mut titles = Vec::new();
    for n in node.children() {
        if n.is_element() && n.tag_name().name().eq_ignore_ascii_case("byttl") {
            titles.extend(xml::text(n));
        } else if let Some(t) = if n.is_text() { n.text().map(str::to_string) } else { xml::text(n) } {
            xml::push_text(&mut names, &t);
        }
    }
    let mut out = crate::text::clean(&names);
    for t in titles {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&t);
    }
    crate::text::clean_opt(&out)
}

fn fill_dateline(body_head: Option<Node<'_, '_>>, docdata: Option<Node<'_, '_>>, s: &mut Story) {
    let dateline = body_head.and_then(|b| child(b, "dateline"));
    s.dateline = dateline.and_then(xml::text);
    s.located = dateline.and_then(|d| find_text(d, "location")).or_else(|| {
        let ev = docdata.and_then(|d| child(d, "evloc"))?;
        let parts: Vec<&str> = ["city", "state-prov", "country", "iso-cc"].iter().filter_map(|a| attr(ev, a)).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    });
}

/// `<meta>` pairs, `tobject.subject` codes and the key list.
fn fill_head_meta(head: Option<Node<'_, '_>>, s: &mut Story) {
    let Some(head) = head else { return };
    for meta in xml::children(head, "meta") {
        let (Some(name), Some(content)) = (attr(meta, "name"), attr(meta, "content")) else { continue };
        match name.to_ascii_lowercase().as_str() {
            "anpa-keyword" | "slugline" | "keyword" if s.slugline.is_none() => s.slugline = Some(content.to_string()),
            "anpa-priority" | "prioridad" | "priority" if s.urgency.is_none() => {
                s.urgency = urgency::anpa(content).or_else(|| urgency::iptc(content));
            }
            _ => {}
        }
    }
    for subj in find_all(head, "tobject.subject") {
        let Some(code) = attr(subj, "tobject.subject.refnum") else { continue };
        let name = ["tobject.subject.detail", "tobject.subject.matter", "tobject.subject.type"]
            .iter()
            .find_map(|a| attr(subj, a))
            .map(str::to_string);
        s.subjects.push(Subject { code: format!("subj:{}", code.trim()), name });
    }
}

fn fill_docdata(d: Node<'_, '_>, s: &mut Story) {
    if let Some(u) = child(d, "urgency").and_then(|u| attr(u, "ed-urg")) {
        s.urgency = urgency::iptc(u).or(s.urgency);
    }
    for kw in find_all(d, "keyword") {
        if let Some(k) = attr(kw, "key") {
            s.keywords.push(k.trim().to_string());
        }
    }
    if let Some(key) = child(d, "du-key").and_then(|k| attr(k, "key")) {
        s.slugline.get_or_insert_with(|| key.to_string());
    }
    let note = child(d, "ed-msg").and_then(|m| attr(m, "info")).and_then(crate::text::clean_opt);
    s.ednote = note;
    let issue = child(d, "date.issue").and_then(|n| attr(n, "norm")).and_then(parse_date);
    let release = child(d, "date.release").and_then(|n| attr(n, "norm")).and_then(parse_date);
    s.first_created = issue;
    s.version_created = issue;
    let status = attr(d, "management-status").unwrap_or("usable").trim().to_ascii_lowercase();
    s.pub_status = match status.as_str() {
        "canceled" | "cancelled" => PubStatus::Canceled,
        "withheld" => PubStatus::Withheld,
        _ => PubStatus::Usable,
    };
    let embargoed = status == "embargoed" || matches!((issue, release), (Some(i), Some(r)) if r > i);
    if embargoed {
        s.embargo = release.map(|r| r.with_timezone(&chrono::Utc));
    }
    if let Some(idref) = attr(d, "management-doc-idref").and_then(crate::text::clean_opt) {
        s.signals.refers_to = Some(idref);
        s.signals.update = s.pub_status == PubStatus::Usable;
    }
}

/// Parse a NITF fragment embedded in another format (Atom content, ninjs `body_nitf`), under the
/// same guards as a whole document: a fragment with a DOCTYPE, nested deeper than the default
/// `ingest.max_xml_depth` or with more nodes than `ingest.max_xml_nodes` is not parsed (roxmltree
/// recurses while building a tree, so 100,000 nested elements would overflow the stack).
pub(crate) fn story_from_nitf_text(text: &str, format: SourceFormat) -> Option<Story> {
    let limits = crate::IngestConfig::default();
    crate::xml::check_depth(text, limits.max_xml_depth).ok()?;
    let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: limits.max_xml_nodes };
    let tree = roxmltree::Document::parse_with_options(text, opts).ok()?;
    let nitf = find(tree.root_element(), "nitf")?;
    let mut s = Story::new(String::new(), String::new(), Vec::new());
    s.format = format;
    fill_from_nitf(nitf, &mut s);
    Some(s)
}
