//! Expiry of old rounds in `on_idle`, the read helpers and the configuration checks.

use super::*;
use crate::{LastClosedRound, NextToClean, Reported};
use frame_support::{traits::Hooks, weights::Weight};
use proof_of_sync_primitives::{RoundClock, RoundPoints};
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
		assert!(!crate::Leaderboard::<Test>::contains_key(1));
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
		let (two, one) = (2 * CANDIDATE_POINTS_PER_ANSWER, CANDIDATE_POINTS_PER_ANSWER);
		assert_eq!(SyncAttestation::leaderboard(1, 0, 10), vec![(1, two), (2, one)]);
		assert_eq!(SyncAttestation::leaderboard(1, 1, 1), vec![(2, one)]);
		assert_eq!(SyncAttestation::leaderboard(1, 2, 1), vec![]);
		let score = SyncAttestation::sync_score(&1, 1).unwrap();
		assert_eq!((score.answered, score.points), (2, two));
		assert_eq!(score.share, Perbill::from_rational(2u32, 3));
		// Active but silent: a score of nothing.
		let silent = SyncAttestation::sync_score(&3, 1).unwrap();
		assert_eq!(
			(silent.expected_challenges_milli, silent.answered, silent.uptime),
			(5_333, 0, Perbill::zero())
		);
		assert_eq!(SyncAttestation::sync_score(&99, 1), None);
		// The challenges so far: the blocks built up to now.
		let now = System::block_number();
		let so_far: Vec<_> = challenges(1).into_iter().filter(|c| *c <= now).collect();
		assert_eq!(SyncAttestation::challenges_so_far(&1), so_far);

		run_to_round(5);
		assert_eq!(LastClosedRound::<Test>::get(), Some(4));
		assert_eq!(SyncAttestation::sync_score(&1, 1), None);
		assert_eq!(SyncAttestation::leaderboard(1, 0, 10), vec![]);
		assert!(SyncAttestation::round_summary(2).is_some());
	});
}

/// Item 7: cleanup keeps pace with the records attestations create. Every block creates twice
/// `TargetAttestationsPerBlock` new provider records (the most `integrity_test` lets the cleanup
/// budget be outrun by), for twenty rounds; expired rounds never pile up.
#[test]
fn cleanup_keeps_pace_with_production() {
	let mut ext = builder().build();
	ext.commit_all().unwrap();
	let per_block = 2 * TargetAttestationsPerBlock::get();
	let mut next_account = 1_000u64;
	let mut most_kept = 0;
	for _ in 0..20 * ROUND_LENGTH {
		ext.execute_with(|| {
			next_block();
			let round = SyncAttestation::current_round();
			for _ in 0..per_block {
				give_points(round, next_account, 1);
				next_account += 1;
			}
			on_idle();
			let kept: std::collections::BTreeSet<_> =
				ProviderRounds::<Test>::iter_keys().map(|(round, _)| round).collect();
			most_kept = most_kept.max(kept.len());
		});
		ext.commit_all().unwrap();
	}
	ext.execute_with(|| {
		// The current round, `HistoryDepth` closed ones, and at most one being removed.
		assert!(most_kept as u32 <= HISTORY_DEPTH + 2, "{most_kept} rounds kept at once");
		let last = LastClosedRound::<Test>::get().unwrap();
		assert!(NextToClean::<Test>::get() + HISTORY_DEPTH + 1 >= last);
		SyncAttestation::do_try_state().unwrap();
	});
}

#[test]
fn integrity_test_passes() {
	builder().build_and_execute(|| {
		<SyncAttestation as Hooks<BlockNumber>>::integrity_test();
	});
}

#[test]
#[should_panic(expected = "MaxCleanupPerBlock must be at least twice TargetAttestationsPerBlock")]
fn integrity_test_refuses_a_cleanup_slower_than_production() {
	builder().build().execute_with(|| {
		TargetAttestationsPerBlock::set(3);
		<SyncAttestation as Hooks<BlockNumber>>::integrity_test();
	});
}

/// A dispute share at the seat margin would let a consumer that leases from an authority only to
/// dispute it cost it its seat.
#[test]
#[should_panic(expected = "MaxDisputeShare must be below HysteresisMargin")]
fn integrity_test_refuses_disputes_that_could_cost_a_seat() {
	builder().build().execute_with(|| {
		MaxDisputeShare::set(Perbill::from_percent(10));
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
