//! Plain text (first line is the headline) and Markdown (a leading `# ` line is the headline).

use copydesk_types::Link;

use super::Doc;
use crate::decode::{decode, Fallback};
use crate::text::{clean, plain_paragraphs};
use crate::{IngestError, Parsed};

/// Plain text: the first non-blank line is the headline, blank lines separate paragraphs.
pub(super) fn parse_plain(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = decode(doc.bytes, None, Fallback::Windows1252, doc.name)?;
    let text = text.trim_start();
    let (head, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut s = doc.story();
    s.headline = clean(head);
    s.body = plain_paragraphs(rest);
    Ok(vec![Parsed::Story(s)])
}

/// Markdown: `# ` heading as headline (else the first line), inline markup reduced, links kept.
pub(super) fn parse_markdown(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = decode(doc.bytes, None, Fallback::Windows1252, doc.name)?;
    let text = text.trim_start();
    let (head, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut s = doc.story();
    let mut links = Vec::new();
    s.headline = clean(&inline_markdown(head.trim_start_matches('#'), &mut links));
    s.body = plain_paragraphs(rest)
        .iter()
        .map(|p| clean(&inline_markdown(strip_block_marker(p), &mut links)))
        .filter(|p| !p.is_empty() && !p.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')))
        .collect();
    s.links = links;
    Ok(vec![Parsed::Story(s)])
}

/// Drop a heading, quote or list marker at the start of a paragraph.
fn strip_block_marker(p: &str) -> &str {
    let t = p.trim_start_matches('#').trim_start_matches('>').trim_start();
    t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")).unwrap_or(t)
}

/// Reduce `[text](href)` to text (recording the link), and drop emphasis markers and backticks.
fn inline_markdown(s: &str, links: &mut Vec<Link>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let parsed = after.find("](").and_then(|close| {
            let href_part = &after[close + 2..];
            href_part.find(')').map(|end| (&after[..close], &href_part[..end], &href_part[end + 1..]))
        });
        out.push_str(&rest[..open]);
        match parsed {
            Some((text, href, tail)) => {
                out.push_str(text);
                links.push(Link { text: clean(text), href: href.trim().to_string() });
                rest = tail;
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::SourceFormat;

    fn story(bytes: &[u8], format: SourceFormat) -> copydesk_types::Story {
        let doc = Doc { bytes, name: "t", format };
        let parsed = if format == SourceFormat::Markdown { parse_markdown(&doc) } else { parse_plain(&doc) };
        match parsed.expect("parse").remove(0) {
            Parsed::Story(s) => s,
            other => panic!("not a story: {other:?}"),
        }
    }

    #[test]
    fn plain_text_first_line_is_headline_and_blank_lines_split_paragraphs() {
        let s = story(b"\n  Storm hits coast \r\n\r\nFirst para\nwraps here.\r\n\r\nSecond.\n", SourceFormat::PlainText);
        assert_eq!(s.headline, "Storm hits coast");
        assert_eq!(s.body, vec!["First para wraps here.", "Second."]);
    }

    #[test]
    fn markdown_heading_becomes_headline_and_links_are_kept() {
        let s = story(b"# Big **news**\n\nSee [the report](https://r.test/x) now.\n\n- item one\n", SourceFormat::Markdown);
        assert_eq!(s.headline, "Big news");
        assert_eq!(s.body, vec!["See the report now.", "item one"]);
        assert_eq!(s.links[0].href, "https://r.test/x");
    }
}
