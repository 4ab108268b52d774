//! Importing registrations: validate the whole file, work out what changed, write it at once.

use std::collections::HashMap;
use std::path::Path;

use ecert_domain::{PrintedFields, Registration, RegistrationEvent, RegistrationNumber, calendar};
use ecert_render::RenderAssets;
use ecert_store::{NewVersion, RegistrationWrite, Store, StoredRegistration};
use jiff::Timestamp;

use super::reader::{Line, read_records};
use super::{ImportError, Problem};
use crate::{IssuerSettings, Progress};

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Registrations new to ecert.
    pub new: usize,
    /// Registrations whose facts or status changed.
    pub changed: usize,
    /// Rows identical to what is stored.
    pub unchanged: usize,
    /// Certificate versions made (first versions included).
    pub versions: usize,
}

/// Imports a CSV or JSON Lines file of registrations. The whole file is checked first; a
/// file with any bad row writes nothing and returns every problem.
pub async fn import_registrations(
    store: &Store,
    path: &Path,
    settings: &IssuerSettings,
    now: Timestamp,
    progress: &dyn Progress,
) -> Result<ImportSummary, ImportError> {
    let lines = read_records(path)?;
    progress.start(lines.len() as u64 * 2);
    let mut font = FontCoverage::load()?;
    let parsed = parse_lines(&lines, &mut font, progress)?;
    let numbers: Vec<_> = parsed.iter().map(|(_, r)| r.number.clone()).collect();
    let stored = store.registrations(&numbers).await?;
    let (writes, summary) = plan_registrations(&parsed, &stored, settings, now)?;
    store.write_registrations(&writes, now).await?;
    progress.advance(lines.len() as u64);
    tracing::info!(
        new = summary.new,
        changed = summary.changed,
        unchanged = summary.unchanged,
        versions = summary.versions,
        "registrations imported"
    );
    Ok(summary)
}

/// Checks every record and that no registration number appears twice.
fn parse_lines(
    lines: &[Line],
    font: &mut FontCoverage,
    progress: &dyn Progress,
) -> Result<Vec<(u64, Registration)>, ImportError> {
    let mut parsed = Vec::with_capacity(lines.len());
    let mut problems = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::with_capacity(lines.len());
    for (line, record) in lines {
        let number = record.registration_number.trim().to_owned();
        if let Some(earlier) = first_line.get(&number) {
            problems.push(line_problem(
                *line,
                "registration_number",
                format!("{number} is also on line {earlier}"),
            ));
        } else {
            first_line.insert(number, *line);
        }
        match record.parse() {
            Ok(registration) => {
                let unprintable = font.problems(&registration);
                if unprintable.is_empty() {
                    parsed.push((*line, registration));
                }
                problems.extend(
                    unprintable
                        .into_iter()
                        .map(|(f, p)| line_problem(*line, f, p)),
                );
            }
            Err(errors) => problems.extend(
                errors
                    .into_iter()
                    .map(|e| line_problem(*line, e.field, e.problem)),
            ),
        }
        progress.advance(1);
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(ImportError::Invalid(problems))
    }
}

/// Which characters the certificate font can draw, remembered as rows are checked: a name
/// the font cannot print is refused here, long before a certificate would show a box.
struct FontCoverage {
    assets: RenderAssets,
    known: HashMap<char, bool>,
}

impl FontCoverage {
    fn load() -> Result<Self, ImportError> {
        let assets = RenderAssets::load().map_err(|e| ImportError::Unreadable {
            path: "the certificate font".into(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            assets,
            known: HashMap::new(),
        })
    }

    fn problems(&mut self, registration: &Registration) -> Vec<(&'static str, String)> {
        let fields = [
            ("name", registration.name.as_str()),
            ("employer_name", &registration.employer_name),
        ];
        let mut problems = Vec::new();
        for (field, text) in fields {
            let missing: Vec<String> = text
                .chars()
                .filter(|c| {
                    !*self
                        .known
                        .entry(*c)
                        .or_insert_with(|| self.assets.can_draw(*c))
                })
                .map(|c| format!("\"{c}\" (U+{:04X})", u32::from(c)))
                .collect();
            if !missing.is_empty() {
                problems.push((
                    field,
                    format!("the certificate font cannot print {}", missing.join(", ")),
                ));
            }
        }
        problems
    }
}

fn line_problem(line: u64, field: &str, problem: String) -> Problem {
    Problem {
        place: format!("line {line}"),
        field: field.to_owned(),
        problem,
    }
}

/// Works out, for each parsed row, whether it is new, changed or unchanged, with the events
/// and versions it brings. Refuses rows whose change the registration's status forbids.
fn plan_registrations(
    parsed: &[(u64, Registration)],
    stored: &HashMap<RegistrationNumber, StoredRegistration>,
    settings: &IssuerSettings,
    now: Timestamp,
) -> Result<(Vec<RegistrationWrite>, ImportSummary), ImportError> {
    let mut writes = Vec::new();
    let mut problems = Vec::new();
    let mut summary = ImportSummary::default();
    for (line, registration) in parsed {
        let previous = stored.get(&registration.number);
        match plan_one(registration, previous, settings, now) {
            Ok(Some(write)) => {
                if write.is_new {
                    summary.new += 1;
                } else {
                    summary.changed += 1;
                }
                summary.versions += usize::from(write.new_version.is_some());
                writes.push(write);
            }
            Ok(None) => summary.unchanged += 1,
            Err((field, problem)) => problems.push(line_problem(*line, field, problem)),
        }
    }
    if problems.is_empty() {
        Ok((writes, summary))
    } else {
        Err(ImportError::Invalid(problems))
    }
}

type RowRefusal = (&'static str, String);

fn plan_one(
    registration: &Registration,
    previous: Option<&StoredRegistration>,
    settings: &IssuerSettings,
    now: Timestamp,
) -> Result<Option<RegistrationWrite>, RowRefusal> {
    let Some(previous) = previous else {
        return new_registration(registration, settings).map(Some);
    };
    if previous.registration == *registration {
        return Ok(None);
    }
    let events = previous.registration.events_towards(registration);
    check_transitions(&previous.registration, &events)?;
    let fields = PrintedFields::of(registration, &settings.authority_name);
    let current = previous.current_version.as_ref();
    let new_version = match current {
        Some(version) if version.fields == fields => None,
        _ => Some(version_of(
            registration,
            current.map_or(1, |v| v.number + 1),
            fields,
            settings,
        )?),
    };
    let status_changed = previous.registration.status != registration.status;
    Ok(Some(RegistrationWrite {
        registration: registration.clone(),
        is_new: false,
        events,
        new_version,
        status_changed_on: status_changed.then(|| calendar::day_of(now)),
    }))
}

fn new_registration(
    registration: &Registration,
    settings: &IssuerSettings,
) -> Result<RegistrationWrite, RowRefusal> {
    let fields = PrintedFields::of(registration, &settings.authority_name);
    Ok(RegistrationWrite {
        new_version: Some(version_of(registration, 1, fields, settings)?),
        registration: registration.clone(),
        is_new: true,
        events: vec![RegistrationEvent::Initial],
        status_changed_on: None,
    })
}

fn version_of(
    registration: &Registration,
    number: u16,
    fields: PrintedFields,
    settings: &IssuerSettings,
) -> Result<NewVersion, RowRefusal> {
    let licence_id = settings
        .licence_id(&registration.number, number)
        .map_err(|e| {
            (
                "registration_number",
                format!("cannot make licence identifier: {e}"),
            )
        })?;
    Ok(NewVersion {
        number,
        licence_id: licence_id.to_string(),
        fields,
    })
}

/// Replays the events on the stored registration, so that a status that forbids one of them
/// (nothing follows a revocation) refuses the row with the reason.
fn check_transitions(
    stored: &Registration,
    events: &[RegistrationEvent],
) -> Result<(), RowRefusal> {
    let mut current = stored.clone();
    for event in events {
        current = current.apply(event, None).map_err(|error| {
            let field = if matches!(event, RegistrationEvent::Change { .. }) {
                "record"
            } else {
                "status"
            };
            (field, error.to_string())
        })?;
    }
    Ok(())
}
