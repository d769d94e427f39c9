//! Unit tests of the registry. `build_and_execute` checks the invariants after each one.

use crate::{
	mock::*, Candidates, Error, Event, HoldReason, ProviderInfo, ProviderStatus, Providers,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
};
use proof_of_sync_primitives::{Capacity, ProviderRegistry};
use sp_runtime::{traits::BadOrigin, Perbill};

fn register(who: AccountId, bond: Balance) {
	assert_ok!(Resources::register(RuntimeOrigin::signed(who), endpoint(), capacity(), bond));
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Resources(HoldReason::ProviderBond), &who)
}

fn status(who: AccountId) -> ProviderStatus {
	Providers::<Test>::get(who).expect("a provider").status
}

fn builder() -> ExtBuilder {
	ExtBuilder::default()
}

mod genesis {
	use super::*;

	#[test]
	fn registers_genesis_providers_active_from_round_zero() {
		builder().build_and_execute(|| {
			let info = Providers::<Test>::get(1).unwrap();
			assert_eq!(info.status, ProviderStatus::Active);
			assert_eq!((info.active_since, info.registered_at), (0, 0));
			assert_eq!(info.bond, MIN_VALIDATOR_BOND);
			assert_eq!(held(1), MIN_VALIDATOR_BOND);
			assert_eq!(Candidates::<Test>::get().into_inner(), vec![1]);
			assert!(Resources::is_active_in(&1, 0));
			assert_eq!(Resources::active_count(), 1);
		});
	}

	#[test]
	fn integrity_test_passes() {
		builder().build_and_execute(|| {
			<Resources as Hooks<u64>>::integrity_test();
		});
	}
}

mod register {
	use super::*;

	#[test]
	fn holds_the_bond_and_activates_next_round() {
		builder().build_and_execute(|| {
			CurrentRound::set(4);
			let free_before = Balances::balance(&2);
			register(2, MIN_PROVIDER_BOND);

			assert_eq!(
				Providers::<Test>::get(2),
				Some(ProviderInfo {
					endpoint: endpoint().try_into().unwrap(),
					capacity: capacity(),
					bond: MIN_PROVIDER_BOND,
					status: ProviderStatus::Active,
					active_since: 5,
					registered_at: 4,
				})
			);
			assert_eq!(held(2), MIN_PROVIDER_BOND);
			assert_eq!(Balances::balance(&2), free_before - MIN_PROVIDER_BOND);
			assert_eq!(Resources::active_count(), 2);
			// Not part of the round that is running, only of the next one.
			assert!(!Resources::is_active_in(&2, 4));
			assert!(Resources::is_active_in(&2, 5));
			assert_eq!(Resources::declared_capacity(&2), Some(capacity()));
			assert_eq!(
				resources_events(),
				vec![Event::ProviderRegistered {
					provider: 2,
					bond: MIN_PROVIDER_BOND,
					capacity: capacity(),
					active_since: 5,
				}]
			);
		});
	}

	#[test]
	fn needs_a_signed_origin() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::register(
					RuntimeOrigin::none(),
					endpoint(),
					capacity(),
					MIN_PROVIDER_BOND
				),
				BadOrigin
			);
		});
	}

	#[test]
	fn refuses_a_second_registration() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::register(
					RuntimeOrigin::signed(1),
					endpoint(),
					capacity(),
					MIN_PROVIDER_BOND
				),
				Error::<Test>::AlreadyRegistered
			);
		});
	}

	#[test]
	fn refuses_when_the_registry_is_full() {
		builder().build_and_execute(|| {
			MaxProviders::set(2);
			register(2, MIN_PROVIDER_BOND);
			assert_noop!(
				Resources::register(
					RuntimeOrigin::signed(3),
					endpoint(),
					capacity(),
					MIN_PROVIDER_BOND
				),
				Error::<Test>::TooManyProviders
			);
		});
	}

	#[test]
	fn refuses_bad_endpoints() {
		builder().build_and_execute(|| {
			let too_long = vec![b'a'; MAX_ENDPOINT_LEN as usize + 1];
			for (endpoint, error) in [
				(too_long, Error::<Test>::EndpointTooLong),
				(vec![], Error::<Test>::InvalidEndpoint),
				(b"http://host :1".to_vec(), Error::<Test>::InvalidEndpoint),
				(b"http://h\xc3\xa9st:1".to_vec(), Error::<Test>::InvalidEndpoint),
			] {
				assert_noop!(
					Resources::register(
						RuntimeOrigin::signed(2),
						endpoint,
						capacity(),
						MIN_PROVIDER_BOND
					),
					error
				);
			}
			// The longest allowed endpoint is fine.
			assert_ok!(Resources::register(
				RuntimeOrigin::signed(2),
				vec![b'a'; MAX_ENDPOINT_LEN as usize],
				capacity(),
				MIN_PROVIDER_BOND
			));
		});
	}

	#[test]
	fn refuses_zero_capacity() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::register(
					RuntimeOrigin::signed(2),
					endpoint(),
					Capacity::default(),
					MIN_PROVIDER_BOND
				),
				Error::<Test>::NoCapacity
			);
		});
	}

	#[test]
	fn refuses_a_bond_below_the_minimum() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::register(
					RuntimeOrigin::signed(2),
					endpoint(),
					capacity(),
					MIN_PROVIDER_BOND - 1
				),
				Error::<Test>::BondTooLow
			);
		});
	}

	#[test]
	fn refuses_a_bond_that_would_kill_the_account() {
		builder().build_and_execute(|| {
			// Everything but the existential deposit is fine; one more is not.
			assert_noop!(
				Resources::register(
					RuntimeOrigin::signed(2),
					endpoint(),
					capacity(),
					INITIAL_BALANCE - ED + 1
				),
				Error::<Test>::InsufficientBalance
			);
			register(2, INITIAL_BALANCE - ED);
			assert_eq!(Balances::balance(&2), ED);
		});
	}
}

mod update {
	use super::*;

	#[test]
	fn endpoint_and_capacity() {
		builder().build_and_execute(|| {
			let new_capacity = Capacity { compute: 1, storage: 0, bandwidth: 0 };
			assert_ok!(Resources::update_endpoint(
				RuntimeOrigin::signed(1),
				b"https://provider.example:443".to_vec()
			));
			assert_ok!(Resources::update_capacity(RuntimeOrigin::signed(1), new_capacity));
			let info = Providers::<Test>::get(1).unwrap();
			assert_eq!(info.endpoint.into_inner(), b"https://provider.example:443".to_vec());
			assert_eq!(info.capacity, new_capacity);
			assert_eq!(
				resources_events(),
				vec![
					Event::EndpointUpdated { provider: 1 },
					Event::CapacityUpdated { provider: 1, capacity: new_capacity },
				]
			);
		});
	}

	#[test]
	fn bad_updates_change_nothing() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::update_endpoint(RuntimeOrigin::signed(2), endpoint()),
				Error::<Test>::NotProvider
			);
			assert_noop!(
				Resources::update_endpoint(RuntimeOrigin::signed(1), vec![]),
				Error::<Test>::InvalidEndpoint
			);
			assert_noop!(
				Resources::update_endpoint(
					RuntimeOrigin::signed(1),
					vec![b'a'; MAX_ENDPOINT_LEN as usize + 1]
				),
				Error::<Test>::EndpointTooLong
			);
			assert_noop!(
				Resources::update_capacity(RuntimeOrigin::signed(2), capacity()),
				Error::<Test>::NotProvider
			);
			assert_noop!(
				Resources::update_capacity(RuntimeOrigin::signed(1), Capacity::default()),
				Error::<Test>::NoCapacity
			);
		});
	}

	#[test]
	fn bond_extra_adds_to_the_hold() {
		builder().build_and_execute(|| {
			register(2, MIN_PROVIDER_BOND);
			resources_events();
			assert_ok!(Resources::bond_extra(RuntimeOrigin::signed(2), 500));
			assert_eq!(Providers::<Test>::get(2).unwrap().bond, MIN_PROVIDER_BOND + 500);
			assert_eq!(held(2), MIN_PROVIDER_BOND + 500);
			assert_eq!(
				resources_events(),
				vec![Event::BondIncreased {
					provider: 2,
					amount: 500,
					bond: MIN_PROVIDER_BOND + 500
				}]
			);
		});
	}

	#[test]
	fn bad_bond_extra_changes_nothing() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::bond_extra(RuntimeOrigin::signed(2), 500),
				Error::<Test>::NotProvider
			);
			assert_noop!(
				Resources::bond_extra(RuntimeOrigin::signed(1), 0),
				Error::<Test>::ZeroAmount
			);
			assert_noop!(
				Resources::bond_extra(RuntimeOrigin::signed(1), INITIAL_BALANCE),
				Error::<Test>::InsufficientBalance
			);
		});
	}
}

mod candidacy {
	use super::*;

	#[test]
	fn opt_in_and_out() {
		builder().build_and_execute(|| {
			register(2, MIN_VALIDATOR_BOND);
			WithSessionKeys::set(vec![2]);
			resources_events();
			assert_ok!(Resources::opt_in_validator(RuntimeOrigin::signed(2)));
			assert!(Resources::is_candidate(&2));
			assert_eq!(
				Resources::candidates(),
				vec![(1, MIN_VALIDATOR_BOND), (2, MIN_VALIDATOR_BOND)]
			);
			assert_ok!(Resources::opt_out_validator(RuntimeOrigin::signed(2)));
			assert!(!Resources::is_candidate(&2));
			assert_eq!(
				resources_events(),
				vec![
					Event::CandidateAdded { provider: 2 },
					Event::CandidateRemoved { provider: 2 }
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
}

mod lifecycle {
	use super::*;

	#[test]
	fn leave_then_withdraw_after_unbonding() {
		builder().build_and_execute(|| {
			let total = Balances::total_balance(&1);
			CurrentRound::set(2);
			assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
			let until_round = 2 + UNBONDING_ROUNDS;
			assert_eq!(status(1), ProviderStatus::Leaving { until_round });
			assert!(!Resources::is_candidate(&1));
			assert!(!Resources::is_active_in(&1, 2));
			assert_eq!(Resources::active_count(), 0);
			// Still held, still slashable.
			assert_eq!(held(1), MIN_VALIDATOR_BOND);

			CurrentRound::set(until_round - 1);
			assert_noop!(
				Resources::withdraw(RuntimeOrigin::signed(1)),
				Error::<Test>::StillUnbonding
			);
			CurrentRound::set(until_round);
			assert_ok!(Resources::withdraw(RuntimeOrigin::signed(1)));
			assert_eq!(Providers::<Test>::get(1), None);
			assert_eq!(held(1), 0);
			assert_eq!(Balances::balance(&1), total);
			assert_eq!(
				resources_events(),
				vec![
					Event::CandidateRemoved { provider: 1 },
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
			assert_noop!(
				Resources::withdraw(RuntimeOrigin::signed(1)),
				Error::<Test>::StillUnbonding
			);
			assert_noop!(
				Resources::reactivate(RuntimeOrigin::signed(1)),
				Error::<Test>::NotChilled
			);
		});
	}

	#[test]
	fn a_chilled_provider_may_leave() {
		builder().build_and_execute(|| {
			assert_ok!(Resources::chill(&1));
			assert_eq!(Resources::active_count(), 0);
			assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
			assert_eq!(Resources::active_count(), 0);
		});
	}

	#[test]
	fn chill_and_reactivate() {
		builder().build_and_execute(|| {
			CurrentRound::set(7);
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
			assert_eq!(
				resources_events(),
				vec![
					Event::Chilled { provider: 1 },
					Event::Reactivated { provider: 1, active_since: 8 },
				]
			);
		});
	}

	#[test]
	fn bad_reactivate_changes_nothing() {
		builder().build_and_execute(|| {
			assert_noop!(
				Resources::reactivate(RuntimeOrigin::signed(2)),
				Error::<Test>::NotProvider
			);
			assert_noop!(
				Resources::reactivate(RuntimeOrigin::signed(1)),
				Error::<Test>::NotChilled
			);
		});
	}
}

mod slashing {
	use super::*;

	#[test]
	fn slash_goes_to_the_pot_and_reporter() {
		builder().build_and_execute(|| {
			let issuance = Balances::total_issuance();
			let reporter_before = Balances::balance(&3);
			let pot_before = Balances::balance(&POT);
			// 10 % of 5 000 = 500; a quarter of it to the reporter.
			let slashed = Resources::slash(
				&1,
				Perbill::from_percent(10),
				Some((&3, Perbill::from_percent(25))),
			)
			.unwrap();
			assert_eq!(slashed, 500);
			assert_eq!(Providers::<Test>::get(1).unwrap().bond, MIN_VALIDATOR_BOND - 500);
			assert_eq!(held(1), MIN_VALIDATOR_BOND - 500);
			assert_eq!(Balances::balance(&3), reporter_before + 125);
			assert_eq!(Balances::balance(&POT), pot_before + 375);
			assert_eq!(Balances::total_issuance(), issuance);
			assert_eq!(status(1), ProviderStatus::Active);
			assert_eq!(
				resources_events(),
				vec![Event::Slashed {
					provider: 1,
					amount: 500,
					reporter: Some(3),
					reporter_reward: 125
				}]
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
				resources_events(),
				vec![Event::Slashed {
					provider: 1,
					amount: 50,
					reporter: Some(500),
					reporter_reward: 0
				}]
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
			assert_noop!(
				Resources::reactivate(RuntimeOrigin::signed(1)),
				Error::<Test>::BondTooLow
			);
			assert_ok!(Resources::bond_extra(RuntimeOrigin::signed(1), 500));
			assert_ok!(Resources::reactivate(RuntimeOrigin::signed(1)));
		});
	}

	#[test]
	fn a_leaving_provider_is_still_slashable_and_withdraws_the_rest() {
		builder().build_and_execute(|| {
			assert_ok!(Resources::leave(RuntimeOrigin::signed(1)));
			assert_ok!(Resources::slash(&1, Perbill::from_percent(50), None));
			assert!(matches!(status(1), ProviderStatus::Leaving { .. }));
			CurrentRound::set(UNBONDING_ROUNDS);
			resources_events();
			assert_ok!(Resources::withdraw(RuntimeOrigin::signed(1)));
			assert_eq!(
				resources_events(),
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
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_a_bond_that_is_not_held() {
		builder().build().execute_with(|| {
			Providers::<Test>::mutate(1, |info| info.as_mut().unwrap().bond += 1);
			assert!(Resources::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_drifting_active_count() {
		builder().build().execute_with(|| {
			crate::ActiveProviders::<Test>::put(2);
			assert!(Resources::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_leaving_candidate() {
		builder().build().execute_with(|| {
			Providers::<Test>::mutate(1, |info| {
				info.as_mut().unwrap().status = ProviderStatus::Leaving { until_round: 3 }
			});
			crate::ActiveProviders::<Test>::put(0);
			assert!(Resources::do_try_state().is_err());
		});
	}
}
