//! The offchain worker answers the node's own challenges, and only when the node is in sync.

use super::*;
use crate::{crypto::SyncId, Event, SyncStatus, SYNC_STATUS_KEY};
use codec::{Decode, Encode};
use frame_support::{assert_ok, traits::Hooks};
use sp_core::{
	offchain::{
		testing::{TestOffchainExt, TestTransactionPoolExt},
		OffchainDbExt, OffchainWorkerExt, StorageKind, TransactionPoolExt,
	},
	H256,
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

/// The node's default `--attest-max-finality-lag`.
const MAX_FINALITY_LAG: u32 = crate::DEFAULT_MAX_FINALITY_LAG;

/// Publishes the node's sync status, as the node does with its default options.
fn publish_status(major_syncing: bool, finalized_number: BlockNumber) {
	publish_status_with_lag(major_syncing, finalized_number, MAX_FINALITY_LAG);
}

/// Publishes the node's sync status with `--attest-max-finality-lag` `max_finality_lag`.
fn publish_status_with_lag(
	major_syncing: bool,
	finalized_number: BlockNumber,
	max_finality_lag: u32,
) {
	let status = SyncStatus { major_syncing, finalized_number, max_finality_lag };
	sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, SYNC_STATUS_KEY, &status.encode());
}

/// The hashes of the attestations submitted to the pool, in order.
fn submitted_hashes(pool: &impl Fn() -> Vec<Vec<u8>>) -> Vec<(BlockNumber, H256)> {
	submitted(pool)
		.into_iter()
		.map(|xt| match xt.function {
			RuntimeCall::SyncAttestation(crate::Call::attest { attestation, .. }) =>
				(attestation.challenge_block, attestation.block_hash),
			other => panic!("unexpected {other:?}"),
		})
		.collect()
}

/// Attack on an honest node: its node imports a second block at a height it has answered (an
/// ordinary reorg, or an Aura author that published two blocks for one slot) and runs its worker
/// there. Signing that block's hash too would hand anyone an equivocation proof to slash it with.
#[test]
fn never_signs_two_hashes_for_one_height_after_a_reorg() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		let key = keystore_key_of_provider_1();
		run_to_round(1);
		let c = challenges(1)[0];
		publish_status(false, c - 2);
		run_worker_at(c);
		assert_eq!(submitted_hashes(&pool), vec![(c, hash_of(c))]);
		assert_eq!(SyncAttestation::signed_heads(&key), vec![(c, hash_of(c))]);

		// The other fork's block at height `c` becomes the best block, and its worker runs.
		let other = H256::repeat_byte(0xab);
		frame_system::BlockHash::<Test>::insert(c, other);
		SyncAttestation::offchain_worker(c);
		assert_eq!(submitted_hashes(&pool), vec![(c, hash_of(c))], "signed a second hash");
		// Nor on a later block of that fork, while the window of `c` is still open.
		frame_system::BlockHash::<Test>::insert(c + 1, H256::repeat_byte(0xac));
		SyncAttestation::offchain_worker(c + 1);
		// (It may answer a challenge at `c + 1` of that fork: another height.)
		let at_c = |signed: Vec<(BlockNumber, H256)>| {
			signed.into_iter().filter(|(height, _)| *height == c).collect::<Vec<_>>()
		};
		assert_eq!(at_c(submitted_hashes(&pool)), vec![(c, hash_of(c))]);
		assert_eq!(at_c(SyncAttestation::signed_heads(&key)), vec![(c, hash_of(c))]);

		// Back on the first fork, retrying the answer it already signed is allowed.
		frame_system::BlockHash::<Test>::insert(c, hash_of(c));
		SyncAttestation::offchain_worker(c);
		assert_eq!(at_c(submitted_hashes(&pool)), vec![(c, hash_of(c)), (c, hash_of(c))]);
	});
}

#[test]
fn submits_nothing_when_the_best_block_is_too_far_ahead_of_finality() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		run_to_round(1);
		let c = challenges(1)[0];
		// Finality 5 blocks behind, more than the node allows (4): no answer.
		publish_status_with_lag(false, c - 5, 4);
		run_worker_at(c);
		assert!(pool().is_empty());
		// Exactly at the bound: it answers.
		publish_status_with_lag(false, c - 4, 4);
		SyncAttestation::offchain_worker(c);
		assert_eq!(submitted_challenges(&pool), vec![c]);
	});
}

#[test]
fn the_signed_heads_record_forgets_finalized_heights_and_is_bounded() {
	let (mut ext, _pool) = offchain_ext();
	ext.execute_with(|| {
		let key = SyncId::generate_pair(None);
		let margin = BlockNumber::from(crate::SIGNED_HEADS_MARGIN);
		let max = crate::MAX_SIGNED_HEADS as BlockNumber;
		// Fill the record while finality stalls at 0.
		for height in 1..=max {
			assert!(SyncAttestation::may_sign(&key, height, hash_of(height), 0));
		}
		assert_eq!(SyncAttestation::signed_heads(&key).len(), crate::MAX_SIGNED_HEADS);
		// Full: no new height, though an answer it already signed may be signed again.
		assert!(!SyncAttestation::may_sign(&key, max + 1, hash_of(max + 1), 0));
		assert!(SyncAttestation::may_sign(&key, max, hash_of(max), 0));
		// Finality moves on: heights `SIGNED_HEADS_MARGIN` behind it are forgotten, making room.
		let finalized = 100 + margin;
		assert!(SyncAttestation::may_sign(&key, max + 1, hash_of(max + 1), finalized));
		let heads = SyncAttestation::signed_heads(&key);
		assert_eq!(heads.first(), Some(&(100, hash_of(100))));
		assert_eq!(heads.last(), Some(&(max + 1, hash_of(max + 1))));
		assert!(heads.windows(2).all(|w| w[0].0 < w[1].0), "kept in increasing height");
		// A height still remembered keeps refusing another hash.
		assert!(!SyncAttestation::may_sign(&key, 100, H256::repeat_byte(1), finalized));
	});
}

/// A node built before `SyncStatus` carried `max_finality_lag` still attests, with the default
/// bound, after the runtime is upgraded.
#[test]
fn reads_the_sync_status_of_an_older_node_with_the_default_bound() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		run_to_round(1);
		let c = challenges(1)[0];
		let legacy = (false, c - 2).encode();
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, SYNC_STATUS_KEY, &legacy);
		assert_eq!(
			SyncAttestation::sync_status(),
			Some(SyncStatus {
				major_syncing: false,
				finalized_number: c - 2,
				max_finality_lag: crate::DEFAULT_MAX_FINALITY_LAG,
			})
		);
		run_worker_at(c);
		assert_eq!(submitted_challenges(&pool), vec![c]);
	});
}

#[test]
fn an_unreadable_signed_heads_record_signs_nothing() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		let key = keystore_key_of_provider_1();
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&SyncAttestation::signed_heads_key(&key),
			&[0xff],
		);
		run_to_round(1);
		let c = challenges(1)[0];
		publish_status(false, c - 2);
		run_worker_at(c);
		assert!(pool().is_empty());
	});
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
				block_hash: hash_of(c),
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

/// The heartbeats submitted to the pool.
fn submitted_heartbeats(
	pool: &impl Fn() -> Vec<Vec<u8>>,
) -> Vec<(crate::HeartbeatOf<Test>, sp_core::sr25519::Signature)> {
	submitted(pool)
		.into_iter()
		.filter_map(|xt| match xt.function {
			RuntimeCall::SyncAttestation(crate::Call::heartbeat { heartbeat, signature }) =>
				Some((heartbeat, signature)),
			_ => None,
		})
		.collect()
}

/// A benched authority's validator node sends a heartbeat signed with its Aura key, even while
/// its finality is too far behind to attest (the stall its recovery may need it for); the chain
/// takes it. A node whose authority is not benched sends none.
#[test]
fn a_benched_authoritys_node_sends_a_heartbeat() {
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		let aura = sp_io::crypto::sr25519_generate(crate::crypto::AURA_KEY_TYPE, None);
		AuraKeys::mutate(|k| k.insert(1, aura));
		run_to_round(1);
		publish_status_with_lag(false, 0, 4);
		run_worker_at(ROUND_LENGTH + 1);
		assert!(pool().is_empty(), "not benched: nothing to prove");

		crate::Benched::<Test>::insert(1, 0);
		SyncAttestation::offchain_worker(ROUND_LENGTH + 1);
		let heartbeats = submitted_heartbeats(&pool);
		assert_eq!(heartbeats.len(), 1);
		assert_eq!(submitted(&pool).len(), 1, "no attestation: finality is too far behind");
		let (heartbeat, signature) = heartbeats[0].clone();
		assert_eq!(heartbeat, crate::Heartbeat { round: 1, authority: 1 });
		assert_ok!(SyncAttestation::heartbeat(authorized(), heartbeat, signature));
		assert!(!SyncAttestation::is_benched(&1));
	});
}

/// The node's resource agent leaves measurements and its dataset in offchain storage; the worker
/// signs and sends them, once each is missing on chain.
#[test]
fn reports_what_the_prober_measured_and_commits_the_nodes_dataset() {
	use crate::{Measurement, DATASET_PREFIX, MEASUREMENT_PREFIX};
	use proof_of_sync_primitives::DatasetCommitment;
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		keystore_key_of_provider_1();
		run_to_round(1);
		let now = System::block_number();
		publish_status(false, now - 1);
		let targets = SyncAttestation::targets_of(&1, &round());
		assert_eq!(targets.len(), 2);
		let measurement = Measurement { reachable: true, latency_ms: 3, measured: capacity() };
		// The prober measured the first target only.
		let measured_key =
			[MEASUREMENT_PREFIX, (1u32, 1u64, targets[0]).encode().as_slice()].concat();
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&measured_key,
			&measurement.encode(),
		);
		let dataset =
			DatasetCommitment::sealed_with([5; 32], 25_600, &SyncAttestation::probe_config());
		let dataset_key = [DATASET_PREFIX, 1u64.encode().as_slice()].concat();
		sp_io::offchain::local_storage_set(
			StorageKind::PERSISTENT,
			&dataset_key,
			&dataset.encode(),
		);

		SyncAttestation::offchain_worker(now);
		let calls: Vec<_> = submitted(&pool)
			.into_iter()
			.filter_map(|xt| match xt.function {
				RuntimeCall::SyncAttestation(call @ crate::Call::report_quality { .. }) |
				RuntimeCall::SyncAttestation(call @ crate::Call::commit_dataset { .. }) => Some(call),
				_ => None,
			})
			.collect();
		assert_eq!(calls.len(), 2, "{calls:?}");
		for call in calls {
			match call {
				crate::Call::report_quality { report, signature } => {
					assert_eq!((report.verifier, report.target), (1, targets[0]));
					assert_eq!(report.measurement, measurement);
					assert_ok!(SyncAttestation::report_quality(authorized(), report, signature));
				},
				crate::Call::commit_dataset { commit, signature } => {
					assert_eq!((commit.provider, commit.dataset), (1, dataset));
					assert_ok!(SyncAttestation::commit_dataset(authorized(), commit, signature));
				},
				other => panic!("unexpected {other:?}"),
			}
		}

		// On chain now: the worker sends neither again.
		let before = pool().len();
		SyncAttestation::offchain_worker(now);
		let again = submitted(&pool).into_iter().skip(before).filter(|xt| {
			matches!(
				xt.function,
				RuntimeCall::SyncAttestation(
					crate::Call::report_quality { .. } | crate::Call::commit_dataset { .. }
				)
			)
		});
		assert_eq!(again.count(), 0);
	});
}

/// The prober leaves the nonce of a storage probe a target did not answer; the worker asks for an
/// audit with it, once. The dataset manager leaves its answer to an audit of a local provider;
/// the worker sends it while the audit with that nonce is open, and only if the chain would
/// take it.
#[test]
fn asks_for_the_audits_the_prober_wants_and_sends_the_answers_the_node_made() {
	use super::{
		audit::answer_from,
		storage_fraud::{config, Built},
	};
	use crate::{
		AuditRequest, Audits, DatasetCommit, DatasetCommitOf, AUDIT_ANSWER_PREFIX,
		AUDIT_REQUEST_PREFIX,
	};
	use sp_core::Pair;
	use sp_runtime::RuntimeAppPublic;
	let (mut ext, pool) = offchain_ext();
	ext.execute_with(|| {
		let key = keystore_key_of_provider_1();
		// Provider 1 commits a dataset its node holds, in effect from round 2.
		run_to_round(1);
		assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), config()));
		let dataset = Built::new(1, 8, &[]);
		let commit: DatasetCommitOf<Test> =
			DatasetCommit { round: 1, provider: 1, dataset: dataset.commitment() };
		let signature = key
			.sign(&commit.signing_payload(&SyncAttestation::genesis_hash()))
			.expect("the keystore signs");
		assert_ok!(SyncAttestation::commit_dataset(authorized(), commit, signature));
		run_to_round(2);
		let now = System::block_number();
		publish_status(false, now - 1);
		let target = SyncAttestation::targets_of(&1, &round())[0];
		let request_key = [AUDIT_REQUEST_PREFIX, (2u32, 1u64, target).encode().as_slice()].concat();
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &request_key, &[4u8; 32]);
		// Provider 1 is audited by one of its verifiers, and its node answered.
		let verifier = SyncAttestation::verifiers_of(&1, &round())[0];
		let audit = AuditRequest { round: 2, verifier, target: 1, nonce: [6; 32] };
		let signature =
			pair(verifier).sign(&audit.signing_payload(&SyncAttestation::genesis_hash()));
		assert_ok!(SyncAttestation::open_audit(authorized(), audit, signature.into()));
		let honest = answer_from(&dataset, 1, verifier);
		let answer_key = [AUDIT_ANSWER_PREFIX, (1u64, verifier).encode().as_slice()].concat();
		sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &answer_key, &honest.encode());

		SyncAttestation::offchain_worker(now);
		let audits = |from: usize| -> Vec<crate::Call<Test>> {
			submitted(&pool)
				.into_iter()
				.skip(from)
				.filter_map(|xt| match xt.function {
					RuntimeCall::SyncAttestation(call @ crate::Call::open_audit { .. }) |
					RuntimeCall::SyncAttestation(call @ crate::Call::answer_audit { .. }) => Some(call),
					_ => None,
				})
				.collect()
		};
		let calls = audits(0);
		assert_eq!(calls.len(), 2, "{calls:?}");
		for call in calls {
			match call {
				crate::Call::open_audit { request, signature } => {
					assert_eq!(
						(request.round, request.verifier, request.target, request.nonce),
						(2, 1, target, [4; 32])
					);
					assert_ok!(SyncAttestation::open_audit(authorized(), request, signature));
				},
				crate::Call::answer_audit { answer: sent } => assert_eq!(*sent, honest),
				other => panic!("unexpected {other:?}"),
			}
		}
		// The audit is open now: not asked for again. An answer to another nonce is not sent, nor
		// one the chain would refuse (a sample short).
		let mut other_nonce = honest.clone();
		other_nonce.nonce = [7; 32];
		let mut short = honest.clone();
		short.proofs.pop();
		for (answer, removed) in [(other_nonce, false), (short, true)] {
			sp_io::offchain::local_storage_set(
				StorageKind::PERSISTENT,
				&answer_key,
				&answer.encode(),
			);
			let before = pool().len();
			SyncAttestation::offchain_worker(now);
			assert!(audits(before).is_empty());
			// The refused one is emptied, for the node to answer again.
			let left = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &answer_key);
			assert_eq!(left == Some(Vec::new()), removed);
		}
		assert!(Audits::<Test>::contains_key(target, 1));
	});
}
