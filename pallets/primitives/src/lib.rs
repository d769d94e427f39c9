//! # Proof of Sync primitives
//!
//! The types and the small traits the Proof of Sync pallets share. Each pallet owns its storage and
//! asks the others for what it needs only through the traits here, so every pallet can be tested
//! alone with a mock runtime that implements the traits it uses.
//!
//! - [`RoundClock`]: which Proof of Sync round is running (rounds are pallet-session sessions).
//! - [`ProviderRegistry`]: what the resource registry tells the sync-attestation pallet and the
//!   session manager about providers, and how they chill or slash one.
//! - [`RoundPoints`] and [`OnRoundClosed`]: how the rewards pallet learns a closed round's points.
//! - [`VerifiedCapacity`]: what the usage pallet may lease out of a provider's capacity.
//! - [`UsageSink`]: how served and disputed usage reaches a provider's points.
//! - [`cleanup_budget`]: how many keys an `on_idle` cleanup may remove within the weight left.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod seal;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{DispatchResult, Perbill, Weight};

/// Index of a Proof of Sync round. A round is a pallet-session session, so this is the session
/// index.
pub type RoundIndex = u32;

/// The most entries one page of a round's leaderboard holds: the runtime API returns at most this
/// many, and the `proofOfSync_leaderboard` RPC refuses a larger `pageSize`.
pub const MAX_LEADERBOARD_PAGE: u32 = 100;

/// Reward points a provider earns in a round. Points are only compared with the round's total, so
/// their unit is arbitrary; `u128` leaves room for capacity × factor products.
pub type Points = u128;

/// The kinds of resource a provider declares capacity for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
	/// Compute, in milli-vCPU (1 000 = one virtual CPU).
	Compute,
	/// Storage, in GiB.
	Storage,
	/// Bandwidth, in Mbit/s.
	Bandwidth,
}

impl ResourceKind {
	/// Every kind, in a fixed order.
	pub const ALL: [ResourceKind; 3] =
		[ResourceKind::Compute, ResourceKind::Storage, ResourceKind::Bandwidth];
}

/// A capacity, one figure per [`ResourceKind`]: what a provider declares, or what its verifiers
/// measured.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
	Serialize,
	Deserialize,
)]
///
/// In JSON (RPC results, chain specs) each figure is a decimal string, since a `u64` outgrows the
/// integers a JavaScript client reads exactly; a plain number is accepted on input too.
#[serde(rename_all = "camelCase")]
pub struct Capacity {
	/// Compute, in milli-vCPU.
	#[serde(with = "decimal")]
	pub compute: u64,
	/// Storage, in GiB.
	#[serde(with = "decimal")]
	pub storage: u64,
	/// Bandwidth, in Mbit/s.
	#[serde(with = "decimal")]
	pub bandwidth: u64,
}

/// Serde for a `u64` in JSON: written as a decimal string, read from a decimal string (ASCII
/// digits only) or a non-negative integer.
mod decimal {
	use core::fmt;
	use serde::{
		de::{Error, Visitor},
		Deserializer, Serializer,
	};

	pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.collect_str(value)
	}

	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
		struct Decimal;
		impl Visitor<'_> for Decimal {
			type Value = u64;

			fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
				f.write_str("a u64 as a decimal string or an integer")
			}

			fn visit_u64<E: Error>(self, value: u64) -> Result<u64, E> {
				Ok(value)
			}

			fn visit_i64<E: Error>(self, value: i64) -> Result<u64, E> {
				u64::try_from(value).map_err(|_| E::custom("a capacity cannot be negative"))
			}

			fn visit_str<E: Error>(self, value: &str) -> Result<u64, E> {
				if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
					return Err(E::custom("expected a decimal string of ASCII digits"));
				}
				value.parse().map_err(|_| E::custom("the figure does not fit in a u64"))
			}
		}
		deserializer.deserialize_any(Decimal)
	}
}

impl Capacity {
	/// The figure for one kind.
	pub fn of(&self, kind: ResourceKind) -> u64 {
		match kind {
			ResourceKind::Compute => self.compute,
			ResourceKind::Storage => self.storage,
			ResourceKind::Bandwidth => self.bandwidth,
		}
	}

	/// Whether no kind has any capacity.
	pub fn is_zero(&self) -> bool {
		ResourceKind::ALL.iter().all(|kind| self.of(*kind) == 0)
	}

	/// Whether every kind is at most `max`'s figure for it.
	pub fn fits_within(&self, max: &Capacity) -> bool {
		ResourceKind::ALL.iter().all(|kind| self.of(*kind) <= max.of(*kind))
	}
}

/// The time, in nanoseconds, that the fastest hardware a chain's probe settings must hold out
/// against takes for one BLAKE2b-256 hash of a leaf seal: about four times faster than the core
/// this project measures on (about 380 ns for the seal's 68-byte hash input). Used by
/// [`ProbeConfig::resealable_overclaim`].
pub const REFERENCE_SEAL_HASH_NANOS: u64 = 100;

/// The blocks in a 4 KiB leaf, each sealed with `seal_iterations` sequential hashes.
pub const SEAL_BLOCKS_PER_LEAF: u64 = seal::BLOCKS_PER_LEAF as u64;

/// The most seal iterations probe settings may have: the chain reseals one leaf, `128 ×
/// seal_iterations` hashes, to check a storage fraud proof, and at 1 024 that is 131 072 hashes.
pub const MAX_CHECKED_SEAL_ITERATIONS: u32 = 1 << 10;

/// The bytes of one leaf of a storage dataset ([`DatasetCommitment`]).
pub const DATASET_LEAF_BYTES: u64 = seal::LEAF_BYTES as u64;

/// How verifiers probe a target's resource endpoint: the figures a provider's node and its
/// verifiers' nodes must agree on, kept on chain (sync-attestation's `ProbeConfig`) so that they
/// do. Set at genesis; root may change them.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct ProbeConfig {
	/// The bytes of one unit of declared storage. A live chain counts storage in GiB
	/// (1 073 741 824); test chains use 1 MiB, so that their datasets stay small.
	#[serde(with = "decimal")]
	pub storage_unit: u64,
	/// How many lanes a provider's storage dataset is sealed in: leaf `i` is sealed from leaf
	/// `i − lanes`, so sealing runs in parallel across lanes, and a provider that regenerates a
	/// leaf it did not keep does so in sequence within its lane.
	pub dataset_lanes: u32,
	/// The sequential hashes per 32-byte block of a sealed leaf (a leaf is 128 blocks).
	pub seal_iterations: u32,
	/// How many leaves a storage probe samples.
	pub storage_samples: u32,
	/// How long, in milliseconds, a target may take to answer a storage probe.
	pub storage_deadline_ms: u32,
	/// The bytes of a bandwidth probe's payload.
	pub bandwidth_bytes: u32,
	/// How long, in milliseconds, a compute probe runs.
	pub compute_millis: u32,
}

impl ProbeConfig {
	/// The storage overclaim factor `X` below which a provider that keeps only one leaf in `X`
	/// might still answer a storage probe in time, on hardware that hashes at
	/// [`REFERENCE_SEAL_HASH_NANOS`]: per sample, it must reseal on average `X / 2` leaves in
	/// sequence, `128 × seal_iterations` hashes each, within the deadline, so
	/// `X = 2 × storage_deadline_ms / (128 × seal_iterations × REFERENCE_SEAL_HASH_NANOS)`.
	/// Above it, the samples it cannot reseal in time fail and its storage measures low.
	pub fn resealable_overclaim(&self) -> u64 {
		let cheater_budget_nanos = u128::from(self.storage_deadline_ms) * 2_000_000;
		let leaf_seal_nanos = u128::from(SEAL_BLOCKS_PER_LEAF) *
			u128::from(self.seal_iterations.max(1)) *
			u128::from(REFERENCE_SEAL_HASH_NANOS);
		u64::try_from(cheater_budget_nanos / leaf_seal_nanos).unwrap_or(u64::MAX)
	}
}

impl Default for ProbeConfig {
	/// A live chain's: GiB units, 64 lanes, 80 iterations (a 4 KiB leaf in about 4 ms on a
	/// 380 ns/hash core, about 17 core-minutes to seal a GiB), 16 samples answered within 500 ms,
	/// an 8 MiB bandwidth payload and a 1 s compute probe. A provider holding less than a
	/// 976th of what it claims cannot answer in time ([`Self::resealable_overclaim`]).
	fn default() -> Self {
		Self {
			storage_unit: 1 << 30,
			dataset_lanes: 64,
			seal_iterations: 80,
			storage_samples: 16,
			storage_deadline_ms: 500,
			bandwidth_bytes: 8 << 20,
			compute_millis: 1_000,
		}
	}
}

/// What a provider's node holds for its storage: a dataset of `leaves` leaves (4 KiB each) sealed
/// in `lanes` lanes with `seal_iterations` hashes per block ([`seal`]), whose Merkle root is
/// `root`. Verifiers sample leaves and check them against the root and the seal; a leaf that is
/// in the tree but is not its predecessor's seal proves the commitment false on chain.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct DatasetCommitment {
	/// The Merkle root of the dataset's leaves.
	#[serde(with = "hex32")]
	pub root: [u8; 32],
	/// How many leaves it has.
	#[serde(with = "decimal")]
	pub leaves: u64,
	/// The lanes it is sealed in (`ProbeConfig::dataset_lanes` when it was committed).
	pub lanes: u32,
	/// The sequential hashes per block it is sealed with (`ProbeConfig::seal_iterations` when it
	/// was committed).
	pub seal_iterations: u32,
}

impl DatasetCommitment {
	/// The commitment to a dataset of `leaves` leaves with Merkle root `root`, sealed with
	/// `config`'s lanes and seal iterations.
	pub fn sealed_with(root: [u8; 32], leaves: u64, config: &ProbeConfig) -> Self {
		Self { root, leaves, lanes: config.dataset_lanes, seal_iterations: config.seal_iterations }
	}

	/// The storage the dataset holds, in whole units of `storage_unit` bytes:
	/// `⌊leaves × DATASET_LEAF_BYTES / storage_unit⌋` (zero for a zero unit). The most storage a
	/// verifier can measure for the dataset's provider.
	pub fn units(&self, storage_unit: u64) -> u64 {
		if storage_unit == 0 {
			return 0
		}
		let bytes = u128::from(self.leaves).saturating_mul(u128::from(DATASET_LEAF_BYTES));
		u64::try_from(bytes / u128::from(storage_unit)).unwrap_or(u64::MAX)
	}
}

/// A storage audit a verifier opened against a provider (`open_audit`): the provider must prove
/// on chain, by block `deadline`, the leaves of its committed dataset that the verifier's probe
/// with `nonce` sampled ([`seal::sample_index`] `0..samples`), each with its lane predecessor and
/// both Merkle paths (`answer_audit`). The chain checks every sample's seal. An audit that is not
/// answered by its deadline drops the dataset commitment, and is slashed like a storage fraud if
/// the provider answered a sync challenge after the audit opened (it was up and did not answer)
/// or missed too many audits.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct StorageAudit<AccountId, BlockNumber> {
	/// The verifier that opened it.
	pub verifier: AccountId,
	/// The round it was opened in.
	pub round: RoundIndex,
	/// The nonce of the verifier's probe: the samples are drawn from it.
	#[serde(with = "hex32")]
	pub nonce: [u8; 32],
	/// The dataset to prove: the provider's commitment in effect in `round`.
	pub dataset: DatasetCommitment,
	/// How many samples to prove: the probe settings' `storage_samples`, at most the chain's
	/// `MaxAuditSamples`.
	pub samples: u32,
	/// The block it was opened in.
	pub opened: BlockNumber,
	/// The last block in which an answer counts.
	pub deadline: BlockNumber,
	/// Whether the provider had answered a sync challenge in `round` or the round before when the
	/// audit opened: only then does missing it while offline count towards the slash for missed
	/// audits (a provider that is down misses every audit of its outage, and that counts once).
	pub counts: bool,
}

/// Serde for 32 bytes in JSON: a `0x`-prefixed hex string.
pub mod hex32 {
	use alloc::{format, string::String};
	use serde::{de::Error, Deserialize, Deserializer, Serializer};

	/// Writes `0x` and the 64 hex digits.
	pub fn serialize<S: Serializer>(bytes: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
		let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
		serializer.collect_str(&format_args!("0x{hex}"))
	}

	/// Reads `0x` and 64 hex digits.
	pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
		let text = String::deserialize(deserializer)?;
		let digits = text.strip_prefix("0x").ok_or_else(|| D::Error::custom("expected 0x…"))?;
		if digits.len() != 64 || !digits.is_ascii() {
			return Err(D::Error::custom("expected 32 bytes of hex"));
		}
		let mut bytes = [0u8; 32];
		for (i, byte) in bytes.iter_mut().enumerate() {
			*byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
				.map_err(|_| D::Error::custom("expected hex digits"))?;
		}
		Ok(bytes)
	}
}

/// Where a provider is in its lifecycle.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ProviderStatus {
	/// Takes part in rounds from the provider's `active_since` round on: it is challenged, scored
	/// and paid, and may be an authority if it is a validator candidate.
	Active,
	/// Out of the active set after a liveness fault or a slash below the minimum bond. The bond
	/// stays held; the provider's `reactivate` call brings it back.
	Chilled,
	/// Announced leaving. The bond stays held, and slashable, until round `until_round`; then
	/// `withdraw` releases it and removes the record.
	Leaving {
		/// The first round in which the bond may be withdrawn.
		until_round: RoundIndex,
	},
}

/// Which Proof of Sync round is running.
pub trait RoundClock {
	/// The index of the round in progress.
	fn current_round() -> RoundIndex;
}

/// What the resource registry tells the other pallets about providers.
///
/// Implemented by the resources pallet; used by the sync-attestation pallet (who may be challenged,
/// who may become an authority, whom to chill or slash).
pub trait ProviderRegistry<AccountId, Balance> {
	/// Whether `who` is an active provider that takes part in `round`: registered (or re-activated)
	/// before `round` began, not chilled and not leaving.
	fn is_active_in(who: &AccountId, round: RoundIndex) -> bool;

	/// Whether `who` was active when `round` began: [`Self::is_active_in`] now, or until it was
	/// chilled or started leaving during `round`. Exact for the round in progress (the registry
	/// keeps only the last stop). The verifier ring of a round seats exactly
	/// these providers, so one that stops mid-round moves no one else's seat.
	fn is_seated_in(who: &AccountId, round: RoundIndex) -> bool;

	/// How many providers are active now. Kept as a counter: O(1).
	fn active_count() -> u32;

	/// The capacity `who` declared for `round` (a change takes effect at the round after the
	/// one it was made in), if it is a provider.
	fn declared_capacity(who: &AccountId, round: RoundIndex) -> Option<Capacity>;

	/// How many provider slots there are: every provider has one below this, fixed for as long as
	/// it is registered, and a slot is reused only after its provider withdrew. O(1).
	fn slot_count() -> u32;

	/// The provider in `slot`, if the slot is filled.
	fn provider_in_slot(slot: u32) -> Option<AccountId>;

	/// The slot of `who`, if it is a provider.
	fn slot_of(who: &AccountId) -> Option<u32>;

	/// The validator candidates that may become authorities now (active, opted in, bonded at least
	/// the validator minimum), each with its bond. Bounded by the registry's candidate limit.
	fn candidates() -> Vec<(AccountId, Balance)>;

	/// Whether `who` has set session keys (`session.set_keys`). pallet-session leaves an account
	/// without them out of the validator set it hands to consensus, so the session manager seats
	/// only candidates that have them.
	fn has_session_keys(who: &AccountId) -> bool;

	/// Take `who` out of the active set for a liveness fault. Its bond is untouched; it may
	/// re-activate itself.
	fn chill(who: &AccountId) -> DispatchResult;

	/// Slash `fraction` of `who`'s bond for provable fraud. `reporter_cut` of the slashed amount
	/// goes to `reporter`, the rest to the registry's slash destination. Returns the amount
	/// slashed.
	fn slash(
		who: &AccountId,
		fraction: Perbill,
		reporter: Option<(&AccountId, Perbill)>,
	) -> Result<Balance, sp_runtime::DispatchError>;
}

/// What a provider's verifiers measured of its capacity.
///
/// Implemented by the sync-attestation pallet; used by the usage pallet, which leases out at most
/// the smaller of the declared and the verified figure of each kind.
pub trait VerifiedCapacity<AccountId> {
	/// The capacity `who`'s verifiers measured in the last closed round (each kind's median over
	/// the verifiers assigned to it, a missing report counting as zero), or `None` when none of
	/// them reported on it: no round closed yet, no verifier was assigned (a network of one
	/// provider), or none reported.
	fn verified_capacity(who: &AccountId) -> Option<Capacity>;
}

impl<AccountId> VerifiedCapacity<AccountId> for () {
	fn verified_capacity(_who: &AccountId) -> Option<Capacity> {
		None
	}
}

/// Told what the consumers of a provider's leases used and disputed, so that what a provider
/// serves counts towards its points and what its consumers dispute against them.
///
/// Implemented by the sync-attestation pallet; called by the usage pallet, whose benchmarks in
/// the runtime measure these calls in their worst case (a full leaderboard), so that the usage
/// pallet's weights include them.
pub trait UsageSink<AccountId> {
	/// `who` was paid for `units` usage units of `kind` it served (not merely reserved). They count
	/// in the round in progress, whichever round they were metered in: a closed round's points are
	/// final.
	fn note_served(who: &AccountId, kind: ResourceKind, units: u64);

	/// A round of `who`'s usage settled with `units` usage units of `kind` disputed: it billed
	/// them, its consumer never signed a receipt for them and disputed them, and they were not
	/// paid. Called when the round settles, once no receipt can come any more.
	fn note_disputed(who: &AccountId, kind: ResourceKind, units: u64);
}

impl<AccountId> UsageSink<AccountId> for () {
	fn note_served(_who: &AccountId, _kind: ResourceKind, _units: u64) {}

	fn note_disputed(_who: &AccountId, _kind: ResourceKind, _units: u64) {}
}

/// The key type of a provider's `sync` key in a node's keystore: the sr25519 key its node signs
/// attestations, quality reports and usage notes with.
pub const SYNC_KEY_TYPE: sp_runtime::KeyTypeId = sp_runtime::KeyTypeId(*b"sync");

/// Which `sync` key (an sr25519 public key, as raw bytes) is whose.
///
/// Implemented in the runtime over the session keys (`session.set_keys` proves the account holds
/// the key); used by the usage pallet to check the notes a provider's node signs and to let its
/// node record receipted usage without a fee.
pub trait SyncKeys<AccountId> {
	/// The `sync` key `who` registered, if any.
	fn sync_key_of(who: &AccountId) -> Option<[u8; 32]>;

	/// The account that registered `key`, if any.
	fn owner_of_sync_key(key: &[u8; 32]) -> Option<AccountId>;
}

/// The points of a round, as the pallet that scores providers sees them.
pub trait RoundPoints<AccountId> {
	/// Points `who` earned in `round`.
	fn points_of(round: RoundIndex, who: &AccountId) -> Points;

	/// The sum of every provider's points in `round`.
	fn total_points(round: RoundIndex) -> Points;

	/// The points that count for a validator seat: `who`'s points in `round` if it was a
	/// validator candidate when the round started, else zero. A provider that was not one is
	/// challenged at the network's rate, so its points are a lottery (one lucky answer is worth
	/// many), not the steady evidence a seat is won on. Defaults to `points_of`, for a scorer
	/// with no candidate class.
	fn seat_points_of(round: RoundIndex, who: &AccountId) -> Points {
		Self::points_of(round, who)
	}
}

/// Called once when a round closes and its points are final.
pub trait OnRoundClosed {
	/// `round` has closed. Returns the weight used.
	fn on_round_closed(round: RoundIndex) -> Weight;
}

impl OnRoundClosed for () {
	fn on_round_closed(_round: RoundIndex) -> Weight {
		Weight::zero()
	}
}

/// Called once when a provider withdrew its bond and its registry record is gone: what other
/// pallets kept about it (keys, commitments, strikes) goes too, as pallet-staking forgets a stash
/// it reaps.
///
/// The registry lets a provider withdraw only after its unbonding period, so whatever could
/// still judge or punish it has expired by then.
pub trait OnProviderWithdrawn<AccountId> {
	/// `who` withdrew. Returns the weight used, at most [`Self::max_weight`].
	fn on_provider_withdrawn(who: &AccountId) -> Weight;

	/// The most [`Self::on_provider_withdrawn`] may weigh: the registry's `withdraw` call charges
	/// it up front.
	fn max_weight() -> Weight;
}

impl<AccountId> OnProviderWithdrawn<AccountId> for () {
	fn on_provider_withdrawn(_who: &AccountId) -> Weight {
		Weight::zero()
	}

	fn max_weight() -> Weight {
		Weight::zero()
	}
}

/// How many items an `on_idle` cleanup may remove within `remaining` weight, when removing `n`
/// items weighs `base + n × per_item`: the most that fit, and at most `max`.
///
/// Zero when not even one item fits (or `max` is zero). A component of `per_item` that is zero
/// does not limit the count, so a zero `per_item` allows `max` once `base` fits.
pub fn cleanup_budget(remaining: Weight, base: Weight, per_item: Weight, max: u32) -> u32 {
	if max == 0 || remaining.any_lt(base.saturating_add(per_item)) {
		return 0;
	}
	let fits = remaining
		.saturating_sub(base)
		.checked_div_per_component(&per_item)
		.unwrap_or(u64::MAX);
	u32::try_from(fits).unwrap_or(u32::MAX).min(max)
}

/// [`cleanup_budget`] for a benchmarked weight function `weight_of(n)`: its base is `weight_of(0)`
/// and its per-item weight `weight_of(1) - weight_of(0)`, exact for the linear functions the
/// benchmarks generate. The result is then checked against `weight_of` itself and lowered until it
/// fits, so a hand-written `WeightInfo` that grows faster than linearly cannot make a cleanup step
/// overrun `remaining`.
pub fn cleanup_budget_of(remaining: Weight, max: u32, weight_of: impl Fn(u32) -> Weight) -> u32 {
	let base = weight_of(0);
	let estimate = cleanup_budget(remaining, base, weight_of(1).saturating_sub(base), max);
	let fits = |n: u32| weight_of(n).all_lte(remaining);
	if estimate == 0 || fits(estimate) {
		return estimate;
	}
	// The largest count below the estimate that fits, for a weight that grows with the count.
	let (mut low, mut high) = (0, estimate - 1);
	while low < high {
		let mid = low + (high - low).div_ceil(2);
		if fits(mid) {
			low = mid;
		} else {
			high = mid - 1;
		}
	}
	low
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn capacity_json_is_decimal_strings_and_reads_numbers_too() {
		let c = Capacity { compute: u64::MAX, storage: 2, bandwidth: 3 };
		let json = serde_json::to_string(&c).unwrap();
		assert_eq!(json, r#"{"compute":"18446744073709551615","storage":"2","bandwidth":"3"}"#);
		assert_eq!(serde_json::from_str::<Capacity>(&json).unwrap(), c);
		let numbers = r#"{"compute":1,"storage":2,"bandwidth":3}"#;
		assert_eq!(
			serde_json::from_str::<Capacity>(numbers).unwrap(),
			Capacity { compute: 1, storage: 2, bandwidth: 3 }
		);
		for bad in
			["\"-1\"", "-1", "\"+1\"", "\" 1\"", "\"0x1\"", "1.5", "\"\"", "18446744073709551616"]
		{
			let json = alloc::format!(r#"{{"compute":{bad},"storage":2,"bandwidth":3}}"#);
			assert!(serde_json::from_str::<Capacity>(&json).is_err(), "{bad} was accepted");
		}
	}

	#[test]
	fn capacity_of_each_kind() {
		let c = Capacity { compute: 1, storage: 2, bandwidth: 3 };
		assert_eq!(ResourceKind::ALL.map(|k| c.of(k)), [1, 2, 3]);
		assert!(!c.is_zero());
		assert!(Capacity::default().is_zero());
	}

	fn w(ref_time: u64, proof_size: u64) -> Weight {
		Weight::from_parts(ref_time, proof_size)
	}

	#[test]
	fn cleanup_budget_without_weight_is_zero() {
		assert_eq!(cleanup_budget(Weight::zero(), w(10, 10), w(2, 1), 5), 0);
		// Even when removing an item weighs nothing but the base does not fit.
		assert_eq!(cleanup_budget(Weight::zero(), w(10, 10), Weight::zero(), 5), 0);
		// Nothing weighs anything: `max`.
		assert_eq!(cleanup_budget(Weight::zero(), Weight::zero(), Weight::zero(), 5), 5);
	}

	#[test]
	fn cleanup_budget_of_exactly_one_item() {
		let (base, per_item) = (w(10, 10), w(2, 1));
		assert_eq!(cleanup_budget(w(12, 11), base, per_item, 5), 1);
		// One unit short in either component: none.
		assert_eq!(cleanup_budget(w(11, 11), base, per_item, 5), 0);
		assert_eq!(cleanup_budget(w(12, 10), base, per_item, 5), 0);
		// The base alone fits, one item does not.
		assert_eq!(cleanup_budget(base, base, per_item, 5), 0);
		// Short of one more item in one component: still one.
		assert_eq!(cleanup_budget(w(13, 1_000), base, per_item, 5), 1);
	}

	#[test]
	fn cleanup_budget_takes_the_tightest_component() {
		let (base, per_item) = (w(10, 10), w(2, 1));
		// ref_time fits 4 items, proof_size 3.
		assert_eq!(cleanup_budget(w(18, 13), base, per_item, 100), 3);
		assert_eq!(cleanup_budget(w(18, 100), base, per_item, 100), 4);
		// A component the items do not use limits nothing.
		assert_eq!(cleanup_budget(w(18, 10), base, w(2, 0), 100), 4);
	}

	#[test]
	fn cleanup_budget_is_capped_by_max() {
		let (base, per_item) = (w(10, 10), w(2, 1));
		assert_eq!(cleanup_budget(w(1_000, 1_000), base, per_item, 3), 3);
		assert_eq!(cleanup_budget(w(1_000, 1_000), base, per_item, 0), 0);
		assert_eq!(cleanup_budget(Weight::MAX, base, Weight::zero(), 7), 7);
	}

	#[test]
	fn cleanup_budget_does_not_overflow() {
		// More items fit than a `u32` counts: `max`, or `u32::MAX`.
		assert_eq!(cleanup_budget(Weight::MAX, w(1, 1), w(1, 1), u32::MAX), u32::MAX);
		assert_eq!(cleanup_budget(Weight::MAX, w(1, 1), w(1, 1), 9), 9);
		// A base of `Weight::MAX` leaves room for no item, though `base + per_item` saturates.
		assert_eq!(cleanup_budget(Weight::MAX, Weight::MAX, w(1, 1), 9), 0);
		// Per-item weights too large to add: no item.
		assert_eq!(cleanup_budget(w(u64::MAX - 1, 10), w(1, 1), Weight::MAX, 9), 0);
	}

	#[test]
	fn cleanup_budget_is_the_most_items_that_fit() {
		// The largest `n <= max` with `base + n × per_item <= remaining`, found by counting.
		let counted = |remaining: Weight, base: Weight, per_item: Weight, max: u32| {
			(0..=max)
				.rev()
				.find(|n| {
					base.saturating_add(per_item.saturating_mul(u64::from(*n))).all_lte(remaining)
				})
				.unwrap_or(0)
		};
		for (base, per_item) in [(w(0, 0), w(3, 2)), (w(7, 5), w(3, 2)), (w(7, 5), w(4, 0))] {
			for ref_time in 0..40 {
				for proof_size in 0..25 {
					for max in [0, 1, 4, 100] {
						let remaining = w(ref_time, proof_size);
						assert_eq!(
							cleanup_budget(remaining, base, per_item, max),
							counted(remaining, base, per_item, max),
							"remaining {remaining:?}, base {base:?}, per item {per_item:?}, max {max}"
						);
					}
				}
			}
		}
	}

	#[test]
	fn cleanup_budget_of_never_overruns_a_faster_than_linear_weight_function() {
		// 10 + n² ref time: the linear estimate from n = 0 and n = 1 would allow far too many.
		let weight_of = |n: u32| Weight::from_parts(10 + u64::from(n) * u64::from(n), 0);
		for remaining in [0u64, 10, 11, 14, 15, 35, 36, 10 + 255 * 255, u64::MAX] {
			let remaining = Weight::from_parts(remaining, 0);
			let n = cleanup_budget_of(remaining, 256, weight_of);
			assert!(n == 0 || weight_of(n).all_lte(remaining), "{n} overruns {remaining:?}");
			assert!(n == 256 || !weight_of(n + 1).all_lte(remaining), "{n} is not the most");
		}
		assert_eq!(cleanup_budget_of(Weight::from_parts(35, 0), 256, weight_of), 5);
	}

	#[test]
	fn cleanup_budget_of_a_linear_weight_function() {
		let weight_of = |n: u32| w(10, 10).saturating_add(w(2, 1).saturating_mul(n.into()));
		assert_eq!(cleanup_budget_of(weight_of(0), 5, weight_of), 0);
		assert_eq!(cleanup_budget_of(weight_of(1), 5, weight_of), 1);
		assert_eq!(cleanup_budget_of(weight_of(4), 5, weight_of), 4);
		assert_eq!(cleanup_budget_of(weight_of(4).saturating_sub(w(1, 0)), 5, weight_of), 3);
		assert_eq!(cleanup_budget_of(Weight::MAX, 5, weight_of), 5);
	}
}
