//! The HTML document and the routes.

use super::audit_page::AuditPage;
use super::credentials_page::CredentialsPage;
use super::project_edit_page::ProjectEditPage;
use super::project_scope::ProjectFrame;
use super::projects_page::ProjectsPage;
use super::settings_page::SettingsPage;
use super::sign_in_page::{SignInPage, StaffBar};
use super::staff_page::StaffPage;
use crate::domain::SettingsKind;
use crate::paths;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    allow_only_this_pages_scripts();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                // The stylesheet's name carries its hash in release builds.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy names this response's nonce, which
/// leptos puts on every inline script it writes (hydration, resources).
#[cfg(feature = "ssr")]
fn allow_only_this_pages_scripts() {
    use axum::http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
    let (Some(response), Some(nonce)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&crate::server::page_csp(&nonce)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="composition-admin" />
        <header class="topbar">
            <a href=paths::PROJECTS class="brand">
                "composition-admin"
            </a>
            <StaffBar />
        </header>
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async />
                <Route path=StaticSegment("audit") view=AuditPage ssr=SsrMode::Async />
                <Route path=StaticSegment("staff") view=StaffPage ssr=SsrMode::Async />
                // Async: the whole page is rendered before it is sent, so it
                // is complete without JavaScript (out-of-order streaming
                // needs a script to move the resolved parts into place).
                <Route path=StaticSegment("projects") view=ProjectsPage ssr=SsrMode::Async />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"))
                    view=|| {
                        view! {
                            <ProjectFrame>
                                <SettingsPage kind=SettingsKind::Composition />
                            </ProjectFrame>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("recording"))
                    view=|| {
                        view! {
                            <ProjectFrame>
                                <SettingsPage kind=SettingsKind::Recording />
                            </ProjectFrame>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("credentials"))
                    view=|| {
                        view! {
                            <ProjectFrame>
                                <CredentialsPage />
                            </ProjectFrame>
                        }
                    }
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("edit"))
                    view=|| {
                        view! {
                            <ProjectFrame>
                                <ProjectEditPage />
                            </ProjectFrame>
                        }
                    }
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p>
                <a href=paths::PROJECTS>"See all projects"</a>
            </p>
        </main>
    }
}
