//! IPTC ninjs 1.x to 3.x (keys matched case-insensitively: `versioncreated` and `versionCreated`).
//!
//! Mapping: `uri` (else `guid`) -> guid; `version`; `headline` or `headlines[role=main]`;
//! `headlines[role=sub*]` -> subheadline; `body_html`/`body_xhtml`/`body_text` or `bodies[]`
//! (HTML, then NITF, then text) -> body, else `descriptions[role=text]` (ninjs 3.0 items that
//! carry their text only there, as NTB's do); the first picture in `associations` -> image;
//! `byline`/`by`/`authors` -> byline; `located`;
//! `language`; `source`/`copyrightholder` -> source; `slugline`; `keywords`; `subject(s)`;
//! `urgency`, `priority`; `pubstatus`; `embargoed`; `firstcreated`, `versioncreated`;
//! `ednote`. Items whose `type` is not text or composite are skipped.

use copydesk_types::{PubStatus, SourceFormat, Story, Subject};
use serde_json::Value;

use super::json_util::{array, get, names, number, string};
use super::{json, Doc};
use crate::dates::{parse_date, parse_utc};
use crate::{urgency, IngestError, Parsed};

/// Parse a ninjs object (or an array of them).
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let value: Value = json(doc)?;
    let items: Vec<&Value> = match &value {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    let out: Vec<Parsed> = items.into_iter().map(|v| item(v, doc.format)).collect();
    if out.is_empty() {
        return Err(doc.invalid("is an empty array; send at least one ninjs item"));
    }
    Ok(out)
}

fn item(v: &Value, format: SourceFormat) -> Parsed {
    let guid = string(v, &["uri", "guid"]);
    let kind = string(v, &["type"]).unwrap_or_else(|| "text".into()).to_ascii_lowercase();
    if !matches!(kind.as_str(), "text" | "composite" | "article") {
        return Parsed::Skipped { id: guid, reason: format!("non-text ninjs item (type {kind})") };
    }
    let mut s = Story::new(guid.clone().unwrap_or_default(), String::new(), Vec::new());
    s.format = format;
    s.uri = guid.filter(|g| g.starts_with("http"));
    s.version = number(v, &["version"]).unwrap_or(1);
    fill_text(v, &mut s);
    fill_meta(v, &mut s);
    Parsed::Story(s)
}

fn fill_text(v: &Value, s: &mut Story) {
    let headlines = array(v, &["headlines"]);
    let role = |h: &Value| string(h, &["role"]).unwrap_or_default().to_ascii_lowercase();
    s.headline = string(v, &["headline"])
        .or_else(|| headlines.iter().find(|h| !role(h).starts_with("sub")).and_then(|h| string(h, &["value"])))
        .or_else(|| string(v, &["title"]))
        .unwrap_or_default();
    s.subheadline = headlines.iter().find(|h| role(h).starts_with("sub")).and_then(|h| string(h, &["value"]));
    let (paras, links) = body(v);
    s.body = paras;
    s.links = links;
    if s.body.is_empty() {
        // ninjs 3.0 items (NTB's) may carry their text only as a description with role "text".
        s.body = description_text(v);
    }
    s.image = picture(v);
    s.byline = string(v, &["byline", "by"]).or_else(|| {
        let authors = names(v, &["authors", "people"]);
        (!authors.is_empty()).then(|| authors.join(", "))
    });
    s.located = match get(v, &["located"]) {
        Some(Value::String(l)) => crate::text::clean_opt(l),
        Some(obj) => string(obj, &["name"]),
        None => None,
    };
    s.ednote = string(v, &["ednote"]);
}

/// Body text from the 1.x fields or the 2.x/3.x `bodies` array; HTML wins over NITF over text.
fn body(v: &Value) -> (Vec<String>, Vec<copydesk_types::Link>) {
    if let Some(html) = string_raw(v, &["body_html", "body_xhtml"]) {
        return crate::text::html_to_paragraphs(&html);
    }
    let bodies = array(v, &["bodies"]);
    let kind = |b: &Value| {
        let r = string(b, &["role", "contentType", "contenttype"]).unwrap_or_default().to_ascii_lowercase();
        let ct = string(b, &["contentType", "contenttype"]).unwrap_or_default().to_ascii_lowercase();
        if r.contains("nitf") || ct.contains("nitf") {
            1
        } else if r.contains("html") || ct.contains("html") {
            0
        } else {
            2
        }
    };
    let mut sorted: Vec<&Value> = bodies;
    sorted.sort_by_key(|b| kind(b));
    for b in sorted {
        let Some(text) = string_raw(b, &["value"]) else { continue };
        let out = match kind(b) {
            1 => super::nitf::story_from_nitf_text(&text, SourceFormat::Ninjs).map(|n| (n.body, n.links)).unwrap_or_default(),
            0 => crate::text::html_to_paragraphs(&text),
            _ => (crate::text::plain_paragraphs(&text), Vec::new()),
        };
        if !out.0.is_empty() {
            return out;
        }
    }
    match string_raw(v, &["body_text"]) {
        Some(t) => (crate::text::plain_paragraphs(&t), Vec::new()),
        None => (Vec::new(), Vec::new()),
    }
}

/// The text of `descriptions`: the one with role `text` (or no role), else any other.
fn description_text(v: &Value) -> Vec<String> {
    let descriptions = array(v, &["descriptions"]);
    let role = |d: &Value| string(d, &["role"]).unwrap_or_default().to_ascii_lowercase();
    let mut ordered: Vec<&Value> = descriptions.iter().copied().filter(|d| matches!(role(d).as_str(), "text" | "")).collect();
    ordered.extend(descriptions.iter().copied().filter(|d| !matches!(role(d).as_str(), "text" | "")));
    for d in ordered {
        let Some(text) = string_raw(d, &["value"]) else { continue };
        let ct = string(d, &["contentType", "contenttype"]).unwrap_or_default().to_ascii_lowercase();
        let paras = if ct.contains("html") { crate::text::html_to_paragraphs(&text).0 } else { crate::text::plain_paragraphs(&text) };
        if !paras.is_empty() {
            return paras;
        }
    }
    string_raw(v, &["description_text"]).map(|t| crate::text::plain_paragraphs(&t)).unwrap_or_default()
}

/// The address of the first associated picture (`associations` as a map (1.x) or a list
/// (2.x/3.x)): its largest rendition's `href`, else its own address.
fn picture(v: &Value) -> Option<String> {
    let assoc = get(v, &["associations"])?;
    let items: Vec<&Value> = match assoc {
        Value::Object(map) => map.values().collect(),
        Value::Array(list) => list.iter().collect(),
        _ => return None,
    };
    let http = |h: String| (h.starts_with("https://") || h.starts_with("http://")).then_some(h);
    for item in items {
        let kind = string(item, &["type"]).unwrap_or_default().to_ascii_lowercase();
        if !matches!(kind.as_str(), "picture" | "image" | "graphic") {
            continue;
        }
        let renditions: Vec<&Value> = match get(item, &["renditions"]) {
            Some(Value::Object(map)) => map.values().collect(),
            Some(Value::Array(list)) => list.iter().collect(),
            _ => Vec::new(),
        };
        let best = renditions
            .into_iter()
            .filter_map(|r| Some((number(r, &["width"]).unwrap_or(0), http(string(r, &["href"])?)?)))
            .max_by_key(|(w, _)| *w)
            .map(|(_, h)| h);
        if let Some(h) = best.or_else(|| string(item, &["uri"]).and_then(http)) {
            return Some(h);
        }
    }
    None
}

/// A string value without whitespace cleaning (bodies keep their line structure).
fn string_raw(v: &Value, keys: &[&str]) -> Option<String> {
    get(v, keys).and_then(Value::as_str).filter(|s| !s.trim().is_empty()).map(str::to_string)
}

fn fill_meta(v: &Value, s: &mut Story) {
    s.language = string(v, &["language"]);
    s.source = string(v, &["source", "copyrightholder", "copyrightHolder", "provider"]);
    s.slugline = string(v, &["slugline"]);
    s.keywords = names(v, &["keywords"]);
    for subj in array(v, &["subject", "subjects"]) {
        if let Some(code) = string(subj, &["code", "qcode", "uri"]) {
            s.subjects.push(Subject { code, name: string(subj, &["name"]) });
        }
    }
    s.urgency = number(v, &["urgency"]).and_then(|u| u8::try_from(u).ok()).filter(|u| (1..=9).contains(u));
    s.priority = number(v, &["priority"]).and_then(|u| u8::try_from(u).ok()).filter(|u| (1..=9).contains(u));
    if s.urgency.is_none() {
        s.urgency = string(v, &["urgency"]).as_deref().and_then(urgency::anpa);
    }
    s.pub_status = match string(v, &["pubstatus", "pubStatus"]).unwrap_or_default().to_ascii_lowercase().as_str() {
        "canceled" | "cancelled" => PubStatus::Canceled,
        "withheld" => PubStatus::Withheld,
        _ => PubStatus::Usable,
    };
    s.embargo = string(v, &["embargoed", "embargo"]).as_deref().and_then(parse_utc);
    s.version_created = string(v, &["versioncreated", "versionCreated"]).as_deref().and_then(parse_date);
    s.first_created = string(v, &["firstcreated", "firstCreated"]).as_deref().and_then(parse_date).or(s.version_created);
}
