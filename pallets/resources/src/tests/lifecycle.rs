//! The provider lifecycle: `leave` and `withdraw`, `chill` and `reactivate`.

use super::*;

#[test]
fn leave_then_withdraw_after_unbonding() {
	builder().build_and_execute(|| {
		let total = Balances::total_balance(&1);
		MockRoundClock::set(2);
		assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
		let until_round = 2 + UNBONDING_ROUNDS;
		assert_eq!(status(1), ProviderStatus::Leaving { until_round });
		assert!(!Resources::is_candidate(&1));
		assert!(!Resources::is_active_in(&1, 2));
		assert_eq!(Resources::active_count(), 0);
		// Still held, still slashable.
		assert_eq!(held(1), MIN_VALIDATOR_BOND);

		MockRoundClock::set(until_round - 1);
		assert_noop!(Resources::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::StillUnbonding);
		assert!(WithdrawnProviders::get().is_empty(), "the other pallets keep it while it unbonds");
		MockRoundClock::set(until_round);
		assert_ok!(Resources::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(Providers::<Test>::get(1), None);
		assert_eq!(WithdrawnProviders::get(), vec![1], "the other pallets are told, once");
		assert_eq!(held(1), 0);
		assert_eq!(Balances::balance(&1), total);
		assert_eq!(
			events(),
			vec![
				Event::CandidateRemoved { provider: 1, reason: CandidateRemovalReason::Left },
				Event::LeavingStarted { provider: 1, until_round },
				Event::Withdrawn { provider: 1, amount: MIN_VALIDATOR_BOND },
			]
		);
		// It may register again.
		register(1, MIN_PROVIDER_BOND);
	});
}

#[test]
fn bad_leave_and_withdraw_change_nothing() {
	builder().build_and_execute(|| {
		assert_noop!(Resources::leave(RuntimeOrigin::signed(2)), Error::<Test>::NotProvider);
		assert_noop!(Resources::withdraw(RuntimeOrigin::signed(2)), Error::<Test>::NotProvider);
		assert_noop!(Resources::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::NotLeaving);
		assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
		assert_noop!(Resources::leave(RuntimeOrigin::signed(1)), Error::<Test>::AlreadyLeaving);
		assert_noop!(Resources::withdraw(RuntimeOrigin::signed(1)), Error::<Test>::StillUnbonding);
		assert_noop!(Resources::reactivate(RuntimeOrigin::signed(1)), Error::<Test>::NotChilled);
		assert!(WithdrawnProviders::get().is_empty());
	});
}

#[test]
fn a_chilled_provider_may_leave() {
	builder().build_and_execute(|| {
		assert_ok!(Resources::chill(&1));
		assert_eq!(Resources::active_count(), 0);
		assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
		assert_eq!(Resources::active_count(), 0);
		assert_eq!(
			last_event(),
			Event::LeavingStarted { provider: 1, until_round: UNBONDING_ROUNDS }
		);
	});
}

#[test]
fn chill_and_reactivate() {
	builder().build_and_execute(|| {
		MockRoundClock::set(7);
		assert_ok!(Resources::chill(&1));
		assert_eq!(status(1), ProviderStatus::Chilled);
		assert!(!Resources::is_active_in(&1, 7));
		assert_eq!(Resources::active_count(), 0);
		// Only active providers can be chilled.
		assert_noop!(Resources::chill(&1), Error::<Test>::NotActive);
		assert_noop!(Resources::chill(&2), Error::<Test>::NotProvider);

		assert_ok!(Resources::reactivate(RuntimeOrigin::signed(1)));
		assert_eq!(status(1), ProviderStatus::Active);
		assert!(!Resources::is_active_in(&1, 7));
		assert!(Resources::is_active_in(&1, 8));
		assert_eq!(Resources::active_count(), 1);
		// Chilling ended its candidacy; re-activating does not bring it back.
		assert!(!Resources::is_candidate(&1));
		assert_eq!(
			events(),
			vec![
				Event::CandidateRemoved { provider: 1, reason: CandidateRemovalReason::Chilled },
				Event::Chilled { provider: 1 },
				Event::Reactivated { provider: 1, active_since: 8 },
			]
		);
	});
}

#[test]
fn bad_reactivate_changes_nothing() {
	builder().build_and_execute(|| {
		assert_noop!(Resources::reactivate(RuntimeOrigin::signed(2)), Error::<Test>::NotProvider);
		assert_noop!(Resources::reactivate(RuntimeOrigin::signed(1)), Error::<Test>::NotChilled);
	});
}

#[test]
fn a_withdrawn_providers_slot_goes_to_the_next_registration_and_no_one_moves() {
	builder().build_and_execute(|| {
		// Provider 1 is in slot 0 from genesis; 2, 3 and 4 take slots 1, 2 and 3.
		for who in 2..=4 {
			register(who, MIN_PROVIDER_BOND);
		}
		assert_eq!(Resources::slot_count(), 4);
		assert_eq!(
			(0..4).map(Resources::provider_in_slot).collect::<Vec<_>>(),
			[Some(1), Some(2), Some(3), Some(4)]
		);

		// 2 and 3 leave and withdraw: their slots are freed, and 4 keeps slot 3.
		MockRoundClock::set(1);
		for who in [2, 3] {
			assert_ok!(Resources::leave(RuntimeOrigin::signed(who)));
		}
		MockRoundClock::set(1 + UNBONDING_ROUNDS);
		for who in [2, 3] {
			assert_ok!(Resources::withdraw(RuntimeOrigin::signed(who)));
		}
		assert_eq!(Resources::provider_in_slot(1), None);
		assert_eq!(Resources::provider_in_slot(2), None);
		assert_eq!(Resources::slot_of(&4), Some(3));
		assert_eq!(Resources::slot_count(), 4);

		// The last freed slot is taken first, then the other, then a new one.
		for who in [5, 6, 7] {
			register(who, MIN_PROVIDER_BOND);
		}
		assert_eq!(Resources::slot_of(&5), Some(2));
		assert_eq!(Resources::slot_of(&6), Some(1));
		assert_eq!(Resources::slot_of(&7), Some(4));
		assert_eq!(Resources::slot_count(), 5);
		assert_eq!(Resources::slot_of(&2), None);
	});
}

#[test]
fn a_provider_that_stops_mid_round_keeps_its_seat_for_that_round_only() {
	builder().build_and_execute(|| {
		// Chilled in round 7: seated in 7 (it was active when 7 began), not in 8.
		MockRoundClock::set(7);
		assert!(Resources::is_seated_in(&1, 7));
		assert_ok!(Resources::chill(&1));
		assert!(!Resources::is_active_in(&1, 7));
		assert!(Resources::is_seated_in(&1, 7));
		assert!(!Resources::is_seated_in(&1, 8));
		// Leaving while chilled does not seat it again.
		MockRoundClock::set(9);
		assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
		assert!(!Resources::is_seated_in(&1, 9));

		// Leaving while active: seated for the rest of the round it left in.
		register(2, MIN_PROVIDER_BOND);
		MockRoundClock::set(10);
		assert!(Resources::is_seated_in(&2, 10));
		assert_ok!(Resources::leave(RuntimeOrigin::signed(2)));
		assert!(Resources::is_seated_in(&2, 10));
		assert!(!Resources::is_seated_in(&2, 11));

		// Registering or re-activating mid-round seats from the next round, as activity does.
		register(3, MIN_PROVIDER_BOND);
		assert!(!Resources::is_seated_in(&3, 10));
		assert!(Resources::is_seated_in(&3, 11));
		assert_ok!(Resources::chill(&3));
		assert!(!Resources::is_seated_in(&3, 10));
		MockRoundClock::set(12);
		assert_ok!(Resources::reactivate(RuntimeOrigin::signed(3)));
		assert!(!Resources::is_seated_in(&3, 12));
		assert!(Resources::is_seated_in(&3, 13));

		// Chilled and re-activated within a round: still seated in it, so that a provider
		// cannot move its neighbours' seats by stopping and coming back.
		MockRoundClock::set(13);
		assert_ok!(Resources::chill(&3));
		assert_ok!(Resources::reactivate(RuntimeOrigin::signed(3)));
		assert!(Resources::is_seated_in(&3, 13));
		assert!(!Resources::is_active_in(&3, 13));
		// Chilled again in the same round: still the seat it had when the round began.
		assert_ok!(Resources::chill(&3));
		assert!(Resources::is_seated_in(&3, 13));
		assert!(!Resources::is_seated_in(&3, 14));
	});
}
