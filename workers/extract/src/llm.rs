//! The LLM engine: ask an OpenAI-compatible chat endpoint for entities, quotes and sources as
//! JSON (with a JSON schema), then keep only what is really in the text. Every entity must be
//! found verbatim (or case-insensitively, and then repaired to the text's spelling); when too
//! much of the answer is invented, or the call fails, the built-in engine answers instead.

use crate::assemble::CharOffsets;
use crate::engine::ExtractConfig;
use crate::error::ExtractError;
use crate::group::{headline_and_lead_end, salience_score};
use crate::BuiltinExtractor;
use copydesk_llm::LlmClient;
use copydesk_types::{Entities, Entity, EntityKind, Mention, Quote, Story};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Share of answered entities that may be missing from the text before the answer is rejected.
const MAX_INVENTED_SHARE: f32 = 0.3;

const SYSTEM: &str = "You extract named entities from a news story. Return JSON only. \
For every entity give `text` exactly as it appears in the story (copy it character for character), \
its `type` (PERSON, ORG, LOC, MISC, DATE, TIME, MONEY or PERCENT) and a `canonical` name: the fullest \
name the story uses for it, so that \"Trump\" and \"Mr. Trump\" share the canonical \"Donald Trump\". \
List each distinct surface form once. List direct quotations (`quote`, the words inside the quotation \
marks, copied exactly) with the `speaker` as the story names them, or null. List in `sources_cited` \
the news outlets the story cites as its sources. Never add anything that is not in the story.";

/// What the LLM engine decided, rendered by extract-worker into `/metrics` (requests, retries
/// and tokens are the client's own counters: [`LlmExtractor::client`]`.metrics()`).
#[derive(Debug, Default)]
pub struct LlmUsage {
    /// Stories the built-in engine answered instead (failed call, unusable or invented answer).
    pub fallbacks: AtomicU64,
    /// Entities dropped because they were not found in the text.
    pub invented_entities: AtomicU64,
}

/// A plain copy of [`LlmUsage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LlmUsageSnapshot {
    /// See [`LlmUsage::fallbacks`].
    pub fallbacks: u64,
    /// See [`LlmUsage::invented_entities`].
    pub invented_entities: u64,
}

impl LlmUsage {
    /// Read all counters.
    pub fn snapshot(&self) -> LlmUsageSnapshot {
        let r = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LlmUsageSnapshot {
            fallbacks: r(&self.fallbacks),
            invented_entities: r(&self.invented_entities),
        }
    }
}

static USAGE: LlmUsage = LlmUsage {
    fallbacks: AtomicU64::new(0),
    invented_entities: AtomicU64::new(0),
};

/// The process-wide LLM usage counters of the extract engine.
pub fn llm_usage() -> &'static LlmUsage {
    &USAGE
}

/// The LLM engine, holding the built-in engine as its fallback.
pub struct LlmExtractor {
    client: LlmClient,
    fallback: BuiltinExtractor,
    fallback_on_error: bool,
    max_chars: usize,
}

impl LlmExtractor {
    /// Build from the extract config.
    pub fn new(cfg: &ExtractConfig, fallback: BuiltinExtractor) -> Result<Self, ExtractError> {
        Ok(LlmExtractor {
            client: LlmClient::new(cfg.llm.clone())?,
            fallback,
            fallback_on_error: cfg.llm_fallback_on_error,
            max_chars: cfg.llm_max_chars,
        })
    }

    /// The built-in engine used as fallback.
    pub fn fallback(&self) -> &BuiltinExtractor {
        &self.fallback
    }

    /// The HTTP client (its own metrics count retries and errors).
    pub fn client(&self) -> &LlmClient {
        &self.client
    }

    /// Extract via the LLM, falling back to the built-in engine as configured.
    pub async fn extract(&self, story: &Story) -> Result<Entities, ExtractError> {
        let text = story.text();
        if text.chars().count() > self.max_chars {
            return Ok(self.fall_back(story));
        }
        let reply = match self.client.chat_json(SYSTEM, &text, Some(&schema())).await {
            Ok(r) => r,
            // The failure is counted in `fallbacks`; the worker logs per story.
            Err(_) if self.fallback_on_error => return Ok(self.fall_back(story)),
            Err(e) => return Err(e.into()),
        };
        match from_reply(
            &text,
            &reply.content,
            &format!("llm:{}", self.client.config().model),
        ) {
            Ok(mut e) => {
                e.cited = crate::outlets::cite(&e.sources_cited, &story.links);
                Ok(e)
            }
            Err(_) => Ok(self.fall_back(story)),
        }
    }

    fn fall_back(&self, story: &Story) -> Entities {
        USAGE.fallbacks.fetch_add(1, Ordering::Relaxed);
        let mut e = self.fallback.extract_story(story);
        e.engine = format!("{} (llm fallback)", e.engine);
        e
    }
}

/// The JSON schema sent as the response format.
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["entities", "quotes", "sources_cited"],
        "properties": {
            "entities": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["text", "type", "canonical"],
                "properties": {
                    "text": {"type": "string"},
                    "type": {"type": "string", "enum": ["PERSON", "ORG", "LOC", "MISC", "DATE", "TIME", "MONEY", "PERCENT"]},
                    "canonical": {"type": "string"}
                }}},
            "quotes": {"type": "array", "items": {
                "type": "object", "additionalProperties": false,
                "required": ["quote", "speaker"],
                "properties": {"quote": {"type": "string"}, "speaker": {"type": ["string", "null"]}}}},
            "sources_cited": {"type": "array", "items": {"type": "string"}}
        }
    })
}

/// An entity group being built from the answer: canonical name, type, mention byte ranges.
type AnswerGroup = (String, EntityKind, Vec<(usize, usize)>);

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    entities: Vec<AnswerEntity>,
    #[serde(default)]
    quotes: Vec<AnswerQuote>,
    #[serde(default)]
    sources_cited: Vec<String>,
}

#[derive(Deserialize)]
struct AnswerEntity {
    text: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    canonical: String,
}

#[derive(Deserialize)]
struct AnswerQuote {
    quote: String,
    #[serde(default)]
    speaker: Option<String>,
}

fn kind_of(s: &str) -> Option<EntityKind> {
    Some(match s.to_ascii_uppercase().as_str() {
        "PERSON" | "PER" => EntityKind::Person,
        "ORG" | "ORGANIZATION" => EntityKind::Org,
        "LOC" | "LOCATION" | "GPE" => EntityKind::Loc,
        "MISC" | "NORP" | "EVENT" => EntityKind::Misc,
        "DATE" => EntityKind::Date,
        "TIME" => EntityKind::Time,
        "MONEY" => EntityKind::Money,
        "PERCENT" => EntityKind::Percent,
        _ => return None,
    })
}

/// Byte ranges where `needle` occurs in `text` as whole words: exactly, or failing that
/// case-insensitively (the repair: the text's own spelling is then used).
pub fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let needle = needle.trim();
    if needle.is_empty() {
        return Vec::new();
    }
    let whole = |s: usize, e: usize| {
        !text[..s]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
            && !text[e..].chars().next().is_some_and(char::is_alphanumeric)
    };
    let exact: Vec<(usize, usize)> = text
        .match_indices(needle)
        .map(|(s, m)| (s, s + m.len()))
        .filter(|&(s, e)| whole(s, e))
        .collect();
    if !exact.is_empty() || !needle.is_ascii() {
        return exact;
    }
    // ASCII needle: lowercasing ASCII keeps byte offsets, so search the folded text.
    let folded = text.to_ascii_lowercase();
    folded
        .match_indices(&needle.to_ascii_lowercase())
        .map(|(s, m)| (s, s + m.len()))
        .filter(|&(s, e)| whole(s, e))
        .collect()
}

/// Turn an LLM answer into [`Entities`], keeping only what the text contains. Fails (so the
/// caller falls back) when the answer is not the expected JSON or too much of it is invented.
pub fn from_reply(text: &str, content: &str, engine: &str) -> Result<Entities, ExtractError> {
    let answer: Answer = serde_json::from_str(content)
        .map_err(|e| ExtractError::LlmReply(format!("not the expected JSON: {e}")))?;
    let mut invented = 0usize;
    // (canonical, kind) -> mention byte ranges
    let mut groups: Vec<AnswerGroup> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut items: Vec<&AnswerEntity> = answer.entities.iter().collect();
    items.sort_by_key(|e| std::cmp::Reverse(e.text.len()));
    for item in &items {
        let Some(kind) = kind_of(&item.kind) else {
            continue;
        };
        let found = occurrences(text, &item.text);
        if found.is_empty() {
            invented += 1;
            continue;
        }
        let fresh: Vec<(usize, usize)> = found
            .into_iter()
            .filter(|&(s, e)| !taken.iter().any(|&(a, b)| s < b && a < e))
            .collect();
        taken.extend(&fresh);
        let canonical = if occurrences(text, &item.canonical).is_empty() {
            item.text.trim()
        } else {
            item.canonical.trim()
        };
        match groups
            .iter_mut()
            .find(|g| g.0.eq_ignore_ascii_case(canonical) && g.1 == kind)
        {
            Some(g) => g.2.extend(fresh),
            None => groups.push((canonical.to_string(), kind, fresh)),
        }
    }
    USAGE
        .invented_entities
        .fetch_add(invented as u64, Ordering::Relaxed);
    if invented > 0 && invented as f32 > MAX_INVENTED_SHARE * answer.entities.len() as f32 {
        return Err(ExtractError::LlmReply(format!(
            "{invented} of {} entities are not in the text",
            answer.entities.len()
        )));
    }
    groups.retain(|g| !g.2.is_empty());
    Ok(assemble(text, groups, &answer, engine))
}

fn assemble(text: &str, groups: Vec<AnswerGroup>, answer: &Answer, engine: &str) -> Entities {
    let co = CharOffsets::new(text);
    let (headline_end, lead_end) = headline_and_lead_end(text);
    let max = groups.iter().map(|g| g.2.len()).max().unwrap_or(1);
    let mut scored: Vec<(f32, usize, AnswerGroup)> = groups
        .into_iter()
        .map(|g| {
            let starts: Vec<usize> = g.2.iter().map(|r| r.0).collect();
            let s = salience_score(
                &starts,
                headline_end,
                lead_end,
                max,
                text.len(),
                g.1.is_name(),
            );
            (s, starts.iter().copied().min().unwrap_or(0), g)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut mentions = Vec::new();
    let mut entities = Vec::new();
    for (i, (s, _, (canonical, kind, ranges))) in scored.iter().enumerate() {
        for &(a, b) in ranges {
            mentions.push(Mention {
                text: text[a..b].to_string(),
                kind: *kind,
                start: co.get(a),
                end: co.get(b),
                entity: i,
            });
        }
        entities.push(Entity {
            canonical: canonical.clone(),
            kind: *kind,
            mentions: ranges.len(),
            salience: *s,
            geonames_id: None,
            country_code: None,
        });
    }
    mentions.sort_by_key(|m| (m.start, m.end));
    let quotes = answer
        .quotes
        .iter()
        .filter_map(|q| {
            let (a, b) = *occurrences(text, &q.quote).first()?;
            let speaker = q
                .speaker
                .as_deref()
                .filter(|s| !occurrences(text, s).is_empty())
                .map(str::to_string);
            let speaker_entity = speaker.as_deref().and_then(|s| {
                entities.iter().position(|e| {
                    matches!(e.kind, EntityKind::Person | EntityKind::Org)
                        && (e.canonical.eq_ignore_ascii_case(s)
                            || mentions.iter().any(|m| m.entity_matches(e, s)))
                })
            });
            Some(Quote {
                text: text[a..b].to_string(),
                start: co.get(a),
                end: co.get(b),
                speaker,
                speaker_entity,
                cue: None,
            })
        })
        .collect();
    let sources_cited = answer
        .sources_cited
        .iter()
        .filter(|s| !occurrences(text, s).is_empty())
        .cloned()
        .collect();
    Entities {
        mentions,
        entities,
        quotes,
        sources_cited,
        cited: Vec::new(),
        engine: engine.to_string(),
    }
}

/// Whether a mention of entity `e` is spelled `s`.
trait MentionOf {
    fn entity_matches(&self, e: &Entity, s: &str) -> bool;
}

impl MentionOf for Mention {
    fn entity_matches(&self, e: &Entity, s: &str) -> bool {
        self.kind == e.kind && self.text.eq_ignore_ascii_case(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Merkel meets Macron\n\nAngela Merkel met Emmanuel Macron in Paris on Monday. “We agree on Ukraine,” Merkel said.";

    #[test]
    fn entities_are_kept_only_where_the_text_has_them_and_repaired_to_its_spelling() {
        let reply = r#"{"entities": [
            {"text": "Angela Merkel", "type": "PERSON", "canonical": "Angela Merkel"},
            {"text": "Merkel", "type": "PERSON", "canonical": "Angela Merkel"},
            {"text": "emmanuel macron", "type": "PERSON", "canonical": "Emmanuel Macron"},
            {"text": "Paris", "type": "LOC", "canonical": "Paris"},
            {"text": "Monday", "type": "DATE", "canonical": "Monday"}],
            "quotes": [{"quote": "We agree on Ukraine,", "speaker": "Merkel"}],
            "sources_cited": ["Reuters"]}"#;
        let e = from_reply(TEXT, reply, "llm:test").expect("usable answer");
        let merkel = e
            .entities
            .iter()
            .position(|x| x.canonical == "Angela Merkel")
            .expect("Merkel");
        assert_eq!(
            e.entities[merkel].mentions, 3,
            "headline, full name and surname"
        );
        assert!(
            e.mentions.iter().any(|m| m.text == "Emmanuel Macron"),
            "case repaired to the text's spelling"
        );
        let chars: Vec<char> = TEXT.chars().collect();
        for m in &e.mentions {
            assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
        }
        assert_eq!(e.quotes[0].speaker_entity, Some(merkel));
        assert!(e.sources_cited.is_empty(), "Reuters is not in the text");
    }

    #[test]
    fn an_answer_with_invented_entities_is_rejected_so_the_builtin_engine_answers() {
        let reply = r#"{"entities": [
            {"text": "Angela Merkel", "type": "PERSON", "canonical": "Angela Merkel"},
            {"text": "Olaf Scholz", "type": "PERSON", "canonical": "Olaf Scholz"},
            {"text": "Berlin", "type": "LOC", "canonical": "Berlin"}], "quotes": [], "sources_cited": []}"#;
        let err = from_reply(TEXT, reply, "llm:test").expect_err("two of three invented");
        assert!(err.to_string().contains("2 of 3"), "{err}");
        assert!(from_reply(TEXT, "not json", "llm:test").is_err());
    }

    #[tokio::test]
    async fn an_unreachable_server_falls_back_to_the_builtin_engine_and_counts_it() {
        let mut cfg = ExtractConfig {
            engine: crate::EngineKind::Llm,
            ..ExtractConfig::default()
        };
        cfg.llm.base_url = "http://127.0.0.1:9/v1".into();
        cfg.llm.max_retries = 0;
        cfg.llm.timeout_ms = 2_000;
        let engine = crate::build(&cfg).expect("build");
        let before = llm_usage().snapshot().fallbacks;
        let story = Story::new(
            "g",
            "Merkel meets Macron",
            vec!["Angela Merkel met Emmanuel Macron in Paris.".into()],
        );
        let e = crate::Extractor::extract(&engine, &story)
            .await
            .expect("fallback answers");
        assert!(e.engine.contains("llm fallback"), "{}", e.engine);
        assert!(llm_usage().snapshot().fallbacks > before);
        cfg.llm_fallback_on_error = false;
        let strict = crate::build(&cfg).expect("build");
        let err = crate::Extractor::extract(&strict, &story)
            .await
            .expect_err("no fallback");
        assert!(err.is_transient(), "a connection failure may heal: {err}");
    }
}
