//! The command line: global options and one subcommand per task.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// ecert issues, renders, signs and verifies the electronic registration certificates of
/// Class-1 Registered Architects (一级注册建筑师电子注册证书).
#[derive(Debug, Parser)]
#[command(name = "ecert", version)]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreOptions,
    #[command(flatten)]
    pub issuer: IssuerOptions,
    /// Base URL of the public verification pages, printed in every QR code.
    #[arg(
        long,
        global = true,
        env = "ECERT_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
    /// Key-encryption key for the signing keys, 64 hex digits. Without it, a development key
    /// is kept in `<data-dir>/key-encryption-key`.
    #[arg(
        long,
        global = true,
        env = "ECERT_KEY_ENCRYPTION_KEY",
        hide_env_values = true
    )]
    pub key_encryption_key: Option<String>,
    /// Write logs as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true, env = "ECERT_LOG_JSON")]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives.
#[derive(Debug, Args)]
pub struct StoreOptions {
    /// Folder for the embedded database and generated files.
    #[arg(long, global = true, env = "ECERT_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL (`sqlite://PATH` or `postgres://...`); defaults to SQLite in the data folder.
    #[arg(
        long,
        global = true,
        env = "ECERT_DATABASE_URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
}

/// Who issues the certificates.
#[derive(Debug, Args)]
pub struct IssuerOptions {
    /// Issuing authority (发证机关) as printed on certificates.
    #[arg(long, global = true, env = "ECERT_AUTHORITY_NAME")]
    pub authority_name: Option<String>,
    /// The issuer's unified social credit code, part of every licence identifier.
    #[arg(long, global = true, env = "ECERT_ISSUER_CODE")]
    pub issuer_code: Option<String>,
    /// The licence type code of the certificate, part of every licence identifier.
    #[arg(long, global = true, env = "ECERT_LICENCE_TYPE_CODE")]
    pub licence_type_code: Option<String>,
}

/// The file workers of a process.
#[derive(Debug, Args)]
pub struct WorkerOptions {
    /// File workers in this process (default: one per core; 0 with `serve`: web only, the
    /// files being made by `ecert worker` processes).
    #[arg(long, env = "ECERT_WORKERS")]
    pub workers: Option<usize>,
    /// Seconds a worker may hold a job before another takes it over (a worker that died
    /// delays its file by this much).
    #[arg(long, env = "ECERT_JOB_LEASE_SECONDS", default_value_t = 30)]
    pub job_lease_seconds: u32,
}

/// The holder portal's outside services and policies.
#[derive(Debug, Args)]
pub struct PortalOptions {
    /// SMS gateway for phone-binding codes (`POST` JSON); without it codes go to the log.
    #[arg(long, env = "ECERT_SMS_URL")]
    pub sms_url: Option<String>,
    /// Bearer token for the SMS gateway.
    #[arg(long, env = "ECERT_SMS_TOKEN", hide_env_values = true)]
    pub sms_token: Option<String>,
    /// Face-verification service (`POST` JSON); without it a development provider that
    /// checks nothing, and says so, is used.
    #[arg(long, env = "ECERT_FACE_URL")]
    pub face_url: Option<String>,
    /// Bearer token for the face-verification service.
    #[arg(long, env = "ECERT_FACE_TOKEN", hide_env_values = true)]
    pub face_token: Option<String>,
    /// Password rules: `standard` (NIST SP 800-63B) or `graded` (adds the composition rules
    /// of a 等级保护 assessment).
    #[arg(long, env = "ECERT_PASSWORD_POLICY", default_value = "standard")]
    pub password_policy: PolicyArg,
}

/// A password policy.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PolicyArg {
    /// Length and a list of common passwords.
    Standard,
    /// The standard rules plus three of four character classes.
    Graded,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ECERT_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed demo registrations and demo holder accounts before serving.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        portal: PortalOptions,
        #[command(flatten)]
        workers: WorkerOptions,
    },
    /// Run file workers only: make the certificate files queued by `ecert serve`
    /// processes sharing the same database and data folder.
    Worker {
        #[command(flatten)]
        workers: WorkerOptions,
    },
    /// Create or update the database schema.
    Migrate,
    /// Import the registration authority's data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Mark registrations as reported (上报) to the ministry.
    Report {
        /// Registration numbers to mark.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        numbers: Vec<String>,
        /// Mark every registration.
        #[arg(long)]
        all: bool,
    },
    /// Print a registration with its history, versions, materials and what it still lacks.
    Show {
        /// Registration number.
        number: String,
    },
    /// Render certificate files: one registration's, or every one that can be endorsed.
    Render {
        /// Registration number.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        number: Option<String>,
        /// Every registration that can be endorsed, into the folder `--out`.
        #[arg(long)]
        all: bool,
        /// File format.
        #[arg(long, value_enum)]
        format: FormatArg,
        /// The file to write (one registration) or the folder (`--all`).
        #[arg(long)]
        out: PathBuf,
        /// First day of the usage period, YYYY-MM-DD; today (Asia/Shanghai) by default.
        #[arg(long)]
        from: Option<String>,
    },
    /// Manage the signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Check a certificate: a signed PDF or sealed OFD file, a picture of its QR code, or
    /// the QR payload. Exit 0 only if genuine (and, with --online, in force); 3 when genuine
    /// but not in force.
    Verify {
        /// A signed certificate PDF or sealed OFD.
        #[arg(required_unless_present_any = ["payload", "qr_image"])]
        #[arg(conflicts_with_all = ["payload", "qr_image"])]
        file: Option<PathBuf>,
        /// The verification URL from the QR code, or the payload alone.
        #[arg(long, conflicts_with = "qr_image")]
        payload: Option<String>,
        /// A photo, scan or screenshot of the QR code (PNG or JPEG).
        #[arg(long, value_name = "IMAGE")]
        qr_image: Option<PathBuf>,
        /// The published trust list (JWK Set); the local keys when left out.
        #[arg(long)]
        trust_list: Option<PathBuf>,
        /// Also ask this ecert server whether the certificate is in force now.
        #[arg(long, value_name = "BASE_URL")]
        online: Option<String>,
    },
    /// Write synthetic, valid registrations as an import file, for trying ecert out.
    DemoData {
        /// How many registrations.
        #[arg(long, default_value_t = 100)]
        count: u32,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

impl Command {
    /// The server logs what it does; one-shot commands only warn, so their output stays
    /// readable.
    pub fn default_log_level(&self) -> &'static str {
        match self {
            Self::Serve { .. } | Self::Worker { .. } => "info",
            _ => "warn",
        }
    }
}

/// A signature algorithm.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum AlgorithmArg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// SM2 with SM3 (GB/T 32918, GB/T 32905).
    Sm2,
}

impl AlgorithmArg {
    /// The algorithm it names.
    pub fn algorithm(self) -> ecert_sign::Algorithm {
        match self {
            Self::Es256 => ecert_sign::Algorithm::Es256,
            Self::Sm2 => ecert_sign::Algorithm::Sm2Sm3,
        }
    }
}

/// Key management.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new signing key with a self-issued certificate.
    Generate {
        /// Algorithm.
        #[arg(long, value_enum, default_value = "es256")]
        alg: AlgorithmArg,
    },
    /// List every key with its validity and retirement.
    List,
    /// Make a new key and retire the ones of the same algorithm in use.
    Rotate {
        /// Algorithm.
        #[arg(long, value_enum, default_value = "es256")]
        alg: AlgorithmArg,
    },
    /// Retire a key: it signs nothing more; what it signed before stays valid.
    Retire {
        /// The key id.
        id: String,
    },
    /// Write the trust list (a JWK Set of every key, retired ones included).
    ExportTrustList {
        /// The file to write.
        file: PathBuf,
    },
}

/// A certificate file format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// PDF.
    Pdf,
    /// OFD (GB/T 33190).
    Ofd,
}

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Registrations from a CSV (with header) or JSON Lines file, UTF-8.
    Registrations {
        /// The file; `.csv` or `.jsonl`.
        file: PathBuf,
    },
    /// Photos and signature images named `<registration_number>.photo.jpg|png` and
    /// `<registration_number>.signature.jpg|png`.
    Materials {
        /// The folder holding them.
        folder: PathBuf,
    },
}
