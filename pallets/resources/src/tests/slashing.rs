//! Slashing bonds: the pot and reporter shares, and the chill below the minimum bond.

use super::*;

#[test]
fn slash_goes_to_the_pot_and_reporter() {
	builder().build_and_execute(|| {
		let issuance = Balances::total_issuance();
		let reporter_before = Balances::balance(&3);
		let pot_before = Balances::balance(&POT);
		// 10 % of 5 000 = 500; a quarter of it to the reporter.
		let slashed =
			Resources::slash(&1, Perbill::from_percent(10), Some((&3, Perbill::from_percent(25))))
				.unwrap();
		assert_eq!(slashed, 500);
		assert_eq!(Providers::<Test>::get(1).unwrap().bond, MIN_VALIDATOR_BOND - 500);
		assert_eq!(held(1), MIN_VALIDATOR_BOND - 500);
		assert_eq!(Balances::balance(&3), reporter_before + 125);
		assert_eq!(Balances::balance(&POT), pot_before + 375);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(status(1), ProviderStatus::Active);
		// Below the validator bond: no longer a candidate.
		assert_eq!(
			events(),
			vec![
				Event::Slashed {
					provider: 1,
					amount: 500,
					reporter: Some(3),
					reporter_reward: 125
				},
				Event::CandidateRemoved {
					provider: 1,
					reason: CandidateRemovalReason::BelowValidatorBond
				},
			]
		);
	});
}

#[test]
fn a_reporter_cut_below_the_existential_deposit_goes_to_the_pot() {
	builder().build_and_execute(|| {
		let pot_before = Balances::balance(&POT);
		// 1 % of 5 000 = 50; 10 % of that is 5, below the existential deposit (10) of a new
		// account.
		assert_ok!(Resources::slash(
			&1,
			Perbill::from_percent(1),
			Some((&500, Perbill::from_percent(10)))
		));
		assert_eq!(Balances::balance(&500), 0);
		assert_eq!(Balances::balance(&POT), pot_before + 50);
		assert_eq!(
			events(),
			vec![
				Event::Slashed { provider: 1, amount: 50, reporter: Some(500), reporter_reward: 0 },
				Event::CandidateRemoved {
					provider: 1,
					reason: CandidateRemovalReason::BelowValidatorBond
				},
			]
		);
	});
}

#[test]
fn slash_below_the_provider_bond_chills() {
	builder().build_and_execute(|| {
		assert_ok!(Resources::slash(&1, Perbill::from_percent(90), None));
		assert_eq!(Providers::<Test>::get(1).unwrap().bond, 500);
		assert_eq!(status(1), ProviderStatus::Chilled);
		assert_eq!(Resources::active_count(), 0);
		// Back above the minimum, it may re-activate.
		assert_noop!(Resources::reactivate(RuntimeOrigin::signed(1)), Error::<Test>::BondTooLow);
		assert_ok!(Resources::bond_extra(RuntimeOrigin::signed(1), 500));
		assert_ok!(Resources::reactivate(RuntimeOrigin::signed(1)));
		assert_eq!(last_event(), Event::Reactivated { provider: 1, active_since: 1 });
	});
}

#[test]
fn a_leaving_provider_is_still_slashable_and_withdraws_the_rest() {
	builder().build_and_execute(|| {
		assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
		assert_ok!(Resources::slash(&1, Perbill::from_percent(50), None));
		assert!(matches!(status(1), ProviderStatus::Leaving { .. }));
		MockRoundClock::set(UNBONDING_ROUNDS);
		events();
		assert_ok!(Resources::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(
			events(),
			vec![Event::Withdrawn { provider: 1, amount: MIN_VALIDATOR_BOND / 2 }]
		);
	});
}

#[test]
fn slashing_an_unknown_account_fails() {
	builder().build_and_execute(|| {
		assert_noop!(
			Resources::slash(&2, Perbill::from_percent(10), None),
			Error::<Test>::NotProvider
		);
	});
}
