"""The authorization code flow driven by Authlib, a relying party from another ecosystem.

Usage: authlib_flow.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD
Walks the hosted sign-in page as a browser would, then lets Authlib exchange the code (PKCE),
validate the ID token against the JWKS, and call userinfo. Prints the subject on success.
"""

import json
import re
import sys
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

issuer, client_id, client_secret, redirect_uri, username, password = sys.argv[1:7]
meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
assert meta["issuer"] == issuer, meta

client = OAuth2Session(
    client_id, client_secret, scope="openid profile email", redirect_uri=redirect_uri, code_challenge_method="S256"
)
verifier = generate_token(48)
nonce = generate_token(20)
url, _state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

browser = requests.Session()
hop = browser.get(url, allow_redirects=False, timeout=10)
assert hop.status_code == 303, hop.status_code
sign_in = urljoin(issuer, hop.headers["location"])
page = browser.get(sign_in, timeout=10)
csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
hop = browser.post(sign_in, data={"csrf": csrf, "identifier": username, "password": password}, allow_redirects=False, timeout=10)
assert hop.status_code == 303, hop.text
hop = browser.get(urljoin(issuer, hop.headers["location"]), allow_redirects=False, timeout=10)
callback = hop.headers["location"]
assert parse_qs(urlparse(callback).query)["iss"] == [issuer], callback

token = client.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
claims = jwt.decode(
    token["id_token"],
    keys,
    claims_cls=CodeIDToken,
    claims_options={"iss": {"essential": True, "value": issuer}},
    claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
)
claims.validate()
info = client.get(meta["userinfo_endpoint"], timeout=10).json()
assert info["sub"] == claims["sub"], (info, claims)
print(json.dumps({"sub": claims["sub"], "preferred_username": info.get("preferred_username")}))
