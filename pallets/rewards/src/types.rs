//! The records the rewards pallet stores, and their `*Of<T>` aliases.

use crate::Config;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::traits::fungible::Inspect;
use proof_of_sync_primitives::{Points, RoundIndex};
use scale_info::TypeInfo;

/// The balance type of the reward currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A [`RoundReward`] in the runtime's balance type.
pub type RoundRewardOf<T> = RoundReward<BalanceOf<T>>;

/// What a closed round pays out.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RoundReward<Balance> {
	/// The round's emission: what its providers share, in proportion to their points.
	pub emission: Balance,
	/// The sum of every provider's points in the round, read when the round closed.
	pub total_points: Points,
	/// How much of `emission` has been paid out so far.
	pub claimed: Balance,
}

/// Where the lazy removal of expired rounds' claim markers stands.
///
/// Rounds expire in increasing order, so the rounds whose markers may remain form the range
/// `next..end`; one storage item describes any backlog.
///
/// No storage cursor is kept: frame-support's `clear_prefix` does not use one yet (it returns
/// the prefix itself), and none is needed, since `on_idle` takes one step per block and the keys
/// an earlier block removed are gone from the backend it iterates.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ClaimCleanup {
	/// The oldest expired round whose claim markers may still be in storage.
	pub next: RoundIndex,
	/// One past the newest expired round whose markers may still be in storage; `next == end`
	/// means nothing is left to clear.
	pub end: RoundIndex,
}

impl ClaimCleanup {
	/// Whether no expired round's markers are left to clear.
	pub fn is_empty(&self) -> bool {
		self.next >= self.end
	}
}

/// Lets benchmarks give accounts points without knowing which pallet scores providers.
///
/// The runtime implements it over whatever implements [`Config::Points`].
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `points_of(round, who)` return `points` and `total_points(round)` return `total`.
	fn set_points(round: RoundIndex, who: &AccountId, points: Points, total: Points);
}
