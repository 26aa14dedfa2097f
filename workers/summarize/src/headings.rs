//! Plain subheadings an editor would write: the headline clause (see `clause`) of the section's
//! most central sentence, falling back to its dominant names and key phrase.

use crate::clause::{
    cut_before_complement, headline_clause_in, is_acronym, noun_phrase_after, stands_alone,
};
use crate::lang::Lang;
use crate::salience::Term;
use crate::text::{content_words_in, is_stopword};
use std::collections::{HashMap, HashSet};

/// Headings an editor would strike: they say nothing about the section.
const EMPTY_HEADINGS: &[&str] = &["introduction", "conclusion", "summary", "overview"];
/// Fallbacks when a section has neither a name nor a repeated phrase.
pub(crate) const FALLBACKS: &[&str] = &[
    "Further details",
    "Other details",
    "More details",
    "Additional details",
    "Remaining details",
    "Final details",
];

/// Function words outside `STOPWORDS` that a heading must not end on either.
#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "within", "without", "among", "amid", "across", "around", "per", "upon", "via", "towards",
    "toward", "near", "whether", "although", "though", "unless", "since", "onto", "beyond",
    "behind", "despite", "according", "including", "versus", "whose", "mr", "mrs", "ms", "dr", "de",
    "la", "von", "van", "der", "del", "le", "except", "whom", "quite", "rather", "almost",
    "nearly", "already", "merely", "somewhat",
];

/// True when a heading ends on a word that leaves it hanging: a stopword (bar the topic words
/// "year(s)", "one", "two") or other function word ("Overpaid rent within"), or a word in -ing
/// that is not a progressive after a form of "be" ("Independent councillors abstaining"; nouns
/// such as "housing" count too, which keeps the rule and its measurement simple). Acronyms
/// and capitalised words after the first ("US", "in May") are names, not function words.
pub(crate) fn ends_on_fragment(heading: &str) -> bool {
    ends_on_fragment_words(&heading.split_whitespace().collect::<Vec<_>>())
}

/// [`ends_on_fragment`] for a heading already split into words.
pub(crate) fn ends_on_fragment_words(words: &[&str]) -> bool {
    let Some(last) = words.last().copied() else {
        return true;
    };
    if is_acronym(last) {
        return false;
    }
    let lower = bare(last).to_lowercase();
    let before = words
        .len()
        .checked_sub(2)
        .map(|i| bare(words[i]).to_lowercase());
    let progressive =
        before.is_some_and(|b| matches!(b.as_str(), "is" | "are" | "was" | "were" | "be" | "been"));
    let topic = matches!(lower.as_str(), "year" | "years" | "one" | "two");
    // "in May", "against the US": a capital past the first word makes a name of a stopword.
    let name = words.len() > 1 && last.starts_with(char::is_uppercase);
    lower.is_empty()
        || (is_stopword(&lower) && !topic && !name)
        || FUNCTION_WORDS.contains(&lower.as_str())
        || (lower.ends_with("ing") && !progressive)
}

/// True for a subheading that says nothing about its section ("Introduction", "Conclusion").
pub(crate) fn is_empty_heading(heading: &str) -> bool {
    EMPTY_HEADINGS.contains(&heading.trim().trim_end_matches(':').to_lowercase().as_str())
}

/// What a section's subheading is chosen with, beyond its sentences.
pub(crate) struct HeadingContext<'a> {
    /// The story's language.
    pub lang: Lang,
    /// The story's salient names.
    pub terms: &'a [Term],
    /// Subheadings already used in the article.
    pub used: &'a [String],
    /// The focus keyphrase, when this section should carry it in its subheading.
    pub focus: Option<&'a str>,
}

/// A heading the section can take: not used yet, not empty words, and (English) not cut
/// before the complement its sentence owes it ("Saab's failure | to make inroads").
fn usable(lang: Lang, heading: &str, used: &[String], section: &str) -> bool {
    !used.iter().any(|u| u.eq_ignore_ascii_case(heading))
        && !is_empty_heading(heading)
        && !(lang == Lang::En && cut_before_complement(heading, section))
}

/// True when `text` contains `phrase`, ignoring case.
pub(crate) fn contains_ci(text: &str, phrase: &str) -> bool {
    !phrase.is_empty() && text.to_lowercase().contains(&phrase.to_lowercase())
}

/// The subheading for one section, different from those already used: the headline clause of
/// its most central sentence (one carrying the focus keyphrase, when asked and possible), else
/// (no sentence gives one) its names and key phrase.
pub(crate) fn heading_for(sentences: &[String], cx: &HeadingContext<'_>) -> String {
    let text = sentences.join(" ");
    let names = dominant_names(&text, cx.terms);
    let used = cx.used;
    let fresh = |c: &str| usable(cx.lang, c, used, &text);
    let words: Vec<HashSet<String>> = sentences
        .iter()
        .map(|s| content_words_in(cx.lang, s).into_iter().collect())
        .collect();
    let mut clauses: Vec<(f32, usize, String)> = sentences
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let clause = headline_clause_in(cx.lang, s)?;
            let score = centrality(cx.lang, &clause.text, i, &words, &names);
            let score = if clause.trimmed { 0.6 * score } else { score };
            let score = if clause.verb { score } else { 0.4 * score };
            let focused = cx.focus.is_some_and(|f| contains_ci(&clause.text, f));
            let score = if focused { score + 100.0 } else { score };
            Some((score, i, clause.text))
        })
        .collect();
    // The focus stands inside a sentence, not at its head: the clause it opens ("..., Umbro
    // signed a deal with Rangers", "... said Japan had signed up") can head the section.
    if let Some(f) = cx.focus {
        if !clauses
            .iter()
            .any(|(_, _, c)| contains_ci(c, f) && fresh(c))
        {
            for (i, s) in sentences.iter().enumerate() {
                for start in clause_openings(cx.lang, s, f) {
                    let Some(clause) = headline_clause_in(cx.lang, &s[start..]) else {
                        continue;
                    };
                    if !contains_ci(&clause.text, f) || !clause.verb {
                        continue;
                    }
                    let score = centrality(cx.lang, &clause.text, i, &words, &names);
                    let score = if clause.trimmed { 0.6 * score } else { score };
                    clauses.push((score + 90.0, i, clause.text));
                }
            }
            // No clause carries it: the noun phrase it opens ("Labor Department figures").
            if cx.lang == Lang::En
                && !clauses
                    .iter()
                    .any(|(_, _, c)| contains_ci(c, f) && fresh(c))
            {
                for (i, s) in sentences.iter().enumerate() {
                    if let Some(np) = noun_phrase_after(s, f) {
                        clauses.push((80.0 - i as f32, i, np));
                    }
                }
            }
        }
    }
    clauses.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if let Some((_, _, heading)) = clauses.into_iter().find(|(_, _, c)| fresh(c)) {
        return heading;
    }
    fallback(cx.lang, sentences, &text, &names, used)
}

/// A topic subheading that carries the focus keyphrase, for a section whose text has it when no
/// clause could: the focus joined to the section's other leading name or key phrase ("India and
/// foreign investors", "Labor Department and President Bush"). Every word comes from the
/// section; `None` when the section has no such partner or the result is already used.
pub(crate) fn focus_heading(
    sentences: &[String],
    focus: &str,
    cx: &HeadingContext<'_>,
) -> Option<String> {
    let text = sentences.join(" ");
    let written = crate::focus::as_written(&text, focus)?;
    let written = written.as_str();
    let overlaps = |other: &str| contains_ci(other, focus) || contains_ci(focus, other);
    let names = dominant_names(&text, cx.terms);
    let partner_name = names.iter().find(|n| !overlaps(n) && n.chars().count() > 2);
    let phrases = key_phrases(cx.lang, sentences, &names);
    let partner_phrase = phrases
        .iter()
        .find(|p| !overlaps(p) && phrase_stands_alone(cx.lang, p));
    let and = cx.lang.and_word();
    [partner_name.cloned(), partner_phrase.cloned()]
        .into_iter()
        .flatten()
        .map(|p| capitalise(&format!("{written} {and} {p}")))
        .find(|h| h.split_whitespace().count() <= 8 && usable(cx.lang, h, cx.used, &text))
}

/// Words after which a new clause opens with its own subject: conjunctions and reporting verbs
/// ("and Umbro said", "said Japan had signed"). English only; other languages take the phrase
/// after a comma or semicolon.
const CLAUSE_OPENERS: &[&str] = &[
    "and",
    "but",
    "while",
    "whereas",
    "as",
    "after",
    "when",
    "because",
    "since",
    "although",
    "though",
    "that",
    "said",
    "says",
    "added",
    "announced",
    "confirmed",
    "reported",
    "warned",
];

/// Byte offsets inside `sentence` (never 0) where `phrase` opens a clause: it follows a comma,
/// semicolon or dash, or (English) one of [`CLAUSE_OPENERS`].
fn clause_openings(lang: Lang, sentence: &str, phrase: &str) -> Vec<usize> {
    let lower = sentence.to_lowercase();
    let needle = phrase.to_lowercase();
    if needle.is_empty() || lower.len() != sentence.len() {
        return Vec::new();
    }
    crate::focus::whole_word_offsets(&lower, &needle)
        .filter(|&i| i > 0)
        .filter(|&i| {
            let before = lower[..i].trim_end();
            let previous = before.split_whitespace().next_back().unwrap_or("");
            before.ends_with([',', ';', '\u{2013}', '\u{2014}'])
                || (lang == Lang::En && CLAUSE_OPENERS.contains(&previous))
        })
        .collect()
}

/// How well a clause stands for its section: its topic words that other sentences of the section
/// share, the section's names it carries, and a little for coming first.
fn centrality(
    lang: Lang,
    clause: &str,
    index: usize,
    words: &[HashSet<String>],
    names: &[String],
) -> f32 {
    let mut own: Vec<String> = content_words_in(lang, clause);
    own.sort();
    own.dedup();
    let shared = own
        .iter()
        .map(|w| {
            words
                .iter()
                .enumerate()
                .filter(|(j, set)| *j != index && set.contains(w))
                .count() as f32
        })
        .sum::<f32>();
    let named = names
        .iter()
        .take(5)
        .filter(|n| clause.contains(n.as_str()))
        .count() as f32;
    shared + 1.5 * named + 1.0 / (1.0 + index as f32)
}

/// The fallback when no sentence gives a clause: a three-word key phrase, two leading names, a
/// shorter key phrase, a name, then stock phrases; never "Name: phrase", never a hanging end.
fn fallback(
    lang: Lang,
    sentences: &[String],
    text: &str,
    names: &[String],
    used: &[String],
) -> String {
    let stands_alone = |p: &str| phrase_stands_alone(lang, p);
    // A speaker's words are not the section's topic, when there is anything else.
    let unquoted: Vec<String> = sentences
        .iter()
        .filter(|s| !s.contains(['"', '“', '”', '„', '«', '»']))
        .cloned()
        .collect();
    let pool = if unquoted.is_empty() {
        sentences
    } else {
        &unquoted
    };
    let phrases: Vec<String> = key_phrases(lang, pool, names)
        .into_iter()
        .map(|p| capitalise(&p))
        .filter(|p| stands_alone(p))
        .collect();
    let long_phrase = phrases.iter().find(|p| p.split(' ').count() >= 3).cloned();
    // A name leads the heading only when the section is about it: named twice, or at its start.
    let leading = |n: &&String| {
        mentions(text, n) >= 2 || sentences.first().is_some_and(|s| mentions(s, n) > 0)
    };
    let fresh: Vec<&String> = names
        .iter()
        .filter(leading)
        .filter(|n| !used.iter().any(|u| u.starts_with(n.as_str())))
        .collect();
    let mut candidates: Vec<String> = Vec::new();
    if lang != Lang::En {
        // Without a part-of-speech model a run of content words may be a verb phrase
        // ("sequía puede durar"): a name that leads the section comes first.
        candidates.extend(fresh.iter().map(|n| n.to_string()));
    }
    candidates.extend(long_phrase);
    if let [a, b, ..] = fresh.as_slice() {
        if !a.contains(b.as_str()) && !b.contains(a.as_str()) {
            candidates.push(format!("{a} and {b}"));
        }
    }
    candidates.extend(phrases.into_iter().take(1));
    candidates.extend(fresh.iter().map(|n| n.to_string()));
    candidates.retain(|c| stands_alone(c));
    if lang == Lang::En {
        candidates.extend(FALLBACKS.iter().map(|s| s.to_string()));
    }
    candidates
        .into_iter()
        .find(|c| usable(lang, c, used, text))
        .unwrap_or_else(|| match lang {
            Lang::En => format!("Details, part {}", used.len() + 1),
            // No stock phrase in the story's language: its leading name or nothing.
            _ => names.first().cloned().unwrap_or_default(),
        })
}

/// True when a key phrase can stand as a heading: English by its grammar, other languages when
/// it does not end on a stopword.
fn phrase_stands_alone(lang: Lang, phrase: &str) -> bool {
    match lang {
        Lang::En => stands_alone(phrase),
        other => phrase
            .split_whitespace()
            .last()
            .is_some_and(|w| !other.is_stopword(&bare(w).to_lowercase())),
    }
}

/// Salient names that occur in the section, most frequent (weighted by salience) first.
fn dominant_names(text: &str, terms: &[Term]) -> Vec<String> {
    let max = terms
        .iter()
        .map(|t| t.score)
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let mut scored: Vec<(f32, &Term)> = terms
        .iter()
        .take(25)
        .filter_map(|t| {
            let count = mentions(text, &t.name);
            (count > 0).then(|| (count as f32 * (1.0 + t.score / max), t))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, t)| t.name.clone()).collect()
}

/// Times `name` occurs in `text` as whole words ("Parliament" is not in "Parliamentary").
fn mentions(text: &str, name: &str) -> usize {
    if name.is_empty() {
        return 0;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(name)
        .filter(|(i, _)| {
            !word(text[..*i].chars().next_back()) && !word(text[i + name.len()..].chars().next())
        })
        .count()
}

fn bare(token: &str) -> &str {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    t.strip_suffix("'s")
        .or_else(|| t.strip_suffix("’s"))
        .unwrap_or(t)
}

/// Two- and three-word runs of topic words in the section, as written, most repeated first.
fn key_phrases(lang: Lang, sentences: &[String], names: &[String]) -> Vec<String> {
    let name_words: Vec<String> = names
        .iter()
        .flat_map(|n| n.split(' ').map(str::to_lowercase))
        .collect();
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (order, sentence) in sentences.iter().enumerate() {
        let mut run: Vec<&str> = Vec::new();
        for raw in sentence.split_whitespace().chain(std::iter::once("")) {
            let word = bare(raw);
            let lower = word.to_lowercase();
            let usable = word.chars().count() > 2
                && word.chars().all(|c| c.is_alphabetic() || c == '-')
                && !lang.is_stopword(&lower)
                && !name_words.contains(&lower);
            if usable {
                run.push(word);
            }
            let breaks = !usable || raw.ends_with([',', '.', ';', ':', '?', '!']);
            if breaks {
                for n in [2usize, 3] {
                    for w in run.windows(n) {
                        let e = counts.entry(w.join(" ")).or_insert((0, order));
                        e.0 += n - 1;
                    }
                }
                run.clear();
            }
        }
    }
    let mut ranked: Vec<(String, (usize, usize))> = counts.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(a.1 .1.cmp(&b.1 .1))
            .then(a.0.cmp(&b.0))
    });
    ranked.into_iter().map(|(phrase, _)| phrase).collect()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::SourceIndex;

    fn term(name: &str, score: f32) -> Term {
        Term {
            name: name.into(),
            kind: None,
            score,
        }
    }

    fn section(sentences: &[&str]) -> Vec<String> {
        sentences.iter().map(|s| s.to_string()).collect()
    }

    fn hf(sentences: &[String], terms: &[Term], used: &[String]) -> String {
        let cx = HeadingContext {
            lang: Lang::En,
            terms,
            used,
            focus: None,
        };
        heading_for(sentences, &cx)
    }

    fn clause(sentence: &str) -> Option<String> {
        crate::clause::headline_clause(sentence).map(|c| c.text)
    }

    #[test]
    fn a_heading_is_the_clause_of_the_sections_central_sentence_not_name_colon_phrase() {
        let s = section(&[
            "The Harbour Authority approved the ferry timetable on Monday.",
            "Under the ferry timetable, boats leave every hour.",
        ]);
        let h = hf(
            &s,
            &[term("Harbour Authority", 3.0), term("Oslo", 5.0)],
            &[],
        );
        assert_eq!(h, "Harbour Authority approved the ferry timetable");
        assert!(!h.contains(':'));
    }

    #[test]
    fn attribution_is_stripped_before_and_after_the_clause() {
        assert_eq!(
            clause("The port authority said crews had restored power to 22,000 homes by Tuesday.")
                .as_deref(),
            Some("Crews restored power to 22,000 homes by Tuesday")
        );
        assert_eq!(
            clause(
                "Mayor Ana Lund, who chairs the board, said that the new bridge would open in May."
            )
            .as_deref(),
            Some("New bridge would open in May")
        );
        assert_eq!(
            clause("All ferry crossings were cancelled, the operator said.").as_deref(),
            Some("All ferry crossings cancelled")
        );
    }

    #[test]
    fn a_long_sentence_is_cut_at_a_clause_boundary_to_at_most_eight_words() {
        assert_eq!(
            clause(
                "Firefighters carried out more than 380 call-outs by evening, mostly for trees."
            )
            .as_deref(),
            Some("Firefighters carried out more than 380 call-outs")
        );
        assert_eq!(
            clause("The council approved a harbour budget which doubles spending on ferries.")
                .as_deref(),
            Some("Council approved a harbour budget")
        );
        assert_eq!(
            clause(
                "Train services between Vigo and Porto were suspended after a landslide near Tui."
            )
            .as_deref(),
            Some("Train services between Vigo and Porto suspended")
        );
    }

    #[test]
    fn a_clause_is_never_cut_before_what_finishes_it() {
        // The failures seen: an infinitive, a time phrase, a verb after "will likely".
        for (sentence, cut) in [
            ("Netanyahu has until late Wednesday to form a government or face new elections.", "Netanyahu has until late Wednesday"),
            ("The revelation surfaced days after the harbour board approved the new budget for berths.", "Revelation surfaced days"),
            ("The port will likely go to arbitration over the unpaid dredging bills next spring.", "Port will likely go"),
            ("Firefighters brought a fire at a battery recycling plant in the port under control on Tuesday.", "Firefighters brought a fire"),
        ] {
            let got = clause(sentence);
            assert_ne!(got.as_deref(), Some(cut), "{sentence}");
            if let Some(h) = got {
                assert!(!ends_on_fragment(&h), "{h}");
            }
        }
    }

    #[test]
    fn a_section_carries_the_focus_keyphrase_when_asked() {
        let s = section(&[
            "The harbour board approved four new berths on Monday.",
            "Ferry fares will rise by 12% in March to pay for the berths.",
        ]);
        let cx = HeadingContext {
            lang: Lang::En,
            terms: &[],
            used: &[],
            focus: Some("ferry fares"),
        };
        let h = heading_for(&s, &cx);
        assert!(h.starts_with("Ferry fares will rise"), "{h}");
    }

    #[test]
    fn a_focus_no_clause_carries_gets_a_topic_heading_from_the_sections_own_words() {
        // "India" stands only as an object: no clause opens with it.
        let s = section(&[
            "Potential foreign investors will need approval to invest in India.",
            "Foreign investors have waited two years for the telecoms rules.",
        ]);
        let terms = [term("India", 2.0)];
        let cx = HeadingContext {
            lang: Lang::En,
            terms: &terms,
            used: &[],
            focus: Some("India"),
        };
        let h = focus_heading(&s, "India", &cx).expect("a heading");
        assert!(h.starts_with("India and "), "{h}");
        assert!(has_all_words_of(&h, &s), "{h}");
        // The same heading is never used twice; a section without the focus gets none.
        let used = [h.clone()];
        let again = HeadingContext { used: &used, ..cx };
        assert_ne!(
            focus_heading(&s, "India", &again).as_deref(),
            Some(h.as_str())
        );
        assert_eq!(focus_heading(&s, "Norway", &cx), None);
        // Other languages join with their own "and".
        let de = section(&[
            "Die Regierung in Berlin plant neue Regeln für Mieter.",
            "Mieter in Berlin zahlen seit Jahren höhere Mieten.",
        ]);
        let terms = [term("Berlin", 2.0)];
        let cx = HeadingContext {
            lang: Lang::De,
            terms: &terms,
            used: &[],
            focus: Some("Berlin"),
        };
        let h = focus_heading(&de, "Berlin", &cx).expect("a heading");
        assert!(h.starts_with("Berlin und "), "{h}");
    }

    fn has_all_words_of(heading: &str, sentences: &[String]) -> bool {
        let text = sentences.join(" ").to_lowercase();
        heading
            .split_whitespace()
            .all(|w| w == "and" || text.contains(&w.to_lowercase()))
    }

    #[test]
    fn a_heading_cut_before_its_complement_is_never_used() {
        let text = "Saab's failure to make inroads in Europe hurt the brand. Sales fell again.";
        assert!(!usable(Lang::En, "Saab's failure", &[], text));
        assert!(usable(Lang::En, "Sales fell again", &[], text));
        assert!(!usable(
            Lang::En,
            "Sales fell again",
            &["sales fell again".into()],
            text
        ));
        assert!(!usable(Lang::En, "Introduction", &[], text));
    }

    #[test]
    fn the_focus_inside_a_sentence_heads_the_section_with_the_clause_it_opens() {
        let s = section(&[
            "The club said on Thursday that Umbro had signed a four-year kit deal with Rangers.",
            "Shares in the sportswear firm rose 2% in morning trade.",
        ]);
        let cx = HeadingContext {
            lang: Lang::En,
            terms: &[],
            used: &[],
            focus: Some("Umbro"),
        };
        let h = heading_for(&s, &cx);
        assert!(h.starts_with("Umbro"), "{h}");
        assert!(!ends_on_fragment(&h), "{h}");
        for (sentence, focus, np) in [
            (
                "The figures from the Labor Department showed 146,000 new jobs.",
                "Labor Department",
                None,
            ),
            (
                "The Labor Department figures showed 146,000 new jobs.",
                "Labor Department",
                Some("Labor Department figures"),
            ),
            (
                "Shares rose after Japan's economy grew 2%.",
                "Japan",
                Some("Japan's economy"),
            ),
            (
                "A strike at Umbro raises costs for the club.",
                "Umbro",
                None,
            ),
            (
                "Analysts said German unemployment figures rose again.",
                "German",
                Some("German unemployment figures"),
            ),
            ("They met in Japan on Monday.", "Japan", None),
            (
                "Profits rose at Japan's Nippon Steel last year.",
                "Japan",
                Some("Japan's Nippon Steel"),
            ),
            (
                "A letter from the UK's Department of Health arrived.",
                "UK",
                None,
            ),
            (
                "Chelsea wants to sign him, but the Bank remains, as ever, cautious.",
                "Chelsea",
                None,
            ),
            ("\"We will beat England,\" Healey said.", "England", None),
            ("The Bank remains in no hurry.", "Bank", None),
        ] {
            assert_eq!(
                noun_phrase_after(sentence, focus).as_deref(),
                np,
                "{sentence}"
            );
        }
        // The focus as an object opens no clause: "Shares in Umbro" is no heading of it.
        assert!(clause_openings(Lang::En, "Shares in Umbro rose 2%.", "Umbro").is_empty());
        assert_eq!(
            clause_openings(Lang::En, "Profits rose, and Umbro said so.", "Umbro"),
            vec![18]
        );
    }

    #[test]
    fn openers_articles_and_asides_are_dropped() {
        assert_eq!(
            clause("On Wednesday, the regional government raised its storm alert.").as_deref(),
            Some("Regional government raised its storm alert")
        );
        assert_eq!(
            clause("Last week the harbour board approved four new berths.").as_deref(),
            Some("Harbour board approved four new berths")
        );
        assert_eq!(
            clause("The ferry operator - owned by the city since 1990 - cut its fares.").as_deref(),
            Some("Ferry operator cut its fares")
        );
    }

    #[test]
    fn auxiliaries_are_dropped_only_where_the_meaning_survives() {
        // "had seen" is not "seen", and "they were told" is not "they told".
        assert_eq!(
            clause("Residents had seen the river rise twice.").as_deref(),
            Some("Residents had seen the river rise twice")
        );
        assert_eq!(clause("They were told to stay at home."), None);
        // A participle that lost its auxiliary is the main verb and may close a cut clause.
        assert_eq!(
            clause("A reward of 5,000 euros has been offered for information about the fire.")
                .as_deref(),
            Some("Reward of 5,000 euros offered")
        );
    }

    #[test]
    fn no_heading_hangs_on_a_function_word_or_a_dangling_fragment() {
        let tempting = [
            "The electricity distributor serving the region restored supply to the north.",
            "Two independent councillors were abstaining.",
            "Fishermen said they faced two days without going out to sea.",
            "Outside the courthouse, a crowd of tenants gathered.",
            "The outcome of the hearings could result in the charges being dropped.",
            "Schools in 43 towns were told to stay closed on Thursday.",
            "Government figures show that only a third of schools met the target.",
            "Rents in the old town have been rising.",
        ];
        for sentence in tempting {
            if let Some(h) = clause(sentence) {
                let words = h.split_whitespace().count();
                assert!((3..=8).contains(&words), "{h}");
                assert!(!ends_on_fragment(&h), "{h} (from: {sentence})");
                assert!(!h.contains(':') && !h.ends_with(['.', ',']), "{h}");
            }
        }
        assert!(ends_on_fragment("Electricity distributor serving"));
        assert!(ends_on_fragment("Overpaid rent within"));
        assert!(ends_on_fragment("Some do not feel quite"));
        assert_eq!(
            clause("It is the latest in a series of arrests at the port."),
            None
        );
        assert_eq!(clause("Subs not used: Berg, Dahl, Lund."), None);
        assert_ne!(
            clause("Most skippers saw the new quota as both good and bad for the harbour.")
                .as_deref(),
            Some("Most skippers saw the new quota as both good")
        );
        assert!(!ends_on_fragment("Rents in the old town are rising"));
        assert!(!ends_on_fragment("Talks with the US"));
    }

    #[test]
    fn quotes_and_questions_give_no_heading() {
        assert_eq!(
            clause("\"We will rebuild the pier,\" the mayor said."),
            None
        );
        assert_eq!(clause("Will the harbour reopen before the summer?"), None);
        assert_eq!(
            clause("The mayor called the new pier \"a disaster\" on Friday."),
            None
        );
    }

    #[test]
    fn every_word_of_a_heading_comes_from_its_section() {
        let sections = [
            section(&[
                "The Bergen Harbour Authority said that the expansion of the container port \
                 would cost 2.4 billion crowns.",
                "Work on the four new berths starts in March.",
            ]),
            section(&[
                "Residents of the Nordnes district collected 3,000 signatures for a sound wall.",
                "They opposed night-time loading.",
            ]),
            section(&[
                "\"It is a good day for the city,\" said Mayor Solberg.",
                "He smiled.",
            ]),
        ];
        let mut used = Vec::new();
        for s in &sections {
            let h = hf(s, &[term("Bergen Harbour Authority", 2.0)], &used);
            let text = s.join(" ");
            let source: HashSet<String> = text
                .split_whitespace()
                .map(|w| bare(w).to_lowercase())
                .collect();
            let is_stock = FALLBACKS.contains(&h.as_str());
            for w in h.split_whitespace() {
                assert!(
                    is_stock || source.contains(&bare(w).to_lowercase()),
                    "{w:?} of {h:?} is not in the section"
                );
            }
            assert!(SourceIndex::new(&text).unsupported(&h).is_empty(), "{h}");
            used.push(h);
        }
        assert_eq!(
            used,
            [
                "Expansion of the container port",
                "Residents of the Nordnes district collected 3,000 signatures",
                "Further details"
            ]
        );
    }

    #[test]
    fn with_no_usable_sentence_the_key_phrase_is_the_fallback() {
        let s = section(&[
            "\"We are proud of the new ferry timetable,\" she said.",
            "It starts the new ferry timetable in May.",
            "They want the new ferry timetable.",
        ]);
        assert_eq!(hf(&s, &[], &[]), "Ferry timetable");
    }

    #[test]
    fn a_name_counts_only_as_whole_words() {
        assert_eq!(
            mentions("Parliamentary rules bind Parliament.", "Parliament"),
            1
        );
        let s = section(&["He said the Parliamentary statement was fair.", "It was."]);
        let h = hf(&s, &[term("Parliament", 1.0)], &[]);
        assert!(!h.contains("Parliament ") && h != "Parliament", "{h}");
    }

    #[test]
    fn headings_are_never_repeated_and_never_empty_words() {
        let s = section(&["Nothing notable here at all."]);
        let first = hf(&s, &[], &[]);
        let second = hf(&s, &[], std::slice::from_ref(&first));
        assert_ne!(first, second);
        let clause_section = section(&["The harbour board approved four new berths."]);
        let a = hf(&clause_section, &[], &[]);
        let b = hf(&clause_section, &[], std::slice::from_ref(&a));
        assert_eq!(a, "Harbour board approved four new berths");
        assert_ne!(a.to_lowercase(), b.to_lowercase());
        for h in [first, second, a, b] {
            assert!(!EMPTY_HEADINGS.contains(&h.to_lowercase().as_str()));
        }
    }
}
