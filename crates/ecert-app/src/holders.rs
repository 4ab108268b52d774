//! What a holder sees of their certificates ("我的证照"), and binding one by number.

use ecert_domain::{Registration, RegistrationNumber};
use ecert_store::{Store, StoreError, StoredAccount, StoredRegistration};
use jiff::Timestamp;
use thiserror::Error;

/// The certificate title, as the portal lists it.
pub const TITLE: &str = "一级注册建筑师注册证书";

/// Why binding a certificate was refused.
#[derive(Debug, Error)]
pub enum BindError {
    /// Not a registration number.
    #[error("请输入正确的注册号")]
    Malformed,
    /// No such registration, or its name and ID do not match the account: one answer for
    /// both, so the form cannot be used to find out whose numbers exist.
    #[error("未找到与本账户姓名、证件号码一致的证照，请核对注册号")]
    NotFound,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The registrations `account` may see and act on, current state included.
pub async fn certificates(
    store: &Store,
    account_id: &str,
) -> Result<Vec<StoredRegistration>, StoreError> {
    let numbers = store.registrations_of_account(account_id).await?;
    let mut found = store.registrations(&numbers).await?;
    Ok(numbers
        .iter()
        .filter_map(|number| found.remove(number))
        .collect())
}

/// One registration of the account; None when it is not theirs (the web answers 404).
pub async fn certificate(
    store: &Store,
    account_id: &str,
    number: &str,
) -> Result<Option<StoredRegistration>, StoreError> {
    let Ok(number) = RegistrationNumber::parse(number) else {
        return Ok(None);
    };
    if !store
        .registrations_of_account(account_id)
        .await?
        .contains(&number)
    {
        return Ok(None);
    }
    store.registration(&number).await
}

/// Binds the certificate `number` to `account` ([绑定证照]): the registration's name and ID
/// number must be the account's (its ID type may differ, as when the record was made
/// under another document type).
pub async fn bind(
    store: &Store,
    account: &StoredAccount,
    number: &str,
    now: Timestamp,
) -> Result<RegistrationNumber, BindError> {
    let number = RegistrationNumber::parse(number).map_err(|_| BindError::Malformed)?;
    let stored = store
        .registration(&number)
        .await?
        .filter(|stored| belongs_to(&stored.registration, account))
        .ok_or(BindError::NotFound)?;
    store
        .bind_certificate(&account.account_id, &stored.registration.number, now)
        .await?;
    tracing::info!(account = %account.account_id, "certificate bound");
    Ok(number)
}

fn belongs_to(registration: &Registration, account: &StoredAccount) -> bool {
    registration.name.as_str() == account.name
        && registration
            .id
            .number()
            .eq_ignore_ascii_case(&account.id_number)
}

/// A holder as the use cases see them: who they are, what they may act on, and what this
/// browser session has proved.
#[derive(Debug, Clone)]
pub struct Holder {
    /// The account.
    pub account_id: String,
    /// The registrations the account may act on ([`certificates`]).
    pub registrations: Vec<RegistrationNumber>,
    /// Whether a phone number is bound.
    pub phone_bound: bool,
    /// Whether real-name authentication passed in this browser session.
    pub authenticated: bool,
}

impl Holder {
    /// Gathers the holder behind `account` in a session that is `authenticated` or not.
    pub async fn of(
        store: &Store,
        account: &StoredAccount,
        authenticated: bool,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            account_id: account.account_id.clone(),
            registrations: store.registrations_of_account(&account.account_id).await?,
            phone_bound: account.phone.is_some(),
            authenticated,
        })
    }

    /// Whether `number` is one of the holder's certificates.
    pub fn holds(&self, number: &RegistrationNumber) -> bool {
        self.registrations.contains(number)
    }

    /// The actor name the audit log records.
    pub fn actor(&self) -> String {
        format!("account:{}", self.account_id)
    }
}
