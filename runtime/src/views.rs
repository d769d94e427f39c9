//! What the Proof of Sync runtime API shows, assembled from the pallets' read helpers: no view
//! reads a pallet's storage itself.

use alloc::vec::Vec;
use pallet_sync_attestation::SyncKeys;
use proof_of_sync_primitives::ProviderRegistry;
use proof_of_sync_runtime_api::{
	LeaderboardEntry, PendingReward, ProviderInfo, RoundIndex, RoundInfo, ScoreBreakdown,
};

use crate::{
	configs::SessionSyncKeys, AccountId, Balance, BlockNumber, Resources, Rewards, Session,
	SyncAttestation, ROUND_LENGTH,
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
	Some(ProviderInfo {
		endpoint: info.endpoint.into_inner(),
		capacity: info.capacity,
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
	Some(ScoreBreakdown {
		round,
		closed: SyncAttestation::is_closed(round),
		expected_challenges_milli: score.expected_challenges_milli,
		answered: score.answered,
		uptime: score.uptime,
		mean_lag: score.mean_lag,
		sync: score.sync,
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
