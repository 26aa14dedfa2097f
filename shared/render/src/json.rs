//! JSON safe to embed in a `<script type="application/ld+json">` element.

/// `value` serialised so that no string in it can end the script element or open a comment:
/// `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`, and the line separators U+2028 and
/// U+2029 are escaped too. These characters only ever occur inside JSON strings, where the
/// escapes mean the same characters, so the JSON is unchanged for any parser.
pub fn script_json(value: &serde_json::Value) -> String {
    let raw = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_string());
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_script_tag_in_a_string_cannot_end_the_element() {
        let value = serde_json::json!({"headline": "</script><script>alert(1)</script> & <!--"});
        let out = script_json(&value);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(back, value, "the escapes decode to the same text");
    }
}
