//! Receipts, disputes, and what they do to payment and points.

use super::*;

/// Alice records `counter` for `round` of `lease` with Bob's receipt for it.
fn record_receipted(lease: LeaseId, round: RoundIndex, counter: u64) -> DispatchResult {
	Usage::record_usage(signed(ALICE), lease, round, counter, Some(receipt(lease, round, counter)))
}

fn submit(
	lease: LeaseId,
	round: RoundIndex,
	counter: u64,
	signature: TestSignature,
) -> DispatchResult {
	Usage::submit_receipt(signed(ALICE), lease, round, counter, signature)
}

#[test]
fn receipted_usage_is_paid_at_once_and_not_again() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		events();
		assert_ok!(record_receipted(id, 1, 7));
		assert_eq!(
			events(),
			vec![
				Event::UsageRecorded { lease: id, round: 1, counter: 7, receipted: 0 },
				Event::ReceiptAccepted { lease: id, round: 1, receipted: 7 },
				Event::UsagePaid { lease: id, round: 1, units: 7, payout: 63, fee: 7 },
			]
		);
		assert_eq!((free(ALICE), free(POT), held(BOB)), (INITIAL_BALANCE + 63, ED + 7, 230));
		assert_eq!(SinkLog::get(), vec![SinkEntry::Served(ALICE, Storage, 7)]);

		// The round settles what is left: nothing to pay, 30 back.
		to_round(2 + DISPUTE_WINDOW);
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert_eq!(
			events().last(),
			Some(&Event::RoundSettled {
				lease: id,
				round: 1,
				units: 0,
				payout: 0,
				fee: 0,
				refund: 30
			})
		);
		assert_eq!((free(ALICE), held(BOB)), (INITIAL_BALANCE + 63, 200));
		assert_eq!(SinkLog::get().len(), 1);
	});
}

#[test]
fn usage_recorded_above_the_receipts_is_paid_when_the_round_settles() {
	builder().build_and_execute(|| {
		let id = storage_lease(1);
		to_round(1);
		assert_ok!(record_receipted(id, 1, 4));
		assert_ok!(record(id, 1, 9));
		// The same counter again adds a receipt: 5 more units paid.
		assert_ok!(record_receipted(id, 1, 9));
		assert_eq!(
			lease(id).records[0],
			UsageRecord { round: 1, counter: 9, receipted: 9, ..Default::default() }
		);
		assert_ok!(record(id, 1, 10));
		to_round(2 + DISPUTE_WINDOW);
		events();
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert_eq!(
			events(),
			vec![Event::RoundSettled {
				lease: id,
				round: 1,
				units: 1,
				payout: 9,
				fee: 1,
				refund: 0
			}]
		);
		assert_eq!(
			SinkLog::get(),
			vec![
				SinkEntry::Served(ALICE, Storage, 4),
				SinkEntry::Served(ALICE, Storage, 5),
				SinkEntry::Served(ALICE, Storage, 1),
			]
		);
		assert_eq!(free(ALICE), INITIAL_BALANCE + 90);
	});
}

/// Abuse: a forged receipt, one for another lease, round or counter, or from another chain.
#[test]
fn a_receipt_counts_only_for_what_the_consumer_signed() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		let other = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 5));
		assert_ok!(Usage::record_usage(signed(ALICE), other, 1, 5, None));
		let refused = |signature: TestSignature| {
			assert_noop!(submit(id, 1, 5, signature.clone()), Error::<Test>::BadReceipt);
			assert_noop!(
				Usage::record_usage(signed(ALICE), id, 1, 6, Some(signature)),
				Error::<Test>::BadReceipt
			);
		};
		let here = (System::block_hash(0), opened_after(id));
		// Signed by someone else than the consumer: the provider itself, or a stranger.
		refused(receipt_on(here, ALICE, id, 1, 5));
		refused(receipt_on(here, CHARLIE, id, 1, 5));
		// Bob's, but for another lease, round or counter.
		refused(receipt(other, 1, 5));
		refused(receipt(id, 2, 5));
		refused(receipt(id, 1, 4));
		// Bob's, for lease `id` of another chain, or of another chain from the same genesis.
		let elsewhere = sp_core::H256::repeat_byte(1);
		refused(receipt_on((elsewhere, here.1), BOB, id, 1, 5));
		refused(receipt_on((here.0, elsewhere), BOB, id, 1, 5));
		assert_eq!(lease(id).records[0].receipted, 0);
	});
}

/// Abuse: the same receipt handed in twice, or an older one.
#[test]
fn a_receipt_pays_once() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 8));
		assert_ok!(submit(id, 1, 5, receipt(id, 1, 5)));
		assert_noop!(submit(id, 1, 5, receipt(id, 1, 5)), Error::<Test>::StaleReceipt);
		assert_noop!(submit(id, 1, 3, receipt(id, 1, 3)), Error::<Test>::StaleReceipt);
		assert_ok!(record_receipted(id, 1, 8));
		assert_noop!(record_receipted(id, 1, 8), Error::<Test>::CounterUnchanged);
		assert_noop!(submit(id, 1, 8, receipt(id, 1, 8)), Error::<Test>::StaleReceipt);
		// 8 units paid in all, once.
		assert_eq!(free(ALICE), INITIAL_BALANCE + 72);
	});
}

#[test]
fn a_receipt_wrapped_in_bytes_tags_counts() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 5));
		let payload = receipt_payload(id, 1, 5);
		let wrapped = [&b"<Bytes>"[..], &payload[..], &b"</Bytes>"[..]].concat();
		assert_ok!(submit(id, 1, 5, TestSignature(BOB, wrapped)));
		assert_eq!(lease(id).records[0].receipted, 5);
	});
}

#[test]
fn a_receipt_is_handed_in_for_a_record_until_it_settles() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_noop!(submit(id, 1, 5, receipt(id, 1, 5)), Error::<Test>::NoRecord);
		assert_ok!(record(id, 1, 5));
		assert_noop!(submit(id, 1, 6, receipt(id, 1, 6)), Error::<Test>::ReceiptAboveRecord);
		// Too late to record round 1, not to hand in its receipt.
		to_round(1 + DISPUTE_WINDOW);
		assert_ok!(submit(id, 1, 5, receipt(id, 1, 5)));
		assert_noop!(submit(id, 9, 5, receipt(id, 9, 5)), Error::<Test>::NoRecord);
		assert_noop!(submit(7, 1, 5, receipt(7, 1, 5)), Error::<Test>::UnknownLease);
	});
}

#[test]
fn a_disputed_round_bills_what_was_receipted_and_costs_the_provider() {
	builder().build_and_execute(|| {
		let id = storage_lease(1);
		to_round(1);
		assert_ok!(record_receipted(id, 1, 3));
		assert_ok!(record(id, 1, 8));
		events();
		assert_ok!(Usage::dispute(signed(BOB), id, 1));
		assert_eq!(
			events(),
			vec![Event::UsageDisputed { lease: id, round: 1, counter: 8, receipted: 3 }]
		);
		// Its cost to Alice's points waits for the round to settle: a receipt may still come.
		assert_eq!(SinkLog::get(), vec![SinkEntry::Served(ALICE, Storage, 3)]);
		assert_noop!(Usage::dispute(signed(BOB), id, 1), Error::<Test>::AlreadyDisputed);
		to_round(2 + DISPUTE_WINDOW);
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		// Only the 3 receipted units, paid already: the other 70 come back.
		assert_eq!(
			events().last(),
			Some(&Event::RoundSettled {
				lease: id,
				round: 1,
				units: 0,
				payout: 0,
				fee: 0,
				refund: 70
			})
		);
		assert_eq!(free(ALICE), INITIAL_BALANCE + 27);
		assert_eq!(SinkLog::get().last(), Some(&SinkEntry::Disputed(ALICE, Storage, 5)));
	});
}

/// Abuse: a consumer disputing honest usage to use it for free still pays the reservation.
#[test]
fn a_dispute_still_bills_the_reserved_share() {
	builder().build_and_execute(|| {
		let id = storage_lease(1);
		to_round(1);
		assert_ok!(record(id, 1, 10));
		assert_ok!(Usage::dispute(signed(BOB), id, 1));
		to_round(2 + DISPUTE_WINDOW);
		events();
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert_eq!(
			events(),
			vec![Event::RoundSettled {
				lease: id,
				round: 1,
				units: 2,
				payout: 18,
				fee: 2,
				refund: 80
			}]
		);
		// Reserved, not served: no points for it.
		assert_eq!(SinkLog::get(), vec![SinkEntry::Disputed(ALICE, Storage, 10)]);
	});
}

#[test]
fn the_consumers_own_receipt_outweighs_its_dispute() {
	builder().build_and_execute(|| {
		let id = storage_lease(1);
		to_round(1);
		assert_ok!(record(id, 1, 8));
		assert_ok!(Usage::dispute(signed(BOB), id, 1));
		assert_ok!(submit(id, 1, 8, receipt(id, 1, 8)));
		to_round(2 + DISPUTE_WINDOW);
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert_eq!(free(ALICE), INITIAL_BALANCE + 72);
		// Nothing stayed disputed: Alice's points lose nothing.
		assert_eq!(SinkLog::get(), vec![SinkEntry::Served(ALICE, Storage, 8)]);
	});
}

/// Abuse: a dispute by a stranger, after the window, or of nothing.
#[test]
fn a_dispute_is_the_consumers_within_the_window_and_of_unreceipted_usage() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_noop!(Usage::dispute(signed(BOB), id, 1), Error::<Test>::NoRecord);
		assert_ok!(record_receipted(id, 1, 5));
		assert_noop!(Usage::dispute(signed(BOB), id, 1), Error::<Test>::NothingToDispute);
		assert_ok!(record(id, 1, 6));
		for stranger in [ALICE, CHARLIE] {
			assert_noop!(Usage::dispute(signed(stranger), id, 1), Error::<Test>::NotConsumer);
		}
		to_round(1 + DISPUTE_WINDOW + 1);
		assert_noop!(Usage::dispute(signed(BOB), id, 1), Error::<Test>::DisputeWindowClosed);
		assert_noop!(Usage::dispute(signed(BOB), 7, 1), Error::<Test>::UnknownLease);
	});
}
