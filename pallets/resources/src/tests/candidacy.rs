//! Validator candidacy: `opt_in_validator`, `opt_out_validator`, `remove_candidate`, who is
//! eligible, and who leaves the list or is evicted from it.

use super::*;
use frame_support::dispatch::Pays;

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
			vec![
				Event::CandidateAdded { provider: 2 },
				Event::CandidateRemoved { provider: 2, reason: CandidateRemovalReason::OptedOut },
			]
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
		WithSessionKeys::set(vec![1, 3, 4, 5]);
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
		// 1, 4 and 5: `MaxCandidates` is 3, and 3 is no stronger than any of them (no points, the
		// same bond).
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
fn squatters_that_never_attest_are_evicted_by_a_better_candidate() {
	builder().build_and_execute(|| {
		// 1 (at genesis), 2 and 3 fill the list (`MaxCandidates` is 3) and never attest.
		register(2, MIN_VALIDATOR_BOND);
		register(3, MIN_VALIDATOR_BOND);
		register(4, MIN_VALIDATOR_BOND);
		WithSessionKeys::set(vec![1, 2, 3, 4, 5]);
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(2)));
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(3)));
		// 4 proved its sync as a provider in round 1, the last closed round.
		MockRoundClock::set(2);
		MockPoints::set(1, 4, 1_000);
		events();
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(4)));
		// The three tie on points and bond: the highest account is the weakest.
		assert_eq!(Candidates::<Test>::get().into_inner(), vec![1, 2, 4]);
		assert_eq!(
			events(),
			vec![
				Event::CandidateEvicted { evicted: 3, by: 4 },
				Event::CandidateAdded { provider: 4 },
			]
		);
		// With no more points than a squatter, a bigger bond evicts it too.
		register(5, MIN_VALIDATOR_BOND + 1);
		events();
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(5)));
		assert_eq!(Candidates::<Test>::get().into_inner(), vec![1, 4, 5]);
		assert_eq!(
			events(),
			vec![
				Event::CandidateEvicted { evicted: 2, by: 5 },
				Event::CandidateAdded { provider: 5 },
			]
		);
	});
}

#[test]
fn candidates_that_attest_keep_their_place_against_a_bigger_bond() {
	builder().build_and_execute(|| {
		register(2, MIN_VALIDATOR_BOND);
		register(3, MIN_VALIDATOR_BOND);
		register(4, 2 * MIN_VALIDATOR_BOND);
		WithSessionKeys::set(vec![1, 2, 3, 4]);
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(2)));
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(3)));
		MockRoundClock::set(1);
		for who in [1, 2, 3] {
			MockPoints::set(0, who, 100);
		}
		// Points count before the bond.
		MockPoints::set(0, 4, 99);
		assert_noop!(
			Resources::opt_in_validator(RuntimeOrigin::signed(4)),
			Error::<Test>::TooManyCandidates
		);
		// As many points and a bigger bond: 4 takes the place of the weakest, 3.
		MockPoints::set(0, 4, 100);
		events();
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(4)));
		assert_eq!(Candidates::<Test>::get().into_inner(), vec![1, 2, 4]);
		assert_eq!(
			events(),
			vec![
				Event::CandidateEvicted { evicted: 3, by: 4 },
				Event::CandidateAdded { provider: 4 },
			]
		);
	});
}

#[test]
fn a_full_list_evicts_a_keyless_candidate_first() {
	builder().build_and_execute(|| {
		register(2, MIN_VALIDATOR_BOND);
		register(3, MIN_VALIDATOR_BOND);
		register(4, MIN_VALIDATOR_BOND);
		WithSessionKeys::set(vec![1, 2, 3]);
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(2)));
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(3)));
		// 2 earned the most points, then purged its session keys: it cannot be seated.
		MockRoundClock::set(1);
		MockPoints::set(0, 1, 100);
		MockPoints::set(0, 2, 1_000);
		MockPoints::set(0, 3, 100);
		WithSessionKeys::set(vec![1, 3, 4]);
		events();
		// 4 has no points and the least bond, and still takes 2's place.
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(4)));
		assert_eq!(Candidates::<Test>::get().into_inner(), vec![1, 3, 4]);
		assert_eq!(
			events(),
			vec![
				Event::CandidateEvicted { evicted: 2, by: 4 },
				Event::CandidateAdded { provider: 4 },
			]
		);
	});
}

#[test]
fn a_chilled_candidate_leaves_the_list() {
	builder().build_and_execute(|| {
		events();
		assert_ok!(Resources::chill(&1));
		assert!(!Resources::is_candidate(&1));
		assert_eq!(
			events(),
			vec![
				Event::CandidateRemoved { provider: 1, reason: CandidateRemovalReason::Chilled },
				Event::Chilled { provider: 1 },
			]
		);
		// Re-activated, it opts in again to be ranked.
		WithSessionKeys::set(vec![1]);
		assert_ok!(Resources::reactivate(RuntimeOrigin::signed(1)));
		assert!(!Resources::is_candidate(&1));
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(1)));
		assert!(Resources::is_candidate(&1));
	});
}

#[test]
fn a_candidate_slashed_below_the_validator_bond_leaves_the_list() {
	builder().build_and_execute(|| {
		assert_eq!(Resources::candidates(), vec![(1, MIN_VALIDATOR_BOND)]);
		// Below the validator bond, above the provider bond: still active, no longer a candidate.
		assert_ok!(Resources::slash(&1, Perbill::from_percent(10), None));
		assert_eq!(status(1), ProviderStatus::Active);
		assert!(!Resources::is_candidate(&1));
		assert_eq!(Resources::candidates(), vec![]);
		// Bonded back up, it may opt in again.
		assert_ok!(Resources::bond_extra(RuntimeOrigin::signed(1), 500));
		WithSessionKeys::set(vec![1]);
		assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(1)));
		assert_eq!(Resources::candidates(), vec![(1, MIN_VALIDATOR_BOND)]);
	});
}

#[test]
fn anyone_removes_a_keyless_candidate() {
	builder().build_and_execute(|| {
		// 1 opted in at genesis and has no session keys (as if it purged them).
		events();
		let result = Resources::remove_candidate(RuntimeOrigin::signed(9), 1);
		assert_eq!(result.map(|info| info.pays_fee), Ok(Pays::No));
		assert!(!Resources::is_candidate(&1));
		assert_eq!(
			events(),
			vec![Event::CandidateRemoved {
				provider: 1,
				reason: CandidateRemovalReason::NoSessionKeys
			}]
		);
	});
}

#[test]
fn remove_candidate_refusals_change_nothing() {
	builder().build_and_execute(|| {
		assert_noop!(
			Resources::remove_candidate(RuntimeOrigin::signed(9), 2),
			Error::<Test>::NotCandidate
		);
		// Active, bonded at the validator minimum, with session keys: it may be seated.
		WithSessionKeys::set(vec![1]);
		assert_noop!(
			Resources::remove_candidate(RuntimeOrigin::signed(9), 1),
			Error::<Test>::CandidateQualifies
		);
		assert_noop!(Resources::remove_candidate(RuntimeOrigin::none(), 1), BadOrigin);
		assert!(Resources::is_candidate(&1));
	});
}
