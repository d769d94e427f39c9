//! Measures the Proof of Sync probes on this machine: the figures for a closing note.
//!
//! ```text
//! cargo run --release -p proof-of-sync-probe --example measure -- \
//!     [--leaves N] [--lanes L] [--iterations I] [--samples S] [--deadline-ms D]
//! ```
//!
//! The defaults are the test chain's probe config: 25 600 leaves (100 MiB of 4 KiB leaves), 16
//! lanes, 64 seal iterations, 16 samples answered within 400 ms. Times are wall-clock
//! (`std::time::Instant`) on this machine, one core unless said otherwise:
//!
//! 1. the dataset's build (seal + Merkle tree, all cores) and its files' sizes;
//! 2. one leaf seal, `t_seal`, averaged, and the time per hash it implies;
//! 3. an honest storage probe: the prover's reads, the answer's SCALE size, the verifier's checks;
//! 4. a compute probe as the node's prober asks it (4 threads, 200 ms, 4096 hashes a segment, 16
//!    spot checks): the segments claimed, the check's time, the answer's size, the milli-vCPU;
//! 5. the 1 MiB bandwidth payload, and checking it with `PayloadChecker`;
//! 6. cheaters keeping one leaf in `X` of each lane (the lane's positions 0, X, 2X, …);
//! 7. the overclaim factor `2 × deadline / t_seal` for the measured `t_seal`, next to the runtime's
//!    `resealable_overclaim` (which assumes 100 ns a hash).
//!
//! ## Reading the cheater figures
//!
//! Per sample, a cheater reseals its lane from the last leaf it kept up to the sampled leaf and
//! its predecessor: up to `X` leaf seals, one after the other. Samples in different lanes can run
//! on different cores, so its answer takes the *slowest* sample's time (the sum is printed too,
//! for a one-core cheater). The reseals are timed for real, one at a time, here; the read of the
//! kept leaf is not counted. It answers at the deadline, the samples it could not reseal in time
//! fail. The node's prober credits the declared storage only if every sample passed, else
//! nothing; the example also prints what a per-sample credit (`passed / samples` of the declared
//! storage) would have paid: above the factor `deadline / t_seal`, about
//! `deadline / (X × t_seal)` of the declared storage. A sample that takes longer than 4 × the
//! deadline is given up (and fails) to keep the run short; a lane shorter than `X` caps the factor
//! at the lane's length. Every resealed chain's last leaf is checked against the
//! honest dataset. The dataset goes to the temporary directory (`TMPDIR`), deleted on exit.

use codec::Encode;
use proof_of_sync_probe::{
	bandwidth::{self, PayloadChecker},
	blake2b256, compute,
	dataset::{
		lane_start, predecessor, sample_indices, seal_leaf, verify_proof, Dataset, DatasetParams,
		StorageProof, BLOCKS_PER_LEAF, LEAF_BYTES, LEAVES_FILE, TREE_FILE,
	},
};
use std::{
	fs,
	hint::black_box,
	path::Path,
	process::ExitCode,
	str::FromStr,
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

const USAGE: &str = "usage: measure [--leaves N] [--lanes L] [--iterations I] [--samples S] \
	[--deadline-ms D]";
/// The flags `measure` takes, each followed by a value.
const FLAGS: [&str; 5] = ["--leaves", "--lanes", "--iterations", "--samples", "--deadline-ms"];
/// How many leaf seals are averaged for `t_seal`.
const SEAL_RUNS: u32 = 200;
/// The compute probe, as the node's prober runs it for a 4-vCPU declaration on the test chain.
const COMPUTE_THREADS: u16 = 4;
const COMPUTE_MILLIS: u32 = 200;
const SEGMENT_HASHES: u32 = 4096;
const SPOT_CHECKS: usize = 16;
/// The test chain's bandwidth payload, and the chunks it is checked in (as if off the network).
const BANDWIDTH_BYTES: u32 = 1 << 20;
const CHUNK_BYTES: usize = 64 * 1024;
/// The cheaters' overclaim factors.
const OVERCLAIMS: [u64; 5] = [10, 100, 250, 1000, 4000];
/// A cheater's sample is given up after this many deadlines.
const CAP_DEADLINES: u32 = 4;
/// The runtime's `REFERENCE_SEAL_HASH_NANOS` (pallets/primitives).
const REFERENCE_SEAL_HASH_NANOS: u128 = 100;

/// What to measure: the command line.
struct Config {
	leaves: u64,
	lanes: u32,
	iterations: u32,
	samples: usize,
	deadline_ms: u32,
}

impl Default for Config {
	/// The test chain's probe config.
	fn default() -> Self {
		Self { leaves: 25_600, lanes: 16, iterations: 64, samples: 16, deadline_ms: 400 }
	}
}

fn main() -> ExitCode {
	let config = match parse_args(std::env::args().skip(1)) {
		Ok(config) => config,
		Err(message) => {
			eprintln!("{message}\n{USAGE}");
			return ExitCode::FAILURE;
		},
	};
	let params = DatasetParams {
		account: vec![7u8; 32],
		seed: fresh_seed(b"measure/dataset"),
		leaves: config.leaves,
		lanes: config.lanes,
		seal_iterations: config.iterations,
	};
	if let Err(error) = params.validate() {
		eprintln!("{error}\n{USAGE}");
		return ExitCode::FAILURE;
	}
	measure(&config, &params);
	ExitCode::SUCCESS
}

/// The [`Config`] the arguments ask for.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
	let mut config = Config::default();
	while let Some(flag) = args.next() {
		if flag == "-h" || flag == "--help" {
			println!("{USAGE}");
			std::process::exit(0);
		}
		if !FLAGS.contains(&flag.as_str()) {
			return Err(format!("unknown argument: {flag}"));
		}
		let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
		match flag.as_str() {
			"--leaves" => config.leaves = parse(&flag, &value)?,
			"--lanes" => config.lanes = parse(&flag, &value)?,
			"--iterations" => config.iterations = parse(&flag, &value)?,
			"--samples" => config.samples = parse(&flag, &value)?,
			_ => config.deadline_ms = parse(&flag, &value)?,
		}
	}
	if config.samples == 0 || config.deadline_ms == 0 {
		return Err("--samples and --deadline-ms must be at least 1".into());
	}
	Ok(config)
}

fn parse<T: FromStr>(flag: &str, value: &str) -> Result<T, String> {
	value.parse().map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// Runs every measurement and prints its figures.
fn measure(config: &Config, params: &DatasetParams) {
	let deadline = Duration::from_millis(u64::from(config.deadline_ms));
	let hashes_per_leaf = BLOCKS_PER_LEAF as u64 * u64::from(params.seal_iterations.max(1));
	let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
	let (leaves, lanes, iterations) = (params.leaves, params.lanes, params.seal_iterations);
	println!("dataset: {leaves} leaves ({:.1} MiB), {lanes} lanes", mib(params.data_bytes()));
	println!("seal: {iterations} iterations, {hashes_per_leaf} sequential hashes a leaf");
	let (samples, deadline_ms) = (config.samples, config.deadline_ms);
	println!("probe: {samples} samples, {deadline_ms} ms deadline; {cores} cores");

	println!("\n== 1. build ==");
	let dir = tempfile::tempdir().expect("cannot create a temporary directory");
	let started = Instant::now();
	let dataset = Dataset::open_or_build(dir.path(), params.clone(), |_| {})
		.expect("cannot build the dataset");
	let built = started.elapsed();
	println!("build time (seal + tree, all cores): {}", ms(built));
	let mut files = Vec::new();
	list_files(dir.path(), &mut files);
	files.sort();
	for (name, bytes) in &files {
		println!("on disk: {name}: {bytes} B ({:.2} MiB)", mib(*bytes));
	}
	let file_size = |name: &str| files.iter().find(|(file, _)| file == name).map_or(0, |f| f.1);
	let total: u64 = files.iter().map(|(_, bytes)| bytes).sum();
	println!("on disk: total {total} B ({:.2} MiB)", mib(total));
	let tree_share = file_size(TREE_FILE) as f64 / file_size(LEAVES_FILE).max(1) as f64;
	println!("tree overhead: {:.2} % of the leaves", tree_share * 100.0);

	println!("\n== 2. leaf seal ==");
	let first = seal_leaf(params, 0, &lane_start(params, 0));
	let second = u64::from(params.lanes);
	let started = Instant::now();
	for _ in 0..SEAL_RUNS {
		black_box(seal_leaf(params, black_box(second), black_box(first.as_slice())));
	}
	let t_seal = started.elapsed() / SEAL_RUNS;
	let hash_nanos = t_seal.as_nanos() as f64 / hashes_per_leaf as f64;
	println!("t_seal (average of {SEAL_RUNS} seal_leaf calls): {}", ms(t_seal));
	println!("per hash: {hash_nanos:.1} ns ({hashes_per_leaf} sequential hashes a leaf)");

	println!("\n== 3. honest storage probe ==");
	let root = dataset.root();
	let indices = sample_indices(&fresh_seed(b"measure/samples"), params.leaves, config.samples);
	let started = Instant::now();
	let proofs: Vec<StorageProof> = indices
		.iter()
		.map(|&index| dataset.prove(index).expect("cannot prove a sampled leaf"))
		.collect();
	println!("prover: {} proofs read in {} (warm page cache)", proofs.len(), ms(started.elapsed()));
	println!("answer size: {} B SCALE-encoded", proofs.encode().len());
	let started = Instant::now();
	for proof in &proofs {
		verify_proof(params, &root, proof).expect("an honest proof does not verify");
	}
	println!("verifier: {} proofs verified in {}", proofs.len(), ms(started.elapsed()));

	println!("\n== 4. compute probe ==");
	let nonce = fresh_seed(b"measure/compute");
	let started = Instant::now();
	let answer = compute::run(&nonce, COMPUTE_THREADS, COMPUTE_MILLIS, SEGMENT_HASHES);
	let ran = started.elapsed();
	let spot_seed = fresh_seed(b"measure/spot-checks");
	let started = Instant::now();
	let check = compute::check(&nonce, &answer, SEGMENT_HASHES, SPOT_CHECKS, &spot_seed)
		.expect("the compute answer is out of bounds");
	let checked = started.elapsed();
	assert!(check.passed(), "an honest compute answer failed its spot checks: {check:?}");
	let milli = compute::milli_vcpu(check.segments, COMPUTE_MILLIS, check.own_nanos_per_segment);
	println!("prover: {COMPUTE_THREADS} threads × {COMPUTE_MILLIS} ms, returned in {}", ms(ran));
	println!("segments claimed: {} of {SEGMENT_HASHES} hashes", check.segments);
	println!("verifier: {SPOT_CHECKS} spot checks in {}", ms(checked));
	println!("verifier's own time per segment: {} ns", check.own_nanos_per_segment);
	println!("answer size: {} B SCALE-encoded", answer.encode().len());
	println!("credited: {milli} milli-vCPU (at most {})", u32::from(COMPUTE_THREADS) * 1000);

	println!("\n== 5. bandwidth payload ==");
	let seed = fresh_seed(b"measure/bandwidth");
	let started = Instant::now();
	let payload = bandwidth::payload(&seed, BANDWIDTH_BYTES).expect("the payload is too large");
	println!("payload: {} B generated in {} (all cores)", payload.len(), ms(started.elapsed()));
	let started = Instant::now();
	let mut checker =
		PayloadChecker::new(&seed, BANDWIDTH_BYTES).expect("the payload is too large");
	for chunk in payload.chunks(CHUNK_BYTES) {
		checker.feed(chunk);
	}
	checker.finish().expect("the honest payload does not check");
	let checked = started.elapsed();
	let check_nanos = u64::try_from(checked.as_nanos()).unwrap_or(u64::MAX);
	let rate = bandwidth::mbit_per_s(checker.expected(), check_nanos);
	println!("check: {} B checked in {}", checker.expected(), ms(checked));
	println!("checker speed: {rate} Mbit/s (the fastest link it can keep up with)");

	println!("\n== 6. cheaters ==");
	let lane = params.lane(indices.first().copied().unwrap_or(0));
	let first_of_lane = dataset.prove(u64::from(lane)).expect("cannot read a lane's first leaf");
	let derived = seal_leaf(params, u64::from(lane), &lane_start(params, lane));
	assert!(first_of_lane.leaf.as_slice() == derived.as_slice(), "lane {lane}'s start is wrong");
	cheaters(&dataset, &indices, deadline, t_seal);

	println!("\n== 7. overclaim factor below which resealing answers in time ==");
	let x_measured = 2.0 * deadline.as_secs_f64() / t_seal.as_secs_f64();
	let reference_leaf_nanos = u128::from(hashes_per_leaf) * REFERENCE_SEAL_HASH_NANOS;
	let x_runtime = u128::from(config.deadline_ms) * 2_000_000 / reference_leaf_nanos;
	println!("X = 2 × deadline / t_seal, measured t_seal ({}): {x_measured:.0}", ms(t_seal));
	println!("X = resealable_overclaim (t_seal {reference_leaf_nanos} ns): {x_runtime}");
}

/// One sample as a cheater answers it: the leaf seals it ran, how long they took, and whether it
/// got both leaves (false: given up at the cap).
struct Reseal {
	seals: u64,
	time: Duration,
	done: bool,
}

/// The cheaters of every factor in [`OVERCLAIMS`], against the samples `indices`.
fn cheaters(dataset: &Dataset, indices: &[u64], deadline: Duration, t_seal: Duration) {
	let params = dataset.params();
	let cap = deadline * CAP_DEADLINES;
	let lane_leaves = params.leaves.div_ceil(u64::from(params.lanes));
	let declared = params.data_bytes();
	let samples = indices.len();
	println!("lane length: {lane_leaves} leaves; a sample is given up after {}", ms(cap));
	println!("(reseals timed one at a time: up to {} a factor)", ms(cap * samples as u32));
	let mut compared = 0usize;
	for overclaim in OVERCLAIMS {
		let kept = kept_leaves(params, overclaim);
		let (mut slowest, mut sum, mut most_seals) = (Duration::ZERO, Duration::ZERO, 0u64);
		let (mut passed, mut given_up) = (0usize, 0usize);
		for &index in indices {
			let reseal = reseal_sample(dataset, index, overclaim, cap, &mut compared);
			slowest = slowest.max(reseal.time);
			sum += reseal.time;
			most_seals = most_seals.max(reseal.seals);
			if !reseal.done {
				given_up += 1;
			} else if reseal.time <= deadline {
				passed += 1;
			}
		}
		let at_least = if given_up > 0 { "≥ " } else { "" };
		let beats = if given_up == 0 && slowest <= deadline { "yes" } else { "no" };
		// The node's prober credits all or nothing (`measured_storage`): every sample in time,
		// or zero. The partial figure is what a per-sample credit would have paid.
		let credited = if passed == samples { declared } else { 0 };
		let partial = declared * passed as u64 / samples as u64;
		let effective = overclaim.min(lane_leaves) as f64;
		let predicted = (deadline.as_secs_f64() / (effective * t_seal.as_secs_f64())).min(1.0);
		let kept_bytes = kept * LEAF_BYTES as u64;
		let kept_share = kept as f64 / params.leaves as f64;
		println!("X = {overclaim}:");
		println!("  kept: {kept} leaves, {:.3} % ({:.2} MiB)", kept_share * 100.0, mib(kept_bytes));
		println!("  slowest sample (many cores): {at_least}{} ({most_seals} seals)", ms(slowest));
		println!("  all samples in sequence (one core): {at_least}{}", ms(sum));
		println!("  beats the {} deadline: {beats}", ms(deadline));
		println!("  samples resealed in time: {passed}/{samples} ({given_up} given up)");
		println!(
			"  credited (all or nothing): {:.2} of {:.2} MiB declared, {:.1} × what it keeps",
			mib(credited),
			mib(declared),
			credited as f64 / kept_bytes.max(1) as f64,
		);
		println!(
			"  per-sample credit would have been: {:.2} MiB, {:.1} % (predicted {:.1} %)",
			mib(partial),
			100.0 * passed as f64 / samples as f64,
			100.0 * predicted,
		);
	}
	println!("resealed leaves compared with the honest dataset: {compared}, all equal");
}

/// The leaves a cheater of factor `overclaim` keeps: those at a position of their lane that is a
/// multiple of `overclaim` (a lane of `n` leaves keeps `ceil(n / overclaim)`).
fn kept_leaves(params: &DatasetParams, overclaim: u64) -> u64 {
	let lanes = u64::from(params.lanes.max(1));
	(0..lanes.min(params.leaves))
		.map(|lane| (params.leaves - lane).div_ceil(lanes).div_ceil(overclaim))
		.sum()
}

/// Reseals, as the cheater of factor `overclaim`, what sample `index` needs (the leaf and its
/// predecessor) from the last kept leaf of the lane, giving up once `cap` has passed. Compares
/// the chain's last leaf with the honest dataset's (counted in `compared`).
fn reseal_sample(
	dataset: &Dataset,
	index: u64,
	overclaim: u64,
	cap: Duration,
	compared: &mut usize,
) -> Reseal {
	let params = dataset.params();
	let lanes = u64::from(params.lanes.max(1));
	let Some(previous) = predecessor(params, index) else {
		// The first leaf of its lane: kept (position 0), and it has no predecessor.
		return Reseal { seals: 0, time: Duration::ZERO, done: true };
	};
	// The last leaf to reseal: the sample, or its predecessor when the sample itself is kept.
	let last = if (index / lanes).is_multiple_of(overclaim) { previous } else { index };
	let kept_position = previous / lanes / overclaim * overclaim;
	let start = kept_position * lanes + index % lanes;
	let mut leaf = dataset.prove(start).expect("cannot read a kept leaf").leaf;
	let (mut current, mut seals) = (start, 0);
	let started = Instant::now();
	while current < last {
		if started.elapsed() > cap {
			return Reseal { seals, time: started.elapsed(), done: false };
		}
		current += lanes;
		leaf = seal_leaf(params, current, &leaf).to_vec();
		seals += 1;
	}
	let time = started.elapsed();
	if seals > 0 {
		let honest = dataset.prove(current).expect("cannot read a resealed leaf").leaf;
		assert!(leaf == honest, "the cheater's leaf {current} differs from the dataset's");
		*compared += 1;
	}
	Reseal { seals, time, done: true }
}

/// Appends the name and size of every file under `dir` to `files`.
fn list_files(dir: &Path, files: &mut Vec<(String, u64)>) {
	for entry in fs::read_dir(dir).expect("cannot list the dataset directory") {
		let entry = entry.expect("cannot read a dataset directory entry");
		let metadata = entry.metadata().expect("cannot read a dataset file's metadata");
		if metadata.is_dir() {
			list_files(&entry.path(), files);
		} else {
			files.push((entry.file_name().to_string_lossy().into_owned(), metadata.len()));
		}
	}
}

/// A 32-byte value no earlier run used: `blake2b256(domain ‖ nanoseconds since the epoch)`.
fn fresh_seed(domain: &[u8]) -> [u8; 32] {
	let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_nanos());
	blake2b256(&[domain, now.to_le_bytes().as_slice()])
}

fn ms(duration: Duration) -> String {
	format!("{:.3} ms", duration.as_secs_f64() * 1e3)
}

fn mib(bytes: u64) -> f64 {
	bytes as f64 / f64::from(1u32 << 20)
}
