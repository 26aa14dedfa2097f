//! The article rules in every language the wire brings, on stories written for these tests
//! (`common/langs.rs`): sentence splitting with the language's abbreviations, stopwords from
//! the crate, subheadings that are whole clauses not ending on a function word, meta
//! descriptions that are complete sentences and never open with a conjunction.

use copydesk_summarize::{split_sentences_in, BuiltinSummarizer, Lang};
use copydesk_types::Entities;

mod common;
use common::langs;

#[test]
fn sentences_are_split_with_each_languages_abbreviations_and_ordinals() {
    let cases = [
        (Lang::De, "Die Linie startet am 3. Oktober in Kiel. Prof. Hoffmann nennt z. B. Lastwagen. Die Stadt freut sich.", 3),
        (Lang::It, "Il sig. Ferri ha parlato. Ci saranno concerti, letture ecc. ogni settimana. Il museo apre sabato.", 3),
        (Lang::No, "Rederiet setter inn bl.a. et skip. Bussen går kl. 6 fra Sætre. Det koster f.eks. 50 kroner.", 3),
        (Lang::Fi, "Linja maksoi n. 240 miljoonaa euroa. Esim. Hiedanranta kasvaa. Vaunut kulkevat usein.", 3),
        (Lang::Fr, "M. Morel a parlé. Les hôtels, les taxis etc. ont perdu. Le mouvement dure.", 3),
        (Lang::Es, "El Sr. Ruiz habló. Hay ayudas en EE.UU. para la sequía. El plan empieza hoy.", 3),
    ];
    for (lang, text, n) in cases {
        let s = split_sentences_in(lang, text);
        assert_eq!(s.len(), n, "{lang:?}: {s:#?}");
    }
}

#[test]
fn stopwords_come_from_the_stop_words_crate_in_every_language() {
    for (lang, word) in [
        (Lang::De, "nicht"),
        (Lang::It, "degli"),
        (Lang::No, "hvorfor"),
        (Lang::Fi, "koska"),
        (Lang::Fr, "nous"),
        (Lang::Es, "nosotros"),
    ] {
        assert!(lang.is_stopword(word), "{lang:?} {word}");
    }
}

#[test]
fn every_language_gets_a_sectioned_article_with_clean_subheadings_and_meta() {
    let engine = BuiltinSummarizer::new();
    for (code, story) in langs::all() {
        let lang = Lang::from_tag(code).expect("a language with rules");
        let summary = engine.summarize_sync(&story, &Entities::default());
        let a = &summary.article;
        assert!(
            a.sections.len() >= 2,
            "{code}: {} sections",
            a.sections.len()
        );
        let mut seen = std::collections::HashSet::new();
        for s in &a.sections {
            let h = &s.heading;
            assert!(!h.is_empty(), "{code}: untitled section among titled ones");
            let last = h.split_whitespace().last().unwrap_or("").to_lowercase();
            let last = last.trim_matches(|c: char| !c.is_alphanumeric());
            assert!(
                !lang.is_stopword(last),
                "{code}: heading ends on a stopword: {h}"
            );
            assert!(
                !h.contains(['"', ':', '«', '„']) && !h.ends_with('.'),
                "{code}: {h}"
            );
            assert!(h.split_whitespace().count() <= 10, "{code}: {h}");
            assert!(seen.insert(h.to_lowercase()), "{code}: repeated {h}");
            let sentences: usize = s
                .paragraphs
                .iter()
                .map(|p| split_sentences_in(lang, p).len())
                .sum();
            assert!(
                sentences >= 2,
                "{code}: a section of one sentence under {h}"
            );
        }
        let meta = &summary.meta_description;
        let first = meta.split_whitespace().next().unwrap_or("").to_lowercase();
        assert!(
            !["aber", "ma", "men", "mutta", "mais", "pero", "but"].contains(&first.as_str()),
            "{code}: {meta}"
        );
        assert!(
            meta.ends_with('.') && meta.starts_with(char::is_uppercase),
            "{code}: {meta}"
        );
        assert!(
            !summary.keywords.iter().any(|k| k == "Copydesk"),
            "{code}: the dateline credit is not a keyword: {:?}",
            summary.keywords
        );
        assert!(
            !a.lead.contains("(Copydesk)"),
            "{code}: dateline left in the lead: {}",
            a.lead
        );
    }
}

#[test]
fn the_german_lead_is_not_cut_at_the_ordinal() {
    let summary = BuiltinSummarizer::new().summarize_sync(&langs::german(), &Entities::default());
    assert!(
        summary
            .article
            .lead
            .starts_with("Die Reederei Nordlicht startet am 3. Oktober eine neue Fährlinie"),
        "{}",
        summary.article.lead
    );
}

#[test]
fn untagged_copy_is_recognised_in_every_language() {
    for (code, story) in langs::all() {
        let text = story.body.join(" ");
        let want = Lang::from_tag(code).expect("a language with rules");
        assert_eq!(Lang::resolve(None, &text), want, "{code}");
    }
    let english = common::harbour_story().body.join(" ");
    assert_eq!(Lang::resolve(None, &english), Lang::En);
}
