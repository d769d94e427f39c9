//! The resource agent: how a provider's node proves its capacity to its verifiers, and how it
//! measures the providers it verifies.
//!
//! Four tasks, started by [`spawn`]:
//!
//! - **The endpoint** ([`server`]): an HTTP server at [`ResourceConfig::listen`], the address a
//!   provider registers as its endpoint. Anyone may ask it to prove, with a provider's `sync` key,
//!   that it is live; the provider's verifiers of the round in progress (and nobody else) may probe
//!   its storage, bandwidth and compute (see [`wire`] for the format); the consumers of its leases
//!   use what they leased (see [`lease_wire`]).
//! - **The dataset manager** ([`datasets`]): keeps, for every provider whose `sync` key the node
//!   holds, the sealed storage dataset its declared storage calls for, builds it when needed, hands
//!   it to the endpoint, and asks the offchain worker to commit to it on chain.
//! - **The prober** ([`prober`]): once a round, for every provider whose `sync` key the node holds,
//!   probes the targets the round assigned it as verifier, and hands each measurement to the
//!   offchain worker.
//! - **The lease book** ([`leases`]): serves the leases of the providers whose `sync` key the node
//!   holds through the endpoint (objects under `leases/` in the data directory, downloads), meters
//!   their use per round, signs each ended round's final counter as a note with the provider's
//!   `sync` key, takes the consumers' receipts for the notes and hands them to the offchain worker;
//!   a small task drops the leases the chain no longer has.
//!
//! The node itself submits nothing. It talks to the runtime's offchain worker through the node's
//! PERSISTENT offchain storage (as `sync_status` does), and the worker, which holds the same
//! `sync` keys, signs and submits:
//!
//! - a `Measurement` (SCALE) under [`report_key`]`(round, verifier, target)`: the worker submits it
//!   as the verifier's quality report;
//! - a `DatasetCommitment` (SCALE) under [`dataset_key`]`(provider)`: the worker submits it as the
//!   provider's dataset commitment when it differs from the one on chain;
//! - the nonce of a storage probe the target did not answer under [`audit_request_key`]`(round,
//!   verifier, target)`: the worker asks for a storage audit of the target with it (`open_audit`),
//!   so that the target must prove the same samples on chain;
//! - an `AuditAnswer` (SCALE) under [`audit_answer_key`]`(provider, verifier)`: the dataset
//!   manager's answer to a storage audit open against a local provider, which the worker submits
//!   (`answer_audit`);
//! - a `pallet_usage::HeldReceipt` (SCALE) under [`receipt_key`]`(lease, round)`: a consumer's
//!   receipt for the lease book's note of a round, which the worker records on chain.
//!
//! The lease book also keeps its own state there, which the runtime never reads: each lease's
//! metering state under [`meter_key`]`(lease)` and the ids of the leases it tracks under
//! [`METER_INDEX_KEY`].
//!
//! Everything the tasks read from the chain goes through [`chain::Chain`], and every key they use
//! through [`chain::Signer`], so that each can be tested without a node.

pub mod chain;
pub mod datasets;
pub mod lease_wire;
pub mod leases;
pub mod prober;
pub mod server;
pub mod wire;

use std::{
	net::SocketAddr,
	path::PathBuf,
	sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use codec::Encode;
use sc_service::TaskManager;
use sp_core::{crypto::AccountId32, offchain::OffchainStorage};
use sp_keystore::KeystorePtr;

use crate::service::FullClient;

/// The log target of the resource agent.
pub const LOG_TARGET: &str = "proof-of-sync::resources";

/// The prefix of the PERSISTENT offchain storage keys under which the prober leaves its
/// measurements for the offchain worker (see [`report_key`]): the pallet's own constant, so
/// the two sides cannot drift apart.
pub use pallet_sync_attestation::MEASUREMENT_PREFIX as REPORT_PREFIX;

/// The prefix of the PERSISTENT offchain storage keys under which the dataset manager leaves
/// the dataset commitments for the offchain worker (see [`dataset_key`]): the pallet's own
/// constant.
pub use pallet_sync_attestation::DATASET_PREFIX;

/// The prefix of the PERSISTENT offchain storage keys under which the prober leaves the nonces
/// of storage probes that targets did not answer, for the offchain worker to ask for audits
/// with (see [`audit_request_key`]): the pallet's own constant.
pub use pallet_sync_attestation::AUDIT_REQUEST_PREFIX;

/// The prefix of the PERSISTENT offchain storage keys under which the dataset manager leaves
/// its answers to storage audits of local providers (see [`audit_answer_key`]): the pallet's
/// own constant.
pub use pallet_sync_attestation::AUDIT_ANSWER_PREFIX;

/// Where the lease book leaves a consumer's receipt of `lease`'s round `round` for the
/// offchain worker: `pallet_usage::HELD_RECEIPT_PREFIX` followed by the SCALE encoding of
/// `(lease, round)` (the pallet's own function). The value is a SCALE-encoded
/// `pallet_usage::HeldReceipt<MultiSignature>`.
pub use pallet_usage::receipt_key;

/// The prefix of the PERSISTENT offchain storage keys under which the lease book keeps each
/// lease's metering state (see [`meter_key`]). Node-only: the runtime never reads it.
pub const METER_PREFIX: &[u8] = b"proof-of-sync/usage/meter/";

/// The PERSISTENT offchain storage key under which the lease book keeps the ids of the leases it
/// tracks, so that a restarted node still drops their state when they go: a SCALE-encoded
/// `Vec<u64>`. Node-only.
pub const METER_INDEX_KEY: &[u8] = b"proof-of-sync/usage/meter-index";

/// Where the lease book keeps the metering state of lease `lease`: [`METER_PREFIX`] followed by
/// the SCALE encoding of `lease`. The value is the lease book's own SCALE-encoded record (see
/// [`leases`]).
pub fn meter_key(lease: u64) -> Vec<u8> {
	[METER_PREFIX, lease.encode().as_slice()].concat()
}

/// Where the prober leaves the nonce of `verifier`'s storage probe of `target` in `round` that
/// `target` did not answer: [`AUDIT_REQUEST_PREFIX`] followed by the SCALE encoding of `(round,
/// verifier, target)`. The value is the 32-byte nonce.
pub fn audit_request_key(round: u32, verifier: &AccountId32, target: &AccountId32) -> Vec<u8> {
	[AUDIT_REQUEST_PREFIX, (round, verifier, target).encode().as_slice()].concat()
}

/// Where the dataset manager leaves `provider`'s answer to `verifier`'s open storage audit of it:
/// [`AUDIT_ANSWER_PREFIX`] followed by the SCALE encoding of `(provider, verifier)`. The value is
/// a SCALE-encoded `pallet_sync_attestation::AuditAnswer`.
pub fn audit_answer_key(provider: &AccountId32, verifier: &AccountId32) -> Vec<u8> {
	[AUDIT_ANSWER_PREFIX, (provider, verifier).encode().as_slice()].concat()
}

/// Where the measurement of `target` by `verifier` in `round` goes: [`REPORT_PREFIX`] followed by
/// the SCALE encoding of `(round, verifier, target)`. The value is a SCALE-encoded
/// `pallet_sync_attestation::Measurement`.
pub fn report_key(round: u32, verifier: &AccountId32, target: &AccountId32) -> Vec<u8> {
	[REPORT_PREFIX, (round, verifier, target).encode().as_slice()].concat()
}

/// Where the commitment to `provider`'s dataset goes: [`DATASET_PREFIX`] followed by the SCALE
/// encoding of `provider`. The value is a SCALE-encoded `DatasetCommitment`.
pub fn dataset_key(provider: &AccountId32) -> Vec<u8> {
	[DATASET_PREFIX, provider.encode().as_slice()].concat()
}

/// How the resource agent runs.
#[derive(Clone, Debug)]
pub struct ResourceConfig {
	/// Where the resource endpoint listens; `None` serves no endpoint, builds no dataset and
	/// serves no lease (the prober still measures the node's targets).
	pub listen: Option<SocketAddr>,
	/// The node's data directory: the datasets live under `datasets/` in it, the objects of the
	/// leases under `leases/`.
	pub data_dir: PathBuf,
	/// The most storage units a local provider's dataset holds (`--resource-max-storage`);
	/// `None` holds what each provider declared.
	pub max_storage: Option<u64>,
}

/// Starts the resource agent's tasks on `task_manager`: the endpoint, the dataset manager and the
/// lease book's cleanup if `config.listen` is set, and the prober. `offchain_db` is the node's
/// offchain storage (`backend.offchain_storage()`), where the tasks leave their results for the
/// offchain worker and the lease book keeps its metering state.
///
/// # Errors
///
/// The endpoint's address cannot be bound (in use, say).
pub fn spawn<O>(
	task_manager: &TaskManager,
	client: Arc<FullClient>,
	keystore: KeystorePtr,
	offchain_db: O,
	config: ResourceConfig,
) -> std::io::Result<()>
where
	O: OffchainStorage + 'static,
{
	let runtime = Arc::new(chain::RuntimeChain::new(client));
	let signer = Arc::new(chain::KeystoreSigner::new(keystore));
	let spawner = task_manager.spawn_handle();
	if let Some(address) = config.listen {
		// Bound here, so that an address in use stops the node at start rather than later.
		let listener = std::net::TcpListener::bind(address)?;
		listener.set_nonblocking(true)?;
		log::info!(target: LOG_TARGET, "resource endpoint listening on http://{address}");
		let registry = server::DatasetRegistry::default();
		let book = Arc::new(leases::LeaseBook::new(
			runtime.clone(),
			signer.clone(),
			offchain_db.clone(),
			config.data_dir.join("leases"),
		));
		let state = Arc::new(
			server::ServerState::new(runtime.clone(), signer.clone(), registry.clone())
				.with_leases(book.clone()),
		);
		spawner.spawn("proof-of-sync-leases", "proof-of-sync", book.run());
		spawner.spawn("proof-of-sync-resource-endpoint", "proof-of-sync", async move {
			match tokio::net::TcpListener::from_std(listener) {
				Ok(listener) => server::serve(listener, state).await,
				Err(error) => log::error!(
					target: LOG_TARGET,
					"resource endpoint: cannot listen on {address}: {error}"
				),
			}
		});
		let manager = datasets::DatasetManager::new(
			runtime.clone(),
			signer.clone(),
			offchain_db.clone(),
			registry,
			config.data_dir.join("datasets"),
			config.max_storage,
		);
		spawner.spawn("proof-of-sync-datasets", "proof-of-sync", manager.run());
	}
	let prober = prober::Prober::new(runtime, signer, offchain_db);
	spawner.spawn("proof-of-sync-prober", "proof-of-sync", prober.run());
	Ok(())
}

/// Runs `f` on a blocking thread (runtime calls, signing, disk, hashing); `None` if it panicked.
pub(crate) async fn blocking<T, F>(f: F) -> Option<T>
where
	F: FnOnce() -> T + Send + 'static,
	T: Send + 'static,
{
	tokio::task::spawn_blocking(f).await.ok()
}

/// Locks `mutex`, whether or not a thread panicked while holding it: every value behind the
/// agent's locks stays consistent between statements.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Read-locks `lock`, whether or not a thread panicked while holding it.
pub(crate) fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
	lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Write-locks `lock`, whether or not a thread panicked while holding it.
pub(crate) fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
	lock.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keys_are_the_prefix_then_the_scale_encoding() {
		let (one, two) = ([1u8; 32], [2u8; 32]);
		let (verifier, target) = (AccountId32::new(one), AccountId32::new(two));
		let parts: [&[u8]; 4] = [REPORT_PREFIX, &7u32.to_le_bytes(), &one, &two];
		assert_eq!(report_key(7, &verifier, &target), parts.concat());
		let parts: [&[u8]; 2] = [DATASET_PREFIX, &two];
		assert_eq!(dataset_key(&target), parts.concat());
		let parts: [&[u8]; 4] = [AUDIT_REQUEST_PREFIX, &7u32.to_le_bytes(), &one, &two];
		assert_eq!(audit_request_key(7, &verifier, &target), parts.concat());
		let parts: [&[u8]; 3] = [AUDIT_ANSWER_PREFIX, &two, &one];
		assert_eq!(audit_answer_key(&target, &verifier), parts.concat());
		let parts: [&[u8]; 2] = [METER_PREFIX, &7u64.to_le_bytes()];
		assert_eq!(meter_key(7), parts.concat());
		let parts: [&[u8]; 3] =
			[pallet_usage::HELD_RECEIPT_PREFIX, &7u64.to_le_bytes(), &5u32.to_le_bytes()];
		assert_eq!(receipt_key(7, 5), parts.concat());
		// The lease book's keys cannot be taken for one another or for the pallet's.
		assert!(!meter_key(7).starts_with(METER_INDEX_KEY));
		assert!(!METER_INDEX_KEY.starts_with(METER_PREFIX));
		assert!(!meter_key(7).starts_with(pallet_usage::HELD_RECEIPT_PREFIX));
	}
}
