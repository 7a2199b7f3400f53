//! The HTML document and the routes.

use super::pages::{
    settings, AuditRoute, BulkRoute, CredentialsRoute, EditProjectRoute, FileImportRoute,
    FleetRoute, HistoryRoute, ImportRoute, ImportStartRoute, ProjectsRoute, SignInRoute,
    StaffRoute, TemplateRoute, TemplatesRoute,
};
use super::sign_in_page::StaffBar;
use crate::domain::SettingsKind;
use crate::paths;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, ParamSegment, SsrMode, StaticSegment};

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
        <Router>
            // Inside the router: the navigation marks the current page.
            <header class="topbar">
                <div class="topbar-inner">
                    <a href=paths::PROJECTS class="brand">
                        "composition-admin"
                    </a>
                    <StaffBar />
                </div>
            </header>
            <Routes fallback=NotFound>
                // Async: the whole page is rendered before it is sent, so it
                // is complete without JavaScript (out-of-order streaming
                // needs a script to move the resolved parts into place).
                <Route path=StaticSegment("sign-in") view={Lazy::<SignInRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("fleet") view={Lazy::<FleetRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("staff") view={Lazy::<StaffRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("templates") view={Lazy::<TemplatesRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment("bulk"), ParamSegment("id")) view={Lazy::<BulkRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("imports") view={Lazy::<ImportStartRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment("imports"), ParamSegment("id")) view={Lazy::<ImportRoute>::new()} ssr=SsrMode::Async />
                <Route path=(StaticSegment("imports"), StaticSegment("file"), ParamSegment("id")) view={Lazy::<FileImportRoute>::new()} ssr=SsrMode::Async />
                <Route path=StaticSegment("projects") view={Lazy::<ProjectsRoute>::new()} ssr=SsrMode::Async />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"))
                    view=|| settings(SettingsKind::Composition)
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("recording"))
                    view=|| settings(SettingsKind::Recording)
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("credentials"))
                    view={Lazy::<CredentialsRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("history"))
                    view={Lazy::<HistoryRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("template"))
                    view={Lazy::<TemplateRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("projects"), ParamSegment("id"), StaticSegment("edit"))
                    view={Lazy::<EditProjectRoute>::new()}
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
