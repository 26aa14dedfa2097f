//! XML shared by the XML formats: safe parsing, namespace-blind lookups, markup to paragraphs.
//!
//! Lookups compare local names only: agencies disagree about prefixes and namespaces
//! (`ns0:newsMessage`, default namespaces, none at all) but never about element names.

use copydesk_types::Link;
use roxmltree::{Document, Node, ParsingOptions};

use crate::decode::{decode, xml_declared_encoding, Fallback};
use crate::formats::Doc;
use crate::text::{is_block_tag, is_skipped_tag, ParaBuilder};
use crate::IngestError;

/// Decode an XML document to text, honouring its declared encoding, and refuse entity tricks.
pub fn decode_xml(doc: &Doc<'_>) -> Result<String, IngestError> {
    let declared = xml_declared_encoding(doc.bytes);
    let text = decode(doc.bytes, declared.as_deref(), Fallback::Refuse, doc.name)?;
    refuse_entity_declarations(&text, doc.name)?;
    Ok(text)
}

/// Parse decoded XML text; syntax errors name the file and position.
pub fn parse<'t>(text: &'t str, doc: &Doc<'_>) -> Result<Document<'t>, IngestError> {
    let opts = ParsingOptions { allow_dtd: true, nodes_limit: 2_000_000 };
    Document::parse_with_options(text, opts).map_err(|e| IngestError::Malformed {
        file: doc.name.to_string(),
        format: "XML",
        detail: e.to_string(),
    })
}

/// Entity declarations in a DTD internal subset are how billion-laughs and XXE attacks start;
/// no wire format needs them, so they are refused outright.
fn refuse_entity_declarations(text: &str, file: &str) -> Result<(), IngestError> {
    let head_end = text.find("<!DOCTYPE").map(|at| at + text[at..].find(['>', '[']).unwrap_or(0));
    let Some(at) = head_end else { return Ok(()) };
    if text[at..].starts_with('[') && text[at..].split("]>").next().is_some_and(|s| s.contains("<!ENTITY")) {
        return Err(IngestError::UnsafeXml {
            file: file.to_string(),
            detail: "the DOCTYPE declares entities (entity-expansion or external-entity risk)".into(),
        });
    }
    Ok(())
}

/// The first child element with local name `name`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.is_element() && n.tag_name().name().eq_ignore_ascii_case(name))
}

/// All child elements with local name `name`.
pub fn children<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |n| n.is_element() && n.tag_name().name().eq_ignore_ascii_case(name))
}

/// The first descendant element (depth-first, including `node`) with local name `name`.
pub fn find<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants().find(|n| n.is_element() && n.tag_name().name().eq_ignore_ascii_case(name))
}

/// All descendant elements with local name `name`.
pub fn find_all<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.descendants().filter(move |n| n.is_element() && n.tag_name().name().eq_ignore_ascii_case(name))
}

/// An attribute by local name, whatever its namespace (`xml:lang` is `lang`).
pub fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name().eq_ignore_ascii_case(name)).map(|a| a.value())
}

/// All text below `node`, whitespace collapsed; `None` if empty.
pub fn text(node: Node<'_, '_>) -> Option<String> {
    let mut raw = String::new();
    for t in node.descendants().filter(|n| n.is_text()) {
        push_text(&mut raw, t.text().unwrap_or_default());
    }
    crate::text::clean_opt(&raw)
}

/// Append a text piece, separating it from the previous one by a space unless either side
/// already has one or the piece opens with closing punctuation: `<city>ANTWERP</city>,
/// <country>Belgium</country>` reads "ANTWERP, Belgium", `<a>one</a><b>two</b>` "one two".
pub fn push_text(out: &mut String, piece: &str) {
    let joins = |c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | ')' | ']');
    let open = out.chars().next_back().is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '['));
    if !open && !piece.chars().next().is_none_or(joins) {
        out.push(' ');
    }
    out.push_str(piece);
}

/// Text of the first descendant named `name`.
pub fn find_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    find(node, name).and_then(text)
}

/// Reduce an XML (NITF, XHTML) markup subtree to paragraphs, keeping links.
pub fn paragraphs(node: Node<'_, '_>) -> (Vec<String>, Vec<Link>) {
    let mut b = ParaBuilder::default();
    walk(node, &mut b);
    b.finish()
}

fn walk(node: Node<'_, '_>, b: &mut ParaBuilder) {
    for n in node.children() {
        if n.is_text() {
            // Feeds often double-escape (`&amp;#39;`), leaving references in the parsed text.
            let t = n.text().unwrap_or_default();
            if t.contains('&') {
                b.text(&crate::text::decode_entities(t));
            } else {
                b.text(t);
            }
            continue;
        }
        if !n.is_element() {
            continue;
        }
        let name = n.tag_name().name();
        if is_skipped_tag(name) {
            continue;
        }
        let block = is_block_tag(name);
        if block {
            b.block();
        }
        let href = (name.eq_ignore_ascii_case("a") || name.eq_ignore_ascii_case("link"))
            .then(|| attr(n, "href").unwrap_or_default().to_string());
        if let Some(h) = &href {
            b.link_start(h);
        }
        if name.eq_ignore_ascii_case("td") || name.eq_ignore_ascii_case("th") {
            b.text(" ");
        }
        walk(n, b);
        if href.is_some() {
            b.link_end();
        }
        if block {
            b.block();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::SourceFormat;

    fn doc(bytes: &[u8]) -> Doc<'_> {
        Doc { bytes, name: "t.xml", format: SourceFormat::Nitf }
    }

    #[test]
    fn billion_laughs_is_refused_before_parsing() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        let err = decode_xml(&doc(bomb)).expect_err("refused");
        assert!(matches!(err, IngestError::UnsafeXml { .. }), "{err}");
    }

    #[test]
    fn an_external_doctype_without_entities_is_accepted() {
        let ok = br#"<?xml version="1.0"?><!DOCTYPE nitf SYSTEM "nitf.dtd"><nitf/>"#;
        let text = decode_xml(&doc(ok)).expect("decoded");
        assert!(parse(&text, &doc(ok)).is_ok());
    }

    #[test]
    fn markup_becomes_paragraphs_with_links_and_no_tables_merged() {
        let x = r#"<body.content><p>One <a href="http://l.test">two</a>.</p><hl2>Sub</hl2><p>Three</p></body.content>"#;
        let d = Document::parse(x).expect("parse");
        let (p, l) = paragraphs(d.root_element());
        assert_eq!(p, vec!["One two.", "Sub", "Three"]);
        assert_eq!(l[0].href, "http://l.test");
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    fn text_of(x: &str) -> Option<String> {
        text(Document::parse(x).expect("parse").root_element())
    }

    #[test]
    fn element_texts_join_without_a_space_before_punctuation() {
        assert_eq!(text_of("<l><city>ANTWERP</city>, <country>Belgium</country></l>").as_deref(), Some("ANTWERP, Belgium"));
        assert_eq!(text_of("<l><a>one</a><b>two</b></l>").as_deref(), Some("one two"));
        assert_eq!(text_of("<l>(<a>AP</a>) <b>x</b>.</l>").as_deref(), Some("(AP) x."));
        assert_eq!(text_of("<l> </l>"), None);
    }
}
