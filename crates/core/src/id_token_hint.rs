//! `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §2): an ID token this server
//! signed, expired or not, naming the user it was about and the client it was for. The one
//! verifier both the authorization and the end-session endpoints use.

use crate::OAuthError;
use crate::jwt::{self, PublicKey};

/// What a verified hint says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub subject: String,
    /// The `aud` the token was issued to.
    pub client_id: Option<String>,
    /// The `sid` of the session it was issued in.
    pub session_id: Option<String>,
}

/// Verify `token` against this server's `keys` and `issuer`. Expiry does not matter: a
/// hint names a user, it grants nothing.
pub fn verify<'k>(
    token: &str,
    keys: impl IntoIterator<Item = (&'k str, &'k PublicKey)>,
    issuer: &str,
) -> Result<Hint, OAuthError> {
    let invalid =
        || OAuthError::invalid_request("id_token_hint is not an ID token from this server");
    let claims = jwt::verify(token, "JWT", keys).map_err(|_| invalid())?;
    if claims["iss"].as_str() != Some(issuer) {
        return Err(invalid());
    }
    let text = |name: &str| claims[name].as_str().map(str::to_owned);
    Ok(Hint {
        subject: text("sub").ok_or_else(invalid)?,
        client_id: text("aud"),
        session_id: text("sid"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::jwt::{Algorithm, Signer};
    use serde_json::json;

    const ISSUER: &str = "https://id.example.com/oidc";

    fn signer() -> Signer {
        let der = crate::keys::generate_pkcs8(Algorithm::ES256).unwrap_or_default();
        Signer::from_pkcs8("k1".into(), Algorithm::ES256, &der)
            .unwrap_or_else(|e| panic!("key: {e}"))
    }

    fn hint(signer: &Signer, typ: &str, claims: serde_json::Value) -> Result<Hint, OAuthError> {
        let token = signer.sign(typ, &claims).unwrap_or_default();
        let public = signer.public_key();
        verify(&token, [("k1", &public)], ISSUER)
    }

    #[test]
    fn an_id_token_of_this_issuer_names_its_user_client_and_session() {
        let s = signer();
        let claims = json!({"iss": ISSUER, "sub": "u1", "aud": "app", "sid": "s", "exp": 1});
        let found = hint(&s, "JWT", claims);
        let expected = Hint {
            subject: "u1".into(),
            client_id: Some("app".into()),
            session_id: Some("s".into()),
        };
        assert_eq!(
            found.ok(),
            Some(expected),
            "expired hints still name the user"
        );
    }

    #[test]
    fn another_issuer_another_type_or_no_subject_is_invalid_request() {
        let s = signer();
        for (typ, claims) in [
            ("JWT", json!({"iss": "https://other.example", "sub": "u1"})),
            ("at+jwt", json!({"iss": ISSUER, "sub": "u1"})),
            ("JWT", json!({"iss": ISSUER})),
        ] {
            let code = hint(&s, typ, claims).err().map(|e| e.code);
            assert_eq!(code, Some(ErrorCode::InvalidRequest));
        }
        let other_key = signer().public_key();
        let token = s.sign("JWT", &json!({"iss": ISSUER, "sub": "u1"}));
        let found = verify(&token.unwrap_or_default(), [("k1", &other_key)], ISSUER);
        assert!(found.is_err(), "signed by another key");
    }
}
