use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Get};
use medchain_primitives::{
	testing::{MockDoctors, MockHospitals},
	AuditAction, EmergencyStatus, Entity, GrantTerms,
	RecordCategory::*,
};
use sp_runtime::{BoundedVec, DispatchError, DispatchResult};

const PATIENT: u64 = 10;
const GUARDIAN: u64 = 20;
const OTHER_PATIENT: u64 = 11;
const DOCTOR: u64 = 30;
const OTHER_DOCTOR: u64 = 31;
const STRANGER: u64 = 99;

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// A list as a call's bounded argument. A longer one does not even decode
/// (the runtime's `free_block_stuffing_*` tests), so no test passes one.
fn bound<T, S: Get<u32>>(items: Vec<T>) -> BoundedVec<T, S> {
	items.try_into().ok().expect("within its bound")
}

// The calls with plain lists.
fn request_access(
	origin: RuntimeOrigin,
	patient: u64,
	scope: ScopeOf<Test>,
	permission: Permission,
	purpose: Purpose,
	note: Option<Vec<u8>>,
) -> DispatchResult {
	Access::request_access(origin, patient, scope, permission, purpose, note.map(bound))
}

fn approve_request(
	origin: RuntimeOrigin,
	patient: u64,
	doctor: u64,
	scope: Option<ScopeOf<Test>>,
	permission: Option<Permission>,
	expires_at: Option<u64>,
	keys: Vec<(RecordId, Vec<u8>)>,
) -> DispatchResult {
	let keys = keys.into_iter().map(|(id, key)| (id, bound(key))).collect();
	Access::approve_request(origin, patient, doctor, scope, permission, expires_at, bound(keys))
}

fn grant(
	by: u64,
	patient: u64,
	grantee: u64,
	scope: ScopeOf<Test>,
	permission: Permission,
	expires_at: Option<u64>,
) -> sp_runtime::DispatchResult {
	Access::grant(signed(by), patient, grantee, scope, permission, Purpose::Treatment, expires_at)
}

fn read_all(expires_at: Option<u64>) {
	assert_ok!(grant(PATIENT, PATIENT, DOCTOR, Scope::All, Permission::Read, expires_at));
}

fn can_read(reader: u64, record: RecordId, category: RecordCategory) -> bool {
	<Access as AccessPolicy<u64>>::can_read(&reader, &PATIENT, record, category)
}

fn can_write(writer: u64, record: Option<RecordId>, category: RecordCategory) -> bool {
	<Access as AccessPolicy<u64>>::can_write(&writer, &PATIENT, record, category)
}

fn trail(who: u64) -> Vec<(Entity<u64>, AuditAction<u64>)> {
	Audit::verified_trail(&Entity::Account(who)).expect("hash chain verifies")
}

/// A grant's terms as the audit trail records them.
fn terms(
	scope: ScopeOf<Test>,
	permission: Permission,
	purpose: Purpose,
	expires_at: Option<u64>,
) -> GrantTerms {
	GrantTerms { scope: scope.audited().unwrap(), permission, purpose, expires_at }
}

fn by(who: u64, action: AuditAction<u64>) -> (Entity<u64>, AuditAction<u64>) {
	(Entity::Account(who), action)
}

#[test]
fn a_patient_grants_a_doctor_read_access() {
	test(|| {
		read_all(Some(NOW + HOUR));
		let stored = GrantOf::<Test>::get(PATIENT, DOCTOR).unwrap();
		assert_eq!(stored.scope, Scope::All);
		assert_eq!(stored.permission, Permission::Read);
		assert_eq!(stored.purpose, Purpose::Treatment);
		assert_eq!(stored.expires_at, Some(NOW + HOUR));
		assert_eq!(stored.granted_at, NOW);
		assert!(PatientsOf::<Test>::contains_key(DOCTOR, PATIENT));
		assert_eq!((GrantCount::<Test>::get(PATIENT), PatientCount::<Test>::get(DOCTOR)), (1, 1));
		System::assert_last_event(
			Event::AccessGranted {
				patient: PATIENT,
				grantee: DOCTOR,
				permission: Permission::Read,
				expires_at: Some(NOW + HOUR),
			}
			.into(),
		);
		assert!(can_read(DOCTOR, 1, LabResult));
		assert!(!can_write(DOCTOR, None, LabResult));
		assert!(!can_read(OTHER_DOCTOR, 1, LabResult));
		assert_eq!(
			trail(PATIENT),
			vec![by(
				PATIENT,
				AuditAction::AccessGranted {
					grantee: DOCTOR,
					terms: terms(
						Scope::All,
						Permission::Read,
						Purpose::Treatment,
						Some(NOW + HOUR)
					)
				}
			)]
		);
	});
}

/// Abuse review, attack 9: the trail alone answers who could read what,
/// until when, why, and on whose decision; grants, changes and approvals
/// name their terms in full, whatever the scope.
#[test]
fn audit_entries_too_thin_each_grant_names_its_terms() {
	test(|| {
		let listed = Scope::Records(bound(vec![3, 1, 4]));
		assert_ok!(Access::grant(
			signed(GUARDIAN),
			PATIENT,
			DOCTOR,
			listed.clone(),
			Permission::ReadWrite,
			Purpose::Research,
			Some(NOW + DAY)
		));
		assert_ok!(Access::change_grant(
			signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::Categories(bound(vec![Allergy])),
			Permission::Read,
			Purpose::Treatment,
			None
		));
		let entries = trail(PATIENT);
		assert_eq!(
			entries,
			vec![
				by(
					GUARDIAN,
					AuditAction::AccessGranted {
						grantee: DOCTOR,
						terms: terms(
							listed,
							Permission::ReadWrite,
							Purpose::Research,
							Some(NOW + DAY)
						)
					}
				),
				by(
					PATIENT,
					AuditAction::AccessChanged {
						grantee: DOCTOR,
						terms: terms(
							Scope::Categories(bound(vec![Allergy])),
							Permission::Read,
							Purpose::Treatment,
							None
						)
					}
				),
			]
		);
		// The terms in the trail are the grant in state, to the record id.
		let AuditAction::AccessChanged { terms: logged, .. } = &entries[1].1 else { panic!() };
		assert_eq!(Some(logged.clone()), GrantOf::<Test>::get(PATIENT, DOCTOR).unwrap().terms());
		// The longest scope a call can carry fits the trail in full.
		let most: u32 = <Test as Config>::MaxScopeRecords::get();
		assert!(most <= medchain_primitives::MAX_AUDITED_SCOPE_RECORDS);
		let longest: ScopeOf<Test> = Scope::Records(bound((0..u64::from(most)).collect()));
		assert!(longest.audited().is_some());
	});
}

#[test]
fn a_guardian_grants_for_the_patient() {
	test(|| {
		assert_ok!(grant(GUARDIAN, PATIENT, DOCTOR, Scope::All, Permission::ReadWrite, None));
		assert!(can_write(DOCTOR, None, Diagnosis));
		assert_eq!(
			trail(PATIENT),
			vec![by(
				GUARDIAN,
				AuditAction::AccessGranted {
					grantee: DOCTOR,
					terms: terms(Scope::All, Permission::ReadWrite, Purpose::Treatment, None)
				}
			)]
		);
	});
}

#[test]
fn nobody_else_grants_and_a_grantee_never_re_grants() {
	test(|| {
		read_all(None);
		// The grantee, another patient, a stranger.
		for who in [DOCTOR, OTHER_PATIENT, STRANGER] {
			assert_noop!(
				grant(who, PATIENT, OTHER_DOCTOR, Scope::All, Permission::Read, None),
				Error::<Test>::NotPatientOrGuardian
			);
			assert_noop!(
				Access::revoke(signed(who), PATIENT, DOCTOR).map_err(|e| e.error),
				Error::<Test>::NotPatientOrGuardian
			);
			assert_noop!(
				Access::change_grant(
					signed(who),
					PATIENT,
					DOCTOR,
					Scope::All,
					Permission::ReadWrite,
					Purpose::Other,
					None
				)
				.map_err(|e| e.error),
				Error::<Test>::NotPatientOrGuardian
			);
		}
		assert_noop!(
			Access::grant(
				RuntimeOrigin::none(),
				PATIENT,
				DOCTOR,
				Scope::All,
				Permission::Read,
				Purpose::Other,
				None
			),
			DispatchError::BadOrigin
		);
		// An unregistered account cannot grant for itself either.
		assert_noop!(
			grant(STRANGER, STRANGER, DOCTOR, Scope::All, Permission::Read, None),
			Error::<Test>::NotPatientOrGuardian
		);
	});
}

#[test]
fn grants_go_to_active_doctors_only() {
	test(|| {
		assert_noop!(
			grant(PATIENT, PATIENT, STRANGER, Scope::All, Permission::Read, None),
			Error::<Test>::NotActiveDoctor
		);
		MockDoctors::set_active(DOCTOR, false);
		assert_noop!(
			grant(PATIENT, PATIENT, DOCTOR, Scope::All, Permission::Read, None),
			Error::<Test>::NotActiveDoctor
		);
		assert_noop!(
			grant(PATIENT, PATIENT, PATIENT, Scope::All, Permission::Read, None),
			Error::<Test>::SelfGrant
		);
	});
}

#[test]
fn a_suspended_doctor_loses_access_while_suspended() {
	test(|| {
		read_all(None);
		MockDoctors::set_active(DOCTOR, false);
		assert!(!can_read(DOCTOR, 1, Other));
		MockDoctors::set_active(DOCTOR, true);
		assert!(can_read(DOCTOR, 1, Other));
	});
}

#[test]
fn scopes_cover_categories_or_listed_records() {
	test(|| {
		assert_ok!(grant(
			PATIENT,
			PATIENT,
			DOCTOR,
			Scope::Categories(bound(vec![LabResult, Imaging])),
			Permission::ReadWrite,
			None
		));
		assert!(can_read(DOCTOR, 7, Imaging));
		assert!(!can_read(DOCTOR, 7, Prescription));
		assert!(can_write(DOCTOR, None, LabResult));
		assert!(!can_write(DOCTOR, None, Diagnosis));

		assert_ok!(grant(
			PATIENT,
			PATIENT,
			OTHER_DOCTOR,
			Scope::Records(bound(vec![4, 5])),
			Permission::ReadWrite,
			None
		));
		assert!(can_read(OTHER_DOCTOR, 4, Diagnosis));
		assert!(!can_read(OTHER_DOCTOR, 6, Diagnosis));
		assert!(can_write(OTHER_DOCTOR, Some(5), Other));
		// A listed-records grant never covers a new record.
		assert!(!can_write(OTHER_DOCTOR, None, Other));
	});
}

#[test]
fn malformed_scopes_are_refused() {
	test(|| {
		let try_scope = |scope| grant(PATIENT, PATIENT, DOCTOR, scope, Permission::Read, None);
		assert_noop!(try_scope(Scope::Categories(bound(vec![]))), Error::<Test>::EmptyScope);
		assert_noop!(try_scope(Scope::Records(bound(vec![]))), Error::<Test>::EmptyScope);
		assert_noop!(
			try_scope(Scope::Categories(bound(vec![Allergy, Allergy]))),
			Error::<Test>::DuplicateCategory
		);
		assert_noop!(try_scope(Scope::Records(bound(vec![1, 1]))), Error::<Test>::TooManyRecords);
	});
}

#[test]
fn expiry_is_decided_by_chain_time() {
	test(|| {
		assert_noop!(
			grant(PATIENT, PATIENT, DOCTOR, Scope::All, Permission::Read, Some(NOW)),
			Error::<Test>::ExpiryInPast
		);
		read_all(Some(NOW + HOUR));
		Timestamp::set_timestamp(NOW + HOUR - 1);
		assert!(can_read(DOCTOR, 1, Other));
		Timestamp::set_timestamp(NOW + HOUR);
		assert!(!can_read(DOCTOR, 1, Other));
		assert!(Access::live_grant(&PATIENT, &DOCTOR).is_none());
	});
}

#[test]
fn anyone_cleans_up_an_expired_grant_and_only_an_expired_one() {
	test(|| {
		read_all(Some(NOW + HOUR));
		assert_noop!(
			Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR).map_err(|e| e.error),
			Error::<Test>::NotExpired
		);
		Timestamp::set_timestamp(NOW + HOUR);
		assert_ok!(Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR));
		assert!(!GrantOf::<Test>::contains_key(PATIENT, DOCTOR));
		assert_eq!(KeyRemovals::get(), vec![(PATIENT, DOCTOR, 100)]);
		System::assert_last_event(
			Event::ExpiredGrantRemoved { patient: PATIENT, grantee: DOCTOR, keys_removed: 3 }
				.into(),
		);
		assert_eq!(
			trail(PATIENT).last(),
			Some(&by(
				STRANGER,
				AuditAction::ExpiredGrantRemoved { grantee: DOCTOR, keys_removed: 3 }
			))
		);
		assert_noop!(
			Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR).map_err(|e| e.error),
			Error::<Test>::NoGrant
		);
	});
}

#[test]
fn revoking_removes_the_grant_and_the_grantees_keys() {
	test(|| {
		read_all(None);
		assert_ok!(Access::revoke(signed(GUARDIAN), PATIENT, DOCTOR));
		assert!(!GrantOf::<Test>::contains_key(PATIENT, DOCTOR));
		assert!(!PatientsOf::<Test>::contains_key(DOCTOR, PATIENT));
		assert_eq!((GrantCount::<Test>::get(PATIENT), PatientCount::<Test>::get(DOCTOR)), (0, 0));
		assert_eq!(KeyRemovals::get(), vec![(PATIENT, DOCTOR, 100)]);
		assert!(!can_read(DOCTOR, 1, Other));
		System::assert_last_event(
			Event::AccessRevoked { patient: PATIENT, grantee: DOCTOR, keys_removed: 3 }.into(),
		);
		assert_eq!(
			trail(PATIENT).last(),
			Some(&by(GUARDIAN, AuditAction::AccessRevoked { grantee: DOCTOR, keys_removed: 3 }))
		);
		assert_noop!(
			Access::revoke(signed(PATIENT), PATIENT, DOCTOR).map_err(|e| e.error),
			Error::<Test>::NoGrant
		);
	});
}

#[test]
fn changing_a_grant_replaces_its_terms_and_drops_keys() {
	test(|| {
		read_all(None);
		assert_noop!(read_all_again(), Error::<Test>::GrantExists);
		assert_ok!(Access::change_grant(
			signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::Categories(bound(vec![Prescription])),
			Permission::ReadWrite,
			Purpose::SecondOpinion,
			Some(NOW + HOUR)
		));
		let stored = GrantOf::<Test>::get(PATIENT, DOCTOR).unwrap();
		assert_eq!(stored.permission, Permission::ReadWrite);
		assert_eq!(stored.purpose, Purpose::SecondOpinion);
		assert!(can_write(DOCTOR, None, Prescription));
		assert!(!can_read(DOCTOR, 1, LabResult));
		assert_eq!(KeyRemovals::get(), vec![(PATIENT, DOCTOR, 100)]);
		assert_eq!(GrantCount::<Test>::get(PATIENT), 1);
		assert_eq!(
			trail(PATIENT).last(),
			Some(&by(
				PATIENT,
				AuditAction::AccessChanged {
					grantee: DOCTOR,
					terms: terms(
						Scope::Categories(bound(vec![Prescription])),
						Permission::ReadWrite,
						Purpose::SecondOpinion,
						Some(NOW + HOUR)
					)
				}
			))
		);
		assert_noop!(
			Access::change_grant(
				signed(PATIENT),
				PATIENT,
				OTHER_DOCTOR,
				Scope::All,
				Permission::Read,
				Purpose::Other,
				None
			)
			.map_err(|e| e.error),
			Error::<Test>::NoGrant
		);
	});
}

fn read_all_again() -> sp_runtime::DispatchResult {
	grant(PATIENT, PATIENT, DOCTOR, Scope::All, Permission::Read, None)
}

#[test]
fn grants_are_bounded_per_patient_and_per_grantee() {
	test(|| {
		MockDoctors::add(32, 0);
		read_all(None);
		assert_ok!(grant(PATIENT, PATIENT, OTHER_DOCTOR, Scope::All, Permission::Read, None));
		assert_noop!(
			grant(PATIENT, PATIENT, 32, Scope::All, Permission::Read, None),
			Error::<Test>::TooManyGrants
		);
		assert_ok!(grant(OTHER_PATIENT, OTHER_PATIENT, DOCTOR, Scope::All, Permission::Read, None));
		assert_noop!(
			grant(12, 12, DOCTOR, Scope::All, Permission::Read, None),
			Error::<Test>::TooManyPatients
		);
	});
}

fn request(
	doctor: u64,
	scope: ScopeOf<Test>,
	permission: Permission,
) -> sp_runtime::DispatchResult {
	request_access(signed(doctor), PATIENT, scope, permission, Purpose::Treatment, None)
}

fn approve(
	by: u64,
	doctor: u64,
	scope: Option<ScopeOf<Test>>,
	permission: Option<Permission>,
) -> sp_runtime::DispatchResult {
	approve_request(signed(by), PATIENT, doctor, scope, permission, None, vec![])
}

const NOTE: &[u8] = b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";

#[test]
fn a_doctor_requests_access_and_the_patient_approves_it() {
	test(|| {
		assert_ok!(request_access(
			signed(DOCTOR),
			PATIENT,
			Scope::Categories(bound(vec![LabResult, Imaging])),
			Permission::ReadWrite,
			Purpose::SecondOpinion,
			Some(NOTE.to_vec())
		));
		System::assert_last_event(
			Event::AccessRequested {
				patient: PATIENT,
				doctor: DOCTOR,
				permission: Permission::ReadWrite,
				purpose: Purpose::SecondOpinion,
				expires_at: NOW + 7 * DAY,
			}
			.into(),
		);
		let stored = RequestOf::<Test>::get(PATIENT, DOCTOR).unwrap();
		assert_eq!(stored.note.unwrap().to_vec(), NOTE);
		assert_eq!((stored.requested_at, stored.expires_at), (NOW, NOW + 7 * DAY));
		assert_eq!(RequestCount::<Test>::get(PATIENT), 1);
		// A request is not access.
		assert!(!can_read(DOCTOR, 1, LabResult));

		let keys = vec![(4, vec![1; 80]), (5, vec![2; 80])];
		assert_ok!(approve_request(
			signed(GUARDIAN),
			PATIENT,
			DOCTOR,
			None,
			None,
			Some(NOW + DAY),
			keys
		));
		System::assert_last_event(
			Event::AccessRequestApproved {
				patient: PATIENT,
				doctor: DOCTOR,
				permission: Permission::ReadWrite,
				expires_at: Some(NOW + DAY),
				keys: 2,
			}
			.into(),
		);
		let grant = GrantOf::<Test>::get(PATIENT, DOCTOR).unwrap();
		assert_eq!(grant.purpose, Purpose::SecondOpinion);
		assert_eq!(grant.expires_at, Some(NOW + DAY));
		assert!(can_write(DOCTOR, None, Imaging));
		assert!(!can_read(DOCTOR, 1, Allergy));
		assert_eq!(KeyShares::get(), vec![(PATIENT, DOCTOR, 2)]);
		assert!(RequestOf::<Test>::get(PATIENT, DOCTOR).is_none());
		assert_eq!(RequestCount::<Test>::get(PATIENT), 0);
		assert_eq!(
			trail(PATIENT),
			vec![
				by(DOCTOR, AuditAction::AccessRequested { doctor: DOCTOR }),
				by(
					GUARDIAN,
					AuditAction::AccessRequestApproved {
						doctor: DOCTOR,
						terms: terms(
							Scope::Categories(bound(vec![LabResult, Imaging])),
							Permission::ReadWrite,
							Purpose::SecondOpinion,
							Some(NOW + DAY)
						)
					}
				),
			]
		);
	});
}

#[test]
fn the_patient_may_narrow_a_request_but_not_widen_it() {
	test(|| {
		assert_ok!(request(
			DOCTOR,
			Scope::Categories(bound(vec![LabResult, Imaging])),
			Permission::Read
		));
		assert_noop!(
			approve(PATIENT, DOCTOR, Some(Scope::All), None),
			Error::<Test>::NotWithinRequest
		);
		assert_noop!(
			approve(
				PATIENT,
				DOCTOR,
				Some(Scope::Categories(bound(vec![LabResult, Allergy]))),
				None
			),
			Error::<Test>::NotWithinRequest
		);
		assert_noop!(
			approve(PATIENT, DOCTOR, Some(Scope::Records(bound(vec![1]))), None),
			Error::<Test>::NotWithinRequest
		);
		assert_noop!(
			approve(PATIENT, DOCTOR, None, Some(Permission::ReadWrite)),
			Error::<Test>::NotWithinRequest
		);
		assert_ok!(approve(PATIENT, DOCTOR, Some(Scope::Categories(bound(vec![Imaging]))), None));
		assert!(can_read(DOCTOR, 1, Imaging));
		assert!(!can_read(DOCTOR, 1, LabResult));

		assert_ok!(request(OTHER_DOCTOR, Scope::All, Permission::ReadWrite));
		assert_ok!(approve(
			PATIENT,
			OTHER_DOCTOR,
			Some(Scope::Records(bound(vec![7]))),
			Some(Permission::Read)
		));
		assert!(can_read(OTHER_DOCTOR, 7, Allergy));
		assert!(!can_write(OTHER_DOCTOR, Some(7), Allergy));
	});
}

#[test]
fn request_errors_are_named() {
	test(|| {
		let all = || Scope::All;
		assert_noop!(request(STRANGER, all(), Permission::Read), Error::<Test>::NotActiveDoctor);
		MockDoctors::set_active(DOCTOR, false);
		assert_noop!(request(DOCTOR, all(), Permission::Read), Error::<Test>::NotActiveDoctor);
		MockDoctors::set_active(DOCTOR, true);
		assert_noop!(
			request_access(signed(DOCTOR), STRANGER, all(), Permission::Read, Purpose::Other, None),
			Error::<Test>::UnknownPatient
		);
		assert_noop!(
			request(DOCTOR, Scope::Categories(bound(vec![])), Permission::Read),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			request_access(
				signed(DOCTOR),
				PATIENT,
				all(),
				Permission::Read,
				Purpose::Other,
				Some(b"a plain text reason".to_vec())
			),
			Error::<Test>::MalformedNote
		);
		assert_ok!(request(DOCTOR, all(), Permission::Read));
		assert_noop!(request(DOCTOR, all(), Permission::Read), Error::<Test>::RequestExists);
		assert_ok!(request(OTHER_DOCTOR, all(), Permission::Read));
		MockDoctors::add(32, 0);
		assert_noop!(request(32, all(), Permission::Read), Error::<Test>::TooManyRequests);
		// Approving and denying are the patient's.
		assert_noop!(approve(DOCTOR, DOCTOR, None, None), Error::<Test>::NotPatientOrGuardian);
		assert_noop!(
			Access::deny_request(signed(OTHER_DOCTOR), PATIENT, DOCTOR),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(approve(PATIENT, 32, None, None), Error::<Test>::NoRequest);
		assert_noop!(
			approve_request(signed(PATIENT), PATIENT, DOCTOR, None, None, Some(NOW), vec![]),
			Error::<Test>::ExpiryInPast
		);
		MockDoctors::set_active(DOCTOR, false);
		assert_noop!(approve(PATIENT, DOCTOR, None, None), Error::<Test>::NotActiveDoctor);
		MockDoctors::set_active(DOCTOR, true);
		// A doctor who already holds a grant has it changed instead.
		read_all(None);
		assert_noop!(approve(PATIENT, DOCTOR, None, None), Error::<Test>::GrantExists);
	});
}

#[test]
fn requests_are_denied_withdrawn_or_expire() {
	test(|| {
		assert_ok!(request(DOCTOR, Scope::All, Permission::Read));
		assert_ok!(Access::deny_request(signed(GUARDIAN), PATIENT, DOCTOR));
		System::assert_last_event(
			Event::AccessRequestDenied { patient: PATIENT, doctor: DOCTOR }.into(),
		);
		assert_noop!(
			Access::deny_request(signed(PATIENT), PATIENT, DOCTOR),
			Error::<Test>::NoRequest
		);
		// A denied doctor asks this patient again only a request's lifetime later, so that
		// denied doctors cannot refill the patient's requests at once (trust review, item 9).
		assert_noop!(request(DOCTOR, Scope::All, Permission::Read), Error::<Test>::RecentlyDenied);
		assert_ok!(request(OTHER_DOCTOR, Scope::All, Permission::Read));
		assert_ok!(Access::withdraw_request(signed(OTHER_DOCTOR), PATIENT));
		Timestamp::set_timestamp(NOW + 7 * DAY);

		assert_ok!(request(DOCTOR, Scope::All, Permission::Read));
		assert_noop!(
			Access::withdraw_request(signed(OTHER_DOCTOR), PATIENT),
			Error::<Test>::NoRequest
		);
		assert_ok!(Access::withdraw_request(signed(DOCTOR), PATIENT));
		System::assert_last_event(
			Event::AccessRequestWithdrawn { patient: PATIENT, doctor: DOCTOR }.into(),
		);

		assert_ok!(request(DOCTOR, Scope::All, Permission::Read));
		assert_noop!(
			Access::remove_expired_request(signed(STRANGER), PATIENT, DOCTOR),
			Error::<Test>::NotExpired
		);
		Timestamp::set_timestamp(NOW + 14 * DAY);
		assert_noop!(approve(PATIENT, DOCTOR, None, None), Error::<Test>::RequestExpired);
		// An expired request is replaced by a new one without taking a slot.
		assert_ok!(request(DOCTOR, Scope::All, Permission::ReadWrite));
		assert_eq!(RequestCount::<Test>::get(PATIENT), 1);
		Timestamp::set_timestamp(NOW + 21 * DAY);
		assert_ok!(Access::remove_expired_request(signed(STRANGER), PATIENT, DOCTOR));
		System::assert_last_event(
			Event::ExpiredRequestRemoved { patient: PATIENT, doctor: DOCTOR }.into(),
		);
		assert_eq!(RequestCount::<Test>::get(PATIENT), 0);
		assert_noop!(
			Access::remove_expired_request(signed(STRANGER), PATIENT, DOCTOR),
			Error::<Test>::NoRequest
		);
		let actions: Vec<AuditAction<u64>> = trail(PATIENT).into_iter().map(|(_, a)| a).collect();
		assert_eq!(
			actions,
			vec![
				AuditAction::AccessRequested { doctor: DOCTOR },
				AuditAction::AccessRequestDenied { doctor: DOCTOR },
				AuditAction::AccessRequested { doctor: OTHER_DOCTOR },
				AuditAction::AccessRequestWithdrawn { doctor: OTHER_DOCTOR },
				AuditAction::AccessRequested { doctor: DOCTOR },
				AuditAction::AccessRequestWithdrawn { doctor: DOCTOR },
				AuditAction::AccessRequested { doctor: DOCTOR },
				// The replaced request leaves an entry (abuse review, attack 9: audit
				// entries too thin).
				AuditAction::ExpiredRequestRemoved { doctor: DOCTOR },
				AuditAction::AccessRequested { doctor: DOCTOR },
				AuditAction::ExpiredRequestRemoved { doctor: DOCTOR },
			]
		);
	});
}

#[test]
fn break_glass_opens_a_short_flagged_grant() {
	test(|| {
		assert_ok!(Access::emergency_access(
			signed(DOCTOR),
			PATIENT,
			EmergencyReason::PatientUnconscious
		));
		let entry = pallet_audit::NextSeq::<Test>::get() - 1;
		System::assert_last_event(
			Event::EmergencyAccessOpened {
				patient: PATIENT,
				doctor: DOCTOR,
				hospital: 0,
				reason: EmergencyReason::PatientUnconscious,
				expires_at: NOW + 4 * HOUR,
				entry,
			}
			.into(),
		);
		let grant = GrantOf::<Test>::get(PATIENT, DOCTOR).unwrap();
		assert_eq!(
			(grant.scope, grant.permission, grant.purpose, grant.expires_at),
			(Scope::All, Permission::Read, Purpose::Emergency, Some(NOW + 4 * HOUR))
		);
		assert!(can_read(DOCTOR, 1, Diagnosis));
		let review = PendingReviews::<Test>::get(0, entry).unwrap();
		assert_eq!((review.patient, review.doctor, review.opened_at), (PATIENT, DOCTOR, NOW));
		assert_eq!(
			trail(PATIENT),
			vec![by(
				DOCTOR,
				AuditAction::EmergencyAccessOpened {
					hospital: 0,
					reason: EmergencyReason::PatientUnconscious,
					expires_at: NOW + 4 * HOUR,
				}
			)]
		);
		Timestamp::set_timestamp(NOW + 4 * HOUR);
		assert!(!can_read(DOCTOR, 1, Diagnosis));
	});
}

#[test]
fn break_glass_is_bounded_per_doctor_and_period() {
	test(|| {
		let reason = EmergencyReason::LifeThreatening;
		assert_noop!(
			Access::emergency_access(signed(STRANGER), PATIENT, reason),
			Error::<Test>::NotActiveDoctor
		);
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), STRANGER, reason),
			Error::<Test>::UnknownPatient
		);
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, reason));
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), PATIENT, reason),
			Error::<Test>::GrantExists
		);
		assert_ok!(Access::emergency_access(signed(DOCTOR), OTHER_PATIENT, reason));
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), 12, reason),
			Error::<Test>::TooManyEmergencies
		);
		// A period after the first opening, it has left the window (the expired
		// grant making room for the third patient).
		Timestamp::set_timestamp(NOW + DAY);
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), 12, reason),
			Error::<Test>::TooManyPatients
		);
		assert_ok!(Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR));
		assert_ok!(Access::emergency_access(signed(DOCTOR), 12, reason));
		assert_eq!(EmergencyOpenings::<Test>::get(DOCTOR).to_vec(), vec![NOW + DAY]);
	});
}

#[test]
fn the_emergency_status_follows_the_grant_and_its_review() {
	test(|| {
		let status = || Access::emergency_status(&OTHER_DOCTOR, &PATIENT);
		assert_eq!(status(), EmergencyStatus::None);
		assert_ok!(Access::emergency_access(signed(OTHER_DOCTOR), PATIENT, EmergencyReason::Other));
		let entry = pallet_audit::NextSeq::<Test>::get() - 1;
		assert_eq!(status(), EmergencyStatus::Live);
		assert_eq!(OpenEmergencies::<Test>::get(PATIENT, OTHER_DOCTOR), Some((1, entry)));
		assert_ok!(Access::close_emergency_review(signed(2), 1, entry, true));
		assert_eq!(status(), EmergencyStatus::Reviewed);
		assert!(OpenEmergencies::<Test>::get(PATIENT, OTHER_DOCTOR).is_none());
		Timestamp::set_timestamp(NOW + 4 * HOUR);
		assert_eq!(status(), EmergencyStatus::Expired);
		// A doctor who did not break the glass has no emergency.
		assert_eq!(Access::emergency_status(&DOCTOR, &PATIENT), EmergencyStatus::None);
	});
}

#[test]
fn an_admin_of_the_doctors_hospital_closes_the_review() {
	test(|| {
		assert_ok!(Access::emergency_access(signed(OTHER_DOCTOR), PATIENT, EmergencyReason::Other));
		let entry = pallet_audit::NextSeq::<Test>::get() - 1;
		// Admin 1 is of hospital 0, not the doctor's hospital 1.
		assert_noop!(
			Access::close_emergency_review(signed(1), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Access::close_emergency_review(signed(1), 0, entry, true).map_err(|e| e.error),
			Error::<Test>::NoReview
		);
		assert_noop!(
			Access::close_emergency_review(signed(OTHER_DOCTOR), 1, entry, true)
				.map_err(|e| e.error),
			Error::<Test>::NotHospitalAdmin
		);
		assert_ok!(Access::close_emergency_review(signed(2), 1, entry, false));
		System::assert_last_event(
			Event::EmergencyReviewClosed { hospital: 1, entry, justified: false }.into(),
		);
		assert!(PendingReviews::<Test>::get(1, entry).is_none());
		// Unjustified: the break-glass grant ends with the doctor's keys.
		let mut trail = trail(PATIENT);
		let revoked = trail.pop().unwrap();
		assert_eq!(
			trail.pop().unwrap(),
			by(2, AuditAction::EmergencyReviewClosed { entry, justified: false })
		);
		assert_eq!(
			revoked,
			by(2, AuditAction::AccessRevoked { grantee: OTHER_DOCTOR, keys_removed: 3 })
		);
		assert_noop!(
			Access::close_emergency_review(signed(2), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::NoReview
		);
	});
}

// Attack 10 of the abuse review: a `Records` scope listed an id that did not
// exist yet, and so covered whatever record got that id later.
#[test]
fn scope_of_listed_records_covers_no_future_or_foreign_record() {
	test(|| {
		// In the mock, record 150 is another patient's and 500 does not exist.
		for ids in [vec![150], vec![4, 500]] {
			assert_noop!(
				grant(
					PATIENT,
					PATIENT,
					DOCTOR,
					Scope::Records(bound(ids.clone())),
					Permission::Read,
					None
				),
				Error::<Test>::UnknownRecord
			);
			assert_noop!(
				request(DOCTOR, Scope::Records(bound(ids)), Permission::Read),
				Error::<Test>::UnknownRecord
			);
		}
		read_all(None);
		assert_noop!(
			Access::change_grant(
				signed(PATIENT),
				PATIENT,
				DOCTOR,
				Scope::Records(bound(vec![500])),
				Permission::Read,
				Purpose::Treatment,
				None
			)
			.map_err(|e| e.error),
			Error::<Test>::UnknownRecord
		);
		assert_ok!(grant(
			PATIENT,
			PATIENT,
			OTHER_DOCTOR,
			Scope::Records(bound(vec![4])),
			Permission::Read,
			None
		));
	});
}

// Attack 5 of the abuse review (griefing bounded storage): break-glass gave a
// read-write grant, with which a doctor filled the patient's records with
// junk until the patient could create none.
#[test]
fn griefing_bounded_storage_break_glass_reads_but_never_writes() {
	test(|| {
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, EmergencyReason::Other));
		assert!(can_read(DOCTOR, 1, Diagnosis));
		assert!(!can_write(DOCTOR, None, Diagnosis));
		assert!(!can_write(DOCTOR, Some(1), Diagnosis));
	});
}

// Attack 5: patients filled a doctor's `MaxPatientsPerGrantee` with grants
// the doctor could not decline.
#[test]
fn griefing_bounded_storage_a_doctor_declines_an_unwanted_grant() {
	test(|| {
		// The mock allows two patients per grantee: both slots taken.
		assert_ok!(grant(PATIENT, PATIENT, DOCTOR, Scope::All, Permission::Read, None));
		assert_ok!(grant(OTHER_PATIENT, OTHER_PATIENT, DOCTOR, Scope::All, Permission::Read, None));
		assert_noop!(
			grant(12, 12, DOCTOR, Scope::All, Permission::Read, None),
			Error::<Test>::TooManyPatients
		);
		assert_noop!(
			Access::decline_grant(signed(DOCTOR), 12).map_err(|e| e.error),
			Error::<Test>::NoGrant
		);
		assert_noop!(
			Access::decline_grant(signed(PATIENT), PATIENT).map_err(|e| e.error),
			Error::<Test>::NoGrant
		);
		assert_ok!(Access::decline_grant(signed(DOCTOR), OTHER_PATIENT));
		System::assert_last_event(
			Event::GrantDeclined { patient: OTHER_PATIENT, grantee: DOCTOR, keys_removed: 3 }
				.into(),
		);
		assert_eq!(KeyRemovals::get().last(), Some(&(OTHER_PATIENT, DOCTOR, 100)));
		assert_eq!(
			trail(OTHER_PATIENT).last(),
			Some(&by(DOCTOR, AuditAction::GrantDeclined { keys_removed: 3 }))
		);
		assert_ok!(grant(12, 12, DOCTOR, Scope::All, Permission::Read, None));
	});
}

// Attack 7 of the abuse review (break-glass review without separation of
// duties): an admin registered as a doctor broke the glass and closed their
// own review.
#[test]
fn break_glass_review_the_reviewer_is_never_the_doctor() {
	test(|| {
		// Admin 2 of hospital 1 is also a doctor there.
		MockDoctors::add(2, 1);
		assert_ok!(Access::emergency_access(signed(2), PATIENT, EmergencyReason::Other));
		let entry = pallet_audit::NextSeq::<Test>::get() - 1;
		assert_noop!(
			Access::close_emergency_review(signed(2), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::OwnReview
		);
		assert!(PendingReviews::<Test>::get(1, entry).is_some());
	});
}

// Attack 7: the review of a suspended hospital's doctor could never be closed.
#[test]
fn break_glass_review_of_a_suspended_hospitals_doctor_goes_to_another_hospital() {
	test(|| {
		assert_ok!(Access::emergency_access(signed(OTHER_DOCTOR), PATIENT, EmergencyReason::Other));
		let entry = pallet_audit::NextSeq::<Test>::get() - 1;
		// Admin 1 (hospital 0) may not while hospital 1 is active...
		assert_noop!(
			Access::close_emergency_review(signed(1), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::NotHospitalAdmin
		);
		MockHospitals::set_active(1, false);
		// ...and may once it is suspended; its own admin 2 no longer may, nor a
		// stranger or the admin of another suspended hospital.
		assert_noop!(
			Access::close_emergency_review(signed(2), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Access::close_emergency_review(signed(STRANGER), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Access::close_emergency_review(signed(3), 1, entry, true).map_err(|e| e.error),
			Error::<Test>::NotHospitalAdmin
		);
		assert_ok!(Access::close_emergency_review(signed(1), 1, entry, false));
		let trail = trail(PATIENT);
		assert_eq!(
			trail[trail.len() - 2..].to_vec(),
			vec![
				by(1, AuditAction::EmergencyReviewClosed { entry, justified: false }),
				by(1, AuditAction::AccessRevoked { grantee: OTHER_DOCTOR, keys_removed: 3 })
			]
		);
	});
}

// Attack 7: the bound reset at a fixed boundary, so twice the limit fitted in
// minutes around it.
#[test]
fn break_glass_review_the_bound_is_a_rolling_window() {
	test(|| {
		let reason = EmergencyReason::LifeThreatening;
		// Just before a day boundary: both allowed openings.
		let before_midnight = 2 * DAY - 60_000;
		Timestamp::set_timestamp(before_midnight);
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, reason));
		assert_ok!(Access::emergency_access(signed(DOCTOR), OTHER_PATIENT, reason));
		// Two minutes later, past the boundary: still refused.
		Timestamp::set_timestamp(before_midnight + 120_000);
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), 12, reason),
			Error::<Test>::TooManyEmergencies
		);
		// A full period after the first: allowed again.
		Timestamp::set_timestamp(before_midnight + DAY);
		assert_ok!(Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR));
		assert_ok!(Access::emergency_access(signed(DOCTOR), 12, reason));
	});
}

// Read receipts (abuse review): a suspended doctor's wrapped keys stayed in
// state. Anyone may now remove them, one patient per call; the grant stays.
#[test]
fn a_suspended_doctors_keys_are_removed_by_anyone() {
	test(|| {
		read_all(None);
		assert_noop!(
			Access::remove_inactive_keys(signed(STRANGER), PATIENT, DOCTOR).map_err(|e| e.error),
			Error::<Test>::GranteeActive
		);
		assert_noop!(
			Access::remove_inactive_keys(signed(STRANGER), PATIENT, OTHER_DOCTOR)
				.map_err(|e| e.error),
			Error::<Test>::NoGrant
		);
		MockDoctors::set_active(DOCTOR, false);
		assert_ok!(Access::remove_inactive_keys(signed(STRANGER), PATIENT, DOCTOR));
		System::assert_last_event(
			Event::InactiveGranteeKeysRemoved {
				patient: PATIENT,
				grantee: DOCTOR,
				keys_removed: 3,
			}
			.into(),
		);
		assert_eq!(KeyRemovals::get().last(), Some(&(PATIENT, DOCTOR, 100)));
		assert!(GrantOf::<Test>::contains_key(PATIENT, DOCTOR));
		assert_eq!(
			trail(PATIENT).last(),
			Some(&by(
				STRANGER,
				AuditAction::InactiveGranteeKeysRemoved { grantee: DOCTOR, keys_removed: 3 }
			))
		);
	});
}

// Attack 5 of the trust review: a live emergency outlived its break-glass grant. Once the
// grant was gone, a grant of purpose `Emergency` the doctor obtained by request counted as
// a live emergency (every escrowed record released, whatever its scope).
#[test]
fn emergencies_outlive_their_grant_a_later_emergency_purpose_grant_is_no_emergency() {
	test(|| {
		let status = || Access::emergency_status(&DOCTOR, &PATIENT);
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, EmergencyReason::Other));
		assert_eq!(status(), EmergencyStatus::Live);
		// The patient ends the break-glass grant; the review stays pending for the hospital.
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR));
		assert_eq!(status(), EmergencyStatus::None);
		assert!(OpenEmergencies::<Test>::get(PATIENT, DOCTOR).is_none());
		// A request of purpose Emergency, approved narrowly, is an ordinary grant.
		assert_ok!(Access::request_access(
			signed(DOCTOR),
			PATIENT,
			Scope::Categories(bound(vec![Diagnosis])),
			Permission::Read,
			Purpose::Emergency,
			None
		));
		assert_ok!(Access::approve_request(
			signed(PATIENT),
			PATIENT,
			DOCTOR,
			None,
			None,
			None,
			Default::default()
		));
		assert_eq!(GrantOf::<Test>::get(PATIENT, DOCTOR).unwrap().purpose, Purpose::Emergency);
		assert_ne!(status(), EmergencyStatus::Live);
	});
}

#[test]
fn emergencies_outlive_their_grant_a_changed_break_glass_grant_ends_the_emergency() {
	test(|| {
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, EmergencyReason::Other));
		assert_ok!(Access::change_grant(
			signed(PATIENT),
			PATIENT,
			DOCTOR,
			Scope::Categories(bound(vec![Allergy])),
			Permission::Read,
			Purpose::Emergency,
			None
		));
		assert_ne!(Access::emergency_status(&DOCTOR, &PATIENT), EmergencyStatus::Live);
	});
}

// Attack 5: released shares outlived the emergency, kept counting toward
// `MaxReleasesPerRecord` and stayed readable to the doctor after the review.
#[test]
fn released_shares_outlive_the_emergency_closing_its_review_removes_them() {
	test(|| {
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, EmergencyReason::Other));
		let entry = pallet_audit::NextSeq::<Test>::get() - 1;
		assert_ok!(Access::close_emergency_review(signed(1), 0, entry, true));
		// Justified: the shares go, the read grant stays until it expires.
		assert_eq!(ShareRemovals::get(), vec![(PATIENT, DOCTOR)]);
		assert!(GrantOf::<Test>::contains_key(PATIENT, DOCTOR));
		assert_eq!(Access::emergency_status(&DOCTOR, &PATIENT), EmergencyStatus::Reviewed);
	});
}

#[test]
fn closing_an_older_review_leaves_the_current_emergency_alone() {
	test(|| {
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, EmergencyReason::Other));
		let first = pallet_audit::NextSeq::<Test>::get() - 1;
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR));
		assert_ok!(Access::emergency_access(signed(DOCTOR), PATIENT, EmergencyReason::Other));
		let removals = KeyRemovals::get().len();
		assert_ok!(Access::close_emergency_review(signed(1), 0, first, false));
		assert_eq!(Access::emergency_status(&DOCTOR, &PATIENT), EmergencyStatus::Live);
		assert_eq!(KeyRemovals::get().len(), removals);
		assert!(ShareRemovals::get().is_empty());
	});
}

// Attack 3 of the trust review (one hospital opens any escrowed record through a doctor it
// made up): an admin registered a doctor, active at once, who broke the glass on any patient.
// Now a doctor just made active waits out the probation.
#[test]
fn one_hospital_opens_records_through_a_made_up_doctor_a_new_doctor_waits_out_the_probation() {
	test(|| {
		let reason = EmergencyReason::PatientUnconscious;
		EmergencyProbation::<Test>::put(7 * DAY);
		// Approved (or registered, or reinstated) an hour ago.
		MockDoctors::set_active_since(DOCTOR, NOW - HOUR);
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), PATIENT, reason),
			Error::<Test>::DoctorOnProbation
		);
		assert!(!can_read(DOCTOR, 1, RecordCategory::Diagnosis));
		// A doctor active for the whole probation breaks the glass.
		MockDoctors::set_active_since(OTHER_DOCTOR, NOW - 7 * DAY);
		assert_ok!(Access::emergency_access(signed(OTHER_DOCTOR), PATIENT, reason));
		// The new one, once the probation has passed.
		Timestamp::set_timestamp(NOW - HOUR + 7 * DAY);
		assert_ok!(Access::emergency_access(signed(DOCTOR), OTHER_PATIENT, reason));
	});
}

// Attack 3, continued: however many doctors a hospital makes, its doctors together open at
// most `MaxEmergenciesPerHospital` emergency accesses per period.
#[test]
fn one_hospital_opens_records_through_made_up_doctors_its_doctors_share_one_quota() {
	test(|| {
		let reason = EmergencyReason::LifeThreatening;
		// Hospital 0 makes up three more doctors; each opens one emergency (the quota is 3).
		for (i, doctor) in [40, 41, 42].into_iter().enumerate() {
			MockDoctors::add(doctor, 0);
			let patient = [PATIENT, OTHER_PATIENT, 12][i];
			assert_ok!(Access::emergency_access(signed(doctor), patient, reason));
		}
		assert_eq!(HospitalEmergencyOpenings::<Test>::get(0).len(), 3);
		// Its next doctor, with none of their own, is refused; another hospital's is not.
		assert_noop!(
			Access::emergency_access(signed(DOCTOR), PATIENT, reason),
			Error::<Test>::HospitalEmergencyQuota
		);
		assert_ok!(Access::emergency_access(signed(OTHER_DOCTOR), PATIENT, reason));
		// A rolling window: a period after the first opening, one more fits.
		Timestamp::set_timestamp(NOW + DAY);
		assert_ok!(Access::emergency_access(signed(DOCTOR), 12, reason));
	});
}
