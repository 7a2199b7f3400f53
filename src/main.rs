use composition_admin::config::{Command, Config};
use composition_admin::server::{projects_from_config, router, staff_from_config, AppState, Site};
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
    match &config.command {
        Some(Command::RotateMasterKey { new_key_file }) => {
            return rotate_master_key(&config, new_key_file.as_deref()).await
        }
        Some(Command::AddStaff {
            name,
            role,
            projects,
        }) => return add_staff(&config, name, role, projects).await,
        None => {}
    }
    let leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| format!("bad LEPTOS_* setting: {e}"))?
        .leptos_options;
    let addr = config.listen.unwrap_or(leptos_options.site_addr);
    if let Some(warning) = config.check_listen(addr)? {
        tracing::warn!("{warning}");
    }
    let (projects, demo_fake) = projects_from_config(&config).await?;
    let auth = staff_from_config(&projects, demo_fake.is_some(), &config.trusted_proxies).await?;
    let site = Site::new(addr, config.public_url.as_deref()).with_key(projects.link_key());
    let base_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let refresh = composition_admin::services::refresh::Refresher::start(
        projects.clone(),
        composition_admin::services::refresh::RefreshConfig {
            alerts: config.alert_config(&base_url)?,
            ..config.refresh_config()
        },
    );
    composition_admin::services::import::sweep_expired_logins(projects.store().clone());
    if !config.parent_check_interval.is_zero() {
        composition_admin::services::parents::watch(projects.clone(), config.parent_check_interval);
    }
    let bulk = composition_admin::services::bulk::Applier::new(
        projects.clone(),
        composition_admin::services::bulk::BulkConfig::default(),
    );
    let app = router(AppState {
        leptos_options,
        bulk,
        projects,
        auth,
        site,
        deadline: Duration::from_secs(config.deadline),
        refresh,
        console_name: config.console_name.clone(),
    });
    let listener = composition_admin::server::listen(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("composition-admin is ready: open http://{addr}/");
    // The client address counts sign-in attempts.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
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

/// `add-staff`: a staff member with a generated password, printed once.
async fn add_staff(
    config: &Config,
    name: &str,
    role: &str,
    projects: &[String],
) -> Result<(), String> {
    use composition_admin::domain::{staff::check_staff_name, ProjectId, Role};
    use composition_admin::services::auth::{generate_password, hash_password};
    use composition_admin::store::Store;
    let name = check_staff_name(name).map_err(|e| format!("--name {e}"))?;
    let role = Role::from_slug(role).ok_or("--role must be admin, editor or viewer")?;
    let store = Store::open(&config.storage.database_url(config.demo)?).await?;
    let mut assigned = Vec::new();
    for project in projects {
        let project: ProjectId = project
            .parse()
            .map_err(|e| format!("--project {project}: {e}"))?;
        if store
            .project(&project)
            .await
            .map_err(|e| e.to_string())?
            .is_none()
        {
            return Err(format!("--project {project}: there is no such project"));
        }
        assigned.push(project);
    }
    let password = generate_password();
    let existing = store
        .staff_by_name(&name)
        .await
        .map_err(|e| e.to_string())?;
    let row = composition_admin::store::StaffRow {
        id: existing
            .as_ref()
            .map_or_else(composition_admin::store::new_staff_id, |r| r.id.clone()),
        name: name.clone(),
        password_hash: hash_password(password.clone()).await?,
        role,
    };
    // An existing name gets the role and projects given, not only a
    // password; all of it and its audit entry in one transaction.
    let trail =
        composition_admin::services::trail::Trail::new(store.clone(), "(command line)", None, None);
    let (entry, staff_id) = trail.one_step(
        None,
        if existing.is_some() {
            composition_admin::domain::audit::AuditAction::StaffChanged
        } else {
            composition_admin::domain::audit::AuditAction::StaffAdded
        },
        format!("staff member {name} added or given a new password with add-staff"),
        None,
        Some(serde_json::json!({ "role": role.slug(), "projects": projects }).to_string()),
    );
    store
        .save_staff(
            existing.as_ref().map(|r| &r.id),
            &row,
            &assigned,
            composition_admin::store::Audited {
                entry: &entry,
                staff_id,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{name} ({}) can sign in with the password {password} (shown once)",
        role.label()
    );
    Ok(())
}
