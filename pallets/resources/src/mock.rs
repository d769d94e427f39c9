//! A mock runtime: System, Balances and the registry, with a round clock, session keys and round
//! points the tests set by hand.

use crate::{self as pallet_resources};
use alloc::collections::BTreeMap;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ValidatorRegistration},
};
use proof_of_sync_primitives::{Capacity, Points, RoundIndex, RoundPoints};
pub use proof_of_sync_test_utils::MockRoundClock;
use sp_runtime::{BuildStorage, Weight};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Resources: pallet_resources,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = frame_support::traits::ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const MIN_PROVIDER_BOND: Balance = 1_000;
pub const MIN_VALIDATOR_BOND: Balance = 5_000;
pub const MAX_ENDPOINT_LEN: u32 = 64;
pub const UNBONDING_ROUNDS: RoundIndex = 3;
/// Receives slashed bonds.
pub const POT: AccountId = 999;

parameter_types! {
	/// The accounts the tests gave session keys.
	pub static WithSessionKeys: Vec<AccountId> = vec![];
	/// Points per round and account, as the sync-attestation pallet would report them.
	pub static RoundPointsOf: BTreeMap<(RoundIndex, AccountId), Points> = BTreeMap::new();
	pub static MaxProviders: u32 = 10;
	pub const MaxCandidates: u32 = 3;
	pub const Pot: AccountId = POT;
	/// The providers the registry said withdrew, in order.
	pub static WithdrawnProviders: Vec<AccountId> = vec![];
}

/// Records the providers the registry says withdrew.
pub struct RecordWithdrawn;
impl proof_of_sync_primitives::OnProviderWithdrawn<AccountId> for RecordWithdrawn {
	fn on_provider_withdrawn(who: &AccountId) -> Weight {
		WithdrawnProviders::mutate(|w| w.push(*who));
		Weight::zero()
	}

	fn max_weight() -> Weight {
		Weight::zero()
	}
}

pub struct TestSessionKeys;
impl ValidatorRegistration<AccountId> for TestSessionKeys {
	fn is_registered(id: &AccountId) -> bool {
		WithSessionKeys::get().contains(id)
	}
}

/// The points the tests set in `RoundPointsOf`.
pub struct MockPoints;
impl MockPoints {
	/// Gives `who` `points` in `round`.
	pub fn set(round: RoundIndex, who: AccountId, points: Points) {
		RoundPointsOf::mutate(|p| p.insert((round, who), points));
	}
}

impl RoundPoints<AccountId> for MockPoints {
	fn points_of(round: RoundIndex, who: &AccountId) -> Points {
		RoundPointsOf::get().get(&(round, *who)).copied().unwrap_or(0)
	}

	fn total_points(round: RoundIndex) -> Points {
		RoundPointsOf::get()
			.iter()
			.filter(|((r, _), _)| *r == round)
			.map(|(_, p)| *p)
			.sum()
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for TestSessionKeys {
	fn set_session_keys(who: &AccountId) {
		WithSessionKeys::mutate(|v| v.push(*who));
	}

	fn set_round(round: RoundIndex) {
		MockRoundClock::set(round);
	}
}

impl pallet_resources::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RoundClock = MockRoundClock;
	type Points = MockPoints;
	type ValidatorRegistration = TestSessionKeys;
	type OnWithdrawn = RecordWithdrawn;
	type Slash = ResolveTo<Pot, Balances>;
	type MinProviderBond = frame_support::traits::ConstU128<MIN_PROVIDER_BOND>;
	type MinValidatorBond = frame_support::traits::ConstU128<MIN_VALIDATOR_BOND>;
	type MaxProviders = MaxProviders;
	type MaxCandidates = MaxCandidates;
	type MaxEndpointLen = ConstU32<MAX_ENDPOINT_LEN>;
	type MaxCapacity = MaxCapacity;
	type UnbondingRounds = ConstU32<UNBONDING_ROUNDS>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestSessionKeys;
}

frame_support::parameter_types! {
	/// The most a provider may declare: 64 vCPU, a million storage units, 100 Gbit/s.
	pub const MaxCapacity: Capacity =
		Capacity { compute: 64_000, storage: 1 << 20, bandwidth: 100_000 };
}

/// Every account 1..=9 starts with this much; 999 (the pot) with the existential deposit.
pub const INITIAL_BALANCE: Balance = 100_000;

/// A capacity every test provider declares.
pub fn capacity() -> Capacity {
	Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 }
}

pub fn endpoint() -> Vec<u8> {
	b"http://127.0.0.1:30555".to_vec()
}

/// Genesis: accounts 1..=9 funded; account 1 a genesis provider and validator candidate.
pub struct ExtBuilder {
	genesis_providers: Vec<(AccountId, Vec<u8>, Capacity, Balance, bool)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { genesis_providers: vec![(1, endpoint(), capacity(), MIN_VALIDATOR_BOND, true)] }
	}
}

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<_> = (1..=9).map(|who| (who, INITIAL_BALANCE)).collect();
		balances.push((POT, ED));
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_resources::GenesisConfig::<Test> { providers: self.genesis_providers }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			MockRoundClock::set(0);
			WithSessionKeys::set(vec![]);
			RoundPointsOf::set(BTreeMap::new());
			MaxProviders::set(10);
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		proof_of_sync_test_utils::execute_checked(self.build(), test, Resources::do_try_state);
	}
}

/// For the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// This pallet's events since the last call (of this or any pallet's `events`), oldest first.
pub fn events() -> Vec<crate::Event<Test>> {
	proof_of_sync_test_utils::take_events::<Test, _>()
}

/// The newest of this pallet's events that `events()` would return; takes nothing.
pub fn last_event() -> crate::Event<Test> {
	proof_of_sync_test_utils::last_event::<Test, _>()
}
