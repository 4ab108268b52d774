//! The `ecert` binary as an operator uses it, on the engine `ECERT_TEST_DATABASE_URL` names.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ecert_store::testing::TestDatabase;

fn ecert(db: &TestDatabase, data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecert"))
        .args(args)
        .env("ECERT_DATABASE_URL", &db.url)
        .env("ECERT_DATA_DIR", data)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_bad_file_is_refused_with_a_line_per_problem_and_a_failing_exit_code() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("r.csv");
    let made = ecert(
        &db,
        folder.path(),
        &["demo-data", "--count", "3", "--out", file.to_str().unwrap()],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let csv = std::fs::read_to_string(&file)
        .unwrap()
        .replacen(",111,", ",111,X", 1);
    std::fs::write(&file, csv).unwrap();

    let refused = ecert(
        &db,
        folder.path(),
        &["import", "registrations", file.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.starts_with("line 2: id_number: must be 18 characters, found 19\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 1 problem(s) found; nothing was imported"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_import_then_show_lists_the_record_and_what_it_lacks() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("r.csv");
    ecert(
        &db,
        folder.path(),
        &["demo-data", "--count", "2", "--out", file.to_str().unwrap()],
    );
    let imported = ecert(
        &db,
        folder.path(),
        &["import", "registrations", file.to_str().unwrap()],
    );
    assert!(
        text(&imported.stdout).contains(": 2 new, 0 changed, 0 unchanged;"),
        "{}",
        text(&imported.stdout)
    );

    let number = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let shown = text(&ecert(&db, folder.path(), &["show", &number]).stdout);
    assert!(shown.contains("  reported     not yet"), "{shown}");
    assert!(shown.contains("  - 加注失败: "), "{shown}");
    assert!(shown.contains("1.2.156.3005.2."), "{shown}");

    let reported = ecert(&db, folder.path(), &["report", "--all"]);
    assert_eq!(
        text(&reported.stdout),
        "reported 2 registrations to the ministry\n"
    );
    let missing = ecert(&db, folder.path(), &["show", "NOPE1"]);
    assert!(!missing.status.success());
    assert_eq!(
        text(&missing.stderr).trim(),
        "error: registration NOPE1 is not in the registry"
    );
}

#[test]
fn serve_demo_starts_on_an_empty_data_folder_seeds_it_and_answers_health_checks() {
    let folder = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_ecert"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("ECERT_DATA_DIR", folder.path().join("fresh"))
        .env_remove("ECERT_DATABASE_URL")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let output = BufReader::new(server.stdout.take().unwrap());
    let mut lines = Vec::new();
    for line in output.lines() {
        let line = line.unwrap();
        let done = line.contains("http://");
        lines.push(line);
        if done {
            break;
        }
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("demo: generated ES256 signing key")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("demo: 20 registrations")),
        "{lines:?}"
    );
    let url_line = lines.last().unwrap();
    let address = url_line.split("http://").nth(1).unwrap();
    let address = address.split('/').next().unwrap().to_owned();

    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    server.kill().unwrap();
    server.wait().unwrap();

    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(
        response.ends_with(r#"{"status":"ok","database":"ok"}"#),
        "{response}"
    );
    assert!(folder.path().join("fresh/ecert.sqlite3").exists());
    assert!(folder.path().join("fresh/demo/registrations.csv").exists());
}

#[tokio::test]
async fn render_writes_one_file_and_all_files_with_a_summary() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let store = &db.store;
    let settings = ecert_app::IssuerSettings::development();
    let now = jiff::Timestamp::now();
    ecert_app::demo::seed(store, &settings, folder.path(), 3, now)
        .await
        .unwrap();
    let number = store.registration_numbers().await.unwrap().remove(0);
    for alg in ["es256", "sm2"] {
        let key = ecert(&db, folder.path(), &["keys", "generate", "--alg", alg]);
        assert!(key.status.success(), "{}", text(&key.stderr));
    }

    let file = folder.path().join("one.ofd");
    let one = ecert(
        &db,
        folder.path(),
        &[
            "render",
            number.as_str(),
            "--format",
            "ofd",
            "--out",
            file.to_str().unwrap(),
            "--from",
            "2026-12-01",
        ],
    );
    assert!(one.status.success(), "{}", text(&one.stderr));
    assert!(
        text(&one.stdout).ends_with("version 1, 使用有效期：2026年12月01日至2027年05月29日\n"),
        "{}",
        text(&one.stdout)
    );
    let sealed = ecert(&db, folder.path(), &["verify", file.to_str().unwrap()]);
    assert!(
        text(&sealed.stdout).starts_with("genuine: the OFD seal covers all"),
        "{}",
        text(&sealed.stdout)
    );

    let pdf = folder.path().join("one.pdf");
    ecert(
        &db,
        folder.path(),
        &[
            "render",
            number.as_str(),
            "--format",
            "pdf",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    let verified = ecert(&db, folder.path(), &["verify", pdf.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", text(&verified.stdout));
    assert!(text(&verified.stdout).starts_with("genuine: the PDF signature covers the whole file"));

    let out = folder.path().join("all");
    let all = ecert(
        &db,
        folder.path(),
        &[
            "render",
            "--all",
            "--format",
            "pdf",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        text(&all.stdout).starts_with("rendered 3 pdf files into "),
        "{}",
        text(&all.stdout)
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);

    let bad = ecert(
        &db,
        folder.path(),
        &[
            "render",
            number.as_str(),
            "--format",
            "pdf",
            "--out",
            "x.pdf",
            "--from",
            "2026-13-01",
        ],
    );
    assert_eq!(
        text(&bad.stderr).trim(),
        "error: --from: \"2026-13-01\" is not a real calendar date"
    );
}

#[tokio::test]
async fn keys_rotate_export_and_an_altered_payload_is_refused_with_its_reason() {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let generated = text(&ecert(&db, folder.path(), &["keys", "generate", "--alg", "sm2"]).stdout);
    assert!(
        generated.starts_with("generated ") && generated.contains("SM2-SM3"),
        "{generated}"
    );
    let rotated = text(&ecert(&db, folder.path(), &["keys", "rotate", "--alg", "sm2"]).stdout);
    assert_eq!(
        rotated
            .lines()
            .filter(|l| l.starts_with("retired "))
            .count(),
        1,
        "{rotated}"
    );
    let listed = text(&ecert(&db, folder.path(), &["keys", "list"]).stdout);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(
        listed.contains("in use") && listed.contains("retired"),
        "{listed}"
    );

    let trust = folder.path().join("trust.json");
    let exported = ecert(
        &db,
        folder.path(),
        &["keys", "export-trust-list", trust.to_str().unwrap()],
    );
    assert!(text(&exported.stdout).starts_with("wrote the trust list (2 keys)"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trust).unwrap()).unwrap();
    assert_eq!(json["keys"].as_array().unwrap().len(), 2);

    let refused = ecert(
        &db,
        folder.path(),
        &[
            "verify",
            "--payload",
            "https://x/v/AAAA",
            "--trust-list",
            trust.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stdout).starts_with("NOT genuine: "),
        "{}",
        text(&refused.stdout)
    );
}

/// Starts `ecert serve` on the test database and gives the process and its base URL.
fn serve(db: &TestDatabase, data: &Path) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_ecert"))
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "0"])
        .env("ECERT_DATABASE_URL", &db.url)
        .env("ECERT_DATA_DIR", data)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let output = BufReader::new(server.stdout.take().unwrap());
    for line in output.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            let address = rest.split('/').next().unwrap();
            return (server, format!("http://{address}"));
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    panic!("ecert serve printed no address");
}

/// A database with keys and one registration, with a current PDF and an OFD whose usage
/// period has ended, both made by `ecert render`.
struct Issued {
    db: TestDatabase,
    folder: tempfile::TempDir,
    number: String,
    current: std::path::PathBuf,
    ended: std::path::PathBuf,
}

async fn issued() -> Issued {
    let db = TestDatabase::new().await;
    let folder = tempfile::tempdir().unwrap();
    let settings = ecert_app::IssuerSettings::development();
    ecert_app::demo::seed(
        &db.store,
        &settings,
        folder.path(),
        1,
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let number = db.store.registration_numbers().await.unwrap().remove(0);
    for alg in ["es256", "sm2"] {
        ecert(&db, folder.path(), &["keys", "generate", "--alg", alg]);
    }
    let render = |file: &Path, from: &[&str]| {
        let format = file.extension().unwrap().to_str().unwrap();
        let mut args = vec!["render", number.as_str(), "--format", format, "--out"];
        args.push(file.to_str().unwrap());
        args.extend_from_slice(from);
        let made = ecert(&db, folder.path(), &args);
        assert!(made.status.success(), "{}", text(&made.stderr));
    };
    let current = folder.path().join("current.pdf");
    let ended = folder.path().join("ended.ofd");
    render(&current, &[]);
    render(&ended, &["--from", "2025-01-02"]);
    Issued {
        number: number.as_str().to_owned(),
        db,
        folder,
        current,
        ended,
    }
}

#[tokio::test]
async fn verify_shows_the_claims_a_file_links_and_reads_a_picture_of_the_qr_code() {
    let Issued {
        db,
        folder,
        number,
        current,
        ..
    } = issued().await;
    let offline = ecert(&db, folder.path(), &["verify", current.to_str().unwrap()]);
    let shown = text(&offline.stdout);
    assert!(offline.status.success(), "{shown}");
    assert!(
        shown.contains("genuine: the QR payload is signed by key"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("registration number {number}")),
        "{shown}"
    );

    // A picture of the page, as a scanner or a screenshot gives it.
    let page = folder.path().join("page");
    let drawn = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(&current)
        .arg(&page)
        .output()
        .expect("pdftoppm is needed by this test (apt-get install -y poppler-utils)");
    assert!(drawn.status.success(), "{}", text(&drawn.stderr));
    let picture = folder.path().join("page.png");
    let read = ecert(
        &db,
        folder.path(),
        &["verify", "--qr-image", picture.to_str().unwrap()],
    );
    assert!(
        read.status.success(),
        "{}{}",
        text(&read.stdout),
        text(&read.stderr)
    );
    assert!(
        text(&read.stdout).contains(&format!("registration number {number}")),
        "{}",
        text(&read.stdout)
    );

    let blank = folder.path().join("blank.png");
    std::fs::copy(&picture, &blank).unwrap();
    image_without_qr(&blank);
    let nothing = ecert(
        &db,
        folder.path(),
        &["verify", "--qr-image", blank.to_str().unwrap()],
    );
    assert!(!nothing.status.success());
    assert!(
        text(&nothing.stderr).contains("shows no QR code"),
        "{}",
        text(&nothing.stderr)
    );
}

#[tokio::test]
async fn verify_online_asks_the_server_whether_the_certificate_is_in_force() {
    let Issued {
        db,
        folder,
        current,
        ended,
        ..
    } = issued().await;
    let (mut server, base) = serve(&db, folder.path());
    let in_force = ecert(
        &db,
        folder.path(),
        &["verify", current.to_str().unwrap(), "--online", &base],
    );
    let ended_online = ecert(
        &db,
        folder.path(),
        &["verify", ended.to_str().unwrap(), "--online", &base],
    );
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(
        in_force.status.code(),
        Some(0),
        "{}",
        text(&in_force.stdout)
    );
    assert!(
        text(&in_force.stdout).contains("  in force until "),
        "{}",
        text(&in_force.stdout)
    );
    let said = text(&ended_online.stdout);
    assert_eq!(ended_online.status.code(), Some(3), "{said}");
    assert!(said.contains("genuine: the OFD seal covers all"), "{said}");
    assert!(
        said.contains("NOT in force: ") && said.contains("(usage_period_ended)"),
        "{said}"
    );
}

/// Overwrites a PNG with a plain white picture of the same size.
fn image_without_qr(path: &Path) {
    let page = image::open(path).unwrap();
    let white = image::RgbImage::from_pixel(page.width(), page.height(), image::Rgb([255; 3]));
    white.save(path).unwrap();
}
