//! Command-line interface of `proof-of-sync-node`.

use sc_cli::RunCmd;

/// `proof-of-sync-node [SUBCOMMAND] [OPTIONS]`: without a subcommand, runs the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,

	/// The most blocks this node's best block may be ahead of its own finalized block for its
	/// offchain worker to answer sync challenges. A node whose finality stalled further behind
	/// does not attest: it cannot claim to be in sync.
	#[arg(
		long,
		value_name = "BLOCKS",
		default_value_t = pallet_sync_attestation::DEFAULT_MAX_FINALITY_LAG,
		value_parser = clap::value_parser!(u32).range(1..)
	)]
	pub attest_max_finality_lag: u32,

	/// Where this node serves the resource endpoint of the providers whose `sync` keys it holds:
	/// the address their registered endpoint (`http://HOST:PORT`) reaches. Verifiers ask it for
	/// liveness, storage, bandwidth and compute proofs; the node keeps each local provider's
	/// storage dataset under `<base path>/chains/<chain>/datasets`. Defaults to
	/// `127.0.0.1:30555` (Alice's genesis endpoint) with `--dev`; otherwise no endpoint is served
	/// unless this is given, and the node's providers earn only their base points.
	#[arg(long, value_name = "ADDRESS")]
	pub resource_listen: Option<std::net::SocketAddr>,

	/// The most storage, in the chain's storage units (`probeConfig.storageUnit` bytes: MiB on
	/// the dev and local chains, GiB on a live one), that this node gives each local provider's
	/// dataset. A provider that declared more is measured, and paid, for what the node holds;
	/// without this option the node holds all its providers declared, so mind the disk.
	#[arg(long, value_name = "UNITS")]
	pub resource_max_storage: Option<u64>,

	/// Serve no resource endpoint, even with `--dev`.
	#[arg(long, conflicts_with = "resource_listen")]
	pub no_resource_endpoint: bool,
}

/// The resource endpoint's address with `--dev` when `--resource-listen` is not given: Alice's
/// endpoint in the development genesis.
pub const DEV_RESOURCE_LISTEN: std::net::SocketAddr =
	std::net::SocketAddr::V4(std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 30555));

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys, and node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain spec (`dev`, `local` or a JSON file) as JSON, plain or raw.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain specification (legacy; prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: pallet weights, storage, block and extrinsic overhead, machine.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// A consumer's client of its leases: open one, store, fetch and download under it at the
	/// provider's resource endpoint, count what it used itself, and receipt the provider's notes
	/// that its own count covers. Talks to a running node over JSON-RPC (`--rpc`); every command
	/// prints one JSON object.
	Usage(crate::usage_client::UsageCmd),
}
