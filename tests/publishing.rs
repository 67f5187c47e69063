//! Publishing: CI annotations, the step summary, gates, permalinks, the base URL, a vendor's
//! own site and the starter project. Each test works on a two-vendor project whose figures are
//! worked out by hand below.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{Project, stderr, stdout};

/// Alpha Care bills 10,000 EUR a month for one KPI, wait time (lower is better, target 60 s,
/// tolerance 90 s, 2% credit): January 45 s is met (100); February 75 s is at risk, half-way
/// to the tolerance (75); March 100 s is a breach (0), owing 2% = 200.00 EUR. Zeta Operations
/// bills 7,700 GBP for uptime (target 99.9%, tolerance 99.5%, 5% credit), met every month.
fn two_vendors() -> Project {
    let project = Project::new();
    project
        .file("vendorcard.yaml", "title: Supplier scorecards\nas_of: 2026-03\n")
        .file(
            "contracts/alpha-care.yaml",
            "name: Alpha Care Ltd\nterm: { start: 2026-01-01, end: 2027-12-31 }\n\
             fee: { monthly: 10000, currency: EUR }\n\
             kpis:\n  - { id: wait, name: Wait time, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n",
        )
        .file(
            "contracts/zeta-ops.yaml",
            "name: Zeta Operations\nterm: { start: 2026-01-01, end: 2027-12-31 }\n\
             fee: { monthly: 7700, currency: GBP }\n\
             kpis:\n  - { id: uptime, name: Uptime, unit: percent, better: higher, target: 99.9, tolerance: 99.5, credit_percent: 5 }\n",
        )
        .file(
            "kpis/export.csv",
            "date,vendor,kpi,value\n\
             2026-01-10,alpha-care,wait,45\n2026-02-10,alpha-care,wait,75\n2026-03-10,alpha-care,wait,100\n\
             2026-01-10,zeta-ops,uptime,99.95\n2026-02-10,zeta-ops,uptime,99.99\n2026-03-10,zeta-ops,uptime,99.97\n",
        )
        .file(
            "surveys/answers.csv",
            "date,vendor,kind,score,comment\n\
             2026-03-02,zeta-ops,staff,2,Zeta staff were rude on the night shift\n\
             2026-03-03,zeta-ops,staff,3,\n2026-03-04,zeta-ops,staff,4,\n",
        )
        .file(
            "reviews/zeta-ops/2026-03-05.md",
            "---\ndate: 2026-03-05\nattendees: [Zeta account lead]\n---\nZeta asked for a fee rise.\n",
        );
    project
}

const TODAY: &str = "2026-04-02";

#[test]
fn check_writes_one_github_annotation_per_problem_at_its_place() {
    let project = two_vendors();
    // Line 4 of the contract: `tolerance` below `target` for a `lower` KPI, and a weight of 0.
    project.file(
        "contracts/alpha-care.yaml",
        "name: Alpha Care Ltd\nterm: { start: 2026-01-01, end: 2027-12-31 }\n\
         kpis:\n  - { id: wait, name: Wait time, unit: seconds, better: lower, target: 60, tolerance: 30, weight: 0 }\n",
    );

    let output = project.run(&["check", ".", "--today", TODAY, "--format", "github"]);

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error file=")).collect();
    assert_eq!(errors.len(), 2, "{out}");
    for error in &errors {
        assert!(error.starts_with("::error file=contracts/alpha-care.yaml,line=4,col="), "{error}");
    }
    assert!(out.contains("tolerance"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("::error::") && l.contains("2 problems")), "{out}");
}

#[test]
fn check_reports_problems_as_json_for_other_tools() {
    let project = two_vendors();
    project.file("kpis/export.csv", "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,fast\n");

    let output = project.run(&["check", ".", "--today", TODAY, "--format", "json"]);

    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(report["exit_code"], 1);
    let problems = report["problems"].as_array().expect("a list of problems");
    assert_eq!(problems.len(), 1, "{report:#}");
    assert_eq!(problems[0]["severity"], "error");
    assert_eq!(problems[0]["file"], "kpis/export.csv");
    assert_eq!(problems[0]["line"], 2);
    assert_eq!(problems[0]["column"], 4);
}

#[test]
fn an_actual_just_short_of_its_target_does_not_read_as_the_target() {
    // 99.8996% misses a target of at least 99.9%; rounded to two places it would read `99.9%`
    // beside "at risk", in the alert and in the credit row.
    let project = Project::new();
    project
        .file("vendorcard.yaml", "title: Scorecards\nas_of: 2026-01\n")
        .file(
            "contracts/zeta-ops.yaml",
            "name: Zeta Operations\nterm: { start: 2026-01-01, end: 2026-12-31 }\n\
             fee: { monthly: 1000, currency: EUR }\n\
             kpis:\n  - { id: uptime, name: Uptime, unit: percent, better: higher, target: 99.9, credit_tiers: [{ worse_than: 99.9, percent: 5 }] }\n",
        )
        .file("kpis/zeta-ops/uptime.csv", "date,uptime\n2026-01-10,99.8996\n");

    project.build_ok("2026-02-03");

    let page = project.read("vendors/zeta-ops/index.html");
    assert!(page.contains("99.8996%"), "{page}");
    assert!(!page.contains(">99.9%<"), "the actual reads as the target: {page}");
}

#[test]
fn a_delivery_dated_after_the_sites_day_is_overdue_not_turned_down() {
    let deliverable = |accepted: &str| {
        format!(
            "name: Zeta Operations\nterm: {{ start: 2026-01-01, end: 2026-12-31 }}\n\
             kpis:\n  - {{ id: uptime, unit: percent, better: higher, target: 99 }}\n\
             deliverables:\n  - {{ id: plan, name: Service plan, due: 2026-03-01, delivered: 2026-03-25{accepted} }}\n"
        )
    };
    for (accepted, turned_down) in [("", false), (", accepted: false", true)] {
        let project = Project::new();
        project
            .file("contracts/zeta-ops.yaml", &deliverable(accepted))
            .file("kpis/zeta-ops/uptime.csv", "date,uptime\n2026-02-10,99.5\n");

        project.build_ok("2026-03-20");

        let page = project.read("vendors/zeta-ops/index.html");
        assert!(
            page.contains("Service plan was due on 1 Mar 2026 and is 19 days overdue"),
            "{page}"
        );
        assert_eq!(
            page.contains("delivered but not accepted"),
            turned_down,
            "{accepted:?}: {page}"
        );
    }
}

#[test]
fn a_file_left_unread_in_an_input_folder_is_a_warning_ci_shows() {
    // A spreadsheet saved into kpis/ is no KPI export: its KPIs would go missing and owe credits
    // with nothing in CI's report to say why.
    let project = two_vendors();
    project.file("kpis/january.xlsx", "not read");

    let output = project.run(&["check", ".", "--today", TODAY, "--format", "json"]);

    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let problems = report["problems"].as_array().expect("a list of problems");
    let unread: Vec<_> = problems.iter().filter(|p| p["file"] == "kpis/january.xlsx").collect();
    assert_eq!(unread.len(), 1, "{report:#}");
    assert_eq!(unread[0]["severity"], "warning");
    assert!(unread[0]["message"].as_str().unwrap().starts_with("is not read"), "{report:#}");
    assert!(unread[0]["help"].as_str().unwrap().contains("sources:"), "{report:#}");
}

#[test]
fn build_appends_a_markdown_summary_for_the_ci_run_page() {
    let project = two_vendors();
    let summary = project.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("a summary file");

    let output = Command::cargo_bin("vendorcard")
        .expect("the binary")
        .current_dir(project.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["build", ".", "--today", TODAY])
        .output()
        .expect("a run");

    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&summary).expect("the summary");
    assert!(
        text.starts_with("earlier step\n\n## Supplier scorecards as of 2026-03-31 (2026-03)"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ") && l.contains('`')).collect();
    // Worst first: Alpha Care in breach scores 0 (D) and owes 200.00 EUR; Zeta scores 100 (A).
    assert_eq!(
        rows,
        [
            "| Alpha Care Ltd (`alpha-care`) | D | 0.00 | 200.00 EUR | 1 |",
            "| Zeta Operations (`zeta-ops`) | A | 100.00 | 0.00 GBP | 0 |",
        ],
        "{text}"
    );
    assert!(text.contains("### Alerts"), "{text}");
    assert!(text.contains("**high** Alpha Care Ltd: Wait time in breach in 2026\\-03"), "{text}");
}

#[test]
fn gates_fail_the_run_with_code_3_after_the_site_is_written() {
    let project = two_vendors();
    let run = |gates: &str| project.run(&["build", ".", "--today", TODAY, "--fail-on", gates]);

    let tripped = run("grade:D");
    assert_eq!(tripped.status.code(), Some(3), "{}", stderr(&tripped));
    assert!(
        stderr(&tripped).contains("gate grade:D tripped by alpha-care"),
        "{}",
        stderr(&tripped)
    );
    assert!(project.out().join("index.html").is_file());

    let credits = run("credits,alert:high");
    assert_eq!(credits.status.code(), Some(3));
    assert!(
        stderr(&credits).contains("gate credits tripped by alpha-care\n"),
        "{}",
        stderr(&credits)
    );
    assert!(stderr(&credits).contains("gate alert:high tripped by alpha-care\n"));

    // Alpha Care's February (75) would not trip grade:C; only as_of's period counts.
    assert_eq!(run("kind:contract_ending").status.code(), Some(0));
    assert_eq!(run("grade:Z").status.code(), Some(2));
    assert_eq!(run("alert:urgent").status.code(), Some(2));
}

#[test]
fn period_addresses_stay_while_their_figures_follow_the_data() {
    let project = two_vendors();
    project.file("vendorcard.yaml", "as_of: 2026-02\n");
    project.build_ok(TODAY);
    let february = project.read("periods/2026-02/index.html");
    assert!(!project.out().join("periods/2026-03").exists());
    assert!(february.contains("75.00"), "February's score of Alpha Care");
    assert!(february.contains("href=\"../../vendors/alpha-care/index.html#2026-02\""));
    assert!(project.read("vendors/alpha-care/index.html").contains("id=\"2026-02\""));

    // A month later, with February backfilled by a second reading of 105 s: the mean of 75
    // and 105 is 90, the tolerance itself, so February scores 50.
    project.file("vendorcard.yaml", "as_of: 2026-03\n");
    project.file("kpis/backfill.csv", "date,vendor,kpi,value\n2026-02-20,alpha-care,wait,105\n");
    project.build_ok(TODAY);
    let february = project.read("periods/2026-02/index.html");
    assert!(february.contains("50.00"), "{february}");
    assert!(february.contains("worked out from the data as of 31 Mar 2026"), "{february}");
    assert!(!february.contains("75.00"));
    assert!(project.read("periods/2026-03/index.html").contains("0.00"));
    let vendor = project.read("vendors/alpha-care/index.html");
    for period in ["2026-01", "2026-02", "2026-03"] {
        assert!(vendor.contains(&format!("<tr id=\"{period}\">")), "{period}");
    }
}

#[test]
fn a_base_url_gives_absolute_addresses_only_where_they_are_required() {
    let project = two_vendors();

    let output = project.run(&[
        "build",
        ".",
        "--today",
        TODAY,
        "--base-url",
        "https://cards.example.com/team",
    ]);

    assert!(output.status.success(), "{}", stderr(&output));
    let index = project.read("index.html");
    assert!(index.contains("<link rel=\"canonical\" href=\"https://cards.example.com/team/\">"));
    assert!(
        index.contains("<meta property=\"og:url\" content=\"https://cards.example.com/team/\">")
    );
    let vendor = project.read("vendors/alpha-care/index.html");
    assert!(vendor.contains("href=\"https://cards.example.com/team/vendors/alpha-care/\""));
    assert!(vendor.contains("<meta property=\"og:description\" content=\"Grade D, score 0.00 in 2026-03; credits owed 200.00 EUR; 1 alert\">"), "{vendor}");
    let sitemap = project.read("sitemap.xml");
    let locations: Vec<&str> =
        sitemap.lines().filter_map(|l| l.trim().strip_prefix("<url><loc>")).collect();
    assert_eq!(
        locations,
        [
            "https://cards.example.com/team/</loc></url>",
            "https://cards.example.com/team/periods/2026-03/</loc></url>",
            "https://cards.example.com/team/periods/2026-02/</loc></url>",
            "https://cards.example.com/team/periods/2026-01/</loc></url>",
            "https://cards.example.com/team/vendors/alpha-care/</loc></url>",
            "https://cards.example.com/team/vendors/zeta-ops/</loc></url>",
        ]
    );
    for page in ["index.html", "periods/2026-02/index.html", "vendors/zeta-ops/index.html"] {
        let html = project.read(page);
        let absolute = html.matches("href=\"https://").count();
        assert_eq!(absolute, 1, "{page}: only the canonical link is absolute");
        assert!(!html.contains("href=\"/") && !html.contains("src=\"/"), "{page}");
    }

    // Without one, no page claims an address and no sitemap is written.
    project.build_ok(TODAY);
    assert!(!project.read("index.html").contains("canonical"));
    assert!(!project.out().join("sitemap.xml").exists());
}

#[test]
fn a_vendor_site_holds_no_trace_of_another_vendor() {
    let project = two_vendors();

    let output = project.run(&[
        "build",
        ".",
        "--today",
        TODAY,
        "--vendor",
        "alpha-care",
        "--base-url",
        "https://cards.example.com/",
    ]);

    assert!(output.status.success(), "{}", stderr(&output));
    // Written beside the portfolio, never over it.
    let site = project.path().join("vendor-sites/alpha-care");
    assert!(!project.out().exists());
    let index = std::fs::read_to_string(site.join("index.html")).expect("the index page");
    assert!(index.contains("<h1>Alpha Care Ltd</h1>"), "its scorecard is the index");
    assert!(!index.contains("All vendors"));
    let mut files = Vec::new();
    walk(&site, &mut files);
    assert!(files.len() >= 5, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("text").to_lowercase();
        for trace in
            ["zeta", "7,700", "7700", "gbp", "uptime", "rude", "fee rise", "2 vendors", "vendors/"]
        {
            assert!(!text.contains(trace), "{} mentions {trace}", file.display());
        }
    }
    assert!(!site.join("vendors").exists() && !site.join("periods").exists());

    // The portfolio, or another vendor's site, is not written into the folder kept for Alpha.
    for other in [
        &["--out", "vendor-sites/alpha-care"][..],
        &["--vendor", "zeta-ops", "--out", "vendor-sites/alpha-care"],
    ] {
        let refused = project.run(&[&["build", ".", "--today", TODAY][..], other].concat());
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("holds the site of vendor `alpha-care` alone"),
            "{}",
            stderr(&refused)
        );
        assert_eq!(
            std::fs::read_to_string(site.join("index.html")).expect("the index page"),
            index
        );
    }

    // The settings' base URL is the portfolio's address, which lists every vendor: a vendor's
    // site does not claim it, and has an address only when --base-url gives one.
    project.file("vendorcard.yaml", "as_of: 2026-03\nbase_url: https://buyer.example/cards/\n");
    let settled = project.run(&["build", ".", "--today", TODAY, "--vendor", "alpha-care"]);
    assert!(settled.status.success(), "{}", stderr(&settled));
    let index = std::fs::read_to_string(site.join("index.html")).expect("the index page");
    assert!(!index.contains("buyer.example"), "{index}");
    assert!(!site.join("sitemap.xml").exists());

    let unknown = project.run(&["build", ".", "--today", TODAY, "--vendor", "omega"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("expected one of alpha-care, zeta-ops"));
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() { walk(&path, files) } else { files.push(path) }
    }
}

#[test]
fn init_writes_a_starter_project_that_builds_and_never_overwrites() {
    let project = Project::new();

    let init = project.run(&["init", "starter"]);

    assert!(init.status.success(), "{}", stderr(&init));
    let starter = project.path().join("starter");
    let built = project.run(&["build", "starter", "--today", "2026-12-03"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(starter.join("public/data/scorecards.json")).expect("JSON"),
    )
    .expect("valid JSON");
    // March: first response median of 55, 64, 68, 71 is 66 min, past the 60 min tolerance
    // (breach, 0, weight 2); satisfaction mean 90.975% meets 90% (100, weight 3); the backlog's
    // last value 138 is at risk, 38 of 50 towards the tolerance (100 - 38 = 62, weight 1).
    // (0·2 + 100·3 + 62·1) / 6 = 60.33, grade C; the breach owes 2% of 40,000 = 800 EUR.
    let vendor = &json["vendors"][0];
    assert_eq!(json["period"], "2026-03");
    assert_eq!(vendor["id"], "acme-support");
    assert_eq!(vendor["score"], 60.33);
    assert_eq!(vendor["grade"], "C");
    assert_eq!(vendor["credits"]["owed"], 800.0);

    let contract =
        std::fs::read_to_string(starter.join("contracts/acme-support.yaml")).expect("text");
    let again = project.run(&["init", "starter"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already there"), "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(starter.join("contracts/acme-support.yaml")).expect("text"),
        contract
    );
}

#[test]
fn text_from_the_inputs_cannot_act_as_a_workflow_command() {
    let project = two_vendors();
    project.file(
        "vendorcard.yaml",
        "as_of: 2026-03\ngrades:\n  - { grade: A, min: 50 }\n  - { grade: \"##[stop-commands]x\", min: 0 }\n",
    );
    project.file("kpis/wide.csv", "date,vendor,##[error]sneaky\n2026-01-05,alpha-care,1\n");

    for format in ["github", "human", "json"] {
        let output = project.run(&["check", ".", "--today", TODAY, "--format", format]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!all.contains("##["), "{format}: {all}");
        assert!(all.contains("stop-commands"), "the text is still shown: {all}");
    }
}

#[test]
fn annotations_name_files_from_where_the_pipeline_runs() {
    let project = two_vendors();
    project.file("kpis/export.csv", "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,fast\n");
    let parent = project.path().parent().expect("a parent folder");
    let name = project.path().file_name().expect("a name").to_string_lossy().into_owned();

    let output = Command::cargo_bin("vendorcard")
        .expect("the binary")
        .current_dir(parent)
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["check", &name, "--today", TODAY, "--format", "github"])
        .output()
        .expect("a run");

    assert_eq!(output.status.code(), Some(1));
    // A table is placed by its line: the column of a cell is its field number.
    let expected = format!("::error file={name}/kpis/export.csv,line=2::");
    assert!(stdout(&output).contains(&expected), "{}", stdout(&output));
}

#[test]
fn a_vendor_site_scores_what_the_portfolio_scores_when_the_vendor_stops_reporting() {
    let project = two_vendors();
    // No as_of: Zeta has reported for April too, Alpha only until March.
    project.file("vendorcard.yaml", "title: Supplier scorecards\n");
    project.file("kpis/april.csv", "date,vendor,kpi,value\n2026-04-10,zeta-ops,uptime,99.99\n");

    let whole = project.run(&["build", ".", "--today", "2026-05-03"]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let portfolio = project.json();
    assert_eq!(portfolio["period"], "2026-04");

    let alone = project.run(&[
        "build",
        ".",
        "--today",
        "2026-05-03",
        "--vendor",
        "alpha-care",
        "--out",
        "public",
        "--force",
    ]);
    assert!(alone.status.success(), "{}", stderr(&alone));
    let json = project.json();
    // April is the data's last month for the buyer, so for Alpha too: its April is missing,
    // a breach scoring 0 (grade D) and owing 2% of 10,000 = 200.00 EUR, on top of March's
    // breach of 100 s, another 200.00 EUR. Not a site that stops at March, owing 200.00.
    assert_eq!(json["as_of"], "2026-04-30");
    let vendor = &json["vendors"][0];
    assert_eq!((vendor["score"].clone(), vendor["grade"].clone()), (0.0.into(), "D".into()));
    assert_eq!(vendor["credits"]["owed"], 200.0);
    assert_eq!(vendor["credits_term"]["owed"], 400.0);
    assert_eq!(vendor, &portfolio["vendors"][0], "the vendor's figures are the buyer's");
}

#[test]
fn a_breach_streak_trips_the_breach_gate() {
    let project = two_vendors();
    project.file(
        "kpis/export.csv",
        "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,100\n2026-02-10,alpha-care,wait,100\n2026-03-10,alpha-care,wait,100\n\
         2026-03-10,zeta-ops,uptime,99.97\n",
    );
    let output = project.run(&["check", ".", "--today", TODAY, "--fail-on", "kind:kpi_breach"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("gate kind:kpi_breach tripped by alpha-care"));

    // For machines, each gate that tripped with the ids of its vendors; zeta-ops met its
    // target in March and trips neither gate.
    let json = project.run(&[
        "check",
        ".",
        "--today",
        TODAY,
        "--format",
        "json",
        "--fail-on",
        "kind:kpi_breach,grade:D",
    ]);
    assert_eq!(json.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        report["gates_tripped"],
        serde_json::json!([
            { "gate": "kind:kpi_breach", "vendors": ["alpha-care"] },
            { "gate": "grade:D", "vendors": ["alpha-care"] },
        ]),
        "{report:#}"
    );
}

#[test]
fn a_breach_streak_says_how_long_it_has_lasted() {
    let project = two_vendors();
    // 100 s against a target of 60 s and a tolerance of 90 s: a breach in each of four months.
    project.file("vendorcard.yaml", "as_of: 2026-04\n").file(
        "kpis/export.csv",
        "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,100\n2026-02-10,alpha-care,wait,100\n\
         2026-03-10,alpha-care,wait,100\n2026-04-10,alpha-care,wait,100\n",
    );
    project.build_ok("2026-05-03");
    let document = project.json();
    let alert = &document["vendors"][0]["alerts"][0];
    assert_eq!(alert["kind"], "breach_streak");
    assert!(
        alert["message"]
            .as_str()
            .expect("a message")
            .starts_with("Wait time in breach 4 periods running, latest 2026-04: 100 s"),
        "{alert}"
    );
}

#[test]
fn a_failed_build_says_why_on_the_run_page_and_keeps_its_warnings() {
    let project = two_vendors();
    project.file("kpis/export.csv", "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,fast\n");
    project.file("kpis/wide.csv", "date,vendor,unknown_kpi\n2026-01-05,alpha-care,1\n");
    let summary = project.path().join("summary.md");

    let output = Command::cargo_bin("vendorcard")
        .expect("the binary")
        .current_dir(project.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["build", ".", "--today", TODAY])
        .output()
        .expect("a run");

    assert_eq!(output.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).expect("the summary");
    assert!(
        text.starts_with("\n## vendorcard: the build failed\n\n1 problem in the inputs\n"),
        "{text}"
    );
    assert!(text.contains("- `kpis/export.csv:2:4` "), "{text}");

    // A pipeline gating with `check` alone gets the same on its run page.
    std::fs::remove_file(&summary).expect("the summary");
    let checked = Command::cargo_bin("vendorcard")
        .expect("the binary")
        .current_dir(project.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", ".", "--today", TODAY])
        .output()
        .expect("a run");
    assert_eq!(checked.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).expect("the summary");
    assert!(text.starts_with("\n## vendorcard: the check failed\n\n1 problem"), "{text}");

    let json = project.run(&["check", ".", "--today", TODAY, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let severities: Vec<&str> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["severity"].as_str().expect("a severity"))
        .collect();
    assert_eq!(severities, ["error", "warning"], "{report:#}");
}

#[test]
fn init_never_changes_a_folder_that_holds_a_project() {
    let project = Project::new();
    project.file("contracts/real.yaml", "name: Real\n");
    let refused = project.run(&["init", "."]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(!project.path().join("vendorcard.yaml").exists(), "nothing is written");

    let other = Project::new();
    #[cfg(unix)]
    {
        std::fs::create_dir_all(other.path().join("new")).expect("a folder");
        std::os::unix::fs::symlink(
            other.path().join("elsewhere.yaml"),
            other.path().join("new/vendorcard.yaml"),
        )
        .expect("a link");
        assert_eq!(other.run(&["init", "new"]).status.code(), Some(2));
        assert!(!other.path().join("elsewhere.yaml").exists(), "nothing is written through a link");
    }
    // A file where a folder must go: the run fails and takes back what it wrote.
    other.file("partial/kpis", "a file, not a folder");
    assert_eq!(other.run(&["init", "partial"]).status.code(), Some(2));
    let left: Vec<_> =
        std::fs::read_dir(other.path().join("partial")).expect("the folder").collect();
    assert_eq!(left.len(), 1, "only the file that was there: {left:?}");
}

#[test]
fn an_alert_says_a_contract_renews_when_its_term_ends() {
    // The term ends 31 May 2026 and renews itself; 90 days' notice makes the deadline 2 Mar.
    // On 2 Apr the deadline has passed and the end is 59 days away, within the 60 flagged.
    let project = Project::new();
    project
        .file(
            "contracts/alpha-care.yaml",
            "name: Alpha Care Ltd\nterm: { start: 2026-01-01, end: 2026-05-31, notice_days: 90, auto_renew: true }\n\
             kpis:\n  - { id: wait, name: Wait time, unit: seconds, better: lower, target: 60 }\n",
        )
        .file("kpis/export.csv", "date,vendor,kpi,value\n2026-03-10,alpha-care,wait,45\n");
    project.build_ok(TODAY);
    let document = project.json();
    let messages: Vec<&str> = document["vendors"][0]["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .map(|alert| alert["message"].as_str().expect("a message"))
        .collect();
    assert!(
        messages.contains(&"The notice deadline of 2 Mar 2026 has passed: the contract renews automatically when its term ends on 31 May 2026"),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&"The term ends on 31 May 2026, in 59 days, and renews automatically"),
        "{messages:#?}"
    );
}

#[test]
fn every_page_says_what_each_grade_takes_with_its_consequence_escaped() {
    let project = two_vendors();
    project.file(
        "vendorcard.yaml",
        "as_of: 2026-03\ngrades:\n  - { grade: Good, min: 80 }\n\
         \x20 - { grade: Poor, min: 0, consequence: \"Plan <b>now</b> & report\" }\n",
    );
    project.build_ok(TODAY);

    for page in ["index.html", "periods/2026-02/index.html", "vendors/zeta-ops/index.html"] {
        let text = project.read(page);
        assert!(
            text.contains(
                "Grades: Good from 80 · Poor below 80 (Plan &lt;b&gt;now&lt;/b&gt; &amp; report)."
            ),
            "{page}: {text}"
        );
    }
}

#[test]
fn a_quarterly_kpi_between_its_measuring_months_heads_with_its_last_quarter() {
    let project = Project::new();
    project
        .file("vendorcard.yaml", "as_of: 2026-05\n")
        .file(
            "contracts/forge.yaml",
            "name: Forge\nterm: { start: 2026-01-01 }\nkpis:\n\
             \x20 - { id: release, name: Release on time, unit: percent, better: higher, target: 90, measured: quarterly }\n",
        )
        .file("kpis/forge.csv", "date,vendor,kpi,value\n2026-02-10,forge,release,80\n");
    project.build_ok("2026-06-03");

    // May is not a quarter's last month, so the heading shows Q1 (measured in March): the one
    // value of 80% misses the target of 90% with no tolerance, a breach.
    let page = project.read("vendors/forge/index.html");
    assert!(
        page.contains(
            "<span class=\"status breach\">✗ Breach</span> <span class=\"actual\">80%</span> \
             <span class=\"measured-in\">for 2026-Q1, its last quarter measured</span>"
        ),
        "{page}"
    );
}

#[test]
fn a_term_that_ended_before_as_of_is_not_reported_as_this_period() {
    let project = two_vendors();
    // Alpha's term ends in February, in breach (100 s against 60 s, tolerance 90 s), owing
    // 2 % of 10,000 = 200.00 EUR for February. March, the period holding as_of, is Zeta's alone.
    project
        .file(
            "contracts/alpha-care.yaml",
            "name: Alpha Care Ltd\nterm: { start: 2026-01-01, end: 2026-02-28 }\n\
             fee: { monthly: 10000, currency: EUR }\n\
             kpis:\n  - { id: wait, name: Wait time, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n",
        )
        .file(
            "kpis/export.csv",
            "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,45\n2026-02-10,alpha-care,wait,100\n\
             2026-03-10,zeta-ops,uptime,99.97\n",
        );
    let summary = project.path().join("summary.md");
    let output = Command::cargo_bin("vendorcard")
        .expect("the binary")
        .current_dir(project.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["build", ".", "--today", TODAY, "--fail-on", "credits,grade:D,alert:high"])
        .output()
        .expect("a run");

    // No gate trips: February is not the period holding as_of.
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("grades A 1, B 0, C 0, D 0"), "{}", stdout(&output));
    let document = project.json();
    let alpha = &document["vendors"][0];
    assert!(alpha["score"].is_null() && alpha["grade"].is_null(), "{alpha}");
    assert_eq!(alpha["credits"]["owed"], 0.0);
    assert_eq!(alpha["credits_term"]["owed"], 200.0);
    assert_eq!(alpha["alerts"], serde_json::json!([]));
    let portfolio = project.read("index.html");
    assert!(portfolio.contains("No credits became owed this period."), "{portfolio}");
    assert!(portfolio.contains("<span class=\"service\">term ended 28 Feb 2026</span>"));
    let text = std::fs::read_to_string(&summary).expect("the summary");
    assert!(
        text.contains("| Alpha Care Ltd (`alpha-care`, term ended 28 Feb 2026) | — | — |"),
        "{text}"
    );
    // Its own page still leads with its last period, February.
    assert!(project.read("vendors/alpha-care/index.html").contains("200.00 EUR"));
}

#[test]
fn a_credit_whose_earn_back_is_missed_is_owed_in_the_period_it_was_missed() {
    let project = two_vendors();
    // Alpha's credit of 2 % of 10,000 EUR is earned back when the next period is met. January
    // (100 s) breaches: 200.00 EUR. February breaches again, so January's credit is owed,
    // decided in February, and February's own 200.00 EUR waits on March, which is met (45 s):
    // earned back.
    project
        .file(
            "contracts/alpha-care.yaml",
            "name: Alpha Care Ltd\nterm: { start: 2026-01-01, end: 2027-12-31 }\n\
             fee: { monthly: 10000, currency: EUR }\n\
             kpis:\n  - { id: wait, name: Wait time, unit: seconds, better: lower, target: 60, tolerance: 90, credit_percent: 2 }\n\
             credits: { earn_back_periods: 1 }\n",
        )
        .file(
            "kpis/export.csv",
            "date,vendor,kpi,value\n2026-01-10,alpha-care,wait,100\n2026-02-10,alpha-care,wait,100\n\
             2026-03-10,alpha-care,wait,45\n2026-01-10,zeta-ops,uptime,99.95\n\
             2026-02-10,zeta-ops,uptime,99.99\n2026-03-10,zeta-ops,uptime,99.97\n",
        );
    let gate = |as_of: &str| {
        project.file("vendorcard.yaml", &format!("as_of: {as_of}\n"));
        project.run(&["build", ".", "--today", TODAY, "--fail-on", "credits"])
    };

    // As of February: its own credit is pending, but January's became owed in it.
    let february = gate("2026-02");
    assert_eq!(february.status.code(), Some(3), "{}", stderr(&february));
    let portfolio = project.read("index.html");
    assert!(
        portfolio.contains(
            "Credits that became owed this period:\n<strong>200.00 EUR</strong> (of which raised in earlier periods, owed since: 200.00 EUR)."
        ),
        "{portfolio}"
    );
    assert!(portfolio.contains("200.00 EUR of it for earlier periods"), "{portfolio}");
    // January's page does not count it again: it was not owed in January.
    let january = project.read("periods/2026-01/index.html");
    assert!(january.contains("No credits became owed this period."), "{january}");
    assert!(portfolio.contains("Pending earn-back: 200.00 EUR."), "{portfolio}");

    // As of March nothing more became owed: the gate does not stay red for January.
    let march = gate("2026-03");
    assert_eq!(march.status.code(), Some(0), "{}", stderr(&march));
    let portfolio = project.read("index.html");
    assert!(portfolio.contains("Owed over the terms so far: 200.00 EUR."), "{portfolio}");
    assert!(portfolio.contains("200.00 EUR over the term"), "{portfolio}");
}

#[test]
fn a_vendor_site_whose_input_text_names_another_vendor_is_warned_of() {
    let project = Project::new();
    let contract = |name: &str| {
        format!(
            "name: \"{name}\"\nterm: {{ start: 2026-01-01 }}\nkpis:\n  - {{ id: wait, unit: seconds, better: lower, target: 60 }}\n"
        )
    };
    for (id, name) in [
        ("acme", "Acme"),
        ("acme-eu", "Acme EU"),
        ("obrien", "O'Brien Logistics"),
        ("zeta-group", "Zeta Group"),
        ("meta", "Meta Platforms"),
    ] {
        project.file(&format!("contracts/{id}.yaml"), &contract(name));
    }
    project.file(
        "kpis/acme.csv",
        "date,vendor,kpi,value\n2026-03-10,acme,wait,50\n2026-03-10,acme-eu,wait,50\n\
         2026-03-10,obrien,wait,50\n2026-03-10,zeta-group,wait,50\n2026-03-10,meta,wait,50\n",
    );
    // Acme's notes name three others: one whose name starts with Acme's own, one with an
    // apostrophe, one broken by markdown. The page's own words (its <meta> tags, "Target")
    // are no mention of Meta Platforms.
    project.file(
        "reviews/acme/2026-03-20.md",
        "---\ndate: 2026-03-20\nattendees: [Acme lead]\n---\n\
         Acme EU takes the overflow.\n\nWe compared notes with O'Brien Logistics.\n\n\
         The **Zeta**\nGroup team helps out.\n",
    );
    // Ids and the settings' texts are shown too: a deliverable's id, a grade's consequence.
    project.file(
        "contracts/acme.yaml",
        &format!(
            "{}deliverables:\n  - {{ id: obrien-handover, name: Handover, due: 2026-05-01 }}\n",
            contract("Acme")
        ),
    );
    project.file(
        "vendorcard.yaml",
        "grades:\n  - { grade: Good, min: 50 }\n  - { grade: Poor, min: 0, consequence: Move the work to Zeta Group }\n",
    );
    let output = project.run(&["build", ".", "--today", "2026-04-03", "--vendor", "acme"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let errors = stderr(&output);
    for (other, file) in [("obrien", "contracts/acme.yaml"), ("Zeta Group", "vendorcard.yaml")] {
        assert!(
            errors.contains(&format!("warning: names `{other}`, another vendor, and is shown on the site that goes to `acme`: read it before you send the site\n  --> {file}")),
            "{other}: {errors}"
        );
    }
    for other in ["Acme EU", "O'Brien Logistics", "Zeta Group"] {
        assert!(
            errors.contains(&format!(
                "warning: names `{other}`, another vendor, and is shown on the site that goes to `acme`: read it before you send the site\n  --> reviews/acme/2026-03-20.md"
            )),
            "{other}: {errors}"
        );
    }
    assert!(!errors.contains("`Meta Platforms`") && !errors.contains("`meta`"), "{errors}");

    // Acme EU's own site: "Acme" in its own name is no mention of Acme.
    let eu = project.run(&["build", ".", "--today", "2026-04-03", "--vendor", "acme-eu"]);
    assert!(!stderr(&eu).to_lowercase().contains("names `acme`"), "{}", stderr(&eu));
}
