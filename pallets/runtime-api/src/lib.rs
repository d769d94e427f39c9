//! # Proof of Sync runtime API
//!
//! What a client may read about Proof of Sync without knowing the runtime's storage layout: the
//! round in progress, a provider's record, its score breakdown for a round, its pending rewards,
//! the leaderboard of a round, and who verifies whom with what they reported. The runtime
//! implements [`ProofOfSyncApi`] for every Proof of Sync pallet at once; the node's `proofOfSync_*`
//! RPC methods (crate `proof-of-sync-rpc`) return its results as they are, and any client can call
//! it through `state_call`.
//!
//! The types here are the only definition of each read concept. Under `std` they serialize to the
//! JSON the RPC returns: field names in camelCase, balances and points (which outgrow JavaScript
//! numbers) as decimal strings, the way `pallet-transaction-payment`'s `RuntimeDispatchInfo`
//! does. The `types` of the project's polkadot.js definitions (`polkadot-js/definitions.json`)
//! are generated from these types by this crate's tests, which fail when the file differs; its
//! `rpc` section is written by hand, and the tests check that it names only defined types, the
//! runtime's tests that every type this API returns is defined, and the end-to-end tests that the
//! node serves exactly the methods it declares.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
#[cfg(feature = "std")]
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

pub use proof_of_sync_primitives::{
	Capacity, DatasetCommitment, Points, ProbeConfig, ProviderStatus, ResourceKind, RoundIndex,
	StorageAudit, DATASET_LEAF_BYTES, MAX_LEADERBOARD_PAGE,
};

/// The round in progress.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct RoundInfo<BlockNumber> {
	/// The round's index (the session index).
	pub index: RoundIndex,
	/// The round's first block.
	pub start: BlockNumber,
	/// Blocks per round.
	pub length: BlockNumber,
	/// The first block of the next round.
	pub next_start: BlockNumber,
	/// The chance that one block of the round challenges one given active provider, in parts
	/// per billion. Whether a block challenges a provider is known only once the block's parent
	/// is built.
	pub challenge_odds: Perbill,
	/// The challenges an active provider can expect this round, in thousandths of a challenge
	/// (1 500 is 1.5). Challenges are drawn at random, so the count a provider gets varies.
	pub expected_challenges_milli: u32,
	/// Providers active when the round started (the ones challenged in it).
	pub providers: u32,
	/// Providers active now (new ones take part from the next round).
	pub active_providers: u32,
	/// Attestations accepted so far this round.
	pub attestations: u32,
	/// Points earned so far this round, by everyone (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub total_points: Points,
	/// The newest closed round, if any.
	pub last_closed: Option<RoundIndex>,
}

/// A provider's record.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
#[cfg_attr(
	feature = "std",
	serde(bound(
		serialize = "Balance: core::fmt::Display",
		deserialize = "Balance: core::str::FromStr"
	))
)]
pub struct ProviderInfo<Balance> {
	/// Where the provider's node serves (printable ASCII; a string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_text"))]
	pub endpoint: Vec<u8>,
	/// The capacity declared for the round in progress: an upper bound on what counts, which
	/// the provider's verifiers measure.
	pub capacity: Capacity,
	/// A declared capacity that takes effect at the next round, if the provider changed it in
	/// this one.
	pub next_capacity: Option<Capacity>,
	/// The storage dataset its node committed to last (`commit_dataset`), in effect from the
	/// next round on if it was committed in this one.
	pub dataset: Option<DatasetCommitment>,
	/// The bond held (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub bond: Balance,
	/// Where the provider is in its lifecycle. In JSON: `"active"`, `"chilled"`, or
	/// `{"leaving": {"untilRound": r}}`.
	pub status: ProviderStatus,
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
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
#[cfg_attr(
	feature = "std",
	serde(bound(
		serialize = "Balance: core::fmt::Display",
		deserialize = "Balance: core::str::FromStr"
	))
)]
pub struct ScoreBreakdown<Balance> {
	/// The round.
	pub round: RoundIndex,
	/// Whether the round has closed (its points are final).
	pub closed: bool,
	/// The challenges an active provider could expect in the round, in thousandths of a
	/// challenge (1 500 is 1.5).
	pub expected_challenges_milli: u32,
	/// Challenges it answered.
	pub answered: u32,
	/// `answered / expected`, at most 100 %, in parts per billion.
	pub uptime: Perbill,
	/// Mean sync lag of its answers, in blocks, not counting the `SyncLagGrace` blocks an
	/// answer is not charged for.
	pub mean_lag: u32,
	/// Mean lag factor of its answers (100 % at lag 0), in parts per billion.
	pub sync: Perbill,
	/// What a round of sync alone is worth (`BasePoints`; a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub base_points: Points,
	/// The capacity it declared for the round.
	pub declared: Capacity,
	/// The capacity its verifiers measured: each kind's lower median over its verifiers, a
	/// missing report counting as zero.
	pub measured: Capacity,
	/// The capacity that counts: the smaller of declared and measured, kind by kind.
	pub counted: Capacity,
	/// The lower median of its verifiers' quality (reachability × latency factor).
	pub quality: Perbill,
	/// What the counted capacity is worth: `Σ counted × CapacityWeights × quality` (a decimal
	/// string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub capacity_points: Points,
	/// What its leases were paid for in the round, as points: `UsageWeights` a thousand usage
	/// units, at most `MaxUsageShare` of the capacity points (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub usage_points: Points,
	/// What its consumers disputed, in rounds that settled in the round before, takes off: as
	/// much as the units would have earned, at most `MaxUsageShare` of the capacity points (a
	/// decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub disputed_points: Points,
	/// The part of its points it forfeits for outlier reports it made as a verifier in the round
	/// before.
	pub penalty: Perbill,
	/// Points it earned: `uptime × sync × (base points + capacity points + usage points − disputed
	/// points) × (1 − penalty)`, as the answers came (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub points: Points,
	/// Points everyone earned (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub total_points: Points,
	/// Its part of the total, in parts per billion.
	pub share: Perbill,
	/// What claiming the round's reward pays now (a decimal string in JSON): `None` while the
	/// round runs, when the provider earned no points in it, once the reward was paid, or after
	/// the round's rewards expired; zero when the round's emission was zero.
	#[cfg_attr(feature = "std", serde(with = "option_as_string"))]
	pub reward: Option<Balance>,
	/// Whether the reward was paid. Known only while the round's rewards are kept: after they
	/// expire (and their claim markers are removed) it reads `false`.
	pub claimed: bool,
}

/// A reward waiting to be claimed.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
#[cfg_attr(
	feature = "std",
	serde(bound(
		serialize = "Balance: core::fmt::Display",
		deserialize = "Balance: core::str::FromStr"
	))
)]
pub struct PendingReward<Balance> {
	/// The round it is for.
	pub round: RoundIndex,
	/// The amount (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub amount: Balance,
}

/// A target a verifier is assigned to probe in the round in progress.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct Assignment<AccountId> {
	/// The round.
	pub round: RoundIndex,
	/// The provider to probe.
	pub target: AccountId,
	/// Where its node serves its resource endpoint (printable ASCII; a string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_text"))]
	pub endpoint: Vec<u8>,
	/// The capacity it declared for the round: there is no point measuring beyond it.
	pub declared: Capacity,
	/// The storage dataset its node committed to for the round, if any: sampled leaves must
	/// prove against its root. Without one, its storage measures zero.
	pub dataset: Option<DatasetCommitment>,
}

/// One verifier's report about a target.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct QualityReportInfo<AccountId> {
	/// The verifier.
	pub verifier: AccountId,
	/// Whether the target's endpoint answered its liveness challenge.
	pub reachable: bool,
	/// How long the liveness answer took, in milliseconds.
	pub latency_ms: u32,
	/// What it measured: compute in milli-vCPU, storage in GiB, bandwidth in Mbit/s.
	pub measured: Capacity,
	/// The report's quality: 0 if unreachable, else falling from 100 % at 0 ms to 0 at
	/// `MaxProbeLatency`.
	pub quality: Perbill,
}

/// What a round's verifiers reported about one target, and the medians that count.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct TargetQuality<AccountId> {
	/// The round.
	pub round: RoundIndex,
	/// The target.
	pub target: AccountId,
	/// Its verifiers in the round, as the registry stands now (a verifier that was chilled or
	/// left since is no longer one).
	pub verifiers: Vec<AccountId>,
	/// Over how many reports the medians are taken: its verifiers when the first report came.
	pub slots: u32,
	/// The reports, in the order they came.
	pub reports: Vec<QualityReportInfo<AccountId>>,
	/// Each kind's lower median over `slots` reports, a missing report counting as zero.
	pub measured: Capacity,
	/// The lower median of the reports' quality.
	pub quality: Perbill,
	/// Whether the reports were judged against the medians (once all of at least three came).
	pub judged: bool,
}

/// One line of a round's leaderboard.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct LeaderboardEntry<AccountId> {
	/// The provider.
	pub account: AccountId,
	/// Its points in the round (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub points: Points,
}

/// The usage a provider recorded for one round of a lease that has not settled yet.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
pub struct RoundUsage {
	/// The round.
	pub round: RoundIndex,
	/// The usage units metered in it (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub counter: u64,
	/// The units the consumer signed a receipt for, already paid (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub receipted: u64,
	/// Whether the consumer disputed the units above `receipted`.
	pub disputed: bool,
}

/// A lease, with its escrow and the usage of its rounds not settled yet.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
#[cfg_attr(
	feature = "std",
	serde(bound(
		serialize = "AccountId: Serialize, Balance: core::fmt::Display",
		deserialize = "AccountId: Deserialize<'de>, Balance: core::str::FromStr"
	))
)]
pub struct LeaseInfo<AccountId, Balance> {
	/// The lease's id (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub id: u64,
	/// Who pays.
	pub consumer: AccountId,
	/// Who serves.
	pub provider: AccountId,
	/// What is leased.
	pub kind: ResourceKind,
	/// The capacity reserved: milli-vCPU, storage units or Mbit/s (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub units_per_round: u64,
	/// The usage units a round may meter: `unitsPerRound`, for bandwidth that many Mbit/s for a
	/// round's seconds, in megabits (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub quota: u64,
	/// The price per usage unit, fixed when the lease opened (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub price: Balance,
	/// The first round of the lease.
	pub start_round: RoundIndex,
	/// The round after its last.
	pub end_round: RoundIndex,
	/// Every round before this one is settled.
	pub settled_to: RoundIndex,
	/// The parent hash of the block it opened in, which its usage receipts name (`0x` hex in
	/// JSON).
	#[cfg_attr(feature = "std", serde(with = "proof_of_sync_primitives::hex32"))]
	pub opened_after: [u8; 32],
	/// What the consumer put in escrow (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub deposited: Balance,
	/// What is still held for its rounds not settled (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub escrow: Balance,
	/// What the provider was paid (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub paid: Balance,
	/// What went to the reward pot as fees (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub fees: Balance,
	/// What returned to the consumer (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub refunded: Balance,
	/// The usage recorded for its rounds not settled yet, oldest first.
	pub usage: Vec<RoundUsage>,
}

/// How much of one kind of a provider's capacity its leases book.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "std", serde(rename_all = "camelCase"))]
#[cfg_attr(
	feature = "std",
	serde(bound(
		serialize = "Balance: core::fmt::Display",
		deserialize = "Balance: core::str::FromStr"
	))
)]
pub struct KindUtilization<Balance> {
	/// The kind.
	pub kind: ResourceKind,
	/// The provider's price per usage unit; zero if it does not lease the kind out (a decimal
	/// string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub price: Balance,
	/// What a lease starting next round may book in all: the smaller of the declared capacity
	/// and what its verifiers measured in the last closed round (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub capacity: u64,
	/// What the leases running next round book (a decimal string in JSON).
	#[cfg_attr(feature = "std", serde(with = "as_string"))]
	pub booked: u64,
	/// How many leases book it now (ended ones not counted).
	pub leases: u32,
}

sp_api::decl_runtime_apis! {
	/// Read access to Proof of Sync: rounds, providers, scores, rewards, verifiers.
	///
	/// Version 2 added the verifier, probe and `sync` key methods, `ProviderInfo::next_capacity`
	/// and the capacity fields of `ScoreBreakdown` (no chain ran version 1 with them missing);
	/// version 3 added `storage_audits`; version 4 the lease methods, and `ScoreBreakdown`'s
	/// `usage_points` and `disputed_points` in the middle of the struct: a client reading a
	/// version 3 runtime's `score_breakdown` with version 4 types fails to decode it (only dev
	/// and test chains ran version 3).
	#[api_version(4)]
	pub trait ProofOfSyncApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The round in progress; `None` before the first round started.
		fn round_info() -> Option<RoundInfo<BlockNumber>>;

		/// The record of provider `who`, if it is registered.
		fn provider(who: AccountId) -> Option<ProviderInfo<Balance>>;

		/// The blocks of the current round that challenged `who` so far, up to the current block.
		/// Later challenges are not known before their parent block is built.
		fn challenges(who: AccountId) -> Vec<BlockNumber>;

		/// `who`'s score in `round`, if the round's records are kept and it was challenged in it.
		fn score_breakdown(who: AccountId, round: RoundIndex) -> Option<ScoreBreakdown<Balance>>;

		/// The rewards `who` may claim, oldest round first.
		fn pending_rewards(who: AccountId) -> Vec<PendingReward<Balance>>;

		/// The providers with the most points in `round`, highest first (ties by account): page
		/// `page` (from 0) of `page_size` entries, at most [`MAX_LEADERBOARD_PAGE`]. Only the
		/// best [`MAX_LEADERBOARD_PAGE`] providers of a round are kept, so pages past the first
		/// at the largest size are empty. Empty once the round is no longer retained.
		fn leaderboard(round: RoundIndex, page: u32, page_size: u32) -> Vec<LeaderboardEntry<AccountId>>;

		/// The targets `verifier` is assigned to probe in the round in progress, with their
		/// endpoints: empty if it is not an active provider of the round.
		fn verifier_assignments(verifier: AccountId) -> Vec<Assignment<AccountId>>;

		/// The verifiers of `target` in the round in progress: empty if it is not an active
		/// provider of the round.
		fn verifiers(target: AccountId) -> Vec<AccountId>;

		/// What `round`'s verifiers reported about `target`, if the round is kept.
		fn quality_reports(target: AccountId, round: RoundIndex) -> Option<TargetQuality<AccountId>>;

		/// How verifiers probe resource endpoints: what provider and verifier nodes agree on.
		fn probe_config() -> ProbeConfig;

		/// The `sync` key (sr25519 public key bytes) of `who`'s session keys, if it has one: the
		/// key its node signs attestations, reports and probe requests with.
		fn sync_key(who: AccountId) -> Option<[u8; 32]>;

		/// The account whose session keys have `key` as their `sync` key, if any: how a node
		/// finds the providers whose keys it holds.
		fn sync_key_owner(key: [u8; 32]) -> Option<AccountId>;

		/// The storage audits open against provider `target`, one a verifier: the samples its
		/// node must prove on chain (`answer_audit`) by each audit's deadline.
		fn storage_audits(target: AccountId) -> Vec<StorageAudit<AccountId, BlockNumber>>;

		/// The leases of `who` not closed yet: those it pays for, then those it serves that
		/// have not ended.
		fn leases(who: AccountId) -> Vec<LeaseInfo<AccountId, Balance>>;

		/// Lease `id`, if it is not closed.
		fn lease(id: u64) -> Option<LeaseInfo<AccountId, Balance>>;

		/// How much of each kind of `provider`'s capacity its leases book, with its prices:
		/// empty if it is not a provider.
		fn utilization(provider: AccountId) -> Vec<KindUtilization<Balance>>;
	}
}

/// Serde for numbers that outgrow JavaScript's: a decimal string.
#[cfg(feature = "std")]
mod as_string {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer, T: core::fmt::Display>(
		value: &T,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		serializer.collect_str(value)
	}

	pub fn deserialize<'de, D: Deserializer<'de>, T: core::str::FromStr>(
		deserializer: D,
	) -> Result<T, D::Error> {
		String::deserialize(deserializer)?
			.parse()
			.map_err(|_| D::Error::custom("expected a decimal string"))
	}
}

/// Serde for an optional big number: a decimal string or `null`.
#[cfg(feature = "std")]
mod option_as_string {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer, T: core::fmt::Display>(
		value: &Option<T>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match value {
			Some(value) => serializer.collect_str(value),
			None => serializer.serialize_none(),
		}
	}

	pub fn deserialize<'de, D: Deserializer<'de>, T: core::str::FromStr>(
		deserializer: D,
	) -> Result<Option<T>, D::Error> {
		Option::<String>::deserialize(deserializer)?
			.map(|s| s.parse().map_err(|_| D::Error::custom("expected a decimal string")))
			.transpose()
	}
}

/// Serde for bytes that are text (an endpoint): a string, with any invalid UTF-8 replaced.
#[cfg(feature = "std")]
mod as_text {
	use serde::{Deserialize, Deserializer, Serializer};

	pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&String::from_utf8_lossy(bytes))
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
		Ok(String::deserialize(deserializer)?.into_bytes())
	}
}
