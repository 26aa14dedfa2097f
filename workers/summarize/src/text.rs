//! Sentence splitting, wire-copy cleanup and word tokens.

use crate::lang::Lang;

/// True for a topic-free English word (compared lowercase); other languages ask their
/// [`Lang`].
pub(crate) fn is_stopword(word: &str) -> bool {
    Lang::En.is_stopword(word)
}

/// Lowercase alphanumeric words of a text.
pub(crate) fn words_lower(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

/// The topic words of a text in `lang`: lowercase, no stopwords, at least three characters.
pub(crate) fn content_words_in(lang: Lang, text: &str) -> Vec<String> {
    words_lower(text)
        .filter(|w| w.chars().count() > 2 && !lang.is_stopword(w))
        .collect()
}

/// Whitespace-separated word count, as editors count words.
pub(crate) fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '’' | '”' | '“' | '»' | '«' | ')' | ']')
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '‘' | '“' | '„' | '«' | '»' | '¿' | '¡' | '(' | '['
    )
}

/// Splits an English paragraph into sentences: [`split_sentences_in`] with English rules.
pub fn split_sentences(paragraph: &str) -> Vec<String> {
    split_sentences_in(Lang::En, paragraph)
}

/// Splits a paragraph into sentences at `.`, `!` or `?` followed by space and a capital or digit,
/// except after the language's abbreviations, single-letter initials and, where the language
/// writes ordinals with a full stop ("am 3. Oktober"), short numbers.
pub fn split_sentences_in(lang: Lang, paragraph: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        let (byte, c) = chars[i];
        if !matches!(c, '.' | '!' | '?') {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && (matches!(chars[j].1, '.' | '!' | '?') || is_closer(chars[j].1)) {
            j += 1;
        }
        let space_start = j;
        while j < chars.len() && chars[j].1.is_whitespace() {
            j += 1;
        }
        let mut k = j;
        while k < chars.len() && is_opener(chars[k].1) {
            k += 1;
        }
        let boundary = space_start < j
            && k < chars.len()
            && (chars[k].1.is_uppercase() || chars[k].1.is_ascii_digit())
            && !(c == '.' && ends_with_abbreviation(lang, &paragraph[start..byte]));
        if boundary {
            let end = chars.get(space_start).map_or(paragraph.len(), |(b, _)| *b);
            push_trimmed(&mut out, &paragraph[start..end]);
            start = chars[j].0;
        }
        i = j.max(i + 1);
    }
    push_trimmed(&mut out, &paragraph[start..]);
    out
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

fn ends_with_abbreviation(lang: Lang, before: &str) -> bool {
    let last = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let last = last.trim_end_matches('.').to_lowercase();
    let single_initial = last.chars().count() == 1 && last.chars().all(char::is_alphabetic);
    let profile = lang.profile();
    let ordinal = profile.ordinal_dot
        && (1..=3).contains(&last.chars().count())
        && last.chars().all(|c| c.is_ascii_digit());
    single_initial || ordinal || profile.abbreviations.contains(&last.as_str())
}

/// Agency tags written in lower case ("(dpa)"); capitalised ones are recognised by shape.
const LOWERCASE_TAGS: &[&str] = &["dpa", "afp", "apa", "sda", "ats", "kna", "epd"];

/// The agency credit in "(Reuters)", "(Copydesk)", "(dpa)": one to three words, capitalised
/// or a known lowercase tag, no digits.
fn credit_in(inner: &str) -> bool {
    let words: Vec<&str> = inner.split_whitespace().collect();
    (1..=3).contains(&words.len())
        && inner.chars().count() <= 30
        && !inner.chars().any(|c| c.is_ascii_digit())
        && (words.iter().all(|w| w.starts_with(char::is_uppercase))
            || LOWERCASE_TAGS.contains(&inner.to_lowercase().as_str()))
}

/// Removes a dateline and agency tag from the start of a paragraph:
/// "KYIV, Ukraine (AP) — Text" and "LONDON (Reuters) - Text" become "Text".
#[cfg(test)]
pub(crate) fn strip_dateline(paragraph: &str, dateline: Option<&str>) -> String {
    strip_dateline_credit(paragraph, dateline).0
}

/// [`strip_dateline`], and the agency credit it removed ("Copydesk" from "LISBON (Copydesk) —"):
/// a credit is furniture, never a keyword.
pub(crate) fn strip_dateline_credit(
    paragraph: &str,
    dateline: Option<&str>,
) -> (String, Option<String>) {
    let mut p = paragraph.trim();
    if let Some(d) = dateline.map(str::trim).filter(|d| !d.is_empty()) {
        if let Some(rest) = p.strip_prefix(d) {
            p = rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':')
            });
        }
    }
    // "(TAG)" followed by a dash or colon within the first 80 bytes, after a place.
    if let Some(open) = p.find('(').filter(|pos| *pos <= 80) {
        if let Some(close) = p[open..].find(')').map(|c| open + c) {
            let inner = p[open + 1..close].trim();
            let head = &p[..open];
            let rest = p[close + 1..].trim_start();
            let dash = rest.starts_with(['-', '–', '—', ':']);
            let head_is_place = head
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(|c| c.is_uppercase())
                || head.split_whitespace().count() <= 4;
            if dash && head_is_place && credit_in(inner) {
                let text = rest
                    .trim_start_matches(|c: char| {
                        c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':')
                    })
                    .to_string();
                return (text, Some(inner.to_string()));
            }
        }
    }
    // An upper-case dateline with a dash and no agency: "WASHINGTON — Text".
    if let Some((head, rest)) = split_once_any(p, &[" — ", " -- ", " – "]) {
        let letters: Vec<char> = head.chars().filter(|c| c.is_alphabetic()).collect();
        if head.len() <= 40 && letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase()) {
            return (rest.trim().to_string(), None);
        }
    }
    (p.to_string(), None)
}

fn split_once_any<'a>(s: &'a str, seps: &[&str]) -> Option<(&'a str, &'a str)> {
    seps.iter()
        .filter_map(|sep| s.find(sep).map(|i| (i, sep.len())))
        .min_by_key(|(i, _)| *i)
        .map(|(i, n)| (&s[..i], &s[i + n..]))
}

/// True for a paragraph that is wire furniture rather than story: bylines, reporting credits,
/// copyright lines, "PUBLISHED:" stamps.
pub(crate) fn is_furniture(paragraph: &str) -> bool {
    let p = paragraph.trim();
    let lower = p.to_lowercase();
    let words = word_count(p);
    let byline = [
        "by ",
        "von ",
        "af ",
        "av ",
        "di ",
        "par ",
        "por ",
        "kirjoittanut ",
    ]
    .iter()
    .any(|b| lower.starts_with(b));
    (byline && words <= 12 && !p.ends_with('.'))
        || lower.starts_with("by . ")
        || lower.starts_with("(reporting by")
        || lower.starts_with("(additional reporting")
        || lower.starts_with("(editing by")
        || lower.starts_with("reporting by ")
        || lower.starts_with("copyright ")
        || lower.contains("all rights reserved")
        || lower.starts_with("published:")
        || lower.starts_with("last updated at")
        || lower.starts_with("follow @")
        || lower.starts_with("click here")
        || lower.starts_with("read more:")
}

/// Removes emphasis markup a wire may carry, so no bold or italics reach the article.
pub(crate) fn strip_emphasis(s: &str) -> String {
    s.replace("**", "")
        .replace("__", "")
        .replace("<b>", "")
        .replace("</b>", "")
        .replace("<strong>", "")
        .replace("</strong>", "")
        .replace("<em>", "")
        .replace("</em>", "")
        .replace("<i>", "")
        .replace("</i>", "")
}

/// Drops a dash-delimited aside: "on Friday - eight weeks after he took over." becomes
/// "on Friday." Only paired dashes or an aside that runs to the end of the sentence are cut.
pub(crate) fn drop_dash_aside(sentence: &str) -> String {
    for dash in [" - ", " – ", " — "] {
        let Some(open) = sentence.find(dash) else {
            continue;
        };
        let after = &sentence[open + dash.len()..];
        if let Some(close) = after.find(dash).filter(|c| *c <= 200) {
            return format!("{} {}", &sentence[..open], &after[close + dash.len()..]);
        }
        let end = sentence.trim_end();
        let terminal = end.chars().last().filter(|c| matches!(c, '.' | '!' | '?'));
        if let Some(t) = terminal {
            if after.len() <= 200 && open > 0 {
                return format!("{}{t}", &sentence[..open]);
            }
        }
    }
    sentence.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_terminal_punctuation_but_not_after_titles_or_initials() {
        let p = "Mr. Smith met J. R. Jones in St. Louis on Monday. \"It went well,\" he said. Talks resume at 9 a.m. Tuesday! Will they agree?";
        let s = split_sentences(p);
        assert_eq!(s.len(), 4, "{s:?}");
        assert!(s[0].ends_with("Monday."));
        assert_eq!(s[1], "\"It went well,\" he said.");
    }

    #[test]
    fn datelines_and_agency_tags_are_stripped() {
        assert_eq!(
            strip_dateline("LONDON (Reuters) - Shares fell.", None),
            "Shares fell."
        );
        assert_eq!(
            strip_dateline("KYIV, Ukraine (AP) — Sirens sounded.", None),
            "Sirens sounded."
        );
        assert_eq!(
            strip_dateline("(CNN) -- A storm hit.", None),
            "A storm hit."
        );
        assert_eq!(
            strip_dateline("WASHINGTON — Lawmakers met.", None),
            "Lawmakers met."
        );
        assert_eq!(
            strip_dateline("Oslo, May 3: Rain fell.", Some("Oslo, May 3:")),
            "Rain fell."
        );
        assert_eq!(
            strip_dateline("The Fed - cautious as ever - held.", None),
            "The Fed - cautious as ever - held."
        );
        assert_eq!(
            strip_dateline_credit("LISBON (Copydesk) — The council voted.", None),
            (
                "The council voted.".to_string(),
                Some("Copydesk".to_string())
            )
        );
        assert_eq!(
            strip_dateline_credit("Berlin (dpa) - Der Bundestag stimmte zu.", None)
                .1
                .as_deref(),
            Some("dpa")
        );
        assert_eq!(
            strip_dateline("Sales (in 2023) - the best year - rose.", None),
            "Sales (in 2023) - the best year - rose.",
            "a bracket with digits is no credit"
        );
    }

    #[test]
    fn bylines_and_credits_are_furniture() {
        assert!(is_furniture("By Jane Doe, Associated Press"));
        assert!(is_furniture("(Reporting by Ann Lee; Editing by Tom Hals)"));
        assert!(!is_furniture("By the end of the day, prices had doubled."));
        assert!(is_furniture("Von Almut Beispiel, dpa"));
    }

    #[test]
    fn dash_asides_are_dropped_only_when_closed_or_final() {
        assert_eq!(
            drop_dash_aside("He starts on Friday - eight weeks after arriving."),
            "He starts on Friday."
        );
        assert_eq!(
            drop_dash_aside("The bank - a lender since 1850 - failed."),
            "The bank failed."
        );
    }
}
