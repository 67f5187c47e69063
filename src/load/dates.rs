//! Reading the dates that inputs write: calendar dates in contracts and settings, ISO dates and
//! date-times in KPI exports.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};

use crate::evaluate::periods::Period;

/// A calendar date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(format!("`{text}` is not a date: expected YYYY-MM-DD, such as 2026-03-31"));
    }
    // The shape is checked, so the digits are read as they stand: far quicker than a format
    // string, for the millions of rows an export may hold.
    let digits = |range: std::ops::Range<usize>| {
        text.as_bytes()[range].iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    let year = i32::try_from(digits(0..4)).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, digits(5..7), digits(8..10))
        .ok_or_else(|| format!("`{text}` is not a day of the calendar: expected YYYY-MM-DD"))
}

/// `as_of` in settings: a date, or a month or quarter meaning its last day.
pub fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    if let Some(period) = Period::parse(text.trim()) {
        return Ok(period.last_day());
    }
    parse_date(text).map_err(|_| {
        format!(
            "`{}` is not a date, month or quarter: expected 2026-10-31, 2026-10 or 2026-Q3",
            text.trim()
        )
    })
}

/// A date or date-time in a KPI export, as written: an offset is read but not applied, so a row
/// belongs to the period of the date it shows.
pub fn parse_timestamp(text: &str) -> Result<NaiveDateTime, String> {
    parse_timestamp_offset(text).map(|(at, _)| at)
}

/// An ISO date or date-time as written, and its offset from UTC in seconds when it has one.
pub fn parse_timestamp_offset(text: &str) -> Result<(NaiveDateTime, Option<i32>), String> {
    let trimmed = crate::load::values::trimmed(text);
    let expected = || {
        format!(
            "`{trimmed}` is not an ISO date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, \
             such as 2026-03-02 or 2026-03-02T09:15:00"
        )
    };
    if trimmed.len() < 10 || !trimmed.is_char_boundary(10) {
        return Err(expected());
    }
    let (day, time) = trimmed.split_at(10);
    let day = parse_date(day)
        .map_err(|message| if message.contains("calendar") { message } else { expected() })?;
    if time.is_empty() {
        return Ok((day.and_time(NaiveTime::MIN), None));
    }

    let time = time.strip_prefix(['T', 't', ' ']).ok_or_else(expected)?;
    let (time, offset) = split_offset(time).ok_or_else(expected)?;
    let parsed = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(time, format).ok())
        .ok_or_else(expected)?;
    Ok((day.and_time(parsed), offset))
}

/// Reads the dates of an export's rows. Rows mostly come in date order, so most dates share
/// their year and month with the date before: once a month is read, a date of the same month is
/// read by its day alone. Any other text goes through [`parse_timestamp`], so both answer alike.
#[derive(Debug, Default)]
pub struct Timestamps {
    /// The `YYYY-MM-` of the last date read alone, its month's first day and its days.
    month: Option<([u8; 8], NaiveDate, u32)>,
}

impl Timestamps {
    pub fn read(&mut self, text: &str) -> Result<NaiveDateTime, String> {
        // Ten bytes are the shape of a date alone, `YYYY-MM-DD`, with nothing around it.
        let date_alone = <&[u8; 10]>::try_from(text.as_bytes()).ok();
        if let (Some((prefix, first, days)), Some([head @ .., tens, ones])) =
            (&self.month, date_alone)
            && head == prefix
            && tens.is_ascii_digit()
            && ones.is_ascii_digit()
        {
            let day = u32::from(tens - b'0') * 10 + u32::from(ones - b'0');
            if (1..=*days).contains(&day) {
                let date = *first + Days::new(u64::from(day - 1));
                return Ok(date.and_time(NaiveTime::MIN));
            }
        }

        let at = parse_timestamp(text)?;
        if let Some([head @ .., _, _]) = date_alone {
            let first = at.date().with_day(1).unwrap_or(at.date());
            self.month = Some((*head, first, u32::from(first.num_days_in_month())));
        }
        Ok(at)
    }
}

/// The time between two timestamps of an export, in seconds. When both carry an offset from
/// UTC the offsets are applied, so an interval across a change of clocks is measured as it
/// passed; otherwise the times are taken as written. An error names the end at fault (0 or 1).
pub fn export_interval(
    start: &str,
    end: &str,
    format: Option<&str>,
) -> Result<f64, (usize, String)> {
    let (from, from_offset) = export_instant(start, format).map_err(|m| (0, m))?;
    let (to, to_offset) = export_instant(end, format).map_err(|m| (1, m))?;
    let shift = match (from_offset, to_offset) {
        (Some(from), Some(to)) => i64::from(from) - i64::from(to),
        _ => 0,
    };
    #[allow(clippy::cast_precision_loss, reason = "milliseconds between two dates stay below 2^52")]
    let seconds = (to - from).num_milliseconds() as f64 / 1000.0 + shift as f64;
    Ok(seconds)
}

/// A timestamp of an export and its offset from UTC, if it names one.
fn export_instant(
    cell: &str,
    format: Option<&str>,
) -> Result<(NaiveDateTime, Option<i32>), String> {
    let text = cell.trim();
    if let Some(format) = format
        && let Ok(moment) = chrono::DateTime::parse_from_str(text, format)
    {
        return Ok((moment.naive_local(), Some(moment.offset().local_minus_utc())));
    }
    let at = parse_export_timestamp(text, format)?;
    Ok((at, parse_timestamp_offset(text).ok().and_then(|(_, offset)| offset)))
}

/// How a spreadsheet's date cell is written out for reading.
pub const SHEET_DATE: &str = "%Y-%m-%dT%H:%M:%S";

/// A date or date-time in a raw export: by `format` (a chrono format such as `%d/%m/%Y %H:%M`)
/// when one is set, as an ISO form otherwise. A day/month form without a format is an error
/// that says which format to set.
pub fn parse_export_timestamp(cell: &str, format: Option<&str>) -> Result<NaiveDateTime, String> {
    let text = cell.trim();
    if let Some(format) = format {
        // A spreadsheet's date cells arrive as full ISO date-times, whatever `date_format` says.
        // Only that form is read besides the format: a date alone, such as 2026-05-20 under
        // "%Y-%d-%m", is a row the format does not read, not a date to guess at.
        return NaiveDateTime::parse_from_str(text, format)
            .or_else(|_| {
                NaiveDate::parse_from_str(text, format).map(|d| d.and_time(NaiveTime::MIN))
            })
            .or_else(|error| NaiveDateTime::parse_from_str(text, SHEET_DATE).map_err(|_| error))
            .map_err(|error| {
                format!("`{text}` does not match `date_format` \"{format}\" ({error})")
            });
    }
    parse_timestamp(text).map_err(|iso| match day_month_format(text) {
        Some(Suggestion::Ambiguous(day_first, month_first)) => format!(
            "`{text}` could be read day first or month first: set `date_format` for this source, \
             \"{day_first}\" or \"{month_first}\""
        ),
        Some(Suggestion::Only(format)) => {
            format!("`{text}` is not an ISO date: set `date_format` for this source, \"{format}\"")
        }
        None => iso,
    })
}

enum Suggestion {
    Ambiguous(String, String),
    Only(String),
}

/// The formats that would read a date such as `03/04/2026 09:15`, with `/`, `.` or `-`.
fn day_month_format(text: &str) -> Option<Suggestion> {
    let (date, time) = text.split_once([' ', 'T']).map_or((text, None), |(d, t)| (d, Some(t)));
    let separator = ['/', '.', '-'].into_iter().find(|s| date.contains(*s))?;
    let parts: Vec<&str> = date.split(separator).collect();
    let [first, second, year] = parts.as_slice() else { return None };
    let number = |part: &str| part.parse::<u32>().ok().filter(|_| (1..=2).contains(&part.len()));
    let (first, second) = (number(first)?, number(second)?);
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let clock = match time {
        Some(time) if time.matches(':').count() == 2 => " %H:%M:%S",
        Some(_) => " %H:%M",
        None => "",
    };
    let day_first = format!("%d{separator}%m{separator}%Y{clock}");
    let month_first = format!("%m{separator}%d{separator}%Y{clock}");
    match (first <= 12, second <= 12) {
        (true, true) => Some(Suggestion::Ambiguous(day_first, month_first)),
        (false, true) => Some(Suggestion::Only(day_first)),
        (true, false) => Some(Suggestion::Only(month_first)),
        (false, false) => None,
    }
}

/// Whether `format` is a chrono format that can read a date: it must parse, and name a day.
pub fn check_date_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!(
            "`{format}` is not a date format: use chrono's, such as \"%d/%m/%Y %H:%M\""
        ));
    }
    let names_a_day =
        ["%d", "%e", "%j", "%F", "%D", "%x", "%c", "%+", "%s"].iter().any(|d| format.contains(d));
    if !names_a_day {
        return Err(format!("`{format}` names no day: add one, such as %d"));
    }
    let names_a_year =
        ["%Y", "%y", "%G", "%F", "%D", "%x", "%c", "%+", "%s"].iter().any(|y| format.contains(y));
    if !names_a_year {
        return Err(format!("`{format}` names no year: add one, such as %Y"));
    }
    Ok(())
}

/// Splits a trailing `Z`, `+HH:MM`, `-HHMM` or `+HH` from a time of day, as seconds east of
/// UTC; `None` for an offset out of range such as `+99:99`.
fn split_offset(time: &str) -> Option<(&str, Option<i32>)> {
    if let Some(rest) = time.strip_suffix('Z').or_else(|| time.strip_suffix('z')) {
        return Some((rest, Some(0)));
    }
    let Some(sign) = time.rfind(['+', '-']).filter(|at| *at >= 5) else {
        return Some((time, None));
    };
    let digits: String = time[sign + 1..].chars().filter(|c| *c != ':').collect();
    if !matches!(digits.len(), 2 | 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some((time, None));
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
    if hours > 23 || minutes > 59 {
        return None;
    }
    let east = (hours * 3600 + minutes * 60) * if time.as_bytes()[sign] == b'-' { -1 } else { 1 };
    Some((&time[..sign], Some(east)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn dates_must_exist() {
        assert_eq!(parse_date("2026-03-31"), Ok(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()));
        assert!(parse_date("2026-02-31").unwrap_err().contains("not a day of the calendar"));
        assert!(parse_date("31/03/2026").unwrap_err().contains("expected YYYY-MM-DD"));
        assert!(parse_date("2026-3-31").is_err());
    }

    #[test]
    fn as_of_takes_a_month_or_quarter_as_its_last_day() {
        assert_eq!(parse_as_of("2026-10").unwrap().to_string(), "2026-10-31");
        assert_eq!(parse_as_of("2026-Q3").unwrap().to_string(), "2026-09-30");
        assert_eq!(parse_as_of("2026-10-15").unwrap().to_string(), "2026-10-15");
        assert!(parse_as_of("October").is_err());
    }

    #[test]
    fn timestamps_keep_the_time_as_written() {
        assert_eq!(parse_timestamp("2026-03-02").unwrap(), at("2026-03-02 00:00:00"));
        assert_eq!(parse_timestamp("2026-03-02T09:15:00").unwrap(), at("2026-03-02 09:15:00"));
        assert_eq!(parse_timestamp("2026-03-02 09:15").unwrap(), at("2026-03-02 09:15:00"));
        assert_eq!(
            parse_timestamp("2026-03-31T23:30:00-05:00").unwrap(),
            at("2026-03-31 23:30:00")
        );
        assert_eq!(
            parse_timestamp("2026-03-31T23:30:00.250Z").unwrap().date().to_string(),
            "2026-03-31"
        );
        assert_eq!(parse_timestamp("2026-04-01T00:10:00+0200").unwrap(), at("2026-04-01 00:10:00"));
    }

    #[test]
    fn export_timestamps_follow_the_format_or_say_which_to_set() {
        let day_first = Some("%d/%m/%Y %H:%M");
        assert_eq!(
            parse_export_timestamp("03/04/2026 09:15", day_first).unwrap(),
            at("2026-04-03 09:15:00")
        );
        assert_eq!(
            parse_export_timestamp("03/04/2026", Some("%d/%m/%Y")).unwrap(),
            at("2026-04-03 00:00:00")
        );
        assert_eq!(
            parse_export_timestamp("2026-03-02 09:15:00", None).unwrap(),
            at("2026-03-02 09:15:00")
        );
        let ambiguous = parse_export_timestamp("03/04/2026", None).unwrap_err();
        assert!(
            ambiguous.contains("day first or month first") && ambiguous.contains("\"%d/%m/%Y\""),
            "{ambiguous}"
        );
        let only = parse_export_timestamp("25.04.2026 10:00", None).unwrap_err();
        assert!(only.contains("\"%d.%m.%Y %H:%M\""), "{only}");
        assert!(
            parse_export_timestamp("2026-13-01", day_first).unwrap_err().contains("does not match")
        );
    }

    #[test]
    fn beside_a_format_only_a_spreadsheet_date_is_read_as_iso() {
        let day_before_month = Some("%Y-%d-%m");
        assert_eq!(
            parse_export_timestamp("2026-05-03", day_before_month).unwrap(),
            at("2026-03-05 00:00:00")
        );
        // There is no 20th month: the format does not read it, and it is not guessed at.
        let error = parse_export_timestamp("2026-05-20", day_before_month).unwrap_err();
        assert!(error.contains("does not match `date_format`"), "{error}");
        // A sheet's date cell, written out in full, is read whatever the format.
        assert_eq!(
            parse_export_timestamp("2026-05-20T00:00:00", Some("%d/%m/%Y")).unwrap(),
            at("2026-05-20 00:00:00")
        );
    }

    #[test]
    fn date_formats_are_checked() {
        assert!(check_date_format("%d/%m/%Y %H:%M").is_ok());
        assert!(check_date_format("%Y-%m-%d %H:%M:%S%z").is_ok());
        assert!(check_date_format("%Q").is_err());
        assert!(check_date_format("%H:%M").is_err());
        assert!(check_date_format("%d/%m").is_err());
    }

    #[test]
    fn intervals_apply_offsets_when_both_ends_have_one() {
        // 28 March 12:00 CET to 30 March 12:00 CEST is 47 hours, across the change of clocks.
        let interval = |a, b| export_interval(a, b, None);
        assert_eq!(
            interval("2026-03-28T12:00:00+01:00", "2026-03-30T12:00:00+02:00"),
            Ok(47.0 * 3600.0)
        );
        // 23:30 at -05:00 is 04:30 UTC; 06:00 at +01:00 is 05:00 UTC: 30 minutes.
        assert_eq!(interval("2026-01-31T23:30:00-05:00", "2026-02-01T06:00:00+01:00"), Ok(1800.0));
        assert_eq!(interval("2026-01-05 08:00", "2026-01-05 14:00"), Ok(6.0 * 3600.0));
        assert!(parse_timestamp("2026-01-05T08:00:00+99:99").is_err());
    }

    #[test]
    fn dates_read_by_their_day_answer_as_a_full_read_does() {
        let mut dates = Timestamps::default();
        let texts = [
            "2024-02-01",
            "2024-02-29",
            "2024-02-30",
            "2024-02-00",
            "2024-02-1x",
            "2024-02-28",
            "2023-02-29",
            "2024-02-05T10:00",
            " 2024-02-06",
            "2024-02-07 ",
            "2024-03-31",
            "2024-03-32",
            "2024-02-15",
            "2024-12-31",
            "2025-01-01",
            "2024-02-\u{e9}",
        ];
        for text in texts {
            assert_eq!(dates.read(text), parse_timestamp(text), "{text}");
        }
    }

    #[test]
    fn timestamps_reject_other_shapes() {
        for bad in ["03/04/2026", "2026-03-02X09:15", "2026-03-02T25:00", "tomorrow", "2026-02-30"]
        {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }
}
