//! Benchmarks of the usage pallet's calls, each in its worst case.

use super::*;
use crate::Pallet as Usage;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, InspectHold, Mutate},
	Get,
};
use frame_system::RawOrigin;
use proof_of_sync_primitives::{Capacity, ResourceKind, RoundClock};
use sp_runtime::traits::{Saturating, Zero};

/// Every lease of the benchmarks leases this many storage units a round.
const UNITS: u64 = 10;

/// What a benchmark provider declares, and its verifiers measured: room for every booking.
fn capacity() -> Capacity {
	Capacity { compute: 64_000, storage: 1 << 20, bandwidth: 100_000 }
}

/// The price per unit: a one-unit, one-round lease is worth `MinRoundValue`.
fn price<T: Config>() -> BalanceOf<T> {
	T::MinRoundValue::get()
}

/// An account that can pay for many leases.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = price::<T>()
		.saturating_mul(1_000_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// An active provider with a storage price, measured by its verifiers.
fn new_provider<T: Config>(index: u32) -> T::AccountId {
	let who = funded::<T>("provider", index);
	T::BenchmarkHelper::register_provider(&who, capacity());
	T::BenchmarkHelper::set_verified_capacity(&who, capacity());
	let prices = PriceList { storage: price::<T>(), ..Default::default() };
	Usage::<T>::do_set_prices(who.clone(), prices).expect("a provider sets prices; qed");
	who
}

/// `consumer` leases `UNITS` storage units of `provider` for `rounds` rounds; returns the id.
fn lease<T: Config>(consumer: &T::AccountId, provider: &T::AccountId, rounds: u32) -> LeaseId {
	let id = NextLeaseId::<T>::get();
	Usage::<T>::do_open_lease(
		consumer.clone(),
		provider.clone(),
		ResourceKind::Storage,
		UNITS,
		rounds,
		price::<T>(),
	)
	.expect("the provider has room and the consumer funds; qed");
	id
}

/// Fills `provider`'s bookings up to one short of `MaxLeasesPerProvider`, each lease from another
/// consumer and running for `MaxLeaseRounds`, so that none of them ends.
fn fill_bookings_but_one<T: Config>(provider: &T::AccountId) {
	for i in 0..T::MaxLeasesPerProvider::get().saturating_sub(1) {
		lease::<T>(&funded::<T>("booker", i), provider, T::MaxLeaseRounds::get());
	}
}

/// Fills `consumer`'s list up to one short of `MaxLeasesPerConsumer` with one-round leases.
fn fill_consumer_leases_but_one<T: Config>(consumer: &T::AccountId, provider: &T::AccountId) {
	for _ in 0..T::MaxLeasesPerConsumer::get().saturating_sub(1) {
		lease::<T>(consumer, provider, 1);
	}
}

/// Gives the lease's first `min(rounds, MaxPendingRecords)` rounds a counter of half the quota:
/// a payout, a fee and a refund each when they settle.
fn record_rounds<T: Config>(id: LeaseId, rounds: u32) {
	Leases::<T>::mutate(id, |lease| {
		let lease = lease.as_mut().expect("the lease was opened; qed");
		let first = lease.start_round;
		for round in first..first.saturating_add(rounds.min(T::MaxPendingRecords::get())) {
			lease
				.records
				.try_push(UsageRecord { round, counter: lease.quota / 2 })
				.expect("at most MaxPendingRecords; qed");
		}
	});
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_prices() {
		let who = new_provider::<T>(0);
		let prices =
			PriceList { compute: price::<T>(), storage: price::<T>(), bandwidth: price::<T>() };

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), prices);

		assert_eq!(Prices::<T>::get(&who), Some(prices));
	}

	/// The provider's bookings and the consumer's list one short of full, the verified capacity
	/// read.
	#[benchmark]
	fn open_lease() {
		let provider = new_provider::<T>(0);
		fill_bookings_but_one::<T>(&provider);
		let consumer = funded::<T>("consumer", 0);
		fill_consumer_leases_but_one::<T>(&consumer, &new_provider::<T>(1));
		let rounds = T::MaxLeaseRounds::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(consumer.clone()),
			provider.clone(),
			ResourceKind::Storage,
			UNITS,
			rounds,
			price::<T>(),
		);

		let id = NextLeaseId::<T>::get().saturating_sub(1);
		assert_eq!(Leases::<T>::get(id).map(|lease| lease.consumer), Some(consumer));
	}

	/// A record inserted before `MaxPendingRecords - 1` others.
	#[benchmark]
	fn record_usage() {
		let provider = new_provider::<T>(0);
		let consumer = funded::<T>("consumer", 0);
		let id = lease::<T>(&consumer, &provider, T::MaxLeaseRounds::get());
		let first = T::RoundClock::current_round().saturating_add(1);
		let pending = T::MaxPendingRecords::get().saturating_sub(1);
		Leases::<T>::mutate(id, |lease| {
			let lease = lease.as_mut().expect("the lease was opened; qed");
			for round in first.saturating_add(1)..first.saturating_add(1).saturating_add(pending) {
				lease.records.try_push(UsageRecord { round, counter: 1 }).expect("room; qed");
			}
		});
		// Round `first` is recorded in the round after it, in grace.
		T::BenchmarkHelper::set_round(first.saturating_add(1));

		#[extrinsic_call]
		_(RawOrigin::Signed(provider), id, first, UNITS);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.first(), Some(&UsageRecord { round: first, counter: UNITS }));
	}

	/// `n` rounds due, each recorded (up to `MaxPendingRecords`): a payout, a fee and a refund.
	#[benchmark]
	fn settle(n: Linear<1, { T::MaxSettlePerCall::get() }>) {
		let provider = new_provider::<T>(0);
		let consumer = funded::<T>("consumer", 0);
		let id = lease::<T>(&consumer, &provider, n);
		record_rounds::<T>(id, n);
		let end = Leases::<T>::get(id).expect("the lease was opened; qed").end_round;
		T::BenchmarkHelper::set_round(end.saturating_add(T::DisputeWindow::get()));

		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), id, n);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.settled_to, end);
		assert!(!lease.paid.is_zero());
	}

	/// The provider's bookings full, the lease's the last.
	#[benchmark]
	fn cancel_lease() {
		let provider = new_provider::<T>(0);
		fill_bookings_but_one::<T>(&provider);
		let consumer = funded::<T>("consumer", 0);
		let id = lease::<T>(&consumer, &provider, T::MaxLeaseRounds::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), id);

		assert!(
			T::Currency::balance_on_hold(&HoldReason::LeaseEscrow.into(), &consumer) <
				Leases::<T>::get(id).expect("the lease is open; qed").deposited
		);
	}

	/// `n` rounds left to settle, each recorded (up to `MaxPendingRecords`); the consumer's list
	/// and the provider's bookings full, the lease the last in both.
	#[benchmark]
	fn close_lease(n: Linear<0, { T::MaxSettlePerCall::get() }>) {
		let provider = new_provider::<T>(0);
		fill_bookings_but_one::<T>(&provider);
		let consumer = funded::<T>("consumer", 0);
		fill_consumer_leases_but_one::<T>(&consumer, &new_provider::<T>(1));
		let id = lease::<T>(&consumer, &provider, n.max(1));
		record_rounds::<T>(id, n.max(1));
		let end = Leases::<T>::get(id).expect("the lease was opened; qed").end_round;
		T::BenchmarkHelper::set_round(end.saturating_add(T::DisputeWindow::get()));
		if n == 0 {
			Usage::<T>::do_settle(id, 1).expect("its one round is due; qed");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), id);

		assert!(Leases::<T>::get(id).is_none());
	}

	impl_benchmark_test_suite!(Usage, crate::mock::new_test_ext(), crate::mock::Test);
}
