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
		MockRoundClock::set(until_round);
		assert_ok!(Resources::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(Providers::<Test>::get(1), None);
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
