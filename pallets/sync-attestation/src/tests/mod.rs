//! Unit tests, by topic. `build_and_execute` checks the invariants after each one.

use crate::{
	crypto::SyncSignature, mock::*, Attestation, AttestationOf, CurrentRound, ProviderRoundStats,
	ProviderRounds, RoundParamsOf, Rounds, CREDIT_UNIT,
};
use frame_support::traits::Authorize;
use proof_of_sync_primitives::{Points, ProviderRegistry, RoundIndex};
use sp_runtime::{
	transaction_validity::{TransactionSource, TransactionValidityWithRefund},
	DispatchResult,
};

mod attest;
mod audit;
mod history;
mod liveness;
mod offchain;
mod randomness;
mod reports;
mod rounds;
mod session;
mod storage_fraud;
mod try_state;
mod usage;
mod verification;
mod withdrawal;

fn builder() -> ExtBuilder {
	ExtBuilder::default()
}

/// The round in progress.
fn round() -> RoundParamsOf<Test> {
	CurrentRound::<Test>::get().expect("a round is running")
}

/// `who`'s challenge blocks in the current round, as the mock chain will build them (a block with
/// no VRF noted takes the fallback randomness), earliest first; none if `who` is not active.
fn challenges(who: AccountId) -> Vec<BlockNumber> {
	if !MockRegistry::is_active_in(&who, round().index) {
		return Vec::new()
	}
	challenge_blocks(who)
}

/// The blocks of the current round that challenge `who` if it is active, as `challenges`.
fn challenge_blocks(who: AccountId) -> Vec<BlockNumber> {
	let round = round();
	// Block 0 has no parent: it challenges no one.
	let first = round.start.max(1);
	let mut before = SyncAttestation::randomness_after(first - 1).expect("the parent is built");
	let mut found = Vec::new();
	for block in first..round.start + BlockNumber::from(round.challenge_span) {
		let odds = SyncAttestation::odds_of(&who, &round);
		if SyncAttestation::is_challenge_with(&who, &round, block, &before, odds).is_some() {
			found.push(block);
		}
		before = SyncAttestation::randomness_after(block)
			.unwrap_or_else(|| SyncAttestation::fallback_randomness(&before, block));
	}
	found
}

/// An honest attestation by `who` of challenge block `challenge` of the current round.
fn attestation(who: AccountId, challenge: BlockNumber) -> AttestationOf<Test> {
	Attestation {
		round: round().index,
		challenge_block: challenge,
		provider: who,
		block_hash: hash_of(challenge),
		finalized_number: challenge.saturating_sub(2),
	}
}

/// Points of one answer at lag 0 in a mock round with three providers, for a provider that is
/// not a validator candidate (3): 6 000 capacity points over the 16 × 1/3 challenges it expects
/// (`6 000 × 10⁹ / (333 333 333 × 16)`).
const POINTS_PER_ANSWER: Points = 1_125;

/// The same for a validator candidate (1 and 2): challenged at `MaxChallengesPerRound / span`
/// = 8/16 a block, so 6 000 points over 8 expected challenges.
const CANDIDATE_POINTS_PER_ANSWER: Points = 750;

fn authorized() -> RuntimeOrigin {
	frame_system::RawOrigin::Authorized.into()
}

/// Dispatches `attest` signed by the provider's own key.
fn attest(attestation: &AttestationOf<Test>) -> DispatchResult {
	let signature = sign_as(attestation.provider, attestation);
	attest_signed(attestation, signature)
}

fn attest_signed(attestation: &AttestationOf<Test>, signature: SyncSignature) -> DispatchResult {
	SyncAttestation::attest(authorized(), attestation.clone(), signature)
}

/// What the transaction pool's `authorize` says about `attest`.
fn authorize(
	attestation: &AttestationOf<Test>,
	signature: SyncSignature,
) -> TransactionValidityWithRefund {
	let call = crate::Call::<Test>::attest { attestation: attestation.clone(), signature };
	call.authorize(TransactionSource::External)
		.expect("attest is an authorized call")
}

/// Answers `who`'s challenge `challenge` at the block right after it, with lag 0. Runs the chain
/// forward to that block.
fn answer_at(who: AccountId, challenge: BlockNumber) {
	run_to_block(challenge + 1);
	frame_support::assert_ok!(attest(&attestation(who, challenge)));
}

/// Gives `who` exactly `points` in `round`, as if it had answered one challenge.
fn give_points(round: RoundIndex, who: AccountId, points: Points) {
	ProviderRounds::<Test>::insert(
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
	Rounds::<Test>::mutate(round, |s| {
		let s = s.as_mut().expect("a kept round");
		s.total_points += points;
		s.attestations += 1;
	});
	SyncAttestation::note_points(round, &who, points);
}
