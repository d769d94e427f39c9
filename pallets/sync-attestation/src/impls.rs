//! Challenges, the attestation check, the permissionless reports, the read helpers and the traits
//! the other pallets see.

use crate::{
	crypto::{SyncId, SyncSignature},
	pallet::*,
	types::*,
	WeightInfo,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{
	Capacity, OnProviderWithdrawn, Points, ProviderRegistry, ResourceKind, RoundClock, RoundIndex,
	RoundPoints, UsageSink, VerifiedCapacity, MAX_LEADERBOARD_PAGE,
};
use sp_io::hashing::blake2_256;
use sp_runtime::{
	traits::{CheckedSub, One, Saturating, Zero},
	transaction_validity::{
		InvalidTransaction, TransactionValidityError, TransactionValidityWithRefund,
		ValidTransaction,
	},
	DispatchError, DispatchResult, Perbill, SaturatedConversion,
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

	/// The chance `q` that one block of the challenge span challenges one given provider, when
	/// `providers` are active: `min(TargetAttestationsPerBlock / N, MaxChallengesPerRound / span,
	/// 1)`, at least one in a billion. About `TargetAttestationsPerBlock` providers are challenged
	/// per block whatever `N` is, and a provider expects at most `MaxChallengesPerRound`
	/// challenges a round.
	pub fn challenge_odds(providers: u32) -> Perbill {
		let by_target =
			Perbill::from_rational(T::TargetAttestationsPerBlock::get(), providers.max(1));
		let by_cap = Self::most_odds(Self::challenge_span());
		Perbill::from_parts(by_target.min(by_cap).deconstruct().max(1))
	}

	/// The most a provider is challenged in a round of `span` challenge blocks:
	/// `min(MaxChallengesPerRound / span, 1)`, a block.
	fn most_odds(span: u32) -> Perbill {
		Perbill::from_rational(T::MaxChallengesPerRound::get(), span.max(1))
	}

	/// The chance that one block of `round` challenges `who`: the round's `challenge_odds`, or
	/// for a validator candidate of the round ([`RoundCandidates`]) the most a provider is
	/// challenged, `min(MaxChallengesPerRound / span, 1)`. Candidates compete for seats on one
	/// round's points, so they are challenged at a rate that does not fall as the network grows:
	/// an honest candidate does not lose its seat for want of a challenge. There are at most
	/// `MaxCandidates` of them.
	pub fn odds_of(who: &T::AccountId, round: &RoundParamsOf<T>) -> Perbill {
		if RoundCandidates::<T>::contains_key(round.index, who) {
			Self::most_odds(round.challenge_span).max(round.challenge_odds)
		} else {
			round.challenge_odds
		}
	}

	/// The challenges `who` can expect in `round` at its odds, in billionths (at least 1).
	pub fn expected_challenges_ppb_of(who: &T::AccountId, round: &RoundParamsOf<T>) -> u64 {
		round.expected_challenges_ppb_at(Self::odds_of(who, round))
	}

	/// Whether block `block` of `round` challenges a provider with the odds `odds`, given the
	/// randomness `randomness` the block starts from (`R(block - 1)`, see the `randomness`
	/// module) and the provider `who`: `blake2_256(randomness ‖ block ‖ who)`, read as a fraction
	/// of 2⁶⁴, is below `odds`, and `block` is in the round's challenge span. Returns the block's
	/// offset from the round's first block. O(1).
	pub fn is_challenge_with(
		who: &T::AccountId,
		round: &RoundParamsOf<T>,
		block: BlockNumberFor<T>,
		randomness: &[u8; 32],
		odds: Perbill,
	) -> Option<u32> {
		let offset: u32 = block.checked_sub(&round.start)?.try_into().ok()?;
		if offset >= round.challenge_span {
			return None
		}
		let hash = (randomness, block, who).using_encoded(blake2_256);
		let mut first = [0u8; 8];
		first.copy_from_slice(&hash[..8]);
		// `draw × 10⁹ / 2⁶⁴` is uniform in `0..10⁹`, the scale of a `Perbill`.
		let draw = (u128::from(u64::from_le_bytes(first)) * 1_000_000_000) >> 64;
		(draw < u128::from(odds.deconstruct())).then_some(offset)
	}

	/// Whether `block` of `round` challenges `who`, at its odds ([`Self::odds_of`]) and with the
	/// randomness the chain keeps for `block`'s parent (so only for a block whose parent is
	/// built, within the last `RoundLength + 1` blocks). Returns the block's offset from the
	/// round's first block. O(1).
	pub fn is_challenge(
		who: &T::AccountId,
		round: &RoundParamsOf<T>,
		block: BlockNumberFor<T>,
	) -> Option<u32> {
		let parent = block.checked_sub(&One::one())?;
		let randomness = Randomness::<T>::get(parent)?;
		Self::is_challenge_with(who, round, block, &randomness, Self::odds_of(who, round))
	}

	/// The sync credit one answer with no lag earns: a round's worth ([`CREDIT_UNIT`]) divided
	/// by the challenges the provider can expect in the round (`expected_ppb` billionths), so
	/// that its expected credit for the round is one round's worth whatever the number of
	/// providers.
	pub fn credit_per_answer(expected_ppb: u64) -> u128 {
		CREDIT_UNIT.saturating_mul(1_000_000_000) / u128::from(expected_ppb.max(1))
	}

	/// The blocks of lag an answer can be charged for: `ResponseWindow - SyncLagGrace` (at
	/// least 1).
	pub(crate) fn charged_window() -> u32 {
		T::ResponseWindow::get().saturating_sub(T::SyncLagGrace::get()).max(1)
	}

	/// What an answer with sync lag `lag` is worth, relative to one with no lag: `(W - lag) / W`
	/// with `W` the [`Self::charged_window`].
	pub fn lag_factor(lag: u32) -> Perbill {
		let window = Self::charged_window();
		Perbill::from_rational(window.saturating_sub(lag), window)
	}

	/// Checks an attestation against the chain as it is now. Shared by the transaction pool
	/// (`authorize`) and the dispatch. The cheap checks come first; the signature last.
	///
	/// The sync lag is what the chain sees: the blocks between the challenge block and the block
	/// before the one being built, which will include the answer, less `SyncLagGrace`. The
	/// attester names nothing but the challenge block's hash and its own finalized block.
	pub fn check_attestation(
		attestation: &AttestationOf<T>,
		signature: &SyncSignature,
	) -> Result<CheckedAttestation<BlockNumberFor<T>, SigningKeysOf<T>>, Error<T>> {
		let round = CurrentRound::<T>::get().ok_or(Error::<T>::WrongRound)?;
		ensure!(attestation.round == round.index, Error::<T>::WrongRound);
		let provider = &attestation.provider;
		ensure!(T::Registry::is_active_in(provider, round.index), Error::<T>::NotActiveProvider);
		let challenge = attestation.challenge_block;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > challenge, Error::<T>::TooEarly);
		let deadline = challenge.saturating_add(T::ResponseWindow::get().into());
		ensure!(now <= deadline, Error::<T>::TooLate);
		let offset =
			Self::is_challenge(provider, &round, challenge).ok_or(Error::<T>::NotChallenged)?;
		ensure!(attestation.finalized_number <= challenge, Error::<T>::FinalizedAhead);
		let chain_hash = frame_system::Pallet::<T>::block_hash(challenge);
		ensure!(
			chain_hash == attestation.block_hash && chain_hash != T::Hash::default(),
			Error::<T>::WrongHash
		);
		let answered = ProviderRounds::<T>::get(round.index, provider)
			.is_some_and(|stats| stats.has_answered(offset));
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
		let signing_keys = Self::signing_keys_with(provider, key, round.index)?;

		// `challenge < now`, so `now - 1 - challenge` does not underflow; it is below
		// `ResponseWindow`, and the lag below `ResponseWindow - SyncLagGrace`.
		let lag = now
			.saturating_sub(One::one())
			.saturating_sub(challenge)
			.saturated_into::<u32>()
			.saturating_sub(T::SyncLagGrace::get());
		let finalized_lag = challenge.saturating_sub(attestation.finalized_number).saturated_into();
		Ok(CheckedAttestation {
			round: round.index,
			expected_ppb: Self::expected_challenges_ppb_of(provider, &round),
			offset,
			lag,
			finalized_lag,
			deadline,
			signing_keys,
		})
	}

	/// The `sync` keys `provider` may have had in `round`, each once; `NoSyncKey` if it has
	/// none on record and none now. They are its recorded `SigningKeys` and its key now. A key was
	/// in use from its predecessor's first round (it replaced a key in use then) to its
	/// successor's first round (the successor signed once it had replaced it), both included; the
	/// newest recorded key and the key now may be in use until now. So a key is not judged for
	/// rounds after its successor's first: a key stolen and replaced cannot be used against its
	/// former owner's later heights once the new key has signed.
	pub(crate) fn keys_in_use(
		provider: &T::AccountId,
		round: RoundIndex,
	) -> Result<Vec<SyncId>, Error<T>> {
		let mut keys: Vec<(SyncId, RoundIndex)> = SigningKeys::<T>::get(provider).into_inner();
		if let Some(now) = T::SyncKeys::key_of(provider) {
			if keys.last().is_none_or(|(newest, _)| *newest != now) {
				// Not recorded yet: it replaced the newest recorded key after that one's first
				// round.
				keys.push((now, RoundIndex::MAX));
			}
		}
		ensure!(!keys.is_empty(), Error::<T>::NoSyncKey);
		let mut in_use: Vec<SyncId> = stints(&keys)
			.filter(|(_, from, until)| *from <= round && round <= *until)
			.map(|((key, _), _, _)| key.clone())
			.collect();
		// A key used more than once may be in use in one round twice: check it once.
		in_use.sort();
		in_use.dedup();
		Ok(in_use)
	}

	/// `provider`'s `SigningKeys` once `key` signs one of its attestations in `round`: `None` if
	/// `key` is the newest recorded already (nothing to write), else the record with `key` added
	/// and the entries whose last round has expired removed. `TooManySigningKeys` if that is more
	/// than `MaxSigningKeys` entries.
	pub(crate) fn signing_keys_with(
		provider: &T::AccountId,
		key: SyncId,
		round: RoundIndex,
	) -> Result<Option<SigningKeysOf<T>>, Error<T>> {
		let mut keys = SigningKeys::<T>::get(provider).into_inner();
		if keys.last().is_some_and(|(newest, _)| *newest == key) {
			return Ok(None)
		}
		keys.push((key, round));
		// An entry may go once its last round (its successor's first) has expired; the new one,
		// the newest, stays.
		let kept: Vec<(SyncId, RoundIndex)> = stints(&keys)
			.filter(|(_, _, until)| Self::is_retained(*until))
			.map(|(entry, _, _)| entry.clone())
			.collect();
		SigningKeysOf::<T>::try_from(kept)
			.map(Some)
			.map_err(|_| Error::<T>::TooManySigningKeys)
	}

	/// The transaction-pool validity of `attest`: the shared check, then a transaction that
	/// provides `(provider, round, challenge_block)` and lives until the response window closes.
	pub fn authorize_attestation(
		_source: TransactionSource,
		attestation: &AttestationOf<T>,
		signature: &SyncSignature,
	) -> TransactionValidityWithRefund {
		let checked = Self::check_attestation(attestation, signature)
			.map_err(|error| Self::validity_error(&error, attestation.round))?;
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

	/// How the transaction pool is told why an attestation or heartbeat naming `round` is
	/// refused. Timing errors are `Stale` or `Future`, a bad signature `BadProof`, and every
	/// other error `Custom(i)` with `i` the error's index in [`Error`].
	pub fn validity_error(error: &Error<T>, round: RoundIndex) -> TransactionValidityError {
		let invalid = match error {
			Error::<T>::WrongRound if round < <Self as RoundClock>::current_round() =>
				InvalidTransaction::Stale,
			Error::<T>::WrongRound | Error::<T>::TooEarly => InvalidTransaction::Future,
			Error::<T>::TooLate |
			Error::<T>::AlreadyAnswered |
			Error::<T>::NotBenched |
			Error::<T>::AlreadyCommitted |
			Error::<T>::DatasetUnchanged => InvalidTransaction::Stale,
			Error::<T>::BadSignature => InvalidTransaction::BadProof,
			other => InvalidTransaction::Custom(other.using_encoded(|bytes| bytes[0])),
		};
		invalid.into()
	}

	/// Applies a valid attestation. O(1) (the round's leaderboard is bounded).
	pub(crate) fn do_attest(
		attestation: AttestationOf<T>,
		signature: SyncSignature,
	) -> DispatchResult {
		let checked = Self::check_attestation(&attestation, &signature)?;
		if let Some(keys) = checked.signing_keys {
			SigningKeys::<T>::insert(&attestation.provider, keys);
		}
		let credit =
			Self::lag_factor(checked.lag).mul_floor(Self::credit_per_answer(checked.expected_ppb));
		let points = Self::update_stats(checked.round, &attestation.provider, |stats| {
			stats.record_answer(checked.offset);
			stats.lag_sum.saturating_accrue(checked.lag.into());
			stats.finalized_lag_sum.saturating_accrue(checked.finalized_lag.into());
			stats.sync_credit.saturating_accrue(credit);
		});
		Rounds::<T>::mutate(checked.round, |summary| {
			if let Some(summary) = summary {
				summary.attestations.saturating_inc();
			}
		});
		// A candidate's finalized height tells the chain whether finality stalled (see the
		// `liveness` module).
		RoundCandidates::<T>::mutate_exists(checked.round, &attestation.provider, |finalized| {
			if let Some(finalized) = finalized {
				if attestation.finalized_number > *finalized {
					*finalized = attestation.finalized_number;
				}
			}
		});

		Self::deposit_event(Event::Attested {
			provider: attestation.provider,
			round: checked.round,
			challenge_block: attestation.challenge_block,
			lag: checked.lag,
			points,
		});
		Ok(())
	}

	/// Keeps `round`'s leaderboard, the `MAX_LEADERBOARD_PAGE` providers with the most points,
	/// in step with `who`'s new total `points`. O(`MAX_LEADERBOARD_PAGE`).
	pub(crate) fn note_points(round: RoundIndex, who: &T::AccountId, points: Points) {
		Leaderboard::<T>::mutate(round, |board| {
			if let Some(at) = board.iter().position(|(account, _)| account == who) {
				board.remove(at);
			}
			// Most points first; ties by account, as the runtime API shows them.
			let at = board
				.binary_search_by(|(account, p)| points.cmp(p).then_with(|| account.cmp(who)))
				.unwrap_or_else(|at| at);
			if board.is_full() {
				if at >= board.len() {
					return
				}
				board.pop();
			}
			// Room was made above, so this cannot fail.
			let _ = board.try_insert(at, (who.clone(), points));
		});
	}

	/// Whether the records of `round` are still judged: the round in progress and the last
	/// `HistoryDepth` closed rounds.
	pub(crate) fn is_retained(round: RoundIndex) -> bool {
		LastClosedRound::<T>::get()
			.is_none_or(|last| round.saturating_add(T::HistoryDepth::get()) > last)
	}

	/// The round that holds block `height`: the current one, or a past one still on record.
	/// Rounds are `RoundLength` blocks each, so the round is found without a search and checked
	/// against its record. `ProofFromFuture` for a height after the current round, `ProofTooOld`
	/// for one in a round no longer on record.
	pub(crate) fn round_of_height(height: BlockNumberFor<T>) -> Result<RoundIndex, Error<T>> {
		let current = CurrentRound::<T>::get().ok_or(Error::<T>::ProofFromFuture)?;
		let length = T::RoundLength::get();
		ensure!(height < current.start.saturating_add(length), Error::<T>::ProofFromFuture);
		let round = if height >= current.start {
			current.index
		} else {
			// `current.start - height >= 1` blocks before the current round.
			let before = current.start.saturating_sub(height);
			let back: u32 = (before.saturating_sub(One::one()) / length.max(One::one()))
				.saturating_add(One::one())
				.saturated_into();
			current.index.checked_sub(back).ok_or(Error::<T>::ProofTooOld)?
		};
		let summary = Rounds::<T>::get(round).ok_or(Error::<T>::ProofTooOld)?;
		ensure!(
			height >= summary.params.start && height < summary.params.start.saturating_add(length),
			Error::<T>::ProofTooOld
		);
		Ok(round)
	}

	pub(crate) fn do_report_equivocation(
		reporter: T::AccountId,
		(first, first_signature): SignedAttestationOf<T>,
		(second, second_signature): SignedAttestationOf<T>,
	) -> DispatchResult {
		ensure!(
			first.provider == second.provider &&
				first.challenge_block == second.challenge_block &&
				first.block_hash != second.block_hash,
			Error::<T>::NotEquivocation
		);
		// The offence is keyed by the provider and the height, and judged in the round that holds
		// the height, whatever rounds the attestations name: one height is punished once.
		let height = first.challenge_block;
		let round = Self::round_of_height(height)?;
		ensure!(Self::is_retained(round), Error::<T>::ProofTooOld);
		let offence = (first.provider.clone(), height);
		ensure!(!Reported::<T>::contains_key(round, &offence), Error::<T>::AlreadyReported);
		let keys = Self::keys_in_use(&first.provider, round)?;
		// Both signatures are over this chain's payload: read its genesis hash once.
		let genesis_hash = Self::genesis_hash();
		let (first_payload, second_payload) =
			(first.signing_payload(&genesis_hash), second.signing_payload(&genesis_hash));
		// One key must have signed both: a key that replaced another keeps its own record of
		// what it signed, so an honest node may sign a height again with its new key.
		ensure!(
			keys.iter().any(|key| {
				sp_runtime::RuntimeAppPublic::verify(key, &first_payload, &first_signature) &&
					sp_runtime::RuntimeAppPublic::verify(key, &second_payload, &second_signature)
			}),
			Error::<T>::BadSignature
		);

		let slashed = T::Registry::slash(
			&first.provider,
			T::EquivocationSlash::get(),
			Some((&reporter, T::ReporterCut::get())),
		)?;
		// A free report must cost the offender something: with its bond gone, reports would be
		// free transactions for ever. (The slash above is undone with the failed call.)
		ensure!(slashed != T::Bond::default(), Error::<T>::NothingToSlash);
		Reported::<T>::insert(round, &offence, ());
		Self::deposit_event(Event::EquivocationReported {
			provider: offence.0,
			height: offence.1,
			slashed,
			reporter,
		});
		Ok(())
	}

	/// Chills `provider` if it answered fewer than `MinUptime` of the challenges it could expect
	/// over its window: the closed rounds, newest first, that together expected at least
	/// `OfflineWindow` challenges. Returns how many rounds it read.
	pub(crate) fn do_report_offline(
		reporter: T::AccountId,
		provider: T::AccountId,
	) -> Result<u32, DispatchError> {
		let (rounds, answered, expected_ppb) = Self::offline_window(&provider)?;
		// `answered / expected`, with `expected` in billionths.
		let uptime = Perbill::from_rational(answered.saturating_mul(1_000_000_000), expected_ppb);
		ensure!(uptime < T::MinUptime::get(), Error::<T>::NotOffline);
		T::Registry::chill(&provider)?;
		Self::deposit_event(Event::ProviderReportedOffline { provider, reporter });
		Ok(rounds)
	}

	/// The window `report_offline` judges `provider` over: the closed rounds, newest first,
	/// until the challenges it could expect in them reach `OfflineWindow`. Returns the number of
	/// rounds, the challenges answered and the challenges expected (in billionths). Fails with
	/// `NotOffline` if `provider` was not active in every one of them, or the retained rounds do
	/// not reach the window. Reads at most `HistoryDepth` rounds.
	pub(crate) fn offline_window(provider: &T::AccountId) -> Result<(u32, u64, u64), Error<T>> {
		let window_ppb = u64::from(T::OfflineWindow::get()).saturating_mul(1_000_000_000);
		let mut round = LastClosedRound::<T>::get().ok_or(Error::<T>::NotOffline)?;
		let (mut rounds, mut answered, mut expected_ppb) = (0u32, 0u64, 0u64);
		loop {
			ensure!(Self::is_retained(round), Error::<T>::NotOffline);
			ensure!(T::Registry::is_active_in(provider, round), Error::<T>::NotOffline);
			let summary = Rounds::<T>::get(round).ok_or(Error::<T>::NotOffline)?;
			rounds.saturating_inc();
			// Honest nodes stop attesting when finality stalls: such a round judges no one.
			if summary.finality_stalled {
				round = round.checked_sub(1).ok_or(Error::<T>::NotOffline)?;
				continue
			}
			expected_ppb
				.saturating_accrue(Self::expected_challenges_ppb_of(provider, &summary.params));
			answered.saturating_accrue(
				ProviderRounds::<T>::get(round, provider).map_or(0, |s| s.answered.into()),
			);
			if expected_ppb >= window_ppb {
				return Ok((rounds, answered, expected_ppb))
			}
			round = round.checked_sub(1).ok_or(Error::<T>::NotOffline)?;
		}
	}

	/// The bytes a `sync` key signs for `attestation` on this chain: its
	/// [`Attestation::signing_payload`] with this chain's genesis hash (kept by `frame_system`
	/// for good).
	pub fn signing_payload(attestation: &AttestationOf<T>) -> Vec<u8> {
		attestation.signing_payload(&Self::genesis_hash())
	}

	/// This chain's genesis hash, which `frame_system` keeps as block 0's from block 1 on.
	pub(crate) fn genesis_hash() -> T::Hash {
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

	/// `who`'s challenge blocks so far in the round in progress, earliest first: the blocks of
	/// its challenge span already built (up to the current one) that challenge it. None if it is
	/// not active in the round. Later challenges are not known before their parent block is
	/// built. Reads one block hash per block of the span: for the runtime API, not for a call.
	pub fn challenges_so_far(who: &T::AccountId) -> Vec<BlockNumberFor<T>> {
		let Some(round) = CurrentRound::<T>::get() else { return Vec::new() };
		if !T::Registry::is_active_in(who, round.index) {
			return Vec::new()
		}
		let now = frame_system::Pallet::<T>::block_number();
		(0..round.challenge_span)
			.map(|offset| round.start.saturating_add(offset.into()))
			.take_while(|block| *block <= now)
			.filter(|block| Self::is_challenge(who, &round, *block).is_some())
			.collect()
	}

	/// `who`'s score in a retained `round`: `None` if the round is not retained, or `who` neither
	/// answered a challenge in it nor is active in it.
	pub fn sync_score(who: &T::AccountId, round: RoundIndex) -> Option<SyncScore> {
		let summary = Self::round_summary(round)?;
		let stats = match ProviderRounds::<T>::get(round, who) {
			Some(stats) => stats,
			None if T::Registry::is_active_in(who, round) => ProviderRoundStats::default(),
			None => return None,
		};
		let expected_ppb = Self::expected_challenges_ppb_of(who, &summary.params);
		let window = u64::from(Self::charged_window());
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
			expected_challenges_milli: (expected_ppb / 1_000_000).saturated_into(),
			answered: stats.answered,
			uptime: Perbill::from_rational(answered.saturating_mul(1_000_000_000), expected_ppb),
			mean_lag,
			sync,
			points: stats.points,
			share: Perbill::from_rational(stats.points, summary.total_points.max(1)),
		})
	}

	/// The providers with the most points in a retained `round`, most points first (ties by
	/// account), one page of at most `MAX_LEADERBOARD_PAGE` entries. Only the first
	/// `MAX_LEADERBOARD_PAGE` providers are kept ([`Leaderboard`]); a provider further down finds
	/// its own points with [`Self::sync_score`]. One storage read.
	pub fn leaderboard(
		round: RoundIndex,
		page: u32,
		page_size: u32,
	) -> Vec<(T::AccountId, Points)> {
		if !Self::is_retained(round) {
			return Vec::new()
		}
		let page_size = page_size.min(MAX_LEADERBOARD_PAGE) as usize;
		Leaderboard::<T>::get(round)
			.into_iter()
			.skip((page as usize).saturating_mul(page_size))
			.take(page_size)
			.collect()
	}

	/// Checks the pallet's invariants:
	/// - every retained round's totals are the sums of its providers' points and answers, and its
	///   leaderboard holds the providers with the most points, sorted, with their points;
	/// - every provider record of a retained round remembers answers only inside the round's
	///   challenge span, no more of them than it counts, and has answers if and only if it
	///   remembers one;
	/// - every record of signing keys is non-empty, in order of first round (none after the current
	///   round), with no key recorded twice in a row;
	/// - every retained round's quality reports about a target come from distinct verifiers other
	///   than the target, no more than its `slots` (at most `MaxVerifiersPerTarget`), with the
	///   medians of the reports, and the target's capacity points are at least what those medians
	///   count for; nothing is kept of the reports or penalties of removed rounds;
	/// - at most `HistoryDepth` closed rounds plus the current one are kept, besides expired ones
	///   still queued for removal, and nothing is kept of rounds already removed;
	/// - the current round's odds and span are the ones its constants give.
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
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
			let mut everyone: Vec<(T::AccountId, Points)> = Vec::new();
			for (who, stats) in ProviderRounds::<T>::iter_prefix(round) {
				points.saturating_accrue(stats.points);
				attestations.saturating_accrue(stats.answered);
				ensure!(
					stats.answered >= stats.recent.count_ones() &&
						stats.answered_upto <= summary.params.challenge_span &&
						stats.recent.checked_shr(stats.answered_upto).unwrap_or(0) == 0 &&
						(stats.answered == 0) == (stats.answered_upto == 0) &&
						(stats.answered_upto == 0 || stats.recent & 1 == 1),
					TryRuntimeError::Other("a provider record's answers are inconsistent")
				);
				everyone.push((who, stats.points));
			}
			ensure!(
				points == summary.total_points && attestations == summary.attestations,
				TryRuntimeError::Other("round totals differ from the providers' records")
			);
			everyone.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
			everyone.truncate(MAX_LEADERBOARD_PAGE as usize);
			ensure!(
				Leaderboard::<T>::get(round).into_inner() == everyone,
				TryRuntimeError::Other("a round's leaderboard is not its best providers")
			);
		}
		for (round, who, stats) in ProviderRounds::<T>::iter() {
			ensure!(round >= next_to_clean, TryRuntimeError::Other("a removed round has records"));
			ensure!(
				stats.usage_debit == DisputedUsage::<T>::get(round, &who),
				TryRuntimeError::Other("a round record's usage debit is not its disputed usage")
			);
		}
		for (round, _, _) in RoundCandidates::<T>::iter() {
			ensure!(
				round >= next_to_clean,
				TryRuntimeError::Other("a removed round has candidates")
			);
		}
		for (round, _) in Leaderboard::<T>::iter() {
			ensure!(
				round >= next_to_clean,
				TryRuntimeError::Other("a removed round has a leaderboard")
			);
		}
		Self::try_state_reports(next_to_clean)?;
		Self::try_state_audits()?;
		let now = <Self as RoundClock>::current_round();
		for (_, keys) in SigningKeys::<T>::iter() {
			ensure!(!keys.is_empty(), TryRuntimeError::Other("an empty record of signing keys"));
			ensure!(
				keys.windows(2).all(|pair| pair[0].1 <= pair[1].1 && pair[0].0 != pair[1].0) &&
					keys.iter().all(|(_, first)| *first <= now),
				TryRuntimeError::Other("a record of signing keys is out of order")
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
			ensure!(
				!round.challenge_odds.is_zero() &&
					round.challenge_span >= 1 &&
					round.challenge_span <= Self::round_length(),
				TryRuntimeError::Other("the current round's odds or span are out of bounds")
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

impl<T: Config> Pallet<T> {
	/// The storage audit invariants of [`Self::do_try_state`]: a provider's counted misses are
	/// fewer than `MaxMissedAudits` (the last one slashes and empties them), in order, no two in
	/// rounds next to each other; an open audit is keyed by its verifier, falls due `AuditWindow`
	/// blocks after it opened, not before the block in progress's parent, is listed under its
	/// deadline, asks for at most `MaxAuditSamples` samples, and is on its target's `AuditedIn`
	/// record (or older than it); a deadline lists only open audits due then.
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	fn try_state_audits() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
		for (_, misses) in MissedAudits::<T>::iter() {
			ensure!(
				(misses.len() as u32) < T::MaxMissedAudits::get() &&
					misses.windows(2).all(|pair| pair[1] > pair[0].saturating_add(1)),
				TryRuntimeError::Other(
					"missed audits are full, out of order or in rounds next to each other"
				)
			);
		}
		let now = frame_system::Pallet::<T>::block_number();
		for (target, verifier, audit) in Audits::<T>::iter() {
			let recorded = AuditedIn::<T>::get(&target).is_some_and(|(round, verifiers)| {
				round > audit.round || (round == audit.round && verifiers.contains(&verifier))
			});
			ensure!(
				audit.verifier == verifier &&
					audit.deadline == audit.opened.saturating_add(T::AuditWindow::get().into()) &&
					audit.deadline.saturating_add(One::one()) >= now &&
					audit.samples <= T::MaxAuditSamples::get() &&
					recorded,
				TryRuntimeError::Other("an open storage audit is out of bounds")
			);
			ensure!(
				AuditDeadlines::<T>::get(audit.deadline).contains(&(target, verifier)),
				TryRuntimeError::Other("an open storage audit is not listed under its deadline")
			);
		}
		for (deadline, due) in AuditDeadlines::<T>::iter() {
			ensure!(
				due.iter().all(|(target, verifier)| Audits::<T>::get(target, verifier)
					.is_some_and(|audit| audit.deadline == deadline)),
				TryRuntimeError::Other("a deadline lists an audit that is not open or due then")
			);
		}
		Ok(())
	}

	/// The quality report invariants of [`Self::do_try_state`].
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	fn try_state_reports(next_to_clean: RoundIndex) -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
		for (round, target, record) in QualityReports::<T>::iter() {
			ensure!(
				round >= next_to_clean,
				TryRuntimeError::Other("a removed round has quality reports")
			);
			let slots = record.slots as usize;
			let verifiers: Vec<_> = record.reports.iter().map(|(v, _)| v).collect();
			ensure!(
				!verifiers.is_empty() &&
					verifiers.len() <= slots &&
					record.slots <= T::MaxVerifiersPerTarget::get() &&
					!verifiers.contains(&&target) &&
					verifiers.iter().enumerate().all(|(i, v)| !verifiers[i + 1..].contains(v)),
				TryRuntimeError::Other("a target's quality reports are not from its verifiers")
			);
			let (measured, quality) = Self::medians_of(&record);
			ensure!(
				record.measured == measured && record.quality == quality,
				TryRuntimeError::Other("a target's medians differ from its quality reports")
			);
			let counted = Self::counted_capacity_points(&target, round, &measured, quality);
			let points = ProviderRounds::<T>::get(round, &target).map_or(0, |s| s.capacity_points);
			ensure!(
				points >= counted,
				TryRuntimeError::Other("a target's capacity points are below its medians'")
			);
		}
		for (round, _, _) in Penalties::<T>::iter() {
			ensure!(
				round >= next_to_clean,
				TryRuntimeError::Other("a removed round has penalties")
			);
		}
		for (round, _, _) in DisputedUsage::<T>::iter() {
			ensure!(
				round >= next_to_clean,
				TryRuntimeError::Other("a removed round has disputed usage")
			);
		}
		Ok(())
	}
}

impl<T: Config> RoundPoints<T::AccountId> for Pallet<T> {
	fn points_of(round: RoundIndex, who: &T::AccountId) -> Points {
		ProviderRounds::<T>::get(round, who).map_or(0, |stats| stats.points)
	}

	fn total_points(round: RoundIndex) -> Points {
		Rounds::<T>::get(round).map_or(0, |summary| summary.total_points)
	}

	fn seat_points_of(round: RoundIndex, who: &T::AccountId) -> Points {
		if RoundCandidates::<T>::contains_key(round, who) {
			Self::points_of(round, who)
		} else {
			0
		}
	}
}

/// A provider's verified capacity is the medians its verifiers' quality reports gave in the last
/// closed round, each kind's over every verifier assigned to it (a missing report counts as zero),
/// and nothing when none of them reported (or no round closed yet).
impl<T: Config> VerifiedCapacity<T::AccountId> for Pallet<T> {
	fn verified_capacity(who: &T::AccountId) -> Option<Capacity> {
		let round = LastClosedRound::<T>::get()?;
		let record = QualityReports::<T>::get(round, who);
		(!record.reports.is_empty()).then_some(record.measured)
	}
}

/// What a provider's leases were paid for adds `UsageWeights(kind) / 1 000` points a usage unit to
/// its usage points in the round in progress; what stayed disputed when a round settled takes as
/// much off its points in the next round. Each counts up to `MaxUsageShare` of its capacity
/// points, and is multiplied by its sync credit as its other points are.
impl<T: Config> UsageSink<T::AccountId> for Pallet<T> {
	fn note_served(who: &T::AccountId, kind: ResourceKind, units: u64) {
		let Some(round) = CurrentRound::<T>::get().map(|round| round.index) else { return };
		let credit = Self::usage_credit_of(kind, units);
		if credit > 0 {
			Self::update_stats(round, who, |stats| stats.usage_credit.saturating_accrue(credit));
		}
	}

	fn note_disputed(who: &T::AccountId, kind: ResourceKind, units: u64) {
		let next = <Self as RoundClock>::current_round().saturating_add(1);
		let debit = Self::usage_credit_of(kind, units);
		if debit > 0 {
			DisputedUsage::<T>::mutate(next, who, |total| total.saturating_accrue(debit));
		}
	}
}

impl<T: Config> Pallet<T> {
	/// What `units` usage units of `kind` are worth, in thousandths of a point.
	fn usage_credit_of(kind: ResourceKind, units: u64) -> Points {
		Points::from(units).saturating_mul(T::UsageWeights::get().of(kind).into())
	}
}

/// A provider that withdrew is forgotten: its `sync` keys, dataset commitments, the audits open
/// against it, its audit record and missed audits, outlier strikes, and authoring record (last
/// round authored, rounds missed, bench and its strikes).
///
/// Nothing here can still judge it: the registry lets it withdraw only after its unbonding period,
/// which in the runtime (`HistoryDepth + 1` rounds) outlasts every window these records are read
/// in (equivocation proofs, missed audits and outlier strikes look `HistoryDepth` rounds back, an
/// audit is settled two rounds after its own). Its per-round records (`ProviderRounds`,
/// `QualityReports`, `Penalties`) go with their rounds. No audit is open against it in the
/// runtime by then; under a shorter unbonding period one would be, and is closed (its bond is gone,
/// so nothing is left to slash; it leaves its deadline's list). An audit it opened as
/// a verifier stays, for its target to answer. If the account registers again, it starts with a
/// clean record.
impl<T: Config> OnProviderWithdrawn<T::AccountId> for Pallet<T> {
	fn on_provider_withdrawn(who: &T::AccountId) -> Weight {
		SigningKeys::<T>::remove(who);
		Datasets::<T>::remove(who);
		AuditedIn::<T>::remove(who);
		MissedAudits::<T>::remove(who);
		Self::close_audits(who);
		OutlierStrikes::<T>::remove(who);
		AuthoredIn::<T>::remove(who);
		MissedRounds::<T>::remove(who);
		Benched::<T>::remove(who);
		Strikes::<T>::remove(who);
		T::WeightInfo::forget_provider()
	}

	fn max_weight() -> Weight {
		T::WeightInfo::forget_provider()
	}
}

/// The stints of a record of `sync` keys (`SigningKeys`, oldest first, each with its first round):
/// each entry with the rounds it may have been in use, from its predecessor's first round (0 for
/// the oldest) to its successor's first round (`RoundIndex::MAX` for the newest), both included.
/// The one statement of that rule, for `report_equivocation` and for pruning the record.
fn stints(
	keys: &[(SyncId, RoundIndex)],
) -> impl Iterator<Item = (&(SyncId, RoundIndex), RoundIndex, RoundIndex)> + '_ {
	keys.iter().enumerate().map(move |(index, entry)| {
		let from = index.checked_sub(1).and_then(|before| keys.get(before)).map_or(0, |k| k.1);
		let until = keys.get(index.saturating_add(1)).map_or(RoundIndex::MAX, |k| k.1);
		(entry, from, until)
	})
}
