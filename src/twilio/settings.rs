//! `/v1/CompositionSettings/Default` and `/v1/RecordingSettings/Default`.

use super::{Idempotent, TwilioClient, TwilioError};
use crate::domain::{MediaSettings, SettingsKind, SettingsUpdate};

/// The POST body: PascalCase keys, lowercase booleans. Empty optional values
/// are left out rather than sent as empty strings, which Twilio would reject.
pub fn form_params(update: &SettingsUpdate) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("FriendlyName", update.friendly_name.clone()),
        ("EncryptionEnabled", update.encryption_enabled.to_string()),
        ("AwsStorageEnabled", update.aws_storage_enabled.to_string()),
    ];
    if let Some(sid) = &update.encryption_key_sid {
        params.push(("EncryptionKeySid", sid.to_string()));
    }
    if let Some(sid) = &update.aws_credentials_sid {
        params.push(("AwsCredentialsSid", sid.to_string()));
    }
    if let Some(url) = &update.aws_s3_url {
        params.push(("AwsS3Url", url.clone()));
    }
    params
}

impl TwilioClient {
    pub async fn fetch_settings(&self, kind: SettingsKind) -> Result<MediaSettings, TwilioError> {
        let url = self.video_url(kind.path());
        let response = self
            .send(|| self.inner.http.get(&url), Idempotent::Yes)
            .await?;
        self.json(response).await
    }

    pub async fn update_settings(
        &self,
        kind: SettingsKind,
        update: &SettingsUpdate,
    ) -> Result<MediaSettings, TwilioError> {
        // The POST sets every field, so sending it twice is harmless.
        let url = self.video_url(kind.path());
        let params = form_params(update);
        let response = self
            .send(|| self.inner.http.post(&url).form(&params), Idempotent::Yes)
            .await?;
        self.json(response).await
    }
}
