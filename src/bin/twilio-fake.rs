//! Serves the Twilio fake on its own, for manual exploration and demos.

use clap::Parser;
use composition_admin::fake::{self, Seed};
use std::net::SocketAddr;
use std::process::ExitCode;

const SEED_FORMAT: &str = r#"Seed file format (JSON):
  {"accounts": [{
     "sid": "AC + 32 hex",            "auth_token": "any text",
     "friendly_name": "My first Twilio account",  "status": "active" | "suspended" | "closed",
     "owner_account_sid": "AC… of a parent listed earlier (makes this a subaccount)",
     "date_created": "2026-01-31T12:00:00Z",
     "api_keys": [{"sid": "SK + 32 hex", "secret": "any text", "main": false,
                   "friendly_name": "optional"}],   (main: lists accounts and makes keys)
     "credentials": [{"sid": "CR + 32 hex", "kind": "aws" | "public_key",
                      "friendly_name": "optional", "date_created": "2026-01-31T12:00:00Z"}],
     "composition_settings": {"friendly_name": …, "encryption_enabled": …, "encryption_key_sid": …,
                              "aws_storage_enabled": …, "aws_credentials_sid": …, "aws_s3_url": …},
     "recording_settings": { same fields },
     "encryption_available": true    (false: no Enterprise or Security Edition; turning
                                      encryption on answers 403, code 20403)
  }]}
Only "sid" and "auth_token" are required. State lives in memory and is lost on exit."#;

/// A local emulator of the Twilio endpoints composition-admin uses:
/// Video Composition/Recording settings, Accounts AWS/PublicKey credentials,
/// and the 2010-04-01 Accounts and Keys resources (subaccounts and API keys).
#[derive(Parser)]
#[command(name = "twilio-fake", version, after_long_help = SEED_FORMAT)]
struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:4010")]
    listen: SocketAddr,
    /// Start from this seed file (see the format below with --help)
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "demo",
        required_unless_present = "demo"
    )]
    seed: Option<std::path::PathBuf>,
    /// Start from the built-in demo seed, and print its account's credentials
    #[arg(long)]
    demo: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt().init();
    let seed = match &args.seed {
        None => Seed::demo(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Seed::from_json(&t))
        {
            Ok(seed) => seed,
            Err(e) => {
                eprintln!("twilio-fake: bad seed {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
    };
    let running = match fake::spawn(args.listen, &seed).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("twilio-fake: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("twilio-fake listening on {}", running.base_url());
    for account in &seed.accounts {
        if args.demo {
            println!(
                "  account {}  auth token {}",
                account.sid, account.auth_token
            );
        } else {
            println!("  account {}", account.sid);
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
