//! Form bodies as Twilio reads them: UTF-8, form-encoded, known keys only,
//! values of sane length. Anything else is a 400 with code 20001.

use super::error::{bad_request, ApiError};

/// Longer values are refused; a 4096-bit PEM key is well under this.
const MAX_VALUE_CHARS: usize = 4096;

pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8], allowed: &[&str]) -> Result<Self, ApiError> {
        if std::str::from_utf8(body).is_err() {
            return Err(bad_request("The request body is not valid UTF-8"));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| bad_request("The request body is not valid form encoding"))?;
        for (key, value) in &pairs {
            if !allowed.contains(&key.as_str()) {
                return Err(bad_request(format!("Unknown parameter {key}")));
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(bad_request(format!(
                    "Parameter {key} is too long: at most {MAX_VALUE_CHARS} characters"
                )));
            }
        }
        Ok(Self(pairs))
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The last value given for `key`, as Twilio takes repeated keys.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.get(key).ok_or_else(|| {
            bad_request(format!("Missing required parameter {key} in the post body"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unknown_keys_bad_encoding_and_long_values() {
        assert!(Form::parse(b"Other=1", &["FriendlyName"]).is_err());
        assert!(Form::parse(&[0xff, 0xfe], &["FriendlyName"]).is_err());
        let long = format!("FriendlyName={}", "x".repeat(MAX_VALUE_CHARS + 1));
        assert!(Form::parse(long.as_bytes(), &["FriendlyName"]).is_err());
    }

    #[test]
    fn the_last_repeated_value_wins() {
        let form = Form::parse(b"FriendlyName=a&FriendlyName=b", &["FriendlyName"]).unwrap();
        assert_eq!(form.get("FriendlyName"), Some("b"));
        assert!(form.required("Other").is_err());
    }
}
