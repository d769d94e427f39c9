//! # Resources pallet
//!
//! The Proof of Sync resource registry: who provides what, with what bond, and in which state.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, events, errors, storage and configuration.
//!
//! ## Overview
//!
//! A **provider** is an account that runs a node and offers compute, storage and bandwidth to the
//! network. To register it names the endpoint its node serves, declares its capacity for each
//! resource kind and puts up a bond of at least `MinProviderBond`, which stays held in its account
//! (a named hold, `ProviderBond`) for as long as it is registered. From the next round on it is
//! **active**: it is challenged to prove it is in sync, scored, and paid for what it contributes.
//!
//! A provider whose bond reaches `MinValidatorBond` and who has set its session keys may opt in as
//! a **validator candidate**; the chain picks each round's block authors from its candidates.
//!
//! A provider that keeps missing its challenges is **chilled**: it stops taking part until it
//! calls `reactivate`. A provider that proves itself a cheat (for example by signing two different
//! blocks for one height) loses part of its bond.
//!
//! To leave, a provider calls `leave`; its bond stays held, and can still be slashed for fraud,
//! for `UnbondingRounds` rounds, after which `withdraw` releases it.
//!
//! ## Low-level design
//!
//! - One record per provider ([`Providers`]), a counter of active providers ([`ActiveProviders`])
//!   and a bounded list of validator candidates ([`Candidates`]). No hook iterates over providers.
//! - Changes take effect at round boundaries: a provider registered or re-activated in round `r` is
//!   active from round `r + 1`.
//! - Other pallets reach the registry only through [`proof_of_sync_primitives::ProviderRegistry`],
//!   which this pallet implements (activity, capacity, candidates, chill, slash).
//! - The bond is the provider's balance on hold under [`HoldReason::ProviderBond`]; `try_state`
//!   checks that every record's bond equals that hold.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

const LOG_TARGET: &str = "runtime::resources";

/// What a benchmark of this pallet needs from the runtime that is not this pallet's to do.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Give `who` session keys, so it may opt in as validator candidate.
	fn set_session_keys(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect},
			tokens::imbalance::OnUnbalanced,
			ValidatorRegistration,
		},
	};
	use frame_system::pallet_prelude::*;
	use proof_of_sync_primitives::{Capacity, RoundClock, RoundIndex};
	use sp_runtime::traits::Zero;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A provider's bond, held while it is registered and during its unbonding period.
		ProviderBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency bonds are held in.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Which round is running.
		type RoundClock: RoundClock;

		/// Whether an account has set session keys; a validator candidate needs them.
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;

		/// Where slashed bonds go (the part not paid to a reporter).
		type Slash: OnUnbalanced<fungible::Credit<Self::AccountId, Self::Currency>>;

		/// The least bond a provider may register with.
		#[pallet::constant]
		type MinProviderBond: Get<BalanceOf<Self>>;

		/// The least bond a validator candidate must keep.
		#[pallet::constant]
		type MinValidatorBond: Get<BalanceOf<Self>>;

		/// The most providers that may be registered at once.
		#[pallet::constant]
		type MaxProviders: Get<u32>;

		/// The most validator candidates at once.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// The longest endpoint, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// How many rounds a leaving provider's bond stays held (and slashable).
		#[pallet::constant]
		type UnbondingRounds: Get<RoundIndex>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// What the benchmarks need from the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Every registered provider, leaving ones included.
	#[pallet::storage]
	pub type Providers<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, ProviderInfoOf<T>, OptionQuery>;

	/// How many providers are `Active`. Changes with registration, chilling, re-activation and
	/// leaving.
	#[pallet::storage]
	pub type ActiveProviders<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The providers that opted in as validator candidates.
	#[pallet::storage]
	pub type Candidates<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxCandidates>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider registered; it takes part in rounds from `active_since` on.
		ProviderRegistered {
			/// The provider's account.
			provider: T::AccountId,
			/// The bond now held.
			bond: BalanceOf<T>,
			/// The declared capacity.
			capacity: Capacity,
			/// The first round the provider takes part in.
			active_since: RoundIndex,
		},
		/// A provider changed its endpoint.
		EndpointUpdated {
			/// The provider's account.
			provider: T::AccountId,
		},
		/// A provider changed its declared capacity.
		CapacityUpdated {
			/// The provider's account.
			provider: T::AccountId,
			/// The new declared capacity.
			capacity: Capacity,
		},
		/// A provider added to its bond.
		BondIncreased {
			/// The provider's account.
			provider: T::AccountId,
			/// How much was added.
			amount: BalanceOf<T>,
			/// The bond now held.
			bond: BalanceOf<T>,
		},
		/// A provider opted in as validator candidate.
		CandidateAdded {
			/// The provider's account.
			provider: T::AccountId,
		},
		/// A provider stopped being a validator candidate.
		CandidateRemoved {
			/// The provider's account.
			provider: T::AccountId,
		},
		/// A provider announced it is leaving; its bond is released from `until_round` on.
		LeavingStarted {
			/// The provider's account.
			provider: T::AccountId,
			/// The first round `withdraw` succeeds in.
			until_round: RoundIndex,
		},
		/// A provider that left withdrew its bond and its record was removed.
		Withdrawn {
			/// The provider's account.
			provider: T::AccountId,
			/// The bond released.
			amount: BalanceOf<T>,
		},
		/// A provider was chilled: it takes no part in rounds until it re-activates.
		Chilled {
			/// The provider's account.
			provider: T::AccountId,
		},
		/// A chilled provider re-activated; it takes part in rounds from `active_since` on.
		Reactivated {
			/// The provider's account.
			provider: T::AccountId,
			/// The first round the provider takes part in again.
			active_since: RoundIndex,
		},
		/// Part of a provider's bond was slashed for fraud.
		Slashed {
			/// The provider's account.
			provider: T::AccountId,
			/// The amount taken from the bond.
			amount: BalanceOf<T>,
			/// Who reported the fraud, if anyone did.
			reporter: Option<T::AccountId>,
			/// The part of `amount` paid to the reporter.
			reporter_reward: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered provider. Use `update_endpoint`,
		/// `update_capacity` or `bond_extra` to change its record.
		AlreadyRegistered,
		/// The account is not a registered provider. Register first.
		NotProvider,
		/// The registry is full (`MaxProviders`). Wait until a provider leaves.
		TooManyProviders,
		/// The endpoint is longer than `MaxEndpointLen` bytes.
		EndpointTooLong,
		/// The endpoint is empty or has bytes other than printable ASCII. Give an address such as
		/// `http://203.0.113.7:30555`.
		InvalidEndpoint,
		/// Every declared capacity is zero. Declare at least one resource kind.
		NoCapacity,
		/// The bond is below `MinProviderBond`. Bond more (or, after a slash, `bond_extra` first).
		BondTooLow,
		/// The account cannot hold that much while staying alive. Lower the amount or fund the
		/// account.
		InsufficientBalance,
		/// The amount is zero.
		ZeroAmount,
		/// The provider is not active (it is chilled or leaving). Re-activate it first.
		NotActive,
		/// The provider is not chilled, so there is nothing to re-activate.
		NotChilled,
		/// The provider is already leaving.
		AlreadyLeaving,
		/// The provider has not called `leave`, so there is no bond to withdraw.
		NotLeaving,
		/// The unbonding period has not ended. Wait until the round named in `LeavingStarted`.
		StillUnbonding,
		/// The provider is already a validator candidate.
		AlreadyCandidate,
		/// The provider is not a validator candidate.
		NotCandidate,
		/// The bond is below `MinValidatorBond`. Use `bond_extra` first.
		BelowValidatorBond,
		/// The account has not set session keys. Call `session.set_keys` (with the keys and the
		/// proof `author_rotateKeysWithOwner` returns) first.
		NoSessionKeys,
		/// There are already `MaxCandidates` validator candidates.
		TooManyCandidates,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Providers registered at genesis: account, endpoint, declared capacity, bond, and
		/// whether it is a validator candidate. They are active from round 0.
		pub providers: Vec<GenesisProviderOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (who, endpoint, capacity, bond, candidate) in &self.providers {
				Pallet::<T>::genesis_register(who, endpoint, *capacity, *bond, *candidate)
					.unwrap_or_else(|e| panic!("genesis provider {who:?}: {e:?}"));
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(!T::MinProviderBond::get().is_zero(), "MinProviderBond must not be zero");
			assert!(
				T::MinValidatorBond::get() >= T::MinProviderBond::get(),
				"MinValidatorBond must be at least MinProviderBond"
			);
			assert!(
				T::MinProviderBond::get() >= T::Currency::minimum_balance(),
				"MinProviderBond must be at least the existential deposit"
			);
			assert!(T::MaxProviders::get() > 0, "MaxProviders must not be zero");
			assert!(T::MaxCandidates::get() > 0, "MaxCandidates must not be zero");
			assert!(T::MaxEndpointLen::get() > 0, "MaxEndpointLen must not be zero");
			assert!(T::UnbondingRounds::get() > 0, "UnbondingRounds must not be zero");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a provider.
		///
		/// `endpoint` is where its node serves (printable ASCII, at most `MaxEndpointLen` bytes),
		/// `capacity` what it offers, and `bond` (at least `MinProviderBond`) is held from its
		/// account until it leaves. It takes part in rounds from the next round on.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			endpoint: Vec<u8>,
			capacity: Capacity,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, endpoint, capacity, bond)
		}

		/// Change the caller's endpoint.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_endpoint())]
		pub fn update_endpoint(origin: OriginFor<T>, endpoint: Vec<u8>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_endpoint(who, endpoint)
		}

		/// Change the caller's declared capacity.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::update_capacity())]
		pub fn update_capacity(origin: OriginFor<T>, capacity: Capacity) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_capacity(who, capacity)
		}

		/// Add `amount` to the caller's bond, for example to reach `MinValidatorBond` or to get
		/// back above `MinProviderBond` after a slash.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, amount)
		}

		/// Opt in as validator candidate. The caller must be an active provider with at least
		/// `MinValidatorBond` bonded and session keys set.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::opt_in_validator())]
		pub fn opt_in_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_opt_in_validator(who)
		}

		/// Stop being a validator candidate. An authority stays one until the round ends.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::opt_out_validator())]
		pub fn opt_out_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_opt_out_validator(who)
		}

		/// Start leaving: the caller stops taking part in rounds now and may `withdraw` its bond
		/// after `UnbondingRounds` rounds. Until then the bond can still be slashed for fraud.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave(who)
		}

		/// Release the bond of a provider whose unbonding period is over and remove its record.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who)
		}

		/// Bring a chilled provider back: it takes part in rounds again from the next round on.
		/// Its bond must be at least `MinProviderBond`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::reactivate())]
		pub fn reactivate(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reactivate(who)
		}
	}
}
