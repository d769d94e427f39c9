//! Tests of the runtime as a whole: the genesis presets, session rotation and configuration.

mod proof_of_sync;
mod usage;

use codec::Encode;
use frame_support::{
	assert_ok,
	traits::{Get, OnFinalize, OnInitialize},
};
use proof_of_sync_primitives::ProviderRegistry;
use serde_json::Value;
use sp_consensus_aura::{sr25519::AuthorityId as AuraId, Slot, AURA_ENGINE_ID};
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{BuildStorage, Digest, DigestItem};

use crate::{
	configs::{MinValidatorBond, UNBONDING_ROUNDS},
	genesis_config_presets::{self, ENDOWMENT, GENESIS_CAPACITY},
	AllPalletsWithSystem, Aura, Balances, BlockNumber, Grandpa, Resources, Runtime, RuntimeEvent,
	RuntimeGenesisConfig, RuntimeHoldReason, RuntimeOrigin, Session, System, Timestamp, DSYNC,
	ROUND_LENGTH, SLOT_DURATION, SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, VERSION,
};

/// Applies a preset's JSON patch to the default genesis config, as the node's chain spec builder
/// does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) =>
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			},
		(base, patch) => *base = patch,
	}
}

/// The externalities of a chain started from the preset `id`.
pub(crate) fn genesis_of(id: &str) -> sp_io::TestExternalities {
	let patch =
		genesis_config_presets::get_preset(&PresetId::from(id)).expect("the preset exists; qed");
	let patch: Value = serde_json::from_slice(&patch).expect("presets are JSON; qed");
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializable; qed");
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig =
		serde_json::from_value(config).expect("a preset patches known fields only");
	config.build_storage().expect("the preset builds a genesis state").into()
}

fn aura(who: Sr25519Keyring) -> AuraId {
	who.public().into()
}

fn grandpa(who: Ed25519Keyring) -> GrandpaId {
	who.public().into()
}

/// Executes blocks `from..=to` as Aura would author them, one per slot: the Aura pre-runtime
/// digest, the block hooks and the timestamp inherent, with no other extrinsic.
fn run_blocks(from: BlockNumber, to: BlockNumber) {
	for n in from..=to {
		let slot = Slot::from(u64::from(n));
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		System::initialize(&n, &System::parent_hash(), &digest);
		AllPalletsWithSystem::on_initialize(n);
		assert_ok!(Timestamp::set(RuntimeOrigin::none(), u64::from(slot) * SLOT_DURATION));
		AllPalletsWithSystem::on_finalize(n);
		System::finalize();
	}
}

#[test]
fn runtime_lists_exactly_its_two_presets() {
	let names = genesis_config_presets::preset_names();
	assert_eq!(
		names,
		vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
	);
	assert!(genesis_config_presets::get_preset(&PresetId::from("no_such_preset")).is_none());
}

#[test]
fn development_preset_makes_alice_the_only_validator_and_sudo() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_eq!(
			pallet_aura::Authorities::<Runtime>::get().into_inner(),
			vec![aura(Sr25519Keyring::Alice)]
		);
		assert_eq!(Grandpa::grandpa_authorities(), vec![(grandpa(Ed25519Keyring::Alice), 1)]);
		assert_eq!(Session::validators(), vec![alice.clone()]);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice.clone()));
		// Alice's validator bond is held; Bob's balance is all free.
		assert_eq!(Balances::free_balance(&alice), ENDOWMENT - MinValidatorBond::get());
		assert_eq!(Balances::free_balance(Sr25519Keyring::Bob.to_account_id()), ENDOWMENT);
		assert_eq!(Aura::slot_duration(), crate::SLOT_DURATION);
	});
}

#[test]
fn local_preset_has_alice_bob_and_charlie_as_validators() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let validators = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
		assert_eq!(
			pallet_aura::Authorities::<Runtime>::get().into_inner(),
			validators.iter().map(|v| aura(*v)).collect::<Vec<_>>()
		);
		assert_eq!(
			Grandpa::grandpa_authorities(),
			[Ed25519Keyring::Alice, Ed25519Keyring::Bob, Ed25519Keyring::Charlie]
				.iter()
				.map(|v| (grandpa(*v), 1))
				.collect::<Vec<_>>()
		);
		assert_eq!(
			Session::validators(),
			validators.iter().map(|v| v.to_account_id()).collect::<Vec<_>>()
		);
	});
}

#[test]
fn sessions_rotate_every_round_and_keep_the_genesis_authorities() {
	genesis_of(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let authorities = pallet_aura::Authorities::<Runtime>::get();
		assert_eq!(Session::current_index(), 0);

		run_blocks(1, ROUND_LENGTH - 1);
		assert_eq!(Session::current_index(), 0);

		run_blocks(ROUND_LENGTH, 3 * ROUND_LENGTH);
		assert_eq!(Session::current_index(), 3);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get(), authorities);
		assert_eq!(Grandpa::grandpa_authorities().len(), authorities.len());
	});
}

/// What `who` has on hold as provider bond.
fn provider_bond(who: &sp_runtime::AccountId32) -> crate::Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(
		&RuntimeHoldReason::Resources(pallet_resources::HoldReason::ProviderBond),
		who,
	)
}

#[test]
fn presets_register_their_validators_as_bonded_provider_candidates() {
	for (preset, validators) in [
		(DEV_RUNTIME_PRESET, vec![Sr25519Keyring::Alice]),
		(
			LOCAL_TESTNET_RUNTIME_PRESET,
			vec![Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie],
		),
	] {
		genesis_of(preset).execute_with(|| {
			// Test chains count storage in MiB, so their datasets seal in seconds.
			assert_eq!(
				crate::SyncAttestation::probe_config(),
				crate::genesis_config_presets::TEST_PROBE_CONFIG
			);
			let accounts: Vec<_> = validators.iter().map(|v| v.to_account_id()).collect();
			for (i, who) in accounts.iter().enumerate() {
				let info = Resources::provider(who).expect("a genesis provider");
				assert_eq!(info.status, pallet_resources::ProviderStatus::Active);
				assert_eq!(info.capacity, GENESIS_CAPACITY);
				assert_eq!(info.bond, MinValidatorBond::get());
				assert_eq!(
					info.endpoint.into_inner(),
					format!("http://127.0.0.1:{}", 30555 + i).into_bytes()
				);
				assert_eq!(provider_bond(who), MinValidatorBond::get());
			}
			assert_eq!(
				<Resources as ProviderRegistry<_, _>>::candidates(),
				accounts
					.iter()
					.map(|a| (a.clone(), MinValidatorBond::get()))
					.collect::<Vec<_>>()
			);
			assert_eq!(
				<Resources as ProviderRegistry<_, _>>::active_count(),
				accounts.len() as u32
			);
			Resources::do_try_state().expect("genesis satisfies the registry's invariants");
		});
	}
}

#[test]
fn a_provider_registers_leaves_and_withdraws_by_session_rounds() {
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let dave = Sr25519Keyring::Dave.to_account_id();
		let bond = 200 * DSYNC;
		run_blocks(1, 1);
		assert_ok!(Resources::register(
			RuntimeOrigin::signed(dave.clone()),
			b"http://127.0.0.1:30600".to_vec(),
			GENESIS_CAPACITY,
			bond,
		));
		assert_eq!(provider_bond(&dave), bond);
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::Resources(pallet_resources::Event::ProviderRegistered {
				provider, active_since: 1, ..
			}) if provider == &dave
		)));
		// Active from the next round (session) on.
		assert!(!<Resources as ProviderRegistry<_, _>>::is_active_in(&dave, 0));
		run_blocks(2, ROUND_LENGTH);
		assert_eq!(Session::current_index(), 1);
		assert!(<Resources as ProviderRegistry<_, _>>::is_active_in(&dave, 1));

		assert_ok!(Resources::leave(RuntimeOrigin::signed(dave.clone())));
		let until = 1 + UNBONDING_ROUNDS;
		run_blocks(ROUND_LENGTH + 1, until * ROUND_LENGTH - 1);
		assert_eq!(
			Resources::withdraw(RuntimeOrigin::signed(dave.clone())),
			Err(pallet_resources::Error::<Runtime>::StillUnbonding.into())
		);
		run_blocks(until * ROUND_LENGTH, until * ROUND_LENGTH);
		assert_eq!(Session::current_index(), until);
		// What the sync-attestation pallet kept about it: a dataset commitment and strikes.
		let round = until;
		let dataset = pallet_sync_attestation::DatasetRecord {
			current: None,
			next: None,
			committed_in: Some(round),
		};
		pallet_sync_attestation::Datasets::<Runtime>::insert(&dave, dataset);
		pallet_sync_attestation::Strikes::<Runtime>::insert(&dave, 1);
		pallet_sync_attestation::MissedAudits::<Runtime>::insert(
			&dave,
			frame_support::BoundedVec::truncate_from(vec![round]),
		);
		assert_ok!(Resources::withdraw(RuntimeOrigin::signed(dave.clone())));
		assert_eq!(provider_bond(&dave), 0);
		assert_eq!(Balances::free_balance(&dave), ENDOWMENT);
		// The registry told it: it forgot the provider.
		assert!(!pallet_sync_attestation::Datasets::<Runtime>::contains_key(&dave));
		assert!(!pallet_sync_attestation::Strikes::<Runtime>::contains_key(&dave));
		assert!(!pallet_sync_attestation::MissedAudits::<Runtime>::contains_key(&dave));
		Resources::do_try_state().expect("the registry's invariants hold");
	});
}

/// The attack of issue 14 item 5: a provider signs two hashes at one height, `leave`s at once
/// and hopes to `withdraw` before anyone proves it. Every round until it may withdraw, the proof
/// is still accepted; by the time it may withdraw, the height's round is no longer judged.
#[test]
fn an_equivocator_that_leaves_stays_slashable_until_it_may_withdraw() {
	use pallet_sync_attestation::{Attestation, Error as SyncError};
	use sp_core::Pair;
	genesis_of(DEV_RUNTIME_PRESET).execute_with(|| {
		let dave = Sr25519Keyring::Dave.to_account_id();
		run_blocks(1, 1);
		assert_ok!(Resources::register(
			RuntimeOrigin::signed(dave.clone()),
			b"http://127.0.0.1:30600".to_vec(),
			GENESIS_CAPACITY,
			200 * DSYNC,
		));
		let sync: pallet_sync_attestation::crypto::SyncId = Sr25519Keyring::Dave.public().into();
		let keys = crate::SessionKeys {
			aura: Sr25519Keyring::Dave.public().into(),
			grandpa: Ed25519Keyring::Dave.public().into(),
			sync,
		};
		pallet_session::NextKeys::<Runtime>::insert(&dave, keys);
		run_blocks(2, ROUND_LENGTH + 5);
		// Two hashes for one height of round 1.
		let height = ROUND_LENGTH + 2;
		let signed = |hash: [u8; 32]| {
			let attestation = Attestation {
				round: 1,
				challenge_block: height,
				provider: dave.clone(),
				block_hash: hash.into(),
				finalized_number: 0,
			};
			let payload = crate::SyncAttestation::signing_payload(&attestation);
			let signature = Sr25519Keyring::Dave.pair().sign(&payload).into();
			Box::new((attestation, signature))
		};
		let report = || {
			crate::SyncAttestation::report_equivocation(
				RuntimeOrigin::signed(Sr25519Keyring::Eve.to_account_id()),
				signed([1; 32]),
				signed([2; 32]),
			)
		};
		// Tried without keeping its effects.
		let report_would_pass = || {
			frame_support::storage::with_transaction(|| {
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(
					report().is_ok(),
				))
			})
			.unwrap()
		};

		assert_ok!(Resources::leave(RuntimeOrigin::signed(dave.clone())));
		let until = 1 + UNBONDING_ROUNDS;
		for round in 2..until {
			run_blocks(System::block_number() + 1, round * ROUND_LENGTH);
			assert_eq!(Session::current_index(), round);
			assert_eq!(
				Resources::withdraw(RuntimeOrigin::signed(dave.clone())),
				Err(pallet_resources::Error::<Runtime>::StillUnbonding.into())
			);
			assert!(report_would_pass(), "the proof is refused in round {round}");
		}
		run_blocks(System::block_number() + 1, until * ROUND_LENGTH);
		assert_eq!(
			report().map_err(|e| e.error),
			Err(SyncError::<Runtime>::ProofTooOld.into()),
			"the height's round is no longer judged once the bond can go"
		);
		assert_ok!(Resources::withdraw(RuntimeOrigin::signed(dave.clone())));
	});
}

/// A chain spec may give a provider's capacity as numbers or as the decimal strings the presets
/// write: both build the same genesis through `build_state`, as the node builds a chain spec's
/// genesis.
#[test]
fn genesis_capacities_read_from_numbers_and_decimal_strings() {
	let patch = genesis_config_presets::get_preset(&PresetId::from(DEV_RUNTIME_PRESET)).unwrap();
	let patch: Value = serde_json::from_slice(&patch).unwrap();
	let written = &patch["resources"]["providers"][0][2];
	assert_eq!(written["compute"], Value::String(GENESIS_CAPACITY.compute.to_string()));

	let strings = written.clone();
	let numbers = serde_json::json!({
		"compute": GENESIS_CAPACITY.compute,
		"storage": GENESIS_CAPACITY.storage,
		"bandwidth": GENESIS_CAPACITY.bandwidth,
	});
	for capacity in [strings, numbers] {
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
		merge(&mut config, patch.clone());
		config["resources"]["providers"][0][2] = capacity;
		let json = serde_json::to_vec(&config).unwrap();
		let mut ext = sp_io::TestExternalities::default();
		ext.execute_with(|| {
			frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(json)
				.expect("the genesis builds");
			let alice = Sr25519Keyring::Alice.to_account_id();
			assert_eq!(Resources::provider(&alice).unwrap().capacity, GENESIS_CAPACITY);
		});
	}
}

/// pallet-rewards reads a round's points from pallet-sync-attestation when it pays the round: a
/// reward kept after its points were removed would pay nothing (or a wrong share).
#[test]
fn rewards_never_outlive_the_points_they_pay_for() {
	use frame_support::traits::Get;
	let rewards: u32 = <crate::Runtime as pallet_rewards::Config>::HistoryDepth::get();
	let points: u32 = <crate::Runtime as pallet_sync_attestation::Config>::HistoryDepth::get();
	assert!(rewards >= 1);
	assert!(
		rewards <= points,
		"rewards keep {rewards} rounds but sync-attestation keeps points for only {points}"
	);
}

/// A leaving provider may withdraw its bond at `leave`'s round + `UnbondingRounds`; an
/// equivocation it signed up to then is judged while its round is among sync-attestation's last
/// `HistoryDepth` closed ones. With fewer unbonding rounds an equivocator could `leave`,
/// `withdraw`, and leave nothing to slash when the proof arrives.
#[test]
fn a_bond_stays_slashable_while_evidence_is_accepted() {
	use frame_support::traits::Get;
	let unbonding: u32 = <crate::Runtime as pallet_resources::Config>::UnbondingRounds::get();
	let evidence: u32 = <crate::Runtime as pallet_sync_attestation::Config>::HistoryDepth::get();
	assert!(
		unbonding > evidence,
		"bonds are released after {unbonding} rounds but evidence is judged for {evidence}"
	);
}

/// Every type the Proof of Sync runtime API returns is defined in `polkadot-js/definitions.json`
/// (so a new read type cannot be left out of it), and the runtime's `Balance`, `BlockNumber` and
/// `AccountId` are what polkadot.js means by those names (the file uses them as they are).
#[test]
fn proof_of_sync_api_types_are_all_in_the_polkadot_js_definitions() {
	use core::any::TypeId;
	use scale_info::{form::MetaForm, Type, TypeDef};
	// The runtime APIs' metadata, as `impl_runtime_apis!` records it for the metadata v15+ `apis`.
	use sp_api::__private::metadata_ir::InternalImplRuntimeApis;

	assert_eq!(TypeId::of::<crate::Balance>(), TypeId::of::<u128>());
	assert_eq!(TypeId::of::<BlockNumber>(), TypeId::of::<u32>());
	assert_eq!(TypeId::of::<crate::AccountId>(), TypeId::of::<sp_runtime::AccountId32>());

	/// The named types reachable from `ty`, besides those polkadot.js knows, with the crate that
	/// defines each.
	fn named(ty: &Type<MetaForm>, out: &mut Vec<(&'static str, &'static str)>) {
		let ident = ty.path.ident();
		if matches!(ident, Some("AccountId32" | "Perbill")) {
			return;
		}
		let mut inner = Vec::new();
		match &ty.type_def {
			TypeDef::Composite(c) => inner.extend(c.fields.iter().map(|f| f.ty)),
			TypeDef::Variant(_) if ident == Some("Option") =>
				inner.extend(ty.type_params.iter().filter_map(|p| p.ty)),
			TypeDef::Variant(v) =>
				inner.extend(v.variants.iter().flat_map(|v| v.fields.iter().map(|f| f.ty))),
			TypeDef::Sequence(s) => inner.push(s.type_param),
			TypeDef::Tuple(t) => inner.extend(t.fields.iter().copied()),
			TypeDef::Array(a) => inner.push(a.type_param),
			_ => {},
		}
		if let (Some(ident), TypeDef::Composite(_) | TypeDef::Variant(_)) = (ident, &ty.type_def) {
			let module = ty.path.namespace().first().copied().unwrap_or_default();
			if ident != "Option" && !out.iter().any(|(seen, _)| *seen == ident) {
				out.push((ident, module));
			}
		}
		for ty in inner {
			named(&ty.type_info(), out);
		}
	}

	let api = Runtime
		.runtime_metadata()
		.into_iter()
		.find(|api| api.name == "ProofOfSyncApi")
		.expect("the runtime implements ProofOfSyncApi");
	let mut types = Vec::new();
	for method in &api.methods {
		named(&method.output.type_info(), &mut types);
	}

	let definitions: Value =
		serde_json::from_str(include_str!("../../../polkadot-js/definitions.json")).unwrap();
	let mut defined: Vec<String> = definitions["types"]
		.as_object()
		.expect("a types section")
		.keys()
		.map(|name| name.strip_prefix("ProofOfSync").expect("prefixed names").into())
		.collect();
	defined.sort();
	let mut returned: Vec<String> = types.iter().map(|(ident, _)| String::from(*ident)).collect();
	returned.sort();
	assert_eq!(returned, defined, "the types ProofOfSyncApi returns and definitions.json defines");
	// They are the runtime API's read types (or the primitives they re-export), not a pallet's
	// storage record of the same name.
	for (ident, module) in types {
		assert!(
			matches!(module, "proof_of_sync_runtime_api" | "proof_of_sync_primitives"),
			"{ident} comes from {module}, not from the runtime API"
		);
	}
}

#[test]
fn token_facts_agree_everywhere() {
	assert_eq!(TOKEN_SYMBOL, "DSYNC");
	assert_eq!(TOKEN_DECIMALS, 12);
	assert_eq!(DSYNC, 1_000_000_000_000);
	assert_eq!(SS58_PREFIX, 42);
	assert_eq!(<<Runtime as frame_system::Config>::SS58Prefix as Get<u16>>::get(), SS58_PREFIX);
	assert_eq!(VERSION.spec_name, "proof-of-sync");
}

#[test]
fn metadata_is_served_at_every_supported_version_up_to_16() {
	let versions = Runtime::metadata_versions();
	assert!(versions.contains(&16), "metadata versions: {versions:?}");
	for version in versions {
		assert!(Runtime::metadata_at_version(version).is_some(), "no metadata v{version}");
	}
}
