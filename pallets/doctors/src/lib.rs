//! # Doctors Pallet
//!
//! Doctors of MedChain's hospitals, verified by those hospitals.
//!
//! ## Overview
//!
//! A doctor cannot make themself a doctor. They apply to a hospital of the
//! consortium with their public professional name, their specialty, the hash
//! of their licence number (never the number) and their X25519 encryption
//! public key; the application is `Pending` until an admin of that hospital
//! approves it (`Active`) or rejects it (the entry goes). An admin may also
//! register a doctor directly, active at once, and suspend or reinstate one.
//!
//! Only active doctors of active hospitals count as doctors for the other
//! pallets ([`DoctorRegistry::is_active`]): a pending or suspended doctor, or
//! the doctor of a suspended hospital, may not request access or write
//! records. A doctor moves to another hospital only by a new application: the
//! move replaces their entry with a pending one at the new hospital, so they
//! are not active anywhere until that hospital approves.
//!
//! A licence hash belongs to one doctor at a time, so one licence cannot back
//! several accounts, and the claim is made by the hospital that verifies it:
//! an application claims nothing (several may name the same hash); approval,
//! direct registration or reinstatement claims it, and the first verified
//! claim wins. An admin of the holder's hospital can release the hash of a
//! suspended doctor (a squatter approved by mistake). Every call writes one
//! audit entry, subject the doctor, through `T::Audit` in the same
//! transaction.
//!
//! ## Interface
//!
//! ### Dispatchable functions
//!
//! A doctor (_Signed_):
//! - [`Pallet::apply`]: apply to a hospital.
//! - [`Pallet::update_profile`]: change the public name and specialty.
//! - [`Pallet::rotate_key`]: replace the encryption key.
//!
//! An admin of the doctor's hospital (_Signed_):
//! - [`Pallet::approve`], [`Pallet::reject`]: decide a pending application.
//! - [`Pallet::suspend`], [`Pallet::reinstate`]: take a doctor out and back.
//! - [`Pallet::register_doctor`]: register a doctor directly, active.
//!
//! ### Traits implemented
//!
//! - [`DoctorRegistry`] for the other MedChain pallets.
//!
//! ## Low Level
//!
//! [`DoctorOf`] holds one bounded entry per doctor (name at most
//! `T::MaxNameLength` bytes, specialty at most `T::MaxSpecialtyLength`).
//! [`DoctorsOf`] lists each hospital's doctors (any status), and
//! [`DoctorByLicence`] keeps verified licence hashes unique.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use medchain_primitives::{DoctorRegistry, EncryptionKey, HospitalId};
pub use types::{Doctor, DoctorStatus, LicenceHash};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::impls::Declaration;
	use frame_support::{pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{AuditAction, AuditLog, HospitalRegistry, InviteRole, Moment};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	/// A doctor as this runtime stores them.
	pub type DoctorInfo<T> =
		Doctor<<T as Config>::MaxNameLength, <T as Config>::MaxSpecialtyLength>;

	/// A doctor's name as stored.
	pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLength>;

	/// A specialty as stored.
	pub type SpecialtyOf<T> = BoundedVec<u8, <T as Config>::MaxSpecialtyLength>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The consortium's hospitals, to check hospital admins and statuses.
		type Hospitals: HospitalRegistry<Self::AccountId>;

		/// The audit trail every call writes to.
		type Audit: AuditLog<Self::AccountId>;

		/// Who holds a MedChain role: their calls of this pallet pay no fee.
		type Roles: medchain_primitives::Roles<Self::AccountId>;

		/// Chain time, for application and registration dates.
		type Time: Time<Moment = Moment>;

		/// Told of each suspension, so that the doctor's wrapped keys on
		/// patients' records go (the access pallet).
		type OnSuspended: medchain_primitives::OnDoctorsSuspended<Self::AccountId>;

		/// The longest professional name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// The longest specialty, in bytes.
		#[pallet::constant]
		type MaxSpecialtyLength: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Doctors and applicants.
	#[pallet::storage]
	pub type DoctorOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, DoctorInfo<T>>;

	/// When (chain time, ms) each doctor last became active at their hospital: approved,
	/// registered or reinstated. The access pallet's emergency probation counts from it; a
	/// doctor active before it was kept counts from their `since`.
	#[pallet::storage]
	pub type ActiveSince<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Moment>;

	/// `(hospital, doctor)` for every doctor: a hospital's doctors, any status.
	#[pallet::storage]
	pub type DoctorsOf<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		HospitalId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// The doctor holding each licence hash, claimed when a hospital verified it
	/// (approval, direct registration, reinstatement). Every active doctor holds
	/// theirs.
	#[pallet::storage]
	pub type DoctorByLicence<T: Config> =
		StorageMap<_, Blake2_128Concat, LicenceHash, T::AccountId>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `doctor` applied to `hospital`; an admin of it decides.
		DoctorApplied { doctor: T::AccountId, hospital: HospitalId },
		/// An admin of `hospital` approved `doctor`, now active.
		DoctorApproved { doctor: T::AccountId, hospital: HospitalId },
		/// An admin of `hospital` rejected the application of `doctor`.
		DoctorRejected { doctor: T::AccountId, hospital: HospitalId },
		/// An admin of `hospital` suspended `doctor`.
		DoctorSuspended { doctor: T::AccountId, hospital: HospitalId },
		/// An admin of `hospital` reinstated `doctor`.
		DoctorReinstated { doctor: T::AccountId, hospital: HospitalId },
		/// An admin of `hospital` registered `doctor` directly, active.
		DoctorRegistered { doctor: T::AccountId, hospital: HospitalId },
		/// `doctor` changed their public name or specialty.
		ProfileUpdated { doctor: T::AccountId },
		/// `doctor` replaced their encryption key.
		EncryptionKeyRotated { doctor: T::AccountId },
		/// An admin of `hospital` released the licence hash of suspended `doctor`.
		LicenceReleased { doctor: T::AccountId, hospital: HospitalId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The hospital does not exist or is not active.
		HospitalNotActive,
		/// The caller is not an admin of the doctor's hospital, or that hospital is not active.
		NotHospitalAdmin,
		/// The account is not a doctor or applicant.
		NotDoctor,
		/// The account is already a doctor or applicant.
		AlreadyDoctor,
		/// The doctor already has a pending application.
		ApplicationPending,
		/// A suspended doctor cannot apply; their hospital must reinstate them first.
		DoctorSuspended,
		/// The doctor already works for this hospital.
		AlreadyAtHospital,
		/// The doctor is not pending.
		NotPending,
		/// The doctor is not active.
		NotActive,
		/// The doctor is not suspended.
		NotSuspended,
		/// The name is empty or not UTF-8.
		InvalidName,
		/// The specialty is empty or not UTF-8.
		InvalidSpecialty,
		/// The licence hash is all zeros.
		InvalidLicenceHash,
		/// Another doctor holds this licence hash (a hospital verified it for them).
		LicenceInUse,
		/// The encryption key is all zeros, which is not a usable X25519 public key.
		InvalidEncryptionKey,
		/// The doctor holds no licence hash to release.
		LicenceNotHeld,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	/// Reads for RPC clients, Polkadot.js Apps and the runtime's `MedchainApi`.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// A doctor, whatever their status.
		pub fn doctor(who: T::AccountId) -> Option<DoctorInfo<T>> {
			DoctorOf::<T>::get(who)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Apply to work as a doctor at `hospital`. An active doctor may apply to another
		/// hospital to move there: their entry becomes a pending one at the new hospital.
		///
		/// The dispatch origin for this call must be _Signed_ by the applicant, who is not a
		/// pending or suspended doctor.
		///
		/// - `name`: public professional name, UTF-8, at most `MaxNameLength` bytes.
		/// - `specialty`: UTF-8, at most `MaxSpecialtyLength` bytes.
		/// - `licence_hash`: a hash of the licence number (the `medchain` client computes it);
		///   never the number itself.
		/// - `encryption_key`: the X25519 public key (32 bytes, not all zeros).
		///
		/// Free of fees for an account an admin of `hospital` invited as a doctor
		/// (`consortium.invite`), and for an active doctor moving; everyone else pays,
		/// patients and guardians included.
		///
		/// Emits `DoctorApplied`. Errors: `HospitalNotActive`, `ApplicationPending`,
		/// `DoctorSuspended`, `AlreadyAtHospital`, `InvalidName`,
		/// `InvalidSpecialty`, `InvalidLicenceHash`, `LicenceInUse`,
		/// `InvalidEncryptionKey`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::apply())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, hospital: &HospitalId, _name: &NameOf<T>, _specialty: &SpecialtyOf<T>, _licence_hash: &LicenceHash, _encryption_key: &EncryptionKey| -> bool {
			// Not every role holder: a patient or a guardian applying pays, so
			// that a role never mints free applications for new accounts.
			medchain_primitives::signed_by(origin, |who| {
				<Pallet<T> as DoctorRegistry<T::AccountId>>::is_active(who) ||
					T::Hospitals::is_invited(who, InviteRole::Doctor, Some(*hospital))
			})
		})]
		pub fn apply(
			origin: OriginFor<T>,
			hospital: HospitalId,
			name: NameOf<T>,
			specialty: SpecialtyOf<T>,
			licence_hash: LicenceHash,
			encryption_key: EncryptionKey,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			let declaration = Declaration { name, specialty, licence_hash, encryption_key };
			Self::do_apply(&doctor, hospital, declaration)?;
			Self::deposit_event(Event::DoctorApplied { doctor, hospital });
			Ok(())
		}

		/// Approve a pending application: the doctor becomes active.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of the hospital the
		/// doctor applied to, which must be active.
		///
		/// Emits `DoctorApproved`. Errors: `NotDoctor`, `NotHospitalAdmin`, `NotPending`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::approve())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn approve(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			let hospital = Self::do_transition(
				&admin,
				&doctor,
				DoctorStatus::Pending,
				DoctorStatus::Active,
				|hospital| AuditAction::DoctorApproved { hospital },
			)?;
			Self::claim_licence(&doctor)?;
			Self::deposit_event(Event::DoctorApproved { doctor, hospital });
			Ok(())
		}

		/// Reject a pending application. The entry is removed and the licence hash freed; the
		/// audit entry stays.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of the hospital the
		/// doctor applied to, which must be active.
		///
		/// Emits `DoctorRejected`. Errors: `NotDoctor`, `NotHospitalAdmin`, `NotPending`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reject())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn reject(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			let hospital = Self::do_reject(&admin, &doctor)?;
			Self::deposit_event(Event::DoctorRejected { doctor, hospital });
			Ok(())
		}

		/// Suspend an active doctor: they count as not active everywhere until reinstated.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of the doctor's
		/// hospital, which must be active.
		///
		/// Emits `DoctorSuspended`. Errors: `NotDoctor`, `NotHospitalAdmin`, `NotActive`.
		#[pallet::call_index(3)]
		// Plus the access pallet's sweep queue entry for a doctor with patients,
		// which this pallet's benchmark (a doctor without grants) cannot write.
		#[pallet::weight(T::WeightInfo::suspend().saturating_add(T::DbWeight::get().writes(1)))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn suspend(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			let hospital = Self::do_transition(
				&admin,
				&doctor,
				DoctorStatus::Active,
				DoctorStatus::Suspended,
				|hospital| AuditAction::DoctorSuspended { hospital },
			)?;
			<T::OnSuspended as medchain_primitives::OnDoctorsSuspended<_>>::doctor_suspended(
				&doctor,
			);
			Self::deposit_event(Event::DoctorSuspended { doctor, hospital });
			Ok(())
		}

		/// Reinstate a suspended doctor.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of the doctor's
		/// hospital, which must be active.
		///
		/// Emits `DoctorReinstated`. Errors: `NotDoctor`, `NotHospitalAdmin`, `NotSuspended`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::reinstate())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn reinstate(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			let hospital = Self::do_transition(
				&admin,
				&doctor,
				DoctorStatus::Suspended,
				DoctorStatus::Active,
				|hospital| AuditAction::DoctorReinstated { hospital },
			)?;
			Self::claim_licence(&doctor)?;
			Self::deposit_event(Event::DoctorReinstated { doctor, hospital });
			Ok(())
		}

		/// Register a doctor directly, active at once (the hospital has verified them itself).
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must be active.
		///
		/// - `doctor`: the doctor's account, not yet a doctor or applicant.
		/// - `name`, `specialty`, `licence_hash`, `encryption_key`: as for `apply`.
		///
		/// Emits `DoctorRegistered`. Errors: `NotHospitalAdmin`, `AlreadyDoctor`,
		/// `InvalidName`, `InvalidSpecialty`,
		/// `InvalidLicenceHash`, `LicenceInUse`, `InvalidEncryptionKey`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::register_doctor())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _doctor: &T::AccountId, _name: &NameOf<T>, _specialty: &SpecialtyOf<T>, _licence_hash: &LicenceHash, _encryption_key: &EncryptionKey| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn register_doctor(
			origin: OriginFor<T>,
			hospital: HospitalId,
			doctor: T::AccountId,
			name: NameOf<T>,
			specialty: SpecialtyOf<T>,
			licence_hash: LicenceHash,
			encryption_key: EncryptionKey,
		) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			let declaration = Declaration { name, specialty, licence_hash, encryption_key };
			Self::do_register(&admin, &doctor, hospital, declaration)?;
			Self::deposit_event(Event::DoctorRegistered { doctor, hospital });
			Ok(())
		}

		/// Change your public professional name and specialty.
		///
		/// The dispatch origin for this call must be _Signed_ by a doctor or applicant.
		///
		/// Emits `ProfileUpdated`. Errors: `NotDoctor`, `InvalidName`,
		/// `InvalidSpecialty`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::update_profile())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _name: &NameOf<T>, _specialty: &SpecialtyOf<T>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn update_profile(
			origin: OriginFor<T>,
			name: NameOf<T>,
			specialty: SpecialtyOf<T>,
		) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			Self::do_update_profile(&doctor, name, specialty)?;
			Self::deposit_event(Event::ProfileUpdated { doctor });
			Ok(())
		}

		/// Replace your encryption key. Keys already wrapped to the old key stay readable only
		/// with the old private key.
		///
		/// The dispatch origin for this call must be _Signed_ by a doctor or applicant.
		///
		/// Emits `EncryptionKeyRotated`. Errors: `NotDoctor`, `InvalidEncryptionKey`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::rotate_key())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _encryption_key: &EncryptionKey| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn rotate_key(origin: OriginFor<T>, encryption_key: EncryptionKey) -> DispatchResult {
			let doctor = ensure_signed(origin)?;
			Self::do_rotate_key(&doctor, encryption_key)?;
			Self::deposit_event(Event::EncryptionKeyRotated { doctor });
			Ok(())
		}

		/// Release the licence hash a suspended doctor holds, so that another doctor (the
		/// licence's true holder) can be approved with it: for a squatter a hospital approved by
		/// mistake. The doctor stays suspended; reinstating them claims the hash again, if it is
		/// still free.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of the doctor's
		/// hospital, which must be active.
		///
		/// Emits `LicenceReleased`. Errors: `NotDoctor`, `NotHospitalAdmin`, `NotSuspended`,
		/// `LicenceNotHeld`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::release_licence())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _doctor: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn release_licence(origin: OriginFor<T>, doctor: T::AccountId) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			let hospital = Self::do_release_licence(&admin, &doctor)?;
			Self::deposit_event(Event::LicenceReleased { doctor, hospital });
			Ok(())
		}
	}
}
