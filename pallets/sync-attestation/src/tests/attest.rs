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
		let attestation = attestation(1, c, c);
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
		// 6 000 capacity points over C = 6 challenges, at lag 0.
		assert_eq!(
			ProviderRounds::<Test>::get(1, 1),
			Some(ProviderRoundStats {
				assigned: 6,
				answered: 1,
				answered_mask: 1,
				lag_sum: 0,
				finalized_lag_sum: 2,
				points: 1_000,
			})
		);
		let summary = Rounds::<Test>::get(1).unwrap();
		assert_eq!((summary.total_points, summary.attestations), (1_000, 1));
		assert_eq!(
			events(),
			vec![Event::Attested {
				provider: 1,
				round: 1,
				challenge_block: c,
				lag: 0,
				points: 1_000
			}]
		);
		assert_eq!(
			SyncAttestation::sync_score(&1, 1),
			Some(SyncScore {
				assigned: 6,
				answered: 1,
				uptime: Perbill::from_rational(1u32, 6),
				mean_lag: 0,
				sync: Perbill::one(),
				points: 1_000,
				share: Perbill::one(),
			})
		);
	});
}

#[test]
fn longevity_is_what_is_left_of_the_window() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + 3);
		let attestation = attestation(1, c, c + 2);
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
		let attestation = attestation(1, c, c);
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
		let attestation = attestation(1, c, c);
		for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				SyncAttestation::attest(origin, attestation.clone(), sign_as(1, &attestation)),
				BadOrigin
			);
		}
	});
}

#[test]
fn lag_lowers_the_points() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + 4);
		// Included in block c + 4: lag = (c + 4 - 1) - best.
		let second = challenges(1)[1];
		assert_ok!(attest(&attestation(1, c, c)));
		assert_ok!(attest(&attestation(1, second, c + 3)));
		let lags_and_points: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::Attested { lag, points, .. } => Some((lag, points)),
				_ => None,
			})
			.collect();
		// Factor 1/4 at lag 3, 4/4 at lag 0; 6 000 / C = 1 000 points at full factor.
		assert_eq!(lags_and_points, vec![(3, 250), (0, 1_000)]);
		let stats = ProviderRounds::<Test>::get(1, 1).unwrap();
		assert_eq!((stats.points, stats.lag_sum, stats.answered), (1_250, 3, 2));
		let score = SyncAttestation::sync_score(&1, 1).unwrap();
		// Mean lag factor: (4 - 1.5) / 4.
		assert_eq!((score.mean_lag, score.sync), (1, Perbill::from_rational(5u32, 8)));
	});
}

#[test]
fn answering_every_challenge_earns_the_full_capacity_points() {
	builder().build_and_execute(|| {
		run_to_round(1);
		for challenge in challenges(1) {
			answer_at(1, challenge);
		}
		let stats = ProviderRounds::<Test>::get(1, 1).unwrap();
		assert_eq!((stats.answered, stats.answered_mask), (6, 0b11_1111));
		assert_eq!(stats.points, CAPACITY_POINTS);
		assert_eq!(SyncAttestation::sync_score(&1, 1).unwrap().uptime, Perbill::one());
	});
}

#[test]
fn refuses_a_wrong_hash() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let mut attestation = attestation(1, c, c);
		attestation.best_hash = H256::repeat_byte(7);
		assert_refused_own(&attestation, Error::<Test>::WrongHash, InvalidTransaction::Custom(9));
	});
}

#[test]
fn refuses_a_head_older_than_the_challenge() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let attestation = attestation(1, c, c - 1);
		assert_refused_own(&attestation, Error::<Test>::StaleHead, InvalidTransaction::Custom(7));
	});
}

#[test]
fn refuses_a_head_not_built_yet() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let attestation = attestation(1, c, c + 1);
		assert_refused_own(&attestation, Error::<Test>::FutureHead, InvalidTransaction::Future);
	});
}

#[test]
fn refuses_an_answer_before_the_challenge_block() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let c = challenges(1)[1];
		run_to_block(c);
		let attestation = attestation(1, c, c - 1);
		assert_refused_own(&attestation, Error::<Test>::TooEarly, InvalidTransaction::Future);
	});
}

#[test]
fn refuses_an_answer_after_the_window() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + u64::from(RESPONSE_WINDOW) + 1);
		let attestation = attestation(1, c, c + 4);
		assert_refused_own(&attestation, Error::<Test>::TooLate, InvalidTransaction::Stale);
	});
}

#[test]
fn refuses_another_round() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		let mut attestation = attestation(1, c, c);
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
		let attestation = attestation(1, c, c);
		let bad_proof = InvalidTransaction::BadProof;
		assert_refused(
			&attestation,
			sign_as(2, &attestation),
			Error::<Test>::BadSignature,
			bad_proof,
		);
		// Signed over something else.
		let other = super::attestation(1, c, c - 1);
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
		assert_refused_own(&attestation(99, c, c), Error::<Test>::NotActiveProvider, not_active);
		// Registered during the round: active from the next one.
		MockRegistry::register(7, false);
		set_key(7);
		assert_refused_own(&attestation(7, c, c), Error::<Test>::NotActiveProvider, not_active);
		// Chilled.
		assert_ok!(<MockRegistry as proof_of_sync_primitives::ProviderRegistry<_, _>>::chill(&1));
		assert_refused_own(&attestation(1, c, c), Error::<Test>::NotActiveProvider, not_active);
	});
}

#[test]
fn refuses_a_provider_without_a_sync_key() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		Keys::mutate(|k| k.remove(&1));
		let attestation = attestation(1, c, c);
		assert_refused_own(&attestation, Error::<Test>::NoSyncKey, InvalidTransaction::Custom(2));
	});
}

#[test]
fn refuses_a_block_that_is_not_a_challenge() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		run_to_block(c + 2);
		// Stride 2: the block after a challenge is not one.
		let attestation = attestation(1, c + 1, c + 1);
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
		let mut attestation = attestation(1, c, c);
		attestation.finalized_number = c + 1;
		let invalid = InvalidTransaction::Custom(10);
		assert_refused_own(&attestation, Error::<Test>::FinalizedAhead, invalid);
	});
}

#[test]
fn refuses_a_second_answer_to_one_challenge() {
	builder().build_and_execute(|| {
		let c = at_first_challenge();
		assert_ok!(attest(&attestation(1, c, c)));
		run_to_block(c + 2);
		// Another head, same challenge.
		let attestation = attestation(1, c, c + 1);
		let invalid = InvalidTransaction::Stale;
		assert_refused_own(&attestation, Error::<Test>::AlreadyAnswered, invalid);
	});
}
