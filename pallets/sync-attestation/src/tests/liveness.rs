//! Seats need a node that authors; a finality stall heals itself (the `liveness` module).

use super::*;
use crate::{
	liveness::slots_of, AuthoredIn, Benched, Error, Event, FinalityStall, Heartbeat, HeartbeatOf,
	MissedRounds, RoundStartSlot, SetChanges, Strikes,
};
use frame_support::{assert_noop, assert_ok};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

/// Genesis: candidates 1, 2 and 3, all with Aura keys; authorities 1, 2 and 3.
fn three_authorities() -> ExtBuilder {
	builder().providers(vec![(1, true), (2, true), (3, true)])
}

fn with_aura_keys(accounts: &[AccountId]) {
	for who in accounts {
		set_aura_key(*who);
	}
}

/// Builds blocks up to the start of block `n` the way Aura does: slot after slot, the slot's
/// author (`slot % n` of the authorities) builds the block unless it is `silent`, in which case
/// the slot passes empty.
fn author_to_block(n: BlockNumber, silent: &[AccountId]) {
	while System::block_number() < n {
		let authorities = Authorities::get();
		let count = authorities.len() as u64;
		let mut slot = BlockSlot::get() + 1;
		if authorities.iter().any(|who| !silent.contains(who)) {
			while silent.contains(&authorities[(slot % count) as usize]) {
				slot += 1;
			}
		}
		let author = authorities[(slot % count) as usize];
		BlockSlot::set(slot);
		AuthorKey::set(Some(aura_pair(author).public()));
		next_block();
	}
}

fn author_to_round(round: RoundIndex, silent: &[AccountId]) {
	author_to_block(BlockNumber::from(round) * ROUND_LENGTH, silent);
}

/// A heartbeat of `who` for the round in progress, signed with `signer`.
fn heartbeat_signed_by(
	who: AccountId,
	signer: &sr25519::Pair,
) -> (HeartbeatOf<Test>, sr25519::Signature) {
	let heartbeat = Heartbeat { round: round().index, authority: who };
	let signature = signer.sign(&heartbeat.signing_payload(&System::block_hash(0)));
	(heartbeat, signature)
}

fn send_heartbeat(
	(heartbeat, signature): (HeartbeatOf<Test>, sr25519::Signature),
) -> DispatchResult {
	SyncAttestation::heartbeat(authorized(), heartbeat, signature)
}

fn authorize_heartbeat(
	(heartbeat, signature): (HeartbeatOf<Test>, sr25519::Signature),
) -> TransactionValidityWithRefund {
	crate::Call::<Test>::heartbeat { heartbeat, signature }
		.authorize(TransactionSource::External)
		.expect("heartbeat is an authorized call")
}

#[test]
fn slots_are_counted_as_aura_hands_them_out() {
	// Slots 1..=9 of a set of 3: each member has three.
	assert_eq!((0..3).map(|i| slots_of(i, 3, 0, 9)).collect::<Vec<_>>(), vec![3, 3, 3]);
	// Slots 5..=6 of a set of 4: members 1 and 2.
	assert_eq!((0..4).map(|i| slots_of(i, 4, 4, 6)).collect::<Vec<_>>(), vec![0, 1, 1, 0]);
	assert_eq!(slots_of(0, 0, 0, 9), 0);
	assert_eq!(slots_of(5, 3, 0, 9), 0);
	assert_eq!(slots_of(1, 3, 9, 9), 0);
}

/// Genesis with authorities 1, 2 and 3 (all candidates with Aura keys) sitting and queued.
fn seated_three() -> sp_io::TestExternalities {
	let mut ext = three_authorities().build();
	ext.execute_with(|| {
		with_aura_keys(&[1, 2, 3]);
		Authorities::set(vec![1, 2, 3]);
		QueuedAuthorities::set(vec![1, 2, 3]);
	});
	ext
}

/// Runs `test` on `ext`, then checks the pallet's invariants.
fn check(mut ext: sp_io::TestExternalities, test: impl FnOnce()) {
	ext.execute_with(|| {
		test();
		SyncAttestation::do_try_state().expect("invariants hold");
	});
}

/// Attack: a provider runs its node without `--validator` (the README's provider set-up), earns
/// the most points and wins a seat it never uses. It authors none of its slots; after
/// `MaxMissedRounds + 1` such rounds it is benched, and the set planned then leaves it out,
/// whatever its points.
#[test]
fn an_authority_that_authors_nothing_loses_its_seat() {
	check(seated_three(), || {
		author_to_round(1, &[]);
		author_to_round(2, &[3]);
		assert_eq!(MissedRounds::<Test>::get(3), Some(1));
		assert!(!Benched::<Test>::contains_key(3));
		author_to_block(3 * ROUND_LENGTH - 1, &[3]);
		for who in [1, 2, 3] {
			give_points(2, who, 100 * who as Points);
		}
		events();
		author_to_round(3, &[3]);
		assert_eq!(Benched::<Test>::get(3), Some(3), "a heartbeat counts from round 3 on");
		assert!(events().contains(&Event::AuthorityBenched { authority: 3, round: 2, until: 3 }));
		// The set planned at this boundary leaves it out; 1 and 2 authored and stay.
		assert_eq!(LastPlanned::get(), Some(vec![2, 1]));
		assert_eq!(AuthoredIn::<Test>::get(1), Some(2));
		assert_eq!(MissedRounds::<Test>::get(1), None);
	});
}

/// The rounds an authority authors nothing in add up until it authors again.
#[test]
fn missed_rounds_add_up_until_the_authority_authors() {
	check(seated_three(), || {
		author_to_round(1, &[]);
		author_to_round(2, &[3]);
		assert_eq!(MissedRounds::<Test>::get(3), Some(1));
		// It authors again: the count starts over.
		author_to_round(3, &[]);
		assert_eq!(MissedRounds::<Test>::get(3), None);
		author_to_round(4, &[3]);
		assert!(!Benched::<Test>::contains_key(3));
		author_to_round(5, &[3]);
		assert!(Benched::<Test>::contains_key(3));
	});
}

/// A round in which an authority had no slot (a big set, a short round) does not count against
/// it: only the authorities whose slots the round's slots were are judged.
#[test]
fn a_round_without_slots_counts_for_nothing() {
	builder().build_and_execute(|| {
		let set: Vec<AccountId> = (1..=10).collect();
		run_to_round(1);
		Authorities::set(set.clone());
		// The round's judged slots are 101, 102 and 103: those of the authorities at 1, 2, 3.
		RoundStartSlot::<Test>::put((1, 100));
		BlockSlot::set(103);
		SyncAttestation::judge_authorities(1);
		let missed: Vec<AccountId> =
			set.into_iter().filter(|who| MissedRounds::<Test>::get(who).is_some()).collect();
		assert_eq!(missed, vec![2, 3, 4]);
	});
}

/// A pause of the whole network (no blocks for many slots) must not empty the set at once: the
/// set drops no more than `MaxSetShrink` of itself in a session, holding benched members back.
#[test]
fn benching_drops_no_more_than_the_set_may_shrink() {
	check(seated_three(), || {
		author_to_round(1, &[]);
		author_to_block(3 * ROUND_LENGTH - 1, &[2, 3]);
		give_points(2, 1, 100);
		author_to_round(3, &[2, 3]);
		assert!(Benched::<Test>::contains_key(2) && Benched::<Test>::contains_key(3));
		// A set of 3 may lose one member a session: one benched member is held back.
		let planned = LastPlanned::get().expect("a new set");
		assert_eq!(planned.len(), 2);
		assert_eq!(planned[0], 1);
	});
}

/// A benched authority's node comes back and proves it with a heartbeat signed by its Aura key:
/// the next set may include it again. Forged, replayed, misdirected, early and needless
/// heartbeats are refused, in the pool and at dispatch.
#[test]
fn a_benched_authority_returns_with_a_heartbeat() {
	check(seated_three(), || {
		author_to_round(1, &[]);
		author_to_round(3, &[3]);
		assert!(Benched::<Test>::contains_key(3));

		// Signed by its `sync` key, by someone else's Aura key, or for another chain: no proof.
		assert_noop!(send_heartbeat(heartbeat_signed_by(3, &pair(3))), Error::<Test>::BadSignature);
		assert_noop!(
			send_heartbeat(heartbeat_signed_by(3, &aura_pair(1))),
			Error::<Test>::BadSignature
		);
		let (heartbeat, _) = heartbeat_signed_by(3, &aura_pair(3));
		let other_chain = aura_pair(3).sign(&heartbeat.signing_payload(&H256::repeat_byte(7)));
		assert_noop!(send_heartbeat((heartbeat, other_chain)), Error::<Test>::BadSignature);
		assert_eq!(
			authorize_heartbeat(heartbeat_signed_by(3, &aura_pair(1))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
		);
		// An authority that is not benched has nothing to prove.
		assert_noop!(
			send_heartbeat(heartbeat_signed_by(1, &aura_pair(1))),
			Error::<Test>::NotBenched
		);
		// A heartbeat for a later round is refused (`Future` in the pool).
		let (mut later, _) = heartbeat_signed_by(3, &aura_pair(3));
		later.round += 1;
		let later_signature = aura_pair(3).sign(&later.signing_payload(&System::block_hash(0)));
		assert_eq!(
			authorize_heartbeat((later, later_signature)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Future))
		);

		// The real one: the pool takes it once per authority and round, and it unbenches.
		let beat = heartbeat_signed_by(3, &aura_pair(3));
		let (validity, _) = authorize_heartbeat(beat.clone()).expect("valid");
		assert_eq!(validity.provides.len(), 1);
		events();
		assert_ok!(send_heartbeat(beat.clone()));
		assert!(!Benched::<Test>::contains_key(3));
		assert_eq!(events(), vec![Event::HeartbeatReceived { authority: 3, round: 3 }]);
		// Replayed: nothing left to prove.
		assert_noop!(send_heartbeat(beat), Error::<Test>::NotBenched);

		// With points in round 3, the set planned at its end includes 3 again.
		author_to_block(4 * ROUND_LENGTH - 1, &[]);
		for who in [1, 2, 3] {
			give_points(3, who, 100);
		}
		author_to_round(4, &[]);
		assert!(LastPlanned::get().is_some_and(|set| set.contains(&3)));
	});
}

/// Attack: an operator fakes heartbeats from a node that never authors, to be seated again and
/// again. Each bench since it last authored lasts twice as long before a heartbeat counts, and a
/// heartbeat of an earlier round cannot be replayed.
#[test]
fn faked_heartbeats_buy_less_and_less() {
	check(seated_three(), || {
		author_to_round(1, &[]);
		author_to_round(3, &[3]);
		assert_eq!(Benched::<Test>::get(3), Some(3));
		let old = heartbeat_signed_by(3, &aura_pair(3));
		assert_ok!(send_heartbeat(old.clone()));
		// Seated again, silent again: benched at the end of round 4, now for two rounds.
		Authorities::set(vec![1, 2, 3]);
		QueuedAuthorities::set(vec![1, 2, 3]);
		author_to_round(5, &[3]);
		assert_eq!(Benched::<Test>::get(3), Some(6));
		assert_eq!(Strikes::<Test>::get(3), Some(2));
		assert_noop!(send_heartbeat(old.clone()), Error::<Test>::WrongRound);
		assert_eq!(
			authorize_heartbeat(old),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
		assert_noop!(
			send_heartbeat(heartbeat_signed_by(3, &aura_pair(3))),
			Error::<Test>::StillBenched
		);
		author_to_round(6, &[3]);
		assert_ok!(send_heartbeat(heartbeat_signed_by(3, &aura_pair(3))));
		// An authority that authors again loses its strikes.
		Authorities::set(vec![1, 2, 3]);
		QueuedAuthorities::set(vec![1, 2, 3]);
		author_to_round(8, &[]);
		assert_eq!(Strikes::<Test>::get(3), None);
	});
}

#[test]
fn bench_rounds_double_up_to_the_cap() {
	use crate::liveness::{bench_rounds, MAX_BENCH_ROUNDS};
	assert_eq!((1..=8).map(bench_rounds).collect::<Vec<_>>(), vec![1, 2, 4, 8, 16, 32, 64, 64]);
	assert_eq!(bench_rounds(u32::MAX), MAX_BENCH_ROUNDS);
}

/// What a node reports as finalized when it answers a challenge at the given block.
type Finality = fn(BlockNumber) -> BlockNumber;

/// Answers every challenge of the current round, for each `(provider, finalized)`, at lag 0,
/// reporting `finalized(challenge)` as the node's finalized block. Runs the chain to the round's
/// last block.
fn answer_round(providers: &[(AccountId, Finality)]) {
	let mut answers: Vec<(BlockNumber, AccountId, BlockNumber)> = Vec::new();
	for (who, finalized) in providers {
		for challenge in challenges(*who) {
			answers.push((challenge, *who, finalized(challenge).min(challenge)));
		}
	}
	answers.sort();
	for (challenge, who, finalized) in answers {
		run_to_block(challenge + 1);
		let mut answer = attestation(who, challenge);
		answer.finalized_number = finalized;
		assert_ok!(attest(&answer));
	}
	run_to_block(round().start + ROUND_LENGTH - 1);
}

/// Finality stuck at block 15.
const STUCK: BlockNumber = 15;

fn stuck(_: BlockNumber) -> BlockNumber {
	STUCK
}

fn healthy(challenge: BlockNumber) -> BlockNumber {
	challenge.saturating_sub(2)
}

fn claims_all(challenge: BlockNumber) -> BlockNumber {
	challenge
}

fn stall_setup() {
	FinalityStallBound::set(STALL_BOUND);
	Authorities::set(vec![1, 2, 3]);
	QueuedAuthorities::set(vec![1, 2, 3]);
}

/// Healthy finality: nothing happens, round after round.
#[test]
fn healthy_finality_forces_nothing() {
	three_authorities().build_and_execute(|| {
		stall_setup();
		for round in 1..5 {
			run_to_round(round);
			answer_round(&[(1, healthy), (2, healthy), (3, healthy)]);
		}
		run_to_round(5);
		assert!(StallsNoted::get().is_empty());
		assert!(!Rounds::<Test>::get(3).expect("kept").finality_stalled);
	});
}

/// GRANDPA stalls (a third of the voters gone): the nodes keep reporting the same finalized
/// block. Once it trails by more than `FinalityStallBound` at a round's end, the chain forces a
/// set change voting from it, without root, and the round judges no one's uptime. When finality
/// moves again, the stall is over.
#[test]
fn a_finality_stall_forces_a_set_change() {
	three_authorities().build_and_execute(|| {
		stall_setup();
		run_to_round(1);
		// Round 1 ends at block 40: 25 blocks past 15, within the bound of 30.
		answer_round(&[(1, stuck), (2, stuck), (3, stuck)]);
		run_to_round(2);
		assert!(StallsNoted::get().is_empty());
		// Round 2 ends at block 60: 45 blocks past 15.
		answer_round(&[(1, stuck), (2, stuck), (3, stuck)]);
		events();
		run_to_round(3);
		assert_eq!(StallsNoted::get(), vec![STUCK]);
		assert!(events().contains(&Event::FinalityStalled { round: 2, finalized: STUCK }));
		assert!(Rounds::<Test>::get(2).expect("kept").finality_stalled);
		assert_eq!(FinalityStall::<Test>::get(), Some(STUCK));

		// Past the nodes' own lag bound they stop attesting: the stall stays, and so does the
		// recovery, each round.
		run_to_round(4);
		assert_eq!(StallsNoted::get(), vec![STUCK, STUCK]);
		assert!(Rounds::<Test>::get(3).expect("kept").finality_stalled);

		// The forced change worked: finality moves and the nodes report it.
		answer_round(&[(1, healthy), (2, healthy), (3, healthy)]);
		events();
		run_to_round(5);
		assert_eq!(StallsNoted::get().len(), 2);
		assert!(events().contains(&Event::FinalityRecovered { round: 4 }));
		assert_eq!(FinalityStall::<Test>::get(), None);
	});
}

/// Attack: one authority of three reports a finalized block as high as it may, to hide the
/// stall the other two see. The lower median is theirs.
#[test]
fn a_minority_claiming_finality_cannot_hide_a_stall() {
	three_authorities().build_and_execute(|| {
		stall_setup();
		for round in 1..3 {
			run_to_round(round);
			answer_round(&[(1, claims_all), (2, stuck), (3, stuck)]);
		}
		run_to_round(3);
		assert_eq!(StallsNoted::get(), vec![STUCK]);
	});
}

/// Attack: one authority of three reports finality stuck to force set changes on a healthy
/// chain. The lower median is the other two's.
#[test]
fn a_minority_reporting_a_stall_forces_nothing() {
	three_authorities().build_and_execute(|| {
		stall_setup();
		for round in 1..4 {
			run_to_round(round);
			answer_round(&[(1, stuck), (2, healthy), (3, healthy)]);
		}
		run_to_round(4);
		assert!(StallsNoted::get().is_empty());
	});
}

/// An authority whose node is down reports nothing: the two left, two thirds of the set, see
/// the stall (their finality is stuck too: GRANDPA needs all three).
#[test]
fn the_authorities_left_see_the_stall_when_one_is_down() {
	check(seated_three(), || {
		FinalityStallBound::set(STALL_BOUND);
		for round in 1..3 {
			run_to_round(round);
			answer_round(&[(1, stuck), (2, stuck)]);
		}
		run_to_round(3);
		assert_eq!(StallsNoted::get(), vec![STUCK]);
	});
}

/// Attack: a lone authority, while the others author but do not report, reports whatever
/// finality suits it, to start a stall (and choose its base) on its own. Fewer than two thirds
/// of the authorities that authored reported: nothing is told.
#[test]
fn a_lone_reporter_cannot_start_a_stall() {
	check(seated_three(), || {
		FinalityStallBound::set(STALL_BOUND);
		for round in 1..4 {
			run_to_round(round);
			answer_round(&[(1, stuck)]);
			for who in [1, 2, 3] {
				AuthoredIn::<Test>::insert(who, round);
			}
		}
		run_to_round(4);
		assert!(StallsNoted::get().is_empty());
	});
}

/// Two of three validators' nodes are down: they author nothing and report nothing, so the one
/// left is the whole quorum, and its stuck finality starts the recovery (which then forces a
/// change each round while the set shrinks to the live member).
#[test]
fn with_two_of_three_down_the_one_left_heals_finality() {
	check(seated_three(), || {
		FinalityStallBound::set(STALL_BOUND);
		// Every block is in a slot of authority 1 (`slot % 3 == 0`): 2 and 3 author nothing.
		BlockSlot::set(3);
		for round in 1..3 {
			run_to_round(round);
			answer_round(&[(1, stuck)]);
		}
		run_to_round(3);
		assert_eq!(AuthoredIn::<Test>::get(1), Some(2));
		assert_eq!(AuthoredIn::<Test>::get(2), None);
		assert_eq!(StallsNoted::get(), vec![STUCK]);
	});
}

/// Attack: once the honest nodes stop attesting in a long stall, one authority reports finality
/// moving again, to end the recovery (or to move its base above a set change no node can
/// finalize, which would make the forced change's block unimportable). The stall ends only when
/// two thirds of the authorities report fresh finality, and its base never moves.
#[test]
fn one_authority_cannot_end_a_stall_or_move_its_base() {
	check(seated_three(), || {
		FinalityStallBound::set(STALL_BOUND);
		for round in 1..3 {
			run_to_round(round);
			answer_round(&[(1, stuck), (2, stuck), (3, stuck)]);
		}
		run_to_round(3);
		assert_eq!(StallsNoted::get(), vec![STUCK]);
		SyncAttestation::note_set_change();
		events();
		for round in 3..5 {
			answer_round(&[(1, claims_all)]);
			// 2 and 3 are up and author, but their nodes stopped attesting.
			for who in [1, 2, 3] {
				AuthoredIn::<Test>::insert(who, round);
			}
			run_to_round(round + 1);
		}
		assert_eq!(StallsNoted::get(), vec![STUCK, STUCK, STUCK]);
		assert!(!events().contains(&Event::FinalityRecovered { round: 4 }));
		assert_eq!(FinalityStall::<Test>::get(), Some(STUCK));
	});
}

/// Attack: an authority reports finality 0 (or stays silent) to drag the median down and force
/// set changes on a healthy chain. A report of 0 is no report.
#[test]
fn a_report_of_nothing_finalized_is_no_evidence() {
	check(seated_three(), || {
		FinalityStallBound::set(STALL_BOUND);
		for round in 1..4 {
			run_to_round(round);
			answer_round(&[(1, |_| 0), (2, healthy)]);
		}
		run_to_round(4);
		assert!(StallsNoted::get().is_empty());
	});
}

/// Attack on every node: a node refuses a forced change whose base is at or above a standard set
/// change it has not finalized, and the block that carries it can never be imported. The base is
/// lowered below the first set change signalled after the lower third of the reports.
#[test]
fn a_forced_change_votes_from_below_a_set_change_not_everyone_finalized() {
	check(seated_three(), || {
		FinalityStallBound::set(STALL_BOUND);
		run_to_block(20);
		SyncAttestation::note_set_change();
		run_to_round(2);
		// Two report block 25 as finalized, one only 15: the change at 20 may be pending on it.
		answer_round(&[(1, |_| 15), (2, |_| 25), (3, |_| 25)]);
		run_to_round(3);
		assert_eq!(StallsNoted::get(), vec![19]);
		assert_eq!(SetChanges::<Test>::get().last_forced_base, Some(19));
		// A later stall never votes from below the previous base: nodes keep their set changes in
		// block order.
		answer_round(&[(1, |_| 10), (2, |_| 10), (3, |_| 10)]);
		run_to_round(4);
		assert_eq!(StallsNoted::get(), vec![19, 19]);
	});
}

/// A chain whose nodes attest nothing at all (no offchain workers): nothing can be told, and
/// nothing is forced.
#[test]
fn no_reports_at_all_are_no_stall() {
	three_authorities().build_and_execute(|| {
		stall_setup();
		run_to_round(6);
		assert!(StallsNoted::get().is_empty());
		assert_eq!(FinalityStall::<Test>::get(), None);
	});
}

/// Honest nodes stop attesting while finality is stalled; a provider silent only in stalled
/// rounds cannot be reported offline for it.
#[test]
fn a_stalled_round_judges_no_ones_uptime() {
	builder().build_and_execute(|| {
		FinalityStallBound::set(STALL_BOUND);
		for round in 1..4 {
			run_to_round(round);
			answer_round(&[(1, stuck), (2, stuck)]);
		}
		run_to_round(4);
		// Provider 3 answered nothing. Rounds 2 and 3 were stalled and do not count; round 1
		// alone (16/3 expected challenges) is no whole window of 8, and round 0 is no longer
		// kept. Counting the stalled rounds, 3 would be chilled.
		assert!(Rounds::<Test>::get(3).expect("kept").finality_stalled);
		assert!(Rounds::<Test>::get(2).expect("kept").finality_stalled);
		assert_noop!(
			SyncAttestation::report_offline(RuntimeOrigin::signed(REPORTER), 3),
			Error::<Test>::NotOffline
		);
	});
}
