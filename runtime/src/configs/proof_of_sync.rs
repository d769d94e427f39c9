//! The Proof of Sync pallets: the resource registry, sync attestation (rounds, challenges,
//! authority selection) and rewards, and the offchain transactions the attestations travel in.

use alloc::vec::Vec;
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, Get},
	PalletId,
};
use pallet_sync_attestation::crypto::{SyncId, KEY_TYPE as SYNC_KEY_TYPE};
use proof_of_sync_primitives::{Capacity, RoundClock, RoundIndex};
use sp_runtime::{
	generic::Era, traits::AccountIdConversion, transaction_validity::TransactionPriority, Perbill,
};

use crate::{
	AccountId, Balance, Balances, BlockNumber, Resources, Rewards, Runtime, RuntimeCall,
	RuntimeHoldReason, RuntimeOrigin, Session, TxExtension, UncheckedExtrinsic, DSYNC,
	ROUND_LENGTH,
};
use sp_runtime::RuntimeAppPublic as _;

/// Rounds are sessions: the round index is the session index.
pub struct SessionRoundClock;
impl RoundClock for SessionRoundClock {
	fn current_round() -> RoundIndex {
		pallet_session::Pallet::<Runtime>::current_index()
	}
}

parameter_types! {
	/// The reward pot: emission is paid out of it, and slashed bonds go into it.
	pub const RewardPotId: PalletId = PalletId(*b"sync/pot");
	pub RewardPot: AccountId = RewardPotId::get().into_account_truncating();

	pub const MinProviderBond: Balance = 100 * DSYNC;
	pub const MinValidatorBond: Balance = 1_000 * DSYNC;

	/// The most a provider may declare: 64 vCPU (the most compute threads a verifier's probe
	/// runs), 2^20 storage units (1 PiB in a live chain's GiB; a dataset holds at most 16 TiB, so
	/// more is never measured) and 100 Gbit/s. Even verifiers that lie for a provider cannot make
	/// it count more.
	pub const MaxCapacity: Capacity =
		Capacity { compute: 64_000, storage: 1 << 20, bandwidth: 100_000 };
}

/// The most providers the registry holds. Nothing iterates over them on chain; the bound keeps
/// the registry's storage bounded.
pub const MAX_PROVIDERS: u32 = 100_000;

/// Rounds a leaving provider's bond stays held: one more than the rounds in which evidence of its
/// equivocations is accepted (`HISTORY_DEPTH`), so that it cannot withdraw while a proof of any
/// offence it committed before leaving can still be submitted
/// (`tests::a_bond_stays_slashable_while_evidence_is_accepted`). 85 minutes with this runtime's
/// 10-block rounds.
pub const UNBONDING_ROUNDS: RoundIndex = HISTORY_DEPTH + 1;

// A withdrawn provider's records go (`OnWithdrawn`): only once nothing can read them any more.
const _: () = assert!(
	UNBONDING_ROUNDS > HISTORY_DEPTH,
	"a provider must not withdraw while its records and offences can still be judged"
);

impl pallet_resources::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RoundClock = SessionRoundClock;
	/// A full candidate list evicts its weakest member by the points sync-attestation gave it.
	type Points = crate::SyncAttestation;
	/// Session keys are the ones `session.set_keys` registered.
	type ValidatorRegistration = Session;
	/// A withdrawn provider's keys, commitments and strikes go (its unbonding period, `HistoryDepth
	/// + 1` rounds, outlasts every window they are read in).
	type OnWithdrawn = crate::SyncAttestation;
	type Slash = ResolveTo<RewardPot, Balances>;
	type MinProviderBond = MinProviderBond;
	type MinValidatorBond = MinValidatorBond;
	type MaxProviders = ConstU32<MAX_PROVIDERS>;
	/// Twice the authority set: room for challengers.
	type MaxCandidates = ConstU32<{ 2 * super::MAX_AUTHORITIES }>;
	type MaxEndpointLen = ConstU32<128>;
	type MaxCapacity = MaxCapacity;
	type UnbondingRounds = ConstU32<UNBONDING_ROUNDS>;
	type WeightInfo = pallet_resources::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// What the pallets' benchmarks need from this runtime.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_resources::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn set_session_keys(who: &AccountId) {
		use sp_core::{ed25519, sr25519};
		// The account's bytes as public keys: unique per account, never used to sign.
		let seed: [u8; 32] = *AsRef::<[u8; 32]>::as_ref(who);
		let keys = crate::SessionKeys {
			aura: sr25519::Public::from_raw(seed).into(),
			grandpa: ed25519::Public::from_raw(seed).into(),
			sync: sr25519::Public::from_raw(seed).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}

	fn set_round(round: RoundIndex) {
		pallet_session::CurrentIndex::<Runtime>::put(round);
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_sync_attestation::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn register_provider(who: &AccountId, candidate: bool) {
		use frame_support::traits::fungible::Mutate;
		use pallet_resources::BenchmarkHelper as _;
		let bond = MinValidatorBond::get();
		Balances::set_balance(who, bond.saturating_mul(10));
		let origin = || crate::RuntimeOrigin::signed(who.clone());
		let capacity = Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 };
		Resources::register(origin(), b"http://127.0.0.1:30555".to_vec(), capacity, bond)
			.expect("a funded account registers; qed");
		if candidate {
			// The genesis candidates give way when the list is full: the benchmark wants all of
			// its own.
			let candidates = pallet_resources::Candidates::<Runtime>::get();
			if candidates.is_full() {
				if let Some(first) = candidates.first() {
					let _ =
						Resources::opt_out_validator(crate::RuntimeOrigin::signed(first.clone()));
				}
			}
			Self::set_session_keys(who);
			Resources::opt_in_validator(origin()).expect("room was made; qed");
		}
	}

	fn set_sync_key(who: &AccountId, key: SyncId) {
		use pallet_resources::BenchmarkHelper as _;
		if pallet_session::NextKeys::<Runtime>::get(who).is_none() {
			Self::set_session_keys(who);
		}
		pallet_session::NextKeys::<Runtime>::mutate(who, |keys| {
			if let Some(keys) = keys {
				keys.sync = key.clone();
			}
		});
		let raw = AsRef::<[u8]>::as_ref(&key).to_vec();
		pallet_session::KeyOwner::<Runtime>::insert((SYNC_KEY_TYPE, raw), who);
	}

	fn set_aura_key(who: &AccountId, key: sp_core::sr25519::Public) {
		use pallet_resources::BenchmarkHelper as _;
		if pallet_session::NextKeys::<Runtime>::get(who).is_none() {
			Self::set_session_keys(who);
		}
		pallet_session::NextKeys::<Runtime>::mutate(who, |keys| {
			if let Some(keys) = keys {
				keys.aura = key.into();
			}
		});
		let id = sp_consensus_aura::sr25519::AuthorityId::ID;
		pallet_session::KeyOwner::<Runtime>::insert((id, key.0.to_vec()), who);
	}

	fn set_authorities(authorities: Vec<AccountId>) {
		pallet_session::Validators::<Runtime>::put(authorities);
	}

	fn set_block_author(key: sp_core::sr25519::Public, slot: u64) {
		let authority: sp_consensus_aura::sr25519::AuthorityId = key.into();
		pallet_aura::Authorities::<Runtime>::put(frame_support::BoundedVec::truncate_from(
			alloc::vec![authority,],
		));
		pallet_aura::CurrentSlot::<Runtime>::put(sp_consensus_aura::Slot::from(slot));
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn set_points(
		round: RoundIndex,
		who: &AccountId,
		points: proof_of_sync_primitives::Points,
		total: proof_of_sync_primitives::Points,
	) {
		use pallet_sync_attestation::{ProviderRoundStats, RoundParams, RoundSummary};
		pallet_sync_attestation::ProviderRounds::<Runtime>::insert(
			round,
			who,
			ProviderRoundStats {
				answered: 1,
				answered_upto: 1,
				recent: 1,
				points,
				..Default::default()
			},
		);
		let info = RoundParams {
			index: round,
			start: 0,
			seed: [0; 32],
			challenge_odds: Perbill::one(),
			challenge_span: 1,
			providers: 1,
			slots: 1,
		};
		pallet_sync_attestation::Rounds::<Runtime>::mutate(round, |summary| {
			let summary = summary.get_or_insert(RoundSummary {
				params: info,
				total_points: 0,
				attestations: 0,
				finality_stalled: false,
			});
			summary.total_points = total;
		});
	}
}

/// `sync` keys are session keys: a provider registers its key with `session.set_keys` (which
/// checks the account holds it), and the attestation pallet finds it there.
pub struct SessionSyncKeys;
impl pallet_sync_attestation::SyncKeys<AccountId> for SessionSyncKeys {
	fn key_of(who: &AccountId) -> Option<SyncId> {
		pallet_session::NextKeys::<Runtime>::get(who).map(|keys| keys.sync)
	}

	fn owner_of(key: &SyncId) -> Option<AccountId> {
		Session::key_owner(SYNC_KEY_TYPE, AsRef::<[u8]>::as_ref(key))
	}
}

impl proof_of_sync_primitives::SyncKeys<AccountId> for SessionSyncKeys {
	fn sync_key_of(who: &AccountId) -> Option<[u8; 32]> {
		use pallet_sync_attestation::SyncKeys as _;
		Self::key_of(who).map(|key| sp_core::sr25519::Public::from(key).0)
	}

	fn owner_of_sync_key(key: &[u8; 32]) -> Option<AccountId> {
		Session::key_owner(SYNC_KEY_TYPE, key)
	}
}

/// The authority set in use: the incumbents the session manager's hysteresis favours.
pub struct CurrentAuthorities;
impl Get<Vec<AccountId>> for CurrentAuthorities {
	fn get() -> Vec<AccountId> {
		Session::validators()
	}
}

parameter_types! {
	/// Points per unit of each resource kind: a vCPU (1 000 milli-vCPU), 100 GiB and 1 Gbit/s
	/// weigh the same.
	pub const CapacityWeights: Capacity = Capacity { compute: 1, storage: 10, bandwidth: 1 };
	/// What a round of sync alone is worth: a sixth of what a genesis provider's capacity
	/// (`GENESIS_CAPACITY`, 6 000 points) earns once verifiers measured it.
	pub const BasePoints: proof_of_sync_primitives::Points = 1_000;
	/// A liveness answer that takes two seconds is worth nothing.
	pub const MaxProbeLatency: u32 = 2_000;
	/// Each outlier report costs a tenth of the verifier's points in the next round...
	pub const OutlierPenalty: Perbill = Perbill::from_percent(10);
	/// Points per thousand usage units paid for: a fifth of what capacity counts a unit (a fifth of
	/// a point a milli-vCPU reserved for a round, two points a storage unit held for a round, a
	/// fifth of a sixtieth of a declared Mbit/s a megabit served: 3 a thousand). A fully leased
	/// provider earns a fifth more than its capacity points, `MaxUsageShare`.
	pub const UsageWeights: Capacity = Capacity { compute: 200, storage: 2_000, bandwidth: 3 };
	/// Usage adds at most a fifth to a provider's capacity points: what leasing from itself can
	/// add, whatever it pays itself.
	pub const MaxUsageShare: Perbill = Perbill::from_percent(20);
	/// Disputed usage takes at most a twentieth of a provider's capacity points off a round:
	/// half the `HysteresisMargin`, so a consumer that leases from an authority only to dispute
	/// it cannot cost it its seat alone.
	pub const MaxDisputeShare: Perbill = Perbill::from_percent(5);
	/// ...and three overstated ones within `HistoryDepth` rounds a twentieth of its bond.
	pub const OutlierSlash: Perbill = Perbill::from_percent(5);
	/// A challenger replaces an incumbent authority only with 10 % more points.
	pub const HysteresisMargin: Perbill = Perbill::from_percent(10);
	/// One session's ranking drops at most a third of the authority set (34 % rounded down is a
	/// third of any set up to `MAX_AUTHORITIES` = 32 members), and always at least one member.
	pub const MaxSetShrink: Perbill = Perbill::from_percent(34);
	/// A provider answering fewer than half the challenges it expected over its `OfflineWindow` is
	/// offline.
	pub const MinUptime: Perbill = Perbill::from_percent(50);
	/// Signing two different blocks at one height costs a tenth of the bond...
	pub const EquivocationSlash: Perbill = Perbill::from_percent(10);
	/// ...of which the reporter gets a tenth.
	pub const ReporterCut: Perbill = Perbill::from_percent(10);
	/// A fifth of the bond for a storage dataset proven not sealed (`report_storage_fraud`, or an
	/// audit answer with an unsealed leaf), or for a storage audit missed while the provider was up
	/// or missed `MaxMissedAudits` times: twice an equivocation's, since the provider committed to
	/// data it does not hold or would not show it.
	pub const StorageFraudSlash: Perbill = Perbill::from_percent(20);
	/// Below operational transactions, above ordinary ones.
	pub const AttestationPriority: TransactionPriority = TransactionPriority::MAX / 2;
	/// The most a round pays out: 100 DSYNC.
	pub const RoundEmission: Balance = 100 * DSYNC;
}

/// Rounds of scores and rewards kept: a week of 10-minute rounds would be 1 008; 84 rounds is 84
/// minutes with this runtime's 10-block rounds.
///
/// The one source of both pallets' `HistoryDepth`: pallet-rewards pays a round from the points
/// pallet-sync-attestation keeps for it, so rewards must not be kept longer than points
/// (`tests::rewards_never_outlive_the_points_they_pay_for`).
pub const HISTORY_DEPTH: u32 = 84;

/// The author of the block being built: the Aura authority of its slot, as Aura's own
/// `FindAuthor` has it; accounts' Aura keys are those of their session keys.
pub struct AuraBlockAuthor;
impl pallet_sync_attestation::BlockAuthor<AccountId> for AuraBlockAuthor {
	fn slot() -> u64 {
		*pallet_aura::CurrentSlot::<Runtime>::get()
	}

	fn key() -> Option<sp_core::sr25519::Public> {
		let authorities = pallet_aura::Authorities::<Runtime>::get();
		let count = u64::try_from(authorities.len()).ok().filter(|n| *n > 0)?;
		let index = usize::try_from(Self::slot() % count).ok()?;
		authorities.get(index).map(|id| id.clone().into_inner())
	}

	fn owner_of(key: &sp_core::sr25519::Public) -> Option<AccountId> {
		Session::key_owner(sp_consensus_aura::sr25519::AuthorityId::ID, key.as_ref())
	}

	fn key_of(who: &AccountId) -> Option<sp_core::sr25519::Public> {
		pallet_session::NextKeys::<Runtime>::get(who).map(|keys| keys.aura.into_inner())
	}
}

/// A finality stall the sync attestations show goes down pallet-grandpa's stall path: at the next
/// session change it schedules a forced change to that session's authorities, voting from the
/// reported finalized height, applied by nodes on import (no finality needed).
pub struct GrandpaStallRecovery;
impl pallet_sync_attestation::OnFinalityStalled<BlockNumber> for GrandpaStallRecovery {
	fn on_finality_stalled(finalized: BlockNumber) {
		// Root passes `note_stalled`'s only check; the change waits no further blocks.
		let _ =
			pallet_grandpa::Pallet::<Runtime>::note_stalled(RuntimeOrigin::root(), 0, finalized);
	}
}

impl pallet_sync_attestation::Config for Runtime {
	type BlockAuthor = AuraBlockAuthor;
	type OnFinalityStalled = GrandpaStallRecovery;
	type Bond = Balance;
	type Registry = Resources;
	type SyncKeys = SessionSyncKeys;
	type OnRoundClosed = Rewards;
	type CurrentAuthorities = CurrentAuthorities;
	type RoundLength = ConstU32<ROUND_LENGTH>;
	/// An answer must land within 4 blocks of its challenge.
	type ResponseWindow = ConstU32<4>;
	/// An answer one block late (an author left it out, or it missed its gossip) loses nothing;
	/// each block after that a third.
	type SyncLagGrace = ConstU32<1>;
	/// About one attestation per block, whatever the number of providers.
	type TargetAttestationsPerBlock = ConstU32<1>;
	type MaxChallengesPerRound = ConstU32<16>;
	type CapacityWeights = CapacityWeights;
	type BasePoints = BasePoints;
	/// Three verifiers a target: a lie needs two of them.
	type MaxVerifiersPerTarget = ConstU32<3>;
	type MaxProbeLatency = MaxProbeLatency;
	/// A provider holding less than a thousandth of its dataset fails the storage probe.
	type MaxStorageOverclaim = ConstU32<1_000>;
	type OutlierPenalty = OutlierPenalty;
	type UsageWeights = UsageWeights;
	type MaxUsageShare = MaxUsageShare;
	type MaxDisputeShare = MaxDisputeShare;
	type MaxOutlierStrikes = ConstU32<3>;
	type OutlierSlash = OutlierSlash;
	type MinUptime = MinUptime;
	/// Uptime is judged over the rounds that together expected 64 challenges: an honest provider
	/// that answers 95 % of its challenges falls below `MinUptime` over such a window with a
	/// chance of about one in a million (a binomial tail at the local chain's odds of 1/3). About
	/// eleven 10-block rounds for Alice alone on the dev chain.
	type OfflineWindow = ConstU32<64>;
	type EquivocationSlash = EquivocationSlash;
	type ReporterCut = ReporterCut;
	type StorageFraudSlash = StorageFraudSlash;
	// A round (a minute) to answer a storage audit: the node answers within a block or two.
	type AuditWindow = ConstU32<ROUND_LENGTH>;
	// An answer is up to 16 leaf seals and 16 × 12 KiB (about 106 ms of weight at the presets' 64
	// iterations, 131 ms at a live chain's 80): the answers due in one block take at most half a
	// block's weight (`check_probe_config`) and length (`integrity_test`).
	type MaxAuditsPerBlock = ConstU32<6>;
	// The presets' `storage_samples`: an audit proves every sample of the refused probe.
	type MaxAuditSamples = ConstU32<16>;
	// Three counted misses within `HistoryDepth` rounds (84 minutes) are slashed: a provider that
	// goes dark whenever a probe lands on a junk leaf misses about one audit in four rounds.
	type MaxMissedAudits = ConstU32<3>;
	/// A provider may sign with eight `sync` keys in `HistoryDepth` rounds (84 minutes): it can
	/// replace a lost key seven times in that span; each key stays answerable for equivocation.
	type MaxSigningKeys = ConstU32<8>;
	type MaxAuthorities = ConstU32<{ super::MAX_AUTHORITIES }>;
	type MinAuthorities = ConstU32<1>;
	type MaxSetShrink = MaxSetShrink;
	type HysteresisMargin = HysteresisMargin;
	type MaxCandidates = ConstU32<{ 2 * super::MAX_AUTHORITIES }>;
	type HistoryDepth = ConstU32<HISTORY_DEPTH>;
	type MaxCleanupPerBlock = ConstU32<256>;
	type AttestationPriority = AttestationPriority;
	/// An authority that authors none of its slots in two rounds in a row is benched.
	type MaxMissedRounds = ConstU32<1>;
	/// Finality may trail the chain by three rounds (three minutes) before the chain forces a
	/// GRANDPA set change; with its voters up GRANDPA finalizes within a few blocks, and the
	/// reports of a round trail its end by up to about ten.
	type FinalityStallBound = ConstU32<{ 3 * ROUND_LENGTH }>;
	type WeightInfo = pallet_sync_attestation::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

impl pallet_rewards::Config for Runtime {
	type Currency = Balances;
	type Points = crate::SyncAttestation;
	type RoundClock = SessionRoundClock;
	type PalletId = RewardPotId;
	type RoundEmission = RoundEmission;
	type HistoryDepth = ConstU32<HISTORY_DEPTH>;
	type MaxExpiryCleanup = ConstU32<256>;
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

parameter_types! {
	/// The part of every usage bill that goes to the reward pot: a provider leasing from itself
	/// through a second account pays it on everything billed.
	pub const UsageFee: Perbill = Perbill::from_percent(5);
	/// The part of a round's quota billed for every round a provider recorded, used or not.
	pub const ReservationShare: Perbill = Perbill::from_percent(10);
	/// The least a round of a lease is worth: 0.1 DSYNC. Holding one of a provider's 64 lease
	/// slots costs at least its reserved share, 0.01 DSYNC a round; a payout is at least 9.5
	/// existential deposits.
	pub const MinRoundValue: Balance = 100 * crate::MILLI_DSYNC;
	/// A provider whose own node's note shows it recorded more than it metered loses a fifth of
	/// its bond, as for storage fraud.
	pub const UsageFraudSlash: Perbill = Perbill::from_percent(20);
	/// Above fee-paying transactions (whose priority is about the transactions a block could hold
	/// of their kind, more with a tip) and below attestations: a receipted round must be recorded
	/// before it settles, so filling blocks with paying transactions must not keep a provider's
	/// records out. Free records and settlements cannot crowd blocks in turn: each is one round of
	/// a lease, and the pool keeps one per lease and round.
	pub const RecordPriority: TransactionPriority = TransactionPriority::MAX / 4;
}

/// The seconds in a round: a bandwidth lease of `u` Mbit/s may serve `u × 60` megabits a round.
pub const ROUND_SECONDS: u64 = ROUND_LENGTH as u64 * crate::MILLI_SECS_PER_BLOCK / 1_000;

impl pallet_usage::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RoundClock = SessionRoundClock;
	type Registry = Resources;
	/// The medians of the verifiers' quality reports in the last closed round.
	type VerifiedCapacity = crate::SyncAttestation;
	/// Usage paid for adds to the provider's points, disputes cost it.
	type UsageSink = crate::SyncAttestation;
	/// Receipts are signed like transactions: by any key an account can have.
	type OffchainSignature = crate::Signature;
	type SigningPublicKey = <crate::Signature as sp_runtime::traits::Verify>::Signer;
	type SyncKeys = SessionSyncKeys;
	type UsageFraudSlash = UsageFraudSlash;
	type ReporterCut = ReporterCut;
	type RecordPriority = RecordPriority;
	type Fees = ResolveTo<RewardPot, Balances>;
	type UsageFee = UsageFee;
	type ReservationShare = ReservationShare;
	type MinRoundValue = MinRoundValue;
	/// A week of one-minute rounds.
	type MaxLeaseRounds = ConstU32<10_080>;
	type MaxLeasesPerProvider = ConstU32<64>;
	type MaxLeasesPerConsumer = ConstU32<32>;
	type NoticeRounds = ConstU32<2>;
	/// Three minutes with one-minute rounds: a dev chain's. A public chain would give consumers
	/// hours.
	type DisputeWindow = ConstU32<3>;
	/// Room for the rounds in their dispute window and more: a provider that settles once every
	/// few rounds keeps recording.
	type MaxPendingRecords = ConstU32<16>;
	/// As many as a lease keeps records: one call settles every recorded round due.
	type MaxSettlePerCall = ConstU32<16>;
	type RoundSeconds = frame_support::traits::ConstU64<ROUND_SECONDS>;
	type WeightInfo = pallet_usage::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// The key type of the consumer keys the usage pallet's benchmarks sign receipts with.
#[cfg(feature = "runtime-benchmarks")]
const USAGE_BENCH_KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"usag");

#[cfg(feature = "runtime-benchmarks")]
impl pallet_usage::BenchmarkHelper<AccountId, crate::Signature> for BenchmarkHelper {
	fn signer() -> AccountId {
		sp_io::crypto::sr25519_generate(USAGE_BENCH_KEY_TYPE, None).into()
	}

	fn sign(who: &AccountId, message: &[u8]) -> crate::Signature {
		let key = sp_core::sr25519::Public::from_raw(*AsRef::<[u8; 32]>::as_ref(who));
		sp_io::crypto::sr25519_sign(USAGE_BENCH_KEY_TYPE, &key, message)
			.expect("the key was generated in the keystore; qed")
			.into()
	}

	fn prepare_usage_sink(who: &AccountId) {
		use pallet_sync_attestation::Leaderboard;
		use proof_of_sync_primitives::MAX_LEADERBOARD_PAGE;
		// `who` has no record of the round yet, so its first usage creates one (reading its
		// penalties and disputed usage) and enters it in a full board of zero-point entries of
		// accounts that sort after it: a full scan, a pop and an insert.
		let round = <crate::SyncAttestation as RoundClock>::current_round();
		let mut board: Vec<_> = (0..)
			.map(|i| frame_benchmarking::account::<AccountId>("ranked", i, 0))
			.filter(|ranked| ranked > who)
			.take(MAX_LEADERBOARD_PAGE as usize)
			.map(|ranked| (ranked, 0))
			.collect();
		// In the board's order: most points first, then by account.
		board.sort();
		Leaderboard::<Runtime>::insert(round, frame_support::BoundedVec::truncate_from(board));
	}

	fn register_provider(who: &AccountId, capacity: Capacity) {
		use frame_support::traits::fungible::Mutate;
		let bond = MinProviderBond::get();
		Balances::set_balance(
			who,
			Balances::free_balance(who).saturating_add(bond.saturating_mul(2)),
		);
		let origin = crate::RuntimeOrigin::signed(who.clone());
		Resources::register(origin, b"http://127.0.0.1:30555".to_vec(), capacity, bond)
			.expect("a funded account registers; qed");
	}

	fn set_verified_capacity(who: &AccountId, capacity: Capacity) {
		use pallet_sync_attestation::{Measurement, TargetReports};
		// A full record: every verifier reported what `capacity` says.
		let round = SessionRoundClock::current_round();
		let mut record = TargetReports::<Runtime>::default();
		for i in 0..<Runtime as pallet_sync_attestation::Config>::MaxVerifiersPerTarget::get() {
			let verifier: AccountId = frame_benchmarking::account("verifier", i, 0);
			let measurement = Measurement { reachable: true, latency_ms: 0, measured: capacity };
			let _ = record.reports.try_push((verifier, measurement));
		}
		record.slots = record.reports.len() as u32;
		record.measured = capacity;
		record.quality = Perbill::one();
		pallet_sync_attestation::QualityReports::<Runtime>::insert(round, who, record);
		pallet_sync_attestation::LastClosedRound::<Runtime>::put(round);
	}

	fn set_round(round: RoundIndex) {
		pallet_session::CurrentIndex::<Runtime>::put(round);
	}

	fn set_sync_key(who: &AccountId, key: [u8; 32]) {
		<Self as pallet_sync_attestation::BenchmarkHelper<AccountId>>::set_sync_key(
			who,
			SyncId::from(sp_core::sr25519::Public::from_raw(key)),
		);
	}
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// The extensions of an authorized (fee-free, unsigned) transaction such as a sync attestation:
/// no signer, so no nonce or fee; immortal, because the attestation's own validity ends with its
/// response window; no metadata hash, since no wallet signs it.
impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}
