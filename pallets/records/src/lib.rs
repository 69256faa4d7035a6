//! # Records Pallet
//!
//! Medical records: the IPFS CID of each encrypted file, every version of
//! it, and the file's data key wrapped for each reader.
//!
//! ## Overview
//!
//! A record belongs to a patient. Its file is encrypted on the client and
//! stored in IPFS; the chain keeps the CID of every version and, per reader,
//! the data key wrapped (HPKE) to that reader's X25519 key, tagged with the
//! record's key epoch. The chain never sees a file or a data key.
//!
//! - The patient (or a guardian) creates records of their own; an active
//!   doctor creates one when holding a read-write grant covering its category
//!   (`T::Access`). A new record carries wrapped keys for the patient and for
//!   its author, and may carry more for readers who hold read access.
//! - The patient, a guardian, or a doctor with write access to the record
//!   (and a key to it) stores a new version.
//! - The patient shares keys with readers who hold access; when a grant ends,
//!   the access pallet removes the reader's keys through [`RecordKeys`].
//! - After a revocation the patient rotates the key: new epoch, re-encrypted
//!   file (a new version) and fresh wrapped keys; every older key is removed.
//! - The patient erases a record: every CID and wrapped key leaves the
//!   chain's state (old blocks keep what their extrinsics carried); the audit
//!   trail keeps that the record existed and was erased.
//! - The patient (or a guardian) makes a record available in an emergency: its
//!   data key split (Shamir) among custodian hospitals, one share wrapped to each
//!   hospital's key-release key (`T::Custodians`). When a doctor breaks the glass, each
//!   hospital's release service re-wraps its share to the doctor; with
//!   `EmergencyThreshold` shares the doctor opens the record (docs/emergency-access.md).
//! - A reader declares opening a record with `open_record` (a read receipt in
//!   the audit trail) before unwrapping its key. The receipt records that the
//!   reader asked; a client that skips it could still unwrap a key the reader
//!   holds, so what bounds readers is the keys they hold.
//!
//! Every call writes its audit entry (subject: the patient) through
//! `T::Audit`, in the same transaction.
//!
//! ## Interface
//!
//! ### Dispatchable functions
//!
//! - [`Pallet::create_record`]: the patient, a guardian, or a doctor with write access.
//! - [`Pallet::update_record`]: the patient, a guardian, or a doctor with write access.
//! - [`Pallet::share_keys`]: the patient or a guardian (a key for the patient:
//!   the patient only).
//! - [`Pallet::rotate_key`]: the patient only.
//! - [`Pallet::erase_record`]: the patient only.
//!
//! A guardian never replaces or removes the patient's own wrapped keys, so
//! guardians cannot lock a patient out of their records; and a guardian who
//! is removed loses the keys of the records they wrote (the patients pallet
//! removes them through [`RecordKeys`]).
//! - [`Pallet::open_record`]: a reader with access and a key (or enough released shares).
//! - [`Pallet::escrow_key`], [`Pallet::withdraw_escrow`]: the patient or a guardian.
//! - [`Pallet::release_shares`]: a custodian hospital's key-release service.
//!
//! ### Traits implemented
//!
//! - [`RecordKeys`] for the access pallet.
//!
//! ## Low Level
//!
//! [`RecordById`] (from [`NextRecordId`]); [`Versions`] by (record,
//! version), at most `T::MaxVersions` per record, from the second version on
//! (until then the record itself is version 1: a record write stores one item
//! less); [`Keys`] by (record, reader), at most `T::MaxReadersPerRecord` per
//! record. Indexes: [`RecordsOf`] (patient, record), at most
//! `T::MaxRecordsPerPatient` per patient, counted in [`RecordCount`];
//! [`KeysOf`] (patient, reader, record) for every reader but the patient, so
//! that a reader's keys on a patient's records are found without a scan when a
//! grant ends (the patient's own keys go only with the record or a rotation).
//! [`Escrows`] holds a record's split key (at most `T::MaxCustodians` shares);
//! [`Releases`] by (record, reader) the shares released to a reader, at most
//! `T::MaxReleasesPerRecord` readers per record, indexed in [`KeysOf`] like keys
//! and removed with them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use medchain_primitives::{RecordCategory, RecordId, RecordKeys};
pub use types::{Claim, Epoch, Escrow, KeyInfo, Record, RecordView, Release, Version, VersionInfo};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::WithPostDispatchInfo, pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{
		page_of, AccessPolicy, AuditLog, Cid, DoctorRegistry, FileKey, HospitalId, KeyCustodians,
		Moment, Page, PatientRegistry, WrappedKey,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	/// A record as this runtime stores it.
	pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId>;

	/// A version as this runtime stores it.
	pub type VersionOf<T> = VersionInfo<<T as frame_system::Config>::AccountId>;

	/// A record with its versions, as the queries return it.
	pub type RecordViewOf<T> = RecordView<<T as frame_system::Config>::AccountId>;

	/// Wrapped keys of a new key epoch as a call takes them: the reader and the
	/// HPKE output, at most `MaxReadersPerRecord` pairs. Bounded, so that a
	/// longer list does not even decode: the pool refuses the transaction.
	pub type ReaderKeys<T> = BoundedVec<
		(<T as frame_system::Config>::AccountId, WrappedKey),
		<T as Config>::MaxReadersPerRecord,
	>;

	/// Wrapped keys of existing records as `share_keys` takes them, at most
	/// `MaxKeysPerCall` pairs.
	pub type SharedKeys<T> = BoundedVec<(RecordId, WrappedKey), <T as Config>::MaxKeysPerCall>;

	/// Wrapped shares of a data key, one per custodian hospital, at most `MaxCustodians`.
	pub type CustodianShares<T> =
		BoundedVec<(HospitalId, WrappedKey), <T as Config>::MaxCustodians>;

	/// A file's claim as stored.
	pub type FileClaimOf<T> = Claim<<T as frame_system::Config>::AccountId>;

	/// A record's escrowed data key as stored.
	pub type EscrowOf<T> = Escrow<CustodianShares<T>>;

	/// The shares released to one reader as stored.
	pub type ReleaseOf<T> = Release<CustodianShares<T>>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Registered patients and their guardians.
		type Patients: PatientRegistry<Self::AccountId>;

		/// Doctors: only active ones write.
		type Doctors: DoctorRegistry<Self::AccountId>;

		/// The patient's consent: who may read and write which records.
		type Access: AccessPolicy<Self::AccountId>;

		/// The audit trail every call writes to.
		type Audit: AuditLog<Self::AccountId>;

		/// Who holds a MedChain role: their calls of this pallet pay no fee.
		type Roles: medchain_primitives::Roles<Self::AccountId>;

		/// Chain time, for creation and version dates.
		type Time: Time<Moment = Moment>;

		/// The most records one patient has.
		#[pallet::constant]
		type MaxRecordsPerPatient: Get<u32>;

		/// How many of those only the patient and their guardians may create: doctors stop
		/// at `MaxRecordsPerPatient - RecordsReservedForPatient`, so that no doctor can leave
		/// the patient without room for records of their own.
		#[pallet::constant]
		type RecordsReservedForPatient: Get<u32>;

		/// The most readers holding a key to one record (patient and author included).
		#[pallet::constant]
		type MaxReadersPerRecord: Get<u32>;

		/// The most versions one record has (key rotations included). The last one is the
		/// patient's: others stop at `MaxVersions - 1`, so that the patient can always rotate
		/// the key once after revoking a doctor who filled the record.
		#[pallet::constant]
		type MaxVersions: Get<u32>;

		/// The most keys one `share_keys` call shares.
		#[pallet::constant]
		type MaxKeysPerCall: Get<u32>;

		/// The hospitals that hold shares of escrowed data keys and release them in an
		/// emergency.
		type Custodians: KeyCustodians<Self::AccountId>;

		/// The fewest shares that may recover an escrowed data key: no fewer hospitals than
		/// this can ever open a record together. At least 2.
		#[pallet::constant]
		type EmergencyThreshold: Get<u32>;

		/// The most custodian hospitals one data key is split among.
		#[pallet::constant]
		type MaxCustodians: Get<u32>;

		/// The most readers holding released shares of one record at a time.
		#[pallet::constant]
		type MaxReleasesPerRecord: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The id the next record gets.
	#[pallet::storage]
	pub type NextRecordId<T: Config> = StorageValue<_, RecordId, ValueQuery>;

	/// Records by id.
	#[pallet::storage]
	pub type RecordById<T: Config> = StorageMap<_, Twox64Concat, RecordId, RecordOf<T>>;

	/// Every version of every record with more than one, by (record, version). A record
	/// at version 1 is its own first version (stored here once a second is pushed);
	/// [`Pallet::version_info`] reads either.
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RecordId, Twox64Concat, Version, VersionOf<T>>;

	/// Wrapped data keys by (record, reader).
	#[pallet::storage]
	pub type Keys<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RecordId, Blake2_128Concat, T::AccountId, KeyInfo>;

	/// `(patient, record)` for every record: a patient's records (in storage order, not id order).
	#[pallet::storage]
	pub type RecordsOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		RecordId,
		(),
		OptionQuery,
	>;

	/// How many records each patient has.
	#[pallet::storage]
	pub type RecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// `(patient, reader, record)` for every wrapped key of a reader other than the
	/// patient: what a reader holds of a patient's records, found without a scan when a
	/// grant ends.
	#[pallet::storage]
	pub type KeysOf<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, RecordId>,
		),
		(),
		OptionQuery,
	>;

	/// Records made available in an emergency: the data key's shares, wrapped to custodian
	/// hospitals.
	#[pallet::storage]
	pub type Escrows<T: Config> = StorageMap<_, Twox64Concat, RecordId, EscrowOf<T>>;

	/// Shares released to a reader who broke the glass, by (record, reader). Indexed in
	/// [`KeysOf`] like a wrapped key, and removed with the reader's keys.
	#[pallet::storage]
	pub type Releases<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RecordId, Blake2_128Concat, T::AccountId, ReleaseOf<T>>;

	/// Who uses each file named by a live record version or profile: its patient, and how
	/// many versions and profiles name it. A file is its CID's multihash ([`FileKey`]), as
	/// IPFS nodes pin it, so every version and base of one CID is one file. No other
	/// patient's record or profile may name a claimed file, and the hospitals' followers
	/// unpin a file only when it has no claim.
	#[pallet::storage]
	pub type ClaimOf<T: Config> = StorageMap<_, Blake2_128Concat, FileKey, FileClaimOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `author` created `record` of `patient`.
		RecordCreated {
			record: RecordId,
			patient: T::AccountId,
			author: T::AccountId,
			category: RecordCategory,
		},
		/// `author` stored `version` of `record`.
		RecordUpdated { record: RecordId, version: Version, author: T::AccountId },
		/// `count` keys to records of `patient` were shared with `reader`.
		KeysShared { patient: T::AccountId, reader: T::AccountId, count: u32 },
		/// `record` was re-encrypted under `epoch`; `readers` hold its new key.
		RecordKeyRotated { record: RecordId, epoch: Epoch, readers: u32 },
		/// `record` of `patient` was erased: its CIDs and keys are gone.
		RecordErased { record: RecordId, patient: T::AccountId },
		/// `reader` opened `record`.
		RecordOpened { record: RecordId, reader: T::AccountId },
		/// `record`'s data key was split among `custodians` hospitals, `threshold` of whom
		/// release it in an emergency.
		KeyEscrowed { record: RecordId, custodians: u32, threshold: u32 },
		/// `record` is no longer available in an emergency; released shares went too.
		KeyEscrowWithdrawn { record: RecordId },
		/// `hospital`'s key-release service released its shares of `count` records to `reader`.
		SharesReleased { hospital: HospitalId, reader: T::AccountId, count: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The patient is not registered.
		UnknownPatient,
		/// No record has this id (or it was erased).
		UnknownRecord,
		/// The caller is neither the patient nor one of their guardians.
		NotPatientOrGuardian,
		/// The caller holds no live read-write grant covering this record (or
		/// is not an active doctor).
		NoWriteAccess,
		/// The caller holds no live grant covering this record.
		NoReadAccess,
		/// The caller holds no wrapped key to this record's current epoch.
		NoKey,
		/// The CID is not the text of a CIDv0 or CIDv1.
		MalformedCid,
		/// The CID is longer than 128 bytes.
		CidTooLong,
		/// A wrapped key is shorter than 48 or longer than 128 bytes.
		WrongKeyLength,
		/// The keys do not include one for the patient.
		PatientKeyMissing,
		/// The keys do not include one for the author (the caller).
		AuthorKeyMissing,
		/// A reader (or a record) is listed twice.
		DuplicateReader,
		/// A reader holds no grant to read this record.
		ReaderWithoutAccess,
		/// The record would have more than `MaxReadersPerRecord` readers.
		TooManyReaders,
		/// The call shares more than `MaxKeysPerCall` keys.
		TooManyKeys,
		/// The patient already has `MaxRecordsPerPatient` records (or, for a doctor writing,
		/// all but the `RecordsReservedForPatient` only the patient and guardians use).
		TooManyRecords,
		/// The record already has `MaxVersions` versions (or, for anyone but the patient,
		/// all but the last, which is the patient's); create a new record.
		TooManyVersions,
		/// The record belongs to another patient.
		NotPatientsRecord,
		/// The record id counter is exhausted.
		RecordIdOverflow,
		/// Only the patient may do this, not a guardian: it replaces or removes the patient's
		/// own wrapped keys.
		NotPatient,
		/// The threshold is below `EmergencyThreshold`.
		ThresholdTooLow,
		/// Fewer shares than the threshold: the key could never be recovered.
		TooFewShares,
		/// More shares than `MaxCustodians`, or a custodian listed twice.
		DuplicateCustodian,
		/// A share is for a hospital that is not active or has no key-release key.
		UnknownCustodian,
		/// The record is not available in an emergency (no escrowed key).
		NotEscrowed,
		/// The caller is not the key-release service of an active hospital.
		NotReleaseService,
		/// The caller's hospital holds no share of this record's key.
		NotCustodian,
		/// The reader is not an active doctor (unknown, suspended, or of a suspended hospital)
		/// and holds no approved key recovery of the patient.
		DoctorNotActive,
		/// The doctor holds no emergency grant of the record's patient.
		NoEmergency,
		/// The doctor's emergency grant has expired.
		EmergencyExpired,
		/// The review of the doctor's emergency access is closed: the emergency is over.
		EmergencyReviewed,
		/// This hospital already released its share of this record to this doctor.
		AlreadyReleased,
		/// `MaxReleasesPerRecord` readers already hold released shares of this record.
		TooManyReleases,
		/// The CID names a file of another patient's record or profile: a record names only
		/// a file encrypted for it.
		CidInUse,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxReadersPerRecord::get() >= 2,
				"a record needs room for the patient's and the author's keys"
			);
			assert!(
				T::MaxVersions::get() >= 2,
				"a record has room for a version and the patient's rotation"
			);
			assert!(
				T::RecordsReservedForPatient::get() < T::MaxRecordsPerPatient::get(),
				"doctors need room for records too"
			);
			assert!(
				T::EmergencyThreshold::get() >= 2,
				"one hospital alone must never release a key"
			);
			assert!(
				T::MaxCustodians::get() >= T::EmergencyThreshold::get(),
				"a key needs room for at least the threshold's shares"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Reads for RPC clients, Polkadot.js Apps and the runtime's
	/// `MedchainApi`: a record, its keys, a patient's records. Every list
	/// is one [`Page`] of at most `MAX_PAGE_SIZE` items, in storage order.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A record with its versions, oldest first.
		pub fn record(id: RecordId) -> Option<RecordViewOf<T>> {
			let record = RecordById::<T>::get(id)?;
			let versions =
				(1..=record.version).filter_map(|v| Self::version_info(id, &record, v)).collect();
			Some(RecordView { id, record, versions })
		}

		/// The wrapped data key `reader` holds for `record`.
		pub fn wrapped_key(record: RecordId, reader: T::AccountId) -> Option<KeyInfo> {
			Keys::<T>::get(record, reader)
		}

		/// The escrow of `record`'s data key, if it is available in an emergency.
		pub fn escrow(record: RecordId) -> Option<EscrowOf<T>> {
			Escrows::<T>::get(record)
		}

		/// Who uses the file `cid` names (the patient), and how many of their record versions
		/// and profiles name it. `None`: nothing live names it, and the hospitals drop it.
		pub fn file_claim(cid: Cid) -> Option<FileClaimOf<T>> {
			ClaimOf::<T>::get(medchain_primitives::file_key(&cid)?)
		}

		/// The shares of `record`'s key released to `reader`.
		pub fn released_shares(record: RecordId, reader: T::AccountId) -> Option<ReleaseOf<T>> {
			Releases::<T>::get(record, reader)
		}

		/// The records of `patient`, after record `after`.
		pub fn records_of(
			patient: T::AccountId,
			after: Option<RecordId>,
			limit: u32,
		) -> Page<RecordViewOf<T>, RecordId> {
			let page = page_of::<RecordsOf<T>, _, _, _>(&patient, after.as_ref(), limit);
			page.filter_map(|(id, ())| Self::record(id))
		}

		/// The readers holding a key to `record`, after reader `after`.
		pub fn readers_of(
			record: RecordId,
			after: Option<T::AccountId>,
			limit: u32,
		) -> Page<T::AccountId, T::AccountId> {
			page_of::<Keys<T>, _, _, _>(&record, after.as_ref(), limit).map(|(reader, _)| reader)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Create a record of `patient`: the CID of its encrypted file, and its data key
		/// wrapped for the patient, the author (the caller) and any other reader.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient, one of their
		/// guardians, or an active doctor holding a read-write grant of the patient that
		/// covers `category`.
		///
		/// - `cid`: the file's CID as text (`bafy…` or `Qm…`).
		/// - `keys`: `(reader, wrapped key)` pairs, 48 to 128 bytes each; one for the patient
		///   and one for the caller are required; other readers must hold read access.
		///
		/// Emits `RecordCreated`. Errors: `UnknownPatient`, `NoWriteAccess`, `MalformedCid`,
		/// `CidTooLong`, `TooManyRecords`, `TooManyReaders`, `WrongKeyLength`, `DuplicateReader`,
		/// `PatientKeyMissing`, `AuthorKeyMissing`, `ReaderWithoutAccess`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_record(keys.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _category: &RecordCategory, _cid: &Cid, _keys: &ReaderKeys<T>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn create_record(
			origin: OriginFor<T>,
			patient: T::AccountId,
			category: RecordCategory,
			cid: Cid,
			keys: ReaderKeys<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (record, patient) = Self::do_create(who.clone(), patient, category, &cid, keys)?;
			Self::deposit_event(Event::RecordCreated { record, patient, author: who, category });
			Ok(())
		}

		/// Store a new version of a record: the CID of its re-encrypted file, under the same
		/// key epoch.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient, one of their
		/// guardians, or an active doctor holding a read-write grant covering the record and a
		/// wrapped key to it.
		///
		/// Emits `RecordUpdated`. Errors: `UnknownRecord`, `NoWriteAccess`, `NoKey`,
		/// `MalformedCid`, `CidTooLong`, `TooManyVersions`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_record())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _record: &RecordId, _cid: &Cid| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn update_record(origin: OriginFor<T>, record: RecordId, cid: Cid) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let version = Self::do_update(&who, record, &cid)?;
			Self::deposit_event(Event::RecordUpdated { record, version, author: who });
			Ok(())
		}

		/// Share the data keys of some of `patient`'s records with `reader`, who must hold read
		/// access to each. A key the reader already holds is replaced.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient or a guardian; a
		/// key for the patient themself (`reader == patient`) only by the patient.
		///
		/// - `keys`: `(record, wrapped key)` pairs, at most `MaxKeysPerCall`.
		///
		/// Emits `KeysShared`. Errors: `NotPatientOrGuardian`, `NotPatient`, `TooManyKeys`,
		/// `UnknownRecord`,
		/// `NotPatientsRecord`, `DuplicateReader`, `ReaderWithoutAccess`, `WrongKeyLength`,
		/// `TooManyReaders`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::share_keys(keys.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _reader: &T::AccountId, _keys: &SharedKeys<T>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn share_keys(
			origin: OriginFor<T>,
			patient: T::AccountId,
			reader: T::AccountId,
			keys: SharedKeys<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let count = keys.len() as u32;
			Self::do_share(&who, &patient, &reader, keys.into_inner())?;
			Self::deposit_event(Event::KeysShared { patient, reader, count });
			Ok(())
		}

		/// Re-encrypt a record under a new data key: a new version with `cid`, a new key epoch,
		/// and `keys` for the readers who keep access. Every key of an older epoch is removed.
		/// Do this after revoking a reader so that later versions are closed to them.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient: a rotation
		/// replaces the patient's own key, which a guardian may not.
		///
		/// - `keys`: `(reader, wrapped key)` pairs; one for the patient is required; others
		///   must hold read access.
		///
		/// Emits `RecordKeyRotated`. Errors: `UnknownRecord`, `NotPatientOrGuardian`, `NotPatient`,
		/// `MalformedCid`, `CidTooLong`, `TooManyVersions`, `TooManyReaders`, `WrongKeyLength`,
		/// `DuplicateReader`, `PatientKeyMissing`, `ReaderWithoutAccess`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rotate_key(
			T::MaxReadersPerRecord::get(),
			keys.len() as u32
		))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _record: &RecordId, _cid: &Cid, _keys: &ReaderKeys<T>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn rotate_key(
			origin: OriginFor<T>,
			record: RecordId,
			cid: Cid,
			keys: ReaderKeys<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let new_keys = keys.len() as u32;
			// Every error comes before any key is removed: charge what the checks cost.
			let (epoch, removed) = Self::do_rotate(&who, record, &cid, keys)
				.map_err(|e| e.with_weight(T::WeightInfo::rotate_key(0, new_keys)))?;
			Self::deposit_event(Event::RecordKeyRotated { record, epoch, readers: new_keys });
			Ok(Some(T::WeightInfo::rotate_key(removed, new_keys)).into())
		}

		/// Erase a record: every version's CID and every wrapped key are removed from the
		/// chain's state, so nobody finds or decrypts its files through the current state. Old
		/// blocks still hold what their extrinsics carried (docs/records-and-consent.md). The
		/// audit trail keeps that it existed and was erased.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient: erasure removes
		/// the patient's own key, which a guardian may not.
		///
		/// Emits `RecordErased`. Errors: `UnknownRecord`, `NotPatientOrGuardian`, `NotPatient`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::erase_record(
			T::MaxReadersPerRecord::get(),
			T::MaxVersions::get()
		))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _record: &RecordId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn erase_record(origin: OriginFor<T>, record: RecordId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			// Every error comes before anything is removed: charge what the checks cost.
			let (patient, keys, versions) = Self::do_erase(&who, record)
				.map_err(|e| e.with_weight(T::WeightInfo::erase_record(0, 1)))?;
			Self::deposit_event(Event::RecordErased { record, patient });
			Ok(Some(T::WeightInfo::erase_record(keys, versions)).into())
		}

		/// Declare opening a record: checks that the caller may read it and holds its key, and
		/// writes a `RecordOpened` entry in the patient's audit trail (a read receipt). Clients
		/// call this before unwrapping the key.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient, a guardian or a
		/// grantee holding a key to the record.
		///
		/// Emits `RecordOpened`. Errors: `UnknownRecord`, `NoReadAccess`, `NoKey`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::open_record())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _record: &RecordId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn open_record(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open(&who, record)?;
			Self::deposit_event(Event::RecordOpened { record, reader: who });
			Ok(())
		}

		/// Make a record available in an emergency: its current data key split (Shamir) into
		/// shares, `threshold` of which recover it, each wrapped (HPKE) to one custodian
		/// hospital's key-release key. Replaces an earlier escrow of the record, with the
		/// shares released from it. A rotation or an erasure removes the escrow.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient or a guardian.
		///
		/// - `threshold`: at least `EmergencyThreshold`, at most the number of shares.
		/// - `shares`: `(hospital, wrapped share)`, each hospital active, with a key-release
		///   key, once.
		///
		/// Emits `KeyEscrowed`. Errors: `UnknownRecord`, `NotPatientOrGuardian`,
		/// `ThresholdTooLow`, `TooFewShares`, `DuplicateCustodian`, `UnknownCustodian`,
		/// `WrongKeyLength`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::escrow_key(shares.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _record: &RecordId, _threshold: &u32, _shares: &CustodianShares<T>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn escrow_key(
			origin: OriginFor<T>,
			record: RecordId,
			threshold: u32,
			shares: CustodianShares<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let custodians = shares.len() as u32;
			Self::do_escrow(&who, record, threshold, shares)?;
			Self::deposit_event(Event::KeyEscrowed { record, custodians, threshold });
			Ok(())
		}

		/// Withdraw a record from emergency availability: its escrowed shares, and the shares
		/// released from them, are removed.
		///
		/// The dispatch origin for this call must be _Signed_ by the patient or a guardian.
		///
		/// Emits `KeyEscrowWithdrawn`. Errors: `UnknownRecord`, `NotPatientOrGuardian`,
		/// `NotEscrowed`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw_escrow())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _record: &RecordId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn withdraw_escrow(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_escrow(&who, record)?;
			Self::deposit_event(Event::KeyEscrowWithdrawn { record });
			Ok(())
		}

		/// Release this hospital's shares of escrowed records to `reader`: a doctor who broke
		/// the glass for their patients, or the holder of a patient's approved key recovery
		/// (`patients.approve_recovery`). Each share is re-wrapped (HPKE) to the reader's
		/// encryption key; each release is an audit entry on the patient's trail and on the
		/// reader's. Dispatched in the operational class, as break-glass is.
		///
		/// The dispatch origin for this call must be _Signed_ by the key-release service of an
		/// active hospital holding a share of each record.
		///
		/// - `shares`: `(record, share wrapped to the reader)`, at most `MaxKeysPerCall`.
		///
		/// Emits `SharesReleased`. Errors: `NotReleaseService`, `DoctorNotActive`,
		/// `TooManyKeys`, `DuplicateReader` (a record listed twice), `UnknownRecord`,
		/// `NotEscrowed`, `NotCustodian`, `NoEmergency`, `EmergencyExpired`,
		/// `EmergencyReviewed`, `AlreadyReleased`, `TooManyReleases`, `WrongKeyLength`.
		#[pallet::call_index(8)]
		// Operational, as break-glass is: a doctor in an emergency waits for these.
		#[pallet::weight((T::WeightInfo::release_shares(shares.len() as u32), DispatchClass::Operational))]
		// Free only for the services themselves: an Operational call is not counted in the
		// block's budget of free weight, so no other role holder may send it free.
		#[pallet::feeless_if(|origin: &OriginFor<T>, _reader: &T::AccountId, _shares: &SharedKeys<T>| -> bool {
			medchain_primitives::signed_by(origin, |who| T::Custodians::custodian_of(who).is_some())
		})]
		pub fn release_shares(
			origin: OriginFor<T>,
			reader: T::AccountId,
			shares: SharedKeys<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let count = shares.len() as u32;
			let hospital = Self::do_release(&who, &reader, shares.into_inner())?;
			Self::deposit_event(Event::SharesReleased { hospital, reader, count });
			Ok(())
		}
	}
}
