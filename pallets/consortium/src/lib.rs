//! # Consortium Pallet
//!
//! The hospitals that run MedChain, their admins, their validator nodes and
//! their council.
//!
//! ## Overview
//!
//! MedChain is a permissioned chain: the validators are the nodes of the
//! hospitals of a consortium. This pallet keeps the list of hospitals and
//! decides three things from it:
//!
//! - **Who validates.** The validator accounts of active hospitals that have
//!   set their session keys are the validator set, from the next session on
//!   (this pallet is the runtime's [`pallet_session::SessionManager`]).
//! - **Who governs.** The same accounts are the members of the hospital
//!   council (`T::CouncilMembers`, a `pallet-collective` instance in the
//!   runtime). The council admits, suspends, reinstates and removes hospitals
//!   with a 2/3 majority (`T::GovernanceOrigin`); on a development chain sudo
//!   may do it too.
//! - **Who acts for a hospital.** A hospital's admins manage its admin list and
//!   its validator account here, and register doctors and patients in the other
//!   pallets, which ask through the [`HospitalRegistry`] trait.
//!
//! Every call writes one entry to the audit trail (`T::Audit`), subject the
//! hospital, in the same transaction: council decisions with actor
//! `Governance`, admin actions with the admin's account.
//!
//! The pallet refuses any change that would leave fewer than
//! `T::MinActiveHospitals` active hospitals, so the chain cannot be governed
//! into a state where it stops producing blocks.
//!
//! ## Interface
//!
//! ### Dispatchable functions
//!
//! Governance (`T::GovernanceOrigin`):
//! - [`Pallet::admit_hospital`]: admit a hospital with its admins and validator account.
//! - [`Pallet::suspend_hospital`]: take an active hospital out of the validator set and council.
//! - [`Pallet::reinstate_hospital`]: bring a suspended hospital back.
//! - [`Pallet::remove_hospital`]: remove a hospital for good, cutting its node off.
//! - [`Pallet::admit_hospital_with_node`]: admit a hospital and authorize its node at once.
//! - [`Pallet::authorize_upgrade`]: authorize a runtime upgrade (what `system.authorizeUpgrade`
//!   does with root), so that a chain without sudo can upgrade.
//!
//! A hospital's admins (_Signed_):
//! - [`Pallet::add_admin`], [`Pallet::remove_admin`]: manage the admin list.
//! - [`Pallet::set_validator`]: move the hospital's validator to another account.
//!
//! ### Traits implemented
//!
//! - [`HospitalRegistry`] for the other MedChain pallets.
//! - [`pallet_session::SessionManager`] for the runtime's session pallet.
//!
//! ## Low Level
//!
//! Every storage item is bounded: at most `T::MaxHospitals` hospitals that are
//! not removed, `T::MaxAdmins` admins each, names of at most
//! `T::MaxNameLength` bytes. [`ActiveValidators`] caches the sorted validator
//! accounts of active hospitals so that a session rotation and a council
//! update read one value instead of iterating hospitals.

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

pub use medchain_primitives::{HospitalId, HospitalRegistry, KeyCustodians};
pub use types::{Hospital, HospitalStatus, Invitation};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{ChangeMembers, Contains},
	};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{
		AuditAction, AuditLog, EncryptionKey, Entity, HospitalNodes, InviteRole,
		OnDoctorsSuspended, MAX_PEER_ID_LEN,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(4);

	/// A hospital as this runtime stores it.
	pub type HospitalInfo<T> = Hospital<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		<T as Config>::MaxNameLength,
		<T as Config>::MaxAdmins,
	>;

	/// An invitation as this runtime stores it.
	pub type InvitationOf<T> =
		Invitation<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// A hospital name as stored.
	pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLength>;

	/// A libp2p peer id in its binary form (`medchain-node key inspect-node-key`
	/// prints it in base58).
	pub type PeerIdBytes = BoundedVec<u8, ConstU32<MAX_PEER_ID_LEN>>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Who admits, suspends, reinstates and removes hospitals: the hospital
		/// council with a 2/3 majority (and root on a development chain). Its
		/// success value is who the audit trail names as the actor:
		/// `Entity::Council` or `Entity::Root`.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Entity<Self::AccountId>>;

		/// The council whose members follow the validator accounts of the
		/// active hospitals.
		type CouncilMembers: ChangeMembers<Self::AccountId>;

		/// Accounts that have session keys registered. Only those can validate.
		type SessionKeysSet: Contains<Self::AccountId>;

		/// The most hospitals (active or suspended) the consortium holds.
		#[pallet::constant]
		type MaxHospitals: Get<u32>;

		/// The most admins one hospital has.
		#[pallet::constant]
		type MaxAdmins: Get<u32>;

		/// The longest hospital name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// The fewest active hospitals (and so validators) the chain may be left
		/// with by a suspension or removal.
		#[pallet::constant]
		type MinActiveHospitals: Get<u32>;

		/// The most invitations one hospital may have out, expired ones included until cleared.
		#[pallet::constant]
		type MaxInvitesPerHospital: Get<u32>;

		/// How many blocks an invitation lasts.
		#[pallet::constant]
		type InviteLifetime: Get<BlockNumberFor<Self>>;

		/// The audit trail every call writes to (subject: the hospital).
		type Audit: AuditLog<Self::AccountId>;

		/// Who holds a MedChain role: their calls of this pallet pay no fee.
		type Roles: medchain_primitives::Roles<Self::AccountId>;

		/// The well-known nodes of the permissioned network. A hospital's node is owned by its
		/// validator account: removing the hospital cuts it off, moving the validator moves it.
		type Nodes: HospitalNodes<Self::AccountId>;

		/// Told when a hospital is suspended or removed, so that the wrapped
		/// keys its doctors hold on patients' records go (the access pallet).
		type OnSuspended: medchain_primitives::OnDoctorsSuspended<Self::AccountId>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The id the next admitted hospital gets.
	#[pallet::storage]
	pub type NextHospitalId<T> = StorageValue<_, HospitalId, ValueQuery>;

	/// Every hospital ever admitted, by id. Removed hospitals stay, marked
	/// `Removed`, so that what was recorded under their id still resolves.
	#[pallet::storage]
	pub type HospitalOf<T: Config> = StorageMap<_, Twox64Concat, HospitalId, HospitalInfo<T>>;

	/// Hospital ids by name, so that names stay unique (removed ones included).
	#[pallet::storage]
	pub type HospitalIdByName<T: Config> = StorageMap<_, Blake2_128Concat, NameOf<T>, HospitalId>;

	/// The hospital a validator account serves, for hospitals not removed.
	#[pallet::storage]
	pub type HospitalOfValidator<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HospitalId>;

	/// How many hospitals are active or suspended (not removed).
	#[pallet::storage]
	pub type HospitalCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Validator accounts of the active hospitals, sorted. They are the council
	/// members and, with session keys set, the next session's validators.
	#[pallet::storage]
	pub type ActiveValidators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxHospitals>, ValueQuery>;

	/// `(admin, hospital)` for every admin of every hospital: which hospitals an account
	/// administers, without reading them all.
	#[pallet::storage]
	pub type AdminOf<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		HospitalId,
		(),
		OptionQuery,
	>;

	/// Invitations by invited account and inviting hospital: at most one per hospital, so
	/// that one hospital's invitation never blocks or replaces another's.
	#[pallet::storage]
	pub type Invitations<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		HospitalId,
		InvitationOf<T>,
		OptionQuery,
	>;

	/// How many invitations each hospital has in `Invitations`, expired or not.
	#[pallet::storage]
	pub type InviteCount<T: Config> = StorageMap<_, Twox64Concat, HospitalId, u32, OptionQuery>;

	/// Each hospital's key-release key (X25519 public key) and the account its
	/// key-release service signs releases with.
	#[pallet::storage]
	pub type ReleaseKeyOf<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, (EncryptionKey, T::AccountId)>;

	/// The hospital whose key-release service signs as an account.
	#[pallet::storage]
	pub type ReleaseServiceOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HospitalId>;

	/// The hospital holding each key-release key: no two hospitals hold one key, so that
	/// no single party holds the threshold of an escrow alone.
	#[pallet::storage]
	pub type ReleaseKeyHolder<T: Config> =
		StorageMap<_, Blake2_128Concat, EncryptionKey, HospitalId>;

	/// A founding hospital in the genesis config: `(name, admins, validator account)`.
	pub type FoundingHospital<AccountId> = (Vec<u8>, Vec<AccountId>, AccountId);

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The founding hospitals, all active.
		pub hospitals: Vec<FoundingHospital<T::AccountId>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (name, admins, validator) in &self.hospitals {
				let result = Pallet::<T>::do_admit(name.clone(), admins.clone(), validator.clone())
					.and_then(|id| {
						Pallet::<T>::log_governance(Entity::Root, id, AuditAction::HospitalAdmitted)
					});
				assert!(result.is_ok(), "invalid genesis hospital {:?}: {:?}", name, result);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The council admitted a hospital; its validator joins from the next session.
		HospitalAdmitted { hospital: HospitalId, validator: T::AccountId },
		/// A hospital was suspended: out of the validator set and the council.
		HospitalSuspended { hospital: HospitalId },
		/// A suspended hospital was reinstated.
		HospitalReinstated { hospital: HospitalId },
		/// A hospital was removed for good.
		HospitalRemoved { hospital: HospitalId },
		/// An admin was added to a hospital.
		AdminAdded { hospital: HospitalId, admin: T::AccountId },
		/// An admin was removed from a hospital.
		AdminRemoved { hospital: HospitalId, admin: T::AccountId },
		/// A hospital moved its validator to another account.
		ValidatorChanged { hospital: HospitalId, old: T::AccountId, new: T::AccountId },
		/// An admin invited `account` to register as `role` for free until block `expires`.
		Invited {
			hospital: HospitalId,
			account: T::AccountId,
			role: InviteRole,
			expires: BlockNumberFor<T>,
		},
		/// The invitation of `account` was withdrawn, or cleared after it expired.
		InvitationRemoved { hospital: HospitalId, account: T::AccountId },
		/// The hospital's key-release key changed; `service` signs its releases.
		ReleaseKeySet { hospital: HospitalId, key: EncryptionKey, service: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No hospital has this id.
		UnknownHospital,
		/// The name is empty or not UTF-8.
		InvalidName,
		/// The name is longer than `MaxNameLength` bytes.
		NameTooLong,
		/// Another hospital already has this name.
		DuplicateName,
		/// A hospital needs at least one admin.
		NoAdmins,
		/// More admins than `MaxAdmins`.
		TooManyAdmins,
		/// The same account is listed twice as admin.
		DuplicateAdmin,
		/// The account is already an admin of this hospital.
		AlreadyAdmin,
		/// The account is not an admin of this hospital.
		NotAdmin,
		/// The last admin of a hospital cannot be removed.
		LastAdmin,
		/// The validator account already serves a hospital.
		ValidatorInUse,
		/// The consortium already holds `MaxHospitals` hospitals.
		TooManyHospitals,
		/// The hospital is not active.
		NotActive,
		/// The hospital is not suspended.
		NotSuspended,
		/// The hospital was removed; nothing more can be done with it.
		HospitalRemoved,
		/// The change would leave fewer than `MinActiveHospitals` active hospitals.
		TooFewValidators,
		/// The account already holds an unexpired invitation of this hospital.
		AlreadyInvited,
		/// The hospital already has `MaxInvitesPerHospital` invitations out: withdraw one, or
		/// clear expired ones with `remove_invitation`.
		TooManyInvites,
		/// The account holds no invitation.
		NotInvited,
		/// Only an admin of the inviting hospital may withdraw an invitation before it expires.
		InvitationNotExpired,
		/// The node is not a libp2p peer id in binary form (the bytes of the base58 id that
		/// `medchain-node key inspect-node-key` prints, not its text).
		InvalidPeerId,
		/// The key-release key is all zeros: not an X25519 public key anything may be wrapped to.
		InvalidReleaseKey,
		/// The service account already signs releases for another hospital.
		ServiceInUse,
		/// The key-release key is another hospital's: each custodian holds a key of its own.
		ReleaseKeyInUse,
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
		/// A hospital of the consortium, whatever its status.
		pub fn hospital(id: HospitalId) -> Option<HospitalInfo<T>> {
			HospitalOf::<T>::get(id)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admit a hospital to the consortium, active at once.
		///
		/// The dispatch origin for this call must be the hospital council with a
		/// 2/3 majority (or _Root_ on a development chain).
		///
		/// - `name`: the hospital's public name, UTF-8, unique, at most `MaxNameLength` bytes.
		/// - `admins`: one to `MaxAdmins` distinct accounts that will manage it.
		/// - `validator`: the account of its validator node, not serving another hospital. It
		///   joins the council now and the validator set at the next session once it has set its
		///   session keys (`session.setKeys`).
		///
		/// Emits `HospitalAdmitted`. Errors: `InvalidName`, `NameTooLong`, `DuplicateName`,
		/// `NoAdmins`, `TooManyAdmins`, `DuplicateAdmin`, `ValidatorInUse`, `TooManyHospitals`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::admit_hospital(admins.len() as u32))]
		pub fn admit_hospital(
			origin: OriginFor<T>,
			name: Vec<u8>,
			admins: Vec<T::AccountId>,
			validator: T::AccountId,
		) -> DispatchResult {
			let actor = T::GovernanceOrigin::ensure_origin(origin)?;
			let hospital = Self::do_admit(name, admins, validator.clone())?;
			Self::log_governance(actor, hospital, AuditAction::HospitalAdmitted)?;
			Self::deposit_event(Event::HospitalAdmitted { hospital, validator });
			Ok(())
		}

		/// Suspend an active hospital: its validator leaves the validator set at the next
		/// session and its council seat now; its admins can no longer act for it elsewhere.
		///
		/// The dispatch origin for this call must be the hospital council with a 2/3 majority
		/// (or _Root_ on a development chain).
		///
		/// Emits `HospitalSuspended`. Errors: `UnknownHospital`, `NotActive`, `TooFewValidators`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::suspend_hospital())]
		pub fn suspend_hospital(origin: OriginFor<T>, hospital: HospitalId) -> DispatchResult {
			let actor = T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_suspend(hospital)?;
			T::OnSuspended::hospital_suspended(hospital);
			Self::log_governance(actor, hospital, AuditAction::HospitalSuspended)?;
			Self::deposit_event(Event::HospitalSuspended { hospital });
			Ok(())
		}

		/// Reinstate a suspended hospital: council seat now, validator slot from the next session.
		///
		/// The dispatch origin for this call must be the hospital council with a 2/3 majority
		/// (or _Root_ on a development chain).
		///
		/// Emits `HospitalReinstated`. Errors: `UnknownHospital`, `NotSuspended`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reinstate_hospital())]
		pub fn reinstate_hospital(origin: OriginFor<T>, hospital: HospitalId) -> DispatchResult {
			let actor = T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_reinstate(hospital)?;
			Self::log_governance(actor, hospital, AuditAction::HospitalReinstated)?;
			Self::deposit_event(Event::HospitalReinstated { hospital });
			Ok(())
		}

		/// Remove a hospital for good. Its record stays (status `Removed`) and its name stays
		/// reserved; its validator account is released, and every well-known node it owns is
		/// removed, so the other hospitals' nodes disconnect it at their next block.
		///
		/// The dispatch origin for this call must be the hospital council with a 2/3 majority
		/// (or _Root_ on a development chain).
		///
		/// Emits `HospitalRemoved`. Errors: `UnknownHospital`, `HospitalRemoved`,
		/// `TooFewValidators`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_hospital())]
		pub fn remove_hospital(origin: OriginFor<T>, hospital: HospitalId) -> DispatchResult {
			let actor = T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_remove(hospital)?;
			T::OnSuspended::hospital_suspended(hospital);
			Self::log_governance(actor, hospital, AuditAction::HospitalRemoved)?;
			Self::deposit_event(Event::HospitalRemoved { hospital });
			Ok(())
		}

		/// Add an admin to a hospital.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must not be removed.
		///
		/// Emits `AdminAdded`. Errors: `UnknownHospital`, `HospitalRemoved`, `NotAdmin` (the
		/// caller), `AlreadyAdmin`, `TooManyAdmins`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::add_admin())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _admin: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn add_admin(
			origin: OriginFor<T>,
			hospital: HospitalId,
			admin: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add_admin(&who, hospital, admin.clone())?;
			Self::log_admin(
				who,
				hospital,
				AuditAction::HospitalAdminAdded { admin: admin.clone() },
			)?;
			Self::deposit_event(Event::AdminAdded { hospital, admin });
			Ok(())
		}

		/// Remove an admin from a hospital (an admin may remove themself), keeping at least one.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must not be removed.
		///
		/// Emits `AdminRemoved`. Errors: `UnknownHospital`, `HospitalRemoved`, `NotAdmin` (the
		/// caller or `admin`), `LastAdmin`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::remove_admin())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _admin: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn remove_admin(
			origin: OriginFor<T>,
			hospital: HospitalId,
			admin: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_admin(&who, hospital, &admin)?;
			Self::log_admin(
				who,
				hospital,
				AuditAction::HospitalAdminRemoved { admin: admin.clone() },
			)?;
			Self::deposit_event(Event::AdminRemoved { hospital, admin });
			Ok(())
		}

		/// Move the hospital's validator (and its council seat) to another account. The new
		/// account validates from the next session once it has set its session keys, and owns
		/// the hospital's well-known nodes from now on.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must not be removed.
		///
		/// Emits `ValidatorChanged`. Errors: `UnknownHospital`, `HospitalRemoved`, `NotAdmin`,
		/// `ValidatorInUse`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_validator())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _validator: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn set_validator(
			origin: OriginFor<T>,
			hospital: HospitalId,
			validator: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let old = Self::do_set_validator(&who, hospital, validator.clone())?;
			let action = AuditAction::HospitalValidatorSet { validator: validator.clone() };
			Self::log_admin(who, hospital, action)?;
			Self::deposit_event(Event::ValidatorChanged { hospital, old, new: validator });
			Ok(())
		}

		/// Invite `account` to register as `role` (a patient, or a doctor of `hospital`)
		/// without paying: until the invitation expires, `patients.register_at` or
		/// `doctors.apply` to this hospital costs it no fee, so it needs no tokens at all.
		/// The invitation lasts `InviteLifetime` blocks and is used up by that registration.
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must be active.
		///
		/// Emits `Invited`. Errors: `UnknownHospital`, `NotActive`, `NotAdmin`,
		/// `AlreadyInvited` (an unexpired invitation of this hospital exists; an expired one is
		/// replaced; another hospital's stands beside it, and a patient names the hospital they
		/// register at, `patients.register_at`),
		/// `TooManyInvites`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::invite())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _account: &T::AccountId, _role: &InviteRole| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn invite(
			origin: OriginFor<T>,
			hospital: HospitalId,
			account: T::AccountId,
			role: InviteRole,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let expires = Self::do_invite(&who, hospital, &account, role)?;
			let action = AuditAction::AccountInvited { account: account.clone(), role };
			Self::log_admin(who, hospital, action)?;
			Self::deposit_event(Event::Invited { hospital, account, role, expires });
			Ok(())
		}

		/// Withdraw an invitation of `account`, or clear one once expired (which frees its
		/// place among the hospital's `MaxInvitesPerHospital`): the invitation of a hospital
		/// the caller administers if there is one, else an expired one. Call again for the
		/// next.
		///
		/// The dispatch origin for this call must be _Signed_: by an admin of the inviting
		/// hospital at any time, by anyone once the invitation has expired.
		///
		/// Emits `InvitationRemoved`. Errors: `NotInvited`, `InvitationNotExpired`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::remove_invitation())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _account: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn remove_invitation(origin: OriginFor<T>, account: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let hospital = Self::do_remove_invitation(&who, &account)?;
			let action = AuditAction::InvitationRemoved { account: account.clone() };
			Self::log_admin(who, hospital, action)?;
			Self::deposit_event(Event::InvitationRemoved { hospital, account });
			Ok(())
		}

		/// Admit a hospital and authorize its node in one decision: `admit_hospital`, then
		/// `node` becomes a well-known node owned by `validator`, so the other hospitals' nodes
		/// peer with it from their next block.
		///
		/// The dispatch origin for this call must be the hospital council with a 2/3 majority
		/// (or _Root_ on a development chain).
		///
		/// - `node`: the libp2p peer id of the hospital's node in binary form (the bytes of the
		///   base58 id `medchain-node key inspect-node-key` prints).
		///
		/// Emits `HospitalAdmitted` and `nodeAuthorization.NodeAdded`. Errors: those of
		/// `admit_hospital`, `InvalidPeerId`, and node authorization's `AlreadyJoined` (another
		/// hospital's node) and `TooManyNodes`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::admit_hospital_with_node(admins.len() as u32))]
		pub fn admit_hospital_with_node(
			origin: OriginFor<T>,
			name: Vec<u8>,
			admins: Vec<T::AccountId>,
			validator: T::AccountId,
			node: PeerIdBytes,
		) -> DispatchResult {
			let actor = T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(medchain_primitives::is_valid_peer_id(&node), Error::<T>::InvalidPeerId);
			let hospital = Self::do_admit(name, admins, validator.clone())?;
			T::Nodes::authorize(node.into_inner(), &validator)?;
			Self::log_governance(actor, hospital, AuditAction::HospitalAdmitted)?;
			Self::deposit_event(Event::HospitalAdmitted { hospital, validator });
			Ok(())
		}

		/// Set the hospital's key-release key: the X25519 public key its key-release service
		/// holds the private half of, to which patients wrap the shares of the data keys they
		/// make available in an emergency; and the account that service signs releases with.
		/// A new key serves shares wrapped after the change only: the hospital's shares of
		/// earlier escrows open with the old key alone, until patients split their keys again
		/// (docs/emergency-access.md).
		///
		/// The dispatch origin for this call must be _Signed_ by an admin of `hospital`, which
		/// must be active.
		///
		/// No two hospitals may hold the same key (a shared key would let one party open every
		/// escrow alone), nor sign with the same service account.
		///
		/// Emits `ReleaseKeySet`. Errors: `UnknownHospital`, `HospitalRemoved`, `NotActive`,
		/// `NotAdmin`, `InvalidReleaseKey`, `ReleaseKeyInUse`, `ServiceInUse`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_release_key())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _hospital: &HospitalId, _key: &EncryptionKey, _service: &T::AccountId| -> bool {
			medchain_primitives::signed_by_role_holder::<_, T::Roles>(origin)
		})]
		pub fn set_release_key(
			origin: OriginFor<T>,
			hospital: HospitalId,
			key: EncryptionKey,
			service: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_release_key(&who, hospital, key, service.clone())?;
			Self::log_admin(
				who,
				hospital,
				AuditAction::ReleaseKeySet { service: service.clone() },
			)?;
			Self::deposit_event(Event::ReleaseKeySet { hospital, key, service });
			Ok(())
		}

		/// Authorize a runtime upgrade to the code whose hash is `code_hash`: the council's
		/// narrow path to what `system.authorizeUpgrade` does with _Root_, so that a chain
		/// without sudo can upgrade. Anyone may then submit the code itself with
		/// `system.applyAuthorizedUpgrade` (an unsigned, free transaction), which checks the
		/// hash, that the spec name is unchanged and that the spec version increases.
		///
		/// The dispatch origin for this call must be the hospital council with a 2/3 majority
		/// (or _Root_ on a development chain).
		///
		/// Emits `system.UpgradeAuthorized`, and writes `RuntimeUpgradeAuthorized` to the
		/// runtime's audit trail (subject `Runtime`, actor the council or root).
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::authorize_upgrade())]
		pub fn authorize_upgrade(origin: OriginFor<T>, code_hash: T::Hash) -> DispatchResult {
			let actor = T::GovernanceOrigin::ensure_origin(origin)?;
			let mut hash = [0u8; 32];
			let bytes = code_hash.as_ref();
			hash[..bytes.len().min(32)].copy_from_slice(&bytes[..bytes.len().min(32)]);
			T::Audit::log(
				actor,
				Entity::Runtime,
				AuditAction::RuntimeUpgradeAuthorized { code_hash: hash },
			)?;
			frame_system::Pallet::<T>::do_authorize_upgrade(code_hash, true);
			Ok(())
		}
	}
}
