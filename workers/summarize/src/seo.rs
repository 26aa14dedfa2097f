//! Headline, meta description, slug and keywords.

use crate::brief::lead_candidates;
use crate::doc::Doc;
use crate::focus::has_phrase;
use crate::lang::{is_conjunction, Lang};
use crate::salience::Term;
use crate::text::{drop_dash_aside, is_stopword};
use copydesk_types::Story;

/// Longest SEO headline, in characters.
pub(crate) const HEADLINE_MAX: usize = 70;
/// Meta description bounds, in characters.
pub(crate) const META_MIN: usize = 120;
/// Meta description upper bound, in characters.
pub(crate) const META_MAX: usize = 160;
/// Words kept in a slug.
const SLUG_WORDS: usize = 8;

/// Wire update markers that must not reach a headline or a slug ("UPDATE 2-", "REFILE-").
const MARKERS: &[&str] = &[
    "UPDATE",
    "REFILE",
    "CORRECTED",
    "WRAPUP",
    "EXCLUSIVE",
    "RPT",
    "BREAKING",
    "URGENT",
    "FLASH",
    "CORRECTION",
    "UPDATED",
];

/// The headline without update markers: "UPDATE 2-Oil falls" becomes "Oil falls".
pub(crate) fn clean_headline(headline: &str) -> String {
    let mut h = headline.trim();
    loop {
        let upper = h.to_uppercase();
        let Some(marker) = MARKERS.iter().find(|m| upper.starts_with(*m)) else {
            break;
        };
        let rest = h[marker.len()..].trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
        let Some(rest) = rest.strip_prefix(['-', ':', '–', '—']) else {
            break;
        };
        h = rest.trim_start();
    }
    h.to_string()
}

/// True for an agency slug or keyword line standing where a headline should be:
/// "BC-BBN--Top Ten", "BC-10 Things to Know-Today,364", "US-SYRIA-CRISIS-ASSAD", the story's
/// own slugline.
pub(crate) fn is_slug_line(headline: &str, story: &Story) -> bool {
    let h = headline.trim();
    let agency = ["BC-", "AP-", "APN-"].iter().any(|p| h.starts_with(p));
    let squashed = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let slugline = story
        .slugline
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty() && squashed(s) == squashed(h));
    let no_spaces = !h.contains(' ') && h.matches('-').count() >= 2;
    let word_count = h
        .rsplit_once(',')
        .is_some_and(|(_, n)| !n.trim().is_empty() && n.trim().chars().all(|c| c.is_ascii_digit()));
    agency || slugline || no_spaces || h.contains("--") || word_count
}

/// An SEO headline of at most [`HEADLINE_MAX`] characters, cut at a natural break. The story's
/// own headline, never a slug: a slug line gives way to the subheadline or the lead sentence.
pub(crate) fn seo_headline(doc: &Doc, story: &Story, brief: &[String]) -> String {
    let mut base = clean_headline(&story.headline);
    if is_slug_line(&base, story) {
        base = story
            .subheadline
            .as_deref()
            .map(clean_headline)
            .filter(|s| !s.is_empty() && !is_slug_line(s, story))
            .unwrap_or_default();
    }
    if base.is_empty() {
        base = brief
            .first()
            .cloned()
            .or_else(|| doc.sentences.first().map(|s| s.text.clone()))
            .unwrap_or_else(|| doc.headline.clone());
    }
    let base = base.trim().trim_end_matches('.').to_string();
    if base.chars().count() <= HEADLINE_MAX {
        return base;
    }
    for sep in [": ", " - ", " – ", " — ", "; ", ", "] {
        let cut = base
            .match_indices(sep)
            .map(|(i, _)| i)
            .filter(|&i| (25..=HEADLINE_MAX).contains(&base[..i].chars().count()))
            .last();
        if let Some(i) = cut {
            return base[..i].to_string();
        }
    }
    cut_at_word(&base, HEADLINE_MAX - 5)
}

/// The longest prefix of whole words within `max` characters, without trailing stopwords.
fn cut_at_word(text: &str, max: usize) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut len = 0;
    for w in text.split_whitespace() {
        let add = w.chars().count() + usize::from(!words.is_empty());
        if len + add > max {
            break;
        }
        words.push(w);
        len += add;
    }
    while words.len() > 1
        && words.last().is_some_and(|w| {
            is_stopword(
                w.to_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
            )
        })
    {
        words.pop();
    }
    words
        .join(" ")
        .trim_end_matches([',', ';', ':', '-'])
        .to_string()
}

fn in_range(s: &str) -> bool {
    (META_MIN..=META_MAX).contains(&s.chars().count())
}

fn quotes_balanced(s: &str) -> bool {
    s.matches('"').count().is_multiple_of(2) && s.matches('“').count() == s.matches('”').count()
}

/// Words at which a long sentence can end early and still read as a sentence.
const CLAUSE_BREAKS: &[&str] = &[
    ", ",
    " after ",
    " as ",
    " while ",
    " which ",
    " with ",
    " when ",
    " because ",
    " following ",
    " amid ",
    " but ",
    " and ",
    " before ",
    " despite ",
];

/// The sentence cut at a clause break so that it fits the meta bounds, ending with a full stop.
/// Other languages cut only at a comma before a word that opens a new clause.
fn clause_cut(lang: Lang, sentence: &str) -> Option<String> {
    clause_cut_from(lang, sentence, META_MIN)
}

/// [`clause_cut`] to at least `min` characters.
fn clause_cut_from(lang: Lang, sentence: &str, min: usize) -> Option<String> {
    let breaks: Vec<String> = match lang {
        Lang::En => CLAUSE_BREAKS.iter().map(|b| b.to_string()).collect(),
        other => other
            .profile()
            .clause_words
            .iter()
            .map(|w| format!(", {w} "))
            .collect(),
    };
    breaks
        .iter()
        .flat_map(|b| sentence.match_indices(b.as_str()).map(|(i, _)| i))
        .filter(|&i| {
            let n = sentence[..i].chars().count();
            (min - 1..META_MAX).contains(&n)
        })
        .max()
        .map(|i| format!("{}.", sentence[..i].trim_end_matches([',', ';', ':'])))
        .filter(|s| quotes_balanced(s))
}

/// True for text that reads as a complete sentence: it opens with a capital, a digit or a
/// quotation mark, ends with terminal punctuation (a closing quote may follow) and its quotes
/// are balanced.
pub(crate) fn is_complete_sentence(text: &str) -> bool {
    let t = text.trim();
    let opens = t.chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '„' | '«' | '¿' | '¡')
    });
    let body = t.trim_end_matches(['"', '”', '“', '»', '’', '\'', ')']);
    opens && body.ends_with(['.', '!', '?']) && quotes_balanced(t)
}

/// True when the first word of `text` is a conjunction of `lang` ("But", "Aber", "Men").
pub(crate) fn opens_with_conjunction(lang: Lang, text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    is_conjunction(lang, first)
        || (lang != Lang::En && is_conjunction(Lang::En, first) && first.len() > 2)
}

/// `sentence` without an opening conjunction ("But the mayor said ..." reads "The mayor said").
pub(crate) fn without_conjunction(lang: Lang, sentence: &str) -> String {
    if !opens_with_conjunction(lang, sentence) {
        return sentence.to_string();
    }
    let rest = sentence
        .split_once(' ')
        .map_or("", |(_, r)| r)
        .trim_start_matches([',', ' ']);
    let mut chars = rest.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The shortest meta description taken to carry the focus keyphrase when nothing of
/// [`META_MIN`] characters or more does.
const META_SHORTEST: usize = 80;

/// How far down the story a meta description may be taken from to carry the focus keyphrase.
const META_SEARCH_SENTENCES: usize = 12;

/// A meta description of 120-160 characters that reads as a complete sentence, taken from the
/// leading sentences, never opening with a conjunction, and carrying the focus keyphrase when
/// one of the candidates does; a short story may get a shorter one rather than invented words.
pub(crate) fn meta_description(doc: &Doc, brief: &[String], focus: Option<&str>) -> String {
    let lang = doc.lang;
    let leads: Vec<String> = lead_candidates(doc, 6)
        .into_iter()
        .map(|i| without_conjunction(lang, &doc.sentences[i].text))
        .filter(|s| !s.is_empty())
        .collect();
    let mut variants: Vec<String> = Vec::new();
    for (k, s) in leads.iter().enumerate() {
        let trimmed = drop_dash_aside(s);
        variants.push(s.clone());
        variants.push(trimmed.clone());
        if let Some(next) = leads.get(k + 1) {
            variants.push(format!("{s} {next}"));
            variants.push(format!("{trimmed} {}", drop_dash_aside(next)));
        }
        variants.extend(clause_cut(lang, s));
        variants.extend(clause_cut(lang, &trimmed));
    }
    let pointer = |v: &str| {
        let first = v.split_whitespace().next().unwrap_or("").to_lowercase();
        lang.profile()
            .pointers
            .contains(&first.trim_matches(|c: char| !c.is_alphanumeric()))
    };
    let good = |v: &&String| {
        in_range(v) && is_complete_sentence(v) && !opens_with_conjunction(lang, v) && !pointer(v)
    };
    let focused = focus.and_then(|f| variants.iter().filter(good).find(|v| has_phrase(v, f)));
    if let Some(v) = focused {
        return v.clone();
    }
    // No lead sentence carries the focus: a sentence further down that does, near the top.
    if let Some(f) = focus {
        let further: Vec<String> = doc
            .sentences
            .iter()
            .take(META_SEARCH_SENTENCES)
            .map(|s| without_conjunction(lang, &s.text))
            .filter(|s| has_phrase(s, f))
            .flat_map(|s| {
                let trimmed = drop_dash_aside(&s);
                let mut v = vec![s.clone(), trimmed.clone()];
                v.extend(clause_cut(lang, &s));
                v.extend(clause_cut(lang, &trimmed));
                v
            })
            .collect();
        if let Some(v) = further.iter().filter(good).find(|v| has_phrase(v, f)) {
            return v.clone();
        }
        // Nothing of 120-160 characters carries it: a shorter complete sentence that does
        // beats a longer one that does not (the keyphrase is what the description is for).
        let short_enough = |v: &&String| {
            (META_SHORTEST..=META_MAX).contains(&v.chars().count())
                && is_complete_sentence(v)
                && !opens_with_conjunction(lang, v)
                && !pointer(v)
                && has_phrase(v, f)
        };
        let short_cuts: Vec<String> = leads
            .iter()
            .chain(&further)
            .filter(|s| has_phrase(s, f))
            .flat_map(|s| clause_cut_from(lang, s, META_SHORTEST))
            .collect();
        if let Some(v) = variants
            .iter()
            .chain(&further)
            .chain(&short_cuts)
            .filter(short_enough)
            .max_by_key(|v| v.chars().count())
        {
            return v.clone();
        }
    }
    if let Some(v) = variants.iter().find(good) {
        return v.clone();
    }
    let first = brief
        .first()
        .map(|b| without_conjunction(lang, b))
        .or(leads.first().cloned())
        .unwrap_or_else(|| doc.headline.clone());
    if first.chars().count() > META_MAX {
        let cut = cut_at_word(&first, META_MAX - 1);
        return format!("{}.", cut.trim_end_matches(['.', ',']));
    }
    first
}

/// ASCII for the Latin letters news names use most; anything else becomes a separator.
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => " ",
    }
}

/// Lowercase ASCII words of a text, accents folded.
fn ascii_words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            folded.push(c);
        } else if c == '\'' || c == '’' {
            // "Kilmarnock's" -> "kilmarnocks", not "kilmarnock-s".
        } else {
            folded.push_str(fold(c));
        }
    }
    folded.split_whitespace().map(str::to_string).collect()
}

/// The URL slug: lowercase ASCII words of the marker-free headline, stopwords dropped.
///
/// It depends only on the headline (update markers removed), so versions of a story that keep
/// their headline keep their slug; a story with no headline falls back to its guid.
pub(crate) fn slug(lang: Lang, story: &Story, brief: &[String]) -> String {
    let mut source = clean_headline(&story.headline);
    if is_slug_line(&source, story) {
        source = story
            .subheadline
            .as_deref()
            .map(clean_headline)
            .unwrap_or_default();
    }
    if source.is_empty() {
        source = brief.first().cloned().unwrap_or_default();
    }
    let words: Vec<String> = ascii_words(&source)
        .into_iter()
        .filter(|w| {
            !is_stopword(w)
                && !lang.is_stopword(w)
                && (w.len() != 1 || w.chars().all(|c| c.is_ascii_digit()))
        })
        .take(SLUG_WORDS)
        .collect();
    if words.is_empty() {
        let digest = crate::cache::sha256_hex(story.guid.as_bytes());
        return format!("story-{}", &digest[..10]);
    }
    words.join("-")
}

/// Keywords: the most salient names, then the provider's own keywords, at most eight.
pub(crate) fn keywords(terms: &[Term], story: &Story) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let candidates = terms
        .iter()
        .map(|t| t.name.clone())
        .chain(story.keywords.iter().cloned());
    for k in candidates {
        let lower = k.to_lowercase();
        if out
            .iter()
            .any(|o| o.to_lowercase().contains(&lower) || lower.contains(&o.to_lowercase()))
        {
            continue;
        }
        out.push(k);
        if out.len() == 8 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_markers_are_removed_from_headlines() {
        assert_eq!(
            clean_headline("UPDATE 2-Oil falls on supply news"),
            "Oil falls on supply news"
        );
        assert_eq!(clean_headline("REFILE-UPDATE 1-Oil falls"), "Oil falls");
        assert_eq!(
            clean_headline("Updates to the tax code"),
            "Updates to the tax code"
        );
    }

    #[test]
    fn slugs_are_ascii_without_stopwords_and_stable_across_update_markers() {
        let mut a = Story::new(
            "g",
            "Zürich's café owners protest the new rent rules",
            vec![],
        );
        let s1 = slug(Lang::En, &a, &[]);
        assert_eq!(s1, "zurichs-cafe-owners-protest-rent-rules");
        a.headline = format!("UPDATE 1-{}", a.headline);
        a.version = 2;
        assert_eq!(slug(Lang::En, &a, &[]), s1);
    }

    #[test]
    fn an_agency_slug_is_never_the_headline() {
        for h in [
            "BC-BBN--Top Ten",
            "BC-10 Things to Know-Today,364",
            "US-SYRIA-CRISIS-ASSAD",
        ] {
            assert!(is_slug_line(h, &Story::new("g", h, vec![])), "{h}");
        }
        assert!(!is_slug_line(
            "10 Things to Know for Today",
            &Story::new("g", "x", vec![])
        ));
        let mut story = Story::new("g", "BC-EU--Harbour-Strike", vec!["Dockers in Antwerp walked out on Monday over a new shift plan for the container terminals.".into()]);
        let doc = Doc::from_story(&story);
        let h = seo_headline(&doc, &story, &[]);
        assert!(h.starts_with("Dockers in Antwerp walked out"), "{h}");
        story.subheadline = Some("Antwerp dockers strike over shifts".into());
        assert_eq!(
            seo_headline(&doc, &story, &[]),
            "Antwerp dockers strike over shifts"
        );
        assert_eq!(slug(Lang::En, &story, &[]), "antwerp-dockers-strike-shifts");
    }

    #[test]
    fn a_shorter_meta_description_with_the_focus_beats_a_full_length_one_without() {
        let lead = "Ferry fares in Bergen will rise by twelve percent from March to pay for new berths, the harbour board said.";
        let second = "Commuters who cross the fjord every day protested outside the town hall on Monday evening, carrying placards and blocking the quay.";
        let story = Story::new(
            "g",
            "Fares rise",
            vec![
                lead.into(),
                second.into(),
                "Ferry fares last rose in 2019.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        assert!((META_SHORTEST..META_MIN).contains(&lead.chars().count()));
        let meta = meta_description(&doc, &[], Some("ferry fares"));
        assert_eq!(meta, lead);
        // A long lead carrying the focus is cut at a clause break to fit.
        let long = "A fire at a battery recycling plant in the port of Gdansk burned through the night into Tuesday, forcing the port authority to close the neighbouring container terminal and to tell residents to keep their windows shut.";
        let other = "The blaze started shortly before 11 p.m. on Monday in a storage hall of the recycling firm, where used cells are sorted before they are shredded.";
        let story = Story::new(
            "g",
            "Fire shuts Gdansk port",
            vec![
                long.into(),
                other.into(),
                "Gdansk firefighters stayed overnight.".into(),
            ],
        );
        let meta = meta_description(&Doc::from_story(&story), &[], Some("Gdansk"));
        assert_eq!(
            meta,
            "A fire at a battery recycling plant in the port of Gdansk burned through the night into Tuesday."
        );
        // Without a focus the full-length sentence is still preferred.
        let meta = meta_description(&doc, &[], None);
        assert!(
            (META_MIN..=META_MAX).contains(&meta.chars().count()),
            "{meta}"
        );
    }

    #[test]
    fn meta_descriptions_are_complete_sentences_without_an_opening_conjunction() {
        let story = Story::new("g", "Fares rise", vec![
            "But the harbour board decided on Monday that ferry fares will rise by twelve percent from March, to pay for four new berths in the old port.".into(),
            "Commuters protested.".into(),
        ]);
        let doc = Doc::from_story(&story);
        let meta = meta_description(&doc, &[], Some("ferry fares"));
        assert!(meta.starts_with("The harbour board decided"), "{meta}");
        assert!(
            is_complete_sentence(&meta) && (META_MIN..=META_MAX).contains(&meta.chars().count()),
            "{meta}"
        );
        assert!(opens_with_conjunction(Lang::De, "Aber der Rat entschied."));
        assert!(opens_with_conjunction(Lang::No, "Men rådet bestemte."));
        assert!(opens_with_conjunction(Lang::Fi, "Mutta valtuusto päätti."));
        assert!(!is_complete_sentence("the council decided"));
    }

    #[test]
    fn long_headlines_are_cut_at_a_natural_break() {
        let story = Story::new("g", "Council approves harbour plan after three years of talks: residents divided over cost and noise", vec![]);
        let h = seo_headline(&Doc::from_story(&story), &story, &[]);
        assert_eq!(
            h,
            "Council approves harbour plan after three years of talks"
        );
    }
}
