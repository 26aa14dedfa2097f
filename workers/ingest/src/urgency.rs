//! Urgency scales mapped onto the IPTC 1 (flash) .. 9 (lowest) scale the Story uses.
//!
//! | source                       | value                    | Story urgency |
//! |------------------------------|--------------------------|---------------|
//! | IPTC (NewsML, NITF, ninjs, dpa) | 1..9                  | same          |
//! | ANPA-1312 / AP priority      | f flash                  | 1             |
//! |                              | b bulletin               | 2             |
//! |                              | u urgent                 | 3             |
//! |                              | r regular / z ordinary   | 5             |
//! |                              | d deferred, a advance, s | 6             |
//! | IPTC 7901 priority           | 1..6                     | same          |
//! | AP Media `urgency`           | 1..9 (1 most urgent)     | same          |
//! | labels                       | FLASH / EIL / BULLETIN / URGENT / EXTRA | 1 / 2 / 2 / 3 / 3 |

/// An IPTC-scale number from text ("4", " 3 "); out-of-range values are refused.
pub fn iptc(raw: &str) -> Option<u8> {
    raw.trim().parse::<u8>().ok().filter(|u| (1..=9).contains(u))
}

/// ANPA-1312 / AP priority letters.
pub fn anpa(code: &str) -> Option<u8> {
    Some(match code.trim().to_ascii_lowercase().as_str() {
        "f" => 1,
        "b" => 2,
        "u" => 3,
        "r" | "z" => 5,
        "d" | "a" | "s" => 6,
        _ => return None,
    })
}

/// Breaking-news labels agencies put in headers ("EXTRA", "EIL", "FLASH").
pub fn label(word: &str) -> Option<u8> {
    Some(match word.trim().to_ascii_uppercase().as_str() {
        "FLASH" | "BLITZ" => 1,
        "EIL" | "EILMELDUNG" | "BULLETIN" | "BREAKING" => 2,
        "URGENT" | "EXTRA" | "DRINGEND" => 3,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scale_lands_on_one_to_nine() {
        assert_eq!(iptc("4"), Some(4));
        assert_eq!(iptc("0"), None);
        assert_eq!(anpa("F"), Some(1));
        assert_eq!(anpa("r"), Some(5));
        assert_eq!(label("extra"), Some(3));
        assert_eq!(anpa("?"), None);
    }
}
