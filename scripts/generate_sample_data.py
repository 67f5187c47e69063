#!/usr/bin/env python3
"""Writes the KPI exports, surveys and reviews of sample-data/ from a fixed seed.

The contracts in sample-data/contracts/ are written by hand; this script writes the exports
under sample-data/kpis/, the survey answers under sample-data/surveys/ and the bi-weekly review
notes under sample-data/reviews/, so that the README's site shows a realistic mix of met, at
risk, breach, missing, excluded and not-due periods, survey kinds above and below the
anonymity floor, and actions open, done and overdue. Each KPI follows a scenario, one letter
per month from October 2025 to November 2026:

    m  met     r  at risk     b  in breach     x  no value reported

and daily values are drawn around a level that lands the month's aggregate in that band.
Run it from anywhere; the same seed always writes the same files:

    python3 scripts/generate_sample_data.py
"""

import calendar
import csv
import datetime as dt
import os
import random

SEED = 20261203
SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sample-data")
ROOT = os.path.join(SAMPLE, "kpis")
MONTHS = [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 12)]
# Exports run two days into December; a default build leaves those out until December ends.
PARTIAL = [(2026, 12, 1), (2026, 12, 2)]

rng = random.Random(SEED)


def days(year, month):
    return [dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def level(letter, better, target, tolerance, percent=False):
    """A value whose aggregate lands in the band the letter names."""
    width = abs(tolerance - target) if tolerance is not None else max(abs(target) * 0.1, 1.0)
    if better == "lower":
        value = {"m": target - 0.6 * width, "r": target + 0.5 * width, "b": (tolerance or target) + 0.6 * width}[letter]
    else:
        value = {"m": target + 0.6 * width, "r": target - 0.5 * width, "b": (tolerance or target) - 0.6 * width}[letter]
    return min(value, 100.0) if percent else value


def around(centre, width, percent=False):
    value = centre + rng.uniform(-0.25, 0.25) * width
    return min(value, 100.0) if percent else value


def daily(scenario, better, target, tolerance, decimals, percent=False, per_day=1, skip_weekends=False):
    """Rows of (date, value) for a KPI measured every day, `per_day` times."""
    width = abs(tolerance - target) if tolerance is not None else max(abs(target) * 0.1, 1.0)
    rows = []
    for (year, month), letter in zip(MONTHS, scenario):
        if letter == "x":
            continue
        centre = level(letter, better, target, tolerance, percent)
        for day in days(year, month):
            if skip_weekends and day.weekday() >= 5:
                continue
            for _ in range(per_day):
                rows.append((day, round(around(centre, width, percent), decimals)))
    return rows


def write(path, header, rows):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def northwind():
    vendor = "northwind-support"
    series = {
        "avg_wait_time": daily("mmmmmrmmrmbbbb", "lower", 60, 90, 1),
        "first_response": daily("mmmmmmrmmmmrmr", "lower", 30, 45, 1, per_day=3),
        "csat": daily("mmmrmmmmmrrmmr", "higher", 85, 80, 1, percent=True),
        "fcr": daily("mmmmmmmmmmmmmx", "higher", 70, 65, 1, percent=True),
    }
    rows = []
    for kpi, values in series.items():
        rows += [(day.isoformat(), vendor, kpi, value) for day, value in values]
    for year, month, day in PARTIAL:
        rows.append((dt.date(year, month, day).isoformat(), vendor, "avg_wait_time", round(around(48, 30), 1)))
    rows.sort(key=lambda r: (r[0], r[2]))
    write("support-desk-export.csv", ["date", "vendor", "kpi", "value"], rows)


def atlas():
    first_response = dict(daily("mmmmrmmmmmmmmr", "lower", 15, 30, 1, skip_weekends=True))
    availability = dict(daily("mmmmmmbmmmmmmm", "higher", 99.5, 99.0, 2, percent=True))
    backlog_scenario = "rmmmmmmrrmmmmr"
    rows = []
    for (year, month), letter in zip(MONTHS, backlog_scenario):
        month_days = days(year, month)
        for day in month_days:
            # The backlog the last day shows is the one that counts (aggregate: last).
            centre = level(letter, "lower", 150, 200) if day == month_days[-1] else rng.uniform(110, 210)
            opened = rng.randint(35, 70) if day.weekday() < 5 else rng.randint(5, 15)
            rows.append((day.isoformat(), first_response.get(day, ""), round(centre), availability.get(day, ""), opened))
    write("atlas-it/service-desk-daily.csv", ["date", "first_response", "ticket_backlog", "availability", "tickets_opened"], rows)

    # One row per priority-1 incident, resolution time in hours; June 2026 has only two,
    # fewer than the contract's min_count of 3.
    incidents = []
    for (year, month), letter in zip(MONTHS, "mmbmmrmmmmmbmr"):
        count = 2 if (year, month) == (2026, 6) else rng.randint(3, 6)
        centre = level(letter, "lower", 4, 6)
        for day in sorted(rng.sample(days(year, month), count)):
            hour = rng.randint(0, 23)
            incidents.append((f"{day.isoformat()}T{hour:02d}:{rng.randint(0, 59):02d}:00", "p1_resolve_time", round(around(centre, 2), 2)))
    write("atlas-it/p1-incidents.csv", ["date", "kpi", "value"], incidents)


def ledgerline():
    vendor = "ledgerline"
    rows = []
    accuracy = "mmmmrmmmmbmmmb"
    close = {"m": 4, "r": 6, "b": 9}
    close_scenario = "mmrmmmmmbmmmmm"
    payments = "mmmmmmmmmmmrmm"
    for index, (year, month) in enumerate(MONTHS):
        month_days = days(year, month)
        fridays = [d for d in month_days if d.weekday() == 4]
        for day in fridays:
            rows.append((
                day.isoformat(), vendor,
                round(around(level(accuracy[index], "higher", 99.5, 99.0, True), 0.5, True), 2),
                "",
                round(around(level(payments[index], "higher", 98, 95, True), 3, True), 1),
            ))
        # The close of a month is reported on the fifth working day of the next one.
        rows.append((month_days[-1].isoformat(), vendor, "", close[close_scenario[index]], ""))
    rows.sort(key=lambda r: r[0])
    write("ledgerline.csv", ["date", "vendor", "invoice_accuracy", "close_days", "on_time_payments"], rows)


def forge():
    vendor = "forge-dev"
    rows = []
    delivery = "mrmmbmmrmmrmmr"
    defects = {"m": 2, "r": 5, "b": 8}
    defect_scenario = "mmmrmmbmmxmmrr"
    for index, (year, month) in enumerate(MONTHS):
        month_days = days(year, month)
        # Two sprint reviews a month.
        for day in (month_days[13], month_days[-1]):
            value = around(level(delivery[index], "higher", 85, 75, True), 10, True)
            rows.append((day.isoformat(), vendor, "on_time_delivery", round(value, 1)))
        letter = defect_scenario[index]
        if letter != "x":
            total = defects[letter]
            weeks = [d for d in month_days if d.weekday() == 0]
            split = [0] * len(weeks)
            for _ in range(total):
                split[rng.randrange(len(weeks))] += 1
            rows += [(d.isoformat(), vendor, "escaped_defects", n) for d, n in zip(weeks, split)]
        if month in (3, 6, 9, 12):
            on_schedule = 0 if (year, month) == (2026, 6) else 100
            rows.append((month_days[-1].isoformat(), vendor, "release_on_time", on_schedule))
    rows.sort(key=lambda r: (r[0], r[2]))
    write("forge-dev.csv", ["date", "vendor", "kpi", "value"], rows)


def brightpath():
    vendor = "brightpath-payroll"
    rows = []
    accuracy = "mmmmmmrmmmmmmr"
    queries = "mmmrmmmmmmbmmm"
    runs = "mmmmmmmmmmmbmm"
    for index, (year, month) in enumerate(MONTHS):
        month_days = days(year, month)
        for run, day in enumerate((month_days[14], month_days[-1])):
            rows.append((day.isoformat(), vendor, "payroll_accuracy", round(around(level(accuracy[index], "higher", 99.8, 99.5, True), 0.3, True), 2)))
            late = runs[index] == "b" and run == 1
            rows.append((day.isoformat(), vendor, "on_time_runs", 0 if late else 100))
        # August 2026 had few queries: fewer than min_count, so it is excluded.
        count = 6 if (year, month) == (2026, 8) else rng.randint(12, 20)
        centre = level(queries[index], "lower", 24, 48)
        for day in sorted(rng.choices(month_days, k=count)):
            rows.append((day.isoformat(), vendor, "query_response", round(around(centre, 24), 1)))
    rows.sort(key=lambda r: (r[0], r[2]))
    write("brightpath-payroll.csv", ["date", "vendor", "kpi", "value"], rows)


def nimbus():
    vendor = "nimbus-hosting"
    rows = []
    uptime = "mmmmrmmmmbmmmm"
    response = "mmmrmmmmmmmmrm"
    worst = {"m": 99.97, "r": 99.92, "b": 99.61}
    for index, (year, month) in enumerate(MONTHS):
        month_days = days(year, month)
        bad_day = rng.choice(month_days)
        incident_days = set(rng.sample(month_days, 5))
        centre = level(response[index], "lower", 15, 30)
        for day in month_days:
            value = worst[uptime[index]] if day == bad_day else round(rng.uniform(99.985, 100.0), 3)
            incident = round(around(centre, 15), 1) if day in incident_days else ""
            rows.append((day.isoformat(), vendor, f"{value}%", incident))
    for year, month, day in PARTIAL:
        rows.append((dt.date(year, month, day).isoformat(), vendor, "100%", ""))
    write("nimbus-hosting.csv", ["date", "vendor", "uptime", "incident_response"], rows)


VENDORS = ["northwind-support", "atlas-it", "ledgerline", "forge-dev", "brightpath-payroll", "nimbus-hosting"]

# How each vendor's customers and staff feel, on a scale of 1 to 5, and how it drifts.
MOOD = {"northwind-support": (3.9, -0.05), "atlas-it": (3.7, 0.02), "ledgerline": (3.4, -0.03),
        "forge-dev": (4.1, 0.0), "brightpath-payroll": (4.3, 0.01), "nimbus-hosting": (4.0, 0.02)}

COMMENTS = {
    "customer": ["Quick and friendly", "Had to explain my problem twice", "Solved on the first call",
                 "Waited too long in the chat queue", "Very clear answer, thank you", "The agent did not read my earlier e-mail",
                 "Polite but the fix did not work", "Great follow-up the next day"],
    "staff": ["Hand-overs to our second line are cleaner this month", "Escalations arrive without the customer history",
              "Weekly figures came late again", "Good cooperation on the release weekend"],
    "vendor_team": ["We need earlier notice of marketing campaigns", "The new knowledge base helps a lot",
                    "Access requests take too long to be approved", "Clearer priorities from the client would help"],
    "shadowing": ["Agents follow the script but skip the identity check on chat", "Calm handling of an angry customer"],
}


def surveys():
    rows = []
    for vendor in VENDORS:
        start, drift = MOOD[vendor]
        for index, (year, month) in enumerate(MONTHS):
            level = start + drift * index
            for kind, (low, high) in {"customer": (8, 20), "staff": (2, 5), "vendor_team": (3, 5), "shadowing": (1, 2)}.items():
                for _ in range(rng.randint(low, high)):
                    day = rng.choice(days(year, month))
                    score = max(1, min(5, round(rng.gauss(level, 0.8))))
                    comment = rng.choice(COMMENTS[kind]) if rng.random() < 0.35 else ""
                    rows.append((day.isoformat(), vendor, kind, score, comment))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    path = os.path.join(SAMPLE, "surveys", "feedback.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "vendor", "kind", "score", "comment"])
        writer.writerows(rows)


# Bi-weekly reviews from September to November 2026. Ledgerline's stop in October, so its
# scorecard shows a review overdue.
REVIEW_DAYS = [dt.date(2026, 9, 8) + dt.timedelta(days=14 * n) for n in range(7)]
ACTIONS = {
    "northwind-support": [("a1", "Add two chat agents on Monday mornings", "avg_wait_time"),
                          ("a2", "Publish the escalation matrix", None),
                          ("a3", "Share the campaign calendar with the vendor", "avg_wait_time")],
    "atlas-it": [("a1", "Runbooks for the top 20 incidents, second version", "p1_resolve_time"),
                 ("a2", "Review privileged access again", None)],
    "ledgerline": [("a1", "Second check on invoices above 10,000 GBP", "invoice_accuracy"),
                   ("a2", "Agree the year-end timetable", None)],
    "forge-dev": [("a1", "Add a regression suite for checkout", "escaped_defects"),
                  ("a2", "Book the penetration test", None)],
    "brightpath-payroll": [("a1", "Answer queries within one working day", "query_response")],
    "nimbus-hosting": [("a1", "Document the failover test", None)],
}


def reviews():
    for vendor in VENDORS:
        folder = os.path.join(SAMPLE, "reviews", vendor)
        os.makedirs(folder, exist_ok=True)
        meetings = REVIEW_DAYS[:4] if vendor == "ledgerline" else REVIEW_DAYS
        for number, day in enumerate(meetings):
            lines = ["---", f"date: {day.isoformat()}",
                     "attendees: [Vendor delivery lead, Our service owner, Procurement]", "actions:"]
            for index, (action, text, kpi) in enumerate(ACTIONS[vendor]):
                opened = index * 2
                if number < opened:
                    continue
                due = day if number > opened else day + dt.timedelta(days=21)
                agreed = REVIEW_DAYS[opened] if opened < len(REVIEW_DAYS) else day
                due = agreed + dt.timedelta(days=21)
                done = number >= opened + 3 and (vendor, action) != ("northwind-support", "a3")
                kpi_part = f", kpi: {kpi}" if kpi else ""
                lines.append(f"  - {{ id: {action}, text: \"{text}\", due: {due.isoformat()}, done: {str(done).lower()}{kpi_part} }}")
            if lines[-1] == "actions:":
                lines[-1] = "actions: []"
            lines.append("---")
            lines.append(f"## Review {number + 1}")
            lines.append("")
            lines.append(rng.choice([
                "Volumes were in line with the forecast. The vendor asked for earlier notice of campaigns.",
                "We went through the KPI table together. Two misses were explained by a staffing gap.",
                "The vendor presented the root-cause analysis of last month's breach.",
                "Short meeting: no new issues, actions reviewed one by one.",
            ]))
            lines.append("")
            lines.append("| Topic | Owner |\n|---|---|\n| Staffing plan | Vendor |\n| Forecast | Us |")
            with open(os.path.join(folder, f"{day.isoformat()}.md"), "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    northwind()
    atlas()
    ledgerline()
    forge()
    brightpath()
    nimbus()
    surveys()
    reviews()
