//! Benchmarks of the registry's calls, each in its worst case.

use super::*;
use crate::Pallet as Resources;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, InspectHold, Mutate},
	Get,
};
use frame_system::RawOrigin;
use proof_of_sync_primitives::{Capacity, RoundClock};
use sp_runtime::traits::{Saturating, Zero};

fn capacity() -> Capacity {
	Capacity { compute: 16_000, storage: 2_000, bandwidth: 10_000 }
}

/// The longest endpoint allowed: the worst case for every call that checks one.
fn longest_endpoint<T: Config>() -> Vec<u8> {
	vec![b'a'; T::MaxEndpointLen::get() as usize]
}

/// An account with enough to bond ten validator minimums.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = T::MinValidatorBond::get()
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// A registered provider bonded at the validator minimum.
fn provider<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who = funded::<T>(name, index);
	Resources::<T>::do_register(
		who.clone(),
		longest_endpoint::<T>(),
		capacity(),
		T::MinValidatorBond::get(),
	)
	.expect("a funded account registers; qed");
	who
}

/// Fills the candidate list (genesis candidates included) up to one short of `MaxCandidates`: the
/// search and the push of the benchmarked account then see the most entries.
fn fill_candidates_but_one<T: Config>() {
	let existing = Candidates::<T>::get().len() as u32;
	for i in 0..T::MaxCandidates::get().saturating_sub(1).saturating_sub(existing) {
		let who = provider::<T>("candidate", i);
		T::BenchmarkHelper::set_session_keys(&who);
		Resources::<T>::do_opt_in_validator(who).expect("room for candidates; qed");
	}
}

/// Fills the candidate list up to `MaxCandidates`, every member qualified and bonded at the
/// validator minimum.
fn fill_candidates<T: Config>() {
	fill_candidates_but_one::<T>();
	let who = provider::<T>("candidate", T::MaxCandidates::get());
	T::BenchmarkHelper::set_session_keys(&who);
	Resources::<T>::do_opt_in_validator(who).expect("room for one more; qed");
}

/// A provider that fills the candidate list: the last in a full list, the worst case for
/// removing it.
fn last_of_full_candidates<T: Config>() -> T::AccountId {
	fill_candidates_but_one::<T>();
	let who = provider::<T>("provider", 0);
	T::BenchmarkHelper::set_session_keys(&who);
	Resources::<T>::do_opt_in_validator(who.clone()).expect("room for one more; qed");
	who
}

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as frame_system::Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		// The slot comes from the free stack: more storage touched than opening a new one.
		let gone = provider::<T>("gone", 0);
		Resources::<T>::do_leave(gone.clone()).expect("an active provider leaves; qed");
		Providers::<T>::mutate(&gone, |info| {
			if let Some(info) = info {
				info.status =
					ProviderStatus::Leaving { until_round: T::RoundClock::current_round() };
			}
		});
		Resources::<T>::do_withdraw(gone).expect("the unbonding period is over; qed");
		assert_eq!(FreeSlotCount::<T>::get(), 1);
		let who = funded::<T>("provider", 0);
		let bond = T::MinValidatorBond::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), longest_endpoint::<T>(), capacity(), bond);

		assert_eq!(T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &who), bond);
		assert!(Providers::<T>::contains_key(&who));
		assert_eq!(FreeSlotCount::<T>::get(), 0);
	}

	#[benchmark]
	fn update_endpoint() {
		let who = provider::<T>("provider", 0);
		let endpoint = vec![b'b'; T::MaxEndpointLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), endpoint.clone());

		assert_eq!(Providers::<T>::get(&who).map(|p| p.endpoint.into_inner()), Some(endpoint));
	}

	#[benchmark]
	fn update_capacity() {
		let who = provider::<T>("provider", 0);
		let new = Capacity { compute: 1, storage: 2, bandwidth: 3 };

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), new);

		let next = T::RoundClock::current_round().saturating_add(1);
		assert_eq!(Providers::<T>::get(&who).and_then(|p| p.next_capacity), Some((next, new)));
	}

	#[benchmark]
	fn bond_extra() {
		let who = provider::<T>("provider", 0);
		let extra = T::MinProviderBond::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), extra);

		assert_eq!(
			Providers::<T>::get(&who).map(|p| p.bond),
			Some(T::MinValidatorBond::get().saturating_add(extra))
		);
	}

	/// A full list and a newcomer with a bigger bond than its members: the newcomer reads every
	/// member (record, session keys, points in the last closed round) to find the weakest, and
	/// evicts it.
	#[benchmark]
	fn opt_in_validator() {
		// A round has closed: the points of every member are read.
		T::BenchmarkHelper::set_round(1);
		fill_candidates::<T>();
		let who = provider::<T>("provider", 0);
		Resources::<T>::do_bond_extra(who.clone(), T::MinProviderBond::get())
			.expect("a funded provider bonds more; qed");
		T::BenchmarkHelper::set_session_keys(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(Resources::<T>::is_candidate(&who));
		assert_eq!(Candidates::<T>::get().len() as u32, T::MaxCandidates::get());
	}

	#[benchmark]
	fn opt_out_validator() {
		let who = last_of_full_candidates::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Resources::<T>::is_candidate(&who));
	}

	#[benchmark]
	fn leave() {
		// A candidate in a full list: leaving also takes it off the list.
		let who = last_of_full_candidates::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		let until_round = T::RoundClock::current_round().saturating_add(T::UnbondingRounds::get());
		assert_last_event::<T>(Event::LeavingStarted { provider: who, until_round });
	}

	#[benchmark]
	fn withdraw() {
		let who = provider::<T>("provider", 0);
		Resources::<T>::do_leave(who.clone()).expect("an active provider leaves; qed");
		// The unbonding period is over.
		Providers::<T>::mutate(&who, |info| {
			if let Some(info) = info {
				info.status =
					ProviderStatus::Leaving { until_round: T::RoundClock::current_round() };
			}
		});

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Providers::<T>::contains_key(&who));
		assert!(T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &who).is_zero());
	}

	#[benchmark]
	fn reactivate() {
		let who = provider::<T>("provider", 0);
		Resources::<T>::do_chill(&who).expect("an active provider is chilled; qed");

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(Providers::<T>::get(&who).map(|p| p.status), Some(ProviderStatus::Active));
	}

	/// The last member of a full list, active and bonded but without session keys: every check
	/// runs before it is removed.
	#[benchmark]
	fn remove_candidate() {
		fill_candidates_but_one::<T>();
		let who = provider::<T>("provider", 0);
		Candidates::<T>::mutate(|candidates| candidates.try_push(who.clone()))
			.expect("room for one more; qed");
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), who.clone());

		assert!(!Resources::<T>::is_candidate(&who));
	}

	impl_benchmark_test_suite!(Resources, crate::mock::new_test_ext(), crate::mock::Test);
}
