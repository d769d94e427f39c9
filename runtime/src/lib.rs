//! # Proof of Sync runtime
//!
//! The FRAME runtime of the Proof of Sync chain: a solochain whose blocks are produced by Aura and
//! finalized by GRANDPA, with the authority set handed to both by `pallet-session` at each round
//! (session) boundary.
//!
//! - `lib.rs` (this file): composition of the runtime, its version and the core types;
//! - [`configs`]: one `Config` implementation per pallet;
//! - [`apis`]: every runtime API the node and clients call;
//! - [`genesis_config_presets`]: the `development` and `local_testnet` genesis presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` expand to large items.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// Before `apis`: `define_benchmarks!` in it defines the `list_benchmarks!` and `add_benchmarks!`
// macros `apis` uses.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(test)]
mod tests;
mod views;

/// Facts about the native token, shared with `build.rs` (metadata hash) and the node (chain spec).
mod token {
	include!("token.rs");
}
pub use token::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know about blocks without knowing the runtime's types,
/// so it keeps syncing across runtime upgrades that change them.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator or provider: the keys its node signs blocks (Aura),
	/// finality votes (GRANDPA) and sync attestations (`sync`) with.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
		pub sync: SyncAttestation,
	}
}

/// The version of the runtime. Bump `spec_version` on every change of runtime logic, and
/// `transaction_version` on every change of a call's index or arguments.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("proof-of-sync"),
	impl_name: alloc::borrow::Cow::Borrowed("proof-of-sync-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

mod block_times {
	/// The block time the chain targets. Aura produces at most one block per slot, and the slot
	/// duration is this value.
	///
	/// It cannot be changed once the chain has started: block production would stop.
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;

	/// The Aura slot duration.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
}
pub use block_times::*;

// Time measured in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// Length of a Proof of Sync round, which is one `pallet-session` session: authority changes take
/// effect at its boundaries. Ten blocks (one minute) keeps rounds observable on a dev chain.
pub const ROUND_LENGTH: BlockNumber = 10;

/// Number of block hashes `frame-system` keeps (oldest pruned first); mortal transactions can live
/// at most this long.
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// One DSYNC, in plancks (`10^TOKEN_DECIMALS`).
pub const DSYNC: Balance = 10u128.pow(TOKEN_DECIMALS as u32);
/// One thousandth of a DSYNC.
pub const MILLI_DSYNC: Balance = DSYNC / 1_000;
/// One millionth of a DSYNC.
pub const MICRO_DSYNC: Balance = MILLI_DSYNC / 1_000;

/// The minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_DSYNC;

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;

/// An account identifier: the public key of the account's signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in plancks.
pub type Balance = u128;

/// Index of a transaction in the chain.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// An index to a block.
pub type BlockNumber = u32;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A block signed with a justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// `BlockId` type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked in this order.
///
/// `AuthorizeCall` comes first: it lets calls declared with `#[pallet::authorize]` (the fee-free
/// sync attestations of providers) through without a signer; for every other transaction it is a
/// no-op. `CheckMetadataHash` lets offline signers prove which metadata (and token) they showed.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Executive: dispatches to the pallets. Migrations go to
/// `frame_system::Config::SingleBlockMigrations`, not into this type.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
>;

// Pallet indices are explicit and permanent: they are part of every encoded call and storage key.
// The Proof of Sync pallets take indices from 10 on.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(3)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Session before Aura and GRANDPA: a session change in `on_initialize` hands them the new
	// authorities before Aura checks the slot of the block.
	#[runtime::pallet_index(4)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(5)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(6)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(7)]
	pub type Sudo = pallet_sudo;

	// The Proof of Sync pallets. Genesis builds run in the order the pallets are declared here
	// (also their index order), after Balances and Session, and depend on it: Resources holds the
	// genesis providers' bonds from the balances Balances endowed; Session opened round 0 before
	// Resources registered anyone, so SyncAttestation's genesis re-opens round 0 once the
	// providers exist; Rewards mints the pot last. Do not declare them before Balances or Session,
	// or reorder them among themselves.
	#[runtime::pallet_index(10)]
	pub type Resources = pallet_resources;

	#[runtime::pallet_index(11)]
	pub type SyncAttestation = pallet_sync_attestation;

	#[runtime::pallet_index(12)]
	pub type Rewards = pallet_rewards;

	#[runtime::pallet_index(13)]
	pub type Usage = pallet_usage;
}
