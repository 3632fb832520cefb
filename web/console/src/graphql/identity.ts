// The identity operations behind the console's email links: accept an invitation,
// verify an email address, reset a password. (Added to the server's schema for issue 12.)
import { graphql } from '../gql';

export const InvitationPreviewQuery = graphql(`
  query InvitationPreview($token: String!) {
    invitation(token: $token) {
      organizationName
      teamName
      inviterName
      role
      email
      expiresAt
      accountExists
    }
  }
`);

export const AcceptInvitationMutation = graphql(`
  mutation AcceptInvitation($token: String!, $password: String, $displayName: String) {
    acceptInvitation(token: $token, password: $password, displayName: $displayName) {
      __typename
      ... on AcceptInvitationSuccess {
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
      ... on RateLimitedError {
        retryAfterSeconds
      }
      ... on Error {
        message
      }
    }
  }
`);

export const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($token: String!, $password: String, $newPassword: String) {
    verifyEmail(token: $token, password: $password, newPassword: $newPassword) {
      __typename
      ... on VerifyEmailSuccess {
        token
        user {
          id
          email
          emailVerified
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

export const ResetPasswordMutation = graphql(`
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password) {
      __typename
      ... on ResetPasswordSuccess {
        token
        user {
          id
          email
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

export const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email) {
      __typename
      ... on RequestPasswordResetSuccess {
        message
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ViewerVerificationQuery = graphql(`
  query ViewerVerification {
    viewer {
      id
      email
      emailVerified
    }
  }
`);

export const SendVerificationEmailMutation = graphql(`
  mutation SendVerificationEmail {
    sendVerificationEmail {
      __typename
      ... on SendVerificationEmailSuccess {
        user {
          id
          emailVerified
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
