//! Reading the authority's export: CSV with a header row, or JSON Lines, both UTF-8.

use std::path::Path;

use ecert_domain::RegistrationRecord;

use super::{ImportError, Problem};

/// The columns of the export, in the documented order.
pub use ecert_domain::record::FIELDS as COLUMNS;

/// Columns a file may leave out.
const OPTIONAL: [&str; 2] = ["id_type", "status"];

/// The two accepted file formats, told apart by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`: comma-separated with a header row.
    Csv,
    /// `.jsonl`: one JSON object per line.
    JsonLines,
}

impl Format {
    /// The format a file name's extension names.
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            _ => None,
        }
    }
}

/// A record with the line it starts on (the header is line 1 of a CSV file).
pub type Line = (u64, RegistrationRecord);

/// Reads every record of a file, or every problem that stops records being read.
pub fn read_records(path: &Path) -> Result<Vec<Line>, ImportError> {
    let unreadable = |reason: String| ImportError::Unreadable {
        path: path.display().to_string(),
        reason,
    };
    let format = Format::of_path(path)
        .ok_or_else(|| unreadable("the name must end in .csv or .jsonl".into()))?;
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    // Spreadsheet programs put a byte-order mark before UTF-8 text; it is not data.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match format {
        Format::Csv => read_csv(bytes),
        Format::JsonLines => read_json_lines(bytes),
    }
}

fn problem(line: u64, field: &str, problem: impl Into<String>) -> Problem {
    Problem {
        place: format!("line {line}"),
        field: field.to_owned(),
        problem: problem.into(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Line>, ImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| ImportError::Invalid(vec![problem(1, "header", csv_reason(&e))]))?
        .clone();
    let positions = header_positions(&header)?;
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for result in reader.records() {
        match result {
            Ok(row) => {
                let line = row.position().map_or(0, csv::Position::line);
                if row.len() != header.len() {
                    let found = row.len();
                    problems.push(problem(
                        line,
                        "row",
                        format!("has {found} fields, the header has {}", header.len()),
                    ));
                    continue;
                }
                let cell = |name: &str| {
                    positions
                        .get(name)
                        .and_then(|i| row.get(*i))
                        .unwrap_or("")
                        .to_owned()
                };
                lines.push((line, record_of(cell)));
            }
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                problems.push(problem(line, "row", csv_reason(&error)));
            }
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(ImportError::Invalid(problems))
    }
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text (save the file as UTF-8)".into(),
        _ => error.to_string(),
    }
}

/// Where each known column is; a missing required column or an unknown one is refused.
fn header_positions(
    header: &csv::StringRecord,
) -> Result<std::collections::HashMap<String, usize>, ImportError> {
    let mut positions = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim();
        if !COLUMNS.contains(&name) {
            problems.push(problem(1, "header", format!("unknown column \"{name}\"")));
        } else if positions.insert(name.to_owned(), index).is_some() {
            problems.push(problem(
                1,
                "header",
                format!("column \"{name}\" appears twice"),
            ));
        }
    }
    for column in COLUMNS
        .iter()
        .filter(|c| !OPTIONAL.contains(c) && !positions.contains_key(**c))
    {
        problems.push(problem(1, "header", format!("missing column \"{column}\"")));
    }
    if problems.is_empty() {
        Ok(positions)
    } else {
        Err(ImportError::Invalid(problems))
    }
}

fn record_of(cell: impl Fn(&str) -> String) -> RegistrationRecord {
    RegistrationRecord {
        registration_number: cell("registration_number"),
        name: cell("name"),
        gender: cell("gender"),
        birth_date: cell("birth_date"),
        id_type: Some(cell("id_type")),
        id_number: cell("id_number"),
        employer_name: cell("employer_name"),
        employer_credit_code: cell("employer_credit_code"),
        seal_number: cell("seal_number"),
        valid_from: cell("valid_from"),
        valid_until: cell("valid_until"),
        issued_on: cell("issued_on"),
        status: Some(cell("status")),
    }
}

fn read_json_lines(bytes: &[u8]) -> Result<Vec<Line>, ImportError> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = index as u64 + 1;
        let Ok(text) = std::str::from_utf8(raw) else {
            problems.push(problem(
                line,
                "line",
                "is not UTF-8 text (save the file as UTF-8)",
            ));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RegistrationRecord>(text) {
            Ok(record) => lines.push((line, record)),
            Err(error) => problems.push(problem(line, "json", json_reason(&error))),
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(ImportError::Invalid(problems))
    }
}

/// serde's message without its "at line 1 column N" tail: the line is already named.
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}
