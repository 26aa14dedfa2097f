//! Which language a story is in, from its BCP 47 tag, and what the engine can do for it: the
//! languages with a trained tagger (English, German, Norwegian Bokmål, Finnish) and those that
//! get only the gazetteer and the date, time, money and percent patterns.

/// A language the engine tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (also the default when a story has no language).
    En,
    /// German.
    De,
    /// Norwegian: Bokmål, and Nynorsk and plain "no" read with the Bokmål model.
    Nb,
    /// Finnish.
    Fi,
    /// French (patterns only).
    Fr,
    /// Italian (patterns only).
    It,
    /// Spanish (patterns only).
    Es,
    /// Any other language (patterns only, with English month names).
    Other,
}

/// The languages that have a trained tagger, in model-slot order.
pub const MODEL_LANGS: [Lang; 4] = [Lang::En, Lang::De, Lang::Nb, Lang::Fi];

impl Lang {
    /// The language of a BCP 47 tag ("en-GB", "de-AT", "nb-NO", "no", "nn", "fi"); a story
    /// without a tag is read as English, the language most wire copy arrives in.
    pub fn from_tag(tag: Option<&str>) -> Lang {
        let Some(tag) = tag.map(str::trim).filter(|t| !t.is_empty()) else {
            return Lang::En;
        };
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" | "eng" => Lang::En,
            "de" | "deu" | "ger" | "gsw" => Lang::De,
            "nb" | "no" | "nn" | "nob" | "nno" | "nor" => Lang::Nb,
            "fi" | "fin" => Lang::Fi,
            "fr" | "fra" | "fre" => Lang::Fr,
            "it" | "ita" => Lang::It,
            "es" | "spa" => Lang::Es,
            _ => Lang::Other,
        }
    }

    /// Parse a `--lang` argument: like [`Lang::from_tag`], but an unknown tag is an error.
    pub fn parse_arg(arg: &str) -> Result<Lang, String> {
        match Lang::from_tag(Some(arg)) {
            Lang::Other => Err(format!(
                "unknown language '{arg}': use en, de, nb (or no, nn), fi, fr, it or es"
            )),
            l => Ok(l),
        }
    }

    /// The short code used in model file names and reports ("en", "de", "nb", "fi", ...).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Nb => "nb",
            Lang::Fi => "fi",
            Lang::Fr => "fr",
            Lang::It => "it",
            Lang::Es => "es",
            Lang::Other => "other",
        }
    }

    /// Slot of this language in [`MODEL_LANGS`], when it has a tagger.
    pub fn model_slot(self) -> Option<usize> {
        MODEL_LANGS.iter().position(|l| *l == self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcp47_tags_map_to_the_model_that_reads_them() {
        assert_eq!(Lang::from_tag(Some("nb-NO")), Lang::Nb);
        assert_eq!(Lang::from_tag(Some("no")), Lang::Nb);
        assert_eq!(Lang::from_tag(Some("nn")), Lang::Nb);
        assert_eq!(Lang::from_tag(Some("de-CH")), Lang::De);
        assert_eq!(Lang::from_tag(Some("FI")), Lang::Fi);
        assert_eq!(Lang::from_tag(Some("en_US")), Lang::En);
        assert_eq!(Lang::from_tag(None), Lang::En);
        assert_eq!(Lang::from_tag(Some("it")).model_slot(), None);
        assert_eq!(Lang::from_tag(Some("pl")), Lang::Other);
        assert!(Lang::parse_arg("xx").is_err());
    }
}
