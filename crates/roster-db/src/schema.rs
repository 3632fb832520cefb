//! The diesel schema: one definition for both backends. Columns use portable types only
//! (text, integer, bigint, boolean, timestamp); timestamps are UTC.

#![expect(missing_docs, reason = "diesel's table! macro generates undocumented items")]

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_key -> Text,
        display_name -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
        email_verified_at -> Nullable<Timestamp>,
        email_canonical -> Nullable<Text>,
        email_conflict -> Nullable<Text>,
    }
}

diesel::table! {
    user_tokens (id) {
        id -> Text,
        user_id -> Text,
        purpose -> Text,
        token_digest -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(user_tokens -> users (user_id));

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

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
        event_seq -> BigInt,
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        created_at -> Timestamp,
        event_seq -> BigInt,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        scope_id -> Text,
        organization_id -> Text,
        team_id -> Nullable<Text>,
        user_id -> Text,
        role -> Text,
        status -> Text,
        invited_at -> Nullable<Timestamp>,
        invited_by -> Nullable<Text>,
        joined_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_entries (id) {
        id -> Text,
        organization_id -> Text,
        team_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        target_id -> Nullable<Text>,
        code -> Text,
        action -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        scope_id -> Text,
        organization_id -> Text,
        team_id -> Nullable<Text>,
        user_id -> Text,
        invited_by -> Nullable<Text>,
        token_digest -> Text,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Text,
        kind -> Text,
        subject_id -> Text,
        recipient -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        dropped_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        claim_id -> Nullable<Text>,
    }
}

diesel::table! {
    member_list_events (scope_id, position) {
        scope_id -> Text,
        position -> BigInt,
        organization_id -> Text,
        kind -> Text,
        user_id -> Text,
        occurred_at -> Timestamp,
        membership_id -> Nullable<Text>,
        member_role -> Nullable<Text>,
        member_status -> Nullable<Text>,
        member_invited_at -> Nullable<Timestamp>,
        member_invited_by -> Nullable<Text>,
        member_joined_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        tat -> BigInt,
    }
}

diesel::joinable!(teams -> organizations (organization_id));
diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(memberships -> teams (team_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    organizations,
    teams,
    memberships,
    audit_entries,
    invitations,
    email_outbox,
    member_list_events,
    rate_limits,
    user_tokens,
);
