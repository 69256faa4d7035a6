//! The patients pallet's logic behind its calls, and the registry it offers
//! the other pallets.

use crate::{pallet::*, PatientRegistry, Recovery, Representation};
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use medchain_primitives::{
	canonical_cid, hold_account, is_valid_encryption_key, release_account, AuditAction, AuditLog,
	Cid, CidError, EncryptionKey, Entity, FileClaims, HospitalId, HospitalRegistry, InviteRole,
	RecordKeys,
};

impl<T: Config> Pallet<T> {
	/// Check an optional profile CID and return its canonical form.
	pub(crate) fn checked_profile(profile: Option<Cid>) -> Result<Option<Cid>, Error<T>> {
		profile
			.map(|text| {
				canonical_cid(&text).map_err(|e| match e {
					CidError::TooLong => Error::<T>::CidTooLong,
					CidError::Malformed => Error::<T>::MalformedCid,
				})
			})
			.transpose()
	}

	/// Count a use of `cid` by `patient`'s profile.
	fn claim_profile(patient: &T::AccountId, cid: &Cid) -> Result<(), Error<T>> {
		T::Files::claim(patient, cid).map_err(|_| Error::<T>::CidInUse)
	}

	fn checked_key(key: EncryptionKey) -> Result<EncryptionKey, Error<T>> {
		ensure!(is_valid_encryption_key(&key), Error::<T>::InvalidEncryptionKey);
		Ok(key)
	}

	/// Register `patient`, who signed. Being a patient keeps an account alive,
	/// so it can sign with no tokens. With `at`, that hospital's invitation is
	/// used up and the hospital recorded as the one the patient registered at.
	pub(crate) fn do_register(
		patient: &T::AccountId,
		at: Option<HospitalId>,
		encryption_key: EncryptionKey,
		profile: Option<Cid>,
	) -> DispatchResult {
		ensure!(!PatientOf::<T>::contains_key(patient), Error::<T>::AlreadyRegistered);
		if let Some(at) = at {
			ensure!(
				T::Hospitals::is_invited(patient, InviteRole::Patient, Some(at)),
				Error::<T>::NotInvited
			);
		}
		let encryption_key = Self::checked_key(encryption_key)?;
		let profile = Self::checked_profile(profile)?;
		if let Some(cid) = &profile {
			Self::claim_profile(patient, cid)?;
		}
		// The patient's own reference first: the invitation's goes with it, and
		// the account must not be reaped in between.
		hold_account::<T>(patient);
		let hospital = match at {
			Some(at) => T::Hospitals::take_invitation(patient, InviteRole::Patient, Some(at))?,
			None => None,
		};
		PatientOf::<T>::insert(
			patient,
			PatientInfo::<T> {
				encryption_key,
				profile,
				registered_by: patient.clone(),
				hospital,
				registered_at: T::Time::now(),
				guardians: BoundedVec::new(),
			},
		);
		PatientCount::<T>::mutate(|count| *count = count.saturating_add(1));
		T::Audit::log_accounts(patient, patient, AuditAction::PatientRegistered { hospital })?;
		Self::deposit_event(Event::PatientRegistered { patient: patient.clone(), hospital });
		Ok(())
	}

	/// Run `f` on `patient`'s registration if `allowed` passes.
	fn mutate_if(
		patient: &T::AccountId,
		allowed: impl FnOnce(&PatientInfo<T>) -> Result<(), Error<T>>,
		f: impl FnOnce(&mut PatientInfo<T>) -> DispatchResult,
	) -> DispatchResult {
		PatientOf::<T>::try_mutate(patient, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::NotRegistered)?;
			allowed(info)?;
			f(info)
		})
	}

	/// Run `f` on `patient`'s registration if `actor` may act for them.
	fn mutate_as(
		actor: &T::AccountId,
		patient: &T::AccountId,
		f: impl FnOnce(&mut PatientInfo<T>) -> DispatchResult,
	) -> DispatchResult {
		let allowed = |info: &PatientInfo<T>| {
			ensure!(
				actor == patient || info.guardians.contains(actor),
				Error::<T>::NotPatientOrGuardian
			);
			Ok(())
		};
		Self::mutate_if(patient, allowed, f)
	}

	/// Whether `actor` may name or remove guardians of `patient`: the patient,
	/// or, while a hospital has recorded that the patient cannot act, an admin
	/// of that (active) hospital. Never another guardian.
	fn may_manage_guardians(actor: &T::AccountId, patient: &T::AccountId) -> bool {
		actor == patient
			|| Represented::<T>::get(patient)
				.is_some_and(|r| T::Hospitals::is_active_admin(r.hospital, actor))
	}

	pub(crate) fn do_set_profile(
		actor: &T::AccountId,
		patient: &T::AccountId,
		profile: Option<Cid>,
	) -> DispatchResult {
		Self::mutate_as(actor, patient, |info| {
			let profile = Self::checked_profile(profile)?;
			// The new file first: a profile set again to the same CID keeps its claim.
			if let Some(cid) = &profile {
				Self::claim_profile(patient, cid)?;
			}
			if let Some(old) = &info.profile {
				T::Files::release(patient, old);
			}
			info.profile = profile;
			Ok(())
		})?;
		T::Audit::log_accounts(actor, patient, AuditAction::PatientProfileUpdated)
	}

	pub(crate) fn do_rotate_key(
		actor: &T::AccountId,
		patient: &T::AccountId,
		key: EncryptionKey,
	) -> DispatchResult {
		let only_the_patient = |_: &PatientInfo<T>| {
			ensure!(actor == patient, Error::<T>::NotPatient);
			Ok(())
		};
		Self::mutate_if(patient, only_the_patient, |info| {
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
		let manager = |_: &PatientInfo<T>| {
			ensure!(Self::may_manage_guardians(actor, patient), Error::<T>::MayNotManageGuardians);
			Ok(())
		};
		Self::mutate_if(patient, manager, |info| {
			ensure!(!info.guardians.contains(guardian), Error::<T>::AlreadyGuardian);
			info.guardians.try_push(guardian.clone()).map_err(|_| Error::<T>::TooManyGuardians)?;
			Ok(())
		})?;
		WardsOf::<T>::insert(guardian, patient, ());
		if actor != patient {
			// Named by an admin of the hospital holding the representation: such a guardian
			// does not count as one the patient chose (they cannot cancel a key recovery).
			if let Some(r) = Represented::<T>::get(patient) {
				NamedByHospital::<T>::insert(patient, guardian, r.hospital);
			}
		}
		hold_account::<T>(guardian);
		T::Audit::log_accounts(
			actor,
			patient,
			AuditAction::GuardianAdded { guardian: guardian.clone() },
		)
	}

	/// Returns how many of the guardian's wrapped keys were removed.
	pub(crate) fn do_remove_guardian(
		actor: &T::AccountId,
		patient: &T::AccountId,
		guardian: &T::AccountId,
	) -> Result<u32, DispatchError> {
		let manager = |_: &PatientInfo<T>| {
			ensure!(
				actor == guardian || Self::may_manage_guardians(actor, patient),
				Error::<T>::MayNotManageGuardians
			);
			// A hospital cannot remove, while a recovery is pending, a guardian the patient
			// named: they are who can stop it.
			let by_hospital = actor != guardian && actor != patient;
			let pending = Recoveries::<T>::get(patient).is_some_and(|r| r.holder != *guardian);
			ensure!(
				!(by_hospital && pending && !NamedByHospital::<T>::contains_key(patient, guardian)),
				Error::<T>::RecoveryPending
			);
			Ok(())
		};
		Self::mutate_if(patient, manager, |info| {
			let at =
				info.guardians.iter().position(|g| g == guardian).ok_or(Error::<T>::NotGuardian)?;
			info.guardians.remove(at);
			Ok(())
		})?;
		WardsOf::<T>::remove(guardian, patient);
		NamedByHospital::<T>::remove(patient, guardian);
		release_account::<T>(guardian);
		// A recovery holder who is no longer a guardian receives nothing more.
		Recoveries::<T>::mutate_exists(patient, |recovery| {
			if recovery.as_ref().is_some_and(|r| r.holder == *guardian) {
				*recovery = None;
			}
		});
		let keys_removed =
			T::RecordKeys::remove_reader_keys(patient, guardian, T::MaxKeysPerRemoval::get());
		T::Audit::log_accounts(
			actor,
			patient,
			AuditAction::GuardianRemoved { guardian: guardian.clone() },
		)?;
		Ok(keys_removed)
	}

	/// `approver` is another hospital (whose admin signed), or the council or root: never
	/// anyone of the hospital that recorded the patient cannot act. Starts the delay.
	pub(crate) fn do_approve_recovery(
		approver: Entity<T::AccountId>,
		patient: &T::AccountId,
		holder: &T::AccountId,
	) -> DispatchResult {
		let info = PatientOf::<T>::get(patient).ok_or(Error::<T>::NotRegistered)?;
		// The identity check: the patient's hospital recorded that the patient cannot act
		// (lost keys), and its admin made the new account a guardian.
		ensure!(Represented::<T>::contains_key(patient), Error::<T>::NotRepresented);
		ensure!(info.guardians.contains(holder), Error::<T>::NotGuardian);
		ensure!(PatientOf::<T>::contains_key(holder), Error::<T>::HolderNotRegistered);
		ensure!(!Recoveries::<T>::contains_key(patient), Error::<T>::RecoveryInProgress);
		let now = T::Time::now();
		let effective_at = now.saturating_add(RecoveryDelay::<T>::get());
		let recovery = Recovery {
			holder: holder.clone(),
			approved_by: approver.clone(),
			approved_at: now,
			effective_at,
		};
		Recoveries::<T>::insert(patient, recovery);
		T::Audit::log(
			approver,
			Entity::Account(patient.clone()),
			AuditAction::KeyRecoveryApproved { holder: holder.clone() },
		)?;
		Self::deposit_event(Event::RecoveryApproved {
			patient: patient.clone(),
			holder: holder.clone(),
			effective_at,
		});
		Ok(())
	}

	/// Whether `actor` may cancel `recovery` of `patient`.
	fn may_cancel_recovery(
		actor: &T::AccountId,
		patient: &T::AccountId,
		info: &PatientInfo<T>,
		recovery: &Recovery<T::AccountId>,
	) -> bool {
		let named_by_patient = |g: &T::AccountId| {
			info.guardians.contains(g) && !NamedByHospital::<T>::contains_key(patient, g)
		};
		let admin_of = |h: HospitalId| T::Hospitals::is_active_admin(h, actor);
		// The hospitals involved stop a recovery only while it is pending: once in effect, one
		// of them alone cannot undo a genuine one (and delete what was released).
		let pending = !recovery.is_effective(T::Time::now());
		actor == patient
			|| named_by_patient(actor)
			|| (pending && Represented::<T>::get(patient).is_some_and(|r| admin_of(r.hospital)))
			|| (pending && matches!(recovery.approved_by, Entity::Hospital(h) if admin_of(h)))
	}

	/// `actor` is a signer, or the council or root. Returns how many released shares went.
	pub(crate) fn do_cancel_recovery(
		actor: Entity<T::AccountId>,
		patient: &T::AccountId,
	) -> Result<u32, DispatchError> {
		let info = PatientOf::<T>::get(patient).ok_or(Error::<T>::NotRegistered)?;
		let recovery = Recoveries::<T>::get(patient).ok_or(Error::<T>::NoRecovery)?;
		if let Entity::Account(who) = &actor {
			ensure!(
				Self::may_cancel_recovery(who, patient, &info, &recovery),
				Error::<T>::MayNotCancelRecovery
			);
		}
		Recoveries::<T>::remove(patient);
		let holder = recovery.holder;
		let shares_removed =
			T::RecordKeys::remove_released_shares(patient, &holder, T::MaxKeysPerRemoval::get());
		T::Audit::log(
			actor,
			Entity::Account(patient.clone()),
			AuditAction::KeyRecoveryCancelled { holder: holder.clone() },
		)?;
		Self::deposit_event(Event::RecoveryCancelled {
			patient: patient.clone(),
			holder,
			shares_removed,
		});
		Ok(shares_removed)
	}

	pub(crate) fn do_set_represented(
		admin: &T::AccountId,
		hospital: HospitalId,
		patient: &T::AccountId,
		represented: bool,
	) -> DispatchResult {
		ensure!(T::Hospitals::is_active_admin(hospital, admin), Error::<T>::NotHospitalAdmin);
		let info = PatientOf::<T>::get(patient).ok_or(Error::<T>::NotRegistered)?;
		let current = Represented::<T>::get(patient);
		let action = if represented {
			// Only the hospital the patient registered at (or that holds the record
			// already); another one only once the holder is no longer active. So no
			// admin can declare a stranger incapacitated and name their guardians.
			let ours = match &current {
				Some(r) => r.hospital == hospital || !T::Hospitals::is_active(r.hospital),
				None => info.hospital == Some(hospital),
			};
			ensure!(ours, Error::<T>::NotPatientsHospital);
			Represented::<T>::insert(patient, Representation { hospital, since: T::Time::now() });
			AuditAction::PatientRepresented { hospital }
		} else {
			let current = current.ok_or(Error::<T>::NotRepresented)?;
			ensure!(current.hospital == hospital, Error::<T>::NotPatientsHospital);
			Represented::<T>::remove(patient);
			AuditAction::PatientRepresentationEnded { hospital }
		};
		T::Audit::log_accounts(admin, patient, action)
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
				ensure!(
					T::Files::claimant(cid).as_ref() == Some(&patient),
					"a profile's file is not claimed by its patient"
				);
			}
			for (i, guardian) in info.guardians.iter().enumerate() {
				ensure!(guardian != &patient, "patient is their own guardian");
				ensure!(!info.guardians[..i].contains(guardian), "duplicate guardian");
				ensure!(WardsOf::<T>::contains_key(guardian, &patient), "guardian not indexed");
			}
			guardianships += info.guardians.len();
		}
		ensure!(PatientCount::<T>::get() == count, "PatientCount != registered patients");
		ensure!(
			Represented::<T>::iter_keys().all(PatientOf::<T>::contains_key),
			"an unregistered account is recorded as represented"
		);
		ensure!(WardsOf::<T>::iter().count() == guardianships, "stale guardian index entry");
		for (patient, recovery) in Recoveries::<T>::iter() {
			ensure!(
				WardsOf::<T>::contains_key(&recovery.holder, &patient),
				"a recovery holder who is not the patient's guardian"
			);
			ensure!(
				recovery.effective_at >= recovery.approved_at,
				"a recovery effective before its approval"
			);
			ensure!(
				!matches!(recovery.approved_by, Entity::Account(_)),
				"a recovery approved by one account, not by another hospital or the council"
			);
		}
		for (patient, guardian, _) in NamedByHospital::<T>::iter() {
			ensure!(
				WardsOf::<T>::contains_key(&guardian, &patient),
				"a hospital-named guardian who is no guardian"
			);
		}
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

	fn recovery_holder(patient: &T::AccountId) -> Option<T::AccountId> {
		Recoveries::<T>::get(patient)
			.filter(|recovery| recovery.is_effective(T::Time::now()))
			.map(|recovery| recovery.holder)
	}

	fn may_act_for(actor: &T::AccountId, patient: &T::AccountId) -> bool {
		PatientOf::<T>::get(patient)
			.is_some_and(|info| actor == patient || info.guardians.contains(actor))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_patient(who: &T::AccountId) {
		if !PatientOf::<T>::contains_key(who) {
			Self::do_register(who, None, [7; 32], None)
				.expect("a new patient with a valid key registers");
		}
	}
}
