//! The records the resource registry keeps.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible, BoundedVec};
pub use proof_of_sync_primitives::ProviderStatus;
use proof_of_sync_primitives::{Capacity, RoundIndex};
use scale_info::TypeInfo;

use crate::Config;

/// The balance type of the currency the bonds are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A provider's endpoint, bounded by `MaxEndpointLen`.
pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;

/// The provider record of a runtime.
pub type ProviderRecordOf<T> = ProviderRecord<BalanceOf<T>, EndpointOf<T>>;

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
	/// The capacity the provider declared for each resource kind.
	pub capacity: Capacity,
	/// The bond held from the provider's account under `HoldReason::ProviderBond`.
	pub bond: Balance,
	/// Where the provider is in its lifecycle.
	pub status: ProviderStatus,
	/// The first round the provider takes part in. Registering or re-activating during round `r`
	/// makes it `r + 1`, so the set of providers of a round is fixed when the round starts.
	pub active_since: RoundIndex,
	/// The round the provider registered in.
	pub registered_at: RoundIndex,
}

impl<Balance, Endpoint> ProviderRecord<Balance, Endpoint> {
	/// Whether the provider takes part in `round`.
	pub fn is_active_in(&self, round: RoundIndex) -> bool {
		self.status == ProviderStatus::Active && self.active_since <= round
	}
}
