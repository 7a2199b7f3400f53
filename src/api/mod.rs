//! Server functions: thin, they find the state, call a service and map errors.

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod credentials;
pub mod fleet;
pub mod imports;
pub mod parents;
pub mod projects;
pub mod settings;
pub mod staff;
pub mod templates;

/// The query that tells a page, after a no-JavaScript post's redirect, that
/// the change was made but not recorded (empty when it was recorded).
#[cfg(feature = "ssr")]
fn not_recorded_param(recorded: bool) -> String {
    if recorded {
        String::new()
    } else {
        format!("&{}=1", crate::domain::audit::NOT_RECORDED_PARAM)
    }
}

#[cfg(feature = "ssr")]
mod context {
    use crate::domain::AppError;
    use crate::server::AppState;
    use axum::http::{header, request::Parts};
    use leptos::prelude::use_context;

    pub fn app_state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from server function context");
            AppError::Internal {
                id: "no-state".into(),
            }
        })
    }

    /// Runs a server function's Twilio calls, retries included, under one
    /// deadline, so no action keeps a request (and the user) waiting longer.
    pub async fn within_deadline<T>(
        state: &AppState,
        work: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        tokio::time::timeout(state.deadline, work)
            .await
            .unwrap_or_else(|_| Err(AppError::did_not_answer(state.deadline.as_secs())))
    }

    /// The signed-in staff member making this call. The sign-in layer put
    /// them in the request; without one it answered 401 already.
    pub fn caller() -> Result<crate::services::Caller, AppError> {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<crate::services::Caller>().cloned())
            .ok_or(AppError::NotSignedIn)
    }

    /// The caller, if they may do `action` (on `project`); otherwise why not
    /// (404 for a project they may not see).
    pub fn allowed(
        action: crate::services::Action,
        project: Option<&crate::domain::ProjectId>,
    ) -> Result<crate::services::Caller, AppError> {
        let caller = caller()?;
        caller.may(action, project)?;
        Ok(caller)
    }

    /// Adds an audit entry in the caller's name (after the change worked).
    pub async fn audit(
        project: Option<&crate::domain::ProjectId>,
        action: crate::domain::audit::AuditAction,
        summary: String,
        before: Option<String>,
        after: Option<String>,
    ) {
        let (Ok(state), Ok(caller)) = (app_state(), caller()) else {
            return;
        };
        crate::services::audit::record(
            state.projects.store(),
            crate::services::audit::Record {
                staff: &caller.name,
                staff_id: Some(&caller.id),
                project,
                action,
                summary,
                before,
                after,
            },
        )
        .await;
    }

    /// The two-step audit record of the caller's changes to `project`.
    pub fn trail(
        project: Option<&crate::domain::ProjectId>,
    ) -> Result<crate::services::trail::Trail, AppError> {
        let (state, caller) = (app_state()?, caller()?);
        Ok(crate::services::trail::Trail::new(
            state.projects.store().clone(),
            caller.name,
            Some(caller.id),
            project.cloned(),
        ))
    }

    /// Runs `work` with the project's own Twilio client, under the deadline,
    /// if the caller may do `action` on the project. A project that does not
    /// exist (or is not theirs to see) is a 404 with a plain message.
    pub async fn for_project<T, F, Fut>(
        project: &crate::domain::ProjectId,
        action: crate::services::Action,
        work: F,
    ) -> Result<T, AppError>
    where
        F: FnOnce(crate::twilio::TwilioClient) -> Fut,
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        allowed(action, Some(project))?;
        let state = app_state()?;
        let client = state.projects.client(project).await?;
        if action != crate::services::Action::Change {
            return within_deadline(&state, work(client)).await;
        }
        // A change's write runs on in a task of its own past the deadline,
        // and its outcome is checked and recorded: say so, not "nothing
        // changed".
        tokio::time::timeout(state.deadline, work(client))
            .await
            .unwrap_or_else(|_| Err(AppError::deadline_during_change(state.deadline.as_secs())))
    }

    /// Gives a failed call its proper status instead of leptos' blanket 500.
    /// A plain form post keeps its redirect, so it is left alone.
    pub fn report(error: &AppError) {
        if form_post_origin().is_some() {
            return;
        }
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(error.status_code()),
        ) {
            response.set_status(status);
        }
    }

    /// For a plain HTML form post (JavaScript off), the path of the page that
    /// posted it; `None` for calls from the hydrated app.
    pub fn form_post_origin() -> Option<String> {
        let parts = use_context::<Parts>()?;
        let accepts_html = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if !accepts_html {
            return None;
        }
        let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
        // Keep only the path of our own page: never redirect off-site.
        let path = crate::twilio::path_and_query(referer)
            .split(['?', '#'])
            .next()
            .unwrap_or("/");
        Some(if path.starts_with("//") {
            "/".into()
        } else {
            path.to_owned()
        })
    }
}
