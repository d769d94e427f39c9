//! The dataset manager: keeps, for every provider whose `sync` key the node holds, the sealed
//! storage dataset its declared storage calls for.
//!
//! Every [`REFRESH_INTERVAL`] (and at start) it reads, for each local provider, the storage it
//! declared (the declaration for the next round if it changed one, so the dataset is ready when
//! it counts) and the chain's probe config, and derives the dataset's parameters
//! ([`dataset_params`]): the provider's account, the genesis hash as seed, `declared storage ×
//! storage_unit / LEAF_BYTES` leaves ([`leaves_for`]), and the config's lanes and seal
//! iterations. The dataset lives in `<data dir>/datasets/<account hex>/<params id>`
//! ([`dataset_dir`]). Opening a complete dataset takes two leaf seals; building one takes a while
//! (`leaves × 128 × seal_iterations` hashes): builds run on a blocking thread, one at a time, and
//! log their progress every 10 %.
//!
//! Once ready, a dataset is published in the endpoint's [`DatasetRegistry`] and, if the chain does
//! not name it as the provider's dataset yet, its commitment is left for the offchain worker at
//! [`dataset_key`]. A provider moving to a new dataset keeps serving its old one until the new
//! commitment is in effect (a commitment made in round `r` counts from round `r + 1`): the old
//! one is dropped, and its directory removed, once the chain has named the new one for a whole
//! round change. At most [`MAX_DATASETS_PER_PROVIDER`] datasets are kept per provider.
//!
//! It also answers storage audits: when the chain has one open against a local provider, the
//! manager reads the samples the audit asks for from the audited dataset ([`audit_answer`]) and
//! leaves the answer for the offchain worker at [`audit_answer_key`], which sends it on chain
//! (`answer_audit`) within a block or two. An audit falls due `AuditWindow` blocks after it opened,
//! a minute on the runtime: a refresh every [`REFRESH_INTERVAL`] meets it.

use std::{
	cell::Cell,
	collections::{BTreeSet, HashMap, HashSet},
	fmt::Write as _,
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant},
};

use codec::{Decode, Encode};
use pallet_sync_attestation::{AuditAnswer, AuditAnswerOf};
use proof_of_sync_probe::dataset::{
	sample_indices, Dataset, DatasetError, DatasetParams, LEAF_BYTES, MAX_LEAVES,
};
use proof_of_sync_runtime::Runtime;
use proof_of_sync_runtime_api::{DatasetCommitment, ProbeConfig, StorageAudit};
use sp_core::{
	crypto::AccountId32,
	offchain::{OffchainStorage, STORAGE_PREFIX},
};
use tokio::{task::JoinHandle, time::MissedTickBehavior};

use super::{
	audit_answer_key, blocking,
	chain::{local_providers, Chain, Signer},
	dataset_key,
	prober::sample_proof,
	read,
	server::DatasetRegistry,
	write, LOG_TARGET,
};

/// How often the manager looks at the chain.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// The most datasets kept per provider: the one in effect and the one it moves to.
pub const MAX_DATASETS_PER_PROVIDER: usize = 2;

/// How long the manager waits before retrying a dataset whose build failed.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(600);

/// The leaves of a dataset holding `storage` units of `storage_unit` bytes: `storage ×
/// storage_unit / LEAF_BYTES`, at least 1 and at most `MAX_LEAVES` (2^32).
pub fn leaves_for(storage: u64, storage_unit: u64) -> u64 {
	let bytes = u128::from(storage).saturating_mul(u128::from(storage_unit));
	let leaves = bytes / LEAF_BYTES as u128;
	u64::try_from(leaves).unwrap_or(u64::MAX).clamp(1, MAX_LEAVES)
}

/// The parameters of `account`'s dataset of `leaves` leaves on the chain whose genesis hash is
/// `genesis_hash`, as the provider builds it and its verifiers check it.
pub fn dataset_params(
	account: &AccountId32,
	genesis_hash: [u8; 32],
	leaves: u64,
	config: &ProbeConfig,
) -> DatasetParams {
	DatasetParams {
		account: account.encode(),
		seed: genesis_hash,
		leaves,
		lanes: config.dataset_lanes,
		seal_iterations: config.seal_iterations,
	}
}

/// The parameters a committed dataset of `account`'s was sealed with: what a verifier checks
/// its proofs against (the lanes and seal iterations of the commitment, not today's settings).
pub fn committed_params(
	account: &AccountId32,
	genesis_hash: [u8; 32],
	commitment: &DatasetCommitment,
) -> DatasetParams {
	DatasetParams {
		account: account.encode(),
		seed: genesis_hash,
		leaves: commitment.leaves,
		lanes: commitment.lanes,
		seal_iterations: commitment.seal_iterations,
	}
}

/// The commitment to `dataset`: its root, leaves, lanes and seal iterations.
pub fn commitment_of(dataset: &Dataset) -> DatasetCommitment {
	let params = dataset.params();
	DatasetCommitment {
		root: dataset.root(),
		leaves: params.leaves,
		lanes: params.lanes,
		seal_iterations: params.seal_iterations,
	}
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
	let mut text = String::with_capacity(bytes.len().saturating_mul(2));
	for byte in bytes {
		let _ = write!(text, "{byte:02x}");
	}
	text
}

/// Where the dataset sealed with `params` lives under `root`: `<account hex>/<params id>`, the
/// id being the first 8 bytes of the BLAKE2b-256 of the SCALE-encoded parameters, in hex.
pub fn dataset_dir(root: &Path, params: &DatasetParams) -> PathBuf {
	let id = proof_of_sync_probe::blake2b256(&[params.encode().as_slice()]);
	root.join(hex(&params.account)).join(hex(&id[..8]))
}

/// What one local provider needs.
struct Plan {
	owner: AccountId32,
	params: DatasetParams,
	committed: Option<DatasetCommitment>,
	/// The storage audits open against it.
	audits: Vec<StorageAudit<AccountId32, u32>>,
}

/// What the chain says, at one look.
struct View {
	round: Option<u32>,
	genesis_hash: [u8; 32],
	plans: Vec<Plan>,
}

impl View {
	/// The roots of `owner`'s datasets that open audits name: kept until the audits close.
	fn audited(&self, owner: &AccountId32) -> Vec<[u8; 32]> {
		self.plans
			.iter()
			.filter(|plan| plan.owner == *owner)
			.flat_map(|plan| plan.audits.iter().map(|audit| audit.dataset.root))
			.collect()
	}
}

/// Reads the chain: the round in progress and the plan of every local provider, whose dataset
/// holds its declared storage or `max_storage` units, whichever is less. `None` if the runtime
/// does not answer. Blocking.
fn look<C: Chain, S: Signer>(chain: &C, signer: &S, max_storage: Option<u64>) -> Option<View> {
	let config = chain.probe_config()?;
	let genesis_hash = chain.genesis_hash();
	let round = chain.current_round();
	let plans = local_providers(chain, signer)
		.into_keys()
		.filter_map(|owner| {
			let info = chain.provider(&owner)?;
			let declared = info.next_capacity.unwrap_or(info.capacity);
			let storage = max_storage.map_or(declared.storage, |max| declared.storage.min(max));
			let leaves = leaves_for(storage, config.storage_unit);
			let params = dataset_params(&owner, genesis_hash, leaves, &config);
			let audits = chain.storage_audits(&owner);
			Some(Plan { owner, params, committed: info.dataset, audits })
		})
		.collect();
	Some(View { round, genesis_hash, plans })
}

/// A build in progress.
struct Build {
	owner: AccountId32,
	dir: PathBuf,
	handle: JoinHandle<Result<Dataset, DatasetError>>,
}

/// The dataset manager task (see the [module docs](self)).
pub struct DatasetManager<C, S, O> {
	chain: Arc<C>,
	signer: Arc<S>,
	offchain: O,
	registry: DatasetRegistry,
	root: PathBuf,
	/// `--resource-max-storage`: the most storage units a local provider's dataset holds.
	max_storage: Option<u64>,
	building: Option<Build>,
	/// Dataset directories whose build failed, and when.
	failed: HashMap<PathBuf, Instant>,
	/// Per provider, the root the chain last named as its dataset and the round it was first
	/// seen in.
	committed: HashMap<AccountId32, ([u8; 32], u32)>,
	/// The offchain storage keys of the audit answers left for the offchain worker: removed once
	/// their audit is no longer open. Kept in offchain storage too ([`ANSWERS_KEY`]), so that a
	/// restarted node still removes the answers it left before.
	answers: BTreeSet<Vec<u8>>,
}

/// Where the dataset manager keeps the keys of the audit answers it left
/// ([`audit_answer_key`]), under [`STORAGE_PREFIX`]: a SCALE-encoded `Vec<Vec<u8>>`, at most
/// one key for each open audit of a local provider.
pub const ANSWERS_KEY: &[u8] = b"proof-of-sync::node::audit-answers";

impl<C: Chain, S: Signer, O: OffchainStorage + 'static> DatasetManager<C, S, O> {
	/// A manager for the providers whose keys `signer` holds, keeping their datasets under `root`,
	/// publishing them in `registry` and their commitments in `offchain`.
	pub fn new(
		chain: Arc<C>,
		signer: Arc<S>,
		offchain: O,
		registry: DatasetRegistry,
		root: PathBuf,
		max_storage: Option<u64>,
	) -> Self {
		let answers = offchain
			.get(STORAGE_PREFIX, ANSWERS_KEY)
			.and_then(|stored| Vec::<Vec<u8>>::decode(&mut stored.as_slice()).ok())
			.unwrap_or_default()
			.into_iter()
			.collect();
		Self {
			chain,
			signer,
			offchain,
			registry,
			root,
			max_storage,
			building: None,
			failed: HashMap::new(),
			committed: HashMap::new(),
			answers,
		}
	}

	/// Runs the manager: a refresh at once, then every [`REFRESH_INTERVAL`].
	pub async fn run(mut self) {
		let mut interval = tokio::time::interval(REFRESH_INTERVAL);
		interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
		loop {
			interval.tick().await;
			self.refresh().await;
		}
	}

	/// One refresh: read the chain, collect a finished build, and bring every local provider's
	/// dataset up to date.
	pub async fn refresh(&mut self) {
		let (chain, signer, max_storage) =
			(self.chain.clone(), self.signer.clone(), self.max_storage);
		let Some(view) = blocking(move || look(&*chain, &*signer, max_storage)).await.flatten()
		else {
			return;
		};
		let is_local = |owner: &AccountId32| view.plans.iter().any(|plan| plan.owner == *owner);
		// Providers whose key left the keystore: no longer served (their files stay).
		write(&self.registry).retain(|owner, _| is_local(owner));
		self.committed.retain(|owner, _| is_local(owner));
		self.failed.retain(|_, at| at.elapsed() < RETRY_AFTER_FAILURE);
		// Audits first: they have a deadline, and `update` may drop datasets (never audited ones).
		for plan in &view.plans {
			for audit in &plan.audits {
				self.answer_audit(&plan.owner, audit, view.genesis_hash).await;
			}
		}
		self.collect_build(&view).await;
		for plan in &view.plans {
			self.update(plan, view.round, &view.audited(&plan.owner)).await;
		}
		// The answers to audits no longer open (answered or due) are of no more use.
		let open: HashSet<Vec<u8>> = view
			.plans
			.iter()
			.flat_map(|plan| {
				plan.audits.iter().map(|audit| audit_answer_key(&plan.owner, &audit.verifier))
			})
			.collect();
		let before = self.answers.len();
		let offchain = &mut self.offchain;
		self.answers.retain(|key| {
			let keep = open.contains(key);
			if !keep {
				offchain.remove(STORAGE_PREFIX, key);
			}
			keep
		});
		if self.answers.len() != before {
			self.save_answers();
		}
	}

	/// Writes the keys of the answers left ([`ANSWERS_KEY`]).
	fn save_answers(&mut self) {
		let keys: Vec<&Vec<u8>> = self.answers.iter().collect();
		self.offchain.set(STORAGE_PREFIX, ANSWERS_KEY, &keys.encode());
	}

	/// Leaves the answer to `owner`'s storage audit for the offchain worker, unless it is there
	/// already: the sampled leaves, each with its predecessor and both Merkle paths, read from the
	/// dataset the audit names (the provider's commitment when it opened). A dataset the node does
	/// not serve (after a restart, say, while it moves to another) is reopened from its directory
	/// if it is complete there, and served again.
	async fn answer_audit(
		&mut self,
		owner: &AccountId32,
		audit: &StorageAudit<AccountId32, u32>,
		genesis_hash: [u8; 32],
	) {
		let key = audit_answer_key(owner, &audit.verifier);
		let held = read(&self.registry).get(owner).and_then(|datasets| {
			datasets.iter().find(|dataset| commitment_of(dataset) == audit.dataset).cloned()
		});
		let dataset = match held {
			Some(dataset) => Some(dataset),
			None => self.reopen(owner, &audit.dataset, genesis_hash).await,
		};
		let Some(dataset) = dataset else {
			log::warn!(
				target: LOG_TARGET,
				"storage audit of {owner}: the node does not hold the audited dataset (root 0x{}); \
				 it cannot answer",
				hex(&audit.dataset.root),
			);
			return;
		};
		// Served until the audit closes, answered once.
		let answered = self
			.offchain
			.get(STORAGE_PREFIX, &key)
			.and_then(|stored| AuditAnswerOf::<Runtime>::decode(&mut stored.as_slice()).ok())
			.is_some_and(|answer| answer.nonce == audit.nonce && answer.opened == audit.opened);
		if answered {
			return;
		}
		let (target, audit_copy) = (owner.clone(), audit.clone());
		let built = blocking(move || audit_answer(&dataset, target, &audit_copy)).await.flatten();
		match built {
			Some(answer) => {
				// The key is on record before the answer is written, so it cannot be left behind.
				if self.answers.insert(key.clone()) {
					self.save_answers();
				}
				self.offchain.set(STORAGE_PREFIX, &key, &answer.encode());
				log::info!(
					target: LOG_TARGET,
					"storage audit of {owner} by {}: {} samples proven, left for the offchain \
					 worker to answer by block {}",
					audit.verifier,
					audit.samples,
					audit.deadline,
				);
			},
			None => log::warn!(
				target: LOG_TARGET,
				"storage audit of {owner}: a sampled leaf cannot be read from the dataset",
			),
		}
	}

	/// Brings `plan.owner`'s dataset up to date: builds it if missing, else commits to it or, once
	/// committed, drops the older ones (but not one an open audit names, `audited`).
	async fn update(&mut self, plan: &Plan, round: Option<u32>, audited: &[[u8; 32]]) {
		let newest = read(&self.registry)
			.get(&plan.owner)
			.and_then(|datasets| datasets.last().cloned());
		match newest {
			Some(dataset) if *dataset.params() == plan.params => {
				let commitment = commitment_of(&dataset);
				if plan.committed == Some(commitment) {
					self.retire_older(&plan.owner, commitment.root, round, audited).await;
				} else {
					self.ask_commitment(&plan.owner, commitment);
				}
			},
			_ => self.start_build(plan),
		}
	}

	/// Leaves `commitment` for the offchain worker to submit, unless it is there already.
	fn ask_commitment(&mut self, owner: &AccountId32, commitment: DatasetCommitment) {
		let key = dataset_key(owner);
		let value = commitment.encode();
		if self.offchain.get(STORAGE_PREFIX, &key).as_deref() == Some(value.as_slice()) {
			return;
		}
		self.offchain.set(STORAGE_PREFIX, &key, &value);
		log::info!(
			target: LOG_TARGET,
			"dataset of {owner}: {} leaves, root 0x{}; left for the offchain worker to commit",
			commitment.leaves,
			hex(&commitment.root),
		);
	}

	/// Reopens `owner`'s dataset `commitment` from its directory, if it is complete there, and
	/// serves it beside the others (as the oldest).
	async fn reopen(
		&mut self,
		owner: &AccountId32,
		commitment: &DatasetCommitment,
		genesis_hash: [u8; 32],
	) -> Option<Arc<Dataset>> {
		let params = committed_params(owner, genesis_hash, commitment);
		let dir = dataset_dir(&self.root, &params);
		let opened = blocking(move || Dataset::open(&dir, &params)).await.flatten()?;
		if commitment_of(&opened) != *commitment {
			return None;
		}
		let dataset = Arc::new(opened);
		log::info!(
			target: LOG_TARGET,
			"dataset of {owner}: reopened root 0x{} for a storage audit",
			hex(&commitment.root),
		);
		write(&self.registry)
			.entry(owner.clone())
			.or_default()
			.insert(0, dataset.clone());
		Some(dataset)
	}

	/// Starts building (or opening) `plan`'s dataset, unless a build is running or this one
	/// failed less than [`RETRY_AFTER_FAILURE`] ago.
	fn start_build(&mut self, plan: &Plan) {
		if self.building.is_some() {
			return;
		}
		let dir = dataset_dir(&self.root, &plan.params);
		if self.failed.contains_key(&dir) {
			return;
		}
		let (owner, params, build_dir) = (plan.owner.clone(), plan.params.clone(), dir.clone());
		let handle = tokio::task::spawn_blocking(move || {
			let leaves = params.leaves;
			log::info!(
				target: LOG_TARGET,
				"dataset of {owner}: opening or building {leaves} leaves in {}",
				build_dir.display(),
			);
			let logged = Cell::new(0u64);
			Dataset::open_or_build(&build_dir, params, |sealed| {
				let tenths = sealed.saturating_mul(10) / leaves.max(1);
				if tenths > logged.get() {
					logged.set(tenths);
					log::info!(
						target: LOG_TARGET,
						"dataset of {owner}: {}% sealed ({sealed} of {leaves} leaves)",
						tenths.saturating_mul(10),
					);
				}
			})
		});
		self.building = Some(Build { owner: plan.owner.clone(), dir, handle });
	}

	/// Publishes the dataset of the build that finished, if one did and its provider is still
	/// local.
	async fn collect_build(&mut self, view: &View) {
		if !self.building.as_ref().is_some_and(|build| build.handle.is_finished()) {
			return;
		}
		let Some(build) = self.building.take() else { return };
		match build.handle.await {
			Ok(Ok(dataset)) => {
				let action = if dataset.built() { "built" } else { "opened" };
				log::info!(
					target: LOG_TARGET,
					"dataset of {}: {action}, {} leaves, root 0x{}",
					build.owner,
					dataset.params().leaves,
					hex(&dataset.root()),
				);
				let Some(plan) = view.plans.iter().find(|plan| plan.owner == build.owner) else {
					return;
				};
				let mut keep: Vec<[u8; 32]> = view.audited(&build.owner);
				keep.extend(plan.committed.map(|commitment| commitment.root));
				self.publish(build.owner, Arc::new(dataset), &keep).await;
			},
			Ok(Err(error)) => {
				log::warn!(target: LOG_TARGET, "dataset of {}: {error}", build.owner);
				self.failed.insert(build.dir, Instant::now());
			},
			Err(error) => {
				let owner = &build.owner;
				log::warn!(target: LOG_TARGET, "dataset of {owner}: the build failed: {error}");
				self.failed.insert(build.dir, Instant::now());
			},
		}
	}

	/// Serves `dataset` as `owner`'s newest, in place of one with the same parameters. Beyond
	/// [`MAX_DATASETS_PER_PROVIDER`], the oldest are dropped, except those whose roots are in
	/// `keep` (the chain's commitment, which verifiers may still check against, and the datasets
	/// open audits name).
	async fn publish(&mut self, owner: AccountId32, dataset: Arc<Dataset>, keep: &[[u8; 32]]) {
		let newest_dir = dataset.dir().to_path_buf();
		let dropped: Vec<Arc<Dataset>> = {
			let mut registry = write(&self.registry);
			let datasets = registry.entry(owner).or_default();
			datasets.retain(|old| old.params() != dataset.params());
			datasets.push(dataset);
			let mut dropped = Vec::new();
			while datasets.len() > MAX_DATASETS_PER_PROVIDER {
				// The newest (last) is never dropped, nor one in `keep`.
				let older = datasets.len().saturating_sub(1);
				let Some(position) =
					datasets.iter().take(older).position(|old| !keep.contains(&old.root()))
				else {
					// Everything older is kept: serve one more for now.
					break;
				};
				dropped.push(datasets.remove(position));
			}
			dropped
		};
		remove_dirs(dropped, newest_dir).await;
	}

	/// Drops `owner`'s datasets older than the newest (whose root is `root`) once the chain has
	/// named the newest for a whole round change: from the round after the one it was first seen
	/// in, no verifier asks for the older ones. One an open audit names (`audited`) stays until
	/// the audit closes.
	async fn retire_older(
		&mut self,
		owner: &AccountId32,
		root: [u8; 32],
		round: Option<u32>,
		audited: &[[u8; 32]],
	) {
		let Some(round) = round else { return };
		let seen = self.committed.entry(owner.clone()).or_insert((root, round));
		if seen.0 != root {
			*seen = (root, round);
		}
		if round <= seen.1 {
			return;
		}
		let (dropped, keep) = {
			let mut registry = write(&self.registry);
			let Some(datasets) = registry.get_mut(owner) else { return };
			let Some(newest) = datasets.pop() else { return };
			let (audited, dropped): (Vec<_>, Vec<_>) =
				datasets.drain(..).partition(|old| audited.contains(&old.root()));
			*datasets = audited;
			let keep = newest.dir().to_path_buf();
			datasets.push(newest);
			(dropped, Some(keep))
		};
		if let Some(keep) = keep {
			if !dropped.is_empty() {
				log::info!(
					target: LOG_TARGET,
					"dataset of {owner}: the chain uses root 0x{}; dropping {} older dataset(s)",
					hex(&root),
					dropped.len(),
				);
			}
			remove_dirs(dropped, keep).await;
		}
	}
}

/// The answer to `audit` of `target` from `dataset` (which must be the audited one): the proof
/// of each sample [`sample_indices`] draws from the audit's nonce, in order. `None` if a leaf
/// cannot be read or a proof does not fit the chain's bounds. Blocking (reads the disk).
pub fn audit_answer(
	dataset: &Dataset,
	target: AccountId32,
	audit: &StorageAudit<AccountId32, u32>,
) -> Option<AuditAnswerOf<Runtime>> {
	let samples = usize::try_from(audit.samples).ok()?;
	let proofs = sample_indices(&audit.nonce, audit.dataset.leaves, samples)
		.into_iter()
		.map(|index| sample_proof(dataset.prove(index).ok()?))
		.collect::<Option<Vec<_>>>()?;
	Some(AuditAnswer {
		target,
		verifier: audit.verifier.clone(),
		nonce: audit.nonce,
		opened: audit.opened,
		seal_iterations: audit.dataset.seal_iterations,
		proofs: proofs.try_into().ok()?,
	})
}

/// Removes the directories of `dropped` datasets, except `keep`, on a blocking thread. A dataset
/// still answering a request reads from its open files, which outlive the removal.
async fn remove_dirs(dropped: Vec<Arc<Dataset>>, keep: PathBuf) {
	let dirs: Vec<PathBuf> = dropped
		.iter()
		.map(|dataset| dataset.dir().to_path_buf())
		.filter(|dir| *dir != keep)
		.collect();
	drop(dropped);
	if dirs.is_empty() {
		return;
	}
	blocking(move || {
		for dir in dirs {
			if let Err(error) = std::fs::remove_dir_all(&dir) {
				log::warn!(target: LOG_TARGET, "cannot remove {}: {error}", dir.display());
			}
		}
	})
	.await;
}

#[cfg(test)]
mod tests {
	use super::{
		super::chain::testing::{provider, public, round, FakeChain, FakeSigner},
		*,
	};
	use codec::Decode;
	use proof_of_sync_runtime_api::Capacity;
	use sp_core::offchain::storage::InMemOffchainStorage;

	const SEED: [u8; 32] = [1; 32];
	const GENESIS: [u8; 32] = [9; 32];

	fn owner() -> AccountId32 {
		AccountId32::new([11; 32])
	}

	fn config() -> ProbeConfig {
		ProbeConfig {
			storage_unit: 4096,
			dataset_lanes: 2,
			seal_iterations: 1,
			..Default::default()
		}
	}

	fn storage(units: u64) -> Capacity {
		Capacity { compute: 1_000, storage: units, bandwidth: 10 }
	}

	#[test]
	fn leaves_follow_the_declared_storage() {
		assert_eq!(leaves_for(0, 1 << 20), 1);
		assert_eq!(leaves_for(100, 1 << 20), 25_600);
		assert_eq!(leaves_for(1, 1 << 30), 262_144);
		assert_eq!(leaves_for(1, 100), 1);
		assert_eq!(leaves_for(u64::MAX, u64::MAX), MAX_LEAVES);
	}

	#[test]
	fn dataset_dirs_name_the_account_and_the_params() {
		let root = Path::new("/data/datasets");
		let params = dataset_params(&owner(), GENESIS, 8, &config());
		let dir = dataset_dir(root, &params);
		assert!(dir.starts_with(root.join(hex(&[11; 32]))));
		assert_eq!(dir, dataset_dir(root, &params.clone()));
		let other = DatasetParams { leaves: 9, ..params };
		assert_ne!(dir, dataset_dir(root, &other));
		assert_eq!(hex(&[0, 1, 0xab]), "0001ab");
	}

	type Manager = DatasetManager<FakeChain, FakeSigner, InMemOffchainStorage>;

	/// A chain in round 5 (blocks 100 to 129) with the small probe settings, on which the owner,
	/// whose key the node holds, is a provider declaring `units` storage units.
	fn chain_declaring(units: u64) -> Arc<FakeChain> {
		let chain = Arc::new(FakeChain::default());
		chain.with(|s| {
			s.genesis_hash = GENESIS;
			s.round = Some(round(5, 100, 30));
			s.config = Some(config());
			s.keys.insert(owner(), public(SEED));
			s.providers
				.insert(owner(), provider("http://127.0.0.1:1", storage(units), None));
		});
		chain
	}

	/// The owner's node's dataset manager on `chain`, keeping datasets under `dir` and holding
	/// at most `max_storage` units, with `offchain` as its offchain storage.
	fn manager_on(
		chain: Arc<FakeChain>,
		dir: &Path,
		offchain: InMemOffchainStorage,
		max_storage: Option<u64>,
	) -> Manager {
		DatasetManager::new(
			chain,
			Arc::new(FakeSigner::from_seeds(&[SEED])),
			offchain,
			DatasetRegistry::default(),
			dir.to_path_buf(),
			max_storage,
		)
	}

	/// Refreshes until the build in progress is published (at most about 10 s).
	async fn settle(manager: &mut Manager) {
		for _ in 0..1_000 {
			manager.refresh().await;
			if manager.building.is_none() {
				manager.refresh().await;
				if manager.building.is_none() {
					return;
				}
			}
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
		panic!("the dataset build did not finish");
	}

	fn served(manager: &Manager) -> Vec<u64> {
		read(&manager.registry)
			.get(&owner())
			.map(|datasets| datasets.iter().map(|dataset| dataset.params().leaves).collect())
			.unwrap_or_default()
	}

	#[tokio::test]
	async fn builds_commits_and_moves_to_a_new_dataset() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let chain = chain_declaring(8);
		let mut manager =
			manager_on(chain.clone(), dir.path(), InMemOffchainStorage::default(), None);

		// 8 units of 4 KiB: 8 leaves, built, served and left for the worker to commit.
		settle(&mut manager).await;
		assert_eq!(served(&manager), [8]);
		let first = read(&manager.registry).get(&owner()).and_then(|d| d.last().cloned());
		let first = first.expect("a dataset");
		let commitment = commitment_of(&first);
		let stored = manager.offchain.get(STORAGE_PREFIX, &dataset_key(&owner()));
		assert_eq!(stored, Some(commitment.encode()));

		// The chain commits to it; the provider declares 16 units for the next round.
		chain.with(|s| {
			if let Some(info) = s.providers.get_mut(&owner()) {
				info.dataset = Some(commitment);
				info.next_capacity = Some(storage(16));
			}
		});
		settle(&mut manager).await;
		// Both are served until the new one is committed and in effect.
		assert_eq!(served(&manager), [8, 16]);
		let second = read(&manager.registry).get(&owner()).and_then(|d| d.last().cloned());
		let second = second.expect("a dataset");
		let new_commitment = commitment_of(&second);
		let stored = manager.offchain.get(STORAGE_PREFIX, &dataset_key(&owner()));
		assert_eq!(stored, Some(new_commitment.encode()));

		// Committed in round 5: the old dataset stays for the rest of round 5...
		chain.with(|s| {
			if let Some(info) = s.providers.get_mut(&owner()) {
				info.dataset = Some(new_commitment);
			}
		});
		manager.refresh().await;
		assert_eq!(served(&manager), [8, 16]);
		// ...and goes, with its files, in round 6.
		chain.with(|s| s.round = Some(round(6, 130, 30)));
		manager.refresh().await;
		assert_eq!(served(&manager), [16]);
		assert!(!first.dir().exists());
		assert!(second.dir().exists());

		// A key that left the keystore: its provider is no longer served.
		chain.with(|s| s.keys.clear());
		manager.refresh().await;
		assert!(served(&manager).is_empty());
	}

	#[tokio::test]
	async fn a_storage_limit_caps_the_dataset_below_the_declared_storage() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		// Declares a thousand times what the operator lets the node hold.
		let chain = chain_declaring(4_000);
		let mut manager = manager_on(chain, dir.path(), InMemOffchainStorage::default(), Some(4));
		settle(&mut manager).await;
		// What it holds, and commits to, is 4 units: its verifiers will measure 4.
		assert_eq!(served(&manager), [4]);
		let stored = manager.offchain.get(STORAGE_PREFIX, &dataset_key(&owner()));
		let commitment = stored.and_then(|bytes| DatasetCommitment::decode(&mut &bytes[..]).ok());
		assert_eq!(commitment.map(|c| c.leaves), Some(4));
	}

	#[tokio::test]
	async fn answers_a_storage_audit_of_the_committed_dataset_as_the_chain_checks_it() {
		use proof_of_sync_primitives::seal;
		let dir = tempfile::tempdir().expect("a temporary directory");
		let chain = chain_declaring(8);
		let mut manager =
			manager_on(chain.clone(), dir.path(), InMemOffchainStorage::default(), None);
		settle(&mut manager).await;
		let dataset = read(&manager.registry).get(&owner()).and_then(|d| d.last().cloned());
		let commitment = commitment_of(&dataset.expect("a dataset"));
		let audit = StorageAudit {
			verifier: AccountId32::new([12; 32]),
			round: 5,
			nonce: [3; 32],
			dataset: commitment,
			samples: 4,
			opened: 101,
			deadline: 111,
			counts: true,
		};
		// An audit of a dataset the node does not hold cannot be answered.
		let elsewhere = StorageAudit {
			dataset: DatasetCommitment { root: [4; 32], ..commitment },
			..audit.clone()
		};
		chain.with(|s| {
			s.providers.get_mut(&owner()).expect("a provider").dataset = Some(commitment);
			s.audits.insert(owner(), vec![elsewhere]);
		});
		manager.refresh().await;
		let key = audit_answer_key(&owner(), &audit.verifier);
		assert!(manager.offchain.get(STORAGE_PREFIX, &key).is_none());

		chain.with(|s| s.audits.insert(owner(), vec![audit.clone()]));
		manager.refresh().await;
		let stored = manager.offchain.get(STORAGE_PREFIX, &key).expect("an answer");
		let answer = AuditAnswerOf::<Runtime>::decode(&mut stored.as_slice()).expect("an answer");
		assert_eq!(
			(answer.target.clone(), answer.verifier.clone(), answer.nonce),
			(owner(), audit.verifier.clone(), audit.nonce)
		);
		assert_eq!(answer.seal_iterations, commitment.seal_iterations);
		// Every sample proves out with the chain's own check, at the chain's indices.
		let account = owner().encode();
		let params = seal::SealParams {
			account: &account,
			seed: &GENESIS,
			lanes: commitment.lanes,
			seal_iterations: commitment.seal_iterations,
		};
		assert_eq!(answer.proofs.len(), 4);
		for (k, proof) in answer.proofs.iter().enumerate() {
			let index = seal::sample_index(&audit.nonce, k as u64, commitment.leaves);
			let link = proof.link(index);
			assert_eq!(
				seal::check_link(&params, commitment.leaves, &commitment.root, &link),
				Ok(())
			);
		}
		// An answer that does not decode (a node upgrade, say) is written again.
		manager.offchain.set(STORAGE_PREFIX, &key, &[0xff]);
		manager.refresh().await;
		assert_eq!(manager.offchain.get(STORAGE_PREFIX, &key), Some(stored));
		// Once the audit is closed, its answer goes.
		chain.with(|s| s.audits.clear());
		manager.refresh().await;
		assert!(manager.offchain.get(STORAGE_PREFIX, &key).is_none());
	}

	#[tokio::test]
	async fn an_audited_dataset_is_kept_through_a_move_and_reopened_after_a_restart() {
		let dir = tempfile::tempdir().expect("a temporary directory");
		let chain = chain_declaring(8);
		let mut manager =
			manager_on(chain.clone(), dir.path(), InMemOffchainStorage::default(), None);
		settle(&mut manager).await;
		let first = read(&manager.registry).get(&owner()).and_then(|d| d.last().cloned());
		let old = commitment_of(&first.expect("a dataset"));
		let audit = StorageAudit {
			verifier: AccountId32::new([12; 32]),
			round: 5,
			nonce: [3; 32],
			dataset: old,
			samples: 4,
			opened: 129,
			deadline: 139,
			counts: true,
		};
		// Audited in round 5's last block, while the provider moves to 16 units.
		chain.with(|s| {
			let info = s.providers.get_mut(&owner()).expect("a provider");
			info.dataset = Some(old);
			info.next_capacity = Some(storage(16));
			s.audits.insert(owner(), vec![audit.clone()]);
		});
		settle(&mut manager).await;
		let new = read(&manager.registry).get(&owner()).and_then(|d| d.last().cloned());
		let new = commitment_of(&new.expect("a dataset"));
		chain.with(|s| s.providers.get_mut(&owner()).expect("a provider").dataset = Some(new));
		manager.refresh().await;
		chain.with(|s| s.round = Some(round(6, 130, 30)));
		manager.refresh().await;
		// Round 6 names the new dataset, but the audit of the old one is open: both are kept.
		assert_eq!(served(&manager), [8, 16]);
		let key = audit_answer_key(&owner(), &audit.verifier);
		assert!(manager.offchain.get(STORAGE_PREFIX, &key).is_some());

		// The node restarts, with the offchain storage it had: it serves the new dataset, and
		// reopens the old one for the audit.
		let mut restarted = manager_on(chain.clone(), dir.path(), manager.offchain.clone(), None);
		settle(&mut restarted).await;
		assert_eq!(served(&restarted), [8, 16]);
		assert!(restarted.offchain.get(STORAGE_PREFIX, &key).is_some());

		// Once the audit is closed, the old dataset goes at the next round change, and so does
		// the answer the node left before it restarted.
		chain.with(|s| {
			s.audits.clear();
			s.round = Some(round(7, 160, 30));
		});
		restarted.refresh().await;
		assert_eq!(served(&restarted), [16]);
		assert!(restarted.offchain.get(STORAGE_PREFIX, &key).is_none());
	}
}
