use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use medchain_primitives::{
	testing::{numbered_cid, MockFiles, MockHospitals},
	AuditAction, Entity, FileClaims, HospitalRegistry, InviteRole,
};
use sp_runtime::DispatchError;

const KEY: EncryptionKey = [7; 32];
const NEW_KEY: EncryptionKey = [8; 32];
/// CIDv1 (raw, SHA-256) of "hello world\n", and the same CID in base58btc.
const CID: &[u8] = b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
const CID_BASE58: &[u8] = b"zb2rhi36Gc9GJWijLEL6zW45MBux5FcFv5gJmjXA7VAMozEXY";
/// CIDv0 of the same bytes.
const CID_V0: &[u8] = b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

const PATIENT: u64 = 10;
const OTHER_PATIENT: u64 = 11;
const GUARDIAN: u64 = 20;
const STRANGER: u64 = 99;

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Bytes as a call's bounded argument. Longer ones do not even decode (the
/// runtime's `free_block_stuffing_*` tests), so no test passes them.
fn bound<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> sp_runtime::BoundedVec<u8, S> {
	bytes.to_vec().try_into().expect("within its bound")
}

/// Register `who` with a profile: `CID` for `PATIENT`, a file of their own for anyone else;
/// at the hospital that invited them, if one did.
fn register(who: u64) {
	let profile = if who == PATIENT { bound(CID) } else { numbered_cid(who) };
	let hospital = (0..3).find(|h| MockHospitals::is_invited(&who, InviteRole::Patient, Some(*h)));
	let result = match hospital {
		Some(h) => Patients::register_at(signed(who), h, KEY, Some(profile)),
		None => Patients::register(signed(who), KEY, Some(profile)),
	};
	assert_ok!(result);
}

fn register_with_guardian() {
	register(PATIENT);
	assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, GUARDIAN));
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
fn a_person_registers_as_patient_with_key_and_profile() {
	test(|| {
		register(PATIENT);
		let info = PatientOf::<Test>::get(PATIENT).unwrap();
		assert_eq!(info.encryption_key, KEY);
		assert_eq!(info.profile.unwrap().to_vec(), CID);
		assert_eq!(info.registered_by, PATIENT);
		assert_eq!(info.hospital, None);
		assert_eq!(info.registered_at, NOW);
		assert!(info.guardians.is_empty());
		assert_eq!(PatientCount::<Test>::get(), 1);
		System::assert_last_event(
			Event::PatientRegistered { patient: PATIENT, hospital: None }.into(),
		);
		assert_eq!(
			trail(PATIENT),
			vec![by(PATIENT, AuditAction::PatientRegistered { hospital: None })]
		);
	});
}

#[test]
fn a_patient_may_register_without_a_profile() {
	test(|| {
		assert_ok!(Patients::register(signed(PATIENT), KEY, None));
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().profile, None);
	});
}

#[test]
fn cids_are_stored_in_canonical_form() {
	test(|| {
		assert_ok!(Patients::register(signed(PATIENT), KEY, Some(bound(CID_BASE58))));
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().profile.unwrap().to_vec(), CID);
		assert_ok!(Patients::register(signed(OTHER_PATIENT), KEY, Some(bound(CID_V0))));
		assert_eq!(
			PatientOf::<Test>::get(OTHER_PATIENT).unwrap().profile.unwrap().to_vec(),
			CID_V0
		);
	});
}

#[test]
fn registering_twice_fails() {
	test(|| {
		register(PATIENT);
		assert_noop!(
			Patients::register(signed(PATIENT), NEW_KEY, None),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn an_all_zero_encryption_key_is_refused() {
	test(|| {
		assert_noop!(
			Patients::register(signed(PATIENT), [0; 32], None),
			Error::<Test>::InvalidEncryptionKey
		);
	});
}

#[test]
fn malformed_or_overlong_cids_are_refused() {
	test(|| {
		assert_noop!(
			Patients::register(signed(PATIENT), KEY, Some(bound(b"QmNotACid"))),
			Error::<Test>::MalformedCid
		);
		register(PATIENT);
		assert_noop!(
			Patients::set_profile(signed(PATIENT), PATIENT, Some(bound(b"hello"))),
			Error::<Test>::MalformedCid
		);
	});
}

#[test]
fn unsigned_and_root_origins_are_refused() {
	test(|| {
		assert_noop!(
			Patients::register(RuntimeOrigin::none(), KEY, None),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Patients::register(RuntimeOrigin::root(), KEY, None),
			DispatchError::BadOrigin
		);
	});
}

// Attack 6 of the abuse review (desk registration without consent): an admin
// registered an account that never signed, choosing its key and guardian.
// Now the desk invites and the person registers, with their own key.
#[test]
fn desk_registration_without_consent_the_hospital_invites_and_the_person_registers() {
	test(|| {
		MockHospitals::invite(PATIENT, InviteRole::Patient, 0);
		assert_ok!(Patients::register_at(signed(PATIENT), 0, KEY, Some(bound(CID))));
		let info = PatientOf::<Test>::get(PATIENT).unwrap();
		assert_eq!((info.registered_by, info.hospital), (PATIENT, Some(0)));
		assert!(info.guardians.is_empty());
		System::assert_last_event(
			Event::PatientRegistered { patient: PATIENT, hospital: Some(0) }.into(),
		);
		assert_eq!(
			trail(PATIENT),
			vec![by(PATIENT, AuditAction::PatientRegistered { hospital: Some(0) })]
		);
	});
}

#[test]
fn the_patient_or_a_guardian_updates_the_profile() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::set_profile(signed(PATIENT), PATIENT, None));
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().profile, None);
		System::assert_last_event(Event::ProfileUpdated { patient: PATIENT }.into());
		assert_ok!(Patients::set_profile(signed(GUARDIAN), PATIENT, Some(bound(CID_V0))));
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().profile.unwrap().to_vec(), CID_V0);
		let entries = trail(PATIENT);
		assert_eq!(
			entries[2..],
			[
				by(PATIENT, AuditAction::PatientProfileUpdated),
				by(GUARDIAN, AuditAction::PatientProfileUpdated)
			]
		);
	});
}

#[test]
fn nobody_else_acts_for_a_patient() {
	test(|| {
		register_with_guardian();
		register(OTHER_PATIENT);
		// Another patient, a hospital admin, a stranger.
		for who in [OTHER_PATIENT, 1, STRANGER] {
			assert_noop!(
				Patients::set_profile(signed(who), PATIENT, None),
				Error::<Test>::NotPatientOrGuardian
			);
			assert_noop!(
				Patients::rotate_key(signed(who), PATIENT, NEW_KEY),
				Error::<Test>::NotPatient
			);
			assert_noop!(
				Patients::add_guardian(signed(who), PATIENT, who),
				Error::<Test>::MayNotManageGuardians
			);
			assert_noop!(
				Patients::remove_guardian(signed(who), PATIENT, GUARDIAN).map_err(|e| e.error),
				Error::<Test>::MayNotManageGuardians
			);
		}
		// A guardian of one patient is nobody for another.
		assert_noop!(
			Patients::set_profile(signed(GUARDIAN), OTHER_PATIENT, None),
			Error::<Test>::NotPatientOrGuardian
		);
	});
}

#[test]
fn calls_about_an_unregistered_patient_fail() {
	test(|| {
		assert_noop!(
			Patients::set_profile(signed(PATIENT), PATIENT, None),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Patients::rotate_key(signed(PATIENT), PATIENT, NEW_KEY),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Patients::add_guardian(signed(PATIENT), PATIENT, GUARDIAN),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Patients::remove_guardian(signed(PATIENT), PATIENT, GUARDIAN).map_err(|e| e.error),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn the_patient_rotates_the_key() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::rotate_key(signed(PATIENT), PATIENT, NEW_KEY));
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().encryption_key, NEW_KEY);
		System::assert_last_event(Event::EncryptionKeyRotated { patient: PATIENT }.into());
		assert_noop!(
			Patients::rotate_key(signed(PATIENT), PATIENT, [0; 32]),
			Error::<Test>::InvalidEncryptionKey
		);
		assert_eq!(trail(PATIENT).last(), Some(&by(PATIENT, AuditAction::PatientKeyRotated)));
	});
}

// Attack 3 of the abuse review (guardian takeover): a guardian replaced the
// patient's encryption key, so that new records were wrapped to a key the
// patient does not hold.
#[test]
fn guardian_takeover_a_guardian_cannot_replace_the_patients_key() {
	test(|| {
		register_with_guardian();
		assert_noop!(
			Patients::rotate_key(signed(GUARDIAN), PATIENT, NEW_KEY),
			Error::<Test>::NotPatient
		);
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().encryption_key, KEY);
	});
}

// Attack 3: colluding guardians kept the list full: the patient removed one,
// another re-added it.
#[test]
fn guardian_takeover_guardians_cannot_add_or_remove_each_other() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, 21));
		assert_noop!(
			Patients::add_guardian(signed(GUARDIAN), PATIENT, 22),
			Error::<Test>::MayNotManageGuardians
		);
		assert_noop!(
			Patients::remove_guardian(signed(GUARDIAN), PATIENT, 21).map_err(|e| e.error),
			Error::<Test>::MayNotManageGuardians
		);
		// The patient removes one; the other cannot bring it back.
		assert_ok!(Patients::remove_guardian(signed(PATIENT), PATIENT, 21));
		assert_noop!(
			Patients::add_guardian(signed(GUARDIAN), PATIENT, 21),
			Error::<Test>::MayNotManageGuardians
		);
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().guardians.to_vec(), vec![GUARDIAN]);
	});
}

// Attack 3: where the patient cannot act (a minor, an incapacitated adult),
// the rule is that the hospital that recorded it manages the guardians.
#[test]
fn guardian_takeover_a_represented_patients_guardians_are_managed_by_the_recording_hospital() {
	test(|| {
		// The patient registered at hospital 0, through its invitation.
		MockHospitals::invite(PATIENT, InviteRole::Patient, 0);
		register_with_guardian();
		// Another hospital cannot declare them unable to act.
		assert_noop!(
			Patients::set_represented(signed(2), 1, PATIENT, true),
			Error::<Test>::NotPatientsHospital
		);
		// Admin 1 of hospital 0 records it; admin 3 of suspended hospital 2 cannot.
		assert_noop!(
			Patients::set_represented(signed(3), 2, PATIENT, true),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Patients::set_represented(signed(1), 0, STRANGER, true),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Patients::set_represented(signed(1), 0, PATIENT, false),
			Error::<Test>::NotRepresented
		);
		assert_noop!(
			Patients::set_represented(signed(GUARDIAN), 0, PATIENT, true),
			Error::<Test>::NotHospitalAdmin
		);
		assert_ok!(Patients::set_represented(signed(1), 0, PATIENT, true));
		System::assert_last_event(
			Event::PatientRepresented { patient: PATIENT, hospital: 0 }.into(),
		);
		assert_eq!(Represented::<Test>::get(PATIENT).map(|r| r.hospital), Some(0));
		// That hospital's admin manages the guardians; another hospital's and the
		// guardians themselves do not.
		assert_ok!(Patients::add_guardian(signed(1), PATIENT, 21));
		assert_noop!(
			Patients::add_guardian(signed(2), PATIENT, 22),
			Error::<Test>::MayNotManageGuardians
		);
		assert_noop!(
			Patients::add_guardian(signed(GUARDIAN), PATIENT, 22),
			Error::<Test>::MayNotManageGuardians
		);
		assert_noop!(
			Patients::remove_guardian(signed(21), PATIENT, GUARDIAN).map_err(|e| e.error),
			Error::<Test>::MayNotManageGuardians
		);
		assert_ok!(Patients::remove_guardian(signed(1), PATIENT, GUARDIAN));
		// The patient's own account still may.
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, 22));
		// Only the hospital holding the record ends it.
		assert_noop!(
			Patients::set_represented(signed(2), 1, PATIENT, false),
			Error::<Test>::NotPatientsHospital
		);
		// Ended: the admin may no longer.
		assert_ok!(Patients::set_represented(signed(1), 0, PATIENT, false));
		assert_noop!(
			Patients::remove_guardian(signed(1), PATIENT, 22).map_err(|e| e.error),
			Error::<Test>::MayNotManageGuardians
		);
		assert_eq!(
			trail(PATIENT)[2..],
			[
				by(1, AuditAction::PatientRepresented { hospital: 0 }),
				by(1, AuditAction::GuardianAdded { guardian: 21 }),
				by(1, AuditAction::GuardianRemoved { guardian: GUARDIAN }),
				by(PATIENT, AuditAction::GuardianAdded { guardian: 22 }),
				by(1, AuditAction::PatientRepresentationEnded { hospital: 0 }),
			]
		);
	});
}

// Attack 4: a removed guardian kept the wrapped keys of the records they had
// written.
#[test]
fn a_removed_guardian_keeps_no_wrapped_keys() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, 21));
		register(OTHER_PATIENT);
		HeldKeys::set(vec![
			(PATIENT, GUARDIAN),
			(PATIENT, PATIENT),
			(PATIENT, GUARDIAN),
			(PATIENT, 21),
			(OTHER_PATIENT, GUARDIAN),
		]);
		assert_ok!(Patients::remove_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		System::assert_last_event(
			Event::GuardianRemoved { patient: PATIENT, guardian: GUARDIAN, keys_removed: 2 }.into(),
		);
		// Stepping down takes the keys too.
		assert_ok!(Patients::remove_guardian(signed(21), PATIENT, 21));
		assert_eq!(HeldKeys::get(), vec![(PATIENT, PATIENT), (OTHER_PATIENT, GUARDIAN)]);
	});
}

#[test]
fn guardians_are_added_up_to_the_limit() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, 21));
		System::assert_last_event(Event::GuardianAdded { patient: PATIENT, guardian: 21 }.into());
		assert_noop!(
			Patients::add_guardian(signed(PATIENT), PATIENT, 21),
			Error::<Test>::AlreadyGuardian
		);
		assert_noop!(
			Patients::add_guardian(signed(PATIENT), PATIENT, PATIENT),
			Error::<Test>::SelfGuardian
		);
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, 22));
		assert_noop!(
			Patients::add_guardian(signed(PATIENT), PATIENT, 23),
			Error::<Test>::TooManyGuardians
		);
		assert_eq!(
			PatientOf::<Test>::get(PATIENT).unwrap().guardians.to_vec(),
			vec![GUARDIAN, 21, 22]
		);
		assert_eq!(
			trail(PATIENT)[1..],
			[
				by(PATIENT, AuditAction::GuardianAdded { guardian: GUARDIAN }),
				by(PATIENT, AuditAction::GuardianAdded { guardian: 21 }),
				by(PATIENT, AuditAction::GuardianAdded { guardian: 22 }),
			]
		);
	});
}

#[test]
fn a_removed_guardian_loses_every_right() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::remove_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		System::assert_last_event(
			Event::GuardianRemoved { patient: PATIENT, guardian: GUARDIAN, keys_removed: 0 }.into(),
		);
		assert!(!WardsOf::<Test>::contains_key(GUARDIAN, PATIENT));
		assert!(!<Patients as PatientRegistry<u64>>::may_act_for(&GUARDIAN, &PATIENT));
		assert_noop!(
			Patients::set_profile(signed(GUARDIAN), PATIENT, None),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(
			Patients::remove_guardian(signed(PATIENT), PATIENT, GUARDIAN).map_err(|e| e.error),
			Error::<Test>::NotGuardian
		);
		assert_eq!(
			trail(PATIENT).last(),
			Some(&by(PATIENT, AuditAction::GuardianRemoved { guardian: GUARDIAN }))
		);
	});
}

#[test]
fn a_guardian_may_step_down() {
	test(|| {
		register_with_guardian();
		assert_ok!(Patients::remove_guardian(signed(GUARDIAN), PATIENT, GUARDIAN));
		assert!(PatientOf::<Test>::get(PATIENT).unwrap().guardians.is_empty());
	});
}

#[test]
fn the_registry_answers_for_other_pallets() {
	test(|| {
		register_with_guardian();
		type R = Patients;
		assert!(<R as PatientRegistry<u64>>::is_registered(&PATIENT));
		assert!(!<R as PatientRegistry<u64>>::is_registered(&GUARDIAN));
		assert_eq!(<R as PatientRegistry<u64>>::encryption_key(&PATIENT), Some(KEY));
		assert_eq!(<R as PatientRegistry<u64>>::encryption_key(&STRANGER), None);
		assert!(<R as PatientRegistry<u64>>::may_act_for(&PATIENT, &PATIENT));
		assert!(<R as PatientRegistry<u64>>::may_act_for(&GUARDIAN, &PATIENT));
		assert!(!<R as PatientRegistry<u64>>::may_act_for(&STRANGER, &PATIENT));
		// Nobody acts for an unregistered account, not even itself.
		assert!(!<R as PatientRegistry<u64>>::may_act_for(&STRANGER, &STRANGER));
	});
}

#[test]
fn every_action_writes_exactly_one_entry_and_failures_write_none() {
	test(|| {
		register(PATIENT);
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		assert_ok!(Patients::set_profile(signed(GUARDIAN), PATIENT, None));
		assert_ok!(Patients::rotate_key(signed(PATIENT), PATIENT, NEW_KEY));
		assert_ok!(Patients::remove_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		let before = pallet_audit::NextSeq::<Test>::get();
		assert!(Patients::rotate_key(signed(STRANGER), PATIENT, KEY).is_err());
		assert_eq!(pallet_audit::NextSeq::<Test>::get(), before);
		assert_eq!(
			trail(PATIENT),
			vec![
				by(PATIENT, AuditAction::PatientRegistered { hospital: None }),
				by(PATIENT, AuditAction::GuardianAdded { guardian: GUARDIAN }),
				by(GUARDIAN, AuditAction::PatientProfileUpdated),
				by(PATIENT, AuditAction::PatientKeyRotated),
				by(PATIENT, AuditAction::GuardianRemoved { guardian: GUARDIAN }),
			]
		);
		// The actor index holds the guardian's one action.
		assert_eq!(Audit::actor_entries(&Entity::Account(GUARDIAN), 0, 10).len(), 1);
	});
}

// --- fees: accounts kept alive by a role, invitations used up ---

fn providers(who: u64) -> u32 {
	frame_system::Pallet::<Test>::providers(&who)
}

#[test]
fn patients_and_guardians_have_accounts_without_holding_tokens() {
	test(|| {
		register(PATIENT);
		assert_eq!(providers(PATIENT), 1);
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		assert_eq!(providers(GUARDIAN), 1);
		assert!(Patients::is_guardian(&GUARDIAN));
		assert_ok!(Patients::remove_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		assert_eq!(providers(GUARDIAN), 0);
		assert!(!Patients::is_guardian(&GUARDIAN));
	});
}

#[test]
fn registration_uses_up_a_patient_invitation_and_only_that() {
	test(|| {
		MockHospitals::invite(PATIENT, InviteRole::Patient, 0);
		MockHospitals::invite(OTHER_PATIENT, InviteRole::Doctor, 0);
		register(PATIENT);
		register(OTHER_PATIENT);
		assert!(!MockHospitals::is_invited(&PATIENT, InviteRole::Patient, None));
		assert!(MockHospitals::is_invited(&OTHER_PATIENT, InviteRole::Doctor, None));
	});
}

// Guardian takeover through representation: an admin of any hospital could
// declare any patient unable to act and then name their guardians.
#[test]
fn guardian_takeover_a_stranger_hospital_cannot_take_a_patient_over() {
	test(|| {
		// Registered without any hospital's invitation: no hospital records it.
		register(PATIENT);
		assert_noop!(
			Patients::set_represented(signed(1), 0, PATIENT, true),
			Error::<Test>::NotPatientsHospital
		);
		// Registered at hospital 0: once hospital 0 is suspended, hospital 1 may
		// take the record over, and only then.
		MockHospitals::invite(OTHER_PATIENT, InviteRole::Patient, 0);
		register(OTHER_PATIENT);
		assert_ok!(Patients::set_represented(signed(1), 0, OTHER_PATIENT, true));
		assert_noop!(
			Patients::set_represented(signed(2), 1, OTHER_PATIENT, true),
			Error::<Test>::NotPatientsHospital
		);
		MockHospitals::set_active(0, false);
		assert_ok!(Patients::set_represented(signed(2), 1, OTHER_PATIENT, true));
		assert_eq!(Represented::<Test>::get(OTHER_PATIENT).map(|r| r.hospital), Some(1));
	});
}

// --- key recovery ---

/// The person's new account, registered as a patient of its own.
const NEW_ACCOUNT: u64 = 30;
/// A second guardian, named by the hospital's admin.
const HOSPITAL_GUARDIAN: u64 = 21;

/// A patient of hospital 0 with a guardian they named, who lost their keys: the hospital
/// records that they cannot act and its admin makes the new account a guardian.
fn lost_keys() {
	MockHospitals::invite(PATIENT, InviteRole::Patient, 0);
	register_with_guardian();
	register(NEW_ACCOUNT);
	assert_ok!(Patients::set_represented(signed(1), 0, PATIENT, true));
	assert_ok!(Patients::add_guardian(signed(1), PATIENT, NEW_ACCOUNT));
}

/// Chain time moves on by `ms`.
fn wait(ms: u64) {
	pallet_timestamp::Now::<Test>::mutate(|now| *now += ms);
}

#[test]
fn another_hospital_approves_a_recovery_which_takes_effect_after_the_delay() {
	test(|| {
		lost_keys();
		assert_eq!(Patients::recovery_holder(&PATIENT), None);
		// Admin 2 of hospital 1 checks the person's identity too.
		assert_ok!(Patients::approve_recovery_as(signed(2), 1, PATIENT, NEW_ACCOUNT));
		let effective_at = NOW + RECOVERY_DELAY;
		System::assert_last_event(
			Event::RecoveryApproved { patient: PATIENT, holder: NEW_ACCOUNT, effective_at }.into(),
		);
		let recovery = Patients::recovery(PATIENT).expect("a pending recovery");
		assert_eq!(recovery.approved_by, Entity::Hospital(1));
		assert_eq!((recovery.approved_at, recovery.effective_at), (NOW, effective_at));
		assert_eq!(
			trail(PATIENT).pop(),
			Some((Entity::Hospital(1), AuditAction::KeyRecoveryApproved { holder: NEW_ACCOUNT }))
		);
		// Nothing is released until the delay has passed.
		wait(RECOVERY_DELAY - 1);
		assert_eq!(Patients::recovery_holder(&PATIENT), None);
		wait(1);
		assert_eq!(Patients::recovery_holder(&PATIENT), Some(NEW_ACCOUNT));
		// One recovery at a time.
		assert_noop!(
			Patients::approve_recovery(RuntimeOrigin::root(), PATIENT, NEW_ACCOUNT),
			Error::<Test>::RecoveryInProgress
		);
		// The holder stepping down (or removed) ends the recovery.
		assert_ok!(Patients::remove_guardian(signed(NEW_ACCOUNT), PATIENT, NEW_ACCOUNT));
		assert_eq!(Patients::recovery(PATIENT), None);
	});
}

#[test]
fn the_council_or_root_approves_a_recovery() {
	test(|| {
		lost_keys();
		assert_ok!(Patients::approve_recovery(RuntimeOrigin::root(), PATIENT, NEW_ACCOUNT));
		assert_eq!(
			trail(PATIENT).pop(),
			Some((Entity::Root, AuditAction::KeyRecoveryApproved { holder: NEW_ACCOUNT }))
		);
		assert_eq!(Patients::recovery_holder(&PATIENT), None);
		wait(RECOVERY_DELAY);
		assert_eq!(Patients::recovery_holder(&PATIENT), Some(NEW_ACCOUNT));
	});
}

// Attack 2 of the trust review (one hospital recovers any of its patients' keys): while a
// patient was represented, the hospital's admin added two guardians, one approved the recovery
// to the other, and every release service handed over all of the patient's keys at once.
#[test]
fn one_hospital_recovers_keys_nobody_of_the_patients_hospital_approves_a_recovery() {
	test(|| {
		lost_keys();
		assert_ok!(Patients::add_guardian(signed(1), PATIENT, HOSPITAL_GUARDIAN));
		// A guardian (any guardian), the hospital's admin and the patient's lost account all
		// sign: none of them is the council or root.
		for who in [HOSPITAL_GUARDIAN, GUARDIAN, 1, PATIENT, NEW_ACCOUNT, STRANGER] {
			assert_noop!(
				Patients::approve_recovery(signed(who), PATIENT, NEW_ACCOUNT),
				DispatchError::BadOrigin
			);
		}
		// Its admin cannot approve as the patient's own hospital, nor as another hospital
		// they also administer.
		assert_noop!(
			Patients::approve_recovery_as(signed(1), 0, PATIENT, NEW_ACCOUNT),
			Error::<Test>::SameHospital
		);
		MockHospitals::add(4, &[1, 5]);
		assert_noop!(
			Patients::approve_recovery_as(signed(1), 4, PATIENT, NEW_ACCOUNT),
			Error::<Test>::SameHospital
		);
		// Nor can an admin of a hospital not theirs, or a suspended one.
		assert_noop!(
			Patients::approve_recovery_as(signed(1), 1, PATIENT, NEW_ACCOUNT),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Patients::approve_recovery_as(signed(3), 2, PATIENT, NEW_ACCOUNT),
			Error::<Test>::NotHospitalAdmin
		);
		assert_eq!(Patients::recovery(PATIENT), None);
		// Nor a hospital that named the holder, once the representation has moved to another:
		// hospital 1 takes the record over while hospital 0 is suspended and names its own
		// holder, then hospital 0 takes it back.
		MockHospitals::set_active(0, false);
		assert_ok!(Patients::set_represented(signed(2), 1, PATIENT, true));
		assert_ok!(Patients::remove_guardian(signed(2), PATIENT, HOSPITAL_GUARDIAN));
		assert_ok!(Patients::add_guardian(signed(2), PATIENT, OTHER_PATIENT));
		register(OTHER_PATIENT);
		MockHospitals::set_active(0, true);
		MockHospitals::set_active(1, false);
		assert_ok!(Patients::set_represented(signed(1), 0, PATIENT, true));
		MockHospitals::set_active(1, true);
		assert_noop!(
			Patients::approve_recovery_as(signed(2), 1, PATIENT, OTHER_PATIENT),
			Error::<Test>::SameHospital
		);
		// Another admin of that second hospital, who is not the patient's hospital's, may.
		assert_ok!(Patients::approve_recovery_as(signed(5), 4, PATIENT, NEW_ACCOUNT));
	});
}

#[test]
fn one_hospital_recovers_keys_the_patient_or_a_guardian_they_named_cancels_it_in_the_delay() {
	test(|| {
		lost_keys();
		assert_ok!(Patients::add_guardian(signed(1), PATIENT, HOSPITAL_GUARDIAN));
		assert_ok!(Patients::approve_recovery_as(signed(2), 1, PATIENT, NEW_ACCOUNT));
		// A guardian the hospital named cannot cancel it, nor can a stranger; and the hospital
		// cannot remove the guardian the patient named while it is pending.
		for who in [HOSPITAL_GUARDIAN, STRANGER, 3] {
			assert_noop!(
				Patients::cancel_recovery(signed(who), PATIENT).map_err(|e| e.error),
				Error::<Test>::MayNotCancelRecovery
			);
		}
		assert_noop!(
			Patients::remove_guardian(signed(1), PATIENT, GUARDIAN).map_err(|e| e.error),
			Error::<Test>::RecoveryPending
		);
		// The guardian the patient named before does.
		assert_ok!(Patients::cancel_recovery(signed(GUARDIAN), PATIENT));
		System::assert_last_event(
			Event::RecoveryCancelled { patient: PATIENT, holder: NEW_ACCOUNT, shares_removed: 0 }
				.into(),
		);
		assert_eq!(
			trail(PATIENT).pop(),
			Some(by(GUARDIAN, AuditAction::KeyRecoveryCancelled { holder: NEW_ACCOUNT }))
		);
		wait(RECOVERY_DELAY);
		assert_eq!(Patients::recovery_holder(&PATIENT), None);
		assert_noop!(
			Patients::cancel_recovery(signed(PATIENT), PATIENT).map_err(|e| e.error),
			Error::<Test>::NoRecovery
		);
		// So does the patient's own account, even once it is in effect, and root.
		for canceller in [signed(PATIENT), RuntimeOrigin::root()] {
			assert_ok!(Patients::approve_recovery_as(signed(2), 1, PATIENT, NEW_ACCOUNT));
			wait(RECOVERY_DELAY);
			assert_eq!(Patients::recovery_holder(&PATIENT), Some(NEW_ACCOUNT));
			assert_ok!(Patients::cancel_recovery(canceller, PATIENT));
			assert_eq!(Patients::recovery_holder(&PATIENT), None);
		}
		// Either hospital only while it is pending: once in effect, neither alone undoes it.
		for hospital_admin in [1, 2] {
			assert_ok!(Patients::approve_recovery_as(signed(2), 1, PATIENT, NEW_ACCOUNT));
			assert_ok!(Patients::cancel_recovery(signed(hospital_admin), PATIENT));
		}
		assert_ok!(Patients::approve_recovery_as(signed(2), 1, PATIENT, NEW_ACCOUNT));
		wait(RECOVERY_DELAY);
		for hospital_admin in [1, 2] {
			assert_noop!(
				Patients::cancel_recovery(signed(hospital_admin), PATIENT).map_err(|e| e.error),
				Error::<Test>::MayNotCancelRecovery
			);
		}
		assert_ok!(Patients::cancel_recovery(signed(PATIENT), PATIENT));
		// With no recovery pending, the hospital manages the guardians again.
		assert_ok!(Patients::remove_guardian(signed(1), PATIENT, GUARDIAN));
	});
}

#[test]
fn one_hospital_recovers_keys_by_inviting_first_the_patient_names_their_hospital() {
	test(|| {
		// Hospital 1 invites the address before the patient's own hospital 0 does.
		MockHospitals::invite(PATIENT, InviteRole::Patient, 1);
		// Registering without naming a hospital uses no invitation.
		assert_ok!(Patients::register(signed(PATIENT), KEY, None));
		assert_eq!(PatientOf::<Test>::get(PATIENT).unwrap().hospital, None);
		assert!(MockHospitals::is_invited(&PATIENT, InviteRole::Patient, Some(1)));
		// Naming a hospital needs its invitation.
		MockHospitals::invite(OTHER_PATIENT, InviteRole::Patient, 1);
		assert_noop!(
			Patients::register_at(signed(OTHER_PATIENT), 0, KEY, None),
			Error::<Test>::NotInvited
		);
		assert_ok!(Patients::register_at(signed(OTHER_PATIENT), 1, KEY, None));
		assert_eq!(PatientOf::<Test>::get(OTHER_PATIENT).unwrap().hospital, Some(1));
	});
}

#[test]
fn a_recovery_needs_the_hospitals_identity_check_and_a_registered_guardian_holder() {
	test(|| {
		MockHospitals::invite(PATIENT, InviteRole::Patient, 0);
		register_with_guardian();
		register(NEW_ACCOUNT);
		// No hospital has recorded that the patient cannot act.
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, NEW_ACCOUNT));
		assert_noop!(
			Patients::approve_recovery_as(signed(2), 1, PATIENT, NEW_ACCOUNT),
			Error::<Test>::NotRepresented
		);
		assert_ok!(Patients::set_represented(signed(1), 0, PATIENT, true));
		assert_noop!(
			Patients::approve_recovery(RuntimeOrigin::none(), PATIENT, NEW_ACCOUNT),
			DispatchError::BadOrigin
		);
		// The holder must be a guardian, and a registered patient (for its key).
		assert_noop!(
			Patients::approve_recovery_as(signed(2), 1, PATIENT, STRANGER),
			Error::<Test>::NotGuardian
		);
		assert_ok!(Patients::add_guardian(signed(1), PATIENT, HOSPITAL_GUARDIAN));
		assert_noop!(
			Patients::approve_recovery_as(signed(2), 1, PATIENT, HOSPITAL_GUARDIAN),
			Error::<Test>::HolderNotRegistered
		);
		assert_noop!(
			Patients::approve_recovery(RuntimeOrigin::root(), STRANGER, NEW_ACCOUNT),
			Error::<Test>::NotRegistered
		);
	});
}

// Attack 4 of the trust review (any patient deletes any file from every hospital): a
// patient set another patient's file as their own profile, then cleared it, and every
// hospital's follower unpinned and collected the file.
#[test]
fn any_patient_deletes_any_file_a_profile_cannot_name_another_patients_file() {
	test(|| {
		register(PATIENT);
		register(OTHER_PATIENT);
		let cid = bound(CID);
		assert_eq!(MockFiles::claim_of(&cid), Some((PATIENT, 1)));
		assert_noop!(
			Patients::set_profile(signed(OTHER_PATIENT), OTHER_PATIENT, Some(cid.clone())),
			Error::<Test>::CidInUse
		);
		// The same in another base is the same file.
		assert_noop!(
			Patients::set_profile(signed(OTHER_PATIENT), OTHER_PATIENT, Some(bound(CID_BASE58))),
			Error::<Test>::CidInUse
		);
		assert_noop!(
			Patients::register(signed(STRANGER), KEY, Some(cid.clone())),
			Error::<Test>::CidInUse
		);
		// A record of another patient's claims it too.
		assert_eq!(MockFiles::claim(&OTHER_PATIENT, &bound(CID_V0)), Ok(()));
		assert_noop!(
			Patients::set_profile(signed(PATIENT), PATIENT, Some(bound(CID_V0))),
			Error::<Test>::CidInUse
		);
		MockFiles::release(&OTHER_PATIENT, &bound(CID_V0));
	});
}

#[test]
fn a_profile_claims_its_file_and_releases_the_one_it_replaces() {
	test(|| {
		register(PATIENT);
		let (old, new) = (bound(CID), bound(CID_V0));
		// Set again to the same file: still one claim.
		assert_ok!(Patients::set_profile(signed(PATIENT), PATIENT, Some(old.clone())));
		assert_eq!(MockFiles::claim_of(&old), Some((PATIENT, 1)));
		// A guardian's change claims for the patient.
		assert_ok!(Patients::add_guardian(signed(PATIENT), PATIENT, GUARDIAN));
		assert_ok!(Patients::set_profile(signed(GUARDIAN), PATIENT, Some(new.clone())));
		assert_eq!(MockFiles::claim_of(&old), None);
		assert_eq!(MockFiles::claim_of(&new), Some((PATIENT, 1)));
		assert_ok!(Patients::set_profile(signed(PATIENT), PATIENT, None));
		assert_eq!(MockFiles::claim_of(&new), None);
		// Now another patient may use it.
		register(OTHER_PATIENT);
		assert_ok!(Patients::set_profile(signed(OTHER_PATIENT), OTHER_PATIENT, Some(new)));
	});
}

// The storage migration to version 3: recoveries approved under the old rule go, and the
// guardians of represented patients count as named by the representing hospital.
#[test]
fn the_version_3_migration_drops_old_recoveries_and_marks_hospital_guardians() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	test(|| {
		lost_keys();
		// A version-2 recovery: patient -> holder, in effect at once.
		let key = Recoveries::<Test>::hashed_key_for(PATIENT);
		frame_support::storage::unhashed::put(&key, &NEW_ACCOUNT);
		NamedByHospital::<Test>::remove(PATIENT, NEW_ACCOUNT);
		StorageVersion::new(2).put::<Patients>();
		crate::migrations::V2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Patients::on_chain_storage_version(), 3);
		assert!(frame_support::storage::unhashed::get_raw(&key).is_none());
		assert_eq!(Patients::recovery(PATIENT), None);
		for guardian in [GUARDIAN, NEW_ACCOUNT] {
			assert_eq!(NamedByHospital::<Test>::get(PATIENT, guardian), Some(0));
		}
		// Run again, it does nothing.
		crate::migrations::V2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Patients::on_chain_storage_version(), 3);
	});
}
