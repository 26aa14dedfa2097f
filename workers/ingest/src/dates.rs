//! Lenient date parsing for the dates real feeds carry.
//!
//! Accepted: RFC 3339 and ISO 8601 in extended or basic form (`2017-06-29T12:05:00+02:00`,
//! `20130731T160000-0400`, `2025-01-23T19:00+01:00`, a bare date), RFC 2822 and its broken
//! cousins (`Thu,28 Jul 2022 4:35:5 GMT+9`, `Wed, 27 Jul 2022 15:46:28 EDT`, `+0000`, `+02:00`).
//! A date without a zone is taken as UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parse a date the way real feeds write them; `None` if nothing sensible can be read.
pub fn parse_date(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    if s.len() >= 8 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        if let Some(d) = parse_iso(s) {
            return Some(d);
        }
    }
    parse_loose(s)
}

/// [`parse_date`] in UTC.
pub fn parse_utc(raw: &str) -> Option<DateTime<Utc>> {
    parse_date(raw).map(|d| d.with_timezone(&Utc))
}

/// ISO 8601, extended or basic, with optional time, fraction and zone.
fn parse_iso(s: &str) -> Option<DateTime<FixedOffset>> {
    let (date_part, rest) = if s.as_bytes().get(4) == Some(&b'-') {
        (s.get(..10)?, s.get(10..)?)
    } else {
        (s.get(..8)?, s.get(8..)?)
    };
    let digits: String = date_part.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..8].parse().ok()?)?;
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    // Split the time from the zone at the first Z, + or - after the time digits.
    let zone_at = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
    let (time_part, zone_part) = rest.split_at(zone_at);
    let time = parse_time(time_part)?;
    let offset = parse_zone(zone_part.trim()).unwrap_or(0);
    let tz = FixedOffset::east_opt(offset)?;
    tz.from_local_datetime(&NaiveDateTime::new(date, time)).single()
}

/// `HH:MM[:SS[.fff]]`, `HHMM[SS]`, or empty (midnight).
fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim();
    if t.is_empty() {
        return NaiveTime::from_hms_opt(0, 0, 0);
    }
    let main = t.split(['.', ',']).next()?;
    let nums: Vec<u32> = if main.contains(':') {
        main.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?
    } else {
        let b = main.as_bytes();
        if b.len() % 2 != 0 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        b.chunks(2).map(|c| std::str::from_utf8(c).ok().and_then(|x| x.parse().ok())).collect::<Option<_>>()?
    };
    let get = |i: usize| nums.get(i).copied().unwrap_or(0);
    NaiveTime::from_hms_opt(get(0), get(1), get(2).min(59))
}

/// A zone to seconds east of UTC: `Z`, `UTC`, `GMT`, `GMT+9`, `+0900`, `+09:00`, `-4`, US names.
fn parse_zone(z: &str) -> Option<i32> {
    let upper = z.trim().to_ascii_uppercase();
    let named = match upper.as_str() {
        "" | "Z" | "UT" | "UTC" | "GMT" => Some(0),
        "EST" => Some(-5), "EDT" => Some(-4), "CST" => Some(-6), "CDT" => Some(-5),
        "MST" => Some(-7), "MDT" => Some(-6), "PST" => Some(-8), "PDT" => Some(-7),
        "CET" => Some(1), "CEST" => Some(2), "BST" => Some(1), "KST" => Some(9), "JST" => Some(9),
        "IST" => Some(5), "AEST" => Some(10), "AEDT" => Some(11),
        _ => None,
    };
    if let Some(h) = named {
        return Some(h * 3600 + if upper == "IST" { 1800 } else { 0 });
    }
    let numeric = upper.trim_start_matches("GMT").trim_start_matches("UTC");
    let sign = match numeric.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let body: String = numeric[1..].chars().filter(|c| *c != ':').collect();
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = match body.len() {
        1 | 2 => (body.parse().ok()?, 0),
        3 => (body[..1].parse().ok()?, body[1..].parse().ok()?),
        4 => (body[..2].parse().ok()?, body[2..].parse().ok()?),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// RFC 2822-ish: find day, month name, year, `h:m[:s]` and a zone among loose tokens.
fn parse_loose(s: &str) -> Option<DateTime<FixedOffset>> {
    let spaced = s.replace(',', " ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let (mut day, mut month, mut year, mut time, mut zone) = (None, None, None, None, None);
    for tok in tokens {
        if let Some(m) = month_number(tok) {
            month = Some(m);
        } else if tok.contains(':') && time.is_none() && tok.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            time = parse_time(tok);
        } else if tok.starts_with(['+', '-']) {
            // "+0100" is a zone, not the year 100.
            zone = zone.or_else(|| parse_zone(tok));
        } else if let Ok(n) = tok.parse::<i32>() {
            if n > 31 || tok.len() == 4 {
                year = Some(if n < 100 { 2000 + n } else { n });
            } else if day.is_none() {
                day = Some(n as u32);
            } else if year.is_none() {
                year = Some(2000 + n);
            }
        } else if zone.is_none() {
            zone = parse_zone(tok);
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let tz = FixedOffset::east_opt(zone.unwrap_or(0))?;
    let naive = NaiveDateTime::new(date, time.or_else(|| NaiveTime::from_hms_opt(0, 0, 0))?);
    tz.from_local_datetime(&naive).single()
}

/// English month names and abbreviations, plus the abbreviations Italian, Spanish, French,
/// German and Portuguese feeds put in their RFC 2822-style dates ("mer, 16 nov 2022",
/// "15 ott 2022", "3 déc. 2022", "1 Mrz 2023"). Weekday abbreviations are never months, and
/// "mar" (March, and Tuesday in Romance languages) is only taken when no other month follows.
fn month_number(tok: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["jan", "gen", "ene", "janv"],
        &["feb", "fév", "fev", "févr"],
        &["mar", "mär", "mrz"],
        &["apr", "abr", "avr"],
        &["may", "mag", "mai", "mayo"],
        &["jun", "giu", "juin"],
        &["jul", "lug", "juil", "juillet"],
        &["aug", "ago", "aoû", "aou"],
        &["sep", "set", "sept"],
        &["oct", "ott", "okt", "out"],
        &["nov"],
        &["dec", "dic", "déc", "dez"],
    ];
    let t = tok.trim_end_matches('.').to_lowercase();
    let head: String = t.chars().take(3).collect();
    MONTHS.iter().position(|names| names.contains(&t.as_str()) || names.contains(&head.as_str())).map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str) -> String {
        parse_date(raw).map(|d| d.to_rfc3339()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn malformed_rfc2822_dates_from_real_feeds_are_read() {
        assert_eq!(iso("Thu,28 Jul 2022 4:35:5 GMT+9"), "2022-07-28T04:35:05+09:00");
        assert_eq!(iso("Wed, 27 Jul 2022 15:46:28 EDT"), "2022-07-27T15:46:28-04:00");
        assert_eq!(iso("27 Jul 2022 15:46 +0200"), "2022-07-27T15:46:00+02:00");
        // Found by the feed-rs cross-check (tests/feed_oracle.rs): "+0100" was read as the year 100.
        assert_eq!(iso("mer, 16 nov 2022 00:38:15 +0100"), "2022-11-16T00:38:15+01:00");
    }

    #[test]
    fn month_abbreviations_of_european_feeds_are_read() {
        assert_eq!(iso("sab, 15 ott 2022 08:00:00 +0200"), "2022-10-15T08:00:00+02:00");
        assert_eq!(iso("mar, 3 déc. 2022 10:00 +0100"), "2022-12-03T10:00:00+01:00");
        assert_eq!(iso("1 Mrz 2023 12:00:00 +0100"), "2023-03-01T12:00:00+01:00");
        assert_eq!(iso("lun, 2 ene 2023 09:30:00 -0300"), "2023-01-02T09:30:00-03:00");
        assert_eq!(iso("Tue, 7 Mar 2023 09:30:00 GMT"), "2023-03-07T09:30:00+00:00");
        assert_eq!(iso("14 juillet 2023 09:30"), "2023-07-14T09:30:00+00:00");
    }

    #[test]
    fn iso_basic_and_extended_forms_are_read_with_their_offsets() {
        assert_eq!(iso("20130731T160000-0400"), "2013-07-31T16:00:00-04:00");
        assert_eq!(iso("2025-01-23T19:00+01:00"), "2025-01-23T19:00:00+01:00");
        assert_eq!(iso("2017-08-24T01:58:40+0000"), "2017-08-24T01:58:40+00:00");
        assert_eq!(iso("2016-01-08T06:41:23.123Z"), "2016-01-08T06:41:23.123+00:00");
        assert_eq!(iso("20060904T1900Z"), "2006-09-04T19:00:00+00:00");
        assert_eq!(iso("2017-06-29"), "2017-06-29T00:00:00+00:00");
    }

    #[test]
    fn a_multibyte_character_in_the_first_four_bytes_is_not_sliced() {
        // Found by `cargo fuzz run parse_document`: `s[..4]` cut through the `ò`.
        assert_eq!(iso("12\u{f2}00000 Jul 2022"), "none");
        assert_eq!(iso("1\u{90}2345678"), "none");
    }

    #[test]
    fn nonsense_is_none_not_a_guess() {
        assert_eq!(iso("yesterday-ish"), "none");
        assert_eq!(iso("2022-13-45T00:00:00Z"), "none");
        assert_eq!(iso(""), "none");
    }
}
