//! The chain specs the node knows by name. Genesis comes from the runtime's presets; the node adds
//! only the name, id, type and the token properties wallets read.

use sc_service::{ChainType, Properties};

use destra_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};

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

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime wasm is not available: the node was built with SKIP_WASM_BUILD".to_string()
	})
}

/// `--dev`: a single validator (Alice) that produces and finalizes blocks on its own.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Proof of Sync Development")
		.with_id("destra_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: three validators, Alice, Bob and Charlie.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Proof of Sync Local Testnet")
		.with_id("destra_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
