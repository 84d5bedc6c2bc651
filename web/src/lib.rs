//! The kmsim playground: a Yew app that opens a lesson or sample scenario, edits its policies, runs KMS calls in the
//! simulated KMS (`kmsim-kms`, the only source of decisions) and shows results, decision traces and the audit log.
//! All logic lives in pure modules (`state`, `model`, `run`, `share`, `legacy`) tested natively; components only
//! render the state and send actions.

mod address;
mod app;
mod browser;
mod components;
mod embed;
pub mod legacy;
pub mod markdown;
pub mod model;
pub mod run;
pub mod share;
pub mod starts;
pub mod state;
mod text;
pub mod words;
pub mod workspaces;

pub use app::App;
pub use embed::Embed;

/// Whether the page is the embed (embed.html's `<body data-embed>`).
pub fn is_embed() -> bool {
    browser::is_embed_page()
}
