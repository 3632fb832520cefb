// Every operation this example sends. `npm run codegen` reads the `graphql(...)` calls in
// src/**/*.ts and generates src/gql/, which gives each call below its exact result and
// variables types. A document that no longer matches ../../schema.graphql fails codegen; a
// changed result type fails `tsc` wherever the code relies on it.
import { graphql } from './gql';

/** Sign in: a bearer token, or one of the errors in `SignInResult`. */
export const signInMutation = graphql(`
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

/** One row of a member list, with what the viewer may do to it (the row's ⋮ menu). */
export const memberRowFragment = graphql(`
  fragment MemberRow on Member {
    id
    status
    role
    invitedAt
    joinedAt
    availableActions
    user {
      id
      email
      displayName
    }
  }
`);

/**
 * A page of a scope's member list. `eventCursor` is where `memberListChanged` continues
 * from, so a live list misses nothing between this read and the subscription.
 */
export const membersQuery = graphql(`
  query Members($scope: MembershipScope!, $first: Int, $after: String, $status: MemberStatus) {
    members(scope: $scope, first: $first, after: $after, status: $status) {
      totalCount
      eventCursor
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...MemberRow
      }
    }
  }
`);

/** Cancel a pending invitation: at once, no confirmation step. */
export const cancelInvitationMutation = graphql(`
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

/**
 * Every change to a member list. `memberId` names the membership even when `member` is
 * null (the user left the list), so the cache can drop exactly that row.
 */
export const memberListChangedSubscription = graphql(`
  subscription MemberListChanged($scope: MembershipScope!, $after: String) {
    memberListChanged(scope: $scope, after: $after) {
      cursor
      kind
      userId
      memberId
      occurredAt
      member {
        ...MemberRow
      }
    }
  }
`);
