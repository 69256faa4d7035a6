//! The consortium's logic behind its calls, and the traits it implements for
//! the rest of the runtime.

use crate::{pallet::*, HospitalId, HospitalRegistry, HospitalStatus};
use alloc::vec::Vec;
use frame_support::{
	defensive, ensure,
	pallet_prelude::*,
	traits::{ChangeMembers, Contains},
};
use medchain_primitives::{AuditAction, AuditLog, Entity};

impl<T: Config> Pallet<T> {
	/// Write the audit entry of a council (or root) decision about `hospital`.
	pub(crate) fn log_governance(
		hospital: HospitalId,
		action: AuditAction<T::AccountId>,
	) -> DispatchResult {
		T::Audit::log(Entity::Governance, Entity::Hospital(hospital), action)?;
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
			hospital.admins.try_push(admin).map_err(|_| Error::<T>::TooManyAdmins)?;
			Ok(())
		})
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
		})
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
			Ok(old)
		})
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
		expected_active.sort();
		ensure!(
			ActiveValidators::<T>::get().to_vec() == expected_active,
			"ActiveValidators != sorted validators of active hospitals"
		);
		Ok(())
	}
}

impl<T: Config> HospitalRegistry<T::AccountId> for Pallet<T> {
	fn is_active(hospital: HospitalId) -> bool {
		HospitalOf::<T>::get(hospital).is_some_and(|h| h.status == HospitalStatus::Active)
	}

	fn is_admin(hospital: HospitalId, who: &T::AccountId) -> bool {
		HospitalOf::<T>::get(hospital).is_some_and(|h| h.admins.contains(who))
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
}

/// The validator set of the next session: validator accounts of active
/// hospitals that have set their session keys.
impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(_new_index: u32) -> Option<Vec<T::AccountId>> {
		let validators: Vec<T::AccountId> = ActiveValidators::<T>::get()
			.into_iter()
			.filter(|v| T::SessionKeysSet::contains(v))
			.collect();
		// Never plan an empty set: the chain would stop. Keep the current one.
		(!validators.is_empty()).then_some(validators)
	}

	fn end_session(_end_index: u32) {}

	fn start_session(_start_index: u32) {}
}
