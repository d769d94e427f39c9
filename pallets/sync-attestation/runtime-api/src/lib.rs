//! # Proof of Sync runtime API
//!
//! What a client may read about Proof of Sync without knowing the runtime's storage layout: the
//! round in progress, a provider's record, its score breakdown for a round, its pending rewards,
//! and the leaderboard of a round. The runtime implements [`ProofOfSyncApi`]; the node's
//! `proofOfSync_*` RPC methods wrap it, and any client can call it through `state_call`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use pos_primitives::{Capacity, Points, RoundIndex};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// The round in progress.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct RoundView<BlockNumber> {
	/// The round's index (the session index).
	pub index: RoundIndex,
	/// The round's first block.
	pub start: BlockNumber,
	/// Blocks per round.
	pub length: BlockNumber,
	/// The first block of the next round.
	pub next_start: BlockNumber,
	/// How many challenges each active provider gets this round.
	pub challenges_per_provider: u32,
	/// Providers active when the round started (the ones challenged in it).
	pub providers: u32,
	/// Providers active now (new ones take part from the next round).
	pub active_providers: u32,
	/// Attestations accepted so far this round.
	pub attestations: u32,
	/// Points earned so far this round, by everyone.
	pub total_points: Points,
	/// The newest closed round, if any.
	pub last_closed: Option<RoundIndex>,
}

/// Where a provider is in its lifecycle.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProviderState {
	/// Challenged, scored and paid from `active_since` on.
	Active,
	/// Out of the active set until it re-activates.
	Chilled,
	/// Leaving; the bond is released from `until_round` on.
	Leaving {
		/// The first round the bond may be withdrawn in.
		until_round: RoundIndex,
	},
}

/// A provider's record.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ProviderView<Balance> {
	/// Where the provider's node serves.
	pub endpoint: Vec<u8>,
	/// The declared capacity.
	pub capacity: Capacity,
	/// The bond held.
	pub bond: Balance,
	/// Where the provider is in its lifecycle.
	pub status: ProviderState,
	/// The first round the provider takes part in.
	pub active_since: RoundIndex,
	/// The round it registered in.
	pub registered_at: RoundIndex,
	/// Whether it opted in as validator candidate.
	pub candidate: bool,
	/// Whether it is in the authority set now.
	pub authority: bool,
	/// Whether it registered a `sync` key (session keys); without one it cannot attest.
	pub has_sync_key: bool,
}

/// A provider's score for one round, and what it is paid for it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ScoreView<Balance> {
	/// The round.
	pub round: RoundIndex,
	/// Whether the round has closed (its points are final).
	pub closed: bool,
	/// Challenges assigned to the provider.
	pub assigned: u32,
	/// Challenges it answered.
	pub answered: u32,
	/// `answered / assigned`.
	pub uptime: Perbill,
	/// Mean sync lag of its answers, in blocks.
	pub mean_lag: u32,
	/// Mean lag factor of its answers (100 % at lag 0).
	pub sync: Perbill,
	/// Points it earned.
	pub points: Points,
	/// Points everyone earned.
	pub total_points: Points,
	/// Its part of the total.
	pub share: Perbill,
	/// What claiming the round's reward pays now: `None` while the round runs, once the reward
	/// was paid, or after the round's rewards expired.
	pub reward: Option<Balance>,
	/// Whether the reward was paid.
	pub claimed: bool,
}

sp_api::decl_runtime_apis! {
	/// Read access to Proof of Sync: rounds, providers, scores, rewards.
	pub trait ProofOfSyncApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The round in progress; `None` before the first round started.
		fn round_info() -> Option<RoundView<BlockNumber>>;

		/// The record of provider `who`, if it is registered.
		fn provider(who: AccountId) -> Option<ProviderView<Balance>>;

		/// The blocks of the current round at which `who` is challenged.
		fn challenges(who: AccountId) -> Vec<BlockNumber>;

		/// `who`'s score in `round`, if the round's records are kept and it was challenged in it.
		fn score_breakdown(who: AccountId, round: RoundIndex) -> Option<ScoreView<Balance>>;

		/// The rewards `who` may claim, per round, oldest first.
		fn pending_rewards(who: AccountId) -> Vec<(RoundIndex, Balance)>;

		/// Providers of `round` by points, highest first: page `page` (from 0) of `page_size`.
		fn leaderboard(round: RoundIndex, page: u32, page_size: u32) -> Vec<(AccountId, Points)>;
	}
}
