//! The node's JSON-RPC extensions, on top of the standard Substrate methods (`chain_*`,
//! `state_*`, `author_*`, `system_*` and the rest) that `sc-service` serves by itself.

#![warn(missing_docs)]

use std::sync::Arc;

use jsonrpsee::RpcModule;
use sc_client_api::BlockchainEvents;
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

use proof_of_sync_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	/// The client, to call runtime APIs and read headers.
	pub client: Arc<C>,
	/// The transaction pool, for `system_accountNextIndex`.
	pub pool: Arc<P>,
	/// Runs subscription tasks (`proofOfSync_subscribeRounds`).
	pub subscription_executor: SubscriptionTaskExecutor,
}

/// Builds the RPC extensions: `system_accountNextIndex` and `system_dryRun` (from
/// `substrate-frame-rpc-system`), `payment_queryInfo` and `payment_queryFeeDetails`, and the
/// `proofOfSync_*` methods and round subscription.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: proof_of_sync_rpc::ProofOfSyncRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	C: BlockchainEvents<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use proof_of_sync_rpc::{ProofOfSync, ProofOfSyncApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, subscription_executor } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(ProofOfSync::new(client, subscription_executor).into_rpc())?;

	Ok(module)
}
