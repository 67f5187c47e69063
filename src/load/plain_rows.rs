//! Reading a CSV file that has no quotes, read whole, without the CSV reader.
//!
//! Most exports quote nothing: every row is one line, every cell runs from one separator to the
//! next. For such a file the CSV reader's work comes down to finding line ends and separators,
//! so that is all this does, with the rows' cells left as slices of the file rather than
//! copied. It gives the same rows, lines and problems as the CSV reader would (the tests hold
//! the two side by side); a file it cannot give them for is left to the CSV reader.

use std::sync::Arc;

use super::tables::{LONGEST_ROW, Row, RowError, WIDEST_ROW, too_long, too_wide};

/// The largest file read whole. A larger one streams through the CSV reader, so that reading
/// holds no more than this much of a file at a time on each thread.
pub const LARGEST_READ_WHOLE: u64 = 8 << 20;

/// The rows of a file read whole, of UTF-8 text with no quotes and no lone `\r`.
pub struct PlainRows {
    text: Arc<String>,
    delimiter: u8,
    /// Where the next row, or the blank lines before it, begins.
    at: usize,
    /// The line `at` is on.
    line: u64,
}

impl std::fmt::Debug for PlainRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlainRows(delimiter {:?}, line {})", self.delimiter as char, self.line)
    }
}

impl PlainRows {
    /// The rows of `bytes` (past any byte-order mark), if the CSV reader would find nothing in
    /// them but lines of cells: no quotes, which could open a cell over several lines, and no
    /// lone `\r`, which the reader takes as a line end of its own. Bytes that are not UTF-8,
    /// and a second byte-order mark, which the reader also passes over, are left to it too,
    /// and so are handed back.
    pub fn new(bytes: Vec<u8>, delimiter: u8) -> Result<PlainRows, Vec<u8>> {
        let plain = memchr::memchr(b'"', &bytes).is_none()
            && !bytes.starts_with(b"\xef\xbb\xbf")
            && memchr::memchr_iter(b'\r', &bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'));
        // A separator that is not ASCII could fall inside a character; a quote or line end as
        // a separator is read by the CSV reader's own rules.
        let separates = delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\n' | b'\r');
        if !plain || !separates {
            return Err(bytes);
        }
        let text = String::from_utf8(bytes).map_err(std::string::FromUtf8Error::into_bytes)?;
        Ok(PlainRows { text: Arc::new(text), delimiter, at: 0, line: 1 })
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Reads the next row into `row`; `false` at the end.
    pub fn next(&mut self, row: &mut Row) -> Result<bool, RowError> {
        let bytes = self.text.as_bytes();

        // Blank lines are no rows, as for the CSV reader; each `\r` is followed by a `\n`.
        while let Some(&byte) = bytes.get(self.at) {
            match byte {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.at += 1;
        }
        if self.at == bytes.len() {
            return Ok(false);
        }

        let start = self.at;
        let (end, next) = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(found) => (start + found, start + found + 1),
            None => (bytes.len(), bytes.len()),
        };
        let content = if bytes[start..end].ends_with(b"\r") { end - 1 } else { end };
        row.line = self.line;
        self.at = next;
        if next > end {
            self.line += 1;
        }

        // Measured as the CSV reader measures a row: to just past the first byte of its line
        // end, where it places the next row.
        let length = (content - start + usize::from(content < bytes.len())) as u64;
        if length > LONGEST_ROW {
            return Err(RowError::Unreadable { line: row.line, cause: too_long() });
        }
        let bounds = row.cells.slices_of(&self.text);
        let mut from = start;
        for separator in memchr::memchr_iter(self.delimiter, &bytes[start..content]) {
            bounds.push((from, start + separator));
            from = start + separator + 1;
        }
        bounds.push((from, content));
        if bounds.len() > WIDEST_ROW {
            return Err(RowError::Unreadable { line: row.line, cause: too_wide(bounds.len()) });
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tables::CsvRows;

    /// What a reader gives for each row until it stops: the line and cells, or the problem.
    type Read = Vec<Result<(u64, Vec<String>), RowError>>;

    fn read(mut next: impl FnMut(&mut Row) -> Result<bool, RowError>) -> Read {
        let mut row = Row::default();
        let mut found = Vec::new();
        loop {
            match next(&mut row) {
                Ok(true) => {
                    found.push(Ok((row.line, row.cells.iter().map(String::from).collect())));
                }
                Ok(false) => break,
                Err(error) => {
                    let stops = matches!(error, RowError::Unreadable { .. });
                    found.push(Err(error));
                    if stops {
                        break;
                    }
                }
            }
        }
        found
    }

    fn by_csv_reader(bytes: &[u8], delimiter: u8) -> Read {
        let source = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let mut rows = CsvRows::from_source(source, delimiter);
        read(|row| rows.next(row))
    }

    fn plainly(bytes: &[u8], delimiter: u8) -> Read {
        let Ok(mut rows) = PlainRows::new(bytes.to_vec(), delimiter) else {
            panic!("{bytes:?} is taken as plain");
        };
        read(|row| rows.next(row))
    }

    #[test]
    fn rows_are_lines_and_cells_run_between_separators() {
        let text = b"\r\n\ndate;value\r\nJan;1\r\n\r\n;\n  \nlast;";
        let expected: Read = vec![
            Ok((3, vec!["date".into(), "value".into()])),
            Ok((4, vec!["Jan".into(), "1".into()])),
            Ok((6, vec![String::new(), String::new()])),
            Ok((7, vec!["  ".into()])),
            Ok((8, vec!["last".into(), String::new()])),
        ];
        assert_eq!(plainly(text, b';'), expected);
        assert_eq!(by_csv_reader(text, b';'), expected);
    }

    #[test]
    fn text_the_csv_reader_reads_otherwise_is_left_to_it() {
        for text in
            [&b"a,\"b\"\n"[..], b"a,5\" x\n", b"a\rb\n", b"a\r", b"a,\xff\n", b"\xef\xbb\xbfa\n"]
        {
            assert!(PlainRows::new(text.to_vec(), b',').is_err(), "{text:?}");
        }
        assert!(PlainRows::new(b"a\r\nb\n".to_vec(), b',').is_ok());
    }

    #[test]
    fn a_row_is_too_long_where_the_csv_reader_finds_it_so() {
        let longest = usize::try_from(LONGEST_ROW).unwrap();
        for cells in [longest - 1, longest, longest + 1] {
            for (end, then) in [("", ""), ("\n", "b,2"), ("\r\n", "b,2\r\n"), ("\n\n", "")] {
                let text = format!("h,v\n\n{}{end}{then}", "x".repeat(cells));
                let plain = plainly(text.as_bytes(), b',');
                assert_eq!(plain, by_csv_reader(text.as_bytes(), b','), "{cells} {end:?}");
                // A row's line end counts, up to the first byte of it.
                let too_long = cells + usize::from(!end.is_empty()) > longest;
                assert_eq!(plain[1].is_err(), too_long, "{cells} {end:?}");
                assert_eq!(plain.len(), if too_long || then.is_empty() { 2 } else { 3 });
            }
        }
    }

    #[test]
    fn a_row_is_too_wide_where_the_csv_reader_finds_it_so() {
        for cells in [WIDEST_ROW, WIDEST_ROW + 1] {
            let text = format!("h\n{}\nb\n", vec!["1"; cells].join(","));
            let plain = plainly(text.as_bytes(), b',');
            assert_eq!(plain, by_csv_reader(text.as_bytes(), b','));
            assert_eq!(plain.len(), if cells > WIDEST_ROW { 2 } else { 3 });
        }
    }

    proptest::proptest! {
        #[test]
        fn rows_read_plainly_are_the_rows_the_csv_reader_reads(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "7.5", ",", ";", "\t", " ", "\n", "\r\n", "\n\n", "é", "€ 1", "\u{feff}", "x|y",
                ]),
                0..80,
            ),
            delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'|']),
        ) {
            // A byte-order mark at the start is left to the CSV reader, which passes over it.
            let text = pieces.concat().trim_start_matches('\u{feff}').to_owned();
            proptest::prop_assert_eq!(
                plainly(text.as_bytes(), delimiter),
                by_csv_reader(text.as_bytes(), delimiter),
                "{:?}",
                text
            );
        }
    }
}
