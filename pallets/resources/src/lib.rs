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
//! A **provider** is an account that runs a node and declares the compute, storage and bandwidth
//! it offers to the network. To register it names the endpoint its node serves, declares its
//! capacity for each resource kind and puts up a bond of at least `MinProviderBond`, which stays
//! held in its account (a named hold, `ProviderBond`) for as long as it is registered. From the
//! next round on it is **active**: it is challenged to show it follows the chain, scored, and paid
//! for its points. The declared capacity is an upper bound, not a claim that counts: the
//! sync-attestation pallet's verifiers, drawn each round from the providers' slots, measure what a
//! provider really offers, and only that, up to the declared figure, weighs its points. A change of
//! the declared capacity takes effect at the next round. Nothing leases the resources out yet (the
//! `usage` pallet is not built).
//!
//! A provider whose bond reaches `MinValidatorBond` and who has set its session keys may opt in as
//! a **validator candidate**; at each round boundary the sync-attestation pallet ranks the active
//! candidates by their points and chooses from them the block authors of a coming round (it keeps
//! the current authorities when too few candidates earned points).
//!
//! The candidate list holds at most `MaxCandidates`, and only candidates that may be seated keep a
//! place in it: one that is chilled, leaves, or is slashed below `MinValidatorBond` leaves the list
//! at once, and one that purged its session keys can be removed by anyone (`remove_candidate`,
//! free when it succeeds). When the list is full, a newcomer takes the place of its weakest member
//! if it is stronger: a member that may no longer be seated is weaker than any that may; then
//! fewer points in the last closed round is weaker, then a smaller bond. So accounts that never
//! attest cannot hold every place: a provider that earned points, or one with a bigger bond,
//! evicts them.
//!
//! A provider that answered too few of the challenges it expected over its latest closed rounds can
//! be reported by anyone (sync-attestation's `report_offline`) and is then **chilled**: it stops
//! taking part until it calls `reactivate`. Missed challenges alone chill no one. A provider
//! reported for signing two different blocks at one height (sync-attestation's
//! `report_equivocation`) loses part of its bond, and is chilled too if it was active and its bond
//! falls below `MinProviderBond`. So does a verifier whose quality reports overstated what the
//! majority of a target's verifiers measured, `MaxOutlierStrikes` times within `HistoryDepth`
//! rounds. Those are the frauds the chain detects.
//!
//! To leave, a provider calls `leave`; its bond stays held, and can still be slashed for an
//! equivocation, for `UnbondingRounds` rounds, after which `withdraw` releases it.
//!
//! ## Low-level design
//!
//! - One record per provider ([`Providers`]), a counter of active providers ([`ActiveProviders`])
//!   and a bounded list of validator candidates ([`Candidates`]). No hook iterates over providers.
//!   `opt_in_validator` into a full list reads every candidate once (their records, session keys
//!   and last points, through [`Config::Points`]) to find the weakest: at most `MaxCandidates`.
//! - Joining takes effect at a round boundary: a provider registered or re-activated in round `r`
//!   is active from round `r + 1`. Chilling and leaving take effect at once.
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

	/// Make `round` the round in progress (as `Config::RoundClock` tells it), so that a closed
	/// round exists whose points `opt_in_validator` reads.
	fn set_round(round: proof_of_sync_primitives::RoundIndex);
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
	use proof_of_sync_primitives::{
		Capacity, OnProviderWithdrawn, RoundClock, RoundIndex, RoundPoints,
	};
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

		/// Each provider's points in a closed round (the sync-attestation pallet). A full
		/// candidate list evicts its weakest member by the last closed round's points.
		type Points: RoundPoints<Self::AccountId>;

		/// Whether an account has set session keys; a validator candidate needs them.
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;

		/// Told when a provider withdrew, so that other pallets forget what they kept about it
		/// (the sync-attestation pallet). `withdraw` charges its `max_weight`.
		type OnWithdrawn: OnProviderWithdrawn<Self::AccountId>;

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

		/// The most validator candidates at once. A full list admits a newcomer only in place of a
		/// weaker member; `opt_in_validator` then reads every member once.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// The longest endpoint, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// The most capacity a provider may declare, per kind (compute in milli-vCPU, storage in
		/// the probe configuration's storage units, bandwidth in Mbit/s). Only what verifiers
		/// measure counts, up to the declared figure, so this caps what any provider can earn
		/// from capacity even if a majority of its verifiers lied for it.
		#[pallet::constant]
		type MaxCapacity: Get<Capacity>;

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
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, ProviderRecordOf<T>, OptionQuery>;

	/// How many providers are `Active`. Changes with registration, chilling, re-activation and
	/// leaving.
	#[pallet::storage]
	pub type ActiveProviders<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The provider in each slot. A provider takes a slot when it registers and keeps it until it
	/// withdraws; a freed slot goes to a later registration (`FreeSlots`). No provider ever moves
	/// to another slot, so the verifiers the round seed draws from slots (sync-attestation) stay
	/// put for the whole round: a slot filled during a round holds a provider that is not active
	/// until the next.
	#[pallet::storage]
	pub type ProviderSlots<T: Config> = StorageMap<_, Twox64Concat, u32, T::AccountId, OptionQuery>;

	/// How many slots have ever been used: every slot below it is filled or free. At most
	/// `MaxProviders`.
	#[pallet::storage]
	pub type SlotCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The slots freed by `withdraw`, as a stack: position `i < FreeSlotCount` holds a free slot.
	/// Registration takes the top one before it opens a new slot.
	#[pallet::storage]
	pub type FreeSlots<T: Config> = StorageMap<_, Twox64Concat, u32, u32, OptionQuery>;

	/// How many slots `FreeSlots` holds.
	#[pallet::storage]
	pub type FreeSlotCount<T: Config> = StorageValue<_, u32, ValueQuery>;

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
		/// A provider changed its declared capacity; the new figures count from round `from` on.
		CapacityUpdated {
			/// The provider's account.
			provider: T::AccountId,
			/// The new declared capacity.
			capacity: Capacity,
			/// The first round the new capacity is declared for (the next round).
			from: RoundIndex,
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
			/// Why: it opted out or left, was chilled or under-bonded, or had no session keys.
			reason: CandidateRemovalReason,
		},
		/// A full candidate list made room for a stronger newcomer: its weakest member stopped
		/// being a validator candidate. [`Event::CandidateAdded`] for the newcomer follows.
		CandidateEvicted {
			/// The evicted candidate's account.
			evicted: T::AccountId,
			/// The newcomer that took its place.
			by: T::AccountId,
		},
		/// A provider started leaving; it may `withdraw` its bond from round `until_round` on.
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
		/// The account is not a registered provider (or its record was removed by `withdraw`).
		/// Register first, or sign with the provider's account.
		NotProvider,
		/// The registry is full (`MaxProviders`). Wait until a provider leaves.
		TooManyProviders,
		/// The endpoint is longer than `MaxEndpointLen` bytes. Give a shorter address.
		EndpointTooLong,
		/// The endpoint is empty, has bytes other than printable ASCII, or starts with `0x` (which
		/// clients would read as hex bytes). Give an address such as `http://203.0.113.7:30555`.
		InvalidEndpoint,
		/// Every declared capacity is zero. Declare at least one resource kind.
		NoCapacity,
		/// The bond is below `MinProviderBond`. Bond more (or, after a slash, `bond_extra` first).
		BondTooLow,
		/// The account cannot hold that much while staying alive. Lower the amount or fund the
		/// account.
		InsufficientBalance,
		/// The amount is zero. Give a non-zero amount.
		ZeroAmount,
		/// The provider is not active: it is chilled or leaving. A chilled provider calls
		/// `reactivate` first; a leaving one cannot opt in.
		NotActive,
		/// The provider is not chilled (it is active or leaving), so there is nothing to
		/// re-activate. A leaving provider must `withdraw` and register again.
		NotChilled,
		/// The provider is already leaving. Wait for the round named in `LeavingStarted`, then
		/// `withdraw`.
		AlreadyLeaving,
		/// The provider has not called `leave`, so there is no bond to withdraw. Call `leave`
		/// first and wait `UnbondingRounds` rounds.
		NotLeaving,
		/// The unbonding period has not ended. Wait until the round named in `LeavingStarted`.
		StillUnbonding,
		/// The provider is already a validator candidate. Nothing to do.
		AlreadyCandidate,
		/// The provider is not a validator candidate (it never opted in, opted out already, or
		/// left). Nothing to do.
		NotCandidate,
		/// The bond is below `MinValidatorBond`. Use `bond_extra` first.
		BelowValidatorBond,
		/// The account has not set session keys. Call `session.set_keys` (with the keys and the
		/// proof `author_rotateKeysWithOwner` returns) first.
		NoSessionKeys,
		/// There are already `MaxCandidates` validator candidates and none is weaker than the
		/// caller: each may be seated and earned more points in the last closed round than the
		/// caller, or as many with at least the caller's bond. Earn more points (answer your
		/// challenges for a round) or bond more (`bond_extra`), or wait until one leaves.
		TooManyCandidates,
		/// The candidate may still be seated: it is active, bonded at least `MinValidatorBond` and
		/// has session keys, so `remove_candidate` cannot remove it. Only its own
		/// `opt_out_validator` (or `leave`) can.
		CandidateQualifies,
		/// A declared figure is above `MaxCapacity` for its kind. Declare at most the constant
		/// (read it from the metadata); a machine with more earns no more for it.
		CapacityTooLarge,
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
			assert!(!T::MaxCapacity::get().is_zero(), "MaxCapacity must not be zero");
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
		/// - Origin: signed by the account that becomes the provider.
		/// - Effect: holds `bond` (in plancks, at least `MinProviderBond`) from the caller's free
		///   balance under the `ProviderBond` hold and stores its record, `Active`, with `endpoint`
		///   (printable ASCII, at most `MaxEndpointLen` bytes) and the declared `capacity` (compute
		///   in milli-vCPU, storage in GiB, bandwidth in Mbit/s; not all zero). The capacity is an
		///   upper bound: only what the round's verifiers measure, up to the declared figure, earns
		///   points. The provider takes a slot (`ProviderSlots`) and takes part in rounds from the
		///   next round on. The caller must keep at least the existential deposit spendable besides
		///   the bond.
		/// - Events: [`Event::ProviderRegistered`].
		/// - Errors: [`Error::AlreadyRegistered`], [`Error::TooManyProviders`],
		///   [`Error::EndpointTooLong`], [`Error::InvalidEndpoint`], [`Error::NoCapacity`],
		///   [`Error::CapacityTooLarge`], [`Error::BondTooLow`], [`Error::InsufficientBalance`].
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
		///
		/// - Origin: signed by the provider.
		/// - Effect: replaces the endpoint in the caller's record with `endpoint` (printable ASCII,
		///   at most `MaxEndpointLen` bytes). Allowed whatever the provider's state, chilled or
		///   leaving included. No money moves.
		/// - Events: [`Event::EndpointUpdated`].
		/// - Errors: [`Error::EndpointTooLong`], [`Error::InvalidEndpoint`],
		///   [`Error::NotProvider`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_endpoint())]
		pub fn update_endpoint(origin: OriginFor<T>, endpoint: Vec<u8>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_endpoint(who, endpoint)
		}

		/// Change the caller's declared capacity.
		///
		/// - Origin: signed by the provider.
		/// - Effect: declares `capacity` (compute in milli-vCPU, storage in GiB, bandwidth in
		///   Mbit/s; not all zero) from the next round on; the round in progress keeps the figures
		///   it started with. A later call before then replaces this one. Declared capacity is an
		///   upper bound: only what the round's verifiers measure, up to the declared figure, earns
		///   points. Allowed whatever the provider's state. No money moves.
		/// - Events: [`Event::CapacityUpdated`].
		/// - Errors: [`Error::NoCapacity`], [`Error::CapacityTooLarge`], [`Error::NotProvider`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::update_capacity())]
		pub fn update_capacity(origin: OriginFor<T>, capacity: Capacity) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_capacity(who, capacity)
		}

		/// Add `amount` to the caller's bond, for example to reach `MinValidatorBond` or to get
		/// back above `MinProviderBond` after a slash.
		///
		/// - Origin: signed by the provider.
		/// - Effect: holds `amount` (in plancks) more of the caller's free balance under the
		///   `ProviderBond` hold and adds it to the recorded bond. The caller must keep at least
		///   the existential deposit spendable besides. Allowed whatever the provider's state,
		///   leaving included.
		/// - Events: [`Event::BondIncreased`].
		/// - Errors: [`Error::ZeroAmount`], [`Error::NotProvider`], [`Error::InsufficientBalance`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, amount)
		}

		/// Opt in as validator candidate: from the next round boundary on, the caller is ranked for
		/// a seat in the authority set.
		///
		/// - Origin: signed by the provider.
		/// - Effect: adds the caller to the validator candidates. It must be an `Active` provider
		///   (not chilled, not leaving) with at least `MinValidatorBond` bonded and session keys
		///   set (`session.set_keys`). Nothing more is held. Whether it gets a seat depends on its
		///   points in the last closed round (see the sync-attestation pallet). When the list is
		///   full (`MaxCandidates`), the caller takes the place of the weakest member if it is
		///   stronger: a member that may no longer be seated (chilled, leaving, under-bonded or
		///   without session keys) is weaker than any that may; then fewer points in the last
		///   closed round is weaker, then a smaller bond; between equals the higher account is
		///   weaker. The caller, who may be seated, must beat the weakest member on points, or
		///   equal its points with a bigger bond. Finding the weakest reads every member once.
		/// - Events: [`Event::CandidateEvicted`] if a member made room, then
		///   [`Event::CandidateAdded`].
		/// - Errors: [`Error::NotProvider`], [`Error::AlreadyCandidate`], [`Error::NotActive`],
		///   [`Error::BelowValidatorBond`], [`Error::NoSessionKeys`], [`Error::TooManyCandidates`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::opt_in_validator())]
		pub fn opt_in_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_opt_in_validator(who)
		}

		/// Stop being a validator candidate.
		///
		/// - Origin: signed by the provider.
		/// - Effect: removes the caller from the validator candidates, so it is no longer ranked at
		///   round boundaries. A seat it holds, or was already chosen for at the last round
		///   boundary, it keeps until that round ends. No money moves.
		/// - Events: [`Event::CandidateRemoved`] (reason `OptedOut`).
		/// - Errors: [`Error::NotProvider`], [`Error::NotCandidate`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::opt_out_validator())]
		pub fn opt_out_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_opt_out_validator(who)
		}

		/// Start leaving: the caller stops taking part in rounds at once and may `withdraw` its
		/// bond after `UnbondingRounds` rounds.
		///
		/// - Origin: signed by the provider (active or chilled).
		/// - Effect: sets the caller's status to `Leaving` until round `current + UnbondingRounds`
		///   and removes it from the validator candidates. Its challenges still open this round can
		///   no longer be answered. The bond stays held, and can still be slashed for an
		///   equivocation, until it is withdrawn. There is no undoing it: to provide again,
		///   `withdraw`, then `register` anew.
		/// - Events: [`Event::CandidateRemoved`] (reason `Left`) if the caller was a candidate,
		///   then [`Event::LeavingStarted`].
		/// - Errors: [`Error::NotProvider`], [`Error::AlreadyLeaving`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave(who)
		}

		/// Release the bond of a provider whose unbonding period is over and remove its record.
		///
		/// - Origin: signed by the provider that called `leave`.
		/// - Effect: from the round named in [`Event::LeavingStarted`] on, releases everything
		///   still held from the caller under the `ProviderBond` hold (what is left of the bond
		///   after any slash, in plancks) to its free balance, and deletes its provider record; the
		///   other pallets forget it too (`OnWithdrawn`: in the runtime, its signing keys, dataset
		///   commitments, strikes and audit record in the sync-attestation pallet).
		/// - Events: [`Event::Withdrawn`].
		/// - Errors: [`Error::NotProvider`], [`Error::NotLeaving`], [`Error::StillUnbonding`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw().saturating_add(T::OnWithdrawn::max_weight()))]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who)
		}

		/// Bring a chilled provider back: it takes part in rounds again from the next round on.
		///
		/// - Origin: signed by the chilled provider.
		/// - Effect: sets the caller's status back to `Active`, taking part from the next round on.
		///   Its bond must be at least `MinProviderBond` (after a slash, `bond_extra` first). Being
		///   chilled ended any validator candidacy: to be a candidate again, call
		///   `opt_in_validator` afterwards. No money moves.
		/// - Events: [`Event::Reactivated`].
		/// - Errors: [`Error::NotProvider`], [`Error::NotChilled`], [`Error::BondTooLow`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::reactivate())]
		pub fn reactivate(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reactivate(who)
		}

		/// Remove a validator candidate that may no longer be seated, so that it does not hold a
		/// place in the list.
		///
		/// - Origin: signed by any account. It pays no fee when the removal succeeds; a refused one
		///   pays its fee.
		/// - Effect: removes `who` from the validator candidates if it is chilled or leaving (or
		///   withdrew), bonded below `MinValidatorBond`, or has no session keys (it purged them:
		///   pallet-session would not seat it). Chilling, leaving and slashes below
		///   `MinValidatorBond` remove a candidate by themselves; purged session keys only this
		///   call notices. No money moves.
		/// - Events: [`Event::CandidateRemoved`] with the reason.
		/// - Errors: [`Error::NotCandidate`], [`Error::CandidateQualifies`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::remove_candidate())]
		pub fn remove_candidate(
			origin: OriginFor<T>,
			who: T::AccountId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_remove_candidate(who)?;
			Ok(Pays::No.into())
		}
	}
}
