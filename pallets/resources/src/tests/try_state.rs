//! `do_try_state` catches storage that breaks an invariant.

use super::*;
use frame_support::BoundedVec;

#[test]
fn try_state_catches_a_bond_that_is_not_held() {
	builder().build().execute_with(|| {
		Providers::<Test>::mutate(1, |info| info.as_mut().unwrap().bond += 1);
		assert!(Resources::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_a_drifting_active_count() {
	builder().build().execute_with(|| {
		crate::ActiveProviders::<Test>::put(2);
		assert!(Resources::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_a_leaving_candidate() {
	builder().build().execute_with(|| {
		Providers::<Test>::mutate(1, |info| {
			info.as_mut().unwrap().status = ProviderStatus::Leaving { until_round: 3 }
		});
		crate::ActiveProviders::<Test>::put(0);
		assert!(Resources::do_try_state().is_err());
	});
}

// One test an invariant of `do_try_state`: it holds, a direct write breaks it and is caught, and
// the write is rolled back so that `build_and_execute`'s own check still passes.

/// `do_try_state` holds, fails with `expected` once `corrupt` has run, and holds again after.
fn assert_catches(expected: &'static str, corrupt: impl FnOnce()) {
	proof_of_sync_test_utils::assert_try_state_catches(Resources::do_try_state, expected, corrupt);
}

#[test]
fn catches_a_bond_that_differs_from_the_held_balance() {
	builder().build_and_execute(|| {
		assert_catches("bond differs from the held balance", || {
			Providers::<Test>::mutate(1, |info| info.as_mut().unwrap().bond -= 1);
		});
	});
}

#[test]
fn catches_a_provider_counter_that_drifted() {
	builder().build_and_execute(|| {
		assert_catches("provider count drifted", || {
			frame_support::storage::unhashed::put(
				&Providers::<Test>::counter_storage_final_key(),
				&2u32,
			);
		});
	});
}

#[test]
fn catches_more_providers_than_max_providers() {
	builder().build_and_execute(|| {
		assert_eq!(MaxProviders::get(), 10);
		assert_catches("too many providers", || {
			// Ten more records with nothing bonded, so every bond still matches its hold.
			let info = ProviderRecord {
				bond: 0,
				status: ProviderStatus::Chilled,
				..Providers::<Test>::get(1).unwrap()
			};
			for who in 2..=11 {
				Providers::<Test>::insert(who, info.clone());
			}
		});
	});
}

#[test]
fn catches_an_active_count_that_differs_from_the_active_records() {
	builder().build_and_execute(|| {
		assert_catches("ActiveProviders differs from the Active records", || {
			crate::ActiveProviders::<Test>::put(0);
		});
	});
}

#[test]
fn catches_a_candidate_that_is_not_a_provider() {
	builder().build_and_execute(|| {
		assert_catches("candidate not a provider", || {
			Candidates::<Test>::put(BoundedVec::truncate_from(vec![1, 7]));
		});
	});
}

#[test]
fn catches_a_candidate_that_is_leaving() {
	builder().build_and_execute(|| {
		register(2, MIN_VALIDATOR_BOND);
		assert_ok!(Resources::leave(RuntimeOrigin::signed(2)));
		assert_catches("a leaving provider is a candidate", || {
			Candidates::<Test>::put(BoundedVec::truncate_from(vec![1, 2]));
		});
	});
}

#[test]
fn catches_a_candidate_listed_twice() {
	builder().build_and_execute(|| {
		assert_catches("candidate listed twice", || {
			Candidates::<Test>::put(BoundedVec::truncate_from(vec![1, 1]));
		});
	});
}

#[test]
fn catches_a_candidate_that_is_chilled() {
	builder().build_and_execute(|| {
		register(2, MIN_VALIDATOR_BOND);
		assert_ok!(Resources::chill(&2));
		assert_catches("a chilled provider is a candidate", || {
			Candidates::<Test>::put(BoundedVec::truncate_from(vec![1, 2]));
		});
	});
}

#[test]
fn catches_slots_out_of_step_with_the_providers() {
	builder().build_and_execute(|| {
		register(2, MIN_PROVIDER_BOND);
		assert_catches("a provider's slot does not hold it", || {
			crate::ProviderSlots::<Test>::insert(1, 1);
			crate::ProviderSlots::<Test>::insert(0, 2);
		});
		assert_catches("a slot above SlotCount is filled", || {
			crate::SlotCount::<Test>::put(1);
		});
		assert_catches("a slot below SlotCount is neither filled nor free", || {
			crate::SlotCount::<Test>::put(3);
		});
		assert_catches("a free slot is filled or above SlotCount", || {
			crate::SlotCount::<Test>::put(3);
			crate::FreeSlots::<Test>::insert(0, 1);
			crate::FreeSlotCount::<Test>::put(1);
		});
		assert_catches("the free slot stack holds a slot twice or stray entries", || {
			crate::SlotCount::<Test>::put(3);
			crate::FreeSlots::<Test>::insert(0, 2);
			crate::FreeSlots::<Test>::insert(1, 2);
			crate::FreeSlotCount::<Test>::put(1);
		});
	});
}
