//! Second factors: what a user enrolled (an authenticator app, passkeys, recovery codes),
//! what a sign-in proved (`amr`, RFC 8176) and the level that reaches (`acr`), and when a
//! request needs more than a password.

use crate::authorize::AuthorizationRequest;
use crate::client::TokenSettings;

/// The `acr` of a sign-in that proved two factors, and the `acr_values` that asks for one.
pub const ACR_MFA: &str = "urn:latchkey:acr:mfa";
/// The `acr` of a sign-in that proved one factor (a password).
pub const ACR_SINGLE: &str = "urn:latchkey:acr:1fa";

/// How an administrator sets second factors for everyone (`LATCHKEY_MFA`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Policy {
    /// Users may enroll; applications and requests may still ask for a second factor.
    #[default]
    Optional,
    /// Every user proves a second factor, enrolling one at their next sign-in.
    Required,
}

impl Policy {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "optional" => Some(Self::Optional),
            "required" => Some(Self::Required),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optional => "optional",
            Self::Required => "required",
        }
    }

    /// Whether a session that proved `amr` may use the account pages under this policy.
    pub fn admits(self, amr: &Amr) -> bool {
        self == Self::Optional || amr.is_multi_factor()
    }
}

/// Whether finishing `request` for an application with `settings` needs a sign-in that
/// proved two factors: the policy, the application's `requireMfa`, or the request's
/// `acr_values` asking for [`ACR_MFA`].
pub fn required(policy: Policy, settings: &TokenSettings, request: &AuthorizationRequest) -> bool {
    let asked = request
        .acr_values
        .as_deref()
        .is_some_and(|values| values.split(' ').any(|v| v == ACR_MFA));
    policy == Policy::Required || settings.require_mfa || asked
}

/// A recovery code's stored form: salted by its set's id, whatever its typed case, spaces
/// or dashes.
pub fn code_hash(set_id: &str, typed: &str) -> String {
    crate::email::code_hash(set_id, &crate::totp::normalize_recovery_code(typed))
}

/// A kind of factor a user can enroll, in Logto's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An authenticator app's time-based codes (RFC 6238).
    Totp,
    /// A passkey or security key (WebAuthn).
    WebAuthn,
    /// Single-use codes for when the other factors are lost.
    BackupCode,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "Totp",
            Self::WebAuthn => "WebAuthn",
            Self::BackupCode => "BackupCode",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "Totp" => Some(Self::Totp),
            "WebAuthn" => Some(Self::WebAuthn),
            "BackupCode" => Some(Self::BackupCode),
            _ => None,
        }
    }
}

/// One enrolled factor. Its secret parts (the TOTP key, the passkey's public key and
/// counter) are stored with it but never shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub id: String,
    pub user_id: String,
    pub kind: Kind,
    /// A passkey's name, given by its owner.
    pub name: Option<String>,
    /// The TOTP key (sealed when the operator set a key), or the passkey as the WebAuthn
    /// library stores it (public key, counter).
    pub secret: Option<String>,
    /// A passkey's credential id, base64url: how an assertion finds its key.
    pub credential_id: Option<String>,
    /// The last TOTP time step accepted: a code acts once.
    pub last_step: Option<i64>,
    /// Recovery codes not yet used (only for [`Kind::BackupCode`]).
    pub remaining: usize,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A method a sign-in used, in RFC 8176's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A password.
    Pwd,
    /// A one-time code: an authenticator app's or a recovery code.
    Otp,
    /// A hardware-bound key (a passkey that cannot leave its device).
    Hwk,
    /// A software key (a synced passkey).
    Swk,
    /// The authenticator verified the user (PIN or biometrics).
    User,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pwd => "pwd",
            Self::Otp => "otp",
            Self::Hwk => "hwk",
            Self::Swk => "swk",
            Self::User => "user",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        [Self::Pwd, Self::Otp, Self::Hwk, Self::Swk, Self::User]
            .into_iter()
            .find(|m| m.as_str() == value)
    }

    /// Something the user knows, has, or is: two methods of one kind are one factor.
    fn factor(self) -> u8 {
        match self {
            Self::Pwd => 0,
            Self::Otp | Self::Hwk | Self::Swk => 1,
            Self::User => 2,
        }
    }
}

/// What a sign-in proved, kept with its session and the grants made under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amr(Vec<Method>);

impl Amr {
    pub fn password() -> Self {
        Self(vec![Method::Pwd])
    }

    /// One method.
    pub fn of(method: Method) -> Self {
        Self(vec![method])
    }

    /// A passkey with user verification: a key the user has, unlocked by the user.
    pub fn passkey(hardware_bound: bool) -> Self {
        let key = if hardware_bound {
            Method::Hwk
        } else {
            Method::Swk
        };
        Self(vec![key, Method::User])
    }

    /// This sign-in and one more proof (a second factor, or a re-authentication).
    pub fn and(mut self, other: &Amr) -> Self {
        for m in &other.0 {
            if !self.0.contains(m) {
                self.0.push(*m);
            }
        }
        self
    }

    /// Whether two kinds of factor were proved.
    pub fn is_multi_factor(&self) -> bool {
        let mut kinds = self.0.iter().map(|m| m.factor()).collect::<Vec<_>>();
        kinds.sort_unstable();
        kinds.dedup();
        kinds.len() >= 2
    }

    /// The ID token's `amr`: the methods, and `mfa` when they are two factors.
    pub fn claim(&self) -> Vec<&'static str> {
        let mut values: Vec<_> = self.0.iter().map(|m| m.as_str()).collect();
        if self.is_multi_factor() {
            values.push("mfa");
        }
        values
    }

    /// The ID token's `acr`.
    pub fn acr(&self) -> &'static str {
        if self.is_multi_factor() {
            ACR_MFA
        } else {
            ACR_SINGLE
        }
    }

    /// The stored form: the methods, space-separated.
    pub fn stored(&self) -> String {
        let values: Vec<_> = self.0.iter().map(|m| m.as_str()).collect();
        values.join(" ")
    }

    /// Reads the stored form, skipping what it does not know.
    pub fn parse(stored: &str) -> Self {
        Self(stored.split(' ').filter_map(Method::parse).collect())
    }
}

#[cfg(test)]
#[path = "mfa_tests.rs"]
mod tests;
