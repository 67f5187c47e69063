//! Raw exports mapped by `sources:`, through the real binary: encodings, separators, number and
//! date forms, keys, filters and skips. Each test asserts the numbers, worked out by hand.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::{Project, stderr};
use serde_json::Value;

const ACME: &str = "name: Acme Support\nterm: { start: 2026-01-01 }\nkpis:\n\
  - { id: first_reply, unit: minutes, better: lower, target: 30 }\n\
  - { id: solved, unit: percent, better: higher, target: 80 }\n\
  - { id: resolve_time, unit: hours, better: lower, target: 24 }\n\
  - { id: handle_time, unit: minutes, better: lower, target: 5 }\n\
  - { id: volume, unit: count, better: higher, target: 1, aggregate: sum }\n";

const BOLT: &str = "name: Bolt Desk\nterm: { start: 2026-01-01 }\nkpis:\n\
  - { id: first_reply, unit: seconds, better: lower, target: 1800 }\n";

/// A project with two vendors and one source; `source` is the YAML of the source's other keys.
fn project(source: &str, export: &[u8]) -> Project {
    let project = Project::new();
    project.file("contracts/acme.yaml", ACME).file("contracts/bolt.yaml", BOLT);
    let settings =
        format!("sources:\n  - name: desk\n    files: exports/*.csv\n{}", indent(source));
    project.file("vendorcard.yaml", &settings);
    std::fs::create_dir_all(project.path().join("exports")).unwrap();
    std::fs::write(project.path().join("exports/desk.csv"), export).unwrap();
    project
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The actual of a KPI of a vendor in January 2026.
fn january(document: &Value, vendor: &str, kpi: &str) -> Value {
    let vendor =
        document["vendors"].as_array().unwrap().iter().find(|v| v["id"] == vendor).unwrap();
    let period =
        vendor["periods"].as_array().unwrap().iter().find(|p| p["period"] == "2026-01").unwrap();
    period["kpis"].as_array().unwrap().iter().find(|k| k["id"] == kpi).unwrap()["actual"].clone()
}

const ONE_VENDOR: &str = "date: Created\nvendor: acme\n";

/// A source of one vendor's first replies, in a column `Reply`.
fn replies() -> String {
    format!("{ONE_VENDOR}kpis:\n  first_reply: {{ column: Reply }}\n")
}

#[test]
fn a_bom_before_a_quoted_header_and_crlf_lines_are_read() {
    let export = b"\xef\xbb\xbf\"Created\",\"Reply (min)\"\r\n2026-01-05,10\r\n2026-01-06,20\r\n";
    let project =
        project(&format!("{ONE_VENDOR}kpis:\n  first_reply: {{ column: Reply (min) }}\n"), export);
    project.build_ok("2026-02-03");
    // (10 + 20) / 2 = 15 minutes.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 15.0);
}

#[test]
fn semicolons_and_decimal_commas_with_thousands_points() {
    let export = "Created;Reply;Volume\n2026-01-05;1,5;1.200\n2026-01-06;2,25;2.300,5\n";
    let source = format!(
        "{ONE_VENDOR}decimal: \",\"\nkpis:\n  first_reply: {{ column: Reply }}\n  volume: {{ column: Volume }}\n"
    );
    let project = project(&source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    let document = project.json();
    // The separator is detected from the header. Replies (1.5 + 2.25) / 2 = 1.875;
    // volume 1,200 + 2,300.5 = 3,500.5.
    assert_eq!(january(&document, "acme", "first_reply"), 1.875);
    assert_eq!(january(&document, "acme", "volume"), 3500.5);
    assert!(
        stderr(&output).contains("source desk: 2 rows read from exports/desk.csv, 2 rows measured"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn windows_1252_text_is_decoded() {
    // "Zoë" in Windows-1252 is 5A 6F EB; the vendor column maps it.
    let mut export = b"Created,Team,Reply\n2026-01-05,Zo".to_vec();
    export.extend_from_slice(&[0xeb]);
    export.extend_from_slice(b",12\n");
    let source = "date: Created\nencoding: windows-1252\nvendor: { column: Team, map: { \"Zoë\": acme } }\nkpis:\n  first_reply: { column: Reply }\n";
    let project = project(source, &export);
    project.build_ok("2026-02-03");
    assert_eq!(january(&project.json(), "acme", "first_reply"), 12.0);
}

#[test]
fn windows_1252_text_without_its_encoding_is_an_error_that_says_what_to_set() {
    let mut export = b"Created,Team,Reply\n2026-01-05,Zo".to_vec();
    export.extend_from_slice(&[0xeb]);
    export.extend_from_slice(b",12\n");
    let source = "date: Created\nvendor: { column: Team, map: { \"Zoë\": acme } }\nkpis:\n  first_reply: { column: Reply }\n";
    let output = project(source, &export).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("holds text that is not UTF-8: set `encoding` for this source"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("--> exports/desk.csv:2:2"), "{}", stderr(&output));
}

#[test]
fn utf16_files_are_read_by_their_byte_order_mark() {
    let text = "Created\tReply\r\n2026-01-05\t8\r\n2026-01-07\t4\r\n";
    let mut export = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        export.extend_from_slice(&unit.to_le_bytes());
    }
    let project = project(&replies(), &export);
    project.build_ok("2026-02-03");
    // Tab-separated, detected: (8 + 4) / 2 = 6.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 6.0);
}

#[test]
fn quoted_line_breaks_empty_and_missing_cells() {
    let export = "Created,Reply,Note\n2026-01-05,10,\"line one\nline two\"\n2026-01-06,?,x\n2026-01-07,,y\n2026-01-08,n/a,z\n2026-01-09,40,w\n";
    let source =
        format!("{ONE_VENDOR}missing: [\"?\", n/a]\nkpis:\n  first_reply: {{ column: Reply }}\n");
    let project = project(&source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    // 10 and 40 are measured; ?, empty and n/a are no value: (10 + 40) / 2 = 25.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 25.0);
    let log = stderr(&output);
    assert!(log.contains("5 rows read"), "{log}");
    assert!(log.contains("skipped 3 values empty or marked missing (rows 4, 5, 6)"), "{log}");
}

#[test]
fn thousands_separators_percentages_and_durations() {
    let export = "Created,Volume,Solved,Handle\n2026-01-05,\"1,234\",97.5%,0:04:30\n2026-01-06,\"2,000.5\",92.5%,0:05:30\n";
    let source = format!(
        "{ONE_VENDOR}kpis:\n  volume: {{ column: Volume }}\n  solved: {{ column: Solved }}\n  handle_time: {{ column: Handle }}\n"
    );
    let project = project(&source, export.as_bytes());
    project.build_ok("2026-02-03");
    let document = project.json();
    // Volume 1,234 + 2,000.5 = 3,234.5; solved (97.5 + 92.5) / 2 = 95;
    // handle 4.5 and 5.5 minutes, a mean of 5.
    assert_eq!(january(&document, "acme", "volume"), 3234.5);
    assert_eq!(january(&document, "acme", "solved"), 95.0);
    assert_eq!(january(&document, "acme", "handle_time"), 5.0);
}

#[test]
fn plain_numbers_are_converted_from_the_source_unit() {
    let export = "Created,Team,Reply (s)\n2026-01-05,A,90\n2026-01-06,A,150\n2026-01-05,B,90\n";
    let source = "date: Created\nvendor: { column: Team, map: { A: acme, B: bolt } }\nkpis:\n  first_reply: { column: Reply (s), unit: seconds }\n";
    let project = project(source, export.as_bytes());
    project.build_ok("2026-02-03");
    let document = project.json();
    // Acme measures minutes: 1.5 and 2.5, a mean of 2. Bolt measures seconds: 90.
    assert_eq!(january(&document, "acme", "first_reply"), 2.0);
    assert_eq!(january(&document, "bolt", "first_reply"), 90.0);
}

#[test]
fn a_day_month_date_without_a_format_is_an_error_that_says_which_to_set() {
    let export = "Created,Reply\n03/04/2026,10\n";
    let output = project(&replies(), export.as_bytes()).build("2026-05-03");
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(
        errors.contains("`03/04/2026` could be read day first or month first: set `date_format`"),
        "{errors}"
    );
    assert!(errors.contains("--> exports/desk.csv:2:1"), "{errors}");
}

#[test]
fn a_date_format_places_each_row_in_its_month() {
    let export = "Created,Reply\n31/01/2026 23:30,10\n01/02/2026 00:10,30\n";
    let source = "date: Created\ndate_format: \"%d/%m/%Y %H:%M\"\nvendor: acme\nkpis:\n  first_reply: { column: Reply }\n";
    let project = project(source, export.as_bytes());
    project.build_ok("2026-03-03");
    let document = project.json();
    assert_eq!(january(&document, "acme", "first_reply"), 10.0);
    let february = &document["vendors"][0]["periods"][1];
    assert_eq!(
        (february["period"].as_str(), february["kpis"][0]["actual"].as_f64()),
        (Some("2026-02"), Some(30.0))
    );
}

#[test]
fn an_event_log_counts_the_last_row_of_each_ticket() {
    // Ticket 1 is opened, then solved; ticket 2 is solved, then reopened; ticket 3 is only open.
    let export = "Created,Ticket,Status\n2026-01-05,1,Open\n2026-01-05,2,Solved\n2026-01-06,1,Solved\n2026-01-07,2,Reopened\n2026-01-08,3,Open\n";
    let source = "date: Created\nvendor: acme\nkey: Ticket\nkpis:\n  solved: { column: Status, equals: [Solved, Closed] }\n";
    let project = project(source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    // Last rows: 1 Solved (100), 2 Reopened (0), 3 Open (0): 100 / 3 = 33.333333.
    assert_eq!(january(&project.json(), "acme", "solved"), 33.333333);
    let log = stderr(&output);
    assert!(
        log.contains("skipped 2 rows superseded by a later row of the same key (rows 2, 3)"),
        "{log}"
    );
}

#[test]
fn an_interval_ending_before_it_starts_is_skipped_and_counted() {
    let export = "Created,Opened,Resolved\n2026-01-05,2026-01-05 08:00,2026-01-05 14:00\n2026-01-06,2026-01-06 10:00,2026-01-06 09:00\n2026-01-07,2026-01-07 09:00,2026-01-08 15:00\n";
    let source = format!("{ONE_VENDOR}kpis:\n  resolve_time: {{ between: [Opened, Resolved] }}\n");
    let project = project(&source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    // 6 hours and 30 hours; the second row ends before it starts: (6 + 30) / 2 = 18.
    assert_eq!(january(&project.json(), "acme", "resolve_time"), 18.0);
    assert!(
        stderr(&output).contains("skipped 1 value of intervals ending before they start (row 3)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unmapped_vendors_and_filtered_rows_are_skipped_and_counted() {
    let export = "Created,Team,Priority,Reply\n2026-01-05,A,Urgent,10\n2026-01-05,A,Low,99\n2026-01-06,C,Urgent,50\n2026-01-06,C,Urgent,60\n2026-01-07,A,urgent ,20\n";
    let source = "date: Created\nvendor: { column: Team, map: { A: acme } }\nwhere: { Priority: [Urgent, urgent] }\nkpis:\n  first_reply: { column: Reply }\n";
    let project = project(source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    // Kept: rows 2 and 6 (10 and 20); row 3 is Low, rows 4 and 5 are team C: (10 + 20) / 2 = 15.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 15.0);
    let log = stderr(&output);
    assert!(
        log.contains("skipped 2 rows of vendors not in `vendor.map`, values `C` 2 (rows 4, 5)"),
        "{log}"
    );
    assert!(log.contains("skipped 1 row filtered out by `where` (row 3)"), "{log}");
}

#[test]
fn a_kpi_the_vendor_does_not_declare_is_skipped_for_that_vendor() {
    let export = "Created,Team,Solved\n2026-01-05,A,Yes\n2026-01-05,B,Yes\n";
    let source = "date: Created\nvendor: { column: Team, map: { A: acme, B: bolt } }\nkpis:\n  solved: { column: Solved, equals: Yes }\n";
    let project = project(source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    assert_eq!(january(&project.json(), "acme", "solved"), 100.0);
    assert!(
        stderr(&output).contains(
            "skipped 1 value of KPIs the row's vendor's contract does not declare (row 3)"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_cell_that_is_not_a_number_names_its_text_row_and_column() {
    let export = "Created,Reply\n2026-01-05,10\n2026-01-06,ten\n";
    let output = project(&replies(), export.as_bytes()).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("`ten` is not a number"), "{}", stderr(&output));
    assert!(stderr(&output).contains("--> exports/desk.csv:3:2"), "{}", stderr(&output));
}

#[test]
fn a_missing_column_lists_the_header() {
    let export = "Created,Reply time\n2026-01-05,10\n";
    let output = project(&replies(), export.as_bytes()).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("the header has no column `Reply`: it has `Created`, `Reply time`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_misspelt_column_is_matched_to_the_header_and_its_setting_named() {
    let export = "Created,Replys\n2026-01-05,10\n";
    let output = project(&replies(), export.as_bytes()).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "= help: did you mean `Replys` for `Reply`? The columns are named in source `desk` of vendorcard.yaml"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rows_without_a_date_are_a_warning_since_they_may_be_work_left_undone() {
    // Rows 3 and 5 have no date, so no period: the mean is of rows 2 and 4, (10 + 20) / 2 = 15
    // minutes, and the two rows are named in a warning.
    let export = "Created,Reply\n2026-01-05,10\n,90\n2026-01-06,20\n,90\n";
    let project = project(&replies(), export.as_bytes());
    let output = project.build("2026-02-03");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(january(&project.json(), "acme", "first_reply"), 15.0);
    assert!(
        stderr(&output).contains(
            "warning: source desk: 2 rows have no `Created`, so they belong to no period and are not measured (rows 3, 5)"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_source_that_matches_no_files_is_an_error() {
    let project = project(&replies(), b"Created,Reply\n");
    std::fs::remove_file(project.path().join("exports/desk.csv")).unwrap();
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("source `desk` matches no files with `exports/*.csv`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn mapping_errors_are_placed_in_the_settings() {
    let source = "date: Created\nvendor: { column: Team, map: { A: acmee } }\ndelimiter: \";;\"\nkpis:\n  first_replyy: { column: Reply }\n  solved: { column: S, unit: hours }\n";
    let output = project(source, b"Created,Team,Reply\n").build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(errors.contains("`;;` is not a separator"), "{errors}");
    assert!(errors.contains("maps rows to `acmee`, which no contract has"), "{errors}");
    assert!(errors.contains("maps KPI `first_replyy`, which no contract declares"), "{errors}");
    assert!(
        errors.contains("reads `solved` as a time, but contract `acme` measures it in percent"),
        "{errors}"
    );
    assert!(errors.contains("--> vendorcard.yaml:"), "{errors}");
}

#[test]
fn a_spreadsheet_is_read_from_its_named_sheet() {
    let project = project(
        &format!(
            "{ONE_VENDOR}sheet: Tickets\nkpis:\n  first_reply: {{ column: Reply }}\n  handle_time: {{ column: Handle }}\n"
        ),
        b"",
    );
    std::fs::remove_file(project.path().join("exports/desk.csv")).unwrap();
    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    project.file("vendorcard.yaml", &settings.replace("exports/*.csv", "exports/*.xlsx"));

    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.add_worksheet().set_name("Notes").unwrap().write_string(0, 0, "not this one").unwrap();
    let sheet = workbook.add_worksheet().set_name("Tickets").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let duration = rust_xlsxwriter::Format::new().set_num_format("[h]:mm:ss");
    sheet.write_string(0, 0, "Created").unwrap();
    sheet.write_string(0, 1, "Reply").unwrap();
    sheet.write_string(0, 2, "Handle").unwrap();
    for (row, (day, reply, seconds)) in [(5, 12.0, 240.0), (6, 18.0, 360.0)].into_iter().enumerate()
    {
        let row = u32::try_from(row).unwrap() + 1;
        let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, day)
            .unwrap()
            .and_hms(9, 30, 0)
            .unwrap();
        sheet.write_datetime_with_format(row, 0, &when, &date).unwrap();
        sheet.write_number(row, 1, reply).unwrap();
        sheet.write_number_with_format(row, 2, seconds / 86_400.0, &duration).unwrap();
    }
    workbook.save(project.path().join("exports/desk.xlsx")).unwrap();

    project.build_ok("2026-02-03");
    let document = project.json();
    // Replies (12 + 18) / 2 = 15; handle times 4 and 6 minutes, a mean of 5.
    assert_eq!(january(&document, "acme", "first_reply"), 15.0);
    assert_eq!(january(&document, "acme", "handle_time"), 5.0);
}

#[test]
fn the_european_export_of_the_guide_reads_as_documented() {
    // docs/sources.md: Windows-1252, semicolons, a decimal comma and a day-first date format.
    let mut export = b"Datum;Team;Erstantwort (Min.);Gel".to_vec();
    export.push(0xf6); // ö
    export.extend_from_slice(
        b"st\n03.01.2026 09:15;Nord 1;1.234,5;ja\n04.01.2026 10:00;Nord 2;765,5;nein\n",
    );
    let source = "date: Datum\ndate_format: \"%d.%m.%Y %H:%M\"\ndecimal: \",\"\nencoding: windows-1252\n\
                  vendor: { column: Team, map: { \"Nord 1\": acme, \"Nord 2\": acme } }\n\
                  kpis:\n  first_reply: { column: Erstantwort (Min.), unit: minutes }\n  solved: { column: Gelöst, equals: ja }\n";
    let project = project(source, &export);
    project.build_ok("2026-02-03");
    let document = project.json();
    // (1,234.5 + 765.5) / 2 = 1,000 minutes; one of two solved: 50 %.
    assert_eq!(january(&document, "acme", "first_reply"), 1000.0);
    assert_eq!(january(&document, "acme", "solved"), 50.0);
}

#[test]
fn equals_and_where_ignore_case_and_the_log_names_the_values_counted_as_0() {
    let export = "Created,Status,Priority\n2026-01-05,SOLVED,high\n2026-01-06,solved,High\n2026-01-07,Open,HIGH\n2026-01-08,Pending,high\n";
    let source = format!(
        "{ONE_VENDOR}where: {{ Priority: High }}\nkpis:\n  solved: {{ column: Status, equals: Solved }}\n"
    );
    let project = project(&source, export.as_bytes());
    let output = project.build_ok("2026-02-03");
    // Two of four solved, whatever their case: 50 %.
    assert_eq!(january(&project.json(), "acme", "solved"), 50.0);
    assert!(
        stderr(&output).contains("`solved` counted 0 for `Open` 1, `Pending` 1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn equals_that_matches_no_row_is_warned_of() {
    let export = "Created,Status\n2026-01-05,Resolved\n2026-01-06,Resolved\n2026-01-07,Open\n";
    let source = format!("{ONE_VENDOR}kpis:\n  solved: {{ column: Status, equals: Solved }}\n");
    let project = project(&source, export.as_bytes());

    let output = project.build_ok("2026-02-03");

    // No row is `Solved`: 0 of 3.
    assert_eq!(january(&project.json(), "acme", "solved"), 0.0);
    let warning = "warning: source desk: no row's `Status` is `Solved`, so `solved` is 0 in every row measured; the values it holds are `Resolved` 2, `Open` 1";
    assert!(stderr(&output).contains(warning), "{}", stderr(&output));

    let one_solved = format!("{export}2026-01-08,Solved\n");
    std::fs::write(project.path().join("exports/desk.csv"), one_solved).unwrap();
    let output = project.build_ok("2026-02-03");
    assert!(!stderr(&output).contains("no row's"), "{}", stderr(&output));
}

#[test]
fn a_vendor_of_whom_nothing_is_read_is_warned_of() {
    let export = "Created,Reply\n2026-01-05,10\n";
    let project = project(&replies(), export.as_bytes());

    let output = project.build_ok("2026-02-03");

    // The source reads acme's rows only; bolt's contract has begun and has a KPI.
    let warning = "warning: no measurement of `bolt` was read from any KPI export or source";
    assert!(stderr(&output).contains(warning), "{}", stderr(&output));
    assert!(stderr(&output).contains("--> contracts/bolt.yaml"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("no measurement of `acme`"), "{}", stderr(&output));

    // Nor is a vendor whose term has not begun, nor one whose site is not being built.
    project.file("contracts/bolt.yaml", &BOLT.replace("2026-01-01", "2026-03-01"));
    let output = project.build_ok("2026-02-03");
    assert!(!stderr(&output).contains("no measurement"), "{}", stderr(&output));
    project.file("contracts/bolt.yaml", BOLT);
    let output = project.run(&["build", ".", "--today", "2026-02-03", "--vendor", "acme"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("no measurement"), "{}", stderr(&output));
}

#[test]
fn rows_that_do_not_fit_their_header_or_have_no_key_are_reported() {
    let export = "Created,Ticket,Reply\n2026-01-05,1,10\n2026-01-06,2\n2026-01-07,,30\n2026-01-08,4,40,extra\n";
    let source = format!("{ONE_VENDOR}key: Ticket\nkpis:\n  first_reply: {{ column: Reply }}\n");
    let output = project(&source, export.as_bytes()).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(errors.contains("has 2 cells where the header has 3"), "{errors}");
    assert!(errors.contains("--> exports/desk.csv:3"), "{errors}");
    assert!(errors.contains("has 4 cells where the header has 3"), "{errors}");

    let fixed = "Created,Ticket,Reply\n2026-01-05,1,10\n2026-01-07,,30\n";
    let project = project(&source, fixed.as_bytes());
    let output = project.build_ok("2026-02-03");
    assert!(stderr(&output).contains("skipped 1 row without a key (row 3)"), "{}", stderr(&output));
}

#[test]
fn a_source_that_measures_nothing_is_an_error() {
    let export = "Created,Team,Reply\n2026-01-05,X,10\n";
    let source = "date: Created\nvendor: { column: Team, map: { A: acme } }\nkpis:\n  first_reply: { column: Reply }\n";
    let output = project(source, export.as_bytes()).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("source `desk` measured no rows"), "{}", stderr(&output));
}

#[test]
fn times_are_not_negative_and_rates_are_read_into_percent_kpis_only() {
    let export = "Created,Handle\n2026-01-05,-0:01:00\n";
    let output = project(
        &format!("{ONE_VENDOR}kpis:\n  handle_time: {{ column: Handle }}\n"),
        export.as_bytes(),
    )
    .build("2026-02-03");
    assert!(stderr(&output).contains("`-0:01:00` is a negative time"), "{}", stderr(&output));
    let export = "Created,Handle\n2026-01-05,-60\n";
    let output = project(
        &format!("{ONE_VENDOR}kpis:\n  handle_time: {{ column: Handle, unit: seconds }}\n"),
        export.as_bytes(),
    )
    .build("2026-02-03");
    assert!(stderr(&output).contains("`-60` is a negative time"), "{}", stderr(&output));
    let output = project(
        &format!("{ONE_VENDOR}kpis:\n  handle_time: {{ column: Handle, equals: Done }}\n"),
        b"Created,Handle\n",
    )
    .build("2026-02-03");
    assert!(stderr(&output).contains("reads `handle_time` with `equals`, which gives 100 or 0, but contract `acme` measures it in minutes"), "{}", stderr(&output));
    let output = project(
        &format!("{ONE_VENDOR}kpis:\n  solved: {{ column: S, equals: [] }}\n"),
        b"Created,S\n",
    )
    .build("2026-02-03");
    assert!(stderr(&output).contains("`equals` lists no values"), "{}", stderr(&output));
}

#[test]
fn one_file_read_twice_for_the_same_kpi_is_an_error() {
    let project = project(&replies(), b"Created,Reply\n2026-01-05,10\n");
    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    let second = settings.replace("  - name: desk", "  - name: again").replace("sources:\n", "");
    project.file("vendorcard.yaml", &format!("{settings}{second}"));
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "`exports/desk.csv` is read by sources `desk` and `again`, which both map `first_reply`"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn spreadsheet_percentages_are_scaled_and_a_missing_scale_is_warned_of() {
    let export = "Created,Rate\n2026-01-05,0.95\n2026-01-06,0.85\n2026-01-07,0.5\n";
    let project_without =
        project(&format!("{ONE_VENDOR}kpis:\n  solved: {{ column: Rate }}\n"), export.as_bytes());
    let output = project_without.build_ok("2026-02-03");
    assert!(
        stderr(&output).contains("every value of `solved` lies between 0 and 1"),
        "{}",
        stderr(&output)
    );
    let scaled = project(
        &format!("{ONE_VENDOR}kpis:\n  solved: {{ column: Rate, scale: 100 }}\n"),
        export.as_bytes(),
    );
    scaled.build_ok("2026-02-03");
    // (95 + 85 + 50) / 3 = 76.666667.
    assert_eq!(january(&scaled.json(), "acme", "solved"), 76.666667);
}

#[test]
fn a_link_out_of_the_project_is_not_read() {
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "Created,Reply\n2026-01-05,10\n").unwrap();
    let project = project(&replies(), b"Created,Reply\n2026-01-06,20\n");
    std::os::unix::fs::symlink(outside.path(), project.path().join("exports/linked.csv")).unwrap();
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("exports/linked.csv"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("a link that leads out of the project"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_link_beside_the_file_it_leads_to_is_not_read_twice() {
    // `latest.csv` sorts after `desk.csv` in exports/, and `a-latest.csv` before `b.csv` in
    // kpis/: either way the link is named, and no row is counted twice.
    let project = project(&replies(), b"Created,Reply\n2026-01-06,20\n");
    project.file("kpis/b.csv", "date,vendor,kpi,value\n2026-01-05,bolt,first_reply,60\n");
    std::os::unix::fs::symlink("desk.csv", project.path().join("exports/latest.csv")).unwrap();
    std::os::unix::fs::symlink("b.csv", project.path().join("kpis/a-latest.csv")).unwrap();
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let errors = stderr(&output);
    for (link, file) in
        [("exports/latest.csv", "exports/desk.csv"), ("kpis/a-latest.csv", "kpis/b.csv")]
    {
        assert!(
            errors.contains(&format!(
                "error: leads to the same file as `{file}`, which is read too: its rows would count twice"
            )),
            "{errors}"
        );
        assert!(errors.contains(&format!("--> {link}\n")), "{errors}");
    }
    assert!(errors.contains("error: 2 problems in the inputs"), "{errors}");
}

#[test]
fn spreadsheet_times_booleans_and_dates_read_as_their_sheet_shows_them() {
    let source = "date: Created\ndate_format: \"%d.%m.%Y %H:%M\"\nvendor: acme\nkpis:\n  handle_time: { column: Handle }\n  solved: { column: Answered, equals: true }\n";
    let project = project(source, b"");
    std::fs::remove_file(project.path().join("exports/desk.csv")).unwrap();
    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    project.file(
        "vendorcard.yaml",
        &settings.replace("files: exports/*.csv", "files: [exports/*.xlsx, exports/*.xls]"),
    );
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let clock = rust_xlsxwriter::Format::new().set_num_format("h:mm:ss");
    for (column, name) in ["Created", "Handle", "Answered"].into_iter().enumerate() {
        sheet.write_string(0, u16::try_from(column).unwrap(), name).unwrap();
    }
    for (row, (seconds, answered)) in [(375.0, true), (225.0, false)].into_iter().enumerate() {
        let row = u32::try_from(row).unwrap() + 1;
        let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 5)
            .unwrap()
            .and_hms(10, 0, 0)
            .unwrap();
        sheet.write_datetime_with_format(row, 0, &when, &date).unwrap();
        sheet.write_number_with_format(row, 1, seconds / 86_400.0, &clock).unwrap();
        sheet.write_boolean(row, 2, answered).unwrap();
    }
    workbook.save(project.path().join("exports/calls.xlsx")).unwrap();
    project.build_ok("2026-02-03");
    let document = project.json();
    // 6:15 and 3:45 under `h:mm:ss` are durations: a mean of 5 minutes. TRUE and FALSE: 50 %.
    assert_eq!(january(&document, "acme", "handle_time"), 5.0);
    assert_eq!(january(&document, "acme", "solved"), 50.0);
}

#[test]
fn a_problem_in_a_sheet_that_starts_past_a1_names_the_sheets_own_cell() {
    let project = project(&replies(), b"");
    std::fs::remove_file(project.path().join("exports/desk.csv")).unwrap();
    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    project.file("vendorcard.yaml", &settings.replace("exports/*.csv", "exports/*.xlsx"));
    // The header sits in B3:C3, so the used range starts at B3; the bad value is C5.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(2, 1, "Created").unwrap();
    sheet.write_string(2, 2, "Reply").unwrap();
    sheet.write_string(3, 1, "2026-01-05").unwrap();
    sheet.write_number(3, 2, 10.0).unwrap();
    sheet.write_string(4, 1, "2026-01-06").unwrap();
    sheet.write_string(4, 2, "soon").unwrap();
    workbook.save(project.path().join("exports/desk.xlsx")).unwrap();

    let output = project.build("2026-02-03");

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("exports/desk.xlsx:5:3"), "{}", stderr(&output));
}

#[test]
fn a_formula_with_no_result_saved_is_an_error_rather_than_an_empty_cell() {
    let project = project(&replies(), b"");
    std::fs::remove_file(project.path().join("exports/desk.csv")).unwrap();
    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    project.file("vendorcard.yaml", &settings.replace("exports/*.csv", "exports/*.xlsx"));
    // Written by openpyxl, which saves formulas without working them out: B3 is `=B2*2`.
    let sheet = include_bytes!("fixtures/spreadsheets/formula-without-result.xlsx");
    std::fs::write(project.path().join("exports/desk.xlsx"), sheet).unwrap();

    let output = project.build("2026-02-03");

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(stderr.contains("exports/desk.xlsx:3:2"), "{stderr}");
    assert!(stderr.contains("`=B2*2`, with no result saved"), "{stderr}");
    assert!(stderr.contains("open the file in a spreadsheet program and save it"), "{stderr}");
}

#[test]
fn a_source_of_a_broken_contract_is_not_said_to_measure_nothing() {
    let export = b"Created,Reply\n2026-01-05,10\n2026-01-06,20\n";
    let project = project(&replies(), export);
    project.file("contracts/acme.yaml", &ACME.replace("name: Acme Support", "name: [broken"));

    let output = project.build("2026-02-03");

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stderr = stderr(&output);
    assert!(stderr.contains("contracts/acme.yaml:1:7"), "the contract's problem: {stderr}");
    assert!(!stderr.contains("measured no rows"), "its rows could not be measured: {stderr}");
}

#[test]
fn the_separator_is_found_past_quotes_that_open_no_cell_and_quoted_line_breaks() {
    // A quote inside a header cell is text; a line break inside a quoted one ends no line.
    for header in ["Size 27\";Created;Reply", "\"Size\nin inches\";Created;Reply"] {
        let export = format!("{header}\n1;2026-01-05;10\n2;2026-01-06;20\n");
        let project = project(&replies(), export.as_bytes());
        project.build_ok("2026-02-03");
        // (10 + 20) / 2 = 15 minutes, read with `;` found from the header.
        assert_eq!(january(&project.json(), "acme", "first_reply"), 15.0, "{header:?}");
    }
}

#[test]
fn a_file_left_before_its_end_is_not_said_to_leave_a_quote_open() {
    // The header, over two lines, lacks `Reply`, so reading stops there. A quote opens in the
    // first 64 KiB the reader holds and closes after it: what was read ends inside a quoted
    // cell, the file does not.
    let mut export = b"Created;Wait;\"Note\nhere\"\n".to_vec();
    while export.len() < 65_500 {
        export.extend_from_slice(b"2026-01-05;10;pad\n");
    }
    export.extend_from_slice(b"2026-01-05;10;\"spans\n");
    export.extend_from_slice(&[b'x'; 200]);
    export.extend_from_slice(b"\nthe boundary\"\n2026-01-06;20;end\n");
    let project = project(&replies(), &export);
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("the header has no column `Reply`"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("never closed"), "{}", stderr(&output));
}

#[test]
fn a_quote_left_open_is_listed_even_after_many_other_problems() {
    let mut export = b"Created;Reply\n".to_vec();
    for _ in 0..30 {
        export.extend_from_slice(b"2026-01-05;abc\n");
    }
    export.extend_from_slice(b"2026-01-06;\"20\n2026-01-07;30\n");
    let project = project(&replies(), &export);
    let output = project.build("2026-02-03");
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{errors}");
    // Rows 2 to 31 are not numbers, nor is the cell the quote on line 32 opens, which runs to
    // the end of the file: 31 problems, 25 listed and 6 counted, then the quote.
    assert!(errors.contains("6 more problems in this file are not listed"), "{errors}");
    assert!(errors.contains("never closed"), "{errors}");
    assert!(errors.contains("--> exports/desk.csv:32"), "{errors}");
}

#[test]
fn a_quote_that_makes_the_header_one_cell_is_named() {
    let export = b"\"Created;Reply\n2026-01-05;10\n2026-01-06;20\n";
    let source =
        format!("{ONE_VENDOR}delimiter: \";\"\nkpis:\n  first_reply: {{ column: Reply }}\n");
    let project = project(&source, export);
    let output = project.build("2026-02-03");
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{errors}");
    assert!(errors.contains("the header has no column"), "{errors}");
    assert!(errors.contains("never closed"), "{errors}");
}

#[test]
fn the_separator_is_found_after_blank_lines_before_the_header() {
    let export = b"\r\n\nCreated;Reply\r\n2026-01-05;10\r\n2026-01-06;20\r\n";
    let project = project(&replies(), export);
    project.build_ok("2026-02-03");
    // (10 + 20) / 2 = 15 minutes, read with `;`.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 15.0);
}

#[test]
fn a_star_stays_in_its_folder_and_two_stars_reach_below() {
    // exports/desk.csv has replies 10 and 20; a copy kept in exports/archive/ adds 30 and 40.
    let project = project(&replies(), b"Created,Reply\n2026-01-05,10\n2026-01-06,20\n");
    std::fs::create_dir_all(project.path().join("exports/archive")).unwrap();
    std::fs::write(
        project.path().join("exports/archive/old.csv"),
        "Created,Reply\n2026-01-07,30\n2026-01-08,40\n",
    )
    .unwrap();
    project.build_ok("2026-02-03");
    // `exports/*.csv` reads the top file alone: (10 + 20) / 2 = 15.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 15.0);

    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    let settings = settings.replace("exports/*.csv", "exports/**/*.csv");
    project.file("vendorcard.yaml", &settings);
    project.build_ok("2026-02-03");
    // `exports/**/*.csv` reads both: (10 + 20 + 30 + 40) / 4 = 25.
    assert_eq!(january(&project.json(), "acme", "first_reply"), 25.0);
}

#[test]
fn a_utf8_byte_order_mark_wins_over_the_set_encoding() {
    // Saved as "CSV UTF-8" by a spreadsheet although the source says windows-1252: read as
    // windows-1252, "Gelöst" would be "GelÃ¶st" and no row would count as solved.
    let source = "date: Created\nencoding: windows-1252\nvendor: acme\nkpis:\n  solved: { column: Status, equals: Gelöst }\n";
    let export = "\u{feff}Created,Status\n2026-01-05,Gelöst\n2026-01-06,Gelöst\n2026-01-07,Offen\n";
    let project = project(source, export.as_bytes());
    project.build_ok("2026-02-03");
    // Two of three solved: 66.666…, kept to six places.
    assert_eq!(january(&project.json(), "acme", "solved"), 66.666667);
}

#[test]
fn vendor_map_keys_that_differ_only_in_case_must_agree() {
    // Values are matched whatever their case, so `NORD` rows would all go to one of the two.
    let source = "date: Created\nvendor: { column: Team, map: { Nord: acme, NORD: bolt } }\nkpis:\n  first_reply: { column: Reply }\n";
    let project = project(source, b"Created,Team,Reply\n2026-01-05,NORD,10\n");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`vendor.map` maps `NORD` to `bolt` and `Nord` to `acme`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn scale_multiplies_plain_numbers_and_leaves_percentages() {
    let export = "Created,Rate\n2026-01-05,0.95\n2026-01-06,85%\n2026-01-07, 60 % \n";
    let project = project(
        &format!("{ONE_VENDOR}kpis:\n  solved: {{ column: Rate, scale: 100 }}\n"),
        export.as_bytes(),
    );
    project.build_ok("2026-02-03");
    // 0.95 × 100 = 95, and 85% and 60% as written: (95 + 85 + 60) / 3 = 80.
    assert_eq!(january(&project.json(), "acme", "solved"), 80.0);
}

#[test]
fn one_file_read_twice_through_a_link_is_an_error() {
    // `desk` reads exports/desk.csv; `again` reads exports/mirror/desk.csv, a link to it.
    let project = project(&replies(), b"Created,Reply\n2026-01-05,10\n");
    std::fs::create_dir_all(project.path().join("exports/mirror")).unwrap();
    std::os::unix::fs::symlink("../desk.csv", project.path().join("exports/mirror/desk.csv"))
        .unwrap();
    let settings = std::fs::read_to_string(project.path().join("vendorcard.yaml")).unwrap();
    let second = settings
        .replace("  - name: desk", "  - name: again")
        .replace("sources:\n", "")
        .replace("exports/*.csv", "exports/mirror/*.csv");
    project.file("vendorcard.yaml", &format!("{settings}{second}"));
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "`exports/mirror/desk.csv` (the same file as `exports/desk.csv`) is read by sources `desk` and `again`"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bad_cell_of_a_keyed_row_is_placed_at_its_column() {
    // The last row of ticket 1 wins and is measured after every file is read; its reply is no
    // number, in the third column of the second data row.
    let export = "Created,Ticket,Reply\n2026-01-05,1,10\n2026-01-06,1,soon\n";
    let source = format!("{ONE_VENDOR}key: Ticket\nkpis:\n  first_reply: {{ column: Reply }}\n");
    let output = project(&source, export.as_bytes()).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(errors.contains("`soon` is not a number"), "{errors}");
    assert!(errors.contains("--> exports/desk.csv:3:3"), "{errors}");
}

#[test]
fn a_utf16_file_cut_short_is_an_error_at_its_last_cell() {
    // The last byte of "ja" is gone: the decoder would read it as "j" and U+FFFD, no row solved.
    let text = "Created,Status\n2026-01-05,ja\n";
    let mut export = vec![0xff, 0xfe];
    for unit in text.trim_end().encode_utf16() {
        export.extend_from_slice(&unit.to_le_bytes());
    }
    export.pop();
    let source = "date: Created\nvendor: acme\nkpis:\n  solved: { column: Status, equals: ja }\n";
    let output = project(source, &export).build("2026-02-03");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(errors.contains("holds bytes that are not valid UTF-16LE"), "{errors}");
    assert!(errors.contains("--> exports/desk.csv:2:2"), "{errors}");
}
