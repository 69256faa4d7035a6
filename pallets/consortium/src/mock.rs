//! A test runtime with `frame_system`, the consortium and the real audit
//! trail (so tests check the entries each call writes). The council and
//! the session keys are replaced by small in-memory stand-ins, so that tests
//! can see exactly which accounts the pallet seats and which it plans as
//! validators.

use crate as pallet_consortium;
use frame_support::{
	parameter_types,
	traits::{ChangeMembers, ConstU32, ConstU64, Contains, MapSuccess},
};
use frame_system::EnsureRoot;
use medchain_primitives::Entity;
use sp_runtime::{traits::Replace, BuildStorage};

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
		Consortium: pallet_consortium,
	}
);

parameter_types! {
	/// Root, as the audit trail names it when it acts.
	pub const RootActor: Entity<u64> = Entity::Root;
}

parameter_types! {
	/// The council's members as the pallet last set them.
	pub static Council: Vec<u64> = vec![];
	/// Accounts without session keys.
	pub static WithoutKeys: Vec<u64> = vec![];
}

/// Where the mock keeps the well-known nodes: in storage, so that failed
/// calls and benchmark repetitions roll it back like real state.
const NODES_KEY: &[u8] = b":mock:nodes";

/// The well-known nodes and their owners, as the pallet left them.
pub fn nodes() -> Vec<(Vec<u8>, u64)> {
	frame_support::storage::unhashed::get_or_default(NODES_KEY)
}

pub fn set_nodes(nodes: Vec<(Vec<u8>, u64)>) {
	frame_support::storage::unhashed::put(NODES_KEY, &nodes);
}

/// Node authorization in storage: a node is authorized once.
pub struct MockNodes;
impl medchain_primitives::HospitalNodes<u64> for MockNodes {
	fn authorize(node: Vec<u8>, owner: &u64) -> sp_runtime::DispatchResult {
		let mut all = nodes();
		if all.iter().any(|(n, _)| *n == node) {
			return Err(sp_runtime::DispatchError::Other("AlreadyJoined"));
		}
		all.push((node, *owner));
		set_nodes(all);
		Ok(())
	}
	fn remove_all(owner: &u64) {
		set_nodes(nodes().into_iter().filter(|(_, o)| o != owner).collect());
	}
	fn transfer_all(old: &u64, new: &u64) {
		set_nodes(
			nodes().into_iter().map(|(n, o)| if o == *old { (n, *new) } else { (n, o) }).collect(),
		);
	}
}

/// A binary ed25519 peer id, distinct per `i`.
pub fn peer(i: u8) -> Vec<u8> {
	let mut peer = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
	peer.extend_from_slice(&[i; 32]);
	peer
}

pub struct MockCouncil;
impl ChangeMembers<u64> for MockCouncil {
	fn change_members_sorted(_incoming: &[u64], _outgoing: &[u64], new: &[u64]) {
		Council::set(new.to_vec());
	}
}

pub struct MockKeys;
impl Contains<u64> for MockKeys {
	fn contains(who: &u64) -> bool {
		!WithoutKeys::get().contains(who)
	}
}

pallet_audit::impl_test_configs!(Test);

impl pallet_consortium::Config for Test {
	type GovernanceOrigin = MapSuccess<EnsureRoot<u64>, Replace<RootActor>>;
	type CouncilMembers = MockCouncil;
	type SessionKeysSet = MockKeys;
	type MaxHospitals = ConstU32<5>;
	type MaxAdmins = ConstU32<3>;
	type MaxNameLength = ConstU32<16>;
	type MinActiveHospitals = ConstU32<2>;
	type MaxInvitesPerHospital = ConstU32<3>;
	type InviteLifetime = ConstU64<10>;
	type Audit = Audit;
	type Roles = ();
	type Nodes = MockNodes;
	type OnSuspended = ();
	type WeightInfo = ();
}

/// Genesis: two active hospitals. "General" (id 0) with admin 1, validator 10;
/// "Children" (id 1) with admins 2 and 3, validator 20.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_consortium::GenesisConfig::<Test> {
		hospitals: vec![(b"General".to_vec(), vec![1], 10), (b"Children".to_vec(), vec![2, 3], 20)],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		WithoutKeys::set(vec![]);
	});
	ext
}

/// Run a test and check the pallet's invariants after it.
pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Consortium::do_try_state().expect("storage invariants hold");
		Audit::do_try_state().expect("audit invariants hold");
	});
}
