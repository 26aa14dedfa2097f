//! Inline attribution of an event article's sentences to the wire that reported them:
//! "The strike will last a week, according to Reuters." ("..., wie dpa berichtete.",
//! "..., secondo ANSA.", "..., ifølge NTB.", "..., kertoo STT.", "..., selon l'AFP" is written
//! "selon AFP", "..., según EFE.").

use crate::lang::Lang;

/// The sentence with its source named at its end, or `None` when it cannot take the words
/// there (it ends on a question or an exclamation, or names the source already).
pub(crate) fn attributed(lang: Lang, sentence: &str, source: &str) -> Option<String> {
    let s = sentence.trim_end();
    if s.contains(source) {
        return None;
    }
    let phrase = match lang {
        Lang::En => format!("according to {source}"),
        Lang::De => format!("wie {source} berichtete"),
        Lang::It => format!("secondo {source}"),
        Lang::No => format!("ifølge {source}"),
        Lang::Fi => format!("kertoo {source}"),
        Lang::Fr => format!("selon {source}"),
        Lang::Es => format!("según {source}"),
    };
    // "... we will rebuild." said in quotes: the stop becomes a comma inside the quote.
    for close in ['"', '”', '“', '»', '’'] {
        let stop_inside = format!(".{close}");
        if let Some(head) = s.strip_suffix(stop_inside.as_str()) {
            return Some(format!("{head},{close} {phrase}."));
        }
    }
    let head = s.strip_suffix('.')?;
    if head.ends_with(['.', '!', '?']) {
        return None;
    }
    Some(format!("{head}, {phrase}."))
}

/// Attributes a run of sentences from one source: the first sentence that can take the
/// attribution gets it. Returns whether one did.
pub(crate) fn attribute_run(lang: Lang, run: &mut [String], source: &str) -> bool {
    if run.iter().any(|s| s.contains(source)) {
        return true; // the copy names its source itself
    }
    for s in run.iter_mut() {
        if let Some(a) = attributed(lang, s, source) {
            *s = a;
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_named_at_the_end_of_a_sentence_in_its_language() {
        assert_eq!(
            attributed(Lang::En, "The strike will last a week.", "Reuters").as_deref(),
            Some("The strike will last a week, according to Reuters.")
        );
        assert_eq!(
            attributed(Lang::En, "The mayor said: \"We will rebuild.\"", "AP").as_deref(),
            Some("The mayor said: \"We will rebuild,\" according to AP.")
        );
        assert_eq!(
            attributed(Lang::De, "Der Streik dauert eine Woche.", "dpa").as_deref(),
            Some("Der Streik dauert eine Woche, wie dpa berichtete.")
        );
        assert_eq!(attributed(Lang::En, "Will it end?", "AP"), None);
        assert_eq!(
            attributed(Lang::En, "Reuters said the strike ended.", "Reuters"),
            None
        );
    }

    #[test]
    fn a_run_is_attributed_once_at_the_first_sentence_that_can_take_it() {
        let mut run = vec![
            "Will it end?".to_string(),
            "Talks resume on Friday.".to_string(),
            "Nothing else.".to_string(),
        ];
        assert!(attribute_run(Lang::En, &mut run, "NTB"));
        assert_eq!(run[1], "Talks resume on Friday, according to NTB.");
        assert_eq!(run[2], "Nothing else.");
    }
}
