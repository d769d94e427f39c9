//! The read helpers of the runtime API and the pot account.

use super::*;

#[test]
fn reward_of_and_pending_rewards() {
	ExtBuilder::default().build_and_execute(|| {
		assert!(Rewards::pending_rewards(&ALICE).is_empty());
		for round in 0..3 {
			MockPoints::set(round, ALICE, 1);
			MockPoints::set(round, BOB, 1);
			close_round(round);
		}
		assert_eq!(Rewards::pending_rewards(&ALICE), vec![(0, 500), (1, 500), (2, 500)]);

		assert_ok!(claim(ALICE, 1));
		assert_eq!(Rewards::reward_of(1, &ALICE), None);
		assert_eq!(Rewards::reward_of(2, &ALICE), Some(500));
		assert_eq!(Rewards::reward_of(2, &DAVE), None);
		assert_eq!(Rewards::reward_of(9, &ALICE), None);
		assert_eq!(Rewards::pending_rewards(&ALICE), vec![(0, 500), (2, 500)]);

		close_round(3);
		assert_eq!(Rewards::reward_of(0, &ALICE), None);
		assert_eq!(Rewards::pending_rewards(&ALICE), vec![(2, 500)]);
		assert_eq!(Rewards::pending_rewards(&BOB), vec![(1, 500), (2, 500)]);
	});
}

#[test]
fn the_pot_is_the_pallet_id_account() {
	use sp_runtime::traits::AccountIdConversion;
	let expected: AccountId = RewardsPalletId::get().into_account_truncating();
	assert_eq!(Rewards::pot_account(), expected);
}
