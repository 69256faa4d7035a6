//! `medchain patient`: a patient's (or a guardian's) work: registration, profile,
//! records, consent (grants, requests) and erasure.

use super::*;

pub fn patient(ctx: &Ctx, cmd: PatientCmd) -> Result<()> {
	use pallet_access::Call as A;
	let guardian_hint = |_: &str, error: &str| {
		match error {
		"NotPatientOrGuardian" => {
			Some("you are neither this patient nor one of their guardians".to_string())
		}
		"UnknownPatient" => Some(
			"this account is not a registered patient: `medchain patient register`".to_string(),
		),
		"NotPatient" => Some(
			"only the patient may do this: a guardian cannot replace or remove the patient's own keys"
				.to_string(),
		),
		_ => None,
	}
	};
	// Rotating and erasing replace or remove the patient's own keys: the
	// chain refuses them from a guardian (`NotPatient`), so say so first.
	let only_the_patient = |me: &Identity, patient: &[u8; 32], what: &str| {
		if *patient == me.account() {
			Ok(())
		} else {
			Err(fail(
				exit::USAGE,
				format!("only the patient may {what}: a guardian cannot replace or remove the patient's own keys"),
			))
		}
	};
	match cmd {
		PatientCmd::Register { profile, hospital, no_hospital } => {
			let profile = profile.as_deref().map(read_profile).transpose()?;
			register(ctx, profile, hospital, no_hospital)?
		}
		PatientCmd::Profile(who) => {
			let profile = profile(ctx, &who)?;
			if ctx.json {
				ctx.emit(&profile);
			} else {
				for (k, v) in profile.as_object().into_iter().flatten() {
					println!(
						"{k:>12}: {}",
						v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
					);
				}
			}
		}
		PatientCmd::SetProfile { file, who } => set_profile(ctx, &who, &read_profile(&file)?)?,
		PatientCmd::Upload { category, file, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			create_record(ctx, &me, patient, category, &file)?;
		}
		PatientCmd::Records(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let items = ctx.chain.records_of(&AccountId32::from(patient))?;
			if ctx.json {
				ctx.emit(&json!(items));
			} else {
				let mut rows = Vec::new();
				for r in &items {
					for v in &r.versions {
						let current = if v.version == r.version { " (current)" } else { "" };
						rows.push(vec![
							r.id.to_string(),
							format!("{:?}", r.category),
							format!("v{}{current}", v.version),
							ctx.name(&v.author.to_string()),
							output::local_time(&v.at),
							v.epoch.to_string(),
							v.cid.clone(),
						]);
					}
				}
				output::table(
					&["RECORD", "CATEGORY", "VERSION", "AUTHOR", "TIME", "EPOCH", "CID"],
					&rows,
				);
			}
		}
		PatientCmd::Open { open } => open_record(ctx, &open)?,
		PatientCmd::Grant(args) => grant(ctx, args, false)?,
		PatientCmd::ChangeGrant(args) => grant(ctx, args, true)?,
		PatientCmd::Revoke { doctor, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let grantee = ctx.account(&doctor)?;
			let name = ctx.name(&keys::address_of(&grantee));
			let inc = ctx
				.send(
					&me,
					RuntimeCall::Access(A::revoke {
						patient: patient.into(),
						grantee: grantee.into(),
					}),
				)
				.map_err(|e| {
					reword(e, |p, error| match error {
						"NoGrant" => Some(format!("{name} holds no grant from this patient")),
						_ => guardian_hint(p, error),
					})
				})?;
			ctx.done(
				&inc,
				format!(
					"revoked {name}'s access and keys; rotate the records they could read \
					 (`medchain patient rotate <id>`) so future versions are sealed from them"
				),
				json!({}),
			);
		}
		PatientCmd::Grants(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let items = ctx.chain.grants_of(&AccountId32::from(patient))?;
			list_consents(ctx, &items, "DOCTOR");
		}
		PatientCmd::Requests(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let items = ctx.chain.requests_of(&AccountId32::from(patient))?;
			// A doctor's reason is sealed to the patient: only the patient opens it.
			let reasons: Vec<Option<String>> = items
				.iter()
				.map(|r| {
					r.note.as_ref().filter(|_| patient == me.account()).map(|cid| {
						request_note(ctx, &me, &patient, cid).unwrap_or_else(|e| {
							format!("(the reason could not be opened: {})", e.message)
						})
					})
				})
				.collect();
			if ctx.json {
				let mut listed = serde_json::to_value(&items).unwrap_or_default();
				for (item, reason) in listed.as_array_mut().into_iter().flatten().zip(&reasons) {
					item["reason"] = json!(reason);
				}
				ctx.emit(&listed);
			} else {
				list_consents(ctx, &items, "DOCTOR");
				for (r, reason) in items.iter().zip(&reasons) {
					if let Some(reason) = reason {
						println!("{} asks because: {reason}", ctx.name(&r.doctor.to_string()));
					}
				}
			}
		}
		PatientCmd::Approve { doctor, days, narrow, read_only, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let doctor = ctx.account(&doctor)?;
			let doctor_address = keys::address_of(&doctor);
			let name = ctx.name(&doctor_address);
			let requests = ctx.chain.requests_of(&AccountId32::from(patient))?;
			let request =
				requests.iter().find(|r| r.doctor.0 == AccountId32::from(doctor)).ok_or_else(
					|| fail(exit::CHAIN, format!("{name} has no pending request to this patient")),
				)?;
			// Narrowed: only the categories or records given (within the request's scope),
			// and read-only where read-write was asked.
			let narrowed = (!narrow.categories.is_empty() || !narrow.records.is_empty())
				.then(|| {
					scope(&ScopeArgs {
						all: false,
						categories: narrow.categories.clone(),
						records: narrow.records.clone(),
					})
				})
				.transpose()?;
			let granted = narrowed
				.as_ref()
				.map(medchain_api::views::scope_view)
				.unwrap_or(request.scope.clone());
			let keys = keys_in_scope(ctx, &me, &patient, &granted, &doctor)?;
			let count = keys.len();
			let call = RuntimeCall::Access(A::approve_request {
				patient: patient.into(),
				doctor: doctor.into(),
				scope: narrowed,
				permission: read_only.then_some(pallet_access::Permission::Read),
				expires_at: expiry(days),
				keys: bounded(keys, "the keys to share (records in the request's scope)")?,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |p, error| match error {
					"NotWithinRequest" => Some(format!(
						"{name} asked for {}: an approval may narrow that scope, not widen it",
						scope_text(&request.scope)
					)),
					_ => guardian_hint(p, error),
				})
			})?;
			ctx.done(
				&inc,
				format!(
					"approved {name}'s request ({}{}), {count} record keys shared",
					scope_text(&granted),
					if read_only { ", read only" } else { "" }
				),
				json!({ "keys": count }),
			);
		}
		PatientCmd::Deny { doctor, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let doctor = ctx.account(&doctor)?;
			let name = ctx.name(&keys::address_of(&doctor));
			let inc = ctx
				.send(
					&me,
					RuntimeCall::Access(A::deny_request {
						patient: patient.into(),
						doctor: doctor.into(),
					}),
				)
				.map_err(|e| {
					reword(e, |p, error| match error {
						"NoRequest" => {
							Some(format!("{name} has no pending request to this patient"))
						}
						_ => guardian_hint(p, error),
					})
				})?;
			ctx.done(&inc, format!("denied {name}'s request"), json!({}));
		}
		PatientCmd::EmergencyOptIn { narrow } => opt_in(ctx, &ctx.me()?, narrow)?,
		PatientCmd::EmergencyOptOut { record } => opt_out(ctx, &ctx.me()?, record)?,
		PatientCmd::Recovery(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			recovery_status(ctx, &patient)?
		}
		PatientCmd::CancelRecovery(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			cancel_recovery(ctx, &me, &patient)?
		}
		PatientCmd::Rotate { record, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			only_the_patient(&me, &patient, "rotate a record's key")?;
			rotate(ctx, &me, record)?;
		}
		PatientCmd::Erase { record, who, drop_timeout: wait } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			only_the_patient(&me, &patient, "erase a record")?;
			// Every version's CID, read before the chain forgets them.
			let cids: Vec<cid::Cid> = ctx
				.record(record)?
				.versions
				.iter()
				.map(|v| v.cid.parse())
				.collect::<std::result::Result<_, _>>()
				.map_err(|_| fail(exit::CHAIN, format!("record {record} names a malformed CID")))?;
			let inc = ctx
				.send(&me, RuntimeCall::Records(pallet_records::Call::erase_record { record }))
				.map_err(|e| reword(e, guardian_hint))?;
			// Then the ciphertext: unpinned from (or deleted in) this client's store at once,
			// unless another of the patient's records or their profile still names it.
			let (mut unnamed, mut kept) = (Vec::new(), 0);
			for cid in cids {
				match ctx.chain.file_claimant(&cid, Some(inc.block))? {
					Some(_) => kept += 1,
					None => unnamed.push(cid),
				}
			}
			let cids = unnamed;
			let mut unpinned = 0;
			let mut failed = Vec::new();
			for cid in &cids {
				match ctx.store.unpin(cid) {
					Ok(held) => unpinned += held as usize,
					Err(e) => failed.push(format!("{cid}: {e}")),
				}
			}
			let mut note = if failed.is_empty() {
				String::new()
			} else {
				format!(
					"; could not unpin {} (unpin them by hand): {}",
					failed.len(),
					failed.join("; ")
				)
			};
			if kept > 0 {
				note += &format!(
					"; {kept} kept: your profile or another of your records names the same file"
				);
			}
			// The hospital's node deletes the blocks when its follower collects garbage after
			// the erasure's block is finalized; every hospital's follower does the same.
			let mut dropped = Value::Null;
			if let (Store::Kubo(url), true) = (&ctx.store, wait > 0 && !cids.is_empty()) {
				if !ctx.json {
					eprintln!(
						"record {record} erased in block #{}; waiting up to {wait} s for the \
						 erasure to be finalized and your hospital's IPFS node to drop the file \
						 (--drop-timeout 0 skips this)",
						inc.block_number
					);
				}
				let deadline = Instant::now() + Duration::from_secs(wait);
				let started = Instant::now();
				match until_dropped(ctx, inc.block_number, &cids, deadline) {
					Ok(true) => {
						let secs = started.elapsed().as_secs_f64();
						note += &format!(
							"; {secs:.1} s later the erasure was finalized and your hospital's IPFS \
							 node no longer holds the file (every hospital's follower drops it at \
							 that block: `medchain follow status` on theirs)"
						);
						dropped = json!(true);
					}
					Ok(false) => {
						note += &format!(
							"; your hospital's IPFS node ({url}) still holds the file after {wait} \
							 s: is its follower running (`medchain follow status`, \
							 docs/storage.md)? The erasure on chain stands"
						);
						dropped = json!(false);
					}
					Err(e) => {
						note +=
							&format!("; could not check your hospital's IPFS node: {}", e.message);
					}
				}
			}
			ctx.done(
				&inc,
				format!(
					"record {record} erased: its CIDs and keys are gone from the chain's state (the \
					 audit trail keeps that it existed; old blocks still hold what was sent); \
					 {unpinned} of {} versions unpinned from this client's IPFS store{note}",
					cids.len()
				),
				json!({
					"record": record,
					"versions": cids.len(),
					"unpinned": unpinned,
					"unpinFailed": failed,
					"droppedByHospitalNode": dropped,
				}),
			);
		}
		PatientCmd::Audit(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			audit(ctx, &keys::address_of(&patient), false)?;
		}
		PatientCmd::AddGuardian { guardian } => {
			let me = ctx.me()?;
			let guardian = ctx.account(&guardian)?;
			let name = ctx.name(&keys::address_of(&guardian));
			let call = RuntimeCall::Patients(pallet_patients::Call::add_guardian {
				patient: me.account().into(),
				guardian: guardian.into(),
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |p, error| match error {
					"AlreadyGuardian" => Some(format!("{name} is already your guardian")),
					"SelfGuardian" => Some("you cannot be your own guardian".into()),
					"TooManyGuardians" => Some(
						"you have as many guardians as the chain allows: remove one first".into(),
					),
					_ => guardian_hint(p, error),
				})
			})?;
			ctx.done(
				&inc,
				format!("{name} is now a guardian: they may act for you"),
				json!({ "guardian": keys::address_of(&guardian) }),
			);
		}
		PatientCmd::RemoveGuardian { guardian, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let guardian = ctx.account(&guardian)?;
			let name = ctx.name(&keys::address_of(&guardian));
			let call = RuntimeCall::Patients(pallet_patients::Call::remove_guardian {
				patient: patient.into(),
				guardian: guardian.into(),
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |p, error| match error {
					"NotGuardian" => Some(format!("{name} is not a guardian of this patient")),
					"MayNotManageGuardians" => Some(
						"only the patient (or a guardian stepping down) may remove a guardian"
							.into(),
					),
					_ => guardian_hint(p, error),
				})
			})?;
			ctx.done(
				&inc,
				format!("{name} no longer acts for {}", ctx.name(&keys::address_of(&patient))),
				json!({ "guardian": keys::address_of(&guardian) }),
			);
		}
	}
	Ok(())
}

/// Register the signed-in account as a patient, with `profile` sealed to its own key: at
/// `hospital`, with its invitation (free), or of no hospital (paying). The person names the
/// hospital: an invitation the account holds is never used without it.
pub fn register(
	ctx: &Ctx,
	profile: Option<Value>,
	hospital: Option<u32>,
	no_hospital: bool,
) -> Result<()> {
	let me = ctx.me()?;
	if hospital.is_none() && !no_hospital {
		let inviting: Vec<String> = ctx
			.chain
			.invitations(&me.account().into())?
			.into_iter()
			.filter(|(_, role)| *role == medchain_primitives::InviteRole::Patient)
			.map(|(h, _)| ctx.hospital_name(h))
			.collect();
		if !inviting.is_empty() {
			return Err(fail(
				exit::USAGE,
				format!(
					"patient invitations of {} are waiting for this account. Name the hospital \
					 whose desk you are at with `--hospital <its number>` (free with that \
					 hospital's own invitation; ask its desk if it has not invited you), or \
					 register with no hospital, paying the fee, with --no-hospital",
					inviting.join(", ")
				),
			));
		}
	}
	let profile = profile.map(|p| store_profile(ctx, &me, &me.account(), &p)).transpose()?;
	let encryption_key = me.encryption.public();
	let cid = profile.clone().map(|p| bounded(p.into_bytes(), "the CID")).transpose()?;
	let call = RuntimeCall::Patients(match hospital {
		Some(hospital) => {
			pallet_patients::Call::register_at { hospital, encryption_key, profile: cid }
		}
		None => pallet_patients::Call::register { encryption_key, profile: cid },
	});
	let inc = ctx.send(&me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"AlreadyRegistered" => Some("this account is already a registered patient".into()),
			"NotInvited" => hospital.map(|h| {
				format!(
					"{} has no live patient invitation for this account: ask its desk to invite \
					 you (`medchain admin invite --hospital {h} {} patient`)",
					ctx.hospital_name(h),
					me.address()
				)
			}),
			_ => None,
		})
	})?;
	let at = hospital.map(|h| format!(" at {}", ctx.hospital_name(h))).unwrap_or_default();
	ctx.done(
		&inc,
		format!("registered {} as a patient{at}", me.address()),
		json!({ "patient": me.address(), "profile": profile, "hospital": hospital }),
	);
	Ok(())
}

/// The patient's profile, decrypted (only the patient's own key opens it).
pub fn profile(ctx: &Ctx, who: &ForArgs) -> Result<Value> {
	let me = ctx.me()?;
	let patient = ctx.patient_of(&me, who)?;
	let info = ctx
		.chain
		.patient(&AccountId32::from(patient), None)?
		.ok_or_else(|| fail(exit::CHAIN, "not a registered patient"))?;
	let cid = info.profile.ok_or_else(|| {
		fail(exit::CHAIN, "no profile yet: `medchain patient set-profile <file.json>`")
	})?;
	if patient != me.account() {
		return Err(fail(
			exit::CRYPTO,
			"the profile is sealed to the patient's own key; only the patient can open it",
		));
	}
	let plain = fetch_sealed(ctx, &me, &patient, "profile", &cid)?;
	serde_json::from_slice(&plain)
		.map_err(|_| fail(exit::CRYPTO, "the decrypted profile is not JSON"))
}

/// Replace the patient's profile with `profile`, sealed to the patient's key.
pub fn set_profile(ctx: &Ctx, who: &ForArgs, profile: &Value) -> Result<()> {
	let guardian_hint = |_: &str, error: &str| match error {
		"NotPatientOrGuardian" => {
			Some("you are neither this patient nor one of their guardians".to_string())
		}
		_ => None,
	};
	let me = ctx.me()?;
	let patient = ctx.patient_of(&me, who)?;
	let cid = store_profile(ctx, &me, &patient, profile)?;
	let call = RuntimeCall::Patients(pallet_patients::Call::set_profile {
		patient: patient.into(),
		profile: Some(bounded(cid.clone().into_bytes(), "the CID")?),
	});
	let inc = ctx.send(&me, call).map_err(|e| reword(e, guardian_hint))?;
	ctx.done(&inc, format!("profile updated ({cid})"), json!({ "profile": cid }));
	Ok(())
}

/// A profile JSON file: one JSON object.
pub fn read_profile(file: &Path) -> Result<Value> {
	let text = std::fs::read_to_string(file)
		.map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", file.display())))?;
	let profile: Value = serde_json::from_str(&text)
		.map_err(|e| fail(exit::USAGE, format!("{} is not JSON: {e}", file.display())))?;
	if !profile.is_object() {
		return Err(fail(
			exit::USAGE,
			"a profile is a JSON object, e.g. {\"name\": ..., \"birthDate\": ...}",
		));
	}
	Ok(profile)
}

/// Encrypt a profile to the patient and store it; its CID.
pub fn store_profile(
	ctx: &Ctx,
	me: &Identity,
	patient: &[u8; 32],
	profile: &Value,
) -> Result<String> {
	let public =
		if *patient == me.account() { me.encryption.public() } else { ctx.reader_key(patient)? };
	store_sealed(ctx, &public, patient, "profile", profile.to_string().as_bytes())
}

/// Seal `plain` to the holder of `public` (its own data key, wrapped to `public` and bound
/// to `patient` and `label`, stored before the encrypted bytes) and store it; its CID.
pub fn store_sealed(
	ctx: &Ctx,
	public: &[u8; 32],
	patient: &[u8; 32],
	label: &str,
	plain: &[u8],
) -> Result<String> {
	let key = crypto::new_data_key();
	let wrapped = crypto::wrap_key(&key, public, &crypto::wrap_info(patient, label, 0), patient)?;
	// Envelope: wrapped key (80 bytes) then the encrypted document.
	let mut envelope = wrapped;
	envelope.extend(crypto::encrypt_bytes(&key, patient, plain));
	let path = ctx.tmp(label)?;
	files::write_private(&path, envelope)?;
	let cid = ctx.store.add(&path, &|_| {});
	let _ = std::fs::remove_file(&path);
	Ok(cid?.to_string())
}

/// Fetch what [`store_sealed`] stored under `label` and open it with `me`'s key.
pub fn fetch_sealed(
	ctx: &Ctx,
	me: &Identity,
	patient: &[u8; 32],
	label: &str,
	cid: &str,
) -> Result<Vec<u8>> {
	let parsed: cid::Cid =
		cid.parse().map_err(|_| fail(exit::CHAIN, format!("malformed CID on chain: {cid}")))?;
	let path = ctx.tmp(label)?;
	let fetched = ctx.store.get(&parsed, &path, &|_| {});
	let envelope = fetched.map_err(Failure::from).and_then(|_| Ok(std::fs::read(&path)?));
	let _ = std::fs::remove_file(&path);
	let envelope = envelope?;
	if envelope.len() < crypto::WRAPPED_KEY_LEN {
		return Err(fail(exit::CRYPTO, format!("{cid} is not a sealed MedChain document")));
	}
	let (wrapped, sealed) = envelope.split_at(crypto::WRAPPED_KEY_LEN);
	let key = me.encryption.unwrap_key(wrapped, &crypto::wrap_info(patient, label, 0), patient)?;
	Ok(crypto::decrypt_bytes(&key, patient, sealed)?)
}

/// The patients `guardian` acts for.
pub fn wards_of(ctx: &Ctx, guardian: &[u8; 32]) -> Result<Vec<AccountId32>> {
	let prefix =
		storage_key("Patients", "WardsOf", &[&frame_support::Blake2_128Concat::hash(guardian)]);
	Ok(ctx
		.chain
		.keys(&prefix)?
		.iter()
		.filter_map(|key| key.get(key.len() - 32..).and_then(|a| <[u8; 32]>::try_from(a).ok()))
		.map(AccountId32::from)
		.collect())
}

/// A doctor's reason for a request (sealed to the patient), opened by the patient.
pub fn request_note(ctx: &Ctx, me: &Identity, patient: &[u8; 32], cid: &str) -> Result<String> {
	let plain = fetch_sealed(ctx, me, patient, "request-note", cid)?;
	String::from_utf8(plain).map_err(|_| fail(exit::CRYPTO, "the request's reason is not text"))
}

/// Wait until block `number` is finalized and the client's store holds no block of
/// `cids`, or `deadline` passes. Whether it happened in time.
pub fn until_dropped(ctx: &Ctx, number: u64, cids: &[cid::Cid], deadline: Instant) -> Result<bool> {
	loop {
		if ctx.chain.finalized_number()? >= number {
			let mut held = false;
			for cid in cids {
				held |= ctx.store.holds_block(cid)?;
			}
			if !held {
				return Ok(true);
			}
		}
		if Instant::now() >= deadline {
			return Ok(false);
		}
		std::thread::sleep(Duration::from_millis(500));
	}
}

/// A narrower scope for an approval: categories or records (none: as asked).
#[derive(Args, Clone, Default)]
pub struct NarrowArgs {
	/// Comma-separated categories, e.g. LabResult,Diagnosis.
	#[arg(long, value_delimiter = ',', value_enum, conflicts_with = "records")]
	pub categories: Vec<CategoryArg>,
	/// Comma-separated record ids.
	#[arg(long, value_delimiter = ',')]
	pub records: Vec<u64>,
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
		/// The hospital whose desk invited you (`medchain admin invite`): free, and it becomes
		/// your hospital. You name it: an invitation of another hospital is not used.
		#[arg(long, conflicts_with = "no_hospital")]
		hospital: Option<u32>,
		/// Register as a patient of no hospital, paying the fee, even though a hospital invited
		/// this account.
		#[arg(long)]
		no_hospital: bool,
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
	/// Approve a doctor's request, as asked or narrowed, sharing the keys in scope.
	Approve {
		doctor: String,
		/// Grant for this many days (default: no expiry).
		#[arg(long)]
		days: Option<u64>,
		/// Approve only these categories or records (within what was asked).
		#[command(flatten)]
		narrow: NarrowArgs,
		/// Approve reading only, where reading and writing were asked.
		#[arg(long)]
		read_only: bool,
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
		drop_timeout: u64,
	},
	/// Your audit trail, verified.
	Audit(ForArgs),
	/// Make records available in an emergency: each record's key split among the
	/// hospitals, so that a doctor who breaks the glass can open it once enough of them
	/// release their shares (docs/emergency-access.md).
	EmergencyOptIn {
		#[command(flatten)]
		narrow: NarrowArgs,
	},
	/// Withdraw a record from emergency availability.
	EmergencyOptOut { record: u64 },
	/// A key recovery of your keys (or, with --for, your ward's), pending or in effect
	/// (docs/emergency-access.md, "Key recovery").
	Recovery(ForArgs),
	/// Cancel a key recovery of your keys (or, as a guardian you named, with --for): before it
	/// takes effect nothing is released; after, the shares released on chain are removed.
	CancelRecovery(ForArgs),
	/// Let someone act for you (a parent, a carer): they manage your consent.
	AddGuardian { guardian: String },
	/// Stop a guardian acting for you; or, as a guardian with --for, step down.
	RemoveGuardian {
		guardian: String,
		#[command(flatten)]
		who: ForArgs,
	},
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
