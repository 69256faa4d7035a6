//! Threshold break-glass (docs/emergency-access.md): a patient makes records available in
//! an emergency, a hospital registers its key-release key and runs its release service,
//! and a doctor who broke the glass opens a record from the shares the hospitals released.

use super::*;
use crate::release::{self, ReleaseService, ServiceState};
use medchain_primitives::HospitalId;

/// How many hospitals must release their shares before a record opens: the runtime's
/// `EmergencyThreshold`.
pub const THRESHOLD: usize = medchain_runtime::configs::EMERGENCY_THRESHOLD as usize;

/// Split `record`'s current data key among `custodians` (any [`THRESHOLD`] recover it) and
/// store the wrapped shares on chain. `me` must hold the record's key.
pub fn escrow_record(
	ctx: &Ctx,
	me: &Identity,
	record: &Record,
	custodians: &[(HospitalId, [u8; 32])],
) -> Result<Included> {
	let patient = patient_bytes(record);
	let origin = origin_cid(record)?;
	let key = ctx.data_key(me, record)?;
	let shares = crypto::split_key(&key, THRESHOLD, custodians.len())?;
	let mut wrapped = Vec::new();
	for ((hospital, release_key), share) in custodians.iter().zip(shares.iter()) {
		let info = crypto::share_info(&patient, &origin, record.epoch, *hospital);
		let sealed =
			crypto::wrap_share(share, release_key, &info, &release::hospital_aad(*hospital))?;
		wrapped.push((*hospital, bounded(sealed, "a wrapped share")?));
	}
	let call = RuntimeCall::Records(pallet_records::Call::escrow_key {
		record: record.id,
		threshold: THRESHOLD as u32,
		shares: bounded(wrapped, "the list of custodian hospitals")?,
	});
	ctx.send(me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"UnknownCustodian" => Some(
				"a hospital's key-release key changed or its hospital was suspended while the \
				 key was being split: run the command again"
					.into(),
			),
			_ => None,
		})
	})
}

/// The custodians a key is split among now, or why there are too few or they cannot be
/// trusted: two hospitals holding one key (one party could open the record alone), or, with
/// a second node (`--verify-node`), the two nodes disagreeing about them at the same
/// finalized block (one of them lies about whose key a share is wrapped to).
pub fn custodians_now(ctx: &Ctx) -> Result<Vec<(HospitalId, [u8; 32])>> {
	let custodians = match &ctx.verify {
		None => release::custodians(&ctx.chain, None)?,
		Some(second) => {
			let at = ctx.chain.finalized_hash()?;
			let mine = release::custodians(&ctx.chain, Some(at))?;
			let theirs = Ctx::answer_at(second, at, |node| release::custodians(node, Some(at)))?;
			if mine != theirs {
				return Err(fail(
					exit::CHAIN,
					format!(
						"the two nodes disagree about the hospitals' key-release keys at block \
						 {at:?} ({} and {}): nothing was split or sent. One of them is lying or \
						 broken",
						ctx.chain.url(),
						second.url()
					),
				));
			}
			mine
		}
	};
	for (i, (hospital, key)) in custodians.iter().enumerate() {
		if let Some((other, _)) = custodians[..i].iter().find(|(_, k)| k == key) {
			return Err(fail(
				exit::CHAIN,
				format!(
					"{} and {} hold the same key-release key, so one party could open your \
					 records alone: nothing was split or sent. Ask the hospitals' admins to set \
					 keys of their own (`medchain admin set-release-key`)",
					ctx.hospital_name(*other),
					ctx.hospital_name(*hospital)
				),
			));
		}
	}
	// An admin of two custodian hospitals sets both hospitals' keys: one party.
	let mut admins: Vec<(HospitalId, Vec<medchain_api::Address>)> = Vec::new();
	for (hospital, _) in &custodians {
		let view = ctx.chain.hospital(*hospital, None)?;
		let mine = view.map(|h| h.admins).unwrap_or_default();
		for (other, theirs) in &admins {
			if let Some(shared) = mine.iter().find(|a| theirs.contains(a)) {
				return Err(fail(
					exit::CHAIN,
					format!(
						"{} and {} share an admin ({}), who can set both hospitals' key-release \
						 keys and so open your records alone: nothing was split or sent. Ask \
						 the consortium to give each hospital admins of its own",
						ctx.hospital_name(*other),
						ctx.hospital_name(*hospital),
						medchain_api::ss58(&shared.0)
					),
				));
			}
		}
		admins.push((*hospital, mine));
	}
	if custodians.len() < THRESHOLD {
		return Err(fail(
			exit::CHAIN,
			format!(
				"only {} active hospitals have a key-release key, and a record's key is split so \
				 that {THRESHOLD} of them must release it: ask the hospitals' admins to run \
				 `medchain admin set-release-key` before records are made available in an \
				 emergency",
				custodians.len()
			),
		));
	}
	Ok(custodians)
}

/// Make the patient's records in scope available in an emergency.
pub fn opt_in(ctx: &Ctx, me: &Identity, narrow: NarrowArgs) -> Result<()> {
	if narrow.categories.is_empty() && narrow.records.is_empty() {
		return Err(fail(
			exit::USAGE,
			"say which records: --categories LabResult,Allergy or --records 3,4",
		));
	}
	let patient = me.account();
	let records = ctx.chain.records_of(&AccountId32::from(patient))?;
	for id in &narrow.records {
		if !records.iter().any(|r| r.id == *id) {
			return Err(fail(exit::USAGE, format!("record {id} is not one of your records")));
		}
	}
	let categories: Vec<RecordCategory> = narrow.categories.iter().map(|c| category(*c)).collect();
	let chosen: Vec<&Record> = records
		.iter()
		.filter(|r| narrow.records.contains(&r.id) || categories.contains(&r.category))
		.collect();
	if chosen.is_empty() {
		return Err(fail(exit::USAGE, "you have no records in those categories"));
	}
	let custodians = custodians_now(ctx)?;
	let names: Vec<String> = custodians.iter().map(|(h, _)| ctx.hospital_name(*h)).collect();
	let mut done = Vec::new();
	for record in chosen {
		let inc = escrow_record(ctx, me, record, &custodians)?;
		done.push(json!({ "record": record.id, "block": inc.block_number }));
		if !ctx.json {
			println!(
				"record {} ({:?}) available in an emergency: in block #{}",
				record.id, record.category, inc.block_number
			);
		}
	}
	let summary = format!(
		"{} records split among {} ({THRESHOLD} of them release a key to a doctor who breaks the \
		 glass)",
		done.len(),
		names.join(", ")
	);
	if ctx.json {
		ctx.emit(&json!({ "records": done, "custodians": custodians.iter().map(|(h, _)| h).collect::<Vec<_>>(), "threshold": THRESHOLD }));
	} else {
		println!("{summary}");
	}
	Ok(())
}

/// Withdraw a record from emergency availability.
pub fn opt_out(ctx: &Ctx, me: &Identity, record: u64) -> Result<()> {
	let call = RuntimeCall::Records(pallet_records::Call::withdraw_escrow { record });
	let inc = ctx.send(me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"NotEscrowed" => Some(format!("record {record} is not available in an emergency")),
			_ => None,
		})
	})?;
	ctx.done(
		&inc,
		format!("record {record} is no longer available in an emergency; released shares removed"),
		json!({ "record": record }),
	);
	Ok(())
}

/// The data keys to try for a record `me` opens with released shares: the key recombined
/// from each choice of [`THRESHOLD`] shares, with the hospitals whose shares made it.
pub struct ReleasedKeys {
	pub candidates: Vec<(crypto::DataKey, Vec<HospitalId>)>,
	/// Every share that opened, by hospital.
	pub shares: Vec<(HospitalId, crypto::Share)>,
}

/// Open the shares the hospitals released to `me` for `record`.
pub fn released_keys(ctx: &Ctx, me: &Identity, record: &Record) -> Result<ReleasedKeys> {
	let id = record.id;
	let escrow = release::escrow(&ctx.chain, id)?;
	let released = release::released(&ctx.chain, id, &me.account())?;
	let (Some(escrow), Some(released)) = (escrow, released) else {
		return Err(fail(
			exit::CHAIN,
			format!(
				"you hold no key to record {id}: the patient must grant you access (or approve \
				 your request) to share it"
			),
		));
	};
	let patient = patient_bytes(record);
	let origin = origin_cid(record)?;
	let mut shares = Vec::new();
	let mut unreadable = Vec::new();
	for (hospital, wrapped) in released.shares.iter() {
		let info = crypto::release_info(&patient, &origin, escrow.epoch, *hospital);
		match me.encryption.unwrap_share(wrapped, &info, &me.account()) {
			Ok(share) => shares.push((*hospital, share)),
			Err(_) => unreadable.push(ctx.hospital_name(*hospital)),
		}
	}
	for name in &unreadable {
		eprintln!(
			"warning: the share {name} released does not open with your encryption key: report \
			 it to that hospital"
		);
	}
	let threshold = escrow.threshold as usize;
	if shares.len() < threshold {
		return Err(fail(
			exit::CRYPTO,
			format!(
				"{} of the {threshold} shares needed for record {id} open with your key{}: wait \
				 for more hospitals' release services",
				shares.len(),
				if unreadable.is_empty() {
					String::new()
				} else {
					format!(" ({} released one that does not)", unreadable.join(", "))
				}
			),
		));
	}
	let mut candidates = Vec::new();
	for pick in choices(shares.len(), threshold).into_iter().take(64) {
		let picked: Vec<crypto::Share> = pick.iter().map(|i| shares[*i].1.clone()).collect();
		let key = crypto::combine_shares(&picked)?;
		candidates.push((key, pick.iter().map(|i| shares[*i].0).collect()));
	}
	Ok(ReleasedKeys { candidates, shares })
}

/// Every choice of `k` of `n` indices, in lexicographic order.
fn choices(n: usize, k: usize) -> Vec<Vec<usize>> {
	if k == 0 {
		return vec![vec![]];
	}
	if k > n {
		return vec![];
	}
	let mut out = Vec::new();
	for first in 0..=n - k {
		for rest in choices(n - first - 1, k - 1) {
			let mut pick = vec![first];
			pick.extend(rest.into_iter().map(|i| i + first + 1));
			out.push(pick);
		}
	}
	out
}

/// The hospitals whose released shares do not fit `key` (recombined from `used`).
pub fn misfits(released: &ReleasedKeys, key: &[u8; 32], used: &[HospitalId]) -> Vec<HospitalId> {
	let base: Vec<crypto::Share> = released
		.shares
		.iter()
		.filter(|(h, _)| used.contains(h))
		.map(|(_, s)| s.clone())
		.skip(1)
		.collect();
	released
		.shares
		.iter()
		.filter(|(h, _)| !used.contains(h))
		.filter(|(_, share)| {
			let mut with = base.clone();
			with.push(share.clone());
			crypto::combine_shares(&with).map_or(true, |k| *k != *key)
		})
		.map(|(h, _)| *h)
		.collect()
}

/// Why `me` cannot open `record` yet: no key, and (after breaking the glass) how far the
/// hospitals' release of its key has come.
pub fn no_key_yet(ctx: &Ctx, me: &Identity, name: &str, record: &Record) -> String {
	let id = record.id;
	let plain = format!("{name} holds no current key to record {id}: ask the patient to share it");
	let Ok(Some(escrow)) = release::escrow(&ctx.chain, id) else { return plain };
	let released = release::released(&ctx.chain, id, &me.account())
		.ok()
		.flatten()
		.map_or(0, |r| r.shares.len());
	format!(
		"{plain}, or, after breaking the glass, wait for the hospitals' release services: {released} \
		 of the {} shares needed have been released to {name}",
		escrow.threshold
	)
}

/// Open `record`'s version `cid` with the shares the hospitals released to `me`, after
/// its read receipt. Names the hospitals when the shares do not make a key that opens it.
pub fn open_released(
	ctx: &Ctx,
	me: &Identity,
	record: &Record,
	cid: &str,
	out: &Path,
) -> Result<u64> {
	let released = released_keys(ctx, me, record)?;
	let keys: Vec<&[u8; 32]> = released.candidates.iter().map(|(k, _)| &**k).collect();
	match ctx.fetch_and_decrypt_any(cid, &keys, &patient_bytes(record), out) {
		Ok((size, i)) => {
			let (key, used) = &released.candidates[i];
			for hospital in misfits(&released, key, used) {
				eprintln!(
					"warning: the share {} released for record {} does not fit the others: \
					 report it to that hospital",
					ctx.hospital_name(hospital),
					record.id
				);
			}
			Ok(size)
		}
		Err(e) if e.code == exit::CRYPTO => {
			let names: Vec<String> =
				released.shares.iter().map(|(h, _)| ctx.hospital_name(*h)).collect();
			Err(fail(
				exit::CRYPTO,
				format!(
					"the key recombined from the shares of {} does not open record {}: at least \
					 one of these hospitals released a wrong share. Report it; a share from \
					 another hospital may still open it ({})",
					names.join(", "),
					record.id,
					e.message
				),
			))
		}
		Err(e) => Err(e),
	}
}

/// An admin of `hospital`, not the patient's, approves the recovery of a patient's keys to
/// `holder`, the person's new account, after checking the person's identity too. It takes
/// effect after the chain's recovery delay.
pub fn approve_recovery_as(ctx: &Ctx, hospital: u32, patient: &str, holder: &str) -> Result<()> {
	let me = ctx.me()?;
	let patient = ctx.account(patient)?;
	let holder = ctx.account(holder)?;
	let name = ctx.name(&keys::address_of(&holder));
	let call = RuntimeCall::Patients(pallet_patients::Call::approve_recovery_as {
		hospital,
		patient: patient.into(),
		holder: holder.into(),
	});
	let inc = ctx.send(&me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"NotRepresented" => Some(
				"the patient's hospital has not recorded that the patient cannot act: its admin \
				 checks the person's identity and runs `medchain admin represent` first"
					.into(),
			),
			"NotGuardian" => Some(format!(
				"{name} is not a guardian of this patient: the patient's hospital's admin adds \
				 the new account with `medchain admin add-guardian`"
			)),
			"HolderNotRegistered" => Some(format!(
				"{name} is not registered as a patient: the new account registers first (its \
				 encryption key is what the hospitals release to)"
			)),
			"SameHospital" => Some(
				"a recovery is approved from outside the patient's hospital: by an admin of \
				 another hospital who is not also an admin of the patient's, or by the council"
					.into(),
			),
			"RecoveryInProgress" => Some(
				"this patient already has a key recovery: see `medchain patient recovery --for \
				 <patient>`; it is cancelled first with `medchain patient cancel-recovery`"
					.into(),
			),
			_ => None,
		})
	})?;
	let recovery = ctx.chain.recovery(&patient.into(), Some(inc.block))?;
	let effective_at = recovery.map(|r| r.effective_at).unwrap_or_default();
	ctx.done(
		&inc,
		format!(
			"recovery approved: from {} (chain time), unless the patient or a guardian they named \
			 cancels it first, the hospitals' release services release the patient's escrowed \
			 record keys to {name}",
			crate::output::local_ms(effective_at)
		),
		json!({
			"patient": keys::address_of(&patient),
			"holder": keys::address_of(&holder),
			"effectiveAt": effective_at,
		}),
	);
	Ok(())
}

/// What a key recovery of `patient` is, in words and JSON; `None` when there is none.
pub fn recovery_summary(ctx: &Ctx, patient: &[u8; 32]) -> Result<Option<(String, Value)>> {
	let Some(recovery) = ctx.chain.recovery(&(*patient).into(), None)? else {
		return Ok(None);
	};
	let now = ctx.chain.now(None)?;
	let holder = keys::address_of(&recovery.holder.clone().into());
	let by = match &recovery.approved_by {
		medchain_primitives::Entity::Hospital(id) => ctx.hospital_name(*id),
		other => medchain_api::params::entity_text(other),
	};
	let effective = recovery.is_effective(now);
	let text = if effective {
		format!(
			"a key recovery to {} is in effect since {}: the hospitals release this patient's \
			 escrowed record keys to it (approved by {by})",
			ctx.name(&holder),
			crate::output::local_ms(recovery.effective_at)
		)
	} else {
		format!(
			"a key recovery to {} is pending: from {} the hospitals release this patient's \
			 escrowed record keys to it (approved by {by}). If you did not ask for it, cancel it \
			 now: `medchain patient cancel-recovery`",
			ctx.name(&holder),
			crate::output::local_ms(recovery.effective_at)
		)
	};
	let json = json!({
		"holder": holder,
		"approvedBy": by,
		"approvedAt": recovery.approved_at,
		"effectiveAt": recovery.effective_at,
		"status": if effective { "effective" } else { "pending" },
	});
	Ok(Some((text, json)))
}

/// `medchain patient recovery`.
pub fn recovery_status(ctx: &Ctx, patient: &[u8; 32]) -> Result<()> {
	match recovery_summary(ctx, patient)? {
		Some((text, json)) => {
			if ctx.json {
				ctx.emit(&json);
			} else {
				println!("{text}");
			}
		}
		None if ctx.json => ctx.emit(&Value::Null),
		None => println!("no key recovery"),
	}
	Ok(())
}

/// `medchain patient cancel-recovery`: the patient, or a guardian they named.
pub fn cancel_recovery(ctx: &Ctx, me: &Identity, patient: &[u8; 32]) -> Result<()> {
	let call = RuntimeCall::Patients(pallet_patients::Call::cancel_recovery {
		patient: (*patient).into(),
	});
	let inc = ctx.send(me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"NoRecovery" => Some("this patient has no key recovery to cancel".into()),
			"MayNotCancelRecovery" => Some(
				"only the patient, a guardian the patient named (not one a hospital named), the \
				 hospitals involved or the council cancel a key recovery"
					.into(),
			),
			_ => None,
		})
	})?;
	ctx.done(
		&inc,
		"key recovery cancelled: nothing more is released to its holder".into(),
		json!({ "patient": keys::address_of(patient) }),
	);
	Ok(())
}

/// A hospital admin adds a guardian to a patient the hospital recorded as unable to act.
pub fn admin_add_guardian(ctx: &Ctx, patient: &str, guardian: &str) -> Result<()> {
	let me = ctx.me()?;
	let patient = ctx.account(patient)?;
	let guardian = ctx.account(guardian)?;
	let call = RuntimeCall::Patients(pallet_patients::Call::add_guardian {
		patient: patient.into(),
		guardian: guardian.into(),
	});
	let inc = ctx.send(&me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"MayNotManageGuardians" => Some(
				"an admin manages the guardians of a patient only while the hospital has \
				 recorded that the patient cannot act (`medchain admin represent`)"
					.into(),
			),
			"AlreadyGuardian" => Some("that account is already a guardian of the patient".into()),
			_ => None,
		})
	})?;
	ctx.done(
		&inc,
		format!(
			"{} is now a guardian of {}",
			ctx.name(&keys::address_of(&guardian)),
			ctx.name(&keys::address_of(&patient))
		),
		json!({ "patient": keys::address_of(&patient), "guardian": keys::address_of(&guardian) }),
	);
	Ok(())
}

/// A hospital admin's `set-release-key`.
pub fn set_release_key(ctx: &Ctx, hospital: u32, service: &str, key: &str) -> Result<()> {
	let me = ctx.me()?;
	let service = ctx.account(service)?;
	let key: [u8; 32] = hex::decode(key.trim_start_matches("0x"))
		.ok()
		.and_then(|k| k.try_into().ok())
		.ok_or_else(|| {
			fail(
				exit::USAGE,
				"a key-release key is 0x and 64 hex digits: the service prints it with \
				 `medchain release-service key`",
			)
		})?;
	let call = RuntimeCall::Consortium(pallet_consortium::Call::set_release_key {
		hospital,
		key,
		service: service.into(),
	});
	let inc = ctx.send(&me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"ServiceInUse" => {
				Some("that account already releases shares for another hospital".into())
			}
			"InvalidReleaseKey" => Some("the key-release key is all zeros".into()),
			_ => None,
		})
	})?;
	ctx.done(
		&inc,
		format!(
			"{} now releases {}'s shares; patients' clients split keys to it from now on",
			ctx.name(&keys::address_of(&service)),
			ctx.hospital_name(hospital)
		),
		json!({ "hospital": hospital, "service": keys::address_of(&service), "key": chain::hex0x(&key) }),
	);
	Ok(())
}

/// The key-release service's commands.
pub fn release_service(ctx: &Ctx, cmd: ReleaseCmd) -> Result<()> {
	let path_of = |state: Option<PathBuf>| state.unwrap_or_else(|| ctx.home.join("release.json"));
	match cmd {
		ReleaseCmd::Key => {
			let me = ctx.me()?;
			let key = chain::hex0x(&me.encryption.public());
			if ctx.json {
				ctx.emit(&json!({ "service": me.address(), "key": key }));
			} else {
				println!("{key}");
			}
		}
		ReleaseCmd::Status { state } => {
			let state = ServiceState::load(&path_of(state))?;
			if ctx.json {
				ctx.emit(&json!(state));
			} else {
				println!(
					"block {}: {} shares released, {} emergencies pending, {} refusals",
					state.block,
					state.released,
					state.pending.len(),
					state.refused.len()
				);
				for r in &state.refused {
					println!(
						"  to {} (patient {}{}): {}",
						r.doctor,
						r.patient,
						r.record.map(|id| format!(", record {id}")).unwrap_or_default(),
						r.reason
					);
				}
			}
		}
		ReleaseCmd::Run { state, poll } => {
			let me = ctx.me()?;
			let path = path_of(state);
			let wait = ctx.wait.unwrap_or(Wait::InBlock);
			let mut service = ReleaseService::new(&ctx.chain, &me, path.clone(), wait)?;
			match service.hospital() {
				Ok(h) => eprintln!(
					"releasing {}'s shares as {} (state in {})",
					ctx.hospital_name(h),
					me.address(),
					path.display()
				),
				// Not yet registered: say so, and keep reading the chain.
				Err(e) => eprintln!("{e}"),
			}
			loop {
				match service.read_blocks() {
					Ok(0) => {}
					Ok(n) => eprintln!(
						"read up to block {} ({n} new): {} emergencies pending",
						service.state.block,
						service.state.pending.len()
					),
					Err(e) => eprintln!("cannot read the chain now: {e}"),
				}
				match service.work() {
					Ok(0) => {}
					Ok(n) => eprintln!("{n} shares released ({} so far)", service.state.released),
					Err(e) => eprintln!("{e}"),
				}
				std::thread::sleep(std::time::Duration::from_secs(poll));
			}
		}
	}
	Ok(())
}

#[derive(Subcommand)]
pub enum ReleaseCmd {
	/// Print this account's key-release key (its X25519 public key), for the hospital's
	/// admin to register with `medchain admin set-release-key`.
	Key,
	/// Run until stopped: follow the finalized chain and release this hospital's shares to
	/// doctors who break the glass.
	Run {
		/// The service's state file (default: release.json in the home directory).
		#[arg(long)]
		state: Option<PathBuf>,
		/// Seconds between looks at the chain's finalized head.
		#[arg(long, default_value_t = 2)]
		poll: u64,
	},
	/// What the service has released, what it still has to do, and what it refused.
	Status {
		#[arg(long)]
		state: Option<PathBuf>,
	},
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn choices_are_every_subset_once() {
		assert_eq!(choices(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
		assert_eq!(choices(4, 3).len(), 4);
		assert_eq!(choices(2, 3), Vec::<Vec<usize>>::new());
	}

	#[test]
	fn a_wrong_share_is_told_apart_from_the_right_ones() {
		let key = crypto::new_data_key();
		let mut shares = crypto::split_key(&key, 2, 3).unwrap();
		// Hospital 7 released garbage with a valid identifier.
		shares[2] = zeroize::Zeroizing::new({
			let mut bad = shares[2].to_vec();
			bad[5] ^= 1;
			bad
		});
		let released = ReleasedKeys {
			candidates: vec![],
			shares: vec![(3, shares[0].clone()), (5, shares[1].clone()), (7, shares[2].clone())],
		};
		assert_eq!(misfits(&released, &key, &[3, 5]), vec![7]);
	}
}
