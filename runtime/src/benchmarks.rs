//! The pallets whose benchmarks `medchain-node benchmark pallet` runs.

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_consortium, Consortium]
	[pallet_patients, Patients]
	[pallet_doctors, Doctors]
	[pallet_access, Access]
	[pallet_records, Records]
	[pallet_feeless, Feeless]
);
