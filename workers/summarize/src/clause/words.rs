//! The word lists and word tests behind headline clauses. English only, and deliberately
//! small: each list names the words one rule needs, with the rule in its doc line.

/// Openers dropped on their own: they tie the sentence to one the heading does not show.
#[rustfmt::skip]
pub(super) const CONNECTIVES: &[&str] = &[
    "and", "but", "so", "also", "yet", "still", "however", "meanwhile", "instead", "nevertheless",
    "nonetheless", "separately", "elsewhere", "overall", "indeed", "moreover", "furthermore",
    "finally", "now", "then",
];
/// Openers of an adverbial or dependent clause that runs to the first comma ("On Wednesday,",
/// "Under the plan,", "Although turnout fell,").
#[rustfmt::skip]
pub(super) const OPENERS: &[&str] = &[
    "on", "in", "at", "under", "after", "before", "during", "since", "by", "for", "with", "as",
    "following", "despite", "although", "though", "while", "when", "if", "once", "until", "because",
    "unlike", "against", "like", "amid", "over", "according", "earlier", "later", "last", "this",
    "next", "from", "within", "without", "throughout", "given", "asked", "to", "of", "among",
    "across", "whereas", "unless", "speaking", "elsewhere", "due", "outside", "inside", "besides",
];
/// Time words that open a sentence without a comma ("Last week the council ...").
#[rustfmt::skip]
pub(super) const WHEN_WORDS: &[&str] = &[
    "last", "this", "next", "earlier", "later", "on", "early", "late",
];
/// Periods that follow a time word ("last week", "on Monday").
#[rustfmt::skip]
pub(super) const PERIODS: &[&str] = &[
    "week", "month", "year", "weekend", "night", "season", "morning", "evening", "afternoon",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
];
/// Verbs of attribution that take a clause: "X said (that) CLAUSE" keeps CLAUSE.
#[rustfmt::skip]
pub(super) const REPORTING: &[&str] = &[
    "said", "says", "say", "warned", "warns", "added", "adds", "argued", "argues", "insisted",
    "insists", "claimed", "claims", "stated", "believes", "believe", "noted", "notes",
    "acknowledged", "admitted", "admits", "thinks", "told",
];
/// Words after which a reporting verb is not attribution ("were told to stay").
#[rustfmt::skip]
pub(super) const AUXILIARIES: &[&str] = &[
    "was", "were", "is", "are", "be", "been", "being", "to", "not",
];
/// Words that open a new clause: the heading stops before them.
#[rustfmt::skip]
pub(super) const CLAUSE_WORDS: &[&str] = &[
    "which", "where", "who", "whom", "whose", "after", "because", "but", "while", "when",
    "although", "though", "whereas", "since", "until", "unless", "before", "following", "according",
    "amid", "despite", "including", "that", "so", "if", "saying", "adding",
];
/// Words that open a phrase a long clause can lose ("Crews restored supply | to 22,000 homes").
#[rustfmt::skip]
pub(super) const PHRASE_WORDS: &[&str] = &[
    "in", "on", "at", "by", "for", "from", "to", "with", "into", "over", "under", "during", "near",
    "between", "across", "against", "through", "within", "without", "around", "towards", "toward",
    "per", "via", "amid", "among", "onto", "after", "before", "since", "until", "and", "of",
];
/// Words whose "of" phrase carries the meaning ("half | of the homes" would say nothing).
#[rustfmt::skip]
pub(super) const PARTITIVES: &[&str] = &[
    "half", "some", "most", "all", "many", "one", "part", "number", "lot", "couple", "majority",
    "bulk", "rest", "each", "none", "any", "both", "either", "neither", "much", "more", "less",
    "fewer", "plenty", "dozens", "hundreds", "thousands", "millions", "billions", "third",
    "quarter", "share", "proportion", "series", "variety", "range", "kind", "sort", "type",
    "amount", "percent", "cent", "top", "end", "head", "chief", "member", "members",
];
/// Words a heading must not open with: they point at something it does not show.
#[rustfmt::skip]
pub(super) const POINTERS: &[&str] = &[
    "it", "he", "she", "they", "we", "i", "you", "this", "that", "these", "those", "his", "her",
    "their", "its", "our", "my", "your", "there", "here", "who", "which", "what", "such", "them",
    "him", "us", "said", "says", "to", "of", "and", "or", "but", "since", "when", "while",
    "although", "though", "if", "because", "as", "after", "before", "until", "once", "unless",
    "whereas", "whether", "so", "than", "not", "in", "on", "at", "by", "for", "from", "with",
    "against", "outside", "inside", "due", "under", "over", "among", "amid", "across", "during",
    "despite", "without", "within", "into", "through", "throughout", "near", "like", "unlike",
    "about", "around", "according", "following", "between", "beyond", "behind", "per",
];
/// Verbs that need what follows them ("Government figures show", "Researchers found"): a
/// heading never ends on one.
#[rustfmt::skip]
pub(super) const NEEDS_OBJECT: &[&str] = &[
    "show", "shows", "showed", "shown", "find", "finds", "found", "suggest", "suggests",
    "suggested", "mean", "means", "meant", "reveal", "reveals", "revealed", "know", "knows", "knew",
    "decide", "decided", "agree", "agreed", "hope", "hopes", "hoped", "expect", "expects",
    "expected", "fear", "fears", "feared", "ensure", "ensured", "include", "includes", "included",
    "become", "became", "make", "makes", "give", "gives", "gave", "want", "wants", "wanted", "seek",
    "seeks", "sought", "plan", "plans", "planned", "aim", "aims", "aimed", "try", "tries", "tried",
    "need", "needs", "needed", "ruled", "rule", "rules", "announced", "announce", "announces",
    "confirmed", "confirm", "reported", "estimated", "predicted", "wrote", "asked", "urged",
    "called", "described", "added", "deny", "denies", "denied", "seem", "seems", "seemed", "appear",
    "appears", "appeared", "tend", "tends", "continue", "continues", "continued", "begin", "begins",
    "started", "starts", "likely", "unlikely", "able", "due", "set", "follows",
];
/// Modals and auxiliaries: a trimmed heading ending on the verb after one hangs ("could result").
#[rustfmt::skip]
pub(super) const MODALS: &[&str] = &[
    "will", "would", "can", "could", "may", "might", "must", "should", "shall", "to", "is", "are",
    "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "not",
];
/// Past tenses that are not also -ed participles (for telling a clause from a noun phrase).
#[rustfmt::skip]
pub(super) const IRREGULAR_PAST: &[&str] = &[
    "rose", "fell", "took", "gave", "came", "went", "began", "grew", "saw", "drew", "broke",
    "chose", "wrote", "threw", "drove", "stole", "swore", "tore", "hid", "froze", "sank", "knew",
    "ran", "sat", "stood", "got", "became", "beat", "won", "lost", "left", "sent", "built", "held",
    "found", "thought", "kept", "paid", "sold", "said", "told", "led", "met", "spent", "struck",
    "fled", "swept", "dealt", "meant", "heard", "felt", "brought", "bought", "caught",
];
/// Past participles that do not end in -ed.
#[rustfmt::skip]
pub(super) const IRREGULAR_PARTICIPLES: &[&str] = &[
    "told", "taken", "given", "shown", "seen", "made", "done", "known", "found", "held", "left",
    "sent", "built", "paid", "sold", "cut", "hit", "set", "put", "kept", "brought", "bought",
    "caught", "won", "spent", "begun", "gone", "risen", "fallen", "grown", "drawn", "struck", "led",
    "met", "hurt", "shut", "spread", "broken", "chosen", "written", "beaten", "thrown", "driven",
    "stolen", "sworn", "torn", "worn", "hidden", "forgotten", "frozen", "shot", "fled", "lost",
    "sunk", "swept", "dealt", "meant", "heard", "felt", "read", "run", "become", "overtaken",
    "withdrawn", "undertaken", "upheld", "overthrown", "rebuilt", "laid", "bound",
];
/// Words in -ed that are not participles.
#[rustfmt::skip]
pub(super) const NOT_PARTICIPLES: &[&str] = &[
    "need", "speed", "seed", "hundred", "red", "bed", "shed", "feed", "breed", "creed", "greed",
    "weed", "bred", "embed", "indeed", "proceed", "exceed", "succeed", "steed", "deed",
];
/// Days, for "said on Monday that".
#[rustfmt::skip]
pub(super) const WEEKDAYS: &[&str] = &[
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
];
/// Dashes that set off an aside.
pub(super) const DASHES: &[&str] = &["-", "--", "—", "–"];

/// A word without surrounding punctuation, lowercase.
pub(super) fn lower(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

/// True when a word (punctuation aside, any case) is in a list; no allocation, as it runs for
/// every word of every body sentence.
pub(super) fn is_in(list: &[&str], token: &str) -> bool {
    let core = core(token);
    list.iter().any(|w| w.eq_ignore_ascii_case(core))
}

/// The word before an apostrophe: "You'll" -> "you", "It’s" -> "it"; empty for an acronym
/// ("US" is not "us").
pub(super) fn stem_of(token: &str) -> String {
    if is_acronym(token) {
        return String::new();
    }
    let l = lower(token);
    l.split(['\'', '’']).next().unwrap_or("").to_string()
}

/// True for a word in capitals ("US", "BBC", "THG").
pub(crate) fn is_acronym(token: &str) -> bool {
    let core = token.trim_matches(|c: char| !c.is_alphanumeric());
    core.chars().count() >= 2 && core.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// True for a word that reads as a past participle ("suspended", "taken").
pub(super) fn is_participle(token: &str) -> bool {
    (ends_with_ci(token, "ed") && core(token).len() >= 4 && !is_in(NOT_PARTICIPLES, token))
        || is_in(IRREGULAR_PARTICIPLES, token)
}

/// A word without surrounding punctuation.
pub(super) fn core(token: &str) -> &str {
    token.trim_matches(|c: char| !c.is_alphanumeric())
}

/// True when a word (punctuation aside, any case) is `word`.
pub(super) fn is_word(token: &str, word: &str) -> bool {
    core(token).eq_ignore_ascii_case(word)
}

/// True when a word (punctuation aside, any case) ends with the ASCII `suffix`.
pub(super) fn ends_with_ci(token: &str, suffix: &str) -> bool {
    let c = core(token).as_bytes();
    c.len() >= suffix.len() && c[c.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// True for a word that opens or carries a quotation.
pub(super) fn is_quoted(token: &str) -> bool {
    token.contains(['"', '“', '”', '«', '»']) || token.starts_with(['\'', '‘'])
}

/// True when some word of a heading reads as a verb: a modal or auxiliary, a participle, a past
/// tense, or a present tense in -s right after the opening word ("Deal requires approval").
pub(super) fn has_verb(words: &[&str]) -> bool {
    let present = words.get(1).is_some_and(|w| {
        w.starts_with(char::is_lowercase)
            && ends_with_ci(w, "s")
            && !["ss", "us", "is", "ics"].iter().any(|e| ends_with_ci(w, e))
            && !w.contains(['\'', '’'])
    });
    present
        || words
            .iter()
            .skip(1)
            .any(|w| is_verb_form(w) || is_participle(w))
}

/// True for a modal, an auxiliary or an irregular past tense ("would", "was", "rose").
pub(super) fn is_verb_form(w: &str) -> bool {
    (is_in(MODALS, w) && !is_word(w, "to")) || is_in(IRREGULAR_PAST, w)
}

/// Words before a noun: after one, "plan" or "rise" is a noun, not a verb wanting an object.
#[rustfmt::skip]
pub(super) const DETERMINERS: &[&str] = &[
    "a", "an", "the", "its", "their", "his", "her", "our", "this", "that", "these", "those", "new",
    "any", "every", "each", "no",
];

/// Units of time that bind to a following "after", "before" or "ago" ("days after the vote").
#[rustfmt::skip]
pub(super) const TIME_UNITS: &[&str] = &[
    "seconds", "minutes", "hours", "days", "weeks", "months", "years", "decades", "moments",
    "shortly", "soon", "just", "hour", "day", "week", "month", "year", "minute",
];

/// True for an adverb that may stand between a modal and its verb ("will likely go").
pub(super) fn is_adverb(token: &str) -> bool {
    (ends_with_ci(token, "ly") && token.starts_with(char::is_lowercase))
        || is_in(
            &[
                "not", "also", "still", "never", "soon", "now", "then", "just", "already",
                "probably",
            ],
            token,
        )
}

/// Verbs that take an object and a second complement ("brought the fire under control", "put
/// the plan on hold"): a clause trimmed after them loses its meaning.
#[rustfmt::skip]
pub(super) const NEEDS_COMPLEMENT: &[&str] = &[
    "bring", "brings", "brought", "put", "puts", "place", "placed", "send", "sends", "sent",
    "turn", "turned", "hand", "handed", "handing", "keep", "kept", "take", "took", "taken",
];

/// Bare verbs that open a clause only when its subject was left behind ("[There] remain
/// challenges", "[It will] become free"): a heading never starts with one.
#[rustfmt::skip]
pub(super) const BARE_VERBS: &[&str] = &[
    "remain", "remains", "become", "be", "have", "make", "take", "go", "get", "come", "seem",
    "look", "appear", "keep", "give", "stay", "exist", "exists", "lie", "lies",
];
