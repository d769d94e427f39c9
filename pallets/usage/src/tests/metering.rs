//! Recording usage: when, by whom, within the quota, and only upwards.

use super::*;

#[test]
fn the_provider_records_a_cumulative_counter_that_only_grows() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		to_round(1);
		events();
		assert_ok!(record(id, 1, 4));
		assert_ok!(record(id, 1, 7));
		assert_eq!(
			events(),
			vec![
				Event::UsageRecorded { lease: id, round: 1, counter: 4, receipted: 0 },
				Event::UsageRecorded { lease: id, round: 1, counter: 7, receipted: 0 },
			]
		);
		// Abuse: a counter rolled back, or the same one sent again.
		assert_noop!(record(id, 1, 6), Error::<Test>::CounterRollback);
		assert_noop!(record(id, 1, 7), Error::<Test>::CounterUnchanged);
		// The quota is 10 units a round: above it, nothing changes.
		assert_noop!(record(id, 1, 11), Error::<Test>::QuotaExceeded);
		assert_ok!(record(id, 1, 10));
		assert_eq!(lease(id).records.into_inner(), vec![unreceipted(1, 10)]);
	});
}

#[test]
fn a_round_is_recorded_during_it_and_the_round_after() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		assert_noop!(record(id, 0, 1), Error::<Test>::RoundOutsideLease);
		assert_noop!(record(id, 1, 1), Error::<Test>::RoundNotStarted);
		to_round(2);
		assert_noop!(record(id, 3, 1), Error::<Test>::RoundNotStarted);
		// Round 2 first, then the last of round 1: kept in order.
		assert_ok!(record(id, 2, 3));
		assert_ok!(record(id, 1, 5));
		assert_eq!(lease(id).records.into_inner(), vec![unreceipted(1, 5), unreceipted(2, 3)]);
		to_round(3);
		assert_noop!(record(id, 1, 6), Error::<Test>::RecordingClosed);
		to_round(6);
		assert_noop!(record(id, 6, 1), Error::<Test>::RoundOutsideLease);
	});
}

#[test]
fn only_the_leases_provider_records() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		to_round(1);
		for stranger in [BOB, DAVE, CHARLIE] {
			assert_noop!(
				Usage::record_usage(signed(stranger), id, 1, 1, None),
				Error::<Test>::NotLeaseProvider
			);
		}
		assert_noop!(record(7, 1, 1), Error::<Test>::UnknownLease);
	});
}

#[test]
fn records_wait_for_settlement_in_a_bounded_list() {
	builder().build_and_execute(|| {
		let id = storage_lease(10);
		for round in 1..=MAX_PENDING_RECORDS {
			to_round(round);
			assert_ok!(record(id, round, 1));
		}
		to_round(MAX_PENDING_RECORDS + 1);
		assert_noop!(record(id, MAX_PENDING_RECORDS + 1, 1), Error::<Test>::TooManyPendingRecords);
		// Rounds 1 and 2 are due by round 5: settling them makes room.
		assert_ok!(Usage::settle(signed(ALICE), id, 10));
		assert_eq!(lease(id).settled_to, 3);
		assert_ok!(record(id, MAX_PENDING_RECORDS + 1, 1));
	});
}

#[test]
fn a_provider_records_the_rounds_it_began_active() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		to_round(1);
		assert_ok!(record(id, 1, 1));
		// Chilled during round 1: it served until then, and records round 1 to its end.
		MockRegistry::chill(ALICE);
		assert_ok!(record(id, 1, 2));
		to_round(2);
		assert_ok!(record(id, 1, 3));
		assert_noop!(record(id, 2, 1), Error::<Test>::ProviderNotServing);
	});
}

/// Abuse: a provider out for a whole round re-activates and bills the round it missed.
#[test]
fn a_provider_that_was_out_for_a_round_cannot_bill_it() {
	builder().build_and_execute(|| {
		let id = storage_lease(5);
		to_round(1);
		MockRegistry::chill(ALICE);
		// Out for all of round 2; re-activated during it, active from round 3 on.
		to_round(2);
		MockRegistry::reactivate(ALICE);
		assert_noop!(record(id, 2, 1), Error::<Test>::ProviderNotServing);
		to_round(3);
		assert_noop!(record(id, 2, 1), Error::<Test>::ProviderNotServing);
		assert_ok!(record(id, 3, 1));
	});
}
