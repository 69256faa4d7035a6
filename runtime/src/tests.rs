//! Facts about the runtime that docs quote.

use crate::Runtime;
use codec::MaxEncodedLen;

/// docs/audit.md: the largest audit entry and what each entry adds to state.
#[test]
fn audit_entry_sizes_are_as_documented() {
	assert_eq!(pallet_audit::AuditEntryOf::<Runtime>::max_encoded_len(), 155);
	assert_eq!(pallet_audit::EntityOf::<Runtime>::max_encoded_len(), 33);
	assert_eq!(medchain_primitives::AuditAction::<crate::AccountId>::max_encoded_len(), 37);
}
