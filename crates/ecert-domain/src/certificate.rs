//! Electronic certificate (电子证书) versions: each change of a printed field makes a new one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::Day;
use crate::registration::Registration;

/// Everything printed on a certificate. Two versions differ exactly when these differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintedFields {
    /// 姓名.
    pub name: String,
    /// 性别, as printed (男 or 女).
    pub gender: String,
    /// 出生日期.
    pub birth_date: Day,
    /// ID type code.
    pub id_type: String,
    /// 身份证件号码.
    pub id_number: String,
    /// 注册号.
    pub registration_number: String,
    /// 执业印章号.
    pub seal_number: String,
    /// 聘用单位.
    pub employer_name: String,
    /// First day of the registration's validity.
    pub valid_from: Day,
    /// Last day of the registration's validity.
    pub valid_until: Day,
    /// 发证机关.
    pub issuing_authority: String,
    /// 发证日期.
    pub issued_on: Day,
}

impl PrintedFields {
    /// The fields a registration prints, with the name of the authority that issues it.
    pub fn of(registration: &Registration, issuing_authority: &str) -> Self {
        Self {
            name: registration.name.as_str().to_owned(),
            gender: registration.gender.chinese().to_owned(),
            birth_date: registration.birth_date,
            id_type: registration.id.id_type().as_str().to_owned(),
            id_number: registration.id.number().to_owned(),
            registration_number: registration.number.as_str().to_owned(),
            seal_number: registration.seal_number.as_str().to_owned(),
            employer_name: registration.employer_name.clone(),
            valid_from: registration.valid_from,
            valid_until: registration.valid_until,
            issuing_authority: issuing_authority.to_owned(),
            issued_on: registration.issued_on,
        }
    }
}

/// One version of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateVersion {
    /// Version number, from 1.
    pub number: u16,
    /// What this version prints.
    pub fields: PrintedFields,
    /// When this version was made.
    pub created_at: Timestamp,
    /// When a newer version replaced it, and which.
    pub superseded: Option<Supersession>,
}

/// The replacement of a version by its successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Supersession {
    /// The version that replaced this one.
    pub by: u16,
    /// When it did.
    pub at: Timestamp,
}

/// Every version of one certificate, oldest first; the last is current.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionHistory {
    versions: Vec<CertificateVersion>,
}

impl VersionHistory {
    /// A history from stored versions, oldest first.
    pub fn from_versions(versions: Vec<CertificateVersion>) -> Self {
        Self { versions }
    }

    /// The current version, if any was made.
    pub fn current(&self) -> Option<&CertificateVersion> {
        self.versions.last()
    }

    /// Version `number`.
    pub fn version(&self, number: u16) -> Option<&CertificateVersion> {
        self.versions
            .iter()
            .find(|version| version.number == number)
    }

    /// All versions, oldest first.
    pub fn versions(&self) -> &[CertificateVersion] {
        &self.versions
    }

    /// Records what the certificate prints now. The first record makes version 1; a record
    /// that differs from the current version makes the next one and supersedes the current;
    /// an identical record changes nothing. Returns the new version's number, if one was made.
    pub fn record(&mut self, fields: PrintedFields, at: Timestamp) -> Option<u16> {
        let number = match self.versions.last_mut() {
            Some(current) if current.fields == fields => return None,
            Some(current) => {
                let number = current.number + 1;
                current.superseded = Some(Supersession { by: number, at });
                number
            }
            None => 1,
        };
        self.versions.push(CertificateVersion {
            number,
            fields,
            created_at: at,
            superseded: None,
        });
        Some(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::registration;
    use proptest::prelude::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + seconds).unwrap()
    }

    #[test]
    fn the_first_record_makes_version_one() {
        let mut history = VersionHistory::default();
        let fields = PrintedFields::of(&registration(), "中华人民共和国住房和城乡建设部");
        assert_eq!(history.record(fields, at(0)), Some(1));
        assert_eq!(history.current().unwrap().superseded, None);
    }

    #[test]
    fn an_unchanged_record_makes_no_version() {
        let mut history = VersionHistory::default();
        let fields = PrintedFields::of(&registration(), "住建部");
        history.record(fields.clone(), at(0));
        assert_eq!(history.record(fields, at(1)), None);
        assert_eq!(history.versions().len(), 1);
    }

    #[test]
    fn a_new_employer_supersedes_the_old_version_and_names_its_successor() {
        let mut history = VersionHistory::default();
        let mut registration = registration();
        history.record(PrintedFields::of(&registration, "住建部"), at(0));
        registration.employer_name = "新单位建筑设计有限公司".into();
        assert_eq!(
            history.record(PrintedFields::of(&registration, "住建部"), at(5)),
            Some(2)
        );
        let old = history.version(1).unwrap();
        assert_eq!(old.superseded, Some(Supersession { by: 2, at: at(5) }));
        assert_eq!(history.current().unwrap().number, 2);
    }

    proptest! {
        #[test]
        fn versions_count_the_distinct_consecutive_records(
            employers in prop::collection::vec(0u8..3, 1..20),
        ) {
            let mut history = VersionHistory::default();
            let mut registration = registration();
            let mut expected = 0;
            let mut previous = None;
            for (index, employer) in employers.iter().enumerate() {
                registration.employer_name = format!("单位{employer}");
                if previous != Some(*employer) {
                    expected += 1;
                }
                previous = Some(*employer);
                let moment = at(i64::try_from(index).unwrap());
                history.record(PrintedFields::of(&registration, "住建部"), moment);
            }
            prop_assert_eq!(history.versions().len(), expected);
            let superseded = history.versions().iter().filter(|v| v.superseded.is_some()).count();
            prop_assert_eq!(superseded, expected - 1);
            for pair in history.versions().windows(2) {
                prop_assert_eq!(pair[0].superseded.map(|s| s.by), Some(pair[1].number));
            }
        }
    }
}
