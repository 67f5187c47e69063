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
    // Placed at the `id:` that repeats the other file's id.
    assert!(
        errors.contains("the vendor id `acme` is also used by contracts/acme.yaml"),
        "{errors}"
    );
    assert!(errors.contains("--> contracts/acme-copy.yaml:1:5"), "{errors}");
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

#[test]
fn numbers_too_large_to_measure_are_errors_not_hangs() {
    let project = good_project();
    project.file("kpis/acme.csv", "date,vendor,kpi,value\n2026-01-10,acme,wait,1.7e308\n");
    let errors = failed(&project);
    assert!(errors.contains("`1.7e308` is too large to be a measurement"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:2:4"), "{errors}");
}

#[test]
fn contract_numbers_are_bounded_so_credits_cannot_overflow() {
    let project = good_project();
    let huge = CONTRACT
        .replace("monthly: 1000", "monthly: 30000000000000000000000000000")
        .replace("tolerance: 90, credit", "tolerance: 90, weight: 1e27, credit")
        .replace("target: 80", "target: 1e300");
    project.file("contracts/acme.yaml", &huge);
    let errors = failed(&project);
    assert!(
        errors.contains("the monthly fee must be a number from 0 to 1000000000000"),
        "{errors}"
    );
    assert!(errors.contains("`weight` must be a number from 0.000001 to 1000000"), "{errors}");
    assert!(
        errors.contains("`target` must be a number between -1000000000000000 and 1000000000000000"),
        "{errors}"
    );
}

/// The errors of the good project with `notes` as a second export, asserting that they report
/// a quote left open on `line`.
fn unclosed_quote_reported(notes: &str, line: u32) -> String {
    let project = good_project();
    project.file("kpis/notes.csv", notes);
    let errors = failed(&project);
    assert!(errors.contains("opens a quoted cell that is never closed"), "{errors}");
    assert!(errors.contains(&format!("--> kpis/notes.csv:{line}\n")), "{errors}");
    errors
}

/// Builds the good project with `notes` as a second export, whose rows of `wait` in January
/// are 20 and 30.
fn notes_of_20_and_30_are_read(notes: &str) {
    let project = good_project();
    project.file("kpis/notes.csv", notes);
    project.build_ok("2026-02-03");
    // 50 (kpis/acme.csv), 20 and 30: a mean of 33.33…, met.
    assert_eq!(project.json()["vendors"][0]["periods"][0]["kpis"][0]["actual"], 33.333333);
}

#[test]
fn an_unclosed_quote_is_an_error_not_a_swallowed_file() {
    unclosed_quote_reported(
        "date,vendor,kpi,value,comment\n2026-01-12,acme,wait,20,\"he said ok\n2026-01-13,acme,wait,30,fine\n2026-01-14,acme,wait,40,fine\n",
        2,
    );
}

#[test]
fn a_quoted_line_break_is_not_mistaken_for_an_unclosed_quote() {
    notes_of_20_and_30_are_read(
        "date,vendor,kpi,value,comment\n2026-01-12,acme,wait,20,\"two\nlines\"\n2026-01-13,acme,wait,30,fine\n",
    );
}

#[test]
fn a_quote_left_open_in_the_last_cell_of_the_file_is_an_error() {
    unclosed_quote_reported(
        "date,vendor,kpi,value\n2026-01-12,acme,wait,20\n2026-01-13,acme,wait,\"30",
        3,
    );
}

#[test]
fn a_quote_inside_an_unquoted_cell_is_text_and_opens_nothing() {
    // The reader takes the quote after `5` as part of the cell, so the later quoted line
    // break is the only quoted cell of the file.
    notes_of_20_and_30_are_read(
        "date,vendor,kpi,value,comment\n2026-01-12,acme,wait,20,a 5\" screen\n2026-01-13,acme,wait,30,\"two\nlines\"\n",
    );
}

#[test]
fn a_settings_path_that_is_not_a_file_is_an_error() {
    let project = good_project();
    std::fs::create_dir(project.path().join("vendorcard.yaml")).unwrap();
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("vendorcard.yaml"), "{}", stderr(&output));
}

#[test]
fn a_link_to_nothing_is_an_error_and_a_link_to_a_folder_is_reported() {
    let project = good_project();
    std::os::unix::fs::symlink("missing.csv", project.path().join("kpis/dangling.csv")).unwrap();
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("kpis/dangling.csv"), "{}", stderr(&output));
    assert!(stderr(&output).contains("is a link to nothing"), "{}", stderr(&output));

    std::fs::remove_file(project.path().join("kpis/dangling.csv")).unwrap();
    std::fs::create_dir(project.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", project.path().join("kpis/linked")).unwrap();
    let output = project.build_ok("2026-02-03");
    let log = stderr(&output);
    assert!(
        log.contains(
            "warning: is not read: a link to a folder, which is not followed\n  --> kpis/linked"
        ),
        "{log}"
    );
}

#[test]
fn problems_beyond_those_listed_are_still_counted() {
    let project = good_project();
    let rows: String =
        (1..=40).map(|day| format!("2026-01-{:02},acme,wait,soon\n", day % 28 + 1)).collect();
    project.file("kpis/acme.csv", &format!("date,vendor,kpi,value\n{rows}"));
    let errors = failed(&project);
    assert!(errors.contains("15 more problems in this file are not listed"), "{errors}");
    assert!(errors.contains("error: 40 problems in the inputs"), "{errors}");
}

#[test]
fn a_kpi_export_that_is_not_utf8_is_placed_at_its_cell_and_reading_goes_on() {
    let project = good_project();
    // `Zoë` in Windows-1252 on line 3, column 4; `high` on line 4 is reported as well.
    let mut export =
        b"date,vendor,kpi,value\n2026-01-10,acme,wait,50\n2026-01-11,acme,wait,Zo".to_vec();
    export.push(0xeb);
    export.extend_from_slice(b"\n2026-01-12,acme,wait,high\n");
    std::fs::write(project.path().join("kpis/acme.csv"), export).unwrap();
    let errors = failed(&project);
    assert!(errors.contains("holds text that is not UTF-8"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:3:4"), "{errors}");
    assert!(errors.contains("`high` is not a number"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:4:4"), "{errors}");
}

#[test]
fn a_quote_left_open_in_a_large_export_stops_reading_at_a_bounded_row() {
    let project = good_project();
    // The quote opened on line 3 never closes; 60,000 lines (1.4 MiB) follow it.
    let mut export =
        String::from("date,vendor,kpi,value\n2026-01-10,acme,wait,50\n2026-01-11,acme,wait,\"5\n");
    for _ in 0..60_000 {
        export.push_str("2026-01-12,acme,wait,55\n");
    }
    project.file("kpis/acme.csv", &export);
    let errors = failed(&project);
    assert!(errors.contains("runs past 1 MiB without ending"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:3"), "{errors}");
}

#[test]
fn a_row_of_too_many_cells_is_refused() {
    let project = good_project();
    let wide = format!("2026-01-11,acme,wait,5{}\n", ",".repeat(1_000));
    project
        .file("kpis/acme.csv", &format!("date,vendor,kpi,value\n2026-01-10,acme,wait,50\n{wide}"));
    let errors = failed(&project);
    assert!(errors.contains("the row has 1004 cells, more than the 1000"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:3"), "{errors}");
}

#[test]
fn a_contract_over_a_mebibyte_is_refused_before_it_is_parsed() {
    let project = good_project();
    let padding = "# a comment line to make the file large\n".repeat(30_000);
    project.file("contracts/acme.yaml", &format!("{CONTRACT}{padding}"));
    let errors = failed(&project);
    assert!(errors.contains("contracts/acme.yaml"), "{errors}");
    assert!(errors.contains("is larger than 1 MiB"), "{errors}");
}

#[test]
fn a_build_that_fails_while_rendering_leaves_the_previous_site_and_no_staging_folder() {
    let project = good_project();
    project.build_ok("2026-02-03");
    let before = snapshot(&project.out());

    // The template compiles, so the failure comes only once pages are being written.
    project.file("templates/vendor.html", "<html>{{ no_such_value.at_all }}</html>");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("templates/vendor.html"), "{}", stderr(&output));
    assert_eq!(snapshot(&project.out()), before, "the old site is byte-for-byte as it was");
    let staging: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".vendorcard-"))
        .collect();
    assert!(staging.is_empty(), "{staging:?}");
}

#[test]
fn a_row_is_read_up_to_a_mebibyte_and_refused_one_byte_past_it() {
    let row = |length: usize| {
        let (start, end) = ("2026-01-11,acme,wait,50,\"", "\"\n");
        format!("{start}{}{end}", "x".repeat(length - start.len() - end.len()))
    };
    let project = good_project();
    let header = "date,vendor,kpi,value,note\n";
    project.file("kpis/acme.csv", &format!("{header}{}", row(1 << 20)));
    project.build_ok("2026-02-03");

    project.file("kpis/acme.csv", &format!("{header}{}", row((1 << 20) + 1)));
    let errors = failed(&project);
    assert!(errors.contains("runs past 1 MiB without ending"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:2"), "{errors}");
}

#[test]
fn a_contract_with_problems_keeps_its_id_from_a_second_file() {
    let project = good_project();
    project.file("contracts/acme.yaml", &CONTRACT.replace("tolerance: 90", "tolerance: 30"));
    project.file(
        "contracts/other.yaml",
        "id: acme\nname: Other\nterm: { start: 2026-01-01 }\nkpis:\n  - { id: up, name: Up, unit: percent, better: higher, target: 99 }\n",
    );
    let errors = failed(&project);
    assert!(errors.contains("`tolerance` 30 is on the wrong side"), "{errors}");
    assert!(
        errors.contains(
            "the vendor id `acme` is also used by contracts/acme.yaml, which has problems of its own"
        ),
        "{errors}"
    );
    assert!(errors.contains("--> contracts/other.yaml:1:"), "{errors}");
}

#[test]
fn a_quote_that_makes_an_export_header_one_cell_is_named() {
    let errors = unclosed_quote_reported("\"date,vendor,kpi,value\n2026-01-12,acme,wait,20\n", 1);
    assert!(errors.contains("the header has no `date` column"), "{errors}");
}

#[test]
fn a_tool_s_own_export_saved_in_kpis_is_sent_to_sources() {
    let project = good_project();
    project.file(
        "kpis/tickets.csv",
        "Ticket ID,Created at,Group,Status\n1,2026-01-12,Acme EU,Solved\n",
    );
    let errors = failed(&project);
    assert!(errors.contains("the header has no `date` column"), "{errors}");
    assert!(errors.contains("--> kpis/tickets.csv:1"), "{errors}");
    assert!(errors.contains("goes under exports/ and is mapped as a source"), "{errors}");
}

#[test]
fn half_of_the_long_header_is_an_error_not_a_wide_file() {
    // Without its `value` column the file would be read as wide, its `kpi` column ignored and
    // every KPI of the vendor left missing, owing credits.
    let project = good_project();
    project.file("kpis/acme.csv", "date,vendor,kpi\n2026-01-10,acme,wait\n");
    let errors = failed(&project);
    assert!(errors.contains("the header has a `kpi` column but no `value` column"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:1:3"), "{errors}");

    project.file("kpis/acme.csv", "date,vendor,value\n2026-01-10,acme,50\n");
    let errors = failed(&project);
    assert!(errors.contains("the header has a `value` column but no `kpi` column"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:1:3"), "{errors}");
}

#[test]
fn a_kpi_column_in_a_long_file_is_an_error_not_ignored() {
    // `csat`'s cells would be passed over as another tool's column, leaving it missing and
    // owing credits; a column like no KPI is still only a warning.
    let project = good_project();
    project.file("kpis/acme.csv", "date,vendor,kpi,value,csat\n2026-01-10,acme,wait,50,85\n");
    let errors = failed(&project);
    assert!(errors.contains("the column `csat` is named after a KPI"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:1:5"), "{errors}");

    project.file("kpis/acme.csv", "date,vendor,kpi,value,note\n2026-01-10,acme,wait,50,ok\n");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("columns ignored in the long layout: `note`"));
}

#[test]
fn a_wide_column_named_after_a_kpi_is_still_wide() {
    // A contract may name a KPI `value`: a wide column of that name is its measurements.
    let project = Project::new();
    project.file(
        "contracts/acme.yaml",
        &CONTRACT.replace("id: csat, name: CSAT", "id: value, name: Value"),
    );
    project.file("kpis/acme/wide.csv", "date,wait,value\n2026-01-10,50,85\n");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_misspelt_wide_column_is_an_error_when_its_kpi_has_no_column() {
    let project = good_project();
    project.file("kpis/acme.csv", "date,vendor,wiat,csat\n2026-01-10,acme,50,85\n");
    let errors = failed(&project);
    assert!(
        errors.contains(
            "the column `wiat` is no KPI id, and `wait` has no column: did you mean `wait`?"
        ),
        "{errors}"
    );
    assert!(errors.contains("--> kpis/acme.csv:1:3"), "{errors}");

    // The same column beside the KPI's own is another tool's column, ignored as before; so is
    // one like no KPI at all.
    project
        .file("kpis/acme.csv", "date,vendor,wait,wiat,csat,calls\n2026-01-10,acme,50,1,85,300\n");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("ignored: `calls` (1 row), `wiat` (1 row) are no KPI of `acme`")
    );
}

#[test]
fn an_as_of_after_today_is_an_error() {
    // February and March have not ended on 3 Feb: scored, they would be missing and owe credits.
    let project = good_project();
    project.file("vendorcard.yaml", "as_of: 2026-03\n");
    let errors = failed(&project);
    assert!(
        errors.contains("`as_of` closes the data on 2026-03-31, after today (2026-02-03)"),
        "{errors}"
    );
    assert!(errors.contains("--> vendorcard.yaml:1:8"), "{errors}");

    project.file("vendorcard.yaml", "as_of: 2026-01\n");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
