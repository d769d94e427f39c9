//! Benchmarks of the calls, the authorization of attestations, the session hooks and the cleanup,
//! each in its worst case.

use super::*;
use crate::{crypto::SyncId, randomness::benchmark::*};
use alloc::{boxed::Box, vec::Vec};
use codec::{Decode, Encode};
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::{BoundedVec, TransactionSource},
	traits::{Authorize, Get, Hooks},
	weights::Weight,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use pallet_session::SessionManager;
use proof_of_sync_primitives::{
	seal, DatasetCommitment, ProbeConfig, ProviderRegistry, RoundClock, RoundIndex, StorageAudit,
	MAX_CHECKED_SEAL_ITERATIONS, MAX_LEADERBOARD_PAGE,
};
use sp_runtime::{
	traits::{CheckedSub, Hash, One, Saturating, Zero},
	Perbill, RuntimeAppPublic,
};

/// A registered provider with a `sync` key in the keystore.
fn provider_with_key<T: Config>(index: u32, candidate: bool) -> (T::AccountId, SyncId) {
	let who: T::AccountId = account("provider", index, 0);
	T::BenchmarkHelper::register_provider(&who, candidate);
	let key = SyncId::generate_pair(None);
	T::BenchmarkHelper::set_sync_key(&who, key.clone());
	(who, key)
}

/// Ends the current round and starts the next one at the next multiple of `RoundLength`, as
/// pallet-session does. Returns the new round.
fn next_round<T: Config>() -> RoundIndex {
	let length = T::RoundLength::get();
	let now = frame_system::Pallet::<T>::block_number();
	let start = (now / length).saturating_add(One::one()).saturating_mul(length);
	frame_system::Pallet::<T>::set_block_number(start);
	let ending = <Pallet<T> as RoundClock>::current_round();
	<Pallet<T> as SessionManager<T::AccountId>>::end_session(ending);
	<Pallet<T> as SessionManager<T::AccountId>>::start_session(ending.saturating_add(1));
	<Pallet<T> as SessionManager<T::AccountId>>::new_session(ending.saturating_add(2));
	ending.saturating_add(1)
}

/// A chain hash for block `n`, stored as frame-system would.
fn store_hash<T: Config>(n: BlockNumberFor<T>) -> T::Hash {
	let hash = T::Hashing::hash_of(&(b"benchmark", n));
	frame_system::BlockHash::<T>::insert(n, hash);
	hash
}

/// `who`'s answer to a challenge at the current round's first block, signed, with the chain
/// moved to the last block of the response window (the largest lag). The randomness of the
/// challenge block's parent is chosen so that the block challenges `who`.
fn signed_answer<T: Config>(
	who: &T::AccountId,
	key: &SyncId,
) -> Result<(AttestationOf<T>, crypto::SyncSignature), BenchmarkError> {
	let round = CurrentRound::<T>::get().ok_or("no round")?;
	let challenge = round.start;
	let parent = challenge.checked_sub(&One::one()).ok_or("round 0 has no parent block")?;
	// The odds are at least one in `N`: this takes about `N` tries.
	let randomness = (0u32..1_000_000)
		.map(|salt| (b"randomness", salt).using_encoded(sp_io::hashing::blake2_256))
		.find(|r| {
			let odds = Pallet::<T>::odds_of(who, &round);
			Pallet::<T>::is_challenge_with(who, &round, challenge, r, odds).is_some()
		})
		.ok_or("no randomness challenges the provider")?;
	Randomness::<T>::insert(parent, randomness);
	frame_system::Pallet::<T>::set_block_number(
		challenge.saturating_add(T::ResponseWindow::get().into()),
	);
	let attestation = Attestation {
		round: round.index,
		challenge_block: challenge,
		provider: who.clone(),
		block_hash: store_hash::<T>(challenge),
		finalized_number: challenge,
	};
	let signature = key
		.sign(&Pallet::<T>::signing_payload(&attestation))
		.ok_or("the keystore cannot sign")?;
	Ok((attestation, signature))
}

/// Fills `round`'s leaderboard with providers of one point each, so that an answer must insert
/// its provider at the top and push the last one out.
fn fill_leaderboard<T: Config>(round: RoundIndex) {
	Leaderboard::<T>::insert(
		round,
		BoundedVec::truncate_from(
			(0..MAX_LEADERBOARD_PAGE)
				.map(|i| (account::<T::AccountId>("ranked", i, 0), 1))
				.collect::<Vec<_>>(),
		),
	);
}

/// Records `count` new `sync` keys (in the keystore) as having signed `who`'s attestations since
/// `round`, oldest first; returns them.
fn record_signing_keys<T: Config>(
	who: &T::AccountId,
	count: u32,
	round: RoundIndex,
) -> Result<Vec<SyncId>, BenchmarkError> {
	let keys: Vec<SyncId> = (0..count).map(|_| SyncId::generate_pair(None)).collect();
	let recorded = SigningKeysOf::<T>::try_from(
		keys.iter().map(|key| (key.clone(), round)).collect::<Vec<_>>(),
	)
	.map_err(|_| "more keys than MaxSigningKeys")?;
	SigningKeys::<T>::insert(who, recorded);
	Ok(keys)
}

/// Two signed attestations by `who` of one block with different hashes.
fn equivocation<T: Config>(
	who: &T::AccountId,
	key: &SyncId,
	round: RoundIndex,
) -> Result<(SignedAttestationOf<T>, SignedAttestationOf<T>), BenchmarkError> {
	let number = frame_system::Pallet::<T>::block_number();
	let first = Attestation {
		round,
		challenge_block: number,
		provider: who.clone(),
		block_hash: T::Hashing::hash_of(&1u8),
		finalized_number: Zero::zero(),
	};
	let mut second = first.clone();
	second.block_hash = T::Hashing::hash_of(&2u8);
	let first_signature = key
		.sign(&Pallet::<T>::signing_payload(&first))
		.ok_or("the keystore cannot sign")?;
	let second_signature = key
		.sign(&Pallet::<T>::signing_payload(&second))
		.ok_or("the keystore cannot sign")?;
	Ok(((first, first_signature), (second, second_signature)))
}

/// Sets the chain up for [`BENCHMARK_VRF`]: its genesis hash, block number and author.
fn benchmark_vrf<T: Config>() -> Result<BlockVrf, BenchmarkError> {
	let genesis =
		T::Hash::decode(&mut &BENCHMARK_VRF_GENESIS[..]).map_err(|_| "the hash is not 32 bytes")?;
	frame_system::BlockHash::<T>::insert(BlockNumberFor::<T>::zero(), genesis);
	frame_system::Pallet::<T>::set_block_number(BENCHMARK_VRF_NUMBER.into());
	T::BenchmarkHelper::set_block_author(
		sp_core::sr25519::Public::from_raw(BENCHMARK_VRF_AUTHOR),
		BENCHMARK_VRF_SLOT,
	);
	Ok(BENCHMARK_VRF)
}

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as frame_system::Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A validator candidate's answer: it also records the finalized height it reports, and its
	/// key is new, so it is added to the most keys the provider may have signed with.
	#[benchmark]
	fn attest() -> Result<(), BenchmarkError> {
		let (who, key) = provider_with_key::<T>(0, true);
		let round = next_round::<T>();
		record_signing_keys::<T>(&who, T::MaxSigningKeys::get().saturating_sub(1), round)?;
		let (attestation, signature) = signed_answer::<T>(&who, &key)?;
		fill_leaderboard::<T>(round);

		#[extrinsic_call]
		_(RawOrigin::Authorized, attestation, signature);

		assert!(ProviderRounds::<T>::get(round, &who).is_some_and(|s| s.answered == 1));
		assert_eq!(Leaderboard::<T>::get(round).first().map(|(first, _)| first), Some(&who));
		assert!(RoundCandidates::<T>::get(round, &who).is_some_and(|f| !f.is_zero()));
		assert_eq!(SigningKeys::<T>::get(&who).last(), Some(&(key, round)));
		Ok(())
	}

	/// The key is new: the provider's recorded keys are read and the new record is built.
	#[benchmark]
	fn authorize_attest() -> Result<(), BenchmarkError> {
		let (who, key) = provider_with_key::<T>(0, false);
		let round = next_round::<T>();
		record_signing_keys::<T>(&who, T::MaxSigningKeys::get().saturating_sub(1), round)?;
		let (attestation, signature) = signed_answer::<T>(&who, &key)?;
		let call = Call::<T>::attest { attestation, signature };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// The provider signed with the oldest of the most keys it may have signed with, and has
	/// another now: every key is tried.
	#[benchmark]
	fn report_equivocation() -> Result<(), BenchmarkError> {
		// A candidate: a slash below the validator bond also takes it off the list.
		let (who, _key_now) = provider_with_key::<T>(0, true);
		let round = next_round::<T>();
		let recorded = record_signing_keys::<T>(&who, T::MaxSigningKeys::get(), round)?;
		let oldest = recorded.first().ok_or("MaxSigningKeys is zero")?;
		let (first, second) = equivocation::<T>(&who, oldest, round)?;
		let number = first.0.challenge_block;
		let reporter: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), Box::new(first), Box::new(second));

		assert!(Reported::<T>::contains_key(round, (who, number)));
		Ok(())
	}

	/// A provider silent over a window of `r` closed rounds: the newest `r - 1` expected
	/// almost no challenges, so the window reaches back `r` rounds.
	#[benchmark]
	fn report_offline(r: Linear<1, { T::HistoryDepth::get() }>) {
		let who: T::AccountId = account("provider", 0, 0);
		// A candidate: chilling also takes it off the list.
		T::BenchmarkHelper::register_provider(&who, true);
		next_round::<T>();
		let first = next_round::<T>();
		for _ in 1..r {
			next_round::<T>();
		}
		let last = next_round::<T>().saturating_sub(1);
		for round in first..=last {
			Rounds::<T>::mutate(round, |summary| {
				if let Some(summary) = summary {
					let params = &mut summary.params;
					params.challenge_odds = Perbill::from_parts(1);
					params.challenge_span = 1;
					if round == first {
						params.challenge_odds = Perbill::one();
						params.challenge_span = T::OfflineWindow::get();
					}
				}
			});
		}
		let reporter: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter.clone()), who.clone());

		assert_last_event::<T>(Event::ProviderReportedOffline { provider: who, reporter });
	}

	/// `c` validator candidates to record for the round.
	#[benchmark]
	fn start_session(c: Linear<1, { T::MaxCandidates::get() }>) {
		for i in 0..c {
			provider_with_key::<T>(i, true);
		}
		let next = <Pallet<T> as RoundClock>::current_round().saturating_add(1);

		#[block]
		{
			<Pallet<T> as SessionManager<T::AccountId>>::start_session(next);
		}

		assert_eq!(<Pallet<T> as RoundClock>::current_round(), next);
		// Every listed candidate once (a mock may list an account twice), at most MaxCandidates.
		let recorded = RoundCandidates::<T>::iter_prefix(next).count();
		let listed = T::Registry::candidates().len().min(T::MaxCandidates::get() as usize);
		assert!(recorded >= 1 && recorded <= listed);
	}

	/// `a` authorities, none of which authored in the round after missing as many rounds as
	/// they may: each is benched, and their finalized reports, far behind, make the round a
	/// finality stall whose base is checked against a full record of set changes.
	#[benchmark]
	fn end_session(a: Linear<1, { T::MaxAuthorities::get() }>) {
		let round = next_round::<T>();
		let authorities: Vec<T::AccountId> =
			(0..a).map(|i| account::<T::AccountId>("authority", i, 0)).collect();
		for who in &authorities {
			RoundCandidates::<T>::insert(round, who, BlockNumberFor::<T>::one());
			MissedRounds::<T>::insert(who, T::MaxMissedRounds::get());
			Strikes::<T>::insert(who, 1);
		}
		SetChanges::<T>::put(SetChangeRecord {
			signalled: BoundedVec::truncate_from(
				(0..MAX_TRACKED_SET_CHANGES)
					.map(|_| BlockNumberFor::<T>::zero())
					.collect::<Vec<_>>(),
			),
			last_forced_base: Some(Zero::zero()),
		});
		T::BenchmarkHelper::set_authorities(authorities.clone());
		RoundStartSlot::<T>::put((round, 0));
		let author = sp_core::sr25519::Public::from_raw([9; 32]);
		T::BenchmarkHelper::set_block_author(author, u64::from(a).saturating_mul(4));
		let stall_bound = T::FinalityStallBound::get();
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(
			now.max(stall_bound).saturating_add(stall_bound),
		);

		#[block]
		{
			<Pallet<T> as SessionManager<T::AccountId>>::end_session(round);
		}

		assert_eq!(LastClosedRound::<T>::get(), Some(round));
		assert!(authorities.iter().all(Pallet::<T>::is_benched));
		assert!(FinalityStall::<T>::get().is_some());
	}

	/// `c` validator candidates, each with points in the last closed round.
	#[benchmark]
	fn new_session(c: Linear<1, { T::MaxCandidates::get() }>) {
		let candidates: Vec<T::AccountId> =
			(0..c).map(|i| provider_with_key::<T>(i, true).0).collect();
		let round = next_round::<T>();
		for (i, who) in candidates.iter().enumerate() {
			give_points::<T>(round, who, (i as u128).saturating_add(1));
		}
		<Pallet<T> as SessionManager<T::AccountId>>::end_session(round);
		let planned;

		#[block]
		{
			planned = <Pallet<T> as SessionManager<T::AccountId>>::new_session(round + 2);
		}

		assert_eq!(planned.is_some(), c >= T::MinAuthorities::get());
	}

	/// An expired round with `n` provider records.
	#[benchmark]
	fn on_idle_cleanup(n: Linear<1, { T::MaxCleanupPerBlock::get() }>) {
		let round = NextToClean::<T>::get();
		Rounds::<T>::insert(
			round,
			RoundSummary {
				params: RoundParams {
					index: round,
					start: Zero::zero(),
					seed: [0; 32],
					challenge_odds: Perbill::one(),
					challenge_span: 1,
					providers: n,
					slots: n,
				},
				total_points: 0,
				attestations: 0,
				finality_stalled: false,
			},
		);
		for i in 0..n {
			give_points::<T>(round, &account("provider", i, 0), 1);
		}
		fill_leaderboard::<T>(round);
		LastClosedRound::<T>::put(round.saturating_add(T::HistoryDepth::get()));

		#[block]
		{
			Pallet::<T>::on_idle(Zero::zero(), Weight::MAX);
		}

		assert_eq!(ProviderRounds::<T>::iter_prefix(round).count(), 0);
	}

	/// A whole round boundary with `p` registered providers: its weight must not grow with `p`.
	#[benchmark]
	fn round_transition(p: Linear<1, 10_000>) {
		for i in 0..p {
			T::BenchmarkHelper::register_provider(&account("provider", i, 0), false);
		}
		let round = next_round::<T>();

		#[block]
		{
			<Pallet<T> as SessionManager<T::AccountId>>::end_session(round);
			<Pallet<T> as SessionManager<T::AccountId>>::start_session(round + 1);
			<Pallet<T> as SessionManager<T::AccountId>>::new_session(round + 2);
		}

		assert_eq!(<Pallet<T> as RoundClock>::current_round(), round + 1);
	}

	/// The author's VRF for a block in the middle of a round: verified and folded in. The VRF
	/// is [`BENCHMARK_VRF`], made outside the runtime (which cannot sign one).
	#[benchmark]
	fn note_block_vrf() -> Result<(), BenchmarkError> {
		let vrf = benchmark_vrf::<T>()?;
		let now = frame_system::Pallet::<T>::block_number();

		#[extrinsic_call]
		_(RawOrigin::None, vrf);

		assert!(Randomness::<T>::contains_key(now));
		Ok(())
	}

	/// A block without its author's VRF: the fallback randomness is stored and the oldest
	/// forgotten; its author, the slot's authority in a full set, is recorded.
	#[benchmark]
	fn on_finalize() {
		let authorities: Vec<T::AccountId> = (0..T::MaxAuthorities::get())
			.map(|i| account::<T::AccountId>("authority", i, 0))
			.collect();
		let slot = 7u64;
		let who = authorities[(slot % authorities.len() as u64) as usize].clone();
		T::BenchmarkHelper::set_authorities(authorities);
		T::BenchmarkHelper::set_block_author(sp_core::sr25519::Public::from_raw([9; 32]), slot);
		let length = T::RoundLength::get();
		let now = length.saturating_mul(3u32.into());
		let oldest = now.saturating_sub(length).saturating_sub(One::one());
		Randomness::<T>::insert(oldest, [1u8; 32]);
		Randomness::<T>::insert(now.saturating_sub(One::one()), [2u8; 32]);

		#[block]
		{
			Pallet::<T>::on_finalize(now);
		}

		assert!(Randomness::<T>::contains_key(now));
		assert!(!Randomness::<T>::contains_key(oldest));
		assert!(AuthoredIn::<T>::contains_key(&who));
	}

	#[benchmark]
	fn heartbeat() -> Result<(), BenchmarkError> {
		let (who, beat, signature) = benched_heartbeat::<T>()?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, beat, signature);

		assert!(!Pallet::<T>::is_benched(&who));
		Ok(())
	}

	#[benchmark]
	fn authorize_heartbeat() -> Result<(), BenchmarkError> {
		let (_, beat, signature) = benched_heartbeat::<T>()?;
		let call = Call::<T>::heartbeat { heartbeat: beat, signature };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// The report that completes a target's set: medians over `MaxVerifiersPerTarget` reports,
	/// every report judged, the last one overstated (reachable, where the others found the target
	/// unreachable) and its verifier's last strike, so it is slashed; a full leaderboard.
	#[benchmark]
	fn report_quality() -> Result<(), BenchmarkError> {
		let (target, verifiers, keys) = target_with_verifiers::<T>()?;
		let round = <Pallet<T> as RoundClock>::current_round();
		fill_leaderboard::<T>(round);
		let Some((liar, earlier)) = verifiers.split_last() else {
			return Err("no verifiers".into())
		};
		for (verifier, key) in earlier.iter().zip(&keys) {
			let unreachable = Measurement::default();
			let (report, signature) = signed_report::<T>(verifier, key, &target, unreachable)?;
			Pallet::<T>::do_report_quality(report, signature)?;
		}
		OutlierStrikes::<T>::insert(liar, (T::MaxOutlierStrikes::get().saturating_sub(1), round));
		let liar_key = keys.last().ok_or("no verifier keys")?;
		let storage = Pallet::<T>::dataset_in(&target, round)
			.ok_or("no dataset")?
			.units(ProbeSettings::<T>::get().storage_unit);
		let inflated = Measurement {
			measured: proof_of_sync_primitives::Capacity {
				compute: u64::MAX,
				storage,
				bandwidth: u64::MAX,
			},
			..honest()
		};
		let (report, signature) = signed_report::<T>(liar, liar_key, &target, inflated)?;

		#[extrinsic_call]
		_(RawOrigin::Authorized, report, signature);

		let record = QualityReports::<T>::get(round, &target);
		assert!(record.judged);
		assert_eq!(OutlierStrikes::<T>::get(liar), None);
		Ok(())
	}

	/// The pool's check of the report that completes a target's set.
	#[benchmark]
	fn authorize_report_quality() -> Result<(), BenchmarkError> {
		let (target, verifiers, keys) = target_with_verifiers::<T>()?;
		let Some((last, earlier)) = verifiers.split_last() else {
			return Err("no verifiers".into())
		};
		for (verifier, key) in earlier.iter().zip(&keys) {
			let (report, signature) = signed_report::<T>(verifier, key, &target, honest())?;
			Pallet::<T>::do_report_quality(report, signature)?;
		}
		let key = keys.last().ok_or("no verifier keys")?;
		let (report, signature) = signed_report::<T>(last, key, &target, honest())?;
		let call = Call::<T>::report_quality { report, signature };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// A commitment replacing one that took effect: the record is folded and rewritten.
	#[benchmark]
	fn commit_dataset() -> Result<(), BenchmarkError> {
		let (commit, signature) = signed_dataset_commit::<T>()?;
		let provider = commit.provider.clone();

		#[extrinsic_call]
		_(RawOrigin::Authorized, commit, signature);

		let next = <Pallet<T> as RoundClock>::current_round().saturating_add(1);
		assert!(Datasets::<T>::get(&provider).next.is_some_and(|(from, _)| from == next));
		Ok(())
	}

	/// The pool's check of a dataset commitment.
	#[benchmark]
	fn authorize_commit_dataset() -> Result<(), BenchmarkError> {
		let (commit, signature) = signed_dataset_commit::<T>()?;
		let call = Call::<T>::commit_dataset { commit, signature };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	#[benchmark]
	fn set_probe_config() {
		let config = ProbeConfig { seal_iterations: 81, ..ProbeConfig::default() };

		#[extrinsic_call]
		_(RawOrigin::Root, config);

		assert_eq!(ProbeSettings::<T>::get(), config);
	}

	/// A fraud proof against a candidate's dataset in the deepest tree (2⁶⁴ − 1 leaves, paths of
	/// 64 siblings), sealed with `i` iterations: the chain reseals the leaf, `128 × i` hashes.
	#[benchmark]
	fn report_storage_fraud(
		i: Linear<1, MAX_CHECKED_SEAL_ITERATIONS>,
	) -> Result<(), BenchmarkError> {
		// A candidate: a slash below the validator bond also takes it off the list.
		let (provider, _) = provider_with_key::<T>(0, true);
		let proof = broken_link::<T>(provider.clone(), i)?;
		other_audits::<T>(
			&provider,
			proof.dataset,
			other_deadlines::<T>(0),
			max_other_audits::<T>(),
		);
		Datasets::<T>::insert(
			&provider,
			DatasetRecord { current: Some(proof.dataset), next: None, committed_in: None },
		);
		let reporter: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(reporter), Box::new(proof));

		assert_eq!(Datasets::<T>::get(&provider).current, None);
		Ok(())
	}

	/// An audit request from the last verifier of a target found as far along the ring as the
	/// walk may look, whose record of the last two rounds is read.
	#[benchmark]
	fn open_audit() -> Result<(), BenchmarkError> {
		let (target, request, signature) = signed_audit_request::<T>()?;
		let verifier = request.verifier.clone();

		#[extrinsic_call]
		_(RawOrigin::Authorized, request, signature);

		assert!(Audits::<T>::contains_key(&target, &verifier));
		Ok(())
	}

	/// The pool's check of that audit request.
	#[benchmark]
	fn authorize_open_audit() -> Result<(), BenchmarkError> {
		let (_, request, signature) = signed_audit_request::<T>()?;
		let call = Call::<T>::open_audit { request, signature };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// An answer of `s` samples of a candidate's dataset in the deepest tree (paths of 64
	/// siblings), sealed with one iteration; the last sample is not sealed, so every seal is
	/// checked and the candidate is slashed (its weight beyond one iteration a seal is
	/// `report_storage_fraud`'s: see `Pallet::answer_audit_weight`).
	#[benchmark]
	fn answer_audit(s: Linear<1, { T::MaxAuditSamples::get() }>) -> Result<(), BenchmarkError> {
		let (target, answer) = audit_answer::<T>(s)?;
		let verifier = answer.verifier.clone();

		#[extrinsic_call]
		_(RawOrigin::Authorized, Box::new(answer));

		assert!(!Audits::<T>::contains_key(&target, &verifier));
		assert_eq!(
			Pallet::<T>::dataset_in(&target, <Pallet<T> as RoundClock>::current_round()),
			None
		);
		Ok(())
	}

	/// The pool's check of an answer of `s` samples: every path, no seal.
	#[benchmark]
	fn authorize_answer_audit(
		s: Linear<1, { T::MaxAuditSamples::get() }>,
	) -> Result<(), BenchmarkError> {
		let (_, answer) = audit_answer::<T>(s)?;
		let call = Call::<T>::answer_audit { answer: Box::new(answer) };
		let valid;

		#[block]
		{
			valid = call.authorize(TransactionSource::External).ok_or("not authorized")?;
		}

		assert!(valid.is_ok());
		Ok(())
	}

	/// `a` audits of candidates falling due unanswered, each the target's last counted miss
	/// before a slash, opened two rounds ago: three rounds of records are read for each (an
	/// answer from before the audit opened, then none), and each slash takes a candidate off the
	/// list.
	#[benchmark]
	fn expire_audits(a: Linear<1, { T::MaxAuditsPerBlock::get() }>) -> Result<(), BenchmarkError> {
		let (verifier, _) = provider_with_key::<T>(3_000, false);
		let targets: Vec<T::AccountId> =
			(0..a).map(|i| provider_with_key::<T>(3_001 + i, true).0).collect();
		// Rounds before the audit's for earlier misses.
		while <Pallet<T> as RoundClock>::current_round() < 2 * T::MaxMissedAudits::get() {
			next_round::<T>();
		}
		let opened_in = next_round::<T>();
		let opened = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		next_round::<T>();
		let round = next_round::<T>();
		let deadline = frame_system::Pallet::<T>::block_number();
		let mut due = Vec::new();
		for (n, target) in targets.into_iter().enumerate() {
			// An answer at the first block of the audit's round, before it opened: it was up
			// then (the miss counts), and the two rounds after are read too.
			give_points::<T>(opened_in, &target, 1);
			let dataset = DatasetCommitment::sealed_with([4; 32], 1, &ProbeSettings::<T>::get());
			Datasets::<T>::insert(
				&target,
				DatasetRecord { current: Some(dataset), next: None, committed_in: None },
			);
			Audits::<T>::insert(
				&target,
				&verifier,
				StorageAudit {
					verifier: verifier.clone(),
					round: opened_in,
					nonce: [5; 32],
					dataset,
					samples: 1,
					opened,
					deadline,
					counts: true,
				},
			);
			// Other incidents' misses, one short of a slash: of an audit opened in this round,
			// then every other round before the audit's (none next to another).
			let mut misses: Vec<RoundIndex> = core::iter::once(round)
				.chain((1..).map(|back: u32| opened_in.saturating_sub(2 * back)))
				.take(T::MaxMissedAudits::get().saturating_sub(1) as usize)
				.collect();
			misses.sort();
			MissedAudits::<T>::insert(&target, BoundedVec::truncate_from(misses));
			other_audits::<T>(
				&target,
				dataset,
				other_deadlines::<T>(n as u32),
				max_other_audits::<T>(),
			);
			due.push((target, verifier.clone()));
		}
		AuditDeadlines::<T>::insert(
			deadline,
			BoundedVec::<_, T::MaxAuditsPerBlock>::try_from(due.clone())
				.map_err(|_| "too many audits")?,
		);

		#[block]
		{
			Pallet::<T>::expire_audits(deadline);
		}

		assert!(due
			.iter()
			.all(|(target, verifier)| !Audits::<T>::contains_key(target, verifier)));
		assert!(
			due.iter().all(|(target, _)| MissedAudits::<T>::get(target).is_empty()),
			"every one slashed"
		);
		Ok(())
	}

	/// A provider that withdrew forgotten, with every record of it there and full.
	#[benchmark]
	fn forget_provider() -> Result<(), BenchmarkError> {
		use proof_of_sync_primitives::OnProviderWithdrawn;
		let (who, _) = provider_with_key::<T>(4_000, true);
		let round = <Pallet<T> as RoundClock>::current_round();
		record_signing_keys::<T>(&who, T::MaxSigningKeys::get(), round)?;
		let dataset = DatasetCommitment::sealed_with([4; 32], 1, &ProbeSettings::<T>::get());
		Datasets::<T>::insert(
			&who,
			DatasetRecord {
				current: Some(dataset),
				next: Some((round.saturating_add(1), dataset)),
				committed_in: Some(round),
			},
		);
		let auditors: Vec<T::AccountId> =
			(0..T::MaxVerifiersPerTarget::get()).map(|i| account("auditor", i, 0)).collect();
		AuditedIn::<T>::insert(&who, (round, BoundedVec::truncate_from(auditors)));
		let misses: Vec<RoundIndex> = (0..T::MaxMissedAudits::get()).collect();
		MissedAudits::<T>::insert(&who, BoundedVec::truncate_from(misses));
		OutlierStrikes::<T>::insert(&who, (1, round));
		AuthoredIn::<T>::insert(&who, round);
		MissedRounds::<T>::insert(&who, 1);
		Benched::<T>::insert(&who, round);
		Strikes::<T>::insert(&who, 1);
		// The most audits that may be open against it (under an unbonding period shorter than
		// the runtime's): the verifiers of two rounds, each due in a full block.
		let most = max_other_audits::<T>().saturating_add(1);
		other_audits::<T>(&who, dataset, other_deadlines::<T>(0), most);

		#[block]
		{
			<Pallet<T> as OnProviderWithdrawn<T::AccountId>>::on_provider_withdrawn(&who);
		}

		assert!(SigningKeys::<T>::get(&who).is_empty());
		assert!(!Datasets::<T>::contains_key(&who) && !AuditedIn::<T>::contains_key(&who));
		assert!(!MissedAudits::<T>::contains_key(&who) && !OutlierStrikes::<T>::contains_key(&who));
		assert!(!AuthoredIn::<T>::contains_key(&who) && !MissedRounds::<T>::contains_key(&who));
		assert!(!Benched::<T>::contains_key(&who) && !Strikes::<T>::contains_key(&who));
		assert_eq!(Audits::<T>::iter_prefix(&who).count(), 0);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}

/// `count` audits of `target`'s `dataset` by other verifiers: with `max_other_audits`, the most
/// it may have open besides the one a benchmark settles; a slash closes them all.
/// Each is due in a block of its own from `first_deadline` on, whose list is full (closing it
/// reads and writes a whole list).
fn other_audits<T: Config>(
	target: &T::AccountId,
	dataset: DatasetCommitment,
	first_deadline: BlockNumberFor<T>,
	count: u32,
) {
	let now = frame_system::Pallet::<T>::block_number();
	for i in 0..count {
		let verifier: T::AccountId = account("auditor", i, 0);
		let deadline = first_deadline.saturating_add(i.into());
		let audit = StorageAudit {
			verifier: verifier.clone(),
			round: <Pallet<T> as RoundClock>::current_round(),
			nonce: [8; 32],
			dataset,
			samples: 1,
			opened: now,
			deadline,
			counts: false,
		};
		Audits::<T>::insert(target, &verifier, audit);
		let mut due: Vec<(T::AccountId, T::AccountId)> = (1..T::MaxAuditsPerBlock::get())
			.map(|j| (account("squatted", i, j), account("squatter", i, j)))
			.collect();
		due.push((target.clone(), verifier));
		AuditDeadlines::<T>::insert(deadline, BoundedVec::truncate_from(due));
	}
}

/// The most audits open against a target (the verifiers of two rounds) less one.
fn max_other_audits<T: Config>() -> u32 {
	T::MaxVerifiersPerTarget::get().saturating_mul(2).saturating_sub(1)
}

/// The first deadline [`other_audits`] may use for the `n`-th target of a benchmark: past the
/// audit window, clear of the other targets' blocks.
fn other_deadlines<T: Config>(n: u32) -> BlockNumberFor<T> {
	let window = T::AuditWindow::get();
	let per_target = max_other_audits::<T>().saturating_add(1);
	frame_system::Pallet::<T>::block_number()
		.saturating_add(window.saturating_mul(2).into())
		.saturating_add(n.saturating_mul(per_target).into())
}

/// A target found as far along the ring as the walk may look (see [`target_with_verifiers`]),
/// which answered a challenge in the round before, and its last verifier's signed audit request.
fn signed_audit_request<T: Config>(
) -> Result<(T::AccountId, AuditRequestOf<T>, crypto::SyncSignature), BenchmarkError> {
	let (target, verifiers, keys) = target_with_verifiers::<T>()?;
	let round = <Pallet<T> as RoundClock>::current_round();
	give_points::<T>(round.saturating_sub(1), &target, 1);
	let verifier = verifiers.last().ok_or("no verifiers")?.clone();
	let key = keys.last().ok_or("no verifier keys")?;
	let request = AuditRequest { round, verifier, target: target.clone(), nonce: [6; 32] };
	let signature = key
		.sign(&request.signing_payload(&Pallet::<T>::genesis_hash()))
		.ok_or("the keystore cannot sign")?;
	Ok((target, request, signature))
}

/// A candidate with an open audit of `samples` samples of its dataset of `u64::MAX` leaves in one
/// lane sealed with one iteration, and the answer to it: each sampled leaf the seal of a made-up
/// predecessor, except the last, which is junk. The tree holds the sampled leaves and their
/// predecessors under made-up subtrees, so that every path has 64 siblings.
fn audit_answer<T: Config>(
	samples: u32,
) -> Result<(T::AccountId, AuditAnswerOf<T>), BenchmarkError> {
	use alloc::collections::BTreeMap;
	// A candidate: a slash below the validator bond also takes it off the list.
	let (target, _) = provider_with_key::<T>(0, true);
	let nonce = [7; 32];
	let leaves = u64::MAX;
	let seed = Pallet::<T>::seal_seed();
	let encoded = target.encode();
	let params = seal::SealParams { account: &encoded, seed: &seed, lanes: 1, seal_iterations: 1 };
	// Each sample's (index, leaf) and its predecessor's.
	let mut links = Vec::new();
	let mut known: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
	for k in 0..u64::from(samples) {
		let index = seal::sample_index(&nonce, k, leaves);
		let before = index.checked_sub(1).ok_or("a sample without a predecessor")?;
		let previous = alloc::vec![k as u8; seal::LEAF_BYTES];
		let leaf = if k + 1 == u64::from(samples) {
			alloc::vec![0xee; seal::LEAF_BYTES]
		} else {
			params.seal_leaf(index, &previous)
		};
		known.insert(before, previous);
		known.insert(index, leaf);
		links.push((index, before));
	}
	if known.len() != 2 * samples as usize {
		return Err("two samples share a leaf".into())
	}
	// Every level of the sparse tree: the nodes above the known leaves, made-up hashes elsewhere.
	let filler = |height: u32| [height as u8 ^ 0x5a; 32];
	let mut levels: Vec<BTreeMap<u64, seal::Hash>> =
		alloc::vec![known.iter().map(|(i, leaf)| (*i, seal::leaf_hash(leaf))).collect()];
	for height in 0..seal::MAX_TREE_DEPTH {
		let below = levels.last().ok_or("no level")?;
		let mut above = BTreeMap::new();
		for index in below.keys() {
			let (left, right) = (index & !1, index | 1);
			let hash_at = |i: u64| below.get(&i).copied().unwrap_or_else(|| filler(height));
			above.insert(index >> 1, seal::node_hash(&hash_at(left), &hash_at(right)));
		}
		levels.push(above);
	}
	let root = *levels.last().and_then(|top| top.get(&0)).ok_or("no root")?;
	let path_of = |index: u64| -> Result<MerklePath, BenchmarkError> {
		let path: Vec<seal::Hash> = (0..seal::MAX_TREE_DEPTH)
			.map(|height| {
				let sibling = (index >> height) ^ 1;
				levels[height as usize].get(&sibling).copied().unwrap_or_else(|| filler(height))
			})
			.collect();
		path.try_into().map_err(|_| "a path too deep".into())
	};
	let leaf_at = |index: u64| -> Result<LeafBytes, BenchmarkError> {
		known
			.get(&index)
			.cloned()
			.ok_or("an unknown leaf")?
			.try_into()
			.map_err(|_| "a leaf too long".into())
	};
	let mut proofs = Vec::new();
	for (index, before) in &links {
		proofs.push(SampleProof {
			leaf: leaf_at(*index)?,
			path: path_of(*index)?,
			previous: Some((leaf_at(*before)?, path_of(*before)?)),
		});
	}
	let dataset = DatasetCommitment { root, leaves, lanes: 1, seal_iterations: 1 };
	Datasets::<T>::insert(
		&target,
		DatasetRecord { current: Some(dataset), next: None, committed_in: None },
	);
	let now = frame_system::Pallet::<T>::block_number();
	let round = <Pallet<T> as RoundClock>::current_round();
	other_audits::<T>(&target, dataset, other_deadlines::<T>(0), max_other_audits::<T>());
	let verifier: T::AccountId = account("verifier", 0, 0);
	Audits::<T>::insert(
		&target,
		&verifier,
		StorageAudit {
			verifier: verifier.clone(),
			round,
			nonce,
			dataset,
			samples,
			opened: now,
			deadline: now.saturating_add(T::AuditWindow::get().into()),
			counts: false,
		},
	);
	// A full list of audits due with it, this one last, for the answer to take it off.
	let mut due: Vec<(T::AccountId, T::AccountId)> = (1..T::MaxAuditsPerBlock::get())
		.map(|i| (account("due", i, 0), verifier.clone()))
		.collect();
	due.push((target.clone(), verifier.clone()));
	AuditDeadlines::<T>::insert(
		now.saturating_add(T::AuditWindow::get().into()),
		BoundedVec::<_, T::MaxAuditsPerBlock>::truncate_from(due),
	);
	let answer = AuditAnswer {
		target: target.clone(),
		verifier,
		nonce,
		opened: now,
		seal_iterations: 1,
		proofs: proofs.try_into().map_err(|_| "more than MaxAuditSamples proofs")?,
	};
	Ok((target, answer))
}

/// A link of `provider`'s dataset of `u64::MAX` leaves in one lane sealed with `iterations`
/// hashes a block that is in the tree but not sealed: leaf `2⁶³ + 1` and its predecessor `2⁶³`,
/// siblings under one parent, with junk bytes and made-up siblings above them.
fn broken_link<T: Config>(
	provider: T::AccountId,
	iterations: u32,
) -> Result<StorageFraudProofOf<T>, BenchmarkError> {
	let previous = alloc::vec![0x11u8; seal::LEAF_BYTES];
	let leaf = alloc::vec![0xeeu8; seal::LEAF_BYTES];
	let above: Vec<seal::Hash> = (1..seal::MAX_TREE_DEPTH).map(|h| [h as u8; 32]).collect();
	let path_of = |sibling: &[u8]| -> Result<MerklePath, BenchmarkError> {
		let mut path = alloc::vec![seal::leaf_hash(sibling)];
		path.extend(above.iter().copied());
		path.try_into().map_err(|_| "a path too deep".into())
	};
	let index = (1u64 << 63) + 1;
	let path = path_of(&previous)?;
	let root = seal::path_root(&leaf, index, &path);
	let dataset =
		DatasetCommitment { root, leaves: u64::MAX, lanes: 1, seal_iterations: iterations };
	let proof = StorageFraudProof {
		provider,
		dataset,
		index,
		leaf: leaf.clone().try_into().map_err(|_| "a leaf too long")?,
		path,
		previous: Some((previous.try_into().map_err(|_| "a leaf too long")?, path_of(&leaf)?)),
	};
	Ok(proof)
}

/// A provider with a key whose earlier commitment took effect, and its signed commitment of
/// another dataset for the round in progress.
fn signed_dataset_commit<T: Config>(
) -> Result<(DatasetCommitOf<T>, crypto::SyncSignature), BenchmarkError> {
	let (provider, key) = provider_with_key::<T>(2_000, false);
	let round = next_round::<T>();
	let config = ProbeSettings::<T>::get();
	let old = DatasetCommitment::sealed_with([1; 32], 1, &config);
	Datasets::<T>::insert(
		&provider,
		DatasetRecord { current: None, next: Some((round, old)), committed_in: None },
	);
	let commit = DatasetCommit {
		round,
		provider,
		dataset: DatasetCommitment::sealed_with([2; 32], u64::MAX, &config),
	};
	let signature = key
		.sign(&commit.signing_payload(&Pallet::<T>::genesis_hash()))
		.ok_or("the keystore cannot sign")?;
	Ok((commit, signature))
}

/// A target, its verifiers and their `sync` keys.
type TargetAndVerifiers<T> = (
	<T as frame_system::Config>::AccountId,
	Vec<<T as frame_system::Config>::AccountId>,
	Vec<SyncId>,
);

/// A measurement an honest verifier could make.
fn honest() -> Measurement {
	Measurement {
		reachable: true,
		latency_ms: 1,
		measured: proof_of_sync_primitives::Capacity { compute: 1, storage: 1, bandwidth: 1 },
	}
}

/// A target whose verifiers the ring walk finds as far along as it may look: `RING_WALK_FACTOR ×
/// MaxVerifiersPerTarget + 1` new providers with keys; in the round after every provider but
/// `MaxVerifiersPerTarget + 1` of them was chilled, the seated provider whose last verifier lies
/// furthest along the ring within reach. Returns the target, its verifiers
/// (`MaxVerifiersPerTarget` of them) and their keys, in the same order.
fn target_with_verifiers<T: Config>() -> Result<TargetAndVerifiers<T>, BenchmarkError> {
	let wanted = T::MaxVerifiersPerTarget::get();
	let count = wanted.saturating_mul(crate::verification::RING_WALK_FACTOR).saturating_add(1);
	let providers: Vec<_> = (0..count).map(|i| provider_with_key::<T>(1_000 + i, false)).collect();
	next_round::<T>();
	// Everyone else (genesis providers too) is chilled now, and so unseated in the next round:
	// the walks from the seated ones pass over them.
	let seated: Vec<T::AccountId> =
		providers.iter().take(wanted as usize + 1).map(|(who, _)| who.clone()).collect();
	for slot in 0..T::Registry::slot_count() {
		let Some(who) = T::Registry::provider_in_slot(slot) else { continue };
		if !seated.contains(&who) {
			T::Registry::chill(&who)?;
		}
	}
	next_round::<T>();
	let round = CurrentRound::<T>::get().ok_or("no round")?;
	let ring = crate::verification::SlotPermutation::new(round.seed, round.slots);
	let position = |who: &T::AccountId| {
		T::Registry::slot_of(who).and_then(|slot| ring.position_of(slot)).unwrap_or(0)
	};
	// How far along the ring `target`'s last verifier lies, if it has them all.
	let walk = |target: &T::AccountId| -> Option<u32> {
		let verifiers = Pallet::<T>::verifiers_of(target, &round);
		if verifiers.len() as u32 != wanted {
			return None
		}
		let from = position(target);
		verifiers
			.iter()
			.map(|v| (position(v) + round.slots - from) % round.slots.max(1))
			.max()
	};
	let target = seated
		.iter()
		.filter_map(|who| walk(who).map(|length| (length, who.clone())))
		.max_by_key(|(length, _)| *length)
		.map(|(_, who)| who)
		.ok_or("no seated provider has MaxVerifiersPerTarget verifiers")?;
	let verifiers = Pallet::<T>::verifiers_of(&target, &round).into_inner();
	// A verifier registered before (at genesis) gets a key in the keystore too.
	let keys = verifiers
		.iter()
		.map(|v| match providers.iter().find(|(who, _)| who == v) {
			Some((_, key)) => key.clone(),
			None => {
				let key = SyncId::generate_pair(None);
				T::BenchmarkHelper::set_sync_key(v, key.clone());
				key
			},
		})
		.collect();
	// The largest dataset, so that any storage figure up to its units may be reported.
	Datasets::<T>::insert(
		&target,
		DatasetRecord {
			current: Some(DatasetCommitment::sealed_with(
				[3; 32],
				u64::MAX,
				&ProbeSettings::<T>::get(),
			)),
			..Default::default()
		},
	);
	Ok((target, verifiers, keys))
}

/// `verifier`'s report about `target` in the round in progress, signed with `key`.
fn signed_report<T: Config>(
	verifier: &T::AccountId,
	key: &SyncId,
	target: &T::AccountId,
	measurement: Measurement,
) -> Result<(QualityReportOf<T>, crypto::SyncSignature), BenchmarkError> {
	let report = QualityReport {
		round: <Pallet<T> as RoundClock>::current_round(),
		verifier: verifier.clone(),
		target: target.clone(),
		measurement,
	};
	let signature = key
		.sign(&report.signing_payload(&Pallet::<T>::genesis_hash()))
		.ok_or("the keystore cannot sign")?;
	Ok((report, signature))
}

/// A benched authority with an Aura key in the keystore, and its signed heartbeat.
fn benched_heartbeat<T: Config>(
) -> Result<(T::AccountId, HeartbeatOf<T>, sp_core::sr25519::Signature), BenchmarkError> {
	let who: T::AccountId = account("authority", 0, 0);
	let key = sp_io::crypto::sr25519_generate(crate::crypto::AURA_KEY_TYPE, None);
	T::BenchmarkHelper::set_aura_key(&who, key);
	let round = next_round::<T>();
	Benched::<T>::insert(&who, round);
	let heartbeat = Heartbeat { round, authority: who.clone() };
	let payload = heartbeat.signing_payload(&Pallet::<T>::genesis_hash());
	let signature = sp_io::crypto::sr25519_sign(crate::crypto::AURA_KEY_TYPE, &key, &payload)
		.ok_or("the keystore cannot sign")?;
	Ok((who, heartbeat, signature))
}

/// Gives `who` `points` in `round` as one answered challenge, keeping the round's totals.
fn give_points<T: Config>(
	round: RoundIndex,
	who: &T::AccountId,
	points: proof_of_sync_primitives::Points,
) {
	ProviderRounds::<T>::insert(
		round,
		who,
		ProviderRoundStats {
			answered: 1,
			answered_upto: 1,
			recent: 1,
			points,
			..Default::default()
		},
	);
	Rounds::<T>::mutate(round, |summary| {
		if let Some(summary) = summary {
			summary.total_points = summary.total_points.saturating_add(points);
			summary.attestations = summary.attestations.saturating_add(1);
		}
	});
}
