//! The access pallet's logic behind its calls, and the policy it offers the
//! records pallet.

use crate::{
	pallet::*, AccessPolicy, EmergencyReason, Grant, Permission, Purpose, Review, Scope,
	SweepCursor, WeightInfo,
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::Time};
use medchain_primitives::{
	canonical_cid, count_down, AuditAction, AuditLog, AuditSeq, DoctorRegistry, EmergencyStatus,
	Entity, GrantTerms, HospitalId, HospitalRegistry, Moment, OnDoctorsSuspended, PatientRegistry,
	RecordCategory, RecordId, RecordKeys,
};

impl<T: Config> Pallet<T> {
	/// Check a scope of `patient`'s records from a call (bounded by its
	/// type): no empty list, no entry twice, and only records the patient has
	/// now (an id listed before it exists would cover a record created later).
	pub(crate) fn checked_scope(
		patient: &T::AccountId,
		scope: ScopeOf<T>,
	) -> Result<ScopeOf<T>, Error<T>> {
		match &scope {
			Scope::All => {}
			Scope::Categories(categories) => {
				ensure!(!categories.is_empty(), Error::<T>::EmptyScope);
				Self::ensure_distinct(categories, Error::<T>::DuplicateCategory)?;
			}
			Scope::Records(records) => {
				ensure!(!records.is_empty(), Error::<T>::EmptyScope);
				Self::ensure_distinct(records, Error::<T>::TooManyRecords)?;
				ensure!(
					records.iter().all(|id| T::RecordKeys::is_record_of(patient, *id)),
					Error::<T>::UnknownRecord
				);
			}
		}
		Ok(scope)
	}

	fn ensure_distinct<X: Ord + Clone>(items: &[X], error: Error<T>) -> Result<(), Error<T>> {
		let mut sorted: Vec<X> = items.to_vec();
		sorted.sort();
		ensure!(sorted.windows(2).all(|w| w[0] != w[1]), error);
		Ok(())
	}

	fn checked_grant(
		patient: &T::AccountId,
		scope: ScopeOf<T>,
		permission: Permission,
		purpose: Purpose,
		expires_at: Option<Moment>,
	) -> Result<GrantInfo<T>, DispatchError> {
		let now = T::Time::now();
		ensure!(expires_at.is_none_or(|at| at > now), Error::<T>::ExpiryInPast);
		Ok(GrantInfo::<T> {
			scope: Self::checked_scope(patient, scope)?,
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
		scope: ScopeOf<T>,
		permission: Permission,
		purpose: Purpose,
		expires_at: Option<Moment>,
	) -> DispatchResult {
		T::Patients::ensure_may_act_for(who, patient, Error::<T>::NotPatientOrGuardian)?;
		ensure!(grantee != patient, Error::<T>::SelfGrant);
		ensure!(T::Doctors::is_active(grantee), Error::<T>::NotActiveDoctor);
		let grant = Self::checked_grant(patient, scope, permission, purpose, expires_at)?;
		let terms = Self::terms_of(&grant)?;
		Self::insert_grant(patient, grantee, grant)?;
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessGranted { grantee: grantee.clone(), terms },
		)
	}

	/// A grant's terms for its audit entry.
	fn terms_of(grant: &GrantInfo<T>) -> Result<GrantTerms, Error<T>> {
		grant.terms().ok_or(Error::<T>::TooManyRecords)
	}

	/// Store a new grant and its index entries, within the bounds.
	pub(crate) fn insert_grant(
		patient: &T::AccountId,
		grantee: &T::AccountId,
		grant: GrantInfo<T>,
	) -> DispatchResult {
		ensure!(!GrantOf::<T>::contains_key(patient, grantee), Error::<T>::GrantExists);
		let grants = GrantCount::<T>::get(patient);
		ensure!(grants < T::MaxGrantsPerPatient::get(), Error::<T>::TooManyGrants);
		let patients = PatientCount::<T>::get(grantee);
		ensure!(patients < T::MaxPatientsPerGrantee::get(), Error::<T>::TooManyPatients);
		GrantOf::<T>::insert(patient, grantee, grant);
		PatientsOf::<T>::insert(grantee, patient, ());
		GrantCount::<T>::insert(patient, grants.saturating_add(1));
		PatientCount::<T>::insert(grantee, patients.saturating_add(1));
		Ok(())
	}

	pub(crate) fn do_change(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
		scope: ScopeOf<T>,
		permission: Permission,
		purpose: Purpose,
		expires_at: Option<Moment>,
	) -> Result<u32, DispatchError> {
		T::Patients::ensure_may_act_for(who, patient, Error::<T>::NotPatientOrGuardian)?;
		ensure!(GrantOf::<T>::contains_key(patient, grantee), Error::<T>::NoGrant);
		ensure!(T::Doctors::is_active(grantee), Error::<T>::NotActiveDoctor);
		let grant = Self::checked_grant(patient, scope, permission, purpose, expires_at)?;
		let terms = Self::terms_of(&grant)?;
		GrantOf::<T>::insert(patient, grantee, grant);
		// A changed break-glass grant is the patient's own grant now: the emergency is over,
		// and its released shares go with the grantee's keys.
		OpenEmergencies::<T>::remove(patient, grantee);
		let keys = T::RecordKeys::remove_reader_keys(patient, grantee, T::MaxKeysPerRevoke::get());
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessChanged { grantee: grantee.clone(), terms },
		)?;
		Ok(keys)
	}

	/// Remove a grant, its index entries and the grantee's keys. Returns how
	/// many keys went.
	fn remove_grant(patient: &T::AccountId, grantee: &T::AccountId) -> Result<u32, DispatchError> {
		GrantOf::<T>::take(patient, grantee).ok_or(Error::<T>::NoGrant)?;
		// A live emergency is its break-glass grant: it ends with it.
		OpenEmergencies::<T>::remove(patient, grantee);
		PatientsOf::<T>::remove(grantee, patient);
		GrantCount::<T>::mutate_exists(patient, count_down);
		PatientCount::<T>::mutate_exists(grantee, count_down);
		Ok(T::RecordKeys::remove_reader_keys(patient, grantee, T::MaxKeysPerRevoke::get()))
	}

	pub(crate) fn do_revoke(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
	) -> Result<u32, DispatchError> {
		T::Patients::ensure_may_act_for(who, patient, Error::<T>::NotPatientOrGuardian)?;
		let keys_removed = Self::remove_grant(patient, grantee)?;
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessRevoked { grantee: grantee.clone(), keys_removed },
		)?;
		Ok(keys_removed)
	}

	/// A grantee ends a grant they hold, so that nobody can fill a doctor's
	/// `MaxPatientsPerGrantee` with grants they never wanted.
	pub(crate) fn do_decline(
		grantee: &T::AccountId,
		patient: &T::AccountId,
	) -> Result<u32, DispatchError> {
		let keys_removed = Self::remove_grant(patient, grantee)?;
		T::Audit::log_accounts(grantee, patient, AuditAction::GrantDeclined { keys_removed })?;
		Ok(keys_removed)
	}

	pub(crate) fn do_remove_inactive_keys(
		who: &T::AccountId,
		patient: &T::AccountId,
		grantee: &T::AccountId,
	) -> Result<u32, DispatchError> {
		ensure!(GrantOf::<T>::contains_key(patient, grantee), Error::<T>::NoGrant);
		ensure!(!T::Doctors::is_active(grantee), Error::<T>::GranteeActive);
		let keys_removed =
			T::RecordKeys::remove_reader_keys(patient, grantee, T::MaxKeysPerRevoke::get());
		let action =
			AuditAction::InactiveGranteeKeysRemoved { grantee: grantee.clone(), keys_removed };
		T::Audit::log_accounts(who, patient, action)?;
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

	/// Returns when the request expires.
	pub(crate) fn do_request(
		doctor: &T::AccountId,
		patient: &T::AccountId,
		scope: ScopeOf<T>,
		permission: Permission,
		purpose: Purpose,
		note: Option<medchain_primitives::Cid>,
	) -> Result<Moment, DispatchError> {
		ensure!(T::Doctors::is_active(doctor), Error::<T>::NotActiveDoctor);
		ensure!(T::Patients::is_registered(patient), Error::<T>::UnknownPatient);
		ensure!(doctor != patient, Error::<T>::SelfGrant);
		let now = T::Time::now();
		// A denied doctor does not refill the patient's requests at once (trust review,
		// item 9); a denial older than a request's lifetime is forgotten.
		if let Some(denied) = DeniedAt::<T>::get(patient, doctor) {
			ensure!(
				now.saturating_sub(denied) >= T::RequestLifetime::get(),
				Error::<T>::RecentlyDenied
			);
			DeniedAt::<T>::remove(patient, doctor);
		}
		let replaces = match RequestOf::<T>::get(patient, doctor) {
			Some(request) => {
				ensure!(now >= request.expires_at, Error::<T>::RequestExists);
				// The expired request goes, and the trail says so.
				let action = AuditAction::ExpiredRequestRemoved { doctor: doctor.clone() };
				T::Audit::log_accounts(doctor, patient, action)?;
				true
			}
			None => false,
		};
		let scope = Self::checked_scope(patient, scope)?;
		let note = note
			.map(|cid| canonical_cid(&cid).map_err(|_| Error::<T>::MalformedNote))
			.transpose()?;
		let count = RequestCount::<T>::get(patient);
		if !replaces {
			ensure!(count < T::MaxRequestsPerPatient::get(), Error::<T>::TooManyRequests);
			RequestCount::<T>::insert(patient, count.saturating_add(1));
		}
		let expires_at = now.saturating_add(T::RequestLifetime::get());
		let request =
			RequestInfo::<T> { scope, permission, purpose, note, requested_at: now, expires_at };
		RequestOf::<T>::insert(patient, doctor, request);
		T::Audit::log_accounts(
			doctor,
			patient,
			AuditAction::AccessRequested { doctor: doctor.clone() },
		)?;
		Ok(expires_at)
	}

	/// Remove a request and free its slot.
	pub(crate) fn take_request(
		patient: &T::AccountId,
		doctor: &T::AccountId,
	) -> Result<RequestInfo<T>, DispatchError> {
		let request = RequestOf::<T>::take(patient, doctor).ok_or(Error::<T>::NoRequest)?;
		RequestCount::<T>::mutate_exists(patient, count_down);
		Ok(request)
	}

	/// End a request (freeing its slot) and write `action` by `actor` to the
	/// patient's trail. Returns the request, for checks that undo it all by
	/// failing.
	pub(crate) fn end_request(
		actor: &T::AccountId,
		patient: &T::AccountId,
		doctor: &T::AccountId,
		action: AuditAction<T::AccountId>,
	) -> Result<RequestInfo<T>, DispatchError> {
		let request = Self::take_request(patient, doctor)?;
		T::Audit::log_accounts(actor, patient, action)?;
		Ok(request)
	}

	/// Returns the permission granted.
	pub(crate) fn do_approve(
		who: &T::AccountId,
		patient: &T::AccountId,
		doctor: &T::AccountId,
		scope: Option<ScopeOf<T>>,
		permission: Option<Permission>,
		expires_at: Option<Moment>,
		keys: ApprovalKeys<T>,
	) -> Result<Permission, DispatchError> {
		T::Patients::ensure_may_act_for(who, patient, Error::<T>::NotPatientOrGuardian)?;
		let request = Self::take_request(patient, doctor)?;
		let now = T::Time::now();
		ensure!(now < request.expires_at, Error::<T>::RequestExpired);
		ensure!(T::Doctors::is_active(doctor), Error::<T>::NotActiveDoctor);
		let scope = match scope {
			Some(scope) => Self::checked_scope(patient, scope)?,
			None => request.scope.clone(),
		};
		ensure!(scope.within(&request.scope), Error::<T>::NotWithinRequest);
		let permission = permission.unwrap_or(request.permission);
		ensure!(permission.within(request.permission), Error::<T>::NotWithinRequest);
		ensure!(expires_at.is_none_or(|at| at > now), Error::<T>::ExpiryInPast);
		let grant =
			Grant { scope, permission, purpose: request.purpose, expires_at, granted_at: now };
		let terms = Self::terms_of(&grant)?;
		Self::insert_grant(patient, doctor, grant)?;
		T::Audit::log_accounts(
			who,
			patient,
			AuditAction::AccessRequestApproved { doctor: doctor.clone(), terms },
		)?;
		T::RecordKeys::share_keys(who, patient, doctor, keys.into_inner())?;
		Ok(permission)
	}

	/// Returns the doctor's hospital, the grant's expiry and the audit entry to review.
	pub(crate) fn do_emergency(
		doctor: &T::AccountId,
		patient: &T::AccountId,
		reason: EmergencyReason,
	) -> Result<(HospitalId, Moment, AuditSeq), DispatchError> {
		ensure!(T::Doctors::is_active(doctor), Error::<T>::NotActiveDoctor);
		let hospital = T::Doctors::hospital_of(doctor).ok_or(Error::<T>::NotActiveDoctor)?;
		ensure!(T::Patients::is_registered(patient), Error::<T>::UnknownPatient);
		ensure!(doctor != patient, Error::<T>::SelfGrant);
		let now = T::Time::now();
		// A doctor a hospital just made (or moved, or reinstated) waits: the approval is on
		// chain for every hospital and the council to see first (trust review, attack 3).
		let active_since = T::Doctors::active_since(doctor).unwrap_or(now);
		ensure!(
			now.saturating_sub(active_since) >= EmergencyProbation::<T>::get(),
			Error::<T>::DoctorOnProbation
		);
		// Rolling windows: the openings of the last `EmergencyPeriod`, so
		// that no boundary lets twice the bound through in minutes; per
		// doctor, and per hospital (all its doctors, however many it makes).
		let recent = |at: &Moment| now.saturating_sub(*at) < T::EmergencyPeriod::get();
		let mut openings = EmergencyOpenings::<T>::get(doctor);
		openings.retain(recent);
		openings.try_push(now).map_err(|_| Error::<T>::TooManyEmergencies)?;
		let mut hospital_openings = HospitalEmergencyOpenings::<T>::get(hospital);
		hospital_openings.retain(recent);
		hospital_openings.try_push(now).map_err(|_| Error::<T>::HospitalEmergencyQuota)?;
		let expires_at = now.saturating_add(T::EmergencyDuration::get());
		// Read only: break-glass is for reading what is there, never for
		// filling a patient's bounded records with new ones.
		let grant = Grant {
			scope: Scope::All,
			permission: Permission::Read,
			purpose: Purpose::Emergency,
			expires_at: Some(expires_at),
			granted_at: now,
		};
		Self::insert_grant(patient, doctor, grant)?;
		EmergencyOpenings::<T>::insert(doctor, openings);
		HospitalEmergencyOpenings::<T>::insert(hospital, hospital_openings);
		let entry = T::Audit::log(
			Entity::Account(doctor.clone()),
			Entity::Account(patient.clone()),
			AuditAction::EmergencyAccessOpened { hospital, reason, expires_at },
		)?;
		let review =
			Review { patient: patient.clone(), doctor: doctor.clone(), reason, opened_at: now };
		PendingReviews::<T>::insert(hospital, entry, review);
		OpenEmergencies::<T>::insert(patient, doctor, (hospital, entry));
		Ok((hospital, expires_at, entry))
	}

	/// Close a review: by an admin of the doctor's hospital, or of any active
	/// hospital once the doctor's hospital is not active (so that no review
	/// is stranded); never by the doctor who broke the glass.
	///
	/// Closing the review of the doctor's current emergency ends it: the shares key-release
	/// services released to the doctor on the patient's records are removed, and an
	/// unjustified verdict also ends the break-glass grant with every key the doctor holds
	/// on the patient's records. Returns how many keys and released shares were removed.
	pub(crate) fn do_close_review(
		admin: &T::AccountId,
		hospital: HospitalId,
		entry: AuditSeq,
		justified: bool,
	) -> Result<u32, DispatchError> {
		let may_review = if T::Hospitals::is_active(hospital) {
			T::Hospitals::is_active_admin(hospital, admin)
		} else {
			T::Hospitals::is_admin_anywhere(admin)
		};
		ensure!(may_review, Error::<T>::NotHospitalAdmin);
		let review = PendingReviews::<T>::take(hospital, entry).ok_or(Error::<T>::NoReview)?;
		ensure!(&review.doctor != admin, Error::<T>::OwnReview);
		// A later opening by the same doctor has its own review: only the
		// latest one's closing ends the emergency.
		let (patient, doctor) = (&review.patient, &review.doctor);
		let current = OpenEmergencies::<T>::get(patient, doctor) == Some((hospital, entry));
		T::Audit::log_accounts(
			admin,
			patient,
			AuditAction::EmergencyReviewClosed { entry, justified },
		)?;
		if !current {
			return Ok(0);
		}
		OpenEmergencies::<T>::remove(patient, doctor);
		if justified {
			let limit = T::MaxKeysPerRevoke::get();
			return Ok(T::RecordKeys::remove_released_shares(patient, doctor, limit));
		}
		let keys_removed = Self::remove_grant(patient, doctor)?;
		let action = AuditAction::AccessRevoked { grantee: doctor.clone(), keys_removed };
		T::Audit::log_accounts(admin, patient, action)?;
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
	#[cfg(any(feature = "try-runtime", feature = "std"))]
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
		let mut requests: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		for (patient, _, request) in RequestOf::<T>::iter() {
			ensure!(request.requested_at < request.expires_at, "request expires before it is made");
			*requests.entry(patient).or_default() += 1;
		}
		ensure!(
			RequestCount::<T>::iter().collect::<BTreeMap<_, _>>() == requests,
			"RequestCount does not count requests"
		);
		let now = T::Time::now();
		for (_, openings) in EmergencyOpenings::<T>::iter() {
			ensure!(!openings.is_empty(), "an empty list of emergency openings is stored");
			ensure!(openings.windows(2).all(|w| w[0] <= w[1]), "emergency openings out of order");
			ensure!(openings.iter().all(|at| *at <= now), "an emergency opening in the future");
		}
		for (patient, doctor, (hospital, entry)) in OpenEmergencies::<T>::iter() {
			let review = PendingReviews::<T>::get(hospital, entry)
				.ok_or("an open emergency whose review is closed")?;
			ensure!(
				review.patient == patient && review.doctor == doctor,
				"an open emergency names another review"
			);
			// A live emergency is its break-glass grant: no other grant carries it.
			ensure!(
				GrantOf::<T>::get(&patient, &doctor).is_some_and(|g| {
					g.purpose == Purpose::Emergency && g.granted_at == review.opened_at
				}),
				"an open emergency without its break-glass grant"
			);
		}
		Ok(())
	}
}

/// The background removal of suspended doctors' keys.
impl<T: Config> Pallet<T> {
	/// Whether the removal of `doctor`'s keys is queued or under way.
	pub(crate) fn sweep_pending(doctor: &T::AccountId) -> bool {
		KeySweeps::<T>::contains_key(doctor)
			|| T::Doctors::hospital_of(doctor).is_some_and(HospitalSweeps::<T>::contains_key)
	}

	/// Take steps of the sweep within `limit`, at most
	/// `MaxSweepStepsPerBlock`. Returns the weight used.
	pub(crate) fn sweep(limit: Weight) -> Weight {
		// Finding out whether there is anything to do: one read of each queue.
		let mut used = T::DbWeight::get().reads(2);
		for _ in 0..T::MaxSweepStepsPerBlock::get() {
			match Self::sweep_step(limit.saturating_sub(used)) {
				Some(weight) => used.saturating_accrue(weight),
				None => break,
			}
		}
		used
	}

	/// One step within `room`: queue the next doctor of a suspended hospital,
	/// or else remove as many of the next doctor's keys on one patient's
	/// records as `room` allows (at most `MaxKeysPerRevoke`). Returns its
	/// weight; `None` when nothing is queued or `room` holds no step.
	pub(crate) fn sweep_step(room: Weight) -> Option<Weight> {
		let hospital_step = T::WeightInfo::sweep_hospital();
		if !room.all_gte(hospital_step) {
			return None;
		}
		if let Some((hospital, cursor)) = HospitalSweeps::<T>::iter().next() {
			Self::queue_next_doctor(hospital, cursor);
			return Some(hospital_step);
		}
		let limit = Self::keys_that_fit(room);
		if limit == 0 {
			return None;
		}
		let (doctor, cursor) = KeySweeps::<T>::iter().next()?;
		let keys_removed = Self::sweep_next_patient(&doctor, cursor, limit);
		Some(T::WeightInfo::sweep_doctor(keys_removed))
	}

	/// How many keys a doctor step may remove within `room`: the benchmark's
	/// fixed cost first, then its cost per key, in both weight dimensions.
	fn keys_that_fit(room: Weight) -> u32 {
		let fixed = T::WeightInfo::sweep_doctor(0);
		let per_key = T::WeightInfo::sweep_doctor(1).saturating_sub(fixed);
		let Some(spare) = room.checked_sub(&fixed) else { return 0 };
		let by_time = spare.ref_time().checked_div(per_key.ref_time()).unwrap_or(u64::MAX);
		let by_proof = spare.proof_size().checked_div(per_key.proof_size()).unwrap_or(u64::MAX);
		let max = u64::from(T::MaxKeysPerRevoke::get().max(1));
		by_time.min(by_proof).min(max) as u32
	}

	fn queue_next_doctor(hospital: HospitalId, cursor: SweepCursor<T::AccountId>) {
		// Reinstated: its doctors are active again and keep what they hold.
		if T::Hospitals::is_active(hospital) {
			HospitalSweeps::<T>::remove(hospital);
			return;
		}
		let Some(doctor) = T::Doctors::doctors_of(hospital, cursor.after.as_ref(), 1).pop() else {
			HospitalSweeps::<T>::remove(hospital);
			return;
		};
		Self::queue_doctor(&doctor);
		HospitalSweeps::<T>::insert(hospital, SweepCursor { after: Some(doctor) });
	}

	/// Queue `doctor`'s keys for removal, if suspended with patients and not
	/// already queued (a queued sweep keeps its place).
	fn queue_doctor(doctor: &T::AccountId) {
		if PatientCount::<T>::get(doctor) > 0
			&& T::Doctors::is_suspended(doctor)
			&& !KeySweeps::<T>::contains_key(doctor)
		{
			KeySweeps::<T>::insert(doctor, SweepCursor::start());
		}
	}

	/// Remove up to `limit` of `doctor`'s keys on the records of their next
	/// patient after `cursor`, as a revocation would (the grant stays: it
	/// counts as absent while the doctor is suspended). The cursor moves past
	/// the patient once fewer than `limit` went (none left); otherwise the
	/// next step takes the same patient again. Returns how many keys went.
	fn sweep_next_patient(
		doctor: &T::AccountId,
		cursor: SweepCursor<T::AccountId>,
		limit: u32,
	) -> u32 {
		let next = match &cursor.after {
			// `iter_*_from` starts after the given key.
			Some(after) => PatientsOf::<T>::iter_key_prefix_from(
				doctor,
				PatientsOf::<T>::hashed_key_for(doctor, after),
			)
			.next(),
			None => PatientsOf::<T>::iter_key_prefix(doctor).next(),
		};
		let patient = match next {
			Some(patient) if T::Doctors::is_suspended(doctor) => patient,
			// Done, or reinstated first: keys not yet removed stay.
			end => {
				KeySweeps::<T>::remove(doctor);
				let finished = end.is_none();
				Self::deposit_event(Event::KeySweepEnded { doctor: doctor.clone(), finished });
				return 0;
			}
		};
		let keys_removed = frame_support::storage::with_storage_layer(|| {
			let keys_removed = T::RecordKeys::remove_reader_keys(&patient, doctor, limit);
			if keys_removed < limit {
				KeySweeps::<T>::insert(doctor, SweepCursor { after: Some(patient.clone()) });
			}
			if keys_removed > 0 {
				let grantee = doctor.clone();
				let action = AuditAction::InactiveGranteeKeysRemoved { grantee, keys_removed };
				T::Audit::log(Entity::Runtime, Entity::Account(patient.clone()), action)?;
			}
			Ok::<_, DispatchError>(keys_removed)
		});
		match keys_removed {
			Ok(0) => 0,
			Ok(keys_removed) => {
				Self::deposit_event(Event::InactiveGranteeKeysRemoved {
					patient,
					grantee: doctor.clone(),
					keys_removed,
				});
				keys_removed
			}
			// Only a full audit trail refuses an entry: the keys stay (rolled
			// back) and the sweep moves past the patient rather than retry
			// forever.
			Err(e) => {
				frame_support::defensive!("a sweep's audit entry was refused", e);
				KeySweeps::<T>::insert(doctor, SweepCursor { after: Some(patient) });
				0
			}
		}
	}
}

impl<T: Config> OnDoctorsSuspended<T::AccountId> for Pallet<T> {
	fn doctor_suspended(doctor: &T::AccountId) {
		Self::queue_doctor(doctor);
	}

	fn hospital_suspended(hospital: HospitalId) {
		HospitalSweeps::<T>::insert(hospital, SweepCursor::start());
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

	fn may_hold_keys(grantee: &T::AccountId, patient: &T::AccountId) -> bool {
		GrantOf::<T>::contains_key(patient, grantee)
			&& (!T::Doctors::is_suspended(grantee) || Self::sweep_pending(grantee))
	}

	fn emergency_status(doctor: &T::AccountId, patient: &T::AccountId) -> EmergencyStatus {
		match GrantOf::<T>::get(patient, doctor) {
			Some(grant) if grant.purpose == Purpose::Emergency => {
				if grant.is_expired(T::Time::now()) {
					EmergencyStatus::Expired
				} else if OpenEmergencies::<T>::contains_key(patient, doctor) {
					EmergencyStatus::Live
				} else {
					EmergencyStatus::Reviewed
				}
			}
			_ => EmergencyStatus::None,
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_emergency(patient: &T::AccountId, doctor: &T::AccountId) {
		Self::do_emergency(doctor, patient, EmergencyReason::PatientUnconscious)
			.expect("an active doctor breaks the glass for a registered patient");
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_grant(patient: &T::AccountId, grantee: &T::AccountId) {
		let grant = Grant {
			scope: Scope::All,
			permission: Permission::ReadWrite,
			purpose: Purpose::Treatment,
			expires_at: None,
			granted_at: T::Time::now(),
		};
		Self::insert_grant(patient, grantee, grant).expect("room for the benchmark's grant");
	}
}
