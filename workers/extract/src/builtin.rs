//! The built-in engine: tagger + patterns + grouping + quotes, all offline. One tagger per
//! language with a model (English, German, Norwegian, Finnish), each loaded the first time a
//! story in that language arrives; other languages get the gazetteer and the patterns only.

use crate::error::ExtractError;
use crate::gazetteer::Gazetteer;
use crate::lang::Lang;
use crate::model::Model;
use crate::models::{embedded_lexicon, Tagger, Taggers};
use std::path::Path;

/// The built-in extractor: lazily loaded taggers and the gazetteer; cheap to share across tasks.
pub struct BuiltinExtractor {
    taggers: Taggers,
    gazetteer: Gazetteer,
}

impl BuiltinExtractor {
    /// The committed models embedded in this build, each parsed on first use. Fails when the
    /// build has no English model, the default language.
    pub fn load_default() -> Result<Self, ExtractError> {
        if crate::models::embedded_model(Lang::En).is_none() {
            return Err(ExtractError::BadModel {
                path: "model/ner.bin (embedded)".into(),
                reason: "this build has no model; run `make train-ner` and rebuild".into(),
            });
        }
        Ok(BuiltinExtractor {
            taggers: Taggers::lazy(),
            gazetteer: Gazetteer::embedded(),
        })
    }

    /// Load an English model file (the other languages stay embedded and lazy).
    pub fn load(path: &Path) -> Result<Self, ExtractError> {
        let bytes = std::fs::read(path).map_err(|e| ExtractError::io(path, e))?;
        Self::from_model(Model::from_bytes(&bytes, &path.display().to_string())?)
    }

    /// Wrap an already loaded English model.
    pub fn from_model(model: Model) -> Result<Self, ExtractError> {
        let en = Tagger {
            model,
            lexicon: embedded_lexicon(Lang::En),
        };
        Ok(BuiltinExtractor {
            taggers: Taggers::with_english(en),
            gazetteer: Gazetteer::embedded(),
        })
    }

    /// The tagger of a language, loading it on first use; `None` when it has no model.
    pub fn tagger(&self, lang: Lang) -> Option<&Tagger> {
        self.taggers.get(lang)
    }

    /// The taggers, for evaluation and for checking what is loaded.
    pub fn taggers(&self) -> &Taggers {
        &self.taggers
    }

    /// The place gazetteer.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }
}

/// Engine name reported in [`copydesk_types::Entities::engine`].
pub const ENGINE_NAME: &str = "builtin-perceptron-v2";

thread_local! {
    static SCRATCH: std::cell::RefCell<crate::tagger::Scratch> = std::cell::RefCell::new(Default::default());
}

impl BuiltinExtractor {
    /// Extract entities, quotes and cited sources from a story (offsets into `story.text()`),
    /// with the tagger of the story's language.
    pub fn extract_story(&self, story: &copydesk_types::Story) -> copydesk_types::Entities {
        let lang = Lang::from_tag(story.language.as_deref());
        let text = story.text();
        let found = SCRATCH.with(|s| self.analyse_in(&text, lang, &mut s.borrow_mut()));
        let mut e = crate::assemble::entities(&text, found);
        e.cited = crate::outlets::cite(&e.sources_cited, &story.links);
        e
    }

    /// Extract from English text laid out like [`copydesk_types::Story::text`]: the headline, a
    /// blank line, then paragraphs separated by blank lines. Offsets in the result are in chars.
    pub fn extract_text(&self, text: &str) -> copydesk_types::Entities {
        self.extract_text_in(text, Lang::En)
    }

    /// [`BuiltinExtractor::extract_text`] for text in `lang`.
    pub fn extract_text_in(&self, text: &str, lang: Lang) -> copydesk_types::Entities {
        let found = SCRATCH.with(|s| self.analyse_in(text, lang, &mut s.borrow_mut()));
        let mut e = crate::assemble::entities(text, found);
        e.cited = crate::outlets::cite(&e.sources_cited, &[]);
        e
    }

    /// Analyse English text down to grouped mentions and quotes, with byte offsets.
    pub fn analyse<'t>(
        &self,
        text: &'t str,
        scratch: &mut crate::tagger::Scratch,
    ) -> crate::assemble::Found<'t> {
        self.analyse_in(text, Lang::En, scratch)
    }

    /// Analyse text in `lang`.
    pub fn analyse_in<'t>(
        &self,
        text: &'t str,
        lang: Lang,
        scratch: &mut crate::tagger::Scratch,
    ) -> crate::assemble::Found<'t> {
        crate::assemble::find(text, self.tagger(lang), &self.gazetteer, lang, scratch)
    }
}
