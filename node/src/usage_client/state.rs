//! The client's own records of a lease: what it stored, what it used in each round by its own
//! count, the notes the provider's node gave it and the receipts it signed. One SCALE file per
//! chain and lease, replaced atomically.
//!
//! ## Counting
//!
//! The client counts by the rules the endpoint meters by (`resources::lease_wire`), from what it
//! saw itself:
//!
//! - **storage**: for each round, the most storage units its objects held at any time in it. What
//!   is held when a round begins counts for it, so the counters roll forward through rounds in
//!   which the client did nothing, from the lease's first round ([`LeaseState::roll_to`]);
//! - **bandwidth**: the megabits of the bytes the `download`s brought in the round, the round's
//!   total rounded up once, as the node rounds it;
//! - **compute**: the reservation, `units_per_round` for each round of the lease.
//!
//! A `put`, `delete` or `download` names the round the client read just before it, and the node
//! meters it in that round (refusing it if that is not its round in progress), so both count a
//! download in the same round. An object stored is held, and counted, in every round from that
//! one to the round the client read just after the answer.

use std::{
	collections::BTreeMap,
	fs,
	io::Write,
	path::{Path, PathBuf},
};

use codec::{Decode, Encode};
use pallet_usage::UsageReceipt;
use proof_of_sync_runtime_api::ResourceKind;
use sp_core::{crypto::AccountId32, sr25519, Pair, H256};
use sp_runtime::MultiSignature;

use super::chain::{to_hex, Lease};
use crate::resources::{
	chain::verify_signature,
	lease_wire::{megabits, storage_units, SignedNote},
	wire::decode,
};

/// The version of the state file's format, its first byte.
pub const STATE_VERSION: u8 = 2;

/// The largest state file read, in bytes.
pub const MAX_STATE_BYTES: u64 = 256 << 20;

/// The most rounds one roll forward counts: more than a lease may run (`MaxLeaseRounds`, 10 080
/// in the runtime).
pub const MAX_ROLL_ROUNDS: u32 = 1 << 16;

/// The most rounds one request is counted in: far more than a request within its timeout spans.
pub const MAX_SPAN_ROUNDS: u32 = 64;

/// The most notes kept per lease: one per round of the longest lease, several times over.
pub const MAX_KEPT_NOTES: usize = 1 << 16;

/// An object the client stored, as it stored it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ObjectRecord {
	/// Its length, in bytes.
	pub bytes: u64,
	/// Its BLAKE2b-256 hash.
	pub hash: [u8; 32],
}

/// A receipt the client signed.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ReceiptRecord {
	/// The round.
	pub round: u32,
	/// The counter receipted.
	pub counter: u64,
	/// The client's signature over the receipt's `signing_payload`.
	pub signature: MultiSignature,
	/// Whether the node took it.
	pub taken: bool,
}

/// Why the client does not receipt a note.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NoteRefusal {
	/// The chain names no `sync` key for the lease's provider: nobody could be held to the note.
	NoSyncKey,
	/// The note is not the provider's `sync` key signature over this lease, round and counter on
	/// this chain.
	BadSignature,
	/// The note's counter is above what the client counted itself for the round.
	AboveOwnCounter {
		/// The client's own counter for the round.
		own: u64,
	},
}

impl NoteRefusal {
	/// A name for the refusal, as the client prints it.
	pub fn name(self) -> &'static str {
		match self {
			NoteRefusal::NoSyncKey => "NoSyncKey",
			NoteRefusal::BadSignature => "BadSignature",
			NoteRefusal::AboveOwnCounter { .. } => "AboveOwnCounter",
		}
	}
}

/// What the client knows of one of its leases.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct LeaseState {
	/// The chain's genesis hash.
	pub genesis: [u8; 32],
	/// The lease's id.
	pub lease: u64,
	/// The lease's `opened_after`: another value is another lease of the same id (another chain
	/// from the same genesis).
	pub opened_after: [u8; 32],
	/// Who serves it.
	pub provider: AccountId32,
	/// What is leased.
	pub kind: ResourceKind,
	/// The capacity reserved each round.
	pub units_per_round: u64,
	/// The lease's first round.
	pub start_round: u32,
	/// The round after its last, as the chain last said (a cancellation brings it forward).
	pub end_round: u32,
	/// The chain's storage unit, in bytes.
	pub storage_unit: u64,
	/// The objects the client stored and did not delete, by key.
	pub objects: BTreeMap<Vec<u8>, ObjectRecord>,
	/// The client's own counter of each round it used something in.
	pub counters: BTreeMap<u32, u64>,
	/// The bytes the downloads of each round brought (bandwidth leases).
	pub downloaded: BTreeMap<u32, u64>,
	/// The last round the counters were rolled forward to.
	pub rolled_to: Option<u32>,
	/// Every distinct note the node gave, oldest first: the evidence against a provider that
	/// records more than it noted.
	pub notes: Vec<SignedNote>,
	/// Every receipt the client signed, oldest first.
	pub receipts: Vec<ReceiptRecord>,
}

impl LeaseState {
	/// The records of `lease`, not used yet, on the chain whose genesis hash is `genesis` and
	/// whose storage unit is `storage_unit` bytes.
	pub fn new(genesis: [u8; 32], lease: &Lease, storage_unit: u64) -> Self {
		Self {
			genesis,
			lease: lease.id,
			opened_after: lease.opened_after,
			provider: lease.provider.clone(),
			kind: lease.kind,
			units_per_round: lease.units_per_round,
			start_round: lease.start_round,
			end_round: lease.end_round,
			storage_unit,
			objects: BTreeMap::new(),
			counters: BTreeMap::new(),
			downloaded: BTreeMap::new(),
			rolled_to: None,
			notes: Vec::new(),
			receipts: Vec::new(),
		}
	}

	/// Whether `round` is one of the lease's.
	pub fn in_lease(&self, round: u32) -> bool {
		self.start_round <= round && round < self.end_round
	}

	/// The bytes the client's objects hold.
	pub fn held_bytes(&self) -> u64 {
		self.objects.values().fold(0u64, |sum, object| sum.saturating_add(object.bytes))
	}

	/// The client's own counter of `round`.
	pub fn counter(&self, round: u32) -> u64 {
		self.counters.get(&round).copied().unwrap_or_default()
	}

	/// What every round of the lease counts at least while nothing changes: the storage units
	/// held, or the compute reserved.
	fn floor(&self) -> u64 {
		match self.kind {
			ResourceKind::Storage => storage_units(self.held_bytes(), self.storage_unit),
			ResourceKind::Compute => self.units_per_round,
			ResourceKind::Bandwidth => 0,
		}
	}

	/// Raises `round`'s counter to at least `units`, if it is a round of the lease.
	fn raise(&mut self, round: u32, units: u64) {
		if units > 0 && self.in_lease(round) {
			let counter = self.counters.entry(round).or_default();
			*counter = (*counter).max(units);
		}
	}

	/// Counts what is held (or reserved) now in every round of the lease from the one after the
	/// last rolled to (or the lease's first) to `round`: nothing changed in them since.
	pub fn roll_to(&mut self, round: u32) {
		let first = self.rolled_to.map_or(self.start_round, |r| r.saturating_add(1));
		let first = first.max(self.start_round);
		let last = round
			.min(self.end_round.saturating_sub(1))
			.min(first.saturating_add(MAX_ROLL_ROUNDS - 1));
		if self.end_round == 0 || last < first {
			return;
		}
		let floor = self.floor();
		for r in first..=last {
			self.raise(r, floor);
		}
		self.rolled_to = Some(last);
	}

	/// The rounds a request read in round `before` and answered in round `after` is counted in.
	fn span(before: u32, after: u32) -> std::ops::RangeInclusive<u32> {
		let (low, high) = (before.min(after), before.max(after));
		low.max(high.saturating_sub(MAX_SPAN_ROUNDS - 1))..=high
	}

	/// The node confirmed storing `object` under `key`, asked in round `before` and answered in
	/// round `after`.
	pub fn record_put(&mut self, key: Vec<u8>, object: ObjectRecord, before: u32, after: u32) {
		// What was held before the put counts up to the answer's round.
		self.roll_to(before.max(after));
		self.objects.insert(key, object);
		let units = self.floor();
		for r in Self::span(before, after) {
			self.raise(r, units);
		}
	}

	/// The node confirmed deleting `key`, asked in round `before` (the round the request named,
	/// the node's round in progress, in which it deleted it).
	pub fn record_delete(&mut self, key: &[u8], before: u32) {
		// Held when round `before` began, and in none after.
		self.roll_to(before);
		self.objects.remove(key);
	}

	/// A download asked in round `round` (the round its request named, the round the node meters
	/// it in) brought `bytes` correct bytes.
	pub fn record_download(&mut self, bytes: u64, round: u32) {
		self.roll_to(round);
		if !self.in_lease(round) {
			return;
		}
		let total = self.downloaded.entry(round).or_default();
		*total = total.saturating_add(bytes);
		let units = megabits(*total);
		self.raise(round, units);
	}

	/// Keeps `note` as evidence; whether it is new.
	pub fn keep_note(&mut self, note: &SignedNote) -> bool {
		if self.notes.contains(note) || self.notes.len() >= MAX_KEPT_NOTES {
			return false;
		}
		self.notes.push(note.clone());
		true
	}

	/// Keeps the record of a receipt the client signed; whether there was room for it.
	pub fn keep_receipt(&mut self, receipt: ReceiptRecord) -> bool {
		if self.receipts.len() >= MAX_KEPT_NOTES {
			return false;
		}
		self.receipts.push(receipt);
		true
	}

	/// The receipt of `counter` units of `round` of the lease.
	fn usage_receipt(&self, round: u32, counter: u64) -> UsageReceipt<H256> {
		UsageReceipt {
			lease: self.lease,
			opened_after: H256::from(self.opened_after),
			round,
			counter,
		}
	}

	/// Whether to receipt `note`: only if it is the provider's `sync` key's (`sync_key`, from
	/// the chain) signature over the note payload of this lease, round and counter, and its
	/// counter is at most the client's own for the round.
	pub fn judge(&self, note: &SignedNote, sync_key: Option<&[u8; 32]>) -> Result<(), NoteRefusal> {
		let key = sync_key.ok_or(NoteRefusal::NoSyncKey)?;
		let payload = self
			.usage_receipt(note.round, note.counter)
			.note_payload(&H256::from(self.genesis));
		if !verify_signature(key, &payload, &note.signature) {
			return Err(NoteRefusal::BadSignature);
		}
		let own = self.counter(note.round);
		if note.counter > own {
			return Err(NoteRefusal::AboveOwnCounter { own });
		}
		Ok(())
	}

	/// The consumer's receipt of `counter` units of `round`: `signer`'s signature over the
	/// receipt's `signing_payload`.
	pub fn sign_receipt(&self, signer: &sr25519::Pair, round: u32, counter: u64) -> MultiSignature {
		let payload = self.usage_receipt(round, counter).signing_payload(&H256::from(self.genesis));
		MultiSignature::Sr25519(signer.sign(&payload))
	}
}

/// Where the records of lease `lease` of the chain whose genesis hash is `genesis` are kept
/// under `dir`.
pub fn state_path(dir: &Path, genesis: &[u8; 32], lease: u64) -> PathBuf {
	let genesis = to_hex(genesis);
	dir.join(genesis.strip_prefix("0x").unwrap_or(&genesis))
		.join(format!("lease-{lease}.scale"))
}

/// The records kept at `path`; `None` if there are none.
pub fn load(path: &Path) -> Result<Option<LeaseState>, String> {
	let shown = path.display();
	let size = match fs::metadata(path) {
		Ok(metadata) => metadata.len(),
		Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
		Err(error) => return Err(format!("{shown}: {error}")),
	};
	if size > MAX_STATE_BYTES {
		return Err(format!("{shown}: larger than {MAX_STATE_BYTES} bytes"));
	}
	let bytes = fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
	match decode::<(u8, LeaseState)>(&bytes) {
		Some((STATE_VERSION, state)) => Ok(Some(state)),
		Some((version, _)) => Err(format!("{shown}: unknown format version {version}")),
		None => Err(format!("{shown}: not a lease record")),
	}
}

/// Keeps `state` at `path`: written to a temporary file beside it, synced, then renamed over it,
/// so that a crash leaves the old records or the new ones, never a mix.
pub fn save(path: &Path, state: &LeaseState) -> Result<(), String> {
	let shown = path.display();
	let dir = path.parent().ok_or_else(|| format!("{shown}: no parent directory"))?;
	fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
	let temporary = path.with_extension("scale.tmp");
	write_synced(temporary.as_path(), &(STATE_VERSION, state).encode())
		.and_then(|()| fs::rename(temporary.as_path(), path))
		.map_err(|e| format!("{shown}: {e}"))?;
	// Make the rename itself durable; not every platform can sync a directory.
	if let Ok(dir) = fs::File::open(dir) {
		let _ = dir.sync_all();
	}
	Ok(())
}

/// Writes `bytes` to a new file at `path` and waits until they are on disk.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let mut file = fs::File::create(path)?;
	file.write_all(bytes)?;
	file.sync_all()
}

/// Moves the records at `path` aside (to `<path>.<suffix>`), for a lease they no longer
/// describe; returns where they went.
pub fn archive(path: &Path, suffix: &str) -> Result<PathBuf, String> {
	let mut name = path.as_os_str().to_owned();
	name.push(format!(".{suffix}"));
	let target = PathBuf::from(name);
	fs::rename(path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
	Ok(target)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proof_of_sync_runtime_api::RoundUsage;
	use sp_runtime::traits::Verify;

	const GENESIS: [u8; 32] = [7; 32];
	const UNIT: u64 = 100;

	fn lease(kind: ResourceKind, units_per_round: u64, start: u32, end: u32) -> Lease {
		Lease {
			id: 3,
			consumer: AccountId32::new([1; 32]),
			provider: AccountId32::new([2; 32]),
			kind,
			units_per_round,
			quota: units_per_round,
			price: 1,
			start_round: start,
			end_round: end,
			settled_to: start,
			opened_after: [9; 32],
			deposited: 0,
			escrow: 0,
			paid: 0,
			fees: 0,
			refunded: 0,
			usage: Vec::<RoundUsage>::new(),
		}
	}

	fn storage(start: u32, end: u32) -> LeaseState {
		LeaseState::new(GENESIS, &lease(ResourceKind::Storage, 8, start, end), UNIT)
	}

	fn object(bytes: u64) -> ObjectRecord {
		ObjectRecord { bytes, hash: [bytes as u8; 32] }
	}

	fn counters(state: &LeaseState, rounds: std::ops::RangeInclusive<u32>) -> Vec<u64> {
		rounds.map(|r| state.counter(r)).collect()
	}

	#[test]
	fn storage_counts_the_peak_held_and_rolls_forward_through_idle_rounds() {
		let mut state = storage(10, 20);
		// Nothing held: nothing counted, before or in the lease.
		state.roll_to(11);
		assert_eq!(counters(&state, 9..=11), [0, 0, 0]);
		// 250 bytes in round 11: 3 units.
		state.record_put(b"a".to_vec(), object(250), 11, 11);
		assert_eq!(state.held_bytes(), 250);
		// Rounds 12 to 14 pass without a command: each began with 250 bytes held.
		state.roll_to(14);
		assert_eq!(counters(&state, 11..=14), [3, 3, 3, 3]);
		// Round 15: 100 more bytes, then the first object goes. The peak was 350 bytes.
		state.record_put(b"b".to_vec(), object(100), 15, 15);
		state.record_delete(b"a", 15);
		assert_eq!(state.held_bytes(), 100);
		assert_eq!(state.counter(15), 4);
		// Round 16 began with 100 bytes; replacing `b` by 1 byte lowers nothing already counted.
		state.record_put(b"b".to_vec(), object(1), 16, 16);
		assert_eq!(state.counter(16), 1);
		// The lease ends after round 19: nothing counts after it.
		state.roll_to(30);
		assert_eq!(counters(&state, 17..=21), [1, 1, 1, 0, 0]);
		assert_eq!(state.rolled_to, Some(19));
	}

	#[test]
	fn a_put_across_a_round_boundary_counts_in_both_rounds() {
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(150), 4, 4);
		// Asked in round 5, answered in round 6: the node may have stored it in either, so both
		// count the 250 bytes held after it.
		state.record_put(b"b".to_vec(), object(100), 5, 6);
		state.roll_to(7);
		assert_eq!(counters(&state, 4..=7), [2, 3, 3, 3]);
		// Within one round, only that round.
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(150), 4, 4);
		state.record_put(b"b".to_vec(), object(100), 5, 5);
		assert_eq!(counters(&state, 4..=6), [2, 3, 0]);
	}

	#[test]
	fn a_delete_counts_the_object_in_the_round_it_named_and_in_none_after() {
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(300), 4, 4);
		// Named round 5 (the node deleted it then), answered in round 6: a node that held the
		// answer back does not get round 6 counted with the object.
		state.record_delete(b"a", 5);
		state.roll_to(7);
		assert_eq!(counters(&state, 4..=7), [3, 3, 0, 0]);
	}

	#[test]
	fn bandwidth_counts_the_megabits_of_each_rounds_downloads_in_that_round_only() {
		let lease = lease(ResourceKind::Bandwidth, 10, 0, 10);
		let mut state = LeaseState::new(GENESIS, &lease, UNIT);
		state.roll_to(2);
		assert!(state.counters.is_empty());
		// 125 001 bytes and 1 byte in round 3: 1 000 016 bits, 2 megabits rounded up once (as the
		// node rounds the round's total), not 2 + 1.
		state.record_download(125_001, 3);
		state.record_download(1, 3);
		// A download that named round 4 counts in round 4 alone, however long it took.
		state.record_download(250_000, 4);
		assert_eq!(counters(&state, 2..=6), [0, 2, 2, 0, 0]);
		// A round outside the lease counts nothing.
		state.record_download(1, 10);
		assert_eq!(state.counter(10), 0);
	}

	#[test]
	fn compute_counts_the_reservation_in_every_round_of_the_lease() {
		let lease = lease(ResourceKind::Compute, 1_500, 5, 8);
		let mut state = LeaseState::new(GENESIS, &lease, UNIT);
		state.roll_to(4);
		assert!(state.counters.is_empty());
		state.roll_to(6);
		assert_eq!(counters(&state, 4..=7), [0, 1_500, 1_500, 0]);
		state.roll_to(100);
		assert_eq!(counters(&state, 4..=8), [0, 1_500, 1_500, 1_500, 0]);
	}

	/// The provider's node's note of `counter` for `round` of `state`'s lease, signed by `key`.
	fn note(state: &LeaseState, key: &sr25519::Pair, round: u32, counter: u64) -> SignedNote {
		let receipt = UsageReceipt {
			lease: state.lease,
			opened_after: H256::from(state.opened_after),
			round,
			counter,
		};
		let signature = key.sign(&receipt.note_payload(&H256::from(GENESIS))).0;
		SignedNote { round, counter, signature }
	}

	#[test]
	fn a_note_at_or_below_the_own_counter_is_receipted_with_the_receipt_payload() {
		let provider_sync = sr25519::Pair::from_seed(&[4; 32]);
		let consumer = sr25519::Pair::from_seed(&[5; 32]);
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(300), 2, 2);
		let key = provider_sync.public().0;
		for counter in [3, 2] {
			let note = note(&state, &provider_sync, 2, counter);
			assert_eq!(state.judge(&note, Some(&key)), Ok(()));
		}
		let signature = state.sign_receipt(&consumer, 2, 3);
		let receipt =
			UsageReceipt { lease: 3, opened_after: H256::from([9; 32]), round: 2, counter: 3 };
		let account = AccountId32::from(consumer.public());
		let payload = receipt.signing_payload(&H256::from(GENESIS));
		assert!(signature.verify(payload.as_slice(), &account));
		// Not a receipt of another counter, round or chain.
		let other = UsageReceipt { counter: 4, ..receipt }.signing_payload(&H256::from(GENESIS));
		assert!(!signature.verify(other.as_slice(), &account));
		assert!(
			!signature.verify(receipt.signing_payload(&H256::from([8; 32])).as_slice(), &account)
		);
	}

	#[test]
	fn a_note_above_the_own_counter_is_refused_with_both_counters() {
		let provider_sync = sr25519::Pair::from_seed(&[4; 32]);
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(300), 2, 2);
		let key = provider_sync.public().0;
		let above = note(&state, &provider_sync, 2, 4);
		assert_eq!(state.judge(&above, Some(&key)), Err(NoteRefusal::AboveOwnCounter { own: 3 }));
		// A round the client used nothing in.
		let idle = note(&state, &provider_sync, 1, 1);
		assert_eq!(state.judge(&idle, Some(&key)), Err(NoteRefusal::AboveOwnCounter { own: 0 }));
	}

	#[test]
	fn a_note_not_signed_by_the_providers_sync_key_is_refused() {
		let provider_sync = sr25519::Pair::from_seed(&[4; 32]);
		let stranger = sr25519::Pair::from_seed(&[6; 32]);
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(300), 2, 2);
		let key = provider_sync.public().0;
		let forged = note(&state, &stranger, 2, 1);
		assert_eq!(state.judge(&forged, Some(&key)), Err(NoteRefusal::BadSignature));
		// The provider's signature of another round does not count for this one.
		let mut moved = note(&state, &provider_sync, 1, 1);
		moved.round = 2;
		assert_eq!(state.judge(&moved, Some(&key)), Err(NoteRefusal::BadSignature));
		// Nor of another lease of the same id (another chain of the same genesis).
		let mut other_chain = state.clone();
		other_chain.opened_after = [1; 32];
		let foreign = note(&other_chain, &provider_sync, 2, 1);
		assert_eq!(state.judge(&foreign, Some(&key)), Err(NoteRefusal::BadSignature));
		// Without the provider's key on chain, nothing is signed.
		let honest = note(&state, &provider_sync, 2, 1);
		assert_eq!(state.judge(&honest, None), Err(NoteRefusal::NoSyncKey));
	}

	#[test]
	fn the_state_file_round_trips_and_is_replaced_whole() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let path = state_path(dir.path(), &GENESIS, 3);
		assert!(path.ends_with(format!("{}/lease-3.scale", "07".repeat(32))));
		assert_eq!(load(&path), Ok(None));

		let provider_sync = sr25519::Pair::from_seed(&[4; 32]);
		let consumer = sr25519::Pair::from_seed(&[5; 32]);
		let mut state = storage(0, 10);
		state.record_put(b"a".to_vec(), object(300), 2, 3);
		let noted = note(&state, &provider_sync, 2, 3);
		assert!(state.keep_note(&noted));
		assert!(!state.keep_note(&noted));
		let signature = state.sign_receipt(&consumer, 2, 3);
		assert!(state.keep_receipt(ReceiptRecord { round: 2, counter: 3, signature, taken: true }));
		save(&path, &state).unwrap();
		assert_eq!(load(&path), Ok(Some(state.clone())));
		assert!(!path.with_extension("scale.tmp").exists());

		state.record_delete(b"a", 4);
		save(&path, &state).unwrap();
		assert_eq!(load(&path), Ok(Some(state)));

		let moved = archive(&path, "superseded").unwrap();
		assert_eq!(load(&path), Ok(None));
		assert!(load(&moved).unwrap().is_some());

		std::fs::write(&path, [STATE_VERSION, 1, 2]).unwrap();
		assert!(load(&path).is_err());
		std::fs::write(&path, [9]).unwrap();
		assert!(load(&path).is_err());
	}
}
