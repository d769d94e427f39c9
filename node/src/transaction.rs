//! Signed transactions of this runtime, as a wallet makes them: what the consumer client
//! (`usage_client`) submits and `benchmark extrinsic` (`benchmarking`) measures.

use codec::Encode;
use proof_of_sync_runtime::{
	AccountId, Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic,
};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::generic::Era;

/// What a signed transaction names of the chain.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TxContext {
	/// The genesis hash.
	pub genesis: H256,
	/// The runtime's `spec_version`.
	pub spec_version: u32,
	/// The runtime's `transaction_version`.
	pub transaction_version: u32,
	/// How long the transaction is valid.
	pub era: Era,
	/// The hash of the block the era starts at.
	pub birth_hash: H256,
}

/// The transaction extensions' implicit data: what the signature covers without the
/// transaction carrying it.
type Implicit = ((), (), u32, u32, H256, H256, (), (), (), Option<[u8; 32]>, ());

/// `call` signed by `signer` with nonce `nonce` and every transaction extension of the runtime
/// (no tip, no metadata hash).
pub fn signed_extrinsic(
	signer: &sr25519::Pair,
	call: RuntimeCall,
	nonce: u32,
	tx: &TxContext,
) -> UncheckedExtrinsic {
	let tx_ext: TxExtension = (
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(tx.era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit(tx));
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		AccountId::from(signer.public()).into(),
		proof_of_sync_runtime::Signature::Sr25519(signature),
		tx_ext,
	)
}

/// What each extension adds to the signed payload of `tx` without being in the transaction.
fn implicit(tx: &TxContext) -> Implicit {
	(
		(),
		(),
		tx.spec_version,
		tx.transaction_version,
		tx.genesis,
		tx.birth_hash,
		(),
		(),
		(),
		None,
		(),
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Decode;
	use sp_core::crypto::AccountId32;
	use sp_runtime::{generic::Preamble, traits::Verify, MultiAddress};

	#[test]
	fn a_signed_extrinsic_carries_the_call_and_the_signers_signature_over_the_chain() {
		let signer = sp_keyring::Sr25519Keyring::Bob.pair();
		let bob = AccountId32::from(signer.public());
		let tx = TxContext {
			genesis: H256::repeat_byte(1),
			spec_version: 100,
			transaction_version: 1,
			era: Era::mortal(64, 70),
			birth_hash: H256::repeat_byte(2),
		};
		let call = RuntimeCall::Usage(pallet_usage::Call::cancel_lease { lease: 9 });
		let bytes = signed_extrinsic(&signer, call.clone(), 3, &tx).encode();
		let extrinsic = UncheckedExtrinsic::decode(&mut bytes.as_slice()).unwrap();
		assert_eq!(extrinsic.function, call);
		let Preamble::Signed(address, signature, tx_ext) = extrinsic.preamble else {
			panic!("not a signed transaction");
		};
		assert_eq!(address, MultiAddress::Id(bob.clone()));
		let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit(&tx));
		assert!(payload.using_encoded(|bytes| signature.verify(bytes, &bob)));
		// Signed for another chain, it does not verify.
		let other = TxContext { genesis: H256::repeat_byte(9), ..tx };
		let payload = SignedPayload::from_raw(call, tx_ext, implicit(&other));
		assert!(!payload.using_encoded(|bytes| signature.verify(bytes, &bob)));
	}
}
