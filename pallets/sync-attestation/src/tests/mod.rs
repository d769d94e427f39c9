//! Unit tests, by topic. `build_and_execute` checks the invariants after each one.

use crate::{
	crypto::SyncSignature, mock::*, Attestation, AttestationOf, CurrentRound, ProviderRoundStats,
	ProviderRounds, RoundParamsOf, Rounds,
};
use frame_support::traits::Authorize;
use proof_of_sync_primitives::{Points, RoundIndex};
use sp_runtime::{
	transaction_validity::{TransactionSource, TransactionValidityWithRefund},
	DispatchResult,
};

mod attest;
mod history;
mod offchain;
mod reports;
mod rounds;
mod session;
mod try_state;

fn builder() -> ExtBuilder {
	ExtBuilder::default()
}

/// The round in progress.
fn round() -> RoundParamsOf<Test> {
	CurrentRound::<Test>::get().expect("a round is running")
}

/// `who`'s challenge blocks in the current round.
fn challenges(who: AccountId) -> Vec<BlockNumber> {
	SyncAttestation::challenges_of(&who, round().index)
}

/// An honest attestation by `who` of block `best` for challenge `challenge` of the current round.
fn attestation(who: AccountId, challenge: BlockNumber, best: BlockNumber) -> AttestationOf<Test> {
	Attestation {
		round: round().index,
		challenge_block: challenge,
		provider: who,
		best_number: best,
		best_hash: hash_of(best),
		finalized_number: best.saturating_sub(2),
	}
}

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

/// Answers `who`'s next unanswered challenge at the block right after it, with lag 0. Runs the
/// chain forward to that block.
fn answer_at(who: AccountId, challenge: BlockNumber) {
	run_to_block(challenge + 1);
	frame_support::assert_ok!(attest(&attestation(who, challenge, challenge)));
}

/// Gives `who` exactly `points` in `round`, as if it had answered one challenge.
fn give_points(round: RoundIndex, who: AccountId, points: Points) {
	let assigned = Rounds::<Test>::get(round).expect("a kept round").params.challenges_per_provider;
	ProviderRounds::<Test>::insert(
		round,
		who,
		ProviderRoundStats {
			assigned,
			answered: 1,
			answered_mask: 1,
			points,
			..Default::default()
		},
	);
	Rounds::<Test>::mutate(round, |s| {
		let s = s.as_mut().expect("a kept round");
		s.total_points += points;
		s.attestations += 1;
	});
}
