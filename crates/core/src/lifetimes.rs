//! How long what Latchkey issues and remembers lives, in one place; `docs/security.md`'s
//! defaults table cites it. Per-application settings (ID tokens, refresh tokens) and per-API
//! access tokens have their defaults and bounds in `client` and `registration`.

const MINUTE_MS: i64 = 60 * 1000;
pub const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// An authorization code: one minute (RFC 6749 §4.1.2 recommends at most ten).
pub const CODE_MS: i64 = MINUTE_MS;

/// An opaque access token, the one for userinfo: one hour.
pub const OPAQUE_ACCESS_TOKEN_SECS: i64 = 3600;

/// A new API's JWT access tokens, unless its administrator sets another lifetime: one hour.
pub const API_ACCESS_TOKEN_DEFAULT_SECS: i64 = 3600;

/// A refresh token stops working this long after its grant began, however often it rotates.
pub const REFRESH_ABSOLUTE_MS: i64 = 180 * DAY_MS;

/// A browser session ends 14 days after sign-in, or after 7 days without use.
pub const SESSION_ABSOLUTE_MS: i64 = 14 * DAY_MS;
pub const SESSION_IDLE_MS: i64 = 7 * DAY_MS;
/// How recent a sign-in must be to change how the account signs in (its factors): older,
/// the user proves it is them again first.
pub const REAUTH_SECS: i64 = 10 * 60;

/// A user has 30 minutes to sign in (or consent) once sent to the page.
pub const INTERACTION_MS: i64 = 30 * MINUTE_MS;

/// A client's metadata document (CIMD) is kept as its `Cache-Control` says, but at least
/// five minutes (a client signing many people in does not cost a fetch each) and at most a
/// day (a changed or withdrawn document is seen within one).
pub const CIMD_KEEP_MIN_SECS: i64 = 5 * 60;
pub const CIMD_KEEP_MAX_SECS: i64 = 24 * 60 * 60;

/// A client that registered itself and never completed an authorization is deleted after a
/// week; the same registration repeated within a day answers the client it made.
pub const UNUSED_DYNAMIC_CLIENT_MS: i64 = 7 * DAY_MS;
pub const REGISTRATION_REUSE_MS: i64 = DAY_MS;

/// The sign-out confirmation page's form is good for ten minutes.
pub const LOGOUT_CONFIRMATION_SECS: i64 = 10 * 60;

/// The console's sign-in: `state` and the PKCE verifier wait 30 minutes for the callback;
/// its access token lasts eight hours, then single sign-on renews it without a form.
pub const CONSOLE_LOGIN_SECS: i64 = 30 * 60;
pub const CONSOLE_SESSION_MS: i64 = 8 * 60 * MINUTE_MS;

/// Consumed codes and refresh tokens are kept this long after they expire: presented again
/// meanwhile, they are known as replayed, which ends their grant (RFC 6749 §4.1.2, RFC 9700
/// §4.14.2), rather than merely unknown. Also how far back a repeated PKCE challenge is seen.
pub const REPLAY_MEMORY_MS: i64 = DAY_MS;

/// A code that proves an email address (sign-up, verification, a new address): ten minutes;
/// a password recovery code: fifteen.
pub const EMAIL_CODE_MS: i64 = 10 * MINUTE_MS;
pub const RECOVERY_CODE_MS: i64 = 15 * MINUTE_MS;

/// A queued mail is retried for a day, then marked failed for administrators to see.
pub const MAIL_RETRY_MS: i64 = DAY_MS;
