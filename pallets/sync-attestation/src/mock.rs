//! A mock runtime: System and this pallet, with a provider registry, `sync` keys, a rewards
//! pallet and pallet-session's rotation played by hand.

use crate::{
	self as pallet_sync_attestation,
	crypto::{SyncId, SyncSignature},
	AttestationOf, SyncKeys,
};
use alloc::collections::BTreeMap;
use codec::Encode;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, Hooks},
	weights::Weight,
};
use pallet_session::SessionManager;
use proof_of_sync_primitives::{Capacity, OnRoundClosed, ProviderRegistry, RoundClock, RoundIndex};
use sp_core::{sr25519, Pair, H256};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{
	generic::UncheckedExtrinsic, BuildStorage, DispatchError, DispatchResult, Perbill,
};

pub type AccountId = u64;
pub type Bond = u128;
pub type BlockNumber = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		SyncAttestation: pallet_sync_attestation,
	}
);

parameter_types! {
	/// Two seconds of computation a block, as in the runtime: the probe settings' check keeps a
	/// storage audit's answer within a quarter of it.
	pub MockBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::simple_max(Weight::from_parts(
			2 * frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND,
			u64::MAX,
		));
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type BlockWeights = MockBlockWeights;
}

/// The transactions the offchain worker builds: general transactions with `AuthorizeCall`.
pub type Extrinsic =
	UncheckedExtrinsic<AccountId, RuntimeCall, (), frame_system::AuthorizeCall<Test>>;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = frame_system::AuthorizeCall<Test>;

	fn create_transaction(call: RuntimeCall, extension: Self::Extension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> Self::Extension {
		frame_system::AuthorizeCall::new()
	}
}

pub const ROUND_LENGTH: BlockNumber = 20;
/// Blocks a storage audit may be answered in after the block it opened in.
pub const AUDIT_WINDOW: u32 = 5;
/// At most two audits fall due in one block.
pub const MAX_AUDITS_PER_BLOCK: u32 = 2;
/// Counted storage audits a provider may miss within `HISTORY_DEPTH` rounds before a slash.
pub const MAX_MISSED_AUDITS: u32 = 2;
pub const RESPONSE_WINDOW: u32 = 4;
pub const HISTORY_DEPTH: u32 = 3;
/// About two rounds of challenges at the mock's odds (1/3 × 16 blocks = 5.3 a round).
pub const OFFLINE_WINDOW: u32 = 8;
pub const REPORTER: AccountId = 100;
/// What the finality tests set `FinalityStallBound` to: finality may trail the chain by a round
/// and a half.
pub const STALL_BOUND: BlockNumber = 30;
/// An authority may author nothing in one round with slots; the second in a row benches it.
pub const MAX_MISSED_ROUNDS: u32 = 1;
/// The most `sync` keys a provider's attestations may be signed with over the retained rounds.
pub const MAX_SIGNING_KEYS: u32 = 3;

/// A slash the registry was asked for: provider, fraction, reporter and its cut.
pub type SlashRecord = (AccountId, Perbill, Option<(AccountId, Perbill)>);

/// One provider in the mock registry.
#[derive(Clone, Debug, PartialEq)]
pub struct MockProvider {
	pub capacity: Capacity,
	pub active_since: RoundIndex,
	pub chilled: bool,
	/// The round it was chilled in, as the registry's `stopped_in`: it keeps its ring seat for
	/// the rest of that round.
	pub stopped_in: Option<RoundIndex>,
	pub bond: Bond,
	/// Its registry slot: providers take slots in the order they register, and keep them.
	pub slot: u32,
	/// A declared capacity from a round on, as the registry's `update_capacity` makes it.
	pub next_capacity: Option<(RoundIndex, Capacity)>,
}

parameter_types! {
	pub static Providers: BTreeMap<AccountId, MockProvider> = BTreeMap::new();
	pub static Candidates: Vec<AccountId> = vec![];
	/// The slot the next new provider takes.
	pub static NextSlot: u32 = 0;
	pub static Chilled: Vec<AccountId> = vec![];
	pub static Slashes: Vec<SlashRecord> = vec![];
	pub static Keys: BTreeMap<AccountId, SyncId> = BTreeMap::new();
	pub static ClosedRounds: Vec<RoundIndex> = vec![];
	/// pallet-session's validators: the current authorities.
	pub static Authorities: Vec<AccountId> = vec![1, 2];
	/// pallet-session's queued validators: they take over at the next rotation.
	pub static QueuedAuthorities: Vec<AccountId> = vec![1, 2];
	/// What `new_session` returned at the last rotation.
	pub static LastPlanned: Option<Vec<AccountId>> = None;
	/// The slot and the author key of the block being built.
	pub static BlockSlot: u64 = 0;
	pub static AuthorKey: Option<sr25519::Public> = None;
	/// The Aura keys of the accounts' session keys.
	pub static AuraKeys: BTreeMap<AccountId, sr25519::Public> = BTreeMap::new();
	/// The finalized heights `OnFinalityStalled` was told of.
	pub static StallsNoted: Vec<BlockNumber> = vec![];

	pub static TargetAttestationsPerBlock: u32 = 1;
	pub static MaxChallengesPerRound: u32 = 8;
	pub static MaxAuthorities: u32 = 3;
	pub static MinAuthorities: u32 = 1;
	/// A third of a set of up to 49 members, rounded down, as in the runtime.
	pub static MaxSetShrink: Perbill = Perbill::from_percent(34);
	/// No grace by default, so lags in tests are the blocks the answer waited.
	pub static SyncLagGrace: u32 = 0;
	pub static MaxCleanupPerBlock: u32 = 5;
	/// Off unless a test sets `STALL_BOUND`: most tests leave authorities silent.
	pub static FinalityStallBound: BlockNumber = BlockNumber::MAX;
	pub const RoundLength: BlockNumber = ROUND_LENGTH;
	pub const CapacityWeights: Capacity = Capacity { compute: 1, storage: 10, bandwidth: 1 };
	/// As much as the test capacity is worth, so that a round of sync alone earns what the tests
	/// of sync expect: `CAPACITY_POINTS`.
	pub const BasePoints: u128 = BASE_POINTS;
	pub const MaxProbeLatency: u32 = 1_000;
	pub const OutlierPenalty: Perbill = Perbill::from_percent(10);
	/// A point a usage unit of compute and bandwidth, ten of storage, as capacity counts.
	pub const UsageWeights: Capacity = Capacity { compute: 1_000, storage: 10_000, bandwidth: 1_000 };
	/// Usage counts up to half the capacity points.
	pub const MaxUsageShare: Perbill = Perbill::from_percent(50);
	/// Disputes take off at most a twentieth of the capacity points, below `HysteresisMargin`.
	pub static MaxDisputeShare: Perbill = Perbill::from_percent(5);
	pub const OutlierSlash: Perbill = Perbill::from_percent(5);
	pub const MinUptime: Perbill = Perbill::from_percent(50);
	pub const EquivocationSlash: Perbill = Perbill::from_percent(10);
	pub const ReporterCut: Perbill = Perbill::from_percent(50);
	pub const StorageFraudSlash: Perbill = Perbill::from_percent(20);
	pub const HysteresisMargin: Perbill = Perbill::from_percent(10);
	pub const AttestationPriority: u64 = 1 << 20;
	pub const OnRoundClosedWeight: Weight = Weight::from_parts(1_000, 0);
}

/// The capacity test providers declare: worth 4 000 + 1 000 + 1 000 = 6 000 points a round.
pub fn capacity() -> Capacity {
	Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 }
}
pub const CAPACITY_POINTS: u128 = 6_000;
/// What a round of sync alone earns in the mock (`BasePoints`).
pub const BASE_POINTS: u128 = CAPACITY_POINTS;
/// Each target's verifiers, at most.
pub const MAX_VERIFIERS: u32 = 3;
/// Overstated reports within `HistoryDepth` rounds that get a verifier slashed.
pub const MAX_OUTLIER_STRIKES: u32 = 2;
pub const BOND: Bond = 10_000;
/// The leaves of the dataset every test provider holds from genesis: 2³² units of the default
/// GiB `storage_unit`, so that no test's storage figure is above its target's dataset.
pub const GENESIS_DATASET_LEAVES: u64 = 1 << 50;

/// The dataset test provider `who` holds from genesis.
pub fn genesis_dataset(who: AccountId) -> proof_of_sync_primitives::DatasetCommitment {
	proof_of_sync_primitives::DatasetCommitment::sealed_with(
		[who as u8; 32],
		GENESIS_DATASET_LEAVES,
		&proof_of_sync_primitives::ProbeConfig::default(),
	)
}

pub struct MockRegistry;
impl MockRegistry {
	/// Registers `who`, active from the next round.
	pub fn register(who: AccountId, candidate: bool) {
		Self::register_with(who, candidate, BOND, SyncAttestation::current_round() + 1);
	}

	pub fn register_with(who: AccountId, candidate: bool, bond: Bond, active_since: RoundIndex) {
		Providers::mutate(|p| {
			let slot = p.get(&who).map_or(NextSlot::get(), |known| known.slot);
			if slot == NextSlot::get() {
				NextSlot::set(slot + 1);
			}
			p.insert(
				who,
				MockProvider {
					capacity: capacity(),
					active_since,
					chilled: false,
					stopped_in: None,
					bond,
					slot,
					next_capacity: None,
				},
			)
		});
		if candidate {
			Candidates::mutate(|c| c.push(who));
		}
	}
}

impl ProviderRegistry<AccountId, Bond> for MockRegistry {
	fn is_active_in(who: &AccountId, round: RoundIndex) -> bool {
		Providers::get().get(who).is_some_and(|p| !p.chilled && p.active_since <= round)
	}

	fn is_seated_in(who: &AccountId, round: RoundIndex) -> bool {
		Providers::get()
			.get(who)
			.is_some_and(|p| (!p.chilled && p.active_since <= round) || p.stopped_in == Some(round))
	}

	fn active_count() -> u32 {
		Providers::get().values().filter(|p| !p.chilled).count() as u32
	}

	fn declared_capacity(who: &AccountId, round: RoundIndex) -> Option<Capacity> {
		Providers::get().get(who).map(|p| match p.next_capacity {
			Some((from, next)) if round >= from => next,
			_ => p.capacity,
		})
	}

	fn slot_count() -> u32 {
		NextSlot::get()
	}

	fn provider_in_slot(slot: u32) -> Option<AccountId> {
		Providers::get().into_iter().find(|(_, p)| p.slot == slot).map(|(who, _)| who)
	}

	fn slot_of(who: &AccountId) -> Option<u32> {
		Providers::get().get(who).map(|p| p.slot)
	}

	fn candidates() -> Vec<(AccountId, Bond)> {
		let providers = Providers::get();
		Candidates::get()
			.into_iter()
			.filter_map(|who| providers.get(&who).filter(|p| !p.chilled).map(|p| (who, p.bond)))
			.collect()
	}

	/// Session keys include the `sync` key, as in the runtime: an account has them when it has a
	/// `sync` key in `Keys` (see [`purge_keys`]).
	fn has_session_keys(who: &AccountId) -> bool {
		Keys::get().contains_key(who)
	}

	fn chill(who: &AccountId) -> DispatchResult {
		let mut providers = Providers::get();
		let provider = providers.get_mut(who).ok_or(DispatchError::Other("not a provider"))?;
		if provider.chilled {
			return Err(DispatchError::Other("not active"))
		}
		let now = SyncAttestation::current_round();
		if provider.active_since <= now {
			provider.stopped_in = Some(now);
		}
		provider.chilled = true;
		Providers::set(providers);
		Chilled::mutate(|c| c.push(*who));
		Ok(())
	}

	fn slash(
		who: &AccountId,
		fraction: Perbill,
		reporter: Option<(&AccountId, Perbill)>,
	) -> Result<Bond, DispatchError> {
		let mut providers = Providers::get();
		let provider = providers.get_mut(who).ok_or(DispatchError::Other("not a provider"))?;
		let amount = fraction * provider.bond;
		provider.bond -= amount;
		Providers::set(providers);
		Slashes::mutate(|s| s.push((*who, fraction, reporter.map(|(r, cut)| (*r, cut)))));
		Ok(amount)
	}
}

pub struct MockSyncKeys;
impl SyncKeys<AccountId> for MockSyncKeys {
	fn key_of(who: &AccountId) -> Option<SyncId> {
		Keys::get().get(who).cloned()
	}

	fn owner_of(key: &SyncId) -> Option<AccountId> {
		Keys::get().into_iter().find(|(_, k)| k == key).map(|(who, _)| who)
	}
}

/// The author the tests set with `BlockSlot` and `AuthorKey`, and the Aura keys of `AuraKeys`.
pub struct MockBlockAuthor;
impl crate::BlockAuthor<AccountId> for MockBlockAuthor {
	fn slot() -> u64 {
		BlockSlot::get()
	}

	fn key() -> Option<sr25519::Public> {
		AuthorKey::get()
	}

	fn owner_of(key: &sr25519::Public) -> Option<AccountId> {
		AuraKeys::get().into_iter().find(|(_, k)| k == key).map(|(who, _)| who)
	}

	fn key_of(who: &AccountId) -> Option<sr25519::Public> {
		AuraKeys::get().get(who).cloned()
	}
}

/// Records the stalls it is told of.
pub struct MockFinalityStall;
impl crate::OnFinalityStalled<BlockNumber> for MockFinalityStall {
	fn on_finality_stalled(finalized: BlockNumber) {
		StallsNoted::mutate(|s| s.push(finalized));
	}
}

pub struct MockRewards;
impl OnRoundClosed for MockRewards {
	fn on_round_closed(round: RoundIndex) -> Weight {
		ClosedRounds::mutate(|c| c.push(round));
		OnRoundClosedWeight::get()
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockRegistry {
	fn register_provider(who: &AccountId, candidate: bool) {
		MockRegistry::register(*who, candidate);
	}

	fn set_sync_key(who: &AccountId, key: SyncId) {
		Keys::mutate(|k| k.insert(*who, key));
	}

	fn set_block_author(key: sr25519::Public, slot: u64) {
		AuthorKey::set(Some(key));
		BlockSlot::set(slot);
	}

	fn set_aura_key(who: &AccountId, key: sr25519::Public) {
		AuraKeys::mutate(|k| k.insert(*who, key));
	}

	fn set_authorities(authorities: Vec<AccountId>) {
		Authorities::set(authorities);
	}
}

impl crate::Config for Test {
	type BlockAuthor = MockBlockAuthor;
	type OnFinalityStalled = MockFinalityStall;
	type Bond = Bond;
	type Registry = MockRegistry;
	type SyncKeys = MockSyncKeys;
	type OnRoundClosed = MockRewards;
	type CurrentAuthorities = Authorities;
	type RoundLength = RoundLength;
	type ResponseWindow = ConstU32<RESPONSE_WINDOW>;
	type SyncLagGrace = SyncLagGrace;
	type TargetAttestationsPerBlock = TargetAttestationsPerBlock;
	type MaxChallengesPerRound = MaxChallengesPerRound;
	type CapacityWeights = CapacityWeights;
	type BasePoints = BasePoints;
	type MaxVerifiersPerTarget = ConstU32<MAX_VERIFIERS>;
	type MaxProbeLatency = MaxProbeLatency;
	/// A provider holding less than a thousandth of its dataset fails the storage probe.
	type MaxStorageOverclaim = ConstU32<1_000>;
	type OutlierPenalty = OutlierPenalty;
	type UsageWeights = UsageWeights;
	type MaxUsageShare = MaxUsageShare;
	type MaxDisputeShare = MaxDisputeShare;
	type MaxOutlierStrikes = ConstU32<MAX_OUTLIER_STRIKES>;
	type OutlierSlash = OutlierSlash;
	type MinUptime = MinUptime;
	type OfflineWindow = ConstU32<OFFLINE_WINDOW>;
	type EquivocationSlash = EquivocationSlash;
	type ReporterCut = ReporterCut;
	type StorageFraudSlash = StorageFraudSlash;
	type AuditWindow = ConstU32<AUDIT_WINDOW>;
	type MaxAuditsPerBlock = ConstU32<MAX_AUDITS_PER_BLOCK>;
	type MaxAuditSamples = ConstU32<16>;
	type MaxMissedAudits = ConstU32<MAX_MISSED_AUDITS>;
	type MaxSigningKeys = ConstU32<MAX_SIGNING_KEYS>;
	type MaxAuthorities = MaxAuthorities;
	type MinAuthorities = MinAuthorities;
	type MaxSetShrink = MaxSetShrink;
	type HysteresisMargin = HysteresisMargin;
	type MaxCandidates = ConstU32<10>;
	type HistoryDepth = ConstU32<HISTORY_DEPTH>;
	type MaxCleanupPerBlock = MaxCleanupPerBlock;
	type AttestationPriority = AttestationPriority;
	type MaxMissedRounds = ConstU32<MAX_MISSED_ROUNDS>;
	type FinalityStallBound = FinalityStallBound;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockRegistry;
}

/// The test key pair of `who`.
pub fn pair(who: AccountId) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[who as u8; 32])
}

/// The test Aura key pair of `who` (another seed than its `sync` key's).
pub fn aura_pair(who: AccountId) -> sr25519::Pair {
	sr25519::Pair::from_seed(&[(who as u8).wrapping_add(128); 32])
}

/// Gives `who` its test Aura key.
pub fn set_aura_key(who: AccountId) {
	AuraKeys::mutate(|k| k.insert(who, aura_pair(who).public()));
}

/// The `sync` key of `who`'s test key pair.
pub fn sync_id(who: AccountId) -> SyncId {
	pair(who).public().into()
}

/// Gives `who` its test key pair as `sync` key.
pub fn set_key(who: AccountId) {
	Keys::mutate(|k| k.insert(who, sync_id(who)));
}

/// Removes `who`'s session keys, its `sync` key with them (`session.purge_keys`).
pub fn purge_keys(who: AccountId) {
	Keys::mutate(|k| k.remove(&who));
}

/// Signs `attestation` with the test key pair of `signer`.
pub fn sign_as(signer: AccountId, attestation: &AttestationOf<Test>) -> SyncSignature {
	pair(signer).sign(&SyncAttestation::signing_payload(attestation)).into()
}

/// Signs `attestation` with the test key pair of `signer` as the chain whose genesis hash is
/// `genesis_hash` would have it signed.
pub fn sign_for_chain(
	signer: AccountId,
	attestation: &AttestationOf<Test>,
	genesis_hash: H256,
) -> SyncSignature {
	pair(signer).sign(&attestation.signing_payload(&genesis_hash)).into()
}

/// The hash the mock chain gives block `n`.
pub fn hash_of(n: BlockNumber) -> H256 {
	H256(sp_io::hashing::blake2_256(&(b"block", n).encode()))
}

/// Plays pallet-session's rotation at the end of the current round.
pub fn rotate() {
	let ending = SyncAttestation::current_round();
	SyncAttestation::end_session(ending);
	Authorities::set(QueuedAuthorities::get());
	SyncAttestation::start_session(ending + 1);
	let planned = SyncAttestation::new_session(ending + 2);
	QueuedAuthorities::set(planned.clone().unwrap_or_else(Authorities::get));
	LastPlanned::set(planned);
}

/// Finalizes the current block and starts the next one, rotating the round at multiples of
/// `ROUND_LENGTH`.
pub fn next_block() {
	let n = System::block_number() + 1;
	SyncAttestation::on_finalize(n - 1);
	System::initialize(&n, &hash_of(n - 1), &Default::default());
	if n.is_multiple_of(ROUND_LENGTH) {
		rotate();
	}
	SyncAttestation::on_initialize(n);
}

/// Runs blocks until block `n` has started.
pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		next_block();
	}
}

/// Runs blocks until round `round` has started.
pub fn run_to_round(round: RoundIndex) {
	run_to_block(BlockNumber::from(round) * ROUND_LENGTH);
}

/// Runs `on_idle` with plenty of weight.
pub fn on_idle() -> Weight {
	SyncAttestation::on_idle(System::block_number(), Weight::MAX)
}

/// Genesis: providers 1, 2 and 3 (1 and 2 validator candidates and authorities), all with sync
/// keys, active from round 0.
pub struct ExtBuilder {
	providers: Vec<(AccountId, bool)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { providers: vec![(1, true), (2, true), (3, false)] }
	}
}

impl ExtBuilder {
	/// Genesis providers: `(account, validator candidate)`.
	pub fn providers(mut self, providers: Vec<(AccountId, bool)>) -> Self {
		self.providers = providers;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
		ext.execute_with(|| {
			Providers::set(BTreeMap::new());
			NextSlot::set(0);
			Candidates::set(vec![]);
			Chilled::set(vec![]);
			Slashes::set(vec![]);
			Keys::set(BTreeMap::new());
			ClosedRounds::set(vec![]);
			Authorities::set(vec![1, 2]);
			QueuedAuthorities::set(vec![1, 2]);
			LastPlanned::set(None);
			BlockSlot::set(0);
			AuthorKey::set(None);
			AuraKeys::set(BTreeMap::new());
			StallsNoted::set(vec![]);
			TargetAttestationsPerBlock::set(1);
			MaxChallengesPerRound::set(8);
			MaxAuthorities::set(3);
			MinAuthorities::set(1);
			MaxDisputeShare::set(Perbill::from_percent(5));
			MaxSetShrink::set(Perbill::from_percent(34));
			SyncLagGrace::set(0);
			MaxCleanupPerBlock::set(5);
			FinalityStallBound::set(BlockNumber::MAX);
			for (who, candidate) in &self.providers {
				MockRegistry::register_with(*who, *candidate, BOND, 0);
				set_key(*who);
				crate::Datasets::<Test>::insert(
					who,
					crate::types::DatasetRecord {
						current: Some(genesis_dataset(*who)),
						..Default::default()
					},
				);
			}
			// This pallet's genesis, then pallet-session's.
			SyncAttestation::genesis_randomness_init();
			assert_eq!(SyncAttestation::new_session_genesis(0), None);
			assert_eq!(SyncAttestation::new_session_genesis(1), None);
			SyncAttestation::start_session(0);
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		proof_of_sync_test_utils::execute_checked(
			self.build(),
			test,
			SyncAttestation::do_try_state,
		);
	}
}

/// For the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut ext = ExtBuilder::default().build();
	ext.execute_with(|| FinalityStallBound::set(STALL_BOUND));
	ext
}

/// This pallet's events since the last call (of this or any pallet's `events`), oldest first.
pub fn events() -> Vec<crate::Event<Test>> {
	proof_of_sync_test_utils::take_events::<Test, _>()
}

/// The newest of this pallet's events that `events()` would return; takes nothing.
pub fn last_event() -> crate::Event<Test> {
	proof_of_sync_test_utils::last_event::<Test, _>()
}
