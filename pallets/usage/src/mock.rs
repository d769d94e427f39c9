//! A mock runtime: System, Balances and the usage pallet, with a provider registry, verified
//! capacities and a round clock the tests set by hand.

use crate::{self as pallet_usage, PriceList};
use alloc::collections::BTreeMap;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64},
};
use proof_of_sync_primitives::{
	Capacity, ProviderRegistry, ResourceKind, RoundClock, RoundIndex, SyncKeys, UsageSink,
	VerifiedCapacity,
};
pub use proof_of_sync_test_utils::MockRoundClock;
use sp_core::{sr25519, Pair};
use sp_runtime::{
	generic::UncheckedExtrinsic,
	testing::{TestSignature, UintAuthorityId},
	BuildStorage, DispatchError, Perbill,
};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Usage: pallet_usage,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
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

pub const ED: Balance = 10;

parameter_types! {
	/// The existential deposit, `ED` unless a test raises it.
	pub static ExistentialDeposit: Balance = ED;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Receives the usage fees.
pub const POT: AccountId = 999;
/// Active providers with prices set.
pub const ALICE: AccountId = 1;
pub const DAVE: AccountId = 2;
/// A provider that is chilled.
pub const CHILLED: AccountId = 3;
/// Consumers.
pub const BOB: AccountId = 10;
pub const CHARLIE: AccountId = 11;

pub const DISPUTE_WINDOW: RoundIndex = 2;
pub const NOTICE_ROUNDS: RoundIndex = 1;
pub const MAX_SETTLE_PER_CALL: u32 = 3;
pub const MAX_PENDING_RECORDS: u32 = 4;
pub const MAX_LEASE_ROUNDS: RoundIndex = 20;
pub const MIN_ROUND_VALUE: Balance = 100;
pub const ROUND_SECONDS: u64 = 60;
pub const USAGE_FEE: Perbill = Perbill::from_percent(10);
pub const RESERVATION_SHARE: Perbill = Perbill::from_percent(20);
pub const USAGE_FRAUD_SLASH: Perbill = Perbill::from_percent(20);
pub const REPORTER_CUT: Perbill = Perbill::from_percent(10);

/// What the mock registry knows of a provider, as the resources pallet keeps it.
#[derive(Clone, Copy, Debug)]
pub struct MockProvider {
	pub capacity: Capacity,
	pub active: bool,
	/// The first round it takes part in.
	pub active_since: RoundIndex,
	/// The round it was chilled in, having been active in it.
	pub stopped_in: Option<RoundIndex>,
}

parameter_types! {
	/// What the usage sink was told, in order.
	pub static SinkLog: Vec<SinkEntry> = vec![];
	pub static Providers: BTreeMap<AccountId, MockProvider> = BTreeMap::new();
	pub static Verified: BTreeMap<AccountId, Capacity> = BTreeMap::new();
	/// The `sync` keys, by account.
	pub static SyncKeyMap: BTreeMap<AccountId, [u8; 32]> = BTreeMap::new();
	/// Every slash asked of the registry: who, what fraction, and the reporter with its cut.
	pub static SlashLog: Vec<Slash> = vec![];
	/// What the registry says it slashed; `None` makes the slash fail.
	pub static SlashAmount: Option<Balance> = Some(1_000);
	pub const Pot: AccountId = POT;
	pub const UsageFee: Perbill = USAGE_FEE;
	pub const ReservationShare: Perbill = RESERVATION_SHARE;
	pub const UsageFraudSlash: Perbill = USAGE_FRAUD_SLASH;
	pub const ReporterCut: Perbill = REPORTER_CUT;
}

/// One call to the usage sink.
/// A slash asked of the registry: who, what fraction, and the reporter with its cut.
pub type Slash = (AccountId, Perbill, Option<(AccountId, Perbill)>);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SinkEntry {
	Served(AccountId, ResourceKind, u64),
	Disputed(AccountId, ResourceKind, u64),
}

/// Logs what it is told in `SinkLog`.
pub struct MockSink;
impl UsageSink<AccountId> for MockSink {
	fn note_served(who: &AccountId, kind: ResourceKind, units: u64) {
		SinkLog::mutate(|log| log.push(SinkEntry::Served(*who, kind, units)));
	}

	fn note_disputed(who: &AccountId, kind: ResourceKind, units: u64) {
		SinkLog::mutate(|log| log.push(SinkEntry::Disputed(*who, kind, units)));
	}
}

/// The registry the tests fill through `Providers`.
pub struct MockRegistry;

impl MockRegistry {
	/// Makes `who` a provider, active since round 0 or chilled, declaring `capacity`.
	pub fn set(who: AccountId, capacity: Capacity, active: bool) {
		let provider = MockProvider { capacity, active, active_since: 0, stopped_in: None };
		Providers::mutate(|p| p.insert(who, provider));
	}

	/// Chills `who` in the round in progress.
	pub fn chill(who: AccountId) {
		let now = MockRoundClock::current_round();
		Providers::mutate(|p| {
			let provider = p.get_mut(&who).expect("a provider");
			if provider.active && provider.active_since <= now {
				provider.stopped_in = Some(now);
			}
			provider.active = false;
		});
	}

	/// Re-activates `who`: it takes part again from the next round on.
	pub fn reactivate(who: AccountId) {
		let next = MockRoundClock::current_round() + 1;
		Providers::mutate(|p| {
			let provider = p.get_mut(&who).expect("a provider");
			provider.active = true;
			provider.active_since = next;
		});
	}
}

impl ProviderRegistry<AccountId, Balance> for MockRegistry {
	fn is_active_in(who: &AccountId, round: RoundIndex) -> bool {
		Providers::get().get(who).is_some_and(|p| p.active && p.active_since <= round)
	}

	fn is_seated_in(who: &AccountId, round: RoundIndex) -> bool {
		Self::is_active_in(who, round) ||
			Providers::get().get(who).is_some_and(|p| p.stopped_in == Some(round))
	}

	fn active_count() -> u32 {
		Providers::get().values().filter(|p| p.active).count() as u32
	}

	fn declared_capacity(who: &AccountId, _round: RoundIndex) -> Option<Capacity> {
		Providers::get().get(who).map(|p| p.capacity)
	}

	fn slot_count() -> u32 {
		0
	}

	fn provider_in_slot(_slot: u32) -> Option<AccountId> {
		None
	}

	fn slot_of(_who: &AccountId) -> Option<u32> {
		None
	}

	fn candidates() -> Vec<(AccountId, Balance)> {
		Vec::new()
	}

	fn has_session_keys(_who: &AccountId) -> bool {
		false
	}

	fn chill(who: &AccountId) -> sp_runtime::DispatchResult {
		MockRegistry::chill(*who);
		Ok(())
	}

	fn slash(
		who: &AccountId,
		fraction: Perbill,
		reporter: Option<(&AccountId, Perbill)>,
	) -> Result<Balance, DispatchError> {
		let amount = SlashAmount::get().ok_or(DispatchError::Other("no bond"))?;
		SlashLog::mutate(|log| log.push((*who, fraction, reporter.map(|(r, cut)| (*r, cut)))));
		Ok(amount)
	}
}

/// The `sync` key pair of `who` in the tests: from a seed of `who`'s bytes.
pub fn sync_pair(who: AccountId) -> sr25519::Pair {
	let mut seed = [0u8; 32];
	seed[..8].copy_from_slice(&who.to_le_bytes());
	seed[31] = 0x5c;
	sr25519::Pair::from_seed(&seed)
}

pub struct MockSyncKeys;
impl SyncKeys<AccountId> for MockSyncKeys {
	fn sync_key_of(who: &AccountId) -> Option<[u8; 32]> {
		SyncKeyMap::get().get(who).copied()
	}

	fn owner_of_sync_key(key: &[u8; 32]) -> Option<AccountId> {
		SyncKeyMap::get().into_iter().find(|(_, k)| k == key).map(|(who, _)| who)
	}
}

/// The verified capacities the tests set in `Verified`.
pub struct MockVerified;
impl VerifiedCapacity<AccountId> for MockVerified {
	fn verified_capacity(who: &AccountId) -> Option<Capacity> {
		Verified::get().get(who).copied()
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, TestSignature> for MockRegistry {
	fn signer() -> AccountId {
		500
	}

	fn sign(who: &AccountId, message: &[u8]) -> TestSignature {
		TestSignature(*who, message.to_vec())
	}

	fn register_provider(who: &AccountId, capacity: Capacity) {
		MockRegistry::set(*who, capacity, true);
	}

	fn set_verified_capacity(who: &AccountId, capacity: Capacity) {
		Verified::mutate(|v| v.insert(*who, capacity));
	}

	fn set_round(round: RoundIndex) {
		MockRoundClock::set(round);
	}

	fn set_sync_key(who: &AccountId, key: [u8; 32]) {
		SyncKeyMap::mutate(|keys| keys.insert(*who, key));
	}

	fn prepare_usage_sink(_who: &AccountId) {}
}

impl pallet_usage::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RoundClock = MockRoundClock;
	type Registry = MockRegistry;
	type VerifiedCapacity = MockVerified;
	type UsageSink = MockSink;
	type OffchainSignature = TestSignature;
	type SigningPublicKey = UintAuthorityId;
	type SyncKeys = MockSyncKeys;
	type UsageFraudSlash = UsageFraudSlash;
	type ReporterCut = ReporterCut;
	type RecordPriority = ConstU64<1_000>;
	type Fees = ResolveTo<Pot, Balances>;
	type UsageFee = UsageFee;
	type ReservationShare = ReservationShare;
	type MinRoundValue = ConstU128<MIN_ROUND_VALUE>;
	type MaxLeaseRounds = ConstU32<MAX_LEASE_ROUNDS>;
	type MaxLeasesPerProvider = ConstU32<3>;
	type MaxLeasesPerConsumer = ConstU32<3>;
	type NoticeRounds = ConstU32<NOTICE_ROUNDS>;
	type DisputeWindow = ConstU32<DISPUTE_WINDOW>;
	type MaxPendingRecords = ConstU32<MAX_PENDING_RECORDS>;
	type MaxSettlePerCall = ConstU32<MAX_SETTLE_PER_CALL>;
	type RoundSeconds = ConstU64<ROUND_SECONDS>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockRegistry;
}

/// Every account starts with this much; the pot with the existential deposit.
pub const INITIAL_BALANCE: Balance = 100_000;

/// What every test provider declares: 4 vCPU, 100 storage units, 1 000 Mbit/s.
pub fn capacity() -> Capacity {
	Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 }
}

/// Alice's and Dave's prices: 1 a milli-vCPU round, 10 a storage unit round, 2 a megabit.
pub fn prices() -> PriceList<Balance> {
	PriceList { compute: 1, storage: 10, bandwidth: 2 }
}

/// Genesis: Alice and Dave active providers with prices, a chilled provider, Bob and Charlie
/// funded consumers, round 0 in progress.
#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		ExistentialDeposit::set(ED);
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let balances = [ALICE, DAVE, CHILLED, BOB, CHARLIE]
			.into_iter()
			.map(|who| (who, INITIAL_BALANCE))
			.chain([(POT, ED)])
			.collect();
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			MockRoundClock::set(0);
			Providers::set(BTreeMap::new());
			Verified::set(BTreeMap::new());
			SinkLog::set(vec![]);
			SlashLog::set(vec![]);
			SlashAmount::set(Some(1_000));
			SyncKeyMap::set(
				[ALICE, DAVE, CHILLED]
					.into_iter()
					.map(|who| (who, sync_pair(who).public().0))
					.collect(),
			);
			for who in [ALICE, DAVE, CHILLED] {
				MockRegistry::set(who, capacity(), who != CHILLED);
				crate::Prices::<Test>::insert(who, prices());
			}
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		proof_of_sync_test_utils::execute_checked(self.build(), test, Usage::do_try_state);
	}
}

/// For the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
	let mut ext = ExtBuilder.build();
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext
}

/// This pallet's events since the last call, oldest first.
pub fn events() -> Vec<crate::Event<Test>> {
	proof_of_sync_test_utils::take_events::<Test, _>()
}
