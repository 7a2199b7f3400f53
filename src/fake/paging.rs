//! `PageSize`, `Page` and `PageToken`, as Twilio's list endpoints take them.

use super::error::{bad_request, ApiError};
use serde::Deserialize;

/// Highest `Page` answered; with `PageSize` at most 1,000 every offset the
/// fake computes stays far from overflowing.
const MAX_PAGE: usize = 1_000_000;

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(rename = "PageSize")]
    page_size: Option<String>,
    #[serde(rename = "Page")]
    page: Option<String>,
    #[serde(rename = "PageToken")]
    page_token: Option<String>,
}

impl PageQuery {
    /// The page size (1 to 1,000, 50 when not given) and page number.
    pub fn bounds(&self) -> Result<(usize, usize), ApiError> {
        let page_size = match &self.page_size {
            None => 50,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| bad_request("Invalid PageSize: expected a number from 1 to 1000"))?,
        };
        let page = match &self.page {
            None => 0,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_PAGE)
                .ok_or_else(|| bad_request("Invalid Page: expected a number from 0 to 1000000"))?,
        };
        // Our tokens are `PA<offset>`; a token must agree with the page it names.
        if let Some(token) = &self.page_token {
            if token != &token_for(page, page_size) {
                return Err(bad_request("Invalid PageToken"));
            }
        }
        Ok((page_size, page))
    }
}

/// The token a link to page `page` carries.
pub fn token_for(page: usize, page_size: usize) -> String {
    format!("PA{}", page * page_size)
}

/// A 2010-04-01 list answer: the items under `key` and the paging fields
/// at the top level, with URIs relative to the API's host.
pub fn legacy_page(
    key: &str,
    path: &str,
    filters: &[(&str, &str)],
    all: Vec<serde_json::Value>,
    page_size: usize,
    page: usize,
) -> serde_json::Value {
    let query_for = |n: usize| {
        let mut pairs: Vec<(String, String)> = filters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        pairs.push(("PageSize".into(), page_size.to_string()));
        pairs.push(("Page".into(), n.to_string()));
        if n > 0 {
            pairs.push(("PageToken".into(), token_for(n, page_size)));
        }
        let query = serde_urlencoded::to_string(pairs).expect("strings encode");
        format!("{path}?{query}")
    };
    let total = all.len();
    let start = page.saturating_mul(page_size).min(total);
    let end = start.saturating_add(page_size).min(total);
    let items: Vec<_> = all.into_iter().skip(start).take(end - start).collect();
    let mut body = serde_json::json!({
        "first_page_uri": query_for(0),
        "next_page_uri": (end < total).then(|| query_for(page + 1)),
        "previous_page_uri": (page > 0).then(|| query_for(page - 1)),
        "page": page,
        "page_size": page_size,
        "start": page.saturating_mul(page_size),
        "end": (page.saturating_mul(page_size) + items.len()).saturating_sub(1),
        "uri": query_for(page),
    });
    body[key] = serde_json::Value::Array(items);
    body
}
