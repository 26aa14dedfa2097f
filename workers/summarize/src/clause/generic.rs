//! Headline clauses for languages other than English (German, Italian, Norwegian, Finnish,
//! French, Spanish). Without a part-of-speech model for them the rule is stricter than in
//! English: a heading is a whole clause, never a clause cut inside. It is the sentence, or its
//! first clause up to a comma, a dash or a word that opens a subordinate clause ("weil",
//! "che", "que", "som", "koska") after a comma, after dropping a leading conjunction, an
//! attribution ("X sagte, ...", "secondo X, ...") and, in German, a leading article ("Die
//! Polizei nahm ... fest" gives "Polizei nahm ... fest"). A comma that closes a subject or an
//! appositive gives no heading. The clause must have 3-10 words and must not end
//! on a stopword of its language ("Die Extremisten sind" is refused: "sind" is one). German
//! puts the non-finite verb at the end of its clause, so a German clause is only ever taken up
//! to punctuation, and a reported "dass"-clause (verb-final) is never a heading.

use super::{Clause, MIN_WORDS};

/// Most words in a whole-clause heading: a little more room than English's eight, because these
/// headings are never cut inside a clause.
const MAX_WORDS: usize = 10;
/// "And" in each language: it joins words ("mellom Hurum og Oslo") as often as clauses, so it
/// ends a clause only after a comma.
const AND_WORDS: &[&str] = &["und", "e", "ed", "og", "ja", "sekä", "et", "y", "and"];
use crate::lang::{is_conjunction, Lang};

fn core(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

fn ends_clause(token: &str) -> bool {
    token.ends_with([',', ';', ':', '.', '!', '?'])
}

fn is_dash(token: &str) -> bool {
    matches!(token, "-" | "–" | "—" | "--")
}

/// True for a sentence that is someone's words, or a question.
fn is_speech_or_question(sentence: &str) -> bool {
    let s = sentence.trim();
    s.starts_with(['"', '“', '„', '«', '»', '‘', '\'', '–', '—'])
        || s.ends_with('?')
        || s.ends_with(':')
        || s.matches('"').count() % 2 == 1
}

/// Drops a trailing attribution: "..., sagte der Minister." keeps what comes before.
fn before_attribution<'a>(lang: Lang, tokens: &'a [&'a str]) -> &'a [&'a str] {
    let reporting = lang.profile().reporting;
    for (i, w) in tokens.iter().enumerate() {
        if i > 0 && reporting.contains(&core(w).as_str()) && tokens[i - 1].ends_with(',') {
            return &tokens[..i];
        }
    }
    tokens
}

/// "X sagte/ha detto/dijo (, ) que CLAUSE": the reported clause, for the languages whose
/// subordinate clauses keep main-clause order; `None` when the sentence opens with an
/// attribution whose clause cannot be used.
fn reported_clause<'a>(lang: Lang, tokens: &'a [&'a str]) -> Option<&'a [&'a str]> {
    let p = lang.profile();
    let verb = tokens
        .iter()
        .take(10)
        .position(|w| p.reporting.contains(&core(w).as_str()));
    let Some(v) = verb else { return Some(tokens) };
    if tokens[..v].iter().any(|w| ends_clause(w)) {
        return Some(tokens); // the verb belongs to a later clause
    }
    let comp = tokens[v + 1..]
        .iter()
        .take(6)
        .position(|w| p.complementizers.contains(&core(w).as_str()))
        .map(|c| v + 1 + c)?;
    if lang.profile().reported_order_changes {
        return None; // "dass" clauses put the verb last; Norwegian "at" clauses move adverbs
    }
    Some(&tokens[comp + 1..])
}

/// The headline clause of a sentence in `lang`, or `None` when no whole clause fits.
pub(crate) fn generic_clause(lang: Lang, sentence: &str) -> Option<Clause> {
    if is_speech_or_question(sentence) {
        return None;
    }
    let all: Vec<&str> = sentence.split_whitespace().collect();
    let trimmed = before_attribution(lang, &all);
    let mut words: &[&str] = reported_clause(lang, trimmed)?;
    let p = lang.profile();
    while words
        .first()
        .is_some_and(|w| is_conjunction(lang, w) || is_dash(w))
    {
        words = &words[1..];
    }
    let article = |w: &&str| p.articles.contains(&core(w).as_str());
    // A short opening phrase set off by a comma ("Am Montag, ..." / "Secondo la polizia, ...").
    if let Some(i) = words.iter().take(5).position(|w| w.ends_with(',')) {
        let opener = words
            .first()
            .is_some_and(|w| lang.is_stopword(&core(w)) && !article(w));
        if opener && words.len() > i + MIN_WORDS {
            words = &words[i + 1..];
        }
    }
    let mut out: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let c = core(w);
        // A clause word ends the clause after a comma ("..., che"); without one it may open
        // the object the verb needs ("pidió a los vecinos que ..."), so the clause runs on.
        let after_comma = i > 0 && words[i - 1].ends_with(',');
        let but = p.conjunctions.contains(&c.as_str()) && !AND_WORDS.contains(&c.as_str());
        let opens = but
            || (after_comma
                && (p.clause_words.contains(&c.as_str()) || AND_WORDS.contains(&c.as_str())));
        if i > 0 && (is_dash(w) || w.starts_with('(') || opens) {
            break;
        }
        if ends_clause(w) {
            // A comma ends the clause only before a new clause (a conjunction, a relative or
            // reporting word); before anything else it closes a subject or an appositive
            // ("Il direttore del museo, il sig. Ferri, ha detto ...").
            let next = words.get(i + 1).map(|n| core(n));
            let new_clause = next.as_deref().is_none_or(|n| {
                p.clause_words.contains(&n)
                    || p.conjunctions.contains(&n)
                    || p.reporting.contains(&n)
                    || p.complementizers.contains(&n)
                    || (lang == Lang::De && p.articles.contains(&n))
            });
            if w.ends_with(',') && !new_clause {
                return None;
            }
            out.push(w.trim_end_matches([',', ';', ':', '.', '!', '?']));
            break;
        }
        out.push(w);
    }
    let capital_next = out
        .get(1)
        .is_some_and(|w| w.starts_with(char::is_uppercase));
    if p.drop_articles && out.first().is_some_and(article) && capital_next {
        out.remove(0);
    }
    let last = out.last().map(|w| core(w)).unwrap_or_default();
    let first = out.first().map(|w| core(w)).unwrap_or_default();
    let fits = (MIN_WORDS..=MAX_WORDS).contains(&out.len());
    // "Kroatien hatte bereits angekündigt, ...": a verb of saying owes what was said.
    let bad = last.is_empty()
        || lang.is_stopword(&last)
        || p.reporting.contains(&last.as_str())
        || (lang.is_stopword(&first) && !out.first().is_some_and(article))
        || out
            .iter()
            .any(|w| w.contains(['"', '“', '”', '„', '«', '»', '(', ')', ':', '/']));
    if !fits || bad {
        return None;
    }
    let text = out.join(" ");
    let mut chars = text.chars();
    let text: String = chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    Some(Clause {
        text,
        trimmed: false,
        verb: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(lang: Lang, s: &str) -> Option<String> {
        generic_clause(lang, s).map(|c| c.text)
    }

    #[test]
    fn german_headings_are_whole_clauses_without_the_article() {
        assert_eq!(
            clause(
                Lang::De,
                "Die Polizei nahm am Montag drei Männer fest, die Fahrräder gestohlen hatten."
            )
            .as_deref(),
            Some("Polizei nahm am Montag drei Männer fest")
        );
        assert_eq!(
            clause(
                Lang::De,
                "Die Extremisten sind, so die Behörde, gefährlich."
            ),
            None
        );
        assert_eq!(
            clause(
                Lang::De,
                "Der Minister sagte, dass die Brücke im Mai öffnen werde."
            ),
            None,
            "a dass-clause puts its verb last"
        );
        assert_eq!(
            clause(
                Lang::De,
                "Die Fähre nach Kiel fährt wieder planmäßig, sagte ein Sprecher."
            )
            .as_deref(),
            Some("Fähre nach Kiel fährt wieder planmäßig"),
            "the attribution after the comma goes"
        );
    }

    #[test]
    fn a_verb_of_saying_never_ends_a_heading() {
        assert_eq!(
            clause(
                Lang::De,
                "Kroatien hatte bereits angekündigt, den Schiedsspruch nicht anzuerkennen."
            ),
            None
        );
    }

    #[test]
    fn a_subject_set_off_by_commas_is_no_heading() {
        assert_eq!(clause(Lang::It, "Il direttore del museo, il sig. Marco Ferri, ha detto che i visitatori raddoppieranno."), None);
        assert_eq!(
            clause(
                Lang::No,
                "Prosjektleder Kari Nilsen sier at arbeidet ikke kan vente lenger."
            ),
            None,
            "a Norwegian at-clause puts the adverb before the verb"
        );
    }

    #[test]
    fn romance_and_nordic_headings_keep_their_clause_and_drop_attribution() {
        assert_eq!(
            clause(
                Lang::It,
                "Il sindaco ha detto che il nuovo ponte aprirà a maggio."
            )
            .as_deref(),
            Some("Il nuovo ponte aprirà a maggio")
        );
        assert_eq!(
            clause(
                Lang::Es,
                "El ayuntamiento aprobó el presupuesto del puerto, que crecerá un 12%."
            )
            .as_deref(),
            Some("El ayuntamiento aprobó el presupuesto del puerto")
        );
        assert_eq!(
            clause(
                Lang::Es,
                "Pidió a los vecinos que redujeran el consumo en un diez por ciento."
            ),
            None
        );
        assert_eq!(
            clause(
                Lang::No,
                "Men kommunen stengte fergekaia etter stormen i helgen."
            )
            .as_deref(),
            Some("Kommunen stengte fergekaia etter stormen i helgen"),
            "a leading conjunction goes"
        );
        assert_eq!(
            clause(
                Lang::Fi,
                "Kaupunki sulki sataman, koska myrsky katkaisi sähköt."
            )
            .as_deref(),
            Some("Kaupunki sulki sataman")
        );
        assert_eq!(
            clause(
                Lang::Fr,
                "« Nous reconstruirons le port », a déclaré le maire."
            ),
            None
        );
    }
}
