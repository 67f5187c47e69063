//! Reading a measured value from a cell of a KPI export.

use crate::evaluate::rounding::exact_quotient;
use crate::load::contracts::is_measurable;
use crate::model::{DecimalMark, LARGEST_VALUE};

/// A cell without the spaces around it. Most cells have none and are returned as they are,
/// without the full scan for Unicode spaces at both ends.
pub fn trimmed(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// A plain number, or a percentage such as `97.5%` (read as 97.5).
///
/// Rust's float parser also accepts `NaN`, `inf` and `infinity`; those are no measurement and are
/// refused here, so they can never reach a score or a page.
pub fn parse_number(cell: &str) -> Result<f64, String> {
    let text = trimmed(cell);
    let number = text.strip_suffix('%').map_or(text, str::trim_end);
    if let Some(value) = short_decimal(number.as_bytes()) {
        return Ok(value);
    }
    let plain = !number.is_empty()
        && number
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && number.bytes().any(|b| b.is_ascii_digit());
    match number.parse::<f64>() {
        Ok(value) if plain && is_measurable(value) => Ok(value),
        // Digits enough to pass f64's range come back as infinity: too large, not "not a number".
        Ok(value) if plain && !value.is_nan() => Err(format!(
            "`{}` is too large to be a measurement: at most {LARGEST_VALUE} either way",
            shorten(text)
        )),
        _ => Err(format!(
            "`{}` is not a number: expected a value such as 48, 0.95 or 97.5%",
            shorten(text)
        )),
    }
}

/// The value of `-?digits[.digits]` with at most 15 digits, the way nearly every export writes
/// its numbers, read in one pass; `None` for anything else, which the full parser reads.
///
/// Fifteen digits make a whole number below 2^53 and a power of ten of at most 10^15, both exact
/// in an `f64`, so the one division rounds correctly and gives what `str::parse` gives.
fn short_decimal(text: &[u8]) -> Option<f64> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    // Fifteen digits and a point at most; sixteen digits cannot overflow the u64 on the way.
    if digits.len() > 16 {
        return None;
    }
    let mut whole: u64 = 0;
    let mut point = None;
    for (at, byte) in digits.iter().enumerate() {
        match byte {
            b'0'..=b'9' => whole = whole * 10 + u64::from(byte - b'0'),
            b'.' if point.is_none() => point = Some(at),
            _ => return None,
        }
    }
    let count = digits.len() - usize::from(point.is_some());
    if count == 0 || count > 15 {
        return None;
    }
    let decimals = point.map_or(0, |at| digits.len() - at - 1);
    let value = exact_quotient(i128::from(whole), decimals)?;
    Some(if negative { -value } else { value })
}

/// A value read from a raw export: a number in the column's unit, or a duration that carries
/// its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExportValue {
    Number(f64),
    Seconds(f64),
}

/// A cell of a raw export: a plain number, one with thousands separators (`1,234.5`, or
/// `1.234,5` and `1 234,5` with a decimal comma), a percentage (`97.5%`) or a duration
/// (`0:01:23`, `12:05:00`).
pub fn parse_export_value(cell: &str, decimal: DecimalMark) -> Result<ExportValue, String> {
    let text = cell.trim();
    if text.contains(':') {
        return parse_duration(text).map(ExportValue::Seconds);
    }
    let number = text.strip_suffix('%').map_or(text, str::trim_end);
    let (thousands, mark): (&[char], char) = match decimal {
        DecimalMark::Point => (&[',', ' ', '\u{a0}', '\u{202f}', '\''], '.'),
        DecimalMark::Comma => (&['.', ' ', '\u{a0}', '\u{202f}', '\''], ','),
    };
    let (whole, fraction) = number.split_once(mark).map_or((number, None), |(w, f)| (w, Some(f)));
    if !grouped_well(whole, thousands)
        || fraction.is_some_and(|f| f.contains(thousands) || f.contains(mark))
    {
        let hint = match decimal {
            DecimalMark::Point if number.contains(',') => {
                ": with a decimal point, a comma only groups thousands (1,234.5); set `decimal: \",\"` if it is a decimal comma"
            }
            DecimalMark::Comma if number.contains('.') => {
                ": with a decimal comma, a point only groups thousands (1.234,5); remove `decimal` if it is a decimal point"
            }
            _ => "",
        };
        return Err(format!("`{}` is not a number{hint}", shorten(text)));
    }
    let plain: String = whole.chars().filter(|c| !thousands.contains(c)).collect();
    let plain = match fraction {
        Some(fraction) => format!("{plain}.{fraction}"),
        None => plain,
    };
    let suffix = if number.len() < text.len() { "%" } else { "" };
    parse_number(&format!("{plain}{suffix}")).map(ExportValue::Number).map_err(|_| {
        format!(
            "`{}` is not a number: expected a value such as 48, 1,234.5, 97.5% or 0:01:23",
            shorten(text)
        )
    })
}

/// Whether the thousands separators, if any, sit between groups of three digits. A first group
/// that starts with 0 groups nothing: `0,500` is a half written with a decimal comma, not 500.
fn grouped_well(whole: &str, thousands: &[char]) -> bool {
    let digits = whole.trim_start_matches(['-', '+']);
    let groups: Vec<&str> = digits.split(thousands).collect();
    if groups.len() == 1 {
        return true;
    }
    let first = groups[0];
    !first.is_empty()
        && first.len() <= 3
        && !first.starts_with('0')
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
}

/// `H:MM:SS` (hours may run past 24, seconds may have a fraction) as seconds.
fn parse_duration(text: &str) -> Result<f64, String> {
    let expected =
        || format!("`{}` is not a duration: expected H:MM:SS, such as 0:01:23", shorten(text));
    let (sign, rest) = text.strip_prefix('-').map_or((1.0, text), |rest| (-1.0, rest));
    let parts: Vec<&str> = rest.split(':').collect();
    let [hours, minutes, seconds] = parts.as_slice() else {
        let hint = if let [first, second] = parts.as_slice() {
            // Each suggestion in a form this reader takes: minutes and seconds of two digits.
            let two = |part: &str| format!("{:0>2}", shorten(part));
            format!(
                "`{}` is not a duration: write hours, minutes and seconds, such as 0:{}:{} for minutes and seconds or {}:{}:00 for hours and minutes",
                shorten(text),
                two(first),
                two(second),
                shorten(first),
                two(second)
            )
        } else {
            expected()
        };
        return Err(hint);
    };
    let whole = |part: &str, most: u32| {
        part.parse::<u32>().ok().filter(|v| *v < most && part.bytes().all(|b| b.is_ascii_digit()))
    };
    let hours = hours
        .parse::<u64>()
        .ok()
        .filter(|_| !hours.is_empty() && hours.bytes().all(|b| b.is_ascii_digit()));
    let (Some(hours), Some(minutes)) = (hours, whole(minutes, 60).filter(|_| minutes.len() == 2))
    else {
        return Err(expected());
    };
    let (second, fraction) =
        seconds.split_once('.').map_or((*seconds, None), |(s, f)| (s, Some(f)));
    let Some(second) = whole(second, 60).filter(|_| second.len() == 2) else {
        return Err(expected());
    };
    let fraction = match fraction {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("0.{f}").parse::<f64>().unwrap_or(0.0)
        }
        Some(_) => return Err(expected()),
        None => 0.0,
    };
    #[allow(clippy::cast_precision_loss, reason = "hours stay far below 2^52")]
    let total = hours as f64 * 3600.0 + f64::from(minutes) * 60.0 + f64::from(second) + fraction;
    if total > LARGEST_VALUE {
        return Err(expected());
    }
    Ok(sign * total)
}

/// One line of text as a page shows it: trimmed, line breaks and tabs as spaces, and control
/// and text-direction characters dropped, so a name cannot hide or reorder what a page says.
pub fn clean_text(text: &str) -> String {
    let spaced: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let joined = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    // Text of nothing but characters that take no room (a zero-width space, a byte-order mark,
    // a Hangul filler) would show as a blank name: it is as empty as it looks.
    if joined.chars().all(takes_no_room) { String::new() } else { joined }
}

/// A short label, such as a grade's name, as it is shown and compared: cleaned as
/// [`clean_text`], and without characters that take no room, so that two labels that look
/// alike are alike (`\u{200b}D` is `D`).
pub fn label(text: &str) -> String {
    clean_text(text).chars().filter(|c| !takes_no_room(*c)).collect()
}

/// Characters drawn as nothing, though Rust's `char::is_whitespace` does not count them.
pub fn takes_no_room(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
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
    fn the_forms_a_duration_error_suggests_are_read() {
        for (written, minutes_and_seconds, hours_and_minutes) in
            [("1:02", 62.0, 3720.0), ("12:5", 725.0, 43_500.0)]
        {
            let message = parse_duration(written).unwrap_err();
            let suggested: Vec<&str> =
                message.split_whitespace().filter(|word| word.matches(':').count() == 2).collect();
            assert_eq!(suggested.len(), 2, "{message}");
            assert_eq!(parse_duration(suggested[0]), Ok(minutes_and_seconds), "{message}");
            assert_eq!(parse_duration(suggested[1]), Ok(hours_and_minutes), "{message}");
        }
    }

    #[test]
    fn trimmed_cells_lose_every_kind_of_space_around_them() {
        assert_eq!(trimmed("48"), "48");
        assert_eq!(trimmed(" 48\t"), "48");
        assert_eq!(trimmed("\u{a0}97.5%\u{202f}"), "97.5%");
        assert_eq!(trimmed("a b"), "a b");
        assert_eq!(trimmed("  "), "");
        assert_eq!(trimmed(""), "");
        assert_eq!(trimmed("é"), "é");
    }

    #[test]
    fn plain_numbers_and_percentages() {
        assert_eq!(parse_number("48"), Ok(48.0));
        assert_eq!(parse_number(" -3.25 "), Ok(-3.25));
        assert_eq!(parse_number("97.5%"), Ok(97.5));
        assert_eq!(parse_number("97.5 %"), Ok(97.5));
        assert_eq!(parse_number("1e3"), Ok(1000.0));
    }

    #[test]
    fn short_decimals_read_as_the_full_parser_reads_them() {
        for text in [
            "0",
            "-0",
            "5.",
            ".5",
            "90.14",
            "-3.25",
            "0.1",
            "0.3",
            "123456789012345",
            "99999999999999.9",
            "0.00000000000001",
            "1.00000000000000",
            "-.5",
            "007.50",
        ] {
            let fast = short_decimal(text.as_bytes());
            let full = text.parse::<f64>().ok();
            assert_eq!(fast.map(f64::to_bits), full.map(f64::to_bits), "{text}");
        }
        for other in [
            "",
            ".",
            "-",
            "1e3",
            "+5",
            "1.2.3",
            "1,5",
            "1234567890123456",
            "0.000000000000001",
            "5 ",
        ] {
            assert_eq!(short_decimal(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn non_numbers_are_refused() {
        for bad in ["NaN", "inf", "-infinity", "#DIV/0!", "12 s", "", "%", "1,5", "e", "1e999"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn export_values_with_separators_percentages_and_durations() {
        let point = |t: &str| parse_export_value(t, DecimalMark::Point);
        let comma = |t: &str| parse_export_value(t, DecimalMark::Comma);
        assert_eq!(point("1,234.5"), Ok(ExportValue::Number(1234.5)));
        assert_eq!(point("1,234,567"), Ok(ExportValue::Number(1_234_567.0)));
        assert_eq!(point("97.5%"), Ok(ExportValue::Number(97.5)));
        assert_eq!(comma("1.234,5"), Ok(ExportValue::Number(1234.5)));
        assert_eq!(comma("1 234,5"), Ok(ExportValue::Number(1234.5)));
        assert_eq!(comma("97,5 %"), Ok(ExportValue::Number(97.5)));
        assert_eq!(comma("-0,25"), Ok(ExportValue::Number(-0.25)));
        // 0:01:23 is 83 seconds; 12:05:00 is 12 hours 5 minutes.
        assert_eq!(point("0:01:23"), Ok(ExportValue::Seconds(83.0)));
        assert_eq!(point("12:05:00"), Ok(ExportValue::Seconds(43_500.0)));
        assert_eq!(point("00:02:23.5"), Ok(ExportValue::Seconds(143.5)));
    }

    #[test]
    fn export_values_that_are_not_numbers_say_why() {
        assert!(
            parse_export_value("1,5", DecimalMark::Point)
                .unwrap_err()
                .contains("set `decimal: \",\"`")
        );
        assert!(
            parse_export_value("1.5", DecimalMark::Comma).unwrap_err().contains("remove `decimal`")
        );
        for bad in ["12,34.5", "1:23", "0:61:00", "0:01:6", "n/a", "1,2345", ""] {
            assert!(parse_export_value(bad, DecimalMark::Point).is_err(), "{bad}");
        }
        // A leading group of zeros is a decimal mark in the wrong setting, never thousands.
        for (bad, decimal, hint) in [
            ("0,500", DecimalMark::Point, "set `decimal"),
            ("-0,250", DecimalMark::Point, "set `decimal"),
            ("00,250", DecimalMark::Point, "set `decimal"),
            ("0.500", DecimalMark::Comma, "remove `decimal`"),
        ] {
            let error = parse_export_value(bad, decimal).unwrap_err();
            assert!(error.contains(hint), "{bad}: {error}");
        }
        assert_eq!(
            parse_export_value("10,500", DecimalMark::Point),
            Ok(ExportValue::Number(10_500.0))
        );
    }

    #[test]
    fn text_is_cleaned_of_control_and_direction_characters() {
        assert_eq!(
            clean_text("  Acme\u{1b}[31m\tSupport\nLtd \u{202e}dlrow "),
            "Acme[31m Support Ltd dlrow"
        );
        assert_eq!(clean_text("a\0b"), "ab");
        assert_eq!(clean_text(" \n "), "");
        for blank in
            ["\u{200b}", "\u{feff}", "\u{3164}", " \u{200b}\u{2060} ", "\u{fe0f}\u{e0041}\u{17b4}"]
        {
            assert_eq!(clean_text(blank), "", "{blank:?}");
        }
        // A joiner within a name is kept: it draws an emoji sequence, or a script's ligature.
        assert_eq!(
            clean_text("Team \u{1f469}\u{200d}\u{1f4bb}"),
            "Team \u{1f469}\u{200d}\u{1f4bb}"
        );
    }

    #[test]
    fn long_cells_are_shortened_in_messages() {
        let message = parse_number(&"9".repeat(5000).replace('9', "x")).unwrap_err();
        assert!(message.len() < 120, "{message}");
    }
}
