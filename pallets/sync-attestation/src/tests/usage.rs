//! What the usage pallet tells about providers' leases (`UsageSink`): the units they were paid for
//! count towards their points, up to a share of their measured capacity's; the units their
//! consumers disputed come off them.

use super::*;
use crate::{DisputedUsage, Leaderboard};
use proof_of_sync_primitives::{ResourceKind, RoundPoints, UsageSink};

fn in_round_one(test: impl FnOnce()) {
	builder().build_and_execute(|| {
		run_to_round(1);
		test()
	});
}

/// `who` answers every challenge it expects this round with no lag, and its verifiers measured
/// `capacity_points` worth of capacity.
fn sync_fully_with(who: AccountId, capacity_points: Points) {
	SyncAttestation::update_stats(round().index, &who, |s| {
		s.sync_credit += CREDIT_UNIT;
		s.capacity_points = capacity_points;
	});
}

#[test]
fn served_units_earn_points_up_to_a_share_of_the_measured_capacitys() {
	in_round_one(|| {
		sync_fully_with(1, 2_000);
		assert_eq!(SyncAttestation::points_of(1, &1), BASE_POINTS + 2_000);
		// `UsageWeights`: 10 points a storage unit, one a milli-vCPU or a megabit.
		SyncAttestation::note_served(&1, ResourceKind::Storage, 5);
		assert_eq!(SyncAttestation::points_of(1, &1), BASE_POINTS + 2_000 + 50);
		SyncAttestation::note_served(&1, ResourceKind::Bandwidth, 300);
		assert_eq!(SyncAttestation::points_of(1, &1), BASE_POINTS + 2_000 + 350);
		// 1 850 points of usage, but `MaxUsageShare` is half the 2 000 capacity points.
		SyncAttestation::note_served(&1, ResourceKind::Compute, 1_500);
		let stats = ProviderRounds::<Test>::get(1, 1).unwrap();
		assert_eq!((stats.usage_credit, stats.points), (1_850_000, BASE_POINTS + 3_000));
		assert_eq!(SyncAttestation::total_points(1), BASE_POINTS + 3_000);
		assert_eq!(Leaderboard::<Test>::get(1).first(), Some(&(1, BASE_POINTS + 3_000)));
	});
}

/// Abuse: a provider declares far more than it has, and leases it to itself through a second
/// account to earn usage points on capacity nobody measured.
#[test]
fn served_units_earn_nothing_on_unmeasured_capacity_or_out_of_sync() {
	in_round_one(|| {
		SyncAttestation::note_served(&2, ResourceKind::Storage, 1 << 20);
		assert_eq!(SyncAttestation::points_of(1, &2), 0);
		sync_fully_with(2, 0);
		assert_eq!(SyncAttestation::points_of(1, &2), BASE_POINTS);
		// Measured, but half in sync: half of what it would earn.
		SyncAttestation::note_served(&3, ResourceKind::Storage, 10);
		SyncAttestation::update_stats(1, &3, |s| {
			s.sync_credit += CREDIT_UNIT / 2;
			s.capacity_points = 1_000;
		});
		assert_eq!(SyncAttestation::points_of(1, &3), (BASE_POINTS + 1_000 + 100) / 2);
	});
}

/// Abuse: a provider bills usage its consumer disputes. It loses what the units would have
/// earned in the next round, usage or not; and a consumer that leases from a rival only to
/// dispute it costs the rival no more than that, at most `MaxDisputeShare` of its capacity
/// points.
#[test]
fn disputed_units_come_off_the_next_rounds_points() {
	in_round_one(|| {
		SyncAttestation::note_disputed(&1, ResourceKind::Storage, 5);
		SyncAttestation::note_disputed(&1, ResourceKind::Compute, 20);
		SyncAttestation::note_disputed(&2, ResourceKind::Storage, 1 << 20);
		assert_eq!(DisputedUsage::<Test>::get(2, 1), 70_000);
		sync_fully_with(1, 2_000);
		SyncAttestation::note_served(&1, ResourceKind::Storage, 50);
		assert_eq!(SyncAttestation::points_of(1, &1), BASE_POINTS + 2_000 + 500);

		run_to_round(2);
		// No usage to lose: it comes off the rest.
		sync_fully_with(1, 2_000);
		assert_eq!(SyncAttestation::points_of(2, &1), BASE_POINTS + 2_000 - 70);
		SyncAttestation::note_served(&1, ResourceKind::Storage, 50);
		assert_eq!(SyncAttestation::points_of(2, &1), BASE_POINTS + 2_000 + 500 - 70);
		// However much was disputed, at most a twentieth of the capacity points
		// (`MaxDisputeShare`, below `HysteresisMargin`: a rival's disputes cannot cost a seat).
		sync_fully_with(2, 2_000);
		assert_eq!(SyncAttestation::points_of(2, &2), BASE_POINTS + 2_000 - 100);

		run_to_round(3);
		sync_fully_with(1, 2_000);
		SyncAttestation::note_served(&1, ResourceKind::Storage, 50);
		assert_eq!(SyncAttestation::points_of(3, &1), BASE_POINTS + 2_000 + 500);
	});
}
