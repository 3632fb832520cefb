//! The port through which the sender turns an outbox row into a message.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use roster_db::Conn;

use crate::message::Message;
use crate::store::OutboxRow;

/// Why a row could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// A template failed.
    #[error(transparent)]
    Render(#[from] crate::message::RenderError),
}

/// Renders one kind of mail. The module that owns the mail's subject implements it: it
/// mints the mail's token now (installing only its digest, so no usable token is ever at
/// rest) and renders the message. `Ok(None)` means the subject is gone (an invitation was
/// cancelled, a token was used): the mail is dropped, not sent.
pub trait Composer: Send + Sync + 'static {
    /// The `kind` of the outbox rows it renders.
    fn kind(&self) -> &'static str;

    /// Mints and renders the mail for `row`.
    fn compose<'a, 'c: 'a>(
        &'a self,
        conn: &'a mut Conn<'c>,
        row: &'a OutboxRow,
    ) -> BoxFuture<'a, Result<Option<Message>, ComposeError>>;
}

/// The composers the sender knows, by kind.
#[derive(Clone, Default)]
pub struct Composers(HashMap<&'static str, Arc<dyn Composer>>);

impl Composers {
    /// Adds a composer for its kind.
    #[must_use]
    pub fn with(mut self, composer: impl Composer) -> Composers {
        self.0.insert(composer.kind(), Arc::new(composer));
        self
    }

    /// The composer of `kind`.
    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Composer>> {
        self.0.get(kind)
    }
}
