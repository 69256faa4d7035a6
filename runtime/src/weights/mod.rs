//! Weights of the transaction extensions every transaction pays, measured on
//! this runtime by `scripts/benchmark.sh` (docs/performance.md). MedChain's
//! own pallets keep theirs in their crates.

pub mod frame_system_extensions;
pub mod pallet_transaction_payment;
