//! The records pallet's logic behind its calls, and the key removal and
//! sharing it offers the access pallet.

use crate::{
	pallet::*, Claim, Epoch, Escrow, KeyInfo, RecordCategory, RecordId, RecordKeys, Release,
	Version,
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use medchain_primitives::{
	canonical_cid, count_down, file_key, AccessPolicy, AuditAction, AuditLog, Cid, CidError,
	DoctorRegistry, EmergencyStatus, FileClaimed, FileClaims, FileKey, HospitalId, KeyCustodians,
	PatientRegistry, WrappedKey, MIN_WRAPPED_KEY_LEN,
};

impl<T: Config> Pallet<T> {
	fn checked_cid(cid: &[u8]) -> Result<Cid, Error<T>> {
		canonical_cid(cid).map_err(|e| match e {
			CidError::TooLong => Error::<T>::CidTooLong,
			CidError::Malformed => Error::<T>::MalformedCid,
		})
	}

	/// Count a use of `cid` by a version of `patient`'s record.
	fn claim_file(patient: &T::AccountId, cid: &Cid) -> Result<(), Error<T>> {
		<Self as FileClaims<T::AccountId>>::claim(patient, cid).map_err(|_| Error::<T>::CidInUse)
	}

	/// A wrapped key is at most `MAX_WRAPPED_KEY_LEN` bytes by its type; it must
	/// also be long enough to be an HPKE output.
	fn checked_key(key: WrappedKey) -> Result<WrappedKey, Error<T>> {
		ensure!(key.len() >= MIN_WRAPPED_KEY_LEN as usize, Error::<T>::WrongKeyLength);
		Ok(key)
	}

	/// What replaces or removes the patient's own wrapped keys (a rotation,
	/// an erasure, a key shared with the patient) is the patient's alone: a
	/// guardian could otherwise lock the patient out of their own records.
	fn ensure_patient(who: &T::AccountId, patient: &T::AccountId) -> DispatchResult {
		T::Patients::ensure_may_act_for(who, patient, Error::<T>::NotPatientOrGuardian)?;
		ensure!(who == patient, Error::<T>::NotPatient);
		Ok(())
	}

	/// The patient and their guardians write any of the patient's records; a
	/// doctor needs to be active and to hold a read-write grant covering it.
	fn ensure_may_write(
		who: &T::AccountId,
		patient: &T::AccountId,
		record: Option<RecordId>,
		category: RecordCategory,
	) -> DispatchResult {
		if !T::Patients::may_act_for(who, patient) {
			ensure!(
				T::Doctors::is_active(who) && T::Access::can_write(who, patient, record, category),
				Error::<T>::NoWriteAccess
			);
		}
		Ok(())
	}

	/// Whether `reader` may hold a key to `record`: the patient, the record's
	/// author, or a grantee whose live grant covers it.
	fn may_hold_key(
		reader: &T::AccountId,
		patient: &T::AccountId,
		author: Option<&T::AccountId>,
		record: RecordId,
		category: RecordCategory,
	) -> bool {
		reader == patient
			|| author == Some(reader)
			|| T::Access::can_read(reader, patient, record, category)
	}

	/// Check the keys of a new epoch of `record` (at most
	/// `MaxReadersPerRecord` by their type): each of the right length, each reader once and
	/// allowed to hold it, the patient's (and `author`'s, if given) included.
	fn checked_reader_keys(
		patient: &T::AccountId,
		author: Option<&T::AccountId>,
		record: RecordId,
		category: RecordCategory,
		keys: ReaderKeys<T>,
	) -> Result<Vec<(T::AccountId, WrappedKey)>, DispatchError> {
		let mut readers: Vec<&T::AccountId> = keys.iter().map(|(reader, _)| reader).collect();
		readers.sort();
		ensure!(readers.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateReader);
		ensure!(readers.binary_search(&patient).is_ok(), Error::<T>::PatientKeyMissing);
		if let Some(author) = author {
			ensure!(readers.binary_search(&author).is_ok(), Error::<T>::AuthorKeyMissing);
		}
		keys.into_iter()
			.map(|(reader, bytes)| {
				ensure!(
					Self::may_hold_key(&reader, patient, author, record, category),
					Error::<T>::ReaderWithoutAccess
				);
				Ok((reader, Self::checked_key(bytes)?))
			})
			.collect()
	}

	/// Store a key; returns whether the reader is new to the record.
	fn insert_key(
		patient: &T::AccountId,
		record: RecordId,
		reader: &T::AccountId,
		epoch: Epoch,
		wrapped: WrappedKey,
	) -> bool {
		let new = !Keys::<T>::contains_key(record, reader);
		Keys::<T>::insert(record, reader, KeyInfo { epoch, wrapped });
		if reader != patient {
			KeysOf::<T>::insert((patient, reader, record), ());
		}
		new
	}

	/// Remove every key of `record` (at most `MaxReadersPerRecord`, which
	/// bounds them). Returns how many went.
	fn remove_all_keys(patient: &T::AccountId, record: RecordId) -> u32 {
		let readers: Vec<T::AccountId> = Keys::<T>::drain_prefix(record)
			.take(T::MaxReadersPerRecord::get() as usize)
			.map(|(reader, _)| reader)
			.collect();
		for reader in &readers {
			KeysOf::<T>::remove((patient, reader, record));
		}
		readers.len() as u32
	}

	/// Store a new record with its first version and keys. Checks nothing but
	/// the per-patient bound and the id counter.
	fn insert_record(
		patient: &T::AccountId,
		author: &T::AccountId,
		category: RecordCategory,
		cid: Cid,
		keys: Vec<(T::AccountId, WrappedKey)>,
	) -> Result<RecordId, DispatchError> {
		let count = RecordCount::<T>::get(patient);
		ensure!(count < T::MaxRecordsPerPatient::get(), Error::<T>::TooManyRecords);
		let id = NextRecordId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::RecordIdOverflow)?;
		let now = T::Time::now();
		let readers = keys.len() as u32;
		for (reader, wrapped) in keys {
			Self::insert_key(patient, id, &reader, 0, wrapped);
		}
		// Version 1 is the record itself until a second one is pushed.
		RecordById::<T>::insert(
			id,
			RecordOf::<T> {
				patient: patient.clone(),
				author: author.clone(),
				category,
				cid,
				version: 1,
				epoch: 0,
				readers,
				created_at: now,
				updated_at: now,
			},
		);
		RecordsOf::<T>::insert(patient, id, ());
		RecordCount::<T>::insert(patient, count.saturating_add(1));
		NextRecordId::<T>::put(next);
		Ok(id)
	}

	pub(crate) fn do_create(
		who: T::AccountId,
		patient: T::AccountId,
		category: RecordCategory,
		cid: &Cid,
		keys: ReaderKeys<T>,
	) -> Result<(RecordId, T::AccountId), DispatchError> {
		ensure!(T::Patients::is_registered(&patient), Error::<T>::UnknownPatient);
		Self::ensure_may_write(&who, &patient, None, category)?;
		if !T::Patients::may_act_for(&who, &patient) {
			let room =
				T::MaxRecordsPerPatient::get().saturating_sub(T::RecordsReservedForPatient::get());
			ensure!(RecordCount::<T>::get(&patient) < room, Error::<T>::TooManyRecords);
		}
		let cid = Self::checked_cid(cid)?;
		let id = NextRecordId::<T>::get();
		let keys = Self::checked_reader_keys(&patient, Some(&who), id, category, keys)?;
		Self::claim_file(&patient, &cid)?;
		let id = Self::insert_record(&patient, &who, category, cid, keys)?;
		T::Audit::log_accounts(&who, &patient, AuditAction::RecordCreated { record: id })?;
		Ok((id, patient))
	}

	/// The record's next version number, if it has room for one written by
	/// `author`: the last version is the patient's.
	fn next_version(record: &RecordOf<T>, author: &T::AccountId) -> Result<Version, Error<T>> {
		let version = record.version.saturating_add(1);
		let max = T::MaxVersions::get();
		let room = if author == &record.patient { max } else { max.saturating_sub(1) };
		ensure!(version <= room, Error::<T>::TooManyVersions);
		Ok(version)
	}

	/// Version 1 of a record that has no other: what the record itself says. A record's
	/// first version is written to [`Versions`] only when a second is pushed, so that
	/// creating a record costs one write less.
	pub(crate) fn first_version(record: &RecordOf<T>) -> VersionOf<T> {
		VersionOf::<T> {
			cid: record.cid.clone(),
			author: record.author.clone(),
			epoch: record.epoch,
			at: record.created_at,
		}
	}

	/// Version `version` of record `id`, stored or (version 1 of a record that has no
	/// other) derived from the record.
	pub fn version_info(
		id: RecordId,
		record: &RecordOf<T>,
		version: Version,
	) -> Option<VersionOf<T>> {
		match (version, record.version) {
			(1, 1) => Some(Self::first_version(record)),
			(v, current) if v <= current => Versions::<T>::get(id, v),
			_ => None,
		}
	}

	/// Make `cid`, encrypted under key epoch `epoch`, the record's current version, written
	/// by `author`. Stores version 1 first, as the record still says it, if the record has
	/// no other yet.
	fn push_version(
		id: RecordId,
		record: &mut RecordOf<T>,
		version: Version,
		cid: Cid,
		author: &T::AccountId,
		epoch: Epoch,
	) {
		if record.version == 1 {
			Versions::<T>::insert(id, 1, Self::first_version(record));
		}
		let now = T::Time::now();
		let info = VersionOf::<T> { cid: cid.clone(), author: author.clone(), epoch, at: now };
		Versions::<T>::insert(id, version, info);
		record.epoch = epoch;
		record.cid = cid;
		record.version = version;
		record.updated_at = now;
	}

	pub(crate) fn do_update(
		who: &T::AccountId,
		id: RecordId,
		cid: &Cid,
	) -> Result<Version, DispatchError> {
		let mut record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		Self::ensure_may_write(who, &record.patient, Some(id), record.category)?;
		if !T::Patients::may_act_for(who, &record.patient) {
			ensure!(Self::holds_current_key(who, id, &record), Error::<T>::NoKey);
		}
		let cid = Self::checked_cid(cid)?;
		let version = Self::next_version(&record, who)?;
		Self::claim_file(&record.patient, &cid)?;
		let epoch = record.epoch;
		Self::push_version(id, &mut record, version, cid, who, epoch);
		T::Audit::log_accounts(
			who,
			&record.patient,
			AuditAction::RecordUpdated { record: id, version },
		)?;
		RecordById::<T>::insert(id, record);
		Ok(version)
	}

	fn holds_current_key(who: &T::AccountId, id: RecordId, record: &RecordOf<T>) -> bool {
		Keys::<T>::get(id, who).is_some_and(|key| key.epoch == record.epoch)
	}

	pub(crate) fn do_share(
		who: &T::AccountId,
		patient: &T::AccountId,
		reader: &T::AccountId,
		keys: Vec<(RecordId, WrappedKey)>,
	) -> DispatchResult {
		if reader == patient {
			Self::ensure_patient(who, patient)?;
		} else {
			T::Patients::ensure_may_act_for(who, patient, Error::<T>::NotPatientOrGuardian)?;
		}
		ensure!(keys.len() <= T::MaxKeysPerCall::get() as usize, Error::<T>::TooManyKeys);
		let mut ids: Vec<RecordId> = keys.iter().map(|(id, _)| *id).collect();
		ids.sort();
		ensure!(ids.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateReader);
		for (id, bytes) in keys {
			let mut record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(&record.patient == patient, Error::<T>::NotPatientsRecord);
			ensure!(
				Self::may_hold_key(reader, patient, Some(&record.author), id, record.category),
				Error::<T>::ReaderWithoutAccess
			);
			let wrapped = Self::checked_key(bytes)?;
			if Self::insert_key(patient, id, reader, record.epoch, wrapped) {
				record.readers = record.readers.saturating_add(1);
				ensure!(
					record.readers <= T::MaxReadersPerRecord::get(),
					Error::<T>::TooManyReaders
				);
				RecordById::<T>::insert(id, record);
			}
			let action = AuditAction::RecordKeyShared { record: id, reader: reader.clone() };
			T::Audit::log_accounts(who, patient, action)?;
		}
		Ok(())
	}

	/// Returns the new epoch and how many old keys were removed.
	pub(crate) fn do_rotate(
		who: &T::AccountId,
		id: RecordId,
		cid: &Cid,
		keys: ReaderKeys<T>,
	) -> Result<(Epoch, u32), DispatchError> {
		let mut record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		let patient = record.patient.clone();
		Self::ensure_patient(who, &patient)?;
		let cid = Self::checked_cid(cid)?;
		let version = Self::next_version(&record, who)?;
		let keys = Self::checked_reader_keys(&patient, None, id, record.category, keys)?;
		Self::claim_file(&patient, &cid)?;
		Self::remove_escrow(&patient, id);
		let removed = Self::remove_all_keys(&patient, id);
		let epoch = record.epoch.saturating_add(1);
		record.readers = keys.len() as u32;
		for (reader, wrapped) in keys {
			Self::insert_key(&patient, id, &reader, epoch, wrapped);
		}
		Self::push_version(id, &mut record, version, cid, who, epoch);
		RecordById::<T>::insert(id, record);
		T::Audit::log_accounts(who, &patient, AuditAction::RecordKeyRotated { record: id, epoch })?;
		Ok((epoch, removed))
	}

	/// Returns the patient, and how many keys and versions were removed.
	pub(crate) fn do_erase(
		who: &T::AccountId,
		id: RecordId,
	) -> Result<(T::AccountId, u32, u32), DispatchError> {
		let record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		let patient = record.patient;
		Self::ensure_patient(who, &patient)?;
		RecordById::<T>::remove(id);
		Self::remove_escrow(&patient, id);
		let keys = Self::remove_all_keys(&patient, id);
		// Each version's file is released: unpinned by the followers unless something else
		// of the patient's still names it.
		if record.version == 1 {
			Versions::<T>::remove(id, 1);
			<Self as FileClaims<T::AccountId>>::release(&patient, &record.cid);
		} else {
			for version in 1..=record.version {
				if let Some(info) = Versions::<T>::take(id, version) {
					<Self as FileClaims<T::AccountId>>::release(&patient, &info.cid);
				}
			}
		}
		RecordsOf::<T>::remove(&patient, id);
		RecordCount::<T>::mutate_exists(&patient, count_down);
		T::Audit::log_accounts(who, &patient, AuditAction::RecordErased { record: id })?;
		Ok((patient, keys, record.version))
	}

	pub(crate) fn do_open(who: &T::AccountId, id: RecordId) -> DispatchResult {
		let record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(
			T::Patients::may_act_for(who, &record.patient)
				|| T::Access::can_read(who, &record.patient, id, record.category),
			Error::<T>::NoReadAccess
		);
		ensure!(
			Self::holds_current_key(who, id, &record) || Self::holds_released_key(who, id),
			Error::<T>::NoKey
		);
		T::Audit::log_accounts(who, &record.patient, AuditAction::RecordOpened { record: id })
	}

	/// Whether `who` holds enough released shares to recover `record`'s current key.
	/// Releases are always of the escrow's epoch, and an escrow of the record's: a
	/// rotation or a new escrow removes the old ones.
	fn holds_released_key(who: &T::AccountId, id: RecordId) -> bool {
		Releases::<T>::get(id, who).is_some_and(|release| {
			Escrows::<T>::get(id)
				.is_some_and(|escrow| release.shares.len() as u32 >= escrow.threshold)
		})
	}

	/// Remove the index entry of a removed release, unless the reader also
	/// holds a wrapped key to the record.
	fn unindex_release(patient: &T::AccountId, id: RecordId, reader: &T::AccountId) {
		if !Keys::<T>::contains_key(id, reader) {
			KeysOf::<T>::remove((patient, reader, id));
		}
	}

	/// Remove `record`'s escrow and every share released from it (at most
	/// `MaxReleasesPerRecord`, which bounds them). Returns whether there was one.
	fn remove_escrow(patient: &T::AccountId, id: RecordId) -> bool {
		if Escrows::<T>::take(id).is_none() {
			return false;
		}
		let readers: Vec<T::AccountId> = Releases::<T>::drain_prefix(id)
			.take(T::MaxReleasesPerRecord::get() as usize)
			.map(|(reader, _)| reader)
			.collect();
		for reader in &readers {
			Self::unindex_release(patient, id, reader);
		}
		true
	}

	pub(crate) fn do_escrow(
		who: &T::AccountId,
		id: RecordId,
		threshold: u32,
		shares: CustodianShares<T>,
	) -> DispatchResult {
		let record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		let patient = record.patient;
		T::Patients::ensure_may_act_for(who, &patient, Error::<T>::NotPatientOrGuardian)?;
		ensure!(threshold >= T::EmergencyThreshold::get(), Error::<T>::ThresholdTooLow);
		let custodians = shares.len() as u32;
		ensure!(custodians >= threshold, Error::<T>::TooFewShares);
		let mut hospitals: Vec<HospitalId> = shares.iter().map(|(h, _)| *h).collect();
		hospitals.sort();
		ensure!(hospitals.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateCustodian);
		ensure!(
			hospitals.iter().all(|h| T::Custodians::release_key(*h).is_some()),
			Error::<T>::UnknownCustodian
		);
		let shares = shares
			.into_iter()
			.map(|(hospital, bytes)| Ok((hospital, Self::checked_key(bytes)?)))
			.collect::<Result<Vec<_>, Error<T>>>()?
			.try_into()
			.map_err(|_| Error::<T>::DuplicateCustodian)?;
		Self::remove_escrow(&patient, id);
		Escrows::<T>::insert(id, Escrow { epoch: record.epoch, threshold, shares, released_to: 0 });
		let action = AuditAction::EmergencyKeyEscrowed { record: id, custodians, threshold };
		T::Audit::log_accounts(who, &patient, action)
	}

	pub(crate) fn do_withdraw_escrow(who: &T::AccountId, id: RecordId) -> DispatchResult {
		let record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
		T::Patients::ensure_may_act_for(who, &record.patient, Error::<T>::NotPatientOrGuardian)?;
		ensure!(Self::remove_escrow(&record.patient, id), Error::<T>::NotEscrowed);
		T::Audit::log_accounts(
			who,
			&record.patient,
			AuditAction::EmergencyKeyWithdrawn { record: id },
		)
	}

	/// A release of `patient`'s record to `reader` is due: `reader` holds the patient's
	/// approved key recovery, or is an active doctor in a live emergency of the patient.
	fn ensure_release_due(reader: &T::AccountId, patient: &T::AccountId) -> DispatchResult {
		if T::Patients::recovery_holder(patient).as_ref() == Some(reader) {
			return Ok(());
		}
		ensure!(T::Doctors::is_active(reader), Error::<T>::DoctorNotActive);
		match T::Access::emergency_status(reader, patient) {
			EmergencyStatus::Live => Ok(()),
			EmergencyStatus::None => Err(Error::<T>::NoEmergency.into()),
			EmergencyStatus::Expired => Err(Error::<T>::EmergencyExpired.into()),
			EmergencyStatus::Reviewed => Err(Error::<T>::EmergencyReviewed.into()),
		}
	}

	/// Returns the releasing hospital.
	pub(crate) fn do_release(
		service: &T::AccountId,
		reader: &T::AccountId,
		shares: Vec<(RecordId, WrappedKey)>,
	) -> Result<HospitalId, DispatchError> {
		let hospital = T::Custodians::custodian_of(service).ok_or(Error::<T>::NotReleaseService)?;
		ensure!(shares.len() <= T::MaxKeysPerCall::get() as usize, Error::<T>::TooManyKeys);
		let mut ids: Vec<RecordId> = shares.iter().map(|(id, _)| *id).collect();
		ids.sort();
		ensure!(ids.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateReader);
		for (id, bytes) in shares {
			let record = RecordById::<T>::get(id).ok_or(Error::<T>::UnknownRecord)?;
			let mut escrow = Escrows::<T>::get(id).ok_or(Error::<T>::NotEscrowed)?;
			ensure!(escrow.shares.iter().any(|(h, _)| *h == hospital), Error::<T>::NotCustodian);
			Self::ensure_release_due(reader, &record.patient)?;
			// Within the emergency grant's scope only (a recovery's holder takes everything).
			ensure!(
				T::Patients::recovery_holder(&record.patient).as_ref() == Some(reader)
					|| T::Access::can_read(reader, &record.patient, id, record.category),
				Error::<T>::NoReadAccess
			);
			let wrapped = Self::checked_key(bytes)?;
			let mut release = match Releases::<T>::get(id, reader) {
				Some(release) => release,
				None => {
					escrow.released_to = escrow.released_to.saturating_add(1);
					ensure!(
						escrow.released_to <= T::MaxReleasesPerRecord::get(),
						Error::<T>::TooManyReleases
					);
					Escrows::<T>::insert(id, &escrow);
					Release { epoch: escrow.epoch, shares: Default::default() }
				}
			};
			ensure!(
				release.shares.iter().all(|(h, _)| *h != hospital),
				Error::<T>::AlreadyReleased
			);
			// At most one share per custodian, and the escrow has at most `MaxCustodians`.
			release
				.shares
				.try_push((hospital, wrapped))
				.map_err(|_| Error::<T>::AlreadyReleased)?;
			Releases::<T>::insert(id, reader, release);
			KeysOf::<T>::insert((&record.patient, reader, id), ());
			T::Audit::log_accounts(
				service,
				&record.patient,
				AuditAction::EmergencyShareReleased {
					record: id,
					hospital,
					reader: reader.clone(),
				},
			)?;
			T::Audit::log_accounts(
				service,
				reader,
				AuditAction::EmergencyShareReceived {
					record: id,
					hospital,
					patient: record.patient.clone(),
				},
			)?;
		}
		Ok(hospital)
	}

	/// The storage invariants of this pallet. Called by `try_state` and after
	/// every unit test.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut counts: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut files: BTreeMap<FileKey, (T::AccountId, u32)> = BTreeMap::new();
		let (mut keys, mut versions, mut self_indexed) = (0usize, 0usize, 0usize);
		for (id, record) in RecordById::<T>::iter() {
			let patient = &record.patient;
			ensure!(id < NextRecordId::<T>::get(), "record id not yet issued");
			ensure!(RecordsOf::<T>::contains_key(patient, id), "record not indexed");
			*counts.entry(patient.clone()).or_default() += 1;
			ensure!(record.version <= T::MaxVersions::get(), "too many versions");
			// Version 1 of a record with no other lives in the record itself; a chain
			// written before that rule may also hold it in `Versions`, unchanged.
			let stored = Versions::<T>::iter_key_prefix(id).count();
			if record.version == 1 {
				ensure!(stored <= 1, "a version-1 record with later versions stored");
				ensure!(
					Versions::<T>::get(id, 1).is_none_or(|v| v == Self::first_version(&record)),
					"a stored first version differs from the record"
				);
			} else {
				ensure!(
					stored == record.version as usize,
					"versions do not match the record's version"
				);
				ensure!(
					Versions::<T>::get(id, record.version).map(|v| v.cid)
						== Some(record.cid.clone()),
					"the current CID is not the last version's"
				);
			}
			versions += stored;
			let readers: Vec<(T::AccountId, KeyInfo)> = Keys::<T>::iter_prefix(id).collect();
			ensure!(readers.len() == record.readers as usize, "reader count is wrong");
			ensure!(readers.len() <= T::MaxReadersPerRecord::get() as usize, "too many readers");
			ensure!(Keys::<T>::contains_key(id, patient), "the patient holds no key");
			for (reader, key) in &readers {
				ensure!(key.epoch == record.epoch, "a key of an older epoch remains");
				// The patient's own key is never indexed: no grant's end removes it. A chain
				// written before that rule may hold the index entry; it goes with the record.
				if reader == patient {
					self_indexed += KeysOf::<T>::contains_key((patient, reader, id)) as usize;
				} else {
					ensure!(KeysOf::<T>::contains_key((patient, reader, id)), "key not indexed");
				}
				// A removed guardian or a revoked author keeps no key; a
				// suspended doctor keeps none past the sweep of their keys.
				ensure!(
					T::Patients::may_act_for(reader, patient)
						|| T::Access::may_hold_keys(reader, patient),
					"a key is held by a reader who is neither the patient, a guardian nor a \
					 grantee, or by a suspended doctor whose keys are not being removed"
				);
			}
			// Every new key epoch was started by the patient, never a guardian.
			let mut epoch = 0;
			for version in 1..=record.version {
				let info =
					Self::version_info(id, &record, version).ok_or("a version is missing")?;
				if info.epoch != epoch {
					ensure!(&info.author == patient, "a key epoch not started by the patient");
					epoch = info.epoch;
				}
				let key = file_key(&info.cid).ok_or("a version's CID does not parse")?;
				let file = files.entry(key).or_insert((patient.clone(), 0));
				ensure!(&file.0 == patient, "one file named by two patients' records");
				file.1 += 1;
			}
			keys += readers.iter().filter(|(reader, _)| reader != patient).count();
		}
		ensure!(
			RecordCount::<T>::iter().collect::<BTreeMap<_, _>>() == counts,
			"RecordCount does not count records"
		);
		ensure!(
			RecordsOf::<T>::iter().count() == RecordById::<T>::iter().count(),
			"stale record index"
		);
		ensure!(Versions::<T>::iter().count() == versions, "versions of an erased record remain");
		// Every version's file is claimed by its patient, once per version naming it, and
		// once more at most (the patient's profile, which pallet-patients checks).
		for (key, (patient, uses)) in &files {
			let claim = ClaimOf::<T>::get(key).ok_or("a record's file is not claimed")?;
			ensure!(&claim.patient == patient, "a record's file is claimed by another patient");
			ensure!(
				claim.uses == *uses || claim.uses == uses + 1,
				"a claim does not count the versions naming its file"
			);
		}
		for (key, claim) in ClaimOf::<T>::iter() {
			ensure!(claim.uses > 0, "a claim with no use");
			if !files.contains_key(&key) {
				ensure!(claim.uses == 1, "a claim counts uses by records that do not exist");
			}
		}
		let mut releases_without_key = 0usize;
		for (id, escrow) in Escrows::<T>::iter() {
			let record = RecordById::<T>::get(id).ok_or("an escrow of an erased record")?;
			ensure!(escrow.epoch == record.epoch, "an escrow of an older key epoch");
			ensure!(escrow.threshold >= T::EmergencyThreshold::get(), "an escrow below threshold");
			ensure!(escrow.shares.len() as u32 >= escrow.threshold, "an unrecoverable escrow");
			let mut releases = 0u32;
			for (reader, release) in Releases::<T>::iter_prefix(id) {
				releases += 1;
				ensure!(release.epoch == escrow.epoch, "a release of another epoch");
				ensure!(
					release.shares.iter().all(|(h, _)| escrow.shares.iter().any(|(e, _)| e == h)),
					"a share released by a hospital that holds none"
				);
				ensure!(
					KeysOf::<T>::contains_key((&record.patient, &reader, id)),
					"release not indexed"
				);
				ensure!(
					T::Access::may_hold_keys(&reader, &record.patient)
						|| T::Patients::may_act_for(&reader, &record.patient),
					"released shares held by a reader who is neither a grantee nor a guardian, or \
					 by a suspended doctor whose keys are not being removed"
				);
				// Released for an emergency that has not ended (its review is open; it may
				// have expired, until its grant is cleaned up), or to a guardian (a recovery's
				// holder, or one who was).
				ensure!(
					T::Patients::may_act_for(&reader, &record.patient)
						|| matches!(
							T::Access::emergency_status(&reader, &record.patient),
							EmergencyStatus::Live | EmergencyStatus::Expired
						),
					"shares released for an emergency that has ended"
				);
				if !Keys::<T>::contains_key(id, &reader) {
					releases_without_key += 1;
				}
			}
			ensure!(releases == escrow.released_to, "released_to does not count releases");
			ensure!(releases <= T::MaxReleasesPerRecord::get(), "too many releases");
		}
		ensure!(
			Releases::<T>::iter_keys().all(|(id, _)| Escrows::<T>::contains_key(id)),
			"a release without its escrow"
		);
		ensure!(
			KeysOf::<T>::iter().count() == keys + self_indexed + releases_without_key,
			"stale key index entry"
		);
		Ok(())
	}
}

impl<T: Config> FileClaims<T::AccountId> for Pallet<T> {
	fn claim(patient: &T::AccountId, cid: &Cid) -> Result<(), FileClaimed> {
		// A stored CID always parses: its file is its multihash.
		let key = file_key(cid).ok_or(FileClaimed)?;
		ClaimOf::<T>::try_mutate(key, |claim| match claim {
			Some(claim) if &claim.patient != patient => Err(FileClaimed),
			Some(claim) => {
				claim.uses = claim.uses.saturating_add(1);
				Ok(())
			}
			None => {
				*claim = Some(Claim { patient: patient.clone(), uses: 1 });
				Ok(())
			}
		})
	}

	fn release(patient: &T::AccountId, cid: &Cid) {
		let Some(key) = file_key(cid) else { return };
		ClaimOf::<T>::mutate_exists(key, |claim| {
			if let Some(held) = claim.as_mut().filter(|c| &c.patient == patient) {
				held.uses = held.uses.saturating_sub(1);
				if held.uses == 0 {
					*claim = None;
				}
			}
		});
	}

	fn claimant(cid: &Cid) -> Option<T::AccountId> {
		ClaimOf::<T>::get(file_key(cid)?).map(|claim| claim.patient)
	}
}

impl<T: Config> RecordKeys<T::AccountId> for Pallet<T> {
	fn is_record_of(patient: &T::AccountId, record: RecordId) -> bool {
		RecordsOf::<T>::contains_key(patient, record)
	}

	fn remove_reader_keys(patient: &T::AccountId, reader: &T::AccountId, limit: u32) -> u32 {
		let ids: Vec<RecordId> =
			KeysOf::<T>::iter_key_prefix((patient, reader)).take(limit as usize).collect();
		for id in &ids {
			KeysOf::<T>::remove((patient, reader, *id));
			if Keys::<T>::take(*id, reader).is_some() {
				RecordById::<T>::mutate(*id, |record| {
					if let Some(record) = record {
						record.readers = record.readers.saturating_sub(1);
					}
				});
			}
			if Releases::<T>::take(*id, reader).is_some() {
				Escrows::<T>::mutate(*id, |escrow| {
					if let Some(escrow) = escrow {
						escrow.released_to = escrow.released_to.saturating_sub(1);
					}
				});
			}
		}
		ids.len() as u32
	}

	fn remove_released_shares(patient: &T::AccountId, reader: &T::AccountId, limit: u32) -> u32 {
		let ids: Vec<RecordId> =
			KeysOf::<T>::iter_key_prefix((patient, reader)).take(limit as usize).collect();
		let visited = ids.len() as u32;
		for id in ids {
			if Releases::<T>::take(id, reader).is_none() {
				continue;
			}
			Escrows::<T>::mutate(id, |escrow| {
				if let Some(escrow) = escrow {
					escrow.released_to = escrow.released_to.saturating_sub(1);
				}
			});
			// The index entry stays for a wrapped key the reader also holds.
			if !Keys::<T>::contains_key(id, reader) {
				KeysOf::<T>::remove((patient, reader, id));
			}
		}
		visited
	}

	fn share_keys(
		actor: &T::AccountId,
		patient: &T::AccountId,
		reader: &T::AccountId,
		keys: Vec<(RecordId, WrappedKey)>,
	) -> DispatchResult {
		Self::do_share(actor, patient, reader, keys)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_keys(patient: &T::AccountId, reader: &T::AccountId, n: u32) -> Vec<RecordId> {
		let cid = Self::checked_cid(medchain_primitives::cid::LONG_CID).expect("a valid CID");
		let key: WrappedKey = alloc::vec![7u8; 80].try_into().expect("80 bytes fit");
		let mut keys = alloc::vec![(patient.clone(), key.clone())];
		if reader != patient {
			keys.push((reader.clone(), key));
		}
		(0..n)
			.map(|_| {
				Self::claim_file(patient, &cid).expect("the benchmark's patient claims its file");
				Self::insert_record(
					patient,
					patient,
					RecordCategory::Other,
					cid.clone(),
					keys.clone(),
				)
				.expect("the patient has room for the benchmark's records")
			})
			.collect()
	}
}
