//! `medchain admin`: a hospital admin's work, and the council's motions.

use super::*;

pub fn admin(ctx: &Ctx, cmd: AdminCmd) -> Result<()> {
	use pallet_doctors::Call as D;
	match cmd {
		AdminCmd::Represent { hospital, patient, end } => {
			let me = ctx.me()?;
			let patient = ctx.account(&patient)?;
			let call = RuntimeCall::Patients(pallet_patients::Call::set_represented {
				hospital,
				patient: patient.into(),
				represented: !end,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"NotRepresented" => {
						Some("no hospital has recorded that this patient cannot act".into())
					}
					"NotRegistered" => Some("this account is not a registered patient".into()),
					_ => None,
				})
			})?;
			let address = keys::address_of(&patient);
			let what = if end {
				format!("{address} acts for themself again")
			} else {
				format!("{address} cannot act for themself: your hospital's admins manage their guardians")
			};
			ctx.done(&inc, what, json!({ "patient": address, "represented": !end }));
		}
		AdminCmd::Invite { hospital, account, role } => {
			let me = ctx.me()?;
			let who = ctx.account(&account)?;
			let role = match role {
				Role::Patient => medchain_primitives::InviteRole::Patient,
				Role::Doctor => medchain_primitives::InviteRole::Doctor,
			};
			let call = RuntimeCall::Consortium(pallet_consortium::Call::invite {
				hospital,
				account: who.into(),
				role,
			});
			let inc = ctx.send(&me, call)?;
			ctx.done(&inc, format!("invited {} ({role:?})", keys::address_of(&who)), json!({}));
		}
		AdminCmd::AddGuardian { patient, guardian } => {
			admin_add_guardian(ctx, &patient, &guardian)?
		}
		AdminCmd::ApproveRecovery { hospital, patient, holder } => {
			approve_recovery_as(ctx, hospital, &patient, &holder)?
		}
		AdminCmd::SetReleaseKey { hospital, service, key } => {
			set_release_key(ctx, hospital, &service, &key)?
		}
		AdminCmd::Approve { doctor } => {
			doctor_status(ctx, &doctor, "approved", |d| D::approve { doctor: d })?
		}
		AdminCmd::Reject { doctor } => {
			doctor_status(ctx, &doctor, "rejected", |d| D::reject { doctor: d })?
		}
		AdminCmd::Suspend { doctor } => {
			doctor_status(ctx, &doctor, "suspended", |d| D::suspend { doctor: d })?
		}
		AdminCmd::Reinstate { doctor } => {
			doctor_status(ctx, &doctor, "reinstated", |d| D::reinstate { doctor: d })?
		}
		AdminCmd::ReleaseLicence { doctor } => {
			doctor_status(ctx, &doctor, "no longer holds their licence hash", |d| {
				D::release_licence { doctor: d }
			})?
		}
		AdminCmd::Reviews { hospital } => {
			let reviews = pending_reviews(ctx, hospital)?;
			if ctx.json {
				ctx.emit(&json!(reviews
					.iter()
					.map(|r| json!({
						"entry": r.entry,
						"patient": keys::address_of(&r.patient.clone().into()),
						"doctor": keys::address_of(&r.doctor.clone().into()),
						"reason": format!("{:?}", r.reason),
						"openedAt": r.opened_at,
					}))
					.collect::<Vec<_>>()));
			} else {
				let rows = reviews
					.iter()
					.map(|r| {
						vec![
							r.entry.to_string(),
							output::local_ms(r.opened_at),
							ctx.name(&keys::address_of(&r.doctor.clone().into())),
							ctx.name(&keys::address_of(&r.patient.clone().into())),
							format!("{:?}", r.reason),
						]
					})
					.collect::<Vec<_>>();
				output::table(&["ENTRY", "OPENED", "DOCTOR", "PATIENT", "REASON"], &rows);
			}
		}
		AdminCmd::CloseReview { hospital, entry, justified, .. } => {
			let me = ctx.me()?;
			let call = RuntimeCall::Access(pallet_access::Call::close_emergency_review {
				hospital,
				entry,
				justified,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"NoReview" => Some(format!(
						"no emergency access of hospital #{hospital} awaits review at entry {entry}: `medchain admin reviews {hospital}` lists them"
					)),
					"OwnReview" => {
						Some("you broke the glass yourself: another admin must review it".into())
					}
					"NotHospitalAdmin" => Some(format!("you are not an admin of hospital #{hospital}")),
					_ => None,
				})
			})?;
			let verdict = if justified { "justified" } else { "not justified" };
			ctx.done(
				&inc,
				format!("closed the review of emergency access {entry}: {verdict}"),
				json!({ "entry": entry, "justified": justified }),
			);
		}
		AdminCmd::Doctors { hospital } => {
			let doctors = doctors_of(ctx, hospital)?;
			if ctx.json {
				ctx.emit(&json!(doctors));
			} else {
				println!("doctors of {}:", ctx.hospital_name(hospital));
				let rows = doctors
					.iter()
					.map(|d| {
						vec![
							format!("Dr. {}", d.name),
							d.specialty.clone(),
							d.status.clone(),
							output::local_time(&d.since),
							d.account.to_string(),
						]
					})
					.collect::<Vec<_>>();
				output::table(&["NAME", "SPECIALTY", "STATUS", "SINCE", "ACCOUNT"], &rows);
			}
		}
		AdminCmd::ProposeHospital { name, admins, validator, threshold } => {
			let me = ctx.me()?;
			let admins = admins
				.iter()
				.map(|a| ctx.account(a).map(AccountId32::from))
				.collect::<Result<Vec<_>>>()?;
			let inner = RuntimeCall::Consortium(pallet_consortium::Call::admit_hospital {
				name: name.clone().into_bytes(),
				admins,
				validator: ctx.account(&validator)?.into(),
			});
			let members: Vec<Value> = council_members(ctx)?
				.into_iter()
				.map(|m| json!(keys::address_of(&m.into())))
				.collect();
			let threshold = threshold.unwrap_or((members.len() as u32 * 2).div_ceil(3).max(1));
			let length_bound = inner.encoded_size() as u32;
			let proposal = frame_support::Blake2_256::hash(&inner.encode());
			let call = RuntimeCall::Council(pallet_collective::Call::propose {
				threshold,
				proposal: Box::new(inner),
				length_bound,
			});
			let inc = ctx.send(&me, call)?;
			let hash = format!("0x{}", hex::encode(proposal));
			ctx.done(
				&inc,
				format!(
					"proposed admitting {name}: proposal {hash}, {threshold} of {} council votes needed",
					members.len()
				),
				json!({ "proposal": hash, "threshold": threshold }),
			);
		}
		AdminCmd::Vote { proposal, aye, nay } => {
			let me = ctx.me()?;
			if aye == nay {
				return Err(fail(exit::USAGE, "say --aye or --nay"));
			}
			let hash = sp_core::H256::from_slice(
				&hex::decode(proposal.trim_start_matches("0x"))
					.ok()
					.filter(|h| h.len() == 32)
					.ok_or_else(|| fail(exit::USAGE, "a proposal is 0x and 64 hex digits"))?,
			);
			let key = storage_key("Council", "Voting", &[&hash.encode()]);
			let votes: CouncilVotes = ctx.chain.storage(&key, None)?.ok_or_else(|| {
				fail(
					exit::CHAIN,
					format!("no open proposal {proposal}: it passed, failed or never existed"),
				)
			})?;
			let inc = ctx.send(
				&me,
				RuntimeCall::Council(pallet_collective::Call::vote {
					proposal: hash,
					index: votes.index,
					approve: aye,
				}),
			)?;
			ctx.done(
				&inc,
				format!("voted {} on {proposal}", if aye { "aye" } else { "nay" }),
				json!({}),
			);
			// Close it once the vote decided it: this is what dispatches the admission.
			let after: Option<CouncilVotes> = ctx.chain.storage(&key, None)?;
			if let Some(v) = after {
				let members = council_members(ctx)?.len() as u32;
				if v.ayes.len() as u32 >= v.threshold
					|| v.nays.len() as u32 > members.saturating_sub(v.threshold)
				{
					let proposal_key = storage_key("Council", "ProposalOf", &[&hash.encode()]);
					let call: Option<RuntimeCall> = ctx.chain.storage(&proposal_key, None)?;
					let length_bound = call.map(|c| c.encoded_size() as u32).unwrap_or(0);
					let close = RuntimeCall::Council(pallet_collective::Call::close {
						proposal_hash: hash,
						index: v.index,
						proposal_weight_bound: frame_support::weights::Weight::from_parts(
							1_000_000_000_000,
							1_000_000,
						),
						length_bound,
					});
					let inc = ctx.send(&me, close)?;
					let outcome = inc.events.iter().find_map(|e| match e {
						RuntimeEvent::Council(pallet_collective::Event::Executed {
							result,
							..
						}) => Some(match result {
							Ok(()) => "executed".to_string(),
							Err(e) => format!("failed: {}", crate::chain::explain(*e)),
						}),
						RuntimeEvent::Council(pallet_collective::Event::Disapproved { .. }) => {
							Some("rejected".to_string())
						}
						_ => None,
					});
					ctx.done(
						&inc,
						format!("closed {proposal}: {}", outcome.clone().unwrap_or_default()),
						json!({ "closed": outcome }),
					);
				}
			}
		}
	}
	Ok(())
}

/// Every doctor who applied to or was registered at `hospital`, whatever their status.
pub fn doctors_of(ctx: &Ctx, hospital: u32) -> Result<Vec<medchain_api::views::Doctor>> {
	let prefix = storage_key(
		"Doctors",
		"DoctorsOf",
		&[&frame_support::Twox64Concat::hash(&hospital.encode())],
	);
	let mut doctors = Vec::new();
	for key in ctx.chain.keys(&prefix)? {
		let Some(acc) = key.get(key.len() - 32..).and_then(|a| <[u8; 32]>::try_from(a).ok()) else {
			continue;
		};
		if let Some(doctor) = ctx.chain.doctor(&AccountId32::from(acc), None)? {
			doctors.push(doctor);
		}
	}
	Ok(doctors)
}

/// An emergency access awaiting its hospital's review.
pub struct PendingReview {
	/// The access's audit entry.
	pub entry: u64,
	pub patient: AccountId32,
	pub doctor: AccountId32,
	pub reason: medchain_primitives::EmergencyReason,
	/// Chain time (ms) it opened.
	pub opened_at: u64,
}

/// The emergency accesses by `hospital`'s doctors awaiting its review, oldest first.
pub fn pending_reviews(ctx: &Ctx, hospital: u32) -> Result<Vec<PendingReview>> {
	let prefix = storage_key(
		"Access",
		"PendingReviews",
		&[&frame_support::Twox64Concat::hash(&hospital.encode())],
	);
	let mut out = Vec::new();
	for key in ctx.chain.keys(&prefix)? {
		let Some(entry) = key.get(key.len() - 8..).and_then(|e| <[u8; 8]>::try_from(e).ok()) else {
			continue;
		};
		if let Some(review) = ctx.chain.storage::<pallet_access::Review<AccountId32>>(&key, None)? {
			out.push(PendingReview {
				entry: u64::from_le_bytes(entry),
				patient: review.patient,
				doctor: review.doctor,
				reason: review.reason,
				opened_at: review.opened_at,
			});
		}
	}
	out.sort_by_key(|r| r.entry);
	Ok(out)
}

/// A council motion still open.
pub struct Motion {
	/// Its hash, as `vote` takes it.
	pub hash: String,
	/// What it would do, in words.
	pub call: String,
	pub ayes: Vec<AccountId32>,
	pub nays: Vec<AccountId32>,
	pub threshold: u32,
}

/// The council's open motions.
pub fn motions(ctx: &Ctx) -> Result<Vec<Motion>> {
	// `Voting` and `ProposalOf` are keyed by the proposal's hash as it is (Identity).
	let key = |item: &str, hash: &sp_core::H256| storage_key("Council", item, &[&hash.encode()]);
	let hashes: Vec<sp_core::H256> =
		ctx.chain.storage(&storage_key("Council", "Proposals", &[]), None)?.unwrap_or_default();
	let mut out = Vec::new();
	for hash in hashes {
		let Some(votes) = ctx.chain.storage::<CouncilVotes>(&key("Voting", &hash), None)? else {
			continue;
		};
		let call: Option<RuntimeCall> = ctx.chain.storage(&key("ProposalOf", &hash), None)?;
		out.push(Motion {
			hash: format!("{hash:?}"),
			call: call.map(|c| motion_text(ctx, &c)).unwrap_or_else(|| "(unknown call)".into()),
			ayes: votes.ayes,
			nays: votes.nays,
			threshold: votes.threshold,
		});
	}
	Ok(out)
}

/// A council motion's call in words.
fn motion_text(ctx: &Ctx, call: &RuntimeCall) -> String {
	use pallet_consortium::Call as C;
	let named = |a: &AccountId32| ctx.name(&keys::address_of(&a.clone().into()));
	match call {
		RuntimeCall::Consortium(C::admit_hospital { name, admins, validator }) => format!(
			"admit the hospital {} (admins {}; validator {})",
			String::from_utf8_lossy(name),
			admins.iter().map(named).collect::<Vec<_>>().join(", "),
			named(validator)
		),
		RuntimeCall::Consortium(C::suspend_hospital { hospital }) => {
			format!("suspend {}", ctx.hospital_name(*hospital))
		}
		RuntimeCall::Consortium(C::reinstate_hospital { hospital }) => {
			format!("reinstate {}", ctx.hospital_name(*hospital))
		}
		RuntimeCall::Consortium(C::remove_hospital { hospital }) => {
			format!("remove {}", ctx.hospital_name(*hospital))
		}
		RuntimeCall::Consortium(C::authorize_upgrade { code_hash }) => {
			format!("authorize the runtime upgrade {code_hash:?}")
		}
		other => {
			let text = format!("{other:?}");
			text.chars().take(200).collect()
		}
	}
}

/// Every hospital the consortium ever admitted, whatever its status.
pub fn hospitals(ctx: &Ctx) -> Result<Vec<medchain_api::views::Hospital>> {
	let key = storage_key("Consortium", "NextHospitalId", &[]);
	let next: u32 = ctx.chain.storage(&key, None)?.unwrap_or_default();
	let mut out = Vec::new();
	for id in 0..next {
		if let Some(hospital) = ctx.chain.hospital(id, None)? {
			out.push(hospital);
		}
	}
	Ok(out)
}

/// A council motion's votes, as `pallet-collective` stores them (its fields are private).
#[derive(Decode)]
pub struct CouncilVotes {
	index: u32,
	threshold: u32,
	ayes: Vec<AccountId32>,
	nays: Vec<AccountId32>,
	#[allow(dead_code)]
	end: u32,
}

/// Approve, reject, suspend or reinstate a doctor.
pub fn doctor_status(
	ctx: &Ctx,
	doctor: &str,
	verb: &str,
	call: impl FnOnce(AccountId32) -> pallet_doctors::Call<medchain_runtime::Runtime>,
) -> Result<()> {
	let me = ctx.me()?;
	let acc = ctx.account(doctor)?;
	let address = keys::address_of(&acc);
	let name = ctx.name(&address);
	let inc = ctx.send(&me, RuntimeCall::Doctors(call(acc.into()))).map_err(|e| {
		reword(e, |_, error| match error {
			"NotHospitalAdmin" => Some(format!("you are not an admin of {name}'s hospital")),
			"NotPending" => Some(format!("{name} has no pending application")),
			"NotDoctor" => Some(format!("{address} has not applied to any hospital")),
			"NotSuspended" => Some(format!("{name} is not suspended: suspend them first")),
			"LicenceNotHeld" => Some(format!("{name} holds no licence hash")),
			"LicenceInUse" => Some(format!(
				"{name}'s licence hash is held by another account: release it there first"
			)),
			_ => None,
		})
	})?;
	ctx.done(&inc, format!("{name} {verb}"), json!({ "doctor": address }));
	Ok(())
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
	/// Add a guardian to a patient the hospital recorded as unable to act (`represent`): a
	/// carer, or the person's new account after lost keys (then another hospital's
	/// `admin approve-recovery`).
	AddGuardian { patient: String, guardian: String },
	/// As an admin of `hospital`, not the patient's, approve the recovery of a patient's keys
	/// to `holder`, their new account (a guardian the patient's hospital added after checking
	/// their identity), having checked the person's identity too. It takes effect after the
	/// chain's recovery delay, during which the patient or a guardian they named can cancel it
	/// (docs/emergency-access.md, "Key recovery").
	ApproveRecovery {
		#[arg(long)]
		hospital: u32,
		patient: String,
		holder: String,
	},
	/// Register the hospital's key-release key and the account its release service signs
	/// with (`medchain release-service key`, run as that account, prints the key).
	SetReleaseKey {
		hospital: u32,
		/// The release service's account.
		#[arg(long)]
		service: String,
		/// Its key-release key: 0x and 64 hex digits.
		#[arg(long)]
		key: String,
	},
	/// The emergency accesses by a hospital's doctors awaiting its review.
	Reviews { hospital: u32 },
	/// Close the review of an emergency access: justified or not, in the patient's trail.
	CloseReview {
		hospital: u32,
		/// The access's audit entry (`medchain admin reviews` lists them).
		entry: u64,
		#[arg(long, conflicts_with = "unjustified", required_unless_present = "unjustified")]
		justified: bool,
		#[arg(long)]
		unjustified: bool,
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

/// The hospital council's members now (`Council.Members`).
pub fn council_members(ctx: &Ctx) -> Result<Vec<AccountId32>> {
	let key = storage_key("Council", "Members", &[]);
	Ok(ctx.chain.storage::<Vec<AccountId32>>(&key, None)?.unwrap_or_default())
}
