//! Reading the dates that inputs write: calendar dates in contracts and settings, ISO dates and
//! date-times in KPI exports.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

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
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a day of the calendar: expected YYYY-MM-DD"))
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
    let trimmed = text.trim();
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
        return Ok(day.and_time(NaiveTime::MIN));
    }

    let time = time.strip_prefix(['T', ' ']).ok_or_else(expected)?;
    let time = strip_offset(time);
    let parsed = ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|format| NaiveTime::parse_from_str(time, format).ok())
        .ok_or_else(expected)?;
    Ok(day.and_time(parsed))
}

/// Drops a trailing `Z`, `+HH:MM`, `-HHMM` or `+HH` from a time of day.
fn strip_offset(time: &str) -> &str {
    if let Some(rest) = time.strip_suffix('Z').or_else(|| time.strip_suffix('z')) {
        return rest;
    }
    let Some(sign) = time.rfind(['+', '-']) else {
        return time;
    };
    let offset = &time[sign + 1..];
    let digits: String = offset.chars().filter(|c| *c != ':').collect();
    let offset_shaped = matches!(digits.len(), 2 | 4) && digits.bytes().all(|b| b.is_ascii_digit());
    if sign >= 5 && offset_shaped { &time[..sign] } else { time }
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
    fn timestamps_reject_other_shapes() {
        for bad in ["03/04/2026", "2026-03-02X09:15", "2026-03-02T25:00", "tomorrow", "2026-02-30"]
        {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
    }
}
