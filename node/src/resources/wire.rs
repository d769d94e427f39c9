//! The wire format of the resource endpoint.
//!
//! Every request is an HTTP `POST` whose body is the SCALE encoding of a request type below, at
//! most [`MAX_REQUEST_BYTES`] long; every successful answer is a SCALE body too, except the
//! bandwidth payload, which is the raw payload bytes. Both go as
//! `Content-Type: application/octet-stream` ([`CONTENT_TYPE`]).
//!
//! | path | request | answer |
//! |---|---|---|
//! | [`LIVENESS_PATH`] | [`LivenessRequest`] | [`LivenessResponse`] |
//! | [`STORAGE_PATH`] | [`Authenticated`]`<`[`StorageRequest`]`>` | [`StorageResponse`] |
//! | [`BANDWIDTH_PATH`] | [`Authenticated`]`<`[`BandwidthRequest`]`>` | the payload bytes |
//! | [`COMPUTE_PATH`] | [`Authenticated`]`<`[`ComputeRequest`]`>` | [`ComputeAnswer`] |
//!
//! **Liveness** is open to anyone: the provider's `sync` key signs [`liveness_payload`], a domain
//! tag, the chain's genesis hash, the provider and the caller's nonce.
//!
//! **Probes** (storage, bandwidth, compute) cost the provider work, so only the round's verifiers
//! of the provider may ask: a request carries a [`ProbeAuth`], the verifier's `sync` key signature
//! over [`probe_payload`]: a domain tag, the genesis hash, the path, the verifier, the round and
//! the SCALE encoding of the request's other fields. [`Authenticated`] puts the auth after those
//! fields, so the body is `request.encode() ++ auth.encode()`.

use codec::{Decode, DecodeAll, Encode};
use proof_of_sync_probe::{
	bandwidth::MAX_PAYLOAD_BYTES,
	compute::{MAX_MILLIS, MAX_SEGMENT_HASHES},
	dataset::{StorageProof, MAX_SAMPLES},
};
use proof_of_sync_runtime_api::ProbeConfig;
use sp_core::crypto::AccountId32;

pub use proof_of_sync_probe::compute::ComputeAnswer;

/// The path of the liveness challenge.
pub const LIVENESS_PATH: &str = "/proof-of-sync/v1/liveness";

/// The path of the storage probe.
pub const STORAGE_PATH: &str = "/proof-of-sync/v1/storage";

/// The path of the bandwidth probe.
pub const BANDWIDTH_PATH: &str = "/proof-of-sync/v1/bandwidth";

/// The path of the compute probe.
pub const COMPUTE_PATH: &str = "/proof-of-sync/v1/compute";

/// The content type of every request and answer body.
pub const CONTENT_TYPE: &str = "application/octet-stream";

/// The largest request body the endpoint reads, in bytes.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The most threads a compute probe may ask for.
pub const MAX_COMPUTE_THREADS: u16 = 64;

/// The domain tag in front of every signed liveness answer.
pub const LIVENESS_CONTEXT: &[u8; 22] = b"proof-of-sync/liveness";

/// The domain tag in front of every signed probe request.
pub const PROBE_CONTEXT: &[u8; 19] = b"proof-of-sync/probe";

/// "Prove that your node holds `provider`'s `sync` key": anyone may ask.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct LivenessRequest {
	/// The provider whose key should sign.
	pub provider: AccountId32,
	/// A fresh nonce of the caller's choosing.
	pub nonce: [u8; 32],
}

/// The answer to a [`LivenessRequest`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct LivenessResponse {
	/// The provider's `sync` key (sr25519) signature over [`liveness_payload`].
	pub signature: [u8; 64],
}

/// Who asks for a probe, and their proof of it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ProbeAuth {
	/// The verifier: one of the provider's verifiers in `round`.
	pub verifier: AccountId32,
	/// The round in progress.
	pub round: u32,
	/// The verifier's `sync` key (sr25519) signature over [`probe_payload`].
	pub signature: [u8; 64],
}

/// "Prove that you hold these leaves of your dataset whose root is `root`."
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct StorageRequest {
	/// The provider probed.
	pub provider: AccountId32,
	/// The Merkle root of the dataset the round's commitment names: a provider that is moving to
	/// a new dataset keeps the old one until its new commitment is in effect, and answers from
	/// the one asked for.
	pub root: [u8; 32],
	/// The leaf indices, drawn by the verifier (`dataset::sample_indices`).
	pub indices: Vec<u64>,
}

/// The answer to a [`StorageRequest`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct StorageResponse {
	/// One proof per requested index, in the request's order.
	pub proofs: Vec<StorageProof>,
}

/// "Send me the bandwidth payload of `bytes` bytes for `seed`." The answer is the raw payload.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct BandwidthRequest {
	/// The provider probed.
	pub provider: AccountId32,
	/// A fresh seed of the verifier's choosing.
	pub seed: [u8; 32],
	/// The payload's length, in bytes.
	pub bytes: u32,
}

/// "Run the compute probe for `nonce`." The answer is a [`ComputeAnswer`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct ComputeRequest {
	/// The provider probed.
	pub provider: AccountId32,
	/// A fresh nonce of the verifier's choosing.
	pub nonce: [u8; 32],
	/// How many hash chains to run at once.
	pub threads: u16,
	/// For how long, in milliseconds.
	pub millis: u32,
	/// Hashes per segment (between two checkpoints).
	pub segment_hashes: u32,
}

/// The kinds of probe, each with its own path and its own request limit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ProbeKind {
	/// [`StorageRequest`].
	Storage,
	/// [`BandwidthRequest`].
	Bandwidth,
	/// [`ComputeRequest`].
	Compute,
}

impl ProbeKind {
	/// The path the probe is asked at.
	pub fn path(self) -> &'static str {
		match self {
			ProbeKind::Storage => STORAGE_PATH,
			ProbeKind::Bandwidth => BANDWIDTH_PATH,
			ProbeKind::Compute => COMPUTE_PATH,
		}
	}

	/// The probe asked at `path`, if any.
	pub fn from_path(path: &str) -> Option<Self> {
		[ProbeKind::Storage, ProbeKind::Bandwidth, ProbeKind::Compute]
			.into_iter()
			.find(|kind| kind.path() == path)
	}
}

/// A request that needs a [`ProbeAuth`].
pub trait ProbeRequest: Encode + Decode {
	/// Which probe it is.
	const KIND: ProbeKind;

	/// The provider it probes.
	fn provider(&self) -> &AccountId32;

	/// Whether it stays within the bounds `config` (the chain's probe configuration) and the
	/// probe functions set: the endpoint refuses a request that does not.
	fn within_bounds(&self, config: &ProbeConfig) -> bool;
}

impl ProbeRequest for StorageRequest {
	const KIND: ProbeKind = ProbeKind::Storage;

	fn provider(&self) -> &AccountId32 {
		&self.provider
	}

	fn within_bounds(&self, config: &ProbeConfig) -> bool {
		let most = usize::try_from(config.storage_samples).unwrap_or(usize::MAX).min(MAX_SAMPLES);
		!self.indices.is_empty() && self.indices.len() <= most
	}
}

impl ProbeRequest for BandwidthRequest {
	const KIND: ProbeKind = ProbeKind::Bandwidth;

	fn provider(&self) -> &AccountId32 {
		&self.provider
	}

	fn within_bounds(&self, config: &ProbeConfig) -> bool {
		self.bytes <= config.bandwidth_bytes.min(MAX_PAYLOAD_BYTES)
	}
}

impl ProbeRequest for ComputeRequest {
	const KIND: ProbeKind = ProbeKind::Compute;

	fn provider(&self) -> &AccountId32 {
		&self.provider
	}

	fn within_bounds(&self, config: &ProbeConfig) -> bool {
		(1..=MAX_COMPUTE_THREADS).contains(&self.threads) &&
			self.millis <= config.compute_millis.min(MAX_MILLIS) &&
			(1..=MAX_SEGMENT_HASHES).contains(&self.segment_hashes)
	}
}

/// A probe request with its [`ProbeAuth`]: on the wire, the request's fields then the auth.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Authenticated<R> {
	/// The request.
	pub request: R,
	/// Who asks, and their signature.
	pub auth: ProbeAuth,
}

impl<R: ProbeRequest> Authenticated<R> {
	/// The bytes the verifier's key signed, on the chain whose genesis hash is `genesis_hash`.
	pub fn signing_payload(&self, genesis_hash: &[u8; 32]) -> Vec<u8> {
		probe_payload(
			genesis_hash,
			R::KIND.path(),
			&self.auth.verifier,
			self.auth.round,
			&self.request.encode(),
		)
	}

	/// `request` signed by `verifier` for `round`; `sign` signs the payload with the verifier's
	/// `sync` key. `None` if `sign` does.
	pub fn sign(
		request: R,
		verifier: AccountId32,
		round: u32,
		genesis_hash: &[u8; 32],
		sign: impl FnOnce(&[u8]) -> Option<[u8; 64]>,
	) -> Option<Self> {
		let payload =
			probe_payload(genesis_hash, R::KIND.path(), &verifier, round, &request.encode());
		let signature = sign(&payload)?;
		Some(Self { request, auth: ProbeAuth { verifier, round, signature } })
	}
}

/// The bytes a provider's `sync` key signs to answer a liveness challenge:
/// `(LIVENESS_CONTEXT, genesis_hash, provider, nonce)`, SCALE-encoded.
pub fn liveness_payload(
	genesis_hash: &[u8; 32],
	provider: &AccountId32,
	nonce: &[u8; 32],
) -> Vec<u8> {
	(LIVENESS_CONTEXT, genesis_hash, provider, nonce).encode()
}

/// The bytes a verifier's `sync` key signs to ask for a probe:
/// `(PROBE_CONTEXT, genesis_hash, path, verifier, round, body_without_auth)`, SCALE-encoded, where
/// `body_without_auth` is the SCALE encoding of the request's fields (as a length-prefixed byte
/// string). The verifier and round are signed too, so a request cannot be replayed under another
/// verifier's name nor in another round.
pub fn probe_payload(
	genesis_hash: &[u8; 32],
	path: &str,
	verifier: &AccountId32,
	round: u32,
	body_without_auth: &[u8],
) -> Vec<u8> {
	(PROBE_CONTEXT, genesis_hash, path, verifier, round, body_without_auth).encode()
}

/// Decodes a whole body as `T`: `None` if it does not decode or has bytes left over.
pub fn decode<T: Decode>(mut body: &[u8]) -> Option<T> {
	T::decode_all(&mut body).ok()
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [7u8; 32];

	fn account(byte: u8) -> AccountId32 {
		AccountId32::new([byte; 32])
	}

	fn round_trip<T: Encode + Decode + PartialEq + core::fmt::Debug>(value: T) {
		let bytes = value.encode();
		assert_eq!(decode::<T>(&bytes), Some(value));
		// Trailing bytes are refused.
		let mut longer = bytes.clone();
		longer.push(0);
		assert_eq!(decode::<T>(&longer), None);
		// So is a truncated body.
		if let Some((_, shorter)) = bytes.split_last() {
			assert_eq!(decode::<T>(shorter), None);
		}
	}

	#[test]
	fn every_type_round_trips() {
		round_trip(LivenessRequest { provider: account(1), nonce: [2; 32] });
		round_trip(LivenessResponse { signature: [3; 64] });
		let auth = ProbeAuth { verifier: account(4), round: 9, signature: [5; 64] };
		round_trip(Authenticated {
			request: StorageRequest { provider: account(1), root: [6; 32], indices: vec![1, 2, 3] },
			auth: auth.clone(),
		});
		round_trip(StorageResponse {
			proofs: vec![StorageProof {
				index: 3,
				leaf: vec![1; 16],
				path: vec![[2; 32]],
				previous: Some((vec![3; 16], vec![[4; 32]])),
			}],
		});
		round_trip(Authenticated {
			request: BandwidthRequest { provider: account(1), seed: [8; 32], bytes: 1 << 20 },
			auth: auth.clone(),
		});
		round_trip(Authenticated {
			request: ComputeRequest {
				provider: account(1),
				nonce: [9; 32],
				threads: 4,
				millis: 1_000,
				segment_hashes: 4096,
			},
			auth,
		});
		round_trip(ComputeAnswer { threads: vec![vec![[1; 32]], vec![]] });
	}

	#[test]
	fn an_authenticated_body_is_the_request_then_the_auth() {
		let request = BandwidthRequest { provider: account(1), seed: [8; 32], bytes: 77 };
		let auth = ProbeAuth { verifier: account(4), round: 9, signature: [5; 64] };
		let signed = Authenticated { request: request.clone(), auth: auth.clone() };
		assert_eq!(signed.encode(), [request.encode(), auth.encode()].concat());
	}

	#[test]
	fn the_liveness_payload_is_the_tag_genesis_provider_and_nonce() {
		let payload = liveness_payload(&GENESIS, &account(1), &[2; 32]);
		assert_eq!(LIVENESS_CONTEXT.len(), 22);
		let parts: [&[u8]; 4] = [LIVENESS_CONTEXT, &GENESIS, &[1u8; 32], &[2u8; 32]];
		assert_eq!(payload, parts.concat());
	}

	#[test]
	fn the_probe_payload_covers_every_field() {
		assert_eq!(PROBE_CONTEXT.len(), 19);
		let base = probe_payload(&GENESIS, STORAGE_PATH, &account(4), 9, b"body");
		assert!(base.starts_with(PROBE_CONTEXT));
		assert_ne!(base, probe_payload(&[8; 32], STORAGE_PATH, &account(4), 9, b"body"));
		assert_ne!(base, probe_payload(&GENESIS, COMPUTE_PATH, &account(4), 9, b"body"));
		assert_ne!(base, probe_payload(&GENESIS, STORAGE_PATH, &account(5), 9, b"body"));
		assert_ne!(base, probe_payload(&GENESIS, STORAGE_PATH, &account(4), 10, b"body"));
		assert_ne!(base, probe_payload(&GENESIS, STORAGE_PATH, &account(4), 9, b"bodx"));
	}

	#[test]
	fn signing_and_the_signed_payload_agree() {
		let request = StorageRequest { provider: account(1), root: [6; 32], indices: vec![4] };
		let mut seen = Vec::new();
		let signed = Authenticated::sign(request, account(4), 9, &GENESIS, |payload| {
			seen = payload.to_vec();
			Some([1; 64])
		});
		let signed = signed.expect("the signer signs");
		assert_eq!(signed.signing_payload(&GENESIS), seen);
		assert_eq!(signed.auth.round, 9);
		let refused = Authenticated::sign(
			BandwidthRequest { provider: account(1), seed: [0; 32], bytes: 1 },
			account(4),
			9,
			&GENESIS,
			|_| None,
		);
		assert!(refused.is_none());
	}

	#[test]
	fn paths_and_kinds_match() {
		for kind in [ProbeKind::Storage, ProbeKind::Bandwidth, ProbeKind::Compute] {
			assert_eq!(ProbeKind::from_path(kind.path()), Some(kind));
		}
		assert_eq!(ProbeKind::from_path(LIVENESS_PATH), None);
		assert_eq!(ProbeKind::from_path("/"), None);
	}

	#[test]
	fn bounds_follow_the_probe_config() {
		let config = ProbeConfig {
			storage_samples: 2,
			bandwidth_bytes: 100,
			compute_millis: 50,
			..ProbeConfig::default()
		};
		let storage =
			|n: usize| StorageRequest { provider: account(1), root: [0; 32], indices: vec![0; n] };
		assert!(!storage(0).within_bounds(&config));
		assert!(storage(2).within_bounds(&config));
		assert!(!storage(3).within_bounds(&config));
		let bandwidth =
			|bytes: u32| BandwidthRequest { provider: account(1), seed: [0; 32], bytes };
		assert!(bandwidth(100).within_bounds(&config));
		assert!(!bandwidth(101).within_bounds(&config));
		let compute = |threads: u16, millis: u32, segment_hashes: u32| ComputeRequest {
			provider: account(1),
			nonce: [0; 32],
			threads,
			millis,
			segment_hashes,
		};
		assert!(compute(64, 50, 4096).within_bounds(&config));
		assert!(!compute(0, 50, 4096).within_bounds(&config));
		assert!(!compute(65, 50, 4096).within_bounds(&config));
		assert!(!compute(1, 51, 4096).within_bounds(&config));
		assert!(!compute(1, 50, 0).within_bounds(&config));
		assert!(!compute(1, 50, MAX_SEGMENT_HASHES + 1).within_bounds(&config));
	}
}
