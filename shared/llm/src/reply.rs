//! What a call returns, and the cleanup applied to raw model output.

use crate::LlmError;

/// The model's answer to one call, cleaned, with the server's token counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmReply {
    /// The answer text with `<think>` blocks and Markdown code fences removed.
    pub content: String,
    /// Prompt tokens the server reported (0 when it reports none).
    pub prompt_tokens: u64,
    /// Completion tokens the server reported (0 when it reports none).
    pub completion_tokens: u64,
}

impl LlmReply {
    /// Parses the answer as JSON, for callers that asked for a JSON object.
    pub fn json(&self) -> Result<serde_json::Value, LlmError> {
        serde_json::from_str(&self.content).map_err(|e| LlmError::InvalidJson {
            reason: e.to_string(),
            start: self.content.chars().take(120).collect(),
        })
    }
}

/// Removes reasoning blocks and code fences so that a JSON answer parses as it stands.
///
/// Reasoning models wrap their thoughts in `<think>...</think>` (some templates drop the opening
/// tag), and many models wrap JSON in a ```` ```json ```` fence with a sentence before it.
pub fn clean_content(raw: &str) -> String {
    let mut text = raw;
    let owned;
    if let Some(end) = text.rfind("</think>") {
        text = &text[end + "</think>".len()..];
    } else if let Some(start) = text.find("<think>") {
        // An unclosed block: the model ran out of tokens while thinking; keep what came before.
        owned = text[..start].to_string();
        text = &owned;
    }
    let text = text.trim();
    match fenced_block(text) {
        Some(inner) => inner.trim().to_string(),
        None => text.to_string(),
    }
}

/// The body of the first ```` ``` ```` fence, when the text has one.
fn fenced_block(text: &str) -> Option<&str> {
    let open = text.find("```")?;
    let after = &text[open + 3..];
    // Skip the info string ("json") up to the end of the fence line.
    let body_start = after.find('\n').map(|i| i + 1).unwrap_or(after.len());
    let body = &after[body_start..];
    let close = body.rfind("```").unwrap_or(body.len());
    Some(&body[..close])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_blocks_and_json_fences_are_stripped() {
        let raw = "<think>Let me see.\nOk.</think>\nHere it is:\n```json\n{\"a\": 1}\n```\n";
        assert_eq!(clean_content(raw), "{\"a\": 1}");
    }

    #[test]
    fn a_closing_think_tag_without_an_opening_one_drops_the_reasoning() {
        assert_eq!(
            clean_content("reasoning here</think> {\"b\":2}"),
            "{\"b\":2}"
        );
    }

    #[test]
    fn an_unclosed_think_block_is_dropped() {
        assert_eq!(clean_content("{\"c\":3}<think>and then"), "{\"c\":3}");
    }

    #[test]
    fn plain_answers_are_only_trimmed() {
        assert_eq!(clean_content("  Plain text.\n"), "Plain text.");
    }

    #[test]
    fn json_reports_where_the_answer_went_wrong() {
        let reply = LlmReply {
            content: "not json".into(),
            prompt_tokens: 0,
            completion_tokens: 0,
        };
        let err = reply.json().expect_err("must fail");
        assert!(matches!(err, LlmError::InvalidJson { ref start, .. } if start == "not json"));
    }
}
