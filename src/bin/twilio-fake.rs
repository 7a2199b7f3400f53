//! Serves the Twilio fake on its own, for manual exploration and demos.

use clap::Parser;
use composition_admin::fake::{self, Seed};
use std::net::SocketAddr;

/// A local emulator of the Twilio endpoints composition-admin uses.
#[derive(Parser)]
#[command(name = "twilio-fake", version)]
struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:4010")]
    listen: SocketAddr,
    /// Start from the built-in demo seed (currently the only seed)
    #[arg(long)]
    demo: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt().init();
    let seed = Seed::demo();
    let running = match fake::spawn(args.listen, &seed).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("twilio-fake: cannot listen on {}: {e}", args.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("twilio-fake listening on {}", running.base_url());
    for account in &seed.accounts {
        println!(
            "  account {}  auth token {}",
            account.sid, account.auth_token
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
