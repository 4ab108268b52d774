//! Known-answer tests for SM3, SM4, SM2 and ES256 from their standards' published examples.

use sm3::{Digest as _, Sm3};
use sm4::cipher::{BlockCipherEncrypt as _, KeyInit as _};

use crate::Algorithm;
use crate::crypto::{PrivateKey, PublicKey, der_to_raw};

fn hex(text: &str) -> Vec<u8> {
    let clean: String = text.split_whitespace().collect();
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn sm3_of_abc_matches_gb_t_32905_example_1() {
    let expected = hex("66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0");
    assert_eq!(Sm3::digest(b"abc").to_vec(), expected);
}

#[test]
fn sm3_of_abcd_sixteen_times_matches_gb_t_32905_example_2() {
    let expected = hex("debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732");
    assert_eq!(Sm3::digest(b"abcd".repeat(16)).to_vec(), expected);
}

#[test]
fn sm4_encrypts_the_gb_t_32907_example_block() {
    let key = hex("01234567 89abcdef fedcba98 76543210");
    let cipher = sm4::Sm4::new_from_slice(&key).unwrap();
    let mut block = sm4::cipher::Block::<sm4::Sm4>::try_from(key.as_slice()).unwrap();
    cipher.encrypt_block(&mut block);
    assert_eq!(block.to_vec(), hex("681edf34 d206965e 86b3e94f 536e4246"));
}

/// GB/T 32918.2-2016 (GM/T 0003.5) example on the recommended curve: signer ID
/// `1234567812345678`, message "message digest". The published (r, s) came from a fixed k
/// that a deterministic signer does not use, so the example is checked by verification
/// through the same public-key type the verifiers use.
#[test]
fn sm2_verifies_the_gb_t_32918_example_signature() {
    let secret = hex("3945208f 7b2144b1 3f36e38a c6d39f95 88939369 2860b51a 42fb81ef 4df7c5b8");
    let key = PrivateKey::from_scalar(Algorithm::Sm2Sm3, &secret).unwrap();
    let x = hex("09f9df31 1e5421a1 50dd7d16 1e4bc5c6 72179fad 1833fc07 6bb08ff3 56f35020");
    let y = hex("ccea490c e26775a5 2dc6ea71 8cc1aa60 0aed05fb f35e084a 6632f607 2da9ad13");
    let public = PublicKey::from_sec1(Algorithm::Sm2Sm3, &[&[4u8][..], &x, &y].concat()).unwrap();
    assert_eq!(key.public_key(), public);
    let r = hex("f5a03b06 48d2c463 0eeac513 e1bb81a1 5944da38 27d5b741 43ac7eac eee720b3");
    let s = hex("b1b6aa29 df212fd8 763182bc 0d421ca1 bb9038fd 1f7f42d4 840b69c4 85bbc1aa");
    let signature = [r, s].concat();
    assert!(public.verify_raw(b"message digest", &signature));
    assert!(!public.verify_raw(b"message digesT", &signature));
    let der = crate::crypto::raw_to_der(&signature).unwrap();
    assert!(public.verify_der(b"message digest", &der));
}

#[test]
fn sm2_signatures_of_the_software_key_verify_and_differ_per_message() {
    let key = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
    let public = key.public_key();
    let first = key.sign(b"one").unwrap();
    assert!(public.verify_der(b"one", &first));
    assert!(!public.verify_der(b"two", &first));
    assert_ne!(first, key.sign(b"two").unwrap());
}

/// RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample". p256 signs with RFC 6979
/// nonces, so the published (r, s) come out exactly.
#[test]
fn es256_signature_matches_the_rfc_6979_p256_sample_vector() {
    let secret = hex("c9afa9d8 45ba7516 6b5c2157 67b1d693 4e50c3db 36e89b12 7b8a622b 120f6721");
    let key = PrivateKey::from_scalar(Algorithm::Es256, &secret).unwrap();
    let signature = der_to_raw(&key.sign(b"sample").unwrap()).unwrap();
    let r = hex("efd48b2a acb6a8fd 1140dd9c d45e81d6 9d2c877b 56aaf991 c34d0ea8 4eaf3716");
    let s = hex("f7cb1c94 2d657c41 d436c7a1 b6e29f65 f3e900db b9aff406 4dc4ab2f 843acda8");
    assert_eq!(signature, [r, s].concat());
    assert!(key.public_key().verify_raw(b"sample", &signature));
}
