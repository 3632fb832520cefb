//! The server: GraphQL over HTTP, websockets, limits, operators' view, the browser apps, the README and the demo.

mod abuse_limits;
mod bad_input;
mod demo;
mod http_limits;
mod http_spec;
mod list_cost;
mod observability;
mod readme;
mod resources;
mod smoke;
mod web_apps;
mod ws_protocol;
