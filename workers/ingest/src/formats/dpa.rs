//! dpa digitalwires JSON (the `digitalwires@0.x` entries of dpa's wireQ API).
//!
//! Mapping: `urn` -> guid; `version`; `headline`; `subhead` (else `kicker`) -> subheadline;
//! `article_html` -> body (`linkbox_html` links kept too); `byline`; `dateline` (its place,
//! before "(dpa)", -> located); `language`; `creditline` -> source; `urgency`; `pubstatus`;
//! `signal` and `categories` of type signal -> update/correction; `embargoed`; `ednotes`
//! (embargo and correction notes first) -> ednote; `version_created`, `content_created`;
//! subject and keyword name lists -> keywords. dpa slugs are not carried in this format.

use copydesk_types::PubStatus;
use serde_json::Value;

use super::json_util::{array, get, names, number, string};
use super::{json, Doc};
use crate::dates::{parse_date, parse_utc};
use crate::{IngestError, Parsed};

/// Parse one entry, an array of entries, or a wireQ response with `entries`.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let value: Value = json(doc)?;
    let entries: Vec<&Value> = match &value {
        Value::Array(a) => a.iter().collect(),
        v if get(v, &["entries"]).is_some() => array(v, &["entries"]),
        v => vec![v],
    };
    if entries.is_empty() {
        return Err(doc.invalid("holds no entries; send a digitalwires entry"));
    }
    Ok(entries.into_iter().map(|e| entry(e, doc)).collect())
}

fn entry(v: &Value, doc: &Doc<'_>) -> Parsed {
    let mut s = doc.story();
    s.guid = string(v, &["urn", "entry_id"]).unwrap_or_default();
    s.version = number(v, &["version"]).unwrap_or(1);
    s.headline = string(v, &["headline"]).unwrap_or_default();
    s.subheadline = string(v, &["subhead"]).or_else(|| string(v, &["kicker"]));
    let html = get(v, &["article_html"]).and_then(Value::as_str).unwrap_or_default();
    let (paras, mut links) = crate::text::html_to_paragraphs(html);
    s.body = paras;
    if let Some(linkbox) = get(v, &["linkbox_html"]).and_then(Value::as_str) {
        links.extend(crate::text::html_to_paragraphs(linkbox).1);
    }
    s.links = links;
    s.byline = string(v, &["byline"]);
    s.dateline = string(v, &["dateline"]);
    s.located = s.dateline.as_deref().and_then(|d| d.split('(').next()).and_then(crate::text::clean_opt);
    s.language = string(v, &["language"]);
    s.source = string(v, &["creditline"]).or_else(|| Some("dpa".into()));
    s.urgency = number(v, &["urgency"]).and_then(|u| u8::try_from(u).ok()).filter(|u| (1..=9).contains(u));
    s.pub_status = match string(v, &["pubstatus"]).unwrap_or_default().to_ascii_lowercase().as_str() {
        "canceled" | "cancelled" => PubStatus::Canceled,
        "withheld" => PubStatus::Withheld,
        _ => PubStatus::Usable,
    };
    let mut signals: Vec<String> = string(v, &["signal"]).into_iter().collect();
    signals.extend(
        array(v, &["categories"])
            .into_iter()
            .filter(|c| string(c, &["type"]).is_some_and(|t| t.ends_with("signal")))
            .filter_map(|c| string(c, &["qcode", "name"])),
    );
    for sig in signals {
        let sig = sig.to_ascii_lowercase();
        s.signals.correction |= sig.contains("correction");
        s.signals.update |= sig.contains("update");
    }
    s.embargo = string(v, &["embargoed"]).as_deref().and_then(parse_utc);
    s.ednote = ednote(v);
    s.version_created = string(v, &["version_created", "updated"]).as_deref().and_then(parse_date);
    s.first_created = string(v, &["content_created"]).as_deref().and_then(parse_date).or(s.version_created);
    for list in ["keyword_names", "dpasubject_names", "geosubject_names"] {
        s.keywords.extend(names(v, &[list]));
    }
    Parsed::Story(s)
}

/// Editorial notes, the ones that matter to publishing (embargo, correction) first.
fn ednote(v: &Value) -> Option<String> {
    let mut notes: Vec<(u8, String)> = array(v, &["ednotes"])
        .into_iter()
        .filter_map(|n| {
            let role = string(n, &["role"]).unwrap_or_default();
            let text = string(n, &["ednote"])?;
            let rank = match role.rsplit(':').next().unwrap_or_default() {
                "embargo" | "correction" | "correctionshort" => 0,
                "closingline" => return None,
                _ => 1,
            };
            Some((rank, text))
        })
        .collect();
    notes.sort_by_key(|(r, _)| *r);
    let joined: Vec<String> = notes.into_iter().map(|(_, t)| t).collect();
    (!joined.is_empty()).then(|| joined.join(" / "))
}
