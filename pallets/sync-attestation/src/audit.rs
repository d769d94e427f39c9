//! Storage audits: a provider that does not answer a storage probe must prove the same samples on
//! chain, or lose its dataset and, when it was up to answer, part of its bond.
//!
//! A verifier's storage probe draws its samples from a nonce ([`seal::sample_index`]). A cheater
//! that committed a dataset whose lanes restart from junk leaves (to keep only the Merkle tree and
//! reseal on demand) cannot answer a sample on a junk leaf without giving a storage fraud proof
//! away, so it refuses those probes, and a refused probe alone costs it only that verifier's
//! storage figure for the round. An audit makes the refusal cost:
//!
//! - **Opening.** The verifier's node sends `open_audit` (fee-free, authorized by its `sync` key):
//!   the target is one of its targets this round and has a dataset in effect, and the verifier has
//!   not audited it this round. Each of a target's verifiers audits it on its own, so a verifier
//!   colluding with the target cannot shield it by auditing first with samples of its choosing. The
//!   audit names the probe's nonce, the target's dataset in effect and the probe's
//!   `storage_samples` samples (at most `MaxAuditSamples`, which the probe settings keep to), and
//!   is due `AuditWindow` blocks later. At most `MaxAuditsPerBlock` audits fall due in one block,
//!   so about that many open in one, and their answers, which arrive a block or two after the
//!   opening, come about that many a block; the probe settings keep them within half a block.
//!   Audits need no evidence of a failed probe, so that capacity can be squatted: keeping every
//!   block of a round full takes `RoundLength × MaxAuditsPerBlock` audits a round (the runtime:
//!   60), each by a provider assigned the target, about `MaxVerifiersPerTarget` (3) a provider, so
//!   about 20 bonded providers; the honest verifier's node asks again every block. An answer names
//!   the block its audit opened in, so a verifier that audits again with the same nonce (and so the
//!   same samples) still gets a new transaction, not one the pool knows as already included.
//! - **Answering.** Anyone holding the dataset (in practice the target's node) sends `answer_audit`
//!   (fee-free, no signature: only a holder of the leaves can make one) with the sampled leaves,
//!   their predecessors and Merkle paths. The pool checks the cheap part (the audit is open, the
//!   count, every path against the committed root) and ranks answers above attestations, so that a
//!   full block leaves out attestations first; the block checks every seal. An answer whose leaves
//!   are in the tree but not sealed is a storage fraud proof, taken as such: `StorageFraudSlash` of
//!   the target's bond, `ReporterCut` of it to the verifier, and the dataset dropped.
//! - **Missing.** An audit still open after its deadline drops the target's dataset commitments
//!   (its storage counts zero until a commitment made in a later round takes effect). It is also
//!   slashed like a storage fraud if the target answered a sync challenge of a block from the
//!   audit's opening on (it was up, and kept silent), or if it is the target's `MaxMissedAudits`-th
//!   counted miss within the last `HistoryDepth` rounds. Only audits opened while the target had
//!   answered a challenge in the round or the one before count, so the counted audits of an outage
//!   opened in the round it began in or the next; misses are kept by the round their audit opened
//!   in, and one in a round next to a counted one is not counted again, so a provider that is down
//!   misses the audits of its outage once, whichever round they fall due in.
//!
//! An honest provider's node answers every audit within a block or two; one that is down loses
//! the dataset's storage for a round or two after it returns (it commits again on its own).

use crate::{
	pallet::*,
	types::{AuditAnswerOf, AuditRequestOf, StorageAuditOf},
	SyncKeys, WeightInfo,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use proof_of_sync_primitives::{
	seal, ProviderRegistry, RoundIndex, StorageAudit, MAX_CHECKED_SEAL_ITERATIONS,
};
use sp_runtime::{
	traits::Saturating,
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityWithRefund, ValidTransaction,
	},
	SaturatedConversion,
};

/// The tag prefix of audit requests in the transaction pool.
pub const AUDIT_REQUEST_TAG_PREFIX: &str = "ProofOfSyncAuditRequest";

/// The tag prefix of audit answers in the transaction pool.
pub const AUDIT_ANSWER_TAG_PREFIX: &str = "ProofOfSyncAuditAnswer";

impl<T: Config> Pallet<T> {
	/// The storage audits open against `target`: at most one a verifier (at most
	/// `MaxVerifiersPerTarget` a round, and an audit lives at most a round).
	pub fn storage_audits(target: &T::AccountId) -> Vec<StorageAuditOf<T>> {
		Audits::<T>::iter_prefix_values(target).collect()
	}

	/// The leaves audit `audit` asks for, in order.
	pub fn audit_indices(audit: &StorageAuditOf<T>) -> Vec<u64> {
		(0..u64::from(audit.samples))
			.map(|k| seal::sample_index(&audit.nonce, k, audit.dataset.leaves))
			.collect()
	}

	/// Checks an audit request against the chain: the current round, about one of the verifier's
	/// targets, with no audit open and not audited this round, that has a dataset in effect, room
	/// in the block it falls due in, signed by the verifier's `sync` key. Shared by the pool and
	/// the call. Returns the audit to open.
	pub fn check_audit_request(
		request: &AuditRequestOf<T>,
		signature: &crate::crypto::SyncSignature,
	) -> Result<StorageAuditOf<T>, Error<T>> {
		let round = CurrentRound::<T>::get().ok_or(Error::<T>::WrongRound)?;
		ensure!(request.round == round.index, Error::<T>::WrongRound);
		ensure!(request.verifier != request.target, Error::<T>::SelfReport);
		ensure!(
			T::Registry::is_seated_in(&request.target, round.index),
			Error::<T>::NotActiveProvider
		);
		ensure!(
			Self::verifiers_of(&request.target, &round).contains(&request.verifier),
			Error::<T>::NotAssigned
		);
		ensure!(
			!Audits::<T>::contains_key(&request.target, &request.verifier),
			Error::<T>::AuditPending
		);
		ensure!(
			!AuditedIn::<T>::get(&request.target).is_some_and(
				|(r, verifiers)| r == round.index && verifiers.contains(&request.verifier)
			),
			Error::<T>::AlreadyAudited
		);
		let dataset = Self::dataset_in(&request.target, round.index)
			.ok_or(Error::<T>::DatasetNotCommitted)?;
		let key = T::SyncKeys::key_of(&request.verifier).ok_or(Error::<T>::NoSyncKey)?;
		use sp_runtime::RuntimeAppPublic;
		ensure!(
			key.verify(&request.signing_payload(&Self::genesis_hash()), signature),
			Error::<T>::BadSignature
		);
		// Every audit opened in this block falls due in the same block: its list counts them.
		let opened = frame_system::Pallet::<T>::block_number();
		let deadline = opened.saturating_add(T::AuditWindow::get().into());
		let due = AuditDeadlines::<T>::decode_len(deadline).unwrap_or(0);
		ensure!(due < T::MaxAuditsPerBlock::get() as usize, Error::<T>::TooManyAudits);
		let answered_in = |r: RoundIndex| {
			ProviderRounds::<T>::get(r, &request.target).is_some_and(|stats| stats.answered > 0)
		};
		let counts =
			answered_in(round.index) || round.index.checked_sub(1).is_some_and(answered_in);
		Ok(StorageAudit {
			verifier: request.verifier.clone(),
			round: round.index,
			nonce: request.nonce,
			dataset,
			samples: Self::audit_samples(
				ProbeSettings::<T>::get().storage_samples,
				dataset.seal_iterations,
			),
			opened,
			deadline,
			counts,
		})
	}

	/// The pool's check of an audit request: valid until the round ends, one per verifier,
	/// target and round.
	pub fn authorize_audit_request(
		_source: TransactionSource,
		request: &AuditRequestOf<T>,
		signature: &crate::crypto::SyncSignature,
	) -> TransactionValidityWithRefund {
		Self::check_audit_request(request, signature)
			.map_err(|error| Self::validity_error(&error, request.round))?;
		let validity = ValidTransaction::with_tag_prefix(AUDIT_REQUEST_TAG_PREFIX)
			.priority(T::AttestationPriority::get())
			.and_provides((request.round, request.target.clone(), request.verifier.clone()))
			.longevity(Self::blocks_left_in_round())
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Opens a valid audit.
	pub(crate) fn do_open_audit(
		request: AuditRequestOf<T>,
		signature: crate::crypto::SyncSignature,
	) -> DispatchResult {
		let audit = Self::check_audit_request(&request, &signature)?;
		AuditDeadlines::<T>::try_append(
			audit.deadline,
			(request.target.clone(), request.verifier.clone()),
		)
		.map_err(|_| Error::<T>::TooManyAudits)?;
		AuditedIn::<T>::try_mutate(&request.target, |record| {
			let (round, verifiers) =
				record.get_or_insert_with(|| (audit.round, Default::default()));
			if *round != audit.round {
				(*round, *verifiers) = (audit.round, Default::default());
			}
			// An assigned verifier not yet on the list: at most `MaxVerifiersPerTarget` a round.
			verifiers
				.try_push(request.verifier.clone())
				.map_err(|_| Error::<T>::AlreadyAudited)
		})?;
		Self::deposit_event(Event::AuditOpened {
			target: request.target.clone(),
			verifier: audit.verifier.clone(),
			round: audit.round,
			samples: audit.samples,
			deadline: audit.deadline,
		});
		Audits::<T>::insert(&request.target, &request.verifier, audit);
		Ok(())
	}

	/// What one audit's answer may weigh: the answers to the `MaxAuditsPerBlock` audits that may
	/// fall due in one block share half a block.
	pub fn answer_budget() -> Weight {
		let block = <T as frame_system::Config>::BlockWeights::get().max_block;
		let audits = u64::from(T::MaxAuditsPerBlock::get()).max(1);
		Weight::from_parts(block.ref_time() / 2 / audits, block.proof_size() / 2 / audits)
	}

	/// How many samples an audit of a dataset sealed with `seal_iterations` asks for: the probe's
	/// `wanted` samples (at most `MaxAuditSamples`), fewer if its answer would weigh more than
	/// [`Self::answer_budget`] (a dataset committed under heavier seal settings than the probe
	/// settings in force now), and at least one.
	pub fn audit_samples(wanted: u32, seal_iterations: u32) -> u32 {
		let budget = Self::answer_budget();
		let mut samples = wanted.clamp(1, T::MaxAuditSamples::get().max(1));
		while samples > 1 && !Self::answer_audit_weight(samples, seal_iterations).all_lte(budget) {
			samples = samples.saturating_sub(1);
		}
		samples
	}

	/// The weight `answer_audit` declares: the answer's paths and bookkeeping
	/// (`answer_audit(samples)`, benchmarked with one seal iteration) and, per sample, a leaf
	/// seal's cost beyond one iteration (`report_storage_fraud`'s, which seals one leaf).
	pub fn answer_audit_weight(samples: u32, seal_iterations: u32) -> Weight {
		let iterations = seal_iterations.clamp(1, MAX_CHECKED_SEAL_ITERATIONS);
		let seal_beyond_one = T::WeightInfo::report_storage_fraud(iterations)
			.saturating_sub(T::WeightInfo::report_storage_fraud(1));
		T::WeightInfo::answer_audit(samples)
			.saturating_add(seal_beyond_one.saturating_mul(u64::from(samples)))
	}

	/// The cheap part of an answer's check, shared by the pool and the call: the verifier's open
	/// audit of the target has this nonce and is not past its deadline, the answer gives one
	/// proof per sample and the dataset's seal iterations, and every proof's leaves are in the
	/// committed tree at the sample's index and its predecessor's. `2 × (depth + 1)` hashes a
	/// sample, no seal.
	pub fn check_audit_answer(answer: &AuditAnswerOf<T>) -> Result<StorageAuditOf<T>, Error<T>> {
		let audit = Audits::<T>::get(&answer.target, &answer.verifier)
			.filter(|audit| audit.nonce == answer.nonce && audit.opened == answer.opened)
			.ok_or(Error::<T>::NoAudit)?;
		// The pool runs before the block's `on_initialize` settles the audits due.
		ensure!(frame_system::Pallet::<T>::block_number() <= audit.deadline, Error::<T>::NoAudit);
		ensure!(answer.proofs.len() == audit.samples as usize, Error::<T>::WrongSampleCount);
		ensure!(
			answer.seal_iterations == audit.dataset.seal_iterations,
			Error::<T>::WrongSealParams
		);
		let (account, seed) = (answer.target.encode(), Self::seal_seed());
		let params = Self::seal_params(&account, &seed, &audit.dataset);
		for (index, proof) in Self::audit_indices(&audit).into_iter().zip(&answer.proofs) {
			seal::check_link_paths(
				&params,
				audit.dataset.leaves,
				&audit.dataset.root,
				&proof.link(index),
			)
			.map_err(|_| Error::<T>::BadSample)?;
		}
		Ok(audit)
	}

	/// The pool's check of an audit answer (see [`Self::check_audit_answer`]): valid until the
	/// audit's deadline, one per audit.
	pub fn authorize_audit_answer(
		_source: TransactionSource,
		answer: &alloc::boxed::Box<AuditAnswerOf<T>>,
	) -> TransactionValidityWithRefund {
		let audit = Self::check_audit_answer(answer).map_err(|error| match error {
			// Answered, or due: it will not become valid.
			Error::<T>::NoAudit => InvalidTransaction::Stale.into(),
			other => Self::validity_error(
				&other,
				<Self as proof_of_sync_primitives::RoundClock>::current_round(),
			),
		})?;
		let now = frame_system::Pallet::<T>::block_number();
		let longevity =
			audit.deadline.saturating_sub(now).saturated_into::<u64>().saturating_add(1);
		// Above attestations: an answer left out of a full block in favour of the target's own
		// attestations would get it slashed for being up and silent.
		let validity = ValidTransaction::with_tag_prefix(AUDIT_ANSWER_TAG_PREFIX)
			.priority(T::AttestationPriority::get().saturating_add(1))
			.and_provides((
				answer.target.clone(),
				answer.verifier.clone(),
				answer.nonce,
				answer.opened,
			))
			.longevity(longevity)
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Applies an answer that passed the pool's check: closes the audit, then checks every
	/// sample's seal. A sample that is in the tree but not sealed proves storage fraud.
	pub(crate) fn do_answer_audit(answer: AuditAnswerOf<T>) -> DispatchResult {
		let audit = Self::check_audit_answer(&answer)?;
		Audits::<T>::remove(&answer.target, &answer.verifier);
		Self::unlist_audit(&answer.target, &answer.verifier, audit.deadline);
		let (account, seed) = (answer.target.encode(), Self::seal_seed());
		let params = Self::seal_params(&account, &seed, &audit.dataset);
		for (index, proof) in Self::audit_indices(&audit).into_iter().zip(&answer.proofs) {
			if seal::check_link_seal(&params, &proof.link(index)).is_err() {
				// The answer is the target's own storage fraud proof.
				let slashed = Self::slash_storage(&answer.target, &audit).unwrap_or_default();
				Self::drop_datasets(&answer.target);
				Self::close_audits(&answer.target);
				Self::deposit_event(Event::StorageFraudProven {
					provider: answer.target,
					dataset: audit.dataset,
					index,
					slashed,
					reporter: audit.verifier,
				});
				return Ok(())
			}
		}
		Self::deposit_event(Event::AuditAnswered {
			target: answer.target,
			verifier: audit.verifier,
			round: audit.round,
		});
		Ok(())
	}

	/// Settles the audits that fell due in block `due` (their deadline): each still open is
	/// missed. Returns the weight used. At most `MaxAuditsPerBlock` audits.
	pub(crate) fn expire_audits(due: BlockNumberFor<T>) -> Weight {
		let audits = AuditDeadlines::<T>::take(due);
		let count = audits.len() as u32;
		for (target, verifier) in audits {
			// An audit answered in time is gone (and off the list).
			let Some(audit) =
				Audits::<T>::get(&target, &verifier).filter(|audit| audit.deadline == due)
			else {
				continue
			};
			Audits::<T>::remove(&target, &verifier);
			Self::miss_audit(&target, &audit);
		}
		T::WeightInfo::expire_audits(count)
	}

	/// `target` missed `audit`: its dataset commitments are dropped, and it is slashed if it was
	/// up to answer or missed `MaxMissedAudits` counted audits within `HistoryDepth` rounds.
	fn miss_audit(target: &T::AccountId, audit: &StorageAuditOf<T>) {
		let refused = Self::answered_since(target, audit.round, audit.opened);
		let round = <Self as proof_of_sync_primitives::RoundClock>::current_round();
		let missed = MissedAudits::<T>::mutate(target, |misses| {
			// The counted misses of the last `HistoryDepth` rounds, by the round their audit
			// opened in (the audits of one round fall due in it or the next).
			misses.retain(|r| r.saturating_add(T::HistoryDepth::get()) >= round);
			// One incident's counted audits opened in the round it began in or the next (a later
			// one does not count): a miss in a round next to a counted one is the same incident.
			let same_incident = misses.iter().any(|r| r.abs_diff(audit.round) <= 1);
			if audit.counts && !same_incident {
				let at = misses.partition_point(|r| *r < audit.round);
				if misses.try_insert(at, audit.round).is_err() {
					// Full, so at `MaxMissedAudits` already: a slash below empties it.
					return T::MaxMissedAudits::get()
				}
			}
			misses.len() as u32
		});
		let slash = refused || missed >= T::MaxMissedAudits::get();
		let slashed = if slash {
			MissedAudits::<T>::remove(target);
			Self::slash_storage(target, audit)
		} else {
			None
		};
		Self::drop_datasets(target);
		if slash {
			// One slash an incident: the other verifiers' audits of it close unpunished.
			Self::close_audits(target);
		}
		Self::deposit_event(Event::AuditMissed {
			target: target.clone(),
			verifier: audit.verifier.clone(),
			round: audit.round,
			refused,
			missed,
			slashed,
		});
	}

	/// Whether `target` answered a sync challenge of a block from `from` on, in a round from
	/// `round` (the audit's) to the current one: an audit's window is at most a round long, so it
	/// is settled at the latest two rounds after its own, and at most three rounds are read.
	fn answered_since(target: &T::AccountId, round: RoundIndex, from: BlockNumberFor<T>) -> bool {
		let current = <Self as proof_of_sync_primitives::RoundClock>::current_round();
		let latest = |r: RoundIndex| -> Option<BlockNumberFor<T>> {
			let offset = ProviderRounds::<T>::get(r, target)?.answered_upto.checked_sub(1)?;
			let start = Rounds::<T>::get(r)?.params.start;
			Some(start.saturating_add(offset.into()))
		};
		(round..=current.min(round.saturating_add(2)))
			.any(|r| latest(r).is_some_and(|block| block >= from))
	}

	/// Slashes `target` for what its audit showed: `StorageFraudSlash` of its bond, `ReporterCut`
	/// of it to the audit's verifier. `None` if the registry cannot slash it (it withdrew).
	fn slash_storage(target: &T::AccountId, audit: &StorageAuditOf<T>) -> Option<T::Bond> {
		T::Registry::slash(
			target,
			T::StorageFraudSlash::get(),
			Some((&audit.verifier, T::ReporterCut::get())),
		)
		.inspect_err(|error| {
			log::warn!(
				target: crate::LOG_TARGET,
				"cannot slash {target:?} for its storage audit: {error:?}"
			)
		})
		.ok()
	}

	/// Closes every storage audit open against `target`, unpunished: after a slash for its storage
	/// (a fraud proven, an audit refused), the others' audits of the same dataset would punish it
	/// again. At most `2 × MaxVerifiersPerTarget` (a round's verifiers and the last round's).
	/// Each leaves its deadline's list, so that its slot there is free again.
	pub(crate) fn close_audits(target: &T::AccountId) {
		let limit = T::MaxVerifiersPerTarget::get().saturating_mul(2) as usize;
		for (verifier, audit) in Audits::<T>::drain_prefix(target).take(limit) {
			Self::unlist_audit(target, &verifier, audit.deadline);
		}
	}

	/// Takes the audit of `target` by `verifier` off the list of block `deadline`: its slot there
	/// is free again. An emptied list goes.
	fn unlist_audit(target: &T::AccountId, verifier: &T::AccountId, deadline: BlockNumberFor<T>) {
		AuditDeadlines::<T>::mutate_exists(deadline, |due| {
			if let Some(list) = due {
				list.retain(|(t, v)| t != target || v != verifier);
				if list.is_empty() {
					*due = None;
				}
			}
		});
	}

	/// Drops `target`'s dataset commitments, in effect and next: its storage counts zero until a
	/// commitment made in a later round takes effect (one made in this round would take effect
	/// in the next, so the round counts as committed in).
	pub(crate) fn drop_datasets(target: &T::AccountId) {
		let round = <Self as proof_of_sync_primitives::RoundClock>::current_round();
		Datasets::<T>::mutate(target, |record| {
			*record =
				crate::types::DatasetRecord { current: None, next: None, committed_in: Some(round) }
		});
	}

	/// The most bytes one sample's proof takes in an answer: two leaves and two paths of the
	/// deepest tree, with their length prefixes.
	pub fn max_sample_proof_bytes() -> u64 {
		let leaf = seal::LEAF_BYTES as u64 + 4;
		let path = u64::from(seal::MAX_TREE_DEPTH) * 32 + 4;
		2 * (leaf + path) + 1
	}

	/// The seed datasets are sealed with: the chain's genesis hash.
	pub(crate) fn seal_seed() -> [u8; 32] {
		let genesis = Self::genesis_hash();
		let mut seed = [0u8; 32];
		let bytes = genesis.as_ref();
		let len = bytes.len().min(32);
		seed[..len].copy_from_slice(&bytes[..len]);
		seed
	}

	/// What `dataset`, committed by the account SCALE-encoded as `account`, is sealed with.
	pub(crate) fn seal_params<'a>(
		account: &'a [u8],
		seed: &'a [u8; 32],
		dataset: &proof_of_sync_primitives::DatasetCommitment,
	) -> seal::SealParams<'a> {
		seal::SealParams {
			account,
			seed,
			lanes: dataset.lanes,
			seal_iterations: dataset.seal_iterations,
		}
	}
}
