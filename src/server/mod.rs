//! Wiring for the server side: shared state, the router, and startup from
//! configuration. `main.rs` and the integration tests both start here.

mod export;
mod fleet;
mod guard;
mod headers;
mod middleware;
pub mod signin;
mod site;

pub use headers::page_csp;
pub use site::Site;

use crate::config::{Config, TwilioLogin};
use crate::domain::{Login, ProjectUpdate};
use crate::fake::{self, RunningFake};
use crate::services::{Auth, Projects};
use crate::store::Store;
use crate::twilio::{PoolConfig, RetryPolicy, TwilioPool};
use crate::ui::app::{shell, App};
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use std::time::Duration;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Everything a request handler or server function needs.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The projects, their sealed logins and the shared Twilio pool.
    pub projects: Projects,
    /// Staff sign-in and who may do what.
    pub auth: Auth,
    /// The console's own origin and hosts, and its redirect signing key.
    pub site: Site,
    /// How long one server function may spend on Twilio, retries included.
    pub deadline: Duration,
    /// This instance's refresh worker and scheduler.
    pub refresh: crate::services::refresh::Refresher,
    /// This instance's bulk changes.
    pub bulk: crate::services::bulk::Applier,
    /// Names the API keys this console makes in subaccounts.
    pub console_name: String,
}

/// Listens on `addr`. Replies go out without waiting (TCP_NODELAY): a page
/// is streamed in several writes, and with Nagle's algorithm a later write
/// waited for the browser's delayed acknowledgement of the first, about
/// 40 ms.
pub async fn listen(
    addr: std::net::SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    Ok(listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

fn no_delay(stream: &mut tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!("could not set TCP_NODELAY: {e}");
    }
}

/// Largest request body accepted, sized to the largest form with room to spare.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The console's routes: pages, server functions, assets and `/healthz`.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        // Liveness: the process answers. Readiness: its database does too.
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/audit/export", get(export::audit_export))
        .route("/fleet/export", get(fleet::fleet_export))
        .route("/projects/export", get(export::projects_export))
        .route(
            crate::paths::TEMPLATES_EXPORT,
            get(export::templates_export),
        )
        .route("/fleet/events", get(fleet::fleet_events))
        // The console starts at the list of projects.
        .route(
            "/",
            get(|| async { axum::response::Redirect::to(crate::paths::PROJECTS) }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::map_response(
            middleware::undecodable_calls_are_400,
        ))
        .layer(axum::middleware::map_request(
            middleware::forget_earlier_form_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.site.clone(),
            guard::drop_unsigned_outcomes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            signin::require_sign_in,
        ))
        .layer(session_layer(&state))
        // The largest legitimate form (a public key with its name) is a few
        // KiB; nothing the console accepts needs more.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.site.clone(),
            guard::refuse_foreign_requests,
        ))
        // Outside every handler and check, so no Location escapes it.
        .layer(axum::middleware::from_fn_with_state(
            state.site.clone(),
            guard::keep_redirects_home,
        ))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .compress_when(headers::worth_compressing),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.leptos_options.hash_files,
            headers::security_headers,
        ))
        // Spans name method and path only: no headers (credentials) and no
        // query (a no-JavaScript form's error travels there, with the input).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::extract::Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path()
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// 200 when the database answers, else 503 with the reason in one line.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.projects.store().ready().await {
        Ok(()) => {
            crate::store::outage::note_available();
            "ready".into_response()
        }
        Err(e) => {
            crate::store::outage::note_unavailable(&e);
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                crate::domain::AppError::database_unavailable().to_string(),
            )
                .into_response()
        }
    }
}

/// Server-side sessions in the console's database: HttpOnly, SameSite=Strict,
/// Secure when the console is served over https, ended after idle time.
fn session_layer(
    state: &AppState,
) -> tower_sessions::SessionManagerLayer<crate::store::SessionTable> {
    use tower_sessions::cookie::{time::Duration, SameSite};
    tower_sessions::SessionManagerLayer::new(crate::store::SessionTable::new(
        state.projects.store().clone(),
    ))
    .with_name(signin::COOKIE)
    .with_http_only(true)
    .with_same_site(SameSite::Strict)
    .with_secure(state.site.serves_https())
    .with_expiry(tower_sessions::Expiry::OnInactivity(Duration::minutes(
        signin::IDLE_EXPIRY_MINUTES,
    )))
}

/// The app's routes, worked out once per process. Leptos finds them by
/// rendering the app with resource loading switched off, and that switch is
/// one flag for the whole process: a page rendering meanwhile (another
/// console in the same process, as in the tests) would wait forever for its
/// data. Once worked out, no later router build raises the flag again.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The projects store, its vault and the Twilio pool the configuration
/// asks for, with the project given by the start-up flags registered (or
/// its login updated). With `--demo` and no credentials, also the
/// in-process fake the demo projects live in, which must be kept alive.
pub async fn projects_from_config(
    config: &Config,
) -> Result<(Projects, Option<RunningFake>), String> {
    let login = config.login()?;
    let demo = login.is_none() && config.demo;
    if demo && config.storage.database_url.is_some() {
        return Err("--demo keeps its demo projects in a SQLite file of their own (demo.db in --data-dir); it cannot be combined with --database-url".into());
    }
    if login.is_none() && !config.demo && config.storage.database_url.is_none() {
        // Projects may be in the store already; say how to add the first.
        tracing::info!("no Twilio credentials on the command line: add projects at /projects");
    }
    let store = Store::open_answering_within(
        &config.storage.database_url(demo)?,
        Duration::from_secs(config.storage.database_timeout),
    )
    .await?;
    let vault = crate::services::master_key::unlock(&store, &config.storage.key_source()?).await?;
    let (video, accounts, api, running) = if demo {
        let generated = u32::from(config.demo_projects);
        let running = fake::spawn(
            config.demo_fake_listen,
            &fake::generated::demo_seed(generated),
        )
        .await
        .map_err(|e| format!("could not start the demo Twilio fake: {e}"))?;
        for rule in fake::generated::slow_accounts(generated) {
            running.inject(rule);
        }
        let base = running.base_url();
        tracing::info!(fake = %base, "demo mode: using an in-process Twilio fake");
        (base.clone(), base.clone(), base, Some(running))
    } else {
        (
            config.video_base_url.clone(),
            config.accounts_base_url.clone(),
            config.api_base_url.clone(),
            None,
        )
    };
    let pool = TwilioPool::new(PoolConfig {
        video_base_url: video,
        accounts_base_url: accounts,
        api_base_url: api,
        connect_timeout: Duration::from_secs(config.connect_timeout),
        request_timeout: Duration::from_secs(config.request_timeout),
        retries: RetryPolicy {
            max_retries: config.retries,
            ..RetryPolicy::default()
        },
        pace: crate::twilio::PaceConfig {
            reads_per_second: config.reads_per_second,
            writes_per_second: config.writes_per_second,
        },
    })
    .map_err(|e| format!("could not build the HTTP client: {e}"))?;
    let projects = Projects::new(store, vault, pool);
    if let Some(login) = login {
        let (account_sid, login, secret) = match login {
            TwilioLogin::AuthToken { account_sid, token } => (account_sid, Login::AuthToken, token),
            TwilioLogin::ApiKey {
                account_sid,
                key,
                secret,
            } => (account_sid, Login::ApiKey(key), secret),
        };
        let name = config.project_name.clone().unwrap_or_else(|| {
            let sid = account_sid.as_str();
            format!("Account …{}", &sid[sid.len() - 6..])
        });
        let update = ProjectUpdate {
            name,
            account_sid,
            login,
            secret: Some(secret.expose_secret().to_owned()),
        };
        let id = projects.register(&update, None).await?;
        tracing::info!(project = %id, "registered the account given at start");
    }
    if demo {
        let generated = fake::generated::demo_projects(u32::from(config.demo_projects));
        for (id, update) in fake::seed::demo_projects().into_iter().chain(generated) {
            projects.register(&update, Some(id)).await?;
        }
    }
    Ok((projects, running))
}

/// Staff sign-in for the console. On a first start with no staff, an
/// admin named `admin` is created and its one-time password printed (on
/// standard output, never in the log). In demo mode an admin, an editor and
/// a viewer get new passwords at every start, printed the same way.
pub async fn staff_from_config(
    projects: &Projects,
    demo: bool,
    trusted_proxies: &[ipnet::IpNet],
) -> Result<Auth, String> {
    use crate::domain::Role;
    use crate::services::auth::{generate_password, hash_password};
    let store = projects.store();
    let auth = Auth::with_trusted_proxies(store.clone(), trusted_proxies.to_vec());
    // Now and then: forget old sign-in attempts and expired sessions.
    let (tidy_auth, sessions) = (auth.clone(), crate::store::SessionTable::new(store.clone()));
    tokio::spawn(async move {
        // Once a minute: failed sign-ins counted since their last audit
        // entry are recorded within a minute or two.
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            tidy_auth.tidy().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!("could not delete expired sessions: {e}");
            }
        }
    });
    if demo {
        println!("Demo staff (new passwords at every start):");
        for (name, role, assigned, about) in [
            ("admin", Role::Admin, &[][..], "everything"),
            (
                "editor",
                Role::Editor,
                &["demo-acme", "demo-contoso"][..],
                "edits Acme Video and Contoso Archive",
            ),
            (
                "viewer",
                Role::Viewer,
                &["demo-acme", "demo-northwind"][..],
                "reads Acme Video and Northwind Clinic",
            ),
        ] {
            let password = generate_password();
            let id =
                ensure_staff(store, name, role, &hash_password(password.clone()).await?).await?;
            for project in assigned {
                let project = project.parse().map_err(|e: String| e)?;
                store
                    .assign(&id, &project)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            println!("  {name:<7} password {password}   ({about})");
        }
    } else if store.staff_count().await.map_err(|e| e.to_string())? == 0 {
        let password = generate_password();
        ensure_staff(
            store,
            "admin",
            Role::Admin,
            &hash_password(password.clone()).await?,
        )
        .await?;
        println!("First start: sign in as admin with the one-time password {password}");
        println!("(shown once; add staff with `composition-admin add-staff`)");
    }
    Ok(auth)
}

/// The staff member called `name`, created with `hash` or given it.
pub async fn ensure_staff(
    store: &Store,
    name: &str,
    role: crate::domain::Role,
    hash: &str,
) -> Result<crate::domain::StaffId, String> {
    if let Some(existing) = store.staff_by_name(name).await.map_err(|e| e.to_string())? {
        store
            .set_password_hash(&existing.id, hash)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(existing.id);
    }
    let id = crate::store::new_staff_id();
    store
        .insert_staff(&crate::store::StaffRow {
            id: id.clone(),
            name: name.to_owned(),
            password_hash: hash.to_owned(),
            role,
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(id)
}
