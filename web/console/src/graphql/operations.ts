// Every operation the console sends, except the identity ones (identity.ts).
// Mutation results are unions: each selects __typename and `... on Error { message }`.
import { graphql } from '../gql';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      email
      displayName
    }
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      __typename
      ... on SignInSuccess {
        token
        user {
          id
          email
          displayName
        }
      }
      ... on RateLimitedError {
        retryAfterSeconds
      }
      ... on Error {
        message
      }
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($email: String!, $password: String!, $displayName: String) {
    signUp(email: $email, password: $password, displayName: $displayName) {
      __typename
      ... on SignUpSuccess {
        token
        user {
          id
          email
          displayName
        }
      }
      ... on ValidationError {
        field
      }
      ... on Error {
        message
      }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

// Lists ask for the server's largest page, 100: without `first` they would get 20.
export const MyOrganizationsQuery = graphql(`
  query MyOrganizations {
    myOrganizations(first: 100) {
      id
      name
    }
  }
`);

export const CreateOrganizationMutation = graphql(`
  mutation CreateOrganization($name: String!) {
    createOrganization(name: $name) {
      __typename
      ... on CreateOrganizationSuccess {
        organization {
          id
          name
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** Whether the viewer administers the organization: the audit log is for admins only. */
export const AdminProbeQuery = graphql(`
  query AdminProbe($organizationId: ID!) {
    auditLog(organizationId: $organizationId, first: 1) {
      pageInfo {
        hasNextPage
      }
    }
  }
`);

export const MemberFields = graphql(`
  fragment MemberFields on Member {
    user {
      id
      email
      displayName
    }
    status
    role
    invitedAt
    joinedAt
    invitedBy {
      id
      email
    }
    availableActions
  }
`);

export const MembersQuery = graphql(`
  query Members($scope: MembershipScope!, $first: Int, $after: String) {
    members(scope: $scope, first: $first, after: $after) {
      totalCount
      eventCursor
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...MemberFields
      }
    }
  }
`);

export const MemberListChangedSubscription = graphql(`
  subscription MemberListChanged($scope: MembershipScope!, $after: String) {
    memberListChanged(scope: $scope, after: $after) {
      cursor
      kind
      userId
      occurredAt
      member {
        ...MemberFields
      }
    }
  }
`);

export const InviteUserMutation = graphql(`
  mutation InviteUser($scope: MembershipScope!, $email: String!, $role: MemberRole) {
    inviteUser(scope: $scope, email: $email, role: $role) {
      __typename
      ... on InviteUserSuccess {
        member {
          ...MemberFields
        }
      }
      ... on RateLimitedError {
        retryAfterSeconds
      }
      ... on Error {
        message
      }
    }
  }
`);

export const InviteUsersMutation = graphql(`
  mutation InviteUsers($scope: MembershipScope!, $invitations: [InvitationInput!]!) {
    inviteUsers(scope: $scope, invitations: $invitations) {
      __typename
      ... on InviteUsersSuccess {
        results {
          __typename
          ... on InviteUserSuccess {
            member {
              ...MemberFields
            }
          }
          ... on Error {
            message
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const CancelInvitationMutation = graphql(`
  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {
    cancelInvitation(scope: $scope, userId: $userId) {
      __typename
      ... on CancelInvitationSuccess {
        userId
        cancelledAt
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ResendInvitationMutation = graphql(`
  mutation ResendInvitation($scope: MembershipScope!, $userId: ID!) {
    resendInvitation(scope: $scope, userId: $userId) {
      __typename
      ... on ResendInvitationSuccess {
        member {
          ...MemberFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const RemoveMemberMutation = graphql(`
  mutation RemoveMember($scope: MembershipScope!, $userId: ID!) {
    removeMember(scope: $scope, userId: $userId) {
      __typename
      ... on RemoveMemberSuccess {
        userId
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ChangeMemberRoleMutation = graphql(`
  mutation ChangeMemberRole($scope: MembershipScope!, $userId: ID!, $role: MemberRole!) {
    changeMemberRole(scope: $scope, userId: $userId, role: $role) {
      __typename
      ... on ChangeMemberRoleSuccess {
        member {
          ...MemberFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const AuditLogQuery = graphql(`
  query AuditLog($organizationId: ID!, $first: Int, $after: String) {
    auditLog(organizationId: $organizationId, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        action
        code
        occurredAt
        teamId
        actor {
          id
          email
          displayName
        }
        target {
          id
          email
          displayName
        }
      }
    }
  }
`);

export const OrganizationTeamsQuery = graphql(`
  query OrganizationTeams($id: ID!) {
    organization(id: $id) {
      id
      name
      teams(first: 100) {
        id
        name
      }
    }
  }
`);

export const MyTeamsQuery = graphql(`
  query MyTeams {
    myTeams(first: 100) {
      id
      name
      organization {
        id
        name
      }
    }
  }
`);

export const TeamQuery = graphql(`
  query Team($id: ID!) {
    team(id: $id) {
      id
      name
      organization {
        id
        name
      }
    }
  }
`);

export const CreateTeamMutation = graphql(`
  mutation CreateTeam($organizationId: ID!, $name: String!) {
    createTeam(organizationId: $organizationId, name: $name) {
      __typename
      ... on CreateTeamSuccess {
        team {
          id
          name
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** The team's verified members, to tell whether the viewer owns the team. */
export const TeamOwnerProbe = graphql(`
  query TeamOwnerProbe($scope: MembershipScope!) {
    members(scope: $scope, first: 100, status: VERIFIED) {
      nodes {
        role
        status
        user {
          id
        }
      }
    }
  }
`);
