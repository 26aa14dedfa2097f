//! RSS 2.0, RSS 1.0 (RDF) and Atom, including Atom entries whose content is NITF.
//!
//! Each item or entry becomes a story: `guid`/`id`/`rdf:about` (else the link) -> guid;
//! `link` -> uri; `title` -> headline; `content:encoded`/`content` (else
//! `description`/`summary`) -> body, HTML reduced and links kept; `pubDate`/`dc:date`/
//! `published`/`updated` (malformed dates accepted) -> created times; `author`/`dc:creator`
//! -> byline; `category`/`dc:subject` -> keywords; the channel or feed title -> source;
//! `language`/`xml:lang` -> language. Element names are matched without regard to case,
//! so `<pubdate>` works. Each item's checksum covers that item's own markup.

use copydesk_types::{SourceFormat, Story};
use roxmltree::Node;

use super::nitf::fill_from_nitf;
use super::Doc;
use crate::dates::parse_date;
use crate::xml::{self, attr, child, children, find, find_all};
use crate::{IngestError, Parsed};

/// Parse a feed document into one item per entry.
pub(super) fn parse(doc: &Doc<'_>) -> Result<Vec<Parsed>, IngestError> {
    let text = xml::decode_xml(doc)?;
    let tree = xml::parse(&text, doc)?;
    let root = tree.root_element();
    let channel = find(root, "channel").filter(|_| doc.format != SourceFormat::Atom).unwrap_or(root);
    let feed_title = child(channel, "title").and_then(title_text);
    let feed_lang = child(channel, "language").and_then(xml::text).or_else(|| attr(root, "lang").map(str::to_string));
    let entries: Vec<Node<'_, '_>> = if doc.format == SourceFormat::Atom {
        if root.tag_name().name() == "entry" { vec![root] } else { find_all(root, "entry").collect() }
    } else {
        find_all(root, "item").collect()
    };
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let mut s = doc.story();
        s.source = feed_title.clone();
        s.language = attr(e, "lang").map(str::to_string).or_else(|| feed_lang.clone());
        if doc.format == SourceFormat::Atom {
            fill_atom(e, &mut s);
        } else {
            fill_rss(e, &mut s);
        }
        s.checksum = copydesk_types::story::checksum(text[e.range()].as_bytes());
        out.push(Parsed::Story(s));
    }
    Ok(out)
}

/// A title that may carry escaped HTML (`type="html"`): reduced to one line of text.
fn title_text(n: Node<'_, '_>) -> Option<String> {
    let raw = xml::text(n)?;
    if crate::text::looks_like_html(&raw) || raw.contains('&') {
        let (paras, _) = crate::text::html_to_paragraphs(&raw);
        crate::text::clean_opt(&paras.join(" "))
    } else {
        Some(raw)
    }
}

fn fill_rss(item: Node<'_, '_>, s: &mut Story) {
    s.headline = child(item, "title").and_then(title_text).unwrap_or_default();
    s.uri = child(item, "link").and_then(xml::text);
    s.guid = child(item, "guid")
        .and_then(xml::text)
        .or_else(|| attr(item, "about").map(str::to_string))
        .or_else(|| s.uri.clone())
        .unwrap_or_default();
    let date = ["pubDate", "date", "issued", "modified"].iter().find_map(|n| child(item, n).and_then(xml::text)).as_deref().and_then(parse_date);
    s.version_created = date;
    s.first_created = date;
    s.byline = ["creator", "author"].iter().find_map(|n| child(item, n).and_then(xml::text));
    s.keywords = children(item, "category").chain(children(item, "subject")).filter_map(xml::text).collect();
    let encoded = child(item, "encoded").and_then(|n| n.text()).filter(|t| !t.trim().is_empty());
    let description = child(item, "description").and_then(|n| n.text()).filter(|t| !t.trim().is_empty());
    if let Some(html) = encoded.or(description) {
        let (paras, links) = crate::text::any_to_paragraphs(html);
        s.body = paras;
        s.links = links;
    }
}

fn fill_atom(entry: Node<'_, '_>, s: &mut Story) {
    if let Some(nitf) = child(entry, "content").and_then(|c| find(c, "nitf")) {
        fill_from_nitf(nitf, s);
    }
    if s.headline.is_empty() {
        s.headline = child(entry, "title").and_then(title_text).unwrap_or_default();
    }
    let links: Vec<Node<'_, '_>> = children(entry, "link").collect();
    s.uri = links
        .iter()
        .find(|l| attr(**l, "rel").is_none_or(|r| r == "alternate"))
        .and_then(|l| attr(*l, "href"))
        .map(str::to_string);
    let id = child(entry, "id").and_then(xml::text).or_else(|| s.uri.clone()).unwrap_or_default();
    if s.guid.is_empty() {
        s.guid = id;
    }
    let updated = child(entry, "updated").and_then(xml::text).as_deref().and_then(parse_date);
    let published = child(entry, "published").and_then(xml::text).as_deref().and_then(parse_date);
    s.version_created = s.version_created.or(updated).or(published);
    s.first_created = s.first_created.or(published).or(updated);
    if s.byline.is_none() {
        s.byline = child(entry, "author").and_then(|a| child(a, "name").and_then(xml::text).or_else(|| xml::text(a)));
    }
    s.keywords.extend(children(entry, "category").filter_map(|c| attr(c, "label").or_else(|| attr(c, "term")).map(str::to_string)));
    if s.body.is_empty() {
        let content = child(entry, "content").or_else(|| child(entry, "summary"));
        if let Some(c) = content {
            let (paras, links) = atom_text(c);
            s.body = paras;
            s.links = links;
        }
    }
}

/// Atom text constructs: `xhtml` holds markup, `html` escaped markup, `text` plain text.
fn atom_text(c: Node<'_, '_>) -> (Vec<String>, Vec<copydesk_types::Link>) {
    if c.children().any(|n| n.is_element()) {
        return xml::paragraphs(c);
    }
    let raw = c.text().unwrap_or_default();
    match attr(c, "type").unwrap_or("text") {
        "text" => (crate::text::plain_paragraphs(raw), Vec::new()),
        _ => crate::text::any_to_paragraphs(raw),
    }
}
