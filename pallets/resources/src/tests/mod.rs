//! Unit tests of the registry, by topic. `build_and_execute` checks the invariants after each one.

use crate::{
	mock::*, CandidateRemovalReason, Candidates, Error, Event, HoldReason, ProviderRecord,
	ProviderSlots, ProviderStatus, Providers,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
};
use proof_of_sync_primitives::{Capacity, ProviderRegistry};
use sp_runtime::{traits::BadOrigin, Perbill};

mod candidacy;
mod genesis;
mod lifecycle;
mod register;
mod slashing;
mod try_state;
mod update;

fn register(who: AccountId, bond: Balance) {
	assert_ok!(Resources::register(RuntimeOrigin::signed(who), endpoint(), capacity(), bond));
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Resources(HoldReason::ProviderBond), &who)
}

fn status(who: AccountId) -> ProviderStatus {
	Providers::<Test>::get(who).expect("a provider").status
}

fn builder() -> ExtBuilder {
	ExtBuilder::default()
}
