"""A tiny web application that signs people in with Latchkey (standard library only).

    python3 examples/demo_app.py CLIENT_ID [ISSUER]

It serves http://localhost:5173, sends the browser to Latchkey's authorization endpoint
(authorization code flow with PKCE, as a public SPA-type client would), receives the code on
/callback, exchanges it at the token endpoint, and shows the ID token's claims and the
userinfo answer. Register it as an SPA with the redirect URI http://localhost:5173/callback.
"""

import base64
import hashlib
import html
import json
import secrets
import sys
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

CLIENT_ID = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
ISSUER = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:3001/oidc"
REDIRECT_URI = "http://localhost:5173/callback"
META = json.load(urllib.request.urlopen(ISSUER + "/.well-known/openid-configuration"))
PENDING = {}  # state -> (verifier, nonce)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(jwt: str) -> dict:
    # Display only: a real application verifies the signature against META["jwks_uri"].
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class App(BaseHTTPRequestHandler):
    def page(self, body: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(f"<!doctype html><title>Demo app</title><body style='font-family:sans-serif'>{body}".encode())

    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/":
            return self.page("<h1>Demo app</h1><p><a href='/login'>Sign in with Latchkey</a></p>")
        if url.path == "/login":
            state, nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48)
            PENDING[state] = (verifier, nonce)
            challenge = b64url(hashlib.sha256(verifier.encode()).digest())
            params = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
                      "scope": "openid profile email", "state": state, "nonce": nonce,
                      "code_challenge": challenge, "code_challenge_method": "S256"}
            self.send_response(303)
            self.send_header("Location", META["authorization_endpoint"] + "?" + urllib.parse.urlencode(params))
            return self.end_headers()
        if url.path == "/callback":
            if "error" in query or query.get("state") not in PENDING or query.get("iss") != ISSUER:
                return self.page(f"<p>Sign-in failed: {html.escape(json.dumps(query))}</p>", 400)
            verifier, nonce = PENDING.pop(query["state"])
            form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": query["code"], "client_id": CLIENT_ID,
                                           "redirect_uri": REDIRECT_URI, "code_verifier": verifier}).encode()
            tokens = json.load(urllib.request.urlopen(META["token_endpoint"], data=form))
            claims = claims_of(tokens["id_token"])
            assert claims["nonce"] == nonce
            request = urllib.request.Request(META["userinfo_endpoint"], headers={"Authorization": "Bearer " + tokens["access_token"]})
            info = json.load(urllib.request.urlopen(request))
            return self.page(f"<h1>Signed in</h1><h2>ID token</h2><pre>{html.escape(json.dumps(claims, indent=2))}</pre>"
                             f"<h2>Userinfo</h2><pre>{html.escape(json.dumps(info, indent=2))}</pre>")
        self.page("Not found", 404)


print("Demo app on http://localhost:5173 (Ctrl-C to stop)")
HTTPServer(("localhost", 5173), App).serve_forever()
