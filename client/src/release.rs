//! Threshold break-glass, off chain: which hospitals hold shares of escrowed data keys,
//! what the chain holds for a record, and the key-release service each hospital runs
//! beside its node (docs/emergency-access.md).
//!
//! The service follows the finalized chain. When a doctor breaks the glass for a patient
//! (`Access::EmergencyAccessOpened`), a patient's key recovery is approved
//! (`Patients::RecoveryApproved`), or a patient in either escrows another record
//! (`Records::KeyEscrowed`), it checks the release as the chain will (an active doctor in a
//! live emergency whose review is still open, or the holder of the approved recovery),
//! opens its hospital's share of each escrowed record of the patient with the hospital's
//! key-release key, re-wraps it to the reader's encryption key, and submits the shares in
//! `records.release_shares`.
//! What it still has to do is kept in a state file, so a service that was down catches up
//! when it starts again: a stopped service only delays its share, and any `t` of the
//! custodians suffice.

use crate::{
	chain::{Chain, ChainError, Wait},
	commands::storage_key,
	crypto::{self, CryptoError},
	keys::{self, Identity},
};
use codec::Encode;
use frame_support::StorageHasher;
use medchain_primitives::{EmergencyStatus, HospitalId, RecordId, WrappedKey};
use medchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use serde::{Deserialize, Serialize};
use sp_core::H256;
use sp_runtime::AccountId32;
use std::path::{Path, PathBuf};

/// A record's escrow as the chain stores it.
pub type Escrow = pallet_records::EscrowOf<Runtime>;
/// The shares released to one reader as the chain stores them.
pub type Released = pallet_records::ReleaseOf<Runtime>;

/// How far back a service without a state file starts reading: an emergency lasts
/// four hours of chain time, 2,400 blocks of six seconds.
pub const LOOKBACK_BLOCKS: u64 = 2_400;

/// The most released shares one `release_shares` call carries (the runtime's
/// `MaxKeysPerCall`).
const SHARES_PER_CALL: usize = 32;

/// The active hospitals with a key-release key at block `at` (the best block if `None`), by
/// id, at most `MaxCustodians` of them: the custodians a patient's client splits a data key
/// among.
pub fn custodians(
	chain: &Chain,
	at: Option<H256>,
) -> Result<Vec<(HospitalId, [u8; 32])>, ChainError> {
	let prefix = storage_key("Consortium", "ReleaseKeyOf", &[]);
	let mut out = Vec::new();
	for key in chain.keys_at(&prefix, at)? {
		// Twox64Concat: 8 bytes of hash, then the SCALE-encoded id.
		let Some(id) = key
			.get(prefix.len() + 8..)
			.and_then(|b| <[u8; 4]>::try_from(b).ok())
			.map(u32::from_le_bytes)
		else {
			continue;
		};
		let Some((release_key, _)) = chain.storage::<([u8; 32], AccountId32)>(&key, at)? else {
			continue;
		};
		if chain.hospital(id, at)?.is_some_and(|h| h.status == "Active") {
			out.push((id, release_key));
		}
	}
	out.sort_by_key(|(id, _)| *id);
	out.truncate(
		<<Runtime as pallet_records::Config>::MaxCustodians as sp_core::Get<u32>>::get() as usize
	);
	Ok(out)
}

/// The hospital whose key-release service signs as `service`, if that hospital is active.
pub fn custodian_of(chain: &Chain, service: &[u8; 32]) -> Result<Option<HospitalId>, ChainError> {
	let key = storage_key("Consortium", "ReleaseServiceOf", &[&blake2_concat(service)]);
	let Some(id) = chain.storage::<HospitalId>(&key, None)? else { return Ok(None) };
	Ok(chain.hospital(id, None)?.filter(|h| h.status == "Active").map(|_| id))
}

/// The escrow of `record`'s data key, if it is available in an emergency.
pub fn escrow(chain: &Chain, record: RecordId) -> Result<Option<Escrow>, ChainError> {
	let key =
		storage_key("Records", "Escrows", &[&frame_support::Twox64Concat::hash(&record.encode())]);
	chain.storage(&key, None)
}

/// The shares of `record`'s key released to `reader`.
pub fn released(
	chain: &Chain,
	record: RecordId,
	reader: &[u8; 32],
) -> Result<Option<Released>, ChainError> {
	let key = storage_key(
		"Records",
		"Releases",
		&[&frame_support::Twox64Concat::hash(&record.encode()), &blake2_concat(reader)],
	);
	chain.storage(&key, None)
}

/// Where `doctor`'s break-glass access to `patient` stands at the best block, read as the
/// runtime reads it (`AccessPolicy::emergency_status`).
pub fn emergency_status(
	chain: &Chain,
	patient: &[u8; 32],
	doctor: &[u8; 32],
) -> Result<EmergencyStatus, ChainError> {
	let at = Some(chain.best_hash()?);
	let pair = [blake2_concat(patient), blake2_concat(doctor)];
	let grant_key = storage_key("Access", "GrantOf", &[&pair[0], &pair[1]]);
	let Some(grant) = chain.storage::<pallet_access::GrantInfo<Runtime>>(&grant_key, at)? else {
		return Ok(EmergencyStatus::None);
	};
	if grant.purpose != pallet_access::Purpose::Emergency {
		return Ok(EmergencyStatus::None);
	}
	if grant.is_expired(chain.now(at)?) {
		return Ok(EmergencyStatus::Expired);
	}
	let open_key = storage_key("Access", "OpenEmergencies", &[&pair[0], &pair[1]]);
	Ok(if chain.storage::<(HospitalId, u64)>(&open_key, at)?.is_some() {
		EmergencyStatus::Live
	} else {
		EmergencyStatus::Reviewed
	})
}

/// The account an approved key recovery of `patient` releases to, once in effect or still
/// pending.
pub fn recovery_holder(chain: &Chain, patient: &[u8; 32]) -> Result<Option<[u8; 32]>, ChainError> {
	Ok(chain.recovery(&AccountId32::from(*patient), None)?.map(|r| r.holder.into()))
}

/// The doctors with an emergency under review for `patient`.
fn open_emergencies_of(chain: &Chain, patient: &[u8; 32]) -> Result<Vec<[u8; 32]>, ChainError> {
	let prefix = storage_key("Access", "OpenEmergencies", &[&blake2_concat(patient)]);
	Ok(chain
		.keys(&prefix)?
		.into_iter()
		.filter_map(|key| key.get(key.len() - 32..).and_then(|a| <[u8; 32]>::try_from(a).ok()))
		.collect())
}

fn blake2_concat(account: &[u8; 32]) -> Vec<u8> {
	frame_support::Blake2_128Concat::hash(&AccountId32::from(*account).encode())
}

/// What the associated data of a share wrapped to `hospital` is.
pub fn hospital_aad(hospital: HospitalId) -> [u8; 4] {
	hospital.to_le_bytes()
}

/// The emergency key-release service of one hospital.
pub struct ReleaseService<'a> {
	pub chain: &'a Chain,
	/// The service's account: it signs the releases, and its encryption key pair is the
	/// hospital's key-release key.
	pub me: &'a Identity,
	pub state_path: PathBuf,
	pub state: ServiceState,
	/// What each release waits for.
	pub wait: Wait,
}

/// What the service has read and still has to do; saved after every step.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceState {
	/// The last finalized block read.
	pub block: u64,
	/// Emergencies seen and not yet served.
	pub pending: Vec<Emergency>,
	/// Shares released so far.
	pub released: u64,
	/// What was not released, and why (the latest 100).
	pub refused: Vec<Refusal>,
}

/// A release the service owes: to a doctor who broke the glass for a patient, or to the
/// holder of a patient's approved key recovery.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Emergency {
	pub patient: String,
	/// The reader: the doctor, or the recovery's holder.
	pub doctor: String,
	/// The block it was seen in.
	pub block: u64,
	/// A key recovery rather than a break-glass.
	#[serde(default)]
	pub recovery: bool,
}

/// A release the service did not make.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
	pub patient: String,
	pub doctor: String,
	pub record: Option<RecordId>,
	pub reason: String,
}

impl ServiceState {
	/// The state in `path`, or a fresh one if there is no such file.
	pub fn load(path: &Path) -> std::io::Result<Self> {
		crate::files::load_state(path, "a release service's state")
	}

	/// Write the state to `path` atomically.
	pub fn save(&self, path: &Path) -> std::io::Result<()> {
		crate::files::save_state(path, self)
	}

	fn queue(&mut self, patient: String, doctor: String, block: u64, recovery: bool) {
		if !self
			.pending
			.iter()
			.any(|e| e.patient == patient && e.doctor == doctor && e.recovery == recovery)
		{
			self.pending.push(Emergency { patient, doctor, block, recovery });
		}
	}

	fn refuse(&mut self, emergency: &Emergency, record: Option<RecordId>, reason: String) {
		eprintln!(
			"not released to {} (patient {}{}): {reason}",
			emergency.doctor,
			emergency.patient,
			record.map(|r| format!(", record {r}")).unwrap_or_default()
		);
		self.refused.push(Refusal {
			patient: emergency.patient.clone(),
			doctor: emergency.doctor.clone(),
			record,
			reason,
		});
		let excess = self.refused.len().saturating_sub(100);
		self.refused.drain(..excess);
	}
}

/// Why the service could not go on now; it tries again at its next look.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
	#[error("{0}")]
	Chain(#[from] ChainError),
	#[error("cannot keep the service's state: {0}")]
	Io(#[from] std::io::Error),
	#[error(
		"{0} is not the key-release service of an active hospital: a hospital admin registers \
		 it with `medchain admin set-release-key <hospital> {0} --key <its release key>`"
	)]
	NotACustodian(String),
}

/// What serving one emergency came to.
enum Served {
	/// Done: released this many shares (maybe none), or refused for good.
	Done(u64),
	/// Try again later.
	Later,
}

impl<'a> ReleaseService<'a> {
	pub fn new(
		chain: &'a Chain,
		me: &'a Identity,
		state_path: PathBuf,
		wait: Wait,
	) -> std::io::Result<Self> {
		let state = ServiceState::load(&state_path)?;
		Ok(Self { chain, me, state_path, state, wait })
	}

	/// The hospital this service releases for.
	pub fn hospital(&self) -> Result<HospitalId, ServiceError> {
		custodian_of(self.chain, &self.me.account())?
			.ok_or_else(|| ServiceError::NotACustodian(self.me.address()))
	}

	/// Read every finalized block not read yet and queue the emergencies in it. Returns how
	/// many blocks were read.
	pub fn read_blocks(&mut self) -> Result<u64, ServiceError> {
		let finalized = self.chain.finalized_number()?;
		if self.state.block == 0 {
			self.state.block = finalized.saturating_sub(LOOKBACK_BLOCKS);
		}
		let mut read = 0;
		while self.state.block < finalized {
			let number = self.state.block + 1;
			let hash = self.chain.block_hash(number)?;
			self.read_block(hash, number)?;
			self.state.block = number;
			self.state.save(&self.state_path)?;
			read += 1;
		}
		Ok(read)
	}

	fn read_block(&mut self, hash: H256, number: u64) -> Result<(), ServiceError> {
		for event in self.chain.events(hash)? {
			match event.event {
				RuntimeEvent::Access(pallet_access::Event::EmergencyAccessOpened {
					patient,
					doctor,
					..
				}) => self.state.queue(
					keys::address_of(patient.as_ref()),
					keys::address_of(doctor.as_ref()),
					number,
					false,
				),
				RuntimeEvent::Patients(pallet_patients::Event::RecoveryApproved {
					patient,
					holder,
					..
				}) => self.state.queue(
					keys::address_of(patient.as_ref()),
					keys::address_of(holder.as_ref()),
					number,
					true,
				),
				RuntimeEvent::Records(pallet_records::Event::KeyEscrowed { record, .. }) => {
					// A record escrowed during an open emergency or recovery is released too.
					let Some(view) = self.chain.record(record, Some(hash))? else { continue };
					let patient = crate::commands::patient_bytes(&view);
					let address = keys::address_of(&patient);
					for doctor in open_emergencies_of(self.chain, &patient)? {
						self.state.queue(address.clone(), keys::address_of(&doctor), number, false);
					}
					if let Some(holder) = recovery_holder(self.chain, &patient)? {
						self.state.queue(address, keys::address_of(&holder), number, true);
					}
				}
				_ => {}
			}
		}
		Ok(())
	}

	/// Serve every queued emergency. Returns how many shares were released.
	pub fn work(&mut self) -> Result<u64, ServiceError> {
		if self.state.pending.is_empty() {
			return Ok(0);
		}
		let hospital = self.hospital()?;
		let mut released = 0;
		let pending = std::mem::take(&mut self.state.pending);
		for emergency in pending {
			match self.serve(hospital, &emergency) {
				Ok(Served::Done(n)) => released += n,
				Ok(Served::Later) => self.state.pending.push(emergency),
				Err(e) => {
					eprintln!("cannot serve the emergency of {} now: {e}", emergency.doctor);
					self.state.pending.push(emergency);
				}
			}
			self.state.save(&self.state_path)?;
		}
		Ok(released)
	}

	fn serve(
		&mut self,
		hospital: HospitalId,
		emergency: &Emergency,
	) -> Result<Served, ServiceError> {
		let (Some(patient), Some(doctor)) =
			(keys::parse_account(&emergency.patient), keys::parse_account(&emergency.doctor))
		else {
			self.state.refuse(emergency, None, "not an account address".into());
			return Ok(Served::Done(0));
		};
		// The chain refuses what these checks refuse; checking first keeps refused
		// transactions (and their audit noise) out of the blocks.
		let doctor_key = if emergency.recovery {
			let at = Some(self.chain.best_hash()?);
			let recovery = self.chain.recovery(&AccountId32::from(patient), at)?;
			let Some(recovery) = recovery.filter(|r| <[u8; 32]>::from(r.holder.clone()) == doctor)
			else {
				let why = "the key recovery is no longer approved for this account";
				self.state.refuse(emergency, None, format!("{why}: nothing released"));
				return Ok(Served::Done(0));
			};
			// Nothing until the delay has passed: the patient, or a guardian they named, may
			// still cancel it.
			if !recovery.is_effective(self.chain.now(at)?) {
				return Ok(Served::Later);
			}
			let holder = self.chain.patient(&AccountId32::from(doctor), None)?;
			let Some(holder) = holder else {
				let why = "the recovery's holder is not a registered patient";
				self.state.refuse(emergency, None, format!("{why}: nothing released"));
				return Ok(Served::Done(0));
			};
			holder.encryption_key.0
		} else {
			match emergency_status(self.chain, &patient, &doctor)? {
				EmergencyStatus::Live => {}
				status => {
					let why = match status {
						EmergencyStatus::Expired => "the emergency grant has expired",
						EmergencyStatus::Reviewed => "the emergency's review is closed",
						_ => "there is no emergency grant of this patient",
					};
					self.state.refuse(emergency, None, format!("{why}: nothing released"));
					return Ok(Served::Done(0));
				}
			}
			let doctor_view = self.chain.doctor(&AccountId32::from(doctor), None)?;
			let Some(doctor_view) = doctor_view.filter(|d| d.status == "Active") else {
				let why = "the doctor is not active: nothing released";
				self.state.refuse(emergency, None, why.into());
				return Ok(Served::Done(0));
			};
			doctor_view.encryption_key.0
		};
		let mut shares: Vec<(RecordId, WrappedKey)> = Vec::new();
		for record in self.chain.records_of(&AccountId32::from(patient))? {
			let Some(escrow) = escrow(self.chain, record.id)? else { continue };
			let Some((_, mine)) = escrow.shares.iter().find(|(h, _)| *h == hospital) else {
				continue;
			};
			if released(self.chain, record.id, &doctor)?
				.is_some_and(|r| r.shares.iter().any(|(h, _)| *h == hospital))
			{
				continue;
			}
			let Ok(origin) = crate::commands::origin_cid(&record) else { continue };
			match self.rewrap(hospital, &patient, &origin, escrow.epoch, mine, &doctor, &doctor_key)
			{
				Ok(wrapped) => shares.push((record.id, wrapped)),
				Err(e) => self.state.refuse(
					emergency,
					Some(record.id),
					format!("this hospital's share does not open with the service's key: {e}"),
				),
			}
		}
		let mut count = 0;
		for chunk in shares.chunks(SHARES_PER_CALL) {
			let call = RuntimeCall::Records(pallet_records::Call::release_shares {
				reader: AccountId32::from(doctor),
				shares: chunk.to_vec().try_into().expect("at most MaxKeysPerCall shares"),
			});
			match self.chain.submit(self.me, call, self.wait) {
				Ok(included) => {
					count += chunk.len() as u64;
					self.state.released += chunk.len() as u64;
					eprintln!(
						"released hospital {hospital}'s shares of {} records of {} to {} in block \
						 #{}",
						chunk.len(),
						emergency.patient,
						emergency.doctor,
						included.block_number
					);
				}
				Err(ChainError::Failed { pallet, error, meaning }) => {
					self.state.refuse(emergency, None, format!("{meaning} [{pallet}.{error}]"));
					return Ok(Served::Done(count));
				}
				Err(e) => {
					eprintln!("cannot release now, will try again: {e}");
					return Ok(Served::Later);
				}
			}
		}
		Ok(Served::Done(count))
	}

	#[allow(clippy::too_many_arguments)]
	fn rewrap(
		&self,
		hospital: HospitalId,
		patient: &[u8; 32],
		origin: &str,
		epoch: u32,
		mine: &[u8],
		doctor: &[u8; 32],
		doctor_key: &[u8; 32],
	) -> Result<WrappedKey, CryptoError> {
		let info = crypto::share_info(patient, origin, epoch, hospital);
		let share = self.me.encryption.unwrap_share(mine, &info, &hospital_aad(hospital))?;
		let to_doctor = crypto::release_info(patient, origin, epoch, hospital);
		let wrapped = crypto::wrap_share(&share, doctor_key, &to_doctor, doctor)?;
		wrapped.try_into().map_err(|_| CryptoError::Sharing("a wrapped share is too long".into()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_state_queues_each_emergency_once_keeps_the_latest_refusals_and_survives_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("release.json");
		let mut state = ServiceState::load(&path).unwrap();
		assert_eq!(state, ServiceState::default());
		state.queue("p".into(), "d".into(), 7, false);
		state.queue("p".into(), "d".into(), 9, false);
		state.queue("p".into(), "e".into(), 9, false);
		state.queue("p".into(), "e".into(), 9, true);
		assert_eq!(state.pending.len(), 3);
		assert_eq!(state.pending[0].block, 7);
		let emergency = state.pending[0].clone();
		for i in 0..105 {
			state.refuse(&emergency, Some(i), format!("reason {i}"));
		}
		assert_eq!(state.refused.len(), 100);
		assert_eq!(state.refused[0].record, Some(5));
		state.block = 42;
		state.save(&path).unwrap();
		assert_eq!(ServiceState::load(&path).unwrap(), state);
		std::fs::write(&path, b"not json").unwrap();
		let err = ServiceState::load(&path).unwrap_err().to_string();
		assert!(err.contains("is not a release service's state"), "{err}");
	}
}
