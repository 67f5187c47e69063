//! `kpis/**/*.csv`: KPI exports in the long layout (`date,vendor,kpi,value`) or the wide one
//! (`date,vendor,<kpi>,<kpi>…`), told apart by their header. Each row is folded into its cell as
//! it is read, so a file of any length is read in one pass and memory grows with cells only.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;

use chrono::NaiveDate;

use crate::diagnostics::{Diagnostic, plural};
use crate::evaluate::aggregate::{Cell, Origin};
use crate::evaluate::periods::{Period, PeriodKind};
use crate::load::contracts::Outline;
use crate::load::dates::parse_timestamp;
use crate::load::discover::InputFile;
use crate::load::values::{parse_number, shorten};
use crate::model::{CellKey, Contract};

/// Problems listed per file before the rest are only counted.
const LISTED_PER_FILE: usize = 25;

/// The contracts that rows may name: those that loaded, and the outlines of those that did not,
/// so that rows of a broken contract are still checked in the same run.
#[derive(Debug)]
pub struct Registry<'a> {
    contracts: &'a [Contract],
    outlines: &'a [Outline],
    by_id: HashMap<&'a str, Vendor>,
}

/// A vendor a row may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Vendor {
    /// Index into the loaded contracts.
    Valid(usize),
    /// Index into the outlines of contracts that failed to load: checked, never measured.
    Broken(usize),
}

impl<'a> Registry<'a> {
    pub fn new(contracts: &'a [Contract], outlines: &'a [Outline]) -> Self {
        let mut by_id: HashMap<&str, Vendor> =
            outlines.iter().enumerate().map(|(i, o)| (o.id.as_str(), Vendor::Broken(i))).collect();
        by_id.extend(contracts.iter().enumerate().map(|(i, c)| (c.id.as_str(), Vendor::Valid(i))));
        Registry { contracts, outlines, by_id }
    }

    fn vendor(&self, id: &str) -> Option<Vendor> {
        self.by_id.get(id).copied()
    }

    fn id(&self, vendor: Vendor) -> &str {
        match vendor {
            Vendor::Valid(index) => &self.contracts[index].id,
            Vendor::Broken(index) => &self.outlines[index].id,
        }
    }

    /// The KPI ids the vendor's contract declares; `None` when its file could not be read.
    fn kpi_ids(&self, vendor: Vendor) -> Option<Vec<&str>> {
        match vendor {
            Vendor::Valid(index) => {
                Some(self.contracts[index].kpis.iter().map(|k| k.id.as_str()).collect())
            }
            Vendor::Broken(index) => self.outlines[index]
                .kpis
                .as_ref()
                .map(|ids| ids.iter().map(String::as_str).collect()),
        }
    }

    fn known_ids(&self) -> String {
        let mut ids: Vec<&str> = self.by_id.keys().copied().collect();
        ids.sort_unstable();
        let shown: Vec<&str> = ids.iter().copied().take(12).collect();
        match ids.len() {
            0 => "none".to_owned(),
            n if n > shown.len() => format!("{}, … ({n} in all)", shown.join(", ")),
            _ => shown.join(", "),
        }
    }
}

/// What a row's date is checked against before its values are folded.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub kind: PeriodKind,
    /// `as_of` when settings set it; a derived `as_of` is applied after loading, per period.
    pub as_of: Option<NaiveDate>,
}

/// What one file held, for the build log.
#[derive(Debug, Default)]
pub struct FileCounts {
    pub file: String,
    pub rows: u64,
    pub measurements: u64,
    pub blank_rows: u64,
    /// Rows of the long layout whose value is empty: no measurement.
    pub empty_values: u64,
    /// Values in columns whose header has no name, which cannot be read as any KPI.
    pub unnamed_values: u64,
}

/// The cells and counts of one file.
#[derive(Debug, Default)]
pub struct ExportRead {
    pub cells: HashMap<CellKey, Cell>,
    pub counts: FileCounts,
    /// Per vendor: measurements dated outside the term, and after an `as_of` set in settings.
    pub left_out: BTreeMap<usize, LeftOut>,
    pub problems: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub outside_term: u64,
    pub after_as_of: u64,
}

impl LeftOut {
    pub fn add(&mut self, other: LeftOut) {
        self.outside_term += other.outside_term;
        self.after_as_of += other.after_as_of;
    }
}

enum Layout {
    Long {
        kpi: usize,
        value: usize,
    },
    /// Column index and KPI id of each measured column.
    Wide {
        columns: Vec<(usize, String)>,
    },
}

/// Reads one export. `index` is the file's place in the sorted list of inputs.
pub fn read(file: &InputFile, index: u32, registry: &Registry, window: Window) -> ExportRead {
    let mut read = ExportRead {
        counts: FileCounts { file: file.shown.clone(), ..FileCounts::default() },
        ..ExportRead::default()
    };
    let handle = match File::open(&file.path) {
        Ok(handle) => handle,
        Err(error) => {
            read.problems
                .push(Diagnostic::error(&file.shown, format!("cannot be read: {error}")).io());
            return read;
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(QuoteCount::new(BufReader::with_capacity(1 << 16, handle)));

    let folder_vendor = match folder_vendor(file, registry) {
        Ok(vendor) => vendor,
        Err(problem) => {
            read.problems.push(problem);
            return read;
        }
    };
    let mut export = Export {
        file,
        index,
        registry,
        window,
        folder_vendor,
        read,
        extra_problems: 0,
        ignored: BTreeMap::new(),
    };
    export.read_rows(&mut reader);
    export.finish()
}

/// The vendor of a file under `kpis/<vendor>/`, or `None` for a file that names its vendors.
fn folder_vendor(file: &InputFile, registry: &Registry) -> Result<Option<Vendor>, Diagnostic> {
    let Some(folder) = file.subfolders().first().copied() else {
        return Ok(None);
    };
    match registry.vendor(folder) {
        Some(vendor) => Ok(Some(vendor)),
        None => Err(Diagnostic::error(
            &file.shown,
            format!("the folder `kpis/{folder}/` names no contract: expected the id of a vendor ({})", registry.known_ids()),
        )
        .with_help("files under kpis/<vendor>/ belong to that vendor; put shared exports directly in kpis/")),
    }
}

/// Counts the quote characters read, to tell an unclosed quote from a quoted line break.
#[derive(Debug)]
pub struct QuoteCount<R> {
    inner: R,
    quotes: u64,
}

impl<R> QuoteCount<R> {
    fn new(inner: R) -> Self {
        QuoteCount { inner, quotes: 0 }
    }

    fn is_odd(&self) -> bool {
        self.quotes % 2 == 1
    }
}

impl<R: std::io::Read> std::io::Read for QuoteCount<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.quotes += buffer[..read].iter().filter(|b| **b == b'"').count() as u64;
        Ok(read)
    }
}

struct Export<'a> {
    file: &'a InputFile,
    index: u32,
    registry: &'a Registry<'a>,
    window: Window,
    folder_vendor: Option<Vendor>,
    read: ExportRead,
    extra_problems: u64,
    /// Wide columns that are no KPI of a row's vendor: (column, vendor) → rows.
    ignored: BTreeMap<(String, Vendor), u64>,
}

struct Columns {
    date: usize,
    vendor: Option<usize>,
    width: usize,
    layout: Layout,
    /// Columns whose header cell is empty.
    unnamed: Vec<usize>,
}

impl Export<'_> {
    fn problem(&mut self, line: u64, column: Option<usize>, message: String) {
        if self.read.problems.len() >= LISTED_PER_FILE {
            self.extra_problems += 1;
            return;
        }
        let mut diagnostic = Diagnostic::error(&self.file.shown, message);
        diagnostic.line = Some(line);
        diagnostic.column = column.map(|c| c as u64 + 1);
        self.read.problems.push(diagnostic);
    }

    fn read_rows<R: std::io::Read>(&mut self, reader: &mut csv::Reader<QuoteCount<R>>) {
        let mut record = csv::ByteRecord::new();
        let mut columns: Option<Columns> = None;
        let mut last_line = 0;
        let mut last_spans_lines = false;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    let line = error.position().map_or(0, csv::Position::line);
                    self.problem(line, None, format!("is not readable as CSV: {error}"));
                    break;
                }
            }
            let line = record.position().map_or(0, csv::Position::line);
            last_line = line;
            last_spans_lines = record.iter().any(|field| field.contains(&b'\n'));
            let Some(fields) = self.text_fields(&record, line) else {
                // A header that cannot be read leaves nothing to read the rows by.
                if columns.is_none() {
                    return;
                }
                continue;
            };
            match &columns {
                None => match self.header(&fields, line) {
                    Some(found) => columns = Some(found),
                    None => return,
                },
                Some(found) => self.row(found, &fields, line),
            }
        }
        // An opening quote that is never closed makes the rest of the file one cell of the last
        // row, which the CSV reader accepts without complaint; an odd count of quotes and a last
        // row that runs over several lines give it away.
        if reader.get_ref().is_odd() && last_spans_lines {
            self.problem(
                last_line,
                None,
                "opens a quoted cell that is never closed, so the rest of the file was read into \
                 it: close the quote (or double it, \"\", to write a quote inside a quoted cell)"
                    .to_owned(),
            );
        }
        if columns.is_none() && self.read.problems.is_empty() {
            self.problem(
                1,
                None,
                "is empty: expected a header such as `date,vendor,kpi,value`".to_owned(),
            );
        }
    }

    fn text_fields(&mut self, record: &csv::ByteRecord, line: u64) -> Option<Vec<String>> {
        let mut fields = Vec::with_capacity(record.len());
        for (column, bytes) in record.iter().enumerate() {
            match std::str::from_utf8(bytes) {
                Ok(text) => fields.push(text.to_owned()),
                Err(_) => {
                    self.problem(
                        line,
                        Some(column),
                        "holds text that is not UTF-8: save the export as UTF-8".to_owned(),
                    );
                    return None;
                }
            }
        }
        Some(fields)
    }

    fn header(&mut self, fields: &[String], line: u64) -> Option<Columns> {
        let names: Vec<String> = fields.iter().map(|f| f.trim().to_ascii_lowercase()).collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let mut seen = HashSet::new();
        for (column, name) in names.iter().enumerate() {
            if !name.is_empty() && !seen.insert(name.as_str()) {
                self.problem(
                    line,
                    Some(column),
                    format!("the header names the column `{name}` twice"),
                );
            }
        }

        let Some(date) = find("date") else {
            let mut problem = Diagnostic::error(
                &self.file.shown,
                "the header has no `date` column: expected `date,vendor,kpi,value` or `date,vendor,<kpi>,…`",
            );
            problem.line = Some(line);
            let separator =
                [';', '\t', '|'].into_iter().find(|c| fields.len() == 1 && fields[0].contains(*c));
            if let Some(separator) = separator {
                problem = problem.with_help(format!(
                    "the cells seem to be separated by {separator:?}: files in kpis/ are separated by commas; \
                     save the export as comma-separated"
                ));
            }
            self.read.problems.push(problem);
            return None;
        };
        let vendor = find("vendor");
        if vendor.is_none() && self.folder_vendor.is_none() {
            self.problem(
                line,
                None,
                "the header has no `vendor` column: add one, or put the file under kpis/<vendor>/"
                    .to_owned(),
            );
            return None;
        }
        let layout = match (find("kpi"), find("value")) {
            (Some(kpi), Some(value)) => {
                self.warn_extra_columns(&names, &[date, kpi, value], vendor, line);
                Layout::Long { kpi, value }
            }
            _ => Layout::Wide {
                columns: names
                    .iter()
                    .enumerate()
                    .filter(|(i, name)| *i != date && Some(*i) != vendor && !name.is_empty())
                    .map(|(i, _)| (i, fields[i].trim().to_owned()))
                    .collect(),
            },
        };
        if let Layout::Wide { columns } = &layout
            && columns.is_empty()
        {
            self.problem(line, None, "the header names no KPI columns: expected `date,vendor,kpi,value` or `date,vendor,<kpi>,…`".to_owned());
            return None;
        }
        if !self.read.problems.is_empty() {
            return None;
        }
        let unnamed =
            names.iter().enumerate().filter(|(_, n)| n.is_empty()).map(|(i, _)| i).collect();
        Some(Columns { date, vendor, width: fields.len(), layout, unnamed })
    }

    fn warn_extra_columns(
        &mut self,
        names: &[String],
        used: &[usize],
        vendor: Option<usize>,
        line: u64,
    ) {
        let extra: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(i) && Some(*i) != vendor)
            .map(|(_, n)| n.as_str())
            .collect();
        if !extra.is_empty() {
            let mut warning = Diagnostic::warning(
                &self.file.shown,
                format!("columns ignored in the long layout: `{}`", extra.join("`, `")),
            );
            warning.line = Some(line);
            self.read.warnings.push(warning);
        }
    }

    fn row(&mut self, columns: &Columns, fields: &[String], line: u64) {
        self.read.counts.rows += 1;
        if fields.iter().all(|f| f.trim().is_empty()) {
            self.read.counts.blank_rows += 1;
            return;
        }
        if fields.len() != columns.width {
            self.problem(
                line,
                None,
                format!("has {} cells where the header has {}", fields.len(), columns.width),
            );
            return;
        }

        // Both the vendor and the date are checked, so that one run lists both problems.
        let vendor = match (self.folder_vendor, columns.vendor) {
            (Some(folder), None) => Some(folder),
            (folder, Some(column)) => self.row_vendor(folder, &fields[column], column, line),
            (None, None) => None,
        };
        let at = parse_timestamp(&fields[columns.date])
            .map_err(|message| self.problem(line, Some(columns.date), message))
            .ok();
        let (Some(vendor), Some(at)) = (vendor, at) else { return };
        let declared = self.registry.kpi_ids(vendor);
        self.read.counts.unnamed_values +=
            columns.unnamed.iter().filter(|i| !fields[**i].trim().is_empty()).count() as u64;

        match &columns.layout {
            Layout::Long { kpi, value } => {
                let id = fields[*kpi].trim();
                let Some(declared) = declared else { return };
                let Some(kpi_index) = declared.iter().position(|k| *k == id) else {
                    let message = format!(
                        "contract `{}` declares no KPI `{}`: expected one of {}",
                        self.registry.id(vendor),
                        shorten(id),
                        declared.join(", ")
                    );
                    self.problem(line, Some(*kpi), message);
                    return;
                };
                if fields[*value].trim().is_empty() {
                    self.read.counts.empty_values += 1;
                    return;
                }
                self.measure(vendor, kpi_index, &fields[*value], *value, at, line);
            }
            Layout::Wide { columns } => {
                let Some(declared) = declared else { return };
                for (column, id) in columns {
                    match declared.iter().position(|k| k == id) {
                        Some(kpi_index) => {
                            self.measure(vendor, kpi_index, &fields[*column], *column, at, line);
                        }
                        None => *self.ignored.entry((id.clone(), vendor)).or_default() += 1,
                    }
                }
            }
        }
    }

    /// The vendor a row names, checked against the file's folder.
    fn row_vendor(
        &mut self,
        folder: Option<Vendor>,
        cell: &str,
        column: usize,
        line: u64,
    ) -> Option<Vendor> {
        let id = cell.trim();
        let Some(found) = self.registry.vendor(id) else {
            let message = format!(
                "no contract has the vendor id `{}`: expected one of {}",
                shorten(id),
                self.registry.known_ids()
            );
            self.problem(line, Some(column), message);
            return None;
        };
        if let Some(folder) = folder
            && found != folder
        {
            let message = format!(
                "names vendor `{}` in a file under kpis/{}/: a file in a vendor's folder holds only that vendor's rows",
                shorten(id),
                self.registry.id(folder)
            );
            self.problem(line, Some(column), message);
            return None;
        }
        Some(found)
    }

    fn measure(
        &mut self,
        vendor: Vendor,
        kpi: usize,
        cell: &str,
        column: usize,
        at: chrono::NaiveDateTime,
        line: u64,
    ) {
        if cell.trim().is_empty() {
            return;
        }
        let value = match parse_number(cell) {
            Ok(value) => value,
            Err(message) => {
                self.problem(line, Some(column), message);
                return;
            }
        };

        // A broken contract's rows are checked, but there is nothing to measure them against.
        let Vendor::Valid(vendor) = vendor else { return };
        let contract = &self.registry.contracts[vendor];
        let date = at.date();
        if !contract.in_term(date) {
            self.read.left_out.entry(vendor).or_default().outside_term += 1;
            return;
        }
        if self.window.as_of.is_some_and(|as_of| date > as_of) {
            self.read.left_out.entry(vendor).or_default().after_as_of += 1;
            return;
        }

        let key = CellKey { vendor, kpi, period: Period::containing(self.window.kind, date) };
        let keep_values = contract.kpis[kpi].aggregate.needs_values();
        self.read.cells.entry(key).or_insert_with(|| Cell::new(keep_values)).add(
            value,
            at,
            Origin { file: self.index, row: line },
        );
        self.read.counts.measurements += 1;
    }

    fn finish(mut self) -> ExportRead {
        if self.extra_problems > 0 {
            let message = format!(
                "{} more problems in this file are not listed; fix the ones above first",
                self.extra_problems
            );
            let mut summary = Diagnostic::error(&self.file.shown, message);
            // This line stands for all of them in the run's count of problems.
            summary.unlisted = self.extra_problems - 1;
            self.read.problems.push(summary);
        }
        // One line per vendor, naming every column of the file that is no KPI of theirs.
        let mut by_vendor: BTreeMap<Vendor, Vec<(String, u64)>> = BTreeMap::new();
        for ((column, vendor), rows) in std::mem::take(&mut self.ignored) {
            by_vendor.entry(vendor).or_default().push((column, rows));
        }
        for (vendor, columns) in by_vendor {
            let names: Vec<String> = columns
                .iter()
                .map(|(column, rows)| format!("`{column}` ({})", plural(*rows, "row")))
                .collect();
            let message = format!(
                "ignored: {} {} no KPI of `{}`",
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" },
                self.registry.id(vendor)
            );
            self.read.warnings.push(Diagnostic::warning(&self.file.shown, message));
        }
        self.read
    }
}
