use composition_admin::config::{Command, Config};
use composition_admin::server::{projects_from_config, router, AppState, Site};
use std::process::ExitCode;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let (config, warnings) = Config::from_args();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(line) => {
            eprintln!("composition-admin: {line}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut config: Config) -> Result<(), String> {
    config.read_secret_files()?;
    if let Some(Command::RotateMasterKey { new_key_file }) = &config.command {
        return rotate_master_key(&config, new_key_file.as_deref()).await;
    }
    let leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| format!("bad LEPTOS_* setting: {e}"))?
        .leptos_options;
    let addr = config.listen.unwrap_or(leptos_options.site_addr);
    if let Some(warning) = config.check_listen(addr)? {
        tracing::warn!("{warning}");
    }
    let (projects, _demo_fake) = projects_from_config(&config).await?;
    let app = router(AppState {
        leptos_options,
        projects,
        site: Site::new(addr, config.public_url.as_deref()),
        deadline: Duration::from_secs(config.deadline),
    });
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("composition-admin is ready: open http://{addr}/");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server stopped: {e}"))
}

/// `rotate-master-key`: re-seals every secret with a new key.
async fn rotate_master_key(
    config: &Config,
    new_key_file: Option<&std::path::Path>,
) -> Result<(), String> {
    use composition_admin::services::master_key;
    use composition_admin::store::Store;
    let store = Store::open(&config.storage.database_url(config.demo)?).await?;
    let source = config.storage.key_source()?;
    let (count, path) = master_key::rotate(&store, &source, new_key_file).await?;
    println!(
        "re-sealed {count} secret(s) with a new master key, now in {}",
        path.display()
    );
    Ok(())
}
