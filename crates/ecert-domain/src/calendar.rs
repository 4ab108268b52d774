//! Calendar days as the registration authority counts them: Asia/Shanghai civil dates.

use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A calendar day in Asia/Shanghai. Every rule of ecert counts whole days in this zone,
/// whatever the time zone of the server or the holder's browser.
pub type Day = Date;

/// The time zone all calendar rules use.
pub fn shanghai() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    // China has had no daylight saving since 1991, so a fixed +08:00 offset is the safe
    // fallback if the bundled database were ever missing the zone.
    ZONE.get_or_init(|| {
        TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
    })
}

/// The Asia/Shanghai calendar day that contains `moment`.
pub fn day_of(moment: Timestamp) -> Day {
    moment.to_zoned_datetime(shanghai().clone()).date()
}

/// The first moment of `day` in Asia/Shanghai.
pub fn start_of(day: Day) -> Timestamp {
    day.to_zoned_datetime(shanghai().clone())
        .map_or(Timestamp::MIN, |zoned| zoned.timestamp())
}

/// Parses a date written strictly as `YYYY-MM-DD`.
pub fn parse_day(text: &str) -> Result<Day, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return Err(format!("\"{text}\" is not a date of the form YYYY-MM-DD"));
    }
    text.parse::<Date>()
        .map_err(|_| format!("\"{text}\" is not a real calendar date"))
}

/// Writes a day the way Chinese certificates print it: `2026年12月01日`.
pub fn chinese(day: Day) -> String {
    format!("{:04}年{:02}月{:02}日", day.year(), day.month(), day.day())
}

/// The day `count` days after `day` (saturating at the calendar's end).
pub fn add_days(day: Day, count: i32) -> Day {
    day.checked_add(count.days()).unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_moment_late_in_the_utc_day_is_already_the_next_day_in_shanghai() {
        let moment: Timestamp = "2026-11-30T16:30:00Z".parse().unwrap();
        assert_eq!(day_of(moment), date(2026, 12, 1));
    }

    #[test]
    fn the_day_starts_at_midnight_shanghai_time() {
        let start = start_of(date(2026, 12, 1));
        assert_eq!(start.to_string(), "2026-11-30T16:00:00Z");
    }

    #[test]
    fn dates_must_be_written_as_year_month_day() {
        assert_eq!(parse_day("2026-12-01"), Ok(date(2026, 12, 1)));
        assert!(parse_day("2026-2-01").is_err());
        assert!(parse_day("2026/12/01").is_err());
        assert!(parse_day("2026-02-30").unwrap_err().contains("not a real"));
    }

    #[test]
    fn chinese_dates_are_zero_padded() {
        assert_eq!(chinese(date(2027, 5, 9)), "2027年05月09日");
    }
}
