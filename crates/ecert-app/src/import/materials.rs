//! Importing photos and signature images from a folder named by registration number.

use std::collections::HashMap;
use std::path::Path;

use ecert_domain::RegistrationNumber;
use ecert_store::{Material, MaterialKind, Store};
use jiff::Timestamp;

use super::{ImportError, Problem};
use crate::Progress;
use crate::images::{self, MAX_FILE_BYTES};

/// What a materials import stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaterialsSummary {
    /// Photos stored.
    pub photos: usize,
    /// Signature images stored.
    pub signatures: usize,
}

/// Imports `<registration_number>.photo.{jpg,png}` and `<registration_number>.signature.{jpg,png}`
/// from `folder`. Every file is checked first; any bad file means nothing is stored.
pub async fn import_materials(
    store: &Store,
    folder: &Path,
    now: Timestamp,
    progress: &dyn Progress,
) -> Result<MaterialsSummary, ImportError> {
    let entries = list_files(folder)?;
    progress.start(entries.len() as u64);
    let mut problems = Vec::new();
    let mut prepared: Vec<(RegistrationNumber, Material)> = Vec::new();
    let mut seen: HashMap<(RegistrationNumber, MaterialKind), String> = HashMap::new();
    for (name, path) in entries {
        match prepare_file(&name, &path) {
            Ok((number, material)) => {
                if let Some(other) = seen.insert((number.clone(), material.kind), name.clone()) {
                    problems.push(file_problem(
                        &name,
                        "name",
                        format!("same registration and kind as {other}"),
                    ));
                }
                prepared.push((number, material));
            }
            Err(problem) => problems.push(problem),
        }
        progress.advance(1);
    }
    problems.extend(unknown_registrations(store, &prepared, &seen).await?);
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.place.cmp(&b.place));
        return Err(ImportError::Invalid(problems));
    }
    store.save_materials(&prepared, now).await?;
    let photos = prepared
        .iter()
        .filter(|(_, m)| m.kind == MaterialKind::Photo)
        .count();
    let summary = MaterialsSummary {
        photos,
        signatures: prepared.len() - photos,
    };
    tracing::info!(
        photos = summary.photos,
        signatures = summary.signatures,
        "materials imported"
    );
    Ok(summary)
}

fn file_problem(name: &str, field: &str, problem: impl Into<String>) -> Problem {
    Problem {
        place: name.to_owned(),
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// The regular files of the folder, by name. Links and sub-folders are refused: what is
/// imported must be exactly what the authority put there.
fn list_files(folder: &Path) -> Result<Vec<(String, std::path::PathBuf)>, ImportError> {
    let unreadable = |e: std::io::Error| ImportError::Unreadable {
        path: folder.display().to_string(),
        reason: e.to_string(),
    };
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(unreadable)?;
        if kind.is_file() {
            files.push((name, entry.path()));
        } else {
            let what = if kind.is_symlink() {
                "is a link"
            } else {
                "is not a regular file"
            };
            problems.push(file_problem(&name, "file", what));
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    files.sort();
    Ok(files)
}

fn prepare_file(name: &str, path: &Path) -> Result<(RegistrationNumber, Material), Problem> {
    let (number, kind, extension) = parse_name(name)?;
    let size = std::fs::metadata(path)
        .map_err(|e| file_problem(name, "file", e.to_string()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(file_problem(
            name,
            "file",
            images::ImageProblem::TooLarge(size).to_string(),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| file_problem(name, "file", e.to_string()))?;
    let material = images::prepare(kind, &bytes, Some(extension))
        .map_err(|e| file_problem(name, kind.as_str(), e.to_string()))?;
    Ok((number, material))
}

/// Splits `<registration_number>.<photo|signature>.<jpg|jpeg|png>`.
fn parse_name(name: &str) -> Result<(RegistrationNumber, MaterialKind, &str), Problem> {
    let expected = || {
        file_problem(
            name,
            "name",
            "must be <registration_number>.photo.jpg|png or \
             <registration_number>.signature.jpg|png",
        )
    };
    let mut parts = name.split('.');
    let (Some(number), Some(kind), Some(extension), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(expected());
    };
    let kind = match kind {
        "photo" => MaterialKind::Photo,
        "signature" => MaterialKind::Signature,
        _ => return Err(expected()),
    };
    if !matches!(
        extension.to_ascii_lowercase().as_str(),
        "jpg" | "jpeg" | "png"
    ) {
        return Err(expected());
    }
    let number = RegistrationNumber::parse(number)
        .map_err(|e| file_problem(name, "registration_number", e.to_string()))?;
    Ok((number, kind, extension))
}

async fn unknown_registrations(
    store: &Store,
    prepared: &[(RegistrationNumber, Material)],
    names: &HashMap<(RegistrationNumber, MaterialKind), String>,
) -> Result<Vec<Problem>, ImportError> {
    let numbers: Vec<_> = prepared.iter().map(|(n, _)| n.clone()).collect();
    let known = store.registrations(&numbers).await?;
    Ok(prepared
        .iter()
        .filter(|(number, _)| !known.contains_key(number))
        .map(|(number, material)| {
            let name = names
                .get(&(number.clone(), material.kind))
                .map_or("", String::as_str);
            file_problem(
                name,
                "registration_number",
                format!("{number} is not in the registry"),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_into_number_kind_and_extension() {
        let (number, kind, extension) = parse_name("A2025001.signature.PNG").unwrap();
        assert_eq!(
            (number.as_str(), kind, extension),
            ("A2025001", MaterialKind::Signature, "PNG")
        );
    }

    #[test]
    fn traversal_and_odd_names_are_refused() {
        for name in [
            "../A1.photo.jpg",
            "A1.photo.jpg.exe",
            "A1.avatar.png",
            "a1.photo.png",
            "A1.photo.svg",
        ] {
            assert!(parse_name(name).is_err(), "{name}");
        }
    }
}
