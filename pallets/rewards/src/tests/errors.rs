//! Why a claim is refused: round not closed, expired, already claimed, no points.

use super::*;

#[test]
fn round_not_closed() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(2, ALICE, 1);
		// The running round and a future one.
		MockRoundClock::set(0);
		assert_noop!(claim(ALICE, 0), Error::<Test>::RoundNotClosed);
		assert_noop!(claim(ALICE, 7), Error::<Test>::RoundNotClosed);

		// Round 1 ended but was never closed; rounds 0 and 2 were.
		close_round(0);
		close_round(2);
		assert_eq!(MockRoundClock::current_round(), 3);
		assert_noop!(claim(ALICE, 1), Error::<Test>::RoundNotClosed);
		assert_noop!(claim(ALICE, 3), Error::<Test>::RoundNotClosed);
		assert_ok!(claim(ALICE, 2));
	});
}

#[test]
fn round_expired() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(0, BOB, 1);
		close_round(0);
		assert_ok!(claim(ALICE, 0));
		for round in 1..=3 {
			close_round(round);
		}
		// Bob never claimed; Alice did and her marker is still in storage.
		assert_noop!(claim(BOB, 0), Error::<Test>::RoundExpired);
		assert_noop!(claim(ALICE, 0), Error::<Test>::RoundExpired);
		assert_noop!(
			Rewards::payout(RuntimeOrigin::signed(CHARLIE), BOB, 0),
			Error::<Test>::RoundExpired
		);
	});
}

#[test]
fn rounds_older_than_the_history_are_expired_even_if_never_closed() {
	ExtBuilder::default().build_and_execute(|| {
		MockRoundClock::set(10);
		MockPoints::set(2, ALICE, 1);
		assert_noop!(claim(ALICE, 2), Error::<Test>::RoundExpired);
		// Within the history but never closed.
		assert_noop!(claim(ALICE, 8), Error::<Test>::RoundNotClosed);
	});
}

#[test]
fn already_claimed() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_ok!(claim(ALICE, 0));
		assert_noop!(claim(ALICE, 0), Error::<Test>::AlreadyClaimed);
	});
}

#[test]
fn no_points() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_noop!(claim(BOB, 0), Error::<Test>::NoPoints);
		assert_noop!(claim(DAVE, 0), Error::<Test>::NoPoints);
	});
}
