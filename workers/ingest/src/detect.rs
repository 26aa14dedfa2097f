//! Format detection from content first; the file name only breaks ties.

use copydesk_types::SourceFormat;

/// Detect the wire format of a document from its bytes, with the file name as a hint.
///
/// Returns `None` for content no parser accepts (binary data, HTML pages, unknown XML roots).
pub fn detect_format(bytes: &[u8], name: &str) -> Option<SourceFormat> {
    let lower_name = name.to_ascii_lowercase();
    let head = skip_bom_and_space(bytes);
    match head.first()? {
        0x16 => return Some(SourceFormat::Anpa1312),
        0x01 => {
            let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
            return Some(if first_line.contains(&0x1f) {
                SourceFormat::Anpa1312
            } else {
                SourceFormat::Iptc7901
            });
        }
        b'<' => return xml_format(head, &lower_name),
        b'{' | b'[' => return Some(json_format(head)),
        0 | 0xfe | 0xff => return utf16_hint(bytes, &lower_name),
        _ => {}
    }
    if lower_name.ends_with(".md") || lower_name.ends_with(".markdown") || head.starts_with(b"# ") {
        return Some(SourceFormat::Markdown);
    }
    Some(SourceFormat::PlainText)
}

fn skip_bom_and_space(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    &b[start..]
}

/// UTF-16 documents: decode just enough to look at the root.
fn utf16_hint(bytes: &[u8], name: &str) -> Option<SourceFormat> {
    let (enc, _) = encoding_rs::Encoding::for_bom(bytes).or_else(|| {
        let le = bytes.first() != Some(&0);
        Some((if le { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE }, 0))
    })?;
    let (text, _, _) = enc.decode(&bytes[..bytes.len().min(4096)]);
    let utf8 = text.trim_start_matches('\u{feff}').trim_start().as_bytes().to_vec();
    if utf8.is_empty() || utf8.first() == Some(&0) {
        return None;
    }
    detect_format(&utf8, name)
}

/// The local name of the root element, skipping the declaration, comments, PIs and DOCTYPE.
pub fn xml_root_name(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
    let mut rest: &str = &text;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!") {
            rest = skip_doctype(rest)?;
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return Some(name);
        }
    }
}

/// Skip a `<!DOCTYPE ...>`, including an internal subset in brackets.
fn skip_doctype(s: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Some(&s[i + 1..]),
            _ => {}
        }
    }
    None
}

fn xml_format(head: &[u8], name: &str) -> Option<SourceFormat> {
    let root = xml_root_name(head)?;
    let local = root.rsplit(':').next().unwrap_or(&root).to_ascii_lowercase();
    Some(match local.as_str() {
        "nitf" => SourceFormat::Nitf,
        "newsmessage" | "newsitem" | "packageitem" => SourceFormat::NewsmlG2,
        "newsml" => SourceFormat::Newsml12,
        "rss" => SourceFormat::Rss2,
        "rdf" => SourceFormat::Rss1,
        "feed" | "entry" | "satom" => SourceFormat::Atom,
        _ if name.ends_with(".nitf") => SourceFormat::Nitf,
        _ => return None,
    })
}

/// JSON: recognised by the keys each dialect always carries. Malformed JSON still gets a format
/// (from its text) so the parser can report the syntax error rather than "unknown format".
fn json_format(head: &[u8]) -> SourceFormat {
    let text = String::from_utf8_lossy(&head[..head.len().min(256 * 1024)]);
    let has = |k: &str| text.contains(&format!("\"{k}\""));
    if text.contains("\"digitalwires") || (has("entry_id") && has("article_html")) {
        SourceFormat::DpaDigitalwires
    } else if has("api_version") || (has("altids") && has("itemid")) {
        SourceFormat::ApMediaJson
    } else if has("checksum") && has("format") && has("headline") && !has("uri") {
        SourceFormat::StoryJson
    } else {
        SourceFormat::Ninjs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_roots_pick_the_format_whatever_the_extension() {
        let cases: &[(&str, SourceFormat)] = &[
            ("<?xml version=\"1.0\"?><!-- x --><!DOCTYPE nitf SYSTEM \"n.dtd\"><nitf/>", SourceFormat::Nitf),
            ("<ns0:newsMessage xmlns:ns0=\"x\"/>", SourceFormat::NewsmlG2),
            ("<NewsML Version=\"1.2\"/>", SourceFormat::Newsml12),
            ("<rdf:RDF/>", SourceFormat::Rss1),
            ("<rss version=\"2.0\"/>", SourceFormat::Rss2),
            ("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", SourceFormat::Atom),
        ];
        for (doc, want) in cases {
            assert_eq!(detect_format(doc.as_bytes(), "x.txt"), Some(*want), "{doc}");
        }
    }

    #[test]
    fn control_framing_separates_anpa_from_iptc_7901() {
        assert_eq!(detect_format(b"\x16\x16\x01W1\x1fx\n", "a"), Some(SourceFormat::Anpa1312));
        assert_eq!(detect_format(b"\x01abc 4 i 1 dpa 1\r\n", "a"), Some(SourceFormat::Iptc7901));
    }

    #[test]
    fn json_dialects_are_told_apart_by_their_keys() {
        assert_eq!(detect_format(br#"{"format":"digitalwires@0.9","urn":"x"}"#, "a"), Some(SourceFormat::DpaDigitalwires));
        assert_eq!(detect_format(br#"{"api_version":"1.1","data":{}}"#, "a"), Some(SourceFormat::ApMediaJson));
        assert_eq!(detect_format(br#"{"uri":"x","headline":"h"}"#, "a"), Some(SourceFormat::Ninjs));
        assert_eq!(
            detect_format(br#"{"guid":"g","headline":"h","body":[],"format":"nitf","checksum":""}"#, "a"),
            Some(SourceFormat::StoryJson)
        );
    }

    #[test]
    fn text_is_plain_unless_it_looks_like_markdown_and_html_is_unknown() {
        assert_eq!(detect_format(b"Head\n\nBody", "a.txt"), Some(SourceFormat::PlainText));
        assert_eq!(detect_format(b"# Head\n\nBody", "a.txt"), Some(SourceFormat::Markdown));
        assert_eq!(detect_format(b"<html><body/></html>", "a.html"), None);
        assert_eq!(detect_format(b"   ", "a"), None);
    }
}
