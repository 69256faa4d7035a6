//! The patients pallet's logic behind its calls, and the registry it offers
//! the other pallets.

use crate::{pallet::*, PatientRegistry};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use medchain_primitives::{
	canonical_cid, hold_account, is_valid_encryption_key, release_account, AuditAction, AuditLog,
	Cid, CidError, EncryptionKey, HospitalId, HospitalRegistry, InviteRole,
};

impl<T: Config> Pallet<T> {
	/// Check an optional profile CID and return its canonical form.
	pub(crate) fn checked_profile(profile: Option<Vec<u8>>) -> Result<Option<Cid>, Error<T>> {
		profile
			.map(|text| {
				canonical_cid(&text).map_err(|e| match e {
					CidError::TooLong => Error::<T>::CidTooLong,
					CidError::Malformed => Error::<T>::MalformedCid,
				})
			})
			.transpose()
	}

	fn checked_key(key: EncryptionKey) -> Result<EncryptionKey, Error<T>> {
		ensure!(is_valid_encryption_key(&key), Error::<T>::InvalidEncryptionKey);
		Ok(key)
	}

	/// Register `patient`, by themself (`hospital: None`) or by an admin of an
	/// active `hospital`, optionally with a first guardian. Being a patient or a
	/// guardian keeps an account alive, so either can sign with no tokens; a
	/// patient's invitation is used up by their registration.
	pub(crate) fn do_register(
		by: &T::AccountId,
		patient: T::AccountId,
		hospital: Option<HospitalId>,
		encryption_key: EncryptionKey,
		profile: Option<Vec<u8>>,
		guardian: Option<T::AccountId>,
	) -> DispatchResult {
		if let Some(hospital) = hospital {
			ensure!(T::Hospitals::is_active_admin(hospital, by), Error::<T>::NotHospitalAdmin);
		}
		ensure!(!PatientOf::<T>::contains_key(&patient), Error::<T>::AlreadyRegistered);
		let encryption_key = Self::checked_key(encryption_key)?;
		let profile = Self::checked_profile(profile)?;
		let mut guardians = BoundedVec::new();
		if let Some(guardian) = &guardian {
			ensure!(guardian != &patient, Error::<T>::SelfGuardian);
			guardians.try_push(guardian.clone()).map_err(|_| Error::<T>::TooManyGuardians)?;
		}

		PatientOf::<T>::insert(
			&patient,
			PatientInfo::<T> {
				encryption_key,
				profile,
				registered_by: by.clone(),
				hospital,
				registered_at: T::Time::now(),
				guardians,
			},
		);
		PatientCount::<T>::mutate(|count| *count = count.saturating_add(1));
		hold_account::<T>(&patient);
		T::Hospitals::take_invitation(&patient, InviteRole::Patient, None);
		T::Audit::log_accounts(by, &patient, AuditAction::PatientRegistered { hospital })?;
		Self::deposit_event(Event::PatientRegistered { patient: patient.clone(), hospital });
		if let Some(guardian) = guardian {
			WardsOf::<T>::insert(&guardian, &patient, ());
			hold_account::<T>(&guardian);
			T::Audit::log_accounts(
				by,
				&patient,
				AuditAction::GuardianAdded { guardian: guardian.clone() },
			)?;
			Self::deposit_event(Event::GuardianAdded { patient, guardian });
		}
		Ok(())
	}

	/// Run `f` on `patient`'s registration if `actor` may act for them.
	fn mutate_as(
		actor: &T::AccountId,
		patient: &T::AccountId,
		f: impl FnOnce(&mut PatientInfo<T>) -> DispatchResult,
	) -> DispatchResult {
		PatientOf::<T>::try_mutate(patient, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(
				actor == patient || info.guardians.contains(actor),
				Error::<T>::NotPatientOrGuardian
			);
			f(info)
		})
	}

	pub(crate) fn do_set_profile(
		actor: &T::AccountId,
		patient: &T::AccountId,
		profile: Option<Vec<u8>>,
	) -> DispatchResult {
		Self::mutate_as(actor, patient, |info| {
			info.profile = Self::checked_profile(profile)?;
			Ok(())
		})?;
		T::Audit::log_accounts(actor, patient, AuditAction::PatientProfileUpdated)
	}

	pub(crate) fn do_rotate_key(
		actor: &T::AccountId,
		patient: &T::AccountId,
		key: EncryptionKey,
	) -> DispatchResult {
		Self::mutate_as(actor, patient, |info| {
			info.encryption_key = Self::checked_key(key)?;
			Ok(())
		})?;
		T::Audit::log_accounts(actor, patient, AuditAction::PatientKeyRotated)
	}

	pub(crate) fn do_add_guardian(
		actor: &T::AccountId,
		patient: &T::AccountId,
		guardian: &T::AccountId,
	) -> DispatchResult {
		ensure!(guardian != patient, Error::<T>::SelfGuardian);
		Self::mutate_as(actor, patient, |info| {
			ensure!(!info.guardians.contains(guardian), Error::<T>::AlreadyGuardian);
			info.guardians.try_push(guardian.clone()).map_err(|_| Error::<T>::TooManyGuardians)?;
			Ok(())
		})?;
		WardsOf::<T>::insert(guardian, patient, ());
		hold_account::<T>(guardian);
		T::Audit::log_accounts(
			actor,
			patient,
			AuditAction::GuardianAdded { guardian: guardian.clone() },
		)
	}

	pub(crate) fn do_remove_guardian(
		actor: &T::AccountId,
		patient: &T::AccountId,
		guardian: &T::AccountId,
	) -> DispatchResult {
		Self::mutate_as(actor, patient, |info| {
			let at =
				info.guardians.iter().position(|g| g == guardian).ok_or(Error::<T>::NotGuardian)?;
			info.guardians.remove(at);
			Ok(())
		})?;
		WardsOf::<T>::remove(guardian, patient);
		release_account::<T>(guardian);
		T::Audit::log_accounts(
			actor,
			patient,
			AuditAction::GuardianRemoved { guardian: guardian.clone() },
		)
	}

	/// The storage invariants of this pallet. Called by `try_state` and after
	/// every unit test.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut count = 0u64;
		let mut guardianships = 0usize;
		for (patient, info) in PatientOf::<T>::iter() {
			count += 1;
			ensure!(is_valid_encryption_key(&info.encryption_key), "invalid encryption key stored");
			if let Some(cid) = &info.profile {
				ensure!(canonical_cid(cid).as_ref() == Ok(cid), "profile CID not canonical");
			}
			for (i, guardian) in info.guardians.iter().enumerate() {
				ensure!(guardian != &patient, "patient is their own guardian");
				ensure!(!info.guardians[..i].contains(guardian), "duplicate guardian");
				ensure!(WardsOf::<T>::contains_key(guardian, &patient), "guardian not indexed");
			}
			guardianships += info.guardians.len();
		}
		ensure!(PatientCount::<T>::get() == count, "PatientCount != registered patients");
		ensure!(WardsOf::<T>::iter().count() == guardianships, "stale guardian index entry");
		Ok(())
	}
}

impl<T: Config> PatientRegistry<T::AccountId> for Pallet<T> {
	fn is_registered(who: &T::AccountId) -> bool {
		PatientOf::<T>::contains_key(who)
	}

	fn encryption_key(who: &T::AccountId) -> Option<EncryptionKey> {
		PatientOf::<T>::get(who).map(|info| info.encryption_key)
	}

	fn is_guardian(who: &T::AccountId) -> bool {
		WardsOf::<T>::iter_key_prefix(who).next().is_some()
	}

	fn may_act_for(actor: &T::AccountId, patient: &T::AccountId) -> bool {
		PatientOf::<T>::get(patient)
			.is_some_and(|info| actor == patient || info.guardians.contains(actor))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_patient(who: &T::AccountId) {
		if !PatientOf::<T>::contains_key(who) {
			Self::do_register(who, who.clone(), None, [7; 32], None, None)
				.expect("a new patient with a valid key registers");
		}
	}
}
