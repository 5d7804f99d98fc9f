-- A client that sends the same PKCE challenge in two authorizations is warned about in the
-- audit log (RFC 9700 §2.1.1): codes are looked up by client and challenge when one is
-- issued. Codes stay a day past their expiry (replay memory), which bounds the look-back.
CREATE INDEX authorization_codes_challenge ON authorization_codes (code_challenge);
