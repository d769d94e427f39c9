//! What the Proof of Sync runtime API shows, assembled from the pallets' read helpers: no view
//! reads a pallet's storage itself.

use alloc::vec::Vec;
use pallet_sync_attestation::SyncKeys;
use proof_of_sync_primitives::{Capacity, ProviderRegistry, ResourceKind, RoundClock};
use proof_of_sync_runtime_api::{
	Assignment, KindUtilization, LeaderboardEntry, LeaseInfo, PendingReward, ProviderInfo,
	QualityReportInfo, RoundIndex, RoundInfo, RoundUsage, ScoreBreakdown, TargetQuality,
};

use crate::{
	configs::SessionSyncKeys, AccountId, Balance, BlockNumber, Resources, Rewards, Runtime,
	Session, SyncAttestation, Usage, ROUND_LENGTH,
};

/// The round in progress.
pub fn round_info() -> Option<RoundInfo<BlockNumber>> {
	let params = SyncAttestation::round_in_progress()?;
	let summary = SyncAttestation::round_summary(params.index);
	Some(RoundInfo {
		index: params.index,
		start: params.start,
		length: ROUND_LENGTH,
		next_start: params.start.saturating_add(ROUND_LENGTH),
		challenge_odds: params.challenge_odds,
		expected_challenges_milli: (params.expected_challenges_ppb() / 1_000_000)
			.try_into()
			.unwrap_or(u32::MAX),
		providers: params.providers,
		active_providers: <Resources as ProviderRegistry<_, _>>::active_count(),
		attestations: summary.as_ref().map_or(0, |s| s.attestations),
		total_points: summary.map_or(0, |s| s.total_points),
		last_closed: SyncAttestation::last_closed_round(),
	})
}

/// A provider's record.
pub fn provider(who: AccountId) -> Option<ProviderInfo<Balance>> {
	let info = Resources::provider(&who)?;
	let now = <SyncAttestation as RoundClock>::current_round();
	let capacity = info.capacity_in(now);
	let next = info.capacity_in(now.saturating_add(1));
	Some(ProviderInfo {
		endpoint: info.endpoint.into_inner(),
		capacity,
		next_capacity: (next != capacity).then_some(next),
		dataset: SyncAttestation::dataset_in(&who, now.saturating_add(1)),
		bond: info.bond,
		status: info.status,
		active_since: info.active_since,
		registered_at: info.registered_at,
		candidate: Resources::is_candidate(&who),
		authority: Session::validators().contains(&who),
		has_sync_key: SessionSyncKeys::key_of(&who).is_some(),
	})
}

/// `who`'s challenge blocks so far in the round in progress (later ones are not known yet).
pub fn challenges(who: AccountId) -> Vec<BlockNumber> {
	SyncAttestation::challenges_so_far(&who)
}

/// `who`'s score in `round`, with what a claim would pay.
pub fn score_breakdown(who: AccountId, round: RoundIndex) -> Option<ScoreBreakdown<Balance>> {
	let score = SyncAttestation::sync_score(&who, round)?;
	let total_points =
		SyncAttestation::round_summary(round).map_or(0, |summary| summary.total_points);
	let record = SyncAttestation::round_record(round, &who).unwrap_or_default();
	let reports = SyncAttestation::quality_reports(round, &who);
	let declared =
		<Resources as ProviderRegistry<_, _>>::declared_capacity(&who, round).unwrap_or_default();
	let counted = |kind| declared.of(kind).min(reports.measured.of(kind));
	Some(ScoreBreakdown {
		round,
		closed: SyncAttestation::is_closed(round),
		expected_challenges_milli: score.expected_challenges_milli,
		answered: score.answered,
		uptime: score.uptime,
		mean_lag: score.mean_lag,
		sync: score.sync,
		base_points: crate::configs::BasePoints::get(),
		declared,
		measured: reports.measured,
		counted: Capacity {
			compute: counted(ResourceKind::Compute),
			storage: counted(ResourceKind::Storage),
			bandwidth: counted(ResourceKind::Bandwidth),
		},
		quality: reports.quality,
		capacity_points: record.capacity_points,
		usage_points: SyncAttestation::usage_points_of_stats(&record),
		disputed_points: SyncAttestation::disputed_points_of_stats(&record),
		penalty: record.penalty,
		points: score.points,
		total_points,
		share: score.share,
		reward: Rewards::reward_of(round, &who),
		claimed: Rewards::is_claimed(round, &who),
	})
}

/// The rewards `who` may claim, oldest round first.
pub fn pending_rewards(who: AccountId) -> Vec<PendingReward<Balance>> {
	Rewards::pending_rewards(&who)
		.into_iter()
		.map(|(round, amount)| PendingReward { round, amount })
		.collect()
}

/// A page of `round`'s leaderboard.
pub fn leaderboard(
	round: RoundIndex,
	page: u32,
	page_size: u32,
) -> Vec<LeaderboardEntry<AccountId>> {
	SyncAttestation::leaderboard(round, page, page_size)
		.into_iter()
		.map(|(account, points)| LeaderboardEntry { account, points })
		.collect()
}

/// The targets `verifier` probes in the round in progress, with their endpoints.
pub fn verifier_assignments(verifier: AccountId) -> Vec<Assignment<AccountId>> {
	let Some(round) = SyncAttestation::round_in_progress() else { return Vec::new() };
	SyncAttestation::targets_of(&verifier, &round)
		.into_iter()
		.filter_map(|target| {
			let info = Resources::provider(&target)?;
			Some(Assignment {
				round: round.index,
				declared: info.capacity_in(round.index),
				endpoint: info.endpoint.into_inner(),
				dataset: SyncAttestation::dataset_in(&target, round.index),
				target,
			})
		})
		.collect()
}

/// The verifiers of `target` in the round in progress.
pub fn verifiers(target: AccountId) -> Vec<AccountId> {
	SyncAttestation::round_in_progress()
		.map(|round| SyncAttestation::verifiers_of(&target, &round).into_inner())
		.unwrap_or_default()
}

/// What `round`'s verifiers reported about `target`.
pub fn quality_reports(target: AccountId, round: RoundIndex) -> Option<TargetQuality<AccountId>> {
	let params = SyncAttestation::round_params(round)?;
	let record = SyncAttestation::quality_reports(round, &target);
	Some(TargetQuality {
		round,
		verifiers: SyncAttestation::verifiers_of(&target, &params).into_inner(),
		slots: record.slots,
		reports: record
			.reports
			.iter()
			.map(|(verifier, m)| QualityReportInfo {
				verifier: verifier.clone(),
				reachable: m.reachable,
				latency_ms: m.latency_ms,
				measured: m.measured,
				quality: SyncAttestation::quality_of(m),
			})
			.collect(),
		measured: record.measured,
		quality: record.quality,
		judged: record.judged,
		target,
	})
}

/// The `sync` key of `who`'s session keys, as bytes.
pub fn sync_key(who: AccountId) -> Option<[u8; 32]> {
	SessionSyncKeys::key_of(&who).map(|key| key.into_inner().0)
}

/// The account whose `sync` key `key` is.
pub fn sync_key_owner(key: [u8; 32]) -> Option<AccountId> {
	SessionSyncKeys::owner_of(&sp_core::sr25519::Public::from_raw(key).into())
}

/// A lease as the runtime API shows it.
fn lease_info(id: u64, lease: pallet_usage::LeaseOf<Runtime>) -> LeaseInfo<AccountId, Balance> {
	LeaseInfo {
		id,
		consumer: lease.consumer,
		provider: lease.provider,
		kind: lease.kind,
		units_per_round: lease.units_per_round,
		quota: lease.quota,
		price: lease.price,
		start_round: lease.start_round,
		end_round: lease.end_round,
		settled_to: lease.settled_to,
		opened_after: lease.opened_after.into(),
		deposited: lease.deposited,
		escrow: lease.escrow,
		paid: lease.paid,
		fees: lease.fees,
		refunded: lease.refunded,
		usage: lease
			.records
			.iter()
			.map(|record| RoundUsage {
				round: record.round,
				counter: record.counter,
				receipted: record.receipted,
				disputed: record.disputed,
			})
			.collect(),
	}
}

/// The leases of `who` not closed yet: those it pays for, then those it serves.
pub fn leases(who: AccountId) -> Vec<LeaseInfo<AccountId, Balance>> {
	Usage::leases_of(&who)
		.into_iter()
		.map(|(id, lease)| lease_info(id, lease))
		.collect()
}

/// Lease `id`, if it is not closed.
pub fn lease(id: u64) -> Option<LeaseInfo<AccountId, Balance>> {
	Usage::lease(id).map(|lease| lease_info(id, lease))
}

/// How much of each kind of `provider`'s capacity its leases book.
pub fn utilization(provider: AccountId) -> Vec<KindUtilization<Balance>> {
	Usage::utilization_of(&provider)
		.into_iter()
		.map(|(kind, price, capacity, booked, leases)| KindUtilization {
			kind,
			price,
			capacity,
			booked,
			leases,
		})
		.collect()
}
