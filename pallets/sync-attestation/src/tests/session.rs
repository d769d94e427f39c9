//! Round boundaries: closing a round, the points other pallets read, and the authority choice.

use super::*;
use crate::{Event, LastClosedRound};
use frame_support::{assert_ok, BoundedVec};
use pallet_session::SessionManager;
use proof_of_sync_primitives::{ProviderRegistry, RoundPoints};

#[test]
fn closing_a_round_tells_the_rewards_pallet_and_emits_events() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let c = challenges(2)[0];
		answer_at(2, c);
		events();
		run_to_round(2);
		assert_eq!(ClosedRounds::get(), vec![0, 1]);
		assert_eq!(LastClosedRound::<Test>::get(), Some(1));
		let events = events();
		assert_eq!(
			events[0],
			Event::RoundClosed {
				round: 1,
				total_points: CANDIDATE_POINTS_PER_ANSWER,
				attestations: 1
			}
		);
		assert!(matches!(events[1], Event::RoundStarted { round: 2, .. }));
	});
}

#[test]
fn round_points_are_the_stored_points() {
	builder().build_and_execute(|| {
		run_to_round(1);
		let (c1, c2) = (challenges(1)[0], challenges(2)[0]);
		let (first, second) = if c1 <= c2 { ((1, c1), (2, c2)) } else { ((2, c2), (1, c1)) };
		answer_at(first.0, first.1);
		answer_at(second.0, second.1);
		run_to_round(2);
		assert_eq!(SyncAttestation::points_of(1, &1), CANDIDATE_POINTS_PER_ANSWER);
		assert_eq!(SyncAttestation::points_of(1, &2), CANDIDATE_POINTS_PER_ANSWER);
		assert_eq!(SyncAttestation::points_of(1, &3), 0);
		assert_eq!(SyncAttestation::total_points(1), 2 * CANDIDATE_POINTS_PER_ANSWER);
		assert_eq!(
			SyncAttestation::points_of(1, &1),
			ProviderRounds::<Test>::get(1, 1).unwrap().points
		);
		assert_eq!(SyncAttestation::total_points(2), 0);
	});
}

#[test]
fn genesis_keeps_the_configured_authorities() {
	builder().build_and_execute(|| {
		assert_eq!(SyncAttestation::new_session_genesis(0), None);
		assert_eq!(SyncAttestation::new_session_genesis(1), None);
	});
}

/// Candidates 1, 2 (incumbents), 4 and 5, all with keys, round 1 closed with `points` given per
/// candidate.
fn closed_round_with(points: &[(AccountId, Points)]) {
	MockRegistry::register_with(4, true, BOND, 0);
	MockRegistry::register_with(5, true, BOND, 0);
	set_key(4);
	set_key(5);
	run_to_round(1);
	for (who, p) in points {
		give_points(1, *who, *p);
	}
	SyncAttestation::end_session(1);
	events();
}

#[test]
fn ranks_candidates_by_points() {
	builder().build_and_execute(|| {
		closed_round_with(&[(1, 100), (2, 400), (4, 300), (5, 200)]);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![2, 4, 5]));
		assert_eq!(
			events(),
			vec![Event::AuthoritiesChosen {
				round: 3,
				authorities: BoundedVec::truncate_from(vec![2, 4, 5])
			}]
		);
	});
}

#[test]
fn breaks_ties_by_bond_then_account() {
	builder().build_and_execute(|| {
		Authorities::set(vec![]);
		MockRegistry::register_with(6, true, BOND + 1, 0);
		set_key(6);
		closed_round_with(&[(5, 100), (4, 100), (6, 100), (1, 50)]);
		// 6 has the biggest bond; 4 and 5 tie on bond too, so the lower account goes first.
		assert_eq!(SyncAttestation::new_session(3), Some(vec![6, 4, 5]));
	});
}

#[test]
fn incumbents_keep_their_seat_against_a_slightly_better_challenger() {
	builder().build_and_execute(|| {
		MaxAuthorities::set(2);
		// 2 × 1.1 = 1 100 beats 1 050, not 1 200.
		closed_round_with(&[(1, 2_000), (2, 1_000), (4, 1_050)]);
		assert_eq!(SyncAttestation::new_session(3), None, "the same set: nothing to change");
		assert!(events().is_empty());
	});
	builder().build_and_execute(|| {
		MaxAuthorities::set(2);
		closed_round_with(&[(1, 2_000), (2, 1_000), (4, 1_200)]);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![1, 4]));
	});
}

#[test]
fn keeps_the_set_when_too_few_qualify() {
	builder().build_and_execute(|| {
		MinAuthorities::set(3);
		closed_round_with(&[(4, 100), (5, 100)]);
		assert_eq!(SyncAttestation::new_session(3), None);
		assert_eq!(events(), vec![Event::AuthoritySetKept { round: 3, qualified: 2 }]);
	});
}

#[test]
fn chooses_at_most_max_authorities() {
	builder().build_and_execute(|| {
		MaxAuthorities::set(2);
		closed_round_with(&[(1, 1), (2, 2), (4, 3), (5, 4)]);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![5, 4]));
	});
}

#[test]
fn never_chooses_candidates_without_points() {
	builder().build_and_execute(|| {
		// 1 and 2, the incumbents, proved nothing; 3 is no candidate.
		closed_round_with(&[(3, 500), (4, 100)]);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![4]));
	});
}

#[test]
fn ignores_chilled_candidates() {
	builder().build_and_execute(|| {
		closed_round_with(&[(1, 100), (4, 100)]);
		assert_eq!(
			<MockRegistry as proof_of_sync_primitives::ProviderRegistry<_, _>>::chill(&4),
			Ok(())
		);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![1]));
	});
}

#[test]
fn min_authorities_counts_only_candidates_with_keys() {
	builder().build_and_execute(|| {
		MinAuthorities::set(3);
		// Four candidates earned points, but 4 and 5 purged their keys: pallet-session would
		// leave them out, so only 1 and 2 qualify.
		closed_round_with(&[(1, 100), (2, 400), (4, 300), (5, 200)]);
		purge_keys(4);
		purge_keys(5);
		assert_eq!(SyncAttestation::new_session(3), None);
		assert_eq!(events(), vec![Event::AuthoritySetKept { round: 3, qualified: 2 }]);
	});
	builder().build_and_execute(|| {
		// Without the key-less ones, the ranking seats those with keys only.
		closed_round_with(&[(1, 100), (2, 400), (4, 300), (5, 200)]);
		purge_keys(4);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![2, 5, 1]));
	});
}

#[test]
fn a_set_never_shrinks_to_one_when_keys_are_purged() {
	builder().build_and_execute(|| {
		// 4 and 5 outscore 1 and then purge their keys; 2 earned nothing. Seating 4, 5 and 1 would
		// leave 1 alone once pallet-session dropped the key-less ones.
		closed_round_with(&[(1, 100), (4, 300), (5, 200)]);
		Authorities::set(vec![1, 2, 4]);
		purge_keys(4);
		purge_keys(5);
		// Only 1 qualifies; the set of three may lose one member a session, so 2 keeps its seat.
		assert_eq!(SyncAttestation::new_session(3), Some(vec![1, 2]));
		assert_eq!(
			events(),
			vec![Event::AuthoritiesChosen {
				round: 3,
				authorities: BoundedVec::truncate_from(vec![1, 2])
			}]
		);
	});
}

#[test]
fn the_set_shrinks_by_at_most_the_bound_per_session() {
	builder().build_and_execute(|| {
		MaxAuthorities::set(5);
		MockRegistry::register_with(6, true, BOND + 1, 0);
		set_key(6);
		// Only 4 proved its sync; the others, all still candidates with keys, earned nothing.
		closed_round_with(&[(4, 100)]);
		Authorities::set(vec![1, 2, 4, 5, 6]);
		// 34 % of 5 rounded down is 1: the set keeps 4 members, 6 (the biggest bond) first, then
		// the lowest accounts.
		assert_eq!(SyncAttestation::new_session(3), Some(vec![4, 6, 1, 2]));
		// Each session drops at most a third of the set, and at least one member.
		Authorities::set(vec![4, 6, 1, 2]);
		assert_eq!(SyncAttestation::new_session(4), Some(vec![4, 6, 1]));
		Authorities::set(vec![4, 6, 1]);
		assert_eq!(SyncAttestation::new_session(5), Some(vec![4, 6]));
		Authorities::set(vec![4, 6]);
		assert_eq!(SyncAttestation::new_session(6), Some(vec![4]));
	});
}

#[test]
fn the_cap_does_not_hold_back_members_that_cannot_sit() {
	builder().build_and_execute(|| {
		closed_round_with(&[(5, 100)]);
		Authorities::set(vec![1, 2, 4]);
		// Of the incumbents, 1 was chilled and 4 purged its keys: only 2 can be held back.
		assert_ok!(MockRegistry::chill(&1));
		purge_keys(4);
		assert_eq!(SyncAttestation::new_session(3), Some(vec![5, 2]));
	});
}

#[test]
fn a_kept_set_drops_members_that_were_chilled() {
	builder().build_and_execute(|| {
		MinAuthorities::set(3);
		closed_round_with(&[(4, 100), (5, 100)]);
		assert_ok!(MockRegistry::chill(&2));
		assert_eq!(SyncAttestation::new_session(3), Some(vec![1]));
		assert_eq!(
			events(),
			vec![
				Event::AuthoritySetKept { round: 3, qualified: 2 },
				Event::AuthoritiesDropped { round: 3, dropped: BoundedVec::truncate_from(vec![2]) },
			]
		);
	});
}

#[test]
fn a_kept_set_drops_members_that_withdrew() {
	builder().build_and_execute(|| {
		MinAuthorities::set(3);
		closed_round_with(&[(4, 100), (5, 100)]);
		// 1 left and withdrew: the registry no longer knows it.
		Providers::mutate(|p| p.remove(&1));
		Candidates::mutate(|c| c.retain(|who| *who != 1));
		assert_eq!(SyncAttestation::new_session(3), Some(vec![2]));
		assert_eq!(
			last_event(),
			Event::AuthoritiesDropped { round: 3, dropped: BoundedVec::truncate_from(vec![1]) }
		);
	});
}

#[test]
fn the_set_is_never_empty() {
	builder().build_and_execute(|| {
		// Every candidate earned points, then every one purged its keys.
		closed_round_with(&[(1, 100), (2, 400), (4, 300), (5, 200)]);
		for who in [1, 2, 4, 5] {
			purge_keys(who);
		}
		// No one can sit: the set stays as it is rather than empty.
		assert_eq!(SyncAttestation::new_session(3), None);
		assert_eq!(events(), vec![Event::AuthoritySetKept { round: 3, qualified: 0 }]);
	});
	builder().build_and_execute(|| {
		// The authorities were chilled and no candidate earned points: 4 and 5, with keys but no
		// points, take over rather than leave the set empty.
		closed_round_with(&[]);
		for who in [1, 2] {
			assert_ok!(MockRegistry::chill(&who));
		}
		assert_eq!(SyncAttestation::new_session(3), Some(vec![4, 5]));
		assert_eq!(
			events(),
			vec![
				Event::AuthoritySetKept { round: 3, qualified: 0 },
				Event::AuthoritiesDropped {
					round: 3,
					dropped: BoundedVec::truncate_from(vec![1, 2])
				},
				Event::AuthoritiesChosen {
					round: 3,
					authorities: BoundedVec::truncate_from(vec![4, 5])
				},
			]
		);
	});
}

#[test]
fn rotation_hands_the_new_set_to_the_session() {
	builder().build_and_execute(|| {
		MockRegistry::register_with(4, true, BOND, 0);
		set_key(4);
		// Nothing proven in round 0: the set stays.
		run_to_round(1);
		assert_eq!(LastPlanned::get(), None);
		for challenge in challenges(4) {
			answer_at(4, challenge);
		}
		run_to_round(2);
		// Only 4 proved its sync in round 1; it takes over from session 3 on.
		assert_eq!(LastPlanned::get(), Some(vec![4]));
		assert_eq!(
			last_event(),
			Event::AuthoritiesChosen { round: 3, authorities: BoundedVec::truncate_from(vec![4]) }
		);
		assert_eq!(Authorities::get(), vec![1, 2]);
		run_to_round(3);
		assert_eq!(Authorities::get(), vec![4]);
	});
}

#[test]
fn a_round_boundary_registers_its_weight() {
	use crate::WeightInfo;
	use frame_support::dispatch::DispatchClass;
	builder().build_and_execute(|| {
		run_to_block(ROUND_LENGTH - 1);
		assert_eq!(*System::block_weight().get(DispatchClass::Mandatory), Default::default());
		run_to_round(1);
		// Two authorities judged, two candidates recorded and ranked.
		let expected = <() as WeightInfo>::end_session(2)
			.saturating_add(OnRoundClosedWeight::get())
			.saturating_add(<() as WeightInfo>::start_session(2))
			.saturating_add(<() as WeightInfo>::new_session(2));
		assert_eq!(*System::block_weight().get(DispatchClass::Mandatory), expected);
	});
}

/// The attack: a provider that is not a candidate is challenged at the network's rate, so at
/// large `N` one lucky answer is worth many rounds of a candidate's. Opting in after such a
/// round (or just before the round ends) must not turn that lottery win into a seat: a seat is
/// ranked on points earned as a candidate of the round only.
#[test]
fn a_mid_round_opt_in_does_not_rank_on_a_lottery_answer() {
	builder().build_and_execute(|| {
		MaxAuthorities::set(2);
		for who in 4..=60 {
			MockRegistry::register_with(who, false, BOND, 0);
			set_key(who);
		}
		run_to_round(1);
		// A non-candidate challenged in round 1; it answers once.
		let lucky = (3..=60)
			.find(|who| !challenges(*who).is_empty())
			.expect("someone is challenged");
		let mut answers: Vec<_> = challenges(1)
			.into_iter()
			.map(|c| (c, 1))
			.chain(challenges(2).into_iter().map(|c| (c, 2)))
			.chain(challenges(lucky).into_iter().take(1).map(|c| (c, lucky)))
			.collect();
		answers.sort();
		for (challenge, who) in answers {
			if System::block_number() <= challenge + 1 {
				answer_at(who, challenge);
			}
		}
		let lottery = ProviderRounds::<Test>::get(1, lucky).unwrap().points;
		let steady = ProviderRounds::<Test>::get(1, 1).map_or(0, |s| s.points);
		assert!(lottery > 2 * steady, "one lucky answer ({lottery}) beats a round ({steady})");
		// It opts in before the round ends.
		Candidates::mutate(|c| c.push(lucky));
		run_to_round(2);
		assert_eq!(SyncAttestation::seat_points_of(1, &lucky), 0);
		assert!(!LastPlanned::get().unwrap_or_else(Authorities::get).contains(&lucky));
	});
}

/// A kept set is never made of benched members alone (they author nothing): with the other
/// member chilled and no candidate with points, candidates that can sit take over instead.
#[test]
fn a_kept_set_is_never_benched_members_alone() {
	builder().build_and_execute(|| {
		Authorities::set(vec![1, 2, 3]);
		MockRegistry::register_with(3, true, BOND, 0);
		closed_round_with(&[]);
		crate::Benched::<Test>::insert(1, 5);
		crate::Benched::<Test>::insert(2, 5);
		assert_ok!(MockRegistry::chill(&3));
		assert_eq!(SyncAttestation::new_session(3), Some(vec![4, 5]));
	});
}
