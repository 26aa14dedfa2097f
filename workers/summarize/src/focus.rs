//! The focus keyphrase: the one phrase an article is optimised for. It is chosen from the
//! story's salient names and the key phrases of its headline, must stand in the headline or
//! the lead and recur in the body (so a meta description and a subheading can carry it), and
//! is written as the story writes it.

use crate::doc::Doc;
use crate::salience::Term;
use copydesk_types::{Article, EntityKind};

/// Sentences of the lead that count as "the lead" for placement.
const LEAD_SENTENCES: usize = 2;
/// Names considered.
const NAMES: usize = 8;

/// Byte offset of `phrase` in `text` as whole words, ignoring case (ASCII-case-insensitive
/// offsets are exact; other case changes are compared on the lowercase text).
pub(crate) fn find_ci(text: &str, phrase: &str) -> Option<usize> {
    if phrase.trim().is_empty() {
        return None;
    }
    find_lower(&text.to_lowercase(), &phrase.to_lowercase())
}

/// [`find_ci`] on text and phrase already lowercase (no allocation).
fn find_lower(hay: &str, needle: &str) -> Option<usize> {
    whole_word_offsets(hay, needle).next()
}

/// Byte offsets of every whole-word occurrence of `needle` in `hay` (case as given).
pub(crate) fn whole_word_offsets<'a>(
    hay: &'a str,
    needle: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    hay.match_indices(needle)
        .filter(move |(i, _)| {
            !needle.is_empty()
                && !word(hay[..*i].chars().next_back())
                && !word(hay[i + needle.len()..].chars().next())
        })
        .map(|(i, _)| i)
}

/// True when `text` contains `phrase` as whole words, ignoring case.
pub(crate) fn has_phrase(text: &str, phrase: &str) -> bool {
    find_ci(text, phrase).is_some()
}

/// `phrase` as `text` writes it (its case), when `text` contains it.
/// Offsets found on the lowercase text are only used when they land on the same phrase in
/// `text` (a case change that alters byte lengths, "İ", falls back to `phrase`): never a panic.
pub(crate) fn as_written(text: &str, phrase: &str) -> Option<String> {
    let i = find_ci(text, phrase)?;
    let same_len = text.to_lowercase().len() == text.len();
    Some(
        text.get(i..i + phrase.len())
            .filter(|w| same_len && w.to_lowercase() == phrase.to_lowercase())
            .unwrap_or(phrase)
            .to_string(),
    )
}

/// A word that can stand in a topic phrase: alphabetic (or hyphenated), longer than two
/// letters, not a stopword of the story's language.
fn topic_word(doc: &Doc, w: &str) -> bool {
    let core = w.trim_matches(|c: char| !c.is_alphanumeric());
    core.chars().count() > 2
        && core.chars().all(|c| c.is_alphabetic() || c == '-')
        && !doc.lang.is_stopword(&core.to_lowercase())
}

/// Runs of `n` adjacent topic words in `text` with no punctuation between them, as written.
fn topic_runs(doc: &Doc, text: &str, n: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for win in words.windows(n) {
        let inner_break = win[..n - 1]
            .iter()
            .any(|w| w.ends_with([',', ':', ';', '.', ')']) || w.contains(['\'', '’']));
        let outer_open = win[1..]
            .iter()
            .any(|w| w.starts_with(['(', '"', '“', '\'']));
        if win.iter().all(|w| topic_word(doc, w)) && !inner_break && !outer_open {
            let phrase: Vec<&str> = win
                .iter()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .collect();
            out.push(phrase.join(" "));
        }
    }
    out
}

/// Runs of two or three adjacent topic words in the headline ("peace deal pressure").
fn headline_phrases(doc: &Doc) -> Vec<String> {
    [3usize, 2]
        .iter()
        .flat_map(|&n| topic_runs(doc, &doc.headline, n))
        .collect()
}

/// A single lowercase headline word that can name a topic on its own ("tobacco", "business"):
/// five letters or more, without the endings of verbs, adverbs and plurals ("rejects",
/// "sharply", "prices" is left to its phrase "oil prices").
fn topic_noun_shaped(word: &str) -> bool {
    let lower = word.to_lowercase();
    let verbal =
        ["ed", "ly", "ing", "s"].iter().any(|e| lower.ends_with(e)) && !lower.ends_with("ss");
    word.chars().count() >= 5 && !verbal
}

/// The focus keyphrase, or `None` when nothing in the headline or lead recurs in the body.
#[cfg(test)]
pub(crate) fn focus_keyphrase(doc: &Doc, terms: &[Term], lead: &str) -> Option<String> {
    focus_candidates(doc, terms, lead).into_iter().next()
}

/// How many of the best candidates (meta-carried first) may become the focus, and may take a
/// subheading: a lower one is no longer the story's topic ("container terminal" is not what
/// a story about a fire in Gdansk is found by).
pub(crate) const SETTLE_CANDIDATES: usize = 3;

/// The focus keyphrase and the meta description written around it. Every candidate is already
/// in the headline or lead; of the best few, the one that a subheading carries and the meta
/// description can carry wins, then one that either carries, then the best candidate.
/// `meta_for` writes the meta description for a focus (or for none).
pub(crate) fn settle_focus(
    candidates: &[String],
    article: &Article,
    meta_for: impl Fn(Option<&str>) -> String,
) -> (Option<String>, String) {
    let headed = |c: &str| article.sections.iter().any(|s| has_phrase(&s.heading, c));
    let mut best: Option<(u8, String, String)> = None;
    for c in candidates.iter().take(SETTLE_CANDIDATES) {
        let meta = meta_for(Some(c));
        let score = 2 * u8::from(headed(c)) + u8::from(has_phrase(&meta, c));
        if best.as_ref().is_none_or(|(b, _, _)| score > *b) {
            let full = score == 3;
            best = Some((score, c.clone(), meta));
            if full {
                break;
            }
        }
    }
    match best {
        Some((_, focus, meta)) => (Some(focus), meta),
        None => (None, meta_for(None)),
    }
}

/// The candidates reordered so that those the meta description can carry come first (among
/// the best [`SETTLE_CANDIDATES`]; the order is otherwise kept). The article is composed with this order, so
/// the subheading it gives the focus goes to a candidate the meta description carries too.
pub(crate) fn meta_first(
    candidates: &[String],
    meta_for: impl Fn(Option<&str>) -> String,
) -> Vec<String> {
    let (mut carried, mut rest): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (k, c) in candidates.iter().enumerate() {
        if k < SETTLE_CANDIDATES && has_phrase(&meta_for(Some(c)), c) {
            carried.push(c.clone());
        } else {
            rest.push(c.clone());
        }
    }
    carried.extend(rest);
    carried
}

/// Without entity types: a capitalised word shaped like a nationality ("German", "Japanese",
/// "British", "Pakistani").
fn is_demonym_shaped(word: &str) -> bool {
    const SHORT: &[&str] = &[
        "French", "Dutch", "Greek", "Swiss", "Thai", "Welsh", "Czech", "German",
    ];
    let lower = word.to_lowercase();
    word.starts_with(char::is_uppercase)
        && (word.chars().count() > 4 || SHORT.contains(&word))
        && ([
            "ish", "ese", "ian", "ean", "can", "yan", "ban", "ani", "aqi", "eli", "udi",
        ]
        .iter()
        .any(|e| lower.ends_with(e))
            || SHORT.contains(&word))
}

/// Where a focus candidate comes from, which sets how often it must recur and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A salient name.
    Name,
    /// A lone nationality or MISC word: weighed down.
    LoneMisc,
    /// A run of topic words in the headline.
    HeadlinePhrase,
    /// A two-word run of the lead without a word that may be a verb.
    LeadPhrase,
    /// A lone noun-shaped headline word: must recur in three sentences, weighed down.
    LoneWord,
}

impl Kind {
    /// Sentences that must carry the candidate.
    fn min_recurrence(self) -> usize {
        match self {
            Kind::LoneWord => 3,
            _ => 2,
        }
    }
}

/// Focus keyphrase candidates, best first (see [`focus_keyphrase`]).
pub(crate) fn focus_candidates(doc: &Doc, terms: &[Term], lead: &str) -> Vec<String> {
    let lead_text: String = if lead.is_empty() {
        doc.sentences
            .iter()
            .take(LEAD_SENTENCES)
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        lead.to_string()
    };
    let top = terms
        .iter()
        .map(|t| t.score)
        .fold(0.0f32, f32::max)
        .max(1e-6);
    // A lone nationality or other MISC word ("German", "Japanese") names no topic a reader
    // searches for: it stays a candidate, behind the rest.
    let names = terms.iter().take(NAMES).map(|t| {
        let lone_misc = !t.name.contains(' ')
            && match t.kind {
                Some(kind) => kind == EntityKind::Misc,
                None => is_demonym_shaped(&t.name),
            };
        let kind = if lone_misc {
            Kind::LoneMisc
        } else {
            Kind::Name
        };
        (t.name.clone(), kind, t.score / top)
    });
    // Phrases: the headline's runs of topic words, the lead's two-word runs ("oil prices",
    // "trade gap"; English only, as without a part-of-speech guess a run may be a verb phrase)
    // and, weighed down, a lone topic word of the headline ("tobacco").
    let lead_runs: Vec<String> = if doc.lang == crate::lang::Lang::En {
        topic_runs(doc, &lead_text, 2)
            .into_iter()
            .filter(|r| !r.split(' ').any(crate::clause::may_be_verb))
            .collect()
    } else {
        Vec::new()
    };
    let headline_words: Vec<String> = doc
        .headline
        .split_whitespace()
        .filter(|w| topic_word(doc, w))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| w.starts_with(char::is_lowercase) && topic_noun_shaped(w))
        .collect();
    let phrases = headline_phrases(doc)
        .into_iter()
        .map(|p| (p, Kind::HeadlinePhrase, 0.0))
        .chain(lead_runs.into_iter().map(|p| (p, Kind::LeadPhrase, 0.0)))
        .chain(headline_words.into_iter().map(|w| (w, Kind::LoneWord, 0.0)));
    let mut scored: Vec<(f32, String)> = Vec::new();
    let headline = doc.headline.to_lowercase();
    let lead_lower = lead_text.to_lowercase();
    let sentences: Vec<String> = doc
        .sentences
        .iter()
        .map(|s| s.text.to_lowercase())
        .collect();
    for (candidate, kind, salience) in phrases.chain(names) {
        let needle = candidate.to_lowercase();
        let in_headline = find_lower(&headline, &needle).is_some();
        let in_lead = find_lower(&lead_lower, &needle).is_some();
        if !(in_headline || in_lead) {
            continue;
        }
        // A name stands capitalised as it is written ("City" is not "the city's").
        if matches!(kind, Kind::Name | Kind::LoneMisc)
            && whole_word_offsets(&doc.headline, &candidate)
                .next()
                .is_none()
            && whole_word_offsets(&lead_text, &candidate).next().is_none()
        {
            continue;
        }
        let recurs = sentences
            .iter()
            .filter(|s| find_lower(s, &needle).is_some())
            .count();
        // The headline counts as one appearance: a name in the headline and one body sentence
        // ("... in Galicia" / "The regional government of Galicia ...") recurs.
        let appears = recurs + usize::from(in_headline);
        let regular = appears >= kind.min_recurrence();
        // Anything in the headline that the body carries once is the last resort ("Parmalat
        // boasts doubled profits" / "Parmalat, the Italian food group, ..."): the article still
        // has a focus for its headline, lead and meta description.
        let last_resort = in_headline && recurs >= 1;
        if !regular && !last_resort {
            continue;
        }
        let words = candidate.split_whitespace().count() as f32;
        let base = if regular { 0.0 } else { -100.0 };
        // The headline is what a reader searches for: standing in it outweighs recurring in
        // more than a few sentences ("Galicia" in the headline over "A Coruña" in six).
        let score = base
            + recurs.min(5) as f32 * (1.0 + 0.3 * (words - 1.0))
            + if in_headline { 5.0 } else { 0.0 }
            + 2.0 * salience;
        let score = if matches!(kind, Kind::LoneMisc | Kind::LoneWord) {
            0.3 * score
        } else {
            score
        };
        if !scored
            .iter()
            .any(|(_, c)| c.eq_ignore_ascii_case(&candidate))
        {
            scored.push((score, candidate));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let body: String = doc
        .sentences
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    scored
        .into_iter()
        .map(|(_, phrase)| as_written(&body, &phrase).unwrap_or(phrase))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::{Entities, Section, Story};

    fn article_with(headings: &[&str]) -> Article {
        Article {
            lead: "Lead.".into(),
            sections: headings
                .iter()
                .map(|h| Section {
                    heading: h.to_string(),
                    paragraphs: vec!["Text.".into()],
                })
                .collect(),
            short: false,
            links: Vec::new(),
        }
    }

    #[test]
    fn the_settled_focus_is_the_candidate_a_subheading_and_the_meta_can_both_carry() {
        let candidates = vec![
            "Bergen".to_string(),
            "ferry traffic".to_string(),
            "harbour strike".to_string(),
        ];
        let article = article_with(&[
            "Harbour strike enters its third day",
            "Ferry traffic resumes at noon",
        ]);
        // Only the meta written around "ferry traffic" can carry it; "harbour strike" is in a
        // subheading but no meta carries it.
        let meta_for = |f: Option<&str>| match f {
            Some("ferry traffic") => "Ferry traffic out of Bergen stopped on Monday.".to_string(),
            _ => "Workers walked out on Monday.".to_string(),
        };
        let (focus, meta) = settle_focus(&candidates, &article, meta_for);
        assert_eq!(focus.as_deref(), Some("ferry traffic"));
        assert!(has_phrase(&meta, "ferry traffic"), "{meta}");
        // Nothing carries anything: the best candidate, with the meta written for it.
        let (focus, _) = settle_focus(&candidates, &article_with(&["Talks", "Outlook"]), |_| {
            "None.".into()
        });
        assert_eq!(focus.as_deref(), Some("Bergen"));
        // No candidate: no focus, the plain meta.
        let (focus, meta) = settle_focus(&[], &article, |f| format!("{f:?}"));
        assert_eq!((focus, meta.as_str()), (None, "None"));
    }

    #[test]
    fn the_focus_is_a_headline_phrase_or_name_that_recurs_in_the_body() {
        let story = Story::new(
            "g",
            "Harbour strike halts ferry traffic in Bergen",
            vec![
                "A harbour strike halted ferry traffic in Bergen on Monday.".into(),
                "The ferry traffic to the islands was the first to stop.".into(),
                "Union leaders said the harbour strike would last a week.".into(),
                "Ferry traffic could resume on Friday if talks succeed.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        let terms = crate::salience::salient_terms(&doc, &Entities::default());
        let focus = focus_keyphrase(&doc, &terms, "").expect("a focus");
        assert!(
            ["ferry traffic", "harbour strike"].contains(&focus.to_lowercase().as_str()),
            "{focus}"
        );
        assert!(has_phrase(&story.headline, &focus));
    }

    #[test]
    fn a_lone_nationality_is_no_focus_when_a_name_or_phrase_can_be() {
        for w in [
            "German",
            "Japanese",
            "British",
            "Pakistani",
            "French",
            "Norwegian",
        ] {
            assert!(is_demonym_shaped(w), "{w}");
        }
        for w in ["Japan", "Germany", "Oslo", "Chelsea", "UK", "german"] {
            assert!(!is_demonym_shaped(w), "{w}");
        }
        let story = Story::new(
            "g",
            "German carmaker Volkswagen cuts output",
            vec![
                "German carmaker Volkswagen cut its output on Monday.".into(),
                "Volkswagen said German demand had fallen.".into(),
                "German suppliers and Volkswagen dealers expect a slow spring.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        let terms = vec![
            Term {
                name: "German".into(),
                kind: None,
                score: 3.0,
            },
            Term {
                name: "Volkswagen".into(),
                kind: Some(EntityKind::Org),
                score: 2.5,
            },
        ];
        assert_eq!(
            focus_keyphrase(&doc, &terms, "").as_deref(),
            Some("Volkswagen")
        );
    }

    #[test]
    fn a_recurring_phrase_of_the_lead_or_a_lone_headline_noun_can_be_the_focus() {
        // No name recurs; the lead's "oil prices" does.
        let story = Story::new(
            "g",
            "Cold snap lifts crude",
            vec![
                "Oil prices rose on Wednesday as cold weather spread.".into(),
                "Traders said oil prices could climb further this week.".into(),
                "Analysts expect oil prices to ease in spring.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        let terms = crate::salience::salient_terms(&doc, &Entities::default());
        let cands = focus_candidates(&doc, &terms, "");
        assert_eq!(
            cands.first().map(String::as_str),
            Some("Oil prices"),
            "{cands:?}"
        );
        // A lone headline noun recurring three times, when nothing else does.
        let story = Story::new(
            "g",
            "Court rejects tobacco case",
            vec![
                "An appeal court threw out a claim against tobacco firms on Friday.".into(),
                "The claim said tobacco makers hid the risks for decades.".into(),
                "Lawyers for the tobacco industry welcomed the ruling.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        let terms = crate::salience::salient_terms(&doc, &Entities::default());
        let cands = focus_candidates(&doc, &terms, "");
        assert!(cands.iter().any(|c| c == "tobacco"), "{cands:?}");
        // Verb-shaped headline words never are ("rejects").
        assert!(
            !cands.iter().any(|c| c.eq_ignore_ascii_case("rejects")),
            "{cands:?}"
        );
    }

    #[test]
    fn a_name_in_headline_and_lead_that_never_recurs_is_the_last_resort() {
        let story = Story::new(
            "g",
            "Acmeco doubles its profits",
            vec![
                "Acmeco, the Italian food group, has reported a doubling in profit.".into(),
                "Its earnings in the fourth quarter were 77m euros.".into(),
                "The firm was fined for breaking takeover rules.".into(),
            ],
        );
        let doc = Doc::from_story(&story);
        let terms = vec![Term {
            name: "Acmeco".into(),
            kind: Some(EntityKind::Org),
            score: 1.0,
        }];
        assert_eq!(focus_keyphrase(&doc, &terms, "").as_deref(), Some("Acmeco"));
    }

    #[test]
    fn candidates_the_meta_description_carries_come_first() {
        let cands: Vec<String> = ["Bergen", "ferry traffic", "harbour strike"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let meta_for = |f: Option<&str>| match f {
            Some("harbour strike") => "The harbour strike went on.".to_string(),
            _ => "Nothing here.".to_string(),
        };
        assert_eq!(
            meta_first(&cands, meta_for),
            vec!["harbour strike", "Bergen", "ferry traffic"]
        );
    }

    #[test]
    fn a_case_change_that_alters_byte_lengths_never_panics() {
        for text in [
            "İstanbul İSTANBUL istanbul",
            "Ärzte in İzmir und Berlin",
            "ǅ ǆ berlin",
        ] {
            for phrase in ["istanbul", "berlin", "izmir", "İzmir", "ärzte"] {
                let _ = as_written(text, phrase);
            }
        }
        assert_eq!(
            as_written("Big Berlin day", "berlin").as_deref(),
            Some("Berlin")
        );
        assert_eq!(
            as_written("İ Berlin", "berlin").as_deref(),
            Some("berlin"),
            "lengths differ: the phrase itself"
        );
    }

    #[test]
    fn whole_words_only() {
        assert!(has_phrase("The Port of Oslo grew.", "port of oslo"));
        assert!(!has_phrase("Portugal grew.", "port"));
    }
}
