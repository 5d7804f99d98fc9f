//! Rotation keeps its promises over time (decision 0015): a next key signs only once every node and
//! relying party can know it, and a previous key stays published until every token it signed
//! has expired. An administrator answering a leaked key may force a rotation past both.

use latchkey::keyring::PUBLISH_LEAD_MS;
use latchkey_core::rotation::LONGEST_SIGNED_MS;
use serde_json::json;

use crate::ops::signing_keys::kids;
use crate::support::{Admin, TestApp, backends};

const ROTATE: &str = "/api/configs/oidc/private-keys/rotate";

#[tokio::test]
async fn rotations_wait_for_verifiers_and_for_what_the_previous_key_signed() {
    for backend in backends() {
        let app = TestApp::spawn_with_fixed_clock(backend).await;
        let admin = Admin::new(&app).await;
        let ec = |force: bool| json!({"signingKeyAlgorithm": "EC", "force": force});

        // Keys made together at first start: the next one is as old as the current one, and
        // may sign at once.
        app.state.clock.advance(1000);
        assert_eq!(admin.post(ROTATE, ec(false)).await.0, 201, "{backend:?}");

        // At once: the old current key, now previous, still verifies what it signed a
        // moment ago. Refused, and nothing moves.
        let published = kids(&app.get_json("/oidc/jwks").await);
        let (status, refused) = admin.post(ROTATE, ec(false)).await;
        assert_eq!(
            (status, &refused["code"]),
            (409, &json!("key.rotation_too_soon"))
        );
        let detail = refused["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("previous ES256 key"), "{detail}");
        assert!(detail.contains("for another 24 h 0 min"), "{detail}");
        assert_eq!(kids(&app.get_json("/oidc/jwks").await), published);
        let (_, keys) = admin.get("/api/configs/oidc/private-keys").await;
        let previous = keys
            .as_array()
            .into_iter()
            .flatten()
            .find(|k| k["state"] == "previous")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            previous["retiredAt"].as_i64(),
            Some(app.state.clock.now_ms())
        );

        // Retired by hand, it no longer holds the rotation back; the next key does, for as
        // long as nodes and relying parties may not have fetched it.
        let previous = previous["id"].as_str().unwrap_or_default();
        let path = format!("/api/configs/oidc/private-keys/{previous}");
        assert_eq!(admin.delete(&path).await, 204);
        let admin = Admin::new(&app).await;
        let (status, refused) = admin.post(ROTATE, ec(false)).await;
        assert_eq!(status, 409, "{refused}");
        let detail = refused["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("next ES256 key"), "{detail}");
        assert!(detail.contains("in 1 min 5 s"), "{detail}");
        app.state.clock.advance(PUBLISH_LEAD_MS);
        assert_eq!(admin.post(ROTATE, ec(false)).await.0, 201);
        assert_eq!(admin.post(ROTATE, ec(false)).await.0, 409);

        // A day after it retired, nothing it signed is live: the rotation runs.
        app.state.clock.advance(LONGEST_SIGNED_MS);
        let admin = Admin::new(&app).await;
        assert_eq!(admin.post(ROTATE, ec(false)).await.0, 201);

        // Forced, at once, and audited as forced. The previous key it drops signed this
        // administrator's token, which stops verifying.
        assert_eq!(admin.post(ROTATE, ec(true)).await.0, 201);
        assert_eq!(admin.get("/api/configs/oidc/private-keys").await.0, 401);
        let admin = Admin::new(&app).await;
        let (_, audit) = admin.get("/api/audit-logs?action=key.rotate").await;
        // (The last two share one instant of the test's clock, so their order is not fixed.)
        let mut forced: Vec<bool> = audit
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["details"]["forced"].as_bool())
            .collect();
        forced.sort();
        assert_eq!(forced, [false, false, false, true], "{audit}");
    }
}
