//! Challenges, the attestation check, the permissionless reports, the read helpers and the traits
//! the other pallets see.

use crate::{crypto::SyncSignature, pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{
	Points, ProviderRegistry, ResourceKind, RoundClock, RoundIndex, RoundPoints,
	MAX_LEADERBOARD_PAGE,
};
use sp_io::hashing::blake2_256;
use sp_runtime::{
	traits::{CheckedSub, Saturating, Zero},
	transaction_validity::{
		InvalidTransaction, TransactionValidityError, TransactionValidityWithRefund,
		ValidTransaction,
	},
	DispatchResult, Perbill, SaturatedConversion,
};

/// The tag prefix of attestations in the transaction pool.
pub const ATTESTATION_TAG_PREFIX: &str = "SyncAttestation";

impl<T: Config> Pallet<T> {
	/// `RoundLength` in blocks, as a `u32`.
	pub(crate) fn round_length() -> u32 {
		T::RoundLength::get().saturated_into()
	}

	/// The blocks of a round that may hold a challenge: the first `RoundLength - ResponseWindow`,
	/// so every answer can land inside the round.
	pub(crate) fn challenge_span() -> u32 {
		Self::round_length().saturating_sub(T::ResponseWindow::get()).max(1)
	}

	/// How many challenges each of `providers` active providers gets in a round (`C`), and how
	/// many blocks lie between two challenges of one provider (`stride`).
	///
	/// `C = clamp(TargetAttestationsPerBlock × RoundLength / max(N, 1), 1,
	/// min(MaxChallengesPerRound, span))` and `stride = span / C`.
	pub fn challenges_for(providers: u32) -> (u32, u32) {
		let span = Self::challenge_span();
		let per_round = u64::from(T::TargetAttestationsPerBlock::get())
			.saturating_mul(u64::from(Self::round_length()));
		let wanted = per_round / u64::from(providers.max(1));
		let most = T::MaxChallengesPerRound::get().min(64).min(span).max(1);
		let c = wanted.clamp(1, u64::from(most)) as u32;
		(c, (span / c).max(1))
	}

	/// Where `who`'s challenges start in `round`, in blocks after the round's first block
	/// (`blake2_256(seed ‖ who) mod stride`).
	pub fn phase_of(who: &T::AccountId, round: &RoundParamsOf<T>) -> u32 {
		let hash = (round.seed, who).using_encoded(blake2_256);
		let mut first = [0u8; 8];
		first.copy_from_slice(&hash[..8]);
		(u64::from_le_bytes(first) % u64::from(round.stride.max(1))) as u32
	}

	/// Which of `who`'s challenges in `round` is `block`, if it is one. O(1).
	pub fn is_challenge(
		who: &T::AccountId,
		round: &RoundParamsOf<T>,
		block: BlockNumberFor<T>,
	) -> Option<u32> {
		let offset: u64 = block.checked_sub(&round.start)?.saturated_into();
		let since_phase = offset.checked_sub(u64::from(Self::phase_of(who, round)))?;
		let stride = u64::from(round.stride.max(1));
		let index = since_phase / stride;
		(since_phase % stride == 0 && index < u64::from(round.challenges_per_provider))
			.then_some(index as u32)
	}

	/// Every challenge block of `who` in `round`, earliest first.
	pub(crate) fn challenge_blocks(
		who: &T::AccountId,
		round: &RoundParamsOf<T>,
	) -> Vec<BlockNumberFor<T>> {
		let first = round.start.saturating_add(Self::phase_of(who, round).into());
		(0..round.challenges_per_provider)
			.map(|j| first.saturating_add(j.saturating_mul(round.stride).into()))
			.collect()
	}

	/// The points a provider's declared capacity is worth in one round:
	/// `Σ_kind declared(kind) × CapacityWeights(kind)`.
	pub fn capacity_points(who: &T::AccountId) -> Points {
		let Some(declared) = T::Registry::declared_capacity(who) else { return 0 };
		let weights = T::CapacityWeights::get();
		ResourceKind::ALL.iter().fold(0, |sum: Points, kind| {
			sum.saturating_add(
				Points::from(declared.of(*kind)).saturating_mul(Points::from(weights.of(*kind))),
			)
		})
	}

	/// What an answer with sync lag `lag` is worth, relative to one with no lag:
	/// `(ResponseWindow - lag) / ResponseWindow`.
	pub fn lag_factor(lag: u32) -> Perbill {
		let window = T::ResponseWindow::get().max(1);
		Perbill::from_rational(window.saturating_sub(lag), window)
	}

	/// Checks an attestation against the chain as it is now. Shared by the transaction pool
	/// (`authorize`) and the dispatch. The cheap checks come first; the signature last.
	pub fn check_attestation(
		attestation: &AttestationOf<T>,
		signature: &SyncSignature,
	) -> Result<CheckedAttestation<BlockNumberFor<T>>, Error<T>> {
		let round = CurrentRound::<T>::get().ok_or(Error::<T>::WrongRound)?;
		ensure!(attestation.round == round.index, Error::<T>::WrongRound);
		let provider = &attestation.provider;
		ensure!(T::Registry::is_active_in(provider, round.index), Error::<T>::NotActiveProvider);
		let challenge = attestation.challenge_block;
		let challenge_index =
			Self::is_challenge(provider, &round, challenge).ok_or(Error::<T>::NotChallenged)?;

		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > challenge, Error::<T>::TooEarly);
		let deadline = challenge.saturating_add(T::ResponseWindow::get().into());
		ensure!(now <= deadline, Error::<T>::TooLate);
		let best = attestation.best_number;
		ensure!(best >= challenge, Error::<T>::StaleHead);
		ensure!(best < now, Error::<T>::FutureHead);
		ensure!(attestation.finalized_number <= best, Error::<T>::FinalizedAhead);
		let chain_hash = frame_system::Pallet::<T>::block_hash(best);
		ensure!(
			chain_hash == attestation.best_hash && chain_hash != T::Hash::default(),
			Error::<T>::WrongHash
		);
		let answered = ProviderRounds::<T>::get(round.index, provider)
			.is_some_and(|stats| stats.answered_mask & (1u64 << challenge_index) != 0);
		ensure!(!answered, Error::<T>::AlreadyAnswered);

		let key = T::SyncKeys::key_of(provider).ok_or(Error::<T>::NoSyncKey)?;
		ensure!(
			sp_runtime::RuntimeAppPublic::verify(
				&key,
				&Self::signing_payload(attestation),
				signature
			),
			Error::<T>::BadSignature
		);

		// `best < now`, so `now - 1 - best` does not underflow; it is below `ResponseWindow`.
		let lag = now.saturating_sub(1u32.into()).saturating_sub(best).saturated_into();
		let finalized_lag = best.saturating_sub(attestation.finalized_number).saturated_into();
		Ok(CheckedAttestation {
			round: round.index,
			challenges_per_provider: round.challenges_per_provider,
			challenge_index,
			lag,
			finalized_lag,
			deadline,
		})
	}

	/// The transaction-pool validity of `attest`: the shared check, then a transaction that
	/// provides `(provider, round, challenge_block)` and lives until the response window closes.
	pub fn authorize_attestation(
		_source: TransactionSource,
		attestation: &AttestationOf<T>,
		signature: &SyncSignature,
	) -> TransactionValidityWithRefund {
		let checked = Self::check_attestation(attestation, signature)
			.map_err(|error| Self::validity_error(&error, attestation))?;
		let now = frame_system::Pallet::<T>::block_number();
		// Blocks left in the window, the one being built included.
		let longevity: u64 =
			checked.deadline.saturating_sub(now).saturated_into::<u64>().saturating_add(1);
		let validity = ValidTransaction::with_tag_prefix(ATTESTATION_TAG_PREFIX)
			.priority(T::AttestationPriority::get())
			.and_provides((
				attestation.provider.clone(),
				attestation.round,
				attestation.challenge_block,
			))
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// How the transaction pool is told why an attestation is refused. Timing errors are `Stale`
	/// or `Future`, a bad signature `BadProof`, and every other error `Custom(i)` with `i` the
	/// error's index in [`Error`].
	pub fn validity_error(
		error: &Error<T>,
		attestation: &AttestationOf<T>,
	) -> TransactionValidityError {
		let invalid = match error {
			Error::<T>::WrongRound if attestation.round < <Self as RoundClock>::current_round() =>
				InvalidTransaction::Stale,
			Error::<T>::WrongRound | Error::<T>::TooEarly | Error::<T>::FutureHead =>
				InvalidTransaction::Future,
			Error::<T>::TooLate | Error::<T>::AlreadyAnswered => InvalidTransaction::Stale,
			Error::<T>::BadSignature => InvalidTransaction::BadProof,
			other => InvalidTransaction::Custom(other.using_encoded(|bytes| bytes[0])),
		};
		invalid.into()
	}

	/// Applies a valid attestation. O(1).
	pub(crate) fn do_attest(
		attestation: AttestationOf<T>,
		signature: SyncSignature,
	) -> DispatchResult {
		let checked = Self::check_attestation(&attestation, &signature)?;
		let c = checked.challenges_per_provider.max(1);
		let points = Self::lag_factor(checked.lag)
			.mul_floor(Self::capacity_points(&attestation.provider)) /
			Points::from(c);

		ProviderRounds::<T>::mutate(checked.round, &attestation.provider, |stats| {
			let stats = stats
				.get_or_insert_with(|| ProviderRoundStats { assigned: c, ..Default::default() });
			stats.answered.saturating_inc();
			stats.answered_mask |= 1u64 << checked.challenge_index;
			stats.lag_sum.saturating_accrue(checked.lag.into());
			stats.finalized_lag_sum.saturating_accrue(checked.finalized_lag.into());
			stats.points.saturating_accrue(points);
		});
		Rounds::<T>::mutate(checked.round, |summary| {
			if let Some(summary) = summary {
				summary.total_points.saturating_accrue(points);
				summary.attestations.saturating_inc();
			}
		});
		Accumulator::<T>::mutate(|acc| *acc = (*acc, &signature).using_encoded(blake2_256));

		Self::deposit_event(Event::Attested {
			provider: attestation.provider,
			round: checked.round,
			challenge_block: attestation.challenge_block,
			lag: checked.lag,
			points,
		});
		Ok(())
	}

	/// Whether the records of `round` are still judged: the round in progress and the last
	/// `HistoryDepth` closed rounds.
	pub(crate) fn is_retained(round: RoundIndex) -> bool {
		LastClosedRound::<T>::get()
			.is_none_or(|last| round.saturating_add(T::HistoryDepth::get()) > last)
	}

	pub(crate) fn do_report_equivocation(
		reporter: T::AccountId,
		(first, first_signature): SignedAttestationOf<T>,
		(second, second_signature): SignedAttestationOf<T>,
	) -> DispatchResult {
		ensure!(
			first.provider == second.provider &&
				first.best_number == second.best_number &&
				first.best_hash != second.best_hash,
			Error::<T>::NotEquivocation
		);
		ensure!(
			first.round.max(second.round) <= <Self as RoundClock>::current_round(),
			Error::<T>::ProofFromFuture
		);
		let round = first.round.min(second.round);
		ensure!(Self::is_retained(round), Error::<T>::ProofTooOld);
		let offence = (first.provider.clone(), first.best_number);
		ensure!(!Reported::<T>::contains_key(round, &offence), Error::<T>::AlreadyReported);
		let key = T::SyncKeys::key_of(&first.provider).ok_or(Error::<T>::NoSyncKey)?;
		// Both signatures are over this chain's payload: read its genesis hash once.
		let genesis_hash = Self::genesis_hash();
		let signed = |attestation: &AttestationOf<T>, signature: &SyncSignature| {
			let payload = attestation.signing_payload(&genesis_hash);
			sp_runtime::RuntimeAppPublic::verify(&key, &payload, signature)
		};
		ensure!(
			signed(&first, &first_signature) && signed(&second, &second_signature),
			Error::<T>::BadSignature
		);

		let slashed = T::Registry::slash(
			&first.provider,
			T::EquivocationSlash::get(),
			Some((&reporter, T::ReporterCut::get())),
		)?;
		Reported::<T>::insert(round, &offence, ());
		Self::deposit_event(Event::EquivocationReported {
			provider: offence.0,
			best_number: offence.1,
			slashed,
			reporter,
		});
		Ok(())
	}

	pub(crate) fn do_report_offline(
		reporter: T::AccountId,
		provider: T::AccountId,
	) -> DispatchResult {
		let last = LastClosedRound::<T>::get().ok_or(Error::<T>::NotOffline)?;
		let rounds = T::OfflineRoundsBeforeChill::get();
		ensure!(rounds > 0 && last >= rounds - 1, Error::<T>::NotOffline);
		for round in (last + 1 - rounds)..=last {
			ensure!(T::Registry::is_active_in(&provider, round), Error::<T>::NotOffline);
			let summary = Rounds::<T>::get(round).ok_or(Error::<T>::NotOffline)?;
			let answered = ProviderRounds::<T>::get(round, &provider).map_or(0, |s| s.answered);
			let assigned = summary.params.challenges_per_provider.max(1);
			ensure!(
				Perbill::from_rational(answered, assigned) < T::MinUptime::get(),
				Error::<T>::NotOffline
			);
		}
		T::Registry::chill(&provider)?;
		Self::deposit_event(Event::ProviderReportedOffline { provider, reporter });
		Ok(())
	}

	/// The bytes a `sync` key signs for `attestation` on this chain: its
	/// [`Attestation::signing_payload`] with this chain's genesis hash (kept by `frame_system`
	/// for good).
	pub fn signing_payload(attestation: &AttestationOf<T>) -> Vec<u8> {
		attestation.signing_payload(&Self::genesis_hash())
	}

	/// This chain's genesis hash, which `frame_system` keeps as block 0's from block 1 on.
	fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// The round in progress.
	pub fn round_in_progress() -> Option<RoundParamsOf<T>> {
		CurrentRound::<T>::get()
	}

	/// The newest closed round, if any round has closed.
	pub fn last_closed_round() -> Option<RoundIndex> {
		LastClosedRound::<T>::get()
	}

	/// Whether `round` has closed: its points are final.
	pub fn is_closed(round: RoundIndex) -> bool {
		LastClosedRound::<T>::get().is_some_and(|last| round <= last)
	}

	/// The record of a retained round: the current one or one of the last `HistoryDepth` closed
	/// ones.
	pub fn round_summary(round: RoundIndex) -> Option<RoundSummaryOf<T>> {
		Rounds::<T>::get(round).filter(|_| Self::is_retained(round))
	}

	/// `who`'s challenge blocks in a retained `round`, earliest first; none if it was not active
	/// in it.
	pub fn challenges_of(who: &T::AccountId, round: RoundIndex) -> Vec<BlockNumberFor<T>> {
		match Self::round_summary(round) {
			Some(summary) if T::Registry::is_active_in(who, round) =>
				Self::challenge_blocks(who, &summary.params),
			_ => Vec::new(),
		}
	}

	/// `who`'s score in a retained `round`: `None` if the round is not retained, or `who` neither
	/// answered a challenge in it nor is active in it.
	pub fn sync_score(who: &T::AccountId, round: RoundIndex) -> Option<SyncScore> {
		let summary = Self::round_summary(round)?;
		let stats = match ProviderRounds::<T>::get(round, who) {
			Some(stats) => stats,
			None if T::Registry::is_active_in(who, round) => ProviderRoundStats {
				assigned: summary.params.challenges_per_provider,
				..Default::default()
			},
			None => return None,
		};
		let window = u64::from(T::ResponseWindow::get().max(1));
		let answered = u64::from(stats.answered);
		let (mean_lag, sync) = if answered.is_zero() {
			(0, Perbill::zero())
		} else {
			let full = answered.saturating_mul(window);
			(
				(stats.lag_sum / answered).saturated_into(),
				Perbill::from_rational(full.saturating_sub(stats.lag_sum), full),
			)
		};
		Some(SyncScore {
			assigned: stats.assigned,
			answered: stats.answered,
			uptime: Perbill::from_rational(stats.answered, stats.assigned.max(1)),
			mean_lag,
			sync,
			points: stats.points,
			share: Perbill::from_rational(stats.points, summary.total_points.max(1)),
		})
	}

	/// The providers with points in `round`, most points first (ties by account), one page of at
	/// most `MAX_LEADERBOARD_PAGE` entries. Reads the whole round: for the runtime API only,
	/// never for a hook or a call.
	pub fn leaderboard(
		round: RoundIndex,
		page: u32,
		page_size: u32,
	) -> Vec<(T::AccountId, Points)> {
		let page_size = page_size.min(MAX_LEADERBOARD_PAGE) as usize;
		let mut entries: Vec<_> = ProviderRounds::<T>::iter_prefix(round)
			.map(|(who, s)| (who, s.points))
			.collect();
		entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
		entries
			.into_iter()
			.skip((page as usize).saturating_mul(page_size))
			.take(page_size)
			.collect()
	}

	/// Checks the pallet's invariants:
	/// - every retained round's totals are the sums of its providers' points and answers;
	/// - every provider record has `answered == popcount(answered_mask) <= assigned <=
	///   MaxChallengesPerRound`, and only bits below `assigned` set;
	/// - at most `HistoryDepth` closed rounds plus the current one are kept, besides expired ones
	///   still queued for removal, and nothing is kept of rounds already removed;
	/// - the current round's `C` and stride are within bounds.
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
		let max_c = T::MaxChallengesPerRound::get();
		let next_to_clean = NextToClean::<T>::get();
		let mut kept = 0u32;
		let mut expired = 0u32;
		for (round, summary) in Rounds::<T>::iter() {
			ensure!(round >= next_to_clean, TryRuntimeError::Other("a removed round is kept"));
			if !Self::is_retained(round) {
				// Being removed: its provider records may be partly gone.
				expired.saturating_inc();
				continue
			}
			kept.saturating_inc();
			let (mut points, mut attestations) = (0 as Points, 0u32);
			for stats in ProviderRounds::<T>::iter_prefix_values(round) {
				points.saturating_accrue(stats.points);
				attestations.saturating_accrue(stats.answered);
			}
			ensure!(
				points == summary.total_points && attestations == summary.attestations,
				TryRuntimeError::Other("round totals differ from the providers' records")
			);
		}
		for (round, _, stats) in ProviderRounds::<T>::iter() {
			ensure!(round >= next_to_clean, TryRuntimeError::Other("a removed round has records"));
			ensure!(
				stats.answered == stats.answered_mask.count_ones() &&
					stats.answered <= stats.assigned &&
					stats.assigned <= max_c &&
					stats.answered_mask.checked_shr(stats.assigned).unwrap_or(0) == 0,
				TryRuntimeError::Other("a provider record's answers are inconsistent")
			);
		}
		ensure!(
			kept <= T::HistoryDepth::get().saturating_add(1),
			TryRuntimeError::Other("more rounds kept than HistoryDepth")
		);
		let queued = LastClosedRound::<T>::get()
			.and_then(|last| last.checked_sub(T::HistoryDepth::get()))
			.map_or(0, |upto| upto.saturating_add(1).saturating_sub(next_to_clean));
		ensure!(expired <= queued, TryRuntimeError::Other("an expired round is not queued"));
		if let Some(round) = CurrentRound::<T>::get() {
			let c = round.challenges_per_provider;
			ensure!(
				c >= 1 && c <= max_c && c <= Self::challenge_span(),
				TryRuntimeError::Other("the current round's C is out of bounds")
			);
			ensure!(
				round.stride >= 1 &&
					u64::from(c) * u64::from(round.stride) <= u64::from(Self::challenge_span()),
				TryRuntimeError::Other("the current round's challenges overflow its span")
			);
			ensure!(
				Rounds::<T>::contains_key(round.index),
				TryRuntimeError::Other("the current round has no record")
			);
		}
		Ok(())
	}
}

impl<T: Config> RoundClock for Pallet<T> {
	fn current_round() -> RoundIndex {
		CurrentRound::<T>::get().map_or(0, |round| round.index)
	}
}

impl<T: Config> RoundPoints<T::AccountId> for Pallet<T> {
	fn points_of(round: RoundIndex, who: &T::AccountId) -> Points {
		ProviderRounds::<T>::get(round, who).map_or(0, |stats| stats.points)
	}

	fn total_points(round: RoundIndex) -> Points {
		Rounds::<T>::get(round).map_or(0, |summary| summary.total_points)
	}
}
