//! Synthetic projects for the benchmark, the same for the same size every time: contracts with
//! eight KPIs of different aggregates, and one long-layout export per vendor, with values
//! around each KPI's target so that grades, breaches and credits vary between vendors.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

/// One size of the benchmark.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub name: &'static str,
    pub vendors: u32,
    pub months: u32,
    pub rows_per_kpi_month: u32,
}

pub const KPIS_PER_VENDOR: u32 = 8;

pub const SIZES: [Size; 3] = [
    Size { name: "S", vendors: 20, months: 12, rows_per_kpi_month: 5 },
    Size { name: "M", vendors: 500, months: 24, rows_per_kpi_month: 10 },
    Size { name: "L", vendors: 2_000, months: 36, rows_per_kpi_month: 20 },
];

/// The day every benchmark build is for: the month after the data ends.
pub const TODAY: &str = "2026-01-15";

/// Bumped whenever the generated files change, so that old copies are made again.
const VERSION: &str = "1";

/// What was generated: the rows and bytes of the exports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Generated {
    pub rows: u64,
    pub bytes: u64,
}

struct KpiSpec {
    id: &'static str,
    line: &'static str,
    target: f64,
    spread: f64,
}

const KPIS: [KpiSpec; 8] = [
    KpiSpec {
        id: "wait",
        line: "{ id: wait, name: Average wait, unit: seconds, better: lower, target: 60, tolerance: 90, weight: 3, credit_percent: 2 }",
        target: 60.0,
        spread: 25.0,
    },
    KpiSpec {
        id: "fcr",
        line: "{ id: fcr, name: First-contact resolution, unit: percent, better: higher, target: 75, tolerance: 70, weight: 2, credit_percent: 1 }",
        target: 75.0,
        spread: 6.0,
    },
    KpiSpec {
        id: "resolve_p90",
        line: "{ id: resolve_p90, name: Resolution time p90, unit: hours, better: lower, target: 8, tolerance: 12, aggregate: p90, weight: 2, credit_percent: 3 }",
        target: 8.0,
        spread: 3.0,
    },
    KpiSpec {
        id: "response",
        line: "{ id: response, name: First response median, unit: minutes, better: lower, target: 15, tolerance: 30, aggregate: median }",
        target: 15.0,
        spread: 8.0,
    },
    KpiSpec {
        id: "backlog",
        line: "{ id: backlog, name: Backlog at month end, unit: count, better: lower, target: 100, tolerance: 150, aggregate: last }",
        target: 100.0,
        spread: 40.0,
    },
    KpiSpec {
        id: "csat",
        line: "{ id: csat, name: Customer satisfaction, unit: percent, better: higher, target: 85, tolerance: 80, weight: 2, credit_percent: 1 }",
        target: 85.0,
        spread: 5.0,
    },
    KpiSpec {
        id: "escalations",
        line: "{ id: escalations, name: Escalations, unit: count, better: lower, target: 40, tolerance: 60, aggregate: sum }",
        target: 2.0,
        spread: 1.5,
    },
    KpiSpec {
        id: "availability",
        line: "{ id: availability, name: Availability, unit: percent, better: higher, target: 99.5, tolerance: 99, aggregate: min, credit_percent: 4 }",
        target: 99.7,
        spread: 0.4,
    },
];

const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];

/// Writes the project of `size` into `dir` unless a complete copy of this version is there.
pub fn ensure(size: Size, dir: &Path) -> std::io::Result<Generated> {
    let stamp = dir.join("generated.txt");
    let expected = format!("version {VERSION} size {}\n", size.name);
    if let Ok(text) = fs::read_to_string(&stamp)
        && let Some((head, counts)) = text.split_once("rows ")
        && head == expected
        && let Some((rows, bytes)) = counts.trim().split_once(" bytes ")
    {
        return Ok(Generated {
            rows: rows.parse().unwrap_or(0),
            bytes: bytes.parse().unwrap_or(0),
        });
    }

    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir.join("contracts"))?;
    fs::create_dir_all(dir.join("kpis"))?;
    fs::write(
        dir.join("vendorcard.yaml"),
        format!("title: Synthetic portfolio {}\nperiod: month\n", size.name),
    )?;

    let mut generated = Generated::default();
    let first_year = 2026 - i64::from(size.months.div_ceil(12));
    for vendor in 0..size.vendors {
        let mut random =
            fastrand::Rng::with_seed(u64::from(vendor) * 7_919 + u64::from(size.months));
        let id = format!("vendor-{vendor:04}");
        write_contract(dir, &id, vendor, first_year)?;
        // How good the vendor is: 0 is on target, 1 is a full spread past it.
        let quality = random.f64() * 1.2 - 0.4;
        generated.add(write_export(dir, &id, size, first_year, quality, &mut random)?);
    }
    fs::write(&stamp, format!("{expected}rows {} bytes {}\n", generated.rows, generated.bytes))?;
    Ok(generated)
}

impl Generated {
    fn add(&mut self, other: Generated) {
        self.rows += other.rows;
        self.bytes += other.bytes;
    }
}

fn write_contract(dir: &Path, id: &str, vendor: u32, first_year: i64) -> std::io::Result<()> {
    let fee = 10_000 + (vendor * 1_370) % 90_000;
    let currency = CURRENCIES[(vendor % 3) as usize];
    let mut text = format!(
        "name: Vendor {vendor:04} Services Ltd\nservice: Outsourced service {}\nterm: {{ start: {first_year}-01-01, end: 2027-12-31, notice_days: 90 }}\nfee: {{ monthly: {fee}, currency: {currency} }}\nkpis:\n",
        vendor % 7
    );
    for kpi in &KPIS {
        text.push_str("  - ");
        text.push_str(kpi.line);
        text.push('\n');
    }
    text.push_str("credits: { cap_percent: 10 }\n");
    fs::write(dir.join("contracts").join(format!("{id}.yaml")), text)
}

fn write_export(
    dir: &Path,
    id: &str,
    size: Size,
    first_year: i64,
    quality: f64,
    random: &mut fastrand::Rng,
) -> std::io::Result<Generated> {
    let path = dir.join("kpis").join(format!("{id}.csv"));
    let mut out = BufWriter::with_capacity(1 << 20, fs::File::create(&path)?);
    out.write_all(b"date,vendor,kpi,value\n")?;
    let mut rows = 0;
    for month in 0..size.months {
        let year = first_year + i64::from(month / 12);
        let month_of_year = month % 12 + 1;
        for kpi in &KPIS {
            // A month's drift, the same for every row of it, so some months breach.
            let drift = quality + (random.f64() - 0.5) * 0.8;
            for row in 0..size.rows_per_kpi_month {
                let day = 1 + row * 27 / size.rows_per_kpi_month;
                let noise = (random.f64() - 0.5) * 0.6;
                let towards_worse = drift + noise;
                let lower_is_better = matches!(
                    kpi.id,
                    "wait" | "resolve_p90" | "response" | "backlog" | "escalations"
                );
                let value = if lower_is_better {
                    (kpi.target + towards_worse * kpi.spread).max(0.0)
                } else {
                    (kpi.target - towards_worse * kpi.spread).min(100.0)
                };
                writeln!(out, "{year}-{month_of_year:02}-{day:02},{id},{},{value:.2}", kpi.id)?;
                rows += 1;
            }
        }
    }
    out.flush()?;
    Ok(Generated { rows, bytes: fs::metadata(&path)?.len() })
}
