//! The consortium's logic behind its calls, and the traits it implements for
//! the rest of the runtime.

use crate::{pallet::*, HospitalId, HospitalRegistry, HospitalStatus, KeyCustodians};
use alloc::vec::Vec;
use frame_support::{
	defensive, ensure,
	pallet_prelude::*,
	traits::{ChangeMembers, Contains},
};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	hold_account, is_valid_encryption_key, release_account, AuditAction, AuditLog, EncryptionKey,
	Entity, HospitalNodes, InviteRole,
};
use sp_runtime::Saturating;

impl<T: Config> Pallet<T> {
	/// Write the audit entry of a decision about `hospital` by `actor`: the
	/// council, or root (a development chain's sudo, or genesis).
	pub(crate) fn log_governance(
		actor: Entity<T::AccountId>,
		hospital: HospitalId,
		action: AuditAction<T::AccountId>,
	) -> DispatchResult {
		T::Audit::log(actor, Entity::Hospital(hospital), action)?;
		Ok(())
	}

	/// Write the audit entry of an admin's action on `hospital`.
	pub(crate) fn log_admin(
		admin: T::AccountId,
		hospital: HospitalId,
		action: AuditAction<T::AccountId>,
	) -> DispatchResult {
		T::Audit::log(Entity::Account(admin), Entity::Hospital(hospital), action)?;
		Ok(())
	}

	/// Check a name: non-empty UTF-8, bounded, not taken.
	fn checked_name(name: Vec<u8>) -> Result<NameOf<T>, DispatchError> {
		ensure!(!name.is_empty() && core::str::from_utf8(&name).is_ok(), Error::<T>::InvalidName);
		let name: NameOf<T> = name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
		ensure!(!HospitalIdByName::<T>::contains_key(&name), Error::<T>::DuplicateName);
		Ok(name)
	}

	/// Check an admin list: one to `MaxAdmins` distinct accounts.
	fn checked_admins(
		admins: Vec<T::AccountId>,
	) -> Result<BoundedVec<T::AccountId, T::MaxAdmins>, DispatchError> {
		ensure!(!admins.is_empty(), Error::<T>::NoAdmins);
		let admins: BoundedVec<_, T::MaxAdmins> =
			admins.try_into().map_err(|_| Error::<T>::TooManyAdmins)?;
		for (i, admin) in admins.iter().enumerate() {
			ensure!(!admins[..i].contains(admin), Error::<T>::DuplicateAdmin);
		}
		Ok(admins)
	}

	/// Admit a hospital, active at once. Returns its id.
	pub(crate) fn do_admit(
		name: Vec<u8>,
		admins: Vec<T::AccountId>,
		validator: T::AccountId,
	) -> Result<HospitalId, DispatchError> {
		let name = Self::checked_name(name)?;
		let admins = Self::checked_admins(admins)?;
		ensure!(!HospitalOfValidator::<T>::contains_key(&validator), Error::<T>::ValidatorInUse);
		let count = HospitalCount::<T>::get();
		ensure!(count < T::MaxHospitals::get(), Error::<T>::TooManyHospitals);

		let id = NextHospitalId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::TooManyHospitals)?;
		Self::add_active_validator(validator.clone())?;

		NextHospitalId::<T>::put(next);
		HospitalCount::<T>::put(count.saturating_add(1));
		HospitalIdByName::<T>::insert(&name, id);
		HospitalOfValidator::<T>::insert(&validator, id);
		for admin in &admins {
			Self::index_admin(admin, id);
		}
		HospitalOf::<T>::insert(
			id,
			HospitalInfo::<T> {
				name,
				admins,
				validator,
				status: HospitalStatus::Active,
				admitted_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Ok(id)
	}

	pub(crate) fn do_suspend(id: HospitalId) -> DispatchResult {
		HospitalOf::<T>::try_mutate(id, |maybe| {
			let hospital = maybe.as_mut().ok_or(Error::<T>::UnknownHospital)?;
			ensure!(hospital.status == HospitalStatus::Active, Error::<T>::NotActive);
			Self::remove_active_validator(&hospital.validator)?;
			hospital.status = HospitalStatus::Suspended;
			Ok(())
		})
	}

	pub(crate) fn do_reinstate(id: HospitalId) -> DispatchResult {
		HospitalOf::<T>::try_mutate(id, |maybe| {
			let hospital = maybe.as_mut().ok_or(Error::<T>::UnknownHospital)?;
			ensure!(hospital.status == HospitalStatus::Suspended, Error::<T>::NotSuspended);
			Self::add_active_validator(hospital.validator.clone())?;
			hospital.status = HospitalStatus::Active;
			Ok(())
		})
	}

	pub(crate) fn do_remove(id: HospitalId) -> DispatchResult {
		HospitalOf::<T>::try_mutate(id, |maybe| {
			let hospital = maybe.as_mut().ok_or(Error::<T>::UnknownHospital)?;
			match hospital.status {
				HospitalStatus::Removed => return Err(Error::<T>::HospitalRemoved.into()),
				HospitalStatus::Active => Self::remove_active_validator(&hospital.validator)?,
				HospitalStatus::Suspended => {}
			}
			HospitalOfValidator::<T>::remove(&hospital.validator);
			HospitalCount::<T>::mutate(|count| *count = count.saturating_sub(1));
			hospital.status = HospitalStatus::Removed;
			T::Nodes::remove_all(&hospital.validator);
			Ok(())
		})
	}

	/// Run `f` on a hospital that `who` administers and that is not removed.
	fn mutate_as_admin<R>(
		who: &T::AccountId,
		id: HospitalId,
		f: impl FnOnce(&mut HospitalInfo<T>) -> Result<R, DispatchError>,
	) -> Result<R, DispatchError> {
		HospitalOf::<T>::try_mutate(id, |maybe| {
			let hospital = maybe.as_mut().ok_or(Error::<T>::UnknownHospital)?;
			ensure!(hospital.status != HospitalStatus::Removed, Error::<T>::HospitalRemoved);
			ensure!(hospital.admins.contains(who), Error::<T>::NotAdmin);
			f(hospital)
		})
	}

	pub(crate) fn do_add_admin(
		who: &T::AccountId,
		id: HospitalId,
		admin: T::AccountId,
	) -> DispatchResult {
		Self::mutate_as_admin(who, id, |hospital| {
			ensure!(!hospital.admins.contains(&admin), Error::<T>::AlreadyAdmin);
			hospital.admins.try_push(admin.clone()).map_err(|_| Error::<T>::TooManyAdmins)?;
			Ok(())
		})?;
		Self::index_admin(&admin, id);
		Ok(())
	}

	pub(crate) fn do_remove_admin(
		who: &T::AccountId,
		id: HospitalId,
		admin: &T::AccountId,
	) -> DispatchResult {
		Self::mutate_as_admin(who, id, |hospital| {
			let index =
				hospital.admins.iter().position(|a| a == admin).ok_or(Error::<T>::NotAdmin)?;
			ensure!(hospital.admins.len() > 1, Error::<T>::LastAdmin);
			hospital.admins.remove(index);
			Ok(())
		})?;
		AdminOf::<T>::remove(admin, id);
		release_account::<T>(admin);
		Ok(())
	}

	/// Index `admin` as an admin of `id`; being one keeps its account alive.
	/// Admins of a removed hospital stay indexed (the hospital keeps its
	/// record), but only admins of active hospitals hold a role.
	fn index_admin(admin: &T::AccountId, id: HospitalId) {
		AdminOf::<T>::insert(admin, id, ());
		hold_account::<T>(admin);
	}

	/// Invite `account` as `role` to `id`. Returns the block the invitation expires at.
	pub(crate) fn do_invite(
		who: &T::AccountId,
		id: HospitalId,
		account: &T::AccountId,
		role: InviteRole,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let hospital = HospitalOf::<T>::get(id).ok_or(Error::<T>::UnknownHospital)?;
		ensure!(hospital.status == HospitalStatus::Active, Error::<T>::NotActive);
		ensure!(hospital.admins.contains(who), Error::<T>::NotAdmin);
		let now = frame_system::Pallet::<T>::block_number();
		// One invitation per account and hospital: another hospital's neither blocks this one
		// nor is replaced by it, so no hospital keeps an address from its own hospital by
		// inviting it first, or takes it over by inviting it after (trust review, attack 2).
		if let Some(old) = Invitations::<T>::get(account, id) {
			ensure!(old.expires <= now, Error::<T>::AlreadyInvited);
			Self::drop_invitation(account, id);
		}
		InviteCount::<T>::try_mutate(id, |count| {
			let n = count.unwrap_or(0);
			ensure!(n < T::MaxInvitesPerHospital::get(), Error::<T>::TooManyInvites);
			*count = Some(n.saturating_add(1));
			Ok::<_, DispatchError>(())
		})?;
		let expires = now.saturating_add(T::InviteLifetime::get());
		let invitation = InvitationOf::<T> { hospital: id, role, by: who.clone(), expires };
		Invitations::<T>::insert(account, id, invitation);
		hold_account::<T>(account);
		Ok(expires)
	}

	/// Remove one invitation of `account` as `who`: one of a hospital `who` administers,
	/// else an expired one. Returns the inviting hospital.
	pub(crate) fn do_remove_invitation(
		who: &T::AccountId,
		account: &T::AccountId,
	) -> Result<HospitalId, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		// At most one per hospital: a bounded walk.
		let invitations: alloc::vec::Vec<InvitationOf<T>> =
			Invitations::<T>::iter_prefix_values(account).collect();
		ensure!(!invitations.is_empty(), Error::<T>::NotInvited);
		let removable = invitations
			.iter()
			.find(|i| AdminOf::<T>::contains_key(who, i.hospital))
			.or_else(|| invitations.iter().find(|i| i.expires <= now))
			.ok_or(Error::<T>::InvitationNotExpired)?;
		let hospital = removable.hospital;
		Self::drop_invitation(account, hospital);
		Ok(hospital)
	}

	/// Delete `account`'s invitation from `hospital` and what it held.
	fn drop_invitation(account: &T::AccountId, hospital: HospitalId) {
		Invitations::<T>::remove(account, hospital);
		InviteCount::<T>::mutate(hospital, medchain_primitives::count_down);
		release_account::<T>(account);
	}

	/// `account`'s invitation if it is unexpired, of `role`, and (when given)
	/// from `hospital`.
	fn live_invitation(
		account: &T::AccountId,
		role: InviteRole,
		hospital: Option<HospitalId>,
	) -> Option<InvitationOf<T>> {
		let live = |invitation: &InvitationOf<T>| {
			invitation.role == role
				&& invitation.expires > frame_system::Pallet::<T>::block_number()
				&& Self::is_active(invitation.hospital)
		};
		match hospital {
			Some(id) => Invitations::<T>::get(account, id).filter(live),
			None => Invitations::<T>::iter_prefix_values(account).find(live),
		}
	}

	/// Returns the validator account that was replaced.
	pub(crate) fn do_set_validator(
		who: &T::AccountId,
		id: HospitalId,
		new: T::AccountId,
	) -> Result<T::AccountId, DispatchError> {
		ensure!(!HospitalOfValidator::<T>::contains_key(&new), Error::<T>::ValidatorInUse);
		Self::mutate_as_admin(who, id, |hospital| {
			let old = core::mem::replace(&mut hospital.validator, new.clone());
			if hospital.status == HospitalStatus::Active {
				Self::update_active_set(|set| {
					Self::remove_sorted(set, &old);
					Self::insert_sorted(set, new.clone())
				})?;
			}
			HospitalOfValidator::<T>::remove(&old);
			HospitalOfValidator::<T>::insert(&new, id);
			T::Nodes::transfer_all(&old, &new);
			Ok(old)
		})
	}

	pub(crate) fn do_set_release_key(
		who: &T::AccountId,
		id: HospitalId,
		key: EncryptionKey,
		service: T::AccountId,
	) -> DispatchResult {
		ensure!(is_valid_encryption_key(&key), Error::<T>::InvalidReleaseKey);
		if let Some(other) = ReleaseKeyHolder::<T>::get(key) {
			ensure!(other == id, Error::<T>::ReleaseKeyInUse);
		}
		if let Some(other) = ReleaseServiceOf::<T>::get(&service) {
			ensure!(other == id, Error::<T>::ServiceInUse);
		}
		Self::mutate_as_admin(who, id, |hospital| {
			ensure!(hospital.status == HospitalStatus::Active, Error::<T>::NotActive);
			Ok(())
		})?;
		// The service signs releases with no tokens: its account is kept alive by its role,
		// as long as it has the role.
		match ReleaseKeyOf::<T>::get(id) {
			Some((old_key, old)) => {
				// Only this hospital's entry: a key two hospitals held before the index keeps
				// the other's.
				ReleaseKeyHolder::<T>::mutate_exists(old_key, |holder| {
					if *holder == Some(id) {
						*holder = None;
					}
				});
				if old != service {
					ReleaseServiceOf::<T>::remove(&old);
					release_account::<T>(&old);
					hold_account::<T>(&service);
				}
			}
			None => hold_account::<T>(&service),
		}
		ReleaseServiceOf::<T>::insert(&service, id);
		ReleaseKeyHolder::<T>::insert(key, id);
		ReleaseKeyOf::<T>::insert(id, (key, service));
		Ok(())
	}

	/// Change the sorted active set with `f` and move the council seats to match.
	fn update_active_set(
		f: impl FnOnce(&mut BoundedVec<T::AccountId, T::MaxHospitals>) -> DispatchResult,
	) -> DispatchResult {
		ActiveValidators::<T>::try_mutate(|set| {
			let old = set.clone();
			f(set)?;
			T::CouncilMembers::set_members_sorted(set, &old);
			Ok(())
		})
	}

	fn insert_sorted(
		set: &mut BoundedVec<T::AccountId, T::MaxHospitals>,
		who: T::AccountId,
	) -> DispatchResult {
		let at = set.binary_search(&who).err().ok_or(Error::<T>::ValidatorInUse)?;
		set.try_insert(at, who).map_err(|_| Error::<T>::TooManyHospitals)?;
		Ok(())
	}

	fn remove_sorted(set: &mut BoundedVec<T::AccountId, T::MaxHospitals>, who: &T::AccountId) {
		// A hospital's validator is in the active set exactly while the hospital is
		// active (checked by `do_try_state`): absence here is a bug, not bad input.
		match set.binary_search(who) {
			Ok(at) => {
				set.remove(at);
			}
			Err(_) => {
				defensive!("active hospital's validator missing from ActiveValidators");
			}
		}
	}

	/// Seat a newly active hospital's validator.
	fn add_active_validator(who: T::AccountId) -> DispatchResult {
		Self::update_active_set(|set| Self::insert_sorted(set, who))
	}

	/// Unseat a hospital's validator, keeping at least `MinActiveHospitals` active.
	fn remove_active_validator(who: &T::AccountId) -> DispatchResult {
		Self::update_active_set(|set| {
			ensure!(set.len() as u32 > T::MinActiveHospitals::get(), Error::<T>::TooFewValidators);
			Self::remove_sorted(set, who);
			Ok(())
		})
	}

	/// The storage invariants of this pallet. Called by `try_state` and after
	/// every unit test.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next_id = NextHospitalId::<T>::get();
		let mut expected_active: Vec<T::AccountId> = Vec::new();
		let mut not_removed = 0u32;
		let mut admin_count = 0usize;
		for (id, hospital) in HospitalOf::<T>::iter() {
			ensure!(id < next_id, "hospital id at or above NextHospitalId");
			ensure!(
				HospitalIdByName::<T>::get(&hospital.name) == Some(id),
				"hospital name not indexed to its id"
			);
			ensure!(!hospital.admins.is_empty(), "hospital without admins");
			let mut admins = hospital.admins.to_vec();
			admins.sort();
			admins.dedup();
			ensure!(admins.len() == hospital.admins.len(), "duplicate admin");
			for admin in &admins {
				ensure!(AdminOf::<T>::contains_key(admin, id), "admin not indexed");
			}
			admin_count += admins.len();
			if hospital.status != HospitalStatus::Removed {
				not_removed += 1;
				ensure!(
					HospitalOfValidator::<T>::get(&hospital.validator) == Some(id),
					"validator account not indexed to its hospital"
				);
			}
			if hospital.status == HospitalStatus::Active {
				expected_active.push(hospital.validator.clone());
			}
		}
		ensure!(HospitalCount::<T>::get() == not_removed, "HospitalCount != hospitals not removed");
		ensure!(
			HospitalOfValidator::<T>::iter().count() as u32 == not_removed,
			"stale validator index entry"
		);
		ensure!(
			HospitalIdByName::<T>::iter().count() == HospitalOf::<T>::iter().count(),
			"stale name index entry"
		);
		ensure!(AdminOf::<T>::iter().count() == admin_count, "stale admin index entry");
		let mut invites = alloc::collections::BTreeMap::<HospitalId, u32>::new();
		for (_, hospital, invitation) in Invitations::<T>::iter() {
			ensure!(invitation.hospital == hospital, "an invitation stored under another hospital");
			*invites.entry(hospital).or_default() += 1;
		}
		for (id, count) in InviteCount::<T>::iter() {
			ensure!(invites.remove(&id) == Some(count), "InviteCount != invitations of hospital");
		}
		ensure!(invites.is_empty(), "invitations not counted in InviteCount");
		expected_active.sort();
		ensure!(
			ActiveValidators::<T>::get().to_vec() == expected_active,
			"ActiveValidators != sorted validators of active hospitals"
		);
		for (id, (key, service)) in ReleaseKeyOf::<T>::iter() {
			ensure!(HospitalOf::<T>::contains_key(id), "a release key of no hospital");
			ensure!(ReleaseKeyHolder::<T>::get(key) == Some(id), "release key not indexed");
			ensure!(
				ReleaseServiceOf::<T>::get(&service) == Some(id),
				"release service not indexed"
			);
		}
		ensure!(
			ReleaseServiceOf::<T>::iter().count() == ReleaseKeyOf::<T>::iter().count(),
			"stale release service index entry"
		);
		ensure!(
			ReleaseKeyHolder::<T>::iter().count() == ReleaseKeyOf::<T>::iter().count(),
			"stale release key index entry (or two hospitals holding one key)"
		);
		Ok(())
	}
}

impl<T: Config> HospitalRegistry<T::AccountId> for Pallet<T> {
	fn is_active(hospital: HospitalId) -> bool {
		HospitalOf::<T>::get(hospital).is_some_and(|h| h.status == HospitalStatus::Active)
	}

	fn is_admin(hospital: HospitalId, who: &T::AccountId) -> bool {
		AdminOf::<T>::contains_key(who, hospital)
	}

	fn is_admin_anywhere(who: &T::AccountId) -> bool {
		AdminOf::<T>::iter_key_prefix(who).any(Self::is_active)
	}

	fn is_invited(who: &T::AccountId, role: InviteRole, hospital: Option<HospitalId>) -> bool {
		Self::live_invitation(who, role, hospital).is_some()
	}

	fn take_invitation(
		who: &T::AccountId,
		role: InviteRole,
		hospital: Option<HospitalId>,
	) -> Result<Option<HospitalId>, DispatchError> {
		let Some(invitation) = Self::live_invitation(who, role, hospital) else {
			return Ok(None);
		};
		Self::drop_invitation(who, invitation.hospital);
		T::Audit::log(
			Entity::Account(who.clone()),
			Entity::Hospital(invitation.hospital),
			AuditAction::InvitationUsed { account: who.clone(), role },
		)?;
		Ok(Some(invitation.hospital))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(admin: T::AccountId) -> HospitalId {
		let id = NextHospitalId::<T>::get();
		let name = alloc::format!("bench{id}").into_bytes();
		let validator = frame_benchmarking::account("bench-validator", id, 0);
		if Self::do_admit(name, alloc::vec![admin], validator).is_err() {
			defensive!("cannot admit a hospital for a benchmark");
		}
		id
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_invite(who: &T::AccountId, role: InviteRole) -> HospitalId {
		let admin: T::AccountId = frame_benchmarking::account("bench-inviter", 0, 0);
		let hospital = Self::benchmark_hospital(admin.clone());
		if Self::do_invite(&admin, hospital, who, role).is_err() {
			defensive!("cannot invite an account for a benchmark");
		}
		hospital
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_suspend(hospital: HospitalId) {
		HospitalOf::<T>::mutate(hospital, |maybe| {
			if let Some(hospital) = maybe {
				hospital.status = HospitalStatus::Suspended;
			}
		});
	}
}

impl<T: Config> KeyCustodians<T::AccountId> for Pallet<T> {
	fn custodian_of(service: &T::AccountId) -> Option<HospitalId> {
		ReleaseServiceOf::<T>::get(service).filter(|id| Self::is_active(*id))
	}

	fn release_key(hospital: HospitalId) -> Option<EncryptionKey> {
		ReleaseKeyOf::<T>::get(hospital).filter(|_| Self::is_active(hospital)).map(|(key, _)| key)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_custodian(seed: u32) -> (HospitalId, T::AccountId) {
		let admin: T::AccountId = frame_benchmarking::account("bench-custodian-admin", seed, 0);
		let service: T::AccountId = frame_benchmarking::account("bench-custodian", seed, 0);
		let hospital = Self::benchmark_hospital(admin.clone());
		// A key of its own (no two hospitals hold one key): any 32 bytes but zeros.
		let mut key = [0u8; 32];
		key[0] = 9;
		key[1..5].copy_from_slice(&seed.to_le_bytes());
		if Self::do_set_release_key(&admin, hospital, key, service.clone()).is_err() {
			defensive!("cannot set a release key for a benchmark");
		}
		(hospital, service)
	}
}

/// The validator set of the next session: validator accounts of active
/// hospitals that have set their session keys.
impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(_new_index: u32) -> Option<Vec<T::AccountId>> {
		let validators: Vec<T::AccountId> =
			ActiveValidators::<T>::get().into_iter().filter(T::SessionKeysSet::contains).collect();
		// Never plan an empty set: the chain would stop. Keep the current one.
		(!validators.is_empty()).then_some(validators)
	}

	fn end_session(_end_index: u32) {}

	fn start_session(_start_index: u32) {}
}
