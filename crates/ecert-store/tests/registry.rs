//! Storage behaviour, run against SQLite or PostgreSQL as `ECERT_TEST_DATABASE_URL` says.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use ecert_domain::testing::registration;
use ecert_domain::{PrintedFields, Registration, RegistrationEvent, RegistrationNumber};
use ecert_store::testing::TestDatabase;
use ecert_store::{Material, MaterialKind, NewVersion, RegistrationWrite};
use jiff::Timestamp;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_780_000_000 + seconds).unwrap()
}

fn numbered(number: &str) -> Registration {
    Registration {
        number: RegistrationNumber::parse(number).unwrap(),
        ..registration()
    }
}

fn initial(registration: Registration) -> RegistrationWrite {
    let fields = PrintedFields::of(&registration, "中华人民共和国住房和城乡建设部");
    RegistrationWrite {
        new_version: Some(NewVersion {
            number: 1,
            licence_id: format!("licence-{}-1", registration.number),
            fields,
        }),
        registration,
        is_new: true,
        events: vec![RegistrationEvent::Initial],
        status_changed_on: None,
    }
}

#[tokio::test]
async fn a_written_registration_reads_back_with_its_first_version() {
    let db = TestDatabase::new().await;
    let write = initial(numbered("A1"));
    db.store
        .write_registrations(std::slice::from_ref(&write), at(0))
        .await
        .unwrap();

    let stored = db
        .store
        .registration(&write.registration.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.registration, write.registration);
    assert_eq!(stored.reported_at, None);
    let version = stored.current_version.unwrap();
    assert_eq!(version.number, 1);
    assert_eq!(Some(version.fields), write.new_version.map(|v| v.fields));
}

#[tokio::test]
async fn a_thousand_registrations_are_written_in_chunks_and_all_found() {
    let db = TestDatabase::new().await;
    let writes: Vec<_> = (0..1000)
        .map(|n| initial(numbered(&format!("B{n:05}"))))
        .collect();
    db.store.write_registrations(&writes, at(0)).await.unwrap();

    let numbers: Vec<_> = writes
        .iter()
        .map(|w| w.registration.number.clone())
        .collect();
    let found = db.store.registrations(&numbers).await.unwrap();
    assert_eq!(found.len(), 1000);
    assert_eq!(db.store.registration_numbers().await.unwrap(), numbers);
}

#[tokio::test]
async fn a_change_supersedes_the_old_version_records_the_event_and_needs_reporting_again() {
    let db = TestDatabase::new().await;
    let first = initial(numbered("C1"));
    let number = first.registration.number.clone();
    db.store
        .write_registrations(std::slice::from_ref(&first), at(0))
        .await
        .unwrap();
    db.store
        .mark_reported(std::slice::from_ref(&number), at(1))
        .await
        .unwrap();

    let mut changed = first.registration.clone();
    changed.employer_name = "新单位建筑设计有限公司".into();
    let change = RegistrationWrite {
        events: first.registration.events_towards(&changed),
        new_version: Some(NewVersion {
            number: 2,
            licence_id: "licence-C1-2".into(),
            fields: PrintedFields::of(&changed, "中华人民共和国住房和城乡建设部"),
        }),
        registration: changed.clone(),
        is_new: false,
        status_changed_on: None,
    };
    db.store
        .write_registrations(&[change], at(10))
        .await
        .unwrap();

    let detail = db
        .store
        .registration_detail(&number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.stored.registration, changed);
    assert_eq!(
        detail.stored.reported_at, None,
        "a change must be reported again"
    );
    let kinds: Vec<_> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["initial", "change"]);
    assert_eq!(detail.events[1].detail["fields"][0], "employer_name");
    let numbers: Vec<_> = detail.versions.iter().map(|(v, _)| v.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(
        detail.versions[0].0.superseded.map(|s| (s.by, s.at)),
        Some((2, at(10)))
    );
    assert_eq!(detail.stored.current_version.unwrap().number, 2);
}

#[tokio::test]
async fn reporting_an_unknown_number_marks_nothing_and_names_it() {
    let db = TestDatabase::new().await;
    let known = initial(numbered("D1"));
    db.store
        .write_registrations(std::slice::from_ref(&known), at(0))
        .await
        .unwrap();
    let unknown = RegistrationNumber::parse("D404").unwrap();

    let missing = db
        .store
        .mark_reported(&[known.registration.number.clone(), unknown.clone()], at(1))
        .await
        .unwrap();
    assert_eq!(missing, [unknown]);
    let stored = db
        .store
        .registration(&known.registration.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.reported_at, None);

    db.store
        .mark_reported(std::slice::from_ref(&known.registration.number), at(2))
        .await
        .unwrap();
    let stored = db
        .store
        .registration(&known.registration.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.reported_at, Some(at(2)));
}

#[tokio::test]
async fn a_failing_batch_writes_nothing_at_all() {
    let db = TestDatabase::new().await;
    let good = initial(numbered("E1"));
    // The same number twice breaks the primary key in the middle of the batch.
    let batch = [
        good.clone(),
        initial(numbered("E2")),
        initial(numbered("E2")),
    ];
    assert!(db.store.write_registrations(&batch, at(0)).await.is_err());
    assert!(
        db.store
            .registration(&good.registration.number)
            .await
            .unwrap()
            .is_none()
    );
    assert!(db.store.registration_numbers().await.unwrap().is_empty());
}

#[tokio::test]
async fn materials_are_replaced_not_duplicated_and_listed_without_bytes() {
    let db = TestDatabase::new().await;
    let write = initial(numbered("F1"));
    let number = write.registration.number.clone();
    db.store.write_registrations(&[write], at(0)).await.unwrap();
    let photo = |content: &[u8]| Material {
        kind: MaterialKind::Photo,
        media_type: "image/jpeg".into(),
        width: 300,
        height: 400,
        content: content.to_vec(),
        sha256: format!("digest-of-{}", content.len()),
    };
    db.store
        .save_materials(&[(number.clone(), photo(b"first"))], at(1))
        .await
        .unwrap();
    db.store
        .save_materials(&[(number.clone(), photo(b"second!"))], at(2))
        .await
        .unwrap();

    let stored = db
        .store
        .material(&number, MaterialKind::Photo)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.content, b"second!");
    let summaries = db.store.material_summaries(&number).await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!((summaries[0].bytes, summaries[0].updated_at), (7, at(2)));
    assert!(
        db.store
            .material(&number, MaterialKind::Signature)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let db = TestDatabase::new().await;
    db.store.migrate().await.unwrap();
    db.store.ping().await.unwrap();
}

#[tokio::test]
async fn signing_keys_are_kept_in_order_and_retired_in_place() {
    let db = TestDatabase::new().await;
    let key = |id: &str, seconds| ecert_store::StoredKey {
        key_id: id.into(),
        algorithm: "ES256".into(),
        record: format!("{{\"id\":\"{id}\"}}"),
        created_at: at(seconds),
        retired_at: None,
    };
    db.store.insert_signing_key(&key("k2", 5)).await.unwrap();
    db.store.insert_signing_key(&key("k1", 1)).await.unwrap();
    assert!(
        db.store.insert_signing_key(&key("k1", 9)).await.is_err(),
        "ids are unique"
    );

    let retired = ecert_store::StoredKey {
        retired_at: Some(at(7)),
        ..key("k1", 1)
    };
    assert!(db.store.update_signing_key(&retired).await.unwrap());
    assert!(!db.store.update_signing_key(&key("k404", 1)).await.unwrap());
    let keys = db.store.signing_keys().await.unwrap();
    assert_eq!(keys, [retired, key("k2", 5)]);
}
