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
		let span = round().challenge_span;
		let record = |answered, answered_upto, recent| ProviderRoundStats {
			answered,
			answered_upto,
			recent,
			..Default::default()
		};
		for stats in [
			// An answer remembered that `answered` does not count.
			record(0, 1, 0b1),
			// More answers remembered than counted.
			record(1, 2, 0b11),
			// An answer past the round's challenge span.
			record(1, span + 1, 0b1),
			// An answer before the round's first block.
			record(2, 1, 0b11),
			// The latest answer not remembered.
			record(1, 3, 0b10),
			// Answers counted, none remembered.
			record(1, 0, 0),
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
fn catches_a_leaderboard_that_is_not_the_best_providers() {
	builder().build_and_execute(|| {
		run_to_round(1);
		answer_at(1, challenges(1)[0]);
		let message = "a round's leaderboard is not its best providers";
		assert_catches(message, || crate::Leaderboard::<Test>::remove(1));
		assert_catches(message, || {
			crate::Leaderboard::<Test>::mutate(1, |board| board[0].1 += 1);
		});
		assert_catches(message, || {
			crate::Leaderboard::<Test>::mutate(1, |board| board.try_push((9, 0)).unwrap());
		});
	});
}

#[test]
fn catches_candidates_of_a_removed_round() {
	builder().build_and_execute(|| {
		run_to_round(4);
		on_idle();
		assert_eq!(NextToClean::<Test>::get(), 1);
		assert_catches("a removed round has candidates", || {
			crate::RoundCandidates::<Test>::insert(0, 1, 0);
		});
	});
}

#[test]
fn catches_a_leaderboard_of_a_removed_round() {
	builder().build_and_execute(|| {
		run_to_round(4);
		on_idle();
		assert_eq!(NextToClean::<Test>::get(), 1);
		assert_catches("a removed round has a leaderboard", || {
			crate::Leaderboard::<Test>::insert(0, frame_support::BoundedVec::new());
			crate::Leaderboard::<Test>::mutate(0, |board| board.try_push((1, 1)).unwrap());
		});
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
			let _ = crate::RoundCandidates::<Test>::clear_prefix(0, u32::MAX, None);
			LastClosedRound::<Test>::put(RoundIndex::MAX);
			NextToClean::<Test>::put(RoundIndex::MAX - HISTORY_DEPTH + 1);
			Rounds::<Test>::insert(RoundIndex::MAX - 1, summary);
		});
	});
}

#[test]
fn catches_a_current_round_with_no_odds_or_a_span_out_of_bounds() {
	builder().build_and_execute(|| {
		let message = "the current round's odds or span are out of bounds";
		assert_catches(message, || {
			CurrentRound::<Test>::mutate(|r| {
				r.as_mut().unwrap().challenge_odds = Default::default()
			});
		});
		for span in [0, ROUND_LENGTH as u32 + 1] {
			assert_catches(message, || {
				CurrentRound::<Test>::mutate(|r| r.as_mut().unwrap().challenge_span = span);
			});
		}
	});
}

#[test]
fn catches_a_current_round_without_a_record() {
	builder().build_and_execute(|| {
		assert_catches("the current round has no record", || Rounds::<Test>::remove(0));
	});
}

#[test]
fn catches_a_record_of_signing_keys_out_of_order() {
	builder().build_and_execute(|| {
		run_to_round(1);
		assert_catches("a record of signing keys is out of order", || {
			let keys = vec![(sync_id(2), 1), (sync_id(1), 0)];
			crate::SigningKeys::<Test>::insert(
				1,
				crate::SigningKeysOf::<Test>::truncate_from(keys),
			);
		});
	});
}

#[test]
fn catches_quality_reports_out_of_step() {
	use crate::{Measurement, Penalties, QualityReports};
	use proof_of_sync_primitives::Capacity;
	use sp_core::Pair;
	builder()
		.providers((1..=5).map(|who| (who, false)).collect())
		.build_and_execute(|| {
			run_to_round(1);
			let round = round();
			let target = 1;
			let v = SyncAttestation::verifiers_of(&target, &round);
			let measured = Capacity { compute: 1, storage: 1, bandwidth: 1 };
			let found = Measurement { reachable: true, latency_ms: 0, measured };
			for verifier in &v {
				let report = crate::QualityReport {
					round: 1,
					verifier: *verifier,
					target,
					measurement: found,
				};
				let signature = pair(*verifier)
					.sign(&report.signing_payload(&SyncAttestation::genesis_hash()))
					.into();
				frame_support::assert_ok!(SyncAttestation::report_quality(
					authorized(),
					report,
					signature
				));
			}
			assert_catches("a target's quality reports are not from its verifiers", || {
				QualityReports::<Test>::mutate(1, target, |r| {
					let first = r.reports[0];
					r.reports[1] = first;
				});
			});
			assert_catches("a target's quality reports are not from its verifiers", || {
				QualityReports::<Test>::mutate(1, target, |r| r.reports[0].0 = target);
			});
			assert_catches("a target's medians differ from its quality reports", || {
				QualityReports::<Test>::mutate(1, target, |r| r.measured.storage += 1);
			});
			assert_catches("a target's capacity points are below its medians'", || {
				ProviderRounds::<Test>::mutate(1, target, |s| {
					let s = s.as_mut().unwrap();
					s.capacity_points = 0;
				});
			});
			run_to_round(5);
			for _ in 0..5 {
				on_idle();
			}
			assert!(NextToClean::<Test>::get() >= 2);
			assert_catches("a removed round has quality reports", || {
				QualityReports::<Test>::insert(1, target, QualityReports::<Test>::get(4, 9));
				QualityReports::<Test>::mutate(1, target, |r| {
					r.slots = 1;
					r.reports.try_push((2, Measurement::default())).unwrap();
				});
			});
			assert_catches("a removed round has penalties", || Penalties::<Test>::insert(1, 2, 1));
			assert_catches("a removed round has disputed usage", || {
				crate::DisputedUsage::<Test>::insert(1, 2, 1_000)
			});
		});
}

#[test]
fn catches_an_open_audit_out_of_bounds_or_not_listed_under_its_deadline() {
	use crate::{AuditDeadlines, AuditedIn, Audits};
	use frame_support::BoundedVec;
	builder()
		.providers((1..=5).map(|who| (who, false)).collect())
		.build_and_execute(|| {
			run_to_round(1);
			let opened = System::block_number();
			let audit = proof_of_sync_primitives::StorageAudit {
				verifier: 2,
				round: 1,
				nonce: [0; 32],
				dataset: genesis_dataset(1),
				samples: 1,
				opened,
				deadline: opened + BlockNumber::from(AUDIT_WINDOW),
				counts: false,
			};
			Audits::<Test>::insert(1, 2, audit.clone());
			AuditedIn::<Test>::insert(1, (1, BoundedVec::truncate_from(vec![2])));
			AuditDeadlines::<Test>::mutate(audit.deadline, |due| due.try_push((1, 2)).unwrap());
			assert_catches("an open storage audit is not listed under its deadline", || {
				AuditDeadlines::<Test>::remove(audit.deadline);
			});
			assert_catches("an open storage audit is out of bounds", || {
				Audits::<Test>::mutate(1, 2, |a| a.as_mut().unwrap().samples = 99);
			});
			assert_catches("an open storage audit is out of bounds", || {
				Audits::<Test>::mutate(1, 2, |a| a.as_mut().unwrap().deadline += 1);
			});
			assert_catches("an open storage audit is out of bounds", || {
				AuditedIn::<Test>::remove(1)
			});
			assert_catches("an open storage audit is out of bounds", || {
				AuditedIn::<Test>::insert(1, (1, BoundedVec::truncate_from(vec![3])));
			});
			// A later round's audits by others leave it on record.
			AuditedIn::<Test>::insert(1, (2, BoundedVec::truncate_from(vec![3])));
			// Settled once due: the provider was not up, so it loses only its dataset.
			run_to_block(audit.deadline + 1);
			assert!(Audits::<Test>::get(1, 2).is_none());
		});
}

/// `MaxMissedAudits` counted misses slash and empty the record. (The mock's two misses make any
/// two-round record full, so order and spacing are checked only under a larger bound.)
#[test]
fn catches_missed_audits_at_the_slash_count() {
	use crate::MissedAudits;
	use frame_support::BoundedVec;
	builder().build_and_execute(|| {
		MissedAudits::<Test>::insert(1, BoundedVec::truncate_from(vec![1]));
		assert_catches(
			"missed audits are full, out of order or in rounds next to each other",
			|| {
				MissedAudits::<Test>::insert(1, BoundedVec::truncate_from(vec![1, 3]));
			},
		);
	});
}
