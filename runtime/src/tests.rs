//! Facts about the runtime that docs quote.

use crate::Runtime;
use codec::MaxEncodedLen;

/// docs/audit.md: the largest audit entry and what each entry adds to state.
#[test]
fn audit_entry_sizes_are_as_documented() {
	assert_eq!(pallet_audit::AuditEntryOf::<Runtime>::max_encoded_len(), 159);
	assert_eq!(pallet_audit::EntityOf::<Runtime>::max_encoded_len(), 33);
	assert_eq!(medchain_primitives::AuditAction::<crate::AccountId>::max_encoded_len(), 41);
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
