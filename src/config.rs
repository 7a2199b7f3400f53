//! All settings of the console in one place: flags, each with an env-var twin.

use crate::domain::{AccountSid, ApiKeySid};
use clap::Parser;
use secrecy::SecretString;
use std::net::SocketAddr;

/// Admin console for Twilio Video composition and recording settings.
///
/// Credentials: either an account SID with its auth token, or an API key SID
/// and secret together with the account SID. With `--demo` the console starts
/// a local Twilio fake holding a demo project instead, and needs no credentials.
#[derive(Debug, Parser)]
#[command(name = "composition-admin", version)]
pub struct Config {
    /// Address the console listens on [default: LEPTOS_SITE_ADDR or 127.0.0.1:3000]
    #[arg(long, env = "CONSOLE_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Base URL of Twilio's Video API
    #[arg(long, env = "TWILIO_VIDEO_BASE_URL", default_value = "https://video.twilio.com", value_parser = parse_base_url)]
    pub video_base_url: String,

    /// Base URL of Twilio's Accounts API
    #[arg(long, env = "TWILIO_ACCOUNTS_BASE_URL", default_value = "https://accounts.twilio.com", value_parser = parse_base_url)]
    pub accounts_base_url: String,

    /// The project's account SID (AC…)
    #[arg(long, env = "TWILIO_ACCOUNT_SID", value_name = "AC…")]
    pub account_sid: Option<AccountSid>,

    /// The account's auth token (used with --account-sid)
    #[arg(
        long,
        env = "TWILIO_AUTH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub auth_token: Option<SecretString>,

    /// An API key SID (SK…) to use instead of the auth token
    #[arg(
        long,
        env = "TWILIO_API_KEY",
        value_name = "SK…",
        requires = "api_secret"
    )]
    pub api_key: Option<ApiKeySid>,

    /// The API key's secret
    #[arg(
        long,
        env = "TWILIO_API_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        requires = "api_key"
    )]
    pub api_secret: Option<SecretString>,

    /// Start an in-process Twilio fake with a demo project and use it
    #[arg(long, env = "CONSOLE_DEMO")]
    pub demo: bool,

    /// Where the demo fake listens (tests set a fixed port to inject faults)
    #[arg(
        long,
        env = "CONSOLE_DEMO_FAKE_LISTEN",
        default_value = "127.0.0.1:0",
        value_name = "ADDR"
    )]
    pub demo_fake_listen: SocketAddr,

    /// Seconds to wait for Twilio to accept a connection
    #[arg(
        long,
        env = "TWILIO_CONNECT_TIMEOUT",
        default_value_t = 5,
        value_name = "SECONDS"
    )]
    pub connect_timeout: u64,

    /// Times to retry a read or settings save that Twilio answers with 429 or 503
    #[arg(long, env = "TWILIO_RETRIES", default_value_t = 2, value_name = "N")]
    pub retries: usize,

    /// Seconds to wait for a whole Twilio request
    #[arg(
        long,
        env = "TWILIO_REQUEST_TIMEOUT",
        default_value_t = 15,
        value_name = "SECONDS"
    )]
    pub request_timeout: u64,
}

fn parse_base_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or("must start with https:// (or http:// for a local fake)")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
        return Err("must be a scheme and host only, e.g. https://video.twilio.com".into());
    }
    Ok(trimmed.to_owned())
}

/// How the console authenticates to Twilio. Debug output hides the secrets.
#[derive(Debug)]
pub enum TwilioLogin {
    AuthToken {
        account_sid: AccountSid,
        token: SecretString,
    },
    ApiKey {
        account_sid: AccountSid,
        key: ApiKeySid,
        secret: SecretString,
    },
}

impl Config {
    /// The credentials to use, or one line saying what is missing.
    pub fn login(&self) -> Result<Option<TwilioLogin>, String> {
        match (&self.account_sid, &self.auth_token, &self.api_key, &self.api_secret) {
            (None, None, None, None) => Ok(None),
            (Some(account_sid), _, Some(key), Some(secret)) => Ok(Some(TwilioLogin::ApiKey {
                account_sid: account_sid.clone(),
                key: key.clone(),
                secret: secret.clone(),
            })),
            (Some(account_sid), Some(token), None, None) => Ok(Some(TwilioLogin::AuthToken {
                account_sid: account_sid.clone(),
                token: token.clone(),
            })),
            (None, _, _, _) => Err("--account-sid (TWILIO_ACCOUNT_SID) is required with an auth token or API key".into()),
            (Some(_), None, None, None) => Err(
                "--account-sid needs --auth-token (TWILIO_AUTH_TOKEN) or --api-key with --api-secret".into(),
            ),
            _ => Err("give either --auth-token or --api-key with --api-secret, not a mix".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AC: &str = "AC0123456789abcdef0123456789abcdef";
    const SK: &str = "SK0123456789abcdef0123456789abcdef";

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from(std::iter::once("composition-admin").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_point_at_the_real_twilio() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.video_base_url, "https://video.twilio.com");
        assert_eq!(c.accounts_base_url, "https://accounts.twilio.com");
        assert!(c.login().unwrap().is_none());
    }

    #[test]
    fn malformed_values_fail_with_the_flag_named() {
        let err = parse(&["--account-sid", "SK0123"]).unwrap_err().to_string();
        assert!(
            err.contains("--account-sid") && err.contains("must start with AC"),
            "{err}"
        );
        let err = parse(&["--video-base-url", "video.twilio.com"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("must start with https://"), "{err}");
        let err = parse(&["--listen", "nowhere"]).unwrap_err().to_string();
        assert!(err.contains("--listen"), "{err}");
    }

    #[test]
    fn api_key_login_needs_the_account_sid() {
        let c = parse(&["--api-key", SK, "--api-secret", "s"]).unwrap();
        assert!(c.login().unwrap_err().contains("--account-sid"));
        let c = parse(&["--account-sid", AC, "--api-key", SK, "--api-secret", "s"]).unwrap();
        assert!(matches!(c.login(), Ok(Some(TwilioLogin::ApiKey { .. }))));
        let c = parse(&["--account-sid", AC]).unwrap();
        assert!(c.login().unwrap_err().contains("--auth-token"));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let c = parse(&["--account-sid", AC, "--auth-token", "hunter2-token"]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
