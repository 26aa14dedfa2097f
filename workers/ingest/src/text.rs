//! Text reduction shared by every format: whitespace, HTML to paragraphs with links, language.

use copydesk_types::Link;

/// Collapse runs of whitespace (including no-break spaces) to one space and trim.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`clean`], returning `None` for an empty result.
pub fn clean_opt(s: &str) -> Option<String> {
    let c = clean(s);
    (!c.is_empty()).then_some(c)
}

/// Split plain text into paragraphs at blank lines; lines inside a paragraph are joined.
pub fn plain_paragraphs(text: &str) -> Vec<String> {
    let mut paras = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            push_para(&mut paras, &mut current);
        } else {
            current.push(' ');
            current.push_str(line);
        }
    }
    push_para(&mut paras, &mut current);
    paras
}

fn push_para(paras: &mut Vec<String>, current: &mut String) {
    let c = clean(current);
    if !c.is_empty() {
        paras.push(c);
    }
    current.clear();
}

/// Accumulates paragraphs and links while a markup walker feeds it text and block boundaries.
#[derive(Default)]
pub struct ParaBuilder {
    paras: Vec<String>,
    current: String,
    links: Vec<Link>,
    /// Open links: (href, length of `current` where the link text starts).
    open: Vec<(String, usize)>,
}

impl ParaBuilder {
    /// Append running text.
    pub fn text(&mut self, t: &str) {
        self.current.push_str(t);
    }

    /// End the current paragraph (a `<p>`, `<br>`, `<li>`... boundary).
    pub fn block(&mut self) {
        self.close_links();
        push_para(&mut self.paras, &mut self.current);
    }

    /// A link starts here.
    pub fn link_start(&mut self, href: &str) {
        self.open.push((href.trim().to_string(), self.current.len()));
    }

    /// The innermost open link ends here. Only `http`, `https` and `mailto` targets are kept
    /// (`javascript:`, `data:` and relative addresses are dropped; the text stays).
    pub fn link_end(&mut self) {
        if let Some((href, start)) = self.open.pop() {
            let text = clean(self.current.get(start..).unwrap_or_default());
            if let (Some(href), false) = (copydesk_render::safe_href(&href), text.is_empty()) {
                self.links.push(Link { text, href });
            }
        }
    }

    fn close_links(&mut self) {
        while !self.open.is_empty() {
            self.link_end();
        }
    }

    /// The paragraphs and links collected.
    pub fn finish(mut self) -> (Vec<String>, Vec<Link>) {
        self.block();
        (self.paras, self.links)
    }
}

/// Tags whose boundaries end a paragraph.
pub fn is_block_tag(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "p" | "br" | "div" | "li" | "ul" | "ol" | "tr" | "table" | "h1" | "h2" | "h3" | "h4" | "h5"
            | "h6" | "hl1" | "hl2" | "blockquote" | "pre" | "section" | "article" | "hr"
            | "figure" | "figcaption" | "dd" | "dt" | "block" | "header" | "footer" | "aside"
            | "bq" | "caption" | "nitf-table" | "body.content" | "td" | "th"
    )
}

/// Tags whose content is not story text.
pub fn is_skipped_tag(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "script" | "style" | "head" | "noscript" | "iframe" | "svg" | "object" | "template"
            | "media-metadata" | "media-producer" | "nitf-table-metadata"
    )
}

/// Reduce an HTML fragment to clean paragraphs, keeping `<a href>` targets as links.
pub fn html_to_paragraphs(html: &str) -> (Vec<String>, Vec<Link>) {
    let mut b = ParaBuilder::default();
    let mut skip_depth: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if skip_depth.is_empty() {
            b.text(&decode_entities(&rest[..lt]));
        }
        let after = &rest[lt..];
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(after) else {
            // A lone '<' in text ("a < b"): keep it as text.
            if skip_depth.is_empty() {
                b.text("<");
            }
            rest = &after[1..];
            continue;
        };
        let tag = &after[1..gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name: String =
            body.chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == ':').collect();
        if name.is_empty() {
            continue;
        }
        let lname = name.to_ascii_lowercase();
        if !skip_depth.is_empty() {
            if closing && skip_depth.last().is_some_and(|s| *s == lname) {
                skip_depth.pop();
            }
            continue;
        }
        if is_skipped_tag(&lname) && !closing && !body.ends_with('/') {
            skip_depth.push(lname);
            continue;
        }
        if lname == "a" {
            if closing {
                b.link_end();
            } else if let Some(href) = attr(body, "href") {
                b.link_start(&decode_entities(&href));
            } else {
                b.link_start("");
            }
        } else if is_block_tag(&lname) {
            b.block();
        } else if lname == "td" || lname == "th" {
            b.text(" ");
        }
    }
    if skip_depth.is_empty() {
        b.text(&decode_entities(rest));
    }
    b.finish()
}

/// `s` with every markup tag removed and its text kept: what is left of wire text that carried
/// markup as text (an entity-escaped `&lt;script&gt;` in NITF, tags typed into a plain-text
/// story). The content of `script`, `style` and similar elements goes with them when their end
/// tag follows; a lone `<` ("3 < 4") is text. Entities are not decoded again.
pub fn strip_markup(s: &str) -> String {
    if !s.contains('<') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(after) else {
            out.push('<');
            rest = &after[1..];
            continue;
        };
        let tag = &after[1..gt];
        rest = &after[gt + 1..];
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == ':').collect();
        let lname = name.to_ascii_lowercase();
        if !tag.starts_with('/') && !tag.ends_with('/') && is_skipped_tag(&lname) {
            // Drop the element's content only up to its own end tag, when there is one.
            let lower = rest.to_ascii_lowercase();
            if let Some(end) = lower.find(&format!("</{lname}")) {
                let close = rest[end..].find('>').map_or(rest.len(), |g| end + g + 1);
                rest = &rest[close..];
            }
        }
        out.push(' ');
    }
    out.push_str(rest);
    clean(&out)
}

/// `[text](target)` in plain text whose target has a scheme other than `http`, `https` or
/// `mailto` (`javascript:`, `data:`, `vbscript:`) becomes `text`: wire text may be read as
/// Markdown by whoever takes it from the JSON, and such a link must not come alive there.
/// Linear: the scan stops as soon as no `](` is left.
pub fn unlink_unsafe_markdown(s: &str) -> String {
    if !s.contains("](") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(close) = rest.find("](") {
        let Some(end) = link_destination_end(&rest[close + 2..]).map(|e| close + 2 + e) else {
            out.push_str(&rest[..close + 2]);
            rest = &rest[close + 2..];
            continue;
        };
        let target = rest[close + 2..end].trim();
        let open = rest[..close].rfind('[');
        let has_scheme = target.split_once(':').is_some_and(|(scheme, _)| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) && !scheme.contains('/'));
        match open {
            Some(open) if has_scheme && copydesk_render::safe_href(target).is_none() => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 1..close]);
            }
            _ => out.push_str(&rest[..=end]),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Where a Markdown link destination that starts `s` ends: the index of the `)` that closes it,
/// with balanced parentheses inside (`javascript:alert(1)`) as CommonMark reads them. `None`
/// when a space or line break comes first (not a destination) or nothing closes it. Stops at
/// the first such character, so a scan that moves past what this looked at stays linear.
pub fn link_destination_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            c if c.is_whitespace() => return None,
            _ => {}
        }
    }
    None
}

/// Index of the `>` that closes the tag starting at `s[0] == '<'`, honouring quoted attributes.
fn tag_end(s: &str) -> Option<usize> {
    let next = s[1..].chars().next()?;
    if !(next.is_ascii_alphabetic() || next == '/' || next == '!' || next == '?') {
        return None;
    }
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` inside a tag body (`a href="x" class=y`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let v = tag[value_start..].trim_start();
        let value = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or_default(),
            _ => v.split(|c: char| c.is_whitespace() || c == '>').next().unwrap_or_default(),
        };
        return Some(value.to_string());
    }
    None
}

/// Decode HTML character references (`&amp;`, `&eacute;`, `&#8217;`).
pub fn decode_entities(s: &str) -> String {
    if s.contains('&') {
        html_escape::decode_html_entities(s).into_owned()
    } else {
        s.to_string()
    }
}

/// True when the text holds HTML tags worth reducing.
pub fn looks_like_html(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    ["<p", "<br", "<div", "<a ", "</", "<span", "<li", "<img", "<h1", "<h2", "<strong", "<em"]
        .iter()
        .any(|t| l.contains(t))
}

/// Text or HTML to paragraphs: HTML is reduced, plain text split at blank lines.
pub fn any_to_paragraphs(s: &str) -> (Vec<String>, Vec<Link>) {
    if looks_like_html(s) {
        html_to_paragraphs(s)
    } else {
        (plain_paragraphs(&decode_entities(s)), Vec::new())
    }
}

/// Normalise a declared language ("EN", "en_US", "IT-it", "US") to a BCP 47 tag, if plausible.
pub fn normalise_language(raw: &str) -> Option<String> {
    let raw = raw.trim().replace('_', "-");
    let mut parts = raw.split('-');
    let lang = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    // Country codes sometimes sit where the language belongs ("US"); refuse the common ones.
    if matches!(lang.as_str(), "us" | "uk" | "gb" | "au" | "at" | "ch" | "br" | "mx" | "cn" | "jp" | "kr") {
        return None;
    }
    match parts.next() {
        Some(region) if (2..=3).contains(&region.len()) => {
            Some(format!("{lang}-{}", region.to_ascii_uppercase()))
        }
        _ => Some(lang),
    }
}

/// Detect the language of a text with whatlang; `None` unless the detection is reliable.
pub fn detect_language(text: &str) -> Option<String> {
    let sample: String = text.chars().take(4000).collect();
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() {
        return None;
    }
    let code = info.lang().code();
    Some(iso639_1(code).unwrap_or(code).to_string())
}

/// Map ISO 639-3 codes (whatlang) to the 639-1 codes wire formats use.
fn iso639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en", "deu" => "de", "fra" => "fr", "spa" => "es", "ita" => "it", "por" => "pt",
        "nld" => "nl", "nob" => "nb", "nno" => "nn", "swe" => "sv", "dan" => "da", "fin" => "fi",
        "pol" => "pl", "ces" => "cs", "slk" => "sk", "slv" => "sl", "hrv" => "hr", "srp" => "sr",
        "hun" => "hu", "ron" => "ro", "bul" => "bg", "ell" => "el", "tur" => "tr", "rus" => "ru",
        "ukr" => "uk", "ara" => "ar", "heb" => "he", "pes" => "fa", "hin" => "hi", "cmn" => "zh",
        "jpn" => "ja", "kor" => "ko", "vie" => "vi", "ind" => "id", "tha" => "th", "lit" => "lt",
        "lav" => "lv", "est" => "et", "cat" => "ca", "epo" => "eo", "afr" => "af", "zul" => "zu",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_reduced_to_paragraphs_with_links_kept() {
        let (p, l) = html_to_paragraphs(
            "<p>First &amp; <a href=\"https://x.test/a?b=1&amp;c=2\">linked</a> text.</p>\
             <script>var x = '<p>no</p>';</script><p>Second<br/>third</p>",
        );
        assert_eq!(p, vec!["First & linked text.", "Second", "third"]);
        assert_eq!(l, vec![Link { text: "linked".into(), href: "https://x.test/a?b=1&c=2".into() }]);
    }

    #[test]
    fn markup_in_text_is_removed_and_its_text_kept() {
        assert_eq!(strip_markup("<script>alert(1)</script>Harbour <b>strike</b> ends"), "Harbour strike ends");
        assert_eq!(strip_markup("A <img src=x onerror=alert(1)> B"), "A B");
        assert_eq!(strip_markup("<svg onload=alert(1)>rest of the line"), "rest of the line", "no end tag: only the tag goes");
        assert_eq!(strip_markup("</script>x"), "x");
        assert_eq!(strip_markup("3 < 4 and 5 > 2"), "3 < 4 and 5 > 2");
        assert_eq!(strip_markup("a <!-- hidden --> b"), "a b");
        assert_eq!(strip_markup("x <a href=\"javascript:alert(1)\">click</a>"), "x click");
    }

    #[test]
    fn markdown_links_to_scripts_and_data_lose_their_target() {
        assert_eq!(unlink_unsafe_markdown("see [this](javascript:alert(1)) now"), "see this now");
        assert_eq!(unlink_unsafe_markdown("[x](DATA:text/html;base64,PHNjcmlwdD4=)"), "x");
        assert_eq!(unlink_unsafe_markdown("[ok](https://ok.test/a) and [mail](mailto:a@b.test)"), "[ok](https://ok.test/a) and [mail](mailto:a@b.test)");
        assert_eq!(unlink_unsafe_markdown("a note [1](see below)"), "a note [1](see below)");
        let hostile = "](".repeat(100_000);
        assert_eq!(unlink_unsafe_markdown(&hostile), hostile);
    }

    #[test]
    fn only_web_and_mail_links_are_kept() {
        let (_, links) = html_to_paragraphs("<p><a href=\"javascript:alert(1)\">a</a> <a href=\"data:text/html,x\">b</a> <a href=\"https://ok.test/\">c</a></p>");
        assert_eq!(links, vec![Link { text: "c".into(), href: "https://ok.test/".into() }]);
    }

    #[test]
    fn a_lone_less_than_sign_stays_text() {
        let (p, _) = html_to_paragraphs("<p>3 < 4 and 5 > 2</p>");
        assert_eq!(p, vec!["3 < 4 and 5 > 2"]);
    }

    #[test]
    fn plain_text_splits_at_blank_lines_and_joins_wrapped_lines() {
        assert_eq!(plain_paragraphs("a\nb\n\n  \nc\r\n"), vec!["a b", "c"]);
    }

    #[test]
    fn declared_languages_are_normalised_and_countries_refused() {
        assert_eq!(normalise_language("IT-it").as_deref(), Some("it-IT"));
        assert_eq!(normalise_language("en_us").as_deref(), Some("en-US"));
        assert_eq!(normalise_language("US"), None);
    }

    #[test]
    fn english_prose_is_detected_as_en() {
        let t = "The council voted on Tuesday to approve the new budget for schools and roads, \
                 after a long debate about taxes and the cost of living in the city.";
        assert_eq!(detect_language(t).as_deref(), Some("en"));
    }
}
