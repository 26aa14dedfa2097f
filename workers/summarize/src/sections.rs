//! LLM mode, section by section: the model rewrites the built-in article's lead and each
//! section in its own words, one short prompt per passage; the [`crate::guard`] checks every
//! rewrite against the story, and a rejected one falls back to the built-in (extractive) passage
//! alone. Nothing here depends on a particular model: any OpenAI-compatible server works.

use crate::guard::{Finding, Sources};
use copydesk_llm::{LlmClient, LlmError};
use copydesk_types::{Article, Story};
use serde::Serialize;

const SYSTEM: &str =
    "You are a news editor. You rewrite news text in plain English and never add facts.";

/// The instruction for one passage: short, concrete, one task, so a small model can follow it.
pub const PASSAGE_PROMPT: &str = "Rewrite this news text in your own words. Keep every name and every number \
exactly as written. Keep words like \"not\" and \"no\". Do not add anything that is not in the text. \
Answer with the rewritten text only.\n\nText:\n{{passage}}\n\nRewritten text:";

/// What happened to one passage: the lead, or one paragraph of a section.
#[derive(Debug, Clone, Serialize)]
pub struct PassageOutcome {
    /// 0 for the lead, `i + 1` for section `i`.
    pub index: usize,
    /// The paragraph within the section (0 for the lead).
    pub paragraph: usize,
    /// True when the model's rewrite passed the guard and is used.
    pub accepted: bool,
    /// Why the rewrite was rejected (empty when accepted or when the call failed).
    pub findings: Vec<Finding>,
    /// The call's error, when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The model's cleaned answer.
    pub answer: String,
    /// The built-in passage it rewrote.
    pub passage: String,
    /// Completion tokens the server reported.
    pub completion_tokens: u64,
    /// Wall time of the call, seconds.
    pub seconds: f64,
}

/// Rewrite the lead and each section of `article` (the built-in engine's) with the model, one
/// paragraph per prompt: short passages are what a small model rewrites without losing facts,
/// and a rejected paragraph falls back alone. Returns the article with every accepted passage
/// replaced, and what happened to each.
pub async fn rewrite_article(
    client: &LlmClient,
    story: &Story,
    article: &Article,
) -> (Article, Vec<PassageOutcome>) {
    let sources = Sources::new(&story.text());
    let mut out = article.clone();
    let mut outcomes = Vec::new();
    let lead = rewrite(client, &sources, (0, 0), &article.lead).await;
    if lead.accepted {
        out.lead = lead.answer.clone();
    }
    outcomes.push(lead);
    for (i, section) in article.sections.iter().enumerate() {
        for (k, paragraph) in section.paragraphs.iter().enumerate() {
            let o = rewrite(client, &sources, (i + 1, k), paragraph).await;
            if o.accepted {
                out.sections[i].paragraphs[k] = o.answer.replace("\n\n", " ");
            }
            outcomes.push(o);
        }
    }
    // Links point at words of the extractive text; keep only those still present.
    out.links.retain(|l| {
        out.lead.contains(&l.text)
            || out
                .sections
                .iter()
                .flat_map(|s| &s.paragraphs)
                .any(|p| p.contains(&l.text))
    });
    (out, outcomes)
}

async fn rewrite(
    client: &LlmClient,
    sources: &Sources,
    (index, paragraph): (usize, usize),
    passage: &str,
) -> PassageOutcome {
    let start = std::time::Instant::now();
    let prompt = PASSAGE_PROMPT.replace("{{passage}}", passage);
    let reply: Result<_, LlmError> = client.chat_text(SYSTEM, &prompt).await;
    let seconds = start.elapsed().as_secs_f64();
    let mut o = PassageOutcome {
        index,
        paragraph,
        accepted: false,
        findings: Vec::new(),
        error: None,
        answer: String::new(),
        passage: passage.to_string(),
        completion_tokens: 0,
        seconds,
    };
    match reply {
        Err(e) => o.error = Some(e.to_string()),
        Ok(r) => {
            o.completion_tokens = r.completion_tokens;
            o.answer = clean_answer(&r.content);
            if o.answer.split_whitespace().count() < 5 {
                o.error = Some("empty or too short answer".into());
            } else {
                o.findings = sources.check(passage, &o.answer);
                o.accepted = o.findings.is_empty();
            }
        }
    }
    o
}

/// The answer without a restated label ("Rewritten text:"), Markdown emphasis or stray quotes
/// around the whole text.
pub fn clean_answer(raw: &str) -> String {
    let mut text = raw.trim();
    for label in [
        "Rewritten text:",
        "Rewrite:",
        "Text:",
        "Here is the rewritten text:",
    ] {
        if let Some(rest) = text.strip_prefix(label) {
            text = rest.trim();
        }
    }
    let text = text.replace("**", "").replace("__", "");
    let text = text
        .trim()
        .trim_matches(|c| c == '"' || c == '“' || c == '”')
        .trim();
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Share of the 8-word sequences of `text` that the source does not contain (0 when `text` is
/// shorter than 8 words): how far a rewrite is from copying.
pub fn novelty(text: &str, source: &str) -> Option<f64> {
    let words = |t: &str| {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let src: std::collections::HashSet<Vec<String>> =
        words(source).windows(8).map(<[String]>::to_vec).collect();
    let own = words(text);
    let grams: Vec<&[String]> = own.windows(8).collect();
    if grams.is_empty() {
        return None;
    }
    Some(grams.iter().filter(|g| !src.contains(**g)).count() as f64 / grams.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_lose_labels_emphasis_and_wrapping_quotes() {
        assert_eq!(
            clean_answer("Rewritten text: \"The **port** grew.\""),
            "The port grew."
        );
    }

    #[test]
    fn novelty_counts_new_eight_word_sequences() {
        let src = "one two three four five six seven eight nine ten";
        assert_eq!(
            novelty("one two three four five six seven eight", src),
            Some(0.0)
        );
        assert_eq!(
            novelty("eight seven six five four three two one", src),
            Some(1.0)
        );
        assert_eq!(novelty("too short", src), None);
    }
}
