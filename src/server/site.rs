//! The console's own origin and hosts, and the key that signs what the
//! console puts in its own redirect URLs.

use crate::config::host_of;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// Query parameters that report a form's outcome (leptos' `__err` and
/// `__path`, our `saved`, `done` and `unrecorded`). A page acts on them only when the
/// console itself produced them, which `__sig` proves.
const OUTCOME_KEYS: [&str; 5] = ["__err", "__path", "saved", "done", "unrecorded"];
const SIGNATURE_KEY: &str = "__sig";
/// A signed outcome URL is honoured this long: enough for a redirect and a
/// reload, too short for a link to be worth sharing.
const FRESH_FOR_SECS: u64 = 600;

/// Who the console is, as browsers see it. Cheap to clone: every request
/// through the guard layers clones it.
#[derive(Clone)]
pub struct Site(std::sync::Arc<SiteInner>);

struct SiteInner {
    /// `scheme://host[:port]` values a same-site request's `Origin` may carry.
    origins: Vec<String>,
    /// Host names (no port) a request's `Host` may carry.
    hosts: Vec<String>,
    key: [u8; 32],
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("origins", &self.0.origins)
            .field("hosts", &self.0.hosts)
            .finish_non_exhaustive()
    }
}

impl Site {
    /// The listen address, `localhost` on its port, and the public URL.
    /// The signing key is new for each process.
    pub fn new(listen: SocketAddr, public_url: Option<&str>) -> Self {
        let port = listen.port();
        let mut origins = vec![
            format!("http://{listen}"),
            format!("http://localhost:{port}"),
        ];
        let mut hosts = vec!["localhost".to_owned(), bare_host(&listen)];
        if let Some(url) = public_url {
            let url = url.trim_end_matches('/').to_ascii_lowercase();
            if let Some((_, authority)) = url.split_once("://") {
                hosts.push(host_of(authority).to_owned());
            }
            origins.push(url);
        }
        let origins = origins.iter().filter_map(|o| canonical_origin(o)).collect();
        let mut key = [0u8; 32];
        // The OS random source failing is not something the console can
        // recover from; it would also break TLS.
        getrandom::fill(&mut key).expect("the operating system's random source works");
        Self(std::sync::Arc::new(SiteInner {
            origins,
            hosts,
            key,
        }))
    }

    /// The same site, signing with `key`: the one every instance on the
    /// database shares (`Projects::link_key`), so a link signed by one is
    /// honoured by another behind a load balancer.
    pub fn with_key(self, key: [u8; 32]) -> Self {
        Self(std::sync::Arc::new(SiteInner {
            origins: self.0.origins.clone(),
            hosts: self.0.hosts.clone(),
            key,
        }))
    }

    /// Whether browsers reach the console over https (its public URL).
    pub fn serves_https(&self) -> bool {
        self.0.origins.iter().any(|o| o.starts_with("https://"))
    }

    pub fn is_own_origin(&self, origin: &str) -> bool {
        canonical_origin(origin).is_some_and(|o| self.0.origins.contains(&o))
    }

    /// Whether a `Host` header names the console (not some other name that
    /// happens to resolve here: DNS rebinding).
    pub fn is_own_host(&self, host: &str) -> bool {
        let name = host_of(host).to_ascii_lowercase();
        !name.is_empty() && self.0.hosts.contains(&name)
    }

    /// Where a redirect may send the browser: a path on this console, with
    /// only the outcome parameters kept, signed. An off-site target becomes
    /// the console's front page.
    /// `session` binds the signature to the session that asked (see
    /// `session_binding`), so the link pre-fills nothing for anyone else.
    pub fn home_location(&self, location: &str, session: &str) -> String {
        let (path, query, own) = match self.own_path(location) {
            Some((path, query)) => (path, query, true),
            None => ("/".to_owned(), query_of(location).to_owned(), false),
        };
        let view: Vec<&str> = if own {
            view_pairs(&path, &query)
        } else {
            Vec::new()
        };
        let outcome = outcome_pairs(&query);
        if outcome.is_empty() {
            return match view.is_empty() {
                true => path,
                false => format!("{path}?{}", view.join("&")),
            };
        }
        let issued = now_secs();
        let signature = self.mac(&path, &outcome, issued, session);
        let view: String = view.iter().map(|pair| format!("{pair}&")).collect();
        format!(
            "{path}?{view}{}&{SIGNATURE_KEY}={issued}.{signature}",
            outcome.join("&")
        )
    }

    /// The path and query of `location` if it points at this console.
    fn own_path(&self, location: &str) -> Option<(String, String)> {
        let relative = location.starts_with('/')
            && !location.starts_with("//")
            && !location.starts_with("/\\");
        let rest = if relative {
            location
        } else {
            let url = url::Url::parse(location).ok()?;
            let origin = url.origin().ascii_serialization();
            if !self.is_own_origin(&origin) {
                return None;
            }
            &location[origin.len()..]
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let path = if path.is_empty() { "/" } else { path };
        if path.contains('\\') || path.starts_with("//") {
            return None;
        }
        Some((path.to_owned(), query.to_owned()))
    }

    /// For a page request whose URL carries outcome parameters the console
    /// did not sign (or signed too long ago): the same URL without them.
    /// `session` as for `home_location`: a link signed for another session
    /// counts as unsigned.
    pub fn unsigned_outcome_removed(
        &self,
        path: &str,
        query: &str,
        session: &str,
    ) -> Option<String> {
        let outcome = outcome_pairs(query);
        let signature = query
            .split('&')
            .find(|pair| is_signature(pair))
            .and_then(|pair| pair.strip_prefix("__sig="));
        if outcome.is_empty() && signature.is_none() {
            return None;
        }
        if let Some((issued, mac)) = signature.and_then(|s| s.split_once('.')) {
            let fresh = issued
                .parse::<u64>()
                .is_ok_and(|t| now_secs().saturating_sub(t) <= FRESH_FOR_SECS);
            if fresh && self.verify(path, &outcome, issued, mac, session) {
                return None;
            }
        }
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && !is_outcome(pair) && !is_signature(pair))
            .collect();
        // `//host` or `/\\host` would send the browser to another site.
        let path = if path.starts_with("//") || path.contains('\\') {
            "/"
        } else {
            path
        };
        Some(if kept.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", kept.join("&"))
        })
    }

    fn mac(&self, path: &str, outcome: &[&str], issued: u64, session: &str) -> String {
        use base64::Engine;
        let bytes = self
            .hmac(path, outcome, issued, session)
            .finalize()
            .into_bytes();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn verify(
        &self,
        path: &str,
        outcome: &[&str],
        issued: &str,
        signature: &str,
        session: &str,
    ) -> bool {
        use base64::Engine;
        let (Ok(issued), Ok(expected)) = (
            issued.parse::<u64>(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature),
        ) else {
            return false;
        };
        // Constant-time comparison, from the hmac crate.
        self.hmac(path, outcome, issued, session)
            .verify_slice(&expected)
            .is_ok()
    }

    fn hmac(&self, path: &str, outcome: &[&str], issued: u64, session: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0.key).expect("HMAC takes any key length");
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(outcome.join("&").as_bytes());
        mac.update(b"\n");
        mac.update(issued.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(session.as_bytes());
        mac
    }
}

/// What binds an outcome link to the browser that asked: a digest of its
/// session cookie (empty without one, as on the sign-in page).
pub fn session_binding(headers: &axum::http::HeaderMap) -> String {
    use sha2::Digest;
    let cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == super::signin::COOKIE)
        .map(|(_, value)| value);
    match cookie {
        Some(value) => Sha256::digest(value.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        None => String::new(),
    }
}

/// Removes outcome parameters and signatures from a URL (for a Referer the
/// next redirect will be built on).
pub fn without_outcome_params(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !is_outcome(pair) && !is_signature(pair))
        .collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn bare_host(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(v4) => v4.ip().to_string(),
        SocketAddr::V6(v6) => v6.ip().to_string(),
    }
}

fn query_of(location: &str) -> &str {
    let rest = location.split('#').next().unwrap_or_default();
    rest.split_once('?').map_or("", |(_, q)| q)
}

/// `scheme://host[:port]` as browsers send it (no default port, lower case).
fn canonical_origin(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// A query pair's key as pages read it: percent- and plus-decoded, so
/// `%5F%5Ferr` counts as `__err`.
fn key_of(pair: &str) -> String {
    url::form_urlencoded::parse(pair.as_bytes())
        .next()
        .map(|(key, _)| key.into_owned())
        .unwrap_or_default()
}

fn is_outcome(pair: &str) -> bool {
    OUTCOME_KEYS.contains(&key_of(pair).as_str())
}

fn is_signature(pair: &str) -> bool {
    key_of(pair) == SIGNATURE_KEY
}

/// Pages whose view (filters, sort, page) is in the URL, and its keys: a
/// redirect back to such a page keeps them. They fill in no form and tick
/// nothing a person would act on, so they need no signature.
const VIEW_KEYS: &[(&str, &[&str])] =
    &[(crate::paths::FLEET, &["q", "only", "sort", "dir", "page"])];

fn view_pairs<'q>(path: &str, query: &'q str) -> Vec<&'q str> {
    let Some((_, keys)) = VIEW_KEYS.iter().find(|(page, _)| *page == path) else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|pair| keys.contains(&key_of(pair).as_str()))
        .collect()
}

fn outcome_pairs(query: &str) -> Vec<&str> {
    query.split('&').filter(|pair| is_outcome(pair)).collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site::new(
            "127.0.0.1:3000".parse().unwrap(),
            Some("https://Admin.Example.com/"),
        )
    }

    #[test]
    fn own_origins_and_hosts() {
        let s = site();
        assert!(s.is_own_origin("http://127.0.0.1:3000"));
        assert!(s.is_own_origin("http://localhost:3000"));
        assert!(s.is_own_origin("https://admin.example.com"));
        assert!(!s.is_own_origin("http://127.0.0.1:3001"));
        assert!(!s.is_own_origin("null"));
        assert!(!s.is_own_origin("https://admin.example.com.evil.test"));
        assert!(s.is_own_host("127.0.0.1:3000"));
        assert!(s.is_own_host("LOCALHOST:3000"));
        assert!(s.is_own_host("admin.example.com"));
        assert!(!s.is_own_host("rebound.evil.test:3000"));
        assert!(!s.is_own_host(""));
    }

    #[test]
    fn a_redirect_to_the_fleet_keeps_its_view_and_nothing_else() {
        let s = site();
        assert_eq!(
            s.home_location(
                "/fleet?q=acme&only=cloud&tab=1&sort=read&dir=desc&page=2",
                ""
            ),
            "/fleet?q=acme&only=cloud&sort=read&dir=desc&page=2"
        );
        assert_eq!(s.home_location("https://evil.test/fleet?q=acme", ""), "/");
        assert_eq!(s.home_location("/projects?q=acme", ""), "/projects");
        let signed = s.home_location("/fleet?q=a&__err=abc", "");
        assert!(
            signed.starts_with("/fleet?q=a&__err=abc&__sig="),
            "{signed}"
        );
        let (path, query) = signed.split_once('?').unwrap();
        assert_eq!(s.unsigned_outcome_removed(path, query, ""), None);
    }

    #[test]
    fn redirects_stay_home_and_carry_a_signature() {
        let s = site();
        assert_eq!(s.home_location("https://evil.test/steal?x=1", ""), "/");
        assert_eq!(s.home_location("//evil.test/a", ""), "/");
        assert_eq!(s.home_location("/\\evil.test", ""), "/");
        assert_eq!(
            s.home_location("http://127.0.0.1:3000/recording?tab=1", ""),
            "/recording"
        );
        let signed = s.home_location("https://evil.test/x?__path=%2Fapi&__err=abc", "");
        assert!(
            signed.starts_with("/?__path=%2Fapi&__err=abc&__sig="),
            "{signed}"
        );
        let (path, query) = signed.split_once('?').unwrap();
        assert_eq!(s.unsigned_outcome_removed(path, query, ""), None);
    }

    #[test]
    fn forged_or_moved_outcomes_are_removed() {
        let s = site();
        assert_eq!(
            s.unsigned_outcome_removed("/", "tab=2&__path=%2Fapi&__err=abc", "")
                .as_deref(),
            Some("/?tab=2")
        );
        let signed = s.home_location("/?saved=composition", "");
        let (_, query) = signed.split_once('?').unwrap();
        // The same signature on another page, or with another outcome, fails.
        assert_eq!(
            s.unsigned_outcome_removed("/recording", query, "")
                .as_deref(),
            Some("/recording")
        );
        let tampered = query.replace("composition", "recording");
        assert_eq!(
            s.unsigned_outcome_removed("/", &tampered, "").as_deref(),
            Some("/")
        );
        // Another process (another key) does not accept it.
        assert!(site().unsigned_outcome_removed("/", query, "").is_some());
        assert_eq!(s.unsigned_outcome_removed("/", "tab=1", ""), None);
    }

    #[test]
    fn encoded_outcome_keys_count_as_outcomes() {
        let s = site();
        for query in [
            "%5F%5Fpath=%2Fapi&%5F%5Ferr=abc",
            "sav%65d=composition",
            "d%6Fne=aws-deleted",
        ] {
            assert_eq!(
                s.unsigned_outcome_removed("/", query, "").as_deref(),
                Some("/"),
                "{query}"
            );
        }
        // Appended to a genuine signed URL, an encoded second `__err` breaks
        // the signature instead of overriding the first.
        let signed = s.home_location("/?__path=%2Fapi&__err=abc", "");
        let (_, query) = signed.split_once('?').unwrap();
        let extended = format!("{query}&%5F%5Ferr=forged");
        assert_eq!(
            s.unsigned_outcome_removed("/", &extended, "").as_deref(),
            Some("/")
        );
        // A signature whose key is encoded is still only a signature.
        let renamed = query.replace("__sig=", "%5F%5Fsig=");
        assert!(s.unsigned_outcome_removed("/", &renamed, "").is_some());
    }

    #[test]
    fn a_cleaned_url_never_leaves_the_site() {
        let s = site();
        assert_eq!(
            s.unsigned_outcome_removed("//evil.test", "saved=x", "")
                .as_deref(),
            Some("/")
        );
        assert_eq!(
            s.unsigned_outcome_removed("/\\evil.test", "saved=x", "")
                .as_deref(),
            Some("/")
        );
    }

    #[test]
    fn default_ports_match_what_browsers_send() {
        let s = Site::new(
            "127.0.0.1:80".parse().unwrap(),
            Some("https://admin.example.com:443"),
        );
        assert!(s.is_own_origin("http://127.0.0.1"));
        assert!(s.is_own_origin("http://localhost"));
        assert!(s.is_own_origin("https://admin.example.com"));
        assert!(!s.is_own_origin("http://admin.example.com"));
    }

    #[test]
    fn stale_signatures_expire() {
        let s = site();
        let issued = now_secs() - FRESH_FOR_SECS - 5;
        let mac = s.mac("/", &["saved=composition"], issued, "");
        let query = format!("saved=composition&__sig={issued}.{mac}");
        assert_eq!(
            s.unsigned_outcome_removed("/", &query, "").as_deref(),
            Some("/")
        );
    }

    #[test]
    fn a_signed_outcome_is_honoured_for_its_session_only_and_by_a_twin_instance() {
        let key = [7u8; 32];
        let one = site().with_key(key);
        let twin = site().with_key(key);
        let signed = one.home_location("/?saved=composition", "session-a");
        let query = signed.split_once('?').unwrap().1;
        assert_eq!(one.unsigned_outcome_removed("/", query, "session-a"), None);
        assert_eq!(
            twin.unsigned_outcome_removed("/", query, "session-a"),
            None,
            "another instance with the shared key honours it"
        );
        assert_eq!(
            one.unsigned_outcome_removed("/", query, "session-b")
                .as_deref(),
            Some("/"),
            "another session's link is stripped"
        );
        assert_eq!(
            one.unsigned_outcome_removed("/", query, "").as_deref(),
            Some("/"),
            "and so is it without a session"
        );
        assert!(site()
            .unsigned_outcome_removed("/", query, "session-a")
            .is_some());
    }

    #[test]
    fn the_session_binding_is_a_digest_of_the_session_cookie() {
        let mut headers = axum::http::HeaderMap::new();
        assert_eq!(session_binding(&headers), "");
        headers.insert(
            axum::http::header::COOKIE,
            "theme=dark; console_session=abc123".parse().unwrap(),
        );
        let bound = session_binding(&headers);
        assert_eq!(bound.len(), 64);
        assert!(!bound.contains("abc123"));
        headers.insert(
            axum::http::header::COOKIE,
            "console_session=other".parse().unwrap(),
        );
        assert_ne!(session_binding(&headers), bound);
    }
}
