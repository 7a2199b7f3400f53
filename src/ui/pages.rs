//! The pages. All but the settings pages are lazy routes: built with
//! `cargo leptos --split`, each one's code is a set of WebAssembly chunks
//! that the server-rendered page preloads only where it is shown, so a first
//! visit downloads the shared core and one page rather than the whole
//! console (measured in `scripts/check-bundle-size.mjs`).

use super::audit_page::AuditPage;
use super::bulk_page::BulkPage;
use super::credentials_page::CredentialsPage;
use super::drift_page::DriftPage;
use super::file_import_page::FileImportPage;
use super::fleet_page::FleetPage;
use super::history_page::HistoryPage;
use super::import_page::{ImportPage, ImportStartPage};
use super::project_edit_page::ProjectEditPage;
use super::project_scope::{Here, ProjectFrame};
use super::projects_page::ProjectsPage;
use super::settings_page::SettingsPage;
use super::sign_in_page::SignInPage;
use super::staff_page::StaffPage;
use super::templates_page::TemplatesPage;
use crate::domain::SettingsKind;
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A page as a lazy route: its view, and with it its code, is split off.
/// (`#[lazy_route]` names the chunk after the route type, so one macro
/// can declare them all.)
macro_rules! lazy_page {
    ($route:ident, $view:expr) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }
            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    };
}

lazy_page!(SignInRoute, view! { <SignInPage /> });
lazy_page!(ProjectsRoute, view! { <ProjectsPage /> });
lazy_page!(AuditRoute, view! { <AuditPage /> });
lazy_page!(FleetRoute, view! { <FleetPage /> });
lazy_page!(StaffRoute, view! { <StaffPage /> });
lazy_page!(TemplatesRoute, view! { <TemplatesPage /> });
lazy_page!(BulkRoute, view! { <BulkPage /> });
lazy_page!(ImportStartRoute, view! { <ImportStartPage /> });
lazy_page!(ImportRoute, view! { <ImportPage /> });
lazy_page!(FileImportRoute, view! { <FileImportPage /> });
lazy_page!(
    TemplateRoute,
    view! {
        <ProjectFrame here=Here::Template>
            <DriftPage />
        </ProjectFrame>
    }
);
lazy_page!(
    CredentialsRoute,
    view! {
        <ProjectFrame here=Here::Credentials>
            <CredentialsPage />
        </ProjectFrame>
    }
);
lazy_page!(
    HistoryRoute,
    view! {
        <ProjectFrame here=Here::History>
            <HistoryPage />
        </ProjectFrame>
    }
);
lazy_page!(
    EditProjectRoute,
    view! {
        <ProjectFrame here=Here::Edit>
            <ProjectEditPage />
        </ProjectFrame>
    }
);

/// The settings pages stay in the main bundle: they are what most visits
/// open, and split into chunks they came to more bytes than in one piece.
pub fn settings(kind: SettingsKind) -> AnyView {
    view! {
        <ProjectFrame here=Here::Settings(kind)>
            <SettingsPage kind />
        </ProjectFrame>
    }
    .into_any()
}
