#![doc = include_str!("../README.md")]

pub mod event;
pub mod fanout;
pub mod live;
pub mod settings;
pub mod subscriber;
pub mod subscription;

pub use event::MemberListEvent;
pub use fanout::{LiveOutlet, LiveSocket, RenderingEvent};
pub use live::{LiveHub, LiveSettings};
pub use subscription::OrganizationsSubscription;
