//! Whether a certificate file is in force at a moment, or exactly why not.

use jiff::Timestamp;
use serde::Serialize;

use crate::calendar::{self, Day};
use crate::certificate::VersionHistory;
use crate::endorsement::UsagePeriod;
use crate::registration::{Registration, RegistrationStatus};

/// What a certificate file itself says: its version and the usage period printed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedFile {
    /// The certificate version the file shows.
    pub version: u16,
    /// The usage period printed on it.
    pub usage: UsagePeriod,
}

/// What the registry knows now about the registration behind a file.
#[derive(Debug, Clone, Copy)]
pub struct LiveRecord<'a> {
    /// The registration as it stands.
    pub registration: &'a Registration,
    /// The day its current status began, if known.
    pub status_since: Option<Day>,
    /// The certificate's versions.
    pub history: &'a VersionHistory,
}

/// The standing of a file at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// In force; the last day it stays so unless something changes.
    InForce {
        /// The last day in force.
        until: Day,
    },
    /// Not in force, with every reason, the most serious first.
    NotInForce {
        /// The reasons.
        reasons: Vec<NotInForce>,
    },
}

/// One reason a file is not in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotInForce {
    /// The registration was revoked (撤销).
    Revoked {
        /// Since when, if known.
        since: Option<Day>,
    },
    /// The registration was cancelled (注销).
    Cancelled {
        /// Since when, if known.
        since: Option<Day>,
    },
    /// The registration is suspended (暂扣).
    Suspended {
        /// Since when, if known.
        since: Option<Day>,
    },
    /// The registration is withdrawn, transferred out or in another status.
    OtherStatus {
        /// The status code.
        status: String,
        /// The status in Chinese.
        status_chinese: String,
        /// Since when, if known.
        since: Option<Day>,
    },
    /// The registration's validity ended.
    Lapsed {
        /// Its last valid day.
        last_valid_day: Day,
    },
    /// A newer version replaced this file's version (以最新电子证书为准).
    Superseded {
        /// The version now current.
        current_version: u16,
        /// The day this file's version was replaced.
        on: Day,
    },
    /// The registry has no such version.
    UnknownVersion,
    /// The usage period printed on the file has ended.
    UsagePeriodEnded {
        /// Its last day.
        last_day: Day,
    },
    /// The usage period printed on the file has not begun.
    UsagePeriodNotStarted {
        /// Its first day.
        first_day: Day,
    },
}

impl NotInForce {
    /// A sentence for the verification page.
    pub fn chinese(&self) -> String {
        let since = |day: &Option<Day>| {
            day.map(|d| format!("自{}起", calendar::chinese(d)))
                .unwrap_or_default()
        };
        match self {
            Self::Revoked { since: day } => format!("注册已{}撤销", since(day)),
            Self::Cancelled { since: day } => format!("注册已{}注销", since(day)),
            Self::Suspended { since: day } => format!("注册{}暂扣", since(day)),
            Self::OtherStatus {
                status_chinese,
                since: day,
                ..
            } => {
                format!("注册状态{}为“{status_chinese}”", since(day))
            }
            Self::Lapsed { last_valid_day } => {
                format!("注册有效期已于{}届满", calendar::chinese(*last_valid_day))
            }
            Self::Superseded {
                current_version,
                on,
            } => format!(
                "此版本已于{}被第{current_version}版取代，以最新电子证书为准",
                calendar::chinese(*on)
            ),
            Self::UnknownVersion => "登记中没有此版本的电子证书".into(),
            Self::UsagePeriodEnded { last_day } => {
                format!(
                    "使用有效期已于{}届满，需重新加注下载",
                    calendar::chinese(*last_day)
                )
            }
            Self::UsagePeriodNotStarted { first_day } => {
                format!("使用有效期自{}开始", calendar::chinese(*first_day))
            }
        }
    }
}

impl IssuedFile {
    /// The file's standing at `moment`, judged on Asia/Shanghai calendar days.
    pub fn standing_at(&self, live: LiveRecord<'_>, moment: Timestamp) -> Standing {
        let today = calendar::day_of(moment);
        let mut reasons = status_reasons(live, today);
        reasons.extend(self.version_reason(live.history));
        if today > self.usage.last_day {
            reasons.push(NotInForce::UsagePeriodEnded {
                last_day: self.usage.last_day,
            });
        } else if today < self.usage.first_day {
            reasons.push(NotInForce::UsagePeriodNotStarted {
                first_day: self.usage.first_day,
            });
        }
        if reasons.is_empty() {
            let until = self.usage.last_day.min(live.registration.valid_until);
            Standing::InForce { until }
        } else {
            Standing::NotInForce { reasons }
        }
    }

    fn version_reason(&self, history: &VersionHistory) -> Option<NotInForce> {
        let Some(version) = history.version(self.version) else {
            return Some(NotInForce::UnknownVersion);
        };
        let current = history.current().map_or(version.number, |c| c.number);
        version.superseded.map(|replaced| NotInForce::Superseded {
            current_version: current,
            on: calendar::day_of(replaced.at),
        })
    }
}

fn status_reasons(live: LiveRecord<'_>, today: Day) -> Vec<NotInForce> {
    let since = live.status_since;
    let registration = live.registration;
    let mut reasons = Vec::new();
    match &registration.status {
        RegistrationStatus::Valid | RegistrationStatus::Lapsed => {}
        RegistrationStatus::Revoked => reasons.push(NotInForce::Revoked { since }),
        RegistrationStatus::Cancelled => reasons.push(NotInForce::Cancelled { since }),
        RegistrationStatus::Suspended => reasons.push(NotInForce::Suspended { since }),
        other => reasons.push(NotInForce::OtherStatus {
            status: other.to_code_text(),
            status_chinese: other.chinese().to_owned(),
            since,
        }),
    }
    if registration.is_lapsed_on(today) {
        reasons.push(NotInForce::Lapsed {
            last_valid_day: registration.valid_until,
        });
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::PrintedFields;
    use crate::testing::registration;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn noon(day: Day) -> Timestamp {
        calendar::start_of(day) + jiff::SignedDuration::from_hours(12)
    }

    fn history_of(registration: &Registration) -> VersionHistory {
        let mut history = VersionHistory::default();
        history.record(
            PrintedFields::of(registration, "住建部"),
            noon(date(2025, 1, 1)),
        );
        history
    }

    fn file(first_day: Day, registration: &Registration) -> IssuedFile {
        IssuedFile {
            version: 1,
            usage: UsagePeriod::endorsed_on(first_day, registration.valid_until),
        }
    }

    fn standing(
        file: IssuedFile,
        registration: &Registration,
        history: &VersionHistory,
        day: Day,
    ) -> Standing {
        let live = LiveRecord {
            registration,
            status_since: Some(date(2026, 3, 1)),
            history,
        };
        file.standing_at(live, noon(day))
    }

    #[test]
    fn a_fresh_file_is_in_force_through_its_last_usage_day() {
        let registration = registration();
        let history = history_of(&registration);
        let file = file(date(2026, 1, 10), &registration);
        assert_eq!(
            standing(file, &registration, &history, date(2026, 7, 8)),
            Standing::InForce {
                until: date(2026, 7, 8)
            }
        );
        let Standing::NotInForce { reasons } =
            standing(file, &registration, &history, date(2026, 7, 9))
        else {
            panic!("expected not in force");
        };
        assert_eq!(
            reasons,
            [NotInForce::UsagePeriodEnded {
                last_day: date(2026, 7, 8)
            }]
        );
        assert_eq!(
            reasons[0].chinese(),
            "使用有效期已于2026年07月08日届满，需重新加注下载"
        );
    }

    #[test]
    fn a_superseded_file_names_the_current_version_and_the_day() {
        let mut registration = registration();
        let mut history = history_of(&registration);
        registration.employer_name = "新单位".into();
        history.record(
            PrintedFields::of(&registration, "住建部"),
            noon(date(2026, 2, 2)),
        );
        let old = file(date(2026, 1, 10), &registration);
        let Standing::NotInForce { reasons } =
            standing(old, &registration, &history, date(2026, 3, 1))
        else {
            panic!("expected not in force");
        };
        assert_eq!(
            reasons,
            [NotInForce::Superseded {
                current_version: 2,
                on: date(2026, 2, 2)
            }]
        );
        assert!(reasons[0].chinese().contains("以最新电子证书为准"));
    }

    #[test]
    fn a_revoked_registration_is_named_first_with_its_date() {
        let mut registration = registration();
        let history = history_of(&registration);
        registration.status = RegistrationStatus::Revoked;
        let Standing::NotInForce { reasons } = standing(
            file(date(2026, 1, 10), &registration),
            &registration,
            &history,
            date(2026, 4, 1),
        ) else {
            panic!("expected not in force");
        };
        assert_eq!(
            reasons[0],
            NotInForce::Revoked {
                since: Some(date(2026, 3, 1))
            }
        );
        assert_eq!(reasons[0].chinese(), "注册已自2026年03月01日起撤销");
    }

    #[test]
    fn suspension_cancellation_and_lapse_each_have_their_reason() {
        let registration = registration();
        let history = history_of(&registration);
        let f = file(date(2026, 12, 1), &registration);
        let lapsed = standing(f, &registration, &history, date(2027, 1, 1));
        assert!(matches!(
            &lapsed,
            Standing::NotInForce { reasons }
                if reasons[0] == NotInForce::Lapsed { last_valid_day: date(2026, 12, 31) }
        ));
        for (status, expected) in [
            (
                RegistrationStatus::Suspended,
                NotInForce::Suspended {
                    since: Some(date(2026, 3, 1)),
                },
            ),
            (
                RegistrationStatus::Cancelled,
                NotInForce::Cancelled {
                    since: Some(date(2026, 3, 1)),
                },
            ),
        ] {
            let mut changed = registration.clone();
            changed.status = status;
            let result = standing(f, &changed, &history, date(2026, 12, 2));
            assert_eq!(
                result,
                Standing::NotInForce {
                    reasons: vec![expected]
                }
            );
        }
    }

    #[test]
    fn an_unknown_version_is_not_in_force() {
        let registration = registration();
        let history = history_of(&registration);
        let forged = IssuedFile {
            version: 9,
            ..file(date(2026, 1, 10), &registration)
        };
        let result = standing(forged, &registration, &history, date(2026, 2, 1));
        assert_eq!(
            result,
            Standing::NotInForce {
                reasons: vec![NotInForce::UnknownVersion]
            }
        );
    }

    proptest! {
        #[test]
        fn a_valid_current_file_is_in_force_exactly_inside_its_period(
            start in 0i32..700,
            offset in -5i32..200,
        ) {
            let registration = registration();
            let history = history_of(&registration);
            let first = calendar::add_days(date(2025, 1, 1), start);
            let f = file(first, &registration);
            let day = calendar::add_days(first, offset);
            let result = standing(f, &registration, &history, day);
            let in_force = matches!(result, Standing::InForce { .. });
            prop_assert_eq!(in_force, f.usage.contains(day) && day <= registration.valid_until);
        }
    }
}
