//! Genesis providers and the configuration check.

use super::*;

#[test]
fn registers_genesis_providers_active_from_round_zero() {
	builder().build_and_execute(|| {
		let info = Providers::<Test>::get(1).unwrap();
		assert_eq!(info.status, ProviderStatus::Active);
		assert_eq!((info.active_since, info.registered_at), (0, 0));
		assert_eq!(info.bond, MIN_VALIDATOR_BOND);
		assert_eq!(held(1), MIN_VALIDATOR_BOND);
		assert_eq!(Candidates::<Test>::get().into_inner(), vec![1]);
		assert!(Resources::is_active_in(&1, 0));
		assert_eq!(Resources::active_count(), 1);
	});
}

#[test]
fn integrity_test_passes() {
	builder().build_and_execute(|| {
		<Resources as Hooks<u64>>::integrity_test();
	});
}
