//! All settings of the console in one place: flags, each with an env-var twin.

mod storage;

pub use storage::Storage;

use crate::domain::{AccountSid, ApiKeySid};
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

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

    /// The console's address as browsers see it, e.g. behind a proxy
    /// (https://admin.example.com) [default: http:// and the listen address]
    #[arg(long, env = "CONSOLE_PUBLIC_URL", value_name = "URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Reverse proxies in front of the console (CIDRs, comma-separated, e.g.
    /// 10.0.0.0/8): from these peers the client address for sign-in limits
    /// comes from X-Forwarded-For [default: none, the peer is the client]
    #[arg(long = "trusted-proxy", env = "CONSOLE_TRUSTED_PROXY", value_name = "CIDR", value_delimiter = ',', value_parser = parse_cidr)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Seconds one console action may spend on all its Twilio calls and retries
    #[arg(
        long,
        env = "CONSOLE_DEADLINE",
        default_value_t = 30,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub deadline: u64,

    /// Base URL of Twilio's Video API
    #[arg(long, env = "TWILIO_VIDEO_BASE_URL", default_value = "https://video.twilio.com", value_parser = parse_base_url)]
    pub video_base_url: String,

    /// Base URL of Twilio's Accounts API
    #[arg(long, env = "TWILIO_ACCOUNTS_BASE_URL", default_value = "https://accounts.twilio.com", value_parser = parse_base_url)]
    pub accounts_base_url: String,

    /// This console's name in the API keys it makes inside subaccounts
    /// ("composition-admin NAME 2026-12-04"): letters, digits, '.', '-', '_'
    #[arg(long, env = "CONSOLE_NAME", default_value = "console", value_parser = parse_console_name)]
    pub console_name: String,

    /// Base URL of Twilio's 2010-04-01 API (subaccounts and API keys)
    #[arg(long, env = "TWILIO_API_BASE_URL", default_value = "https://api.twilio.com", value_parser = parse_base_url)]
    pub api_base_url: String,

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

    /// A file holding the auth token (keeps it off the command line)
    #[arg(
        long,
        env = "TWILIO_AUTH_TOKEN_FILE",
        value_name = "PATH",
        conflicts_with = "auth_token"
    )]
    pub auth_token_file: Option<PathBuf>,

    /// An API key SID (SK…) to use instead of the auth token
    #[arg(long, env = "TWILIO_API_KEY", value_name = "SK…")]
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

    /// A file holding the API key's secret (keeps it off the command line)
    #[arg(
        long,
        env = "TWILIO_API_SECRET_FILE",
        value_name = "PATH",
        conflicts_with = "api_secret"
    )]
    pub api_secret_file: Option<PathBuf>,

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

    /// Read requests a second sent to one Twilio account at most (Twilio's
    /// Video quota is 80 per account)
    #[arg(long, env = "TWILIO_READS_PER_SECOND", default_value_t = std::num::NonZeroU32::new(80).expect("not zero"), value_name = "N")]
    pub reads_per_second: std::num::NonZeroU32,

    /// Write requests a second sent to one Twilio account at most (Twilio's
    /// Video quota is 20 per account)
    #[arg(long, env = "TWILIO_WRITES_PER_SECOND", default_value_t = std::num::NonZeroU32::new(20).expect("not zero"), value_name = "N")]
    pub writes_per_second: std::num::NonZeroU32,

    /// Seconds to wait for a whole Twilio request
    #[arg(
        long,
        env = "TWILIO_REQUEST_TIMEOUT",
        default_value_t = 15,
        value_name = "SECONDS"
    )]
    pub request_timeout: u64,

    /// The name under which the account given by the flags above is
    /// registered as a project [default: "Account" and its SID's end]
    #[arg(long, env = "CONSOLE_PROJECT_NAME", value_name = "NAME")]
    pub project_name: Option<String>,

    /// Refresh in the background every project whose snapshot is older
    /// than this: seconds, or with a unit (90s, 15m, 2h); 0 turns it off
    #[arg(long, env = "CONSOLE_REFRESH_INTERVAL", default_value = "15m", value_name = "DURATION", value_parser = parse_interval)]
    pub refresh_interval: std::time::Duration,

    /// Look for subaccounts that are not yet projects under every kept
    /// parent login this often: seconds, or with a unit; 0 turns it off
    #[arg(long, env = "CONSOLE_PARENT_CHECK_INTERVAL", default_value = "1h", value_name = "DURATION", value_parser = parse_interval)]
    pub parent_check_interval: std::time::Duration,

    /// Projects one console instance reads at once during a refresh
    #[arg(
        long,
        env = "CONSOLE_REFRESH_CONCURRENCY",
        default_value_t = 64,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=512)
    )]
    pub refresh_concurrency: u16,

    /// Seconds one project's refresh may take, retries included
    #[arg(
        long,
        env = "CONSOLE_REFRESH_DEADLINE",
        default_value_t = 20,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=600)
    )]
    pub refresh_deadline: u64,

    /// With --demo: generated projects added beside the five demo projects,
    /// spread over the states the fleet shows
    #[arg(
        long,
        env = "CONSOLE_DEMO_PROJECTS",
        default_value_t = 40,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(0..=5000)
    )]
    pub demo_projects: u16,

    /// Where drift alerts are posted (repeatable; comma-separated in the
    /// environment): https only (http only to a loopback address).
    /// hooks.slack.com (or a path ending in /slack) gets Slack's
    /// {"text": …}; others a JSON body signed with --alert-secret
    #[arg(long = "alert-webhook", env = "CONSOLE_ALERT_WEBHOOK", value_name = "URL", value_delimiter = ',', value_parser = crate::services::alert_rules::Webhook::parse, hide_env_values = true)]
    pub alert_webhooks: Vec<crate::services::alert_rules::Webhook>,

    /// The key generic alert bodies are signed with (HMAC-SHA256)
    #[arg(
        long = "alert-secret",
        env = "CONSOLE_ALERT_SECRET",
        value_name = "TEXT",
        hide_env_values = true
    )]
    pub alert_secret: Option<SecretString>,

    /// Let alerts go to internal addresses (private, loopback, link-local):
    /// off, so the console cannot be made a way into the internal network
    #[arg(long = "alert-allow-private", env = "CONSOLE_ALERT_ALLOW_PRIVATE")]
    pub alert_allow_private: bool,

    #[command(flatten)]
    pub storage: Storage,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Jobs other than serving the console.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Seal every stored secret with a new master key, in one transaction,
    /// then put the new key in the key file (or --new-key-file)
    RotateMasterKey {
        /// Where to write the new key [default: the master key file]
        #[arg(long, value_name = "PATH")]
        new_key_file: Option<PathBuf>,
    },
    /// Add a staff member, or give an existing one this role, these projects
    /// and a new password; the generated password is printed once
    AddStaff {
        /// The name they sign in with
        #[arg(long)]
        name: String,
        /// admin, editor or viewer
        #[arg(long, value_parser = ["admin", "editor", "viewer"])]
        role: String,
        /// A project id they may work on (editors and viewers; repeat)
        #[arg(long = "project", value_name = "ID")]
        projects: Vec<String>,
    },
}

/// A short name for the keys this console makes: it shows in Twilio's
/// console, so plain characters only.
fn parse_console_name(raw: &str) -> Result<String, String> {
    let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if raw.is_empty() || raw.len() > 24 || !raw.chars().all(fine) {
        return Err("expected 1 to 24 letters, digits, '.', '-' or '_'".into());
    }
    Ok(raw.to_owned())
}

/// Twilio's base URL: https, or http only to this machine (a local fake),
/// so credentials never cross a network in clear text.
fn parse_base_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim_end_matches('/');
    let (rest, plain) = match trimmed.strip_prefix("https://") {
        Some(rest) => (rest, false),
        None => (
            trimmed
                .strip_prefix("http://")
                .ok_or("must start with https:// (or http:// for a local fake)")?,
            true,
        ),
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
        return Err("must be a scheme and host only, e.g. https://video.twilio.com".into());
    }
    if plain && !is_loopback_host(host_of(rest)) {
        return Err(
            "http:// is allowed only for this machine (localhost, 127.0.0.1, [::1]); use https://"
                .into(),
        );
    }
    Ok(trimmed.to_owned())
}

/// `900`, `90s`, `15m`, `2h`; `0` is off.
fn parse_interval(raw: &str) -> Result<std::time::Duration, String> {
    let raw = raw.trim();
    let (number, unit) = match raw.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => raw.split_at(at),
        None => (raw, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration such as 900, 90s, 15m or 2h"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3_600),
        _ => return Err(format!("{raw:?}: the unit must be s, m or h")),
    };
    if seconds > 7 * 86_400 {
        return Err(format!("{raw:?} is longer than a week"));
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// An address range, or one address (as a /32 or /128).
fn parse_cidr(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is not an address range such as 10.0.0.0/8 or an address"))
}

/// The console's public origin: scheme, host and optional port, nothing else.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
        return Err("must be a scheme and host only, e.g. https://admin.example.com".into());
    }
    Ok(trimmed.to_ascii_lowercase())
}

/// `host` of `host:port` or `[v6]:port`.
pub fn host_of(authority: &str) -> &str {
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    }
}

/// Whether a host name or address is this machine.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Reads a secret from a file, without the line ending editors add.
fn secret_from_file(path: &std::path::Path, flag: &str) -> Result<SecretString, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{flag}: cannot read {}: {e}", path.display()))?;
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(format!("{flag}: {} is empty", path.display()));
    }
    Ok(SecretString::from(secret.to_owned()))
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
    /// How this instance refreshes the fleet.
    pub fn refresh_config(&self) -> crate::services::refresh::RefreshConfig {
        crate::services::refresh::RefreshConfig {
            concurrency: usize::from(self.refresh_concurrency),
            deadline: std::time::Duration::from_secs(self.refresh_deadline),
            interval: (!self.refresh_interval.is_zero()).then_some(self.refresh_interval),
            ..Default::default()
        }
    }

    /// Where this instance sends drift alerts, linking to pages at
    /// `base_url`; `None` with no webhook configured.
    pub fn alert_config(
        &self,
        base_url: &str,
    ) -> Result<Option<crate::services::alerts::AlertConfig>, String> {
        use crate::services::alert_rules::Format;
        if self.alert_webhooks.is_empty() {
            return Ok(None);
        }
        if self.alert_secret.is_none()
            && self
                .alert_webhooks
                .iter()
                .any(|w| w.format == Format::Generic)
        {
            return Err("--alert-webhook: a webhook that is not Slack's needs --alert-secret (CONSOLE_ALERT_SECRET) to sign its alerts".into());
        }
        let mut config = crate::services::alerts::AlertConfig::new(
            self.alert_webhooks.clone(),
            base_url.to_owned(),
        );
        config.secret = self.alert_secret.clone();
        config.allow_internal = self.alert_allow_private;
        Ok(Some(config))
    }

    /// Parses the command line and environment; the second value lists
    /// warnings to print once logging is up (secrets typed on the command
    /// line, which other local users can read from the process list).
    pub fn from_args() -> (Self, Vec<String>) {
        Self::try_from_args(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    fn try_from_args<I, T>(args: I) -> Result<(Self, Vec<String>), clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::parser::ValueSource;
        use clap::{CommandFactory, FromArgMatches};
        let matches = Self::command().try_get_matches_from(args)?;
        let config = Self::from_arg_matches(&matches)?;
        let warnings = [
            ("auth_token", "--auth-token", "TWILIO_AUTH_TOKEN or --auth-token-file"),
            ("api_secret", "--api-secret", "TWILIO_API_SECRET or --api-secret-file"),
            ("master_key", "--master-key", "CONSOLE_MASTER_KEY or --master-key-file"),
            ("database_url", "--database-url", "CONSOLE_DATABASE_URL"),
        ]
        .into_iter()
        .filter(|(id, _, _)| matches.value_source(id) == Some(ValueSource::CommandLine))
        .map(|(_, flag, instead)| {
            format!("{flag} was given on the command line, where other users of this machine can read it; use {instead} instead")
        })
        .collect();
        Ok((config, warnings))
    }

    /// The secrets given as files, read into the config.
    pub fn read_secret_files(&mut self) -> Result<(), String> {
        if let Some(path) = &self.auth_token_file {
            self.auth_token = Some(secret_from_file(path, "--auth-token-file")?);
        }
        if let Some(path) = &self.api_secret_file {
            self.api_secret = Some(secret_from_file(path, "--api-secret-file")?);
        }
        Ok(())
    }

    /// A warning for a listen address other machines can reach when the
    /// console is not served over https: staff passwords and session cookies
    /// would cross the network in clear text.
    pub fn check_listen(&self, addr: SocketAddr) -> Result<Option<String>, String> {
        if addr.ip().is_loopback() {
            return Ok(None);
        }
        let https = self
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        let mut warnings = Vec::new();
        if !https {
            warnings.push("staff passwords and session cookies would cross the network unencrypted: serve the console behind https and set --public-url https://…".to_owned());
        }
        if self.public_url.is_none() && addr.ip().is_unspecified() {
            warnings.push("set --public-url to the address browsers use, or requests naming this machine are refused (only localhost is accepted)".to_owned());
        }
        Ok((!warnings.is_empty()).then(|| {
            format!(
                "listening on {addr}, reachable from other machines: {}",
                warnings.join("; ")
            )
        }))
    }

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
            (Some(_), _, Some(_), None) => Err(
                "--api-key needs its secret: TWILIO_API_SECRET or --api-secret-file".into(),
            ),
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
    fn plain_http_reaches_only_this_machine() {
        for ok in [
            "http://127.0.0.1:4010",
            "http://localhost:4010",
            "http://[::1]:4010",
        ] {
            assert!(parse(&["--video-base-url", ok]).is_ok(), "{ok}");
        }
        for bad in [
            "http://video.twilio.com",
            "http://10.0.0.5:4010",
            "http://localhost.evil.test",
        ] {
            let err = parse(&["--video-base-url", bad]).unwrap_err().to_string();
            assert!(err.contains("only for this machine"), "{bad}: {err}");
        }
        let err = parse(&["--accounts-base-url", "https://user@evil.test"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("scheme and host only"), "{err}");
    }

    #[test]
    fn a_reachable_listen_address_wants_https() {
        let addr: SocketAddr = "0.0.0.0:3000".parse().unwrap();
        let warning = parse(&[]).unwrap().check_listen(addr).unwrap().unwrap();
        assert!(warning.contains("unencrypted"), "{warning}");
        assert!(warning.contains("--public-url"), "{warning}");
        let behind_https = parse(&["--public-url", "https://admin.example.com"])
            .unwrap()
            .check_listen(addr)
            .unwrap();
        assert_eq!(behind_https, None);
        let local: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        assert_eq!(parse(&[]).unwrap().check_listen(local), Ok(None));
    }

    #[test]
    fn the_public_url_is_an_origin() {
        let c = parse(&["--public-url", "https://Admin.Example.com/"]).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://admin.example.com"));
        let err = parse(&["--public-url", "https://admin.example.com/console"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--public-url"), "{err}");
    }

    #[test]
    fn a_secret_on_the_command_line_draws_a_warning() {
        let args = [
            "composition-admin",
            "--account-sid",
            AC,
            "--auth-token",
            "t",
        ];
        let (_, warnings) = Config::try_from_args(args).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("--auth-token was given on the command line"));
        let (_, warnings) = Config::try_from_args(["composition-admin", "--demo"]).unwrap();
        assert!(warnings.is_empty());
    }

    #[test]
    fn secrets_can_come_from_files() {
        let dir = std::env::temp_dir().join(format!("ca-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "file-token-value\n").unwrap();
        let mut c = parse(&[
            "--account-sid",
            AC,
            "--auth-token-file",
            file.to_str().unwrap(),
        ])
        .unwrap();
        c.read_secret_files().unwrap();
        match c.login() {
            Ok(Some(TwilioLogin::AuthToken { token, .. })) => {
                assert_eq!(
                    secrecy::ExposeSecret::expose_secret(&token),
                    "file-token-value"
                )
            }
            other => panic!("expected a token login, got {other:?}"),
        }
        std::fs::write(&file, "").unwrap();
        let mut c = parse(&[
            "--account-sid",
            AC,
            "--auth-token-file",
            file.to_str().unwrap(),
        ])
        .unwrap();
        assert!(c.read_secret_files().unwrap_err().contains("is empty"));
        let mut c = parse(&["--auth-token-file", "/nonexistent/token"]).unwrap();
        assert!(c
            .read_secret_files()
            .unwrap_err()
            .contains("--auth-token-file: cannot read"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let c = parse(&["--account-sid", AC, "--auth-token", "hunter2-token"]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn the_refresh_interval_reads_units_and_zero_turns_it_off() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.refresh_interval, std::time::Duration::from_secs(900));
        assert_eq!(
            c.refresh_config().interval,
            Some(std::time::Duration::from_secs(900))
        );
        for (raw, seconds) in [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7_200)] {
            let c = parse(&["--refresh-interval", raw]).unwrap();
            assert_eq!(c.refresh_interval.as_secs(), seconds, "{raw}");
        }
        let off = parse(&["--refresh-interval", "0"]).unwrap();
        assert_eq!(off.refresh_config().interval, None);
        for (raw, words) in [
            ("15 minutes", "the unit must be"),
            ("8d", "the unit must be"),
            ("200h", "longer than a week"),
            ("m", "is not a duration"),
        ] {
            let error = parse(&["--refresh-interval", raw]).unwrap_err().to_string();
            assert!(error.contains(words), "{raw}: {error}");
        }
    }
}
