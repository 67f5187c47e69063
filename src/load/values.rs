//! Reading a measured value from a cell of a KPI export.

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
        Ok(value) if plain && value.is_finite() => Ok(value),
        _ => Err(format!(
            "`{}` is not a number: expected a value such as 48, 0.95 or 97.5%",
            shorten(text)
        )),
    }
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
    fn long_cells_are_shortened_in_messages() {
        let message = parse_number(&"9".repeat(5000).replace('9', "x")).unwrap_err();
        assert!(message.len() < 120, "{message}");
    }
}
