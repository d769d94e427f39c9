//! The `sync` key: the sr25519 application key a provider's node signs sync attestations with.
//!
//! It is meant to be one of the runtime's session keys (`sync: SyncAttestation` in
//! `impl_opaque_keys!`), so `session.set_keys` proves the account holds it and the dev-account
//! flags put it in the node's keystore.

use sp_core::crypto::KeyTypeId;

/// The key type of the `sync` key in the node's keystore.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"sync");

/// The key type of Aura keys in the node's keystore: a benched authority's node signs its
/// heartbeat with its Aura key.
pub const AURA_KEY_TYPE: KeyTypeId = sp_core::crypto::key_types::AURA;

mod app {
	use sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

/// The public `sync` key of a provider.
pub type SyncId = app::Public;

/// A signature made with a `sync` key.
pub type SyncSignature = app::Signature;

/// The domain tag in front of every signed attestation, so a `sync` signature can never be taken
/// for a signature over anything else.
pub const ATTESTATION_CONTEXT: &[u8; 20] = b"proof-of-sync/attest";

/// The domain tag in front of every signed quality report.
pub const QUALITY_CONTEXT: &[u8; 21] = b"proof-of-sync/quality";

/// The domain tag in front of every signed dataset commitment.
pub const DATASET_CONTEXT: &[u8; 21] = b"proof-of-sync/dataset";

/// The domain tag of a storage audit request's signing payload.
pub const AUDIT_CONTEXT: &[u8; 19] = b"proof-of-sync/audit";
