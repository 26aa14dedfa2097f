//! Rendering a subtree as plain text with paragraphs: block elements start a new paragraph,
//! inline elements run together as a browser would show them, `<br>` breaks a line, and
//! whitespace is collapsed.

use super::tree::{NodeId, Tree};

/// Elements that start a new block of text.
pub(crate) fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div" | "section" | "article" | "main" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li" | "ul" | "ol"
            | "dl" | "dt" | "dd" | "blockquote" | "pre" | "table" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th"
            | "caption" | "figure" | "figcaption" | "header" | "footer" | "aside" | "nav" | "hr" | "address"
            | "form" | "fieldset" | "details" | "summary" | "center" | "body" | "hgroup" | "legend" | "menu"
    )
}

/// Collects text into paragraphs.
#[derive(Default)]
pub(crate) struct TextSink {
    paragraphs: Vec<String>,
    current: String,
    /// A space is owed before the next word.
    space: bool,
}

impl TextSink {
    /// Append raw text, collapsing whitespace.
    pub fn push_text(&mut self, text: &str) {
        for (i, word) in text.split(|c: char| c.is_whitespace() || c == '\u{a0}').enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.space && !self.current.is_empty() {
                self.current.push(' ');
            }
            self.space = false;
            self.current.push_str(word);
        }
    }

    /// End the current line inside a paragraph (`<br>`); a second one in a row ends the
    /// paragraph, as `<br><br>` does on pages without `<p>`.
    pub fn line_break(&mut self) {
        if self.current.ends_with('\n') {
            self.paragraph_break();
        } else if !self.current.is_empty() {
            self.current.push('\n');
        }
        self.space = false;
    }

    /// End the current paragraph.
    pub fn paragraph_break(&mut self) {
        let p = self.current.trim();
        if !p.is_empty() {
            self.paragraphs.push(p.to_string());
        }
        self.current.clear();
        self.space = false;
    }

    /// Paragraphs collected so far (the open one included).
    pub fn finish(mut self) -> Vec<String> {
        self.paragraphs_break_final();
        self.paragraphs
    }

    fn paragraphs_break_final(&mut self) {
        self.paragraph_break();
    }
}

/// Render `id`'s subtree into `sink`, skipping every node for which `skip` says so.
pub(crate) fn render(tree: &Tree, id: NodeId, sink: &mut TextSink, skip: &dyn Fn(NodeId) -> bool) {
    let node = &tree.nodes[id as usize];
    if node.is_text() {
        sink.push_text(&node.text);
        return;
    }
    if node.dropped || skip(id) {
        return;
    }
    let block = is_block(&node.tag);
    match node.tag.as_str() {
        "br" => sink.line_break(),
        "td" | "th" => sink.push_text(" "),
        _ if block => sink.paragraph_break(),
        _ => {}
    }
    for &child in &node.children {
        render(tree, child, sink, skip);
    }
    if block && !matches!(node.tag.as_str(), "td" | "th") {
        sink.paragraph_break();
    } else if matches!(node.tag.as_str(), "td" | "th") {
        sink.push_text(" ");
    }
}

/// The visible text of a subtree, whitespace-collapsed, as one string.
pub(crate) fn plain(tree: &Tree, id: NodeId) -> String {
    let mut sink = TextSink::default();
    render(tree, id, &mut sink, &|_| false);
    sink.finish().join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn blocks_become_paragraphs_and_inline_text_runs_together() {
        let tree = parse("<div><p>One <b>bold</b>word.</p><p>Two<br>lines</p>  <ul><li>x</li><li>y</li></ul>Three<br> <br>Four</div>");
        let mut sink = TextSink::default();
        render(&tree, 0, &mut sink, &|_| false);
        assert_eq!(sink.finish(), vec!["One boldword.", "Two\nlines", "x", "y", "Three", "Four"]);
    }
}
