// The native token. Included by `build.rs` (for the metadata hash) and by the runtime (for the
// chain spec properties and the SS58 prefix), so the three always agree.

/// Ticker of the native token, as wallets show it.
pub const TOKEN_SYMBOL: &str = "DSYNC";
/// Decimal places of the native token: one DSYNC is `10^TOKEN_DECIMALS` plancks.
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 address prefix (42: the generic Substrate prefix, `5...` addresses).
pub const SS58_PREFIX: u16 = 42;
