//! Hostile wire copy written for these tests: every text field of several formats carries the
//! classic script-injection vectors, plain and entity-escaped, as markup and as Markdown links.

/// The vectors, each with a marker (`xN`) that must never come out inside executable markup.
pub const VECTORS: [&str; 9] = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')>",
    "</script><script>alert('x4')</script>",
    "[click me](javascript:alert('x5'))",
    "[see this](data:text/html;base64,PHNjcmlwdD5hbGVydCgneDYnKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert('x7')\">a link</a>",
    "\"><iframe src=javascript:alert('x8')></iframe>",
    "<style>body{background:url(javascript:alert('x9'))}</style>",
];

/// What executable markup looks like, lower-cased, anywhere in an output.
pub const DANGEROUS: [&str; 9] =
    ["<script", "<img", "<svg", "<iframe", "<style", "onerror=", "onload=", "javascript:", "data:text/html"];

/// The first dangerous pattern in `text`, if any.
pub fn danger(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    DANGEROUS.into_iter().find(|d| lower.contains(d))
}

fn sentences(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let v = VECTORS[i % VECTORS.len()];
            format!("The Harbour Council met on Tuesday {v} to vote on the new ferry budget, item {i}. Councillor Ana Ribeiro said the plan would cut waiting times by 20 percent.")
        })
        .collect()
}

/// A plain-text story: the vectors in the headline and every paragraph.
pub fn plain_text() -> String {
    format!("Ferry vote {} in Harbour Council\n\n{}\n", VECTORS[0], sentences(9).join("\n\n"))
}

/// A Markdown story.
pub fn markdown() -> String {
    format!("# Ferry budget {} passes\n\n{}\n", VECTORS[4], sentences(9).join("\n\n"))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// NITF with the vectors entity-escaped (they decode to markup-looking text) and one real
/// `<a href="javascript:...">` element.
pub fn nitf() -> String {
    let paras: String = sentences(9).iter().map(|p| format!("<p>{}</p>", xml_escape(p))).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<nitf><head><title>{title}</title><docdata><doc-id id-string="hostile-nitf-1"/><doc.copyright holder="Copydesk"/></docdata></head>
<body><body.head><hedline><hl1>{title}</hl1></hedline><byline>By {byline}</byline></body.head>
<body.content>{paras}<p>Read <a href="javascript:alert('x10')">the statement</a> here.</p></body.content></body></nitf>"#,
        title = xml_escape(&format!("Harbour ferry budget {} approved", VECTORS[1])),
        byline = xml_escape(VECTORS[2]),
    )
}

/// RSS whose descriptions are escaped HTML carrying the vectors.
pub fn rss() -> String {
    let items: String = (0..3)
        .map(|i| {
            let body: String = sentences(6).iter().map(|p| format!("<p>Feed item {i}: {p}</p>")).collect();
            format!(
                "<item><title>{}</title><guid>hostile-rss-{i}</guid><link>https://news.example/{i}</link><description>{}</description></item>",
                xml_escape(&format!("Ferry story {i} {}", VECTORS[(i + 3) % VECTORS.len()])),
                xml_escape(&body)
            )
        })
        .collect();
    format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile Wire</title>{items}</channel></rss>"#)
}

/// A ninjs item with HTML body and a hostile headline.
pub fn ninjs() -> String {
    let body: String = sentences(9).iter().map(|p| format!("<p>{p}</p>")).collect();
    serde_json::json!({
        "uri": "https://example.test/hostile-ninjs-1",
        "version": "1",
        "type": "text",
        "headline": format!("Ferry timetable {} changes", VECTORS[7]),
        "byline": VECTORS[3],
        "body_html": body,
    })
    .to_string()
}

/// Every fixture as (file name, bytes).
pub fn fixtures() -> Vec<(String, Vec<u8>)> {
    vec![
        ("hostile.txt".into(), plain_text().into_bytes()),
        ("hostile.md".into(), markdown().into_bytes()),
        ("hostile-nitf.xml".into(), nitf().into_bytes()),
        ("hostile-rss.xml".into(), rss().into_bytes()),
        ("hostile-ninjs.json".into(), ninjs().into_bytes()),
    ]
}

/// Every string inside a JSON value, with its path, for scanning outputs.
pub fn strings(value: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((path, v)) = stack.pop() {
        match v {
            serde_json::Value::String(s) => out.push((path, s.clone())),
            serde_json::Value::Array(items) => stack.extend(items.iter().enumerate().map(|(i, x)| (format!("{path}[{i}]"), x))),
            serde_json::Value::Object(map) => stack.extend(map.iter().map(|(k, x)| (format!("{path}.{k}"), x))),
            _ => {}
        }
    }
    out
}
