//! `report_equivocation` and `report_offline`.

use super::*;
use crate::{Error, Event, Reported, SigningKeys};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResultWithPostInfo, Pays},
};
use sp_core::H256;
use sp_runtime::{traits::BadOrigin, transaction_validity::InvalidTransaction, Perbill};

mod equivocation {
	use super::*;

	type Signed = Box<(AttestationOf<Test>, SyncSignature)>;

	/// Two attestations by `who` of block `number`, naming `round`, with different hashes, each
	/// signed by `signer`.
	fn proof_in(
		who: AccountId,
		number: BlockNumber,
		round: RoundIndex,
		signer: AccountId,
	) -> (Signed, Signed) {
		let mut first = attestation(who, number);
		first.round = round;
		let mut second = first.clone();
		second.block_hash = H256::repeat_byte(0xee);
		let first_signature = sign_as(signer, &first);
		let second_signature = sign_as(signer, &second);
		(Box::new((first, first_signature)), Box::new((second, second_signature)))
	}

	/// The same, naming the round that holds `number`.
	fn proof(who: AccountId, number: BlockNumber, signer: AccountId) -> (Signed, Signed) {
		proof_in(who, number, (number / ROUND_LENGTH) as RoundIndex, signer)
	}

	fn report((first, second): (Signed, Signed)) -> DispatchResultWithPostInfo {
		SyncAttestation::report_equivocation(RuntimeOrigin::signed(REPORTER), first, second)
	}

	/// Attack: a provider runs the same `sync` key on two chains of this runtime (a testnet and a
	/// live chain). At one height the chains have different blocks, so its honest answers on the
	/// two chains name different hashes. Pairing an answer signed for the other chain with one
	/// from this chain is no proof here: the payload names the chain's genesis hash.
	#[test]
	fn an_answer_signed_for_another_chain_is_no_equivocation_proof() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let (first, mut second) = proof(1, ROUND_LENGTH + 2, 1);
			let other_chain = H256::repeat_byte(7);
			second.1 = sign_for_chain(1, &second.0, other_chain);
			assert_noop!(report((first, second)), Error::<Test>::BadSignature);
		});
	}

	#[test]
	fn slashes_the_provider_and_pays_the_reporter() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			events();
			let result = report(proof(1, ROUND_LENGTH + 2, 1));
			assert_eq!(result.map(|info| info.pays_fee), Ok(Pays::No));
			assert_eq!(
				Slashes::get(),
				vec![(1, Perbill::from_percent(10), Some((REPORTER, Perbill::from_percent(50))))]
			);
			assert_eq!(
				events(),
				vec![Event::EquivocationReported {
					provider: 1,
					height: ROUND_LENGTH + 2,
					slashed: BOND / 10,
					reporter: REPORTER,
				}]
			);
			assert!(Reported::<Test>::contains_key(1, (1, ROUND_LENGTH + 2)));
		});
	}

	#[test]
	fn refuses_what_is_not_an_equivocation() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let n = ROUND_LENGTH + 2;
			// The same hash twice.
			let (first, _) = proof(1, n, 1);
			assert_noop!(report((first.clone(), first.clone())), Error::<Test>::NotEquivocation);
			// Two heights.
			let (first, mut second) = proof(1, n, 1);
			second.0.challenge_block = n + 1;
			second.1 = sign_as(1, &second.0);
			assert_noop!(report((first, second)), Error::<Test>::NotEquivocation);
			// Two providers.
			let (first, _) = proof(1, n, 1);
			let (_, second) = proof(2, n, 2);
			assert_noop!(report((first, second)), Error::<Test>::NotEquivocation);
			assert!(Slashes::get().is_empty());
		});
	}

	#[test]
	fn refuses_bad_signatures() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let n = ROUND_LENGTH + 2;
			assert_noop!(report(proof(1, n, 2)), Error::<Test>::BadSignature);
			// Only one of the two signed by the provider.
			let (first, mut second) = proof(1, n, 1);
			second.1 = sign_as(2, &second.0);
			assert_noop!(report((first, second)), Error::<Test>::BadSignature);
			Keys::mutate(|k| k.remove(&1));
			assert_noop!(report(proof(1, n, 1)), Error::<Test>::NoSyncKey);
		});
	}

	#[test]
	fn punishes_each_equivocation_once() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let n = ROUND_LENGTH + 2;
			assert_ok!(report(proof(1, n, 1)));
			assert_noop!(report(proof(1, n, 1)), Error::<Test>::AlreadyReported);
			// Swapped, or with a third hash: the same offence.
			let (first, second) = proof(1, n, 1);
			assert_noop!(report((second, first)), Error::<Test>::AlreadyReported);
			let (first, mut third) = proof(1, n, 1);
			third.0.block_hash = H256::repeat_byte(0x33);
			third.1 = sign_as(1, &third.0);
			assert_noop!(report((first, third)), Error::<Test>::AlreadyReported);
			// Another height is another offence.
			assert_ok!(report(proof(1, n + 1, 1)));
			assert_eq!(Slashes::get().len(), 2);
		});
	}

	/// The attack: sign the same two hashes again, each time naming other rounds in the
	/// attestations, to be punished as if for one offence only once per named round, or to
	/// escape. The offence is the provider at a height, judged in the round holding the height.
	#[test]
	fn one_height_is_punished_once_whatever_rounds_the_attestations_name() {
		builder().build_and_execute(|| {
			run_to_round(2);
			let n = ROUND_LENGTH + 2;
			assert_ok!(report(proof_in(1, n, 1, 1)));
			assert!(Reported::<Test>::contains_key(1, (1, n)));
			for named in [0, 2, 7] {
				assert_noop!(report(proof_in(1, n, named, 1)), Error::<Test>::AlreadyReported);
			}
			// Naming a wrong round does not hide a new offence either.
			assert_ok!(report(proof_in(1, n + 1, 0, 1)));
			assert!(Reported::<Test>::contains_key(1, (1, n + 1)));
			assert_eq!(Slashes::get().len(), 2);
		});
	}

	/// The attack: drain a sybil's bond with self-reports, then report it at every new height as
	/// free transactions for ever. A report that slashes nothing is refused and pays its fee.
	#[test]
	fn a_report_that_slashes_nothing_is_refused() {
		builder().build_and_execute(|| {
			MockRegistry::register_with(9, false, 0, 0);
			set_key(9);
			run_to_block(ROUND_LENGTH + 5);
			assert_noop!(report(proof(9, ROUND_LENGTH + 2, 9)), Error::<Test>::NothingToSlash);
		});
	}

	#[test]
	fn judges_only_retained_rounds() {
		builder().build_and_execute(|| {
			// Closed rounds 1, 2 and 3 are the last HistoryDepth = 3 ones in round 4.
			run_to_round(4);
			let in_round = |round: u64| round * ROUND_LENGTH + 2;
			assert_ok!(report(proof(1, in_round(1), 1)));
			assert_noop!(report(proof(2, in_round(0), 2)), Error::<Test>::ProofTooOld);
			run_to_round(5);
			assert_noop!(report(proof(3, in_round(1), 3)), Error::<Test>::ProofTooOld);
			assert_ok!(report(proof(3, in_round(2), 3)));
			// The current round is judged too.
			assert_ok!(report(proof(3, in_round(5), 3)));
		});
	}

	#[test]
	fn refuses_heights_after_the_current_round() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let proof = proof(1, 2 * ROUND_LENGTH + 2, 1);
			assert_noop!(report(proof), Error::<Test>::ProofFromFuture);
		});
	}

	/// Makes the test key pair of `signer` the `sync` key of `who` (`session.set_keys`).
	fn replace_key(who: AccountId, signer: AccountId) {
		Keys::mutate(|k| k.insert(who, sync_id(signer)));
	}

	/// Answers `who`'s challenge `challenge`, signed by the test key pair of `signer`, in the
	/// block after it.
	fn answer_signed_by(
		signer: AccountId,
		who: AccountId,
		challenge: BlockNumber,
	) -> DispatchResult {
		run_to_block(challenge + 1);
		let attestation = attestation(who, challenge);
		attest_signed(&attestation, sign_as(signer, &attestation))
	}

	/// Attack: a provider signs two blocks at one height, and replaces its `sync` key
	/// (`session.set_keys`) before anyone reports it, so the proof no longer matches its key.
	/// Every key that signed its accepted attestations stays answerable for the rounds it was in
	/// use while they are retained.
	#[test]
	fn replacing_the_sync_key_does_not_escape_the_slash() {
		builder().build_and_execute(|| {
			run_to_round(1);
			let challenge = challenges(1)[0];
			assert_ok!(answer_signed_by(1, 1, challenge));
			assert_eq!(SigningKeys::<Test>::get(1).into_inner(), vec![(sync_id(1), 1)]);
			// The equivocation, signed with the key of the time; then the key is replaced.
			let evidence = proof(1, challenge, 1);
			replace_key(1, 11);
			run_to_round(2);
			assert_ok!(report(evidence));
			assert_eq!(Slashes::get().len(), 1);
			// The key now counts from the replaced key's first round, though it signed nothing on
			// chain yet.
			assert_ok!(report(proof(1, ROUND_LENGTH + 3, 11)));
			// Once it signs an answer it is recorded after the first; both count for round 2,
			// where one replaced the other.
			assert_ok!(answer_signed_by(11, 1, challenges(1)[0]));
			assert_eq!(
				SigningKeys::<Test>::get(1).into_inner(),
				vec![(sync_id(1), 1), (sync_id(11), 2)]
			);
			assert_ok!(report(proof(1, 2 * ROUND_LENGTH + 1, 11)));
			assert_ok!(report(proof(1, 2 * ROUND_LENGTH + 2, 1)));
			// A key the provider never had is not its key.
			assert_noop!(report(proof(1, 2 * ROUND_LENGTH + 3, 13)), Error::<Test>::BadSignature);
			// With no key now, the recorded ones still count.
			purge_keys(1);
			assert_ok!(report(proof(1, 2 * ROUND_LENGTH + 3, 11)));
		});
	}

	/// Attack on an honest provider: its old `sync` key leaked, it replaced the key, and the thief
	/// signs pairs of blocks with the old key at every later height to have it slashed. The old
	/// key is judged only up to the round in which the new key first signed.
	#[test]
	fn a_replaced_key_cannot_slash_heights_after_its_successor_signed() {
		builder().build_and_execute(|| {
			run_to_round(1);
			assert_ok!(answer_signed_by(1, 1, challenges(1)[0]));
			replace_key(1, 11);
			run_to_round(2);
			assert_ok!(answer_signed_by(11, 1, challenges(1)[0]));
			run_to_round(3);
			let in_round = |round: u64, offset: u64| round * ROUND_LENGTH + offset;
			assert_noop!(report(proof(1, in_round(3, 1), 1)), Error::<Test>::BadSignature);
			// The new key is judged from the old one's first round on.
			assert_noop!(report(proof(1, in_round(0, 5), 11)), Error::<Test>::BadSignature);
			assert_ok!(report(proof(1, in_round(3, 1), 11)));
			assert_ok!(report(proof(1, in_round(1, 2), 1)));
			assert_ok!(report(proof(1, in_round(1, 3), 11)));
		});
	}

	/// A key used again after another (A, B, A) is judged for each stint: the rounds between its
	/// stints belong to the other key alone.
	#[test]
	fn a_key_used_again_is_judged_for_each_of_its_stints() {
		builder().build_and_execute(|| {
			for (round, signer) in [(1, 1), (2, 11), (3, 1)] {
				run_to_round(round);
				replace_key(1, signer);
				assert_ok!(answer_signed_by(signer, 1, challenges(1)[0]));
			}
			assert_eq!(
				SigningKeys::<Test>::get(1).into_inner(),
				vec![(sync_id(1), 1), (sync_id(11), 2), (sync_id(1), 3)]
			);
			run_to_round(4);
			replace_key(1, 12);
			run_to_round(5);
			let in_round = |round: u64| round * ROUND_LENGTH + 1;
			// Key 1: rounds up to 2 (its first stint) and from 2 (its second).
			assert_ok!(report(proof(1, in_round(2), 1)));
			assert_ok!(report(proof(1, in_round(3), 1)));
			// Key 11: from round 1 to round 3.
			assert_ok!(report(proof(1, in_round(3) + 1, 11)));
			assert_noop!(report(proof(1, in_round(4), 11)), Error::<Test>::BadSignature);
			// Key 12, not recorded: from key 1's second first round on.
			assert_ok!(report(proof(1, in_round(4), 12)));
			assert_noop!(report(proof(1, in_round(2) + 1, 12)), Error::<Test>::BadSignature);
		});
	}

	/// Attack on an honest provider: it replaced its key, and its node, whose record of signed
	/// heights is per key, signed a height again with the new key after a reorg. A signature by
	/// each of two of its keys at one height is not one key signing two blocks.
	#[test]
	fn two_keys_of_one_provider_at_one_height_are_no_equivocation() {
		builder().build_and_execute(|| {
			run_to_round(1);
			assert_ok!(answer_signed_by(1, 1, challenges(1)[0]));
			replace_key(1, 11);
			let (first, mut second) = proof(1, ROUND_LENGTH + 2, 1);
			second.1 = sign_as(11, &second.0);
			assert_noop!(report((first, second)), Error::<Test>::BadSignature);
		});
	}

	/// Attack: a provider rotates through many keys, hoping the record of its keys overflows
	/// and forgets the one it equivocated with. A key beyond `MaxSigningKeys` in the retained
	/// rounds is refused (in the pool and in the block) until the oldest key's rounds expire.
	#[test]
	fn a_provider_signs_with_at_most_max_signing_keys_while_they_are_retained() {
		builder().build_and_execute(|| {
			run_to_round(1);
			let blocks = challenges(1);
			assert!(blocks.len() > MAX_SIGNING_KEYS as usize, "enough challenges");
			let signers: Vec<AccountId> = (11..11 + MAX_SIGNING_KEYS as AccountId).collect();
			for (signer, challenge) in signers.iter().zip(&blocks) {
				replace_key(1, *signer);
				assert_ok!(answer_signed_by(*signer, 1, *challenge));
			}
			let extra = 11 + MAX_SIGNING_KEYS as AccountId;
			replace_key(1, extra);
			let next = blocks[MAX_SIGNING_KEYS as usize];
			run_to_block(next + 1);
			let answer = attestation(1, next);
			let index = Error::<Test>::TooManySigningKeys.using_encoded(|bytes| bytes[0]);
			assert_eq!(
				authorize(&answer, sign_as(extra, &answer)),
				Err(InvalidTransaction::Custom(index).into())
			);
			assert_noop!(
				attest_signed(&answer, sign_as(extra, &answer)),
				Error::<Test>::TooManySigningKeys
			);
			// The key recorded last may still sign.
			replace_key(1, signers[signers.len() - 1]);
			assert_ok!(answer_signed_by(signers[signers.len() - 1], 1, next));
			// While round 1 is retained, its keys are kept and the new key is refused.
			run_to_round(1 + HISTORY_DEPTH);
			replace_key(1, extra);
			let answer = attestation(1, challenges(1)[0]);
			run_to_block(answer.challenge_block + 1);
			assert_noop!(
				attest_signed(&answer, sign_as(extra, &answer)),
				Error::<Test>::TooManySigningKeys
			);
			// Once round 1 has expired, no proof of a height its keys signed in it can be judged:
			// the new key replaces all but the newest.
			run_to_round(1 + HISTORY_DEPTH + 1);
			replace_key(1, extra);
			assert_ok!(answer_signed_by(extra, 1, challenges(1)[0]));
			assert_eq!(
				SigningKeys::<Test>::get(1).into_inner(),
				vec![
					(sync_id(signers[signers.len() - 1]), 1),
					(sync_id(extra), 1 + HISTORY_DEPTH + 1)
				]
			);
		});
	}

	#[test]
	fn needs_a_signed_origin() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let (first, second) = proof(1, ROUND_LENGTH + 2, 1);
			assert_noop!(
				SyncAttestation::report_equivocation(RuntimeOrigin::none(), first, second),
				BadOrigin
			);
		});
	}
}

mod offline {
	use super::*;

	fn report(provider: AccountId) -> DispatchResultWithPostInfo {
		SyncAttestation::report_offline(RuntimeOrigin::signed(REPORTER), provider)
	}

	/// Gives `who` `answered` answers and no points in `round`.
	fn give_answers(round: RoundIndex, who: AccountId, answered: u32) {
		ProviderRounds::<Test>::insert(
			round,
			who,
			ProviderRoundStats {
				answered,
				answered_upto: answered,
				recent: (1u64 << answered) - 1,
				..Default::default()
			},
		);
		Rounds::<Test>::mutate(round, |s| {
			s.as_mut().expect("a kept round").attestations += answered
		});
		SyncAttestation::note_points(round, &who, 0);
	}

	#[test]
	fn chills_after_a_whole_window_of_missed_challenges() {
		builder().build_and_execute(|| {
			run_to_round(1);
			// Only round 0 has closed: 5.3 expected challenges, fewer than the window of 8.
			assert_noop!(report(3), Error::<Test>::NotOffline);
			run_to_round(2);
			events();
			let result = report(3).expect("offline over rounds 0 and 1");
			assert_eq!(result.pays_fee, Pays::No);
			// Two rounds read: the weight charged is theirs, not `HistoryDepth`'s.
			assert_eq!(result.actual_weight, Some(<() as crate::WeightInfo>::report_offline(2)));
			assert_eq!(Chilled::get(), vec![3]);
			assert_eq!(
				events(),
				vec![Event::ProviderReportedOffline { provider: 3, reporter: REPORTER }]
			);
			// Chilled: no longer active, so not reported again.
			assert_noop!(report(3), Error::<Test>::NotOffline);
		});
	}

	#[test]
	fn judges_uptime_over_the_expected_challenges_of_the_window() {
		builder().build_and_execute(|| {
			run_to_round(3);
			// Rounds 2 and 1 expect 2 × 16/3 = 10.67 challenges: 6 answers are 56 %, above the
			// 50 % minimum, however they are spread over the rounds.
			give_answers(1, 3, 6);
			assert_noop!(report(3), Error::<Test>::NotOffline);
			// Candidate 2 is challenged at 8/16 a block: round 2 alone expects 8 challenges and
			// makes its window, and 3 answers there are 37 %, whatever it did in round 1.
			give_answers(2, 2, 3);
			give_answers(1, 2, 8);
			assert_ok!(report(2));
		});
	}

	/// The attack the window defends against: at large `N` a provider expects less than one
	/// challenge a round, so an honest provider goes whole rounds unchallenged. Judged round by
	/// round, anyone could have every honest provider chilled.
	#[test]
	fn one_unlucky_round_chills_no_one_at_large_n() {
		builder().build_and_execute(|| {
			for who in 4..=60 {
				MockRegistry::register(who, false);
			}
			// 60 providers: 16/60 = 0.27 expected challenges a round; HistoryDepth = 3 rounds
			// never reach the window of 8, so no one is judged offline.
			for round in 2..=6 {
				run_to_round(round);
				assert_noop!(report(3), Error::<Test>::NotOffline);
			}
		});
	}

	#[test]
	fn refuses_a_provider_not_active_in_the_whole_window() {
		builder().build_and_execute(|| {
			run_to_round(1);
			MockRegistry::register(7, false);
			// Four providers from round 2: 4 expected challenges a round. In round 3, the window
			// is rounds 2 and 1, and 7 was not active in round 1.
			run_to_round(3);
			assert_noop!(report(7), Error::<Test>::NotOffline);
			run_to_round(4);
			assert_ok!(report(7));
			// Unknown accounts are never offline.
			assert_noop!(report(99), Error::<Test>::NotOffline);
		});
	}

	#[test]
	fn needs_a_signed_origin() {
		builder().build_and_execute(|| {
			run_to_round(3);
			assert_noop!(SyncAttestation::report_offline(RuntimeOrigin::root(), 3), BadOrigin);
		});
	}
}
