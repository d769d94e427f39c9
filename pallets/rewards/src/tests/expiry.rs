//! Expiry of rounds that fall out of the reward history.

use super::*;

#[test]
fn the_round_past_the_history_expires_and_returns_its_remainder() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(0, BOB, 1);
		close_round(0);
		assert_ok!(claim(ALICE, 0));
		close_round(1);
		close_round(2);
		// Still within the history.
		assert!(RoundRewards::<Test>::contains_key(0));
		events();
		let pot_before = free(pot());

		let weight = close_round(3);
		assert_eq!(weight, <() as WeightInfo>::on_round_closed(1));
		assert_eq!(
			events(),
			vec![
				Event::RoundRewardAllocated { round: 3, emission: 0, total_points: 0 },
				Event::RoundExpired { round: 0, returned: 500 },
			]
		);
		assert_eq!(RoundRewards::<Test>::get(0), None);
		assert_eq!(RoundRewards::<Test>::iter().count(), 3);
		assert_eq!(Unclaimed::<Test>::get(), 0);
		// The remainder never left the pot.
		assert_eq!(free(pot()), pot_before);
		assert_eq!(PendingCleanup::<Test>::get(), ClaimCleanup { next: 0, end: 1 });
		// The returned remainder funds later rounds.
		MockPoints::set(4, BOB, 1);
		close_round(4);
		assert_eq!(RoundRewards::<Test>::get(4).unwrap().emission, 1_000);
	});
}

#[test]
fn a_skipped_close_still_expires_everything_past_the_history() {
	ExtBuilder::default().build_and_execute(|| {
		MockPoints::set(0, ALICE, 1);
		MockPoints::set(1, ALICE, 1);
		close_round(0);
		close_round(1);
		events();

		// Rounds 2 to 9 never closed: closing 10 retires both 0 and 1.
		let weight = close_round(10);
		assert_eq!(weight, <() as WeightInfo>::on_round_closed(2));
		assert_eq!(
			events(),
			vec![
				Event::RoundRewardAllocated { round: 10, emission: 0, total_points: 0 },
				Event::RoundExpired { round: 0, returned: 1_000 },
				Event::RoundExpired { round: 1, returned: 1_000 },
			]
		);
		assert_eq!(RoundRewards::<Test>::iter_keys().collect::<Vec<_>>(), vec![10]);
		assert_eq!(Unclaimed::<Test>::get(), 0);
	});
}

#[test]
fn nothing_expires_within_the_first_history_depth_rounds() {
	ExtBuilder::default().build_and_execute(|| {
		for round in 0..3 {
			MockPoints::set(round, ALICE, 1);
			assert_eq!(close_round(round), <() as WeightInfo>::on_round_closed(0));
		}
		assert_eq!(RoundRewards::<Test>::iter().count(), 3);
		assert_eq!(Unclaimed::<Test>::get(), 3_000);
		assert!(PendingCleanup::<Test>::get().is_empty());
	});
}
