//! # Patients Pallet
//!
//! Patients of MedChain: their encryption key, their encrypted profile and
//! the guardians who may act for them.
//!
//! ## Overview
//!
//! A patient's account is the owner of their medical records. Registration
//! puts on chain only what others need to share files with the patient:
//!
//! - their X25519 **encryption public key**, to which file keys are wrapped;
//! - the **CID of their encrypted profile** (name, birth date, sex, blood
//!   group, allergies, contact are encrypted on the client and stored in IPFS;
//!   never on chain);
//! - who registered them (themself, or an admin of a hospital at the desk) and
//!   when (and the hospital whose invitation they used).
//!
//! A patient may name **guardians** (a parent of a minor, the carer of an
//! incapacitated adult). A guardian acts for the patient in the records and
//! access pallets ([`PatientRegistry::may_act_for`]): grants, requests,
//! records and their versions. Some things only the patient does, so that
//! guardians can never take a patient over:
//!
//! - only the patient names and removes guardians; a guardian may step down;
//! - only the patient replaces their encryption key (and, in the records
//!   pallet, their own wrapped keys: key rotation, erasure, sharing with the
//!   patient);
//! - where the patient cannot act (a minor, an incapacitated adult), an admin
//!   of a hospital records it ([`Pallet::set_represented`]); while that
//!   stands, admins of that hospital also name and remove the patient's
//!   guardians, so that a family is never stuck with a guardian who will not
//!   go, and guardians still cannot add or remove each other.
//!
//! A guardian who is removed (or steps down) loses every wrapped key they hold
//! on the patient's records, as a revoked doctor does.
//!
//! Every call writes one audit entry per change through `T::Audit`, in the
//! same transaction: a call that fails writes nothing.
//!
//! ## Interface
//!
//! ### Dispatchable functions
//!
//! - [`Pallet::register_at`]: a person registers themself as a patient of the
//!   hospital whose invitation they hold (free: how a hospital's desk
//!   registers people; the person signs, with their own key, and names the
//!   hospital); [`Pallet::register`]: of no hospital, paying the fee.
//! - [`Pallet::set_profile`]: replace or clear the encrypted profile's CID.
//! - [`Pallet::rotate_key`]: replace the encryption key (the patient only).
//! - [`Pallet::add_guardian`], [`Pallet::remove_guardian`]: manage guardians.
//! - [`Pallet::set_represented`]: a hospital admin records that the patient
//!   cannot act for themself, or that this has ended.
//! - [`Pallet::approve_recovery_as`] (an admin of another hospital) and
//!   [`Pallet::approve_recovery`] (the council or root): approve the recovery
//!   of a patient's escrowed record keys to their new account, which takes
//!   effect after [`RecoveryDelay`]; [`Pallet::cancel_recovery`]: the patient,
//!   a guardian they named, or the hospitals involved stop it.
//!
//! ### Traits implemented
//!
//! - [`PatientRegistry`] for the other MedChain pallets.
//!
//! ## Low Level
//!
//! [`PatientOf`] holds one bounded entry per patient (at most
//! `T::MaxGuardians` guardians, a CID of at most
//! [`medchain_primitives::MAX_CID_LEN`] bytes). [`WardsOf`] indexes patients by
//! guardian so that a guardian's client can list whom it acts for. CIDs are
//! parsed on chain and stored in canonical text form.

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

pub use medchain_primitives::{EncryptionKey, HospitalId, PatientRegistry};
pub use types::{Patient, Recovery, Representation};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::WithPostDispatchInfo, pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{
		AuditLog, Cid, Entity, FileClaims, HospitalRegistry, InviteRole, Moment, RecordKeys,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	/// A patient as this runtime stores them.
	pub type PatientInfo<T> =
		Patient<<T as frame_system::Config>::AccountId, <T as Config>::MaxGuardians>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The consortium's hospitals, to check hospital admins.
		type Hospitals: HospitalRegistry<Self::AccountId>;

		/// The audit trail every call writes to.
		type Audit: AuditLog<Self::AccountId>;

		/// Who holds a MedChain role: their calls of this pallet pay no fee.
		type Roles: medchain_primitives::Roles<Self::AccountId>;

		/// Chain time, for registration dates.
		type Time: Time<Moment = Moment>;

		/// The most guardians one patient has.
		#[pallet::constant]
		type MaxGuardians: Get<u32>;

		/// The records' wrapped keys: a removed guardian's go with them.
		type RecordKeys: RecordKeys<Self::AccountId>;

		/// Who uses each encrypted file: a profile names only a file no other patient's
		/// record or profile names.
		type Files: FileClaims<Self::AccountId>;

		/// The most wrapped keys removed with a guardian: at least the most
		/// records a patient has, so that none is left behind.
		#[pallet::constant]
		type MaxKeysPerRemoval: Get<u32>;

		/// Who besides an admin of another hospital may approve a key recovery, and who may
		/// cancel any: the council (2/3) or root. Its success value is who the audit trail
		/// names as the actor.
		type RecoveryOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Entity<Self::AccountId>>;

		/// How long an approved key recovery waits before the release services act on it
		/// (chain time, ms), unless the genesis config sets another [`RecoveryDelay`].
		#[pallet::constant]
		type DefaultRecoveryDelay: Get<Moment>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Registered patients.
	#[pallet::storage]
	pub type PatientOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PatientInfo<T>>;

	/// `(guardian, patient)` for every guardianship: whom a guardian acts for.
	#[pallet::storage]
	pub type WardsOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// How many patients are registered.
	#[pallet::storage]
	pub type PatientCount<T> = StorageValue<_, u64, ValueQuery>;

	/// Patients who cannot act for themselves, as a hospital admin recorded.
	#[pallet::storage]
	pub type Represented<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Representation>;

	/// Approved key recoveries, pending or in effect: the patient lost their keys, and a
	/// guardian (the person's new account) receives the shares of their escrowed record keys
	/// once the delay has passed (docs/emergency-access.md, "Key recovery").
	#[pallet::storage]
	pub type Recoveries<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Recovery<T::AccountId>>;

	/// `(patient, guardian) -> hospital` for a guardian an admin of `hospital` named while the
	/// patient was represented. Such a guardian cannot cancel a key recovery; one the patient
	/// named can.
	#[pallet::storage]
	pub type NamedByHospital<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		HospitalId,
		OptionQuery,
	>;

	/// How long an approved key recovery waits before it takes effect (chain time, ms).
	#[pallet::storage]
	pub type RecoveryDelay<T: Config> =
		StorageValue<_, Moment, ValueQuery, <T as Config>::DefaultRecoveryDelay>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The key recovery delay (ms), if not `T::DefaultRecoveryDelay`: a development chain
		/// sets seconds so that its tests need not wait days.
		pub recovery_delay: Option<Moment>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(delay) = self.recovery_delay {
				RecoveryDelay::<T>::put(delay);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A patient registered, through an invitation of `hospital` or on their own (`None`).
		PatientRegistered { patient: T::AccountId, hospital: Option<HospitalId> },
		/// The patient's encrypted profile CID was replaced or cleared.
		ProfileUpdated { patient: T::AccountId },
		/// The patient's encryption key was replaced.
		EncryptionKeyRotated { patient: T::AccountId },
		/// `guardian` may now act for `patient`.
		GuardianAdded { patient: T::AccountId, guardian: T::AccountId },
		/// `guardian` may no longer act for `patient`; the `keys_removed` wrapped keys they
		/// held on the patient's records went with it.
		GuardianRemoved { patient: T::AccountId, guardian: T::AccountId, keys_removed: u32 },
		/// An admin of `hospital` recorded that `patient` cannot act for themself.
		PatientRepresented { patient: T::AccountId, hospital: HospitalId },
		/// An admin of `hospital` recorded that `patient` acts for themself again.
		RepresentationEnded { patient: T::AccountId, hospital: HospitalId },
		/// The recovery of `patient`'s keys to `holder` was approved: from `effective_at`
		/// (chain time, ms), unless it is cancelled first, the hospitals' release services
		/// release the shares of the patient's escrowed record keys to `holder`.
		RecoveryApproved { patient: T::AccountId, holder: T::AccountId, effective_at: Moment },
		/// The recovery of `patient`'s keys to `holder` was cancelled; the `shares_removed`
		/// shares already released to `holder` went with it.
		RecoveryCancelled { patient: T::AccountId, holder: T::AccountId, shares_removed: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered patient.
		AlreadyRegistered,
		/// The account is not a registered patient.
		NotRegistered,
		/// The caller is neither the patient nor one of their guardians.
		NotPatientOrGuardian,
		/// The caller is not an admin of this hospital, or the hospital is not active.
		NotHospitalAdmin,
		/// The encryption key is all zeros, which is not a usable X25519 public key.
		InvalidEncryptionKey,
		/// The profile CID is not the text of a CIDv0 or CIDv1.
		MalformedCid,
		/// The profile CID is longer than 128 bytes.
		CidTooLong,
		/// The patient already has `MaxGuardians` guardians.
		TooManyGuardians,
		/// The account is already a guardian of this patient.
		AlreadyGuardian,
		/// The account is not a guardian of this patient.
		NotGuardian,
		/// A patient cannot be their own guardian.
		SelfGuardian,
		/// Only the patient may do this, not a guardian.
		NotPatient,
		/// Only the patient manages their guardians (a guardian may step down); while a
		/// hospital has recorded that the patient cannot act, an admin of that hospital may too.
		MayNotManageGuardians,
		/// No hospital has recorded that this patient cannot act for themself.
		NotRepresented,
		/// Only the hospital the patient registered at records that they cannot act (another
		/// hospital only once the one holding the record is no longer active), and only the
		/// hospital holding it ends it.
		NotPatientsHospital,
		/// The recovery holder must be a registered patient (the person's new account), for
		/// its encryption key.
		HolderNotRegistered,
		/// Retired: a guardian no longer approves a recovery.
		OwnRecovery,
		/// Retired: a guardian no longer approves a recovery.
		MayNotApproveRecovery,
		/// The profile CID names a file of another patient's record or profile.
		CidInUse,
		/// The hospital has no live patient invitation for this account: ask its desk to
		/// invite you (`consortium.invite`), or register without a hospital (`register`).
		NotInvited,
		/// A key recovery is approved by an admin of a hospital other than the one that
		/// recorded the patient cannot act and the one that named the holder (and not also
		/// an admin of either), or by the council.
		SameHospital,
		/// The patient already has a key recovery, pending or in effect: cancel it first.
		RecoveryInProgress,
		/// The patient has no key recovery.
		NoRecovery,
		/// Only the patient, a guardian the patient named, the council or root cancels a key
		/// recovery; while it is pending, also an admin of the hospital that recorded the
		/// patient cannot act or of the approving hospital.
		MayNotCancelRecovery,
		/// While a key recovery is pending, a hospital admin cannot remove a guardian the
		/// patient named (who could cancel it).
		RecoveryPending,
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
		/// A registered patient.
		pub fn patient(who: T::AccountId) -> Option<PatientInfo<T>> {
			PatientOf::<T>::get(who)
		}

		/// A patient's key recovery, pending or in effect.
		pub fn recovery(patient: T::AccountId) -> Option<Recovery<T::AccountId>> {
			Recoveries::<T>::get(patient)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register yourself as a patient of no hospital, paying the fee. At a hospital's
		/// desk, use `register_at` with its invitation instead: free, and recorded as
		/// registered there.
		///
		/// The dispatch origin for this call must be _Signed_ by the account that becomes the
		/// patient, not yet registered.
		///
		/// - `encryption_key`: your X25519 public key (32 bytes, not all zeros). The `medchain`
		///   client derives it from your mnemonic.
		/// - `profile`: optionally, the CID (text, e.g. `bafk…`) of your encrypted profile in IPFS.
		///
		/// Never free: a role (a guardian's, a doctor's) never makes a new patient free, or
		/// each could name the next one for ever. An invitation is not used: no hospital can
		/// become a patient's hospital by inviting them first.
		///
		/// Emits `PatientRegistered`. Errors: `AlreadyRegistered`, `InvalidEncryptionKey`,
		/// `MalformedCid`, `CidTooLong`, `CidInUse`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			encryption_key: EncryptionKey,
			profile: Option<Cid>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(&who, None, encryption_key, profile)
		}

		// Call index 1 was `register_patient`, by which a hospital admin registered an account
		// that never signed, with a key and a guardian the admin chose (abuse review, attack
		// 6). A hospital now invites (`consortium.invite`) and the person registers.

		/// Replace the CID of a patient's encrypted profile, or clear it with `None`.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or one of their
		/// guardians.
		///
		/// Emits `ProfileUpdated`. Errors: `NotRegistered`, `NotPatientOrGuardian`,
		/// `MalformedCid`, `CidTooLong`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_profile())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _profile: &Option<Cid>| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn set_profile(
			origin: OriginFor<T>,
			patient: T::AccountId,
			profile: Option<Cid>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_profile(&who, &patient, profile)?;
			Self::deposit_event(Event::ProfileUpdated { patient });
			Ok(())
		}

		/// Replace a patient's encryption key. Keys already wrapped to the old key stay readable
		/// only with the old private key: re-share records after a rotation.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient`: a guardian may not
		/// replace the key the patient's records are wrapped to.
		///
		/// Emits `EncryptionKeyRotated`. Errors: `NotRegistered`, `NotPatient`,
		/// `InvalidEncryptionKey`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rotate_key())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _encryption_key: &EncryptionKey| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn rotate_key(
			origin: OriginFor<T>,
			patient: T::AccountId,
			encryption_key: EncryptionKey,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_rotate_key(&who, &patient, encryption_key)?;
			Self::deposit_event(Event::EncryptionKeyRotated { patient });
			Ok(())
		}

		/// Let `guardian` act for `patient` in the records and access pallets.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient`, or, while a hospital
		/// has recorded that the patient cannot act (`set_represented`), by an admin of that
		/// hospital. Guardians cannot add guardians.
		///
		/// Emits `GuardianAdded`. Errors: `NotRegistered`, `MayNotManageGuardians`,
		/// `SelfGuardian`, `AlreadyGuardian`, `TooManyGuardians`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::add_guardian())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _guardian: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn add_guardian(
			origin: OriginFor<T>,
			patient: T::AccountId,
			guardian: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add_guardian(&who, &patient, &guardian)?;
			Self::deposit_event(Event::GuardianAdded { patient, guardian });
			Ok(())
		}

		/// Stop `guardian` acting for `patient`. Every wrapped key the guardian holds on the
		/// patient's records (those of records they wrote) is removed, as in a revocation.
		///
		/// The dispatch origin for this call must be _Signed_ by `patient`, by `guardian`
		/// (stepping down), or, while a hospital has recorded that the patient cannot act, by an
		/// admin of that hospital. Guardians cannot remove each other.
		///
		/// While a key recovery is pending, a hospital admin cannot remove a guardian the
		/// patient named (who may cancel it).
		///
		/// Emits `GuardianRemoved`. Errors: `NotRegistered`, `MayNotManageGuardians`,
		/// `RecoveryPending`, `NotGuardian`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_guardian(T::MaxKeysPerRemoval::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId, _guardian: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn remove_guardian(
			origin: OriginFor<T>,
			patient: T::AccountId,
			guardian: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			// Every error comes before any key is removed: charge what the checks cost.
			let keys_removed = Self::do_remove_guardian(&who, &patient, &guardian)
				.map_err(|e| e.with_weight(T::WeightInfo::remove_guardian(0)))?;
			Self::deposit_event(Event::GuardianRemoved { patient, guardian, keys_removed });
			Ok(Some(T::WeightInfo::remove_guardian(keys_removed)).into())
		}

		/// Record that `patient` cannot act for themself (a minor, an incapacitated adult), or
		/// with `represented: false` that this has ended. While it stands, admins of `hospital`
		/// may add and remove the patient's guardians.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must be active and be the hospital the patient registered at (through its
		/// invitation); once the hospital holding the record is suspended or removed, another
		/// hospital may record it again, which moves it there. Only the hospital holding the
		/// record ends it.
		///
		/// Emits `PatientRepresented` or `RepresentationEnded`. Errors: `NotHospitalAdmin`,
		/// `NotRegistered`, `NotRepresented`, `NotPatientsHospital`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_represented())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _patient: &T::AccountId, _represented: &bool| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn set_represented(
			origin: OriginFor<T>,
			hospital: HospitalId,
			patient: T::AccountId,
			represented: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_represented(&who, hospital, &patient, represented)?;
			Self::deposit_event(if represented {
				Event::PatientRepresented { patient, hospital }
			} else {
				Event::RepresentationEnded { patient, hospital }
			});
			Ok(())
		}

		/// Approve the recovery of a patient's keys to `holder`: the person lost their mnemonic
		/// and made a new account. `holder` must be that new account, registered as a patient
		/// (for its encryption key) and already a guardian of `patient`, which an admin of the
		/// patient's hospital adds after checking the person's identity at the desk (the
		/// patient is then `represented`). No one at that hospital can approve it: the approval
		/// comes from outside it, the council here or another hospital (`approve_recovery_as`).
		///
		/// The recovery takes effect after `RecoveryDelay` (chain time). Until then the patient's
		/// own account or a guardian the patient named can cancel it (`cancel_recovery`), and
		/// the hospitals' key-release services release nothing; from then on they release the
		/// shares of every escrowed record key of the patient to `holder`.
		///
		/// The dispatch origin for this call must be the council (2/3) or root
		/// (`T::RecoveryOrigin`).
		///
		/// Emits `RecoveryApproved`. Errors: `NotRegistered`, `NotRepresented`, `NotGuardian`,
		/// `HolderNotRegistered`, `RecoveryInProgress`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::approve_recovery())]
		pub fn approve_recovery(
			origin: OriginFor<T>,
			patient: T::AccountId,
			holder: T::AccountId,
		) -> DispatchResult {
			let actor = T::RecoveryOrigin::ensure_origin(origin)?;
			Self::do_approve_recovery(actor, &patient, &holder)
		}

		/// Register yourself as a patient of `hospital`, with the invitation its admin gave
		/// you at the desk (`consortium.invite`): free, needing no tokens at all, and recorded
		/// as registered at that hospital, which may later record that you cannot act for
		/// yourself (`set_represented`). You name the hospital: an invitation of any other
		/// hospital is neither used nor needed.
		///
		/// The dispatch origin for this call must be _Signed_ by the account that becomes the
		/// patient, not yet registered, with a live patient invitation of `hospital`.
		///
		/// Emits `PatientRegistered`. Errors: `AlreadyRegistered`, `NotInvited`,
		/// `InvalidEncryptionKey`, `MalformedCid`, `CidTooLong`, `CidInUse`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::register())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, hospital: &HospitalId, _encryption_key: &EncryptionKey, _profile: &Option<Cid>| -> bool {
			medchain_primitives::signed_by(origin, |who| {
				T::Hospitals::is_invited(who, InviteRole::Patient, Some(*hospital))
			})
		})]
		pub fn register_at(
			origin: OriginFor<T>,
			hospital: HospitalId,
			encryption_key: EncryptionKey,
			profile: Option<Cid>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(&who, Some(hospital), encryption_key, profile)
		}

		/// As an admin of `hospital`, approve the recovery of `patient`'s keys to `holder`
		/// (see `approve_recovery`): the second hospital's check of the person's identity. The
		/// recovery takes effect after `RecoveryDelay`.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of active `hospital`,
		/// which must be neither the hospital that recorded the patient cannot act nor one
		/// whose admin named `holder` a guardian, and the admin an admin of neither.
		///
		/// Emits `RecoveryApproved`. Errors: `NotHospitalAdmin`, `NotRegistered`,
		/// `NotRepresented`, `SameHospital`, `NotGuardian`, `HolderNotRegistered`,
		/// `RecoveryInProgress`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::approve_recovery_as())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _patient: &T::AccountId, _holder: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn approve_recovery_as(
			origin: OriginFor<T>,
			hospital: HospitalId,
			patient: T::AccountId,
			holder: T::AccountId,
		) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			ensure!(T::Hospitals::is_active_admin(hospital, &admin), Error::<T>::NotHospitalAdmin);
			// Outside the hospital that recorded the patient cannot act, and outside the one
			// that named the holder (a representation may have moved since).
			let representing = Represented::<T>::get(&patient).map(|r| r.hospital);
			let naming = NamedByHospital::<T>::get(&patient, &holder);
			for inside in [representing, naming].into_iter().flatten() {
				ensure!(
					inside != hospital && !T::Hospitals::is_admin(inside, &admin),
					Error::<T>::SameHospital
				);
			}
			Self::do_approve_recovery(Entity::Hospital(hospital), &patient, &holder)
		}

		/// Cancel the key recovery of `patient`, pending or in effect. Shares already released
		/// to its holder are removed from the chain (what the holder has read, they keep).
		///
		/// The dispatch origin for this call must be _Signed_ by `patient` or by a guardian the
		/// patient named (not one a hospital admin named); while the recovery is pending, also by
		/// an admin of the hospital that recorded the patient cannot act or of the hospital that
		/// approved it; or be the council (2/3) or root (`T::RecoveryOrigin`).
		///
		/// Emits `RecoveryCancelled`. Errors: `NotRegistered`, `NoRecovery`,
		/// `MayNotCancelRecovery`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::cancel_recovery(T::MaxKeysPerRemoval::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _patient: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn cancel_recovery(
			origin: OriginFor<T>,
			patient: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let actor = match T::RecoveryOrigin::try_origin(origin) {
				Ok(governance) => governance,
				Err(origin) => Entity::Account(ensure_signed(origin)?),
			};
			// Every error comes before any share is removed: charge what the checks cost.
			let removed = Self::do_cancel_recovery(actor, &patient)
				.map_err(|e| e.with_weight(T::WeightInfo::cancel_recovery(0)))?;
			Ok(Some(T::WeightInfo::cancel_recovery(removed)).into())
		}
	}
}
