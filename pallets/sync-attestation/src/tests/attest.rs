//! `attest`: the shared check through `authorize` and dispatch, and what an answer earns.

use super::*;
use crate::{impls::ATTESTATION_TAG_PREFIX, Error, Event, SyncScore};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, weights::Weight};
use sp_core::H256;
use sp_runtime::{
	traits::{BadOrigin, DispatchTransaction, Dispatchable},
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	Perbill,
};

/// Round 1 running, at the block right after provider 1's first challenge; returns the challenge.
fn at_first_challenge() -> BlockNumber {
	run_to_round(1);
	let challenge = challenges(1)[0];
	run_to_block(challenge + 1);
	challenge
}

/// `authorize` refuses with `invalid` and dispatch with `error`, changing nothing.
#[track_caller]
fn assert_refused(
	attestation: &AttestationOf<Test>,
	signature: SyncSignature,
	error: Error<Test>,
	invalid: InvalidTransaction,
) {
	assert_eq!(
		authorize(attestation, signature.clone()),
		Err(TransactionValidityError::Invalid(invalid))
	);
	assert_noop!(attest_signed(attestation, signature), error);
}

/// Refused with `error` both ways, signed by the provider's own key.
#[track_caller]
fn assert_refused_own(
	attestation: &AttestationOf<Test>,
	error: Error<Test>,
	invalid: InvalidTransaction,
) {
	assert_refused(attestation, sign_as(attestation.provider, attestation), error, invalid);
}

#[test]
fn a_valid_attestation_is_authorized_and_applied() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let attestation = attestation(1, c);
		let signature = sign_as(1, &attestation);

		let (valid, refund) = authorize(&attestation, signature.clone()).expect("valid");
		assert_eq!(valid.provides, vec![(ATTESTATION_TAG_PREFIX, (1u64, 1u32, c)).encode()]);
		assert!(valid.requires.is_empty());
		assert_eq!(valid.priority, AttestationPriority::get());
		// Includable in blocks c + 1 ..= c + ResponseWindow.
		assert_eq!(valid.longevity, u64::from(RESPONSE_WINDOW));
		assert!(valid.propagate);
		assert_eq!(refund, Weight::zero());

		events();
		assert_ok!(attest_signed(&attestation, signature));
		// A candidate: 6 000 capacity points over the 8 challenges it expects, at lag 0.
		let offset = (c - round().start) as u32;
		assert_eq!(
			ProviderRounds::<Test>::get(1, 1),
			Some(ProviderRoundStats {
				answered: 1,
				answered_upto: offset + 1,
				recent: 1,
				lag_sum: 0,
				finalized_lag_sum: 2,
				sync_credit: CREDIT_UNIT / 8,
				capacity_points: 0,
				penalty: Perbill::zero(),
				points: CANDIDATE_POINTS_PER_ANSWER,
				usage_credit: 0,
				usage_debit: 0,
			})
		);
		let summary = Rounds::<Test>::get(1).unwrap();
		assert_eq!((summary.total_points, summary.attestations), (CANDIDATE_POINTS_PER_ANSWER, 1));
		assert_eq!(
			events(),
			vec![Event::Attested {
				provider: 1,
				round: 1,
				challenge_block: c,
				lag: 0,
				points: CANDIDATE_POINTS_PER_ANSWER
			}]
		);
		assert_eq!(
			SyncAttestation::sync_score(&1, 1),
			Some(SyncScore {
				expected_challenges_milli: 8_000,
				answered: 1,
				uptime: Perbill::from_rational(1u32, 8),
				mean_lag: 0,
				sync: Perbill::one(),
				points: CANDIDATE_POINTS_PER_ANSWER,
				share: Perbill::one(),
			})
		);
		assert_eq!(SyncAttestation::leaderboard(1, 0, 10), vec![(1, CANDIDATE_POINTS_PER_ANSWER)]);
	});
}

#[test]
fn longevity_is_what_is_left_of_the_window() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + 3);
		let attestation = attestation(1, c);
		let (valid, _) = authorize(&attestation, sign_as(1, &attestation)).unwrap();
		assert_eq!(valid.longevity, 2);
		run_to_block(c + 4);
		let (valid, _) = authorize(&attestation, sign_as(1, &attestation)).unwrap();
		assert_eq!(valid.longevity, 1);
	});
}

#[test]
fn through_the_authorize_call_extension() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let attestation = attestation(1, c);
		let call: RuntimeCall = crate::Call::<Test>::attest {
			attestation: attestation.clone(),
			signature: sign_as(1, &attestation),
		}
		.into();
		let info = call.get_dispatch_info();
		let extension = frame_system::AuthorizeCall::<Test>::new();
		// A forged one is refused before it reaches the pool.
		let forged: RuntimeCall = crate::Call::<Test>::attest {
			attestation: attestation.clone(),
			signature: sign_as(2, &attestation),
		}
		.into();
		assert_eq!(
			extension
				.validate_only(
					RuntimeOrigin::none(),
					&forged,
					&info,
					0,
					TransactionSource::External,
					0
				)
				.map(|_| ()),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
		);

		let (valid, _, origin) = extension
			.validate_only(RuntimeOrigin::none(), &call, &info, 0, TransactionSource::External, 0)
			.expect("authorized");
		assert_eq!(valid.provides.len(), 1);
		assert_ok!(call.dispatch(origin));
	});
}

#[test]
fn needs_the_authorized_origin() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let attestation = attestation(1, c);
		for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				SyncAttestation::attest(origin, attestation.clone(), sign_as(1, &attestation)),
				BadOrigin
			);
		}
	});
}

/// Attack: a block author leaves a rival's answer out of its block, so it lands one block later
/// at a higher lag and earns less. With `SyncLagGrace` = 1 that block costs nothing; a second
/// does, the same for everyone.
#[test]
fn an_author_that_leaves_an_answer_out_of_one_block_costs_it_nothing() {
	builder().build_and_execute(|| {
		SyncLagGrace::set(1);
		let c = at_first_challenge();
		// In the block after the next one: one block later than it could be.
		run_to_block(c + 2);
		events();
		assert_ok!(attest(&attestation(1, c)));
		assert!(
			matches!(events()[..], [Event::Attested { lag: 0, points, .. }] if points == CANDIDATE_POINTS_PER_ANSWER),
			"an answer one block late earns full points"
		);
		// Two blocks late: one block of lag over the grace, a third of the points lost
		// (`(4 - 1 - 1) / (4 - 1)`).
		let next = challenges(1).into_iter().find(|b| *b > c).expect("a later challenge");
		run_to_block(next + 3);
		events();
		assert_ok!(attest(&attestation(1, next)));
		let expected = Perbill::from_rational(2u32, 3).mul_floor(CANDIDATE_POINTS_PER_ANSWER);
		assert!(
			matches!(events()[..], [Event::Attested { lag: 1, points, .. }] if points == expected),
			"{:?}",
			events()
		);
		// The score's sync factor is the mean lag factor over the same window: (1 + 2/3) / 2.
		let score = SyncAttestation::sync_score(&1, 1).expect("a retained round");
		assert_eq!((score.answered, score.mean_lag), (2, 0));
		assert_eq!(score.sync, Perbill::from_rational(5u32, 6));
	});
}

#[test]
fn lag_is_what_the_chain_sees_and_lowers_the_points() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + 4);
		// Every challenge still open, included in block c + 4: lag = (c + 4 - 1) - challenge.
		let open: Vec<_> = challenges(1).into_iter().filter(|b| *b >= c && *b < c + 4).collect();
		for challenge in &open {
			assert_ok!(attest(&attestation(1, *challenge)));
		}
		let lags_and_points: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::Attested { lag, points, .. } => Some((lag, points)),
				_ => None,
			})
			.collect();
		let expected: Vec<_> = open
			.iter()
			.map(|challenge| {
				let lag = (c + 3 - challenge) as u32;
				(lag, Perbill::from_rational(4 - lag, 4) * CANDIDATE_POINTS_PER_ANSWER)
			})
			.collect();
		// The first at lag 3: a factor of 1/4.
		assert_eq!(expected[0], (3, CANDIDATE_POINTS_PER_ANSWER / 4));
		assert_eq!(lags_and_points, expected);
		let stats = ProviderRounds::<Test>::get(1, 1).unwrap();
		let points: Points = expected.iter().map(|(_, p)| p).sum();
		let lags: u64 = expected.iter().map(|(lag, _)| u64::from(*lag)).sum();
		assert_eq!(
			(stats.points, stats.lag_sum, stats.answered),
			(points, lags, open.len() as u32)
		);
		// The next challenge, answered at once, earns the full points.
		let next = challenges(1).into_iter().find(|b| *b >= c + 4).expect("a later challenge");
		answer_at(1, next);
		assert!(
			matches!(events()[..], [Event::Attested { lag: 0, points, .. }] if points == CANDIDATE_POINTS_PER_ANSWER)
		);
	});
}

/// The attack: a node that was not following the chain answers late and names whatever it can to
/// pass for in sync. The chain measures the lag from the challenge block to the block that
/// includes the answer; nothing the attester signs changes it.
#[test]
fn a_late_answer_cannot_claim_to_be_in_sync() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + 3);
		events();
		let mut late = attestation(1, c);
		late.finalized_number = c;
		assert_ok!(attest(&late));
		assert_eq!(
			events(),
			vec![Event::Attested {
				provider: 1,
				round: 1,
				challenge_block: c,
				lag: 2,
				points: CANDIDATE_POINTS_PER_ANSWER / 2
			}]
		);
	});
}

/// The attack: a provider that knows its challenge blocks in advance only needs to be online at
/// them. Whether a block challenges a provider depends on the randomness its parent block made,
/// which does not exist before the parent is built.
#[test]
fn a_challenge_is_not_known_before_its_parent_block() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let round = round();
		let block = round.start + 5;
		let challenged_after = |salt: u32| {
			let randomness = sp_io::hashing::blake2_256(&salt.encode());
			SyncAttestation::is_challenge_with(&3, &round, block, &randomness, round.challenge_odds)
				.is_some()
		};
		let draws: Vec<bool> = (0..60).map(challenged_after).collect();
		// One block number, 60 possible parents: about a third challenge provider 3.
		let hits = draws.iter().filter(|hit| **hit).count();
		assert!((10..=30).contains(&hits), "{hits} of 60 parents challenge provider 3");
		// Until the parent is built, the chain does not say.
		run_to_block(block - 2);
		assert_eq!(SyncAttestation::is_challenge(&1, &round, block), None);
	});
}

#[test]
fn answering_every_challenge_earns_the_capacity_points_on_average() {
	// Over many rounds a provider that answers every challenge at once earns its capacity
	// points a round on average, whatever the number of providers.
	for providers in [1u64, 3, 12] {
		let genesis: Vec<_> = (1..=providers).map(|who| (who, who <= 2)).collect();
		builder().providers(genesis).build_and_execute(|| {
			let rounds = 30;
			for r in 1..=rounds {
				run_to_round(r);
				for challenge in challenges(1) {
					answer_at(1, challenge);
				}
			}
			let points: Points = (1..=rounds)
				.map(|r| ProviderRounds::<Test>::get(r, 1).map_or(0, |s| s.points))
				.sum();
			let mean = points / Points::from(rounds);
			// Within 25 % of the capacity points (the challenge count is random).
			assert!(
				mean * 4 >= CAPACITY_POINTS * 3 && mean * 4 <= CAPACITY_POINTS * 5,
				"{providers} providers: {mean} points a round on average"
			);
		});
	}
}

#[test]
fn refuses_a_wrong_hash() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let mut attestation = attestation(1, c);
		attestation.block_hash = H256::repeat_byte(7);
		assert_refused_own(&attestation, Error::<Test>::WrongHash, InvalidTransaction::Custom(7));
	});
}

#[test]
fn refuses_an_answer_before_the_challenge_block() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let c = challenges(1)[1];
		run_to_block(c);
		let attestation = attestation(1, c);
		assert_refused_own(&attestation, Error::<Test>::TooEarly, InvalidTransaction::Future);
	});
}

#[test]
fn refuses_an_answer_after_the_window() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + u64::from(RESPONSE_WINDOW) + 1);
		let attestation = attestation(1, c);
		assert_refused_own(&attestation, Error::<Test>::TooLate, InvalidTransaction::Stale);
	});
}

#[test]
fn refuses_another_round() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let mut attestation = attestation(1, c);
		attestation.round = 0;
		assert_refused_own(&attestation, Error::<Test>::WrongRound, InvalidTransaction::Stale);
		attestation.round = 2;
		assert_refused_own(&attestation, Error::<Test>::WrongRound, InvalidTransaction::Future);
	});
}

#[test]
fn refuses_a_signature_by_another_key() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let attestation = attestation(1, c);
		let bad_proof = InvalidTransaction::BadProof;
		assert_refused(
			&attestation,
			sign_as(2, &attestation),
			Error::<Test>::BadSignature,
			bad_proof,
		);
		// Signed over something else.
		let mut other = super::attestation(1, c);
		other.finalized_number -= 1;
		assert_refused(&attestation, sign_as(1, &other), Error::<Test>::BadSignature, bad_proof);
		// The same attestation signed for another chain of this runtime (another genesis hash):
		// a key used on two chains cannot have its answers there paired with its answers here.
		let other_chain = sp_core::H256::repeat_byte(7);
		assert_ne!(other_chain, frame_system::Pallet::<Test>::block_hash(0));
		let signature = sign_for_chain(1, &attestation, other_chain);
		assert_refused(&attestation, signature, Error::<Test>::BadSignature, bad_proof);
		// The provider's own old key after it changed keys.
		Keys::mutate(|k| k.insert(1, sync_id(9)));
		assert_refused(
			&attestation,
			sign_as(1, &attestation),
			Error::<Test>::BadSignature,
			bad_proof,
		);
	});
}

#[test]
fn refuses_a_provider_not_active_in_the_round() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let not_active = InvalidTransaction::Custom(1);
		// Unknown, with a key.
		set_key(99);
		assert_refused_own(&attestation(99, c), Error::<Test>::NotActiveProvider, not_active);
		// Registered during the round: active from the next one.
		MockRegistry::register(7, false);
		set_key(7);
		assert_refused_own(&attestation(7, c), Error::<Test>::NotActiveProvider, not_active);
		// Chilled.
		assert_ok!(<MockRegistry as proof_of_sync_primitives::ProviderRegistry<_, _>>::chill(&1));
		assert_refused_own(&attestation(1, c), Error::<Test>::NotActiveProvider, not_active);
	});
}

#[test]
fn refuses_a_provider_without_a_sync_key() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		Keys::mutate(|k| k.remove(&1));
		let attestation = attestation(1, c);
		assert_refused_own(&attestation, Error::<Test>::NoSyncKey, InvalidTransaction::Custom(2));
	});
}

#[test]
fn refuses_a_block_that_is_not_a_challenge() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let start = round().start;
		let not_challenged = (start..start + 16)
			.find(|b| !challenges(1).contains(b))
			.expect("some block does not challenge provider 1");
		run_to_block(not_challenged + 1);
		let attestation = attestation(1, not_challenged);
		assert_refused_own(
			&attestation,
			Error::<Test>::NotChallenged,
			InvalidTransaction::Custom(4),
		);
	});
}

#[test]
fn refuses_a_finalized_number_above_the_head() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let mut attestation = attestation(1, c);
		attestation.finalized_number = c + 1;
		let invalid = InvalidTransaction::Custom(8);
		assert_refused_own(&attestation, Error::<Test>::FinalizedAhead, invalid);
	});
}

#[test]
fn refuses_a_second_answer_to_one_challenge() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		assert_ok!(attest(&attestation(1, c)));
		run_to_block(c + 2);
		// The same challenge again, with another finalized block.
		let mut attestation = attestation(1, c);
		attestation.finalized_number = c;
		let invalid = InvalidTransaction::Stale;
		assert_refused_own(&attestation, Error::<Test>::AlreadyAnswered, invalid);
	});
}

/// A provider that is not a candidate expects fewer challenges than a candidate, and each of its
/// answers is worth more: either way the expected points of a round are the capacity points.
#[test]
fn an_answer_is_worth_the_capacity_points_over_the_challenges_expected() {
	builder().build_and_execute(|| {
		run_to_round(1);
		answer_at(3, challenges(3)[0]);
		assert_eq!(ProviderRounds::<Test>::get(1, 3).unwrap().points, POINTS_PER_ANSWER);
		let now = System::block_number();
		let c = challenges(1).into_iter().find(|b| *b >= now).expect("a later challenge");
		answer_at(1, c);
		assert_eq!(ProviderRounds::<Test>::get(1, 1).unwrap().points, CANDIDATE_POINTS_PER_ANSWER);
		// 16 × 1/3 and 16 × 1/2 expected challenges.
		assert_eq!(POINTS_PER_ANSWER * 16 / 3, CAPACITY_POINTS);
		assert_eq!(CANDIDATE_POINTS_PER_ANSWER * 8, CAPACITY_POINTS);
	});
}
