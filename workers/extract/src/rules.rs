//! Story-level rules on top of the tagger, for what one sentence cannot tell:
//!
//! - a capitalised headline word is not part of the name after it: "Leaked Witkoff Call
//!   Rattles Kyiv" names "Witkoff", not "Leaked Witkoff" (a common word that opens a sentence or
//!   sits in a title-case headline is cut from the front of a person's name);
//! - an institution named by its seat ("the Kremlin", "the White House", "Downing Street", "the
//!   Pentagon") is an ORG when it acts ("the Kremlin said", "according to the White House", "a
//!   Pentagon spokesman") and a place otherwise ("talks at the White House");
//! - a name with a plural possessive inside it is one organisation: "Port Workers' Federation",
//!   "National Farmers' Union" (the tagger sees "Port Workers" and "Federation").

use crate::doc::{Doc, RawMention};
use crate::gazetteer::{Gazetteer, PlaceKind};
use crate::group::ROLES;
use crate::lexicon::{Lexicon, GIVEN, LOWER_SEED};
use copydesk_types::EntityKind;

/// Verbs and auxiliaries after which a seat-institution is acting.
const ACTS: &[&str] = &[
    "said",
    "says",
    "say",
    "announced",
    "announces",
    "denied",
    "denies",
    "confirmed",
    "confirms",
    "rejected",
    "rejects",
    "warned",
    "warns",
    "responded",
    "responds",
    "added",
    "has",
    "have",
    "had",
    "is",
    "was",
    "will",
    "would",
    "did",
    "does",
    "declined",
    "declines",
    "called",
    "calls",
    "accused",
    "accuses",
    "dismissed",
    "dismisses",
    "insisted",
    "insists",
    "wants",
    "wanted",
    "urged",
    "urges",
    "signaled",
    "signalled",
    "hopes",
    "believes",
    "sees",
    "plans",
    "issued",
    "issues",
    "ordered",
    "orders",
    "sought",
    "seeks",
    "told",
    "tells",
    "stated",
    "criticised",
    "criticized",
    "welcomed",
    "welcomes",
    "condemned",
    "condemns",
    "demanded",
    "demands",
    "agreed",
    "agrees",
    "refused",
    "refuses",
    "reported",
    "released",
    "blamed",
    "praised",
    "threatened",
    "vowed",
    "argued",
    "claimed",
    "declared",
    "decided",
    "approved",
    "backed",
    "opposed",
    "hit",
    "struck",
    "launched",
    "sent",
    "asked",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "press",
    "official",
    "officials",
    "aide",
    "aides",
    "chief",
    "adviser",
    "advisers",
    "advisor",
    "statement",
    "source",
    "sources",
    "readout",
];
/// Words before a seat that make it the actor ("according to the Kremlin", "spokesman for the").
const ACTS_BEFORE: &[&str] = &["according", "for", "by", "from"];

fn lower(doc: &Doc, i: usize) -> String {
    doc.tokens
        .get(i)
        .map_or(String::new(), |_| doc.key(i, i + 1))
}

/// True when sentence `s` is set in title case (most words capitalised), as headlines are.
fn title_case(doc: &Doc, s: usize) -> bool {
    if doc.lang == crate::lang::Lang::De {
        return false; // every German noun is capitalised
    }
    let (a, b) = doc.sentences[s];
    let words: Vec<&str> = (a..b)
        .map(|i| &doc.text[doc.tokens[i].start..doc.tokens[i].end])
        .collect();
    crate::doc::title_case(&words)
}

/// Join "Port Workers" + "'" + "Federation" into one organisation: two name mentions of one
/// sentence with only a plural possessive apostrophe between them ("Workers' Federation"), the
/// second an organisation or MISC and the first not a person ("Reuters' Jane Doe" stays two).
pub fn join_plural_possessives(doc: &mut Doc) {
    let mut k = 0;
    while k + 1 < doc.mentions.len() {
        let (a, b) = (&doc.mentions[k], &doc.mentions[k + 1]);
        let apostrophe = a.last + 1 == b.first && a.sentence == b.sentence && {
            let t = &doc.tokens[a.last];
            let text = &doc.text[t.start..t.end];
            matches!(text, "'" | "\u{2019}")
                && t.start == doc.tokens[a.last - 1].end
                && doc.text[..t.start].ends_with(['s', 'S'])
        };
        let joinable = a.kind.is_name()
            && a.kind != EntityKind::Person
            && matches!(b.kind, EntityKind::Org | EntityKind::Misc);
        if apostrophe && joinable {
            let b = doc.mentions.remove(k + 1);
            let a = &mut doc.mentions[k];
            a.end = b.end;
            a.last = b.last;
            a.kind = EntityKind::Org;
        } else {
            k += 1;
        }
    }
}

/// A name the tagger called MISC that is exactly a country, continent, state or region is a
/// place ("Crimea"); adjectives ("Crimean") are not in the gazetteer and stay MISC.
pub fn retype_places(doc: &mut Doc, gaz: &Gazetteer) {
    for k in 0..doc.mentions.len() {
        let m = &doc.mentions[k];
        let place = gaz.lookup(doc.mention_text(m)).is_some_and(|p| {
            matches!(
                p.kind,
                PlaceKind::Country | PlaceKind::Continent | PlaceKind::State | PlaceKind::Region
            )
        });
        if m.kind == EntityKind::Misc && place {
            doc.mentions[k].kind = EntityKind::Loc;
        }
    }
}

/// Cut a common capitalised word ("Leaked") from the front of a person's name when it opens the
/// sentence or sits in a title-case headline. `lex` is the story language's lexicon.
pub fn unglue_headline_words(doc: &mut Doc, gaz: &Gazetteer, lex: &Lexicon) {
    let titled: Vec<bool> = (0..doc.sentences.len())
        .map(|s| title_case(doc, s))
        .collect();
    for k in 0..doc.mentions.len() {
        let m = &doc.mentions[k];
        if m.kind != EntityKind::Person || m.last - m.first < 2 {
            continue;
        }
        let opens = doc.sentences[m.sentence].0 == m.first;
        if !opens && !titled[m.sentence] {
            continue;
        }
        let first = lower(doc, m.first);
        let info = lex.get(crate::hash::hash_str(LOWER_SEED, &first));
        let common = info.freq >= 4 && info.flags & GIVEN == 0;
        let title =
            crate::group::TITLES.contains(&first.as_str()) || ROLES.iter().any(|r| *r == first);
        let known = gaz.lookup_any(doc.mention_text(m)).is_some();
        if common && !title && !known {
            let m = &mut doc.mentions[k];
            m.first += 1;
            m.start = doc.tokens[m.first].start;
        }
    }
}

/// Type each mention of a seat-institution: ORG when it acts, LOC otherwise.
pub fn type_seats(doc: &mut Doc, gaz: &Gazetteer) {
    for k in 0..doc.mentions.len() {
        let m: &RawMention = &doc.mentions[k];
        if !m.kind.is_name()
            || !gaz
                .lookup_any(doc.mention_text(m))
                .is_some_and(|p| p.kind == PlaceKind::Seat)
        {
            continue;
        }
        let mut next = m.last;
        if matches!(
            lower(doc, next).as_str(),
            "'s" | "’s" | "has" | "have" | "also" | "later" | "quickly" | "then"
        ) {
            next += 1;
        }
        let before = if m.first > 0 && lower(doc, m.first - 1) == "the" {
            m.first.saturating_sub(2)
        } else {
            m.first.saturating_sub(1)
        };
        let acts = ACTS.contains(&lower(doc, next).as_str())
            || ACTS.contains(&lower(doc, m.last).as_str())
            || (m.first > 0
                && ACTS_BEFORE.contains(&lower(doc, before).as_str())
                && lower(doc, before + 1) != "in")
            || (before > 0 && lower(doc, before) == "to" && lower(doc, before - 1) == "according");
        doc.mentions[k].kind = if acts {
            EntityKind::Org
        } else {
            EntityKind::Loc
        };
    }
}

/// Words before a name that make it a company or club ("shares in X", "carmaker X").
const FIRM_BEFORE: &[&str] = &[
    "firm",
    "company",
    "carmaker",
    "automaker",
    "retailer",
    "airline",
    "insurer",
    "lender",
    "rival",
    "giant",
    "conglomerate",
    "supermarket",
    "broadcaster",
    "publisher",
    "manufacturer",
    "chipmaker",
    "brewer",
    "miner",
    "telecoms",
    "operator",
    "club",
    "side",
    "outfit",
    "start-up",
    "startup",
];
/// Words after a name (or its "'s") that make it a company or club ("X shares", "X's chief executive").
const FIRM_AFTER: &[&str] = &[
    "shares",
    "shareholders",
    "plc",
    "inc",
    "ltd",
    "corp",
    "boss",
    "bosses",
    "chairman",
    "manager",
    "profits",
    "profit",
    "revenues",
    "turnover",
    "stake",
    "takeover",
    "subsidiary",
    "employees",
    "workforce",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "squad",
];

/// True when mention `m` has a company or club cue next to it.
fn firm_cue(doc: &Doc, m: &RawMention) -> bool {
    let mut next = m.last;
    if matches!(lower(doc, next).as_str(), "'s" | "’s") {
        next += 1;
    }
    let after = lower(doc, next);
    let chief = after == "chief" && lower(doc, next + 1) == "executive";
    let before = if m.first > 0 {
        lower(doc, m.first - 1)
    } else {
        String::new()
    };
    let shares_in = m.first >= 2
        && matches!(before.as_str(), "in" | "of")
        && matches!(
            lower(doc, m.first - 2).as_str(),
            "shares" | "stake" | "shareholders" | "takeover" | "bid"
        );
    FIRM_AFTER.contains(&after.as_str())
        || chief
        || FIRM_BEFORE.contains(&before.as_str())
        || shares_in
}

/// English only: a person or place name with a company or club cue at any mention becomes an ORG
/// at every mention, unless a personal title ("Mr", "Ms") stands before one of them or the
/// gazetteer knows it as a place. MISC names are left alone ("German shares" keeps "German").
pub fn type_companies(doc: &mut Doc, gaz: &Gazetteer) {
    if doc.lang != crate::lang::Lang::En {
        return;
    }
    let mut firms: Vec<String> = Vec::new();
    let mut people: Vec<String> = Vec::new();
    for m in &doc.mentions {
        if !m.kind.is_name() {
            continue;
        }
        let key = doc.key(m.first, m.last);
        let titled = m.first > 0
            && matches!(
                lower(doc, m.first - 1).as_str(),
                "mr" | "mrs" | "ms" | "dr" | "sir" | "lady" | "lord"
            );
        if titled {
            people.push(key);
        } else if matches!(m.kind, EntityKind::Person | EntityKind::Loc)
            && firm_cue(doc, m)
            && gaz.lookup_any(doc.mention_text(m)).is_none()
        {
            firms.push(key);
        }
    }
    firms.retain(|k| !people.contains(k));
    if firms.is_empty() {
        return;
    }
    // Every mention of the firm, and a longer person name it opens ("Pernod" ->
    // "Pernod Ricard").
    for k in 0..doc.mentions.len() {
        let m = &doc.mentions[k];
        let key = doc.key(m.first, m.last);
        let longer = m.kind == EntityKind::Person
            && firms
                .iter()
                .any(|f| !f.contains(' ') && key.split(' ').next() == Some(f.as_str()))
            && !people.contains(&key);
        if m.kind.is_name() && (firms.contains(&key) || longer) {
            doc.mentions[k].kind = EntityKind::Org;
        }
    }
}
