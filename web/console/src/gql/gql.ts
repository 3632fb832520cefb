/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query InvitationPreview($token: String!) {\n    invitation(token: $token) {\n      organizationName\n      teamName\n      inviterName\n      role\n      email\n      expiresAt\n      accountExists\n    }\n  }\n": typeof types.InvitationPreviewDocument,
    "\n  mutation AcceptInvitation($token: String!, $password: String, $displayName: String) {\n    acceptInvitation(token: $token, password: $password, displayName: $displayName) {\n      __typename\n      ... on AcceptInvitationSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.AcceptInvitationDocument,
    "\n  mutation VerifyEmail($token: String!, $password: String, $newPassword: String) {\n    verifyEmail(token: $token, password: $password, newPassword: $newPassword) {\n      __typename\n      ... on VerifyEmailSuccess {\n        token\n        user {\n          id\n          email\n          emailVerified\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password) {\n      __typename\n      ... on ResetPasswordSuccess {\n        token\n        user {\n          id\n          email\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  query ViewerVerification {\n    viewer {\n      id\n      email\n      emailVerified\n    }\n  }\n": typeof types.ViewerVerificationDocument,
    "\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        user {\n          id\n          emailVerified\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SendVerificationEmailDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignUp($email: String!, $password: String!, $displayName: String) {\n    signUp(email: $email, password: $password, displayName: $displayName) {\n      __typename\n      ... on SignUpSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation SignOut {\n    signOut {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SignOutDocument,
    "\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n    }\n  }\n": typeof types.MyOrganizationsDocument,
    "\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      __typename\n      ... on CreateOrganizationSuccess {\n        organization {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CreateOrganizationDocument,
    "\n  query AdminProbe($organizationId: ID!) {\n    auditLog(organizationId: $organizationId, first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": typeof types.AdminProbeDocument,
    "\n  fragment MemberFields on Member {\n    user {\n      id\n      email\n      displayName\n    }\n    status\n    role\n    invitedAt\n    joinedAt\n    invitedBy {\n      id\n      email\n    }\n    availableActions\n  }\n": typeof types.MemberFieldsFragmentDoc,
    "\n  query Members($scope: MembershipScope!, $first: Int, $after: String) {\n    members(scope: $scope, first: $first, after: $after) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberFields\n      }\n    }\n  }\n": typeof types.MembersDocument,
    "\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      occurredAt\n      member {\n        ...MemberFields\n      }\n    }\n  }\n": typeof types.MemberListChangedDocument,
    "\n  mutation InviteUser($scope: MembershipScope!, $email: String!, $role: MemberRole) {\n    inviteUser(scope: $scope, email: $email, role: $role) {\n      __typename\n      ... on InviteUserSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.InviteUserDocument,
    "\n  mutation InviteUsers($scope: MembershipScope!, $invitations: [InvitationInput!]!) {\n    inviteUsers(scope: $scope, invitations: $invitations) {\n      __typename\n      ... on InviteUsersSuccess {\n        results {\n          __typename\n          ... on InviteUserSuccess {\n            member {\n              ...MemberFields\n            }\n          }\n          ... on Error {\n            message\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.InviteUsersDocument,
    "\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CancelInvitationDocument,
    "\n  mutation ResendInvitation($scope: MembershipScope!, $userId: ID!) {\n    resendInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on ResendInvitationSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ResendInvitationDocument,
    "\n  mutation RemoveMember($scope: MembershipScope!, $userId: ID!) {\n    removeMember(scope: $scope, userId: $userId) {\n      __typename\n      ... on RemoveMemberSuccess {\n        userId\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation ChangeMemberRole($scope: MembershipScope!, $userId: ID!, $role: MemberRole!) {\n    changeMemberRole(scope: $scope, userId: $userId, role: $role) {\n      __typename\n      ... on ChangeMemberRoleSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ChangeMemberRoleDocument,
    "\n  query AuditLog($organizationId: ID!, $first: Int, $after: String) {\n    auditLog(organizationId: $organizationId, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        action\n        code\n        occurredAt\n        teamId\n        actor {\n          id\n          email\n          displayName\n        }\n        target {\n          id\n          email\n          displayName\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query OrganizationTeams($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      teams(first: 100) {\n        id\n        name\n      }\n    }\n  }\n": typeof types.OrganizationTeamsDocument,
    "\n  query MyTeams {\n    myTeams(first: 100) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n": typeof types.MyTeamsDocument,
    "\n  query Team($id: ID!) {\n    team(id: $id) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n": typeof types.TeamDocument,
    "\n  mutation CreateTeam($organizationId: ID!, $name: String!) {\n    createTeam(organizationId: $organizationId, name: $name) {\n      __typename\n      ... on CreateTeamSuccess {\n        team {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CreateTeamDocument,
    "\n  query TeamOwnerProbe($scope: MembershipScope!) {\n    members(scope: $scope, first: 100, status: VERIFIED) {\n      nodes {\n        role\n        status\n        user {\n          id\n        }\n      }\n    }\n  }\n": typeof types.TeamOwnerProbeDocument,
};
const documents: Documents = {
    "\n  query InvitationPreview($token: String!) {\n    invitation(token: $token) {\n      organizationName\n      teamName\n      inviterName\n      role\n      email\n      expiresAt\n      accountExists\n    }\n  }\n": types.InvitationPreviewDocument,
    "\n  mutation AcceptInvitation($token: String!, $password: String, $displayName: String) {\n    acceptInvitation(token: $token, password: $password, displayName: $displayName) {\n      __typename\n      ... on AcceptInvitationSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.AcceptInvitationDocument,
    "\n  mutation VerifyEmail($token: String!, $password: String, $newPassword: String) {\n    verifyEmail(token: $token, password: $password, newPassword: $newPassword) {\n      __typename\n      ... on VerifyEmailSuccess {\n        token\n        user {\n          id\n          email\n          emailVerified\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password) {\n      __typename\n      ... on ResetPasswordSuccess {\n        token\n        user {\n          id\n          email\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ResetPasswordDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RequestPasswordResetDocument,
    "\n  query ViewerVerification {\n    viewer {\n      id\n      email\n      emailVerified\n    }\n  }\n": types.ViewerVerificationDocument,
    "\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        user {\n          id\n          emailVerified\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SendVerificationEmailDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n    }\n  }\n": types.ViewerDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignUp($email: String!, $password: String!, $displayName: String) {\n    signUp(email: $email, password: $password, displayName: $displayName) {\n      __typename\n      ... on SignUpSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation SignOut {\n    signOut {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SignOutDocument,
    "\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n    }\n  }\n": types.MyOrganizationsDocument,
    "\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      __typename\n      ... on CreateOrganizationSuccess {\n        organization {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CreateOrganizationDocument,
    "\n  query AdminProbe($organizationId: ID!) {\n    auditLog(organizationId: $organizationId, first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": types.AdminProbeDocument,
    "\n  fragment MemberFields on Member {\n    user {\n      id\n      email\n      displayName\n    }\n    status\n    role\n    invitedAt\n    joinedAt\n    invitedBy {\n      id\n      email\n    }\n    availableActions\n  }\n": types.MemberFieldsFragmentDoc,
    "\n  query Members($scope: MembershipScope!, $first: Int, $after: String) {\n    members(scope: $scope, first: $first, after: $after) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberFields\n      }\n    }\n  }\n": types.MembersDocument,
    "\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      occurredAt\n      member {\n        ...MemberFields\n      }\n    }\n  }\n": types.MemberListChangedDocument,
    "\n  mutation InviteUser($scope: MembershipScope!, $email: String!, $role: MemberRole) {\n    inviteUser(scope: $scope, email: $email, role: $role) {\n      __typename\n      ... on InviteUserSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.InviteUserDocument,
    "\n  mutation InviteUsers($scope: MembershipScope!, $invitations: [InvitationInput!]!) {\n    inviteUsers(scope: $scope, invitations: $invitations) {\n      __typename\n      ... on InviteUsersSuccess {\n        results {\n          __typename\n          ... on InviteUserSuccess {\n            member {\n              ...MemberFields\n            }\n          }\n          ... on Error {\n            message\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.InviteUsersDocument,
    "\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CancelInvitationDocument,
    "\n  mutation ResendInvitation($scope: MembershipScope!, $userId: ID!) {\n    resendInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on ResendInvitationSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ResendInvitationDocument,
    "\n  mutation RemoveMember($scope: MembershipScope!, $userId: ID!) {\n    removeMember(scope: $scope, userId: $userId) {\n      __typename\n      ... on RemoveMemberSuccess {\n        userId\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RemoveMemberDocument,
    "\n  mutation ChangeMemberRole($scope: MembershipScope!, $userId: ID!, $role: MemberRole!) {\n    changeMemberRole(scope: $scope, userId: $userId, role: $role) {\n      __typename\n      ... on ChangeMemberRoleSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ChangeMemberRoleDocument,
    "\n  query AuditLog($organizationId: ID!, $first: Int, $after: String) {\n    auditLog(organizationId: $organizationId, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        action\n        code\n        occurredAt\n        teamId\n        actor {\n          id\n          email\n          displayName\n        }\n        target {\n          id\n          email\n          displayName\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query OrganizationTeams($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      teams(first: 100) {\n        id\n        name\n      }\n    }\n  }\n": types.OrganizationTeamsDocument,
    "\n  query MyTeams {\n    myTeams(first: 100) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n": types.MyTeamsDocument,
    "\n  query Team($id: ID!) {\n    team(id: $id) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n": types.TeamDocument,
    "\n  mutation CreateTeam($organizationId: ID!, $name: String!) {\n    createTeam(organizationId: $organizationId, name: $name) {\n      __typename\n      ... on CreateTeamSuccess {\n        team {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CreateTeamDocument,
    "\n  query TeamOwnerProbe($scope: MembershipScope!) {\n    members(scope: $scope, first: 100, status: VERIFIED) {\n      nodes {\n        role\n        status\n        user {\n          id\n        }\n      }\n    }\n  }\n": types.TeamOwnerProbeDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InvitationPreview($token: String!) {\n    invitation(token: $token) {\n      organizationName\n      teamName\n      inviterName\n      role\n      email\n      expiresAt\n      accountExists\n    }\n  }\n"): (typeof documents)["\n  query InvitationPreview($token: String!) {\n    invitation(token: $token) {\n      organizationName\n      teamName\n      inviterName\n      role\n      email\n      expiresAt\n      accountExists\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptInvitation($token: String!, $password: String, $displayName: String) {\n    acceptInvitation(token: $token, password: $password, displayName: $displayName) {\n      __typename\n      ... on AcceptInvitationSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptInvitation($token: String!, $password: String, $displayName: String) {\n    acceptInvitation(token: $token, password: $password, displayName: $displayName) {\n      __typename\n      ... on AcceptInvitationSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!, $password: String, $newPassword: String) {\n    verifyEmail(token: $token, password: $password, newPassword: $newPassword) {\n      __typename\n      ... on VerifyEmailSuccess {\n        token\n        user {\n          id\n          email\n          emailVerified\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!, $password: String, $newPassword: String) {\n    verifyEmail(token: $token, password: $password, newPassword: $newPassword) {\n      __typename\n      ... on VerifyEmailSuccess {\n        token\n        user {\n          id\n          email\n          emailVerified\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password) {\n      __typename\n      ... on ResetPasswordSuccess {\n        token\n        user {\n          id\n          email\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResetPassword($token: String!, $password: String!) {\n    resetPassword(token: $token, password: $password) {\n      __typename\n      ... on ResetPasswordSuccess {\n        token\n        user {\n          id\n          email\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email) {\n      __typename\n      ... on RequestPasswordResetSuccess {\n        message\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerVerification {\n    viewer {\n      id\n      email\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query ViewerVerification {\n    viewer {\n      id\n      email\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        user {\n          id\n          emailVerified\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SendVerificationEmail {\n    sendVerificationEmail {\n      __typename\n      ... on SendVerificationEmailSuccess {\n        user {\n          id\n          emailVerified\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      email\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($email: String!, $password: String!, $displayName: String) {\n    signUp(email: $email, password: $password, displayName: $displayName) {\n      __typename\n      ... on SignUpSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($email: String!, $password: String!, $displayName: String) {\n    signUp(email: $email, password: $password, displayName: $displayName) {\n      __typename\n      ... on SignUpSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on ValidationError {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut {\n      __typename\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      __typename\n      ... on CreateOrganizationSuccess {\n        organization {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      __typename\n      ... on CreateOrganizationSuccess {\n        organization {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminProbe($organizationId: ID!) {\n    auditLog(organizationId: $organizationId, first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminProbe($organizationId: ID!) {\n    auditLog(organizationId: $organizationId, first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MemberFields on Member {\n    user {\n      id\n      email\n      displayName\n    }\n    status\n    role\n    invitedAt\n    joinedAt\n    invitedBy {\n      id\n      email\n    }\n    availableActions\n  }\n"): (typeof documents)["\n  fragment MemberFields on Member {\n    user {\n      id\n      email\n      displayName\n    }\n    status\n    role\n    invitedAt\n    joinedAt\n    invitedBy {\n      id\n      email\n    }\n    availableActions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Members($scope: MembershipScope!, $first: Int, $after: String) {\n    members(scope: $scope, first: $first, after: $after) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Members($scope: MembershipScope!, $first: Int, $after: String) {\n    members(scope: $scope, first: $first, after: $after) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      occurredAt\n      member {\n        ...MemberFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      occurredAt\n      member {\n        ...MemberFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteUser($scope: MembershipScope!, $email: String!, $role: MemberRole) {\n    inviteUser(scope: $scope, email: $email, role: $role) {\n      __typename\n      ... on InviteUserSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InviteUser($scope: MembershipScope!, $email: String!, $role: MemberRole) {\n    inviteUser(scope: $scope, email: $email, role: $role) {\n      __typename\n      ... on InviteUserSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteUsers($scope: MembershipScope!, $invitations: [InvitationInput!]!) {\n    inviteUsers(scope: $scope, invitations: $invitations) {\n      __typename\n      ... on InviteUsersSuccess {\n        results {\n          __typename\n          ... on InviteUserSuccess {\n            member {\n              ...MemberFields\n            }\n          }\n          ... on Error {\n            message\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InviteUsers($scope: MembershipScope!, $invitations: [InvitationInput!]!) {\n    inviteUsers(scope: $scope, invitations: $invitations) {\n      __typename\n      ... on InviteUsersSuccess {\n        results {\n          __typename\n          ... on InviteUserSuccess {\n            member {\n              ...MemberFields\n            }\n          }\n          ... on Error {\n            message\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendInvitation($scope: MembershipScope!, $userId: ID!) {\n    resendInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on ResendInvitationSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResendInvitation($scope: MembershipScope!, $userId: ID!) {\n    resendInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on ResendInvitationSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($scope: MembershipScope!, $userId: ID!) {\n    removeMember(scope: $scope, userId: $userId) {\n      __typename\n      ... on RemoveMemberSuccess {\n        userId\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveMember($scope: MembershipScope!, $userId: ID!) {\n    removeMember(scope: $scope, userId: $userId) {\n      __typename\n      ... on RemoveMemberSuccess {\n        userId\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMemberRole($scope: MembershipScope!, $userId: ID!, $role: MemberRole!) {\n    changeMemberRole(scope: $scope, userId: $userId, role: $role) {\n      __typename\n      ... on ChangeMemberRoleSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeMemberRole($scope: MembershipScope!, $userId: ID!, $role: MemberRole!) {\n    changeMemberRole(scope: $scope, userId: $userId, role: $role) {\n      __typename\n      ... on ChangeMemberRoleSuccess {\n        member {\n          ...MemberFields\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($organizationId: ID!, $first: Int, $after: String) {\n    auditLog(organizationId: $organizationId, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        action\n        code\n        occurredAt\n        teamId\n        actor {\n          id\n          email\n          displayName\n        }\n        target {\n          id\n          email\n          displayName\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($organizationId: ID!, $first: Int, $after: String) {\n    auditLog(organizationId: $organizationId, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        action\n        code\n        occurredAt\n        teamId\n        actor {\n          id\n          email\n          displayName\n        }\n        target {\n          id\n          email\n          displayName\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationTeams($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      teams(first: 100) {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrganizationTeams($id: ID!) {\n    organization(id: $id) {\n      id\n      name\n      teams(first: 100) {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyTeams {\n    myTeams(first: 100) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyTeams {\n    myTeams(first: 100) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Team($id: ID!) {\n    team(id: $id) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Team($id: ID!) {\n    team(id: $id) {\n      id\n      name\n      organization {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTeam($organizationId: ID!, $name: String!) {\n    createTeam(organizationId: $organizationId, name: $name) {\n      __typename\n      ... on CreateTeamSuccess {\n        team {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTeam($organizationId: ID!, $name: String!) {\n    createTeam(organizationId: $organizationId, name: $name) {\n      __typename\n      ... on CreateTeamSuccess {\n        team {\n          id\n          name\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TeamOwnerProbe($scope: MembershipScope!) {\n    members(scope: $scope, first: 100, status: VERIFIED) {\n      nodes {\n        role\n        status\n        user {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TeamOwnerProbe($scope: MembershipScope!) {\n    members(scope: $scope, first: 100, status: VERIFIED) {\n      nodes {\n        role\n        status\n        user {\n          id\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;