//! # Proof of Sync primitives
//!
//! The types and the small traits the Proof of Sync pallets share. Each pallet owns its storage and
//! asks the others for what it needs only through the traits here, so every pallet can be tested
//! alone with a mock runtime that implements the traits it uses.
//!
//! - [`RoundClock`]: which Proof of Sync round is running (rounds are pallet-session sessions).
//! - [`ProviderRegistry`]: what the resource registry tells the sync-attestation pallet and the
//!   session manager about providers, and how they chill or slash one.
//! - [`RoundPoints`] and [`OnRoundClosed`]: how the rewards pallet learns a closed round's points.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{DispatchResult, Perbill, Weight};

/// Index of a Proof of Sync round. A round is a pallet-session session, so this is the session
/// index.
pub type RoundIndex = u32;

/// The most entries one page of a round's leaderboard holds: the runtime API returns at most this
/// many, and the `proofOfSync_leaderboard` RPC refuses a larger `pageSize`.
pub const MAX_LEADERBOARD_PAGE: u32 = 100;

/// Reward points a provider earns in a round. Points are only compared with the round's total, so
/// their unit is arbitrary; `u128` leaves room for capacity × factor products.
pub type Points = u128;

/// The kinds of resource a provider declares capacity for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum ResourceKind {
	/// Compute, in milli-vCPU (1 000 = one virtual CPU).
	Compute,
	/// Storage, in GiB.
	Storage,
	/// Bandwidth, in Mbit/s.
	Bandwidth,
}

impl ResourceKind {
	/// Every kind, in a fixed order.
	pub const ALL: [ResourceKind; 3] =
		[ResourceKind::Compute, ResourceKind::Storage, ResourceKind::Bandwidth];
}

/// The capacity a provider declares, one figure per [`ResourceKind`]. Nothing measures it yet.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct Capacity {
	/// Compute, in milli-vCPU.
	pub compute: u64,
	/// Storage, in GiB.
	pub storage: u64,
	/// Bandwidth, in Mbit/s.
	pub bandwidth: u64,
}

impl Capacity {
	/// The figure for one kind.
	pub fn of(&self, kind: ResourceKind) -> u64 {
		match kind {
			ResourceKind::Compute => self.compute,
			ResourceKind::Storage => self.storage,
			ResourceKind::Bandwidth => self.bandwidth,
		}
	}

	/// Whether no kind has any capacity.
	pub fn is_zero(&self) -> bool {
		ResourceKind::ALL.iter().all(|kind| self.of(*kind) == 0)
	}
}

/// Where a provider is in its lifecycle.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ProviderStatus {
	/// Takes part in rounds from the provider's `active_since` round on: it is challenged, scored
	/// and paid, and may be an authority if it is a validator candidate.
	Active,
	/// Out of the active set after a liveness fault or a slash below the minimum bond. The bond
	/// stays held; the provider's `reactivate` call brings it back.
	Chilled,
	/// Announced leaving. The bond stays held, and slashable, until round `until_round`; then
	/// `withdraw` releases it and removes the record.
	Leaving {
		/// The first round in which the bond may be withdrawn.
		until_round: RoundIndex,
	},
}

/// Which Proof of Sync round is running.
pub trait RoundClock {
	/// The index of the round in progress.
	fn current_round() -> RoundIndex;
}

/// What the resource registry tells the other pallets about providers.
///
/// Implemented by the resources pallet; used by the sync-attestation pallet (who may be challenged,
/// who may become an authority, whom to chill or slash).
pub trait ProviderRegistry<AccountId, Balance> {
	/// Whether `who` is an active provider that takes part in `round`: registered (or re-activated)
	/// before `round` began, not chilled and not leaving.
	fn is_active_in(who: &AccountId, round: RoundIndex) -> bool;

	/// How many providers are active now. Kept as a counter: O(1).
	fn active_count() -> u32;

	/// The capacity `who` declared, if it is a provider.
	fn declared_capacity(who: &AccountId) -> Option<Capacity>;

	/// The validator candidates that may become authorities now (active, opted in, bonded at least
	/// the validator minimum), each with its bond. Bounded by the registry's candidate limit.
	fn candidates() -> Vec<(AccountId, Balance)>;

	/// Take `who` out of the active set for a liveness fault. Its bond is untouched; it may
	/// re-activate itself.
	fn chill(who: &AccountId) -> DispatchResult;

	/// Slash `fraction` of `who`'s bond for provable fraud. `reporter_cut` of the slashed amount
	/// goes to `reporter`, the rest to the registry's slash destination. Returns the amount
	/// slashed.
	fn slash(
		who: &AccountId,
		fraction: Perbill,
		reporter: Option<(&AccountId, Perbill)>,
	) -> Result<Balance, sp_runtime::DispatchError>;
}

/// The points of a round, as the pallet that scores providers sees them.
pub trait RoundPoints<AccountId> {
	/// Points `who` earned in `round`.
	fn points_of(round: RoundIndex, who: &AccountId) -> Points;

	/// The sum of every provider's points in `round`.
	fn total_points(round: RoundIndex) -> Points;
}

/// Called once when a round closes and its points are final.
pub trait OnRoundClosed {
	/// `round` has closed. Returns the weight used.
	fn on_round_closed(round: RoundIndex) -> Weight;
}

impl OnRoundClosed for () {
	fn on_round_closed(_round: RoundIndex) -> Weight {
		Weight::zero()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn capacity_of_each_kind() {
		let c = Capacity { compute: 1, storage: 2, bandwidth: 3 };
		assert_eq!(ResourceKind::ALL.map(|k| c.of(k)), [1, 2, 3]);
		assert!(!c.is_zero());
		assert!(Capacity::default().is_zero());
	}
}
