//! Validator candidacy: `opt_in_validator`, `opt_out_validator` and who is eligible.

use super::*;

#[test]
fn opt_in_and_out() {
	builder().build_and_execute(|| {
		register(2, MIN_VALIDATOR_BOND);
		WithSessionKeys::set(vec![2]);
		events();
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(2)));
		assert!(Resources::is_candidate(&2));
		assert_eq!(Resources::candidates(), vec![(1, MIN_VALIDATOR_BOND), (2, MIN_VALIDATOR_BOND)]);
		assert_ok!(Resources::opt_out_validator(RuntimeOrigin::signed(2)));
		assert!(!Resources::is_candidate(&2));
		assert_eq!(
			events(),
			vec![Event::CandidateAdded { provider: 2 }, Event::CandidateRemoved { provider: 2 }]
		);
	});
}

#[test]
fn opt_in_refusals_change_nothing() {
	builder().build_and_execute(|| {
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(2)),
			Error::<Test>::NotProvider
		);
		register(2, MIN_VALIDATOR_BOND - 1);
		WithSessionKeys::set(vec![2, 3, 4, 5]);
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(2)),
			Error::<Test>::BelowValidatorBond
		);
		register(3, MIN_VALIDATOR_BOND);
		WithSessionKeys::set(vec![]);
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(3)),
			Error::<Test>::NoSessionKeys
		);
		WithSessionKeys::set(vec![3, 4, 5]);
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(1)),
			Error::<Test>::AlreadyCandidate
		);
		assert_ok!(Resources::chill(&3));
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(3)),
			Error::<Test>::NotActive
		);
		register(4, MIN_VALIDATOR_BOND);
		register(5, MIN_VALIDATOR_BOND);
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(4)));
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(5)));
		// 1, 4 and 5: `MaxCandidates` is 3.
		assert_ok!(Resources::reactivate(RuntimeOrigin::signed(3)));
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(3)),
			Error::<Test>::TooManyCandidates
		);
	});
}

#[test]
fn opt_out_refusals_change_nothing() {
	builder().build_and_execute(|| {
		assert_noop!(
			Resources::opt_out_validator(RuntimeOrigin::signed(2)),
			Error::<Test>::NotProvider
		);
		register(2, MIN_VALIDATOR_BOND);
		assert_noop!(
			Resources::opt_out_validator(RuntimeOrigin::signed(2)),
			Error::<Test>::NotCandidate
		);
	});
}

#[test]
fn candidates_leave_out_chilled_and_under_bonded_ones() {
	builder().build_and_execute(|| {
		assert_eq!(Resources::candidates(), vec![(1, MIN_VALIDATOR_BOND)]);
		// A slash below the validator bond (but above the provider bond) keeps it listed
		// but not eligible.
		assert_ok!(Resources::slash(&1, Perbill::from_percent(10), None));
		assert!(Resources::is_candidate(&1));
		assert_eq!(Resources::candidates(), vec![]);
		assert_ok!(Resources::bond_extra(RuntimeOrigin::signed(1), 500));
		assert_eq!(Resources::candidates(), vec![(1, MIN_VALIDATOR_BOND)]);
		assert_ok!(Resources::chill(&1));
		assert_eq!(Resources::candidates(), vec![]);
	});
}
