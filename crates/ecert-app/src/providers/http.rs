//! The one HTTP call both providers make: POST JSON, read JSON, within a time limit.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ProviderError;

/// How long a provider may take before the holder is told to try again.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A provider's URL and credentials.
#[derive(Debug, Clone)]
pub(super) struct HttpEndpoint {
    url: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl HttpEndpoint {
    pub(super) fn new(url: &str, token: Option<String>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        Self {
            url: url.to_owned(),
            token,
            agent,
        }
    }

    /// Posts `body` as JSON and reads the JSON answer; any non-2xx status is an error.
    pub(super) fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        body: &B,
    ) -> Result<T, ProviderError> {
        let mut request = self.agent.post(&self.url);
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request
            .send_json(body)
            .map_err(|error| ProviderError::new(format!("{}: {error}", self.host())))?;
        response.body_mut().read_json().map_err(|error| {
            ProviderError::new(format!("{}: unreadable answer: {error}", self.host()))
        })
    }

    /// The host alone, for errors: paths may carry keys.
    fn host(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        rest.split(['/', '?']).next().unwrap_or(rest)
    }
}
