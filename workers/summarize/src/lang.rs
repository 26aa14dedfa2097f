//! The languages the wire brings (English, German, Italian, Norwegian, Finnish, French, Spanish)
//! and what the engine needs to know about each: stopwords (NLTK's lists from the `stop-words`
//! crate, plus a few news words that carry no topic), abbreviations that do not end a sentence,
//! whether "3. Oktober" is an ordinal, articles and conjunctions, clause openers and attribution
//! verbs for subheadings, and day and month names that are not topics.
//!
//! A story's language comes from its BCP 47 tag (`de`, `nb-NO`, ...); without one it is detected
//! with `whatlang`, and anything unknown is treated as English.

use std::collections::HashSet;
use std::sync::LazyLock;

/// A language the engine has rules for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (and anything without rules of its own).
    En,
    /// German.
    De,
    /// Italian.
    It,
    /// Norwegian (Bokmål and Nynorsk).
    No,
    /// Finnish.
    Fi,
    /// French.
    Fr,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language with rules, English first.
    pub const ALL: [Lang; 7] = [
        Lang::En,
        Lang::De,
        Lang::It,
        Lang::No,
        Lang::Fi,
        Lang::Fr,
        Lang::Es,
    ];

    /// The language of a BCP 47 tag ("de", "nb-NO", "fi_FI"); `None` for one without rules.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" | "eng" => Lang::En,
            "de" | "deu" | "ger" => Lang::De,
            "it" | "ita" => Lang::It,
            "no" | "nb" | "nn" | "nor" | "nob" | "nno" => Lang::No,
            "fi" | "fin" => Lang::Fi,
            "fr" | "fra" | "fre" => Lang::Fr,
            "es" | "spa" => Lang::Es,
            _ => return None,
        })
    }

    /// The story's language: its tag when it names one with rules, else detected from `sample`
    /// (only when the detector is sure), else English.
    pub fn resolve(tag: Option<&str>, sample: &str) -> Lang {
        if let Some(lang) = tag.and_then(Lang::from_tag) {
            return lang;
        }
        let cut: String = sample.chars().take(600).collect();
        // Most untagged copy is English: a quarter of its words are English stopwords, which
        // no other language here comes near; that check is far cheaper than detection.
        let words: Vec<String> = cut
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let english = words.iter().filter(|w| Lang::En.is_stopword(w)).count();
        if words.len() >= 20 && english * 4 >= words.len() {
            return Lang::En;
        }
        let detected = whatlang::detect(&cut)
            .filter(|i| i.is_reliable())
            .and_then(|info| {
                Some(match info.lang() {
                    whatlang::Lang::Deu => Lang::De,
                    whatlang::Lang::Ita => Lang::It,
                    whatlang::Lang::Nob => Lang::No,
                    whatlang::Lang::Fin => Lang::Fi,
                    whatlang::Lang::Fra => Lang::Fr,
                    whatlang::Lang::Spa => Lang::Es,
                    whatlang::Lang::Eng => Lang::En,
                    _ => return None,
                })
            });
        detected.unwrap_or(Lang::En)
    }

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        self.profile().code
    }

    /// True for a topic-free word (compared lowercase).
    pub fn is_stopword(self, word: &str) -> bool {
        STOPWORDS[self as usize].contains(word)
    }

    pub(crate) fn profile(self) -> &'static Profile {
        &PROFILES[self as usize]
    }

    /// The language's "and", for a subheading that joins two topics.
    pub(crate) fn and_word(self) -> &'static str {
        match self {
            Lang::En => "and",
            Lang::De => "und",
            Lang::It => "e",
            Lang::No => "og",
            Lang::Fi => "ja",
            Lang::Fr => "et",
            Lang::Es => "y",
        }
    }
}

/// What the engine knows about one language. Lists are lowercase.
pub(crate) struct Profile {
    /// ISO 639-1 code, also the `stop-words` lookup code.
    pub code: &'static str,
    /// Words without topic in news beyond the NLTK list ("said", "year").
    pub news_stopwords: &'static [&'static str],
    /// Abbreviations (without their final full stop) after which a sentence does not end.
    pub abbreviations: &'static [&'static str],
    /// True where a full stop after a short number marks an ordinal ("am 3. Oktober").
    pub ordinal_dot: bool,
    /// Articles: a subheading may open with one; where `drop_articles`, it drops it
    /// (headline style: "Polizei nimmt drei Männer fest").
    pub articles: &'static [&'static str],
    /// True where headlines drop a leading article (English, German).
    pub drop_articles: bool,
    /// Conjunctions that never open a meta description or a subheading.
    pub conjunctions: &'static [&'static str],
    /// Words that open a subordinate or new clause: a subheading stops before them.
    pub clause_words: &'static [&'static str],
    /// Attribution verbs ("sagte", "ha detto" is "detto" here).
    pub reporting: &'static [&'static str],
    /// Complementizers after an attribution verb ("dass", "che", "que", "at", "että").
    pub complementizers: &'static [&'static str],
    /// Day and month names: capitalised, but not topics.
    pub calendar: &'static [&'static str],
    /// Pronouns and demonstratives that point at an earlier sentence: a meta description does
    /// not open with one.
    pub pointers: &'static [&'static str],
    /// True where a clause after "that" ("dass", "at") leaves main-clause word order (verb
    /// last in German; the adverb before the verb in Norwegian): it never becomes a heading.
    pub reported_order_changes: bool,
}

static STOPWORDS: LazyLock<Vec<HashSet<&'static str>>> = LazyLock::new(|| {
    Lang::ALL
        .iter()
        .map(|lang| {
            let p = lang.profile();
            let listed = stop_words::lookup(p.code).unwrap_or(&[]);
            listed
                .iter()
                .copied()
                // NLTK lists "won" for "won't"; in news it is the verb.
                .filter(|w| !(p.code == "en" && *w == "won"))
                .chain(p.news_stopwords.iter().copied())
                .collect()
        })
        .collect()
});

#[rustfmt::skip]
static PROFILES: [Profile; 7] = [
    Profile {
        code: "en",
        news_stopwords: &[
            "also", "could", "would", "said", "says", "told", "new", "one", "two", "year", "years",
            "like", "get", "got", "may", "might", "must", "us", "yet", "still", "even", "many",
            "much", "made", "make", "last", "first",
        ],
        abbreviations: &[
            "mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "co", "corp", "ltd", "gen", "gov",
            "sen", "rep", "lt", "col", "sgt", "capt", "no", "vs", "prof", "rev", "mt", "jan", "feb",
            "aug", "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m", "e.g", "i.e", "etc",
            "approx", "dept", "fig", "ft", "hon",
        ],
        ordinal_dot: false,
        articles: &["the", "a", "an"],
        drop_articles: true,
        conjunctions: &["but", "and", "or", "so", "yet", "nor", "because", "although", "though"],
        clause_words: &["which", "who", "whose", "because", "but", "while", "although", "whereas"],
        reporting: &["said", "says", "told", "added", "warned", "stated"],
        complementizers: &["that"],
        calendar: &[
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "january", "february", "march", "april", "june", "july", "august", "september",
            "october", "november", "december",
        ],
        pointers: &["he", "she", "it", "they", "this", "these", "those", "his", "her", "its", "their", "we"],
        reported_order_changes: false,
    },
    Profile {
        code: "de",
        news_stopwords: &[
            "sagte", "sagt", "sei", "seien", "worden", "wurde", "wurden", "soll", "sollen",
            "sollte", "mehr", "neue", "neuen", "neuer", "jahr", "jahre", "jahren", "mal", "bereits",
            "rund", "etwa", "laut", "sowie", "seit", "gibt", "immer", "schon", "dabei", "zudem",
        ],
        abbreviations: &[
            "z.b", "bzw", "ca", "dr", "nr", "prof", "usw", "vgl", "ggf", "inkl", "mio", "mrd", "st",
            "str", "evtl", "u.a", "d.h", "z.t", "sog", "abs", "jh", "jan", "feb", "aug", "sept",
            "okt", "nov", "dez", "hl", "bzw", "o.ä", "v.a", "u.s.w", "chr",
        ],
        ordinal_dot: true,
        articles: &["der", "die", "das", "ein", "eine"],
        drop_articles: true,
        conjunctions: &["aber", "und", "oder", "doch", "denn", "sondern", "weil", "allerdings", "jedoch"],
        clause_words: &[
            "und", "aber", "weil", "dass", "damit", "wenn", "als", "nachdem", "während", "obwohl",
            "sondern", "denn", "sodass", "bevor", "wobei", "womit", "wie",
        ],
        reporting: &[
            "sagte", "sagt", "erklärte", "betonte", "teilte", "kündigte", "warnte", "berichtete",
            "hieß", "meldete", "gesagt", "erklärt", "betont", "angekündigt", "mitgeteilt",
            "gewarnt", "berichtet",
        ],
        complementizers: &["dass"],
        calendar: &[
            "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
            "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
            "oktober", "november", "dezember", "ende", "anfang", "mitte",
        ],
        pointers: &["er", "sie", "es", "dies", "diese", "dieser", "dieses", "sein", "seine", "ihr", "ihre", "wir"],
        reported_order_changes: true,
    },
    Profile {
        code: "it",
        news_stopwords: &[
            "detto", "dice", "ha", "anche", "nuovo", "nuova", "anno", "anni", "oggi", "ieri",
            "dopo", "secondo", "stato", "stata", "già", "circa", "ancora", "sempre",
        ],
        abbreviations: &[
            "sig", "sigg", "sig.ra", "dott", "dott.ssa", "prof", "on", "avv", "ing", "ecc", "pag",
            "art", "nr", "mln", "mld", "gen", "feb", "apr", "giu", "lug", "ago", "sett", "ott",
            "nov", "dic", "s.p.a", "p.es", "sen",
        ],
        ordinal_dot: false,
        articles: &["il", "lo", "la", "i", "gli", "le", "un", "uno", "una"],
        drop_articles: false,
        conjunctions: &["ma", "e", "o", "però", "quindi", "perché", "eppure", "oppure", "inoltre"],
        clause_words: &[
            "che", "ma", "perché", "mentre", "quando", "sebbene", "benché", "poiché", "cui",
            "dove",
        ],
        reporting: &["detto", "dichiarato", "spiegato", "affermato", "annunciato", "sottolineato", "dice"],
        complementizers: &["che"],
        calendar: &[
            "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
            "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
            "settembre", "ottobre", "novembre", "dicembre",
        ],
        pointers: &["lui", "lei", "esso", "essa", "essi", "questo", "questa", "questi", "ciò", "noi"],
        reported_order_changes: false,
    },
    Profile {
        code: "no",
        news_stopwords: &[
            "sier", "sa", "også", "nye", "ny", "nytt", "år", "året", "årets", "får", "fikk",
            "blant", "annet", "cirka", "rundt", "ifølge", "skriver",
        ],
        abbreviations: &[
            "bl.a", "f.eks", "ca", "nr", "kl", "mv", "osv", "dvs", "jf", "mill", "mrd", "pst",
            "hhv", "ang", "evt", "iflg", "st", "dr", "prof", "jan", "feb", "aug", "sep", "sept",
            "okt", "nov", "des", "t.o.m", "f.o.m", "o.l", "m.m",
        ],
        ordinal_dot: true,
        articles: &["en", "ei", "et"],
        drop_articles: false,
        conjunctions: &["men", "og", "eller", "for", "så", "både", "fordi", "mens"],
        clause_words: &["men", "fordi", "mens", "som", "når", "selv", "dersom", "hvis", "slik"],
        reporting: &["sier", "sa", "opplyser", "opplyste", "skriver", "skrev", "forteller", "fortalte"],
        complementizers: &["at"],
        calendar: &[
            "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag", "januar",
            "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
            "november", "desember",
        ],
        pointers: &["han", "hun", "det", "den", "de", "dette", "disse", "hans", "hennes", "vi"],
        reported_order_changes: true,
    },
    Profile {
        code: "fi",
        news_stopwords: &[
            "sanoi", "sanoo", "kertoi", "kertoo", "myös", "mukaan", "vuonna", "vuoden", "vuotta",
            "uusi", "uuden", "noin", "jo", "vielä", "nyt", "mutta",
        ],
        abbreviations: &[
            "esim", "mm", "ks", "ns", "n", "jne", "yms", "tms", "ym", "ts", "vrt", "milj", "mrd",
            "prof", "tri", "toht", "yo", "vs", "os", "p", "ma", "ti", "ke", "to", "pe", "la", "su",
        ],
        ordinal_dot: true,
        articles: &[],
        drop_articles: false,
        conjunctions: &["mutta", "ja", "tai", "sekä", "vaan", "koska", "sillä", "eli", "kuitenkin"],
        clause_words: &["mutta", "koska", "kun", "joka", "jotka", "jonka", "joiden", "vaikka", "jos", "sillä", "jotta"],
        reporting: &["sanoi", "sanoo", "kertoi", "kertoo", "totesi", "toteaa", "arvioi", "muistutti"],
        complementizers: &["että"],
        calendar: &[
            "maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina", "lauantaina",
            "sunnuntaina", "tammikuussa", "helmikuussa", "maaliskuussa", "huhtikuussa",
            "toukokuussa", "kesäkuussa", "heinäkuussa", "elokuussa", "syyskuussa", "lokakuussa",
            "marraskuussa", "joulukuussa",
        ],
        pointers: &["se", "ne", "hän", "he", "tämä", "nämä", "sen", "niiden", "hänen", "me"],
        reported_order_changes: false,
    },
    Profile {
        code: "fr",
        news_stopwords: &[
            "a", "été", "dit", "selon", "aussi", "plus", "nouveau", "nouvelle", "an", "ans",
            "année", "lors", "après", "déjà", "encore", "fait", "cette", "cet",
        ],
        abbreviations: &[
            "m", "mm", "mme", "mmes", "mlle", "dr", "pr", "etc", "av", "j.-c", "p", "cf", "env",
            "st", "ste", "janv", "févr", "avr", "juil", "sept", "oct", "nov", "déc", "n°", "art",
            "éd", "vol", "min",
        ],
        ordinal_dot: false,
        articles: &["le", "la", "les", "un", "une", "l"],
        drop_articles: false,
        conjunctions: &["mais", "et", "ou", "donc", "car", "or", "puis", "ensuite", "cependant", "pourtant"],
        clause_words: &["qui", "que", "qu", "mais", "car", "lorsque", "quand", "alors", "tandis", "dont", "où", "parce", "bien"],
        reporting: &["déclaré", "dit", "affirmé", "expliqué", "annoncé", "indiqué", "souligné", "estime", "précisé"],
        complementizers: &["que", "qu"],
        calendar: &[
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier",
            "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
            "novembre", "décembre",
        ],
        pointers: &["il", "elle", "ils", "elles", "ce", "cela", "ceci", "celui", "celle", "nous"],
        reported_order_changes: false,
    },
    Profile {
        code: "es",
        news_stopwords: &[
            "dijo", "afirmó", "según", "también", "nuevo", "nueva", "año", "años", "ayer", "hoy",
            "tras", "ha", "han", "sido", "además",
        ],
        abbreviations: &[
            "sr", "sra", "srta", "dr", "dra", "d", "dña", "ud", "uds", "ee.uu", "etc", "pág", "núm",
            "art", "aprox", "ene", "feb", "abr", "ago", "sept", "oct", "nov", "dic", "gral", "lic",
            "ing", "av", "avda", "pdte",
        ],
        ordinal_dot: false,
        articles: &["el", "la", "los", "las", "un", "una"],
        drop_articles: false,
        conjunctions: &["pero", "y", "e", "o", "u", "sino", "porque", "aunque", "así", "además", "sin"],
        clause_words: &["que", "pero", "porque", "mientras", "cuando", "aunque", "donde", "quien", "cuyo", "cuya"],
        reporting: &["dijo", "afirmó", "declaró", "explicó", "aseguró", "señaló", "indicó", "anunció", "advirtió"],
        complementizers: &["que"],
        calendar: &[
            "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo", "enero",
            "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
            "octubre", "noviembre", "diciembre",
        ],
        pointers: &["él", "ella", "ellos", "ellas", "esto", "este", "esta", "estos", "estas", "eso", "nosotros"],
        reported_order_changes: false,
    },
];

/// True when `word` (any case, punctuation aside) opens with a conjunction of `lang`:
/// a meta description or a subheading never starts with one.
pub(crate) fn is_conjunction(lang: Lang, word: &str) -> bool {
    let core = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    lang.profile().conjunctions.contains(&core.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_languages_and_unknown_tags_to_none() {
        assert_eq!(Lang::from_tag("nb-NO"), Some(Lang::No));
        assert_eq!(Lang::from_tag("de"), Some(Lang::De));
        assert_eq!(Lang::from_tag("fi_FI"), Some(Lang::Fi));
        assert_eq!(Lang::from_tag("pt-BR"), None);
    }

    #[test]
    fn stopwords_come_from_the_crate_for_every_language() {
        for (lang, word) in [
            (Lang::En, "the"),
            (Lang::De, "und"),
            (Lang::It, "della"),
            (Lang::No, "ikke"),
            (Lang::Fi, "olla"),
            (Lang::Fr, "avec"),
            (Lang::Es, "para"),
        ] {
            assert!(lang.is_stopword(word), "{word} is a {lang:?} stopword");
        }
        assert!(!Lang::De.is_stopword("regierung"));
        assert!(!Lang::En.is_stopword("won"), "a verb in news");
    }

    #[test]
    fn an_untagged_story_is_detected_or_taken_as_english() {
        let de = "Die Bundesregierung hat am Donnerstag neue Regeln für den Ausbau der Windkraft beschlossen. Die Länder müssen mehr Flächen ausweisen.";
        assert_eq!(Lang::resolve(None, de), Lang::De);
        assert_eq!(Lang::resolve(Some("xx"), "?"), Lang::En);
        assert_eq!(Lang::resolve(Some("fr-FR"), de), Lang::Fr, "the tag wins");
    }
}
