//! What the resource agent reads from the chain and the keystore, behind two small traits so that
//! the server, the dataset manager and the prober can be tested without a node.
//!
//! - [`Chain`]: the runtime's `ProofOfSyncApi` at the best block ([`RuntimeChain`] over the node's
//!   client).
//! - [`Signer`]: the node's `sync` keys ([`KeystoreSigner`] over its keystore).

use std::{collections::BTreeMap, sync::Arc};

use pallet_sync_attestation::crypto::KEY_TYPE as SYNC_KEY_TYPE;
use proof_of_sync_runtime::{opaque::Block, AccountId, Balance, BlockNumber};
use proof_of_sync_runtime_api::{
	Assignment, LeaseInfo, ProbeConfig, ProofOfSyncApi, ProviderInfo, RoundInfo, StorageAudit,
};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::AccountId32, sr25519, Pair as _};
use sp_keystore::{Keystore, KeystorePtr};

use super::LOG_TARGET;

/// The most local `sync` keys the agent looks at: a keystore holding more is misconfigured, and
/// every key costs runtime calls.
pub const MAX_LOCAL_KEYS: usize = 64;

/// What the resource agent reads from the chain, at the best block.
///
/// Every method answers from the node's own view and never fails: a runtime call that fails
/// reads as "nothing" (`None`, empty), and is logged.
pub trait Chain: Send + Sync + 'static {
	/// The hash of the chain's genesis block.
	fn genesis_hash(&self) -> [u8; 32];

	/// The number of the best block.
	fn best_number(&self) -> u32;

	/// The round in progress; `None` before the first round (or if the runtime cannot tell).
	fn round_info(&self) -> Option<RoundInfo<u32>>;

	/// The index of the round in progress.
	fn current_round(&self) -> Option<u32> {
		self.round_info().map(|round| round.index)
	}

	/// How verifiers probe resource endpoints; `None` if the runtime cannot tell.
	fn probe_config(&self) -> Option<ProbeConfig>;

	/// The verifiers of `target` in the round in progress.
	fn verifiers(&self, target: &AccountId32) -> Vec<AccountId32>;

	/// The targets `verifier` probes in the round in progress.
	fn assignments(&self, verifier: &AccountId32) -> Vec<Assignment<AccountId32>>;

	/// The `sync` key of `account`'s session keys.
	fn sync_key(&self, account: &AccountId32) -> Option<[u8; 32]>;

	/// The account whose session keys have `key` as their `sync` key.
	fn sync_key_owner(&self, key: &[u8; 32]) -> Option<AccountId32>;

	/// The record of provider `account`.
	fn provider(&self, account: &AccountId32) -> Option<ProviderInfo<u128>>;

	/// The storage audits open against provider `target`, one a verifier.
	fn storage_audits(&self, target: &AccountId32) -> Vec<StorageAudit<AccountId32, u32>>;

	/// Lease `id`, if the chain has it (not closed).
	fn lease(&self, id: u64) -> Option<LeaseInfo<AccountId32, u128>> {
		self.lease_checked(id).flatten()
	}

	/// Lease `id` as the chain answers it: `Some(None)` when the chain says it has no such lease,
	/// `None` when the runtime could not answer (so that a failing runtime call is never taken
	/// for a closed lease).
	fn lease_checked(&self, id: u64) -> Option<Option<LeaseInfo<AccountId32, u128>>>;
}

/// The node's `sync` keys.
pub trait Signer: Send + Sync + 'static {
	/// The public `sync` keys the node holds.
	fn local_sync_keys(&self) -> Vec<[u8; 32]>;

	/// `payload` signed with the local `sync` key `key`; `None` if the node does not hold it.
	fn sign(&self, key: &[u8; 32], payload: &[u8]) -> Option<[u8; 64]>;
}

/// Whether `signature` is `key`'s sr25519 signature over `payload`.
pub fn verify_signature(key: &[u8; 32], payload: &[u8], signature: &[u8; 64]) -> bool {
	sr25519::Pair::verify(
		&sr25519::Signature::from_raw(*signature),
		payload,
		&sr25519::Public::from_raw(*key),
	)
}

/// The providers whose `sync` key the node holds, each with that key: for every local key (at
/// most [`MAX_LOCAL_KEYS`]), its owner, if the owner's `sync` key is still that key (a key
/// replaced by `session.set_keys` no longer speaks for its old owner).
pub fn local_providers<C, S>(chain: &C, signer: &S) -> BTreeMap<AccountId32, [u8; 32]>
where
	C: Chain + ?Sized,
	S: Signer + ?Sized,
{
	let mut found = BTreeMap::new();
	for key in signer.local_sync_keys().into_iter().take(MAX_LOCAL_KEYS) {
		let Some(owner) = chain.sync_key_owner(&key) else { continue };
		if chain.sync_key(&owner) == Some(key) {
			found.insert(owner, key);
		}
	}
	found
}

/// The `sync` key of provider `account` if the node holds it and it is still `account`'s: the
/// key [`local_providers`] would list for `account`, with two runtime calls rather than two per
/// local key.
pub fn local_key<C, S>(chain: &C, signer: &S, account: &AccountId32) -> Option<[u8; 32]>
where
	C: Chain + ?Sized,
	S: Signer + ?Sized,
{
	let key = chain.sync_key(account)?;
	let held = signer
		.local_sync_keys()
		.into_iter()
		.take(MAX_LOCAL_KEYS)
		.any(|local| local == key);
	(held && chain.sync_key_owner(&key).as_ref() == Some(account)).then_some(key)
}

/// [`Chain`] over the node's client: the runtime's `ProofOfSyncApi` at the best block.
pub struct RuntimeChain<C> {
	client: Arc<C>,
}

impl<C> RuntimeChain<C> {
	/// Reads through `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// The value of a runtime call, or `None` (logged) if the call failed.
fn logged<T>(method: &str, result: Result<T, sp_api::ApiError>) -> Option<T> {
	match result {
		Ok(value) => Some(value),
		Err(error) => {
			log::debug!(target: LOG_TARGET, "runtime call {method} failed: {error}");
			None
		},
	}
}

impl<C> Chain for RuntimeChain<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ProofOfSyncApi<Block, AccountId, Balance, BlockNumber>,
{
	fn genesis_hash(&self) -> [u8; 32] {
		self.client.info().genesis_hash.0
	}

	fn best_number(&self) -> u32 {
		self.client.info().best_number
	}

	fn round_info(&self) -> Option<RoundInfo<u32>> {
		let at = self.client.info().best_hash;
		logged("round_info", self.client.runtime_api().round_info(at)).flatten()
	}

	fn probe_config(&self) -> Option<ProbeConfig> {
		let at = self.client.info().best_hash;
		logged("probe_config", self.client.runtime_api().probe_config(at))
	}

	fn verifiers(&self, target: &AccountId32) -> Vec<AccountId32> {
		let at = self.client.info().best_hash;
		logged("verifiers", self.client.runtime_api().verifiers(at, target.clone()))
			.unwrap_or_default()
	}

	fn assignments(&self, verifier: &AccountId32) -> Vec<Assignment<AccountId32>> {
		let at = self.client.info().best_hash;
		let api = self.client.runtime_api();
		logged("verifier_assignments", api.verifier_assignments(at, verifier.clone()))
			.unwrap_or_default()
	}

	fn sync_key(&self, account: &AccountId32) -> Option<[u8; 32]> {
		let at = self.client.info().best_hash;
		logged("sync_key", self.client.runtime_api().sync_key(at, account.clone())).flatten()
	}

	fn sync_key_owner(&self, key: &[u8; 32]) -> Option<AccountId32> {
		let at = self.client.info().best_hash;
		logged("sync_key_owner", self.client.runtime_api().sync_key_owner(at, *key)).flatten()
	}

	fn provider(&self, account: &AccountId32) -> Option<ProviderInfo<u128>> {
		let at = self.client.info().best_hash;
		logged("provider", self.client.runtime_api().provider(at, account.clone())).flatten()
	}

	fn storage_audits(&self, target: &AccountId32) -> Vec<StorageAudit<AccountId32, u32>> {
		let at = self.client.info().best_hash;
		let api = self.client.runtime_api();
		logged("storage_audits", api.storage_audits(at, target.clone())).unwrap_or_default()
	}

	fn lease_checked(&self, id: u64) -> Option<Option<LeaseInfo<AccountId32, u128>>> {
		let at = self.client.info().best_hash;
		logged("lease", self.client.runtime_api().lease(at, id))
	}
}

/// [`Signer`] over the node's keystore, with the `sync` key type (`KeyTypeId(*b"sync")`).
pub struct KeystoreSigner {
	keystore: KeystorePtr,
}

impl KeystoreSigner {
	/// Signs with the keys in `keystore`.
	pub fn new(keystore: KeystorePtr) -> Self {
		Self { keystore }
	}
}

impl Signer for KeystoreSigner {
	fn local_sync_keys(&self) -> Vec<[u8; 32]> {
		self.keystore
			.sr25519_public_keys(SYNC_KEY_TYPE)
			.into_iter()
			.take(MAX_LOCAL_KEYS)
			.map(|key| key.0)
			.collect()
	}

	fn sign(&self, key: &[u8; 32], payload: &[u8]) -> Option<[u8; 64]> {
		let public = sr25519::Public::from_raw(*key);
		match self.keystore.sr25519_sign(SYNC_KEY_TYPE, &public, payload) {
			Ok(signature) => signature.map(|signature| signature.0),
			Err(error) => {
				log::warn!(target: LOG_TARGET, "could not sign with a sync key: {error}");
				None
			},
		}
	}
}

/// A [`Chain`] and a [`Signer`] for tests, set up by hand.
#[cfg(test)]
pub(crate) mod testing {
	use super::*;
	use proof_of_sync_runtime_api::{Capacity, DatasetCommitment, ProviderStatus, ResourceKind};
	use sp_runtime::Perbill;
	use std::{collections::HashMap, sync::Mutex};

	/// What a [`FakeChain`] answers.
	#[derive(Clone, Default)]
	pub struct FakeState {
		pub genesis_hash: [u8; 32],
		pub best_number: u32,
		pub round: Option<RoundInfo<u32>>,
		pub config: Option<ProbeConfig>,
		pub verifiers: HashMap<AccountId32, Vec<AccountId32>>,
		pub assignments: HashMap<AccountId32, Vec<Assignment<AccountId32>>>,
		pub keys: HashMap<AccountId32, [u8; 32]>,
		pub providers: HashMap<AccountId32, ProviderInfo<u128>>,
		pub audits: HashMap<AccountId32, Vec<StorageAudit<AccountId32, u32>>>,
		pub leases: HashMap<u64, LeaseInfo<AccountId32, u128>>,
		/// Whether the runtime's `lease` calls fail.
		pub lease_calls_fail: bool,
	}

	/// A [`Chain`] whose answers the test sets in its [`FakeState`].
	#[derive(Default)]
	pub struct FakeChain {
		pub state: Mutex<FakeState>,
	}

	impl FakeChain {
		/// Runs `f` on the state.
		pub fn with<T>(&self, f: impl FnOnce(&mut FakeState) -> T) -> T {
			let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
			f(&mut state)
		}
	}

	impl Chain for FakeChain {
		fn genesis_hash(&self) -> [u8; 32] {
			self.with(|s| s.genesis_hash)
		}

		fn best_number(&self) -> u32 {
			self.with(|s| s.best_number)
		}

		fn round_info(&self) -> Option<RoundInfo<u32>> {
			self.with(|s| s.round.clone())
		}

		fn probe_config(&self) -> Option<ProbeConfig> {
			self.with(|s| s.config)
		}

		fn verifiers(&self, target: &AccountId32) -> Vec<AccountId32> {
			self.with(|s| s.verifiers.get(target).cloned().unwrap_or_default())
		}

		fn assignments(&self, verifier: &AccountId32) -> Vec<Assignment<AccountId32>> {
			self.with(|s| s.assignments.get(verifier).cloned().unwrap_or_default())
		}

		fn sync_key(&self, account: &AccountId32) -> Option<[u8; 32]> {
			self.with(|s| s.keys.get(account).copied())
		}

		fn sync_key_owner(&self, key: &[u8; 32]) -> Option<AccountId32> {
			self.with(|s| s.keys.iter().find(|(_, k)| *k == key).map(|(owner, _)| owner.clone()))
		}

		fn provider(&self, account: &AccountId32) -> Option<ProviderInfo<u128>> {
			self.with(|s| s.providers.get(account).cloned())
		}

		fn storage_audits(&self, target: &AccountId32) -> Vec<StorageAudit<AccountId32, u32>> {
			self.with(|s| s.audits.get(target).cloned().unwrap_or_default())
		}

		fn lease_checked(&self, id: u64) -> Option<Option<LeaseInfo<AccountId32, u128>>> {
			self.with(|s| if s.lease_calls_fail { None } else { Some(s.leases.get(&id).cloned()) })
		}
	}

	/// A [`Signer`] holding the given sr25519 pairs.
	pub struct FakeSigner {
		pub pairs: Vec<sr25519::Pair>,
	}

	impl FakeSigner {
		/// A signer holding the pairs of `seeds`.
		pub fn from_seeds(seeds: &[[u8; 32]]) -> Self {
			Self { pairs: seeds.iter().map(sr25519::Pair::from_seed).collect() }
		}
	}

	impl Signer for FakeSigner {
		fn local_sync_keys(&self) -> Vec<[u8; 32]> {
			self.pairs.iter().map(|pair| pair.public().0).collect()
		}

		fn sign(&self, key: &[u8; 32], payload: &[u8]) -> Option<[u8; 64]> {
			let pair = self.pairs.iter().find(|pair| pair.public().0 == *key)?;
			Some(pair.sign(payload).0)
		}
	}

	/// The public key of the pair with seed `seed`.
	pub fn public(seed: [u8; 32]) -> [u8; 32] {
		sr25519::Pair::from_seed(&seed).public().0
	}

	/// Round `index`, starting at block `start`, `length` blocks long.
	pub fn round(index: u32, start: u32, length: u32) -> RoundInfo<u32> {
		RoundInfo {
			index,
			start,
			length,
			next_start: start.saturating_add(length),
			challenge_odds: Perbill::zero(),
			expected_challenges_milli: 0,
			providers: 0,
			active_providers: 0,
			attestations: 0,
			total_points: 0,
			last_closed: None,
		}
	}

	/// Lease `id` of `consumer` from `provider`: `kind`, `units_per_round` units reserved and
	/// `quota` usage units a round, for the rounds `start_round..end_round`, none settled, opened
	/// after block hash `[8; 32]`.
	#[allow(clippy::too_many_arguments)]
	pub fn lease(
		id: u64,
		consumer: AccountId32,
		provider: AccountId32,
		kind: ResourceKind,
		units_per_round: u64,
		quota: u64,
		start_round: u32,
		end_round: u32,
	) -> LeaseInfo<AccountId32, u128> {
		LeaseInfo {
			id,
			consumer,
			provider,
			kind,
			units_per_round,
			quota,
			price: 1,
			start_round,
			end_round,
			settled_to: start_round,
			opened_after: [8; 32],
			deposited: 0,
			escrow: 0,
			paid: 0,
			fees: 0,
			refunded: 0,
			usage: Vec::new(),
		}
	}

	/// An active provider at `endpoint` declaring `capacity`, with `dataset` committed.
	pub fn provider(
		endpoint: &str,
		capacity: Capacity,
		dataset: Option<DatasetCommitment>,
	) -> ProviderInfo<u128> {
		ProviderInfo {
			endpoint: endpoint.as_bytes().to_vec(),
			capacity,
			next_capacity: None,
			dataset,
			bond: 0,
			status: ProviderStatus::Active,
			active_since: 0,
			registered_at: 0,
			candidate: false,
			authority: false,
			has_sync_key: true,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::{testing::*, *};
	use sp_keystore::testing::MemoryKeystore;

	#[test]
	fn signatures_verify_with_their_key_only() {
		let signer = FakeSigner::from_seeds(&[[1; 32]]);
		let key = public([1; 32]);
		let signature = signer.sign(&key, b"payload").expect("the signer holds the key");
		assert!(verify_signature(&key, b"payload", &signature));
		assert!(!verify_signature(&key, b"other", &signature));
		assert!(!verify_signature(&public([2; 32]), b"payload", &signature));
		assert!(signer.sign(&public([2; 32]), b"payload").is_none());
	}

	#[test]
	fn the_keystore_signer_signs_with_sync_keys() {
		let keystore = Arc::new(MemoryKeystore::new());
		let key = keystore.sr25519_generate_new(SYNC_KEY_TYPE, None).expect("a new key").0;
		// A key of another type is not a sync key.
		keystore
			.sr25519_generate_new(sp_core::crypto::key_types::AURA, None)
			.expect("a new key");
		let signer = KeystoreSigner::new(keystore);
		assert_eq!(signer.local_sync_keys(), vec![key]);
		let signature = signer.sign(&key, b"payload").expect("the keystore holds the key");
		assert!(verify_signature(&key, b"payload", &signature));
		assert!(signer.sign(&[9; 32], b"payload").is_none());
	}

	#[test]
	fn local_providers_are_the_owners_whose_key_is_still_local() {
		let chain = FakeChain::default();
		let (alice, bob) = (AccountId32::new([1; 32]), AccountId32::new([2; 32]));
		chain.with(|s| {
			s.keys.insert(alice.clone(), public([1; 32]));
			s.keys.insert(bob.clone(), public([2; 32]));
		});
		// The node holds Alice's key and a key nobody registered.
		let signer = FakeSigner::from_seeds(&[[1; 32], [3; 32]]);
		let found = local_providers(&chain, &signer);
		assert_eq!(found.into_iter().collect::<Vec<_>>(), vec![(alice.clone(), public([1; 32]))]);
		// One account at a time, the same answer.
		assert_eq!(local_key(&chain, &signer, &alice), Some(public([1; 32])));
		assert_eq!(local_key(&chain, &signer, &bob), None);
		assert_eq!(local_key(&chain, &signer, &AccountId32::new([3; 32])), None);
		// Alice's key moved to Carol (a `set_keys`): it no longer speaks for Alice.
		let carol = AccountId32::new([4; 32]);
		chain.with(|s| {
			s.keys.remove(&alice);
			s.keys.insert(carol.clone(), public([1; 32]));
		});
		assert_eq!(local_key(&chain, &signer, &alice), None);
		assert_eq!(local_key(&chain, &signer, &carol), Some(public([1; 32])));
	}
}
