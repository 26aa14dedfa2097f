//! Rules for the entity types CoNLL does not cover: DATE, TIME, MONEY and PERCENT, matched over
//! the tokens of one sentence. Month and weekday names come in English, German, Norwegian,
//! Finnish (matched by stem: "maaliskuuta", "maanantaina"), French, Italian and Spanish;
//! amounts and percentages know those languages' words ("Millionen Euro", "prosenttia").

use crate::lang::Lang;
use copydesk_types::EntityKind;

/// Month and weekday names of one language (lowercase).
struct Calendar {
    months: &'static [&'static str],
    weekdays: &'static [&'static str],
    /// Names are stems that inflected forms extend (Finnish).
    stems: bool,
}

const DE: Calendar = Calendar {
    months: &[
        "januar",
        "jänner",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
    ],
    weekdays: &[
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonnabend",
        "sonntag",
    ],
    stems: false,
};
const NB: Calendar = Calendar {
    months: &[
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ],
    weekdays: &[
        "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
    ],
    stems: false,
};
const FI: Calendar = Calendar {
    months: &[
        "tammikuu",
        "helmikuu",
        "maaliskuu",
        "huhtikuu",
        "toukokuu",
        "kesäkuu",
        "heinäkuu",
        "elokuu",
        "syyskuu",
        "lokakuu",
        "marraskuu",
        "joulukuu",
    ],
    weekdays: &[
        "maanantai",
        "tiistai",
        "keskiviiko",
        "keskiviikko",
        "torstai",
        "perjantai",
        "lauantai",
        "sunnuntai",
    ],
    stems: true,
};
const FR: Calendar = Calendar {
    months: &[
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    weekdays: &[
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
    stems: false,
};
const IT: Calendar = Calendar {
    months: &[
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    weekdays: &[
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    ],
    stems: false,
};
const ES: Calendar = Calendar {
    months: &[
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "setiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    weekdays: &[
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    stems: false,
};

fn calendar(lang: Lang) -> Option<&'static Calendar> {
    match lang {
        Lang::De => Some(&DE),
        Lang::Nb => Some(&NB),
        Lang::Fi => Some(&FI),
        Lang::Fr => Some(&FR),
        Lang::It => Some(&IT),
        Lang::Es => Some(&ES),
        Lang::En | Lang::Other => None,
    }
}

impl Calendar {
    fn hit(&self, list: &[&str], w: &str) -> bool {
        let lw = w.to_lowercase();
        list.iter().any(|x| {
            if self.stems {
                lw.starts_with(x) && lw.len() <= x.len() + 5
            } else {
                lw == *x
            }
        })
    }
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan.",
    "feb.",
    "mar.",
    "apr.",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "sept.",
    "oct.",
    "nov.",
    "dec.",
    "jan",
    "feb",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const RELATIVE_DAYS: &[&str] = &["today", "yesterday", "tomorrow", "tonight"];
const PERIODS: &[&str] = &[
    "week", "month", "year", "weekend", "quarter", "decade", "century", "season",
];
const CURRENCY_SYMBOLS: &[&str] = &[
    "$", "£", "€", "¥", "₹", "₽", "us$", "a$", "c$", "hk$", "€", "rs", "rs.",
];
const CURRENCY_WORDS: &[&str] = &[
    "dollar", "dollars", "euro", "euros", "pound", "pounds", "yen", "yuan", "cent", "cents",
    "pence", "rupee", "rupees", "rouble", "roubles", "ruble", "rubles", "franc", "francs", "peso",
    "pesos", "hryvnia", "hryvnias", "won", "lira", "krona", "kronor", "krone", "kroner", "rand",
    "sterling", "usd", "eur", "gbp", "jpy", "cny", "chf",
];
const SCALES: &[&str] = &[
    "hundred",
    "thousand",
    "million",
    "billion",
    "trillion",
    "bn",
    "m",
    "mn",
    "k",
    "tn",
    "crore",
    "lakh",
    "millionen",
    "milliarden",
    "mio.",
    "mrd.",
    "mio",
    "mrd",
    "millioner",
    "milliarder",
    "mill.",
    "miljoonaa",
    "miljardia",
    "milj.",
    "millions",
    "milliards",
    "milioni",
    "miliardi",
    "millones",
    "millón",
    "mil",
];
/// Currency words of the other languages (the English list covers "euro", "dollar", "krone").
const CURRENCY_WORDS_OTHER: &[&str] = &[
    "euroa", "dollaria", "kruunua", "punta", "kronen", "franken", "dollari", "dólares", "euri",
];
/// Percent words after a number.
const PERCENT_WORDS: &[&str] = &[
    "percent",
    "pct",
    "prozent",
    "prosent",
    "prosenttia",
    "procent",
];
const TIME_SUFFIX: &[&str] = &["a.m.", "p.m.", "am", "pm", "a.m", "p.m"];
const TIME_ZONES: &[&str] = &[
    "gmt", "utc", "bst", "cet", "cest", "est", "edt", "et", "pt", "pst", "pdt", "ct", "cst", "cdt",
    "mt", "jst", "ist",
];

fn is(list: &[&str], w: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(w))
        || (!w.is_ascii() && list.contains(&w.to_lowercase().as_str()))
}

/// A plain number: digits with `,` and `.` inside ("1,250.5"), or a spelled scale ("5bn").
fn number(w: &str) -> bool {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && (suffix.is_empty() || is(SCALES, suffix) || is(&["st", "nd", "rd", "th"], suffix))
}

fn year(w: &str) -> bool {
    w.len() == 4 && w.parse::<u32>().is_ok_and(|y| (1800..=2100).contains(&y))
}

fn day(w: &str) -> bool {
    let d = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    d.len() <= 2 && d.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

fn iso_date(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && w.chars().filter(char::is_ascii_digit).count() == 8
}

fn clock(w: &str) -> bool {
    let mut parts = w.split(':');
    let (Some(h), Some(m), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    h.len() <= 2
        && m.len() == 2
        && h.parse::<u32>().is_ok_and(|h| h < 25)
        && m.parse::<u32>().is_ok_and(|m| m < 60)
}

/// Find pattern entities in one sentence: `(first, last_exclusive, kind)` token spans, in order,
/// never overlapping.
pub fn find(words: &[&str], lang: Lang) -> Vec<(usize, usize, EntityKind)> {
    let mut out = Vec::new();
    let mut i = 0;
    let cal = calendar(lang);
    while i < words.len() {
        let found = match_at(words, i).or_else(|| {
            cal.and_then(|c| local_date_at(c, words, i))
                .map(|e| (e, EntityKind::Date))
        });
        match found {
            Some((end, kind)) => {
                out.push((i, end, kind));
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

fn match_at(w: &[&str], i: usize) -> Option<(usize, EntityKind)> {
    let at = |k: usize| w.get(k).copied().unwrap_or("");
    let lw = at(i);
    // MONEY: "$ 5", "$ 5 million", "US$ 12bn", "5 million dollars", "€12bn" (one token)
    if is(CURRENCY_SYMBOLS, lw) && number(at(i + 1)) {
        let end = if is(SCALES, at(i + 2)) { i + 3 } else { i + 2 };
        return Some((end, EntityKind::Money));
    }
    if let Some(rest) = lw.strip_prefix(['$', '£', '€', '¥']) {
        if number(rest) {
            let end = if is(SCALES, at(i + 1)) { i + 2 } else { i + 1 };
            return Some((end, EntityKind::Money));
        }
    }
    if number(lw) {
        let mut end = i + 1;
        while is(SCALES, at(end)) && end < i + 3 {
            end += 1;
        }
        if is(CURRENCY_WORDS, at(end)) || is(CURRENCY_WORDS_OTHER, at(end)) {
            return Some((end + 1, EntityKind::Money));
        }
        if at(end) == "%" || is(PERCENT_WORDS, at(end)) {
            return Some((end + 1, EntityKind::Percent));
        }
        let cent = (is(&["per", "pour"], at(end)) && is(&["cent", "cento"], at(end + 1)))
            || (is(&["por"], at(end)) && is(&["ciento"], at(end + 1)));
        if cent {
            return Some((end + 2, EntityKind::Percent));
        }
    }
    // TIME: "4:35 p.m. GMT", "10 am", "noon"
    if clock(lw) || (day(lw) && is(TIME_SUFFIX, at(i + 1))) {
        let mut end = i + 1;
        if is(TIME_SUFFIX, at(end)) {
            end += 1;
        }
        if is(TIME_ZONES, at(end)) && at(end).chars().all(|c| c.is_ascii_uppercase()) {
            end += 1;
        }
        if clock(lw) || end > i + 1 {
            return Some((end, EntityKind::Time));
        }
    }
    if is(&["noon", "midnight"], lw) {
        return Some((i + 1, EntityKind::Time));
    }
    // "14 Uhr", "14.30 Uhr"; "kl. 14.30", "klo 14.30"
    if (day(lw) || dotted_clock(lw)) && at(i + 1) == "Uhr" {
        return Some((i + 2, EntityKind::Time));
    }
    if is(&["kl.", "klo", "kl"], lw) && (clock(at(i + 1)) || dotted_clock(at(i + 1))) {
        return Some((i + 2, EntityKind::Time));
    }
    date_at(w, i).map(|end| (end, EntityKind::Date))
}

fn dotted_clock(w: &str) -> bool {
    clock(&w.replacen('.', ":", 1)) && w.contains('.')
}

/// Dates in a language with its own month and weekday names: "3. März 2024", "3 mars",
/// "maaliskuussa 2024", "am Donnerstag", "torsdag". A month needs a day or a year beside it
/// (so "Mars" the planet and "mai" the verb stay out); a weekday stands alone.
fn local_date_at(c: &Calendar, w: &[&str], i: usize) -> Option<usize> {
    let at = |k: usize| w.get(k).copied().unwrap_or("");
    let year_after = |k: usize| if year(at(k)) { k + 1 } else { k };
    if c.hit(c.weekdays, at(i)) {
        return Some(i + 1);
    }
    // day [.] month [year]
    if day(at(i)) {
        let m = if at(i + 1) == "." { i + 2 } else { i + 1 };
        if c.hit(c.months, at(m)) {
            return Some(year_after(m + 1));
        }
    }
    // month year, month day
    if c.hit(c.months, at(i)) {
        if year(at(i + 1)) {
            return Some(i + 2);
        }
        if day(at(i + 1)) && !at(i + 2).starts_with(char::is_numeric) {
            return Some(i + 2);
        }
    }
    None
}

fn date_at(w: &[&str], i: usize) -> Option<usize> {
    let at = |k: usize| w.get(k).copied().unwrap_or("");
    let lw = at(i);
    let month = |s: &str| is(MONTHS, s) && s.starts_with(char::is_uppercase);
    if iso_date(lw) {
        return Some(i + 1);
    }
    // "Monday", "Monday, March 3"
    if is(WEEKDAYS, lw) && lw.starts_with(char::is_uppercase) {
        let mut end = i + 1;
        if at(end) == "," && (month(at(end + 1)) || day(at(end + 1)) && month(at(end + 2))) {
            end = date_at(w, end + 1).unwrap_or(end);
        }
        return Some(end);
    }
    // "March 3, 2024", "March 2024", "March 3"
    if month(lw)
        && (lw.len() > 3 || day(at(i + 1)) || year(at(i + 1)))
        && !(lw == "May" && !day(at(i + 1)) && !year(at(i + 1)))
    {
        let mut end = i + 1;
        if day(at(end)) {
            end += 1;
        }
        if at(end) == "," && year(at(end + 1)) {
            end += 2;
        } else if year(at(end)) {
            end += 1;
        }
        return Some(end);
    }
    // "3 March 2024", "3rd of March"
    if day(lw) && month(at(i + 1)) {
        let end = if year(at(i + 2)) { i + 3 } else { i + 2 };
        return Some(end);
    }
    if is(RELATIVE_DAYS, lw) {
        return Some(i + 1);
    }
    // "last week", "next year", "this month"
    if is(&["last", "next", "this", "earlier", "later"], lw) && is(PERIODS, at(i + 1)) {
        return Some(i + 2);
    }
    // "in 2004", "since 1996"
    if year(lw)
        && i > 0
        && is(
            &[
                "in", "since", "by", "until", "from", "before", "after", "during", "of",
            ],
            at(i - 1),
        )
    {
        return Some(i + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, EntityKind)> {
        kinds_in(text, Lang::En)
    }

    fn kinds_in(text: &str, lang: Lang) -> Vec<(String, EntityKind)> {
        let words: Vec<&str> = text.split(' ').collect();
        find(&words, lang)
            .into_iter()
            .map(|(a, b, k)| (words[a..b].join(" "), k))
            .collect()
    }

    #[test]
    fn german_norwegian_finnish_and_romance_dates_and_amounts_are_found() {
        use EntityKind::*;
        assert_eq!(
            kinds_in("Am Donnerstag , dem 3 . März 2024 , um 14.30 Uhr stieg der Kurs um 3,5 Prozent auf 12 Millionen Euro", Lang::De),
            [
                ("Donnerstag".into(), Date),
                ("3 . März 2024".into(), Date),
                ("14.30 Uhr".into(), Time),
                ("3,5 Prozent".into(), Percent),
                ("12 Millionen Euro".into(), Money)
            ]
        );
        assert_eq!(
            kinds_in("torsdag 3 . mars kl. 14.30 : 12 prosent", Lang::Nb),
            [
                ("torsdag".into(), Date),
                ("3 . mars".into(), Date),
                ("kl. 14.30".into(), Time),
                ("12 prosent".into(), Percent)
            ]
        );
        assert_eq!(
            kinds_in(
                "maanantaina 3 . maaliskuuta 2024 5 miljoonaa euroa",
                Lang::Fi
            ),
            [
                ("maanantaina".into(), Date),
                ("3 . maaliskuuta 2024".into(), Date),
                ("5 miljoonaa euroa".into(), Money)
            ]
        );
        assert_eq!(
            kinds_in("le jeudi 3 mars 2024 , 12 pour cent", Lang::Fr),
            [
                ("jeudi".into(), Date),
                ("3 mars 2024".into(), Date),
                ("12 pour cent".into(), Percent)
            ]
        );
        assert_eq!(
            kinds_in("giovedì 3 marzo e el 5 de mayo", Lang::It),
            [("giovedì".into(), Date), ("3 marzo".into(), Date)]
        );
        assert!(
            kinds_in("Mars er en planet", Lang::Nb).is_empty(),
            "a month alone is not a date"
        );
    }

    #[test]
    fn money_percent_time_and_dates_are_found() {
        use EntityKind::*;
        assert_eq!(
            kinds("On Monday , March 3 , 2024 at 4:35 p.m. GMT shares rose 3.5 % to $ 12 billion"),
            [
                ("Monday , March 3 , 2024".into(), Date),
                ("4:35 p.m. GMT".into(), Time),
                ("3.5 %".into(), Percent),
                ("$ 12 billion".into(), Money),
            ]
        );
        assert_eq!(
            kinds("a €12bn deal and 40 million euros"),
            [("€12bn".into(), Money), ("40 million euros".into(), Money)]
        );
        assert_eq!(
            kinds("up 12 per cent since 1996"),
            [("12 per cent".into(), Percent), ("1996".into(), Date)]
        );
    }

    #[test]
    fn may_the_verb_and_bare_numbers_are_not_dates() {
        assert!(kinds("They May go and 3 people came").is_empty());
    }
}
