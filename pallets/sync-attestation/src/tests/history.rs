//! Expiry of old rounds in `on_idle`, the read helpers and the configuration checks.

use super::*;
use crate::{LastClosedRound, NextToClean, Reported};
use frame_support::{traits::Hooks, weights::Weight};
use proof_of_sync_primitives::RoundPoints;
use sp_runtime::Perbill;

#[test]
fn expired_rounds_are_removed_in_on_idle() {
	builder().build_and_execute(|| {
		run_to_round(1);
		answer_at(1, challenges(1)[0]);
		Reported::<Test>::insert(1, (1, 5), ());
		// In round 4, closed rounds 1..=3 are kept; round 0 has expired.
		run_to_round(4);
		assert_eq!(NextToClean::<Test>::get(), 0);
		on_idle();
		assert_eq!(NextToClean::<Test>::get(), 1);
		assert!(Rounds::<Test>::get(0).is_none());
		// Nothing more has expired.
		on_idle();
		assert_eq!(NextToClean::<Test>::get(), 1);
		assert!(ProviderRounds::<Test>::get(1, 1).is_some());

		run_to_round(5);
		on_idle();
		assert_eq!(NextToClean::<Test>::get(), 2);
		assert!(Rounds::<Test>::get(1).is_none());
		assert!(ProviderRounds::<Test>::get(1, 1).is_none());
		assert!(!Reported::<Test>::contains_key(1, (1, 5)));
		assert_eq!(SyncAttestation::points_of(1, &1), 0);
		assert!(Rounds::<Test>::get(2).is_some());
	});
}

#[test]
fn cleanup_is_bounded_per_block() {
	let mut ext = builder().build();
	ext.execute_with(|| {
		run_to_round(1);
		for who in 10..22 {
			give_points(1, who, 1);
		}
		run_to_round(5);
	});
	// Removal counts only keys already in the database, as on a real chain.
	ext.commit_all().unwrap();
	let mut removed_per_block = vec![];
	for _ in 0..4 {
		let used = ext.execute_with(|| {
			let before = ProviderRounds::<Test>::iter_prefix(1).count();
			System::reset_events();
			let n = System::block_number();
			// Round 0 is gone first: it had no records.
			let used = SyncAttestation::on_idle(n, Weight::MAX);
			removed_per_block.push(before - ProviderRounds::<Test>::iter_prefix(1).count());
			used
		});
		ext.commit_all().unwrap();
		assert!(used.all_lte(<() as crate::WeightInfo>::on_idle_cleanup(MaxCleanupPerBlock::get())));
	}
	// Round 0 (empty), then 12 records of round 1, at most 5 a block.
	assert_eq!(removed_per_block, vec![0, 5, 5, 2]);
	ext.execute_with(|| {
		assert_eq!(NextToClean::<Test>::get(), 2);
		assert!(Rounds::<Test>::get(1).is_none());
		SyncAttestation::do_try_state().unwrap();
	});
}

#[test]
fn cleanup_fits_the_remaining_weight() {
	let mut ext = builder().build();
	ext.execute_with(|| {
		run_to_round(1);
		for who in 10..22 {
			give_points(1, who, 1);
		}
		run_to_round(5);
		NextToClean::<Test>::put(1);
		Rounds::<Test>::remove(0);
	});
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		let n = System::block_number();
		// Nothing affordable: nothing done.
		assert_eq!(SyncAttestation::on_idle(n, Weight::zero()), Weight::zero());
		// Room for two keys.
		let budget = <() as crate::WeightInfo>::on_idle_cleanup(2);
		let used = SyncAttestation::on_idle(n, budget);
		assert!(used.all_lte(budget));
		assert_eq!(ProviderRounds::<Test>::iter_prefix(1).count(), 10);
	});
}

#[test]
fn read_helpers() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let mut answers: Vec<_> = challenges(1)
			.into_iter()
			.take(2)
			.map(|c| (c, 1))
			.chain(challenges(2).into_iter().take(1).map(|c| (c, 2)))
			.collect();
		answers.sort();
		for (challenge, who) in answers {
			answer_at(who, challenge);
		}
		assert_eq!(SyncAttestation::round_in_progress(), Some(round()));
		assert_eq!(SyncAttestation::leaderboard(1, 0, 10), vec![(1, 2_000), (2, 1_000)]);
		assert_eq!(SyncAttestation::leaderboard(1, 1, 1), vec![(2, 1_000)]);
		assert_eq!(SyncAttestation::leaderboard(1, 2, 1), vec![]);
		let score = SyncAttestation::sync_score(&1, 1).unwrap();
		assert_eq!((score.answered, score.points), (2, 2_000));
		assert_eq!(score.share, Perbill::from_rational(2u32, 3));
		// Active but silent: a score of nothing.
		let silent = SyncAttestation::sync_score(&3, 1).unwrap();
		assert_eq!((silent.assigned, silent.answered, silent.uptime), (6, 0, Perbill::zero()));
		assert_eq!(SyncAttestation::sync_score(&99, 1), None);

		let round_1_challenges = challenges(1);
		run_to_round(2);
		// Past rounds' challenges are still known while the round is kept.
		assert_eq!(SyncAttestation::challenges_of(&1, 1), round_1_challenges);
		run_to_round(5);
		assert_eq!(LastClosedRound::<Test>::get(), Some(4));
		assert!(SyncAttestation::challenges_of(&1, 1).is_empty());
		assert_eq!(SyncAttestation::sync_score(&1, 1), None);
		assert!(SyncAttestation::round_summary(2).is_some());
	});
}

#[test]
fn integrity_test_passes() {
	builder().build_and_execute(|| {
		<SyncAttestation as Hooks<BlockNumber>>::integrity_test();
	});
}

#[test]
#[should_panic(expected = "MaxChallengesPerRound must be in 1..=64")]
fn integrity_test_refuses_more_than_64_challenges() {
	builder().build().execute_with(|| {
		MaxChallengesPerRound::set(65);
		<SyncAttestation as Hooks<BlockNumber>>::integrity_test();
	});
}

#[test]
#[should_panic(expected = "MinAuthorities must not exceed MaxAuthorities")]
fn integrity_test_refuses_min_above_max_authorities() {
	builder().build().execute_with(|| {
		MinAuthorities::set(4);
		<SyncAttestation as Hooks<BlockNumber>>::integrity_test();
	});
}
