//! Storage: database URLs, migrations, PostgreSQL over TLS.

mod migrations_and_urls;
mod pg_tls;
