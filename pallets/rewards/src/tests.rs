//! Unit tests. `build_and_execute` runs `do_try_state` after each one.

use crate::{mock::*, Error, Event, *};
use frame_support::{
	assert_noop, assert_ok, assert_storage_noop,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Precision, Preservation},
		Get, Hooks,
	},
};
use proof_of_sync_primitives::RoundClock;
use sp_runtime::{DispatchError, TokenError};

/// Close `round` the way the round-closing pallet does, with the clock moved past it.
fn close_round(round: RoundIndex) -> Weight {
	MockRoundClock::set(round + 1);
	Rewards::on_round_closed(round)
}

fn pot() -> AccountId {
	Rewards::pot_account()
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn issuance() -> Balance {
	Balances::total_issuance()
}

fn claim(who: AccountId, round: RoundIndex) -> frame_support::dispatch::DispatchResult {
	Rewards::claim_rewards(RuntimeOrigin::signed(who), round)
}

mod genesis {
	use super::*;

	#[test]
	fn pot_funding_is_minted_into_the_pot() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(free(pot()), POT_FUNDING);
			assert_eq!(issuance(), POT_FUNDING + 3 * INITIAL_BALANCE);
			assert_eq!(Unclaimed::<Test>::get(), 0);
			assert_eq!(LastClosedRound::<Test>::get(), None);
			assert!(rewards_events().is_empty());
		});
	}

	#[test]
	fn no_funding_leaves_the_pot_empty_and_rounds_pay_nothing() {
		ExtBuilder::default().pot_funding(0).build_and_execute(|| {
			assert_eq!(free(pot()), 0);
			MockPoints::set(0, ALICE, 5);
			close_round(0);
			assert_eq!(
				rewards_events(),
				vec![Event::RoundRewardAllocated { round: 0, emission: 0, total_points: 5 }]
			);
			assert_eq!(Unclaimed::<Test>::get(), 0);
		});
	}

	#[test]
	#[should_panic(expected = "minting pot_funding failed")]
	fn funding_below_the_existential_deposit_fails() {
		ExtBuilder::default().pot_funding(EXISTENTIAL_DEPOSIT - 1).build();
	}

	#[test]
	#[should_panic(expected = "HistoryDepth must be at least 1")]
	fn integrity_test_rejects_zero_history() {
		new_test_ext().execute_with(|| {
			HistoryDepth::set(0);
			<Rewards as Hooks<u64>>::integrity_test();
		});
	}
}

mod closing {
	use super::*;

	#[test]
	fn closing_sets_the_emission_aside() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(0, BOB, 3);
			let weight = close_round(0);

			assert_eq!(
				RoundRewards::<Test>::get(0),
				Some(RoundReward { emission: 1_000, total_points: 4, claimed: 0 })
			);
			assert_eq!(Unclaimed::<Test>::get(), 1_000);
			assert_eq!(LastClosedRound::<Test>::get(), Some(0));
			// Nothing moves until someone claims.
			assert_eq!(free(pot()), POT_FUNDING);
			assert_eq!(weight, <() as WeightInfo>::on_round_closed(0));
			assert_eq!(
				rewards_events(),
				vec![Event::RoundRewardAllocated { round: 0, emission: 1_000, total_points: 4 }]
			);
		});
	}

	#[test]
	fn a_round_without_points_emits_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			close_round(0);
			assert_eq!(
				RoundRewards::<Test>::get(0),
				Some(RoundReward { emission: 0, total_points: 0, claimed: 0 })
			);
			assert_eq!(Unclaimed::<Test>::get(), 0);
			assert_eq!(
				rewards_events(),
				vec![Event::RoundRewardAllocated { round: 0, emission: 0, total_points: 0 }]
			);
			assert_noop!(claim(ALICE, 0), Error::<Test>::NoPoints);
		});
	}

	#[test]
	fn emission_is_capped_by_what_the_pot_can_spare() {
		ExtBuilder::default()
			.pot_funding(EXISTENTIAL_DEPOSIT + 400)
			.build_and_execute(|| {
				MockPoints::set(0, ALICE, 1);
				MockPoints::set(1, ALICE, 1);
				MockPoints::set(2, ALICE, 1);

				close_round(0);
				assert_eq!(RoundRewards::<Test>::get(0).unwrap().emission, 400);
				// Everything above the existential deposit is owed to round 0.
				close_round(1);
				assert_eq!(RoundRewards::<Test>::get(1).unwrap().emission, 0);
				assert_eq!(Unclaimed::<Test>::get(), 400);

				// A zero share is still paid once, and moves nothing.
				assert_ok!(claim(ALICE, 1));
				assert_eq!(free(ALICE), INITIAL_BALANCE);
				assert_noop!(claim(ALICE, 1), Error::<Test>::AlreadyClaimed);

				assert_ok!(claim(ALICE, 0));
				assert_eq!(free(ALICE), INITIAL_BALANCE + 400);
				assert_eq!(free(pot()), EXISTENTIAL_DEPOSIT);

				// Refilling the pot with a plain transfer funds the next round.
				assert_ok!(Balances::transfer_keep_alive(RuntimeOrigin::signed(BOB), pot(), 50));
				close_round(2);
				assert_eq!(RoundRewards::<Test>::get(2).unwrap().emission, 50);
			});
	}

	#[test]
	fn emission_is_the_configured_amount_when_the_pot_is_rich() {
		ExtBuilder::default().build_and_execute(|| {
			RoundEmission::set(123);
			MockPoints::set(0, ALICE, 1);
			close_round(0);
			assert_eq!(RoundRewards::<Test>::get(0).unwrap().emission, 123);
		});
	}

	#[test]
	#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure"))]
	fn closing_a_round_twice_or_out_of_order_changes_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(1, ALICE, 1);
			close_round(1);
			assert_storage_noop!(Rewards::on_round_closed(1));
			assert_storage_noop!(Rewards::on_round_closed(0));
		});
	}
}

mod claiming {
	use super::*;

	#[test]
	fn shares_follow_points() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(0, BOB, 3);
			close_round(0);
			rewards_events();

			assert_ok!(claim(ALICE, 0));
			assert_ok!(claim(BOB, 0));

			assert_eq!(free(ALICE), INITIAL_BALANCE + 250);
			assert_eq!(free(BOB), INITIAL_BALANCE + 750);
			assert_eq!(free(pot()), POT_FUNDING - 1_000);
			assert_eq!(Unclaimed::<Test>::get(), 0);
			assert_eq!(RoundRewards::<Test>::get(0).unwrap().claimed, 1_000);
			assert!(Claimed::<Test>::contains_key(0, ALICE));
			assert!(Claimed::<Test>::contains_key(0, BOB));
			assert_eq!(
				rewards_events(),
				vec![
					Event::RewardPaid { round: 0, who: ALICE, amount: 250 },
					Event::RewardPaid { round: 0, who: BOB, amount: 750 },
				]
			);
		});
	}

	#[test]
	fn rounding_dust_stays_in_the_pot() {
		ExtBuilder::default().build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE] {
				MockPoints::set(0, who, 1);
			}
			close_round(0);
			for who in [ALICE, BOB, CHARLIE] {
				assert_ok!(claim(who, 0));
				assert_eq!(free(who), INITIAL_BALANCE + 333);
			}
			assert_eq!(Unclaimed::<Test>::get(), 1);
			assert_eq!(free(pot()), POT_FUNDING - 999);

			// The dust is never paid; when the round expires it is no longer owed either.
			for round in 1..=3 {
				close_round(round);
			}
			assert_eq!(Unclaimed::<Test>::get(), 0);
			assert_eq!(free(pot()), POT_FUNDING - 999);
			assert!(rewards_events().contains(&Event::RoundExpired { round: 0, returned: 1 }));
		});
	}

	#[test]
	fn anyone_can_pay_a_provider_out() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(0, BOB, 3);
			close_round(0);
			rewards_events();

			assert_ok!(Rewards::payout(RuntimeOrigin::signed(CHARLIE), ALICE, 0));
			assert_eq!(free(ALICE), INITIAL_BALANCE + 250);
			assert_eq!(free(CHARLIE), INITIAL_BALANCE);
			assert_eq!(
				rewards_events(),
				vec![Event::RewardPaid { round: 0, who: ALICE, amount: 250 }]
			);

			// The provider cannot be paid a second time, by itself or anyone else.
			assert_noop!(claim(ALICE, 0), Error::<Test>::AlreadyClaimed);
			assert_noop!(
				Rewards::payout(RuntimeOrigin::signed(BOB), ALICE, 0),
				Error::<Test>::AlreadyClaimed
			);
			// Paying out an account with no points fails the same way claiming does.
			assert_noop!(
				Rewards::payout(RuntimeOrigin::signed(ALICE), DAVE, 0),
				Error::<Test>::NoPoints
			);
		});
	}

	#[test]
	fn calls_need_a_signed_origin() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			close_round(0);
			assert_noop!(
				Rewards::claim_rewards(RuntimeOrigin::none(), 0),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Rewards::payout(RuntimeOrigin::root(), ALICE, 0),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn claims_and_expiry_leave_total_issuance_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			let before = issuance();
			MockPoints::set(0, ALICE, 2);
			MockPoints::set(0, BOB, 1);
			MockPoints::set(1, ALICE, 1);
			close_round(0);
			close_round(1);
			assert_ok!(claim(ALICE, 0));
			assert_ok!(Rewards::payout(RuntimeOrigin::signed(ALICE), ALICE, 1));
			assert_eq!(issuance(), before);
			for round in 2..=5 {
				close_round(round);
			}
			// Bob's share of round 0 expired unpaid.
			assert_eq!(RoundRewards::<Test>::get(0), None);
			assert_eq!(issuance(), before);
			assert_eq!(free(ALICE) + free(BOB) + free(pot()), 2 * INITIAL_BALANCE + POT_FUNDING);
		});
	}

	#[test]
	fn a_new_account_needs_a_reward_of_at_least_the_existential_deposit() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 999);
			MockPoints::set(0, DAVE, 1);
			close_round(0);
			assert_eq!(Rewards::reward_of(0, &DAVE), Some(1));
			assert_noop!(claim(DAVE, 0), DispatchError::Token(TokenError::BelowMinimum));
		});
	}
}

mod errors {
	use super::*;

	#[test]
	fn round_not_closed() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(2, ALICE, 1);
			// The running round and a future one.
			MockRoundClock::set(0);
			assert_noop!(claim(ALICE, 0), Error::<Test>::RoundNotClosed);
			assert_noop!(claim(ALICE, 7), Error::<Test>::RoundNotClosed);

			// Round 1 ended but was never closed; rounds 0 and 2 were.
			close_round(0);
			close_round(2);
			assert_eq!(MockRoundClock::current_round(), 3);
			assert_noop!(claim(ALICE, 1), Error::<Test>::RoundNotClosed);
			assert_noop!(claim(ALICE, 3), Error::<Test>::RoundNotClosed);
			assert_ok!(claim(ALICE, 2));
		});
	}

	#[test]
	fn round_expired() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(0, BOB, 1);
			close_round(0);
			assert_ok!(claim(ALICE, 0));
			for round in 1..=3 {
				close_round(round);
			}
			// Bob never claimed; Alice did and her marker is still in storage.
			assert_noop!(claim(BOB, 0), Error::<Test>::RoundExpired);
			assert_noop!(claim(ALICE, 0), Error::<Test>::RoundExpired);
			assert_noop!(
				Rewards::payout(RuntimeOrigin::signed(CHARLIE), BOB, 0),
				Error::<Test>::RoundExpired
			);
		});
	}

	#[test]
	fn rounds_older_than_the_history_are_expired_even_if_never_closed() {
		ExtBuilder::default().build_and_execute(|| {
			MockRoundClock::set(10);
			MockPoints::set(2, ALICE, 1);
			assert_noop!(claim(ALICE, 2), Error::<Test>::RoundExpired);
			// Within the history but never closed.
			assert_noop!(claim(ALICE, 8), Error::<Test>::RoundNotClosed);
		});
	}

	#[test]
	fn already_claimed() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			close_round(0);
			assert_ok!(claim(ALICE, 0));
			assert_noop!(claim(ALICE, 0), Error::<Test>::AlreadyClaimed);
		});
	}

	#[test]
	fn no_points() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			close_round(0);
			assert_noop!(claim(BOB, 0), Error::<Test>::NoPoints);
			assert_noop!(claim(DAVE, 0), Error::<Test>::NoPoints);
		});
	}
}

mod expiry {
	use super::*;

	#[test]
	fn the_round_past_the_history_expires_and_returns_its_remainder() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(0, BOB, 1);
			close_round(0);
			assert_ok!(claim(ALICE, 0));
			close_round(1);
			close_round(2);
			// Still within the history.
			assert!(RoundRewards::<Test>::contains_key(0));
			rewards_events();
			let pot_before = free(pot());

			let weight = close_round(3);
			assert_eq!(weight, <() as WeightInfo>::on_round_closed(1));
			assert_eq!(
				rewards_events(),
				vec![
					Event::RoundRewardAllocated { round: 3, emission: 0, total_points: 0 },
					Event::RoundExpired { round: 0, returned: 500 },
				]
			);
			assert_eq!(RoundRewards::<Test>::get(0), None);
			assert_eq!(RoundRewards::<Test>::iter().count(), 3);
			assert_eq!(Unclaimed::<Test>::get(), 0);
			// The remainder never left the pot.
			assert_eq!(free(pot()), pot_before);
			assert_eq!(PendingCleanup::<Test>::get(), ClaimCleanup { next: 0, end: 1 });
			// The returned remainder funds later rounds.
			MockPoints::set(4, BOB, 1);
			close_round(4);
			assert_eq!(RoundRewards::<Test>::get(4).unwrap().emission, 1_000);
		});
	}

	#[test]
	fn a_skipped_close_still_expires_everything_past_the_history() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			MockPoints::set(1, ALICE, 1);
			close_round(0);
			close_round(1);
			rewards_events();

			// Rounds 2 to 9 never closed: closing 10 retires both 0 and 1.
			let weight = close_round(10);
			assert_eq!(weight, <() as WeightInfo>::on_round_closed(2));
			assert_eq!(
				rewards_events(),
				vec![
					Event::RoundRewardAllocated { round: 10, emission: 0, total_points: 0 },
					Event::RoundExpired { round: 0, returned: 1_000 },
					Event::RoundExpired { round: 1, returned: 1_000 },
				]
			);
			assert_eq!(RoundRewards::<Test>::iter_keys().collect::<Vec<_>>(), vec![10]);
			assert_eq!(Unclaimed::<Test>::get(), 0);
		});
	}

	#[test]
	fn nothing_expires_within_the_first_history_depth_rounds() {
		ExtBuilder::default().build_and_execute(|| {
			for round in 0..3 {
				MockPoints::set(round, ALICE, 1);
				assert_eq!(close_round(round), <() as WeightInfo>::on_round_closed(0));
			}
			assert_eq!(RoundRewards::<Test>::iter().count(), 3);
			assert_eq!(Unclaimed::<Test>::get(), 3_000);
			assert!(PendingCleanup::<Test>::get().is_empty());
		});
	}
}

mod cleanup {
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
			rewards_events();
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
				rewards_events(),
				vec![Event::ExpiredClaimsCleared { round: 0, removed: 2, complete: false }]
			);
		});

		// Plenty of weight: at most `MaxExpiryCleanup` (3) go, which is the rest.
		assert_eq!(idle_block(&mut ext, Weight::MAX), <() as WeightInfo>::on_idle_cleanup(3));
		ext.execute_with(|| {
			assert_eq!(markers(0), 0);
			assert!(PendingCleanup::<Test>::get().is_empty());
			assert_eq!(
				rewards_events(),
				vec![Event::ExpiredClaimsCleared { round: 0, removed: 3, complete: true }]
			);
		});

		// Nothing left: a read and no event.
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		assert_eq!(idle_block(&mut ext, Weight::MAX), db.reads(1));
		ext.execute_with(|| {
			assert!(rewards_events().is_empty());
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
			let short =
				<() as WeightInfo>::on_idle_cleanup(1).saturating_sub(Weight::from_parts(1, 0));
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
}

mod read_helpers {
	use super::*;

	#[test]
	fn reward_of_and_pending_rewards() {
		ExtBuilder::default().build_and_execute(|| {
			assert!(Rewards::pending_rewards(&ALICE).is_empty());
			for round in 0..3 {
				MockPoints::set(round, ALICE, 1);
				MockPoints::set(round, BOB, 1);
				close_round(round);
			}
			assert_eq!(Rewards::pending_rewards(&ALICE), vec![(0, 500), (1, 500), (2, 500)]);

			assert_ok!(claim(ALICE, 1));
			assert_eq!(Rewards::reward_of(1, &ALICE), None);
			assert_eq!(Rewards::reward_of(2, &ALICE), Some(500));
			assert_eq!(Rewards::reward_of(2, &DAVE), None);
			assert_eq!(Rewards::reward_of(9, &ALICE), None);
			assert_eq!(Rewards::pending_rewards(&ALICE), vec![(0, 500), (2, 500)]);

			close_round(3);
			assert_eq!(Rewards::reward_of(0, &ALICE), None);
			assert_eq!(Rewards::pending_rewards(&ALICE), vec![(2, 500)]);
			assert_eq!(Rewards::pending_rewards(&BOB), vec![(1, 500), (2, 500)]);
		});
	}

	#[test]
	fn the_pot_is_the_pallet_id_account() {
		use sp_runtime::traits::AccountIdConversion;
		let expected: AccountId = RewardsPalletId::get().into_account_truncating();
		assert_eq!(Rewards::pot_account(), expected);
	}
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_a_wrong_unclaimed_total() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			close_round(0);
			Unclaimed::<Test>::put(999);
			assert!(Rewards::do_try_state().is_err());
			Unclaimed::<Test>::put(1_000);
		});
	}

	#[test]
	fn try_state_catches_an_overpaid_round_and_an_underfunded_pot() {
		ExtBuilder::default().build_and_execute(|| {
			MockPoints::set(0, ALICE, 1);
			close_round(0);
			RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().claimed = 1_001);
			assert!(Rewards::do_try_state().is_err());
			RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().claimed = 0);

			assert_ok!(Balances::burn_from(
				&pot(),
				POT_FUNDING - 500,
				Preservation::Expendable,
				Precision::Exact,
				Fortitude::Force,
			));
			assert!(Rewards::do_try_state().is_err());
			Unclaimed::<Test>::put(0);
			RoundRewards::<Test>::mutate(0, |r| r.as_mut().unwrap().emission = 0);
		});
	}

	#[test]
	fn try_state_catches_a_stray_claim_marker() {
		ExtBuilder::default().build_and_execute(|| {
			Claimed::<Test>::insert(7, ALICE, ());
			assert!(Rewards::do_try_state().is_err());
			Claimed::<Test>::remove(7, ALICE);
		});
	}
}
