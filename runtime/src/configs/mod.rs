//! One `Config` implementation per pallet of the runtime.

mod consensus;
mod monetary;
mod proof_of_sync;

pub use consensus::*;
pub use monetary::*;
pub use proof_of_sync::*;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use super::{
	AccountId, Balance, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, RuntimeTask, BLOCK_HASH_COUNT, SS58_PREFIX, VERSION,
};

/// Share of a block that normal (not operational or mandatory) extrinsics may fill.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Maximum encoded length of a block.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
	pub const Version: RuntimeVersion = VERSION;

	/// Two seconds of compute per block, out of a six-second block time.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * *max
		})
		.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	/// The block type of the runtime.
	type Block = Block;
	/// Block and extrinsic weights: base values and limits.
	type BlockWeights = RuntimeBlockWeights;
	/// The maximum length of a block, in bytes.
	type BlockLength = RuntimeBlockLength;
	/// Accounts are sr25519/ed25519/ecdsa public keys (32 bytes).
	type AccountId = AccountId;
	/// The type counting the transactions an account has signed.
	type Nonce = Nonce;
	/// The type for hashing blocks and tries.
	type Hash = Hash;
	/// Number of block number to hash mappings kept.
	type BlockHashCount = BlockHashCount;
	/// The node's database is ParityDB; weigh storage access accordingly.
	type DbWeight = ParityDbWeight;
	/// Version of the runtime.
	type Version = Version;
	/// Balances live in the system account record.
	type AccountData = pallet_balances::AccountData<Balance>;
	/// The SS58 prefix of addresses, the same as in the chain spec properties.
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = frame_support::traits::ConstU32<16>;
	/// Migrations of the runtime as a whole, run on a runtime upgrade (none yet).
	type SingleBlockMigrations = ();
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
