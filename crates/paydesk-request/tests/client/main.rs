//! paydesk-request against loopback stub servers that answer with the contract's exact status
//! codes and bodies. One binary, topic modules, helpers in `support`.

mod auth;
mod create;
mod errors;
mod status;
mod support;
mod transport;
mod webhooks;
