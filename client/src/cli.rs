//! The command line: one subcommand per thing a person does.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Where a hospital's IPFS node serves its API on the machine it runs on.
pub const DEFAULT_IPFS_API: &str = "http://127.0.0.1:5001";

#[derive(Parser)]
#[command(
	name = "medchain",
	version,
	about = "MedChain client: keys, encrypted records, IPFS and the chain"
)]
pub struct Cli {
	/// The node to talk to (HTTP or WebSocket URL of its RPC port).
	#[arg(long, global = true, env = "MEDCHAIN_NODE_URL", default_value = "http://127.0.0.1:9944")]
	pub node: String,
	/// A second node (of another hospital, or run by the user) to check against: before a
	/// data key is wrapped to a reader, both nodes must give the same encryption key for
	/// that reader at the same finalized block.
	#[arg(long, global = true, env = "MEDCHAIN_VERIFY_NODE_URL")]
	pub verify_node: Option<String>,
	/// Your hospital's IPFS node (its Kubo RPC API), where records are stored and fetched
	/// (docs/storage.md). `embedded` keeps files in a block store under the home directory
	/// instead: only for files nobody else will open, and for tests.
	#[arg(long, global = true, env = "MEDCHAIN_IPFS_API", default_value = DEFAULT_IPFS_API)]
	pub ipfs_api: String,
	/// Where keys, blocks and temporary files live.
	#[arg(long, global = true, env = "MEDCHAIN_HOME")]
	pub home: Option<PathBuf>,
	/// The keystore account to act as.
	#[arg(long = "as", global = true, env = "MEDCHAIN_ACCOUNT", value_name = "ACCOUNT")]
	pub as_account: Option<String>,
	/// Print JSON for scripts instead of tables.
	#[arg(long, global = true)]
	pub json: bool,
	#[command(subcommand)]
	pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
	/// Create, import, list, show and export accounts.
	#[command(subcommand)]
	Account(AccountCmd),
	/// A hospital admin's work.
	#[command(subcommand)]
	Admin(AdminCmd),
	/// A doctor's work.
	#[command(subcommand)]
	Doctor(DoctorCmd),
	/// A patient's work (or a guardian's, with --for).
	#[command(subcommand)]
	Patient(PatientCmd),
	/// An auditor's work: audit trails, verified.
	#[command(subcommand)]
	Audit(AuditCmd),
	/// Content addressing: a file's CID, or store a file as it is.
	#[command(subcommand)]
	Ipfs(IpfsCmd),
	/// A hospital's pinning follower: keep the IPFS node (--ipfs-api) holding exactly the
	/// files the chain's finalized blocks name as live (docs/storage.md).
	#[command(subcommand)]
	Follow(FollowCmd),
}

#[derive(Subcommand)]
pub enum FollowCmd {
	/// Follow until stopped: read each finalized block, pin new files, unpin erased ones.
	Run {
		/// The follower's state file (default: follower.json in the home directory).
		#[arg(long)]
		state: Option<PathBuf>,
		/// Seconds between looks at the chain's finalized head.
		#[arg(long, default_value_t = 2)]
		poll: u64,
		/// What to keep: `all` live files (the default), or `own`: the files of this
		/// hospital's patients and doctors and its share of every file's copies (needs
		/// --hospital; docs/storage.md).
		#[arg(long, value_enum, default_value_t = Keep::All)]
		keep: Keep,
		/// With --keep own: the id of this follower's hospital.
		#[arg(long, required_if_eq("keep", "own"))]
		hospital: Option<u32>,
		/// With --keep own: how many hospitals keep every file at least (every active
		/// hospital must run a follower for the count to hold).
		#[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
		min_replicas: u32,
	},
	/// Where the follower stands, from its state file: the last block read, files pinned
	/// and unpinned, work pending and failing.
	Status {
		/// The follower's state file (default: follower.json in the home directory).
		#[arg(long)]
		state: Option<PathBuf>,
	},
}

/// What a follower keeps.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
	All,
	Own,
}

#[derive(Subcommand)]
pub enum IpfsCmd {
	/// The CID IPFS gives this file (CIDv1, raw leaves, 256 KiB chunks), computed locally.
	Cid {
		file: PathBuf,
		/// Encrypt the file first (fresh key, as a record upload does) and give the CID of
		/// the ciphertext; nothing is stored. For measuring the upload path.
		#[arg(long)]
		encrypt: bool,
	},
	/// Store a file unencrypted in the configured store (embedded or --ipfs-api); its CID.
	Add { file: PathBuf },
}

#[derive(Subcommand)]
pub enum AccountCmd {
	/// A new account from a fresh 24-word mnemonic (shown once: write it down).
	New { name: String },
	/// An account from an existing mnemonic (read from standard input).
	Import { name: String },
	/// The accounts in the keystore.
	List,
	/// One account's address and encryption key.
	Show { name: String },
	/// Export in the Polkadot.js JSON format (for Apps or the extension).
	Export {
		name: String,
		/// Write here instead of standard output.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

#[derive(Subcommand)]
pub enum AdminCmd {
	/// Record that a patient cannot act for themself (a minor, an incapacitated
	/// adult): your hospital's admins then manage their guardians. `--end` records
	/// that they act for themself again. (To register a patient, invite them:
	/// they register with their own key.)
	Represent {
		#[arg(long)]
		hospital: u32,
		patient: String,
		#[arg(long)]
		end: bool,
	},
	/// Invite an account to register as a patient or apply as a doctor, free of fees.
	Invite {
		#[arg(long)]
		hospital: u32,
		account: String,
		#[arg(value_enum)]
		role: Role,
	},
	/// Approve a doctor's application.
	Approve { doctor: String },
	/// Reject a doctor's application.
	Reject { doctor: String },
	/// Suspend a doctor.
	Suspend { doctor: String },
	/// Reinstate a suspended doctor.
	Reinstate { doctor: String },
	/// Release a suspended doctor's licence hash, so that the licence's true
	/// holder can be approved (a squatter approved by mistake).
	ReleaseLicence { doctor: String },
	/// The doctors of a hospital, any status.
	Doctors { hospital: u32 },
	/// Propose to the council that a hospital be admitted (council members only).
	ProposeHospital {
		#[arg(long)]
		name: String,
		/// Admin accounts of the new hospital (repeat the flag).
		#[arg(long = "admin", required = true)]
		admins: Vec<String>,
		#[arg(long)]
		validator: String,
		/// Ayes needed (default: a majority of the council).
		#[arg(long)]
		threshold: Option<u32>,
	},
	/// Vote on a council proposal, and close it once decided.
	Vote {
		/// The proposal hash `propose-hospital` printed.
		proposal: String,
		#[arg(long, conflicts_with = "nay")]
		aye: bool,
		#[arg(long)]
		nay: bool,
	},
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Role {
	Patient,
	Doctor,
}

#[derive(Subcommand)]
pub enum DoctorCmd {
	/// Apply to a hospital (the licence number is hashed, never stored).
	Apply {
		#[arg(long)]
		hospital: u32,
		#[arg(long)]
		name: String,
		#[arg(long)]
		specialty: String,
		#[arg(long)]
		licence: String,
	},
	/// Ask a patient for access.
	Request {
		patient: String,
		#[command(flatten)]
		scope: ScopeArgs,
		#[arg(long, value_enum, default_value = "read")]
		permission: PermissionArg,
		#[arg(long, value_enum, default_value = "treatment")]
		purpose: PurposeArg,
	},
	/// The patients who granted you access.
	Patients,
	/// Create a record for a patient from a file.
	CreateRecord(CreateArgs),
	/// Store a new version of a record from a file.
	UpdateRecord {
		record: u64,
		#[arg(long)]
		file: PathBuf,
	},
	/// Open a record: read receipt, download, verify, unwrap, decrypt to a file.
	Open(OpenArgs),
	/// Break-glass access to a patient's records (4 hours, reviewed by your hospital).
	Emergency {
		patient: String,
		#[arg(long, value_enum)]
		reason: ReasonArg,
	},
}

#[derive(Args)]
pub struct CreateArgs {
	pub patient: String,
	#[arg(long, value_enum)]
	pub category: CategoryArg,
	#[arg(long)]
	pub file: PathBuf,
}

#[derive(Args)]
pub struct OpenArgs {
	pub record: u64,
	#[arg(long)]
	pub out: PathBuf,
}

#[derive(Args, Clone)]
pub struct ScopeArgs {
	/// Every record (default).
	#[arg(long, conflicts_with_all = ["categories", "records"])]
	pub all: bool,
	/// Comma-separated categories, e.g. LabResult,Diagnosis.
	#[arg(long, value_delimiter = ',', value_enum)]
	pub categories: Vec<CategoryArg>,
	/// Comma-separated record ids.
	#[arg(long, value_delimiter = ',')]
	pub records: Vec<u64>,
}

#[derive(Subcommand)]
pub enum PatientCmd {
	/// Register yourself, optionally with a profile (a JSON file, encrypted to you).
	Register {
		#[arg(long)]
		profile: Option<PathBuf>,
	},
	/// Show your decrypted profile.
	Profile(ForArgs),
	/// Replace your profile with a JSON file.
	SetProfile {
		file: PathBuf,
		#[command(flatten)]
		who: ForArgs,
	},
	/// Add a record of your own from a file.
	Upload {
		#[arg(long, value_enum)]
		category: CategoryArg,
		#[arg(long)]
		file: PathBuf,
		#[command(flatten)]
		who: ForArgs,
	},
	/// Your records, with versions and authors.
	Records(ForArgs),
	/// Open one of your records to a file.
	Open {
		#[command(flatten)]
		open: OpenArgs,
	},
	/// Give a doctor access, sharing the keys of every record in scope.
	Grant(GrantArgs),
	/// Change a grant (scope, permission, expiry), sharing keys for the new scope.
	ChangeGrant(GrantArgs),
	/// Take a doctor's access away (and their keys).
	Revoke {
		doctor: String,
		#[command(flatten)]
		who: ForArgs,
	},
	/// Your grants.
	Grants(ForArgs),
	/// Pending requests from doctors.
	Requests(ForArgs),
	/// Approve a doctor's request as asked, sharing the keys in scope.
	Approve {
		doctor: String,
		/// Grant for this many days (default: no expiry).
		#[arg(long)]
		days: Option<u64>,
		#[command(flatten)]
		who: ForArgs,
	},
	/// Deny a doctor's request.
	Deny {
		doctor: String,
		#[command(flatten)]
		who: ForArgs,
	},
	/// Re-encrypt a record under a new key for its current readers (after a revoke).
	Rotate {
		record: u64,
		#[command(flatten)]
		who: ForArgs,
	},
	/// Erase a record: every CID and key removed from the chain, and the file from the
	/// hospitals' IPFS nodes (their followers unpin it once the erasure is finalized).
	Erase {
		record: u64,
		#[command(flatten)]
		who: ForArgs,
		/// Seconds to wait for your hospital's IPFS node to drop the file (0: do not wait).
		#[arg(long, default_value_t = 120)]
		wait: u64,
	},
	/// Your audit trail, verified.
	Audit(ForArgs),
}

#[derive(Args, Clone)]
pub struct ForArgs {
	/// Act as guardian of this patient.
	#[arg(long = "for", value_name = "PATIENT")]
	pub patient: Option<String>,
}

#[derive(Args)]
pub struct GrantArgs {
	pub doctor: String,
	#[command(flatten)]
	pub scope: ScopeArgs,
	#[arg(long, value_enum, default_value = "read")]
	pub permission: PermissionArg,
	#[arg(long, value_enum, default_value = "treatment")]
	pub purpose: PurposeArg,
	/// Expire after this many days (default: no expiry).
	#[arg(long)]
	pub days: Option<u64>,
	#[command(flatten)]
	pub who: ForArgs,
}

#[derive(Subcommand)]
pub enum AuditCmd {
	/// The audit trail of a patient, doctor, `hospital:<id>`, `root`, `council` or
	/// `runtime`, with its hash chain checked entry by entry.
	Trail {
		entity: String,
		/// The entries this entity wrote instead (not hash-linked).
		#[arg(long)]
		by_actor: bool,
	},
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum CategoryArg {
	#[value(name = "Consultation", alias = "consultation")]
	Consultation,
	#[value(name = "Diagnosis", alias = "diagnosis")]
	Diagnosis,
	#[value(name = "Prescription", alias = "prescription")]
	Prescription,
	#[value(name = "LabResult", alias = "lab-result")]
	LabResult,
	#[value(name = "Imaging", alias = "imaging")]
	Imaging,
	#[value(name = "Allergy", alias = "allergy")]
	Allergy,
	#[value(name = "Immunization", alias = "immunization")]
	Immunization,
	#[value(name = "Procedure", alias = "procedure")]
	Procedure,
	#[value(name = "Discharge", alias = "discharge")]
	Discharge,
	#[value(name = "Other", alias = "other")]
	Other,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PermissionArg {
	Read,
	ReadWrite,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PurposeArg {
	Treatment,
	SecondOpinion,
	Research,
	Emergency,
	Other,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReasonArg {
	PatientUnconscious,
	LifeThreatening,
	GuardianUnreachable,
	Other,
}
