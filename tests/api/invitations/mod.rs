//! Invitations: the help page's cancel flow, inviting, resending, accepting, previews, the first admin.

mod bootstrap;
mod cancel;
mod invite_resend_accept;
mod preview;
