//! Tokenising and sentence splitting of raw wire text, CoNLL-style: possessive `'s` is its own
//! token, abbreviations ("U.S.", "Mr.") and numbers ("1,250.5", "4:35") stay whole, hyphenated
//! words stay whole. Offsets are byte offsets; the caller converts the few it reports to chars.

/// One token: a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// Titles and abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col", "capt",
    "prof", "inc", "corp", "ltd", "co", "vs", "jan", "feb", "mar", "apr", "aug", "sept", "sep",
    "oct", "nov", "dec", "mt", "ft", "rev", "sgt", "maj", "adm", "cmdr", "pres", "supt", "messrs",
    "bros", "dept", "est", "approx", "fig", "ave", "blvd", "etc", "kl", "nr", "bzw", "ca",
];

/// True when `word` (without its final stop) is a known abbreviation or initials ("U.S", "J").
pub fn is_abbreviation(word: &str) -> bool {
    let w = word.trim_end_matches('.');
    if w.chars().count() == 1 && w.chars().all(char::is_alphabetic) {
        return true;
    }
    if w.contains('.') && w.split('.').all(|p| p.chars().count() <= 2) {
        return true;
    }
    ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(w))
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Characters that may join two word characters inside one token.
fn joins(prev: char, c: char, next: char) -> bool {
    match c {
        '-' | '&' => prev.is_alphanumeric() && next.is_alphanumeric(),
        '/' | ',' | ':' => prev.is_ascii_digit() && next.is_ascii_digit(),
        '.' => prev.is_alphanumeric() && next.is_alphanumeric(),
        _ if is_apostrophe(c) => prev.is_alphabetic() && next.is_alphabetic(),
        _ => false,
    }
}

/// Split text into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    tokenize_into(text, &mut out);
    out
}

/// Split text into tokens, appending to `out`.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let at = |i: usize| if i < n { chars[i].1 } else { ' ' };
    let off = |i: usize| if i < n { chars[i].0 } else { text.len() };
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(Token {
                start: off(i),
                end: off(i + 1),
            });
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < n {
            let cj = at(j);
            if cj.is_alphanumeric() || joins(at(j - 1), cj, at(j + 1)) {
                j += 1;
            } else {
                break;
            }
        }
        // A stop right after initials or a title belongs to the word ("U.S.", "Mr.").
        if at(j) == '.'
            && is_abbreviation(&text[off(start)..off(j)])
            && !at(j + 1).is_alphanumeric()
        {
            j += 1;
        }
        split_clitic(text, &chars, start, j, out);
        i = j;
    }
}

/// Push a word, splitting off a possessive or contraction ("Trump's" -> "Trump" + "'s").
fn split_clitic(
    text: &str,
    chars: &[(usize, char)],
    start: usize,
    end: usize,
    out: &mut Vec<Token>,
) {
    let off = |i: usize| {
        if i < chars.len() {
            chars[i].0
        } else {
            text.len()
        }
    };
    let len = end - start;
    if len >= 3 && is_apostrophe(chars[end - 2].1) && matches!(chars[end - 1].1, 's' | 'S') {
        out.push(Token {
            start: off(start),
            end: off(end - 2),
        });
        out.push(Token {
            start: off(end - 2),
            end: off(end),
        });
        return;
    }
    if len >= 4
        && is_apostrophe(chars[end - 2].1)
        && matches!(chars[end - 1].1, 't' | 'T')
        && matches!(chars[end - 3].1, 'n' | 'N')
    {
        out.push(Token {
            start: off(start),
            end: off(end - 3),
        });
        out.push(Token {
            start: off(end - 3),
            end: off(end),
        });
        return;
    }
    out.push(Token {
        start: off(start),
        end: off(end),
    });
}

/// Split tokens into sentences: `(first, last_exclusive)` token index ranges. A sentence ends at
/// `.`, `!` or `?` (plus closing quotes or brackets) before a capital, digit or quote, and at any
/// line break.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0;
    for i in 0..tokens.len() {
        let tok = &text[tokens[i].start..tokens[i].end];
        let next = tokens.get(i + 1);
        let line_break = next.is_some_and(|n| text[tokens[i].end..n.start].contains('\n'));
        let stop = matches!(tok, "." | "!" | "?")
            && next.is_some_and(|n| {
                let nt = &text[n.start..n.end];
                let c = nt.chars().next().unwrap_or(' ');
                (c.is_uppercase()
                    || c.is_ascii_digit()
                    || matches!(c, '"' | '\u{201c}' | '\'' | '\u{2018}'))
                    && n.start > tokens[i].end
            });
        let closing = matches!(tok, "\"" | "\u{201d}" | "'" | "\u{2019}" | ")")
            && i > 0
            && matches!(
                &text[tokens[i - 1].start..tokens[i - 1].end],
                "." | "!" | "?"
            )
            && next.is_some_and(|n| n.start > tokens[i].end);
        if line_break || next.is_none() || (stop && !closes_with_quote(text, tokens, i)) || closing
        {
            out.push((first, i + 1));
            first = i + 1;
        }
    }
    out
}

/// True when the stop at `i` is followed directly by a closing quote that should join it.
fn closes_with_quote(text: &str, tokens: &[Token], i: usize) -> bool {
    tokens.get(i + 1).is_some_and(|n| {
        n.start == tokens[i].end
            && matches!(&text[n.start..n.end], "\"" | "\u{201d}" | "'" | "\u{2019}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn possessives_split_and_abbreviations_stay_whole() {
        assert_eq!(
            words("Mr. Trump's U.S. trip cost $1,250.5 at 4:35 p.m."),
            ["Mr.", "Trump", "'s", "U.S.", "trip", "cost", "$", "1,250.5", "at", "4:35", "p.m."]
        );
    }

    #[test]
    fn curly_apostrophes_and_unicode_names_are_handled() {
        assert_eq!(
            words("Zelenskyy’s visit to Zaporizhzhia"),
            ["Zelenskyy", "’s", "visit", "to", "Zaporizhzhia"]
        );
        assert_eq!(words("don't O'Brien"), ["do", "n't", "O'Brien"]);
    }

    #[test]
    fn sentences_end_at_stops_but_not_after_titles() {
        let text = "Mr. Smith went to Washington. He said \"no.\" Then he left.\nNew line";
        let toks = tokenize(text);
        let sents: Vec<String> = sentences(text, &toks)
            .iter()
            .map(|&(a, b)| text[toks[a].start..toks[b - 1].end].to_string())
            .collect();
        assert_eq!(
            sents,
            [
                "Mr. Smith went to Washington.",
                "He said \"no.\"",
                "Then he left.",
                "New line"
            ]
        );
    }
}
