//! `do_try_state` catches storage that breaks an invariant.

use super::*;

/// `do_try_state` holds, fails with `expected` once `corrupt` has run, and holds again after.
fn assert_catches(expected: &'static str, corrupt: impl FnOnce()) {
	proof_of_sync_test_utils::assert_try_state_catches(Usage::do_try_state, expected, corrupt);
}

fn corrupt_lease(id: LeaseId, change: impl FnOnce(&mut LeaseOf<Test>)) {
	Leases::<Test>::mutate(id, |lease| change(lease.as_mut().expect("the lease exists")));
}

#[test]
fn try_state_catches_escrow_that_does_not_add_up() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		assert_catches("a lease's escrow, payments and refunds are not its deposit", || {
			corrupt_lease(id, |lease| lease.paid += 1)
		});
		assert_catches("a lease's escrow is not the value of its rounds to settle", || {
			corrupt_lease(id, |lease| {
				lease.escrow -= 1;
				lease.refunded += 1;
			})
		});
		assert_catches("a consumer's escrow hold is not its leases' escrows", || {
			use frame_support::traits::fungible::MutateHold;
			let reason = RuntimeHoldReason::Usage(HoldReason::LeaseEscrow);
			Balances::release(&reason, &BOB, 1, frame_support::traits::tokens::Precision::Exact)
				.unwrap();
		});
	});
}

#[test]
fn try_state_catches_records_and_rounds_out_of_bounds() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		assert_catches("a lease settled rounds outside it", || {
			corrupt_lease(id, |lease| {
				lease.settled_to = 0;
				lease.start_round = 1;
				lease.escrow += 100;
				lease.deposited += 100;
			})
		});
		let record = unreceipted;
		let receipted_above = UsageRecord { receipted: 2, ..record(1, 1) };
		for records in [
			vec![record(2, 1), record(1, 1)],
			vec![record(1, 11)],
			vec![record(4, 1)],
			vec![receipted_above],
		] {
			assert_catches("a lease's usage records are out of order or bounds", || {
				corrupt_lease(id, |lease| lease.records = records.try_into().unwrap())
			});
		}
	});
}

#[test]
fn try_state_catches_lists_that_lost_a_lease() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		assert_catches("a lease is not on its consumer's list", || {
			ConsumerLeases::<Test>::remove(BOB);
			use frame_support::traits::fungible::MutateHold;
			let reason = RuntimeHoldReason::Usage(HoldReason::LeaseEscrow);
			Balances::release(&reason, &BOB, 300, frame_support::traits::tokens::Precision::Exact)
				.unwrap();
		});
		assert_catches("a lease that has not ended is not booked", || {
			ProviderLeases::<Test>::remove(ALICE)
		});
		assert_catches("a lease id was never given out", || NextLeaseId::<Test>::put(id));
		assert_catches("a consumer lists a lease that is gone", || {
			ConsumerLeases::<Test>::mutate(BOB, |list| list.try_push(9).unwrap())
		});
		assert_catches("a booking is of a lease that is gone", || {
			ProviderLeases::<Test>::mutate(DAVE, |list| {
				list.try_push(Booking { lease: 9, kind: Storage, units: 1, end_round: 9 })
					.unwrap()
			})
		});
		let booking = Booking { lease: id, kind: Storage, units: 10, end_round: 4 };
		assert_catches("a booking is not its lease's", || {
			ProviderLeases::<Test>::mutate(DAVE, |list| list.try_push(booking).unwrap())
		});
		for wrong in [
			Booking { kind: Compute, ..booking },
			Booking { units: 9, ..booking },
			Booking { end_round: 3, ..booking },
		] {
			assert_catches("a booking is not its lease's", || {
				ProviderLeases::<Test>::mutate(ALICE, |list| list[0] = wrong)
			});
		}
		assert_catches("a provider books a lease twice", || {
			ProviderLeases::<Test>::mutate(ALICE, |list| list.try_push(booking).unwrap())
		});
		assert_catches("a consumer lists a lease twice", || {
			ConsumerLeases::<Test>::mutate(BOB, |list| list.try_push(id).unwrap())
		});
		assert_catches("a consumer lists another's lease", || {
			ConsumerLeases::<Test>::mutate(CHARLIE, |list| list.try_push(id).unwrap())
		});
	});
}
