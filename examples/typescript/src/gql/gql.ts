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
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  fragment MemberRow on Member {\n    id\n    status\n    role\n    invitedAt\n    joinedAt\n    availableActions\n    user {\n      id\n      email\n      displayName\n    }\n  }\n": typeof types.MemberRowFragmentDoc,
    "\n  query Members($scope: MembershipScope!, $first: Int, $after: String, $status: MemberStatus) {\n    members(scope: $scope, first: $first, after: $after, status: $status) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberRow\n      }\n    }\n  }\n": typeof types.MembersDocument,
    "\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CancelInvitationDocument,
    "\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      memberId\n      occurredAt\n      member {\n        ...MemberRow\n      }\n    }\n  }\n": typeof types.MemberListChangedDocument,
};
const documents: Documents = {
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  fragment MemberRow on Member {\n    id\n    status\n    role\n    invitedAt\n    joinedAt\n    availableActions\n    user {\n      id\n      email\n      displayName\n    }\n  }\n": types.MemberRowFragmentDoc,
    "\n  query Members($scope: MembershipScope!, $first: Int, $after: String, $status: MemberStatus) {\n    members(scope: $scope, first: $first, after: $after, status: $status) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberRow\n      }\n    }\n  }\n": types.MembersDocument,
    "\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CancelInvitationDocument,
    "\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      memberId\n      occurredAt\n      member {\n        ...MemberRow\n      }\n    }\n  }\n": types.MemberListChangedDocument,
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
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      __typename\n      ... on SignInSuccess {\n        token\n        user {\n          id\n          email\n          displayName\n        }\n      }\n      ... on RateLimitedError {\n        retryAfterSeconds\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MemberRow on Member {\n    id\n    status\n    role\n    invitedAt\n    joinedAt\n    availableActions\n    user {\n      id\n      email\n      displayName\n    }\n  }\n"): (typeof documents)["\n  fragment MemberRow on Member {\n    id\n    status\n    role\n    invitedAt\n    joinedAt\n    availableActions\n    user {\n      id\n      email\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Members($scope: MembershipScope!, $first: Int, $after: String, $status: MemberStatus) {\n    members(scope: $scope, first: $first, after: $after, status: $status) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberRow\n      }\n    }\n  }\n"): (typeof documents)["\n  query Members($scope: MembershipScope!, $first: Int, $after: String, $status: MemberStatus) {\n    members(scope: $scope, first: $first, after: $after, status: $status) {\n      totalCount\n      eventCursor\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...MemberRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelInvitation($scope: MembershipScope!, $userId: ID!) {\n    cancelInvitation(scope: $scope, userId: $userId) {\n      __typename\n      ... on CancelInvitationSuccess {\n        userId\n        cancelledAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      memberId\n      occurredAt\n      member {\n        ...MemberRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription MemberListChanged($scope: MembershipScope!, $after: String) {\n    memberListChanged(scope: $scope, after: $after) {\n      cursor\n      kind\n      userId\n      memberId\n      occurredAt\n      member {\n        ...MemberRow\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;