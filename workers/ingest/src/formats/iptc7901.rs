//! IPTC 7901 (dpa international and other agencies' line wires).
//!
//! Layout: SOH, a header line (`eca062 4 i 211 ccccb dpa 061`: service and sequence, priority,
//! category, word count, ..., source), keyword lines ending in `/`, STX, label lines
//! (`EXTRA`, `REFILE`, `1ST LEAD`), the headline (ending in ` =`), an optional `By ...` line,
//! the body in paragraphs, "The following information is not intended for publication"
//! notes, ETX and a `ddHHMM GMT Mon yy` trailer. Priority 1..6 maps to urgency as is; labels
//! can raise it (EXTRA is 3). There is no id: the guid is derived from the content.

use chrono::{Datelike, TimeZone};

use super::Doc;
use crate::decode::{decode, Fallback};
use crate::text::{clean, plain_paragraphs};
use crate::{urgency, IngestError, Parsed};

/// Parse one IPTC 7901 message.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = decode(doc.bytes, None, Fallback::Windows1252, doc.name)?;
    let text = text.trim_start_matches(['\u{1}', '\u{16}']);
    let stx = text.find('\u{2}').ok_or_else(|| doc.invalid("has no STX (start of text) control character; send the complete message"))?;
    let (header, rest) = text.split_at(stx);
    let rest = &rest[1..];
    let (mut body_part, mut trailer) = rest.split_once('\u{3}').unwrap_or((rest, ""));
    if trailer.trim().is_empty() {
        // No ETX: a last line like `211259 Nov 18` is still the trailer.
        let trimmed = body_part.trim_end();
        let last_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        if trailer_date(&trimmed[last_start..]).is_some() {
            (body_part, trailer) = (&trimmed[..last_start], &trimmed[last_start..]);
        }
    }
    let mut s = doc.story();

    let mut header_lines = header.lines();
    let tokens: Vec<&str> = header_lines.next().unwrap_or_default().split_whitespace().collect();
    s.urgency = tokens.get(1).and_then(|p| urgency::iptc(p));
    s.source = tokens.get(5).map(|t| t.to_string()).filter(|t| t.chars().all(char::is_alphabetic));
    let slug: Vec<String> = header_lines.map(|l| clean(l).trim_end_matches('/').to_string()).filter(|l| !l.is_empty()).collect();
    s.slugline = (!slug.is_empty()).then(|| slug.join("/"));

    let (head_block, body) = split_headline(body_part);
    for line in head_block {
        let l = clean(line.trim_end_matches('='));
        if is_label(&l) {
            if let Some(u) = urgency::label(&l) {
                s.urgency = Some(s.urgency.map_or(u, |x| x.min(u)));
            }
            let upper = l.to_ascii_uppercase();
            s.signals.update |= upper.contains("LEAD") || upper.contains("REFILE") || upper.contains("UPDATE");
            s.signals.correction |= upper.contains("CORRECT");
            s.signals.label = Some(s.signals.label.take().map_or(l.clone(), |prev| format!("{prev} / {l}")));
        } else if l.starts_with("By ") || l.starts_with("Von ") {
            s.byline = Some(l);
        } else if !l.is_empty() {
            s.headline = if s.headline.is_empty() { l } else { format!("{} {l}", s.headline) };
        }
    }
    let marker = ["The following information is not intended for publication", "The following information is not for publication"];
    let (story_text, notebook) = match body.find("\n# Notebook") {
        Some(at) => (&body[..at], Some(&body[at..])),
        None => (body, None),
    };
    let body = story_text;
    let (story_text, note) = match marker.iter().find_map(|m| body.find(m).map(|at| (at, m.len()))) {
        Some((at, len)) => (&body[..at], Some(&body[at + len..])),
        None => (body, None),
    };
    s.body = plain_paragraphs(story_text);
    let notes: Vec<String> = [notebook, note].into_iter().flatten().map(clean).filter(|n| !n.is_empty()).collect();
    s.ednote = (!notes.is_empty()).then(|| notes.join(" / "));
    s.version_created = trailer_date(trailer);
    s.first_created = s.version_created;
    Ok(vec![Parsed::Story(s)])
}

/// The lines up to and including the one ending in `=` (the headline block), and the rest.
fn split_headline(body: &str) -> (Vec<&str>, &str) {
    let mut offset = 0;
    let mut block = Vec::new();
    for (i, line) in body.split_inclusive('\n').enumerate() {
        offset += line.len();
        block.push(line.trim());
        if line.trim_end().ends_with('=') {
            return (block, &body[offset..]);
        }
        if i >= 6 {
            break;
        }
    }
    // No `=` terminator: the first paragraph is the headline block.
    match body.trim_start().split_once("\n\n").or_else(|| body.trim_start().split_once("\r\n\r\n")) {
        Some((head, rest)) => (head.lines().map(str::trim).collect(), rest),
        None => (Vec::new(), body),
    }
}

/// Short all-caps label lines: "EXTRA", "REFILE", "1ST LEAD", "(Achtung)".
fn is_label(l: &str) -> bool {
    let letters: Vec<char> = l.chars().filter(|c| c.is_alphabetic()).collect();
    (!letters.is_empty() && l.len() <= 24 && letters.iter().all(|c| c.is_uppercase())) || (l.starts_with('(') && l.ends_with(')'))
}

/// `212322 GMT Nov 18` -> 2018-11-21T23:22:00Z.
fn trailer_date(trailer: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let t: Vec<&str> = trailer.split_whitespace().collect();
    let stamp = t.first()?;
    if stamp.len() != 6 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: u32 = stamp[..2].parse().ok()?;
    let (h, m): (u32, u32) = (stamp[2..4].parse().ok()?, stamp[4..6].parse().ok()?);
    // `GMT` is optional: `211259 Nov 18` and `212322 GMT Nov 18` both occur.
    let at = t.iter().position(|w| crate::dates::parse_date(&format!("1 {w} 2000")).is_some())?;
    let month = crate::dates::parse_date(&format!("1 {} 2000", t[at]))?.month();
    let year = 2000i32.checked_add(t.get(at + 1)?.parse::<i32>().ok()?)?;
    chrono::Utc.with_ymd_and_hms(year, month, day, h, m, 0).single().map(|d| d.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::trailer_date;

    #[test]
    fn trailer_dates_are_read_and_odd_ones_refused_without_panicking() {
        let d = trailer_date("212322 GMT Nov 18").map(|d| d.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2018-11-21T23:22:00+00:00"));
        // Panicked before (found while triaging a fuzz crash): a year near i32::MAX overflowed
        // `2000 + year`.
        assert_eq!(trailer_date("212322 GMT Nov 2147483647"), None);
    }
}
