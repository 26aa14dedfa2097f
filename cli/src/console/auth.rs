//! Who may use the console: a token (from the variable `console.token_env` names, or made at
//! start and printed when none is configured), a session cookie made from it, and a CSRF token
//! for every write.
//!
//! Sessions and CSRF tokens are HMACs of the token with a key made at start, so they are
//! worthless after a restart or once the token changes, and the token itself never travels
//! after login. Reads and writes both need the session (dead letters carry story text); writes
//! also need the CSRF token in the `x-csrf-token` header or the `csrf` form field, which a page
//! of another site cannot read.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// The session cookie's name.
pub const COOKIE: &str = "copydesk_console";

/// The console's credentials.
#[derive(Clone)]
pub struct Auth {
    token: SecretString,
    /// Made at start: restarting the console ends every session.
    salt: [u8; 16],
}

impl Auth {
    /// Credentials for `token`.
    pub fn new(token: SecretString) -> Self {
        Auth {
            token,
            salt: *uuid::Uuid::new_v4().as_bytes(),
        }
    }

    fn mac(&self, purpose: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.token.expose_secret().as_bytes())
            .expect("HMAC takes any key length");
        mac.update(&self.salt);
        mac.update(purpose.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The session cookie value a login sets.
    pub fn session(&self) -> String {
        self.mac("session")
    }

    /// The CSRF token pages embed in their forms and scripts.
    pub fn csrf(&self) -> String {
        self.mac("csrf")
    }

    /// Is `given` the token? (Constant time.)
    pub fn token_ok(&self, given: &str) -> bool {
        eq(given.trim(), self.token.expose_secret())
    }

    /// May this request read? A session cookie, or `Authorization: Bearer <token>`.
    pub fn may_read(&self, cookie_header: Option<&str>, authorization: Option<&str>) -> bool {
        let bearer = authorization
            .and_then(|a| a.strip_prefix("Bearer "))
            .is_some_and(|t| self.token_ok(t));
        bearer || cookie(cookie_header, COOKIE).is_some_and(|c| eq(c, &self.session()))
    }

    /// May this request write? It may read, and carries the CSRF token.
    pub fn may_write(
        &self,
        cookie_header: Option<&str>,
        authorization: Option<&str>,
        csrf: Option<&str>,
    ) -> Result<(), &'static str> {
        if !self.may_read(cookie_header, authorization) {
            return Err("log in first (the console token)");
        }
        match csrf {
            Some(c) if eq(c, &self.csrf()) => Ok(()),
            _ => Err("missing or wrong CSRF token: reload the page and try again"),
        }
    }
}

/// Constant-time string comparison.
fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One cookie's value from a `Cookie` header.
pub fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Where the console may listen: anywhere with a configured token, loopback only without one.
pub fn check_bind(bind: &str, token_configured: bool) -> Result<(), String> {
    let ip: std::net::IpAddr = bind
        .parse()
        .map_err(|_| format!("console.bind '{bind}' is not an IP address"))?;
    if ip.is_loopback() || token_configured {
        Ok(())
    } else {
        Err(format!(
            "console.bind {bind} is reachable from other hosts: set console.token_env to the name of a variable holding a token, or bind 127.0.0.1"
        ))
    }
}

/// A token for a console without a configured one (printed at start, loopback only).
pub fn generated_token() -> SecretString {
    SecretString::from(uuid::Uuid::new_v4().simple().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Auth {
        Auth::new(SecretString::from("s3cret-token"))
    }

    #[test]
    fn writes_need_a_session_or_the_token_and_the_csrf_token() {
        let a = auth();
        let session = format!("other=1; {COOKIE}={}", a.session());
        let csrf = a.csrf();
        assert!(a.may_write(Some(&session), None, Some(&csrf)).is_ok());
        assert!(a
            .may_write(None, Some("Bearer s3cret-token"), Some(&csrf))
            .is_ok());
        assert!(
            a.may_write(Some(&session), None, None).is_err(),
            "no CSRF token"
        );
        assert!(
            a.may_write(Some(&session), None, Some("0000")).is_err(),
            "wrong CSRF token"
        );
        assert!(a.may_write(None, None, Some(&csrf)).is_err(), "no session");
        assert!(
            a.may_write(Some(&format!("{COOKIE}=forged")), None, Some(&csrf))
                .is_err(),
            "forged session"
        );
        assert!(
            a.may_write(None, Some("Bearer wrong"), Some(&csrf))
                .is_err(),
            "wrong token"
        );
        assert!(!a.may_read(None, None));
        assert!(a.may_read(Some(&session), None));
    }

    #[test]
    fn sessions_and_csrf_tokens_die_with_the_process_and_never_equal_the_token() {
        let (a, b) = (auth(), auth());
        assert_ne!(a.session(), b.session(), "a restart ends sessions");
        assert_ne!(a.csrf(), a.session());
        assert!(!a.session().contains("s3cret"));
        assert!(a.token_ok(" s3cret-token "));
        assert!(!a.token_ok("s3cret-toke"));
    }

    #[test]
    fn loopback_by_default_anywhere_only_with_a_token() {
        assert!(check_bind("127.0.0.1", false).is_ok());
        assert!(check_bind("::1", false).is_ok());
        assert!(check_bind("0.0.0.0", false)
            .unwrap_err()
            .contains("console.token_env"));
        assert!(check_bind("10.1.2.3", false).is_err());
        assert!(check_bind("0.0.0.0", true).is_ok());
        assert!(check_bind("localhost-ish", true).is_err());
    }

    #[test]
    fn cookies_are_read_by_name() {
        assert_eq!(cookie(Some("a=1; b=2"), "b"), Some("2"));
        assert_eq!(cookie(Some("ab=1"), "a"), None);
        assert_eq!(cookie(None, "a"), None);
    }
}
