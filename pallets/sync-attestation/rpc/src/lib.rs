//! # Proof of Sync RPC
//!
//! The `proofOfSync_*` JSON-RPC methods: a thin layer over the runtime's [`ProofOfSyncApi`]. Every
//! method takes the block to read at as its last, optional parameter (the best block when
//! omitted); balances and points, which outgrow JavaScript numbers, are decimal strings.
//!
//! | method | result |
//! |---|---|
//! | `proofOfSync_roundInfo(at?)` | the round in progress |
//! | `proofOfSync_provider(account, at?)` | a provider's record |
//! | `proofOfSync_challenges(account, at?)` | its challenge blocks this round |
//! | `proofOfSync_scoreBreakdown(account, round?, at?)` | its score for a round (default: the last closed one) |
//! | `proofOfSync_pendingRewards(account, at?)` | rewards it may claim, per round |
//! | `proofOfSync_leaderboard(round?, page?, pageSize?, at?)` | a round's providers by points |
//! | `proofOfSync_subscribeRounds` | the round in progress, then every new round |

use std::{fmt::Display, sync::Arc};

use codec::Codec;
use futures::{future, StreamExt};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::error::{ErrorObject, ErrorObjectOwned},
	PendingSubscriptionSink,
};
pub use pallet_sync_attestation_runtime_api::ProofOfSyncApi as ProofOfSyncRuntimeApi;
use pallet_sync_attestation_runtime_api::{ProviderState, ProviderView, RoundView, ScoreView};
use pos_primitives::{Capacity, RoundIndex};
use sc_client_api::BlockchainEvents;
use sc_rpc::{
	utils::{spawn_subscription_task, BoundedVecDeque, PendingSubscription},
	SubscriptionTaskExecutor,
};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::{traits::Block as BlockT, Perbill};

/// The most leaderboard entries one call returns.
pub const MAX_PAGE_SIZE: u32 = 100;
/// The page size when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// The round in progress.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub struct RoundInfo<BlockNumber> {
	/// The round's index (the session index).
	pub index: RoundIndex,
	/// The round's first block.
	pub start: BlockNumber,
	/// Blocks per round.
	pub length: BlockNumber,
	/// The first block of the next round.
	pub next_start: BlockNumber,
	/// Challenges each active provider gets this round.
	pub challenges_per_provider: u32,
	/// Providers challenged this round.
	pub providers: u32,
	/// Providers active now.
	pub active_providers: u32,
	/// Attestations accepted so far this round.
	pub attestations: u32,
	/// Points earned so far this round (decimal).
	pub total_points: String,
	/// The newest closed round.
	pub last_closed: Option<RoundIndex>,
}

impl<N> From<RoundView<N>> for RoundInfo<N> {
	fn from(v: RoundView<N>) -> Self {
		Self {
			index: v.index,
			start: v.start,
			length: v.length,
			next_start: v.next_start,
			challenges_per_provider: v.challenges_per_provider,
			providers: v.providers,
			active_providers: v.active_providers,
			attestations: v.attestations,
			total_points: v.total_points.to_string(),
			last_closed: v.last_closed,
		}
	}
}

/// A provider's record.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
	/// Where the provider's node serves (UTF-8, printable ASCII).
	pub endpoint: String,
	/// The declared capacity.
	pub capacity: Capacity,
	/// The bond held (decimal).
	pub bond: String,
	/// `active`, `chilled` or `leaving`.
	pub status: String,
	/// For a leaving provider: the first round it may withdraw in.
	pub unbonded_at: Option<RoundIndex>,
	/// The first round it takes part in.
	pub active_since: RoundIndex,
	/// The round it registered in.
	pub registered_at: RoundIndex,
	/// Whether it is a validator candidate.
	pub candidate: bool,
	/// Whether it is an authority now.
	pub authority: bool,
	/// Whether it registered a `sync` key.
	pub has_sync_key: bool,
}

impl<B: Display> From<ProviderView<B>> for Provider {
	fn from(v: ProviderView<B>) -> Self {
		let (status, unbonded_at) = match v.status {
			ProviderState::Active => ("active", None),
			ProviderState::Chilled => ("chilled", None),
			ProviderState::Leaving { until_round } => ("leaving", Some(until_round)),
		};
		Self {
			endpoint: String::from_utf8_lossy(&v.endpoint).into_owned(),
			capacity: v.capacity,
			bond: v.bond.to_string(),
			status: status.into(),
			unbonded_at,
			active_since: v.active_since,
			registered_at: v.registered_at,
			candidate: v.candidate,
			authority: v.authority,
			has_sync_key: v.has_sync_key,
		}
	}
}

/// A provider's score for one round.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ScoreBreakdown {
	/// The round.
	pub round: RoundIndex,
	/// Whether the round has closed.
	pub closed: bool,
	/// Challenges assigned.
	pub assigned: u32,
	/// Challenges answered.
	pub answered: u32,
	/// `answered / assigned`, in parts per billion.
	pub uptime: Perbill,
	/// Mean sync lag, in blocks.
	pub mean_lag: u32,
	/// Mean lag factor, in parts per billion.
	pub sync: Perbill,
	/// Points earned (decimal).
	pub points: String,
	/// Points everyone earned (decimal).
	pub total_points: String,
	/// Share of the total, in parts per billion.
	pub share: Perbill,
	/// What claiming the round's reward pays now (decimal): `null` while the round runs, once
	/// paid, or after expiry.
	pub reward: Option<String>,
	/// Whether the reward was paid.
	pub claimed: bool,
}

impl<B: Display> From<ScoreView<B>> for ScoreBreakdown {
	fn from(v: ScoreView<B>) -> Self {
		Self {
			round: v.round,
			closed: v.closed,
			assigned: v.assigned,
			answered: v.answered,
			uptime: v.uptime,
			mean_lag: v.mean_lag,
			sync: v.sync,
			points: v.points.to_string(),
			total_points: v.total_points.to_string(),
			share: v.share,
			reward: v.reward.map(|r| r.to_string()),
			claimed: v.claimed,
		}
	}
}

/// A reward waiting to be claimed.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub struct PendingReward {
	/// The round it is for.
	pub round: RoundIndex,
	/// The amount (decimal).
	pub amount: String,
}

/// One line of a leaderboard.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub struct LeaderboardEntry<AccountId> {
	/// The provider.
	pub account: AccountId,
	/// Its points in the round (decimal).
	pub points: String,
}

/// The `proofOfSync_*` methods.
#[rpc(client, server)]
pub trait ProofOfSyncApi<BlockHash, AccountId, BlockNumber> {
	/// The round in progress, or `null` before the first round.
	#[method(name = "proofOfSync_roundInfo")]
	fn round_info(&self, at: Option<BlockHash>) -> RpcResult<Option<RoundInfo<BlockNumber>>>;

	/// The record of provider `who`, or `null` if it is not registered.
	#[method(name = "proofOfSync_provider")]
	fn provider(&self, who: AccountId, at: Option<BlockHash>) -> RpcResult<Option<Provider>>;

	/// The blocks of the current round at which `who` is challenged.
	#[method(name = "proofOfSync_challenges")]
	fn challenges(&self, who: AccountId, at: Option<BlockHash>) -> RpcResult<Vec<BlockNumber>>;

	/// `who`'s score in `round` (default: the newest closed round, or the current one before any
	/// closed), or `null` if it was not challenged in it or the round is no longer kept.
	#[method(name = "proofOfSync_scoreBreakdown")]
	fn score_breakdown(
		&self,
		who: AccountId,
		round: Option<RoundIndex>,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ScoreBreakdown>>;

	/// The rewards `who` may claim, oldest round first.
	#[method(name = "proofOfSync_pendingRewards")]
	fn pending_rewards(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<PendingReward>>;

	/// The providers of `round` (default: as for `scoreBreakdown`) by points, highest first:
	/// page `page` (default 0) of `pageSize` entries (default 20, at most 100).
	#[method(name = "proofOfSync_leaderboard")]
	fn leaderboard(
		&self,
		round: Option<RoundIndex>,
		page: Option<u32>,
		page_size: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<LeaderboardEntry<AccountId>>>;

	/// Notifies the round in progress at the next new best block, then every new round.
	#[subscription(
		name = "proofOfSync_subscribeRounds" => "proofOfSync_round",
		unsubscribe = "proofOfSync_unsubscribeRounds",
		item = RoundInfo<BlockNumber>
	)]
	fn subscribe_rounds(&self);
}

/// Error codes of the `proofOfSync_*` methods.
pub mod error {
	/// The runtime API call failed.
	pub const RUNTIME_ERROR: i32 = 9000;
	/// A parameter is out of range.
	pub const INVALID_PARAMS: i32 = 9001;
}

fn runtime_error(e: impl std::fmt::Debug) -> ErrorObjectOwned {
	ErrorObject::owned(
		error::RUNTIME_ERROR,
		"Proof of Sync runtime API call failed",
		Some(format!("{e:?}")),
	)
}

/// The server side of the `proofOfSync_*` methods, for a chain whose balances are `Balance`.
pub struct ProofOfSync<C, Block, Balance> {
	client: Arc<C>,
	executor: SubscriptionTaskExecutor,
	_types: std::marker::PhantomData<(Block, Balance)>,
}

impl<C, Block, Balance> ProofOfSync<C, Block, Balance> {
	/// Serves `client`'s chain; subscriptions run on `executor`.
	pub fn new(client: Arc<C>, executor: SubscriptionTaskExecutor) -> Self {
		Self { client, executor, _types: Default::default() }
	}
}

impl<C, Block, Balance> ProofOfSync<C, Block, Balance>
where
	Block: BlockT,
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<Block::Hash>) -> Block::Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C, Block, AccountId, Balance, BlockNumber>
	ProofOfSyncApiServer<Block::Hash, AccountId, BlockNumber> for ProofOfSync<C, Block, Balance>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block>,
	C: Send + Sync + 'static,
	C::Api: ProofOfSyncRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Clone + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static,
	Balance: Codec + Display + Send + Sync + 'static,
	BlockNumber: Codec + Clone + Send + Sync + Serialize + 'static,
{
	fn round_info(&self, at: Option<Block::Hash>) -> RpcResult<Option<RoundInfo<BlockNumber>>> {
		let view = self.client.runtime_api().round_info(self.at(at)).map_err(runtime_error)?;
		Ok(view.map(Into::into))
	}

	fn provider(&self, who: AccountId, at: Option<Block::Hash>) -> RpcResult<Option<Provider>> {
		let view = self.client.runtime_api().provider(self.at(at), who).map_err(runtime_error)?;
		Ok(view.map(Into::into))
	}

	fn challenges(&self, who: AccountId, at: Option<Block::Hash>) -> RpcResult<Vec<BlockNumber>> {
		self.client.runtime_api().challenges(self.at(at), who).map_err(runtime_error)
	}

	fn score_breakdown(
		&self,
		who: AccountId,
		round: Option<RoundIndex>,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ScoreBreakdown>> {
		let at = self.at(at);
		let round = match round {
			Some(round) => round,
			None => self.default_round::<AccountId, BlockNumber>(at)?,
		};
		let view = self
			.client
			.runtime_api()
			.score_breakdown(at, who, round)
			.map_err(runtime_error)?;
		Ok(view.map(Into::into))
	}

	fn pending_rewards(
		&self,
		who: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<PendingReward>> {
		let rewards = self
			.client
			.runtime_api()
			.pending_rewards(self.at(at), who)
			.map_err(runtime_error)?;
		Ok(rewards
			.into_iter()
			.map(|(round, amount)| PendingReward { round, amount: amount.to_string() })
			.collect())
	}

	fn leaderboard(
		&self,
		round: Option<RoundIndex>,
		page: Option<u32>,
		page_size: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<LeaderboardEntry<AccountId>>> {
		let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
		if page_size == 0 || page_size > MAX_PAGE_SIZE {
			return Err(ErrorObject::owned(
				error::INVALID_PARAMS,
				format!("pageSize must be between 1 and {MAX_PAGE_SIZE}"),
				Some(page_size),
			));
		}
		let at = self.at(at);
		let round = match round {
			Some(round) => round,
			None => self.default_round::<AccountId, BlockNumber>(at)?,
		};
		let entries = self
			.client
			.runtime_api()
			.leaderboard(at, round, page.unwrap_or(0), page_size)
			.map_err(runtime_error)?;
		Ok(entries
			.into_iter()
			.map(|(account, points)| LeaderboardEntry { account, points: points.to_string() })
			.collect())
	}

	fn subscribe_rounds(&self, pending: PendingSubscriptionSink) {
		let client = self.client.clone();
		let mut last_sent = None;
		let rounds = self
			.client
			.import_notification_stream()
			.filter(|n| future::ready(n.is_new_best))
			.filter_map(move |n| {
				let view = client.runtime_api().round_info(n.hash).ok().flatten();
				let new = view.filter(|v| last_sent != Some(v.index));
				if let Some(v) = &new {
					last_sent = Some(v.index);
				}
				future::ready(new.map(RoundInfo::from))
			});
		spawn_subscription_task(
			&self.executor,
			PendingSubscription::from(pending).pipe_from_stream(rounds, BoundedVecDeque::default()),
		);
	}
}

impl<C, Block, Balance> ProofOfSync<C, Block, Balance>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	Balance: Codec,
{
	/// The newest closed round at `at`, or the current one before any closed.
	fn default_round<AccountId, BlockNumber>(&self, at: Block::Hash) -> RpcResult<RoundIndex>
	where
		C::Api: ProofOfSyncRuntimeApi<Block, AccountId, Balance, BlockNumber>,
		AccountId: Codec,
		BlockNumber: Codec,
	{
		let view = self.client.runtime_api().round_info(at).map_err(runtime_error)?;
		Ok(view.map(|v| v.last_closed.unwrap_or(v.index)).unwrap_or(0))
	}
}
