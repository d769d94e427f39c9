//! Round seeds, challenge placement and the challenge count.

use super::*;
use crate::Event;
use codec::Encode;
use frame_support::assert_noop;
use proof_of_sync_primitives::{ProviderRegistry, RoundClock};
use sp_io::hashing::blake2_256;
use sp_runtime::Perbill;

#[test]
fn genesis_opens_round_zero() {
	builder().build_and_execute(|| {
		let info = round();
		assert_eq!((info.index, info.start, info.providers), (0, 0, 3));
		// 1 attestation per block / 3 providers, over the 16-block span.
		assert_eq!(
			(info.challenge_odds, info.challenge_span),
			(Perbill::from_rational(1u32, 3), 16)
		);
		assert_eq!(Rounds::<Test>::get(0).unwrap().params, info);
		assert_eq!(SyncAttestation::current_round(), 0);
	});
}

#[test]
fn a_round_starts_from_the_randomness_of_its_first_blocks_parent() {
	builder().build_and_execute(|| {
		assert_eq!(round().seed, SyncAttestation::genesis_randomness());
		run_to_round(1);
		let info = round();
		let expected = SyncAttestation::randomness_after(ROUND_LENGTH - 1).unwrap();
		assert_eq!((info.index, info.start, info.seed), (1, ROUND_LENGTH, expected));
		assert!(events().contains(&Event::RoundStarted {
			round: 1,
			start: ROUND_LENGTH,
			challenge_odds: Perbill::from_rational(1u32, 3)
		}));
		run_to_round(2);
		assert_ne!(round().seed, info.seed);
	});
}

#[test]
fn challenges_are_inside_the_span_and_decided_by_the_parent_hash() {
	builder().build_and_execute(|| {
		for who in 4..=5 {
			MockRegistry::register(who, false);
		}
		for r in 0..=4 {
			run_to_round(r);
			let info = round();
			let span = ROUND_LENGTH - u64::from(RESPONSE_WINDOW);
			for who in (1..=5).filter(|who| MockRegistry::is_active_in(who, r)) {
				let blocks = challenges(who);
				assert!(blocks.iter().all(|b| *b >= info.start && *b < info.start + span));
				// As the chain checks them once built.
				run_to_block(info.start + ROUND_LENGTH - 1);
				for block in info.start..info.start + ROUND_LENGTH {
					let expected = blocks.contains(&block).then(|| (block - info.start) as u32);
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
			let all: Vec<_> = (1..=10).map(challenges).collect();
			assert!(all.iter().any(|c| *c != all[0]), "providers share their challenges");
			per_round.push(all);
		}
		assert!(per_round.iter().any(|p| *p != per_round[0]), "rounds share one placement");
	});
}

#[test]
fn challenge_odds_adapt_to_the_number_of_providers() {
	builder().build_and_execute(|| {
		// span = 20 - 4 = 16 blocks, MaxChallengesPerRound = 8, 1 attestation per block.
		let odds = SyncAttestation::challenge_odds;
		assert_eq!(odds(0), Perbill::from_percent(50));
		assert_eq!(odds(1), Perbill::from_percent(50));
		assert_eq!(odds(4), Perbill::from_percent(25));
		assert_eq!(odds(10), Perbill::from_percent(10));
		assert_eq!(odds(100_000), Perbill::from_parts(10_000));
		// Never zero.
		assert_eq!(odds(u32::MAX), Perbill::from_parts(1));
		// Never above 1...
		MaxChallengesPerRound::set(64);
		TargetAttestationsPerBlock::set(100);
		assert_eq!(odds(1), Perbill::one());
		// ...nor above MaxChallengesPerRound / span.
		MaxChallengesPerRound::set(4);
		assert_eq!(odds(1), Perbill::from_percent(25));
		// Back to the configuration the running round was started with.
		MaxChallengesPerRound::set(8);
		TargetAttestationsPerBlock::set(1);
	});
}

/// Item 7's load bound: about `TargetAttestationsPerBlock` providers are challenged per block at
/// any `N` up to the registry's limit, so attestations never outgrow a block.
#[test]
fn challenges_per_block_stay_near_the_target_at_any_n() {
	builder().build_and_execute(|| {
		for (providers, target) in [(3u32, 1u32), (1_000, 1), (100_000, 1), (100_000, 20)] {
			TargetAttestationsPerBlock::set(target);
			let round = RoundParamsOf::<Test> {
				index: 1,
				start: 0,
				seed: [7; 32],
				challenge_odds: SyncAttestation::challenge_odds(providers),
				challenge_span: 16,
				providers,
				slots: providers,
			};
			// Draws over many (parent hash, provider) pairs: enough for about 200 expected
			// challenges, at most 4 million. `N × q` is the expected challenges per block.
			let odds = f64::from(round.challenge_odds.deconstruct()) / 1e9;
			let trials = (200.0 / odds).min(4e6) as u64;
			let sample = u64::from(providers).min(10_000);
			let mut hits = 0u64;
			for draw in 0..trials {
				let block = draw / sample;
				let randomness = blake2_256(&(b"parent", block).encode());
				let who = draw % sample;
				hits += SyncAttestation::is_challenge_with(
					&who,
					&round,
					1,
					&randomness,
					round.challenge_odds,
				)
				.is_some() as u64;
			}
			let per_block = hits as f64 / trials as f64 * f64::from(providers);
			let target = f64::from(target).min(f64::from(providers) * 0.5);
			assert!(
				per_block > target * 0.6 && per_block < target * 1.4,
				"{providers} providers: {per_block} challenges a block, target {target}"
			);
			// Exactly, in expectation.
			let expected =
				f64::from(round.challenge_odds.deconstruct()) / 1e9 * f64::from(providers);
			assert!((expected - target).abs() / target < 0.01, "{providers}: {expected}");
		}
		TargetAttestationsPerBlock::set(1);
	});
}

#[test]
fn rounds_use_the_active_provider_count() {
	builder().providers(vec![(1, true)]).build_and_execute(|| {
		assert_eq!((round().providers, round().challenge_odds), (1, Perbill::from_percent(50)));
		for who in 2..=10 {
			MockRegistry::register(who, false);
		}
		run_to_round(1);
		assert_eq!((round().providers, round().challenge_odds), (10, Perbill::from_percent(10)));
	});
}

#[test]
fn only_active_providers_are_challenged() {
	builder().build_and_execute(|| {
		run_to_round(1);
		// Registered during round 1: challenged from round 2 on.
		MockRegistry::register(7, false);
		set_key(7);
		let c = *challenge_blocks(7)
			.first()
			.expect("a block would challenge 7 if it were active");
		run_to_block(c + 1);
		assert!(SyncAttestation::challenges_so_far(&7).is_empty());
		assert_noop!(attest(&attestation(7, c)), crate::Error::<Test>::NotActiveProvider);
		assert!(SyncAttestation::challenges_so_far(&99).is_empty());
		run_to_round(2);
		run_to_block(round().start + 15);
		assert_eq!(SyncAttestation::challenges_so_far(&7), challenges(7));
	});
}

/// The attack sampling opened on the authority set: at large `N` a candidate may draw no
/// challenge in a round, score nothing and lose its seat (or its place on the list) by bad luck.
/// Candidates are challenged at the fixed rate `MaxChallengesPerRound / span` whatever `N` is,
/// and an answer is worth their capacity points over that rate, as anyone else's is over theirs.
#[test]
fn candidates_are_challenged_at_a_fixed_rate_at_any_n() {
	builder().build_and_execute(|| {
		for who in 4..=200 {
			MockRegistry::register(who, false);
		}
		for r in 1..=5 {
			run_to_round(r);
			assert_eq!(round().providers, 200);
			assert_eq!(SyncAttestation::odds_of(&1, &round()), Perbill::from_percent(50));
			assert_eq!(SyncAttestation::odds_of(&3, &round()), Perbill::from_rational(1u32, 200));
			assert!(!challenges(1).is_empty() && !challenges(2).is_empty(), "round {r}");
		}
	});
}
