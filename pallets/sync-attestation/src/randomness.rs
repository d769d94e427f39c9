//! Block randomness that no block author can choose: each block's author proves, with a VRF of
//! its Aura key, an output it could not have picked, and the chain folds it into the randomness
//! that decides the next block's challenges and, at a round's start, the round seed.
//!
//! **What the author signs.** The VRF input is [`block_vrf_transcript`]: this chain's genesis
//! hash, the block's slot and its number. An sr25519 VRF has one output per key and input, so an
//! author gets one output for its block however often it signs, and a fork of the same height
//! and slot gets the same output too: re-signing the seal (which does change the block hash)
//! buys nothing.
//!
//! **How it is folded.** `R(b) = blake2_256(R(b - 1) ‖ VRF output of b)` when block `b` carries
//! the author's VRF ([`Call::note_block_vrf`], an inherent the node adds when it authors), and
//! `R(b) = blake2_256(R(b - 1) ‖ b)` when it does not. Block `b` challenges provider `p` when
//! `blake2_256(R(b - 1) ‖ b ‖ p)` is below the round's odds, so a challenge is known once its
//! parent block is built, and not before. `R(0)` is fixed at genesis.
//!
//! **What bias is left.** A block's author knows its own VRF output before it publishes, so it
//! knows the challenges of the block after its own one block early (nobody else does). It cannot
//! search among many values, as it could with the parent hash (an Aura author can re-sign its
//! seal for as many block hashes as it likes); its levers are all forms of withholding, each
//! giving it one more value to pick from:
//! - leave its VRF out, or send one that does not verify: the block takes the fallback;
//! - not publish its block: the next slot's author's output counts instead (that author's, not its
//!   own, and it loses the block);
//! - build on an older block: another height, so another VRF input (its block then competes with
//!   the longer chain and usually loses).
//!
//! An author with `k` slots in a row can combine these into about `2^k` candidate values for the
//! block after the run. What a pick buys is bounded: it steers which providers the next block
//! challenges, worth at most one expected round's points to each of its own providers it lands
//! on; validator candidates are challenged at a fixed rate, and their seats rank only points
//! earned as candidates. The first block of a round, where pallet-session may change the Aura
//! authorities before the inherent runs, takes the fallback whatever its author sends.
//!
//! Randomness is kept for the last `RoundLength + 1` blocks (enough for every challenge of the
//! round in progress, its first block's parent included, until the round's last block) and
//! pruned one block at a time in `on_finalize`: O(1) a block.

use crate::{pallet::*, types::*};
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::sr25519::vrf::{VrfPreOutput, VrfProof, VrfSignData, VrfSignature, VrfTranscript};
use sp_io::hashing::blake2_256;
use sp_runtime::traits::{One, Saturating, Zero};

/// The VRF transcript label of the block randomness.
pub const BLOCK_VRF_LABEL: &[u8] = b"proof-of-sync/block-vrf";

/// The context the VRF output bytes are made with.
pub const BLOCK_VRF_CONTEXT: &[u8] = b"proof-of-sync/block-randomness";

/// The randomness the chain starts from, `R(0)`.
pub const GENESIS_RANDOMNESS_TAG: &[u8] = b"proof-of-sync/genesis-randomness";

/// The VRF input an author signs for its block: the chain's genesis hash, the block's slot and
/// the block's number. The node (when it authors) and the runtime (when it checks) build it
/// with this one function.
pub fn block_vrf_transcript(genesis_hash: &[u8], slot: u64, number: u64) -> VrfTranscript {
	VrfTranscript::new(
		BLOCK_VRF_LABEL,
		&[
			(b"genesis", genesis_hash),
			(b"slot", &slot.to_le_bytes()),
			(b"number", &number.to_le_bytes()),
		],
	)
}

impl BlockVrf {
	/// The VRF signature this carries, if its bytes are a valid pre-output and proof.
	pub fn signature(&self) -> Option<VrfSignature> {
		let pre_output = VrfPreOutput::decode(&mut &self.pre_output[..]).ok()?;
		let proof = VrfProof::decode(&mut &self.proof[..]).ok()?;
		Some(VrfSignature { pre_output, proof })
	}

	/// The bytes of `signature`, as the inherent carries them.
	pub fn from_signature(signature: &VrfSignature) -> Self {
		let mut pre_output = [0u8; 32];
		pre_output.copy_from_slice(&signature.pre_output.encode()[..32]);
		let mut proof = [0u8; 64];
		proof.copy_from_slice(&signature.proof.encode()[..64]);
		Self { pre_output, proof }
	}
}

impl<T: Config> Pallet<T> {
	/// The randomness after block `block`, `R(block)`, if it is still kept (the last
	/// `RoundLength + 1` blocks, and the current block once its VRF was noted).
	pub fn randomness_after(block: BlockNumberFor<T>) -> Option<[u8; 32]> {
		Randomness::<T>::get(block)
	}

	/// `R(0)`: the randomness the chain starts from.
	pub(crate) fn genesis_randomness() -> [u8; 32] {
		GENESIS_RANDOMNESS_TAG.using_encoded(blake2_256)
	}

	/// `R(block)` when `block` carries no VRF: `blake2_256(R(block - 1) ‖ block)`.
	pub fn fallback_randomness(previous: &[u8; 32], block: BlockNumberFor<T>) -> [u8; 32] {
		(previous, block).using_encoded(blake2_256)
	}

	/// Checks the author's VRF for the block being built and folds its output into the block's
	/// randomness. The dispatch of [`Call::note_block_vrf`].
	pub(crate) fn do_note_block_vrf(vrf: BlockVrf) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(!Randomness::<T>::contains_key(now), Error::<T>::BlockVrfNoted);
		// The first block of a round: pallet-session may have changed the Aura authorities
		// before this runs, so the slot's author cannot be told. It takes the fallback value.
		if CurrentRound::<T>::get().is_some_and(|round| round.start == now) {
			return Ok(())
		}
		// A VRF that does not verify counts as none: the block takes the fallback. Refusing it
		// would buy nothing (leaving it out is allowed) and would halt block production if node
		// and runtime ever disagreed on the input, for example across a runtime upgrade.
		let Some(output) = Self::verified_output(&vrf, now) else {
			log::warn!(
				target: crate::LOG_TARGET,
				"block {now:?}: the author's VRF does not verify; the block takes the fallback"
			);
			return Ok(())
		};
		let previous = Self::randomness_before(now);
		Randomness::<T>::insert(now, (previous, output).using_encoded(blake2_256));
		Ok(())
	}

	/// The VRF output `vrf` proves for block `now`, if it is the Aura key of the block's slot
	/// over this chain's genesis hash, the slot and `now`.
	fn verified_output(vrf: &BlockVrf, now: BlockNumberFor<T>) -> Option<[u8; 32]> {
		let key = T::BlockAuthor::key()?;
		let signature = vrf.signature()?;
		let number: u64 = now.try_into().ok()?;
		let transcript =
			block_vrf_transcript(Self::genesis_hash().as_ref(), T::BlockAuthor::slot(), number);
		let sign_data = VrfSignData::new(transcript.clone());
		if !sp_core::crypto::VrfPublic::vrf_verify(&key, &sign_data, &signature) {
			return None
		}
		key.make_bytes(BLOCK_VRF_CONTEXT, &transcript, &signature.pre_output).ok()
	}

	/// `R(block - 1)`, the randomness `block` starts from; `R(0)` if it is not kept (never on a
	/// running chain: every block's `on_finalize` stores its own).
	pub(crate) fn randomness_before(block: BlockNumberFor<T>) -> [u8; 32] {
		block
			.checked_sub(&One::one())
			.and_then(Randomness::<T>::get)
			.unwrap_or_else(Self::genesis_randomness)
	}

	/// Completes block `now`'s randomness if its author sent no VRF, and forgets the randomness
	/// of the block `RoundLength + 1` blocks before it. O(1).
	pub(crate) fn finalize_randomness(now: BlockNumberFor<T>) {
		if !Randomness::<T>::contains_key(now) {
			let previous = Self::randomness_before(now);
			Randomness::<T>::insert(now, Self::fallback_randomness(&previous, now));
		}
		let keep: BlockNumberFor<T> = T::RoundLength::get();
		if now > keep {
			Randomness::<T>::remove(now.saturating_sub(keep).saturating_sub(One::one()));
		}
	}

	/// Stores `R(0)` at genesis.
	pub(crate) fn genesis_randomness_init() {
		Randomness::<T>::insert(BlockNumberFor::<T>::zero(), Self::genesis_randomness());
	}
}

/// The VRF the benchmark of `note_block_vrf` applies. The runtime cannot sign a VRF, so it was
/// made once outside it; `tests::randomness::the_benchmark_vrf_verifies` checks it.
#[cfg(any(test, feature = "runtime-benchmarks"))]
pub(crate) mod benchmark {
	use crate::BlockVrf;

	/// A VRF of the sr25519 key with seed `[7; 32]` ([`BENCHMARK_VRF_AUTHOR`]) over
	/// `block_vrf_transcript(BENCHMARK_VRF_GENESIS, BENCHMARK_VRF_SLOT, BENCHMARK_VRF_NUMBER)`.
	pub(crate) const BENCHMARK_VRF: BlockVrf =
		BlockVrf { pre_output: BENCHMARK_VRF_PRE_OUTPUT, proof: BENCHMARK_VRF_PROOF };
	/// The public key of the seed `[7; 32]`.
	pub(crate) const BENCHMARK_VRF_AUTHOR: [u8; 32] = [
		0x7c, 0x0f, 0x46, 0x9d, 0x3b, 0xd3, 0x40, 0xba, 0xe7, 0x18, 0x20, 0x3f, 0xa3, 0x0c, 0xa0,
		0x71, 0xa5, 0xe3, 0x7c, 0x75, 0x1e, 0x89, 0x1d, 0xbd, 0xed, 0x83, 0x7b, 0x21, 0x3d, 0x45,
		0xd9, 0x1d,
	];
	/// The VRF's pre-output and proof (`the_benchmark_vrf_verifies` prints fresh ones).
	pub(crate) const BENCHMARK_VRF_PRE_OUTPUT: [u8; 32] = [
		0xc6, 0xa5, 0x8e, 0xd3, 0x17, 0xca, 0x86, 0x38, 0xa5, 0xbd, 0x54, 0xb5, 0xd1, 0xc6, 0xc1,
		0xe5, 0x23, 0x70, 0x5a, 0x81, 0x1a, 0x76, 0xe0, 0xe4, 0x3e, 0x10, 0xf6, 0x0c, 0x81, 0x52,
		0x85, 0x55,
	];
	pub(crate) const BENCHMARK_VRF_PROOF: [u8; 64] = [
		0x61, 0x93, 0x1c, 0xd1, 0xd3, 0x2a, 0xec, 0xf6, 0xb7, 0xab, 0x6f, 0xc9, 0xe3, 0x15, 0xcc,
		0x04, 0x58, 0xde, 0xfc, 0x76, 0x37, 0x19, 0xc0, 0x49, 0x6f, 0xb6, 0xee, 0x54, 0x95, 0xf2,
		0x11, 0x05, 0x09, 0xdd, 0xf6, 0x55, 0xac, 0x06, 0x49, 0x0f, 0x77, 0xf7, 0x8c, 0xfb, 0x52,
		0x6b, 0x64, 0x77, 0x99, 0xd2, 0x54, 0xba, 0xa7, 0xfa, 0xa9, 0xcf, 0x4f, 0x99, 0x2a, 0x4e,
		0x4a, 0x0e, 0x81, 0x0d,
	];
	pub(crate) const BENCHMARK_VRF_GENESIS: [u8; 32] = [0x42; 32];
	pub(crate) const BENCHMARK_VRF_SLOT: u64 = 1_000;
	pub(crate) const BENCHMARK_VRF_NUMBER: u32 = 1_000_001;
}
