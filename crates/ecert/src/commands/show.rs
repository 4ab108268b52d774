//! `ecert show NUMBER`: a registration as the authority's clerk needs to see it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use ecert_app::registry::{self, RecordView};
use ecert_domain::calendar;
use ecert_store::Store;
use jiff::Timestamp;

pub async fn run(store: &Store, number: &str) -> anyhow::Result<ExitCode> {
    let number = super::parse_numbers(&[number.to_owned()])?.remove(0);
    let Some(view) = registry::inspect(store, &number, Timestamp::now()).await? else {
        bail!("registration {number} is not in the registry");
    };
    render(&view, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// A moment as Asia/Shanghai wall-clock time.
fn local(moment: Timestamp) -> String {
    moment
        .to_zoned_datetime(calendar::shanghai().clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn render(view: &RecordView, out: &mut impl Write) -> std::io::Result<()> {
    let stored = &view.detail.stored;
    let r = &stored.registration;
    writeln!(out, "registration {} (注册号)", r.number)?;
    let reported = stored
        .reported_at
        .map_or_else(|| "not yet".to_owned(), local);
    let status_since = stored
        .status_since
        .map(|d| format!(" since {d}"))
        .unwrap_or_default();
    // Labels stay ASCII so that padding lines the values up; Chinese text is double width.
    let rows = [
        ("name", r.name.to_string()),
        ("gender", r.gender.chinese().to_owned()),
        ("birth date", r.birth_date.to_string()),
        (
            "ID",
            format!("{} (type {})", r.id.number(), r.id.id_type().as_str()),
        ),
        (
            "employer",
            format!("{} ({})", r.employer_name, r.employer_credit_code),
        ),
        ("seal number", r.seal_number.to_string()),
        ("valid", format!("{} to {}", r.valid_from, r.valid_until)),
        ("issued on", r.issued_on.to_string()),
        (
            "status",
            format!("{} {}{status_since}", r.status.code(), r.status.chinese()),
        ),
        ("reported", reported),
    ];
    for (label, value) in rows {
        writeln!(out, "  {label:<13}{value}")?;
    }
    writeln!(out, "events")?;
    for event in &view.detail.events {
        writeln!(
            out,
            "  {}  {}  {}",
            local(event.occurred_at),
            event.kind,
            event.detail
        )?;
    }
    writeln!(out, "certificate versions")?;
    for (version, licence_id) in &view.detail.versions {
        let superseded = version.superseded.map_or_else(
            || "  current".to_owned(),
            |s| format!("  superseded by {} on {}", s.by, local(s.at)),
        );
        writeln!(
            out,
            "  {:>3}  {licence_id}  made {}{superseded}",
            version.number,
            local(version.created_at)
        )?;
    }
    writeln!(out, "materials")?;
    for material in &view.detail.materials {
        writeln!(
            out,
            "  {:<10}{} {}×{} {} bytes, stored {}",
            material.kind.as_str(),
            material.media_type,
            material.width,
            material.height,
            material.bytes,
            local(material.updated_at)
        )?;
    }
    if view.detail.materials.is_empty() {
        writeln!(out, "  none")?;
    }
    writeln!(out, "before it can be endorsed")?;
    if view.gaps.is_empty() {
        writeln!(out, "  nothing missing on the authority's side")?;
    }
    for gap in &view.gaps {
        writeln!(out, "  - {}: {}", gap.message(), gap.remedy())?;
    }
    Ok(())
}
