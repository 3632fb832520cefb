#![doc = include_str!("../README.md")]

mod conn;
mod error;
mod lease;
pub mod limit;
mod migrate;
pub mod notify;
mod pool;
pub mod schema;
pub mod tls;
mod url;
mod usage;

pub use conn::{Conn, DbConn, Entered, InFlight, SqliteConn};
pub use error::DbError;
pub use lease::Checkout;
pub use pool::{Db, PoolOptions};
pub use url::{Backend, DatabaseUrl, UrlError};
pub use usage::{PoolStatus, Usage};

/// Re-exported so module crates use the exact diesel and diesel-async of this crate.
pub use {diesel, diesel_async};

/// The current time as stored: UTC, truncated to microseconds so that SQLite (which would keep
/// nanoseconds) and PostgreSQL (which keeps microseconds) hold identical values.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

/// Runs one diesel-async body against whichever backend `conn` (a `&mut Conn<'_>`) holds.
///
/// The body is compiled once per backend, so it must type-check against both; that is the
/// point. Inside it, `$c` is a `&mut` concrete connection. The body runs as its own async
/// block, marked in flight on the connection while it runs (see `InFlight`).
///
/// ```ignore
/// db_run!(conn, |c| users::table.find(id).first::<User>(c).await.optional())
/// ```
#[macro_export]
macro_rules! db_run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite(inner, flight) => {
                let entered = flight.enter();
                let $c: &mut $crate::SqliteConn = &mut **inner;
                let result = async { $body }.await;
                entered.finish(&result);
                result
            }
            $crate::Conn::Postgres(inner, flight) => {
                let entered = flight.enter();
                let $c: &mut $crate::diesel_async::AsyncPgConnection = &mut **inner;
                let result = async { $body }.await;
                entered.finish(&result);
                result
            }
        }
    };
}

/// Implements `From<diesel::result::Error>` for a service error enum that has a
/// `Db(DbError)` variant, so `?` works on query results inside services and transactions.
#[macro_export]
macro_rules! from_diesel_error {
    ($error:ty) => {
        impl From<$crate::diesel::result::Error> for $error {
            fn from(err: $crate::diesel::result::Error) -> Self {
                Self::Db($crate::DbError::from(err))
            }
        }
    };
}

/// Whether a query failed on a UNIQUE constraint: on both backends, a row that already exists.
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(err, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

/// What a query module imports: diesel's query-building traits with diesel-async's
/// `RunQueryDsl` (diesel's own prelude would bring the synchronous one, and every
/// `.execute(c)` would become ambiguous).
pub mod prelude {
    pub use diesel::{
        BoolExpressionMethods, ExpressionMethods, Insertable, JoinOnDsl, NullableExpressionMethods,
        OptionalExtension, QueryDsl, QueryResult, Queryable, Selectable, SelectableHelper,
    };
    pub use diesel_async::RunQueryDsl;
}
