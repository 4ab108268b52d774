//! Registrations (注册), their status codes and the events that change them.

use jiff::ToSpan;
use serde::Serialize;

use crate::calendar::Day;
use crate::identifiers::{CreditCode, RegistrationNumber, SealNumber};
use crate::person::{Gender, IdDocument, PersonName};

/// Status of a registration, with the codes of the national e-licence exchange.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum RegistrationStatus {
    /// 01 有效.
    Valid,
    /// 02 暂扣 (suspended).
    Suspended,
    /// 03 撤回 (withdrawn).
    Withdrawn,
    /// 04 注销 (cancelled).
    Cancelled,
    /// 05 过期 (lapsed).
    Lapsed,
    /// 06 迁出 (transferred out).
    TransferredOut,
    /// 07 撤销/吊销 (revoked).
    Revoked,
    /// 99 其他, with the authority's description.
    Other(String),
}

impl RegistrationStatus {
    /// Parses a code; `99` may carry a description after a colon (`99:调出本省`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (code, description) = match text.trim().split_once(':') {
            Some((code, description)) => (code, Some(description.trim())),
            None => (text.trim(), None),
        };
        let status = match (code, description) {
            ("01", None) => Self::Valid,
            ("02", None) => Self::Suspended,
            ("03", None) => Self::Withdrawn,
            ("04", None) => Self::Cancelled,
            ("05", None) => Self::Lapsed,
            ("06", None) => Self::TransferredOut,
            ("07", None) => Self::Revoked,
            ("99", Some(description)) if !description.is_empty() => {
                Self::Other(description.to_owned())
            }
            ("99", _) => return Err("code 99 needs a description, as in 99:调出本省".into()),
            _ => return Err(format!("\"{text}\" is not a status code (01-07 or 99)")),
        };
        Ok(status)
    }

    /// The two-digit code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Valid => "01",
            Self::Suspended => "02",
            Self::Withdrawn => "03",
            Self::Cancelled => "04",
            Self::Lapsed => "05",
            Self::TransferredOut => "06",
            Self::Revoked => "07",
            Self::Other(_) => "99",
        }
    }

    /// The code as stored and imported, with the description for 99.
    pub fn to_code_text(&self) -> String {
        match self {
            Self::Other(description) => format!("99:{description}"),
            other => other.code().to_owned(),
        }
    }

    /// The Chinese word for the status.
    pub fn chinese(&self) -> &str {
        match self {
            Self::Valid => "有效",
            Self::Suspended => "暂扣",
            Self::Withdrawn => "撤回",
            Self::Cancelled => "注销",
            Self::Lapsed => "过期",
            Self::TransferredOut => "迁出",
            Self::Revoked => "撤销",
            Self::Other(description) => description,
        }
    }

    /// Whether no event can follow: cancellation and revocation end a registration.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Cancelled | Self::Revoked)
    }
}

/// A registration as the authority keeps it: the printed facts, the period and the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Registration {
    /// 注册号.
    pub number: RegistrationNumber,
    /// 姓名.
    pub name: PersonName,
    /// 性别.
    pub gender: Gender,
    /// 出生日期.
    pub birth_date: Day,
    /// 身份证件.
    pub id: IdDocument,
    /// 聘用单位 (employer) name.
    pub employer_name: String,
    /// The employer's unified social credit code.
    pub employer_credit_code: CreditCode,
    /// 执业印章号.
    pub seal_number: SealNumber,
    /// First day of the registration's validity.
    pub valid_from: Day,
    /// Last day of the registration's validity.
    pub valid_until: Day,
    /// 发证日期.
    pub issued_on: Day,
    /// The status code.
    pub status: RegistrationStatus,
}

/// Why an event cannot apply to a registration in its current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a registration that is {status} cannot take a {event}")]
pub struct TransitionError {
    /// The status the registration is in.
    pub status: &'static str,
    /// The event refused.
    pub event: &'static str,
}

/// An event in a registration's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegistrationEvent {
    /// 初始注册.
    Initial,
    /// 变更注册: the names of the fields that changed.
    Change {
        /// Field names, as in the import format.
        fields: Vec<String>,
    },
    /// 延续注册: the new last valid day.
    Renewal {
        /// The registration's new last valid day.
        valid_until: Day,
    },
    /// 暂扣.
    Suspension,
    /// Return from suspension (暂扣期满发还).
    Reinstatement,
    /// 注销.
    Cancellation,
    /// 撤销/吊销.
    Revocation,
    /// Any other move between status codes (03, 05, 06, 99).
    StatusChange {
        /// The new status code.
        status: String,
    },
}

impl RegistrationEvent {
    /// A stable name for storage and display.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Change { .. } => "change",
            Self::Renewal { .. } => "renewal",
            Self::Suspension => "suspension",
            Self::Reinstatement => "reinstatement",
            Self::Cancellation => "cancellation",
            Self::Revocation => "revocation",
            Self::StatusChange { .. } => "status_change",
        }
    }

    /// The Chinese name of the event.
    pub fn chinese(&self) -> &'static str {
        match self {
            Self::Initial => "初始注册",
            Self::Change { .. } => "变更注册",
            Self::Renewal { .. } => "延续注册",
            Self::Suspension => "暂扣",
            Self::Reinstatement => "暂扣发还",
            Self::Cancellation => "注销",
            Self::Revocation => "撤销",
            Self::StatusChange { .. } => "状态变更",
        }
    }
}

/// How long one registration period runs, and what a renewal adds.
pub const REGISTRATION_YEARS: i16 = 2;

impl Registration {
    /// Whether the registration has lapsed on `today`: marked lapsed, or past its last day.
    pub fn is_lapsed_on(&self, today: Day) -> bool {
        self.status == RegistrationStatus::Lapsed || today > self.valid_until
    }

    /// The last valid day after a renewal (延续注册): two years after the current one.
    pub fn renewed_until(&self) -> Day {
        self.valid_until
            .checked_add(i64::from(REGISTRATION_YEARS).years())
            .unwrap_or(self.valid_until)
    }

    /// Applies `event` if the current status allows it, returning the changed registration.
    /// A change event carries the changed registration in `changed`.
    pub fn apply(
        &self,
        event: &RegistrationEvent,
        changed: Option<&Self>,
    ) -> Result<Self, TransitionError> {
        self.allows(event)?;
        let mut next = changed.cloned().unwrap_or_else(|| self.clone());
        match event {
            RegistrationEvent::Initial | RegistrationEvent::Change { .. } => {}
            RegistrationEvent::Renewal { valid_until } => {
                next.valid_until = *valid_until;
                if next.status == RegistrationStatus::Lapsed {
                    next.status = RegistrationStatus::Valid;
                }
            }
            RegistrationEvent::Suspension => next.status = RegistrationStatus::Suspended,
            RegistrationEvent::Reinstatement => next.status = RegistrationStatus::Valid,
            RegistrationEvent::Cancellation => next.status = RegistrationStatus::Cancelled,
            RegistrationEvent::Revocation => next.status = RegistrationStatus::Revoked,
            RegistrationEvent::StatusChange { status } => {
                next.status = RegistrationStatus::parse(status).unwrap_or(next.status);
            }
        }
        Ok(next)
    }

    /// Refuses events the status does not allow: nothing follows a cancellation or a
    /// revocation, only a suspended registration is reinstated, and a suspended one cannot
    /// be changed or renewed until it is reinstated.
    fn allows(&self, event: &RegistrationEvent) -> Result<(), TransitionError> {
        use RegistrationEvent as E;
        use RegistrationStatus as S;
        let allowed = match (&self.status, event) {
            (status, _) if status.is_final() => false,
            (_, E::Initial) => false,
            (S::Suspended, event) => {
                matches!(event, E::Reinstatement | E::Cancellation | E::Revocation)
            }
            (_, E::Reinstatement) => false,
            (S::Valid | S::Lapsed, _) => true,
            (_, event) => !matches!(event, E::Change { .. } | E::Suspension),
        };
        if allowed {
            Ok(())
        } else {
            Err(TransitionError {
                status: status_word(&self.status),
                event: event.kind(),
            })
        }
    }

    /// The events that lead from this registration to `next`, in the order they are recorded:
    /// a change of printed facts, a renewal, then a move between status codes.
    pub fn events_towards(&self, next: &Self) -> Vec<RegistrationEvent> {
        let mut events = Vec::new();
        let fields = changed_fields(self, next);
        if !fields.is_empty() {
            events.push(RegistrationEvent::Change { fields });
        }
        if next.valid_until > self.valid_until {
            events.push(RegistrationEvent::Renewal {
                valid_until: next.valid_until,
            });
        }
        if next.status != self.status {
            events.push(status_event(&self.status, &next.status));
        }
        events
    }
}

fn status_event(from: &RegistrationStatus, to: &RegistrationStatus) -> RegistrationEvent {
    match (from, to) {
        (_, RegistrationStatus::Suspended) => RegistrationEvent::Suspension,
        (RegistrationStatus::Suspended, RegistrationStatus::Valid) => {
            RegistrationEvent::Reinstatement
        }
        (_, RegistrationStatus::Cancelled) => RegistrationEvent::Cancellation,
        (_, RegistrationStatus::Revoked) => RegistrationEvent::Revocation,
        (_, status) => RegistrationEvent::StatusChange {
            status: status.to_code_text(),
        },
    }
}

/// The import-format names of the facts that differ, other than validity end and status,
/// which have events of their own.
fn changed_fields(old: &Registration, new: &Registration) -> Vec<String> {
    let checks: [(&str, bool); 10] = [
        ("name", old.name != new.name),
        ("gender", old.gender != new.gender),
        ("birth_date", old.birth_date != new.birth_date),
        ("id_type", old.id.id_type() != new.id.id_type()),
        ("id_number", old.id.number() != new.id.number()),
        ("employer_name", old.employer_name != new.employer_name),
        (
            "employer_credit_code",
            old.employer_credit_code != new.employer_credit_code,
        ),
        ("seal_number", old.seal_number != new.seal_number),
        ("valid_from", old.valid_from != new.valid_from),
        ("issued_on", old.issued_on != new.issued_on),
    ];
    let mut fields: Vec<String> = checks
        .iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| (*name).to_owned())
        .collect();
    if new.valid_until < old.valid_until {
        fields.push("valid_until".to_owned());
    }
    fields
}

fn status_word(status: &RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Valid => "valid",
        RegistrationStatus::Suspended => "suspended",
        RegistrationStatus::Withdrawn => "withdrawn",
        RegistrationStatus::Cancelled => "cancelled",
        RegistrationStatus::Lapsed => "lapsed",
        RegistrationStatus::TransferredOut => "transferred out",
        RegistrationStatus::Revoked => "revoked",
        RegistrationStatus::Other(_) => "in another status",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::registration;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn a_renewal_adds_two_years_to_the_last_valid_day() {
        let mut registration = registration();
        registration.valid_until = date(2026, 12, 31);
        assert_eq!(registration.renewed_until(), date(2028, 12, 31));
    }

    #[test]
    fn a_renewal_from_a_leap_day_ends_on_the_last_day_of_february() {
        let mut registration = registration();
        registration.valid_until = date(2028, 2, 29);
        assert_eq!(registration.renewed_until(), date(2030, 2, 28));
    }

    #[test]
    fn a_renewal_brings_a_lapsed_registration_back_to_valid() {
        let mut lapsed = registration();
        lapsed.status = RegistrationStatus::Lapsed;
        let renewal = RegistrationEvent::Renewal {
            valid_until: lapsed.renewed_until(),
        };
        let renewed = lapsed.apply(&renewal, None).unwrap();
        assert_eq!(renewed.status, RegistrationStatus::Valid);
        assert_eq!(renewed.valid_until, lapsed.renewed_until());
    }

    #[test]
    fn a_suspension_and_its_return_restore_the_valid_status() {
        let valid = registration();
        let suspended = valid.apply(&RegistrationEvent::Suspension, None).unwrap();
        assert_eq!(suspended.status.code(), "02");
        let error = suspended.apply(&RegistrationEvent::Change { fields: vec![] }, None);
        assert_eq!(
            error.unwrap_err().to_string(),
            "a registration that is suspended cannot take a change"
        );
        let back = suspended
            .apply(&RegistrationEvent::Reinstatement, None)
            .unwrap();
        assert_eq!(back.status, RegistrationStatus::Valid);
    }

    #[test]
    fn only_a_suspended_registration_can_be_reinstated() {
        assert!(
            registration()
                .apply(&RegistrationEvent::Reinstatement, None)
                .is_err()
        );
    }

    #[test]
    fn status_codes_read_back_as_written() {
        for code in ["01", "02", "03", "04", "05", "06", "07", "99:调出本省"] {
            assert_eq!(
                RegistrationStatus::parse(code).unwrap().to_code_text(),
                code
            );
        }
        assert!(
            RegistrationStatus::parse("99")
                .unwrap_err()
                .contains("description")
        );
        assert!(RegistrationStatus::parse("08").is_err());
    }

    #[test]
    fn a_new_employer_is_a_change_event_naming_the_field() {
        let old = registration();
        let mut new = old.clone();
        new.employer_name = "另一家设计研究院有限公司".into();
        assert_eq!(
            old.events_towards(&new),
            vec![RegistrationEvent::Change {
                fields: vec!["employer_name".into()]
            }]
        );
    }

    #[test]
    fn an_extended_validity_is_a_renewal_and_a_new_status_its_own_event() {
        let old = registration();
        let mut new = old.clone();
        new.valid_until = old.renewed_until();
        new.status = RegistrationStatus::Revoked;
        let kinds: Vec<_> = old
            .events_towards(&new)
            .iter()
            .map(RegistrationEvent::kind)
            .collect();
        assert_eq!(kinds, ["renewal", "revocation"]);
    }

    fn any_event() -> impl Strategy<Value = RegistrationEvent> {
        prop_oneof![
            Just(RegistrationEvent::Change {
                fields: vec!["employer_name".into()]
            }),
            Just(RegistrationEvent::Renewal {
                valid_until: date(2030, 1, 1)
            }),
            Just(RegistrationEvent::Suspension),
            Just(RegistrationEvent::Reinstatement),
            Just(RegistrationEvent::Cancellation),
            Just(RegistrationEvent::Revocation),
            Just(RegistrationEvent::StatusChange {
                status: "06".into()
            }),
        ]
    }

    proptest! {
        #[test]
        fn nothing_follows_a_cancellation_or_a_revocation(
            events in prop::collection::vec(any_event(), 0..12),
            after in any_event(),
            last in prop_oneof![
                Just(RegistrationEvent::Cancellation),
                Just(RegistrationEvent::Revocation),
            ],
        ) {
            let mut current = registration();
            for event in &events {
                if let Ok(next) = current.apply(event, None) {
                    current = next;
                }
            }
            if let Ok(ended) = current.apply(&last, None) {
                prop_assert!(ended.status.is_final());
                prop_assert!(ended.apply(&after, None).is_err());
            } else {
                prop_assert!(current.status.is_final());
            }
        }

        #[test]
        fn renewals_always_add_exactly_two_years(days in 0i32..20_000) {
            let mut registration = registration();
            registration.valid_until = crate::calendar::add_days(date(2000, 1, 1), days);
            let renewed = registration.renewed_until();
            prop_assert_eq!(renewed.year(), registration.valid_until.year() + 2);
            prop_assert_eq!(renewed.month(), registration.valid_until.month());
        }
    }
}
