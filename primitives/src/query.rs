//! Pages of query results for the runtime API: bounded, cursor-based, never
//! a scan past one page (plus one look-ahead item to know whether more
//! follow).

use alloc::vec::Vec;
use codec::{Decode, Encode, FullCodec};
use frame_support::storage::{IterableStorageDoubleMap, StorageDoubleMap};
use scale_info::TypeInfo;

/// The most items one page holds. Asking for more returns this many.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One page of a list: its items, and the cursor to pass for the next page
/// (`None` on the last page).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Page<Item, Cursor> {
	/// The items, in the list's order.
	pub items: Vec<Item>,
	/// Where the next page starts (exclusive), if there is one.
	pub next: Option<Cursor>,
}

impl<Item, Cursor> Page<Item, Cursor> {
	/// The same page with each item mapped.
	pub fn map<T>(self, f: impl FnMut(Item) -> T) -> Page<T, Cursor> {
		Page { items: self.items.into_iter().map(f).collect(), next: self.next }
	}

	/// The same page keeping the items `f` maps to something; the cursor
	/// stays where the unfiltered page ended.
	pub fn filter_map<T>(self, f: impl FnMut(Item) -> Option<T>) -> Page<T, Cursor> {
		Page { items: self.items.into_iter().filter_map(f).collect(), next: self.next }
	}
}

/// How many items a request for `limit` gets: at least 1, at most
/// [`MAX_PAGE_SIZE`].
pub fn page_size(limit: u32) -> usize {
	limit.clamp(1, MAX_PAGE_SIZE) as usize
}

/// One page of the entries of a double map under `first`, in storage order,
/// starting after the entry whose second key is `after` (from the start
/// when `None`). The cursor of the next page is the last item's second key.
pub fn page_of<Map, K1, K2, V>(first: &K1, after: Option<&K2>, limit: u32) -> Page<(K2, V), K2>
where
	Map: IterableStorageDoubleMap<K1, K2, V> + StorageDoubleMap<K1, K2, V>,
	K1: FullCodec,
	K2: FullCodec + Clone,
	V: FullCodec,
{
	let size = page_size(limit);
	let mut entries = match after {
		Some(after) => <Map as IterableStorageDoubleMap<K1, K2, V>>::iter_prefix_from(
			first,
			<Map as StorageDoubleMap<K1, K2, V>>::hashed_key_for(first, after),
		),
		None => <Map as IterableStorageDoubleMap<K1, K2, V>>::iter_prefix(first),
	};
	let items: Vec<(K2, V)> = entries.by_ref().take(size).collect();
	let more = items.len() == size && entries.next().is_some();
	let next = if more { items.last().map(|(key, _)| key.clone()) } else { None };
	Page { items, next }
}
