//! Builds the runtime's wasm blob, with the metadata hash `CheckMetadataHash` commits to.

// `SS58_PREFIX` is for the runtime only.
#![allow(dead_code)]

// The token facts come from the one file the runtime uses as well, so the metadata hash, the
// runtime and the chain spec properties can never disagree.
include!("src/token.rs");

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(TOKEN_SYMBOL, TOKEN_DECIMALS)
		.build();
}

/// The wasm builder is not needed when this crate is itself compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
