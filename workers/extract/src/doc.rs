//! One document, analysed: tokens, sentences, tagged names and pattern entities, with the
//! document-level consistency pass (a name tagged in the prose keeps its type in ALL-CAPS
//! headlines and datelines, where the tagger sees no case).

use crate::gazetteer::{push_lower, Gazetteer};
use crate::lang::Lang;
use crate::models::Tagger;
use crate::patterns;
use crate::tagger::{spans, tag_sentence, Scratch};
use crate::token::{sentences, tokenize, Token};
use copydesk_types::EntityKind;
use std::collections::HashMap;

/// A mention before grouping: byte and token ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMention {
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end, exclusive.
    pub end: usize,
    /// First token index.
    pub first: usize,
    /// Last token index, exclusive.
    pub last: usize,
    /// Type.
    pub kind: EntityKind,
    /// Sentence index.
    pub sentence: usize,
}

/// The analysed document.
pub struct Doc<'t> {
    /// The text.
    pub text: &'t str,
    /// All tokens.
    pub tokens: Vec<Token>,
    /// Sentences as token ranges.
    pub sentences: Vec<(usize, usize)>,
    /// Mentions in text order.
    pub mentions: Vec<RawMention>,
    /// The language the text was read in.
    pub lang: Lang,
}

const NAME_KINDS: [EntityKind; 4] = [
    EntityKind::Person,
    EntityKind::Org,
    EntityKind::Loc,
    EntityKind::Misc,
];

impl<'t> Doc<'t> {
    /// Tokenise, tag and pattern-match `text`. Without a tagger (a language with no model) the
    /// names are the gazetteer's places only.
    pub fn analyse(
        text: &'t str,
        tagger: Option<&Tagger>,
        gaz: &Gazetteer,
        lang: Lang,
        scratch: &mut Scratch,
    ) -> Doc<'t> {
        let tokens = tokenize(text);
        let sents = sentences(text, &tokens);
        let mut mentions = Vec::new();
        let mut tags = Vec::new();
        let mut words: Vec<&str> = Vec::new();
        let mut caps = Vec::with_capacity(sents.len());
        let mut titled = Vec::with_capacity(sents.len());
        for (si, &(a, b)) in sents.iter().enumerate() {
            words.clear();
            words.extend(tokens[a..b].iter().map(|t| &text[t.start..t.end]));
            match tagger {
                Some(t) => tag_sentence(&t.model, &t.lexicon, gaz, &words, scratch, &mut tags),
                None => gaz.place_tags(&words, &mut tags),
            }
            let names = spans(&tags);
            for (s, e, ty) in &names {
                mentions.push(raw(&tokens, a + s, a + e, NAME_KINDS[*ty], si));
            }
            for (s, e, kind) in patterns::find(&words, lang) {
                if !names.iter().any(|(ns, ne, _)| s < *ne && *ns < e) {
                    mentions.push(raw(&tokens, a + s, a + e, kind, si));
                }
            }
            // German capitalises every noun, so its prose looks like a title-case headline.
            let titled_here = lang != Lang::De && !all_caps(&words) && title_case(&words);
            caps.push(all_caps(&words) || titled_here);
            titled.push(titled_here);
        }
        mentions.sort_by_key(|m| m.start);
        let mut doc = Doc {
            text,
            tokens,
            sentences: sents,
            mentions,
            lang,
        };
        let empty = crate::lexicon::Lexicon::default();
        let lex = tagger.map_or(&empty, |t| &t.lexicon);
        crate::rules::unglue_headline_words(&mut doc, gaz, lex);
        crate::rules::join_plural_possessives(&mut doc);
        doc.make_consistent(&caps, &titled, lex, gaz);
        crate::rules::retype_places(&mut doc, gaz);
        crate::sources::mark_outlets(&mut doc, gaz);
        crate::rules::type_seats(&mut doc, gaz);
        crate::rules::type_companies(&mut doc, gaz);
        doc
    }

    /// The text of a mention.
    pub fn mention_text(&self, m: &RawMention) -> &'t str {
        &self.text[m.start..m.end]
    }

    /// Lowercased text of tokens `a..b`, single-spaced: the key names are compared by.
    pub fn key(&self, a: usize, b: usize) -> String {
        let mut k = String::new();
        for (i, t) in self.tokens[a..b].iter().enumerate() {
            if i > 0 {
                k.push(' ');
            }
            push_lower(&mut k, &self.text[t.start..t.end]);
        }
        k
    }

    /// Give every occurrence of a name its majority type from mixed-case sentences, find prose
    /// names the tagger missed in ALL-CAPS and title-case headlines, and drop headline "names"
    /// made only of common words ("Rattles Allies") that the prose never uses as a name.
    fn make_consistent(
        &mut self,
        caps: &[bool],
        titled: &[bool],
        lex: &crate::lexicon::Lexicon,
        gaz: &Gazetteer,
    ) {
        let mut votes: HashMap<String, [usize; 4], crate::hash::FxBuild> = HashMap::default();
        for m in self
            .mentions
            .iter()
            .filter(|m| m.kind.is_name() && !caps[m.sentence])
        {
            let slot = NAME_KINDS.iter().position(|k| *k == m.kind).unwrap_or(0);
            votes.entry(self.key(m.first, m.last)).or_default()[slot] += 1;
        }
        // Surnames of the people the prose names in full count as votes for a person.
        let full: Vec<String> = votes
            .iter()
            .filter(|(k, v)| k.contains(' ') && v[0] > 0)
            .filter_map(|(k, _)| k.rsplit(' ').next().map(str::to_string))
            .collect();
        for s in full {
            votes.entry(s).or_insert([1, 0, 0, 0]);
        }
        if !lex.is_empty() {
            let common = |d: &Doc, i: usize| {
                let info = lex.get(crate::hash::hash_str(
                    crate::lexicon::LOWER_SEED,
                    &d.key(i, i + 1),
                ));
                info.freq >= 2 && info.flags == 0
            };
            let drop: Vec<bool> = self
                .mentions
                .iter()
                .map(|m| {
                    m.kind.is_name()
                        && titled[m.sentence]
                        && !votes.contains_key(&self.key(m.first, m.last))
                        && gaz.lookup_any(self.mention_text(m)).is_none()
                        && (m.first..m.last).all(|i| common(self, i))
                })
                .collect();
            let mut k = 0;
            self.mentions.retain(|_| {
                k += 1;
                !drop[k - 1]
            });
        }
        if votes.is_empty() {
            return;
        }
        // A lone surname-like word is a person only if the story also names them in full;
        // otherwise, when the prose is split, the other reading wins ("Siemens said").
        let surnames: Vec<String> = self
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Person && m.last - m.first > 1)
            .map(|m| self.key(m.last - 1, m.last))
            .collect();
        for (key, v) in votes.iter_mut() {
            if !key.contains(' ')
                && v[0] > 0
                && v[1..].iter().any(|&n| n > 0)
                && !surnames.contains(key)
            {
                v[0] = 0;
            }
        }
        let majority =
            |v: &[usize; 4]| NAME_KINDS[(0..4).fold(0, |a, b| if v[b] > v[a] { b } else { a })];
        for i in 0..self.mentions.len() {
            let m = &self.mentions[i];
            if !m.kind.is_name() {
                continue;
            }
            if let Some(v) = votes.get(&self.key(m.first, m.last)) {
                let total: usize = v.iter().sum();
                let best = majority(v);
                let best_votes = v[NAME_KINDS.iter().position(|k| *k == best).unwrap_or(0)];
                if caps[m.sentence] || best_votes * 3 >= total * 2 {
                    self.mentions[i].kind = best;
                }
            }
        }
        self.add_missed_caps_names(caps, &votes, majority);
    }

    fn add_missed_caps_names(
        &mut self,
        caps: &[bool],
        votes: &HashMap<String, [usize; 4], crate::hash::FxBuild>,
        majority: impl Fn(&[usize; 4]) -> EntityKind,
    ) {
        let max_len = votes
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(0);
        let mut added = Vec::new();
        for (si, &(a, b)) in self
            .sentences
            .iter()
            .enumerate()
            .filter(|(si, _)| caps[*si])
        {
            let mut i = a;
            while i < b {
                let covered = self.mentions.iter().any(|m| m.first <= i && i < m.last);
                let found = (1..=max_len.min(b - i)).rev().find_map(|len| {
                    let v = votes.get(&self.key(i, i + len))?;
                    Some((len, majority(v)))
                });
                match found {
                    Some((len, kind))
                        if !covered
                            && !self
                                .mentions
                                .iter()
                                .any(|m| m.first < i + len && i < m.last) =>
                    {
                        added.push(raw(&self.tokens, i, i + len, kind, si));
                        i += len;
                    }
                    _ => i += 1,
                }
            }
        }
        if !added.is_empty() {
            self.mentions.extend(added);
            self.mentions.sort_by_key(|m| m.start);
        }
    }
}

fn raw(
    tokens: &[Token],
    first: usize,
    last: usize,
    kind: EntityKind,
    sentence: usize,
) -> RawMention {
    RawMention {
        start: tokens[first].start,
        end: tokens[last - 1].end,
        first,
        last,
        kind,
        sentence,
    }
}

/// True for a title-case sentence (a headline): at least three words, seven in ten capitalised.
pub fn title_case(words: &[&str]) -> bool {
    let with_letters = words.iter().filter(|w| w.chars().any(char::is_alphabetic));
    let (mut n, mut caps) = (0, 0);
    for w in with_letters {
        n += 1;
        caps += w.starts_with(char::is_uppercase) as usize;
    }
    n >= 3 && caps * 10 >= n * 7
}

/// True for an ALL-CAPS sentence (a wire headline or dateline): most words have no lowercase.
pub fn all_caps(words: &[&str]) -> bool {
    let letters = words.iter().filter(|w| w.chars().any(char::is_alphabetic));
    let (mut n, mut caps) = (0, 0);
    for w in letters {
        n += 1;
        if !w.chars().any(char::is_lowercase) {
            caps += 1;
        }
    }
    n >= 2 && caps * 10 >= n * 8
}
