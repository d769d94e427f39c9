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
	Capacity, LeaderboardEntry, PendingReward, ProviderInfo, ProviderStatus, RoundInfo,
	ScoreBreakdown,
};
use scale_info::{form::MetaForm, Field, Type, TypeDef, TypeInfo};
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

/// The polkadot.js name of a Rust type as a field's `type_name` spells it. Panics on a name it
/// does not know, so a new field type is mapped here on purpose rather than by accident.
fn js_type(rust: &str) -> String {
	if rust == "Vec<u8>" {
		// Every byte string in the read types is text (serialized as a JSON string); SCALE
		// encodes `Text` exactly as `Vec<u8>`.
		return "Text".into();
	}
	if let Some(inner) = rust.strip_prefix("Option<").and_then(|s| s.strip_suffix('>')) {
		return format!("Option<{}>", js_type(inner));
	}
	match rust {
		"RoundIndex" => "u32".into(),
		"Points" => "u128".into(),
		"u32" | "u64" | "u128" | "bool" | "Perbill" | "Balance" | "BlockNumber" | "AccountId" =>
			rust.into(),
		"Capacity" | "ProviderStatus" => format!("{PREFIX}{rust}"),
		other => panic!("no polkadot.js name for the Rust type `{other}`: add it to js_type"),
	}
}

fn fields(fields: &[Field<MetaForm>]) -> Json {
	Json::obj(fields.iter().map(|f| {
		let name = f.name.expect("read types have named fields");
		let ty = f.type_name.expect("fields carry their type's name");
		(camel_case(name), Json::Str(js_type(ty)))
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
	];
	Json::obj(types.iter().map(|ty| {
		let name = ty.path.ident().expect("read types are named");
		(format!("{PREFIX}{name}"), definition(ty))
	}))
}

fn definitions_path() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../polkadot-js/definitions.json")
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
	let builtin = ["u32", "BlockHash", "BlockNumber", "AccountId", "Balance"];
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

fn serialized(value: impl serde::Serialize) -> Json {
	serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap()
}

/// What the RPC sends has exactly the fields the definitions declare, in the same order, with
/// big numbers as decimal strings.
#[test]
fn serde_json_matches_the_definitions() {
	let types = generated_types();
	let def = |name: &str| types.get(&format!("{PREFIX}{name}")).cloned().unwrap();
	let big = u128::MAX;
	let round = RoundInfo::<u32> {
		index: 3,
		start: 30,
		length: 10,
		next_start: 40,
		challenges_per_provider: 6,
		providers: 2,
		active_providers: 2,
		attestations: 5,
		total_points: big,
		last_closed: Some(2),
	};
	let provider = ProviderInfo::<u128> {
		endpoint: b"http://127.0.0.1:30555".to_vec(),
		capacity: Capacity { compute: 1, storage: 2, bandwidth: 3 },
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
		assigned: 6,
		answered: 5,
		uptime: Perbill::from_percent(83),
		mean_lag: 1,
		sync: Perbill::from_percent(90),
		points: big,
		total_points: big,
		share: Perbill::one(),
		reward: Some(big),
		claimed: false,
	};
	let pending = PendingReward::<u128> { round: 3, amount: big };
	let entry = LeaderboardEntry { account: AccountId32::new([1; 32]), points: big };

	for (name, json) in [
		("RoundInfo", serialized(&round)),
		("ProviderInfo", serialized(&provider)),
		("ScoreBreakdown", serialized(&score)),
		("PendingReward", serialized(&pending)),
		("LeaderboardEntry", serialized(&entry)),
	] {
		assert_eq!(json.keys(), def(name).keys(), "{name}: JSON fields and definition differ");
		for (field, ty) in match def(name) {
			Json::Obj(fields) => fields,
			_ => unreachable!(),
		} {
			if ty == Json::Str("u128".into()) || ty == Json::Str("Balance".into()) {
				let expected = Json::Str(big.to_string());
				assert_eq!(json.get(&field), Some(&expected), "{name}.{field} is a decimal string");
			}
		}
	}
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

	// And the RPC's JSON reads back into the same value.
	let back: ProviderInfo<u128> =
		serde_json::from_str(&serde_json::to_string(&provider).unwrap()).unwrap();
	assert_eq!(back, provider);
	let back: ScoreBreakdown<u128> =
		serde_json::from_str(&serde_json::to_string(&score).unwrap()).unwrap();
	assert_eq!(back, score);
}
