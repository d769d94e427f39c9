//! The compute probe: sequential hash chains run for a fixed time, spot-checked by the verifier.
//!
//! ## Prover
//!
//! [`run`] starts `threads` OS threads. Thread `t` repeatedly computes a segment:
//! `segment_hashes` sequential steps `x = blake2b256(x)` ([`segment`]) from the segment's input
//! ([`segment_input`]: the nonce, `t`, the segment's index and the previous checkpoint), pushing
//! the value after each segment as a checkpoint. It stops at the deadline
//! (a segment the deadline interrupts is dropped) or after [`MAX_CHECKPOINTS_PER_THREAD`]
//! checkpoints. The answer is the checkpoint chain of every thread.
//!
//! ## Verifier
//!
//! [`check`] picks segments at random (from a seed the prover did not know), recomputes each
//! from its input (its predecessor checkpoint, the nonce and its place) and compares it with the
//! claimed checkpoint. Because each segment is checked against its own predecessor, one forged
//! checkpoint makes two segments fail: its own and the next one. It also times its own
//! recomputation, which gives the verifier's speed per segment as a reference.
//!
//! [`milli_vcpu`] then turns the number of claimed segments into thousandths of a reference core
//! over the probe's duration.

use crate::{blake2b256, blake2b256_of_hash, Hash, HashRng};
use codec::{Decode, DecodeWithMemTracking, Encode};
use std::{
	collections::BTreeSet,
	thread,
	time::{Duration, Instant},
};

/// The most threads a probe runs and an answer may report.
pub const MAX_THREADS: u16 = 256;

/// The most checkpoints one thread produces and an answer may report for one thread.
pub const MAX_CHECKPOINTS_PER_THREAD: usize = 4096;

/// The longest probe [`run`] performs, in milliseconds (10 minutes); a longer `millis` is clamped.
pub const MAX_MILLIS: u32 = 600_000;

/// The most hashes per segment (2^24, a few seconds of hashing): it bounds the verifier's work
/// per spot check, and how far [`run`] may overrun its deadline never exceeds a poll interval.
pub const MAX_SEGMENT_HASHES: u32 = 1 << 24;

/// The domain tag of a chain's start point.
const COMPUTE_DOMAIN: &[u8] = b"proof-of-sync/compute";

/// The domain tag of the verifier's segment choice.
const CHECK_DOMAIN: &[u8] = b"proof-of-sync/compute-check";

/// How many hashes a prover thread computes between two looks at the clock.
const DEADLINE_POLL_HASHES: u32 = 1024;

/// A prover's answer: the checkpoint chain of every thread, in thread order. Checkpoint `s` of
/// thread `t` is `segment(segment_input(nonce, t, s, checkpoint s - 1), segment_hashes)`.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, Default)]
pub struct ComputeAnswer {
	/// Per thread, its checkpoints in order; at most [`MAX_THREADS`] threads of at most
	/// [`MAX_CHECKPOINTS_PER_THREAD`] checkpoints each in a valid answer.
	pub threads: Vec<Vec<Hash>>,
}

impl ComputeAnswer {
	/// The number of segments claimed: the number of checkpoints over all threads (saturating).
	pub fn segments(&self) -> u64 {
		self.threads
			.iter()
			.fold(0u64, |total, chain| total.saturating_add(chain.len() as u64))
	}
}

/// What [`check`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ComputeCheck {
	/// The number of segments the answer claims (checkpoints over all threads).
	pub segments: u64,
	/// Spot-checked segments whose checkpoint is right.
	pub verified: usize,
	/// Spot-checked segments whose checkpoint is wrong.
	pub failed: usize,
	/// The verifier's own time to recompute one segment, in nanoseconds: the fastest of its
	/// recomputations (0 when nothing was checked). The fastest, not the mean, so that a verifier
	/// whose machine is busy meanwhile (by its own work, or by a colluder's probes of its own
	/// endpoint) does not take itself for slower and credit the target more than it did.
	pub own_nanos_per_segment: u64,
}

impl ComputeCheck {
	/// Whether at least one segment was spot-checked and none failed.
	pub fn passed(&self) -> bool {
		self.failed == 0 && self.verified > 0
	}
}

/// Why [`check`] refused to look at an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ComputeError {
	/// The answer has more than [`MAX_THREADS`] threads.
	#[error("{threads} threads is more than the maximum of {max}")]
	TooManyThreads {
		/// The number of threads in the answer.
		threads: usize,
		/// [`MAX_THREADS`].
		max: u16,
	},
	/// A thread has more than [`MAX_CHECKPOINTS_PER_THREAD`] checkpoints.
	#[error("thread {thread} has {checkpoints} checkpoints, more than the maximum of {max}")]
	TooManyCheckpoints {
		/// The thread's index.
		thread: usize,
		/// Its number of checkpoints.
		checkpoints: usize,
		/// [`MAX_CHECKPOINTS_PER_THREAD`].
		max: usize,
	},
	/// `segment_hashes` is 0 or above [`MAX_SEGMENT_HASHES`].
	#[error("{segment_hashes} hashes per segment is not in 1..={max}")]
	SegmentHashesOutOfRange {
		/// The requested hashes per segment.
		segment_hashes: u32,
		/// [`MAX_SEGMENT_HASHES`].
		max: u32,
	},
}

/// The value segment `index` of thread `thread` starts from:
/// `blake2b256(b"proof-of-sync/compute" ‖ nonce ‖ thread as u16 LE ‖ index as u32 LE ‖ previous)`,
/// with `previous` the thread's checkpoint `index - 1` (32 zero bytes for the first segment).
///
/// Every segment takes in the nonce and its own place, not only its predecessor: a chain computed
/// before the nonce was known, or for another thread or position, is worth nothing here, so a
/// prover cannot answer with one real chain copied into many threads (each copy would break at
/// one link only, which a spot check rarely hits).
pub fn segment_input(nonce: &[u8; 32], thread: u16, index: u32, previous: &Hash) -> Hash {
	blake2b256(&[
		COMPUTE_DOMAIN,
		nonce.as_slice(),
		thread.to_le_bytes().as_slice(),
		index.to_le_bytes().as_slice(),
		previous.as_slice(),
	])
}

/// One segment: `hashes` sequential steps `x = blake2b256(x)` from `start` (0 steps return
/// `start`). Costs `hashes` hashes, not bounded here: callers bound `hashes`.
pub fn segment(start: &Hash, hashes: u32) -> Hash {
	let mut x = *start;
	for _ in 0..hashes {
		x = blake2b256_of_hash(&x);
	}
	x
}

/// Runs the compute probe (see the [module docs](self)) and returns every thread's checkpoints.
///
/// - `threads` is clamped to [`MAX_THREADS`]; 0 gives an empty answer at once.
/// - `millis` is the wall-clock duration from the call, shared by all threads, clamped to
///   [`MAX_MILLIS`]. The call returns about `millis` ms later (at most a poll interval of 1024
///   hashes per thread after the deadline), or earlier when every thread reached
///   [`MAX_CHECKPOINTS_PER_THREAD`].
/// - `segment_hashes` is clamped to `1..=MAX_SEGMENT_HASHES` (the verifier refuses other values).
///
/// A thread that cannot be spawned, or that panics, reports an empty chain.
pub fn run(nonce: &[u8; 32], threads: u16, millis: u32, segment_hashes: u32) -> ComputeAnswer {
	let threads = threads.min(MAX_THREADS);
	let millis = millis.min(MAX_MILLIS);
	let segment_hashes = segment_hashes.clamp(1, MAX_SEGMENT_HASHES);
	let started = Instant::now();
	let deadline = started.checked_add(Duration::from_millis(u64::from(millis))).unwrap_or(started);
	let chains: Vec<Vec<Hash>> = thread::scope(|scope| {
		let handles: Vec<_> = (0..threads)
			.map(|t| {
				thread::Builder::new()
					.name(format!("pos-compute-{t}"))
					.spawn_scoped(scope, move || run_thread(nonce, t, segment_hashes, deadline))
					.ok()
			})
			.collect();
		handles
			.into_iter()
			.map(|handle| handle.and_then(|handle| handle.join().ok()).unwrap_or_default())
			.collect()
	});
	ComputeAnswer { threads: chains }
}

/// One prover thread: segments of `thread` in order until the deadline or the
/// checkpoint bound.
fn run_thread(nonce: &[u8; 32], thread: u16, segment_hashes: u32, deadline: Instant) -> Vec<Hash> {
	let mut x = [0u8; 32];
	let mut chain = Vec::new();
	while chain.len() < MAX_CHECKPOINTS_PER_THREAD {
		let index = u32::try_from(chain.len()).unwrap_or(u32::MAX);
		let input = segment_input(nonce, thread, index, &x);
		match segment_before(&input, segment_hashes, deadline) {
			Some(next) => {
				x = next;
				chain.push(next);
			},
			None => break,
		}
	}
	chain
}

/// [`segment`], or `None` if the deadline passes first (the clock is read every
/// [`DEADLINE_POLL_HASHES`] hashes, and before the first).
fn segment_before(start: &Hash, hashes: u32, deadline: Instant) -> Option<Hash> {
	let mut x = *start;
	for step in 0..hashes {
		if step.is_multiple_of(DEADLINE_POLL_HASHES) && Instant::now() >= deadline {
			return None;
		}
		x = blake2b256_of_hash(&x);
	}
	Some(x)
}

/// Spot-checks `answer` to the probe of `nonce` with `segment_hashes` hashes per segment.
///
/// Picks `spot_checks` distinct segments uniformly from all claimed segments, drawn from
/// `rng_seed` (every segment when `spot_checks` is at least their number, so the result is then
/// deterministic), recomputes each and compares it with the claimed checkpoint. Costs
/// `min(spot_checks, segments) × segment_hashes` hashes (at most 2^20 × 2^24: callers choose
/// `spot_checks` for their time budget), and `O(min(spot_checks, segments))` memory.
///
/// A wrong checkpoint is not an error: it is counted in [`ComputeCheck::failed`].
///
/// # Errors
///
/// [`ComputeError::SegmentHashesOutOfRange`] if `segment_hashes` is 0 or above
/// [`MAX_SEGMENT_HASHES`], [`ComputeError::TooManyThreads`] if the answer has more than
/// [`MAX_THREADS`] threads, [`ComputeError::TooManyCheckpoints`] if a thread has more than
/// [`MAX_CHECKPOINTS_PER_THREAD`] checkpoints.
pub fn check(
	nonce: &[u8; 32],
	answer: &ComputeAnswer,
	segment_hashes: u32,
	spot_checks: usize,
	rng_seed: &[u8; 32],
) -> Result<ComputeCheck, ComputeError> {
	if segment_hashes == 0 || segment_hashes > MAX_SEGMENT_HASHES {
		return Err(ComputeError::SegmentHashesOutOfRange {
			segment_hashes,
			max: MAX_SEGMENT_HASHES,
		});
	}
	if answer.threads.len() > usize::from(MAX_THREADS) {
		return Err(ComputeError::TooManyThreads {
			threads: answer.threads.len(),
			max: MAX_THREADS,
		});
	}
	// `ends[t]`: the number of segments of threads `0..=t`, so thread `t` owns the flat segment
	// indices `ends[t - 1]..ends[t]`.
	let mut ends = Vec::with_capacity(answer.threads.len());
	let mut segments = 0u64;
	for (thread, chain) in answer.threads.iter().enumerate() {
		if chain.len() > MAX_CHECKPOINTS_PER_THREAD {
			return Err(ComputeError::TooManyCheckpoints {
				thread,
				checkpoints: chain.len(),
				max: MAX_CHECKPOINTS_PER_THREAD,
			});
		}
		segments = segments.saturating_add(chain.len() as u64);
		ends.push(segments);
	}

	let picks = pick_segments(segments, spot_checks, rng_seed);
	let mut verified = 0usize;
	let mut failed = 0usize;
	let mut fastest: Option<u128> = None;
	for flat in picks {
		// The first thread whose range ends after `flat`.
		let thread = ends.partition_point(|&end| end <= flat);
		let thread_start = thread.checked_sub(1).and_then(|t| ends.get(t)).copied().unwrap_or(0);
		let position = usize::try_from(flat.saturating_sub(thread_start)).ok();
		let chain = answer.threads.get(thread);
		let claimed = chain.zip(position).and_then(|(chain, s)| chain.get(s));
		let previous = match (chain, position) {
			(_, Some(0)) => Some([0u8; 32]),
			(Some(chain), Some(s)) => s.checked_sub(1).and_then(|p| chain.get(p)).copied(),
			_ => None,
		};
		let from = match (previous, u16::try_from(thread), position.map(u32::try_from)) {
			(Some(previous), Ok(t), Some(Ok(index))) =>
				Some(segment_input(nonce, t, index, &previous)),
			_ => None,
		};
		let right = match (from, claimed) {
			(Some(from), Some(claimed)) => {
				let started = Instant::now();
				let right = segment(&from, segment_hashes) == *claimed;
				let took = started.elapsed().as_nanos();
				fastest = Some(fastest.map_or(took, |fastest| fastest.min(took)));
				right
			},
			_ => false,
		};
		if right {
			verified = verified.saturating_add(1);
		} else {
			failed = failed.saturating_add(1);
		}
	}
	let own_nanos_per_segment = fastest.map_or(0, |nanos| u64::try_from(nanos).unwrap_or(u64::MAX));
	Ok(ComputeCheck { segments, verified, failed, own_nanos_per_segment })
}

/// `min(count, total)` distinct flat segment indices in `0..total`, in increasing order: all of
/// them when `count >= total`, otherwise a uniform sample drawn from `seed` (Floyd's algorithm).
fn pick_segments(total: u64, count: usize, seed: &[u8; 32]) -> BTreeSet<u64> {
	let count = u64::try_from(count).unwrap_or(u64::MAX);
	if count >= total {
		return (0..total).collect();
	}
	let mut rng = HashRng::new(CHECK_DOMAIN, seed);
	let mut picked = BTreeSet::new();
	for j in total.saturating_sub(count)..total {
		let candidate = rng.below(j.saturating_add(1));
		if !picked.insert(candidate) {
			picked.insert(j);
		}
	}
	picked
}

/// The work of `segments` segments over a probe of `millis` ms, in thousandths of a reference
/// core: `segments × reference_nanos_per_segment × 1000 / (millis × 1_000_000)`, rounded down.
///
/// `reference_nanos_per_segment` is the time a reference core takes per segment, e.g. a
/// verifier's [`ComputeCheck::own_nanos_per_segment`] or a chain-wide constant. So 1000 means
/// "one reference core busy for the whole probe". Computed in 128 bits (no intermediate
/// overflow) and saturated at `u64::MAX`; `millis == 0` gives 0.
pub fn milli_vcpu(segments: u64, millis: u32, reference_nanos_per_segment: u64) -> u64 {
	// segments × nanos × 1000 / (millis × 10^6) = segments × nanos / (millis × 1000), exactly,
	// floor included.
	let work_nanos = u128::from(segments).saturating_mul(u128::from(reference_nanos_per_segment));
	let probe_micros = u128::from(millis).saturating_mul(1000);
	if probe_micros == 0 {
		return 0;
	}
	u64::try_from(work_nanos / probe_micros).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// An honest answer built without the clock: `per_thread[t]` segments for thread `t`.
	fn honest(nonce: &[u8; 32], per_thread: &[usize], segment_hashes: u32) -> ComputeAnswer {
		let threads: Vec<Vec<Hash>> = per_thread
			.iter()
			.enumerate()
			.map(|(t, &count)| {
				let mut x = [0u8; 32];
				(0..count)
					.map(|s| {
						x = segment(&segment_input(nonce, t as u16, s as u32, &x), segment_hashes);
						x
					})
					.collect::<Vec<Hash>>()
			})
			.collect();
		ComputeAnswer { threads }
	}

	#[test]
	fn segment_input_and_segment_follow_the_specification() {
		let nonce = [1u8; 32];
		let previous = [9u8; 32];
		let c0 = blake2b256(&[
			b"proof-of-sync/compute".as_slice(),
			nonce.as_slice(),
			3u16.to_le_bytes().as_slice(),
			5u32.to_le_bytes().as_slice(),
			previous.as_slice(),
		]);
		assert_eq!(segment_input(&nonce, 3, 5, &previous), c0);
		assert_ne!(segment_input(&nonce, 3, 5, &previous), segment_input(&nonce, 4, 5, &previous));
		assert_ne!(segment_input(&nonce, 3, 5, &previous), segment_input(&nonce, 3, 6, &previous));
		assert_ne!(
			segment_input(&nonce, 3, 5, &previous),
			segment_input(&[2u8; 32], 3, 5, &previous)
		);
		assert_eq!(segment(&c0, 0), c0);
		let two = blake2b256(&[blake2b256(&[c0.as_slice()]).as_slice()]);
		assert_eq!(segment(&c0, 2), two);
	}

	#[test]
	fn a_real_run_passes_its_check() {
		let nonce = [2u8; 32];
		let answer = run(&nonce, 2, 50, 256);
		assert_eq!(answer.threads.len(), 2);
		let segments = answer.segments();
		assert!(segments > 0, "no segment in 50 ms");
		assert!(answer.threads.iter().all(|chain| chain.len() <= MAX_CHECKPOINTS_PER_THREAD));
		let result = check(&nonce, &answer, 256, usize::MAX, &[7u8; 32]).expect("in bounds");
		assert_eq!(result.segments, segments);
		assert_eq!(result.verified as u64, segments);
		assert_eq!(result.failed, 0);
		assert!(result.passed());
		assert!(result.own_nanos_per_segment > 0);
		assert!(milli_vcpu(segments, 50, result.own_nanos_per_segment) > 0);

		// The same answer under another nonce fails everywhere.
		let other = check(&[3u8; 32], &answer, 256, usize::MAX, &[7u8; 32]).expect("in bounds");
		assert_eq!(other.verified, 0);
		assert_eq!(other.failed as u64, segments);
	}

	#[test]
	fn zero_threads_or_zero_time_give_little() {
		let nonce = [2u8; 32];
		assert_eq!(run(&nonce, 0, 50, 256), ComputeAnswer::default());
		let answer = run(&nonce, 1, 0, 256);
		assert_eq!(answer.threads.len(), 1);
		assert!(answer.threads[0].is_empty());
		let result = check(&nonce, &answer, 256, 10, &[0u8; 32]).expect("in bounds");
		assert_eq!(result, ComputeCheck::default());
		assert!(!result.passed());
	}

	#[test]
	fn the_checkpoint_bound_stops_a_thread() {
		// One-hash segments reach the bound well within the time.
		let nonce = [4u8; 32];
		let answer = run(&nonce, 1, 60_000, 1);
		assert_eq!(answer.threads[0].len(), MAX_CHECKPOINTS_PER_THREAD);
		let result = check(&nonce, &answer, 1, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!(result.verified, MAX_CHECKPOINTS_PER_THREAD);
	}

	#[test]
	fn forged_checkpoints_are_detected() {
		let nonce = [5u8; 32];
		let mut answer = honest(&nonce, &[5, 5], 64);
		let result = check(&nonce, &answer, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (10, 0));

		// A forged middle checkpoint fails its own segment and the next one.
		answer.threads[1][2][0] ^= 1;
		let result = check(&nonce, &answer, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (8, 2));
		assert!(!result.passed());

		// A forged last checkpoint fails only its own segment.
		let mut answer = honest(&nonce, &[5, 5], 64);
		answer.threads[0][4][31] ^= 1;
		let result = check(&nonce, &answer, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (9, 1));

		// A forged first checkpoint.
		let mut answer = honest(&nonce, &[5, 5], 64);
		answer.threads[1][0][7] ^= 1;
		let result = check(&nonce, &answer, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (8, 2));

		// Swapped threads fail everywhere (each segment is bound to its thread index).
		let mut answer = honest(&nonce, &[5, 5], 64);
		answer.threads.swap(0, 1);
		let result = check(&nonce, &answer, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (0, 10));

		// One real chain copied into every other thread, or shifted by a segment, is worth
		// nothing: each segment takes in its thread and its index, not only its predecessor.
		let real = honest(&nonce, &[6], 64);
		let copied = ComputeAnswer { threads: vec![real.threads[0].clone(); 4] };
		let result = check(&nonce, &copied, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (6, 18));
		let shifted = ComputeAnswer { threads: vec![real.threads[0][1..].to_vec()] };
		let result = check(&nonce, &shifted, 64, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (0, 5));

		// The wrong segment length fails everywhere.
		let answer = honest(&nonce, &[5, 5], 64);
		let result = check(&nonce, &answer, 65, usize::MAX, &[0u8; 32]).expect("in bounds");
		assert_eq!((result.verified, result.failed), (0, 10));
	}

	#[test]
	fn spot_checks_sample_distinct_segments() {
		let nonce = [6u8; 32];
		let answer = honest(&nonce, &[7, 0, 3], 16);
		for spot_checks in [0, 1, 3, 9] {
			let result = check(&nonce, &answer, 16, spot_checks, &[1u8; 32]).expect("in bounds");
			assert_eq!(result.segments, 10);
			assert_eq!(result.verified, spot_checks);
			assert_eq!(result.failed, 0);
		}
		let picks = pick_segments(10, 4, &[1u8; 32]);
		assert_eq!(picks.len(), 4);
		assert!(picks.iter().all(|&p| p < 10));
		assert_eq!(picks, pick_segments(10, 4, &[1u8; 32]));
		assert_eq!(pick_segments(10, 10, &[1u8; 32]), (0..10).collect());
		assert_eq!(pick_segments(10, 50, &[1u8; 32]), (0..10).collect());
		assert!(pick_segments(0, 5, &[1u8; 32]).is_empty());
		// Every segment is eventually picked by some seed.
		let mut seen = BTreeSet::new();
		for seed in 0..100u8 {
			seen.extend(pick_segments(10, 2, &[seed; 32]));
		}
		assert_eq!(seen.len(), 10);
	}

	#[test]
	fn out_of_bounds_answers_are_refused() {
		let nonce = [0u8; 32];
		let answer = ComputeAnswer { threads: vec![Vec::new(); usize::from(MAX_THREADS) + 1] };
		assert_eq!(
			check(&nonce, &answer, 1, 1, &nonce),
			Err(ComputeError::TooManyThreads { threads: 257, max: MAX_THREADS })
		);
		let answer = ComputeAnswer {
			threads: vec![Vec::new(), vec![[0u8; 32]; MAX_CHECKPOINTS_PER_THREAD + 1]],
		};
		assert_eq!(
			check(&nonce, &answer, 1, 1, &nonce),
			Err(ComputeError::TooManyCheckpoints {
				thread: 1,
				checkpoints: MAX_CHECKPOINTS_PER_THREAD + 1,
				max: MAX_CHECKPOINTS_PER_THREAD,
			})
		);
		let answer = ComputeAnswer::default();
		for bad in [0, MAX_SEGMENT_HASHES + 1] {
			assert_eq!(
				check(&nonce, &answer, bad, 1, &nonce),
				Err(ComputeError::SegmentHashesOutOfRange {
					segment_hashes: bad,
					max: MAX_SEGMENT_HASHES,
				})
			);
		}
	}

	#[test]
	fn answers_round_trip_through_scale() {
		let answer = honest(&[8u8; 32], &[2, 3], 4);
		let decoded = ComputeAnswer::decode(&mut answer.encode().as_slice()).expect("decodes");
		assert_eq!(decoded, answer);
	}

	#[test]
	fn milli_vcpu_scales_and_saturates() {
		// 1000 segments of 1 ms in 1 s: one core.
		assert_eq!(milli_vcpu(1000, 1000, 1_000_000), 1000);
		// Twice the segments in the same time: two cores.
		assert_eq!(milli_vcpu(2000, 1000, 1_000_000), 2000);
		// A third of a core, rounded down.
		assert_eq!(milli_vcpu(1, 3, 1_000_000), 333);
		assert_eq!(milli_vcpu(0, 1000, 1_000_000), 0);
		assert_eq!(milli_vcpu(1000, 0, 1_000_000), 0);
		assert_eq!(milli_vcpu(u64::MAX, 1, u64::MAX), u64::MAX);
		assert_eq!(milli_vcpu(u64::MAX, u32::MAX, 1), u64::MAX / (u64::from(u32::MAX) * 1000));
	}
}
