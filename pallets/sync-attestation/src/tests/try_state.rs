//! `do_try_state` catches storage that breaks an invariant: one test an invariant, in which the
//! check holds, a direct write breaks it and is caught, and the write is rolled back so that
//! `build_and_execute`'s own check still passes.

use super::*;
use crate::{LastClosedRound, NextToClean};

/// `do_try_state` holds, fails with `expected` once `corrupt` has run, and holds again after.
fn assert_catches(expected: &'static str, corrupt: impl FnOnce()) {
	proof_of_sync_test_utils::assert_try_state_catches(
		SyncAttestation::do_try_state,
		expected,
		corrupt,
	);
}

#[test]
fn catches_a_removed_round_that_is_kept() {
	builder().build_and_execute(|| {
		assert_catches("a removed round is kept", || NextToClean::<Test>::put(1));
	});
}

#[test]
fn catches_round_totals_that_differ_from_the_providers_records() {
	builder().build_and_execute(|| {
		run_to_round(1);
		answer_at(1, challenges(1)[0]);
		assert_catches("round totals differ from the providers' records", || {
			Rounds::<Test>::mutate(1, |s| s.as_mut().unwrap().total_points += 1);
		});
		assert_catches("round totals differ from the providers' records", || {
			Rounds::<Test>::mutate(1, |s| s.as_mut().unwrap().attestations += 1);
		});
	});
}

#[test]
fn catches_records_of_a_removed_round() {
	builder().build_and_execute(|| {
		run_to_round(4);
		on_idle();
		assert_eq!(NextToClean::<Test>::get(), 1);
		assert_catches("a removed round has records", || {
			ProviderRounds::<Test>::insert(0, 1, ProviderRoundStats::default());
		});
	});
}

#[test]
fn catches_a_provider_record_with_inconsistent_answers() {
	builder().build_and_execute(|| {
		let assigned = round().challenges_per_provider;
		let max_c = MaxChallengesPerRound::get();
		for stats in [
			// An answer in the mask that `answered` does not count.
			ProviderRoundStats { assigned, answered_mask: 0b1, ..Default::default() },
			// More answers than challenges.
			ProviderRoundStats {
				assigned: 1,
				answered: 2,
				answered_mask: 0b11,
				..Default::default()
			},
			// More challenges than a round may have.
			ProviderRoundStats { assigned: max_c + 1, ..Default::default() },
			// An answer to a challenge past the assigned ones.
			ProviderRoundStats {
				assigned: 1,
				answered: 1,
				answered_mask: 0b10,
				..Default::default()
			},
		] {
			assert_catches("a provider record's answers are inconsistent", || {
				// The round's totals count the record's answers, as `attest` would.
				Rounds::<Test>::mutate(0, |s| s.as_mut().unwrap().attestations += stats.answered);
				ProviderRounds::<Test>::insert(0, 1, stats);
			});
		}
	});
}

#[test]
fn catches_more_rounds_kept_than_history_depth() {
	builder().build_and_execute(|| {
		let summary = Rounds::<Test>::get(0).unwrap();
		assert_catches("more rounds kept than HistoryDepth", || {
			// With no round closed yet, every round counts as kept.
			for round in 1..=HISTORY_DEPTH + 1 {
				Rounds::<Test>::insert(round, summary.clone());
			}
		});
	});
}

#[test]
fn catches_an_expired_round_that_is_not_queued() {
	builder().build_and_execute(|| {
		let summary = Rounds::<Test>::get(0).unwrap();
		// Below the end of the round index range every expired round at or after `NextToClean`
		// is queued; at the end, `round + HistoryDepth` saturates and rounds after the last
		// queued one count as expired too.
		assert_catches("an expired round is not queued", || {
			Rounds::<Test>::remove(0);
			LastClosedRound::<Test>::put(RoundIndex::MAX);
			NextToClean::<Test>::put(RoundIndex::MAX - HISTORY_DEPTH + 1);
			Rounds::<Test>::insert(RoundIndex::MAX - 1, summary);
		});
	});
}

#[test]
fn catches_a_current_round_with_too_few_or_too_many_challenges() {
	builder().build_and_execute(|| {
		for challenges in [0, MaxChallengesPerRound::get() + 1] {
			assert_catches("the current round's C is out of bounds", || {
				CurrentRound::<Test>::mutate(|r| {
					r.as_mut().unwrap().challenges_per_provider = challenges
				});
			});
		}
	});
}

#[test]
fn catches_a_current_round_whose_challenges_overflow_its_span() {
	builder().build_and_execute(|| {
		assert_catches("the current round's challenges overflow its span", || {
			CurrentRound::<Test>::mutate(|r| r.as_mut().unwrap().stride = u32::MAX);
		});
		assert_catches("the current round's challenges overflow its span", || {
			CurrentRound::<Test>::mutate(|r| r.as_mut().unwrap().stride = 0);
		});
	});
}

#[test]
fn catches_a_current_round_without_a_record() {
	builder().build_and_execute(|| {
		assert_catches("the current round has no record", || Rounds::<Test>::remove(0));
	});
}
