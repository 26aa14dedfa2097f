//! IPTC NewsML 1.2 (AFP, ANA-MPE, Business Wire and other 1.x feeds).
//!
//! Mapping per `NewsItem`: `PublicIdentifier` without its revision suffix -> guid;
//! `RevisionId` -> version (and an update signal when it names a previous revision);
//! `NewsLines` -> headline, subheadline, byline, dateline, slugline; `NewsManagement` ->
//! status, urgency, first-created and this-revision-created; `Provider/Party` -> source;
//! `DescriptiveMetadata` -> language, keywords, subjects, located; the main text
//! `ContentItem` (NITF, XHTML or plain) -> body. Components in style, media or caption
//! roles are not body text.

use copydesk_types::{PubStatus, Story, Subject};
use roxmltree::Node;

use super::Doc;
use crate::dates::{parse_date, parse_utc};
use crate::xml::{self, attr, child, find, find_all, find_text};
use crate::{urgency, IngestError, Parsed};

/// Parse a NewsML 1.2 document into one item per `NewsItem`.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = xml::decode_xml(doc)?;
    let tree = xml::parse(&text, doc)?;
    let root = tree.root_element();
    let priority = find(root, "NewsEnvelope").and_then(|e| child(e, "Priority")).and_then(|p| attr(p, "FormalName")).and_then(urgency::iptc);
    let items: Vec<Parsed> = find_all(root, "NewsItem")
        .map(|item| {
            let mut s = doc.story();
            fill_item(item, &mut s);
            s.priority = priority;
            Parsed::Story(s)
        })
        .collect();
    if items.is_empty() {
        return Err(doc.invalid("contains no NewsItem; send the item, not only the envelope"));
    }
    Ok(items)
}

fn formal(n: Option<Node<'_, '_>>) -> Option<String> {
    n.and_then(|n| attr(n, "FormalName")).and_then(crate::text::clean_opt)
}

fn fill_item(item: Node<'_, '_>, s: &mut Story) {
    if let Some(id) = find(item, "NewsIdentifier") {
        fill_identity(id, s);
    }
    s.language = attr(item, "lang").map(str::to_string);
    if let Some(m) = find(item, "NewsManagement") {
        fill_management(m, s);
    }
    if let Some(lines) = find(item, "NewsLines") {
        s.headline = find_text(lines, "HeadLine").unwrap_or_default();
        s.subheadline = find_text(lines, "SubHeadLine");
        s.byline = find_text(lines, "ByLine");
        s.dateline = find_text(lines, "DateLine");
        s.slugline = find_text(lines, "SlugLine");
    }
    s.source = ["Provider", "Source", "Creator"]
        .iter()
        .find_map(|n| find(item, n).and_then(|p| child(p, "Party")).and_then(|p| formal(Some(p))))
        .or_else(|| find(item, "NewsLines").and_then(|l| find_text(l, "CreditLine")));
    for topic in find_all(item, "Topic") {
        let code = child(topic, "FormalName").and_then(xml::text);
        let name = xml::children(topic, "Description")
            .filter(|d| attr(*d, "Variant") == Some("Name"))
            .find(|d| attr(*d, "lang").is_none_or(|l| l.starts_with("en")))
            .and_then(xml::text);
        if let Some(code) = code {
            let code = format!("subj:{code}");
            if !s.subjects.iter().any(|x| x.code == code) {
                s.subjects.push(Subject { code, name });
            }
        }
    }
    if let Some(d) = find(item, "DescriptiveMetadata") {
        fill_descriptive(d, s);
    }
    fill_body(item, s);
}

fn fill_identity(id: Node<'_, '_>, s: &mut Story) {
    let rev = child(id, "RevisionId");
    s.version = rev.and_then(xml::text).and_then(|r| r.parse().ok()).unwrap_or(1);
    let public = find_text(id, "PublicIdentifier");
    s.guid = match public {
        Some(p) => p.strip_suffix(&format!(":{}", s.version)).unwrap_or(&p).to_string(),
        None => [find_text(id, "ProviderId"), find_text(id, "DateId"), find_text(id, "NewsItemId")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(":"),
    };
    if let Some(r) = rev {
        let previous = attr(r, "PreviousRevision").and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(0);
        let update = attr(r, "Update").unwrap_or("N");
        if previous > 0 || !update.eq_ignore_ascii_case("N") {
            s.signals.update = true;
        }
    }
}

fn fill_management(m: Node<'_, '_>, s: &mut Story) {
    s.first_created = find_text(m, "FirstCreated").as_deref().and_then(parse_date);
    s.version_created = find_text(m, "ThisRevisionCreated").as_deref().and_then(parse_date).or(s.first_created);
    s.urgency = formal(child(m, "Urgency")).as_deref().and_then(urgency::iptc);
    let status = formal(child(m, "Status")).unwrap_or_default().to_ascii_lowercase();
    s.pub_status = match status.as_str() {
        "canceled" | "cancelled" | "kill" => PubStatus::Canceled,
        "withheld" => PubStatus::Withheld,
        _ => PubStatus::Usable,
    };
    if status == "embargoed" {
        s.embargo = child(m, "StatusWillChange").and_then(|c| find_text(c, "DateAndTime")).as_deref().and_then(parse_utc);
    }
    // Instructions: "Delete"/"Kill" retract the item, "Rectify"/"Correction" correct it.
    if let Some(instruction) = formal(child(m, "Instruction")) {
        let i = instruction.to_ascii_lowercase();
        if i.contains("delete") || i.contains("kill") {
            s.pub_status = PubStatus::Canceled;
        } else if i.contains("rectify") || i.contains("correct") {
            s.signals.correction = true;
        } else if i.contains("update") {
            s.signals.update = true;
        }
        s.signals.label = Some(instruction);
    }
}

fn fill_descriptive(d: Node<'_, '_>, s: &mut Story) {
    if s.language.is_none() {
        s.language = formal(child(d, "Language"));
    }
    for p in find_all(d, "Property") {
        let name = attr(p, "FormalName").unwrap_or_default();
        if name.eq_ignore_ascii_case("Keyword") || name.ends_with("Keywords") {
            if let Some(v) = attr(p, "Value").and_then(crate::text::clean_opt) {
                s.keywords.push(v);
            }
        }
    }
    for code in ["Subject", "SubjectMatter", "SubjectDetail"].iter().flat_map(|n| find_all(d, n)) {
        if let Some(c) = attr(code, "FormalName") {
            let code = format!("subj:{}", c.trim());
            if !s.subjects.iter().any(|x| x.code == code) {
                s.subjects.push(Subject { code, name: None });
            }
        }
    }
    if let Some(loc) = find(d, "Location") {
        let parts: Vec<&str> = ["City", "CountryArea", "Country"]
            .iter()
            .filter_map(|k| find_all(loc, "Property").find(|p| attr(*p, "FormalName") == Some(*k)).and_then(|p| attr(p, "Value")))
            .collect();
        s.located = (!parts.is_empty()).then(|| parts.join(", "));
    }
}

/// Roles whose components are not the story text.
fn is_side_role(role: &str) -> bool {
    let r = role.to_ascii_lowercase();
    ["stylesheet", "subheadline", "caption", "photo", "picture", "video", "logo", "image", "audio", "graphic", "thumbnail", "preview"]
        .iter()
        .any(|x| r.contains(x))
}

fn fill_body(item: Node<'_, '_>, s: &mut Story) {
    for ci in find_all(item, "ContentItem") {
        let component = ci.ancestors().find(|a| a.tag_name().name() == "NewsComponent");
        let role = component.and_then(|c| child(c, "Role")).and_then(|r| attr(r, "FormalName")).unwrap_or("");
        let media = formal(child(ci, "MediaType")).unwrap_or_default().to_ascii_lowercase();
        let mime = formal(child(ci, "MimeType")).unwrap_or_default().to_ascii_lowercase();
        let textual = media == "text" || (mime.starts_with("text/") && mime != "text/css") || (media.is_empty() && mime.is_empty());
        let Some(data) = child(ci, "DataContent") else { continue };
        if !textual {
            continue;
        }
        let (paras, links) = content_paragraphs(data);
        if role.eq_ignore_ascii_case("SubHeadLine") {
            s.subheadline = s.subheadline.take().or_else(|| paras.first().cloned());
            continue;
        }
        if is_side_role(role) || paras.is_empty() || !s.body.is_empty() {
            continue;
        }
        s.body = paras;
        s.links = links;
    }
}

/// `DataContent` holds NITF, XHTML, bare `<p>`s, or escaped/plain text.
fn content_paragraphs(data: Node<'_, '_>) -> (Vec<String>, Vec<copydesk_types::Link>) {
    if data.children().any(|n| n.is_element()) {
        let inner = find(data, "body.content").or_else(|| find(data, "body")).unwrap_or(data);
        xml::paragraphs(inner)
    } else {
        crate::text::any_to_paragraphs(data.text().unwrap_or_default())
    }
}
