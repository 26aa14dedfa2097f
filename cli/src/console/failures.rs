//! Dead letters grouped by cause: stage, error class and the reason with its particulars
//! (paths, URLs, ids, numbers, quoted names) replaced by placeholders, so the same failure of a
//! hundred stories is one group.

use copydesk_runtime::ops::DeadLetterDetail;
use serde::Serialize;

/// The reason with its particulars replaced: `cannot write /tmp/x/out/a.json: os error 20` and
/// `cannot write /srv/b.json: os error 20` both become `cannot write <path>: os error <n>`.
pub fn normalise_reason(reason: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for word in reason.split_whitespace() {
        let lead: String = word
            .chars()
            .take_while(|c| "([{\"'`<".contains(*c))
            .collect();
        let rest = &word[lead.len()..];
        let core_len = rest
            .trim_end_matches(|c: char| ")]}\"'`>,.;:!?".contains(c))
            .len();
        let (core, trail) = rest.split_at(core_len);
        let quoted = !lead.is_empty()
            && (lead.ends_with('\'') || lead.ends_with('"') || lead.ends_with('`'))
            && !core.is_empty();
        let replaced = if core.is_empty() {
            String::new()
        } else if core.contains("://") {
            "<url>".into()
        } else if core.starts_with('/')
            || core.starts_with("./")
            || core.starts_with("~/")
            || core.contains(":\\")
        {
            "<path>".into()
        } else if quoted {
            "<name>".into()
        } else if is_id(core) {
            "<id>".into()
        } else {
            digits_to_n(core)
        };
        out.push(format!("{lead}{replaced}{trail}"));
    }
    let mut text = out.join(" ");
    if text.chars().count() > 240 {
        text = text.chars().take(240).collect::<String>() + "…";
    }
    text
}

/// A long hex or UUID-like token (message ids, hashes, trace ids).
fn is_id(s: &str) -> bool {
    let hexish = s.trim_start_matches("sha-");
    hexish.len() >= 8
        && hexish.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && hexish.chars().any(|c| c.is_ascii_digit())
}

fn digits_to_n(s: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push_str("<n>");
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// The group key of a dead letter: short and stable, safe in URLs.
pub fn group_key(stage: &str, class: &str, normalised: &str) -> String {
    let digest =
        copydesk_types::story::checksum(format!("{stage}\n{class}\n{normalised}").as_bytes());
    digest[..12].to_string()
}

/// Dead letters with one cause.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// [`group_key`].
    pub key: String,
    /// The stage they failed in.
    pub stage: String,
    /// The error class.
    pub error_class: String,
    /// The normalised reason.
    pub reason: String,
    /// One full reason, as recorded.
    pub example: String,
    /// How many.
    pub count: usize,
    /// Earliest `failed_at`.
    pub first_seen: Option<String>,
    /// Latest `failed_at`.
    pub last_seen: Option<String>,
    /// Their ids.
    pub ids: Vec<String>,
}

/// The key of one dead letter's group.
pub fn key_of(d: &DeadLetterDetail) -> String {
    let s = &d.summary;
    group_key(
        s.stage.as_str(),
        &s.error_class,
        &normalise_reason(&s.error),
    )
}

/// Group dead letters by cause; the largest groups first, then the most recent.
pub fn group(letters: &[DeadLetterDetail]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for d in letters {
        let s = &d.summary;
        let reason = normalise_reason(&s.error);
        let key = group_key(s.stage.as_str(), &s.error_class, &reason);
        let at = s.failed_at.clone();
        match groups.iter_mut().find(|g| g.key == key) {
            Some(g) => {
                g.count += 1;
                g.ids.push(s.id.clone());
                if at.is_some() && (g.first_seen.is_none() || at < g.first_seen) {
                    g.first_seen = at.clone();
                }
                if at > g.last_seen {
                    g.last_seen = at;
                }
            }
            None => groups.push(Group {
                key,
                stage: s.stage.as_str().to_string(),
                error_class: s.error_class.clone(),
                reason,
                example: s.error.clone(),
                count: 1,
                first_seen: at.clone(),
                last_seen: at,
                ids: vec![s.id.clone()],
            }),
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_seen.cmp(&a.last_seen)));
    groups
}

/// Does a dead letter match a search (story id, guid, message id, headline, error text)?
/// Case-insensitive substring; an empty query matches everything.
pub fn matches(d: &DeadLetterDetail, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let s = &d.summary;
    let guid = d
        .body
        .get("payload")
        .and_then(|p| p.get("story"))
        .and_then(|s| s.get("guid"))
        .and_then(|g| g.as_str());
    [
        Some(s.id.as_str()),
        s.story_id.as_deref(),
        guid,
        d.headline.as_deref(),
        Some(s.error.as_str()),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(&q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_runtime::ops::DeadLetter;
    use copydesk_types::Stage;

    fn letter(
        id: &str,
        stage: Stage,
        class: &str,
        error: &str,
        at: &str,
        headline: &str,
    ) -> DeadLetterDetail {
        DeadLetterDetail {
            summary: DeadLetter {
                id: id.into(),
                stage,
                story_id: Some(format!("wire:{id}")),
                story_version: Some("1".into()),
                error_class: class.into(),
                error: error.into(),
                attempts: Some(2),
                failed_at: Some(at.into()),
                type_name: None,
                bytes: 10,
            },
            headers: Vec::new(),
            body: serde_json::json!({ "payload": { "story": { "guid": format!("guid-{id}"), "headline": headline } } }),
            x_death: serde_json::Value::Null,
            headline: Some(headline.into()),
        }
    }

    #[test]
    fn particulars_are_replaced_and_the_shape_is_kept() {
        assert_eq!(
            normalise_reason(
                "write /tmp/.tmpAb12/out/x--3f2a.v1.json: Not a directory (os error 20)"
            ),
            "write <path>: Not a directory (os error <n>)"
        );
        assert_eq!(
            normalise_reason("POST https://wp.example.com/wp-json/wp/v2/posts?x=1 returned 503"),
            "POST <url> returned <n>"
        );
        assert_eq!(
            normalise_reason("the broker could not route a message to exchange 't1.events' with routing key 'story.extracted' (312 NO_ROUTE)"),
            "the broker could not route a message to exchange '<name>' with routing key '<name>' (<n> NO_ROUTE)"
        );
        assert_eq!(
            normalise_reason("message 4bf92f3577b34da6 failed at attempt 3"),
            "message <id> failed at attempt <n>"
        );
        assert_eq!(normalise_reason("  spaced\n out  "), "spaced out");
        assert!(normalise_reason(&"long ".repeat(100)).ends_with('…'));
    }

    #[test]
    fn letters_group_by_stage_class_and_normalised_reason() {
        let letters = vec![
            letter(
                "a",
                Stage::Publish,
                "retries-exhausted",
                "write /tmp/a/out/1.json: Not a directory (os error 20)",
                "2026-01-01T10:00:00Z",
                "Flood",
            ),
            letter(
                "b",
                Stage::Publish,
                "retries-exhausted",
                "write /tmp/b/out/2.json: Not a directory (os error 20)",
                "2026-01-01T12:00:00Z",
                "Fire",
            ),
            letter(
                "c",
                Stage::Publish,
                "permanent",
                "write /tmp/b/out/2.json: Not a directory (os error 20)",
                "2026-01-01T11:00:00Z",
                "Quake",
            ),
            letter(
                "d",
                Stage::Extract,
                "retries-exhausted",
                "write /tmp/b/out/2.json: Not a directory (os error 20)",
                "2026-01-01T09:00:00Z",
                "Vote",
            ),
        ];
        let groups = group(&letters);
        assert_eq!(groups.len(), 3, "{groups:#?}");
        let big = &groups[0];
        assert_eq!(
            (big.count, big.stage.as_str(), big.error_class.as_str()),
            (2, "publish", "retries-exhausted")
        );
        assert_eq!(big.ids, ["a", "b"]);
        assert_eq!(big.first_seen.as_deref(), Some("2026-01-01T10:00:00Z"));
        assert_eq!(big.last_seen.as_deref(), Some("2026-01-01T12:00:00Z"));
        assert_eq!(key_of(&letters[1]), big.key);
        assert_ne!(
            key_of(&letters[2]),
            big.key,
            "another class is another group"
        );
        assert_ne!(
            key_of(&letters[3]),
            big.key,
            "another stage is another group"
        );
    }

    #[test]
    fn search_covers_ids_guid_headline_and_error_text() {
        let d = letter(
            "m-1",
            Stage::Publish,
            "permanent",
            "Disk full on /srv",
            "2026-01-01T10:00:00Z",
            "Storm hits coast",
        );
        for q in ["", "m-1", "wire:m-1", "guid-m-1", "storm HITS", "disk full"] {
            assert!(matches(&d, q), "{q}");
        }
        assert!(!matches(&d, "earthquake"));
    }
}
