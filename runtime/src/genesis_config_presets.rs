//! Genesis presets of the runtime: `development` (one validator, Alice) and `local_testnet`
//! (Alice, Bob and Charlie). Each validator is also a registered provider and validator candidate.
//! The node's chain specs only pick one of these by name.

use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use pallet_sync_attestation::crypto::SyncId;
use proof_of_sync_primitives::{Capacity, ProbeConfig};

use crate::{
	configs::MinValidatorBond, AccountId, Balance, BalancesConfig, ResourcesConfig, RewardsConfig,
	RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, SyncAttestationConfig, DSYNC,
};

/// What each pre-funded development account starts with.
pub const ENDOWMENT: Balance = 1_000_000 * DSYNC;

/// What the reward pot starts with: 100 000 rounds of the full emission.
pub const REWARD_POT_FUNDING: Balance = 10_000_000 * DSYNC;

/// What each genesis validator declares: 4 vCPU, 100 GiB, 1 Gbit/s.
pub const GENESIS_CAPACITY: Capacity = Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 };

/// How the test chains' verifiers probe: storage in MiB rather than GiB (a genesis validator's
/// 100 units are a 100 MiB dataset, sealed in about 40 core-seconds), 16 lanes of leaves sealed
/// with 64 hashes a block, 16 samples answered within 400 ms, a 1 MiB bandwidth payload and a
/// 200 ms compute probe. The deadline and the seal hold a provider that keeps less than a 976th
/// of its dataset below what it claims (`ProbeConfig::resealable_overclaim`).
pub const TEST_PROBE_CONFIG: ProbeConfig = ProbeConfig {
	storage_unit: 1 << 20,
	dataset_lanes: 16,
	seal_iterations: 64,
	storage_samples: 16,
	storage_deadline_ms: 400,
	bandwidth_bytes: 1 << 20,
	compute_millis: 200,
};

/// A genesis validator: its account, its session keys, and the endpoint it registers as a
/// provider with.
struct Validator {
	account: AccountId,
	aura: AuraId,
	grandpa: GrandpaId,
	sync: SyncId,
	endpoint: String,
}

impl Validator {
	/// A well-known development validator: the same keys `--alice`, `--bob` and the other
	/// dev-account flags put in the node's keystore (sr25519 for the account, Aura and `sync`,
	/// ed25519 of the same name for GRANDPA).
	///
	/// Each registers as provider with endpoint `http://127.0.0.1:<port>`.
	fn dev(sr: Sr25519Keyring, ed: Ed25519Keyring, port: u16) -> Self {
		Self {
			account: sr.to_account_id(),
			aura: sr.public().into(),
			grandpa: ed.public().into(),
			sync: sr.public().into(),
			endpoint: alloc::format!("http://127.0.0.1:{port}"),
		}
	}
}

/// A genesis with the given validators, pre-funded accounts and sudo key. Every validator is also
/// a registered provider and validator candidate, bonded with `MinValidatorBond`.
///
/// The pallets' genesis builds run in the order the runtime declares them, and this genesis
/// relies on it: Balances endows the validators before Resources holds their bonds (so each
/// validator must be in `endowed` with at least `MinValidatorBond`), and SyncAttestation, built
/// after Resources, re-opens round 0 that Session opened before any provider was registered.
fn testnet_genesis(validators: Vec<Validator>, endowed: Vec<AccountId>, root: AccountId) -> Value {
	let providers = validators
		.iter()
		.map(|v| {
			let endpoint = v.endpoint.as_bytes().to_vec();
			(v.account.clone(), endpoint, GENESIS_CAPACITY, MinValidatorBond::get(), true)
		})
		.collect::<Vec<_>>();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|who| (who, ENDOWMENT)).collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: validators
				.into_iter()
				.map(|v| {
					let keys = SessionKeys { aura: v.aura, grandpa: v.grandpa, sync: v.sync };
					(v.account.clone(), v.account, keys)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		resources: ResourcesConfig { providers },
		rewards: RewardsConfig { pot_funding: REWARD_POT_FUNDING },
		sync_attestation: SyncAttestationConfig { probe_config: TEST_PROBE_CONFIG },
	})
}

/// The well-known development accounts that start with funds.
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// The `development` preset: Alice is the only validator and the sudo key.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![Validator::dev(Sr25519Keyring::Alice, Ed25519Keyring::Alice, 30555)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The `local_testnet` preset: Alice, Bob and Charlie validate; Alice is the sudo key.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			Validator::dev(Sr25519Keyring::Alice, Ed25519Keyring::Alice, 30555),
			Validator::dev(Sr25519Keyring::Bob, Ed25519Keyring::Bob, 30556),
			Validator::dev(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie, 30557),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// The JSON patch of the preset called `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of the presets [`get_preset`] knows.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
