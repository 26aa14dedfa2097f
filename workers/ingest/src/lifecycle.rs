//! Lifecycle conventions that live in text rather than in fields: AP "1st Ld-Writethru",
//! Reuters "CORRECTED-" and "REFILE-" headline prefixes, "UPDATE 1", dpa "1ST LEAD" and
//! "Berichtigung", and kill notices. Applied to every story after its format parser.
//!
//! A kill is read from text only where the format defines it that way: ANPA-1312 and IPTC 7901
//! advisories ("KILL", "ELIMINATE", "MANDATORY KILL" headlines and `-KILL` sluglines). NITF and
//! NewsML carry kills in status fields, which their parsers read; a feed item headlined "Kill
//! Bill review" is a story.

use copydesk_types::{PubStatus, SourceFormat, Story};

/// Set signals (and the kill status) from labels in the headline, slugline and editor's note.
pub fn apply_text_signals(s: &mut Story) {
    let head = s.headline.to_uppercase();
    let slug = s.slugline.as_deref().unwrap_or_default().to_uppercase();
    let note = s.ednote.as_deref().unwrap_or_default().to_uppercase();
    let label = s.signals.label.as_deref().unwrap_or_default().to_uppercase();
    let originals = [s.headline.clone(), s.slugline.clone().unwrap_or_default(), s.signals.label.clone().unwrap_or_default()];
    if let Some(l) = originals.iter().find_map(|t| writethru_label(t)) {
        s.signals.writethru = true;
        s.signals.update = true;
        s.signals.label.get_or_insert(l);
    }
    let corrected = ["CORRECTED", "CORRECTS", "CORRECTION"].iter().any(|w| head.starts_with(w) || slug.contains(w))
        || note.contains("BERICHTIGUNG")
        || note.starts_with("CORRECTS")
        || note.contains("CORRECTION");
    if corrected {
        s.signals.correction = true;
    }
    for (marker, is_update) in [("REFILE", true), ("UPDATE ", true), ("1ST LEAD", true), ("2ND LEAD", true), ("NEW LEAD", true)] {
        if head.starts_with(marker) || slug.contains(marker) || label.contains(marker) {
            s.signals.update |= is_update;
            s.signals.label.get_or_insert_with(|| marker.trim().to_string());
        }
    }
    let advisory_format = matches!(s.format, SourceFormat::Anpa1312 | SourceFormat::Iptc7901);
    let killed = advisory_format
        && ["KILL", "WITHDRAWN", "ELIMINATE", "MANDATORY KILL"]
            .iter()
            .any(|w| head.starts_with(&format!("{w}:")) || head.starts_with(&format!("{w} ")) || slug.ends_with(&format!("-{w}")));
    if killed && s.pub_status == PubStatus::Usable {
        s.pub_status = PubStatus::Canceled;
    }
}

/// "1stLd-Writethru", "3rd Ld-Writethru", "Writethru" -> the label as printed.
pub fn writethru_label(text: &str) -> Option<String> {
    let upper = text.to_uppercase();
    let at = upper.find("WRITETHRU")?;
    let end = at + "WRITETHRU".len();
    let words: Vec<&str> = text.get(..end)?.split([' ', ',', '/']).filter(|w| !w.is_empty()).collect();
    let last = *words.last()?;
    let ordinal_before = words.len() >= 2 && lead_number(words[words.len() - 2]).is_some() && lead_number(last).is_none();
    Some(if ordinal_before { format!("{} {last}", words[words.len() - 2]) } else { last.to_string() })
}

/// The lead number of an AP writethru label ("3rd Ld-Writethru" is 3), for version numbering.
pub fn lead_number(label: &str) -> Option<u64> {
    let digits: String = label.trim().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ap_writethru_in_the_slugline_marks_update_and_writethru() {
        let mut s = Story::new("g", "Heat beat Hawks", vec!["b".into()]);
        s.slugline = Some("BC-BKN--Heat-Hawks, 1st Ld-Writethru".into());
        apply_text_signals(&mut s);
        assert!(s.signals.writethru && s.signals.update);
        assert_eq!(s.signals.label.as_deref(), Some("1st Ld-Writethru"));
        assert_eq!(lead_number("3rdLd-Writethru"), Some(3));
    }

    #[test]
    fn corrected_prefix_and_berichtigung_mark_corrections() {
        let mut s = Story::new("g", "CORRECTED-Floods rise", vec!["b".into()]);
        apply_text_signals(&mut s);
        assert!(s.signals.correction);
        let mut d = Story::new("g", "Hotels", vec!["b".into()]);
        d.ednote = Some("Berichtigung: Hotelnamen".into());
        apply_text_signals(&mut d);
        assert!(d.signals.correction);
    }

    #[test]
    fn a_kill_advisory_headline_cancels_only_in_advisory_formats() {
        for format in [SourceFormat::Anpa1312, SourceFormat::Iptc7901] {
            let mut s = Story::new("g", "KILL: Story withdrawn", vec![]);
            s.format = format;
            apply_text_signals(&mut s);
            assert_eq!(s.pub_status, PubStatus::Canceled, "{format:?}");
        }
        for format in [SourceFormat::Rss2, SourceFormat::Atom, SourceFormat::PlainText, SourceFormat::Nitf, SourceFormat::Ninjs] {
            for headline in ["Kill Bill: a review", "KILL: nothing", "Withdrawn troops return home", "Eliminate waste, says minister"] {
                let mut s = Story::new("g", headline, vec!["b".into()]);
                s.format = format;
                apply_text_signals(&mut s);
                assert_eq!(s.pub_status, PubStatus::Usable, "{format:?}: {headline}");
            }
        }
    }
}
