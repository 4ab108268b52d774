//! Photos (免冠证件照) and signature images (手写签名) collected by the authority.

use std::fmt;

use ecert_domain::RegistrationNumber;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows;
use crate::{Store, StoreError};

/// Which material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaterialKind {
    /// 免冠证件照.
    Photo,
    /// 手写签名 image.
    Signature,
}

impl MaterialKind {
    /// The name used in storage and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Signature => "signature",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "photo" => Ok(Self::Photo),
            "signature" => Ok(Self::Signature),
            other => Err(StoreError::corrupt("material kind", other)),
        }
    }
}

impl fmt::Display for MaterialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An image as ecert keeps it: re-encoded, with its size and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    /// Photo or signature.
    pub kind: MaterialKind,
    /// `image/jpeg` or `image/png`.
    pub media_type: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The encoded image.
    pub content: Vec<u8>,
    /// SHA-256 of `content`, hex.
    pub sha256: String,
}

/// A material without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialSummary {
    /// Photo or signature.
    pub kind: MaterialKind,
    /// Media type.
    pub media_type: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// When it was stored.
    pub updated_at: Timestamp,
}

impl Store {
    /// Stores materials, replacing earlier ones of the same kind, in one transaction.
    pub async fn save_materials(
        &self,
        materials: &[(RegistrationNumber, Material)],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (number, material) in materials {
            sqlx::query(
                "INSERT INTO materials \
                 (registration_number, kind, media_type, width, height, content, sha256, \
                 updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (registration_number, kind) DO UPDATE SET \
                 media_type = excluded.media_type, width = excluded.width, \
                 height = excluded.height, content = excluded.content, \
                 sha256 = excluded.sha256, updated_at = excluded.updated_at",
            )
            .bind(number.as_str().to_owned())
            .bind(material.kind.as_str())
            .bind(material.media_type.clone())
            .bind(i64::from(material.width))
            .bind(i64::from(material.height))
            .bind(material.content.clone())
            .bind(material.sha256.clone())
            .bind(rows::millis(at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One material with its bytes.
    pub async fn material(
        &self,
        number: &RegistrationNumber,
        kind: MaterialKind,
    ) -> Result<Option<Material>, StoreError> {
        let row = sqlx::query(
            "SELECT kind, media_type, width, height, content, sha256 FROM materials \
             WHERE registration_number = $1 AND kind = $2",
        )
        .bind(number.as_str().to_owned())
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let (width, height) = dimensions(&row)?;
            Ok(Material {
                kind,
                media_type: row.try_get("media_type")?,
                width,
                height,
                content: row.try_get("content")?,
                sha256: row.try_get("sha256")?,
            })
        })
        .transpose()
    }

    /// The materials on file for a registration, without their bytes.
    pub async fn material_summaries(
        &self,
        number: &RegistrationNumber,
    ) -> Result<Vec<MaterialSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, media_type, width, height, LENGTH(content) AS bytes, sha256, updated_at \
             FROM materials WHERE registration_number = $1 ORDER BY kind",
        )
        .bind(number.as_str().to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary).collect()
    }
}

fn summary(row: &AnyRow) -> Result<MaterialSummary, StoreError> {
    let kind: String = row.try_get("kind")?;
    let (width, height) = dimensions(row)?;
    let bytes: i64 = row.try_get("bytes")?;
    Ok(MaterialSummary {
        kind: MaterialKind::parse(&kind)?,
        media_type: row.try_get("media_type")?,
        width,
        height,
        bytes: u64::try_from(bytes).map_err(|e| StoreError::corrupt("material size", e))?,
        sha256: row.try_get("sha256")?,
        updated_at: rows::moment(row.try_get("updated_at")?)?,
    })
}

fn dimensions(row: &AnyRow) -> Result<(u32, u32), StoreError> {
    let width: i64 = row.try_get("width")?;
    let height: i64 = row.try_get("height")?;
    let pixels = |value: i64| u32::try_from(value).map_err(|e| StoreError::corrupt("pixels", e));
    Ok((pixels(width)?, pixels(height)?))
}
