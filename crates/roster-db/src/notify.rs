//! Cross-process wake-ups: PostgreSQL's LISTEN/NOTIFY.
//!
//! On PostgreSQL, a writer calls [`notify`] inside its transaction; the server delivers the
//! notification to every listening connection when (and only if) the transaction commits.
//! On SQLite there is one process, which wakes its listeners in memory instead, so
//! [`notify`] does nothing there.

use diesel::sql_types::Text;
use diesel_async::{RunQueryDsl as _, SimpleAsyncConnection as _};
use futures_util::{Stream, StreamExt as _};

use crate::conn::Conn;

/// Sends `payload` on `channel` when the surrounding transaction commits (PostgreSQL only).
pub async fn notify(conn: &mut Conn<'_>, channel: &str, payload: &str) -> diesel::QueryResult<()> {
    if let Conn::Postgres(c, flight) = conn {
        let entered = flight.enter();
        let result = diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(channel)
            .bind::<Text, _>(payload)
            .execute(&mut **c)
            .await;
        entered.leave();
        result?;
    }
    Ok(())
}

/// A notification received.
#[derive(Debug, Clone)]
pub struct Notification {
    /// The channel.
    pub channel: String,
    /// The payload.
    pub payload: String,
}

/// Opens a dedicated connection (not from the pool: it is held for as long as the listener
/// lives), listens on `channels`, and returns the stream of notifications. The stream ends
/// when the connection is lost; the caller reconnects and catches up.
pub async fn listen(
    url: &str,
    channels: &[&str],
) -> diesel::ConnectionResult<impl Stream<Item = Notification> + Send + 'static> {
    let connector = crate::tls::PgConnector::new(url).map_err(diesel::ConnectionError::BadConnection)?;
    let mut conn = connector.connect().await?;
    let statements: String = channels.iter().map(|c| format!("LISTEN \"{}\";", c.replace('"', ""))).collect();
    conn.batch_execute(&statements).await.map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    let stream = futures_util::stream::unfold(conn, |mut conn| async move {
        let next = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            notifications.next().await
        };
        match next {
            Some(Ok(n)) => Some((Notification { channel: n.channel, payload: n.payload }, conn)),
            Some(Err(_)) | None => None,
        }
    });
    Ok(stream)
}
