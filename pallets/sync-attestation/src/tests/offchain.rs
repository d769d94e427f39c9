//! The offchain worker answers the node's own challenges, and only when the node is in sync.

use super::*;
use crate::{crypto::SyncId, Event, SyncStatus, SYNC_STATUS_KEY};
use codec::{Decode, Encode};
use frame_support::{assert_ok, traits::Hooks};
use sp_core::offchain::{
	testing::{TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
};
use sp_runtime::{generic::Preamble, RuntimeAppPublic};

/// A mock chain whose node has offchain storage, a transaction pool and a keystore, and a view of
/// the transactions submitted to the pool.
fn offchain_ext() -> (sp_io::TestExternalities, impl Fn() -> Vec<Vec<u8>>) {
	let mut ext = builder().build();
	let (offchain, _state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	(ext, move || pool_state.read().transactions.clone())
}

/// Publishes the node's sync status, as the node does.
fn publish_status(major_syncing: bool, finalized_number: BlockNumber) {
	let status = SyncStatus { major_syncing, finalized_number };
	sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, SYNC_STATUS_KEY, &status.encode());
}

/// Puts a new `sync` key for provider 1 in the node's keystore and registers it.
fn keystore_key_of_provider_1() -> SyncId {
	let key = SyncId::generate_pair(None);
	Keys::mutate(|k| k.insert(1, key.clone()));
	key
}

/// Runs to block `n` and then its offchain worker, as the node does after importing it.
fn run_worker_at(n: BlockNumber) {
	run_to_block(n);
	// frame-executive stores the block's own hash before running the workers.
	frame_system::BlockHash::<Test>::insert(n, hash_of(n));
	SyncAttestation::offchain_worker(n);
}

fn submitted(pool: &impl Fn() -> Vec<Vec<u8>>) -> Vec<Extrinsic> {
	pool()
		.iter()
		.map(|tx| Extrinsic::decode(&mut &tx[..]).expect("an extrinsic"))
		.collect()
}

#[test]
fn attests_a_challenge_block() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		let key = keystore_key_of_provider_1();
		run_to_round(1);
		let c = challenges(1)[0];
		publish_status(false, c - 3);
		run_worker_at(c);

		let txs = submitted(&pool);
		assert_eq!(txs.len(), 1);
		let xt = &txs[0];
		assert!(matches!(xt.preamble, Preamble::General(..)), "an authorized general transaction");
		let RuntimeCall::SyncAttestation(crate::Call::attest { attestation, signature }) =
			xt.function.clone()
		else {
			panic!("not an attestation: {:?}", xt.function)
		};
		assert_eq!(
			attestation,
			Attestation {
				round: 1,
				challenge_block: c,
				provider: 1,
				best_number: c,
				best_hash: hash_of(c),
				finalized_number: c - 3,
			}
		);
		assert!(key.verify(&SyncAttestation::signing_payload(&attestation), &signature));

		// It is valid in the next block and applies.
		next_block();
		assert!(authorize(&attestation, signature.clone()).is_ok());
		events();
		assert_ok!(attest_signed(&attestation, signature));
		assert!(matches!(events()[..], [Event::Attested { provider: 1, lag: 0, .. }]));
	});
}

/// The challenge blocks of the attestations submitted to the pool, in order.
fn submitted_challenges(pool: &impl Fn() -> Vec<Vec<u8>>) -> Vec<BlockNumber> {
	submitted(pool)
		.into_iter()
		.map(|xt| match xt.function {
			RuntimeCall::SyncAttestation(crate::Call::attest { attestation, .. }) =>
				attestation.challenge_block,
			other => panic!("unexpected {other:?}"),
		})
		.collect()
}

#[test]
fn answers_each_challenge_and_retries_unanswered_ones_while_the_window_is_open() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		publish_status(false, 0);
		run_to_round(1);
		let wanted = challenges(1);
		let mut expected: Vec<BlockNumber> = Vec::new();
		for n in ROUND_LENGTH..2 * ROUND_LENGTH {
			run_worker_at(n);
			// Nothing is included here, so every challenge is answered again on each block
			// of its window: from its own block to `ResponseWindow - 1` blocks later.
			expected.extend(
				wanted
					.iter()
					.copied()
					.filter(|c| *c <= n && n < *c + BlockNumber::from(RESPONSE_WINDOW)),
			);
			assert_eq!(submitted_challenges(&pool), expected, "block {n}");
		}
		let mut distinct = expected.clone();
		distinct.sort();
		distinct.dedup();
		assert_eq!(distinct, wanted);
	});
}

#[test]
fn does_not_answer_a_challenge_again_once_answered_on_chain() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		run_to_round(1);
		let c = challenges(1)[0];
		publish_status(false, 0);
		run_worker_at(c);
		assert_eq!(submitted_challenges(&pool), vec![c]);

		// Included in the next block, it is not answered again there.
		next_block();
		let RuntimeCall::SyncAttestation(crate::Call::attest { attestation, signature }) =
			submitted(&pool)[0].function.clone()
		else {
			panic!("an attestation")
		};
		assert_ok!(attest_signed(&attestation, signature));
		frame_system::BlockHash::<Test>::insert(c + 1, hash_of(c + 1));
		SyncAttestation::offchain_worker(c + 1);
		let after = submitted_challenges(&pool);
		assert!(!after[1..].contains(&c), "answered again: {after:?}");
	});
}

#[test]
fn submits_nothing_while_major_syncing() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		publish_status(true, 0);
		run_to_round(1);
		run_worker_at(challenges(1)[0]);
		assert!(pool().is_empty());
	});
}

#[test]
fn submits_nothing_without_a_sync_status() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		run_to_round(1);
		run_worker_at(challenges(1)[0]);
		assert!(pool().is_empty());
		// Nor with one that does not decode.
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, SYNC_STATUS_KEY, &[1]);
		let c = challenges(1)[1];
		run_worker_at(c);
		assert!(pool().is_empty());
	});
}

#[test]
fn submits_nothing_for_keys_of_inactive_providers_or_no_one() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		// A key in the keystore that no provider registered.
		SyncId::generate_pair(None);
		// A provider whose key is in the keystore, but who is chilled.
		keystore_key_of_provider_1();
		assert_ok!(<MockRegistry as proof_of_sync_primitives::ProviderRegistry<_, _>>::chill(&1));
		publish_status(false, 0);
		run_to_round(1);
		for n in ROUND_LENGTH..2 * ROUND_LENGTH {
			run_worker_at(n);
		}
		assert!(pool().is_empty());
	});
}
