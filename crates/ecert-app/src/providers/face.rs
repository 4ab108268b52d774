//! Face verification: does the person in front of the phone match the ID document?

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::ProviderError;
use super::http::HttpEndpoint;

/// Whom a face is checked against.
#[derive(Debug, Clone)]
pub struct FaceSubject {
    /// Name on the ID document.
    pub name: String,
    /// ID type code.
    pub id_type: String,
    /// ID number.
    pub id_number: String,
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FaceCheck {
    /// Whether the face matches.
    pub passed: bool,
    /// Why not, in words the holder can act on (shown to them).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Checks a face. Called from a blocking task: implementations may block.
pub trait FaceVerifier: Send + Sync {
    /// Checks `image` (a camera frame, JPEG or PNG; may be empty when the device has no
    /// camera) against `subject`.
    fn verify(&self, subject: &FaceSubject, image: &[u8]) -> Result<FaceCheck, ProviderError>;

    /// A sentence the app shows before the check; the development provider uses it to say
    /// that it checks nothing.
    fn notice(&self) -> Option<&'static str> {
        None
    }
}

/// For development: passes everyone and says so. Never configure it where real holders
/// sign in.
#[derive(Debug, Default, Clone, Copy)]
pub struct DevelopmentFace;

impl FaceVerifier for DevelopmentFace {
    fn verify(&self, _subject: &FaceSubject, _image: &[u8]) -> Result<FaceCheck, ProviderError> {
        tracing::warn!("development face provider: nothing was checked");
        Ok(FaceCheck {
            passed: true,
            reason: None,
        })
    }

    fn notice(&self) -> Option<&'static str> {
        Some("开发环境：人脸识别由开发用模拟服务完成，不做任何真实核验。")
    }
}

/// Calls a face-verification service: `POST <url>` with `{"name", "id_type",
/// "id_number", "image"}` (image as base64) and `Authorization: Bearer <token>` when
/// configured; expects `{"passed": bool, "reason": "…"}`.
#[derive(Debug, Clone)]
pub struct HttpFace {
    endpoint: HttpEndpoint,
}

#[derive(Serialize)]
struct FaceRequest<'a> {
    name: &'a str,
    id_type: &'a str,
    id_number: &'a str,
    image: String,
}

impl HttpFace {
    /// A service at `url`, authenticated with `token` when given.
    pub fn new(url: &str, token: Option<String>) -> Self {
        Self {
            endpoint: HttpEndpoint::new(url, token),
        }
    }
}

impl FaceVerifier for HttpFace {
    fn verify(&self, subject: &FaceSubject, image: &[u8]) -> Result<FaceCheck, ProviderError> {
        let request = FaceRequest {
            name: &subject.name,
            id_type: &subject.id_type,
            id_number: &subject.id_number,
            image: base64::engine::general_purpose::STANDARD.encode(image),
        };
        self.endpoint.post(&request)
    }
}
