//! The kmsim playground: a Yew app that edits IAM policy documents, builds a request, and shows the decision with
//! its trace. All logic lives in pure modules (`state`, `model`, `share`, `lab`) tested natively; components only
//! render the state and send actions.

mod app;
mod browser;
mod components;
pub mod lab;
pub mod model;
pub mod samples;
pub mod share;
pub mod state;
mod text;

pub use app::App;
