//! Endorsement (加注): the usage period it grants and the conditions it needs, in order.

use serde::Serialize;

use crate::calendar::{self, Day};
use crate::registration::{Registration, RegistrationStatus};

/// Calendar days in a usage period, counting the day of endorsement.
pub const USAGE_DAYS: i32 = 180;

/// The usage period (使用有效期) a file is in force for: whole Asia/Shanghai days, both ends
/// included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct UsagePeriod {
    /// The day of endorsement.
    pub first_day: Day,
    /// The last day the file is in force.
    pub last_day: Day,
}

impl UsagePeriod {
    /// The period granted by endorsing on `day`: 180 days counting that day, cut short at the
    /// registration's last valid day.
    pub fn endorsed_on(day: Day, registration_valid_until: Day) -> Self {
        let full = calendar::add_days(day, USAGE_DAYS - 1);
        Self {
            first_day: day,
            last_day: full.min(registration_valid_until),
        }
    }

    /// Whether `day` lies inside the period.
    pub fn contains(&self, day: Day) -> bool {
        self.first_day <= day && day <= self.last_day
    }

    /// The period as printed: `使用有效期：2026年12月01日至2027年05月29日`.
    pub fn printed(&self) -> String {
        format!(
            "使用有效期：{}至{}",
            calendar::chinese(self.first_day),
            calendar::chinese(self.last_day)
        )
    }
}

/// What ecert knows about a holder's request to endorse, gathered before deciding.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is one precondition of the product rules, checked in order"
)]
pub struct EndorsementCheck<'a> {
    /// The registration behind the certificate.
    pub registration: &'a Registration,
    /// Whether the authority has reported (上报) the record to the ministry.
    pub reported: bool,
    /// Whether a photo (免冠证件照) is on file.
    pub has_photo: bool,
    /// Whether a signature image (手写签名) is on file.
    pub has_signature: bool,
    /// Whether the holder's account has a bound phone number.
    pub phone_bound: bool,
    /// Whether real-name authentication passed in this browser session.
    pub authenticated: bool,
    /// The latest usage period granted, if any.
    pub current_period: Option<UsagePeriod>,
    /// Today in Asia/Shanghai.
    pub today: Day,
}

/// Why an endorsement is refused, in the order the conditions are checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum EndorsementRefusal {
    /// The registration's validity has ended (证照过期).
    Lapsed {
        /// Its last valid day.
        valid_until: Day,
    },
    /// The registration is suspended, cancelled, revoked or otherwise not valid.
    NotValid {
        /// The status code.
        status: String,
        /// The status in Chinese.
        status_chinese: String,
    },
    /// The record has not reached the ministry (加注失败).
    NotReported,
    /// The photo, the signature image or both are missing.
    MaterialsMissing {
        /// No photo on file.
        photo: bool,
        /// No signature image on file.
        signature: bool,
    },
    /// No phone number is bound to the account.
    PhoneNotBound,
    /// Real-name authentication has not passed in this browser session.
    NotAuthenticated,
}

impl EndorsementRefusal {
    /// The message shown, with the guide's wording where the guide has one.
    pub fn message(&self) -> String {
        match self {
            Self::Lapsed { .. } => "证照过期".into(),
            Self::NotValid { status_chinese, .. } => {
                format!("证照状态为“{status_chinese}”，不能加注")
            }
            Self::NotReported => "加注失败".into(),
            Self::MaterialsMissing { .. } => format!("缺少{}，不能加注", self.missing_materials()),
            Self::PhoneNotBound => "手机号码未绑定，不能加注".into(),
            Self::NotAuthenticated => "尚未完成实名身份认证".into(),
        }
    }

    /// What the holder can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::Lapsed { valid_until } => format!(
                "注册有效期已于{}届满。请申请办理“延续注册”业务，等待审核通过后再加注。",
                calendar::chinese(*valid_until)
            ),
            Self::NotValid { .. } => "请联系注册管理机构了解注册状态。".into(),
            Self::NotReported => {
                "证书信息还未上报到住房和城乡建设部，请等待一段时间后再加注。".into()
            }
            Self::MaterialsMissing { .. } => format!(
                "请前往申报业务系统补充{}，补充后等待 1-2 天再加注。",
                self.missing_materials()
            ),
            Self::PhoneNotBound => "请先绑定手机号码，绑定后再加注。".into(),
            Self::NotAuthenticated => {
                "请使用手机 APP 扫描页面上的二维码，通过人脸识别认证后再加注。".into()
            }
        }
    }

    /// A stable code for logs, the audit log and machines.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Lapsed { .. } => "lapsed",
            Self::NotValid { .. } => "not_valid",
            Self::NotReported => "not_reported",
            Self::MaterialsMissing { .. } => "materials_missing",
            Self::PhoneNotBound => "phone_not_bound",
            Self::NotAuthenticated => "not_authenticated",
        }
    }

    /// Whether the registration authority, not the holder, has to act.
    pub fn is_for_the_authority(&self) -> bool {
        !matches!(self, Self::PhoneNotBound | Self::NotAuthenticated)
    }

    fn missing_materials(&self) -> &'static str {
        match self {
            Self::MaterialsMissing {
                photo: true,
                signature: true,
            } => "免冠证件照和手写签名图像",
            Self::MaterialsMissing { photo: true, .. } => "免冠证件照",
            _ => "手写签名图像",
        }
    }
}

/// The result of an endorsement that passed every condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Endorsement {
    /// A new usage period starts today.
    Granted(UsagePeriod),
    /// The current period still runs: nothing new is needed to download.
    StillRunning(UsagePeriod),
}

impl Endorsement {
    /// The period in force after the endorsement.
    pub fn period(&self) -> UsagePeriod {
        match self {
            Self::Granted(period) | Self::StillRunning(period) => *period,
        }
    }
}

impl EndorsementCheck<'_> {
    /// Endorses, or names the first condition that fails.
    pub fn decide(&self) -> Result<Endorsement, EndorsementRefusal> {
        if let Some(refusal) = self.refusals().into_iter().next() {
            return Err(refusal);
        }
        if let Some(period) = self.current_period.filter(|p| p.contains(self.today)) {
            return Ok(Endorsement::StillRunning(period));
        }
        Ok(Endorsement::Granted(UsagePeriod::endorsed_on(
            self.today,
            self.registration.valid_until,
        )))
    }

    /// Every failing condition, in the order they are checked.
    pub fn refusals(&self) -> Vec<EndorsementRefusal> {
        let mut refusals = Vec::new();
        let status = &self.registration.status;
        if self.registration.is_lapsed_on(self.today) {
            refusals.push(EndorsementRefusal::Lapsed {
                valid_until: self.registration.valid_until,
            });
        } else if *status != RegistrationStatus::Valid {
            refusals.push(EndorsementRefusal::NotValid {
                status: status.to_code_text(),
                status_chinese: status.chinese().to_owned(),
            });
        }
        if !self.reported {
            refusals.push(EndorsementRefusal::NotReported);
        }
        if !self.has_photo || !self.has_signature {
            refusals.push(EndorsementRefusal::MaterialsMissing {
                photo: !self.has_photo,
                signature: !self.has_signature,
            });
        }
        if !self.phone_bound {
            refusals.push(EndorsementRefusal::PhoneNotBound);
        }
        if !self.authenticated {
            refusals.push(EndorsementRefusal::NotAuthenticated);
        }
        refusals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::registration;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn ready(registration: &Registration) -> EndorsementCheck<'_> {
        EndorsementCheck {
            registration,
            reported: true,
            has_photo: true,
            has_signature: true,
            phone_bound: true,
            authenticated: true,
            current_period: None,
            today: date(2026, 6, 1),
        }
    }

    #[test]
    fn endorsing_on_the_first_of_december_runs_to_the_twenty_ninth_of_may() {
        let period = UsagePeriod::endorsed_on(date(2026, 12, 1), date(2028, 12, 31));
        assert_eq!(period.last_day, date(2027, 5, 29));
        assert_eq!(
            period.printed(),
            "使用有效期：2026年12月01日至2027年05月29日"
        );
    }

    #[test]
    fn the_period_ends_with_the_registration_if_that_comes_first() {
        let period = UsagePeriod::endorsed_on(date(2026, 12, 1), date(2027, 1, 15));
        assert_eq!(period.last_day, date(2027, 1, 15));
    }

    #[test]
    fn a_ready_holder_is_granted_a_new_period_starting_today() {
        let registration = registration();
        let outcome = ready(&registration).decide().unwrap();
        assert_eq!(
            outcome,
            Endorsement::Granted(UsagePeriod::endorsed_on(
                date(2026, 6, 1),
                date(2026, 12, 31)
            ))
        );
    }

    #[test]
    fn a_running_period_is_kept_instead_of_a_new_one() {
        let registration = registration();
        let running = UsagePeriod::endorsed_on(date(2026, 5, 1), registration.valid_until);
        let check = EndorsementCheck {
            current_period: Some(running),
            ..ready(&registration)
        };
        assert_eq!(check.decide().unwrap(), Endorsement::StillRunning(running));
    }

    #[test]
    fn an_ended_period_is_replaced_by_a_new_one() {
        let registration = registration();
        let ended = UsagePeriod::endorsed_on(date(2025, 1, 1), registration.valid_until);
        let check = EndorsementCheck {
            current_period: Some(ended),
            ..ready(&registration)
        };
        assert!(matches!(
            check.decide().unwrap(),
            Endorsement::Granted(p) if p.first_day == date(2026, 6, 1)
        ));
    }

    #[test]
    fn a_lapsed_registration_is_refused_with_certificate_expired_and_told_to_renew() {
        let registration = registration();
        let check = EndorsementCheck {
            today: date(2027, 1, 1),
            ..ready(&registration)
        };
        let refusal = check.decide().unwrap_err();
        assert_eq!(refusal.message(), "证照过期");
        assert!(refusal.remedy().contains("延续注册"));
        assert!(refusal.remedy().contains("2026年12月31日"));
    }

    #[test]
    fn an_unreported_record_is_refused_with_endorsement_failed() {
        let registration = registration();
        let refusal = EndorsementCheck {
            reported: false,
            ..ready(&registration)
        }
        .decide()
        .unwrap_err();
        assert_eq!(refusal, EndorsementRefusal::NotReported);
        assert_eq!(refusal.message(), "加注失败");
        assert!(refusal.remedy().contains("上报到住房和城乡建设部"));
    }

    #[test]
    fn missing_materials_are_named() {
        let registration = registration();
        let check = EndorsementCheck {
            has_signature: false,
            ..ready(&registration)
        };
        let refusal = check.decide().unwrap_err();
        assert_eq!(refusal.message(), "缺少手写签名图像，不能加注");
        assert!(refusal.remedy().contains("申报业务系统"));
        let both = EndorsementCheck {
            has_photo: false,
            has_signature: false,
            ..ready(&registration)
        };
        assert_eq!(
            both.decide().unwrap_err().message(),
            "缺少免冠证件照和手写签名图像，不能加注"
        );
    }

    #[test]
    fn an_unbound_phone_is_said_plainly_instead_of_waiting_forever() {
        let registration = registration();
        let refusal = EndorsementCheck {
            phone_bound: false,
            ..ready(&registration)
        }
        .decide()
        .unwrap_err();
        assert_eq!(refusal, EndorsementRefusal::PhoneNotBound);
        assert!(refusal.remedy().contains("绑定手机号码"));
    }

    #[test]
    fn a_revoked_registration_cannot_be_endorsed() {
        let mut registration = registration();
        registration.status = RegistrationStatus::Revoked;
        let refusal = ready(&registration).decide().unwrap_err();
        assert_eq!(refusal.message(), "证照状态为“撤销”，不能加注");
    }

    #[test]
    fn conditions_are_checked_in_the_order_of_the_product_rules() {
        let registration = registration();
        let nothing = EndorsementCheck {
            reported: false,
            has_photo: false,
            has_signature: false,
            phone_bound: false,
            authenticated: false,
            today: date(2027, 3, 1),
            ..ready(&registration)
        };
        let order: Vec<_> = nothing
            .refusals()
            .iter()
            .map(EndorsementRefusal::message)
            .collect();
        assert_eq!(
            order,
            [
                "证照过期",
                "加注失败",
                "缺少免冠证件照和手写签名图像，不能加注",
                "手机号码未绑定，不能加注",
                "尚未完成实名身份认证",
            ]
        );
    }

    proptest! {
        #[test]
        fn a_period_never_exceeds_180_days_nor_the_registration(
            start in 0i32..4000, registration_days in 0i32..1000,
        ) {
            let day = calendar::add_days(date(2024, 1, 1), start);
            let until = calendar::add_days(day, registration_days);
            let period = UsagePeriod::endorsed_on(day, until);
            let length = (period.last_day - period.first_day).get_days() + 1;
            prop_assert!(length <= USAGE_DAYS);
            prop_assert!(period.last_day <= until);
            prop_assert!(length == USAGE_DAYS || period.last_day == until);
            prop_assert!(period.contains(day) && period.contains(period.last_day));
        }
    }
}
