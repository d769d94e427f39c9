//! Storage audits: a target that did not answer a storage probe proves the same samples on chain,
//! or loses its dataset and, when it was up or keeps missing them, part of its bond.

use super::{
	storage_fraud::{commit, config, Built},
	*,
};
use crate::{
	AuditAnswer, AuditAnswerOf, AuditDeadlines, AuditRequest, AuditRequestOf, AuditedIn, Audits,
	Datasets, Error, Event, MissedAudits, SampleProof,
};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::Authorize};
use proof_of_sync_primitives::{seal, StorageAudit};
use sp_core::Pair;
use sp_runtime::{transaction_validity::InvalidTransaction, Perbill};

const NONCE: [u8; 32] = [9; 32];

/// The probe settings' `storage_samples` (the default 16), all of which an audit asks for.
const SAMPLES: u32 = 16;

fn request(verifier: AccountId, target: AccountId) -> AuditRequestOf<Test> {
	AuditRequest { round: round().index, verifier, target, nonce: NONCE }
}

fn sign_request(signer: AccountId, request: &AuditRequestOf<Test>) -> SyncSignature {
	pair(signer)
		.sign(&request.signing_payload(&SyncAttestation::genesis_hash()))
		.into()
}

fn open(request: &AuditRequestOf<Test>) -> DispatchResult {
	SyncAttestation::open_audit(
		authorized(),
		request.clone(),
		sign_request(request.verifier, request),
	)
}

/// What the pool says about `open_audit`.
fn authorize_open(request: &AuditRequestOf<Test>) -> TransactionValidityWithRefund {
	let signature = sign_request(request.verifier, request);
	crate::Call::<Test>::open_audit { request: request.clone(), signature }
		.authorize(TransactionSource::External)
		.expect("open_audit is an authorized call")
}

fn audit_of(target: AccountId, verifier: AccountId) -> crate::StorageAuditOf<Test> {
	Audits::<Test>::get(target, verifier).expect("an open audit")
}

/// The proof of leaf `index` from `dataset`, as a node reads it.
fn proof_of(dataset: &Built, index: u64) -> SampleProof {
	let lanes = u64::from(SyncAttestation::probe_config().dataset_lanes);
	SampleProof {
		leaf: dataset.leaf(index),
		path: dataset.path(index),
		previous: index.checked_sub(lanes).map(|p| (dataset.leaf(p), dataset.path(p))),
	}
}

/// The answer to `verifier`'s open audit of `target` from `dataset`.
pub(super) fn answer_from(
	dataset: &Built,
	target: AccountId,
	verifier: AccountId,
) -> AuditAnswerOf<Test> {
	let audit = audit_of(target, verifier);
	let proofs: Vec<_> = SyncAttestation::audit_indices(&audit)
		.into_iter()
		.map(|index| proof_of(dataset, index))
		.collect();
	AuditAnswer {
		target,
		verifier,
		nonce: audit.nonce,
		opened: audit.opened,
		seal_iterations: audit.dataset.seal_iterations,
		proofs: proofs.try_into().expect("MaxAuditSamples proofs"),
	}
}

fn answer(answer: &AuditAnswerOf<Test>) -> DispatchResult {
	SyncAttestation::answer_audit(authorized(), Box::new(answer.clone()))
}

/// What the pool says about `answer_audit`.
fn authorize_answer(answer: &AuditAnswerOf<Test>) -> TransactionValidityWithRefund {
	crate::Call::<Test>::answer_audit { answer: Box::new(answer.clone()) }
		.authorize(TransactionSource::External)
		.expect("answer_audit is an authorized call")
}

fn custom(error: Error<Test>) -> TransactionValidityWithRefund {
	Err(InvalidTransaction::Custom(error.using_encoded(|bytes| bytes[0])).into())
}

fn verifiers(target: AccountId) -> Vec<AccountId> {
	SyncAttestation::verifiers_of(&target, &round()).into_inner()
}

/// The mock slashes `StorageFraudSlash` of `who`'s bond with `ReporterCut` to `verifier`.
fn storage_slash(
	who: AccountId,
	verifier: AccountId,
) -> (AccountId, Perbill, Option<(u64, Perbill)>) {
	(who, Perbill::from_percent(20), Some((verifier, Perbill::from_percent(50))))
}

/// Eight providers; in round 1 the small probe settings are set and provider 3 commits `dataset`
/// (a dataset of 8 leaves, junk at `junk`); the test runs in round 2, where it is in effect, and
/// every block of which challenges every provider.
fn with_dataset(junk: &[u64], test: impl FnOnce(Built)) {
	builder()
		.providers((1..=8).map(|who| (who, false)).collect())
		.build_and_execute(|| {
			run_to_round(1);
			assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), config()));
			let dataset = Built::new(3, 8, junk);
			assert_ok!(commit(3, dataset.commitment()));
			// Every block challenges everyone, so that a provider's node has challenges to
			// answer while an audit is open.
			TargetAttestationsPerBlock::set(8);
			MaxChallengesPerRound::set(16);
			run_to_round(2);
			events();
			test(dataset)
		});
}

/// A challenge of provider 3's in the round in progress, after its second block, that leaves
/// room for an audit opened at it, its answer and the whole audit window in the round.
fn challenge_of_3_with_room() -> BlockNumber {
	let start = round().start;
	challenges(3)
		.into_iter()
		.find(|c| *c > start + 1 && c + BlockNumber::from(AUDIT_WINDOW) + 1 < start + ROUND_LENGTH)
		.expect("provider 3 is challenged in the round")
}

/// Provider 3's first verifier in the round in progress.
fn verifier_of_3() -> AccountId {
	verifiers(3)[0]
}

#[test]
fn an_audit_answered_with_the_sampled_leaves_closes_and_costs_nothing() {
	with_dataset(&[], |dataset| {
		let verifier = verifier_of_3();
		run_to_block(round().start + 2);
		assert_ok!(open(&request(verifier, 3)));
		let opened = round().start + 2;
		let deadline = opened + BlockNumber::from(AUDIT_WINDOW);
		assert_eq!(
			audit_of(3, verifier),
			StorageAudit {
				verifier,
				round: 2,
				nonce: NONCE,
				dataset: dataset.commitment(),
				samples: SAMPLES,
				opened,
				deadline,
				counts: false,
			}
		);
		assert_eq!(AuditDeadlines::<Test>::get(deadline).into_inner(), vec![(3, verifier)]);
		assert_eq!(
			events(),
			vec![Event::AuditOpened { target: 3, verifier, round: 2, samples: SAMPLES, deadline }]
		);
		assert_eq!(SyncAttestation::storage_audits(&3), vec![audit_of(3, verifier)]);

		let honest = answer_from(&dataset, 3, verifier);
		assert_ok!(authorize_answer(&honest));
		// Answered in the last block that counts.
		run_to_block(deadline);
		assert_ok!(answer(&honest));
		assert_eq!(events(), vec![Event::AuditAnswered { target: 3, verifier, round: 2 }]);
		assert!(SyncAttestation::storage_audits(&3).is_empty());
		assert!(AuditDeadlines::<Test>::get(deadline).is_empty(), "its slot is free again");
		// Its deadline passes without a word: nothing is missed, the dataset stays.
		run_to_block(deadline + 2);
		assert!(events().is_empty());
		assert!(Slashes::get().is_empty());
		assert_eq!(SyncAttestation::dataset_in(&3, 2), Some(dataset.commitment()));
		// Answered once: the same answer again finds no audit, and the pool calls it stale.
		assert_noop!(answer(&honest), Error::<Test>::NoAudit);
		assert_eq!(authorize_answer(&honest), Err(InvalidTransaction::Stale.into()));
	});
}

#[test]
fn an_answer_after_the_deadline_is_refused_and_the_audit_is_missed() {
	with_dataset(&[], |dataset| {
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		let honest = answer_from(&dataset, 3, verifier);
		let deadline = audit_of(3, verifier).deadline;
		// The pool, a block late, sees the audit before `on_initialize` settles it.
		run_to_block(deadline);
		System::set_block_number(deadline + 1);
		assert_eq!(authorize_answer(&honest), Err(InvalidTransaction::Stale.into()));
		System::set_block_number(deadline);
		run_to_block(deadline + 1);
		assert_noop!(answer(&honest), Error::<Test>::NoAudit);
		assert_eq!(SyncAttestation::dataset_in(&3, 2), None, "missed: the dataset is dropped");
	});
}

#[test]
fn bad_audit_requests_are_refused_with_their_error_and_change_nothing() {
	with_dataset(&[], |_| {
		let verifier = verifier_of_3();
		let stranger = (1..=8).find(|v| *v != 3 && !verifiers(3).contains(v)).expect("a stranger");

		let mut wrong_round = request(verifier, 3);
		wrong_round.round = 1;
		assert_noop!(open(&wrong_round), Error::<Test>::WrongRound);
		assert_eq!(
			authorize_open(&wrong_round),
			Err(InvalidTransaction::Stale.into()),
			"a past round's request is stale in the pool"
		);
		assert_noop!(open(&request(3, 3)), Error::<Test>::SelfReport);
		assert_noop!(open(&request(stranger, 3)), Error::<Test>::NotAssigned);
		assert_noop!(open(&request(verifier, 42)), Error::<Test>::NotActiveProvider);
		let forged = request(verifier, 3);
		assert_noop!(
			SyncAttestation::open_audit(authorized(), forged.clone(), sign_request(3, &forged)),
			Error::<Test>::BadSignature
		);
		// A target without a dataset in effect has no storage to audit (it counts zero).
		let other = (1..=8).find(|t| *t != 3).expect("another target");
		Datasets::<Test>::remove(other);
		assert_noop!(
			open(&request(verifiers(other)[0], other)),
			Error::<Test>::DatasetNotCommitted
		);

		// One audit a verifier, target and round; each verifier audits on its own.
		assert_ok!(open(&request(verifier, 3)));
		assert_noop!(open(&request(verifier, 3)), Error::<Test>::AuditPending);
		let second = verifiers(3)[1];
		assert_ok!(open(&request(second, 3)));
		let deadline = audit_of(3, verifier).deadline;
		run_to_block(deadline + 1);
		assert!(SyncAttestation::storage_audits(&3).is_empty(), "missed and settled");
		assert_noop!(open(&request(verifier, 3)), Error::<Test>::AlreadyAudited);
	});
}

#[test]
fn an_audit_opened_late_is_answered_in_the_next_round() {
	with_dataset(&[], |dataset| {
		let verifier = verifier_of_3();
		// Opened in round 2's last block, its window runs into round 3.
		run_to_block(round().start + ROUND_LENGTH - 1);
		assert_ok!(open(&request(verifier, 3)));
		run_to_round(3);
		// The audit of round 2 is answered in round 3.
		assert_ok!(answer(&answer_from(&dataset, 3, verifier)));
		assert_eq!(events().last(), Some(&Event::AuditAnswered { target: 3, verifier, round: 2 }));
	});
}

#[test]
fn at_most_max_audits_per_block_fall_due_in_one_block() {
	with_dataset(&[], |_| {
		// Three targets with genesis datasets and a verifier each; the mock allows two a block.
		let pairs: Vec<(AccountId, AccountId)> =
			(1..=8).filter(|t| *t != 3).map(|t| (t, verifiers(t)[0])).take(3).collect();
		assert_ok!(open(&request(pairs[0].1, pairs[0].0)));
		assert_ok!(open(&request(pairs[1].1, pairs[1].0)));
		assert_noop!(open(&request(pairs[2].1, pairs[2].0)), Error::<Test>::TooManyAudits);
		assert_eq!(
			authorize_open(&request(pairs[2].1, pairs[2].0)),
			custom(Error::<Test>::TooManyAudits)
		);
		// The next block's audits fall due a block later.
		next_block();
		assert_ok!(open(&request(pairs[2].1, pairs[2].0)));
	});
}

/// The attack: a verifier audits a target again, in a later round, with the nonce of an audit
/// the target answered. The same samples would ask for the same answer, byte for byte a
/// transaction already in a block, which the pool refuses as known: the honest target would
/// miss the audit while up, and be slashed. Each answer names its audit's opening block, so it is
/// a new transaction, and the old one answers nothing.
#[test]
fn an_audit_with_a_reused_nonce_gets_an_answer_of_its_own() {
	with_dataset(&[], |dataset| {
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		let first = answer_from(&dataset, 3, verifier);
		assert_ok!(answer(&first));
		// A later round in which it verifies 3 again.
		run_to_round(3);
		while !verifiers(3).contains(&verifier) {
			run_to_round(round().index + 1);
		}
		assert_ok!(open(&request(verifier, 3)));
		let second = answer_from(&dataset, 3, verifier);
		assert_eq!(
			SyncAttestation::audit_indices(&audit_of(3, verifier)),
			(0..u64::from(SAMPLES))
				.map(|k| seal::sample_index(&NONCE, k, 8))
				.collect::<Vec<_>>(),
			"the same samples"
		);
		assert_ne!(first.encode(), second.encode(), "another transaction");
		assert_noop!(answer(&first), Error::<Test>::NoAudit);
		assert_eq!(authorize_answer(&first), Err(InvalidTransaction::Stale.into()));
		assert_ok!(answer(&second));
		assert!(SyncAttestation::storage_audits(&3).is_empty());
	});
}

#[test]
fn bad_answers_are_refused_with_their_error_and_change_nothing() {
	with_dataset(&[], |dataset| {
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		let honest = answer_from(&dataset, 3, verifier);

		let mut wrong_nonce = honest.clone();
		wrong_nonce.nonce = [1; 32];
		assert_noop!(answer(&wrong_nonce), Error::<Test>::NoAudit);
		let mut wrong_opening = honest.clone();
		wrong_opening.opened -= 1;
		assert_noop!(answer(&wrong_opening), Error::<Test>::NoAudit);
		let mut other_verifier = honest.clone();
		other_verifier.verifier = verifiers(3)[1];
		assert_noop!(answer(&other_verifier), Error::<Test>::NoAudit);
		let mut short = honest.clone();
		short.proofs.pop();
		assert_noop!(answer(&short), Error::<Test>::WrongSampleCount);
		let mut iterations = honest.clone();
		iterations.seal_iterations += 1;
		assert_noop!(answer(&iterations), Error::<Test>::WrongSealParams);
		// A leaf that is not in the tree, a wrong path, another leaf of the dataset.
		let mut forged = honest.clone();
		forged.proofs[0].leaf[0] ^= 1;
		assert_noop!(answer(&forged), Error::<Test>::BadSample);
		let mut wrong_path = honest.clone();
		wrong_path.proofs[1].path[0] = [7; 32];
		assert_noop!(answer(&wrong_path), Error::<Test>::BadSample);
		let first = SyncAttestation::audit_indices(&audit_of(3, verifier))[0];
		let mut other_leaf = honest.clone();
		other_leaf.proofs[0] = proof_of(&dataset, (first + 1) % 8);
		assert_noop!(answer(&other_leaf), Error::<Test>::BadSample);
		// Another honest dataset of the target's is not the committed one.
		let uncommitted = Built::new(3, 16, &[]);
		let proofs: Vec<_> = SyncAttestation::audit_indices(&audit_of(3, verifier))
			.into_iter()
			.map(|index| proof_of(&uncommitted, index))
			.collect();
		let elsewhere = AuditAnswer { proofs: proofs.try_into().unwrap(), ..honest.clone() };
		assert_noop!(answer(&elsewhere), Error::<Test>::BadSample);
		// The pool refuses them alike.
		assert_eq!(authorize_answer(&forged), custom(Error::<Test>::BadSample));
		assert_eq!(authorize_answer(&short), custom(Error::<Test>::WrongSampleCount));
		assert!(Audits::<Test>::contains_key(3, verifier));
	});
}

#[test]
fn an_answer_with_an_unsealed_leaf_is_a_storage_fraud_proof() {
	// Every leaf junk: a dataset kept as its tree alone, every sample on a break.
	with_dataset(&(0..8).collect::<Vec<_>>(), |dataset| {
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		events();
		let indices = SyncAttestation::audit_indices(&audit_of(3, verifier));
		let cheat = answer_from(&dataset, 3, verifier);
		// Its paths are right: the pool lets it in, and the block checks the seals.
		assert_ok!(authorize_answer(&cheat));
		assert_ok!(answer(&cheat));
		assert_eq!(Slashes::get(), vec![storage_slash(3, verifier)]);
		assert_eq!(
			events(),
			vec![Event::StorageFraudProven {
				provider: 3,
				dataset: dataset.commitment(),
				index: indices[0],
				slashed: BOND / 5,
				reporter: verifier,
			}]
		);
		assert_eq!(SyncAttestation::dataset_in(&3, 2), None);
		assert!(!Audits::<Test>::contains_key(3, verifier));
	});
}

#[test]
fn a_colluding_verifier_cannot_shield_a_target_from_the_others() {
	// Leaf 5 is junk: a colluder audits with a nonce whose samples miss it.
	with_dataset(&[5], |dataset| {
		let (colluder, honest) = (verifiers(3)[0], verifiers(3)[1]);
		let miss = (0u8..=255)
			.map(|b| [b; 32])
			.find(|nonce| (0..u64::from(SAMPLES)).all(|k| seal::sample_index(nonce, k, 8) != 5))
			.expect("a nonce that misses leaf 5");
		let hit = (0u8..=255)
			.map(|b| [b; 32])
			.find(|nonce| seal::sample_index(nonce, 0, 8) == 5)
			.expect("a nonce that hits leaf 5 first");
		let shield = AuditRequest { nonce: miss, ..request(colluder, 3) };
		assert_ok!(open(&shield));
		assert_ok!(answer(&answer_from(&dataset, 3, colluder)));
		// The honest verifier's refused probe is audited all the same.
		assert_ok!(open(&AuditRequest { nonce: hit, ..request(honest, 3) }));
		assert_ok!(answer(&answer_from(&dataset, 3, honest)));
		assert_eq!(Slashes::get(), vec![storage_slash(3, honest)]);
	});
}

#[test]
fn a_target_that_answers_its_challenges_but_not_its_audit_is_slashed() {
	with_dataset(&[], |_| {
		// A challenge of 3's that leaves room for its answer and the whole window in the round.
		let challenge = challenge_of_3_with_room();
		run_to_block(challenge);
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		// A challenge from before the audit, answered after it opened, shows nothing.
		assert_ok!(attest(&attestation(3, challenge - 1)));
		let deadline = audit_of(3, verifier).deadline;
		// Its node keeps attesting after the audit opened, and never answers the audit.
		answer_at(3, challenge);
		// A fresh commitment does not escape the audit either.
		assert_ok!(commit(3, Built::new(3, 4, &[]).commitment()));
		events();
		run_to_block(deadline + 1);
		assert_eq!(Slashes::get(), vec![storage_slash(3, verifier)]);
		assert_eq!(
			events(),
			vec![Event::AuditMissed {
				target: 3,
				verifier,
				round: 2,
				// It had answered nothing in the round before the audit opened: not a counted
				// miss, but up when the audit was due.
				refused: true,
				missed: 0,
				slashed: Some(BOND / 5),
			}]
		);
		assert_eq!(SyncAttestation::dataset_in(&3, 3), None, "both commitments dropped");
		assert!(MissedAudits::<Test>::get(3).is_empty());
	});
}

#[test]
fn a_challenge_answered_before_the_audit_opened_is_not_a_refusal() {
	with_dataset(&[], |_| {
		let start = round().start;
		let challenge = challenges(3)
			.into_iter()
			.find(|c| *c > start && c + BlockNumber::from(AUDIT_WINDOW) + 2 < start + ROUND_LENGTH)
			.expect("provider 3 is challenged in round 2");
		answer_at(3, challenge);
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		assert!(audit_of(3, verifier).counts, "it answered in the round before the audit");
		run_to_block(audit_of(3, verifier).deadline + 1);
		assert!(Slashes::get().is_empty());
		assert_eq!(MissedAudits::<Test>::get(3).into_inner(), vec![2]);
	});
}

#[test]
fn a_window_across_a_round_change_sees_the_answers_of_the_next_round() {
	with_dataset(&[], |_| {
		let verifier = verifier_of_3();
		run_to_block(round().start + ROUND_LENGTH - 2);
		assert_ok!(open(&request(verifier, 3)));
		run_to_round(3);
		// Up in round 3: it answers a challenge there, and not the audit of round 2.
		let challenge = challenges(3)[0];
		answer_at(3, challenge);
		events();
		run_to_block(audit_of(3, verifier).deadline + 1);
		assert_eq!(Slashes::get(), vec![storage_slash(3, verifier)]);
	});
}

#[test]
fn a_target_that_is_down_loses_its_dataset_and_missing_again_is_slashed() {
	with_dataset(&[], |dataset| {
		// 3 answered a challenge at the round's start, then went down.
		give_points(2, 3, 100);
		run_to_block(round().start + 1);
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		assert!(audit_of(3, verifier).counts);
		let deadline = audit_of(3, verifier).deadline;
		events();
		run_to_block(deadline + 1);
		assert_eq!(
			events(),
			vec![Event::AuditMissed {
				target: 3,
				verifier,
				round: 2,
				refused: false,
				missed: 1,
				slashed: None,
			}]
		);
		assert!(Slashes::get().is_empty());
		assert_eq!(SyncAttestation::dataset_in(&3, 2), None, "its storage counts zero now");
		assert_eq!(MissedAudits::<Test>::get(3).into_inner(), vec![2]);
		// Back up, it cannot commit again before the next round...
		assert_noop!(commit(3, dataset.commitment()), Error::<Test>::AlreadyCommitted);
		run_to_round(3);
		assert_ok!(commit(3, dataset.commitment()));
		// ...so the dataset counts again from round 4, where it is audited and goes down again.
		run_to_round(4);
		give_points(4, 3, 100);
		run_to_block(round().start + 1);
		let verifier = verifiers(3)[0];
		assert_ok!(open(&request(verifier, 3)));
		events();
		run_to_block(audit_of(3, verifier).deadline + 1);
		assert_eq!(
			events(),
			vec![Event::AuditMissed {
				target: 3,
				verifier,
				round: 4,
				refused: false,
				missed: MAX_MISSED_AUDITS,
				slashed: Some(BOND / 5),
			}]
		);
		assert_eq!(Slashes::get(), vec![storage_slash(3, verifier)]);
		assert!(MissedAudits::<Test>::get(3).is_empty(), "a slash starts the count again");
	});
}

#[test]
fn counted_misses_older_than_history_depth_are_forgotten() {
	with_dataset(&[], |_| {
		// Round 4: a miss in round 0 is more than `HISTORY_DEPTH` (3) rounds old, one in round 1
		// is not.
		run_to_round(4);
		let miss_in = |rounds: Vec<RoundIndex>| {
			MissedAudits::<Test>::insert(3, frame_support::BoundedVec::truncate_from(rounds));
			give_points(round().index, 3, 100);
			let verifier = verifiers(3)[0];
			assert_ok!(open(&request(verifier, 3)));
			run_to_block(audit_of(3, verifier).deadline + 1);
		};
		run_to_block(round().start + 1);
		miss_in(vec![0]);
		assert!(Slashes::get().is_empty());
		assert_eq!(MissedAudits::<Test>::get(3).into_inner(), vec![4]);
		// The dataset was dropped: commit it again for round 6.
		run_to_round(5);
		assert_ok!(commit(3, Built::new(3, 8, &[]).commitment()));
		run_to_round(6);
		run_to_block(round().start + 1);
		miss_in(vec![3]);
		assert_eq!(Slashes::get().len(), 1, "rounds 3 and 6 are within HISTORY_DEPTH");
	});
}

#[test]
fn the_audits_of_one_outage_count_once() {
	with_dataset(&[], |_| {
		// 3 answered nothing in round 1 or 2: it was down before the audits opened.
		let (first, second) = (verifiers(3)[0], verifiers(3)[1]);
		assert_ok!(open(&request(first, 3)));
		assert_ok!(open(&request(second, 3)));
		assert!(!audit_of(3, first).counts && !audit_of(3, second).counts);
		events();
		run_to_block(audit_of(3, first).deadline + 1);
		let missed = |verifier| Event::AuditMissed {
			target: 3,
			verifier,
			round: 2,
			refused: false,
			missed: 0,
			slashed: None,
		};
		assert_eq!(events(), vec![missed(first), missed(second)]);
		assert!(MissedAudits::<Test>::get(3).is_empty());
		assert!(Slashes::get().is_empty());
	});
}

#[test]
fn a_target_that_can_no_longer_be_slashed_still_loses_its_dataset() {
	with_dataset(&[], |_| {
		let verifier = verifier_of_3();
		let challenge = challenge_of_3_with_room();
		run_to_block(challenge);
		assert_ok!(open(&request(verifier, 3)));
		answer_at(3, challenge);
		// It withdrew: the registry no longer knows it and cannot slash it.
		Providers::mutate(|providers| providers.remove(&3));
		events();
		run_to_block(audit_of(3, verifier).deadline + 1);
		assert_eq!(
			events(),
			vec![Event::AuditMissed {
				target: 3,
				verifier,
				round: 2,
				refused: true,
				missed: 0,
				slashed: None,
			}]
		);
		assert_eq!(SyncAttestation::dataset_in(&3, 2), None);
	});
}

#[test]
fn the_pool_takes_one_request_per_verifier_target_and_round_and_one_answer_per_audit() {
	with_dataset(&[], |dataset| {
		let verifier = verifier_of_3();
		let (valid, _) = authorize_open(&request(verifier, 3)).expect("valid");
		assert_eq!(
			valid.provides,
			vec![(crate::audit::AUDIT_REQUEST_TAG_PREFIX, (2u32, 3u64, verifier)).encode()]
		);
		assert_eq!(valid.longevity, SyncAttestation::blocks_left_in_round());
		let (other, _) = authorize_open(&request(verifiers(3)[1], 3)).expect("valid");
		assert_ne!(other.provides, valid.provides, "each verifier audits on its own");

		run_to_block(round().start + 3);
		assert_ok!(open(&request(verifier, 3)));
		let honest = answer_from(&dataset, 3, verifier);
		let (valid, _) = authorize_answer(&honest).expect("valid");
		assert_eq!(
			valid.provides,
			vec![(
				crate::audit::AUDIT_ANSWER_TAG_PREFIX,
				(3u64, verifier, NONCE, round().start + 3)
			)
				.encode()]
		);
		assert_eq!(valid.longevity, u64::from(AUDIT_WINDOW) + 1);
		assert!(valid.priority > AttestationPriority::get(), "answers go before attestations");
		let _ = AuditedIn::<Test>::get(3);
	});
}

#[test]
fn one_refusal_is_slashed_once_however_many_verifiers_audit_it() {
	with_dataset(&[], |_| {
		let challenge = challenge_of_3_with_room();
		run_to_block(challenge);
		let (first, second) = (verifiers(3)[0], verifiers(3)[1]);
		assert_ok!(open(&request(first, 3)));
		assert_ok!(open(&request(second, 3)));
		// Up, and silent to both.
		answer_at(3, challenge);
		run_to_block(audit_of(3, first).deadline + 1);
		assert_eq!(Slashes::get(), vec![storage_slash(3, first)]);
		assert!(SyncAttestation::storage_audits(&3).is_empty(), "the other audit closed with it");
	});
}

#[test]
fn the_counted_misses_of_one_round_count_once() {
	with_dataset(&[], |_| {
		give_points(2, 3, 100);
		run_to_block(round().start + 1);
		let (first, second) = (verifiers(3)[0], verifiers(3)[1]);
		assert_ok!(open(&request(first, 3)));
		assert_ok!(open(&request(second, 3)));
		assert!(audit_of(3, first).counts && audit_of(3, second).counts);
		run_to_block(audit_of(3, first).deadline + 1);
		// Two misses in round 2 are one: below the mock's MAX_MISSED_AUDITS (2).
		assert_eq!(MissedAudits::<Test>::get(3).into_inner(), vec![2]);
		assert!(Slashes::get().is_empty());
	});
}

/// One outage's audits may fall due in different rounds (one opened late in a round falls due in
/// the next); an honest provider that was only down is not slashed for the spread. Misses count
/// by the round their audits opened in.
#[test]
fn the_misses_of_one_outage_count_once_however_their_deadlines_fall() {
	with_dataset(&[], |_| {
		// 3 answered a challenge at round 2's start, then went down.
		give_points(2, 3, 100);
		let start = round().start;
		let (first, second) = (verifiers(3)[0], verifiers(3)[1]);
		run_to_block(start + 10);
		assert_ok!(open(&request(first, 3)));
		// The second opens in the block the first falls due in (before its miss drops the
		// dataset), and falls due in round 3.
		run_to_block(audit_of(3, first).deadline);
		assert_ok!(open(&request(second, 3)));
		assert!(audit_of(3, first).counts && audit_of(3, second).counts);
		assert_eq!(audit_of(3, second).deadline, start + ROUND_LENGTH);
		run_to_block(audit_of(3, second).deadline + 1);
		assert_eq!(round().index, 3, "the misses settled in rounds 2 and 3");
		assert_eq!(MissedAudits::<Test>::get(3).into_inner(), vec![2]);
		assert!(Slashes::get().is_empty(), "one outage, one counted miss");
	});
}

/// A miss in a round next to a counted one is the same incident; two rounds apart, another.
#[test]
fn a_miss_next_to_a_counted_one_is_the_same_incident() {
	with_dataset(&[], |_| {
		give_points(2, 3, 100);
		MissedAudits::<Test>::insert(3, frame_support::BoundedVec::truncate_from(vec![1]));
		run_to_block(round().start + 1);
		let verifier = verifier_of_3();
		assert_ok!(open(&request(verifier, 3)));
		run_to_block(audit_of(3, verifier).deadline + 1);
		assert_eq!(MissedAudits::<Test>::get(3).into_inner(), vec![1]);
		assert!(Slashes::get().is_empty());
		// Its dataset was dropped: commit it again for round 4. A miss counted in round 2 is
		// two rounds before an audit of round 4: another incident, and the mock's second miss.
		run_to_round(3);
		assert_ok!(commit(3, Built::new(3, 8, &[]).commitment()));
		run_to_round(4);
		give_points(4, 3, 100);
		MissedAudits::<Test>::insert(3, frame_support::BoundedVec::truncate_from(vec![2]));
		run_to_block(round().start + 1);
		let verifier = verifiers(3)[0];
		assert_ok!(open(&request(verifier, 3)));
		run_to_block(audit_of(3, verifier).deadline + 1);
		assert_eq!(Slashes::get(), vec![storage_slash(3, verifier)]);
	});
}

#[test]
fn an_audit_of_a_dataset_sealed_under_heavier_settings_asks_only_what_fits_a_block() {
	builder()
		.providers((1..=8).map(|who| (who, false)).collect())
		.build_and_execute(|| {
			run_to_round(1);
			// Heavy seals, one sample a probe: allowed, and a dataset committed under them.
			let heavy = proof_of_sync_primitives::ProbeConfig {
				seal_iterations: proof_of_sync_primitives::MAX_CHECKED_SEAL_ITERATIONS,
				storage_samples: 1,
				..config()
			};
			assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), heavy));
			assert_ok!(commit(3, Built::new(3, 8, &[]).commitment()));
			// Back to light seals and 16 samples, while that dataset is in effect.
			assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), config()));
			run_to_round(2);
			let verifier = verifier_of_3();
			assert_ok!(open(&request(verifier, 3)));
			let audit = audit_of(3, verifier);
			let weight = SyncAttestation::answer_audit_weight(audit.samples, heavy.seal_iterations);
			assert!(audit.samples >= 1 && audit.samples < SAMPLES, "{} samples", audit.samples);
			assert!(weight.all_lte(SyncAttestation::answer_budget()), "{weight:?}");
			assert!(!SyncAttestation::answer_audit_weight(
				audit.samples + 1,
				heavy.seal_iterations
			)
			.all_lte(SyncAttestation::answer_budget()));
		});
}
