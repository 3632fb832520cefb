//! Identity: accounts, sessions, verification, password reset, canonical emails.

mod account_takeover;
mod accounts;
mod email_verification;
mod lookalike_emails;
mod password_reset;
