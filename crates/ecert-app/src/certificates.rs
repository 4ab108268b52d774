//! Certificate files: gathering what a version prints and rendering it as PDF or OFD.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ecert_domain::{
    CertificateVersion, EndorsementRefusal, Registration, RegistrationNumber, UsagePeriod,
    calendar::Day,
};
use ecert_render::layout::{PAGE_HEIGHT, SEAL_STAMP};
use ecert_render::{CertificateSheet, Image, RenderAssets, RenderError};
use ecert_sign::{
    Claims, SignError, Signer, StampPlacement, payload_url, seal_ofd, sign_payload, sign_pdf,
};
use ecert_store::{MaterialKind, Store, StoreError};
use jiff::Timestamp;

use crate::registry;

/// The two file formats a certificate is issued in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// PDF, for printing and everyday use.
    Pdf,
    /// OFD (GB/T 33190), the national layout format.
    Ofd,
}

impl FileFormat {
    /// Both formats, PDF first.
    pub const ALL: [Self; 2] = [Self::Pdf, Self::Ofd];

    /// The format with this extension (`pdf`, `ofd`, any case).
    pub fn from_extension(extension: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|format| format.extension().eq_ignore_ascii_case(extension))
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Ofd => "application/ofd",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Ofd => "ofd",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// Why a certificate file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// No such registration.
    #[error("registration {0} is not in the registry")]
    NotFound(RegistrationNumber),
    /// The authority's side is not complete, or the registration is not in force.
    #[error("registration {number} cannot be endorsed yet: {}", describe(.gaps))]
    NotReady {
        /// The registration.
        number: RegistrationNumber,
        /// What is missing, in the order the endorsement checks it.
        gaps: Vec<EndorsementRefusal>,
    },
    /// The renderer refused the content (a character the font lacks, a value too long).
    #[error("cannot render the certificate of {number}: {source}")]
    Render {
        /// The registration.
        number: RegistrationNumber,
        /// The renderer's reason.
        source: RenderError,
    },
    /// Signing the QR payload failed (a retired or expired key, an HSM error).
    #[error("cannot sign the certificate of {number}: {source}")]
    Sign {
        /// The registration.
        number: RegistrationNumber,
        /// The signer's reason.
        source: SignError,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(gaps: &[EndorsementRefusal]) -> String {
    gaps.iter()
        .map(EndorsementRefusal::message)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One certificate version with one usage period, ready to render.
#[derive(Debug, Clone)]
pub struct PreparedCertificate {
    /// The registration number.
    pub number: RegistrationNumber,
    /// The ID number with its middle hidden, as the QR code carries it.
    pub masked_id: String,
    /// The version printed.
    pub version: u16,
    /// The usage period printed.
    pub usage: UsagePeriod,
    /// Everything the renderer needs.
    pub sheet: CertificateSheet,
}

impl PreparedCertificate {
    /// What the QR code of this certificate claims, signed at `at`.
    pub fn claims(&self, at: Timestamp) -> Claims {
        let sheet = &self.sheet;
        Claims {
            licence_id: sheet.licence_id.clone(),
            version: self.version,
            name: sheet.name.clone(),
            masked_id: self.masked_id.clone(),
            registration_number: sheet.registration_number.clone(),
            employer: sheet.employer_name.clone(),
            registration_valid_from: sheet.valid_from,
            registration_valid_until: sheet.valid_until,
            usage_first_day: self.usage.first_day,
            usage_last_day: self.usage.last_day,
            issued_at: at,
        }
    }

    /// The file name: `<number>-v<version>-<first usage day>.<ext>`, unique per version,
    /// usage period and format.
    pub fn file_name(&self, format: FileFormat) -> String {
        format!(
            "{}-v{}-{}.{format}",
            self.number, self.version, self.usage.first_day
        )
    }
}

/// Renders certificates: the font and seal are loaded once and shared by every file.
pub struct Renderer {
    assets: RenderAssets,
    public_url: String,
    signer: Option<Arc<dyn Signer>>,
    seal: Option<(Arc<dyn Signer>, Vec<u8>)>,
}

impl Renderer {
    /// A renderer whose QR codes point at the verification pages under `public_url`.
    pub fn new(public_url: &str) -> Result<Self, RenderError> {
        let public_url = public_url.trim_end_matches('/').to_owned();
        Ok(Self {
            assets: RenderAssets::load()?,
            public_url,
            signer: None,
            seal: None,
        })
    }

    /// The same renderer signing each QR payload and each PDF with `signer` (ES256).
    #[must_use]
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The same renderer sealing each OFD with `signer` (SM2, GB/T 38540).
    #[must_use]
    pub fn with_seal_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.seal = Some((signer, seal_png()));
        self
    }

    /// Gathers the current version of `number` with the usage period that an endorsement on
    /// `first_day` grants. Refuses a registration the holder could not endorse that day.
    pub async fn prepare(
        &self,
        store: &Store,
        number: &RegistrationNumber,
        first_day: Day,
    ) -> Result<PreparedCertificate, CertificateError> {
        let view = registry::inspect(store, number, calendar_moment(first_day))
            .await?
            .ok_or_else(|| CertificateError::NotFound(number.clone()))?;
        let current = view.detail.stored.current_version.clone();
        let (false, Some(version)) = (!view.gaps.is_empty(), current) else {
            return Err(CertificateError::NotReady {
                number: number.clone(),
                gaps: view.gaps,
            });
        };
        let licence_id = view
            .detail
            .versions
            .iter()
            .find(|(v, _)| v.number == version.number)
            .map(|(_, id)| id.clone())
            .unwrap_or_default();
        let registration = &view.detail.stored.registration;
        let usage = UsagePeriod::endorsed_on(first_day, registration.valid_until);
        let photo = self.material(store, number, MaterialKind::Photo).await?;
        let signature = self
            .material(store, number, MaterialKind::Signature)
            .await?;
        let sheet = self.sheet(registration, &version, usage, licence_id, photo, signature);
        Ok(PreparedCertificate {
            number: number.clone(),
            masked_id: registration.id.masked(),
            version: version.number,
            usage,
            sheet,
        })
    }

    /// Renders a prepared certificate.
    pub fn render(
        &self,
        certificate: &PreparedCertificate,
        format: FileFormat,
        at: Timestamp,
    ) -> Result<Vec<u8>, CertificateError> {
        let mut sheet = certificate.sheet.clone();
        if let Some(signer) = &self.signer {
            let payload =
                sign_payload(&certificate.claims(at), signer.as_ref()).map_err(|source| {
                    CertificateError::Sign {
                        number: certificate.number.clone(),
                        source,
                    }
                })?;
            sheet.qr_content = payload_url(&self.public_url, &payload);
        }
        let number = &certificate.number;
        let signing = |source| CertificateError::Sign {
            number: number.clone(),
            source,
        };
        let rendering = |source| CertificateError::Render {
            number: number.clone(),
            source,
        };
        match format {
            FileFormat::Pdf => {
                let pdf = ecert_render::render_pdf(&sheet, &self.assets, at).map_err(rendering)?;
                match &self.signer {
                    Some(signer) => {
                        sign_pdf(&pdf, signer.as_ref(), at, Some(seal_stamp())).map_err(signing)
                    }
                    None => Ok(pdf),
                }
            }
            FileFormat::Ofd => {
                let mut package =
                    ecert_render::build_ofd(&sheet, &self.assets, at).map_err(rendering)?;
                if let Some((signer, image)) = &self.seal {
                    seal_ofd(&mut package, signer.as_ref(), image, at).map_err(signing)?;
                }
                package.zip().map_err(rendering)
            }
        }
    }

    /// The verification page of a certificate when no signer is configured: the licence
    /// identifier alone, which the page can only look up online.
    pub fn unsigned_url(&self, licence_id: &str) -> String {
        format!("{}/v/{licence_id}", self.public_url)
    }

    async fn material(
        &self,
        store: &Store,
        number: &RegistrationNumber,
        kind: MaterialKind,
    ) -> Result<Image, CertificateError> {
        let missing = || CertificateError::NotReady {
            number: number.clone(),
            gaps: vec![EndorsementRefusal::MaterialsMissing {
                photo: kind == MaterialKind::Photo,
                signature: kind == MaterialKind::Signature,
            }],
        };
        let material = store.material(number, kind).await?.ok_or_else(missing)?;
        let what = if kind == MaterialKind::Photo {
            "photo"
        } else {
            "signature"
        };
        Image::new(what, material.content).map_err(|source| CertificateError::Render {
            number: number.clone(),
            source,
        })
    }

    fn sheet(
        &self,
        registration: &Registration,
        version: &CertificateVersion,
        usage: UsagePeriod,
        licence_id: String,
        photo: Image,
        signature: Image,
    ) -> CertificateSheet {
        let fields = &version.fields;
        CertificateSheet {
            name: fields.name.clone(),
            gender: fields.gender.clone(),
            birth_date: fields.birth_date,
            id_number: fields.id_number.clone(),
            registration_number: registration.number.as_str().to_owned(),
            seal_number: fields.seal_number.clone(),
            employer_name: fields.employer_name.clone(),
            valid_from: fields.valid_from,
            valid_until: fields.valid_until,
            issuing_authority: fields.issuing_authority.clone(),
            issued_on: fields.issued_on,
            usage_from: usage.first_day,
            usage_until: usage.last_day,
            qr_content: self.unsigned_url(&licence_id),
            licence_id,
            photo,
            signature,
            version: u32::from(version.number),
        }
    }
}

/// The picture of the electronic seal in an OFD: a red ring and star, drawn here so that no
/// outside artwork is needed (an authority replaces it with its registered seal).
fn seal_png() -> Vec<u8> {
    let size = 420u32;
    let centre = f64::from(size) / 2.0;
    let image = image::RgbaImage::from_fn(size, size, |x, y| {
        let (dx, dy) = (f64::from(x) - centre, f64::from(y) - centre);
        let radius = dx.hypot(dy);
        let ring = (centre - 22.0..centre - 6.0).contains(&radius);
        if ring || in_star(dx / (centre * 0.42), dy / (centre * 0.42)) {
            image::Rgba([200, 30, 30, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgba8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map(|()| bytes)
        .unwrap_or_default()
}

/// Whether a point (in units of the star's outer radius, y down) lies in a five-pointed star.
fn in_star(x: f64, y: f64) -> bool {
    let radius = x.hypot(y);
    if radius > 1.0 {
        return false;
    }
    // The star's edge, in polar form: between the outer points (radius 1) and the inner
    // corners (radius 0.38), linear in the angle within each tenth of the turn.
    let angle = (x.atan2(-y) + std::f64::consts::TAU) % (std::f64::consts::TAU / 5.0);
    let half = std::f64::consts::TAU / 10.0;
    let t = (angle - half).abs() / half;
    radius <= 0.38 + (1.0 - 0.38) * t
}

/// Where the PDF signature's visible stamp goes: over the printed seal.
fn seal_stamp() -> StampPlacement {
    StampPlacement {
        rect: SEAL_STAMP.to_pdf_points(PAGE_HEIGHT),
    }
}

/// Noon of `day` in Asia/Shanghai: a moment safely inside that day.
fn calendar_moment(day: Day) -> Timestamp {
    ecert_domain::calendar::start_of(day) + jiff::SignedDuration::from_hours(12)
}

/// Renders many certificates on every core, writing each file atomically into `folder`.
/// Returns, in order, each certificate's file path or the reason it failed.
pub fn render_all(
    renderer: &Renderer,
    certificates: &[PreparedCertificate],
    format: FileFormat,
    folder: &Path,
    at: Timestamp,
) -> Vec<Result<PathBuf, String>> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = certificates.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = certificates
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|c| render_one(renderer, c, format, folder, at))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| vec![Err("a render thread panicked".into())])
            })
            .collect()
    })
}

fn render_one(
    renderer: &Renderer,
    certificate: &PreparedCertificate,
    format: FileFormat,
    folder: &Path,
    at: Timestamp,
) -> Result<PathBuf, String> {
    let bytes = renderer
        .render(certificate, format, at)
        .map_err(|e| e.to_string())?;
    let path = folder.join(certificate.file_name(format));
    crate::files::write_atomically(&path, &bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
