#![doc = include_str!("../README.md")]

pub mod app;
pub mod cli;
pub mod demo;
mod http;
pub mod schema;
pub mod settings;
mod telemetry;
mod ws;

pub use app::Application;
pub use settings::Settings;
