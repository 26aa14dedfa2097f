//! AP Media API JSON: single `/content` responses, `/content/feed` pages, and collections
//! of responses keyed by item id.
//!
//! AP item JSON is metadata: the text lives in the NITF rendition. Copydesk uses
//! `headline_extended` (else `summary`) as a one-paragraph body and keeps the NITF rendition
//! address in `links`, so a downstream fetch can replace it. An item with a headline and no
//! such text (an agate listing such as "BC-BBN--Top Ten") is not an article: it is skipped
//! with the reason.
//! Mapping: `altids.itemid` -> guid; `version` (0-based) + 1 -> version; `urgency`;
//! `editorialpriority` (ANPA letters) -> priority; `bylines[].by` + `title`; `located`;
//! `provider`; `slugline`; `keywords`; `subject` (category entries left out); `pubstatus`;
//! `signals`; `ednote`; `firstcreated`/`versioncreated`; `embargoed`.

use copydesk_types::{Link, PubStatus, Story, Subject};
use serde_json::Value;

use super::json_util::{array, get, names, number, string};
use super::{json, Doc};
use crate::dates::{parse_date, parse_utc};
use crate::{urgency, IngestError, Parsed};

/// Parse any AP Media API response shape into its items.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let value: Value = json(doc)?;
    let mut items = Vec::new();
    collect_items(&value, &mut items);
    if items.is_empty() {
        return Err(doc.invalid("holds no `item` objects (data.item or data.items[].item); send a /content or /content/feed response"));
    }
    Ok(items.into_iter().map(|v| item(v, doc)).collect())
}

fn collect_items<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(data) = get(v, &["data"]) {
        if let Some(item) = get(data, &["item"]) {
            out.push(item);
        }
        for entry in array(data, &["items"]) {
            out.push(get(entry, &["item"]).unwrap_or(entry));
        }
    } else if get(v, &["altids"]).is_some() {
        out.push(v);
    } else if let Value::Object(map) = v {
        // A collection of responses keyed by item id.
        map.values().filter(|x| x.is_object()).for_each(|x| collect_items(x, out));
    }
}

fn item(v: &Value, doc: &Doc<'_>) -> Parsed {
    let altids = get(v, &["altids"]);
    let guid = altids.and_then(|a| string(a, &["itemid"])).or_else(|| string(v, &["uri"]));
    let kind = string(v, &["type"]).unwrap_or_else(|| "text".into());
    if kind != "text" {
        return Parsed::Skipped { id: guid, reason: format!("non-text AP item (type {kind})") };
    }
    let mut s = doc.story();
    s.guid = guid.unwrap_or_default();
    s.uri = string(v, &["uri"]);
    s.version = number(v, &["version"]).map_or(1, |n| n + 1);
    s.headline = string(v, &["headline", "title"]).unwrap_or_default();
    let Some(abstract_) = string(v, &["headline_extended", "summary", "description_summary"]) else {
        // A headline with nothing under it ("BC-BBN--Top Ten", a listing) is not an article.
        let what = if s.headline.is_empty() { "no headline and no body text".to_string() } else { format!("only a headline ({:?}) and no body text", s.headline) };
        return Parsed::Skipped {
            id: Some(s.guid.clone()).filter(|g| !g.is_empty()),
            reason: format!("AP item has {what} (no headline_extended or summary): not an article; ingest its NITF rendition for the text"),
        };
    };
    s.body = vec![abstract_];
    if let Some(href) = get(v, &["renditions"]).and_then(|r| get(r, &["nitf"])).and_then(|n| string(n, &["href"])) {
        s.links.push(Link { text: "NITF rendition".into(), href });
    }
    s.byline = byline(v);
    s.located = string(v, &["located"]);
    s.language = string(v, &["language"]);
    s.source = string(v, &["provider"]);
    s.slugline = string(v, &["slugline"]);
    s.keywords = names(v, &["keywords"]);
    for subj in array(v, &["subject"]) {
        let category = array(subj, &["rels"]).iter().any(|r| r.as_str() == Some("category"));
        if let (false, Some(code)) = (category, string(subj, &["code"])) {
            s.subjects.push(Subject { code: format!("apcat:{code}"), name: string(subj, &["name"]) });
        }
    }
    s.urgency = number(v, &["urgency"]).and_then(|u| u8::try_from(u).ok()).filter(|u| (1..=9).contains(u));
    s.priority = string(v, &["editorialpriority"]).as_deref().and_then(urgency::anpa);
    fill_status(v, &mut s);
    s.ednote = string(v, &["ednote"]);
    s.version_created = string(v, &["versioncreated"]).as_deref().and_then(parse_date);
    s.first_created = string(v, &["firstcreated"]).as_deref().and_then(parse_date).or(s.version_created);
    s.embargo = string(v, &["embargoed"]).as_deref().and_then(parse_utc);
    Parsed::Story(s)
}

fn byline(v: &Value) -> Option<String> {
    let parts: Vec<String> = array(v, &["bylines"])
        .into_iter()
        .filter_map(|b| {
            let by = string(b, &["by"])?;
            Some(match string(b, &["title"]) {
                Some(t) => format!("{by}, {t}"),
                None => by,
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn fill_status(v: &Value, s: &mut Story) {
    s.pub_status = match string(v, &["pubstatus"]).unwrap_or_default().to_ascii_lowercase().as_str() {
        "canceled" | "cancelled" => PubStatus::Canceled,
        "withheld" | "embargoed" => PubStatus::Withheld,
        _ => PubStatus::Usable,
    };
    for sig in names(v, &["signals"]) {
        let sig = sig.to_ascii_lowercase();
        if sig.contains("correct") {
            s.signals.correction = true;
        } else if sig.contains("update") || sig.contains("writethru") {
            s.signals.update = true;
        } else if sig.contains("withdraw") || sig.contains("kill") {
            s.pub_status = PubStatus::Canceled;
        }
    }
}
