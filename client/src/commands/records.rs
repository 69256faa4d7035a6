//! Records: create, update, open and rotate, as patients and doctors do them.

use super::*;

pub fn patient_bytes(record: &Record) -> [u8; 32] {
	record.patient.0.clone().into()
}

/// The CID of a record's first version: the record's name in key bindings.
pub fn origin_cid(record: &Record) -> Result<String> {
	record
		.versions
		.first()
		.map(|v| v.cid.clone())
		.ok_or_else(|| fail(exit::CHAIN, "the record has no versions (erased?)"))
}

pub fn category(c: CategoryArg) -> RecordCategory {
	match c {
		CategoryArg::Consultation => RecordCategory::Consultation,
		CategoryArg::Diagnosis => RecordCategory::Diagnosis,
		CategoryArg::Prescription => RecordCategory::Prescription,
		CategoryArg::LabResult => RecordCategory::LabResult,
		CategoryArg::Imaging => RecordCategory::Imaging,
		CategoryArg::Allergy => RecordCategory::Allergy,
		CategoryArg::Immunization => RecordCategory::Immunization,
		CategoryArg::Procedure => RecordCategory::Procedure,
		CategoryArg::Discharge => RecordCategory::Discharge,
		CategoryArg::Other => RecordCategory::Other,
	}
}

/// Readers who must get a new record's key besides the patient and the author: holders of
/// a live grant whose scope covers the category.
pub fn readers_for_category(
	ctx: &Ctx,
	patient: &[u8; 32],
	category: CategoryArg,
) -> Result<Vec<[u8; 32]>> {
	let grants = ctx.chain.grants_of(&AccountId32::from(*patient))?;
	let category = self::category(category);
	let now = now_ms();
	Ok(grants
		.into_iter()
		.filter(|g| g.scope.covers(None, category))
		.filter(|g| g.expires_at.as_ref().is_none_or(|t| t.ms > now))
		.map(|g| g.grantee.0.into())
		.collect())
}

pub fn create_record(
	ctx: &Ctx,
	me: &Identity,
	patient: [u8; 32],
	cat: CategoryArg,
	file: &Path,
) -> Result<()> {
	let patient_address = keys::address_of(&patient);
	if ctx.chain.patient(&AccountId32::from(patient), None)?.is_none() {
		return Err(fail(exit::CHAIN, format!("{patient_address} is not a registered patient")));
	}
	let key = crypto::new_data_key();
	let cid = ctx.encrypt_and_store(&key, &patient, file)?;
	let mut readers = vec![patient, me.account()];
	readers.extend(readers_for_category(ctx, &patient, cat)?);
	let keys = ctx.wrap_for(&key, &patient, &cid, 0, &readers)?;
	let reader_count = keys.len();
	let call = RuntimeCall::Records(pallet_records::Call::create_record {
		patient: patient.into(),
		category: category(cat),
		cid: bounded(cid.clone().into_bytes(), "the CID")?,
		keys: bounded(keys, "the list of readers")?,
	});
	let name = ctx.name(&me.address());
	let inc = ctx.send(me, call).map_err(|e| {
		let e = reword(e, |_, error| match error {
			"NoWriteAccess" => Some(format!(
				"{name} has no read-write grant for {cat:?} records of this patient: ask the patient to approve your request"
			)),
			_ => None,
		});
		fail(e.code, format!("{}. The encrypted file was stored as {cid}; the chain was not changed", e.message))
	})?;
	let id = inc.events.iter().find_map(|e| match e {
		RuntimeEvent::Records(pallet_records::Event::RecordCreated { record, .. }) => Some(*record),
		_ => None,
	});
	ctx.done(
		&inc,
		format!(
			"record {} created: {cat:?}, {cid}, keys for {reader_count} readers",
			id.unwrap_or_default()
		),
		json!({ "record": id, "cid": cid, "readers": reader_count }),
	);
	Ok(())
}

pub fn update_record(ctx: &Ctx, id: u64, file: &Path) -> Result<()> {
	let me = ctx.me()?;
	let record = ctx.record(id)?;
	let patient = patient_bytes(&record);
	let key = ctx.data_key(&me, &record)?;
	let cid = ctx.encrypt_and_store(&key, &patient, file)?;
	let call = RuntimeCall::Records(pallet_records::Call::update_record {
		record: id,
		cid: bounded(cid.clone().into_bytes(), "the CID")?,
	});
	let inc = ctx.send(&me, call).map_err(|e| {
		fail(
			e.code,
			format!(
				"{}. The encrypted file was stored as {cid}; the chain was not changed",
				e.message
			),
		)
	})?;
	ctx.done(&inc, format!("record {id}: new version {cid}"), json!({ "record": id, "cid": cid }));
	Ok(())
}

pub fn open_record(ctx: &Ctx, args: &OpenArgs) -> Result<()> {
	let me = ctx.me()?;
	let record = ctx.record(args.record)?;
	let patient = patient_bytes(&record);
	// The read receipt comes first, always: no receipt, no key. (What a receipt
	// proves, and what it cannot: docs/records-and-consent.md.)
	let call = RuntimeCall::Records(pallet_records::Call::open_record { record: args.record });
	let name = ctx.name(&me.address());
	let category = format!("{:?}", record.category);
	ctx.send(&me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"NoReadAccess" => Some(format!(
				"{name} has no grant covering {category} records of this patient: ask the patient to approve your request"
			)),
			"NoKey" => Some(no_key_yet(ctx, &me, &name, &record)),
			_ => None,
		})
	})?;
	let version = version_to_open(&record, args.version)?;
	let cid = &version.cid;
	let holds_key = ctx.chain.wrapped_key(args.record, &AccountId32::from(me.account()))?.is_some();
	let size = if holds_key {
		let key = ctx.data_key(&me, &record)?;
		ctx.fetch_and_decrypt(cid, &key, &patient, &args.out)?
	} else {
		open_released(ctx, &me, &record, cid, &args.out)?
	};
	if ctx.json {
		ctx.emit(
			&json!({ "record": args.record, "cid": cid, "version": version.version, "bytes": size, "out": args.out }),
		);
	} else {
		println!(
			"record {} version {} ({category}) verified against {cid} and decrypted to {} ({size} bytes)",
			args.record,
			version.version,
			args.out.display()
		);
	}
	Ok(())
}

/// Keys of every record of `patient` in `scope`, unwrapped by `me` and sealed to `reader`.
pub fn keys_in_scope(
	ctx: &Ctx,
	me: &Identity,
	patient: &[u8; 32],
	scope: &medchain_api::views::ScopeView,
	reader: &[u8; 32],
) -> Result<Vec<(u64, WrappedKey)>> {
	let records = ctx.chain.records_of(&AccountId32::from(*patient))?;
	let mut out = Vec::new();
	for record in records.iter().filter(|r| scope.covers(Some(r.id), r.category)) {
		let key = ctx.data_key(me, record)?;
		let mut wrapped =
			ctx.wrap_for(&key, patient, &origin_cid(record)?, record.epoch, &[*reader])?;
		out.push((record.id, wrapped.remove(0).1));
	}
	Ok(out)
}

/// Re-encrypt the current version under a new key for the record's current readers.
pub fn rotate(ctx: &Ctx, me: &Identity, id: u64) -> Result<()> {
	let record = ctx.record(id)?;
	let patient = patient_bytes(&record);
	let key = ctx.data_key(me, &record)?;
	let cid = record.cid.clone();
	let was_escrowed = crate::release::escrow(&ctx.chain, id)?.is_some();
	{
		let new_key = crypto::new_data_key();
		let new_cid = ctx.reencrypt(&cid, &key, &new_key, &patient)?;
		let readers: Vec<[u8; 32]> =
			ctx.chain.readers_of(id)?.into_iter().map(Into::into).collect();
		let mut all = vec![patient];
		all.extend(readers);
		let epoch = record.epoch + 1;
		let keys = ctx.wrap_for(&new_key, &patient, &origin_cid(&record)?, epoch, &all)?;
		let count = keys.len();
		let call = RuntimeCall::Records(pallet_records::Call::rotate_key {
			record: id,
			cid: bounded(new_cid.clone().into_bytes(), "the CID")?,
			keys: bounded(keys, "the list of readers")?,
		});
		let inc = ctx.send(me, call).map_err(|e| {
			fail(
				e.code,
				format!(
					"{}. The re-encrypted file was stored as {new_cid}; the chain was not changed",
					e.message
				),
			)
		})?;
		ctx.done(
			&inc,
			format!("record {id} re-encrypted under epoch {epoch} for {count} readers: {new_cid}"),
			json!({ "record": id, "epoch": epoch, "cid": new_cid, "readers": count }),
		);
		// The rotation removed the escrow of the old key: split the new one likewise.
		if was_escrowed {
			let again = |e: Failure| {
				fail(
					e.code,
					format!(
						"record {id} was re-encrypted, but its new key is not available in an \
						 emergency yet ({}): run `medchain patient emergency-opt-in --records {id}`",
						e.message
					),
				)
			};
			let custodians = custodians_now(ctx).map_err(again)?;
			let record = ctx.record(id).map_err(again)?;
			let inc = escrow_record(ctx, me, &record, &custodians).map_err(again)?;
			if !ctx.json {
				println!(
					"record {id} stays available in an emergency: its new key split among {} \
					 hospitals in block #{}",
					custodians.len(),
					inc.block_number
				);
			}
		}
		Ok(())
	}
}

/// Version `wanted` of `record` (the current one if `None`), if the current key opens it.
pub fn version_to_open(
	record: &Record,
	wanted: Option<u32>,
) -> Result<&medchain_api::views::Version> {
	let wanted = wanted.unwrap_or(record.version);
	let version = record.versions.iter().find(|v| v.version == wanted).ok_or_else(|| {
		fail(
			exit::USAGE,
			format!(
				"record {} has no version {wanted}: its versions are 1 to {}",
				record.id, record.version
			),
		)
	})?;
	if version.epoch != record.epoch {
		return Err(fail(
			exit::CRYPTO,
			format!(
				"version {wanted} of record {} was encrypted under key epoch {}, which a key \
				 rotation replaced (the record is at epoch {}): no reader holds that key any \
				 more. Open a version of the current epoch",
				record.id, version.epoch, record.epoch
			),
		));
	}
	Ok(version)
}

#[derive(Args)]
pub struct OpenArgs {
	pub record: u64,
	/// Where to write the decrypted file.
	#[arg(long)]
	pub out: PathBuf,
	/// Which version to open (default: the current one). Versions encrypted under an
	/// earlier key epoch, before a rotation, no longer open.
	#[arg(long)]
	pub version: Option<u32>,
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
