//! Live member lists over websockets.

mod fanout;
mod member_list_changed;
