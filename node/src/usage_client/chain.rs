//! What the client reads from and sends to the chain, over the node's JSON-RPC (HTTP POST): the
//! standard `chain_*`, `state_*`, `system_*` and `author_*` methods and the `proofOfSync_*` ones,
//! and the signed transactions it submits.

use std::time::Duration;

pub use crate::transaction::TxContext;
use codec::{Decode, Encode};
use proof_of_sync_runtime::{RuntimeCall, RuntimeError};
use proof_of_sync_runtime_api::{LeaseInfo, ProviderInfo, ResourceKind, RoundInfo};
use serde_json::{json, Value};
use sp_core::{
	crypto::{AccountId32, Ss58Codec},
	serde::de::DeserializeOwned,
	H256,
};
use sp_runtime::{generic::Era, ApplyExtrinsicResult};

use super::http::{post, HttpUrl};

/// A lease as the chain reports it.
pub type Lease = LeaseInfo<AccountId32, u128>;

/// How long one JSON-RPC call may take.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest JSON-RPC answer read, in bytes.
pub const MAX_RPC_ANSWER: usize = 16 << 20;

/// How many blocks a transaction the client signs stays valid: a power of two, far below the
/// runtime's `BlockHashCount` (2 400).
pub const MORTALITY: u64 = 64;

/// A JSON-RPC 2.0 client of one node, over plain HTTP.
pub struct Rpc {
	url: HttpUrl,
	next_id: u64,
}

impl Rpc {
	/// A client of the node whose RPC port `url` (`http://host:port`) reaches.
	pub fn new(url: &str) -> Result<Self, String> {
		Ok(Self { url: HttpUrl::parse(url)?, next_id: 1 })
	}

	/// Calls `method` with the positional `params` and returns its result.
	pub async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
		let id = self.next_id;
		self.next_id = self.next_id.saturating_add(1);
		let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
		let body = serde_json::to_vec(&request).map_err(|e| format!("{method}: {e}"))?;
		let path = self.url.own_path();
		let (status, answer) =
			post(&self.url, &path, "application/json", body, MAX_RPC_ANSWER, RPC_TIMEOUT)
				.await
				.map_err(|e| format!("RPC {method}: {e}"))?;
		if !status.is_success() {
			let text = String::from_utf8_lossy(&answer);
			return Err(format!("RPC {method}: HTTP {status}: {text}"));
		}
		parse_response(&answer).map_err(|e| format!("RPC {method}: {e}"))
	}

	/// Calls `method` and reads its result as `T`.
	async fn call_as<T: DeserializeOwned>(
		&mut self,
		method: &str,
		params: Value,
	) -> Result<T, String> {
		let result = self.call(method, params).await?;
		serde_json::from_value(result).map_err(|e| format!("RPC {method}: unexpected result: {e}"))
	}

	/// The hash of block `number` of the best chain.
	pub async fn block_hash(&mut self, number: u64) -> Result<[u8; 32], String> {
		let result = self.call("chain_getBlockHash", json!([number])).await?;
		parse_hash(&result).map_err(|e| format!("chain_getBlockHash({number}): {e}"))
	}

	/// The chain's genesis hash.
	pub async fn genesis_hash(&mut self) -> Result<[u8; 32], String> {
		self.block_hash(0).await
	}

	/// The hash of the newest finalized block.
	pub async fn finalized_head(&mut self) -> Result<[u8; 32], String> {
		let result = self.call("chain_getFinalizedHead", json!([])).await?;
		parse_hash(&result).map_err(|e| format!("chain_getFinalizedHead: {e}"))
	}

	/// The number of block `hash`, or of the best block.
	pub async fn block_number(&mut self, hash: Option<&[u8; 32]>) -> Result<u64, String> {
		let params = match hash {
			Some(hash) => json!([to_hex(hash)]),
			None => json!([]),
		};
		let header = self.call("chain_getHeader", params).await?;
		header
			.get("number")
			.ok_or_else(|| "chain_getHeader: no number".to_owned())
			.and_then(parse_number)
			.map_err(|e| format!("chain_getHeader: {e}"))
	}

	/// The runtime's `(specVersion, transactionVersion)`.
	pub async fn runtime_version(&mut self) -> Result<(u32, u32), String> {
		let version = self.call("state_getRuntimeVersion", json!([])).await?;
		let field = |name: &str| {
			version
				.get(name)
				.and_then(Value::as_u64)
				.and_then(|v| u32::try_from(v).ok())
				.ok_or_else(|| format!("state_getRuntimeVersion: no {name}"))
		};
		Ok((field("specVersion")?, field("transactionVersion")?))
	}

	/// The nonce `who`'s next transaction takes, counting those in the node's pool.
	pub async fn next_nonce(&mut self, who: &AccountId32) -> Result<u32, String> {
		let result = self.call("system_accountNextIndex", json!([who.to_ss58check()])).await?;
		parse_number(&result)
			.and_then(|n| u32::try_from(n).map_err(|_| "too large".to_owned()))
			.map_err(|e| format!("system_accountNextIndex: {e}"))
	}

	/// The index of the round in progress.
	pub async fn round(&mut self) -> Result<u32, String> {
		let info: Option<RoundInfo<u32>> = self.call_as("proofOfSync_roundInfo", json!([])).await?;
		info.map(|info| info.index).ok_or_else(|| "no round has started yet".to_owned())
	}

	/// Provider `who`'s registered endpoint.
	pub async fn provider_endpoint(&mut self, who: &AccountId32) -> Result<Vec<u8>, String> {
		let info: Option<ProviderInfo<u128>> =
			self.call_as("proofOfSync_provider", json!([who.to_ss58check()])).await?;
		info.map(|info| info.endpoint)
			.ok_or_else(|| format!("{who} is not a registered provider"))
	}

	/// The chain's storage unit, in bytes (`probeConfig.storageUnit`).
	pub async fn storage_unit(&mut self) -> Result<u64, String> {
		let config: proof_of_sync_runtime_api::ProbeConfig =
			self.call_as("proofOfSync_probeConfig", json!([])).await?;
		Ok(config.storage_unit)
	}

	/// The leases of `who` not closed yet (those it pays for, then those it serves).
	pub async fn leases(&mut self, who: &AccountId32) -> Result<Vec<Lease>, String> {
		self.call_as("proofOfSync_leases", json!([who.to_ss58check()])).await
	}

	/// Lease `id` at the best block, or at block `at`; `None` if it is closed or unknown.
	pub async fn lease(&mut self, id: u64, at: Option<&[u8; 32]>) -> Result<Option<Lease>, String> {
		let params = match at {
			Some(at) => json!([id, to_hex(at)]),
			None => json!([id]),
		};
		self.call_as("proofOfSync_lease", params).await
	}

	/// The `sync` key of `who`'s session keys, through the runtime API (`state_call`).
	pub async fn sync_key(&mut self, who: &AccountId32) -> Result<Option<[u8; 32]>, String> {
		let data = to_hex(&who.encode());
		let result = self.call("state_call", json!(["ProofOfSyncApi_sync_key", data])).await?;
		let bytes = result
			.as_str()
			.ok_or_else(|| "not a string".to_owned())
			.and_then(from_hex)
			.map_err(|e| format!("state_call ProofOfSyncApi_sync_key: {e}"))?;
		Option::<[u8; 32]>::decode(&mut bytes.as_slice())
			.map_err(|e| format!("state_call ProofOfSyncApi_sync_key: {e}"))
	}

	/// What applying `extrinsic` on the best block would do (`system_dryRun`).
	pub async fn dry_run(&mut self, extrinsic: &[u8]) -> Result<DryRun, String> {
		let result = self.call("system_dryRun", json!([to_hex(extrinsic)])).await?;
		let bytes = result
			.as_str()
			.ok_or_else(|| "not a string".to_owned())
			.and_then(from_hex)
			.map_err(|e| format!("system_dryRun: {e}"))?;
		decode_dry_run(&bytes)
	}

	/// Hands `extrinsic` to the node's pool; returns its hash.
	pub async fn submit(&mut self, extrinsic: &[u8]) -> Result<String, String> {
		let result = self.call("author_submitExtrinsic", json!([to_hex(extrinsic)])).await?;
		result
			.as_str()
			.map(str::to_owned)
			.ok_or_else(|| "author_submitExtrinsic: no hash".into())
	}

	/// What a transaction signed now needs from the chain: its genesis hash, runtime versions,
	/// and a mortality of [`MORTALITY`] blocks from the newest finalized block (which no reorg
	/// takes away), or from the best block if finality lags too far behind for that.
	pub async fn tx_context(&mut self, genesis: [u8; 32]) -> Result<TxContext, String> {
		let (spec_version, transaction_version) = self.runtime_version().await?;
		let finalized = self.finalized_head().await?;
		let finalized_number = self.block_number(Some(&finalized)).await?;
		let best_number = self.block_number(None).await?;
		let number = if best_number.saturating_sub(finalized_number) < MORTALITY / 4 {
			finalized_number
		} else {
			best_number
		};
		let era = Era::mortal(MORTALITY, number);
		let birth = era.birth(number);
		let birth_hash =
			if birth == finalized_number { finalized } else { self.block_hash(birth).await? };
		Ok(TxContext {
			genesis: H256::from(genesis),
			spec_version,
			transaction_version,
			era,
			birth_hash: H256::from(birth_hash),
		})
	}
}

/// What a dry run of a transaction found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DryRun {
	/// It would be included and dispatch without error.
	Dispatches,
	/// It would be included but its call would fail, with this error (`Usage(Overbooked)`, say).
	Fails(String),
	/// It would not be included now (a nonce ahead of the chain's, with an earlier transaction
	/// still in the pool, say): the node's pool has the last word.
	Invalid(String),
}

/// The result of a JSON-RPC 2.0 answer `body`, or its error.
pub fn parse_response(body: &[u8]) -> Result<Value, String> {
	let mut answer: Value =
		serde_json::from_slice(body).map_err(|e| format!("not a JSON-RPC answer: {e}"))?;
	if let Some(error) = answer.get("error") {
		let message = error.get("message").and_then(Value::as_str).unwrap_or("error");
		let code = error.get("code").and_then(Value::as_i64).unwrap_or_default();
		return Err(match error.get("data") {
			Some(data) if !data.is_null() => format!("{message} ({code}): {data}"),
			_ => format!("{message} ({code})"),
		});
	}
	answer
		.as_object_mut()
		.and_then(|fields| fields.remove("result"))
		.ok_or_else(|| "neither a result nor an error".to_owned())
}

/// A number given as a JSON number or a `0x` hex string (as block numbers are).
pub fn parse_number(value: &Value) -> Result<u64, String> {
	if let Some(number) = value.as_u64() {
		return Ok(number);
	}
	let text = value.as_str().ok_or_else(|| format!("{value} is not a number"))?;
	let digits = text.strip_prefix("0x").ok_or_else(|| format!("{text} is not 0x hex"))?;
	u64::from_str_radix(digits, 16).map_err(|e| format!("{text}: {e}"))
}

/// A 32-byte hash given as a `0x` hex string.
pub fn parse_hash(value: &Value) -> Result<[u8; 32], String> {
	let text = value.as_str().ok_or_else(|| format!("{value} is not a hash"))?;
	from_hex(text)?.try_into().map_err(|_| format!("{text} is not 32 bytes"))
}

/// `bytes` as `0x` and lower-case hex digits.
pub fn to_hex(bytes: &[u8]) -> String {
	let mut text = String::with_capacity(2 + 2 * bytes.len());
	text.push_str("0x");
	for byte in bytes {
		text.push_str(&format!("{byte:02x}"));
	}
	text
}

/// The bytes of a hex string, with or without `0x`.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
	let digits = text.strip_prefix("0x").unwrap_or(text);
	if !digits.len().is_multiple_of(2) || !digits.is_ascii() {
		return Err(format!("{text} is not hex"));
	}
	(0..digits.len())
		.step_by(2)
		.map(|i| {
			digits
				.get(i..i + 2)
				.and_then(|pair| u8::from_str_radix(pair, 16).ok())
				.ok_or_else(|| format!("{text} is not hex"))
		})
		.collect()
}

/// Reads the SCALE-encoded `ApplyExtrinsicResult` a dry run returns.
pub fn decode_dry_run(bytes: &[u8]) -> Result<DryRun, String> {
	let result = ApplyExtrinsicResult::decode(&mut &bytes[..])
		.map_err(|e| format!("system_dryRun: unexpected result: {e}"))?;
	Ok(match result {
		Ok(Ok(())) => DryRun::Dispatches,
		Ok(Err(error)) => DryRun::Fails(match RuntimeError::from_dispatch_error(error) {
			Some(runtime_error) => format!("{runtime_error:?}"),
			None => format!("{error:?}"),
		}),
		Err(invalid) => DryRun::Invalid(format!("{invalid:?}")),
	})
}

/// `Usage.open_lease(provider, kind, units_per_round, rounds, max_price_per_unit)`.
pub fn open_lease_call(
	provider: AccountId32,
	kind: ResourceKind,
	units_per_round: u64,
	rounds: u32,
	max_price_per_unit: u128,
) -> RuntimeCall {
	RuntimeCall::Usage(pallet_usage::Call::open_lease {
		provider,
		kind,
		units_per_round,
		rounds,
		max_price_per_unit,
	})
}

/// `Usage.cancel_lease(lease)`.
pub fn cancel_lease_call(lease: u64) -> RuntimeCall {
	RuntimeCall::Usage(pallet_usage::Call::cancel_lease { lease })
}

#[cfg(test)]
mod tests {
	use super::*;
	use proof_of_sync_runtime::Runtime;

	fn account(byte: u8) -> AccountId32 {
		AccountId32::new([byte; 32])
	}

	#[test]
	fn json_rpc_answers_parse_to_their_result_or_error() {
		let answer = br#"{"jsonrpc":"2.0","id":1,"result":{"index":3}}"#;
		assert_eq!(parse_response(answer), Ok(json!({ "index": 3 })));
		assert_eq!(parse_response(br#"{"jsonrpc":"2.0","id":1,"result":null}"#), Ok(Value::Null));
		let error = concat!(
			r#"{"jsonrpc":"2.0","id":1,"error":{"code":1010,"message":"Invalid Transaction","#,
			r#""data":"Inability to pay some fees"}}"#,
		);
		let error = parse_response(error.as_bytes()).unwrap_err();
		assert!(error.contains("Invalid Transaction") && error.contains("Inability to pay"));
		assert!(parse_response(br#"{"jsonrpc":"2.0","id":1}"#).is_err());
		assert!(parse_response(b"<html>").is_err());
	}

	#[test]
	fn numbers_hashes_and_hex_parse() {
		assert_eq!(parse_number(&json!(7)), Ok(7));
		assert_eq!(parse_number(&json!("0x1a")), Ok(26));
		assert!(parse_number(&json!("26")).is_err());
		let hash = format!("0x{}", "ab".repeat(32));
		assert_eq!(parse_hash(&json!(hash)), Ok([0xab; 32]));
		assert!(parse_hash(&json!("0xabcd")).is_err());
		assert_eq!(to_hex(&[0, 1, 255]), "0x0001ff");
		assert_eq!(from_hex("0x0001ff"), Ok(vec![0, 1, 255]));
		assert_eq!(from_hex("0001FF"), Ok(vec![0, 1, 255]));
		assert!(from_hex("0x123").is_err());
		assert!(from_hex("0xzz").is_err());
	}

	#[test]
	fn the_proof_of_sync_results_parse_as_the_node_writes_them() {
		let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
		let bob = sp_keyring::Sr25519Keyring::Bob.to_account_id();
		let round = json!({
			"index": 12, "start": 120, "length": 10, "nextStart": 130,
			"challengeOdds": 100000000, "expectedChallengesMilli": 1000, "providers": 2,
			"activeProviders": 2, "attestations": 5, "totalPoints": "123456789012345678901234",
			"lastClosed": 11
		});
		let round: Option<RoundInfo<u32>> = serde_json::from_value(round).unwrap();
		assert_eq!(round.map(|r| (r.index, r.next_start)), Some((12, 130)));
		let none: Option<RoundInfo<u32>> = serde_json::from_value(Value::Null).unwrap();
		assert!(none.is_none());

		let provider = json!({
			"endpoint": "http://127.0.0.1:30555",
			"capacity": { "compute": "2000", "storage": "64", "bandwidth": "100" },
			"nextCapacity": null, "dataset": null, "bond": "1000000000000000",
			"status": "active", "activeSince": 0, "registeredAt": 0, "candidate": true,
			"authority": true, "hasSyncKey": true
		});
		let provider: ProviderInfo<u128> = serde_json::from_value(provider).unwrap();
		assert_eq!(provider.endpoint, b"http://127.0.0.1:30555".to_vec());

		let config = json!({
			"storageUnit": "1048576", "datasetLanes": 4, "sealIterations": 2, "storageSamples": 8,
			"storageDeadlineMs": 500, "bandwidthBytes": 1048576, "computeMillis": 200
		});
		let config: proof_of_sync_runtime_api::ProbeConfig =
			serde_json::from_value(config).unwrap();
		assert_eq!(config.storage_unit, 1 << 20);

		let lease = json!({
			"id": "7", "consumer": bob.to_ss58check(), "provider": alice.to_ss58check(),
			"kind": "storage", "unitsPerRound": "4", "quota": "4", "price": "1000000000000",
			"startRound": 13, "endRound": 23, "settledTo": 13,
			"openedAfter": format!("0x{}", "11".repeat(32)),
			"deposited": "40000000000000", "escrow": "40000000000000", "paid": "0", "fees": "0",
			"refunded": "0",
			"usage": [{ "round": 13, "counter": "2", "receipted": "1", "disputed": false }]
		});
		let leases: Vec<Lease> = serde_json::from_value(json!([lease])).unwrap();
		let lease = &leases[0];
		assert_eq!((lease.id, lease.kind, lease.quota), (7, ResourceKind::Storage, 4));
		assert_eq!((lease.consumer.clone(), lease.provider.clone()), (bob, alice));
		assert_eq!((lease.start_round, lease.end_round), (13, 23));
		assert_eq!(lease.opened_after, [0x11; 32]);
		assert_eq!(lease.price, 1_000_000_000_000);
		assert_eq!(lease.usage[0].counter, 2);
	}

	#[test]
	fn the_open_lease_call_is_pallet_13_call_1_then_its_arguments() {
		let call = open_lease_call(account(5), ResourceKind::Storage, 4, 10, 1_000);
		let mut expected = vec![13u8, 1];
		expected.extend([5u8; 32]);
		expected.push(1); // ResourceKind::Storage
		expected.extend(4u64.to_le_bytes());
		expected.extend(10u32.to_le_bytes());
		expected.extend(1_000u128.to_le_bytes());
		assert_eq!(call.encode(), expected);
		let mut expected = vec![13u8, 4];
		expected.extend(9u64.to_le_bytes());
		assert_eq!(cancel_lease_call(9).encode(), expected);
	}

	#[test]
	fn a_dry_run_names_the_pallet_error() {
		let error = sp_runtime::DispatchError::from(pallet_usage::Error::<Runtime>::Overbooked);
		let result: ApplyExtrinsicResult = Ok(Err(error));
		assert_eq!(decode_dry_run(&result.encode()), Ok(DryRun::Fails("Usage(Overbooked)".into())));
		let result: ApplyExtrinsicResult = Ok(Ok(()));
		assert_eq!(decode_dry_run(&result.encode()), Ok(DryRun::Dispatches));
		let invalid = sp_runtime::transaction_validity::InvalidTransaction::Future;
		let result: ApplyExtrinsicResult = Err(invalid.into());
		assert!(matches!(decode_dry_run(&result.encode()), Ok(DryRun::Invalid(_))));
		assert!(decode_dry_run(&[9, 9]).is_err());
	}

	#[test]
	fn the_sync_key_answer_decodes() {
		let some = Some([4u8; 32]).encode();
		assert_eq!(Option::<[u8; 32]>::decode(&mut some.as_slice()), Ok(Some([4; 32])));
	}
}
