//! The `<head>` of an article page: title, meta description, Open Graph and the JSON-LD
//! script, each escaped for where it sits (attribute, text, script).

use crate::{escape_html, script_json};
use copydesk_types::Summary;

/// `<title>`, `<meta name="description">`, one `<meta property>` per Open Graph field and the
/// `<script type="application/ld+json">` element, ready to paste into a page's head.
pub fn head_html(summary: &Summary) -> String {
    let mut out = format!("<title>{}</title>\n", escape_html(&summary.headline));
    out.push_str(&format!("<meta name=\"description\" content=\"{}\">\n", escape_html(&summary.meta_description)));
    for (property, content) in &summary.open_graph {
        out.push_str(&format!("<meta property=\"{}\" content=\"{}\">\n", escape_html(property), escape_html(content)));
    }
    out.push_str(&format!("<script type=\"application/ld+json\">{}</script>\n", script_json(&summary.json_ld)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::Article;

    #[test]
    fn hostile_fields_cannot_leave_their_element() {
        let evil = "\"><script>alert(1)</script><!--";
        let summary = Summary {
            brief: String::new(),
            article: Article { lead: String::new(), sections: vec![], short: true, links: vec![] },
            headline: format!("</title>{evil}"),
            meta_description: evil.into(),
            slug: "s".into(),
            keywords: vec![],
            json_ld: serde_json::json!({"headline": format!("</script>{evil}")}),
            open_graph: [("og:title".to_string(), evil.to_string())].into(),
            engine: "test".into(),
            focus_keyphrase: None,
        };
        let head = head_html(&summary);
        assert_eq!(head.matches("<script").count(), 1, "only our own script element: {head}");
        assert_eq!(head.matches("</script>").count(), 1, "{head}");
        assert!(!head.contains("\"><"), "no attribute is closed early: {head}");
        assert_eq!(head.matches("<meta").count(), 2);
    }
}
