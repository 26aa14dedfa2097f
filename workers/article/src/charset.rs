//! Character sets, decided as browsers do it (HTML standard, "determining the character
//! encoding"): a byte-order mark wins, then the `charset` of the `Content-Type` header, then a
//! `<meta charset>` or `<meta http-equiv="Content-Type">` in the first 4 KiB; without any of
//! them, bytes that are valid UTF-8 are UTF-8 and anything else is windows-1252 (which is what
//! browsers use for "ISO-8859-1"). Decoding goes through encoding_rs; malformed sequences
//! become U+FFFD rather than errors.

use encoding_rs::Encoding;

/// How far into the page a `<meta>` declaration is looked for.
const PRESCAN_BYTES: usize = 4096;

/// The `charset` parameter of a `Content-Type` value, if it names a known encoding.
pub fn from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// The encoding a `<meta charset>` or `<meta http-equiv="Content-Type" content="...">` in the
/// first bytes declares.
pub fn from_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut at = 0;
    while let Some(pos) = find(&lower[at..], b"<meta") {
        let start = at + pos;
        let end = lower[start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(p) = find(tag, b"charset=") {
            let value = &tag[p + b"charset=".len()..];
            let value: Vec<u8> = value
                .iter()
                .copied()
                .skip_while(|&b| b == b'"' || b == b'\'' || b == b' ')
                .take_while(|&b| !matches!(b, b'"' | b'\'' | b' ' | b';' | b'/' | b'>'))
                .collect();
            if let Some(enc) = Encoding::for_label(&value) {
                // A page declaring UTF-16 in <meta> is read as UTF-8 (it cannot be, or the
                // ASCII prescan would not have found the tag).
                return Some(if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE { encoding_rs::UTF_8 } else { enc });
            }
        }
        at = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decode a page: returns the text and the encoding used.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc);
    }
    let declared = content_type.and_then(from_content_type).or_else(|| from_meta(bytes));
    let enc = declared.unwrap_or_else(|| if std::str::from_utf8(bytes).is_ok() { encoding_rs::UTF_8 } else { encoding_rs::WINDOWS_1252 });
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAFE_LATIN1: &[u8] = b"<p>caf\xe9 \xe0 la cr\xe8me</p>";

    #[test]
    fn the_header_charset_decodes_latin1() {
        let (text, enc) = decode_html(CAFE_LATIN1, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(text, "<p>café à la crème</p>");
        assert_eq!(enc, encoding_rs::WINDOWS_1252);
    }

    #[test]
    fn a_meta_charset_or_http_equiv_is_used_without_a_header_charset() {
        let mut page = b"<html><head><meta charset=\"iso-8859-1\"></head>".to_vec();
        page.extend_from_slice(CAFE_LATIN1);
        assert!(decode_html(&page, Some("text/html")).0.contains("café"));
        let mut page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=latin1\">".to_vec();
        page.extend_from_slice(CAFE_LATIN1);
        assert!(decode_html(&page, None).0.contains("crème"));
    }

    #[test]
    fn the_header_wins_over_meta_and_a_bom_wins_over_both() {
        let page = "<meta charset=\"windows-1251\"><p>café</p>".as_bytes();
        assert!(decode_html(page, Some("text/html; charset=utf-8")).0.contains("café"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("<p>é</p>".as_bytes());
        assert_eq!(decode_html(&bom, Some("text/html; charset=iso-8859-1")).0, "<p>é</p>");
    }

    #[test]
    fn undeclared_bytes_are_utf8_when_valid_else_windows_1252() {
        assert_eq!(decode_html("<p>naïve</p>".as_bytes(), None).0, "<p>naïve</p>");
        assert_eq!(decode_html(b"<p>na\xefve</p>", None).0, "<p>naïve</p>");
    }
}
