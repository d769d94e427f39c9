//! The lease book: how the node serves the leases of the providers whose `sync` key it holds,
//! meters their use round by round, and agrees with their consumers on it (the wire format, and
//! what each call does, is [`super::lease_wire`]'s).
//!
//! ## Serving
//!
//! A request is answered only for a lease the chain has (`Chain::lease`), whose provider's `sync`
//! key the node holds ([`local_key`]), signed by the lease's consumer for this chain, naming the
//! round in progress or the one before, with a nonce not seen for the lease in the last two
//! rounds (at most [`MAX_NONCES_PER_ROUND`] a round). `put`, `get`, `delete` and `download` apply
//! to their kind only, while the lease runs (`start_round <= now < end_round`), and not while a
//! note is overdue ([`RECEIPT_GRACE_ROUNDS`]); `usage` and `receipt` apply to any lease, also
//! after it ended, until [`KEEP_ROUNDS_AFTER_END`] rounds after its end.
//!
//! A storage lease's objects are files under `<root>/<lease id>/`, each named by
//! [`object_file_name`] and written to a temporary file, synced, then renamed over the old one.
//! The directory also holds [`MARKER_FILE`], the lease's `opened_after`: a directory left by
//! another lease with the same id (a dev chain started again) is wiped before it is used.
//!
//! ## Metering
//!
//! Per lease and round of the lease, a counter: the most storage units held in the round (what
//! was held when it began included), the megabits of the bytes downloaded in it (rounded up once,
//! over the round's total), or for compute `units_per_round`. Rounds in which no request came are
//! filled in when the lease is next touched, from what was held then. A round is metered only
//! within the lease, and only the rounds from [`MAX_ROUNDS_KEPT`] before the one in progress (and
//! not settled on chain) are kept.
//!
//! Once a round has ended, the first request that touches the lease has the provider's `sync`
//! key sign its counter, if not zero: a **note** (`UsageReceipt::note_payload`). A round with a
//! note is never metered again, and its note is never signed again: the round the book last saw
//! stays the one in progress for it even if the best block goes back across a round change.
//!
//! ## Receipts
//!
//! A consumer's receipt for a note (for exactly the note's counter, once: the worker signs the
//! receipted counter as the provider's note when it records the round, so a receipt for less
//! would make the provider's key sign two final counters for one round) is left for the offchain
//! worker at `receipt_key(lease, round)`, a SCALE `HeldReceipt`, which the worker records on
//! chain.
//!
//! ## Persistence
//!
//! Each lease's metering state (counters, bytes served, notes, receipts taken, recent nonces of
//! the calls that change it) is a SCALE record in the node's PERSISTENT offchain storage at
//! [`meter_key`]`(lease)`, written before the answer that depends on it leaves the node: a note is
//! on disk before anyone sees it, so a restarted node hands out the same notes and never signs
//! others. The ids of the leases tracked are kept at [`METER_INDEX_KEY`], so that a restarted node
//! still cleans up after them. The objects are the truth of what a lease holds: a restarted node
//! counts its bytes and objects from the directory, and raises the counter of the last round it
//! metered (if it has no note yet) to what the directory holds, in case it stopped between a
//! file's rename and the state's write. A record that does not decode is never overwritten: the
//! lease is refused (`Internal`) until an operator looks.
//!
//! ## Cleanup
//!
//! [`LeaseBook::run`] looks at [`CLEANUP_BATCH`] tracked leases every [`CLEANUP_INTERVAL`], in
//! turn, and drops the state, the objects and the receipts left of a lease the chain no longer has
//! (seen so twice in a row, so that a runtime call that fails once drops nothing) or that ended
//! more than [`KEEP_ROUNDS_AFTER_END`] rounds ago. The book tracks at most [`MAX_TRACKED_LEASES`]
//! leases.

use std::{
	collections::{BTreeMap, BTreeSet},
	fs,
	io::{self, Read as _, Write as _},
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
	time::Duration,
};

use codec::{Decode, Encode};
use pallet_usage::{HeldReceipt, UsageReceipt};
use proof_of_sync_runtime_api::{LeaseInfo, ResourceKind};
use sp_core::{
	crypto::AccountId32,
	offchain::{OffchainStorage, STORAGE_PREFIX},
	H256,
};
use sp_runtime::{traits::Verify, MultiSignature};
use tokio::time::MissedTickBehavior;

use super::{
	blocking,
	chain::{local_key, Chain, Signer},
	lease_wire::{
		megabits, storage_units, ConsumerSigned, LeaseCall, LeaseRefusal, LeaseRequest, LeaseUsage,
		ReceiptTaken, SignedNote, Stored, MAX_DOWNLOAD_BYTES, MAX_NOTES, MAX_OBJECTS_PER_LEASE,
		MAX_OBJECT_BYTES, MAX_OBJECT_KEY_BYTES, RECEIPT_GRACE_ROUNDS,
	},
	lock, meter_key, receipt_key,
	wire::decode,
	LOG_TARGET, METER_INDEX_KEY,
};

/// How many rounds before the one in progress the book keeps a lease's metering: older rounds
/// are dropped (their notes with them) and never metered again.
pub const MAX_ROUNDS_KEPT: u32 = 16;

/// The most nonces one lease may use in one round.
pub const MAX_NONCES_PER_ROUND: usize = 1024;

/// The most leases the book tracks at once (a provider has at most 64 running, and a node
/// usually serves one provider).
pub const MAX_TRACKED_LEASES: usize = 1024;

/// How many rounds after its end the book keeps a lease's state and objects.
pub const KEEP_ROUNDS_AFTER_END: u32 = 8;

/// How often the cleanup task looks at the tracked leases.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(30);

/// How many tracked leases one cleanup pass looks at.
pub const CLEANUP_BATCH: usize = 64;

/// The longest key whose object file is named by the key's own hex (a file name holds at most
/// 255 bytes).
pub const MAX_PLAIN_KEY_BYTES: usize = 100;

/// The file in a lease's directory that holds the lease's `opened_after`.
pub const MARKER_FILE: &str = "opened-after";

/// The extension of a file being written.
const TMP_EXTENSION: &str = "tmp";

/// The most directory entries read when counting a lease's objects.
const MAX_SCANNED_ENTRIES: usize = 2 * MAX_OBJECTS_PER_LEASE + 2;

/// A lease, as the runtime API returns it.
pub type Lease = LeaseInfo<AccountId32, u128>;

/// Why a request is refused, with a word on why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Refused {
	/// The reason, whose name starts the text body.
	pub reason: LeaseRefusal,
	/// What follows it.
	pub detail: String,
}

impl Refused {
	/// `reason`, because of `detail`.
	pub fn new(reason: LeaseRefusal, detail: impl Into<String>) -> Self {
		Self { reason, detail: detail.into() }
	}

	/// The text body of the refusal: the reason's name, a colon, the detail.
	pub fn body(&self) -> String {
		format!("{}: {}", self.reason.name(), self.detail)
	}
}

/// The answer to a lease request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum LeaseAnswer {
	/// A SCALE body: `Stored`, `LeaseUsage` or `ReceiptTaken`.
	Scale(Vec<u8>),
	/// An object's bytes.
	Object(Vec<u8>),
	/// The bandwidth payload of `bytes` bytes for `seed`, to stream.
	Payload {
		/// The consumer's seed.
		seed: [u8; 32],
		/// How many bytes.
		bytes: u32,
	},
}

/// What the endpoint asks of the lease book, without knowing its types.
pub trait LeaseService: Send + Sync + 'static {
	/// The answer to `signed`, or why it is refused. Blocking: it calls the runtime, signs and
	/// reads and writes the disk.
	fn handle(&self, signed: ConsumerSigned) -> Result<LeaseAnswer, Refused>;
}

/// What the book meters for one round of a lease.
#[derive(Encode, Decode, Clone, Default, PartialEq, Eq, Debug)]
struct RoundMeter {
	/// The round's counter: final once the round has ended.
	counter: u64,
	/// The bytes downloaded in the round (bandwidth leases).
	served_bytes: u64,
	/// The provider's `sync` key signature over the note of the round's counter, once it ended.
	note: Option<[u8; 64]>,
	/// The highest counter the consumer signed a receipt for.
	receipted: Option<u64>,
}

/// The metering state of one lease, as kept at [`meter_key`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
struct LeaseMeter {
	/// The `opened_after` of the lease it is for.
	opened_after: [u8; 32],
	/// No round below it is metered or noted again.
	floor: u32,
	/// The latest round the book saw in progress.
	last_round: Option<u32>,
	/// The bytes the lease's objects hold (counted from the directory at load).
	held_bytes: u64,
	/// How many objects it holds (counted from the directory at load).
	objects: u32,
	/// The rounds metered, from `floor` on.
	rounds: BTreeMap<u32, RoundMeter>,
	/// The nonces seen, by the round they were seen in: the last two rounds only.
	nonces: BTreeMap<u32, BTreeSet<[u8; 16]>>,
}

impl LeaseMeter {
	/// Nothing metered yet for the lease opened after `opened_after`.
	fn new(opened_after: [u8; 32]) -> Self {
		Self {
			opened_after,
			floor: 0,
			last_round: None,
			held_bytes: 0,
			objects: 0,
			rounds: BTreeMap::new(),
			nonces: BTreeMap::new(),
		}
	}
}

/// A tracked lease's state, loaded when first needed.
enum Slot {
	/// Not read from the offchain storage yet.
	Unloaded,
	/// Read, and kept up to date there.
	Loaded(LeaseMeter),
	/// Dropped by the cleanup: the lease is over.
	Dropped,
}

/// Where the cleanup is in the tracked leases.
#[derive(Default)]
struct Sweep {
	/// The lease to look at next.
	cursor: u64,
	/// The leases the chain did not have at the last look.
	missing: BTreeSet<u64>,
}

/// What one request is about.
struct Context<'a> {
	/// The lease's id.
	id: u64,
	/// The lease.
	lease: &'a Lease,
	/// Its provider's `sync` key.
	key: [u8; 32],
	/// The round in progress.
	now: u32,
	/// The chain's storage unit (1 for other kinds than storage).
	unit: u64,
}

/// The lease book (see the [module docs](self)).
pub struct LeaseBook<C, S, O> {
	chain: Arc<C>,
	signer: Arc<S>,
	offchain: Mutex<O>,
	root: PathBuf,
	genesis_hash: [u8; 32],
	leases: Mutex<BTreeMap<u64, Arc<Mutex<Slot>>>>,
	sweep: Mutex<Sweep>,
}

impl<C: Chain, S: Signer, O: OffchainStorage + 'static> LeaseBook<C, S, O> {
	/// A book serving the leases of the providers whose keys `signer` holds, keeping their
	/// objects under `root` and their metering state in `offchain`.
	pub fn new(chain: Arc<C>, signer: Arc<S>, offchain: O, root: PathBuf) -> Self {
		let genesis_hash = chain.genesis_hash();
		let tracked = offchain
			.get(STORAGE_PREFIX, METER_INDEX_KEY)
			.and_then(|stored| decode::<Vec<u64>>(&stored))
			.unwrap_or_default();
		let leases = tracked
			.into_iter()
			.take(MAX_TRACKED_LEASES)
			.map(|id| (id, Arc::new(Mutex::new(Slot::Unloaded))))
			.collect();
		Self {
			chain,
			signer,
			offchain: Mutex::new(offchain),
			root,
			genesis_hash,
			leases: Mutex::new(leases),
			sweep: Mutex::new(Sweep::default()),
		}
	}

	/// Runs the cleanup: a pass every [`CLEANUP_INTERVAL`], on a blocking thread.
	pub async fn run(self: Arc<Self>) {
		let mut interval = tokio::time::interval(CLEANUP_INTERVAL);
		interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
		loop {
			interval.tick().await;
			let book = self.clone();
			blocking(move || book.cleanup()).await;
		}
	}

	/// One cleanup pass: looks at the next [`CLEANUP_BATCH`] tracked leases and drops those that
	/// are over. Blocking.
	pub fn cleanup(&self) {
		let Some(now) = self.chain.current_round() else { return };
		let batch: Vec<(u64, Arc<Mutex<Slot>>)> = {
			let leases = lock(&self.leases);
			let mut sweep = lock(&self.sweep);
			let batch: Vec<(u64, Arc<Mutex<Slot>>)> = leases
				.range(sweep.cursor..)
				.chain(leases.range(..sweep.cursor))
				.take(CLEANUP_BATCH)
				.map(|(id, slot)| (*id, slot.clone()))
				.collect();
			sweep.cursor = batch.last().map_or(0, |(id, _)| id.saturating_add(1));
			batch
		};
		for (id, slot) in batch {
			let over = match self.chain.lease_checked(id) {
				Some(Some(lease)) => {
					lock(&self.sweep).missing.remove(&id);
					now > lease.end_round.saturating_add(KEEP_ROUNDS_AFTER_END)
				},
				// Missing twice in a row: gone.
				Some(None) => !lock(&self.sweep).missing.insert(id),
				// The runtime could not answer (an upgrade it does not serve, say): nothing is
				// known, and nothing is dropped.
				None => false,
			};
			if over {
				lock(&self.sweep).missing.remove(&id);
				self.drop_lease(id, &slot);
			}
		}
	}

	/// The answer to `signed`, or why it is refused (see the [module docs](self)). Blocking.
	pub fn serve(&self, signed: ConsumerSigned) -> Result<LeaseAnswer, Refused> {
		let request = &signed.request;
		within_bounds(&request.call)?;
		let id = request.lease;
		let now = self.chain.current_round().ok_or_else(|| {
			Refused::new(LeaseRefusal::Internal, "the node does not know the round in progress")
		})?;
		let lease = self.chain.lease(id).ok_or_else(|| {
			Refused::new(LeaseRefusal::UnknownLease, format!("the chain has no lease {id}"))
		})?;
		if now > lease.end_round.saturating_add(KEEP_ROUNDS_AFTER_END) {
			let detail = format!("lease {id} ended in round {}", lease.end_round);
			return Err(Refused::new(LeaseRefusal::UnknownLease, detail));
		}
		let key = local_key(&*self.chain, &*self.signer, &lease.provider).ok_or_else(|| {
			let detail = format!("the sync key of lease {id}'s provider is not on this node");
			Refused::new(LeaseRefusal::UnknownLease, detail)
		})?;
		if request.opened_after != lease.opened_after {
			let detail = format!("the request is for another lease {id} (another chain's)");
			return Err(Refused::new(LeaseRefusal::UnknownLease, detail));
		}
		if !signed.is_signed_by(&lease.consumer, &self.genesis_hash) {
			let detail = "the request is not signed by the lease's consumer for this chain";
			return Err(Refused::new(LeaseRefusal::BadSignature, detail));
		}
		if request.round != now && request.round.saturating_add(1) != now {
			let detail = format!("round {} is not the round in progress, {now}", request.round);
			return Err(Refused::new(LeaseRefusal::WrongRound, detail));
		}
		let unit = match lease.kind {
			ResourceKind::Storage => {
				let config = self.chain.probe_config().ok_or_else(|| {
					Refused::new(LeaseRefusal::Internal, "the node does not know the storage unit")
				})?;
				config.storage_unit
			},
			ResourceKind::Compute | ResourceKind::Bandwidth => 1,
		};
		let slot = self.slot(id)?;
		let mut guard = lock(&slot);
		if matches!(*guard, Slot::Unloaded) {
			*guard = Slot::Loaded(self.load(id, &lease, unit)?);
		}
		let Slot::Loaded(meter) = &mut *guard else {
			return Err(Refused::new(LeaseRefusal::UnknownLease, format!("lease {id} is over")));
		};
		// A round seen in progress stays seen: a best block that goes back across a round change
		// does not reopen a round the book may have signed a note for.
		let now = meter.last_round.map_or(now, |last| last.max(now));
		let context = Context { id, lease: &lease, key, now, unit };
		let mut dirty = false;
		let outcome = self.process(&context, request, meter, &mut dirty);
		if dirty {
			self.save(id, meter);
		}
		outcome
	}

	/// Brings `meter` to the round in progress, checks the nonce, and answers the call. Sets
	/// `dirty` when `meter` changed in a way that must be written.
	fn process(
		&self,
		cx: &Context<'_>,
		request: &LeaseRequest,
		meter: &mut LeaseMeter,
		dirty: &mut bool,
	) -> Result<LeaseAnswer, Refused> {
		self.advance(cx, meter, dirty)?;
		admit_nonce(meter, cx.now, request.nonce)?;
		// The nonces of the calls that change what the consumer pays are written with the
		// state, so that a restarted node still refuses them again.
		if matches!(
			request.call,
			LeaseCall::Put { .. } | LeaseCall::Delete { .. } | LeaseCall::Download { .. }
		) {
			*dirty = true;
			// A use is metered in the round the consumer named, so that both count it in the
			// same one: the round in progress (the round before may have its note already).
			if request.round != cx.now {
				let detail = format!(
					"a metered call names the round in progress, {}, not {}",
					cx.now, request.round
				);
				return Err(Refused::new(LeaseRefusal::WrongRound, detail));
			}
		}
		match &request.call {
			LeaseCall::Put { key, data } => {
				usable(cx, meter, ResourceKind::Storage)?;
				self.put(cx, meter, key, data, dirty)
			},
			LeaseCall::Get { key } => {
				usable(cx, meter, ResourceKind::Storage)?;
				self.get(cx, key)
			},
			LeaseCall::Delete { key } => {
				usable(cx, meter, ResourceKind::Storage)?;
				self.delete(cx, meter, key, dirty)
			},
			LeaseCall::Download { seed, bytes } => {
				usable(cx, meter, ResourceKind::Bandwidth)?;
				download(cx, meter, *seed, *bytes, dirty)
			},
			LeaseCall::Usage => Ok(LeaseAnswer::Scale(usage(meter, cx.now).encode())),
			LeaseCall::Receipt { round, counter, signature } =>
				self.receipt(cx, meter, *round, *counter, signature, dirty),
		}
	}

	/// Brings `meter` to round `cx.now`: drops the rounds below the floor (at most
	/// [`MAX_ROUNDS_KEPT`] back, none settled), fills in the rounds since the last one seen,
	/// forgets the nonces of older rounds, and signs the note of every ended round with a counter
	/// that has none.
	fn advance(
		&self,
		cx: &Context<'_>,
		meter: &mut LeaseMeter,
		dirty: &mut bool,
	) -> Result<(), Refused> {
		let (lease, now) = (cx.lease, cx.now);
		let floor = meter
			.floor
			.max(lease.start_round)
			.max(lease.settled_to)
			.max(now.saturating_sub(MAX_ROUNDS_KEPT));
		if floor > meter.floor {
			meter.floor = floor;
			*dirty = true;
		}
		let old: Vec<u32> = meter.rounds.range(..floor).map(|(round, _)| *round).collect();
		for round in old {
			if let Some(dropped) = meter.rounds.remove(&round) {
				if dropped.receipted.is_some() {
					lock(&self.offchain).remove(STORAGE_PREFIX, &receipt_key(cx.id, round));
				}
				*dirty = true;
			}
		}
		let nonce_rounds = meter.nonces.len();
		meter.nonces.retain(|round, _| round.saturating_add(1) >= now);
		if meter.nonces.len() != nonce_rounds {
			*dirty = true;
		}
		// A new compute lease is billed from its floor; a new storage or bandwidth lease held
		// and served nothing before.
		let from = match meter.last_round {
			Some(last) => last.saturating_add(1),
			None if lease.kind == ResourceKind::Compute => floor,
			None => now,
		}
		.max(floor);
		// At most the quota: a put never takes the lease above it, but the chain's storage unit
		// may shrink under what the lease holds.
		let held = storage_units(meter.held_bytes, cx.unit).min(lease.quota);
		for round in from..=now {
			if !(lease.start_round..lease.end_round).contains(&round) ||
				meter.rounds.contains_key(&round)
			{
				continue;
			}
			let counter = match lease.kind {
				ResourceKind::Storage => held,
				ResourceKind::Compute => lease.units_per_round,
				ResourceKind::Bandwidth => 0,
			};
			meter.rounds.insert(round, RoundMeter { counter, ..Default::default() });
			*dirty = true;
		}
		if meter.last_round.is_none_or(|last| last < now) {
			meter.last_round = Some(now);
			*dirty = true;
		}
		let unsigned: Vec<(u32, u64)> = meter
			.rounds
			.range(..now)
			.filter(|(_, metered)| metered.note.is_none() && metered.counter > 0)
			.map(|(round, metered)| (*round, metered.counter))
			.collect();
		for (round, counter) in unsigned {
			let payload =
				note_payload(&self.genesis_hash, cx.id, &lease.opened_after, round, counter);
			let signature = self.signer.sign(&cx.key, &payload).ok_or_else(|| {
				Refused::new(LeaseRefusal::Internal, "the node cannot sign with the provider's key")
			})?;
			if let Some(metered) = meter.rounds.get_mut(&round) {
				metered.note = Some(signature);
				*dirty = true;
			}
		}
		Ok(())
	}

	/// Stores `data` under `key`, if the lease's quota allows what it then holds.
	fn put(
		&self,
		cx: &Context<'_>,
		meter: &mut LeaseMeter,
		key: &[u8],
		data: &[u8],
		dirty: &mut bool,
	) -> Result<LeaseAnswer, Refused> {
		let dir = self.lease_dir(cx.id);
		let path = dir.join(object_file_name(key));
		let old = object_len(&path).map_err(|error| internal(cx.id, "read an object", error))?;
		let objects = usize::try_from(meter.objects).unwrap_or(usize::MAX);
		if old.is_none() && objects >= MAX_OBJECTS_PER_LEASE {
			let detail = format!("the lease holds {MAX_OBJECTS_PER_LEASE} objects already");
			return Err(Refused::new(LeaseRefusal::TooManyObjects, detail));
		}
		let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
		let held = meter.held_bytes.saturating_sub(old.unwrap_or(0)).saturating_add(len);
		let units = storage_units(held, cx.unit);
		if units > cx.lease.quota {
			let detail =
				format!("the round's counter would be {units} of a quota of {}", cx.lease.quota);
			return Err(Refused::new(LeaseRefusal::QuotaExceeded, detail));
		}
		if !meter.rounds.contains_key(&cx.now) {
			let detail = format!("round {} is not metered", cx.now);
			return Err(Refused::new(LeaseRefusal::Internal, detail));
		}
		prepare_dir(&dir, &cx.lease.opened_after)
			.map_err(|error| internal(cx.id, "create the lease's directory", error))?;
		write_atomically(&path, data).map_err(|error| internal(cx.id, "write an object", error))?;
		meter.held_bytes = held;
		if old.is_none() {
			meter.objects = meter.objects.saturating_add(1);
		}
		let counter = match meter.rounds.get_mut(&cx.now) {
			Some(metered) => {
				metered.counter = metered.counter.max(units);
				metered.counter
			},
			None => units,
		};
		*dirty = true;
		let stored = Stored { bytes: held, objects: meter.objects, round: cx.now, counter };
		Ok(LeaseAnswer::Scale(stored.encode()))
	}

	/// The object stored under `key`.
	fn get(&self, cx: &Context<'_>, key: &[u8]) -> Result<LeaseAnswer, Refused> {
		let path = self.lease_dir(cx.id).join(object_file_name(key));
		let len = object_len(&path).map_err(|error| internal(cx.id, "read an object", error))?;
		let Some(len) = len else { return Err(no_object()) };
		if len > u64::try_from(MAX_OBJECT_BYTES).unwrap_or(u64::MAX) {
			let error = io::Error::other(format!("{len} bytes"));
			return Err(internal(cx.id, "read an object larger than any put", error));
		}
		match fs::read(&path) {
			Ok(bytes) => Ok(LeaseAnswer::Object(bytes)),
			Err(error) if error.kind() == io::ErrorKind::NotFound => Err(no_object()),
			Err(error) => Err(internal(cx.id, "read an object", error)),
		}
	}

	/// Deletes the object stored under `key`.
	fn delete(
		&self,
		cx: &Context<'_>,
		meter: &mut LeaseMeter,
		key: &[u8],
		dirty: &mut bool,
	) -> Result<LeaseAnswer, Refused> {
		let path = self.lease_dir(cx.id).join(object_file_name(key));
		let len = object_len(&path).map_err(|error| internal(cx.id, "read an object", error))?;
		let Some(len) = len else { return Err(no_object()) };
		fs::remove_file(&path).map_err(|error| internal(cx.id, "delete an object", error))?;
		meter.held_bytes = meter.held_bytes.saturating_sub(len);
		meter.objects = meter.objects.saturating_sub(1);
		*dirty = true;
		let counter = meter.rounds.get(&cx.now).map_or(0, |metered| metered.counter);
		let stored =
			Stored { bytes: meter.held_bytes, objects: meter.objects, round: cx.now, counter };
		Ok(LeaseAnswer::Scale(stored.encode()))
	}

	/// Takes the consumer's receipt for `counter` units of `round`, and leaves it for the
	/// offchain worker. A receipt is for the note's counter exactly, once: the worker signs the
	/// receipted counter as a note of the provider's when it records the round, so a receipt for
	/// less would have the provider's key sign two final counters for one round (and a record of
	/// the higher one would then read as fraud).
	fn receipt(
		&self,
		cx: &Context<'_>,
		meter: &mut LeaseMeter,
		round: u32,
		counter: u64,
		signature: &MultiSignature,
		dirty: &mut bool,
	) -> Result<LeaseAnswer, Refused> {
		let bad = |detail: String| Refused::new(LeaseRefusal::BadReceipt, detail);
		let Some(metered) = meter.rounds.get_mut(&round) else {
			return Err(bad(format!("the node has no note of round {round}")));
		};
		if metered.note.is_none() {
			return Err(bad(format!("the node has no note of round {round}")));
		}
		if counter != metered.counter {
			return Err(bad(format!("{counter} is not the note's counter, {}", metered.counter)));
		}
		// A receipt comes in time for the node to record the round before it is due: later, the
		// round may settle unrecorded, and a late receipt would buy service it never pays for.
		if cx.now > round.saturating_add(RECEIPT_GRACE_ROUNDS) || round < cx.lease.settled_to {
			return Err(bad(format!(
				"round {round}'s receipt is late: it is taken until round {}",
				round.saturating_add(RECEIPT_GRACE_ROUNDS)
			)));
		}
		if let Some(held) = metered.receipted {
			return Err(bad(format!("the node holds a receipt for {held} of round {round}")));
		}
		if !is_consumer_receipt(&self.genesis_hash, cx.id, cx.lease, round, counter, signature) {
			return Err(bad("the signature is not the consumer's over this receipt".into()));
		}
		let held = HeldReceipt { counter, signature: signature.clone() };
		lock(&self.offchain).set(STORAGE_PREFIX, &receipt_key(cx.id, round), &held.encode());
		metered.receipted = Some(counter);
		*dirty = true;
		Ok(LeaseAnswer::Scale(ReceiptTaken { round, counter }.encode()))
	}

	/// The slot of lease `id`, tracked from now on if it was not.
	fn slot(&self, id: u64) -> Result<Arc<Mutex<Slot>>, Refused> {
		let mut leases = lock(&self.leases);
		if let Some(slot) = leases.get(&id) {
			return Ok(slot.clone());
		}
		if leases.len() >= MAX_TRACKED_LEASES {
			let detail = format!("the node tracks {MAX_TRACKED_LEASES} leases already");
			return Err(Refused::new(LeaseRefusal::RateLimited, detail));
		}
		let slot = Arc::new(Mutex::new(Slot::Unloaded));
		leases.insert(id, slot.clone());
		self.save_index(&leases);
		Ok(slot)
	}

	/// Reads lease `id`'s metering state, and counts what its directory holds.
	fn load(&self, id: u64, lease: &Lease, unit: u64) -> Result<LeaseMeter, Refused> {
		let stored = lock(&self.offchain).get(STORAGE_PREFIX, &meter_key(id));
		let mut meter = match stored {
			Some(bytes) => decode::<LeaseMeter>(&bytes).ok_or_else(|| {
				log::error!(
					target: LOG_TARGET,
					"lease {id}: its metering state does not decode; it is not served",
				);
				Refused::new(LeaseRefusal::Internal, "the node cannot read the lease's state")
			})?,
			None => LeaseMeter::new(lease.opened_after),
		};
		let dir = self.lease_dir(id);
		let marker =
			read_marker(&dir).map_err(|error| internal(id, "read the lease's directory", error))?;
		let stale_meter = meter.opened_after != lease.opened_after;
		let stale_dir = match &marker {
			Some(bytes) => bytes.as_slice() != lease.opened_after.as_slice(),
			None => dir.exists(),
		};
		if stale_meter {
			log::warn!(
				target: LOG_TARGET,
				"lease {id}: the state kept is another lease's with the same id; starting over",
			);
			self.forget_receipts(id, &meter);
			meter = LeaseMeter::new(lease.opened_after);
		}
		if stale_meter || stale_dir {
			remove_dir(&dir).map_err(|error| internal(id, "wipe a stale directory", error))?;
		}
		let (objects, held) =
			scan(&dir).map_err(|error| internal(id, "count the lease's objects", error))?;
		meter.objects = objects;
		meter.held_bytes = held;
		if lease.kind == ResourceKind::Storage {
			let units = storage_units(held, unit).min(lease.quota);
			let last = meter.last_round.and_then(|last| meter.rounds.get_mut(&last));
			if let Some(metered) = last.filter(|metered| metered.note.is_none()) {
				metered.counter = metered.counter.max(units);
			}
		}
		Ok(meter)
	}

	/// Writes lease `id`'s metering state.
	fn save(&self, id: u64, meter: &LeaseMeter) {
		lock(&self.offchain).set(STORAGE_PREFIX, &meter_key(id), &meter.encode());
	}

	/// Writes the ids of the leases tracked.
	fn save_index(&self, leases: &BTreeMap<u64, Arc<Mutex<Slot>>>) {
		let ids: Vec<u64> = leases.keys().copied().collect();
		lock(&self.offchain).set(STORAGE_PREFIX, METER_INDEX_KEY, &ids.encode());
	}

	/// Removes the receipts left for the offchain worker of the rounds `meter` holds.
	fn forget_receipts(&self, id: u64, meter: &LeaseMeter) {
		let mut offchain = lock(&self.offchain);
		for (round, metered) in &meter.rounds {
			if metered.receipted.is_some() {
				offchain.remove(STORAGE_PREFIX, &receipt_key(id, *round));
			}
		}
	}

	/// Drops lease `id`: its state, its receipts, its objects, and its slot.
	fn drop_lease(&self, id: u64, slot: &Arc<Mutex<Slot>>) {
		{
			let mut guard = lock(slot);
			let meter = match std::mem::replace(&mut *guard, Slot::Dropped) {
				Slot::Loaded(meter) => Some(meter),
				Slot::Unloaded => lock(&self.offchain)
					.get(STORAGE_PREFIX, &meter_key(id))
					.and_then(|stored| decode::<LeaseMeter>(&stored)),
				Slot::Dropped => return,
			};
			if let Some(meter) = meter {
				self.forget_receipts(id, &meter);
			}
			lock(&self.offchain).remove(STORAGE_PREFIX, &meter_key(id));
			if let Err(error) = remove_dir(&self.lease_dir(id)) {
				log::warn!(target: LOG_TARGET, "lease {id}: cannot remove its objects: {error}");
			}
		}
		let mut leases = lock(&self.leases);
		if leases.get(&id).is_some_and(|current| Arc::ptr_eq(current, slot)) {
			leases.remove(&id);
			self.save_index(&leases);
		}
		log::info!(target: LOG_TARGET, "lease {id} is over: its objects and metering dropped");
	}

	/// The directory of lease `id`'s objects.
	fn lease_dir(&self, id: u64) -> PathBuf {
		self.root.join(id.to_string())
	}

	/// The ids of the leases tracked.
	#[cfg(test)]
	fn tracked(&self) -> Vec<u64> {
		lock(&self.leases).keys().copied().collect()
	}
}

impl<C: Chain, S: Signer, O: OffchainStorage + 'static> LeaseService for LeaseBook<C, S, O> {
	fn handle(&self, signed: ConsumerSigned) -> Result<LeaseAnswer, Refused> {
		self.serve(signed)
	}
}

/// The bytes the provider's `sync` key signs as its note of `counter` units of `round` of lease
/// `id` (opened after `opened_after`) on the chain whose genesis hash is `genesis_hash`:
/// `UsageReceipt::note_payload`.
pub fn note_payload(
	genesis_hash: &[u8; 32],
	id: u64,
	opened_after: &[u8; 32],
	round: u32,
	counter: u64,
) -> Vec<u8> {
	let receipt =
		UsageReceipt { lease: id, opened_after: H256::from(*opened_after), round, counter };
	receipt.note_payload(&H256::from(*genesis_hash))
}

/// Whether `signature` is `lease`'s consumer's receipt for `counter` units of `round` of lease
/// `id` on the chain whose genesis hash is `genesis_hash`: its signature over
/// `UsageReceipt::signing_payload`, or over that payload wrapped in `<Bytes>…</Bytes>`, as the
/// pallet accepts it.
pub fn is_consumer_receipt(
	genesis_hash: &[u8; 32],
	id: u64,
	lease: &Lease,
	round: u32,
	counter: u64,
	signature: &MultiSignature,
) -> bool {
	let receipt =
		UsageReceipt { lease: id, opened_after: H256::from(lease.opened_after), round, counter };
	let payload = receipt.signing_payload(&H256::from(*genesis_hash));
	if signature.verify(payload.as_slice(), &lease.consumer) {
		return true;
	}
	let wrapped = [&b"<Bytes>"[..], &payload[..], &b"</Bytes>"[..]].concat();
	signature.verify(wrapped.as_slice(), &lease.consumer)
}

/// The name of the file holding the object stored under `key`: the key in lowercase hex if it is
/// 1 to [`MAX_PLAIN_KEY_BYTES`] bytes long, else `x` then the hex of the key's BLAKE2b-256 (a file
/// name holds at most 255 bytes, and none is empty). The two forms never meet: the first is all
/// hex digits, the second starts with `x`.
pub fn object_file_name(key: &[u8]) -> String {
	if (1..=MAX_PLAIN_KEY_BYTES).contains(&key.len()) {
		hex(key)
	} else {
		format!("x{}", hex(&proof_of_sync_probe::blake2b256(&[key])))
	}
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
	use std::fmt::Write as _;
	let mut text = String::with_capacity(bytes.len().saturating_mul(2));
	for byte in bytes {
		let _ = write!(text, "{byte:02x}");
	}
	text
}

/// Whether `call` is within the wire format's bounds.
fn within_bounds(call: &LeaseCall) -> Result<(), Refused> {
	let fits = match call {
		LeaseCall::Put { key, data } =>
			key.len() <= MAX_OBJECT_KEY_BYTES && data.len() <= MAX_OBJECT_BYTES,
		LeaseCall::Get { key } | LeaseCall::Delete { key } => key.len() <= MAX_OBJECT_KEY_BYTES,
		LeaseCall::Download { bytes, .. } => *bytes <= MAX_DOWNLOAD_BYTES,
		LeaseCall::Usage | LeaseCall::Receipt { .. } => true,
	};
	if fits {
		Ok(())
	} else {
		let detail = format!(
			"keys hold at most {MAX_OBJECT_KEY_BYTES} bytes, objects {MAX_OBJECT_BYTES}, \
			 downloads {MAX_DOWNLOAD_BYTES}"
		);
		Err(Refused::new(LeaseRefusal::Malformed, detail))
	}
}

/// Records `nonce` as seen in round `now`, unless it was seen in the rounds kept (the last two).
fn admit_nonce(meter: &mut LeaseMeter, now: u32, nonce: [u8; 16]) -> Result<(), Refused> {
	if meter.nonces.values().any(|seen| seen.contains(&nonce)) {
		return Err(Refused::new(LeaseRefusal::ReplayedNonce, "the nonce was used lately"));
	}
	let seen = meter.nonces.entry(now).or_default();
	if seen.len() >= MAX_NONCES_PER_ROUND {
		let detail = format!("the lease made {MAX_NONCES_PER_ROUND} requests this round");
		return Err(Refused::new(LeaseRefusal::RateLimited, detail));
	}
	seen.insert(nonce);
	Ok(())
}

/// Whether the lease may be used now for a call of `kind`: of that kind, running, and with no
/// note overdue.
fn usable(cx: &Context<'_>, meter: &LeaseMeter, kind: ResourceKind) -> Result<(), Refused> {
	let lease = cx.lease;
	if lease.kind != kind {
		let detail = format!("the call is for {kind:?} leases, this one is {:?}", lease.kind);
		return Err(Refused::new(LeaseRefusal::WrongKind, detail));
	}
	if !(lease.start_round..lease.end_round).contains(&cx.now) {
		let detail = format!(
			"the lease runs from round {} until round {}, this is round {}",
			lease.start_round, lease.end_round, cx.now
		);
		return Err(Refused::new(LeaseRefusal::LeaseNotLive, detail));
	}
	if let Some(round) = overdue(meter, cx.now) {
		let detail = format!("the note of round {round} is not receipted");
		return Err(Refused::new(LeaseRefusal::ReceiptOverdue, detail));
	}
	Ok(())
}

/// The oldest round whose note is not receipted more than [`RECEIPT_GRACE_ROUNDS`] rounds after
/// it, if any.
fn overdue(meter: &LeaseMeter, now: u32) -> Option<u32> {
	meter
		.rounds
		.range(..now)
		.find(|(round, metered)| {
			metered.note.is_some() &&
				metered.receipted.is_none() &&
				now > round.saturating_add(RECEIPT_GRACE_ROUNDS)
		})
		.map(|(round, _)| *round)
}

/// Serves `bytes` of the payload for `seed`, if the round's megabits stay within the quota.
fn download(
	cx: &Context<'_>,
	meter: &mut LeaseMeter,
	seed: [u8; 32],
	bytes: u32,
	dirty: &mut bool,
) -> Result<LeaseAnswer, Refused> {
	let Some(metered) = meter.rounds.get_mut(&cx.now) else {
		let detail = format!("round {} is not metered", cx.now);
		return Err(Refused::new(LeaseRefusal::Internal, detail));
	};
	let served = metered.served_bytes.saturating_add(u64::from(bytes));
	let counter = megabits(served);
	if counter > cx.lease.quota {
		let detail =
			format!("the round's counter would be {counter} of a quota of {}", cx.lease.quota);
		return Err(Refused::new(LeaseRefusal::QuotaExceeded, detail));
	}
	metered.served_bytes = served;
	metered.counter = metered.counter.max(counter);
	*dirty = true;
	Ok(LeaseAnswer::Payload { seed, bytes })
}

/// What the book metered for the lease: the round in progress, and the notes and receipts of
/// the ended ones.
fn usage(meter: &LeaseMeter, now: u32) -> LeaseUsage {
	let notes = meter
		.rounds
		.range(..now)
		.filter_map(|(round, metered)| match (metered.note, metered.receipted) {
			(Some(signature), None) =>
				Some(SignedNote { round: *round, counter: metered.counter, signature }),
			_ => None,
		})
		.take(MAX_NOTES)
		.collect();
	let receipted: Vec<(u32, u64)> = meter
		.rounds
		.iter()
		.filter_map(|(round, metered)| metered.receipted.map(|counter| (*round, counter)))
		.collect();
	let skip = receipted.len().saturating_sub(MAX_NOTES);
	LeaseUsage {
		round: now,
		counter: meter.rounds.get(&now).map_or(0, |metered| metered.counter),
		stored_bytes: meter.held_bytes,
		notes,
		receipted: receipted.into_iter().skip(skip).collect(),
	}
}

/// The refusal of a call on an object that is not there.
fn no_object() -> Refused {
	Refused::new(LeaseRefusal::NoObject, "no object under the key")
}

/// An `Internal` refusal because the book could not `what`, logged.
fn internal(id: u64, what: &str, error: io::Error) -> Refused {
	log::warn!(target: LOG_TARGET, "lease {id}: cannot {what}: {error}");
	Refused::new(LeaseRefusal::Internal, format!("the node cannot {what}"))
}

/// The size of the object file at `path`, if there is one.
fn object_len(path: &Path) -> io::Result<Option<u64>> {
	match fs::metadata(path) {
		Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
		Ok(_) => Err(io::Error::other("not a regular file")),
		Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
		Err(error) => Err(error),
	}
}

/// Writes `data` to `path` at once: to a temporary file beside it, synced, then renamed over it.
fn write_atomically(path: &Path, data: &[u8]) -> io::Result<()> {
	let tmp = path.with_extension(TMP_EXTENSION);
	let result = write_synced(&tmp, data).and_then(|()| fs::rename(&tmp, path));
	if result.is_err() {
		let _ = fs::remove_file(&tmp);
	}
	result
}

/// Writes `data` to a new file at `path`, and syncs it.
fn write_synced(path: &Path, data: &[u8]) -> io::Result<()> {
	let mut file = fs::File::create(path)?;
	file.write_all(data)?;
	file.sync_all()
}

/// Creates the lease directory `dir`, with its [`MARKER_FILE`], if it is not there.
fn prepare_dir(dir: &Path, opened_after: &[u8; 32]) -> io::Result<()> {
	fs::create_dir_all(dir)?;
	let marker = dir.join(MARKER_FILE);
	if !marker.exists() {
		write_atomically(&marker, opened_after)?;
	}
	Ok(())
}

/// What the [`MARKER_FILE`] of `dir` holds (its first 64 bytes), if there is one.
fn read_marker(dir: &Path) -> io::Result<Option<Vec<u8>>> {
	match fs::File::open(dir.join(MARKER_FILE)) {
		Ok(file) => {
			let mut bytes = Vec::new();
			file.take(64).read_to_end(&mut bytes)?;
			Ok(Some(bytes))
		},
		Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
		Err(error) => Err(error),
	}
}

/// Removes `dir` and everything in it, if it is there.
fn remove_dir(dir: &Path) -> io::Result<()> {
	match fs::remove_dir_all(dir) {
		Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
		other => other,
	}
}

/// How many objects `dir` holds, and their bytes (at most [`MAX_SCANNED_ENTRIES`] entries read);
/// temporary files left by a write that did not finish are removed.
fn scan(dir: &Path) -> io::Result<(u32, u64)> {
	let entries = match fs::read_dir(dir) {
		Ok(entries) => entries,
		Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok((0, 0)),
		Err(error) => return Err(error),
	};
	let (mut objects, mut bytes) = (0u32, 0u64);
	for entry in entries.take(MAX_SCANNED_ENTRIES) {
		let entry = entry?;
		let path = entry.path();
		if entry.file_name().to_str() == Some(MARKER_FILE) {
			continue;
		}
		if path.extension().and_then(|extension| extension.to_str()) == Some(TMP_EXTENSION) {
			let _ = fs::remove_file(&path);
			continue;
		}
		let meta = entry.metadata()?;
		if meta.is_file() {
			objects = objects.saturating_add(1);
			bytes = bytes.saturating_add(meta.len());
		}
	}
	Ok((objects, bytes))
}

#[cfg(test)]
mod tests {
	use super::{
		super::chain::{
			testing::{lease as lease_info, public, round, FakeChain, FakeSigner},
			verify_signature,
		},
		*,
	};
	use proof_of_sync_runtime_api::ProbeConfig;
	use sp_core::{offchain::storage::InMemOffchainStorage, sr25519, Pair as _};

	const PROVIDER_SEED: [u8; 32] = [1; 32];
	const CONSUMER_SEED: [u8; 32] = [2; 32];
	const STRANGER_SEED: [u8; 32] = [3; 32];
	const GENESIS: [u8; 32] = [9; 32];
	/// The `opened_after` of every test lease (`testing::lease`'s).
	const OPENED_AFTER: [u8; 32] = [8; 32];
	/// The chain's storage unit, in bytes.
	const UNIT: u64 = 100;

	/// A storage lease of 10 units, rounds 5 to 19.
	const STORAGE: u64 = 1;
	/// A bandwidth lease of 2 megabits a round, rounds 5 to 19.
	const BANDWIDTH: u64 = 2;
	/// A compute lease of 7 units, rounds 5 to 7.
	const COMPUTE: u64 = 3;
	/// A storage lease of a provider whose key the node does not hold.
	const ELSEWHERE: u64 = 4;
	/// A storage lease starting in round 6.
	const LATER: u64 = 5;

	type Book = LeaseBook<FakeChain, FakeSigner, InMemOffchainStorage>;

	fn provider() -> AccountId32 {
		AccountId32::new([11; 32])
	}

	fn pair(seed: [u8; 32]) -> sr25519::Pair {
		sr25519::Pair::from_seed(&seed)
	}

	fn consumer() -> AccountId32 {
		AccountId32::from(pair(CONSUMER_SEED).public())
	}

	/// A chain in round 5 whose provider's key the node holds, with the test leases.
	fn chain() -> Arc<FakeChain> {
		let chain = Arc::new(FakeChain::default());
		let other = AccountId32::new([13; 32]);
		chain.with(|s| {
			s.genesis_hash = GENESIS;
			s.round = Some(round(5, 50, 10));
			s.config = Some(ProbeConfig { storage_unit: UNIT, ..Default::default() });
			s.keys.insert(provider(), public(PROVIDER_SEED));
			s.keys.insert(other.clone(), public(STRANGER_SEED));
			let leases = [
				lease_info(STORAGE, consumer(), provider(), ResourceKind::Storage, 10, 10, 5, 20),
				lease_info(BANDWIDTH, consumer(), provider(), ResourceKind::Bandwidth, 1, 2, 5, 20),
				lease_info(COMPUTE, consumer(), provider(), ResourceKind::Compute, 7, 7, 5, 8),
				lease_info(ELSEWHERE, consumer(), other, ResourceKind::Storage, 10, 10, 5, 20),
				lease_info(LATER, consumer(), provider(), ResourceKind::Storage, 10, 10, 6, 20),
			];
			for lease in leases {
				s.leases.insert(lease.id, lease);
			}
		});
		chain
	}

	/// `request` signed by the key of `seed` for the chain whose genesis hash is `genesis`.
	fn sign(request: LeaseRequest, seed: [u8; 32], genesis: &[u8; 32]) -> ConsumerSigned {
		ConsumerSigned::sign(request, genesis, |payload| pair(seed).sign(payload).into())
	}

	/// The key of `seed`'s receipt for `counter` units of `round` of lease `id`.
	fn receipt_signature(id: u64, round: u32, counter: u64, seed: [u8; 32]) -> MultiSignature {
		let opened_after = H256::from(OPENED_AFTER);
		let receipt = UsageReceipt { lease: id, opened_after, round, counter };
		pair(seed).sign(&receipt.signing_payload(&H256::from(GENESIS))).into()
	}

	/// Whether `note` is the provider's note of lease `id`.
	fn signed_by_provider(id: u64, note: &SignedNote) -> bool {
		let payload = note_payload(&GENESIS, id, &OPENED_AFTER, note.round, note.counter);
		verify_signature(&public(PROVIDER_SEED), &payload, &note.signature)
	}

	fn rounds_of(notes: &[SignedNote]) -> Vec<(u32, u64)> {
		notes.iter().map(|note| (note.round, note.counter)).collect()
	}

	fn stored(answer: LeaseAnswer) -> Stored {
		match answer {
			LeaseAnswer::Scale(bytes) => decode(&bytes).expect("a Stored"),
			other => panic!("not a SCALE answer: {other:?}"),
		}
	}

	/// A book over the test chain, a temporary directory and an in-memory offchain storage.
	struct Harness {
		chain: Arc<FakeChain>,
		book: Book,
		dir: tempfile::TempDir,
		nonce: u128,
	}

	impl Harness {
		fn new() -> Self {
			let chain = chain();
			let dir = tempfile::tempdir().expect("a temporary directory");
			let book = Self::book(&chain, &dir, InMemOffchainStorage::default());
			Self { chain, book, dir, nonce: 0 }
		}

		fn book(
			chain: &Arc<FakeChain>,
			dir: &tempfile::TempDir,
			offchain: InMemOffchainStorage,
		) -> Book {
			let signer = Arc::new(FakeSigner::from_seeds(&[PROVIDER_SEED]));
			LeaseBook::new(chain.clone(), signer, offchain, dir.path().join("leases"))
		}

		/// The node stops and starts again, with the same offchain storage and directory.
		fn restart(&mut self) {
			let offchain = lock(&self.book.offchain).clone();
			self.book = Self::book(&self.chain, &self.dir, offchain);
		}

		fn set_round(&self, index: u32) {
			self.chain.with(|s| s.round = Some(round(index, index * 10, 10)));
		}

		fn now(&self) -> u32 {
			self.chain.current_round().expect("a round")
		}

		/// A request for the round in progress with a fresh nonce.
		fn request(&mut self, lease: u64, call: LeaseCall) -> LeaseRequest {
			self.nonce += 1;
			LeaseRequest {
				lease,
				opened_after: OPENED_AFTER,
				round: self.now(),
				nonce: self.nonce.to_le_bytes(),
				call,
			}
		}

		fn send(&self, signed: ConsumerSigned) -> Result<LeaseAnswer, LeaseRefusal> {
			self.book.serve(signed).map_err(|refused| refused.reason)
		}

		/// `call` made by the consumer, as it should be.
		fn call(&mut self, lease: u64, call: LeaseCall) -> Result<LeaseAnswer, LeaseRefusal> {
			let request = self.request(lease, call);
			self.send(sign(request, CONSUMER_SEED, &GENESIS))
		}

		fn put(&mut self, key: &[u8], len: usize) -> Result<Stored, LeaseRefusal> {
			let call = LeaseCall::Put { key: key.to_vec(), data: vec![7; len] };
			self.call(STORAGE, call).map(stored)
		}

		fn get(&mut self, key: &[u8]) -> Result<LeaseAnswer, LeaseRefusal> {
			self.call(STORAGE, LeaseCall::Get { key: key.to_vec() })
		}

		fn delete(&mut self, key: &[u8]) -> Result<Stored, LeaseRefusal> {
			self.call(STORAGE, LeaseCall::Delete { key: key.to_vec() }).map(stored)
		}

		fn download(&mut self, bytes: u32) -> Result<LeaseAnswer, LeaseRefusal> {
			self.call(BANDWIDTH, LeaseCall::Download { seed: [4; 32], bytes })
		}

		fn usage(&mut self, lease: u64) -> LeaseUsage {
			match self.call(lease, LeaseCall::Usage) {
				Ok(LeaseAnswer::Scale(bytes)) => decode(&bytes).expect("a LeaseUsage"),
				other => panic!("no usage: {other:?}"),
			}
		}

		fn receipt(
			&mut self,
			lease: u64,
			round: u32,
			counter: u64,
			signature: MultiSignature,
		) -> Result<LeaseAnswer, LeaseRefusal> {
			self.call(lease, LeaseCall::Receipt { round, counter, signature })
		}

		fn offchain(&self, key: &[u8]) -> Option<Vec<u8>> {
			lock(&self.book.offchain).get(STORAGE_PREFIX, key)
		}

		fn meter(&self, lease: u64) -> LeaseMeter {
			let stored = self.offchain(&meter_key(lease)).expect("a metering state");
			decode(&stored).expect("a LeaseMeter")
		}

		fn lease_dir(&self, lease: u64) -> PathBuf {
			self.dir.path().join("leases").join(lease.to_string())
		}

		fn object(&self, key: &[u8]) -> PathBuf {
			self.lease_dir(STORAGE).join(object_file_name(key))
		}

		/// The names of the files in the storage lease's directory, sorted.
		fn files(&self) -> Vec<String> {
			let mut names: Vec<String> = fs::read_dir(self.lease_dir(STORAGE))
				.expect("the lease's directory")
				.map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
				.collect();
			names.sort();
			names
		}
	}

	#[test]
	fn objects_are_stored_replaced_and_deleted_and_the_most_held_counts() {
		let mut h = Harness::new();
		// 150 bytes are 2 units of 100.
		assert_eq!(h.put(b"a", 150), Ok(Stored { bytes: 150, objects: 1, round: 5, counter: 2 }));
		assert!(h.object(b"a").ends_with("leases/1/61"));
		assert_eq!(fs::read(h.object(b"a")).ok(), Some(vec![7; 150]));
		assert_eq!(h.put(b"b", 100), Ok(Stored { bytes: 250, objects: 2, round: 5, counter: 3 }));
		assert_eq!(h.get(b"a"), Ok(LeaseAnswer::Object(vec![7; 150])));
		// A put under a key in use replaces the object: the lease holds the difference.
		assert_eq!(h.put(b"a", 50), Ok(Stored { bytes: 150, objects: 2, round: 5, counter: 3 }));
		assert_eq!(h.get(b"a"), Ok(LeaseAnswer::Object(vec![7; 50])));
		assert_eq!(h.delete(b"b"), Ok(Stored { bytes: 50, objects: 1, round: 5, counter: 3 }));
		assert!(!h.object(b"b").exists());
		assert_eq!(h.get(b"b"), Err(LeaseRefusal::NoObject));
		assert_eq!(h.delete(b"b"), Err(LeaseRefusal::NoObject));
		// No temporary file is left behind.
		assert_eq!(h.files(), [object_file_name(b"a"), MARKER_FILE.to_string()]);
		// The longest key has a hashed name; a longer one is refused.
		let long = [5u8; MAX_OBJECT_KEY_BYTES];
		assert_eq!(h.put(&long, 1).map(|s| s.objects), Ok(2));
		assert!(object_file_name(&long).starts_with('x'));
		assert!(h.object(&long).exists());
		assert_eq!(h.delete(&long).map(|s| s.bytes), Ok(50));
		assert_eq!(h.put(&[5; MAX_OBJECT_KEY_BYTES + 1], 1), Err(LeaseRefusal::Malformed));

		// Round 6 counts what it began with (50 bytes: 1 unit); round 5's note has its most.
		h.set_round(6);
		let usage = h.usage(STORAGE);
		assert_eq!((usage.round, usage.counter, usage.stored_bytes), (6, 1, 50));
		assert_eq!(rounds_of(&usage.notes), [(5, 3)]);
		assert!(usage.notes.iter().all(|note| signed_by_provider(STORAGE, note)));
		// Within round 6 the lease holds 4 units, then 1 again: the counter keeps 4.
		assert_eq!(h.put(b"c", 350), Ok(Stored { bytes: 400, objects: 2, round: 6, counter: 4 }));
		assert_eq!(h.delete(b"c"), Ok(Stored { bytes: 50, objects: 1, round: 6, counter: 4 }));
		h.set_round(7);
		assert_eq!(rounds_of(&h.usage(STORAGE).notes), [(5, 3), (6, 4)]);
	}

	#[test]
	fn rounds_without_a_request_count_what_was_held() {
		let mut h = Harness::new();
		assert_eq!(h.put(b"a", 250).map(|s| s.counter), Ok(3));
		// Nothing comes in round 6: it held 3 units all along.
		h.set_round(7);
		let usage = h.usage(STORAGE);
		assert_eq!(rounds_of(&usage.notes), [(5, 3), (6, 3)]);
		assert!(usage.notes.iter().all(|note| signed_by_provider(STORAGE, note)));
		assert_eq!((usage.round, usage.counter), (7, 3));
		// Emptied in round 7: round 8 held nothing, and has no note.
		for round in 5..7 {
			let signature = receipt_signature(STORAGE, round, 3, CONSUMER_SEED);
			assert!(h.receipt(STORAGE, round, 3, signature).is_ok());
		}
		assert_eq!(h.delete(b"a").map(|s| s.counter), Ok(3));
		h.set_round(9);
		let usage = h.usage(STORAGE);
		assert_eq!(rounds_of(&usage.notes), [(7, 3)]);
		assert_eq!((usage.round, usage.counter, usage.stored_bytes), (9, 0, 0));
	}

	#[test]
	fn a_put_above_the_quota_changes_nothing() {
		let mut h = Harness::new();
		assert_eq!(h.put(b"a", 900).map(|s| s.counter), Ok(9));
		// 1 001 bytes would be 11 units, above the quota of 10.
		assert_eq!(h.put(b"b", 101), Err(LeaseRefusal::QuotaExceeded));
		assert!(!h.object(b"b").exists());
		assert_eq!(h.files(), [object_file_name(b"a"), MARKER_FILE.to_string()]);
		let usage = h.usage(STORAGE);
		assert_eq!((usage.counter, usage.stored_bytes), (9, 900));
		// Replacing within the quota is fine, above it is not, and keeps the object.
		assert_eq!(h.put(b"a", 1_000).map(|s| (s.bytes, s.counter)), Ok((1_000, 10)));
		assert_eq!(h.put(b"a", 1_001), Err(LeaseRefusal::QuotaExceeded));
		assert_eq!(h.get(b"a"), Ok(LeaseAnswer::Object(vec![7; 1_000])));
		let meter = h.meter(STORAGE);
		assert_eq!((meter.held_bytes, meter.objects), (1_000, 1));
		assert_eq!(meter.rounds.get(&5u32).map(|metered| metered.counter), Some(10));
	}

	#[test]
	fn only_the_consumer_on_this_chain_in_this_round_once() {
		let mut h = Harness::new();
		let request = h.request(STORAGE, LeaseCall::Usage);
		// A stranger's signature, or the consumer's for another chain.
		let stranger = sign(request.clone(), STRANGER_SEED, &GENESIS);
		assert_eq!(h.send(stranger), Err(LeaseRefusal::BadSignature));
		let elsewhere = sign(request.clone(), CONSUMER_SEED, &[6; 32]);
		assert_eq!(h.send(elsewhere), Err(LeaseRefusal::BadSignature));
		// The consumer's own request is answered once (the refusals did not burn its nonce).
		let good = sign(request, CONSUMER_SEED, &GENESIS);
		assert!(h.send(good.clone()).is_ok());
		assert_eq!(h.send(good.clone()), Err(LeaseRefusal::ReplayedNonce));
		// In the next round it is still in flight, and still refused...
		h.set_round(6);
		assert_eq!(h.send(good.clone()), Err(LeaseRefusal::ReplayedNonce));
		// ...and after that it names a round long gone.
		h.set_round(7);
		assert_eq!(h.send(good), Err(LeaseRefusal::WrongRound));
		for round in [5, 8] {
			let mut request = h.request(STORAGE, LeaseCall::Usage);
			request.round = round;
			let answer = h.send(sign(request, CONSUMER_SEED, &GENESIS));
			assert_eq!(answer.map(|_| ()), Err(LeaseRefusal::WrongRound));
		}
		let mut request = h.request(STORAGE, LeaseCall::Usage);
		request.round = 6;
		assert!(h.send(sign(request, CONSUMER_SEED, &GENESIS)).is_ok());
		// A metered call is counted in the round it names, which must be the one in progress:
		// the round before may have its note already, and the consumer counts it in the round
		// it named.
		for call in [
			LeaseCall::Put { key: b"late".to_vec(), data: vec![1; 10] },
			LeaseCall::Delete { key: b"late".to_vec() },
		] {
			let mut request = h.request(STORAGE, call);
			request.round = 6;
			let answer = h.send(sign(request, CONSUMER_SEED, &GENESIS));
			assert_eq!(answer.map(|_| ()), Err(LeaseRefusal::WrongRound));
		}
		assert!(!h.object(b"late").exists());

		// A put, replayed after the node restarted, is still refused.
		let request = h.request(STORAGE, LeaseCall::Put { key: b"a".to_vec(), data: vec![1; 10] });
		let put = sign(request, CONSUMER_SEED, &GENESIS);
		assert!(h.send(put.clone()).is_ok());
		assert!(h.delete(b"a").is_ok());
		h.restart();
		assert_eq!(h.send(put), Err(LeaseRefusal::ReplayedNonce));
		assert!(!h.object(b"a").exists());
	}

	#[test]
	fn only_chain_leases_of_local_providers_are_served() {
		let mut h = Harness::new();
		assert_eq!(h.call(99, LeaseCall::Usage).map(|_| ()), Err(LeaseRefusal::UnknownLease));
		// A request for another lease of the same id (another dev chain's) is not this lease's.
		let mut request = h.request(STORAGE, LeaseCall::Usage);
		request.opened_after = [1; 32];
		let answer = h.send(sign(request, CONSUMER_SEED, &GENESIS));
		assert_eq!(answer.map(|_| ()), Err(LeaseRefusal::UnknownLease));
		let put = LeaseCall::Put { key: b"a".to_vec(), data: vec![1] };
		assert_eq!(h.call(ELSEWHERE, put).map(|_| ()), Err(LeaseRefusal::UnknownLease));
		assert_eq!(
			h.call(ELSEWHERE, LeaseCall::Usage).map(|_| ()),
			Err(LeaseRefusal::UnknownLease)
		);
		assert!(!h.lease_dir(ELSEWHERE).exists());
		assert_eq!(h.book.tracked(), Vec::<u64>::new());
	}

	#[test]
	fn calls_fit_the_lease_kind_and_its_rounds() {
		let mut h = Harness::new();
		let put = || LeaseCall::Put { key: b"a".to_vec(), data: vec![1] };
		let download = || LeaseCall::Download { seed: [1; 32], bytes: 1 };
		assert_eq!(h.call(BANDWIDTH, put()).map(|_| ()), Err(LeaseRefusal::WrongKind));
		assert_eq!(h.call(STORAGE, download()).map(|_| ()), Err(LeaseRefusal::WrongKind));
		let get = LeaseCall::Get { key: b"a".to_vec() };
		assert_eq!(h.call(COMPUTE, get).map(|_| ()), Err(LeaseRefusal::WrongKind));
		// Before its start.
		assert_eq!(h.call(LATER, put()).map(|_| ()), Err(LeaseRefusal::LeaseNotLive));
		assert_eq!(h.usage(LATER).counter, 0);
		h.set_round(6);
		assert!(h.call(LATER, put()).is_ok());
		// After its end (round 20): usage and receipts only.
		h.set_round(20);
		assert_eq!(h.call(STORAGE, put()).map(|_| ()), Err(LeaseRefusal::LeaseNotLive));
		assert_eq!(h.call(BANDWIDTH, download()).map(|_| ()), Err(LeaseRefusal::LeaseNotLive));
		assert_eq!(h.usage(STORAGE).round, 20);
		// Long after its end, not at all.
		h.set_round(20 + KEEP_ROUNDS_AFTER_END + 1);
		let usage = h.call(STORAGE, LeaseCall::Usage).map(|_| ());
		assert_eq!(usage, Err(LeaseRefusal::UnknownLease));
	}

	#[test]
	fn notes_are_signed_once_and_the_same_after_a_restart() {
		let mut h = Harness::new();
		// Compute: the reservation, every round of the lease.
		let usage = h.usage(COMPUTE);
		assert_eq!((usage.counter, usage.notes.len()), (7, 0));
		assert_eq!(h.put(b"a", 250).map(|s| s.counter), Ok(3));
		h.set_round(7);
		let compute = h.usage(COMPUTE);
		assert_eq!(rounds_of(&compute.notes), [(5, 7), (6, 7)]);
		assert!(compute.notes.iter().all(|note| signed_by_provider(COMPUTE, note)));
		let storage = h.usage(STORAGE);
		assert_eq!(rounds_of(&storage.notes), [(5, 3), (6, 3)]);
		// On disk before they were handed out.
		let meter = h.meter(COMPUTE);
		let kept: Vec<Option<[u8; 64]>> = [5u32, 6]
			.iter()
			.map(|round| meter.rounds.get(round).and_then(|metered| metered.note))
			.collect();
		assert_eq!(kept, compute.notes.iter().map(|note| Some(note.signature)).collect::<Vec<_>>());
		// Asked again: the same notes, not signed again (sr25519 signatures are randomized).
		assert_eq!(h.usage(COMPUTE).notes, compute.notes);
		// The node restarts: the same notes still.
		h.restart();
		assert_eq!(h.usage(COMPUTE).notes, compute.notes);
		assert_eq!(h.usage(STORAGE).notes, storage.notes);
		// Even if the storage grows now, round 6 keeps its note.
		assert!(h.put(b"b", 500).is_ok());
		assert_eq!(h.usage(STORAGE).notes, storage.notes);
		// A best block back in round 6 does not reopen it.
		h.set_round(6);
		assert_eq!(h.usage(STORAGE).notes, storage.notes);
		assert_eq!(h.usage(STORAGE).round, 7);
		// The compute lease ended with round 7: no note for the rounds after.
		h.set_round(10);
		assert_eq!(rounds_of(&h.usage(COMPUTE).notes), [(5, 7), (6, 7), (7, 7)]);
	}

	#[test]
	fn receipts_are_checked_and_left_for_the_offchain_worker() {
		let mut h = Harness::new();
		assert!(h.put(b"a", 250).is_ok());
		h.set_round(6);
		assert_eq!(rounds_of(&h.usage(STORAGE).notes), [(5, 3)]);
		let key = receipt_key(STORAGE, 5);
		let bad = Err(LeaseRefusal::BadReceipt);
		// Above the note, zero, by a stranger, for another lease, for rounds with no note.
		let above = receipt_signature(STORAGE, 5, 4, CONSUMER_SEED);
		assert_eq!(h.receipt(STORAGE, 5, 4, above).map(|_| ()), bad);
		let zero = receipt_signature(STORAGE, 5, 0, CONSUMER_SEED);
		assert_eq!(h.receipt(STORAGE, 5, 0, zero).map(|_| ()), bad);
		let stranger = receipt_signature(STORAGE, 5, 3, STRANGER_SEED);
		assert_eq!(h.receipt(STORAGE, 5, 3, stranger).map(|_| ()), bad);
		let other_lease = receipt_signature(BANDWIDTH, 5, 3, CONSUMER_SEED);
		assert_eq!(h.receipt(STORAGE, 5, 3, other_lease).map(|_| ()), bad);
		let mismatched = receipt_signature(STORAGE, 5, 2, CONSUMER_SEED);
		assert_eq!(h.receipt(STORAGE, 5, 3, mismatched).map(|_| ()), bad);
		for round in [4, 6] {
			let signature = receipt_signature(STORAGE, round, 1, CONSUMER_SEED);
			assert_eq!(h.receipt(STORAGE, round, 1, signature).map(|_| ()), bad);
		}
		assert_eq!(h.offchain(&key), None);

		// A receipt for less than the note is refused: the worker would sign its counter as the
		// provider's note, a second final counter for the round.
		let two = receipt_signature(STORAGE, 5, 2, CONSUMER_SEED);
		assert_eq!(h.receipt(STORAGE, 5, 2, two).map(|_| ()), bad);
		assert_eq!(h.offchain(&key), None);
		// The note's counter, signed as a wallet signs raw bytes, lands where the offchain
		// worker reads it.
		let opened_after = H256::from(OPENED_AFTER);
		let receipt = UsageReceipt { lease: STORAGE, opened_after, round: 5, counter: 3 };
		let payload = receipt.signing_payload(&H256::from(GENESIS));
		let wrapped = [&b"<Bytes>"[..], &payload[..], &b"</Bytes>"[..]].concat();
		let three: MultiSignature = pair(CONSUMER_SEED).sign(&wrapped).into();
		let taken = h.receipt(STORAGE, 5, 3, three.clone());
		assert_eq!(taken, Ok(LeaseAnswer::Scale(ReceiptTaken { round: 5, counter: 3 }.encode())));
		let held = HeldReceipt { counter: 3, signature: three.clone() };
		assert_eq!(h.offchain(&key), Some(held.encode()));
		let read: Option<HeldReceipt<MultiSignature>> = h.offchain(&key).and_then(|b| decode(&b));
		assert_eq!(read.map(|held| held.counter), Some(3));
		// Once only.
		assert_eq!(h.receipt(STORAGE, 5, 3, three).map(|_| ()), bad);
		let usage = h.usage(STORAGE);
		assert!(usage.notes.is_empty());
		assert_eq!(usage.receipted, [(5, 3)]);
		// Kept across a restart.
		h.restart();
		assert_eq!(h.usage(STORAGE).receipted, [(5, 3)]);
	}

	#[test]
	fn a_note_not_receipted_in_time_stops_the_service_for_good() {
		let mut h = Harness::new();
		assert!(h.put(b"a", 250).is_ok());
		h.set_round(7);
		// Two rounds of grace: round 5's receipt is still taken in round 7.
		assert!(h.put(b"b", 10).is_ok());
		let signature = receipt_signature(STORAGE, 5, 3, CONSUMER_SEED);
		assert!(h.receipt(STORAGE, 5, 3, signature).is_ok());
		h.set_round(8);
		assert_eq!(h.put(b"c", 10).map(|s| s.bytes), Ok(270));
		// Round 6's grace ended with round 8.
		h.set_round(9);
		assert_eq!(h.put(b"d", 10), Err(LeaseRefusal::ReceiptOverdue));
		assert_eq!(h.get(b"a"), Err(LeaseRefusal::ReceiptOverdue));
		assert!(!h.object(b"d").exists());
		// Usage still answers; a late receipt is refused (the round may settle unrecorded before
		// the node could record it), so the lease stays unserved.
		let usage = h.usage(STORAGE);
		assert_eq!(rounds_of(&usage.notes), [(6, 3), (7, 3), (8, 3)]);
		let late = receipt_signature(STORAGE, 6, 3, CONSUMER_SEED);
		assert_eq!(h.receipt(STORAGE, 6, 3, late).map(|_| ()), Err(LeaseRefusal::BadReceipt));
		assert_eq!(h.get(b"a"), Err(LeaseRefusal::ReceiptOverdue));
	}

	#[test]
	fn bandwidth_meters_the_round_s_megabits_rounded_up() {
		let mut h = Harness::new();
		assert_eq!(h.download(100_000), Ok(LeaseAnswer::Payload { seed: [4; 32], bytes: 100_000 }));
		assert_eq!(h.usage(BANDWIDTH).counter, 1);
		// 125 000 bytes are exactly 1 megabit; one byte more is 2.
		assert!(h.download(25_000).is_ok());
		assert_eq!(h.usage(BANDWIDTH).counter, 1);
		assert!(h.download(1).is_ok());
		assert_eq!(h.usage(BANDWIDTH).counter, 2);
		// 3 megabits would be above the quota of 2.
		assert_eq!(h.download(125_000), Err(LeaseRefusal::QuotaExceeded));
		assert_eq!(h.usage(BANDWIDTH).counter, 2);
		assert_eq!(h.meter(BANDWIDTH).rounds.get(&5u32).map(|m| m.served_bytes), Some(125_001));
		assert_eq!(h.download(MAX_DOWNLOAD_BYTES + 1), Err(LeaseRefusal::Malformed));
		// A new round starts from zero.
		h.set_round(6);
		let usage = h.usage(BANDWIDTH);
		assert_eq!(rounds_of(&usage.notes), [(5, 2)]);
		assert!(usage.notes.iter().all(|note| signed_by_provider(BANDWIDTH, note)));
		assert_eq!(usage.counter, 0);
		assert!(h.download(250_000).is_ok());
		assert_eq!(h.usage(BANDWIDTH).counter, 2);
	}

	#[test]
	fn the_leases_the_chain_drops_are_dropped() {
		let mut h = Harness::new();
		assert!(h.put(b"a", 250).is_ok());
		h.set_round(6);
		let signature = receipt_signature(STORAGE, 5, 3, CONSUMER_SEED);
		assert!(h.receipt(STORAGE, 5, 3, signature).is_ok());
		assert_eq!(h.usage(COMPUTE).notes.len(), 1);
		assert_eq!(h.book.tracked(), [STORAGE, COMPUTE]);
		let receipt = receipt_key(STORAGE, 5);
		assert!(h.offchain(&receipt).is_some());
		// A restarted node still knows what it tracked.
		h.restart();
		assert_eq!(h.book.tracked(), [STORAGE, COMPUTE]);
		// A runtime that cannot answer (after an upgrade, say), however often, drops nothing.
		h.chain.with(|s| s.lease_calls_fail = true);
		for _ in 0..3 {
			h.book.cleanup();
		}
		assert!(h.lease_dir(STORAGE).exists());
		assert_eq!(h.book.tracked(), [STORAGE, COMPUTE]);
		h.chain.with(|s| s.lease_calls_fail = false);
		// The chain closes the storage lease: a runtime call that fails once drops nothing...
		h.chain.with(|s| s.leases.remove(&STORAGE));
		h.book.cleanup();
		assert!(h.lease_dir(STORAGE).exists());
		assert!(h.offchain(&meter_key(STORAGE)).is_some());
		// ...the next look does.
		h.book.cleanup();
		assert!(!h.lease_dir(STORAGE).exists());
		assert_eq!(h.offchain(&meter_key(STORAGE)), None);
		assert_eq!(h.offchain(&receipt), None);
		assert_eq!(h.book.tracked(), [COMPUTE]);
		let index: Option<Vec<u64>> = h.offchain(METER_INDEX_KEY).and_then(|b| decode(&b));
		assert_eq!(index, Some(vec![COMPUTE]));
		assert_eq!(h.call(STORAGE, LeaseCall::Usage).map(|_| ()), Err(LeaseRefusal::UnknownLease));
		// The compute lease ended with round 7: dropped once 8 more rounds passed, at one look.
		h.set_round(8 + KEEP_ROUNDS_AFTER_END);
		h.book.cleanup();
		assert!(h.offchain(&meter_key(COMPUTE)).is_some());
		h.set_round(8 + KEEP_ROUNDS_AFTER_END + 1);
		h.book.cleanup();
		assert_eq!(h.offchain(&meter_key(COMPUTE)), None);
		assert!(h.book.tracked().is_empty());
	}

	#[test]
	fn a_directory_left_by_another_lease_with_the_same_id_is_wiped() {
		let mut h = Harness::new();
		let dir = h.lease_dir(STORAGE);
		fs::create_dir_all(&dir).expect("a directory");
		fs::write(dir.join(MARKER_FILE), [1u8; 32]).expect("a marker");
		fs::write(dir.join(object_file_name(b"old")), [0u8; 900]).expect("an object");
		assert_eq!(h.put(b"a", 100), Ok(Stored { bytes: 100, objects: 1, round: 5, counter: 1 }));
		assert_eq!(h.files(), [object_file_name(b"a"), MARKER_FILE.to_string()]);
		assert_eq!(fs::read(dir.join(MARKER_FILE)).ok(), Some(OPENED_AFTER.to_vec()));
	}

	#[test]
	fn object_file_names_are_hex_or_a_hash() {
		assert_eq!(object_file_name(b"a/b"), "612f62");
		assert_eq!(object_file_name(&[0xab; MAX_PLAIN_KEY_BYTES]).len(), 2 * MAX_PLAIN_KEY_BYTES);
		let hashed = object_file_name(&[0xab; MAX_PLAIN_KEY_BYTES + 1]);
		assert_eq!(hashed.len(), 65);
		assert!(hashed.starts_with('x'));
		assert_ne!(hashed, object_file_name(&[0xab; MAX_PLAIN_KEY_BYTES + 2]));
		let empty = object_file_name(b"");
		assert!(empty.starts_with('x') && empty.len() == 65);
	}
}
