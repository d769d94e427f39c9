//! The offchain worker: a provider's node answers its own sync challenges.
//!
//! After the node imports block `n` it runs this worker, which reads the sync status the node
//! published in its offchain storage. A node that is major-syncing, or that published no status,
//! does not attest: a node that is catching up cannot claim to be in sync. Otherwise, for every
//! `sync` key in the node's keystore that belongs to a provider active in the current round, it
//! answers every challenge whose response window is still open and that is not answered on chain
//! yet: the one at block `n`, and earlier ones whose answer missed a block or left the pool. Each
//! answer attests the challenge block (number and hash) and goes in as a fee-free authorized
//! transaction; the pool keeps one per `(provider, round, challenge_block)`.

use crate::{crypto::SyncId, pallet::*, types::*, LOG_TARGET};
use frame_support::traits::Get;
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use proof_of_sync_primitives::ProviderRegistry;
use sp_runtime::{
	offchain::storage::StorageValueRef,
	traits::{One, Saturating},
	RuntimeAppPublic,
};

impl<T: Config> Pallet<T> {
	/// The sync status the node published at [`SYNC_STATUS_KEY`], if it published one that
	/// decodes.
	pub fn sync_status() -> Option<SyncStatus<BlockNumberFor<T>>> {
		StorageValueRef::persistent(SYNC_STATUS_KEY).get().ok().flatten()
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
		if status.finalized_number > now {
			log::debug!(target: LOG_TARGET, "block {now:?}: behind the node's finality; not attesting");
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
			let answered = ProviderRounds::<T>::get(round.index, &provider)
				.map_or(0, |stats| stats.answered_mask);
			let mut block = earliest;
			while block <= now {
				let open = Self::is_challenge(&provider, &round, block)
					.is_some_and(|j| answered & (1u64 << j) == 0);
				if open {
					let attestation = Attestation {
						round: round.index,
						challenge_block: block,
						provider: provider.clone(),
						best_number: block,
						// frame-executive stored this block's hash before running the worker;
						// earlier ones are in state anyway.
						best_hash: frame_system::Pallet::<T>::block_hash(block),
						finalized_number: status.finalized_number.min(block),
					};
					Self::submit_attestation(&key, attestation, block == now);
				}
				block = block.saturating_add(One::one());
			}
		}
	}

	/// Signs `attestation` with `key` and submits it as an authorized transaction. A retry
	/// (`first` false) the pool refuses is usually the first submission still waiting there.
	fn submit_attestation(key: &SyncId, attestation: AttestationOf<T>, first: bool) {
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
