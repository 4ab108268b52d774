//! Demo holders: one account for each state a holder can meet in the guide, so a new user
//! can walk every path and every FAQ answer at once after `ecert serve --demo`.

use std::path::Path;

use ecert_domain::{IdDocument, IdType, Registration, RegistrationRecord, calendar};
use ecert_store::Store;
use jiff::Timestamp;
use jiff::civil::Date;

use super::{SeedError, photo_png, registration, row, signature_png};
use crate::accounts::{Accounts, SignUp, SignUpError};
use crate::{IssuerSettings, NoProgress, import, registry};

/// The password of every demo account (demo mode only).
pub const PASSWORD: &str = "ecert-demo-2026";

/// The phone number bound to the demo accounts that have one.
const PHONE: &str = "13800138000";

/// A demo account and what the holder sees with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoHolder {
    /// The username.
    pub username: &'static str,
    /// What logging in as it shows.
    pub shows: &'static str,
}

/// The state a demo holder's certificate is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Everything in order: endorse and download.
    Ready,
    /// No phone bound (FAQ 二).
    NoPhone,
    /// The registration has lapsed: 证照过期 (FAQ 一).
    Lapsed,
    /// Not reported to the ministry: 加注失败 (FAQ 三).
    Unreported,
    /// No signature image on file (FAQ 四).
    NoSignature,
    /// Recorded under a passport, so not listed by the account's ID card: [绑定证照] (FAQ 五).
    Unlisted,
}

const HOLDERS: [(&str, Case, &str); 6] = [
    ("demo", Case::Ready, "证书可加注、下载"),
    ("demo-nophone", Case::NoPhone, "未绑定手机号（常见问题二）"),
    (
        "demo-lapsed",
        Case::Lapsed,
        "注册已过期：证照过期（常见问题一）",
    ),
    (
        "demo-unreported",
        Case::Unreported,
        "未上报：加注失败（常见问题三）",
    ),
    (
        "demo-nosignature",
        Case::NoSignature,
        "缺少手写签名图像（常见问题四）",
    ),
    (
        "demo-unlisted",
        Case::Unlisted,
        "证照未列出，需[绑定证照]（常见问题五）",
    ),
];

/// Seeds the demo accounts beside the demo registrations (made by [`super::seed`] with
/// `valid_from`). Running it again changes nothing.
pub async fn seed_holders(
    store: &Store,
    accounts: &Accounts,
    settings: &IssuerSettings,
    folder: &Path,
    valid_from: Date,
    now: Timestamp,
) -> Result<Vec<DemoHolder>, SeedError> {
    let special = special_registrations(valid_from);
    import_special(store, settings, folder, &special, now).await?;
    let mut seeded = Vec::new();
    for (username, case, shows) in HOLDERS {
        let registration = match case {
            Case::Ready => registration(0, valid_from),
            Case::NoPhone => registration(1, valid_from),
            _ => special
                .iter()
                .find(|(c, _)| *c == case)
                .map(|(_, r)| r.clone())
                .expect("every special case has a registration"),
        };
        ensure_account(
            store,
            accounts,
            username,
            &registration,
            case != Case::NoPhone,
            now,
        )
        .await?;
        seeded.push(DemoHolder { username, shows });
    }
    Ok(seeded)
}

fn special_registrations(valid_from: Date) -> Vec<(Case, Registration)> {
    let lapsed_from = calendar::add_days(valid_from, -800);
    let mut unlisted = registration(103, valid_from);
    let passport = IdType::parse("414").expect("a valid type code");
    unlisted.id = IdDocument::parse(passport, unlisted.id.number()).expect("printable number");
    vec![
        (Case::Lapsed, registration(100, lapsed_from)),
        (Case::Unreported, registration(101, valid_from)),
        (Case::NoSignature, registration(102, valid_from)),
        (Case::Unlisted, unlisted),
    ]
}

async fn import_special(
    store: &Store,
    settings: &IssuerSettings,
    folder: &Path,
    special: &[(Case, Registration)],
    now: Timestamp,
) -> Result<(), SeedError> {
    let materials = folder.join("holder-materials");
    std::fs::create_dir_all(&materials)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(import::COLUMNS)
        .map_err(std::io::Error::other)?;
    for (index, (case, registration)) in special.iter().enumerate() {
        let record = RegistrationRecord::of(registration);
        writer
            .write_record(row(&record))
            .map_err(std::io::Error::other)?;
        let number = &registration.number;
        let seed = 100 + u32::try_from(index).unwrap_or(0);
        std::fs::write(
            materials.join(format!("{number}.photo.png")),
            photo_png(seed),
        )?;
        if *case != Case::NoSignature {
            std::fs::write(
                materials.join(format!("{number}.signature.png")),
                signature_png(seed),
            )?;
        }
    }
    let file = folder.join("holders.csv");
    std::fs::write(&file, writer.into_inner().map_err(std::io::Error::other)?)?;
    import::import_registrations(store, &file, settings, now, &NoProgress).await?;
    import::import_materials(store, &materials, now, &NoProgress).await?;
    let reported: Vec<_> = special
        .iter()
        .filter(|(case, _)| *case != Case::Unreported)
        .map(|(_, registration)| registration.number.clone())
        .collect();
    registry::report(store, &reported, now).await?;
    Ok(())
}

async fn ensure_account(
    store: &Store,
    accounts: &Accounts,
    username: &str,
    registration: &Registration,
    with_phone: bool,
    now: Timestamp,
) -> Result<(), SeedError> {
    let form = SignUp {
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
        name: registration.name.as_str().to_owned(),
        id_type: IdType::RESIDENT_CARD.to_owned(),
        id_number: registration.id.number().to_owned(),
    };
    let account = match accounts.sign_up(&form, now).await {
        Ok(account) => account,
        Err(SignUpError::Taken) => return Ok(()),
        Err(error) => return Err(SeedError::Accounts(error.to_string())),
    };
    if with_phone {
        store.bind_phone(&account.account_id, PHONE).await?;
    }
    Ok(())
}
