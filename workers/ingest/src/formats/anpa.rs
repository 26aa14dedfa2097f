//! ANPA-1312 (AP's legacy wire and its descendants).
//!
//! Layout: SYN SYN SOH, service/sequence (`W2870`), US, selector codes; then
//! `<priority> <category><DC3/DC4><DC1/DC2> <keyword> [version label] <mm-dd> <words>`;
//! STX; `^`-led header lines (slug with word count, headline, photo note, `Eds:` note,
//! byline, agency); TAB-led body paragraphs (` _ ` is AP's em dash); ETX; a trailer
//! `AP-WF-mm-dd-yy HHMMGMT`. Lines end in `<` or `=` (quad left, quad centre).
//! The guid is derived from the keyword and date, and an AP "Nth Ld-Writethru" label becomes
//! version N+1 of that guid, so writethrus arrive as updates of the same story.

use chrono::TimeZone;

use super::Doc;
use crate::decode::{decode, Fallback};
use crate::lifecycle::{lead_number, writethru_label};
use crate::text::clean;
use crate::{urgency, IngestError, Parsed};

/// Parse one ANPA-1312 message.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = decode(doc.bytes, None, Fallback::Windows1252, doc.name)?;
    let stx = text.find('\u{2}').ok_or_else(|| doc.invalid("has no STX (start of text) control character; send the complete message"))?;
    let (header, rest) = text.split_at(stx);
    let (body_part, trailer) = rest[1..].split_once('\u{3}').unwrap_or((&rest[1..], ""));
    let mut s = doc.story();

    let line2 = header.lines().nth(1).unwrap_or_default();
    let printable: String = line2.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let tokens: Vec<&str> = printable.split_whitespace().collect();
    s.urgency = tokens.first().and_then(|p| urgency::anpa(p));
    let keyword = tokens.get(2).copied().unwrap_or_default();
    let label = (tokens.len() > 5).then(|| tokens[3..tokens.len() - 2].join(" "));
    let header_date = tokens.iter().rev().nth(1).copied().unwrap_or_default();

    read_body(body_part, &mut s);
    if let Some(l) = label.as_deref().and_then(writethru_label).or_else(|| s.slugline.as_deref().and_then(writethru_label)) {
        s.version = lead_number(&l).map_or(2, |n| n + 1);
        s.signals.writethru = true;
        s.signals.update = true;
        s.signals.label = Some(l);
    }
    s.version_created = trailer_date(trailer);
    s.first_created = s.version_created;
    let day = s.version_created.map_or_else(|| header_date.to_string(), |d| d.format("%Y-%m-%d").to_string());
    if !keyword.is_empty() {
        s.guid = format!("urn:anpa:{keyword}:{day}");
    }
    s.source = Some(if trailer.contains("AP-") || keyword.starts_with("BC-") || keyword.starts_with("AP-") { "AP".into() } else { "ANPA".into() });
    Ok(vec![Parsed::Story(s)])
}

fn strip_line(l: &str) -> String {
    let t: String = l.chars().filter(|c| !c.is_control() || *c == '\t').collect();
    clean(t.trim_end().trim_end_matches(['<', '=']).trim_end_matches(['<', '=']))
}

/// Header lines (`^...`) fill the metadata; TAB-led lines start paragraphs.
fn read_body(body: &str, s: &mut copydesk_types::Story) {
    let mut paras: Vec<String> = Vec::new();
    let mut header_seen = 0;
    let mut byline_next = false;
    for raw in body.lines() {
        if let Some(h) = raw.strip_prefix('^') {
            let line = strip_line(h);
            header_seen += 1;
            if header_seen == 1 && is_slug_line(&line) {
                let slug = line.rsplit_once('^').map_or(line.as_str(), |(_, b)| b).to_string();
                s.slugline = Some(slug.rsplit_once(',').filter(|(_, n)| n.trim().chars().all(|c| c.is_ascii_digit())).map_or(slug.clone(), |(a, _)| a.to_string()));
            } else if line.starts_with("AP Photo") || line.is_empty() {
            } else if line.starts_with("Eds:") || line.starts_with("(Eds:") || line.starts_with("EDITOR'S NOTE") {
                s.ednote = Some(line.trim_matches(['(', ')']).to_string());
            } else if line.starts_with("By ") {
                s.byline = Some(line);
                byline_next = true;
            } else if byline_next && line.split_whitespace().count() <= 4 {
                s.byline = s.byline.take().map(|b| format!("{b}, {line}"));
                byline_next = false;
            } else if s.headline.is_empty() {
                s.headline = line;
            } else {
                paras.push(line);
            }
            continue;
        }
        let line = strip_line(raw);
        if raw.starts_with('\t') || paras.is_empty() {
            if !line.is_empty() {
                paras.push(line);
            }
        } else if line.is_empty() {
            paras.push(String::new());
        } else if let Some(last) = paras.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(&line);
        }
    }
    s.body = paras.into_iter().map(|p| p.replace(" _ ", " — ")).filter(|p| !p.is_empty()).collect();
}

/// True for the first header line when it is the slug, not the headline: AP's
/// `BC-LT--Argentina-Cancer Beauty,466`, `BC-10 Things to Know-Today,364` (a digest whose
/// keyword has no `--`), `*9006 ^AP-Top-Entertainment-Headlines,0176`. A slug starts with an
/// AP service prefix, carries `--`, or ends in the word count after a comma.
fn is_slug_line(line: &str) -> bool {
    let word_count = line.rsplit_once(',').is_some_and(|(head, n)| {
        let n = n.trim();
        !head.trim().is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && !head.trim_end().ends_with(char::is_numeric)
    });
    line.contains("--") || line.starts_with('*') || line.starts_with("BC-") || line.starts_with("AP-") || word_count
}

/// `AP-WF-11-13-13 1509GMT` -> 2013-11-13T15:09:00Z.
fn trailer_date(trailer: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let t = trailer.trim_start();
    let gmt = t.find("GMT")?;
    let head = &t[..gmt];
    let (date_part, time) = head.rsplit_once(' ')?;
    let nums: Vec<u32> = date_part.rsplit('-').take(3).filter_map(|n| n.parse().ok()).collect();
    let [yy, dd, mm] = nums[..] else { return None };
    if time.len() != 4 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (time[..2].parse().ok()?, time[2..].parse().ok()?);
    let year = 2000i32.checked_add(i32::try_from(yy).ok()?)?;
    chrono::Utc.with_ymd_and_hms(year, mm, dd, h, m, 0).single().map(|d| d.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::{is_slug_line, trailer_date};

    #[test]
    fn slug_lines_are_told_from_headlines() {
        assert!(is_slug_line("BC-10 Things to Know-Today,364"));
        assert!(is_slug_line("BC-LT--Argentina-Cancer Beauty,466"));
        assert!(!is_slug_line("10 Things to Know for Today"));
        assert!(!is_slug_line("Deng has 30 points, short-handed Heat beat Hawks 115-111"));
        assert!(!is_slug_line("Prices rose 3, 4"));
    }

    #[test]
    fn trailer_dates_are_read_and_odd_ones_refused_without_panicking() {
        let d = trailer_date("AP-WF-11-13-13 1509GMT").map(|d| d.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2013-11-13T15:09:00+00:00"));
        // Panicked before (found while triaging a fuzz crash): a non-ASCII character inside the
        // 4-byte time was sliced through, and a huge year overflowed `2000 + yy`.
        assert_eq!(trailer_date("AP-WF-11-13-13 1\u{e9}9GMT"), None);
        assert_eq!(trailer_date("AP-WF-11-13-2147483647 1509GMT"), None);
    }
}
