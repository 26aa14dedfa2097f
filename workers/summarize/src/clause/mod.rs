//! Headline clauses: a story sentence cut down to the short clause an editor would put over its
//! section ("Firefighters carried out more than 380 call-outs"). Words are only ever dropped,
//! never added or reordered, so a clause cannot say anything its sentence does not.
//!
//! Layout: this file holds the steps (asides, openers, appositives, attribution, the first
//! clause, auxiliaries, the fit to 3-8 words); `words` holds the word lists and word tests.

mod generic;
mod words;

use crate::headings::{ends_on_fragment, ends_on_fragment_words};
use crate::lang::Lang;
pub(crate) use words::is_acronym;
use words::*;

/// Fewest words in a headline clause.
pub(crate) const MIN_WORDS: usize = 3;
/// Most words in a headline clause.
pub(crate) const MAX_WORDS: usize = 8;

/// A headline clause and how it was cut.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Clause {
    /// The clause, sentence case, no trailing punctuation.
    pub text: String,
    /// True when words inside the clause were dropped to fit (not just a clause cut).
    pub trimmed: bool,
    /// True when it has a word that reads as a verb (else it is likely a bare noun phrase).
    pub verb: bool,
}

fn ends_clause(token: &str) -> bool {
    token.ends_with([',', ';', ':'])
}

/// True for a sentence that is someone's words: it opens with a quotation mark, or closes a
/// quotation it did not open (the end of a quote running over several sentences).
fn is_speech(sentence: &str) -> bool {
    let s = sentence.trim_start();
    let straight = s.matches('"').count();
    s.starts_with(['"', '“', '‘', '\'', '«'])
        || straight % 2 == 1
        || s.matches('”').count() > s.matches('“').count()
}

/// True for a word a heading may end on: whole (no "p.m." or "Spain's") and not verb-like
/// when the clause was trimmed ("Schools told" hangs).
fn ends_well(token: &str, trimmed: bool) -> bool {
    let core = token.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let abbreviation = core.contains('.') && !core.chars().any(|c| c.is_ascii_digit());
    let possessive = core.ends_with("'s") || core.ends_with("’s") || core.ends_with('\'');
    !core.is_empty()
        && !abbreviation
        && !possessive
        && !(trimmed
            && (is_participle(core) || is_in(IRREGULAR_PAST, core) || ends_with_ci(core, "ing")))
}

/// "Speaking on Monday, Mr X ..." / "Featuring Y, the song ...": an -ing opener whose comma is
/// followed by a new subject (not "Spending rises 4%, driven by ...").
fn participle_opener(first: &str, after_comma: Option<&str>) -> bool {
    let subject = after_comma.is_some_and(|w| {
        w.starts_with(char::is_uppercase)
            || is_in(&["the", "a", "an", "his", "her", "its", "their"], w)
    });
    ends_with_ci(first, "ing") && !first.contains('-') && subject
}

/// Drops connectives and a leading adverbial or dependent clause ("On Wednesday, ...").
fn strip_opening<'a>(mut t: &'a [&'a str]) -> &'a [&'a str] {
    for _ in 0..3 {
        let Some(first) = t.first() else { break };
        if is_in(CONNECTIVES, first) && (first.ends_with(',') || first.len() <= 4) {
            t = &t[1..];
        } else if let Some(i) =
            t.iter().take(12).position(|w| ends_clause(w)).filter(|&i| {
                is_in(OPENERS, first) || participle_opener(first, t.get(i + 1).copied())
            })
        {
            if t.len() <= i + MIN_WORDS {
                break;
            }
            t = &t[i + 1..];
        } else if is_in(WHEN_WORDS, first) && t.get(1).is_some_and(|w| is_in(PERIODS, w)) {
            t = &t[2..];
        } else if is_in(&["earlier", "later"], first)
            && t.get(1).is_some_and(|w| is_word(w, "this"))
            && t.get(2).is_some_and(|w| is_in(PERIODS, w))
        {
            t = &t[3..];
        } else {
            break;
        }
    }
    t
}

/// Drops a dash-delimited aside ("the case - filed in 1999 - could not"), a bracketed one
/// ("a $676m (£352m) loss") and a connective set off by commas ("The deficit, meanwhile, hit").
fn drop_asides<'a>(t: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let w = t[i];
        let close = (i + 1..t.len().min(i + 16)).find(|&j| DASHES.contains(&t[j]));
        if DASHES.contains(&w) && i > 0 {
            if let Some(j) = close.filter(|&j| j + 1 < t.len()) {
                i = j + 1;
                continue;
            }
        }
        if w.starts_with('(') && i > 0 {
            let shut = (i..t.len().min(i + 12)).find(|&j| t[j].contains(')'));
            if let Some(j) = shut.filter(|&j| t[j].ends_with(')') && j + 1 < t.len()) {
                i = j + 1;
                continue;
            }
        }
        let set_off = w.ends_with(',') && out.last().is_some_and(|p| p.ends_with(','));
        if set_off && is_in(CONNECTIVES, w) {
            if let Some(p) = out.last_mut() {
                *p = p.trim_end_matches(',');
            }
            i += 1;
            continue;
        }
        out.push(w);
        i += 1;
    }
    out
}

/// "X, an appositive, said ..." becomes "X said ...", so attribution can be found; likewise
/// "The film, directed by Y, is about ..." becomes "The film is about ...". The word after the
/// appositive must read as a verb (lowercase, not a preposition, article or conjunction), which
/// tells an appositive from a list ("Vigo, Lugo and Ourense, the ...").
fn drop_appositive<'a>(t: &[&'a str]) -> Vec<&'a str> {
    let starts_with_name = t
        .first()
        .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    let verb_like = |w: &str| {
        is_in(REPORTING, w)
            || (w.starts_with(char::is_lowercase)
                && ![
                    PHRASE_WORDS,
                    POINTERS,
                    CLAUSE_WORDS,
                    CONNECTIVES,
                    &["the", "a", "an"],
                ]
                .iter()
                .any(|list| is_in(list, w)))
    };
    let open = t.iter().take(8).position(|w| w.ends_with(','));
    if let (true, Some(i)) = (starts_with_name, open) {
        let close = (i + 1..t.len().min(i + 20)).find(|&j| t[j].ends_with(','));
        if let Some(j) = close.filter(|&j| t.get(j + 1).is_some_and(|w| verb_like(w))) {
            let mut out: Vec<&'a str> = t[..i].to_vec();
            out.push(t[i].trim_end_matches(','));
            out.extend_from_slice(&t[j + 1..]);
            return out;
        }
    }
    t.to_vec()
}

/// "The distributor said (on Monday) (that) crews restored power" keeps what was said; `None`
/// when a sentence is attributed but what was said cannot be cut out cleanly.
fn strip_attribution<'a>(t: &'a [&'a str]) -> Option<&'a [&'a str]> {
    let verb = (1..t.len().min(13)).find(|&k| {
        let that_follows = t.get(k + 1).is_some_and(|w| is_word(w, "that"));
        (is_in(REPORTING, t[k]) || (that_follows && is_in(NEEDS_OBJECT, t[k])))
            && !is_in(AUXILIARIES, t[k - 1])
            && !t[..k].iter().any(|w| ends_clause(w) || DASHES.contains(w))
    });
    let Some(k) = verb else { return Some(t) };
    let mut rest = &t[k + 1..];
    if is_word(t[k], "told") {
        // "told reporters", "told the BBC", "told BBC Radio 4's Today programme"
        let audience = rest.iter().position(|w| {
            !(is_in(
                &["reporters", "journalists", "the", "programme", "newspaper"],
                w,
            ) || w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()))
        });
        match audience {
            Some(n) if n > 0 => rest = &rest[n..],
            _ => return None,
        }
    }
    if rest.len() >= 2 && is_word(rest[0], "on") && is_in(WEEKDAYS, rest[1]) {
        rest = &rest[2..];
    }
    // "said in a statement that ...", "said on Monday that ..."
    if rest.first().is_some_and(|w| is_in(PHRASE_WORDS, w)) {
        let that = rest
            .iter()
            .take(8)
            .position(|w| is_word(w, "that") && !w.ends_with(','));
        if let Some(n) = that.filter(|&n| !rest[..n].iter().any(|w| ends_clause(w))) {
            rest = &rest[n..];
        }
    }
    if rest.first().is_some_and(|w| is_word(w, "that")) {
        rest = &rest[1..];
    }
    let clause_start = rest
        .first()
        .is_some_and(|w| !is_in(PHRASE_WORDS, w) && !ends_clause(w));
    (rest.len() >= MIN_WORDS && clause_start).then_some(rest)
}

/// The words up to the first clause boundary (a comma, a dash, "which", "after", "but" ...),
/// without a closing time phrase ("on Monday", "last week"), and whether a quotation cut it:
/// then the quoted words may finish the clause ("called the pier \"a disaster\""), so it
/// must be shortened at a phrase boundary rather than end there.
fn first_clause<'a>(t: &[&'a str]) -> (Vec<&'a str>, bool) {
    let mut out = Vec::new();
    let mut owed = false;
    for (i, w) in t.iter().enumerate() {
        if i > 0 && is_quoted(w) {
            return (out, true);
        }
        let after_auxiliary = i > 0 && is_in(MODALS, t[i - 1]); // "has since", not "since 1990"
                                                                // "surfaced days after the vote": the time phrase does not end the clause there.
        let timed = i > 0 && is_in(&["after", "before"], w) && is_in(TIME_UNITS, t[i - 1]);
        let as_clause = is_in(&["as"], w)
            && t.get(i + 1)
                .is_some_and(|n| is_in(&["it", "he", "she", "they", "we"], n));
        let opens_clause = DASHES.contains(w)
            || w.starts_with('(')
            || (is_in(CLAUSE_WORDS, w) && !after_auxiliary && !timed)
            || as_clause;
        if i > 0 && opens_clause {
            // "Nobody should doubt | that ...": what was said is the verb's object, so the
            // clause may not end before it (it must be cut shorter, or give no heading).
            owed = is_in(&["that", "whether", "if"], w) && !t[i - 1].ends_with(',');
            break;
        }
        if ends_clause(w) {
            out.push(w.trim_end_matches([',', ';', ':']));
            break;
        }
        out.push(*w);
    }
    if let Some(last) = out.last_mut() {
        let core = last.trim_end_matches(['.', '!', '?']);
        if !core.contains('.') || core.chars().any(|c| c.is_ascii_digit()) {
            *last = core;
        }
    }
    let n = out.len();
    let when = n >= 2 && is_in(WHEN_WORDS, out[n - 2]) && is_in(PERIODS, out[n - 1]);
    if when && n - 2 >= MIN_WORDS {
        out.truncate(n - 2);
    }
    (out, owed)
}

/// Headline style: "were suspended" -> "suspended", "has been cut" -> "cut", "had agreed" ->
/// "agreed"; "also" and "however" dropped. Not after a pronoun ("they were told" is not "they
/// told"), and "had" only before a regular -ed form ("had seen" is not "seen"). Also returns
/// where the first participle that lost its auxiliary now stands: the clause's main verb, which
/// may end a heading ("£100,000 reward offered").
fn drop_auxiliaries<'a>(t: &[&'a str]) -> (Vec<&'a str>, Option<usize>) {
    let mut out: Vec<&'a str> = Vec::new();
    let mut main = None;
    let mut i = 0;
    while i < t.len() {
        let w = t[i];
        let next = |n: usize| t.get(i + n).copied().unwrap_or("");
        let subject_ok = i > 0 && !is_in(POINTERS, t[i - 1]);
        let be = is_in(&["was", "were", "is", "are"], w);
        let have = is_in(&["has", "have", "had"], w);
        let regular = |x: &str| ends_with_ci(x, "ed") && is_participle(x);
        let two = ((have && is_word(next(1), "been")) || (be && is_word(next(1), "being")))
            && is_participle(next(2));
        // "had wrongly claimed" -> "wrongly claimed"
        let adverb = ends_with_ci(next(1), "ly") && regular(next(2));
        let one = (be && is_participle(next(1)))
            || (have && regular(next(1)))
            || ((be || have) && adverb);
        if subject_ok && (two || one) {
            i += if two { 2 } else { 1 };
            main = main.or(Some(out.len()));
        } else if i > 0 && is_in(&["also", "however"], w) && i + 1 < t.len() {
            i += 1;
        } else {
            out.push(t[i]);
            i += 1;
        }
    }
    (out, main)
}

/// The longest prefix of a clause that fits and ends well, and whether words were dropped.
/// `main` is the main verb's place, which may end a trimmed clause ("Scot suspended");
/// `quoted` says a quotation cut the clause, so it may not end where it stands.
fn fit(t: &[&str], main: Option<usize>, quoted: bool) -> Option<(usize, bool)> {
    let ok = |k: usize, trimmed: bool| {
        let last = t[k - 1];
        let trimmed = trimmed && main != Some(k - 1);
        // "will go", "will likely go": a bare verb after a modal, adverbs between.
        let mut j = k.saturating_sub(2);
        while j > 0 && j + 1 < k && is_adverb(t[j]) {
            j -= 1;
        }
        let after_modal = k >= 2 && is_in(MODALS, t[j]);
        let noun = k >= 2 && is_in(DETERMINERS, t[k - 2]); // "a plan", not "they plan"
                                                           // "Firefighters brought a fire | under control": the verb owes a second complement.
        let owes = trimmed && t[..k].iter().any(|w| is_in(NEEDS_COMPLEMENT, w));
        // "any vehicle he stumbles | across": a relative clause cut after its verb.
        let relative =
            trimmed && k >= 2 && is_in(&["he", "she", "they", "it", "we", "you", "i"], t[k - 2]);
        let hangs = owes
            || relative
            || (is_in(NEEDS_OBJECT, last) && !noun)
            || is_in(REPORTING, last)
            || (trimmed && after_modal)
            || ends_on_fragment_words(&t[..k]);
        ends_well(last, trimmed) && !hangs
    };
    if !quoted && (MIN_WORDS..=MAX_WORDS).contains(&t.len()) && ok(t.len(), false) {
        return Some((t.len(), false));
    }
    let capital = |w: &str| w.starts_with(char::is_uppercase);
    let cuttable = |k: usize| {
        let inside_name = capital(t[k - 1]) && t.get(k + 1).is_some_and(|w| capital(w));
        let pair = (is_word(t[k], "and") && t[..k].iter().any(|w| is_in(&["between", "both"], w)))
            || (is_word(t[k], "or") && t[..k].iter().any(|w| is_word(w, "either")));
        let partitive = is_word(t[k], "of") && is_in(PARTITIVES, t[k - 1]);
        // "has until Wednesday | to form a government": an infinitive finishes the clause.
        let infinitive = is_word(t[k], "to")
            && t.get(k + 1).is_some_and(|w| {
                w.starts_with(char::is_lowercase)
                    && !is_in(DETERMINERS, w)
                    && !is_in(&["be"], w)
                    && !w.ends_with(['.', ','])
            });
        // "surfaced days | after the vote": the time belongs to what follows.
        let timed = (is_in(&["after", "before", "ago", "later", "earlier"], t[k])
            && is_in(TIME_UNITS, t[k - 1]))
            || is_in(&["late", "early", "mid", "until"], t[k - 1]); // "late | on Monday"
                                                                    // Before an auxiliary the subject stands alone ("Interest earned by children | is ...").
        let subject = is_in(MODALS, t[k])
            && !is_in(&["to", "not", "be", "been"], t[k])
            && !t[..k].iter().any(|w| is_verb_form(w))
            && !has_verb(&t[..k]); // "Report suggests this campaign | is" has its verb
        (is_in(PHRASE_WORDS, t[k]) || subject)
            && !inside_name
            && !pair
            && !partitive
            && !infinitive
            && !timed
    };
    (MIN_WORDS..=MAX_WORDS.min(t.len().saturating_sub(1)))
        .rev()
        .find(|&k| cuttable(k) && ok(k, true))
        .map(|k| (k, true))
}

/// True when a short phrase (a fallback key phrase or name) can stand as a heading: it does not
/// point elsewhere ("I'm"), open on an -ing word ("Looking back"), or end on an adverb or a
/// verb ("Certainly help", "Analysts say", "District opposed").
pub(crate) fn stands_alone(phrase: &str) -> bool {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    let first = stem_of(first);
    let l = lower(last);
    let adverb = l.ends_with("ly") && !is_acronym(last);
    let verb = [NEEDS_OBJECT, REPORTING, IRREGULAR_PAST, &["say", "include"]]
        .iter()
        .any(|list| is_in(list, last))
        || is_participle(last);
    // "Remain massive challenges", "Help people remember": a phrase opening on a bare verb.
    let opens_on_verb = [BARE_VERBS, NEEDS_OBJECT, REPORTING]
        .iter()
        .any(|list| list.contains(&first.as_str()));
    let bad = POINTERS.contains(&first.as_str())
        || first.ends_with("ing")
        || adverb
        || verb
        || opens_on_verb;
    !bad && !ends_on_fragment(phrase)
}

fn sentence_case(words: &[&str]) -> String {
    let text = words.join(" ");
    let first = words.first().copied().unwrap_or("");
    if first.chars().skip(1).any(char::is_uppercase) {
        return text; // "eBay", "iPhone": leave as written
    }
    let mut chars = text.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A noun phrase an English heading can be made of, opened by `phrase` where `sentence` names
/// it: the phrase and the one to three nouns and modifiers after it ("Labor Department figures",
/// "Japan's economy"). Nothing is added or reordered; `None` when the words after the phrase
/// are a verb, a function word or punctuation, so the phrase would stand alone.
pub(crate) fn noun_phrase_after(sentence: &str, phrase: &str) -> Option<String> {
    let n = phrase.split_whitespace().count();
    let tokens: Vec<&str> = sentence.split_whitespace().collect();
    let want: Vec<String> = phrase.split_whitespace().map(lower).collect();
    (0..tokens.len().saturating_sub(n)).find_map(|at| {
        let own = &tokens[at..at + n];
        let same = own.iter().zip(&want).all(|(t, w)| {
            let l = lower(t);
            l == *w || l.strip_suffix("'s").or_else(|| l.strip_suffix("’s")) == Some(w.as_str())
        });
        // Only the last word of the phrase may carry a possessive or punctuation.
        let inner_clean = own[..n - 1].iter().all(|t| core(t) == *t);
        let last = own[n - 1];
        let last_clean = core(last) == last || last.ends_with("'s") || last.ends_with("’s");
        if !same || !inner_clean || !last_clean || !core(last).starts_with(char::is_alphanumeric) {
            return None;
        }
        let mut words: Vec<&str> = own.to_vec();
        for (k, &t) in tokens[at + n..].iter().enumerate().take(3) {
            let c = core(t);
            let plain = !c.is_empty()
                && c.len() + 1 >= t.len()
                && c.chars().all(|ch| ch.is_alphabetic() || ch == '-')
                && !is_quoted(t);
            let function = crate::text::is_stopword(&c.to_lowercase())
                || is_in(FUNCTION_LIKE, c)
                || is_verb_form(c)
                || is_participle(c)
                || is_adverb(c)
                || is_in(REPORTING, c)
                || is_in(AUXILIARIES, c)
                || ends_with_ci(c, "ing");
            if !plain || function {
                break;
            }
            // A lowercase word in -s is a plural noun only when a verb or a break follows it
            // ("figures showed", "jobs."), not an object ("raises rates").
            let present =
                c.starts_with(char::is_lowercase) && ends_with_ci(c, "s") && !ends_with_ci(c, "ss");
            if present {
                let next = tokens.get(at + n + k + 1).copied();
                let noun = core(t) == t
                    && next.is_some_and(|x| {
                        (is_verb_form(x) || is_participle(x) || is_in(AUXILIARIES, x))
                            && !is_word(x, "to")
                    });
                if !noun {
                    break;
                }
            }
            words.push(c);
            if ends_clause(t) || t.ends_with(['.', '!', '?', ')']) || present {
                break;
            }
        }
        // A name must not be cut ("Japan's Nippon | Steel", "Oxfam's Barbara | Stocking").
        let next = tokens.get(at + words.len()).copied();
        let cuts_name = words
            .last()
            .is_some_and(|w| w.starts_with(char::is_uppercase))
            && !words
                .last()
                .is_some_and(|w| w.ends_with(['.', ',', ';', ':']))
            && (next.is_some_and(|x| x.starts_with(char::is_uppercase))
                || (next.is_some_and(|x| is_word(x, "of"))
                    && tokens
                        .get(at + words.len() + 1)
                        .is_some_and(|x| x.starts_with(char::is_uppercase))));
        if words.len() <= n || cuts_name {
            return None;
        }
        let last = words.len() - 1;
        words[last] = core(words[last]);
        (!ends_on_fragment_words(&words)).then(|| sentence_case(&words))
    })
}

/// Words that end a noun phrase though no stopword list has them.
const FUNCTION_LIKE: &[&str] = &[
    "said",
    "says",
    "told",
    "according",
    "including",
    "such",
    "than",
    "also",
];

/// The headline clause of a sentence in `lang`: English has the full rules below, the other
/// languages take whole clauses only (see `generic`).
pub(crate) fn headline_clause_in(lang: Lang, sentence: &str) -> Option<Clause> {
    match lang {
        Lang::En => headline_clause(sentence),
        other => generic::generic_clause(other, sentence),
    }
}

/// The headline clause of a sentence, or `None` when it has none that reads well: quotes and
/// questions are skipped, attribution, openers and a leading article are dropped, the first
/// clause is kept and shortened at a phrase boundary to 3-8 words ending on a content word.
pub(crate) fn headline_clause(sentence: &str) -> Option<Clause> {
    if is_speech(sentence) || sentence.trim_end().ends_with(['?', ':']) {
        return None;
    }
    // A label line ("Subs not used: Smith, Jones.") is no sentence.
    if sentence
        .split_whitespace()
        .take(5)
        .any(|w| w.ends_with(':'))
    {
        return None;
    }
    let tokens = drop_asides(&sentence.split_whitespace().collect::<Vec<_>>());
    let opened = drop_appositive(strip_opening(&tokens));
    let said = strip_attribution(&opened)?;
    let mut words: &[&str] = strip_opening(said);
    let possessive = words
        .first()
        .is_some_and(|w| is_in(&["his", "her", "its", "their", "our", "my", "your"], w))
        && words
            .get(1)
            .is_some_and(|w| w.starts_with(char::is_lowercase));
    let article = possessive || words.first().is_some_and(|w| is_in(&["the", "a", "an"], w));
    let counted = words
        .get(1)
        .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
    if article && !(counted && is_in(&["a", "an"], words[0])) {
        words = &words[1..];
    }
    let (first_words, quoted) = first_clause(words);
    let (clause, main) = drop_auxiliaries(&first_words);
    let (k, trimmed) = fit(&clause, main, quoted)?;
    let head = &clause[..k];
    let first = head.first().map_or(String::new(), |w| stem_of(w));
    // "Is the latest in a series": a heading never opens on an auxiliary whose subject the
    // sentence had ("It is ...").
    let auxiliary_start = is_in(MODALS, &first) && !is_word(&first, "to");
    let bad_start = POINTERS.contains(&first.as_str())
        || auxiliary_start
        || (first.ends_with("ing") && !first.contains('-') && !has_verb(head))
        || head
            .first()
            .is_some_and(|w| w.starts_with(['-', '*', '•', '–', '—']));
    let bad_char = head.iter().any(|w| {
        w.contains(['(', ')', '[', ']', ':', '/'])
            || w.contains("&#")
            || is_quoted(w)
            || w.starts_with("http")
    });
    // "Remain massive challenges", "Become politically free": the subject ("there", "it") was
    // left behind; "Where technology worn": a question word opens no heading.
    let bare_verb = is_in(BARE_VERBS, &first) || is_in(&["where", "how", "why"], &first);
    (!bad_start && !bad_char && !bare_verb).then(|| Clause {
        text: sentence_case(head),
        trimmed,
        verb: has_verb(head),
    })
}

/// True for an English word that may be a verb or adverb rather than part of a noun phrase
/// ("burned", "tell", "shut", "sharply"): a two-word run holding one is no topic phrase.
pub(crate) fn may_be_verb(token: &str) -> bool {
    is_verb_form(token)
        || is_participle(token)
        || is_adverb(token)
        || ends_with_ci(token, "ing")
        || [
            REPORTING,
            NEEDS_OBJECT,
            IRREGULAR_PAST,
            BARE_VERBS,
            NEEDS_COMPLEMENT,
        ]
        .iter()
        .any(|list| is_in(list, token))
}

/// True when an English heading stops where its sentence still owes it a complement: before an
/// infinitive ("has until Wednesday | to form"), before the event a time phrase measures
/// ("surfaced days | after"), after "late"/"early" ("started late | on Monday"), or on a verb
/// after a modal ("will likely go | to arbitration"). Measured by `copydesk bench summarize`
/// against the section the heading stands over.
pub(crate) fn cut_before_complement(heading: &str, section: &str) -> bool {
    let head: Vec<&str> = heading.split_whitespace().collect();
    let (Some(&last), Some(&first)) = (head.last(), head.first()) else {
        return false;
    };
    for sentence in section.split_inclusive(['.', '!', '?']) {
        let t: Vec<&str> = sentence.split_whitespace().collect();
        let Some(start) = t.iter().position(|w| is_word(w, core(first))) else {
            continue;
        };
        let Some(end) = (start..t.len()).find(|&i| is_word(t[i], core(last))) else {
            continue;
        };
        if t[end].ends_with([',', '.', ';', ':', '!', '?']) {
            return false; // the clause ends where the heading does
        }
        let next = t.get(end + 1).copied().unwrap_or("");
        let after = t.get(end + 2).copied().unwrap_or("");
        let infinitive = is_word(next, "to")
            && after.starts_with(char::is_lowercase)
            && !is_in(DETERMINERS, after);
        let timed = is_in(&["after", "before", "ago"], next) && is_in(TIME_UNITS, last);
        let late = is_in(&["late", "early"], last) && is_in(&["on", "in", "last", "this"], next);
        let mut j = head.len().saturating_sub(2);
        while j > 0 && is_adverb(head[j]) {
            j -= 1;
        }
        let modal = &[
            "will", "would", "can", "could", "may", "might", "must", "should", "shall",
        ];
        let modal_verb =
            head.len() >= 2 && j + 1 < head.len() && is_in(modal, head[j]) && !next.is_empty();
        return infinitive || timed || late || (modal_verb && last.starts_with(char::is_lowercase));
    }
    false
}
