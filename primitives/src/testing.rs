//! In-memory stand-ins for the registry traits, for the pallets' unit tests.
//! Accounts are `u64`, as in FRAME's test runtimes. State is per thread, so
//! each test (one thread each) starts from what it sets.

use crate::{HospitalId, HospitalRegistry, InviteRole};
use std::{cell::RefCell, collections::BTreeMap};

thread_local! {
	static HOSPITALS: RefCell<BTreeMap<HospitalId, (bool, Vec<u64>)>> = const { RefCell::new(BTreeMap::new()) };
	static INVITES: RefCell<BTreeMap<u64, (InviteRole, HospitalId)>> = const { RefCell::new(BTreeMap::new()) };
}

/// Hospitals a test declares: id, active or not, admins.
pub struct MockHospitals;

impl MockHospitals {
	/// Forget every hospital.
	pub fn reset() {
		HOSPITALS.with(|h| h.borrow_mut().clear());
		INVITES.with(|i| i.borrow_mut().clear());
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

	/// Invite `who` as `role` to `hospital` (the mock's invitations never expire).
	pub fn invite(who: u64, role: InviteRole, hospital: HospitalId) {
		INVITES.with(|i| i.borrow_mut().insert(who, (role, hospital)));
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

	fn is_admin_anywhere(who: &u64) -> bool {
		HOSPITALS
			.with(|h| h.borrow().values().any(|(active, admins)| *active && admins.contains(who)))
	}

	fn is_invited(who: &u64, role: InviteRole, hospital: Option<HospitalId>) -> bool {
		INVITES.with(|i| {
			i.borrow()
				.get(who)
				.is_some_and(|(r, h)| *r == role && hospital.is_none_or(|wanted| wanted == *h))
		})
	}

	fn take_invitation(
		who: &u64,
		role: InviteRole,
		hospital: Option<HospitalId>,
	) -> Result<Option<HospitalId>, sp_runtime::DispatchError> {
		Ok(if Self::is_invited(who, role, hospital) {
			INVITES.with(|i| i.borrow_mut().remove(who)).map(|(_, hospital)| hospital)
		} else {
			None
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(admin: u64) -> HospitalId {
		let id = HOSPITALS.with(|h| h.borrow().keys().next_back().map_or(0, |last| last + 1));
		Self::add(id, &[admin]);
		id
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_invite(who: &u64, role: InviteRole) -> HospitalId {
		let hospital = Self::benchmark_hospital(u64::MAX);
		Self::invite(*who, role, hospital);
		hospital
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_suspend(hospital: HospitalId) {
		Self::set_active(hospital, false);
	}
}

thread_local! {
	static PATIENTS: RefCell<BTreeMap<u64, Vec<u64>>> = const { RefCell::new(BTreeMap::new()) };
	static DOCTORS: RefCell<BTreeMap<u64, (HospitalId, bool)>> = const { RefCell::new(BTreeMap::new()) };
	static RECOVERIES: RefCell<BTreeMap<u64, u64>> = const { RefCell::new(BTreeMap::new()) };
	static ACTIVE_SINCE: RefCell<BTreeMap<u64, crate::Moment>> = const { RefCell::new(BTreeMap::new()) };
}

/// Every active hospital of [`MockHospitals`] is a custodian: hospital `h`'s
/// key-release service signs as account `100 + h` and its key-release key is
/// `[100 + h; 32]`.
impl crate::KeyCustodians<u64> for MockHospitals {
	fn custodian_of(service: &u64) -> Option<HospitalId> {
		let hospital = HospitalId::try_from(service.checked_sub(100)?).ok()?;
		(hospital < 100 && Self::is_active(hospital)).then_some(hospital)
	}

	fn release_key(hospital: HospitalId) -> Option<crate::EncryptionKey> {
		(hospital < 100 && Self::is_active(hospital)).then(|| [100 + hospital as u8; 32])
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_custodian(seed: u32) -> (HospitalId, u64) {
		let hospital = 50 + seed;
		Self::add(hospital, &[]);
		(hospital, 100 + u64::from(hospital))
	}
}

/// Patients a test declares, with their guardians. Every patient's
/// encryption key is `[patient as u8; 32]`.
pub struct MockPatients;

impl MockPatients {
	/// Forget every patient.
	pub fn reset() {
		PATIENTS.with(|p| p.borrow_mut().clear());
		RECOVERIES.with(|r| r.borrow_mut().clear());
	}

	/// Declare a patient with these guardians.
	pub fn add(patient: u64, guardians: &[u64]) {
		PATIENTS.with(|p| p.borrow_mut().insert(patient, guardians.to_vec()));
	}

	/// Record an approved recovery of `patient`'s keys to `holder` (or none).
	pub fn set_recovery(patient: u64, holder: Option<u64>) {
		RECOVERIES.with(|r| match holder {
			Some(holder) => r.borrow_mut().insert(patient, holder),
			None => r.borrow_mut().remove(&patient),
		});
	}
}

impl crate::PatientRegistry<u64> for MockPatients {
	fn is_registered(who: &u64) -> bool {
		PATIENTS.with(|p| p.borrow().contains_key(who))
	}

	fn encryption_key(who: &u64) -> Option<crate::EncryptionKey> {
		Self::is_registered(who).then_some([*who as u8; 32])
	}

	fn is_guardian(who: &u64) -> bool {
		PATIENTS.with(|p| p.borrow().values().any(|guardians| guardians.contains(who)))
	}

	fn recovery_holder(patient: &u64) -> Option<u64> {
		RECOVERIES.with(|r| r.borrow().get(patient).copied())
	}

	fn may_act_for(actor: &u64, patient: &u64) -> bool {
		PATIENTS.with(|p| {
			p.borrow()
				.get(patient)
				.is_some_and(|guardians| actor == patient || guardians.contains(actor))
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_patient(who: &u64) {
		Self::add(*who, &[]);
	}
}

/// Doctors a test declares: hospital, active or not. Every doctor's
/// encryption key is `[doctor as u8; 32]`.
pub struct MockDoctors;

impl MockDoctors {
	/// Forget every doctor.
	pub fn reset() {
		DOCTORS.with(|d| d.borrow_mut().clear());
		ACTIVE_SINCE.with(|a| a.borrow_mut().clear());
	}

	/// Declare an active doctor of `hospital`.
	pub fn add(doctor: u64, hospital: HospitalId) {
		DOCTORS.with(|d| d.borrow_mut().insert(doctor, (hospital, true)));
	}

	/// Invite `who` as `role` to `hospital` (the mock's invitations never expire).
	pub fn invite(who: u64, role: InviteRole, hospital: HospitalId) {
		INVITES.with(|i| i.borrow_mut().insert(who, (role, hospital)));
	}

	/// Record that `doctor` became active at chain time `at` (every declared doctor is
	/// active since time 0 otherwise).
	pub fn set_active_since(doctor: u64, at: crate::Moment) {
		ACTIVE_SINCE.with(|a| a.borrow_mut().insert(doctor, at));
	}

	/// Suspend (`false`) or reinstate (`true`) a declared doctor.
	pub fn set_active(doctor: u64, active: bool) {
		DOCTORS.with(|d| {
			if let Some(entry) = d.borrow_mut().get_mut(&doctor) {
				entry.1 = active;
			}
		});
	}
}

impl crate::DoctorRegistry<u64> for MockDoctors {
	fn is_active(who: &u64) -> bool {
		DOCTORS.with(|d| d.borrow().get(who).is_some_and(|(_, active)| *active))
	}

	fn hospital_of(who: &u64) -> Option<HospitalId> {
		DOCTORS.with(|d| d.borrow().get(who).map(|(hospital, _)| *hospital))
	}

	fn encryption_key(who: &u64) -> Option<crate::EncryptionKey> {
		Self::hospital_of(who).map(|_| [*who as u8; 32])
	}

	fn active_since(who: &u64) -> Option<crate::Moment> {
		Self::hospital_of(who)
			.map(|_| ACTIVE_SINCE.with(|a| a.borrow().get(who).copied().unwrap_or(0)))
	}

	/// Suspended by [`MockDoctors::set_active`], or at a hospital that
	/// [`MockHospitals`] has suspended.
	fn is_suspended(who: &u64) -> bool {
		DOCTORS.with(|d| {
			d.borrow()
				.get(who)
				.is_some_and(|(hospital, active)| !*active || !MockHospitals::is_active(*hospital))
		})
	}

	fn doctors_of(hospital: HospitalId, after: Option<&u64>, limit: u32) -> alloc::vec::Vec<u64> {
		DOCTORS.with(|d| {
			d.borrow()
				.iter()
				.filter(|(doctor, (h, _))| *h == hospital && after.is_none_or(|a| *doctor > a))
				.map(|(doctor, _)| *doctor)
				.take(limit as usize)
				.collect()
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_doctor(who: &u64, admin: &u64) -> HospitalId {
		const BENCHMARK_HOSPITAL: HospitalId = 100;
		MockHospitals::add(BENCHMARK_HOSPITAL, &[*admin]);
		Self::add(*who, BENCHMARK_HOSPITAL);
		BENCHMARK_HOSPITAL
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_suspend(who: &u64) {
		Self::set_active(*who, false);
	}
}

thread_local! {
	static FILES: RefCell<BTreeMap<crate::FileKey, (u64, u32)>> = const { RefCell::new(BTreeMap::new()) };
}

/// Files' claims in memory, as `pallet-records` keeps them on chain.
pub struct MockFiles;

impl MockFiles {
	/// Forget every claim.
	pub fn reset() {
		FILES.with(|f| f.borrow_mut().clear());
	}

	/// Who uses the file `cid` names, and how many times.
	pub fn claim_of(cid: &crate::Cid) -> Option<(u64, u32)> {
		let key = crate::file_key(cid)?;
		FILES.with(|f| f.borrow().get(&key).copied())
	}
}

impl crate::FileClaims<u64> for MockFiles {
	fn claim(patient: &u64, cid: &crate::Cid) -> Result<(), crate::FileClaimed> {
		let key = crate::file_key(cid).ok_or(crate::FileClaimed)?;
		FILES.with(|f| {
			let mut files = f.borrow_mut();
			let entry = files.entry(key).or_insert((*patient, 0));
			if entry.0 != *patient {
				return Err(crate::FileClaimed);
			}
			entry.1 += 1;
			Ok(())
		})
	}

	fn release(patient: &u64, cid: &crate::Cid) {
		let Some(key) = crate::file_key(cid) else { return };
		FILES.with(|f| {
			let mut files = f.borrow_mut();
			if let Some(entry) = files.get_mut(&key).filter(|e| e.0 == *patient) {
				entry.1 -= 1;
				if entry.1 == 0 {
					files.remove(&key);
				}
			}
		})
	}

	fn claimant(cid: &crate::Cid) -> Option<u64> {
		Self::claim_of(cid).map(|(patient, _)| patient)
	}
}

/// The CIDv1 text (base32) of the CID `text`: `bafybei…` for a `Qm…`.
pub fn v1_of(text: &[u8]) -> crate::Cid {
	let cid = ::cid::Cid::try_from(core::str::from_utf8(text).expect("text")).expect("a CID");
	let v1 = cid.into_v1().expect("a v0 CID has a v1 form").to_string();
	crate::canonical_cid(v1.as_bytes()).expect("canonical")
}

/// A distinct valid CID for each `n`: CIDv1 of a raw block whose SHA-256
/// digest field holds `n` (of no real content), in its canonical text. For
/// tests that need many different files.
pub fn numbered_cid(n: u64) -> crate::Cid {
	let mut digest = [0u8; 32];
	digest[..8].copy_from_slice(&n.to_be_bytes());
	let hash = ::cid::multihash::Multihash::<64>::wrap(0x12, &digest).expect("32 bytes fit");
	let text = ::cid::Cid::new_v1(0x55, hash).to_string();
	crate::canonical_cid(text.as_bytes()).expect("a CIDv1 of a SHA-256 digest is canonical")
}
