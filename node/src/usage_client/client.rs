//! The client's commands: each reads the chain, talks to the endpoint, and updates the client's
//! records of the lease.

use std::{
	collections::BTreeSet,
	path::{Path, PathBuf},
	time::Duration,
};

use codec::Encode;
use hyper::{body::Bytes, StatusCode};
use proof_of_sync_runtime::RuntimeCall;
use proof_of_sync_runtime_api::ResourceKind;
use rand::RngCore;
use serde_json::{json, Value};
use sp_core::{
	crypto::{AccountId32, Ss58Codec},
	sr25519, Pair,
};

use super::{
	chain::{cancel_lease_call, open_lease_call, to_hex, DryRun, Lease, Rpc},
	http::{post, HttpUrl},
	state::{self, LeaseState, NoteRefusal, ObjectRecord, ReceiptRecord},
	DownloadArgs, GetArgs, KeyArgs, OpenArgs, PutArgs, Result, UsageCmd, UsageError,
};
use crate::{
	resources::{
		lease_wire::{
			megabits, ConsumerSigned, LeaseCall, LeaseRefusal, LeaseRequest, LeaseUsage,
			ReceiptTaken, Stored, MAX_DOWNLOAD_BYTES, MAX_NOTES, MAX_OBJECT_BYTES,
			MAX_OBJECT_KEY_BYTES,
		},
		wire::{decode, CONTENT_TYPE},
	},
	transaction::signed_extrinsic,
};

/// How long one request to the resource endpoint may take.
pub const ENDPOINT_TIMEOUT: Duration = Duration::from_secs(60);

/// How many times a metered call is sent when the node sees another round in progress.
pub const METERED_ATTEMPTS: u32 = 4;

/// How long the client waits before reading the round again for a metered call.
pub const METERED_RETRY_DELAY: Duration = Duration::from_secs(2);

/// How often the client looks for its transaction's effect on chain.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// How many times it looks: a minute.
pub const MAX_POLLS: u32 = 30;

/// The largest SCALE answer of the endpoint read (everything but objects and payloads).
const MAX_SCALE_ANSWER: usize = 64 * 1024;

/// The most of a refusal's text body kept.
const MAX_REFUSAL_TEXT: usize = 512;

/// How many of its own counters `status` shows, newest first.
const STATUS_COUNTERS: usize = 16;

/// The consumer, its node and its records.
pub(super) struct Client {
	rpc: Rpc,
	signer: sr25519::Pair,
	account: AccountId32,
	genesis: [u8; 32],
	state_dir: PathBuf,
	endpoint: Option<String>,
}

/// One of the consumer's leases: the chain's view, the client's records and where it is served.
struct LeaseSession {
	lease: Lease,
	state: LeaseState,
	path: PathBuf,
	endpoint: HttpUrl,
}

impl Client {
	pub(super) async fn connect(cmd: &UsageCmd) -> Result<Self> {
		let suri = cmd.suri.as_deref().ok_or("--suri is required: the consumer's secret URI")?;
		let signer = sr25519::Pair::from_string(suri, None)
			.map_err(|e| format!("--suri: not an sr25519 secret: {e:?}"))?;
		let account = AccountId32::from(signer.public());
		let mut rpc = Rpc::new(&cmd.rpc)?;
		let genesis = rpc.genesis_hash().await?;
		Ok(Self {
			rpc,
			signer,
			account,
			genesis,
			state_dir: cmd.state_dir.clone(),
			endpoint: cmd.endpoint.clone(),
		})
	}

	/// The round in progress after an answer; if the chain cannot tell, the round after
	/// `before`, so that a use it may have crossed into is counted in both.
	async fn round_after(&mut self, before: u32) -> u32 {
		self.rpc.round().await.unwrap_or(before.saturating_add(1))
	}

	/// Sends `call`, which changes what the lease holds, between two reads of the round in
	/// progress: returns the answer and the rounds read before and after. The client's records,
	/// rolled to the round before, are saved if the call fails; the caller records the change
	/// and saves them otherwise.
	async fn send_change(
		&mut self,
		session: &mut LeaseSession,
		call: LeaseCall,
	) -> Result<(Bytes, u32, u32)> {
		let answer = self.send_metered(session, call, MAX_SCALE_ANSWER).await;
		match answer {
			Ok((body, before)) => {
				let after = self.round_after(before).await;
				Ok((body, before, after))
			},
			Err(error) => {
				state::save(&session.path, &session.state)?;
				Err(error)
			},
		}
	}

	/// Sends a metered call (`put`, `delete`, `download`) naming the round in progress, which the
	/// node meters it in; returns the answer and that round. A node that sees another round in
	/// progress (a boundary between the two reads) refuses it with `WrongRound`: the round is
	/// read again and the call sent again, up to [`METERED_ATTEMPTS`] times. The records are
	/// rolled forward to the round named.
	async fn send_metered(
		&mut self,
		session: &mut LeaseSession,
		call: LeaseCall,
		limit: usize,
	) -> Result<(Bytes, u32)> {
		let mut attempt = 1;
		loop {
			let round = self.rpc.round().await?;
			session.state.roll_to(round);
			match self.send(session, round, call.clone(), limit).await {
				Err(UsageError::Refused { refusal: Some(LeaseRefusal::WrongRound), .. })
					if attempt < METERED_ATTEMPTS =>
				{
					attempt += 1;
					tokio::time::sleep(METERED_RETRY_DELAY).await;
				},
				answer => return answer.map(|body| (body, round)),
			}
		}
	}

	/// Lease `id`, which must be the consumer's.
	async fn own_lease(&mut self, id: u64) -> Result<Lease> {
		let lease = self
			.rpc
			.lease(id, None)
			.await?
			.ok_or_else(|| format!("lease {id} is not on chain: closed, or never opened"))?;
		if lease.consumer != self.account {
			let (owner, account) = (&lease.consumer, &self.account);
			return Err(format!("lease {id} is {owner}'s, not {account}'s").into());
		}
		Ok(lease)
	}

	/// The client's records of `lease`: those kept, or new ones. Records of another lease of the
	/// same id (another chain from the same genesis) are moved aside.
	async fn records(&mut self, lease: &Lease) -> Result<(LeaseState, PathBuf)> {
		let path = state::state_path(&self.state_dir, &self.genesis, lease.id);
		let kept = match state::load(&path)? {
			Some(records) if records.opened_after == lease.opened_after => Some(records),
			Some(other) => {
				let opened_after = to_hex(&other.opened_after);
				let suffix = format!("superseded-{}", opened_after.get(2..18).unwrap_or_default());
				let moved = state::archive(&path, &suffix)?;
				eprintln!(
					"{}",
					json!({ "warning": "records of another lease with this id moved aside",
						"to": moved.display().to_string() })
				);
				None
			},
			None => None,
		};
		let mut records = kept.unwrap_or_else(|| LeaseState::new(self.genesis, lease, 0));
		// A cancellation brings the end forward.
		records.end_round = lease.end_round;
		if records.kind == ResourceKind::Storage && records.storage_unit == 0 {
			records.storage_unit = self.rpc.storage_unit().await?;
		}
		Ok((records, path))
	}

	/// The consumer's lease `id`, the client's records of it and its endpoint.
	async fn session(&mut self, id: u64) -> Result<LeaseSession> {
		let lease = self.own_lease(id).await?;
		let (records, path) = self.records(&lease).await?;
		let endpoint = match &self.endpoint {
			Some(endpoint) => endpoint.clone(),
			None => {
				let registered = self.rpc.provider_endpoint(&lease.provider).await?;
				String::from_utf8_lossy(&registered).into_owned()
			},
		};
		let endpoint = HttpUrl::parse(&endpoint).map_err(|e| format!("the endpoint: {e}"))?;
		Ok(LeaseSession { lease, state: records, path, endpoint })
	}

	/// Sends `call` about `session`'s lease, signed by the consumer, naming `round`, and returns
	/// the body of the endpoint's answer, at most `limit` bytes; a refusal is an error naming its
	/// reason.
	async fn send(
		&self,
		session: &LeaseSession,
		round: u32,
		call: LeaseCall,
		limit: usize,
	) -> Result<Bytes> {
		let name = call_name(&call);
		let path = session.endpoint.join(call.path());
		let mut nonce = [0u8; 16];
		rand::thread_rng().fill_bytes(&mut nonce);
		let request = LeaseRequest {
			lease: session.lease.id,
			opened_after: session.lease.opened_after,
			round,
			nonce,
			call,
		};
		let signed = ConsumerSigned::sign(request, &self.genesis, |payload| {
			self.signer.sign(payload).into()
		});
		let (status, body) =
			post(&session.endpoint, &path, CONTENT_TYPE, signed.encode(), limit, ENDPOINT_TIMEOUT)
				.await
				.map_err(|e| format!("the endpoint, {name}: {e}"))?;
		if status != StatusCode::OK {
			let shown = body.get(..MAX_REFUSAL_TEXT.min(body.len())).unwrap_or_default();
			return Err(UsageError::Refused {
				call: name,
				refusal: LeaseRefusal::from_body(&body),
				status: status.as_u16(),
				text: String::from_utf8_lossy(shown).trim().to_owned(),
			});
		}
		Ok(body)
	}

	/// Signs `call`, checks it with a dry run, and hands it to the node; returns its hash.
	async fn submit(&mut self, call: RuntimeCall) -> Result<String> {
		let nonce = self.rpc.next_nonce(&self.account).await?;
		let tx = self.rpc.tx_context(self.genesis).await?;
		let extrinsic = signed_extrinsic(&self.signer, call, nonce, &tx).encode();
		// A node that does not allow `system_dryRun` (an unsafe method) still takes the
		// transaction; the dry run only gives an early, named error.
		match self.rpc.dry_run(&extrinsic).await {
			Ok(DryRun::Fails(error)) =>
				return Err(format!("the chain refuses the transaction: {error}").into()),
			Ok(DryRun::Invalid(reason)) => {
				let warning = "the transaction is not valid on the best block";
				eprintln!("{}", json!({ "warning": warning, "reason": reason }));
			},
			Ok(DryRun::Dispatches) | Err(_) => {},
		}
		Ok(self.rpc.submit(&extrinsic).await?)
	}

	pub(super) async fn open(&mut self, args: &OpenArgs) -> Result<Value> {
		let kind = ResourceKind::from(args.kind);
		let before: BTreeSet<u64> = self
			.rpc
			.leases(&self.account)
			.await?
			.iter()
			.filter(|lease| lease.consumer == self.account)
			.map(|lease| lease.id)
			.collect();
		let call =
			open_lease_call(args.provider.clone(), kind, args.units, args.rounds, args.max_price);
		let tx_hash = self.submit(call).await?;
		for _ in 0..MAX_POLLS {
			tokio::time::sleep(POLL_INTERVAL).await;
			let leases = self.rpc.leases(&self.account).await?;
			let opened = leases.into_iter().find(|lease| {
				lease.consumer == self.account &&
					!before.contains(&lease.id) &&
					lease.provider == args.provider &&
					lease.kind == kind &&
					lease.units_per_round == args.units
			});
			if let Some(lease) = opened {
				let (records, path) = self.records(&lease).await?;
				state::save(&path, &records)?;
				return Ok(json!({
					"lease": lease.id.to_string(),
					"consumer": self.account.to_ss58check(),
					"provider": lease.provider.to_ss58check(),
					"kind": kind_name(lease.kind),
					"unitsPerRound": lease.units_per_round.to_string(),
					"quota": lease.quota.to_string(),
					"price": lease.price.to_string(),
					"startRound": lease.start_round,
					"endRound": lease.end_round,
					"openedAfter": to_hex(&lease.opened_after),
					"deposited": lease.deposited.to_string(),
					"txHash": tx_hash,
				}));
			}
		}
		Err(format!(
			"no new lease from {} appeared within {:?} of transaction {tx_hash}: it may have \
			 failed (see the chain's events)",
			args.provider,
			POLL_INTERVAL * MAX_POLLS,
		)
		.into())
	}

	pub(super) async fn put(&mut self, args: &PutArgs) -> Result<Value> {
		let key = object_key(&args.target.key)?;
		let data = match (&args.file, &args.data) {
			(Some(path), _) => read_object(path)?,
			(None, Some(text)) => text.as_bytes().to_vec(),
			(None, None) => return Err("give --file or --data".into()),
		};
		if data.len() > MAX_OBJECT_BYTES {
			return Err(format!("an object is at most {MAX_OBJECT_BYTES} bytes").into());
		}
		let object =
			ObjectRecord { bytes: data.len() as u64, hash: sp_io::hashing::blake2_256(&data) };
		let mut session = self.session(args.target.lease).await?;
		let call = LeaseCall::Put { key: key.clone(), data };
		let (body, before, after) = self.send_change(&mut session, call).await?;
		// Stored: count it whatever the answer says.
		session.state.record_put(key, object.clone(), before, after);
		state::save(&session.path, &session.state)?;
		let stored: Stored =
			decode(&body).ok_or("the endpoint's answer to the put does not decode")?;
		Ok(json!({
			"lease": session.lease.id.to_string(),
			"key": args.target.key,
			"bytes": object.bytes,
			"blake2_256": to_hex(&object.hash),
			"rounds": [before, after],
			"node": stored_json(&stored),
			"own": own_json(&session.state, after),
		}))
	}

	pub(super) async fn get(&mut self, args: &GetArgs) -> Result<Value> {
		let key = object_key(&args.target.key)?;
		let mut session = self.session(args.target.lease).await?;
		let round = self.rpc.round().await?;
		session.state.roll_to(round);
		state::save(&session.path, &session.state)?;
		let call = LeaseCall::Get { key: key.clone() };
		let body = self.send(&session, round, call, MAX_OBJECT_BYTES).await?;
		let object =
			ObjectRecord { bytes: body.len() as u64, hash: sp_io::hashing::blake2_256(&body) };
		if let Some(out) = &args.out {
			std::fs::write(out, &body[..]).map_err(|e| format!("{}: {e}", out.display()))?;
		}
		let stored = session.state.objects.get(&key);
		if let Some(stored) = stored.filter(|stored| **stored != object) {
			return Err(format!(
				"the object under {:?} is not what the client stored: {} bytes with BLAKE2-256 {}, \
				 stored {} bytes with {}",
				args.target.key,
				object.bytes,
				to_hex(&object.hash),
				stored.bytes,
				to_hex(&stored.hash),
			)
			.into());
		}
		Ok(json!({
			"lease": session.lease.id.to_string(),
			"key": args.target.key,
			"bytes": object.bytes,
			"blake2_256": to_hex(&object.hash),
			"checked": stored.is_some(),
		}))
	}

	pub(super) async fn delete(&mut self, args: &KeyArgs) -> Result<Value> {
		let key = object_key(&args.key)?;
		let mut session = self.session(args.lease).await?;
		let call = LeaseCall::Delete { key: key.clone() };
		let (body, before, after) = self.send_change(&mut session, call).await?;
		session.state.record_delete(&key, before);
		state::save(&session.path, &session.state)?;
		let stored: Stored =
			decode(&body).ok_or("the endpoint's answer to the delete does not decode")?;
		Ok(json!({
			"lease": session.lease.id.to_string(),
			"key": args.key,
			"rounds": [before, after],
			"node": stored_json(&stored),
			"own": own_json(&session.state, after),
		}))
	}

	pub(super) async fn download(&mut self, args: &DownloadArgs) -> Result<Value> {
		if args.bytes > MAX_DOWNLOAD_BYTES {
			return Err(format!("a download is at most {MAX_DOWNLOAD_BYTES} bytes").into());
		}
		let mut seed = [0u8; 32];
		rand::thread_rng().fill_bytes(&mut seed);
		let mut session = self.session(args.lease).await?;
		let call = LeaseCall::Download { seed, bytes: args.bytes };
		let answer = self.send_metered(&mut session, call, args.bytes as usize).await;
		state::save(&session.path, &session.state)?;
		let (body, before) = answer?;
		let after = self.round_after(before).await;
		let expected = proof_of_sync_probe::bandwidth::payload(&seed, args.bytes)
			.map_err(|e| format!("the payload: {e}"))?;
		if body[..] != expected[..] {
			return Err(format!(
				"the endpoint sent {} bytes that are not the {} payload bytes of the seed: not \
				 counted",
				body.len(),
				args.bytes,
			)
			.into());
		}
		let bytes = u64::from(args.bytes);
		session.state.record_download(bytes, before);
		state::save(&session.path, &session.state)?;
		Ok(json!({
			"lease": session.lease.id.to_string(),
			"bytes": bytes,
			"megabits": megabits(bytes).to_string(),
			"blake2_256": to_hex(&sp_io::hashing::blake2_256(&body)),
			"rounds": [before, after],
			"own": own_json(&session.state, after),
		}))
	}

	pub(super) async fn status(&mut self, id: u64) -> Result<Value> {
		let mut session = self.session(id).await?;
		let round = self.rpc.round().await?;
		session.state.roll_to(round);
		state::save(&session.path, &session.state)?;
		let body = self.send(&session, round, LeaseCall::Usage, MAX_SCALE_ANSWER).await?;
		let usage: LeaseUsage =
			decode(&body).ok_or("the endpoint's usage answer does not decode")?;
		let lease = &session.lease;
		let state = &session.state;
		let counters: Vec<Value> = state
			.counters
			.iter()
			.rev()
			.take(STATUS_COUNTERS)
			.map(|(round, counter)| json!({ "round": round, "counter": counter.to_string() }))
			.collect();
		Ok(json!({
			"lease": lease.id.to_string(),
			"kind": kind_name(lease.kind),
			"provider": state.provider.to_ss58check(),
			"unitsPerRound": state.units_per_round.to_string(),
			"quota": lease.quota.to_string(),
			"startRound": state.start_round,
			"endRound": state.end_round,
			"round": round,
			"node": usage_json(&usage),
			"own": {
				"heldBytes": state.held_bytes().to_string(),
				"objects": state.objects.len(),
				"storageUnit": state.storage_unit.to_string(),
				"rolledTo": state.rolled_to,
				"counter": state.counter(usage.round).to_string(),
				"counters": counters,
				"notesKept": state.notes.len(),
				"receiptsSigned": state.receipts.len(),
			},
		}))
	}

	pub(super) async fn receipt(&mut self, id: u64) -> Result<Value> {
		let mut session = self.session(id).await?;
		let round = self.rpc.round().await?;
		session.state.roll_to(round);
		state::save(&session.path, &session.state)?;
		// Receipts name the lease's `opened_after`, which a reorg could still change.
		let finalized = self.rpc.finalized_head().await?;
		let final_lease = self.rpc.lease(id, Some(&finalized)).await?;
		if final_lease.map(|lease| lease.opened_after) != Some(session.state.opened_after) {
			return Err(
				format!("lease {id}'s opening is not final yet: try again in a few blocks").into()
			);
		}
		let sync_key = self.rpc.sync_key(&session.state.provider).await?;
		let body = self.send(&session, round, LeaseCall::Usage, MAX_SCALE_ANSWER).await?;
		let usage: LeaseUsage =
			decode(&body).ok_or("the endpoint's usage answer does not decode")?;
		// At most the notes an honest node sends at once.
		let notes = &usage.notes[..usage.notes.len().min(MAX_NOTES)];
		// Keep every note the provider's key signed before judging any: they are the evidence.
		// A note its key did not sign is evidence of nothing, and is not kept.
		for note in notes {
			let refusal = session.state.judge(note, sync_key.as_ref()).err();
			if !matches!(refusal, Some(NoteRefusal::NoSyncKey | NoteRefusal::BadSignature)) {
				session.state.keep_note(note);
			}
		}
		state::save(&session.path, &session.state)?;

		let (mut receipted, mut refused, mut failed) = (Vec::new(), Vec::new(), Vec::new());
		for note in notes {
			if let Err(refusal) = session.state.judge(note, sync_key.as_ref()) {
				refused.push(json!({
					"round": note.round,
					"nodeCounter": note.counter.to_string(),
					"ownCounter": session.state.counter(note.round).to_string(),
					"reason": refusal.name(),
				}));
				continue;
			}
			let signature = session.state.sign_receipt(&self.signer, note.round, note.counter);
			let now = self.rpc.round().await.unwrap_or(round);
			let call = LeaseCall::Receipt {
				round: note.round,
				counter: note.counter,
				signature: signature.clone(),
			};
			let answer = self.send(&session, now, call, MAX_SCALE_ANSWER).await;
			let taken = answer.as_ref().ok().and_then(|body| decode::<ReceiptTaken>(body));
			session.state.keep_receipt(ReceiptRecord {
				round: note.round,
				counter: note.counter,
				signature,
				taken: taken.is_some(),
			});
			let entry = json!({ "round": note.round, "counter": note.counter.to_string() });
			match (taken, answer) {
				(Some(_), _) => receipted.push(entry),
				(None, Err(error)) => failed.push(json!({
					"round": note.round,
					"counter": note.counter.to_string(),
					"error": error.to_string(),
				})),
				(None, Ok(_)) => failed.push(json!({
					"round": note.round,
					"counter": note.counter.to_string(),
					"error": "the endpoint's answer to the receipt does not decode",
				})),
			}
		}
		state::save(&session.path, &session.state)?;
		Ok(json!({
			"lease": id.to_string(),
			"receipted": receipted,
			"refused": refused,
			"failed": failed,
		}))
	}

	pub(super) async fn cancel(&mut self, id: u64) -> Result<Value> {
		let lease = self.own_lease(id).await?;
		let tx_hash = self.submit(cancel_lease_call(id)).await?;
		for _ in 0..MAX_POLLS {
			tokio::time::sleep(POLL_INTERVAL).await;
			let end_round = match self.rpc.lease(id, None).await? {
				Some(now) if now.end_round < lease.end_round => now.end_round,
				Some(_) => continue,
				None => lease.end_round,
			};
			let path = state::state_path(&self.state_dir, &self.genesis, id);
			if let Some(mut records) = state::load(&path)? {
				if records.opened_after == lease.opened_after {
					records.end_round = end_round;
					state::save(&path, &records)?;
				}
			}
			return Ok(json!({
				"lease": id.to_string(),
				"endRound": end_round,
				"previousEndRound": lease.end_round,
				"txHash": tx_hash,
			}));
		}
		Err(format!(
			"lease {id} still ends at round {} {:?} after transaction {tx_hash}: it may have \
			 failed (see the chain's events)",
			lease.end_round,
			POLL_INTERVAL * MAX_POLLS,
		)
		.into())
	}
}

/// The name of `call`, as errors say it.
fn call_name(call: &LeaseCall) -> &'static str {
	match call {
		LeaseCall::Put { .. } => "put",
		LeaseCall::Get { .. } => "get",
		LeaseCall::Delete { .. } => "delete",
		LeaseCall::Download { .. } => "download",
		LeaseCall::Usage => "usage",
		LeaseCall::Receipt { .. } => "receipt",
	}
}

/// `kind` as the RPCs name it.
fn kind_name(kind: ResourceKind) -> &'static str {
	match kind {
		ResourceKind::Storage => "storage",
		ResourceKind::Bandwidth => "bandwidth",
		ResourceKind::Compute => "compute",
	}
}

/// The bytes of an object key, if it is not too long.
fn object_key(key: &str) -> Result<Vec<u8>> {
	if key.len() > MAX_OBJECT_KEY_BYTES {
		return Err(format!("a key is at most {MAX_OBJECT_KEY_BYTES} bytes").into());
	}
	Ok(key.as_bytes().to_vec())
}

/// The bytes of the file at `path`, if it is not larger than an object may be.
fn read_object(path: &Path) -> Result<Vec<u8>> {
	let shown = path.display();
	let size = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?.len();
	if size > MAX_OBJECT_BYTES as u64 {
		return Err(format!("{shown}: an object is at most {MAX_OBJECT_BYTES} bytes").into());
	}
	Ok(std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?)
}

/// What the node says a lease holds after a `put` or `delete`.
fn stored_json(stored: &Stored) -> Value {
	json!({
		"bytes": stored.bytes.to_string(),
		"objects": stored.objects,
		"round": stored.round,
		"counter": stored.counter.to_string(),
	})
}

/// What the client counts itself, with its counter of `round`.
fn own_json(state: &LeaseState, round: u32) -> Value {
	json!({
		"heldBytes": state.held_bytes().to_string(),
		"objects": state.objects.len(),
		"round": round,
		"counter": state.counter(round).to_string(),
	})
}

/// What the node metered.
fn usage_json(usage: &LeaseUsage) -> Value {
	let notes: Vec<Value> = usage
		.notes
		.iter()
		.map(|note| json!({ "round": note.round, "counter": note.counter.to_string() }))
		.collect();
	let receipted: Vec<Value> = usage
		.receipted
		.iter()
		.map(|(round, counter)| json!({ "round": round, "counter": counter.to_string() }))
		.collect();
	json!({
		"round": usage.round,
		"counter": usage.counter.to_string(),
		"storedBytes": usage.stored_bytes.to_string(),
		"notes": notes,
		"receipted": receipted,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::resources::lease_wire::SignedNote;

	#[test]
	fn the_nodes_usage_prints_as_json() {
		let usage = LeaseUsage {
			round: 9,
			counter: 2,
			stored_bytes: 300,
			notes: vec![SignedNote { round: 8, counter: 3, signature: [0; 64] }],
			receipted: vec![(7, 1)],
		};
		assert_eq!(
			usage_json(&usage),
			json!({
				"round": 9, "counter": "2", "storedBytes": "300",
				"notes": [{ "round": 8, "counter": "3" }],
				"receipted": [{ "round": 7, "counter": "1" }],
			})
		);
	}
}
