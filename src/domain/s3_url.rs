//! The bucket URL Twilio writes media to. Twilio wants a DNS-compliant
//! `https://` URL in 7-bit ASCII, virtual-hosted style:
//! `https://<bucket>.s3.<region>.amazonaws.com/<optional/path>`.

/// An example of the form Twilio expects, shown in help text and messages.
pub const EXAMPLE: &str = "https://my-bucket.s3.us-east-1.amazonaws.com/recordings";

/// Longest bucket URL accepted (S3 object keys stop at 1,024 bytes).
pub const MAX_S3_URL: usize = 1024;

/// Checks a bucket URL; the error says what is wrong and what is expected.
pub fn check_s3_url(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        return Err(format!(
            "is required when external storage is enabled, e.g. {EXAMPLE}"
        ));
    }
    if raw.chars().count() > MAX_S3_URL {
        return Err(format!(
            "is {} characters long; at most {MAX_S3_URL} are allowed",
            raw.chars().count()
        ));
    }
    if raw.contains("AwsS3Url=") {
        return Err(format!(
            "contains the parameter name \"AwsS3Url=\"; enter only the URL, e.g. {EXAMPLE}"
        ));
    }
    if !raw.is_ascii() {
        return Err("must be plain ASCII; S3 bucket URLs cannot contain accented or other non-ASCII characters".into());
    }
    if raw
        .chars()
        .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        return Err("must not contain spaces or control characters".into());
    }
    let Some(rest) = raw.strip_prefix("https://") else {
        return Err(format!("must start with https://, e.g. {EXAMPLE}"));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!(
            "needs a bucket host after https://, e.g. {EXAMPLE}"
        ));
    }
    if host.contains('@') {
        return Err("must not contain a user name or password".into());
    }
    let valid_host = host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !valid_host {
        return Err(format!(
            "has an invalid host \"{host}\"; a bucket host uses lowercase letters, digits, dots and hyphens, e.g. {EXAMPLE}"
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(
            "must not contain a query (?) or fragment (#); use a path for the folder".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_virtual_hosted_urls_with_and_without_a_path() {
        assert_eq!(check_s3_url(EXAMPLE), Ok(()));
        assert_eq!(
            check_s3_url("https://my-new-bucket.s3-us-east-2.amazonaws.com"),
            Ok(())
        );
        assert_eq!(check_s3_url("https://b.s3.amazonaws.com/my/path/"), Ok(()));
    }

    #[test]
    fn rejects_pasted_parameter_name() {
        let err = check_s3_url("AwsS3Url=https://my-bucket.s3.amazonaws.com/x").unwrap_err();
        assert!(err.contains("AwsS3Url="), "{err}");
    }

    #[test]
    fn rejects_plain_http_and_missing_host() {
        assert!(check_s3_url("http://b.s3.amazonaws.com")
            .unwrap_err()
            .contains("https://"));
        assert!(check_s3_url("https://").unwrap_err().contains("host"));
        assert!(check_s3_url("https:///path").unwrap_err().contains("host"));
    }

    #[test]
    fn rejects_non_ascii_whitespace_and_odd_hosts() {
        assert!(check_s3_url("https://bücket.s3.amazonaws.com")
            .unwrap_err()
            .contains("ASCII"));
        assert!(check_s3_url("https://b .s3.amazonaws.com")
            .unwrap_err()
            .contains("spaces"));
        assert!(check_s3_url("https://My_Bucket.s3.amazonaws.com")
            .unwrap_err()
            .contains("invalid host"));
        assert!(check_s3_url("https://a..b")
            .unwrap_err()
            .contains("invalid host"));
        assert!(check_s3_url("https://user:pw@b.s3.amazonaws.com")
            .unwrap_err()
            .contains("user name"));
        assert!(check_s3_url("https://b.s3.amazonaws.com/x?y=1")
            .unwrap_err()
            .contains("query"));
    }
}
