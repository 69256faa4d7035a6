//! In-memory stand-ins for the registry traits, for the pallets' unit tests.
//! Accounts are `u64`, as in FRAME's test runtimes. State is per thread, so
//! each test (one thread each) starts from what it sets.

use crate::{HospitalId, HospitalRegistry};
use std::{cell::RefCell, collections::BTreeMap};

thread_local! {
	static HOSPITALS: RefCell<BTreeMap<HospitalId, (bool, Vec<u64>)>> = RefCell::new(BTreeMap::new());
}

/// Hospitals a test declares: id, active or not, admins.
pub struct MockHospitals;

impl MockHospitals {
	/// Forget every hospital.
	pub fn reset() {
		HOSPITALS.with(|h| h.borrow_mut().clear());
	}

	/// The hospitals the pallets' tests use: 0 (admin 1) and 1 (admin 2)
	/// active, 2 (admin 3) suspended.
	pub fn set_up() {
		Self::reset();
		Self::add(0, &[1]);
		Self::add(1, &[2]);
		Self::add(2, &[3]);
		Self::set_active(2, false);
	}

	/// Declare an active hospital with these admins.
	pub fn add(id: HospitalId, admins: &[u64]) {
		HOSPITALS.with(|h| h.borrow_mut().insert(id, (true, admins.to_vec())));
	}

	/// Suspend (`false`) or reinstate (`true`) a declared hospital.
	pub fn set_active(id: HospitalId, active: bool) {
		HOSPITALS.with(|h| {
			if let Some(entry) = h.borrow_mut().get_mut(&id) {
				entry.0 = active;
			}
		});
	}
}

impl HospitalRegistry<u64> for MockHospitals {
	fn is_active(hospital: HospitalId) -> bool {
		HOSPITALS.with(|h| h.borrow().get(&hospital).is_some_and(|(active, _)| *active))
	}

	fn is_admin(hospital: HospitalId, who: &u64) -> bool {
		HOSPITALS
			.with(|h| h.borrow().get(&hospital).is_some_and(|(_, admins)| admins.contains(who)))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(admin: u64) -> HospitalId {
		let id = HOSPITALS.with(|h| h.borrow().keys().next_back().map_or(0, |last| last + 1));
		Self::add(id, &[admin]);
		id
	}
}
