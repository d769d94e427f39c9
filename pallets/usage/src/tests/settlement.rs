//! Settling rounds: what the provider, the fee destination and the consumer get, when, once.

use super::*;

/// Bob's 10-unit storage lease of `rounds` rounds, with `counter` recorded in round 1.
fn lease_recorded(rounds: u32, counter: u64) -> LeaseId {
	let id = storage_lease(rounds);
	to_round(1);
	assert_ok!(record(id, 1, counter));
	id
}

#[test]
fn a_round_settles_after_the_dispute_window_and_pays_what_was_used() {
	builder().build_and_execute(|| {
		let id = lease_recorded(3, 7);
		// Round 1 settles once round 1 + DisputeWindow is over.
		to_round(1 + DISPUTE_WINDOW);
		assert_noop!(Usage::settle(signed(CHARLIE), id, 1), Error::<Test>::NothingToSettle);
		to_round(2 + DISPUTE_WINDOW);
		events();
		assert_ok!(Usage::settle(signed(CHARLIE), id, 1));
		// 7 units at 10: 63 to Alice, a 10 % fee of 7 to the pot, 30 of the round's 100 back.
		assert_eq!(
			events(),
			vec![Event::RoundSettled {
				lease: id,
				round: 1,
				units: 7,
				payout: 63,
				fee: 7,
				refund: 30
			}]
		);
		assert_eq!(free(ALICE), INITIAL_BALANCE + 63);
		assert_eq!(free(POT), ED + 7);
		assert_eq!((free(BOB), held(BOB)), (INITIAL_BALANCE - 300 + 30, 200));
		let lease = lease(id);
		assert_eq!((lease.settled_to, lease.escrow, lease.paid, lease.fees), (2, 200, 63, 7));
		assert!(lease.records.is_empty());
	});
}

/// Abuse: settling the same round twice.
#[test]
fn a_round_settles_once() {
	builder().build_and_execute(|| {
		let id = lease_recorded(1, 7);
		to_round(2 + DISPUTE_WINDOW);
		assert_ok!(Usage::settle(signed(CHARLIE), id, 5));
		let (alice, bob) = (free(ALICE), free(BOB));
		assert_noop!(Usage::settle(signed(CHARLIE), id, 5), Error::<Test>::NothingToSettle);
		to_round(20);
		assert_noop!(Usage::settle(signed(ALICE), id, 5), Error::<Test>::NothingToSettle);
		assert_eq!((free(ALICE), free(BOB)), (alice, bob));
	});
}

#[test]
fn a_recorded_round_bills_at_least_the_reserved_share() {
	builder().build_and_execute(|| {
		let id = lease_recorded(1, 0);
		to_round(2 + DISPUTE_WINDOW);
		events();
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		// 20 % of the 10-unit quota: 2 units, 20.
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
	});
}

#[test]
fn a_round_the_provider_did_not_record_returns_all_its_value() {
	builder().build_and_execute(|| {
		let id = storage_lease(2);
		to_round(3 + DISPUTE_WINDOW);
		events();
		assert_ok!(Usage::settle(signed(BOB), id, 2));
		assert_eq!(
			events(),
			vec![
				Event::RoundSettled {
					lease: id,
					round: 1,
					units: 0,
					payout: 0,
					fee: 0,
					refund: 100
				},
				Event::RoundSettled {
					lease: id,
					round: 2,
					units: 0,
					payout: 0,
					fee: 0,
					refund: 100
				},
			]
		);
		assert_eq!((free(BOB), held(BOB), free(ALICE)), (INITIAL_BALANCE, 0, INITIAL_BALANCE));
	});
}

#[test]
fn settling_goes_in_pages() {
	builder().build_and_execute(|| {
		let id = storage_lease(8);
		to_round(30);
		assert_ok!(Usage::settle(signed(BOB), id, 2));
		assert_eq!(lease(id).settled_to, 3);
		// At most `MaxSettlePerCall` however many are asked for.
		assert_ok!(Usage::settle(signed(BOB), id, 100));
		assert_eq!(lease(id).settled_to, 3 + MAX_SETTLE_PER_CALL);
	});
}

#[test]
fn closing_settles_the_rest_returns_the_escrow_and_forgets_the_lease() {
	builder().build_and_execute(|| {
		let id = lease_recorded(5, 10);
		to_round(5 + DISPUTE_WINDOW);
		assert_noop!(Usage::close_lease(signed(CHARLIE), id), Error::<Test>::LeaseNotOver);
		to_round(6 + DISPUTE_WINDOW);
		events();
		// Anyone may close it, in pages of `MaxSettlePerCall` rounds.
		assert_ok!(Usage::close_lease(signed(CHARLIE), id));
		assert_eq!(events().len(), MAX_SETTLE_PER_CALL as usize);
		assert_ok!(Usage::close_lease(signed(CHARLIE), id));
		assert_eq!(
			events().last(),
			Some(&Event::LeaseClosed { lease: id, paid: 90, fees: 10, refunded: 400 })
		);
		assert!(Leases::<Test>::get(id).is_none());
		assert!(ConsumerLeases::<Test>::get(BOB).is_empty());
		assert!(ProviderLeases::<Test>::get(ALICE).is_empty());
		assert_eq!((free(BOB), held(BOB)), (INITIAL_BALANCE - 100, 0));
		assert_noop!(Usage::close_lease(signed(CHARLIE), id), Error::<Test>::UnknownLease);
	});
}

#[test]
fn a_payout_the_provider_cannot_receive_returns_to_the_consumer() {
	builder().build_and_execute(|| {
		// A provider whose account is gone. The least payout, 18, is above the existential
		// deposit (`integrity_test` sees to it), but a chain could raise the deposit later.
		let gone = 50;
		MockRegistry::set(gone, capacity(), true);
		Prices::<Test>::insert(gone, prices());
		let id = open(BOB, gone, Storage, 10, 10);
		to_round(1);
		assert_ok!(Usage::record_usage(signed(gone), id, 1, 1, None));
		to_round(2 + DISPUTE_WINDOW);
		ExistentialDeposit::set(1_000);
		events();
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert_eq!(
			events(),
			vec![
				Event::PayoutUnpayable { lease: id, round: 1, amount: 18 },
				Event::RoundSettled {
					lease: id,
					round: 1,
					units: 2,
					payout: 0,
					fee: 2,
					refund: 98
				},
			]
		);
		assert_eq!(free(gone), 0);
	});
}
