//! Direct quotations and who said them: `"...," Ushakov said`, `said Ushakov`, `X told
//! reporters: "..."`, `according to Y`, a pronoun resolved to the last person named, and a
//! quote that carries on from an attributed one.

use crate::doc::{Doc, RawMention};
use copydesk_types::EntityKind;

/// Verbs (and phrases) that attribute speech.
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "asked",
    "asks",
    "explained",
    "stated",
    "wrote",
    "writes",
    "insisted",
    "noted",
    "warned",
    "argued",
    "argues",
    "claimed",
    "declared",
    "replied",
    "continued",
    "recalled",
    "remarked",
    "acknowledged",
    "admitted",
    "announced",
    "tweeted",
    "posted",
    "commented",
    "suggested",
    "predicted",
    "conceded",
    "cautioned",
    "urged",
    "responded",
    "observed",
    "joked",
    "quipped",
    "agreed",
    "countered",
    "complained",
    "stressed",
    "emphasized",
    "emphasised",
    "explains",
    "notes",
    "recalls",
    "according",
    "saying",
    "asking",
    "writing",
    "tweeting",
    "announcing",
    "reports",
    "reported",
    "claims",
    "claiming",
    "tweets",
    "sings",
    "sang",
    "promised",
    "promises",
    "promising",
    "vowed",
    "vows",
    "insists",
    "warns",
    "contends",
    "contended",
    "charged",
    "calling",
    "called",
    "calls",
    "describing",
    "described",
    "describes",
    "adding",
    "noting",
    "declaring",
];
const PRONOUNS: &[&str] = &["he", "she"];
/// Words allowed between a speaker and the verb ("Smith also said", "Smith later told").
const ADVERBS: &[&str] = &[
    "also",
    "later",
    "then",
    "previously",
    "earlier",
    "once",
    "has",
    "had",
    "have",
    "again",
    "recently",
    "further",
];

/// A quotation found in a document, with byte offsets.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundQuote {
    /// Byte range of the quoted words (without the marks).
    pub start: usize,
    /// End of that range, exclusive.
    pub end: usize,
    /// Byte range of the words naming the speaker, when found.
    pub speaker_span: Option<(usize, usize)>,
    /// The speaker's mention, when it is a tagged name (or a pronoun resolved to one).
    pub speaker_mention: Option<usize>,
    /// The attribution verb or phrase.
    pub cue: Option<String>,
}

fn is_open(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201e}' | '\u{00ab}')
}

fn is_close(c: char) -> bool {
    matches!(c, '"' | '\u{201d}' | '\u{00bb}')
}

/// Quoted stretches of the text (content byte ranges), paragraph by paragraph: a quote left
/// open at a paragraph's end (the wire convention for a quote running on) closes there.
pub fn quote_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut prev = ' ';
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map_or(' ', |(_, n)| *n);
        if c == '\n' && next == '\n' {
            if let Some(s) = open.take() {
                out.push((s, i));
            }
        } else if let Some(s) = open {
            let closes = if c == '"' {
                !next.is_alphanumeric() || prev.is_ascii_punctuation()
            } else {
                is_close(c)
            };
            if closes {
                out.push((s, i));
                open = None;
            }
        } else if is_open(c) && (c != '"' || !prev.is_alphanumeric()) {
            open = Some(i + c.len_utf8());
        }
        prev = c;
    }
    if let Some(s) = open {
        out.push((s, bytes.len()));
    }
    out.retain(|&(s, e)| text[s..e].split_whitespace().count() >= 1);
    out
}

/// Index of the token containing byte `b` (or the first token after it).
fn token_at(doc: &Doc, b: usize) -> usize {
    doc.tokens.partition_point(|t| t.end <= b)
}

/// Find quotes and their speakers. `mention_at[token]` is the mention covering that token.
pub fn find_quotes(doc: &Doc, mention_at: &[Option<usize>]) -> Vec<FoundQuote> {
    let c = Ctx {
        doc,
        at: mention_at,
    };
    let mut out: Vec<FoundQuote> = Vec::new();
    for (start, end) in quote_spans(doc.text) {
        let open_tok = token_at(doc, start).saturating_sub(1);
        let close_tok = token_at(doc, end);
        let mut q = FoundQuote {
            start,
            end,
            speaker_span: None,
            speaker_mention: None,
            cue: None,
        };
        // The attribution after a quote is in the same paragraph ("...," she said), never the
        // next one's opening words.
        let same_para = doc
            .tokens
            .get(close_tok + 1)
            .is_some_and(|t| !doc.text[end..t.start].contains('\n'));
        let after = if same_para {
            after_quote(&c, close_tok + 1)
        } else {
            None
        };
        let found = after.or_else(|| before_quote(&c, open_tok));
        // A quoted word or two ("a con", “duped”) is a quotation only when the sentence says who
        // said it; otherwise it is a scare quote or a title and is left out.
        if doc.text[start..end].split_whitespace().count() < 3 {
            if let Some((span, mention, cue)) = found {
                out.push(FoundQuote {
                    start,
                    end,
                    speaker_span: Some(span),
                    speaker_mention: mention,
                    cue: Some(cue),
                });
            }
            continue;
        }
        if let Some((span, mention, cue)) = found {
            q.speaker_span = Some(span);
            q.speaker_mention = mention;
            q.cue = Some(cue);
        } else if let Some(prev) = out.last() {
            // A quote running on from an attributed one in the same or the next paragraph.
            let gap = &doc.text[prev.end..start];
            if prev.speaker_span.is_some()
                && gap.matches("\n\n").count() <= 1
                && gap.split_whitespace().count() <= 3
            {
                q.speaker_span = prev.speaker_span;
                q.speaker_mention = prev.speaker_mention;
                q.cue = prev.cue.clone();
            }
        }
        if q.speaker_span.is_none() {
            if let Some((span, m)) = speaker_named_earlier(doc, open_tok, start) {
                q.speaker_span = Some(span);
                q.speaker_mention = m;
            }
        }
        out.push(q);
    }
    out
}

/// A quote standing as its own sentence, with no attribution of its own, belongs to the person
/// the story was just quoting or talking about: the last person named in the same or the
/// previous paragraph, when that paragraph attributes speech to them.
fn speaker_named_earlier(
    doc: &Doc,
    open_tok: usize,
    start: usize,
) -> Option<((usize, usize), Option<usize>)> {
    let sent = doc
        .sentences
        .iter()
        .find(|(a, b)| *a <= open_tok && open_tok < *b)?;
    if open_tok != sent.0 {
        return None;
    }
    let para_start = doc.text[..start]
        .rfind("\n\n")
        .map_or(0, |p| doc.text[..p].rfind("\n\n").map_or(0, |q| q + 2));
    let word = |i: usize| {
        doc.tokens
            .get(i)
            .map_or(String::new(), |t| doc.text[t.start..t.end].to_lowercase())
    };
    // A person who speaks: "Smith said", "Smith, the mayor, told", "said Smith".
    let speaks = |m: &RawMention| {
        let after = (m.last..m.last + 8).take_while(|&i| {
            i < doc.tokens.len()
                && !matches!(word(i).as_str(), "." | "\"" | "\u{201c}" | "\u{201d}")
        });
        after
            .into_iter()
            .any(|i| SPEECH_VERBS.contains(&word(i).as_str()) && word(i) != "according")
            || (m.first > 0 && SPEECH_VERBS.contains(&word(m.first - 1).as_str()))
    };
    let named = doc
        .mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.kind == EntityKind::Person && m.start >= para_start && m.end <= start && speaks(m)
        })
        .max_by_key(|(_, m)| m.end)
        .map(|(i, m)| ((m.start, m.end), Some(i)));
    // "..., she said." closer to the quote than the name: the pronoun is the attribution.
    let first = doc.tokens.partition_point(|t| t.start < para_start);
    let pronoun = (first..open_tok).rev().find(|&i| {
        PRONOUNS.contains(&word(i).as_str())
            && ((i + 1..i + 3)
                .any(|j| SPEECH_VERBS.contains(&word(j).as_str()) && word(j) != "according")
                || (i > 0 && SPEECH_VERBS.contains(&word(i - 1).as_str())))
    });
    match (named, pronoun) {
        (Some(n), Some(p)) if doc.tokens[p].start < n.0 .0 => Some(n),
        (_, Some(p)) => {
            let t = &doc.tokens[p];
            Some(((t.start, t.end), last_person_before(doc, t.start)))
        }
        (n, None) => n,
    }
}

/// The document and a token -> mention index, shared by the attribution patterns.
struct Ctx<'d, 't> {
    doc: &'d Doc<'t>,
    at: &'d [Option<usize>],
}

impl<'t> Ctx<'_, 't> {
    fn word(&self, i: usize) -> &'t str {
        self.doc
            .tokens
            .get(i)
            .map_or("", |t| &self.doc.text[t.start..t.end])
    }

    fn lower(&self, i: usize) -> String {
        self.word(i).to_lowercase()
    }
}

type Found = ((usize, usize), Option<usize>, String);

/// `"...," said Smith` / `"...," Smith said` / `"...," according to Smith`.
fn after_quote(c: &Ctx, k: usize) -> Option<Found> {
    let k = if c.word(k) == "," { k + 1 } else { k };
    if matches!(c.word(k), "\u{2015}" | "\u{2014}" | "\u{2013}" | "-") {
        return speaker_at(c, k + 1).map(|(span, m)| (span, m, c.word(k).to_string()));
    }
    if SPEECH_VERBS.contains(&c.lower(k).as_str()) {
        let cue_end = if c.lower(k) == "according" && c.lower(k + 1) == "to" {
            k + 2
        } else {
            k + 1
        };
        let cue = (k..cue_end)
            .map(|i| c.lower(i))
            .collect::<Vec<_>>()
            .join(" ");
        return speaker_at(c, cue_end).map(|(span, m)| (span, m, cue));
    }
    let (span, m, e) = speaker_with_end(c, k)?;
    let v = skip_adverbs(c, e);
    SPEECH_VERBS
        .contains(&c.lower(v).as_str())
        .then(|| (span, m, c.lower(v)))
}

/// `Smith said: "..."` / `Smith told reporters: "..."` / `According to Smith, "..."`.
fn before_quote(c: &Ctx, open: usize) -> Option<Found> {
    let sent = c
        .doc
        .sentences
        .iter()
        .find(|(a, b)| *a <= open && open < *b)
        .copied()?;
    // Walk back over ":" or "," and up to three object words to a speech verb.
    let mut v = open;
    for _ in 0..5 {
        if v <= sent.0 {
            return None;
        }
        v -= 1;
        if SPEECH_VERBS.contains(&c.lower(v).as_str()) {
            break;
        }
        if matches!(c.word(v), "." | "\"" | "\u{201d}") {
            return None;
        }
    }
    if !SPEECH_VERBS.contains(&c.lower(v).as_str()) {
        // "Trump said during a rally in Michigan "...", "She says his temperament is "...": a
        // speaker and verb earlier in the sentence.
        v = (sent.0 + 1..open)
            .rev()
            .find(|&i| SPEECH_VERBS.contains(&c.lower(i).as_str()) && c.lower(i) != "according")?;
    }
    // Speaker ends just before the verb (allowing an adverb), or follows "according to".
    if c.lower(v) == "according" {
        return speaker_at(c, v + 2).map(|(s, m)| (s, m, "according to".into()));
    }
    let mut e = v;
    while e > sent.0 && ADVERBS.contains(&c.lower(e - 1).as_str()) {
        e -= 1;
    }
    if e == sent.0 {
        return None;
    }
    let cue = c.lower(v);
    // "Smith, a foreign policy aide, added:": step back over the appositive.
    if c.word(e - 1) == "," {
        if let Some(comma) = (e.saturating_sub(14).max(sent.0 + 1)..e - 1)
            .rev()
            .find(|&i| c.word(i) == ",")
        {
            if c.at[comma - 1].is_some() {
                e = comma;
            }
        }
    }
    if let Some(m) = c.at[e - 1] {
        let rm = &c.doc.mentions[m];
        if rm.kind.is_name() {
            return Some(((rm.start, rm.end), Some(m), cue));
        }
    }
    if PRONOUNS.contains(&c.lower(e - 1).as_str()) {
        let t = &c.doc.tokens[e - 1];
        return Some(((t.start, t.end), last_person_before(c.doc, t.start), cue));
    }
    // "the minister said:", "a White House spokesman told reporters:"
    let det = (e.saturating_sub(5).max(sent.0)..e - 1).rev().find(|&i| {
        matches!(
            c.lower(i).as_str(),
            "the" | "a" | "an" | "his" | "her" | "their"
        )
    })?;
    let plain = (det + 1..e).all(|i| {
        matches!(c.word(i), "'s" | "’s")
            || (c.word(i).chars().all(|ch| ch.is_alphabetic() || ch == '-')
                && !c.word(i).starts_with(char::is_numeric))
    });
    let head = c.lower(e - 1);
    let function = matches!(
        head.as_str(),
        "that" | "and" | "or" | "but" | "which" | "who" | "as" | "also" | "then" | "it"
    );
    (plain && !function && det + 1 < e).then(|| {
        (
            (c.doc.tokens[det].start, c.doc.tokens[e - 1].end),
            None,
            cue,
        )
    })
}

fn skip_adverbs(c: &Ctx, mut e: usize) -> usize {
    while ADVERBS.contains(&c.lower(e).as_str()) {
        e += 1;
    }
    e
}

/// A speaker starting at token `k`: a PER/ORG mention, a pronoun, or a short descriptor.
fn speaker_at(c: &Ctx, k: usize) -> Option<((usize, usize), Option<usize>)> {
    speaker_with_end(c, k).map(|(s, m, _)| (s, m))
}

fn speaker_with_end(c: &Ctx, k: usize) -> Option<((usize, usize), Option<usize>, usize)> {
    let tok = c.doc.tokens.get(k)?;
    // A descriptor then a name: "the company's chief executive, Jane Doe" is rare; "the
    // spokesman" alone is kept as text.
    let mut j = k;
    while j < k + 6
        && c.at.get(j).copied().flatten().is_none()
        && c.word(j).starts_with(char::is_lowercase)
        && !SPEECH_VERBS.contains(&c.lower(j).as_str())
        && !PRONOUNS.contains(&c.lower(j).as_str())
    {
        j += 1;
    }
    let candidate = if c.at.get(j).copied().flatten().is_some() {
        j
    } else {
        k
    };
    if let Some(m) = c.at.get(candidate).copied().flatten() {
        let rm: &RawMention = &c.doc.mentions[m];
        if rm.kind.is_name() && rm.first == candidate {
            // "Smith, a spokesman for the party, said": step over the appositive.
            let mut end = rm.last;
            if c.word(end) == "," {
                if let Some(comma) = (end + 1..end + 14).find(|&i| c.word(i) == ",") {
                    if SPEECH_VERBS.contains(&c.lower(skip_adverbs(c, comma + 1)).as_str()) {
                        end = comma + 1;
                    }
                }
            }
            return Some(((rm.start, rm.end), Some(m), end));
        }
    }
    if PRONOUNS.contains(&c.lower(k).as_str()) {
        return Some((
            (tok.start, tok.end),
            last_person_before(c.doc, tok.start),
            k + 1,
        ));
    }
    // An untagged capitalised name ("said Caddell"), not a sentence-opening conjunction.
    if c.word(k).starts_with(char::is_uppercase)
        && c.word(k).chars().all(char::is_alphabetic)
        && c.lower(k) != "the"
    {
        let mut e = k + 1;
        while e < k + 4
            && c.word(e).starts_with(char::is_uppercase)
            && c.word(e).chars().all(|ch| ch.is_alphabetic() || ch == '.')
        {
            e += 1;
        }
        return Some(((tok.start, c.doc.tokens[e - 1].end), None, e));
    }
    if c.lower(k) == "the" && j > k + 1 && j < k + 6 {
        let last = &c.doc.tokens[j - 1];
        return Some(((tok.start, last.end), None, j));
    }
    None
}

/// The last PERSON mention before byte `b`: what "he" or "she" most likely refers to.
fn last_person_before(doc: &Doc, b: usize) -> Option<usize> {
    doc.mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == EntityKind::Person && m.end <= b)
        .max_by_key(|(_, m)| m.end)
        .map(|(i, _)| i)
}
