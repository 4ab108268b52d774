//! Holder accounts, sessions and real-name authentication, on the engine
//! `ECERT_TEST_DATABASE_URL` names.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use ecert_app::accounts::{Accounts, LoginError, PhoneError, SignUp, SignUpError};
use ecert_app::providers::{
    DevelopmentFace, FaceCheck, FaceSubject, FaceVerifier, ProviderError, SmsProvider,
};
use ecert_app::realname::{self, ChallengeState, DeviceJwk, RealNameError};
use ecert_app::sessions::{self, Session};
use ecert_app::{IssuerSettings, demo, holders};
use ecert_domain::{PasswordPolicy, PhoneNumber};
use ecert_store::StoredAccount;
use ecert_store::testing::TestDatabase;
use jiff::{SignedDuration, Timestamp};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};

fn now() -> Timestamp {
    "2026-12-03T02:00:00Z".parse().unwrap()
}

fn form(username: &str, password: &str) -> SignUp {
    SignUp {
        username: username.into(),
        password: password.into(),
        name: "王建国".into(),
        id_type: "111".into(),
        id_number: "11010519491231002X".into(),
    }
}

async fn with_account() -> (TestDatabase, Accounts, StoredAccount) {
    let db = TestDatabase::new().await;
    let accounts = Accounts::new(db.store.clone(), PasswordPolicy::Standard);
    let account = accounts
        .sign_up(&form("Wang.JG", "a long pass phrase"), now())
        .await
        .unwrap();
    (db, accounts, account)
}

#[tokio::test]
async fn sign_up_checks_every_field_and_refuses_a_taken_name() {
    let (_db, accounts, account) = with_account().await;
    assert_eq!(account.username, "wang.jg");
    assert_ne!(account.password_hash, "a long pass phrase");
    assert!(account.password_hash.starts_with("$argon2id$"));

    let taken = accounts
        .sign_up(&form("WANG.jg", "another long one"), now())
        .await;
    assert!(matches!(taken, Err(SignUpError::Taken)), "{taken:?}");
    let common = accounts.sign_up(&form("li.si", "password123"), now()).await;
    assert!(matches!(
        common,
        Err(SignUpError::Invalid {
            field: "password",
            ..
        })
    ));
    let mut bad_id = form("li.si", "a long pass phrase");
    bad_id.id_number = "110105194912310021".into();
    let refused = accounts.sign_up(&bad_id, now()).await.unwrap_err();
    assert_eq!(refused.to_string(), "id_number: 证件号码有误，请核对");
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let (_db, accounts, _) = with_account().await;
    let unknown = accounts
        .log_in("nobody", "a long pass phrase", "10.0.0.1", now())
        .await
        .unwrap_err();
    let wrong = accounts
        .log_in("wang.jg", "not the password", "10.0.0.1", now())
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());
    assert!(matches!(unknown, LoginError::Refused));
    let ok = accounts
        .log_in("WANG.JG", "a long pass phrase", "10.0.0.1", now())
        .await
        .unwrap();
    assert_eq!(ok.username, "wang.jg");
}

#[tokio::test]
async fn five_failures_lock_a_username_for_a_while_whether_or_not_it_exists() {
    let (_db, accounts, _) = with_account().await;
    for username in ["wang.jg", "ghost"] {
        for attempt in 0..5 {
            let client = format!("10.0.1.{attempt}");
            let error = accounts
                .log_in(username, "wrong guess", &client, now())
                .await
                .unwrap_err();
            assert!(matches!(error, LoginError::Refused), "{error}");
        }
        let locked = accounts
            .log_in(username, "a long pass phrase", "10.0.2.1", now())
            .await
            .unwrap_err();
        let LoginError::Locked { until } = locked else {
            panic!("expected a lock, got {locked}");
        };
        assert_eq!(until, now() + SignedDuration::from_mins(15));
    }
    let later = now() + SignedDuration::from_mins(16);
    accounts
        .log_in("wang.jg", "a long pass phrase", "10.0.2.1", later)
        .await
        .unwrap();
}

#[tokio::test]
async fn one_address_guessing_many_usernames_is_locked_too() {
    let (_db, accounts, _) = with_account().await;
    for index in 0..20 {
        let _ = accounts
            .log_in(&format!("user{index}"), "guess", "10.9.9.9", now())
            .await;
    }
    let locked = accounts
        .log_in("wang.jg", "a long pass phrase", "10.9.9.9", now())
        .await
        .unwrap_err();
    assert!(matches!(locked, LoginError::Locked { .. }), "{locked}");
    accounts
        .log_in("wang.jg", "a long pass phrase", "10.1.1.1", now())
        .await
        .unwrap();
}

/// Keeps the messages instead of sending them.
#[derive(Default)]
struct Outbox(Mutex<Vec<(String, String)>>);

impl SmsProvider for Outbox {
    fn send(&self, to: &PhoneNumber, message: &str) -> Result<(), ProviderError> {
        self.0
            .lock()
            .unwrap()
            .push((to.as_str().to_owned(), message.to_owned()));
        Ok(())
    }
}

fn code_in(message: &str) -> String {
    message
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect()
}

#[tokio::test]
async fn a_phone_is_bound_only_with_the_code_sent_to_it() {
    let (db, accounts, account) = with_account().await;
    let outbox = Arc::new(Outbox::default());
    let id = &account.account_id;
    let refused = accounts
        .send_phone_code(id, "12345", outbox.clone(), now())
        .await
        .unwrap_err();
    assert!(matches!(refused, PhoneError::Invalid(_)));

    accounts
        .send_phone_code(id, "138 0013 8000", outbox.clone(), now())
        .await
        .unwrap();
    let again = accounts
        .send_phone_code(id, "13800138000", outbox.clone(), now())
        .await
        .unwrap_err();
    assert!(matches!(again, PhoneError::TooSoon(_)), "{again}");
    let (to, message) = outbox.0.lock().unwrap()[0].clone();
    assert_eq!(to, "13800138000");
    let code = code_in(&message);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = accounts.confirm_phone(id, wrong, now()).await.unwrap_err();
    assert!(matches!(error, PhoneError::Wrong));
    let late = accounts
        .confirm_phone(id, &code, now() + SignedDuration::from_mins(11))
        .await
        .unwrap_err();
    assert!(matches!(late, PhoneError::Expired));
    accounts.confirm_phone(id, &code, now()).await.unwrap();
    let stored = db.store.account(id).await.unwrap().unwrap();
    assert_eq!(stored.phone.as_deref(), Some("13800138000"));
}

#[tokio::test]
async fn sessions_end_after_idle_time_absolute_time_and_logout() {
    let (db, _, account) = with_account().await;
    let anonymous = sessions::open(&db.store, "10.0.0.1", now()).await.unwrap();
    let id = anonymous.new_id.clone().unwrap();
    let logged_in = sessions::log_in(
        &db.store,
        Some(&anonymous),
        &account.account_id,
        "10.0.0.1",
        now(),
    )
    .await
    .unwrap();
    assert!(
        sessions::find(&db.store, &id, now())
            .await
            .unwrap()
            .is_none(),
        "the id from before login must stop working (fixation)"
    );
    let new_id = logged_in.new_id.clone().unwrap();
    assert_ne!(new_id, id);
    let found = sessions::find(&db.store, &new_id, now() + SignedDuration::from_mins(29))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account_id(), Some(account.account_id.as_str()));
    assert!(
        sessions::find(
            &db.store,
            &new_id,
            now() + SignedDuration::from_mins(29 + 31)
        )
        .await
        .unwrap()
        .is_none(),
        "30 idle minutes end it"
    );

    let busy = sessions::log_in(&db.store, None, &account.account_id, "10.0.0.1", now())
        .await
        .unwrap();
    let busy_id = busy.new_id.clone().unwrap();
    let mut moment = now();
    for _ in 0..25 {
        moment += SignedDuration::from_mins(29);
        if sessions::find(&db.store, &busy_id, moment)
            .await
            .unwrap()
            .is_none()
        {
            break;
        }
    }
    assert!(moment <= now() + SignedDuration::from_hours(12) + SignedDuration::from_mins(29));
    assert!(
        sessions::find(&db.store, &busy_id, moment)
            .await
            .unwrap()
            .is_none()
    );

    let leaving = sessions::log_in(&db.store, None, &account.account_id, "10.0.0.1", now())
        .await
        .unwrap();
    sessions::log_out(&db.store, &leaving).await.unwrap();
    let leaving_id = leaving.new_id.unwrap();
    assert!(
        sessions::find(&db.store, &leaving_id, now())
            .await
            .unwrap()
            .is_none()
    );
}

/// A phone's device key, as the app makes it with WebCrypto.
struct Device {
    key: SigningKey,
    id: String,
}

impl Device {
    async fn register(db: &TestDatabase, account_id: &str) -> Self {
        let key = SigningKey::from_slice(&[7; 32]).unwrap();
        let point = key.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        let b64 = |part: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(part);
        let jwk = DeviceJwk {
            kty: "EC".into(),
            crv: "P-256".into(),
            x: b64(&bytes[1..33]),
            y: b64(&bytes[33..65]),
        };
        let id = realname::register_device(&db.store, account_id, &jwk, now())
            .await
            .unwrap();
        Self { key, id }
    }

    fn sign(&self, code: &str) -> String {
        let signature: Signature = self.key.sign(realname::approval_statement(code).as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature.to_bytes())
    }
}

async fn portal_session(db: &TestDatabase, account_id: &str) -> Session {
    sessions::log_in(&db.store, None, account_id, "192.0.2.10", now())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_app_approves_a_code_once_for_the_session_that_showed_it() {
    let (db, accounts, account) = with_account().await;
    let stranger = accounts
        .sign_up(&form("li.si", "another pass phrase"), now())
        .await
        .unwrap();
    let id = &account.account_id;
    let device = Device::register(&db, id).await;
    let portal = portal_session(&db, id).await;
    let other_tab = portal_session(&db, id).await;
    let code = realname::start(&db.store, &portal, now()).await.unwrap();
    assert_eq!(code.len(), 26, "128 bits in base32");
    assert_eq!(
        realname::state(&db.store, &portal, now()).await.unwrap(),
        ChallengeState::Pending
    );

    let shown = realname::describe(&db.store, id, &realname::grouped(&code), now())
        .await
        .unwrap();
    assert_eq!(shown.username, "wang.jg");
    assert_eq!(shown.client_address, "192.0.2.10");
    assert_eq!(shown.action, realname::ACTION);

    let foreign = realname::describe(&db.store, &stranger.account_id, &code, now()).await;
    assert!(
        matches!(foreign, Err(RealNameError::Unknown)),
        "another account's app"
    );
    let early =
        realname::approve(&db.store, id, &code, &device.id, &device.sign(&code), now()).await;
    assert!(matches!(early, Err(RealNameError::FaceNotChecked)));

    realname::check_face(
        &db.store,
        Arc::new(DevelopmentFace),
        id,
        &code,
        Vec::new(),
        now(),
    )
    .await
    .unwrap();
    let forged = realname::approve(
        &db.store,
        id,
        &code,
        &device.id,
        &device.sign("OTHER"),
        now(),
    )
    .await;
    assert!(matches!(forged, Err(RealNameError::BadSignature)));
    realname::approve(&db.store, id, &code, &device.id, &device.sign(&code), now())
        .await
        .unwrap();
    let replay =
        realname::approve(&db.store, id, &code, &device.id, &device.sign(&code), now()).await;
    assert!(matches!(replay, Err(RealNameError::AlreadyUsed)));

    let elsewhere = realname::complete(&db.store, &other_tab, now()).await;
    assert!(
        matches!(elsewhere, Err(RealNameError::NotApproved)),
        "another session"
    );
    let renewed = realname::complete(&db.store, &portal, now()).await.unwrap();
    assert!(renewed.authenticated());
    assert_ne!(
        renewed.stored.session_hash, portal.stored.session_hash,
        "id renewed"
    );
    assert_eq!(renewed.stored.created_at, portal.stored.created_at);
    let old_id = portal.new_id.clone().unwrap();
    assert!(
        sessions::find(&db.store, &old_id, now())
            .await
            .unwrap()
            .is_none()
    );
    let twice = realname::complete(&db.store, &renewed, now()).await;
    assert!(matches!(twice, Err(RealNameError::NotApproved)));
}

/// A face service that turns everyone away.
struct Refusing;

impl FaceVerifier for Refusing {
    fn verify(&self, _: &FaceSubject, _: &[u8]) -> Result<FaceCheck, ProviderError> {
        Ok(FaceCheck {
            passed: false,
            reason: Some("未检测到人脸".into()),
        })
    }
}

#[tokio::test]
async fn a_code_dies_after_five_minutes_and_a_refused_face_approves_nothing() {
    let (db, _, account) = with_account().await;
    let id = &account.account_id;
    let portal = portal_session(&db, id).await;
    let code = realname::start(&db.store, &portal, now()).await.unwrap();
    let late = now() + SignedDuration::from_mins(5);
    let expired = realname::describe(&db.store, id, &code, late).await;
    assert!(matches!(expired, Err(RealNameError::Expired)));
    assert_eq!(
        realname::state(&db.store, &portal, late).await.unwrap(),
        ChallengeState::Expired
    );

    let fresh = realname::start(&db.store, &portal, now()).await.unwrap();
    let refused =
        realname::check_face(&db.store, Arc::new(Refusing), id, &fresh, Vec::new(), now())
            .await
            .unwrap_err();
    assert_eq!(refused.to_string(), "人脸识别未通过：未检测到人脸");
    let device = Device::register(&db, id).await;
    let approve = realname::approve(
        &db.store,
        id,
        &fresh,
        &device.id,
        &device.sign(&fresh),
        now(),
    )
    .await;
    assert!(matches!(approve, Err(RealNameError::FaceNotChecked)));
}

#[tokio::test]
async fn the_demo_holders_see_their_own_certificates_and_bind_the_unlisted_one() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let settings = IssuerSettings::development();
    let seeded = demo::seed(&db.store, &settings, folder.path(), 3, now())
        .await
        .unwrap();
    let accounts = Accounts::new(db.store.clone(), PasswordPolicy::Standard);
    let demo_holders = demo::seed_holders(
        &db.store,
        &accounts,
        &settings,
        folder.path(),
        seeded.valid_from,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(demo_holders.len(), 6);
    demo::seed_holders(
        &db.store,
        &accounts,
        &settings,
        folder.path(),
        seeded.valid_from,
        now(),
    )
    .await
    .unwrap();

    let ready = accounts
        .log_in("demo", demo::PASSWORD, "10.0.0.1", now())
        .await
        .unwrap();
    let listed = holders::certificates(&db.store, &ready.account_id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let own = listed[0].registration.number.as_str().to_owned();

    let unlisted = accounts
        .log_in("demo-unlisted", demo::PASSWORD, "10.0.0.1", now())
        .await
        .unwrap();
    assert!(
        holders::certificates(&db.store, &unlisted.account_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        holders::certificate(&db.store, &unlisted.account_id, &own)
            .await
            .unwrap()
            .is_none(),
        "another holder's certificate is not found"
    );
    let foreign = holders::bind(&db.store, &unlisted, &own, now()).await;
    assert!(matches!(foreign, Err(holders::BindError::NotFound)));
    let passport_number = demo::registration(103, seeded.valid_from).number;
    holders::bind(&db.store, &unlisted, passport_number.as_str(), now())
        .await
        .unwrap();
    let after = holders::certificates(&db.store, &unlisted.account_id)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].registration.number, passport_number);
}
