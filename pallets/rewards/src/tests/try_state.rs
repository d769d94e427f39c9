//! `do_try_state` catches storage that breaks an invariant.

use super::*;

#[test]
fn try_state_catches_a_wrong_unclaimed_total() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		Unclaimed::<Test>::put(999);
		assert!(Rewards::do_try_state().is_err());
		Unclaimed::<Test>::put(1_000);
	});
}

#[test]
fn try_state_catches_an_overpaid_round_and_an_underfunded_pot() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().claimed = 1_001);
		assert!(Rewards::do_try_state().is_err());
		RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().claimed = 0);

		assert_ok!(Balances::burn_from(
			&pot(),
			POT_FUNDING - 500,
			Preservation::Expendable,
			Precision::Exact,
			Fortitude::Force,
		));
		assert!(Rewards::do_try_state().is_err());
		Unclaimed::<Test>::put(0);
		RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().emission = 0);
	});
}

#[test]
fn try_state_catches_a_stray_claim_marker() {
	ExtBuilder::default().build_and_execute(|| {
		Claimed::<Test>::insert(7, ALICE, ());
		assert!(Rewards::do_try_state().is_err());
		Claimed::<Test>::remove(7, ALICE);
	});
}

// One test an invariant of `do_try_state`: it holds, a direct write breaks it and is caught, and
// the write is rolled back so that `build_and_execute`'s own check still passes. "More than
// HistoryDepth rounds are retained" has none: every retained round must lie in the last
// `HistoryDepth` rounds up to `LastAllocatedRound`, checked first, so no storage can break it
// alone.

/// `do_try_state` holds, fails with `expected` once `corrupt` has run, and holds again after.
fn assert_catches(expected: &'static str, corrupt: impl FnOnce()) {
	proof_of_sync_test_utils::assert_try_state_catches(Rewards::do_try_state, expected, corrupt);
}

/// A round's record that owes nothing.
fn empty_round() -> RoundRewardOf<Test> {
	RoundReward { emission: 0, total_points: 0, claimed: 0 }
}

#[test]
fn catches_a_round_that_paid_more_than_its_emission() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_catches("a round paid more than its emission", || {
			RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().claimed = 1_001);
		});
	});
}

#[test]
fn catches_a_retained_round_before_any_close() {
	ExtBuilder::default().build_and_execute(|| {
		assert_catches("a round is retained but no round has closed", || {
			RoundRewards::<Test>::insert(0, empty_round());
		});
	});
}

#[test]
fn catches_a_retained_round_outside_the_history() {
	ExtBuilder::default().build_and_execute(|| {
		close_round(0);
		assert_catches("a retained round lies outside the reward history", || {
			// Newer than the last closed round.
			RoundRewards::<Test>::insert(1, empty_round());
		});
	});
	ExtBuilder::default().build_and_execute(|| {
		for round in 0..=3 {
			close_round(round);
		}
		assert_catches("a retained round lies outside the reward history", || {
			// Round 0 expired when round 3 closed.
			RoundRewards::<Test>::insert(0, empty_round());
		});
	});
}

#[test]
fn catches_rounds_that_owe_more_than_a_balance_holds() {
	ExtBuilder::default().build_and_execute(|| {
		close_round(0);
		close_round(1);
		assert_catches("the rounds owe more than a balance holds", || {
			for round in [0, 1] {
				RoundRewards::<Test>::mutate(round, |r| {
					r.as_mut().unwrap().emission = Balance::MAX
				});
			}
		});
	});
}

#[test]
fn catches_an_unclaimed_total_that_differs_from_what_the_rounds_owe() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_catches("Unclaimed is not what the retained rounds owe", || {
			Unclaimed::<Test>::put(999);
		});
	});
}

#[test]
fn catches_a_pot_that_holds_less_than_the_rounds_owe() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_eq!(Unclaimed::<Test>::get(), 1_000);
		assert_catches("the pot holds less than the rounds owe", || {
			Balances::set_balance(&pot(), 999);
		});
	});
}

#[test]
fn catches_a_cleanup_queue_that_runs_backwards() {
	ExtBuilder::default().build_and_execute(|| {
		assert_catches("the cleanup queue runs backwards", || {
			PendingCleanup::<Test>::put(ClaimCleanup { next: 2, end: 1 });
		});
	});
}

#[test]
fn catches_a_claim_marker_of_no_retained_or_queued_round() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_catches(
			"a claim marker belongs to no retained round and is not queued for cleanup",
			|| Claimed::<Test>::insert(1, ALICE, ()),
		);
	});
}
