//! Helpers shared by the integration tests: keys, times and outside tools.
#![allow(dead_code, reason = "each test file uses a different part")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecert_sign::{Algorithm, Kek, KeyRecord, Validity};
use jiff::Timestamp;

pub fn kek() -> Kek {
    Kek::from_slice(&[7u8; 32]).unwrap()
}

pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

pub fn validity() -> Validity {
    Validity {
        not_before: at("2025-01-01T00:00:00Z"),
        not_after: at("2035-01-01T00:00:00Z"),
    }
}

pub fn record(alg: Algorithm) -> KeyRecord {
    KeyRecord::generate(alg, &kek(), "ecert test signing key", validity()).unwrap()
}

/// Runs an outside tool; a missing one fails the test with how to install it.
pub fn run(program: &str, args: &[&str], install: &str) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); install it: {install}"))
}

pub fn openssl(args: &[&str]) -> Output {
    run("openssl", args, "apt-get install openssl")
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The Python of the tools venv that `scripts/python-tools` makes; fails with how to make it.
pub fn python() -> PathBuf {
    let root = repo_root();
    let python = root.join("target/pyvenv/bin/python");
    assert!(
        python.exists(),
        "the Python tools venv is missing: run `scripts/python-tools` (needs python3-venv)"
    );
    python
}

/// Claims of a typical certificate, issued at `issued_at`.
pub fn claims(issued_at: &str) -> ecert_sign::Claims {
    use jiff::civil::date;
    ecert_sign::Claims {
        licence_id: "1.2.156.3005.2.11100000000013338W.100001.001.K".into(),
        version: 1,
        name: "张三".into(),
        masked_id: "110101********123X".into(),
        registration_number: "11110101234".into(),
        employer: "北京某某建筑设计研究院有限公司".into(),
        registration_valid_from: date(2025, 3, 1),
        registration_valid_until: date(2027, 2, 28),
        usage_first_day: date(2026, 12, 1),
        usage_last_day: date(2027, 2, 28),
        issued_at: at(issued_at),
    }
}

/// The longest claims the domain allows: a 32-character name of four-byte characters and a
/// 64-character employer, none repeated (repeats would compress).
pub fn worst_case_claims(issued_at: &str) -> ecert_sign::Claims {
    ecert_sign::Claims {
        name: distinct(0x2_0000, 32),
        employer: distinct(0x5000, 64),
        masked_id: "A1234567********Z9".into(),
        registration_number: "1111010123456789".into(),
        ..claims(issued_at)
    }
}

/// `count` different characters from `first` on, spaced so that zlib finds nothing to share.
pub fn distinct(first: u32, count: u32) -> String {
    (0..count)
        .filter_map(|i| char::from_u32(first + i * 37))
        .collect()
}
