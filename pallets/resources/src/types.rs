//! The records the resource registry keeps.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible, BoundedVec};
pub use proof_of_sync_primitives::ProviderStatus;
use proof_of_sync_primitives::{Capacity, Points, RoundIndex};
use scale_info::TypeInfo;

use crate::Config;

/// The balance type of the currency the bonds are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A provider's endpoint, bounded by `MaxEndpointLen`.
pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;

/// The provider record of a runtime.
pub type ProviderRecordOf<T> = ProviderRecord<BalanceOf<T>, EndpointOf<T>>;

/// How firmly a validator candidate of a runtime holds its place in a full list.
pub type CandidateStandingOf<T> = CandidateStanding<BalanceOf<T>>;

/// A provider registered at genesis: account, endpoint, declared capacity, bond, and whether it is
/// a validator candidate.
pub type GenesisProviderOf<T> =
	(<T as frame_system::Config>::AccountId, alloc::vec::Vec<u8>, Capacity, BalanceOf<T>, bool);

/// What the registry knows about one provider.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct ProviderRecord<Balance, Endpoint> {
	/// Where the provider's node serves challenges and resources, for example
	/// `http://203.0.113.7:30555`.
	pub endpoint: Endpoint,
	/// The capacity the provider declared for each resource kind, in effect since the provider
	/// registered or since `next_capacity` took effect.
	pub capacity: Capacity,
	/// A declared capacity that replaces `capacity` from the round given on: `update_capacity`
	/// takes effect at the next round, so every figure of a round (what verifiers probe, what
	/// counts) is fixed when the round starts. Folded into `capacity` at the next change.
	pub next_capacity: Option<(RoundIndex, Capacity)>,
	/// The provider's place in the registry's slots (`ProviderSlots`), from which the round seed
	/// draws verifiers. Fixed for as long as the record exists.
	pub slot: u32,
	/// The bond held from the provider's account under `HoldReason::ProviderBond`.
	pub bond: Balance,
	/// Where the provider is in its lifecycle.
	pub status: ProviderStatus,
	/// The first round the provider takes part in. Registering or re-activating during round `r`
	/// makes it `r + 1`, so the set of providers of a round is fixed when the round starts.
	pub active_since: RoundIndex,
	/// The round the provider registered in.
	pub registered_at: RoundIndex,
	/// The last round the provider stopped in (was chilled or started leaving) while it was
	/// active in it, if any. It keeps its verifier-ring seat for the rest of that round, even if
	/// it re-activates within it: see [`Self::is_seated_in`].
	pub stopped_in: Option<RoundIndex>,
}

impl<Balance, Endpoint> ProviderRecord<Balance, Endpoint> {
	/// The capacity declared for `round`: `next_capacity` from its round on, else `capacity`.
	pub fn capacity_in(&self, round: RoundIndex) -> Capacity {
		match self.next_capacity {
			Some((from, next)) if round >= from => next,
			_ => self.capacity,
		}
	}

	/// Whether the provider takes part in `round`.
	pub fn is_active_in(&self, round: RoundIndex) -> bool {
		self.status == ProviderStatus::Active && self.active_since <= round
	}

	/// Whether the provider was active when `round` began: active in it now, or active in it
	/// until it stopped during it. A round's verifier ring seats exactly these, so that a provider
	/// that is chilled or leaves mid-round moves nobody else's seat.
	pub fn is_seated_in(&self, round: RoundIndex) -> bool {
		self.is_active_in(round) || self.stopped_in == Some(round)
	}

	/// Notes that the provider stops (is chilled or starts leaving) in `round`: if it was
	/// active in it, it keeps its seat until the round ends.
	pub fn note_stop(&mut self, round: RoundIndex) {
		if self.is_active_in(round) {
			self.stopped_in = Some(round);
		}
	}
}

/// Why a provider stopped being a validator candidate.
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
)]
pub enum CandidateRemovalReason {
	/// It called `opt_out_validator`.
	OptedOut,
	/// It called `leave` (or, found by `remove_candidate`, withdrew already).
	Left,
	/// It was chilled: it missed its challenges, or a slash took its bond below `MinProviderBond`.
	Chilled,
	/// Its bond is below `MinValidatorBond`, after a slash.
	BelowValidatorBond,
	/// It has no session keys (it purged them), so pallet-session would not seat it; found by
	/// `remove_candidate`.
	NoSessionKeys,
}

/// How firmly a validator candidate holds its place in a full candidate list. Ordered field by
/// field: the smallest standing in the list is its weakest member, which a newcomer with a greater
/// standing evicts.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct CandidateStanding<Balance> {
	/// Whether it may be seated: active, bonded at least `MinValidatorBond`, with session keys.
	/// One that may not is weaker than any that may.
	pub qualifies: bool,
	/// Its points in the last closed round that count for a seat: those earned as a candidate
	/// of that round (`RoundPoints::seat_points_of`).
	pub points: Points,
	/// Its bond.
	pub bond: Balance,
}
