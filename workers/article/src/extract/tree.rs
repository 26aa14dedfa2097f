//! A compact document tree built from lol_html's streaming tokenizer.
//!
//! lol_html (Cloudflare) tokenizes HTML as the HTML standard says, fast and with bounded
//! memory, but builds no tree and does not report implicitly closed elements. We keep our own
//! stack of open elements and apply the standard's common implied-end rules (`<p>` closed by a
//! block, `<li>` by the next `<li>`, table cells, options, headings), which is enough for
//! finding an article's text. Subtrees that never hold article text (scripts, styles, SVG,
//! forms' controls, ...) are tracked for nesting but their text is dropped, except JSON-LD
//! scripts, whose text is kept for the metadata reader.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{Element, TextType};
use lol_html::{doc_text, element, end_tag, HtmlRewriter, Settings};

/// Index of a node in [`Tree::nodes`].
pub(crate) type NodeId = u32;

/// One element or text node.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Lower-case tag name; empty for a text node.
    pub tag: String,
    /// Parent element (the root's parent is itself).
    pub parent: NodeId,
    /// Children in document order.
    pub children: Vec<NodeId>,
    /// Text of a text node (entities decoded, not yet whitespace-collapsed).
    pub text: String,
    /// `id` and `class` attributes, lower-cased and joined by a space (boilerplate patterns).
    pub id_class: String,
    /// `itemprop`, lower-cased (`articleBody` marks the body on many news sites).
    pub itemprop: String,
    /// `role`, lower-cased (`navigation`, `complementary`, ...).
    pub role: String,
    /// Hidden by `hidden`, `aria-hidden="true"` or an inline `display:none`.
    pub hidden: bool,
    /// Inside an element whose text is never article text (script, style, svg, ...).
    pub dropped: bool,
}

impl Node {
    /// Whether this is a text node.
    pub fn is_text(&self) -> bool {
        self.tag.is_empty()
    }
}

/// What the page says about itself, gathered while building the tree.
#[derive(Debug, Default)]
pub(crate) struct HeadInfo {
    /// `<title>` text.
    pub title: String,
    /// `<html lang>`.
    pub lang: String,
    /// `(name or property, content)` of every `<meta>`.
    pub metas: Vec<(String, String)>,
    /// `href` of the first `<link rel="canonical">`.
    pub canonical: Option<String>,
    /// Text of every `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
}

/// The parsed page.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Node 0 is a synthetic root.
    pub nodes: Vec<Node>,
    /// Head metadata.
    pub head: HeadInfo,
}

/// Elements whose content is never article text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "canvas", "object", "embed", "select",
    "textarea", "button", "video", "audio", "head", "title", "noembed", "noframes", "map", "dialog",
];

/// Starting one of these closes an open `<p>` (HTML standard, "in body" insertion mode).
const CLOSES_P: &[&str] = &[
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main",
    "menu", "nav", "ol", "p", "pre", "section", "table", "ul", "li", "dd", "dt", "listing", "xmp",
];

/// Scope boundaries for the implied-end searches.
const SCOPE: &[&str] = &["html", "body", "table", "td", "th", "caption", "button", "object", "template", "marquee"];

struct Builder {
    tree: Tree,
    stack: Vec<NodeId>,
    /// Text of the `<title>` or JSON-LD script being read, if any.
    capture: Option<Capture>,
}

#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Title,
    JsonLd,
}

impl Builder {
    fn new() -> Builder {
        let root = Node { tag: "#root".into(), ..Node::default() };
        Builder { tree: Tree { nodes: vec![root], head: HeadInfo::default() }, stack: vec![0], capture: None }
    }

    fn top(&self) -> NodeId {
        self.stack.last().copied().unwrap_or(0)
    }

    fn tag_of(&self, id: NodeId) -> &str {
        &self.tree.nodes[id as usize].tag
    }

    /// Pop up to and including `id` if it is open.
    fn close(&mut self, id: NodeId) {
        if let Some(pos) = self.stack.iter().rposition(|&n| n == id) {
            if pos > 0 {
                self.stack.truncate(pos);
            }
        }
        self.capture = None;
    }

    /// Close the nearest open element named in `names`, searching down to a scope boundary.
    fn close_open(&mut self, names: &[&str], extra_scope: &[&str]) {
        for pos in (1..self.stack.len()).rev() {
            let tag = self.tag_of(self.stack[pos]);
            if names.contains(&tag) {
                self.stack.truncate(pos);
                return;
            }
            if SCOPE.contains(&tag) || extra_scope.contains(&tag) {
                return;
            }
        }
    }

    fn implied_ends(&mut self, tag: &str) {
        if CLOSES_P.contains(&tag) {
            self.close_open(&["p"], &[]);
        }
        match tag {
            "li" => self.close_open(&["li"], &["ul", "ol"]),
            "dd" | "dt" => self.close_open(&["dd", "dt"], &["dl"]),
            "td" | "th" => self.close_open(&["td", "th"], &["tr"]),
            "tr" => self.close_open(&["tr"], &["tbody", "thead", "tfoot"]),
            "option" => self.close_open(&["option"], &[]),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let top = self.tag_of(self.top());
                if top.len() == 2 && top.starts_with('h') && top.as_bytes()[1].is_ascii_digit() {
                    self.stack.pop();
                }
            }
            _ => {}
        }
    }

    fn push_element(&mut self, el: &Element) -> (NodeId, bool) {
        let tag = el.tag_name();
        self.implied_ends(&tag);
        let parent = self.top();
        let parent_dropped = self.tree.nodes[parent as usize].dropped;
        let mut node = Node { parent, ..Node::default() };
        // One pass over the attributes (lol_html's get_attribute scans them all each time).
        let (mut id, mut class, mut style, mut hidden) = (String::new(), String::new(), String::new(), false);
        for a in el.attributes() {
            match a.name().as_str() {
                "id" => id = a.value(),
                "class" => class = a.value(),
                "itemprop" => node.itemprop = a.value().to_lowercase(),
                "role" => node.role = a.value().to_lowercase(),
                "style" => style = a.value(),
                "hidden" => hidden = true,
                "aria-hidden" => hidden |= a.value().eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        if !id.is_empty() || !class.is_empty() {
            node.id_class = format!("{id} {class}").to_lowercase();
        }
        if !style.is_empty() {
            let style = style.to_lowercase().replace(' ', "");
            hidden |= style.contains("display:none") || style.contains("visibility:hidden");
        }
        node.hidden = hidden;
        node.dropped = parent_dropped || DROPPED.contains(&tag.as_str());
        self.read_head(&tag, el);
        node.tag = tag;
        let id = self.tree.nodes.len() as NodeId;
        self.tree.nodes.push(node);
        self.tree.nodes[parent as usize].children.push(id);
        let open = el.can_have_content() && !el.is_self_closing();
        if open {
            self.stack.push(id);
        }
        (id, open)
    }

    fn read_head(&mut self, tag: &str, el: &Element) {
        let attr = |name: &str| el.get_attribute(name).map(|v| decode(&v));
        match tag {
            "html" => self.tree.head.lang = attr("lang").unwrap_or_default(),
            "title" if self.tree.head.title.is_empty() => self.capture = Some(Capture::Title),
            "script" => {
                let kind = attr("type").unwrap_or_default().to_ascii_lowercase();
                if kind.trim() == "application/ld+json" {
                    self.tree.head.json_ld.push(String::new());
                    self.capture = Some(Capture::JsonLd);
                }
            }
            "meta" => {
                let key = attr("property").or_else(|| attr("name")).or_else(|| attr("itemprop"));
                if let (Some(key), Some(content)) = (key, attr("content")) {
                    self.tree.head.metas.push((key.to_ascii_lowercase(), content));
                }
            }
            "link" if self.tree.head.canonical.is_none() => {
                let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                if rel.split_ascii_whitespace().any(|r| r == "canonical") {
                    self.tree.head.canonical = attr("href");
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, chunk: &str, kind: TextType) {
        match (self.capture, kind) {
            (Some(Capture::JsonLd), TextType::ScriptData) => {
                if let Some(last) = self.tree.head.json_ld.last_mut() {
                    last.push_str(chunk);
                }
                return;
            }
            (Some(Capture::Title), TextType::RCData) => {
                self.tree.head.title.push_str(&decode(chunk));
                return;
            }
            _ => {}
        }
        let parent = self.top();
        if self.tree.nodes[parent as usize].dropped || !matches!(kind, TextType::Data | TextType::CDataSection) {
            return;
        }
        let text = if chunk.contains('&') { decode(chunk) } else { chunk.to_string() };
        // Chunks of one text node arrive in pieces; extend the last text child.
        if let Some(&last) = self.tree.nodes[parent as usize].children.last() {
            let last_node = &mut self.tree.nodes[last as usize];
            if last_node.is_text() {
                last_node.text.push_str(&text);
                return;
            }
        }
        let id = self.tree.nodes.len() as NodeId;
        self.tree.nodes.push(Node { parent, text, ..Node::default() });
        self.tree.nodes[parent as usize].children.push(id);
    }
}

/// Decode HTML character references.
fn decode(s: &str) -> String {
    html_escape::decode_html_entities(s).into_owned()
}

/// Parse a whole page. Never fails: malformed markup yields whatever tree the tokenizer saw.
pub(crate) fn parse(html: &str) -> Tree {
    let builder = Rc::new(RefCell::new(Builder::new()));
    let on_element = builder.clone();
    let on_text = builder.clone();
    let settings = Settings::new()
        .append_element_content_handler(element!("*", move |el| {
            let (id, open) = on_element.borrow_mut().push_element(el);
            if open {
                let on_end = on_element.clone();
                // Elements lol_html cannot close (foreign content quirks) are closed by an ancestor.
                let _ = el.on_end_tag(end_tag!(move |_end| {
                    on_end.borrow_mut().close(id);
                    Ok(())
                }));
            }
            Ok(())
        }))
        .append_document_content_handler(doc_text!(move |t| {
            on_text.borrow_mut().text(t.as_str(), t.text_type());
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // Errors here are memory-limit or handler errors; both leave a usable partial tree.
    if rewriter.write(html.as_bytes()).is_ok() {
        let _ = rewriter.end();
    }
    let tree = std::mem::take(&mut builder.borrow_mut().tree);
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tree: &Tree) -> Vec<(String, String)> {
        tree.nodes
            .iter()
            .filter(|n| n.is_text() && !n.text.trim().is_empty())
            .map(|n| (tree.nodes[n.parent as usize].tag.clone(), n.text.clone()))
            .collect()
    }

    #[test]
    fn unclosed_paragraphs_and_list_items_are_closed_by_their_siblings() {
        let tree = parse("<body><p>one<p>two<div>three</div><ul><li>a<li>b</ul></body>");
        let t = texts(&tree);
        assert_eq!(t, vec![("p".into(), "one".into()), ("p".into(), "two".into()), ("div".into(), "three".into()), ("li".into(), "a".into()), ("li".into(), "b".into())]);
        let div = tree.nodes.iter().position(|n| n.tag == "div").unwrap_or(0);
        assert_eq!(tree.nodes[tree.nodes[div].parent as usize].tag, "body", "a div is never inside a p");
    }

    #[test]
    fn scripts_are_dropped_but_json_ld_and_metadata_are_kept() {
        let html = r#"<html lang="de"><head><title>A &amp; B</title><meta property="og:title" content="T&amp;U">
            <link rel="canonical" href="/x?a=1&amp;b=2"><script>var x = "<p>no</p>";</script>
            <script type="application/ld+json">{"@type":"NewsArticle"}</script></head><body><p>Yes &eacute;</p></body></html>"#;
        let tree = parse(html);
        assert_eq!(texts(&tree), vec![("p".into(), "Yes é".into())]);
        assert_eq!(tree.head.title, "A & B");
        assert_eq!(tree.head.lang, "de");
        assert_eq!(tree.head.canonical.as_deref(), Some("/x?a=1&b=2"));
        assert_eq!(tree.head.metas, vec![("og:title".into(), "T&U".into())]);
        assert_eq!(tree.head.json_ld, vec![r#"{"@type":"NewsArticle"}"#.to_string()]);
    }

    #[test]
    fn hidden_elements_are_marked() {
        let tree = parse(r#"<div style="display: none">x</div><div hidden>y</div><div>z</div>"#);
        let hidden: Vec<bool> = tree.nodes.iter().filter(|n| n.tag == "div").map(|n| n.hidden).collect();
        assert_eq!(hidden, vec![true, true, false]);
    }
}
