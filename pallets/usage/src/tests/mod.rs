//! Unit tests of the usage pallet, by topic. `build_and_execute` checks the invariants after each
//! one.

use crate::{
	mock::*, Booking, ConsumerLeases, Error, Event, HoldReason, LeaseId, LeaseOf, Leases,
	NextLeaseId, PriceList, Prices, ProviderLeases, UsageRecord,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use proof_of_sync_primitives::{Capacity, ResourceKind, RoundIndex};
use sp_runtime::{testing::TestSignature, DispatchResult};

mod leases;
mod metering;
mod notes;
mod receipts;
mod settlement;
mod try_state;

use ResourceKind::{Bandwidth, Compute, Storage};

fn builder() -> ExtBuilder {
	ExtBuilder
}

fn signed(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Opens a lease at any price and returns its id.
fn open(
	consumer: AccountId,
	provider: AccountId,
	kind: ResourceKind,
	units: u64,
	rounds: u32,
) -> LeaseId {
	let id = NextLeaseId::<Test>::get();
	assert_ok!(Usage::open_lease(signed(consumer), provider, kind, units, rounds, Balance::MAX));
	id
}

/// `open` with Bob leasing 10 storage units (worth 100 a round) from Alice.
fn storage_lease(rounds: u32) -> LeaseId {
	open(BOB, ALICE, Storage, 10, rounds)
}

fn lease(id: LeaseId) -> LeaseOf<Test> {
	Leases::<Test>::get(id).expect("the lease exists")
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Usage(HoldReason::LeaseEscrow), &who)
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

/// Alice records `counter` for `round` of `lease`.
fn record(lease: LeaseId, round: RoundIndex, counter: u64) -> DispatchResult {
	Usage::record_usage(signed(ALICE), lease, round, counter, None)
}

/// A record of `counter` units in `round` with no receipt.
fn unreceipted(round: RoundIndex, counter: u64) -> UsageRecord {
	UsageRecord { round, counter, ..Default::default() }
}

/// The hash the lease's receipts name, as its consumer reads it from the lease.
fn opened_after(lease: LeaseId) -> sp_core::H256 {
	Leases::<Test>::get(lease).map(|lease| lease.opened_after).unwrap_or_default()
}

/// The payload of the receipt for `counter` units of `round` of `lease`, on this chain.
fn receipt_payload(lease: LeaseId, round: RoundIndex, counter: u64) -> Vec<u8> {
	let receipt = crate::UsageReceipt { lease, opened_after: opened_after(lease), round, counter };
	receipt.signing_payload(&System::block_hash(0))
}

/// `signer`'s signature of the receipt for `counter` units of `round` of `lease`, on the chain
/// with genesis hash `genesis`, for the lease opened after `opened_after`.
fn receipt_on(
	(genesis, opened_after): (sp_core::H256, sp_core::H256),
	signer: AccountId,
	lease: LeaseId,
	round: RoundIndex,
	counter: u64,
) -> TestSignature {
	let receipt = crate::UsageReceipt { lease, opened_after, round, counter };
	TestSignature(signer, receipt.signing_payload(&genesis))
}

/// Bob's signature of the receipt for `counter` units of `round` of `lease`, on this chain.
fn receipt(lease: LeaseId, round: RoundIndex, counter: u64) -> TestSignature {
	TestSignature(BOB, receipt_payload(lease, round, counter))
}

fn to_round(round: RoundIndex) {
	MockRoundClock::set(round);
}
