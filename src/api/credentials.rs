//! Listing, creating, renaming and deleting a project's credentials.

use crate::domain::audit::Done;
use crate::domain::{
    AppError, AwsCredentialInput, Credential, CredentialKind, CredentialTarget, Failure, ProjectId,
    PublicKeyInput,
};
#[cfg(feature = "ssr")]
use crate::services::Action;
use leptos::prelude::*;

/// Every credential of a kind, all pages read on the server.
#[server(endpoint = "credentials/list")]
pub async fn list_credentials(
    project: ProjectId,
    kind: CredentialKind,
) -> Result<Vec<Credential>, AppError> {
    use crate::services::credentials;
    super::context::for_project(&project, Action::Read, |client| async move {
        credentials::list(&client, kind).await
    })
    .await
    .inspect_err(super::context::report)
}

/// One kind's list, or why it could not be read.
pub type Listing = Result<Vec<Credential>, AppError>;

/// Both kinds, read at the same time, each failure kept apart: a page that
/// offers them in pickers still renders, and answers 200, when one fails.
#[server(endpoint = "credentials/all")]
pub async fn list_all_credentials(project: ProjectId) -> Result<(Listing, Listing), AppError> {
    use crate::services::credentials;
    super::context::allowed(Action::Read, Some(&project)).inspect_err(super::context::report)?;
    let state = super::context::app_state()?;
    let client = state
        .projects
        .client(&project)
        .await
        .inspect_err(super::context::report)?;
    let (state, client) = (&state, &client);
    let within = |kind| {
        super::context::within_deadline(state, async move { credentials::list(client, kind).await })
    };
    Ok(tokio::join!(
        within(CredentialKind::PublicKey),
        within(CredentialKind::Aws),
    ))
}

/// Checks the PEM as Twilio will (the browser checked it too) and uploads it.
#[server(endpoint = "credentials/public-key")]
pub async fn create_public_key(
    project: ProjectId,
    input: PublicKeyInput,
) -> Result<Done<Credential>, Failure<PublicKeyInput>> {
    use crate::services::credentials;
    let result = super::context::for_project(&project, Action::Change, |client| {
        let (input, project) = (&input, &project);
        async move {
            let trail = super::context::trail(Some(project))?;
            credentials::create_public_key(&client, &trail, input).await
        }
    })
    .await
    .inspect(|created| tracing::info!(%project, sid = %created.value.sid, "public key created"));
    finish(
        result,
        &project,
        CredentialKind::PublicKey,
        input.for_echo(),
        "created",
    )
}

/// Uploads an AWS key pair. The secret goes to Twilio and nowhere else: a
/// failure hands back the form without it.
#[server(endpoint = "credentials/aws")]
pub async fn create_aws_credential(
    project: ProjectId,
    input: AwsCredentialInput,
) -> Result<Done<Credential>, Failure<AwsCredentialInput>> {
    use crate::services::credentials;
    let result = super::context::for_project(&project, Action::Change, |client| {
        let (input, project) = (&input, &project);
        async move {
            let trail = super::context::trail(Some(project))?;
            credentials::create_aws(&client, &trail, input).await
        }
    })
    .await
    .inspect(
        |created| tracing::info!(%project, sid = %created.value.sid, "AWS credential created"),
    );
    finish(
        result,
        &project,
        CredentialKind::Aws,
        input.without_secret(),
        "created",
    )
}

#[server(endpoint = "credentials/rename")]
pub async fn rename_credential(
    project: ProjectId,
    kind: CredentialKind,
    sid: String,
    friendly_name: String,
) -> Result<Done<Credential>, Failure<CredentialTarget>> {
    use crate::services::credentials;
    let target = CredentialTarget {
        kind,
        sid: crate::domain::error::clipped(&sid, 40),
    };
    let result = super::context::for_project(&project, Action::Change, |client| {
        let (sid, name, project) = (&sid, &friendly_name, &project);
        async move {
            let trail = super::context::trail(Some(project))?;
            credentials::rename(&client, &trail, kind, sid, name).await
        }
    })
    .await;
    finish(result, &project, kind, target, "renamed")
}

/// Deletes a credential. If Composition or Recording settings still name
/// it, nothing is deleted until the user confirms, having read which.
#[server(endpoint = "credentials/delete")]
pub async fn delete_credential(
    project: ProjectId,
    kind: CredentialKind,
    sid: String,
    confirm: Option<bool>,
) -> Result<Done<()>, Failure<CredentialTarget>> {
    use crate::services::credentials;
    let target = CredentialTarget {
        kind,
        sid: crate::domain::error::clipped(&sid, 40),
    };
    let result = super::context::for_project(&project, Action::Change, |client| {
        let (sid, project) = (&sid, &project);
        async move {
            let trail = super::context::trail(Some(project))?;
            credentials::delete(&client, &trail, kind, sid, confirm == Some(true)).await
        }
    })
    .await;
    if let Ok(deleted) = &result {
        tracing::info!(%project, sid = %deleted.value, "credential deleted");
    }
    let result = result.map(|done| done.map(drop));
    finish(result, &project, kind, target, "deleted")
}

/// Says what was done (for a no-JavaScript post, in the redirect), or
/// reports the failure with what the form should show again.
#[cfg(feature = "ssr")]
fn finish<T, I>(
    result: Result<Done<T>, AppError>,
    project: &ProjectId,
    kind: CredentialKind,
    input: I,
    what: &str,
) -> Result<Done<T>, Failure<I>> {
    match result {
        Ok(done) => {
            if !done.recorded {
                tracing::warn!(%project, "credential {what} but not recorded in the audit trail");
            }
            // Without JavaScript the browser follows a redirect: name the
            // outcome in the URL so the page can say it.
            if super::context::form_post_origin().is_some() {
                leptos_axum::redirect(&format!(
                    "{}?done={}-{what}{}",
                    crate::paths::credentials(project),
                    kind.slug(),
                    super::not_recorded_param(done.recorded)
                ));
            }
            Ok(done)
        }
        Err(error) => {
            super::context::report(&error);
            Err(Failure {
                error,
                input: Some(input),
            })
        }
    }
}
