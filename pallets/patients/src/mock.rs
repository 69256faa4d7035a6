//! A test runtime with the real audit pallet (so tests check the entries and
//! their hash chains) and in-memory hospitals:
//! hospital 0 (admin 1), hospital 1 (admin 2), hospital 2 suspended (admin 3).

use crate as pallet_patients;
use frame_support::traits::ConstU32;
use medchain_primitives::{testing::MockHospitals, RecordId, RecordKeys, WrappedKey};

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
		Patients: pallet_patients,
	}
);

pallet_audit::impl_test_configs!(Test);

frame_support::parameter_types! {
	/// Wrapped keys on patients' records: `(patient, reader)` once per key.
	pub static HeldKeys: Vec<(u64, u64)> = vec![];
}

/// Records in memory: only who holds how many keys.
pub struct MockRecordKeys;
impl RecordKeys<u64> for MockRecordKeys {
	fn is_record_of(_: &u64, _: RecordId) -> bool {
		false
	}

	fn remove_reader_keys(patient: &u64, reader: &u64, limit: u32) -> u32 {
		let mut removed = 0;
		HeldKeys::mutate(|keys| {
			keys.retain(|key| {
				let goes = key == &(*patient, *reader) && removed < limit;
				removed += goes as u32;
				!goes
			})
		});
		removed
	}

	fn remove_released_shares(_: &u64, _: &u64, _: u32) -> u32 {
		0
	}

	fn share_keys(
		_actor: &u64,
		patient: &u64,
		reader: &u64,
		keys: Vec<(RecordId, WrappedKey)>,
	) -> sp_runtime::DispatchResult {
		HeldKeys::mutate(|held| held.extend(keys.iter().map(|_| (*patient, *reader))));
		Ok(())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_keys(patient: &u64, reader: &u64, n: u32) -> Vec<RecordId> {
		HeldKeys::mutate(|held| held.extend((0..n).map(|_| (*patient, *reader))));
		(0..n as u64).collect()
	}
}

impl pallet_patients::Config for Test {
	type Hospitals = MockHospitals;
	type Audit = Audit;
	type Roles = ();
	type Time = Timestamp;
	type MaxGuardians = ConstU32<3>;
	type RecordKeys = MockRecordKeys;
	type Files = medchain_primitives::testing::MockFiles;
	type MaxKeysPerRemoval = ConstU32<10>;
	type RecoveryOrigin = frame_system::EnsureRootWithSuccess<u64, RootActor>;
	type DefaultRecoveryDelay = frame_support::traits::ConstU64<RECOVERY_DELAY>;
	type WeightInfo = ();
}

/// How long a key recovery waits in these tests: an hour.
pub const RECOVERY_DELAY: u64 = 3_600_000;

frame_support::parameter_types! {
	/// Root as the audit trail names it.
	pub const RootActor: medchain_primitives::Entity<u64> = medchain_primitives::Entity::Root;
}

/// Empty storage at block 1, time `NOW`, with the three mock hospitals.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut ext = base_test_ext();
	ext.execute_with(MockHospitals::set_up);
	medchain_primitives::testing::MockFiles::reset();
	ext
}

/// Run a test and check both pallets' invariants after it.
pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Patients::do_try_state().expect("patients invariants hold");
		Audit::do_try_state().expect("audit invariants hold");
	});
}
