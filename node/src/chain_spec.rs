//! The chain specs the node knows by name. Genesis comes from the runtime's presets; the node adds
//! only the name, id, type and the token properties wallets read.

use sc_service::{ChainType, Properties};

use proof_of_sync_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};

/// The chain spec type of this node: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The token properties of the chain (`system_properties`), taken from the runtime so they match
/// its SS58 prefix and the metadata hash.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

/// A chain spec of this node's runtime with the genesis preset `preset`.
fn chain_spec(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"The runtime wasm is not available: the node was built with SKIP_WASM_BUILD".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// `--dev`: a single validator (Alice) that produces and finalizes blocks on its own.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"Proof of Sync Development",
		"proof_of_sync_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: three validators, Alice, Bob and Charlie.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	chain_spec(
		"Proof of Sync Local Testnet",
		"proof_of_sync_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
