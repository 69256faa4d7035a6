//! The doctors pallet's logic behind its calls, and the registry it offers
//! the other pallets.

use crate::{pallet::*, DoctorRegistry, DoctorStatus, LicenceHash};
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use medchain_primitives::{
	hold_account, is_valid_encryption_key, release_account, AuditAction, AuditLog, EncryptionKey,
	HospitalId, HospitalRegistry, InviteRole, Moment,
};

/// What an application or a direct registration declares.
pub(crate) struct Declaration<T: Config> {
	pub name: NameOf<T>,
	pub specialty: SpecialtyOf<T>,
	pub licence_hash: LicenceHash,
	pub encryption_key: EncryptionKey,
}

impl<T: Config> Pallet<T> {
	/// Check a name and a specialty (bounded by their types): non-empty UTF-8.
	pub(crate) fn checked_profile(
		name: NameOf<T>,
		specialty: SpecialtyOf<T>,
	) -> Result<(NameOf<T>, SpecialtyOf<T>), Error<T>> {
		ensure!(!name.is_empty() && core::str::from_utf8(&name).is_ok(), Error::<T>::InvalidName);
		ensure!(
			!specialty.is_empty() && core::str::from_utf8(&specialty).is_ok(),
			Error::<T>::InvalidSpecialty
		);
		Ok((name, specialty))
	}

	fn checked_key(key: EncryptionKey) -> Result<EncryptionKey, Error<T>> {
		ensure!(is_valid_encryption_key(&key), Error::<T>::InvalidEncryptionKey);
		Ok(key)
	}

	/// Enter `doctor` at `hospital` with `status`, replacing any earlier entry
	/// (a doctor moving to another hospital). A doctor's entry keeps their
	/// account alive, so a doctor with no tokens can still sign.
	fn enter(
		doctor: &T::AccountId,
		hospital: HospitalId,
		status: DoctorStatus,
		declaration: Declaration<T>,
	) -> DispatchResult {
		ensure!(T::Hospitals::is_active(hospital), Error::<T>::HospitalNotActive);
		let (name, specialty) = Self::checked_profile(declaration.name, declaration.specialty)?;
		let encryption_key = Self::checked_key(declaration.encryption_key)?;
		let licence_hash = declaration.licence_hash;
		ensure!(licence_hash != [0; 32], Error::<T>::InvalidLicenceHash);
		// A hash a hospital verified for someone else cannot even be applied with.
		if let Some(owner) = DoctorByLicence::<T>::get(licence_hash) {
			ensure!(&owner == doctor, Error::<T>::LicenceInUse);
		}

		if let Some(old) = DoctorOf::<T>::get(doctor) {
			DoctorsOf::<T>::remove(old.hospital, doctor);
			if old.licence_hash != licence_hash {
				Self::drop_claim(doctor, old.licence_hash);
			}
		} else {
			hold_account::<T>(doctor);
		}
		// An application claims nothing; a hospital registering directly verifies.
		if status == DoctorStatus::Active {
			DoctorByLicence::<T>::insert(licence_hash, doctor);
		}
		DoctorsOf::<T>::insert(hospital, doctor, ());
		DoctorOf::<T>::insert(
			doctor,
			DoctorInfo::<T> {
				hospital,
				name,
				specialty,
				licence_hash,
				encryption_key,
				status,
				since: T::Time::now(),
			},
		);
		Ok(())
	}

	pub(crate) fn do_apply(
		doctor: &T::AccountId,
		hospital: HospitalId,
		declaration: Declaration<T>,
	) -> DispatchResult {
		if let Some(current) = DoctorOf::<T>::get(doctor) {
			match current.status {
				DoctorStatus::Pending => return Err(Error::<T>::ApplicationPending.into()),
				DoctorStatus::Suspended => return Err(Error::<T>::DoctorSuspended.into()),
				DoctorStatus::Active => {
					ensure!(current.hospital != hospital, Error::<T>::AlreadyAtHospital)
				}
			}
		}
		Self::enter(doctor, hospital, DoctorStatus::Pending, declaration)?;
		T::Hospitals::take_invitation(doctor, InviteRole::Doctor, Some(hospital))?;
		T::Audit::log_accounts(doctor, doctor, AuditAction::DoctorApplied { hospital })
	}

	pub(crate) fn do_register(
		admin: &T::AccountId,
		doctor: &T::AccountId,
		hospital: HospitalId,
		declaration: Declaration<T>,
	) -> DispatchResult {
		ensure!(T::Hospitals::is_active_admin(hospital, admin), Error::<T>::NotHospitalAdmin);
		ensure!(!DoctorOf::<T>::contains_key(doctor), Error::<T>::AlreadyDoctor);
		Self::enter(doctor, hospital, DoctorStatus::Active, declaration)?;
		ActiveSince::<T>::insert(doctor, T::Time::now());
		T::Audit::log_accounts(admin, doctor, AuditAction::DoctorRegistered { hospital })
	}

	/// Move `doctor` from status `from` to `to` as an admin of their hospital.
	/// Returns the hospital.
	pub(crate) fn do_transition(
		admin: &T::AccountId,
		doctor: &T::AccountId,
		from: DoctorStatus,
		to: DoctorStatus,
		action: fn(HospitalId) -> AuditAction<T::AccountId>,
	) -> Result<HospitalId, DispatchError> {
		let hospital = DoctorOf::<T>::try_mutate(doctor, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::NotDoctor)?;
			ensure!(
				T::Hospitals::is_active_admin(info.hospital, admin),
				Error::<T>::NotHospitalAdmin
			);
			ensure!(info.status == from, Self::wrong_status(from));
			info.status = to;
			Ok::<_, DispatchError>(info.hospital)
		})?;
		if to == DoctorStatus::Active {
			ActiveSince::<T>::insert(doctor, T::Time::now());
		}
		T::Audit::log_accounts(admin, doctor, action(hospital))?;
		Ok(hospital)
	}

	fn wrong_status(expected: DoctorStatus) -> Error<T> {
		match expected {
			DoctorStatus::Pending => Error::<T>::NotPending,
			DoctorStatus::Active => Error::<T>::NotActive,
			DoctorStatus::Suspended => Error::<T>::NotSuspended,
		}
	}

	/// Reject a pending application: the entry goes, the licence is free again.
	/// Returns the hospital.
	pub(crate) fn do_reject(
		admin: &T::AccountId,
		doctor: &T::AccountId,
	) -> Result<HospitalId, DispatchError> {
		let info = DoctorOf::<T>::get(doctor).ok_or(Error::<T>::NotDoctor)?;
		ensure!(T::Hospitals::is_active_admin(info.hospital, admin), Error::<T>::NotHospitalAdmin);
		ensure!(info.status == DoctorStatus::Pending, Error::<T>::NotPending);
		DoctorOf::<T>::remove(doctor);
		ActiveSince::<T>::remove(doctor);
		DoctorsOf::<T>::remove(info.hospital, doctor);
		Self::drop_claim(doctor, info.licence_hash);
		release_account::<T>(doctor);
		T::Audit::log_accounts(
			admin,
			doctor,
			AuditAction::DoctorRejected { hospital: info.hospital },
		)?;
		Ok(info.hospital)
	}

	/// Claim the doctor's licence hash, now that a hospital has verified it:
	/// the first verified claim wins.
	pub(crate) fn claim_licence(doctor: &T::AccountId) -> DispatchResult {
		let info = DoctorOf::<T>::get(doctor).ok_or(Error::<T>::NotDoctor)?;
		if let Some(owner) = DoctorByLicence::<T>::get(info.licence_hash) {
			ensure!(&owner == doctor, Error::<T>::LicenceInUse);
		}
		DoctorByLicence::<T>::insert(info.licence_hash, doctor);
		Ok(())
	}

	/// Remove `doctor`'s claim on `hash`, if they hold it.
	fn drop_claim(doctor: &T::AccountId, hash: LicenceHash) {
		if DoctorByLicence::<T>::get(hash).as_ref() == Some(doctor) {
			DoctorByLicence::<T>::remove(hash);
		}
	}

	/// Returns the doctor's hospital.
	pub(crate) fn do_release_licence(
		admin: &T::AccountId,
		doctor: &T::AccountId,
	) -> Result<HospitalId, DispatchError> {
		let info = DoctorOf::<T>::get(doctor).ok_or(Error::<T>::NotDoctor)?;
		ensure!(T::Hospitals::is_active_admin(info.hospital, admin), Error::<T>::NotHospitalAdmin);
		ensure!(info.status == DoctorStatus::Suspended, Error::<T>::NotSuspended);
		ensure!(
			DoctorByLicence::<T>::get(info.licence_hash).as_ref() == Some(doctor),
			Error::<T>::LicenceNotHeld
		);
		DoctorByLicence::<T>::remove(info.licence_hash);
		let action = AuditAction::LicenceReleased { hospital: info.hospital };
		T::Audit::log_accounts(admin, doctor, action)?;
		Ok(info.hospital)
	}

	pub(crate) fn do_update_profile(
		doctor: &T::AccountId,
		name: NameOf<T>,
		specialty: SpecialtyOf<T>,
	) -> DispatchResult {
		let (name, specialty) = Self::checked_profile(name, specialty)?;
		DoctorOf::<T>::try_mutate(doctor, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::NotDoctor)?;
			info.name = name;
			info.specialty = specialty;
			Ok::<_, DispatchError>(())
		})?;
		T::Audit::log_accounts(doctor, doctor, AuditAction::DoctorProfileUpdated)
	}

	pub(crate) fn do_rotate_key(doctor: &T::AccountId, key: EncryptionKey) -> DispatchResult {
		let key = Self::checked_key(key)?;
		DoctorOf::<T>::try_mutate(doctor, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::NotDoctor)?;
			info.encryption_key = key;
			Ok::<_, DispatchError>(())
		})?;
		T::Audit::log_accounts(doctor, doctor, AuditAction::DoctorKeyRotated)
	}

	/// The storage invariants of this pallet. Called by `try_state` and after
	/// every unit test.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(
			ActiveSince::<T>::iter_keys().all(DoctorOf::<T>::contains_key),
			"an activation time kept for an account that is no doctor"
		);
		let mut count = 0usize;
		for (doctor, info) in DoctorOf::<T>::iter() {
			count += 1;
			ensure!(
				DoctorsOf::<T>::contains_key(info.hospital, &doctor),
				"doctor not indexed under their hospital"
			);
			if info.status == DoctorStatus::Active {
				ensure!(
					DoctorByLicence::<T>::get(info.licence_hash) == Some(doctor.clone()),
					"an active doctor does not hold their licence hash"
				);
			}
			ensure!(is_valid_encryption_key(&info.encryption_key), "invalid encryption key stored");
		}
		ensure!(DoctorsOf::<T>::iter().count() == count, "stale hospital index entry");
		for (hash, doctor) in DoctorByLicence::<T>::iter() {
			ensure!(
				DoctorOf::<T>::get(&doctor).is_some_and(|info| info.licence_hash == hash),
				"a licence hash held by someone with another one"
			);
		}
		Ok(())
	}
}

impl<T: Config> DoctorRegistry<T::AccountId> for Pallet<T> {
	fn is_active(who: &T::AccountId) -> bool {
		DoctorOf::<T>::get(who).is_some_and(|info| {
			info.status == DoctorStatus::Active && T::Hospitals::is_active(info.hospital)
		})
	}

	fn is_suspended(who: &T::AccountId) -> bool {
		DoctorOf::<T>::get(who).is_some_and(|info| match info.status {
			DoctorStatus::Suspended => true,
			DoctorStatus::Active => !T::Hospitals::is_active(info.hospital),
			DoctorStatus::Pending => false,
		})
	}

	fn doctors_of(
		hospital: HospitalId,
		after: Option<&T::AccountId>,
		limit: u32,
	) -> alloc::vec::Vec<T::AccountId> {
		let doctors = match after {
			Some(after) => DoctorsOf::<T>::iter_key_prefix_from(
				hospital,
				DoctorsOf::<T>::hashed_key_for(hospital, after),
			),
			None => DoctorsOf::<T>::iter_key_prefix(hospital),
		};
		doctors.take(limit as usize).collect()
	}

	fn hospital_of(who: &T::AccountId) -> Option<HospitalId> {
		DoctorOf::<T>::get(who).map(|info| info.hospital)
	}

	fn encryption_key(who: &T::AccountId) -> Option<EncryptionKey> {
		DoctorOf::<T>::get(who).map(|info| info.encryption_key)
	}

	fn active_since(who: &T::AccountId) -> Option<Moment> {
		let info = DoctorOf::<T>::get(who)?;
		Some(ActiveSince::<T>::get(who).unwrap_or(info.since))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_doctor(who: &T::AccountId, admin: &T::AccountId) -> HospitalId {
		let hospital = T::Hospitals::benchmark_hospital(admin.clone());
		// A licence hash unique to the account: its first 32 encoded bytes.
		let mut licence_hash = [1u8; 32];
		let encoded = who.encode();
		let len = encoded.len().min(32);
		licence_hash[..len].copy_from_slice(&encoded[..len]);
		let declaration = Declaration {
			name: alloc::vec![b'd'; 8].try_into().expect("8 bytes fit"),
			specialty: alloc::vec![b's'; 8].try_into().expect("8 bytes fit"),
			licence_hash,
			encryption_key: [7; 32],
		};
		Self::do_register(admin, who, hospital, declaration)
			.expect("an admin of an active hospital registers a new doctor");
		hospital
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_suspend(who: &T::AccountId) {
		DoctorOf::<T>::mutate(who, |info| {
			if let Some(info) = info {
				info.status = DoctorStatus::Suspended;
			}
		});
	}
}
