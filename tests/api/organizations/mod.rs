//! Organizations and teams: member lists, membership changes, authority, names, races.

mod authorization;
mod concurrency;
mod member_lists;
mod membership;
mod names;
