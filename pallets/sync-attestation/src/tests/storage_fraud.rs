//! Storage fraud proofs: a committed dataset whose lanes are not sealed is proven so on chain and
//! punished; nothing else is.

use super::*;
use crate::{
	DatasetCommit, DatasetCommitOf, DatasetRecord, Datasets, Error, Event, LeafBytes, MerklePath,
	StorageFraudProof, StorageFraudProofOf,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResultWithPostInfo, Pays},
};
use proof_of_sync_primitives::{
	seal::{SealParams, LEAF_BYTES},
	DatasetCommitment, ProbeConfig,
};
use proof_of_sync_test_utils::TestDataset;
use sp_core::Pair;
use sp_runtime::Perbill;

/// Probe settings with small datasets: two lanes, two hashes a block, and a deadline short
/// enough for the chain's overclaim bound.
pub(super) fn config() -> ProbeConfig {
	ProbeConfig {
		dataset_lanes: 2,
		seal_iterations: 2,
		storage_deadline_ms: 10,
		..ProbeConfig::default()
	}
}

/// A dataset of `provider`'s built as its node would with the probe settings in force, junk at
/// the indices in `broken`.
pub(super) struct Built(pub(super) TestDataset);

impl Built {
	pub(super) fn new(provider: AccountId, count: u64, broken: &[u64]) -> Self {
		let config = SyncAttestation::probe_config();
		let seed: [u8; 32] = SyncAttestation::genesis_hash().into();
		let account = provider.encode();
		let params = SealParams {
			account: &account,
			seed: &seed,
			lanes: config.dataset_lanes,
			seal_iterations: config.seal_iterations,
		};
		Built(TestDataset::seal(&params, count, broken))
	}

	pub(super) fn commitment(&self) -> DatasetCommitment {
		DatasetCommitment::sealed_with(
			self.0.root(),
			self.0.len(),
			&SyncAttestation::probe_config(),
		)
	}

	pub(super) fn path(&self, index: u64) -> MerklePath {
		self.0.path(index).try_into().unwrap()
	}

	pub(super) fn leaf(&self, index: u64) -> LeafBytes {
		self.0.leaf(index).to_vec().try_into().unwrap()
	}

	/// The link at `index`, as a fraud proof against `provider`'s commitment to this dataset.
	fn proof(&self, provider: AccountId, index: u64) -> StorageFraudProofOf<Test> {
		let lanes = u64::from(SyncAttestation::probe_config().dataset_lanes);
		StorageFraudProof {
			provider,
			dataset: self.commitment(),
			index,
			leaf: self.leaf(index),
			path: self.path(index),
			previous: index.checked_sub(lanes).map(|p| (self.leaf(p), self.path(p))),
		}
	}
}

pub(super) fn commit(provider: AccountId, dataset: DatasetCommitment) -> DispatchResult {
	let commit: DatasetCommitOf<Test> = DatasetCommit { round: round().index, provider, dataset };
	let signature = pair(provider).sign(&commit.signing_payload(&SyncAttestation::genesis_hash()));
	SyncAttestation::commit_dataset(authorized(), commit, signature.into())
}

fn report(proof: &StorageFraudProofOf<Test>) -> DispatchResultWithPostInfo {
	SyncAttestation::report_storage_fraud(RuntimeOrigin::signed(REPORTER), Box::new(proof.clone()))
}

/// [`report`], its error without the post-dispatch info (a proof that fails before the seal is
/// charged less).
fn reported(proof: &StorageFraudProofOf<Test>) -> DispatchResult {
	report(proof).map(|_| ()).map_err(|error| error.error)
}

/// Eight providers in round 1, with the small probe settings.
fn in_round_one(test: impl FnOnce()) {
	builder()
		.providers((1..=8).map(|who| (who, false)).collect())
		.build_and_execute(|| {
			run_to_round(1);
			assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), config()));
			test()
		});
}

#[test]
fn a_broken_lane_is_proven_and_slashed_once() {
	in_round_one(|| {
		// Leaf 5 is junk: lane 1 restarts from it, so a cheater could keep the tree only and
		// regenerate any leaf of the lane from the restart.
		let cheat = Built::new(3, 8, &[5]);
		assert_ok!(commit(3, cheat.commitment()));
		events();

		let proof = cheat.proof(3, 5);
		let post = report(&proof).expect("the link is broken");
		assert_eq!(post.pays_fee, Pays::No);
		assert_eq!(
			Slashes::get(),
			vec![(3, Perbill::from_percent(20), Some((REPORTER, Perbill::from_percent(50))))]
		);
		assert_eq!(
			Datasets::<Test>::get(3),
			DatasetRecord { current: None, next: None, committed_in: Some(1) },
			"dropped, and no new commitment before the next round"
		);
		assert_eq!(
			events(),
			vec![Event::StorageFraudProven {
				provider: 3,
				dataset: cheat.commitment(),
				index: 5,
				slashed: BOND / 5,
				reporter: REPORTER,
			}]
		);
		// Punished once: the commitment is gone.
		assert_noop!(reported(&proof), Error::<Test>::DatasetNotCommitted);
	});
}

#[test]
fn a_broken_lane_start_is_fraud_too() {
	in_round_one(|| {
		// Leaf 1 is the first of lane 1: it must be sealed from the lane start.
		let cheat = Built::new(4, 8, &[1]);
		assert_ok!(commit(4, cheat.commitment()));
		assert_ok!(report(&cheat.proof(4, 1)));
		assert_eq!(Slashes::get().len(), 1);
	});
}

#[test]
fn an_honest_link_or_a_malformed_proof_proves_nothing_and_changes_nothing() {
	in_round_one(|| {
		let honest = Built::new(3, 8, &[]);
		assert_ok!(commit(3, honest.commitment()));
		// Every link of an honest dataset is sealed, first leaves of lanes included.
		for index in 0..8 {
			assert_noop!(reported(&honest.proof(3, index)), Error::<Test>::NotFraud);
		}

		// A cheater's dataset: only the broken link proves anything. The leaf after the break is
		// sealed from the junk leaf, so its link is sound.
		let cheat = Built::new(5, 8, &[4]);
		assert_ok!(commit(5, cheat.commitment()));
		assert_noop!(reported(&cheat.proof(5, 6)), Error::<Test>::NotFraud);
		let good = cheat.proof(5, 4);
		// A leaf that is not in the tree: a forged leaf, a wrong path, the wrong index.
		let mut forged = good.clone();
		forged.leaf[0] ^= 1;
		assert_noop!(reported(&forged), Error::<Test>::NotFraud);
		let mut wrong_path = good.clone();
		wrong_path.path[0] = [7; 32];
		assert_noop!(reported(&wrong_path), Error::<Test>::NotFraud);
		let mut wrong_index = good.clone();
		wrong_index.index = 5;
		assert_noop!(reported(&wrong_index), Error::<Test>::NotFraud);
		// A predecessor that is not the leaf's, or none, or a short leaf.
		let mut wrong_previous = good.clone();
		wrong_previous.previous = Some((cheat.leaf(3), cheat.path(3)));
		assert_noop!(reported(&wrong_previous), Error::<Test>::NotFraud);
		assert_noop!(
			reported(&StorageFraudProof { previous: None, ..good.clone() }),
			Error::<Test>::NotFraud
		);
		let mut short = good.clone();
		short.leaf.truncate(LEAF_BYTES - 1);
		assert_noop!(reported(&short), Error::<Test>::NotFraud);
		// An index past the dataset.
		assert_noop!(
			reported(&StorageFraudProof { index: 8, ..good.clone() }),
			Error::<Test>::NotFraud
		);
		// Against a dataset the provider did not commit, or another provider's.
		let other = DatasetCommitment { root: [9; 32], ..good.dataset };
		assert_noop!(
			reported(&StorageFraudProof { dataset: other, ..good.clone() }),
			Error::<Test>::DatasetNotCommitted
		);
		assert_noop!(
			reported(&StorageFraudProof { provider: 3, ..good.clone() }),
			Error::<Test>::DatasetNotCommitted
		);
		assert!(Slashes::get().is_empty());
		// A proof that fails before the seal is charged as the least seal, one that fails at it in
		// full.
		let cheap = report(&StorageFraudProof { provider: 3, ..good.clone() }).unwrap_err();
		assert_eq!(
			cheap.post_info.actual_weight,
			Some(<() as crate::WeightInfo>::report_storage_fraud(1))
		);
		let full = report(&honest.proof(3, 2)).unwrap_err();
		assert_eq!(full.post_info.actual_weight, None);
		// The good one still stands.
		assert_ok!(report(&good));
	});
}

#[test]
fn the_seal_is_bound_to_the_provider() {
	in_round_one(|| {
		// Provider 6 commits to a copy of provider 3's honest dataset: to 6's seal it is junk at
		// every lane start, and anyone may prove it with 3's own leaves.
		let copied = Built::new(3, 8, &[]);
		assert_ok!(commit(6, copied.commitment()));
		assert_ok!(report(&StorageFraudProof { provider: 6, ..copied.proof(3, 0) }));
	});
}

#[test]
fn a_commitment_must_be_sealed_with_the_probe_settings_in_force() {
	in_round_one(|| {
		let dataset = Built::new(3, 8, &[]).commitment();
		assert_noop!(
			commit(3, DatasetCommitment { lanes: 3, ..dataset }),
			Error::<Test>::WrongSealParams
		);
		assert_noop!(
			commit(3, DatasetCommitment { seal_iterations: 1, ..dataset }),
			Error::<Test>::WrongSealParams
		);
		assert_ok!(commit(3, dataset));
	});
}

#[test]
fn probe_settings_keep_a_fraud_proof_within_a_bounded_seal() {
	in_round_one(|| {
		// One sample a probe, so that the audits' answers fit in a block at the most iterations.
		let most = ProbeConfig {
			seal_iterations: proof_of_sync_primitives::MAX_CHECKED_SEAL_ITERATIONS,
			storage_samples: 1,
			..config()
		};
		assert_ok!(SyncAttestation::set_probe_config(RuntimeOrigin::root(), most));
		assert_noop!(
			SyncAttestation::set_probe_config(
				RuntimeOrigin::root(),
				ProbeConfig { seal_iterations: most.seal_iterations + 1, ..most }
			),
			Error::<Test>::InvalidProbeConfig
		);
	});
}
