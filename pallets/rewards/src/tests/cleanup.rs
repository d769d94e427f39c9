//! `on_idle` removal of expired claim markers, bounded by weight and `MaxExpiryCleanup`.

use super::*;

const CLAIMANTS: [AccountId; 5] = [ALICE, BOB, CHARLIE, 5, 6];

fn markers(round: RoundIndex) -> usize {
	Claimed::<Test>::iter_prefix(round).count()
}

/// Round 0 is claimed by five accounts and expired; its markers are committed to the backend,
/// as they would be after the blocks that wrote them.
fn expired_round_with_five_markers() -> sp_io::TestExternalities {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		for who in CLAIMANTS {
			MockPoints::set(0, who, 1);
		}
		close_round(0);
		for who in CLAIMANTS {
			assert_ok!(claim(who, 0));
		}
		for round in 1..=3 {
			close_round(round);
		}
		assert_eq!(markers(0), 5);
		events();
	});
	ext.commit_all().unwrap();
	ext
}

/// Run `on_idle` with `weight` as one block does, and commit what it did.
fn idle_block(ext: &mut sp_io::TestExternalities, weight: Weight) -> Weight {
	let used = ext.execute_with(|| Rewards::on_idle(1, weight));
	ext.commit_all().unwrap();
	used
}

#[test]
fn expired_markers_are_removed_in_bounded_steps() {
	let mut ext = expired_round_with_five_markers();
	// Weight for two markers: two go.
	let two = <() as WeightInfo>::on_idle_cleanup(2);
	assert_eq!(idle_block(&mut ext, two), two);
	ext.execute_with(|| {
		assert_eq!(markers(0), 3);
		assert_eq!(PendingCleanup::<Test>::get(), ClaimCleanup { next: 0, end: 1 });
		assert_eq!(
			events(),
			vec![Event::ExpiredClaimsCleared { round: 0, removed: 2, complete: false }]
		);
	});

	// Plenty of weight: at most `MaxExpiryCleanup` (3) go, which is the rest.
	assert_eq!(idle_block(&mut ext, Weight::MAX), <() as WeightInfo>::on_idle_cleanup(3));
	ext.execute_with(|| {
		assert_eq!(markers(0), 0);
		assert!(PendingCleanup::<Test>::get().is_empty());
		assert_eq!(
			events(),
			vec![Event::ExpiredClaimsCleared { round: 0, removed: 3, complete: true }]
		);
	});

	// Nothing left: a read and no event.
	let db: frame_support::weights::RuntimeDbWeight =
		<Test as frame_system::Config>::DbWeight::get();
	assert_eq!(idle_block(&mut ext, Weight::MAX), db.reads(1));
	ext.execute_with(|| {
		assert!(events().is_empty());
		Rewards::do_try_state().unwrap();
	});
}

#[test]
fn a_step_never_removes_more_than_max_expiry_cleanup() {
	let mut ext = expired_round_with_five_markers();
	idle_block(&mut ext, Weight::MAX);
	ext.execute_with(|| {
		assert_eq!(markers(0), 5 - MaxExpiryCleanup::get() as usize);
		MaxExpiryCleanup::set(1);
	});
	idle_block(&mut ext, Weight::MAX);
	ext.execute_with(|| assert_eq!(markers(0), 1));
	idle_block(&mut ext, Weight::MAX);
	ext.execute_with(|| {
		assert_eq!(markers(0), 0);
		assert!(PendingCleanup::<Test>::get().is_empty());
		Rewards::do_try_state().unwrap();
	});
}

#[test]
fn too_little_weight_removes_nothing() {
	expired_round_with_five_markers().execute_with(|| {
		let short = <() as WeightInfo>::on_idle_cleanup(1).saturating_sub(Weight::from_parts(1, 0));
		assert_storage_noop!(Rewards::on_idle(1, short));
		assert_storage_noop!(Rewards::on_idle(1, Weight::zero()));
		assert_eq!(Rewards::on_idle(1, Weight::zero()), Weight::zero());
		assert_eq!(markers(0), 5);
		Rewards::do_try_state().unwrap();
	});
}

#[test]
fn markers_of_retained_rounds_are_kept() {
	let mut ext = expired_round_with_five_markers();
	ext.execute_with(|| {
		// Closing round 4 also queues round 1, which nobody claimed.
		MockPoints::set(4, ALICE, 1);
		close_round(4);
		assert_eq!(PendingCleanup::<Test>::get(), ClaimCleanup { next: 0, end: 2 });
		assert_ok!(claim(ALICE, 4));
	});
	ext.commit_all().unwrap();
	for _ in 0..4 {
		idle_block(&mut ext, Weight::MAX);
	}
	ext.execute_with(|| {
		assert_eq!(markers(0), 0);
		assert!(PendingCleanup::<Test>::get().is_empty());
		assert!(Claimed::<Test>::contains_key(4, ALICE));
		Rewards::do_try_state().unwrap();
	});
}
