//! # Proof of Sync test utilities
//!
//! The pieces every pallet's mock runtime would otherwise write again:
//! - [`take_events`] and [`last_event`]: one pallet's events out of `frame_system`'s record, behind
//!   each mock's `events()` and `last_event()`.
//!
//! A dev-dependency of the pallets only: it needs `std` and is never part of the runtime.

/// The events of one pallet (those of runtime `T` that convert to `E`) recorded since the last
/// call, oldest first. Clears `frame_system`'s record, so the next call returns only newer ones.
pub fn take_events<T, E>() -> Vec<E>
where
	T: frame_system::Config,
	T::RuntimeEvent: TryInto<E>,
{
	let events = frame_system::Pallet::<T>::events()
		.into_iter()
		.filter_map(|record| record.event.try_into().ok())
		.collect();
	frame_system::Pallet::<T>::reset_events();
	events
}

/// The newest event of one pallet among those [`take_events`] would return. Takes nothing: the
/// record is left as it is.
///
/// # Panics
///
/// If the pallet emitted no event since the record was last cleared.
pub fn last_event<T, E>() -> E
where
	T: frame_system::Config,
	T::RuntimeEvent: TryInto<E>,
{
	frame_system::Pallet::<T>::events()
		.into_iter()
		.rev()
		.find_map(|record| record.event.try_into().ok())
		.expect("the pallet emitted an event since the events were last taken")
}
