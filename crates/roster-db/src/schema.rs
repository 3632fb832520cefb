//! The diesel schema: one definition for both backends. Columns use portable types only
//! (text, integer, bigint, boolean, timestamp); timestamps are UTC.

#![expect(
    missing_docs,
    reason = "diesel's table! macro generates undocumented items"
)]

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_key -> Text,
        display_name -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        token_digest -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(users, sessions);
