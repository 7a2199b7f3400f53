//! How the console ships bytes: the bundle precompressed and cached for a
//! year under its hashed name, pages compressed as they are sent.

use crate::common::*;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};

/// A built site as `cargo leptos build --release --precompress` leaves it:
/// hashed names, each with a brotli and a gzip copy.
fn built_site(test: &str) -> std::path::PathBuf {
    let site = std::env::temp_dir().join(format!("ca-site-{}-{test}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = pkg.join("composition-admin.0a1b2c.wasm");
    std::fs::write(&wasm, vec![0u8; 4096]).unwrap();
    std::fs::write(wasm.with_extension("wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(wasm.with_extension("wasm.gz"), b"gzip bytes").unwrap();
    site
}

#[test]
fn the_bundle_goes_out_precompressed_and_cached_for_a_year() {
    on_runtime(async {
        let site = built_site("hashed");
        let console = start_console_serving(site.to_str().unwrap(), true).await;
        let http = console.browser();
        let url = console.url("/pkg/composition-admin.0a1b2c.wasm");
        for (accepts, encoding, body) in [
            ("gzip, deflate, br", Some("br"), &b"brotli bytes"[..]),
            ("gzip", Some("gzip"), &b"gzip bytes"[..]),
            ("identity", None, &[0u8; 4096][..]),
        ] {
            let response = http
                .get(&url)
                .header(ACCEPT_ENCODING, accepts)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{accepts}");
            assert_eq!(
                response
                    .headers()
                    .get(CONTENT_ENCODING)
                    .map(|v| v.to_str().unwrap()),
                encoding,
                "{accepts}"
            );
            assert_eq!(
                response.headers()[CACHE_CONTROL],
                "public, max-age=31536000, immutable"
            );
            let vary = response.headers()[VARY]
                .to_str()
                .unwrap()
                .to_ascii_lowercase();
            assert!(vary.contains("accept-encoding"), "{vary}");
            assert_eq!(&response.bytes().await.unwrap()[..], body, "{accepts}");
        }
        std::fs::remove_dir_all(site).unwrap();
    })
}

#[test]
fn unhashed_bundles_are_revalidated() {
    on_runtime(async {
        let site = built_site("unhashed");
        let console = start_console_serving(site.to_str().unwrap(), false).await;
        let response = console.get("/pkg/composition-admin.0a1b2c.wasm").await;
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
        std::fs::remove_dir_all(site).ok();
    })
}

#[test]
fn pages_are_compressed_when_the_browser_accepts_it() {
    on_runtime(async {
        let console = start_console().await;
        let http = console.browser();
        let plain = http
            .get(console.url(&console.page("")))
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        let plain_len = plain.bytes().await.unwrap().len();
        let compressed = http
            .get(console.url(&console.page("")))
            .header(ACCEPT_ENCODING, "br")
            .send()
            .await
            .unwrap();
        assert_eq!(compressed.headers()[CONTENT_ENCODING], "br");
        assert_eq!(compressed.headers()[CACHE_CONTROL], "no-store");
        let vary = compressed.headers()[VARY]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(vary.contains("accept-encoding"), "{vary}");
        let compressed_len = compressed.bytes().await.unwrap().len();
        assert!(
            compressed_len * 3 < plain_len,
            "brotli {compressed_len} bytes vs plain {plain_len}"
        );
    })
}
