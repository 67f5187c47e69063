//! Raw exports mapped by `sources:` in `vendorcard.yaml`: help-desk, telephony and ticketing
//! files as their tools write them, one row per ticket or call. Each row becomes measurements
//! that are folded into the same cells as the KPI exports. Every row is accounted for: it is
//! measured, skipped for a reason that the build log counts, or an error.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, FileProblems, plural};
use crate::evaluate::aggregate::Origin;
use crate::load::dates::{export_interval, parse_export_timestamp};
use crate::load::discover::InputFile;
use crate::load::fold::{Fold, Window};
use crate::load::spelling;
use crate::load::tables::{Next, Row, Table, TableOptions};
use crate::load::values::{ExportValue, parse_export_value, shorten};
use crate::model::{Contract, Mapping, Source, VendorRule};

/// Why a row, or one value of a row, was not measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    BlankRow,
    NoKey,
    VendorNotMapped,
    FilteredOut,
    NoDate,
    Superseded,
    EmptyValue,
    NegativeInterval,
    KpiNotInContract,
    /// Every value of the row was skipped, for the reasons counted above.
    NothingToMeasure,
}

impl Skip {
    fn describe(self, count: u64) -> String {
        let rows = |what: &str| format!("{} {what}", plural(count, "row"));
        let values = |what: &str| format!("{} {what}", plural(count, "value"));
        match self {
            Skip::BlankRow => rows("blank"),
            Skip::NoKey => rows("without a key"),
            Skip::NothingToMeasure => rows("with no value left to measure"),
            Skip::VendorNotMapped => rows("of vendors not in `vendor.map`"),
            Skip::FilteredOut => rows("filtered out by `where`"),
            Skip::NoDate => rows("without a date"),
            Skip::Superseded => rows("superseded by a later row of the same key"),
            Skip::EmptyValue => values("empty or marked missing"),
            Skip::NegativeInterval => values("of intervals ending before they start"),
            Skip::KpiNotInContract => {
                values("of KPIs the row's vendor's contract does not declare")
            }
        }
    }
}

/// How many rows or values were skipped for one reason, and where the first ones are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    pub count: u64,
    /// The file and row of the first few, each row once.
    pub first: Vec<(String, u64)>,
    /// Whether there are rows beyond the first few.
    pub more: bool,
    /// For unmapped vendors: the values seen, with their counts.
    pub values: BTreeMap<String, u64>,
}

const FIRST_ROWS: usize = 5;

impl Skipped {
    fn add(&mut self, place: &Place) {
        self.count += 1;
        let place = (place.file.to_owned(), place.row);
        if self.first.last() != Some(&place) {
            if self.first.len() < FIRST_ROWS {
                self.first.push(place);
            } else {
                self.more = true;
            }
        }
    }

    fn merge(&mut self, other: Skipped) {
        self.count += other.count;
        for place in other.first {
            if self.first.last() != Some(&place) {
                if self.first.len() < FIRST_ROWS {
                    self.first.push(place);
                } else {
                    self.more = true;
                }
            }
        }
        self.more |= other.more;
        for (value, count) in other.values {
            *self.values.entry(value).or_default() += count;
        }
    }
}

/// What a source held, for the build log.
#[derive(Debug, Default)]
pub struct SourceReport {
    pub name: String,
    /// The files read, as shown to the user.
    pub files: Vec<String>,
    pub rows: u64,
    /// Rows that gave at least one measurement.
    pub measured_rows: u64,
    /// Rows of vendors whose contracts failed to load: read, but with nothing to measure
    /// them against.
    pub rows_of_broken_contracts: u64,
    pub measurements: u64,
    pub skipped: BTreeMap<Skip, Skipped>,
    /// Per KPI read with `equals`: the values that counted as 0, so a value left out of
    /// `equals` by mistake shows.
    pub zeros: BTreeMap<String, BTreeMap<String, u64>>,
    /// Warnings about values that were read but look mistaken.
    pub warnings: Vec<String>,
}

impl SourceReport {
    /// Takes in the counts of the whole source and what they suggest.
    fn close(&mut self, tally: Tally, plan: &Plan) {
        self.measured_rows = tally.measured_rows;
        self.rows_of_broken_contracts = tally.rows_of_broken_contracts;
        self.skipped = tally.skipped;
        self.zeros = tally.zeros;
        for (planned, fractions) in tally.fractions {
            if fractions.count >= 3 && !fractions.beyond_one {
                let kpi = &plan.kpis[planned];
                self.warnings.push(format!(
                    "source {}: every value of `{}` lies between 0 and 1, for a KPI measured in percent; \
                     a spreadsheet stores 95% as 0.95: add `scale: 100` to its mapping if so",
                    self.name, kpi.id
                ));
            }
        }
        // A value missing from `equals`, or spelt otherwise than in the files, makes the KPI 0
        // in every period, which breaches it and owes credits.
        for (planned, kpi) in plan.kpis.iter().enumerate() {
            let Rule::Equals { column, values } = &kpi.rule else { continue };
            let Some(zeros) = self.zeros.get(kpi.id) else { continue };
            if tally.matched.get(&planned).copied().unwrap_or(0) == 0 {
                let wanted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                self.warnings.push(format!(
                    "source {}: no row's `{}` is {}, so `{}` is 0 in every row measured; the values it holds are {}: check `equals` against them",
                    self.name,
                    plan.columns[*column],
                    wanted.join(" or "),
                    kpi.id,
                    most_seen(zeros)
                ));
            }
        }
        // A row with no date belongs to no period, yet it may be the very work left undone: a
        // ticket never answered, in a source dated by the first answer.
        if let Some(undated) = self.skipped.get(&Skip::NoDate) {
            let (rows, verb) = match undated.count {
                1 => ("1 row".to_owned(), "has"),
                count => (plural(count, "row"), "have"),
            };
            self.warnings.push(format!(
                "source {}: {rows} {verb} no `{}`, so they belong to no period and are not measured ({}); \
                 if they are work left undone, such as tickets never answered, date the source by a column every row fills",
                self.name,
                plan.columns[plan.date],
                rows_text(undated, self.files.len() == 1)
            ));
        }
        if tally.commas_in_semicolon_files > 0 {
            self.warnings.push(format!(
                "source {}: {} read with a decimal point held a comma (such as 1,500 read as 1500), in a \
                 file separated by `;`, where the comma is usually the decimal mark: set `decimal: \",\"` if so",
                self.name,
                plural(tally.commas_in_semicolon_files, "value")
            ));
        }
    }
    /// One line: rows read, measured, and skipped per reason with the first rows of each.
    pub fn line(&self) -> String {
        let from = match self.files.as_slice() {
            [one] => one.clone(),
            files => plural(files.len(), "file"),
        };
        let mut line = format!(
            "source {}: {} read from {from}, {} measured ({})",
            self.name,
            plural(self.rows, "row"),
            plural(self.measured_rows, "row"),
            plural(self.measurements, "measurement"),
        );
        if self.rows_of_broken_contracts > 0 {
            line.push_str(&format!(
                "; {} of vendors whose contracts have problems, not measured",
                plural(self.rows_of_broken_contracts, "row")
            ));
        }
        for (skip, skipped) in &self.skipped {
            line.push_str(&format!("; skipped {}", skip.describe(skipped.count)));
            if !skipped.values.is_empty() {
                line.push_str(&format!(", values {}", most_seen(&skipped.values)));
            }
            line.push_str(&format!(" ({})", rows_text(skipped, self.files.len() == 1)));
        }
        for (kpi, values) in &self.zeros {
            line.push_str(&format!("; `{kpi}` counted 0 for {}", most_seen(values)));
        }
        line
    }
}

/// The values seen most, with their counts: `` `Open` 12, `Pending` 3, and 2 more ``.
fn most_seen(values: &BTreeMap<String, u64>) -> String {
    let mut sorted: Vec<(&String, &u64)> = values.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> =
        sorted.iter().take(3).map(|(v, n)| format!("`{}` {n}", shorten(v))).collect();
    match sorted.len().saturating_sub(3) {
        0 => shown.join(", "),
        more => format!("{}, and {more} more", shown.join(", ")),
    }
}

/// `rows 6, 11, … of exports/calls.csv`, or file by file when the rows come from several.
fn rows_text(skipped: &Skipped, one_file: bool) -> String {
    let first = &skipped.first;
    let more = if skipped.more { ", …" } else { "" };
    let mut files: Vec<&str> = first.iter().map(|(f, _)| f.as_str()).collect();
    files.dedup();
    if let [file] = files.as_slice() {
        let rows: Vec<String> = first.iter().map(|(_, r)| r.to_string()).collect();
        let of = if one_file { String::new() } else { format!(" of {file}") };
        let noun = if rows.len() == 1 && more.is_empty() { "row" } else { "rows" };
        return format!("{noun} {}{more}{of}", rows.join(", "));
    }
    let places: Vec<String> = first.iter().map(|(f, r)| format!("{f}:{r}")).collect();
    format!("at {}{more}", places.join(", "))
}

/// Where a row is, for the counts of skipped rows.
#[derive(Clone, Copy, Debug)]
struct Place<'a> {
    file: &'a str,
    row: u64,
}

/// The columns a source reads, each once, and how each part of the mapping finds its own.
#[derive(Debug)]
struct Plan<'a> {
    source: &'a Source,
    columns: Vec<&'a str>,
    date: usize,
    vendor: Option<usize>,
    key: Option<usize>,
    filters: Vec<(usize, &'a [String])>,
    kpis: Vec<PlannedKpi<'a>>,
    /// Vendor by the value of the vendor column, in folded case (or the one vendor, under ""),
    /// `None` for a vendor whose contract failed to load.
    vendors: HashMap<String, Option<usize>>,
}

/// Text as it is compared with what settings list: trimmed and in lower case, since exports
/// write `Solved`, `SOLVED` and `solved` for the same thing.
pub fn fold_case(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Whether a cell holds one of the values a setting lists, whatever their case.
fn holds(values: &[String], cell: &str) -> bool {
    let cell = cell.trim();
    values.iter().any(|v| {
        let v = v.trim();
        v.eq_ignore_ascii_case(cell)
            || (!(v.is_ascii() && cell.is_ascii()) && v.to_lowercase() == cell.to_lowercase())
    })
}

#[derive(Debug)]
struct PlannedKpi<'a> {
    id: &'a str,
    rule: Rule,
    /// The KPI's index in each vendor's contract, `None` where the contract does not declare it.
    index: Vec<Option<usize>>,
}

#[derive(Debug)]
enum Rule {
    Column { column: usize, unit: Option<crate::model::TimeUnit>, scale: Option<f64> },
    Equals { column: usize, values: Vec<String> },
    Between { start: usize, end: usize },
}

impl<'a> Plan<'a> {
    fn new(source: &'a Source, contracts: &'a [Contract]) -> Plan<'a> {
        let mut columns: Vec<&str> = Vec::new();
        let mut slot = |name: &'a str| match columns.iter().position(|c| *c == name) {
            Some(index) => index,
            None => {
                columns.push(name);
                columns.len() - 1
            }
        };
        let date = slot(&source.date);
        let vendor = match &source.vendor {
            VendorRule::Fixed(_) => None,
            VendorRule::Column { column, .. } => Some(slot(column)),
        };
        let key = source.key.as_deref().map(&mut slot);
        let filters = source
            .filters
            .iter()
            .map(|(column, values)| (slot(column), values.as_slice()))
            .collect();
        let kpis = source
            .kpis
            .iter()
            .map(|kpi| PlannedKpi {
                id: &kpi.id,
                rule: match &kpi.mapping {
                    Mapping::Column { column, unit, scale } => {
                        Rule::Column { column: slot(column), unit: *unit, scale: *scale }
                    }
                    Mapping::Equals { column, values } => Rule::Equals {
                        column: slot(column),
                        values: values.iter().map(|v| v.trim().to_owned()).collect(),
                    },
                    Mapping::Between { start, end, .. } => {
                        Rule::Between { start: slot(start), end: slot(end) }
                    }
                },
                index: contracts.iter().map(|c| c.kpi_index(&kpi.id)).collect(),
            })
            .collect();

        let id_index = |id: &str| contracts.iter().position(|c| c.id == id);
        let vendors = match &source.vendor {
            VendorRule::Fixed(id) => HashMap::from([(String::new(), id_index(id))]),
            VendorRule::Column { map, .. } => {
                map.iter().map(|(value, id)| (fold_case(value.trim()), id_index(id))).collect()
            }
        };
        Plan { source, columns, date, vendor, key, filters, kpis, vendors }
    }
}

/// Checks a source against the contracts: the vendors it maps to exist, each KPI it maps is
/// declared by some contract, and times are mapped onto KPIs measured in time.
pub fn check_against(
    source: &Source,
    contracts: &[Contract],
    broken: &[String],
    file: &str,
    text: &str,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let known = |id: &str| contracts.iter().any(|c| c.id == id) || broken.iter().any(|b| b == id);
    let ids: Vec<&str> = match &source.vendor {
        VendorRule::Fixed(id) => vec![id.as_str()],
        VendorRule::Column { map, .. } => map.iter().map(|(_, id)| id.as_str()).collect(),
    };
    for id in ids.into_iter().filter(|id| !known(id)) {
        let known_ids: Vec<&str> = contracts.iter().map(|c| c.id.as_str()).take(12).collect();
        problems.push(
            Diagnostic::error(
                file,
                format!(
                    "source `{}` maps rows to `{id}`, which no contract has: expected one of {}",
                    source.name,
                    known_ids.join(", ")
                ),
            )
            .at(source.vendor_at.0, source.vendor_at.1, Some(text)),
        );
    }
    for kpi in &source.kpis {
        let place =
            |message: String| Diagnostic::error(file, message).at(kpi.at.0, kpi.at.1, Some(text));
        let declaring: Vec<&Contract> =
            contracts.iter().filter(|c| c.kpi_index(&kpi.id).is_some()).collect();
        if declaring.is_empty() && broken.is_empty() {
            problems.push(place(format!(
                "source `{}` maps KPI `{}`, which no contract declares",
                source.name, kpi.id
            )));
        }
        let (timed, unit) = match &kpi.mapping {
            Mapping::Column { unit, .. } => (unit.is_some(), *unit),
            Mapping::Between { unit, .. } => (true, *unit),
            Mapping::Equals { .. } => (false, None),
        };
        for contract in &declaring {
            let measured = contract.kpis[contract.kpi_index(&kpi.id).unwrap_or(0)].unit;
            if matches!(kpi.mapping, Mapping::Equals { .. })
                && measured != crate::model::Unit::Percent
            {
                problems.push(place(format!(
                    "source `{}` reads `{}` with `equals`, which gives 100 or 0, but contract `{}` measures it in {}",
                    source.name,
                    kpi.id,
                    contract.id,
                    measured.name()
                )));
            }
        }
        for contract in declaring {
            let measured = contract.kpis[contract.kpi_index(&kpi.id).unwrap_or(0)].unit;
            if timed && measured.time().is_none() {
                problems.push(place(format!(
                    "source `{}` reads `{}` as a time, but contract `{}` measures it in {}",
                    source.name,
                    kpi.id,
                    contract.id,
                    measured.name()
                )));
            }
            if let (Mapping::Between { .. }, Some(unit), Some(kpi_unit)) =
                (&kpi.mapping, unit, measured.time())
                && unit != kpi_unit
            {
                problems.push(place(format!(
                    "source `{}` gives `{}` in {}, but contract `{}` measures it in {}: an interval is \
                     converted into the contract's unit, so drop `unit` or make the two agree",
                    source.name,
                    kpi.id,
                    unit.name(),
                    contract.id,
                    measured.name()
                )));
            }
        }
    }
    problems
}

/// The measurements, counts and problems of one source.
#[derive(Debug)]
pub struct SourceRead<'a> {
    pub fold: Fold<'a>,
    pub report: SourceReport,
    pub problems: Vec<Diagnostic>,
}

/// A row kept for its key until every file is read: only the last row of a key is measured.
#[derive(Debug)]
struct Keyed {
    origin: Origin,
    cells: Vec<String>,
}

/// What one file gave.
#[derive(Debug)]
struct FileRead<'a> {
    fold: Fold<'a>,
    rows: u64,
    tally: Tally,
    problems: Vec<Diagnostic>,
    keyed: HashMap<String, Keyed>,
    /// The column of the file that each cell of a kept row came from, to place its problems.
    columns: Vec<usize>,
}

/// Reads every file of a source; `files` are (input, place in the sorted list of inputs).
pub fn read<'a>(
    source: &Source,
    files: &[(InputFile, u32)],
    contracts: &'a [Contract],
    window: Window,
) -> SourceRead<'a> {
    let plan = Plan::new(source, contracts);
    let reads: Vec<FileRead<'a>> = files
        .par_iter()
        .map(|(file, index)| read_file(&plan, file, *index, contracts, window))
        .collect();

    let mut report = SourceReport {
        name: source.name.clone(),
        files: files.iter().map(|(f, _)| f.shown.clone()).collect(),
        ..SourceReport::default()
    };
    let mut fold = Fold::new(contracts, window);
    let mut problems = Vec::new();
    let mut keyed: HashMap<String, Keyed> = HashMap::new();
    let mut superseded = Skipped::default();
    let shown: HashMap<u32, &str> =
        files.iter().map(|(file, index)| (*index, file.shown.as_str())).collect();
    let mut tally = Tally::default();
    let mut columns: HashMap<u32, Vec<usize>> = HashMap::new();
    for (read, (_, index)) in reads.into_iter().zip(files) {
        columns.insert(*index, read.columns);
        report.rows += read.rows;
        tally.merge(read.tally);
        fold.absorb(read.fold);
        problems.extend(read.problems);
        // Files are merged in their sorted order, so a later file's row of a key wins.
        let mut rows: Vec<(String, Keyed)> = read.keyed.into_iter().collect();
        rows.sort_by_key(|(_, k)| k.origin);
        for (key, row) in rows {
            if let Some(earlier) = keyed.insert(key, row) {
                let file = shown.get(&earlier.origin.file).copied().unwrap_or_default();
                superseded.add(&Place { file, row: earlier.origin.row });
            }
        }
    }
    if superseded.count > 0 {
        tally.skipped.entry(Skip::Superseded).or_default().merge(superseded);
    }

    // The last row of each key, measured in the order the rows were read.
    let mut last: Vec<Keyed> = keyed.into_values().collect();
    last.sort_by_key(|k| k.origin);
    let mut keyed_problems: BTreeMap<u32, FileProblems> = BTreeMap::new();
    for row in &last {
        let cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
        let file = shown.get(&row.origin.file).copied().unwrap_or_default();
        if let Err((slot, message)) = measure(
            &plan,
            &cells,
            row.origin,
            &mut fold,
            &mut tally,
            &Place { file, row: row.origin.row },
        ) {
            let column = slot.and_then(|s| columns.get(&row.origin.file)?.get(s).copied());
            keyed_problems.entry(row.origin.file).or_insert_with(|| FileProblems::new(file)).add(
                row.origin.row,
                column,
                message,
            );
        }
    }
    report.measurements = fold.folded;
    report.close(tally, &plan);
    problems.extend(keyed_problems.into_values().flat_map(FileProblems::finish));
    SourceRead { fold, report, problems }
}

/// Counts of rows measured and skipped while measuring.
#[derive(Debug, Default)]
struct Tally {
    measured_rows: u64,
    rows_of_broken_contracts: u64,
    measurements: u64,
    skipped: BTreeMap<Skip, Skipped>,
    /// Per KPI read with `equals`: the values that counted as 0, and how often.
    zeros: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per planned KPI measured in percent: whether every value lies between 0 and 1.
    fractions: BTreeMap<usize, Fractions>,
    /// Per planned KPI read with `equals`: how many rows held one of its values.
    matched: BTreeMap<usize, u64>,
    /// Values read with a decimal point from a file whose cells are separated by `;`, that
    /// hold a comma: in such a file the comma is usually the decimal mark.
    commas_in_semicolon_files: u64,
}

impl Tally {
    fn skip(&mut self, skip: Skip, place: &Place) {
        self.skipped.entry(skip).or_default().add(place);
    }

    fn merge(&mut self, other: Tally) {
        self.measured_rows += other.measured_rows;
        self.rows_of_broken_contracts += other.rows_of_broken_contracts;
        self.measurements += other.measurements;
        for (skip, skipped) in other.skipped {
            self.skipped.entry(skip).or_default().merge(skipped);
        }
        for (kpi, values) in other.zeros {
            let mine = self.zeros.entry(kpi).or_default();
            for (value, count) in values {
                *mine.entry(value).or_default() += count;
            }
        }
        for (kpi, matched) in other.matched {
            *self.matched.entry(kpi).or_default() += matched;
        }
        for (kpi, fractions) in other.fractions {
            let mine = self.fractions.entry(kpi).or_default();
            mine.count += fractions.count;
            mine.beyond_one |= fractions.beyond_one;
        }
        self.commas_in_semicolon_files += other.commas_in_semicolon_files;
    }
}

/// Whether every percent read for a KPI lies between 0 and 1, the sign of a spreadsheet's
/// percentage cells (which hold 0.95 for 95 %).
#[derive(Clone, Copy, Debug, Default)]
struct Fractions {
    count: u64,
    beyond_one: bool,
}

impl Fractions {
    fn see(&mut self, value: f64) {
        self.count += 1;
        self.beyond_one |= !(0.0..=1.0).contains(&value);
    }
}

fn read_file<'a>(
    plan: &Plan,
    file: &InputFile,
    index: u32,
    contracts: &'a [Contract],
    window: Window,
) -> FileRead<'a> {
    let mut read = FileRead {
        fold: Fold::new(contracts, window),
        rows: 0,
        tally: Tally::default(),
        problems: Vec::new(),
        keyed: HashMap::new(),
        columns: Vec::new(),
    };
    let source = plan.source;
    let options = TableOptions {
        delimiter: source.delimiter,
        encoding: source.encoding,
        sheet: source.sheet.as_deref(),
    };
    let mut table = match Table::open(&file.path, options) {
        Ok(table) => table,
        Err(error) => {
            read.problems.push(error.diagnostic(&file.shown));
            return read;
        }
    };

    let mut problems = FileProblems::new(&file.shown);
    let mut tally = Tally::default();
    let mut row = Row::default();
    let mut slots: Option<Vec<usize>> = None;
    let mut width = 0;
    let encoding_fix = "set `encoding` for this source, such as windows-1252 or utf-16le";
    let comma_trap =
        table.delimiter() == Some(b';') && source.decimal == crate::model::DecimalMark::Point;
    loop {
        let report = |line, column, message| problems.add(line, column, message);
        if table.next_readable(&mut row, slots.is_some(), encoding_fix, report) != Next::Row {
            break;
        }
        let Some(found) = &slots else {
            width = row.cells.len();
            match header_slots(plan, &row, &table) {
                Ok(found) => slots = Some(found),
                Err(problem) => {
                    problems.push(problem.into_diagnostic(&file.shown, row.line));
                    break;
                }
            }
            continue;
        };

        read.rows += 1;
        let place = Place { file: &file.shown, row: row.line };
        if row.is_blank() {
            tally.skip(Skip::BlankRow, &place);
            continue;
        }
        if row.cells.len() != width {
            problems.add(
                row.line,
                None,
                format!("has {} cells where the header has {width}", row.cells.len()),
            );
            continue;
        }
        let cells: Vec<&str> = found.iter().map(|&i| &row.cells[i]).collect();
        if comma_trap {
            tally.commas_in_semicolon_files += plan
                .kpis
                .iter()
                .filter(|k| matches!(k.rule, Rule::Column { column, .. } if cells[column].contains(',')))
                .count() as u64;
        }
        let origin = Origin { file: index, row: row.line };
        if let Some(key_slot) = plan.key {
            let key = cells[key_slot].trim().to_owned();
            if key.is_empty() {
                tally.skip(Skip::NoKey, &place);
                continue;
            }
            let kept = Keyed { origin, cells: cells.iter().map(|c| (*c).to_owned()).collect() };
            if let Some(earlier) = read.keyed.insert(key, kept) {
                tally.skip(Skip::Superseded, &Place { file: &file.shown, row: earlier.origin.row });
            }
            continue;
        }
        if let Err((slot, message)) =
            measure(plan, &cells, origin, &mut read.fold, &mut tally, &place)
        {
            problems.add(row.line, slot.map(|s| found[s]), message);
        }
    }
    table.report_unclosed_quote(&mut problems);
    if slots.is_none() && problems.is_empty() {
        problems.add(1, None, "is empty: expected a header naming the columns the source reads");
    }

    read.tally = tally;
    read.problems = problems.finish();
    read.columns = slots.unwrap_or_default();
    read
}

/// A header that lacks a column the source reads.
struct MissingColumns {
    missing: Vec<String>,
    /// Columns the source reads that the header names more than once.
    twice: Vec<String>,
    header: Vec<String>,
    hint: Option<String>,
}

impl MissingColumns {
    fn into_diagnostic(self, file: &str, line: u64) -> Diagnostic {
        let header: Vec<String> =
            self.header.iter().take(30).map(|h| format!("`{}`", shorten(h))).collect();
        let listed = |names: &[String]| {
            names.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
        };
        let message = if self.missing.is_empty() {
            format!(
                "the header names {} more than once: rename one, so the source knows which to read",
                listed(&self.twice)
            )
        } else {
            format!(
                "the header has no column {}: it has {}",
                listed(&self.missing),
                header.join(", ")
            )
        };
        let mut problem = Diagnostic::error(file, message);
        problem.line = Some(line);
        match self.hint {
            Some(hint) => problem.with_help(hint),
            None => problem,
        }
    }
}

/// Where each column the source reads sits in this file's header: by exact name, then
/// ignoring case and surrounding spaces.
fn header_slots(plan: &Plan, header: &Row, table: &Table) -> Result<Vec<usize>, MissingColumns> {
    let names: Vec<&str> = header.cells.iter().map(|c| c.trim()).collect();
    let mut slots = Vec::with_capacity(plan.columns.len());
    let mut missing = Vec::new();
    let mut twice = Vec::new();
    for wanted in &plan.columns {
        let wanted_trimmed = wanted.trim();
        let found = names
            .iter()
            .position(|n| *n == wanted_trimmed)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(wanted_trimmed)));
        match found {
            Some(index) => slots.push(index),
            None => missing.push((*wanted).to_owned()),
        }
        if names.iter().filter(|n| n.eq_ignore_ascii_case(wanted_trimmed)).count() > 1 {
            twice.push((*wanted).to_owned());
        }
    }
    if missing.is_empty() && twice.is_empty() {
        return Ok(slots);
    }
    let hint = if names.len() == 1 && plan.source.delimiter.is_none() {
        let separator = table.delimiter().map_or_else(String::new, |d| format!("{:?}", d as char));
        Some(format!(
            "the header reads as a single column with the separator {separator}: set `delimiter` for this source"
        ))
    } else {
        misspelt_columns(plan, &missing, &names)
    };
    Err(MissingColumns {
        missing,
        twice,
        header: names.iter().map(|n| (*n).to_owned()).collect(),
        hint,
    })
}

/// For columns the source names that the header lacks, the header's columns they were most
/// likely meant for, and where the names are set.
fn misspelt_columns(plan: &Plan, missing: &[String], names: &[&str]) -> Option<String> {
    let meant: Vec<String> = missing
        .iter()
        .filter_map(|m| spelling::nearest(m, names).map(|n| format!("`{n}` for `{m}`")))
        .collect();
    (!meant.is_empty()).then(|| {
        format!(
            "did you mean {}? The columns are named in source `{}` of vendorcard.yaml",
            meant.join(", "),
            plan.source.name
        )
    })
}

/// Measures one row: its vendor, filters, date and each KPI it maps. An error names the slot
/// of the cell at fault, when there is one.
fn measure(
    plan: &Plan,
    cells: &[&str],
    origin: Origin,
    fold: &mut Fold,
    tally: &mut Tally,
    place: &Place,
) -> Result<(), (Option<usize>, String)> {
    let source = plan.source;
    let vendor = match plan.vendor {
        None => plan.vendors.get("").copied().flatten(),
        Some(slot) => match plan.vendors.get(&fold_case(cells[slot])) {
            Some(vendor) => *vendor,
            None => {
                tally.skip(Skip::VendorNotMapped, place);
                if let Some(skipped) = tally.skipped.get_mut(&Skip::VendorNotMapped) {
                    *skipped.values.entry(cells[slot].trim().to_owned()).or_default() += 1;
                }
                return Ok(());
            }
        },
    };
    if plan.filters.iter().any(|(slot, values)| !holds(values, cells[*slot])) {
        tally.skip(Skip::FilteredOut, place);
        return Ok(());
    }
    let date = cells[plan.date].trim();
    if date.is_empty() || source.missing.iter().any(|m| m == date) {
        tally.skip(Skip::NoDate, place);
        return Ok(());
    }
    let at = parse_export_timestamp(date, source.date_format.as_deref())
        .map_err(|m| (Some(plan.date), m))?;
    // A vendor whose contract failed to load: its rows are read, not measured.
    let Some(vendor) = vendor else {
        tally.rows_of_broken_contracts += 1;
        return Ok(());
    };
    let contract = &fold.contracts()[vendor];

    let mut measured = false;
    for (planned, kpi) in plan.kpis.iter().enumerate() {
        let Some(kpi_index) = kpi.index[vendor] else {
            tally.skip(Skip::KpiNotInContract, place);
            continue;
        };
        let unit = contract.kpis[kpi_index].unit;
        match reading(plan, &kpi.rule, cells, unit, kpi.id, &contract.id)? {
            Reading::Value(value) => {
                if let Rule::Column { scale: None, .. } = kpi.rule
                    && unit == crate::model::Unit::Percent
                {
                    tally.fractions.entry(planned).or_default().see(value);
                }
                if let Rule::Equals { .. } = kpi.rule
                    && value != 0.0
                {
                    *tally.matched.entry(planned).or_default() += 1;
                }
                if let Rule::Equals { column, .. } = kpi.rule
                    && value == 0.0
                {
                    *tally
                        .zeros
                        .entry(kpi.id.to_owned())
                        .or_default()
                        .entry(cells[column].trim().to_owned())
                        .or_default() += 1;
                }
                if fold.add(vendor, kpi_index, at, value, origin) {
                    tally.measurements += 1;
                }
                measured = true;
            }
            Reading::Empty => tally.skip(Skip::EmptyValue, place),
            Reading::Negative => tally.skip(Skip::NegativeInterval, place),
        }
    }
    if measured {
        tally.measured_rows += 1;
    } else {
        tally.skip(Skip::NothingToMeasure, place);
    }
    Ok(())
}

/// What one mapping read from a row.
enum Reading {
    Value(f64),
    Empty,
    Negative,
}

fn reading(
    plan: &Plan,
    rule: &Rule,
    cells: &[&str],
    unit: crate::model::Unit,
    kpi: &str,
    vendor: &str,
) -> Result<Reading, (Option<usize>, String)> {
    let source = plan.source;
    let empty = |cell: &str| {
        cell.trim().is_empty() || source.missing.iter().any(|m| m.trim() == cell.trim())
    };
    match rule {
        Rule::Column { column, unit: given, scale } => {
            let cell = cells[*column];
            if empty(cell) {
                return Ok(Reading::Empty);
            }
            let value = parse_export_value(cell, source.decimal).map_err(|m| {
                let hint = if m.contains("is not a number") {
                    "; if it means no value, list it under `missing` for this source"
                } else {
                    ""
                };
                (Some(*column), format!("{m}{hint}"))
            })?;
            let timed = given.is_some() || unit.time().is_some();
            let negative = match value {
                ExportValue::Number(n) => n < 0.0,
                ExportValue::Seconds(s) => s < 0.0,
            };
            if timed && negative {
                let message =
                    format!("`{}` is a negative time: a time is 0 or more", shorten(cell.trim()));
                return Err((Some(*column), message));
            }
            // A cell written as a percentage is already one: only plain numbers are scaled, so a
            // column that mixes 0.95 and 95% reads 95 for both.
            let value = match (value, scale) {
                (ExportValue::Number(n), Some(scale)) if !cell.trim_end().ends_with('%') => {
                    ExportValue::Number(n * scale)
                }
                (value, _) => value,
            };
            let in_kpi_unit = match (value, given, unit.time()) {
                (ExportValue::Number(n), Some(given), Some(kpi_unit)) => {
                    n * given.seconds() / kpi_unit.seconds()
                }
                (ExportValue::Number(n), _, _) => n,
                (ExportValue::Seconds(s), _, Some(kpi_unit)) => s / kpi_unit.seconds(),
                (ExportValue::Seconds(_), _, None) => {
                    let message = format!(
                        "`{}` is a duration, but contract `{vendor}` measures `{kpi}` in {}",
                        shorten(cell.trim()),
                        unit.name()
                    );
                    return Err((Some(*column), message));
                }
            };
            Ok(Reading::Value(in_kpi_unit))
        }
        Rule::Equals { column, values } => {
            let cell = cells[*column];
            if empty(cell) {
                return Ok(Reading::Empty);
            }
            Ok(Reading::Value(if holds(values, cell) { 100.0 } else { 0.0 }))
        }
        Rule::Between { start, end } => {
            if empty(cells[*start]) || empty(cells[*end]) {
                return Ok(Reading::Empty);
            }
            let format = source.date_format.as_deref();
            let seconds = export_interval(cells[*start], cells[*end], format)
                .map_err(|(which, m)| (Some(if which == 0 { *start } else { *end }), m))?;
            if seconds < 0.0 {
                return Ok(Reading::Negative);
            }
            let kpi_unit = unit.time().map_or(1.0, crate::model::TimeUnit::seconds);
            Ok(Reading::Value(seconds / kpi_unit))
        }
    }
}
