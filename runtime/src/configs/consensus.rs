//! Block production (Aura), finality (GRANDPA), their authority sets (session) and time.

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

use crate::{
	AccountId, Aura, Balances, BlockNumber, Runtime, RuntimeEvent, SessionKeys, DSYNC,
	ROUND_LENGTH, SLOT_DURATION,
};

/// The most authorities Aura and GRANDPA accept in one set.
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	// Set id to session mappings are only read to check equivocation proofs, which this runtime
	// does not take yet (`KeyOwnerProof` is uninhabited): keep just the latest.
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

parameter_types! {
	/// Blocks per session, that is per Proof of Sync round.
	pub const SessionPeriod: BlockNumber = ROUND_LENGTH;
	/// The first session ends at block `SessionPeriod`, not before.
	pub const SessionOffset: BlockNumber = 0;
}

/// Session rotates every `ROUND_LENGTH` blocks.
pub type PeriodicRounds = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// A validator is identified by its account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = PeriodicRounds;
	type NextSessionRotation = PeriodicRounds;
	/// Each round's authorities are the validator candidates with the best proven sync.
	type SessionManager = crate::SyncAttestation;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Held from an account while it has session keys registered, so key storage is paid for.
	type KeyDeposit = KeyDeposit;
}

parameter_types! {
	pub const KeyDeposit: crate::Balance = DSYNC;
}
