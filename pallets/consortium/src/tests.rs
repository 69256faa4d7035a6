//! One test per behaviour and per error. Every test runs through
//! [`mock::test`], which checks the pallet's storage invariants afterwards;
//! every failing call goes through `assert_noop!`, which proves it changed
//! nothing.

use crate::{
	mock::*, Error, Event, HospitalOf, HospitalRegistry, HospitalStatus, Invitations, InviteCount,
	KeyCustodians,
};
use frame_support::{assert_noop, assert_ok};
use medchain_primitives::InviteRole;
use medchain_primitives::{AuditAction, Entity};
use pallet_session::SessionManager;
use sp_runtime::DispatchError::BadOrigin;

const GENERAL: u32 = 0;
const CHILDREN: u32 = 1;

fn admit(name: &[u8], admins: Vec<u64>, validator: u64) -> u32 {
	assert_ok!(Consortium::admit_hospital(RuntimeOrigin::root(), name.to_vec(), admins, validator));
	crate::NextHospitalId::<Test>::get() - 1
}

fn status(id: u32) -> HospitalStatus {
	HospitalOf::<Test>::get(id).expect("hospital exists").status
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Consortium(e) => Some(e),
			_ => None,
		})
		.next_back()
		.expect("an event was emitted")
}

// --- genesis ---

#[test]
fn genesis_hospitals_are_active_validators_and_council() {
	test(|| {
		assert_eq!(status(GENERAL), HospitalStatus::Active);
		assert_eq!(status(CHILDREN), HospitalStatus::Active);
		assert_eq!(Council::get(), vec![10, 20]);
		assert_eq!(Consortium::new_session(1), Some(vec![10, 20]));
	});
}

// --- admit_hospital ---

#[test]
fn admit_hospital_seats_validator_on_council_and_plans_it_for_next_session() {
	test(|| {
		let id = admit(b"Eye Clinic", vec![4, 5], 15);
		assert_eq!(id, 2);
		let hospital = HospitalOf::<Test>::get(id).unwrap();
		assert_eq!(hospital.name.to_vec(), b"Eye Clinic".to_vec());
		assert_eq!(hospital.admins.to_vec(), vec![4, 5]);
		assert_eq!(hospital.validator, 15);
		assert_eq!(hospital.admitted_at, 1);
		assert_eq!(last_event(), Event::HospitalAdmitted { hospital: 2, validator: 15 });
		assert_eq!(Council::get(), vec![10, 15, 20]);
		assert_eq!(Consortium::new_session(1), Some(vec![10, 15, 20]));
	});
}

#[test]
fn admit_hospital_needs_governance_origin() {
	test(|| {
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::signed(1), b"X".to_vec(), vec![1], 30),
			BadOrigin
		);
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::none(), b"X".to_vec(), vec![1], 30),
			BadOrigin
		);
	});
}

#[test]
fn admit_hospital_rejects_empty_or_non_utf8_name() {
	test(|| {
		let admit =
			|name: Vec<u8>| Consortium::admit_hospital(RuntimeOrigin::root(), name, vec![1], 30);
		assert_noop!(admit(vec![]), Error::<Test>::InvalidName);
		assert_noop!(admit(vec![0xff, 0xfe]), Error::<Test>::InvalidName);
	});
}

#[test]
fn admit_hospital_rejects_oversized_name() {
	test(|| {
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::root(), vec![b'a'; 17], vec![1], 30),
			Error::<Test>::NameTooLong
		);
		// Exactly the limit is fine.
		admit(&[b'a'; 16], vec![1], 30);
	});
}

#[test]
fn admit_hospital_rejects_duplicate_name() {
	test(|| {
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::root(), b"General".to_vec(), vec![1], 30),
			Error::<Test>::DuplicateName
		);
	});
}

#[test]
fn admit_hospital_rejects_bad_admin_lists() {
	test(|| {
		let admit = |admins: Vec<u64>| {
			Consortium::admit_hospital(RuntimeOrigin::root(), b"X".to_vec(), admins, 30)
		};
		assert_noop!(admit(vec![]), Error::<Test>::NoAdmins);
		assert_noop!(admit(vec![1, 2, 3, 4]), Error::<Test>::TooManyAdmins);
		assert_noop!(admit(vec![1, 2, 1]), Error::<Test>::DuplicateAdmin);
	});
}

#[test]
fn admit_hospital_rejects_validator_serving_another_hospital() {
	test(|| {
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::root(), b"X".to_vec(), vec![1], 20),
			Error::<Test>::ValidatorInUse
		);
	});
}

#[test]
fn admit_hospital_rejects_more_than_max_hospitals() {
	test(|| {
		admit(b"C", vec![1], 30);
		admit(b"D", vec![1], 40);
		admit(b"E", vec![1], 50);
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::root(), b"F".to_vec(), vec![1], 60),
			Error::<Test>::TooManyHospitals
		);
		// A removed hospital frees its place.
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), 4));
		admit(b"F", vec![1], 60);
	});
}

// --- suspend_hospital ---

#[test]
fn suspend_hospital_unseats_and_drops_from_next_validator_set() {
	test(|| {
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_eq!(status(id), HospitalStatus::Suspended);
		assert_eq!(last_event(), Event::HospitalSuspended { hospital: id });
		assert_eq!(Council::get(), vec![10, 20]);
		assert_eq!(Consortium::new_session(1), Some(vec![10, 20]));
		assert!(!Consortium::is_active(id));
		assert!(Consortium::is_admin(id, &4));
		assert!(!Consortium::is_active_admin(id, &4));
	});
}

#[test]
fn suspend_hospital_errors() {
	test(|| {
		assert_noop!(Consortium::suspend_hospital(RuntimeOrigin::signed(1), GENERAL), BadOrigin);
		assert_noop!(
			Consortium::suspend_hospital(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownHospital
		);
		// Two active hospitals and a minimum of two: no suspension possible.
		assert_noop!(
			Consortium::suspend_hospital(RuntimeOrigin::root(), GENERAL),
			Error::<Test>::TooFewValidators
		);
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_noop!(
			Consortium::suspend_hospital(RuntimeOrigin::root(), id),
			Error::<Test>::NotActive
		);
	});
}

// --- reinstate_hospital ---

#[test]
fn reinstate_hospital_seats_validator_again() {
	test(|| {
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_ok!(Consortium::reinstate_hospital(RuntimeOrigin::root(), id));
		assert_eq!(status(id), HospitalStatus::Active);
		assert_eq!(last_event(), Event::HospitalReinstated { hospital: id });
		assert_eq!(Council::get(), vec![10, 20, 30]);
	});
}

#[test]
fn reinstate_hospital_errors() {
	test(|| {
		assert_noop!(Consortium::reinstate_hospital(RuntimeOrigin::signed(1), GENERAL), BadOrigin);
		assert_noop!(
			Consortium::reinstate_hospital(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Consortium::reinstate_hospital(RuntimeOrigin::root(), GENERAL),
			Error::<Test>::NotSuspended
		);
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		assert_noop!(
			Consortium::reinstate_hospital(RuntimeOrigin::root(), id),
			Error::<Test>::NotSuspended
		);
	});
}

// --- remove_hospital ---

#[test]
fn remove_hospital_releases_validator_but_keeps_name_reserved() {
	test(|| {
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		assert_eq!(status(id), HospitalStatus::Removed);
		assert_eq!(last_event(), Event::HospitalRemoved { hospital: id });
		assert_eq!(Council::get(), vec![10, 20]);
		assert!(!Consortium::is_active(id));
		assert_noop!(
			Consortium::admit_hospital(RuntimeOrigin::root(), b"C".to_vec(), vec![4], 31),
			Error::<Test>::DuplicateName
		);
		admit(b"C2", vec![4], 30);
	});
}

#[test]
fn remove_suspended_hospital() {
	test(|| {
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		assert_eq!(status(id), HospitalStatus::Removed);
		assert_eq!(Council::get(), vec![10, 20]);
	});
}

#[test]
fn remove_hospital_errors() {
	test(|| {
		assert_noop!(Consortium::remove_hospital(RuntimeOrigin::signed(1), GENERAL), BadOrigin);
		assert_noop!(
			Consortium::remove_hospital(RuntimeOrigin::root(), 9),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Consortium::remove_hospital(RuntimeOrigin::root(), CHILDREN),
			Error::<Test>::TooFewValidators
		);
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		assert_noop!(
			Consortium::remove_hospital(RuntimeOrigin::root(), id),
			Error::<Test>::HospitalRemoved
		);
	});
}

// --- add_admin / remove_admin ---

#[test]
fn admin_adds_and_removes_admins() {
	test(|| {
		assert_ok!(Consortium::add_admin(RuntimeOrigin::signed(1), GENERAL, 7));
		assert_eq!(last_event(), Event::AdminAdded { hospital: GENERAL, admin: 7 });
		assert!(Consortium::is_active_admin(GENERAL, &7));
		// The new admin may remove the one who added them.
		assert_ok!(Consortium::remove_admin(RuntimeOrigin::signed(7), GENERAL, 1));
		assert_eq!(last_event(), Event::AdminRemoved { hospital: GENERAL, admin: 1 });
		assert!(!Consortium::is_admin(GENERAL, &1));
	});
}

#[test]
fn add_admin_errors() {
	test(|| {
		assert_noop!(Consortium::add_admin(RuntimeOrigin::none(), GENERAL, 7), BadOrigin);
		assert_noop!(
			Consortium::add_admin(RuntimeOrigin::signed(1), 9, 7),
			Error::<Test>::UnknownHospital
		);
		// An admin of another hospital is no admin here.
		assert_noop!(
			Consortium::add_admin(RuntimeOrigin::signed(2), GENERAL, 7),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Consortium::add_admin(RuntimeOrigin::signed(2), CHILDREN, 3),
			Error::<Test>::AlreadyAdmin
		);
		assert_ok!(Consortium::add_admin(RuntimeOrigin::signed(2), CHILDREN, 4));
		assert_noop!(
			Consortium::add_admin(RuntimeOrigin::signed(2), CHILDREN, 5),
			Error::<Test>::TooManyAdmins
		);
	});
}

#[test]
fn remove_admin_errors() {
	test(|| {
		assert_noop!(Consortium::remove_admin(RuntimeOrigin::none(), GENERAL, 1), BadOrigin);
		assert_noop!(
			Consortium::remove_admin(RuntimeOrigin::signed(1), 9, 1),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Consortium::remove_admin(RuntimeOrigin::signed(2), GENERAL, 1),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Consortium::remove_admin(RuntimeOrigin::signed(2), CHILDREN, 9),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Consortium::remove_admin(RuntimeOrigin::signed(1), GENERAL, 1),
			Error::<Test>::LastAdmin
		);
	});
}

#[test]
fn admins_of_a_removed_hospital_can_do_nothing() {
	test(|| {
		let id = admit(b"C", vec![4, 5], 30);
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		assert_noop!(
			Consortium::add_admin(RuntimeOrigin::signed(4), id, 6),
			Error::<Test>::HospitalRemoved
		);
		assert_noop!(
			Consortium::remove_admin(RuntimeOrigin::signed(4), id, 5),
			Error::<Test>::HospitalRemoved
		);
		assert_noop!(
			Consortium::set_validator(RuntimeOrigin::signed(4), id, 31),
			Error::<Test>::HospitalRemoved
		);
	});
}

// --- set_validator ---

#[test]
fn set_validator_moves_council_seat_and_validator_slot() {
	test(|| {
		assert_ok!(Consortium::set_validator(RuntimeOrigin::signed(1), GENERAL, 11));
		assert_eq!(last_event(), Event::ValidatorChanged { hospital: GENERAL, old: 10, new: 11 });
		assert_eq!(HospitalOf::<Test>::get(GENERAL).unwrap().validator, 11);
		assert_eq!(Council::get(), vec![11, 20]);
		assert_eq!(Consortium::new_session(1), Some(vec![11, 20]));
		// The old account is free to serve another hospital.
		admit(b"C", vec![4], 10);
	});
}

#[test]
fn set_validator_of_suspended_hospital_does_not_seat_it() {
	test(|| {
		let id = admit(b"C", vec![4], 30);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_ok!(Consortium::set_validator(RuntimeOrigin::signed(4), id, 31));
		assert_eq!(Council::get(), vec![10, 20]);
		assert_ok!(Consortium::reinstate_hospital(RuntimeOrigin::root(), id));
		assert_eq!(Council::get(), vec![10, 20, 31]);
	});
}

#[test]
fn set_validator_errors() {
	test(|| {
		assert_noop!(Consortium::set_validator(RuntimeOrigin::none(), GENERAL, 11), BadOrigin);
		assert_noop!(
			Consortium::set_validator(RuntimeOrigin::signed(1), 9, 11),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Consortium::set_validator(RuntimeOrigin::signed(2), GENERAL, 11),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Consortium::set_validator(RuntimeOrigin::signed(1), GENERAL, 20),
			Error::<Test>::ValidatorInUse
		);
		assert_noop!(
			Consortium::set_validator(RuntimeOrigin::signed(1), GENERAL, 10),
			Error::<Test>::ValidatorInUse
		);
	});
}

// --- set_release_key ---

const KEY: [u8; 32] = [9; 32];

#[test]
fn an_admin_sets_the_release_key_and_its_service_signs_for_the_hospital() {
	test(|| {
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, KEY, 70));
		assert_eq!(last_event(), Event::ReleaseKeySet { hospital: GENERAL, key: KEY, service: 70 });
		assert_eq!(Consortium::custodian_of(&70), Some(GENERAL));
		assert_eq!(Consortium::release_key(GENERAL), Some(KEY));
		assert_eq!(Consortium::release_key(CHILDREN), None);
		// The service signs without tokens: its role keeps its account.
		assert!(System::account_exists(&70));
		assert_eq!(
			Audit::verified_trail(&Entity::Hospital(GENERAL)).unwrap().last(),
			Some(&(Entity::Account(1), AuditAction::ReleaseKeySet { service: 70 }))
		);

		// A new service replaces the old one, which signs for nobody any more.
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, [8; 32], 71));
		assert_eq!(Consortium::custodian_of(&70), None);
		assert_eq!(Consortium::custodian_of(&71), Some(GENERAL));
		assert_eq!(Consortium::release_key(GENERAL), Some([8; 32]));
		assert!(!System::account_exists(&70));
		assert!(System::account_exists(&71));
		// The same service with a new key keeps one reference to its account.
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, KEY, 71));
		assert_eq!(System::providers(&71), 1);
	});
}

#[test]
fn a_suspended_hospital_is_no_custodian() {
	test(|| {
		admit(b"Eye Clinic", vec![4], 15);
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(2), CHILDREN, KEY, 70));
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), CHILDREN));
		assert_eq!(Consortium::custodian_of(&70), None);
		assert_eq!(Consortium::release_key(CHILDREN), None);
		assert_ok!(Consortium::reinstate_hospital(RuntimeOrigin::root(), CHILDREN));
		assert_eq!(Consortium::custodian_of(&70), Some(CHILDREN));
	});
}

#[test]
fn set_release_key_errors() {
	test(|| {
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::none(), GENERAL, KEY, 70),
			BadOrigin
		);
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(1), 9, KEY, 70),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(2), GENERAL, KEY, 70),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, [0; 32], 70),
			Error::<Test>::InvalidReleaseKey
		);
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(2), CHILDREN, KEY, 70));
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, [8; 32], 70),
			Error::<Test>::ServiceInUse
		);
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, KEY, 71),
			Error::<Test>::ReleaseKeyInUse
		);
		admit(b"Eye Clinic", vec![4], 15);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), CHILDREN));
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(2), CHILDREN, KEY, 71),
			Error::<Test>::NotActive
		);
	});
}

// Attack 6 of the trust review (the custodians' keys): nothing kept two hospitals from
// holding one key-release key, so an admin of both (or two colluding admins) registered one
// key for both and held the threshold of every escrow alone.
#[test]
fn one_key_for_two_custodians_a_release_key_another_hospital_holds_is_refused() {
	test(|| {
		let eye = admit(b"Eye Clinic", vec![1], 15);
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, KEY, 70));
		assert_noop!(
			Consortium::set_release_key(RuntimeOrigin::signed(1), eye, KEY, 71),
			Error::<Test>::ReleaseKeyInUse
		);
		// Setting its own key again is no conflict.
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, KEY, 70));
		// Once General moves to another key, the old one is free.
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), GENERAL, [8; 32], 70));
		assert_ok!(Consortium::set_release_key(RuntimeOrigin::signed(1), eye, KEY, 71));
		assert_eq!(crate::ReleaseKeyHolder::<Test>::get(KEY), Some(eye));
		assert_eq!(crate::ReleaseKeyHolder::<Test>::get([8; 32]), Some(GENERAL));
	});
}

// --- session manager ---

#[test]
fn validators_without_session_keys_are_not_planned() {
	test(|| {
		admit(b"C", vec![4], 30);
		WithoutKeys::set(vec![30]);
		assert_eq!(Consortium::new_session(1), Some(vec![10, 20]));
		WithoutKeys::set(vec![]);
		assert_eq!(Consortium::new_session(2), Some(vec![10, 20, 30]));
	});
}

#[test]
fn no_empty_validator_set_is_ever_planned() {
	test(|| {
		WithoutKeys::set(vec![10, 20]);
		assert_eq!(Consortium::new_session(1), None);
	});
}

// --- registry ---

#[test]
fn registry_answers_for_unknown_hospital() {
	test(|| {
		assert!(!Consortium::is_active(9));
		assert!(!Consortium::is_admin(9, &1));
		assert!(Consortium::is_active_admin(GENERAL, &1));
		assert!(!Consortium::is_active_admin(GENERAL, &2));
	});
}

/// `(actor, action)` of every audit entry about hospital `id`, after checking
/// its hash chain end to end.
fn trail(id: u32) -> Vec<(Entity<u64>, AuditAction<u64>)> {
	Audit::verified_trail(&Entity::Hospital(id)).expect("hash chain verifies")
}

#[test]
fn genesis_admissions_are_in_the_audit_trail() {
	test(|| {
		assert_eq!(trail(0), vec![(Entity::Root, AuditAction::HospitalAdmitted)]);
		assert_eq!(trail(1), vec![(Entity::Root, AuditAction::HospitalAdmitted)]);
	});
}

#[test]
fn every_call_writes_exactly_one_entry_about_the_hospital() {
	test(|| {
		let id = admit(b"Clinic", vec![4], 40);
		assert_ok!(Consortium::add_admin(RuntimeOrigin::signed(4), id, 5));
		assert_ok!(Consortium::remove_admin(RuntimeOrigin::signed(5), id, 4));
		assert_ok!(Consortium::set_validator(RuntimeOrigin::signed(5), id, 41));
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_ok!(Consortium::reinstate_hospital(RuntimeOrigin::root(), id));
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		let before = pallet_audit::NextSeq::<Test>::get();
		assert!(Consortium::remove_hospital(RuntimeOrigin::root(), id).is_err());
		assert_eq!(pallet_audit::NextSeq::<Test>::get(), before);
		assert_eq!(
			trail(id),
			vec![
				(Entity::Root, AuditAction::HospitalAdmitted),
				(Entity::Account(4), AuditAction::HospitalAdminAdded { admin: 5 }),
				(Entity::Account(5), AuditAction::HospitalAdminRemoved { admin: 4 }),
				(Entity::Account(5), AuditAction::HospitalValidatorSet { validator: 41 }),
				(Entity::Root, AuditAction::HospitalSuspended),
				(Entity::Root, AuditAction::HospitalReinstated),
				(Entity::Root, AuditAction::HospitalRemoved),
			]
		);
	});
}

// --- the hospitals' nodes and runtime upgrades ---

#[test]
fn admit_hospital_with_node_authorizes_the_node_for_its_validator() {
	test(|| {
		let node = peer(7).try_into().unwrap();
		assert_ok!(Consortium::admit_hospital_with_node(
			RuntimeOrigin::root(),
			b"Eye Clinic".to_vec(),
			vec![4],
			15,
			node
		));
		assert_eq!(last_event(), Event::HospitalAdmitted { hospital: 2, validator: 15 });
		assert_eq!(nodes(), vec![(peer(7), 15)]);
		assert_eq!(Council::get(), vec![10, 15, 20]);
		assert_eq!(trail(2), vec![(Entity::Root, AuditAction::HospitalAdmitted)]);
	});
}

#[test]
fn admit_hospital_with_node_errors() {
	test(|| {
		let node = || peer(7).try_into().unwrap();
		let admit_with = |origin, name: &[u8], node| {
			Consortium::admit_hospital_with_node(origin, name.to_vec(), vec![4], 15, node)
		};
		assert_noop!(admit_with(RuntimeOrigin::signed(1), b"Eye", node()), BadOrigin);
		// The base58 text of a peer id where its bytes belong.
		let text = b"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"[..38].to_vec();
		assert_noop!(
			admit_with(RuntimeOrigin::root(), b"Eye", text.try_into().unwrap()),
			Error::<Test>::InvalidPeerId
		);
		assert_noop!(
			admit_with(RuntimeOrigin::root(), b"General", node()),
			Error::<Test>::DuplicateName
		);
		// A node already authorized for another hospital: nothing is admitted.
		set_nodes(vec![(peer(7), 10)]);
		assert_noop!(
			admit_with(RuntimeOrigin::root(), b"Eye", node()),
			sp_runtime::DispatchError::Other("AlreadyJoined")
		);
	});
}

#[test]
fn removing_a_hospital_cuts_its_nodes_off_and_no_other() {
	test(|| {
		let id = admit(b"C", vec![4], 30);
		set_nodes(vec![(peer(1), 10), (peer(3), 30), (peer(4), 30)]);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_eq!(nodes().len(), 3, "a suspended hospital keeps its node");
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), id));
		assert_eq!(nodes(), vec![(peer(1), 10)]);
	});
}

#[test]
fn moving_the_validator_moves_its_nodes() {
	test(|| {
		set_nodes(vec![(peer(1), 10), (peer(2), 20)]);
		assert_ok!(Consortium::set_validator(RuntimeOrigin::signed(1), GENERAL, 11));
		assert_eq!(nodes(), vec![(peer(1), 11), (peer(2), 20)]);
		// Removal then follows the new owner.
		assert_ok!(Consortium::admit_hospital(RuntimeOrigin::root(), b"C".to_vec(), vec![4], 30));
		assert_ok!(Consortium::remove_hospital(RuntimeOrigin::root(), GENERAL));
		assert_eq!(nodes(), vec![(peer(2), 20)]);
	});
}

#[test]
fn governance_authorizes_a_runtime_upgrade() {
	test(|| {
		let hash = sp_runtime::testing::H256::repeat_byte(9);
		assert_noop!(Consortium::authorize_upgrade(RuntimeOrigin::signed(10), hash), BadOrigin);
		assert_ok!(Consortium::authorize_upgrade(RuntimeOrigin::root(), hash));
		let authorized = frame_system::Pallet::<Test>::authorized_upgrade().expect("authorized");
		assert_eq!(authorized.code_hash(), &hash);
		System::assert_last_event(
			frame_system::Event::UpgradeAuthorized { code_hash: hash, check_version: true }.into(),
		);
		// Trust review, item 9: the authorization is on the runtime's audit trail.
		assert_eq!(
			Audit::verified_trail(&Entity::Runtime).unwrap(),
			vec![(Entity::Root, AuditAction::RuntimeUpgradeAuthorized { code_hash: [9; 32] })]
		);
	});
}

// --- admins' accounts and invitations ---

fn providers(who: u64) -> u32 {
	frame_system::Pallet::<Test>::providers(&who)
}

#[test]
fn admins_are_indexed_and_their_accounts_kept_while_they_are_admins() {
	test(|| {
		assert!(Consortium::is_admin_anywhere(&1));
		assert_eq!(providers(1), 1, "a genesis admin's account exists without tokens");
		let id = admit(b"Clinic", vec![4], 40);
		assert_ok!(Consortium::add_admin(RuntimeOrigin::signed(4), id, 5));
		assert!(Consortium::is_admin_anywhere(&5));
		assert_eq!(providers(5), 1);
		assert_ok!(Consortium::remove_admin(RuntimeOrigin::signed(4), id, 5));
		assert!(!Consortium::is_admin_anywhere(&5));
		assert_eq!(providers(5), 0);
		// Admins of a suspended hospital hold no role while it is suspended.
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert!(!Consortium::is_admin_anywhere(&4));
		assert!(Consortium::is_admin(id, &4));
		assert_ok!(Consortium::reinstate_hospital(RuntimeOrigin::root(), id));
		assert!(Consortium::is_admin_anywhere(&4));
	});
}

#[test]
fn an_admin_invites_an_account_which_then_exists_until_the_invitation_goes() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		assert_eq!(
			last_event(),
			Event::Invited {
				hospital: GENERAL,
				account: 50,
				role: InviteRole::Patient,
				expires: 11
			}
		);
		assert!(Consortium::is_invited(&50, InviteRole::Patient, None));
		assert!(!Consortium::is_invited(&50, InviteRole::Doctor, None));
		assert!(!Consortium::is_invited(&50, InviteRole::Patient, Some(CHILDREN)));
		assert_eq!(providers(50), 1, "the invited account can sign with no tokens");
		assert_eq!(InviteCount::<Test>::get(GENERAL), Some(1));

		// Used up by the registration it was for.
		let _ = Consortium::take_invitation(&50, InviteRole::Patient, None);
		assert!(Invitations::<Test>::get(50, GENERAL).is_none());
		assert_eq!(InviteCount::<Test>::get(GENERAL), None);
		assert_eq!(providers(50), 0);
	});
}

#[test]
fn taking_an_invitation_of_another_role_or_hospital_leaves_it() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(2), CHILDREN, 50, InviteRole::Doctor));
		let _ = Consortium::take_invitation(&50, InviteRole::Patient, None);
		let _ = Consortium::take_invitation(&50, InviteRole::Doctor, Some(GENERAL));
		assert!(Consortium::is_invited(&50, InviteRole::Doctor, Some(CHILDREN)));
		let _ = Consortium::take_invitation(&50, InviteRole::Doctor, Some(CHILDREN));
		assert!(!Consortium::is_invited(&50, InviteRole::Doctor, None));
	});
}

#[test]
fn invitations_expire_and_lose_effect_while_the_hospital_is_suspended() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		System::set_block_number(10);
		assert!(Consortium::is_invited(&50, InviteRole::Patient, None));
		System::set_block_number(11);
		assert!(!Consortium::is_invited(&50, InviteRole::Patient, None));
		// Taking an expired invitation does nothing: it stays until cleared.
		let _ = Consortium::take_invitation(&50, InviteRole::Patient, None);
		assert!(Invitations::<Test>::get(50, GENERAL).is_some());

		let id = admit(b"Clinic", vec![4], 40);
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(4), id, 51, InviteRole::Patient));
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert!(!Consortium::is_invited(&51, InviteRole::Patient, None));
	});
}

#[test]
fn invite_errors() {
	test(|| {
		assert_noop!(
			Consortium::invite(RuntimeOrigin::signed(1), 9, 50, InviteRole::Patient),
			Error::<Test>::UnknownHospital
		);
		assert_noop!(
			Consortium::invite(RuntimeOrigin::signed(2), GENERAL, 50, InviteRole::Patient),
			Error::<Test>::NotAdmin
		);
		assert_noop!(
			Consortium::invite(RuntimeOrigin::none(), GENERAL, 50, InviteRole::Patient),
			BadOrigin
		);
		let id = admit(b"Clinic", vec![4], 40);
		assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), id));
		assert_noop!(
			Consortium::invite(RuntimeOrigin::signed(4), id, 50, InviteRole::Patient),
			Error::<Test>::NotActive
		);
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		assert_noop!(
			Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Doctor),
			Error::<Test>::AlreadyInvited
		);
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 51, InviteRole::Patient));
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 52, InviteRole::Patient));
		assert_noop!(
			Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 53, InviteRole::Patient),
			Error::<Test>::TooManyInvites
		);
	});
}

#[test]
fn an_expired_invitation_is_replaced_by_a_new_one() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		System::set_block_number(11);
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Doctor));
		assert_eq!(InviteCount::<Test>::get(GENERAL), Some(1));
		assert_eq!(providers(50), 1);
		assert!(Consortium::is_invited(&50, InviteRole::Doctor, Some(GENERAL)));
	});
}

// Attack 2 of the trust review: a hospital that invited an address first became its hospital
// when the person registered, and its live invitation kept the person's own hospital from
// inviting them. Now each hospital's invitation stands on its own (and registration names the
// hospital, `patients.register_at`).
#[test]
fn one_hospital_recovers_keys_by_inviting_first_invitations_of_two_hospitals_stand_side_by_side() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(2), CHILDREN, 50, InviteRole::Patient));
		// The person's own hospital still invites them; neither invitation replaces the other,
		// and inviting again after is no way to take one over.
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		assert_noop!(
			Consortium::invite(RuntimeOrigin::signed(2), CHILDREN, 50, InviteRole::Patient),
			Error::<Test>::AlreadyInvited
		);
		assert_eq!(InviteCount::<Test>::get(CHILDREN), Some(1));
		assert_eq!(InviteCount::<Test>::get(GENERAL), Some(1));
		assert!(Consortium::is_invited(&50, InviteRole::Patient, Some(GENERAL)));
		assert!(Consortium::is_invited(&50, InviteRole::Patient, Some(CHILDREN)));
		assert_eq!(providers(50), 2);
		// Registering at one uses that one only; an admin of the other withdraws theirs.
		let _ = Consortium::take_invitation(&50, InviteRole::Patient, Some(GENERAL));
		assert!(Consortium::is_invited(&50, InviteRole::Patient, Some(CHILDREN)));
		assert_noop!(
			Consortium::remove_invitation(RuntimeOrigin::signed(1), 50),
			Error::<Test>::InvitationNotExpired
		);
		assert_ok!(Consortium::remove_invitation(RuntimeOrigin::signed(2), 50));
		assert_eq!(providers(50), 0);
	});
}

#[test]
fn remove_invitation_by_an_admin_or_by_anyone_once_expired() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 51, InviteRole::Patient));
		assert_noop!(
			Consortium::remove_invitation(RuntimeOrigin::signed(2), 50),
			Error::<Test>::InvitationNotExpired
		);
		assert_noop!(
			Consortium::remove_invitation(RuntimeOrigin::signed(1), 52),
			Error::<Test>::NotInvited
		);
		assert_ok!(Consortium::remove_invitation(RuntimeOrigin::signed(1), 50));
		assert_eq!(last_event(), Event::InvitationRemoved { hospital: GENERAL, account: 50 });
		assert_eq!(providers(50), 0);
		System::set_block_number(11);
		assert_ok!(Consortium::remove_invitation(RuntimeOrigin::signed(99), 51));
		assert_eq!(InviteCount::<Test>::get(GENERAL), None);
		assert_eq!(
			trail(GENERAL),
			vec![
				(Entity::Root, AuditAction::HospitalAdmitted),
				(
					Entity::Account(1),
					AuditAction::AccountInvited { account: 50, role: InviteRole::Patient }
				),
				(
					Entity::Account(1),
					AuditAction::AccountInvited { account: 51, role: InviteRole::Patient }
				),
				(Entity::Account(1), AuditAction::InvitationRemoved { account: 50 }),
				(Entity::Account(99), AuditAction::InvitationRemoved { account: 51 }),
			]
		);
	});
}

// Attack 9 of the abuse review (audit entries too thin): an invitation used
// up by a registration left no entry in the hospital's trail.
#[test]
fn audit_entries_too_thin_a_used_invitation_leaves_an_entry() {
	test(|| {
		assert_ok!(Consortium::invite(RuntimeOrigin::signed(1), GENERAL, 50, InviteRole::Patient));
		assert_eq!(Consortium::take_invitation(&50, InviteRole::Patient, None), Ok(Some(GENERAL)));
		assert_eq!(
			trail(GENERAL).last(),
			Some(&(
				Entity::Account(50),
				AuditAction::InvitationUsed { account: 50, role: InviteRole::Patient }
			))
		);
		// Nothing to use, nothing written.
		let entries = trail(GENERAL).len();
		assert_eq!(Consortium::take_invitation(&50, InviteRole::Patient, None), Ok(None));
		assert_eq!(trail(GENERAL).len(), entries);
	});
}
