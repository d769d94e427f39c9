//! # Sync attestation pallet
//!
//! Proof of Sync rounds: every active provider shows, at one or more challenges a round, that it
//! follows the chain, by signing a recent block of it within a few blocks of the challenge; the
//! answers become the round's points, and the validator candidates with the most points become
//! the authorities of a coming session.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, events, errors, storage and configuration. The pallet
//! also implements, for the runtime:
//! - `pallet_session::SessionManager`: rounds are sessions; the session manager opens and closes
//!   rounds and picks the authority set;
//! - `OneSessionHandler` and `BoundToRuntimeAppPublic` for the `sync` key ([`crypto::SyncId`]), so
//!   the key can be one of the runtime's session keys;
//! - [`proof_of_sync_primitives::RoundClock`] and [`proof_of_sync_primitives::RoundPoints`], read
//!   by the other Proof of Sync pallets;
//! - read helpers for the runtime API: [`Pallet::round_in_progress`],
//!   [`Pallet::challenges_so_far`], [`Pallet::sync_score`], [`Pallet::leaderboard`],
//!   [`Pallet::verifiers_of`], [`Pallet::targets_of`], [`Pallet::quality_reports`],
//!   [`Pallet::dataset_in`] and [`Pallet::probe_config`].
//!
//! ## Overview
//!
//! The chain runs in **rounds** of `RoundLength` blocks. When a round starts a new seed is fixed;
//! from then on each block of the round's challenge span **challenges** a random sample of the
//! active providers. Whether block `b` challenges provider `p` depends on the randomness `b`'s
//! parent made from its author's VRF, so nobody knows it before `b`'s parent is built (its author
//! knows it one block early; [`Pallet::is_challenge`]):
//! a provider cannot tell when it will be asked, and must follow the chain all the time. The
//! chance `q` that a block challenges a given provider shrinks as the network grows, so that
//! about `TargetAttestationsPerBlock` providers are challenged per block at any `N`; a provider
//! expects `q × span` challenges a round (at most `MaxChallengesPerRound`), and at large `N` less
//! than one: it is then challenged in a round only with some probability.
//!
//! A provider's node answers each challenge on its own, if its offchain workers run (by default
//! only on authorities; see the node's `--offchain-worker` flag): when the node imports a block
//! that challenges the provider, its offchain worker signs with the provider's `sync` key that
//! block's number and hash and the number of the last block the node finalized, and submits that
//! **attestation** as a fee-free transaction. The chain accepts it only if the hash really is the
//! chain's block at that number and the answer is included within `ResponseWindow` blocks. The
//! **sync lag** is what the chain sees: the blocks between the challenge block and the block
//! before the one that includes the answer, so an answer in the next block has lag 0 and a later
//! retry earns what its delay deserves, the same for everyone. An answer earns sync credit: its lag
//! factor divided by the challenges the provider expects in the round, so a provider's expected
//! credit per round does not depend on `N`. Its points are its credit times `BasePoints` plus its
//! capacity points, which count only what the round's verifiers measured (see the
//! [`verification`] module): declared capacity is an upper bound, never a claim that pays. Its
//! usage points come on top: what its leases were paid for in the round (the usage pallet, through
//! [`proof_of_sync_primitives::UsageSink`]), `UsageWeights` a thousand usage units, at most
//! `MaxUsageShare` of its capacity points (a provider cannot be told from its own consumers, so
//! leasing to itself adds no more); what its consumers disputed comes off, as much again but at
//! most `MaxDisputeShare` of its capacity points, in the round after it settled. A
//! node that reports itself major-syncing, or that published no sync status, does not answer.
//! The chain checks that whoever holds the `sync` key knew the challenge block in time; it
//! cannot tell whether the provider's own node is in sync.
//!
//! When the round ends its points are final: the rewards pallet pays out of them, and the active
//! validator candidates with the most points in it become the authorities of the session after
//! next (a sitting authority's points count `HysteresisMargin` more when ranked against
//! challengers). Only a candidate that can sit is ranked: active, bonded at least the registry's
//! validator minimum, and with session keys including a `sync` key (pallet-session leaves out a
//! validator without keys). If fewer than `MinAuthorities` of those earned points, the authority
//! set stays as it is, less its members that were chilled, are leaving or withdrew, or purged their
//! keys (unless none would be left). One session's ranking drops at most `MaxSetShrink` of the set
//! (and at least one member): the best of the dropped members that can still sit keep their seats
//! to make up the difference. The set is never emptied.
//!
//! A seat needs a node that authors: an authority that authors none of its Aura slots in more
//! than `MaxMissedRounds` rounds in a row is benched and not chosen again until its node, run with
//! `--validator`, sends a heartbeat signed with its Aura key (each bench since it last authored
//! lasting twice as long). And finality never stalls for good: when the finalized height the
//! authorities' attestations report trails the chain by more than `FinalityStallBound` at a
//! round's end, the runtime is told (`OnFinalityStalled`; in the runtime, pallet-grandpa's stall
//! path forces a set change to the next session's authorities). See the [`liveness`] module.
//!
//! Anyone can report a provider that signed two different blocks for one height (it loses
//! `EquivocationSlash` of its bond and the reporter gets `ReporterCut` of that), or one that
//! answered fewer than `MinUptime` of the challenges it expected over its latest closed rounds,
//! taken until they expected `OfflineWindow` challenges (it is chilled until it re-activates):
//! uptime is judged over enough challenges that one unlucky round chills no one. Neither is
//! punished without a report.
//!
//! ## Low-level design
//!
//! - **Randomness.** Each block's author signs, with the Aura key of its slot, a VRF over the
//!   chain's genesis hash, the slot and the block number, and the node adds it as the
//!   `note_block_vrf` inherent; the runtime checks it and stores `R(b) = blake2_256(R(b - 1) ‖ VRF
//!   output)` ([`Randomness`]; `R(b - 1)` alone, hashed with `b`, when a block carries none). A
//!   round's seed is `R` of its first block's parent. See the [`randomness`] module for what bias a
//!   withholding author still has: at most one bit a block it authors, never a search.
//! - **Challenges.** With `span = RoundLength - ResponseWindow` (every answer fits in the round)
//!   and `q = min(TargetAttestationsPerBlock / N, MaxChallengesPerRound / span, 1)`, block `b` of
//!   the span challenges `p` when `blake2_256(R(b - 1) ‖ b ‖ p)`, read as a fraction of 2⁶⁴, is
//!   below `q`. Checking one is O(1); nothing stores the assignment. The chain knows how many
//!   challenges a provider could expect (`q × span`), not how many it got: uptime is `answered /
//!   expected`.
//! - **Attestations** are general transactions authorized by `#[pallet::authorize]`: one shared
//!   check runs in the transaction pool and again at dispatch; the pool deduplicates them by the
//!   tag `(provider, round, challenge_block)`. Applying one is O(1): it updates the provider's
//!   [`ProviderRounds`] entry, the round's [`Rounds`] totals and the round's [`Leaderboard`] (the
//!   `MAX_LEADERBOARD_PAGE` best providers, so reading it never reads the whole round), and, when
//!   the provider signed with a new key, its bounded [`SigningKeys`].
//! - **Points** of an answer: `Σ_kind declared(kind) × CapacityWeights(kind)` divided by the
//!   challenges the provider expects in the round (`q × span`), times the lag factor `(W - lag) /
//!   W` with `W = ResponseWindow - SyncLagGrace`. The lag is counted from the block `SyncLagGrace`
//!   blocks after the earliest an answer can be in, so one author that leaves an answer out costs
//!   it nothing. A provider that answers every challenge with lag 0 earns, on average, its full
//!   capacity points a round.
//! - **Round boundaries** (pallet-session's `end_session`, `start_session`, `new_session`) do O(1)
//!   work, except the authority ranking, which is bounded by `MaxCandidates`. Their weight is
//!   registered with `frame_system` as they run. Old rounds' records are removed lazily in
//!   `on_idle`, at most `MaxCleanupPerBlock` keys per block; a round creates about
//!   `TargetAttestationsPerBlock × span` records whatever `N` is, and `integrity_test` requires
//!   `MaxCleanupPerBlock ≥ 2 × TargetAttestationsPerBlock`, so cleanup keeps pace with the records
//!   attestations create. No hook iterates over providers.
//! - **Offchain worker.** Reads the node's [`SyncStatus`] at [`SYNC_STATUS_KEY`] (published by the
//!   node; no status or a major-syncing node means no attestation) and, for every local `sync` key
//!   of an active provider, submits an attestation signed with that key for each of its challenges
//!   whose window is still open and that is not answered on chain yet: this block's, and earlier
//!   ones whose answer missed a block or left the pool. Each attests the challenge block's number
//!   and hash as the node has them. It does not attest when the node's best block is more than the
//!   node's `--attest-max-finality-lag` ahead of its finality, and it never signs two hashes at one
//!   height (a record per key in the node's offchain storage): see the `offchain` module.
//! - **Signed payload.** A `sync` key signs the context `proof-of-sync/attest`, this chain's
//!   genesis hash and the attestation ([`Pallet::signing_payload`]), so a signature made for
//!   another chain proves nothing here. Two chains started from the same chain spec share a genesis
//!   hash: never run one `sync` key on both (for example on a relaunched chain).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use impls::ATTESTATION_TAG_PREFIX;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

pub mod audit;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod crypto;
mod impls;
pub mod liveness;
#[cfg(test)]
mod mock;
mod offchain;
pub mod randomness;
mod session;
#[cfg(test)]
mod tests;
pub mod types;
pub mod verification;
pub mod weights;

const LOG_TARGET: &str = "runtime::sync-attestation";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::crypto::SyncSignature;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		inherent::{InherentData, InherentIdentifier, MakeFatalError, ProvideInherent},
		pallet_prelude::*,
	};
	use frame_system::{offchain::CreateAuthorizedTransaction, pallet_prelude::*};
	use proof_of_sync_primitives::{
		Capacity, DatasetCommitment, OnRoundClosed, Points, ProbeConfig, ProviderRegistry,
		RoundIndex, MAX_LEADERBOARD_PAGE,
	};
	use sp_runtime::{
		traits::{One, Saturating},
		Perbill,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config + CreateAuthorizedTransaction<Call<Self>> {
		/// The balance type of provider bonds, as the registry reports them.
		type Bond: Parameter + Member + MaxEncodedLen + Ord + Copy + Default;

		/// Who authors the block being built: its slot and its Aura key, which signs the block's
		/// VRF (in the runtime: the Aura authority of the slot); and whose Aura keys are whose, to
		/// tell which authorities author their slots and to check heartbeats.
		type BlockAuthor: BlockAuthor<Self::AccountId>;

		/// Told when the authorities' reported finality stalled (in the runtime: pallet-grandpa's
		/// stall path, a forced authority set change at the next session change).
		type OnFinalityStalled: OnFinalityStalled<BlockNumberFor<Self>>;

		/// The provider registry: who is active, what they declared, who may be an authority, and
		/// how to chill or slash one.
		type Registry: ProviderRegistry<Self::AccountId, Self::Bond>;

		/// Where providers' `sync` keys are registered (in the runtime: pallet-session's keys).
		type SyncKeys: SyncKeys<Self::AccountId>;

		/// Told when a round closes and its points are final (the rewards pallet).
		type OnRoundClosed: OnRoundClosed;

		/// The authorities of the session in progress (in the runtime: pallet-session's
		/// validators). They are the incumbents the hysteresis favours.
		type CurrentAuthorities: Get<Vec<Self::AccountId>>;

		/// Blocks per round. Must be the session period of pallet-session.
		#[pallet::constant]
		type RoundLength: Get<BlockNumberFor<Self>>;

		/// Blocks after a challenge block in which its answer must be included (at most 64). Also
		/// (with `SyncLagGrace` added to the lag) the lag at which an answer would be worth
		/// nothing.
		#[pallet::constant]
		type ResponseWindow: Get<u32>;

		/// Blocks of lag an answer is not charged for: the lag counts from the block
		/// `1 + SyncLagGrace` blocks after the challenge block. A block author that leaves a
		/// rival's answer out of its block (or one that missed its gossip) then costs it
		/// nothing; one more block does. Below `ResponseWindow`.
		#[pallet::constant]
		type SyncLagGrace: Get<u32>;

		/// The number of attestations per block the challenge count aims at.
		#[pallet::constant]
		type TargetAttestationsPerBlock: Get<u32>;

		/// The most challenges a provider can expect in one round: at small `N` a provider is
		/// challenged at most this many times a round on average.
		#[pallet::constant]
		type MaxChallengesPerRound: Get<u32>;

		/// Points per declared unit of each resource kind, for an answer with no lag.
		#[pallet::constant]
		type CapacityWeights: Get<Capacity>;

		/// The points a round's worth of sync (every expected challenge answered with no lag)
		/// earns whatever the provider's capacity: what being an in-sync node is worth. Measured
		/// capacity adds its capacity points on top.
		#[pallet::constant]
		type BasePoints: Get<Points>;

		/// How many verifiers each target has in a round, at most (fewer when some of the ring
		/// positions after it hold providers that are not active). At least 1.
		#[pallet::constant]
		type MaxVerifiersPerTarget: Get<u32>;

		/// The liveness latency, in milliseconds, at which a report's quality reaches 0; it falls
		/// linearly from 100 % at 0 ms.
		#[pallet::constant]
		type MaxProbeLatency: Get<u32>;

		/// The largest storage overclaim the probe settings may leave unanswered:
		/// `set_probe_config` and genesis refuse settings whose
		/// [`ProbeConfig::resealable_overclaim`] is above it, so that a provider keeping less
		/// than one leaf in this many of its dataset cannot answer a storage probe in time, even
		/// on hardware four times faster than a reference core.
		#[pallet::constant]
		type MaxStorageOverclaim: Get<u32>;

		/// The part of a verifier's points in the next round it forfeits per outlier report.
		#[pallet::constant]
		type OutlierPenalty: Get<Perbill>;

		/// Points per thousand usage units of each kind a provider's leases were paid for (the
		/// usage pallet): milli-vCPU reserved for a round, storage units held in a round, megabits
		/// served. Units its consumers disputed (and never receipted) cost the provider what they
		/// would have earned, in the round after the one they settle in.
		#[pallet::constant]
		type UsageWeights: Get<Capacity>;

		/// The most usage points count in a round, as a share of the provider's capacity points
		/// (what its verifiers measured). A provider cannot tell its consumers from itself, so
		/// usage it pays itself for through a second account adds at most this share.
		#[pallet::constant]
		type MaxUsageShare: Get<Perbill>;

		/// The most disputed usage takes off a round's points, as a share of the provider's
		/// capacity points. Keep it below `HysteresisMargin`: a consumer that leases from a
		/// provider only to dispute it must not be able to cost it its authority seat.
		#[pallet::constant]
		type MaxDisputeShare: Get<Perbill>;

		/// How many overstated reports within `HistoryDepth` rounds get a verifier slashed.
		#[pallet::constant]
		type MaxOutlierStrikes: Get<u32>;

		/// The part of its bond a verifier loses at `MaxOutlierStrikes` overstated reports.
		#[pallet::constant]
		type OutlierSlash: Get<Perbill>;

		/// The uptime (challenges answered / challenges expected) below which a provider counts
		/// as offline over its `OfflineWindow`.
		#[pallet::constant]
		type MinUptime: Get<Perbill>;

		/// How many challenges a provider must have expected, over its latest closed rounds,
		/// before it is judged offline: the window is as many rounds as that takes. Challenges
		/// are drawn at random, so a window of few challenges would chill honest providers that
		/// were merely unlucky; at large `N`, where a provider expects less than one challenge a
		/// round, the window spans many rounds.
		#[pallet::constant]
		type OfflineWindow: Get<u32>;

		/// The part of its bond a provider loses for signing two different blocks at one height.
		#[pallet::constant]
		type EquivocationSlash: Get<Perbill>;

		/// The part of a slash paid to whoever reported the offence.
		#[pallet::constant]
		type ReporterCut: Get<Perbill>;

		/// The part of its bond a provider loses when its committed storage dataset is proven not
		/// sealed (`report_storage_fraud`). A cheater keeping only the tree of a dataset broken
		/// every `X` leaves passes a 16-sample probe with a chance of about `(1 − 1/X)^16`, so it
		/// is caught within a few rounds: the slash must outweigh that many rounds' storage
		/// rewards.
		#[pallet::constant]
		type StorageFraudSlash: Get<Perbill>;

		/// How many blocks after the block it opened in a storage audit may be answered (its
		/// deadline); one still open after it is missed. At least 1 and at most `RoundLength`.
		#[pallet::constant]
		type AuditWindow: Get<u32>;

		/// The most storage audits that may fall due in one block: `open_audit` refuses more
		/// (`TooManyAudits`), so settling a block's audits is bounded. Their answers must fit in
		/// half a block's length (`integrity_test`) and weight (the probe settings' check).
		#[pallet::constant]
		type MaxAuditsPerBlock: Get<u32>;

		/// The most samples a storage probe, and so a storage audit, asks for: the probe settings'
		/// `storage_samples` may not exceed it.
		#[pallet::constant]
		type MaxAuditSamples: Get<u32>;

		/// How many counted storage audits a provider may miss within `HistoryDepth` rounds: the
		/// one that reaches this is slashed `StorageFraudSlash` (see the `audit` module).
		#[pallet::constant]
		type MaxMissedAudits: Get<u32>;

		/// The most entries of a provider's `SigningKeys`: each time its accepted attestations
		/// are signed with another key than the last one recorded (a key used again counts
		/// again), an entry is added, and the entries whose last round has expired go. An
		/// attestation that would need one more is refused (`TooManySigningKeys`) until the oldest
		/// entry's last round expires. At least 2, so a provider can always replace its key.
		#[pallet::constant]
		type MaxSigningKeys: Get<u32>;

		/// The most authorities the session manager chooses.
		#[pallet::constant]
		type MaxAuthorities: Get<u32>;

		/// The fewest qualified candidates (candidates with session keys, a `sync` key and
		/// points) for a new authority set; with fewer the current set stays, less its members
		/// that can no longer sit.
		#[pallet::constant]
		type MinAuthorities: Get<u32>;

		/// The most of the authority set one session's ranking may drop, as a part of the set's
		/// size, rounded down; at least one member may always be dropped. The best members that
		/// can still sit (candidates with keys) keep their seats to make up the difference; a
		/// member that can no longer sit goes whatever this says. Below 100 %.
		#[pallet::constant]
		type MaxSetShrink: Get<Perbill>;

		/// How much a sitting authority's score is raised when ranked against challengers.
		#[pallet::constant]
		type HysteresisMargin: Get<Perbill>;

		/// The most validator candidates ranked at a round boundary. Set it to the registry's
		/// candidate limit.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// How many closed rounds of scores are kept. At least the rewards pallet's history depth.
		#[pallet::constant]
		type HistoryDepth: Get<u32>;

		/// The most storage keys of expired rounds removed in one block's `on_idle`.
		#[pallet::constant]
		type MaxCleanupPerBlock: Get<u32>;

		/// The transaction-pool priority of attestations and heartbeats.
		#[pallet::constant]
		type AttestationPriority: Get<TransactionPriority>;

		/// How many rounds in a row an authority may have Aura slots in and author none of them:
		/// one that does so once more is benched (it cannot be chosen again until its node sends a
		/// heartbeat). A round counts once however many slots it missed, so a pause of the whole
		/// network does not bench everyone at once.
		#[pallet::constant]
		type MaxMissedRounds: Get<u32>;

		/// How far, in blocks, the finalized height an authority reports (the highest it reported
		/// in the round) may trail the chain when a round closes: when two thirds of the reports
		/// trail by more than this, from at least two thirds of the authorities that authored in
		/// the round, finality counts as stalled (see the `liveness` module). At least
		/// `RoundLength`, so the stall lasted a whole round.
		#[pallet::constant]
		type FinalityStallBound: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// What the benchmarks need from the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The round in progress. Opened at genesis by pallet-session's `start_session(0)` (and again
	/// by this pallet's genesis build, after the registry's).
	#[pallet::storage]
	pub type CurrentRound<T: Config> = StorageValue<_, RoundParamsOf<T>, OptionQuery>;

	/// The record of the current round and of the last `HistoryDepth` closed rounds (and of
	/// expired rounds until `on_idle` removes them).
	// Twox64Concat: round indices are not chosen by users.
	#[pallet::storage]
	pub type Rounds<T: Config> =
		StorageMap<_, Twox64Concat, RoundIndex, RoundSummaryOf<T>, OptionQuery>;

	/// What each provider proved in each retained round. Only providers with at least one
	/// accepted attestation have an entry.
	// Twox64Concat for the round: not chosen by users.
	#[pallet::storage]
	pub type ProviderRounds<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		T::AccountId,
		ProviderRoundStats,
		OptionQuery,
	>;

	/// The randomness after each of the last `RoundLength + 1` blocks, `R(block)`: the block's
	/// author's VRF output folded into its parent's (see the `randomness` module). Block `b`'s
	/// challenges are drawn from `R(b - 1)`.
	// Twox64Concat: block numbers are not chosen by users.
	#[pallet::storage]
	pub type Randomness<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, [u8; 32], OptionQuery>;

	/// The validator candidates of each retained round, as the registry listed them when the
	/// round started (at most `MaxCandidates`): for the whole round they are challenged at the
	/// candidates' fixed rate (see `Pallet::odds_of`). The value is the highest finalized block
	/// the candidate's accepted attestations of the round reported (0 before its first), from
	/// which the chain tells whether finality stalled.
	// Twox64Concat for the round: not chosen by users.
	#[pallet::storage]
	pub type RoundCandidates<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		T::AccountId,
		BlockNumberFor<T>,
		OptionQuery,
	>;

	/// The last round in which each authority authored a block (a round's first block, which may
	/// change the authorities before it is counted, is not counted).
	#[pallet::storage]
	pub type AuthoredIn<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, RoundIndex, OptionQuery>;

	/// Rounds in a row in which each authority had Aura slots and authored none, counted at
	/// round ends; removed once it authors or is benched.
	#[pallet::storage]
	pub type MissedRounds<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, OptionQuery>;

	/// How many times each account was benched since it last authored in a round: each time, it
	/// stays benched twice as long before a heartbeat counts (at most 64 rounds).
	#[pallet::storage]
	pub type Strikes<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, OptionQuery>;

	/// The round in progress and the slot of its first block: the slots after it, up to the
	/// round's last block, are the ones its authorities are judged over.
	#[pallet::storage]
	pub type RoundStartSlot<T: Config> = StorageValue<_, (RoundIndex, u64), OptionQuery>;

	/// Authorities benched for authoring nothing in more than `MaxMissedRounds` rounds in a row,
	/// and the first round in which their heartbeat counts: they are not chosen as authorities
	/// until their node sends one (`heartbeat`).
	#[pallet::storage]
	pub type Benched<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, RoundIndex, OptionQuery>;

	/// While finality is stalled: the finalized height the authorities last reported, the base
	/// of the forced authority set change. Removed when a round closes with finality in bounds.
	#[pallet::storage]
	pub type FinalityStall<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// The blocks at which the latest GRANDPA set changes were signalled (session changes with a
	/// new set or new keys; at most `MAX_TRACKED_SET_CHANGES`), and the base of the latest forced
	/// change. A forced change must vote from a base below every standard change a node may not
	/// have finalized yet (or the node refuses the block), and not below the previous base.
	#[pallet::storage]
	pub type SetChanges<T: Config> =
		StorageValue<_, SetChangeRecord<BlockNumberFor<T>>, ValueQuery>;

	/// The `MAX_LEADERBOARD_PAGE` providers with the most points in each retained round, most
	/// points first (ties by account), kept as attestations arrive so that reading a round's
	/// leaderboard does not read every record of the round.
	// Twox64Concat: round indices are not chosen by users.
	#[pallet::storage]
	pub type Leaderboard<T: Config> = StorageMap<
		_,
		Twox64Concat,
		RoundIndex,
		BoundedVec<(T::AccountId, Points), ConstU32<MAX_LEADERBOARD_PAGE>>,
		ValueQuery,
	>;

	/// The last round that closed. Its points rank the next authorities.
	#[pallet::storage]
	pub type LastClosedRound<T: Config> = StorageValue<_, RoundIndex, OptionQuery>;

	/// The oldest round whose records may still be stored. Rounds from here up to
	/// `LastClosedRound - HistoryDepth` have expired and are being removed in `on_idle`.
	#[pallet::storage]
	pub type NextToClean<T: Config> = StorageValue<_, RoundIndex, ValueQuery>;

	/// The `sync` keys that signed each provider's accepted attestations, oldest first, each with
	/// the round it first signed one in. A key was the provider's from its predecessor's first
	/// round to its successor's first round. `report_equivocation` checks a proof about a height
	/// against the keys in use in the height's round, these and the provider's key now, so
	/// replacing a key that signed on chain does not escape the slash, and a replaced key cannot
	/// be used against heights after its successor's first round. A key is forgotten, when the
	/// provider's next key is recorded, once its last round has expired: no proof of a height it
	/// signed while in use can be judged any more. The newest key stays.
	#[pallet::storage]
	pub type SigningKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, SigningKeysOf<T>, ValueQuery>;

	/// What the verifiers of a round reported about each target, with the medians: `(round,
	/// target)`. Kept as long as the round.
	#[pallet::storage]
	pub type QualityReports<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		T::AccountId,
		TargetReportsOf<T>,
		ValueQuery,
	>;

	/// How many of a verifier's reports were outliers, by the round in which they cost it
	/// (`OutlierPenalty` each): `(round, verifier)`, written in the round before. Kept as long as
	/// the round.
	#[pallet::storage]
	pub type Penalties<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		T::AccountId,
		u32,
		ValueQuery,
	>;

	/// The usage credit, in thousandths of a point, that the units a provider billed and its
	/// consumers disputed would have earned, noted when their rounds settled in the round before,
	/// by the round whose points it comes off: `(round, provider)`. Kept as long as the round.
	#[pallet::storage]
	pub type DisputedUsage<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		T::AccountId,
		Points,
		ValueQuery,
	>;

	/// How verifiers probe resource endpoints: what provider and verifier nodes agree on.
	#[pallet::storage]
	pub type ProbeSettings<T: Config> = StorageValue<_, ProbeConfig, ValueQuery>;

	/// Each provider's storage dataset commitments (`commit_dataset`).
	#[pallet::storage]
	pub type Datasets<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, DatasetRecord, ValueQuery>;

	/// The storage audits open (`open_audit`), by target and verifier, until answered or due.
	#[pallet::storage]
	pub type Audits<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		StorageAuditOf<T>,
		OptionQuery,
	>;

	/// The last round in which each provider was audited, and by which of its verifiers: one
	/// audit a verifier, target and round.
	#[pallet::storage]
	pub type AuditedIn<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		(RoundIndex, BoundedVec<T::AccountId, T::MaxVerifiersPerTarget>),
		OptionQuery,
	>;

	/// The audits (target, verifier) that fall due in each block (their deadline), settled in the
	/// next block's `on_initialize`; at most `MaxAuditsPerBlock` a block. An answered or closed
	/// audit leaves the list.
	// Twox64Concat: block numbers are not chosen by users.
	#[pallet::storage]
	pub type AuditDeadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<(T::AccountId, T::AccountId), T::MaxAuditsPerBlock>,
		ValueQuery,
	>;

	/// A provider's counted missed storage audits (see the `audit` module) within the last
	/// `HistoryDepth` rounds: the rounds their audits opened in, oldest first, no two next to
	/// each other; emptied by a slash.
	#[pallet::storage]
	pub type MissedAudits<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<RoundIndex, T::MaxMissedAudits>,
		ValueQuery,
	>;

	/// A verifier's overstated reports: how many, since which round. Counting starts again once
	/// `HistoryDepth` rounds passed since the first, and after a slash.
	#[pallet::storage]
	pub type OutlierStrikes<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u32, RoundIndex), OptionQuery>;

	/// Equivocations already punished: `(round of the height, (provider, height))`. Kept as long
	/// as the round.
	// Twox64Concat for the round: not chosen by users.
	#[pallet::storage]
	pub type Reported<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		(T::AccountId, BlockNumberFor<T>),
		(),
		OptionQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A round started and its seed is fixed.
		RoundStarted {
			/// The round's index.
			round: RoundIndex,
			/// Its first block.
			start: BlockNumberFor<T>,
			/// The chance that one block of the round challenges one given provider.
			challenge_odds: Perbill,
		},
		/// A provider answered a sync challenge.
		Attested {
			/// The provider.
			provider: T::AccountId,
			/// The round.
			round: RoundIndex,
			/// The challenge answered.
			challenge_block: BlockNumberFor<T>,
			/// The sync lag the chain measured: blocks between the challenge block and the block
			/// before the one the answer is in, less `SyncLagGrace`.
			lag: u32,
			/// The points the answer earned.
			points: Points,
		},
		/// A round closed; its points are final.
		RoundClosed {
			/// The round.
			round: RoundIndex,
			/// The sum of every provider's points.
			total_points: Points,
			/// How many attestations were accepted.
			attestations: u32,
		},
		/// Too few candidates with keys proved their sync: the authority set stays as it is, less
		/// its members that can no longer sit ([`Event::AuthoritiesDropped`] names them).
		AuthoritySetKept {
			/// The session the set was planned for.
			round: RoundIndex,
			/// How many candidates with keys had points.
			qualified: u32,
		},
		/// The authority set was kept (see [`Event::AuthoritySetKept`]) without these members:
		/// they were chilled, are leaving or withdrew, or have no session keys or `sync` key.
		AuthoritiesDropped {
			/// The session the set was planned for.
			round: RoundIndex,
			/// The members left out of the kept set.
			dropped: BoundedVec<T::AccountId, T::MaxAuthorities>,
		},
		/// A new authority set was chosen; it takes over in session `round`.
		AuthoritiesChosen {
			/// The session the set was planned for.
			round: RoundIndex,
			/// The authorities, best first; sitting members kept by `MaxSetShrink` come last.
			authorities: BoundedVec<T::AccountId, T::MaxAuthorities>,
		},
		/// A provider signed two different blocks at one height and was slashed.
		EquivocationReported {
			/// The provider.
			provider: T::AccountId,
			/// The height it signed two blocks for.
			height: BlockNumberFor<T>,
			/// The amount slashed from its bond.
			slashed: T::Bond,
			/// Who reported it.
			reporter: T::AccountId,
		},
		/// A provider missed too many challenges for too long and was chilled.
		ProviderReportedOffline {
			/// The provider.
			provider: T::AccountId,
			/// Who reported it.
			reporter: T::AccountId,
		},
		/// An authority authored none of its Aura slots in more than `MaxMissedRounds` rounds in
		/// a row: it is not chosen again until its node sends a heartbeat, from round `until` on.
		/// It keeps the seats already planned (pallet-session plans one session ahead).
		AuthorityBenched {
			/// The authority.
			authority: T::AccountId,
			/// The round at whose end it was benched.
			round: RoundIndex,
			/// The first round in which its heartbeat counts.
			until: RoundIndex,
		},
		/// A benched authority's node proved it runs as a validator: it may be chosen again.
		HeartbeatReceived {
			/// The authority.
			authority: T::AccountId,
			/// The round of the heartbeat.
			round: RoundIndex,
		},
		/// The finality the authorities report trailed the chain by more than
		/// `FinalityStallBound` when the round closed: a forced authority set change to the next
		/// session's authorities is scheduled, voting from `finalized`. The round does not count
		/// against anyone's uptime.
		FinalityStalled {
			/// The round that closed.
			round: RoundIndex,
			/// The finalized height the new set votes from.
			finalized: BlockNumberFor<T>,
		},
		/// A round closed with the authorities' reported finality back within
		/// `FinalityStallBound`.
		FinalityRecovered {
			/// The round that closed.
			round: RoundIndex,
		},
		/// A verifier reported what it measured at a target's resource endpoint; the target's
		/// medians and capacity points for the round are now as given.
		QualityReported {
			/// The round.
			round: RoundIndex,
			/// The verifier.
			verifier: T::AccountId,
			/// The provider probed.
			target: T::AccountId,
			/// What the verifier measured.
			measurement: Measurement,
			/// The target's median measured capacity so far.
			measured: Capacity,
			/// The target's median quality so far.
			quality: Perbill,
			/// The capacity points the medians count for: `Σ_kind min(declared, measured) ×
			/// CapacityWeights(kind) × quality`.
			capacity_points: Points,
		},
		/// A verifier's report called its target reachable when the median of its verifiers did
		/// not: it forfeits `OutlierPenalty` of its points in the next round, and it is a strike
		/// towards `VerifierSlashed`.
		OutlierReport {
			/// The round of the report.
			round: RoundIndex,
			/// The verifier.
			verifier: T::AccountId,
			/// The provider it reported about.
			target: T::AccountId,
		},
		/// A provider's committed storage dataset was proven not sealed: it was slashed and the
		/// commitment dropped, so its storage counts zero until it commits a dataset again.
		StorageFraudProven {
			/// The provider.
			provider: T::AccountId,
			/// The dataset it committed to.
			dataset: DatasetCommitment,
			/// The leaf that is not sealed.
			index: u64,
			/// The amount slashed from its bond.
			slashed: T::Bond,
			/// Who proved it.
			reporter: T::AccountId,
		},
		/// A provider's node committed to the storage dataset it holds; verifiers check its
		/// storage against it from round `from` on.
		DatasetCommitted {
			/// The provider.
			provider: T::AccountId,
			/// The dataset.
			dataset: DatasetCommitment,
			/// The first round whose verifiers check against it.
			from: RoundIndex,
		},
		/// Root changed how verifiers probe resource endpoints.
		ProbeConfigSet {
			/// The new settings.
			config: ProbeConfig,
		},
		/// A verifier opened a storage audit: `target` must prove the samples on chain
		/// (`answer_audit`) by block `deadline`.
		AuditOpened {
			/// The audited provider.
			target: T::AccountId,
			/// The verifier that opened it.
			verifier: T::AccountId,
			/// The round.
			round: RoundIndex,
			/// How many samples it asks for.
			samples: u32,
			/// The last block an answer counts in.
			deadline: BlockNumberFor<T>,
		},
		/// A storage audit was answered: every sample is in the committed dataset and sealed.
		AuditAnswered {
			/// The audited provider.
			target: T::AccountId,
			/// The verifier that opened it.
			verifier: T::AccountId,
			/// The round it was opened in.
			round: RoundIndex,
		},
		/// A storage audit fell due unanswered: the provider's dataset commitments are dropped,
		/// and it was slashed if it was up to answer (`refused`) or missed `MaxMissedAudits`
		/// counted audits (`missed`) within `HistoryDepth` rounds.
		AuditMissed {
			/// The audited provider.
			target: T::AccountId,
			/// The verifier that opened it (paid `ReporterCut` of a slash).
			verifier: T::AccountId,
			/// The round it was opened in.
			round: RoundIndex,
			/// Whether the provider answered a sync challenge of a block from the audit's opening
			/// on: it was up, and did not answer.
			refused: bool,
			/// Its counted missed audits within `HistoryDepth` rounds, this one included.
			missed: u32,
			/// The amount slashed from its bond, if it was slashed.
			slashed: Option<T::Bond>,
		},
		/// A verifier overstated `MaxOutlierStrikes` reports within `HistoryDepth` rounds and was
		/// slashed.
		VerifierSlashed {
			/// The verifier.
			verifier: T::AccountId,
			/// The round of its last overstated report.
			round: RoundIndex,
			/// How many overstated reports it made.
			strikes: u32,
			/// The amount slashed from its bond.
			slashed: T::Bond,
		},
	}

	/// Errors of this pallet. For an attestation the transaction pool refuses with
	/// `InvalidTransaction::Custom(i)`, `i` is the index of the error in this list (the first is
	/// 0), except where the error says otherwise.
	#[pallet::error]
	pub enum Error<T> {
		/// The attestation is for another round than the one in progress. Answer challenges of
		/// the current round only; an answer cannot outlive its round. (The pool says `Stale` for
		/// a past round and `Future` for a later one.)
		WrongRound,
		/// The provider is not a registered provider active in this round: it is not registered,
		/// is chilled or leaving, or registered or re-activated during this round. Providers take
		/// part from the round after they register or re-activate. A quality report's target
		/// need only have been active when the round began: one chilled or leaving since keeps
		/// its verifiers until the round ends.
		NotActiveProvider,
		/// The provider has no `sync` key. Set session keys that include one
		/// (`session.set_keys`). For `report_equivocation`: the reported provider has no `sync`
		/// key now and none on record in `SigningKeys`, so its signatures cannot be checked.
		NoSyncKey,
		/// The signature is not the provider's `sync` key over this attestation on this chain:
		/// wrong key, forged, or signed for another chain (the payload names the genesis hash).
		/// Sign `Pallet::signing_payload` of the attestation with the key in the session keys.
		/// (The pool says `BadProof`.) For `report_equivocation`: the two signatures are not both
		/// by one of the provider's `sync` keys in use in the height's round: its key now or one
		/// that signed its accepted attestations (`SigningKeys`).
		BadSignature,
		/// The block does not challenge the provider: whether a block challenges a provider is
		/// decided by the randomness of the block's parent. Answer only blocks
		/// `is_challenge` (or the runtime API's `challenges`) names for the provider, once they
		/// are built.
		NotChallenged,
		/// The challenge block has not been built yet. Answer after it. (The pool says
		/// `Future`.)
		TooEarly,
		/// The response window of the challenge is over. Answer within `ResponseWindow` blocks.
		/// (The pool says `Stale`.)
		TooLate,
		/// The attested hash is not the chain's block at the challenge height: the node is on
		/// another fork. Attest the hash of the chain's challenge block.
		WrongHash,
		/// The attested finalized number is above the challenge block. Attest the node's
		/// finalized block as it was when it answered, at most the challenge block.
		FinalizedAhead,
		/// This challenge was answered already. Nothing to do. (The pool says `Stale`.)
		AlreadyAnswered,
		/// The two attestations do not prove an equivocation: they must be by one provider, for
		/// one `challenge_block`, with different `block_hash`.
		NotEquivocation,
		/// The proof is about a height in a round older than the last `HistoryDepth` closed
		/// rounds, which are no longer judged. Report sooner.
		ProofTooOld,
		/// The proof is about a height after the current round; such attestations are not
		/// judged. Report once that height's round has started.
		ProofFromFuture,
		/// This equivocation (the provider at that height) was punished already. Nothing to do.
		AlreadyReported,
		/// The provider's bond is spent: the report would slash nothing, so it is refused (and
		/// pays its fee). Nothing to do.
		NothingToSlash,
		/// The block already carries its author's VRF. One `note_block_vrf` a block.
		BlockVrfNoted,
		/// The provider is not to be chilled for being offline: it is not active now (not
		/// registered, already chilled, or leaving); or its window (its latest closed rounds,
		/// until they expected `OfflineWindow` challenges) is not complete, because it was not
		/// active in all of them or too few rounds are retained; or it answered at least
		/// `MinUptime` of the challenges it expected in them. Report only a provider that missed
		/// its challenges over a whole window. Rounds in which finality stalled do not count.
		NotOffline,
		/// The heartbeat's authority is not benched: nothing to prove. Send heartbeats only for
		/// benched authorities (`Benched`). (The pool says `Stale`.)
		NotBenched,
		/// The heartbeat's authority is benched until a later round (`Benched` holds the first
		/// round its heartbeat counts in; each time it is benched again, twice as long). Send it
		/// then.
		StillBenched,
		/// The heartbeat's authority has no Aura key in its session keys, so its heartbeat cannot
		/// be checked. Set session keys (`session.set_keys`).
		NoAuthorityKey,
		/// The provider's `SigningKeys` holds `MaxSigningKeys` entries whose rounds are still
		/// retained, and this attestation is signed with another key than the last one recorded:
		/// every key stays answerable for equivocation while its rounds are retained. Wait until
		/// the oldest entry's last round (its successor's first) expires, `HistoryDepth` rounds
		/// after it; meanwhile only the key recorded last is accepted.
		TooManySigningKeys,
		/// The quality report is about the verifier itself. Nobody verifies itself: report only
		/// about the targets the round assigned (`targets_of`).
		SelfReport,
		/// The verifier is not one of the target's verifiers in this round: not an active
		/// provider, or not in the ring positions the round seed gave the target. Report only
		/// about the targets the round assigned (`targets_of`).
		NotAssigned,
		/// The verifier reported about this target in this round already. One report per target
		/// and round. (The pool says `Custom`, with this error's index.)
		DuplicateReport,
		/// The report says the target was unreachable but gives measured capacity. Report an
		/// unreachable target with all figures zero.
		InconsistentReport,
		/// The account is not a registered provider. Register first (`resources.register`).
		NotProvider,
		/// The dataset has no leaves. Commit the dataset the node built.
		EmptyDataset,
		/// The dataset is the one already committed for the next round. Nothing to do. (The pool
		/// says `Stale`.)
		DatasetUnchanged,
		/// The provider committed a dataset in this round already: one commitment per provider
		/// and round. Commit again in the next round. (The pool says `Stale`.)
		AlreadyCommitted,
		/// A probe setting is zero or out of bounds: every figure must be at least 1, with at
		/// most 256 lanes, 1 024 seal iterations (`MAX_CHECKED_SEAL_ITERATIONS`, so the chain can
		/// reseal a leaf) and 65 536 samples, a payload of at most 64 MiB and a compute probe of
		/// at most 60 s; a provider keeping less than one leaf in `MaxStorageOverclaim` must
		/// miss the deadline (`ProbeConfig::resealable_overclaim`); `storage_samples` at most
		/// `MaxAuditSamples` (an audit asks for every sample of the probe); and the answers to
		/// the `MaxAuditsPerBlock` storage audits that may fall due in one block (each
		/// `storage_samples` leaf seals) must weigh at most half a block.
		InvalidProbeConfig,
		/// The dataset was sealed with other lanes or seal iterations than the probe settings in
		/// force (`dataset_lanes`, `seal_iterations`). Rebuild it with the settings the chain
		/// gives (`proofOfSync_probeConfig`) and commit that.
		WrongSealParams,
		/// The fraud proof names a dataset the provider is not committed to now: neither its
		/// commitment in effect nor its next one (or it was proven false already). Prove fraud
		/// only against the provider's current commitments (`proofOfSync_dataset`).
		DatasetNotCommitted,
		/// The fraud proof does not show a broken seal: the leaf or its predecessor is not in the
		/// committed tree (a wrong path, index, length or predecessor), or the leaf is the seal of
		/// its predecessor. Submit a link whose two leaves are in the tree and whose leaf is not
		/// the predecessor's seal.
		NotFraud,
		/// The verifier's storage audit of the provider from an earlier round is still open: one
		/// at a time. Audit it again once that one is answered or due
		/// (`proofOfSync_storageAudits`). (The pool says `Custom`, with this error's index.)
		AuditPending,
		/// The verifier audited the provider in this round already: one audit a verifier, target
		/// and round. Audit it in a later round.
		AlreadyAudited,
		/// `MaxAuditsPerBlock` audits opened in this block already (they fall due in the block
		/// this one would): open it in a later block.
		/// (The pool says `Custom`, with this error's index.)
		TooManyAudits,
		/// The verifier has no open storage audit of the provider with this nonce, opened in that
		/// block: it was answered, fell due, or never existed. Answer the audits
		/// `proofOfSync_storageAudits` shows, by their deadlines. (The pool says `Stale`.)
		NoAudit,
		/// The answer does not give exactly one proof per sample the audit asks for
		/// (`StorageAudit::samples`). Answer every sample, in order.
		WrongSampleCount,
		/// A proof of the answer is not of the sampled leaf, or a leaf or its predecessor is not
		/// in the committed tree (a wrong length, path or predecessor). Prove each sample
		/// `seal::sample_index(nonce, k, leaves)` from the dataset as committed.
		BadSample,
	}

	/// How verifiers probe resource endpoints; the genesis build also re-opens round 0 once the
	/// registry is built.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// What provider and verifier nodes agree on (the default is a live chain's).
		pub probe_config: ProbeConfig,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::check_probe_config(&self.probe_config)
				.unwrap_or_else(|e| panic!("genesis probe config {:?}: {e:?}", self.probe_config));
			ProbeSettings::<T>::put(self.probe_config);
			Pallet::<T>::genesis_randomness_init();
			// Genesis pallets build in the order the runtime declares them, so pallet-session's
			// `start_session(0)` may have opened round 0 before the registry registered the
			// genesis providers. Open it again now that they exist, so round 0 counts and
			// challenges them.
			if CurrentRound::<T>::get().is_some_and(|round| round.index == 0) {
				Pallet::<T>::open_round(0);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Settles the storage audits that fell due in the block before; books `on_finalize`'s
		/// weight.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let audits = Self::expire_audits(n.saturating_sub(One::one()));
			T::WeightInfo::on_finalize().saturating_add(audits)
		}

		/// Completes the block's randomness if its author sent no VRF and forgets the oldest;
		/// records who authored the block.
		fn on_finalize(n: BlockNumberFor<T>) {
			Self::finalize_randomness(n);
			Self::note_author(n);
		}

		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::do_cleanup(remaining)
		}

		fn offchain_worker(n: BlockNumberFor<T>) {
			Self::do_offchain_worker(n)
		}

		fn integrity_test() {
			let round_length = Self::round_length();
			let window = T::ResponseWindow::get();
			assert!(T::MaxStorageOverclaim::get() > 0, "MaxStorageOverclaim must not be zero");
			assert!(
				T::MaxDisputeShare::get() < T::HysteresisMargin::get(),
				"MaxDisputeShare must be below HysteresisMargin, or disputes could cost a seat"
			);
			assert!(window > 0, "ResponseWindow must not be zero");
			assert!(window < round_length, "ResponseWindow must be shorter than RoundLength");
			assert!(
				window <= 64,
				"ResponseWindow must be at most 64 (answers are tracked in a u64)"
			);
			assert!(
				T::SyncLagGrace::get() < window,
				"SyncLagGrace must be below ResponseWindow: an answer's lag must be able to count"
			);
			assert!(T::MaxChallengesPerRound::get() >= 1, "MaxChallengesPerRound must not be zero");
			assert!(T::MinAuthorities::get() >= 1, "MinAuthorities must be at least 1");
			assert!(
				T::MinAuthorities::get() <= T::MaxAuthorities::get(),
				"MinAuthorities must not exceed MaxAuthorities"
			);
			assert!(
				T::MaxSetShrink::get() < Perbill::one(),
				"MaxSetShrink must be below 100 %: it would not cap how far the set shrinks"
			);
			assert!(
				T::TargetAttestationsPerBlock::get() > 0,
				"TargetAttestationsPerBlock must not be zero"
			);
			assert!(T::OfflineWindow::get() >= 1, "OfflineWindow must be at least 1");
			assert!(
				T::MaxSigningKeys::get() >= 2,
				"MaxSigningKeys must be at least 2, so a provider can replace its sync key"
			);
			assert!(
				u64::from(T::OfflineWindow::get()) <=
					u64::from(T::HistoryDepth::get()) *
						u64::from(T::MaxChallengesPerRound::get().min(Self::challenge_span())),
				"OfflineWindow must fit in HistoryDepth rounds of challenges"
			);
			assert!(
				T::MaxCleanupPerBlock::get() >= 2 * T::TargetAttestationsPerBlock::get(),
				"MaxCleanupPerBlock must be at least twice TargetAttestationsPerBlock, so cleanup \
				 keeps pace with the records the attestations create"
			);
			assert!(T::MaxCandidates::get() > 0, "MaxCandidates must not be zero");
			assert!(
				T::FinalityStallBound::get() >= T::RoundLength::get(),
				"FinalityStallBound must be at least RoundLength: a stall must outlast a round"
			);
			assert!(T::MaxCleanupPerBlock::get() > 0, "MaxCleanupPerBlock must not be zero");
			assert!(!T::CapacityWeights::get().is_zero(), "CapacityWeights must not all be zero");
			assert!(
				T::MaxVerifiersPerTarget::get() >= 1,
				"MaxVerifiersPerTarget must be at least 1"
			);
			assert!(T::MaxProbeLatency::get() >= 1, "MaxProbeLatency must not be zero");
			assert!(T::MaxOutlierStrikes::get() >= 1, "MaxOutlierStrikes must not be zero");
			assert!(
				T::AuditWindow::get() >= 1 && T::AuditWindow::get() <= round_length,
				"AuditWindow must be at least 1 and at most RoundLength: an audit must be \
				 answerable, and whether its target was up is read from three rounds at most"
			);
			assert!(T::MaxAuditsPerBlock::get() >= 1, "MaxAuditsPerBlock must not be zero");
			assert!(T::MaxAuditSamples::get() >= 1, "MaxAuditSamples must not be zero");
			assert!(T::MaxMissedAudits::get() >= 1, "MaxMissedAudits must not be zero");
			let answer_bytes = u64::from(T::MaxAuditsPerBlock::get())
				.saturating_mul(u64::from(T::MaxAuditSamples::get()))
				.saturating_mul(Self::max_sample_proof_bytes());
			let length = <T as frame_system::Config>::BlockLength::get();
			let normal = *length.max.get(frame_support::dispatch::DispatchClass::Normal);
			assert!(
				answer_bytes <= u64::from(normal) / 2,
				"the answers to MaxAuditsPerBlock audits of MaxAuditSamples samples must fit in \
				 half a block's length"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Answer a sync challenge: a provider's node states the hash it has for the block that
		/// challenged it, `attestation.challenge_block`, and which block it had finalized.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when `signature` is the provider's `sync` key over
		///   `Pallet::signing_payload(&attestation)` (a context, this chain's genesis hash and the
		///   attestation) and every check below passes. The provider's node's offchain worker
		///   submits it on its own.
		/// - Effect: records the answer in the provider's `ProviderRounds` entry for the round
		///   (challenge answered, lag, points), adds its points and one attestation to the round's
		///   `Rounds` totals and updates the round's `Leaderboard`. The answer adds `(W − lag) / W
		///   / expected challenges` of a round's worth of sync credit, where `W` is `ResponseWindow
		///   − SyncLagGrace`, the expected challenges are the round's `q × span`, and `lag` is how
		///   many blocks lie between the challenge block and the block before the one the answer is
		///   in, less `SyncLagGrace` (0 when it lands within `1 + SyncLagGrace` blocks); the
		///   provider's points are its credit times `BasePoints` plus the capacity points its
		///   verifiers' reports gave it in the round (see `report_quality`). No money moves.
		/// - Events: [`Event::Attested`].
		/// - Errors: [`Error::WrongRound`], [`Error::NotActiveProvider`], [`Error::NotChallenged`],
		///   [`Error::TooEarly`], [`Error::TooLate`], [`Error::FinalizedAhead`],
		///   [`Error::WrongHash`], [`Error::AlreadyAnswered`], [`Error::NoSyncKey`],
		///   [`Error::BadSignature`], [`Error::TooManySigningKeys`]. The same check runs in the
		///   transaction pool (see [`Error`] for what the pool says), so a failing attestation does
		///   not get into a block.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::attest())]
		#[pallet::authorize(Pallet::<T>::authorize_attestation)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_attest())]
		pub fn attest(
			origin: OriginFor<T>,
			attestation: AttestationOf<T>,
			signature: SyncSignature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_attest(attestation, signature)
		}

		/// Prove that a provider signed two different blocks at one height: two attestations by the
		/// same provider for the same `challenge_block` with different `block_hash`, each with its
		/// `sync` signature. They need not have been submitted to the chain.
		///
		/// - Origin: signed by any account, the reporter. It pays no fee when the report succeeds;
		///   a failed report pays its fee.
		/// - Effect: the registry slashes `EquivocationSlash` of the provider's bond (rounded down,
		///   in plancks) and pays `ReporterCut` of the slashed amount to the reporter (if that is
		///   below the existential deposit of a reporter account that does not exist yet, it goes
		///   with the rest); the rest goes where the registry sends slashes (in the Proof of Sync
		///   runtime, the reward pot). A provider left active with less than the registry's minimum
		///   bond is chilled. The offence is recorded in `Reported` under the provider and the
		///   height (whatever rounds the attestations name), so it is punished once. Both
		///   signatures must be by one of the provider's `sync` keys in use in the height's round:
		///   its key now, or one that signed its accepted attestations (`SigningKeys`, which says
		///   when each was in use), so replacing the key does not escape the slash.
		/// - Events: [`Event::EquivocationReported`]. The registry emits its own events for the
		///   slash (and the chill).
		/// - Errors: [`Error::NotEquivocation`], [`Error::ProofFromFuture`],
		///   [`Error::ProofTooOld`], [`Error::AlreadyReported`], [`Error::NothingToSlash`],
		///   [`Error::NoSyncKey`], [`Error::BadSignature`]; and the registry's error if it cannot
		///   slash the provider (for example, it has withdrawn and is no longer registered).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::report_equivocation())]
		pub fn report_equivocation(
			origin: OriginFor<T>,
			first: Box<SignedAttestationOf<T>>,
			second: Box<SignedAttestationOf<T>>,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::do_report_equivocation(reporter, *first, *second)?;
			Ok(Pays::No.into())
		}

		/// Have a provider chilled that answered fewer than `MinUptime` of the challenges it could
		/// expect over its window: its latest closed rounds, newest first, until they expected
		/// `OfflineWindow` challenges (at most `HistoryDepth` rounds), in all of which it was
		/// active.
		///
		/// - Origin: signed by any account, the reporter. It pays no fee when the report succeeds;
		///   a failed report pays its fee.
		/// - Effect: the registry chills `provider`: it leaves the active set at once, its
		///   challenges still open this round can no longer be answered, and it takes part again
		///   only after it calls `reactivate`. Its bond is untouched and the reporter gets nothing.
		///   No money moves.
		/// - Events: [`Event::ProviderReportedOffline`]. The registry emits its own event for the
		///   chill.
		/// - Errors: [`Error::NotOffline`]; and the registry's error if it cannot chill the
		///   provider.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::report_offline(T::HistoryDepth::get()))]
		pub fn report_offline(
			origin: OriginFor<T>,
			provider: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			let rounds = Self::do_report_offline(reporter, provider)?;
			Ok((Some(T::WeightInfo::report_offline(rounds)), Pays::No).into())
		}

		/// The block author's VRF for its block, which makes the block's randomness (see the
		/// `randomness` module).
		///
		/// - Origin: none. An inherent: the authoring node adds it to every block it builds, and it
		///   is valid in no other way (the transaction pool refuses it).
		/// - Effect: checks `vrf` against the Aura key of the block's slot over
		///   `block_vrf_transcript(genesis hash, slot, number)`, and stores `R(now) =
		///   blake2_256(R(now - 1) ‖ VRF output)` in `Randomness`. A VRF that does not verify
		///   counts as none, and so does any in the first block of a round: the block then takes
		///   the fallback randomness in `on_finalize`. No event: it happens in every block.
		/// - Errors: [`Error::BlockVrfNoted`], for a second one in a block (which makes the block
		///   invalid).
		#[pallet::call_index(3)]
		#[pallet::weight((T::WeightInfo::note_block_vrf(), DispatchClass::Mandatory))]
		pub fn note_block_vrf(origin: OriginFor<T>, vrf: BlockVrf) -> DispatchResult {
			ensure_none(origin)?;
			Self::do_note_block_vrf(vrf)
		}

		/// A benched authority's node proves it runs as a validator again: its offchain worker
		/// signs `heartbeat` with the authority's Aura key, only on a node started with
		/// `--validator`.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when `signature` is the Aura key of `heartbeat.authority`'s
		///   session keys over `heartbeat.signing_payload(genesis hash)` and every check below
		///   passes. The node submits it on its own.
		/// - Effect: removes the authority from `Benched`: the session manager may choose it again
		///   at the next round end. No money moves.
		/// - Events: [`Event::HeartbeatReceived`].
		/// - Errors: [`Error::WrongRound`] (the heartbeat names another round than the one in
		///   progress), [`Error::NotBenched`], [`Error::NoAuthorityKey`], [`Error::BadSignature`].
		///   The same check runs in the transaction pool.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		#[pallet::authorize(Pallet::<T>::authorize_heartbeat)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_heartbeat())]
		pub fn heartbeat(
			origin: OriginFor<T>,
			heartbeat: HeartbeatOf<T>,
			signature: sp_core::sr25519::Signature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_heartbeat(heartbeat, signature)
		}

		/// A verifier reports what it measured at one of its targets' resource endpoints this
		/// round. The verifier's node probes each target the round assigns it (`targets_of`) and
		/// submits one report per target on its own.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when `signature` is the verifier's `sync` key over
		///   `report.signing_payload(genesis hash)` and every check below passes.
		/// - Effect: records the report in `QualityReports` under the round and the target (its
		///   storage figure cut to the units of the target's dataset for the round, zero without
		///   one: no probe finds storage a target did not commit), takes the target's lower medians
		///   again over the verifiers it had at its first report (a missing report counts as zero),
		///   and raises the target's capacity points for the round to `Σ_kind min(declared, median)
		///   × CapacityWeights(kind) × median quality` (its points, the round's total and
		///   leaderboard follow). When all of the target's verifiers (at least three) reported,
		///   judges each report: one that claims reachability the median does not share costs its
		///   verifier `OutlierPenalty` of its points in the next round and is a strike;
		///   `MaxOutlierStrikes` strikes within `HistoryDepth` rounds slash `OutlierSlash` of the
		///   verifier's bond. Compute, bandwidth and latency are never judged, nor is understating.
		///   No other money moves.
		/// - Events: [`Event::QualityReported`]; [`Event::OutlierReport`] for each outlier and
		///   [`Event::VerifierSlashed`] for a slash (the registry emits its own).
		/// - Errors: [`Error::WrongRound`] (another round than the one in progress),
		///   [`Error::SelfReport`], [`Error::InconsistentReport`], [`Error::NotActiveProvider`]
		///   (the target was not active when the round began), [`Error::NotAssigned`],
		///   [`Error::DuplicateReport`], [`Error::NoSyncKey`], [`Error::BadSignature`]. The same
		///   check runs in the transaction pool.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::report_quality())]
		#[pallet::authorize(Pallet::<T>::authorize_quality_report)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_report_quality())]
		pub fn report_quality(
			origin: OriginFor<T>,
			report: QualityReportOf<T>,
			signature: SyncSignature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_report_quality(report, signature)
		}

		/// A provider's node commits to the storage dataset it built: verifiers of the rounds
		/// from the next one on sample its leaves and check them against `commit.dataset.root`.
		/// The node submits it on its own when its dataset differs from the one on chain.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when `signature` is the provider's `sync` key over
		///   `commit.signing_payload(genesis hash)` and every check below passes; one a round.
		/// - Effect: records the commitment in `Datasets`, in effect from the next round (the round
		///   in progress keeps the one it started with). No money moves.
		/// - Events: [`Event::DatasetCommitted`].
		/// - Errors: [`Error::WrongRound`] (another round than the one in progress),
		///   [`Error::NotProvider`], [`Error::EmptyDataset`], [`Error::AlreadyCommitted`],
		///   [`Error::DatasetUnchanged`], [`Error::NoSyncKey`], [`Error::BadSignature`]. The same
		///   check runs in the pool.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::commit_dataset())]
		#[pallet::authorize(Pallet::<T>::authorize_dataset_commit)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_commit_dataset())]
		pub fn commit_dataset(
			origin: OriginFor<T>,
			commit: DatasetCommitOf<T>,
			signature: SyncSignature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_commit_dataset(commit, signature)
		}

		/// Change how verifiers probe resource endpoints.
		///
		/// - Origin: root.
		/// - Effect: replaces `ProbeSettings` with `config`; provider and verifier nodes read it
		///   when they next probe or build their datasets. A change of `storage_unit`,
		///   `dataset_lanes` or `seal_iterations` makes every provider's node build its dataset
		///   again and commit it, so verifiers find no valid dataset for a round or two. No money
		///   moves.
		/// - Events: [`Event::ProbeConfigSet`].
		/// - Errors: [`Error::InvalidProbeConfig`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_probe_config())]
		pub fn set_probe_config(origin: OriginFor<T>, config: ProbeConfig) -> DispatchResult {
			ensure_root(origin)?;
			Self::check_probe_config(&config)?;
			ProbeSettings::<T>::put(config);
			Self::deposit_event(Event::ProbeConfigSet { config });
			Ok(())
		}

		/// Prove that a provider's committed storage dataset is not sealed: a leaf and its
		/// predecessor in its lane that are both in the committed Merkle tree, where the leaf is
		/// not the predecessor's seal (see [`StorageFraudProof`]). A verifier's node finds one
		/// when a storage sample fails only at the seal: the provider's own answer carries it, its
		/// leaves authenticated by the committed root. A cheater that knows which of its leaves
		/// are junk can refuse to answer a sample that lands on one instead, losing only that
		/// probe's storage: this call punishes the cheaters that answer.
		///
		/// - Origin: signed by any account, the reporter. It pays no fee when the proof holds; a
		///   failed proof pays its fee, which covers resealing one leaf (`128 × seal_iterations`
		///   hashes), or only what was done if it failed before the seal (an unregistered provider
		///   or a dataset it is not committed to).
		/// - Effect: the registry slashes `StorageFraudSlash` of the provider's bond (rounded down)
		///   and pays `ReporterCut` of it to the reporter, as for an equivocation; the provider's
		///   dataset commitments (in effect and next) are dropped, so its storage counts zero until
		///   a dataset it commits again takes effect (committing the same dataset again makes it
		///   punishable again).
		/// - Events: [`Event::StorageFraudProven`]. The registry emits its own events for the slash
		///   (and a chill, if the bond falls below its minimum).
		/// - Errors: [`Error::NotProvider`] (it has withdrawn), [`Error::DatasetNotCommitted`],
		///   [`Error::NotFraud`]; and the registry's error if it cannot slash the provider.
		#[pallet::call_index(8)]
		#[pallet::weight(Pallet::<T>::storage_fraud_weight(proof))]
		pub fn report_storage_fraud(
			origin: OriginFor<T>,
			proof: Box<StorageFraudProofOf<T>>,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::do_report_storage_fraud(reporter, *proof)
		}

		/// A verifier asks one of its targets to prove on chain the storage samples its probe with
		/// `request.nonce` drew: the verifier's node sends it when the target's endpoint did not
		/// answer its storage probe (refused, late or wrong). See the `audit` module.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when `signature` is the verifier's `sync` key over
		///   `request.signing_payload(genesis hash)` and every check below passes; one a verifier,
		///   target and round.
		/// - Effect: records the audit in `Audits` (the target's dataset in effect, the nonce, the
		///   probe's `storage_samples` samples, due `AuditWindow` blocks later), `AuditedIn` and
		///   `AuditDeadlines`. No money moves now; an audit still open after its deadline drops the
		///   target's dataset and may slash it (see [`Event::AuditMissed`]).
		/// - Events: [`Event::AuditOpened`].
		/// - Errors: [`Error::WrongRound`] (another round than the one in progress),
		///   [`Error::SelfReport`], [`Error::NotActiveProvider`] (the target was not active when
		///   the round began), [`Error::NotAssigned`], [`Error::DatasetNotCommitted`] (the target
		///   has no dataset in effect: its storage counts zero anyway), [`Error::AuditPending`],
		///   [`Error::AlreadyAudited`], [`Error::TooManyAudits`], [`Error::NoSyncKey`],
		///   [`Error::BadSignature`]. The same check runs in the pool.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::open_audit())]
		#[pallet::authorize(Pallet::<T>::authorize_audit_request)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_open_audit())]
		pub fn open_audit(
			origin: OriginFor<T>,
			request: AuditRequestOf<T>,
			signature: SyncSignature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_open_audit(request, signature)
		}

		/// Answer a storage audit: the sampled leaves of the audited provider's committed
		/// dataset, each with its lane predecessor and both Merkle paths, in the audit's sample
		/// order. The provider's node sends it on its own as soon as it sees the audit.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when the target has an open audit with `answer.nonce`, the
		///   answer gives one proof per sample and the dataset's seal iterations, and every proof's
		///   leaves are in the committed tree (no signature: only a holder of the dataset can make
		///   one), by the audit's deadline. One an audit; the pool ranks it above attestations.
		/// - Effect: closes the audit (`Audits`, `AuditDeadlines`), then checks each sampled leaf's
		///   seal (`128 × seal_iterations` hashes a sample). If every leaf is sealed, nothing else
		///   changes. If one is not, the answer proves storage fraud: the registry slashes
		///   `StorageFraudSlash` of the target's bond and pays `ReporterCut` of it to the audit's
		///   verifier, and the target's dataset commitments are dropped.
		/// - Events: [`Event::AuditAnswered`], or [`Event::StorageFraudProven`] (with the
		///   registry's events for the slash).
		/// - Errors: [`Error::NoAudit`] (none open with this nonce by this verifier, or past its
		///   deadline), [`Error::WrongSampleCount`], [`Error::WrongSealParams`]
		///   (`answer.seal_iterations` is not the dataset's), [`Error::BadSample`]. The same check
		///   runs in the pool.
		#[pallet::call_index(10)]
		#[pallet::weight(Pallet::<T>::answer_audit_weight(
			answer.proofs.len() as u32,
			answer.seal_iterations,
		))]
		#[pallet::authorize(Pallet::<T>::authorize_audit_answer)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_answer_audit(
			T::MaxAuditSamples::get()
		))]
		pub fn answer_audit(origin: OriginFor<T>, answer: Box<AuditAnswerOf<T>>) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_answer_audit(*answer)
		}
	}

	#[pallet::inherent]
	impl<T: Config> ProvideInherent for Pallet<T> {
		type Call = Call<T>;
		type Error = MakeFatalError<()>;
		const INHERENT_IDENTIFIER: InherentIdentifier = INHERENT_IDENTIFIER;

		fn create_inherent(data: &InherentData) -> Option<Self::Call> {
			let vrf = data.get_data::<BlockVrf>(&INHERENT_IDENTIFIER).ok().flatten()?;
			Some(Call::note_block_vrf { vrf })
		}

		/// The call checks the VRF itself; an importing node has no VRF of its own to compare.
		fn check_inherent(_call: &Self::Call, _data: &InherentData) -> Result<(), Self::Error> {
			Ok(())
		}

		fn is_inherent(call: &Self::Call) -> bool {
			matches!(call, Call::note_block_vrf { .. })
		}
	}
}
