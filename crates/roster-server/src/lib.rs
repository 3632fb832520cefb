#![doc = include_str!("../README.md")]

pub mod admin;
pub mod app;
mod assets;
mod auth;
pub mod cli;
pub mod client;
pub mod demo;
mod fanout;
mod frame;
mod guard;
mod http;
mod metrics;
mod operation;
mod request_errors;
pub mod request_id;
pub mod schema;
mod serve;
pub mod settings;
mod state;
pub mod telemetry;
mod ws;

pub use app::Application;
pub use settings::Settings;
