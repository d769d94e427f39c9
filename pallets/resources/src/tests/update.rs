//! `update_endpoint`, `update_capacity` and `bond_extra`.

use super::*;

#[test]
fn endpoint_and_capacity() {
	builder().build_and_execute(|| {
		MockRoundClock::set(3);
		let new_capacity = Capacity { compute: 1, storage: 0, bandwidth: 0 };
		assert_ok!(Resources::update_endpoint(
			RuntimeOrigin::signed(1),
			b"https://provider.example:443".to_vec()
		));
		assert_ok!(Resources::update_capacity(RuntimeOrigin::signed(1), new_capacity));
		let info = Providers::<Test>::get(1).unwrap();
		assert_eq!(info.endpoint.into_inner(), b"https://provider.example:443".to_vec());
		assert_eq!(
			events(),
			vec![
				Event::EndpointUpdated { provider: 1 },
				Event::CapacityUpdated { provider: 1, capacity: new_capacity, from: 4 },
			]
		);
		// The round in progress keeps the capacity it started with.
		assert_eq!(Resources::declared_capacity(&1, 3), Some(capacity()));
		assert_eq!(Resources::declared_capacity(&1, 4), Some(new_capacity));
	});
}

#[test]
fn a_capacity_change_takes_effect_at_the_next_round() {
	builder().build_and_execute(|| {
		let first = Capacity { compute: 1, storage: 0, bandwidth: 0 };
		let second = Capacity { compute: 2, storage: 0, bandwidth: 0 };
		let third = Capacity { compute: 3, storage: 0, bandwidth: 0 };
		MockRoundClock::set(3);
		assert_ok!(Resources::update_capacity(RuntimeOrigin::signed(1), first));
		// A second change in the same round replaces the first before it took effect.
		assert_ok!(Resources::update_capacity(RuntimeOrigin::signed(1), second));
		assert_eq!(Resources::declared_capacity(&1, 3), Some(capacity()));
		assert_eq!(Resources::declared_capacity(&1, 4), Some(second));

		// A change in round 6 keeps round 6 at the figure that took effect in round 4.
		MockRoundClock::set(6);
		assert_ok!(Resources::update_capacity(RuntimeOrigin::signed(1), third));
		let info = Providers::<Test>::get(1).unwrap();
		assert_eq!(info.capacity, second);
		assert_eq!(info.next_capacity, Some((7, third)));
		assert_eq!(Resources::declared_capacity(&1, 6), Some(second));
		assert_eq!(Resources::declared_capacity(&1, 7), Some(third));
		assert_eq!(Resources::declared_capacity(&2, 7), None);
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
			Resources::update_endpoint(RuntimeOrigin::signed(1), b"0xdeadbeef".to_vec()),
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
		let too_much = Capacity { storage: MaxCapacity::get().storage + 1, ..capacity() };
		assert_noop!(
			Resources::update_capacity(RuntimeOrigin::signed(1), too_much),
			Error::<Test>::CapacityTooLarge
		);
	});
}

#[test]
fn bond_extra_adds_to_the_hold() {
	builder().build_and_execute(|| {
		register(2, MIN_PROVIDER_BOND);
		events();
		assert_ok!(Resources::bond_extra(RuntimeOrigin::signed(2), 500));
		assert_eq!(Providers::<Test>::get(2).unwrap().bond, MIN_PROVIDER_BOND + 500);
		assert_eq!(held(2), MIN_PROVIDER_BOND + 500);
		assert_eq!(
			events(),
			vec![Event::BondIncreased { provider: 2, amount: 500, bond: MIN_PROVIDER_BOND + 500 }]
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
		assert_noop!(Resources::bond_extra(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Resources::bond_extra(RuntimeOrigin::signed(1), INITIAL_BALANCE),
			Error::<Test>::InsufficientBalance
		);
	});
}
