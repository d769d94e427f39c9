//! The offchain worker: a provider's node answers its own sync challenges.
//!
//! After the node imports block `n` it runs this worker, which reads the sync status the node
//! published in its offchain storage. A node that is major-syncing, or that published no status,
//! does not attest: a node that is catching up cannot claim to be in sync. Otherwise, for every
//! `sync` key in the node's keystore that belongs to a provider active in the current round, it
//! answers every challenge whose response window is still open and that is not answered on chain
//! yet: block `n` if it challenges the provider (known only now that `n`'s parent is built), and
//! earlier ones whose answer missed a block or left the pool. Each answer attests the challenge
//! block (number and hash) and goes in as a fee-free authorized transaction; the pool keeps one
//! per `(provider, round, challenge_block)`. The chain measures the answer's lag itself, from the
//! challenge block to the block that includes it, so answering at once is all a node can do.
//!
//! A node whose best block is more than its `--attest-max-finality-lag` blocks ahead of its own
//! finality does not attest either: its finality stalled, so it cannot claim to be in sync.
//!
//! **Heartbeats.** On a node started with `--validator`, the worker also signs, with the Aura key
//! of each local authority that is benched for authoring nothing, a heartbeat for the round in
//! progress (see the `liveness` module), whatever its finality: a validator that comes back
//! while the network's finality is stalled must be able to prove it.
//!
//! **Verification.** The node's resource agent (the node's `resources` module) measures the
//! targets the round assigns each local provider as verifier, and builds the storage dataset of
//! each local provider; it leaves the measurements and the dataset's commitment in the node's
//! PERSISTENT offchain storage ([`MEASUREMENT_PREFIX`], [`DATASET_PREFIX`]). The worker signs
//! and sends, with the provider's `sync` key, a quality report for each measured target not
//! reported on chain yet and a dataset commitment when the node's dataset is not the one
//! committed for the next round, whatever its finality (a measurement does not depend on it).
//! Storage audits go the same way (see the `audit` module): the prober leaves the nonce of a
//! storage probe a target did not answer ([`AUDIT_REQUEST_PREFIX`]), and the worker asks for an
//! audit with it, signed with the verifier's key; the dataset manager leaves its answer to an
//! audit of a local provider ([`AUDIT_ANSWER_PREFIX`]), and the worker sends it (unsigned: the
//! answer proves itself).
//!
//! **Slashing protection.** Two signed answers naming two hashes at one height are an
//! equivocation that anyone may report for a slash, and an honest node meets forks (a reorg, an
//! Aura author that published two blocks for one slot). So the worker records, per local `sync`
//! key and in the node's persistent offchain storage (at [`SIGNED_HEADS_PREFIX`] + key), the hash
//! it signed at each height, and never signs another hash at a height it has signed: after a
//! reorg it leaves that challenge unanswered. Retrying the same answer is allowed. The record
//! forgets heights [`SIGNED_HEADS_MARGIN`] blocks behind the node's finality and holds at most
//! [`MAX_SIGNED_HEADS`] heights. It lives in the node's database: wiping the database
//! (`purge-chain`) wipes it too, so a wiped node must not run the same `sync` key on the same
//! chain before the network has finalized past the heights it signed.

use crate::{
	crypto::{SyncId, AURA_KEY_TYPE},
	pallet::*,
	types::*,
	LOG_TARGET,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::traits::Get;
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use proof_of_sync_primitives::{ProviderRegistry, RoundIndex};
use sp_runtime::{
	offchain::{
		storage::{MutateStorageError, StorageValueRef},
		StorageKind,
	},
	traits::{One, Saturating},
	RuntimeAppPublic,
};

impl<T: Config> Pallet<T> {
	/// The sync status the node published at [`SYNC_STATUS_KEY`], if it published one that
	/// decodes.
	///
	/// A node built before the status carried `max_finality_lag` publishes only its first two
	/// fields; that status is read with the node option's default, [`DEFAULT_MAX_FINALITY_LAG`].
	pub fn sync_status() -> Option<SyncStatus<BlockNumberFor<T>>> {
		let status = StorageValueRef::persistent(SYNC_STATUS_KEY);
		if let Ok(Some(status)) = status.get::<SyncStatus<BlockNumberFor<T>>>() {
			return Some(status)
		}
		let (major_syncing, finalized_number) =
			status.get::<(bool, BlockNumberFor<T>)>().ok().flatten()?;
		Some(SyncStatus {
			major_syncing,
			finalized_number,
			max_finality_lag: DEFAULT_MAX_FINALITY_LAG,
		})
	}

	pub(crate) fn do_offchain_worker(now: BlockNumberFor<T>) {
		let Some(status) = Self::sync_status() else {
			log::debug!(target: LOG_TARGET, "block {now:?}: the node published no sync status; not attesting");
			return
		};
		if status.major_syncing {
			log::debug!(target: LOG_TARGET, "block {now:?}: the node is major-syncing; not attesting");
			return
		}
		// Before the finality checks: a benched authority must be able to come back while the
		// network's finality is stalled (the forced set change that heals it may need it).
		Self::send_heartbeats();
		// What the node's resource agent measured and holds does not depend on its finality.
		if let Some(round) = CurrentRound::<T>::get() {
			Self::send_verification(&round);
		}
		if status.finalized_number > now {
			log::debug!(target: LOG_TARGET, "block {now:?}: behind the node's finality; not attesting");
			return
		}
		if now.saturating_sub(status.finalized_number) > status.max_finality_lag.into() {
			log::info!(
				target: LOG_TARGET,
				"block {now:?}: more than {} blocks ahead of the node's finality ({:?}); not attesting",
				status.max_finality_lag,
				status.finalized_number,
			);
			return
		}
		let Some(round) = CurrentRound::<T>::get() else { return };
		// Every challenge whose response window is still open after this block: this block's,
		// and earlier ones not answered yet (a transaction may miss a block or leave the pool).
		let window: BlockNumberFor<T> = T::ResponseWindow::get().into();
		let earliest = now.saturating_add(One::one()).saturating_sub(window).max(round.start);

		for key in SyncId::all() {
			let Some(provider) = T::SyncKeys::owner_of(&key) else { continue };
			// A key the provider has replaced would only produce a `BadSignature`.
			if T::SyncKeys::key_of(&provider).as_ref() != Some(&key) ||
				!T::Registry::is_active_in(&provider, round.index)
			{
				continue
			}
			let stats = ProviderRounds::<T>::get(round.index, &provider).unwrap_or_default();
			let mut block = earliest;
			while block <= now {
				let open = Self::is_challenge(&provider, &round, block)
					.is_some_and(|offset| !stats.has_answered(offset));
				if open {
					let attestation = Attestation {
						round: round.index,
						challenge_block: block,
						provider: provider.clone(),
						// frame-executive stored this block's hash before running the worker;
						// earlier ones are in state anyway.
						block_hash: frame_system::Pallet::<T>::block_hash(block),
						finalized_number: status.finalized_number.min(block),
					};
					Self::submit_attestation(
						&key,
						attestation,
						status.finalized_number,
						block == now,
					);
				}
				block = block.saturating_add(One::one());
			}
		}
	}

	/// Sends a heartbeat for each benched authority whose Aura key is in this node's keystore,
	/// if the node runs as a validator (`--validator`): the node proves it can author again. The
	/// pool keeps one per authority and round, so sending it each block until it is in costs
	/// nothing more.
	fn send_heartbeats() {
		if !sp_io::offchain::is_validator() {
			return
		}
		let round = <Self as proof_of_sync_primitives::RoundClock>::current_round();
		for key in sp_io::crypto::sr25519_public_keys(AURA_KEY_TYPE) {
			let Some(authority) = T::BlockAuthor::owner_of(&key) else { continue };
			if !Self::is_benched(&authority) || T::BlockAuthor::key_of(&authority) != Some(key) {
				continue
			}
			let heartbeat = Heartbeat { round, authority };
			let payload = heartbeat.signing_payload(&Self::genesis_hash());
			let Some(signature) = sp_io::crypto::sr25519_sign(AURA_KEY_TYPE, &key, &payload) else {
				continue
			};
			let call = Call::heartbeat { heartbeat, signature };
			let xt = <T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(
				call.into(),
			);
			match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
				Ok(()) => log::info!(target: LOG_TARGET, "round {round}: sent a heartbeat"),
				Err(()) => log::debug!(
					target: LOG_TARGET,
					"round {round}: the pool refused the heartbeat (it may hold one already)"
				),
			}
		}
	}

	/// Reports what the node's prober measured and commits the dataset the node's resource agent
	/// holds, for every provider whose current `sync` key is in the keystore (see the node's
	/// `resources` module, which leaves them under [`MEASUREMENT_PREFIX`] and [`DATASET_PREFIX`]):
	/// a quality report for each of the provider's targets of the round that it measured and has
	/// not reported on chain yet, and a dataset commitment when the node's dataset is not the one
	/// committed for the next round. The pool keeps one of each per tag, so sending them each
	/// block until they are in costs nothing more.
	pub(crate) fn send_verification(round: &RoundParamsOf<T>) {
		for key in SyncId::all() {
			let Some(provider) = T::SyncKeys::owner_of(&key) else { continue };
			if T::SyncKeys::key_of(&provider).as_ref() != Some(&key) {
				continue
			}
			let dataset_key = [DATASET_PREFIX, provider.encode().as_slice()].concat();
			let held = StorageValueRef::persistent(&dataset_key).get().ok().flatten();
			if let Some(dataset) = held {
				if Self::dataset_in(&provider, round.index.saturating_add(1)) != Some(dataset) {
					let commit =
						DatasetCommit { round: round.index, provider: provider.clone(), dataset };
					if let Some(signature) =
						key.sign(&commit.signing_payload(&Self::genesis_hash()))
					{
						Self::submit(
							Call::commit_dataset { commit, signature },
							"dataset commitment",
						);
					}
				}
			}
			Self::send_audit_answer(&provider);
			for target in Self::targets_of(&provider, round) {
				Self::send_audit_request(&key, &provider, &target, round.index);
				let reported = QualityReports::<T>::get(round.index, &target)
					.reports
					.iter()
					.any(|(verifier, _)| verifier == &provider);
				if reported {
					continue
				}
				let measurement_key =
					[MEASUREMENT_PREFIX, (round.index, &provider, &target).encode().as_slice()]
						.concat();
				let Some(measurement) = StorageValueRef::persistent(&measurement_key)
					.get::<Measurement>()
					.ok()
					.flatten()
				else {
					continue
				};
				let report = QualityReport {
					round: round.index,
					verifier: provider.clone(),
					target,
					measurement,
				};
				if let Some(signature) = key.sign(&report.signing_payload(&Self::genesis_hash())) {
					Self::submit(Call::report_quality { report, signature }, "quality report");
				}
			}
		}
	}

	/// Asks for a storage audit of `target` by `verifier` (whose `sync` key is `key`) in round
	/// `round`, if the node's prober left the nonce of a storage probe `target` did not answer at
	/// [`AUDIT_REQUEST_PREFIX`] + `(round, verifier, target)`, and nobody audits `target` already
	/// or did in the round.
	fn send_audit_request(
		key: &SyncId,
		verifier: &T::AccountId,
		target: &T::AccountId,
		round: RoundIndex,
	) {
		let request_key =
			[AUDIT_REQUEST_PREFIX, (round, verifier, target).encode().as_slice()].concat();
		let Some(nonce) =
			StorageValueRef::persistent(&request_key).get::<[u8; 32]>().ok().flatten()
		else {
			return
		};
		let audited = AuditedIn::<T>::get(target)
			.is_some_and(|(r, verifiers)| r == round && verifiers.contains(verifier));
		if audited || Audits::<T>::contains_key(target, verifier) {
			return
		}
		let request =
			AuditRequest { round, verifier: verifier.clone(), target: target.clone(), nonce };
		if let Some(signature) = key.sign(&request.signing_payload(&Self::genesis_hash())) {
			Self::submit(Call::open_audit { request, signature }, "storage audit request");
		}
	}

	/// Answers the storage audits open against `provider` that the node's dataset manager left
	/// an answer to (the same nonce) at [`AUDIT_ANSWER_PREFIX`] + `(provider, verifier)`.
	fn send_audit_answer(provider: &T::AccountId) {
		for (verifier, audit) in Audits::<T>::iter_prefix(provider) {
			let answer_key =
				[AUDIT_ANSWER_PREFIX, (provider, &verifier).encode().as_slice()].concat();
			let stored = StorageValueRef::persistent(&answer_key);
			let Some(answer) = stored.get::<AuditAnswerOf<T>>().ok().flatten() else {
				log::debug!(
					target: LOG_TARGET,
					"storage audit of {provider:?} by {verifier:?}: no answer from the node yet"
				);
				continue
			};
			if answer.nonce != audit.nonce ||
				answer.opened != audit.opened ||
				&answer.target != provider ||
				answer.verifier != verifier
			{
				continue
			}
			// The pool's own check. An answer it would refuse (read from a damaged dataset, say)
			// is emptied, if it is still the one checked, so that the node makes it again.
			if let Err(error) = Self::check_audit_answer(&answer) {
				log::warn!(
					target: LOG_TARGET,
					"storage audit of {provider:?} by {verifier:?}: the chain refuses the node's \
					 answer ({error:?}); emptied for the node to answer again by block {:?}",
					audit.deadline,
				);
				let checked = answer.encode();
				sp_io::offchain::local_storage_compare_and_set(
					StorageKind::PERSISTENT,
					&answer_key,
					Some(checked),
					&[],
				);
				continue
			}
			let call = Call::answer_audit { answer: alloc::boxed::Box::new(answer) };
			Self::submit(call, "storage audit answer");
		}
	}

	/// Submits `call` as a fee-free authorized transaction, logging the outcome as `what`.
	fn submit(call: Call<T>, what: &str) {
		let xt =
			<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
		match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
			Ok(()) => log::debug!(target: LOG_TARGET, "sent a {what}"),
			Err(()) => log::debug!(
				target: LOG_TARGET,
				"the pool refused a {what} (it may hold it already)"
			),
		}
	}

	/// The persistent offchain storage key of `key`'s record of signed heads.
	pub fn signed_heads_key(key: &SyncId) -> Vec<u8> {
		let mut storage_key = SIGNED_HEADS_PREFIX.to_vec();
		key.encode_to(&mut storage_key);
		storage_key
	}

	/// What `key` has signed, by height, as its record holds it (empty if it signed nothing).
	pub fn signed_heads(key: &SyncId) -> Vec<(BlockNumberFor<T>, T::Hash)> {
		let storage_key = Self::signed_heads_key(key);
		StorageValueRef::persistent(&storage_key)
			.get()
			.ok()
			.flatten()
			.unwrap_or_default()
	}

	/// Whether `key` may sign `hash` at `height`, recording it if so: yes if it signed nothing
	/// at that height yet (and its record has room) or signed this same hash there; no if it
	/// signed another hash there, which would be an equivocation. The record is updated with a
	/// compare-and-set, so workers of two blocks running at once cannot both sign a height.
	/// Heights [`SIGNED_HEADS_MARGIN`] behind `finalized` are forgotten on the way.
	pub(crate) fn may_sign(
		key: &SyncId,
		height: BlockNumberFor<T>,
		hash: T::Hash,
		finalized: BlockNumberFor<T>,
	) -> bool {
		enum Refused {
			/// The key signed another hash at this height.
			OtherHash,
			/// The record holds `MAX_SIGNED_HEADS` heights.
			Full,
			/// The record does not decode: sign nothing rather than risk an equivocation.
			Unreadable,
		}
		let forget_below = finalized.saturating_sub(SIGNED_HEADS_MARGIN.into());
		let storage_key = Self::signed_heads_key(key);
		let record = StorageValueRef::persistent(&storage_key);
		let result = record.mutate::<Vec<(BlockNumberFor<T>, T::Hash)>, Refused, _>(|stored| {
			let mut heads = stored.map_err(|_| Refused::Unreadable)?.unwrap_or_default();
			heads.retain(|(signed_height, _)| *signed_height >= forget_below);
			match heads.binary_search_by_key(&height, |(signed_height, _)| *signed_height) {
				Ok(at) if heads[at].1 == hash => Ok(heads),
				Ok(_) => Err(Refused::OtherHash),
				Err(_) if heads.len() >= MAX_SIGNED_HEADS => Err(Refused::Full),
				Err(at) => {
					heads.insert(at, (height, hash));
					Ok(heads)
				},
			}
		});
		match result {
			// Sign only once the record is known to hold this answer: a write the node's database
			// failed to commit must not leave a signature it does not remember.
			Ok(_) =>
				Self::signed_heads(key).binary_search(&(height, hash)).is_ok() || {
					log::error!(
						target: LOG_TARGET,
						"the record of what sync key {key:?} signed did not keep height {height:?}; \
						 not signing"
					);
					false
				},
			Err(MutateStorageError::ValueFunctionFailed(Refused::OtherHash)) => {
				log::warn!(
					target: LOG_TARGET,
					"sync key {key:?} signed another block at height {height:?}; not signing \
					 {hash:?} there (it would be an equivocation)"
				);
				false
			},
			Err(MutateStorageError::ValueFunctionFailed(Refused::Full)) => {
				log::warn!(
					target: LOG_TARGET,
					"sync key {key:?} has {MAX_SIGNED_HEADS} unfinalized signed heights; not \
					 signing until finality moves on"
				);
				false
			},
			Err(MutateStorageError::ValueFunctionFailed(Refused::Unreadable)) => {
				log::error!(
					target: LOG_TARGET,
					"the record of what sync key {key:?} signed does not decode; not signing"
				);
				false
			},
			Err(MutateStorageError::ConcurrentModification(_)) => {
				log::debug!(
					target: LOG_TARGET,
					"another worker updated sync key {key:?}'s record; not signing height \
					 {height:?} now"
				);
				false
			},
		}
	}

	/// Signs `attestation` with `key` and submits it as an authorized transaction, unless `key`
	/// signed another hash at its height ([`Self::may_sign`], with the node's `finalized` block):
	/// the one place the worker signs, so nothing it signs escapes the slashing protection. A
	/// retry (`first` false) the pool refuses is usually the first submission still waiting there.
	fn submit_attestation(
		key: &SyncId,
		attestation: AttestationOf<T>,
		finalized: BlockNumberFor<T>,
		first: bool,
	) {
		if !Self::may_sign(key, attestation.challenge_block, attestation.block_hash, finalized) {
			return
		}
		let Some(signature) = key.sign(&Self::signing_payload(&attestation)) else {
			log::warn!(target: LOG_TARGET, "the keystore could not sign with sync key {key:?}");
			return
		};
		let challenge_block = attestation.challenge_block;
		let call = Call::<T>::attest { attestation, signature };
		let xt =
			<T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(call.into());
		match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
			Ok(()) => log::debug!(
				target: LOG_TARGET,
				"attested challenge block {challenge_block:?} with sync key {key:?}"
			),
			Err(()) if first => log::warn!(
				target: LOG_TARGET,
				"could not submit the attestation of challenge block {challenge_block:?}"
			),
			Err(()) => log::debug!(
				target: LOG_TARGET,
				"the pool already holds the attestation of challenge block {challenge_block:?}"
			),
		}
	}
}
