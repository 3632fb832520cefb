
      export interface PossibleTypesResultData {
        possibleTypes: {
          [key: string]: string[]
        }
      }
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "AcceptInvitationResult": [
      "AcceptInvitationSuccess",
      "InvalidCredentialsError",
      "InvalidInvitationError",
      "RateLimitedError",
      "ValidationError"
    ],
    "CancelInvitationResult": [
      "CancelInvitationSuccess",
      "InvitationAlreadyAcceptedError",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError"
    ],
    "ChangeMemberRoleResult": [
      "ChangeMemberRoleSuccess",
      "LastAdminError",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "ValidationError"
    ],
    "CreateOrganizationResult": [
      "CreateOrganizationSuccess",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "RateLimitedError",
      "ValidationError"
    ],
    "CreateTeamResult": [
      "CreateTeamSuccess",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "ValidationError"
    ],
    "DeleteTeamResult": [
      "DeleteTeamSuccess",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError"
    ],
    "Error": [
      "AlreadyMemberError",
      "EmailTakenError",
      "InvalidCredentialsError",
      "InvalidInvitationError",
      "InvalidTokenError",
      "InvitationAlreadyAcceptedError",
      "LastAdminError",
      "MemberPendingError",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "PasswordRequiredError",
      "RateLimitedError",
      "ValidationError"
    ],
    "InviteUserResult": [
      "AlreadyMemberError",
      "InviteUserSuccess",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "RateLimitedError",
      "ValidationError"
    ],
    "InviteUsersResult": [
      "InviteUsersSuccess",
      "NotAuthenticatedError",
      "ValidationError"
    ],
    "LeaveScopeResult": [
      "LastAdminError",
      "LeaveScopeSuccess",
      "NotAuthenticatedError",
      "NotFoundError"
    ],
    "RemoveMemberResult": [
      "LastAdminError",
      "MemberPendingError",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "RemoveMemberSuccess"
    ],
    "RenameOrganizationResult": [
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "RenameOrganizationSuccess",
      "ValidationError"
    ],
    "RenameTeamResult": [
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "RenameTeamSuccess",
      "ValidationError"
    ],
    "RequestPasswordResetResult": [
      "RateLimitedError",
      "RequestPasswordResetSuccess",
      "ValidationError"
    ],
    "ResendInvitationResult": [
      "InvitationAlreadyAcceptedError",
      "NotAuthenticatedError",
      "NotAuthorizedError",
      "NotFoundError",
      "RateLimitedError",
      "ResendInvitationSuccess"
    ],
    "ResetPasswordResult": [
      "InvalidTokenError",
      "RateLimitedError",
      "ResetPasswordSuccess",
      "ValidationError"
    ],
    "SendVerificationEmailResult": [
      "NotAuthenticatedError",
      "RateLimitedError",
      "SendVerificationEmailSuccess"
    ],
    "SignInResult": [
      "InvalidCredentialsError",
      "RateLimitedError",
      "SignInSuccess"
    ],
    "SignOutResult": [
      "NotAuthenticatedError",
      "SignOutSuccess"
    ],
    "SignUpResult": [
      "EmailTakenError",
      "NotAuthorizedError",
      "RateLimitedError",
      "SignUpSuccess",
      "ValidationError"
    ],
    "VerifyEmailResult": [
      "InvalidCredentialsError",
      "InvalidTokenError",
      "PasswordRequiredError",
      "RateLimitedError",
      "ValidationError",
      "VerifyEmailSuccess"
    ]
  }
};
      export default result;
    