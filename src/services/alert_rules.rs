//! Where drift alerts may be sent, and what they say. A webhook URL is
//! https (http only to a loopback address), and every address its host
//! resolves to is checked before a request leaves: private, loopback,
//! link-local and other internal ranges are refused unless the console was
//! started with `--alert-allow-private`, so the console cannot be made a
//! way into the internal network. The connection then goes to the very
//! address checked (no second lookup to rebind).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

/// The header a generic receiver checks: `sha256=<hex>` of the HMAC-SHA256
/// of `<timestamp>.<body>` with the alert secret.
pub const SIGNATURE_HEADER: &str = "x-composition-admin-signature";
pub const TIMESTAMP_HEADER: &str = "x-composition-admin-timestamp";

/// How a webhook's body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `{"text": …}`, for Slack's incoming webhooks (and what speaks it).
    Slack,
    /// The alert as JSON, signed.
    Generic,
}

/// A webhook as configured: never logged or stored whole (a Slack URL is
/// a secret), only its host and a short fingerprint.
#[derive(Clone)]
pub struct Webhook {
    pub url: url::Url,
    pub format: Format,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({})", self.shown())
    }
}

impl Webhook {
    /// Checks a configured URL: its scheme and form (its addresses are
    /// checked at every send).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim())
            .map_err(|e| format!("--alert-webhook is not a URL ({e})"))?;
        let host = url
            .host_str()
            .ok_or("--alert-webhook has no host")?
            .to_owned();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_name(&host) => {}
            _ => {
                return Err(format!(
                    "--alert-webhook must be https:// (http:// only to a loopback address); got {}://{host}",
                    url.scheme()
                ))
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("--alert-webhook must not carry a user name or password".into());
        }
        let format = if host == "hooks.slack.com" || url.path().ends_with("/slack") {
            Format::Slack
        } else {
            Format::Generic
        };
        Ok(Self { url, format })
    }

    /// The host, for pages and logs.
    pub fn shown(&self) -> String {
        self.url.host_str().unwrap_or_default().to_owned()
    }

    /// Tells deliveries to this webhook apart without keeping its URL.
    pub fn id(&self) -> String {
        Sha256::digest(self.url.as_str().as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn is_loopback_name(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `ip` is an address inside a network rather than on the
/// internet: loopback, private, link-local, shared (CGNAT), unique local,
/// unspecified, multicast or documentation ranges.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (a == 100 && (64..=127).contains(&b))
                || (a == 198 && (18..=19).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || a == 0
                || a >= 240
        }
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            let octets = v6.octets();
            // IPv4 inside IPv6: mapped, compatible, NAT64 and 6to4.
            let embedded = |at: usize| {
                std::net::Ipv4Addr::new(octets[at], octets[at + 1], octets[at + 2], octets[at + 3])
            };
            if let Some(v4) = v6.to_ipv4() {
                if !v6.is_loopback() && !v6.is_unspecified() {
                    return is_internal(IpAddr::V4(v4));
                }
            }
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_internal(IpAddr::V4(embedded(12)));
            }
            if segments[0] == 0x2002 {
                return is_internal(IpAddr::V4(embedded(2)));
            }
            let first = segments[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
        }
    }
}

/// The address to connect to for `webhook`: the first its host resolves
/// to, once every one of them is allowed; or why none is.
pub async fn address_for(webhook: &Webhook, allow_internal: bool) -> Result<SocketAddr, String> {
    let host = webhook.url.host_str().unwrap_or_default();
    let port = webhook.url.port_or_known_default().unwrap_or(443);
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("{host} could not be resolved ({e})"))?
        .collect();
    let first = *found
        .first()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    if !allow_internal {
        if let Some(inside) = found.iter().find(|a| is_internal(a.ip())) {
            return Err(format!(
                "{host} resolves to {}, an internal address; alerts go there only with --alert-allow-private",
                inside.ip()
            ));
        }
    }
    Ok(first)
}

/// `sha256=<hex>` for `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        assert!(Webhook::parse("https://hooks.slack.com/services/T/B/x").is_ok());
        assert_eq!(
            Webhook::parse("https://hooks.slack.com/services/T/B/x")
                .unwrap()
                .format,
            Format::Slack
        );
        assert!(Webhook::parse("http://127.0.0.1:9000/hook").is_ok());
        assert!(Webhook::parse("http://[::1]:9000/hook").is_ok());
        let plain = Webhook::parse("http://alerts.example.com/hook").unwrap_err();
        assert!(plain.contains("https://"), "{plain}");
        assert!(Webhook::parse("ftp://example.com").is_err());
        assert!(Webhook::parse("https://user:pw@example.com/").is_err());
        assert!(!format!(
            "{:?}",
            Webhook::parse("https://hooks.slack.com/services/T/B/secret").unwrap()
        )
        .contains("secret"));
    }

    #[test]
    fn internal_ranges_are_told_apart_from_the_internet() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["8.8.8.8", "52.1.2.3", "2606:4700::1111"] {
            assert!(!is_internal(outside.parse().unwrap()), "{outside}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_timestamp_and_body() {
        // python3: hmac.new(b"secret", b'1700000000.{"a":1}', hashlib.sha256)
        assert_eq!(
            signature(b"secret", 1_700_000_000, "{\"a\":1}"),
            "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
        assert_ne!(signature(b"secret", 1, "x"), signature(b"other", 1, "x"));
    }
}
