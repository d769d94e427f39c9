//! `proof-of-sync-node usage`: the consumer client of leases.
//!
//! A consumer (`--suri`, its account's sr25519 secret) opens a lease on chain, stores and fetches
//! data under it at the provider's resource endpoint (`resources::lease_wire`), and keeps its own
//! count of what it used ([`state`]). When the provider's node notes a round's counter, the client
//! signs a receipt for it only if the note is the provider's `sync` key's and its counter is at
//! most the client's own; it keeps every note as evidence against a provider that records more.
//!
//! Every command prints its result as one JSON object on stdout (numbers that outgrow JavaScript's
//! as decimal strings, as the `proofOfSync_*` RPCs do). An error goes to stderr as one JSON object
//! (`{"error": …, "refusal": …}`, the refusal being the endpoint's reason, `QuotaExceeded` say),
//! and the command exits non-zero.
//!
//! The client talks to the node's JSON-RPC port over plain HTTP (`--rpc`) and to the endpoint the
//! provider registered on chain (or `--endpoint`). Its records live under `--state-dir`, one file
//! per chain and lease; two clients of the same lease should not share them at once.

mod chain;
mod client;
mod http;
mod state;

use std::{fmt, path::PathBuf, str::FromStr};

use proof_of_sync_runtime_api::ResourceKind;
use serde_json::{json, Value};
use sp_core::crypto::AccountId32;

use crate::resources::lease_wire::LeaseRefusal;
use client::Client;

/// The node's JSON-RPC address when `--rpc` is not given.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:9944";

/// Where the client keeps its records when `--state-dir` is not given.
pub const DEFAULT_STATE_DIR: &str = "./proof-of-sync-usage";

/// `proof-of-sync-node usage [OPTIONS] <COMMAND>`: a consumer's client of its leases.
#[derive(Debug, clap::Args)]
pub struct UsageCmd {
	/// What to do.
	#[command(subcommand)]
	pub action: Action,

	/// The node's JSON-RPC address (HTTP).
	#[arg(long, global = true, value_name = "URL", default_value = DEFAULT_RPC)]
	pub rpc: String,

	/// The consumer's account secret (sr25519): a secret URI such as `//Bob`, a mnemonic or a
	/// `0x` seed. Required.
	#[arg(long, global = true, value_name = "SURI")]
	pub suri: Option<String>,

	/// Where the client keeps its records: one file per chain and lease.
	#[arg(long, global = true, value_name = "DIR", default_value = DEFAULT_STATE_DIR)]
	pub state_dir: PathBuf,

	/// The provider's resource endpoint (`http://HOST:PORT`), instead of the one it registered
	/// on chain.
	#[arg(long, global = true, value_name = "URL")]
	pub endpoint: Option<String>,
}

/// A command of the usage client.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
	/// Open a lease (`Usage.open_lease`) and wait until the chain shows it. Prints
	/// `{"lease": "<id>", …}`.
	Open(OpenArgs),
	/// Store data under a key (storage leases).
	Put(PutArgs),
	/// Fetch the data stored under a key, and check it against what the client stored.
	Get(GetArgs),
	/// Delete the data stored under a key (storage leases).
	Delete(KeyArgs),
	/// Download payload bytes for a fresh random seed and check them (bandwidth leases).
	Download(DownloadArgs),
	/// What the provider's node metered, next to the client's own count.
	Status(LeaseArgs),
	/// Receipt the node's notes of ended rounds that the client's own count covers; refuse the
	/// others. Prints `{"receipted": […], "refused": […], "failed": […]}`.
	Receipt(LeaseArgs),
	/// Cancel a lease (`Usage.cancel_lease`): it ends after the notice its terms give.
	Cancel(LeaseArgs),
}

/// The kinds of resource a lease can be of.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Kind {
	/// Storage units held per round.
	Storage,
	/// Megabits served.
	Bandwidth,
	/// Milli-vCPU reserved per round.
	Compute,
}

impl From<Kind> for ResourceKind {
	fn from(kind: Kind) -> Self {
		match kind {
			Kind::Storage => ResourceKind::Storage,
			Kind::Bandwidth => ResourceKind::Bandwidth,
			Kind::Compute => ResourceKind::Compute,
		}
	}
}

/// `usage open`.
#[derive(Debug, clap::Args)]
pub struct OpenArgs {
	/// The provider: an SS58 address or a `0x` account id.
	#[arg(long, value_parser = parse_account)]
	pub provider: AccountId32,
	/// What to lease.
	#[arg(long, value_enum)]
	pub kind: Kind,
	/// The capacity reserved each round: storage units, Mbit/s or milli-vCPU.
	#[arg(long, value_name = "N")]
	pub units: u64,
	/// For how many rounds, from the next one.
	#[arg(long, value_name = "R")]
	pub rounds: u32,
	/// The most the consumer pays per usage unit, in plancks.
	#[arg(long, value_name = "PLANCK")]
	pub max_price: u128,
}

/// A lease.
#[derive(Debug, clap::Args)]
pub struct LeaseArgs {
	/// The lease's id.
	#[arg(long, value_name = "ID")]
	pub lease: u64,
}

/// A lease and an object's key.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
	/// The lease's id.
	#[arg(long, value_name = "ID")]
	pub lease: u64,
	/// The object's key (at most 128 bytes of UTF-8).
	#[arg(long, value_name = "K")]
	pub key: String,
}

/// `usage put`.
#[derive(Debug, clap::Args)]
pub struct PutArgs {
	/// The lease and key.
	#[command(flatten)]
	pub target: KeyArgs,
	/// Store this file's bytes (at most 1 MiB).
	#[arg(long, value_name = "PATH", conflicts_with = "data", required_unless_present = "data")]
	pub file: Option<PathBuf>,
	/// Store this text's UTF-8 bytes.
	#[arg(long, value_name = "STRING")]
	pub data: Option<String>,
}

/// `usage get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
	/// The lease and key.
	#[command(flatten)]
	pub target: KeyArgs,
	/// Also write the bytes to this file.
	#[arg(long, value_name = "PATH")]
	pub out: Option<PathBuf>,
}

/// `usage download`.
#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
	/// The lease's id.
	#[arg(long, value_name = "ID")]
	pub lease: u64,
	/// How many bytes (at most 16 MiB).
	#[arg(long, value_name = "N")]
	pub bytes: u32,
}

fn parse_account(text: &str) -> std::result::Result<AccountId32, String> {
	AccountId32::from_str(text).map_err(|e| format!("{text}: {e}"))
}

/// Why a command failed.
#[derive(Debug)]
pub enum UsageError {
	/// The resource endpoint refused the request.
	Refused {
		/// What was asked (`put`, say).
		call: &'static str,
		/// The refusal its text body names, if it names one.
		refusal: Option<LeaseRefusal>,
		/// The HTTP status.
		status: u16,
		/// The start of the text body.
		text: String,
	},
	/// Anything else.
	Failed(String),
}

impl From<String> for UsageError {
	fn from(message: String) -> Self {
		UsageError::Failed(message)
	}
}

impl From<&str> for UsageError {
	fn from(message: &str) -> Self {
		UsageError::Failed(message.to_owned())
	}
}

impl fmt::Display for UsageError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			UsageError::Refused { call, refusal, status, text } => write!(
				f,
				"{}: the endpoint refused the {call} (HTTP {status}): {text}",
				refusal.map_or("Refused", LeaseRefusal::name),
			),
			UsageError::Failed(message) => f.write_str(message),
		}
	}
}

impl UsageError {
	/// The error as the client prints it on stderr.
	fn to_json(&self) -> Value {
		match self {
			UsageError::Refused { refusal, status, .. } => json!({
				"error": self.to_string(),
				"refusal": refusal.map(LeaseRefusal::name),
				"status": status,
			}),
			UsageError::Failed(_) => json!({ "error": self.to_string(), "refusal": null }),
		}
	}
}

type Result<T> = std::result::Result<T, UsageError>;

impl UsageCmd {
	/// Runs the command on a small runtime of its own (it needs no node database): prints its
	/// result as one JSON object on stdout, or its error as one on stderr and fails.
	pub fn run(&self) -> sc_cli::Result<()> {
		let runtime = tokio::runtime::Builder::new_current_thread()
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		match runtime.block_on(self.execute()) {
			Ok(output) => {
				println!("{output}");
				Ok(())
			},
			Err(error) => {
				eprintln!("{}", error.to_json());
				Err(sc_cli::Error::Input(error.to_string()))
			},
		}
	}

	async fn execute(&self) -> Result<Value> {
		let mut client = Client::connect(self).await?;
		match &self.action {
			Action::Open(args) => client.open(args).await,
			Action::Put(args) => client.put(args).await,
			Action::Get(args) => client.get(args).await,
			Action::Delete(args) => client.delete(args).await,
			Action::Download(args) => client.download(args).await,
			Action::Status(args) => client.status(args.lease).await,
			Action::Receipt(args) => client.receipt(args.lease).await,
			Action::Cancel(args) => client.cancel(args.lease).await,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::{chain::to_hex, *};
	use clap::Parser;
	use sp_core::crypto::Ss58Codec;

	/// The node's command line, enough of it to parse `usage`.
	#[derive(Debug, clap::Parser)]
	struct Cli {
		#[command(subcommand)]
		usage: Usage,
	}

	#[derive(Debug, clap::Subcommand)]
	enum Usage {
		Usage(UsageCmd),
	}

	fn parse(args: &[&str]) -> std::result::Result<UsageCmd, clap::Error> {
		let args = ["proof-of-sync-node", "usage"].iter().chain(args);
		Cli::try_parse_from(args).map(|cli| match cli.usage {
			Usage::Usage(cmd) => cmd,
		})
	}

	#[test]
	fn the_command_line_parses_with_options_before_or_after_the_command() {
		let bob = sp_keyring::Sr25519Keyring::Bob.to_account_id();
		let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
		let provider = alice.to_ss58check();
		let cmd = parse(&[
			"--suri",
			"//Bob",
			"open",
			"--provider",
			provider.as_str(),
			"--kind",
			"storage",
			"--units",
			"4",
			"--rounds",
			"10",
			"--max-price",
			"1000000000000",
		])
		.unwrap();
		assert_eq!(cmd.suri.as_deref(), Some("//Bob"));
		assert_eq!(cmd.rpc, DEFAULT_RPC);
		assert_eq!(cmd.state_dir, PathBuf::from(DEFAULT_STATE_DIR));
		let Action::Open(open) = cmd.action else { panic!("not open") };
		assert_eq!((open.provider, open.kind, open.units), (alice, Kind::Storage, 4));
		assert_eq!((open.rounds, open.max_price), (10, 1_000_000_000_000));

		let hex = to_hex(&<[u8; 32]>::from(bob));
		let cmd =
			parse(&["put", "--lease", "3", "--key", "k", "--data", "hi", "--suri", hex.as_str()])
				.unwrap();
		let Action::Put(put) = cmd.action else { panic!("not put") };
		assert_eq!((put.target.lease, put.target.key.as_str()), (3, "k"));
		assert_eq!(put.data.as_deref(), Some("hi"));
		// One of --file and --data, not both.
		assert!(parse(&["put", "--lease", "3", "--key", "k"]).is_err());
		assert!(
			parse(&["put", "--lease", "3", "--key", "k", "--data", "a", "--file", "b"]).is_err()
		);
		assert!(parse(&["open", "--provider", "nobody", "--kind", "storage"]).is_err());
		let cmd = parse(&["receipt", "--lease", "7", "--rpc", "http://127.0.0.1:9955"]).unwrap();
		assert!(matches!(cmd.action, Action::Receipt(LeaseArgs { lease: 7 })));
		assert_eq!(cmd.rpc, "http://127.0.0.1:9955");
	}

	#[test]
	fn a_refusal_prints_its_reason_first() {
		let error = UsageError::Refused {
			call: "put",
			refusal: LeaseRefusal::from_body(b"QuotaExceeded: 5 units above the quota of 4"),
			status: 413,
			text: "QuotaExceeded: 5 units above the quota of 4".into(),
		};
		assert!(error.to_string().starts_with("QuotaExceeded: the endpoint refused the put"));
		let printed = error.to_json();
		assert_eq!(printed["refusal"], "QuotaExceeded");
		assert_eq!(printed["status"], 413);
		let other = UsageError::from("no round has started yet");
		assert_eq!(other.to_json()["refusal"], Value::Null);
	}
}
