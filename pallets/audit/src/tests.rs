use crate::{mock::*, *};
use frame_support::{assert_noop, storage::with_transaction};
use sp_runtime::TransactionOutcome;

type E = Entity<u64>;
type A = AuditAction<u64>;

fn patient(who: u64) -> E {
	Entity::Account(who)
}

fn log(actor: E, subject: E, action: A) -> AuditSeq {
	<Audit as AuditLog<u64>>::log(actor, subject, action).unwrap()
}

#[test]
fn an_entry_records_time_block_actor_subject_and_action() {
	test(|| {
		System::set_block_number(7);
		Timestamp::set_timestamp(1_234_000);
		let seq = log(patient(2), patient(1), A::GuardianAdded { guardian: 2 });
		assert_eq!(seq, 0);
		let entry = Entries::<Test>::get(0).unwrap();
		assert_eq!(
			entry,
			AuditEntry {
				seq: 0,
				at: 1_234_000,
				block: 7,
				actor: patient(2),
				subject: patient(1),
				action: A::GuardianAdded { guardian: 2 },
				prev: [0; 32],
			}
		);
		System::assert_last_event(Event::EntryLogged { seq: 0, subject: patient(1) }.into());
	});
}

#[test]
fn sequence_numbers_are_global_and_gapless() {
	test(|| {
		assert_eq!(log(patient(1), patient(1), A::PatientKeyRotated), 0);
		assert_eq!(log(Entity::Council, Entity::Hospital(3), A::HospitalAdmitted), 1);
		assert_eq!(log(patient(1), patient(1), A::PatientProfileUpdated), 2);
		assert_eq!(NextSeq::<Test>::get(), 3);
	});
}

#[test]
fn each_subject_has_its_own_hash_chain() {
	test(|| {
		log(patient(1), patient(1), A::PatientRegistered { hospital: None });
		log(patient(9), patient(9), A::PatientRegistered { hospital: None });
		log(patient(1), patient(1), A::PatientProfileUpdated);
		log(patient(5), patient(1), A::GuardianRemoved { guardian: 5 });

		let first = Entries::<Test>::get(0).unwrap();
		let second = Entries::<Test>::get(2).unwrap();
		let third = Entries::<Test>::get(3).unwrap();
		assert_eq!(first.prev, [0; 32]);
		assert_eq!(second.prev, first.hash());
		assert_eq!(third.prev, second.hash());
		assert_eq!(SubjectTrail::<Test>::get(patient(1)), Trail { len: 3, head: third.hash() });
		assert_eq!(Entries::<Test>::get(1).unwrap().prev, [0; 32]);
		assert_eq!(Audit::verify_subject_trail(&patient(1)), Ok(3));
		assert_eq!(Audit::verify_subject_trail(&patient(9)), Ok(1));
		assert_eq!(Audit::verify_subject_trail(&patient(4)), Ok(0));
	});
}

#[test]
fn trails_are_indexed_by_subject_and_by_actor() {
	test(|| {
		log(patient(1), patient(1), A::PatientRegistered { hospital: None });
		log(patient(7), patient(2), A::DoctorProfileUpdated);
		log(patient(7), patient(1), A::GuardianAdded { guardian: 7 });

		let seqs = |entries: Vec<AuditEntryOf<Test>>| -> Vec<u64> {
			entries.iter().map(|e| e.seq).collect()
		};
		assert_eq!(seqs(Audit::subject_entries(&patient(1), 0, 10)), vec![0, 2]);
		assert_eq!(seqs(Audit::subject_entries(&patient(2), 0, 10)), vec![1]);
		assert_eq!(seqs(Audit::actor_entries(&patient(7), 0, 10)), vec![1, 2]);
		assert_eq!(seqs(Audit::actor_entries(&patient(1), 0, 10)), vec![0]);
		assert_eq!(ActorEntryCount::<Test>::get(patient(7)), 2);
	});
}

#[test]
fn pages_start_at_the_cursor_and_stop_at_the_end_or_the_cap() {
	test(|| {
		for _ in 0..150 {
			log(patient(1), patient(1), A::PatientProfileUpdated);
		}
		let page = |from, limit| Audit::subject_entries(&patient(1), from, limit);
		assert_eq!(page(0, 0).len(), 0);
		assert_eq!(
			page(0, 10).iter().map(|e| e.seq).collect::<Vec<_>>(),
			(0..10).collect::<Vec<_>>()
		);
		assert_eq!(page(140, 50).len(), 10);
		assert_eq!(page(150, 10).len(), 0);
		assert_eq!(page(u64::MAX, 10).len(), 0);
		assert_eq!(page(0, u32::MAX).len(), impls::MAX_PAGE_SIZE as usize);
		assert_eq!(Audit::actor_entries(&patient(1), 149, 5).len(), 1);
	});
}

#[test]
fn a_changed_entry_breaks_the_chain() {
	let storage = frame_system::GenesisConfig::<Test>::default();
	let mut ext: sp_io::TestExternalities =
		sp_runtime::BuildStorage::build_storage(&storage).unwrap().into();
	ext.execute_with(|| {
		log(patient(1), patient(1), A::PatientRegistered { hospital: None });
		log(patient(1), patient(1), A::PatientProfileUpdated);
		log(patient(1), patient(1), A::PatientKeyRotated);

		// Rewrite history: the middle entry claims another action.
		Entries::<Test>::mutate(1, |e| e.as_mut().unwrap().action = A::PatientKeyRotated);
		assert_eq!(
			Audit::verify_subject_trail(&patient(1)),
			Err(TrailError::BrokenLink { position: 2 })
		);

		// Rewrite the last entry: only the stored head can tell.
		Entries::<Test>::mutate(1, |e| e.as_mut().unwrap().action = A::PatientProfileUpdated);
		Entries::<Test>::mutate(2, |e| e.as_mut().unwrap().block = 99);
		assert_eq!(Audit::verify_subject_trail(&patient(1)), Err(TrailError::HeadMismatch));

		// Withhold an entry.
		Entries::<Test>::remove(0);
		assert_eq!(
			Audit::verify_subject_trail(&patient(1)),
			Err(TrailError::MissingEntry { position: 0 })
		);
		assert!(Audit::do_try_state().is_err());
	});
}

#[test]
fn an_entry_logged_in_a_failed_call_is_rolled_back_with_it() {
	test(|| {
		let _ = with_transaction(|| {
			log(patient(1), patient(1), A::PatientKeyRotated);
			TransactionOutcome::Rollback(Ok::<(), sp_runtime::DispatchError>(()))
		});
		assert_eq!(NextSeq::<Test>::get(), 0);
		assert_eq!(SubjectTrail::<Test>::get(patient(1)), Trail::default());
		assert_eq!(ActorEntryCount::<Test>::get(patient(1)), 0);
	});
}

#[test]
fn a_full_trail_refuses_new_entries() {
	test(|| {
		NextSeq::<Test>::put(u64::MAX);
		assert_noop!(
			<Audit as AuditLog<u64>>::log(patient(1), patient(1), A::PatientKeyRotated),
			Error::<Test>::TrailFull
		);
		// Put the trail back in a consistent state for the invariant check.
		NextSeq::<Test>::put(0);
	});
}
