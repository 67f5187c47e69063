//! Surveys and reviews through the real binary: means and counts worked out by hand, the
//! anonymity floor in every output file, review and action alerts, hostile text made inert,
//! and bad input placed at its file and line.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on any unexpected error")]

mod common;

use common::{Project, snapshot, stderr};
use serde_json::json;

const CONTRACT: &str = "name: Acme Support\nterm: { start: 2026-01-01 }\nfee: { monthly: 1000, currency: EUR }\n\
kpis:\n  - { id: wait, name: Wait, unit: seconds, better: lower, target: 60 }\n\
reviews: { cadence_days: 14 }\n";

const SURVEYS: &str = "date,vendor,kind,score,comment\n\
2026-01-05,acme,customer,4,Quick and friendly\n\
2026-01-09,acme,customer,5,\n\
2026-01-20,acme,customer,2,Waited far too long\n\
2026-01-21,acme,staff,1,THE-LONE-STAFF-COMMENT\n\
2026-01-22,acme,staff,3,\n\
2026-02-03,acme,customer,5,Too early to tell\n";

fn project() -> Project {
    let project = Project::new();
    project.file("contracts/acme.yaml", CONTRACT);
    project.file(
        "kpis/acme.csv",
        "date,vendor,kpi,value\n2026-01-10,acme,wait,30\n2026-02-10,acme,wait,30\n",
    );
    project.file("surveys/feedback.csv", SURVEYS);
    project
}

#[test]
fn survey_means_and_counts_follow_the_floor_and_the_close_of_the_period() {
    let project = project();
    project.file("vendorcard.yaml", "as_of: 2026-02-15\n");
    project.build_ok("2026-02-16");
    let document = project.json();
    let periods = &document["vendors"][0]["periods"];
    // January customers: 4, 5 and 2, a mean of 11 / 3 = 3.666… → 3.67. Staff: two answers,
    // below the floor of 3: the count only.
    assert_eq!(
        periods[0]["surveys"],
        json!({ "customer": { "mean": 3.67, "count": 3 }, "staff": { "mean": null, "count": 2 } })
    );
    // February has not closed by as_of (15 February): its one answer is counted, not averaged.
    assert_eq!(periods[1]["surveys"], json!({ "customer": { "mean": null, "count": 1 } }));

    let page = project.read("vendors/acme/index.html");
    assert!(page.contains("3.67 (3 answers)"), "{page}");
    assert!(page.contains("Waited far too long") && page.contains("Quick and friendly"));
    // Newest first: the 20 January comment before the 5 January one.
    assert!(page.find("Waited far too long").unwrap() < page.find("Quick and friendly").unwrap());
}

#[test]
fn a_comment_below_the_floor_appears_in_no_output_file() {
    let project = project();
    project.build_ok("2026-03-02");
    for (name, bytes) in snapshot(&project.out()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("THE-LONE-STAFF-COMMENT"), "{name} shows a comment below the floor");
        assert!(!text.contains("Too early to tell") || name.ends_with(".html"), "{name}");
    }
    // With the floor lowered to 2, the staff comment may be shown.
    project.file("vendorcard.yaml", "surveys: { min_responses: 2 }\n");
    project.build_ok("2026-03-02");
    assert!(project.read("vendors/acme/index.html").contains("THE-LONE-STAFF-COMMENT"));
}

#[test]
fn the_vendor_team_s_comments_stay_off_the_site_sent_to_the_vendor() {
    let project = project();
    project.file(
        "surveys/team.csv",
        "date,vendor,kind,score,comment
         2026-01-06,acme,vendor_team,2,Management hides the backlog
         2026-01-07,acme,vendor_team,3,
2026-01-08,acme,vendor_team,4,
",
    );
    project.build_ok("2026-03-02");
    // The buyer reads it: three answers, at the floor, a mean of 9 / 3 = 3.
    let buyer = project.read("vendors/acme/index.html");
    assert!(buyer.contains("Management hides the backlog"), "{buyer}");
    assert!(buyer.contains("3.00 (3 answers)"), "{buyer}");

    // The vendor's own site, which goes to the team's management, keeps the mean, not the words.
    let own = project.run(&["build", ".", "--today", "2026-03-02", "--vendor", "acme"]);
    assert!(own.status.success(), "{}", stderr(&own));
    let site = project.path().join("vendor-sites/acme");
    for (name, bytes) in snapshot(&site) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Management hides the backlog"), "{name}");
    }
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(page.contains("3.00 (3 answers)") && page.contains("Waited far too long"), "{page}");
}

#[test]
fn reviews_count_open_and_overdue_actions_and_raise_alerts() {
    let project = project();
    project.file(
        "reviews/acme/2026-01-13.md",
        "---\ndate: 2026-01-13\nattendees: [Vendor lead, Our manager]\nactions:\n\
         \x20 - { id: a1, text: Publish the escalation matrix, due: 2026-01-27, done: false }\n\
         \x20 - { id: a2, text: Add agents on Mondays, due: 2026-02-10, kpi: wait }\n---\nFirst review.\n",
    );
    project.file(
        "reviews/acme/2026-01-27.md",
        "---\ndate: 2026-01-27\nactions:\n  - { id: a1, text: Publish the escalation matrix, due: 2026-01-27, done: true }\n---\nSecond.\n",
    );
    // Today 3 March: the last review was 27 January, 35 days ago, past the cadence of 14; a1 was
    // done at the second review; a2, listed only at the first, is open and due 10 February.
    project.build_ok("2026-03-03");
    let vendor = &project.json()["vendors"][0];
    assert_eq!(
        vendor["reviews"],
        json!([{ "date": "2026-01-13", "actions_open": 1, "actions_overdue": 1 },
               { "date": "2026-01-27", "actions_open": 0, "actions_overdue": 0 }])
    );
    let kinds: Vec<&str> =
        vendor["alerts"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["review_overdue", "action_overdue"]);
    let page = project.read("vendors/acme/index.html");
    assert!(page.contains("Corrective actions:") && page.contains("Add agents on Mondays"));
    assert!(page.contains("Latest review, 27 Jan 2026"));
}

#[test]
fn hostile_text_is_inert_in_every_output_file() {
    let project = Project::new();
    let hostile_name = "Acme <script>alert(1)</script> & \"Co\"";
    project.file(
        "contracts/acme.yaml",
        &format!("name: '{hostile_name}'\nservice: <img src=x onerror=alert(2)>\nterm: {{ start: 2026-01-01 }}\nfee: {{ monthly: 1000, currency: EUR }}\nkpis:\n  - {{ id: wait, name: \"=HYPERLINK(\\\"http://evil\\\")\", unit: seconds, better: lower, target: 60, credit_percent: 1 }}\n\
            deliverables:\n  - {{ id: kb, name: \"<script>alert(8)</script>\", due: 2026-01-15 }}\n\
            data_protection:\n  - {{ id: dpa, clause: \"<img src=x onerror=alert(9)>\", evidence: \"+cmd|' /C calc'!A0\", verified: 2026-01-02, valid_days: 365 }}\n\
            disputes:\n  - {{ kpi: wait, period: 2026-01, raised: 2026-02-01, status: open, text: \"<a href=javascript:alert(10)>see</a>\" }}\n"),
    );
    // A breach, so that the disputed credit and its text are shown.
    project.file("kpis/acme.csv", "date,vendor,kpi,value\n2026-01-10,acme,wait,90\n");
    project.file(
        "surveys/feedback.csv",
        "date,vendor,kind,score,comment\n2026-01-05,acme,customer,4,<script>steal()</script>\n2026-01-06,acme,customer,4,@SUM(A1)\n2026-01-07,acme,customer,4,<a href=\"javascript:alert(3)\">x</a>\n",
    );
    project.file(
        "reviews/acme/2026-01-20.md",
        "---\ndate: 2026-01-20\nactions:\n  - { id: a1, text: \"<script>alert(11)</script>\", due: 2026-01-30 }\n---\n<script>alert(4)</script>\n\n<img src=x onerror=alert(5)>\n\n[click](javascript:alert(6))\n\n<a href=\"javascript:alert(7)\" onclick=\"x()\">y</a>\n",
    );
    project.build_ok("2026-02-03");
    for (name, bytes) in snapshot(&project.out()) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if name.ends_with(".html") {
            assert!(!text.contains("<script"), "{name} runs a script");
            assert!(!text.contains("<img"), "{name} has an injected image");
            for handler in ["onerror=", "onclick="] {
                assert!(!in_a_tag(&text, handler), "{name} has an event handler");
            }
            assert!(!in_a_tag(&text, "javascript:"), "{name} has a javascript: link");
        }
        if name.ends_with(".csv") {
            assert!(
                !text.lines().any(|l| l.split(',').any(|cell| cell.starts_with('='))),
                "{name}: a formula cell"
            );
        }
    }
    let page = project.read("vendors/acme/index.html");
    assert!(
        page.contains("Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"),
        "the name is shown, escaped"
    );
    assert!(
        page.contains("&lt;script&gt;alert(4)&lt;/script&gt;"),
        "raw HTML in notes is shown as text"
    );
    // Every other text field reaches the page, as text.
    for shown in [
        "&lt;script&gt;alert(8)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(9)&gt;",
        "+cmd|&#39; /C calc&#39;!A0",
        "&lt;a href=javascript:alert(10)&gt;see&lt;/a&gt;",
        "&lt;script&gt;alert(11)&lt;/script&gt;",
    ] {
        assert!(page.contains(shown), "{shown} is not on the page");
    }
}

/// Whether `needle` occurs inside a tag (after a `<` with no `>` between), not as text.
fn in_a_tag(html: &str, needle: &str) -> bool {
    html.match_indices(needle).any(|(at, _)| {
        let before = &html[..at];
        before.rfind('<').is_some_and(|open| before.rfind('>').is_none_or(|close| close < open))
    })
}

#[test]
fn bad_surveys_and_reviews_are_placed() {
    let project = project();
    project.file("surveys/more.csv", "date,vendor,kind,score,comment\n2026-01-05,acme,client,4,\n2026-01-06,acme,customer,6,\n2026-01-07,zeta,customer,3,\n");
    project.file("surveys/nobody/x.csv", "date,kind,score\n2026-01-05,customer,4\n");
    project.file(
        "reviews/acme/2026-01-14.md",
        "---\ndate: 2026-01-13\nactions:\n  - { id: a1, text: X, kpi: wiat }\n---\nNotes\n",
    );
    project.file("reviews/nobody/2026-01-14.md", "---\ndate: 2026-01-14\n---\n");
    project.file("reviews/acme/2026-01-15.md", "no front matter here\n");
    let output = project.build("2026-02-03");
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    for expected in [
        "`client` is not a kind of survey",
        "--> surveys/more.csv:2:3",
        "`6` is not a score: expected a number from 1 to 5",
        "--> surveys/more.csv:3:4",
        "no contract has the vendor id `zeta`",
        "the folder `surveys/nobody/` names no contract",
        "the file is named `2026-01-14` but the review is dated 2026-01-13",
        "--> reviews/acme/2026-01-14.md:2:7",
        "contract `acme` declares no KPI `wiat`",
        "--> reviews/acme/2026-01-14.md:4:",
        "the folder `reviews/nobody/` names no contract",
        "--> reviews/acme/2026-01-15.md:1:1",
    ] {
        assert!(errors.contains(expected), "missing {expected:?} in:\n{errors}");
    }
}

#[test]
fn a_review_after_today_has_not_happened_for_that_site() {
    let project = project();
    project.file(
        "reviews/acme/2026-01-10.md",
        "---\ndate: 2026-01-10\nactions:\n  - { id: a1, text: Hire two agents, due: 2026-02-01 }\n---\nFirst.\n",
    );
    project.file(
        "reviews/acme/2026-01-24.md",
        "---\ndate: 2026-01-24\nactions:\n  - { id: a1, text: Hire two agents, due: 2026-02-01 }\n---\nSecond.\n",
    );
    project.file(
        "reviews/acme/2026-12-10.md",
        "---\ndate: 2026-12-10\nactions:\n  - { id: a1, text: Hire two agents, due: 2026-02-01, done: true }\n---\nLater.\n",
    );

    // Built for 20 March: the December review is left out, so a1 is still open and overdue,
    // and the last review is 24 January, 55 days before, past the cadence of 14 days.
    let output = project.build_ok("2026-03-20");

    assert!(
        stderr(&output).contains("left out 1 review dated after today: reviews/acme/2026-12-10.md")
    );
    let vendor = &project.json()["vendors"][0];
    let messages: Vec<&str> = vendor["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "No review for 55 days: the last review was on 24 Jan 2026, and reviews are due every 14 days",
            "Action a1 agreed at the review of 10 Jan 2026 is open past its due date, due 1 Feb 2026: Hire two agents",
        ]
    );
    let page = project.read("vendors/acme/index.html");
    assert!(page.contains("Latest review, 24 Jan 2026") && !page.contains("Later."));
    assert!(page.contains("Notes of earlier reviews") && page.contains("First."));
}

#[test]
fn without_reviews_the_clock_runs_from_the_start_of_the_term() {
    let project = project();
    // A kick-off before the term does not start the clock: 1 January to 16 January is 15 days.
    project.file("reviews/acme/2025-12-15.md", "---\ndate: 2025-12-15\n---\nKick-off.\n");
    project.build_ok("2026-01-16");
    let alert = &project.json()["vendors"][0]["alerts"][0];
    assert_eq!(
        alert["message"],
        "No review for 15 days: the term started on 1 Jan 2026 and no review has been held since, and reviews are due every 14 days"
    );
}

#[test]
fn survey_files_that_could_mislead_are_refused() {
    let project = project();
    project.file("surveys/acme/s.csv", "date,vendor,kind,score\n2026-01-05,other,customer,4\n");
    project.file("contracts/other.yaml", &CONTRACT.replace("Acme Support", "Other Ltd"));
    project
        .file("surveys/twice.csv", "date,vendor,kind,score,score\n2026-01-05,acme,customer,4,5\n");
    project.file(
        "surveys/who.csv",
        "date,vendor,kind,score,respondent\n2026-01-05,acme,customer,4,Ann\n",
    );
    project.file("surveys/empty.csv", "");
    project.file(
        "surveys/steps.csv",
        "date,vendor,kind,score\n2026-01-05,acme,customer,3.7\n2026-01-06,acme,customer,4.5\n",
    );

    let output = project.build("2026-02-03");

    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    for expected in [
        "the row names vendor `other` but the file is under surveys/acme/",
        "--> surveys/acme/s.csv:2:2",
        "the header names `score` twice",
        "--> surveys/twice.csv:1:5",
        "`respondent` is not a column of a survey file",
        "--> surveys/who.csv:1:5",
        "the file is empty",
        "--> surveys/empty.csv:1",
        "`3.7` is not a score: expected a number from 1 to 5, in steps of 0.5",
        "--> surveys/steps.csv:2:4",
    ] {
        assert!(errors.contains(expected), "missing {expected:?} in:\n{errors}");
    }
    assert!(!errors.contains("surveys/steps.csv:3"), "4.5 is a score:\n{errors}");
}

#[test]
fn review_files_that_cannot_be_read_as_written_are_refused() {
    let project = project();
    project.file("reviews/acme/2026-01-10.md", "---\ndate: 2026-01-10\n");
    project.file("reviews/acme/2026-01-11.md", "---\n---\nNotes\n");
    project.file(
        "reviews/acme/2026-01-12.md",
        "---\ndate: 2026-01-12\nactions:\n  - { id: \"a1\\u202e\", text: X }\n---\nNotes\n",
    );
    project.file(
        "reviews/acme/2026-01-13.md",
        &format!("---\ndate: 2026-01-13\n---\nfine\n{}deep\n", ">".repeat(50_000)),
    );

    let output = project.build("2026-02-03");

    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    for expected in [
        "the front matter never ends",
        "--> reviews/acme/2026-01-10.md:1:1",
        "the front matter is empty",
        "an action's `id` is letters, digits",
        "--> reviews/acme/2026-01-12.md:4:",
        "the notes nest quotes or lists more than 16 levels deep",
        "--> reviews/acme/2026-01-13.md:5:17",
    ] {
        assert!(errors.contains(expected), "missing {expected:?} in:\n{errors}");
    }
}

#[test]
fn every_comment_and_done_action_can_be_reached() {
    let project = project();
    let answers: String = (1..=8)
        .map(|day| format!("2026-01-{day:02},acme,customer,4,Comment number {day}\n"))
        .collect();
    project.file("surveys/feedback.csv", &format!("date,vendor,kind,score,comment\n{answers}"));
    project.file(
        "reviews/acme/2026-01-20.md",
        "---\ndate: 2026-01-20\nactions:\n  - { id: a9, text: Review privileged access again, done: true }\n---\nNotes.\n",
    );
    project.build_ok("2026-02-03");
    let page = project.read("vendors/acme/index.html");
    for day in 1..=8 {
        assert!(page.contains(&format!("Comment number {day}<")), "comment {day}");
    }
    assert!(page.contains("3 more</summary>"), "five shown, three folded away");
    assert!(page.contains("4.00 (8 answers)"));
    assert!(page.contains("Done actions (1)") && page.contains("Review privileged access again"));
}
