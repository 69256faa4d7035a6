//! Facts about the runtime that docs quote.

use crate::Runtime;
use codec::MaxEncodedLen;

/// docs/audit.md: the largest audit entry and what each entry adds to state.
#[test]
fn audit_entry_sizes_are_as_documented() {
	assert_eq!(pallet_audit::AuditEntryOf::<Runtime>::max_encoded_len(), 420);
	assert_eq!(pallet_audit::EntityOf::<Runtime>::max_encoded_len(), 33);
	assert_eq!(medchain_primitives::AuditAction::<crate::AccountId>::max_encoded_len(), 302);
	// The largest action is a grant whose scope lists the most records; a
	// grant of every record, or of categories, is far smaller.
	assert_eq!(medchain_primitives::GrantTerms::max_encoded_len(), 269);
	let all = medchain_primitives::AuditAction::AccessGranted {
		grantee: crate::AccountId::from([0; 32]),
		terms: medchain_primitives::GrantTerms {
			scope: medchain_primitives::Scope::All,
			permission: medchain_primitives::Permission::Read,
			purpose: medchain_primitives::Purpose::Treatment,
			expires_at: Some(0),
		},
	};
	assert_eq!(codec::Encode::encoded_size(&all), 45);
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
	use crate::{Access, AccountId, Audit, Runtime};
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
			let page = Access::patients_of(doctor.clone(), after, limit);
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
	fn view_functions_dispatch_by_id_and_answer_like_the_pallet() {
		use codec::{Decode, Encode};
		use frame_support::view_functions::{ViewFunction, ViewFunctionDispatchError};
		use pallet_access::PatientsOfViewFunction;
		ext().execute_with(|| {
			walk_patients(3, 10);
			let query = PatientsOfViewFunction::<Runtime>::new(account(u32::MAX), None, 2);
			let id = PatientsOfViewFunction::<Runtime>::id();
			let answer = Runtime::execute_view_function(id.clone(), query.encode()).unwrap();
			let page = medchain_primitives::Page::<AccountId, AccountId>::decode(&mut &answer[..])
				.unwrap();
			assert_eq!(page, Access::patients_of(account(u32::MAX), None, 2));
			assert_eq!(page.items.len(), 2);
			// Malformed arguments and unknown ids are errors, not panics.
			assert!(matches!(
				Runtime::execute_view_function(id.clone(), vec![1, 2, 3]),
				Err(ViewFunctionDispatchError::Codec)
			));
			let mut unknown = id;
			unknown.suffix = [0; 16];
			assert!(matches!(
				Runtime::execute_view_function(unknown, query.encode()),
				Err(ViewFunctionDispatchError::NotFound(_))
			));
		});
	}

	#[test]
	fn a_cursor_at_the_end_gives_an_empty_last_page() {
		ext().execute_with(|| {
			let pages = walk_patients(3, 10);
			let last = pages[0].last().unwrap().clone();
			let page = Access::patients_of(account(u32::MAX), Some(last), 10);
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
			let first = Audit::audit_trail(subject.clone(), 0, 1_000);
			assert_eq!((first.len, first.items.len(), first.next), (150, 100, Some(100)));
			let second = Audit::audit_trail(subject.clone(), 100, 100);
			assert_eq!((second.items.len(), second.next), (50, None));
			assert_eq!(second.items.last().unwrap().hash(), second.head);
			assert_eq!(second.items[0].prev, first.items[99].hash());
			for from in [150, 1_000] {
				let past = Audit::audit_trail(subject.clone(), from, 10);
				assert_eq!((past.items.len(), past.next), (0, None));
			}
			let by_actor = Audit::audit_by_actor(subject.clone(), 140, 100);
			assert_eq!((by_actor.items.len(), by_actor.next), (10, None));
			let empty = Audit::audit_trail(Entity::Account(account(8)), 0, 10);
			assert_eq!(
				(empty.len, empty.head, empty.items.len(), empty.next),
				(0, [0; 32], 0, None)
			);
		});
	}
}

/// Who pays: the payment and rate-limit extensions as the runtime wires them,
/// over the real pallets (docs/fees.md).
mod fees {
	use crate::{
		configs::{
			MaxFeelessWeightPerBlock, FEELESS_WINDOW, MAX_FEELESS_CALLS_PER_WINDOW,
			MAX_FEELESS_LENGTH, MAX_FEELESS_WEIGHT_PER_WINDOW,
		},
		AccountId, Balances, Doctors, Runtime, RuntimeCall, RuntimeOrigin, System, UNIT,
	};
	use codec::{Decode, Encode};
	use frame_support::{
		dispatch::{DispatchClass, GetDispatchInfo},
		traits::{Get, GetCallMetadata, PalletInfoAccess},
		weights::{constants::WEIGHT_REF_TIME_PER_MILLIS, Weight},
	};
	use medchain_primitives::{InviteRole, RecordCategory};
	use pallet_access::{Permission, Purpose, Scope};
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionValidityError},
		BuildStorage, DispatchError, TransactionOutcome,
	};

	/// The extensions that decide who pays and what fits a block, in the runtime's order.
	type Payment = (
		frame_system::CheckNonce<Runtime>,
		frame_system::CheckWeight<Runtime>,
		pallet_skip_feeless_payment::SkipCheckIfFeeless<
			Runtime,
			pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
		>,
		pallet_feeless::LimitFeelessCalls<Runtime>,
	);

	const HOSPITAL: u32 = 0;

	fn account(seed: u8) -> AccountId {
		AccountId::from([seed; 32])
	}

	fn admin() -> AccountId {
		account(1)
	}

	fn rich() -> AccountId {
		account(2)
	}

	/// One hospital (admin `account(1)`), and `account(2)` holding tokens.
	fn ext() -> sp_io::TestExternalities {
		let mut storage =
			frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Runtime> {
			balances: vec![(rich(), 1_000 * UNIT)],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_consortium::GenesisConfig::<Runtime> {
			hospitals: vec![(b"General".to_vec(), vec![admin()], account(9))],
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Submit `call` signed by `who` through the payment extensions, as a
	/// block builder does; `Ok` if it was included (whatever the call's own
	/// result).
	fn submit(who: &AccountId, call: RuntimeCall) -> Result<(), TransactionValidityError> {
		submit_len(who, call, 100)
	}

	/// `submit` as a transaction of `len` bytes.
	fn submit_len(
		who: &AccountId,
		call: RuntimeCall,
		len: usize,
	) -> Result<(), TransactionValidityError> {
		let nonce = System::account_nonce(who);
		let ext: Payment = (
			frame_system::CheckNonce::from(nonce),
			frame_system::CheckWeight::new(),
			pallet_transaction_payment::ChargeTransactionPayment::from(0).into(),
			pallet_feeless::LimitFeelessCalls::new(),
		);
		let info = call.get_dispatch_info();
		// Each extrinsic starts with nothing reclaimed, as `note_applied_extrinsic` leaves it.
		frame_system::ExtrinsicWeightReclaimed::<Runtime>::kill();
		// A block builder drops what an invalid transaction wrote (its weight, its nonce).
		frame_support::storage::with_transaction(|| {
			let result = ext
				.dispatch_transaction(RuntimeOrigin::signed(who.clone()), call, &info, len, 0)
				.map(|_| ());
			if result.is_ok() {
				TransactionOutcome::Commit(Ok::<_, DispatchError>(result))
			} else {
				TransactionOutcome::Rollback(Ok(result))
			}
		})
		.expect("one level of storage transaction")
	}

	fn register(key: u8) -> RuntimeCall {
		RuntimeCall::Patients(pallet_patients::Call::register {
			encryption_key: [key; 32],
			profile: None,
		})
	}

	/// Registration at the hospital whose invitation the account holds: free.
	fn register_at(key: u8) -> RuntimeCall {
		RuntimeCall::Patients(pallet_patients::Call::register_at {
			hospital: HOSPITAL,
			encryption_key: [key; 32],
			profile: None,
		})
	}

	fn set_profile(patient: &AccountId) -> RuntimeCall {
		RuntimeCall::Patients(pallet_patients::Call::set_profile {
			patient: patient.clone(),
			profile: None,
		})
	}

	fn invite(who: &AccountId, role: InviteRole) -> RuntimeCall {
		RuntimeCall::Consortium(pallet_consortium::Call::invite {
			hospital: HOSPITAL,
			account: who.clone(),
			role,
		})
	}

	#[test]
	fn an_invited_account_with_no_tokens_registers_and_acts_for_free() {
		ext().execute_with(|| {
			let newcomer = account(50);
			assert_eq!(submit(&admin(), invite(&newcomer, InviteRole::Patient)), Ok(()));
			assert_eq!(submit(&newcomer, register_at(5)), Ok(()));
			assert!(pallet_patients::PatientOf::<Runtime>::contains_key(&newcomer));
			assert_eq!(submit(&newcomer, set_profile(&newcomer)), Ok(()));
			assert_eq!(Balances::free_balance(&newcomer), 0);
			assert_eq!(Balances::free_balance(admin()), 0);
			assert_eq!(System::account_nonce(&newcomer), 2);
			// The invitation is used up; the patient role keeps the account.
			assert!(pallet_consortium::Invitations::<Runtime>::get(&newcomer, HOSPITAL).is_none());
			assert_eq!(System::providers(&newcomer), 1);
		});
	}

	#[test]
	fn an_unknown_account_with_no_tokens_can_do_nothing() {
		ext().execute_with(|| {
			let stranger = account(60);
			let payment = Err(InvalidTransaction::Payment.into());
			assert_eq!(submit(&stranger, register(6)), payment);
			assert_eq!(submit(&stranger, set_profile(&stranger)), payment);
			assert_eq!(submit(&stranger, invite(&account(61), InviteRole::Patient)), payment);
			// Invited as a doctor, it still pays to register as a patient.
			assert_eq!(submit(&admin(), invite(&stranger, InviteRole::Doctor)), Ok(()));
			assert_eq!(submit(&stranger, register(6)), payment);
		});
	}

	#[test]
	fn an_account_without_a_role_pays_to_register() {
		ext().execute_with(|| {
			let before = Balances::free_balance(rich());
			assert_eq!(submit(&rich(), register(7)), Ok(()));
			assert!(Balances::free_balance(rich()) < before);
			// Once a patient, it pays no more.
			let after = Balances::free_balance(rich());
			assert_eq!(submit(&rich(), set_profile(&rich())), Ok(()));
			assert_eq!(Balances::free_balance(rich()), after);
		});
	}

	/// An invited doctor who applied with no tokens and was approved by the admin.
	fn approved_doctor(seed: u8) -> AccountId {
		let doctor = account(seed);
		assert_eq!(submit(&admin(), invite(&doctor, InviteRole::Doctor)), Ok(()));
		let apply = RuntimeCall::Doctors(pallet_doctors::Call::apply {
			hospital: HOSPITAL,
			name: b"Dr Manal".to_vec().try_into().unwrap(),
			specialty: b"Cardiology".to_vec().try_into().unwrap(),
			licence_hash: [seed; 32],
			encryption_key: [4; 32],
		});
		assert_eq!(submit(&doctor, apply), Ok(()));
		let approve =
			RuntimeCall::Doctors(pallet_doctors::Call::approve { doctor: doctor.clone() });
		assert_eq!(submit(&admin(), approve), Ok(()));
		doctor
	}

	#[test]
	fn a_suspended_doctor_loses_the_exemption() {
		use frame_support::dispatch::CheckIfFeeless;
		ext().execute_with(|| {
			let doctor = approved_doctor(70);

			let rotate =
				RuntimeCall::Doctors(pallet_doctors::Call::rotate_key { encryption_key: [5; 32] });
			let origin = RuntimeOrigin::signed(doctor.clone());
			assert!(rotate.is_feeless(&origin));
			assert_eq!(submit(&doctor, rotate.clone()), Ok(()));

			let suspend =
				RuntimeCall::Doctors(pallet_doctors::Call::suspend { doctor: doctor.clone() });
			assert_eq!(submit(&admin(), suspend), Ok(()));
			assert!(!<Doctors as medchain_primitives::DoctorRegistry<_>>::is_active(&doctor));
			assert!(!rotate.is_feeless(&origin));
			assert_eq!(submit(&doctor, rotate), Err(InvalidTransaction::Payment.into()));
		});
	}

	#[test]
	fn feeless_calls_are_limited_per_window() {
		ext().execute_with(|| {
			let patient = account(80);
			assert_eq!(submit(&admin(), invite(&patient, InviteRole::Patient)), Ok(()));
			assert_eq!(submit(&patient, register_at(8)), Ok(()));
			for _ in 1..MAX_FEELESS_CALLS_PER_WINDOW {
				assert_eq!(submit(&patient, set_profile(&patient)), Ok(()));
			}
			let limited = Err(InvalidTransaction::Custom(pallet_feeless::RATE_LIMITED).into());
			assert_eq!(submit(&patient, set_profile(&patient)), limited);
			// A window is a minute of blocks; the next one accepts again.
			let window = crate::configs::FEELESS_WINDOW;
			System::set_block_number(window - 1);
			assert_eq!(submit(&patient, set_profile(&patient)), limited);
			System::set_block_number(window);
			assert_eq!(submit(&patient, set_profile(&patient)), Ok(()));
			let left = pallet_feeless::Pallet::<Runtime>::calls_left(&patient);
			assert_eq!(left, MAX_FEELESS_CALLS_PER_WINDOW - 1);
		});
	}

	/// A registered patient who came through an invitation, with no tokens.
	fn invited_patient(seed: u8) -> AccountId {
		let patient = account(seed);
		assert_eq!(submit(&admin(), invite(&patient, InviteRole::Patient)), Ok(()));
		assert_eq!(submit(&patient, register_at(seed)), Ok(()));
		patient
	}

	/// `pallet.call(args)` as a call's bytes, with arguments of any length.
	fn raw_call<Pallet: PalletInfoAccess>(call_index: u8, args: impl Encode) -> Vec<u8> {
		(Pallet::index() as u8, call_index, args).encode()
	}

	// Attack 1 of the abuse review: 3.5 MB CIDs in free calls failed in
	// dispatch (`CidTooLong`) but were included, free, filling blocks.
	#[test]
	fn free_block_stuffing_an_oversized_argument_does_not_even_decode() {
		let huge = vec![b'b'; 3_500_000];
		let patient = account(90);
		let create = raw_call::<crate::Records>(
			0,
			(&patient, RecordCategory::LabResult, &huge, vec![(&patient, vec![1u8; 80])]),
		);
		let set_profile = raw_call::<crate::Patients>(2, (&patient, Some(&huge)));
		let note = raw_call::<crate::Access>(
			4,
			(&patient, Scope::<(), ()>::All, Permission::Read, Purpose::Treatment, Some(&huge)),
		);
		let names = raw_call::<crate::Doctors>(6, (&huge, b"GP".to_vec()));
		for bytes in [create, set_profile, note, names] {
			assert!(RuntimeCall::decode(&mut &bytes[..]).is_err());
		}
		// The same calls with arguments within their bounds decode.
		let cid = b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4".to_vec();
		let create = raw_call::<crate::Records>(
			0,
			(&patient, RecordCategory::LabResult, &cid, vec![(&patient, vec![1u8; 80])]),
		);
		assert!(RuntimeCall::decode(&mut &create[..]).is_ok());
	}

	#[test]
	fn free_block_stuffing_a_long_feeless_transaction_is_refused() {
		ext().execute_with(|| {
			let patient = invited_patient(91);
			let too_long =
				Err(InvalidTransaction::Custom(pallet_feeless::TOO_LONG_FOR_FREE).into());
			let cap = MAX_FEELESS_LENGTH as usize;
			assert_eq!(submit_len(&patient, set_profile(&patient), cap + 1), too_long);
			assert_eq!(submit_len(&patient, set_profile(&patient), cap), Ok(()));
			assert_eq!(Balances::free_balance(&patient), 0);
		});
	}

	#[test]
	fn free_block_stuffing_the_largest_valid_feeless_calls_fit_under_the_cap() {
		use medchain_primitives::{MAX_CID_LEN, MAX_WRAPPED_KEY_LEN};
		let key = || vec![7u8; MAX_WRAPPED_KEY_LEN as usize].try_into().unwrap();
		let cid = || vec![b'b'; MAX_CID_LEN as usize].try_into().unwrap();
		let readers: u32 = <Runtime as pallet_records::Config>::MaxReadersPerRecord::get();
		let keys: Vec<_> = (0..readers).map(|i| (account(i as u8), key())).collect();
		let create = RuntimeCall::Records(pallet_records::Call::create_record {
			patient: account(1),
			category: RecordCategory::LabResult,
			cid: cid(),
			keys: keys.clone().try_into().unwrap(),
		});
		let rotate = RuntimeCall::Records(pallet_records::Call::rotate_key {
			record: u64::MAX,
			cid: cid(),
			keys: keys.try_into().unwrap(),
		});
		let approvals: u32 = <Runtime as pallet_access::Config>::MaxKeysPerApproval::get();
		let scope_records: u32 = <Runtime as pallet_access::Config>::MaxScopeRecords::get();
		let scope = || {
			let ids: Vec<u64> = (0..scope_records as u64).collect();
			Scope::Records(ids.try_into().unwrap())
		};
		let approve = RuntimeCall::Access(pallet_access::Call::approve_request {
			patient: account(1),
			doctor: account(2),
			scope: Some(scope()),
			permission: Some(Permission::Read),
			expires_at: Some(u64::MAX),
			keys: (0..approvals as u64)
				.map(|id| (id, key()))
				.collect::<Vec<_>>()
				.try_into()
				.unwrap(),
		});
		let shares: u32 = <Runtime as pallet_records::Config>::MaxKeysPerCall::get();
		let share = RuntimeCall::Records(pallet_records::Call::share_keys {
			patient: account(1),
			reader: account(2),
			keys: (0..shares as u64).map(|id| (id, key())).collect::<Vec<_>>().try_into().unwrap(),
		});
		// Address, signature and extensions of a signed extrinsic: well under 200 bytes.
		const ENVELOPE: usize = 200;
		for call in [create, rotate, approve, share] {
			let len = call.encoded_size() + ENVELOPE;
			assert!(len <= MAX_FEELESS_LENGTH as usize, "{len} bytes: {call:?}");
		}
	}

	// Attack 2: a guardian held a role, so registering as a patient was free
	// for it, and it could name the next guardian: unlimited free accounts.
	#[test]
	fn sybil_role_holders_through_guardianship_a_guardian_pays_to_register() {
		ext().execute_with(|| {
			let patient = invited_patient(92);
			let sybil = account(93);
			let add = RuntimeCall::Patients(pallet_patients::Call::add_guardian {
				patient: patient.clone(),
				guardian: sybil.clone(),
			});
			assert_eq!(submit(&patient, add), Ok(()));
			assert_eq!(submit(&sybil, register(93)), Err(InvalidTransaction::Payment.into()));
			assert!(!pallet_patients::PatientOf::<Runtime>::contains_key(&sybil));
		});
	}

	// Attack 6: `patients.register_patient` (call index 1) registered an
	// account that never signed. The call is gone: a hospital invites instead.
	#[test]
	fn desk_registration_without_consent_no_call_registers_another_account() {
		let (patient, key) = (account(94), [9u8; 32]);
		let desk = raw_call::<crate::Patients>(
			1,
			(0u32, &patient, key, Option::<Vec<u8>>::None, Option::<AccountId>::None),
		);
		assert!(RuntimeCall::decode(&mut &desk[..]).is_err());
		ext().execute_with(|| {
			assert_eq!(submit(&admin(), invite(&patient, InviteRole::Patient)), Ok(()));
			assert_eq!(submit(&patient, register_at(94)), Ok(()));
			let info = pallet_patients::PatientOf::<Runtime>::get(&patient).unwrap();
			assert_eq!((info.registered_by, info.hospital), (patient, Some(HOSPITAL)));
		});
	}

	/// Start block `n`: nothing of its weight used yet.
	fn new_block(n: u32) {
		System::set_block_number(n);
		frame_system::BlockWeight::<Runtime>::kill();
	}

	/// The first block of the window after the current block's.
	fn next_window() {
		let window = FEELESS_WINDOW;
		new_block((System::block_number() / window + 1) * window);
	}

	/// The weight a block has used so far, all classes.
	fn block_weight() -> Weight {
		System::block_weight().total()
	}

	/// What the block charges a transaction over its call: the base extrinsic weight.
	fn base_extrinsic() -> Weight {
		crate::configs::RuntimeBlockWeights::get().get(DispatchClass::Normal).base_extrinsic
	}

	// Attack 1 of the trust review (free block stuffing by weight): a feeless call that
	// failed early was charged its declared worst case: a `declineGrant` of a grant that does
	// not exist about 204 ms, so four free accounts' calls filled every block.
	#[test]
	fn free_block_stuffing_by_weight_a_failing_call_is_charged_what_it_did() {
		type AccessWeights = <Runtime as pallet_access::Config>::WeightInfo;
		type PatientsWeights = <Runtime as pallet_patients::Config>::WeightInfo;
		type RecordsWeights = <Runtime as pallet_records::Config>::WeightInfo;
		use pallet_access::WeightInfo as _;
		use pallet_patients::WeightInfo as _;
		use pallet_records::WeightInfo as _;
		ext().execute_with(|| {
			let patient = invited_patient(100);
			let stranger = account(101);
			let access = |call| RuntimeCall::Access(call);
			let calls = [
				(
					access(pallet_access::Call::decline_grant { patient: stranger.clone() }),
					AccessWeights::decline_grant(0),
				),
				(
					access(pallet_access::Call::revoke {
						patient: patient.clone(),
						grantee: stranger.clone(),
					}),
					AccessWeights::revoke(0),
				),
				(
					access(pallet_access::Call::change_grant {
						patient: patient.clone(),
						grantee: stranger.clone(),
						scope: Scope::All,
						permission: Permission::Read,
						purpose: Purpose::Treatment,
						expires_at: None,
					}),
					AccessWeights::change_grant(0),
				),
				(
					access(pallet_access::Call::remove_expired {
						patient: patient.clone(),
						grantee: stranger.clone(),
					}),
					AccessWeights::remove_expired(0),
				),
				(
					access(pallet_access::Call::remove_inactive_keys {
						patient: patient.clone(),
						grantee: stranger.clone(),
					}),
					AccessWeights::remove_inactive_keys(0),
				),
				(
					RuntimeCall::Patients(pallet_patients::Call::remove_guardian {
						patient: patient.clone(),
						guardian: stranger.clone(),
					}),
					PatientsWeights::remove_guardian(0),
				),
				(
					RuntimeCall::Records(pallet_records::Call::erase_record { record: 999 }),
					RecordsWeights::erase_record(0, 1),
				),
			];
			for (call, checks) in calls {
				let declared = call.get_dispatch_info().total_weight();
				let before = block_weight();
				assert_eq!(submit(&patient, call.clone()), Ok(()));
				let charged = block_weight() - before - base_extrinsic();
				println!(
					"{:?}: declared {} µs, charged {} µs",
					call.get_call_metadata().function_name,
					declared.ref_time() / 1_000_000,
					charged.ref_time() / 1_000_000
				);
				assert_eq!(charged.ref_time(), checks.ref_time(), "{call:?}");
				assert!(charged.ref_time() * 2 < declared.ref_time(), "{call:?}");
			}
			let feeless = pallet_feeless::Pallet::<Runtime>::weight_in_window(&patient);
			// Registration and the seven failures: about 8 ms of the window's 300.
			assert!(feeless.ref_time() < 20 * WEIGHT_REF_TIME_PER_MILLIS, "{feeless:?}");
			assert_eq!(Balances::free_balance(&patient), 0);
		});
	}

	#[test]
	fn free_block_stuffing_by_weight_every_call_a_role_holder_needs_fits_one_window() {
		type AccessWeights = <Runtime as pallet_access::Config>::WeightInfo;
		type PatientsWeights = <Runtime as pallet_patients::Config>::WeightInfo;
		type RecordsWeights = <Runtime as pallet_records::Config>::WeightInfo;
		use pallet_access::WeightInfo as _;
		use pallet_patients::WeightInfo as _;
		use pallet_records::WeightInfo as _;
		let keys: u32 = <Runtime as pallet_access::Config>::MaxKeysPerRevoke::get();
		let readers: u32 = <Runtime as pallet_records::Config>::MaxReadersPerRecord::get();
		let versions: u32 = <Runtime as pallet_records::Config>::MaxVersions::get();
		let per_call: u32 = <Runtime as pallet_records::Config>::MaxKeysPerCall::get();
		let worst = [
			AccessWeights::revoke(keys),
			AccessWeights::change_grant(keys),
			AccessWeights::decline_grant(keys),
			AccessWeights::remove_expired(keys),
			AccessWeights::remove_inactive_keys(keys),
			PatientsWeights::remove_guardian(keys),
			RecordsWeights::rotate_key(readers, readers),
			RecordsWeights::erase_record(readers, versions),
			RecordsWeights::create_record(readers),
			RecordsWeights::share_keys(per_call),
			RecordsWeights::release_shares(per_call),
		];
		let window = MAX_FEELESS_WEIGHT_PER_WINDOW;
		let block = MaxFeelessWeightPerBlock::get();
		let base = base_extrinsic().ref_time();
		for weight in worst {
			let needs = weight.ref_time() + base;
			assert!(needs <= window.ref_time(), "{weight:?} over one window's {window:?}");
		}
		assert!(window.ref_time() <= block.ref_time());
	}

	// How many free accounts fill the feeless share of a block (docs/fees.md): each of them
	// makes its 20 calls of the window in the same block; they fill 90% of the block's Normal
	// weight and no more, and break-glass and paying calls still go in.
	#[test]
	fn free_block_stuffing_by_weight_free_accounts_fill_at_most_their_share_of_a_block() {
		use medchain_primitives::testing::numbered_cid;
		ext().execute_with(|| {
			// A doctor for break-glass, and patients, invited and registered over as many
			// windows as the admin's own limit needs.
			let doctor = approved_doctor(99);
			let patients: Vec<AccountId> = (100..200)
				.map(|seed| {
					if pallet_feeless::Pallet::<Runtime>::calls_left(&admin()) == 0 {
						next_window();
					}
					invited_patient(seed)
				})
				.collect();

			next_window();
			let key = || vec![7u8; 80].try_into().unwrap();
			let write = |patient: &AccountId, n: u64| {
				RuntimeCall::Records(pallet_records::Call::create_record {
					patient: patient.clone(),
					category: RecordCategory::LabResult,
					cid: numbered_cid(n),
					keys: vec![(patient.clone(), key())].try_into().unwrap(),
				})
			};
			// As the block counts it: the call's weight and an extrinsic's base weight.
			let each = write(&patients[0], 0).get_dispatch_info().total_weight() + base_extrinsic();
			let share = MaxFeelessWeightPerBlock::get();
			let fit = share.ref_time() / each.ref_time();
			let per_account = MAX_FEELESS_CALLS_PER_WINDOW as u64;
			let exhausted: Result<(), TransactionValidityError> =
				Err(InvalidTransaction::ExhaustsResources.into());
			let mut written = 0u64;
			let mut accounts = 0u64;
			'fill: for patient in &patients {
				accounts += 1;
				for _ in 0..per_account {
					match submit(patient, write(patient, written)) {
						Ok(()) => written += 1,
						Err(e) => {
							assert_eq!(Err(e), exhausted);
							break 'fill;
						}
					}
				}
			}
			// Exactly the arithmetic of docs/fees.md.
			println!(
				"feeless share {} µs, a one-reader record write {} µs: {fit} writes, {accounts} \
				 accounts fill the share of one block",
				share.ref_time() / 1_000_000,
				each.ref_time() / 1_000_000,
			);
			assert_eq!(written, fit);
			assert_eq!(accounts, fit / per_account + 1);
			assert!(pallet_feeless::Pallet::<Runtime>::weight_in_block().all_lte(share));
			// Break-glass is Operational: it has the block's operational reserve. (The doctor
			// was approved just now: no probation here, as on the development chain.)
			pallet_access::EmergencyProbation::<Runtime>::put(0);
			let glass = RuntimeCall::Access(pallet_access::Call::emergency_access {
				patient: patients[0].clone(),
				reason: medchain_primitives::EmergencyReason::PatientUnconscious,
			});
			assert_eq!(submit(&doctor, glass), Ok(()));
			assert!(pallet_access::GrantOf::<Runtime>::contains_key(&patients[0], &doctor));
			// A paying call still has the tenth of the Normal weight left to it.
			let pay = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: admin().into(),
				value: UNIT,
			});
			assert_eq!(submit(&rich(), pay), Ok(()));
			// The next block takes the free calls again.
			new_block(System::block_number() + 1);
			let last = &patients[accounts as usize - 1];
			assert_eq!(submit(last, write(last, written)), Ok(()));
		});
	}

	#[test]
	fn bulk_data_costs_a_paying_account_real_money() {
		ext().execute_with(|| {
			let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
			let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(
				1 << 20,
				&remark.get_dispatch_info(),
				0,
			);
			assert!(fee >= 10 * UNIT, "1 MiB costs {fee}");
		});
	}
}

/// Governance without sudo: the council's motions reach what a consortium
/// needs, through the pallets' own calls, as the runtime wires them.
mod governance {
	use crate::{
		AccountId, Consortium, Council, NodeAuthorization, Runtime, RuntimeCall, RuntimeOrigin,
		System, WASM_BINARY,
	};
	use codec::Encode;
	use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
	use sp_core::OpaquePeerId;
	use sp_runtime::{traits::Hash, BuildStorage, DispatchError};

	fn account(seed: u8) -> AccountId {
		AccountId::from([seed; 32])
	}

	fn peer(seed: u8) -> Vec<u8> {
		crate::genesis::ed25519_peer_id(&[seed; 32])
	}

	/// Three hospitals (validators 10, 20, 30, on the council) with their nodes.
	fn ext() -> sp_io::TestExternalities {
		let mut storage =
			frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
		pallet_consortium::GenesisConfig::<Runtime> {
			hospitals: [1, 2, 3]
				.map(|i| (vec![b'H', i], vec![account(i)], account(i * 10)))
				.to_vec(),
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_node_authorization::GenesisConfig::<Runtime> {
			nodes: [1, 2, 3].map(|i| (OpaquePeerId(peer(i)), account(i * 10))).to_vec(),
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Propose `call` as validator 10, vote aye with `ayes` of validators
	/// 10, 20, 30, close; the motion's own result.
	fn motion(call: RuntimeCall, ayes: u8) -> Result<(), DispatchError> {
		let len = call.encoded_size() as u32;
		let weight = call.get_dispatch_info().call_weight;
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		let index =
			pallet_collective::ProposalCount::<Runtime, crate::configs::CouncilCollective>::get();
		assert_ok!(Council::propose(RuntimeOrigin::signed(account(10)), 2, Box::new(call), len));
		// The proposer votes like any member (a proposal carries no vote of its own).
		for voter in [10, 20, 30].into_iter().take(ayes as usize) {
			assert_ok!(Council::vote(RuntimeOrigin::signed(account(voter)), hash, index, true));
		}
		Council::close(RuntimeOrigin::signed(account(10)), hash, index, weight, len)
			.map_err(|e| e.error)?;
		let executed = System::events().into_iter().rev().find_map(|r| match r.event {
			crate::RuntimeEvent::Council(pallet_collective::Event::Executed { result, .. }) => {
				Some(result)
			}
			_ => None,
		});
		executed.expect("the motion was executed")
	}

	fn well_known() -> Vec<Vec<u8>> {
		pallet_node_authorization::WellKnownNodes::<Runtime>::get()
			.into_iter()
			.map(|p| p.0)
			.collect()
	}

	#[test]
	fn a_motion_admits_a_hospital_with_its_node_and_removing_it_cuts_the_node_off() {
		ext().execute_with(|| {
			let admit =
				RuntimeCall::Consortium(pallet_consortium::Call::admit_hospital_with_node {
					name: b"H4".to_vec(),
					admins: vec![account(4)],
					validator: account(40),
					node: peer(4).try_into().unwrap(),
				});
			assert_ok!(motion(admit, 2));
			assert!(well_known().contains(&peer(4)));
			let owner = pallet_node_authorization::Owners::<Runtime>::get(OpaquePeerId(peer(4)));
			assert_eq!(owner, Some(account(40)));
			let council =
				pallet_collective::Members::<Runtime, crate::configs::CouncilCollective>::get();
			assert!(council.contains(&account(40)));

			let remove =
				RuntimeCall::Consortium(pallet_consortium::Call::remove_hospital { hospital: 3 });
			assert_ok!(motion(remove, 3));
			assert_eq!(well_known().len(), 3);
			assert!(!well_known().contains(&peer(4)), "the removed hospital's node is cut off");
		});
	}

	/// Who the audit trail names as the actor of each entry about `hospital`.
	fn actors_of(hospital: u32) -> Vec<medchain_primitives::Entity<AccountId>> {
		let subject = medchain_primitives::Entity::Hospital(hospital);
		let len = pallet_audit::SubjectTrail::<Runtime>::get(&subject).len;
		(0..len)
			.map(|i| {
				let seq = pallet_audit::SubjectEntries::<Runtime>::get(&subject, i).unwrap();
				pallet_audit::Entries::<Runtime>::get(seq).unwrap().actor
			})
			.collect()
	}

	/// Abuse review, attack 9: a council decision and a root (sudo) one are
	/// told apart in the trail; genesis hospitals were admitted by root.
	#[test]
	fn audit_entries_too_thin_root_and_the_council_are_told_apart() {
		use medchain_primitives::Entity;
		ext().execute_with(|| {
			assert_eq!(actors_of(0), vec![Entity::Root]);
			let admit = RuntimeCall::Consortium(pallet_consortium::Call::admit_hospital {
				name: b"H4".to_vec(),
				admins: vec![account(4)],
				validator: account(40),
			});
			assert_ok!(motion(admit, 2));
			assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), 3));
			assert_eq!(actors_of(3), vec![Entity::Council, Entity::Root]);
		});
	}

	/// A patient (account 50) registers and grants a doctor (account 60) of hospital 0
	/// read access to everything; the hospital's admin suspends the doctor. The doctor.
	fn patient_grants_a_doctor_who_is_suspended() -> AccountId {
		use crate::{Access, Doctors, Patients};
		let (patient, doctor) = (account(50), account(60));
		assert_ok!(Patients::register(RuntimeOrigin::signed(patient.clone()), [5; 32], None));
		assert_ok!(Doctors::register_doctor(
			RuntimeOrigin::signed(account(1)),
			0,
			doctor.clone(),
			b"Dr".to_vec().try_into().unwrap(),
			b"GP".to_vec().try_into().unwrap(),
			[6; 32],
			[6; 32],
		));
		assert_ok!(Access::grant(
			RuntimeOrigin::signed(patient.clone()),
			patient,
			doctor.clone(),
			pallet_access::Scope::All,
			pallet_access::Permission::Read,
			pallet_access::Purpose::Treatment,
			None,
		));
		assert_ok!(Doctors::suspend(RuntimeOrigin::signed(account(1)), doctor.clone()));
		doctor
	}

	/// The runtime wires suspensions to the access pallet: a suspended
	/// doctor with patients, and a suspended hospital, are queued for the
	/// removal of their keys (`pallet-records`' tests prove the removal).
	#[test]
	fn no_keys_for_suspended_doctors_suspensions_queue_the_sweep() {
		use crate::Access;
		ext().execute_with(|| {
			let doctor = patient_grants_a_doctor_who_is_suspended();
			assert!(pallet_access::KeySweeps::<Runtime>::contains_key(&doctor));
			assert_ok!(Consortium::suspend_hospital(RuntimeOrigin::root(), 1));
			assert!(pallet_access::HospitalSweeps::<Runtime>::contains_key(1));
			// Spare block time sweeps both; nothing stays queued.
			use frame_support::traits::Hooks;
			Access::on_idle(1, frame_support::weights::Weight::MAX);
			assert!(pallet_access::KeySweeps::<Runtime>::iter().next().is_none());
			assert!(pallet_access::HospitalSweeps::<Runtime>::iter().next().is_none());
		});
	}

	/// Built only with `try-runtime` (CI builds and runs it, see
	/// scripts/test.sh): every pallet's `try_state` holds after calls that
	/// touch each MedChain pallet, and the runtime's migrations pass their
	/// pre- and post-upgrade checks on that state.
	#[cfg(feature = "try-runtime")]
	#[test]
	fn try_state_and_the_migrations_hold_after_a_day_of_calls() {
		use crate::{AllPalletsWithSystem, Executive};
		use frame_support::traits::{OnGenesis, TryState, TryStateSelect};
		ext().execute_with(|| {
			AllPalletsWithSystem::on_genesis();
			// Aura's try_state needs a block author: validator 10's key (the rest of this
			// module never produces a block).
			let author = sp_consensus_aura::sr25519::AuthorityId::from(
				sp_core::sr25519::Public::from_raw([10; 32]),
			);
			pallet_aura::Authorities::<Runtime>::put(frame_support::BoundedVec::truncate_from(
				vec![author],
			));
			patient_grants_a_doctor_who_is_suspended();
			AllPalletsWithSystem::try_state(1, TryStateSelect::All)
				.expect("every pallet's invariants hold, a sweep queued");
			Executive::try_runtime_upgrade(frame_try_runtime::UpgradeCheckSelect::All)
				.expect("the migrations' checks pass and try_state holds after them");
			// The hooks are wired: a trail missing an entry is caught.
			pallet_audit::Entries::<Runtime>::remove(0);
			assert!(AllPalletsWithSystem::try_state(1, TryStateSelect::All).is_err());
		});
	}

	#[test]
	fn one_hospital_alone_can_neither_change_nodes_nor_upgrade() {
		ext().execute_with(|| {
			// One aye of three seats is below 2/3: the motion cannot close as passed.
			let upgrade = RuntimeCall::Consortium(pallet_consortium::Call::authorize_upgrade {
				code_hash: Default::default(),
			});
			assert!(motion(upgrade, 1).is_err());
			assert!(System::authorized_upgrade().is_none());
			// Nor directly, signed.
			assert_noop!(
				Consortium::authorize_upgrade(
					RuntimeOrigin::signed(account(10)),
					Default::default()
				),
				DispatchError::BadOrigin
			);
			assert_noop!(
				NodeAuthorization::add_well_known_node(
					RuntimeOrigin::signed(account(10)),
					OpaquePeerId(peer(9)),
					account(10).into()
				),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn a_motion_authorizes_an_upgrade_that_anyone_may_then_apply() {
		ext().execute_with(|| {
			let code = WASM_BINARY.expect("built with its runtime");
			let code_hash = <Runtime as frame_system::Config>::Hashing::hash(code);
			let authorize =
				RuntimeCall::Consortium(pallet_consortium::Call::authorize_upgrade { code_hash });
			assert_ok!(motion(authorize, 2));
			let authorized = System::authorized_upgrade().expect("authorized");
			assert_eq!(authorized.code_hash(), &code_hash);
			// Other code is refused before anything else is looked at.
			assert_noop!(
				System::apply_authorized_upgrade(RuntimeOrigin::none(), b"other code".to_vec()),
				frame_system::Error::<Runtime>::Unauthorized
			);
		});
	}

	#[test]
	fn a_motion_changes_the_well_known_nodes() {
		ext().execute_with(|| {
			let swap = RuntimeCall::NodeAuthorization(
				pallet_node_authorization::Call::swap_well_known_node {
					remove: OpaquePeerId(peer(3)),
					add: OpaquePeerId(peer(33)),
				},
			);
			assert_ok!(motion(swap, 2));
			assert!(well_known().contains(&peer(33)) && !well_known().contains(&peer(3)));
		});
	}
}
