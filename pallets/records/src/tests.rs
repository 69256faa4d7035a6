use crate::{mock::*, *};
use frame_support::dispatch::DispatchResultWithPostInfo;
use frame_support::{
	assert_noop, assert_ok,
	traits::{Get, Hooks},
	weights::Weight,
};
use medchain_primitives::{
	testing::{MockDoctors, MockHospitals, MockPatients},
	AuditAction, Cid, Entity, GrantTerms, OnDoctorsSuspended,
	RecordCategory::*,
	WrappedKey,
};
use pallet_access::{Permission, Purpose, Scope, ScopeOf};
use sp_runtime::{BoundedVec, DispatchError, DispatchResult};

const PATIENT: u64 = 10;
const GUARDIAN: u64 = 20;
const OTHER_PATIENT: u64 = 11;
const DOCTOR: u64 = 30;
const READER: u64 = 31;
const COLLEAGUE: u64 = 32;
const STRANGER: u64 = 99;

// `ipfs add` of two files: a CIDv1 (base32) and a CIDv0.
const CID1: &[u8] = b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
const CID2: &[u8] = b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// An 80-byte HPKE output, told apart by its first byte.
fn wrapped(tag: u8) -> Vec<u8> {
	let mut key = vec![0xAB; 80];
	key[0] = tag;
	key
}

fn keys_for(readers: &[u64]) -> Vec<(u64, Vec<u8>)> {
	readers.iter().map(|r| (*r, wrapped(*r as u8))).collect()
}

/// A list as a call's bounded argument. A longer one does not even decode
/// (the runtime's `free_block_stuffing_*` tests), so no test passes one.
fn bound<T, S: Get<u32>>(items: Vec<T>) -> BoundedVec<T, S> {
	items.try_into().ok().expect("within its bound")
}

fn bound_keys<Id, S: Get<u32>>(keys: Vec<(Id, Vec<u8>)>) -> BoundedVec<(Id, WrappedKey), S> {
	bound(keys.into_iter().map(|(id, key)| (id, bound(key))).collect())
}

// The calls with plain lists.
fn create_record(
	origin: RuntimeOrigin,
	patient: u64,
	category: RecordCategory,
	cid: Vec<u8>,
	keys: Vec<(u64, Vec<u8>)>,
) -> DispatchResult {
	Records::create_record(origin, patient, category, bound(cid), bound_keys(keys))
}

fn update_record(origin: RuntimeOrigin, record: RecordId, cid: Vec<u8>) -> DispatchResult {
	Records::update_record(origin, record, bound(cid))
}

fn share_keys(
	origin: RuntimeOrigin,
	patient: u64,
	reader: u64,
	keys: Vec<(RecordId, Vec<u8>)>,
) -> DispatchResult {
	Records::share_keys(origin, patient, reader, bound_keys(keys))
}

fn rotate_key(
	origin: RuntimeOrigin,
	record: RecordId,
	cid: Vec<u8>,
	keys: Vec<(u64, Vec<u8>)>,
) -> DispatchResultWithPostInfo {
	Records::rotate_key(origin, record, bound(cid), bound_keys(keys))
}

fn give(grantee: u64, scope: ScopeOf<Test>, permission: Permission, expires_at: Option<u64>) {
	assert_ok!(Access::grant(
		signed(PATIENT),
		PATIENT,
		grantee,
		scope,
		permission,
		Purpose::Treatment,
		expires_at
	));
}

/// `patient` gives `grantee` read-write access to everything.
fn give_of(patient: u64, grantee: u64) {
	assert_ok!(Access::grant(
		signed(patient),
		patient,
		grantee,
		Scope::All,
		Permission::ReadWrite,
		Purpose::Treatment,
		None
	));
}

fn create(by: u64, category: RecordCategory, readers: &[u64]) -> sp_runtime::DispatchResult {
	create_record(signed(by), PATIENT, category, CID1.to_vec(), keys_for(readers))
}

/// A record of the patient created by the patient; returns its id.
fn own_record() -> RecordId {
	let id = NextRecordId::<Test>::get();
	assert_ok!(create(PATIENT, LabResult, &[PATIENT]));
	id
}

/// DOCTOR with read-write access to everything creates a record, READER
/// (read access) holding a key too; returns its id.
fn doctors_record() -> RecordId {
	give(DOCTOR, Scope::All, Permission::ReadWrite, None);
	give(READER, Scope::All, Permission::Read, None);
	let id = NextRecordId::<Test>::get();
	assert_ok!(create(DOCTOR, Diagnosis, &[PATIENT, DOCTOR, READER]));
	id
}

fn readers(id: RecordId) -> Vec<u64> {
	let mut readers: Vec<u64> = Keys::<Test>::iter_key_prefix(id).collect();
	readers.sort();
	readers
}

fn trail_actions() -> Vec<(Entity<u64>, AuditAction<u64>)> {
	Audit::verified_trail(&Entity::Account(PATIENT)).expect("hash chain verifies")
}

fn last_action() -> (Entity<u64>, AuditAction<u64>) {
	trail_actions().pop().expect("an entry")
}

fn by(who: u64, action: AuditAction<u64>) -> (Entity<u64>, AuditAction<u64>) {
	(Entity::Account(who), action)
}

/// Suspend `doctor` as the doctors pallet does: the access pallet is told,
/// and queues the removal of the doctor's keys.
fn suspend(doctor: u64) {
	MockDoctors::set_active(doctor, false);
	<Access as OnDoctorsSuspended<u64>>::doctor_suspended(&doctor);
}

/// Run the access pallet's idle-time work with all the weight it wants.
fn idle() -> Weight {
	<Access as Hooks<u64>>::on_idle(1, Weight::MAX)
}

/// Run the access pallet's idle-time work within `limit`.
fn idle_within(limit: Weight) -> Weight {
	<Access as Hooks<u64>>::on_idle(1, limit)
}

#[test]
fn a_patient_creates_a_record_of_their_own() {
	test(|| {
		let id = own_record();
		let record = RecordById::<Test>::get(id).unwrap();
		assert_eq!((record.patient, record.author, record.category), (PATIENT, PATIENT, LabResult));
		assert_eq!((record.version, record.epoch, record.readers), (1, 0, 1));
		assert_eq!((record.created_at, record.updated_at), (NOW, NOW));
		assert_eq!(record.cid.to_vec(), CID1);
		// Version 1 is the record itself: nothing is stored for it until a second.
		assert_eq!(Versions::<Test>::iter_prefix(id).count(), 0);
		let view = Records::record(id).unwrap();
		assert_eq!(
			view.versions
				.iter()
				.map(|v| (v.cid.to_vec(), v.author, v.epoch, v.at))
				.collect::<Vec<_>>(),
			vec![(CID1.to_vec(), PATIENT, 0, NOW)]
		);
		assert_eq!(
			Keys::<Test>::get(id, PATIENT).unwrap().wrapped.to_vec(),
			wrapped(PATIENT as u8)
		);
		// The patient's own key is not indexed: no grant's end removes it.
		assert_eq!(KeysOf::<Test>::iter().count(), 0);
		assert!(RecordsOf::<Test>::contains_key(PATIENT, id));
		assert_eq!((RecordCount::<Test>::get(PATIENT), NextRecordId::<Test>::get()), (1, 1));
		System::assert_last_event(
			Event::RecordCreated {
				record: id,
				patient: PATIENT,
				author: PATIENT,
				category: LabResult,
			}
			.into(),
		);
		assert_eq!(trail_actions(), vec![by(PATIENT, AuditAction::RecordCreated { record: id })]);
	});
}

#[test]
fn a_cid_is_stored_in_canonical_form() {
	test(|| {
		assert_ok!(create_record(
			signed(PATIENT),
			PATIENT,
			Imaging,
			CID2.to_vec(),
			keys_for(&[PATIENT])
		));
		assert_eq!(RecordById::<Test>::get(0).unwrap().cid.to_vec(), CID2);
	});
}

#[test]
fn a_doctor_with_write_access_creates_a_record_with_keys_for_readers() {
	test(|| {
		let id = doctors_record();
		let record = RecordById::<Test>::get(id).unwrap();
		assert_eq!((record.author, record.readers), (DOCTOR, 3));
		assert_eq!(readers(id), vec![PATIENT, DOCTOR, READER]);
		assert!(KeysOf::<Test>::contains_key((PATIENT, READER, id)));
		assert_eq!(last_action(), by(DOCTOR, AuditAction::RecordCreated { record: id }));
	});
}

#[test]
fn a_guardian_creates_a_record_holding_a_key_as_its_author() {
	test(|| {
		assert_noop!(create(GUARDIAN, Allergy, &[PATIENT]), Error::<Test>::AuthorKeyMissing);
		assert_ok!(create(GUARDIAN, Allergy, &[PATIENT, GUARDIAN]));
		assert_eq!(RecordById::<Test>::get(0).unwrap().author, GUARDIAN);
		assert_eq!(last_action(), by(GUARDIAN, AuditAction::RecordCreated { record: 0 }));
	});
}

#[test]
fn creating_needs_write_access_covering_the_category() {
	test(|| {
		assert_noop!(create(STRANGER, Other, &[PATIENT, STRANGER]), Error::<Test>::NoWriteAccess);
		assert_noop!(create(DOCTOR, Other, &[PATIENT, DOCTOR]), Error::<Test>::NoWriteAccess);
		give(DOCTOR, Scope::Categories(bound(vec![Prescription])), Permission::ReadWrite, None);
		give(READER, Scope::All, Permission::Read, None);
		// Read-only, and outside the categories.
		assert_noop!(create(READER, Other, &[PATIENT, READER]), Error::<Test>::NoWriteAccess);
		assert_noop!(create(DOCTOR, Diagnosis, &[PATIENT, DOCTOR]), Error::<Test>::NoWriteAccess);
		// Another patient's doctor.
		assert_noop!(
			create_record(
				signed(DOCTOR),
				OTHER_PATIENT,
				Prescription,
				CID1.to_vec(),
				keys_for(&[OTHER_PATIENT, DOCTOR])
			),
			Error::<Test>::NoWriteAccess
		);
		// A suspended doctor.
		MockDoctors::set_active(DOCTOR, false);
		assert_noop!(
			create(DOCTOR, Prescription, &[PATIENT, DOCTOR]),
			Error::<Test>::NoWriteAccess
		);
		MockDoctors::set_active(DOCTOR, true);
		assert_ok!(create(DOCTOR, Prescription, &[PATIENT, DOCTOR]));
	});
}

#[test]
fn an_expired_grant_is_treated_as_absent() {
	test(|| {
		let id = own_record();
		give(DOCTOR, Scope::All, Permission::ReadWrite, Some(NOW + HOUR));
		assert_ok!(share_keys(signed(PATIENT), PATIENT, DOCTOR, vec![(id, wrapped(1))]));
		assert_ok!(Records::open_record(signed(DOCTOR), id));
		Timestamp::set_timestamp(NOW + HOUR);
		assert_noop!(Records::open_record(signed(DOCTOR), id), Error::<Test>::NoReadAccess);
		assert_noop!(
			update_record(signed(DOCTOR), id, CID2.to_vec()),
			Error::<Test>::NoWriteAccess
		);
		assert_noop!(create(DOCTOR, Other, &[PATIENT, DOCTOR]), Error::<Test>::NoWriteAccess);
		assert_noop!(
			share_keys(signed(PATIENT), PATIENT, DOCTOR, vec![(id, wrapped(1))]),
			Error::<Test>::ReaderWithoutAccess
		);
		// Cleaning up the grant takes the key with it.
		assert_ok!(Access::remove_expired(signed(STRANGER), PATIENT, DOCTOR));
		assert_eq!(readers(id), vec![PATIENT]);
		assert_eq!(RecordById::<Test>::get(id).unwrap().readers, 1);
	});
}

#[test]
fn create_refuses_malformed_input_with_named_errors() {
	test(|| {
		give(DOCTOR, Scope::All, Permission::ReadWrite, None);
		let create_with = |cid: &[u8], keys: Vec<(u64, Vec<u8>)>| {
			create_record(signed(DOCTOR), PATIENT, Other, cid.to_vec(), keys)
		};
		let good = || keys_for(&[PATIENT, DOCTOR]);
		assert_noop!(
			create_record(signed(DOCTOR), STRANGER, Other, CID1.to_vec(), good()),
			Error::<Test>::UnknownPatient
		);
		assert_noop!(create_with(b"not a cid", good()), Error::<Test>::MalformedCid);
		let mut short = good();
		short[0].1 = vec![1; 47];
		assert_noop!(create_with(CID1, short), Error::<Test>::WrongKeyLength);
		assert_noop!(create_with(CID1, keys_for(&[DOCTOR])), Error::<Test>::PatientKeyMissing);
		assert_noop!(create_with(CID1, keys_for(&[PATIENT])), Error::<Test>::AuthorKeyMissing);
		assert_noop!(
			create_with(CID1, keys_for(&[PATIENT, DOCTOR, PATIENT])),
			Error::<Test>::DuplicateReader
		);
		assert_noop!(
			create_with(CID1, keys_for(&[PATIENT, DOCTOR, STRANGER])),
			Error::<Test>::ReaderWithoutAccess
		);
		// A guardian is not given keys unless they author the record.
		assert_noop!(
			create_with(CID1, keys_for(&[PATIENT, DOCTOR, GUARDIAN])),
			Error::<Test>::ReaderWithoutAccess
		);
		assert_eq!(NextRecordId::<Test>::get(), 0);
		assert!(trail_actions()
			.iter()
			.all(|(_, a)| !matches!(a, AuditAction::RecordCreated { .. })));
	});
}

#[test]
fn a_patient_has_at_most_max_records() {
	test(|| {
		for _ in 0..5 {
			own_record();
		}
		assert_noop!(create(PATIENT, Other, &[PATIENT]), Error::<Test>::TooManyRecords);
		assert_ok!(Records::erase_record(signed(PATIENT), 0));
		assert_ok!(create(PATIENT, Other, &[PATIENT]));
	});
}

#[test]
fn a_first_version_and_own_key_index_stored_before_the_lean_layout_are_kept_and_erased() {
	test(|| {
		// What create_record stored before version 1 lived in the record and the patient's
		// own key went unindexed; try_state (after the test) accepts it.
		let id = own_record();
		let record = RecordById::<Test>::get(id).unwrap();
		Versions::<Test>::insert(id, 1, Records::first_version(&record));
		KeysOf::<Test>::insert((PATIENT, PATIENT, id), ());
		assert_ok!(Records::do_try_state());
		assert_eq!(Records::record(id).unwrap().versions.len(), 1);
		assert_ok!(update_record(signed(PATIENT), id, CID2.to_vec()));
		assert_eq!(Versions::<Test>::iter_prefix(id).count(), 2);
		assert_ok!(Records::erase_record(signed(PATIENT), id));
		assert_eq!((Versions::<Test>::iter().count(), KeysOf::<Test>::iter().count()), (0, 0));
	});
}

#[test]
fn a_stored_first_version_that_differs_from_the_record_fails_try_state() {
	test(|| {
		let id = own_record();
		let mut first = Records::first_version(&RecordById::<Test>::get(id).unwrap());
		first.at += 1;
		Versions::<Test>::insert(id, 1, first);
		assert!(Records::do_try_state().is_err());
		Versions::<Test>::remove(id, 1);
	});
}

#[test]
fn updates_keep_every_version_and_its_author() {
	test(|| {
		let id = doctors_record();
		Timestamp::set_timestamp(NOW + 5);
		assert_ok!(update_record(signed(DOCTOR), id, CID2.to_vec()));
		System::assert_last_event(
			Event::RecordUpdated { record: id, version: 2, author: DOCTOR }.into(),
		);
		// The second version stores the first, which until then was the record itself.
		let first = Versions::<Test>::get(id, 1).unwrap();
		assert_eq!((first.author, first.cid.to_vec(), first.at), (DOCTOR, CID1.to_vec(), NOW));
		assert_ok!(update_record(signed(PATIENT), id, CID1.to_vec()));
		let record = RecordById::<Test>::get(id).unwrap();
		assert_eq!((record.version, record.updated_at, record.created_at), (3, NOW + 5, NOW));
		assert_eq!(record.cid.to_vec(), CID1);
		let authors: Vec<(u64, Vec<u8>)> = (1..=3)
			.map(|v| Versions::<Test>::get(id, v).unwrap())
			.map(|v| (v.author, v.cid.to_vec()))
			.collect();
		assert_eq!(
			authors,
			vec![(DOCTOR, CID1.to_vec()), (DOCTOR, CID2.to_vec()), (PATIENT, CID1.to_vec())]
		);
		assert_eq!(
			last_action(),
			by(PATIENT, AuditAction::RecordUpdated { record: id, version: 3 })
		);
		assert_noop!(
			update_record(signed(PATIENT), id, CID2.to_vec()),
			Error::<Test>::TooManyVersions
		);
	});
}

#[test]
fn who_may_update_a_record() {
	test(|| {
		let id = doctors_record();
		assert_noop!(
			update_record(signed(PATIENT), 7, CID2.to_vec()),
			Error::<Test>::UnknownRecord
		);
		// A read-only grantee, a stranger, another patient.
		for who in [READER, STRANGER, OTHER_PATIENT] {
			assert_noop!(
				update_record(signed(who), id, CID2.to_vec()),
				Error::<Test>::NoWriteAccess
			);
		}
		// A doctor with write access but no key cannot have encrypted the file.
		give(COLLEAGUE, Scope::All, Permission::ReadWrite, None);
		assert_noop!(update_record(signed(COLLEAGUE), id, CID2.to_vec()), Error::<Test>::NoKey);
		assert_noop!(
			update_record(signed(DOCTOR), id, b"bafy".to_vec()),
			Error::<Test>::MalformedCid
		);
		assert_ok!(update_record(signed(GUARDIAN), id, CID2.to_vec()));
	});
}

#[test]
fn a_patient_shares_keys_with_readers_who_have_access() {
	test(|| {
		let first = own_record();
		let second = own_record();
		give(READER, Scope::Records(bound(vec![first, second])), Permission::Read, None);
		let keys = vec![(first, wrapped(1)), (second, wrapped(2))];
		assert_ok!(share_keys(signed(GUARDIAN), PATIENT, READER, keys));
		System::assert_last_event(
			Event::KeysShared { patient: PATIENT, reader: READER, count: 2 }.into(),
		);
		assert_eq!(readers(first), vec![PATIENT, READER]);
		assert_eq!(Keys::<Test>::get(second, READER).unwrap().wrapped.to_vec(), wrapped(2));
		assert_eq!(RecordById::<Test>::get(second).unwrap().readers, 2);
		let actions = trail_actions();
		assert_eq!(
			actions[actions.len() - 2..],
			[
				by(GUARDIAN, AuditAction::RecordKeyShared { record: first, reader: READER }),
				by(GUARDIAN, AuditAction::RecordKeyShared { record: second, reader: READER }),
			]
		);
		// Sharing again replaces the key and counts the reader once.
		assert_ok!(share_keys(signed(PATIENT), PATIENT, READER, vec![(first, wrapped(9))]));
		assert_eq!(RecordById::<Test>::get(first).unwrap().readers, 2);
		assert_ok!(Records::open_record(signed(READER), first));
	});
}

#[test]
fn sharing_refuses_bad_input_and_grantees_cannot_share() {
	test(|| {
		let id = own_record();
		give(READER, Scope::Categories(bound(vec![LabResult])), Permission::ReadWrite, None);
		let share = |by: u64, reader: u64, keys: Vec<(RecordId, Vec<u8>)>| {
			share_keys(signed(by), PATIENT, reader, keys)
		};
		// A grantee can never pass access on.
		assert_noop!(
			share(READER, COLLEAGUE, vec![(id, wrapped(1))]),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(share(PATIENT, READER, vec![(7, wrapped(1))]), Error::<Test>::UnknownRecord);
		assert_noop!(
			share(PATIENT, READER, vec![(id, wrapped(1)), (id, wrapped(2))]),
			Error::<Test>::DuplicateReader
		);
		assert_noop!(
			share(PATIENT, COLLEAGUE, vec![(id, wrapped(1))]),
			Error::<Test>::ReaderWithoutAccess
		);
		assert_noop!(
			share(PATIENT, READER, vec![(id, vec![1; 20])]),
			Error::<Test>::WrongKeyLength
		);
		assert_ok!(create_record(
			signed(OTHER_PATIENT),
			OTHER_PATIENT,
			LabResult,
			CID2.to_vec(),
			keys_for(&[OTHER_PATIENT])
		));
		assert_noop!(
			share(PATIENT, READER, vec![(1, wrapped(1))]),
			Error::<Test>::NotPatientsRecord
		);
		// A record outside the grant's categories.
		assert_ok!(create(PATIENT, Imaging, &[PATIENT]));
		assert_noop!(
			share(PATIENT, READER, vec![(2, wrapped(1))]),
			Error::<Test>::ReaderWithoutAccess
		);
	});
}

#[test]
fn a_record_has_at_most_max_readers() {
	test(|| {
		let id = doctors_record(); // patient, doctor, reader
		give(COLLEAGUE, Scope::All, Permission::Read, None);
		assert_ok!(share_keys(signed(PATIENT), PATIENT, COLLEAGUE, vec![(id, wrapped(1))]));
		MockDoctors::add(33, 0);
		give(33, Scope::All, Permission::Read, None);
		assert_noop!(
			share_keys(signed(PATIENT), PATIENT, 33, vec![(id, wrapped(1))]),
			Error::<Test>::TooManyReaders
		);
	});
}

#[test]
fn a_revoked_doctor_has_no_keys_and_can_neither_open_nor_update() {
	test(|| {
		let id = doctors_record();
		let second = NextRecordId::<Test>::get();
		assert_ok!(create(DOCTOR, Prescription, &[PATIENT, DOCTOR]));
		assert_ok!(Records::open_record(signed(DOCTOR), id));
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR));
		System::assert_last_event(
			pallet_access::Event::AccessRevoked {
				patient: PATIENT,
				grantee: DOCTOR,
				keys_removed: 2,
			}
			.into(),
		);
		assert_eq!(readers(id), vec![PATIENT, READER]);
		assert_eq!(readers(second), vec![PATIENT]);
		assert_eq!(KeysOf::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 0);
		assert_eq!(RecordById::<Test>::get(id).unwrap().readers, 2);
		assert_noop!(Records::open_record(signed(DOCTOR), id), Error::<Test>::NoReadAccess);
		assert_noop!(
			update_record(signed(DOCTOR), id, CID2.to_vec()),
			Error::<Test>::NoWriteAccess
		);
		// The other reader still opens it.
		assert_ok!(Records::open_record(signed(READER), id));
	});
}

/// Abuse review, "what read receipts really guarantee": a suspended
/// doctor keeps no wrapped keys. The suspension queues their removal; blocks'
/// spare time removes them, one patient per step, each with an audit entry
/// by the runtime; the records pallet's invariant allows the keys only while
/// that removal is under way.
#[test]
fn no_keys_for_suspended_doctors_the_sweep_removes_them() {
	test(|| {
		let id = doctors_record();
		let second = NextRecordId::<Test>::get();
		assert_ok!(create(DOCTOR, Prescription, &[PATIENT, DOCTOR]));
		// Another patient's records: the sweep covers every patient.
		give_of(OTHER_PATIENT, DOCTOR);
		assert_ok!(create_record(
			signed(DOCTOR),
			OTHER_PATIENT,
			Diagnosis,
			CID2.to_vec(),
			keys_for(&[OTHER_PATIENT, DOCTOR])
		));
		suspend(DOCTOR);
		assert!(pallet_access::KeySweeps::<Test>::contains_key(DOCTOR));
		// Still holding keys, but queued: the invariant holds.
		assert_eq!(KeysOf::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 2);
		Records::do_try_state().expect("keys allowed while their removal is queued");

		assert!(idle().all_gt(Weight::zero()));
		assert_eq!(readers(id), vec![PATIENT, READER]);
		assert_eq!(readers(second), vec![PATIENT]);
		assert_eq!(KeysOf::<Test>::iter().filter(|((_, r, _), _)| *r == DOCTOR).count(), 0);
		assert!(!pallet_access::KeySweeps::<Test>::contains_key(DOCTOR));
		System::assert_has_event(
			pallet_access::Event::KeySweepEnded { doctor: DOCTOR, finished: true }.into(),
		);
		System::assert_has_event(
			pallet_access::Event::InactiveGranteeKeysRemoved {
				patient: PATIENT,
				grantee: DOCTOR,
				keys_removed: 2,
			}
			.into(),
		);
		assert_eq!(
			last_action(),
			(
				Entity::Runtime,
				AuditAction::InactiveGranteeKeysRemoved { grantee: DOCTOR, keys_removed: 2 }
			)
		);
		// The grants stay, counting as absent; the reader keeps theirs.
		assert!(pallet_access::GrantOf::<Test>::contains_key(PATIENT, DOCTOR));
		assert_ok!(Records::open_record(signed(READER), id));
		// Nothing left to do: an idle block costs two reads.
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		assert_eq!(idle(), db.reads(2));
	});
}

/// A block with little spare weight removes what fits, one key at a time
/// here, and comes back to the same patient until none is left.
#[test]
fn no_keys_for_suspended_doctors_the_sweep_fits_the_blocks_spare_weight() {
	use pallet_access::WeightInfo;
	test(|| {
		doctors_record();
		assert_ok!(create(DOCTOR, Prescription, &[PATIENT, DOCTOR]));
		suspend(DOCTOR);
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let one_key = db.reads(2).saturating_add(<() as WeightInfo>::sweep_doctor(1));
		let doctors_keys = || KeysOf::<Test>::iter_prefix((PATIENT, DOCTOR)).count();
		assert_eq!(idle_within(one_key), one_key);
		assert_eq!(doctors_keys(), 1);
		idle_within(one_key);
		assert_eq!(doctors_keys(), 0);
		// Not yet past the patient: the next step finds nothing left there.
		assert!(pallet_access::KeySweeps::<Test>::contains_key(DOCTOR));
		idle_within(one_key);
		idle_within(one_key);
		assert!(!pallet_access::KeySweeps::<Test>::contains_key(DOCTOR));
		// Two removals, two entries.
		let removals =
			trail_actions().into_iter().filter(|(who, _)| *who == Entity::Runtime).count();
		assert_eq!(removals, 2);
		// Too little room for a single key: nothing happens.
		suspend(READER);
		let before = KeysOf::<Test>::iter_prefix((PATIENT, READER)).count();
		assert_eq!(idle_within(db.reads(2)), db.reads(2));
		assert_eq!(KeysOf::<Test>::iter_prefix((PATIENT, READER)).count(), before);
	});
}

/// The invariant itself: a suspended doctor holding keys that nobody is
/// removing is a broken state, and `do_try_state` says so.
#[test]
fn no_keys_for_suspended_doctors_is_an_invariant() {
	new_test_ext().execute_with(|| {
		doctors_record();
		MockDoctors::set_active(DOCTOR, false);
		assert!(Records::do_try_state().is_err());
		<Access as OnDoctorsSuspended<u64>>::doctor_suspended(&DOCTOR);
		assert!(Records::do_try_state().is_ok());
		idle();
		assert!(Records::do_try_state().is_ok());
	});
}

/// A doctor reinstated before the sweep reaches a patient keeps that
/// patient's keys: the sweep stops, and does not remove keys shared anew.
#[test]
fn a_reinstated_doctors_sweep_stops() {
	test(|| {
		let id = doctors_record();
		suspend(DOCTOR);
		MockDoctors::set_active(DOCTOR, true);
		idle();
		assert_eq!(readers(id), vec![PATIENT, DOCTOR, READER]);
		assert!(!pallet_access::KeySweeps::<Test>::contains_key(DOCTOR));
		System::assert_has_event(
			pallet_access::Event::KeySweepEnded { doctor: DOCTOR, finished: false }.into(),
		);
	});
}

/// A suspended hospital's doctors are all swept: first queued one per step,
/// then their keys removed.
#[test]
fn a_suspended_hospitals_doctors_keep_no_keys() {
	test(|| {
		let id = doctors_record();
		// DOCTOR is a doctor of hospital 0, READER of hospital 1 (the mock's set-up).
		MockHospitals::set_active(0, false);
		<Access as OnDoctorsSuspended<u64>>::hospital_suspended(0);
		Records::do_try_state().expect("keys allowed while the hospital is swept");
		idle();
		assert_eq!(readers(id), vec![PATIENT, READER]);
		assert!(pallet_access::HospitalSweeps::<Test>::iter().next().is_none());
		assert!(pallet_access::KeySweeps::<Test>::iter().next().is_none());
	});
}

#[test]
fn changing_a_grant_removes_the_grantees_keys() {
	test(|| {
		let id = doctors_record();
		assert_ok!(Access::change_grant(
			signed(PATIENT),
			PATIENT,
			READER,
			Scope::Categories(bound(vec![Diagnosis])),
			Permission::Read,
			Purpose::SecondOpinion,
			None
		));
		assert_eq!(readers(id), vec![PATIENT, DOCTOR]);
		assert_noop!(Records::open_record(signed(READER), id), Error::<Test>::NoKey);
	});
}

#[test]
fn rotation_leaves_no_key_of_an_older_epoch() {
	test(|| {
		let id = doctors_record();
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, READER));
		// The revoked reader cannot be given the new key.
		assert_noop!(
			rotate_key(signed(PATIENT), id, CID2.to_vec(), keys_for(&[PATIENT, READER]))
				.map_err(|e| e.error),
			Error::<Test>::ReaderWithoutAccess
		);
		assert_noop!(
			rotate_key(signed(PATIENT), id, CID2.to_vec(), keys_for(&[DOCTOR]))
				.map_err(|e| e.error),
			Error::<Test>::PatientKeyMissing
		);
		assert_noop!(
			rotate_key(signed(DOCTOR), id, CID2.to_vec(), keys_for(&[PATIENT, DOCTOR]))
				.map_err(|e| e.error),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(
			rotate_key(signed(PATIENT), 9, CID2.to_vec(), keys_for(&[PATIENT]))
				.map_err(|e| e.error),
			Error::<Test>::UnknownRecord
		);
		assert_ok!(rotate_key(signed(PATIENT), id, CID2.to_vec(), keys_for(&[PATIENT, DOCTOR])));
		System::assert_last_event(
			Event::RecordKeyRotated { record: id, epoch: 1, readers: 2 }.into(),
		);
		let record = RecordById::<Test>::get(id).unwrap();
		assert_eq!((record.epoch, record.version, record.readers), (1, 2, 2));
		assert_eq!(record.cid.to_vec(), CID2);
		assert_eq!(Versions::<Test>::get(id, 2).unwrap().epoch, 1);
		assert_eq!(Versions::<Test>::get(id, 1).unwrap().epoch, 0);
		assert!(Keys::<Test>::iter_prefix(id).all(|(_, key)| key.epoch == 1));
		assert_eq!(readers(id), vec![PATIENT, DOCTOR]);
		assert_eq!(
			last_action(),
			by(PATIENT, AuditAction::RecordKeyRotated { record: id, epoch: 1 })
		);
		assert_ok!(Records::open_record(signed(DOCTOR), id));
		// A key shared afterwards is of the new epoch.
		give(COLLEAGUE, Scope::All, Permission::Read, None);
		assert_ok!(share_keys(signed(PATIENT), PATIENT, COLLEAGUE, vec![(id, wrapped(3))]));
		assert_eq!(Keys::<Test>::get(id, COLLEAGUE).unwrap().epoch, 1);
	});
}

// Attack 3 of the abuse review (guardian takeover): a guardian replaced the
// patient's own wrapped key (`share_keys` to the patient, a rotation) or
// removed it (erasure), locking the patient out of their records.
#[test]
fn guardian_takeover_a_guardian_cannot_replace_or_remove_the_patients_wrapped_keys() {
	test(|| {
		let id = own_record();
		let patients_key = Keys::<Test>::get(id, PATIENT);
		assert_noop!(
			share_keys(signed(GUARDIAN), PATIENT, PATIENT, vec![(id, wrapped(66))]),
			Error::<Test>::NotPatient
		);
		assert_noop!(
			rotate_key(signed(GUARDIAN), id, CID2.to_vec(), keys_for(&[PATIENT]))
				.map_err(|e| e.error),
			Error::<Test>::NotPatient
		);
		assert_noop!(
			Records::erase_record(signed(GUARDIAN), id).map_err(|e| e.error),
			Error::<Test>::NotPatient
		);
		assert_eq!(Keys::<Test>::get(id, PATIENT), patients_key);
		// The patient may re-share their own key.
		assert_ok!(share_keys(signed(PATIENT), PATIENT, PATIENT, vec![(id, wrapped(67))]));
	});
}

#[test]
fn erasing_removes_every_cid_and_key_but_not_the_audit_entries() {
	test(|| {
		let id = doctors_record();
		assert_ok!(update_record(signed(DOCTOR), id, CID2.to_vec()));
		assert_noop!(
			Records::erase_record(signed(DOCTOR), id).map_err(|e| e.error),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(
			Records::erase_record(signed(PATIENT), 9).map_err(|e| e.error),
			Error::<Test>::UnknownRecord
		);
		assert_ok!(Records::erase_record(signed(PATIENT), id));
		System::assert_last_event(Event::RecordErased { record: id, patient: PATIENT }.into());
		assert!(RecordById::<Test>::get(id).is_none());
		assert_eq!(Versions::<Test>::iter_prefix(id).count(), 0);
		assert_eq!(Keys::<Test>::iter_prefix(id).count(), 0);
		assert_eq!(KeysOf::<Test>::iter().count(), 0);
		assert!(!RecordsOf::<Test>::contains_key(PATIENT, id));
		assert_eq!(RecordCount::<Test>::get(PATIENT), 0);
		assert_noop!(Records::open_record(signed(PATIENT), id), Error::<Test>::UnknownRecord);
		let actions: Vec<AuditAction<u64>> = trail_actions().into_iter().map(|(_, a)| a).collect();
		assert!(actions.contains(&AuditAction::RecordCreated { record: id }));
		assert_eq!(actions.last(), Some(&AuditAction::RecordErased { record: id }));
		// Ids are never reused.
		assert_eq!(own_record(), id + 1);
	});
}

#[test]
fn opening_a_record_writes_a_read_receipt() {
	test(|| {
		let id = doctors_record();
		assert_ok!(Records::open_record(signed(READER), id));
		System::assert_last_event(Event::RecordOpened { record: id, reader: READER }.into());
		assert_eq!(last_action(), by(READER, AuditAction::RecordOpened { record: id }));
		assert_ok!(Records::open_record(signed(PATIENT), id));
		// Access without a key, a key-less guardian, no access at all.
		give(COLLEAGUE, Scope::All, Permission::Read, None);
		assert_noop!(Records::open_record(signed(COLLEAGUE), id), Error::<Test>::NoKey);
		assert_noop!(Records::open_record(signed(GUARDIAN), id), Error::<Test>::NoKey);
		assert_noop!(Records::open_record(signed(STRANGER), id), Error::<Test>::NoReadAccess);
		assert_noop!(Records::open_record(signed(READER), 9), Error::<Test>::UnknownRecord);
		// A suspended doctor's grant does not count.
		suspend(READER);
		assert_noop!(Records::open_record(signed(READER), id), Error::<Test>::NoReadAccess);
	});
}

#[test]
fn an_approved_request_shares_keys_through_the_records_pallet() {
	test(|| {
		let id = own_record();
		assert_ok!(Access::request_access(
			signed(DOCTOR),
			PATIENT,
			Scope::All,
			Permission::ReadWrite,
			Purpose::Treatment,
			None
		));
		assert_ok!(Access::approve_request(
			signed(PATIENT),
			PATIENT,
			DOCTOR,
			None,
			None,
			None,
			bound_keys(vec![(id, wrapped(5))])
		));
		assert_eq!(readers(id), vec![PATIENT, DOCTOR]);
		assert_ok!(Records::open_record(signed(DOCTOR), id));
		assert_ok!(update_record(signed(DOCTOR), id, CID2.to_vec()));
		let actions: Vec<AuditAction<u64>> = trail_actions().into_iter().map(|(_, a)| a).collect();
		assert_eq!(
			actions[1..],
			[
				AuditAction::AccessRequested { doctor: DOCTOR },
				AuditAction::AccessRequestApproved {
					doctor: DOCTOR,
					terms: GrantTerms {
						scope: Scope::All,
						permission: Permission::ReadWrite,
						purpose: Purpose::Treatment,
						expires_at: None,
					}
				},
				AuditAction::RecordKeyShared { record: id, reader: DOCTOR },
				AuditAction::RecordOpened { record: id },
				AuditAction::RecordUpdated { record: id, version: 2 },
			]
		);
		// A key to a record the patient does not have undoes the whole approval.
		assert_ok!(Access::request_access(
			signed(READER),
			PATIENT,
			Scope::All,
			Permission::Read,
			Purpose::Treatment,
			None
		));
		assert_noop!(
			Access::approve_request(
				signed(PATIENT),
				PATIENT,
				READER,
				None,
				None,
				None,
				bound_keys(vec![(9, wrapped(5))])
			),
			DispatchError::from(Error::<Test>::UnknownRecord)
		);
	});
}

#[test]
fn revocation_removes_at_most_the_configured_keys() {
	test(|| {
		give(DOCTOR, Scope::All, Permission::ReadWrite, None);
		// Five records with a key for the doctor (the last two are the
		// patient's: doctors leave room for those).
		for author in [DOCTOR, DOCTOR, DOCTOR, PATIENT, PATIENT] {
			assert_ok!(create(author, Other, &[PATIENT, DOCTOR]));
		}
		assert_eq!(<Records as RecordKeys<u64>>::remove_reader_keys(&PATIENT, &DOCTOR, 2), 2);
		assert_eq!(KeysOf::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 3);
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR));
		assert_eq!(KeysOf::<Test>::iter_prefix((PATIENT, DOCTOR)).count(), 0);
	});
}

// Attack 10 of the abuse review: a `Records` scope listed the id the next
// record would get, and so covered it once created.
#[test]
fn scope_of_listed_records_covers_no_future_record() {
	test(|| {
		let existing = own_record();
		let next = NextRecordId::<Test>::get();
		assert_noop!(
			Access::grant(
				signed(PATIENT),
				PATIENT,
				READER,
				Scope::Records(bound(vec![existing, next])),
				Permission::Read,
				Purpose::Treatment,
				None
			),
			pallet_access::Error::<Test>::UnknownRecord
		);
		give(READER, Scope::Records(bound(vec![existing])), Permission::Read, None);
		assert_eq!(own_record(), next);
		assert!(!<Access as medchain_primitives::AccessPolicy<u64>>::can_read(
			&READER, &PATIENT, next, LabResult
		));
	});
}

// Attack 5 of the abuse review (griefing bounded storage): a doctor with a
// read-write grant created junk records until the patient could create none.
#[test]
fn griefing_bounded_storage_doctors_leave_the_patient_room_for_records() {
	test(|| {
		give(DOCTOR, Scope::All, Permission::ReadWrite, None);
		// At most 5 records, 2 of them reserved: the doctor stops at 3.
		for _ in 0..3 {
			assert_ok!(create(DOCTOR, Other, &[PATIENT, DOCTOR]));
		}
		assert_noop!(create(DOCTOR, Other, &[PATIENT, DOCTOR]), Error::<Test>::TooManyRecords);
		assert_ok!(create(PATIENT, Other, &[PATIENT]));
		assert_ok!(create(GUARDIAN, Other, &[PATIENT, GUARDIAN]));
		assert_noop!(create(PATIENT, Other, &[PATIENT]), Error::<Test>::TooManyRecords);
		// The patient clears the junk: erasure is theirs.
		assert_ok!(Records::erase_record(signed(PATIENT), 0));
		assert_ok!(create(PATIENT, Other, &[PATIENT]));
	});
}

// Attack 5: a read-write doctor pushed a record to `MaxVersions`, after which
// the patient could not rotate its key.
#[test]
fn griefing_bounded_storage_the_patient_can_rotate_a_record_others_filled() {
	test(|| {
		let id = doctors_record();
		assert_ok!(update_record(signed(DOCTOR), id, CID2.to_vec()));
		// Three versions at most: the third is the patient's.
		assert_noop!(
			update_record(signed(DOCTOR), id, CID1.to_vec()),
			Error::<Test>::TooManyVersions
		);
		assert_noop!(
			update_record(signed(GUARDIAN), id, CID1.to_vec()),
			Error::<Test>::TooManyVersions
		);
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR));
		assert_ok!(rotate_key(signed(PATIENT), id, CID1.to_vec(), keys_for(&[PATIENT])));
		assert_eq!(RecordById::<Test>::get(id).unwrap().epoch, 1);
	});
}

// Read receipts (abuse review): a suspended doctor kept their wrapped keys in
// state; anyone removes them, as a revocation would.
#[test]
fn a_suspended_doctor_keeps_no_key_after_the_sweep() {
	test(|| {
		let id = doctors_record();
		MockDoctors::set_active(DOCTOR, false);
		assert_ok!(Access::remove_inactive_keys(signed(STRANGER), PATIENT, DOCTOR));
		assert_eq!(readers(id), vec![PATIENT, READER]);
		assert!(Keys::<Test>::get(id, DOCTOR).is_none());
		// Reinstated, the doctor reads again only once the patient shares the key.
		MockDoctors::set_active(DOCTOR, true);
		assert_noop!(Records::open_record(signed(DOCTOR), id), Error::<Test>::NoKey);
		assert_ok!(share_keys(signed(PATIENT), PATIENT, DOCTOR, vec![(id, wrapped(9))]));
		assert_ok!(Records::open_record(signed(DOCTOR), id));
	});
}

// --- emergency availability: escrowed keys and their threshold release ---

/// The key-release services of custodian hospitals 0, 1 and 3 (mock), and of
/// suspended hospital 2.
const SERVICE_0: u64 = 100;
const SERVICE_1: u64 = 101;
const SERVICE_2: u64 = 102;
const SERVICE_3: u64 = 103;

fn escrow_key(who: u64, record: RecordId, threshold: u32, hospitals: &[u32]) -> DispatchResult {
	let shares = hospitals.iter().map(|h| (*h, wrapped(0x50 + *h as u8))).collect();
	Records::escrow_key(signed(who), record, threshold, bound_keys(shares))
}

fn release(service: u64, doctor: u64, records: &[RecordId]) -> DispatchResult {
	let shares = records.iter().map(|id| (*id, wrapped(service as u8))).collect();
	Records::release_shares(signed(service), doctor, bound_keys(shares))
}

/// `doctor` breaks the glass for the patient; returns the review's audit entry.
fn break_glass(doctor: u64) -> u64 {
	assert_ok!(Access::emergency_access(
		signed(doctor),
		PATIENT,
		medchain_primitives::EmergencyReason::PatientUnconscious
	));
	pallet_audit::NextSeq::<Test>::get() - 1
}

fn doctor_trail(doctor: u64) -> Vec<(Entity<u64>, AuditAction<u64>)> {
	Audit::verified_trail(&Entity::Account(doctor)).expect("hash chain verifies")
}

#[test]
fn an_escrowed_key_opens_to_a_doctor_who_broke_the_glass_once_t_hospitals_release() {
	test(|| {
		let id = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1, 3]));
		System::assert_last_event(
			Event::KeyEscrowed { record: id, custodians: 3, threshold: 2 }.into(),
		);
		let escrow = Escrows::<Test>::get(id).unwrap();
		assert_eq!((escrow.epoch, escrow.threshold, escrow.shares.len()), (0, 2, 3));
		assert_eq!(
			last_action(),
			by(
				PATIENT,
				AuditAction::EmergencyKeyEscrowed { record: id, custodians: 3, threshold: 2 }
			)
		);

		// COLLEAGUE, of hospital 1, never treated the patient.
		break_glass(COLLEAGUE);
		assert_noop!(Records::open_record(signed(COLLEAGUE), id), Error::<Test>::NoKey);
		assert_ok!(release(SERVICE_0, COLLEAGUE, &[id]));
		System::assert_last_event(
			Event::SharesReleased { hospital: 0, reader: COLLEAGUE, count: 1 }.into(),
		);
		// One share of two: still nothing to open.
		assert_noop!(Records::open_record(signed(COLLEAGUE), id), Error::<Test>::NoKey);
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id]), Error::<Test>::AlreadyReleased);
		assert_ok!(release(SERVICE_3, COLLEAGUE, &[id]));
		let released = Releases::<Test>::get(id, COLLEAGUE).unwrap();
		assert_eq!(released.shares.iter().map(|(h, _)| *h).collect::<Vec<_>>(), vec![0, 3]);
		assert_eq!(Escrows::<Test>::get(id).unwrap().released_to, 1);
		assert_ok!(Records::open_record(signed(COLLEAGUE), id));

		let released = |service, hospital| {
			by(
				service,
				AuditAction::EmergencyShareReleased { record: id, hospital, reader: COLLEAGUE },
			)
		};
		let trail = trail_actions();
		assert_eq!(
			trail[trail.len() - 3..].to_vec(),
			vec![
				released(SERVICE_0, 0),
				released(SERVICE_3, 3),
				by(COLLEAGUE, AuditAction::RecordOpened { record: id })
			]
		);
		let received = |service, hospital| {
			by(
				service,
				AuditAction::EmergencyShareReceived { record: id, hospital, patient: PATIENT },
			)
		};
		assert_eq!(doctor_trail(COLLEAGUE), vec![received(SERVICE_0, 0), received(SERVICE_3, 3)]);
	});
}

#[test]
fn escrow_refuses_bad_input_with_named_errors() {
	test(|| {
		let id = own_record();
		let other = NextRecordId::<Test>::get();
		assert_noop!(escrow_key(PATIENT, other, 2, &[0, 1]), Error::<Test>::UnknownRecord);
		assert_noop!(escrow_key(DOCTOR, id, 2, &[0, 1]), Error::<Test>::NotPatientOrGuardian);
		assert_noop!(escrow_key(PATIENT, id, 1, &[0, 1]), Error::<Test>::ThresholdTooLow);
		assert_noop!(escrow_key(PATIENT, id, 3, &[0, 1]), Error::<Test>::TooFewShares);
		assert_noop!(escrow_key(PATIENT, id, 2, &[0, 0]), Error::<Test>::DuplicateCustodian);
		// Hospital 2 is suspended, hospital 9 unknown.
		assert_noop!(escrow_key(PATIENT, id, 2, &[0, 2]), Error::<Test>::UnknownCustodian);
		assert_noop!(escrow_key(PATIENT, id, 2, &[0, 9]), Error::<Test>::UnknownCustodian);
		let short = vec![(0, wrapped(1)), (1, vec![1; 47])];
		assert_noop!(
			Records::escrow_key(signed(PATIENT), id, 2, bound_keys(short)),
			Error::<Test>::WrongKeyLength
		);
		assert_noop!(Records::withdraw_escrow(signed(PATIENT), id), Error::<Test>::NotEscrowed);
		// A guardian may make the record available too.
		assert_ok!(escrow_key(GUARDIAN, id, 2, &[0, 1]));
		assert_noop!(
			Records::withdraw_escrow(signed(DOCTOR), id),
			Error::<Test>::NotPatientOrGuardian
		);
	});
}

#[test]
fn a_release_is_refused_outside_a_live_emergency_with_named_errors() {
	test(|| {
		let id = own_record();
		let not_escrowed = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
		let entry = break_glass(COLLEAGUE);

		assert_noop!(release(STRANGER, COLLEAGUE, &[id]), Error::<Test>::NotReleaseService);
		assert_noop!(release(SERVICE_2, COLLEAGUE, &[id]), Error::<Test>::NotReleaseService);
		assert_noop!(release(SERVICE_0, STRANGER, &[id]), Error::<Test>::DoctorNotActive);
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id + 9]), Error::<Test>::UnknownRecord);
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[not_escrowed]), Error::<Test>::NotEscrowed);
		assert_noop!(release(SERVICE_3, COLLEAGUE, &[id]), Error::<Test>::NotCustodian);
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id, id]), Error::<Test>::DuplicateReader);
		assert_noop!(
			Records::release_shares(
				signed(SERVICE_0),
				COLLEAGUE,
				bound_keys(vec![(id, vec![1; 47])])
			),
			Error::<Test>::WrongKeyLength
		);
		// A doctor who treats the patient by consent has no emergency.
		give(DOCTOR, Scope::All, Permission::Read, None);
		assert_noop!(release(SERVICE_0, DOCTOR, &[id]), Error::<Test>::NoEmergency);
		// A suspended doctor gets nothing.
		MockDoctors::set_active(COLLEAGUE, false);
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id]), Error::<Test>::DoctorNotActive);
		MockDoctors::set_active(COLLEAGUE, true);
		// Once an admin has closed the review, the emergency is over.
		assert_ok!(Access::close_emergency_review(signed(2), 1, entry, true));
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id]), Error::<Test>::EmergencyReviewed);
		// An expired emergency releases nothing either.
		break_glass(READER);
		Timestamp::set_timestamp(pallet_timestamp::Now::<Test>::get() + 4 * HOUR);
		assert_noop!(release(SERVICE_0, READER, &[id]), Error::<Test>::EmergencyExpired);
	});
}

#[test]
fn at_most_max_releases_per_record_readers_hold_released_shares() {
	test(|| {
		let id = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
		for doctor in [DOCTOR, READER, COLLEAGUE] {
			break_glass(doctor);
		}
		assert_ok!(release(SERVICE_0, DOCTOR, &[id]));
		assert_ok!(release(SERVICE_0, READER, &[id]));
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id]), Error::<Test>::TooManyReleases);
		// A second share to a doctor who holds one takes no new place.
		assert_ok!(release(SERVICE_1, READER, &[id]));
		// The emergency grant ended by a guardian takes its shares with it.
		assert_ok!(Access::revoke(signed(GUARDIAN), PATIENT, READER));
		assert!(Releases::<Test>::get(id, READER).is_none());
		assert_eq!(Escrows::<Test>::get(id).unwrap().released_to, 1);
		assert_ok!(release(SERVICE_0, COLLEAGUE, &[id]));
	});
}

#[test]
fn rotation_erasure_withdrawal_and_a_new_escrow_remove_released_shares() {
	test(|| {
		let released = |id| {
			assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
			assert_ok!(release(SERVICE_0, COLLEAGUE, &[id]));
			assert_ok!(release(SERVICE_1, COLLEAGUE, &[id]));
			assert_ok!(Records::open_record(signed(COLLEAGUE), id));
		};
		let gone = |id| {
			assert!(Releases::<Test>::get(id, COLLEAGUE).is_none());
			assert!(KeysOf::<Test>::get((PATIENT, COLLEAGUE, id)).is_none());
		};
		let id = own_record();
		break_glass(COLLEAGUE);

		// A rotation starts a key epoch the escrow does not hold.
		released(id);
		assert_ok!(rotate_key(signed(PATIENT), id, CID2.to_vec(), keys_for(&[PATIENT])));
		assert!(Escrows::<Test>::get(id).is_none());
		gone(id);
		assert_noop!(Records::open_record(signed(COLLEAGUE), id), Error::<Test>::NoKey);

		released(id);
		assert_ok!(Records::withdraw_escrow(signed(PATIENT), id));
		System::assert_last_event(Event::KeyEscrowWithdrawn { record: id }.into());
		assert_eq!(last_action(), by(PATIENT, AuditAction::EmergencyKeyWithdrawn { record: id }));
		gone(id);

		// A new split makes the old shares useless: they go.
		released(id);
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 3]));
		gone(id);
		assert_eq!(Escrows::<Test>::get(id).unwrap().released_to, 0);

		assert_ok!(release(SERVICE_0, COLLEAGUE, &[id]));
		assert_ok!(Records::erase_record(signed(PATIENT), id));
		assert!(Escrows::<Test>::get(id).is_none());
		gone(id);
	});
}

#[test]
fn a_reader_with_a_key_keeps_it_when_released_shares_go() {
	test(|| {
		let id = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
		break_glass(COLLEAGUE);
		assert_ok!(release(SERVICE_0, COLLEAGUE, &[id]));
		// The patient wakes up and shares the key as well.
		assert_ok!(share_keys(signed(PATIENT), PATIENT, COLLEAGUE, vec![(id, wrapped(7))]));
		assert_ok!(Records::withdraw_escrow(signed(PATIENT), id));
		assert!(KeysOf::<Test>::get((PATIENT, COLLEAGUE, id)).is_some());
		assert_ok!(Records::open_record(signed(COLLEAGUE), id));
	});
}

#[test]
fn an_approved_key_recovery_releases_the_shares_to_its_holder() {
	test(|| {
		let id = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
		// GUARDIAN is no doctor: without an approved recovery, nothing.
		assert_noop!(release(SERVICE_0, GUARDIAN, &[id]), Error::<Test>::DoctorNotActive);
		MockPatients::set_recovery(PATIENT, Some(GUARDIAN));
		// Another account is no holder of it.
		assert_noop!(release(SERVICE_0, STRANGER, &[id]), Error::<Test>::DoctorNotActive);
		assert_ok!(release(SERVICE_0, GUARDIAN, &[id]));
		assert_ok!(release(SERVICE_1, GUARDIAN, &[id]));
		assert_ok!(Records::open_record(signed(GUARDIAN), id));
		assert_eq!(doctor_trail(GUARDIAN).len(), 2, "each share received is on the holder's trail");
		// A holder removed as guardian loses the shares with their keys.
		assert_eq!(<Records as RecordKeys<u64>>::remove_reader_keys(&PATIENT, &GUARDIAN, 10), 1);
		MockPatients::set_recovery(PATIENT, None);
		assert!(Releases::<Test>::get(id, GUARDIAN).is_none());
		assert_eq!(Escrows::<Test>::get(id).unwrap().released_to, 0);
	});
}

// Attack 4 of the trust review (any patient deletes any file from every hospital): a
// patient named another patient's file in a record of their own, then erased it, and every
// hospital's follower unpinned and collected the file.
#[test]
fn any_patient_deletes_any_file_another_patient_cannot_name_a_claimed_file() {
	test(|| {
		assert_ok!(create_record(
			signed(PATIENT),
			PATIENT,
			LabResult,
			CID1.to_vec(),
			keys_for(&[PATIENT])
		));
		let cid: Cid = bound(CID1.to_vec());
		assert_eq!(Records::file_claim(cid.clone()), Some(Claim { patient: PATIENT, uses: 1 }));
		// Neither in a record of their own...
		assert_noop!(
			create_record(
				signed(OTHER_PATIENT),
				OTHER_PATIENT,
				LabResult,
				CID1.to_vec(),
				keys_for(&[OTHER_PATIENT])
			),
			Error::<Test>::CidInUse
		);
		// ...nor as a new version or a rotation of one...
		assert_ok!(create_record(
			signed(OTHER_PATIENT),
			OTHER_PATIENT,
			LabResult,
			CID2.to_vec(),
			keys_for(&[OTHER_PATIENT])
		));
		assert_noop!(
			update_record(signed(OTHER_PATIENT), 1, CID1.to_vec()),
			Error::<Test>::CidInUse
		);
		assert_noop!(
			rotate_key(signed(OTHER_PATIENT), 1, CID1.to_vec(), keys_for(&[OTHER_PATIENT]))
				.map_err(|e| e.error),
			Error::<Test>::CidInUse
		);
		// ...nor through a doctor writing for them.
		give_of(OTHER_PATIENT, DOCTOR);
		assert_noop!(
			create_record(
				signed(DOCTOR),
				OTHER_PATIENT,
				LabResult,
				CID1.to_vec(),
				keys_for(&[OTHER_PATIENT, DOCTOR])
			),
			Error::<Test>::CidInUse
		);
		// Erasing their own record releases only their own file.
		assert_ok!(Records::erase_record(signed(OTHER_PATIENT), 1));
		assert_eq!(Records::file_claim(cid.clone()), Some(Claim { patient: PATIENT, uses: 1 }));
		assert_eq!(Records::file_claim(bound(CID2.to_vec())), None);
	});
}

// The same attack through another form of the CID: IPFS nodes pin by the multihash, so
// `bafybei…` and `Qm…` of one file are one pin, and unpinning either drops it.
#[test]
fn any_patient_deletes_any_file_another_version_of_the_cid_is_the_same_file() {
	test(|| {
		assert_ok!(create_record(
			signed(PATIENT),
			PATIENT,
			LabResult,
			CID2.to_vec(),
			keys_for(&[PATIENT])
		));
		let v1 = medchain_primitives::testing::v1_of(CID2);
		assert!(v1.starts_with(b"bafybei"));
		assert_noop!(
			create_record(
				signed(OTHER_PATIENT),
				OTHER_PATIENT,
				LabResult,
				v1.to_vec(),
				keys_for(&[OTHER_PATIENT])
			),
			Error::<Test>::CidInUse
		);
		assert_eq!(Records::file_claim(v1), Some(Claim { patient: PATIENT, uses: 1 }));
	});
}

#[test]
fn a_file_named_by_several_versions_of_one_patient_is_claimed_until_the_last_goes() {
	test(|| {
		let cid: Cid = bound(CID1.to_vec());
		assert_ok!(create_record(
			signed(PATIENT),
			PATIENT,
			LabResult,
			CID1.to_vec(),
			keys_for(&[PATIENT])
		));
		assert_ok!(create_record(
			signed(GUARDIAN),
			PATIENT,
			Allergy,
			CID1.to_vec(),
			keys_for(&[PATIENT, GUARDIAN])
		));
		assert_ok!(update_record(signed(PATIENT), 1, CID1.to_vec()));
		assert_eq!(Records::file_claim(cid.clone()), Some(Claim { patient: PATIENT, uses: 3 }));
		assert_eq!(Records::file_claim(cid.clone()), Some(Claim { patient: PATIENT, uses: 3 }));
		// Record 1 had two versions naming it.
		assert_ok!(Records::erase_record(signed(PATIENT), 1));
		assert_eq!(Records::file_claim(cid.clone()), Some(Claim { patient: PATIENT, uses: 1 }));
		assert_ok!(Records::erase_record(signed(PATIENT), 0));
		assert_eq!(Records::file_claim(cid.clone()), None);
		// Now anyone may use it.
		assert_ok!(create_record(
			signed(OTHER_PATIENT),
			OTHER_PATIENT,
			LabResult,
			CID2.to_vec(),
			keys_for(&[OTHER_PATIENT])
		));
	});
}

#[test]
fn free_block_stuffing_by_weight_a_failing_erasure_is_charged_its_checks_only() {
	test(|| {
		let result = Records::erase_record(signed(PATIENT), 42);
		let error = result.expect_err("no record 42");
		assert_eq!(error.error, Error::<Test>::UnknownRecord.into());
		assert_eq!(
			error.post_info.actual_weight,
			Some(<() as crate::WeightInfo>::erase_record(0, 1))
		);
	});
}

// Attack 5 of the trust review: released shares outlived their emergency. They stayed
// after the review, still counting toward `MaxReleasesPerRecord`, so doctors whose
// emergencies were over kept a real emergency out.
#[test]
fn released_shares_outlive_the_emergency_the_review_removes_them_and_frees_their_places() {
	test(|| {
		let id = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
		let first = break_glass(DOCTOR);
		let second = break_glass(READER);
		assert_ok!(release(SERVICE_0, DOCTOR, &[id]));
		assert_ok!(release(SERVICE_0, READER, &[id]));
		break_glass(COLLEAGUE);
		assert_noop!(release(SERVICE_0, COLLEAGUE, &[id]), Error::<Test>::TooManyReleases);
		// A justified verdict ends the emergency: its shares go, the grant stays to expiry.
		assert_ok!(Access::close_emergency_review(signed(1), 0, first, true));
		assert!(Releases::<Test>::get(id, DOCTOR).is_none());
		assert!(pallet_access::GrantOf::<Test>::contains_key(PATIENT, DOCTOR));
		assert_noop!(Records::open_record(signed(DOCTOR), id), Error::<Test>::NoKey);
		// An unjustified one ends the grant too.
		assert_ok!(Access::close_emergency_review(signed(2), 1, second, false));
		assert!(Releases::<Test>::get(id, READER).is_none());
		assert!(!pallet_access::GrantOf::<Test>::contains_key(PATIENT, READER));
		assert_eq!(Escrows::<Test>::get(id).unwrap().released_to, 0);
		// The places are free for the emergency still going on.
		assert_ok!(release(SERVICE_0, COLLEAGUE, &[id]));
		assert_ok!(release(SERVICE_1, COLLEAGUE, &[id]));
		assert_ok!(Records::open_record(signed(COLLEAGUE), id));
	});
}

#[test]
fn emergencies_outlive_their_grant_nothing_is_released_after_the_break_glass_grant_ends() {
	test(|| {
		let id = own_record();
		assert_ok!(escrow_key(PATIENT, id, 2, &[0, 1]));
		break_glass(DOCTOR);
		assert_ok!(Access::revoke(signed(PATIENT), PATIENT, DOCTOR));
		// The doctor gets a grant of purpose Emergency by request, on Allergy records only.
		assert_ok!(Access::request_access(
			signed(DOCTOR),
			PATIENT,
			Scope::Categories(bound(vec![Allergy])),
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
		assert_noop!(release(SERVICE_0, DOCTOR, &[id]), Error::<Test>::EmergencyReviewed);
	});
}
