//! The storage probe: a sealed dataset a provider must hold, and proofs that it does.
//!
//! ## The dataset
//!
//! A dataset is `leaves` leaves of [`LEAF_BYTES`] bytes, dealt round-robin into `lanes` lanes:
//! leaf `i` belongs to lane `i % lanes`. Each lane is a chain. Leaf `i` is sealed from its
//! predecessor in the lane, leaf `i - lanes` ([`predecessor`]); the first leaf of lane `r` (leaf
//! `r`) is sealed from the lane's 32-byte start ([`lane_start`]), which stands in for the
//! predecessor's bytes:
//!
//! ```text
//! lane_start(r) = blake2b256(b"proof-of-sync/dataset" ‖ seed ‖ len(account) as u32 LE ‖ account
//!                            ‖ r as u32 LE)
//! ```
//!
//! [`seal_leaf`] turns `previous` (the predecessor's [`LEAF_BYTES`] bytes, or the lane start) into
//! leaf `index`, a chain of [`BLOCKS_PER_LEAF`] blocks of [`BLOCK_BYTES`] bytes:
//!
//! ```text
//! state = blake2b256(b"proof-of-sync/leaf" ‖ seed ‖ account length as u32 LE ‖ account
//!                   ‖ index as u64 LE ‖ blake2b256(previous))
//! for j in 0..128:
//!     m = block 127 - j of previous if previous is a whole leaf, else empty (a lane start)
//!     repeat max(seal_iterations, 1) times: state = blake2b256(state ‖ m ‖ j as u32 LE)
//!     block j = state
//! ```
//!
//! Every block depends on the block before it, so a leaf costs 128 × `seal_iterations`
//! sequential hashes however many cores one has. Block `j` also takes in block `127 - j` of the
//! predecessor, in reverse order: the leaf's first block needs the predecessor's last one, so a
//! leaf cannot be started (nor pipelined) before its predecessor is finished, and every block of
//! the predecessor is needed, so a short summary of it (such as the 32-byte digest in the initial
//! state) is not enough to reseal the leaf. Were the digest all a leaf took from its predecessor,
//! a cheater could keep the digests (1/128 of the data) instead of the leaves and reseal any leaf
//! in one leaf's time. A lane of `n` leaves therefore costs `n` leaf seals end to end; the lanes
//! are independent of each other and are sealed in parallel.
//!
//! ## The Merkle tree
//!
//! - Leaf hash: `blake2b256(0x00 ‖ leaf)`; inner node: `blake2b256(0x01 ‖ left ‖ right)`.
//! - The tree is the full binary tree of width `2^depth`, `depth = ceil(log2(leaves))` (0 for a
//!   single leaf, whose leaf hash is then the root). The leaf hashes of the missing leaves
//!   `leaves..2^depth` are the padding hash [`PADDING_HASH`] (`[0u8; 32]`); inner nodes above them
//!   are hashed like any other node. So a subtree of height `h` holding only padding has the hash
//!   `Z(h)`, with `Z(0) = [0; 32]` and `Z(h + 1) = blake2b256(0x01 ‖ Z(h) ‖ Z(h))`.
//! - A path lists the siblings from the leaf level up: `path[l]` is the sibling at height `l` of
//!   the node on the way from the leaf to the root; bit `l` of the index says whether the node is
//!   the right child (1) or the left one (0).
//!
//! The tree is over the leaves in index order; lanes do not show in it.
//!
//! The seal, the lane starts and the tree's hashes are computed by
//! [`proof_of_sync_primitives::seal`], which the chain also uses to check a storage fraud proof:
//! a sampled leaf that, with its predecessor, is in the committed tree but is not that
//! predecessor's seal ([`ProofError::WrongLeaf`]) proves the committed dataset unsealed.
//!
//! ## On disk
//!
//! A dataset lives in a directory of three files:
//!
//! - [`LEAVES_FILE`] (`leaves.bin`): the leaves, leaf `i` at byte `i × LEAF_BYTES`.
//! - [`TREE_FILE`] (`tree.bin`): every level of the tree from the leaf hashes (level 0) up to the
//!   root (level `depth`), concatenated, 32 bytes a node. Level `l` holds only the nodes that have
//!   at least one real leaf below them: `ceil(leaves / 2^l)` nodes (the others are `Z(l)`, never
//!   stored). Its last 32 bytes are the root.
//! - [`PARAMS_FILE`] (`params.scale`): the SCALE encoding of `(FORMAT_VERSION: u32, DatasetParams,
//!   root: [u8; 32])`. It is written last, atomically (a temporary file renamed over it), so a
//!   directory without it, or with one naming another format version or other parameters, is
//!   incomplete and is rebuilt.
//!
//! ## Proving and verifying
//!
//! The verifier draws indices with [`sample_indices`], the prover answers each with
//! [`Dataset::prove`]: the leaf, its Merkle path, and (unless the leaf is the first of its lane)
//! its predecessor with the predecessor's Merkle path. The honest prover reads two leaves and two
//! paths per sample. The verifier checks each answer with [`verify_proof`]: both paths against
//! the root, then the leaf against [`seal_leaf`] of the predecessor it was given, which costs one
//! leaf seal (128 × `seal_iterations` hashes) per sample, however long the lane.
//!
//! The verifier checks the sampled leaf against its predecessor, not the predecessor against its
//! own predecessor: for the predecessor it relies on the root's commitment. So a prover that
//! committed to a dataset whose chain is broken at some leaves (a leaf that is not the seal of its
//! predecessor, say a cheap one to restart the chain from) fails only the samples that land on a
//! break: breaks at a fraction `f` of the leaves survive `k` samples with probability
//! `(1 - f)^k`.
//!
//! ## What cheating costs
//!
//! A cheater claims `X` times the leaves it keeps (its overclaim factor) and must produce the
//! leaves it dropped, and their predecessors, when they are sampled, within the verifier's
//! deadline. Keeping the whole Merkle tree costs it under 2 % of the data, so assume it does.
//!
//! - Keeping one leaf in `X` of each lane, it answers a sample by resealing the lane forward from
//!   the last leaf it kept to the sampled leaf: on average about `X / 2` leaf seals, one after the
//!   other. Extra cores do not help within a lane, because each leaf needs all of its predecessor
//!   before its first block; they only let it work on samples in different lanes at once. (With
//!   independent leaves it could reseal the `X` leaves it needed in parallel, in one leaf's time.)
//! - Keeping part of every leaf instead pays for small factors. Keeping the first half of every
//!   leaf (`X = 2`) lets it reseal a leaf's second half from the kept halves of the leaf and its
//!   predecessor: half a leaf seal per sample. Keeping less than half leaves some of the
//!   predecessor blocks it needs missing as well, so the resealing reaches further down the lane.
//! - Restarting the chain from cheap leaves is the broken chain above: it saves the kept leaves'
//!   storage but is caught by a sample on a break.
//!
//! ## Limits
//!
//! - Resealing is still fast for small overclaim factors. The deadline and `seal_iterations` set
//!   the factor below which cheating pays: about `X ≈ 2 × deadline / t_seal`, with `t_seal` the
//!   cheater's time to seal one leaf (128 × `seal_iterations` hashes on its fastest core). Faster
//!   hashing hardware (GPU, ASIC) shortens `t_seal` and raises that factor.
//! - A lane holds about `leaves / lanes` leaves, and a cheater never reseals more than a lane:
//!   lanes much shorter than the factors to be ruled out weaken the probe.
//! - More lanes let the honest build use more cores: a build takes at least `ceil(leaves / lanes)`
//!   leaf seals end to end, so `lanes` should be at least the number of cores a provider seals
//!   with.

use crate::{blake2b256, Hash};
use codec::{Decode, DecodeAll, DecodeWithMemTracking, Encode};
use rayon::prelude::*;
use std::{
	fs::{self, File, OpenOptions},
	io,
	os::unix::fs::FileExt,
	path::{Path, PathBuf},
};

use proof_of_sync_primitives::seal::{self, check_link, Link, LinkError, SealParams};
pub use proof_of_sync_primitives::seal::{
	leaf_hash, node_hash, tree_depth, BLOCKS_PER_LEAF, BLOCK_BYTES, LEAF_BYTES, PADDING_HASH,
};

/// The most leaves a dataset may have: 2^32 leaves, 16 TiB of leaves (and a 256 GiB tree file).
pub const MAX_LEAVES: u64 = 1 << 32;

/// The most lanes a dataset may have. A build keeps two batches of `lanes` leaves in memory (at
/// most 2 MiB).
pub const MAX_LANES: u32 = 256;

/// The longest SCALE-encoded account a dataset may be sealed to, in bytes.
pub const MAX_ACCOUNT_BYTES: usize = 128;

/// The most hash iterations per block: 2^16, so at most 2^23 hashes (a few seconds) to seal or
/// verify one leaf. It bounds a verifier's work per proof.
pub const MAX_SEAL_ITERATIONS: u32 = 1 << 16;

/// The most indices [`sample_indices`] returns; a larger `count` is clamped to it.
pub const MAX_SAMPLES: usize = 65_536;

/// How many leaves [`Dataset::open_or_build`] seals between two calls to its `progress` callback
/// (and between two writes of leaf hashes to [`TREE_FILE`]), at least.
pub const BUILD_PROGRESS_LEAVES: usize = 1024;

/// The name of the leaves file in a dataset directory.
pub const LEAVES_FILE: &str = "leaves.bin";

/// The name of the tree file in a dataset directory.
pub const TREE_FILE: &str = "tree.bin";

/// The name of the parameters file in a dataset directory; written last.
pub const PARAMS_FILE: &str = "params.scale";

/// The version of the on-disk layout and of the seal, the first field of [`PARAMS_FILE`]. A
/// dataset written with another version is rebuilt. Version 2 chains the leaves into lanes;
/// version 1 sealed every leaf on its own.
pub const FORMAT_VERSION: u32 = 2;

/// The temporary name [`PARAMS_FILE`] is written under before it is renamed into place.
const PARAMS_TMP_FILE: &str = "params.scale.tmp";

/// The prefix byte of an inner node hash (as [`node_hash`] writes it).
const NODE_PREFIX: &[u8] = &[0x01];

/// The size of a tree node, in bytes.
const NODE_BYTES: u64 = 32;

/// How many parent nodes one step of the tree build computes (reading twice as many children):
/// 1 MiB of children in memory at a time.
const TREE_BATCH_PARENTS: u64 = 16_384;

/// The largest [`PARAMS_FILE`] accepted when opening a dataset, in bytes.
const MAX_PARAMS_FILE_BYTES: u64 = 4096;

/// The parameters a dataset is sealed with. They come from the chain: the provider's account, the
/// seed the chain assigned, the declared size, the number of lanes, and the sealing cost.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug)]
pub struct DatasetParams {
	/// The provider's SCALE-encoded `AccountId`; at most [`MAX_ACCOUNT_BYTES`] bytes.
	pub account: Vec<u8>,
	/// The seed the dataset is sealed with.
	pub seed: [u8; 32],
	/// The number of leaves of [`LEAF_BYTES`] bytes, in `1..=MAX_LEAVES`.
	pub leaves: u64,
	/// The number of lanes (independent chains of leaves), in `1..=MAX_LANES`. A lane holds about
	/// `leaves / lanes` leaves; more lanes seal faster on more cores but shorten the chains a
	/// cheater must reseal (see the [module docs](self)). More lanes than leaves is allowed: every
	/// leaf is then the first of its lane.
	pub lanes: u32,
	/// Sequential hash iterations per block, in `0..=MAX_SEAL_ITERATIONS`; 0 seals like 1.
	pub seal_iterations: u32,
}

impl DatasetParams {
	/// Checks the bounds documented on each field.
	///
	/// # Errors
	///
	/// The first bound broken, as a [`ParamsError`].
	pub fn validate(&self) -> Result<(), ParamsError> {
		if self.leaves == 0 {
			return Err(ParamsError::NoLeaves);
		}
		if self.leaves > MAX_LEAVES {
			return Err(ParamsError::TooManyLeaves { leaves: self.leaves, max: MAX_LEAVES });
		}
		if self.lanes == 0 {
			return Err(ParamsError::NoLanes);
		}
		if self.lanes > MAX_LANES {
			return Err(ParamsError::TooManyLanes { lanes: self.lanes, max: MAX_LANES });
		}
		if self.account.len() > MAX_ACCOUNT_BYTES {
			return Err(ParamsError::AccountTooLong {
				len: self.account.len(),
				max: MAX_ACCOUNT_BYTES,
			});
		}
		if self.seal_iterations > MAX_SEAL_ITERATIONS {
			return Err(ParamsError::TooManySealIterations {
				iterations: self.seal_iterations,
				max: MAX_SEAL_ITERATIONS,
			});
		}
		Ok(())
	}

	/// The depth of the Merkle tree: `ceil(log2(leaves))`, 0 for 0 or 1 leaf. It is also the
	/// length of every proof's path.
	pub fn depth(&self) -> u32 {
		tree_depth(self.leaves)
	}

	/// The size of the leaves, in bytes (`leaves × LEAF_BYTES`, saturating).
	pub fn data_bytes(&self) -> u64 {
		self.leaves.saturating_mul(LEAF_BYTES as u64)
	}

	/// The lane leaf `index` belongs to: `index % lanes` (`lanes` 0 counts as 1).
	pub fn lane(&self, index: u64) -> u32 {
		self.seal_params().lane(index)
	}

	/// The parameters the seal functions of [`proof_of_sync_primitives::seal`] take.
	pub fn seal_params(&self) -> SealParams<'_> {
		SealParams {
			account: &self.account,
			seed: &self.seed,
			lanes: self.lanes,
			seal_iterations: self.seal_iterations,
		}
	}
}

/// Why [`DatasetParams`] are out of bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
	/// `leaves` is 0.
	#[error("a dataset needs at least one leaf")]
	NoLeaves,
	/// `leaves` is above [`MAX_LEAVES`].
	#[error("{leaves} leaves is more than the maximum of {max}")]
	TooManyLeaves {
		/// The requested number of leaves.
		leaves: u64,
		/// [`MAX_LEAVES`].
		max: u64,
	},
	/// `lanes` is 0.
	#[error("a dataset needs at least one lane")]
	NoLanes,
	/// `lanes` is above [`MAX_LANES`].
	#[error("{lanes} lanes is more than the maximum of {max}")]
	TooManyLanes {
		/// The requested number of lanes.
		lanes: u32,
		/// [`MAX_LANES`].
		max: u32,
	},
	/// The account is longer than [`MAX_ACCOUNT_BYTES`].
	#[error("a {len}-byte account is longer than the maximum of {max} bytes")]
	AccountTooLong {
		/// The account's length, in bytes.
		len: usize,
		/// [`MAX_ACCOUNT_BYTES`].
		max: usize,
	},
	/// `seal_iterations` is above [`MAX_SEAL_ITERATIONS`].
	#[error("{iterations} seal iterations is more than the maximum of {max}")]
	TooManySealIterations {
		/// The requested iterations.
		iterations: u32,
		/// [`MAX_SEAL_ITERATIONS`].
		max: u32,
	},
}

/// Why a dataset could not be opened, built or read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
	/// The parameters are out of bounds.
	#[error("invalid dataset parameters: {0}")]
	InvalidParams(#[from] ParamsError),
	/// A proof was asked for a leaf the dataset does not have.
	#[error("leaf {index} is out of range: the dataset has {leaves} leaves")]
	IndexOutOfRange {
		/// The requested leaf index.
		index: u64,
		/// The number of leaves.
		leaves: u64,
	},
	/// A file system operation failed.
	#[error("cannot {action} {path}: {source}")]
	Io {
		/// What was being done, e.g. "write".
		action: &'static str,
		/// The file or directory it was done to.
		path: PathBuf,
		/// The underlying error.
		source: io::Error,
	},
}

/// Why [`verify_proof`] rejected a proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
	/// The parameters the proof is checked against are out of bounds.
	#[error("invalid dataset parameters: {0}")]
	InvalidParams(ParamsError),
	/// The proof's index is not below the number of leaves.
	#[error("the leaf index is out of range")]
	IndexOutOfRange,
	/// The proof's leaf, or its predecessor's, is not [`LEAF_BYTES`] long.
	#[error("a leaf does not have the leaf size")]
	BadLeafLength,
	/// The proof's path, or its predecessor's, does not have exactly `depth` siblings.
	#[error("a Merkle path does not have the tree's depth")]
	BadPathLength,
	/// The leaf has a predecessor in its lane, but the proof does not carry it.
	#[error("the proof lacks the leaf's predecessor")]
	MissingPrevious,
	/// The leaf is the first of its lane, but the proof carries a predecessor.
	#[error("the proof carries a predecessor for the first leaf of a lane")]
	UnexpectedPrevious,
	/// The leaf and its path do not hash to the root.
	#[error("the Merkle path does not lead to the root")]
	WrongRoot,
	/// The predecessor and its path do not hash to the root at the predecessor's index (another
	/// leaf's bytes, or another leaf's path).
	#[error("the predecessor is not the leaf at the predecessor's index")]
	WrongPrevious,
	/// The leaf is not the seal of its predecessor (or of its lane start) at its index.
	#[error("the leaf is not the sealed leaf at its index")]
	WrongLeaf,
}

/// A proof that a dataset holds leaf `index`: the leaf and its Merkle path, and the leaf's
/// predecessor in its lane with the predecessor's Merkle path.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug)]
pub struct StorageProof {
	/// The leaf index.
	pub index: u64,
	/// The leaf; [`LEAF_BYTES`] bytes in a valid proof.
	pub leaf: Vec<u8>,
	/// The siblings from the leaf level up to just below the root; `depth` of them in a valid
	/// proof (see the [module docs](self) for the order).
	pub path: Vec<Hash>,
	/// The predecessor, leaf [`predecessor`]`(index)`, and its path (laid out like `leaf` and
	/// `path`); `None` when the leaf is the first of its lane.
	pub previous: Option<(Vec<u8>, Vec<Hash>)>,
}

/// The start of lane `lane`: the 32 bytes the lane's first leaf is sealed from, in place of a
/// predecessor (see the [module docs](self)).
///
/// It does not check `params`' bounds (see [`DatasetParams::validate`]) nor that `lane` is below
/// `lanes`; an account longer than `u32::MAX` bytes has its length encoded as `u32::MAX`.
pub fn lane_start(params: &DatasetParams, lane: u32) -> [u8; 32] {
	params.seal_params().lane_start(lane)
}

/// The index of leaf `index`'s predecessor in its lane, `index - lanes`; `None` when the leaf is
/// the first of its lane (`index < lanes`). `lanes` 0 counts as 1; `index` is not checked against
/// `leaves`.
pub fn predecessor(params: &DatasetParams, index: u64) -> Option<u64> {
	params.seal_params().predecessor(index)
}

/// Seals leaf `index` of the dataset `params` describes from `previous`: the bytes of its
/// predecessor (leaf [`predecessor`]`(index)`, [`LEAF_BYTES`] long) or, for the first leaf of a
/// lane, the [`lane_start`] (see the [module docs](self)).
///
/// Costs `128 × max(seal_iterations, 1)` sequential BLAKE2b-256 hashes, plus one hash of
/// `previous`. It checks neither `params`' bounds (see [`DatasetParams::validate`]) nor that
/// `previous` is the right predecessor; a `previous` of any length other than [`LEAF_BYTES`] is
/// treated like a lane start (hashed into the initial state, not mixed into the blocks).
pub fn seal_leaf(params: &DatasetParams, index: u64, previous: &[u8]) -> Box<[u8; LEAF_BYTES]> {
	let mut leaf = Box::new([0u8; LEAF_BYTES]);
	seal_leaf_into(params, index, previous, leaf.as_mut_slice());
	leaf
}

/// Seals leaf `index` from `previous` into `out`, whose length must be [`LEAF_BYTES`] (a shorter
/// `out` receives only the blocks that fit; bytes past the last whole block are left untouched).
fn seal_leaf_into(params: &DatasetParams, index: u64, previous: &[u8], out: &mut [u8]) {
	// The dataset's own seed and account, not only the lane start: otherwise every leaf after the
	// first of its lane would be the same in two providers' datasets started from the same
	// leaves, and a copy of another provider's dataset would fail only at the lane starts.
	params.seal_params().seal_leaf_into(index, previous, out)
}

/// `count` leaf indices in `0..leaves` drawn from `nonce`: index `i` is
/// `u128_le(blake2b256(b"proof-of-sync/sample" ‖ nonce ‖ i as u64 LE)[..16]) mod leaves`
/// ([`seal::sample_index`], which the chain uses to ask for the same leaves in a storage audit).
///
/// Sampling is with replacement (an index may repeat). Reducing a 128-bit value modulo
/// `leaves ≤ 2^64` biases the distribution by less than 2^-64, which is negligible. `count` is
/// clamped to [`MAX_SAMPLES`]; `leaves == 0` gives no indices.
pub fn sample_indices(nonce: &[u8; 32], leaves: u64, count: usize) -> Vec<u64> {
	if leaves == 0 {
		return Vec::new();
	}
	// usize → u64 is lossless on every target this builds for.
	(0..count.min(MAX_SAMPLES) as u64)
		.map(|k| seal::sample_index(nonce, k, leaves))
		.collect()
}

/// Checks `proof` against the dataset `params` describes, whose Merkle root is `root`.
///
/// Costs one [`seal_leaf`] (128 × `seal_iterations` hashes, at most 2^23, plus one hash of the
/// 4 KiB predecessor) and `2 × (depth + 1)` hashes for the two paths. The seal comes last, so a
/// malformed proof costs no seal.
///
/// # Errors
///
/// In the order checked: [`ProofError::InvalidParams`] if `params` are out of bounds,
/// [`ProofError::IndexOutOfRange`] if `proof.index >= params.leaves`,
/// [`ProofError::BadLeafLength`] if the leaf is not [`LEAF_BYTES`] long,
/// [`ProofError::BadPathLength`] if its path does not have `depth` siblings,
/// [`ProofError::MissingPrevious`] or [`ProofError::UnexpectedPrevious`] if `proof.previous` is
/// `None` although the leaf has a [`predecessor`] or `Some` although it has none,
/// [`ProofError::BadLeafLength`] or [`ProofError::BadPathLength`] for the predecessor's leaf or
/// path, [`ProofError::WrongRoot`] if the leaf and its path do not hash to `root`,
/// [`ProofError::WrongPrevious`] if the predecessor and its path do not hash to `root` at the
/// predecessor's index, and [`ProofError::WrongLeaf`] if the leaf is not [`seal_leaf`] of the
/// predecessor (or of its [`lane_start`]).
pub fn verify_proof(
	params: &DatasetParams,
	root: &[u8; 32],
	proof: &StorageProof,
) -> Result<(), ProofError> {
	params.validate().map_err(ProofError::InvalidParams)?;
	let link = Link {
		index: proof.index,
		leaf: &proof.leaf,
		path: &proof.path,
		previous: proof.previous.as_ref().map(|(leaf, path)| (leaf.as_slice(), path.as_slice())),
	};
	check_link(&params.seal_params(), params.leaves, root, &link).map_err(ProofError::from)
}

impl From<LinkError> for ProofError {
	fn from(error: LinkError) -> Self {
		match error {
			LinkError::IndexOutOfRange => Self::IndexOutOfRange,
			LinkError::BadLeafLength => Self::BadLeafLength,
			LinkError::BadPathLength => Self::BadPathLength,
			LinkError::MissingPrevious => Self::MissingPrevious,
			LinkError::UnexpectedPrevious => Self::UnexpectedPrevious,
			LinkError::WrongRoot => Self::WrongRoot,
			LinkError::WrongPrevious => Self::WrongPrevious,
			LinkError::WrongLeaf => Self::WrongLeaf,
		}
	}
}

/// One level of the stored tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Level {
	/// The number of stored nodes: `ceil(leaves / 2^height)`.
	count: u64,
	/// The index of the level's first node in [`TREE_FILE`] (a node index, not a byte offset).
	first: u64,
}

/// The levels of the stored tree over `leaves` leaves, from the leaf hashes (index 0) to the root
/// (index `depth`), and the total number of stored nodes.
fn tree_levels(leaves: u64) -> (Vec<Level>, u64) {
	let depth = tree_depth(leaves);
	let mut levels = Vec::with_capacity(usize::try_from(depth).unwrap_or(0).saturating_add(1));
	let mut count = leaves;
	let mut first = 0u64;
	for _ in 0..=depth {
		levels.push(Level { count, first });
		first = first.saturating_add(count);
		count = count.div_ceil(2);
	}
	(levels, first)
}

/// The byte offset of node `node` (a node index) in [`TREE_FILE`].
fn node_offset(node: u64) -> u64 {
	node.saturating_mul(NODE_BYTES)
}

/// The byte offset of leaf `index` in [`LEAVES_FILE`].
fn leaf_offset(index: u64) -> u64 {
	index.saturating_mul(LEAF_BYTES as u64)
}

/// Maps an [`io::Error`] on `path` to a [`DatasetError::Io`].
fn io_error<'a>(
	action: &'static str,
	path: &'a Path,
) -> impl FnOnce(io::Error) -> DatasetError + 'a {
	move |source| DatasetError::Io { action, path: path.to_path_buf(), source }
}

/// The contents of [`PARAMS_FILE`].
#[derive(Encode, Decode)]
struct Manifest {
	version: u32,
	params: DatasetParams,
	root: Hash,
}

/// A sealed dataset on disk, ready to answer [`StorageProof`] requests.
///
/// Reads are positioned (`pread`), so a `Dataset` can serve proofs from several threads at once
/// through a shared reference.
#[derive(Debug)]
pub struct Dataset {
	dir: PathBuf,
	params: DatasetParams,
	root: Hash,
	levels: Vec<Level>,
	leaves_file: File,
	tree_file: File,
	built: bool,
}

impl Dataset {
	/// Opens the dataset in `dir` if it is complete and sealed with `params`; otherwise (missing,
	/// partial, corrupt, another format version or other parameters) builds it from scratch.
	///
	/// Opening checks the file sizes, that the stored root is the tree's last node, and that the
	/// first and last leaves prove against it (two leaf seals); it never reseals the dataset.
	///
	/// Building seals the leaves a batch at a time: batch `b` is leaves `b × lanes` up to
	/// `(b + 1) × lanes`, one leaf per lane, each sealed from its predecessor in batch `b - 1` (or
	/// from its lane start), so the leaves of a batch are sealed in parallel on rayon's current
	/// thread pool (run this inside `ThreadPool::install` to bound the cores it takes) and the
	/// batches in order. It keeps two batches in memory (at most 2 MiB of leaves), writes each
	/// batch in order, then builds the tree, syncs both files, and writes [`PARAMS_FILE`] last. It
	/// creates `dir` if needed and overwrites the three dataset files, leaving other files alone.
	/// It takes `leaves × 128 × seal_iterations` hashes of CPU, at least `ceil(leaves / lanes)`
	/// leaf seals of wall-clock time, and `data_bytes()` (+ under 2 % for the tree) of disk.
	///
	/// `progress` is called during a build only, on the calling thread, with the number of leaves
	/// sealed and written so far: after the batch that brings it [`BUILD_PROGRESS_LEAVES`] or more
	/// past the previous call, and after the last batch (the last call has `params.leaves`). It is
	/// never called when an existing dataset is opened.
	///
	/// # Errors
	///
	/// [`DatasetError::InvalidParams`] if `params` are out of bounds, [`DatasetError::Io`] if a
	/// build step fails (the directory is then left incomplete and the next call rebuilds it).
	pub fn open_or_build(
		dir: &Path,
		params: DatasetParams,
		progress: impl Fn(u64),
	) -> Result<Dataset, DatasetError> {
		params.validate()?;
		if let Some(dataset) = Self::try_open(dir, &params) {
			return Ok(dataset);
		}
		Self::build(dir, params, &progress)
	}

	/// The Merkle root of the dataset.
	pub fn root(&self) -> [u8; 32] {
		self.root
	}

	/// The parameters the dataset is sealed with.
	pub fn params(&self) -> &DatasetParams {
		&self.params
	}

	/// The directory the dataset lives in.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Whether [`Dataset::open_or_build`] built this dataset (true) or opened an existing one.
	pub fn built(&self) -> bool {
		self.built
	}

	/// A proof that the dataset holds leaf `index`: the leaf and its Merkle path, and its
	/// [`predecessor`] and the predecessor's path unless the leaf is the first of its lane, read
	/// from disk (at most two [`LEAF_BYTES`] reads and `2 × depth` 32-byte reads; no hashing beyond
	/// the padding hashes `Z(l)`).
	///
	/// # Errors
	///
	/// [`DatasetError::IndexOutOfRange`] if `index >= leaves`, [`DatasetError::Io`] if a read
	/// fails (e.g. a file was truncated since the dataset was opened).
	pub fn prove(&self, index: u64) -> Result<StorageProof, DatasetError> {
		if index >= self.params.leaves {
			return Err(DatasetError::IndexOutOfRange { index, leaves: self.params.leaves });
		}
		let (leaf, path) = self.read_leaf_and_path(index)?;
		let previous = match predecessor(&self.params, index) {
			Some(previous_index) => Some(self.read_leaf_and_path(previous_index)?),
			None => None,
		};
		Ok(StorageProof { index, leaf, path, previous })
	}

	/// Leaf `index` (below `leaves`) and its Merkle path, read from disk.
	fn read_leaf_and_path(&self, index: u64) -> Result<(Vec<u8>, Vec<Hash>), DatasetError> {
		let leaves_path = self.dir.join(LEAVES_FILE);
		let tree_path = self.dir.join(TREE_FILE);
		let mut leaf = vec![0u8; LEAF_BYTES];
		self.leaves_file
			.read_exact_at(&mut leaf, leaf_offset(index))
			.map_err(io_error("read a leaf from", &leaves_path))?;
		// Every level but the root's contributes one sibling.
		let below_root: &[Level] = match self.levels.split_last() {
			Some((_root, below)) => below,
			None => &[],
		};
		let mut path = Vec::with_capacity(below_root.len());
		let mut position = index;
		let mut padding = PADDING_HASH;
		for level in below_root {
			let sibling = position ^ 1;
			let hash = if sibling < level.count {
				let mut node = [0u8; 32];
				self.tree_file
					.read_exact_at(&mut node, node_offset(level.first.saturating_add(sibling)))
					.map_err(io_error("read a tree node from", &tree_path))?;
				node
			} else {
				padding
			};
			path.push(hash);
			position >>= 1;
			padding = node_hash(&padding, &padding);
		}
		Ok((leaf, path))
	}

	/// Opens the dataset in `dir` if it is complete and sealed with `params` (valid ones); `None`
	/// otherwise, including on any I/O error. Never builds: a node answering for a dataset it
	/// committed to earlier reopens it this way.
	pub fn open(dir: &Path, params: &DatasetParams) -> Option<Dataset> {
		params.validate().ok()?;
		Self::try_open(dir, params)
	}

	/// Opens the dataset in `dir` if it is complete and sealed with `params`; `None` otherwise,
	/// including on any I/O error (the caller then rebuilds).
	fn try_open(dir: &Path, params: &DatasetParams) -> Option<Dataset> {
		let params_path = dir.join(PARAMS_FILE);
		let params_len = fs::metadata(&params_path).ok()?.len();
		if params_len > MAX_PARAMS_FILE_BYTES {
			return None;
		}
		let encoded = fs::read(&params_path).ok()?;
		let manifest = Manifest::decode_all(&mut encoded.as_slice()).ok()?;
		if manifest.version != FORMAT_VERSION || manifest.params != *params {
			return None;
		}
		let (levels, total_nodes) = tree_levels(params.leaves);
		let leaves_file = File::open(dir.join(LEAVES_FILE)).ok()?;
		let tree_file = File::open(dir.join(TREE_FILE)).ok()?;
		if leaves_file.metadata().ok()?.len() != params.data_bytes() ||
			tree_file.metadata().ok()?.len() != node_offset(total_nodes)
		{
			return None;
		}
		let mut stored_root = [0u8; 32];
		tree_file
			.read_exact_at(&mut stored_root, node_offset(total_nodes.checked_sub(1)?))
			.ok()?;
		if stored_root != manifest.root {
			return None;
		}
		let dataset = Dataset {
			dir: dir.to_path_buf(),
			params: params.clone(),
			root: manifest.root,
			levels,
			leaves_file,
			tree_file,
			built: false,
		};
		let last = params.leaves.checked_sub(1)?;
		for index in [0, last] {
			let proof = dataset.prove(index).ok()?;
			verify_proof(params, &dataset.root, &proof).ok()?;
		}
		Some(dataset)
	}

	/// Builds the dataset in `dir` from scratch (see [`Dataset::open_or_build`]).
	fn build(
		dir: &Path,
		params: DatasetParams,
		progress: &impl Fn(u64),
	) -> Result<Dataset, DatasetError> {
		fs::create_dir_all(dir).map_err(io_error("create the dataset directory", dir))?;
		// The old manifest goes first: from here until the new one is in place, the directory is
		// incomplete whatever happens.
		let params_path = dir.join(PARAMS_FILE);
		remove_if_exists(&params_path)?;

		let leaves_path = dir.join(LEAVES_FILE);
		let tree_path = dir.join(TREE_FILE);
		let leaves_file = create_truncated(&leaves_path)?;
		let tree_file = create_truncated(&tree_path)?;
		let (levels, total_nodes) = tree_levels(params.leaves);

		// Seal the leaves and compute their hashes (tree level 0), a batch of one leaf per lane at
		// a time, each leaf from its predecessor in the batch before (the lane starts for the
		// first batch). The leaf hashes are written BUILD_PROGRESS_LEAVES or so at a time.
		let lanes = usize::try_from(params.lanes.max(1)).unwrap_or(1);
		let lane_starts: Vec<Hash> =
			(0..params.lanes).map(|lane| lane_start(&params, lane)).collect();
		let mut previous_batch: Vec<u8> = Vec::new();
		let mut pending_hashes: Vec<Hash> = Vec::new();
		let mut pending_start = 0u64;
		let mut start = 0u64;
		while start < params.leaves {
			let remaining = params.leaves.saturating_sub(start);
			let batch = usize::try_from(remaining).unwrap_or(lanes).min(lanes);
			let predecessors: Vec<&[u8]> = if start == 0 {
				lane_starts.iter().map(|hash| hash.as_slice()).collect()
			} else {
				previous_batch.chunks_exact(LEAF_BYTES).collect()
			};
			let mut leaves = vec![0u8; batch.saturating_mul(LEAF_BYTES)];
			let mut hashes = vec![[0u8; 32]; batch];
			leaves
				.par_chunks_mut(LEAF_BYTES)
				.zip(hashes.par_iter_mut())
				.zip(predecessors.par_iter())
				.enumerate()
				.for_each(|(k, ((leaf, hash), previous))| {
					let index = start.saturating_add(k as u64);
					seal_leaf_into(&params, index, previous, leaf);
					*hash = leaf_hash(leaf);
				});
			leaves_file
				.write_all_at(&leaves, leaf_offset(start))
				.map_err(io_error("write leaves to", &leaves_path))?;
			pending_hashes.extend_from_slice(&hashes);
			start = start.saturating_add(batch as u64);
			if pending_hashes.len() >= BUILD_PROGRESS_LEAVES || start >= params.leaves {
				tree_file
					.write_all_at(pending_hashes.as_flattened(), node_offset(pending_start))
					.map_err(io_error("write leaf hashes to", &tree_path))?;
				pending_hashes.clear();
				pending_start = start;
				progress(start);
			}
			drop(predecessors);
			previous_batch = leaves;
		}

		// Each level above from the one below, a batch of parents at a time.
		let mut padding = PADDING_HASH;
		for pair in levels.windows(2) {
			let [children, parents] = pair else { continue };
			let mut parent = 0u64;
			while parent < parents.count {
				let batch = parents.count.saturating_sub(parent).min(TREE_BATCH_PARENTS);
				let first_child = parent.saturating_mul(2);
				let child_count =
					children.count.saturating_sub(first_child).min(batch.saturating_mul(2));
				let mut child_bytes =
					vec![0u8; usize::try_from(node_offset(child_count)).unwrap_or(0)];
				tree_file
					.read_exact_at(
						&mut child_bytes,
						node_offset(children.first.saturating_add(first_child)),
					)
					.map_err(io_error("read tree nodes from", &tree_path))?;
				let parent_hashes: Vec<Hash> = child_bytes
					.par_chunks(2 * NODE_BYTES as usize)
					.map(|siblings| {
						if siblings.len() == 2 * NODE_BYTES as usize {
							blake2b256(&[NODE_PREFIX, siblings])
						} else {
							// The last node of an odd level: its right sibling is padding.
							blake2b256(&[NODE_PREFIX, siblings, padding.as_slice()])
						}
					})
					.collect();
				tree_file
					.write_all_at(
						parent_hashes.as_flattened(),
						node_offset(parents.first.saturating_add(parent)),
					)
					.map_err(io_error("write tree nodes to", &tree_path))?;
				parent = parent.saturating_add(batch);
			}
			padding = node_hash(&padding, &padding);
		}

		let mut root = [0u8; 32];
		tree_file
			.read_exact_at(&mut root, node_offset(total_nodes.saturating_sub(1)))
			.map_err(io_error("read the root from", &tree_path))?;
		leaves_file.sync_all().map_err(io_error("sync", &leaves_path))?;
		tree_file.sync_all().map_err(io_error("sync", &tree_path))?;

		// The manifest last, atomically.
		let manifest = Manifest { version: FORMAT_VERSION, params, root };
		let tmp_path = dir.join(PARAMS_TMP_FILE);
		{
			let tmp = create_truncated(&tmp_path)?;
			tmp.write_all_at(&manifest.encode(), 0).map_err(io_error("write", &tmp_path))?;
			tmp.sync_all().map_err(io_error("sync", &tmp_path))?;
		}
		fs::rename(&tmp_path, &params_path).map_err(io_error("rename into place", &params_path))?;
		// Best effort: make the rename durable. Some file systems refuse to sync a directory; the
		// manifest is then durable at the next sync, and a crash before it only causes a rebuild.
		if let Ok(dir_handle) = File::open(dir) {
			let _ = dir_handle.sync_all();
		}

		Ok(Dataset {
			dir: dir.to_path_buf(),
			params: manifest.params,
			root,
			levels,
			leaves_file,
			tree_file,
			built: true,
		})
	}
}

/// Creates (or truncates) `path` for reading and writing.
fn create_truncated(path: &Path) -> Result<File, DatasetError> {
	OpenOptions::new()
		.read(true)
		.write(true)
		.create(true)
		.truncate(true)
		.open(path)
		.map_err(io_error("create", path))
}

/// Removes the file `path`; a missing file is not an error.
fn remove_if_exists(path: &Path) -> Result<(), DatasetError> {
	match fs::remove_file(path) {
		Ok(()) => Ok(()),
		Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
		Err(error) => Err(io_error("remove", path)(error)),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use blake2::{digest::consts::U32, Blake2b, Digest};
	use std::cell::Cell;

	fn params(leaves: u64) -> DatasetParams {
		DatasetParams {
			account: vec![1u8; 32],
			seed: [9u8; 32],
			leaves,
			lanes: 3,
			seal_iterations: 2,
		}
	}

	/// The lane start written straight from the specification, with the hash crate used directly.
	fn reference_lane_start(params: &DatasetParams, lane: u32) -> [u8; 32] {
		let mut hasher = Blake2b::<U32>::new();
		hasher.update(b"proof-of-sync/dataset");
		hasher.update(params.seed);
		hasher.update((params.account.len() as u32).to_le_bytes());
		hasher.update(&params.account);
		hasher.update(lane.to_le_bytes());
		hasher.finalize().into()
	}

	/// The seal written straight from the specification, with the hash crate used directly.
	fn reference_seal(params: &DatasetParams, index: u64, previous: &[u8]) -> Vec<u8> {
		let previous_digest: [u8; 32] = Blake2b::<U32>::digest(previous).into();
		let mut hasher = Blake2b::<U32>::new();
		hasher.update(b"proof-of-sync/leaf");
		hasher.update(params.seed);
		hasher.update((params.account.len() as u32).to_le_bytes());
		hasher.update(&params.account);
		hasher.update(index.to_le_bytes());
		hasher.update(previous_digest);
		let mut state: [u8; 32] = hasher.finalize().into();
		let mut leaf = Vec::new();
		for j in 0u32..128 {
			let mixed: &[u8] = if previous.len() == LEAF_BYTES {
				let block = 127 - j as usize;
				&previous[block * 32..(block + 1) * 32]
			} else {
				&[]
			};
			for _ in 0..params.seal_iterations.max(1) {
				let mut hasher = Blake2b::<U32>::new();
				hasher.update(state);
				hasher.update(mixed);
				hasher.update(j.to_le_bytes());
				state = hasher.finalize().into();
			}
			leaf.extend_from_slice(&state);
		}
		leaf
	}

	/// Every leaf of the dataset `params` describes, sealed one after the other.
	fn all_leaves(params: &DatasetParams) -> Vec<Vec<u8>> {
		let mut leaves: Vec<Vec<u8>> = Vec::new();
		for index in 0..params.leaves {
			let leaf = match predecessor(params, index) {
				Some(previous) => seal_leaf(params, index, &leaves[previous as usize]),
				None => seal_leaf(params, index, &lane_start(params, params.lane(index))),
			};
			leaves.push(leaf.to_vec());
		}
		leaves
	}

	/// A proof of leaf 1 in a two-leaf, one-lane tree of `leaf0` and `leaf1`.
	fn second_leaf_proof(leaf0: &[u8], leaf1: &[u8]) -> StorageProof {
		StorageProof {
			index: 1,
			leaf: leaf1.to_vec(),
			path: vec![leaf_hash(leaf0)],
			previous: Some((leaf0.to_vec(), vec![leaf_hash(leaf1)])),
		}
	}

	/// Builds a dataset, counting the progress calls.
	fn build(dir: &Path, params: DatasetParams) -> (Dataset, u64) {
		let calls = Cell::new(0u64);
		let dataset =
			Dataset::open_or_build(dir, params, |_| calls.set(calls.get() + 1)).expect("builds");
		(dataset, calls.get())
	}

	#[test]
	fn seal_matches_the_specification() {
		let p = params(37);
		let start = lane_start(&p, 1);
		assert_eq!(start, reference_lane_start(&p, 1));
		let first = seal_leaf(&p, 1, &start);
		assert_eq!(first.to_vec(), reference_seal(&p, 1, &start));
		let second = seal_leaf(&p, 4, first.as_slice());
		assert_eq!(second.to_vec(), reference_seal(&p, 4, first.as_slice()));
		let far = seal_leaf(&p, 1000, second.as_slice());
		assert_eq!(far.to_vec(), reference_seal(&p, 1000, second.as_slice()));

		let zero = DatasetParams { seal_iterations: 0, ..p.clone() };
		let one = DatasetParams { seal_iterations: 1, ..p.clone() };
		assert_eq!(seal_leaf(&zero, 4, first.as_slice()), seal_leaf(&one, 4, first.as_slice()));
		assert_ne!(seal_leaf(&one, 4, first.as_slice()), seal_leaf(&p, 4, first.as_slice()));
		assert_ne!(seal_leaf(&p, 4, first.as_slice()), seal_leaf(&p, 5, first.as_slice()));

		// A lane start depends on the seed, the account and the lane only.
		assert_ne!(lane_start(&p, 0), lane_start(&p, 1));
		let resized = DatasetParams { leaves: 5, lanes: 7, seal_iterations: 9, ..p.clone() };
		assert_eq!(lane_start(&resized, 1), start);
		assert_ne!(lane_start(&DatasetParams { seed: [8u8; 32], ..p.clone() }, 1), start);
		assert_ne!(lane_start(&DatasetParams { account: vec![1u8; 31], ..p }, 1), start);
	}

	#[test]
	fn predecessors_and_lanes() {
		let p = params(37);
		assert_eq!(predecessor(&p, 0), None);
		assert_eq!(predecessor(&p, 2), None);
		assert_eq!(predecessor(&p, 3), Some(0));
		assert_eq!(predecessor(&p, 13), Some(10));
		assert_eq!(p.lane(13), 1);
		assert_eq!(p.lane(36), 0);
		let no_lanes = DatasetParams { lanes: 0, ..p.clone() };
		assert_eq!(predecessor(&no_lanes, 5), Some(4));
		assert_eq!(no_lanes.lane(5), 0);
		let most = DatasetParams { lanes: MAX_LANES, ..p };
		assert_eq!(most.lane(u64::MAX), MAX_LANES - 1);
		assert_eq!(predecessor(&most, 255), None);
		assert_eq!(predecessor(&most, 256), Some(0));
	}

	#[test]
	fn lanes_are_chains_and_independent_of_each_other() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(37);
		let (dataset, _) = build(dir.path(), p.clone());
		let stored: Vec<Vec<u8>> =
			(0..37).map(|index| dataset.prove(index).expect("proves").leaf).collect();
		assert_eq!(stored, all_leaves(&p));

		// Each lane, sealed on its own from nothing but its start, is the dataset's lane: the
		// other lanes do not enter it.
		for lane in 0..3u32 {
			let mut previous = lane_start(&p, lane).to_vec();
			for index in (u64::from(lane)..37).step_by(3) {
				let leaf = seal_leaf(&p, index, &previous).to_vec();
				assert_eq!(leaf, stored[index as usize], "leaf {index}");
				previous = leaf;
			}
		}
		assert_ne!(stored[0], stored[1]);

		// Changing leaf i - lanes anywhere changes leaf i, from its first block to its last.
		for byte in [0, 1, LEAF_BYTES / 2, LEAF_BYTES - 1] {
			let mut previous = stored[10].clone();
			previous[byte] ^= 1;
			let leaf = seal_leaf(&p, 13, &previous);
			assert_ne!(leaf[..BLOCK_BYTES], stored[13][..BLOCK_BYTES], "byte {byte}");
			assert_ne!(
				leaf[LEAF_BYTES - BLOCK_BYTES..],
				stored[13][LEAF_BYTES - BLOCK_BYTES..],
				"byte {byte}"
			);
		}
		// A leaf of another lane in place of the predecessor gives another leaf.
		assert_ne!(seal_leaf(&p, 13, &stored[11]).to_vec(), stored[13]);
	}

	#[test]
	fn depth_is_ceil_log2() {
		assert_eq!(tree_depth(0), 0);
		assert_eq!(tree_depth(1), 0);
		assert_eq!(tree_depth(2), 1);
		assert_eq!(tree_depth(3), 2);
		assert_eq!(tree_depth(4), 2);
		assert_eq!(tree_depth(5), 3);
		assert_eq!(tree_depth(37), 6);
		assert_eq!(tree_depth(64), 6);
		assert_eq!(tree_depth(65), 7);
		assert_eq!(tree_depth(1 << 32), 32);
		assert_eq!(tree_depth(u64::MAX), 64);
	}

	#[test]
	fn tree_levels_store_only_real_nodes() {
		let (levels, total) = tree_levels(37);
		let counts: Vec<u64> = levels.iter().map(|l| l.count).collect();
		assert_eq!(counts, vec![37, 19, 10, 5, 3, 2, 1]);
		assert_eq!(levels[1].first, 37);
		assert_eq!(total, 37 + 19 + 10 + 5 + 3 + 2 + 1);
		let (levels, total) = tree_levels(1);
		assert_eq!(levels, vec![Level { count: 1, first: 0 }]);
		assert_eq!(total, 1);
	}

	#[test]
	fn builds_proves_and_reopens_without_resealing() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(37);
		let (dataset, calls) = build(dir.path(), p.clone());
		assert!(dataset.built());
		assert!(calls >= 1);
		assert_eq!(dataset.params(), &p);
		let root = dataset.root();
		for index in 0..37 {
			let proof = dataset.prove(index).expect("proves");
			assert_eq!(proof.path.len(), 6);
			match &proof.previous {
				Some((leaf, path)) => {
					assert!(index >= 3, "leaf {index}");
					assert_eq!(leaf, &dataset.prove(index - 3).expect("proves").leaf);
					assert_eq!(path.len(), 6);
				},
				None => assert!(index < 3, "leaf {index}"),
			}
			assert_eq!(verify_proof(&p, &root, &proof), Ok(()), "leaf {index}");
		}
		assert!(matches!(
			dataset.prove(37),
			Err(DatasetError::IndexOutOfRange { index: 37, leaves: 37 })
		));
		drop(dataset);

		let (reopened, calls) = build(dir.path(), p.clone());
		assert!(!reopened.built());
		assert_eq!(calls, 0);
		assert_eq!(reopened.root(), root);
		let proof = reopened.prove(20).expect("proves");
		assert_eq!(verify_proof(&p, &root, &proof), Ok(()));
	}

	#[test]
	fn params_file_holds_the_format_version_and_the_params() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(5);
		let (dataset, _) = build(dir.path(), p.clone());
		let encoded = fs::read(dir.path().join(PARAMS_FILE)).expect("reads");
		let (version, stored, root) =
			<(u32, DatasetParams, Hash)>::decode_all(&mut encoded.as_slice()).expect("decodes");
		assert_eq!(version, 2);
		assert_eq!(FORMAT_VERSION, 2);
		assert_eq!(stored, p);
		assert_eq!(root, dataset.root());
		// The field order: account, seed, leaves, lanes, seal_iterations.
		let params_encoded = p.encode();
		assert_eq!(params_encoded.len(), 1 + 32 + 32 + 8 + 4 + 4);
		assert_eq!(params_encoded[params_encoded.len() - 8..], [3u8, 0, 0, 0, 2, 0, 0, 0]);
	}

	#[test]
	fn progress_reports_every_build_progress_leaves() {
		// 1027 leaves: lanes of 3 report after the batch that reaches 1026, lanes of 256 after
		// the one that reaches 1024; both report the end.
		for (lanes, expected) in [(3, vec![1026, 1027]), (256, vec![1024, 1027])] {
			let dir = tempfile::tempdir().expect("temp dir");
			let p = DatasetParams { lanes, ..params(BUILD_PROGRESS_LEAVES as u64 + 3) };
			let seen = std::cell::RefCell::new(Vec::new());
			let dataset =
				Dataset::open_or_build(dir.path(), p.clone(), |n| seen.borrow_mut().push(n))
					.expect("builds");
			assert_eq!(seen.into_inner(), expected, "{lanes} lanes");
			for index in [0, 1, 255, 256, 1023, 1024, 1025, 1026] {
				let proof = dataset.prove(index).expect("proves");
				assert_eq!(verify_proof(&p, &dataset.root(), &proof), Ok(()), "leaf {index}");
			}
		}
	}

	#[test]
	fn root_follows_the_padding_rule() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(3);
		let (dataset, _) = build(dir.path(), p.clone());
		let hashes: Vec<Hash> = all_leaves(&p).iter().map(|leaf| leaf_hash(leaf)).collect();
		let expected =
			node_hash(&node_hash(&hashes[0], &hashes[1]), &node_hash(&hashes[2], &PADDING_HASH));
		assert_eq!(dataset.root(), expected);
		let proof = dataset.prove(2).expect("proves");
		assert_eq!(proof.path, vec![PADDING_HASH, node_hash(&hashes[0], &hashes[1])]);

		// Five leaves: the right half is (leaf 4, padding) and a pure-padding pair Z(1).
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(5);
		let (dataset, _) = build(dir.path(), p.clone());
		let h: Vec<Hash> = all_leaves(&p).iter().map(|leaf| leaf_hash(leaf)).collect();
		let z1 = node_hash(&PADDING_HASH, &PADDING_HASH);
		let left = node_hash(&node_hash(&h[0], &h[1]), &node_hash(&h[2], &h[3]));
		let right = node_hash(&node_hash(&h[4], &PADDING_HASH), &z1);
		assert_eq!(dataset.root(), node_hash(&left, &right));
		let proof = dataset.prove(4).expect("proves");
		assert_eq!(proof.path, vec![PADDING_HASH, z1, left]);
		// Leaf 4's predecessor is leaf 1.
		let (previous, previous_path) = proof.previous.clone().expect("has a predecessor");
		assert_eq!(leaf_hash(&previous), h[1]);
		assert_eq!(previous_path, vec![h[0], node_hash(&h[2], &h[3]), right]);
		assert_eq!(verify_proof(&p, &dataset.root(), &proof), Ok(()));
	}

	#[test]
	fn single_leaf_dataset_has_an_empty_path() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(1);
		let (dataset, _) = build(dir.path(), p.clone());
		assert_eq!(dataset.root(), leaf_hash(seal_leaf(&p, 0, &lane_start(&p, 0)).as_slice()));
		let proof = dataset.prove(0).expect("proves");
		assert!(proof.path.is_empty());
		assert_eq!(proof.previous, None);
		assert_eq!(verify_proof(&p, &dataset.root(), &proof), Ok(()));
	}

	#[test]
	fn more_lanes_than_leaves_leaves_no_chains() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = DatasetParams { lanes: 8, ..params(5) };
		let (dataset, _) = build(dir.path(), p.clone());
		for index in 0..5 {
			let proof = dataset.prove(index).expect("proves");
			assert_eq!(proof.previous, None);
			let lane = u32::try_from(index).expect("small");
			assert_eq!(proof.leaf, seal_leaf(&p, index, &lane_start(&p, lane)).to_vec());
			assert_eq!(verify_proof(&p, &dataset.root(), &proof), Ok(()));
		}
	}

	#[test]
	fn zero_leaves_is_an_error() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(0);
		assert!(matches!(
			Dataset::open_or_build(dir.path(), p.clone(), |_| {}),
			Err(DatasetError::InvalidParams(ParamsError::NoLeaves))
		));
		let proof =
			StorageProof { index: 0, leaf: vec![0; LEAF_BYTES], path: vec![], previous: None };
		assert_eq!(
			verify_proof(&p, &[0; 32], &proof),
			Err(ProofError::InvalidParams(ParamsError::NoLeaves))
		);
	}

	#[test]
	fn out_of_bounds_params_are_rejected() {
		let mut p = params(MAX_LEAVES + 1);
		assert!(matches!(p.validate(), Err(ParamsError::TooManyLeaves { .. })));
		p.leaves = 1;
		p.lanes = 0;
		assert_eq!(p.validate(), Err(ParamsError::NoLanes));
		p.lanes = MAX_LANES + 1;
		assert_eq!(p.validate(), Err(ParamsError::TooManyLanes { lanes: 257, max: 256 }));
		p.lanes = MAX_LANES;
		p.account = vec![0; MAX_ACCOUNT_BYTES + 1];
		assert!(matches!(p.validate(), Err(ParamsError::AccountTooLong { .. })));
		p.account = vec![0; MAX_ACCOUNT_BYTES];
		p.seal_iterations = MAX_SEAL_ITERATIONS + 1;
		assert!(matches!(p.validate(), Err(ParamsError::TooManySealIterations { .. })));
		p.seal_iterations = MAX_SEAL_ITERATIONS;
		assert_eq!(p.validate(), Ok(()));

		let dir = tempfile::tempdir().expect("temp dir");
		let no_lanes = DatasetParams { lanes: 0, ..params(4) };
		assert!(matches!(
			Dataset::open_or_build(dir.path(), no_lanes.clone(), |_| {}),
			Err(DatasetError::InvalidParams(ParamsError::NoLanes))
		));
		let proof =
			StorageProof { index: 0, leaf: vec![0; LEAF_BYTES], path: vec![], previous: None };
		assert_eq!(
			verify_proof(&no_lanes, &[0; 32], &proof),
			Err(ProofError::InvalidParams(ParamsError::NoLanes))
		);
	}

	#[test]
	fn tampered_proofs_fail_with_the_right_error() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(37);
		let (dataset, _) = build(dir.path(), p.clone());
		let root = dataset.root();
		let good = dataset.prove(13).expect("proves");
		assert_eq!(verify_proof(&p, &root, &good), Ok(()));

		let mut bad = good.clone();
		bad.index = 37;
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::IndexOutOfRange));
		bad.index = u64::MAX;
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::IndexOutOfRange));

		// Another index: the path no longer leads to the root there.
		let mut bad = good.clone();
		bad.index = 14;
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongRoot));
		// A first leaf of a lane takes no predecessor.
		bad.index = 1;
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::UnexpectedPrevious));

		let mut bad = good.clone();
		bad.leaf.pop();
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::BadLeafLength));
		let mut bad = good.clone();
		bad.leaf.push(0);
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::BadLeafLength));

		for byte in [0, 1, LEAF_BYTES - 1] {
			let mut bad = good.clone();
			bad.leaf[byte] ^= 1;
			assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongRoot));
		}

		let mut bad = good.clone();
		bad.path.pop();
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::BadPathLength));
		let mut bad = good.clone();
		bad.path.push([0; 32]);
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::BadPathLength));

		for level in 0..good.path.len() {
			let mut bad = good.clone();
			bad.path[level][31] ^= 0x80;
			assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongRoot));
		}
		let mut bad = good.clone();
		bad.path.swap(0, 1);
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongRoot));

		let mut other_root = root;
		other_root[0] ^= 1;
		assert_eq!(verify_proof(&p, &other_root, &good), Err(ProofError::WrongRoot));

		// The SCALE encoding round-trips, with and without a predecessor.
		let decoded = StorageProof::decode(&mut good.encode().as_slice()).expect("decodes");
		assert_eq!(decoded, good);
		let first = dataset.prove(2).expect("proves");
		assert_eq!(first.previous, None);
		let decoded = StorageProof::decode(&mut first.encode().as_slice()).expect("decodes");
		assert_eq!(decoded, first);
	}

	#[test]
	fn a_wrong_predecessor_fails() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(37);
		let (dataset, _) = build(dir.path(), p.clone());
		let root = dataset.root();
		// Leaf 13's predecessor is leaf 10.
		let good = dataset.prove(13).expect("proves");
		let (previous, previous_path) = good.previous.clone().expect("has a predecessor");
		assert_eq!(verify_proof(&p, &root, &good), Ok(()));

		let mut bad = good.clone();
		bad.previous = None;
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::MissingPrevious));

		let mut short = previous.clone();
		short.pop();
		bad.previous = Some((short, previous_path.clone()));
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::BadLeafLength));
		let mut long_path = previous_path.clone();
		long_path.push([0; 32]);
		bad.previous = Some((previous.clone(), long_path));
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::BadPathLength));

		// Another leaf's bytes with the predecessor's path.
		for other in [11, 7, 13] {
			let other_leaf = dataset.prove(other).expect("proves").leaf;
			bad.previous = Some((other_leaf, previous_path.clone()));
			assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongPrevious), "{other}");
		}
		// A valid leaf and path of another index (leaf 7, in the same lane).
		let other = dataset.prove(7).expect("proves");
		bad.previous = Some((other.leaf, other.path));
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongPrevious));
		// A tampered predecessor or predecessor path.
		for byte in [0, LEAF_BYTES - 1] {
			let mut tampered = previous.clone();
			tampered[byte] ^= 1;
			bad.previous = Some((tampered, previous_path.clone()));
			assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongPrevious));
		}
		for level in 0..previous_path.len() {
			let mut tampered = previous_path.clone();
			tampered[level][0] ^= 1;
			bad.previous = Some((previous.clone(), tampered));
			assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::WrongPrevious));
		}

		// The first leaf of a lane with a predecessor attached.
		let mut bad = dataset.prove(1).expect("proves");
		bad.previous = Some((previous, previous_path));
		assert_eq!(verify_proof(&p, &root, &bad), Err(ProofError::UnexpectedPrevious));
	}

	#[test]
	fn a_committed_leaf_that_is_not_sealed_from_its_predecessor_fails() {
		let p = DatasetParams { lanes: 1, ..params(2) };
		let leaf0 = seal_leaf(&p, 0, &lane_start(&p, 0)).to_vec();
		let leaf1 = seal_leaf(&p, 1, &leaf0).to_vec();
		let root = node_hash(&leaf_hash(&leaf0), &leaf_hash(&leaf1));
		assert_eq!(verify_proof(&p, &root, &second_leaf_proof(&leaf0, &leaf1)), Ok(()));

		// A tree over a leaf that is not the seal of its predecessor.
		let cheap = vec![7u8; LEAF_BYTES];
		let root = node_hash(&leaf_hash(&leaf0), &leaf_hash(&cheap));
		let proof = second_leaf_proof(&leaf0, &cheap);
		assert_eq!(verify_proof(&p, &root, &proof), Err(ProofError::WrongLeaf));

		// A chain restarted from a cheap leaf: the leaf after the break passes (the verifier
		// trusts the predecessor to the root), the break itself does not.
		let resealed = seal_leaf(&p, 1, &cheap).to_vec();
		let root = node_hash(&leaf_hash(&cheap), &leaf_hash(&resealed));
		assert_eq!(verify_proof(&p, &root, &second_leaf_proof(&cheap, &resealed)), Ok(()));
		let proof = StorageProof {
			index: 0,
			leaf: cheap,
			path: vec![leaf_hash(&resealed)],
			previous: None,
		};
		assert_eq!(verify_proof(&p, &root, &proof), Err(ProofError::WrongLeaf));
	}

	#[test]
	fn proofs_do_not_verify_under_other_params() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(37);
		let (dataset, _) = build(dir.path(), p.clone());
		// Leaf 5's predecessor is leaf 2, the first of lane 2.
		let proof = dataset.prove(5).expect("proves");
		let root = dataset.root();
		assert_eq!(verify_proof(&p, &root, &proof), Ok(()));

		let other_account = DatasetParams { account: vec![2u8; 32], ..p.clone() };
		assert_eq!(verify_proof(&other_account, &root, &proof), Err(ProofError::WrongLeaf));
		let other_seed = DatasetParams { seed: [8u8; 32], ..p.clone() };
		assert_eq!(verify_proof(&other_seed, &root, &proof), Err(ProofError::WrongLeaf));
		let other_cost = DatasetParams { seal_iterations: 3, ..p.clone() };
		assert_eq!(verify_proof(&other_cost, &root, &proof), Err(ProofError::WrongLeaf));
		let other_size = DatasetParams { leaves: 100, ..p.clone() };
		assert_eq!(verify_proof(&other_size, &root, &proof), Err(ProofError::BadPathLength));
		// Other lanes put the predecessor elsewhere, or nowhere.
		for lanes in [2, 4, 5] {
			let other_lanes = DatasetParams { lanes, ..p.clone() };
			assert_eq!(
				verify_proof(&other_lanes, &root, &proof),
				Err(ProofError::WrongPrevious),
				"{lanes} lanes"
			);
		}
		let other_lanes = DatasetParams { lanes: 6, ..p.clone() };
		assert_eq!(verify_proof(&other_lanes, &root, &proof), Err(ProofError::UnexpectedPrevious));
		let first = dataset.prove(1).expect("proves");
		let one_lane = DatasetParams { lanes: 1, ..p.clone() };
		assert_eq!(verify_proof(&one_lane, &root, &first), Err(ProofError::MissingPrevious));
	}

	#[test]
	fn other_params_rebuild_the_directory() {
		let dir = tempfile::tempdir().expect("temp dir");
		let p = params(37);
		let (first, _) = build(dir.path(), p.clone());
		let root = first.root();
		drop(first);

		let other = DatasetParams { seed: [8u8; 32], ..p.clone() };
		let (rebuilt, calls) = build(dir.path(), other.clone());
		assert!(rebuilt.built());
		assert!(calls >= 1);
		assert_ne!(rebuilt.root(), root);
		let proof = rebuilt.prove(3).expect("proves");
		assert_eq!(verify_proof(&other, &rebuilt.root(), &proof), Ok(()));
		assert_eq!(verify_proof(&p, &root, &proof), Err(ProofError::WrongRoot));
		drop(rebuilt);

		// Other lanes: another dataset too.
		let other_lanes = DatasetParams { lanes: 4, ..p.clone() };
		let (rebuilt, calls) = build(dir.path(), other_lanes.clone());
		assert!(rebuilt.built());
		assert!(calls >= 1);
		assert_ne!(rebuilt.root(), root);
		let proof = rebuilt.prove(30).expect("proves");
		assert_eq!(verify_proof(&other_lanes, &rebuilt.root(), &proof), Ok(()));
		drop(rebuilt);

		// Back to the first parameters: rebuilt again, to the first root.
		let (again, calls) = build(dir.path(), p.clone());
		assert!(again.built());
		assert!(calls >= 1);
		assert_eq!(again.root(), root);
	}

	#[test]
	fn partial_directories_are_rebuilt() {
		let p = params(37);
		let reference = {
			let dir = tempfile::tempdir().expect("temp dir");
			build(dir.path(), p.clone()).0.root()
		};
		let damages: [fn(&Path); 7] = [
			// No manifest: a build that crashed before its end.
			|dir| fs::remove_file(dir.join(PARAMS_FILE)).expect("removes"),
			// A truncated leaves file.
			|dir| {
				let file =
					OpenOptions::new().write(true).open(dir.join(LEAVES_FILE)).expect("opens");
				file.set_len(10 * LEAF_BYTES as u64).expect("truncates");
			},
			// A missing tree file.
			|dir| fs::remove_file(dir.join(TREE_FILE)).expect("removes"),
			// A corrupt first leaf of the right length.
			|dir| {
				let file =
					OpenOptions::new().write(true).open(dir.join(LEAVES_FILE)).expect("opens");
				file.write_all_at(&[0xff; 16], 0).expect("writes");
			},
			// A corrupt root.
			|dir| {
				let (_, total) = tree_levels(37);
				let file = OpenOptions::new().write(true).open(dir.join(TREE_FILE)).expect("opens");
				file.write_all_at(&[0xff; 4], node_offset(total - 1)).expect("writes");
			},
			// A garbage manifest.
			|dir| fs::write(dir.join(PARAMS_FILE), b"garbage").expect("writes"),
			// A manifest of the previous format version.
			|dir| {
				let path = dir.join(PARAMS_FILE);
				let encoded = fs::read(&path).expect("reads");
				let mut manifest = Manifest::decode_all(&mut encoded.as_slice()).expect("decodes");
				manifest.version = 1;
				fs::write(&path, manifest.encode()).expect("writes");
			},
		];
		for (case, damage) in damages.iter().enumerate() {
			let dir = tempfile::tempdir().expect("temp dir");
			drop(build(dir.path(), p.clone()));
			damage(dir.path());
			let (dataset, calls) = build(dir.path(), p.clone());
			assert!(dataset.built(), "case {case}");
			assert!(calls >= 1, "case {case}");
			assert_eq!(dataset.root(), reference, "case {case}");
			drop(dataset);
			let (reopened, calls) = build(dir.path(), p.clone());
			assert!(!reopened.built(), "case {case}");
			assert_eq!(calls, 0, "case {case}");
		}
	}

	#[test]
	fn an_empty_or_missing_directory_is_built() {
		let dir = tempfile::tempdir().expect("temp dir");
		let nested = dir.path().join("a").join("b");
		let (dataset, calls) = build(&nested, params(2));
		assert!(dataset.built());
		assert_eq!(calls, 1);
		assert!(nested.join(PARAMS_FILE).is_file());
		assert!(!nested.join(PARAMS_TMP_FILE).exists());
	}

	#[test]
	fn samples_are_deterministic_and_in_range() {
		let nonce = [5u8; 32];
		let a = sample_indices(&nonce, 37, 200);
		assert_eq!(a.len(), 200);
		assert!(a.iter().all(|&i| i < 37));
		assert_eq!(a, sample_indices(&nonce, 37, 200));
		assert_ne!(a, sample_indices(&[6u8; 32], 37, 200));
		// The probe's hash stream in the sample domain, as nodes drew samples before the chain
		// learnt to draw them (`seal::sample_index`) for storage audits.
		let mut stream = crate::HashRng::new(b"proof-of-sync/sample", &nonce);
		assert_eq!(a, (0..200).map(|_| stream.below(37)).collect::<Vec<_>>());
		// Spread: 200 draws from 37 hit most of them.
		let mut seen = a.clone();
		seen.sort_unstable();
		seen.dedup();
		assert!(seen.len() > 25, "only {} distinct", seen.len());
		// A prefix of a longer draw.
		assert_eq!(sample_indices(&nonce, 37, 10), a[..10].to_vec());
		assert!(sample_indices(&nonce, 1, 50).iter().all(|&i| i == 0));
		assert!(sample_indices(&nonce, 0, 50).is_empty());
		assert_eq!(sample_indices(&nonce, u64::MAX, MAX_SAMPLES + 10).len(), MAX_SAMPLES);
	}
}
