//! The pages. All but the settings pages are lazy routes: built with
//! `cargo leptos --split`, each one's code is a set of WebAssembly chunks
//! that the server-rendered page preloads only where it is shown, so a first
//! visit downloads the shared core and one page rather than the whole
//! console (measured in `scripts/check-bundle-size.mjs`).

use super::audit_page::AuditPage;
use super::credentials_page::CredentialsPage;
use super::project_edit_page::ProjectEditPage;
use super::project_scope::ProjectFrame;
use super::projects_page::ProjectsPage;
use super::settings_page::SettingsPage;
use super::sign_in_page::SignInPage;
use super::staff_page::StaffPage;
use crate::domain::SettingsKind;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

pub struct SignInRoute;

#[lazy_route]
impl LazyRoute for SignInRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <SignInPage /> }.into_any()
    }
}

pub struct ProjectsRoute;

#[lazy_route]
impl LazyRoute for ProjectsRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <ProjectsPage /> }.into_any()
    }
}

/// The settings pages stay in the main bundle: they are what most visits
/// open, and split into chunks they came to more bytes than in one piece.
pub fn settings(kind: SettingsKind) -> AnyView {
    view! {
        <ProjectFrame>
            <SettingsPage kind />
        </ProjectFrame>
    }
    .into_any()
}

pub struct CredentialsRoute;

#[lazy_route]
impl LazyRoute for CredentialsRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! {
            <ProjectFrame>
                <CredentialsPage />
            </ProjectFrame>
        }
        .into_any()
    }
}

pub struct EditProjectRoute;

#[lazy_route]
impl LazyRoute for EditProjectRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! {
            <ProjectFrame>
                <ProjectEditPage />
            </ProjectFrame>
        }
        .into_any()
    }
}

pub struct AuditRoute;

#[lazy_route]
impl LazyRoute for AuditRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <AuditPage /> }.into_any()
    }
}

pub struct StaffRoute;

#[lazy_route]
impl LazyRoute for StaffRoute {
    fn data() -> Self {
        Self
    }
    fn view(_this: Self) -> AnyView {
        view! { <StaffPage /> }.into_any()
    }
}
