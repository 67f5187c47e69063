//! The sample site in a real browser: headless Chromium opens every page, from disk and served
//! from a subfolder, and the test fails on any console error, any request that leaves the
//! site and any broken link or anchor. It saves screenshots of the portfolio and a vendor page
//! at desktop and phone widths, light and dark, and of the vendor page as printed, under
//! `target/tmp/screenshots/`.
//!
//! Chromium comes from the system (`/usr/bin/chromium`, or the path in `VENDORCARD_CHROMIUM`).
//! Without it the test is skipped with a message, unless `VENDORCARD_BROWSER_TESTS=required`
//! (as `.ci/run` sets it), where a missing browser fails the test.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Log, Network, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};

use common::{Project, stderr};

/// What every page showed: the links and ids it holds, and what went wrong while it loaded.
#[derive(Debug, Default)]
struct Visit {
    links: Vec<String>,
    ids: BTreeSet<String>,
}

/// Collected from the browser's events while pages load.
#[derive(Debug, Default)]
struct Observed {
    errors: Vec<String>,
    requests: Vec<String>,
}

fn chromium() -> Option<PathBuf> {
    let given = std::env::var_os("VENDORCARD_CHROMIUM").map(PathBuf::from);
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
    given.into_iter().chain(candidates.iter().map(PathBuf::from)).find(|path| path.is_file())
}

#[test]
fn the_sample_site_works_in_a_real_browser() {
    let required = std::env::var("VENDORCARD_BROWSER_TESTS").is_ok_and(|v| v == "required");
    let Some(chromium) = chromium() else {
        assert!(
            !required,
            "VENDORCARD_BROWSER_TESTS=required but no Chromium was found: install the chromium package or set VENDORCARD_CHROMIUM"
        );
        eprintln!(
            "\n*** SKIPPED the browser test: no Chromium found (install the `chromium` package, or set VENDORCARD_CHROMIUM to its path) ***\n"
        );
        return;
    };

    let project = sample_project();
    let site = project.path().join("reports/scorecards");
    let output =
        project.run(&["build", "sample", "--out", "reports/scorecards", "--today", "2026-12-03"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pages = pages(&site);
    assert!(pages.len() > 10, "{pages:?}");

    let browser = launch(&chromium);
    let tab = browser.new_tab().unwrap();
    let observed = observe(&tab);

    // From disk, as a downloaded CI artifact is opened.
    let started = std::time::Instant::now();
    let root = format!("file://{}/", site.display());
    check_site(&tab, &observed, &root, &pages, &site);
    eprintln!("{} pages from disk checked in {:?}", pages.len(), started.elapsed());

    // Served from a subfolder of a host, as on a project's pages.
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let served = site.clone();
    std::thread::spawn(move || serve(&server, &served));
    let root = format!("http://127.0.0.1:{port}/reports/scorecards/");
    check_site(&tab, &observed, &root, &pages, &site);

    let vendor_pages: Vec<&String> = pages.iter().filter(|p| p.starts_with("vendors/")).collect();
    screenshots(&tab, &root, &vendor_pages);
}

/// A copy of the sample project, so that the build writes into the test's own folder.
fn sample_project() -> Project {
    let project = Project::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    for entry in walkdir::WalkDir::new(&sample) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(&sample).unwrap();
        if relative.starts_with("public") || !entry.file_type().is_file() {
            continue;
        }
        let target = project.path().join("sample").join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), target).unwrap();
    }
    project
}

/// Every HTML page of the site, by its path below the site's folder.
fn pages(site: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension() == Some(OsStr::new("html")))
        .map(|e| e.path().strip_prefix(site).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    pages.sort();
    pages
}

fn launch(chromium: &Path) -> Browser {
    let args: Vec<&OsStr> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(chromium.to_path_buf()))
        .headless(true)
        .sandbox(false)
        .disable_default_args(true)
        .args(args)
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    Browser::new(options).unwrap()
}

/// Records console errors, uncaught exceptions, failed loads and every request the page makes.
fn observe(tab: &Arc<Tab>) -> Arc<Mutex<Observed>> {
    let observed = Arc::new(Mutex::new(Observed::default()));
    tab.enable_log().unwrap();
    tab.call_method(Runtime::Enable(None)).unwrap();
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .unwrap();
    let sink = Arc::clone(&observed);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let mut seen = sink.lock().unwrap();
        match event {
            Event::LogEntryAdded(entry)
                if entry.params.entry.level == Log::LogEntryLevel::Error =>
            {
                let entry = &entry.params.entry;
                seen.errors.push(format!(
                    "{} ({})",
                    entry.text,
                    entry.url.clone().unwrap_or_default()
                ));
            }
            Event::RuntimeConsoleAPICalled(call)
                if matches!(
                    call.params.Type,
                    Runtime::ConsoleAPICalledEventTypeOption::Error
                        | Runtime::ConsoleAPICalledEventTypeOption::Assert
                ) =>
            {
                seen.errors.push(format!("console: {:?}", call.params.args));
            }
            Event::RuntimeExceptionThrown(thrown) => {
                seen.errors.push(format!("exception: {}", thrown.params.exception_details.text));
            }
            Event::NetworkLoadingFailed(failed) => {
                seen.errors.push(format!("failed to load: {}", failed.params.error_text));
            }
            Event::NetworkRequestWillBeSent(sent) => {
                seen.requests.push(sent.params.request.url.clone());
            }
            _ => {}
        }
    }))
    .unwrap();
    observed
}

/// Opens every page under `root` and checks what it loaded and where its links lead.
fn check_site(
    tab: &Arc<Tab>,
    observed: &Arc<Mutex<Observed>>,
    root: &str,
    pages: &[String],
    site: &Path,
) {
    let mut visits: BTreeMap<String, Visit> = BTreeMap::new();
    for page in pages {
        tab.navigate_to(&format!("{root}{page}")).unwrap().wait_until_navigated().unwrap();
        let found = evaluate(
            tab,
            "JSON.stringify({ links: [...document.querySelectorAll('a[href], link[href]')].map(a => a.href), \
             ids: [...document.querySelectorAll('[id]')].map(e => e.id) })",
        );
        let found: serde_json::Value = serde_json::from_str(found.as_str().unwrap()).unwrap();
        let strings = |key: &str| -> Vec<String> {
            found[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
        };
        visits.insert(
            page.clone(),
            Visit { links: strings("links"), ids: strings("ids").into_iter().collect() },
        );
    }

    let seen = std::mem::take(&mut *observed.lock().unwrap());
    assert!(
        seen.errors.is_empty(),
        "errors while loading from {root}:\n{}",
        seen.errors.join("\n")
    );
    let away: Vec<&String> = seen.requests.iter().filter(|url| !url.starts_with(root)).collect();
    assert!(away.is_empty(), "requests that leave the site {root}: {away:?}");
    assert!(seen.requests.len() >= pages.len() * 2, "each page loads itself and its style sheet");

    let mut broken = Vec::new();
    for (page, visit) in &visits {
        for link in &visit.links {
            let Some(inside) = link.strip_prefix(root) else {
                // Links to elsewhere are the reader's to follow, never loaded by the page; the
                // canonical link of a site with a base URL would be one.
                continue;
            };
            let (path, anchor) = inside.split_once('#').unwrap_or((inside, ""));
            let path = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_owned()
            };
            let target_ok = match visits.get(&path) {
                Some(target) => anchor.is_empty() || target.ids.contains(anchor),
                None => anchor.is_empty() && site.join(&path).is_file(),
            };
            if !target_ok {
                broken.push(format!("{page} → {link}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links from {root}:\n{}", broken.join("\n"));
    let linked: usize = visits.values().map(|v| v.links.len()).sum();
    assert!(linked > pages.len() * 3, "the pages link to one another ({linked} links)");
}

fn evaluate(tab: &Arc<Tab>, expression: &str) -> serde_json::Value {
    tab.evaluate(expression, false).unwrap().value.unwrap()
}

/// Serves the site's files under `/reports/scorecards/`, and nothing else.
fn serve(server: &tiny_http::Server, site: &Path) {
    for request in server.incoming_requests() {
        let url = request.url().split(['?', '#']).next().unwrap_or_default().to_owned();
        let file = url.strip_prefix("/reports/scorecards/").map(|path| {
            let path = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_owned()
            };
            site.join(path)
        });
        let response = match file.filter(|f| f.is_file() && !f.to_string_lossy().contains("..")) {
            Some(file) => {
                let kind = match file.extension().and_then(OsStr::to_str) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("css") => "text/css",
                    Some("json") => "application/json",
                    Some("csv") => "text/csv",
                    Some("xml") => "application/xml",
                    _ => "application/octet-stream",
                };
                let header = tiny_http::Header::from_bytes("Content-Type", kind).unwrap();
                tiny_http::Response::from_data(std::fs::read(file).unwrap()).with_header(header)
            }
            None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
        };
        let _ = request.respond(response);
    }
}

/// Screenshots to look at: the portfolio and a vendor page at desktop and phone widths, light
/// and dark, and the vendor page as printed on A4. The checks beside them hold in every case:
/// the dark scheme is applied, and no page is wider than a phone's screen.
fn screenshots(tab: &Arc<Tab>, root: &str, vendor_pages: &[&String]) {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    let pages = [("portfolio", "index.html"), ("vendor", "vendors/northwind-support/index.html")];
    for (scheme, (width, height, mobile), (name, page)) in [
        ("light", (1280, 900, false)),
        ("dark", (1280, 900, false)),
        ("light", (390, 844, true)),
        ("dark", (390, 844, true)),
    ]
    .into_iter()
    .flat_map(|(scheme, size)| pages.iter().map(move |page| (scheme, size, *page)))
    {
        emulate(tab, width, height, mobile, None, scheme);
        tab.navigate_to(&format!("{root}{page}")).unwrap().wait_until_navigated().unwrap();
        let background = evaluate(tab, "getComputedStyle(document.body).backgroundColor");
        let expected = if scheme == "dark" { "rgb(22, 22, 27)" } else { "rgb(255, 255, 255)" };
        assert_eq!(background, expected, "{page} in {scheme}");
        if mobile {
            let overflow =
                evaluate(tab, "document.documentElement.scrollWidth - window.innerWidth");
            assert!(
                overflow.as_f64().unwrap() <= 0.0,
                "{page} is wider than a phone by {overflow} px"
            );
        }
        let device = if mobile { "phone" } else { "desktop" };
        save(
            tab,
            (width, mobile, None, scheme),
            &folder.join(format!("{name}-{device}-{scheme}.png")),
        );
    }

    // A4 less the print margins of 12 mm a side is 186 mm, 703 px at 96 dpi.
    emulate(tab, 703, 1123, false, Some("print"), "light");
    tab.navigate_to(&format!("{root}vendors/northwind-support/index.html"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    let hidden = evaluate(
        tab,
        "getComputedStyle(document.querySelector('details table') || document.body).display",
    );
    assert_ne!(hidden, "none", "folded tables are printed");
    save(tab, (703, false, Some("print"), "light"), &folder.join("vendor-print-a4.png"));
    eprintln!("screenshots in {}", folder.display());

    // On paper nothing scrolls: at the width of A4 and of Letter (8.5 in less 24 mm, 725 px),
    // no table of any vendor page is wider than the page.
    for width in [703, 725] {
        emulate(tab, width, 1123, false, Some("print"), "light");
        for page in vendor_pages {
            tab.navigate_to(&format!("{root}{page}")).unwrap().wait_until_navigated().unwrap();
            let cut = evaluate(
                tab,
                "[...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(t => t.querySelector('caption')?.textContent || 'a table').join('; ')",
            );
            assert_eq!(cut, "", "{page} printed {width} px wide cuts off these tables");
        }
    }
}

fn emulate(
    tab: &Arc<Tab>,
    width: u32,
    height: u32,
    mobile: bool,
    media: Option<&str>,
    scheme: &str,
) {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .unwrap();
    tab.call_method(Emulation::SetEmulatedMedia {
        media: media.map(str::to_owned),
        features: Some(vec![Emulation::MediaFeature {
            name: "prefers-color-scheme".to_owned(),
            value: scheme.to_owned(),
        }]),
    })
    .unwrap();
}

/// The whole page, up to a height that keeps the file small enough to look at: the viewport
/// is made as tall as the page for the picture.
fn save(
    tab: &Arc<Tab>,
    (width, mobile, media, scheme): (u32, bool, Option<&str>, &str),
    path: &Path,
) {
    let size = tab.call_method(Page::GetLayoutMetrics(None)).unwrap().css_content_size;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a page height in pixels"
    )]
    let height = size.height.clamp(1.0, 6000.0).ceil() as u32;
    emulate(tab, width, height, mobile, media, scheme);
    let png =
        tab.capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    std::fs::write(path, png).unwrap();
}
