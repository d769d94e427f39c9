//! # Proof of Sync test utilities
//!
//! The pieces every pallet's mock runtime would otherwise write again:
//! - [`MockRoundClock`]: a [`RoundClock`] whose round the tests set;
//! - [`take_events`] and [`last_event`]: one pallet's events out of `frame_system`'s record, behind
//!   each mock's `events()` and `last_event()`;
//! - [`execute_checked`]: runs a test, then the pallet's `try_state` checks, as each mock's
//!   `ExtBuilder::build_and_execute` does;
//! - [`assert_try_state_catches`]: writes inconsistent storage, asserts that `try_state` catches
//!   it, and rolls the write back;
//! - [`TestDataset`]: a small storage dataset sealed in memory, junk where a test wants it, with
//!   its Merkle tree: the links storage fraud proofs (pallet and node tests) are made of.
//!
//! A dev-dependency of the pallets only: it needs `std` and is never part of the runtime.

use core::cell::Cell;
use proof_of_sync_primitives::{
	seal::{self, Hash, SealParams, LEAF_BYTES, PADDING_HASH},
	RoundClock, RoundIndex,
};
use sp_runtime::TryRuntimeError;

thread_local! {
	static CURRENT_ROUND: Cell<RoundIndex> = const { Cell::new(0) };
}

/// A [`RoundClock`] whose round the tests set. Kept per test thread; each mock's builder sets it
/// back to round 0.
pub struct MockRoundClock;

impl MockRoundClock {
	/// Makes `round` the round in progress.
	pub fn set(round: RoundIndex) {
		CURRENT_ROUND.with(|current| current.set(round));
	}
}

impl RoundClock for MockRoundClock {
	fn current_round() -> RoundIndex {
		CURRENT_ROUND.with(Cell::get)
	}
}

/// The events of one pallet (those of runtime `T` that convert to `E`) recorded since the last
/// call, oldest first. Clears `frame_system`'s record, so the next call returns only newer ones.
pub fn take_events<T, E>() -> Vec<E>
where
	T: frame_system::Config,
	T::RuntimeEvent: TryInto<E>,
{
	let events = frame_system::Pallet::<T>::events()
		.into_iter()
		.filter_map(|record| record.event.try_into().ok())
		.collect();
	frame_system::Pallet::<T>::reset_events();
	events
}

/// The newest event of one pallet among those [`take_events`] would return. Takes nothing: the
/// record is left as it is.
///
/// # Panics
///
/// If the pallet emitted no event since the record was last cleared.
pub fn last_event<T, E>() -> E
where
	T: frame_system::Config,
	T::RuntimeEvent: TryInto<E>,
{
	frame_system::Pallet::<T>::events()
		.into_iter()
		.rev()
		.find_map(|record| record.event.try_into().ok())
		.expect("the pallet emitted an event since the events were last taken")
}

/// Runs `test` in `ext`, then asserts that `try_state` holds.
pub fn execute_checked(
	mut ext: sp_io::TestExternalities,
	test: impl FnOnce(),
	try_state: impl FnOnce() -> Result<(), TryRuntimeError>,
) {
	ext.execute_with(|| {
		test();
		try_state().expect("the pallet's invariants hold after the test");
	})
}

/// Asserts that `try_state` holds now, fails with `expected` once `corrupt` has written
/// inconsistent storage, and holds again once that write is rolled back.
///
/// `corrupt` runs in a storage transaction that is always rolled back, so a test that calls this
/// ends in the state it was in before, and the final check of `build_and_execute` still applies.
/// Only storage is rolled back: `corrupt` must not change a mock's thread-local parameters.
pub fn assert_try_state_catches(
	try_state: impl Fn() -> Result<(), TryRuntimeError>,
	expected: &'static str,
	corrupt: impl FnOnce(),
) {
	assert_eq!(try_state(), Ok(()), "try_state holds before the corruption");
	sp_io::storage::start_transaction();
	corrupt();
	let caught = try_state();
	sp_io::storage::rollback_transaction();
	assert_eq!(caught, Err(TryRuntimeError::Other(expected)), "try_state catches the corruption");
	assert_eq!(try_state(), Ok(()), "try_state holds again once the corruption is rolled back");
}

/// A storage dataset of a few leaves sealed as a provider's node seals one
/// ([`proof_of_sync_primitives::seal`]), except that the leaves in `junk` are junk bytes instead
/// of seals, their successors sealed from the junk (as a cheater restarting its lanes from leaves
/// it can regenerate would build them), with every level of its Merkle tree.
pub struct TestDataset {
	leaves: Vec<Vec<u8>>,
	/// Every level of the tree, padded to a power of two, from the leaf hashes up to the root.
	levels: Vec<Vec<Hash>>,
}

impl TestDataset {
	/// `count` leaves sealed with `params`, junk at the indices in `junk`.
	pub fn seal(params: &SealParams<'_>, count: u64, junk: &[u64]) -> Self {
		let mut leaves: Vec<Vec<u8>> = Vec::new();
		for index in 0..count {
			let leaf = if junk.contains(&index) {
				vec![0xee; LEAF_BYTES]
			} else {
				let previous = match params.predecessor(index) {
					Some(p) => leaves[p as usize].clone(),
					None => params.lane_start(params.lane(index)).to_vec(),
				};
				params.seal_leaf(index, &previous)
			};
			leaves.push(leaf);
		}
		let mut level: Vec<Hash> = leaves.iter().map(|leaf| seal::leaf_hash(leaf)).collect();
		level.resize(1usize << seal::tree_depth(count), PADDING_HASH);
		let mut levels = vec![level];
		while let Some(below) = levels.last().filter(|below| below.len() > 1) {
			let above = below.chunks(2).map(|pair| seal::node_hash(&pair[0], &pair[1])).collect();
			levels.push(above);
		}
		Self { leaves, levels }
	}

	/// How many leaves it has.
	pub fn len(&self) -> u64 {
		self.leaves.len() as u64
	}

	/// Whether it has no leaves.
	pub fn is_empty(&self) -> bool {
		self.leaves.is_empty()
	}

	/// Its Merkle root.
	pub fn root(&self) -> Hash {
		self.levels.last().and_then(|top| top.first()).copied().unwrap_or(PADDING_HASH)
	}

	/// Leaf `index`.
	pub fn leaf(&self, index: u64) -> &[u8] {
		&self.leaves[index as usize]
	}

	/// The Merkle path of leaf `index`: its siblings from the leaf level up.
	pub fn path(&self, index: u64) -> Vec<Hash> {
		let depth = self.levels.len() - 1;
		(0..depth)
			.map(|height| self.levels[height][((index >> height) ^ 1) as usize])
			.collect()
	}
}
