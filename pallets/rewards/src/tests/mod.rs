//! Unit tests, by topic. `build_and_execute` runs `do_try_state` after each one.

use crate::{mock::*, Error, Event, *};
use frame_support::{
	assert_noop, assert_ok, assert_storage_noop,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Precision, Preservation},
		Get, Hooks,
	},
};
use proof_of_sync_primitives::RoundClock;
use sp_runtime::{DispatchError, TokenError};

mod claiming;
mod cleanup;
mod closing;
mod errors;
mod expiry;
mod genesis;
mod read_helpers;
mod try_state;

/// Close `round` the way the round-closing pallet does, with the clock moved past it.
fn close_round(round: RoundIndex) -> Weight {
	MockRoundClock::set(round + 1);
	Rewards::on_round_closed(round)
}

fn pot() -> AccountId {
	Rewards::pot_account()
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn issuance() -> Balance {
	Balances::total_issuance()
}

fn claim(who: AccountId, round: RoundIndex) -> frame_support::dispatch::DispatchResult {
	Rewards::claim_rewards(RuntimeOrigin::signed(who), round)
}
