//! A parent account's login: typed once, carried sealed between the
//! discovery and import forms for the admin who typed it (30 minutes at
//! most), or kept sealed to find new subaccounts later.

use super::{Caller, Projects};
use crate::domain::subaccount::{kept_login_context, ParentAccount, ParentInput};
use crate::domain::{AccountSid, ApiKeySid, AppError, Field, FieldErrors};
use crate::twilio::TwilioClient;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// How long a sealed parent login opens after discovery.
pub const LOGIN_LIFETIME: i64 = 30 * 60;
/// A parent's login, for one discovery and the import after it.
pub struct ParentLogin {
    account: ParentAccount,
    secret: SecretString,
}

/// What the sealed form of a login holds.
#[derive(Serialize, Deserialize)]
struct Sealed {
    account: AccountSid,
    key: Option<ApiKeySid>,
    secret: String,
    expires: i64,
}

impl ParentLogin {
    pub fn new(input: &ParentInput) -> Result<Self, AppError> {
        let account = input.validate().map_err(AppError::Invalid)?;
        Ok(Self {
            account,
            secret: SecretString::from(input.secret.trim().to_owned()),
        })
    }

    pub fn account_sid(&self) -> &AccountSid {
        &self.account.account_sid
    }

    pub fn client(&self, projects: &Projects) -> TwilioClient {
        let username = match &self.account.api_key_sid {
            Some(key) => key.to_string(),
            None => self.account.account_sid.to_string(),
        };
        projects.twilio().client(username, self.secret.clone())
    }

    /// Sealed for import `id` of `caller` alone, opening until `expires`.
    pub fn seal(&self, projects: &Projects, id: &str, caller: &Caller, expires: i64) -> String {
        let sealed = Sealed {
            account: self.account.account_sid.clone(),
            key: self.account.api_key_sid.clone(),
            secret: self.secret.expose_secret().to_owned(),
            expires,
        };
        let text = serde_json::to_string(&sealed).expect("serializable");
        projects.vault().seal_note(&context(id, caller), &text)
    }

    /// The login discovery sealed for import `id` of `caller`, if fresh.
    pub fn open(
        projects: &Projects,
        id: &str,
        caller: &Caller,
        sealed: &str,
    ) -> Result<Self, AppError> {
        let expired = || {
            AppError::Invalid(one(Field::Secret, "is no longer held for this import (it is kept 30 minutes, for the staff member who typed it): look the subaccounts up again with the parent's login"))
        };
        let text = projects
            .vault()
            .open_note(&context(id, caller), sealed)
            .map_err(|_| expired())?;
        let sealed: Sealed = serde_json::from_str(text.expose_secret()).map_err(|_| expired())?;
        if sealed.expires < crate::store::now() {
            return Err(expired());
        }
        Ok(Self {
            account: ParentAccount {
                account_sid: sealed.account,
                api_key_sid: sealed.key,
            },
            secret: SecretString::from(sealed.secret),
        })
    }

    pub fn api_key_sid(&self) -> Option<&ApiKeySid> {
        self.account.api_key_sid.as_ref()
    }

    /// Sealed to be kept: bound to the parent, with no end (it is dropped
    /// when an admin forgets it).
    pub fn seal_kept(&self, projects: &Projects) -> String {
        let sealed = Sealed {
            account: self.account.account_sid.clone(),
            key: self.account.api_key_sid.clone(),
            secret: self.secret.expose_secret().to_owned(),
            expires: i64::MAX,
        };
        let text = serde_json::to_string(&sealed).expect("serializable");
        let context = kept_login_context(self.account.account_sid.as_str());
        projects.vault().seal_note(&context, &text)
    }

    /// A kept login of `parent`; None when it no longer opens (sealed with
    /// another master key, or not for this parent).
    pub fn open_kept(projects: &Projects, parent: &str, sealed: &str) -> Option<Self> {
        let text = projects
            .vault()
            .open_note(&kept_login_context(parent), sealed)
            .ok()?;
        let sealed: Sealed = serde_json::from_str(text.expose_secret()).ok()?;
        (sealed.account.as_str() == parent).then(|| Self {
            account: ParentAccount {
                account_sid: sealed.account,
                api_key_sid: sealed.key,
            },
            secret: SecretString::from(sealed.secret),
        })
    }
}

fn context(id: &str, caller: &Caller) -> String {
    format!("parent login of import {id} for staff {}", caller.id)
}

pub fn one(field: Field, message: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.push(field, message);
    errors
}
