//! Benchmarks of the usage pallet's calls, each in its worst case.

use super::*;
use crate::Pallet as Usage;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{
		fungible::{Inspect, InspectHold, Mutate},
		Authorize, Get,
	},
};
use frame_system::RawOrigin;
use proof_of_sync_primitives::{Capacity, ResourceKind, RoundClock, RoundIndex, SYNC_KEY_TYPE};
use sp_core::sr25519;
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
	fund::<T>(&who);
	who
}

/// Gives `who` enough to pay for many leases.
fn fund<T: Config>(who: &T::AccountId) {
	let amount = price::<T>()
		.saturating_mul(1_000_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(who, amount);
}

/// An active provider with a storage price, measured by its verifiers.
fn new_provider<T: Config>(index: u32) -> T::AccountId {
	let who = funded::<T>("provider", index);
	T::BenchmarkHelper::register_provider(&who, capacity());
	T::BenchmarkHelper::set_verified_capacity(&who, capacity());
	let prices = PriceList { storage: price::<T>(), ..Default::default() };
	Usage::<T>::do_set_prices(who.clone(), prices).expect("a provider sets prices; qed");
	T::BenchmarkHelper::prepare_usage_sink(&who);
	who
}

/// A consumer whose key the benchmark signs with, funded.
fn signing_consumer<T: Config>() -> T::AccountId {
	let who = T::BenchmarkHelper::signer();
	fund::<T>(&who);
	who
}

/// The consumer's receipt for `counter` units of `round` of lease `id`, signed over the
/// `<Bytes>`-wrapped payload: the chain checks the plain payload first, so this is the costlier.
fn wrapped_receipt<T: Config>(
	consumer: &T::AccountId,
	id: LeaseId,
	round: proof_of_sync_primitives::RoundIndex,
	counter: u64,
) -> T::OffchainSignature {
	let genesis = frame_system::Pallet::<T>::block_hash(
		frame_system::pallet_prelude::BlockNumberFor::<T>::zero(),
	);
	let opened_after = Leases::<T>::get(id).expect("the lease was opened; qed").opened_after;
	let payload =
		UsageReceipt { lease: id, opened_after, round, counter }.signing_payload(&genesis);
	let wrapped = [&b"<Bytes>"[..], &payload[..], &b"</Bytes>"[..]].concat();
	T::BenchmarkHelper::sign(consumer, &wrapped)
}

/// A lease of `MaxLeaseRounds` of the signing consumer's from a provider, in its first round
/// (the round in progress), with `MaxPendingRecords` rounds of usage not settled; the record of
/// the round in progress, the last, has `counter` units and no receipt. Returns the provider,
/// the consumer, the lease id and the round.
fn lease_with_full_records<T: Config>(
	counter: u64,
) -> (T::AccountId, T::AccountId, LeaseId, proof_of_sync_primitives::RoundIndex) {
	let provider = new_provider::<T>(0);
	let consumer = signing_consumer::<T>();
	let id = lease::<T>(&consumer, &provider, T::MaxLeaseRounds::get());
	let first = T::RoundClock::current_round().saturating_add(1);
	let pending = T::MaxPendingRecords::get();
	let round = first.saturating_add(pending).saturating_sub(1);
	Leases::<T>::mutate(id, |lease| {
		let lease = lease.as_mut().expect("the lease was opened; qed");
		for r in first..round {
			let record = UsageRecord { round: r, counter: 1, ..Default::default() };
			lease.records.try_push(record).expect("room; qed");
		}
		let record = UsageRecord { round, counter, ..Default::default() };
		lease.records.try_push(record).expect("room; qed");
	});
	T::BenchmarkHelper::set_round(round);
	(provider, consumer, id, round)
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

/// Gives `provider` a `sync` key in the benchmark's keystore and returns it.
fn sync_key<T: Config>(provider: &T::AccountId) -> sr25519::Public {
	let key = sp_io::crypto::sr25519_generate(SYNC_KEY_TYPE, None);
	T::BenchmarkHelper::set_sync_key(provider, key.0);
	key
}

/// The note of `counter` units of `round` of lease `id`, and `key`'s signature of it.
fn signed_note<T: Config>(
	key: &sr25519::Public,
	id: LeaseId,
	round: RoundIndex,
	counter: u64,
) -> (NoteOf<T>, sr25519::Signature) {
	let genesis = frame_system::Pallet::<T>::block_hash(
		frame_system::pallet_prelude::BlockNumberFor::<T>::zero(),
	);
	let opened_after = Leases::<T>::get(id).expect("the lease was opened; qed").opened_after;
	let note = UsageReceipt { lease: id, opened_after, round, counter };
	let signature = sp_io::crypto::sr25519_sign(SYNC_KEY_TYPE, key, &note.note_payload(&genesis))
		.expect("the key is in the keystore; qed");
	(note, signature)
}

/// A lease of the signing consumer's from a provider with a `sync` key, whose first round has
/// ended and has no record while the `MaxPendingRecords - 1` rounds after it have one each: a
/// record of the first round goes in front of them all. Returns the provider's key, the consumer,
/// the lease and the first round.
fn lease_with_records_after_the_first<T: Config>(
) -> (sr25519::Public, T::AccountId, LeaseId, RoundIndex) {
	let provider = new_provider::<T>(0);
	let key = sync_key::<T>(&provider);
	let consumer = signing_consumer::<T>();
	let id = lease::<T>(&consumer, &provider, T::MaxLeaseRounds::get());
	let first = T::RoundClock::current_round().saturating_add(1);
	let pending = T::MaxPendingRecords::get();
	Leases::<T>::mutate(id, |lease| {
		let lease = lease.as_mut().expect("the lease was opened; qed");
		for round in first.saturating_add(1)..first.saturating_add(pending) {
			let record = UsageRecord { round, counter: 1, ..Default::default() };
			lease.records.try_push(record).expect("room; qed");
		}
	});
	T::BenchmarkHelper::set_round(first.saturating_add(pending));
	(key, consumer, id, first)
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
				.try_push(UsageRecord { round, counter: lease.quota / 2, ..Default::default() })
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
				let record = UsageRecord { round, counter: 1, ..Default::default() };
				lease.records.try_push(record).expect("room; qed");
			}
		});
		// Round `first` is recorded in the round after it, in grace.
		T::BenchmarkHelper::set_round(first.saturating_add(1));

		#[extrinsic_call]
		_(RawOrigin::Signed(provider), id, first, UNITS, None);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.first().map(|record| record.counter), Some(UNITS));
	}

	/// A receipt with a record: its signature checked twice (over the payload, then over the
	/// wrapped payload), its units paid, the sink told.
	#[benchmark]
	fn record_usage_with_receipt() {
		let (provider, consumer, id, round) = lease_with_full_records::<T>(1);
		let receipt = wrapped_receipt::<T>(&consumer, id, round, UNITS);

		#[extrinsic_call]
		record_usage(RawOrigin::Signed(provider.clone()), id, round, UNITS, Some(receipt));

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.last().map(|record| record.receipted), Some(UNITS));
		assert!(!lease.paid.is_zero());
	}

	#[benchmark]
	fn submit_receipt() {
		let (_, consumer, id, round) = lease_with_full_records::<T>(UNITS);
		let receipt = wrapped_receipt::<T>(&consumer, id, round, UNITS);

		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), id, round, UNITS, receipt);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.last().map(|record| record.receipted), Some(UNITS));
	}

	/// The last of `MaxPendingRecords` records.
	#[benchmark]
	fn dispute() {
		let (_, consumer, id, round) = lease_with_full_records::<T>(UNITS);

		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), id, round);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.last().map(|record| record.disputed), Some(true));
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

	/// The pool's check of a node's record: both signatures (the receipt over the wrapped
	/// payload, the costlier), the lease and the registry read.
	#[benchmark]
	fn authorize_record_receipted() -> Result<(), BenchmarkError> {
		let (key, consumer, id, round) = lease_with_records_after_the_first::<T>();
		let (note, signature) = signed_note::<T>(&key, id, round, UNITS);
		let receipt = wrapped_receipt::<T>(&consumer, id, round, UNITS);
		let call = Call::<T>::record_receipted { note, receipt, signature };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// The pool's check of a fee-free settlement.
	#[benchmark]
	fn authorize_settle() -> Result<(), BenchmarkError> {
		let provider = new_provider::<T>(0);
		let consumer = funded::<T>("consumer", 0);
		let id = lease::<T>(&consumer, &provider, 1);
		let end = Leases::<T>::get(id).expect("the lease was opened; qed").end_round;
		T::BenchmarkHelper::set_round(end.saturating_add(T::DisputeWindow::get()));
		let from = Leases::<T>::get(id).expect("the lease was opened; qed").settled_to;
		let call = Call::<T>::settle_from { lease: id, from };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// A node's record inserted before `MaxPendingRecords - 1` others, its receipt over the
	/// wrapped payload, its units paid, the sink told.
	#[benchmark]
	fn record_receipted() {
		let (key, consumer, id, round) = lease_with_records_after_the_first::<T>();
		let (note, signature) = signed_note::<T>(&key, id, round, UNITS);
		let receipt = wrapped_receipt::<T>(&consumer, id, round, UNITS);

		#[extrinsic_call]
		_(RawOrigin::Authorized, note, receipt, signature);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.first().map(|record| record.receipted), Some(UNITS));
		assert!(!lease.paid.is_zero());
	}

	/// A note below the last of `MaxPendingRecords` records: the signature checked, the provider
	/// slashed with a reporter's cut.
	#[benchmark]
	fn report_usage_fraud() {
		let (provider, _, id, round) = lease_with_full_records::<T>(UNITS);
		let key = sync_key::<T>(&provider);
		let (note, signature) = signed_note::<T>(&key, id, round, 1);
		T::BenchmarkHelper::set_round(round.saturating_add(1));
		let reporter = funded::<T>("reporter", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), note, signature);

		let lease = Leases::<T>::get(id).expect("the lease is open; qed");
		assert_eq!(lease.records.last().map(|record| record.counter), Some(1));
	}

	impl_benchmark_test_suite!(Usage, crate::mock::new_test_ext(), crate::mock::Test);
}
