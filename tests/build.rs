//! Building sites end to end: both layouts of KPI exports, the default `as_of`, determinism,
//! the output folder's safety, `check`, template overrides, and pages without any score.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::{Project, snapshot, stderr, stdout};
use serde_json::{Value, json};

const CONTRACT: &str = "name: Acme Support\n\
term: { start: 2026-01-01 }\n\
fee: { monthly: 1000, currency: EUR }\n\
kpis:\n\
  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n\
  - { id: csat, name: CSAT, unit: percent, better: higher, target: 80, aggregate: last }\n";

fn kpi(document: &Value, vendor: usize, period: usize, kpi: usize) -> &Value {
    &document["vendors"][vendor]["periods"][period]["kpis"][kpi]
}

#[test]
fn wide_and_long_exports_feed_the_same_cells() {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT);
    // Long: two waits in January. Wide, in the vendor's folder: one more wait, two CSAT
    // values and a column that is no KPI of the vendor.
    project.file(
        "kpis/long.csv",
        "date,vendor,kpi,value\n2026-01-05,acme,wait,40\n2026-01-20,acme,wait,70\n",
    );
    project.file(
        "kpis/acme/wide.csv",
        "date,wait,csat,calls\n2026-01-25T10:00:00,100,82%,300\n2026-01-25T09:00:00,,78,310\n",
    );
    let output = project.build_ok("2026-02-03");

    // wait: mean of 40, 70 and 100 = 70, past 60 within 90: at risk, 100 − 50 × 10/30 = 83.33.
    // csat: the last value by date and time is 82 (10:00), met.
    let document = project.json();
    assert_eq!(
        kpi(&document, 0, 0, 0),
        &json!({ "id": "wait", "actual": 70.0, "status": "at_risk", "score": 83.33, "credit": null })
    );
    assert_eq!(kpi(&document, 0, 0, 1)["actual"], json!(82.0));
    // Weights 1 and 1: (83.33 + 100) / 2 = 91.665 → 91.67, grade A.
    assert_eq!(document["vendors"][0]["score"], json!(91.67));
    assert_eq!(document["vendors"][0]["grade"], json!("A"));

    let log = stderr(&output);
    assert!(log.contains("ignored: `calls` (2 rows) is no KPI of `acme`"), "{log}");
    assert!(log.contains("loaded 1 contract, 2 KPI exports: 4 rows, 5 measurements used"), "{log}");
    assert!(
        stdout(&output).contains("1 vendor as of 2026-01-31: grades A 1"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_default_as_of_closes_the_last_ended_period_with_data() {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT);
    // Data runs into December; today is 3 December, so December has not ended: as_of is the
    // last day of November, and the two December rows are left out and counted.
    project.file(
        "kpis/acme.csv",
        "date,vendor,kpi,value\n2026-11-28,acme,wait,50\n2026-12-01,acme,wait,500\n2026-12-02,acme,csat,10\n",
    );
    let output = project.build_ok("2026-12-03");
    let document = project.json();
    assert_eq!(
        (document["as_of"].as_str(), document["period"].as_str()),
        (Some("2026-11-30"), Some("2026-11"))
    );
    let periods = document["vendors"][0]["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 11, "January to November");
    assert_eq!(periods[10]["kpis"][0]["actual"], json!(50.0));
    assert!(
        stderr(&output).contains("left out measurements dated after as_of 2026-11-30"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("acme 2"), "{}", stderr(&output));
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let project = Project::fixture("lumen");
    let first = project.run(&["build", ".", "--today", "2026-02-28", "--out", "one"]);
    let second = project.run(&["build", ".", "--today", "2026-02-28", "--out", "two"]);
    assert!(first.status.success() && second.status.success());
    let one = snapshot(&project.path().join("one"));
    assert!(one.len() >= 6, "{:?}", one.iter().map(|(n, _)| n).collect::<Vec<_>>());
    assert_eq!(one, snapshot(&project.path().join("two")));
}

/// A project of `vendors` vendors, each with its own export, some with problems found after
/// parsing (an export row that names no KPI), so that the site and the problems both come from
/// work shared between threads.
fn many_vendors(vendors: usize, broken: bool) -> Project {
    let project = Project::new();
    for v in 0..vendors {
        let id = format!("v{v:02}");
        project.file(
            &format!("contracts/{id}.yaml"),
            &format!(
                "name: Vendor {v}\nterm: {{ start: 2026-01-01 }}\nfee: {{ monthly: {}, currency: EUR }}\nkpis:\n  - {{ id: wait, name: Wait, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }}\n  - {{ id: p90, name: P90, unit: hours, better: lower, target: 8, aggregate: p90 }}\n",
                1000 + v * 10
            ),
        );
        let mut export = String::from("date,vendor,kpi,value\n");
        for month in 1..=3 {
            for day in 1..=5 {
                let wait = 40 + (v * 7 + month * 11 + day * 3) % 60;
                let p90 = 4 + (v + month + day) % 9;
                export.push_str(&format!("2026-{month:02}-{day:02},{id},wait,{wait}\n"));
                export.push_str(&format!("2026-{month:02}-{day:02},{id},p90,{p90}.5\n"));
            }
        }
        if broken && v % 7 == 3 {
            export.push_str(&format!("2026-03-09,{id},wiat,1\n"));
        }
        project.file(&format!("kpis/{id}.csv"), &export);
    }
    project
}

fn build_with_threads(project: &Project, threads: &str, out: &str) -> std::process::Output {
    assert_cmd::Command::cargo_bin("vendorcard")
        .unwrap()
        .current_dir(project.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("RAYON_NUM_THREADS", threads)
        .args(["build", ".", "--today", "2026-04-10", "--out", out])
        .output()
        .unwrap()
}

#[test]
fn the_site_and_the_problems_do_not_depend_on_how_many_threads_did_the_work() {
    let project = many_vendors(40, false);
    let one = build_with_threads(&project, "1", "one");
    let four = build_with_threads(&project, "4", "four");
    assert!(one.status.success(), "{}", stderr(&one));
    assert!(four.status.success(), "{}", stderr(&four));
    let site = snapshot(&project.path().join("one"));
    // 40 vendor pages, the portfolio and three period pages.
    assert_eq!(site.iter().filter(|(name, _)| name.ends_with("index.html")).count(), 44);
    assert_eq!(site, snapshot(&project.path().join("four")));

    let project = many_vendors(40, true);
    let one = build_with_threads(&project, "1", "one");
    let four = build_with_threads(&project, "4", "four");
    assert_eq!(one.status.code(), Some(1));
    // v03, v10, v17, v24, v31 and v38 each have a row naming no KPI, listed in file order.
    let problems = stderr(&one);
    assert_eq!(problems.matches("declares no KPI `wiat`").count(), 6, "{problems}");
    assert_eq!(problems, stderr(&four));
}

#[test]
fn the_output_folder_may_not_be_an_input_folder() {
    let project = Project::fixture("lumen");
    for out in [".", "kpis", "contracts/site"] {
        let output = project.run(&["build", ".", "--today", "2026-02-28", "--out", out]);
        assert_eq!(output.status.code(), Some(2), "{out}: {}", stderr(&output));
        assert!(stderr(&output).contains("choose another with --out"), "{}", stderr(&output));
    }
    assert!(project.path().join("kpis/lumen.csv").is_file());
    assert!(!project.path().join("contracts/site").exists());
}

#[test]
fn a_folder_vendorcard_did_not_write_is_only_replaced_with_force() {
    let project = Project::fixture("lumen");
    project.file("docs/keep.md", "my notes");
    let output = project.run(&["build", ".", "--today", "2026-02-28", "--out", "docs"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds files that vendorcard did not write"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(project.path().join("docs/keep.md")).unwrap(), "my notes");

    let forced = project.run(&["build", ".", "--today", "2026-02-28", "--out", "docs", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(!project.path().join("docs/keep.md").exists());
    assert!(project.path().join("docs/index.html").is_file());
}

#[test]
fn check_validates_without_writing() {
    let project = Project::fixture("lumen");
    let output = project.run(&["check", ".", "--today", "2026-02-28"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("1 vendor as of 2026-02-28"));
    assert!(!project.out().exists());

    project.file("kpis/lumen.csv", "date,vendor,kpi,value\n2026-01-12,lumen,first_reply,twenty\n");
    let output = project.run(&["check", ".", "--today", "2026-02-28"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--> kpis/lumen.csv:2:4"), "{}", stderr(&output));
}

#[test]
fn quiet_prints_errors_only() {
    let project = Project::fixture("lumen");
    let output = project.run(&["build", ".", "--today", "2026-02-28", "--quiet"]);
    assert!(output.status.success());
    assert_eq!((stdout(&output), stderr(&output)), (String::new(), String::new()));
}

#[test]
fn a_project_template_replaces_the_built_in_one() {
    let project = Project::fixture("lumen");
    project.file("templates/portfolio.html", "{% extends \"base.html\" %}{% block content %}<p id=own>{{ vendors | length }} vendors</p>{% endblock content %}");
    project.file("templates/style.css", "body { color: teal; }\n");
    let output = project.build_ok("2026-02-28");
    assert!(project.read("index.html").contains("<p id=own>1 vendors</p>"));
    assert_eq!(project.read("assets/style.css"), "body { color: teal; }\n");
    assert!(stderr(&output).contains("templates/portfolio.html"), "{}", stderr(&output));
    // The vendor page still uses the built-in template.
    assert!(project.read("vendors/lumen/index.html").contains("Lumen Desk"));
}

#[test]
fn a_broken_template_is_an_error_naming_its_file() {
    let project = Project::fixture("lumen");
    project.file("templates/vendor.html", "<h1>Vendor</h1>\n{% if %}\n");
    let output = project.build("2026-02-28");
    assert_eq!(output.status.code(), Some(1));
    // The place of the problem, and the line with a caret under it, as for any other input.
    assert!(
        stderr(&output).contains(
            "error: is not a valid template: Found `%}` but expected one of: integer, float, string, bool, ident"
        ),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output)
            .contains("  --> templates/vendor.html:2:7\n   |\n 2 | {% if %}\n   |       ^\n"),
        "{}",
        stderr(&output)
    );
    assert!(!project.out().exists());
}

#[test]
fn a_template_naming_what_does_not_exist_is_placed_at_the_name() {
    let project = Project::fixture("lumen");
    for (template, message, place) in [
        ("<p>{{ vendor.name | upper_case }}</p>", "Unknown filter `upper_case`", "1:21"),
        ("{% include \"nothere.html\" %}", "Unknown template `nothere.html`", "1:12"),
        (
            "{% extends \"nothere.html\" %}",
            "it extends `nothere.html`, which is no template: expected one of base.html, portfolio.html, vendor.html",
            "1:13",
        ),
    ] {
        project.file("templates/vendor.html", template);
        let output = project.build("2026-02-28");
        assert_eq!(output.status.code(), Some(1), "{template}");
        let errors = stderr(&output);
        assert!(
            errors.contains(&format!("error: is not a valid template: {message}\n")),
            "{errors}"
        );
        assert!(errors.contains(&format!("--> templates/vendor.html:{place}\n")), "{errors}");
    }
}

#[test]
fn pages_render_for_a_vendor_with_no_score_and_no_fee() {
    let project = Project::fixture("lumen");
    // Starts after as_of: no periods, no score, no grade, no fee.
    project.file(
        "contracts/later.yaml",
        "name: Later Ltd\nterm: { start: 2026-06-01 }\nkpis:\n  - { id: up, unit: percent, better: higher, target: 99 }\n",
    );
    project.build_ok("2026-02-28");
    let document = project.json();
    // Vendors are listed by id: `later` before `lumen`.
    let later = &document["vendors"][0];
    assert_eq!(later["id"], json!("later"));
    assert_eq!((later["score"].clone(), later["grade"].clone()), (Value::Null, Value::Null));
    assert_eq!(
        later["credits"],
        json!({ "percent": null, "amount": null, "currency": null, "owed": null, "pending": null, "earned_back": null, "disputed": null })
    );
    assert_eq!(later["periods"], json!([]));
    let page = project.read("vendors/later/index.html");
    assert!(page.contains("Later Ltd") && page.contains("no period yet"), "{page}");
    // Vendors without a score come after every scored vendor.
    let portfolio = project.read("index.html");
    assert!(portfolio.find("Lumen Desk").unwrap() < portfolio.find("Later Ltd").unwrap());
}

#[test]
fn the_csv_exports_hold_one_row_per_vendor_period_and_kpi() {
    let project = Project::fixture("lumen");
    project.build_ok("2026-02-28");
    assert_eq!(
        project.read("data/scores.csv"),
        "vendor,period,kpi,actual,status,score\n\
         lumen,2026-01,first_reply,30,met,100\n\
         lumen,2026-01,solved,90,met,100\n\
         lumen,2026-02,first_reply,45,at_risk,75\n\
         lumen,2026-02,solved,80,breach,0\n"
    );
    assert_eq!(
        project.read("data/credits.csv"),
        "vendor,period,kpi,percent_before_cap,percent,amount,currency,state,capped\n\
         lumen,2026-02,solved,5,5,400.00,EUR,owed,false\n"
    );
}

#[test]
fn a_project_folder_that_does_not_exist_is_a_usage_error() {
    let project = Project::new();
    let output = project.run(&["build", "no-such-folder", "--today", "2026-02-28"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`no-such-folder` is not a folder"), "{}", stderr(&output));
}

#[test]
fn a_day_to_build_for_outside_the_contracts_years_is_a_usage_error() {
    let project = Project::fixture("lumen");
    for day in ["9999-12-31", "1969-12-31"] {
        let output = project.run(&["check", ".", "--today", day]);
        assert_eq!(output.status.code(), Some(2), "{day}");
        assert!(
            stderr(&output).contains(
                "is not a day to build a site for: expected one in the years 1970 to 2199"
            ),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn what_an_export_holds_but_is_not_measured_is_reported() {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT);
    project.file(
        "kpis/long.csv",
        "date,vendor,kpi,value\n2026-01-05,acme,wait,40\n2026-01-06,acme,wait,\n,,,\n",
    );
    project.file("kpis/acme/wide.csv", "date,wait,\n2026-01-07,50,42\n");
    project.file("kpis/acme/empty.csv", "date,wait\n");
    let log = stderr(&project.build_ok("2026-02-03"));
    assert!(log.contains("skipped 1 row with an empty value in kpis/long.csv"), "{log}");
    assert!(log.contains("skipped 1 blank row in kpis/long.csv"), "{log}");
    assert!(
        log.contains("ignored 1 value in columns of kpis/acme/wide.csv whose header has no name"),
        "{log}"
    );
    assert!(log.contains("warning: holds a header only: no rows were read from it"), "{log}");
    assert!(log.contains("kpis/acme/empty.csv"), "{log}");
}

#[test]
fn an_output_path_through_dot_dot_writes_where_it_leads() {
    let project = Project::fixture("lumen");
    project.build_ok("2026-02-28");
    let before = snapshot(&project.out());
    std::fs::create_dir(project.out().join("sub")).ok();
    let output = project.run(&["build", ".", "--today", "2026-02-28", "--out", "public/sub/.."]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(snapshot(&project.out()), before, "the same site, written in place of the old");
    assert!(!project.out().join("sub").exists());
}

#[test]
fn the_settings_file_may_be_spelt_yml() {
    let project = Project::fixture("lumen");
    std::fs::rename(project.path().join("vendorcard.yaml"), project.path().join("vendorcard.yml"))
        .unwrap();
    project.build_ok("2026-03-10");
    // as_of 2026-02-28 from the settings, not February derived from the data.
    assert_eq!(project.json()["as_of"], "2026-02-28");
}

#[test]
fn a_broken_child_template_is_named_not_the_template_it_extends() {
    let project = Project::fixture("lumen");
    project.file(
        "templates/vendor.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ stray }}{% endblock content %}",
    );
    let output = project.build("2026-02-28");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: could not be rendered: Variable `stray` is not defined"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("--> templates/vendor.html:2:23\n"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("--> templates/base.html"), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn replacing_a_site_removes_a_link_inside_it_not_what_it_points_to() {
    let project = Project::fixture("lumen");
    project.build_ok("2026-02-28");
    project.file("keep/precious.txt", "not vendorcard's");
    std::os::unix::fs::symlink(project.path().join("keep"), project.out().join("link")).unwrap();
    project.build_ok("2026-02-28");
    assert!(!project.out().join("link").exists(), "the new site has no link");
    assert_eq!(
        std::fs::read_to_string(project.path().join("keep/precious.txt")).unwrap(),
        "not vendorcard's"
    );
}

#[test]
fn transition_figures_do_not_count_in_the_period_service_levels_start_in() {
    let project = Project::new();
    project
        .file("vendorcard.yaml", "period: quarter\nas_of: 2026-Q1\n")
        .file(
            "contracts/acme.yaml",
            "name: Acme\nterm: { start: 2026-01-01 }\nservice_levels_from: 2026-03-01\n\
             fee: { monthly: 1000, currency: EUR }\n\
             kpis:\n  - { id: solved, unit: percent, better: higher, target: 90, credit_percent: 10 }\n",
        )
        .file(
            "kpis/acme.csv",
            "date,vendor,kpi,value\n2026-01-15,acme,solved,0\n2026-02-15,acme,solved,0\n\
             2026-03-10,acme,solved,95\n2026-03-20,acme,solved,100\n",
        );
    let output = project.build_ok("2026-04-15");

    // Q1 is scored, on March alone: (95 + 100) / 2 = 97.5, met, no credit. With January's and
    // February's zeros it would be 48.75, a breach owing 10 % of 3,000 EUR.
    let document = project.json();
    let q1 = kpi(&document, 0, 0, 0);
    assert_eq!((q1["actual"].clone(), q1["status"].clone()), (json!(97.5), json!("met")));
    assert_eq!(q1["credit"], Value::Null);
    assert!(
        stderr(&output).contains(
            "left out measurements dated before service levels apply, in the period they start: acme 2"
        ),
        "{}",
        stderr(&output)
    );
}
