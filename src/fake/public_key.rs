//! Twilio's checks of an uploaded encryption key: X.509 SubjectPublicKeyInfo
//! (PEM, the BEGIN/END lines optional), RSA, 2048 bits, exponent 65537.

use super::error::ApiError;
use axum::http::StatusCode;
use base64::Engine;
use rsa::pkcs8::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn refuse(code: u32, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

pub fn check_public_key(text: &str) -> Result<(), ApiError> {
    let invalid = || {
        refuse(
            70104,
            "Invalid public key: it must be an X.509 SubjectPublicKeyInfo in PEM format",
        )
    };
    let body = text
        .trim()
        .trim_start_matches("-----BEGIN PUBLIC KEY-----")
        .trim_end_matches("-----END PUBLIC KEY-----");
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| invalid())?;
    let info = SubjectPublicKeyInfoRef::try_from(der.as_slice()).map_err(|_| invalid())?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(refuse(
            70101,
            "Unsupported public key algorithm: only RSA is supported",
        ));
    }
    let key = RsaPublicKey::try_from(info).map_err(|_| invalid())?;
    if key.n().bits() != 2048 {
        return Err(refuse(
            70102,
            "Unsupported public key length: the key must be 2048 bits",
        ));
    }
    if *key.e() != BigUint::from(65537u32) {
        return Err(refuse(
            70103,
            "Unsupported public key exponent: it must be 65537",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    fn code(result: Result<(), ApiError>) -> u32 {
        let response = result.unwrap_err().into_response();
        let body = body_json(response);
        body["code"].as_u64().unwrap() as u32
    }

    fn body_json(response: axum::response::Response) -> serde_json::Value {
        let bytes = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 16))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    const GOOD: &str = include_str!("../domain/testdata/rsa2048.pub.pem");

    #[test]
    fn accepts_rsa_2048_with_or_without_the_pem_lines() {
        assert!(check_public_key(GOOD).is_ok());
        let bare: String = GOOD.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(check_public_key(&bare).is_ok());
    }

    #[test]
    fn each_failure_has_its_twilio_code() {
        assert_eq!(
            code(check_public_key(include_str!(
                "../domain/testdata/ec-p256.pub.pem"
            ))),
            70101
        );
        assert_eq!(
            code(check_public_key(include_str!(
                "../domain/testdata/rsa1024.pub.pem"
            ))),
            70102
        );
        assert_eq!(
            code(check_public_key(include_str!(
                "../domain/testdata/rsa2048-e3.pub.pem"
            ))),
            70103
        );
        assert_eq!(code(check_public_key("not a key")), 70104);
        assert_eq!(code(check_public_key(&GOOD.replace('M', "N"))), 70104);
    }
}
