//! The resource endpoint every provider node serves: an HTTP/1.1 server that answers liveness
//! challenges for the providers whose `sync` key the node holds, and the storage, bandwidth and
//! compute probes of their verifiers (see [`super::wire`] for the format).
//!
//! ## Who may ask what
//!
//! - **Liveness** is open to anyone: the answer is a signature over the caller's nonce by the
//!   provider's `sync` key, if the node holds it (404 otherwise).
//! - **Probes** must carry a [`ProbeAuth`](super::wire::ProbeAuth) for the round in progress,
//!   signed by the `sync` key of one of the provider's verifiers in that round (401 for a bad round
//!   or signature, 403 for a signer that is not one of the verifiers), and stay within the chain's
//!   probe configuration (400). Each verifier may ask each provider for each kind of probe at most
//!   [`MAX_PROBES_PER_KIND`] times a round (429 beyond).
//! - **Leases** (the six paths of [`super::lease_wire`]) are for the consumers of the leases of the
//!   providers whose `sync` key the node holds: the lease book ([`super::leases`]) checks, serves
//!   and meters them. A refusal is the status of its [`LeaseRefusal`] with a text body that starts
//!   with the refusal's name.
//!
//! ## Bounds
//!
//! The server never lets a caller hold more than it allows: at most [`MAX_CONNECTIONS`]
//! connections at once and [`MAX_CONNECTIONS_PER_CLIENT`] per client (IPv6 per /48; a connection
//! beyond either is closed at once), one request per connection, [`HEADER_READ_TIMEOUT`] for the
//! headers and [`BODY_READ_TIMEOUT`] for the body (so a client that stalls mid-request frees its
//! slot within seconds), a [`REQUEST_TIMEOUT`] on each connection from accept to the last byte of
//! the answer, request bodies of at most [`MAX_REQUEST_BYTES`] (lease requests
//! [`MAX_LEASE_REQUEST_BYTES`], read within [`LEASE_BODY_READ_TIMEOUT`]), and a token bucket per
//! client address ([`RATE_BURST`] requests, refilled at [`RATE_PER_SECOND`] a second, for at most
//! [`MAX_TRACKED_CLIENTS`] addresses; IPv6 addresses count per /64). Runtime calls, signing and
//! disk reads run on blocking threads; the compute probe runs one at a time.

use std::{
	collections::HashMap,
	convert::Infallible,
	net::{IpAddr, Ipv6Addr},
	pin::Pin,
	sync::{Arc, Mutex, RwLock},
	task::{Context, Poll},
	time::{Duration, Instant},
};

use codec::Encode;
use http_body_util::{BodyExt, Limited};
use hyper::{
	body::{Body, Bytes, Frame, Incoming, SizeHint},
	header::{self, HeaderValue},
	server::conn::http1,
	service::service_fn,
	Method, Request, Response, StatusCode,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use proof_of_sync_probe::{
	bandwidth::{payload_block, PAYLOAD_BLOCK_BYTES},
	compute,
	dataset::{Dataset, DatasetError},
};
use sp_core::crypto::AccountId32;
use tokio::{net::TcpListener, sync::Semaphore};

use super::{
	blocking,
	chain::{local_providers, verify_signature, Chain, Signer},
	lease_wire::{
		ConsumerSigned, LeaseRefusal, LEASE_DELETE_PATH, LEASE_DOWNLOAD_PATH, LEASE_GET_PATH,
		LEASE_PUT_PATH, LEASE_RECEIPT_PATH, LEASE_USAGE_PATH, MAX_LEASE_REQUEST_BYTES,
	},
	leases::{LeaseAnswer, LeaseService, Refused},
	lock, read,
	wire::{
		decode, liveness_payload, Authenticated, BandwidthRequest, ComputeRequest, LivenessRequest,
		LivenessResponse, ProbeKind, ProbeRequest, StorageRequest, StorageResponse, CONTENT_TYPE,
		LIVENESS_PATH, MAX_REQUEST_BYTES,
	},
	LOG_TARGET,
};

/// The most connections served at once.
pub const MAX_CONNECTIONS: usize = 256;

/// The most connections one client (an IPv4 address, an IPv6 /48) may hold open at once.
pub const MAX_CONNECTIONS_PER_CLIENT: usize = 4;

/// How long a client may take to send a request's body, once its headers are in.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a client may take to send a lease request's body, once its headers are in: up to
/// [`MAX_LEASE_REQUEST_BYTES`], a megabyte object at 1 Mbit/s.
pub const LEASE_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection may take, from accept to the last byte of its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a client may take to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(2);

/// The requests a client address may make at once.
pub const RATE_BURST: f64 = 20.0;

/// The requests a second a client address may make, over time.
pub const RATE_PER_SECOND: f64 = 10.0;

/// The most client addresses whose rate the server tracks; the least recently seen is forgotten
/// first.
pub const MAX_TRACKED_CLIENTS: usize = 256;

/// How many times a verifier may ask a provider for one kind of probe in one round: one answer
/// and one retry.
pub const MAX_PROBES_PER_KIND: u8 = 2;

/// The most (verifier, provider, round, kind) counters the server keeps.
pub const MAX_PROBE_COUNTERS: usize = 4096;

/// How long the server trusts its list of local providers before asking the chain again.
pub const LOCAL_PROVIDERS_TTL: Duration = Duration::from_secs(6);

/// The size of one frame of the bandwidth payload, in bytes.
pub const PAYLOAD_FRAME_BYTES: usize = 64 * 1024;

/// The datasets the node serves: per provider, at most a few (the one it committed to last and,
/// while it moves to a new one, the one before), oldest first.
pub type DatasetRegistry = Arc<RwLock<HashMap<AccountId32, Vec<Arc<Dataset>>>>>;

/// The dataset of `provider` whose root is `root`, if the node serves it.
pub fn find_dataset(
	registry: &DatasetRegistry,
	provider: &AccountId32,
	root: &[u8; 32],
) -> Option<Arc<Dataset>> {
	read(registry)
		.get(provider)?
		.iter()
		.find(|dataset| dataset.root() == *root)
		.cloned()
}

/// Why a request is refused, and the status it gets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refusal {
	/// 400: the body does not decode, is too long, or asks for more than the bounds allow.
	Malformed,
	/// 401: the auth names another round, or its signature is not the verifier's.
	Unauthorized,
	/// 403: the signer is not one of the provider's verifiers this round.
	Forbidden,
	/// 404: an unknown path, a provider whose key the node does not hold, or a dataset it does
	/// not serve.
	NotFound,
	/// 405: not a `POST`.
	MethodNotAllowed,
	/// 408: the body did not arrive within [`BODY_READ_TIMEOUT`].
	Timeout,
	/// 429: the client or the verifier asked too often.
	RateLimited,
	/// 500: the node could not answer.
	Internal,
}

impl Refusal {
	/// The HTTP status of the refusal.
	pub fn status(self) -> StatusCode {
		match self {
			Refusal::Malformed => StatusCode::BAD_REQUEST,
			Refusal::Unauthorized => StatusCode::UNAUTHORIZED,
			Refusal::Forbidden => StatusCode::FORBIDDEN,
			Refusal::NotFound => StatusCode::NOT_FOUND,
			Refusal::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
			Refusal::Timeout => StatusCode::REQUEST_TIMEOUT,
			Refusal::RateLimited => StatusCode::TOO_MANY_REQUESTS,
			Refusal::Internal => StatusCode::INTERNAL_SERVER_ERROR,
		}
	}

	/// The response: the status, and its reason as a short text body.
	fn response(self) -> Response<ResponseBody> {
		let reason = self.status().canonical_reason().unwrap_or("refused");
		let mut response = Response::new(ResponseBody::full(reason.as_bytes().to_vec()));
		*response.status_mut() = self.status();
		response
			.headers_mut()
			.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
		response
	}
}

/// A 200 response with `body`.
fn ok(body: ResponseBody) -> Response<ResponseBody> {
	let mut response = Response::new(body);
	response
		.headers_mut()
		.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
	response
}

/// A token bucket per client address.
pub struct RateLimiter {
	buckets: HashMap<IpAddr, Bucket>,
}

/// One client's bucket.
struct Bucket {
	tokens: f64,
	updated: Instant,
}

impl Default for RateLimiter {
	fn default() -> Self {
		Self::new()
	}
}

impl RateLimiter {
	/// No client seen yet.
	pub fn new() -> Self {
		Self { buckets: HashMap::new() }
	}

	/// Whether `client` may make a request at `now`, taking a token if so. A client not seen
	/// before starts with a full bucket; when [`MAX_TRACKED_CLIENTS`] are tracked, the least
	/// recently seen is forgotten to make room.
	pub fn allow(&mut self, client: IpAddr, now: Instant) -> bool {
		let key = client_key(client);
		if !self.buckets.contains_key(&key) && self.buckets.len() >= MAX_TRACKED_CLIENTS {
			let oldest = self.buckets.iter().min_by_key(|(_, bucket)| bucket.updated);
			if let Some(oldest) = oldest.map(|(address, _)| *address) {
				self.buckets.remove(&oldest);
			}
		}
		let bucket = self.buckets.entry(key).or_insert(Bucket { tokens: RATE_BURST, updated: now });
		let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
		bucket.tokens = (bucket.tokens + elapsed * RATE_PER_SECOND).min(RATE_BURST);
		bucket.updated = bucket.updated.max(now);
		if bucket.tokens >= 1.0 {
			bucket.tokens -= 1.0;
			true
		} else {
			false
		}
	}

	/// How many client addresses are tracked.
	#[cfg(test)]
	pub fn tracked(&self) -> usize {
		self.buckets.len()
	}
}

/// The address a client's rate is counted under: IPv4 addresses (IPv4-mapped IPv6 ones too) as
/// they are, IPv6 addresses by their /64, the smallest block a host usually gets.
fn client_key(client: IpAddr) -> IpAddr {
	match client {
		IpAddr::V4(_) => client,
		IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
			Some(v4) => IpAddr::V4(v4),
			None => {
				let [a, b, c, d, ..] = v6.segments();
				IpAddr::V6(Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
			},
		},
	}
}

/// How many probes each verifier asked of each provider, per kind, in the round in progress.
pub struct ProbeLimits {
	round: u32,
	counts: HashMap<(AccountId32, AccountId32, ProbeKind), u8>,
}

impl Default for ProbeLimits {
	fn default() -> Self {
		Self::new()
	}
}

impl ProbeLimits {
	/// No probe counted yet.
	pub fn new() -> Self {
		Self { round: 0, counts: HashMap::new() }
	}

	/// Whether `verifier` may ask `provider` for a probe of `kind` in `round`, counting it if so:
	/// at most [`MAX_PROBES_PER_KIND`] times a round. The counters of earlier rounds are
	/// forgotten when a later round is seen; a request for an earlier round than the latest seen
	/// is refused. When [`MAX_PROBE_COUNTERS`] counters are kept, a new one is refused.
	pub fn admit(
		&mut self,
		verifier: &AccountId32,
		provider: &AccountId32,
		round: u32,
		kind: ProbeKind,
	) -> bool {
		if round < self.round {
			return false;
		}
		if round > self.round {
			self.round = round;
			self.counts.clear();
		}
		let key = (verifier.clone(), provider.clone(), kind);
		let full = self.counts.len() >= MAX_PROBE_COUNTERS;
		match self.counts.get_mut(&key) {
			Some(count) if *count >= MAX_PROBES_PER_KIND => false,
			Some(count) => {
				*count = count.saturating_add(1);
				true
			},
			None if full => false,
			None => {
				self.counts.insert(key, 1);
				true
			},
		}
	}
}

/// The local providers, as last read from the chain.
#[derive(Default)]
struct LocalProviders {
	read_at: Option<Instant>,
	keys: HashMap<AccountId32, [u8; 32]>,
}

/// What the server's requests share.
pub struct ServerState<C, S> {
	chain: Arc<C>,
	signer: Arc<S>,
	datasets: DatasetRegistry,
	genesis_hash: [u8; 32],
	clients: Mutex<RateLimiter>,
	probes: Mutex<ProbeLimits>,
	locals: Mutex<LocalProviders>,
	compute: Arc<Semaphore>,
	leases: Option<Arc<dyn LeaseService>>,
}

impl<C: Chain, S: Signer> ServerState<C, S> {
	/// A server answering from `chain`, signing with `signer`, serving the datasets in `datasets`.
	pub fn new(chain: Arc<C>, signer: Arc<S>, datasets: DatasetRegistry) -> Self {
		let genesis_hash = chain.genesis_hash();
		Self {
			chain,
			signer,
			datasets,
			genesis_hash,
			clients: Mutex::new(RateLimiter::new()),
			probes: Mutex::new(ProbeLimits::new()),
			locals: Mutex::new(LocalProviders::default()),
			compute: Arc::new(Semaphore::new(1)),
			leases: None,
		}
	}

	/// The same server, serving the lease paths from `leases` (without, they answer
	/// `UnknownLease`).
	pub fn with_leases(self, leases: Arc<dyn LeaseService>) -> Self {
		Self { leases: Some(leases), ..self }
	}

	/// The `sync` key of `provider` if the node holds it, from a list of local providers read
	/// from the chain at most [`LOCAL_PROVIDERS_TTL`] ago. Blocking: it may call the runtime.
	fn local_key(&self, provider: &AccountId32) -> Option<[u8; 32]> {
		let mut locals = lock(&self.locals);
		let now = Instant::now();
		let stale = locals
			.read_at
			.is_none_or(|read_at| now.saturating_duration_since(read_at) >= LOCAL_PROVIDERS_TTL);
		if stale {
			locals.keys = local_providers(&*self.chain, &*self.signer).into_iter().collect();
			locals.read_at = Some(now);
		}
		locals.keys.get(provider).copied()
	}

	/// The answer to a liveness challenge. Blocking: it may call the runtime and the keystore.
	pub fn liveness(&self, request: &LivenessRequest) -> Result<LivenessResponse, Refusal> {
		let key = self.local_key(&request.provider).ok_or(Refusal::NotFound)?;
		let payload = liveness_payload(&self.genesis_hash, &request.provider, &request.nonce);
		let signature = self.signer.sign(&key, &payload).ok_or(Refusal::Internal)?;
		Ok(LivenessResponse { signature })
	}

	/// Checks a probe request's auth, bounds and limits, in that order: the provider is local
	/// (404), the round is the one in progress and the signature the verifier's (401), the
	/// verifier is one of the provider's or the provider itself (403), the request within the probe
	/// config (400), and the verifier's limit not reached (429). Counts the request if it passes.
	/// Blocking: it calls the runtime.
	pub fn authorize<R: ProbeRequest>(&self, signed: &Authenticated<R>) -> Result<(), Refusal> {
		let provider = signed.request.provider();
		let auth = &signed.auth;
		if self.local_key(provider).is_none() {
			return Err(Refusal::NotFound);
		}
		if self.chain.current_round() != Some(auth.round) {
			return Err(Refusal::Unauthorized);
		}
		let key = self.chain.sync_key(&auth.verifier).ok_or(Refusal::Unauthorized)?;
		let payload = signed.signing_payload(&self.genesis_hash);
		if !verify_signature(&key, &payload, &auth.signature) {
			return Err(Refusal::Unauthorized);
		}
		// A provider may probe its own endpoint (the self-test of a node with no peer to verify
		// it): it costs nobody else anything, and its own reports are refused on chain.
		if auth.verifier != *provider && !self.chain.verifiers(provider).contains(&auth.verifier) {
			return Err(Refusal::Forbidden);
		}
		let config = self.chain.probe_config().ok_or(Refusal::Internal)?;
		if !signed.request.within_bounds(&config) {
			return Err(Refusal::Malformed);
		}
		if !lock(&self.probes).admit(&auth.verifier, provider, auth.round, R::KIND) {
			return Err(Refusal::RateLimited);
		}
		Ok(())
	}
}

/// A response body: bytes at once, or the bandwidth payload frame by frame.
pub enum ResponseBody {
	/// These bytes (none left once sent).
	Bytes(Option<Bytes>),
	/// The bandwidth payload.
	Payload(PayloadFrames),
}

impl ResponseBody {
	/// A body of `bytes`.
	pub fn full(bytes: Vec<u8>) -> Self {
		ResponseBody::Bytes((!bytes.is_empty()).then(|| Bytes::from(bytes)))
	}
}

impl Body for ResponseBody {
	type Data = Bytes;
	type Error = Infallible;

	fn poll_frame(
		self: Pin<&mut Self>,
		_cx: &mut Context<'_>,
	) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
		let next = match self.get_mut() {
			ResponseBody::Bytes(bytes) => bytes.take(),
			ResponseBody::Payload(frames) => frames.next_frame(),
		};
		Poll::Ready(next.map(|data| Ok(Frame::data(data))))
	}

	fn is_end_stream(&self) -> bool {
		match self {
			ResponseBody::Bytes(bytes) => bytes.is_none(),
			ResponseBody::Payload(frames) => frames.remaining() == 0,
		}
	}

	fn size_hint(&self) -> SizeHint {
		SizeHint::with_exact(match self {
			ResponseBody::Bytes(bytes) => bytes.as_ref().map_or(0, |bytes| bytes.len() as u64),
			ResponseBody::Payload(frames) => frames.remaining(),
		})
	}
}

/// The bandwidth payload for a seed, generated [`PAYLOAD_FRAME_BYTES`] at a time as it is sent
/// (the same bytes as `bandwidth::payload`, without holding them all).
pub struct PayloadFrames {
	seed: [u8; 32],
	sent: u64,
	total: u64,
}

impl PayloadFrames {
	/// The payload of `bytes` bytes for `seed`.
	pub fn new(seed: [u8; 32], bytes: u32) -> Self {
		Self { seed, sent: 0, total: u64::from(bytes) }
	}

	/// The bytes not sent yet.
	pub fn remaining(&self) -> u64 {
		self.total.saturating_sub(self.sent)
	}

	/// The next frame, if any bytes are left: one BLAKE2b-512 per 64 bytes.
	pub fn next_frame(&mut self) -> Option<Bytes> {
		let len = usize::try_from(self.remaining()).unwrap_or(usize::MAX).min(PAYLOAD_FRAME_BYTES);
		if len == 0 {
			return None;
		}
		let block_bytes = PAYLOAD_BLOCK_BYTES as u64;
		let mut frame = Vec::with_capacity(len);
		while frame.len() < len {
			let offset = self.sent.saturating_add(frame.len() as u64);
			let block = payload_block(&self.seed, offset / block_bytes);
			let in_block = usize::try_from(offset % block_bytes).unwrap_or(0);
			let take = PAYLOAD_BLOCK_BYTES.saturating_sub(in_block).min(len - frame.len());
			frame.extend_from_slice(block.get(in_block..in_block + take).unwrap_or_default());
			if take == 0 {
				break;
			}
		}
		self.sent = self.sent.saturating_add(frame.len() as u64);
		Some(Bytes::from(frame))
	}
}

/// Serves the endpoint on `listener` until the task is dropped.
pub async fn serve<C: Chain, S: Signer>(listener: TcpListener, state: Arc<ServerState<C, S>>) {
	let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
	let mut builder = http1::Builder::new();
	builder
		.timer(TokioTimer::new())
		.header_read_timeout(HEADER_READ_TIMEOUT)
		.keep_alive(false);
	let per_client = Arc::new(Mutex::new(HashMap::<IpAddr, usize>::new()));
	loop {
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(error) => {
				// Out of file descriptors, say: wait rather than spin.
				log::debug!(target: LOG_TARGET, "resource endpoint: accept failed: {error}");
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			},
		};
		let client = peer.ip();
		// Closed at once rather than queued: a client over its share, or a full server.
		let Some(slot) = ClientSlot::take(&per_client, client) else {
			log::debug!(target: LOG_TARGET, "resource endpoint: {peer}: too many connections");
			continue;
		};
		let Ok(permit) = connections.clone().try_acquire_owned() else {
			log::debug!(target: LOG_TARGET, "resource endpoint: full, {peer} refused");
			continue;
		};
		let state = state.clone();
		let service = service_fn(move |request: Request<Incoming>| {
			let state = state.clone();
			async move { Ok::<_, Infallible>(handle(state, client, request).await) }
		});
		let connection = builder.serve_connection(TokioIo::new(stream), service);
		tokio::spawn(async move {
			match tokio::time::timeout(REQUEST_TIMEOUT, connection).await {
				Ok(Ok(())) => {},
				Ok(Err(error)) =>
					log::debug!(target: LOG_TARGET, "resource endpoint: {peer}: {error}"),
				Err(_) => log::debug!(target: LOG_TARGET, "resource endpoint: {peer}: timed out"),
			}
			drop((permit, slot));
		});
	}
}

/// One of a client's [`MAX_CONNECTIONS_PER_CLIENT`] connections, given back when dropped.
struct ClientSlot {
	counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
	key: IpAddr,
}

impl ClientSlot {
	/// A slot for `client`, unless it holds [`MAX_CONNECTIONS_PER_CLIENT`] already. The map
	/// holds only clients with open connections, so at most [`MAX_CONNECTIONS`] entries.
	fn take(counts: &Arc<Mutex<HashMap<IpAddr, usize>>>, client: IpAddr) -> Option<Self> {
		let key = connection_key(client);
		let mut map = lock(counts);
		let open = map.entry(key).or_insert(0);
		if *open >= MAX_CONNECTIONS_PER_CLIENT {
			return None;
		}
		*open = open.saturating_add(1);
		Some(Self { counts: counts.clone(), key })
	}
}

impl Drop for ClientSlot {
	fn drop(&mut self) {
		let mut map = lock(&self.counts);
		if let Some(open) = map.get_mut(&self.key) {
			*open = open.saturating_sub(1);
			if *open == 0 {
				map.remove(&self.key);
			}
		}
	}
}

/// The client a connection counts against: an IPv4 address (IPv4-mapped IPv6 included) as it
/// is, an IPv6 address by its /48, the block a site usually gets (a /64 each would let one site
/// open thousands).
fn connection_key(client: IpAddr) -> IpAddr {
	match client_key(client) {
		IpAddr::V6(v6) => {
			let [a, b, c, ..] = v6.segments();
			IpAddr::V6(Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0))
		},
		v4 => v4,
	}
}

/// Answers one request.
async fn handle<C: Chain, S: Signer>(
	state: Arc<ServerState<C, S>>,
	client: IpAddr,
	request: Request<Incoming>,
) -> Response<ResponseBody> {
	match respond(&state, client, request).await {
		Ok(response) => response,
		Err(refusal) => refusal.response(),
	}
}

/// The answer to one request, or why it is refused.
async fn respond<C: Chain, S: Signer>(
	state: &Arc<ServerState<C, S>>,
	client: IpAddr,
	request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Refusal> {
	let allowed = lock(&state.clients).allow(client, Instant::now());
	if is_lease_path(request.uri().path()) {
		if !allowed {
			let refused = Refused::new(LeaseRefusal::RateLimited, "the client asked too often");
			return Ok(lease_refusal(&refused));
		}
		return Ok(lease(state, request).await);
	}
	if !allowed {
		return Err(Refusal::RateLimited);
	}
	let path = request.uri().path();
	let kind = if path == LIVENESS_PATH {
		None
	} else {
		Some(ProbeKind::from_path(path).ok_or(Refusal::NotFound)?)
	};
	if request.method() != Method::POST {
		return Err(Refusal::MethodNotAllowed);
	}
	let body = tokio::time::timeout(
		BODY_READ_TIMEOUT,
		Limited::new(request.into_body(), MAX_REQUEST_BYTES).collect(),
	)
	.await
	.map_err(|_| Refusal::Timeout)?
	.map_err(|_| Refusal::Malformed)?
	.to_bytes();
	match kind {
		None => liveness(state, &body).await,
		Some(ProbeKind::Storage) => storage(state, &body).await,
		Some(ProbeKind::Bandwidth) => bandwidth(state, &body).await,
		Some(ProbeKind::Compute) => compute(state, &body).await,
	}
}

/// Whether `path` is one of the lease paths.
fn is_lease_path(path: &str) -> bool {
	[
		LEASE_PUT_PATH,
		LEASE_GET_PATH,
		LEASE_DELETE_PATH,
		LEASE_DOWNLOAD_PATH,
		LEASE_USAGE_PATH,
		LEASE_RECEIPT_PATH,
	]
	.contains(&path)
}

/// The answer to a lease request: the lease book's, on a blocking thread, or a refusal.
async fn lease<C: Chain, S: Signer>(
	state: &Arc<ServerState<C, S>>,
	request: Request<Incoming>,
) -> Response<ResponseBody> {
	if request.method() != Method::POST {
		return Refusal::MethodNotAllowed.response();
	}
	let path = request.uri().path().to_owned();
	let body = tokio::time::timeout(
		LEASE_BODY_READ_TIMEOUT,
		Limited::new(request.into_body(), MAX_LEASE_REQUEST_BYTES).collect(),
	)
	.await;
	let body = match body {
		Ok(Ok(collected)) => collected.to_bytes(),
		Ok(Err(_)) => {
			let detail =
				format!("the body is broken or longer than {MAX_LEASE_REQUEST_BYTES} bytes");
			return lease_refusal(&Refused::new(LeaseRefusal::Malformed, detail));
		},
		Err(_) => return Refusal::Timeout.response(),
	};
	let Some(signed) = decode::<ConsumerSigned>(&body) else {
		let refused =
			Refused::new(LeaseRefusal::Malformed, "the body is not a signed lease request");
		return lease_refusal(&refused);
	};
	if signed.request.call.path() != path {
		let refused = Refused::new(LeaseRefusal::Malformed, "the call is not this path's");
		return lease_refusal(&refused);
	}
	let Some(book) = state.leases.clone() else {
		let refused = Refused::new(LeaseRefusal::UnknownLease, "this node serves no lease");
		return lease_refusal(&refused);
	};
	match blocking(move || book.handle(signed)).await {
		Some(Ok(LeaseAnswer::Scale(bytes) | LeaseAnswer::Object(bytes))) =>
			ok(ResponseBody::full(bytes)),
		Some(Ok(LeaseAnswer::Payload { seed, bytes })) =>
			ok(ResponseBody::Payload(PayloadFrames::new(seed, bytes))),
		Some(Err(refused)) => lease_refusal(&refused),
		None => lease_refusal(&Refused::new(LeaseRefusal::Internal, "the node could not answer")),
	}
}

/// The response to a refused lease request: the refusal's status, and a text body that starts
/// with its name.
fn lease_refusal(refused: &Refused) -> Response<ResponseBody> {
	let status =
		StatusCode::from_u16(refused.reason.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
	let mut response = Response::new(ResponseBody::full(refused.body().into_bytes()));
	*response.status_mut() = status;
	response
		.headers_mut()
		.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
	response
}

/// A liveness answer.
async fn liveness<C: Chain, S: Signer>(
	state: &Arc<ServerState<C, S>>,
	body: &[u8],
) -> Result<Response<ResponseBody>, Refusal> {
	let request: LivenessRequest = decode(body).ok_or(Refusal::Malformed)?;
	let state = state.clone();
	let response = blocking(move || state.liveness(&request)).await.ok_or(Refusal::Internal)??;
	Ok(ok(ResponseBody::full(response.encode())))
}

/// `body` decoded as a signed probe request, if it passes [`ServerState::authorize`].
async fn authorized<C, S, R>(state: &Arc<ServerState<C, S>>, body: &[u8]) -> Result<R, Refusal>
where
	C: Chain,
	S: Signer,
	R: ProbeRequest + Send + 'static,
{
	let signed: Authenticated<R> = decode(body).ok_or(Refusal::Malformed)?;
	let state = state.clone();
	blocking(move || state.authorize(&signed).map(|()| signed.request))
		.await
		.ok_or(Refusal::Internal)?
}

/// A storage answer: a proof per index, from the dataset the request names.
async fn storage<C: Chain, S: Signer>(
	state: &Arc<ServerState<C, S>>,
	body: &[u8],
) -> Result<Response<ResponseBody>, Refusal> {
	let request: StorageRequest = authorized(state, body).await?;
	let dataset =
		find_dataset(&state.datasets, &request.provider, &request.root).ok_or(Refusal::NotFound)?;
	let proofs = blocking(move || {
		request
			.indices
			.iter()
			.map(|index| dataset.prove(*index))
			.collect::<Result<Vec<_>, _>>()
	})
	.await
	.ok_or(Refusal::Internal)?;
	match proofs {
		Ok(proofs) => Ok(ok(ResponseBody::full(StorageResponse { proofs }.encode()))),
		Err(DatasetError::IndexOutOfRange { .. }) => Err(Refusal::Malformed),
		Err(error) => {
			log::warn!(target: LOG_TARGET, "resource endpoint: cannot read a dataset: {error}");
			Err(Refusal::Internal)
		},
	}
}

/// A bandwidth answer: the payload, streamed.
async fn bandwidth<C: Chain, S: Signer>(
	state: &Arc<ServerState<C, S>>,
	body: &[u8],
) -> Result<Response<ResponseBody>, Refusal> {
	let request: BandwidthRequest = authorized(state, body).await?;
	Ok(ok(ResponseBody::Payload(PayloadFrames::new(request.seed, request.bytes))))
}

/// A compute answer: the probe run on a blocking thread, one probe at a time.
async fn compute<C: Chain, S: Signer>(
	state: &Arc<ServerState<C, S>>,
	body: &[u8],
) -> Result<Response<ResponseBody>, Refusal> {
	let request: ComputeRequest = authorized(state, body).await?;
	let permit = state.compute.clone().acquire_owned().await.map_err(|_| Refusal::Internal)?;
	let answer = blocking(move || {
		// Held until the probe ends, even if the connection timed out meanwhile.
		let _permit = permit;
		compute::run(&request.nonce, request.threads, request.millis, request.segment_hashes)
	})
	.await
	.ok_or(Refusal::Internal)?;
	Ok(ok(ResponseBody::full(answer.encode())))
}

#[cfg(test)]
mod tests {
	use super::{
		super::{
			chain::testing::{public, round, FakeChain, FakeSigner},
			prober::{post, read_limited, Endpoint},
			wire::{ProbeAuth, STORAGE_PATH},
			write,
		},
		*,
	};
	use proof_of_sync_probe::{bandwidth, dataset::DatasetParams};
	use proof_of_sync_runtime_api::ProbeConfig;
	use std::net::Ipv4Addr;

	const PROVIDER_SEED: [u8; 32] = [1; 32];
	const VERIFIER_SEED: [u8; 32] = [2; 32];
	const STRANGER_SEED: [u8; 32] = [3; 32];
	const GENESIS: [u8; 32] = [9; 32];

	fn provider() -> AccountId32 {
		AccountId32::new([11; 32])
	}

	fn verifier() -> AccountId32 {
		AccountId32::new([12; 32])
	}

	fn stranger() -> AccountId32 {
		AccountId32::new([13; 32])
	}

	/// A chain in round 5 where the verifier verifies the provider, and the stranger is a
	/// provider that verifies nobody.
	fn chain() -> Arc<FakeChain> {
		let chain = Arc::new(FakeChain::default());
		chain.with(|s| {
			s.genesis_hash = GENESIS;
			s.round = Some(round(5, 100, 30));
			s.config = Some(ProbeConfig {
				storage_unit: 4096,
				dataset_lanes: 2,
				seal_iterations: 1,
				storage_samples: 4,
				storage_deadline_ms: 2_000,
				bandwidth_bytes: 200_000,
				compute_millis: 20,
			});
			s.keys.insert(provider(), public(PROVIDER_SEED));
			s.keys.insert(verifier(), public(VERIFIER_SEED));
			s.keys.insert(stranger(), public(STRANGER_SEED));
			s.verifiers.insert(provider(), vec![verifier()]);
		});
		chain
	}

	fn state(chain: Arc<FakeChain>) -> Arc<ServerState<FakeChain, FakeSigner>> {
		let signer = Arc::new(FakeSigner::from_seeds(&[PROVIDER_SEED]));
		Arc::new(ServerState::new(chain, signer, DatasetRegistry::default()))
	}

	fn signed<R: ProbeRequest>(
		request: R,
		seed: [u8; 32],
		who: AccountId32,
		round: u32,
	) -> Authenticated<R> {
		let signer = FakeSigner::from_seeds(&[seed]);
		Authenticated::sign(request, who, round, &GENESIS, |payload| {
			signer.sign(&public(seed), payload)
		})
		.expect("the fake signer holds the key")
	}

	fn bandwidth_request(provider: AccountId32) -> BandwidthRequest {
		BandwidthRequest { provider, seed: [4; 32], bytes: 1_000 }
	}

	#[test]
	fn the_rate_limiter_allows_a_burst_then_the_rate() {
		let mut limiter = RateLimiter::new();
		let client = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
		let start = Instant::now();
		for _ in 0..20 {
			assert!(limiter.allow(client, start));
		}
		assert!(!limiter.allow(client, start));
		// 10 a second: one more after 100 ms, not before.
		assert!(!limiter.allow(client, start + Duration::from_millis(50)));
		assert!(limiter.allow(client, start + Duration::from_millis(150)));
		assert!(!limiter.allow(client, start + Duration::from_millis(150)));
		// Another client has its own bucket.
		assert!(limiter.allow(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), start));
		// A long pause refills the bucket to the burst, no more.
		let later = start + Duration::from_secs(60);
		for _ in 0..20 {
			assert!(limiter.allow(client, later));
		}
		assert!(!limiter.allow(client, later));
	}

	#[test]
	fn the_rate_limiter_tracks_a_bounded_number_of_clients() {
		let mut limiter = RateLimiter::new();
		let start = Instant::now();
		let first = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0));
		for _ in 0..20 {
			assert!(limiter.allow(first, start));
		}
		assert!(!limiter.allow(first, start));
		// Within 300 µs: too short for the first client's bucket to refill a token.
		for i in 1..=300u32 {
			let client = IpAddr::V4(Ipv4Addr::from(0x0a01_0000 + i));
			assert!(limiter.allow(client, start + Duration::from_micros(u64::from(i))));
		}
		assert_eq!(limiter.tracked(), MAX_TRACKED_CLIENTS);
		// The first client, the least recently seen, was forgotten: it starts over with a full
		// bucket.
		assert!(limiter.allow(first, start + Duration::from_micros(400)));
	}

	#[test]
	fn ipv6_clients_count_per_64() {
		let a: IpAddr = "2001:db8:1:2::1".parse().expect("an address");
		let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("an address");
		let c: IpAddr = "2001:db8:1:3::1".parse().expect("an address");
		assert_eq!(client_key(a), client_key(b));
		assert_ne!(client_key(a), client_key(c));
		let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("an address");
		assert_eq!(client_key(mapped), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
	}

	#[test]
	fn probe_limits_allow_two_per_kind_and_round() {
		let mut limits = ProbeLimits::new();
		let (v, p) = (verifier(), provider());
		assert!(limits.admit(&v, &p, 5, ProbeKind::Storage));
		assert!(limits.admit(&v, &p, 5, ProbeKind::Storage));
		assert!(!limits.admit(&v, &p, 5, ProbeKind::Storage));
		// Another kind, another verifier: their own counters.
		assert!(limits.admit(&v, &p, 5, ProbeKind::Compute));
		assert!(limits.admit(&stranger(), &p, 5, ProbeKind::Storage));
		// A new round starts over, and the old one is closed.
		assert!(limits.admit(&v, &p, 6, ProbeKind::Storage));
		assert!(!limits.admit(&v, &p, 5, ProbeKind::Compute));
	}

	#[test]
	fn payload_frames_are_the_payload() {
		for bytes in [0u32, 1, 63, 64, 65, 65_536, 65_537, 200_000] {
			let mut frames = PayloadFrames::new([4; 32], bytes);
			let mut sent = Vec::new();
			while let Some(frame) = frames.next_frame() {
				assert!(frame.len() <= PAYLOAD_FRAME_BYTES);
				sent.extend_from_slice(&frame);
			}
			assert_eq!(sent, bandwidth::payload(&[4; 32], bytes).expect("in bounds"));
			assert_eq!(frames.remaining(), 0);
		}
	}

	#[test]
	fn liveness_signs_for_local_providers_only() {
		let state = state(chain());
		let nonce = [5; 32];
		let answer = state
			.liveness(&LivenessRequest { provider: provider(), nonce })
			.expect("the node holds the provider's key");
		let payload = liveness_payload(&GENESIS, &provider(), &nonce);
		assert!(verify_signature(&public(PROVIDER_SEED), &payload, &answer.signature));
		let refused = state.liveness(&LivenessRequest { provider: verifier(), nonce });
		assert_eq!(refused, Err(Refusal::NotFound));
	}

	#[test]
	fn authorize_checks_every_condition() {
		let chain = chain();
		let state = state(chain.clone());
		let good = signed(bandwidth_request(provider()), VERIFIER_SEED, verifier(), 5);
		assert_eq!(state.authorize(&good), Ok(()));
		// Not a local provider.
		let elsewhere = signed(bandwidth_request(stranger()), VERIFIER_SEED, verifier(), 5);
		assert_eq!(state.authorize(&elsewhere), Err(Refusal::NotFound));
		// Another round.
		let stale = signed(bandwidth_request(provider()), VERIFIER_SEED, verifier(), 4);
		assert_eq!(state.authorize(&stale), Err(Refusal::Unauthorized));
		// Signed by another key than the verifier's.
		let forged = signed(bandwidth_request(provider()), STRANGER_SEED, verifier(), 5);
		assert_eq!(state.authorize(&forged), Err(Refusal::Unauthorized));
		// A round relabelled after signing.
		let mut relabelled = good.clone();
		relabelled.auth = ProbeAuth { round: 6, ..good.auth.clone() };
		chain.with(|s| s.round = Some(round(6, 130, 30)));
		assert_eq!(state.authorize(&relabelled), Err(Refusal::Unauthorized));
		chain.with(|s| s.round = Some(round(5, 100, 30)));
		// Validly signed by a provider that is not a verifier of this one.
		let outsider = signed(bandwidth_request(provider()), STRANGER_SEED, stranger(), 5);
		assert_eq!(state.authorize(&outsider), Err(Refusal::Forbidden));
		// Beyond the probe config.
		let greedy = BandwidthRequest { bytes: 200_001, ..bandwidth_request(provider()) };
		let greedy = signed(greedy, VERIFIER_SEED, verifier(), 5);
		assert_eq!(state.authorize(&greedy), Err(Refusal::Malformed));
		// The second request of the kind passes, the third does not.
		assert_eq!(state.authorize(&good), Ok(()));
		assert_eq!(state.authorize(&good), Err(Refusal::RateLimited));
	}

	/// Serves `state` on an ephemeral port of 127.0.0.1.
	async fn start(state: Arc<ServerState<FakeChain, FakeSigner>>) -> Endpoint {
		let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
		let address = listener.local_addr().expect("a bound address");
		tokio::spawn(serve(listener, state));
		Endpoint::parse(format!("http://{address}").as_bytes()).expect("a valid endpoint")
	}

	#[tokio::test]
	async fn liveness_over_http() {
		let endpoint = start(state(chain())).await;
		let nonce = [6; 32];
		let body = LivenessRequest { provider: provider(), nonce }.encode();
		let response = post(&endpoint, LIVENESS_PATH, body).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::OK);
		let bytes = read_limited(response, 1024).await.expect("a body");
		let answer: LivenessResponse = decode(&bytes).expect("a liveness answer");
		let payload = liveness_payload(&GENESIS, &provider(), &nonce);
		assert!(verify_signature(&public(PROVIDER_SEED), &payload, &answer.signature));

		let body = LivenessRequest { provider: stranger(), nonce }.encode();
		let response = post(&endpoint, LIVENESS_PATH, body).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::NOT_FOUND);

		let response = post(&endpoint, "/nowhere", Vec::new()).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::NOT_FOUND);
	}

	#[tokio::test]
	async fn storage_without_a_valid_signature_is_refused() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let params = DatasetParams {
			account: provider().encode(),
			seed: GENESIS,
			leaves: 8,
			lanes: 2,
			seal_iterations: 1,
		};
		let dataset = Dataset::open_or_build(dir.path(), params, |_| {}).expect("a dataset");
		let root = dataset.root();
		let state = state(chain());
		write(&state.datasets).insert(provider(), vec![Arc::new(dataset)]);
		let endpoint = start(state).await;

		let request = StorageRequest { provider: provider(), root, indices: vec![0, 5] };
		let mut forged = signed(request.clone(), VERIFIER_SEED, verifier(), 5);
		forged.auth.signature = [0; 64];
		let response = post(&endpoint, STORAGE_PATH, forged.encode()).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

		// Garbage does not decode.
		let response = post(&endpoint, STORAGE_PATH, vec![1, 2, 3]).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::BAD_REQUEST);

		// The verifier's own request is answered.
		let good = signed(request, VERIFIER_SEED, verifier(), 5);
		let response = post(&endpoint, STORAGE_PATH, good.encode()).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::OK);
		let bytes = read_limited(response, 1 << 20).await.expect("a body");
		let answer: StorageResponse = decode(&bytes).expect("a storage answer");
		assert_eq!(answer.proofs.iter().map(|proof| proof.index).collect::<Vec<_>>(), [0, 5]);
	}

	#[tokio::test]
	async fn an_oversized_body_is_refused() {
		let endpoint = start(state(chain())).await;
		let body = vec![0u8; MAX_REQUEST_BYTES + 1];
		let response = post(&endpoint, LIVENESS_PATH, body).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::BAD_REQUEST);
	}

	#[tokio::test]
	async fn a_client_that_stalls_mid_request_holds_few_slots_and_briefly() {
		use tokio::io::{AsyncReadExt, AsyncWriteExt};
		let endpoint = start(state(chain())).await;
		let address = (endpoint.host.as_str(), endpoint.port);
		// Slowloris: headers that promise a body that never comes.
		let mut stalled = Vec::new();
		for _ in 0..MAX_CONNECTIONS_PER_CLIENT {
			let mut stream = tokio::net::TcpStream::connect(address).await.expect("connects");
			let head =
				format!("POST {LIVENESS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
			stream.write_all(head.as_bytes()).await.expect("writes");
			stalled.push(stream);
		}
		// The client's next connection is closed at once, unanswered.
		let refused = post(&endpoint, LIVENESS_PATH, vec![0]).await;
		assert!(refused.is_err(), "a fifth connection from one client is refused");
		// Within the body timeout the stalled requests are answered 408 and their slots freed.
		for mut stream in stalled {
			let mut answer = Vec::new();
			let read = tokio::time::timeout(
				BODY_READ_TIMEOUT + Duration::from_secs(2),
				stream.read_to_end(&mut answer),
			)
			.await;
			assert!(read.is_ok(), "the server closes a stalled request");
			assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"));
		}
		let body = LivenessRequest { provider: provider(), nonce: [7; 32] }.encode();
		let response = post(&endpoint, LIVENESS_PATH, body).await.expect("served again");
		assert_eq!(response.status(), StatusCode::OK);
	}

	#[tokio::test]
	async fn leases_over_http() {
		use super::super::{
			chain::testing::lease,
			lease_wire::{LeaseCall, LeaseRequest, LeaseUsage, Stored, MAX_OBJECT_BYTES},
			leases::LeaseBook,
		};
		use proof_of_sync_runtime_api::ResourceKind;
		use sp_core::{offchain::storage::InMemOffchainStorage, sr25519, Pair as _};

		let dir = tempfile::tempdir().expect("a temporary directory");
		let chain = chain();
		let consumer = sr25519::Pair::from_seed(&[4; 32]);
		let account = AccountId32::from(consumer.public());
		let storage = lease(1, account, provider(), ResourceKind::Storage, 1_000, 1_000, 5, 10);
		chain.with(|s| s.leases.insert(1, storage));
		let signer = Arc::new(FakeSigner::from_seeds(&[PROVIDER_SEED]));
		let offchain = InMemOffchainStorage::default();
		let book = LeaseBook::new(chain.clone(), signer.clone(), offchain, dir.path().join("l"));
		let served = ServerState::new(chain.clone(), signer.clone(), DatasetRegistry::default())
			.with_leases(Arc::new(book));
		let endpoint = start(Arc::new(served)).await;
		let sign = |nonce: u8, call: LeaseCall| {
			let request = LeaseRequest {
				lease: 1,
				opened_after: [8; 32],
				round: 5,
				nonce: [nonce; 16],
				call,
			};
			ConsumerSigned::sign(request, &GENESIS, |payload| consumer.sign(payload).into())
				.encode()
		};

		// An object larger than a probe's body limit is stored, and read back.
		let data = vec![3u8; MAX_REQUEST_BYTES + 1];
		let put = sign(1, LeaseCall::Put { key: b"k".to_vec(), data: data.clone() });
		let response = post(&endpoint, LEASE_PUT_PATH, put.clone()).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::OK);
		let bytes = read_limited(response, 1024).await.expect("a body");
		let stored: Stored = decode(&bytes).expect("a Stored");
		assert_eq!((stored.bytes, stored.objects), (data.len() as u64, 1));
		let get = sign(2, LeaseCall::Get { key: b"k".to_vec() });
		let response = post(&endpoint, LEASE_GET_PATH, get).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::OK);
		assert_eq!(read_limited(response, MAX_OBJECT_BYTES).await.expect("a body").to_vec(), data);
		let usage = sign(3, LeaseCall::Usage);
		let response = post(&endpoint, LEASE_USAGE_PATH, usage).await.expect("an answer");
		assert_eq!(response.status(), StatusCode::OK);
		let bytes = read_limited(response, 1024).await.expect("a body");
		let usage: LeaseUsage = decode(&bytes).expect("a LeaseUsage");
		assert_eq!(usage.stored_bytes, data.len() as u64);

		// Refusals: their status, and a body that names them.
		let refused = |status: StatusCode, refusal: LeaseRefusal| (status, Some(refusal));
		let replayed = post(&endpoint, LEASE_PUT_PATH, put).await.expect("an answer");
		let status = replayed.status();
		let body = read_limited(replayed, 1024).await.expect("a body");
		assert_eq!(
			(status, LeaseRefusal::from_body(&body)),
			refused(StatusCode::CONFLICT, LeaseRefusal::ReplayedNonce)
		);
		assert!(String::from_utf8_lossy(&body).starts_with("ReplayedNonce: "));
		// A call sent to another call's path.
		let misrouted = post(&endpoint, LEASE_GET_PATH, sign(4, LeaseCall::Usage)).await;
		let misrouted = misrouted.expect("an answer");
		let status = misrouted.status();
		let body = read_limited(misrouted, 1024).await.expect("a body");
		assert_eq!(
			(status, LeaseRefusal::from_body(&body)),
			refused(StatusCode::BAD_REQUEST, LeaseRefusal::Malformed)
		);
		// A download on a storage lease.
		let download = sign(5, LeaseCall::Download { seed: [1; 32], bytes: 10 });
		let response = post(&endpoint, LEASE_DOWNLOAD_PATH, download).await.expect("an answer");
		let status = response.status();
		let body = read_limited(response, 1024).await.expect("a body");
		assert_eq!(
			(status, LeaseRefusal::from_body(&body)),
			refused(StatusCode::BAD_REQUEST, LeaseRefusal::WrongKind)
		);
		// A node that serves no lease.
		let bare = start(state(chain)).await;
		let response = post(&bare, LEASE_USAGE_PATH, sign(6, LeaseCall::Usage)).await;
		let response = response.expect("an answer");
		assert_eq!(response.status(), StatusCode::NOT_FOUND);
		let body = read_limited(response, 1024).await.expect("a body");
		assert_eq!(LeaseRefusal::from_body(&body), Some(LeaseRefusal::UnknownLease));
	}

	#[test]
	fn connections_count_per_address_or_ipv6_48() {
		let v6 = |text: &str| connection_key(text.parse().expect("an address"));
		assert_eq!(v6("2001:db8:1:2::1"), v6("2001:db8:1:ffff::2"));
		assert_ne!(v6("2001:db8:1::1"), v6("2001:db8:2::1"));
		assert_eq!(v6("::ffff:192.0.2.1"), v6("192.0.2.1"));
		assert_ne!(v6("192.0.2.1"), v6("192.0.2.2"));
	}

	#[tokio::test]
	async fn a_flood_from_one_address_is_rate_limited() {
		let endpoint = start(state(chain())).await;
		let body = LivenessRequest { provider: provider(), nonce: [7; 32] }.encode();
		let mut statuses = Vec::new();
		for _ in 0..60 {
			// A refused request is answered before its body is read: a client may see the
			// connection reset instead, which is a refusal too.
			if let Ok(response) = post(&endpoint, LIVENESS_PATH, body.clone()).await {
				statuses.push(response.status());
			}
		}
		assert_eq!(statuses.first(), Some(&StatusCode::OK));
		// Not all got through: the burst is 20, refilled at 10 a second...
		let passed = statuses.iter().filter(|status| **status == StatusCode::OK).count();
		assert!(passed < 60);
		// ...and those refused with an answer were refused with 429.
		let expected = [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS];
		assert!(statuses.iter().all(|status| expected.contains(status)));
	}
}
