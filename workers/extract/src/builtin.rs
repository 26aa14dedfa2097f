//! The built-in engine: tagger + patterns + grouping + quotes, all offline.

use crate::error::ExtractError;
use crate::gazetteer::Gazetteer;
use crate::model::Model;
use std::path::Path;

/// The committed model, embedded at build time when present.
#[cfg(has_ner_model)]
const DEFAULT_MODEL: Option<&[u8]> = Some(include_bytes!("../model/ner.bin"));
#[cfg(not(has_ner_model))]
const DEFAULT_MODEL: Option<&[u8]> = None;

/// The built-in extractor: a loaded model and gazetteer; cheap to share across tasks.
pub struct BuiltinExtractor {
    model: Model,
    gazetteer: Gazetteer,
}

impl BuiltinExtractor {
    /// Load the committed model embedded in this build.
    pub fn load_default() -> Result<Self, ExtractError> {
        let bytes = DEFAULT_MODEL.ok_or_else(|| ExtractError::BadModel {
            path: "model/ner.bin (embedded)".into(),
            reason: "this build has no model; run `make train-ner` and rebuild".into(),
        })?;
        Self::from_model(Model::from_bytes(bytes, "embedded model/ner.bin")?)
    }

    /// Load a model file.
    pub fn load(path: &Path) -> Result<Self, ExtractError> {
        let bytes = std::fs::read(path).map_err(|e| ExtractError::io(path, e))?;
        Self::from_model(Model::from_bytes(&bytes, &path.display().to_string())?)
    }

    /// Wrap an already loaded model.
    pub fn from_model(model: Model) -> Result<Self, ExtractError> {
        Ok(BuiltinExtractor { model, gazetteer: Gazetteer::embedded() })
    }

    /// The tagger model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The place gazetteer.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }
}

/// Engine name reported in [`copydesk_types::Entities::engine`].
pub const ENGINE_NAME: &str = "builtin-perceptron-v1";

thread_local! {
    static SCRATCH: std::cell::RefCell<crate::tagger::Scratch> = std::cell::RefCell::new(Default::default());
}

impl BuiltinExtractor {
    /// Extract entities, quotes and cited sources from a story (offsets into `story.text()`).
    pub fn extract_story(&self, story: &copydesk_types::Story) -> copydesk_types::Entities {
        self.extract_text(&story.text())
    }

    /// Extract from text laid out like [`copydesk_types::Story::text`]: the headline, a blank
    /// line, then paragraphs separated by blank lines. Offsets in the result are in chars.
    pub fn extract_text(&self, text: &str) -> copydesk_types::Entities {
        let found = SCRATCH.with(|s| self.analyse(text, &mut s.borrow_mut()));
        crate::assemble::entities(text, found)
    }

    /// Analyse text down to grouped mentions and quotes, with byte offsets.
    pub fn analyse<'t>(&self, text: &'t str, scratch: &mut crate::tagger::Scratch) -> crate::assemble::Found<'t> {
        crate::assemble::find(text, &self.model, &self.gazetteer, scratch)
    }
}
