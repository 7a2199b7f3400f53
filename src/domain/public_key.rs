//! The checks Twilio makes of an encryption key, run in the browser before
//! upload and again on the server: PEM SubjectPublicKeyInfo, RSA, 2048 bits,
//! exponent 65537. Each failure says what was found and what is expected.

use base64ct::{Base64, Encoding};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const END: &str = "-----END PUBLIC KEY-----";

/// Longest PEM text accepted: a 2048-bit key is about 450 bytes.
pub const MAX_PEM_BYTES: usize = 8 * 1024;

/// Checks pasted PEM text; the message completes "Public key …".
pub fn check_public_key(text: &str) -> Result<(), String> {
    let text = text.trim();
    if text.len() > MAX_PEM_BYTES {
        return Err(format!(
            "is {} bytes long; a 2048-bit public key in PEM is about 450, and at most \
             {MAX_PEM_BYTES} are accepted",
            text.len()
        ));
    }
    if text.is_empty() {
        return Err(format!(
            "is required: paste the PEM text, from {BEGIN} to {END}"
        ));
    }
    if text.contains("PRIVATE KEY") {
        return Err(
            "is a private key. Never share it: paste the public key, made with \
             `openssl rsa -in private.pem -pubout`"
                .into(),
        );
    }
    if text.contains("BEGIN RSA PUBLIC KEY") {
        return Err("is in PKCS#1 form (BEGIN RSA PUBLIC KEY); Twilio needs \
             SubjectPublicKeyInfo (BEGIN PUBLIC KEY): convert it with \
             `openssl rsa -RSAPublicKey_in -in key.pem -pubout`"
            .into());
    }
    let not_pem =
        || format!("is not a PEM public key: expected base64 text between {BEGIN} and {END}");
    let body = text.strip_prefix(BEGIN).unwrap_or(text);
    let body = body.strip_suffix(END).unwrap_or(body);
    if body.contains("-----") {
        return Err(not_pem());
    }
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = Base64::decode_vec(&base64).map_err(|_| not_pem())?;
    let info = SubjectPublicKeyInfoRef::try_from(der.as_slice()).map_err(|_| not_pem())?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(format!(
            "is not an RSA key (its algorithm is {}); Twilio accepts RSA keys only",
            algorithm_name(info.algorithm.oid)
        ));
    }
    let key = info
        .subject_public_key
        .as_bytes()
        .and_then(|bytes| pkcs1::RsaPublicKey::try_from(bytes).ok())
        .ok_or_else(|| "is damaged: its RSA numbers could not be read".to_owned())?;
    let bits = bit_length(key.modulus.as_bytes());
    if bits != 2048 {
        return Err(format!(
            "is a {bits}-bit key; Twilio needs exactly 2048 bits"
        ));
    }
    if key.public_exponent.as_bytes() != [0x01, 0x00, 0x01] {
        return Err(format!(
            "has public exponent {}; Twilio needs 65537",
            exponent_text(key.public_exponent.as_bytes())
        ));
    }
    Ok(())
}

fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "elliptic curve".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("OID {other}"),
    }
}

/// Bits in a big-endian unsigned integer without leading zero bytes.
fn bit_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(first) => bytes.len() * 8 - first.leading_zeros() as usize,
    }
}

fn exponent_text(bytes: &[u8]) -> String {
    if bytes.len() <= 8 {
        let value = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        value.to_string()
    } else {
        format!("of {} bits", bit_length(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = include_str!("testdata/rsa2048.pub.pem");

    #[test]
    fn accepts_rsa_2048_with_or_without_the_pem_lines() {
        assert_eq!(check_public_key(GOOD), Ok(()));
        let bare: String = GOOD.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(check_public_key(&bare), Ok(()));
    }

    #[test]
    fn each_failure_says_what_was_found() {
        let message = |pem: &str| check_public_key(pem).unwrap_err();
        assert!(message(include_str!("testdata/ec-p256.pub.pem"))
            .contains("not an RSA key (its algorithm is elliptic curve)"));
        assert_eq!(
            message(include_str!("testdata/rsa1024.pub.pem")),
            "is a 1024-bit key; Twilio needs exactly 2048 bits"
        );
        assert_eq!(
            message(include_str!("testdata/rsa2048-e3.pub.pem")),
            "has public exponent 3; Twilio needs 65537"
        );
        assert!(message("").starts_with("is required"));
        assert!(message("hello").starts_with("is not a PEM public key"));
        assert!(message(&GOOD.replace('M', "N")).starts_with("is not a PEM public key"));
        assert!(
            message("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----")
                .starts_with("is a private key")
        );
        assert!(
            message("-----BEGIN RSA PUBLIC KEY-----\nabc\n-----END RSA PUBLIC KEY-----")
                .contains("PKCS#1")
        );
    }
}
