//! `kpis/**/*.csv`: KPI exports in the long layout (`date,vendor,kpi,value`) or the wide one
//! (`date,vendor,<kpi>,<kpi>…`), told apart by their header. Each row is folded into its cell as
//! it is read, so a file of any length is read in one pass and memory grows with cells only.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;

use crate::diagnostics::{Diagnostic, FileProblems, plural};
use crate::evaluate::aggregate::Origin;

use crate::load::contracts::Outline;
use crate::load::dates::Timestamps;
use crate::load::discover::InputFile;
use crate::load::fold::{Fold, Window};
use crate::load::spelling;
use crate::load::tables::{Cells, Next, Row, Table, TableOptions};
use crate::load::values::{parse_number, shorten, trimmed};
use crate::model::Contract;

/// The contracts that rows may name: those that loaded, and the outlines of those that did not,
/// so that rows of a broken contract are still checked in the same run.
#[derive(Debug)]
pub struct Registry<'a> {
    contracts: &'a [Contract],
    outlines: &'a [Outline],
    by_id: FxHashMap<&'a str, Vendor>,
    /// The KPI ids of each loaded contract, and of each outline that has them.
    kpis: Vec<Vec<&'a str>>,
    outline_kpis: Vec<Option<Vec<&'a str>>>,
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
        let mut by_id: FxHashMap<&str, Vendor> =
            outlines.iter().enumerate().map(|(i, o)| (o.id.as_str(), Vendor::Broken(i))).collect();
        by_id.extend(contracts.iter().enumerate().map(|(i, c)| (c.id.as_str(), Vendor::Valid(i))));
        let kpis =
            contracts.iter().map(|c| c.kpis.iter().map(|k| k.id.as_str()).collect()).collect();
        let outline_kpis = outlines
            .iter()
            .map(|o| o.kpis.as_ref().map(|ids| ids.iter().map(String::as_str).collect()))
            .collect();
        Registry { contracts, outlines, by_id, kpis, outline_kpis }
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
    fn kpi_ids(&self, vendor: Vendor) -> Option<&[&'a str]> {
        match vendor {
            Vendor::Valid(index) => Some(&self.kpis[index]),
            Vendor::Broken(index) => self.outline_kpis[index].as_deref(),
        }
    }

    /// The KPI ids of each contract, loaded or not, that has them.
    fn kpi_lists(&self) -> impl Iterator<Item = &Vec<&'a str>> {
        self.kpis.iter().chain(self.outline_kpis.iter().flatten())
    }

    /// Whether any contract, loaded or not, declares a KPI of this id.
    fn declares_kpi(&self, id: &str) -> bool {
        self.kpi_lists().any(|ids| ids.contains(&id))
    }

    /// The KPI ids a file's columns may stand for: its folder vendor's, or every contract's.
    fn kpi_ids_for(&self, folder: Option<Vendor>) -> Vec<&'a str> {
        match folder {
            Some(vendor) => self.kpi_ids(vendor).unwrap_or_default().to_vec(),
            None => self.kpi_lists().flatten().copied().collect(),
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
#[derive(Debug)]
pub struct ExportRead<'a> {
    pub fold: Fold<'a>,
    pub counts: FileCounts,
    pub problems: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
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
pub fn read<'a>(
    file: &InputFile,
    index: u32,
    registry: &Registry<'a>,
    window: Window,
) -> ExportRead<'a> {
    let mut read = ExportRead {
        fold: Fold::new(registry.contracts, window),
        counts: FileCounts { file: file.shown.clone(), ..FileCounts::default() },
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let options = TableOptions { delimiter: Some(b','), ..TableOptions::default() };
    let mut table = match Table::open(&file.path, options) {
        Ok(table) => table,
        Err(error) => {
            read.problems.push(error.diagnostic(&file.shown));
            return read;
        }
    };

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
        folder_vendor,
        read,
        problems: FileProblems::new(&file.shown),
        ignored: BTreeMap::new(),
        last_vendor: None,
        last_kpi: None,
        dates: Timestamps::default(),
    };
    export.read_rows(&mut table);
    table.recycle();
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

struct Export<'a, 'c> {
    file: &'a InputFile,
    index: u32,
    registry: &'a Registry<'c>,
    folder_vendor: Option<Vendor>,
    read: ExportRead<'c>,
    problems: FileProblems,
    /// Wide columns that are no KPI of a row's vendor: (column, vendor) → rows.
    ignored: BTreeMap<(String, Vendor), u64>,
    /// The vendor id of the last row that had it right, tried before the registry.
    last_vendor: Option<(String, Vendor)>,
    /// The KPI id of the last row of the long layout that had it right, with its vendor.
    last_kpi: Option<(Vendor, String, usize)>,
    dates: Timestamps,
}

struct Columns {
    date: usize,
    vendor: Option<usize>,
    width: usize,
    layout: Layout,
    /// Columns whose header cell is empty.
    unnamed: Vec<usize>,
}

impl<'c> Export<'_, 'c> {
    fn problem(&mut self, line: u64, column: Option<usize>, message: String) {
        self.problems.add(line, column, message);
    }

    fn read_rows(&mut self, table: &mut Table) {
        let mut row = Row::default();
        let mut columns: Option<Columns> = None;
        loop {
            let fix = "save the export as UTF-8";
            let report = |line, column, message| self.problems.add(line, column, message);
            if table.next_readable(&mut row, columns.is_some(), fix, report) != Next::Row {
                break;
            }
            match &columns {
                None => match self.header(&row.cells, row.line) {
                    Some(found) => columns = Some(found),
                    None => break,
                },
                Some(found) => self.row(found, &row.cells, row.line),
            }
        }
        table.report_unclosed_quote(&mut self.problems);
        if columns.is_none() && self.problems.is_empty() {
            self.problem(
                1,
                None,
                "is empty: expected a header such as `date,vendor,kpi,value`".to_owned(),
            );
        }
    }

    fn header(&mut self, fields: &Cells, line: u64) -> Option<Columns> {
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
            problem = problem.with_help(match separator {
                Some(separator) => format!(
                    "the cells seem to be separated by {separator:?}: files in kpis/ are separated by commas; \
                     save the export as comma-separated"
                ),
                // Most often a tool's own export, one row per ticket or call, saved here as it is.
                None => "an export in a tool's own shape goes under exports/ and is mapped as a source \
                         in vendorcard.yaml, which says which columns date a row, name its vendor and \
                         hold each KPI (see docs/sources.md)"
                    .to_owned(),
            });
            self.problems.push(problem);
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
                self.check_extra_columns(fields, &[date, kpi, value], vendor, line);
                Layout::Long { kpi, value }
            }
            // Half of the long layout's header is most likely a column lost in an export, not
            // a wide column: read as one, every row would measure nothing and its KPIs would
            // go missing, owing credits.
            (Some(half), None) | (None, Some(half))
                if !self.registry.declares_kpi(fields[half].trim()) =>
            {
                let (has, lacks) =
                    if names[half] == "kpi" { ("kpi", "value") } else { ("value", "kpi") };
                let mut problem = Diagnostic::error(
                    &self.file.shown,
                    format!("the header has a `{has}` column but no `{lacks}` column: expected `date,vendor,kpi,value`"),
                )
                .with_help(format!("add the `{lacks}` column; in the wide layout, every column but `date` and `vendor` is named after a KPI id"));
                problem.line = Some(line);
                problem.column = Some(half as u64 + 1);
                self.problems.push(problem);
                return None;
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
        if let Layout::Wide { columns } = &layout {
            if columns.is_empty() {
                self.problem(line, None, "the header names no KPI columns: expected `date,vendor,kpi,value` or `date,vendor,<kpi>,…`".to_owned());
                return None;
            }
            self.check_misspelt_columns(columns, line);
        }
        if !self.problems.is_empty() {
            return None;
        }
        let unnamed =
            names.iter().enumerate().filter(|(_, n)| n.is_empty()).map(|(i, _)| i).collect();
        Some(Columns { date, vendor, width: fields.len(), layout, unnamed })
    }

    /// A wide column that is no KPI of any contract but nearly the id of one that has no column
    /// in the file is taken for a misspelling: ignored, it would leave that KPI missing in every
    /// period, owing credits, with only a line in the build log to say why.
    fn check_misspelt_columns(&mut self, columns: &[(usize, String)], line: u64) {
        let ids = self.registry.kpi_ids_for(self.folder_vendor);
        let without_column: Vec<&str> =
            ids.into_iter().filter(|id| columns.iter().all(|(_, name)| name != id)).collect();
        for (column, name) in columns {
            if self.registry.declares_kpi(name) {
                continue;
            }
            if let Some(meant) = spelling::nearest(name, &without_column) {
                self.problem(
                    line,
                    Some(*column),
                    format!(
                        "the column `{}` is no KPI id, and `{meant}` has no column: did you mean `{meant}`? Name the column after the KPI id, or its measurements are not read",
                        shorten(name)
                    ),
                );
            }
        }
    }

    /// Columns of the long layout other than its own are another tool's, ignored and named in
    /// the log; but one named after a KPI holds values that would not be read, leaving that KPI
    /// missing in every period the file was meant to cover, owing credits: an error.
    fn check_extra_columns(
        &mut self,
        fields: &Cells,
        used: &[usize],
        vendor: Option<usize>,
        line: u64,
    ) {
        let extra: Vec<(usize, &str)> = (fields.iter().map(str::trim).enumerate())
            .filter(|(column, _)| !used.contains(column) && Some(*column) != vendor)
            .collect();
        if extra.is_empty() {
            return;
        }
        let ids = self.registry.kpi_ids_for(self.folder_vendor);
        for &(column, name) in extra.iter().filter(|(_, name)| ids.contains(name)) {
            self.problem(
                line,
                Some(column),
                format!(
                    "the column `{}` is named after a KPI, but in a file with `kpi` and `value` columns its cells are not read: give its values as rows whose `kpi` is `{0}`, or in a file of their own with a `{0}` column",
                    shorten(name)
                ),
            );
        }
        let names: Vec<String> = extra.iter().map(|(_, name)| name.to_ascii_lowercase()).collect();
        let mut warning = Diagnostic::warning(
            &self.file.shown,
            format!("columns ignored in the long layout: `{}`", names.join("`, `")),
        );
        warning.line = Some(line);
        self.read.warnings.push(warning);
    }

    fn row(&mut self, columns: &Columns, fields: &Cells, line: u64) {
        self.read.counts.rows += 1;
        if fields.iter().all(|f| trimmed(f).is_empty()) {
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
        let at = self.timestamp(&fields[columns.date], columns.date, line);
        let (Some(vendor), Some(at)) = (vendor, at) else { return };
        let declared = self.registry.kpi_ids(vendor);
        self.read.counts.unnamed_values +=
            columns.unnamed.iter().filter(|i| !fields[**i].trim().is_empty()).count() as u64;

        match &columns.layout {
            Layout::Long { kpi, value } => {
                let id = trimmed(&fields[*kpi]);
                let Some(declared) = declared else { return };
                let Some(kpi_index) = self.kpi_index(vendor, declared, id) else {
                    let message = format!(
                        "contract `{}` declares no KPI `{}`: expected one of {}",
                        self.registry.id(vendor),
                        shorten(id),
                        declared.join(", ")
                    );
                    self.problem(line, Some(*kpi), message);
                    return;
                };
                if trimmed(&fields[*value]).is_empty() {
                    self.read.counts.empty_values += 1;
                    return;
                }
                self.measure(vendor, kpi_index, &fields[*value], *value, at, line);
            }
            Layout::Wide { columns } => {
                let Some(declared) = declared else { return };
                for (column, id) in columns {
                    match declared.iter().position(|k| k == id) {
                        Some(_) if trimmed(&fields[*column]).is_empty() => {}
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
        let id = trimmed(cell);
        // Rows of one vendor come together in most exports, so the last one found is tried
        // before the registry.
        let last = match &self.last_vendor {
            Some((last, vendor)) if last == id => Some(*vendor),
            _ => None,
        };
        let found = last.or_else(|| self.registry.vendor(id));
        let Some(found) = found else {
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
        if last.is_none() {
            self.last_vendor = Some((id.to_owned(), found));
        }
        Some(found)
    }

    fn timestamp(&mut self, cell: &str, column: usize, line: u64) -> Option<NaiveDateTime> {
        match self.dates.read(cell) {
            Ok(at) => Some(at),
            Err(message) => {
                self.problem(line, Some(column), message);
                None
            }
        }
    }

    /// The place of a KPI id among those the vendor's contract declares. Rows of one KPI come
    /// together in most exports of the long layout, so the last one found is tried first.
    fn kpi_index(&mut self, vendor: Vendor, declared: &[&str], id: &str) -> Option<usize> {
        if let Some((last_vendor, last_id, index)) = &self.last_kpi
            && *last_vendor == vendor
            && last_id == id
        {
            return Some(*index);
        }
        let index = declared.iter().position(|k| *k == id)?;
        self.last_kpi = Some((vendor, id.to_owned(), index));
        Some(index)
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
        let value = match parse_number(cell) {
            Ok(value) => value,
            Err(message) => {
                self.problem(line, Some(column), message);
                return;
            }
        };

        // A broken contract's rows are checked, but there is nothing to measure them against.
        let Vendor::Valid(vendor) = vendor else { return };
        if self.read.fold.add(vendor, kpi, at, value, Origin { file: self.index, row: line }) {
            self.read.counts.measurements += 1;
        }
    }

    fn finish(mut self) -> ExportRead<'c> {
        self.read.problems = self.problems.finish();
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
