//! `polkadot-js/definitions.json` is generated from the runtime API's types, so the JSON a client
//! decodes cannot drift from the Rust that produces it.
//!
//! The test renders the file (its `types` from the Rust types' `TypeInfo`, its `rpc` and
//! `signedExtensions` sections as they stand) and fails if the checked-in file differs. After
//! changing a read type, regenerate the file with
//! `UPDATE_DEFINITIONS=1 cargo test -p proof-of-sync-runtime-api --test polkadot_js`
//! and commit it.

use std::{fmt::Write, path::PathBuf};

use proof_of_sync_runtime_api::{
	Assignment, Capacity, DatasetCommitment, KindUtilization, LeaderboardEntry, LeaseInfo,
	PendingReward, ProbeConfig, ProviderInfo, ProviderStatus, QualityReportInfo, ResourceKind,
	RoundInfo, RoundUsage, ScoreBreakdown, StorageAudit, TargetQuality,
};
use scale_info::{form::MetaForm, Field, Type, TypeDef, TypeDefPrimitive, TypeInfo};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use sp_runtime::{AccountId32, Perbill};

/// The prefix of every type name the project adds to polkadot.js's registry.
const PREFIX: &str = "ProofOfSync";

/// A JSON value whose objects keep their keys in order (struct fields decode in order).
#[derive(Clone, Debug, PartialEq)]
enum Json {
	Str(String),
	Obj(Vec<(String, Json)>),
	Arr(Vec<Json>),
	Bool(bool),
	Null,
	Num(String),
}

impl Json {
	fn obj(entries: impl IntoIterator<Item = (String, Json)>) -> Json {
		Json::Obj(entries.into_iter().collect())
	}

	fn get(&self, key: &str) -> Option<&Json> {
		match self {
			Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
			_ => None,
		}
	}

	fn keys(&self) -> Vec<&str> {
		match self {
			Json::Obj(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
			_ => Vec::new(),
		}
	}

	/// Two-space indented, one entry per line; an object of strings only stays on one line when
	/// it is short, as a hand-written file would have it.
	fn render(&self, indent: usize, out: &mut String) {
		let pad = "  ".repeat(indent + 1);
		let end = "  ".repeat(indent);
		match self {
			Json::Str(s) => write!(out, "{}", serde_json::to_string(s).unwrap()).unwrap(),
			Json::Num(n) => out.push_str(n),
			Json::Bool(b) => write!(out, "{b}").unwrap(),
			Json::Null => out.push_str("null"),
			Json::Arr(items) => {
				let mut one_line = String::new();
				for (i, item) in items.iter().enumerate() {
					if i > 0 {
						one_line.push_str(", ");
					}
					item.render(0, &mut one_line);
				}
				if !one_line.contains('\n') && one_line.len() <= 80 {
					write!(out, "[{one_line}]").unwrap();
				} else {
					out.push_str("[\n");
					for (i, item) in items.iter().enumerate() {
						out.push_str(&pad);
						item.render(indent + 1, out);
						out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
					}
					write!(out, "{end}]").unwrap();
				}
			},
			Json::Obj(entries) if entries.is_empty() => out.push_str("{}"),
			Json::Obj(entries) => {
				let mut one_line = String::new();
				for (i, (k, v)) in entries.iter().enumerate() {
					if i > 0 {
						one_line.push_str(", ");
					}
					write!(one_line, "{}: ", serde_json::to_string(k).unwrap()).unwrap();
					v.render(0, &mut one_line);
				}
				if !one_line.contains('\n') && one_line.len() <= 80 {
					write!(out, "{{ {one_line} }}").unwrap();
				} else {
					out.push_str("{\n");
					for (i, (k, v)) in entries.iter().enumerate() {
						write!(out, "{pad}{}: ", serde_json::to_string(k).unwrap()).unwrap();
						v.render(indent + 1, out);
						out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
					}
					write!(out, "{end}}}").unwrap();
				}
			},
		}
	}
}

impl<'de> Deserialize<'de> for Json {
	fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		struct V;
		impl<'de> Visitor<'de> for V {
			type Value = Json;
			fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
				f.write_str("JSON")
			}
			fn visit_str<E>(self, v: &str) -> Result<Json, E> {
				Ok(Json::Str(v.into()))
			}
			fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
				Ok(Json::Bool(v))
			}
			fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
				Ok(Json::Num(v.to_string()))
			}
			fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
				Ok(Json::Num(v.to_string()))
			}
			fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
				Ok(Json::Num(v.to_string()))
			}
			fn visit_unit<E>(self) -> Result<Json, E> {
				Ok(Json::Null)
			}
			fn visit_none<E>(self) -> Result<Json, E> {
				Ok(Json::Null)
			}
			fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
				let mut items = Vec::new();
				while let Some(item) = seq.next_element()? {
					items.push(item);
				}
				Ok(Json::Arr(items))
			}
			fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
				let mut entries = Vec::new();
				while let Some(entry) = map.next_entry()? {
					entries.push(entry);
				}
				Ok(Json::Obj(entries))
			}
		}
		deserializer.deserialize_any(V)
	}
}

fn camel_case(snake: &str) -> String {
	let mut out = String::new();
	let mut upper = false;
	for c in snake.chars() {
		if c == '_' {
			upper = true;
		} else if upper {
			out.extend(c.to_uppercase());
			upper = false;
		} else {
			out.push(c);
		}
	}
	out
}

/// The read types the file defines, under `ProofOfSync<name>`.
const READ_TYPES: [&str; 17] = [
	"Capacity",
	"ProviderStatus",
	"RoundInfo",
	"ProviderInfo",
	"ScoreBreakdown",
	"PendingReward",
	"LeaderboardEntry",
	"DatasetCommitment",
	"Assignment",
	"QualityReportInfo",
	"TargetQuality",
	"ProbeConfig",
	"StorageAudit",
	"ResourceKind",
	"RoundUsage",
	"LeaseInfo",
	"KindUtilization",
];

/// The runtime's generic parameters keep the names polkadot.js gives them; the runtime's test
/// `proof_of_sync_api_types_are_all_in_the_polkadot_js_definitions` checks that its `Balance`,
/// `BlockNumber` and `AccountId` are the `u128`, `u32` and `AccountId32` polkadot.js means by
/// them.
const GENERIC_PARAMS: [&str; 3] = ["Balance", "BlockNumber", "AccountId"];

/// The polkadot.js name of a field's type. Generic parameters keep their names; everything else
/// is resolved from the type's `TypeInfo` (not from how the field spells it, so a type alias that
/// changes its target changes the file). Panics on a type it does not know, so a new field type
/// is mapped here on purpose rather than by accident.
fn js_type(field: &Field<MetaForm>) -> String {
	let spelled = field.type_name.expect("fields carry their type's name");
	if GENERIC_PARAMS.contains(&spelled) {
		return spelled.into();
	}
	for wrapper in ["Option", "Vec"] {
		let inner = spelled.strip_prefix(wrapper).and_then(|s| s.strip_prefix('<'));
		if let Some(inner) = inner.and_then(|s| s.strip_suffix('>')) {
			if GENERIC_PARAMS.contains(&inner) {
				return format!("{wrapper}<{inner}>");
			}
		}
	}
	resolve(&field.ty.type_info())
}

fn resolve(ty: &Type<MetaForm>) -> String {
	let ident = ty.path.ident();
	match (&ty.type_def, ident) {
		(TypeDef::Primitive(p), _) => match p {
			TypeDefPrimitive::Bool => "bool",
			TypeDefPrimitive::U32 => "u32",
			TypeDefPrimitive::U64 => "u64",
			TypeDefPrimitive::U128 => "u128",
			other => panic!("no polkadot.js name for {other:?}: add it to resolve"),
		}
		.into(),
		// Every byte string in the read types is text (a JSON string); SCALE encodes `Text`
		// exactly as `Vec<u8>`.
		(TypeDef::Sequence(seq), _)
			if matches!(
				seq.type_param.type_info().type_def,
				TypeDef::Primitive(TypeDefPrimitive::U8)
			) =>
			"Text".into(),
		(TypeDef::Sequence(seq), _) => format!("Vec<{}>", resolve(&seq.type_param.type_info())),
		// 32 bytes are a hash-like value, a `0x` hex string in JSON.
		(TypeDef::Array(array), _)
			if array.len == 32 &&
				matches!(
					array.type_param.type_info().type_def,
					TypeDef::Primitive(TypeDefPrimitive::U8)
				) =>
			"[u8;32]".into(),
		(TypeDef::Variant(_), Some("Option")) => {
			let inner = ty.type_params[0].ty.expect("Option has a type parameter").type_info();
			format!("Option<{}>", resolve(&inner))
		},
		(_, Some("Perbill")) => "Perbill".into(),
		(_, Some(name)) if READ_TYPES.contains(&name) => format!("{PREFIX}{name}"),
		_ => panic!("no polkadot.js name for {:?}: add it to resolve", ty.path),
	}
}

fn fields(fields: &[Field<MetaForm>]) -> Json {
	Json::obj(fields.iter().map(|f| {
		let name = f.name.expect("read types have named fields");
		(camel_case(name), Json::Str(js_type(f)))
	}))
}

/// The definition of `ty`: a struct's fields in order, or an enum's variants.
fn definition(ty: &Type<MetaForm>) -> Json {
	match &ty.type_def {
		TypeDef::Composite(c) => fields(&c.fields),
		TypeDef::Variant(v) => Json::obj([(
			"_enum".into(),
			Json::obj(v.variants.iter().map(|variant| {
				let def = if variant.fields.is_empty() {
					Json::Str("Null".into())
				} else {
					fields(&variant.fields)
				};
				(variant.name.to_string(), def)
			})),
		)]),
		other => panic!("unexpected type definition {other:?}"),
	}
}

/// The `types` section: every read type of the runtime API, under its prefixed name.
fn generated_types() -> Json {
	let types: Vec<Type<MetaForm>> = vec![
		Capacity::type_info(),
		ProviderStatus::type_info(),
		RoundInfo::<u32>::type_info(),
		ProviderInfo::<u128>::type_info(),
		ScoreBreakdown::<u128>::type_info(),
		PendingReward::<u128>::type_info(),
		LeaderboardEntry::<AccountId32>::type_info(),
		DatasetCommitment::type_info(),
		Assignment::<AccountId32>::type_info(),
		QualityReportInfo::<AccountId32>::type_info(),
		TargetQuality::<AccountId32>::type_info(),
		ProbeConfig::type_info(),
		StorageAudit::<AccountId32, u32>::type_info(),
		ResourceKind::type_info(),
		RoundUsage::type_info(),
		LeaseInfo::<AccountId32, u128>::type_info(),
		KindUtilization::<u128>::type_info(),
	];
	let names: Vec<_> =
		types.iter().map(|ty| ty.path.ident().expect("read types are named")).collect();
	assert_eq!(
		names, READ_TYPES,
		"generated_types lists every read type once, in READ_TYPES order"
	);
	Json::obj(types.iter().map(|ty| {
		let name = ty.path.ident().expect("read types are named");
		(format!("{PREFIX}{name}"), definition(ty))
	}))
}

/// The checked-in definitions, found from the manifest directory cargo names when it runs the
/// test (the one compiled in may be another clone's: clones share the scripts' target directory
/// and cargo reuses a test binary whose sources did not change).
fn definitions_path() -> PathBuf {
	let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
		.map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
	manifest_dir.join("../../polkadot-js/definitions.json")
}

fn checked_in() -> (String, Json) {
	let text = std::fs::read_to_string(definitions_path()).expect("polkadot-js/definitions.json");
	let json = serde_json::from_str(&text).expect("definitions.json is JSON");
	(text, json)
}

#[test]
fn definitions_are_generated_from_the_runtime_api_types() {
	let (text, file) = checked_in();
	let rendered_doc = Json::obj([
		(
			"signedExtensions".into(),
			file.get("signedExtensions").cloned().expect("a signedExtensions section"),
		),
		("types".into(), generated_types()),
		("rpc".into(), file.get("rpc").cloned().expect("an rpc section")),
	]);
	let mut rendered = String::new();
	rendered_doc.render(0, &mut rendered);
	rendered.push('\n');
	if rendered != text {
		if std::env::var_os("UPDATE_DEFINITIONS").is_some() {
			std::fs::write(definitions_path(), &rendered).expect("write definitions.json");
			return;
		}
		panic!(
			"polkadot-js/definitions.json is not what the runtime API's types generate. Run \
			 `UPDATE_DEFINITIONS=1 cargo test -p proof-of-sync-runtime-api --test polkadot_js` and \
			 commit the result. Generated:\n{rendered}"
		);
	}
}

/// Every type an RPC method names is defined by the file or is one of polkadot.js's own.
#[test]
fn rpc_methods_name_only_defined_types() {
	let (_, file) = checked_in();
	let types = generated_types();
	let defined = types.keys();
	let builtin = ["u32", "u64", "BlockHash", "BlockNumber", "AccountId", "Balance"];
	let Some(Json::Obj(methods)) = file.get("rpc").and_then(|rpc| rpc.get("proofOfSync")) else {
		panic!("an rpc.proofOfSync section");
	};
	let named = |ty: &str| {
		let mut inner = ty;
		for wrapper in ["Option<", "Vec<"] {
			if let Some(rest) = inner.strip_prefix(wrapper).and_then(|s| s.strip_suffix('>')) {
				inner = rest;
			}
		}
		assert!(
			defined.contains(&inner) || builtin.contains(&inner),
			"the RPC names type `{ty}`, which definitions.json does not define"
		);
	};
	for (method, def) in methods {
		let Some(Json::Str(result)) = def.get("type") else { panic!("{method} has a type") };
		named(result);
		if let Some(Json::Arr(params)) = def.get("params") {
			for param in params {
				let Some(Json::Str(ty)) = param.get("type") else { panic!("{method} param type") };
				named(ty);
			}
		}
	}
}

/// Checks that `json` is what polkadot.js reads as `ty`: the fields the definition declares, in
/// its order, each of the JSON kind its type needs. Numbers that outgrow JavaScript's (`u64`,
/// `u128`, `Balance`) must be decimal strings.
fn check_json(types: &Json, ty: &str, json: &Json, at: &str) {
	if let Some(inner) = ty.strip_prefix("Option<").and_then(|s| s.strip_suffix('>')) {
		if *json != Json::Null {
			check_json(types, inner, json, at);
		}
		return;
	}
	if let Some(inner) = ty.strip_prefix("Vec<").and_then(|s| s.strip_suffix('>')) {
		let Json::Arr(items) = json else { panic!("{at} ({ty}) must be an array: {json:?}") };
		for (i, item) in items.iter().enumerate() {
			check_json(types, inner, item, &format!("{at}[{i}]"));
		}
		return;
	}
	match ty {
		"u64" | "u128" | "Balance" => match json {
			Json::Str(s) if s.parse::<u128>().is_ok() => {},
			other => panic!("{at} ({ty}) must be a decimal string, not {other:?}"),
		},
		"u32" | "BlockNumber" | "Perbill" =>
			assert!(matches!(json, Json::Num(_)), "{at} ({ty}) must be a number: {json:?}"),
		"bool" => assert!(matches!(json, Json::Bool(_)), "{at} must be a bool: {json:?}"),
		"Text" | "AccountId" =>
			assert!(matches!(json, Json::Str(_)), "{at} ({ty}) must be a string: {json:?}"),
		"[u8;32]" => assert!(
			matches!(json, Json::Str(s) if s.len() == 66 && s.starts_with("0x")),
			"{at} ({ty}) must be a 0x-prefixed string of 32 bytes: {json:?}"
		),
		defined => {
			let def = types.get(defined).unwrap_or_else(|| panic!("{at}: no definition {defined}"));
			if let Some(Json::Obj(variants)) = def.get("_enum") {
				// serde writes a unit variant as its camelCase name, a struct variant as
				// `{ name: { fields } }`; polkadot.js reads both.
				let (variant, body) = match json {
					Json::Str(name) => (name.clone(), None),
					Json::Obj(entries) if entries.len() == 1 =>
						(entries[0].0.clone(), Some(&entries[0].1)),
					other => panic!("{at}: {other:?} is no {defined} variant"),
				};
				let (_, variant_def) = variants
					.iter()
					.find(|(v, _)| camel_case_variant(v) == variant)
					.unwrap_or_else(|| panic!("{at}: no variant {variant} in {defined}"));
				match (variant_def, body) {
					(Json::Str(null), None) if null == "Null" => {},
					(Json::Obj(_), Some(body)) =>
						check_fields(types, variant_def, body, &format!("{at}.{variant}")),
					other =>
						panic!("{at}: variant {variant} of {defined} has the wrong shape {other:?}"),
				}
			} else {
				check_fields(types, def, json, at);
			}
		},
	}
}

fn check_fields(types: &Json, def: &Json, json: &Json, at: &str) {
	assert_eq!(json.keys(), def.keys(), "{at}: the JSON fields and the definition's differ");
	let Json::Obj(fields) = def else { panic!("{at}: a struct definition") };
	for (field, ty) in fields {
		let Json::Str(ty) = ty else { panic!("{at}.{field}: a type name") };
		check_json(types, ty, json.get(field).expect("keys compared"), &format!("{at}.{field}"));
	}
}

/// polkadot.js matches enum variants case-insensitively from JSON; serde writes them camelCase.
fn camel_case_variant(variant: &str) -> String {
	let mut chars = variant.chars();
	chars
		.next()
		.map(|c| c.to_lowercase().chain(chars).collect())
		.unwrap_or_default()
}

fn serialized(value: impl serde::Serialize) -> Json {
	serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap()
}

/// What the RPC sends has exactly the fields the definitions declare, in the same order, with
/// big numbers as decimal strings.
#[test]
fn serde_json_matches_the_definitions() {
	let types = generated_types();
	let big = u128::MAX;
	let round = RoundInfo::<u32> {
		index: 3,
		start: 30,
		length: 10,
		next_start: 40,
		challenge_odds: Perbill::from_percent(33),
		expected_challenges_milli: 2_000,
		providers: 2,
		active_providers: 2,
		attestations: 5,
		total_points: big,
		last_closed: Some(2),
	};
	let provider = ProviderInfo::<u128> {
		endpoint: b"http://127.0.0.1:30555".to_vec(),
		capacity: Capacity { compute: u64::MAX, storage: 2, bandwidth: 3 },
		next_capacity: Some(Capacity { compute: 1, storage: 2, bandwidth: u64::MAX }),
		dataset: Some(DatasetCommitment {
			root: [7; 32],
			leaves: 25_600,
			lanes: 16,
			seal_iterations: 64,
		}),
		bond: big,
		status: ProviderStatus::Leaving { until_round: 9 },
		active_since: 1,
		registered_at: 0,
		candidate: true,
		authority: false,
		has_sync_key: true,
	};
	let score = ScoreBreakdown::<u128> {
		round: 3,
		closed: true,
		expected_challenges_milli: 6_000,
		answered: 5,
		uptime: Perbill::from_percent(83),
		mean_lag: 1,
		sync: Perbill::from_percent(90),
		base_points: 1_000,
		declared: Capacity { compute: 4_000, storage: 100, bandwidth: 1_000 },
		measured: Capacity { compute: 2_000, storage: 100, bandwidth: u64::MAX },
		counted: Capacity { compute: 2_000, storage: 100, bandwidth: 1_000 },
		quality: Perbill::from_percent(95),
		capacity_points: big,
		usage_points: big,
		disputed_points: 0,
		penalty: Perbill::from_percent(10),
		points: big,
		total_points: big,
		share: Perbill::one(),
		reward: Some(big),
		claimed: false,
	};
	let pending = PendingReward::<u128> { round: 3, amount: big };
	let entry = LeaderboardEntry { account: AccountId32::new([1; 32]), points: big };
	let alice = AccountId32::new([1; 32]);
	let bob = AccountId32::new([2; 32]);
	let assignment = Assignment {
		round: 3,
		target: bob.clone(),
		endpoint: b"http://127.0.0.1:30555".to_vec(),
		declared: Capacity { compute: 4_000, storage: 100, bandwidth: u64::MAX },
		dataset: Some(DatasetCommitment {
			root: [0xab; 32],
			leaves: u64::MAX,
			lanes: u32::MAX,
			seal_iterations: u32::MAX,
		}),
	};
	let audit = StorageAudit::<AccountId32, u32> {
		verifier: bob.clone(),
		round: 4,
		nonce: [0xcd; 32],
		dataset: DatasetCommitment {
			root: [1; 32],
			leaves: u64::MAX,
			lanes: 2,
			seal_iterations: 3,
		},
		samples: 16,
		opened: 41,
		deadline: u32::MAX,
		counts: true,
	};
	let quality = TargetQuality {
		round: 3,
		target: bob.clone(),
		verifiers: vec![alice.clone()],
		slots: 2,
		reports: vec![QualityReportInfo {
			verifier: alice,
			reachable: true,
			latency_ms: 3,
			measured: Capacity { compute: 1, storage: 2, bandwidth: u64::MAX },
			quality: Perbill::from_percent(99),
		}],
		measured: Capacity::default(),
		quality: Perbill::zero(),
		judged: false,
	};

	let lease = LeaseInfo::<AccountId32, u128> {
		id: u64::MAX,
		consumer: bob.clone(),
		provider: AccountId32::new([1; 32]),
		kind: ResourceKind::Bandwidth,
		units_per_round: u64::MAX,
		quota: u64::MAX,
		price: big,
		start_round: 1,
		end_round: 9,
		settled_to: 2,
		opened_after: [0xef; 32],
		deposited: big,
		escrow: big,
		paid: big,
		fees: big,
		refunded: big,
		usage: vec![RoundUsage { round: 2, counter: u64::MAX, receipted: 5, disputed: true }],
	};
	let utilization = KindUtilization::<u128> {
		kind: ResourceKind::Compute,
		price: big,
		capacity: u64::MAX,
		booked: 3,
		leases: 2,
	};

	for (name, json) in [
		("LeaseInfo", serialized(&lease)),
		("KindUtilization", serialized(&utilization)),
		("RoundInfo", serialized(&round)),
		("ProviderInfo", serialized(&provider)),
		("ScoreBreakdown", serialized(&score)),
		("PendingReward", serialized(&pending)),
		("LeaderboardEntry", serialized(&entry)),
		("Assignment", serialized(&assignment)),
		("TargetQuality", serialized(&quality)),
		("ProbeConfig", serialized(ProbeConfig::default())),
		("StorageAudit", serialized(&audit)),
	] {
		check_json(&types, &format!("{PREFIX}{name}"), &json, name);
	}
	// Every status variant, and the `None`s.
	for status in [ProviderStatus::Active, ProviderStatus::Chilled] {
		let json = serialized(ProviderInfo { status, ..provider.clone() });
		check_json(&types, "ProofOfSyncProviderInfo", &json, "ProviderInfo");
	}
	let json = serialized(RoundInfo::<u32> { last_closed: None, ..round.clone() });
	check_json(&types, "ProofOfSyncRoundInfo", &json, "RoundInfo");
	let json = serialized(ProviderInfo { next_capacity: None, dataset: None, ..provider.clone() });
	check_json(&types, "ProofOfSyncProviderInfo", &json, "ProviderInfo");
	let json = serialized(ScoreBreakdown::<u128> { reward: None, ..score.clone() });
	check_json(&types, "ProofOfSyncScoreBreakdown", &json, "ScoreBreakdown");

	assert_eq!(
		serialized(&provider).get("status"),
		Some(&Json::obj([(
			"leaving".into(),
			Json::obj([("untilRound".into(), Json::Num("9".into()))])
		)]))
	);
	assert_eq!(serialized(ProviderStatus::Active), Json::Str("active".into()));
	assert_eq!(
		serialized(&provider).get("endpoint"),
		Some(&Json::Str("http://127.0.0.1:30555".into()))
	);

	for kind in ResourceKind::ALL {
		let json = serialized(KindUtilization { kind, ..utilization.clone() });
		check_json(&types, "ProofOfSyncKindUtilization", &json, "KindUtilization");
	}
	assert_eq!(serialized(ResourceKind::Storage), Json::Str("storage".into()));

	// And the RPC's JSON reads back into the same value.
	let back: ProviderInfo<u128> =
		serde_json::from_str(&serde_json::to_string(&provider).unwrap()).unwrap();
	assert_eq!(back, provider);
	let back: ScoreBreakdown<u128> =
		serde_json::from_str(&serde_json::to_string(&score).unwrap()).unwrap();
	assert_eq!(back, score);
	let json = serialized(Assignment { dataset: None, ..assignment.clone() });
	check_json(&types, "ProofOfSyncAssignment", &json, "Assignment");
	let back: Assignment<AccountId32> =
		serde_json::from_str(&serde_json::to_string(&assignment).unwrap()).unwrap();
	assert_eq!(back, assignment);
	let back: TargetQuality<AccountId32> =
		serde_json::from_str(&serde_json::to_string(&quality).unwrap()).unwrap();
	assert_eq!(back, quality);
	let back: LeaseInfo<AccountId32, u128> =
		serde_json::from_str(&serde_json::to_string(&lease).unwrap()).unwrap();
	assert_eq!(back, lease);
	let back: KindUtilization<u128> =
		serde_json::from_str(&serde_json::to_string(&utilization).unwrap()).unwrap();
	assert_eq!(back, utilization);
}
