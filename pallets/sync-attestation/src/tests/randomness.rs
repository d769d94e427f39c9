//! Block randomness from the author's VRF: what an author can and cannot choose.

use super::*;
use crate::{randomness::block_vrf_transcript, BlockVrf, Error, Randomness};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use sp_core::{
	crypto::{Pair as _, VrfSecret},
	sr25519::{self, vrf::VrfSignData},
};

/// The author's VRF for block `number` at `slot` on the mock chain.
fn vrf_of(author: &sr25519::Pair, slot: u64, number: u64) -> BlockVrf {
	let genesis = frame_system::Pallet::<Test>::block_hash(0);
	let transcript = block_vrf_transcript(genesis.as_ref(), slot, number);
	BlockVrf::from_signature(&author.vrf_sign(&VrfSignData::new(transcript)))
}

fn note(vrf: BlockVrf) -> sp_runtime::DispatchResult {
	SyncAttestation::note_block_vrf(RuntimeOrigin::none(), vrf)
}

/// Block 5 of round 0 being built, authored by `author` at slot 50.
fn building_block_5(author: &sr25519::Pair) {
	run_to_block(5);
	AuthorKey::set(Some(author.public()));
	BlockSlot::set(50);
}

#[test]
fn the_authors_vrf_makes_the_block_randomness() {
	builder().build_and_execute(|| {
		let author = pair(1);
		building_block_5(&author);
		let before = SyncAttestation::randomness_after(4).unwrap();
		assert_ok!(note(vrf_of(&author, 50, 5)));
		let with_vrf = SyncAttestation::randomness_after(5).unwrap();
		assert_ne!(with_vrf, SyncAttestation::fallback_randomness(&before, 5));
		// `on_finalize` keeps it.
		SyncAttestation::on_finalize(5);
		assert_eq!(SyncAttestation::randomness_after(5), Some(with_vrf));
	});
}

/// The attack: an author signs its block's VRF again and again (a VRF proof is randomized, like
/// the seal) hoping for other randomness. A VRF has one output per key and input.
#[test]
fn an_author_cannot_grind_the_block_randomness() {
	let randomness_of = |_attempt: u8| {
		let mut randomness = None;
		builder().build_and_execute(|| {
			let author = pair(1);
			building_block_5(&author);
			// A fresh proof each attempt.
			let vrf = vrf_of(&author, 50, 5);
			assert_ok!(note(vrf));
			randomness = SyncAttestation::randomness_after(5);
		});
		randomness.unwrap()
	};
	let outputs: Vec<_> = (0..5).map(randomness_of).collect();
	assert!(outputs.iter().all(|r| *r == outputs[0]), "{outputs:?}");
}

/// A VRF of another key, slot or block, or bytes that are no VRF, count as none: the block takes
/// the fallback, as if its author had left the VRF out (which it may), and stays valid.
#[test]
fn a_vrf_of_another_key_slot_or_block_counts_as_none() {
	builder().build_and_execute(|| {
		let author = pair(1);
		building_block_5(&author);
		let garbage = BlockVrf { pre_output: [0xff; 32], proof: [0xff; 64] };
		for vrf in [
			// Another key.
			vrf_of(&pair(2), 50, 5),
			// Another slot or block.
			vrf_of(&author, 51, 5),
			vrf_of(&author, 50, 6),
			// Bytes that are no VRF.
			garbage,
		] {
			assert_ok!(note(vrf));
			assert!(!Randomness::<Test>::contains_key(5));
		}
		// No author known.
		AuthorKey::set(None);
		assert_ok!(note(vrf_of(&author, 50, 5)));
		assert!(!Randomness::<Test>::contains_key(5));
		// Not a signed or root call.
		AuthorKey::set(Some(author.public()));
		assert_noop!(
			SyncAttestation::note_block_vrf(RuntimeOrigin::signed(1), vrf_of(&author, 50, 5)),
			sp_runtime::traits::BadOrigin
		);
		let before = SyncAttestation::randomness_after(4).unwrap();
		SyncAttestation::on_finalize(5);
		assert_eq!(
			SyncAttestation::randomness_after(5),
			Some(SyncAttestation::fallback_randomness(&before, 5))
		);
	});
}

#[test]
fn one_vrf_a_block() {
	builder().build_and_execute(|| {
		let author = pair(1);
		building_block_5(&author);
		assert_ok!(note(vrf_of(&author, 50, 5)));
		assert_noop!(note(vrf_of(&author, 50, 5)), Error::<Test>::BlockVrfNoted);
	});
}

/// A block without its author's VRF takes the fallback, which depends on nothing the author
/// chooses; the first block of a round takes it whatever its author sends.
#[test]
fn a_block_without_a_vrf_and_a_rounds_first_block_take_the_fallback() {
	builder().build_and_execute(|| {
		run_to_block(3);
		let before = SyncAttestation::randomness_after(2).unwrap();
		SyncAttestation::on_finalize(3);
		assert_eq!(
			SyncAttestation::randomness_after(3),
			Some(SyncAttestation::fallback_randomness(&before, 3))
		);

		run_to_round(1);
		let author = pair(1);
		AuthorKey::set(Some(author.public()));
		BlockSlot::set(7);
		assert_ok!(note(vrf_of(&author, 7, ROUND_LENGTH)));
		assert!(!Randomness::<Test>::contains_key(ROUND_LENGTH));
		SyncAttestation::on_finalize(ROUND_LENGTH);
		let before = SyncAttestation::randomness_after(ROUND_LENGTH - 1).unwrap();
		assert_eq!(
			SyncAttestation::randomness_after(ROUND_LENGTH),
			Some(SyncAttestation::fallback_randomness(&before, ROUND_LENGTH))
		);
	});
}

#[test]
fn randomness_is_kept_for_a_round_of_blocks() {
	builder().build_and_execute(|| {
		run_to_round(3);
		let now = System::block_number();
		let kept: Vec<_> = Randomness::<Test>::iter_keys().collect();
		// The parent of the current block and the `RoundLength` before it: enough for the parent
		// of a round's first block while any block of the round is the latest.
		assert_eq!(kept.len() as u64, ROUND_LENGTH + 1);
		assert!(kept.iter().all(|b| *b < now && *b + ROUND_LENGTH + 1 >= now));
	});
}

#[test]
fn the_inherent_is_made_from_the_authors_inherent_data() {
	use frame_support::inherent::{InherentData, ProvideInherent};
	builder().build_and_execute(|| {
		let author = pair(1);
		building_block_5(&author);
		let vrf = vrf_of(&author, 50, 5);
		let mut data = InherentData::new();
		assert_eq!(SyncAttestation::create_inherent(&data), None);
		data.put_data(crate::INHERENT_IDENTIFIER, &vrf).unwrap();
		let call = SyncAttestation::create_inherent(&data).expect("an inherent");
		assert!(SyncAttestation::is_inherent(&call));
		assert_eq!(call, crate::Call::note_block_vrf { vrf });
	});
}

/// Prints the benchmark's VRF constants for the fixed key and input, and checks the ones in
/// `benchmarking.rs` verify.
#[test]
fn the_benchmark_vrf_verifies() {
	use crate::randomness::benchmark::*;
	let author = sr25519::Pair::from_seed(&[7; 32]);
	let transcript = block_vrf_transcript(
		&BENCHMARK_VRF_GENESIS,
		BENCHMARK_VRF_SLOT,
		u64::from(BENCHMARK_VRF_NUMBER),
	);
	let fresh = BlockVrf::from_signature(&author.vrf_sign(&VrfSignData::new(transcript.clone())));
	println!(
		"author {:?}\npre_output {:?}\nproof {:?}",
		author.public().0,
		fresh.pre_output,
		fresh.proof
	);
	assert_eq!(author.public().0, BENCHMARK_VRF_AUTHOR);
	let signature = BENCHMARK_VRF.signature().expect("valid bytes");
	assert!(sp_core::crypto::VrfPublic::vrf_verify(
		&author.public(),
		&VrfSignData::new(transcript),
		&signature
	));
}
