//! The browser apps, embedded: GraphiQL under `/graphiql/` and the members console under
//! `/console/`, built from `web/` into `web/dist/` (committed, so building the server needs
//! no Node) and compiled into the binary, so nothing is fetched from a CDN, ever.
//!
//! Hashed files under `assets/` are cached for a year; the pages themselves are revalidated
//! on every load, so a new release is picked up at once. Every console path that is not an
//! asset answers the console's page (it routes in the browser); a missing asset is a 404,
//! never the page, so a stale reference fails visibly.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

static WEB: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../web/dist");

/// What the pages may load and connect to: only this origin (the API and its websocket
/// included). Styles may be inline (the editor sets them); nothing may frame the pages.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; connect-src 'self'; script-src 'self'; \
     worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The routes of both apps. GraphiQL's, with `/` sending people to it, only when `graphiql`.
pub fn routes<S: Clone + Send + Sync + 'static>(graphiql: bool, console: bool) -> Router<S> {
    let mut router = Router::new();
    if graphiql {
        router = router
            .route("/", get(|| async { Redirect::permanent("/graphiql/") }))
            .route("/graphiql", get(|| async { Redirect::permanent("/graphiql/") }))
            .route("/graphiql/", get(|| async { page("graphiql") }))
            .route(
                "/graphiql/assets/{*path}",
                get(|Path(path): Path<String>| async move { asset("graphiql", &path) }),
            );
    }
    if console {
        router = router
            .route("/console", get(|| async { Redirect::permanent("/console/") }))
            .route("/console/", get(|| async { page("console") }))
            .route(
                "/console/assets/{*path}",
                get(|Path(path): Path<String>| async move { asset("console", &path) }),
            )
            .route(
                "/console/{*route}",
                get(|Path(route): Path<String>| async move { app_route("console", &route) }),
            );
    }
    router
}

/// An app's `index.html`, revalidated on every load.
fn page(app: &str) -> Response {
    let Some(file) = WEB.get_file(format!("{app}/index.html")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = file.contents().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    // Links in mails carry tokens in their query string; no other site may see them.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Any other path of an app: its page, which routes in the browser; but never for a path
/// under `assets/`.
fn app_route(app: &str, route: &str) -> Response {
    if route == "assets" || route.starts_with("assets/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    page(app)
}

/// A built file under an app's `assets/`, by its exact (content-hashed) name.
fn asset(app: &str, path: &str) -> Response {
    let Some(file) = WEB.get_file(format!("{app}/assets/{path}")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(content_type) = content_type(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = file.contents().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The content type of a built file, by its extension; `None` for kinds the builds do not
/// produce (they are not served).
fn content_type(path: &str) -> Option<&'static str> {
    Some(match path.rsplit_once('.')?.1 {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_apps_are_embedded_and_every_asset_has_a_type() {
        for app in ["graphiql", "console"] {
            let dir = WEB.get_dir(format!("{app}/assets")).unwrap_or_else(|| panic!("{app}'s assets"));
            assert!(WEB.get_file(format!("{app}/index.html")).is_some(), "{app}'s page");
            for file in dir.files() {
                let name = file.path().to_string_lossy();
                assert!(content_type(&name).is_some(), "{name} would not be served");
            }
        }
    }
}
