//! The round lifecycle: pallet-session's `SessionManager` (open and close rounds, choose the
//! authorities), the `sync` key as a session key, and the lazy removal of expired rounds.
//!
//! pallet-session calls, at the boundary that ends session `i`: `end_session(i)`,
//! `start_session(i + 1)`, `new_session(i + 2)`; at genesis `new_session_genesis(0)`,
//! `new_session_genesis(1)`, `start_session(0)`.
//!
//! pallet-session does not account the weight of its `SessionManager`, so each hook here
//! registers its own benchmarked weight with `frame_system` as mandatory weight when it runs, as
//! pallet-staking's session manager does. That is exact whatever triggers the rotation and
//! whichever order the pallets' `on_initialize` run in, which a guess in `on_initialize` is not.

use crate::{crypto::SyncId, pallet::*, types::*, weights::WeightInfo, LOG_TARGET};
use alloc::vec::Vec;
use frame_support::{
	dispatch::DispatchClass,
	pallet_prelude::Zero,
	traits::{Get, OneSessionHandler},
	weights::Weight,
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{
	cleanup_budget_of, OnRoundClosed, Points, ProviderRegistry, RoundIndex, RoundPoints,
};

impl<T: Config> Pallet<T> {
	/// Registers weight used by a session hook with `frame_system`.
	fn register_weight(weight: Weight) {
		frame_system::Pallet::<T>::register_extra_weight_unchecked(
			weight,
			DispatchClass::Mandatory,
		);
	}

	/// Opens round `index` at the current block: records its seed (the randomness its first block
	/// starts from), fixes its challenge odds and records its validator candidates. Returns how
	/// many candidates it recorded (at most `MaxCandidates`): the only part that is not O(1).
	pub(crate) fn open_round(index: RoundIndex) -> u32 {
		let start = frame_system::Pallet::<T>::block_number();
		// The randomness the round's first block starts from: the round's first challenges are
		// drawn from it.
		let seed = Self::randomness_before(start);
		let providers = T::Registry::active_count();
		let challenge_odds = Self::challenge_odds(providers);
		let challenge_span = Self::challenge_span();
		let slots = T::Registry::slot_count();
		let info =
			RoundParams { index, start, seed, challenge_odds, challenge_span, providers, slots };
		Rounds::<T>::insert(
			index,
			RoundSummary {
				params: info.clone(),
				total_points: 0,
				attestations: 0,
				finality_stalled: false,
			},
		);
		CurrentRound::<T>::put(info);
		let mut candidates = 0u32;
		for (who, _) in T::Registry::candidates().into_iter().take(T::MaxCandidates::get() as usize)
		{
			RoundCandidates::<T>::insert(index, who, BlockNumberFor::<T>::zero());
			candidates = candidates.saturating_add(1);
		}
		Self::deposit_event(Event::RoundStarted { round: index, start, challenge_odds });
		candidates
	}

	/// Closes round `index`: its points are final. Returns the weight `OnRoundClosed` used.
	pub(crate) fn close_round(index: RoundIndex) -> Weight {
		let (total_points, attestations) =
			Rounds::<T>::get(index).map_or((0, 0), |s| (s.total_points, s.attestations));
		LastClosedRound::<T>::put(index);
		Self::deposit_event(Event::RoundClosed { round: index, total_points, attestations });
		T::OnRoundClosed::on_round_closed(index)
	}

	/// Chooses the authorities of session `index` from the validator candidates, by their points
	/// in the last closed round. `None` keeps the current set. Also returns how many accounts were
	/// read: the candidates ranked, or the current authorities if there are more of them.
	///
	/// The rules, in order:
	/// - A candidate can sit if the registry lists it (active, bonded at least the validator
	///   minimum) and it has session keys and a `sync` key: pallet-session leaves a validator
	///   without keys out of the set it hands to consensus, so one without them would leave its
	///   seat empty.
	/// - Those with points (an incumbent's raised by `HysteresisMargin`) are ranked by points, then
	///   bond, then account; the best `MaxAuthorities` are chosen.
	/// - If fewer than `MinAuthorities` have points, the current set is kept, less its members that
	///   can no longer sit (not active in session `index`, or without keys); if none of them can,
	///   the candidates that can sit take over, points first, then bond: see
	///   [`Self::kept_authorities`].
	/// - The chosen set is at most `max(1, MaxSetShrink × n)` (rounded down) smaller than the
	///   current set of `n`: if it is smaller still, the current members that can sit but were not
	///   chosen (they have no points) keep their seats, best bond first, then lowest account, until
	///   it is not (or none is left); then, if it is still too small, members benched for authoring
	///   nothing (see the `liveness` module), best bond first: a pause of the whole network must
	///   not empty the set at once. Members that can no longer sit for any other reason are not
	///   held back.
	/// - The set returned is never empty.
	pub(crate) fn plan_authorities(index: RoundIndex) -> (Option<Vec<T::AccountId>>, u32) {
		let candidates: Vec<(T::AccountId, T::Bond)> = T::Registry::candidates()
			.into_iter()
			.take(T::MaxCandidates::get() as usize)
			.collect();
		let mut incumbents = T::CurrentAuthorities::get();
		incumbents.sort();
		let read = candidates.len().max(incumbents.len()) as u32;
		let margin = T::HysteresisMargin::get();
		let scored_round = LastClosedRound::<T>::get();

		// Candidates with keys that are benched and sit now, best bond first: held back last.
		let (with_keys, mut benched): (Vec<_>, Vec<_>) = candidates
			.into_iter()
			.filter(|(who, _)| Self::has_keys(who))
			.partition(|(who, _)| !Self::is_benched(who));
		benched.retain(|(who, _)| incumbents.binary_search(who).is_ok());
		benched.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
		let benched: Vec<T::AccountId> = benched.into_iter().map(|(who, _)| who).collect();

		// (effective score, bond, account) of every candidate that can sit, best first.
		let mut seatable: Vec<(Points, T::Bond, T::AccountId)> = with_keys
			.into_iter()
			.map(|(who, bond)| {
				// Only points earned as a candidate of the round count: see `seat_points_of`.
				let points = scored_round.map_or(0, |round| {
					<Self as RoundPoints<T::AccountId>>::seat_points_of(round, &who)
				});
				let score = if incumbents.binary_search(&who).is_ok() {
					points.saturating_add(margin.mul_floor(points))
				} else {
					points
				};
				(score, bond, who)
			})
			.collect();
		seatable
			.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
		let qualified_count = seatable.iter().take_while(|(score, ..)| *score > 0).count();

		if (qualified_count as u32) < T::MinAuthorities::get() {
			let kept = Self::kept_authorities(
				index,
				&incumbents,
				&seatable,
				&benched,
				qualified_count as u32,
			);
			return (kept, read)
		}

		let max = T::MaxAuthorities::get() as usize;
		let (qualified, unscored) = seatable.split_at(qualified_count);
		let mut chosen: Vec<T::AccountId> =
			qualified.iter().take(max).map(|(_, _, who)| who.clone()).collect();
		// Hold back the shrink: incumbents that can sit keep their seats, best first, up to the
		// floor. Only those without points can be left out of `chosen` while it is below
		// `MaxAuthorities`.
		let floor = Self::shrink_floor(incumbents.len()).min(max);
		let held: Vec<T::AccountId> = unscored
			.iter()
			.filter(|(_, _, who)| incumbents.binary_search(who).is_ok())
			.take(floor.saturating_sub(chosen.len()))
			.map(|(_, _, who)| who.clone())
			.collect();
		chosen.extend(held);
		let short = floor.saturating_sub(chosen.len());
		chosen.extend(
			benched
				.iter()
				.filter(|who| T::Registry::is_active_in(who, index))
				.take(short)
				.cloned(),
		);
		if chosen.is_empty() {
			// Not reached while `MinAuthorities` is at least 1 (`integrity_test`); an empty set
			// would stop the chain.
			let kept = Self::kept_authorities(
				index,
				&incumbents,
				&seatable,
				&benched,
				qualified_count as u32,
			);
			return (kept, read)
		}

		let mut sorted = chosen.clone();
		sorted.sort();
		if sorted == incumbents {
			return (None, read)
		}
		Self::deposit_event(Event::AuthoritiesChosen {
			round: index,
			authorities: BoundedVec::truncate_from(chosen.clone()),
		});
		(Some(chosen), read)
	}

	/// Whether `who` has the keys a seat needs: session keys (without them pallet-session leaves
	/// it out of the set) and a `sync` key among them (without it, it cannot attest). A listed
	/// candidate with keys can sit unless it is benched for authoring nothing (see the `liveness`
	/// module).
	fn has_keys(who: &T::AccountId) -> bool {
		T::Registry::has_session_keys(who) && T::SyncKeys::key_of(who).is_some()
	}

	/// The fewest members a ranked set of session may keep when the current set has `current`
	/// members: `current - max(1, MaxSetShrink × current)`, rounded down, not below zero.
	pub(crate) fn shrink_floor(current: usize) -> usize {
		let current = u32::try_from(current).unwrap_or(u32::MAX);
		let may_drop = T::MaxSetShrink::get().mul_floor(current).max(1);
		current.saturating_sub(may_drop) as usize
	}

	/// The set kept when too few candidates qualified (`qualified` of them): the current
	/// `incumbents` (sorted) less those that can no longer sit in session `index` (chilled,
	/// leaving or withdrawn, without keys, or benched). `None`, which keeps the set unchanged, if
	/// none of them has to go. Benched members (`benched`, best first) stay as far as needed to
	/// drop no more than `MaxSetShrink` of the set.
	///
	/// If all of them would go, the best `MaxAuthorities` of the candidates that can sit
	/// (`seatable`, best first) take over, since pallet-session would leave the key-less ones out
	/// of the kept set and the chain would stop; with no such candidate, `None`: nothing better
	/// is left.
	fn kept_authorities(
		index: RoundIndex,
		incumbents: &[T::AccountId],
		seatable: &[(Points, T::Bond, T::AccountId)],
		benched: &[T::AccountId],
		qualified: u32,
	) -> Option<Vec<T::AccountId>> {
		log::info!(
			target: LOG_TARGET,
			"session {index}: {qualified} qualified candidates, keeping the authorities"
		);
		Self::deposit_event(Event::AuthoritySetKept { round: index, qualified });
		let (mut kept, mut dropped): (Vec<T::AccountId>, Vec<T::AccountId>) =
			incumbents.iter().cloned().partition(|who| {
				// Still a candidate with keys (so active and bonded at least the validator
				// minimum), not benched, and active in the planned session.
				seatable.iter().any(|(_, _, seatable)| seatable == who) &&
					T::Registry::is_active_in(who, index)
			});
		// Benched members are held back only beside members that can sit: a set of benched
		// members alone would author nothing.
		if !kept.is_empty() {
			let short = Self::shrink_floor(incumbents.len()).saturating_sub(kept.len());
			for who in
				benched.iter().filter(|who| T::Registry::is_active_in(who, index)).take(short)
			{
				dropped.retain(|dropped| dropped != who);
				kept.push(who.clone());
			}
		}
		if dropped.is_empty() {
			return None
		}
		let kept = if kept.is_empty() {
			let stand_ins: Vec<T::AccountId> = seatable
				.iter()
				.take(T::MaxAuthorities::get() as usize)
				.map(|(_, _, who)| who.clone())
				.collect();
			if stand_ins.is_empty() {
				log::warn!(
					target: LOG_TARGET,
					"session {index}: no authority or candidate can sit; the set stays as it is"
				);
				return None
			}
			stand_ins
		} else {
			kept
		};
		Self::deposit_event(Event::AuthoritiesDropped {
			round: index,
			dropped: BoundedVec::truncate_from(dropped),
		});
		if !kept.iter().all(|who| incumbents.binary_search(who).is_ok()) {
			Self::deposit_event(Event::AuthoritiesChosen {
				round: index,
				authorities: BoundedVec::truncate_from(kept.clone()),
			});
		}
		Some(kept)
	}

	/// The last round whose records have expired, if any: the rounds up to it are older than the
	/// last `HistoryDepth` closed rounds.
	pub(crate) fn expired_upto() -> Option<RoundIndex> {
		LastClosedRound::<T>::get().and_then(|last| last.checked_sub(T::HistoryDepth::get()))
	}

	/// The most keys a cleanup can remove within `remaining` weight (at most
	/// `MaxCleanupPerBlock`).
	fn affordable_cleanup(remaining: Weight) -> u32 {
		cleanup_budget_of(remaining, T::MaxCleanupPerBlock::get(), T::WeightInfo::on_idle_cleanup)
	}

	/// Removes records of the oldest expired round, at most `MaxCleanupPerBlock` keys and within
	/// `remaining` weight. Returns the weight used.
	///
	/// `clear_prefix` of this frame-support ignores its cursor, and within one block it counts keys
	/// it already removed again; so each prefix is cleared at most once per block, from its start.
	pub(crate) fn do_cleanup(remaining: Weight) -> Weight {
		let check = T::DbWeight::get().reads(2);
		if !check.all_lte(remaining) {
			return Weight::zero()
		}
		let round = NextToClean::<T>::get();
		if Self::expired_upto().is_none_or(|upto| round > upto) {
			return check
		}
		let limit = Self::affordable_cleanup(remaining);
		if limit == 0 {
			return check
		}

		let stats = ProviderRounds::<T>::clear_prefix(round, limit, None);
		let mut used = stats.loops;
		if stats.maybe_cursor.is_none() && used < limit {
			// Each prefix in turn, the next only once the one before is empty.
			let mut done = true;
			for clear in [
				|round, limit| Reported::<T>::clear_prefix(round, limit, None),
				|round, limit| RoundCandidates::<T>::clear_prefix(round, limit, None),
				|round, limit| QualityReports::<T>::clear_prefix(round, limit, None),
				|round, limit| Penalties::<T>::clear_prefix(round, limit, None),
				|round, limit| DisputedUsage::<T>::clear_prefix(round, limit, None),
			] as [fn(RoundIndex, u32) -> sp_io::MultiRemovalResults; 5]
			{
				if !done || used >= limit {
					done = false;
					break
				}
				let result = clear(round, limit - used);
				used = used.saturating_add(result.loops);
				done = result.maybe_cursor.is_none();
			}
			if done {
				Rounds::<T>::remove(round);
				Leaderboard::<T>::remove(round);
				NextToClean::<T>::put(round.saturating_add(1));
				log::debug!(target: LOG_TARGET, "removed the records of round {round}");
			}
		}
		T::WeightInfo::on_idle_cleanup(used.max(1))
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: RoundIndex) -> Option<Vec<T::AccountId>> {
		// Each account read costs about what ranking a candidate costs: the benchmark's `c`.
		let (authorities, read) = Self::plan_authorities(new_index);
		Self::register_weight(T::WeightInfo::new_session(read));
		authorities
	}

	/// Genesis keeps the authorities of pallet-session's genesis config: no round has closed.
	fn new_session_genesis(_new_index: RoundIndex) -> Option<Vec<T::AccountId>> {
		None
	}

	/// Judges the ending round's authorities (authorship and finality, see the `liveness`
	/// module) while pallet-session still has them as its validators, then closes the round.
	fn end_session(end_index: RoundIndex) {
		let authorities = Self::judge_authorities(end_index);
		let closed = Self::close_round(end_index);
		Self::register_weight(T::WeightInfo::end_session(authorities).saturating_add(closed));
	}

	fn start_session(start_index: RoundIndex) {
		let candidates = Self::open_round(start_index);
		Self::register_weight(T::WeightInfo::start_session(candidates));
	}
}

impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = SyncId;
}

/// The `sync` key is a session key so that `session.set_keys` checks its proof of possession and
/// the node's keystore gets it with the others. Keys are looked up through `Config::SyncKeys`, so
/// the session changes need no handling here.
impl<T: Config> OneSessionHandler<T::AccountId> for Pallet<T> {
	type Key = SyncId;

	fn on_genesis_session<'a, I>(_validators: I)
	where
		I: 'a + Iterator<Item = (&'a T::AccountId, SyncId)>,
		T::AccountId: 'a,
	{
	}

	/// pallet-grandpa signals a standard set change whenever `changed`: the chain keeps where,
	/// for the base of a forced change (see the `liveness` module).
	fn on_new_session<'a, I>(changed: bool, _validators: I, _queued_validators: I)
	where
		I: 'a + Iterator<Item = (&'a T::AccountId, SyncId)>,
		T::AccountId: 'a,
	{
		if changed {
			Self::note_set_change();
		}
	}

	fn on_disabled(_validator_index: u32) {}
}
