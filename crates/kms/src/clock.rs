//! The simulated clock. Time only moves when the user (or a scenario) advances it; nothing reads the wall clock.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A point in simulated time: milliseconds since the Unix epoch, UTC. Serialises as ISO 8601 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify), tsify(type = "string"))]
pub struct Timestamp(pub i64);

pub const SECOND: i64 = 1000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

impl Timestamp {
    /// The default start of a world's clock: 2026-01-01T00:00:00Z.
    pub const DEFAULT_START: Timestamp = Timestamp(1_767_225_600_000);
    /// The last instant ISO 8601 text with a four-digit year can write, 9999-12-31T23:59:59.999Z: the clock never
    /// passes it ([`crate::World::advance`] refuses to), and times computed from it (next rotations) stop there.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999);

    pub fn millis(self) -> i64 {
        self.0
    }
    /// `ms` later, at most [`Timestamp::MAX`].
    pub fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms).min(Timestamp::MAX.0))
    }
    pub fn plus_days(self, days: i64) -> Timestamp {
        self.plus_millis(days.saturating_mul(DAY))
    }
    /// Seconds since the epoch (what `aws:EpochTime` holds).
    pub fn epoch_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
    /// ISO 8601 text, e.g. `2026-01-01T00:00:00Z`.
    pub fn iso(self) -> String {
        kmsim_policy::format_date(self.0)
    }
    /// Parses ISO 8601 text or epoch seconds.
    pub fn parse(text: &str) -> Option<Timestamp> {
        kmsim_policy::parse_date(text).map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an ISO 8601 date-time or epoch seconds")))
    }
}

/// A length of simulated time, written in scenarios as `{"days": 7}`, `{"minutes": 5}` etc. (fields add up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Duration {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub days: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hours: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub minutes: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seconds: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

impl Duration {
    pub fn millis(&self) -> i64 {
        self.days
            .saturating_mul(DAY)
            .saturating_add(self.hours.saturating_mul(HOUR))
            .saturating_add(self.minutes.saturating_mul(MINUTE))
            .saturating_add(self.seconds.saturating_mul(SECOND))
    }
    pub fn from_millis(ms: i64) -> Duration {
        Duration { days: 0, hours: 0, minutes: 0, seconds: ms / SECOND }
    }
}
