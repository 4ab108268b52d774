//! Real-name authentication across devices (实名身份认证).
//!
//! The portal shows a one-time code (128 random bits) as a QR code, bound to its browser
//! session. The app, logged in as the same account, reads it, shows what it approves, runs
//! face verification, and signs the code with a device key that the browser made and cannot
//! export. The portal session then uses the approval once, and its id is renewed.

use std::sync::Arc;

use base64::Engine as _;
use ecert_store::{Store, StoreError, StoredChallenge};
use jiff::{SignedDuration, Timestamp};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;
use thiserror::Error;

use crate::providers::{FaceSubject, FaceVerifier, ProviderError};
use crate::secrets;
use crate::sessions::{self, Session};

/// How long a challenge can be approved and used.
pub const CHALLENGE_LIFETIME: SignedDuration = SignedDuration::from_mins(5);

/// What the portal asks the app to approve.
pub const ACTION: &str = "实名身份认证：查看、加注和下载电子证照";

/// What the device key signs: a fixed prefix, so the signature means nothing elsewhere.
pub fn approval_statement(code: &str) -> String {
    format!("ecert-approve-v1:{}", normalise(code))
}

/// Why a step of the authentication was refused.
#[derive(Debug, Error)]
pub enum RealNameError {
    /// No such code, or it belongs to another account: one answer for both.
    #[error("二维码无效，请在电脑上刷新二维码后重新扫描")]
    Unknown,
    /// The code's five minutes are over.
    #[error("二维码已过期，请在电脑上刷新二维码后重新扫描")]
    Expired,
    /// The code was approved or used already.
    #[error("二维码已使用，请在电脑上刷新二维码后重新扫描")]
    AlreadyUsed,
    /// Approval before face verification.
    #[error("请先完成人脸识别")]
    FaceNotChecked,
    /// The face did not match.
    #[error("人脸识别未通过：{0}")]
    FaceRefused(String),
    /// The device key is unknown or the signature wrong.
    #[error("设备密钥无效，请在本设备重新登录 APP")]
    BadSignature,
    /// The public key sent is not a P-256 key.
    #[error("设备密钥格式不正确")]
    BadKey,
    /// The portal session has no approved challenge.
    #[error("尚未在手机 APP 上完成认证")]
    NotApproved,
    /// The face provider failed.
    #[error("人脸识别服务暂时不可用，请稍后再试")]
    Provider(#[from] ProviderError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a portal session's authentication stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeState {
    /// No code shown yet.
    None,
    /// Waiting for the app.
    Pending,
    /// The app approved it: the portal can complete.
    Approved,
    /// It ran out: the portal shows a new one.
    Expired,
    /// It was used.
    Used,
}

impl ChallengeState {
    /// A word for the JSON the portal page polls.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Expired => "expired",
            Self::Used => "used",
        }
    }
}

/// What the app shows before the holder approves.
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    /// The account's username.
    pub username: String,
    /// What approving allows.
    pub action: String,
    /// The address of the browser asking.
    pub client_address: String,
    /// When the browser asked.
    pub asked_at: Timestamp,
    /// When the code runs out.
    pub expires_at: Timestamp,
    /// Whether face verification passed already.
    pub face_checked: bool,
}

/// A P-256 public key as WebCrypto exports it (JWK).
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceJwk {
    /// Key type: "EC".
    pub kty: String,
    /// Curve: "P-256".
    pub crv: String,
    /// X coordinate, base64url.
    pub x: String,
    /// Y coordinate, base64url.
    pub y: String,
}

/// Shows a new code for `session` (logged in); returns the code to display.
pub async fn start(store: &Store, session: &Session, now: Timestamp) -> Result<String, StoreError> {
    let account_id = session.account_id().unwrap_or_default().to_owned();
    let code = new_code();
    store
        .insert_challenge(&StoredChallenge {
            code_hash: secrets::digest(&code),
            session_hash: session.stored.session_hash.clone(),
            account_id,
            action: ACTION.to_owned(),
            client_address: session.stored.client_address.clone(),
            created_at: now,
            expires_at: now + CHALLENGE_LIFETIME,
            face_checked_at: None,
            approved_at: None,
            device_id: None,
            used_at: None,
        })
        .await?;
    Ok(code)
}

/// Where the newest code of `session` stands.
pub async fn state(
    store: &Store,
    session: &Session,
    now: Timestamp,
) -> Result<ChallengeState, StoreError> {
    let challenge = store
        .latest_challenge_of_session(&session.stored.session_hash)
        .await?;
    Ok(match challenge {
        None => ChallengeState::None,
        Some(c) if c.used_at.is_some() => ChallengeState::Used,
        Some(c) if c.expires_at <= now => ChallengeState::Expired,
        Some(c) if c.approved_at.is_some() => ChallengeState::Approved,
        Some(_) => ChallengeState::Pending,
    })
}

/// What the app of `account_id` is about to approve with `code`.
pub async fn describe(
    store: &Store,
    account_id: &str,
    code: &str,
    now: Timestamp,
) -> Result<ApprovalRequest, RealNameError> {
    let challenge = open_challenge(store, account_id, code, now).await?;
    let username = store
        .account(account_id)
        .await?
        .map(|account| account.username)
        .unwrap_or_default();
    Ok(ApprovalRequest {
        username,
        action: challenge.action,
        client_address: challenge.client_address,
        asked_at: challenge.created_at,
        expires_at: challenge.expires_at,
        face_checked: challenge.face_checked_at.is_some(),
    })
}

/// Runs face verification for `code` with the account's identity.
pub async fn check_face(
    store: &Store,
    face: Arc<dyn FaceVerifier>,
    account_id: &str,
    code: &str,
    image: Vec<u8>,
    now: Timestamp,
) -> Result<(), RealNameError> {
    open_challenge(store, account_id, code, now).await?;
    let account = store
        .account(account_id)
        .await?
        .ok_or(RealNameError::Unknown)?;
    let subject = FaceSubject {
        name: account.name,
        id_type: account.id_type,
        id_number: account.id_number,
    };
    let check = tokio::task::spawn_blocking(move || face.verify(&subject, &image))
        .await
        .map_err(|_| ProviderError::new("the face task stopped"))??;
    if !check.passed {
        tracing::info!(account = %account_id, "face verification refused");
        return Err(RealNameError::FaceRefused(
            check
                .reason
                .unwrap_or_else(|| "人脸与证件信息不一致".into()),
        ));
    }
    if !store
        .mark_face_checked(&secrets::digest(&normalise(code)), account_id, now)
        .await?
    {
        return Err(RealNameError::AlreadyUsed);
    }
    Ok(())
}

/// Keeps the public key of a new device of `account_id`; returns its id.
pub async fn register_device(
    store: &Store,
    account_id: &str,
    jwk: &DeviceJwk,
    now: Timestamp,
) -> Result<String, RealNameError> {
    let key = verifying_key(jwk)?;
    let device_id = secrets::token(16);
    let encoded = hex::encode(key.to_sec1_point(false));
    store
        .insert_device_key(&device_id, account_id, &encoded, now)
        .await?;
    tracing::info!(account = %account_id, "device key registered");
    Ok(device_id)
}

/// Approves `code` with the device's signature over [`approval_statement`] (raw r‖s, as
/// WebCrypto's ECDSA gives it, base64url).
pub async fn approve(
    store: &Store,
    account_id: &str,
    code: &str,
    device_id: &str,
    signature: &str,
    now: Timestamp,
) -> Result<(), RealNameError> {
    let challenge = open_challenge(store, account_id, code, now).await?;
    if challenge.face_checked_at.is_none() {
        return Err(RealNameError::FaceNotChecked);
    }
    let public_key = store
        .device_key(device_id, account_id)
        .await?
        .ok_or(RealNameError::BadSignature)?;
    check_signature(&public_key, &approval_statement(code), signature)?;
    if !store
        .approve_challenge(&challenge.code_hash, account_id, device_id, now)
        .await?
    {
        return Err(RealNameError::AlreadyUsed);
    }
    tracing::info!(account = %account_id, "real-name challenge approved");
    Ok(())
}

/// Uses the approved code of `session` and renews it: same account and start, new id,
/// authenticated now.
pub async fn complete(
    store: &Store,
    session: &Session,
    now: Timestamp,
) -> Result<Session, RealNameError> {
    let challenge = store
        .latest_challenge_of_session(&session.stored.session_hash)
        .await?
        .ok_or(RealNameError::NotApproved)?;
    let mut renewed = sessions::fresh(
        session.stored.account_id.clone(),
        &session.stored.client_address,
        now,
        Some(now),
    );
    renewed.stored.created_at = session.stored.created_at;
    let used = store
        .complete_challenge(
            &challenge.code_hash,
            &renewed.stored,
            &session.stored.session_hash,
            now,
        )
        .await?;
    if !used {
        return Err(RealNameError::NotApproved);
    }
    tracing::info!(account = %challenge.account_id, "real-name authentication passed");
    Ok(renewed)
}

/// The challenge behind `code` if it is for `account_id` and still open.
async fn open_challenge(
    store: &Store,
    account_id: &str,
    code: &str,
    now: Timestamp,
) -> Result<StoredChallenge, RealNameError> {
    let challenge = store
        .challenge(&secrets::digest(&normalise(code)))
        .await?
        .filter(|c| c.account_id == account_id)
        .ok_or(RealNameError::Unknown)?;
    if challenge.used_at.is_some() || challenge.approved_at.is_some() {
        return Err(RealNameError::AlreadyUsed);
    }
    if challenge.expires_at <= now {
        return Err(RealNameError::Expired);
    }
    Ok(challenge)
}

/// 128 random bits in base32 (RFC 4648, no padding): 26 characters a person can type.
fn new_code() -> String {
    data_encoding::BASE32_NOPAD.encode(&secrets::random(16))
}

/// The code as typed: groups and case do not matter.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The code in groups of four, for reading aloud or typing.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn verifying_key(jwk: &DeviceJwk) -> Result<VerifyingKey, RealNameError> {
    if jwk.kty != "EC" || jwk.crv != "P-256" {
        return Err(RealNameError::BadKey);
    }
    let decode = |text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .filter(|bytes| bytes.len() == 32)
            .ok_or(RealNameError::BadKey)
    };
    let mut point = vec![0x04];
    point.extend(decode(&jwk.x)?);
    point.extend(decode(&jwk.y)?);
    VerifyingKey::from_sec1_bytes(&point).map_err(|_| RealNameError::BadKey)
}

fn check_signature(
    public_key_hex: &str,
    statement: &str,
    signature: &str,
) -> Result<(), RealNameError> {
    let key = hex::decode(public_key_hex)
        .ok()
        .and_then(|bytes| VerifyingKey::from_sec1_bytes(&bytes).ok())
        .ok_or(RealNameError::BadSignature)?;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature.trim_end_matches('='))
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or(RealNameError::BadSignature)?;
    key.verify(statement.as_bytes(), &signature)
        .map_err(|_| RealNameError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_carry_128_bits_and_read_in_groups() {
        let code = new_code();
        assert_eq!(code.len(), 26);
        assert_ne!(code, new_code());
        let shown = grouped(&code);
        assert_eq!(normalise(&shown.to_lowercase()), code);
    }
}
