//! GraphiQL and the members console, as the binary serves them: embedded, from its own
//! paths, with nothing on a CDN, with the right types and caching. (What they do in a browser
//! is tested in Chromium by `web/scripts/browser-tests`.)

use roster_tests::{Backend, TestApp};

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    client.get(app.url(path)).send().await.expect("an answer")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The `src` and `href` paths an HTML page references.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for part in html.split(attribute).skip(1) {
            found.push(part.split('"').next().unwrap_or_default().to_owned());
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_apps_are_served_from_the_binary_with_nothing_from_elsewhere() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let root = get(&app, "/").await;
    assert_eq!((root.status().as_u16(), header(&root, "location")), (308, "/graphiql/"));
    for (app_path, name) in [("/graphiql/", "graphiql"), ("/console/", "console")] {
        let page = get(&app, app_path).await;
        assert_eq!(page.status(), 200, "{app_path}");
        assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
        assert_eq!(header(&page, "cache-control"), "no-cache");
        assert_eq!(header(&page, "referrer-policy"), "no-referrer");
        assert_eq!(header(&page, "x-content-type-options"), "nosniff");
        assert!(header(&page, "content-security-policy").contains("default-src 'self'"));
        let html = page.text().await.expect("a page");
        let assets = references(&html);
        assert!(!assets.is_empty(), "{html}");
        for asset in assets.into_iter().filter(|a| !a.starts_with("data:")) {
            assert!(
                asset.starts_with(&format!("/{name}/assets/")),
                "{app_path} loads only its own assets: {asset}"
            );
            let file = get(&app, &asset).await;
            assert_eq!(file.status(), 200, "{asset}");
            assert_eq!(header(&file, "cache-control"), "public, max-age=31536000, immutable");
            let kind = header(&file, "content-type").to_owned();
            let expected = if asset.ends_with(".js") {
                "text/javascript; charset=utf-8"
            } else {
                "text/css; charset=utf-8"
            };
            assert_eq!(kind, expected, "{asset}");
            let body = file.text().await.expect("a file");
            for cdn in
                ["unpkg.com", "cdn.jsdelivr.net", "cdnjs.cloudflare.com", "esm.sh", "fonts.googleapis.com"]
            {
                assert!(!body.contains(cdn), "{asset} refers to {cdn}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_paths_open_the_console_and_missing_assets_are_missing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let redirect = get(&app, "/console").await;
    assert_eq!((redirect.status().as_u16(), header(&redirect, "location")), (308, "/console/"));
    let page = get(&app, "/console/").await.text().await.expect("a page");
    // The links in mails, and any route of the app, answer its page.
    for path in [
        "/console/accept?token=abc",
        "/console/verify-email?token=abc",
        "/console/reset-password?token=abc",
        "/console/organizations/org_x/members",
    ] {
        let answer = get(&app, path).await;
        assert_eq!(answer.status(), 200, "{path}");
        assert_eq!(answer.text().await.expect("a page"), page, "{path}");
    }
    for path in ["/console/assets/missing.js", "/graphiql/assets/missing.js", "/console/assets/"] {
        assert_eq!(get(&app, path).await.status(), 404, "{path} is not the page");
    }
    let head = reqwest::Client::new().head(app.url("/console/")).send().await.expect("an answer");
    assert_eq!(head.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_app_can_be_turned_off() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.http.graphiql = false).await;
    for path in ["/", "/graphiql", "/graphiql/"] {
        assert_eq!(get(&app, path).await.status(), 404, "{path}");
    }
    assert_eq!(get(&app, "/console/").await.status(), 200, "the console stays");
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.http.console = false).await;
    assert_eq!(get(&app, "/console/").await.status(), 404);
    assert_eq!(get(&app, "/graphiql/").await.status(), 200, "GraphiQL stays");
}
