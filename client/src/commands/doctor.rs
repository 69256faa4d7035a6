//! `medchain doctor`: a doctor's work.

use super::*;

pub fn doctor(ctx: &Ctx, cmd: DoctorCmd) -> Result<()> {
	match cmd {
		DoctorCmd::Apply { hospital, name, specialty, licence } => {
			let me = ctx.me()?;
			// Only a slow hash of the licence number goes on chain.
			let licence_hash = keys::licence_hash(&licence);
			let call = RuntimeCall::Doctors(pallet_doctors::Call::apply {
				hospital,
				name: bounded(name.clone().into_bytes(), "the name")?,
				specialty: bounded(specialty.into_bytes(), "the specialty")?,
				licence_hash,
				encryption_key: me.encryption.public(),
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"LicenceInUse" => Some(
						"a hospital already verified this licence number for another account: if it is yours, ask that hospital to suspend that account and release the licence (`medchain admin release-licence`)".into(),
					),
					"HospitalNotActive" => Some(format!(
						"hospital #{hospital} is not an active member of the consortium"
					)),
					_ => None,
				})
			})?;
			ctx.done(
				&inc,
				format!(
					"Dr. {name} applied to {}; an admin must approve",
					ctx.hospital_name(hospital)
				),
				json!({ "doctor": me.address() }),
			);
		}
		DoctorCmd::Request { patient, scope: s, permission: p, purpose: u, reason } => {
			let me = ctx.me()?;
			let patient = ctx.account(&patient)?;
			// The reason is sealed to the patient: only its CID goes on chain.
			let note = match reason.filter(|r| !r.trim().is_empty()) {
				Some(reason) => {
					let public = ctx.reader_key(&patient)?;
					let cid =
						store_sealed(ctx, &public, &patient, "request-note", reason.as_bytes())?;
					Some(bounded(cid.into_bytes(), "the note's CID")?)
				}
				None => None,
			};
			let call = RuntimeCall::Access(pallet_access::Call::request_access {
				patient: patient.into(),
				scope: scope(&s)?,
				permission: permission(p),
				purpose: purpose(u),
				note,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| {
					match error {
					"RequestExists" => {
						Some("you already have a pending request to this patient".into())
					}
					"RecentlyDenied" => Some(
						"this patient denied your last request: you may ask again a week after the \
						 denial (the request lifetime)"
							.into(),
					),
					"NotActiveDoctor" => {
						Some("only an approved, active doctor can request access".into())
					}
					_ => None,
				}
				})
			})?;
			ctx.done(
				&inc,
				format!("asked {} for access", ctx.name(&keys::address_of(&patient))),
				json!({}),
			);
		}
		DoctorCmd::Patients => {
			let me = ctx.me()?;
			let patients: Vec<String> = ctx
				.chain
				.patients_of(&AccountId32::from(me.account()))?
				.iter()
				.map(medchain_api::ss58)
				.collect();
			if ctx.json {
				ctx.emit(&json!(patients));
			} else {
				let rows =
					patients.iter().map(|p| vec![ctx.name(p), p.clone()]).collect::<Vec<_>>();
				output::table(&["PATIENT", "ADDRESS"], &rows);
			}
		}
		DoctorCmd::CreateRecord(args) => {
			let me = ctx.me()?;
			let patient = ctx.account(&args.patient)?;
			create_record(ctx, &me, patient, args.category, &args.file)?;
		}
		DoctorCmd::UpdateRecord { record, file } => update_record(ctx, record, &file)?,
		DoctorCmd::Open(args) => open_record(ctx, &args)?,
		DoctorCmd::Emergency { patient, reason } => {
			let me = ctx.me()?;
			let patient = ctx.account(&patient)?;
			let reason = match reason {
				ReasonArg::PatientUnconscious => {
					medchain_primitives::EmergencyReason::PatientUnconscious
				}
				ReasonArg::LifeThreatening => medchain_primitives::EmergencyReason::LifeThreatening,
				ReasonArg::GuardianUnreachable => {
					medchain_primitives::EmergencyReason::GuardianUnreachable
				}
				ReasonArg::Other => medchain_primitives::EmergencyReason::Other,
			};
			let call = RuntimeCall::Access(pallet_access::Call::emergency_access {
				patient: patient.into(),
				reason,
			});
			let inc = ctx.send(&me, call)?;
			ctx.done(
				&inc,
				format!(
					"emergency access to {}'s records for 4 hours; your hospital will review it. \
					 The patient's keys are shared only by the patient: records open once they do",
					ctx.name(&keys::address_of(&patient))
				),
				json!({}),
			);
		}
	}
	Ok(())
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
		/// Why you ask, in words for the patient: sealed to the patient's key and stored
		/// with the records; only its CID goes on chain.
		#[arg(long)]
		reason: Option<String>,
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

#[derive(Clone, Copy, ValueEnum)]
pub enum ReasonArg {
	PatientUnconscious,
	LifeThreatening,
	GuardianUnreachable,
	Other,
}
