//! Holder accounts, login throttling, phone codes and certificate bindings.

use ecert_domain::RegistrationNumber;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows;
use crate::{Store, StoreError};

/// An account as stored. The password is an Argon2id hash in PHC form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    /// Random id, never shown in URLs of other accounts' objects.
    pub account_id: String,
    /// The folded username.
    pub username: String,
    /// Argon2id hash of the password.
    pub password_hash: String,
    /// The holder's name.
    pub name: String,
    /// ID document type code.
    pub id_type: String,
    /// ID document number.
    pub id_number: String,
    /// The bound mobile number, once confirmed by a code.
    pub phone: Option<String>,
    /// When the account was made.
    pub created_at: Timestamp,
}

/// Failed logins of one subject (an account name or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    /// Failures since the last success or lock.
    pub failures: u32,
    /// How many times the subject has been locked; each lock lasts longer.
    pub locks: u32,
    /// Until when logins are refused.
    pub locked_until: Option<Timestamp>,
}

/// A code sent to confirm a phone number; only its digest is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneCode {
    /// The account binding the number.
    pub account_id: String,
    /// The number the code went to.
    pub phone: String,
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    /// When it was sent.
    pub sent_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Wrong guesses so far.
    pub attempts: u32,
}

const SELECT_ACCOUNT: &str = "SELECT account_id, username, password_hash, name, id_type, \
     id_number, phone, created_at FROM accounts";

impl Store {
    /// Adds an account; returns false when the username is taken.
    pub async fn insert_account(&self, account: &StoredAccount) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO accounts (account_id, username, password_hash, name, id_type, \
             id_number, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(account.account_id.clone())
        .bind(account.username.clone())
        .bind(account.password_hash.clone())
        .bind(account.name.clone())
        .bind(account.id_type.clone())
        .bind(account.id_number.clone())
        .bind(account.phone.clone())
        .bind(rows::millis(account.created_at))
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The account with this (folded) username.
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<StoredAccount>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} WHERE username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_account).transpose()
    }

    /// The account with this id.
    pub async fn account(&self, account_id: &str) -> Result<Option<StoredAccount>, StoreError> {
        let sql = format!("{SELECT_ACCOUNT} WHERE account_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored_account).transpose()
    }

    /// Sets the account's confirmed phone number and forgets its pending code.
    pub async fn bind_phone(&self, account_id: &str, phone: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET phone = $1 WHERE account_id = $2")
            .bind(phone.to_owned())
            .bind(account_id.to_owned())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM phone_codes WHERE account_id = $1")
            .bind(account_id.to_owned())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The failed-login count of a subject.
    pub async fn throttle(&self, subject: &str) -> Result<Throttle, StoreError> {
        let row = sqlx::query(
            "SELECT failures, locks, locked_until FROM login_throttle WHERE subject = $1",
        )
        .bind(subject.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(Throttle::default());
        };
        let locked_until: Option<i64> = row.try_get("locked_until")?;
        Ok(Throttle {
            failures: count(row.try_get("failures")?),
            locks: count(row.try_get("locks")?),
            locked_until: locked_until.map(rows::moment).transpose()?,
        })
    }

    /// Records a subject's failed-login count.
    pub async fn save_throttle(&self, subject: &str, throttle: Throttle) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_throttle (subject, failures, locks, locked_until) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (subject) DO UPDATE SET \
             failures = excluded.failures, locks = excluded.locks, \
             locked_until = excluded.locked_until",
        )
        .bind(subject.to_owned())
        .bind(i64::from(throttle.failures))
        .bind(i64::from(throttle.locks))
        .bind(throttle.locked_until.map(rows::millis))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Keeps a new phone code, replacing any earlier one of the account.
    pub async fn save_phone_code(&self, code: &PhoneCode) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO phone_codes (account_id, phone, code_hash, sent_at, expires_at, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO UPDATE SET \
             phone = excluded.phone, code_hash = excluded.code_hash, sent_at = excluded.sent_at, \
             expires_at = excluded.expires_at, attempts = excluded.attempts",
        )
        .bind(code.account_id.clone())
        .bind(code.phone.clone())
        .bind(code.code_hash.clone())
        .bind(rows::millis(code.sent_at))
        .bind(rows::millis(code.expires_at))
        .bind(i64::from(code.attempts))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account's pending phone code.
    pub async fn phone_code(&self, account_id: &str) -> Result<Option<PhoneCode>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id, phone, code_hash, sent_at, expires_at, attempts \
             FROM phone_codes WHERE account_id = $1",
        )
        .bind(account_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(phone_code).transpose()
    }

    /// Counts one wrong guess of the account's phone code.
    pub async fn count_phone_code_attempt(&self, account_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE phone_codes SET attempts = attempts + 1 WHERE account_id = $1")
            .bind(account_id.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Binds a certificate to an account; binding twice changes nothing.
    pub async fn bind_certificate(
        &self,
        account_id: &str,
        number: &RegistrationNumber,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO bindings (account_id, registration_number, bound_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, registration_number) DO NOTHING",
        )
        .bind(account_id.to_owned())
        .bind(number.as_str().to_owned())
        .bind(rows::millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The registrations an account may act on: those recorded under its identity document,
    /// and those it bound by number. In number order, without repeats.
    pub async fn registrations_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<RegistrationNumber>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.registration_number FROM registrations r JOIN accounts a \
             ON r.id_type = a.id_type AND r.id_number = a.id_number WHERE a.account_id = $1 \
             UNION SELECT registration_number FROM bindings WHERE account_id = $1 \
             ORDER BY 1",
        )
        .bind(account_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let text: String = row.try_get(0)?;
                RegistrationNumber::parse(&text)
                    .map_err(|error| StoreError::corrupt("registration number", error))
            })
            .collect()
    }
}

fn stored_account(row: &AnyRow) -> Result<StoredAccount, StoreError> {
    Ok(StoredAccount {
        account_id: row.try_get("account_id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        name: row.try_get("name")?,
        id_type: row.try_get("id_type")?,
        id_number: row.try_get("id_number")?,
        phone: row.try_get("phone")?,
        created_at: rows::moment(row.try_get("created_at")?)?,
    })
}

fn phone_code(row: &AnyRow) -> Result<PhoneCode, StoreError> {
    Ok(PhoneCode {
        account_id: row.try_get("account_id")?,
        phone: row.try_get("phone")?,
        code_hash: row.try_get("code_hash")?,
        sent_at: rows::moment(row.try_get("sent_at")?)?,
        expires_at: rows::moment(row.try_get("expires_at")?)?,
        attempts: count(row.try_get("attempts")?),
    })
}

/// A stored counter; negative values cannot be written, so they read as zero.
pub(crate) fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}
