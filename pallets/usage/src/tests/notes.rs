//! A provider node's notes: the fee-free record of a receipted round, fraud proven with a note,
//! and the offchain worker that records the receipts the node took.

use super::*;
use crate::{notes::RECORD_TAG_PREFIX, receipt_key, HeldReceipt, NoteOf, UsageReceipt};
use codec::{Decode, Encode};
use frame_support::{
	dispatch::Pays,
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::{Authorize, Hooks},
};
use proof_of_sync_primitives::SYNC_KEY_TYPE;
use sp_core::{
	offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
	},
	sr25519, Pair, H256,
};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::transaction_validity::TransactionValidityWithRefund;

fn note(lease: LeaseId, round: RoundIndex, counter: u64) -> NoteOf<Test> {
	UsageReceipt { lease, opened_after: opened_after(lease), round, counter }
}

/// `who`'s `sync` key's signature over `note`'s note payload.
fn note_signature(who: AccountId, note: &NoteOf<Test>) -> sr25519::Signature {
	sync_pair(who).sign(&note.note_payload(&System::block_hash(0)))
}

fn authorized() -> RuntimeOrigin {
	frame_system::RawOrigin::Authorized.into()
}

/// Alice's node records `note` with Bob's receipt for it, signed by Alice's `sync` key.
fn node_records(note: &NoteOf<Test>) -> DispatchResult {
	let receipt = receipt(note.lease, note.round, note.counter);
	Usage::record_receipted(authorized(), *note, receipt, note_signature(ALICE, note))
}

/// What the pool's `authorize` says about `record_receipted`.
fn pool_check(
	note: &NoteOf<Test>,
	receipt: TestSignature,
	signature: sr25519::Signature,
) -> TransactionValidityWithRefund {
	let call = crate::Call::<Test>::record_receipted { note: *note, receipt, signature };
	call.authorize(TransactionSource::External).expect("an authorized call")
}

fn custom(error: Error<Test>) -> TransactionValidityError {
	InvalidTransaction::Custom(error.encode()[0]).into()
}

#[test]
fn a_node_records_a_receipted_round_fee_free_once() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(2);
		let n = note(id, 1, 7);
		let receipt = receipt(id, 1, 7);
		let (validity, _) =
			pool_check(&n, receipt.clone(), note_signature(ALICE, &n)).expect("valid");
		assert_eq!(validity.provides, vec![(RECORD_TAG_PREFIX, (id, 1u32)).encode()]);
		events();
		assert_ok!(node_records(&n));
		assert_eq!(
			events(),
			vec![
				Event::UsageRecorded { lease: id, round: 1, counter: 7, receipted: 0 },
				Event::ReceiptAccepted { lease: id, round: 1, receipted: 7 },
				Event::UsagePaid { lease: id, round: 1, units: 7, payout: 63, fee: 7 },
			]
		);
		assert_eq!(
			lease(id).records.to_vec(),
			vec![UsageRecord { round: 1, counter: 7, receipted: 7, ..Default::default() }]
		);
		assert_eq!(free(ALICE), INITIAL_BALANCE + 63);
		assert_eq!(SinkLog::get(), vec![SinkEntry::Served(ALICE, Storage, 7)]);

		// The free record is once per lease and round, in the pool and at dispatch: a node cannot
		// flood the chain with one receipt after another.
		let higher = note(id, 1, 8);
		let receipt = receipt_payload(id, 1, 8);
		assert_eq!(
			pool_check(&higher, TestSignature(BOB, receipt), note_signature(ALICE, &higher)),
			Err(InvalidTransaction::Stale.into())
		);
		assert_noop!(node_records(&higher), Error::<Test>::AlreadyReceipted);
	});
}

#[test]
fn a_receipted_round_raises_an_unreceipted_record_but_never_lowers_it() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 5));
		to_round(2);
		assert_noop!(node_records(&note(id, 1, 4)), Error::<Test>::CounterRollback);
		assert_ok!(node_records(&note(id, 1, 6)));
		assert_eq!(
			lease(id).records[0],
			UsageRecord { round: 1, counter: 6, receipted: 6, ..Default::default() }
		);
	});
}

#[test]
fn a_node_record_needs_an_ended_unsettled_round_of_the_lease() {
	builder().build_and_execute(|| {
		let id = storage_lease(2);
		to_round(1);
		// The round in progress: the node's note comes once it ended.
		assert_noop!(node_records(&note(id, 1, 3)), Error::<Test>::RoundNotEnded);
		let n = note(id, 1, 3);
		assert_eq!(
			pool_check(&n, receipt(id, 1, 3), note_signature(ALICE, &n)),
			Err(InvalidTransaction::Future.into())
		);
		to_round(5);
		// Round 0 is before the lease, round 3 after it.
		assert_noop!(node_records(&note(id, 0, 3)), Error::<Test>::RoundOutsideLease);
		assert_noop!(node_records(&note(id, 3, 3)), Error::<Test>::RoundOutsideLease);
		// Round 1 settled (unrecorded, so not billed): too late.
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert_noop!(node_records(&note(id, 1, 3)), Error::<Test>::RoundSettled);
		assert_eq!(
			pool_check(&note(id, 1, 3), receipt(id, 1, 3), note_signature(ALICE, &note(id, 1, 3))),
			Err(InvalidTransaction::Stale.into())
		);
		// Round 2 is not settled yet, though due: still recordable.
		assert_ok!(node_records(&note(id, 2, 3)));
	});
}

#[test]
fn a_node_record_refuses_zero_over_quota_and_a_provider_that_did_not_serve() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(2);
		assert_noop!(node_records(&note(id, 1, 0)), Error::<Test>::ZeroCounter);
		assert_noop!(node_records(&note(id, 1, 11)), Error::<Test>::QuotaExceeded);
		assert_eq!(
			pool_check(
				&note(id, 1, 11),
				receipt(id, 1, 11),
				note_signature(ALICE, &note(id, 1, 11))
			),
			Err(custom(Error::<Test>::QuotaExceeded))
		);
		// Chilled in round 2, so not seated in round 3: nothing of round 3 is recordable.
		MockRegistry::chill(ALICE);
		to_round(4);
		assert_noop!(node_records(&note(id, 3, 2)), Error::<Test>::ProviderNotServing);
		// Round 2 it served until the chill.
		assert_ok!(node_records(&note(id, 2, 2)));
	});
}

/// Attack: a node forges the consumer's agreement, or replays it elsewhere, to be paid fee-free.
#[test]
fn a_node_record_needs_the_consumer_receipt_and_the_provider_key() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		let other = open(CHARLIE, ALICE, Storage, 10, 3);
		to_round(2);
		let n = note(id, 1, 7);
		let alice = note_signature(ALICE, &n);
		// The receipt signed by someone else, for another counter, for another lease.
		for bad in [
			TestSignature(ALICE, receipt_payload(id, 1, 7)),
			receipt(id, 1, 6),
			receipt(other, 1, 7),
		] {
			assert_noop!(
				Usage::record_receipted(authorized(), n, bad.clone(), alice),
				Error::<Test>::BadReceipt
			);
			assert_eq!(pool_check(&n, bad, alice), Err(InvalidTransaction::BadProof.into()));
		}
		// The note signed by another provider's key, or over another note.
		for bad in [note_signature(DAVE, &n), note_signature(ALICE, &note(id, 1, 8))] {
			assert_noop!(
				Usage::record_receipted(authorized(), n, receipt(id, 1, 7), bad),
				Error::<Test>::BadNoteSignature
			);
			assert_eq!(
				pool_check(&n, receipt(id, 1, 7), bad),
				Err(InvalidTransaction::BadProof.into())
			);
		}
		// A note of another instance of the lease (another `opened_after`).
		let mut elsewhere = n;
		elsewhere.opened_after = H256::repeat_byte(9);
		assert_noop!(
			Usage::record_receipted(
				authorized(),
				elsewhere,
				receipt(id, 1, 7),
				note_signature(ALICE, &elsewhere)
			),
			Error::<Test>::WrongLeaseInstance
		);
		// A provider without a `sync` key, now or when the lease opened.
		SyncKeyMap::mutate(|keys| keys.remove(&ALICE));
		Leases::<Test>::mutate(id, |lease| lease.as_mut().expect("open").provider_key = None);
		assert_noop!(node_records(&n), Error::<Test>::NoSyncKey);
		// Nor is the call open to signed origins.
		assert_noop!(
			Usage::record_receipted(signed(ALICE), n, receipt(id, 1, 7), alice),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

/// Attack: a provider records more than its own node metered, and the consumer shows the note
/// the provider's key signed for the round.
#[test]
fn a_note_below_the_record_proves_fraud_and_slashes() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 9));
		assert_ok!(Usage::submit_receipt(signed(BOB), id, 1, 2, receipt(id, 1, 2)));
		to_round(2);
		let n = note(id, 1, 4);
		events();
		let info = Usage::report_usage_fraud(signed(CHARLIE), n, note_signature(ALICE, &n))
			.expect("fraud proven");
		assert_eq!(info.pays_fee, Pays::No);
		assert_eq!(
			events(),
			vec![Event::UsageFraudProven {
				lease: id,
				round: 1,
				provider: ALICE,
				recorded: 9,
				noted: 4,
				reporter: CHARLIE,
				slashed: 1_000,
			}]
		);
		assert_eq!(
			SlashLog::get(),
			vec![(ALICE, USAGE_FRAUD_SLASH, Some((CHARLIE, REPORTER_CUT)))]
		);
		assert_eq!(lease(id).records[0].counter, 4);
		// The same note proves nothing more.
		assert_noop!(
			Usage::report_usage_fraud(signed(CHARLIE), n, note_signature(ALICE, &n)),
			Error::<Test>::NotFraud
		);
		// The round bills the note's 4 units (2 paid already), not the 9.
		to_round(2 + DISPUTE_WINDOW);
		assert_ok!(Usage::settle(signed(BOB), id, 1));
		assert!(matches!(
			events().last(),
			Some(Event::RoundSettled { round: 1, units: 2, refund: 60, .. })
		));
	});
}

/// Attack on an honest provider: a consumer signs a receipt above the note and reports the note,
/// or reports a note of the round in progress, someone else's key, or a note above the record.
#[test]
fn a_note_that_does_not_contradict_the_record_proves_nothing() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 6));
		// The round in progress: a node signs no note before it ends.
		let early = note(id, 1, 2);
		assert_noop!(
			Usage::report_usage_fraud(signed(BOB), early, note_signature(ALICE, &early)),
			Error::<Test>::RoundNotEnded
		);
		to_round(2);
		// At or above the record.
		for counter in [6, 7] {
			let n = note(id, 1, counter);
			assert_noop!(
				Usage::report_usage_fraud(signed(BOB), n, note_signature(ALICE, &n)),
				Error::<Test>::NotFraud
			);
		}
		// The consumer receipted the 6 itself: a lower note proves nothing against it.
		assert_ok!(Usage::submit_receipt(signed(BOB), id, 1, 6, receipt(id, 1, 6)));
		let n = note(id, 1, 3);
		assert_noop!(
			Usage::report_usage_fraud(signed(BOB), n, note_signature(ALICE, &n)),
			Error::<Test>::NotFraud
		);
		// Not the provider's key; no record of the round; another instance of the lease.
		to_round(3);
		assert_ok!(Usage::record_usage(signed(ALICE), id, 2, 5, None));
		to_round(4);
		let n = note(id, 2, 1);
		assert_noop!(
			Usage::report_usage_fraud(signed(BOB), n, note_signature(DAVE, &n)),
			Error::<Test>::BadNoteSignature
		);
		let n3 = note(id, 3, 1);
		assert_noop!(
			Usage::report_usage_fraud(signed(BOB), n3, note_signature(ALICE, &n3)),
			Error::<Test>::NoRecord
		);
		let mut elsewhere = n;
		elsewhere.opened_after = H256::repeat_byte(9);
		assert_noop!(
			Usage::report_usage_fraud(signed(BOB), elsewhere, note_signature(ALICE, &elsewhere)),
			Error::<Test>::WrongLeaseInstance
		);
		assert!(SlashLog::get().is_empty());
	});
}

/// Attack: a provider records more than its node noted, then rotates its `sync` key, so that the
/// note no longer checks against its key; or it signed two notes, and the consumer reports both.
#[test]
fn a_rotated_key_does_not_take_back_a_note_and_a_record_is_slashed_once() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 9));
		to_round(2);
		SyncKeyMap::mutate(|keys| keys.insert(ALICE, sync_pair(77).public().0));
		let n = note(id, 1, 6);
		assert_ok!(Usage::report_usage_fraud(signed(BOB), n, note_signature(ALICE, &n)));
		assert_eq!(lease(id).records[0].counter, 6);
		assert_eq!(SlashLog::get().len(), 1);
		// A second, lower note of the same round brings the record down, and slashes no more.
		let lower = note(id, 1, 2);
		events();
		assert_ok!(Usage::report_usage_fraud(signed(BOB), lower, note_signature(ALICE, &lower)));
		assert!(matches!(
			events().as_slice(),
			[Event::UsageFraudProven { recorded: 6, noted: 2, slashed: 0, .. }]
		));
		assert_eq!(
			lease(id).records[0],
			UsageRecord { round: 1, counter: 2, fraud: true, ..Default::default() }
		);
		assert_eq!(SlashLog::get().len(), 1);
	});
}

/// A provider with no bond left to slash (it withdrew) still has its false record brought down.
#[test]
fn a_fraud_without_a_bond_to_slash_still_corrects_the_record() {
	builder().build_and_execute(|| {
		let id = storage_lease(3);
		to_round(1);
		assert_ok!(record(id, 1, 9));
		to_round(2);
		SlashAmount::set(None);
		let n = note(id, 1, 3);
		events();
		assert_ok!(Usage::report_usage_fraud(signed(BOB), n, note_signature(ALICE, &n)));
		assert!(matches!(events().as_slice(), [Event::UsageFraudProven { slashed: 0, .. }]));
		assert_eq!(lease(id).records[0].counter, 3);
	});
}

/// What the pool's `authorize` says about a fee-free `settle_from`.
fn settle_check(lease: LeaseId, from: RoundIndex) -> TransactionValidityWithRefund {
	let call = crate::Call::<Test>::settle_from { lease, from };
	call.authorize(TransactionSource::External).expect("an authorized call")
}

#[test]
fn anyone_may_settle_a_due_round_fee_free_from_where_it_stands_and_nothing_else() {
	builder().build_and_execute(|| {
		let id = storage_lease(2);
		to_round(1 + DISPUTE_WINDOW);
		// Round 1 is due once `DisputeWindow` rounds have passed since it ended.
		assert_eq!(settle_check(id, 1), Err(InvalidTransaction::Future.into()));
		assert_eq!(settle_check(99, 1), Err(custom(Error::<Test>::UnknownLease)));
		assert_noop!(Usage::settle_from(authorized(), id, 1), Error::<Test>::NothingToSettle);
		to_round(2 + DISPUTE_WINDOW);
		// Only from the first unsettled round: a settlement that settles nothing, which would
		// hold the pool's tag against the real one, does not pass.
		assert_eq!(settle_check(id, 0), Err(InvalidTransaction::Stale.into()));
		assert_eq!(settle_check(id, 2), Err(InvalidTransaction::Stale.into()));
		let (validity, _) = settle_check(id, 1).expect("due");
		assert_eq!(validity.provides, vec![(crate::notes::SETTLE_TAG_PREFIX, (id, 1u32)).encode()]);
		assert_ok!(Usage::settle_from(authorized(), id, 1));
		assert_eq!(lease(id).settled_to, 2);
		// The same transaction again is stale: the next one names round 2.
		assert_eq!(settle_check(id, 1), Err(InvalidTransaction::Stale.into()));
		assert_noop!(Usage::settle_from(authorized(), id, 1), Error::<Test>::AlreadySettled);
		to_round(3 + DISPUTE_WINDOW);
		assert!(settle_check(id, 2).is_ok());
		// `settle` stays a signed call.
		assert_noop!(Usage::settle(authorized(), id, 1), sp_runtime::DispatchError::BadOrigin);
		assert_ok!(Usage::settle(signed(CHARLIE), id, 1));
		assert_eq!(settle_check(id, 3), Err(InvalidTransaction::Future.into()));
		assert_noop!(
			Usage::settle_from(signed(CHARLIE), id, 3),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

/// A mock chain whose node has offchain storage, a transaction pool and a keystore, and a view of
/// the transactions submitted to the pool.
fn offchain_ext() -> (sp_io::TestExternalities, impl Fn() -> Vec<Vec<u8>>) {
	let mut ext = builder().build();
	let (offchain, _state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	let keystore = MemoryKeystore::new();
	let seed = format!("0x{}", hex(&sync_pair_seed(ALICE)));
	keystore.sr25519_generate_new(SYNC_KEY_TYPE, Some(&seed)).expect("a key");
	ext.register_extension(KeystoreExt::new(keystore));
	(ext, move || pool_state.read().transactions.clone())
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The seed `sync_pair(who)` is made from.
fn sync_pair_seed(who: AccountId) -> [u8; 32] {
	let mut seed = [0u8; 32];
	seed[..8].copy_from_slice(&who.to_le_bytes());
	seed[31] = 0x5c;
	seed
}

/// What the node's resource endpoint leaves for the worker: Bob's receipt for `counter` units of
/// round `round` of lease `id`.
fn leave_receipt(id: LeaseId, round: RoundIndex, counter: u64) {
	let held = HeldReceipt { counter, signature: receipt(id, round, counter) };
	sp_io::offchain::local_storage_set(
		StorageKind::PERSISTENT,
		&receipt_key(id, round),
		&held.encode(),
	);
}

fn submitted(
	pool: &impl Fn() -> Vec<Vec<u8>>,
) -> Vec<(NoteOf<Test>, TestSignature, sr25519::Signature)> {
	pool()
		.iter()
		.map(|tx| Extrinsic::decode(&mut &tx[..]).expect("an extrinsic"))
		.filter_map(|xt| match xt.function {
			RuntimeCall::Usage(crate::Call::record_receipted { note, receipt, signature }) =>
				Some((note, receipt, signature)),
			_ => None,
		})
		.collect()
}

#[test]
fn the_worker_records_the_receipts_the_node_took_and_nothing_else() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		assert_eq!(sync_pair(ALICE).public().0, sync_pair_seed_public(ALICE));
		let id = storage_lease(4);
		let daves = open(CHARLIE, DAVE, Storage, 10, 4);
		to_round(3);
		// Receipts for rounds 1 and 2 of Alice's lease, one for the round in progress (which the
		// node would not have), and one for Dave's lease, whose key is not in this keystore.
		leave_receipt(id, 1, 4);
		leave_receipt(id, 2, 5);
		leave_receipt(id, 3, 6);
		leave_receipt(daves, 1, 4);
		Usage::offchain_worker(1);
		let sent = submitted(&pool);
		assert_eq!(
			sent.iter()
				.map(|(note, _, _)| (note.lease, note.round, note.counter))
				.collect::<Vec<_>>(),
			vec![(id, 1, 4), (id, 2, 5)]
		);
		// Each goes through the pool's check and lands.
		for (note, receipt, signature) in sent {
			assert!(pool_check(&note, receipt.clone(), signature).is_ok());
			assert_ok!(Usage::record_receipted(authorized(), note, receipt, signature));
		}
		assert_eq!(lease(id).records.iter().map(|r| r.receipted).collect::<Vec<_>>(), vec![4, 5]);

		// Once on chain, the worker sends them no more.
		Usage::offchain_worker(2);
		assert_eq!(submitted(&pool).len(), 2);
	});
}

#[test]
fn the_worker_settles_due_rounds_but_not_over_a_receipt_it_has_yet_to_record() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		let id = storage_lease(4);
		// Round 1 is due in round 2 + DISPUTE_WINDOW, and the node holds its receipt.
		to_round(2 + DISPUTE_WINDOW);
		leave_receipt(id, 1, 4);
		Usage::offchain_worker(1);
		assert_eq!(calls(&pool), vec!["record_receipted"]);
		// Recorded: now the worker settles.
		let (note, receipt, signature) = submitted(&pool)[0].clone();
		assert_ok!(Usage::record_receipted(authorized(), note, receipt, signature));
		Usage::offchain_worker(2);
		assert_eq!(calls(&pool), vec!["record_receipted", "settle_from"]);
		assert_ok!(Usage::settle_from(authorized(), id, 1));
		assert_eq!(lease(id).settled_to, 2);
	});
}

/// The names of the calls submitted to the pool, in order.
fn calls(pool: &impl Fn() -> Vec<Vec<u8>>) -> Vec<&'static str> {
	pool()
		.iter()
		.map(|tx| Extrinsic::decode(&mut &tx[..]).expect("an extrinsic"))
		.map(|xt| match xt.function {
			RuntimeCall::Usage(crate::Call::record_receipted { .. }) => "record_receipted",
			RuntimeCall::Usage(crate::Call::settle_from { .. }) => "settle_from",
			other => panic!("unexpected {other:?}"),
		})
		.collect()
}

fn sync_pair_seed_public(who: AccountId) -> [u8; 32] {
	sr25519::Pair::from_seed(&sync_pair_seed(who)).public().0
}
