//! Roles, statuses and the actions a viewer may take on a member.

use async_graphql::Enum;

/// A member's role. Stored as its GraphQL name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "MemberRole")]
pub enum Role {
    /// Organization Administrator (organization scope only).
    Admin,
    /// Team Owner (team scope only).
    Owner,
    /// An ordinary member, in either scope.
    Member,
}

impl Role {
    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Owner => "OWNER",
            Role::Member => "MEMBER",
        }
    }

    /// Reads the stored form; unknown text is an ordinary member (the CHECK constraint makes
    /// that unreachable).
    pub fn parse(text: &str) -> Role {
        match text {
            "ADMIN" => Role::Admin,
            "OWNER" => Role::Owner,
            _ => Role::Member,
        }
    }
}

/// Whether a member has accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "MemberStatus")]
pub enum Status {
    /// Invited; has not accepted the invitation yet.
    Unverified,
    /// Accepted the invitation.
    Verified,
}

impl Status {
    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Unverified => "UNVERIFIED",
            Status::Verified => "VERIFIED",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Status {
        if text == "VERIFIED" { Status::Verified } else { Status::Unverified }
    }
}

/// What the viewer may do to a member right now: drives the row's actions menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum MemberAction {
    /// Send the invitation again, with a new link.
    ResendInvitation,
    /// Cancel the pending invitation.
    CancelInvitation,
    /// Remove the verified member from this scope.
    RemoveMember,
    /// Give the member another role (`changeMemberRole`); for a pending member, the role
    /// their invitation grants.
    ChangeRole,
}
