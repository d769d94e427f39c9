//! What the Proof of Sync runtime API shows, assembled from the three pallets.

use alloc::vec::Vec;
use pallet_sync_attestation::SyncKeys;
use pallet_sync_attestation_runtime_api::{ProviderState, ProviderView, RoundView, ScoreView};
use pos_primitives::{Points, ProviderRegistry, RoundIndex};

use crate::{
	configs::SessionSyncKeys, AccountId, Balance, BlockNumber, Resources, Rewards, Session,
	SyncAttestation, ROUND_LENGTH,
};

/// The round in progress.
pub fn round() -> Option<RoundView<BlockNumber>> {
	let info = SyncAttestation::round_info()?;
	let summary = SyncAttestation::round_summary(info.index);
	Some(RoundView {
		index: info.index,
		start: info.start,
		length: ROUND_LENGTH,
		next_start: info.start.saturating_add(ROUND_LENGTH),
		challenges_per_provider: info.challenges_per_provider,
		providers: info.providers,
		active_providers: <Resources as ProviderRegistry<_, _>>::active_count(),
		attestations: summary.as_ref().map_or(0, |s| s.attestations),
		total_points: summary.map_or(0, |s| s.total_points),
		last_closed: pallet_sync_attestation::LastClosedRound::<crate::Runtime>::get(),
	})
}

/// A provider's record.
pub fn provider(who: AccountId) -> Option<ProviderView<Balance>> {
	let info = Resources::provider(&who)?;
	let status = match info.status {
		pallet_resources::ProviderStatus::Active => ProviderState::Active,
		pallet_resources::ProviderStatus::Chilled => ProviderState::Chilled,
		pallet_resources::ProviderStatus::Leaving { until_round } =>
			ProviderState::Leaving { until_round },
	};
	Some(ProviderView {
		endpoint: info.endpoint.into_inner(),
		capacity: info.capacity,
		bond: info.bond,
		status,
		active_since: info.active_since,
		registered_at: info.registered_at,
		candidate: Resources::is_candidate(&who),
		authority: Session::validators().contains(&who),
		has_sync_key: SessionSyncKeys::key_of(&who).is_some(),
	})
}

/// `who`'s challenge blocks in the round in progress.
pub fn challenges(who: AccountId) -> Vec<BlockNumber> {
	SyncAttestation::round_info()
		.map(|info| SyncAttestation::challenges_of(&who, info.index))
		.unwrap_or_default()
}

/// `who`'s score in `round`, with what a claim would pay.
pub fn score(who: AccountId, round: RoundIndex) -> Option<ScoreView<Balance>> {
	let score = SyncAttestation::score_breakdown(&who, round)?;
	let total_points =
		SyncAttestation::round_summary(round).map_or(0, |summary| summary.total_points);
	let closed = pallet_sync_attestation::LastClosedRound::<crate::Runtime>::get()
		.is_some_and(|last| round <= last);
	Some(ScoreView {
		round,
		closed,
		assigned: score.assigned,
		answered: score.answered,
		uptime: score.uptime,
		mean_lag: score.mean_lag,
		sync: score.sync,
		points: score.points,
		total_points,
		share: score.share,
		reward: Rewards::reward_of(round, &who),
		claimed: pallet_rewards::Claimed::<crate::Runtime>::contains_key(round, &who),
	})
}

/// A page of `round`'s leaderboard.
pub fn leaderboard(round: RoundIndex, page: u32, page_size: u32) -> Vec<(AccountId, Points)> {
	SyncAttestation::leaderboard(round, page, page_size)
}
