//! Random tokens and their digests: what the browser holds is random, what the database
//! keeps is its SHA-256.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A token of `bytes` random bytes, base64url without padding.
pub fn token(bytes: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random(bytes))
}

/// `bytes` random bytes from the operating system.
///
/// # Panics
/// When the operating system has no random numbers to give; nothing secure can go on then.
pub fn random(bytes: usize) -> Vec<u8> {
    let mut buffer = vec![0; bytes];
    getrandom::fill(&mut buffer).expect("the operating system provides random numbers");
    buffer
}

/// SHA-256 of a secret, hex: the form in which secrets are stored and looked up.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let (a, b) = (token(32), token(32));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn digests_are_stable_hex() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
    }
}
