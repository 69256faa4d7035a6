//! The MedChain client library: accounts and keys, client-side encryption, content
//! addressing and IPFS storage, and signed calls to a MedChain node. The `medchain`
//! command-line program (`src/main.rs`) is built on it; docs/client.md is its guide.

pub mod chain;
pub mod commands;
pub mod crypto;
pub mod files;
pub mod follow;
pub mod ipfs;
pub mod keys;
pub mod output;
pub mod queries;
pub mod release;
pub mod replication;
pub mod ui;
pub mod unixfs;
