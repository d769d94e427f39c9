//! Genesis funding of the pot and the configuration check.

use super::*;

#[test]
fn pot_funding_is_minted_into_the_pot() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(free(pot()), POT_FUNDING);
		assert_eq!(issuance(), POT_FUNDING + 3 * INITIAL_BALANCE);
		assert_eq!(Unclaimed::<Test>::get(), 0);
		assert_eq!(LastAllocatedRound::<Test>::get(), None);
		assert!(events().is_empty());
	});
}

#[test]
fn no_funding_leaves_the_pot_empty_and_rounds_pay_nothing() {
	ExtBuilder::default().pot_funding(0).build_and_execute(|| {
		assert_eq!(free(pot()), 0);
		MockPoints::set(0, ALICE, 5);
		close_round(0);
		assert_eq!(
			events(),
			vec![Event::RoundRewardAllocated { round: 0, emission: 0, total_points: 5 }]
		);
		assert_eq!(Unclaimed::<Test>::get(), 0);
	});
}

#[test]
#[should_panic(expected = "minting pot_funding failed")]
fn funding_below_the_existential_deposit_fails() {
	ExtBuilder::default().pot_funding(EXISTENTIAL_DEPOSIT - 1).build();
}

#[test]
#[should_panic(expected = "HistoryDepth must be at least 1")]
fn integrity_test_rejects_zero_history() {
	new_test_ext().execute_with(|| {
		HistoryDepth::set(0);
		<Rewards as Hooks<u64>>::integrity_test();
	});
}
