//! Verified contribution: who verifies whom, and what their quality reports count for.
//!
//! **Assignment.** The registry gives every provider a slot that never changes while it is
//! registered (`ProviderRegistry::slot_of`). Each round, its seed keys a permutation of the slots
//! the registry had when the round started ([`SlotPermutation`]: a four-round Feistel network
//! over the smallest power of two that holds them, cycle-walking back into range): a ring. A
//! target's verifiers are the first `MaxVerifiersPerTarget` providers after its own position
//! that are seated in the round (active when it began: `ProviderRegistry::is_seated_in`), skipping
//! unseated ones for at most [`RING_WALK_FACTOR`] × `MaxVerifiersPerTarget` positions, never the
//! target itself ([`Pallet::verifiers_of`]); a verifier's targets are, symmetrically, the first
//! seated ones before its own position within the same walk ([`Pallet::targets_of`]). Both are
//! O(`MaxVerifiersPerTarget`) and need no table. A slot filled during the round holds a provider
//! seated only from the next round, a provider chilled or leaving during the round keeps its seat
//! until the round ends, and no provider moves, so the assignments hold for the whole round: a
//! verifier that leaves cannot pull another provider into a seat, nor push an honest verifier out
//! of the seat it already probed from. Nobody knows the assignments before the
//! round's seed exists (see the `randomness` module), so registering many accounts buys a share of
//! the verifier seats in proportion, not the seats next to a chosen target.
//!
//! **Reports.** Each assigned verifier's node probes its targets' resource endpoints and submits
//! one signed [`QualityReport`] per target per round, fee-free ([`Pallet::check_quality_report`]
//! runs in the pool and in the block). A report's quality is its reachability times a latency
//! factor (100 % at 0 ms, falling to 0 at `MaxProbeLatency`).
//!
//! **Medians.** A target's measured capacity (each kind) and quality are the lower medians of its
//! round's reports over the verifiers it had when the first report came (`slots`), a missing
//! report counting as zero. So a single verifier, or any minority of them, can neither raise a
//! target's figures (more than half must report at least a figure for the median to reach it)
//! nor lower them below what the majority measured; a verifier that does not report costs its
//! target as much as one that found nothing. Each report can only raise a median, so a target's
//! points never fall within the round. The target's capacity points are
//! `Σ_kind min(declared, median) × CapacityWeights(kind) × median quality`: capacity nobody
//! measured counts zero, and capacity measured beyond the declared figure counts as declared.
//!
//! **Outliers.** Once all of a target's verifiers reported, and there are at least three of them,
//! each report is judged against the medians on the one figure every honest verifier sees alike
//! and no verifier can measure for the target alone: reachability. A report that claims the
//! target reachable when the median does not overstated: it forfeits `OutlierPenalty` of the
//! verifier's points in the next round (the round's points only ever grow, so its leaderboard
//! stays exact) and is a strike; `MaxOutlierStrikes` strikes within `HistoryDepth` rounds slash
//! `OutlierSlash` of the verifier's bond ([`Event::VerifierSlashed`]).
//!
//! Nothing else is judged, because the target could use it against honest verifiers. Compute,
//! bandwidth and latency differ between honest verifiers (their links and their own load), so an
//! honest verifier with a fast link would look like a liar. Storage is whole or nothing, and a
//! verifier far from the target may miss the deadline that a near one meets, so an honest
//! figure may be the dataset or zero. A target can fail any verifier's probe on purpose at no cost
//! to itself (the others' reports keep its median), so understating is never an offence. To make an
//! honest verifier overstate reachability, a target must answer it alone, which zeroes its own
//! quality and capacity points for the round (it keeps its base points): framing costs the
//! framer its capacity points. Evidence the target signs (its liveness answers already are) is
//! the way to close that too.

use crate::{
	pallet::*,
	types::{
		DatasetCommitOf, Measurement, ProviderRoundStats, QualityReportOf, RoundParamsOf,
		StorageFraudProofOf, TargetReportsOf,
	},
	SyncKeys, WeightInfo, CREDIT_UNIT,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	dispatch::{DispatchResultWithPostInfo, Pays, WithPostDispatchInfo},
	ensure,
	pallet_prelude::*,
	traits::Get,
	BoundedVec,
};
use proof_of_sync_primitives::{
	seal, Capacity, DatasetCommitment, Points, ProbeConfig, ProviderRegistry, ResourceKind,
	RoundIndex, MAX_CHECKED_SEAL_ITERATIONS,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	transaction_validity::{TransactionSource, TransactionValidityWithRefund, ValidTransaction},
	Perbill, SaturatedConversion,
};

/// The tag prefix of a quality report in the transaction pool.
pub const QUALITY_TAG_PREFIX: &str = "ProofOfSyncQuality";

/// The tag prefix of a dataset commitment in the transaction pool.
pub const DATASET_TAG_PREFIX: &str = "ProofOfSyncDataset";

/// The domain tag of the round functions of [`SlotPermutation`].
const PERMUTATION_CONTEXT: &[u8] = b"proof-of-sync/verifier-ring";

/// How many times [`SlotPermutation`] re-applies its network to come back into range. Its domain
/// is less than twice the slots, so each step lands in range with a chance above one half: a
/// walk fails with a chance below 2⁻³², and then the position or slot counts as empty (the same
/// way in both directions, since both walk the same cycle).
const CYCLE_WALK_LIMIT: u32 = 32;

/// A permutation of the slots `0..n`, keyed by a round seed: a four-round Feistel network over
/// `⌈log2 n⌉` bits (halves of `⌊b/2⌋` and `⌈b/2⌉` bits, swapped each round), cycle-walked into
/// range. [`Self::slot_at`] and [`Self::position_of`] are inverse: a slot sits at one position.
pub struct SlotPermutation {
	seed: [u8; 32],
	slots: u32,
	/// The widths of the two halves.
	left_bits: u32,
	right_bits: u32,
}

impl SlotPermutation {
	/// The permutation of `slots` slots for `seed`.
	pub fn new(seed: [u8; 32], slots: u32) -> Self {
		let bits = match slots {
			0 | 1 => 0,
			n => u32::BITS - (n - 1).leading_zeros(),
		};
		Self { seed, slots, left_bits: bits / 2, right_bits: bits - bits / 2 }
	}

	/// The round function: `width` bits of `blake2_256(context ‖ seed ‖ round ‖ half)`.
	fn round_fn(&self, round: u8, half: u64, width: u32) -> u64 {
		let hash =
			sp_io::hashing::blake2_256(&(PERMUTATION_CONTEXT, self.seed, round, half).encode());
		let word = u64::from_le_bytes([
			hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7],
		]);
		word & mask(width)
	}

	/// One pass of the network over the whole domain.
	fn encrypt(&self, x: u64) -> u64 {
		let (mut wl, mut wr) = (self.left_bits, self.right_bits);
		let (mut l, mut r) = (x >> wr, x & mask(wr));
		for round in 0..4u8 {
			let next_r = l ^ self.round_fn(round, r, wl);
			l = r;
			r = next_r;
			core::mem::swap(&mut wl, &mut wr);
		}
		(l << wr) | r
	}

	/// The inverse of [`Self::encrypt`].
	fn decrypt(&self, y: u64) -> u64 {
		// Four rounds swap the widths back, so the output has the input's widths.
		let (mut wl, mut wr) = (self.left_bits, self.right_bits);
		let (mut l, mut r) = (y >> wr, y & mask(wr));
		for round in (0..4u8).rev() {
			// Undo one round: its output (l, r) came from (r ^ F(l), l), widths swapped.
			core::mem::swap(&mut wl, &mut wr);
			let prev_l = r ^ self.round_fn(round, l, wl);
			r = l;
			l = prev_l;
		}
		(l << wr) | r
	}

	/// Applies `step` until the value is a slot, at most [`CYCLE_WALK_LIMIT`] times.
	fn walk(&self, from: u32, step: impl Fn(u64) -> u64) -> Option<u32> {
		if from >= self.slots {
			return None
		}
		let mut value = u64::from(from);
		for _ in 0..CYCLE_WALK_LIMIT {
			value = step(value);
			if value < u64::from(self.slots) {
				return u32::try_from(value).ok()
			}
		}
		None
	}

	/// The slot at `position` of the ring, if the walk comes back into range.
	pub fn slot_at(&self, position: u32) -> Option<u32> {
		self.walk(position, |x| self.encrypt(x))
	}

	/// The position of `slot` in the ring, if the walk comes back into range.
	pub fn position_of(&self, slot: u32) -> Option<u32> {
		self.walk(slot, |y| self.decrypt(y))
	}
}

/// How far, in multiples of `MaxVerifiersPerTarget`, a ring walk looks for active providers:
/// with 3 verifiers a target, 12 positions. A target whose next 12 positions hold fewer than 3
/// active providers has fewer verifiers that round.
pub const RING_WALK_FACTOR: u32 = 4;

/// The low `width` bits.
fn mask(width: u32) -> u64 {
	1u64.checked_shl(width).map_or(u64::MAX, |bit| bit - 1)
}

/// The lower median of `values` padded with zeros to `slots` entries: the
/// `⌊(slots - 1) / 2⌋`-th smallest. Zero when `slots` is zero.
pub fn lower_median<V: Ord + Copy + Zero>(mut values: Vec<V>, slots: usize) -> V {
	let slots = slots.max(values.len());
	let Some(index) = slots.checked_sub(1).map(|last| last / 2) else { return V::zero() };
	values.sort_unstable();
	let missing = slots - values.len();
	index
		.checked_sub(missing)
		.and_then(|at| values.get(at).copied())
		.unwrap_or_else(V::zero)
}

/// A report checked against the chain, with what applying it needs.
pub struct CheckedReport<T: Config> {
	/// The target's reports so far.
	pub record: TargetReportsOf<T>,
	/// How many verifiers the target has now.
	pub verifiers: u32,
	/// The most storage a report about the target counts for: the units of its dataset for the
	/// round (zero without one).
	pub storage_cap: u64,
}

impl<T: Config> Pallet<T> {
	/// The verifiers of `target` in `round`: the first `MaxVerifiersPerTarget` seated providers
	/// after the target's ring position, looking at most [`RING_WALK_FACTOR`] ×
	/// `MaxVerifiersPerTarget` positions on (see the module docs), never the target. Empty for a
	/// target that is not seated in the round or has no slot in its ring.
	/// O(`MaxVerifiersPerTarget`).
	pub fn verifiers_of(
		target: &T::AccountId,
		round: &RoundParamsOf<T>,
	) -> BoundedVec<T::AccountId, T::MaxVerifiersPerTarget> {
		Self::ring_neighbours(target, round, true)
	}

	/// The targets `verifier` is assigned to probe in `round`: the seated providers whose
	/// verifiers it is ([`Self::verifiers_of`]); none if it is not seated in the round. They are
	/// the first `MaxVerifiersPerTarget` seated providers before it within the same walk: a
	/// provider `t` before `v` has `v` among its verifiers exactly when fewer than
	/// `MaxVerifiersPerTarget` seated providers lie between them. O(`MaxVerifiersPerTarget`).
	pub fn targets_of(
		verifier: &T::AccountId,
		round: &RoundParamsOf<T>,
	) -> BoundedVec<T::AccountId, T::MaxVerifiersPerTarget> {
		Self::ring_neighbours(verifier, round, false)
	}

	/// The first `MaxVerifiersPerTarget` seated providers after `who`'s ring position (`after`)
	/// or before it, in ring order, without `who`, within [`RING_WALK_FACTOR`] ×
	/// `MaxVerifiersPerTarget` positions. Unseated providers keep their slots, so skipping them
	/// keeps a target's verifiers at `MaxVerifiersPerTarget` while the ring around it is mostly
	/// seated; the bound keeps the walk O(`MaxVerifiersPerTarget`) however many are not.
	fn ring_neighbours(
		who: &T::AccountId,
		round: &RoundParamsOf<T>,
		after: bool,
	) -> BoundedVec<T::AccountId, T::MaxVerifiersPerTarget> {
		let mut found = BoundedVec::new();
		let slots = round.slots;
		let Some(slot) = T::Registry::slot_of(who).filter(|slot| *slot < slots) else {
			return found
		};
		if !T::Registry::is_seated_in(who, round.index) {
			return found
		}
		let ring = SlotPermutation::new(round.seed, slots);
		let Some(position) = ring.position_of(slot) else { return found };
		let wanted = T::MaxVerifiersPerTarget::get();
		let reach = wanted.saturating_mul(RING_WALK_FACTOR).min(slots.saturating_sub(1));
		for step in 1..=reach {
			if found.len() as u32 >= wanted {
				break
			}
			let at = if after {
				(u64::from(position) + u64::from(step)) % u64::from(slots)
			} else {
				(u64::from(position) + u64::from(slots) - u64::from(step)) % u64::from(slots)
			};
			let Some(neighbour) = ring
				.slot_at(at.saturated_into())
				.and_then(T::Registry::provider_in_slot)
				.filter(|n| n != who && T::Registry::is_seated_in(n, round.index))
			else {
				continue
			};
			// Positions differ, so a provider is met once; `wanted` bounds the list.
			let _ = found.try_push(neighbour);
		}
		found
	}

	/// The quality of one measurement: 0 if unreachable, else `1 - latency / MaxProbeLatency`
	/// (0 from `MaxProbeLatency` on).
	pub fn quality_of(measurement: &Measurement) -> Perbill {
		if !measurement.reachable {
			return Perbill::zero()
		}
		let bound = T::MaxProbeLatency::get().max(1);
		Perbill::from_rational(bound.saturating_sub(measurement.latency_ms), bound)
	}

	/// The points a measured capacity of `target` counts for in `round`: each kind up to the
	/// declared figure, weighed by `CapacityWeights`, times `quality`.
	pub fn counted_capacity_points(
		target: &T::AccountId,
		round: RoundIndex,
		measured: &Capacity,
		quality: Perbill,
	) -> Points {
		let declared = T::Registry::declared_capacity(target, round).unwrap_or_default();
		let weights = T::CapacityWeights::get();
		let points = ResourceKind::ALL.iter().fold(0, |sum: Points, kind| {
			let counted = declared.of(*kind).min(measured.of(*kind));
			sum.saturating_add(
				Points::from(counted).saturating_mul(Points::from(weights.of(*kind))),
			)
		});
		quality.mul_floor(points)
	}

	/// The usage points that count in a round record: `usage_credit / 1 000`, at most
	/// `MaxUsageShare` of its capacity points.
	pub fn usage_points_of_stats(stats: &ProviderRoundStats) -> Points {
		(stats.usage_credit / 1_000).min(T::MaxUsageShare::get().mul_floor(stats.capacity_points))
	}

	/// The points its consumers' disputes take off a round record: `usage_debit / 1 000`, at
	/// most `MaxDisputeShare` of its capacity points. They come off its other points too when it
	/// has no usage to lose.
	pub fn disputed_points_of_stats(stats: &ProviderRoundStats) -> Points {
		(stats.usage_debit / 1_000).min(T::MaxDisputeShare::get().mul_floor(stats.capacity_points))
	}

	/// A provider's points from its round record: `sync_credit × (BasePoints + capacity_points +
	/// usage points − disputed points)` (`sync_credit` in [`CREDIT_UNIT`]s), less `penalty`.
	pub fn points_of_stats(stats: &ProviderRoundStats) -> Points {
		let worth = T::BasePoints::get()
			.saturating_add(stats.capacity_points)
			.saturating_add(Self::usage_points_of_stats(stats))
			.saturating_sub(Self::disputed_points_of_stats(stats));
		let earned = stats.sync_credit.saturating_mul(worth) / CREDIT_UNIT;
		(Perbill::one() - stats.penalty).mul_floor(earned)
	}

	/// Changes `who`'s record of `round` with `change` (creating it, with the penalty its
	/// verifier reports of the round before earned, if it has none) and keeps its points, the
	/// round's total and the leaderboard in step. Returns the points added; `change` only ever
	/// raises the credit or the capacity points, so the points never fall.
	pub(crate) fn update_stats(
		round: RoundIndex,
		who: &T::AccountId,
		change: impl FnOnce(&mut ProviderRoundStats),
	) -> Points {
		let (added, total) = ProviderRounds::<T>::mutate(round, who, |stats| {
			let stats = stats.get_or_insert_with(|| ProviderRoundStats {
				penalty: Self::penalty_in(round, who),
				usage_debit: DisputedUsage::<T>::get(round, who),
				..Default::default()
			});
			let before = stats.points;
			change(stats);
			stats.points = Self::points_of_stats(stats).max(before);
			(stats.points.saturating_sub(before), stats.points)
		});
		Rounds::<T>::mutate(round, |summary| {
			if let Some(summary) = summary {
				summary.total_points.saturating_accrue(added);
			}
		});
		Self::note_points(round, who, total);
		added
	}

	/// The part of its points `who` forfeits in `round` for outlier reports in the round before.
	fn penalty_in(round: RoundIndex, who: &T::AccountId) -> Perbill {
		let outliers = Penalties::<T>::get(round, who);
		Perbill::from_parts(T::OutlierPenalty::get().deconstruct().saturating_mul(outliers))
			.min(Perbill::one())
	}

	/// A target's lower medians over its `slots` reports, a missing report counting as zero:
	/// each kind's measured figure, and the reports' quality.
	pub fn medians_of(record: &TargetReportsOf<T>) -> (Capacity, Perbill) {
		let slots = record.slots as usize;
		let kind_median = |kind: ResourceKind| {
			lower_median(record.reports.iter().map(|(_, m)| m.measured.of(kind)).collect(), slots)
		};
		let measured = Capacity {
			compute: kind_median(ResourceKind::Compute),
			storage: kind_median(ResourceKind::Storage),
			bandwidth: kind_median(ResourceKind::Bandwidth),
		};
		let quality =
			lower_median(record.reports.iter().map(|(_, m)| Self::quality_of(m)).collect(), slots);
		(measured, quality)
	}

	/// Checks a quality report against the chain: the current round, not about the verifier
	/// itself, about a target seated in the round, from one of its assigned verifiers, the first
	/// from that verifier, consistent, and signed by the verifier's `sync` key. Shared by the
	/// transaction pool and the call.
	pub fn check_quality_report(
		report: &QualityReportOf<T>,
		signature: &crate::crypto::SyncSignature,
	) -> Result<CheckedReport<T>, Error<T>> {
		let round = CurrentRound::<T>::get().ok_or(Error::<T>::WrongRound)?;
		ensure!(report.round == round.index, Error::<T>::WrongRound);
		ensure!(report.verifier != report.target, Error::<T>::SelfReport);
		ensure!(
			report.measurement.reachable || report.measurement.measured.is_zero(),
			Error::<T>::InconsistentReport
		);
		ensure!(
			T::Registry::is_seated_in(&report.target, round.index),
			Error::<T>::NotActiveProvider
		);
		let verifiers = Self::verifiers_of(&report.target, &round);
		ensure!(verifiers.contains(&report.verifier), Error::<T>::NotAssigned);
		let record = QualityReports::<T>::get(round.index, &report.target);
		ensure!(
			!record.reports.iter().any(|(verifier, _)| verifier == &report.verifier),
			Error::<T>::DuplicateReport
		);
		let key = T::SyncKeys::key_of(&report.verifier).ok_or(Error::<T>::NoSyncKey)?;
		use sp_runtime::RuntimeAppPublic;
		ensure!(
			key.verify(&report.signing_payload(&Self::genesis_hash()), signature),
			Error::<T>::BadSignature
		);
		let storage_cap = Self::dataset_in(&report.target, round.index)
			.map_or(0, |dataset| dataset.units(ProbeSettings::<T>::get().storage_unit));
		Ok(CheckedReport { record, verifiers: verifiers.len() as u32, storage_cap })
	}

	/// The pool's check of a quality report (see [`Self::check_quality_report`]): valid until
	/// the round ends, once per verifier, target and round.
	pub fn authorize_quality_report(
		_source: TransactionSource,
		report: &QualityReportOf<T>,
		signature: &crate::crypto::SyncSignature,
	) -> TransactionValidityWithRefund {
		Self::check_quality_report(report, signature)
			.map_err(|error| Self::validity_error(&error, report.round))?;
		let longevity = Self::blocks_left_in_round();
		let validity = ValidTransaction::with_tag_prefix(QUALITY_TAG_PREFIX)
			.priority(T::AttestationPriority::get())
			.and_provides((report.round, report.verifier.clone(), report.target.clone()))
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Applies a valid quality report: records it, takes the target's medians again, raises its
	/// capacity points, and judges the reports once all of the target's verifiers reported.
	pub(crate) fn do_report_quality(
		report: QualityReportOf<T>,
		signature: crate::crypto::SyncSignature,
	) -> DispatchResult {
		let CheckedReport { mut record, verifiers, storage_cap } =
			Self::check_quality_report(&report, &signature)?;
		let round = report.round;
		// No probe can find storage beyond the dataset the target committed to.
		let mut measurement = report.measurement;
		measurement.measured.storage = measurement.measured.storage.min(storage_cap);
		if record.reports.is_empty() {
			record.slots = verifiers;
		}
		record
			.reports
			.try_push((report.verifier.clone(), measurement))
			.map_err(|_| Error::<T>::NotAssigned)?;
		// A verifier may have dropped out since the first report, never joined.
		record.slots = record.slots.max(record.reports.len() as u32);
		let slots = record.slots as usize;
		(record.measured, record.quality) = Self::medians_of(&record);
		let counted =
			Self::counted_capacity_points(&report.target, round, &record.measured, record.quality);
		Self::update_stats(round, &report.target, |stats| {
			stats.capacity_points = stats.capacity_points.max(counted);
		});
		Self::deposit_event(Event::QualityReported {
			round,
			verifier: report.verifier,
			target: report.target.clone(),
			measurement,
			measured: record.measured,
			quality: record.quality,
			capacity_points: counted,
		});
		if record.reports.len() == slots && slots >= 3 && !record.judged {
			record.judged = true;
			Self::judge_reports(round, &report.target, &record);
		}
		QualityReports::<T>::insert(round, &report.target, record);
		Ok(())
	}

	/// Judges every report of a complete set against the medians (see the module docs).
	/// O(`MaxVerifiersPerTarget`).
	fn judge_reports(round: RoundIndex, target: &T::AccountId, record: &TargetReportsOf<T>) {
		let reachable = lower_median(
			record.reports.iter().map(|(_, m)| u8::from(m.reachable)).collect(),
			record.slots as usize,
		) == 1;
		for (verifier, measurement) in &record.reports {
			if !measurement.reachable || reachable {
				continue
			}
			Penalties::<T>::mutate(round.saturating_add(1), verifier, |n| n.saturating_inc());
			Self::deposit_event(Event::OutlierReport {
				round,
				verifier: verifier.clone(),
				target: target.clone(),
			});
			Self::strike(round, verifier);
		}
	}

	/// Counts an overstated report against `verifier`; at `MaxOutlierStrikes` within
	/// `HistoryDepth` rounds, slashes it.
	fn strike(round: RoundIndex, verifier: &T::AccountId) {
		let strikes = OutlierStrikes::<T>::mutate(verifier, |record| {
			let (count, since) = record.get_or_insert((0, round));
			if since.saturating_add(T::HistoryDepth::get()) < round {
				(*count, *since) = (0, round);
			}
			count.saturating_inc();
			*count
		});
		if strikes < T::MaxOutlierStrikes::get() {
			return
		}
		OutlierStrikes::<T>::remove(verifier);
		match T::Registry::slash(verifier, T::OutlierSlash::get(), None) {
			Ok(slashed) => Self::deposit_event(Event::VerifierSlashed {
				verifier: verifier.clone(),
				round,
				strikes,
				slashed,
			}),
			Err(error) => log::warn!(
				target: crate::LOG_TARGET,
				"cannot slash verifier {verifier:?} for {strikes} overstated reports: {error:?}"
			),
		}
	}

	/// What the verifiers of `round` reported about `target`, with the medians (empty if none
	/// did or the round is not kept).
	pub fn quality_reports(round: RoundIndex, target: &T::AccountId) -> TargetReportsOf<T> {
		QualityReports::<T>::get(round, target)
	}

	/// Checks probe settings: every figure at least 1, within the probe crate's bounds.
	pub fn check_probe_config(config: &ProbeConfig) -> Result<(), Error<T>> {
		let positive = config.storage_unit > 0 &&
			config.dataset_lanes > 0 &&
			config.seal_iterations > 0 &&
			config.storage_samples > 0 &&
			config.storage_deadline_ms > 0 &&
			config.bandwidth_bytes > 0 &&
			config.compute_millis > 0;
		let bounded = config.dataset_lanes <= 256 &&
			config.seal_iterations <= MAX_CHECKED_SEAL_ITERATIONS &&
			config.storage_samples <= 1 << 16 &&
			config.bandwidth_bytes <= 64 << 20 &&
			config.compute_millis <= 60_000;
		// A provider holding less than one leaf in `MaxStorageOverclaim` must fail the deadline.
		let holds_out = config.resealable_overclaim() <= u64::from(T::MaxStorageOverclaim::get());
		// An audit asks for every sample of the probe, and the answers to the audits that may
		// fall due in one block fit in half a block, beside the block's other work.
		let answer = Self::answer_audit_weight(config.storage_samples, config.seal_iterations);
		let auditable = config.storage_samples <= T::MaxAuditSamples::get() &&
			answer.all_lte(Self::answer_budget());
		ensure!(positive && bounded && holds_out && auditable, Error::<T>::InvalidProbeConfig);
		Ok(())
	}

	/// The probe settings in force.
	pub fn probe_config() -> ProbeConfig {
		ProbeSettings::<T>::get()
	}

	/// The dataset commitment verifiers of `round` check `who`'s storage against.
	pub fn dataset_in(who: &T::AccountId, round: RoundIndex) -> Option<DatasetCommitment> {
		Datasets::<T>::get(who).in_round(round)
	}

	/// Checks a dataset commitment: for the current round, by a registered provider, not empty,
	/// the provider's first this round and not the one already committed for the next round,
	/// signed by the provider's `sync` key.
	/// Shared by the pool and the call.
	pub fn check_dataset_commit(
		commit: &DatasetCommitOf<T>,
		signature: &crate::crypto::SyncSignature,
	) -> Result<(), Error<T>> {
		let round = <Self as proof_of_sync_primitives::RoundClock>::current_round();
		ensure!(commit.round == round, Error::<T>::WrongRound);
		ensure!(T::Registry::slot_of(&commit.provider).is_some(), Error::<T>::NotProvider);
		ensure!(commit.dataset.leaves > 0, Error::<T>::EmptyDataset);
		let config = ProbeSettings::<T>::get();
		ensure!(
			commit.dataset.lanes == config.dataset_lanes &&
				commit.dataset.seal_iterations == config.seal_iterations,
			Error::<T>::WrongSealParams
		);
		let record = Datasets::<T>::get(&commit.provider);
		ensure!(record.committed_in != Some(round), Error::<T>::AlreadyCommitted);
		ensure!(
			record.in_round(round.saturating_add(1)) != Some(commit.dataset),
			Error::<T>::DatasetUnchanged
		);
		let key = T::SyncKeys::key_of(&commit.provider).ok_or(Error::<T>::NoSyncKey)?;
		use sp_runtime::RuntimeAppPublic;
		ensure!(
			key.verify(&commit.signing_payload(&Self::genesis_hash()), signature),
			Error::<T>::BadSignature
		);
		Ok(())
	}

	/// The pool's check of a dataset commitment: valid until the round ends, one per provider
	/// and round.
	pub fn authorize_dataset_commit(
		_source: TransactionSource,
		commit: &DatasetCommitOf<T>,
		signature: &crate::crypto::SyncSignature,
	) -> TransactionValidityWithRefund {
		Self::check_dataset_commit(commit, signature)
			.map_err(|error| Self::validity_error(&error, commit.round))?;
		let longevity = Self::blocks_left_in_round();
		let validity = ValidTransaction::with_tag_prefix(DATASET_TAG_PREFIX)
			.priority(T::AttestationPriority::get())
			.and_provides((commit.round, commit.provider.clone()))
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Applies a valid dataset commitment: in effect from the next round.
	pub(crate) fn do_commit_dataset(
		commit: DatasetCommitOf<T>,
		signature: crate::crypto::SyncSignature,
	) -> DispatchResult {
		Self::check_dataset_commit(&commit, &signature)?;
		let from = commit.round.saturating_add(1);
		Datasets::<T>::mutate(&commit.provider, |record| {
			record.current = record.in_round(commit.round);
			record.next = Some((from, commit.dataset));
			record.committed_in = Some(commit.round);
		});
		Self::deposit_event(Event::DatasetCommitted {
			provider: commit.provider,
			dataset: commit.dataset,
			from,
		});
		Ok(())
	}

	/// The weight `report_storage_fraud` declares for `proof`: one leaf seal at the proof's seal
	/// iterations (at most the bound the probe settings keep to).
	pub fn storage_fraud_weight(proof: &StorageFraudProofOf<T>) -> Weight {
		T::WeightInfo::report_storage_fraud(
			proof.dataset.seal_iterations.min(MAX_CHECKED_SEAL_ITERATIONS),
		)
	}

	/// The second part of a storage fraud proof's check, after [`Self::check_fraud_target`]: the
	/// link is in the committed tree but not sealed ([`seal::check_link`] says
	/// [`seal::LinkError::WrongLeaf`]). Costs one leaf seal.
	pub fn check_broken_link(proof: &StorageFraudProofOf<T>) -> Result<(), Error<T>> {
		let (account, seed) = (proof.provider.encode(), Self::seal_seed());
		let params = Self::seal_params(&account, &seed, &proof.dataset);
		match seal::check_link(&params, proof.dataset.leaves, &proof.dataset.root, &proof.link()) {
			Err(seal::LinkError::WrongLeaf) => Ok(()),
			_ => Err(Error::<T>::NotFraud),
		}
	}

	/// The first part of a storage fraud proof's check, before the seal: the provider is
	/// registered, committed to the dataset now, and the dataset's seal is within the bound the
	/// weight assumes. Cheap: a proof that fails here is charged for no seal.
	pub fn check_fraud_target(proof: &StorageFraudProofOf<T>) -> Result<(), Error<T>> {
		ensure!(T::Registry::slot_of(&proof.provider).is_some(), Error::<T>::NotProvider);
		let record = Datasets::<T>::get(&proof.provider);
		let committed = record.current == Some(proof.dataset) ||
			record.next.is_some_and(|(_, next)| next == proof.dataset);
		ensure!(committed, Error::<T>::DatasetNotCommitted);
		// Commitments match the probe settings, which are bounded; the weight assumes it.
		ensure!(proof.dataset.seal_iterations <= MAX_CHECKED_SEAL_ITERATIONS, Error::<T>::NotFraud);
		Ok(())
	}

	/// Checks and applies a storage fraud proof: slashes the provider, pays the reporter its cut,
	/// and drops the provider's dataset commitments. The reporter pays no fee when it holds; a
	/// proof that fails before the seal is charged for the least seal benchmarked.
	pub(crate) fn do_report_storage_fraud(
		reporter: T::AccountId,
		proof: StorageFraudProofOf<T>,
	) -> DispatchResultWithPostInfo {
		let before_seal =
			T::WeightInfo::report_storage_fraud(1).min(Self::storage_fraud_weight(&proof));
		Self::check_fraud_target(&proof).map_err(|error| error.with_weight(before_seal))?;
		Self::check_broken_link(&proof)?;
		let slashed = T::Registry::slash(
			&proof.provider,
			T::StorageFraudSlash::get(),
			Some((&reporter, T::ReporterCut::get())),
		)?;
		Self::drop_datasets(&proof.provider);
		Self::close_audits(&proof.provider);
		Self::deposit_event(Event::StorageFraudProven {
			provider: proof.provider,
			dataset: proof.dataset,
			index: proof.index,
			slashed,
			reporter,
		});
		Ok(Pays::No.into())
	}

	/// `who`'s record of `round`, if it earned anything or was reported about in it.
	pub fn round_record(round: RoundIndex, who: &T::AccountId) -> Option<ProviderRoundStats> {
		ProviderRounds::<T>::get(round, who)
	}

	/// The round's params if `round` is the round in progress or a retained one.
	pub fn round_params(round: RoundIndex) -> Option<RoundParamsOf<T>> {
		Rounds::<T>::get(round).map(|summary| summary.params)
	}
}
