//! `proof-of-sync-node`: the Proof of Sync node.

#![warn(missing_docs)]
// `sc_cli::Error` is large, and it is the error type the sc-cli runner API makes every command
// return: boxing it at each call would only add noise.
#![allow(clippy::result_large_err)]

mod benchmarking;
mod block_vrf;
mod chain_spec;
mod cli;
mod command;
mod resources;
mod rpc;
mod service;
mod sync_status;
mod transaction;
mod usage_client;

fn main() -> sc_cli::Result<()> {
	command::run()
}
