//! Facts about the runtime that docs quote.

use crate::Runtime;
use codec::MaxEncodedLen;

/// docs/audit.md: the largest audit entry and what each entry adds to state.
#[test]
fn audit_entry_sizes_are_as_documented() {
	assert_eq!(pallet_audit::AuditEntryOf::<Runtime>::max_encoded_len(), 159);
	assert_eq!(pallet_audit::EntityOf::<Runtime>::max_encoded_len(), 33);
	assert_eq!(medchain_primitives::AuditAction::<crate::AccountId>::max_encoded_len(), 41);
}

/// A revocation removes the grantee's key on every record of the patient.
#[test]
fn a_revocation_can_remove_a_key_per_record() {
	use frame_support::traits::Get;
	let per_revoke: u32 = <Runtime as pallet_access::Config>::MaxKeysPerRevoke::get();
	let records: u32 = <Runtime as pallet_records::Config>::MaxRecordsPerPatient::get();
	assert!(per_revoke >= records);
	// An approval's keys fit in one share.
	let per_approval: u32 = <Runtime as pallet_access::Config>::MaxKeysPerApproval::get();
	let per_share: u32 = <Runtime as pallet_records::Config>::MaxKeysPerCall::get();
	assert!(per_approval <= per_share);
}

mod queries {
	use crate::{queries::imp, AccountId, Runtime};
	use medchain_primitives::{AuditAction, AuditLog, Entity, MAX_PAGE_SIZE};
	use sp_runtime::BuildStorage;

	fn ext() -> sp_io::TestExternalities {
		let storage = frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| frame_system::Pallet::<Runtime>::set_block_number(1));
		ext
	}

	fn account(i: u32) -> AccountId {
		let mut bytes = [0u8; 32];
		bytes[..4].copy_from_slice(&i.to_le_bytes());
		AccountId::from(bytes)
	}

	/// Every page of a doctor's patient list with `n` patients, walked with `limit`.
	fn walk_patients(n: u32, limit: u32) -> Vec<Vec<AccountId>> {
		let doctor = account(u32::MAX);
		for i in 0..n {
			pallet_access::PatientsOf::<Runtime>::insert(&doctor, account(i), ());
		}
		let mut pages = vec![];
		let mut after = None;
		loop {
			let page = imp::patients_of(doctor.clone(), after, limit);
			assert!(page.items.len() <= MAX_PAGE_SIZE as usize);
			pages.push(page.items);
			match page.next {
				Some(next) => after = Some(next),
				None => return pages,
			}
		}
	}

	#[test]
	fn lists_page_by_cursor_without_gaps_or_repeats() {
		for (n, limit, sizes) in [
			(0, 10, vec![0]),
			(1, 10, vec![1]),
			(10, 10, vec![10]),
			(25, 10, vec![10, 10, 5]),
			(250, 1_000, vec![100, 100, 50]),
			(200, 0, vec![1; 200]),
		] {
			ext().execute_with(|| {
				let pages = walk_patients(n, limit);
				assert_eq!(
					pages.iter().map(Vec::len).collect::<Vec<_>>(),
					sizes,
					"n={n} limit={limit}"
				);
				let mut all: Vec<AccountId> = pages.concat();
				all.sort();
				all.dedup();
				assert_eq!(all.len(), n as usize, "every patient once");
			});
		}
	}

	#[test]
	fn a_cursor_at_the_end_gives_an_empty_last_page() {
		ext().execute_with(|| {
			let pages = walk_patients(3, 10);
			let last = pages[0].last().unwrap().clone();
			let page = imp::patients_of(account(u32::MAX), Some(last), 10);
			assert!(page.items.is_empty());
			assert_eq!(page.next, None);
		});
	}

	#[test]
	fn audit_trails_page_by_position_with_their_head() {
		ext().execute_with(|| {
			let patient = account(7);
			for _ in 0..150 {
				let action = AuditAction::PatientProfileUpdated;
				pallet_audit::Pallet::<Runtime>::log_accounts(&patient, &patient, action).unwrap();
			}
			let subject = Entity::Account(patient.clone());
			let first = imp::audit_trail(subject.clone(), 0, 1_000);
			assert_eq!((first.len, first.items.len(), first.next), (150, 100, Some(100)));
			let second = imp::audit_trail(subject.clone(), 100, 100);
			assert_eq!((second.items.len(), second.next), (50, None));
			assert_eq!(second.items.last().unwrap().hash(), second.head);
			assert_eq!(second.items[0].prev, first.items[99].hash());
			for from in [150, 1_000] {
				let past = imp::audit_trail(subject.clone(), from, 10);
				assert_eq!((past.items.len(), past.next), (0, None));
			}
			let by_actor = imp::audit_by_actor(subject.clone(), 140, 100);
			assert_eq!((by_actor.items.len(), by_actor.next), (10, None));
			let empty = imp::audit_trail(Entity::Account(account(8)), 0, 10);
			assert_eq!(
				(empty.len, empty.head, empty.items.len(), empty.next),
				(0, [0; 32], 0, None)
			);
		});
	}
}
