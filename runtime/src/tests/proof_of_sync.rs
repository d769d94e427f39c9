//! Proof of Sync with the real runtime: attestations through the real transaction path over
//! several rounds, points, rewards, and the authority set.

use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::Get};
use frame_system::offchain::CreateAuthorizedTransaction;
use pallet_sync_attestation::{crypto::SyncSignature, Attestation};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::Pair;
use sp_genesis_builder::DEV_RUNTIME_PRESET;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{Header as _, Zero},
	Digest, DigestItem,
};

use super::genesis_of;
use crate::{
	configs::{RewardPot, RoundEmission},
	AccountId, Balances, BlockNumber, Executive, Hash, Header, Rewards, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, Session, SyncAttestation, System, TimestampCall,
	UncheckedExtrinsic, ROUND_LENGTH, SLOT_DURATION,
};

/// Builds blocks on top of each other through `Executive`, as a node's block builder does.
struct Chain {
	head: Header,
}

impl Chain {
	fn genesis() -> Self {
		let head = Header::new(
			0,
			Default::default(),
			Default::default(),
			Default::default(),
			Default::default(),
		);
		Self { head }
	}

	/// Authors the next block (Aura digest, timestamp inherent) with `xts` in it; every one of
	/// them must be valid and dispatch without error.
	fn block(&mut self, xts: Vec<UncheckedExtrinsic>) {
		let n = self.head.number + 1;
		let slot = Slot::from(u64::from(n));
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		let header =
			Header::new(n, Default::default(), Default::default(), self.head.hash(), digest);
		Executive::initialize_block(&header);
		let now = u64::from(slot) * SLOT_DURATION;
		let inherent =
			UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(TimestampCall::set { now }));
		assert_ok!(Executive::apply_extrinsic(inherent).expect("the inherent is valid"));
		// Alice, the only authority, signs her block's VRF, as her node does.
		let vrf = block_vrf(Sr25519Keyring::Alice, u64::from(slot), n);
		assert_ok!(Executive::apply_extrinsic(vrf).expect("the VRF inherent is valid"));
		for xt in xts {
			let applied = Executive::apply_extrinsic(xt).expect("the transaction is valid");
			assert_ok!(applied);
		}
		self.head = Executive::finalize_block();
	}
}

/// The `note_block_vrf` inherent of block `number` at `slot`, signed by `author`'s Aura key.
fn block_vrf(author: Sr25519Keyring, slot: u64, number: BlockNumber) -> UncheckedExtrinsic {
	use sp_core::crypto::VrfSecret;
	let transcript = pallet_sync_attestation::randomness::block_vrf_transcript(
		Chain::genesis().head.hash().as_ref(),
		slot,
		u64::from(number),
	);
	let signature = author.pair().vrf_sign(&sp_core::sr25519::vrf::VrfSignData::new(transcript));
	let vrf = pallet_sync_attestation::BlockVrf::from_signature(&signature);
	UncheckedExtrinsic::new_bare(RuntimeCall::SyncAttestation(
		pallet_sync_attestation::Call::note_block_vrf { vrf },
	))
}

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

/// Alice's attestation that her node's head at `challenge_block` is `head`, signed with her
/// `sync` key (the dev key `--alice` puts in the keystore), as an authorized transaction.
///
/// Signed for this test chain: the genesis block is `Chain::genesis()`'s head, whose hash
/// `frame_system` keeps as block 0's from block 1 on (at genesis it holds a placeholder, and a
/// node's offchain worker never signs before block 1).
fn attestation_xt(round: u32, challenge_block: BlockNumber, head: Hash) -> UncheckedExtrinsic {
	attestation_finalized_xt(round, challenge_block, head, challenge_block.saturating_sub(1))
}

/// The same, reporting `finalized` as the node's finalized block.
fn attestation_finalized_xt(
	round: u32,
	challenge_block: BlockNumber,
	head: Hash,
	finalized: BlockNumber,
) -> UncheckedExtrinsic {
	let attestation = Attestation {
		round,
		challenge_block,
		provider: alice(),
		block_hash: head,
		finalized_number: finalized,
	};
	let signature: SyncSignature = Sr25519Keyring::Alice
		.pair()
		.sign(&attestation.signing_payload(&Chain::genesis().head.hash()))
		.into();
	let call = RuntimeCall::SyncAttestation(pallet_sync_attestation::Call::attest {
		attestation,
		signature,
	});
	<Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_authorized_transaction(call)
}

/// Runs the chain to `last`, with Alice answering each of her challenges in the block after it.
fn run_with_alice_attesting(chain: &mut Chain, last: BlockNumber) -> u32 {
	run_with_alice_reporting(chain, last, |challenge| challenge.saturating_sub(1))
}

/// The same, Alice's node reporting `finalized(challenge)` as its finalized block.
fn run_with_alice_reporting(
	chain: &mut Chain,
	last: BlockNumber,
	finalized: impl Fn(BlockNumber) -> BlockNumber,
) -> u32 {
	let mut answered = 0;
	while chain.head.number < last {
		let parent = chain.head.number;
		let round = SyncAttestation::round_in_progress().expect("a round is running");
		let xts = if SyncAttestation::is_challenge(&alice(), &round, parent).is_some() {
			answered += 1;
			let head = chain.head.hash();
			vec![attestation_finalized_xt(round.index, parent, head, finalized(parent).min(parent))]
		} else {
			vec![]
		};
		chain.block(xts);
	}
	answered
}

fn events() -> Vec<RuntimeEvent> {
	System::events().into_iter().map(|r| r.event).collect()
}

#[test]
fn alice_attests_earns_points_is_paid_and_stays_the_authority_over_rounds() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let mut chain = Chain::genesis();
		let round0 = SyncAttestation::round_in_progress().expect("round 0 starts at genesis");
		assert_eq!((round0.index, round0.start), (0, 0));
		assert_eq!(round0.providers, 1, "round 0 challenges the genesis provider");
		// The only provider: challenged at every block of the span.
		assert_eq!(round0.challenge_odds, sp_runtime::Perbill::one());
		let c = round0.challenge_span;
		assert!(c >= 1, "Alice is challenged");

		// Four rounds; each of Alice's challenges is answered in the next block.
		let answered = run_with_alice_attesting(&mut chain, 4 * ROUND_LENGTH + 1);
		assert_eq!(Session::current_index(), 4);
		assert!(answered >= 4 * c, "answered {answered} challenges");

		for round in 1..=3 {
			let score = SyncAttestation::sync_score(&alice(), round).expect("a score");
			assert_eq!(
				(score.expected_challenges_milli, score.answered),
				(c * 1_000, c),
				"round {round}"
			);
			assert_eq!(score.uptime, sp_runtime::Perbill::one());
			assert_eq!(score.mean_lag, 0, "answered in the very next block");
			assert!(!score.points.is_zero());
			assert_eq!(score.share, sp_runtime::Perbill::one(), "the only provider");
		}
		// Rounds 0..=3 closed and set their emission aside.
		let pending = Rewards::pending_rewards(&alice());
		assert_eq!(pending.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
		assert!(pending.iter().all(|(_, amount)| *amount == RoundEmission::get()));

		// Claiming pays Alice out of the pot, once.
		let issuance = Balances::total_issuance();
		let (pot, before) =
			(Balances::free_balance(RewardPot::get()), Balances::free_balance(alice()));
		assert_ok!(Rewards::claim_rewards(RuntimeOrigin::signed(alice()), 2));
		assert_eq!(Balances::free_balance(alice()), before + RoundEmission::get());
		assert_eq!(Balances::free_balance(RewardPot::get()), pot - RoundEmission::get());
		assert_eq!(Balances::total_issuance(), issuance);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(alice()), 2),
			pallet_rewards::Error::<Runtime>::AlreadyClaimed
		);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(alice()), 4),
			pallet_rewards::Error::<Runtime>::RoundNotClosed
		);

		// The best-synced candidate, Alice, stays the authority.
		assert_eq!(Session::validators(), vec![alice()]);
		assert!(events().iter().any(|e| matches!(
			e,
			RuntimeEvent::SyncAttestation(pallet_sync_attestation::Event::Attested { .. })
		)));
		SyncAttestation::do_try_state().expect("sync-attestation invariants");
		Rewards::do_try_state().expect("rewards invariants");
		crate::Resources::do_try_state().expect("registry invariants");
	});
}

#[test]
fn a_forged_attestation_is_refused_by_the_transaction_path() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let mut chain = Chain::genesis();
		let round = SyncAttestation::round_in_progress().expect("round 0");
		// Advance to Alice's first challenge block.
		chain.block(vec![]);
		while SyncAttestation::is_challenge(&alice(), &round, chain.head.number).is_none() {
			chain.block(vec![]);
		}
		let first = chain.head.number;
		// Signed by Bob's key, not Alice's.
		let head = chain.head.hash();
		let mut xt = attestation_xt(round.index, first, head);
		if let RuntimeCall::SyncAttestation(pallet_sync_attestation::Call::attest {
			attestation,
			signature,
		}) = &mut xt.function
		{
			*signature = Sr25519Keyring::Bob
				.pair()
				.sign(&attestation.signing_payload(&Chain::genesis().head.hash()))
				.into();
		}
		let n = chain.head.number + 1;
		let header = Header::new(
			n,
			Default::default(),
			Default::default(),
			chain.head.hash(),
			Digest {
				logs: vec![DigestItem::PreRuntime(
					AURA_ENGINE_ID,
					Slot::from(u64::from(n)).encode(),
				)],
			},
		);
		Executive::initialize_block(&header);
		assert!(
			Executive::apply_extrinsic(xt).is_err(),
			"a bad signature is an invalid transaction"
		);
		assert!(Executive::apply_extrinsic(attestation_xt(round.index, first, head)).is_ok());
	});
}

/// The attack of issue 14 item 4: a block author grinds its block (it can re-sign its seal as
/// often as it likes) for randomness that challenges its own providers. The randomness is its
/// VRF output, one per key and block; another key's VRF counts for nothing.
#[test]
fn the_block_randomness_is_the_authors_vrf_and_no_one_elses() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let mut chain = Chain::genesis();
		chain.block(vec![]);
		chain.block(vec![]);
		let n = chain.head.number;
		let with_vrf = SyncAttestation::randomness_after(n).expect("kept");
		let before = SyncAttestation::randomness_after(n - 1).expect("kept");
		assert_ne!(with_vrf, SyncAttestation::fallback_randomness(&before, n));

		// The next block: Bob's VRF, or Alice's for another slot, counts as none (the block
		// takes the fallback); Alice's own, signed twice, gives one randomness.
		let next = n + 1;
		let slot = u64::from(next);
		let header = Header::new(
			next,
			Default::default(),
			Default::default(),
			chain.head.hash(),
			Digest {
				logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(slot).encode())],
			},
		);
		Executive::initialize_block(&header);
		let outcome = |xt| {
			frame_support::storage::with_transaction(|| {
				let applied = Executive::apply_extrinsic(xt);
				let randomness = SyncAttestation::randomness_after(next);
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>((
					applied, randomness,
				)))
			})
			.unwrap()
		};
		for forged in [
			block_vrf(Sr25519Keyring::Bob, slot, next),
			block_vrf(Sr25519Keyring::Alice, slot + 1, next),
		] {
			let (applied, randomness) = outcome(forged);
			assert!(matches!(applied, Ok(Ok(()))));
			assert_eq!(randomness, None, "a forged VRF makes no randomness");
		}
		let first = outcome(block_vrf(Sr25519Keyring::Alice, slot, next));
		let second = outcome(block_vrf(Sr25519Keyring::Alice, slot, next));
		assert!(matches!(first.0, Ok(Ok(()))));
		assert!(first.1.is_some());
		assert_eq!(first.1, second.1, "one VRF output per key and block");
	});
}

/// GRANDPA stalls on a live chain: Alice's node keeps reporting block 3 as finalized. At the
/// first round end where that trails by more than `FinalityStallBound`, the runtime goes down
/// pallet-grandpa's stall path by itself (no root call): the same session change schedules a
/// forced change voting from block 3, and that block's header carries the `ForcedChange` log
/// nodes apply on import. Meanwhile Alice authors every block and is never benched.
#[test]
fn a_finality_stall_makes_grandpa_force_a_set_change() {
	use sp_consensus_grandpa::{ConsensusLog, GRANDPA_ENGINE_ID};
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let mut chain = Chain::genesis();
		const STUCK: BlockNumber = 3;
		let mut stalled_at = None;
		while stalled_at.is_none() && chain.head.number < 6 * ROUND_LENGTH {
			let next = chain.head.number + 1;
			run_with_alice_reporting(&mut chain, next, |_| STUCK);
			if events().iter().any(|e| {
				matches!(
					e,
					RuntimeEvent::SyncAttestation(
						pallet_sync_attestation::Event::FinalityStalled { finalized: STUCK, .. }
					)
				)
			}) {
				stalled_at = Some(chain.head.number);
			}
		}
		let stalled_at = stalled_at.expect("the stall is seen");
		let bound = <Runtime as pallet_sync_attestation::Config>::FinalityStallBound::get();
		assert!(stalled_at - STUCK > bound, "not before the bound");
		assert!(stalled_at - STUCK <= bound + ROUND_LENGTH, "at the first round end after it");
		let forced = chain.head.digest().logs().iter().find_map(|log| {
			log.consensus_try_to::<ConsensusLog<BlockNumber>>(&GRANDPA_ENGINE_ID)
				.and_then(|log| match log {
					ConsensusLog::ForcedChange(median, change) => Some((median, change)),
					_ => None,
				})
		});
		let (median, change) = forced.expect("the block signals a forced change");
		assert_eq!(median, STUCK);
		assert_eq!(change.delay, 0);
		assert_eq!(change.next_authorities.len(), 1, "to the session's authorities: Alice");
		assert!(events().iter().any(|e| matches!(
			e,
			RuntimeEvent::Grandpa(pallet_grandpa::Event::NewAuthorities { .. })
		)));
		assert!(!SyncAttestation::is_benched(&alice()));
		assert_eq!(
			pallet_sync_attestation::AuthoredIn::<Runtime>::get(alice()),
			Some(Session::current_index() - 1),
			"Alice's blocks are counted as hers"
		);
		SyncAttestation::do_try_state().expect("sync-attestation invariants");
	});
}

#[test]
fn probe_settings_keep_the_answers_to_a_blocks_storage_audits_within_half_a_block() {
	use crate::genesis_config_presets::TEST_PROBE_CONFIG;
	use proof_of_sync_primitives::{ProbeConfig, MAX_CHECKED_SEAL_ITERATIONS};
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block.ref_time();
		let audits =
			u64::from(<<Runtime as pallet_sync_attestation::Config>::MaxAuditsPerBlock as Get<
				u32,
			>>::get());
		// The presets' answers (16 leaf seals at 64 iterations each) fit.
		let answer = SyncAttestation::answer_audit_weight(
			TEST_PROBE_CONFIG.storage_samples,
			TEST_PROBE_CONFIG.seal_iterations,
		);
		assert!(answer.ref_time() > 0, "the weight is measured");
		assert!(audits * answer.ref_time() <= block / 2, "{answer:?} × {audits} against {block}");
		// 16 samples at the most iterations a fraud proof may reseal would not fit.
		let heavy =
			ProbeConfig { seal_iterations: MAX_CHECKED_SEAL_ITERATIONS, ..TEST_PROBE_CONFIG };
		assert_noop!(
			SyncAttestation::set_probe_config(RuntimeOrigin::root(), heavy),
			pallet_sync_attestation::Error::<Runtime>::InvalidProbeConfig
		);
		// One sample a probe (and so an audit) does.
		assert_ok!(SyncAttestation::set_probe_config(
			RuntimeOrigin::root(),
			ProbeConfig { storage_samples: 1, ..heavy }
		));
		// More samples than an audit may ask for are refused at any cost.
		assert_noop!(
			SyncAttestation::set_probe_config(
				RuntimeOrigin::root(),
				ProbeConfig { storage_samples: 17, ..TEST_PROBE_CONFIG }
			),
			pallet_sync_attestation::Error::<Runtime>::InvalidProbeConfig
		);
	});
}

/// Alice's node's fee-free record of a round Bob receipted: `Usage.record_receipted` through the
/// real transaction path, authorized by Alice's `sync` key and Bob's receipt, paid at once, and
/// refused the second time (once per lease and round, so a node cannot flood the chain for free).
#[test]
fn a_node_records_receipted_usage_fee_free_through_the_transaction_path() {
	use crate::Usage;
	use pallet_usage::{PriceList, UsageReceipt};
	use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let mut chain = Chain::genesis();
		chain.block(vec![]);
		let bob = Sr25519Keyring::Bob.to_account_id();
		let prices = PriceList { storage: crate::MILLI_DSYNC, ..Default::default() };
		assert_ok!(Usage::set_prices(RuntimeOrigin::signed(alice()), prices));
		let lease = pallet_usage::NextLeaseId::<Runtime>::get();
		assert_ok!(Usage::open_lease(
			RuntimeOrigin::signed(bob.clone()),
			alice(),
			proof_of_sync_primitives::ResourceKind::Storage,
			100,
			3,
			crate::MILLI_DSYNC,
		));
		// Round 1, the lease's first, ends.
		run_with_alice_attesting(&mut chain, 2 * ROUND_LENGTH + 1);
		assert_eq!(Session::current_index(), 2);

		let genesis = Chain::genesis().head.hash();
		let opened_after = Usage::lease(lease).expect("open").opened_after;
		let note = UsageReceipt { lease, opened_after, round: 1, counter: 40 };
		let receipt = Sr25519Keyring::Bob.pair().sign(&note.signing_payload(&genesis)).into();
		let signature = Sr25519Keyring::Alice.pair().sign(&note.note_payload(&genesis));
		let call =
			RuntimeCall::Usage(pallet_usage::Call::record_receipted { note, receipt, signature });
		let xt =
			<Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_authorized_transaction(
				call,
			);
		let before = Balances::free_balance(alice());
		let nonces = (System::account_nonce(alice()), System::account_nonce(&bob));
		chain.block(vec![xt.clone()]);
		// 40 storage units at a milli-DSYNC, less the 5 % usage fee: paid to Alice at once, and
		// nobody paid a transaction fee or used a nonce.
		let bill = 40 * crate::MILLI_DSYNC;
		assert_eq!(Balances::free_balance(alice()), before + bill - bill / 20);
		assert_eq!((System::account_nonce(alice()), System::account_nonce(&bob)), nonces);
		assert!(events().iter().any(|e| matches!(
			e,
			RuntimeEvent::Usage(pallet_usage::Event::UsagePaid { units: 40, .. })
		)));
		let record = Usage::lease(lease).expect("open").records[0];
		assert_eq!((record.counter, record.receipted), (40, 40));

		// The same record again is stale in the pool and at block building.
		let n = chain.head.number + 1;
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, Slot::from(u64::from(n)).encode())],
		};
		Executive::initialize_block(&Header::new(
			n,
			Default::default(),
			Default::default(),
			chain.head.hash(),
			digest,
		));
		assert_eq!(
			Executive::apply_extrinsic(xt),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
		);
	});
}
