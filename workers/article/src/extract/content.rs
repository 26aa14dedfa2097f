//! Finding the article in the page: score paragraphs, let their scores flow to the containers
//! above them (the Readability idea), pick the best container, take in sibling blocks that
//! belong to the same article, then render it without furniture or link lists.

use super::classify::{is_body_marker, is_boiler, is_furniture_line};
use super::text::{is_block, render, TextSink};
use super::tree::{NodeId, Tree};

/// Per-node measurements, computed bottom-up once.
#[derive(Default, Clone, Copy)]
struct Stats {
    /// Characters of visible text (whitespace collapsed) outside furniture.
    chars: u32,
    /// Of those, characters inside links.
    link_chars: u32,
    /// Paragraph score that flowed up to this node.
    score: f32,
    /// Inside furniture (or is furniture).
    boiler: bool,
}

/// Visible characters of a text node after whitespace collapsing (approximate, cheap).
fn text_chars(s: &str) -> u32 {
    s.split_whitespace().map(|w| w.chars().count() as u32 + 1).sum()
}

fn commas(s: &str) -> u32 {
    s.chars().filter(|&c| c == ',' || c == '，' || c == '、').count() as u32
}

struct Analysis<'t> {
    tree: &'t Tree,
    stats: Vec<Stats>,
}

impl<'t> Analysis<'t> {
    /// Measure the page. `strict` lets furniture words in `id`/`class` hide any element that
    /// does not hold most of the page's long paragraphs; the relaxed pass lets them hide only
    /// elements without any long paragraph (for pages whose wrappers carry such words).
    fn new(tree: &'t Tree, strict: bool) -> Analysis<'t> {
        let n = tree.nodes.len();
        let mut stats = vec![Stats::default(); n];
        // Raw text per subtree, to keep furniture words on page-wide wrappers
        // (`<html class="header-spacing">`) from hiding the whole page.
        // Text in long paragraphs per subtree (before any furniture decision): a wrapper that
        // holds most of it is the page or the article, whatever its class names or tag say
        // (`<html class="header-spacing">`, `<div class="and-w-sidebar">`, an ASP.NET page-wide
        // `<form>`), and so is an ancestor of the element marked as the article body.
        let mut long_text = vec![0u32; n];
        let mut holds_body = vec![false; n];
        for id in (1..n).rev() {
            let node = &tree.nodes[id];
            if node.is_text() && !tree.nodes[node.parent as usize].dropped {
                let chars = text_chars(&node.text);
                if chars >= 80 {
                    long_text[id] = chars;
                }
            }
            if node.dropped || node.hidden {
                long_text[id] = 0;
            }
            if !node.is_text() && is_body_marker(node) {
                holds_body[id] = true;
            }
            let parent = node.parent as usize;
            long_text[parent] += long_text[id];
            holds_body[parent] |= holds_body[id];
        }
        let majority = long_text[0] / 2;
        // Top-down: furniture flags are inherited (parents precede children in the arena).
        for id in 1..n {
            let node = &tree.nodes[id];
            let parent = node.parent as usize;
            let protected = if strict { (long_text[id] > majority && majority > 0) || holds_body[id] } else { long_text[id] > 0 };
            let furniture = node.hidden || (!protected && is_boiler(node));
            stats[id].boiler = stats[parent].boiler || node.dropped || furniture;
        }
        // Bottom-up: text and link lengths.
        let mut in_link = vec![false; n];
        for id in 1..n {
            let node = &tree.nodes[id];
            in_link[id] = in_link[node.parent as usize] || node.tag == "a";
        }
        for id in (1..n).rev() {
            let node = &tree.nodes[id];
            if node.is_text() && !stats[id].boiler {
                let c = text_chars(&node.text);
                stats[id].chars = c;
                if in_link[id] {
                    stats[id].link_chars = c;
                }
            }
            let (c, l) = (stats[id].chars, stats[id].link_chars);
            let parent = node.parent as usize;
            stats[parent].chars += c;
            stats[parent].link_chars += l;
        }
        let mut a = Analysis { tree, stats };
        a.score_paragraphs();
        a
    }

    fn link_density(&self, id: NodeId) -> f32 {
        let s = self.stats[id as usize];
        if s.chars == 0 {
            0.0
        } else {
            s.link_chars as f32 / s.chars as f32
        }
    }

    /// The nearest block ancestor-or-self of a node.
    fn block_of(&self, mut id: NodeId) -> NodeId {
        loop {
            let node = &self.tree.nodes[id as usize];
            if id == 0 || (!node.is_text() && is_block(&node.tag)) {
                return id;
            }
            id = node.parent;
        }
    }

    /// Each text-holding block ("paragraph") scores by its own length and commas; the score
    /// goes to its parent in full, then halved and thirded further up.
    fn score_paragraphs(&mut self) {
        let n = self.tree.nodes.len();
        let mut own = vec![(0u32, 0u32); n]; // (non-link chars, commas) of text directly in a block
        for id in 1..n {
            let node = &self.tree.nodes[id];
            if node.tag == "br" && self.follows_br(id as NodeId) {
                // `<br><br>` separates paragraphs in pages that never use `<p>`.
                let block = self.block_of(node.parent) as usize;
                let (chars, commas) = std::mem::take(&mut own[block]);
                self.add_paragraph(block, chars, commas);
                continue;
            }
            if !node.is_text() || self.stats[id].boiler {
                continue;
            }
            let block = self.block_of(node.parent) as usize;
            let entry = &mut own[block];
            entry.0 += self.stats[id].chars - self.stats[id].link_chars;
            entry.1 += commas(&node.text);
        }
        for (block, &(chars, commas)) in own.iter().enumerate() {
            self.add_paragraph(block, chars, commas);
        }
    }

    /// Whether the element before `id` among its siblings (blank text skipped) is a `<br>`.
    fn follows_br(&self, id: NodeId) -> bool {
        let parent = &self.tree.nodes[self.tree.nodes[id as usize].parent as usize];
        let Some(pos) = parent.children.iter().position(|&c| c == id) else {
            return false;
        };
        parent.children[..pos]
            .iter()
            .rev()
            .map(|&c| &self.tree.nodes[c as usize])
            .find(|c| !(c.is_text() && c.text.trim().is_empty()))
            .is_some_and(|c| c.tag == "br")
    }

    /// Credit one paragraph's score to the containers above its block.
    fn add_paragraph(&mut self, block: usize, chars: u32, commas: u32) {
        if chars < 25 || self.stats[block].boiler {
            return;
        }
        let score = 1.0 + commas as f32 + (chars as f32 / 100.0).min(3.0);
        let mut id = self.tree.nodes[block].parent;
        for level in 0..5 {
            self.stats[id as usize].score += score / if level == 0 { 1.0 } else if level == 1 { 2.0 } else { level as f32 * 3.0 };
            if id == 0 {
                break;
            }
            id = self.tree.nodes[id as usize].parent;
        }
    }

    /// A container's final score: paragraph score, attribute hints, less its link share.
    fn final_score(&self, id: NodeId) -> f32 {
        let node = &self.tree.nodes[id as usize];
        let mut score = self.stats[id as usize].score;
        if is_body_marker(node) {
            score += 25.0;
        }
        match node.tag.as_str() {
            "article" | "main" => score += 5.0,
            "div" | "section" => score += 2.0,
            _ => {}
        }
        score * (1.0 - self.link_density(id))
    }

    fn top_candidate(&self) -> Option<NodeId> {
        let mut best: Option<(NodeId, f32)> = None;
        for id in 1..self.tree.nodes.len() as NodeId {
            let s = &self.stats[id as usize];
            if s.score <= 0.0 || s.boiler || self.tree.nodes[id as usize].is_text() {
                continue;
            }
            let score = self.final_score(id);
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((id, score));
            }
        }
        best.map(|(id, _)| id)
    }

    /// The top container and the siblings that belong with it.
    fn selection(&self, top: NodeId) -> Vec<NodeId> {
        let top_node = &self.tree.nodes[top as usize];
        let parent = top_node.parent;
        if top == 0 || parent == top {
            return vec![top];
        }
        let top_score = self.final_score(top);
        let threshold = (top_score * 0.2).max(10.0);
        let mut out = Vec::new();
        for &sib in &self.tree.nodes[parent as usize].children {
            let node = &self.tree.nodes[sib as usize];
            let s = self.stats[sib as usize];
            if sib == top {
                out.push(sib);
                continue;
            }
            if s.boiler || s.chars == 0 {
                continue;
            }
            let mut bonus = 0.0;
            if !node.id_class.is_empty() && node.id_class == top_node.id_class {
                bonus = top_score * 0.2;
            }
            let density = self.link_density(sib);
            let keep = if self.final_score(sib) + bonus >= threshold {
                true
            } else if node.tag == "p" || node.is_text() {
                let text = super::text::plain(self.tree, sib);
                let len = s.chars;
                (len > 80 && density < 0.25) || (len > 0 && density == 0.0 && (text.ends_with('.') || text.contains(". ")))
            } else {
                false
            };
            if keep {
                out.push(sib);
            }
        }
        self.add_same_class_chunks(top, &mut out);
        out
    }

    /// Articles split into chunks between ad rails (`<div class="article__body">` repeated
    /// under separate wrappers) are joined: every other element with the top candidate's exact
    /// `id`/`class` that holds scored text comes along, in document order.
    fn add_same_class_chunks(&self, top: NodeId, out: &mut Vec<NodeId>) {
        let signature = &self.tree.nodes[top as usize].id_class;
        if signature.trim().is_empty() {
            return;
        }
        let chunks: Vec<NodeId> = (1..self.tree.nodes.len() as NodeId)
            .filter(|&id| {
                let n = &self.tree.nodes[id as usize];
                let s = self.stats[id as usize];
                id != top && &n.id_class == signature && !s.boiler && s.score > 0.0 && self.link_density(id) < 0.5
            })
            .collect();
        if chunks.is_empty() {
            return;
        }
        out.extend(chunks);
        out.sort_unstable();
        out.dedup();
        let chosen: std::collections::HashSet<NodeId> = out.iter().copied().collect();
        out.retain(|&id| !self.has_ancestor_in(id, &chosen));
    }

    fn has_ancestor_in(&self, mut id: NodeId, set: &std::collections::HashSet<NodeId>) -> bool {
        while id != 0 {
            id = self.tree.nodes[id as usize].parent;
            if set.contains(&id) {
                return true;
            }
        }
        false
    }

    /// Whether to leave a node out of the rendered article.
    fn skip(&self, id: NodeId) -> bool {
        let node = &self.tree.nodes[id as usize];
        let s = self.stats[id as usize];
        if s.boiler || node.tag == "h1" {
            return true;
        }
        match node.tag.as_str() {
            // Lists and tables of links (related stories, tag clouds) and link-only blocks.
            "ul" | "ol" | "table" | "div" | "section" | "p" | "li" => {
                let density = self.link_density(id);
                (density > 0.5 && s.chars < 1000) || (density > 0.3 && s.chars < 100 && node.tag != "p" && node.tag != "li")
            }
            "figure" | "figcaption" | "picture" | "img" => true,
            _ => false,
        }
    }
}

/// The article's paragraphs, or an empty list when the page has no scorable text.
/// Below this many words the strict pass is checked against the relaxed one.
const RETRY_WORDS: usize = 200;

/// The article's paragraphs, or an empty list when the page has no scorable text.
pub(crate) fn article_paragraphs(tree: &Tree) -> Vec<String> {
    let strict = paragraphs_of(&Analysis::new(tree, true));
    let words = |ps: &[String]| ps.iter().map(|p| p.split_whitespace().count()).sum::<usize>();
    let strict_words = words(&strict);
    if strict_words >= RETRY_WORDS {
        return strict;
    }
    let relaxed = paragraphs_of(&Analysis::new(tree, false));
    if words(&relaxed) * 2 > strict_words * 3 {
        relaxed
    } else {
        strict
    }
}

fn paragraphs_of(analysis: &Analysis) -> Vec<String> {
    let tree = analysis.tree;
    let Some(top) = analysis.top_candidate() else {
        return Vec::new();
    };
    if std::env::var_os("COPYDESK_DEBUG_EXTRACT").is_some() {
        let mut all: Vec<(f32, NodeId)> = (1..tree.nodes.len() as NodeId)
            .filter(|&id| analysis.stats[id as usize].score > 0.0 && !analysis.stats[id as usize].boiler)
            .map(|id| (analysis.final_score(id), id))
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (score, id) in all.iter().take(5) {
            let n = &tree.nodes[*id as usize];
            eprintln!("candidate {} [{}] final {score:.1} chars {}", n.tag, n.id_class.trim(), analysis.stats[*id as usize].chars);
        }
        for id in analysis.selection(top) {
            let n = &tree.nodes[id as usize];
            let s = analysis.stats[id as usize];
            eprintln!("selected {} [{}] score {:.1} final {:.1} chars {} links {}", n.tag, n.id_class.trim(), s.score, analysis.final_score(id), s.chars, s.link_chars);
        }
    }
    let mut sink = TextSink::default();
    let skip = |id: NodeId| analysis.skip(id);
    for id in analysis.selection(top) {
        render(tree, id, &mut sink, &skip);
        sink.paragraph_break();
    }
    let mut paragraphs = sink.finish();
    paragraphs.retain(|p| !is_furniture_line(p));
    paragraphs
}
