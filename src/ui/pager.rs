//! "Previous page" and "Next page" between the pages of a long list.

use leptos::prelude::*;

/// The links for page `page` of `pages`, each made by `href`; nothing when
/// everything fits on one page.
pub fn pager(
    page: usize,
    pages: usize,
    href: &dyn Fn(usize) -> String,
    label: &'static str,
) -> impl IntoView {
    (pages > 1).then(|| {
        let previous = (page > 1).then(|| href(page - 1));
        let next = (page < pages).then(|| href(page + 1));
        view! {
            <nav class="pager" aria-label=label>
                {previous.map(|href| view! { <a href=href rel="prev">"Previous page"</a> })}
                {next.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
            </nav>
        }
    })
}
