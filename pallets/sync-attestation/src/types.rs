//! The records the pallet keeps, the attestation a provider signs, and the traits it needs from
//! the runtime.

use crate::crypto::{SyncId, SyncSignature, ATTESTATION_CONTEXT, DATASET_CONTEXT, QUALITY_CONTEXT};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{seal, Capacity, DatasetCommitment, Points, RoundIndex};
use scale_info::TypeInfo;
use sp_runtime::{traits::Saturating, Perbill};

/// Where the node publishes its sync status for the offchain worker: a key of the node's
/// PERSISTENT offchain storage (written under `sp_core::offchain::STORAGE_PREFIX`), holding a
/// SCALE-encoded [`SyncStatus`].
pub const SYNC_STATUS_KEY: &[u8] = b"proof-of-sync::sync-status";

/// What the node tells its offchain worker about its own sync, at [`SYNC_STATUS_KEY`].
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SyncStatus<BlockNumber> {
	/// Whether the node is catching up with the network. A syncing node does not attest.
	pub major_syncing: bool,
	/// The number of the node's last finalized block.
	pub finalized_number: BlockNumber,
	/// The most blocks the node's best block may be ahead of its finalized block for the node to
	/// attest (the node's `--attest-max-finality-lag`). A node whose finality stalled further
	/// behind does not attest.
	pub max_finality_lag: u32,
}

/// Where the node's prober leaves a measurement for the offchain worker to report: this prefix
/// followed by the SCALE encoding of `(round, verifier, target)`, holding a SCALE-encoded
/// [`Measurement`] in the node's PERSISTENT offchain storage.
pub const MEASUREMENT_PREFIX: &[u8] = b"proof-of-sync::report::";

/// Where the node's dataset manager leaves the dataset a provider's node holds, for the offchain
/// worker to commit: this prefix followed by the SCALE-encoded provider account, holding a
/// SCALE-encoded `DatasetCommitment` in the node's PERSISTENT offchain storage.
pub const DATASET_PREFIX: &[u8] = b"proof-of-sync::dataset::";

/// Where the node's prober leaves a storage audit request for the offchain worker to send: this
/// prefix followed by the SCALE encoding of `(round, verifier, target)`, holding the 32-byte nonce
/// of the storage probe the target did not answer, in the node's PERSISTENT offchain storage.
pub const AUDIT_REQUEST_PREFIX: &[u8] = b"proof-of-sync::audit-request::";

/// Where a provider's node leaves its answer to a storage audit for the offchain worker to send:
/// this prefix followed by the SCALE encoding of `(provider, verifier)`, holding a SCALE-encoded
/// [`AuditAnswer`] in the node's PERSISTENT offchain storage.
pub const AUDIT_ANSWER_PREFIX: &[u8] = b"proof-of-sync::audit-answer::";

/// The default of the node's `--attest-max-finality-lag`, in blocks: at one block every 6 s, a
/// node whose finality is more than 6.4 minutes behind its best block does not attest.
pub const DEFAULT_MAX_FINALITY_LAG: u32 = 64;

/// Where the offchain worker records what a local `sync` key has signed: a key of the node's
/// PERSISTENT offchain storage, this prefix followed by the SCALE-encoded key, holding a
/// SCALE-encoded `Vec<(BlockNumber, Hash)>` of the heights it signed and the hash it signed at
/// each, in increasing height (its slashing protection).
pub const SIGNED_HEADS_PREFIX: &[u8] = b"proof-of-sync::signed-heads::";

/// The most heights one key's record of signed heads holds. Heights are forgotten once they are
/// [`SIGNED_HEADS_MARGIN`] blocks behind the node's finality; a key whose record is full (its
/// node's finality stalled) signs no new height until finality moves on.
pub const MAX_SIGNED_HEADS: usize = 1024;

/// How far behind the node's finalized block a signed height must be before the worker forgets
/// it. No fork can change a finalized block, so the margin only covers a worker that started
/// before its node's finality moved: at one block every 6 s, it is 25 minutes.
pub const SIGNED_HEADS_MARGIN: u32 = 256;

/// A provider's answer to one sync challenge: "block `challenge_block` of `round`, which challenged
/// me, has hash `block_hash` on my node, and my node had finalized block `finalized_number`".
///
/// It is signed with the provider's `sync` key over [`Attestation::signing_payload`]. Two signed
/// attestations of one provider naming two hashes for one `challenge_block` are an equivocation.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Attestation<AccountId, BlockNumber, Hash> {
	/// The round the challenge belongs to.
	pub round: RoundIndex,
	/// The challenge block being answered: the height attested.
	pub challenge_block: BlockNumber,
	/// The provider that answers.
	pub provider: AccountId,
	/// The hash of the challenge block on the provider's node.
	pub block_hash: Hash,
	/// The number of the node's last finalized block when it answered (at most
	/// `challenge_block`).
	pub finalized_number: BlockNumber,
}

impl<AccountId: Encode, BlockNumber: Encode, Hash: Encode>
	Attestation<AccountId, BlockNumber, Hash>
{
	/// The bytes the `sync` key signs on the chain whose genesis block is `genesis_hash`: a
	/// domain tag, the genesis hash, then the SCALE-encoded attestation. Naming the chain means a
	/// `sync` key used on two chains of this runtime cannot have its signatures from one paired
	/// with those from the other as an equivocation. [`Pallet::signing_payload`](crate::Pallet)
	/// fills in this chain's genesis hash.
	pub fn signing_payload(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(ATTESTATION_CONTEXT, genesis_hash, self).encode()
	}
}

/// The attestation of a runtime.
pub type AttestationOf<T> = Attestation<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as frame_system::Config>::Hash,
>;

/// One signed attestation, as given to `report_equivocation`.
pub type SignedAttestationOf<T> = (AttestationOf<T>, SyncSignature);

/// The `sync` keys that signed a provider's accepted attestations, oldest first, each with the
/// round it first signed one in (see `SigningKeys`).
pub type SigningKeysOf<T> =
	frame_support::BoundedVec<(SyncId, RoundIndex), <T as crate::Config>::MaxSigningKeys>;

/// What a round was started with: the figures that decide every challenge in it. The round in
/// progress is `CurrentRound`; the runtime API's `RoundInfo` adds its totals and length.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct RoundParams<BlockNumber> {
	/// The round's index (the session index).
	pub index: RoundIndex,
	/// The round's first block.
	pub start: BlockNumber,
	/// The round seed: with each block's parent hash it decides the block's challenges.
	pub seed: [u8; 32],
	/// The chance that one block of the challenge span challenges one given active provider
	/// (`q`).
	pub challenge_odds: Perbill,
	/// How many blocks from `start` on may challenge (`RoundLength - ResponseWindow`, so every
	/// answer can land inside the round).
	pub challenge_span: u32,
	/// How many providers were active when the round started (`N`).
	pub providers: u32,
	/// How many provider slots the registry had when the round started: the round seed permutes
	/// them to draw every target's verifiers (see the `verification` module).
	pub slots: u32,
}

impl<BlockNumber> RoundParams<BlockNumber> {
	/// The challenges an active provider can expect in the round, in billionths of a challenge
	/// (`q × span × 10⁹`). At least 1.
	pub fn expected_challenges_ppb(&self) -> u64 {
		self.expected_challenges_ppb_at(self.challenge_odds)
	}

	/// The challenges a provider challenged with `odds` a block can expect in the round, in
	/// billionths of a challenge (`odds × span × 10⁹`). At least 1.
	pub fn expected_challenges_ppb_at(&self, odds: Perbill) -> u64 {
		u64::from(odds.deconstruct())
			.saturating_mul(u64::from(self.challenge_span))
			.max(1)
	}
}

/// The round parameters of a runtime.
pub type RoundParamsOf<T> = RoundParams<BlockNumberFor<T>>;

/// A round's record, kept while the round runs and for `HistoryDepth` rounds after it closes.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct RoundSummary<BlockNumber> {
	/// What the round was started with: its seed, `C` and stride place every challenge.
	pub params: RoundParams<BlockNumber>,
	/// The sum of every provider's points.
	pub total_points: Points,
	/// How many attestations were accepted.
	pub attestations: u32,
	/// Whether the authorities' reported finality trailed the chain by more than
	/// `FinalityStallBound` when the round closed. Honest nodes stop attesting when their
	/// finality stalls, so such a round does not count against anyone's uptime.
	pub finality_stalled: bool,
}

/// The round record of a runtime.
pub type RoundSummaryOf<T> = RoundSummary<BlockNumberFor<T>>;

/// What one provider proved in one round. Created by its first accepted attestation.
///
/// Which challenges were answered is kept for the last 64 challenge blocks only
/// (`answered_upto`, `recent`): an answer must land within `ResponseWindow` (at most 64) blocks
/// of its challenge, so no older challenge can still be answered.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct ProviderRoundStats {
	/// Challenges answered.
	pub answered: u32,
	/// One past the offset, from the round's first block, of the latest challenge answered; 0
	/// before the first answer.
	pub answered_upto: u32,
	/// Bit `i` is set once the challenge at offset `answered_upto - 1 - i` was answered.
	pub recent: u64,
	/// The sum of the answers' sync lags (blocks between the challenge and the block before the
	/// answer's, less `SyncLagGrace`), in blocks.
	pub lag_sum: u64,
	/// The sum over the answers of how far the attested finalized block was behind the challenge
	/// block.
	pub finalized_lag_sum: u64,
	/// The answers' lag factors, each divided by the challenges the provider could expect in the
	/// round, in billionths ([`CREDIT_UNIT`] is one round's worth: every expected challenge
	/// answered with no lag). This is `uptime × sync`.
	pub sync_credit: u128,
	/// What the round's verifiers measured, as points: `Σ_kind min(declared, median measured) ×
	/// CapacityWeights(kind) × median quality`. Zero until reports arrive; it never falls within
	/// the round (see the `verification` module).
	pub capacity_points: Points,
	/// The part of the round's points the provider forfeits for its quality reports of the round
	/// before that called a target reachable against the median (`OutlierPenalty` each).
	pub penalty: Perbill,
	/// The points earned: `sync_credit × (BasePoints + capacity_points + usage points − disputed
	/// points) × (1 − penalty)`, where the usage points are `usage_credit / 1 000` and the
	/// disputed points `usage_debit / 1 000`, at most `MaxUsageShare` and `MaxDisputeShare` of
	/// `capacity_points`.
	pub points: Points,
	/// What the provider's leases were paid for in the round (the usage pallet), in thousandths
	/// of a point: `Σ served units × UsageWeights(kind)`, whichever round the units were metered
	/// in.
	pub usage_credit: Points,
	/// What stayed disputed of its usage in rounds that settled in the round before, in
	/// thousandths of a point: the usage credit the disputed units would have earned
	/// (`DisputedUsage`).
	pub usage_debit: Points,
}

/// One round's worth of [`ProviderRoundStats::sync_credit`]: a provider that answered every
/// challenge it could expect with no lag has this much credit.
pub const CREDIT_UNIT: u128 = 1_000_000_000;

impl ProviderRoundStats {
	/// Whether the challenge at `offset` from the round's first block was answered, as far as the
	/// record remembers (the last 64 challenge blocks up to the latest answer). Older offsets
	/// read as answered: none of them can be answered any more.
	pub fn has_answered(&self, offset: u32) -> bool {
		match self.answered_upto.checked_sub(1).and_then(|last| last.checked_sub(offset)) {
			// Later than every answer.
			None => false,
			Some(back) if back < 64 => self.recent & (1u64 << back) != 0,
			Some(_) => true,
		}
	}

	/// Records the answer to the challenge at `offset`. The caller checked `has_answered`.
	pub fn record_answer(&mut self, offset: u32) {
		let upto = offset.saturating_add(1);
		if upto > self.answered_upto {
			let shift = upto - self.answered_upto;
			self.recent = self.recent.checked_shl(shift).unwrap_or(0);
			self.answered_upto = upto;
		}
		let back = self.answered_upto - upto;
		if back < 64 {
			self.recent |= 1u64 << back;
		}
		self.answered.saturating_inc();
	}
}

/// A provider's score for a round, as the runtime API shows it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct SyncScore {
	/// The challenges an active provider could expect in the round, in thousandths of a
	/// challenge (1 500 is 1.5): challenges are drawn at random, so the count a provider gets
	/// varies around this figure.
	pub expected_challenges_milli: u32,
	/// Challenges answered.
	pub answered: u32,
	/// `answered / expected`, at most 100 %.
	pub uptime: Perbill,
	/// The mean sync lag of the answers, in blocks.
	pub mean_lag: u32,
	/// The mean lag factor of the answers: 100 % at lag 0, falling towards 0 at
	/// `ResponseWindow - SyncLagGrace`.
	pub sync: Perbill,
	/// The points earned.
	pub points: Points,
	/// The provider's part of the round's total points.
	pub share: Perbill,
}

/// A verifier's report of what it measured at one target's resource endpoint in one round:
/// "in round `round`, I (`verifier`) probed `target`: it was reachable or not, answered in
/// `latency_ms`, and I measured `measured`". Signed with the verifier's `sync` key over
/// [`QualityReport::signing_payload`].
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct QualityReport<AccountId> {
	/// The round in progress, whose seed assigned the verifier to the target.
	pub round: RoundIndex,
	/// The verifier: an active provider the round assigned to `target`.
	pub verifier: AccountId,
	/// The provider probed.
	pub target: AccountId,
	/// What the verifier measured.
	pub measurement: Measurement,
}

/// The quality report of a runtime.
pub type QualityReportOf<T> = QualityReport<<T as frame_system::Config>::AccountId>;

impl<AccountId: Encode> QualityReport<AccountId> {
	/// The bytes the verifier's `sync` key signs on the chain whose genesis block is
	/// `genesis_hash`: a domain tag, the genesis hash, then the SCALE-encoded report.
	pub fn signing_payload<Hash: Encode>(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(QUALITY_CONTEXT, genesis_hash, self).encode()
	}
}

/// What one verifier measured at a target's resource endpoint.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct Measurement {
	/// Whether the endpoint answered the liveness challenge with the target's `sync` key. An
	/// unreachable target has nothing measured: `measured` must be zero.
	pub reachable: bool,
	/// How long the liveness challenge took to answer, in milliseconds.
	pub latency_ms: u32,
	/// The capacity measured: compute in milli-vCPU, storage in GiB (in the chain's storage
	/// unit), bandwidth in Mbit/s.
	pub measured: Capacity,
}

/// What the round's verifiers reported about one target. Created by the first report.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	frame_support::DefaultNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct TargetReports<T: crate::Config> {
	/// How many verifiers the target had when the first report arrived: the medians are taken
	/// over this many reports, a missing one counting as nothing measured. Verifiers only drop out
	/// during a round (new providers join at the next), so no more reports than this arrive.
	pub slots: u32,
	/// The reports, in the order they arrived.
	pub reports: frame_support::BoundedVec<
		(<T as frame_system::Config>::AccountId, Measurement),
		<T as crate::Config>::MaxVerifiersPerTarget,
	>,
	/// The lower median of each kind's measured figure over `slots`.
	pub measured: Capacity,
	/// The lower median of the reports' quality (reachability × latency factor) over `slots`.
	pub quality: Perbill,
	/// Whether the reports were judged against their medians: once every verifier reported,
	/// if there were at least three.
	pub judged: bool,
}

/// The reports about one target of a runtime.
pub type TargetReportsOf<T> = TargetReports<T>;

/// A provider's node's statement of the storage dataset it holds: "from round `round + 1` on,
/// `provider`'s dataset is `dataset`". Signed with the provider's `sync` key over
/// [`DatasetCommit::signing_payload`].
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct DatasetCommit<AccountId> {
	/// The round in progress; the commitment counts from the next.
	pub round: RoundIndex,
	/// The provider.
	pub provider: AccountId,
	/// The dataset.
	pub dataset: DatasetCommitment,
}

/// The dataset commit of a runtime.
pub type DatasetCommitOf<T> = DatasetCommit<<T as frame_system::Config>::AccountId>;

impl<AccountId: Encode> DatasetCommit<AccountId> {
	/// The bytes the provider's `sync` key signs on the chain whose genesis block is
	/// `genesis_hash`: a domain tag, the genesis hash, then the SCALE-encoded commit.
	pub fn signing_payload<Hash: Encode>(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(DATASET_CONTEXT, genesis_hash, self).encode()
	}
}

/// A provider's storage dataset commitments: the one in effect and one that takes effect at a
/// later round. Verifiers of a round check storage against the commitment for that round.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct DatasetRecord {
	/// The commitment in effect, if any.
	pub current: Option<DatasetCommitment>,
	/// A commitment that replaces it from the round given on.
	pub next: Option<(RoundIndex, DatasetCommitment)>,
	/// The round of the latest commitment: one a round.
	pub committed_in: Option<RoundIndex>,
}

impl DatasetRecord {
	/// The commitment verifiers of `round` check against.
	pub fn in_round(&self, round: RoundIndex) -> Option<DatasetCommitment> {
		match self.next {
			Some((from, next)) if round >= from => Some(next),
			_ => self.current,
		}
	}
}

/// A leaf of a storage dataset, as a fraud proof carries it: [`seal::LEAF_BYTES`] bytes in a
/// valid proof.
pub type LeafBytes = BoundedVec<u8, ConstU32<{ seal::LEAF_BYTES as u32 }>>;

/// A Merkle path of a storage dataset's tree, siblings from the leaf level up: as many as the
/// tree is deep ([`seal::tree_depth`]) in a valid proof.
pub type MerklePath = BoundedVec<seal::Hash, ConstU32<{ seal::MAX_TREE_DEPTH }>>;

/// Evidence that `provider`'s committed dataset is not what it must be: leaf `index` and its
/// predecessor in its lane (none for the first leaf of a lane) are both in the Merkle tree of
/// `dataset` (their paths lead to its root), yet the leaf is not the predecessor's seal (or its
/// lane start's). An honest node's dataset never has such a link; a provider that commits leaves
/// it can regenerate cheaply in place of sealed ones (to keep only the tree) has some, and any
/// verifier whose storage sample lands on one receives this evidence in the provider's own
/// answer.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct StorageFraudProof<AccountId> {
	/// The provider whose dataset it is.
	pub provider: AccountId,
	/// The dataset, as the provider committed to it (its commitment in effect, or its next).
	pub dataset: DatasetCommitment,
	/// The index of the leaf that is not sealed.
	pub index: u64,
	/// The leaf.
	pub leaf: LeafBytes,
	/// The leaf's Merkle path.
	pub path: MerklePath,
	/// The leaf's predecessor in its lane and the predecessor's path; `None` when the leaf is
	/// the first of its lane.
	pub previous: Option<(LeafBytes, MerklePath)>,
}

/// The storage fraud proof of a runtime.
pub type StorageFraudProofOf<T> = StorageFraudProof<<T as frame_system::Config>::AccountId>;

impl<AccountId> StorageFraudProof<AccountId> {
	/// The link the proof shows, for [`seal::check_link`].
	pub fn link(&self) -> seal::Link<'_> {
		seal::Link {
			index: self.index,
			leaf: &self.leaf,
			path: &self.path,
			previous: self.previous.as_ref().map(|(leaf, path)| (leaf.as_slice(), path.as_slice())),
		}
	}
}

/// A verifier's node's request for a storage audit: "`target`, prove on chain the samples my
/// probe with `nonce` drew in round `round`". Signed with the verifier's `sync` key over
/// [`AuditRequest::signing_payload`].
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct AuditRequest<AccountId> {
	/// The round in progress.
	pub round: RoundIndex,
	/// The verifier.
	pub verifier: AccountId,
	/// The provider to audit: one of the verifier's targets in `round`.
	pub target: AccountId,
	/// The nonce of the verifier's storage probe; the audit's samples are drawn from it.
	pub nonce: [u8; 32],
}

/// The audit request of a runtime.
pub type AuditRequestOf<T> = AuditRequest<<T as frame_system::Config>::AccountId>;

impl<AccountId: Encode> AuditRequest<AccountId> {
	/// The bytes the verifier's `sync` key signs on the chain whose genesis block is
	/// `genesis_hash`: a domain tag, the genesis hash, then the SCALE-encoded request.
	pub fn signing_payload<Hash: Encode>(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(crate::crypto::AUDIT_CONTEXT, genesis_hash, self).encode()
	}
}

/// The proof of one sampled leaf in an audit answer: the leaf and its Merkle path, and its lane
/// predecessor with the predecessor's path (`None` for the first leaf of a lane). Its index is
/// the audit's sample at the same position ([`seal::sample_index`]).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct SampleProof {
	/// The leaf.
	pub leaf: LeafBytes,
	/// The leaf's Merkle path.
	pub path: MerklePath,
	/// The leaf's predecessor and its path.
	pub previous: Option<(LeafBytes, MerklePath)>,
}

impl SampleProof {
	/// The link the proof shows for leaf `index`, for [`seal::check_link`].
	pub fn link(&self, index: u64) -> seal::Link<'_> {
		seal::Link {
			index,
			leaf: &self.leaf,
			path: &self.path,
			previous: self.previous.as_ref().map(|(leaf, path)| (leaf.as_slice(), path.as_slice())),
		}
	}
}

/// The answer to `verifier`'s open storage audit of `target` with nonce `nonce`, opened in block
/// `opened`: one proof per sample, in the samples' order. It needs no signature: only a holder of
/// the dataset can make one, and it proves what it proves whoever sends it.
///
/// `opened` makes every audit's answer a transaction of its own: a verifier that audits the same
/// target again with the same nonce (and so the same samples) would otherwise ask for an answer
/// byte for byte the one already in a block, which the transaction pool refuses as known.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct AuditAnswer<T: crate::Config> {
	/// The audited provider.
	pub target: T::AccountId,
	/// The verifier that opened the audit.
	pub verifier: T::AccountId,
	/// The audit's nonce.
	pub nonce: [u8; 32],
	/// The block the audit opened in (`StorageAudit::opened`).
	pub opened: frame_system::pallet_prelude::BlockNumberFor<T>,
	/// The seal iterations of the audited dataset (the call's weight depends on them).
	pub seal_iterations: u32,
	/// The proofs.
	pub proofs: BoundedVec<SampleProof, T::MaxAuditSamples>,
}

/// The audit answer of a runtime.
pub type AuditAnswerOf<T> = AuditAnswer<T>;

/// The storage audit of a runtime.
pub type StorageAuditOf<T> = proof_of_sync_primitives::StorageAudit<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;

/// The inherent identifier of the block author's VRF ([`BlockVrf`]).
pub const INHERENT_IDENTIFIER: frame_support::inherent::InherentIdentifier = *b"syncvrf0";

/// A block author's VRF signature over [`crate::randomness::block_vrf_transcript`] for its
/// block, as the `note_block_vrf` inherent carries it: the sr25519 VRF pre-output and proof,
/// as bytes (checked when the inherent is applied).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct BlockVrf {
	/// The VRF pre-output.
	pub pre_output: [u8; 32],
	/// The proof that the pre-output is the author key's for the input.
	pub proof: [u8; 64],
}

/// Who authors the block being built, and whose Aura keys are whose (in the runtime: the Aura
/// authority of the block's slot, and the Aura keys of pallet-session's session keys).
pub trait BlockAuthor<AccountId> {
	/// The block's slot.
	fn slot() -> u64;

	/// The author's sr25519 key (its Aura key), if it can be told.
	fn key() -> Option<sp_core::sr25519::Public>;

	/// The account whose session keys have `key` as their Aura key, if any.
	fn owner_of(key: &sp_core::sr25519::Public) -> Option<AccountId>;

	/// The Aura key of `who`'s session keys, if it has any.
	fn key_of(who: &AccountId) -> Option<sp_core::sr25519::Public>;
}

/// Told when the finality the authorities report has trailed the chain for longer than
/// `FinalityStallBound` (in the runtime: pallet-grandpa's stall path, which schedules a forced
/// authority set change at the next session change).
pub trait OnFinalityStalled<BlockNumber> {
	/// Finality stalled; `finalized` is the highest block the authorities' nodes are known to
	/// have finalized (the lower median of their reports), the base a new set votes from.
	fn on_finality_stalled(finalized: BlockNumber);
}

impl<BlockNumber> OnFinalityStalled<BlockNumber> for () {
	fn on_finality_stalled(_finalized: BlockNumber) {}
}

/// How many GRANDPA set change signals [`SetChangeRecord`] keeps.
pub const MAX_TRACKED_SET_CHANGES: u32 = 16;

/// Where the latest GRANDPA set changes were signalled, so that a forced change's base is one
/// every node accepts (see the `liveness` module).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	frame_support::DefaultNoBound,
)]
pub struct SetChangeRecord<BlockNumber> {
	/// The blocks that signalled a standard set change, oldest first.
	pub signalled: frame_support::BoundedVec<
		BlockNumber,
		frame_support::traits::ConstU32<MAX_TRACKED_SET_CHANGES>,
	>,
	/// The base of the latest forced change, if any.
	pub last_forced_base: Option<BlockNumber>,
}

/// The domain tag in front of every signed heartbeat.
pub const HEARTBEAT_CONTEXT: &[u8; 23] = b"proof-of-sync/heartbeat";

/// A benched authority's proof that it runs a validator node again: "in round `round`, the node
/// holding `authority`'s Aura key runs as a validator". Its offchain worker signs it with the Aura
/// key over [`Heartbeat::signing_payload`], only when the node runs with `--validator`.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Heartbeat<AccountId> {
	/// The round in progress.
	pub round: RoundIndex,
	/// The benched authority.
	pub authority: AccountId,
}

/// The heartbeat of a runtime.
pub type HeartbeatOf<T> = Heartbeat<<T as frame_system::Config>::AccountId>;

impl<AccountId: Encode> Heartbeat<AccountId> {
	/// The bytes the Aura key signs on the chain whose genesis block is `genesis_hash`: a domain
	/// tag, the genesis hash, then the SCALE-encoded heartbeat.
	pub fn signing_payload<Hash: Encode>(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(HEARTBEAT_CONTEXT, genesis_hash, self).encode()
	}
}

/// How the runtime finds providers' `sync` keys (in the runtime: pallet-session's `NextKeys` and
/// `KeyOwner`).
pub trait SyncKeys<AccountId> {
	/// The `sync` key `who` registered, if any.
	fn key_of(who: &AccountId) -> Option<SyncId>;

	/// The account that registered `key`, if any.
	fn owner_of(key: &SyncId) -> Option<AccountId>;
}

/// What a benchmark of this pallet needs from the runtime that is not this pallet's to do.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Register `who` as a provider with non-zero declared capacity and a slashable bond. It must
	/// be active (`ProviderRegistry::is_active_in`) in every round after the current one, and a
	/// validator candidate (listed by `ProviderRegistry::candidates`) if `candidate`.
	fn register_provider(who: &AccountId, candidate: bool);

	/// Make `key` the `sync` key of `who`, as seen through `Config::SyncKeys` both ways.
	fn set_sync_key(who: &AccountId, key: SyncId);

	/// Make `key` the author of the block being built, at slot `slot`, as `Config::BlockAuthor`
	/// sees it.
	fn set_block_author(key: sp_core::sr25519::Public, slot: u64);

	/// Make `key` the Aura key of `who`, as `Config::BlockAuthor` sees it both ways.
	fn set_aura_key(who: &AccountId, key: sp_core::sr25519::Public);

	/// Make `authorities` the authorities of the session in progress, as
	/// `Config::CurrentAuthorities` sees them.
	fn set_authorities(authorities: alloc::vec::Vec<AccountId>);
}

/// An attestation that passed every check, with what applying it needs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CheckedAttestation<BlockNumber, SigningKeys> {
	/// The round in progress.
	pub round: RoundIndex,
	/// The challenges a provider can expect in the round, in billionths.
	pub expected_ppb: u64,
	/// The challenge block's offset from the round's first block.
	pub offset: u32,
	/// The sync lag the chain measured: blocks between the challenge block and the block before
	/// the one the answer is included in, less `SyncLagGrace` (0 for an answer within
	/// `1 + SyncLagGrace` blocks).
	pub lag: u32,
	/// How far the attested finalized block is behind the challenge block.
	pub finalized_lag: u32,
	/// The last block the attestation may be included in.
	pub deadline: BlockNumber,
	/// The provider's `SigningKeys` once this attestation is applied, if its key is new there.
	pub signing_keys: Option<SigningKeys>,
}
