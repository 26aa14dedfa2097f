//! The other Rust extractors, run the way the article-extraction benchmark's own Rust runner
//! does (`extractors/rust_extractors/src/main.rs`: soft hyphens removed; dom_smoothie's HTML
//! turned into text with html2text at width 80), so `copydesk eval extraction --engine NAME`
//! compares them with ours on the same pages and the same scoring. Built only with the
//! `compare` feature; production code never links them.

use url::Url;

/// Engine names accepted by [`run`].
pub const ENGINES: &[&str] = &["rs-trafilatura", "dom_smoothie", "readability", "llm_readability"];

fn normalize(s: &str) -> String {
    s.replace('\u{00ad}', "").replace("\r\n", "\n")
}

/// Run the named engine on one page; errors give an empty text (as the benchmark counts them).
pub fn run(engine: &str, html: &str, url: &Url) -> Option<String> {
    let text = match engine {
        "rs-trafilatura" => rs_trafilatura::extract(html).map(|r| r.content_text).unwrap_or_default(),
        "dom_smoothie" => dom_smoothie::Readability::new(html, Some(url.as_str()), None)
            .and_then(|mut r| r.parse())
            .map(|a| html2text::from_read(AsRef::<str>::as_ref(&a.content).as_bytes(), 80).unwrap_or_default())
            .unwrap_or_default(),
        "readability" => readability::extractor::extract(&mut html.as_bytes(), url).map(|p| p.text).unwrap_or_default(),
        "llm_readability" => llm_readability::extractor::extract(&mut html.as_bytes(), url).map(|p| p.text).unwrap_or_default(),
        _ => return None,
    };
    Some(normalize(&text))
}
