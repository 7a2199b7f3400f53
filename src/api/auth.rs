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
        let forwarded_for = use_context::<axum::http::request::Parts>().and_then(|parts| {
            parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        let address = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .await
            .ok()
            .map(|info| {
                state
                    .auth
                    .client_address(info.0.ip(), forwarded_for.as_deref())
            });
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
        crate::services::audit::record(
            state.projects.store(),
            crate::services::audit::Record {
                staff: &staff.name,
                staff_id: Some(&staff.id),
                project: None,
                action: AuditAction::SignedIn,
                summary: "signed in".to_owned(),
                before: None,
                after: None,
            },
        )
        .await;
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
            // A failed attempt was recorded (or counted) where it was
            // checked; refusals before any check are recorded nowhere.
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
    let state = super::context::app_state()?;
    if let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await {
        if let Err(e) = crate::server::signin::end(&state, &session).await {
            tracing::error!("a session could not be ended: {e}");
            let error = AppError::NotDone(
                "You are still signed in: the console's database did not answer, so your session could not be ended. Try again in a moment.".into(),
            );
            super::context::report(&error);
            return Err(error);
        }
    }
    super::context::audit(
        None,
        AuditAction::SignedOut,
        "signed out".into(),
        None,
        None,
    )
    .await;
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
