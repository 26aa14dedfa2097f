//! Bytes to text: binary refusal, BOMs, declared encodings, and the mislabelled-UTF-8 rescue.
//!
//! Policy, in order: a BOM wins; bytes that are valid UTF-8 are UTF-8 whatever the declaration
//! says (AFP and PA declare iso-8859-1 over UTF-8 bytes; decoding them as Latin-1 produces the
//! classic "DÃ©cÃ¨s" mojibake); otherwise a declared non-UTF-8 encoding is used; otherwise
//! line-oriented wire formats fall back to windows-1252 and structured formats are refused.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use crate::IngestError;

/// Refuse data that is clearly not text: NULs, known binary magic numbers, control-character soup.
pub fn reject_binary(bytes: &[u8], file: &str) -> Result<(), IngestError> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "gzip data"),
        (b"\x7fELF", "an executable"),
    ];
    let binary = |detail: String| IngestError::Binary { file: file.to_string(), detail };
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Err(binary(format!("it starts like {what}")));
    }
    if utf16_order(bytes).is_some() {
        return Ok(());
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(binary(format!("NUL byte at offset {pos}")));
    }
    // ANPA and IPTC 7901 are framed with control characters (SOH, STX, ETX, EOT, DC1-DC4, SYN,
    // US, TLI, TTS space band) by design.
    if matches!(bytes.first(), Some(0x01 | 0x16)) {
        return Ok(());
    }
    let odd = bytes
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, 0x01..=0x04 | 0x08..=0x0d | 0x10..=0x14 | 0x16 | 0x1e | 0x1f))
        .count();
    if odd * 100 > bytes.len().max(1) {
        return Err(binary(format!("{odd} unexpected control bytes")));
    }
    Ok(())
}

/// UTF-16 by BOM, or by the `<\0` / `\0<` pattern of an XML document without one.
fn utf16_order(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [0xff, 0xfe, ..] | [b'<', 0, b'?', 0, ..] | [b'{', 0, ..] => Some(UTF_16LE),
        [0xfe, 0xff, ..] | [0, b'<', 0, b'?', ..] | [0, b'{', ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// How a format wants undeclared, non-UTF-8 bytes handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Structured formats (XML, JSON): refuse, naming the first bad byte.
    Refuse,
    /// Line-oriented wire formats and plain text: read as windows-1252.
    Windows1252,
}

/// Decode a document to text, following the module's policy.
pub fn decode(
    bytes: &[u8],
    declared: Option<&str>,
    fallback: Fallback,
    file: &str,
) -> Result<String, IngestError> {
    if let Some(enc) = utf16_order(bytes) {
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(encoding_err(file, format!("invalid {} sequence", enc.name())));
        }
        return Ok(text.trim_start_matches('\u{feff}').to_string());
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let utf8_err = match std::str::from_utf8(body) {
        Ok(s) => return Ok(s.to_string()),
        Err(e) => e,
    };
    let declared_enc = declared.and_then(|d| Encoding::for_label(d.trim().as_bytes()));
    match declared_enc {
        Some(enc) if enc != UTF_8 => Ok(enc.decode_without_bom_handling(body).0.into_owned()),
        _ if fallback == Fallback::Windows1252 && declared_enc.is_none() => {
            Ok(WINDOWS_1252.decode_without_bom_handling(body).0.into_owned())
        }
        _ => {
            let at = utf8_err.valid_up_to();
            let what = if declared_enc.is_some() { "declares UTF-8" } else { "declares no encoding (so UTF-8)" };
            Err(encoding_err(
                file,
                format!("the document {what} but byte 0x{:02x} at offset {at} is not valid UTF-8 (wrong or mixed encoding)", body[at]),
            ))
        }
    }
}

fn encoding_err(file: &str, detail: String) -> IngestError {
    IngestError::Encoding { file: file.to_string(), detail }
}

/// The `encoding="..."` of an XML declaration, read from the raw bytes.
pub fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl_end = head.find("?>")?;
    let decl = &head[..decl_end];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    rest[1..].split(quote).next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_declaration_over_utf8_bytes_is_read_as_utf8() {
        let doc = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>Décès</a>";
        let text = decode(doc.as_bytes(), Some("iso-8859-1"), Fallback::Refuse, "f").expect("decode");
        assert!(text.contains("Décès"), "{text}");
    }

    #[test]
    fn real_latin1_bytes_follow_the_declaration() {
        let bytes = b"<a>D\xe9c\xe8s</a>";
        let text = decode(bytes, Some("ISO-8859-1"), Fallback::Refuse, "f").expect("decode");
        assert_eq!(text, "<a>Décès</a>");
    }

    #[test]
    fn invalid_utf8_in_a_utf8_xml_document_is_refused_with_the_offset() {
        let err = decode(b"<a>ok \xff</a>", Some("utf-8"), Fallback::Refuse, "bad.xml").expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains("bad.xml") && msg.contains("offset 6"), "{msg}");
    }

    #[test]
    fn undeclared_wire_text_falls_back_to_windows_1252() {
        let text = decode(b"caf\xe9\xa0ok", None, Fallback::Windows1252, "f").expect("decode");
        assert_eq!(text, "caf\u{e9}\u{a0}ok");
    }

    #[test]
    fn binary_magic_and_nul_bytes_are_refused() {
        assert!(reject_binary(b"%PDF-1.4 ...", "x").is_err());
        assert!(reject_binary(b"abc\0def", "x").is_err());
        assert!(reject_binary(b"\x16\x16\x01W2870\x1fasian\nf l\x13\x11 BC", "x").is_ok());
    }

    #[test]
    fn xml_declared_encoding_is_read_with_either_quote() {
        assert_eq!(xml_declared_encoding(b"<?xml version='1.0' encoding='utf8'?><a/>").as_deref(), Some("utf8"));
        assert_eq!(xml_declared_encoding(b"<a/>"), None);
    }

    #[test]
    fn an_unquoted_or_oddly_quoted_encoding_is_no_declaration() {
        // Found by `cargo fuzz run parse_document`: a multibyte character where the quote
        // belongs was taken as the quote and `rest[1..]` sliced through it.
        assert_eq!(xml_declared_encoding("<?xml version=\"1.0\" encoding=\u{796}utf-8\u{796}?><a/>".as_bytes()), None);
        assert_eq!(xml_declared_encoding(b"<?xml version=\"1.0\" encoding=utf-8?><a/>"), None);
    }
}
