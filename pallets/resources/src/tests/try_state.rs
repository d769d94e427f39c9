//! `do_try_state` catches storage that breaks an invariant.

use super::*;

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
