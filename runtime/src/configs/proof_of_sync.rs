//! The Proof of Sync pallets: the resource registry (and, as they land, sync attestation and
//! rewards).

use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32},
	PalletId,
};
use pos_primitives::{RoundClock, RoundIndex};
use sp_runtime::traits::AccountIdConversion;

use crate::{AccountId, Balance, Balances, Runtime, RuntimeHoldReason, Session, DSYNC};

/// Rounds are sessions: the round index is the session index.
pub struct SessionRounds;
impl RoundClock for SessionRounds {
	fn current_round() -> RoundIndex {
		pallet_session::Pallet::<Runtime>::current_index()
	}
}

parameter_types! {
	/// The reward pot: emission is paid out of it, and slashed bonds go into it.
	pub const RewardPotId: PalletId = PalletId(*b"pos/pot_");
	pub RewardPot: AccountId = RewardPotId::get().into_account_truncating();

	pub const MinProviderBond: Balance = 100 * DSYNC;
	pub const MinValidatorBond: Balance = 1_000 * DSYNC;
}

/// The most providers the registry holds. Nothing iterates over them on chain; the bound keeps
/// the registry's storage bounded.
pub const MAX_PROVIDERS: u32 = 100_000;

/// Rounds a leaving provider's bond stays held: seven minutes with this runtime's 10-block rounds.
pub const UNBONDING_ROUNDS: RoundIndex = 7;

impl pallet_resources::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Rounds = SessionRounds;
	/// Session keys are the ones `session.set_keys` registered.
	type ValidatorRegistration = Session;
	type Slash = ResolveTo<RewardPot, Balances>;
	type MinProviderBond = MinProviderBond;
	type MinValidatorBond = MinValidatorBond;
	type MaxProviders = ConstU32<MAX_PROVIDERS>;
	/// Twice the authority set: room for challengers.
	type MaxCandidates = ConstU32<{ 2 * super::MAX_AUTHORITIES }>;
	type MaxEndpointLen = ConstU32<128>;
	type UnbondingRounds = ConstU32<UNBONDING_ROUNDS>;
	type WeightInfo = pallet_resources::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// What the pallets' benchmarks need from this runtime.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_resources::BenchmarkHelper<AccountId> for BenchmarkHelper {
	fn set_session_keys(who: &AccountId) {
		use sp_core::{ed25519, sr25519};
		// The account's bytes as public keys: unique per account, never used to sign.
		let seed: [u8; 32] = *AsRef::<[u8; 32]>::as_ref(who);
		let keys = crate::SessionKeys {
			aura: sr25519::Public::from_raw(seed).into(),
			grandpa: ed25519::Public::from_raw(seed).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}
