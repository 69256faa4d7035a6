//! The parameters of the `medchain_*` methods, read the same way by the
//! node and by clients that take them from people (the `medchain` client).

use medchain_primitives::{Entity, MAX_PAGE_SIZE};
use medchain_runtime::AccountId;
use sp_core::crypto::Ss58Codec;

/// A parameter that is not what its method takes, in words that name the
/// parameter and say what to give instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

/// An account: SS58 of any prefix (MedChain's 2403, the generic 42 of `5…`
/// addresses, ...), or 32 bytes of `0x` hex.
pub fn parse_account(param: &str, text: &str) -> Result<AccountId, ParamError> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes = sp_core::bytes::from_hex(hex).ok().filter(|b| b.len() == 32);
		if let Some(bytes) = bytes {
			let raw: [u8; 32] = bytes.try_into().expect("length checked");
			return Ok(raw.into());
		}
	} else if let Ok((account, _prefix)) = AccountId::from_ss58check_with_version(text) {
		// Any prefix names the same key; answers use MedChain's.
		return Ok(account);
	}
	Err(ParamError(format!(
		"`{param}`: {text:?} is not an account: give an SS58 address (MedChain's prefix {} or a \
		 generic Substrate one such as 5GrwvaEF…) or 32 bytes of 0x hex",
		medchain_runtime::SS58_PREFIX
	)))
}

/// An entity: an account, `hospital:<id>`, `root`, `council`, `runtime`, or
/// `rootOrCouncil` (entries written before the trail told root and the
/// council apart).
pub fn parse_entity(param: &str, text: &str) -> Result<Entity<AccountId>, ParamError> {
	match text {
		"root" => return Ok(Entity::Root),
		"council" => return Ok(Entity::Council),
		"rootOrCouncil" => return Ok(Entity::RootOrCouncil),
		"runtime" => return Ok(Entity::Runtime),
		_ => {}
	}
	if let Some(id) = text.strip_prefix("hospital:") {
		return id.parse().map(Entity::Hospital).map_err(|_| {
			ParamError(format!("`{param}`: {text:?} is not a hospital: write hospital:<number>"))
		});
	}
	parse_account(param, text).map(Entity::Account).map_err(|_| {
		ParamError(format!(
			"`{param}`: {text:?} is not an entity: give an SS58 account, hospital:<id>, root, \
			 council, runtime or rootOrCouncil"
		))
	})
}

/// The text form of an entity, as [`parse_entity`] reads it.
pub fn entity_text(entity: &Entity<AccountId>) -> String {
	match entity {
		Entity::Account(account) => crate::ss58(account),
		Entity::Hospital(id) => format!("hospital:{id}"),
		Entity::RootOrCouncil => "rootOrCouncil".into(),
		Entity::Root => "root".into(),
		Entity::Council => "council".into(),
		Entity::Runtime => "runtime".into(),
	}
}

/// A page size: 1 to `MAX_PAGE_SIZE`, that maximum when absent.
pub fn parse_limit(limit: Option<u32>) -> Result<u32, ParamError> {
	match limit.unwrap_or(MAX_PAGE_SIZE) {
		0 => Err(ParamError("`limit` must be at least 1".into())),
		n if n > MAX_PAGE_SIZE => Err(ParamError(format!(
			"`limit` {n} is over the maximum page size {MAX_PAGE_SIZE}: ask for at most \
			 {MAX_PAGE_SIZE} and follow `next`"
		))),
		n => Ok(n),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::ss58;
	use sp_keyring::Sr25519Keyring;

	#[test]
	fn accounts_parse_from_ss58_of_any_known_prefix_or_hex() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_eq!(parse_account("a", &ss58(&bob)).unwrap(), bob);
		let generic = bob.to_ss58check_with_version(42u16.into());
		assert_eq!(parse_account("a", &generic).unwrap(), bob);
		let hex = sp_core::bytes::to_hex(bob.as_ref(), false);
		assert_eq!(parse_account("a", &hex).unwrap(), bob);
	}

	#[test]
	fn a_malformed_account_is_an_error_naming_the_parameter() {
		for text in ["", "bob", "0x1234", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQX"] {
			let ParamError(message) = parse_account("patient", text).unwrap_err();
			assert!(message.starts_with("`patient`:"), "{message}");
			assert!(message.contains("SS58"), "{message}");
		}
	}

	#[test]
	fn entities_are_accounts_hospitals_root_or_the_council_both_ways() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		for entity in [
			Entity::Account(bob),
			Entity::Hospital(3),
			Entity::Root,
			Entity::Council,
			Entity::RootOrCouncil,
			Entity::Runtime,
		] {
			assert_eq!(parse_entity("e", &entity_text(&entity)).unwrap(), entity);
		}
		assert!(parse_entity("e", "hospital:x").unwrap_err().0.contains("hospital:<number>"));
		assert!(parse_entity("e", "nobody").unwrap_err().0.contains("council"));
	}

	#[test]
	fn page_sizes_default_to_and_stop_at_the_maximum() {
		assert_eq!(parse_limit(None).unwrap(), MAX_PAGE_SIZE);
		assert_eq!(parse_limit(Some(1)).unwrap(), 1);
		assert_eq!(parse_limit(Some(MAX_PAGE_SIZE)).unwrap(), MAX_PAGE_SIZE);
		let text = parse_limit(Some(MAX_PAGE_SIZE + 1)).unwrap_err().0;
		assert!(text.contains("over the maximum page size 100"), "{text}");
		assert!(parse_limit(Some(0)).is_err());
	}
}
