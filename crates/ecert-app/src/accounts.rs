//! Holder accounts: sign-up, login with throttling, and phone binding.
//!
//! Login answers an unknown username and a wrong password alike, with the same work done
//! (a dummy hash is checked), and counts failures per username and per client address
//! before any hashing, so guessing is slow and a lock says nothing about who has an account.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Argon2, PasswordHash};
use ecert_domain::{
    AccountRuleError, IdDocument, IdType, PasswordPolicy, PersonName, PhoneNumber, Username,
};
use ecert_store::{AuditEntry, PhoneCode, Store, StoreError, StoredAccount, Throttle};
use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

use crate::providers::{ProviderError, SmsProvider};
use crate::secrets;

/// Failures of one username before it is locked.
pub const ACCOUNT_FAILURES_BEFORE_LOCK: u32 = 5;
/// Failures from one client address before it is locked: enough for a shared office.
pub const CLIENT_FAILURES_BEFORE_LOCK: u32 = 20;
/// The first lock; each further lock of the same subject doubles it.
pub const FIRST_LOCK: SignedDuration = SignedDuration::from_mins(15);
/// The longest lock: a stranger can delay a holder, never lock them out for good.
pub const LONGEST_LOCK: SignedDuration = SignedDuration::from_hours(4);

const PHONE_CODE_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
const PHONE_CODE_RESEND_AFTER: SignedDuration = SignedDuration::from_secs(60);
const PHONE_CODE_ATTEMPTS: u32 = 5;

/// What a holder types to sign up.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
    /// Name as on the ID document.
    pub name: String,
    /// ID type code (111 for the resident identity card).
    pub id_type: String,
    /// ID number.
    pub id_number: String,
}

/// Why sign-up was refused: the field and what is wrong with it.
#[derive(Debug, Error)]
pub enum SignUpError {
    /// A value breaks a rule.
    #[error("{field}: {message}")]
    Invalid {
        /// The form field.
        field: &'static str,
        /// The portal's message.
        message: String,
    },
    /// The username belongs to another account.
    #[error("username: 该用户名已被使用")]
    Taken,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a login was refused.
#[derive(Debug, Error)]
pub enum LoginError {
    /// Unknown username or wrong password: one answer for both.
    #[error("用户名或密码错误")]
    Refused,
    /// Too many failures for this username or from this address.
    #[error("登录失败次数过多，请于 {} 后再试", crate::clock_time(*.until))]
    Locked {
        /// When logins are accepted again.
        until: Timestamp,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why binding a phone number failed.
#[derive(Debug, Error)]
pub enum PhoneError {
    /// Not a mobile number.
    #[error(transparent)]
    Invalid(#[from] AccountRuleError),
    /// A code was sent a moment ago.
    #[error("验证码已发送，请 {0} 秒后再获取")]
    TooSoon(i64),
    /// No code is pending, or it expired.
    #[error("验证码已过期，请重新获取")]
    Expired,
    /// The code is wrong.
    #[error("验证码错误")]
    Wrong,
    /// Too many wrong codes.
    #[error("验证码错误次数过多，请重新获取")]
    TooManyAttempts,
    /// The SMS provider failed.
    #[error("短信发送失败，请稍后再试")]
    Provider(#[from] ProviderError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The account service: hashing settings, the password policy, and the store.
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    policy: PasswordPolicy,
    hasher: Arc<Argon2<'static>>,
    dummy_hash: Arc<str>,
}

impl Accounts {
    /// Accounts with Argon2id at OWASP's recommended cost (19 MiB, 2 passes).
    pub fn new(store: Store, policy: PasswordPolicy) -> Self {
        let hasher = Argon2::default();
        let dummy_hash = hash_with(&hasher, &secrets::token(16));
        Self {
            store,
            policy,
            hasher: Arc::new(hasher),
            dummy_hash: dummy_hash.into(),
        }
    }

    /// Makes an account from a sign-up form.
    pub async fn sign_up(
        &self,
        form: &SignUp,
        now: Timestamp,
    ) -> Result<StoredAccount, SignUpError> {
        let username = Username::parse(&form.username).map_err(|e| invalid("username", e))?;
        self.policy
            .check(&form.password, &username)
            .map_err(|e| invalid("password", e))?;
        let name = PersonName::parse(&form.name).map_err(|_| SignUpError::Invalid {
            field: "name",
            message: "请填写证件上的姓名".into(),
        })?;
        let document = IdType::parse(&form.id_type)
            .and_then(|id_type| IdDocument::parse(id_type, &form.id_number))
            .map_err(|_| SignUpError::Invalid {
                field: "id_number",
                message: "证件号码有误，请核对".into(),
            })?;
        let password_hash = self.hash(form.password.clone()).await;
        let account = StoredAccount {
            account_id: secrets::token(16),
            username: username.as_str().to_owned(),
            password_hash,
            name: name.as_str().to_owned(),
            id_type: document.id_type().as_str().to_owned(),
            id_number: document.number().to_owned(),
            phone: None,
            created_at: now,
        };
        if !self.store.insert_account(&account).await? {
            return Err(SignUpError::Taken);
        }
        tracing::info!(account = %account.account_id, "account created");
        Ok(account)
    }

    /// Checks a username and password from `client`.
    pub async fn log_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<StoredAccount, LoginError> {
        let subjects = subjects(username, client);
        for subject in &subjects {
            if let Some(until) = self.store.throttle(subject).await?.locked_until
                && until > now
            {
                return Err(LoginError::Locked { until });
            }
        }
        let account = match Username::parse(username) {
            Ok(name) => self.store.account_by_username(name.as_str()).await?,
            Err(_) => None,
        };
        let stored_hash = account
            .as_ref()
            .map_or(self.dummy_hash.to_string(), |a| a.password_hash.clone());
        let matches = self.verify(password.to_owned(), stored_hash).await;
        if let Some(account) = account.filter(|_| matches) {
            // Only the username's count is cleared: clearing the address's too would let
            // someone guessing at other accounts reset it by logging in to their own.
            self.store
                .save_throttle(&subjects[0], Throttle::default())
                .await?;
            self.audit_login(&format!("account:{}", account.account_id), "ok", now)
                .await?;
            return Ok(account);
        }
        self.count_failure(&subjects[0], ACCOUNT_FAILURES_BEFORE_LOCK, now)
            .await?;
        self.count_failure(&subjects[1], CLIENT_FAILURES_BEFORE_LOCK, now)
            .await?;
        self.audit_login(&subjects[0], "refused", now).await?;
        tracing::info!("login refused");
        Err(LoginError::Refused)
    }

    /// Sends a code to `phone` through `sms`, to be confirmed with [`Accounts::confirm_phone`].
    pub async fn send_phone_code(
        &self,
        account_id: &str,
        phone: &str,
        sms: Arc<dyn SmsProvider>,
        now: Timestamp,
    ) -> Result<PhoneNumber, PhoneError> {
        let phone = PhoneNumber::parse(phone)?;
        if let Some(pending) = self.store.phone_code(account_id).await? {
            let wait = pending.sent_at + PHONE_CODE_RESEND_AFTER;
            if wait > now {
                return Err(PhoneError::TooSoon(now.duration_until(wait).as_secs() + 1));
            }
        }
        let code = six_digits();
        let message = format!("【ecert】您正在绑定手机号，验证码 {code}，10 分钟内有效。");
        let to = phone.clone();
        tokio::task::spawn_blocking(move || sms.send(&to, &message))
            .await
            .map_err(|_| ProviderError::new("the SMS task stopped"))??;
        self.store
            .save_phone_code(&PhoneCode {
                account_id: account_id.to_owned(),
                phone: phone.as_str().to_owned(),
                code_hash: code_digest(account_id, &code),
                sent_at: now,
                expires_at: now + PHONE_CODE_LIFETIME,
                attempts: 0,
            })
            .await?;
        Ok(phone)
    }

    /// Binds the phone number a code was sent to, if `code` is that code.
    pub async fn confirm_phone(
        &self,
        account_id: &str,
        code: &str,
        now: Timestamp,
    ) -> Result<PhoneNumber, PhoneError> {
        let pending = self
            .store
            .phone_code(account_id)
            .await?
            .filter(|pending| pending.expires_at > now)
            .ok_or(PhoneError::Expired)?;
        if pending.attempts >= PHONE_CODE_ATTEMPTS {
            return Err(PhoneError::TooManyAttempts);
        }
        if !secrets::same(&code_digest(account_id, code.trim()), &pending.code_hash) {
            self.store.count_phone_code_attempt(account_id).await?;
            return Err(PhoneError::Wrong);
        }
        let phone = PhoneNumber::parse(&pending.phone)?;
        self.store.bind_phone(account_id, phone.as_str()).await?;
        tracing::info!(account = %account_id, phone = %phone.masked(), "phone bound");
        Ok(phone)
    }

    /// Records a login in the audit log: the account on success, the name tried otherwise
    /// (never the password).
    async fn audit_login(
        &self,
        subject: &str,
        outcome: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry::new("client", "login", subject, outcome, now);
        self.store.audit(&entry).await
    }

    async fn count_failure(
        &self,
        subject: &str,
        limit: u32,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut throttle = self.store.throttle(subject).await?;
        throttle.failures += 1;
        if throttle.failures >= limit {
            throttle.locked_until = Some(now + lock_length(throttle.locks));
            throttle.locks += 1;
            throttle.failures = 0;
        }
        self.store.save_throttle(subject, throttle).await
    }

    async fn hash(&self, password: String) -> String {
        let hasher = Arc::clone(&self.hasher);
        tokio::task::spawn_blocking(move || hash_with(&hasher, &password))
            .await
            .expect("hashing does not panic")
    }

    async fn verify(&self, password: String, stored: String) -> bool {
        let hasher = Arc::clone(&self.hasher);
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .is_ok_and(|hash| hasher.verify_password(password.as_bytes(), &hash).is_ok())
        })
        .await
        .unwrap_or(false)
    }
}

/// How long the lock after `earlier_locks` earlier ones lasts.
pub fn lock_length(earlier_locks: u32) -> SignedDuration {
    let factor = 2_i32.saturating_pow(earlier_locks.min(8));
    (FIRST_LOCK * factor).min(LONGEST_LOCK)
}

fn subjects(username: &str, client: &str) -> [String; 2] {
    let folded: String = username.trim().to_lowercase().chars().take(64).collect();
    [format!("account:{folded}"), format!("client:{client}")]
}

fn hash_with(hasher: &Argon2<'_>, password: &str) -> String {
    hasher
        .hash_password(password.as_bytes())
        .expect("Argon2 hashes any password up to 4 GiB")
        .to_string()
}

fn invalid(field: &'static str, error: AccountRuleError) -> SignUpError {
    SignUpError::Invalid {
        field,
        message: error.to_string(),
    }
}

fn six_digits() -> String {
    let bytes: [u8; 8] = secrets::random(8)
        .try_into()
        .expect("eight bytes asked for");
    // 2^64 is so much larger than 10^6 that the modulo's bias is below 10^-13.
    let value = u64::from_le_bytes(bytes) % 1_000_000;
    format!("{value:06}")
}

/// The code is bound to the account, so a digest copied to another account is useless.
fn code_digest(account_id: &str, code: &str) -> String {
    secrets::digest(&format!("{account_id}:{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_and_stop_growing() {
        assert_eq!(lock_length(0), SignedDuration::from_mins(15));
        assert_eq!(lock_length(1), SignedDuration::from_mins(30));
        assert_eq!(lock_length(4), SignedDuration::from_hours(4));
        assert_eq!(lock_length(40), SignedDuration::from_hours(4));
    }

    #[test]
    fn phone_codes_have_six_digits() {
        for _ in 0..50 {
            let code = six_digits();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
