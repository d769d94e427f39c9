//! The prober: the verifier side of the resource probes.
//!
//! Once a round, for every provider `v` whose `sync` key the node holds, it probes each target the
//! round assigned `v` (`verifier_assignments(v)`), one target and one probe at a time, and leaves
//! the [`Measurement`] for the offchain worker under [`report_key`]`(round, v, target)`. It starts
//! at a block drawn at random from the round's first third ([`probe_block`]), so that the verifiers
//! of a target do not all probe it at once; it stops early if the round ends, and skips a target
//! whose measurement is already stored (after a restart, say).
//!
//! For each target, at its registered `http://` endpoint:
//!
//! 1. **Liveness**: a fresh nonce; the target is `reachable` if the answer is the target's `sync`
//!    key signature over it within [`LIVENESS_TIMEOUT`], and `latency_ms` is how long it took
//!    (connection included). An unreachable target measures zero, and is probed no further.
//! 2. **Storage**, if the round names a dataset for it: `storage_samples` leaves drawn from a fresh
//!    nonce; each proof that [`verify_proof`] accepts against the committed root counts, and none
//!    does if the answer took longer than `storage_deadline_ms`. The storage measured is the whole
//!    dataset, `leaves × LEAF_BYTES / storage_unit`, if every sample passed, else 0
//!    ([`measured_storage`]).
//! 3. **Bandwidth**: `bandwidth_bytes` of payload for a fresh seed, timed from the request to the
//!    last byte and checked as it arrives; Mbit/s if every byte is right, else 0.
//! 4. **Compute**: `ceil(declared / 1000)` threads (1 to 64, [`compute_threads`]) for
//!    `compute_millis`, [`SEGMENT_HASHES`] hashes a segment; [`SPOT_CHECKS`] segments recomputed.
//!    If all are right, the milli-vCPU measured are the claimed segments at the verifier's own
//!    speed over the time the answer took (request to answer, less the liveness round trip, and at
//!    least `compute_millis`), at most `threads × 1000`; else 0.
//!
//! Every probe has its own timeout; a probe that fails measures zero.

use std::{
	collections::VecDeque,
	fmt,
	sync::Arc,
	time::{Duration, Instant},
};

use codec::{Decode, Encode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
	body::{Bytes, Incoming},
	client::conn::http1,
	header, Method, Request, Response, StatusCode, Uri,
};
use hyper_util::rt::TokioIo;
use pallet_sync_attestation::{Measurement, SampleProof, StorageFraudProof};
use proof_of_sync_probe::{
	bandwidth::{mbit_per_s, PayloadChecker, MAX_PAYLOAD_BYTES},
	compute::{self, milli_vcpu, MAX_CHECKPOINTS_PER_THREAD, MAX_MILLIS},
	dataset::{
		sample_indices, verify_proof, DatasetParams, ProofError, StorageProof, LEAF_BYTES,
		MAX_SAMPLES,
	},
};
use proof_of_sync_runtime_api::{
	Assignment, Capacity, DatasetCommitment, ProbeConfig, RoundInfo, DATASET_LEAF_BYTES,
};
use rand::{Rng, RngCore};
use sp_core::{
	crypto::AccountId32,
	offchain::{OffchainStorage, STORAGE_PREFIX},
};
use tokio::{net::TcpStream, time::MissedTickBehavior};

use super::{
	audit_request_key, blocking,
	chain::{local_providers, verify_signature, Chain, Signer, MAX_LOCAL_KEYS},
	datasets::committed_params,
	report_key,
	wire::{
		decode, liveness_payload, Authenticated, BandwidthRequest, ComputeAnswer, ComputeRequest,
		LivenessRequest, LivenessResponse, ProbeRequest, StorageRequest, StorageResponse,
		BANDWIDTH_PATH, COMPUTE_PATH, CONTENT_TYPE, LIVENESS_PATH, MAX_COMPUTE_THREADS,
		STORAGE_PATH,
	},
	LOG_TARGET,
};

/// How often the prober looks at the chain: a third of the 6 s block time.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// How long a target may take to answer its liveness challenge.
pub const LIVENESS_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a bandwidth probe may take, from the request to the last byte: an 8 MiB payload at
/// 7 Mbit/s. A target cannot hold its verifier much longer than its probes need.
pub const BANDWIDTH_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a compute probe may take beyond its `compute_millis`, from the request to the answer
/// (the target runs one compute probe at a time, so the answer may wait for another verifier's,
/// and is then measured over the longer time).
pub const COMPUTE_GRACE: Duration = Duration::from_secs(5);

/// The longest an HTTP connection of the prober lives.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

/// The hashes per segment the compute probe asks for.
pub const SEGMENT_HASHES: u32 = 4096;

/// The segments of a compute answer the prober recomputes.
pub const SPOT_CHECKS: usize = 16;

/// The most targets probed per verifier and round.
pub const MAX_TARGETS: usize = 64;

/// The most measurements and audit requests the prober remembers writing, to remove them once
/// their round is over: two rounds' worth (one of each per target and round).
pub const MAX_WRITTEN_REPORTS: usize = 4 * MAX_TARGETS * MAX_LOCAL_KEYS;

/// The largest liveness answer read, in bytes.
const MAX_LIVENESS_ANSWER: usize = 1024;

/// A target's endpoint: an `http://host[:port][/base]` URL, without user info or query.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Endpoint {
	pub(crate) host: String,
	pub(crate) port: u16,
	authority: String,
	base_path: String,
}

impl Endpoint {
	/// Parses a registered endpoint; `None` if it is not such a URL.
	pub fn parse(endpoint: &[u8]) -> Option<Self> {
		let text = std::str::from_utf8(endpoint).ok()?;
		let uri: Uri = text.parse().ok()?;
		if uri.scheme_str() != Some("http") || uri.query().is_some() {
			return None;
		}
		let authority = uri.authority()?;
		if authority.as_str().contains('@') {
			return None;
		}
		let host = authority.host().trim_start_matches('[').trim_end_matches(']');
		if host.is_empty() {
			return None;
		}
		Some(Self {
			host: host.to_owned(),
			port: authority.port_u16().unwrap_or(80),
			authority: authority.as_str().to_owned(),
			base_path: uri.path().trim_end_matches('/').to_owned(),
		})
	}

	/// The request path of `path` at this endpoint.
	fn url_path(&self, path: &str) -> String {
		format!("{}{path}", self.base_path)
	}
}

/// Why a request to a target failed.
#[derive(Debug)]
pub enum ClientError {
	/// The connection could not be made.
	Connect(std::io::Error),
	/// The HTTP exchange failed.
	Http(hyper::Error),
	/// The request could not be built.
	Request(hyper::http::Error),
	/// The target answered with another status than 200.
	Status(StatusCode),
	/// The answer's body failed, was too long, or was wrong.
	Body,
}

impl fmt::Display for ClientError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			ClientError::Connect(error) => write!(f, "cannot connect: {error}"),
			ClientError::Http(error) => write!(f, "HTTP: {error}"),
			ClientError::Request(error) => write!(f, "bad request: {error}"),
			ClientError::Status(status) => write!(f, "answered {status}"),
			ClientError::Body => write!(f, "bad answer body"),
		}
	}
}

/// POSTs `body` to `path` at `endpoint` over a new HTTP/1.1 connection, and returns the answer
/// with its body unread.
pub async fn post(
	endpoint: &Endpoint,
	path: &str,
	body: Vec<u8>,
) -> Result<Response<Incoming>, ClientError> {
	let stream = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
		.await
		.map_err(ClientError::Connect)?;
	// Small requests and answers: do not wait to fill packets.
	let _ = stream.set_nodelay(true);
	let (mut sender, connection) = http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
		.await
		.map_err(ClientError::Http)?;
	tokio::spawn(async move {
		let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
	});
	let request = Request::builder()
		.method(Method::POST)
		.uri(endpoint.url_path(path))
		.header(header::HOST, endpoint.authority.as_str())
		.header(header::CONTENT_TYPE, CONTENT_TYPE)
		.body(Full::new(Bytes::from(body)))
		.map_err(ClientError::Request)?;
	sender.ready().await.map_err(ClientError::Http)?;
	sender.send_request(request).await.map_err(ClientError::Http)
}

/// The body of `response`, if it is at most `limit` bytes.
pub async fn read_limited(
	response: Response<Incoming>,
	limit: usize,
) -> Result<Bytes, ClientError> {
	Limited::new(response.into_body(), limit)
		.collect()
		.await
		.map(|collected| collected.to_bytes())
		.map_err(|_| ClientError::Body)
}

/// POSTs `body` to `path` at `endpoint` and returns the body of a 200 answer of at most `limit`
/// bytes.
async fn fetch(
	endpoint: &Endpoint,
	path: &str,
	body: Vec<u8>,
	limit: usize,
) -> Result<Bytes, ClientError> {
	let response = post(endpoint, path, body).await?;
	if response.status() != StatusCode::OK {
		return Err(ClientError::Status(response.status()));
	}
	read_limited(response, limit).await
}

/// POSTs `body` to `path` at `endpoint` and decodes its 200 answer of at most `limit` bytes as
/// `R`, with the time from the request to the answer; `None`, logged as `probe`'s failure for
/// `target`, if the exchange failed, took longer than `timeout` or the answer does not decode.
async fn exchange<R: Decode>(
	endpoint: &Endpoint,
	target: &AccountId32,
	probe: &str,
	path: &str,
	body: Vec<u8>,
	limit: usize,
	timeout: Duration,
) -> Option<(R, Duration)> {
	let started = Instant::now();
	let answer = tokio::time::timeout(timeout, fetch(endpoint, path, body, limit)).await;
	let elapsed = started.elapsed();
	let bytes = match answer {
		Ok(Ok(bytes)) => bytes,
		Ok(Err(error)) => {
			log::debug!(target: LOG_TARGET, "{target}: {probe}: {error}");
			return None;
		},
		Err(_) => {
			log::debug!(target: LOG_TARGET, "{target}: {probe}: no answer within {timeout:?}");
			return None;
		},
	};
	let Some(answer) = decode::<R>(&bytes) else {
		log::debug!(target: LOG_TARGET, "{target}: {probe}: the answer does not decode");
		return None;
	};
	Some((answer, elapsed))
}

/// 32 fresh random bytes.
fn fresh_nonce() -> [u8; 32] {
	let mut nonce = [0u8; 32];
	rand::thread_rng().fill_bytes(&mut nonce);
	nonce
}

/// The block at which to probe in `round`: its first block plus `pick(spread)` (at most
/// `spread`), `spread` being a third of the round's length.
pub fn probe_block(round: &RoundInfo<u32>, pick: impl FnOnce(u32) -> u32) -> u32 {
	let spread = round.length / 3;
	round.start.saturating_add(pick(spread).min(spread))
}

/// The storage measured, in the chain's storage units: the whole dataset
/// ([`DatasetCommitment::units`], the most the chain accepts in a report), if every sample passed
/// within `deadline`; otherwise 0, as with no samples or a zero unit.
///
/// All or nothing: an honest node holds its whole committed dataset and never fails a sample, so
/// a failed one proves the dataset is not what was committed. Partial credit would pay a cheater
/// that breaks its lanes' chains every few leaves (committing leaves it can regenerate from a
/// nearby one in time) for everything but the broken leaves the samples happen to hit.
pub fn measured_storage(
	dataset: &DatasetCommitment,
	passed: usize,
	samples: usize,
	storage_unit: u64,
	elapsed: Duration,
	deadline: Duration,
) -> u64 {
	if elapsed > deadline || samples == 0 || storage_unit == 0 || passed < samples {
		return 0;
	}
	dataset.units(storage_unit)
}

// The chain counts a dataset's units with the leaf size the probe crate seals.
const _: () = assert!(LEAF_BYTES as u64 == DATASET_LEAF_BYTES);

/// What a storage answer's proofs showed.
#[derive(Debug, Default)]
pub struct CheckedProofs {
	/// How many prove the leaf at the same position of the indices asked.
	pub passed: usize,
	/// The first proof whose leaf and predecessor are both in the committed tree but whose leaf
	/// is not the predecessor's seal: evidence that the dataset was not sealed
	/// ([`ProofError::WrongLeaf`]).
	pub fraud: Option<StorageProof>,
}

/// Checks `proofs` against the leaves at the same positions of `indices` and `root`.
pub fn check_proofs(
	params: &DatasetParams,
	root: &[u8; 32],
	indices: &[u64],
	proofs: Vec<StorageProof>,
) -> CheckedProofs {
	let mut checked = CheckedProofs::default();
	for (index, proof) in indices.iter().zip(proofs) {
		if proof.index != *index {
			continue;
		}
		match verify_proof(params, root, &proof) {
			Ok(()) => checked.passed = checked.passed.saturating_add(1),
			Err(ProofError::WrongLeaf) if checked.fraud.is_none() => checked.fraud = Some(proof),
			Err(_) => {},
		}
	}
	checked
}

/// The fraud proof the chain takes (`syncAttestation.reportStorageFraud`) for `proof`, a link of
/// `provider`'s dataset `dataset` that is in its tree but not sealed; `None` if a leaf or path
/// is longer than the chain's bounds (which a proof that verified to [`ProofError::WrongLeaf`]
/// never is).
pub fn storage_fraud_proof(
	provider: &AccountId32,
	dataset: DatasetCommitment,
	proof: StorageProof,
) -> Option<StorageFraudProof<AccountId32>> {
	let index = proof.index;
	let SampleProof { leaf, path, previous } = sample_proof(proof)?;
	Some(StorageFraudProof { provider: provider.clone(), dataset, index, leaf, path, previous })
}

/// `proof` in the chain's bounded form (a storage fraud proof's or an audit answer's link);
/// `None` if a leaf or path is longer than the chain's bounds.
pub fn sample_proof(proof: StorageProof) -> Option<SampleProof> {
	let previous = match proof.previous {
		Some((leaf, path)) => Some((leaf.try_into().ok()?, path.try_into().ok()?)),
		None => None,
	};
	Some(SampleProof {
		leaf: proof.leaf.try_into().ok()?,
		path: proof.path.try_into().ok()?,
		previous,
	})
}

/// The milliseconds a compute answer's work is spread over: the time from the request to the
/// answer less the connection's round trip, and never less than the `millis` asked for.
///
/// The verifier does not trust the target to have stopped at `millis`: a target that hashes for
/// longer before answering (up to [`COMPUTE_GRACE`] more) claims more segments, and is measured
/// over the longer time, so it gains nothing.
pub fn compute_window_ms(elapsed: Duration, round_trip_ms: u32, millis: u32) -> u32 {
	let elapsed_ms = u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX);
	elapsed_ms.saturating_sub(round_trip_ms).max(millis)
}

/// The threads of a compute probe for a target that declared `declared` milli-vCPU:
/// `ceil(declared / 1000)`, from 1 to [`MAX_COMPUTE_THREADS`].
pub fn compute_threads(declared: u64) -> u16 {
	let threads = declared.div_ceil(1000).clamp(1, u64::from(MAX_COMPUTE_THREADS));
	u16::try_from(threads).unwrap_or(MAX_COMPUTE_THREADS)
}

/// The largest storage answer to `samples` samples: two leaves and two paths of at most 64 nodes
/// per sample, with room for the encoding.
fn storage_answer_limit(samples: usize) -> usize {
	let per_proof = 2 * (LEAF_BYTES + 64 * 32 + 16) + 16;
	samples.saturating_mul(per_proof).saturating_add(16)
}

/// The largest compute answer of `threads` threads.
fn compute_answer_limit(threads: u16) -> usize {
	let per_thread = MAX_CHECKPOINTS_PER_THREAD * 32 + 8;
	usize::from(threads).saturating_mul(per_thread).saturating_add(16)
}

/// What probing in one round as one verifier needs.
pub struct RoundContext<S> {
	/// Signs with the verifier's key.
	pub signer: Arc<S>,
	/// The chain's genesis hash.
	pub genesis_hash: [u8; 32],
	/// The chain's probe configuration.
	pub config: ProbeConfig,
	/// The round in progress.
	pub round: u32,
	/// The verifier.
	pub verifier: AccountId32,
	/// The verifier's `sync` key, held by `signer`.
	pub verifier_key: [u8; 32],
}

impl<S: Signer> RoundContext<S> {
	/// `request`, signed by the verifier for the round.
	fn sign<R: ProbeRequest>(&self, request: R) -> Option<Authenticated<R>> {
		Authenticated::sign(
			request,
			self.verifier.clone(),
			self.round,
			&self.genesis_hash,
			|payload| self.signer.sign(&self.verifier_key, payload),
		)
	}
}

/// What probing a target found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Probed {
	/// The measurement to report.
	pub measurement: Measurement,
	/// The nonce of a storage probe that the target, reachable, did not answer in full and in
	/// time: the samples a storage audit asks it to prove on chain.
	pub audit: Option<[u8; 32]>,
}

/// Probes the target of `assignment`, whose `sync` key is `target_key`.
pub async fn probe_target<S: Signer>(
	ctx: &RoundContext<S>,
	target_key: Option<[u8; 32]>,
	assignment: &Assignment<AccountId32>,
) -> Probed {
	let target = &assignment.target;
	let Some(endpoint) = Endpoint::parse(&assignment.endpoint) else {
		log::debug!(target: LOG_TARGET, "{target}: the endpoint is not an http:// URL");
		return Probed::default();
	};
	let Some(target_key) = target_key else {
		log::debug!(target: LOG_TARGET, "{target}: no sync key");
		return Probed::default();
	};
	let Some(latency_ms) = probe_liveness(ctx, &endpoint, target, &target_key).await else {
		return Probed::default();
	};
	let (storage, audit) = match assignment.dataset {
		Some(commitment) => probe_storage(ctx, &endpoint, target, commitment).await,
		None => (0, None),
	};
	let bandwidth = probe_bandwidth(ctx, &endpoint, target).await;
	let compute =
		probe_compute(ctx, &endpoint, target, assignment.declared.compute, latency_ms).await;
	let measured = Capacity { compute, storage, bandwidth };
	Probed { measurement: Measurement { reachable: true, latency_ms, measured }, audit }
}

/// The liveness probe: the milliseconds a valid answer took, or `None`.
async fn probe_liveness<S: Signer>(
	ctx: &RoundContext<S>,
	endpoint: &Endpoint,
	target: &AccountId32,
	target_key: &[u8; 32],
) -> Option<u32> {
	let nonce = fresh_nonce();
	let body = LivenessRequest { provider: target.clone(), nonce }.encode();
	let (answer, elapsed): (LivenessResponse, _) = exchange(
		endpoint,
		target,
		"liveness",
		LIVENESS_PATH,
		body,
		MAX_LIVENESS_ANSWER,
		LIVENESS_TIMEOUT,
	)
	.await?;
	let payload = liveness_payload(&ctx.genesis_hash, target, &nonce);
	if !verify_signature(target_key, &payload, &answer.signature) {
		log::debug!(target: LOG_TARGET, "{target}: liveness: not signed by its sync key");
		return None;
	}
	Some(u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX))
}

/// The storage probe: the storage units measured against `commitment`, and the probe's nonce
/// if the target did not prove every sample in time (its samples are what an audit asks for).
async fn probe_storage<S: Signer>(
	ctx: &RoundContext<S>,
	endpoint: &Endpoint,
	target: &AccountId32,
	commitment: DatasetCommitment,
) -> (u64, Option<[u8; 32]>) {
	let samples = usize::try_from(ctx.config.storage_samples)
		.unwrap_or(usize::MAX)
		.min(MAX_SAMPLES);
	let nonce = fresh_nonce();
	let indices = sample_indices(&nonce, commitment.leaves, samples);
	if indices.is_empty() {
		return (0, None);
	}
	let request = StorageRequest {
		provider: target.clone(),
		root: commitment.root,
		indices: indices.clone(),
	};
	let Some(signed) = ctx.sign(request) else { return (0, None) };
	let deadline = Duration::from_millis(u64::from(ctx.config.storage_deadline_ms));
	let limit = storage_answer_limit(indices.len());
	let exchanged = exchange::<StorageResponse>(
		endpoint,
		target,
		"storage",
		STORAGE_PATH,
		signed.encode(),
		limit,
		deadline,
	)
	.await;
	let Some((answer, elapsed)) = exchanged else { return (0, Some(nonce)) };
	let params = committed_params(target, ctx.genesis_hash, &commitment);
	let count = indices.len();
	let checked =
		blocking(move || check_proofs(&params, &commitment.root, &indices, answer.proofs))
			.await
			.unwrap_or_default();
	if let Some(fraud) = checked.fraud.and_then(|p| storage_fraud_proof(target, commitment, p)) {
		// The audit this probe's failure opens proves it on chain (the target must answer with
		// the same leaf, or miss the audit); anyone may also submit the proof itself, signed.
		let index = fraud.index;
		let call = proof_of_sync_runtime::RuntimeCall::SyncAttestation(
			pallet_sync_attestation::Call::report_storage_fraud { proof: Box::new(fraud) },
		);
		log::warn!(
			target: LOG_TARGET,
			"{target}: storage: leaf {index} is in its committed dataset but is not sealed, which \
			 proves the dataset false; the node asks for a storage audit, and this \
			 syncAttestation.reportStorageFraud call, signed by any account, proves it too: {}",
			sp_core::bytes::to_hex(&call.encode(), false),
		);
	}
	let measured = measured_storage(
		&commitment,
		checked.passed,
		count,
		ctx.config.storage_unit,
		elapsed,
		deadline,
	);
	let failed = elapsed > deadline || checked.passed < count;
	(measured, failed.then_some(nonce))
}

/// The bandwidth probe: the Mbit/s of a fully right payload, or 0.
async fn probe_bandwidth<S: Signer>(
	ctx: &RoundContext<S>,
	endpoint: &Endpoint,
	target: &AccountId32,
) -> u64 {
	let bytes = ctx.config.bandwidth_bytes.min(MAX_PAYLOAD_BYTES);
	if bytes == 0 {
		return 0;
	}
	let seed = fresh_nonce();
	let Ok(mut checker) = PayloadChecker::new(&seed, bytes) else { return 0 };
	let Some(signed) = ctx.sign(BandwidthRequest { provider: target.clone(), seed, bytes }) else {
		return 0;
	};
	let started = Instant::now();
	let received = tokio::time::timeout(
		BANDWIDTH_TIMEOUT,
		receive_payload(endpoint, signed.encode(), &mut checker),
	)
	.await;
	let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
	match received {
		Ok(Ok(())) if checker.finish().is_ok() => mbit_per_s(checker.expected(), nanos),
		Ok(Ok(())) => {
			log::debug!(target: LOG_TARGET, "{target}: bandwidth: wrong payload");
			0
		},
		Ok(Err(error)) => {
			log::debug!(target: LOG_TARGET, "{target}: bandwidth: {error}");
			0
		},
		Err(_) => {
			log::debug!(target: LOG_TARGET, "{target}: bandwidth: timed out");
			0
		},
	}
}

/// Asks for the payload and feeds it to `checker` as it arrives, stopping at the first wrong
/// byte or past the payload's length.
async fn receive_payload(
	endpoint: &Endpoint,
	body: Vec<u8>,
	checker: &mut PayloadChecker,
) -> Result<(), ClientError> {
	let response = post(endpoint, BANDWIDTH_PATH, body).await?;
	if response.status() != StatusCode::OK {
		return Err(ClientError::Status(response.status()));
	}
	let mut body = response.into_body();
	while let Some(frame) = body.frame().await {
		let frame = frame.map_err(ClientError::Http)?;
		if let Ok(data) = frame.into_data() {
			checker.feed(&data);
			if !checker.is_prefix() {
				return Err(ClientError::Body);
			}
		}
	}
	Ok(())
}

/// The compute probe: the milli-vCPU measured, or 0. `round_trip_ms` is the liveness probe's
/// latency, taken off the time the answer took.
async fn probe_compute<S: Signer>(
	ctx: &RoundContext<S>,
	endpoint: &Endpoint,
	target: &AccountId32,
	declared: u64,
	round_trip_ms: u32,
) -> u64 {
	let millis = ctx.config.compute_millis.min(MAX_MILLIS);
	if millis == 0 {
		return 0;
	}
	let threads = compute_threads(declared);
	let nonce = fresh_nonce();
	let request = ComputeRequest {
		provider: target.clone(),
		nonce,
		threads,
		millis,
		segment_hashes: SEGMENT_HASHES,
	};
	let Some(signed) = ctx.sign(request) else { return 0 };
	let limit = compute_answer_limit(threads);
	let exchanged = exchange::<ComputeAnswer>(
		endpoint,
		target,
		"compute",
		COMPUTE_PATH,
		signed.encode(),
		limit,
		Duration::from_millis(u64::from(millis)).saturating_add(COMPUTE_GRACE),
	)
	.await;
	let Some((answer, elapsed)) = exchanged else { return 0 };
	let worked_ms = compute_window_ms(elapsed, round_trip_ms, millis);
	if answer.threads.len() > usize::from(threads) {
		log::debug!(target: LOG_TARGET, "{target}: compute: more threads than asked for");
		return 0;
	}
	let rng_seed = fresh_nonce();
	let check =
		blocking(move || compute::check(&nonce, &answer, SEGMENT_HASHES, SPOT_CHECKS, &rng_seed))
			.await;
	match check {
		Some(Ok(check)) if check.passed() =>
			milli_vcpu(check.segments, worked_ms, check.own_nanos_per_segment)
				.min(u64::from(threads).saturating_mul(1000)),
		Some(Ok(check)) => {
			log::debug!(
				target: LOG_TARGET,
				"{target}: compute: {} of {} spot checks failed",
				check.failed,
				check.failed.saturating_add(check.verified),
			);
			0
		},
		Some(Err(error)) => {
			log::debug!(target: LOG_TARGET, "{target}: compute: {error}");
			0
		},
		None => 0,
	}
}

/// One target to probe.
struct Target {
	assignment: Assignment<AccountId32>,
	key: Option<[u8; 32]>,
}

/// One local verifier's work in a round.
struct Work {
	verifier: AccountId32,
	key: [u8; 32],
	targets: Vec<Target>,
	/// The verifier has no target this round (a single-node chain, say), so it probes its own
	/// endpoint instead: the result is logged, never reported (the chain refuses self-reports).
	self_test: bool,
}

/// What the chain says a round's probing needs: the probe config, the genesis hash and every
/// local verifier's targets. Blocking.
fn plan<C: Chain, S: Signer>(
	chain: &C,
	signer: &S,
	round: u32,
) -> Option<(ProbeConfig, [u8; 32], Vec<Work>)> {
	let config = chain.probe_config()?;
	let genesis_hash = chain.genesis_hash();
	let work = local_providers(chain, signer)
		.into_iter()
		.map(|(verifier, key)| {
			let targets: Vec<Target> = chain
				.assignments(&verifier)
				.into_iter()
				.filter(|assignment| assignment.round == round && assignment.target != verifier)
				.take(MAX_TARGETS)
				.map(|assignment| {
					let key = chain.sync_key(&assignment.target);
					Target { assignment, key }
				})
				.collect();
			if targets.is_empty() {
				if let Some(info) = chain.provider(&verifier) {
					let assignment = Assignment {
						round,
						target: verifier.clone(),
						endpoint: info.endpoint,
						declared: info.capacity,
						dataset: info.dataset,
					};
					let targets = vec![Target { assignment, key: Some(key) }];
					return Work { verifier, key, targets, self_test: true };
				}
			}
			Work { verifier, key, targets, self_test: false }
		})
		.collect();
	Some((config, genesis_hash, work))
}

/// The prober task (see the [module docs](self)).
pub struct Prober<C, S, O> {
	chain: Arc<C>,
	signer: Arc<S>,
	offchain: O,
	/// The round planned, and the block to probe it at.
	planned: Option<(u32, u32)>,
	/// The last round probed.
	done: Option<u32>,
	/// The measurements written, oldest first, with their round.
	written: VecDeque<(u32, Vec<u8>)>,
	/// The last self-test: the round, the provider and what its own endpoint answered.
	last_self_test: Option<(u32, AccountId32, Measurement)>,
}

impl<C: Chain, S: Signer, O: OffchainStorage + 'static> Prober<C, S, O> {
	/// A prober for the verifiers whose keys `signer` holds, leaving its measurements in
	/// `offchain`.
	pub fn new(chain: Arc<C>, signer: Arc<S>, offchain: O) -> Self {
		Self {
			chain,
			signer,
			offchain,
			planned: None,
			done: None,
			written: VecDeque::new(),
			last_self_test: None,
		}
	}

	/// Runs the prober: a look at the chain every [`POLL_INTERVAL`].
	pub async fn run(mut self) {
		let mut interval = tokio::time::interval(POLL_INTERVAL);
		interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
		loop {
			interval.tick().await;
			self.step().await;
		}
	}

	/// One look: plans the round in progress when it is new, and probes it when its block has
	/// come.
	async fn step(&mut self) {
		let chain = self.chain.clone();
		let looked = blocking(move || chain.round_info().map(|info| (info, chain.best_number())));
		let Some((info, best)) = looked.await.flatten() else { return };
		if self.done == Some(info.index) {
			return;
		}
		let at = match self.planned {
			Some((round, at)) if round == info.index => at,
			_ => {
				let at = probe_block(&info, |spread| rand::thread_rng().gen_range(0..=spread));
				log::debug!(target: LOG_TARGET, "round {}: probing at block {at}", info.index);
				self.planned = Some((info.index, at));
				at
			},
		};
		if best < at {
			return;
		}
		if self.probe_round(info.index).await {
			self.done = Some(info.index);
		}
	}

	/// Probes every local verifier's targets in `round`, and leaves the measurements for the
	/// offchain worker. `false` if the runtime did not say what to probe (the next look tries
	/// again); `true` once the round is done with, probed in full or ended.
	async fn probe_round(&mut self, round: u32) -> bool {
		let (chain, signer) = (self.chain.clone(), self.signer.clone());
		let planned = blocking(move || plan(&*chain, &*signer, round)).await.flatten();
		let Some((config, genesis_hash, work)) = planned else { return false };
		self.forget_reports_before(round.saturating_sub(1));
		for Work { verifier, key, targets, self_test } in work {
			let ctx = RoundContext {
				signer: self.signer.clone(),
				genesis_hash,
				config,
				round,
				verifier,
				verifier_key: key,
			};
			for target in targets {
				let key = report_key(round, &ctx.verifier, &target.assignment.target);
				if self.offchain.get(STORAGE_PREFIX, &key).is_some() {
					continue;
				}
				let chain = self.chain.clone();
				if blocking(move || chain.current_round()).await.flatten() != Some(round) {
					log::debug!(target: LOG_TARGET, "round {round} ended before every probe");
					return true;
				}
				let Probed { measurement, audit } =
					probe_target(&ctx, target.key, &target.assignment).await;
				if self_test {
					self.last_self_test =
						Some((round, target.assignment.target.clone(), measurement));
				} else {
					if let Some(nonce) = audit {
						let audit_key =
							audit_request_key(round, &ctx.verifier, &target.assignment.target);
						self.offchain.set(STORAGE_PREFIX, &audit_key, &nonce);
						self.remember_report(round, audit_key);
						log::info!(
							target: LOG_TARGET,
							"round {round}: {} did not prove its storage samples to {}; the \
							 offchain worker asks for a storage audit",
							target.assignment.target,
							ctx.verifier,
						);
					}
					self.offchain.set(STORAGE_PREFIX, &key, &measurement.encode());
					self.remember_report(round, key);
				}
				let Measurement { reachable, latency_ms, measured } = measurement;
				log::info!(
					target: LOG_TARGET,
					"round {round}: {} {} {}: reachable {reachable}, latency {latency_ms} ms, \
					 compute {} milli-vCPU, storage {} units, bandwidth {} Mbit/s",
					ctx.verifier,
					if self_test { "self-tested (no verifier this round, not reported)" } else { "probed" },
					target.assignment.target,
					measured.compute,
					measured.storage,
					measured.bandwidth,
				);
			}
		}
		true
	}

	/// Notes that the measurement at `key`, of `round`, was written; beyond
	/// [`MAX_WRITTEN_REPORTS`], the oldest is removed.
	fn remember_report(&mut self, round: u32, key: Vec<u8>) {
		self.written.push_back((round, key));
		while self.written.len() > MAX_WRITTEN_REPORTS {
			if let Some((_, key)) = self.written.pop_front() {
				self.offchain.remove(STORAGE_PREFIX, &key);
			}
		}
	}

	/// Removes the measurements written for rounds before `round`: they can no longer be
	/// reported.
	fn forget_reports_before(&mut self, round: u32) {
		while let Some(&(written, _)) = self.written.front() {
			if written >= round {
				break;
			}
			if let Some((_, key)) = self.written.pop_front() {
				self.offchain.remove(STORAGE_PREFIX, &key);
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::{
		super::{
			chain::testing::{provider, public, round, FakeChain, FakeSigner},
			datasets::{commitment_of, dataset_params},
			server::{serve, DatasetRegistry, ServerState},
			write,
		},
		*,
	};
	use proof_of_sync_probe::dataset::Dataset;
	use proof_of_sync_test_utils::TestDataset;
	use sp_core::offchain::storage::InMemOffchainStorage;
	use tokio::net::TcpListener;

	const TARGET_SEED: [u8; 32] = [1; 32];
	const VERIFIER_SEED: [u8; 32] = [2; 32];
	const GENESIS: [u8; 32] = [9; 32];

	fn target() -> AccountId32 {
		AccountId32::new([11; 32])
	}

	fn verifier() -> AccountId32 {
		AccountId32::new([12; 32])
	}

	#[test]
	fn endpoints_are_plain_http_urls() {
		let endpoint = Endpoint::parse(b"http://127.0.0.1:30555").expect("valid");
		assert_eq!(
			endpoint,
			Endpoint {
				host: "127.0.0.1".into(),
				port: 30555,
				authority: "127.0.0.1:30555".into(),
				base_path: String::new(),
			}
		);
		assert_eq!(endpoint.url_path(LIVENESS_PATH), LIVENESS_PATH);
		let endpoint = Endpoint::parse(b"http://example.org/pos/").expect("valid");
		assert_eq!((endpoint.host.as_str(), endpoint.port), ("example.org", 80));
		assert_eq!(endpoint.url_path(STORAGE_PATH), format!("/pos{STORAGE_PATH}"));
		let endpoint = Endpoint::parse(b"http://[::1]:8080").expect("valid");
		assert_eq!((endpoint.host.as_str(), endpoint.port), ("::1", 8080));
		let bad: [&[u8]; 6] = [
			b"https://example.org",
			b"example.org:80",
			b"http://user@example.org",
			b"http://example.org/?q=1",
			b"",
			b"\xff",
		];
		for bad in bad {
			assert_eq!(Endpoint::parse(bad), None, "{bad:?}");
		}
	}

	#[test]
	fn the_probe_block_is_in_the_first_third() {
		let info = round(3, 100, 30);
		assert_eq!(probe_block(&info, |_| 0), 100);
		assert_eq!(probe_block(&info, |spread| spread), 110);
		assert_eq!(probe_block(&info, |_| 1_000), 110);
		assert_eq!(probe_block(&round(3, 100, 2), |spread| spread), 100);
	}

	/// A dataset of `leaves` leaves.
	fn leaves(leaves: u64) -> DatasetCommitment {
		DatasetCommitment { root: [0; 32], leaves, lanes: 1, seal_iterations: 1 }
	}

	/// The proofs of `indices` in a dataset of 8 leaves in 2 lanes of `target()`'s whose leaf 5
	/// is junk (and leaf 7 sealed from it), with the dataset's commitment.
	fn broken_dataset_proofs(
		indices: &[u64],
	) -> (DatasetParams, DatasetCommitment, Vec<StorageProof>) {
		let params = DatasetParams {
			account: target().encode(),
			seed: GENESIS,
			leaves: 8,
			lanes: 2,
			seal_iterations: 2,
		};
		let seal = params.seal_params();
		let dataset = TestDataset::seal(&seal, params.leaves, &[5]);
		let proofs = indices
			.iter()
			.map(|&index| StorageProof {
				index,
				leaf: dataset.leaf(index).to_vec(),
				path: dataset.path(index),
				previous: seal
					.predecessor(index)
					.map(|p| (dataset.leaf(p).to_vec(), dataset.path(p))),
			})
			.collect();
		let commitment = DatasetCommitment {
			root: dataset.root(),
			leaves: params.leaves,
			lanes: params.lanes,
			seal_iterations: params.seal_iterations,
		};
		(params, commitment, proofs)
	}

	#[test]
	fn a_sample_that_fails_only_at_the_seal_is_kept_as_a_fraud_proof_the_chain_accepts() {
		let indices = [3, 5, 7, 1];
		let (params, commitment, proofs) = broken_dataset_proofs(&indices);
		let checked = check_proofs(&params, &commitment.root, &indices, proofs);
		// Leaf 7 is sealed from the junk leaf 5: a sound link. Only 5 is not sealed.
		assert_eq!(checked.passed, 3);
		let fraud = checked.fraud.expect("leaf 5 is junk");
		assert_eq!(fraud.index, 5);
		let proof = storage_fraud_proof(&target(), commitment, fraud).expect("within bounds");
		// What the chain checks: the link is in the committed tree, and it is not sealed.
		let account = target().encode();
		let seal = proof_of_sync_primitives::seal::SealParams {
			account: &account,
			seed: &GENESIS,
			lanes: commitment.lanes,
			seal_iterations: commitment.seal_iterations,
		};
		assert_eq!(
			proof_of_sync_primitives::seal::check_link(
				&seal,
				commitment.leaves,
				&commitment.root,
				&proof.link()
			),
			Err(proof_of_sync_primitives::seal::LinkError::WrongLeaf)
		);

		// A forged leaf is not in the tree: no evidence of anything.
		let (params, commitment, mut proofs) = broken_dataset_proofs(&[5]);
		proofs[0].leaf[0] ^= 1;
		let checked = check_proofs(&params, &commitment.root, &[5], proofs);
		assert_eq!((checked.passed, checked.fraud.is_none()), (0, true));
		// Nor is a proof of another index than the one asked.
		let (params, commitment, proofs) = broken_dataset_proofs(&[5]);
		let checked = check_proofs(&params, &commitment.root, &[4], proofs);
		assert_eq!((checked.passed, checked.fraud.is_none()), (0, true));
	}

	#[test]
	fn storage_is_measured_from_the_proofs_that_passed() {
		let (second, deadline) = (Duration::from_millis(100), Duration::from_secs(2));
		// 2^20 leaves of 4 KiB (4 GiB), in GiB: all 16 samples pass, 4; one fails, nothing.
		assert_eq!(measured_storage(&leaves(1 << 20), 16, 16, 1 << 30, second, deadline), 4);
		assert_eq!(measured_storage(&leaves(1 << 20), 15, 16, 1 << 30, second, deadline), 0);
		assert_eq!(measured_storage(&leaves(1 << 20), 8, 16, 1 << 30, second, deadline), 0);
		assert_eq!(measured_storage(&leaves(1 << 20), 0, 16, 1 << 30, second, deadline), 0);
		// A late answer counts for nothing, however right.
		let late = deadline + Duration::from_millis(1);
		assert_eq!(measured_storage(&leaves(1 << 20), 16, 16, 1 << 30, late, deadline), 0);
		// Degenerate figures.
		assert_eq!(measured_storage(&leaves(1 << 20), 16, 0, 1 << 30, second, deadline), 0);
		assert_eq!(measured_storage(&leaves(1 << 20), 16, 16, 0, second, deadline), 0);
		assert_eq!(measured_storage(&leaves(u64::MAX), 16, 16, 1, second, deadline), u64::MAX);
	}

	#[test]
	fn a_slow_compute_answer_is_measured_over_the_time_it_took() {
		// An answer in time: the probe's own duration.
		assert_eq!(compute_window_ms(Duration::from_millis(230), 5, 200), 225);
		assert_eq!(compute_window_ms(Duration::from_millis(150), 5, 200), 200);
		// A target that hashed for 6 s instead of 200 ms is measured over 6 s: thirty times the
		// segments over thirty times the time is the same milli-vCPU.
		let window = compute_window_ms(Duration::from_millis(6_003), 3, 200);
		assert_eq!(window, 6_000);
		assert_eq!(milli_vcpu(30 * 1_000, window, 1_000_000), milli_vcpu(1_000, 200, 1_000_000));
		// A round trip longer than the answer leaves the probe's duration.
		assert_eq!(compute_window_ms(Duration::from_millis(10), u32::MAX, 200), 200);
	}

	#[test]
	fn compute_threads_follow_the_declared_compute() {
		assert_eq!(compute_threads(0), 1);
		assert_eq!(compute_threads(1), 1);
		assert_eq!(compute_threads(1_000), 1);
		assert_eq!(compute_threads(1_001), 2);
		assert_eq!(compute_threads(4_000), 4);
		assert_eq!(compute_threads(u64::MAX), 64);
	}

	/// The tests' probe settings: 4 KiB units, 4 samples due within `deadline_ms`.
	fn probe_config(deadline_ms: u32) -> ProbeConfig {
		ProbeConfig {
			storage_unit: 4096,
			dataset_lanes: 2,
			seal_iterations: 1,
			storage_samples: 4,
			storage_deadline_ms: deadline_ms,
			bandwidth_bytes: 100_000,
			compute_millis: 300,
		}
	}

	/// A target serving an 8-leaf dataset on 127.0.0.1, and the context of its verifier.
	async fn setup(
		deadline_ms: u32,
	) -> (Assignment<AccountId32>, RoundContext<FakeSigner>, tempfile::TempDir) {
		let config = probe_config(deadline_ms);
		let chain = Arc::new(FakeChain::default());
		chain.with(|s| {
			s.genesis_hash = GENESIS;
			s.round = Some(round(5, 100, 30));
			s.config = Some(config);
			s.keys.insert(target(), public(TARGET_SEED));
			s.keys.insert(verifier(), public(VERIFIER_SEED));
			s.verifiers.insert(target(), vec![verifier()]);
		});
		let dir = tempfile::tempdir().expect("a temporary directory");
		let params = dataset_params(&target(), GENESIS, 8, &config);
		let dataset = Dataset::open_or_build(dir.path(), params, |_| {}).expect("a dataset");
		let commitment = commitment_of(&dataset);
		let datasets = DatasetRegistry::default();
		write(&datasets).insert(target(), vec![Arc::new(dataset)]);
		let server_signer = Arc::new(FakeSigner::from_seeds(&[TARGET_SEED]));
		let state = Arc::new(ServerState::new(chain, server_signer, datasets));
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
		let address = listener.local_addr().expect("a bound address");
		tokio::spawn(serve(listener, state));

		let assignment = Assignment {
			round: 5,
			target: target(),
			endpoint: format!("http://{address}").into_bytes(),
			declared: Capacity { compute: 1_000, storage: 8, bandwidth: 100 },
			dataset: Some(commitment),
		};
		let ctx = RoundContext {
			signer: Arc::new(FakeSigner::from_seeds(&[VERIFIER_SEED])),
			genesis_hash: GENESIS,
			config,
			round: 5,
			verifier: verifier(),
			verifier_key: public(VERIFIER_SEED),
		};
		(assignment, ctx, dir)
	}

	#[tokio::test]
	async fn an_honest_target_measures_what_it_holds() {
		let (assignment, ctx, _dir) = setup(10_000).await;
		let Probed { measurement, audit } =
			probe_target(&ctx, Some(public(TARGET_SEED)), &assignment).await;
		assert_eq!(audit, None, "nothing to audit");
		assert!(measurement.reachable);
		// All 4 samples of 8 leaves of 4 KiB pass: 8 units of 4 KiB.
		assert_eq!(measurement.measured.storage, 8);
		assert!(measurement.measured.bandwidth > 0);
		assert!(measurement.measured.compute > 0);
		assert!(measurement.measured.compute <= 1_000);
	}

	#[tokio::test]
	async fn a_late_storage_answer_measures_zero() {
		// A deadline no answer over a network meets.
		let (assignment, ctx, _dir) = setup(0).await;
		let Probed { measurement, audit } =
			probe_target(&ctx, Some(public(TARGET_SEED)), &assignment).await;
		assert!(measurement.reachable);
		assert_eq!(measurement.measured.storage, 0);
		assert!(audit.is_some(), "a late answer is audited: the target proves it on chain");
	}

	#[tokio::test]
	async fn samples_of_another_dataset_measure_zero_and_are_audited() {
		// The target committed one dataset and serves another (a cheater's tree, say).
		let (mut assignment, ctx, _dir) = setup(10_000).await;
		let served = assignment.dataset.expect("a dataset");
		assignment.dataset = Some(DatasetCommitment { root: [9; 32], ..served });
		let Probed { measurement, audit } =
			probe_target(&ctx, Some(public(TARGET_SEED)), &assignment).await;
		assert!(measurement.reachable);
		assert_eq!(measurement.measured.storage, 0);
		assert!(measurement.measured.bandwidth > 0, "the other probes still count");
		assert!(audit.is_some());
	}

	#[tokio::test]
	async fn a_target_signing_with_another_key_is_unreachable() {
		let (assignment, ctx, _dir) = setup(10_000).await;
		let probed = probe_target(&ctx, Some(public([7; 32])), &assignment).await;
		assert_eq!(probed, Probed::default(), "unreachable, and nothing to audit");
	}

	#[tokio::test]
	async fn a_silent_endpoint_is_unreachable() {
		let (mut assignment, ctx, _dir) = setup(10_000).await;
		// A port nobody listens on.
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
		let address = listener.local_addr().expect("a bound address");
		drop(listener);
		assignment.endpoint = format!("http://{address}").into_bytes();
		let probed = probe_target(&ctx, Some(public(TARGET_SEED)), &assignment).await;
		assert_eq!(probed, Probed::default(), "unreachable, and nothing to audit");
	}

	#[test]
	fn old_reports_are_removed() {
		let chain = Arc::new(FakeChain::default());
		let signer = Arc::new(FakeSigner::from_seeds(&[VERIFIER_SEED]));
		let mut prober = Prober::new(chain, signer, InMemOffchainStorage::default());
		for round in [3u32, 4, 5] {
			let key = report_key(round, &verifier(), &target());
			prober.offchain.set(STORAGE_PREFIX, &key, &[1]);
			prober.remember_report(round, key);
		}
		// Probing round 6 keeps round 5's, in case its worker still reports it.
		prober.forget_reports_before(5);
		let kept: Vec<bool> = [3u32, 4, 5]
			.iter()
			.map(|round| {
				let key = report_key(*round, &verifier(), &target());
				prober.offchain.get(STORAGE_PREFIX, &key).is_some()
			})
			.collect();
		assert_eq!(kept, [false, false, true]);
		assert_eq!(prober.written.len(), 1);
	}

	/// The verifier's node, on a chain at the first block of round 5 (2 blocks long) that assigns
	/// it `assignment`, holding only the verifier's key.
	fn verifier_prober(
		assignment: &Assignment<AccountId32>,
	) -> Prober<FakeChain, FakeSigner, InMemOffchainStorage> {
		let chain = Arc::new(FakeChain::default());
		chain.with(|s| {
			s.genesis_hash = GENESIS;
			s.best_number = 100;
			s.round = Some(round(5, 100, 2));
			s.config = Some(probe_config(10_000));
			s.keys.insert(target(), public(TARGET_SEED));
			s.keys.insert(verifier(), public(VERIFIER_SEED));
			s.assignments.insert(verifier(), vec![assignment.clone()]);
		});
		let signer = Arc::new(FakeSigner::from_seeds(&[VERIFIER_SEED]));
		Prober::new(chain, signer, InMemOffchainStorage::default())
	}

	#[tokio::test]
	async fn the_prober_leaves_a_report_per_target() {
		let (assignment, _ctx, _dir) = setup(10_000).await;
		// The verifier's node: the same chain view, the verifier's key.
		let mut prober = verifier_prober(&assignment);
		// A round of 2 blocks probes at its first block.
		prober.step().await;
		assert_eq!(prober.done, Some(5));
		let key = report_key(5, &verifier(), &target());
		let stored = prober.offchain.get(STORAGE_PREFIX, &key).expect("a report");
		let measurement: Measurement = decode(&stored).expect("a measurement");
		assert!(measurement.reachable);
		assert_eq!(measurement.measured.storage, 8);
		assert!(prober.last_self_test.is_none());
		let audit = audit_request_key(5, &verifier(), &target());
		assert!(prober.offchain.get(STORAGE_PREFIX, &audit).is_none(), "nothing to audit");
	}

	#[tokio::test]
	async fn the_prober_leaves_an_audit_request_for_a_target_that_fails_its_storage_probe() {
		let (mut assignment, _ctx, _dir) = setup(10_000).await;
		let served = assignment.dataset.expect("a dataset");
		assignment.dataset = Some(DatasetCommitment { root: [9; 32], ..served });
		let mut prober = verifier_prober(&assignment);
		prober.step().await;
		let key = audit_request_key(5, &verifier(), &target());
		let nonce = prober.offchain.get(STORAGE_PREFIX, &key).expect("an audit request");
		assert_eq!(nonce.len(), 32);
		// Removed with the round's reports.
		prober.forget_reports_before(6);
		assert!(prober.offchain.get(STORAGE_PREFIX, &key).is_none());
	}

	#[tokio::test]
	async fn a_provider_without_targets_self_tests_its_endpoint_and_reports_nothing() {
		let (assignment, _ctx, _dir) = setup(10_000).await;
		// The target's own node, alone on its chain: no assignment, its own key and record.
		let chain = Arc::new(FakeChain::default());
		let endpoint = String::from_utf8(assignment.endpoint.clone()).expect("utf-8");
		chain.with(|s| {
			s.genesis_hash = GENESIS;
			s.best_number = 100;
			s.round = Some(round(5, 100, 2));
			s.config = Some(probe_config(10_000));
			s.keys.insert(target(), public(TARGET_SEED));
			s.providers
				.insert(target(), provider(&endpoint, assignment.declared, assignment.dataset));
		});
		let signer = Arc::new(FakeSigner::from_seeds(&[TARGET_SEED]));
		let mut prober = Prober::new(chain, signer, InMemOffchainStorage::default());
		prober.step().await;
		assert_eq!(prober.done, Some(5));
		// Nothing for the offchain worker: the chain refuses reports about oneself.
		let key = report_key(5, &target(), &target());
		assert!(prober.offchain.get(STORAGE_PREFIX, &key).is_none());
		let (round, who, measurement) = prober.last_self_test.clone().expect("a self-test");
		assert_eq!((round, who), (5, target()));
		// The endpoint served every probe to its own provider.
		assert!(measurement.reachable);
		assert_eq!(measurement.measured.storage, 8);
		assert!(measurement.measured.bandwidth > 0);
		assert!(measurement.measured.compute > 0);
	}
}
