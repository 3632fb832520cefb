#![doc = include_str!("../README.md")]

pub mod compose;
pub mod message;
pub mod sender;
pub mod store;
pub mod transport;

pub use compose::{Composer, Composers, DuplicateComposer};
pub use message::{Message, Templates, user_text};
pub use sender::Sender;
pub use transport::{Mailer, MailerError};
