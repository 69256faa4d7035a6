//! How each pallet of the runtime is configured.

use super::*;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	traits::{
		ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Contains, EitherOf, EitherOfDiverse,
		MapSuccess,
	},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_MILLIS, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, IdentityFee, Weight,
	},
};
use frame_system::{limits::BlockWeights as SystemBlockWeights, EnsureNever, EnsureRoot};
use medchain_primitives::Entity;
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{ConvertInto, One, Replace},
	Perbill,
};
use sp_version::RuntimeVersion;

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Two seconds of compute per 6-second block.
	pub RuntimeBlockWeights: SystemBlockWeights = SystemBlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, 75% of it for normal transactions.
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(MAX_BLOCK_LENGTH)
			.modify_max_length_for_class(DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH
			})
			.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// MedChain nodes use ParityDB only.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = MaxValidators;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxValidators;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = ConstU32<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

/// What a paying transaction pays per byte: 10 micro-units, so 1 MiB costs
/// about 10.5 units and a full block of normal transactions about 39 units,
/// where a balance transfer's weight costs about 0.0005 units. Bulk data is
/// the one thing a permissioned chain's fee must price (docs/fees.md).
pub const TRANSACTION_BYTE_FEE: Balance = 10 * MICRO_UNIT;

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, ConstU128<TRANSACTION_BYTE_FEE>>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

impl pallet_skip_feeless_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
}

/// Who holds a MedChain role, and so pays no fee for the MedChain pallets'
/// calls: a registered patient, an active doctor (not pending, not suspended,
/// at an active hospital), a guardian of a patient, an admin of an active
/// hospital, or the key-release service of one. Checked cheapest first; at
/// most a handful of reads.
pub struct MedchainRoles;

impl medchain_primitives::Roles<AccountId> for MedchainRoles {
	fn has_role(who: &AccountId) -> bool {
		use medchain_primitives::{
			DoctorRegistry, HospitalRegistry, KeyCustodians, PatientRegistry,
		};
		Patients::is_registered(who)
			|| Doctors::is_active(who)
			|| Patients::is_guardian(who)
			|| Consortium::is_admin_anywhere(who)
			|| Consortium::custodian_of(who).is_some()
	}
}

/// The length of a feeless rate-limit window: one minute of blocks.
pub const FEELESS_WINDOW: BlockNumber = MINUTES;

/// The most feeless calls one account may make per window.
pub const MAX_FEELESS_CALLS_PER_WINDOW: u32 = 20;

/// The longest feeless transaction: 8 KiB. The largest valid MedChain call
/// (`records.create_record` with `MaxReadersPerRecord` keys of the longest
/// length, about 5.5 KB signed) fits; a runtime test checks that it does.
pub const MAX_FEELESS_LENGTH: u32 = 8 * 1024;

/// The most weight one account's feeless calls may use per window: 300 ms of
/// execution, a fifth of one block's `Normal` weight, spread over a window of
/// ten blocks. The costliest call a role holder needs, `access.revoke` of a
/// grant with keys on all `MaxRecordsPerPatient` records, declares about
/// 200 ms; a runtime test checks that every call's worst case fits.
pub const MAX_FEELESS_WEIGHT_PER_WINDOW: Weight =
	Weight::from_parts(300 * WEIGHT_REF_TIME_PER_MILLIS, u64::MAX);

/// The share of a block's `Normal` weight that feeless calls may use; the rest
/// stays open to paying calls (the council's, transfers). Break-glass and key
/// releases are `Operational` and use the operational reserve instead.
pub const FEELESS_BLOCK_SHARE: Perbill = Perbill::from_percent(90);

parameter_types! {
	/// `MAX_FEELESS_WEIGHT_PER_WINDOW`.
	pub const MaxFeelessWeightPerWindow: Weight = MAX_FEELESS_WEIGHT_PER_WINDOW;
	/// `FEELESS_BLOCK_SHARE` of the block's `Normal` weight: 1.35 s of execution.
	pub MaxFeelessWeightPerBlock: Weight = FEELESS_BLOCK_SHARE *
		RuntimeBlockWeights::get()
			.get(DispatchClass::Normal)
			.max_total
			.unwrap_or(RuntimeBlockWeights::get().max_block);
}

impl pallet_feeless::Config for Runtime {
	type Window = ConstU32<FEELESS_WINDOW>;
	type MaxCallsPerWindow = ConstU32<MAX_FEELESS_CALLS_PER_WINDOW>;
	type MaxFeelessLength = ConstU32<MAX_FEELESS_LENGTH>;
	type MaxWeightPerWindow = MaxFeelessWeightPerWindow;
	type MaxFeelessWeightPerBlock = MaxFeelessWeightPerBlock;
	type WeightInfo = pallet_feeless::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = FeelessBenchmark;
}

/// The feeless call benchmarked: by an admin of an active hospital, the role
/// `MedchainRoles` checks last (every other check reads and misses first).
#[cfg(feature = "runtime-benchmarks")]
pub struct FeelessBenchmark;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_feeless::BenchmarkHelper<AccountId, RuntimeCall> for FeelessBenchmark {
	fn feeless_call(who: &AccountId) -> RuntimeCall {
		use medchain_primitives::HospitalRegistry;
		let hospital = Consortium::benchmark_hospital(who.clone());
		RuntimeCall::Consortium(pallet_consortium::Call::invite {
			hospital,
			account: who.clone(),
			role: medchain_primitives::InviteRole::Patient,
		})
	}
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The most hospitals (active or suspended) and so the most validators and
	/// council seats.
	pub const MaxValidators: u32 = 64;
}

/// The hospital council: one seat per active hospital.
pub type CouncilCollective = pallet_collective::Instance1;

/// 2/3 of the council, or root (sudo on a development chain).
pub type CouncilTwoThirdsOrRoot = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

parameter_types! {
	/// Root as the audit trail names it: sudo on a development chain.
	pub const RootActor: Entity<AccountId> = Entity::Root;
	/// The council as the audit trail names it.
	pub const CouncilActor: Entity<AccountId> = Entity::Council;
}

/// [`CouncilTwoThirdsOrRoot`], telling the consortium which of the two acted,
/// so that its audit entries name root or the council.
pub type CouncilTwoThirdsOrRootActor = EitherOf<
	MapSuccess<EnsureRoot<AccountId>, Replace<RootActor>>,
	MapSuccess<
		pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
		Replace<CouncilActor>,
	>,
>;

/// Accounts that have registered session keys.
pub struct HasSessionKeys;
impl Contains<AccountId> for HasSessionKeys {
	fn contains(who: &AccountId) -> bool {
		pallet_session::NextKeys::<Runtime>::contains_key(who)
	}
}

impl pallet_consortium::Config for Runtime {
	type GovernanceOrigin = CouncilTwoThirdsOrRootActor;
	type CouncilMembers = Council;
	type SessionKeysSet = HasSessionKeys;
	type MaxHospitals = MaxValidators;
	type MaxAdmins = ConstU32<16>;
	type MaxNameLength = ConstU32<128>;
	type MinActiveHospitals = ConstU32<1>;
	type MaxInvitesPerHospital = ConstU32<1_000>;
	type InviteLifetime = ConstU32<{ 7 * DAYS }>;
	type Audit = Audit;
	type Roles = MedchainRoles;
	type Nodes = ConsortiumNodes;
	type OnSuspended = Access;
	type WeightInfo = pallet_consortium::weights::SubstrateWeight<Runtime>;
}

/// The hospitals' nodes are `NodeAuthorization`'s well-known nodes, owned by
/// their hospital's validator account. The consortium decides (council 2/3),
/// so these act with root, which every node-authorization origin accepts.
pub struct ConsortiumNodes;

impl ConsortiumNodes {
	/// The well-known nodes `owner` owns: at most `MaxWellKnownNodes` reads
	/// (the `Owners` map itself is not iterated: anyone may claim entries in it).
	fn owned_by(owner: &AccountId) -> Vec<sp_core::OpaquePeerId> {
		pallet_node_authorization::WellKnownNodes::<Runtime>::get()
			.into_iter()
			.filter(|node| {
				pallet_node_authorization::Owners::<Runtime>::get(node).as_ref() == Some(owner)
			})
			.collect()
	}
}

impl medchain_primitives::HospitalNodes<AccountId> for ConsortiumNodes {
	fn authorize(node: Vec<u8>, owner: &AccountId) -> sp_runtime::DispatchResult {
		NodeAuthorization::add_well_known_node(
			RuntimeOrigin::root(),
			sp_core::OpaquePeerId(node),
			owner.clone().into(),
		)
	}

	fn remove_all(owner: &AccountId) {
		for node in Self::owned_by(owner) {
			// Cannot fail: the node is well known and its id was accepted when added.
			if NodeAuthorization::remove_well_known_node(RuntimeOrigin::root(), node).is_err() {
				frame_support::defensive!("a well-known node could not be removed");
			}
		}
	}

	fn transfer_all(old: &AccountId, new: &AccountId) {
		for node in Self::owned_by(old) {
			let origin = RuntimeOrigin::signed(old.clone());
			if NodeAuthorization::transfer_node(origin, node, new.clone().into()).is_err() {
				frame_support::defensive!("a well-known node could not change owner");
			}
		}
	}
}

impl pallet_audit::Config for Runtime {
	type Time = Timestamp;
}

/// How long a doctor is active before they may break the glass: seven days (chain time), for
/// the other hospitals and the council to see a new doctor before any escrowed record can be
/// released to them. A chain spec may set another (`access.emergencyProbation`; the
/// development chain sets none).
pub const EMERGENCY_PROBATION_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// How long an approved key recovery waits before the release services act on it: three days
/// (chain time), for the patient or a guardian they named to see it and cancel it. A chain spec
/// may set another (`patients.recoveryDelay`; the development chain's is 12 seconds).
pub const KEY_RECOVERY_DELAY_MS: u64 = 3 * 24 * 60 * 60 * 1000;

impl pallet_patients::Config for Runtime {
	type Hospitals = Consortium;
	type Audit = Audit;
	type Roles = MedchainRoles;
	type Time = Timestamp;
	type MaxGuardians = ConstU32<4>;
	type RecordKeys = Records;
	type Files = Records;
	type MaxKeysPerRemoval = MaxRecordsPerPatient;
	type RecoveryOrigin = CouncilTwoThirdsOrRootActor;
	type DefaultRecoveryDelay = ConstU64<KEY_RECOVERY_DELAY_MS>;
	type WeightInfo = pallet_patients::weights::SubstrateWeight<Runtime>;
}

impl pallet_doctors::Config for Runtime {
	type Hospitals = Consortium;
	type Audit = Audit;
	type Roles = MedchainRoles;
	type Time = Timestamp;
	type OnSuspended = Access;
	type MaxNameLength = ConstU32<64>;
	type MaxSpecialtyLength = ConstU32<64>;
	type WeightInfo = pallet_doctors::weights::SubstrateWeight<Runtime>;
}

/// An hour of chain time, in milliseconds (grant and request times are chain time).
const HOUR_MS: u64 = 3_600_000;

/// The most records a patient has; a revocation removes the grantee's key on every one.
pub type MaxRecordsPerPatient = ConstU32<1_000>;

impl pallet_access::Config for Runtime {
	type Patients = Patients;
	type Doctors = Doctors;
	type Hospitals = Consortium;
	type RecordKeys = Records;
	type Audit = Audit;
	type Roles = MedchainRoles;
	type Time = Timestamp;
	type MaxGrantsPerPatient = ConstU32<64>;
	type MaxPatientsPerGrantee = ConstU32<10_000>;
	type MaxScopeRecords = ConstU32<32>;
	type MaxKeysPerRevoke = MaxRecordsPerPatient;
	type MaxKeysPerApproval = ConstU32<32>;
	type RequestLifetime = ConstU64<{ 7 * 24 * HOUR_MS }>;
	type MaxRequestsPerPatient = ConstU32<16>;
	type EmergencyDuration = ConstU64<{ 4 * HOUR_MS }>;
	type EmergencyPeriod = ConstU64<{ 24 * HOUR_MS }>;
	type MaxEmergenciesPerPeriod = ConstU32<5>;
	// One hospital's doctors together, however many it makes (trust review, attack 3).
	type MaxEmergenciesPerHospital = ConstU32<20>;
	type DefaultEmergencyProbation = ConstU64<{ EMERGENCY_PROBATION_MS }>;
	type MaxSweepStepsPerBlock = ConstU32<64>;
	type WeightInfo = pallet_access::weights::SubstrateWeight<Runtime>;
}

/// How many hospitals' key-release services must release their shares before a
/// doctor who broke the glass can open a record (docs/emergency-access.md): two,
/// so that no single hospital, its admins or its node can open anything.
pub const EMERGENCY_THRESHOLD: u32 = 2;

parameter_types! {
	pub const EmergencyThreshold: u32 = EMERGENCY_THRESHOLD;
}

impl pallet_records::Config for Runtime {
	type Patients = Patients;
	type Doctors = Doctors;
	type Access = Access;
	type Audit = Audit;
	type Roles = MedchainRoles;
	type Time = Timestamp;
	type MaxRecordsPerPatient = MaxRecordsPerPatient;
	type RecordsReservedForPatient = ConstU32<100>;
	type MaxReadersPerRecord = ConstU32<32>;
	type MaxVersions = ConstU32<64>;
	type MaxKeysPerCall = ConstU32<32>;
	type Custodians = Consortium;
	type EmergencyThreshold = EmergencyThreshold;
	type MaxCustodians = ConstU32<16>;
	type MaxReleasesPerRecord = ConstU32<8>;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const CouncilMotionDuration: BlockNumber = 3 * DAYS;
	pub MaxCouncilProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = MaxValidators;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	// Members follow the consortium; nobody sets them by hand.
	type SetMembersOrigin = EnsureNever<()>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = CouncilTwoThirdsOrRoot;
	type KillOrigin = CouncilTwoThirdsOrRoot;
	type Consideration = ();
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<ConstU32<SESSION_PERIOD>, ConstU32<0>>;
	type NextSessionRotation =
		pallet_session::PeriodicSessions<ConstU32<SESSION_PERIOD>, ConstU32<0>>;
	type SessionManager = Consortium;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = ConstU128<0>;
}

impl pallet_node_authorization::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type MaxWellKnownNodes = MaxValidators;
	type MaxPeerIdLength = ConstU32<128>;
	type AddOrigin = CouncilTwoThirdsOrRoot;
	type RemoveOrigin = CouncilTwoThirdsOrRoot;
	type SwapOrigin = CouncilTwoThirdsOrRoot;
	type ResetOrigin = CouncilTwoThirdsOrRoot;
	type WeightInfo = ();
}
