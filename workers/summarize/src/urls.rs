//! Addresses written into wire text become links, never text: "according to Bloomberg
//! (`https://www.bloomberg.com`)" reads "according to Bloomberg", with "Bloomberg" linked;
//! "[Bloomberg](https://...)" likewise; a bare address is dropped from the sentence.

/// A link found in the text: the words that carry it and the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundLink {
    /// The words before the address, as they remain in the text ("Bloomberg").
    pub text: String,
    /// The address.
    pub href: String,
}

/// Words that end the phrase a parenthesised address belongs to, walking back from it.
const PHRASE_STOPS: &[&str] = &[
    "by",
    "on",
    "to",
    "from",
    "in",
    "at",
    "of",
    "via",
    "per",
    "and",
    "or",
    "with",
    "said",
    "says",
    "reported",
    "according",
    "told",
    "von",
    "bei",
    "laut",
    "di",
    "da",
    "secondo",
    "de",
    "par",
    "selon",
    "según",
    "av",
    "ifølge",
    "mukaan",
];
/// Longest link text taken from before an address.
const MAX_LINK_WORDS: usize = 5;

fn is_url(token: &str) -> bool {
    let t = token.trim_start_matches(['(', '[', '<']);
    t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www.")
}

fn href_of(token: &str) -> String {
    let t = token
        .trim_start_matches(['(', '[', '<'])
        .trim_end_matches([')', ']', '>', '.', ',', ';', ':']);
    if t.starts_with("www.") {
        format!("https://{t}")
    } else {
        t.to_string()
    }
}

/// The phrase a "(https://...)" after `words` names: the capitalised or content words just
/// before it, back to a preposition, a verb of reporting or a comma.
fn phrase_before(words: &[String]) -> Option<(usize, String)> {
    let mut start = words.len();
    while start > 0 && words.len() - start < MAX_LINK_WORDS {
        let w = &words[start - 1];
        let core = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let ends_clause = w.ends_with([',', ';', ':', '.']) && start < words.len();
        if core.is_empty() || PHRASE_STOPS.contains(&core.as_str()) || ends_clause {
            break;
        }
        start -= 1;
    }
    (start < words.len()).then(|| (start, words[start..].join(" ")))
}

/// A sentence or paragraph with its addresses turned into links: the text as it must read,
/// and the links (text, address) it carries.
pub(crate) fn extract_links(text: &str) -> (String, Vec<FoundLink>) {
    if !text.contains("http") && !text.contains("www.") {
        return (text.to_string(), Vec::new());
    }
    let mut words: Vec<String> = Vec::new();
    let mut links = Vec::new();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < tokens.len() {
        let tok = tokens[i];
        // "[Bloomberg](https://www.bloomberg.com)" and "[The Guardian](https://...)".
        if tok.starts_with('[') && !is_url(tok) {
            let end = (i..tokens.len().min(i + 8)).find(|&j| tokens[j].contains("]("));
            if let Some(j) = end {
                let joined = tokens[i..=j].join(" ");
                if let Some((label, rest)) = joined[1..].split_once("](") {
                    let close = rest.find(')').unwrap_or(rest.len());
                    let tail = &rest[(close + 1).min(rest.len())..];
                    links.push(FoundLink {
                        text: label.to_string(),
                        href: href_of(&rest[..close]),
                    });
                    words.push(format!("{label}{tail}"));
                    i = j + 1;
                    continue;
                }
            }
        }
        if is_url(tok) {
            let opened = tok.starts_with('(');
            let closes = tok.trim_end_matches(['.', ',', ';', ':']).ends_with(')');
            let trailing: String = tok
                .chars()
                .rev()
                .take_while(|c| matches!(c, '.' | ',' | ';' | ':'))
                .collect();
            if opened && closes {
                if let Some((start, phrase)) = phrase_before(&words) {
                    let _ = start;
                    links.push(FoundLink {
                        text: phrase.trim_end_matches(['.', ',']).to_string(),
                        href: href_of(tok),
                    });
                }
            } else if let Some(last) = words.last() {
                // A bare address: "at https://x.org" loses the address and its preposition.
                let core = last.to_lowercase();
                if matches!(
                    core.as_str(),
                    "at" | "on" | "via" | "from" | "see" | "unter" | "su" | "sur" | "en" | "på"
                ) {
                    words.pop();
                }
            }
            if let Some(last) = words.last_mut() {
                last.push_str(&trailing.chars().rev().collect::<String>());
            }
            i += 1;
            continue;
        }
        // "(see https://...)": the whole aside goes.
        if tok.starts_with('(') {
            let close = (i..tokens.len().min(i + 6)).find(|&j| tokens[j].contains(')'));
            if let Some(j) = close.filter(|&j| tokens[i..=j].iter().any(|t| is_url(t))) {
                let trailing: String = tokens[j].rsplit(')').next().unwrap_or("").to_string();
                if let Some(last) = words.last_mut() {
                    last.push_str(&trailing);
                }
                i = j + 1;
                continue;
            }
        }
        words.push(tok.to_string());
        i += 1;
    }
    let mut out = words.join(" ");
    for (from, to) in [(" ,", ","), (" .", "."), ("( ", "(")] {
        out = out.replace(from, to);
    }
    (out, links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> (String, Vec<(String, String)>) {
        let (t, l) = extract_links(text);
        (t, l.into_iter().map(|l| (l.text, l.href)).collect())
    }

    #[test]
    fn a_parenthesised_address_links_the_name_before_it() {
        let (text, found) = links(
            "According to reporting by Bloomberg (https://www.bloomberg.com) and later confirmed \
             on Nordic state radio (https://radio.example.org), the deal stalled.",
        );
        assert_eq!(
            text,
            "According to reporting by Bloomberg and later confirmed on Nordic state radio, the deal stalled."
        );
        assert_eq!(
            found,
            [
                (
                    "Bloomberg".to_string(),
                    "https://www.bloomberg.com".to_string()
                ),
                (
                    "Nordic state radio".to_string(),
                    "https://radio.example.org".to_string()
                )
            ]
        );
    }

    #[test]
    fn markdown_links_and_bare_addresses_never_stay_in_the_text() {
        let (text, found) =
            links("As [The Harbour Gazette](https://gazette.example.org/a) wrote, fares rise.");
        assert_eq!(text, "As The Harbour Gazette wrote, fares rise.");
        assert_eq!(found[0].1, "https://gazette.example.org/a");
        let (text, found) =
            links("Details are at https://example.org/plan. Fares rise (see www.example.org).");
        assert_eq!(text, "Details are. Fares rise.");
        assert!(found.is_empty());
        let plain = "No address here.";
        assert_eq!(extract_links(plain).0, plain);
    }
}
