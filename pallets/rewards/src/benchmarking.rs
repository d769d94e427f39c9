//! Benchmarks of the rewards pallet's calls and hooks.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		Hooks,
	},
};
use frame_system::RawOrigin;
use sp_runtime::traits::{Saturating, Zero};

/// The first round the benchmarks use; far enough from zero that a full history fits below it.
const FIRST_ROUND: RoundIndex = 1_000;

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as frame_system::Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event);
}

/// Mint `amount` on top of the existential deposit into `who`.
fn fund<T: Config>(who: &T::AccountId, amount: BalanceOf<T>) -> Result<(), BenchmarkError> {
	let amount = amount.saturating_add(T::Currency::minimum_balance());
	T::Currency::mint_into(who, amount)
		.map(|_| ())
		.map_err(|_| BenchmarkError::Stop("could not fund an account"))
}

/// Close a round in which `provider` earned every point, with the pot funded for it, and give
/// `provider` an account so that any reward can be paid to it. Returns the round.
fn claimable_round<T: Config>(provider: &T::AccountId) -> Result<RoundIndex, BenchmarkError> {
	let round = LastAllocatedRound::<T>::get().map_or(FIRST_ROUND, |last| last.saturating_add(1));
	T::BenchmarkHelper::set_points(round, provider, 1, 1);
	fund::<T>(&Pallet::<T>::pot_account(), T::RoundEmission::get())?;
	fund::<T>(provider, Zero::zero())?;
	Pallet::<T>::on_round_closed(round);
	let reward = Pallet::<T>::reward_of(round, provider).unwrap_or_default();
	ensure!(!reward.is_zero(), BenchmarkError::Stop("RoundEmission is zero: nothing to claim"));
	Ok(round)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn claim_rewards() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		let round = claimable_round::<T>(&caller)?;
		let amount = Pallet::<T>::reward_of(round, &caller).unwrap_or_default();
		let before = T::Currency::balance(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), round);

		assert!(Claimed::<T>::contains_key(round, &caller));
		assert_eq!(T::Currency::balance(&caller), before.saturating_add(amount));
		assert_last_event::<T>(Event::RewardPaid { round, who: caller, amount });
		Ok(())
	}

	#[benchmark]
	fn payout() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		let provider: T::AccountId = account("provider", 0, 0);
		let round = claimable_round::<T>(&provider)?;
		let amount = Pallet::<T>::reward_of(round, &provider).unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), provider.clone(), round);

		assert!(Claimed::<T>::contains_key(round, &provider));
		assert_last_event::<T>(Event::RewardPaid { round, who: provider, amount });
		Ok(())
	}

	/// Closing a round that retires `n` retained rounds (1 when every round is closed; up to
	/// `HistoryDepth` after skipped closes), each with an unpaid remainder and a pot to fund the
	/// new round.
	#[benchmark]
	fn on_round_closed(n: Linear<0, { T::HistoryDepth::get() }>) -> Result<(), BenchmarkError> {
		let depth = T::HistoryDepth::get();
		let emission = T::RoundEmission::get();
		let last = FIRST_ROUND.saturating_add(depth);
		if n > 0 {
			// A full history: rounds `last - depth + 1 ..= last`, each half paid.
			let half = emission / 2u32.into();
			let mut owed = BalanceOf::<T>::zero();
			for round in (last - depth + 1)..=last {
				RoundRewards::<T>::insert(
					round,
					RoundReward { emission, total_points: 2, claimed: half },
				);
				owed = owed.saturating_add(emission.saturating_sub(half));
			}
			Unclaimed::<T>::put(owed);
			LastAllocatedRound::<T>::put(last);
		}
		let round = last.saturating_add(n);
		let provider: T::AccountId = account("provider", 0, 0);
		T::BenchmarkHelper::set_points(round, &provider, 1, 2);
		fund::<T>(&Pallet::<T>::pot_account(), Unclaimed::<T>::get().saturating_add(emission))?;

		#[block]
		{
			Pallet::<T>::on_round_closed(round);
		}

		assert!(RoundRewards::<T>::contains_key(round));
		assert_eq!(LastAllocatedRound::<T>::get(), Some(round));
		if n > 0 {
			let oldest = last - depth + 1;
			assert!(!RoundRewards::<T>::contains_key(oldest));
			assert_eq!(PendingCleanup::<T>::get().next, oldest);
			assert_last_event::<T>(Event::RoundExpired {
				round: oldest + n - 1,
				returned: emission.saturating_sub(emission / 2u32.into()),
			});
		}
		Ok(())
	}

	/// One `on_idle` step that removes `n` claim markers of an expired round.
	#[benchmark]
	fn on_idle_cleanup(n: Linear<1, { T::MaxExpiryCleanup::get() }>) -> Result<(), BenchmarkError> {
		let round = FIRST_ROUND;
		for i in 0..n {
			Claimed::<T>::insert(round, account::<T::AccountId>("claimant", i, 0), ());
		}
		PendingCleanup::<T>::put(ClaimCleanup { next: round, end: round.saturating_add(1) });
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_idle(now, Weight::MAX);
		}

		assert_eq!(Claimed::<T>::iter_prefix(round).count(), 0);
		assert!(PendingCleanup::<T>::get().is_empty());
		// `removed` counts the markers removed from the database; the unit-test run of this
		// benchmark keeps them in the overlay, where they vanish uncounted.
		let event: <T as frame_system::Config>::RuntimeEvent =
			Event::<T>::ExpiredClaimsCleared { round, removed: n, complete: true }.into();
		let uncounted: <T as frame_system::Config>::RuntimeEvent =
			Event::<T>::ExpiredClaimsCleared { round, removed: 0, complete: true }.into();
		let last = frame_system::Pallet::<T>::events().pop().map(|record| record.event);
		assert!(last == Some(event) || last == Some(uncounted));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
