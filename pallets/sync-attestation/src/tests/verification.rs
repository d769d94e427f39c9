//! Verified contribution: the verifier ring, quality reports, medians, outliers and what
//! capacity counts for.

use super::*;
use crate::{
	types::DatasetRecord,
	verification::{lower_median, SlotPermutation},
	DatasetCommit, DatasetCommitOf, Datasets, Error, Event, Measurement, OutlierStrikes, Penalties,
	QualityReport, QualityReportOf, QualityReports,
};
use frame_support::{assert_noop, assert_ok};
use proof_of_sync_primitives::{Capacity, DatasetCommitment, ProbeConfig};
use sp_core::{Pair, H256};
use sp_runtime::{transaction_validity::InvalidTransaction, Perbill};

/// Eight providers, 1 and 2 validator candidates, each with its `sync` key; the chain in round 1.
fn eight() -> ExtBuilder {
	builder().providers((1..=8).map(|who| (who, who <= 2)).collect())
}

fn in_round_one(test: impl FnOnce()) {
	eight().build_and_execute(|| {
		run_to_round(1);
		test()
	});
}

/// A reachable target, answering at once, at which `measured` was measured.
fn found(measured: Capacity) -> Measurement {
	Measurement { reachable: true, latency_ms: 0, measured }
}

/// The capacity every mock provider declares.
fn declared() -> Capacity {
	capacity()
}

fn report(
	verifier: AccountId,
	target: AccountId,
	measurement: Measurement,
) -> QualityReportOf<Test> {
	QualityReport { round: round().index, verifier, target, measurement }
}

fn sign_report(signer: AccountId, report: &QualityReportOf<Test>) -> SyncSignature {
	pair(signer)
		.sign(&report.signing_payload(&SyncAttestation::genesis_hash()))
		.into()
}

fn submit_signed(report: &QualityReportOf<Test>, signature: SyncSignature) -> DispatchResult {
	SyncAttestation::report_quality(authorized(), report.clone(), signature)
}

/// Submits `report` signed by its verifier.
fn submit(report: &QualityReportOf<Test>) -> DispatchResult {
	submit_signed(report, sign_report(report.verifier, report))
}

fn verifiers(target: AccountId) -> Vec<AccountId> {
	SyncAttestation::verifiers_of(&target, &round()).into_inner()
}

fn targets(verifier: AccountId) -> Vec<AccountId> {
	SyncAttestation::targets_of(&verifier, &round()).into_inner()
}

/// A target of round 1 with three verifiers.
fn target_with_three() -> (AccountId, Vec<AccountId>) {
	(1..=8)
		.map(|t| (t, verifiers(t)))
		.find(|(_, v)| v.len() == 3)
		.expect("with eight active providers every target has three verifiers")
}

/// Gives `who` a round's worth of sync credit in the round in progress.
fn sync_fully(who: AccountId) {
	SyncAttestation::update_stats(round().index, &who, |s| s.sync_credit += CREDIT_UNIT);
}

fn stats(who: AccountId) -> ProviderRoundStats {
	ProviderRounds::<Test>::get(round().index, who).unwrap_or_default()
}

/// `Σ_kind min(declared, measured) × CapacityWeights × quality` for the mock's weights.
fn capacity_points(measured: Capacity, quality: Perbill) -> Points {
	let counted = |d: u64, m: u64| Points::from(d.min(m));
	let d = declared();
	quality.mul_floor(
		counted(d.compute, measured.compute) +
			10 * counted(d.storage, measured.storage) +
			counted(d.bandwidth, measured.bandwidth),
	)
}

#[test]
fn the_ring_is_a_permutation_with_an_inverse() {
	for slots in (0..=70).chain([1_000, 4_097]) {
		for seed in [[0u8; 32], [7; 32], [255; 32]] {
			let ring = SlotPermutation::new(seed, slots);
			let mut seen = vec![false; slots as usize];
			for position in 0..slots {
				let slot = ring.slot_at(position).expect("the walk comes back into range");
				assert!(slot < slots);
				assert!(!seen[slot as usize], "slot {slot} at two positions ({slots} slots)");
				seen[slot as usize] = true;
				assert_eq!(ring.position_of(slot), Some(position));
			}
			assert_eq!(ring.slot_at(slots), None);
			assert_eq!(ring.position_of(slots), None);
		}
	}
	// Another seed, another ring.
	let (a, b) = (SlotPermutation::new([1; 32], 1_000), SlotPermutation::new([2; 32], 1_000));
	assert!((0..1_000).filter(|p| a.slot_at(*p) != b.slot_at(*p)).count() > 900);
}

#[test]
fn lower_median_counts_missing_reports_as_zero() {
	assert_eq!(lower_median::<u64>(vec![], 0), 0);
	assert_eq!(lower_median(vec![5u64], 1), 5);
	assert_eq!(lower_median(vec![5u64], 3), 0);
	assert_eq!(lower_median(vec![5u64, 9], 3), 5);
	assert_eq!(lower_median(vec![9u64, 5, 7], 3), 7);
	assert_eq!(lower_median(vec![9u64, 5], 2), 5);
	// One of three cannot raise it, nor lower it.
	assert_eq!(lower_median(vec![100u64, u64::MAX, 100], 3), 100);
	assert_eq!(lower_median(vec![100u64, 0, 100], 3), 100);
	// More reports than slots: the reports count.
	assert_eq!(lower_median(vec![3u64, 4, 5], 1), 4);
}

#[test]
fn every_target_has_three_verifiers_never_itself_and_the_two_views_agree() {
	in_round_one(|| {
		assert_eq!(round().slots, 8);
		for target in 1..=8 {
			let v = verifiers(target);
			assert_eq!(v.len(), 3, "target {target}");
			assert!(!v.contains(&target));
			for verifier in 1..=8 {
				assert_eq!(
					v.contains(&verifier),
					targets(verifier).contains(&target),
					"verifier {verifier}, target {target}"
				);
			}
		}
		// Each verifier has three targets too: the ring is a ring.
		assert!((1..=8).all(|verifier| targets(verifier).len() == 3));
		// The next round's seed draws another ring.
		let first: Vec<_> = (1..=8).map(verifiers).collect();
		run_to_round(2);
		assert_ne!((1..=8).map(verifiers).collect::<Vec<_>>(), first);
	});
}

#[test]
fn a_small_network_verifies_everyone_with_everyone_else() {
	builder()
		.providers(vec![(1, true), (2, true), (3, false)])
		.build_and_execute(|| {
			run_to_round(1);
			for target in 1..=3 {
				let mut v = verifiers(target);
				v.sort();
				assert_eq!(v, (1..=3).filter(|w| *w != target).collect::<Vec<_>>());
			}
		});
	// Alone, nobody verifies: the dev chain earns base points.
	builder().providers(vec![(1, true)]).build_and_execute(|| {
		run_to_round(1);
		assert!(verifiers(1).is_empty() && targets(1).is_empty());
	});
}

#[test]
fn only_providers_seated_in_the_round_verify_or_are_verified() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		let chilled = v[0];
		assert_ok!(MockRegistry::chill(&chilled));
		// Chilled during the round, it keeps its seat until the round ends.
		assert_eq!(verifiers(target), v);
		assert!(targets(chilled).contains(&target));
		// From the next round, the walk skips it and takes the next seated provider on the
		// ring.
		run_to_round(2);
		assert!(targets(chilled).is_empty() && verifiers(chilled).is_empty());
		assert!((1..=8).all(|t| !verifiers(t).contains(&chilled)));
		assert!((1..=8).filter(|t| *t != chilled).all(|t| verifiers(t).len() == 3));

		// A provider registered during the round has a slot outside the round's ring.
		MockRegistry::register(9, false);
		assert!(verifiers(9).is_empty() && targets(9).is_empty());
		assert!((1..=8).all(|t| !verifiers(t).contains(&9)));
		run_to_round(3);
		assert_eq!(round().slots, 9);
		assert!(!verifiers(9).is_empty());
	});
}

#[test]
fn a_verifier_that_stops_mid_round_moves_no_other_seat() {
	in_round_one(|| {
		let before: Vec<_> = (1..=8).map(|p| (verifiers(p), targets(p))).collect();
		let (target, v) = target_with_three();
		// The first verifier reports, then is chilled: the seats stay as they were, so nobody
		// is pulled in beside its report and no honest verifier is pushed out of a seat it
		// already probed from.
		assert_ok!(submit(&report(v[0], target, found(capacity()))));
		assert_ok!(MockRegistry::chill(&v[0]));
		assert_eq!((1..=8).map(|p| (verifiers(p), targets(p))).collect::<Vec<_>>(), before);
		assert_ok!(submit(&report(v[1], target, found(capacity()))));
		assert_ok!(submit(&report(v[2], target, found(capacity()))));
		// The chilled verifier's other targets may still hear from it this round.
		for other in targets(v[0]).into_iter().filter(|t| *t != target) {
			assert_ok!(submit(&report(v[0], other, found(capacity()))));
		}
		// A target chilled mid-round is still verified for the round.
		let reporter = *verifiers(v[1]).iter().find(|r| **r != v[0]).unwrap();
		assert_ok!(MockRegistry::chill(&v[1]));
		assert_ok!(submit(&report(reporter, v[1], found(capacity()))));
		// Nobody outside the round's seats may report, chilled or not.
		let stranger = (1..=8).find(|p| *p != target && !v.contains(p)).unwrap();
		assert_noop!(
			submit(&report(stranger, target, found(capacity()))),
			Error::<Test>::NotAssigned
		);
	});
}

#[test]
fn inactive_providers_do_not_thin_out_a_targets_verifiers_and_both_views_still_agree() {
	in_round_one(|| {
		// Three of eight chilled: in the next round, each of the five active has three
		// verifiers among the other four, found by walking past the chilled slots.
		for chilled in [2, 5, 7] {
			assert_ok!(MockRegistry::chill(&chilled));
		}
		run_to_round(2);
		let active = [1, 3, 4, 6, 8];
		for target in active {
			let v = verifiers(target);
			assert_eq!(v.len(), 3, "target {target}: {v:?}");
			assert!(v.iter().all(|w| *w != target && active.contains(w)));
			for verifier in 1..=8 {
				assert_eq!(
					v.contains(&verifier),
					targets(verifier).contains(&target),
					"verifier {verifier}, target {target}"
				);
			}
		}
		assert!(active.iter().all(|verifier| targets(*verifier).len() == 3));
		// With two active left, each verifies the other only.
		for chilled in [1, 3, 4] {
			assert_ok!(MockRegistry::chill(&chilled));
		}
		run_to_round(3);
		assert_eq!((verifiers(6), verifiers(8)), (vec![8], vec![6]));
		assert_eq!((targets(6), targets(8)), (vec![8], vec![6]));
	});
}

#[test]
fn unverified_capacity_counts_zero_and_sync_alone_earns_the_base_points() {
	in_round_one(|| {
		let candidate = 1;
		let challenge = challenge_blocks(candidate)[0];
		answer_at(candidate, challenge);
		let s = stats(candidate);
		assert_eq!(s.capacity_points, 0);
		assert_eq!(s.points, s.sync_credit * BASE_POINTS / CREDIT_UNIT);
		assert_eq!(s.points, CANDIDATE_POINTS_PER_ANSWER);
	});
}

#[test]
fn the_median_of_the_reports_counts_up_to_the_declared_capacity() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		let real = Capacity { compute: 1_000, storage: 40, bandwidth: 5_000 };
		let half = Perbill::from_percent(50);
		let late = Measurement { latency_ms: 500, ..found(real) };
		assert_ok!(submit(&report(v[0], target, late)));
		// One report of three: the median is still zero.
		assert_eq!(stats(target).capacity_points, 0);
		assert_ok!(submit(&report(v[1], target, found(real))));
		// Two of three: the lower of them, latency included.
		let expected = capacity_points(real, half);
		assert_eq!(stats(target).capacity_points, expected);
		assert_eq!(
			events().last(),
			Some(&Event::QualityReported {
				round: 1,
				verifier: v[1],
				target,
				measurement: found(real),
				measured: real,
				quality: half,
				capacity_points: expected,
			})
		);
		assert_ok!(submit(&report(v[2], target, found(real))));
		// Bandwidth counts only up to the 1 000 Mbit/s declared.
		assert_eq!(stats(target).capacity_points, 1_000 + 400 + 1_000);
		let record = QualityReports::<Test>::get(1, target);
		assert_eq!((record.slots, record.measured, record.quality), (3, real, Perbill::one()));
		assert!(record.judged);

		// A round's worth of sync now earns base and capacity points.
		sync_fully(target);
		assert_eq!(stats(target).points, BASE_POINTS + 2_400);
	});
}

/// What the usage pallet may lease out: the last closed round's medians, and nothing to go by
/// before that round closed or for a provider no verifier reported on.
#[test]
fn the_verified_capacity_is_the_last_closed_rounds_medians() {
	use proof_of_sync_primitives::VerifiedCapacity;
	in_round_one(|| {
		let (target, v) = target_with_three();
		let unreported = (1..=8).find(|t| *t != target && !v.contains(t)).unwrap();
		let real = Capacity { compute: 1_000, storage: 40, bandwidth: 500 };
		assert_ok!(submit(&report(v[0], target, found(real))));
		assert_ok!(submit(&report(v[1], target, found(real))));
		// The round is still open: its reports do not count yet.
		assert_eq!(SyncAttestation::verified_capacity(&target), None);

		run_to_round(2);
		assert_eq!(SyncAttestation::verified_capacity(&target), Some(real));
		assert_eq!(SyncAttestation::verified_capacity(&unreported), None);
		// Nobody reported on it in round 2: nothing to go by again.
		run_to_round(3);
		assert_eq!(SyncAttestation::verified_capacity(&target), None);
	});
}

/// The attack of issue 15: declare a million times the capacity, earn only what is measured.
#[test]
fn declaring_a_million_times_more_earns_only_what_the_verifiers_measured() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		Providers::mutate(|p| {
			p.get_mut(&target).unwrap().capacity =
				Capacity { compute: 4_000_000_000, storage: 100_000_000, bandwidth: 1_000_000_000 }
		});
		for verifier in &v {
			assert_ok!(submit(&report(*verifier, target, found(declared()))));
		}
		assert_eq!(stats(target).capacity_points, CAPACITY_POINTS);
	});
}

#[test]
fn one_lying_verifier_of_three_can_neither_raise_nor_lower_the_median() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		let real = Capacity { compute: 1_000, storage: 10, bandwidth: 100 };
		let inflated = Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 };
		assert_ok!(submit(&report(v[0], target, found(inflated))));
		assert_ok!(submit(&report(v[1], target, found(real))));
		assert_ok!(submit(&report(v[2], target, found(real))));
		assert_eq!(QualityReports::<Test>::get(1, target).measured, real);

		// A verifier that hides what it found cannot lower a competitor either.
		let (other, w) = (1..=8)
			.filter(|t| *t != target)
			.map(|t| (t, verifiers(t)))
			.find(|(_, w)| w.len() == 3)
			.unwrap();
		assert_ok!(submit(&report(w[0], other, Measurement::default())));
		assert_ok!(submit(&report(w[1], other, found(real))));
		assert_ok!(submit(&report(w[2], other, found(real))));
		assert_eq!(QualityReports::<Test>::get(1, other).measured, real);
		assert_eq!(QualityReports::<Test>::get(1, other).quality, Perbill::one());
	});
}

#[test]
fn reports_only_raise_a_targets_points_within_the_round() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		sync_fully(target);
		let mut last = stats(target).points;
		let figures = [found(declared()), Measurement::default(), found(declared())];
		for (verifier, measurement) in v.iter().zip(figures) {
			assert_ok!(submit(&report(*verifier, target, measurement)));
			let now = stats(target).points;
			assert!(now >= last);
			last = now;
		}
		assert_eq!(Rounds::<Test>::get(1).unwrap().total_points, {
			let total: Points = ProviderRounds::<Test>::iter_prefix(1).map(|(_, s)| s.points).sum();
			total
		});
	});
}

#[test]
fn a_capacity_change_counts_from_the_next_round() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		let smaller = Capacity { compute: 100, storage: 1, bandwidth: 10 };
		Providers::mutate(|p| p.get_mut(&target).unwrap().next_capacity = Some((2, smaller)));
		for verifier in &v {
			assert_ok!(submit(&report(*verifier, target, found(declared()))));
		}
		// Round 1 counts what was declared for it.
		assert_eq!(stats(target).capacity_points, CAPACITY_POINTS);
		run_to_round(2);
		let v = verifiers(target);
		for verifier in &v {
			assert_ok!(submit(&report(*verifier, target, found(declared()))));
		}
		assert_eq!(stats(target).capacity_points, 100 + 10 + 10);
	});
}

#[test]
fn bad_reports_are_refused_with_their_error_and_change_nothing() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		let stranger = (1..=8).find(|w| *w != target && !v.contains(w)).unwrap();
		let good = report(v[0], target, found(declared()));

		let past = QualityReport { round: 0, ..good.clone() };
		assert_noop!(submit(&past), Error::<Test>::WrongRound);
		let future = QualityReport { round: 2, ..good.clone() };
		assert_noop!(submit(&future), Error::<Test>::WrongRound);
		assert_noop!(submit(&report(target, target, found(declared()))), Error::<Test>::SelfReport);
		assert_noop!(
			submit(&report(stranger, target, found(declared()))),
			Error::<Test>::NotAssigned
		);
		// Someone who is no provider at all.
		assert_noop!(submit(&report(99, target, found(declared()))), Error::<Test>::NotAssigned);
		assert_noop!(
			submit(&report(v[0], 99, found(declared()))),
			Error::<Test>::NotActiveProvider
		);
		let unreachable_but_measured =
			Measurement { reachable: false, latency_ms: 0, measured: declared() };
		assert_noop!(
			submit(&report(v[0], target, unreachable_but_measured)),
			Error::<Test>::InconsistentReport
		);
		// Signed by another key, by the target itself, or for another chain.
		assert_noop!(
			submit_signed(&good, sign_report(stranger, &good)),
			Error::<Test>::BadSignature
		);
		assert_noop!(submit_signed(&good, sign_report(target, &good)), Error::<Test>::BadSignature);
		let other_chain = pair(v[0]).sign(&good.signing_payload(&H256::repeat_byte(9))).into();
		assert_noop!(submit_signed(&good, other_chain), Error::<Test>::BadSignature);
		purge_keys(v[0]);
		assert_noop!(submit(&good), Error::<Test>::NoSyncKey);
		set_key(v[0]);

		assert_ok!(submit(&good));
		let twice = report(v[0], target, found(Capacity::default()));
		assert_noop!(submit(&twice), Error::<Test>::DuplicateReport);
		assert_eq!(QualityReports::<Test>::get(1, target).reports.len(), 1);
	});
}

#[test]
fn the_pool_takes_one_report_per_verifier_target_and_round_until_the_round_ends() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		let good = report(v[0], target, found(declared()));
		let call = crate::Call::<Test>::report_quality {
			report: good.clone(),
			signature: sign_report(v[0], &good),
		};
		let (valid, _) = call.authorize(TransactionSource::External).unwrap().unwrap();
		assert_eq!(valid.provides.len(), 1);
		assert_eq!(valid.longevity, ROUND_LENGTH * 2 - System::block_number());

		let forged = crate::Call::<Test>::report_quality {
			report: good.clone(),
			signature: sign_report(target, &good),
		};
		assert_eq!(
			forged.authorize(TransactionSource::External).unwrap(),
			Err(InvalidTransaction::BadProof.into())
		);
		let stale = QualityReport { round: 0, ..good.clone() };
		let stale = crate::Call::<Test>::report_quality {
			signature: sign_report(v[0], &stale),
			report: stale,
		};
		assert_eq!(
			stale.authorize(TransactionSource::External).unwrap(),
			Err(InvalidTransaction::Stale.into())
		);
	});
}

#[test]
fn an_outlier_forfeits_points_in_the_next_round_and_overstating_twice_is_slashed() {
	in_round_one(|| {
		let real = Capacity { compute: 1_000, storage: 10, bandwidth: 100 };
		// Other figures, even far from the median, are no outlier.
		let close = Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 };
		let (target, v) = target_with_three();
		assert_ok!(submit(&report(v[0], target, found(close))));
		assert_ok!(submit(&report(v[1], target, found(real))));
		assert_ok!(submit(&report(v[2], target, found(real))));
		assert!(!events().iter().any(|e| matches!(e, Event::OutlierReport { .. })));

		// The liar calls a target reachable that the others found unreachable, in round 1 and in
		// round 2.
		let liar = v[0];
		for round in [1, 2] {
			run_to_round(round);
			let target = targets(liar)
				.into_iter()
				.find(|t| QualityReports::<Test>::get(round, t).reports.is_empty())
				.unwrap();
			let honest: Vec<_> = verifiers(target).into_iter().filter(|w| *w != liar).collect();
			assert_eq!(honest.len(), 2);
			for w in &honest {
				assert_ok!(submit(&report(*w, target, Measurement::default())));
			}
			assert_ok!(submit(&report(liar, target, found(real))));
			let seen = events();
			assert!(seen.contains(&Event::OutlierReport { round, verifier: liar, target }));
			assert_eq!(Penalties::<Test>::get(round + 1, liar), 1);
			let slashed = seen.iter().any(|e| {
				matches!(
					e,
					Event::VerifierSlashed { verifier, strikes: MAX_OUTLIER_STRIKES, .. }
						if *verifier == liar
				)
			});
			assert_eq!(slashed, round == 2);
		}
		assert_eq!(Slashes::get(), vec![(liar, OutlierSlash::get(), None)]);
		assert_eq!(OutlierStrikes::<Test>::get(liar), None);

		// The penalty: 10 % of its round-2 points, fixed when its record is made.
		sync_fully(liar);
		let s = stats(liar);
		assert_eq!(s.penalty, Perbill::from_percent(10));
		assert_eq!(s.points, Perbill::from_percent(90).mul_floor(BASE_POINTS + s.capacity_points));
	});
}

#[test]
fn understating_or_a_different_compute_or_bandwidth_figure_is_never_an_offence() {
	in_round_one(|| {
		// A target that fails one verifier's probes on purpose (or an honest verifier on a slow
		// link, or a busy one) makes it report less; a verifier on a fast link reports more
		// bandwidth. None of that costs the verifier anything.
		let real = Capacity { compute: 1_000, storage: 10, bandwidth: 100 };
		let (target, v) = target_with_three();
		assert_ok!(submit(&report(v[0], target, Measurement::default())));
		assert_ok!(submit(&report(
			v[1],
			target,
			found(Capacity { compute: 3_000, bandwidth: 900, ..real })
		)));
		assert_ok!(submit(&report(v[2], target, found(real))));
		assert!(QualityReports::<Test>::get(1, target).judged);
		assert!(!events().iter().any(|e| matches!(e, Event::OutlierReport { .. })));
		assert!(v.iter().all(|w| Penalties::<Test>::get(2, w) == 0));
		assert!(v.iter().all(|w| OutlierStrikes::<Test>::get(w).is_none()));
	});
}

#[test]
fn a_target_that_answers_one_verifier_alone_frames_it_only_by_sinking_itself() {
	in_round_one(|| {
		let real = Capacity { compute: 1_000, storage: 10, bandwidth: 100 };
		let (target, v) = target_with_three();
		// The target answers v[0] only: v[0] reports what it saw, the others nothing.
		assert_ok!(submit(&report(v[0], target, found(real))));
		assert_ok!(submit(&report(v[1], target, Measurement::default())));
		assert_ok!(submit(&report(v[2], target, Measurement::default())));
		// v[0] is struck, but the target's own figures for the round are zero.
		assert!(events().contains(&Event::OutlierReport { round: 1, verifier: v[0], target }));
		let record = QualityReports::<Test>::get(1, target);
		assert_eq!((record.measured, record.quality), (Capacity::default(), Perbill::zero()));
		assert_eq!(stats(target).capacity_points, 0);
	});
}

#[test]
fn two_verifiers_are_never_judged() {
	builder()
		.providers(vec![(1, true), (2, true), (3, false)])
		.build_and_execute(|| {
			run_to_round(1);
			let v = verifiers(3);
			assert_ok!(submit(&report(v[0], 3, found(declared()))));
			assert_ok!(submit(&report(v[1], 3, Measurement::default())));
			// The lower of two: a single verifier cannot raise a target, but can sink it.
			assert_eq!(QualityReports::<Test>::get(1, 3).measured, Capacity::default());
			assert!(!QualityReports::<Test>::get(1, 3).judged);
			assert!(!events().iter().any(|e| matches!(e, Event::OutlierReport { .. })));
		});
}

#[test]
fn reports_and_penalties_go_with_their_round() {
	in_round_one(|| {
		let (target, v) = target_with_three();
		assert_ok!(submit(&report(v[0], target, found(declared()))));
		Penalties::<Test>::insert(2, v[0], 1);
		run_to_round(3 + HISTORY_DEPTH);
		for _ in 0..10 {
			on_idle();
		}
		assert_eq!(QualityReports::<Test>::iter_prefix(1).count(), 0);
		assert_eq!(Penalties::<Test>::iter_prefix(2).count(), 0);
	});
}

fn dataset_commit(provider: AccountId, leaves: u64) -> DatasetCommitOf<Test> {
	DatasetCommit {
		round: round().index,
		provider,
		dataset: DatasetCommitment::sealed_with(
			[leaves as u8; 32],
			leaves,
			&SyncAttestation::probe_config(),
		),
	}
}

fn sign_commit(signer: AccountId, commit: &DatasetCommitOf<Test>) -> SyncSignature {
	pair(signer)
		.sign(&commit.signing_payload(&SyncAttestation::genesis_hash()))
		.into()
}

fn commit_signed(commit: &DatasetCommitOf<Test>, signature: SyncSignature) -> DispatchResult {
	SyncAttestation::commit_dataset(authorized(), commit.clone(), signature)
}

fn commit(commit: &DatasetCommitOf<Test>) -> DispatchResult {
	commit_signed(commit, sign_commit(commit.provider, commit))
}

#[test]
fn a_dataset_commitment_counts_from_the_next_round() {
	in_round_one(|| {
		events();
		let first = dataset_commit(3, 100);
		assert_ok!(commit(&first));
		assert_eq!(
			events(),
			vec![Event::DatasetCommitted { provider: 3, dataset: first.dataset, from: 2 }]
		);
		assert_eq!(SyncAttestation::dataset_in(&3, 1), Some(genesis_dataset(3)));
		assert_eq!(SyncAttestation::dataset_in(&3, 2), Some(first.dataset));

		// A new dataset in round 2 keeps round 2 on the first one.
		run_to_round(2);
		let second = dataset_commit(3, 200);
		assert_ok!(commit(&second));
		assert_eq!(SyncAttestation::dataset_in(&3, 2), Some(first.dataset));
		assert_eq!(SyncAttestation::dataset_in(&3, 3), Some(second.dataset));
		assert_eq!(Datasets::<Test>::get(3).current, Some(first.dataset));
	});
}

#[test]
fn no_report_counts_more_storage_than_the_targets_dataset_holds() {
	in_round_one(|| {
		// 10 units of 40 960 bytes: 109 leaves of 4 KiB, rounded down.
		let config = ProbeConfig { storage_unit: 40_960, ..ProbeConfig::default() };
		assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), config));
		let (target, v) = target_with_three();
		Datasets::<Test>::insert(
			target,
			DatasetRecord {
				current: Some(DatasetCommitment::sealed_with([7; 32], 109, &config)),
				..Default::default()
			},
		);
		let recorded = |verifier| {
			QualityReports::<Test>::get(round().index, target)
				.reports
				.iter()
				.find(|(w, _)| *w == verifier)
				.map(|(_, m)| m.measured)
		};
		// A colluding verifier cannot credit storage the target never committed: its figure is
		// cut to the dataset's units, and nothing else changes.
		let inflated = Capacity { storage: u64::MAX, ..capacity() };
		assert_ok!(submit(&report(v[0], target, found(inflated))));
		assert_eq!(recorded(v[0]), Some(Capacity { storage: 10, ..capacity() }));
		assert_ok!(submit(&report(v[1], target, found(inflated))));
		assert_eq!(QualityReports::<Test>::get(round().index, target).measured.storage, 10);
		// Without a dataset, no storage at all; the other kinds still count.
		Datasets::<Test>::remove(target);
		assert_ok!(submit(&report(v[2], target, found(inflated))));
		assert_eq!(recorded(v[2]), Some(Capacity { storage: 0, ..capacity() }));
	});
}

#[test]
fn bad_dataset_commitments_are_refused_and_change_nothing() {
	in_round_one(|| {
		let good = dataset_commit(3, 100);
		assert_noop!(
			commit(&DatasetCommit { round: 0, ..good.clone() }),
			Error::<Test>::WrongRound
		);
		assert_noop!(
			commit(&DatasetCommit { round: 2, ..good.clone() }),
			Error::<Test>::WrongRound
		);
		assert_noop!(commit(&dataset_commit(99, 100)), Error::<Test>::NotProvider);
		assert_noop!(commit(&dataset_commit(3, 0)), Error::<Test>::EmptyDataset);
		assert_noop!(commit_signed(&good, sign_commit(4, &good)), Error::<Test>::BadSignature);
		let other_chain = pair(3).sign(&good.signing_payload(&H256::repeat_byte(9))).into();
		assert_noop!(commit_signed(&good, other_chain), Error::<Test>::BadSignature);
		// A quality report's signature is no commitment's.
		let report = report(3, 1, Measurement::default());
		assert_noop!(commit_signed(&good, sign_report(3, &report)), Error::<Test>::BadSignature);
		purge_keys(3);
		assert_noop!(commit(&good), Error::<Test>::NoSyncKey);
		set_key(3);
		assert_ok!(commit(&good));
		// One a round: alternating two datasets does not buy a free transaction a block.
		assert_noop!(commit(&dataset_commit(3, 200)), Error::<Test>::AlreadyCommitted);
		assert_noop!(commit(&good), Error::<Test>::AlreadyCommitted);
		run_to_round(2);
		assert_noop!(commit(&dataset_commit(3, 100)), Error::<Test>::DatasetUnchanged);
		let good = dataset_commit(3, 100);

		let call = crate::Call::<Test>::commit_dataset {
			commit: good.clone(),
			signature: sign_commit(3, &good),
		};
		assert_eq!(
			call.authorize(TransactionSource::External).unwrap(),
			Err(InvalidTransaction::Stale.into())
		);
	});
}

#[test]
fn root_sets_the_probe_config_within_bounds() {
	in_round_one(|| {
		events();
		assert_eq!(SyncAttestation::probe_config(), ProbeConfig::default());
		let config =
			ProbeConfig { storage_unit: 1 << 20, seal_iterations: 100, ..Default::default() };
		assert_noop!(
			SyncAttestation::set_probe_config(RuntimeOrigin::signed(1), config),
			sp_runtime::DispatchError::BadOrigin
		);
		for bad in [
			ProbeConfig { storage_unit: 0, ..config },
			ProbeConfig { dataset_lanes: 0, ..config },
			ProbeConfig { dataset_lanes: 257, ..config },
			ProbeConfig { seal_iterations: 0, ..config },
			ProbeConfig { storage_samples: 0, ..config },
			ProbeConfig { storage_deadline_ms: 0, ..config },
			ProbeConfig { bandwidth_bytes: (64 << 20) + 1, ..config },
			ProbeConfig { compute_millis: 60_001, ..config },
			// A cheap seal or a long deadline lets a provider holding a thousandth of its
			// dataset reseal the rest in time.
			ProbeConfig { seal_iterations: 8, ..config },
			ProbeConfig { storage_deadline_ms: 10_000, ..config },
		] {
			assert_noop!(
				SyncAttestation::set_probe_config(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidProbeConfig
			);
		}
		assert_eq!(config.resealable_overclaim(), 781);
		assert_eq!(ProbeConfig::default().resealable_overclaim(), 976);
		assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), config));
		assert_eq!(events(), vec![Event::ProbeConfigSet { config }]);
		assert_eq!(SyncAttestation::probe_config(), config);
	});
}
