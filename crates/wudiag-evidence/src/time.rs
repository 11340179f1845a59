//! Timestamps as logs write them: mostly local time without a zone, sometimes with an offset or in UTC.

use jiff::civil::DateTime;
use std::fmt;

/// What is known about the zone of a written time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum TimeZoneHint {
    /// Local time of the machine, offset unknown (CBS.log, DISM.log, WindowsUpdate.log).
    #[default]
    Local,
    /// The time is UTC (IIS logs, WSUS SoftwareDistribution.log, EVTX).
    Utc,
    /// Local time with a known offset from UTC, in minutes east (ReportingEvents.log `+0900`, CMTrace bias).
    Offset(i16),
}

/// When an event happened: the time as written (to the precision written), and UTC where it can be known.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventTime {
    /// The wall-clock time exactly as the source wrote it.
    pub written: DateTime,
    /// The zone the written time is in.
    pub zone: TimeZoneHint,
    /// The same instant in UTC, when the zone is known or the record carries a second, UTC stamp
    /// (CSI lines in CBS.log do).
    pub utc: Option<DateTime>,
}

impl EventTime {
    /// A local time with unknown offset.
    pub const fn local(written: DateTime) -> Self {
        Self {
            written,
            zone: TimeZoneHint::Local,
            utc: None,
        }
    }

    /// A time written in UTC.
    pub const fn utc(written: DateTime) -> Self {
        Self {
            written,
            zone: TimeZoneHint::Utc,
            utc: Some(written),
        }
    }

    /// A local time with a known offset (minutes east of UTC).
    pub fn with_offset(written: DateTime, offset_minutes: i16) -> Self {
        let utc = written
            .checked_sub(jiff::Span::new().minutes(i64::from(offset_minutes)))
            .ok();
        Self {
            written,
            zone: TimeZoneHint::Offset(offset_minutes),
            utc,
        }
    }

    /// Builds a civil time from parts, rejecting impossible dates (`2024-02-30`) instead of panicking.
    pub fn civil(
        year: i16,
        month: i8,
        day: i8,
        hour: i8,
        minute: i8,
        second: i8,
        nanos: i32,
    ) -> Option<DateTime> {
        DateTime::new(year, month, day, hour, minute, second, nanos).ok()
    }

    /// The key used to order events from different sources on one timeline.
    pub const fn sort_key(&self) -> DateTime {
        self.written
    }
}

impl fmt::Display for EventTime {
    /// ISO 8601: `2024-03-12T10:15:12.1234567`, with `Z` or `+09:00` when the zone is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.written)?;
        match self.zone {
            TimeZoneHint::Local => Ok(()),
            TimeZoneHint::Utc => f.write_str("Z"),
            TimeZoneHint::Offset(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                let m = m.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

impl fmt::Debug for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for EventTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_normalise_to_utc() {
        let t = EventTime::with_offset(
            EventTime::civil(2018, 1, 17, 20, 13, 28, 509_000_000).unwrap(),
            540,
        );
        assert_eq!(t.to_string(), "2018-01-17T20:13:28.509+09:00");
        assert_eq!(t.utc.unwrap().to_string(), "2018-01-17T11:13:28.509");
        assert!(EventTime::civil(2024, 2, 30, 0, 0, 0, 0).is_none());
    }
}
