//! XML shared by the XML formats: safe parsing, namespace-blind lookups, markup to paragraphs.
//!
//! Safety, before and while parsing:
//! - the prolog is parsed (comments, processing instructions, at most one DOCTYPE) and a
//!   DOCTYPE is accepted only in its external form (`<!DOCTYPE nitf SYSTEM "nitf.dtd">`, which
//!   is then ignored); any internal subset (`[...]`, where entities are declared) is refused,
//!   whatever its literals or comments contain;
//! - roxmltree then parses with DTDs disallowed, so no DOCTYPE the prolog parser did not vet
//!   can reach it, and with a node limit;
//! - element nesting is measured by a streaming pass (quick-xml) before the tree is built and
//!   refused beyond `ingest.max_xml_depth` (roxmltree itself recurses while building: a few
//!   hundred levels already exhaust a 2 MB thread stack in a debug build, so the limit guards
//!   it as much as our code); every walk over the tree is iterative.
//!
//! Lookups compare local names only: agencies disagree about prefixes and namespaces
//! (`ns0:newsMessage`, default namespaces, none at all) but never about element names.

use copydesk_types::Link;
use roxmltree::{Document, Node, ParsingOptions};

use crate::decode::{decode, xml_declared_encoding, Fallback};
use crate::formats::Doc;
use crate::text::{is_block_tag, is_skipped_tag, ParaBuilder};
use crate::IngestError;

/// Decode an XML document to text, honouring its declared encoding; vet the prolog (an
/// external DOCTYPE is blanked out, an internal subset refused) and the nesting depth.
pub fn decode_xml(doc: &Doc<'_>) -> Result<String, IngestError> {
    let declared = xml_declared_encoding(doc.bytes);
    let mut text = decode(doc.bytes, declared.as_deref(), Fallback::Refuse, doc.name)?;
    if let Some(span) = external_doctype(&text).map_err(|detail| IngestError::UnsafeXml { file: doc.name.to_string(), detail })? {
        // Same length, so positions in later error messages still match the file.
        text.replace_range(span.clone(), &" ".repeat(span.len()));
    }
    check_depth(&text, doc.max_xml_depth).map_err(|detail| IngestError::UnsafeXml { file: doc.name.to_string(), detail })?;
    Ok(text)
}

/// Parse decoded XML text (DTDs disallowed, nodes bounded); syntax errors name the file and
/// position.
pub fn parse<'t>(text: &'t str, doc: &Doc<'_>) -> Result<Document<'t>, IngestError> {
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: doc.max_xml_nodes };
    Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::DtdDetected => IngestError::UnsafeXml {
            file: doc.name.to_string(),
            detail: "a DOCTYPE outside the prolog, or one the prolog parser could not read".into(),
        },
        roxmltree::Error::NodesLimitReached => IngestError::UnsafeXml {
            file: doc.name.to_string(),
            detail: format!("more than {} XML nodes (ingest.max_xml_nodes)", doc.max_xml_nodes),
        },
        e => IngestError::Malformed { file: doc.name.to_string(), format: "XML", detail: e.to_string() },
    })
}

/// Parse the prolog (XML declaration, comments, processing instructions, whitespace) up to the
/// first element. `Ok(Some(span))`: an external-only DOCTYPE at `span`, safe to ignore.
/// `Err`: a DOCTYPE with an internal subset, or one that does not parse; entity declarations
/// live in internal subsets, and they are how billion-laughs and XXE attacks start.
pub fn external_doctype(text: &str) -> Result<Option<std::ops::Range<usize>>, String> {
    let bytes = text.as_bytes();
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &text[i..];
        if rest.starts_with("<?") {
            i += rest.find("?>").ok_or("an unterminated processing instruction in the prolog")? + 2;
        } else if rest.starts_with("<!--") {
            i += rest[4..].find("-->").ok_or("an unterminated comment in the prolog")? + 7;
        } else if rest.starts_with("<!DOCTYPE") {
            let end = i + doctype_length(rest)?;
            return Ok(Some(i..end));
        } else {
            return Ok(None);
        }
    }
}

/// The length of `<!DOCTYPE Name ExternalID? S? >` at the start of `s`; an internal subset or
/// anything else is an error.
fn doctype_length(s: &str) -> Result<usize, String> {
    let b = s.as_bytes();
    let mut i = "<!DOCTYPE".len();
    let skip_space = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
        *i > start
    };
    let name = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && !b[*i].is_ascii_whitespace() && !matches!(b[*i], b'>' | b'[' | b'"' | b'\'') {
            *i += 1;
        }
        (*i > start).then(|| &s[start..*i])
    };
    let literal = |i: &mut usize| -> Result<(), String> {
        let quote = *b.get(*i).ok_or("the DOCTYPE ends inside an identifier")?;
        if quote != b'"' && quote != b'\'' {
            return Err("the DOCTYPE's identifier is not quoted".into());
        }
        let close = s[*i + 1..].find(quote as char).ok_or("an unterminated literal in the DOCTYPE")?;
        *i += close + 2;
        Ok(())
    };
    if !skip_space(&mut i) || name(&mut i).is_none() {
        return Err("the DOCTYPE has no root element name".into());
    }
    skip_space(&mut i);
    match name(&mut i) {
        Some("SYSTEM") => {
            skip_space(&mut i);
            literal(&mut i)?;
        }
        Some("PUBLIC") => {
            skip_space(&mut i);
            literal(&mut i)?;
            skip_space(&mut i);
            literal(&mut i)?;
        }
        Some(other) => return Err(format!("unexpected {other:?} in the DOCTYPE")),
        None => {}
    }
    skip_space(&mut i);
    match b.get(i) {
        Some(b'>') => Ok(i + 1),
        Some(b'[') => Err("the DOCTYPE has an internal subset (where entities are declared: entity-expansion or external-entity risk); wire documents never need one".into()),
        _ => Err("the DOCTYPE does not parse".into()),
    }
}

/// Refuse elements nested deeper than `max`, measured by a streaming pass before any tree is
/// built. A syntax error stops the pass quietly: the tree parser reports it with its position.
pub fn check_depth(text: &str, max: usize) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > max {
                    return Err(format!("elements nested deeper than {max} levels (ingest.max_xml_depth)"));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
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

/// Depth-first over the subtree with an explicit stack (no recursion, whatever the depth):
/// text feeds the builder; elements open and close blocks and links.
fn walk(node: Node<'_, '_>, b: &mut ParaBuilder) {
    enum Step<'a, 'i> {
        Enter(Node<'a, 'i>),
        Leave { link: bool, block: bool },
    }
    let mut stack: Vec<Step> = node.children().rev().map(Step::Enter).collect();
    while let Some(step) = stack.pop() {
        let n = match step {
            Step::Leave { link, block } => {
                if link {
                    b.link_end();
                }
                if block {
                    b.block();
                }
                continue;
            }
            Step::Enter(n) => n,
        };
        if n.is_text() {
            // Feeds often double-escape (`&amp;#39;`), leaving references in the parsed text;
            // markup that decoding uncovers is removed with the rest in `finish`.
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
        let link = name.eq_ignore_ascii_case("a") || name.eq_ignore_ascii_case("link");
        if link {
            b.link_start(attr(n, "href").unwrap_or_default());
        }
        if name.eq_ignore_ascii_case("td") || name.eq_ignore_ascii_case("th") {
            b.text(" ");
        }
        stack.push(Step::Leave { link, block });
        stack.extend(n.children().rev().map(Step::Enter));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::SourceFormat;

    fn doc(bytes: &[u8]) -> Doc<'_> {
        Doc::new(bytes, "t.xml", SourceFormat::Nitf)
    }

    /// The error a document gets, if any, through the whole XML path.
    fn outcome(xml: &[u8]) -> Result<(), IngestError> {
        let d = doc(xml);
        let text = decode_xml(&d)?;
        parse(&text, &d).map(|_| ())
    }

    #[test]
    fn billion_laughs_is_refused_before_parsing() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        let err = decode_xml(&doc(bomb)).expect_err("refused");
        assert!(matches!(err, IngestError::UnsafeXml { .. }), "{err}");
    }

    #[test]
    fn entity_declarations_are_refused_however_the_doctype_is_dressed() {
        let cases: [&[u8]; 6] = [
            // A '>' inside the system literal ended the old text check early.
            br#"<!DOCTYPE x SYSTEM "a>b" [<!ENTITY e "boom">]><x>&e;</x>"#,
            // ']>' inside a comment in the internal subset.
            br#"<!DOCTYPE x [<!-- ]> --><!ENTITY e "boom">]><x>&e;</x>"#,
            br#"<!DOCTYPE x PUBLIC "-//x" 'y>z' [<!ENTITY % p SYSTEM "file:///etc/passwd">%p;]><x/>"#,
            br#"<?xml version="1.0"?><!-- a comment --><!DOCTYPE x [ ]><x/>"#,
            // A DOCTYPE after the root element, or a second one, never reaches a DTD parser.
            br#"<x/><!DOCTYPE x [<!ENTITY e "boom">]>"#,
            br#"<!DOCTYPE x SYSTEM "x.dtd"><!DOCTYPE y [<!ENTITY e "boom">]><x/>"#,
        ];
        for (i, xml) in cases.iter().enumerate() {
            let shown = String::from_utf8_lossy(xml);
            match outcome(xml) {
                Err(IngestError::UnsafeXml { .. }) => {}
                // Markup after the root element is a syntax error before it is anything else.
                Err(IngestError::Malformed { .. }) if i == 4 => {}
                other => panic!("{shown}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_external_doctype_without_entities_is_accepted() {
        for ok in [
            &br#"<?xml version="1.0"?><!DOCTYPE nitf SYSTEM "nitf.dtd"><nitf/>"#[..],
            br#"<!-- <!DOCTYPE in a comment [ --><!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.2//EN" "http://x/nitf>3.2.dtd"><nitf/>"#,
            br#"<nitf><!-- <!DOCTYPE x [ ]> --></nitf>"#,
        ] {
            let text = decode_xml(&doc(ok)).expect("decoded");
            assert!(parse(&text, &doc(ok)).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn deep_nesting_is_refused_before_a_tree_is_built() {
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let err = decode_xml(&doc(deep.as_bytes())).expect_err("too deep");
        assert!(err.to_string().contains("max_xml_depth"), "{err}");
        let fine = format!("<r>{}x{}</r>", "<a>".repeat(200), "</a>".repeat(200));
        assert!(decode_xml(&doc(fine.as_bytes())).is_ok());
    }

    #[test]
    fn walking_a_deep_tree_needs_no_stack() {
        // As deep as the depth check allows, walked on a thread with a tiny stack: a recursive
        // walk needs a frame per level and overflows it; the iterative one needs none.
        let depth = crate::IngestConfig::default().max_xml_depth - 1;
        let deep = format!("<r>{}text{}</r>", "<p>".repeat(depth), "</p>".repeat(depth));
        let d = Document::parse_with_options(&deep, ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX }).expect("parse");
        let root = d.root_element();
        let walked = std::thread::scope(|scope| {
            std::thread::Builder::new().stack_size(32 * 1024).spawn_scoped(scope, || paragraphs(root).0).expect("thread").join()
        });
        assert_eq!(walked.expect("no stack overflow"), vec!["text"]);
    }

    #[test]
    fn markup_becomes_paragraphs_with_links_and_no_tables_merged() {
        let x = r#"<body.content><p>One <a href="http://l.test">two</a>.</p><hl2>Sub</hl2><p>Three</p></body.content>"#;
        let d = Document::parse(x).expect("parse");
        let (p, l) = paragraphs(d.root_element());
        assert_eq!(p, vec!["One two.", "Sub", "Three"]);
        assert_eq!(l[0].href, "http://l.test/");
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
