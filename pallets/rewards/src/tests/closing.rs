//! Closing a round: the emission set aside, capped by what the pot can spare.

use super::*;

#[test]
fn closing_sets_the_emission_aside() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(0, BOB, 3);
		let weight = close_round(0);

		assert_eq!(
			RoundRewards::<Test>::get(0),
			Some(RoundReward { emission: 1_000, total_points: 4, claimed: 0 })
		);
		assert_eq!(Unclaimed::<Test>::get(), 1_000);
		assert_eq!(LastAllocatedRound::<Test>::get(), Some(0));
		// Nothing moves until someone claims.
		assert_eq!(free(pot()), POT_FUNDING);
		assert_eq!(weight, <() as WeightInfo>::on_round_closed(0));
		assert_eq!(
			events(),
			vec![Event::RoundRewardAllocated { round: 0, emission: 1_000, total_points: 4 }]
		);
	});
}

#[test]
fn a_round_without_points_emits_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		close_round(0);
		assert_eq!(
			RoundRewards::<Test>::get(0),
			Some(RoundReward { emission: 0, total_points: 0, claimed: 0 })
		);
		assert_eq!(Unclaimed::<Test>::get(), 0);
		assert_eq!(
			events(),
			vec![Event::RoundRewardAllocated { round: 0, emission: 0, total_points: 0 }]
		);
		assert_noop!(claim(ALICE, 0), Error::<Test>::NoPoints);
	});
}

#[test]
fn emission_is_capped_by_what_the_pot_can_spare() {
	ExtBuilder::default()
		.pot_funding(EXISTENTIAL_DEPOSIT + 400)
		.build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(1, ALICE, 1);
			MockPoints::set(2, ALICE, 1);

			close_round(0);
			assert_eq!(RoundRewards::<Test>::get(0).unwrap().emission, 400);
			// Everything above the existential deposit is owed to round 0.
			close_round(1);
			assert_eq!(RoundRewards::<Test>::get(1).unwrap().emission, 0);
			assert_eq!(Unclaimed::<Test>::get(), 400);

			// A zero share is still paid once, and moves nothing.
			assert_ok!(claim(ALICE, 1));
			assert_eq!(free(ALICE), INITIAL_BALANCE);
			assert_noop!(claim(ALICE, 1), Error::<Test>::AlreadyClaimed);

			assert_ok!(claim(ALICE, 0));
			assert_eq!(free(ALICE), INITIAL_BALANCE + 400);
			assert_eq!(free(pot()), EXISTENTIAL_DEPOSIT);

			// Refilling the pot with a plain transfer funds the next round.
			assert_ok!(Balances::transfer_keep_alive(RuntimeOrigin::signed(BOB), pot(), 50));
			close_round(2);
			assert_eq!(RoundRewards::<Test>::get(2).unwrap().emission, 50);
		});
}

#[test]
fn emission_is_the_configured_amount_when_the_pot_is_rich() {
	ExtBuilder::default().build_and_execute(|| {
		RoundEmission::set(123);
		MockPoints::set(0, ALICE, 1);
		close_round(0);
		assert_eq!(RoundRewards::<Test>::get(0).unwrap().emission, 123);
		assert_eq!(
			last_event(),
			Event::RoundRewardAllocated { round: 0, emission: 123, total_points: 1 }
		);
	});
}

#[test]
#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure"))]
fn closing_a_round_twice_or_out_of_order_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(1, ALICE, 1);
		close_round(1);
		assert_storage_noop!(Rewards::on_round_closed(1));
		assert_storage_noop!(Rewards::on_round_closed(0));
	});
}
