//! # Proof of Sync resource probes
//!
//! A provider declares compute, storage and bandwidth capacity; its peers (the verifiers) measure
//! it. This crate holds the parts of those measurements that the provider node (the prover) and
//! the verifier node must agree on byte for byte. It is plain `std` Rust: no runtime, no
//! networking, no clock other than [`std::time::Instant`].
//!
//! ## The three probes
//!
//! - [`dataset`]: **storage**. The provider holds a sealed dataset: `leaves` leaves of
//!   [`dataset::LEAF_BYTES`] bytes, committed to by a Merkle root. The leaves are dealt into
//!   `lanes` lanes (leaf `i` in lane `i % lanes`), and each lane is a chain: a leaf is derived from
//!   its predecessor in the lane (leaf `i - lanes`, or a start derived from the provider's account,
//!   a seed and the lane) by a strictly sequential hash chain that takes in every block of the
//!   predecessor, last block first ([`dataset::seal_leaf`]). A verifier picks leaf indices
//!   ([`dataset::sample_indices`]) and asks for [`dataset::StorageProof`]s within a deadline: the
//!   leaf and its predecessor, each with its Merkle path. [`dataset::verify_proof`] checks both
//!   paths and reseals the leaf from the predecessor: one leaf seal per sample. The honest provider
//!   reads two leaves per sample, and seals its dataset in parallel across lanes.
//!
//!   *Threat answered*: a provider that claims storage it does not hold. A cheater that keeps one
//!   leaf in `X` of a lane (`X` its overclaim factor) must reseal, per sample, the lane from the
//!   last leaf it kept up to the sampled one: on average about `X / 2` leaf seals (128 ×
//!   `seal_iterations` sequential hashes each), one after the other. Extra cores do not help
//!   within a lane, because a leaf cannot be started before its predecessor is finished; with
//!   independent leaves it could regenerate what it dropped in parallel, in one leaf's time.
//!
//! - [`compute`]: **compute**. The provider runs `threads` independent sequential hash chains for a
//!   fixed wall-clock time and reports a checkpoint every `segment_hashes` hashes
//!   ([`compute::run`]). The verifier recomputes a random sample of segments ([`compute::check`]),
//!   and converts the claimed segment count into thousandths of a reference core
//!   ([`compute::milli_vcpu`]).
//!
//!   *Threat answered*: a provider that claims more cores than it has. A claimed segment it did
//!   not compute is caught whenever the verifier spot-checks it, so a provider that forges a
//!   fraction `f` of its segments escapes `k` spot checks with probability about `(1 - f)^k`.
//!
//! - [`bandwidth`]: **bandwidth**. The provider sends a deterministic pseudo-random payload
//!   ([`bandwidth::payload`]) that the verifier checks byte for byte as it arrives
//!   ([`bandwidth::PayloadChecker`]) while timing the transfer ([`bandwidth::mbit_per_s`]).
//!
//!   *Threat answered*: a provider that claims a faster link than it has. The payload depends on a
//!   fresh seed, cannot be compressed, and a single wrong byte fails the probe.
//!
//! ## Limits
//!
//! The probes measure what the verifier can observe from the provider's endpoint, nothing more:
//!
//! - Resealing is still fast for small storage overclaim factors: the proof deadline and
//!   `seal_iterations` set the factor below which cheating pays, about `X ≈ 2 × deadline / t_seal`
//!   with `t_seal` the cheater's time to seal one leaf. A cheater with hashing hardware much faster
//!   than the reference (GPU, ASIC) has a shorter `t_seal`, so it can hold less than it claims;
//!   `seal_iterations` and the deadline must be chosen with a margin against such hardware, and
//!   `lanes` kept well below `leaves / X` for the factors to be ruled out (a cheater never reseals
//!   more than one lane).
//! - Compute can be outsourced: the chains may be computed by another machine reachable from the
//!   endpoint, and the probe cannot tell. It measures work delivered, not where it was done.
//! - Bandwidth is measured on the path between the verifier and the endpoint; the payload can be
//!   produced anywhere (it is deterministic given the seed).
//!
//! ## Hashing
//!
//! Every hash is unkeyed BLAKE2b with a 256-bit output ([`blake2b256`]), the same function as
//! `sp_core::hashing::blake2_256`, except the bandwidth payload's generator (BLAKE2b-512, for
//! throughput). Every derivation starts with a distinct domain tag (`b"proof-of-sync/..."`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use blake2::{digest::consts::U32, Blake2b, Digest};

pub mod bandwidth;
pub mod compute;
pub mod dataset;

pub use proof_of_sync_primitives::seal::Hash;

/// BLAKE2b with a 32-byte output (the BLAKE2b-256 parameter set, not a truncated BLAKE2b-512).
pub(crate) type Blake2b256 = Blake2b<U32>;

pub use proof_of_sync_primitives::seal::blake2b256;

/// BLAKE2b-256 of a single 32-byte value: the step of the compute chains.
#[inline]
pub(crate) fn blake2b256_of_hash(input: &Hash) -> Hash {
	Blake2b256::digest(input.as_slice()).into()
}

/// The first 16 bytes of `hash` read as a little-endian `u128`.
pub(crate) fn u128_from_hash(hash: &Hash) -> u128 {
	u128::from_le_bytes(hash.first_chunk::<16>().copied().unwrap_or_default())
}

/// A deterministic stream of pseudo-random numbers: number `i` is derived from
/// `blake2b256(domain ‖ seed ‖ i as u64 LE)`.
///
/// Not a cryptographic RNG in any stronger sense than "unpredictable without the seed", which is
/// all the probes need: the seed is a fresh nonce the other party did not choose.
pub(crate) struct HashRng<'a> {
	domain: &'static [u8],
	seed: &'a [u8; 32],
	counter: u64,
}

impl<'a> HashRng<'a> {
	/// A stream for `seed` in the domain `domain`, starting at number 0.
	pub(crate) fn new(domain: &'static [u8], seed: &'a [u8; 32]) -> Self {
		Self { domain, seed, counter: 0 }
	}

	/// The next number, uniform in `0..bound`; 0 when `bound` is 0.
	///
	/// A 128-bit hash value is reduced modulo `bound` (at most 2^64), so the modulo bias is below
	/// 2^-64: negligible.
	pub(crate) fn below(&mut self, bound: u64) -> u64 {
		let hash =
			blake2b256(&[self.domain, self.seed.as_slice(), self.counter.to_le_bytes().as_slice()]);
		self.counter = self.counter.wrapping_add(1);
		if bound == 0 {
			return 0;
		}
		let reduced = u128_from_hash(&hash) % u128::from(bound);
		u64::try_from(reduced).unwrap_or(0)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn blake2b256_matches_the_reference_vector() {
		// BLAKE2b-256("") from the BLAKE2 reference implementation (and sp_core's blake2_256).
		let expected: Hash = [
			0x0e, 0x57, 0x51, 0xc0, 0x26, 0xe5, 0x43, 0xb2, 0xe8, 0xab, 0x2e, 0xb0, 0x60, 0x99,
			0xda, 0xa1, 0xd1, 0xe5, 0xdf, 0x47, 0x77, 0x8f, 0x77, 0x87, 0xfa, 0xab, 0x45, 0xcd,
			0xf1, 0x2f, 0xe3, 0xa8,
		];
		assert_eq!(blake2b256(&[]), expected);
		assert_eq!(blake2b256(&[b"".as_slice(), b"".as_slice()]), expected);
	}

	#[test]
	fn blake2b256_hashes_the_concatenation() {
		let whole = blake2b256(&[b"proof-of-sync".as_slice()]);
		assert_eq!(
			blake2b256(&[b"proof-".as_slice(), b"of-".as_slice(), b"sync".as_slice()]),
			whole
		);
		assert_ne!(blake2b256(&[b"proof-of-sync!".as_slice()]), whole);
	}

	#[test]
	fn single_hash_step_matches_the_general_function() {
		let x = [7u8; 32];
		assert_eq!(blake2b256_of_hash(&x), blake2b256(&[x.as_slice()]));
	}

	#[test]
	fn hash_rng_is_deterministic_and_bounded() {
		let seed = [3u8; 32];
		let first: Vec<u64> = {
			let mut rng = HashRng::new(b"test", &seed);
			(0..100).map(|_| rng.below(10)).collect()
		};
		let second: Vec<u64> = {
			let mut rng = HashRng::new(b"test", &seed);
			(0..100).map(|_| rng.below(10)).collect()
		};
		assert_eq!(first, second);
		assert!(first.iter().all(|&x| x < 10));
		// Not constant.
		assert!(first.iter().any(|&x| x != first[0]));
		let mut rng = HashRng::new(b"test", &seed);
		assert_eq!(rng.below(0), 0);
		assert_eq!(rng.below(1), 0);
	}
}
