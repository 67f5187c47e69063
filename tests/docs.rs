//! The examples the documentation shows are real: each loads as it is written.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::{Project, stderr};

/// The first YAML block of a page under `docs/`.
fn first_yaml_block(page: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(page);
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_owned()
}

#[test]
fn the_contract_example_loads() {
    let project = Project::new();
    project.file("contracts/northwind-support.yaml", &first_yaml_block("contracts.md"));
    project.file(
        "kpis/northwind-support/export.csv",
        "date,avg_wait_time,availability\n2026-01-05,48,99.95\n2026-02-05,52,99.5\n",
    );

    let output = project.run(&["check", ".", "--today", "2026-03-03"]);

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}
