//! Twilio answers that leave a change's outcome unknown: the request may
//! have reached Twilio (a timeout, a connection cut mid-answer, a success
//! that cannot be read). Such a write is never reported as "nothing
//! changed"; the service checks what Twilio holds and says what it found.

use crate::domain::AppError;
use crate::twilio::TwilioError;

/// What a check after an unclear answer found.
pub enum Found<T> {
    Made(T),
    NotMade,
    Unknown(String),
}

/// Whether the request may have reached Twilio and been acted on.
pub fn may_have_reached_twilio(error: &TwilioError) -> bool {
    matches!(
        error,
        TwilioError::Timeout(_) | TwilioError::Interrupted(_) | TwilioError::Protocol(_)
    )
}

/// What went wrong, in words a person reads.
fn what_happened(error: &TwilioError) -> String {
    match error {
        TwilioError::Timeout(after) => {
            format!("Twilio did not answer within {} seconds", after.as_secs())
        }
        TwilioError::Interrupted(_) => {
            "the connection to Twilio broke off before its answer was complete".into()
        }
        _ => "Twilio's answer could not be read".into(),
    }
}

/// The check found the change was not made.
pub fn not_made(error: &TwilioError) -> AppError {
    AppError::NotDone(format!(
        "{}; the console checked what Twilio holds: the change was not made. Nothing changed; you can try again.",
        what_happened(error)
    ))
}

/// The check could not tell.
pub fn still_unknown(error: &TwilioError, why: &str) -> AppError {
    AppError::OutcomeUnknown(format!(
        "{}, so Twilio may have made this change, and {why}. Reload to see what Twilio holds before trying again; the audit trail records the outcome as unknown.",
        what_happened(error)
    ))
}
