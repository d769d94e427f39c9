//! The records the usage pallet keeps.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::fungible, BoundedVec};
use proof_of_sync_primitives::{ResourceKind, RoundIndex};
use scale_info::TypeInfo;

use crate::Config;

/// The balance type of the currency leases are paid in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A lease's number. The chain gives them out in order from zero and never reuses one.
pub type LeaseId = u64;

/// A provider's note, and a consumer's receipt, of a round of a lease on this chain.
pub type NoteOf<T> = UsageReceipt<<T as frame_system::Config>::Hash>;

/// A runtime's price list.
pub type PriceListOf<T> = PriceList<BalanceOf<T>>;

/// A runtime's lease.
pub type LeaseOf<T> = Lease<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as frame_system::Config>::Hash,
	BoundedVec<UsageRecord, <T as Config>::MaxPendingRecords>,
>;

/// A provider's bookings in a runtime.
pub type BookingsOf<T> = BoundedVec<Booking, <T as Config>::MaxLeasesPerProvider>;

/// A consumer's leases in a runtime.
pub type ConsumerLeasesOf<T> = BoundedVec<LeaseId, <T as Config>::MaxLeasesPerConsumer>;

/// What a provider asks per usage unit of each kind, in plancks: a milli-vCPU reserved for a
/// round (compute), a storage unit held in a round (storage), a megabit served (bandwidth). Zero
/// means the provider does not lease that kind out.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
)]
pub struct PriceList<Balance> {
	/// Per milli-vCPU reserved for a round.
	pub compute: Balance,
	/// Per storage unit (GiB on a live chain) held in a round.
	pub storage: Balance,
	/// Per megabit served.
	pub bandwidth: Balance,
}

impl<Balance: Copy> PriceList<Balance> {
	/// The price of one usage unit of `kind`.
	pub fn of(&self, kind: ResourceKind) -> Balance {
		match kind {
			ResourceKind::Compute => self.compute,
			ResourceKind::Storage => self.storage,
			ResourceKind::Bandwidth => self.bandwidth,
		}
	}
}

/// What a provider's node metered for one lease in one round: a cumulative counter of usage
/// units, which only grows, and how much of it the consumer acknowledged.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct UsageRecord {
	/// The round metered.
	pub round: RoundIndex,
	/// The usage units metered in the round so far, at most the lease's quota.
	pub counter: u64,
	/// The highest counter the consumer signed a receipt for (at most `counter`): usage it
	/// cannot dispute, and already paid.
	pub receipted: u64,
	/// Whether the consumer disputed the units above `receipted`: they are not paid.
	pub disputed: bool,
	/// Whether a note of the provider's proved the record false (`report_usage_fraud`): it was
	/// brought down to the note, and the provider slashed, once.
	pub fraud: bool,
}

impl UsageRecord {
	/// The units the round bills before the reserved share: the counter, or only the receipted
	/// part once disputed.
	pub fn billable(&self) -> u64 {
		if self.disputed {
			self.receipted
		} else {
			self.counter
		}
	}
}

/// The domain tag of a usage receipt's signed payload.
pub const RECEIPT_CONTEXT: &[u8] = b"proof-of-sync/usage-receipt";

/// What a consumer signs off-chain to acknowledge its usage: "of lease `lease` (opened after block
/// `opened_after`), I used `counter` usage units in round `round` so far". Its signed payload is
/// [`UsageReceipt::signing_payload`];
/// a wallet that wraps what it signs in `<Bytes>…</Bytes>` (the polkadot.js extension's
/// `signRaw`) may sign that instead.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct UsageReceipt<Hash> {
	/// The lease.
	pub lease: LeaseId,
	/// The lease's `opened_after`.
	pub opened_after: Hash,
	/// The round.
	pub round: RoundIndex,
	/// The cumulative usage units of the round acknowledged.
	pub counter: u64,
}

impl<Hash: Encode> UsageReceipt<Hash> {
	/// The bytes the consumer signs: the domain tag, the chain's genesis hash, then the receipt,
	/// SCALE-encoded. The genesis hash keeps a receipt from counting on another chain, and the
	/// lease's `opened_after` on another instance of this one; the lease id (never reused) and the
	/// round keep it from counting for another lease or round.
	pub fn signing_payload(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(RECEIPT_CONTEXT, genesis_hash, self).encode()
	}

	/// The bytes a provider's `sync` key signs to state that `counter` is the round's final
	/// counter (a **note**): [`NOTE_CONTEXT`], the chain's genesis hash, then the receipt,
	/// SCALE-encoded. The provider's node signs one note per lease and round, once the round has
	/// ended, and records no more than it: a record above a note its key signed for the same
	/// lease and round is fraud (`report_usage_fraud`). The same payload authorizes the node's
	/// fee-free record of a receipted round (`record_receipted`).
	pub fn note_payload(&self, genesis_hash: &Hash) -> alloc::vec::Vec<u8> {
		(NOTE_CONTEXT, genesis_hash, self).encode()
	}
}

/// The domain tag of a provider's note ([`UsageReceipt::note_payload`]).
pub const NOTE_CONTEXT: &[u8] = b"proof-of-sync/usage-note";

/// The prefix of the PERSISTENT offchain storage keys under which a provider's node leaves the
/// receipts its consumers gave it, for the offchain worker to record on chain (see
/// [`receipt_key`]).
pub const HELD_RECEIPT_PREFIX: &[u8] = b"proof-of-sync/usage/receipt/";

/// Where a provider's node leaves the receipt of `lease`'s round `round`:
/// [`HELD_RECEIPT_PREFIX`] followed by the SCALE encoding of `(lease, round)`. The value is a
/// SCALE-encoded [`HeldReceipt`].
pub fn receipt_key(lease: LeaseId, round: RoundIndex) -> alloc::vec::Vec<u8> {
	[HELD_RECEIPT_PREFIX, (lease, round).encode().as_slice()].concat()
}

/// A receipt a consumer gave the provider's node: `signature` over
/// `UsageReceipt { lease, opened_after, round, counter }.signing_payload(genesis)`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct HeldReceipt<Signature> {
	/// The counter receipted.
	pub counter: u64,
	/// The consumer's signature.
	pub signature: Signature,
}

/// A lease: a consumer's reservation of `units_per_round` of one kind of a provider's capacity
/// for the rounds `start_round..end_round`, paid for in advance into an escrow held on the
/// consumer's account.
///
/// Every round of the lease is worth at most its quota times the price, and that much was held
/// for it. Once its dispute window has passed the round is **settled**: the provider is paid for
/// the units billed (the metered counter, at least the reserved share of the quota, if the
/// provider recorded the round at all), a fee of that goes to the fee destination, and the rest of
/// the round's value returns to the consumer. So `escrow == (end_round − settled_to) × quota ×
/// price` and `escrow + paid + fees + refunded == deposited` at all times.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Lease<AccountId, Balance, Hash, Records> {
	/// Who pays.
	pub consumer: AccountId,
	/// The hash of the parent of the block the lease opened in: its receipts name it, so that a
	/// receipt for lease `n` of one chain does not count for lease `n` of another chain started
	/// from the same genesis (two `--dev` chains, say).
	pub opened_after: Hash,
	/// Who serves.
	pub provider: AccountId,
	/// The provider's `sync` key when the lease opened (raw sr25519), if it had one: its notes
	/// are checked against this key as well as its current one, so that rotating its key does not
	/// take back the notes it signed.
	pub provider_key: Option<[u8; 32]>,
	/// What is leased.
	pub kind: ResourceKind,
	/// The capacity reserved: milli-vCPU, storage units or Mbit/s.
	pub units_per_round: u64,
	/// The usage units a round may meter: `units_per_round`, or for bandwidth
	/// `units_per_round × RoundSeconds` megabits.
	pub quota: u64,
	/// The price per usage unit, fixed when the lease opened.
	pub price: Balance,
	/// The first round of the lease.
	pub start_round: RoundIndex,
	/// The round after the last one (a cancellation brings it forward).
	pub end_round: RoundIndex,
	/// Every round before this one is settled: `start_round ≤ settled_to ≤ end_round`.
	pub settled_to: RoundIndex,
	/// What the consumer put in escrow when the lease opened.
	pub deposited: Balance,
	/// What is still held for the rounds not settled yet.
	pub escrow: Balance,
	/// What the provider was paid.
	pub paid: Balance,
	/// What went to the fee destination.
	pub fees: Balance,
	/// What returned to the consumer.
	pub refunded: Balance,
	/// The usage recorded for rounds not settled yet, by round, oldest first.
	pub records: Records,
}

/// A provider's capacity booked by one lease, kept until the lease ends.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct Booking {
	/// The lease.
	pub lease: LeaseId,
	/// The kind it books.
	pub kind: ResourceKind,
	/// How much of that kind: milli-vCPU, storage units or Mbit/s.
	pub units: u64,
	/// The round after the lease's last.
	pub end_round: RoundIndex,
}

/// What paying for usage units moved, in plancks.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct Payment<Balance> {
	/// Paid to the provider.
	pub payout: Balance,
	/// Paid to the fee destination.
	pub fee: Balance,
	/// Returned to the consumer because the provider's account could not receive the payout.
	pub unpayable: Balance,
}

/// What settling one round of a lease moved, in plancks.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct RoundSettlement<Balance> {
	/// The usage units billed.
	pub units: u64,
	/// Paid to the provider.
	pub payout: Balance,
	/// Paid to the fee destination.
	pub fee: Balance,
	/// Returned to the consumer.
	pub refund: Balance,
}
