//! Integration tests of the sandbox over real loopback HTTP. One binary, topic modules.

mod auth;
mod create;
mod delivery;
mod faults;
mod host;
mod lifecycle;
mod page;
mod persist;
mod schema;
mod states;
mod util;
mod webhooks;
