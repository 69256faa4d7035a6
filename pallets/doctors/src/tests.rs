use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use medchain_primitives::{
	testing::MockHospitals, AuditAction, Entity, HospitalRegistry, InviteRole,
};
use sp_runtime::DispatchError;

const KEY: EncryptionKey = [7; 32];
const NEW_KEY: EncryptionKey = [8; 32];
const LICENCE: LicenceHash = [1; 32];
const OTHER_LICENCE: LicenceHash = [2; 32];

const DOCTOR: u64 = 10;
const OTHER_DOCTOR: u64 = 11;
const STRANGER: u64 = 99;
/// Admin of hospital 0; 2 of hospital 1; 3 of suspended hospital 2.
const ADMIN: u64 = 1;

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Bytes as a call's bounded argument. Longer ones do not even decode (the
/// runtime's `free_block_stuffing_*` tests), so no test passes them.
fn bound<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> sp_runtime::BoundedVec<u8, S> {
	bytes.to_vec().try_into().expect("within its bound")
}

fn apply(who: u64, hospital: HospitalId, licence: LicenceHash) -> sp_runtime::DispatchResult {
	Doctors::apply(
		signed(who),
		hospital,
		bound(b"Dr Ada Lovelace"),
		bound(b"Cardiology"),
		licence,
		KEY,
	)
}

fn active_doctor() {
	assert_ok!(apply(DOCTOR, 0, LICENCE));
	assert_ok!(Doctors::approve(signed(ADMIN), DOCTOR));
}

fn status(who: u64) -> Option<DoctorStatus> {
	DoctorOf::<Test>::get(who).map(|d| d.status)
}

fn is_active(who: u64) -> bool {
	<Doctors as DoctorRegistry<u64>>::is_active(&who)
}

/// `(actor, action)` of every audit entry about `who`, after checking the
/// subject's hash chain end to end.
fn trail(who: u64) -> Vec<(Entity<u64>, AuditAction<u64>)> {
	Audit::verified_trail(&Entity::Account(who)).expect("hash chain verifies")
}

fn by(who: u64, action: AuditAction<u64>) -> (Entity<u64>, AuditAction<u64>) {
	(Entity::Account(who), action)
}

#[test]
fn a_doctor_applies_and_waits_pending() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		let info = DoctorOf::<Test>::get(DOCTOR).unwrap();
		assert_eq!(info.hospital, 0);
		assert_eq!(info.name.to_vec(), b"Dr Ada Lovelace");
		assert_eq!(info.specialty.to_vec(), b"Cardiology");
		assert_eq!(info.licence_hash, LICENCE);
		assert_eq!(info.encryption_key, KEY);
		assert_eq!(info.status, DoctorStatus::Pending);
		assert_eq!(info.since, NOW);
		assert!(DoctorsOf::<Test>::contains_key(0, DOCTOR));
		// An application claims no licence: the hospital that verifies it does.
		assert_eq!(DoctorByLicence::<Test>::get(LICENCE), None);
		assert!(!is_active(DOCTOR));
		System::assert_last_event(Event::DoctorApplied { doctor: DOCTOR, hospital: 0 }.into());
		assert_eq!(trail(DOCTOR), vec![by(DOCTOR, AuditAction::DoctorApplied { hospital: 0 })]);
	});
}

#[test]
fn applications_are_checked() {
	test(|| {
		assert_noop!(apply(DOCTOR, 2, LICENCE), Error::<Test>::HospitalNotActive);
		assert_noop!(apply(DOCTOR, 9, LICENCE), Error::<Test>::HospitalNotActive);
		assert_noop!(apply(DOCTOR, 0, [0; 32]), Error::<Test>::InvalidLicenceHash);
		let apply_with = |name: &[u8], specialty: &[u8], key| {
			Doctors::apply(signed(DOCTOR), 0, bound(name), bound(specialty), LICENCE, key)
		};
		assert_noop!(apply_with(b"", b"GP", KEY), Error::<Test>::InvalidName);
		assert_noop!(apply_with(&[0xff], b"GP", KEY), Error::<Test>::InvalidName);
		assert_noop!(apply_with(b"Dr A", b"", KEY), Error::<Test>::InvalidSpecialty);
		assert_noop!(apply_with(b"Dr A", b"GP", [0; 32]), Error::<Test>::InvalidEncryptionKey);
		assert_noop!(
			Doctors::apply(RuntimeOrigin::none(), 0, bound(b"Dr A"), bound(b"GP"), LICENCE, KEY),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_licence_backs_one_doctor_only() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_ok!(Doctors::approve(signed(ADMIN), DOCTOR));
		assert_eq!(DoctorByLicence::<Test>::get(LICENCE), Some(DOCTOR));
		assert_noop!(apply(OTHER_DOCTOR, 1, LICENCE), Error::<Test>::LicenceInUse);
		assert_noop!(
			Doctors::register_doctor(
				signed(ADMIN),
				0,
				OTHER_DOCTOR,
				bound(b"B"),
				bound(b"GP"),
				LICENCE,
				KEY
			),
			Error::<Test>::LicenceInUse
		);
	});
}

#[test]
fn a_pending_doctor_cannot_apply_again() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_noop!(apply(DOCTOR, 1, LICENCE), Error::<Test>::ApplicationPending);
	});
}

#[test]
fn an_admin_of_the_hospital_approves() {
	test(|| {
		active_doctor();
		assert_eq!(status(DOCTOR), Some(DoctorStatus::Active));
		assert!(is_active(DOCTOR));
		System::assert_last_event(Event::DoctorApproved { doctor: DOCTOR, hospital: 0 }.into());
		assert_eq!(trail(DOCTOR)[1], by(ADMIN, AuditAction::DoctorApproved { hospital: 0 }));
		assert_noop!(Doctors::approve(signed(ADMIN), DOCTOR), Error::<Test>::NotPending);
	});
}

#[test]
fn nobody_but_an_admin_of_that_active_hospital_decides() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		// The applicant, a stranger, the admin of another hospital.
		for who in [DOCTOR, STRANGER, 2] {
			assert_noop!(Doctors::approve(signed(who), DOCTOR), Error::<Test>::NotHospitalAdmin);
			assert_noop!(Doctors::reject(signed(who), DOCTOR), Error::<Test>::NotHospitalAdmin);
		}
		assert_noop!(Doctors::approve(RuntimeOrigin::root(), DOCTOR), DispatchError::BadOrigin);
		// The admins of a hospital that was suspended after the application.
		MockHospitals::set_active(0, false);
		assert_noop!(Doctors::approve(signed(ADMIN), DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_noop!(Doctors::approve(signed(ADMIN), STRANGER), Error::<Test>::NotDoctor);
	});
}

#[test]
fn a_rejected_application_is_removed_and_the_licence_freed() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_ok!(Doctors::reject(signed(ADMIN), DOCTOR));
		assert_eq!(status(DOCTOR), None);
		assert!(!DoctorsOf::<Test>::contains_key(0, DOCTOR));
		assert_eq!(DoctorByLicence::<Test>::get(LICENCE), None);
		System::assert_last_event(Event::DoctorRejected { doctor: DOCTOR, hospital: 0 }.into());
		assert_eq!(trail(DOCTOR)[1], by(ADMIN, AuditAction::DoctorRejected { hospital: 0 }));
		assert_noop!(Doctors::reject(signed(ADMIN), DOCTOR), Error::<Test>::NotDoctor);
		// The doctor may apply again.
		assert_ok!(apply(DOCTOR, 1, LICENCE));
	});
}

#[test]
fn only_pending_applications_are_rejected() {
	test(|| {
		active_doctor();
		assert_noop!(Doctors::reject(signed(ADMIN), DOCTOR), Error::<Test>::NotPending);
	});
}

#[test]
fn a_suspended_doctor_is_not_active_until_reinstated() {
	test(|| {
		active_doctor();
		assert_ok!(Doctors::suspend(signed(ADMIN), DOCTOR));
		assert_eq!(status(DOCTOR), Some(DoctorStatus::Suspended));
		assert!(!is_active(DOCTOR));
		System::assert_last_event(Event::DoctorSuspended { doctor: DOCTOR, hospital: 0 }.into());
		assert_noop!(Doctors::suspend(signed(ADMIN), DOCTOR), Error::<Test>::NotActive);
		// A suspended doctor cannot escape by applying elsewhere.
		assert_noop!(apply(DOCTOR, 1, LICENCE), Error::<Test>::DoctorSuspended);

		assert_ok!(Doctors::reinstate(signed(ADMIN), DOCTOR));
		assert!(is_active(DOCTOR));
		System::assert_last_event(Event::DoctorReinstated { doctor: DOCTOR, hospital: 0 }.into());
		assert_noop!(Doctors::reinstate(signed(ADMIN), DOCTOR), Error::<Test>::NotSuspended);
		assert_eq!(
			trail(DOCTOR)[2..],
			[
				by(ADMIN, AuditAction::DoctorSuspended { hospital: 0 }),
				by(ADMIN, AuditAction::DoctorReinstated { hospital: 0 }),
			]
		);
	});
}

#[test]
fn pending_doctors_cannot_be_suspended_or_reinstated() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_noop!(Doctors::suspend(signed(ADMIN), DOCTOR), Error::<Test>::NotActive);
		assert_noop!(Doctors::reinstate(signed(ADMIN), DOCTOR), Error::<Test>::NotSuspended);
	});
}

#[test]
fn only_the_doctors_hospital_suspends_them() {
	test(|| {
		active_doctor();
		assert_noop!(Doctors::suspend(signed(2), DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_noop!(Doctors::suspend(signed(DOCTOR), DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_noop!(Doctors::reinstate(signed(2), DOCTOR), Error::<Test>::NotHospitalAdmin);
	});
}

#[test]
fn doctors_of_a_suspended_hospital_are_not_active() {
	test(|| {
		active_doctor();
		MockHospitals::set_active(0, false);
		assert!(!is_active(DOCTOR));
		MockHospitals::set_active(0, true);
		assert!(is_active(DOCTOR));
	});
}

#[test]
fn an_admin_registers_a_doctor_directly() {
	test(|| {
		assert_ok!(Doctors::register_doctor(
			signed(ADMIN),
			0,
			DOCTOR,
			bound(b"Dr Grace Hopper"),
			bound(b"Neurology"),
			LICENCE,
			KEY
		));
		assert_eq!(status(DOCTOR), Some(DoctorStatus::Active));
		assert!(is_active(DOCTOR));
		System::assert_last_event(Event::DoctorRegistered { doctor: DOCTOR, hospital: 0 }.into());
		assert_eq!(trail(DOCTOR), vec![by(ADMIN, AuditAction::DoctorRegistered { hospital: 0 })]);
	});
}

#[test]
fn direct_registration_needs_an_admin_and_a_new_doctor() {
	test(|| {
		let register = |admin: u64, hospital, doctor| {
			Doctors::register_doctor(
				signed(admin),
				hospital,
				doctor,
				bound(b"Dr B"),
				bound(b"GP"),
				OTHER_LICENCE,
				KEY,
			)
		};
		assert_noop!(register(STRANGER, 0, DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_noop!(register(2, 0, DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_noop!(register(3, 2, DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_ok!(apply(DOCTOR, 1, LICENCE));
		assert_noop!(register(ADMIN, 0, DOCTOR), Error::<Test>::AlreadyDoctor);
	});
}

#[test]
fn a_doctor_moves_only_by_a_new_application() {
	test(|| {
		active_doctor();
		assert_noop!(apply(DOCTOR, 0, LICENCE), Error::<Test>::AlreadyAtHospital);
		assert_ok!(apply(DOCTOR, 1, LICENCE));
		let info = DoctorOf::<Test>::get(DOCTOR).unwrap();
		assert_eq!((info.hospital, info.status), (1, DoctorStatus::Pending));
		assert!(!is_active(DOCTOR));
		assert!(!DoctorsOf::<Test>::contains_key(0, DOCTOR));
		assert!(DoctorsOf::<Test>::contains_key(1, DOCTOR));
		// The old hospital has no say any more; the new one decides.
		assert_noop!(Doctors::approve(signed(ADMIN), DOCTOR), Error::<Test>::NotHospitalAdmin);
		assert_ok!(Doctors::approve(signed(2), DOCTOR));
		assert_eq!(<Doctors as DoctorRegistry<u64>>::hospital_of(&DOCTOR), Some(1));
		assert!(is_active(DOCTOR));
	});
}

#[test]
fn a_doctor_updates_name_and_specialty() {
	test(|| {
		active_doctor();
		assert_ok!(Doctors::update_profile(
			signed(DOCTOR),
			bound(b"Dr A. King"),
			bound(b"Oncology")
		));
		let info = DoctorOf::<Test>::get(DOCTOR).unwrap();
		assert_eq!(
			(info.name.to_vec(), info.specialty.to_vec()),
			(b"Dr A. King".to_vec(), b"Oncology".to_vec())
		);
		System::assert_last_event(Event::ProfileUpdated { doctor: DOCTOR }.into());
		assert_noop!(
			Doctors::update_profile(signed(DOCTOR), bound(b""), bound(b"GP")),
			Error::<Test>::InvalidName
		);
		assert_noop!(
			Doctors::update_profile(signed(STRANGER), bound(b"X"), bound(b"GP")),
			Error::<Test>::NotDoctor
		);
		assert_eq!(trail(DOCTOR).last(), Some(&by(DOCTOR, AuditAction::DoctorProfileUpdated)));
	});
}

#[test]
fn a_doctor_rotates_their_key() {
	test(|| {
		active_doctor();
		assert_ok!(Doctors::rotate_key(signed(DOCTOR), NEW_KEY));
		assert_eq!(<Doctors as DoctorRegistry<u64>>::encryption_key(&DOCTOR), Some(NEW_KEY));
		System::assert_last_event(Event::EncryptionKeyRotated { doctor: DOCTOR }.into());
		assert_noop!(
			Doctors::rotate_key(signed(DOCTOR), [0; 32]),
			Error::<Test>::InvalidEncryptionKey
		);
		assert_noop!(Doctors::rotate_key(signed(STRANGER), NEW_KEY), Error::<Test>::NotDoctor);
		assert_eq!(trail(DOCTOR).last(), Some(&by(DOCTOR, AuditAction::DoctorKeyRotated)));
	});
}

#[test]
fn the_registry_answers_for_other_pallets() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		type R = Doctors;
		assert!(!<R as DoctorRegistry<u64>>::is_active(&DOCTOR));
		assert_eq!(<R as DoctorRegistry<u64>>::hospital_of(&DOCTOR), Some(0));
		assert_eq!(<R as DoctorRegistry<u64>>::encryption_key(&DOCTOR), Some(KEY));
		assert_eq!(<R as DoctorRegistry<u64>>::hospital_of(&STRANGER), None);
		assert_eq!(<R as DoctorRegistry<u64>>::encryption_key(&STRANGER), None);
		assert!(!<R as DoctorRegistry<u64>>::is_active(&STRANGER));
	});
}

#[test]
fn every_action_writes_exactly_one_entry_and_failures_write_none() {
	test(|| {
		active_doctor();
		assert_ok!(Doctors::suspend(signed(ADMIN), DOCTOR));
		assert_ok!(Doctors::reinstate(signed(ADMIN), DOCTOR));
		assert_ok!(Doctors::update_profile(signed(DOCTOR), bound(b"Dr Z"), bound(b"GP")));
		assert_ok!(Doctors::rotate_key(signed(DOCTOR), NEW_KEY));
		let before = pallet_audit::NextSeq::<Test>::get();
		assert!(Doctors::suspend(signed(2), DOCTOR).is_err());
		assert_eq!(pallet_audit::NextSeq::<Test>::get(), before);
		assert_eq!(
			trail(DOCTOR),
			vec![
				by(DOCTOR, AuditAction::DoctorApplied { hospital: 0 }),
				by(ADMIN, AuditAction::DoctorApproved { hospital: 0 }),
				by(ADMIN, AuditAction::DoctorSuspended { hospital: 0 }),
				by(ADMIN, AuditAction::DoctorReinstated { hospital: 0 }),
				by(DOCTOR, AuditAction::DoctorProfileUpdated),
				by(DOCTOR, AuditAction::DoctorKeyRotated),
			]
		);
		assert_eq!(Audit::actor_entries(&Entity::Account(ADMIN), 0, 10).len(), 3);
	});
}

// --- fees: accounts kept alive by a doctor's entry, invitations used up ---

fn providers(who: u64) -> u32 {
	frame_system::Pallet::<Test>::providers(&who)
}

#[test]
fn a_doctors_entry_keeps_their_account_until_rejected() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_eq!(providers(DOCTOR), 1);
		assert_ok!(Doctors::reject(signed(ADMIN), DOCTOR));
		assert_eq!(providers(DOCTOR), 0);
		active_doctor();
		// Moving to another hospital replaces the entry: still one reference.
		assert_ok!(apply(DOCTOR, 1, LICENCE));
		assert_eq!(providers(DOCTOR), 1);
	});
}

#[test]
fn applying_uses_up_a_doctor_invitation_of_that_hospital_only() {
	test(|| {
		MockHospitals::invite(DOCTOR, InviteRole::Doctor, 1);
		MockHospitals::invite(OTHER_DOCTOR, InviteRole::Doctor, 1);
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert!(MockHospitals::is_invited(&DOCTOR, InviteRole::Doctor, Some(1)));
		assert_ok!(apply(OTHER_DOCTOR, 1, OTHER_LICENCE));
		assert!(!MockHospitals::is_invited(&OTHER_DOCTOR, InviteRole::Doctor, None));
	});
}

// Attack 8 of the abuse review (licence-hash squatting): anyone could apply
// with another doctor's licence hash and so block that doctor's
// registration everywhere.
#[test]
fn licence_hash_squatting_an_application_claims_nothing_until_a_hospital_verifies_it() {
	test(|| {
		// The squatter applies first, at hospital 1.
		assert_ok!(apply(OTHER_DOCTOR, 1, LICENCE));
		// The licence's holder applies at hospital 0 all the same, and is approved.
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_ok!(Doctors::approve(signed(ADMIN), DOCTOR));
		assert_eq!(DoctorByLicence::<Test>::get(LICENCE), Some(DOCTOR));
		// The squatter's application can no longer be approved.
		assert_noop!(Doctors::approve(signed(2), OTHER_DOCTOR), Error::<Test>::LicenceInUse);
		assert_ok!(Doctors::reject(signed(2), OTHER_DOCTOR));
		assert_eq!(DoctorByLicence::<Test>::get(LICENCE), Some(DOCTOR));
	});
}

// Attack 8: a squatter a hospital approved by mistake held the hash for good.
#[test]
fn licence_hash_squatting_an_admin_releases_a_squatted_hash() {
	test(|| {
		assert_ok!(apply(OTHER_DOCTOR, 1, LICENCE));
		assert_ok!(Doctors::approve(signed(2), OTHER_DOCTOR));
		assert_noop!(apply(DOCTOR, 0, LICENCE), Error::<Test>::LicenceInUse);
		// Only a suspended doctor's hash, by an admin of their hospital.
		assert_noop!(
			Doctors::release_licence(signed(2), OTHER_DOCTOR),
			Error::<Test>::NotSuspended
		);
		assert_ok!(Doctors::suspend(signed(2), OTHER_DOCTOR));
		assert_noop!(
			Doctors::release_licence(signed(ADMIN), OTHER_DOCTOR),
			Error::<Test>::NotHospitalAdmin
		);
		assert_ok!(Doctors::release_licence(signed(2), OTHER_DOCTOR));
		System::assert_last_event(
			Event::LicenceReleased { doctor: OTHER_DOCTOR, hospital: 1 }.into(),
		);
		assert_eq!(
			trail(OTHER_DOCTOR).last(),
			Some(&by(2, AuditAction::LicenceReleased { hospital: 1 }))
		);
		assert_noop!(
			Doctors::release_licence(signed(2), OTHER_DOCTOR),
			Error::<Test>::LicenceNotHeld
		);
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_ok!(Doctors::approve(signed(ADMIN), DOCTOR));
		// Reinstating the squatter would claim the hash again: refused.
		assert_noop!(Doctors::reinstate(signed(2), OTHER_DOCTOR), Error::<Test>::LicenceInUse);
	});
}

// Trust review, attack 3: the emergency probation counts from when a doctor became active at
// their hospital (approved, registered or reinstated), not from the application.
#[test]
fn a_doctor_is_active_since_their_approval_registration_or_reinstatement() {
	test(|| {
		assert_ok!(apply(DOCTOR, 0, LICENCE));
		assert_eq!(Doctors::active_since(&DOCTOR), Some(NOW));
		pallet_timestamp::Now::<Test>::put(NOW + 1_000);
		assert_ok!(Doctors::approve(signed(ADMIN), DOCTOR));
		assert_eq!(Doctors::active_since(&DOCTOR), Some(NOW + 1_000));
		assert_ok!(Doctors::suspend(signed(ADMIN), DOCTOR));
		pallet_timestamp::Now::<Test>::put(NOW + 2_000);
		assert_ok!(Doctors::reinstate(signed(ADMIN), DOCTOR));
		assert_eq!(Doctors::active_since(&DOCTOR), Some(NOW + 2_000));
		assert_ok!(Doctors::register_doctor(
			signed(ADMIN),
			0,
			OTHER_DOCTOR,
			bound(b"Dr Other"),
			bound(b"Surgery"),
			OTHER_LICENCE,
			KEY
		));
		assert_eq!(Doctors::active_since(&OTHER_DOCTOR), Some(NOW + 2_000));
		assert_eq!(Doctors::active_since(&STRANGER), None);
	});
}
