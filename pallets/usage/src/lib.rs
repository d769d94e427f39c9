//! # Usage pallet
//!
//! How consumers lease providers' resources, and how what they use is metered and paid for.
//!
//! ## Pallet API
//!
//! See the [`pallet`] module for the calls, events, errors, storage and configuration.
//!
//! ## Overview
//!
//! A provider sets a **price** per usage unit of each kind it leases out (`set_prices`): a
//! milli-vCPU reserved for a round, a storage unit held in a round, a megabit served. A
//! **consumer** opens a **lease** (`open_lease`) of `units_per_round` of one kind for a number of
//! rounds, starting with the next round. The provider must be active, its price at most the
//! consumer's maximum, and its capacity of that kind not yet booked by other leases: the capacity
//! is the smaller of what it declared and what its verifiers measured in the last closed round
//! (the declared figure while no verifier reported on it). The lease's whole value, `quota × price`
//! for each round, is held from the consumer's balance under the `LeaseEscrow` hold, so an
//! escrow can never run dry; the price is fixed for the lease's life.
//!
//! A round's **quota** is `units_per_round` usage units, or for bandwidth `units_per_round ×
//! RoundSeconds` megabits (Mbit/s for a round's seconds). The provider records, for each round, a
//! cumulative counter of the units its node metered (`record_usage`): during the round and the
//! round after, never above the quota (`QuotaExceeded`) and never backwards (`CounterRollback`).
//!
//! **Receipts.** The consumer signs, off chain and with its account key, a [`UsageReceipt`] for
//! the counter it agrees with (a browser wallet's `<Bytes>`-wrapped signature counts too). A
//! record that carries one (`record_usage` with the receipt, or `submit_receipt` until the round
//! settles) is paid at once for the receipted units, and the consumer can no longer dispute
//! them. Until `DisputeWindow` rounds after a round, its consumer may **dispute** the usage
//! recorded above its receipts (`dispute`): that part is never paid, and when the round settles
//! whatever stayed disputed (a later receipt still counts) is reported to `UsageSink` (in the
//! runtime, what the units would have earned comes off the provider's next round's points).
//!
//! **The provider's node** meters the usage itself (its resource endpoint serves the leases) and,
//! once a round has ended, signs the round's counter with the provider's `sync` key: a **note**
//! ([`UsageReceipt::note_payload`]), the provider's final word on the round. The consumer signs a
//! receipt for the note's counter if it agrees, and the node's offchain worker records the round
//! with both signatures (`record_receipted`): a general transaction with no signer and no fee,
//! once per lease and round. A round recorded above a note the provider's key signed for it is
//! **fraud**: anyone holding the note proves it (`report_usage_fraud`), the record comes down to
//! the note, and the registry slashes `UsageFraudSlash` of the provider's bond.
//!
//! A round **settles** `DisputeWindow` rounds after it (`settle`, or `close_lease` once the lease
//! ended; anyone may call both, in pages of at most `MaxSettlePerCall` rounds). A round the
//! provider recorded is billed its counter, but at least `ReservationShare` of the quota: a
//! reservation is not free, so booking a provider's capacity and leaving it unused costs the
//! consumer something. `UsageFee` of the bill goes to the fee destination, the rest to the
//! provider, and what the bill leaves of the round's value returns to the consumer. A round the
//! provider did not record is not billed. Units served (not merely reserved) are reported to
//! `UsageSink` when paid, and earn the provider points in the round in progress. A consumer may
//! cancel (`cancel_lease`) with
//! `NoticeRounds` rounds of notice (none when the provider is no longer active); the escrow of the
//! rounds that will not run returns at once.
//!
//! ## Abuse and what stops it
//!
//! - **Overbooking**: a lease is refused when the bookings that overlap it would exceed the
//!   provider's capacity of its kind (`Overbooked`), or its `MaxLeasesPerProvider` slots.
//! - **Over-quota use and counter rollback**: refused, and nothing changes.
//! - **Forged or replayed receipts**: a receipt is the lease's consumer's signature (checked
//!   against the lease's consumer, never a key the caller names) over the chain's genesis hash, the
//!   lease id (never reused) and the parent hash of the block the lease opened in (so another chain
//!   from the same genesis is another chain), the round and the counter; only units above those
//!   already receipted are paid (`StaleReceipt`).
//! - **A consumer disputing honest usage** to use it for free: it pays the reserved share of the
//!   round all the same, and its own receipts outweigh its disputes. A provider's node protects
//!   itself by recording only what its consumer receipted, or serving no further than that: what
//!   stays disputed when a round settles costs it (in the runtime) what the disputed units would
//!   have earned, at most a share of its capacity points, so leasing from a rival to dispute it
//!   harms no provider that bills only receipted usage, and a receipt the consumer signed after all
//!   undoes the dispute.
//! - **A provider over-recording**: what the consumer did not receipt it can dispute, and then it
//!   is not paid, and loses points for it, usage or not.
//! - **Squatting on a provider's capacity or lease slots**: every round of a lease is worth at
//!   least `MinRoundValue`, and every round the provider records bills at least `ReservationShare`
//!   of it, used or not.
//! - **Leasing from oneself**: refused for the same account (`SelfLease`); through a second account
//!   it costs `UsageFee` of everything billed. The units it pays itself for earn usage points, but
//!   in the runtime at most a share of the capacity points its verifiers measured: a provider
//!   leasing unmeasured capacity to itself earns nothing for it, and one leasing measured capacity
//!   earns what a fully leased provider would.
//! - **Free records flooding the chain**: the fee-free record needs the provider's `sync` key and
//!   the consumer's receipt, and is taken once per lease and ended round not yet settled (the pool
//!   keeps one per lease and round; a round already receipted is stale), so each needs a round of a
//!   lease of its own (leases are bounded per provider and per consumer, and a recorded round bills
//!   at least `ReservationShare` of `MinRoundValue`, `UsageFee` of it to the pot).
//! - **A provider recording more than its node metered**: the consumer holds the node's note of the
//!   round, and a record above it is slashed.
//! - **An unpayable provider** (an account that withdrew and was reaped): its share returns to the
//!   consumer rather than failing the settlement, so no lease is ever stuck.
//!
//! ## Low-level design
//!
//! - One record per lease ([`Leases`]), holding the usage of its rounds not settled yet (at most
//!   `MaxPendingRecords`), so settling reads and writes one item.
//! - A provider's bookings ([`ProviderLeases`], at most `MaxLeasesPerProvider`) are read in one go
//!   to check capacity; bookings of ended leases are dropped when the next lease is booked.
//! - A consumer's leases ([`ConsumerLeases`], at most `MaxLeasesPerConsumer`).
//! - No hook iterates over anything; all work is done by the calls, in bounded pages.
//! - All of a consumer's leases share its `LeaseEscrow` hold; `try_state` checks that it equals the
//!   sum of their escrows, and that every lease's escrow, payments, fees and refunds add up to what
//!   it deposited.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::usage";

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
#[cfg(test)]
mod mock;
pub mod notes;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

/// What a benchmark of this pallet needs from the runtime that is not this pallet's to do.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, OffchainSignature> {
	/// An account whose key the benchmark can sign with ([`Self::sign`]).
	fn signer() -> AccountId;

	/// `who`'s signature of `message`; `who` came from [`Self::signer`].
	fn sign(who: &AccountId, message: &[u8]) -> OffchainSignature;

	/// Make `who` an active provider from the round in progress on, with `capacity` declared.
	fn register_provider(who: &AccountId, capacity: proof_of_sync_primitives::Capacity);

	/// Make the last closed round's verifiers have measured `capacity` at `who`, so that
	/// `open_lease` reads what they measured.
	fn set_verified_capacity(who: &AccountId, capacity: proof_of_sync_primitives::Capacity);

	/// Make `round` the round in progress (as `Config::RoundClock` tells it).
	fn set_round(round: proof_of_sync_primitives::RoundIndex);

	/// Make `key` (an sr25519 public key in the benchmark's keystore) the `sync` key of `who`,
	/// as `Config::SyncKeys` sees it both ways.
	fn set_sync_key(who: &AccountId, key: [u8; 32]);

	/// Put `Config::UsageSink` in its worst case for `who`: the next usage it is told of costs
	/// the most (in the runtime, `who` in sync and outside a full leaderboard it then enters).
	fn prepare_usage_sink(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect},
			tokens::imbalance::OnUnbalanced,
		},
	};
	use frame_system::{offchain::CreateAuthorizedTransaction, pallet_prelude::*};
	use proof_of_sync_primitives::{
		ProviderRegistry, ResourceKind, RoundClock, RoundIndex, SyncKeys, UsageSink,
		VerifiedCapacity,
	};
	use sp_core::sr25519;
	use sp_runtime::{
		traits::{IdentifyAccount, Saturating, Verify},
		Perbill,
	};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A consumer's prepayment for its leases' rounds not settled yet.
		LeaseEscrow,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config + CreateAuthorizedTransaction<Call<Self>> {
		/// The currency leases are paid in.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Which round is running.
		type RoundClock: RoundClock;

		/// Who the providers are, whether they are active and what they declared (the resources
		/// pallet).
		type Registry: ProviderRegistry<Self::AccountId, BalanceOf<Self>>;

		/// What the providers' verifiers measured (the sync-attestation pallet).
		type VerifiedCapacity: VerifiedCapacity<Self::AccountId>;

		/// Told what providers served and what consumers disputed (the sync-attestation pallet,
		/// which turns them into points and penalties).
		type UsageSink: UsageSink<Self::AccountId>;

		/// A consumer's signature of a usage receipt (in the runtime, `MultiSignature`: any key an
		/// account can have).
		type OffchainSignature: Verify<Signer = Self::SigningPublicKey> + Parameter;

		/// The public key behind an account, as [`Config::OffchainSignature`] checks it.
		type SigningPublicKey: IdentifyAccount<AccountId = Self::AccountId>;

		/// Whose `sync` key is whose (in the runtime, the session keys): a provider's node signs
		/// its notes with it, and records its consumers' receipts with it fee-free.
		type SyncKeys: SyncKeys<Self::AccountId>;

		/// The share of a provider's bond slashed when a note its `sync` key signed proves that it
		/// recorded more than it metered (`report_usage_fraud`).
		#[pallet::constant]
		type UsageFraudSlash: Get<Perbill>;

		/// The share of a usage fraud slash that goes to whoever proved it.
		#[pallet::constant]
		type ReporterCut: Get<Perbill>;

		/// The transaction-pool priority of a provider node's fee-free records
		/// (`record_receipted`).
		#[pallet::constant]
		type RecordPriority: Get<TransactionPriority>;

		/// Where the usage fee goes (in the runtime, the reward pot).
		type Fees: OnUnbalanced<fungible::Credit<Self::AccountId, Self::Currency>>;

		/// The part of every bill that goes to `Fees` rather than to the provider. It makes leasing
		/// from oneself through a second account cost something.
		#[pallet::constant]
		type UsageFee: Get<Perbill>;

		/// The part of a round's quota billed for every round the provider recorded, however
		/// little was used: the price of keeping the capacity reserved.
		#[pallet::constant]
		type ReservationShare: Get<Perbill>;

		/// The least one round of a lease may be worth (`quota × price`), in plancks. Its
		/// `ReservationShare`, less the `UsageFee`, must be at least the existential deposit, so
		/// that no payout is dust.
		#[pallet::constant]
		type MinRoundValue: Get<BalanceOf<Self>>;

		/// The most rounds a lease may run.
		#[pallet::constant]
		type MaxLeaseRounds: Get<RoundIndex>;

		/// The most leases that may book one provider at once (ended ones not counted).
		#[pallet::constant]
		type MaxLeasesPerProvider: Get<u32>;

		/// The most leases one consumer may have at once, until each is closed.
		#[pallet::constant]
		type MaxLeasesPerConsumer: Get<u32>;

		/// The rounds of notice a consumer gives when it cancels a lease with an active provider:
		/// a lease cancelled in round `r` ends after round `r + NoticeRounds`.
		#[pallet::constant]
		type NoticeRounds: Get<RoundIndex>;

		/// How many rounds after it a round settles. At least 2: a round's usage is recorded
		/// during it and the round after.
		#[pallet::constant]
		type DisputeWindow: Get<RoundIndex>;

		/// The most rounds of usage one lease keeps before they settle; at least `DisputeWindow +
		/// 2`. A provider that does not settle (`settle`) is refused further records.
		#[pallet::constant]
		type MaxPendingRecords: Get<u32>;

		/// The most rounds `settle` and `close_lease` settle in one call.
		#[pallet::constant]
		type MaxSettlePerCall: Get<u32>;

		/// The seconds in a round: a bandwidth lease of `u` Mbit/s may serve `u × RoundSeconds`
		/// megabits a round.
		#[pallet::constant]
		type RoundSeconds: Get<u64>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// What the benchmarks need from the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::OffchainSignature>;
	}

	/// Each provider's prices (`set_prices`).
	#[pallet::storage]
	pub type Prices<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PriceListOf<T>, OptionQuery>;

	/// The id the next lease gets.
	#[pallet::storage]
	pub type NextLeaseId<T: Config> = StorageValue<_, LeaseId, ValueQuery>;

	/// Every lease not closed yet.
	// Lease ids are given out by the chain in order, so nobody can choose keys to unbalance the
	// trie: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Leases<T: Config> = StorageMap<_, Twox64Concat, LeaseId, LeaseOf<T>, OptionQuery>;

	/// The capacity each provider's leases book, one entry per lease that has not ended.
	#[pallet::storage]
	pub type ProviderLeases<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BookingsOf<T>, ValueQuery>;

	/// Each consumer's leases not closed yet.
	#[pallet::storage]
	pub type ConsumerLeases<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ConsumerLeasesOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider set its prices; new leases pay them, open ones keep theirs.
		PricesSet {
			/// The provider.
			provider: T::AccountId,
			/// Its prices per usage unit, in plancks.
			prices: PriceListOf<T>,
		},
		/// A consumer opened a lease, and its whole value is held in escrow.
		LeaseOpened {
			/// The lease's id.
			lease: LeaseId,
			/// Who pays.
			consumer: T::AccountId,
			/// Who serves.
			provider: T::AccountId,
			/// What is leased.
			kind: ResourceKind,
			/// The capacity reserved: milli-vCPU, storage units or Mbit/s.
			units_per_round: u64,
			/// The usage units a round may meter.
			quota: u64,
			/// The price per usage unit, in plancks.
			price: BalanceOf<T>,
			/// The first round of the lease.
			start_round: RoundIndex,
			/// The round after its last.
			end_round: RoundIndex,
			/// What is held from the consumer, in plancks.
			escrow: BalanceOf<T>,
			/// The parent hash of the block it opened in, which its usage receipts name.
			opened_after: T::Hash,
		},
		/// A provider recorded what its node metered for a lease in a round.
		UsageRecorded {
			/// The lease.
			lease: LeaseId,
			/// The round metered.
			round: RoundIndex,
			/// The usage units metered in the round so far.
			counter: u64,
			/// The highest counter the consumer signed a receipt for.
			receipted: u64,
		},
		/// A receipt of the consumer's raised what it acknowledged of a round's usage.
		ReceiptAccepted {
			/// The lease.
			lease: LeaseId,
			/// The round.
			round: RoundIndex,
			/// The usage units the consumer acknowledged.
			receipted: u64,
		},
		/// Receipted usage was paid at once, before its round settles.
		UsagePaid {
			/// The lease.
			lease: LeaseId,
			/// The round metered.
			round: RoundIndex,
			/// The usage units paid.
			units: u64,
			/// Paid to the provider, in plancks.
			payout: BalanceOf<T>,
			/// Paid to the fee destination, in plancks.
			fee: BalanceOf<T>,
		},
		/// A consumer disputed a round's usage above what it signed receipts for: that part is
		/// not paid, and the provider's points suffer.
		UsageDisputed {
			/// The lease.
			lease: LeaseId,
			/// The round.
			round: RoundIndex,
			/// The usage units the provider recorded.
			counter: u64,
			/// The usage units the consumer acknowledged, which are still paid.
			receipted: u64,
		},
		/// A round of a lease settled: the provider was paid for the units billed and the rest
		/// of the round's value returned to the consumer.
		RoundSettled {
			/// The lease.
			lease: LeaseId,
			/// The round settled.
			round: RoundIndex,
			/// The usage units billed: the counter recorded, at least the reserved share of the
			/// quota; zero if the provider recorded nothing.
			units: u64,
			/// Paid to the provider, in plancks.
			payout: BalanceOf<T>,
			/// Paid to the fee destination, in plancks.
			fee: BalanceOf<T>,
			/// Returned to the consumer, in plancks.
			refund: BalanceOf<T>,
		},
		/// The provider's account could not receive its payout (it no longer exists and the
		/// payout is below the existential deposit), so the payout returned to the consumer.
		PayoutUnpayable {
			/// The lease.
			lease: LeaseId,
			/// The round.
			round: RoundIndex,
			/// The payout that returned to the consumer, in plancks.
			amount: BalanceOf<T>,
		},
		/// A consumer cancelled a lease: it now ends earlier, and the escrow of the rounds that
		/// will not run returned.
		LeaseCancelled {
			/// The lease.
			lease: LeaseId,
			/// The round after its last, now.
			end_round: RoundIndex,
			/// Returned to the consumer, in plancks.
			refund: BalanceOf<T>,
		},
		/// A lease ended and every round of it settled; its record is gone.
		LeaseClosed {
			/// The lease.
			lease: LeaseId,
			/// Paid to the provider over the lease, in plancks.
			paid: BalanceOf<T>,
			/// Paid to the fee destination over the lease, in plancks.
			fees: BalanceOf<T>,
			/// Returned to the consumer over the lease, in plancks.
			refunded: BalanceOf<T>,
		},
		/// A note signed by a provider's `sync` key proved that it recorded more of a round than
		/// it metered: the round's record came down to the note (or the receipts, if higher) and
		/// the provider was slashed.
		UsageFraudProven {
			/// The lease.
			lease: LeaseId,
			/// The round.
			round: RoundIndex,
			/// The provider.
			provider: T::AccountId,
			/// What the provider had recorded, in usage units.
			recorded: u64,
			/// What its note said, in usage units.
			noted: u64,
			/// Who proved it.
			reporter: T::AccountId,
			/// Slashed from the provider's bond, in plancks (`ReporterCut` of it to the reporter).
			slashed: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not a registered provider. Register (`resources.register`) first.
		NotProvider,
		/// No lease has this id: it never existed or was closed. Read the id from
		/// `LeaseOpened`.
		UnknownLease,
		/// Only the lease's provider may record its usage. Sign with the provider's account.
		NotLeaseProvider,
		/// Only the lease's consumer may cancel it. Sign with the consumer's account.
		NotConsumer,
		/// A provider cannot lease from itself.
		SelfLease,
		/// The provider is not active in the next round (chilled, leaving or not registered), so
		/// it cannot take a lease. Choose an active provider.
		ProviderNotActive,
		/// `units_per_round` is zero. Lease at least one unit.
		ZeroUnits,
		/// `rounds` is zero. Lease at least one round.
		ZeroRounds,
		/// `rounds` is above `MaxLeaseRounds`. Lease fewer rounds, and open a new lease later.
		LeaseTooLong,
		/// The provider does not lease this kind out: it set no price for it. Choose another
		/// provider or kind.
		KindNotOffered,
		/// The provider's price is above the `max_price_per_unit` given. Raise the maximum, or
		/// choose a cheaper provider.
		PriceAboveMax,
		/// The lease's value does not fit in a balance. Lease fewer units or rounds.
		LeaseValueOverflow,
		/// A round of the lease is worth less than `MinRoundValue`. Lease more units a round.
		LeaseTooSmall,
		/// The provider's capacity of this kind is booked: the leases running in the next round
		/// and this one would exceed the smaller of its declared and verified capacity. Lease
		/// fewer units, or from another provider.
		Overbooked,
		/// The provider already has `MaxLeasesPerProvider` leases running. Choose another
		/// provider, or wait until one ends.
		ProviderFullyBooked,
		/// The consumer already has `MaxLeasesPerConsumer` leases not closed. Close ended ones
		/// (`close_lease`) first.
		TooManyLeases,
		/// The consumer cannot hold the lease's value while staying alive. Lease less, or fund the
		/// account.
		InsufficientBalance,
		/// The round is not one of the lease's. Record only rounds from its start to its end.
		RoundOutsideLease,
		/// The round has not started. Record the round in progress.
		RoundNotStarted,
		/// A round's usage is recorded only during it and the round after. Record on time: a
		/// round not recorded is not billed.
		RecordingClosed,
		/// The lease's provider was not active in the round (chilled, leaving or gone), so the
		/// round cannot be billed. A chilled provider re-activates (`resources.reactivate`) for
		/// the rounds after.
		ProviderNotServing,
		/// The counter is above the lease's quota for a round. The usage above the quota is not
		/// the consumer's to pay; refuse it at the node.
		QuotaExceeded,
		/// The counter is below the one already recorded for the round. Counters are cumulative
		/// and never go backwards.
		CounterRollback,
		/// The counter is the one already recorded for the round: nothing to record.
		CounterUnchanged,
		/// The receipt's signature is not the lease's consumer's over this lease, round and
		/// counter on this chain. Have the consumer sign `UsageReceipt::signing_payload`.
		BadReceipt,
		/// The receipt acknowledges no more than the round's receipts already did. Nothing to do.
		StaleReceipt,
		/// The receipt acknowledges more than the provider recorded. Record the usage first
		/// (`record_usage`, with the receipt).
		ReceiptAboveRecord,
		/// The lease has no usage recorded for the round, or the round has settled. Nothing to
		/// acknowledge or dispute.
		NoRecord,
		/// The round's usage is already disputed.
		AlreadyDisputed,
		/// The consumer signed receipts for all the usage recorded for the round: there is
		/// nothing to dispute.
		NothingToDispute,
		/// A round is disputed at the latest `DisputeWindow` rounds after it; then it settles.
		DisputeWindowClosed,
		/// The lease holds `MaxPendingRecords` rounds of usage not settled yet. Call `settle`
		/// first.
		TooManyPendingRecords,
		/// No round of the lease is due: a round settles `DisputeWindow` rounds after it. Wait.
		NothingToSettle,
		/// The lease already ends no later than a cancellation would make it. Nothing to cancel.
		AlreadyEnding,
		/// The lease's last round has not settled yet: a lease closes `DisputeWindow` rounds after
		/// its end. Wait.
		LeaseNotOver,
		/// The note names another instance of the lease (its `opened_after` is not the lease's).
		/// Sign notes and receipts with the `openedAfter` that `proofOfSync_lease` shows.
		WrongLeaseInstance,
		/// The round has not ended: a node records a receipted round, and a note proves fraud,
		/// only once the round is over.
		RoundNotEnded,
		/// The round is settled already: nothing about it can change any more.
		RoundSettled,
		/// A receipted record of zero units: there is nothing to record.
		ZeroCounter,
		/// The round already carries a receipt: the free record is once per lease and round.
		/// Raise it with `record_usage` (which pays a fee) or `submit_receipt`.
		AlreadyReceipted,
		/// The provider has no `sync` key registered (`session.set_keys`).
		NoSyncKey,
		/// The note is not signed by the provider's `sync` key, over its `note_payload` on this
		/// chain.
		BadNoteSignature,
		/// The note does not prove fraud: the round's record is not above both the note's counter
		/// and what the consumer receipted.
		NotFraud,
		/// The round named is not the lease's first unsettled round any more: someone settled it.
		AlreadySettled,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::DisputeWindow::get() >= 2, "DisputeWindow must be at least 2");
			assert!(
				T::MaxPendingRecords::get() >= T::DisputeWindow::get().saturating_add(2),
				"MaxPendingRecords must be at least DisputeWindow + 2"
			);
			let least_bill = T::ReservationShare::get().mul_floor(T::MinRoundValue::get());
			let least_payout = least_bill.saturating_sub(T::UsageFee::get().mul_ceil(least_bill));
			assert!(
				least_payout >= T::Currency::minimum_balance(),
				"the least payout, MinRoundValue's ReservationShare less the UsageFee, must be at \
				 least the existential deposit"
			);
			assert!(T::MaxSettlePerCall::get() > 0, "MaxSettlePerCall must not be zero");
			assert!(T::MaxLeaseRounds::get() > 0, "MaxLeaseRounds must not be zero");
			assert!(T::MaxLeasesPerProvider::get() > 0, "MaxLeasesPerProvider must not be zero");
			assert!(T::MaxLeasesPerConsumer::get() > 0, "MaxLeasesPerConsumer must not be zero");
			assert!(T::RoundSeconds::get() > 0, "RoundSeconds must not be zero");
			assert!(
				T::UsageFee::get() < Perbill::one(),
				"UsageFee must leave the provider a share"
			);
		}

		fn offchain_worker(_now: BlockNumberFor<T>) {
			Self::send_receipted_usage();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the caller's prices.
		///
		/// - Origin: signed by a registered provider.
		/// - Effect: stores `prices`, in plancks per usage unit of each kind (a milli-vCPU reserved
		///   for a round, a storage unit held in a round, a megabit served). A zero price means the
		///   kind is not leased out. Leases opened from now on pay them; open leases keep the price
		///   they opened with. No money moves.
		/// - Events: [`Event::PricesSet`].
		/// - Errors: [`Error::NotProvider`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_prices())]
		pub fn set_prices(origin: OriginFor<T>, prices: PriceListOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_prices(who, prices)
		}

		/// Lease `units_per_round` of one kind of a provider's capacity for `rounds` rounds,
		/// starting with the next round.
		///
		/// - Origin: signed by the consumer, who pays.
		/// - Effect: holds the lease's whole value, `rounds × quota × price` plancks (a round worth
		///   at least `MinRoundValue`), from the caller's spendable balance (frozen funds do not
		///   count) under the `LeaseEscrow` hold, and books the capacity. The quota is
		///   `units_per_round` usage units a round (milli-vCPU or storage units), or for bandwidth
		///   `units_per_round` Mbit/s times `RoundSeconds` megabits. The price is the provider's
		///   for `kind`, at most `max_price_per_unit`, fixed for the lease's life. The provider
		///   must be active next round, and the leases running then must leave `units_per_round` of
		///   its capacity of `kind` free: the smaller of its declared and its verified capacity.
		///   Each round settles `DisputeWindow` rounds after it; the escrow not billed returns
		///   then.
		/// - Events: [`Event::LeaseOpened`].
		/// - Errors: [`Error::SelfLease`], [`Error::ZeroUnits`], [`Error::ZeroRounds`],
		///   [`Error::LeaseTooLong`], [`Error::ProviderNotActive`], [`Error::KindNotOffered`],
		///   [`Error::PriceAboveMax`], [`Error::LeaseValueOverflow`], [`Error::LeaseTooSmall`],
		///   [`Error::Overbooked`], [`Error::ProviderFullyBooked`], [`Error::TooManyLeases`],
		///   [`Error::InsufficientBalance`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::open_lease())]
		pub fn open_lease(
			origin: OriginFor<T>,
			provider: T::AccountId,
			kind: ResourceKind,
			units_per_round: u64,
			rounds: RoundIndex,
			max_price_per_unit: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_open_lease(who, provider, kind, units_per_round, rounds, max_price_per_unit)
		}

		/// Record the usage units the caller's node metered for a lease in a round, with the
		/// consumer's receipt for them if it has one.
		///
		/// - Origin: signed by the lease's provider.
		/// - Effect: sets the lease's counter for `round` to `counter`: the usage units metered in
		///   the round so far (milli-vCPU reserved, the most storage units held, or megabits
		///   served). Allowed during `round` and the round after, for a round of the lease, up to
		///   the lease's quota, only upwards, and only if the provider was active when the round
		///   began. With `receipt`, the consumer's signature of the [`UsageReceipt`] for this
		///   lease, round and counter, the consumer can no longer dispute those units and they are
		///   paid at once (less `UsageFee`); the same counter may be sent again to add a receipt.
		///   Units without a receipt are paid when the round settles, `DisputeWindow` rounds after
		///   it, unless the consumer disputes them.
		/// - Events: [`Event::UsageRecorded`], then with a receipt [`Event::ReceiptAccepted`] and
		///   [`Event::UsagePaid`].
		/// - Errors: [`Error::UnknownLease`], [`Error::NotLeaseProvider`],
		///   [`Error::RoundOutsideLease`], [`Error::RoundNotStarted`], [`Error::RecordingClosed`],
		///   [`Error::QuotaExceeded`], [`Error::ProviderNotServing`], [`Error::CounterRollback`],
		///   [`Error::CounterUnchanged`], [`Error::BadReceipt`], [`Error::TooManyPendingRecords`].
		#[pallet::call_index(2)]
		#[pallet::weight(if receipt.is_some() {
			T::WeightInfo::record_usage_with_receipt()
		} else {
			T::WeightInfo::record_usage()
		})]
		pub fn record_usage(
			origin: OriginFor<T>,
			lease: LeaseId,
			round: RoundIndex,
			counter: u64,
			receipt: Option<T::OffchainSignature>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_record_usage(who, lease, round, counter, receipt)
		}

		/// Settle a lease's rounds that are due: pay the provider, the fee and the refund of each.
		///
		/// - Origin: signed by any account. (A provider's node settles fee-free with
		///   `settle_from`.)
		/// - Effect: settles, oldest first, at most `max_rounds` (and at most `MaxSettlePerCall`)
		///   of the lease's rounds that ended `DisputeWindow` rounds ago or more. A round the
		///   provider recorded bills its counter, at least `ReservationShare` of the quota:
		///   `UsageFee` of the bill goes to the fee destination and the rest to the provider. The
		///   rest of the round's value, and all of it for a round not recorded, returns to the
		///   consumer. Charged for the rounds it settled.
		/// - Events: [`Event::RoundSettled`] for each round, [`Event::PayoutUnpayable`] for a
		///   provider that cannot receive.
		/// - Errors: [`Error::UnknownLease`], [`Error::NothingToSettle`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::settle(Pallet::<T>::settle_limit(*max_rounds)))]
		pub fn settle(
			origin: OriginFor<T>,
			lease: LeaseId,
			max_rounds: u32,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let settled = Self::do_settle(lease, Self::settle_limit(max_rounds))?;
			Ok(Some(T::WeightInfo::settle(settled)).into())
		}

		/// Cancel a lease: it ends after the notice its terms give.
		///
		/// - Origin: signed by the lease's consumer.
		/// - Effect: a lease cancelled in round `r` ends after round `r + NoticeRounds`, or after
		///   round `r` if the provider is no longer active (never before it starts, never later
		///   than it would have). The escrow of the rounds that will not run, `quota × price`
		///   plancks each, returns to the consumer at once; the rounds that do run settle as usual.
		/// - Events: [`Event::LeaseCancelled`].
		/// - Errors: [`Error::UnknownLease`], [`Error::NotConsumer`], [`Error::AlreadyEnding`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_lease())]
		pub fn cancel_lease(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_lease(who, lease)
		}

		/// Close a lease that has ended: settle its last rounds and remove it.
		///
		/// - Origin: signed by any account (the consumer wants its slot back, the provider its
		///   payment).
		/// - Effect: from `DisputeWindow` rounds after the lease's end on, settles its rounds not
		///   settled yet, at most `MaxSettlePerCall` (as `settle` does). When none is left, it
		///   releases what remains in escrow (nothing, as every round paid or returned its value)
		///   and removes the lease and its booking. With more rounds left, call it again.
		/// - Events: [`Event::RoundSettled`] for each round settled, then [`Event::LeaseClosed`]
		///   once the lease is gone.
		/// - Errors: [`Error::UnknownLease`], [`Error::LeaseNotOver`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::close_lease(T::MaxSettlePerCall::get()))]
		pub fn close_lease(origin: OriginFor<T>, lease: LeaseId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let settled = Self::do_close_lease(lease)?;
			Ok(Some(T::WeightInfo::close_lease(settled)).into())
		}

		/// Hand in a consumer's receipt for usage already recorded: the units it acknowledges
		/// are paid at once and can no longer be disputed.
		///
		/// - Origin: signed by any account (the provider's, usually).
		/// - Effect: until the round settles, raises what the consumer acknowledged of `round` of
		///   the lease to `counter` (at most the counter recorded) if `signature` is the consumer's
		///   over the [`UsageReceipt`] for this lease, round and counter, and pays the newly
		///   acknowledged units (less `UsageFee`). Also after a dispute: the consumer's own receipt
		///   outweighs it.
		/// - Events: [`Event::ReceiptAccepted`], [`Event::UsagePaid`].
		/// - Errors: [`Error::UnknownLease`], [`Error::NoRecord`], [`Error::ReceiptAboveRecord`],
		///   [`Error::StaleReceipt`], [`Error::BadReceipt`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::submit_receipt())]
		pub fn submit_receipt(
			origin: OriginFor<T>,
			lease: LeaseId,
			round: RoundIndex,
			counter: u64,
			signature: T::OffchainSignature,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_submit_receipt(lease, round, counter, signature)
		}

		/// Dispute the usage a provider recorded for a round above what the caller signed
		/// receipts for.
		///
		/// - Origin: signed by the lease's consumer.
		/// - Effect: until `DisputeWindow` rounds after `round`, marks the round's usage disputed:
		///   when it settles, only the receipted units are billed (still at least
		///   `ReservationShare` of the quota: the capacity was reserved), and what stays disputed
		///   then costs the provider points (in the runtime, what the units would have earned comes
		///   off its points in the round after). A later receipt of the consumer's
		///   (`submit_receipt`) still counts.
		/// - Events: [`Event::UsageDisputed`].
		/// - Errors: [`Error::UnknownLease`], [`Error::NotConsumer`], [`Error::NoRecord`],
		///   [`Error::DisputeWindowClosed`], [`Error::AlreadyDisputed`],
		///   [`Error::NothingToDispute`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::dispute())]
		pub fn dispute(origin: OriginFor<T>, lease: LeaseId, round: RoundIndex) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_dispute(who, lease, round)
		}

		/// Record a round its consumer receipted: what a provider's node submits on its own, with
		/// no fee, once the round has ended and its consumer signed a receipt for the node's note.
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` when `signature` is the provider's `sync` key over
		///   `note.note_payload(genesis hash)`, `receipt` is the consumer's over
		///   `note.signing_payload(genesis hash)`, and every check below passes; once per lease and
		///   round (a round that carries a receipt already is refused).
		/// - Effect: as `record_usage` with a receipt for `note.counter` units of `note.round`:
		///   records them and pays them at once (less `UsageFee`), and they count for the
		///   provider's points. The node's note is the provider's final word on the round: a record
		///   above it is fraud (`report_usage_fraud`).
		/// - Events: [`Event::UsageRecorded`], [`Event::ReceiptAccepted`], [`Event::UsagePaid`].
		/// - Errors: [`Error::UnknownLease`], [`Error::WrongLeaseInstance`],
		///   [`Error::RoundOutsideLease`], [`Error::RoundNotEnded`], [`Error::RoundSettled`],
		///   [`Error::ZeroCounter`], [`Error::QuotaExceeded`], [`Error::ProviderNotServing`],
		///   [`Error::AlreadyReceipted`], [`Error::CounterRollback`], [`Error::NoSyncKey`],
		///   [`Error::BadNoteSignature`], [`Error::BadReceipt`], [`Error::TooManyPendingRecords`].
		///   The same check runs in the pool.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::record_receipted())]
		#[pallet::authorize(Pallet::<T>::authorize_receipted)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_record_receipted())]
		pub fn record_receipted(
			origin: OriginFor<T>,
			note: NoteOf<T>,
			receipt: T::OffchainSignature,
			signature: sr25519::Signature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_record_receipted(note, receipt, signature)
		}

		/// Prove that a provider recorded more of a round than its own node metered: a note its
		/// `sync` key signed for the round ([`UsageReceipt::note_payload`]) whose counter is below
		/// the round's record, and below nothing the consumer receipted.
		///
		/// - Origin: signed by any account, the reporter (the consumer, usually). It pays no fee
		///   when the proof holds.
		/// - Effect: until the round settles, brings the round's record down to the larger of the
		///   note's counter and the receipted units (so the rest is never billed), and has the
		///   registry slash `UsageFraudSlash` of the provider's bond, `ReporterCut` of it to the
		///   reporter.
		/// - Events: [`Event::UsageFraudProven`]; the registry emits its own events for the slash
		///   (and a chill, if the bond falls below its minimum).
		/// - Errors: [`Error::UnknownLease`], [`Error::WrongLeaseInstance`],
		///   [`Error::RoundNotEnded`], [`Error::NoRecord`], [`Error::NotFraud`],
		///   [`Error::NoSyncKey`], [`Error::BadNoteSignature`]; and the registry's error if it
		///   cannot slash the provider (it withdrew and its bond is gone).
		/// Settle a lease's due rounds from round `from`, fee-free: what a provider's node sends
		/// so that its leases' records never fill up (`TooManyPendingRecords`).
		///
		/// - Origin: none. A general transaction with no signer that pays no fee, let through by
		///   `#[pallet::authorize]` while `from` is the lease's first unsettled round and it is due
		///   (one per lease and round in the pool: each one names the state it settles from, so no
		///   two are the same transaction, and each settles at least one round, a round the
		///   consumer paid for).
		/// - Effect: as `settle` with `MaxSettlePerCall` rounds. Charged for the rounds it settled.
		/// - Events: [`Event::RoundSettled`] for each round, [`Event::PayoutUnpayable`] for a
		///   provider that cannot receive.
		/// - Errors: [`Error::UnknownLease`], [`Error::AlreadySettled`],
		///   [`Error::NothingToSettle`]. The same check runs in the pool.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::settle(T::MaxSettlePerCall::get()))]
		#[pallet::authorize(Pallet::<T>::authorize_settle_from)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_settle())]
		pub fn settle_from(
			origin: OriginFor<T>,
			lease: LeaseId,
			from: RoundIndex,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			Self::check_settle_from(lease, from)?;
			let settled = Self::do_settle(lease, T::MaxSettlePerCall::get())?;
			Ok(Some(T::WeightInfo::settle(settled)).into())
		}

		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::report_usage_fraud())]
		pub fn report_usage_fraud(
			origin: OriginFor<T>,
			note: NoteOf<T>,
			signature: sr25519::Signature,
		) -> DispatchResultWithPostInfo {
			let reporter = ensure_signed(origin)?;
			Self::do_report_usage_fraud(reporter, note, signature)?;
			Ok(Pays::No.into())
		}
	}
}
