//! `register`: the bond held, activation from the next round, and every refusal.

use super::*;

#[test]
fn holds_the_bond_and_activates_next_round() {
	builder().build_and_execute(|| {
		MockRoundClock::set(4);
		let free_before = Balances::balance(&2);
		register(2, MIN_PROVIDER_BOND);

		assert_eq!(
			Providers::<Test>::get(2),
			Some(ProviderRecord {
				endpoint: endpoint().try_into().unwrap(),
				capacity: capacity(),
				next_capacity: None,
				// Provider 1 is in slot 0, from genesis.
				slot: 1,
				bond: MIN_PROVIDER_BOND,
				status: ProviderStatus::Active,
				active_since: 5,
				registered_at: 4,
				stopped_in: None,
			})
		);
		assert_eq!(held(2), MIN_PROVIDER_BOND);
		assert_eq!(Balances::balance(&2), free_before - MIN_PROVIDER_BOND);
		assert_eq!(Resources::active_count(), 2);
		// Not part of the round that is running, only of the next one.
		assert!(!Resources::is_active_in(&2, 4));
		assert!(Resources::is_active_in(&2, 5));
		assert_eq!(Resources::declared_capacity(&2, 5), Some(capacity()));
		assert_eq!(ProviderSlots::<Test>::get(1), Some(2));
		assert_eq!(
			events(),
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
			Resources::register(RuntimeOrigin::none(), endpoint(), capacity(), MIN_PROVIDER_BOND),
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
			// polkadot.js would show these as the bytes the hex encodes, not as this text.
			(b"0x687474703a2f2f6f74686572".to_vec(), Error::<Test>::InvalidEndpoint),
			(b"0X1234".to_vec(), Error::<Test>::InvalidEndpoint),
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
fn refuses_a_capacity_above_the_maximum_of_any_kind() {
	builder().build_and_execute(|| {
		let max = MaxCapacity::get();
		// A provider declaring a million times an honest machine, as the attack would.
		for declared in [
			Capacity { compute: max.compute + 1, ..capacity() },
			Capacity { storage: max.storage + 1, ..capacity() },
			Capacity { bandwidth: max.bandwidth + 1, ..capacity() },
			Capacity { compute: u64::MAX, storage: u64::MAX, bandwidth: u64::MAX },
		] {
			assert_noop!(
				Resources::register(
					RuntimeOrigin::signed(2),
					endpoint(),
					declared,
					MIN_PROVIDER_BOND
				),
				Error::<Test>::CapacityTooLarge
			);
		}
		// The maximum itself is allowed.
		assert_ok!(Resources::register(
			RuntimeOrigin::signed(2),
			endpoint(),
			max,
			MIN_PROVIDER_BOND
		));
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
