//! Reading a measured value from a cell of a KPI export.

use crate::load::contracts::is_measurable;
use crate::model::LARGEST_VALUE;

/// A plain number, or a percentage such as `97.5%` (read as 97.5).
///
/// Rust's float parser also accepts `NaN`, `inf` and `infinity`; those are no measurement and are
/// refused here, so they can never reach a score or a page.
pub fn parse_number(cell: &str) -> Result<f64, String> {
    let text = cell.trim();
    let number = text.strip_suffix('%').map_or(text, str::trim_end);
    let plain = !number.is_empty()
        && number
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && number.bytes().any(|b| b.is_ascii_digit());
    match number.parse::<f64>() {
        Ok(value) if plain && is_measurable(value) => Ok(value),
        Ok(value) if plain && value.is_finite() => Err(format!(
            "`{}` is too large to be a measurement: at most {LARGEST_VALUE} either way",
            shorten(text)
        )),
        _ => Err(format!(
            "`{}` is not a number: expected a value such as 48, 0.95 or 97.5%",
            shorten(text)
        )),
    }
}

/// One line of text as a page shows it: trimmed, line breaks and tabs as spaces, and control
/// and text-direction characters dropped, so a name cannot hide or reorder what a page says.
pub fn clean_text(text: &str) -> String {
    let spaced: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Long cells are cut in messages so a megabyte of digits does not flood the terminal.
pub fn shorten(text: &str) -> String {
    const LONGEST: usize = 40;
    if text.chars().count() <= LONGEST {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(LONGEST).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_and_percentages() {
        assert_eq!(parse_number("48"), Ok(48.0));
        assert_eq!(parse_number(" -3.25 "), Ok(-3.25));
        assert_eq!(parse_number("97.5%"), Ok(97.5));
        assert_eq!(parse_number("97.5 %"), Ok(97.5));
        assert_eq!(parse_number("1e3"), Ok(1000.0));
    }

    #[test]
    fn non_numbers_are_refused() {
        for bad in ["NaN", "inf", "-infinity", "#DIV/0!", "12 s", "", "%", "1,5", "e", "1e999"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_cleaned_of_control_and_direction_characters() {
        assert_eq!(
            clean_text("  Acme\u{1b}[31m\tSupport\nLtd \u{202e}dlrow "),
            "Acme[31m Support Ltd dlrow"
        );
        assert_eq!(clean_text("a\0b"), "ab");
        assert_eq!(clean_text(" \n "), "");
    }

    #[test]
    fn long_cells_are_shortened_in_messages() {
        let message = parse_number(&"9".repeat(5000).replace('9', "x")).unwrap_err();
        assert!(message.len() < 120, "{message}");
    }
}
