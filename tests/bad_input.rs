//! Bad input, through the real binary: each problem is named with its file and line (or row and
//! column), every problem of a run is listed together, the exit code is 1, and the previous
//! site is left exactly as it was.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::{Project, snapshot, stderr};

const CONTRACT: &str = "name: Acme Support\n\
term: { start: 2026-01-01, end: 2026-12-31 }\n\
fee: { monthly: 1000, currency: EUR }\n\
kpis:\n\
  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n\
  - { id: csat, name: CSAT, unit: percent, better: higher, target: 80 }\n";

const EXPORT: &str = "date,vendor,kpi,value\n2026-01-10,acme,wait,50\n2026-01-10,acme,csat,85%\n";

fn good_project() -> Project {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT).file("kpis/acme.csv", EXPORT);
    project
}

fn failed(project: &Project) -> String {
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "expected invalid input:\n{}", stderr(&output));
    stderr(&output)
}

#[test]
fn an_unknown_key_in_a_contract_is_placed_and_named() {
    let project = good_project();
    project.file("contracts/acme.yaml", &CONTRACT.replace("tolerance: 90", "tolerence: 90"));
    let errors = failed(&project);
    assert!(errors.contains("unknown field `tolerence`"), "{errors}");
    assert!(errors.contains("--> contracts/acme.yaml:5:"), "{errors}");
}

#[test]
fn every_problem_of_a_run_is_listed_together() {
    let project = good_project();
    project.file("contracts/acme.yaml", &CONTRACT.replace("tolerance: 90", "tolerance: 30"));
    project.file("contracts/bolt.yaml", "name: Bolt\nterm: { start: 2026-01-01 }\nkpis:\n  - { id: up, unit: percent, better: sideways, target: 99 }\n");
    project.file("kpis/more.csv", "date,vendor,kpi,value\n2026-01-11,acme,wiat,5\n2026-01-12,zeta,wait,5\n2026-31-01,acme,wait,5\n2026-01-13,acme,csat,high\n");
    let errors = failed(&project);

    // The tolerance on the wrong side and the unknown `better` in two contracts...
    assert!(errors.contains("`tolerance` 30 is on the wrong side of `target` 60"), "{errors}");
    assert!(errors.contains("--> contracts/acme.yaml:5:"), "{errors}");
    assert!(errors.contains("unknown variant `sideways`"), "{errors}");
    assert!(errors.contains("--> contracts/bolt.yaml:4:"), "{errors}");
    // ...and four rows of one export, each at its row and column, including the rows of
    // `acme`, whose contract is broken but whose KPIs are known.
    assert!(errors.contains("contract `acme` declares no KPI `wiat`"), "{errors}");
    assert!(errors.contains("--> kpis/more.csv:2:3"), "{errors}");
    assert!(errors.contains("`high` is not a number"), "{errors}");
    assert!(errors.contains("--> kpis/more.csv:5:4"), "{errors}");
    assert!(
        errors.contains("no contract has the vendor id `zeta`: expected one of acme, bolt"),
        "{errors}"
    );
    assert!(errors.contains("--> kpis/more.csv:3:2"), "{errors}");
    assert!(errors.contains("`2026-31-01` is not a day of the calendar"), "{errors}");
    assert!(errors.contains("--> kpis/more.csv:4:1"), "{errors}");
}

#[test]
fn rows_are_checked_against_the_contract_they_name() {
    let project = good_project();
    project.file("kpis/more.csv", "date,vendor,kpi,value\n2026-01-11,acme,wiat,5\n2026-01-13,acme,csat,high\n2026-01-14,acme,csat,NaN\n");
    let errors = failed(&project);
    assert!(
        errors.contains("contract `acme` declares no KPI `wiat`: expected one of wait, csat"),
        "{errors}"
    );
    assert!(errors.contains("--> kpis/more.csv:2:3"), "{errors}");
    assert!(errors.contains("`high` is not a number"), "{errors}");
    assert!(errors.contains("--> kpis/more.csv:3:4"), "{errors}");
    assert!(errors.contains("`NaN` is not a number"), "{errors}");
    assert!(errors.contains("--> kpis/more.csv:4:4"), "{errors}");
    assert!(errors.contains("error: 3 problems in the inputs"), "{errors}");
}

#[test]
fn a_wide_export_names_the_cell_that_is_not_a_number() {
    let project = good_project();
    project.file("kpis/acme/wide.csv", "date,wait,csat\n2026-01-02,40,90\n2026-01-03,#DIV/0!,91\n");
    let errors = failed(&project);
    assert!(errors.contains("`#DIV/0!` is not a number"), "{errors}");
    assert!(errors.contains("--> kpis/acme/wide.csv:3:2"), "{errors}");
}

#[test]
fn a_vendor_folder_without_a_contract_is_an_error() {
    let project = good_project();
    project.file("kpis/acmee/wide.csv", "date,wait\n2026-01-02,40\n");
    let errors = failed(&project);
    assert!(errors.contains("the folder `kpis/acmee/` names no contract"), "{errors}");
}

#[test]
fn two_contracts_may_not_share_an_id() {
    let project = good_project();
    project.file("contracts/acme-copy.yaml", &format!("id: acme\n{CONTRACT}"));
    let errors = failed(&project);
    assert!(
        errors.contains("the vendor id `acme` is also used by contracts/acme-copy.yaml"),
        "{errors}"
    );
}

#[test]
fn bad_dates_and_ids_in_a_contract_are_each_reported() {
    let project = good_project();
    let broken =
        CONTRACT.replace("start: 2026-01-01", "start: 2026-02-30").replace("id: csat", "id: CSAT");
    project.file("contracts/acme.yaml", &broken);
    let errors = failed(&project);
    assert!(errors.contains("`2026-02-30` is not a day of the calendar"), "{errors}");
    assert!(errors.contains("--> contracts/acme.yaml:2:16"), "{errors}");
    assert!(errors.contains("`CSAT` is not a KPI id"), "{errors}");
    assert!(errors.contains("--> contracts/acme.yaml:6:9"), "{errors}");
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let project = good_project();
    project.build_ok("2026-02-03");
    let before = snapshot(&project.out());
    assert!(before.iter().any(|(name, _)| name == "vendors/acme/index.html"));

    project.file("kpis/acme.csv", &format!("{EXPORT}2026-01-11,acme,wait,soon\n"));
    failed(&project);
    assert_eq!(snapshot(&project.out()), before, "the old site is byte-for-byte as it was");
}

#[test]
fn a_missing_contracts_folder_is_explained() {
    let project = Project::new();
    project.file("notes.txt", "nothing here");
    let errors = failed(&project);
    assert!(errors.contains("no `contracts/` folder here"), "{errors}");
    assert!(errors.contains("help: a project holds contracts/<vendor>.yaml"), "{errors}");
}

#[test]
fn bad_settings_are_reported_with_the_contracts() {
    let project = good_project();
    project.file("vendorcard.yaml", "period: fortnight\n");
    project.file("contracts/acme.yaml", &CONTRACT.replace("currency: EUR", "currency: EURO"));
    let errors = failed(&project);
    assert!(errors.contains("--> vendorcard.yaml:1:9"), "{errors}");
    assert!(errors.contains("`EURO` is not an ISO 4217 currency code"), "{errors}");
}
