//! Signing in and out, and who is signed in.

#[cfg(feature = "ssr")]
use crate::domain::audit::AuditAction;
use crate::domain::{AppError, Failure, SignInInput, StaffSummary};
use leptos::prelude::*;

/// Checks the name and password (rate-limited) and starts a session under
/// a new id. The same message for an unknown name and a wrong password.
#[server(endpoint = "auth/sign-in")]
pub async fn sign_in(input: SignInInput) -> Result<StaffSummary, Failure<SignInInput>> {
    let result = async {
        let state = super::context::app_state()?;
        let address = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .await
            .ok()
            .map(|info| info.0.ip());
        let staff = state
            .auth
            .sign_in(&input.name, &input.password, address)
            .await?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::NotSignedIn)?;
        let stamp = crate::services::auth::password_stamp(&staff.password_hash);
        crate::server::signin::start(&session, &staff.id, stamp)
            .await
            .map_err(crate::services::projects::internal)?;
        tracing::info!(staff = %staff.id, "signed in");
        record_sign_in(&state, &staff.name, AuditAction::SignedIn, "signed in").await;
        Ok(StaffSummary {
            name: staff.name,
            role: staff.role,
        })
    }
    .await;
    match result {
        Ok(summary) => {
            if super::context::form_post_origin().is_some() {
                leptos_axum::redirect(crate::paths::PROJECTS);
            }
            Ok(summary)
        }
        Err(error) => {
            if !matches!(error, AppError::SignIn(_) | AppError::TooManyAttempts(_)) {
                tracing::warn!(%error, "sign-in failed");
            } else {
                tracing::info!("a sign-in attempt failed");
            }
            if let Ok(state) = super::context::app_state() {
                let name = crate::domain::error::clipped(
                    input.name.trim(),
                    crate::domain::staff::MAX_STAFF_NAME,
                );
                record_sign_in(&state, &name, AuditAction::SignInFailed, &error.to_string()).await;
            }
            super::context::report(&error);
            Err(Failure {
                error,
                input: Some(input.for_echo()),
            })
        }
    }
}

/// Ends the session on the server.
#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    super::context::audit(
        None,
        AuditAction::SignedOut,
        "signed out".into(),
        None,
        None,
    )
    .await;
    if let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await {
        crate::server::signin::end(&session).await;
    }
    if super::context::form_post_origin().is_some() {
        leptos_axum::redirect(crate::paths::SIGN_IN);
    }
    Ok(())
}

/// Who is signed in, for the header.
#[server(endpoint = "auth/whoami")]
pub async fn whoami() -> Result<Option<StaffSummary>, AppError> {
    Ok(super::context::caller().ok().map(|c| c.summary()))
}

#[cfg(feature = "ssr")]
async fn record_sign_in(
    state: &crate::server::AppState,
    name: &str,
    action: AuditAction,
    summary: &str,
) {
    crate::services::audit::record(
        state.projects.store(),
        crate::services::audit::Record {
            staff: name,
            project: None,
            action,
            summary: summary.to_owned(),
            before: None,
            after: None,
        },
    )
    .await;
}
