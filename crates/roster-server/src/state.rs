//! What every handler shares.

use std::sync::Arc;

use roster_db::Db;
use roster_live::live::LiveHub;
use tokio::sync::watch;

use crate::fanout::Fanout;
use crate::schema::RosterSchema;
use crate::settings::{HttpSettings, WsSettings};

/// What every handler shares: the schema, the database, the live hub and the limits.
#[derive(Clone)]
pub struct AppState {
    /// The composed schema, with the database and settings in its data.
    pub schema: RosterSchema,
    /// The database.
    pub db: Db,
    /// The live hub behind subscriptions.
    pub hub: LiveHub,
    /// Flips to true when the server starts shutting down; websockets watch it to close.
    pub shutdown: watch::Receiver<bool>,
    /// One clone per open websocket, so shutdown can wait for them to close.
    pub open_sockets: Arc<()>,
    /// HTTP limits, the client-address rule among them.
    pub http: Arc<HttpSettings>,
    /// Websocket limits.
    pub ws: Arc<WsSettings>,
    /// Shared renders of live events for websocket subscriptions.
    pub fanout: Arc<Fanout>,
}
