//! # Proof of Sync RPC
//!
//! The `proofOfSync_*` JSON-RPC methods: a thin layer over the runtime's [`ProofOfSyncApi`]. Every
//! method but the subscription takes the block to read at as its last, optional parameter (the
//! best block when omitted). Results are the runtime API's own types, serialized as they define
//! it: camelCase fields, balances, points and capacities (which outgrow JavaScript numbers) as
//! decimal strings.
//!
//! | method | result |
//! |---|---|
//! | `proofOfSync_roundInfo(at?)` | the round in progress |
//! | `proofOfSync_provider(account, at?)` | a provider's record |
//! | `proofOfSync_challenges(account, at?)` | the blocks that challenged it so far this round |
//! | `proofOfSync_scoreBreakdown(account, round?, at?)` | its score for a round (default: the last closed one) |
//! | `proofOfSync_pendingRewards(account, at?)` | rewards it may claim, per round |
//! | `proofOfSync_leaderboard(round?, page?, pageSize?, at?)` | a round's best providers by points |
//! | `proofOfSync_verifierAssignments(account, at?)` | the targets it probes this round, with their endpoints |
//! | `proofOfSync_verifiers(account, at?)` | its verifiers this round |
//! | `proofOfSync_qualityReports(account, round?, at?)` | what a round's verifiers reported about it (default: the round in progress) |
//! | `proofOfSync_probeConfig(at?)` | how verifiers probe resource endpoints |
//! | `proofOfSync_storageAudits(account, at?)` | the storage audits open against it |
//! | `proofOfSync_leases(account, at?)` | the leases it pays for, then those it serves, not closed |
//! | `proofOfSync_lease(id, at?)` | a lease with its escrow and the usage of its rounds not settled |
//! | `proofOfSync_utilization(account, at?)` | how much of each kind of its capacity leases book, with its prices |
//! | `proofOfSync_subscribeRounds` | the round in progress, then every new round |

use std::{fmt::Display, str::FromStr, sync::Arc};

use codec::Codec;
use futures::{future, StreamExt};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::error::{ErrorObject, ErrorObjectOwned},
	PendingSubscriptionSink,
};
use proof_of_sync_runtime_api::RoundIndex;
pub use proof_of_sync_runtime_api::{
	Assignment, KindUtilization, LeaderboardEntry, LeaseInfo, PendingReward, ProbeConfig,
	ProofOfSyncApi as ProofOfSyncRuntimeApi, ProviderInfo, RoundInfo, RoundUsage, ScoreBreakdown,
	StorageAudit, TargetQuality, MAX_LEADERBOARD_PAGE,
};
use sc_client_api::BlockchainEvents;
use sc_rpc::{
	utils::{spawn_subscription_task, BoundedVecDeque, PendingSubscription},
	SubscriptionTaskExecutor,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;

/// The page size when the caller gives none.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// The `proofOfSync_*` methods. Balances are decimal strings both ways, so `Balance` needs
/// `Display` and `FromStr` rather than serde.
#[rpc(
	client,
	server,
	client_bounds(
		BlockHash: Serialize + Clone + Send + Sync + 'static,
		AccountId: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
		Balance: Display + FromStr + Clone + Send + Sync + 'static,
		BlockNumber: DeserializeOwned + Clone + Send + Sync + 'static,
	),
	server_bounds(
		BlockHash: DeserializeOwned + Clone + Send + Sync + 'static,
		AccountId: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
		Balance: Display + FromStr + Clone + Send + Sync + 'static,
		BlockNumber: Serialize + Clone + Send + Sync + 'static,
	)
)]
pub trait ProofOfSyncApi<BlockHash, AccountId, Balance, BlockNumber> {
	/// The round in progress, or `null` before the first round.
	#[method(name = "proofOfSync_roundInfo")]
	fn round_info(&self, at: Option<BlockHash>) -> RpcResult<Option<RoundInfo<BlockNumber>>>;

	/// The record of provider `who`, or `null` if it is not registered.
	#[method(name = "proofOfSync_provider")]
	fn provider(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<ProviderInfo<Balance>>>;

	/// The blocks of the current round that challenged `who` so far.
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
	) -> RpcResult<Option<ScoreBreakdown<Balance>>>;

	/// The rewards `who` may claim, oldest round first.
	#[method(name = "proofOfSync_pendingRewards")]
	fn pending_rewards(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<PendingReward<Balance>>>;

	/// The providers with the most points in `round` (default: as for `scoreBreakdown`), highest
	/// first: page `page` (default 0) of `pageSize` entries (default 20, at most
	/// [`MAX_LEADERBOARD_PAGE`]). Only the best [`MAX_LEADERBOARD_PAGE`] providers of a round are
	/// kept; `scoreBreakdown` gives any provider's points.
	#[method(name = "proofOfSync_leaderboard")]
	fn leaderboard(
		&self,
		round: Option<RoundIndex>,
		page: Option<u32>,
		page_size: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<LeaderboardEntry<AccountId>>>;

	/// The targets `verifier` is assigned to probe in the round in progress, with their
	/// endpoints and declared capacity; empty if it is not an active provider of the round.
	#[method(name = "proofOfSync_verifierAssignments")]
	fn verifier_assignments(
		&self,
		verifier: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<Assignment<AccountId>>>;

	/// The verifiers of `target` in the round in progress.
	#[method(name = "proofOfSync_verifiers")]
	fn verifiers(&self, target: AccountId, at: Option<BlockHash>) -> RpcResult<Vec<AccountId>>;

	/// What `round`'s verifiers reported about `target` (default: the round in progress), with
	/// the medians that count, or `null` if the round is not kept.
	#[method(name = "proofOfSync_qualityReports")]
	fn quality_reports(
		&self,
		target: AccountId,
		round: Option<RoundIndex>,
		at: Option<BlockHash>,
	) -> RpcResult<Option<TargetQuality<AccountId>>>;

	/// How verifiers probe resource endpoints: the storage unit, the dataset's sealing, the
	/// samples and deadlines.
	#[method(name = "proofOfSync_probeConfig")]
	fn probe_config(&self, at: Option<BlockHash>) -> RpcResult<ProbeConfig>;

	/// The storage audits open against provider `target`, one a verifier: the samples its node
	/// must prove on chain by each audit's deadline.
	#[method(name = "proofOfSync_storageAudits")]
	fn storage_audits(
		&self,
		target: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<StorageAudit<AccountId, BlockNumber>>>;

	/// The leases of `who` not closed yet: those it pays for, then those it serves that have not
	/// ended.
	#[method(name = "proofOfSync_leases")]
	fn leases(
		&self,
		who: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<LeaseInfo<AccountId, Balance>>>;

	/// Lease `id`, or `null` if it is closed or never existed.
	#[method(name = "proofOfSync_lease")]
	fn lease(
		&self,
		id: u64,
		at: Option<BlockHash>,
	) -> RpcResult<Option<LeaseInfo<AccountId, Balance>>>;

	/// How much of each kind of `provider`'s capacity its leases book, with its prices: empty if
	/// it is not a provider.
	#[method(name = "proofOfSync_utilization")]
	fn utilization(
		&self,
		provider: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<KindUtilization<Balance>>>;

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

/// The server side of the `proofOfSync_*` methods.
pub struct ProofOfSync<C, Block> {
	client: Arc<C>,
	executor: SubscriptionTaskExecutor,
	_block: std::marker::PhantomData<Block>,
}

impl<C, Block> ProofOfSync<C, Block> {
	/// Serves `client`'s chain; subscriptions run on `executor`.
	pub fn new(client: Arc<C>, executor: SubscriptionTaskExecutor) -> Self {
		Self { client, executor, _block: Default::default() }
	}
}

impl<C, Block> ProofOfSync<C, Block>
where
	Block: BlockT,
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<Block::Hash>) -> Block::Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C, Block, AccountId, Balance, BlockNumber>
	ProofOfSyncApiServer<Block::Hash, AccountId, Balance, BlockNumber> for ProofOfSync<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block>,
	C: Send + Sync + 'static,
	C::Api: ProofOfSyncRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Clone + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static,
	Balance: Codec + Display + FromStr + Send + Sync + 'static,
	BlockNumber: Codec + Clone + Send + Sync + Serialize + 'static,
{
	fn round_info(&self, at: Option<Block::Hash>) -> RpcResult<Option<RoundInfo<BlockNumber>>> {
		self.client.runtime_api().round_info(self.at(at)).map_err(runtime_error)
	}

	fn provider(
		&self,
		who: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ProviderInfo<Balance>>> {
		self.client.runtime_api().provider(self.at(at), who).map_err(runtime_error)
	}

	fn challenges(&self, who: AccountId, at: Option<Block::Hash>) -> RpcResult<Vec<BlockNumber>> {
		self.client.runtime_api().challenges(self.at(at), who).map_err(runtime_error)
	}

	fn score_breakdown(
		&self,
		who: AccountId,
		round: Option<RoundIndex>,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<ScoreBreakdown<Balance>>> {
		let at = self.at(at);
		let round = match round {
			Some(round) => round,
			None => self.default_round::<AccountId, Balance, BlockNumber>(at)?,
		};
		self.client.runtime_api().score_breakdown(at, who, round).map_err(runtime_error)
	}

	fn pending_rewards(
		&self,
		who: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<PendingReward<Balance>>> {
		self.client
			.runtime_api()
			.pending_rewards(self.at(at), who)
			.map_err(runtime_error)
	}

	fn leaderboard(
		&self,
		round: Option<RoundIndex>,
		page: Option<u32>,
		page_size: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<LeaderboardEntry<AccountId>>> {
		let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
		if page_size == 0 || page_size > MAX_LEADERBOARD_PAGE {
			return Err(ErrorObject::owned(
				error::INVALID_PARAMS,
				format!("pageSize must be between 1 and {MAX_LEADERBOARD_PAGE}"),
				Some(page_size),
			));
		}
		let at = self.at(at);
		let round = match round {
			Some(round) => round,
			None => self.default_round::<AccountId, Balance, BlockNumber>(at)?,
		};
		self.client
			.runtime_api()
			.leaderboard(at, round, page.unwrap_or(0), page_size)
			.map_err(runtime_error)
	}

	fn verifier_assignments(
		&self,
		verifier: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<Assignment<AccountId>>> {
		self.client
			.runtime_api()
			.verifier_assignments(self.at(at), verifier)
			.map_err(runtime_error)
	}

	fn verifiers(&self, target: AccountId, at: Option<Block::Hash>) -> RpcResult<Vec<AccountId>> {
		self.client.runtime_api().verifiers(self.at(at), target).map_err(runtime_error)
	}

	fn quality_reports(
		&self,
		target: AccountId,
		round: Option<RoundIndex>,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<TargetQuality<AccountId>>> {
		let at = self.at(at);
		let round = match round {
			Some(round) => round,
			None => self
				.client
				.runtime_api()
				.round_info(at)
				.map_err(runtime_error)?
				.map_or(0, |info| info.index),
		};
		self.client
			.runtime_api()
			.quality_reports(at, target, round)
			.map_err(runtime_error)
	}

	fn probe_config(&self, at: Option<Block::Hash>) -> RpcResult<ProbeConfig> {
		self.client.runtime_api().probe_config(self.at(at)).map_err(runtime_error)
	}

	fn storage_audits(
		&self,
		target: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<StorageAudit<AccountId, BlockNumber>>> {
		self.client
			.runtime_api()
			.storage_audits(self.at(at), target)
			.map_err(runtime_error)
	}

	fn leases(
		&self,
		who: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<LeaseInfo<AccountId, Balance>>> {
		self.client.runtime_api().leases(self.at(at), who).map_err(runtime_error)
	}

	fn lease(
		&self,
		id: u64,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<LeaseInfo<AccountId, Balance>>> {
		self.client.runtime_api().lease(self.at(at), id).map_err(runtime_error)
	}

	fn utilization(
		&self,
		provider: AccountId,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<KindUtilization<Balance>>> {
		self.client
			.runtime_api()
			.utilization(self.at(at), provider)
			.map_err(runtime_error)
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
				future::ready(new)
			});
		spawn_subscription_task(
			&self.executor,
			PendingSubscription::from(pending).pipe_from_stream(rounds, BoundedVecDeque::default()),
		);
	}
}

impl<C, Block> ProofOfSync<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// The newest closed round at `at`, or the current one before any closed.
	fn default_round<AccountId, Balance, BlockNumber>(
		&self,
		at: Block::Hash,
	) -> RpcResult<RoundIndex>
	where
		C::Api: ProofOfSyncRuntimeApi<Block, AccountId, Balance, BlockNumber>,
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		let view = self.client.runtime_api().round_info(at).map_err(runtime_error)?;
		Ok(view.map(|v| v.last_closed.unwrap_or(v.index)).unwrap_or(0))
	}
}
