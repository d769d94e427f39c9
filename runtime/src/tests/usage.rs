//! The usage pallet in the runtime: receipts signed with real account keys (and as a browser
//! wallet signs raw bytes), fees into the reward pot, paid units in the provider's points.

use super::*;
use crate::{configs::RewardPot, Signature, Usage};
use pallet_usage::{PriceList, UsageReceipt};
use proof_of_sync_primitives::ResourceKind;
use sp_runtime::{DispatchError, MultiSignature};

/// `who`'s sr25519 signature of `message`.
fn signed_by(who: Sr25519Keyring, message: &[u8]) -> Signature {
	MultiSignature::Sr25519(who.sign(message))
}

#[test]
fn a_consumer_receipt_signed_with_its_account_key_pays_the_provider_at_once() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		run_blocks(1, 1);
		let (alice, bob) =
			(Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
		let storage = PriceList { compute: 0, storage: DSYNC, bandwidth: 0 };
		assert_ok!(Usage::set_prices(RuntimeOrigin::signed(alice.clone()), storage));
		assert_ok!(Usage::open_lease(
			RuntimeOrigin::signed(bob.clone()),
			alice.clone(),
			ResourceKind::Storage,
			10,
			2,
			DSYNC,
		));
		run_blocks(2, ROUND_LENGTH);
		let round = Session::current_index();
		assert_eq!(round, 1);

		let genesis = System::block_hash(0);
		let opened_after = pallet_usage::Leases::<Runtime>::get(0).unwrap().opened_after;
		let receipt = |counter| {
			UsageReceipt { lease: 0, opened_after, round, counter }.signing_payload(&genesis)
		};
		let (alice_free, pot) =
			(Balances::free_balance(&alice), Balances::free_balance(RewardPot::get()));
		assert_ok!(Usage::record_usage(
			RuntimeOrigin::signed(alice.clone()),
			0,
			round,
			6,
			Some(signed_by(Sr25519Keyring::Bob, &receipt(6))),
		));
		// 6 DSYNC billed: 5 % to the reward pot, the rest to Alice at once.
		assert_eq!(Balances::free_balance(&alice) - alice_free, 6 * DSYNC * 95 / 100);
		assert_eq!(Balances::free_balance(RewardPot::get()) - pot, 6 * DSYNC * 5 / 100);
		// 6 storage units held for a round: 12 points of usage credit (in thousandths), in the
		// round in progress; they count once verifiers measured Alice's capacity.
		let stats = pallet_sync_attestation::ProviderRounds::<Runtime>::get(round, &alice);
		assert_eq!(stats.map(|s| s.usage_credit), Some(12_000));

		// A browser wallet's signature of the payload wrapped in `<Bytes>` counts too.
		let wrapped = [&b"<Bytes>"[..], &receipt(8)[..], &b"</Bytes>"[..]].concat();
		assert_ok!(Usage::record_usage(
			RuntimeOrigin::signed(alice.clone()),
			0,
			round,
			8,
			Some(signed_by(Sr25519Keyring::Bob, &wrapped)),
		));
		// Alice's own signature, or Bob's over another counter, is no receipt.
		for forged in [
			signed_by(Sr25519Keyring::Alice, &receipt(9)),
			signed_by(Sr25519Keyring::Bob, &receipt(8)),
		] {
			let refused = Usage::record_usage(
				RuntimeOrigin::signed(alice.clone()),
				0,
				round,
				9,
				Some(forged),
			);
			assert_eq!(
				refused,
				Err(DispatchError::from(pallet_usage::Error::<Runtime>::BadReceipt))
			);
		}
		pallet_usage::Pallet::<Runtime>::do_try_state().expect("the usage invariants hold");

		// The runtime API's view of it: the lease, with Bob's receipts, as both parties see it.
		let lease = crate::views::lease(0).expect("the lease is open");
		assert_eq!((lease.consumer.clone(), lease.provider.clone()), (bob.clone(), alice.clone()));
		assert_eq!(
			(lease.quota, lease.price, lease.start_round, lease.end_round),
			(10, DSYNC, 1, 3)
		);
		assert_eq!(lease.opened_after, <[u8; 32]>::from(opened_after));
		assert_eq!(
			lease.usage,
			vec![proof_of_sync_runtime_api::RoundUsage {
				round,
				counter: 8,
				receipted: 8,
				disputed: false
			}]
		);
		assert_eq!((lease.deposited, lease.escrow), (20 * DSYNC, 12 * DSYNC));
		assert_eq!(lease.paid + lease.fees, 8 * DSYNC);
		assert_eq!(crate::views::leases(bob.clone()), vec![lease.clone()]);
		assert_eq!(crate::views::leases(alice.clone()), vec![lease]);
		assert!(crate::views::lease(1).is_none());
		let storage = crate::views::utilization(alice.clone())
			.into_iter()
			.find(|kind| kind.kind == ResourceKind::Storage)
			.expect("Alice declares storage");
		// Round 2 is the lease's last: a lease starting then would find 10 units booked.
		assert_eq!((storage.price, storage.booked, storage.leases), (DSYNC, 10, 1));
		assert!(crate::views::utilization(bob).is_empty());
	});
}
