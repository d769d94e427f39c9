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
