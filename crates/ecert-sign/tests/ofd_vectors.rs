//! Runs every OFD seal vector in `vectors/ofd/` and compares with its expectation.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod common;

use ecert_sign::{Refusal, TrustList, verify_ofd};
use serde_json::Value;

#[test]
fn every_ofd_vector_gives_its_expected_result() {
    let dir = common::repo_root().join("vectors/ofd");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            check(&path);
            count += 1;
        }
    }
    assert!(count >= 7, "only {count} vectors in {}", dir.display());
}

fn check(path: &std::path::Path) {
    let name = path.file_name().unwrap().to_string_lossy();
    let vector: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let trust = TrustList::from_json(&vector["trust_list"].to_string()).unwrap();
    let ofd = path.with_file_name(vector["ofd"].as_str().unwrap());
    let result = verify_ofd(&std::fs::read(ofd).unwrap(), &trust);
    let expected = &vector["expected"];
    if expected["valid"].as_bool().unwrap() {
        let info = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            Some(info.key_id.as_str()),
            expected["key_id"].as_str(),
            "{name}"
        );
        let signed_at = info.signed_at.to_string();
        assert_eq!(
            Some(signed_at.as_str()),
            expected["signed_at"].as_str(),
            "{name}"
        );
    } else {
        let code = result.as_ref().map_err(Refusal::code);
        assert_eq!(
            code.err(),
            expected["reason"].as_str(),
            "{name}: {result:?}"
        );
    }
}
