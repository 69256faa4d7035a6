use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use medchain_primitives::{testing::MockDoctors, AuditAction, Entity, RecordCategory::*};
use sp_runtime::DispatchError;

const PATIENT: u64 = 10;
const GUARDIAN: u64 = 20;
const OTHER_PATIENT: u64 = 11;
const DOCTOR: u64 = 30;
const OTHER_DOCTOR: u64 = 31;
const STRANGER: u64 = 99;

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn grant(
	by: u64,
	patient: u64,
	grantee: u64,
	scope: ScopeInput,
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
			vec![by(PATIENT, AuditAction::AccessGranted { grantee: DOCTOR })]
		);
	});
}

#[test]
fn a_guardian_grants_for_the_patient() {
	test(|| {
		assert_ok!(grant(GUARDIAN, PATIENT, DOCTOR, Scope::All, Permission::ReadWrite, None));
		assert!(can_write(DOCTOR, None, Diagnosis));
		assert_eq!(
			trail(PATIENT),
			vec![by(GUARDIAN, AuditAction::AccessGranted { grantee: DOCTOR })]
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
				Access::revoke(signed(who), PATIENT, DOCTOR),
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
				),
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
			Scope::Categories(vec![LabResult, Imaging]),
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
			Scope::Records(vec![4, 5]),
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
		assert_noop!(try_scope(Scope::Categories(vec![])), Error::<Test>::EmptyScope);
		assert_noop!(try_scope(Scope::Records(vec![])), Error::<Test>::EmptyScope);
		assert_noop!(
			try_scope(Scope::Categories(vec![Allergy, Allergy])),
			Error::<Test>::DuplicateCategory
		);
		assert_noop!(try_scope(Scope::Records(vec![1, 2, 3, 4])), Error::<Test>::TooManyRecords);
		assert_noop!(try_scope(Scope::Records(vec![1, 1])), Error::<Test>::TooManyRecords);
		assert_noop!(
			try_scope(Scope::Categories(vec![Other; 11])),
			Error::<Test>::DuplicateCategory
		);
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
			Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR),
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
			Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR),
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
		assert_noop!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR), Error::<Test>::NoGrant);
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
			Scope::Categories(vec![Prescription]),
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
			Some(&by(PATIENT, AuditAction::AccessChanged { grantee: DOCTOR }))
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
			),
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
