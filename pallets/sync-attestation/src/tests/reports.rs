//! `report_equivocation` and `report_offline`.

use super::*;
use crate::{Error, Event, Reported};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResultWithPostInfo, Pays},
};
use sp_core::H256;
use sp_runtime::{traits::BadOrigin, Perbill};

mod equivocation {
	use super::*;

	type Signed = Box<(AttestationOf<Test>, SyncSignature)>;

	/// Two attestations by `who` of block `number` in `round` with different hashes, each signed
	/// by `signer`.
	fn proof_in(
		who: AccountId,
		number: BlockNumber,
		round: RoundIndex,
		signer: AccountId,
	) -> (Signed, Signed) {
		let mut first = attestation(who, number, number);
		first.round = round;
		let mut second = first.clone();
		second.best_hash = H256::repeat_byte(0xee);
		let first_signature = sign_as(signer, &first);
		let second_signature = sign_as(signer, &second);
		(Box::new((first, first_signature)), Box::new((second, second_signature)))
	}

	/// The same in the current round.
	fn proof(who: AccountId, number: BlockNumber, signer: AccountId) -> (Signed, Signed) {
		proof_in(who, number, round().index, signer)
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
					best_number: ROUND_LENGTH + 2,
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
			second.0.best_number = n + 1;
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
			third.0.best_hash = H256::repeat_byte(0x33);
			third.1 = sign_as(1, &third.0);
			assert_noop!(report((first, third)), Error::<Test>::AlreadyReported);
			// Another height is another offence.
			assert_ok!(report(proof(1, n + 1, 1)));
			assert_eq!(Slashes::get().len(), 2);
		});
	}

	#[test]
	fn judges_only_retained_rounds() {
		builder().build_and_execute(|| {
			// Closed rounds 1, 2 and 3 are the last HistoryDepth = 3 ones in round 4.
			run_to_round(4);
			let n = ROUND_LENGTH + 2;
			assert_ok!(report(proof_in(1, n, 1, 1)));
			assert_noop!(report(proof_in(2, n, 0, 2)), Error::<Test>::ProofTooOld);
			run_to_round(5);
			assert_noop!(report(proof_in(3, n, 1, 3)), Error::<Test>::ProofTooOld);
			assert_ok!(report(proof_in(3, n, 2, 3)));
		});
	}

	#[test]
	fn refuses_rounds_not_started() {
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH + 5);
			let proof = proof_in(1, ROUND_LENGTH + 2, 2, 1);
			assert_noop!(report(proof), Error::<Test>::ProofFromFuture);
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

	#[test]
	fn chills_after_enough_offline_rounds() {
		builder().build_and_execute(|| {
			run_to_round(1);
			// Only round 0 has closed: one offline round is not enough.
			assert_noop!(report(3), Error::<Test>::NotOffline);
			run_to_round(OFFLINE_ROUNDS);
			events();
			assert_eq!(report(3).map(|info| info.pays_fee), Ok(Pays::No));
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
	fn refuses_a_provider_that_reached_the_minimum_uptime_in_one_of_the_rounds() {
		builder().build_and_execute(|| {
			run_to_round(1);
			// 3 of 6 challenges: exactly MinUptime = 50 %, which is not offline.
			for challenge in challenges(3).into_iter().take(3) {
				answer_at(3, challenge);
			}
			run_to_round(2);
			assert_noop!(report(3), Error::<Test>::NotOffline);
			run_to_round(3);
			// Round 1 is still one of the last two.
			assert_noop!(report(3), Error::<Test>::NotOffline);
			run_to_round(4);
			assert_ok!(report(3));
		});
	}

	#[test]
	fn chills_below_the_minimum_uptime() {
		builder().build_and_execute(|| {
			run_to_round(1);
			// 2 of 6 challenges: below 50 %.
			for challenge in challenges(3).into_iter().take(2) {
				answer_at(3, challenge);
			}
			run_to_round(3);
			assert_ok!(report(3));
		});
	}

	#[test]
	fn refuses_a_provider_not_active_in_one_of_the_rounds() {
		builder().build_and_execute(|| {
			run_to_round(1);
			MockRegistry::register(7, false);
			// Active from round 2: rounds 1 and 2 have closed in round 3, but it missed round 1.
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
