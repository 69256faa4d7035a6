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
//!
//! Anyone (_Signed_):
//! - [`Pallet::remove_expired`]: clean up one expired grant.
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
//! lists a grantee's patients (the doctor's patient list).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use medchain_primitives::{AccessPolicy, RecordCategory, RecordId};
pub use types::{BoundedScope, Grant, Permission, Purpose, Scope, ScopeInput};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{AuditLog, DoctorRegistry, Moment, PatientRegistry, RecordKeys};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// A grant as this runtime stores it.
	pub type GrantInfo<T> = Grant<BoundedScope<<T as Config>::MaxScopeRecords>>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Registered patients and their guardians.
		type Patients: PatientRegistry<Self::AccountId>;

		/// Doctors, to grant only to active ones.
		type Doctors: DoctorRegistry<Self::AccountId>;

		/// The records pallet, which drops a grantee's wrapped keys on revocation.
		type RecordKeys: RecordKeys<Self::AccountId>;

		/// The audit trail every call writes to.
		type Audit: AuditLog<Self::AccountId>;

		/// Chain time, for grant dates and expiry.
		type Time: Time<Moment = Moment>;

		/// The most grants one patient holds.
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;

		/// The most patients one grantee holds grants of.
		#[pallet::constant]
		type MaxPatientsPerGrantee: Get<u32>;

		/// The most record ids a `Records` scope lists.
		#[pallet::constant]
		type MaxScopeRecords: Get<u32>;

		/// The most wrapped keys one revocation removes: at least the most
		/// records a patient has, so that a revocation removes every key.
		#[pallet::constant]
		type MaxKeysPerRevoke: Get<u32>;

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
		/// An expired grant was cleaned up with `keys_removed` wrapped keys.
		ExpiredGrantRemoved { patient: T::AccountId, grantee: T::AccountId, keys_removed: u32 },
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
		/// A `Records` scope lists more than `MaxScopeRecords` records, or one twice.
		TooManyRecords,
		/// The patient already holds `MaxGrantsPerPatient` grants.
		TooManyGrants,
		/// The grantee already holds grants of `MaxPatientsPerGrantee` patients.
		TooManyPatients,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
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
		/// `TooManyGrants`, `TooManyPatients`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::grant())]
		pub fn grant(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scope: ScopeInput,
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
		#[pallet::weight(T::WeightInfo::change_grant())]
		pub fn change_grant(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scope: ScopeInput,
			permission: Permission,
			purpose: Purpose,
			expires_at: Option<Moment>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_change(&who, &patient, &grantee, scope, permission, purpose, expires_at)?;
			Self::deposit_event(Event::AccessChanged { patient, grantee, permission, expires_at });
			Ok(())
		}

		/// End a grant. The grantee's wrapped keys on the patient's records go with it, in the
		/// same transaction.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// Emits `AccessRevoked`. Errors: `NotPatientOrGuardian`, `NoGrant`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let keys_removed = Self::do_revoke(&who, &patient, &grantee)?;
			Self::deposit_event(Event::AccessRevoked { patient, grantee, keys_removed });
			Ok(())
		}

		/// Clean up one expired grant (and the grantee's keys). Expired grants already count as
		/// absent; this frees their storage.
		///
		/// The dispatch origin for this call must be _Signed_ (by anyone).
		///
		/// Emits `ExpiredGrantRemoved`. Errors: `NoGrant`, `NotExpired`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_expired())]
		pub fn remove_expired(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let keys_removed = Self::do_remove_expired(&who, &patient, &grantee)?;
			Self::deposit_event(Event::ExpiredGrantRemoved { patient, grantee, keys_removed });
			Ok(())
		}
	}
}
