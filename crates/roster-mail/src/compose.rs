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

/// Two composers claimed one kind of mail: which one renders it would be a guess, so the
/// composition is refused at startup rather than one mail kind silently changing hands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("two mail composers for the kind `{0}`")]
pub struct DuplicateComposer(pub &'static str);

impl Composers {
    /// Adds a composer for its kind; refuses a kind that already has one.
    pub fn with(mut self, composer: impl Composer) -> Result<Composers, DuplicateComposer> {
        let kind = composer.kind();
        if self.0.contains_key(kind) {
            return Err(DuplicateComposer(kind));
        }
        self.0.insert(kind, Arc::new(composer));
        Ok(self)
    }

    /// The composer of `kind`.
    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Composer>> {
        self.0.get(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);

    impl Composer for Named {
        fn kind(&self) -> &'static str {
            self.0
        }

        fn compose<'a, 'c: 'a>(
            &'a self,
            _conn: &'a mut Conn<'c>,
            _row: &'a OutboxRow,
        ) -> BoxFuture<'a, Result<Option<Message>, ComposeError>> {
            Box::pin(async { Ok(None) })
        }
    }

    #[test]
    fn a_kind_has_one_composer() {
        let two = Composers::default().with(Named("invitation")).and_then(|c| c.with(Named("reset")));
        assert!(two.as_ref().is_ok_and(|c| c.get("invitation").is_some() && c.get("reset").is_some()));
        let again = two.and_then(|c| c.with(Named("invitation")));
        assert_eq!(again.err(), Some(DuplicateComposer("invitation")));
    }
}
