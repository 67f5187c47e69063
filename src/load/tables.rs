//! Reading the rows of an export as text: CSV streamed in any encoding and separator, or one
//! sheet of a spreadsheet. Everything above this module sees rows of cells and their numbers.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, Reader};
use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;
use smallvec::SmallVec;

use super::plain_rows::{LARGEST_READ_WHOLE, PlainRows};
use crate::diagnostics::{Diagnostic, FileProblems};

/// How much of the start of a file is read to find the separator in its header.
const HEAD: usize = 1 << 16;

/// How to read a table.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions<'a> {
    /// The cell separator; detected from the header line when `None`.
    pub delimiter: Option<u8>,
    /// The encoding of a CSV file without a byte-order mark; UTF-8 when `None`.
    pub encoding: Option<&'static Encoding>,
    /// The sheet of a spreadsheet; the first when `None`.
    pub sheet: Option<&'a str>,
}

/// The longest row read, in bytes: a row runs to this only when a quote is left open or the
/// file is not CSV, and reading stops there rather than holding the rest of the file in memory.
pub const LONGEST_ROW: u64 = 1 << 20;

/// The most cells a row may have.
pub const WIDEST_ROW: usize = 1_000;

/// Why a row could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum RowError {
    /// A cell whose bytes are not UTF-8 (the encoding is wrong).
    NotUtf8 { line: u64, column: usize },
    /// A cell of a decoded file holding bytes the encoding has no text for (cut short, or in
    /// another encoding), which the decoder turned into U+FFFD.
    NotInEncoding { line: u64, column: usize, encoding: &'static str },
    /// The file is not readable as CSV, or stops being readable.
    Unreadable { line: u64, cause: String },
}

impl RowError {
    /// The line and (0-based) column of the problem.
    pub fn place(&self) -> (u64, Option<usize>) {
        match self {
            RowError::NotUtf8 { line, column } | RowError::NotInEncoding { line, column, .. } => {
                (*line, Some(*column))
            }
            RowError::Unreadable { line, .. } => (*line, None),
        }
    }

    /// What is wrong; `fix` says what to do about text that is not UTF-8.
    pub fn message(&self, fix: &str) -> String {
        match self {
            RowError::NotUtf8 { .. } => format!("holds text that is not UTF-8: {fix}"),
            RowError::NotInEncoding { encoding, .. } => format!(
                "holds bytes that are not valid {encoding}: the file may be cut short, or in another encoding"
            ),
            RowError::Unreadable { cause, .. } => format!("is not readable as CSV: {cause}"),
        }
    }
}

/// The message for a row that an unclosed quote made swallow the rest of its file.
const UNCLOSED_QUOTE: &str = "opens a quoted cell that is never closed, so the rest of the file was read into \
    it: close the quote (or double it, \"\", to write a quote inside a quoted cell)";

/// A problem with the file as a whole.
#[derive(Debug, PartialEq, Eq)]
pub enum TableError {
    Open(String),
    NoSheet {
        wanted: String,
        found: Vec<String>,
    },
    /// Formulas with no result saved in the file, which read as empty cells: the first one's
    /// row and column (from 1) and text, and how many there are.
    UnsavedFormulas {
        row: u64,
        column: u64,
        formula: String,
        count: usize,
    },
}

impl TableError {
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        match self {
            TableError::Open(cause) => {
                Diagnostic::error(file, format!("cannot be read: {cause}")).io()
            }
            TableError::NoSheet { wanted, found } if wanted.is_empty() || found.is_empty() => {
                Diagnostic::error(file, "holds no sheet to read")
            }
            TableError::UnsavedFormulas { row, column, formula, count } => {
                let others = match count - 1 {
                    0 => String::new(),
                    more => {
                        format!(" (and {more} more formula{})", if more == 1 { "" } else { "s" })
                    }
                };
                Diagnostic::error(
                    file,
                    format!(
                        "holds a formula, `={formula}`, with no result saved{others}: the program that wrote the file did not work its formulas out, so they would read as empty cells"
                    ),
                )
                .at(*row, *column, None)
                .with_help("open the file in a spreadsheet program and save it, so that each formula's result is stored, or export the sheet as CSV")
            }
            TableError::NoSheet { wanted, found } => Diagnostic::error(
                file,
                format!(
                    "has no sheet named `{wanted}`: it has {}",
                    found.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
}

/// One row: the line (or spreadsheet row) it starts on, and its cells.
#[derive(Debug, Default)]
pub struct Row {
    pub line: u64,
    pub cells: Cells,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A row's cells, as text: filled in by the CSV reader or from a sheet, or slices of a file
/// read whole, which are not copied.
#[derive(Debug, Clone)]
pub struct Cells(Held);

#[derive(Debug, Clone)]
enum Held {
    Record(csv::StringRecord),
    Slices { text: Arc<String>, bounds: Vec<(usize, usize)> },
}

impl Default for Cells {
    fn default() -> Self {
        Cells(Held::Record(csv::StringRecord::new()))
    }
}

impl Cells {
    pub fn len(&self) -> usize {
        match &self.0 {
            Held::Record(record) => record.len(),
            Held::Slices { bounds, .. } => bounds.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, index: usize) -> Option<&str> {
        match &self.0 {
            Held::Record(record) => record.get(index),
            Held::Slices { text, bounds } => bounds.get(index).map(|&(from, to)| &text[from..to]),
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        (0..self.len()).map(|index| &self[index])
    }

    /// The record for the CSV reader to fill in.
    fn record(&mut self) -> &mut csv::StringRecord {
        if let Held::Slices { .. } = self.0 {
            self.0 = Held::Record(csv::StringRecord::new());
        }
        match &mut self.0 {
            Held::Record(record) => record,
            Held::Slices { .. } => unreachable!("replaced just above"),
        }
    }

    /// The bounds of cells in `text` to fill in, emptied: the slices of the last row are
    /// replaced, and their room kept.
    pub(super) fn slices_of(&mut self, text: &Arc<String>) -> &mut Vec<(usize, usize)> {
        match &mut self.0 {
            Held::Slices { text: held, bounds } if Arc::ptr_eq(held, text) => bounds.clear(),
            _ => self.0 = Held::Slices { text: Arc::clone(text), bounds: Vec::new() },
        }
        match &mut self.0 {
            Held::Slices { bounds, .. } => bounds,
            Held::Record(_) => unreachable!("replaced just above"),
        }
    }
}

impl std::ops::Index<usize> for Cells {
    type Output = str;

    fn index(&self, index: usize) -> &str {
        match self.get(index) {
            Some(cell) => cell,
            None => panic!("no cell {index} in a row of {}", self.len()),
        }
    }
}

impl From<Vec<String>> for Cells {
    fn from(cells: Vec<String>) -> Self {
        Cells(Held::Record(csv::StringRecord::from(cells)))
    }
}

/// What [`Table::next_readable`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Row,
    /// Every row is read.
    End,
    /// Reading stopped at a row that could not be read, already reported.
    Stopped,
}

/// The rows of a CSV file or a sheet, read one at a time.
#[derive(Debug)]
pub enum Table {
    Csv(Box<CsvRows>),
    Plain(PlainRows),
    Sheet(SheetRows),
}

/// Whether a file is a spreadsheet rather than CSV, by its extension.
pub fn is_spreadsheet(path: &Path) -> bool {
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(extension.as_deref(), Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods"))
}

impl Table {
    pub fn open(path: &Path, options: TableOptions) -> Result<Table, TableError> {
        if is_spreadsheet(path) {
            return SheetRows::open(path, options.sheet).map(Table::Sheet);
        }
        CsvRows::open(path, options, LARGEST_READ_WHOLE)
    }

    /// Reads the next row that can be read into `row`, reporting each one that cannot through
    /// `report` (line, column, message; `fix` says what to do about text that is not UTF-8).
    /// A row that cannot be read is passed over once the header is read; before it there is
    /// nothing to read rows by, and a file that stops being CSV has no more rows to give, so
    /// either stops the file.
    pub fn next_readable(
        &mut self,
        row: &mut Row,
        header_read: bool,
        fix: &str,
        mut report: impl FnMut(u64, Option<usize>, String),
    ) -> Next {
        loop {
            match self.next(row) {
                Ok(true) => return Next::Row,
                Ok(false) => return Next::End,
                Err(error) => {
                    let (line, column) = error.place();
                    report(line, column, error.message(fix));
                    if !header_read || matches!(error, RowError::Unreadable { .. }) {
                        return Next::Stopped;
                    }
                }
            }
        }
    }

    /// Reads the next row into `row`; `false` at the end.
    pub fn next(&mut self, row: &mut Row) -> Result<bool, RowError> {
        match self {
            Table::Csv(rows) => rows.next(row),
            Table::Plain(rows) => rows.next(row),
            Table::Sheet(rows) => Ok(rows.next(row)),
        }
    }

    /// Once reading is done, reports a quote that made the rest of the file one cell, at the
    /// row where it opens. It is listed even past the file's limit of problems, since it
    /// explains the problems of the rows it swallowed. When reading stopped early inside a
    /// quoted cell, such as at a header that a quote made one cell, the rest is read to find
    /// out: that quote is most likely what stopped it.
    pub fn report_unclosed_quote(&mut self, problems: &mut FileProblems) {
        if let Table::Csv(rows) = self
            && let Some(line) = rows.unclosed_quote()
        {
            problems.add_always(line, None, UNCLOSED_QUOTE);
        }
    }

    /// Done with the table: its CSV reader is kept for the next file read on this thread.
    pub fn recycle(self) {
        if let Table::Csv(rows) = self {
            rows.recycle();
        }
    }

    /// The cell separator in use.
    pub fn delimiter(&self) -> Option<u8> {
        match self {
            Table::Csv(rows) => Some(rows.delimiter),
            Table::Plain(rows) => Some(rows.delimiter()),
            Table::Sheet(_) => None,
        }
    }
}

/// Watches the bytes the CSV reader reads: follows its quoting, to tell whether the file ends
/// inside a quoted cell, and notes the line ends that the reader's own line count misses.
///
/// The reader numbers a row by the `\n`s before its position, and it places a row just past the
/// line end of the row before: before the `\n` of a CRLF, and before any blank lines. So a
/// row's line is the reader's line plus the `\n`s from its position to its first byte, which
/// lie in a run of line ends other than a lone `\n`, plus every lone `\r` before that byte: a
/// line end of its own in old Mac files, which the reader does not count. Only such runs are
/// noted, which in a file with plain `\n` line ends and no blank lines is none at all.
#[derive(Debug)]
struct Watched<R> {
    inner: R,
    /// The separator of cells, which a quote must follow to open a quoted cell.
    delimiter: u8,
    quoting: Quoting,
    /// The last byte read, which decides whether a quote at the start of the next read opens
    /// a quoted cell; none before the first.
    last_byte: Option<u8>,
    read: u64,
    /// Where the row being read began, and the reader's line there.
    row_start: u64,
    row_start_line: u64,
    /// Runs of line ends (`\r` and `\n`) other than a lone `\n`, read but not yet passed by a
    /// row: where each starts and ends.
    runs: VecDeque<(u64, u64)>,
    /// Where the `\n`s of those runs are.
    run_breaks: VecDeque<u64>,
    /// Where the `\r`s not followed by a `\n` are, not yet passed by a row; and how many were.
    lone_returns: VecDeque<u64>,
    lone_returns_passed: u64,
    /// A run of line ends that reaches the end of the bytes read so far and may go on.
    open: Option<Run>,
    /// Where the file's first line begins.
    first_line: u64,
}

fn is_line_end(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// Where the CSV reader stands with respect to quotes, as far as the bytes read so far go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quoting {
    /// In no quoted cell: a quote opens one only at the start of a cell, and is part of the
    /// text anywhere else.
    Outside,
    /// In a quoted cell, which only a quote can end.
    Quoted,
    /// Just past a quote in a quoted cell: a second quote makes the two one quote of the text;
    /// anything else means the cell's quote was closed.
    Closing,
}

impl Quoting {
    /// Where the reader stands after a quote; `opens_cell` says whether the byte before it
    /// makes it the first byte of a cell.
    fn after_quote(self, opens_cell: bool) -> Quoting {
        match self {
            Quoting::Outside if opens_cell => Quoting::Quoted,
            Quoting::Outside => Quoting::Outside,
            Quoting::Quoted => Quoting::Closing,
            Quoting::Closing => Quoting::Quoted,
        }
    }

    /// Where the reader stands after one or more bytes that are not quotes.
    fn after_other(self) -> Quoting {
        match self {
            Quoting::Closing => Quoting::Outside,
            other => other,
        }
    }
}

/// Whether a quote after `before` (none at the start of the file) is the first byte of a cell.
fn opens_cell(before: Option<u8>, delimiter: u8) -> bool {
    before.is_none_or(|byte| byte == delimiter || is_line_end(byte))
}

/// A run of line ends: where it starts in the file, and where its `\n`s and `\r`s are. Most
/// runs are one CRLF, so two of each are kept inline.
#[derive(Debug)]
struct Run {
    start: u64,
    breaks: SmallVec<[u64; 2]>,
    returns: SmallVec<[u64; 2]>,
}

impl Run {
    fn new(start: u64) -> Run {
        Run { start, breaks: SmallVec::new(), returns: SmallVec::new() }
    }

    /// Takes in `bytes[range]`, all line ends, the bytes starting at `base` in the file.
    fn extend(&mut self, bytes: &[u8], range: std::ops::Range<usize>, base: u64) {
        for i in range {
            let list = if bytes[i] == b'\n' { &mut self.breaks } else { &mut self.returns };
            list.push(base + i as u64);
        }
    }

    /// The `\r`s not followed by a `\n`, as far as the run goes.
    fn lone_returns(&self) -> impl Iterator<Item = u64> + '_ {
        self.returns.iter().copied().filter(|at| self.breaks.binary_search(&(at + 1)).is_err())
    }
}

impl<R> Watched<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        Watched {
            inner,
            delimiter,
            quoting: Quoting::Outside,
            last_byte: None,
            read: 0,
            row_start: 0,
            row_start_line: 1,
            runs: VecDeque::new(),
            run_breaks: VecDeque::new(),
            lone_returns: VecDeque::new(),
            lone_returns_passed: 0,
            open: None,
            first_line: 0,
        }
    }

    /// The line of a row the reader places at byte `offset` on its line `line`.
    fn line_at(&mut self, offset: u64, line: u64) -> u64 {
        let offset = offset.max(self.first_line);
        while self.runs.front().is_some_and(|(_, end)| *end <= offset) {
            self.runs.pop_front();
        }
        while self.run_breaks.front().is_some_and(|at| *at < offset) {
            self.run_breaks.pop_front();
        }
        while self.lone_returns.front().is_some_and(|at| *at < offset) {
            self.lone_returns.pop_front();
            self.lone_returns_passed += 1;
        }
        let line = line + self.lone_returns_passed;
        let end = match (self.runs.front(), &self.open) {
            (Some((start, end)), _) if *start <= offset => *end,
            // A row whose place is not yet passed by the bytes read: the rest is line ends.
            (_, Some(run)) if run.start <= offset => u64::MAX,
            _ => return line,
        };
        // Both lists are in file order, and both count from the row's position to its first byte.
        let skipped = |at: &mut dyn Iterator<Item = u64>| {
            at.take_while(|at| *at < end).filter(|at| *at >= offset).count() as u64
        };
        let open_breaks = self.open.iter().flat_map(|run| run.breaks.iter().copied());
        let open_returns = self.open.iter().flat_map(Run::lone_returns);
        line + skipped(&mut self.run_breaks.iter().copied().chain(open_breaks))
            + skipped(&mut self.lone_returns.iter().copied().chain(open_returns))
    }

    /// The first byte of a row the reader places at byte `offset`, past any blank lines before
    /// it, which are no part of the row; none while the bytes read so far are all line ends.
    fn first_byte(&self, offset: u64) -> Option<u64> {
        let offset = offset.max(self.first_line);
        match self.runs.iter().find(|(_, end)| *end > offset) {
            Some((start, end)) if *start <= offset => Some(*end),
            _ if self.open.as_ref().is_some_and(|run| run.start <= offset) => None,
            _ => Some(offset),
        }
    }

    /// Follows the quoting of bytes just read, and notes their runs of line ends.
    fn watch(&mut self, bytes: &[u8]) {
        self.follow_quotes(bytes);
        let base = self.read;
        let mut from = 0;

        // A run left open by the last read goes on through the line ends this one starts with.
        if let Some(mut run) = self.open.take() {
            let more = bytes.iter().take_while(|b| is_line_end(**b)).count();
            run.extend(bytes, 0..more, base);
            if more == bytes.len() {
                self.open = Some(run);
                return;
            }
            self.close_run(run, base + more as u64);
            from = more;
        }

        // Runs other than a lone `\n` hold a `\r` or two `\n`s in a row; a lone `\n` that
        // starts the file comes before the first row, so it counts too.
        let mut spots: Vec<usize> = memchr::memchr_iter(b'\r', &bytes[from..])
            .chain(memchr::memmem::find_iter(&bytes[from..], b"\n\n"))
            .map(|at| from + at)
            .collect();
        if base == 0 {
            // The CSV reader passes over a byte-order mark at the start, so the file's first
            // line begins after it.
            let first_line = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
            self.first_line = first_line as u64;
            if bytes.get(first_line) == Some(&b'\n') {
                spots.push(first_line);
            }
        }
        if bytes.last().is_some_and(|b| is_line_end(*b)) {
            spots.push(bytes.len() - 1);
        }
        spots.sort_unstable();

        let mut passed = from;
        for spot in spots {
            if spot < passed {
                continue;
            }
            let mut start = spot;
            while start > passed && is_line_end(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = spot;
            while end < bytes.len() && is_line_end(bytes[end]) {
                end += 1;
            }
            let mut run = Run::new(base + start as u64);
            run.extend(bytes, start..end, base);
            if end == bytes.len() {
                self.open = Some(run);
                break;
            }
            self.close_run(run, base + end as u64);
            passed = end;
        }
    }

    /// Moves through the quotes of `bytes` the way the CSV reader does. Only quotes change
    /// anything, and whether one opens a cell depends on the byte before it alone, so the
    /// bytes between quotes are passed over.
    fn follow_quotes(&mut self, bytes: &[u8]) {
        let mark = if self.read == 0 && bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
        let mut at = mark;
        while let Some(found) = memchr::memchr(b'"', &bytes[at..]) {
            let quote = at + found;
            if quote > at {
                self.quoting = self.quoting.after_other();
            }
            let before = if quote == mark { self.last_byte } else { Some(bytes[quote - 1]) };
            self.quoting = self.quoting.after_quote(opens_cell(before, self.delimiter));
            at = quote + 1;
        }
        if at < bytes.len() {
            self.quoting = self.quoting.after_other();
        }
        // A mark the reader passes over leaves the next byte at the start of the file.
        if let Some(last) = bytes[mark..].last() {
            self.last_byte = Some(*last);
        }
    }

    /// Notes a run of line ends, which ends just before `end`, unless it is a lone `\n` after
    /// the file's first line began.
    fn close_run(&mut self, run: Run, end: u64) {
        if end - run.start == 1 && run.breaks.len() == 1 && run.start > self.first_line {
            return;
        }
        self.runs.push_back((run.start, end));
        self.lone_returns.extend(run.lone_returns());
        self.run_breaks.extend(run.breaks);
    }
}

/// A reader is only moved back to its start, just before it is given a new file to read.
impl<R> std::io::Seek for Watched<R> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        match to {
            std::io::SeekFrom::Start(0) => Ok(0),
            _ => {
                Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "only back to the start"))
            }
        }
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.read - self.row_start > LONGEST_ROW
            && self.first_byte(self.row_start).is_some_and(|first| self.read - first > LONGEST_ROW)
        {
            return Err(std::io::Error::other(TooLong));
        }
        let read = self.inner.read(buffer)?;
        let bytes = &buffer[..read];
        self.watch(bytes);
        self.read += read as u64;
        Ok(read)
    }
}

pub(super) fn too_long() -> String {
    format!(
        "the row starting here runs past {} MiB without ending, most likely at a quote that is never closed: close the quote, or check that the file is CSV",
        LONGEST_ROW >> 20
    )
}

pub(super) fn too_wide(cells: usize) -> String {
    format!(
        "the row has {cells} cells, more than the {WIDEST_ROW} a row may have: check the separator"
    )
}

/// The error a watched reader gives once a row has run past [`LONGEST_ROW`].
#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row longer than {} MiB", LONGEST_ROW >> 20)
    }
}

impl std::error::Error for TooLong {}

type CsvReader = csv::Reader<Watched<Box<dyn Read + Send>>>;

std::thread_local! {
    /// A CSV reader each thread keeps between files, with its separator: setting up a reader
    /// builds the parser's tables, which costs about as much as reading a thousand rows.
    static SPARE_READER: std::cell::RefCell<Option<(u8, CsvReader)>> =
        const { std::cell::RefCell::new(None) };
}

pub struct CsvRows {
    reader: CsvReader,
    delimiter: u8,
    last_line: u64,
    /// Whether every row has been read: only then is a quote left open known to be unclosed.
    ended: bool,
    /// The encoding the file is decoded from; `None` for UTF-8, read as it is.
    decoded: Option<&'static str>,
}

impl std::fmt::Debug for CsvRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CsvRows(delimiter {:?}, line {})", self.delimiter as char, self.last_line)
    }
}

impl CsvRows {
    /// The rows of the CSV file at `path`: read whole when it holds at most `largest_whole`
    /// bytes, and then without the CSV reader when it is plain enough; streamed through the
    /// reader otherwise.
    fn open(path: &Path, options: TableOptions, largest_whole: u64) -> Result<Table, TableError> {
        let file = File::open(path).map_err(|e| TableError::Open(e.to_string()))?;
        let size = file.metadata().map_or(u64::MAX, |m| m.len());
        // A byte-order mark always wins; without one, the set encoding (UTF-8 by default). UTF-8
        // passes through undecoded, so that a bad byte is reported rather than replaced.
        let explicit = options.encoding.filter(|e| *e != encoding_rs::UTF_8);
        // Only enough is buffered to see a byte-order mark: reads past it then go straight
        // into the CSV reader's own buffer, rather than through a copy of this one.
        let mut file = BufReader::with_capacity(4, file);
        let start = file.fill_buf().map_err(|e| TableError::Open(e.to_string()))?;
        let utf16 = if start.starts_with(&[0xff, 0xfe]) {
            Some("UTF-16LE")
        } else if start.starts_with(&[0xfe, 0xff]) {
            Some("UTF-16BE")
        } else {
            None
        };
        let utf8_mark = start.starts_with(&[0xef, 0xbb, 0xbf]);
        let decoded = if utf8_mark { None } else { utf16.or(explicit.map(Encoding::name)) };
        if decoded.is_none() && size <= largest_whole {
            if utf8_mark {
                file.consume(3);
            }
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut bytes).map_err(|e| TableError::Open(e.to_string()))?;
            let delimiter = options
                .delimiter
                .unwrap_or_else(|| detect_delimiter(&bytes[..bytes.len().min(HEAD)]));
            return Ok(match PlainRows::new(bytes, delimiter) {
                Ok(rows) => Table::Plain(rows),
                Err(bytes) => {
                    let source = Box::new(std::io::Cursor::new(bytes));
                    Table::Csv(Box::new(CsvRows::from_source(source, delimiter)))
                }
            });
        }
        // A UTF-8 mark wins over the set encoding: a spreadsheet's "CSV UTF-8" is saved so.
        let mut buffered: Box<dyn BufRead + Send> = if decoded.is_none() {
            // Plain UTF-8, by far the most common, is read as it is, without a decoder's copy.
            if utf8_mark {
                file.consume(3);
            }
            Box::new(file)
        } else {
            let decoded = DecodeReaderBytesBuilder::new()
                .encoding(explicit)
                .bom_override(true)
                .utf8_passthru(true)
                .strip_bom(true)
                .build(file);
            Box::new(BufReader::with_capacity(1 << 16, decoded))
        };
        // The start of the file is read ahead to find the separator in the header, then read
        // again as the first rows. It is not cut at the first line break, which may be inside a
        // quoted header cell. It is read ahead also when the separator is set: the CSV reader
        // passes over a second byte-order mark only when its first read holds it whole, as it
        // does for a file read whole.
        let mut head = Vec::new();
        (&mut buffered)
            .take(HEAD as u64)
            .read_to_end(&mut head)
            .map_err(|e| TableError::Open(e.to_string()))?;
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&head));
        let source: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(buffered));
        let mut rows = CsvRows::from_source(source, delimiter);
        rows.decoded = decoded;
        Ok(Table::Csv(Box::new(rows)))
    }

    pub(super) fn from_source(source: Box<dyn Read + Send>, delimiter: u8) -> CsvRows {
        let mut spare = SPARE_READER
            .with(|spare| spare.borrow_mut().take())
            .and_then(|(separator, reader)| (separator == delimiter).then_some(reader));
        // Moving a reader back to its start drops what it had buffered and resets the parser
        // and its count of lines, as for a new reader; then it is given the new file.
        if let Some(reader) = &mut spare
            && reader.seek_raw(std::io::SeekFrom::Start(0), csv::Position::new()).is_err()
        {
            spare = None;
        }
        let reader = match spare {
            Some(mut reader) => {
                *reader.get_mut() = Watched::new(source, delimiter);
                reader
            }
            None => csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .buffer_capacity(1 << 16)
                .delimiter(delimiter)
                .from_reader(Watched::new(source, delimiter)),
        };
        CsvRows { reader, delimiter, last_line: 0, ended: false, decoded: None }
    }

    /// Keeps the reader for the next file this thread reads.
    fn recycle(mut self) {
        // The file is closed now rather than when the reader is next used: a file held open
        // cannot be deleted or replaced on some systems.
        *self.reader.get_mut() = Watched::new(Box::new(std::io::empty()), self.delimiter);
        SPARE_READER.with(|spare| *spare.borrow_mut() = Some((self.delimiter, self.reader)));
    }

    pub(super) fn next(&mut self, row: &mut Row) -> Result<bool, RowError> {
        // The row's record is refilled in place, so that reading a row allocates nothing once
        // the first rows are read; its text is checked to be UTF-8 as a whole.
        match self.reader.read_record(row.cells.record()) {
            Ok(true) => {}
            Ok(false) => {
                self.ended = true;
                return Ok(false);
            }
            Err(error) => {
                let watched = self.reader.get_mut();
                let line = match error.position() {
                    Some(position) => watched.line_at(position.byte(), position.line()),
                    None => watched.line_at(watched.row_start, watched.row_start_line),
                };
                return Err(match error.kind() {
                    csv::ErrorKind::Utf8 { err, .. } => {
                        let after = self.reader.position().clone();
                        let watched = self.reader.get_mut();
                        watched.row_start = after.byte();
                        watched.row_start_line = after.line();
                        self.last_line = line;
                        RowError::NotUtf8 { line, column: err.field() }
                    }
                    csv::ErrorKind::Io(cause)
                        if cause.get_ref().is_some_and(|e| e.is::<TooLong>()) =>
                    {
                        RowError::Unreadable { line, cause: too_long() }
                    }
                    _ => RowError::Unreadable { line, cause: error.to_string() },
                });
            }
        }
        let after = self.reader.position().clone();
        let next_row = after.byte();
        let (offset, line) =
            row.cells.record().position().map_or((0, 1), |at| (at.byte(), at.line()));
        let watched = self.reader.get_mut();
        watched.row_start = next_row;
        watched.row_start_line = after.line();
        row.line = watched.line_at(offset, line);
        self.last_line = row.line;
        // The reader stops a row that runs far past the limit before it is held whole; a row
        // that ended within a buffer of it is refused here, so the limit is exact. Blank lines
        // before the row are no part of it, and are looked for only when they might matter.
        if next_row - offset > LONGEST_ROW
            && next_row - watched.first_byte(offset).unwrap_or(next_row) > LONGEST_ROW
        {
            return Err(RowError::Unreadable { line: row.line, cause: too_long() });
        }
        // A decoder writes U+FFFD for bytes it has no text for, which would pass as text.
        if let Some(encoding) = self.decoded
            && let Some(column) = row.cells.iter().position(|cell| cell.contains('\u{fffd}'))
        {
            return Err(RowError::NotInEncoding { line: row.line, column, encoding });
        }
        if row.cells.len() > WIDEST_ROW {
            return Err(RowError::Unreadable { line: row.line, cause: too_wide(row.cells.len()) });
        }
        Ok(true)
    }

    /// An opening quote that is never closed makes the rest of the file one cell of the last
    /// row, which the CSV reader accepts without complaint: the file then ends inside a quoted
    /// cell. Known only once every row is read: a file left before its end may close the quote
    /// in the part not read.
    fn unclosed_quote(&mut self) -> Option<u64> {
        let quoted = |rows: &CsvRows| rows.reader.get_ref().quoting == Quoting::Quoted;
        if !self.ended && quoted(self) {
            let mut row = Row::default();
            loop {
                match self.next(&mut row) {
                    Ok(false) | Err(RowError::Unreadable { .. }) => break,
                    Ok(true) | Err(RowError::NotUtf8 { .. } | RowError::NotInEncoding { .. }) => {}
                }
            }
        }
        (self.ended && quoted(self)).then_some(self.last_line)
    }
}

/// The separator used most in the header line, outside quotes: comma, semicolon, tab or bar.
pub fn detect_delimiter(start: &[u8]) -> u8 {
    // The reader passes over blank lines before the header, and so does this.
    let start = &start[start.iter().take_while(|b| is_line_end(**b)).count()..];
    // On a tie the comma wins, being first.
    [b',', b';', b'\t', b'|']
        .into_iter()
        .map(|separator| (separator, separators_in_header(start, separator)))
        .fold((b',', 0), |best, (c, n)| if n > best.1 { (c, n) } else { best })
        .0
}

/// How many times `separator` separates the cells of the first line of `start`, read the way
/// the CSV reader would read it with that separator: a quote opens a quoted cell only at the
/// start of a cell, and a line break inside one does not end the line.
fn separators_in_header(start: &[u8], separator: u8) -> usize {
    let mut count = 0;
    let mut quoting = Quoting::Outside;
    let mut before = None;
    for &byte in start {
        quoting = if byte == b'"' {
            quoting.after_quote(opens_cell(before, separator))
        } else {
            quoting.after_other()
        };
        before = Some(byte);
        if quoting == Quoting::Outside && is_line_end(byte) {
            break;
        }
        if quoting == Quoting::Outside && byte == separator {
            count += 1;
        }
    }
    count
}

/// A sheet, read whole: spreadsheet files hold at most about a million rows, and the reader
/// has no streaming mode.
#[derive(Debug)]
pub struct SheetRows {
    rows: Vec<(u64, Vec<String>)>,
    next: usize,
}

impl SheetRows {
    fn open(path: &Path, sheet: Option<&str>) -> Result<SheetRows, TableError> {
        let mut workbook =
            calamine::open_workbook_auto(path).map_err(|e| TableError::Open(e.to_string()))?;
        let names = workbook.sheet_names();
        let name = match sheet {
            Some(wanted) if names.iter().any(|n| n == wanted) => wanted.to_owned(),
            Some(wanted) => {
                return Err(TableError::NoSheet { wanted: wanted.to_owned(), found: names });
            }
            None => names
                .first()
                .cloned()
                .ok_or_else(|| TableError::NoSheet { wanted: String::new(), found: Vec::new() })?,
        };
        let range = workbook.worksheet_range(&name).map_err(|e| TableError::Open(e.to_string()))?;
        // A file written by a script may hold formulas with no result saved. They read as empty
        // cells, and a KPI measured by them would go missing and owe credits.
        let formulas = workbook.worksheet_formula(&name).unwrap_or_default();
        if let Some(unsaved) = unsaved_formulas(&range, &formulas) {
            return Err(unsaved);
        }
        // The sheet's used range may start past A1. Its rows are numbered from where it starts,
        // and cells before its first column are read as empty, as in a CSV export of the sheet,
        // so that a problem names the sheet's own row and column.
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let before = usize::try_from(first_column).unwrap_or(0);
        let rows = range
            .rows()
            .enumerate()
            .map(|(index, cells)| {
                let line = u64::from(first_row) + index as u64 + 1;
                let empty = std::iter::repeat_n(String::new(), before);
                (line, empty.chain(cells.iter().map(cell_text)).collect())
            })
            .collect();
        Ok(SheetRows { rows, next: 0 })
    }

    fn next(&mut self, row: &mut Row) -> bool {
        let Some((line, cells)) = self.rows.get_mut(self.next) else { return false };
        self.next += 1;
        row.line = *line;
        row.cells = Cells::from(std::mem::take(cells));
        true
    }
}

/// The formulas of a sheet that have no result saved beside them, if there are any.
fn unsaved_formulas(
    values: &calamine::Range<Data>,
    formulas: &calamine::Range<String>,
) -> Option<TableError> {
    // Both ranges count their cells from where each starts.
    let start = |range: Option<(u32, u32)>| range.map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let (top, left) = start(formulas.start());
    let (values_top, values_left) = start(values.start());
    let mut unsaved = formulas.used_cells().filter(|(_, _, formula)| !formula.is_empty()).filter(
        |(row, column, _)| {
            let at =
                (top + row).checked_sub(values_top).zip((left + column).checked_sub(values_left));
            matches!(at.and_then(|at| values.get(at)), None | Some(Data::Empty))
        },
    );
    let (row, column, formula) = unsaved.next()?;
    Some(TableError::UnsavedFormulas {
        row: (top + row) as u64 + 1,
        column: (left + column) as u64 + 1,
        formula: crate::load::values::shorten(formula),
        count: 1 + unsaved.count(),
    })
}

/// A spreadsheet cell as the text a CSV export would hold: dates in ISO form, durations as
/// `H:MM:SS`, errors as the spreadsheet shows them (`#DIV/0!`).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => if *value { "TRUE" } else { "FALSE" }.to_owned(),
        Data::Error(error) => error.to_string(),
        // A time of day without a date (a value below one day) is how a spreadsheet writes
        // a duration under the `h:mm:ss` and `mm:ss` formats.
        Data::DateTime(moment) if moment.is_duration() || (0.0..1.0).contains(&moment.as_f64()) => {
            // The value is a count of days; whole seconds are what a sheet shows.
            #[allow(clippy::cast_possible_truncation, reason = "a duration in seconds fits an i64")]
            let seconds = (moment.as_f64() * 86_400.0).round() as i64;
            let (sign, seconds) = if seconds < 0 { ("-", -seconds) } else { ("", seconds) };
            format!("{sign}{}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
        }
        // In full, even at midnight: a date alone could be taken for one in another order.
        Data::DateTime(moment) => moment
            .as_datetime()
            .map_or_else(String::new, |at| at.format(crate::load::dates::SHEET_DATE).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<u64> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        let mut table = Table::open(file.path(), TableOptions::default()).unwrap();
        let mut row = Row::default();
        let mut lines = Vec::new();
        while table.next(&mut row).unwrap() {
            lines.push(row.line);
        }
        lines
    }

    #[test]
    fn blank_lines_before_a_row_are_no_part_of_its_length() {
        for blank in ["\n", "\r\n", "\r"] {
            let blanks = blank.repeat(1_300_000);
            let text = format!("h,v\n{blanks}a,1\n");
            assert_eq!(lines(&text), [1, 1_300_002], "{blank:?}");
        }
        let long =
            format!("h,v\n\n\n{},1\n", "x".repeat(usize::try_from(LONGEST_ROW).unwrap() + 1));
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), long).unwrap();
        let mut table = Table::open(file.path(), TableOptions::default()).unwrap();
        let mut row = Row::default();
        assert!(table.next(&mut row).unwrap());
        assert!(matches!(table.next(&mut row), Err(RowError::Unreadable { line: 4, .. })));
    }

    #[test]
    fn rows_are_numbered_by_their_line_whatever_the_line_ends() {
        assert_eq!(lines("h,v\na,1\nb,2\n"), [1, 2, 3]);
        assert_eq!(lines("h,v\r\na,1\r\nb,2\r\n"), [1, 2, 3]);
        assert_eq!(lines("h,v\r\n\"x\r\ny\",1\r\nb,2\r\n"), [1, 2, 4]);
        assert_eq!(lines("h,v\n\na,1\n"), [1, 3], "a blank line still counts");
        assert_eq!(lines("h,v\n\n\na,1\r\n\r\n\r\nb,2"), [1, 4, 7], "so do several");
        assert_eq!(lines("\r\n\nh,v\r\n\"x\n\n\",1\n\n"), [3, 4], "before the header too");
        assert_eq!(lines("\u{feff}\u{feff}\nh,v\na,1\n"), [2, 3], "after a second byte-order mark");
        assert_eq!(lines("h,v\ra,1\rb,2\r"), [1, 2, 3], "a lone CR ends a line, as on old Macs");
        assert_eq!(lines("h,v\r\ra,1\r\n\rb,2\n\"x\ry\",3"), [1, 3, 5, 6], "in any mix");
    }

    /// Gives its bytes a few at a time, so that runs of line ends fall across reads.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buffer.len()).min(self.bytes.len() - self.at);
            buffer[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    proptest::proptest! {
        #[test]
        fn every_row_is_placed_on_the_line_its_first_byte_is_on(
            lead in proptest::sample::select(vec!["", "\n", "\r\n", "\n\n", "\r\n\r\n"]),
            rows in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["a", "bb,1", "\"q\nr\",2", "\"\r\n\",3", "\"s\n\n\"", ",4"]),
                    proptest::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\n\r\n", "\n\n\n"]),
                ),
                1..40,
            ),
            last_end in proptest::bool::ANY,
            step in 1usize..9,
        ) {
            let mut text = lead.to_owned();
            let mut expected = Vec::new();
            // Lines end at CRLF, at a lone LF and at a lone CR.
            let line_of_end = |text: &str| {
                let ends = text.replace("\r\n", "\n");
                1 + ends.bytes().filter(|b| matches!(b, b'\n' | b'\r')).count() as u64
            };
            for (i, (cells, end)) in rows.iter().enumerate() {
                expected.push(line_of_end(&text));
                text.push_str(cells);
                if last_end || i + 1 < rows.len() {
                    text.push_str(end);
                }
            }
            let source = Trickle { bytes: text.clone().into_bytes(), at: 0, step };
            let mut table = Table::Csv(Box::new(CsvRows::from_source(Box::new(source), b',')));
            let mut row = Row::default();
            let mut found = Vec::new();
            while table.next(&mut row).unwrap() {
                found.push(row.line);
            }
            proptest::prop_assert_eq!(found, expected, "{:?}", text);
        }
    }

    /// Whether the CSV reader ends `bytes` inside a quoted cell, byte by byte after its own
    /// states: the start of a cell, an unquoted cell, a quoted cell, and just past a quote in
    /// one.
    fn ends_quoted(bytes: &[u8]) -> bool {
        #[derive(PartialEq)]
        enum State {
            Start,
            Plain,
            Quoted,
            Quote,
        }
        let mut state = State::Start;
        for byte in bytes {
            let ends_cell = matches!(byte, b',' | b'\n' | b'\r');
            state = match state {
                State::Start if *byte == b'"' => State::Quoted,
                State::Quoted if *byte == b'"' => State::Quote,
                State::Quoted => State::Quoted,
                State::Quote if *byte == b'"' => State::Quoted,
                _ if ends_cell => State::Start,
                _ => State::Plain,
            };
        }
        state == State::Quoted
    }

    proptest::proptest! {
        #[test]
        fn quotes_are_followed_as_the_reader_reads_them(
            marked in proptest::bool::ANY,
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["a", ",", "\"", "\"\"", "\n", "\r", "5\" x"]),
                0..60,
            ),
            step in 1usize..9,
        ) {
            let text = pieces.concat();
            let mut bytes = if marked { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
            bytes.extend_from_slice(text.as_bytes());
            // The reader passes over a byte-order mark only when its first read holds it whole.
            let read_as = if step < 3 { bytes.clone() } else { text.clone().into_bytes() };
            let mut watched = Watched::new(Trickle { bytes, at: 0, step }, b',');
            std::io::copy(&mut watched, &mut std::io::sink()).unwrap();
            proptest::prop_assert_eq!(
                watched.quoting == Quoting::Quoted,
                ends_quoted(&read_as),
                "{:?}",
                text
            );
        }
    }

    /// A row's line and cells, or the place of a row that could not be read.
    type Found = Result<(u64, Vec<String>), (u64, Option<usize>)>;

    /// Every row of the text, read as a file.
    fn read_all(text: &[u8]) -> Vec<Found> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        let mut table = Table::open(file.path(), TableOptions::default()).unwrap();
        let mut row = Row::default();
        let mut found = Vec::new();
        loop {
            match table.next(&mut row) {
                Ok(true) => {
                    found.push(Ok((row.line, row.cells.iter().map(String::from).collect())));
                }
                Ok(false) => break,
                Err(error) => {
                    found.push(Err(error.place()));
                    if matches!(error, RowError::Unreadable { .. }) {
                        break;
                    }
                }
            }
        }
        table.recycle();
        found
    }

    #[test]
    fn a_reader_kept_for_the_next_file_reads_it_as_a_new_one_would() {
        let files: [&[u8]; 5] = [
            b"h,v\r\na,1\r\n\r\nb,\xff\r\nc,3",
            b"\n\nh,v\nd,4\n",
            b"h,v\n\"open,5\nmore\n",
            b"",
            b"\xef\xbb\xbfh,v\ne,\"6\n7\"\nf,8\n",
        ];
        // Each file read after every other one, on this thread, reading the same as when it is
        // the first file the thread reads.
        let first: Vec<_> = files
            .iter()
            .map(|text| std::thread::scope(|s| s.spawn(|| read_all(text)).join().unwrap()))
            .collect();
        for before in files {
            for (text, expected) in files.iter().zip(&first) {
                read_all(before);
                assert_eq!(&read_all(text), expected, "{text:?} after {before:?}");
            }
        }
        assert_eq!(
            first[1],
            vec![Ok((3, vec!["h".into(), "v".into()])), Ok((4, vec!["d".into(), "4".into()]))]
        );
        assert_eq!(first[0][2], Err((4, Some(1))), "the byte that is not UTF-8, placed");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reader_kept_for_the_next_file_holds_no_file_open() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().canonicalize().unwrap().join("export.csv");
        // Only a file too large to be read whole is held open while it is read.
        let rows = usize::try_from(LARGEST_READ_WHOLE).unwrap() / 4;
        std::fs::write(&path, format!("h,v\n{}", "a,\"1\"\n".repeat(rows))).unwrap();
        let held = || {
            std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .any(|target| target == path)
        };
        let mut table = Table::open(&path, TableOptions::default()).unwrap();
        assert!(table.next(&mut Row::default()).unwrap());
        assert!(held(), "the check sees the file while it is read");
        table.recycle();
        assert!(!held());

        std::fs::write(&path, "h,v\na,\"1\"\n").unwrap();
        let table = Table::open(&path, TableOptions::default()).unwrap();
        assert!(!held(), "a smaller file is read whole when it is opened");
        table.recycle();
    }

    #[test]
    fn a_file_reads_the_same_streamed_or_read_whole() {
        let files: [&[u8]; 4] = [
            b"\xef\xbb\xbf\xef\xbb\xbfh,v\na,1\n",
            b"\xef\xbb\xbf\xef\xbb\xbf\r\nh,v\r\na,\"1\"\r\n",
            b"\xef\xbb\xbfh,v\n\nb,\xff\nc,3",
            b"h;v\r\rd;4\n",
        ];
        for text in files {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), text).unwrap();
            let read = |delimiter, largest_whole| {
                let options = TableOptions { delimiter, ..TableOptions::default() };
                let mut table = CsvRows::open(file.path(), options, largest_whole).unwrap();
                let mut row = Row::default();
                let mut found = Vec::new();
                loop {
                    match table.next(&mut row) {
                        Ok(true) => found.push(Ok((
                            row.line,
                            row.cells.iter().map(String::from).collect::<Vec<_>>(),
                        ))),
                        Ok(false) => break,
                        Err(error) => found.push(Err(error)),
                    }
                }
                found
            };
            let streamed = read(None, 0);
            for (delimiter, largest_whole) in
                [(None, u64::MAX), (Some(b','), 0), (Some(b','), u64::MAX)]
            {
                let delimiter =
                    if text.starts_with(b"h;") { delimiter.map(|_| b';') } else { delimiter };
                assert_eq!(
                    read(delimiter, largest_whole),
                    streamed,
                    "{text:?} {delimiter:?} {largest_whole}"
                );
            }
        }
    }

    #[test]
    fn the_delimiter_is_the_one_the_header_uses_most() {
        assert_eq!(detect_delimiter(b"date;vendor;value\n1,5;2,5;3,5"), b';');
        assert_eq!(detect_delimiter(b"date\tvendor\tvalue\n"), b'\t');
        assert_eq!(
            detect_delimiter(b"\"a;b\",c,d\n"),
            b',',
            "separators inside quotes do not count"
        );
        assert_eq!(detect_delimiter(b"date\n"), b',');
        assert_eq!(detect_delimiter(b"a|b|c"), b'|');
        assert_eq!(
            detect_delimiter(b"Monitor 27\";Created;Group\n1;2;3\n"),
            b';',
            "a quote inside a cell opens nothing"
        );
        assert_eq!(
            detect_delimiter(b"\"Created\nat\";Group;Wait\n1;2;3\n"),
            b';',
            "a line break inside a quoted cell does not end the header"
        );
        assert_eq!(detect_delimiter(b"\"a\"\"b;c\",d,e\n"), b',', "nor does a doubled quote");
        assert_eq!(detect_delimiter(b"\r\n\na;b;c\n"), b';', "blank lines before the header");
    }
}
