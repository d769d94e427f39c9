//! Round seeds, challenge placement and the challenge count.

use super::*;
use crate::{Accumulator, Event};
use codec::Encode;
use frame_support::assert_ok;
use proof_of_sync_primitives::{ProviderRegistry, RoundClock};
use sp_core::H256;
use sp_io::hashing::blake2_256;

#[test]
fn genesis_opens_round_zero() {
	builder().build_and_execute(|| {
		let info = round();
		assert_eq!((info.index, info.start, info.providers), (0, 0, 3));
		// 1 attestation per block × 20 blocks / 3 providers.
		assert_eq!((info.challenges_per_provider, info.stride), (6, 2));
		assert_eq!(Rounds::<Test>::get(0).unwrap().params, info);
		assert_eq!(SyncAttestation::current_round(), 0);
	});
}

#[test]
fn round_starts_with_the_seed_of_previous_seed_parent_hash_and_accumulator() {
	builder().build_and_execute(|| {
		let seed_0 = round().seed;
		run_to_round(1);
		let expected = (seed_0, hash_of(ROUND_LENGTH - 1), [0u8; 32]).using_encoded(blake2_256);
		let info = round();
		assert_eq!((info.index, info.start, info.seed), (1, ROUND_LENGTH, expected));
		assert!(events().contains(&Event::RoundStarted {
			round: 1,
			start: ROUND_LENGTH,
			challenges_per_provider: 6
		}));

		let seed_1 = info.seed;
		run_to_round(2);
		assert_ne!(round().seed, seed_1);
		assert_ne!(round().seed, seed_0);
	});
}

#[test]
fn seed_depends_on_the_parent_hash() {
	let seed_with_parent = |parent: H256| {
		let mut seed = [0u8; 32];
		builder().build_and_execute(|| {
			run_to_block(ROUND_LENGTH - 1);
			System::initialize(&ROUND_LENGTH, &parent, &Default::default());
			rotate();
			seed = round().seed;
		});
		seed
	};
	assert_ne!(seed_with_parent(H256::repeat_byte(1)), seed_with_parent(H256::repeat_byte(2)));
}

#[test]
fn seed_depends_on_the_attestations_of_the_previous_round() {
	let seed_after = |answer: bool| {
		let mut seed = [0u8; 32];
		builder().build_and_execute(|| {
			run_to_round(1);
			if answer {
				let challenge = challenges(1)[0];
				run_to_block(challenge + 1);
				let attestation = attestation(1, challenge, challenge);
				let signature = sign_as(1, &attestation);
				assert_ok!(attest_signed(&attestation, signature.clone()));
				// The accumulator chains the accepted signatures.
				assert_eq!(
					Accumulator::<Test>::get(),
					([0u8; 32], &signature).using_encoded(blake2_256)
				);
			}
			run_to_round(2);
			// Reset for the new round.
			assert_eq!(Accumulator::<Test>::get(), [0u8; 32]);
			seed = round().seed;
		});
		seed
	};
	assert_ne!(seed_after(true), seed_after(false));
}

#[test]
fn challenges_are_distinct_and_inside_the_span() {
	builder().build_and_execute(|| {
		for who in 4..=5 {
			MockRegistry::register(who, false);
		}
		// Round 0: 3 providers, C = 6, stride 2; then 5 providers, C = 4, stride 4.
		for r in 0..=4 {
			run_to_round(r);
			let info = round();
			let span = ROUND_LENGTH - u64::from(RESPONSE_WINDOW);
			for who in (1..=5).filter(|who| MockRegistry::is_active_in(who, r)) {
				let blocks = challenges(who);
				assert_eq!(blocks.len() as u32, info.challenges_per_provider);
				assert!(blocks.windows(2).all(|w| w[0] < w[1]), "distinct and ordered");
				assert!(blocks.iter().all(|b| *b >= info.start && *b < info.start + span));
				for block in info.start..info.start + ROUND_LENGTH {
					let expected = blocks.iter().position(|b| *b == block).map(|j| j as u32);
					assert_eq!(SyncAttestation::is_challenge(&who, &info, block), expected);
				}
			}
		}
	});
}

#[test]
fn challenges_differ_between_providers_and_rounds() {
	builder().build_and_execute(|| {
		for who in 4..=10 {
			MockRegistry::register(who, false);
		}
		let mut per_round = vec![];
		for r in 1..=5 {
			run_to_round(r);
			// 10 providers: C = 2, stride 8: phases spread over 8 blocks.
			assert_eq!((round().challenges_per_provider, round().stride), (2, 8));
			let firsts: Vec<_> = (1..=10).map(|who| challenges(who)[0] - round().start).collect();
			assert!(firsts.iter().any(|f| *f != firsts[0]), "providers share one phase");
			per_round.push(firsts);
		}
		assert!(per_round.iter().any(|p| *p != per_round[0]), "rounds share one placement");
	});
}

#[test]
fn challenge_count_adapts_to_the_number_of_providers() {
	builder().build_and_execute(|| {
		// span = 20 - 4 = 16 blocks, MaxChallengesPerRound = 8, 1 attestation per block.
		assert_eq!(SyncAttestation::challenges_for(0), (8, 2));
		assert_eq!(SyncAttestation::challenges_for(1), (8, 2));
		assert_eq!(SyncAttestation::challenges_for(4), (5, 3));
		assert_eq!(SyncAttestation::challenges_for(10), (2, 8));
		assert_eq!(SyncAttestation::challenges_for(20), (1, 16));
		assert_eq!(SyncAttestation::challenges_for(100_000), (1, 16));
		// Never more than the span...
		MaxChallengesPerRound::set(64);
		TargetAttestationsPerBlock::set(100);
		assert_eq!(SyncAttestation::challenges_for(1), (16, 1));
		// ...nor more than MaxChallengesPerRound.
		MaxChallengesPerRound::set(3);
		assert_eq!(SyncAttestation::challenges_for(1), (3, 5));
		// Back to the configuration the running round was started with.
		MaxChallengesPerRound::set(8);
	});
}

#[test]
fn rounds_use_the_active_provider_count() {
	builder().providers(vec![(1, true)]).build_and_execute(|| {
		assert_eq!((round().providers, round().challenges_per_provider), (1, 8));
		for who in 2..=10 {
			MockRegistry::register(who, false);
		}
		run_to_round(1);
		assert_eq!((round().providers, round().challenges_per_provider), (10, 2));
		assert_eq!(challenges(10).len(), 2);
	});
}

#[test]
fn only_active_providers_are_challenged() {
	builder().build_and_execute(|| {
		run_to_round(1);
		// Registered during round 1: challenged from round 2 on.
		MockRegistry::register(7, false);
		assert!(challenges(7).is_empty());
		assert!(challenges(99).is_empty());
		run_to_round(2);
		assert_eq!(challenges(7).len() as u32, round().challenges_per_provider);
	});
}
