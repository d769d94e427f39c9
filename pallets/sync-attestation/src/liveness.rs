//! A seat needs a node that authors, and finality never stalls for good.
//!
//! **Authorship.** Attesting needs no validator node: a provider's node run without
//! `--validator` answers its challenges and could win a seat it never uses. So the chain counts
//! who authors: each block's `on_finalize` records the round in which the block's author last
//! authored ([`AuthoredIn`]). The author is the authority at `slot % n` of the session's `n`
//! validators, the one Aura checked the seal against (so rotating a key changes nothing); a
//! round's first block is not counted, since pallet-session may have changed the authorities
//! before it runs. When a round closes, an authority that had slots in it (after the first
//! block's, up to the last block's) and authored none adds one to [`MissedRounds`]; one that
//! authored starts again from zero and loses its [`Strikes`]. Once it missed more than
//! `MaxMissedRounds` rounds in a row it is benched ([`Benched`], [`Event::AuthorityBenched`]):
//! the session manager does not choose it until its node sends a heartbeat, signed with its Aura
//! key by an offchain worker that runs only on a node started with `--validator`
//! ([`Call::heartbeat`]). Each bench since the account last authored doubles how long it must wait
//! before a heartbeat counts (1, 2, 4, … up to 64 rounds), so an operator who fakes heartbeats
//! from a node that does not author is seated less and less often. The seats pallet-session
//! already planned stay, and the session manager may hold benched members back rather than drop
//! more than `MaxSetShrink` of the set in one session.
//!
//! **Finality stalls.** GRANDPA needs more than two thirds of its voters; with a third of the set
//! silent it finalizes nothing, and a standard set change (the only way to drop the silent ones)
//! waits for finality itself. Attestations carry each node's finalized height, and the round's
//! validator candidates are challenged at a fixed rate, so the chain knows the finality the
//! authorities see: when a round closes it takes, from the session's authorities, the highest
//! non-zero finalized height each reported in the round ([`RoundCandidates`]). A stall starts when
//! at least two thirds of the authorities that authored in the round (a node that is down counts
//! for nothing) reported and at least two thirds of the reports trail
//! the chain by more than `FinalityStallBound`: the round is marked stalled (nobody's uptime is
//! judged on it) and `OnFinalityStalled` is told (in the runtime: pallet-grandpa's stall path,
//! which schedules a forced change to the next session's authorities). A forced change applies
//! when its block is imported, without finality, and never reverts a finalized block. Its base
//! (where the new set votes from) is the highest of the stale two thirds of the reports, lowered
//! below the first standard set change signalled after the lower third of the reports
//! ([`SetChanges`]), since a node that has not finalized a standard change below the base refuses
//! the block; and it is never below the previous forced base (nodes keep their set changes in
//! block order). The base stays fixed for the whole stall, and every round end forces a change
//! again (nodes stop attesting once their finality lags more than their
//! `--attest-max-finality-lag`, so the stall outlasts the reports) until at least two thirds of
//! the authorities that authored report finality within the bound again. A chain where nobody
//! reports (no offchain workers) is never judged stalled.
//!
//! **What it costs an attacker.** Starting a stall on a healthy chain takes two thirds of the
//! reports; hiding one, or ending one, about a third of the authorities (fewer if others are
//! down), who could stall GRANDPA outright anyway. A forced change goes to the set pallet-session
//! chose anyway. A third of the reports can lower a base below a set change honest nodes finalized;
//! they then record their set changes out of order, which misleads their finality proofs, not their
//! consensus. An authority that authors but withholds its GRANDPA votes is not caught here: the
//! chain cannot see votes.

use crate::{pallet::*, types::*, LOG_TARGET};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{RoundClock, RoundIndex};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	SaturatedConversion,
};

/// The transaction-pool tag prefix of heartbeats.
pub const HEARTBEAT_TAG_PREFIX: &str = "SyncHeartbeat";

/// The longest a bench lasts before a heartbeat counts, in rounds.
pub const MAX_BENCH_ROUNDS: u32 = 64;

/// Two thirds of `count`, rounded up.
pub fn two_thirds(count: u32) -> u32 {
	count.saturating_mul(2).saturating_add(2) / 3
}

/// How many slots in `(after, upto]` belong to the authority at `index` of a set of `count`
/// (Aura gives slot `s` to the authority at `s % count`).
pub fn slots_of(index: u64, count: u64, after: u64, upto: u64) -> u64 {
	if count == 0 || upto <= after || index >= count {
		return 0
	}
	// Slots `s` in `[0, x]` with `s % count == index`.
	let up_to = |x: u64| if x < index { 0 } else { (x - index) / count + 1 };
	up_to(upto).saturating_sub(up_to(after))
}

/// How many rounds the `strikes`-th bench lasts: 1, 2, 4, … up to [`MAX_BENCH_ROUNDS`].
pub fn bench_rounds(strikes: u32) -> u32 {
	1u32.checked_shl(strikes.saturating_sub(1))
		.unwrap_or(u32::MAX)
		.min(MAX_BENCH_ROUNDS)
}

impl<T: Config> Pallet<T> {
	/// Records who authored block `now` (in `on_finalize`): the authority of the block's slot.
	/// For a round's first block, records the slot its authorities are judged from instead.
	pub(crate) fn note_author(now: BlockNumberFor<T>) {
		let Some(round) = CurrentRound::<T>::get() else { return };
		let slot = T::BlockAuthor::slot();
		if round.start == now {
			RoundStartSlot::<T>::put((round.index, slot));
			return
		}
		let authorities = T::CurrentAuthorities::get();
		let count = authorities.len() as u64;
		if count == 0 {
			return
		}
		if let Some(author) = usize::try_from(slot % count).ok().and_then(|i| authorities.get(i)) {
			AuthoredIn::<T>::insert(author, round.index);
		}
	}

	/// Judges the authorities of round `index` as it closes: benches those that authored none of
	/// their slots for too long, and tells whether finality stalled. Returns how many authorities
	/// it read.
	pub(crate) fn judge_authorities(index: RoundIndex) -> u32 {
		let authorities = T::CurrentAuthorities::get();
		let count = authorities.len() as u64;
		let last_slot = T::BlockAuthor::slot();
		let first_slot = RoundStartSlot::<T>::get()
			.filter(|(round, _)| *round == index)
			.map(|(_, slot)| slot);
		let mut reports: Vec<BlockNumberFor<T>> = Vec::with_capacity(authorities.len());
		let mut live = 0u32;
		for (position, who) in authorities.iter().enumerate() {
			if let Some(report) = RoundCandidates::<T>::get(index, who).filter(|r| !r.is_zero()) {
				reports.push(report);
			}
			let authored = AuthoredIn::<T>::get(who) == Some(index);
			if authored {
				live.saturating_inc();
			}
			// Round 0 has no first block of its own: nobody is judged on it.
			let Some(first_slot) = first_slot else { continue };
			if authored {
				MissedRounds::<T>::remove(who);
				Strikes::<T>::remove(who);
				continue
			}
			if Benched::<T>::contains_key(who) ||
				slots_of(position as u64, count, first_slot, last_slot) == 0
			{
				continue
			}
			let missed = MissedRounds::<T>::get(who).unwrap_or(0).saturating_add(1);
			if missed > T::MaxMissedRounds::get() {
				MissedRounds::<T>::remove(who);
				let strikes = Strikes::<T>::get(who).unwrap_or(0).saturating_add(1);
				Strikes::<T>::insert(who, strikes);
				let until = index.saturating_add(bench_rounds(strikes));
				Benched::<T>::insert(who, until);
				log::info!(
					target: LOG_TARGET,
					"round {index}: an authority authored nothing for {missed} rounds; benched \
					 until round {until}"
				);
				Self::deposit_event(Event::AuthorityBenched {
					authority: who.clone(),
					round: index,
					until,
				});
			} else {
				MissedRounds::<T>::insert(who, missed);
			}
		}
		let read = u32::try_from(authorities.len()).unwrap_or(u32::MAX);
		// The quorum counts the authorities that authored in the round: nodes that are down
		// neither author nor report, and must not keep the others from healing finality. A round
		// without attributed blocks (round 0) counts them all.
		let voters = if live == 0 { read } else { live };
		Self::judge_finality(index, reports, voters);
		read
	}

	/// Tells from the authorities' finalized-height `reports` of round `index` (non-zero ones)
	/// whether finality stalled; if so, marks the round and tells `OnFinalityStalled` the base to
	/// vote from. `authorities` is how many authorities authored in the round.
	///
	/// - A stall starts when at least two thirds of those authorities reported and at least two
	///   thirds of the reports trail the chain by more than `FinalityStallBound`. Its base is the
	///   highest of those two thirds (see [`Self::forced_change_base`]), fixed for the whole stall:
	///   later reports cannot raise it.
	/// - It ends only when at least two thirds of those authorities report finality within the
	///   bound; until then every round end forces a change again from the same base.
	fn judge_finality(index: RoundIndex, mut reports: Vec<BlockNumberFor<T>>, authorities: u32) {
		let now = frame_system::Pallet::<T>::block_number();
		let bound = T::FinalityStallBound::get();
		let stale = |report: &BlockNumberFor<T>| now.saturating_sub(*report) > bound;
		let quorum = two_thirds(authorities).max(1);
		let base = match FinalityStall::<T>::get() {
			Some(base) => {
				let fresh = reports.iter().filter(|report| !stale(report)).count() as u32;
				if fresh >= quorum {
					FinalityStall::<T>::kill();
					Self::deposit_event(Event::FinalityRecovered { round: index });
					return
				}
				base
			},
			None => {
				let reported = reports.len() as u32;
				let stale_count = reports.iter().filter(|report| stale(report)).count() as u32;
				let needed = two_thirds(reported);
				if reported < quorum || reported == 0 || stale_count < needed {
					return
				}
				reports.sort();
				// `needed` is at least 1 and at most the number of reports.
				let highest_stale = reports[needed.saturating_sub(1) as usize];
				let lower_third = reports[(reports.len() - 1) / 3];
				let base = Self::forced_change_base(highest_stale, lower_third);
				if !stale(&base) {
					return
				}
				base
			},
		};
		FinalityStall::<T>::put(base);
		SetChanges::<T>::mutate(|changes| changes.last_forced_base = Some(base));
		Rounds::<T>::mutate(index, |summary| {
			if let Some(summary) = summary {
				summary.finality_stalled = true;
			}
		});
		log::warn!(
			target: LOG_TARGET,
			"round {index}: the authorities report finality at {base:?}, block {now:?} is too \
			 far ahead; forcing an authority set change"
		);
		T::OnFinalityStalled::on_finality_stalled(base);
		Self::deposit_event(Event::FinalityStalled { round: index, finalized: base });
	}

	/// The base of a forced change: `reported` (a finalized height at least a third of the
	/// reports reach), but below the first standard set change signalled after `lower_third`
	/// (which at least a third of the reports do not pass, so nodes may not have finalized that
	/// change), and not below the previous forced base.
	fn forced_change_base(
		reported: BlockNumberFor<T>,
		lower_third: BlockNumberFor<T>,
	) -> BlockNumberFor<T> {
		let changes = SetChanges::<T>::get();
		let mut base = reported;
		if let Some(next) = changes.signalled.iter().find(|signal| **signal > lower_third) {
			base = base.min(next.saturating_sub(One::one()));
		}
		match changes.last_forced_base {
			Some(floor) => base.max(floor),
			None => base,
		}
	}

	/// Records that the session change at this block signalled a standard GRANDPA set change
	/// (pallet-grandpa does whenever pallet-session says the set or its keys changed).
	pub(crate) fn note_set_change() {
		let now = frame_system::Pallet::<T>::block_number();
		SetChanges::<T>::mutate(|changes| {
			if changes.signalled.is_full() {
				changes.signalled.remove(0);
			}
			// Not full now, so this cannot fail.
			let _ = changes.signalled.try_push(now);
		});
	}

	/// Whether `who` is benched: it authored nothing for too long and sent no heartbeat since.
	pub fn is_benched(who: &T::AccountId) -> bool {
		Benched::<T>::contains_key(who)
	}

	/// Checks a heartbeat against the chain as it is now. Shared by the transaction pool
	/// (`authorize`) and the dispatch; the signature last.
	pub fn check_heartbeat(
		heartbeat: &HeartbeatOf<T>,
		signature: &sp_core::sr25519::Signature,
	) -> Result<(), Error<T>> {
		let round = <Self as RoundClock>::current_round();
		ensure!(heartbeat.round == round, Error::<T>::WrongRound);
		let until = Benched::<T>::get(&heartbeat.authority).ok_or(Error::<T>::NotBenched)?;
		ensure!(round >= until, Error::<T>::StillBenched);
		let key = T::BlockAuthor::key_of(&heartbeat.authority).ok_or(Error::<T>::NoAuthorityKey)?;
		let payload = heartbeat.signing_payload(&Self::genesis_hash());
		ensure!(sp_io::crypto::sr25519_verify(signature, &payload, &key), Error::<T>::BadSignature);
		Ok(())
	}

	/// The transaction-pool validity of `heartbeat`: the shared check, then a transaction that
	/// provides `(authority, round)` and lives until the round ends.
	pub fn authorize_heartbeat(
		_source: TransactionSource,
		heartbeat: &HeartbeatOf<T>,
		signature: &sp_core::sr25519::Signature,
	) -> TransactionValidityWithRefund {
		Self::check_heartbeat(heartbeat, signature)
			.map_err(|error| Self::validity_error(&error, heartbeat.round))?;
		let longevity = Self::blocks_left_in_round();
		let validity = ValidTransaction::with_tag_prefix(HEARTBEAT_TAG_PREFIX)
			.priority(T::AttestationPriority::get())
			.and_provides((heartbeat.authority.clone(), heartbeat.round))
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// How long a transaction about the round in progress stays valid in the pool: the blocks
	/// left until the round ends, at least 1.
	pub(crate) fn blocks_left_in_round() -> u64 {
		let now = frame_system::Pallet::<T>::block_number();
		let round_end = CurrentRound::<T>::get()
			.map_or(now, |round| round.start.saturating_add(T::RoundLength::get()));
		round_end.saturating_sub(now).saturated_into::<u64>().max(1)
	}

	/// Applies a valid heartbeat: the authority may be chosen again.
	pub(crate) fn do_heartbeat(
		heartbeat: HeartbeatOf<T>,
		signature: sp_core::sr25519::Signature,
	) -> DispatchResult {
		Self::check_heartbeat(&heartbeat, &signature)?;
		Benched::<T>::remove(&heartbeat.authority);
		MissedRounds::<T>::remove(&heartbeat.authority);
		Self::deposit_event(Event::HeartbeatReceived {
			authority: heartbeat.authority,
			round: heartbeat.round,
		});
		Ok(())
	}
}
