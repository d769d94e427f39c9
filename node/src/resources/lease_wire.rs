//! The wire format of the resource endpoint's lease paths: how a consumer uses what it leased
//! from a provider whose node serves the endpoint, and how the two agree on what it used.
//!
//! Every request is an HTTP `POST` whose body is a [`LeaseRequest`] signed by the lease's
//! consumer ([`ConsumerSigned`]); every successful answer is a SCALE body, except the object a
//! `get` returns and the payload a `download` returns, which are raw bytes. A refusal is an HTTP
//! error status with a text body that starts with the name of the reason (see
//! [`LeaseRefusal`]), the pallet's error name where there is one (`QuotaExceeded`, say).
//!
//! | path | body | answer | lease kind |
//! |---|---|---|---|
//! | [`LEASE_PUT_PATH`] | [`LeaseCall::Put`] | [`Stored`] | storage |
//! | [`LEASE_GET_PATH`] | [`LeaseCall::Get`] | the object's bytes | storage |
//! | [`LEASE_DELETE_PATH`] | [`LeaseCall::Delete`] | [`Stored`] | storage |
//! | [`LEASE_DOWNLOAD_PATH`] | [`LeaseCall::Download`] | the payload bytes | bandwidth |
//! | [`LEASE_USAGE_PATH`] | [`LeaseCall::Usage`] | [`LeaseUsage`] | any |
//! | [`LEASE_RECEIPT_PATH`] | [`LeaseCall::Receipt`] | [`ReceiptTaken`] | any |
//!
//! ## Metering
//!
//! - **Storage** leases meter, for each round, the most storage units the lease held at any time in
//!   it (`ceil(bytes / storage_unit)`, the chain's probe configuration's unit): what was held when
//!   the round began counts for it.
//! - **Bandwidth** leases meter the megabits (10⁶ bits) a `download` served in the round, rounded
//!   up, `ceil(8 × bytes / 10⁶)`.
//! - **Compute** leases meter the reservation: `units_per_round` for each round of the lease the
//!   provider was seated in, the way a lease of reserved capacity bills (Akash).
//!
//! A use is metered in the round its request names, which for `put`, `delete` and `download`
//! must be the round in progress at the node (`WrongRound` otherwise: the consumer reads the
//! round again and retries), so that the node and the consumer count it in the same round. A
//! use that would take a round's counter above the lease's quota is refused (`QuotaExceeded`),
//! and nothing changes.
//!
//! ## Notes and receipts
//!
//! Once a round has ended the provider's node signs, with its `sync` key, the round's final
//! counter: a **note**, the bytes of `pallet_usage::UsageReceipt::note_payload`. It signs one
//! note per lease and round, keeps it, and never signs another for them. The consumer compares
//! the note's counter with what it saw itself and, if it agrees, signs a **receipt** (its account
//! key over `UsageReceipt::signing_payload`, the same fields) and sends it back
//! ([`LeaseCall::Receipt`]); the node's offchain worker then records the round on chain, fee-free.
//! A provider whose chain record for a round is above a note its key signed for that round can be
//! proven a fraud on chain with the note (`report_usage_fraud`).
//!
//! A note's receipt is taken until [`RECEIPT_GRACE_ROUNDS`] rounds after its round (so that the
//! node records the round before it is due for settlement); a lease whose ended round's note is
//! not receipted by then is no longer served (`ReceiptOverdue`), for good.
//!
//! ## Authentication and replay
//!
//! The consumer's account key signs [`lease_payload`]: a domain tag, the genesis hash, the path
//! and the request. The request names the lease and its `opened_after` (so it is good for no
//! other lease of the same id, on another chain from the same genesis), the round the consumer
//! believes is in progress and a fresh random nonce; the node refuses a round other than the one
//! in progress (or the one just before it, for a request in flight across the boundary; metered
//! calls must name the one in progress) and a nonce it has seen for the lease in the last two
//! rounds, so a captured request cannot be played again to run up the consumer's usage.

use codec::{Decode, Encode};
use sp_core::crypto::AccountId32;
use sp_runtime::{traits::Verify, MultiSignature};

/// Store an object under a key: storage leases.
pub const LEASE_PUT_PATH: &str = "/proof-of-sync/v1/lease/put";

/// Fetch a stored object: storage leases.
pub const LEASE_GET_PATH: &str = "/proof-of-sync/v1/lease/get";

/// Delete a stored object: storage leases.
pub const LEASE_DELETE_PATH: &str = "/proof-of-sync/v1/lease/delete";

/// Download payload bytes, metered as bandwidth: bandwidth leases.
pub const LEASE_DOWNLOAD_PATH: &str = "/proof-of-sync/v1/lease/download";

/// What the node metered, and its signed notes of ended rounds.
pub const LEASE_USAGE_PATH: &str = "/proof-of-sync/v1/lease/usage";

/// Hand the node a receipt for one of its notes.
pub const LEASE_RECEIPT_PATH: &str = "/proof-of-sync/v1/lease/receipt";

/// The domain tag in front of every signed lease request.
pub const LEASE_CONTEXT: &[u8; 19] = b"proof-of-sync/lease";

/// The longest object key, in bytes.
pub const MAX_OBJECT_KEY_BYTES: usize = 128;

/// The largest object one `put` stores, in bytes.
pub const MAX_OBJECT_BYTES: usize = 1 << 20;

/// The largest lease request body the endpoint reads: a largest object, its key and the rest.
pub const MAX_LEASE_REQUEST_BYTES: usize = MAX_OBJECT_BYTES + 4 * 1024;

/// The most objects one storage lease holds.
pub const MAX_OBJECTS_PER_LEASE: usize = 4096;

/// The largest payload one `download` returns, in bytes.
pub const MAX_DOWNLOAD_BYTES: u32 = 16 << 20;

/// The most notes one [`LeaseUsage`] carries, oldest first.
pub const MAX_NOTES: usize = 8;

/// How many rounds after a round the node keeps serving a lease whose note for it is not
/// receipted: a consumer that stops signing receipts stops being served.
pub const RECEIPT_GRACE_ROUNDS: u32 = 2;

/// What a consumer asks of a lease.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum LeaseCall {
	/// Store `data` under `key` (replacing what was there). At most [`MAX_OBJECT_KEY_BYTES`] and
	/// [`MAX_OBJECT_BYTES`].
	Put {
		/// The object's key.
		key: Vec<u8>,
		/// Its bytes.
		data: Vec<u8>,
	},
	/// Fetch the object stored under `key`.
	Get {
		/// The object's key.
		key: Vec<u8>,
	},
	/// Delete the object stored under `key`.
	Delete {
		/// The object's key.
		key: Vec<u8>,
	},
	/// Send `bytes` bytes of the payload `proof_of_sync_probe::bandwidth::payload(seed, bytes)`,
	/// at most [`MAX_DOWNLOAD_BYTES`].
	Download {
		/// Chosen by the consumer, so that it can check what it received.
		seed: [u8; 32],
		/// How many bytes.
		bytes: u32,
	},
	/// What the node metered for the lease, and its notes of ended rounds not receipted yet.
	Usage,
	/// The consumer's receipt for `counter` units of `round`: its signature over
	/// `UsageReceipt { lease, opened_after, round, counter }.signing_payload(genesis)` (see
	/// `pallet_usage`). Exactly the counter of the node's note for the round, once: a consumer
	/// that does not agree with the note signs nothing.
	Receipt {
		/// The metered round.
		round: u32,
		/// The counter receipted.
		counter: u64,
		/// The consumer's signature.
		signature: MultiSignature,
	},
}

impl LeaseCall {
	/// The path the call is made at.
	pub fn path(&self) -> &'static str {
		match self {
			LeaseCall::Put { .. } => LEASE_PUT_PATH,
			LeaseCall::Get { .. } => LEASE_GET_PATH,
			LeaseCall::Delete { .. } => LEASE_DELETE_PATH,
			LeaseCall::Download { .. } => LEASE_DOWNLOAD_PATH,
			LeaseCall::Usage => LEASE_USAGE_PATH,
			LeaseCall::Receipt { .. } => LEASE_RECEIPT_PATH,
		}
	}
}

/// A consumer's request about one of its leases.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct LeaseRequest {
	/// The lease.
	pub lease: u64,
	/// The lease's `opened_after` (`proofOfSync_lease`): another lease of the same id (on another
	/// chain from the same genesis, two dev chains say) is another lease, and the request is not
	/// good for it.
	pub opened_after: [u8; 32],
	/// The round the consumer believes is in progress.
	pub round: u32,
	/// Fresh and random: the node refuses a nonce it has seen for the lease lately.
	pub nonce: [u8; 16],
	/// What it asks.
	pub call: LeaseCall,
}

/// A [`LeaseRequest`] with the consumer's signature over [`lease_payload`]: on the wire, the
/// request then the signature.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ConsumerSigned {
	/// The request.
	pub request: LeaseRequest,
	/// The lease's consumer's account key signature.
	pub signature: MultiSignature,
}

impl ConsumerSigned {
	/// `request` signed for the chain whose genesis hash is `genesis_hash`; `sign` signs the
	/// payload with the consumer's account key.
	pub fn sign(
		request: LeaseRequest,
		genesis_hash: &[u8; 32],
		sign: impl FnOnce(&[u8]) -> MultiSignature,
	) -> Self {
		let signature = sign(&lease_payload(genesis_hash, &request));
		Self { request, signature }
	}

	/// Whether `consumer`'s key signed the request for the chain whose genesis hash is
	/// `genesis_hash`, at the path the request's call is made at.
	pub fn is_signed_by(&self, consumer: &AccountId32, genesis_hash: &[u8; 32]) -> bool {
		self.signature
			.verify(lease_payload(genesis_hash, &self.request).as_slice(), consumer)
	}
}

/// The bytes a consumer's account key signs for a lease request:
/// `(LEASE_CONTEXT, genesis_hash, path, request)`, SCALE-encoded (the request names the lease and
/// its `opened_after`).
pub fn lease_payload(genesis_hash: &[u8; 32], request: &LeaseRequest) -> Vec<u8> {
	(LEASE_CONTEXT, genesis_hash, request.call.path(), request).encode()
}

/// What a storage lease holds after a `put` or `delete`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Stored {
	/// The bytes its objects hold now.
	pub bytes: u64,
	/// How many objects it holds.
	pub objects: u32,
	/// The round in progress.
	pub round: u32,
	/// The round's counter so far: the most storage units held in it.
	pub counter: u64,
}

/// A provider node's note of a round: its final counter, signed by the provider's `sync` key
/// over `pallet_usage::UsageReceipt { lease, opened_after, round, counter }.note_payload(genesis)`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct SignedNote {
	/// The metered round (ended).
	pub round: u32,
	/// The units metered in it.
	pub counter: u64,
	/// The provider's `sync` key (sr25519) signature.
	pub signature: [u8; 64],
}

/// What the node metered for a lease.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct LeaseUsage {
	/// The round in progress, as the node sees it.
	pub round: u32,
	/// Its counter so far.
	pub counter: u64,
	/// The bytes a storage lease holds now (zero for other kinds).
	pub stored_bytes: u64,
	/// The notes of ended rounds whose receipt the node does not hold, oldest first, at most
	/// [`MAX_NOTES`]. A round with nothing metered has no note.
	pub notes: Vec<SignedNote>,
	/// The receipted counter of every ended round the node holds a receipt for, oldest first, at
	/// most [`MAX_NOTES`].
	pub receipted: Vec<(u32, u64)>,
}

/// The node took a receipt: its offchain worker records the round on chain.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ReceiptTaken {
	/// The round.
	pub round: u32,
	/// The counter receipted.
	pub counter: u64,
}

/// Why the node refuses a lease request. The text body of the refusal starts with the variant's
/// name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LeaseRefusal {
	/// 400: the body does not decode, or a field is out of its bounds.
	Malformed,
	/// 401: the signature is not the lease's consumer's.
	BadSignature,
	/// 401: the request names another round than the one in progress (or the one before).
	WrongRound,
	/// 409: the nonce was seen for this lease lately.
	ReplayedNonce,
	/// 404: no such lease on chain, or its provider's `sync` key is not on this node.
	UnknownLease,
	/// 409: the lease has not started, or has ended.
	LeaseNotLive,
	/// 400: the call does not apply to the lease's kind (a `put` on a bandwidth lease, say).
	WrongKind,
	/// 404: no object under the key.
	NoObject,
	/// 413: the use would take the round's counter above the lease's quota.
	QuotaExceeded,
	/// 413: the lease holds [`MAX_OBJECTS_PER_LEASE`] objects already.
	TooManyObjects,
	/// 402: a note of an ended round was not receipted within [`RECEIPT_GRACE_ROUNDS`] after it:
	/// the lease is no longer served.
	ReceiptOverdue,
	/// 400: the receipt is for a round with no note, for another counter than the note's, for a
	/// round already receipted, late (more than [`RECEIPT_GRACE_ROUNDS`] after its round), or not
	/// the consumer's signature.
	BadReceipt,
	/// 429: the client asked too often.
	RateLimited,
	/// 500: the node could not answer.
	Internal,
}

impl LeaseRefusal {
	/// Its name, as the text body starts with it.
	pub fn name(self) -> &'static str {
		match self {
			LeaseRefusal::Malformed => "Malformed",
			LeaseRefusal::BadSignature => "BadSignature",
			LeaseRefusal::WrongRound => "WrongRound",
			LeaseRefusal::ReplayedNonce => "ReplayedNonce",
			LeaseRefusal::UnknownLease => "UnknownLease",
			LeaseRefusal::LeaseNotLive => "LeaseNotLive",
			LeaseRefusal::WrongKind => "WrongKind",
			LeaseRefusal::NoObject => "NoObject",
			LeaseRefusal::QuotaExceeded => "QuotaExceeded",
			LeaseRefusal::TooManyObjects => "TooManyObjects",
			LeaseRefusal::ReceiptOverdue => "ReceiptOverdue",
			LeaseRefusal::BadReceipt => "BadReceipt",
			LeaseRefusal::RateLimited => "RateLimited",
			LeaseRefusal::Internal => "Internal",
		}
	}

	/// The HTTP status it goes with.
	pub fn status(self) -> u16 {
		match self {
			LeaseRefusal::Malformed | LeaseRefusal::WrongKind | LeaseRefusal::BadReceipt => 400,
			LeaseRefusal::BadSignature | LeaseRefusal::WrongRound => 401,
			LeaseRefusal::ReceiptOverdue => 402,
			LeaseRefusal::UnknownLease | LeaseRefusal::NoObject => 404,
			LeaseRefusal::ReplayedNonce | LeaseRefusal::LeaseNotLive => 409,
			LeaseRefusal::QuotaExceeded | LeaseRefusal::TooManyObjects => 413,
			LeaseRefusal::RateLimited => 429,
			LeaseRefusal::Internal => 500,
		}
	}

	/// The refusal a text body names, if any: what the consumer client reads back.
	pub fn from_body(body: &[u8]) -> Option<Self> {
		let text = core::str::from_utf8(body).ok()?;
		ALL.into_iter().find(|refusal| text.starts_with(refusal.name()))
	}
}

/// Every refusal, for [`LeaseRefusal::from_body`].
const ALL: [LeaseRefusal; 14] = [
	LeaseRefusal::Malformed,
	LeaseRefusal::BadSignature,
	LeaseRefusal::WrongRound,
	LeaseRefusal::ReplayedNonce,
	LeaseRefusal::UnknownLease,
	LeaseRefusal::LeaseNotLive,
	LeaseRefusal::WrongKind,
	LeaseRefusal::NoObject,
	LeaseRefusal::QuotaExceeded,
	LeaseRefusal::TooManyObjects,
	LeaseRefusal::ReceiptOverdue,
	LeaseRefusal::BadReceipt,
	LeaseRefusal::RateLimited,
	LeaseRefusal::Internal,
];

/// The storage units `bytes` take: `ceil(bytes / storage_unit)` (a zero unit counts every byte
/// as one).
pub fn storage_units(bytes: u64, storage_unit: u64) -> u64 {
	bytes.div_ceil(storage_unit.max(1))
}

/// The megabits `bytes` make: `ceil(8 × bytes / 10⁶)`.
pub fn megabits(bytes: u64) -> u64 {
	(u128::from(bytes) * 8).div_ceil(1_000_000).try_into().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::resources::wire::decode;
	use sp_core::{sr25519, Pair};

	#[test]
	fn every_call_round_trips_and_has_its_path() {
		let signature = MultiSignature::Sr25519(sr25519::Signature::from_raw([3; 64]));
		let calls = [
			(LeaseCall::Put { key: b"a".to_vec(), data: vec![1; 10] }, LEASE_PUT_PATH),
			(LeaseCall::Get { key: b"a".to_vec() }, LEASE_GET_PATH),
			(LeaseCall::Delete { key: b"a".to_vec() }, LEASE_DELETE_PATH),
			(LeaseCall::Download { seed: [1; 32], bytes: 9 }, LEASE_DOWNLOAD_PATH),
			(LeaseCall::Usage, LEASE_USAGE_PATH),
			(
				LeaseCall::Receipt { round: 4, counter: 5, signature: signature.clone() },
				LEASE_RECEIPT_PATH,
			),
		];
		for (call, path) in calls {
			assert_eq!(call.path(), path);
			let signed = ConsumerSigned {
				request: LeaseRequest {
					lease: 7,
					opened_after: [8; 32],
					round: 3,
					nonce: [9; 16],
					call,
				},
				signature: signature.clone(),
			};
			assert_eq!(decode::<ConsumerSigned>(&signed.encode()), Some(signed));
		}
	}

	#[test]
	fn only_the_consumer_signature_over_this_chain_and_request_verifies() {
		let consumer = sr25519::Pair::from_seed(&[1; 32]);
		let stranger = sr25519::Pair::from_seed(&[2; 32]);
		let account = AccountId32::from(consumer.public());
		let request = LeaseRequest {
			lease: 7,
			opened_after: [8; 32],
			round: 3,
			nonce: [9; 16],
			call: LeaseCall::Usage,
		};
		let genesis = [5; 32];
		let signed = ConsumerSigned::sign(request.clone(), &genesis, |p| consumer.sign(p).into());
		assert!(signed.is_signed_by(&account, &genesis));
		assert!(!signed.is_signed_by(&account, &[6; 32]));
		assert!(!signed.is_signed_by(&AccountId32::from(stranger.public()), &genesis));
		let by_stranger =
			ConsumerSigned::sign(request.clone(), &genesis, |p| stranger.sign(p).into());
		assert!(!by_stranger.is_signed_by(&account, &genesis));
		// The same signature on another request does not verify.
		let mut other = signed.clone();
		other.request.lease = 8;
		assert!(!other.is_signed_by(&account, &genesis));
		let mut other = signed.clone();
		other.request.opened_after = [9; 32];
		assert!(!other.is_signed_by(&account, &genesis));
		let mut other = signed;
		other.request.call = LeaseCall::Get { key: vec![] };
		assert!(!other.is_signed_by(&account, &genesis));
	}

	#[test]
	fn refusals_read_back_from_their_body() {
		for refusal in ALL {
			let body = format!("{}: because", refusal.name());
			assert_eq!(LeaseRefusal::from_body(body.as_bytes()), Some(refusal));
			assert!((400..600).contains(&refusal.status()));
		}
		assert_eq!(LeaseRefusal::from_body(b"Teapot"), None);
	}

	#[test]
	fn units_round_up() {
		assert_eq!(storage_units(0, 1 << 20), 0);
		assert_eq!(storage_units(1, 1 << 20), 1);
		assert_eq!(storage_units(1 << 20, 1 << 20), 1);
		assert_eq!(storage_units((1 << 20) + 1, 1 << 20), 2);
		assert_eq!(storage_units(5, 0), 5);
		assert_eq!(megabits(0), 0);
		assert_eq!(megabits(1), 1);
		assert_eq!(megabits(125_000), 1);
		assert_eq!(megabits(125_001), 2);
		assert_eq!(megabits(u64::MAX), 147_573_952_589_677);
	}
}
