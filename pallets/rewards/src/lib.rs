//! # Rewards Pallet
//!
//! Pays each closed Proof of Sync round's emission out of a reward pot to the round's providers, in
//! proportion to the points they earned.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the full list of configuration items, dispatchables, storage
//! items, events and errors. In short:
//!
//! - [`Call::claim_rewards`]: a provider collects its share of a closed round.
//! - [`Call::payout`]: anyone pays a provider's share of a closed round out to that provider.
//! - [`proof_of_sync_primitives::OnRoundClosed`]: the pallet that closes rounds tells this pallet,
//!   which then fixes the round's emission and retires the round that fell out of the history.
//! - [`Pallet::pot_account`], [`Pallet::reward_of`], [`Pallet::pending_rewards`]: read helpers for
//!   the runtime API.
//!
//! ## Overview
//!
//! Providers earn points in the pallet that scores rounds ([`Config::Points`]). In the Proof of
//! Sync runtime that is the sync-attestation pallet: a provider earns points for each sync
//! challenge it answers in time, and less for a late answer, worth its capacity as its verifiers
//! measured it and what its leases were paid for (the usage pallet), up to a share of that
//! capacity. When a round ends, this pallet sets aside that round's
//! reward, the *emission*, from a reward pot, an account no one holds a key to. Each provider may
//! then collect its part of the emission: its points divided by everyone's points that round.
//!
//! Collecting is up to the provider (or anyone acting for it, since the money always goes to the
//! provider). Rewards wait for [`Config::HistoryDepth`] rounds; after that they are no longer
//! claimable and what nobody collected stays in the pot for future rounds. The pot never pays out
//! more than it holds: if it runs low, the emission of a round shrinks to what is there.
//!
//! ## Low Level / Implementation Details
//!
//! ### Emission
//!
//! When round `r` closes ([`proof_of_sync_primitives::OnRoundClosed::on_round_closed`]) the pallet
//! reads `Σ points` of `r` once, from [`Config::Points`], and stores a [`RoundReward`] with
//!
//! ```text
//! emission = min(RoundEmission, pot balance − existential deposit − Unclaimed)
//! ```
//!
//! (zero when nobody earned points). [`Unclaimed`] is the sum every retained round still owes, so
//! the pot always covers every reward a provider may still claim, and it never falls below the
//! existential deposit: claims transfer with [`Preservation::Preserve`]. Minting nothing, the
//! pallet only moves funds, so claims and expiry leave the total issuance unchanged.
//!
//! ### Claims
//!
//! A provider's reward is `emission × points / Σ points`, rounded down; the rounding dust stays in
//! the pot. Points are read from [`Config::Points`] at claim time, so the points pallet must keep
//! a round's points at least [`Config::HistoryDepth`] rounds. A claim writes a marker in
//! [`Claimed`] so it is paid once.
//!
//! ### Expiry and lazy cleanup
//!
//! Closing round `r` retires round `r − HistoryDepth` (and any older one a skipped close left
//! behind): its unpaid remainder leaves [`Unclaimed`] and stays in the pot, and its record goes.
//! Its claim markers, one per claimant, are not removed then: that would be unbounded work in a
//! hook. The expired rounds are queued in [`PendingCleanup`] (one storage item, however long the
//! queue) and `on_idle` removes at most [`Config::MaxExpiryCleanup`] markers per block, within the
//! block's spare weight, with `clear_prefix`. A round leaves the queue once none of its markers
//! is left.
//!
//! ### Genesis
//!
//! [`GenesisConfig::pot_funding`] is minted into the pot. Unless it is zero, it must be at least
//! the existential deposit or the genesis build fails: a pot below it does not exist and pays
//! nothing. The pot is later refilled by plain transfers to [`Pallet::pot_account`] (in the Proof
//! of Sync runtime, slashed bonds go there too); this pallet mints nothing after genesis.
//!
//! ### Invariants
//!
//! `try_state` (run after every unit test) checks that [`Unclaimed`] equals the sum over retained
//! rounds of `emission − claimed`, that no round paid more than its emission, that the pot holds at
//! least [`Unclaimed`], that only the last [`Config::HistoryDepth`] closed rounds are retained, and
//! that every claim marker belongs to a retained round or to the cleanup queue.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::tokens::Preservation;
use proof_of_sync_primitives::{OnRoundClosed, RoundIndex};
use sp_runtime::Weight;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use proof_of_sync_primitives::{Points, RoundClock, RoundPoints};
	use sp_runtime::traits::Zero;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency rewards are paid in.
		type Currency: fungible::Mutate<Self::AccountId>;

		/// Where the points of a closed round come from. Must keep a round's points for at least
		/// [`Config::HistoryDepth`] rounds after it closed.
		type Points: RoundPoints<Self::AccountId>;

		/// Which round is running. Only used to tell a claim for a round that has not closed yet
		/// from one for a round that expired.
		type RoundClock: RoundClock;

		/// The reward pot's identifier; the pot is its `into_account_truncating()` account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The most a round pays out. Less when the pot holds less.
		#[pallet::constant]
		type RoundEmission: Get<BalanceOf<Self>>;

		/// How many closed rounds stay claimable. Closing round `r` expires round
		/// `r - HistoryDepth`. Must be at least 1.
		#[pallet::constant]
		type HistoryDepth: Get<u32>;

		/// The most claim markers of expired rounds removed in one block's `on_idle`. Must be at
		/// least 1.
		#[pallet::constant]
		type MaxExpiryCleanup: Get<u32>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Gives accounts points in benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The reward of every retained closed round: its emission, total points and what has been
	/// paid.
	// Twox64Concat: rounds are numbered by the chain, one after another; no user picks a key.
	#[pallet::storage]
	pub type RoundRewards<T: Config> =
		StorageMap<_, Twox64Concat, RoundIndex, RoundRewardOf<T>, OptionQuery>;

	/// Which accounts have been paid for which round. Markers of expired rounds are removed
	/// lazily, see [`PendingCleanup`].
	// Twox64Concat on the round: see `RoundRewards`. The account is user-chosen: Blake2_128Concat.
	#[pallet::storage]
	pub type Claimed<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		RoundIndex,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// What the retained rounds still owe their providers: the part of the pot that is spoken
	/// for.
	#[pallet::storage]
	pub type Unclaimed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The newest closed round whose reward this pallet has set aside (`RoundRewardAllocated`),
	/// if any.
	#[pallet::storage]
	pub type LastAllocatedRound<T: Config> = StorageValue<_, RoundIndex, OptionQuery>;

	/// The expired rounds whose claim markers `on_idle` has yet to remove.
	#[pallet::storage]
	pub type PendingCleanup<T: Config> = StorageValue<_, ClaimCleanup, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A round closed and its reward was set aside in the pot.
		RoundRewardAllocated {
			/// The round that closed.
			round: RoundIndex,
			/// What the round's providers share.
			emission: BalanceOf<T>,
			/// The sum of every provider's points in the round.
			total_points: Points,
		},
		/// A round fell out of the history; its rewards can no longer be claimed.
		RoundExpired {
			/// The round that expired.
			round: RoundIndex,
			/// The part of its emission nobody claimed, which stays in the pot for later rounds.
			returned: BalanceOf<T>,
		},
		/// A provider's reward for a round was paid.
		RewardPaid {
			/// The round the reward is for.
			round: RoundIndex,
			/// The provider that received it.
			who: T::AccountId,
			/// The amount paid; zero when the round's emission was zero.
			amount: BalanceOf<T>,
		},
		/// Claim markers of an expired round were removed from storage.
		ExpiredClaimsCleared {
			/// The expired round.
			round: RoundIndex,
			/// How many markers were removed.
			removed: u32,
			/// Whether every marker of the round is now gone.
			complete: bool,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The round has not closed: it is still running, lies in the future, or closed before
		/// this pallet kept records. Claim after the round has ended.
		RoundNotClosed,
		/// The round is older than the reward history and its rewards were returned to the pot.
		/// Claim within `HistoryDepth` rounds of a round's end.
		RoundExpired,
		/// This account's reward for the round has already been paid. Each round pays once.
		AlreadyClaimed,
		/// The account earned no points in the round, so it has no reward for it. Check the
		/// account and the round.
		NoPoints,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Minted into the reward pot at genesis. Zero leaves the pot empty; otherwise it must be
		/// at least the existential deposit, which the pot keeps for good.
		pub pot_funding: BalanceOf<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.pot_funding.is_zero() {
				return;
			}
			let minted = <T::Currency as fungible::Mutate<_>>::mint_into(
				&Pallet::<T>::pot_account(),
				self.pot_funding,
			);
			assert!(
				minted.is_ok(),
				"rewards: minting pot_funding failed ({minted:?}); fund the pot with at least the \
				 existential deposit",
			);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(_now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::clear_expired_claims(remaining_weight)
		}

		fn integrity_test() {
			Self::do_integrity_test();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Collect your reward for a closed `round`: the round's emission times your points over
		/// everyone's points, rounded down.
		///
		/// - Origin: signed by the provider being paid.
		/// - Effect: transfers the reward (in plancks) from the reward pot to the caller, always
		///   leaving the pot alive, and marks it paid in `Claimed`; the round's paid total grows
		///   and `Unclaimed` shrinks by it. The round must be among the last `HistoryDepth` closed
		///   rounds and the caller must have earned points in it. If the round's emission was zero,
		///   nothing is transferred but the reward is still marked paid. If the caller's account
		///   does not exist yet, a reward below the existential deposit cannot be paid: the
		///   currency refuses the transfer and the call fails with the currency's error.
		/// - Events: [`Event::RewardPaid`].
		/// - Errors: [`Error::RoundNotClosed`], [`Error::RoundExpired`], [`Error::AlreadyClaimed`],
		///   [`Error::NoPoints`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim_rewards())]
		pub fn claim_rewards(origin: OriginFor<T>, round: RoundIndex) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_payout(round, &who)
		}

		/// Pay `who` its reward for a closed `round`, exactly as if `who` had claimed it with
		/// `claim_rewards`.
		///
		/// - Origin: signed by any account. The caller pays the fee; the reward always goes to
		///   `who`.
		/// - Effect: transfers `who`'s reward (in plancks) from the reward pot to `who`, always
		///   leaving the pot alive, and marks it paid in `Claimed`; the round's paid total grows
		///   and `Unclaimed` shrinks by it. The round must be among the last `HistoryDepth` closed
		///   rounds and `who` must have earned points in it. If the round's emission was zero,
		///   nothing is transferred but the reward is still marked paid. If `who`'s account does
		///   not exist yet, a reward below the existential deposit cannot be paid: the currency
		///   refuses the transfer and the call fails with the currency's error.
		/// - Events: [`Event::RewardPaid`].
		/// - Errors: [`Error::RoundNotClosed`], [`Error::RoundExpired`], [`Error::AlreadyClaimed`],
		///   [`Error::NoPoints`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::payout())]
		pub fn payout(
			origin: OriginFor<T>,
			who: T::AccountId,
			round: RoundIndex,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_payout(round, &who)
		}
	}
}

impl<T: Config> OnRoundClosed for Pallet<T> {
	fn on_round_closed(round: RoundIndex) -> Weight {
		Self::do_close_round(round)
	}
}
