//! Helpers for the membership flows: organizations, teams, invitations, lists, the audit log.
//! Each sends real GraphQL over HTTP, as a client would.

use serde_json::{Value, json};

use crate::{TestApp, TestUser};

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse";

/// `{ organizationId: id }`
pub fn org(id: &str) -> Value {
    json!({ "organizationId": id })
}

/// `{ teamId: id }`
pub fn team(id: &str) -> Value {
    json!({ "teamId": id })
}

/// The member fields the tests read.
pub const MEMBER_FIELDS: &str =
    "user { id email displayName } status role invitedAt invitedBy { id } joinedAt availableActions";

const INVITE: &str = "mutation($scope: MembershipScope!, $email: String!, $role: MemberRole) {
    inviteUser(scope: $scope, email: $email, role: $role) {
        __typename ... on Error { message } ... on ValidationError { field }
        ... on InviteUserSuccess { member { user { id email displayName } status role availableActions } } } }";

const CANCEL: &str = "mutation($scope: MembershipScope!, $userId: ID!) {
    cancelInvitation(scope: $scope, userId: $userId) {
        __typename ... on Error { message } ... on CancelInvitationSuccess { userId cancelledAt } } }";

const RESEND: &str = "mutation($scope: MembershipScope!, $userId: ID!) {
    resendInvitation(scope: $scope, userId: $userId) {
        __typename ... on Error { message } ... on RateLimitedError { retryAfterSeconds }
        ... on ResendInvitationSuccess { member { status } } } }";

const REMOVE: &str = "mutation($scope: MembershipScope!, $userId: ID!) {
    removeMember(scope: $scope, userId: $userId) {
        __typename ... on Error { message } ... on RemoveMemberSuccess { userId } } }";

const ACCEPT: &str = "mutation($token: String!, $password: String, $displayName: String) {
    acceptInvitation(token: $token, password: $password, displayName: $displayName) {
        __typename ... on Error { message } ... on ValidationError { field }
        ... on AcceptInvitationSuccess { token user { id email displayName } } } }";

const CHANGE_ROLE: &str = "mutation($scope: MembershipScope!, $userId: ID!, $role: MemberRole!) {
    changeMemberRole(scope: $scope, userId: $userId, role: $role) {
        __typename ... on Error { message } ... on ValidationError { field }
        ... on ChangeMemberRoleSuccess { member { user { id } role status availableActions } } } }";

const LEAVE: &str = "mutation($scope: MembershipScope!) {
    leaveScope(scope: $scope) {
        __typename ... on Error { message } ... on LeaveScopeSuccess { organizationId teamId } } }";

const RENAME_ORGANIZATION: &str = "mutation($id: ID!, $name: String!) {
    renameOrganization(organizationId: $id, name: $name) {
        __typename ... on Error { message } ... on RenameOrganizationSuccess { organization { id name } } } }";

const RENAME_TEAM: &str = "mutation($id: ID!, $name: String!) {
    renameTeam(teamId: $id, name: $name) {
        __typename ... on Error { message } ... on RenameTeamSuccess { team { id name } } } }";

const DELETE_TEAM: &str = "mutation($id: ID!) {
    deleteTeam(teamId: $id) { __typename ... on Error { message } ... on DeleteTeamSuccess { teamId } } }";

const INVITE_MANY: &str = "mutation($scope: MembershipScope!, $invitations: [InvitationInput!]!) {
    inviteUsers(scope: $scope, invitations: $invitations) {
        __typename ... on Error { message } ... on ValidationError { field }
        ... on InviteUsersSuccess { results { __typename ... on Error { message }
            ... on InviteUserSuccess { member { user { id email } status role } } } } } }";

fn token_of(user: Option<&TestUser>) -> Option<&str> {
    user.map(|u| u.token.as_str())
}

impl TestApp {
    /// Creates an organization as `user` and returns its id.
    pub async fn create_org(&self, user: &TestUser, name: &str) -> String {
        let answer = self
            .graphql_as(
                Some(&user.token),
                "mutation($name: String!) { createOrganization(name: $name) {
                    __typename ... on CreateOrganizationSuccess { organization { id } } ... on Error { message } } }",
                json!({ "name": name }),
            )
            .await;
        answer["data"]["createOrganization"]["organization"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("createOrganization failed: {answer}"))
            .to_owned()
    }

    /// Creates a team as `user` and returns its id.
    pub async fn create_team(&self, user: &TestUser, organization_id: &str, name: &str) -> String {
        let answer = self
            .graphql_as(
                Some(&user.token),
                "mutation($org: ID!, $name: String!) { createTeam(organizationId: $org, name: $name) {
                    __typename ... on CreateTeamSuccess { team { id } } ... on Error { message } } }",
                json!({ "org": organization_id, "name": name }),
            )
            .await;
        answer["data"]["createTeam"]["team"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("createTeam failed: {answer}"))
            .to_owned()
    }

    /// `inviteUser`'s result object.
    pub async fn invite(
        &self,
        by: Option<&TestUser>,
        scope: Value,
        email: &str,
        role: Option<&str>,
    ) -> Value {
        let answer = self
            .graphql_as(token_of(by), INVITE, json!({ "scope": scope, "email": email, "role": role }))
            .await;
        answer["data"]["inviteUser"].clone()
    }

    /// Invites and returns the invitee's user id; panics unless it succeeded.
    pub async fn invite_ok(&self, by: &TestUser, scope: Value, email: &str, role: Option<&str>) -> String {
        let result = self.invite(Some(by), scope, email, role).await;
        assert_eq!(result["__typename"], "InviteUserSuccess", "{result}");
        result["member"]["user"]["id"].as_str().expect("an id").to_owned()
    }

    /// The token of the `nth` (1-based) invitation email to `email`.
    pub async fn invitation_token(&self, email: &str, nth: usize) -> String {
        self.smtp.wait_for_invitation(email, nth).await.token().expect("the email holds a token")
    }

    /// Verifies `user`'s email with the link mailed at sign-up, signed in as them (the link
    /// alone proves the mailbox, not the account).
    pub async fn verify(&self, user: &TestUser) {
        let token = self.verification_token(&user.email, 1).await;
        let answer = self
            .graphql_as(
                Some(&user.token),
                "mutation($t: String!) { verifyEmail(token: $t) { __typename } }",
                json!({ "t": token }),
            )
            .await;
        assert_eq!(answer["data"]["verifyEmail"]["__typename"], "VerifyEmailSuccess", "{answer}");
    }

    /// The token of the `nth` verification email to `email` (default link).
    pub async fn verification_token(&self, email: &str, nth: usize) -> String {
        let mail = self.smtp.wait_for_matching(email, "/console/verify-email?token=", nth).await;
        mail.token().expect("the email holds a token")
    }

    /// The token of the `nth` password reset email to `email` (default link).
    pub async fn reset_token(&self, email: &str, nth: usize) -> String {
        let mail = self.smtp.wait_for_matching(email, "/console/reset-password?token=", nth).await;
        mail.token().expect("the email holds a token")
    }

    /// `acceptInvitation`'s result object.
    pub async fn accept(
        &self,
        as_user: Option<&TestUser>,
        token: &str,
        password: Option<&str>,
        name: Option<&str>,
    ) -> Value {
        let answer = self
            .graphql_as(
                token_of(as_user),
                ACCEPT,
                json!({ "token": token, "password": password, "displayName": name }),
            )
            .await;
        answer["data"]["acceptInvitation"].clone()
    }

    /// Accepts as a new account and returns it.
    pub async fn accept_new(&self, token: &str, email: &str) -> TestUser {
        let result = self.accept(None, token, Some(PASSWORD), Some(email)).await;
        assert_eq!(result["__typename"], "AcceptInvitationSuccess", "{result}");
        TestUser {
            id: result["user"]["id"].as_str().expect("an id").to_owned(),
            email: email.to_owned(),
            token: result["token"].as_str().expect("a token").to_owned(),
        }
    }

    /// Invites `name@example.com` into `scope`, accepts as a new account, and returns it.
    pub async fn member(&self, by: &TestUser, scope: Value, name: &str, role: Option<&str>) -> TestUser {
        let email = format!("{name}@example.com");
        self.invite_ok(by, scope, &email, role).await;
        let count = self.smtp.messages().iter().filter(|m| m.to.iter().any(|t| t == &email)).count();
        let token = self.invitation_token(&email, count.max(1)).await;
        self.accept_new(&token, &email).await
    }

    /// `cancelInvitation`'s result object.
    pub async fn cancel(&self, by: Option<&TestUser>, scope: Value, user_id: &str) -> Value {
        let answer =
            self.graphql_as(token_of(by), CANCEL, json!({ "scope": scope, "userId": user_id })).await;
        answer["data"]["cancelInvitation"].clone()
    }

    /// `resendInvitation`'s result object.
    pub async fn resend(&self, by: Option<&TestUser>, scope: Value, user_id: &str) -> Value {
        let answer =
            self.graphql_as(token_of(by), RESEND, json!({ "scope": scope, "userId": user_id })).await;
        answer["data"]["resendInvitation"].clone()
    }

    /// `changeMemberRole`'s result object.
    pub async fn change_role(&self, by: Option<&TestUser>, scope: Value, user_id: &str, role: &str) -> Value {
        let vars = json!({ "scope": scope, "userId": user_id, "role": role });
        self.graphql_as(token_of(by), CHANGE_ROLE, vars).await["data"]["changeMemberRole"].clone()
    }

    /// `leaveScope`'s result object.
    pub async fn leave(&self, by: Option<&TestUser>, scope: Value) -> Value {
        self.graphql_as(token_of(by), LEAVE, json!({ "scope": scope })).await["data"]["leaveScope"].clone()
    }

    /// `renameOrganization`'s result object.
    pub async fn rename_org(&self, by: Option<&TestUser>, id: &str, name: &str) -> Value {
        let vars = json!({ "id": id, "name": name });
        self.graphql_as(token_of(by), RENAME_ORGANIZATION, vars).await["data"]["renameOrganization"].clone()
    }

    /// `renameTeam`'s result object.
    pub async fn rename_team(&self, by: Option<&TestUser>, id: &str, name: &str) -> Value {
        let vars = json!({ "id": id, "name": name });
        self.graphql_as(token_of(by), RENAME_TEAM, vars).await["data"]["renameTeam"].clone()
    }

    /// `deleteTeam`'s result object.
    pub async fn delete_team(&self, by: Option<&TestUser>, id: &str) -> Value {
        self.graphql_as(token_of(by), DELETE_TEAM, json!({ "id": id })).await["data"]["deleteTeam"].clone()
    }

    /// `inviteUsers`'s result object; `items` are (email, role) pairs.
    pub async fn invite_users(
        &self,
        by: Option<&TestUser>,
        scope: Value,
        items: &[(&str, Option<&str>)],
    ) -> Value {
        let invitations: Vec<Value> =
            items.iter().map(|(email, role)| json!({ "email": email, "role": role })).collect();
        let vars = json!({ "scope": scope, "invitations": invitations });
        self.graphql_as(token_of(by), INVITE_MANY, vars).await["data"]["inviteUsers"].clone()
    }

    /// `removeMember`'s result object.
    pub async fn remove(&self, by: Option<&TestUser>, scope: Value, user_id: &str) -> Value {
        let answer =
            self.graphql_as(token_of(by), REMOVE, json!({ "scope": scope, "userId": user_id })).await;
        answer["data"]["removeMember"].clone()
    }

    /// The whole `members` answer (data and errors) for a scope, first page of 100.
    pub async fn members_answer(&self, by: Option<&TestUser>, scope: Value) -> Value {
        let query = format!(
            "query($scope: MembershipScope!) {{ members(scope: $scope, first: 100) {{ totalCount nodes {{ {MEMBER_FIELDS} }} }} }}"
        );
        self.graphql_as(token_of(by), &query, json!({ "scope": scope })).await
    }

    /// The members of a scope, as `by` sees them; panics on an error.
    pub async fn members(&self, by: &TestUser, scope: Value) -> Vec<Value> {
        let answer = self.members_answer(Some(by), scope).await;
        answer["data"]["members"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("no members: {answer}"))
            .clone()
    }

    /// The member with this user id in a scope's list, if listed.
    pub async fn member_in(&self, by: &TestUser, scope: Value, user_id: &str) -> Option<Value> {
        self.members(by, scope).await.into_iter().find(|m| m["user"]["id"] == user_id)
    }

    /// The organization's audit log, newest first (first 100 entries); panics on an error.
    pub async fn audit(&self, by: &TestUser, organization_id: &str) -> Vec<Value> {
        let answer = self
            .graphql_as(
                Some(&by.token),
                "query($org: ID!) { auditLog(organizationId: $org, first: 100) {
                    nodes { id action code actor { id } target { id } organizationId teamId occurredAt } } }",
                json!({ "org": organization_id }),
            )
            .await;
        answer["data"]["auditLog"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("no audit log: {answer}"))
            .clone()
    }
}
