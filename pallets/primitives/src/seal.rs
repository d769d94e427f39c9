//! The storage dataset's seal and Merkle tree, in one place for everyone who computes them: the
//! provider's node that builds a dataset and proves samples of it, the verifier's node that checks
//! those proofs (both through the `proof-of-sync-probe` crate's `dataset` module, which documents
//! the construction), and the chain, which checks a storage fraud proof with [`check_link`].
//!
//! A dataset is `leaves` leaves of [`LEAF_BYTES`] bytes dealt round-robin into `lanes` lanes; leaf
//! `i` is sealed from its predecessor in its lane, leaf `i − lanes`, or for the first leaf of a
//! lane from the lane's start ([`lane_start`]). A Merkle tree over the leaves ([`leaf_hash`],
//! [`node_hash`], padded with [`PADDING_HASH`] leaves to a power of two) commits to them.
//!
//! Every hash is unkeyed BLAKE2b-256 ([`blake2b256`], the same function as
//! `sp_core::hashing::blake2_256`), computed in the runtime itself, so no host function is needed.

use alloc::vec::Vec;
use blake2::{digest::consts::U32, Blake2b, Digest};

/// A 32-byte BLAKE2b-256 digest.
pub type Hash = [u8; 32];

/// The size of a leaf, in bytes.
pub const LEAF_BYTES: usize = 4096;

/// The size of a block (one hash output) within a leaf, in bytes.
pub const BLOCK_BYTES: usize = 32;

/// The number of sequentially chained blocks in a leaf (128).
pub const BLOCKS_PER_LEAF: usize = LEAF_BYTES / BLOCK_BYTES;

/// The deepest Merkle tree: one over at most 2⁶⁴ leaves.
pub const MAX_TREE_DEPTH: u32 = 64;

/// The leaf hash of a padding (missing) leaf at the right edge of the tree.
pub const PADDING_HASH: Hash = [0u8; 32];

/// The domain tag of a lane start.
const LANE_DOMAIN: &[u8] = b"proof-of-sync/dataset";

/// The domain tag of a leaf's initial seal state.
const LEAF_DOMAIN: &[u8] = b"proof-of-sync/leaf";

/// The prefix byte of a leaf hash.
const LEAF_PREFIX: &[u8] = &[0x00];

/// The prefix byte of an inner node hash.
const NODE_PREFIX: &[u8] = &[0x01];

/// BLAKE2b-256 (the BLAKE2b-256 parameter set, not a truncated BLAKE2b-512) of the concatenation
/// of `parts`.
pub fn blake2b256(parts: &[&[u8]]) -> Hash {
	let mut hasher = Blake2b::<U32>::new();
	for part in parts {
		hasher.update(part);
	}
	hasher.finalize().into()
}

/// What a dataset is sealed with: the provider's SCALE-encoded account, the seed (the chain's
/// genesis hash), the number of lanes and the sequential hashes per block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SealParams<'a> {
	/// The provider's SCALE-encoded account.
	pub account: &'a [u8],
	/// The seed.
	pub seed: &'a Hash,
	/// The number of lanes; 0 counts as 1.
	pub lanes: u32,
	/// Sequential hashes per block; 0 seals like 1.
	pub seal_iterations: u32,
}

impl SealParams<'_> {
	/// The lane of leaf `index`: `index mod lanes`.
	pub fn lane(&self, index: u64) -> u32 {
		u32::try_from(index % u64::from(self.lanes.max(1))).unwrap_or(u32::MAX)
	}

	/// The index of leaf `index`'s predecessor in its lane, `index − lanes`; `None` when the leaf
	/// is the first of its lane (`index < lanes`).
	pub fn predecessor(&self, index: u64) -> Option<u64> {
		index.checked_sub(u64::from(self.lanes.max(1)))
	}

	/// The account's length as sealed: `u32` little-endian, `u32::MAX` if longer.
	fn account_len(&self) -> [u8; 4] {
		u32::try_from(self.account.len()).unwrap_or(u32::MAX).to_le_bytes()
	}

	/// The start of lane `lane`, the 32 bytes its first leaf is sealed from in place of a
	/// predecessor: `blake2b256(b"proof-of-sync/dataset" ‖ seed ‖ len(account) as u32 LE ‖
	/// account ‖ lane as u32 LE)`.
	pub fn lane_start(&self, lane: u32) -> Hash {
		blake2b256(&[
			LANE_DOMAIN,
			self.seed.as_slice(),
			self.account_len().as_slice(),
			self.account,
			lane.to_le_bytes().as_slice(),
		])
	}

	/// Seals leaf `index` from `previous` (its predecessor's [`LEAF_BYTES`] bytes, or its lane
	/// start) into `out`, whose length should be [`LEAF_BYTES`] (a shorter `out` receives only the
	/// blocks that fit):
	///
	/// ```text
	/// state = blake2b256(b"proof-of-sync/leaf" ‖ seed ‖ len(account) as u32 LE ‖ account
	///                    ‖ index as u64 LE ‖ blake2b256(previous))
	/// for j in 0..128:
	///     m = block 127 − j of previous if previous is a whole leaf, else empty (a lane start)
	///     repeat max(seal_iterations, 1) times: state = blake2b256(state ‖ m ‖ j as u32 LE)
	///     block j = state
	/// ```
	///
	/// Costs `128 × max(seal_iterations, 1)` sequential hashes plus one hash of `previous`.
	pub fn seal_leaf_into(&self, index: u64, previous: &[u8], out: &mut [u8]) {
		let previous_digest = blake2b256(&[previous]);
		let mut state = blake2b256(&[
			LEAF_DOMAIN,
			self.seed.as_slice(),
			self.account_len().as_slice(),
			self.account,
			index.to_le_bytes().as_slice(),
			previous_digest.as_slice(),
		]);
		// The predecessor's blocks, last first; none for a lane start.
		let whole_leaf = previous.len() == LEAF_BYTES;
		let mut mixed = previous.rchunks_exact(BLOCK_BYTES).filter(|_| whole_leaf);
		let iterations = self.seal_iterations.max(1);
		for (j, block) in (0u32..).zip(out.chunks_exact_mut(BLOCK_BYTES)) {
			let j_le = j.to_le_bytes();
			let m = mixed.next().unwrap_or_default();
			for _ in 0..iterations {
				state = blake2b256(&[state.as_slice(), m, j_le.as_slice()]);
			}
			block.copy_from_slice(&state);
		}
	}

	/// Leaf `index` sealed from `previous`: [`Self::seal_leaf_into`] into a new leaf.
	pub fn seal_leaf(&self, index: u64, previous: &[u8]) -> Vec<u8> {
		let mut leaf = alloc::vec![0u8; LEAF_BYTES];
		self.seal_leaf_into(index, previous, &mut leaf);
		leaf
	}
}

/// The Merkle leaf hash of `leaf`: `blake2b256(0x00 ‖ leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
	blake2b256(&[LEAF_PREFIX, leaf])
}

/// The Merkle inner node hash: `blake2b256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
	blake2b256(&[NODE_PREFIX, left.as_slice(), right.as_slice()])
}

/// The depth of the Merkle tree over `leaves` leaves: `⌈log2(leaves)⌉`, 0 for 0 or 1 leaf, at
/// most [`MAX_TREE_DEPTH`]. Every path has this many siblings.
pub fn tree_depth(leaves: u64) -> u32 {
	match leaves.checked_sub(1) {
		None | Some(0) => 0,
		Some(max_index) => u64::BITS.saturating_sub(max_index.leading_zeros()),
	}
}

/// The root that `leaf` at `index` and its `path` (siblings from the leaf level up; bit `l` of
/// `index` says whether the node at height `l` is a right child) hash to.
pub fn path_root(leaf: &[u8], index: u64, path: &[Hash]) -> Hash {
	let mut hash = leaf_hash(leaf);
	let mut position = index;
	for sibling in path {
		hash =
			if position & 1 == 0 { node_hash(&hash, sibling) } else { node_hash(sibling, &hash) };
		position >>= 1;
	}
	hash
}

/// Why [`check_link`] found a link unproven or broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkError {
	/// The leaf index is not below the number of leaves.
	IndexOutOfRange,
	/// The leaf, or its predecessor, is not [`LEAF_BYTES`] long.
	BadLeafLength,
	/// The leaf's path, or its predecessor's, does not have the tree's depth.
	BadPathLength,
	/// The leaf has a predecessor in its lane, but none was given.
	MissingPrevious,
	/// The leaf is the first of its lane, but a predecessor was given.
	UnexpectedPrevious,
	/// The leaf and its path do not hash to the root.
	WrongRoot,
	/// The predecessor and its path do not hash to the root at the predecessor's index.
	WrongPrevious,
	/// Both are in the committed tree, but the leaf is not the seal of its predecessor (or of its
	/// lane start): the committed dataset is not sealed as it must be.
	WrongLeaf,
}

/// One link of a lane as committed: leaf `index` with its Merkle path, and its predecessor with
/// the predecessor's path (`None` for the first leaf of a lane).
#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
	/// The leaf index.
	pub index: u64,
	/// The leaf.
	pub leaf: &'a [u8],
	/// The leaf's Merkle path.
	pub path: &'a [Hash],
	/// The predecessor and its path.
	pub previous: Option<(&'a [u8], &'a [Hash])>,
}

/// Checks `link` of a dataset of `leaves` leaves sealed with `params` whose Merkle root is `root`:
/// shapes first, then both paths ([`check_link_paths`]), then (costing one leaf seal) that the
/// leaf is the seal of its predecessor ([`check_link_seal`]). `Err(`[`LinkError::WrongLeaf`]`)`
/// alone proves the committed dataset unsealed; every other error only says the link was not
/// shown.
pub fn check_link(
	params: &SealParams<'_>,
	leaves: u64,
	root: &Hash,
	link: &Link<'_>,
) -> Result<(), LinkError> {
	check_link_paths(params, leaves, root, link)?;
	check_link_seal(params, link)
}

/// The cheap part of [`check_link`]: the index is in range, the leaves and paths have their
/// lengths, the predecessor is given exactly when the leaf has one, and both leaves are in the
/// tree of root `root` (`2 × (depth + 1)` hashes, no seal).
pub fn check_link_paths(
	params: &SealParams<'_>,
	leaves: u64,
	root: &Hash,
	link: &Link<'_>,
) -> Result<(), LinkError> {
	if link.index >= leaves {
		return Err(LinkError::IndexOutOfRange)
	}
	let depth = usize::try_from(tree_depth(leaves)).map_err(|_| LinkError::BadPathLength)?;
	let shaped = |leaf: &[u8], path: &[Hash]| {
		if leaf.len() != LEAF_BYTES {
			return Err(LinkError::BadLeafLength)
		}
		if path.len() != depth {
			return Err(LinkError::BadPathLength)
		}
		Ok(())
	};
	shaped(link.leaf, link.path)?;
	let previous = match (params.predecessor(link.index), link.previous) {
		(Some(index), Some((leaf, path))) => {
			shaped(leaf, path)?;
			Some((index, leaf, path))
		},
		(Some(_), None) => return Err(LinkError::MissingPrevious),
		(None, Some(_)) => return Err(LinkError::UnexpectedPrevious),
		(None, None) => None,
	};
	if path_root(link.leaf, link.index, link.path) != *root {
		return Err(LinkError::WrongRoot)
	}
	if let Some((index, leaf, path)) = previous {
		if path_root(leaf, index, path) != *root {
			return Err(LinkError::WrongPrevious)
		}
	}
	Ok(())
}

/// The costly part of [`check_link`], for a link [`check_link_paths`] accepted: the leaf is the
/// seal of its predecessor (or of its lane start when it has none). One leaf seal.
pub fn check_link_seal(params: &SealParams<'_>, link: &Link<'_>) -> Result<(), LinkError> {
	let expected = match link.previous {
		Some((leaf, _)) => params.seal_leaf(link.index, leaf),
		None => params.seal_leaf(link.index, &params.lane_start(params.lane(link.index))),
	};
	if link.leaf != expected.as_slice() {
		return Err(LinkError::WrongLeaf)
	}
	Ok(())
}

/// The domain tag of sample indices.
const SAMPLE_DOMAIN: &[u8] = b"proof-of-sync/sample";

/// Sample `k` of the samples drawn from `nonce` over a dataset of `leaves` leaves:
/// `u128_le(blake2b256(b"proof-of-sync/sample" ‖ nonce ‖ k as u64 LE)[..16]) mod leaves` (0 when
/// `leaves` is 0). A verifier's probe asks for samples `0..n` of its nonce; a storage audit with
/// the same nonce asks for the same leaves, in the same order. Reducing a 128-bit value modulo
/// `leaves ≤ 2^64` biases the distribution by less than 2^-64.
pub fn sample_index(nonce: &Hash, k: u64, leaves: u64) -> u64 {
	if leaves == 0 {
		return 0
	}
	let hash = blake2b256(&[SAMPLE_DOMAIN, nonce.as_slice(), k.to_le_bytes().as_slice()]);
	let mut low = [0u8; 16];
	low.copy_from_slice(&hash[..16]);
	let reduced = u128::from_le_bytes(low) % u128::from(leaves);
	u64::try_from(reduced).unwrap_or(0)
}
