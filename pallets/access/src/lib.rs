//! # Access Pallet
//!
//! Patient consent: which doctors may read or write which of a patient's
//! records, why, and until when.
//!
//! ## Overview
//!
//! A **grant** goes from a patient to a grantee doctor: a scope (all records,
//! some categories, or listed records), a permission (read, or read-write), a
//! purpose and an optional expiry in chain time. Only the patient or one of
//! their guardians grants, changes or revokes; a grantee can never re-grant.
//! Grants go to active doctors only, and a grant counts only while its grantee
//! is an active doctor and it has not expired: both are decided from chain
//! state and chain time, never a node's clock.
//!
//! Revoking (or changing) a grant removes the wrapped file keys the grantee
//! holds on the patient's records in the same transaction
//! (`T::RecordKeys`); the patient re-shares keys for a changed scope. An
//! expired grant may be cleaned up by anyone, one grant per call: no loop
//! over grants ever runs on chain.
//!
//! A doctor may **request** access; the patient approves it (as asked or
//! narrower, with wrapped keys for the doctor) or denies it; requests expire
//! after `T::RequestLifetime` of chain time. In an emergency an active doctor
//! **breaks the glass**: a short read-only grant on every record, with a
//! reason code, bounded per doctor in a rolling period, flagged in the audit
//! trail until an admin of the doctor's hospital (of any active hospital once
//! the doctor's is not active; never the doctor themself) closes its review.
//! A grantee may **decline** a grant they hold, so that nobody can fill a
//! doctor's bounded patient list with grants they never wanted.
//!
//! Every call writes its audit entry (subject: the patient) through
//! `T::Audit`, in the same transaction.
//!
//! ## Interface
//!
//! ### Dispatchable functions
//!
//! The patient or a guardian (_Signed_):
//! - [`Pallet::grant`]: give a doctor access.
//! - [`Pallet::change_grant`]: replace an existing grant's terms.
//! - [`Pallet::revoke`]: end a grant, removing the grantee's keys.
//! - [`Pallet::approve_request`]: grant what a doctor asked for, or less.
//! - [`Pallet::deny_request`]: refuse it.
//!
//! An active doctor (_Signed_):
//! - [`Pallet::request_access`]: ask a patient for access.
//! - [`Pallet::withdraw_request`]: take the request back.
//! - [`Pallet::emergency_access`]: break the glass.
//! - [`Pallet::decline_grant`]: end a grant they hold (any grantee).
//!
//! An admin of the doctor's hospital, or of any active hospital once the
//! doctor's hospital is not active, never the doctor (_Signed_):
//! - [`Pallet::close_emergency_review`]: record the review's outcome.
//!
//! Anyone (_Signed_):
//! - [`Pallet::remove_expired`]: clean up one expired grant.
//! - [`Pallet::remove_expired_request`]: clean up one expired request.
//!
//! ### Traits implemented
//!
//! - [`AccessPolicy`] for the records pallet.
//!
//! ## Low Level
//!
//! [`GrantOf`] holds one grant per (patient, grantee); at most
//! `T::MaxGrantsPerPatient` per patient and `T::MaxPatientsPerGrantee` per
//! grantee (counted in [`GrantCount`] and [`PatientCount`]). [`PatientsOf`]
//! lists a grantee's patients (the doctor's patient list). [`RequestOf`]
//! holds one request per (patient, doctor), counted in [`RequestCount`];
//! [`EmergencyOpenings`] keeps when each doctor broke the glass in the last
//! period (at most `T::MaxEmergenciesPerPeriod` times) and
//! [`PendingReviews`] holds the audit entries awaiting review per hospital;
//! [`OpenEmergencies`] finds the review of a (patient, doctor) pair, which
//! the records pallet's key release asks about (`emergency_status`).

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

pub use medchain_primitives::EmergencyReason;
pub use medchain_primitives::{AccessPolicy, RecordCategory, RecordId};
pub use types::{BoundedScope, Grant, Permission, Purpose, Request, Review, Scope, SweepCursor};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::WithPostDispatchInfo, pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::AuditAction;
	use medchain_primitives::{
		page_of, AuditLog, AuditSeq, Cid, DoctorRegistry, HospitalId, HospitalRegistry, Moment,
		Page, PatientRegistry, RecordKeys, WrappedKey,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	/// A scope as calls take it and grants store it: at most ten categories,
	/// at most `MaxScopeRecords` record ids. Bounded, so that a longer list
	/// does not even decode: the pool refuses the transaction.
	pub type ScopeOf<T> = BoundedScope<<T as Config>::MaxScopeRecords>;

	/// Wrapped keys an approval shares: `(record, wrapped key)`, at most
	/// `MaxKeysPerApproval`.
	pub type ApprovalKeys<T> =
		BoundedVec<(RecordId, WrappedKey), <T as Config>::MaxKeysPerApproval>;

	/// A grant as this runtime stores it.
	pub type GrantInfo<T> = Grant<ScopeOf<T>>;

	/// A request as this runtime stores it.
	pub type RequestInfo<T> = Request<ScopeOf<T>>;

	/// A pending emergency review as this runtime stores it.
	pub type ReviewOf<T> = Review<<T as frame_system::Config>::AccountId>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Registered patients and their guardians.
		type Patients: PatientRegistry<Self::AccountId>;

		/// Doctors, to grant only to active ones.
		type Doctors: DoctorRegistry<Self::AccountId>;

		/// Hospitals, whose admins review emergency access.
		type Hospitals: HospitalRegistry<Self::AccountId>;

		/// The records pallet, which drops a grantee's wrapped keys on revocation.
		type RecordKeys: RecordKeys<Self::AccountId>;

		/// The audit trail every call writes to.
		type Audit: AuditLog<Self::AccountId>;

		/// Who holds a MedChain role: their calls of this pallet pay no fee.
		type Roles: medchain_primitives::Roles<Self::AccountId>;

		/// Chain time, for grant dates and expiry.
		type Time: Time<Moment = Moment>;

		/// The most grants one patient holds.
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;

		/// The most patients one grantee holds grants of.
		#[pallet::constant]
		type MaxPatientsPerGrantee: Get<u32>;

		/// The most record ids a `Records` scope lists; at most
		/// `MAX_AUDITED_SCOPE_RECORDS`, so that the audit trail holds every scope in full.
		#[pallet::constant]
		type MaxScopeRecords: Get<u32>;

		/// The most wrapped keys one revocation removes: at least the most
		/// records a patient has, so that a revocation removes every key.
		#[pallet::constant]
		type MaxKeysPerRevoke: Get<u32>;

		/// The most wrapped keys an approval shares.
		#[pallet::constant]
		type MaxKeysPerApproval: Get<u32>;

		/// How long (ms) a request waits for an answer before it counts as absent.
		#[pallet::constant]
		type RequestLifetime: Get<Moment>;

		/// The most pending requests one patient has.
		#[pallet::constant]
		type MaxRequestsPerPatient: Get<u32>;

		/// How long (ms) an emergency grant lasts.
		#[pallet::constant]
		type EmergencyDuration: Get<Moment>;

		/// The period (ms) over which a doctor's emergency accesses are counted.
		#[pallet::constant]
		type EmergencyPeriod: Get<Moment>;

		/// The most emergency accesses one doctor opens per period.
		#[pallet::constant]
		type MaxEmergenciesPerPeriod: Get<u32>;

		/// The most emergency accesses the doctors of one hospital open, together, per
		/// `EmergencyPeriod`: what one hospital can open through doctors it made up.
		#[pallet::constant]
		type MaxEmergenciesPerHospital: Get<u32>;

		/// How long (ms) a doctor is active before they may break the glass, unless the
		/// genesis config sets another [`EmergencyProbation`].
		#[pallet::constant]
		type DefaultEmergencyProbation: Get<Moment>;

		/// The most steps of the background removal of suspended doctors' keys
		/// per block (`on_idle`, within the block's spare weight). A step queues
		/// one doctor of a suspended hospital, or removes one doctor's keys on
		/// one patient's records.
		#[pallet::constant]
		type MaxSweepStepsPerBlock: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Grants by (patient, grantee).
	#[pallet::storage]
	pub type GrantOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		GrantInfo<T>,
	>;

	/// `(grantee, patient)` for every grant: a doctor's patient list.
	#[pallet::storage]
	pub type PatientsOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// How many grants each patient holds.
	#[pallet::storage]
	pub type GrantCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// How many patients each grantee holds grants of.
	#[pallet::storage]
	pub type PatientCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Pending requests by (patient, doctor).
	#[pallet::storage]
	pub type RequestOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		RequestInfo<T>,
	>;

	/// How many requests each patient has pending.
	#[pallet::storage]
	pub type RequestCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each doctor's emergency accesses of the last `EmergencyPeriod`: the chain
	/// time each opened, oldest first (older ones are dropped at the next opening).
	#[pallet::storage]
	pub type EmergencyOpenings<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<Moment, T::MaxEmergenciesPerPeriod>,
		ValueQuery,
	>;

	/// Each hospital's emergency accesses of the last `EmergencyPeriod`, all its doctors
	/// together: the chain time each opened, oldest first.
	#[pallet::storage]
	pub type HospitalEmergencyOpenings<T: Config> = StorageMap<
		_,
		Twox64Concat,
		HospitalId,
		BoundedVec<Moment, T::MaxEmergenciesPerHospital>,
		ValueQuery,
	>;

	/// When (chain time, ms) each patient last denied each doctor's request: the doctor asks
	/// that patient again only `RequestLifetime` later.
	#[pallet::storage]
	pub type DeniedAt<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		Moment,
		OptionQuery,
	>;

	/// How long (ms) a doctor must have been active before breaking the glass.
	#[pallet::storage]
	pub type EmergencyProbation<T: Config> =
		StorageValue<_, Moment, ValueQuery, <T as Config>::DefaultEmergencyProbation>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The emergency probation (ms), if not `T::DefaultEmergencyProbation`: a development
		/// chain sets none, so that its tests need not wait days.
		pub emergency_probation: Option<Moment>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(probation) = self.emergency_probation {
				EmergencyProbation::<T>::put(probation);
			}
		}
	}

	/// Emergency accesses awaiting review, by (hospital, audit entry).
	#[pallet::storage]
	pub type PendingReviews<T: Config> =
		StorageDoubleMap<_, Twox64Concat, HospitalId, Twox64Concat, AuditSeq, ReviewOf<T>>;

	/// The emergency access under review of each (patient, doctor): the doctor's hospital and
	/// the audit entry of the latest opening, until an admin closes its review. What a key
	/// release checks: an emergency whose review is closed releases nothing.
	#[pallet::storage]
	pub type OpenEmergencies<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		(HospitalId, AuditSeq),
	>;

	/// Suspended doctors whose wrapped keys are being removed in the background,
	/// one patient per step, with the last patient done.
	#[pallet::storage]
	pub type KeySweeps<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, SweepCursor<T::AccountId>>;

	/// Suspended or removed hospitals whose doctors are being queued in
	/// [`KeySweeps`], one doctor per step, with the last doctor done.
	#[pallet::storage]
	pub type HospitalSweeps<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, SweepCursor<T::AccountId>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `patient` granted `grantee` access.
		AccessGranted {
			patient: T::AccountId,
			grantee: T::AccountId,
			permission: Permission,
			expires_at: Option<Moment>,
		},
		/// The grant of `grantee` by `patient` changed; the grantee's keys were removed.
		AccessChanged {
			patient: T::AccountId,
			grantee: T::AccountId,
			permission: Permission,
			expires_at: Option<Moment>,
		},
		/// The grant of `grantee` by `patient` was revoked with `keys_removed` wrapped keys.
		AccessRevoked { patient: T::AccountId, grantee: T::AccountId, keys_removed: u32 },
		/// The `keys_removed` wrapped keys `grantee`, no longer an active doctor, held on the
		/// records of `patient` were removed.
		InactiveGranteeKeysRemoved {
			patient: T::AccountId,
			grantee: T::AccountId,
			keys_removed: u32,
		},
		/// The background removal of suspended `doctor`'s wrapped keys ended:
		/// `finished` when every patient was done, not when the doctor was
		/// reinstated first (keys not yet removed then stay).
		KeySweepEnded { doctor: T::AccountId, finished: bool },
		/// `grantee` declined the grant of `patient`; `keys_removed` wrapped keys went with it.
		GrantDeclined { patient: T::AccountId, grantee: T::AccountId, keys_removed: u32 },
		/// An expired grant was cleaned up with `keys_removed` wrapped keys.
		ExpiredGrantRemoved { patient: T::AccountId, grantee: T::AccountId, keys_removed: u32 },
		/// `doctor` asked `patient` for access.
		AccessRequested {
			patient: T::AccountId,
			doctor: T::AccountId,
			permission: Permission,
			purpose: Purpose,
			expires_at: Moment,
		},
		/// `patient` approved the request of `doctor`, sharing `keys` wrapped keys.
		AccessRequestApproved {
			patient: T::AccountId,
			doctor: T::AccountId,
			permission: Permission,
			expires_at: Option<Moment>,
			keys: u32,
		},
		/// `patient` denied the request of `doctor`.
		AccessRequestDenied { patient: T::AccountId, doctor: T::AccountId },
		/// `doctor` withdrew their request to `patient`.
		AccessRequestWithdrawn { patient: T::AccountId, doctor: T::AccountId },
		/// An expired request was cleaned up.
		ExpiredRequestRemoved { patient: T::AccountId, doctor: T::AccountId },
		/// Break-glass: `doctor` of `hospital` opened emergency access to `patient`'s records
		/// until `expires_at`; audit entry `entry` awaits the hospital's review.
		EmergencyAccessOpened {
			patient: T::AccountId,
			doctor: T::AccountId,
			hospital: HospitalId,
			reason: EmergencyReason,
			expires_at: Moment,
			entry: AuditSeq,
		},
		/// An admin of `hospital` closed the review of emergency access `entry`.
		EmergencyReviewClosed { hospital: HospitalId, entry: AuditSeq, justified: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is neither the patient nor one of their guardians.
		NotPatientOrGuardian,
		/// The grantee is not an active doctor.
		NotActiveDoctor,
		/// A patient cannot grant access to themself.
		SelfGrant,
		/// The patient already granted this grantee access; change that grant instead.
		GrantExists,
		/// The patient holds no grant for this grantee.
		NoGrant,
		/// The grant has not expired.
		NotExpired,
		/// The expiry is not in the future.
		ExpiryInPast,
		/// A `Categories` scope must list at least one category.
		EmptyScope,
		/// A category is listed twice.
		DuplicateCategory,
		/// A `Records` scope lists a record twice.
		TooManyRecords,
		/// The patient already holds `MaxGrantsPerPatient` grants.
		TooManyGrants,
		/// The grantee already holds grants of `MaxPatientsPerGrantee` patients.
		TooManyPatients,
		/// The patient is not registered.
		UnknownPatient,
		/// The doctor already has a pending request to this patient.
		RequestExists,
		/// There is no request from this doctor to this patient.
		NoRequest,
		/// The request has expired; the doctor may ask again.
		RequestExpired,
		/// The approved scope or permission is wider than the request.
		NotWithinRequest,
		/// The patient already has `MaxRequestsPerPatient` pending requests.
		TooManyRequests,
		/// The note is not the text of a CIDv0 or CIDv1, or is longer than 128 bytes.
		MalformedNote,
		/// The doctor already opened `MaxEmergenciesPerPeriod` emergency accesses in the last
		/// `EmergencyPeriod` (a rolling window).
		TooManyEmergencies,
		/// The caller is not an admin of this active hospital.
		NotHospitalAdmin,
		/// No emergency access of this hospital awaits review under this entry.
		NoReview,
		/// A `Records` scope lists a record that is not one of the patient's (or does not
		/// exist yet: a grant never covers a record created after it).
		UnknownRecord,
		/// The doctor who broke the glass cannot review their own emergency access.
		OwnReview,
		/// The grantee is an active doctor: their keys stay.
		GranteeActive,
		/// The patient denied this doctor's request less than `RequestLifetime` ago: ask again
		/// later.
		RecentlyDenied,
		/// The doctor has been active for less than `EmergencyProbation`: a new doctor does not
		/// break the glass until the consortium has had time to see them.
		DoctorOnProbation,
		/// The doctors of this hospital together already opened `MaxEmergenciesPerHospital`
		/// emergency accesses in the last `EmergencyPeriod` (a rolling window).
		HospitalEmergencyQuota,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxScopeRecords::get() <= medchain_primitives::MAX_AUDITED_SCOPE_RECORDS,
				"a scope the audit trail cannot hold in full"
			);
		}

		/// Remove suspended doctors' wrapped keys with the block's spare weight.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::sweep(remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Reads for RPC clients, Polkadot.js Apps and the runtime's
	/// `MedchainApi`: a patient's grants and pending requests, a doctor's
	/// patients. Every list is one [`Page`] of at most `MAX_PAGE_SIZE`
	/// items, in storage order.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The grants `patient` gave, by grantee, after grantee `after`.
		pub fn grants_of(
			patient: T::AccountId,
			after: Option<T::AccountId>,
			limit: u32,
		) -> Page<(T::AccountId, GrantInfo<T>), T::AccountId> {
			page_of::<GrantOf<T>, _, _, _>(&patient, after.as_ref(), limit)
		}

		/// The patients who granted `grantee` access, after patient `after`.
		pub fn patients_of(
			grantee: T::AccountId,
			after: Option<T::AccountId>,
			limit: u32,
		) -> Page<T::AccountId, T::AccountId> {
			page_of::<PatientsOf<T>, _, _, _>(&grantee, after.as_ref(), limit)
				.map(|(patient, ())| patient)
		}

		/// The pending requests to `patient`, by doctor, after doctor `after`.
		pub fn requests_of(
			patient: T::AccountId,
			after: Option<T::AccountId>,
			limit: u32,
		) -> Page<(T::AccountId, RequestInfo<T>), T::AccountId> {
			page_of::<RequestOf<T>, _, _, _>(&patient, after.as_ref(), limit)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Give a doctor access to some of a patient's records.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// - `grantee`: an active doctor, not already holding a grant of this patient.
		/// - `scope`: `All`, `Categories([..])` or `Records([..])`.
		/// - `permission`: `Read` or `ReadWrite`.
		/// - `purpose`: why (`Treatment`, `SecondOpinion`, `Research`, `Emergency`, `Other`).
		/// - `expires_at`: chain time in ms after which the grant counts as absent; `None` keeps
		///   it until revoked.
		///
		/// Emits `AccessGranted`. Errors: `NotPatientOrGuardian`, `SelfGrant`, `NotActiveDoctor`,
		/// `GrantExists`, `ExpiryInPast`, `EmptyScope`, `DuplicateCategory`, `TooManyRecords`,
		/// `UnknownRecord`, `TooManyGrants`, `TooManyPatients`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::grant())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _grantee: &T::AccountId, _scope: &ScopeOf<T>, _permission: &Permission, _purpose: &Purpose, _expires_at: &Option<Moment>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn grant(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scope: ScopeOf<T>,
			permission: Permission,
			purpose: Purpose,
			expires_at: Option<Moment>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_grant(&who, &patient, &grantee, scope, permission, purpose, expires_at)?;
			Self::deposit_event(Event::AccessGranted { patient, grantee, permission, expires_at });
			Ok(())
		}

		/// Replace the terms of an existing grant. The grantee's wrapped keys on the patient's
		/// records are removed; share keys again for the records in the new scope.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// Emits `AccessChanged`. Errors: `NotPatientOrGuardian`, `NoGrant`, `NotActiveDoctor`,
		/// `ExpiryInPast`, `EmptyScope`, `DuplicateCategory`, `TooManyRecords`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::change_grant(T::MaxKeysPerRevoke::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _grantee: &T::AccountId, _scope: &ScopeOf<T>, _permission: &Permission, _purpose: &Purpose, _expires_at: &Option<Moment>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn change_grant(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scope: ScopeOf<T>,
			permission: Permission,
			purpose: Purpose,
			expires_at: Option<Moment>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			// In each call below that removes keys, every error comes before any key is
			// removed: a failure is charged what the checks cost, not the worst case.
			let keys =
				Self::do_change(&who, &patient, &grantee, scope, permission, purpose, expires_at)
					.map_err(|e| e.with_weight(T::WeightInfo::change_grant(0)))?;
			Self::deposit_event(Event::AccessChanged { patient, grantee, permission, expires_at });
			Ok(Some(T::WeightInfo::change_grant(keys)).into())
		}

		/// End a grant. The grantee's wrapped keys on the patient's records go with it, in the
		/// same transaction.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// Emits `AccessRevoked`. Errors: `NotPatientOrGuardian`, `NoGrant`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke(T::MaxKeysPerRevoke::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _grantee: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn revoke(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let keys_removed = Self::do_revoke(&who, &patient, &grantee)
				.map_err(|e| e.with_weight(T::WeightInfo::revoke(0)))?;
			Self::deposit_event(Event::AccessRevoked { patient, grantee, keys_removed });
			Ok(Some(T::WeightInfo::revoke(keys_removed)).into())
		}

		/// Clean up one expired grant (and the grantee's keys). Expired grants already count as
		/// absent; this frees their storage.
		///
		/// The dispatch origin for this call must be _Signed_ (by anyone).
		///
		/// Emits `ExpiredGrantRemoved`. Errors: `NoGrant`, `NotExpired`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_expired(T::MaxKeysPerRevoke::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _grantee: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn remove_expired(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let keys_removed = Self::do_remove_expired(&who, &patient, &grantee)
				.map_err(|e| e.with_weight(T::WeightInfo::remove_expired(0)))?;
			Self::deposit_event(Event::ExpiredGrantRemoved { patient, grantee, keys_removed });
			Ok(Some(T::WeightInfo::remove_expired(keys_removed)).into())
		}

		/// Ask a patient for access. The request waits `RequestLifetime` ms for the patient's
		/// answer.
		///
		/// The dispatch origin for this call must be _Signed_ by an active doctor.
		///
		/// - `scope`, `permission`: what the doctor asks for.
		/// - `purpose`: the reason code.
		/// - `note`: optionally, the CID of a note encrypted to the patient (never plain text on
		///   chain).
		///
		/// Emits `AccessRequested`. Errors: `NotActiveDoctor`, `UnknownPatient`, `SelfGrant`,
		/// `RequestExists`, `TooManyRequests`, `EmptyScope`, `DuplicateCategory`,
		/// `TooManyRecords`, `MalformedNote`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::request_access())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _scope: &ScopeOf<T>, _permission: &Permission, _purpose: &Purpose, _note: &Option<Cid>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn request_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			scope: ScopeOf<T>,
			permission: Permission,
			purpose: Purpose,
			note: Option<Cid>,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let expires_at = Self::do_request(&doctor, &patient, scope, permission, purpose, note)?;
			Self::deposit_event(Event::AccessRequested {
				patient,
				doctor,
				permission,
				purpose,
				expires_at,
			});
			Ok(())
		}

		/// Approve a doctor's request: the doctor gets a grant of the requested scope and
		/// permission, or narrower ones, and the wrapped keys shared with it.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// - `scope`, `permission`: `None` grants what was asked; a value narrows it.
		/// - `expires_at`: the grant's expiry in chain time (ms); `None` keeps it until revoked.
		/// - `keys`: `(record, wrapped key)` pairs for the doctor, at most `MaxKeysPerApproval`.
		///
		/// Emits `AccessRequestApproved`. Errors: `NotPatientOrGuardian`, `NoRequest`,
		/// `RequestExpired`, `NotActiveDoctor`, `NotWithinRequest`, `GrantExists`,
		/// `ExpiryInPast`, `TooManyGrants`, `TooManyPatients`, and the records
		/// pallet's errors for the keys.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::approve_request(keys.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _doctor: &T::AccountId, _scope: &Option<ScopeOf<T>>, _permission: &Option<Permission>, _expires_at: &Option<Moment>, _keys: &ApprovalKeys<T>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn approve_request(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
			scope: Option<ScopeOf<T>>,
			permission: Option<Permission>,
			expires_at: Option<Moment>,
			keys: ApprovalKeys<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let count = keys.len() as u32;
			let permission =
				Self::do_approve(&who, &patient, &doctor, scope, permission, expires_at, keys)?;
			Self::deposit_event(Event::AccessRequestApproved {
				patient,
				doctor,
				permission,
				expires_at,
				keys: count,
			});
			Ok(())
		}

		/// Deny a doctor's request. The doctor may not ask this patient again for
		/// `RequestLifetime`: a denial is not answered by the same request at once.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// Emits `AccessRequestDenied`. Errors: `NotPatientOrGuardian`, `NoRequest`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::deny_request())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn deny_request(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			T::Patients::ensure_may_act_for(&who, &patient, Error::<T>::NotPatientOrGuardian)?;
			let action = AuditAction::AccessRequestDenied { doctor: doctor.clone() };
			Self::end_request(&who, &patient, &doctor, action)?;
			DeniedAt::<T>::insert(&patient, &doctor, T::Time::now());
			Self::deposit_event(Event::AccessRequestDenied { patient, doctor });
			Ok(())
		}

		/// Withdraw one's own request to a patient.
		///
		/// The dispatch origin for this call must be _Signed_ by the doctor who asked.
		///
		/// Emits `AccessRequestWithdrawn`. Errors: `NoRequest`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw_request())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn withdraw_request(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let action = AuditAction::AccessRequestWithdrawn { doctor: doctor.clone() };
			Self::end_request(&doctor, &patient, &doctor, action)?;
			Self::deposit_event(Event::AccessRequestWithdrawn { patient, doctor });
			Ok(())
		}

		/// Clean up one expired request. Expired requests already count as absent; this frees
		/// their storage and the patient's request slot.
		///
		/// The dispatch origin for this call must be _Signed_ (by anyone).
		///
		/// Emits `ExpiredRequestRemoved`. Errors: `NoRequest`, `NotExpired`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::remove_expired_request())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn remove_expired_request(
			origin: OriginFor<T>,
			patient: T::AccountId,
			doctor: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let action = AuditAction::ExpiredRequestRemoved { doctor: doctor.clone() };
			let request = Self::end_request(&who, &patient, &doctor, action)?;
			ensure!(T::Time::now() >= request.expires_at, Error::<T>::NotExpired);
			Self::deposit_event(Event::ExpiredRequestRemoved { patient, doctor });
			Ok(())
		}

		/// Break the glass: open read access to every record of `patient` for
		/// `EmergencyDuration` ms, without the patient's consent. Read only: an emergency
		/// access never creates or changes records. The audit entry is flagged for review by
		/// an admin of the doctor's hospital; a doctor opens at most `MaxEmergenciesPerPeriod`
		/// in any `EmergencyPeriod` (a rolling window). Dispatched in the operational class, so
		/// free traffic never fills the room it needs in a block.
		///
		/// The dispatch origin for this call must be _Signed_ by an active doctor.
		///
		/// Emits `EmergencyAccessOpened`. Errors: `NotActiveDoctor`, `UnknownPatient`,
		/// `SelfGrant`, `GrantExists`, `TooManyEmergencies`, `TooManyGrants`, `TooManyPatients`.
		#[pallet::call_index(9)]
		// Operational: the block's operational reserve keeps room for it however much free
		// Normal traffic there is (pallet-feeless counts it per doctor, not per block).
		#[pallet::weight((T::WeightInfo::emergency_access(), DispatchClass::Operational))]
		// Free only for active doctors: an Operational call is not counted in the block's
		// budget of free weight, so no other role holder may send it free.
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _reason: &EmergencyReason| -> bool {
			medchain_primitives::signed_by(origin, T::Doctors::is_active)
		})]
		pub fn emergency_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			reason: EmergencyReason,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let (hospital, expires_at, entry) = Self::do_emergency(&doctor, &patient, reason)?;
			Self::deposit_event(Event::EmergencyAccessOpened {
				patient,
				doctor,
				hospital,
				reason,
				expires_at,
				entry,
			});
			Ok(())
		}

		/// Close the review of an emergency access opened by a doctor of `hospital`, recording
		/// whether it was justified in the patient's audit trail. Closing the review of the
		/// doctor's current emergency ends it: the shares of escrowed keys released to the
		/// doctor are removed; if it was not justified, the break-glass grant ends too, with
		/// every key the doctor holds on the patient's records (an `AccessRevoked` entry by
		/// the reviewing admin).
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital` while it
		/// is active, or by an admin of any active hospital once `hospital` is suspended or
		/// removed; never by the doctor who broke the glass.
		///
		/// - `entry`: the audit entry of the access (in its `EmergencyAccessOpened` event).
		///
		/// Emits `EmergencyReviewClosed`. Errors: `NotHospitalAdmin`, `NoReview`, `OwnReview`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::close_emergency_review(T::MaxKeysPerRevoke::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _entry: &AuditSeq, _justified: &bool| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn close_emergency_review(
			origin: OriginFor<T>,
			hospital: HospitalId,
			entry: AuditSeq,
			justified: bool,
		) -> DispatchResultWithPostInfo {
			let admin = ensure_signed(origin)?;
			let keys_removed = Self::do_close_review(&admin, hospital, entry, justified)
				.map_err(|e| e.with_weight(T::WeightInfo::close_emergency_review(0)))?;
			Self::deposit_event(Event::EmergencyReviewClosed { hospital, entry, justified });
			Ok(Some(T::WeightInfo::close_emergency_review(keys_removed)).into())
		}

		/// Decline a grant: the grantee ends the grant `patient` gave them, with their wrapped
		/// keys on the patient's records, as a revocation does. So that nobody can fill a
		/// doctor's `MaxPatientsPerGrantee` with grants the doctor never wanted.
		///
		/// The dispatch origin for this call must be _Signed_ by the grantee.
		///
		/// Emits `GrantDeclined`. Errors: `NoGrant`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::decline_grant(T::MaxKeysPerRevoke::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn decline_grant(
			origin: OriginFor<T>,
			patient: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let grantee = ensure_signed(origin)?;
			let keys_removed = Self::do_decline(&grantee, &patient)
				.map_err(|e| e.with_weight(T::WeightInfo::decline_grant(0)))?;
			Self::deposit_event(Event::GrantDeclined { patient, grantee, keys_removed });
			Ok(Some(T::WeightInfo::decline_grant(keys_removed)).into())
		}

		/// Remove the wrapped keys a doctor who is no longer active (suspended, or at a
		/// suspended hospital) holds on `patient`'s records, as a revocation would; the grant
		/// stays (it already counts as absent) and a reinstated doctor gets keys again only when
		/// the patient shares them. Anyone may call it: a hospital suspending a doctor sweeps
		/// the doctor's patients (`PatientsOf`) with it, one patient per call.
		///
		/// The dispatch origin for this call must be _Signed_ (by anyone).
		///
		/// Emits `InactiveGranteeKeysRemoved`. Errors: `NoGrant`, `GranteeActive`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::remove_inactive_keys(T::MaxKeysPerRevoke::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _grantee: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn remove_inactive_keys(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let keys_removed = Self::do_remove_inactive_keys(&who, &patient, &grantee)
				.map_err(|e| e.with_weight(T::WeightInfo::remove_inactive_keys(0)))?;
			Self::deposit_event(Event::InactiveGranteeKeysRemoved {
				patient,
				grantee,
				keys_removed,
			});
			Ok(Some(T::WeightInfo::remove_inactive_keys(keys_removed)).into())
		}
	}
}
