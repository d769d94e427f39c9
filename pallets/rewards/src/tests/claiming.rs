//! `claim_rewards` and `payout`: shares by points, rounding and total issuance.

use super::*;

#[test]
fn shares_follow_points() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(0, BOB, 3);
		close_round(0);
		events();

		assert_ok!(claim(ALICE, 0));
		assert_ok!(claim(BOB, 0));

		assert_eq!(free(ALICE), INITIAL_BALANCE + 250);
		assert_eq!(free(BOB), INITIAL_BALANCE + 750);
		assert_eq!(free(pot()), POT_FUNDING - 1_000);
		assert_eq!(Unclaimed::<Test>::get(), 0);
		assert_eq!(RoundRewards::<Test>::get(0).unwrap().claimed, 1_000);
		assert!(Claimed::<Test>::contains_key(0, ALICE));
		assert!(Claimed::<Test>::contains_key(0, BOB));
		assert_eq!(
			events(),
			vec![
				Event::RewardPaid { round: 0, who: ALICE, amount: 250 },
				Event::RewardPaid { round: 0, who: BOB, amount: 750 },
			]
		);
	});
}

#[test]
fn rounding_dust_stays_in_the_pot() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [ALICE, BOB, CHARLIE] {
			MockPoints::set(0, who, 1);
		}
		close_round(0);
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(claim(who, 0));
			assert_eq!(free(who), INITIAL_BALANCE + 333);
		}
		assert_eq!(Unclaimed::<Test>::get(), 1);
		assert_eq!(free(pot()), POT_FUNDING - 999);

		// The dust is never paid; when the round expires it is no longer owed either.
		for round in 1..=3 {
			close_round(round);
		}
		assert_eq!(Unclaimed::<Test>::get(), 0);
		assert_eq!(free(pot()), POT_FUNDING - 999);
		assert!(events().contains(&Event::RoundExpired { round: 0, returned: 1 }));
	});
}

#[test]
fn anyone_can_pay_a_provider_out() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(0, BOB, 3);
		close_round(0);
		events();

		assert_ok!(Rewards::payout(RuntimeOrigin::signed(CHARLIE), ALICE, 0));
		assert_eq!(free(ALICE), INITIAL_BALANCE + 250);
		assert_eq!(free(CHARLIE), INITIAL_BALANCE);
		assert_eq!(events(), vec![Event::RewardPaid { round: 0, who: ALICE, amount: 250 }]);

		// The provider cannot be paid a second time, by itself or anyone else.
		assert_noop!(claim(ALICE, 0), Error::<Test>::AlreadyClaimed);
		assert_noop!(
			Rewards::payout(RuntimeOrigin::signed(BOB), ALICE, 0),
			Error::<Test>::AlreadyClaimed
		);
		// Paying out an account with no points fails the same way claiming does.
		assert_noop!(
			Rewards::payout(RuntimeOrigin::signed(ALICE), DAVE, 0),
			Error::<Test>::NoPoints
		);
	});
}

#[test]
fn calls_need_a_signed_origin() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_noop!(Rewards::claim_rewards(RuntimeOrigin::none(), 0), DispatchError::BadOrigin);
		assert_noop!(Rewards::payout(RuntimeOrigin::root(), ALICE, 0), DispatchError::BadOrigin);
	});
}

#[test]
fn claims_and_expiry_leave_total_issuance_unchanged() {
	ExtBuilder::default().build_and_execute(|| {
		let before = issuance();
		MockPoints::set(0, ALICE, 2);
		MockPoints::set(0, BOB, 1);
		MockPoints::set(1, ALICE, 1);
		close_round(0);
		close_round(1);
		assert_ok!(claim(ALICE, 0));
		assert_ok!(Rewards::payout(RuntimeOrigin::signed(ALICE), ALICE, 1));
		assert_eq!(issuance(), before);
		for round in 2..=5 {
			close_round(round);
		}
		// Bob's share of round 0 expired unpaid.
		assert_eq!(RoundRewards::<Test>::get(0), None);
		assert_eq!(issuance(), before);
		assert_eq!(free(ALICE) + free(BOB) + free(pot()), 2 * INITIAL_BALANCE + POT_FUNDING);
	});
}

#[test]
fn a_new_account_needs_a_reward_of_at_least_the_existential_deposit() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 999);
		MockPoints::set(0, DAVE, 1);
		close_round(0);
		assert_eq!(Rewards::reward_of(0, &DAVE), Some(1));
		assert_noop!(claim(DAVE, 0), DispatchError::Token(TokenError::BelowMinimum));
	});
}
