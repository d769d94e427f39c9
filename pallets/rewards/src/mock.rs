//! A test runtime: System, Balances and Rewards, with points and the round clock kept in
//! thread-local storage that tests set directly.

use crate::{self as pallet_rewards, *};
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, PalletId};
use proof_of_sync_primitives::{Points, RoundPoints};
pub use proof_of_sync_test_utils::MockRoundClock;
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

pub type AccountId = u64;
pub type Balance = u64;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Rewards: pallet_rewards,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

pub const EXISTENTIAL_DEPOSIT: Balance = 10;

parameter_types! {
	pub const ExistentialDeposit: Balance = EXISTENTIAL_DEPOSIT;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ExistentialDeposit;
}

parameter_types! {
	pub const RewardsPalletId: PalletId = PalletId(*b"test/pot");
	pub static RoundEmission: Balance = 1_000;
	pub static HistoryDepth: u32 = 3;
	pub static MaxExpiryCleanup: u32 = 3;
}

thread_local! {
	static POINTS: RefCell<BTreeMap<(RoundIndex, AccountId), Points>> = const { RefCell::new(BTreeMap::new()) };
	static TOTALS: RefCell<BTreeMap<RoundIndex, Points>> = const { RefCell::new(BTreeMap::new()) };
}

/// Points per round and account, as the scoring pallet would report them.
pub struct MockPoints;

impl MockPoints {
	/// Give `who` `points` in `round`; the round's total follows.
	pub fn set(round: RoundIndex, who: AccountId, points: Points) {
		let old = POINTS.with(|p| p.borrow_mut().insert((round, who), points)).unwrap_or(0);
		TOTALS.with(|t| {
			let mut totals = t.borrow_mut();
			let total = totals.entry(round).or_default();
			*total = total.saturating_sub(old).saturating_add(points);
		});
	}

	fn reset() {
		POINTS.with(|p| p.borrow_mut().clear());
		TOTALS.with(|t| t.borrow_mut().clear());
	}
}

impl RoundPoints<AccountId> for MockPoints {
	fn points_of(round: RoundIndex, who: &AccountId) -> Points {
		POINTS.with(|p| p.borrow().get(&(round, *who)).copied().unwrap_or(0))
	}

	fn total_points(round: RoundIndex) -> Points {
		TOTALS.with(|t| t.borrow().get(&round).copied().unwrap_or(0))
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper<AccountId> for MockPoints {
	fn set_points(round: RoundIndex, who: &AccountId, points: Points, total: Points) {
		POINTS.with(|p| p.borrow_mut().insert((round, *who), points));
		TOTALS.with(|t| t.borrow_mut().insert(round, total));
	}
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type Points = MockPoints;
	type RoundClock = MockRoundClock;
	type PalletId = RewardsPalletId;
	type RoundEmission = RoundEmission;
	type HistoryDepth = HistoryDepth;
	type MaxExpiryCleanup = MaxExpiryCleanup;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockPoints;
}

/// Providers endowed at genesis.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// An account with no balance at genesis.
pub const DAVE: AccountId = 4;

pub const INITIAL_BALANCE: Balance = 100;
/// The default pot funding: ten rounds of emission plus the existential deposit.
pub const POT_FUNDING: Balance = 10_000 + EXISTENTIAL_DEPOSIT;

pub struct ExtBuilder {
	pot_funding: Balance,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { pot_funding: POT_FUNDING }
	}
}

impl ExtBuilder {
	pub fn pot_funding(mut self, amount: Balance) -> Self {
		self.pot_funding = amount;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		MockPoints::reset();
		MockRoundClock::set(0);
		RoundEmission::set(1_000);
		HistoryDepth::set(3);
		MaxExpiryCleanup::set(3);
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: [ALICE, BOB, CHARLIE].into_iter().map(|who| (who, INITIAL_BALANCE)).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_rewards::GenesisConfig::<Test> { pot_funding: self.pot_funding }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		// Events are only recorded from block 1 on.
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Run `test`, then check the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		proof_of_sync_test_utils::execute_checked(self.build(), test, Rewards::do_try_state);
	}
}

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
