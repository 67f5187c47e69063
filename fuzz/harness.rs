//! What each fuzz target does with its input, shared with `tests/fuzz_corpus.rs`, which replays
//! the saved corpus in the ordinary test suite. Each function panics only when vendorcard does
//! something it must never do: panic, or let markup through.

#![allow(dead_code, reason = "each fuzz target, and the corpus test, uses its own part")]

use std::io;
use std::path::Path;

use chrono::NaiveDate;

use vendorcard::evaluate::periods::PeriodKind;
use vendorcard::load::{self, contracts};
use vendorcard::render::{self, Audience, Sink};
use vendorcard::site::SiteError;

/// A contract that every export and review below is read against.
const CONTRACT: &str = "name: Fuzz Support\n\
term: { start: 2026-01-01, end: 2026-12-31 }\n\
fee: { monthly: 1000, currency: EUR }\n\
credits: { cap_percent: 10, earn_back_periods: 1 }\n\
kpis:\n\
  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n\
  - { id: csat, name: CSAT, unit: percent, better: higher, target: 80, aggregate: p90, credit_tiers: [{ worse_than: 80, percent: 3 }] }\n\
  - { id: last, name: Backlog, unit: count, better: lower, target: 10, aggregate: last, when_missing: skip }\n";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 15).expect("a date")
}

/// A contract's YAML.
pub fn contract(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = contracts::parse("contracts/fuzz.yaml", "fuzz", text, PeriodKind::Month);
        let _ = contracts::parse("contracts/fuzz.yaml", "fuzz", text, PeriodKind::Quarter);
    }
}

/// `vendorcard.yaml`.
pub fn settings(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vendorcard::config::parse_all("vendorcard.yaml", text);
    }
}

/// A KPI export, any bytes, through a whole build: load, evaluate and render every page.
pub fn export(data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write(dir.path(), "contracts/fuzz.yaml", CONTRACT.as_bytes());
    write(dir.path(), "kpis/fuzz/export.csv", data);
    build(dir.path());
}

/// Markdown: rendered on its own, and as the notes of a review read in a build.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = render::markdown::to_html(text);
    assert_inert(&html, "the notes");

    let dir = tempfile::tempdir().expect("a temporary folder");
    write(dir.path(), "contracts/fuzz.yaml", CONTRACT.as_bytes());
    write(dir.path(), "kpis/fuzz.csv", b"date,vendor,kpi,value\n2026-03-02,fuzz,wait,50\n");
    let review = format!("---\ndate: 2026-03-10\n---\n{text}");
    write(dir.path(), "reviews/fuzz/2026-03-10.md", review.as_bytes());
    build(dir.path());
}

fn write(root: &Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
    std::fs::write(path, bytes).expect("a file");
}

/// Loads, evaluates and renders, writing nothing; a page that holds a script fails.
fn build(root: &Path) {
    let Ok(loaded) = load::load(root, today(), None, None) else { return };
    let evaluation = vendorcard::evaluate::evaluate(&loaded.project, today());
    let rendered =
        render::render(&loaded.project, &evaluation, &loaded.templates, Audience::Buyer, &Checked);
    assert!(rendered.is_ok(), "the built-in templates failed: {rendered:?}");
}

/// A sink that keeps nothing but checks each page: the built-in templates hold no script, so
/// any script, script link or event handler in a page came from the input.
struct Checked;

impl Sink for Checked {
    fn write(
        &self,
        path: &str,
        fill: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), SiteError> {
        let mut bytes = Vec::new();
        fill(&mut bytes).expect("rendering into memory");
        if path.ends_with(".html") {
            assert_inert(&String::from_utf8(bytes).expect("a page is UTF-8"), path);
        }
        Ok(())
    }
}

/// Fails when `html`, parsed as a browser would, holds a script element, an event-handler
/// attribute, or a link or source whose address runs a script. The same words shown as text
/// (`&lt;script&gt;`, `javascript:` in a sentence or inside a relative address) are fine.
fn assert_inert(html: &str, place: &str) {
    let document = scraper::Html::parse_document(html);
    for node in document.tree.nodes() {
        let scraper::Node::Element(element) = node.value() else { continue };
        assert_ne!(element.name(), "script", "a script in {place}: {html}");
        for (name, value) in element.attrs() {
            assert!(!name.starts_with("on"), "an event handler `{name}` in {place}: {html}");
            // Browsers ignore spaces and control characters in a scheme.
            let address: String = value
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:text/html"] {
                assert!(!address.starts_with(scheme), "`{name}={value}` in {place}: {html}");
            }
        }
    }
}
