//! A provider that withdrew is forgotten (`OnProviderWithdrawn`), and no one else is.

use super::*;
use crate::{
	AuditDeadlines, AuditedIn, Audits, AuthoredIn, Benched, Datasets, MissedAudits, MissedRounds,
	OutlierStrikes, SigningKeys, Strikes,
};
use frame_support::BoundedVec;
use proof_of_sync_primitives::OnProviderWithdrawn;

/// Gives `who` a record in every map a withdrawal clears.
fn fill_records(who: AccountId) {
	let round = round().index;
	SigningKeys::<Test>::insert(who, BoundedVec::truncate_from(vec![(sync_id(who), round)]));
	AuditedIn::<Test>::insert(who, (round, BoundedVec::truncate_from(vec![who + 1])));
	MissedAudits::<Test>::insert(who, BoundedVec::truncate_from(vec![round]));
	OutlierStrikes::<Test>::insert(who, (1, round));
	AuthoredIn::<Test>::insert(who, round);
	MissedRounds::<Test>::insert(who, 1);
	Benched::<Test>::insert(who, round + 1);
	Strikes::<Test>::insert(who, 2);
	let audit = proof_of_sync_primitives::StorageAudit {
		verifier: who + 1,
		round,
		nonce: [0; 32],
		dataset: genesis_dataset(who),
		samples: 1,
		opened: System::block_number(),
		deadline: System::block_number() + BlockNumber::from(AUDIT_WINDOW),
		counts: false,
	};
	Audits::<Test>::insert(who, who + 1, audit);
	AuditDeadlines::<Test>::mutate(
		System::block_number() + BlockNumber::from(AUDIT_WINDOW),
		|due| due.try_push((who, who + 1)).expect("room for the audit"),
	);
}

fn has_records(who: AccountId) -> [bool; 10] {
	[
		Audits::<Test>::contains_key(who, who + 1),
		!SigningKeys::<Test>::get(who).is_empty(),
		Datasets::<Test>::contains_key(who),
		AuditedIn::<Test>::contains_key(who),
		MissedAudits::<Test>::contains_key(who),
		OutlierStrikes::<Test>::contains_key(who),
		AuthoredIn::<Test>::contains_key(who),
		MissedRounds::<Test>::contains_key(who),
		Benched::<Test>::contains_key(who),
		Strikes::<Test>::contains_key(who),
	]
}

#[test]
fn a_withdrawn_provider_is_forgotten_and_no_one_else() {
	builder().providers(vec![(1, false), (2, false)]).build_and_execute(|| {
		run_to_round(1);
		let now = System::block_number();
		fill_records(1);
		fill_records(2);
		assert_eq!(has_records(1), [true; 10], "every record there, genesis dataset included");

		let weight = SyncAttestation::on_provider_withdrawn(&1);

		assert_eq!(has_records(1), [false; 10]);
		assert_eq!(has_records(2), [true; 10]);
		assert_eq!(weight, <SyncAttestation as OnProviderWithdrawn<AccountId>>::max_weight());
		// Its audit left its deadline's list; 2's did not.
		let due = AuditDeadlines::<Test>::get(now + BlockNumber::from(AUDIT_WINDOW));
		assert_eq!(due.into_inner(), vec![(2, 3)]);
		// 2's is missed as usual; nothing of 1's comes back.
		run_to_block(now + BlockNumber::from(AUDIT_WINDOW) + 1);
		assert!(!Datasets::<Test>::contains_key(1) && !MissedAudits::<Test>::contains_key(1));
		assert!(!Audits::<Test>::contains_key(2, 3));
	});
}
