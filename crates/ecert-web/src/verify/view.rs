//! What a verifier is shown: the verdict and only the six facts the product allows.

use askama::Template;
use ecert_app::verification::Verification;
use ecert_domain::calendar::{self, Day};
use ecert_domain::{NotInForce, Standing};
use ecert_sign::Refusal;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The verdict and facts, shared by the page and the JSON API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerificationView {
    /// The signature checked out against the trust list.
    pub genuine: bool,
    /// Genuine, and in force now.
    pub in_force: bool,
    /// The headline in Chinese.
    pub verdict: String,
    /// Why it is not genuine or not in force, most serious first; each a machine code and a
    /// sentence.
    pub reasons: Vec<Reason>,
    /// The facts, present only when genuine.
    pub certificate: Option<Facts>,
    /// The last day in force, when in force.
    pub in_force_until: Option<Day>,
    /// When the check was made.
    pub checked_at: Timestamp,
}

/// One reason, for machines and for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reason {
    /// A stable code (`usage_period_ended`, `bad_signature`, ...).
    pub code: String,
    /// The sentence shown.
    pub message: String,
}

/// The only personal facts a verifier sees.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Facts {
    /// 姓名.
    pub name: String,
    /// 身份证件号码, masked.
    pub masked_id: String,
    /// 注册号.
    pub registration_number: String,
    /// 聘用单位.
    pub employer: String,
    /// 注册有效期.
    pub registration_valid_from: Day,
    /// End of 注册有效期.
    pub registration_valid_until: Day,
    /// 使用有效期 start.
    pub usage_first_day: Day,
    /// 使用有效期 end.
    pub usage_last_day: Day,
    /// The certificate version the payload shows.
    pub version: u16,
    /// The certificate version current now.
    pub current_version: Option<u16>,
    /// The key that signed.
    pub key_id: String,
}

impl VerificationView {
    /// The view of a verification outcome at `now`.
    pub fn of(outcome: &Verification, now: Timestamp) -> Self {
        match outcome {
            Verification::NotGenuine(refusal) => Self {
                genuine: false,
                in_force: false,
                verdict: "无法确认为真实证书".into(),
                reasons: vec![Reason {
                    code: refusal.code().into(),
                    message: refusal_message(refusal),
                }],
                certificate: None,
                in_force_until: None,
                checked_at: now,
            },
            Verification::Genuine {
                verified,
                standing,
                current_version,
            } => {
                let c = &verified.claims;
                let facts = Facts {
                    name: c.name.clone(),
                    masked_id: c.masked_id.clone(),
                    registration_number: c.registration_number.clone(),
                    employer: c.employer.clone(),
                    registration_valid_from: c.registration_valid_from,
                    registration_valid_until: c.registration_valid_until,
                    usage_first_day: c.usage_first_day,
                    usage_last_day: c.usage_last_day,
                    version: c.version,
                    current_version: *current_version,
                    key_id: verified.key_id.clone(),
                };
                let (in_force, verdict, reasons, until) = match standing {
                    Standing::InForce { until } => {
                        (true, "真实有效".to_owned(), Vec::new(), Some(*until))
                    }
                    Standing::NotInForce { reasons } => (
                        false,
                        "证书真实，但当前不在有效状态".to_owned(),
                        reasons
                            .iter()
                            .map(|r| Reason {
                                code: standing_code(r).into(),
                                message: r.chinese(),
                            })
                            .collect(),
                        None,
                    ),
                };
                Self {
                    genuine: true,
                    in_force,
                    verdict,
                    reasons,
                    certificate: Some(facts),
                    in_force_until: until,
                    checked_at: now,
                }
            }
        }
    }
}

fn standing_code(reason: &NotInForce) -> &'static str {
    match reason {
        NotInForce::Revoked { .. } => "revoked",
        NotInForce::Cancelled { .. } => "cancelled",
        NotInForce::Suspended { .. } => "suspended",
        NotInForce::OtherStatus { .. } => "other_status",
        NotInForce::Lapsed { .. } => "registration_lapsed",
        NotInForce::Superseded { .. } => "superseded",
        NotInForce::UnknownVersion => "unknown_version",
        NotInForce::UsagePeriodEnded { .. } => "usage_period_ended",
        NotInForce::UsagePeriodNotStarted { .. } => "usage_period_not_started",
    }
}

/// A refusal in words a person with a phone understands.
fn refusal_message(refusal: &Refusal) -> String {
    let reason = match refusal.code() {
        "bad_encoding" | "truncated" | "malformed" | "oversized" => "二维码内容不完整或格式不正确",
        "unknown_key" => "签名密钥不在公布的信任列表中",
        "wrong_algorithm" => "签名算法与密钥不符",
        "bad_signature" | "altered" => "签名校验失败，内容可能被篡改",
        "key_retired" => "签名时密钥已停用",
        "key_not_valid" => "签名时密钥不在有效期内",
        "issued_in_future" => "签名时间晚于当前时间",
        _ => "未找到有效签名",
    };
    format!("{reason}（{}）", refusal.code())
}

/// The HTML page.
#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerificationPage<'a> {
    view: &'a VerificationView,
    tone: &'static str,
    rows: Vec<(&'static str, String)>,
    checked_at: String,
}

impl<'a> VerificationPage<'a> {
    /// The page of a view.
    pub fn of(view: &'a VerificationView) -> Self {
        let tone = match (view.genuine, view.in_force) {
            (true, true) => "ok",
            (true, false) => "warn",
            _ => "bad",
        };
        let rows = view.certificate.as_ref().map(rows).unwrap_or_default();
        let checked_at = view
            .checked_at
            .to_zoned_datetime(calendar::shanghai().clone())
            .strftime("%Y年%m月%d日 %H:%M")
            .to_string();
        Self {
            view,
            tone,
            rows,
            checked_at,
        }
    }

    fn until(&self) -> Option<String> {
        self.view.in_force_until.map(calendar::chinese)
    }
}

fn rows(facts: &Facts) -> Vec<(&'static str, String)> {
    vec![
        ("姓名", facts.name.clone()),
        ("身份证件号码", facts.masked_id.clone()),
        ("注册号", facts.registration_number.clone()),
        ("聘用单位", facts.employer.clone()),
        (
            "注册有效期",
            format!(
                "{}至{}",
                calendar::chinese(facts.registration_valid_from),
                calendar::chinese(facts.registration_valid_until)
            ),
        ),
        (
            "使用有效期",
            format!(
                "{}至{}",
                calendar::chinese(facts.usage_first_day),
                calendar::chinese(facts.usage_last_day)
            ),
        ),
    ]
}
