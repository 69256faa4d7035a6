//! The access pallet's logic behind its calls, and the policy it offers the
//! records pallet.

use crate::{pallet::*, AccessPolicy, BoundedScope, Permission, Purpose, Scope, ScopeInput};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use medchain_primitives::{
	AuditAction, AuditLog, DoctorRegistry, Moment, PatientRegistry, RecordCategory, RecordId,
	RecordKeys,
};

impl<T: Config> Pallet<T> {
	fn ensure_may_act(who: &T::AccountId, patient: &T::AccountId) -> DispatchResult {
		ensure!(T::Patients::may_act_for(who, patient), Error::<T>::NotPatientOrGuardian);
		Ok(())
	}

	/// Check a scope from a call into its stored form.
	pub(crate) fn checked_scope(
		scope: ScopeInput,
	) -> Result<BoundedScope<T::MaxScopeRecords>, Error<T>> {
		Ok(match scope {
			Scope::All => Scope::All,
			Scope::Categories(categories) => {
				ensure!(!categories.is_empty(), Error::<T>::EmptyScope);
				// Bound first, then sort: only ten distinct categories exist, so a
				// longer list repeats one.
				let categories: BoundedVec<_, _> =
					categories.try_into().map_err(|_| Error::<T>::DuplicateCategory)?;
				Self::ensure_distinct(&categories, Error::<T>::DuplicateCategory)?;
				Scope::Categories(categories)
			}
			Scope::Records(records) => {
				ensure!(!records.is_empty(), Error::<T>::EmptyScope);
				let records: BoundedVec<_, _> =
					records.try_into().map_err(|_| Error::<T>::TooManyRecords)?;
				Self::ensure_distinct(&records, Error::<T>::TooManyRecords)?;
				Scope::Records(records)
			}
		})
	}

	fn ensure_distinct<X: Ord + Clone>(items: &[X], error: Error<T>) -> Result<(), Error<T>> {
		let mut sorted: Vec<X> = items.to_vec();
		sorted.sort();
		ensure!(sorted.windows(2).all(|w| w[0] != w[1]), error);
		Ok(())
	}

	fn checked_grant(
		scope: ScopeInput,
		permission: Permission,
		purpose: Purpose,
		expires_at: Option<Moment>,
	) -> Result<GrantInfo<T>, DispatchError> {
		let now = T::Time::now();
		ensure!(expires_at.map_or(true, |at| at > now), Error::<T>::ExpiryInPast);
		Ok(GrantInfo::<T> {
			scope: Self::checked_scope(scope)?,
			permission,
			purpose,
			expires_at,
			granted_at: now,
		})
	}

	pub(crate) fn do_grant(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
		scope: ScopeInput,
		permission: Permission,
		purpose: Purpose,
		expires_at: Option<Moment>,
	) -> DispatchResult {
		Self::ensure_may_act(who, patient)?;
		ensure!(grantee != patient, Error::<T>::SelfGrant);
		ensure!(T::Doctors::is_active(grantee), Error::<T>::NotActiveDoctor);
		ensure!(!GrantOf::<T>::contains_key(patient, grantee), Error::<T>::GrantExists);
		let grant = Self::checked_grant(scope, permission, purpose, expires_at)?;
		let grants = GrantCount::<T>::get(patient);
		ensure!(grants < T::MaxGrantsPerPatient::get(), Error::<T>::TooManyGrants);
		let patients = PatientCount::<T>::get(grantee);
		ensure!(patients < T::MaxPatientsPerGrantee::get(), Error::<T>::TooManyPatients);

		GrantOf::<T>::insert(patient, grantee, grant);
		PatientsOf::<T>::insert(grantee, patient, ());
		GrantCount::<T>::insert(patient, grants.saturating_add(1));
		PatientCount::<T>::insert(grantee, patients.saturating_add(1));
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessGranted { grantee: grantee.clone() },
		)
	}

	pub(crate) fn do_change(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
		scope: ScopeInput,
		permission: Permission,
		purpose: Purpose,
		expires_at: Option<Moment>,
	) -> DispatchResult {
		Self::ensure_may_act(who, patient)?;
		ensure!(GrantOf::<T>::contains_key(patient, grantee), Error::<T>::NoGrant);
		ensure!(T::Doctors::is_active(grantee), Error::<T>::NotActiveDoctor);
		let grant = Self::checked_grant(scope, permission, purpose, expires_at)?;
		GrantOf::<T>::insert(patient, grantee, grant);
		T::RecordKeys::remove_reader_keys(patient, grantee, T::MaxKeysPerRevoke::get());
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessChanged { grantee: grantee.clone() },
		)
	}

	/// Remove a grant, its index entries and the grantee's keys. Returns how
	/// many keys went.
	fn remove_grant(patient: &T::AccountId, grantee: &T::AccountId) -> Result<u32, DispatchError> {
		GrantOf::<T>::take(patient, grantee).ok_or(Error::<T>::NoGrant)?;
		PatientsOf::<T>::remove(grantee, patient);
		GrantCount::<T>::mutate_exists(patient, |n| {
			*n = n.map(|n| n.saturating_sub(1)).filter(|n| *n > 0)
		});
		PatientCount::<T>::mutate_exists(grantee, |n| {
			*n = n.map(|n| n.saturating_sub(1)).filter(|n| *n > 0)
		});
		Ok(T::RecordKeys::remove_reader_keys(patient, grantee, T::MaxKeysPerRevoke::get()))
	}

	pub(crate) fn do_revoke(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
	) -> Result<u32, DispatchError> {
		Self::ensure_may_act(who, patient)?;
		let keys_removed = Self::remove_grant(patient, grantee)?;
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessRevoked { grantee: grantee.clone(), keys_removed },
		)?;
		Ok(keys_removed)
	}

	pub(crate) fn do_remove_expired(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
	) -> Result<u32, DispatchError> {
		let grant = GrantOf::<T>::get(patient, grantee).ok_or(Error::<T>::NoGrant)?;
		ensure!(grant.is_expired(T::Time::now()), Error::<T>::NotExpired);
		let keys_removed = Self::remove_grant(patient, grantee)?;
		let action = AuditAction::ExpiredGrantRemoved { grantee: grantee.clone(), keys_removed };
		T::Audit::log_accounts(who, patient, action)?;
		Ok(keys_removed)
	}

	/// The grant of `patient` to `grantee` if it counts now: present, not
	/// expired, and the grantee an active doctor.
	pub fn live_grant(patient: &T::AccountId, grantee: &T::AccountId) -> Option<GrantInfo<T>> {
		GrantOf::<T>::get(patient, grantee)
			.filter(|grant| !grant.is_expired(T::Time::now()))
			.filter(|_| T::Doctors::is_active(grantee))
	}

	/// The storage invariants of this pallet. Called by `try_state` and after
	/// every unit test.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut grants: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut patients: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (patient, grantee, _) in GrantOf::<T>::iter() {
			ensure!(PatientsOf::<T>::contains_key(&grantee, &patient), "grant not indexed");
			*grants.entry(patient).or_default() += 1;
			*patients.entry(grantee).or_default() += 1;
		}
		ensure!(
			GrantCount::<T>::iter().collect::<BTreeMap<_, _>>() == grants,
			"GrantCount does not count grants"
		);
		ensure!(
			PatientCount::<T>::iter().collect::<BTreeMap<_, _>>() == patients,
			"PatientCount does not count grants"
		);
		ensure!(
			PatientsOf::<T>::iter().count() == GrantOf::<T>::iter().count(),
			"stale patient index entry"
		);
		Ok(())
	}
}

impl<T: Config> AccessPolicy<T::AccountId> for Pallet<T> {
	fn can_read(
		reader: &T::AccountId,
		patient: &T::AccountId,
		record: RecordId,
		category: RecordCategory,
	) -> bool {
		Self::live_grant(patient, reader).is_some_and(|g| g.scope.covers(Some(record), category))
	}

	fn can_write(
		writer: &T::AccountId,
		patient: &T::AccountId,
		record: Option<RecordId>,
		category: RecordCategory,
	) -> bool {
		Self::live_grant(patient, writer).is_some_and(|g| {
			g.permission == Permission::ReadWrite && g.scope.covers(record, category)
		})
	}
}
