//! The logic behind the calls, and the registry the other pallets see.

use crate::{pallet::*, types::*, LOG_TARGET};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{
		fungible::{Balanced, BalancedHold, Inspect, InspectHold, MutateHold},
		tokens::{imbalance::OnUnbalanced, Fortitude, Precision, Preservation},
		Get, Imbalance, ValidatorRegistration,
	},
};
use proof_of_sync_primitives::{
	Capacity, OnProviderWithdrawn, Points, ProviderRegistry, RoundClock, RoundIndex, RoundPoints,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, DispatchResult, Perbill,
};

impl<T: Config> Pallet<T> {
	/// The provider record of `who`, if it is registered.
	pub fn provider(who: &T::AccountId) -> Option<ProviderRecordOf<T>> {
		Providers::<T>::get(who)
	}

	/// Whether `who` opted in as validator candidate.
	pub fn is_candidate(who: &T::AccountId) -> bool {
		Candidates::<T>::get().contains(who)
	}

	/// Checks an endpoint: not empty, printable ASCII, at most `MaxEndpointLen` bytes, and not
	/// starting with `0x`. polkadot.js reads a `0x…` string as hex-encoded bytes, so such an
	/// endpoint would show as different text in different clients (any bytes the hex encodes,
	/// control characters included).
	pub(crate) fn checked_endpoint(endpoint: Vec<u8>) -> Result<EndpointOf<T>, DispatchError> {
		let endpoint: EndpointOf<T> =
			endpoint.try_into().map_err(|_| Error::<T>::EndpointTooLong)?;
		ensure!(
			!endpoint.is_empty() &&
				endpoint.iter().all(|b| b.is_ascii_graphic()) &&
				!endpoint.get(..2).is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"0x")),
			Error::<T>::InvalidEndpoint
		);
		Ok(endpoint)
	}

	/// Holds `amount` more of `who`'s balance as its bond, if it can keep its account alive.
	fn hold_bond(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let spendable =
			T::Currency::reducible_balance(who, Preservation::Preserve, Fortitude::Polite);
		ensure!(spendable >= amount, Error::<T>::InsufficientBalance);
		T::Currency::hold(&HoldReason::ProviderBond.into(), who, amount)
	}

	pub(crate) fn do_register(
		who: T::AccountId,
		endpoint: Vec<u8>,
		capacity: Capacity,
		bond: BalanceOf<T>,
	) -> DispatchResult {
		let now = T::RoundClock::current_round();
		let active_since = now.saturating_add(1);
		Self::insert_provider(&who, endpoint, capacity, bond, now, active_since)?;
		Self::deposit_event(Event::ProviderRegistered {
			provider: who,
			bond,
			capacity,
			active_since,
		});
		Ok(())
	}

	/// Checks a new provider's record, holds its bond and stores it as active: what registering
	/// does, at genesis and by call.
	fn insert_provider(
		who: &T::AccountId,
		endpoint: Vec<u8>,
		capacity: Capacity,
		bond: BalanceOf<T>,
		registered_at: RoundIndex,
		active_since: RoundIndex,
	) -> DispatchResult {
		ensure!(!Providers::<T>::contains_key(who), Error::<T>::AlreadyRegistered);
		ensure!(Providers::<T>::count() < T::MaxProviders::get(), Error::<T>::TooManyProviders);
		let endpoint = Self::checked_endpoint(endpoint)?;
		ensure!(!capacity.is_zero(), Error::<T>::NoCapacity);
		ensure!(capacity.fits_within(&T::MaxCapacity::get()), Error::<T>::CapacityTooLarge);
		ensure!(bond >= T::MinProviderBond::get(), Error::<T>::BondTooLow);
		Self::hold_bond(who, bond)?;
		let slot = Self::take_slot(who);
		let info = ProviderRecord {
			endpoint,
			capacity,
			next_capacity: None,
			slot,
			bond,
			status: ProviderStatus::Active,
			active_since,
			registered_at,
			stopped_in: None,
		};
		Providers::<T>::insert(who, info);
		ActiveProviders::<T>::mutate(|n| n.saturating_inc());
		Ok(())
	}

	/// Puts `who` in a slot: the most recently freed one, else a new one. There are at most as
	/// many slots as providers ever held at once, so at most `MaxProviders`.
	fn take_slot(who: &T::AccountId) -> u32 {
		let free = FreeSlotCount::<T>::get();
		let slot = match free.checked_sub(1).and_then(FreeSlots::<T>::take) {
			Some(slot) => {
				FreeSlotCount::<T>::put(free - 1);
				slot
			},
			None => SlotCount::<T>::mutate(|count| {
				let slot = *count;
				count.saturating_inc();
				slot
			}),
		};
		ProviderSlots::<T>::insert(slot, who);
		slot
	}

	/// Frees `slot` for a later registration.
	fn free_slot(slot: u32) {
		ProviderSlots::<T>::remove(slot);
		let free = FreeSlotCount::<T>::get();
		FreeSlots::<T>::insert(free, slot);
		FreeSlotCount::<T>::put(free.saturating_add(1));
	}

	/// Registers a genesis provider: active from round 0, bond held, optionally a candidate.
	pub(crate) fn genesis_register(
		who: &T::AccountId,
		endpoint: &[u8],
		capacity: Capacity,
		bond: BalanceOf<T>,
		candidate: bool,
	) -> DispatchResult {
		Self::insert_provider(who, endpoint.to_vec(), capacity, bond, 0, 0)?;
		if candidate {
			ensure!(bond >= T::MinValidatorBond::get(), Error::<T>::BelowValidatorBond);
			Candidates::<T>::try_mutate(|c| c.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyCandidates)?;
		}
		Ok(())
	}

	pub(crate) fn do_update_endpoint(who: T::AccountId, endpoint: Vec<u8>) -> DispatchResult {
		let endpoint = Self::checked_endpoint(endpoint)?;
		Providers::<T>::try_mutate(&who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			info.endpoint = endpoint;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::EndpointUpdated { provider: who });
		Ok(())
	}

	pub(crate) fn do_update_capacity(who: T::AccountId, capacity: Capacity) -> DispatchResult {
		ensure!(!capacity.is_zero(), Error::<T>::NoCapacity);
		ensure!(capacity.fits_within(&T::MaxCapacity::get()), Error::<T>::CapacityTooLarge);
		let now = T::RoundClock::current_round();
		let from = now.saturating_add(1);
		Providers::<T>::try_mutate(&who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			// A change that took effect already becomes the capacity in effect.
			info.capacity = info.capacity_in(now);
			info.next_capacity = Some((from, capacity));
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::CapacityUpdated { provider: who, capacity, from });
		Ok(())
	}

	pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let bond = Providers::<T>::try_mutate(&who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			Self::hold_bond(&who, amount)?;
			info.bond = info.bond.saturating_add(amount);
			Ok::<_, DispatchError>(info.bond)
		})?;
		Self::deposit_event(Event::BondIncreased { provider: who, amount, bond });
		Ok(())
	}

	pub(crate) fn do_opt_in_validator(who: T::AccountId) -> DispatchResult {
		let info = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		let mut candidates = Candidates::<T>::get();
		ensure!(!candidates.contains(&who), Error::<T>::AlreadyCandidate);
		ensure!(info.status == ProviderStatus::Active, Error::<T>::NotActive);
		ensure!(info.bond >= T::MinValidatorBond::get(), Error::<T>::BelowValidatorBond);
		ensure!(T::ValidatorRegistration::is_registered(&who), Error::<T>::NoSessionKeys);
		// A full list admits the caller only in place of a weaker member, so accounts that never
		// attest cannot hold every place for good.
		let mut evicted = None;
		if candidates.is_full() {
			let newcomer = CandidateStanding {
				qualifies: true,
				points: Self::last_closed_points(&who),
				bond: info.bond,
			};
			let (index, weakest) =
				Self::weakest_candidate(&candidates).ok_or(Error::<T>::TooManyCandidates)?;
			ensure!(weakest < newcomer, Error::<T>::TooManyCandidates);
			evicted = Some(candidates.remove(index));
		}
		candidates.try_push(who.clone()).map_err(|_| Error::<T>::TooManyCandidates)?;
		Candidates::<T>::put(candidates);
		if let Some(evicted) = evicted {
			Self::deposit_event(Event::CandidateEvicted { evicted, by: who.clone() });
		}
		Self::deposit_event(Event::CandidateAdded { provider: who });
		Ok(())
	}

	/// `who`'s points in the last closed round: the round before the current one. None before a
	/// round has closed.
	fn last_closed_points(who: &T::AccountId) -> Points {
		T::RoundClock::current_round()
			.checked_sub(1)
			.map_or(0, |round| T::Points::seat_points_of(round, who))
	}

	/// Why the candidate `who`, whose record is `info`, may no longer be seated, if it may not:
	/// it is chilled or leaving, bonded below `MinValidatorBond`, or has no session keys.
	fn disqualification(
		who: &T::AccountId,
		info: &ProviderRecordOf<T>,
	) -> Option<CandidateRemovalReason> {
		match info.status {
			ProviderStatus::Chilled => return Some(CandidateRemovalReason::Chilled),
			ProviderStatus::Leaving { .. } => return Some(CandidateRemovalReason::Left),
			ProviderStatus::Active => {},
		}
		if info.bond < T::MinValidatorBond::get() {
			return Some(CandidateRemovalReason::BelowValidatorBond)
		}
		(!T::ValidatorRegistration::is_registered(who))
			.then_some(CandidateRemovalReason::NoSessionKeys)
	}

	/// How firmly the candidate `who` holds its place: see [`CandidateStanding`].
	fn standing(who: &T::AccountId) -> CandidateStandingOf<T> {
		let info = Providers::<T>::get(who);
		CandidateStanding {
			qualifies: info
				.as_ref()
				.is_some_and(|info| Self::disqualification(who, info).is_none()),
			points: Self::last_closed_points(who),
			bond: info.map_or_else(Zero::zero, |info| info.bond),
		}
	}

	/// The weakest member of `candidates`, with its place in the list: the one with the smallest
	/// standing (one that may not be seated first, then the fewest points in the last closed round,
	/// then the smallest bond); between equals, the higher account, since the authority ranking
	/// prefers the lower one. Reads every member: bounded by `MaxCandidates`.
	fn weakest_candidate(candidates: &[T::AccountId]) -> Option<(usize, CandidateStandingOf<T>)> {
		candidates
			.iter()
			.enumerate()
			.map(|(index, who)| (index, who, Self::standing(who)))
			.min_by(|(_, a, x), (_, b, y)| x.cmp(y).then_with(|| b.cmp(a)))
			.map(|(index, _, standing)| (index, standing))
	}

	pub(crate) fn do_opt_out_validator(who: T::AccountId) -> DispatchResult {
		ensure!(Providers::<T>::contains_key(&who), Error::<T>::NotProvider);
		ensure!(
			Self::remove_from_candidates(&who, CandidateRemovalReason::OptedOut),
			Error::<T>::NotCandidate
		);
		Ok(())
	}

	pub(crate) fn do_remove_candidate(who: T::AccountId) -> DispatchResult {
		ensure!(Self::is_candidate(&who), Error::<T>::NotCandidate);
		// A candidate with no record withdrew (`try_state` rules it out); it goes all the same.
		let reason = Providers::<T>::get(&who)
			.map_or(Some(CandidateRemovalReason::Left), |info| Self::disqualification(&who, &info))
			.ok_or(Error::<T>::CandidateQualifies)?;
		Self::remove_from_candidates(&who, reason);
		Ok(())
	}

	/// Removes `who` from the candidates, with an event naming `reason`. Returns whether it was
	/// one.
	fn remove_from_candidates(who: &T::AccountId, reason: CandidateRemovalReason) -> bool {
		let removed = Candidates::<T>::mutate(|candidates| {
			let before = candidates.len();
			candidates.retain(|c| c != who);
			candidates.len() != before
		});
		if removed {
			Self::deposit_event(Event::CandidateRemoved { provider: who.clone(), reason });
		}
		removed
	}

	pub(crate) fn do_leave(who: T::AccountId) -> DispatchResult {
		let until_round = T::RoundClock::current_round().saturating_add(T::UnbondingRounds::get());
		Providers::<T>::try_mutate(&who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			match info.status {
				ProviderStatus::Leaving { .. } => return Err(Error::<T>::AlreadyLeaving.into()),
				ProviderStatus::Active => {
					ActiveProviders::<T>::mutate(|n| n.saturating_dec());
					info.note_stop(T::RoundClock::current_round());
				},
				ProviderStatus::Chilled => {},
			}
			info.status = ProviderStatus::Leaving { until_round };
			Ok::<_, DispatchError>(())
		})?;
		Self::remove_from_candidates(&who, CandidateRemovalReason::Left);
		Self::deposit_event(Event::LeavingStarted { provider: who, until_round });
		Ok(())
	}

	pub(crate) fn do_withdraw(who: T::AccountId) -> DispatchResult {
		let info = Providers::<T>::get(&who).ok_or(Error::<T>::NotProvider)?;
		let ProviderStatus::Leaving { until_round } = info.status else {
			return Err(Error::<T>::NotLeaving.into())
		};
		ensure!(T::RoundClock::current_round() >= until_round, Error::<T>::StillUnbonding);
		// Release what is actually held: a slash may have taken part of the recorded bond.
		let held = T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &who);
		let amount =
			T::Currency::release(&HoldReason::ProviderBond.into(), &who, held, Precision::Exact)?;
		Providers::<T>::remove(&who);
		Self::free_slot(info.slot);
		T::OnWithdrawn::on_provider_withdrawn(&who);
		Self::deposit_event(Event::Withdrawn { provider: who, amount });
		Ok(())
	}

	pub(crate) fn do_reactivate(who: T::AccountId) -> DispatchResult {
		let active_since = T::RoundClock::current_round().saturating_add(1);
		Providers::<T>::try_mutate(&who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			ensure!(info.status == ProviderStatus::Chilled, Error::<T>::NotChilled);
			ensure!(info.bond >= T::MinProviderBond::get(), Error::<T>::BondTooLow);
			info.status = ProviderStatus::Active;
			info.active_since = active_since;
			Ok::<_, DispatchError>(())
		})?;
		ActiveProviders::<T>::mutate(|n| n.saturating_inc());
		Self::deposit_event(Event::Reactivated { provider: who, active_since });
		Ok(())
	}

	/// Chills an active provider: out of the active set, and of the validator candidates, until it
	/// re-activates (and opts in again).
	pub(crate) fn do_chill(who: &T::AccountId) -> DispatchResult {
		Providers::<T>::try_mutate(who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotProvider)?;
			ensure!(info.status == ProviderStatus::Active, Error::<T>::NotActive);
			info.note_stop(T::RoundClock::current_round());
			info.status = ProviderStatus::Chilled;
			Ok::<_, DispatchError>(())
		})?;
		ActiveProviders::<T>::mutate(|n| n.saturating_dec());
		Self::remove_from_candidates(who, CandidateRemovalReason::Chilled);
		Self::deposit_event(Event::Chilled { provider: who.clone() });
		Ok(())
	}

	/// Slashes `fraction` of `who`'s bond; see [`ProviderRegistry::slash`].
	pub(crate) fn do_slash(
		who: &T::AccountId,
		fraction: Perbill,
		reporter: Option<(&T::AccountId, Perbill)>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let mut info = Providers::<T>::get(who).ok_or(Error::<T>::NotProvider)?;
		let wanted = fraction.mul_floor(info.bond);
		let (credit, missing) =
			<T::Currency as BalancedHold<_>>::slash(&HoldReason::ProviderBond.into(), who, wanted);
		if !missing.is_zero() {
			log::warn!(target: LOG_TARGET, "slash of {who:?} short by {missing:?}: bond not fully held");
		}
		let slashed = credit.peek();
		info.bond = info.bond.saturating_sub(slashed);

		let mut reporter_reward = Zero::zero();
		let mut rest = credit;
		if let Some((reporter, cut)) = reporter {
			let (to_reporter, remainder) = rest.split(cut.mul_floor(slashed));
			rest = remainder;
			let offered = to_reporter.peek();
			match <T::Currency as Balanced<_>>::resolve(reporter, to_reporter) {
				Ok(()) => reporter_reward = offered,
				// Below the existential deposit of a new account: it goes with the rest.
				Err(unpaid) => rest.subsume(unpaid),
			}
		}
		T::Slash::on_unbalanced(rest);

		let chill = info.status == ProviderStatus::Active && info.bond < T::MinProviderBond::get();
		let below_validator_bond = info.bond < T::MinValidatorBond::get();
		Providers::<T>::insert(who, info);
		Self::deposit_event(Event::Slashed {
			provider: who.clone(),
			amount: slashed,
			reporter: reporter.map(|(r, _)| r.clone()),
			reporter_reward,
		});
		if chill {
			Self::do_chill(who)?;
		} else if below_validator_bond {
			Self::remove_from_candidates(who, CandidateRemovalReason::BelowValidatorBond);
		}
		Ok(slashed)
	}

	/// Checks the registry's invariants:
	/// - `ActiveProviders` counts exactly the `Active` records;
	/// - every record's bond is what is held from its account under `ProviderBond`;
	/// - at most `MaxProviders` records;
	/// - every candidate is a registered provider that is neither leaving nor chilled, and appears
	///   once;
	/// - every provider's slot holds it, every slot below `SlotCount` is either filled or free
	///   (once), and none above it is used.
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
		let mut active = 0u32;
		let mut records = 0u32;
		let mut slots_hold_them = true;
		for (who, info) in Providers::<T>::iter() {
			records.saturating_inc();
			slots_hold_them &= ProviderSlots::<T>::get(info.slot).as_ref() == Some(&who);
			if info.status == ProviderStatus::Active {
				active.saturating_inc();
			}
			let held = T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &who);
			ensure!(
				held == info.bond,
				TryRuntimeError::Other("bond differs from the held balance")
			);
		}
		ensure!(
			records == Providers::<T>::count(),
			TryRuntimeError::Other("provider count drifted")
		);
		ensure!(records <= T::MaxProviders::get(), TryRuntimeError::Other("too many providers"));
		ensure!(
			active == ActiveProviders::<T>::get(),
			TryRuntimeError::Other("ActiveProviders differs from the Active records")
		);
		ensure!(slots_hold_them, TryRuntimeError::Other("a provider's slot does not hold it"));
		let slots = SlotCount::<T>::get();
		let filled = ProviderSlots::<T>::iter_keys().try_fold(0u32, |n, slot| {
			ensure!(slot < slots, TryRuntimeError::Other("a slot above SlotCount is filled"));
			Ok::<_, TryRuntimeError>(n.saturating_add(1))
		})?;
		ensure!(filled == records, TryRuntimeError::Other("filled slots differ from providers"));
		let free_count = FreeSlotCount::<T>::get();
		let mut free: Vec<u32> = Vec::new();
		for position in 0..free_count {
			let slot = FreeSlots::<T>::get(position)
				.ok_or(TryRuntimeError::Other("a free slot is missing from the stack"))?;
			ensure!(
				slot < slots && !ProviderSlots::<T>::contains_key(slot),
				TryRuntimeError::Other("a free slot is filled or above SlotCount")
			);
			free.push(slot);
		}
		free.sort_unstable();
		free.dedup();
		ensure!(
			free.len() as u32 == free_count &&
				FreeSlots::<T>::iter_keys().count() as u32 == free_count,
			TryRuntimeError::Other("the free slot stack holds a slot twice or stray entries")
		);
		ensure!(
			filled.saturating_add(free_count) == slots,
			TryRuntimeError::Other("a slot below SlotCount is neither filled nor free")
		);
		let candidates = Candidates::<T>::get();
		for (i, c) in candidates.iter().enumerate() {
			let info =
				Providers::<T>::get(c).ok_or(TryRuntimeError::Other("candidate not a provider"))?;
			ensure!(
				!matches!(info.status, ProviderStatus::Leaving { .. }),
				TryRuntimeError::Other("a leaving provider is a candidate")
			);
			ensure!(
				info.status != ProviderStatus::Chilled,
				TryRuntimeError::Other("a chilled provider is a candidate")
			);
			ensure!(
				!candidates.iter().skip(i + 1).any(|other| other == c),
				TryRuntimeError::Other("candidate listed twice")
			);
		}
		Ok(())
	}
}

impl<T: Config> ProviderRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn is_active_in(who: &T::AccountId, round: RoundIndex) -> bool {
		Providers::<T>::get(who).is_some_and(|info| info.is_active_in(round))
	}

	fn is_seated_in(who: &T::AccountId, round: RoundIndex) -> bool {
		Providers::<T>::get(who).is_some_and(|info| info.is_seated_in(round))
	}

	fn active_count() -> u32 {
		ActiveProviders::<T>::get()
	}

	fn declared_capacity(who: &T::AccountId, round: RoundIndex) -> Option<Capacity> {
		Providers::<T>::get(who).map(|info| info.capacity_in(round))
	}

	fn slot_count() -> u32 {
		SlotCount::<T>::get()
	}

	fn provider_in_slot(slot: u32) -> Option<T::AccountId> {
		ProviderSlots::<T>::get(slot)
	}

	fn slot_of(who: &T::AccountId) -> Option<u32> {
		Providers::<T>::get(who).map(|info| info.slot)
	}

	fn candidates() -> Vec<(T::AccountId, BalanceOf<T>)> {
		let min = T::MinValidatorBond::get();
		Candidates::<T>::get()
			.into_iter()
			.filter_map(|who| {
				let info = Providers::<T>::get(&who)?;
				(info.status == ProviderStatus::Active && info.bond >= min)
					.then_some((who, info.bond))
			})
			.collect()
	}

	fn has_session_keys(who: &T::AccountId) -> bool {
		T::ValidatorRegistration::is_registered(who)
	}

	fn chill(who: &T::AccountId) -> DispatchResult {
		Self::do_chill(who)
	}

	fn slash(
		who: &T::AccountId,
		fraction: Perbill,
		reporter: Option<(&T::AccountId, Perbill)>,
	) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_slash(who, fraction, reporter)
	}
}
