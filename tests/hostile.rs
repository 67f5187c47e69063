//! Hostile and degenerate input through the real binary: data that charts find hard, numbers
//! and dates that are not, YAML traps, spreadsheet CSV and file-system tricks. Each case asserts
//! the exact outcome: the error's place and message, or what the pages hold. Every page and
//! every chart written here is parsed, as HTML and as XML.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::{Project, stderr};

fn contract(name: &str, kpis: &str) -> String {
    format!(
        "name: {name}\nterm: {{ start: 2026-01-01, end: 2026-12-31 }}\nfee: {{ monthly: 1000, currency: EUR }}\nkpis:\n{kpis}"
    )
}

const WAIT: &str = "  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n";

fn failed(project: &Project) -> String {
    let output = project.build("2026-05-03");
    assert_eq!(output.status.code(), Some(1), "expected invalid input:\n{}", stderr(&output));
    stderr(&output)
}

/// Every page written parses as HTML without an error, and every chart in it as XML.
fn assert_pages_parse(project: &Project) -> usize {
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(project.out()) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let html = scraper::Html::parse_document(&text);
        assert!(html.errors.is_empty(), "{}: {:?}", entry.path().display(), html.errors);
        for (index, _) in text.match_indices("<svg") {
            let end = text[index..].find("</svg>").unwrap() + index + "</svg>".len();
            let chart = &text[index..end];
            assert_xml(chart, &format!("{} chart at {index}", entry.path().display()));
            for bad in ["NaN", "inf\"", "-inf"] {
                assert!(!chart.contains(bad), "{bad} in a chart of {}", entry.path().display());
            }
        }
    }
    pages
}

fn assert_xml(text: &str, place: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("{place}: {error}\n{text}"),
        }
    }
    assert_eq!(depth, 0, "{place}: unbalanced");
}

#[test]
fn degenerate_series_and_foreign_text_make_valid_pages_and_charts() {
    let project = Project::new();
    let long = "Service level of the outsourced first-line desk, measured weekly ".repeat(8);
    project
        .file("contracts/solo.yaml", &contract("One Point Ltd", WAIT))
        .file("kpis/solo.csv", "date,vendor,kpi,value\n2026-02-10,solo,wait,50\n")
        .file("contracts/flat.yaml", &contract("Flat Line GmbH", WAIT))
        .file(
            "kpis/flat.csv",
            "date,vendor,kpi,value\n2026-01-10,flat,wait,75\n2026-02-10,flat,wait,75\n2026-03-10,flat,wait,75\n2026-04-10,flat,wait,75\n",
        )
        .file(
            "contracts/below.yaml",
            &contract(
                "Below Zero AS",
                "  - { id: margin, name: Margin, unit: score, better: higher, target: -5, tolerance: -10 }\n",
            ),
        )
        .file(
            "kpis/below.csv",
            "date,vendor,kpi,value\n2026-01-10,below,margin,-20\n2026-02-10,below,margin,-3\n2026-03-10,below,margin,-7.5\n2026-04-10,below,margin,-7.5\n",
        )
        .file(
            "contracts/empty.yaml",
            &contract(
                "東京サポート株式会社 — مركز الدعم",
                &format!("  - {{ id: backlog, name: \"{long}\", unit: count, better: lower, target: 10, when_missing: skip }}\n"),
            ),
        )
        .file("kpis/empty.csv", "date,vendor,kpi,value\n");
    project.build_ok("2026-05-03");

    // The portfolio, four period pages and four vendor pages.
    assert_eq!(assert_pages_parse(&project), 9);
    let empty = project.read("vendors/empty/index.html");
    assert!(empty.contains("東京サポート株式会社 — مركز الدعم"), "the name as written");
    assert!(empty.contains(long.trim_end()), "the long KPI name in full");
    let below = project.read("vendors/below/index.html");
    assert!(below.contains("−7.5") || below.contains("-7.5"), "the negative value is shown");
}

#[test]
fn numbers_that_are_not_numbers_are_each_placed_and_never_reach_a_page() {
    let project = Project::new();
    let digits = "9".repeat(200_000);
    project.file("contracts/acme.yaml", &contract("Acme", WAIT)).file(
        "kpis/acme.csv",
        &format!(
            "date,vendor,kpi,value\n2026-01-10,acme,wait,NaN\n2026-01-11,acme,wait,inf\n2026-01-12,acme,wait,-Infinity\n2026-01-13,acme,wait,#DIV/0!\n2026-01-14,acme,wait,#N/A\n2026-01-15,acme,wait,1e400\n2026-01-16,acme,wait,{digits}\n2026-01-17,acme,wait,50\n"
        ),
    );
    let errors = failed(&project);
    for (line, text) in [(2, "NaN"), (3, "inf"), (4, "-Infinity"), (5, "#DIV/0!"), (6, "#N/A")] {
        assert!(errors.contains(&format!("`{text}` is not a number")), "{text}: {errors}");
        assert!(errors.contains(&format!("--> kpis/acme.csv:{line}:4")), "{line}: {errors}");
    }
    // Numbers past f64's range are too large, not "not a number"; the cell of 200,000 digits
    // is named, shortened.
    assert!(errors.contains("`1e400` is too large to be a measurement"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:7:4"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:8:4"), "{errors}");
    assert!(errors.contains("`99999"), "{errors}");
    assert_eq!(errors.matches("too large to be a measurement").count(), 2, "{errors}");
    assert!(!errors.contains(&digits[..1_000]), "the cell is not repeated in full");
    assert!(!project.out().exists(), "nothing is written");
}

#[test]
fn dates_that_do_not_exist_or_are_ambiguous_are_refused() {
    let project = Project::new();
    project.file("contracts/acme.yaml", &contract("Acme", WAIT)).file(
        "kpis/acme.csv",
        "date,vendor,kpi,value\n2026-02-31,acme,wait,50\n03/04/2026,acme,wait,50\n2026-3-4,acme,wait,50\n4 March 2026,acme,wait,50\n2026-02-29,acme,wait,50\n",
    );
    let errors = failed(&project);
    assert!(errors.contains("`2026-02-31` is not a day of the calendar"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:2:1"), "{errors}");
    for (line, text) in [(3, "03/04/2026"), (4, "2026-3-4"), (5, "4 March 2026")] {
        assert!(errors.contains(&format!("`{text}` is not an ISO date")), "{text}: {errors}");
        assert!(errors.contains(&format!("--> kpis/acme.csv:{line}:1")), "{line}: {errors}");
    }
    // 2026 is no leap year.
    assert!(errors.contains("`2026-02-29` is not a day of the calendar"), "{errors}");
    assert!(errors.contains("--> kpis/acme.csv:6:1"), "{errors}");
}

#[test]
fn yaml_traps_are_errors_or_stay_the_text_written() {
    // Values YAML 1.1 would turn into booleans and numbers stay the text written.
    let project = Project::new();
    project
        .file(
            "contracts/acme.yaml",
            "name: NO\nservice: yes\nterm: { start: 2026-01-01 }\nkpis:\n  - { id: 0420, name: 1.10, unit: count, better: lower, target: 5 }\n",
        )
        .file("kpis/acme.csv", "date,vendor,kpi,value\n2026-01-03,acme,0420,3\n");
    project.build_ok("2026-03-01");
    let json = project.json();
    assert_eq!(json["vendors"][0]["name"], "NO");
    assert_eq!(json["vendors"][0]["service"], "yes");
    assert_eq!(json["vendors"][0]["periods"][0]["kpis"][0]["id"], "0420");
    assert!(project.read("vendors/acme/index.html").contains("1.10"));

    // A duplicate key, a tab in the indentation, a date that is not ISO, and an alias bomb.
    let project = Project::new();
    project
        .file("contracts/dup.yaml", "name: Dup\nname: Again\nterm: { start: 2026-01-01 }\nkpis: []\n")
        .file(
            "contracts/tab.yaml",
            "name: Tab\nterm: { start: 2026-01-01 }\nkpis:\n\t- { id: a, unit: count, better: lower, target: 5 }\n",
        )
        .file("contracts/us.yaml", "name: Us\nterm: { start: 01/02/2026 }\nkpis: []\n");
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = char::from(b'a' + level - 1);
        let this = char::from(b'a' + level);
        bomb.push_str(&format!("{this}: &{this} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
    }
    bomb.push_str("name: Bomb\nterm: { start: 2026-01-01 }\nkpis: []\n");
    project.file("contracts/bomb.yaml", &bomb);
    let started = std::time::Instant::now();
    let errors = failed(&project);
    assert!(started.elapsed().as_secs() < 30, "the alias bomb is stopped, not expanded");
    assert!(errors.contains("duplicate"), "{errors}");
    assert!(errors.contains("--> contracts/dup.yaml:2:"), "{errors}");
    assert!(errors.contains("tabs disallowed"), "{errors}");
    assert!(errors.contains("--> contracts/tab.yaml:4:"), "{errors}");
    assert!(errors.contains("`01/02/2026` is not a date: expected YYYY-MM-DD"), "{errors}");
    assert!(errors.contains("--> contracts/us.yaml:2:"), "{errors}");
    assert!(errors.contains("contracts/bomb.yaml"), "{errors}");
}

#[test]
fn csv_as_spreadsheets_write_it_is_read() {
    let project = Project::new();
    project.file("contracts/acme.yaml", &contract("Acme", WAIT));
    // A byte-order mark before a quoted header, CRLF line ends, a quoted line break in an
    // unused column, a row of bare commas and an empty line (which holds no row at all).
    project.file(
        "kpis/acme.csv",
        "\u{feff}\"date\",\"vendor\",\"kpi\",\"value\",\"note\"\r\n2026-01-10,acme,wait,50,\"two\r\nlines\"\r\n,,,,\r\n\r\n2026-01-11,acme,wait,70,\r\n",
    );
    // UTF-16 with its byte-order mark, as some tools save "Unicode text".
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "date,vendor,kpi,value\r\n2026-02-10,acme,wait,40\r\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(project.path().join("kpis/acme-utf16.csv"), utf16).unwrap();
    let output = project.build_ok("2026-03-05");
    let log = stderr(&output);
    assert!(log.contains("skipped 1 blank row in kpis/acme.csv"), "{log}");
    assert!(log.contains("4 rows, 3 measurements used"), "{log}");
    assert!(log.contains("columns ignored in the long layout: `note`"), "{log}");
    let json = project.json();
    // January's mean of 50 and 70 is 60, February's 40.
    assert_eq!(json["vendors"][0]["periods"][0]["kpis"][0]["actual"], 60.0);
    assert_eq!(json["vendors"][0]["periods"][1]["kpis"][0]["actual"], 40.0);
}

#[cfg(unix)]
#[test]
fn link_loops_and_file_names_that_are_not_utf8_are_handled() {
    use std::os::unix::ffi::OsStrExt;

    let project = Project::new();
    project
        .file("contracts/acme.yaml", &contract("Acme", WAIT))
        .file("kpis/acme.csv", "date,vendor,kpi,value\n2026-01-10,acme,wait,50\n");
    // A link from inside kpis/ back to kpis/ itself, and a file whose name is not UTF-8.
    std::os::unix::fs::symlink(project.path().join("kpis"), project.path().join("kpis/loop"))
        .unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.csv");
    std::fs::write(project.path().join("kpis").join(name), "date,vendor,kpi,value\n").unwrap();
    let started = std::time::Instant::now();
    let output = project.build("2026-02-03");
    assert!(started.elapsed().as_secs() < 30, "the loop is not followed");
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains(
            "warning: is not read: a link to a folder, which is not followed\n  --> kpis/loop"
        ),
        "{log}"
    );
    // The name is shown with the byte that is not UTF-8 replaced, and the file is still read.
    assert!(log.contains("warning: holds a header only"), "{log}");
    assert!(log.contains("kpis/caf\u{fffd}.csv"), "{log}");
}

#[test]
fn a_cell_quoted_in_the_build_log_cannot_start_a_line_or_drive_the_terminal() {
    let project = Project::new();
    project
        .file("contracts/acme.yaml", &contract("Acme", "  - { id: solved, unit: percent, better: higher, target: 80 }\n"))
        .file(
            "vendorcard.yaml",
            "as_of: 2026-03-31\nsources:\n  - name: tickets\n    files: exports/tickets.csv\n    date: Created\n    \
             vendor: { column: Team, map: { North: acme } }\n    kpis:\n      solved: { column: Status, equals: Solved }\n",
        )
        .file(
            "exports/tickets.csv",
            "Created,Team,Status\n2026-03-02,North,Solved\n2026-03-03,\"x\n::error::Void\",Solved\n\
             2026-03-04,North,\"\u{1b}]0;owned\u{7}\"\n",
        );
    let output = project.build("2026-04-15");
    assert!(output.status.success(), "{}", stderr(&output));
    let log = format!("{}{}", stderr(&output), String::from_utf8_lossy(&output.stdout));
    assert!(log.lines().all(|line| !line.starts_with("::")), "{log}");
    assert!(!log.contains('\u{1b}') && !log.contains('\u{7}'), "{log:?}");
    // The cells are still named, their control characters shown as U+FFFD.
    assert!(log.contains("values `x\u{fffd}::error::Void` 1 (row 3)"), "{log}");
}
