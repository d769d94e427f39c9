//! The logic behind the calls and hooks, and the read helpers for the runtime API.

use crate::*;
use alloc::vec::Vec;
use codec::Decode;
use frame_support::{
	defensive,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Fortitude,
	},
};
use proof_of_sync_primitives::{cleanup_budget_of, Points, RoundClock, RoundPoints};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AccountIdConversion, Saturating, TrailingZeroInput, UniqueSaturatedInto, Zero},
	Rounding,
};

impl<T: Config> Pallet<T> {
	/// The reward pot: every reward is paid from this account.
	pub fn pot_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// What `who` would be paid for `round` now: `None` if the round is not retained, `who` earned
	/// no points in it, or was already paid.
	pub fn reward_of(round: RoundIndex, who: &T::AccountId) -> Option<BalanceOf<T>> {
		let record = RoundRewards::<T>::get(round)?;
		if Claimed::<T>::contains_key(round, who) {
			return None;
		}
		let points = T::Points::points_of(round, who);
		if points.is_zero() {
			return None;
		}
		Some(Self::share_of(&record, points))
	}

	/// Whether `who` was paid its reward for `round` (while the round's claim markers are kept).
	pub fn is_claimed(round: RoundIndex, who: &T::AccountId) -> bool {
		Claimed::<T>::contains_key(round, who)
	}

	/// Every non-zero reward `who` may still claim, oldest round first. At most `HistoryDepth`
	/// entries.
	pub fn pending_rewards(who: &T::AccountId) -> Vec<(RoundIndex, BalanceOf<T>)> {
		let Some(last) = LastAllocatedRound::<T>::get() else { return Vec::new() };
		let oldest = last.saturating_add(1).saturating_sub(T::HistoryDepth::get());
		(oldest..=last)
			.filter_map(|round| {
				Self::reward_of(round, who)
					.filter(|amount| !amount.is_zero())
					.map(|a| (round, a))
			})
			.collect()
	}

	/// Pay `who` its reward for `round` from the pot. Used by both calls.
	pub(crate) fn do_payout(round: RoundIndex, who: &T::AccountId) -> DispatchResult {
		let mut record = Self::retained_round(round)?;
		ensure!(!Claimed::<T>::contains_key(round, who), Error::<T>::AlreadyClaimed);
		let points = T::Points::points_of(round, who);
		ensure!(!points.is_zero(), Error::<T>::NoPoints);

		let amount = Self::share_of(&record, points);
		if !amount.is_zero() {
			T::Currency::transfer(&Self::pot_account(), who, amount, Preservation::Preserve)?;
		}
		record.claimed = record.claimed.saturating_add(amount);
		RoundRewards::<T>::insert(round, record);
		Unclaimed::<T>::mutate(|unclaimed| *unclaimed = unclaimed.saturating_sub(amount));
		Claimed::<T>::insert(round, who, ());

		Self::deposit_event(Event::RewardPaid { round, who: who.clone(), amount });
		Ok(())
	}

	/// The record of a retained round, or why a claim for it cannot be paid.
	fn retained_round(round: RoundIndex) -> Result<RoundRewardOf<T>, Error<T>> {
		if let Some(record) = RoundRewards::<T>::get(round) {
			return Ok(record);
		}
		let current = T::RoundClock::current_round();
		if round >= current {
			return Err(Error::<T>::RoundNotClosed);
		}
		let depth = T::HistoryDepth::get();
		// The clock alone tells a round is out of the history even when no close was recorded
		// (before this pallet existed); the last close tells it right after a close, whether the
		// clock has moved on yet or not.
		let past_history = round.saturating_add(depth) < current;
		let expired =
			LastAllocatedRound::<T>::get().is_some_and(|last| round.saturating_add(depth) <= last);
		if past_history || expired {
			Err(Error::<T>::RoundExpired)
		} else {
			Err(Error::<T>::RoundNotClosed)
		}
	}

	/// `emission × points / total_points`, rounded down, and never more than the round still
	/// owes.
	fn share_of(record: &RoundRewardOf<T>, points: Points) -> BalanceOf<T> {
		let points = points.min(record.total_points);
		let emission: u128 = record.emission.unique_saturated_into();
		let share = multiply_by_rational_with_rounding(
			emission,
			points,
			record.total_points,
			Rounding::Down,
		)
		.unwrap_or_default();
		// `share <= emission`, which came from a `BalanceOf<T>`, so this does not saturate.
		let share: BalanceOf<T> = share.unique_saturated_into();
		share.min(record.emission.saturating_sub(record.claimed))
	}

	/// Close `round`: set its emission aside and expire what fell out of the history.
	pub(crate) fn do_close_round(round: RoundIndex) -> Weight {
		let last = LastAllocatedRound::<T>::get();
		if last.is_some_and(|last| round <= last) {
			defensive!("rewards: a round closed twice or out of order; ignored");
			return T::DbWeight::get().reads(1);
		}

		let total_points = T::Points::total_points(round);
		let unclaimed = Unclaimed::<T>::get();
		let emission = if total_points.is_zero() {
			Zero::zero()
		} else {
			let spendable = T::Currency::reducible_balance(
				&Self::pot_account(),
				Preservation::Preserve,
				Fortitude::Polite,
			);
			T::RoundEmission::get().min(spendable.saturating_sub(unclaimed))
		};

		RoundRewards::<T>::insert(
			round,
			RoundReward { emission, total_points, claimed: Zero::zero() },
		);
		Unclaimed::<T>::put(unclaimed.saturating_add(emission));
		LastAllocatedRound::<T>::put(round);
		Self::deposit_event(Event::RoundRewardAllocated { round, emission, total_points });

		let examined = Self::expire_rounds(last, round);
		T::WeightInfo::on_round_closed(examined)
	}

	/// Expire every retained round that closing `closed` pushes out of the history. Returns how
	/// many rounds it looked at: one on a chain that closes every round, at most `HistoryDepth`.
	fn expire_rounds(last: Option<RoundIndex>, closed: RoundIndex) -> u32 {
		let Some(last) = last else { return 0 };
		let depth = T::HistoryDepth::get();
		let Some(newest_expired) = closed.checked_sub(depth) else { return 0 };
		// Before this close the retained rounds were `oldest..=last`.
		let oldest = last.saturating_add(1).saturating_sub(depth);
		let newest = newest_expired.min(last);
		if newest < oldest {
			return 0;
		}
		for round in oldest..=newest {
			Self::expire_round(round);
		}
		newest.saturating_sub(oldest).saturating_add(1)
	}

	fn expire_round(round: RoundIndex) {
		let Some(record) = RoundRewards::<T>::take(round) else { return };
		let returned = record.emission.saturating_sub(record.claimed);
		Unclaimed::<T>::mutate(|unclaimed| *unclaimed = unclaimed.saturating_sub(returned));
		PendingCleanup::<T>::mutate(|cleanup| {
			if cleanup.is_empty() {
				cleanup.next = round;
			}
			cleanup.end = cleanup.end.max(round.saturating_add(1));
		});
		Self::deposit_event(Event::RoundExpired { round, returned });
	}

	/// The `on_idle` step: remove claim markers of the oldest expired round, as many as the spare
	/// weight and [`Config::MaxExpiryCleanup`] allow.
	///
	/// One step per block: `clear_prefix` starts from the round's first key each time, and only
	/// the deletions of earlier blocks are gone from the backend it walks.
	pub(crate) fn clear_expired_claims(remaining_weight: Weight) -> Weight {
		let read = T::DbWeight::get().reads(1);
		if remaining_weight.any_lt(read) {
			return Weight::zero();
		}
		let mut cleanup = PendingCleanup::<T>::get();
		if cleanup.is_empty() {
			return read;
		}
		let limit = Self::cleanup_limit(remaining_weight);
		if limit == 0 {
			return read;
		}

		let round = cleanup.next;
		let result = Claimed::<T>::clear_prefix(round, limit, None);
		let complete = result.maybe_cursor.is_none();
		if complete {
			cleanup.next = round.saturating_add(1);
		}
		PendingCleanup::<T>::put(cleanup);
		Self::deposit_event(Event::ExpiredClaimsCleared {
			round,
			removed: result.unique,
			complete,
		});

		T::WeightInfo::on_idle_cleanup(result.loops.clamp(1, limit))
	}

	/// How many markers one `on_idle` step may remove within `remaining_weight`.
	fn cleanup_limit(remaining_weight: Weight) -> u32 {
		cleanup_budget_of(
			remaining_weight,
			T::MaxExpiryCleanup::get(),
			T::WeightInfo::on_idle_cleanup,
		)
	}

	pub(crate) fn do_integrity_test() {
		assert!(T::HistoryDepth::get() > 0, "rewards: HistoryDepth must be at least 1");
		assert!(T::MaxExpiryCleanup::get() > 0, "rewards: MaxExpiryCleanup must be at least 1");
		let zero = T::AccountId::decode(&mut TrailingZeroInput::zeroes())
			.expect("infinite input decodes any account; qed");
		assert!(
			Self::pot_account() != zero,
			"rewards: the pot account must not be the zero account"
		);
	}

	/// Check the pallet's invariants. See the crate docs.
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::traits::CheckedAdd;

		let depth = T::HistoryDepth::get();
		let last = LastAllocatedRound::<T>::get();
		let mut owed = BalanceOf::<T>::zero();
		let mut retained: u32 = 0;
		for (round, record) in RoundRewards::<T>::iter() {
			ensure!(record.claimed <= record.emission, "a round paid more than its emission");
			let last = last.ok_or("a round is retained but no round has closed")?;
			ensure!(
				round <= last && round.saturating_add(depth) > last,
				"a retained round lies outside the reward history",
			);
			owed = owed
				.checked_add(&record.emission.saturating_sub(record.claimed))
				.ok_or("the rounds owe more than a balance holds")?;
			retained = retained.saturating_add(1);
		}
		ensure!(retained <= depth, "more than HistoryDepth rounds are retained");
		let unclaimed = Unclaimed::<T>::get();
		ensure!(owed == unclaimed, "Unclaimed is not what the retained rounds owe");
		ensure!(
			T::Currency::balance(&Self::pot_account()) >= unclaimed,
			"the pot holds less than the rounds owe",
		);

		let cleanup = PendingCleanup::<T>::get();
		ensure!(cleanup.next <= cleanup.end, "the cleanup queue runs backwards");
		for (round, _) in Claimed::<T>::iter_keys() {
			ensure!(
				RoundRewards::<T>::contains_key(round) ||
					(cleanup.next..cleanup.end).contains(&round),
				"a claim marker belongs to no retained round and is not queued for cleanup",
			);
		}
		Ok(())
	}
}
