//! The work behind the calls, settlement, and the invariants.

use crate::{pallet::*, types::*};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{BalancedHold, Inspect, InspectHold, MutateHold},
		tokens::{
			imbalance::OnUnbalanced, DepositConsequence, Fortitude, Precision, Preservation,
			Provenance, Restriction,
		},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{
	ProviderRegistry, ResourceKind, RoundClock, RoundIndex, SyncKeys, UsageSink, VerifiedCapacity,
};
use sp_runtime::{
	traits::{CheckedMul, Saturating, Verify, Zero},
	DispatchError, DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The hold the escrows are kept under.
	fn escrow_reason() -> T::RuntimeHoldReason {
		HoldReason::LeaseEscrow.into()
	}

	/// Lease `id`, if it is not closed. A read helper for the runtime API.
	pub fn lease(id: LeaseId) -> Option<LeaseOf<T>> {
		Leases::<T>::get(id)
	}

	/// The leases of `who` not closed yet, with their ids: those it pays for, then those it
	/// serves that have not ended. A read helper for the runtime API.
	pub fn leases_of(who: &T::AccountId) -> alloc::vec::Vec<(LeaseId, LeaseOf<T>)> {
		let now = T::RoundClock::current_round();
		let mut ids = ConsumerLeases::<T>::get(who).into_inner();
		for booking in ProviderLeases::<T>::get(who) {
			if booking.end_round > now && !ids.contains(&booking.lease) {
				ids.push(booking.lease);
			}
		}
		ids.into_iter()
			.filter_map(|id| Leases::<T>::get(id).map(|lease| (id, lease)))
			.collect()
	}

	/// For each kind of `provider`'s capacity: its price (zero if not leased out), what a lease
	/// starting next round may book in all (`leasable_capacity`), what the leases running next
	/// round book, and how many leases that have not ended book it. Empty if `provider` is not a
	/// provider. A read helper for the runtime API.
	pub fn utilization_of(
		provider: &T::AccountId,
	) -> alloc::vec::Vec<(ResourceKind, BalanceOf<T>, u64, u64, u32)> {
		let now = T::RoundClock::current_round();
		let next = now.saturating_add(1);
		let prices = Prices::<T>::get(provider).unwrap_or_default();
		let bookings = ProviderLeases::<T>::get(provider);
		ResourceKind::ALL
			.iter()
			.filter_map(|kind| {
				let capacity = Self::leasable_capacity(provider, *kind, next)?;
				let booked = Self::booked_in(&bookings, *kind, next);
				let leases = bookings
					.iter()
					.filter(|booking| booking.kind == *kind && booking.end_round > now)
					.count() as u32;
				Some((*kind, prices.of(*kind), capacity, booked, leases))
			})
			.collect()
	}

	/// How many rounds a `settle` call asking for `max_rounds` settles at most.
	pub fn settle_limit(max_rounds: u32) -> u32 {
		max_rounds.min(T::MaxSettlePerCall::get())
	}

	/// The usage units a round of a lease of `units_per_round` of `kind` may meter:
	/// `units_per_round`, or for bandwidth that many Mbit/s for `RoundSeconds` seconds, in
	/// megabits. `None` if it does not fit in a `u64`.
	pub fn quota(kind: ResourceKind, units_per_round: u64) -> Option<u64> {
		match kind {
			ResourceKind::Bandwidth => units_per_round.checked_mul(T::RoundSeconds::get()),
			ResourceKind::Compute | ResourceKind::Storage => Some(units_per_round),
		}
	}

	/// `units` as a balance, if it fits.
	fn balance_of(units: u64) -> Option<BalanceOf<T>> {
		BalanceOf::<T>::try_from(units).ok()
	}

	/// What one round of `lease` is worth: `quota × price`. It fitted when the lease opened.
	fn round_value(lease: &LeaseOf<T>) -> BalanceOf<T> {
		Self::units_value(lease, lease.quota)
	}

	/// The units of `kind` that `bookings` book in `round`: those of leases ending after it.
	/// Every lease starts the round after it opened, so a booking not ended by then books every
	/// round from now to its end.
	fn booked_in(bookings: &[Booking], kind: ResourceKind, round: RoundIndex) -> u64 {
		bookings
			.iter()
			.filter(|booking| booking.kind == kind && booking.end_round > round)
			.fold(0u64, |sum, booking| sum.saturating_add(booking.units))
	}

	/// The capacity of `kind` that `provider` may lease out for `round`: the smaller of what it
	/// declared for the round and what its verifiers measured in the last closed round (the
	/// declared figure when none of them reported).
	pub fn leasable_capacity(
		provider: &T::AccountId,
		kind: ResourceKind,
		round: RoundIndex,
	) -> Option<u64> {
		let declared = T::Registry::declared_capacity(provider, round)?.of(kind);
		Some(
			T::VerifiedCapacity::verified_capacity(provider)
				.map_or(declared, |verified| verified.of(kind).min(declared)),
		)
	}

	pub(crate) fn do_set_prices(who: T::AccountId, prices: PriceListOf<T>) -> DispatchResult {
		let now = T::RoundClock::current_round();
		ensure!(T::Registry::declared_capacity(&who, now).is_some(), Error::<T>::NotProvider);
		Prices::<T>::insert(&who, prices);
		Self::deposit_event(Event::PricesSet { provider: who, prices });
		Ok(())
	}

	pub(crate) fn do_open_lease(
		consumer: T::AccountId,
		provider: T::AccountId,
		kind: ResourceKind,
		units_per_round: u64,
		rounds: RoundIndex,
		max_price_per_unit: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(consumer != provider, Error::<T>::SelfLease);
		ensure!(units_per_round > 0, Error::<T>::ZeroUnits);
		ensure!(rounds > 0, Error::<T>::ZeroRounds);
		ensure!(rounds <= T::MaxLeaseRounds::get(), Error::<T>::LeaseTooLong);
		let now = T::RoundClock::current_round();
		let start_round = now.saturating_add(1);
		let end_round = start_round.checked_add(rounds).ok_or(Error::<T>::LeaseTooLong)?;
		ensure!(T::Registry::is_active_in(&provider, start_round), Error::<T>::ProviderNotActive);

		let price = Prices::<T>::get(&provider)
			.map(|prices| prices.of(kind))
			.filter(|price| !price.is_zero())
			.ok_or(Error::<T>::KindNotOffered)?;
		ensure!(price <= max_price_per_unit, Error::<T>::PriceAboveMax);
		let quota = Self::quota(kind, units_per_round).ok_or(Error::<T>::LeaseValueOverflow)?;
		let round_value = Self::balance_of(quota)
			.and_then(|quota| price.checked_mul(&quota))
			.ok_or(Error::<T>::LeaseValueOverflow)?;
		ensure!(round_value >= T::MinRoundValue::get(), Error::<T>::LeaseTooSmall);
		let deposited =
			round_value.checked_mul(&rounds.into()).ok_or(Error::<T>::LeaseValueOverflow)?;

		let capacity = Self::leasable_capacity(&provider, kind, start_round)
			.ok_or(Error::<T>::ProviderNotActive)?;
		let mut bookings = ProviderLeases::<T>::get(&provider);
		bookings.retain(|booking| booking.end_round > now);
		let booked = Self::booked_in(&bookings, kind, start_round);
		ensure!(booked.saturating_add(units_per_round) <= capacity, Error::<T>::Overbooked);

		let id = NextLeaseId::<T>::get();
		bookings
			.try_push(Booking { lease: id, kind, units: units_per_round, end_round })
			.map_err(|_| Error::<T>::ProviderFullyBooked)?;
		let mut mine = ConsumerLeases::<T>::get(&consumer);
		mine.try_push(id).map_err(|_| Error::<T>::TooManyLeases)?;
		// Frozen funds do not pay for a lease: `hold` would take them, and payouts are forced.
		ensure!(
			T::Currency::reducible_balance(&consumer, Preservation::Protect, Fortitude::Polite) >=
				deposited,
			Error::<T>::InsufficientBalance
		);
		T::Currency::hold(&Self::escrow_reason(), &consumer, deposited)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		let opened_after = frame_system::Pallet::<T>::parent_hash();
		NextLeaseId::<T>::put(id.saturating_add(1));
		ProviderLeases::<T>::insert(&provider, bookings);
		ConsumerLeases::<T>::insert(&consumer, mine);
		Leases::<T>::insert(
			id,
			Lease {
				consumer: consumer.clone(),
				opened_after,
				provider: provider.clone(),
				provider_key: T::SyncKeys::sync_key_of(&provider),
				kind,
				units_per_round,
				quota,
				price,
				start_round,
				end_round,
				settled_to: start_round,
				deposited,
				escrow: deposited,
				paid: Zero::zero(),
				fees: Zero::zero(),
				refunded: Zero::zero(),
				records: Default::default(),
			},
		);
		Self::deposit_event(Event::LeaseOpened {
			lease: id,
			consumer,
			provider,
			kind,
			units_per_round,
			quota,
			price,
			start_round,
			end_round,
			escrow: deposited,
			opened_after,
		});
		Ok(())
	}

	pub(crate) fn do_record_usage(
		who: T::AccountId,
		id: LeaseId,
		round: RoundIndex,
		counter: u64,
		receipt: Option<T::OffchainSignature>,
	) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(who == lease.provider, Error::<T>::NotLeaseProvider);
		ensure!(
			round >= lease.start_round && round < lease.end_round,
			Error::<T>::RoundOutsideLease
		);
		let now = T::RoundClock::current_round();
		ensure!(round <= now, Error::<T>::RoundNotStarted);
		ensure!(now <= round.saturating_add(1), Error::<T>::RecordingClosed);
		ensure!(counter <= lease.quota, Error::<T>::QuotaExceeded);
		// Active when the round began (it may have stopped during it, having served until then).
		ensure!(T::Registry::is_seated_in(&lease.provider, round), Error::<T>::ProviderNotServing);
		let at = match lease.records.binary_search_by_key(&round, |record| record.round) {
			Ok(at) => {
				let record = &mut lease.records[at];
				ensure!(counter >= record.counter, Error::<T>::CounterRollback);
				let new_receipt = receipt.is_some() && counter > record.receipted;
				ensure!(counter > record.counter || new_receipt, Error::<T>::CounterUnchanged);
				record.counter = counter;
				at
			},
			Err(at) => Self::insert_record(&mut lease, at, round, counter)?,
		};
		let receipted = lease.records[at].receipted;
		Self::deposit_event(Event::UsageRecorded { lease: id, round, counter, receipted });
		if let Some(signature) = receipt {
			Self::accept_receipt(id, &mut lease, at, counter, Some(&signature))?;
		}
		Leases::<T>::insert(id, lease);
		Ok(())
	}

	/// Inserts an unreceipted record of `counter` units of `round` at `at` in `lease`'s records
	/// (where a search by round put it); returns `at`.
	pub(crate) fn insert_record(
		lease: &mut LeaseOf<T>,
		at: usize,
		round: RoundIndex,
		counter: u64,
	) -> Result<usize, Error<T>> {
		let record = UsageRecord { round, counter, ..Default::default() };
		lease
			.records
			.try_insert(at, record)
			.map_err(|_| Error::<T>::TooManyPendingRecords)?;
		Ok(at)
	}

	pub(crate) fn do_submit_receipt(
		id: LeaseId,
		round: RoundIndex,
		counter: u64,
		signature: T::OffchainSignature,
	) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		let at = lease
			.records
			.binary_search_by_key(&round, |record| record.round)
			.map_err(|_| Error::<T>::NoRecord)?;
		let record = &lease.records[at];
		ensure!(counter <= record.counter, Error::<T>::ReceiptAboveRecord);
		ensure!(counter > record.receipted, Error::<T>::StaleReceipt);
		Self::accept_receipt(id, &mut lease, at, counter, Some(&signature))?;
		Leases::<T>::insert(id, lease);
		Ok(())
	}

	pub(crate) fn do_dispute(who: T::AccountId, id: LeaseId, round: RoundIndex) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(who == lease.consumer, Error::<T>::NotConsumer);
		let now = T::RoundClock::current_round();
		ensure!(
			now <= round.saturating_add(T::DisputeWindow::get()),
			Error::<T>::DisputeWindowClosed
		);
		let record = lease
			.records
			.iter_mut()
			.find(|record| record.round == round)
			.ok_or(Error::<T>::NoRecord)?;
		ensure!(!record.disputed, Error::<T>::AlreadyDisputed);
		ensure!(record.counter > record.receipted, Error::<T>::NothingToDispute);
		record.disputed = true;
		let (counter, receipted) = (record.counter, record.receipted);
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::UsageDisputed { lease: id, round, counter, receipted });
		Ok(())
	}

	/// Whether `signature` is `lease`'s consumer's over the receipt for `counter` units of
	/// `round`: over its signing payload, or over the payload wrapped in `<Bytes>…</Bytes>` as
	/// browser wallets sign raw bytes.
	pub fn is_valid_receipt(
		id: LeaseId,
		lease: &LeaseOf<T>,
		round: RoundIndex,
		counter: u64,
		signature: &T::OffchainSignature,
	) -> bool {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let receipt = UsageReceipt { lease: id, opened_after: lease.opened_after, round, counter };
		let payload = receipt.signing_payload(&genesis);
		if signature.verify(&payload[..], &lease.consumer) {
			return true
		}
		let wrapped = [&b"<Bytes>"[..], &payload[..], &b"</Bytes>"[..]].concat();
		signature.verify(&wrapped[..], &lease.consumer)
	}

	/// Checks the consumer's receipt for `counter` units of the record at `at` (`None`: the
	/// caller checked it already), raises what it acknowledged, and pays the newly acknowledged
	/// units at once. The caller stores the lease.
	pub(crate) fn accept_receipt(
		id: LeaseId,
		lease: &mut LeaseOf<T>,
		at: usize,
		counter: u64,
		signature: Option<&T::OffchainSignature>,
	) -> DispatchResult {
		let round = lease.records[at].round;
		if let Some(signature) = signature {
			ensure!(
				Self::is_valid_receipt(id, lease, round, counter, signature),
				Error::<T>::BadReceipt
			);
		}
		let record = &mut lease.records[at];
		let units = counter.saturating_sub(record.receipted);
		record.receipted = record.receipted.max(counter);
		Self::deposit_event(Event::ReceiptAccepted { lease: id, round, receipted: counter });
		if units > 0 {
			let payment = Self::pay(id, lease, round, units)?;
			lease.escrow.saturating_reduce(Self::units_value(lease, units));
			lease.refunded.saturating_accrue(payment.unpayable);
			T::UsageSink::note_served(&lease.provider, lease.kind, units);
			Self::deposit_event(Event::UsagePaid {
				lease: id,
				round,
				units,
				payout: payment.payout,
				fee: payment.fee,
			});
		}
		Ok(())
	}

	/// Settles at most `max` of the lease's due rounds; returns how many it settled.
	pub(crate) fn do_settle(id: LeaseId, max: u32) -> Result<u32, DispatchError> {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		let settled = Self::settle_due(id, &mut lease, max)?;
		ensure!(settled > 0, Error::<T>::NothingToSettle);
		Leases::<T>::insert(id, lease);
		Ok(settled)
	}

	pub(crate) fn do_cancel_lease(who: T::AccountId, id: LeaseId) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(who == lease.consumer, Error::<T>::NotConsumer);
		let now = T::RoundClock::current_round();
		let notice = if T::Registry::is_active_in(&lease.provider, now) {
			T::NoticeRounds::get()
		} else {
			0
		};
		let end_round = now
			.saturating_add(1)
			.saturating_add(notice)
			.max(lease.start_round)
			.max(lease.settled_to);
		ensure!(end_round < lease.end_round, Error::<T>::AlreadyEnding);

		let dropped = lease.end_round.saturating_sub(end_round);
		let refund = Self::round_value(&lease).saturating_mul(dropped.into());
		T::Currency::release(&Self::escrow_reason(), &lease.consumer, refund, Precision::Exact)?;
		lease.escrow.saturating_reduce(refund);
		lease.refunded.saturating_accrue(refund);
		lease.end_round = end_round;
		ProviderLeases::<T>::mutate(&lease.provider, |bookings| {
			if let Some(booking) = bookings.iter_mut().find(|booking| booking.lease == id) {
				booking.end_round = end_round;
			}
		});
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::LeaseCancelled { lease: id, end_round, refund });
		Ok(())
	}

	/// Settles at most `MaxSettlePerCall` of an ended lease's rounds and closes it when none is
	/// left; returns how many rounds it settled.
	pub(crate) fn do_close_lease(id: LeaseId) -> Result<u32, DispatchError> {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		let now = T::RoundClock::current_round();
		ensure!(
			now > lease.end_round.saturating_sub(1).saturating_add(T::DisputeWindow::get()),
			Error::<T>::LeaseNotOver
		);
		let settled = Self::settle_due(id, &mut lease, T::MaxSettlePerCall::get())?;
		if lease.settled_to < lease.end_round {
			Leases::<T>::insert(id, lease);
			return Ok(settled);
		}

		// Every round paid or returned its value, so nothing should be left; whatever is goes
		// back to the consumer.
		if !lease.escrow.is_zero() {
			let left = lease.escrow;
			T::Currency::release(&Self::escrow_reason(), &lease.consumer, left, Precision::Exact)?;
			lease.refunded.saturating_accrue(left);
		}
		ConsumerLeases::<T>::mutate_exists(&lease.consumer, |leases| {
			if let Some(list) = leases {
				list.retain(|lease| *lease != id);
				if list.is_empty() {
					*leases = None;
				}
			}
		});
		ProviderLeases::<T>::mutate_exists(&lease.provider, |bookings| {
			if let Some(list) = bookings {
				list.retain(|booking| booking.lease != id);
				if list.is_empty() {
					*bookings = None;
				}
			}
		});
		Leases::<T>::remove(id);
		Self::deposit_event(Event::LeaseClosed {
			lease: id,
			paid: lease.paid,
			fees: lease.fees,
			refunded: lease.refunded,
		});
		Ok(settled)
	}

	/// Settles, oldest first, at most `max` of `lease`'s rounds that ended `DisputeWindow` rounds
	/// ago or more, and returns how many. The caller stores the lease.
	fn settle_due(id: LeaseId, lease: &mut LeaseOf<T>, max: u32) -> Result<u32, DispatchError> {
		let now = T::RoundClock::current_round();
		let window = T::DisputeWindow::get();
		let mut settled = 0;
		while settled < max &&
			lease.settled_to < lease.end_round &&
			lease.settled_to.saturating_add(window) < now
		{
			let round = lease.settled_to;
			let record = match lease.records.first() {
				Some(record) if record.round == round => Some(lease.records.remove(0)),
				_ => None,
			};
			let outcome = Self::settle_round(id, lease, round, record)?;
			lease.settled_to = round.saturating_add(1);
			settled += 1;
			Self::deposit_event(Event::RoundSettled {
				lease: id,
				round,
				units: outcome.units,
				payout: outcome.payout,
				fee: outcome.fee,
				refund: outcome.refund,
			});
		}
		Ok(settled)
	}

	/// What `units` usage units of `lease` cost: `units × price`.
	fn units_value(lease: &LeaseOf<T>, units: u64) -> BalanceOf<T> {
		Self::balance_of(units).map_or_else(Zero::zero, |units| lease.price.saturating_mul(units))
	}

	/// Pays for `units` usage units of `lease` out of its escrow: `UsageFee` of their value to
	/// `Fees`, the rest to the provider, or back to the consumer if the provider's account cannot
	/// receive it. Notes the payout and fee on the lease; the caller takes the value off the
	/// escrow and notes the unpayable part as refunded.
	fn pay(
		id: LeaseId,
		lease: &mut LeaseOf<T>,
		round: RoundIndex,
		units: u64,
	) -> Result<Payment<BalanceOf<T>>, DispatchError> {
		let reason = Self::escrow_reason();
		let bill = Self::units_value(lease, units);
		let mut fee = T::UsageFee::get().mul_floor(bill);
		let mut payout = bill.saturating_sub(fee);
		let mut unpayable = Zero::zero();
		if !payout.is_zero() &&
			T::Currency::can_deposit(&lease.provider, payout, Provenance::Extant) !=
				DepositConsequence::Success
		{
			Self::deposit_event(Event::PayoutUnpayable { lease: id, round, amount: payout });
			T::Currency::release(&reason, &lease.consumer, payout, Precision::Exact)?;
			unpayable = payout;
			payout = Zero::zero();
		}
		if !payout.is_zero() {
			T::Currency::transfer_on_hold(
				&reason,
				&lease.consumer,
				&lease.provider,
				payout,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		if !fee.is_zero() {
			let (credit, missing) = T::Currency::slash(&reason, &lease.consumer, fee);
			fee.saturating_reduce(missing);
			T::Fees::on_unbalanced(credit);
		}
		lease.paid.saturating_accrue(payout);
		lease.fees.saturating_accrue(fee);
		Ok(Payment { payout, fee, unpayable })
	}

	/// Settles one round of `lease` with its usage `record` (`None`: not recorded): bills the
	/// billable units (the counter, or the receipted part if disputed), at least `ReservationShare`
	/// of the quota, pays what receipts did not pay yet, and returns the rest of the round's value
	/// to the consumer. Served units not paid before count for the provider's points; units that
	/// stayed disputed count against them.
	fn settle_round(
		id: LeaseId,
		lease: &mut LeaseOf<T>,
		round: RoundIndex,
		record: Option<UsageRecord>,
	) -> Result<RoundSettlement<BalanceOf<T>>, DispatchError> {
		// Receipted units were paid when the receipt came.
		let (billed, served, paid) = record.map_or((0, 0, 0), |record| {
			let floor = T::ReservationShare::get().mul_ceil(lease.quota);
			(
				record.billable().max(floor).min(lease.quota).max(record.receipted),
				record.billable(),
				record.receipted,
			)
		});
		let units = billed.saturating_sub(paid);
		let payment =
			if units > 0 { Self::pay(id, lease, round, units)? } else { Payment::default() };
		let returned = Self::units_value(lease, lease.quota.saturating_sub(billed));
		if !returned.is_zero() {
			T::Currency::release(
				&Self::escrow_reason(),
				&lease.consumer,
				returned,
				Precision::Exact,
			)?;
		}
		let refund = returned.saturating_add(payment.unpayable);
		lease
			.escrow
			.saturating_reduce(Self::units_value(lease, units).saturating_add(returned));
		lease.refunded.saturating_accrue(refund);
		let newly_served = served.saturating_sub(paid).min(units);
		if newly_served > 0 {
			T::UsageSink::note_served(&lease.provider, lease.kind, newly_served);
		}
		// What stayed disputed once every receipt was in: the provider billed it and was not
		// paid for it.
		let disputed = record
			.filter(|record| record.disputed)
			.map_or(0, |record| record.counter.saturating_sub(record.receipted));
		if disputed > 0 {
			T::UsageSink::note_disputed(&lease.provider, lease.kind, disputed);
		}
		Ok(RoundSettlement { units, payout: payment.payout, fee: payment.fee, refund })
	}

	/// The pallet's invariants:
	/// - every lease: `escrow + paid + fees + refunded == deposited`, `escrow` is the value of its
	///   rounds not settled less their receipted units (paid early), `start_round ≤ settled_to ≤
	///   end_round`, its records are of rounds not settled, in order, within its quota (receipted ≤
	///   counter ≤ quota), its id is below `NextLeaseId`, it is on its consumer's list, and booked
	///   with its provider while it has not ended;
	/// - every consumer's `LeaseEscrow` hold is the sum of its leases' escrows, and it lists each
	///   lease once;
	/// - every booking is of a lease with the same provider, kind, units and end, once.
	#[cfg(any(test, feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
		let now = T::RoundClock::current_round();
		let next_id = NextLeaseId::<T>::get();
		for (id, lease) in Leases::<T>::iter() {
			ensure!(id < next_id, TryRuntimeError::Other("a lease id was never given out"));
			let accounted = lease
				.escrow
				.saturating_add(lease.paid)
				.saturating_add(lease.fees)
				.saturating_add(lease.refunded);
			ensure!(
				accounted == lease.deposited,
				TryRuntimeError::Other(
					"a lease's escrow, payments and refunds are not its deposit"
				)
			);
			ensure!(
				lease.start_round <= lease.settled_to && lease.settled_to <= lease.end_round,
				TryRuntimeError::Other("a lease settled rounds outside it")
			);
			ensure!(
				lease.records.windows(2).all(|pair| pair[0].round < pair[1].round) &&
					lease.records.iter().all(|record| {
						record.round >= lease.settled_to &&
							record.round < lease.end_round &&
							record.receipted <= record.counter &&
							record.counter <= lease.quota
					}),
				TryRuntimeError::Other("a lease's usage records are out of order or bounds")
			);
			let unsettled = lease.end_round.saturating_sub(lease.settled_to);
			let paid_early = lease.records.iter().fold(BalanceOf::<T>::zero(), |sum, record| {
				sum.saturating_add(Self::units_value(&lease, record.receipted))
			});
			ensure!(
				lease.escrow ==
					Self::round_value(&lease)
						.saturating_mul(unsettled.into())
						.saturating_sub(paid_early),
				TryRuntimeError::Other("a lease's escrow is not the value of its rounds to settle")
			);
			ensure!(
				ConsumerLeases::<T>::get(&lease.consumer).contains(&id),
				TryRuntimeError::Other("a lease is not on its consumer's list")
			);
			// That the booking matches the lease is checked with the bookings.
			let booked = ProviderLeases::<T>::get(&lease.provider)
				.iter()
				.any(|booking| booking.lease == id);
			ensure!(
				booked || lease.end_round <= now,
				TryRuntimeError::Other("a lease that has not ended is not booked")
			);
		}
		for (consumer, leases) in ConsumerLeases::<T>::iter() {
			ensure!(
				leases.iter().enumerate().all(|(i, id)| !leases[i + 1..].contains(id)),
				TryRuntimeError::Other("a consumer lists a lease twice")
			);
			let mut escrow = BalanceOf::<T>::zero();
			for id in &leases {
				let lease = Leases::<T>::get(id)
					.ok_or(TryRuntimeError::Other("a consumer lists a lease that is gone"))?;
				ensure!(
					lease.consumer == consumer,
					TryRuntimeError::Other("a consumer lists another's lease")
				);
				escrow.saturating_accrue(lease.escrow);
			}
			ensure!(
				T::Currency::balance_on_hold(&Self::escrow_reason(), &consumer) == escrow,
				TryRuntimeError::Other("a consumer's escrow hold is not its leases' escrows")
			);
		}
		for (provider, bookings) in ProviderLeases::<T>::iter() {
			for (i, booking) in bookings.iter().enumerate() {
				let lease = Leases::<T>::get(booking.lease)
					.ok_or(TryRuntimeError::Other("a booking is of a lease that is gone"))?;
				ensure!(
					lease.provider == provider &&
						booking.kind == lease.kind &&
						booking.units == lease.units_per_round &&
						booking.end_round == lease.end_round,
					TryRuntimeError::Other("a booking is not its lease's")
				);
				ensure!(
					!bookings[i + 1..].iter().any(|other| other.lease == booking.lease),
					TryRuntimeError::Other("a provider books a lease twice")
				);
			}
		}
		Ok(())
	}
}
