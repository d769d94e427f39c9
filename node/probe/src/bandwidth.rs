//! The bandwidth probe: a deterministic payload the verifier checks byte for byte as it arrives.
//!
//! The payload for `(seed, bytes)` is the BLAKE2b-512 counter stream
//! `block(i) = blake2b512(b"proof-of-sync/bandwidth" ‖ seed ‖ i as u64 LE)`, 64 bytes a block,
//! concatenated and truncated to `bytes` ([`payload`]). BLAKE2b-512 rather than BLAKE2b-256 gives
//! twice the bytes per compression, so generating the payload is never the bottleneck. A payload
//! is a prefix of every longer payload with the same seed.
//!
//! The verifier does not need to hold the payload: a [`PayloadChecker`] regenerates it block by
//! block as chunks arrive and remembers only the first differing offset. The transfer's speed is
//! [`mbit_per_s`] of the bytes received and the nanoseconds the transfer took.

use crate::{Blake2b256, Hash};
use blake2::{Blake2b512, Digest};
use rayon::prelude::*;
use std::cmp::Ordering;

/// The largest payload, in bytes (64 MiB).
pub const MAX_PAYLOAD_BYTES: u32 = 64 * 1024 * 1024;

/// The size of one generator block, in bytes (a BLAKE2b-512 output).
pub const PAYLOAD_BLOCK_BYTES: usize = 64;

/// The domain tag of the payload generator.
const PAYLOAD_DOMAIN: &[u8] = b"proof-of-sync/bandwidth";

/// A payload size the probe refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BandwidthError {
	/// The requested payload is larger than [`MAX_PAYLOAD_BYTES`].
	#[error("a {bytes}-byte payload is larger than the maximum of {max} bytes")]
	TooLarge {
		/// The requested size, in bytes.
		bytes: u32,
		/// [`MAX_PAYLOAD_BYTES`].
		max: u32,
	},
}

/// Why received bytes are not the expected payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
	/// The byte at `offset` (0-based, in the whole stream) differs from the payload's.
	#[error("the payload differs from the expected one at byte {offset}")]
	Mismatch {
		/// The first differing byte's offset.
		offset: u64,
	},
	/// Fewer bytes than the payload's length arrived.
	#[error("{received} bytes received, {expected} expected")]
	TooShort {
		/// Bytes received.
		received: u64,
		/// The payload's length.
		expected: u64,
	},
	/// More bytes than the payload's length arrived.
	#[error("{received} bytes received, only {expected} expected")]
	TooLong {
		/// Bytes received.
		received: u64,
		/// The payload's length.
		expected: u64,
	},
}

/// Generator block `index` of the payload stream for `seed`:
/// `blake2b512(b"proof-of-sync/bandwidth" ‖ seed ‖ index as u64 LE)`.
pub fn payload_block(seed: &[u8; 32], index: u64) -> [u8; PAYLOAD_BLOCK_BYTES] {
	Blake2b512::new()
		.chain_update(PAYLOAD_DOMAIN)
		.chain_update(seed)
		.chain_update(index.to_le_bytes())
		.finalize()
		.into()
}

/// `bytes` as a length, if it is at most [`MAX_PAYLOAD_BYTES`].
fn checked_len(bytes: u32) -> Result<usize, BandwidthError> {
	let too_large = BandwidthError::TooLarge { bytes, max: MAX_PAYLOAD_BYTES };
	if bytes > MAX_PAYLOAD_BYTES {
		return Err(too_large);
	}
	usize::try_from(bytes).map_err(|_| too_large)
}

/// The payload of `bytes` bytes for `seed` (see the [module docs](self)), generated in parallel
/// on rayon's current thread pool. Allocates exactly `bytes` bytes.
///
/// # Errors
///
/// [`BandwidthError::TooLarge`] if `bytes > MAX_PAYLOAD_BYTES`.
pub fn payload(seed: &[u8; 32], bytes: u32) -> Result<Vec<u8>, BandwidthError> {
	let len = checked_len(bytes)?;
	let mut out = vec![0u8; len];
	out.par_chunks_mut(PAYLOAD_BLOCK_BYTES).enumerate().for_each(|(index, chunk)| {
		let block = payload_block(seed, index as u64);
		if let Some(source) = block.get(..chunk.len()) {
			chunk.copy_from_slice(source);
		}
	});
	Ok(out)
}

/// BLAKE2b-256 of the payload of `bytes` bytes for `seed`, computed as a stream (constant
/// memory).
///
/// # Errors
///
/// [`BandwidthError::TooLarge`] if `bytes > MAX_PAYLOAD_BYTES`.
pub fn digest(seed: &[u8; 32], bytes: u32) -> Result<Hash, BandwidthError> {
	let mut remaining = checked_len(bytes)?;
	let mut hasher = Blake2b256::new();
	let mut index = 0u64;
	while remaining > 0 {
		let block = payload_block(seed, index);
		let take = remaining.min(PAYLOAD_BLOCK_BYTES);
		hasher.update(block.get(..take).unwrap_or_default());
		remaining = remaining.saturating_sub(take);
		index = index.saturating_add(1);
	}
	Ok(hasher.finalize().into())
}

/// Checks a received byte stream against the payload for `(seed, bytes)` as it arrives, in
/// constant memory (one 64-byte block).
///
/// Feed the chunks in order with [`PayloadChecker::feed`], then call
/// [`PayloadChecker::finish`]. After the first wrong byte (or once the stream is longer than the
/// payload) the checker stops comparing and only counts bytes.
#[derive(Clone, Debug)]
pub struct PayloadChecker {
	seed: [u8; 32],
	expected: u64,
	received: u64,
	/// The generator block last used, with its index.
	cached: Option<(u64, [u8; PAYLOAD_BLOCK_BYTES])>,
	mismatch: Option<u64>,
}

impl PayloadChecker {
	/// A checker for the payload of `bytes` bytes for `seed`.
	///
	/// # Errors
	///
	/// [`BandwidthError::TooLarge`] if `bytes > MAX_PAYLOAD_BYTES`.
	pub fn new(seed: &[u8; 32], bytes: u32) -> Result<Self, BandwidthError> {
		checked_len(bytes)?;
		Ok(Self {
			seed: *seed,
			expected: u64::from(bytes),
			received: 0,
			cached: None,
			mismatch: None,
		})
	}

	/// Checks the next `chunk` of the stream (any size, including empty). Costs one BLAKE2b-512
	/// compression per 64 payload bytes compared.
	pub fn feed(&mut self, chunk: &[u8]) {
		let mut rest = chunk;
		while !rest.is_empty() {
			if self.mismatch.is_some() || self.received >= self.expected {
				self.received = self.received.saturating_add(rest.len() as u64);
				return;
			}
			let block_index = self.received / PAYLOAD_BLOCK_BYTES as u64;
			let in_block =
				usize::try_from(self.received % PAYLOAD_BLOCK_BYTES as u64).unwrap_or_default();
			let block = self.block(block_index);
			let left_in_payload =
				usize::try_from(self.expected.saturating_sub(self.received)).unwrap_or(usize::MAX);
			let take = PAYLOAD_BLOCK_BYTES
				.saturating_sub(in_block)
				.min(left_in_payload)
				.min(rest.len())
				// Never 0 (in_block < 64, the payload has bytes left, `rest` is not empty), but a
				// zero step would never end.
				.max(1);
			let (now, later) = rest.split_at_checked(take).unwrap_or((rest, &[]));
			let wanted =
				block.get(in_block..in_block.saturating_add(now.len())).unwrap_or_default();
			if now != wanted {
				let differs_at = now
					.iter()
					.zip(wanted)
					.position(|(got, want)| got != want)
					.unwrap_or(now.len().min(wanted.len()));
				self.mismatch = Some(self.received.saturating_add(differs_at as u64));
			}
			self.received = self.received.saturating_add(now.len() as u64);
			rest = later;
		}
	}

	/// The number of bytes fed so far (saturating).
	pub fn received(&self) -> u64 {
		self.received
	}

	/// The payload's length, in bytes.
	pub fn expected(&self) -> u64 {
		self.expected
	}

	/// The offset of the first wrong byte, if any was fed. Bytes past the payload's length are not
	/// "wrong" but make the stream [`PayloadError::TooLong`].
	pub fn first_mismatch(&self) -> Option<u64> {
		self.mismatch
	}

	/// Whether the bytes fed so far are a prefix of the payload.
	pub fn is_prefix(&self) -> bool {
		self.mismatch.is_none() && self.received <= self.expected
	}

	/// Whether the bytes fed so far are exactly the payload.
	pub fn is_complete(&self) -> bool {
		self.finish().is_ok()
	}

	/// The verdict on the bytes fed so far.
	///
	/// # Errors
	///
	/// [`PayloadError::Mismatch`] at the first wrong byte if there is one; otherwise
	/// [`PayloadError::TooShort`] or [`PayloadError::TooLong`] if the length differs.
	pub fn finish(&self) -> Result<(), PayloadError> {
		if let Some(offset) = self.mismatch {
			return Err(PayloadError::Mismatch { offset });
		}
		let (received, expected) = (self.received, self.expected);
		match received.cmp(&expected) {
			Ordering::Equal => Ok(()),
			Ordering::Less => Err(PayloadError::TooShort { received, expected }),
			Ordering::Greater => Err(PayloadError::TooLong { received, expected }),
		}
	}

	/// Generator block `index`, from the cache when it is the last one used.
	fn block(&mut self, index: u64) -> [u8; PAYLOAD_BLOCK_BYTES] {
		match self.cached {
			Some((cached_index, block)) if cached_index == index => block,
			_ => {
				let block = payload_block(&self.seed, index);
				self.cached = Some((index, block));
				block
			},
		}
	}
}

/// The throughput of `bytes` bytes moved in `nanos` nanoseconds, in megabits (10^6 bits) per
/// second, rounded down: `bytes × 8000 / nanos`, computed in 128 bits and saturated at
/// `u64::MAX`.
///
/// `nanos == 0` gives 0: a transfer too short to time earns no credit, rather than infinite
/// credit.
pub fn mbit_per_s(bytes: u64, nanos: u64) -> u64 {
	if nanos == 0 {
		return 0;
	}
	let rate = u128::from(bytes).saturating_mul(8000) / u128::from(nanos);
	u64::try_from(rate).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::blake2b256;

	const SEED: [u8; 32] = [11u8; 32];

	#[test]
	fn payload_follows_the_specification() {
		let p = payload(&SEED, 150).expect("in bounds");
		assert_eq!(p.len(), 150);
		let mut expected = Vec::new();
		for i in 0u64..3 {
			let mut hasher = Blake2b512::new();
			hasher.update(b"proof-of-sync/bandwidth");
			hasher.update(SEED);
			hasher.update(i.to_le_bytes());
			expected.extend_from_slice(&hasher.finalize());
		}
		expected.truncate(150);
		assert_eq!(p, expected);
	}

	#[test]
	fn payloads_are_deterministic_prefixes() {
		let long = payload(&SEED, 10_000).expect("in bounds");
		assert_eq!(long, payload(&SEED, 10_000).expect("in bounds"));
		for len in [0u32, 1, 63, 64, 65, 128, 1000, 9_999] {
			let short = payload(&SEED, len).expect("in bounds");
			assert_eq!(short.len(), len as usize);
			assert_eq!(short[..], long[..len as usize]);
		}
		assert_ne!(payload(&[12u8; 32], 64).expect("in bounds"), long[..64].to_vec());
	}

	#[test]
	fn sizes_above_the_maximum_are_refused() {
		let too_large =
			BandwidthError::TooLarge { bytes: MAX_PAYLOAD_BYTES + 1, max: MAX_PAYLOAD_BYTES };
		assert_eq!(payload(&SEED, MAX_PAYLOAD_BYTES + 1), Err(too_large));
		assert_eq!(
			digest(&SEED, u32::MAX).err(),
			Some(BandwidthError::TooLarge { bytes: u32::MAX, max: MAX_PAYLOAD_BYTES })
		);
		assert_eq!(PayloadChecker::new(&SEED, MAX_PAYLOAD_BYTES + 1).err(), Some(too_large));
		assert!(PayloadChecker::new(&SEED, MAX_PAYLOAD_BYTES).is_ok());
	}

	#[test]
	fn digest_hashes_the_payload() {
		for len in [0u32, 1, 64, 100, 4096] {
			let p = payload(&SEED, len).expect("in bounds");
			assert_eq!(digest(&SEED, len), Ok(blake2b256(&[p.as_slice()])));
		}
		assert_ne!(digest(&SEED, 100), digest(&[0u8; 32], 100));
	}

	#[test]
	fn the_checker_accepts_the_payload_in_any_chunking() {
		let p = payload(&SEED, 1000).expect("in bounds");
		for chunk in [1usize, 7, 63, 64, 65, 100, 1000, 5000] {
			let mut checker = PayloadChecker::new(&SEED, 1000).expect("in bounds");
			assert_eq!(
				checker.finish(),
				Err(PayloadError::TooShort { received: 0, expected: 1000 })
			);
			for piece in p.chunks(chunk) {
				checker.feed(piece);
				assert!(checker.is_prefix());
			}
			checker.feed(&[]);
			assert_eq!(checker.received(), 1000);
			assert_eq!(checker.expected(), 1000);
			assert_eq!(checker.first_mismatch(), None);
			assert_eq!(checker.finish(), Ok(()));
			assert!(checker.is_complete());
		}
	}

	#[test]
	fn the_checker_finds_the_first_wrong_byte() {
		let mut p = payload(&SEED, 1000).expect("in bounds");
		p[777] ^= 0x10;
		p[900] ^= 0x10;
		for chunk in [1usize, 50, 1000] {
			let mut checker = PayloadChecker::new(&SEED, 1000).expect("in bounds");
			for piece in p.chunks(chunk) {
				checker.feed(piece);
			}
			assert_eq!(checker.received(), 1000);
			assert_eq!(checker.first_mismatch(), Some(777));
			assert!(!checker.is_prefix());
			assert_eq!(checker.finish(), Err(PayloadError::Mismatch { offset: 777 }));
		}

		// Another seed's payload.
		let other = payload(&[1u8; 32], 1000).expect("in bounds");
		let expected = payload(&SEED, 1000).expect("in bounds");
		let first = other.iter().zip(&expected).position(|(a, b)| a != b).expect("differ");
		let mut checker = PayloadChecker::new(&SEED, 1000).expect("in bounds");
		checker.feed(&other);
		assert_eq!(checker.finish(), Err(PayloadError::Mismatch { offset: first as u64 }));
	}

	#[test]
	fn the_checker_finds_wrong_lengths() {
		let p = payload(&SEED, 1000).expect("in bounds");
		let mut checker = PayloadChecker::new(&SEED, 1000).expect("in bounds");
		checker.feed(&p[..999]);
		assert!(checker.is_prefix());
		assert_eq!(checker.finish(), Err(PayloadError::TooShort { received: 999, expected: 1000 }));

		let mut checker = PayloadChecker::new(&SEED, 1000).expect("in bounds");
		checker.feed(&p);
		checker.feed(&[0, 0]);
		assert!(!checker.is_prefix());
		assert_eq!(checker.first_mismatch(), None);
		assert_eq!(checker.finish(), Err(PayloadError::TooLong { received: 1002, expected: 1000 }));

		// A stream that goes past the end within one chunk.
		let mut longer = p.clone();
		longer.push(p[0]);
		let mut checker = PayloadChecker::new(&SEED, 1000).expect("in bounds");
		checker.feed(&longer);
		assert_eq!(checker.finish(), Err(PayloadError::TooLong { received: 1001, expected: 1000 }));

		let mut checker = PayloadChecker::new(&SEED, 0).expect("in bounds");
		assert_eq!(checker.finish(), Ok(()));
		checker.feed(&[1]);
		assert_eq!(checker.finish(), Err(PayloadError::TooLong { received: 1, expected: 0 }));
	}

	#[test]
	fn throughput_is_in_megabits() {
		assert_eq!(mbit_per_s(125_000_000, 1_000_000_000), 1000);
		assert_eq!(mbit_per_s(1_000_000, 8_000_000), 1000);
		assert_eq!(mbit_per_s(1, 1_000_000_000), 0);
		assert_eq!(mbit_per_s(0, 1), 0);
		assert_eq!(mbit_per_s(1, 0), 0);
		assert_eq!(mbit_per_s(u64::MAX, 1), u64::MAX);
		assert_eq!(mbit_per_s(u64::MAX, u64::MAX), 8000);
	}
}
