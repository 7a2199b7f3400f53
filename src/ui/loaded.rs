//! Resources for the pages. Their values travel in the server-rendered page
//! as JSON, like Leptos' own resources, but are decoded from bytes, as
//! server functions' answers are: one JSON decoder per type in the browser
//! bundle instead of two (one for `&str`, one for bytes), which is most of
//! what the types' decoders weigh.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON, decoded from the bytes of the string.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A resource (see [`Resource::new`]) that travels as [`JsonBytes`].
#[track_caller]
pub fn loaded<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, JsonBytes>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let value: Result<Vec<String>, String> = Ok(vec!["a \"quoted\" é".into()]);
        let encoded = <JsonBytes as Encoder<_>>::encode(&value).unwrap();
        let decoded: Result<Vec<String>, String> =
            <JsonBytes as Decoder<_>>::decode(&encoded).unwrap();
        assert_eq!(decoded, value);
        assert!(<JsonBytes as Decoder<Vec<String>>>::decode("{").is_err());
    }
}
