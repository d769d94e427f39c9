//! A provider node's notes: its fee-free record of a receipted round (`record_receipted`), the
//! proof of fraud a note gives (`report_usage_fraud`), and the offchain worker that records the
//! receipts the node's resource endpoint took.

use crate::{pallet::*, types::*, LOG_TARGET};
use frame_support::{ensure, pallet_prelude::*};
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use proof_of_sync_primitives::{ProviderRegistry, RoundClock, RoundIndex, SyncKeys, SYNC_KEY_TYPE};
use sp_core::sr25519;
use sp_runtime::{
	offchain::storage::StorageValueRef,
	traits::Zero,
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError,
		TransactionValidityWithRefund, ValidTransaction,
	},
	DispatchResult,
};

/// The tag prefix of the pool's fee-free records: one per lease and round.
pub const RECORD_TAG_PREFIX: &str = "UsageRecord";

/// The tag prefix of the pool's fee-free settlements: one per lease and settlement state.
pub const SETTLE_TAG_PREFIX: &str = "UsageSettle";

/// What the checks of a fee-free record found.
pub struct CheckedRecord<T: Config> {
	/// The lease, as stored.
	pub lease: LeaseOf<T>,
	/// Where the round's record is (`Ok`) or goes (`Err`) in the lease's records.
	pub at: Result<usize, usize>,
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which every note and receipt names.
	pub(crate) fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// Whether `signature` is the lease's provider's `sync` key's over `note`'s note payload: its
	/// key now, or the one it had when the lease opened (a key it rotated since does not take back
	/// what it signed).
	pub fn check_note_signature(
		lease: &LeaseOf<T>,
		note: &NoteOf<T>,
		signature: &sr25519::Signature,
	) -> Result<(), Error<T>> {
		let current = T::SyncKeys::sync_key_of(&lease.provider);
		let mut keys = [current, lease.provider_key].into_iter().flatten().peekable();
		ensure!(keys.peek().is_some(), Error::<T>::NoSyncKey);
		let payload = note.note_payload(&Self::genesis_hash());
		let signed = keys.any(|key| {
			sp_io::crypto::sr25519_verify(signature, &payload, &sr25519::Public::from_raw(key))
		});
		ensure!(signed, Error::<T>::BadNoteSignature);
		Ok(())
	}

	/// The checks a fee-free record of a receipted round passes, in the pool and at dispatch:
	/// the lease and round are this note's, the round has ended and is not settled, the counter
	/// is within the quota and above the record, the round carries no receipt yet, the provider
	/// served it, and both signatures hold (the cheap checks first).
	pub fn check_receipted(
		note: &NoteOf<T>,
		receipt: &T::OffchainSignature,
		signature: &sr25519::Signature,
	) -> Result<CheckedRecord<T>, Error<T>> {
		let lease = Leases::<T>::get(note.lease).ok_or(Error::<T>::UnknownLease)?;
		ensure!(note.opened_after == lease.opened_after, Error::<T>::WrongLeaseInstance);
		let round = note.round;
		ensure!(
			round >= lease.start_round && round < lease.end_round,
			Error::<T>::RoundOutsideLease
		);
		ensure!(round < T::RoundClock::current_round(), Error::<T>::RoundNotEnded);
		ensure!(round >= lease.settled_to, Error::<T>::RoundSettled);
		ensure!(note.counter > 0, Error::<T>::ZeroCounter);
		ensure!(note.counter <= lease.quota, Error::<T>::QuotaExceeded);
		ensure!(T::Registry::is_seated_in(&lease.provider, round), Error::<T>::ProviderNotServing);
		let at = lease.records.binary_search_by_key(&round, |record| record.round);
		match at {
			Ok(index) => {
				let record = &lease.records[index];
				ensure!(record.receipted == 0, Error::<T>::AlreadyReceipted);
				ensure!(note.counter >= record.counter, Error::<T>::CounterRollback);
			},
			Err(_) => ensure!(
				lease.records.len() < T::MaxPendingRecords::get() as usize,
				Error::<T>::TooManyPendingRecords
			),
		}
		Self::check_note_signature(&lease, note, signature)?;
		ensure!(
			Self::is_valid_receipt(note.lease, &lease, round, note.counter, receipt),
			Error::<T>::BadReceipt
		);
		Ok(CheckedRecord { lease, at })
	}

	/// The pool's check of a fee-free record: valid while the round is not settled, one per lease
	/// and round.
	pub fn authorize_receipted(
		_source: TransactionSource,
		note: &NoteOf<T>,
		receipt: &T::OffchainSignature,
		signature: &sr25519::Signature,
	) -> TransactionValidityWithRefund {
		Self::check_receipted(note, receipt, signature).map_err(|error| Self::invalid(&error))?;
		let validity = ValidTransaction::with_tag_prefix(RECORD_TAG_PREFIX)
			.priority(T::RecordPriority::get())
			.and_provides((note.lease, note.round))
			.longevity(64)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// The pool's reading of `error`.
	fn invalid(error: &Error<T>) -> TransactionValidityError {
		let invalid = match error {
			Error::<T>::RoundNotEnded | Error::<T>::NothingToSettle => InvalidTransaction::Future,
			Error::<T>::RoundSettled |
			Error::<T>::AlreadyReceipted |
			Error::<T>::AlreadySettled => InvalidTransaction::Stale,
			Error::<T>::BadNoteSignature | Error::<T>::BadReceipt => InvalidTransaction::BadProof,
			// The error's index in the pallet's `Error` (its first encoded byte).
			other => InvalidTransaction::Custom(
				other.using_encoded(|bytes| bytes.first().copied().unwrap_or_default()),
			),
		};
		invalid.into()
	}

	/// Applies a fee-free record of a receipted round.
	pub(crate) fn do_record_receipted(
		note: NoteOf<T>,
		receipt: T::OffchainSignature,
		signature: sr25519::Signature,
	) -> DispatchResult {
		let CheckedRecord { mut lease, at } = Self::check_receipted(&note, &receipt, &signature)?;
		let (id, round, counter) = (note.lease, note.round, note.counter);
		let at = match at {
			Ok(at) => {
				lease.records[at].counter = counter;
				at
			},
			Err(at) => Self::insert_record(&mut lease, at, round, counter)?,
		};
		Self::deposit_event(Event::UsageRecorded { lease: id, round, counter, receipted: 0 });
		// `check_receipted` checked the receipt.
		Self::accept_receipt(id, &mut lease, at, counter, None)?;
		Leases::<T>::insert(id, lease);
		Ok(())
	}

	/// Proves usage fraud with `note`, signed by the provider's `sync` key.
	pub(crate) fn do_report_usage_fraud(
		reporter: T::AccountId,
		note: NoteOf<T>,
		signature: sr25519::Signature,
	) -> DispatchResult {
		let mut lease = Leases::<T>::get(note.lease).ok_or(Error::<T>::UnknownLease)?;
		ensure!(note.opened_after == lease.opened_after, Error::<T>::WrongLeaseInstance);
		ensure!(note.round < T::RoundClock::current_round(), Error::<T>::RoundNotEnded);
		let at = lease
			.records
			.binary_search_by_key(&note.round, |record| record.round)
			.map_err(|_| Error::<T>::NoRecord)?;
		let record = lease.records[at];
		let honest = note.counter.max(record.receipted);
		ensure!(record.counter > honest, Error::<T>::NotFraud);
		Self::check_note_signature(&lease, &note, &signature)?;
		let recorded = record.counter;
		// One slash a record: a provider whose node signed two notes of a round (it lost its
		// state, say) is slashed once, and the record comes down to the lowest note.
		let slashed = if record.fraud {
			Zero::zero()
		} else {
			let cut = Some((&reporter, T::ReporterCut::get()));
			// A provider with no bond left (it withdrew) still has its record brought down.
			T::Registry::slash(&lease.provider, T::UsageFraudSlash::get(), cut)
				.unwrap_or_else(|_| Zero::zero())
		};
		let record = &mut lease.records[at];
		record.counter = honest;
		record.fraud = true;
		Self::deposit_event(Event::UsageFraudProven {
			lease: note.lease,
			round: note.round,
			provider: lease.provider.clone(),
			recorded,
			noted: note.counter,
			reporter,
			slashed,
		});
		Leases::<T>::insert(note.lease, lease);
		Ok(())
	}

	/// The offchain worker's part: for every provider whose current `sync` key is in the node's
	/// keystore, and each of its leases, records (fee-free) the ended rounds not settled yet whose
	/// receipt the node's resource endpoint left at [`receipt_key`] and the chain does not carry
	/// yet. At most `MaxLeasesPerProvider × (DisputeWindow + 1)` offchain reads a key a block; the
	/// pool keeps one record per lease and round, so sending one each block until it is in costs
	/// nothing more.
	pub(crate) fn send_receipted_usage() {
		let now = T::RoundClock::current_round();
		let genesis = Self::genesis_hash();
		for key in sp_io::crypto::sr25519_public_keys(SYNC_KEY_TYPE) {
			let raw: [u8; 32] = key.0;
			let Some(provider) = T::SyncKeys::owner_of_sync_key(&raw) else { continue };
			if T::SyncKeys::sync_key_of(&provider) != Some(raw) {
				continue
			}
			for booking in ProviderLeases::<T>::get(&provider) {
				let Some(lease) = Leases::<T>::get(booking.lease) else { continue };
				// The rounds a record still pays for: ended and not settled, the oldest first, at
				// most as many as a lease keeps records of and the rounds not due yet.
				let first = lease.settled_to.max(lease.start_round);
				let scan = T::MaxPendingRecords::get().saturating_add(T::DisputeWindow::get());
				let last = now.min(lease.end_round).min(first.saturating_add(scan));
				let mut round = first;
				let mut unrecorded_due = false;
				while round < last {
					let sent =
						Self::send_receipted_round(booking.lease, &lease, round, &key, &genesis);
					unrecorded_due |= sent && Self::is_round_due(round, now);
					round = round.saturating_add(1);
				}
				// Settling makes room for the records of the rounds to come; but not before the
				// node's receipt of a due round is in, which settling would pass over, unless
				// there is no room for it (then nothing could record anything any more).
				let room = lease.records.len() < T::MaxPendingRecords::get() as usize;
				if Self::is_due(&lease, now) && !(unrecorded_due && room) {
					let call = Call::settle_from { lease: booking.lease, from: lease.settled_to };
					Self::submit(call, booking.lease, "settlement");
				}
			}
		}
	}

	/// Whether `round` is due for settlement in round `now`: `DisputeWindow` rounds have passed
	/// since it ended.
	pub fn is_round_due(round: RoundIndex, now: RoundIndex) -> bool {
		round.saturating_add(T::DisputeWindow::get()) < now
	}

	/// Whether `lease` has a round due for settlement in round `now`.
	pub fn is_due(lease: &LeaseOf<T>, now: RoundIndex) -> bool {
		lease.settled_to < lease.end_round && Self::is_round_due(lease.settled_to, now)
	}

	/// Whether lease `id` may be settled fee-free from round `from`: `from` is its first unsettled
	/// round, and it is due.
	pub fn check_settle_from(id: LeaseId, from: RoundIndex) -> Result<(), Error<T>> {
		let lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(lease.settled_to == from, Error::<T>::AlreadySettled);
		ensure!(Self::is_due(&lease, T::RoundClock::current_round()), Error::<T>::NothingToSettle);
		Ok(())
	}

	/// The pool's check of a fee-free settlement: valid while `from` is the lease's first
	/// unsettled round and it is due, one per lease and round. Anyone may send one: each settles
	/// at least one round of a lease (a round paid for), so there are never more of them than
	/// lease rounds, and each names the state it settles from, so no two are the same bytes.
	pub fn authorize_settle_from(
		_source: TransactionSource,
		id: &LeaseId,
		from: &RoundIndex,
	) -> TransactionValidityWithRefund {
		Self::check_settle_from(*id, *from).map_err(|error| Self::invalid(&error))?;
		let validity = ValidTransaction::with_tag_prefix(SETTLE_TAG_PREFIX)
			.priority(T::RecordPriority::get())
			.and_provides((*id, *from))
			.longevity(16)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Submits `call` about lease `id` as a fee-free authorized transaction, logging the outcome
	/// as `what`.
	fn submit(call: Call<T>, id: LeaseId, what: &str) {
		let xt =
			<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
		match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
			Ok(()) => log::debug!(target: LOG_TARGET, "lease {id}: sent its {what}"),
			Err(()) => log::debug!(
				target: LOG_TARGET,
				"lease {id}: the pool refused its {what} (it may hold it already)"
			),
		}
	}

	/// Records round `round` of lease `id` if the node holds a receipt for it that the chain does
	/// not carry yet; returns whether it does.
	fn send_receipted_round(
		id: LeaseId,
		lease: &LeaseOf<T>,
		round: RoundIndex,
		key: &sr25519::Public,
		genesis: &T::Hash,
	) -> bool {
		let key_bytes = receipt_key(id, round);
		let stored = StorageValueRef::persistent(&key_bytes);
		let Some(held) = stored.get::<HeldReceipt<T::OffchainSignature>>().ok().flatten() else {
			return false
		};
		let recorded = lease
			.records
			.iter()
			.find(|record| record.round == round)
			.map_or(0, |record| record.receipted);
		if recorded != 0 {
			return false
		}
		let note = UsageReceipt {
			lease: id,
			opened_after: lease.opened_after,
			round,
			counter: held.counter,
		};
		if let Some(signature) =
			sp_io::crypto::sr25519_sign(SYNC_KEY_TYPE, key, &note.note_payload(genesis))
		{
			let call = Call::record_receipted { note, receipt: held.signature, signature };
			Self::submit(call, id, "receipted usage");
		}
		true
	}
}
