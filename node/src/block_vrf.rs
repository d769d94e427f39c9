//! The block author's VRF: when this node authors a block, it signs, with the Aura key of the
//! block's slot, a VRF over the chain's genesis hash, the slot and the block number, and hands it
//! to the runtime as the `syncAttestation.noteBlockVrf` inherent. The runtime folds the VRF
//! output into the randomness that decides the next block's sync challenges (see
//! `pallet_sync_attestation::randomness`): an output no block author can choose, since an
//! sr25519 VRF has one output per key and input.

use pallet_sync_attestation::{randomness::block_vrf_transcript, BlockVrf, INHERENT_IDENTIFIER};
use sp_api::ProvideRuntimeApi;
use sp_consensus_aura::{sr25519::AuthorityId as AuraId, AuraApi, Slot};
use sp_core::sr25519::vrf::VrfSignData;
use sp_inherents::{InherentData, InherentIdentifier};
use sp_keystore::{Keystore, KeystorePtr};
use sp_runtime::traits::Block as BlockT;

/// Provides the `note_block_vrf` inherent's data: the VRF of the block being authored, if this
/// node holds the Aura key of the block's slot. Without one the block carries no VRF and the
/// runtime uses its fallback randomness.
pub struct InherentDataProvider(Option<BlockVrf>);

impl InherentDataProvider {
	/// The VRF of block `number` at `slot`, built on `parent`, signed with the Aura key that
	/// `parent`'s state assigns to `slot`, if `keystore` holds it.
	pub fn new<Block, Client>(
		client: &Client,
		keystore: &KeystorePtr,
		genesis_hash: Block::Hash,
		parent: Block::Hash,
		number: u64,
		slot: Slot,
	) -> Self
	where
		Block: BlockT,
		Client: ProvideRuntimeApi<Block>,
		Client::Api: AuraApi<Block, AuraId>,
	{
		let authorities = match client.runtime_api().authorities(parent) {
			Ok(authorities) => authorities,
			Err(error) => {
				log::warn!(target: "proof-of-sync", "no Aura authorities at {parent:?}: {error}");
				return Self(None)
			},
		};
		let Some(author) = (!authorities.is_empty())
			.then(|| authorities[(*slot % authorities.len() as u64) as usize].clone())
		else {
			return Self(None)
		};
		let transcript = block_vrf_transcript(genesis_hash.as_ref(), *slot, number);
		let signed = keystore.sr25519_vrf_sign(
			sp_core::crypto::key_types::AURA,
			&author.into_inner(),
			&VrfSignData::new(transcript),
		);
		match signed {
			Ok(Some(signature)) => Self(Some(BlockVrf::from_signature(&signature))),
			Ok(None) => Self(None),
			Err(error) => {
				log::warn!(target: "proof-of-sync", "could not sign the block VRF: {error}");
				Self(None)
			},
		}
	}
}

#[async_trait::async_trait]
impl sp_inherents::InherentDataProvider for InherentDataProvider {
	async fn provide_inherent_data(
		&self,
		inherent_data: &mut InherentData,
	) -> Result<(), sp_inherents::Error> {
		match &self.0 {
			Some(vrf) => inherent_data.put_data(INHERENT_IDENTIFIER, vrf),
			None => Ok(()),
		}
	}

	async fn try_handle_error(
		&self,
		_identifier: &InherentIdentifier,
		_error: &[u8],
	) -> Option<Result<(), sp_inherents::Error>> {
		None
	}
}
