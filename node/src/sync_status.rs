//! Tells the runtime's offchain worker how well this node is synced.
//!
//! The offchain worker answers the provider's sync challenges, but it runs inside the runtime and
//! cannot see the node's sync state. This task writes it where the worker reads it: a SCALE
//! [`SyncStatus`] under [`SYNC_STATUS_KEY`] in the node's PERSISTENT offchain storage, refreshed
//! on every imported and every finalized block. A node that is major-syncing says so, and its
//! worker does not attest: a node catching up cannot claim to be in sync. The status also carries
//! the node's `--attest-max-finality-lag`, beyond which the worker does not attest either.

use std::sync::Arc;

use codec::Encode;
use futures::{stream, StreamExt};
use pallet_sync_attestation::{SyncStatus, SYNC_STATUS_KEY};
use proof_of_sync_runtime::{opaque::Block, BlockNumber};
use sc_client_api::{BlockchainEvents, HeaderBackend};
use sp_consensus::SyncOracle;
use sp_core::offchain::{OffchainStorage, STORAGE_PREFIX};

/// The status of the node now.
fn current<C, S>(client: &C, sync: &S, max_finality_lag: u32) -> SyncStatus<BlockNumber>
where
	C: HeaderBackend<Block>,
	S: SyncOracle + ?Sized,
{
	SyncStatus {
		major_syncing: sync.is_major_syncing(),
		finalized_number: client.info().finalized_number,
		max_finality_lag,
	}
}

/// Publishes the status at start and after every import and finality notification, until the
/// client's streams end.
pub async fn publish<C, S, O>(
	client: Arc<C>,
	sync: Arc<S>,
	mut offchain_db: O,
	max_finality_lag: u32,
) where
	C: BlockchainEvents<Block> + HeaderBackend<Block>,
	S: SyncOracle + ?Sized,
	O: OffchainStorage,
{
	let write = |db: &mut O| {
		let status = current(&*client, &*sync, max_finality_lag);
		db.set(STORAGE_PREFIX, SYNC_STATUS_KEY, &status.encode());
	};
	write(&mut offchain_db);
	// Every import, not only those after the initial sync: the status must say "syncing" while
	// the node catches up.
	let imports = client.every_import_notification_stream().map(|_| ());
	let finality = client.finality_notification_stream().map(|_| ());
	let mut events = stream::select(imports, finality);
	while events.next().await.is_some() {
		write(&mut offchain_db);
	}
}
