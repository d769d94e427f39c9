//! Prices, opening leases (and every reason one is refused) and cancelling them.

use super::*;

#[test]
fn only_a_provider_sets_prices() {
	builder().build_and_execute(|| {
		let cheaper = PriceList { compute: 1, storage: 5, bandwidth: 0 };
		assert_noop!(Usage::set_prices(signed(BOB), cheaper), Error::<Test>::NotProvider);
		assert_ok!(Usage::set_prices(signed(ALICE), cheaper));
		assert_eq!(Prices::<Test>::get(ALICE), Some(cheaper));
		assert_eq!(events(), vec![Event::PricesSet { provider: ALICE, prices: cheaper }]);
	});
}

#[test]
fn opening_a_lease_holds_its_whole_value_and_books_the_capacity() {
	builder().build_and_execute(|| {
		events();
		let id = storage_lease(5);
		// 10 units × 10 a unit × 5 rounds.
		assert_eq!((held(BOB), free(BOB)), (500, INITIAL_BALANCE - 500));
		assert_eq!(
			events(),
			vec![Event::LeaseOpened {
				lease: id,
				consumer: BOB,
				provider: ALICE,
				kind: Storage,
				units_per_round: 10,
				quota: 10,
				price: 10,
				start_round: 1,
				end_round: 6,
				escrow: 500,
				opened_after: System::parent_hash(),
			}]
		);
		let lease = lease(id);
		assert_eq!((lease.start_round, lease.end_round, lease.settled_to), (1, 6, 1));
		assert_eq!((lease.deposited, lease.escrow), (500, 500));
		assert_eq!(
			ProviderLeases::<Test>::get(ALICE).into_inner(),
			vec![Booking { lease: id, kind: Storage, units: 10, end_round: 6 }]
		);
		assert_eq!(ConsumerLeases::<Test>::get(BOB).into_inner(), vec![id]);
		assert_eq!(NextLeaseId::<Test>::get(), id + 1);
	});
}

#[test]
fn a_bandwidth_lease_meters_megabits_for_the_rounds_seconds() {
	builder().build_and_execute(|| {
		let id = open(BOB, ALICE, Bandwidth, 5, 2);
		// 5 Mbit/s for 60 s is 300 Mbit a round, at 2 a megabit.
		assert_eq!(lease(id).quota, 5 * ROUND_SECONDS);
		assert_eq!(held(BOB), 300 * 2 * 2);
		// Overbooking compares Mbit/s with Mbit/s: 995 more of the 1 000 declared fit, 996 not.
		assert_ok!(Usage::set_prices(signed(ALICE), PriceList { bandwidth: 1, ..prices() }));
		assert_noop!(
			Usage::open_lease(signed(CHARLIE), ALICE, Bandwidth, 996, 1, Balance::MAX),
			Error::<Test>::Overbooked
		);
		open(CHARLIE, ALICE, Bandwidth, 995, 1);
	});
}

/// Abuse: overbooking a provider.
#[test]
fn a_lease_that_would_overbook_the_provider_is_refused() {
	builder().build_and_execute(|| {
		storage_lease(3);
		open(CHARLIE, ALICE, Storage, 60, 5);
		// 10 + 60 of the 100 declared are booked.
		assert_noop!(
			Usage::open_lease(signed(CHARLIE), ALICE, Storage, 31, 1, Balance::MAX),
			Error::<Test>::Overbooked
		);
		// Other kinds and other providers are not booked.
		open(CHARLIE, DAVE, Storage, 100, 1);
		// Bob's lease runs rounds 1 to 3: a lease starting in round 4 may have its units.
		to_round(2);
		assert_noop!(
			Usage::open_lease(signed(BOB), ALICE, Storage, 31, 1, Balance::MAX),
			Error::<Test>::Overbooked
		);
		to_round(3);
		open(BOB, ALICE, Storage, 40, 1);
	});
}

#[test]
fn the_verified_capacity_caps_what_is_leased_when_it_is_lower() {
	builder().build_and_execute(|| {
		Verified::mutate(|v| v.insert(ALICE, Capacity { storage: 30, ..capacity() }));
		assert_noop!(
			Usage::open_lease(signed(BOB), ALICE, Storage, 31, 1, Balance::MAX),
			Error::<Test>::Overbooked
		);
		open(BOB, ALICE, Storage, 30, 1);
		// Measured above the declared figure: the declared one counts.
		Verified::mutate(|v| v.insert(DAVE, Capacity { storage: 1_000, ..capacity() }));
		assert_noop!(
			Usage::open_lease(signed(BOB), DAVE, Storage, 101, 1, Balance::MAX),
			Error::<Test>::Overbooked
		);
	});
}

#[test]
fn a_lease_is_refused_with_a_typed_error_and_nothing_changes() {
	builder().build_and_execute(|| {
		let refused = |consumer, provider, kind, units, rounds, max, error: Error<Test>| {
			assert_noop!(
				Usage::open_lease(signed(consumer), provider, kind, units, rounds, max),
				error
			);
		};
		refused(ALICE, ALICE, Storage, 10, 1, 10, Error::SelfLease);
		refused(BOB, ALICE, Storage, 0, 1, 10, Error::ZeroUnits);
		refused(BOB, ALICE, Storage, 10, 0, 10, Error::ZeroRounds);
		refused(BOB, ALICE, Storage, 10, MAX_LEASE_ROUNDS + 1, 10, Error::LeaseTooLong);
		// Abuse: a lease on a chilled provider, or on an account that is no provider.
		refused(BOB, CHILLED, Storage, 10, 1, 10, Error::ProviderNotActive);
		refused(BOB, 77, Storage, 10, 1, 10, Error::ProviderNotActive);
		// Abuse: a price above the consumer's maximum.
		refused(BOB, ALICE, Storage, 10, 1, 9, Error::PriceAboveMax);
		refused(BOB, ALICE, Storage, 9, 1, 10, Error::LeaseTooSmall);
		refused(BOB, ALICE, Bandwidth, u64::MAX, 1, 10, Error::LeaseValueOverflow);
		refused(BOB, ALICE, Bandwidth, 1_000, 20, 10, Error::InsufficientBalance);
		Prices::<Test>::insert(ALICE, PriceList { storage: 0, ..prices() });
		refused(BOB, ALICE, Storage, 10, 1, 10, Error::KindNotOffered);
		Prices::<Test>::remove(DAVE);
		refused(BOB, DAVE, Compute, 100, 1, 10, Error::KindNotOffered);
		assert_eq!(held(BOB), 0);
	});
}

/// Abuse: paying for a lease with frozen (locked) funds, which a forced payout would move.
#[test]
fn frozen_funds_do_not_pay_for_a_lease() {
	use frame_support::traits::{LockableCurrency, WithdrawReasons};
	builder().build_and_execute(|| {
		Balances::set_lock(*b"vesting ", &BOB, INITIAL_BALANCE - 400, WithdrawReasons::all());
		assert_noop!(
			Usage::open_lease(signed(BOB), ALICE, Storage, 10, 5, Balance::MAX),
			Error::<Test>::InsufficientBalance
		);
		storage_lease(3);
	});
}

#[test]
fn a_provider_and_a_consumer_hold_a_bounded_number_of_leases() {
	builder().build_and_execute(|| {
		for _ in 0..3 {
			open(CHARLIE, ALICE, Storage, 10, 1);
		}
		assert_noop!(
			Usage::open_lease(signed(BOB), ALICE, Storage, 10, 1, Balance::MAX),
			Error::<Test>::ProviderFullyBooked
		);
		assert_noop!(
			Usage::open_lease(signed(CHARLIE), DAVE, Storage, 10, 1, Balance::MAX),
			Error::<Test>::TooManyLeases
		);
		// Ended leases free the provider's slots, but a consumer's only once closed.
		to_round(2);
		open(BOB, ALICE, Storage, 10, 1);
		to_round(1 + 1 + DISPUTE_WINDOW);
		assert_ok!(Usage::close_lease(signed(BOB), 0));
		open(CHARLIE, DAVE, Storage, 10, 1);
	});
}

#[test]
fn a_lease_keeps_the_price_it_opened_with() {
	builder().build_and_execute(|| {
		let id = storage_lease(2);
		assert_ok!(Usage::set_prices(signed(ALICE), PriceList { storage: 50, ..prices() }));
		assert_eq!(lease(id).price, 10);
		to_round(1);
		assert_ok!(record(id, 1, 10));
		to_round(3 + DISPUTE_WINDOW);
		assert_ok!(Usage::close_lease(signed(BOB), id));
		// 100 for round 1 (90 to Alice, 10 fee), round 2 not recorded: 100 back.
		assert_eq!(free(ALICE), INITIAL_BALANCE + 90);
		assert_eq!(free(BOB), INITIAL_BALANCE - 100);
	});
}

/// Abuse: a stranger cancelling someone else's lease.
#[test]
fn only_the_consumer_cancels() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		for stranger in [ALICE, CHARLIE] {
			assert_noop!(Usage::cancel_lease(signed(stranger), id), Error::<Test>::NotConsumer);
		}
		assert_noop!(Usage::cancel_lease(signed(BOB), 9), Error::<Test>::UnknownLease);
	});
}

#[test]
fn cancelling_gives_notice_and_returns_the_rest_at_once() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		to_round(2);
		events();
		assert_ok!(Usage::cancel_lease(signed(BOB), id));
		// Cancelled in round 2 with one round of notice: rounds 1 to 3 run, 4 and 5 are returned.
		assert_eq!(events(), vec![Event::LeaseCancelled { lease: id, end_round: 4, refund: 200 }]);
		assert_eq!((lease(id).end_round, lease(id).escrow, held(BOB)), (4, 300, 300));
		assert_eq!(ProviderLeases::<Test>::get(ALICE)[0].end_round, 4);
		assert_noop!(Usage::cancel_lease(signed(BOB), id), Error::<Test>::AlreadyEnding);
	});
}

#[test]
fn a_lease_on_a_provider_that_stopped_ends_without_notice() {
	builder().build_and_execute(|| {
		let running = storage_lease(5);
		to_round(1);
		let later = open(CHARLIE, DAVE, Storage, 10, 5);
		MockRegistry::chill(ALICE);
		MockRegistry::chill(DAVE);
		// A lease that has not started yet ends before it starts: all of it returns.
		assert_ok!(Usage::cancel_lease(signed(CHARLIE), later));
		assert_eq!((lease(later).end_round, lease(later).escrow, held(CHARLIE)), (2, 0, 0));
		assert_eq!(free(CHARLIE), INITIAL_BALANCE);
		// A running one ends with the round in progress.
		to_round(2);
		assert_ok!(Usage::cancel_lease(signed(BOB), running));
		assert_eq!((lease(running).end_round, held(BOB)), (3, 200));
	});
}
