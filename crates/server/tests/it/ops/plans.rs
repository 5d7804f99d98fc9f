//! Every query behind the hot paths reads through an index: a sign-in, a code redemption, a
//! refresh, userinfo, introspection, revocation, and the management searches (users by
//! prefix, a user's grants, a user's audit trail, the console's users search), and the
//! background deletions (expired rows, retention). The test
//! drives them through real clients while the database notes each statement, then asks the
//! database how it would run each (`EXPLAIN QUERY PLAN`, `EXPLAIN` with sequential scans
//! priced out) and fails on any whole read of a table that grows with users or traffic,
//! whether scanned or walked through an index.

use serde_json::json;

use crate::oidc::authorization_code::browser;
use crate::oidc::refresh_token::{form, refresh, setup, signed_in, userinfo_status};
use crate::support::walk::{sign_in_as, walk};
use crate::support::{TestApp, backends};

/// Tables that hold configuration, not people or traffic: a handful of rows in any
/// deployment, read whole without harm (and mostly from the node's caches).
const SMALL: &[&str] = &[
    "applications",
    "application_secrets",
    "applications_roles",
    "application_resource_consent_scopes",
    "application_organization_consent_scopes",
    "application_organization_resource_consent_scopes",
    "application_branding",
    "resources",
    "scopes",
    "roles",
    "roles_scopes",
    "signing_keys",
    "cache_generation",
    "organization_roles",
    "organization_scopes",
    "organization_role_scopes",
    "organization_role_resource_scopes",
    "settings",
];

#[tokio::test]
async fn every_hot_query_reads_through_an_index() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let admin = setup(&app).await;
        crate::console::admin::people(&admin).await;
        let (_, found) = admin.get("/api/users?search=alice").await;
        let alice = found[0]["id"].as_str().unwrap_or_default().to_owned();
        let db = &app.state.db;
        db.plans().start();

        let body = json!({"name": "Web", "type": "Traditional",
            "oidcClientMetadata": {"redirectUris": ["https://app.example.com/callback"]}});
        let (client, tokens, id, secret) = signed_in(&app, &admin, body).await;
        let first = tokens["refresh_token"].as_str().unwrap_or_default();
        let (access, _, _) = refresh(&app, &client, first, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(userinfo_status(&app, &access).await, 200);
        let me = (id.as_str(), secret.as_deref());
        let (status, introspected) = form(&app, "/oidc/token/introspection", me, &access).await;
        assert_eq!((status, &introspected["active"]), (200, &json!(true)));
        let (status, _) = form(&app, "/oidc/token/revocation", me, &access).await;
        assert_eq!(status, 200);

        for path in [
            "/api/users?search=ali&page_size=20".to_owned(),
            format!("/api/users/{alice}/grants"),
            format!("/api/audit-logs?userId={alice}&page_size=20"),
        ] {
            let (status, listed) = admin.get(&path).await;
            assert_eq!(status, 200, "{path}: {listed}");
            assert!(listed.as_array().is_some_and(|l| !l.is_empty()), "{path}");
        }
        let browser = browser();
        let here = "/console/users?search=ali";
        let stop = walk(&app, &browser, &app.url(here)).await;
        let (_, page) = sign_in_as(&app, &browser, stop, "root")
            .await
            .page("/console/users");
        assert!(page.contains("alice"), "{page}");

        // The background deletions: expired rows, old audit entries, idle grants.
        let retention = latchkey::config::retention::Retention {
            audit_days: 30,
            grant_days: 30,
        };
        latchkey::expired::sweep(db, &app.state.clock).await;
        latchkey::retention::audit(db, &app.state.clock, &retention).await;
        latchkey::retention::grants(db, &app.state.clock, &retention).await;

        let noted = db.plans().stop();
        assert!(noted.len() > 20, "only {} statements noted", noted.len());
        let mut whole = Vec::new();
        for statement in &noted {
            let plan = db
                .explain(statement)
                .await
                .unwrap_or_else(|e| panic!("{e}: {}", statement.sql));
            let mut read = scanned(&statement.sql, &plan);
            read.extend(walked(&plan));
            for table in read {
                if !SMALL.contains(&table.as_str()) {
                    whole.push(format!(
                        "{table}: {}\n  {}",
                        statement.sql,
                        plan.join("\n  ")
                    ));
                }
            }
        }
        assert!(
            whole.is_empty(),
            "{backend:?}: tables read whole:\n{}",
            whole.join("\n\n")
        );

        // The check sees a whole read: a search inside identifiers (Logto's `%term%`) reads
        // every user, by design.
        db.plans().start();
        let (status, _) = admin.get("/api/users?search=%25lic%25").await;
        assert_eq!(status, 200);
        let mut users_read = false;
        for statement in db.plans().stop() {
            let plan = db.explain(&statement).await.unwrap_or_default();
            users_read |= scanned(&statement.sql, &plan).contains(&"users".to_owned());
        }
        assert!(
            users_read,
            "{backend:?}: a substring search reads every user"
        );
    }
}

/// The tables a plan reads whole: SQLite's `SCAN t` (by table or alias) and PostgreSQL's
/// `Seq Scan on t`.
fn scanned(sql: &str, plan: &[String]) -> Vec<String> {
    let mut tables = Vec::new();
    for line in plan {
        let line = line.trim_start_matches([' ', '-', '>']).trim();
        let name = match (
            line.strip_prefix("SCAN "),
            line.strip_prefix("Seq Scan on "),
        ) {
            (Some(rest), _) | (_, Some(rest)) => rest.split_whitespace().next(),
            _ => None,
        };
        match name {
            // Subqueries (SQLite's `SCAN` of one's rows by its alias), constant rows and
            // `VALUES` lists are the statement's own; a subquery's reads are lines of their
            // own.
            Some(name)
                if !name.starts_with('(')
                    && name != "CONSTANT"
                    && !sql.contains(&format!(") AS {name}"))
                    && !line.ends_with("VALUES CLAUSE") =>
            {
                tables.push(table_of(sql, name));
            }
            _ => {}
        }
    }
    tables
}

/// The tables a PostgreSQL plan walks through an index from end to end: an index scan with
/// no `Index Cond` (one that filters each row as it goes, say) reads as much as a sequential
/// scan, and the planner picks it when its statistics promise an early stop, as they did
/// before `ANALYZE` had run on a freshly loaded audit log.
fn walked(plan: &[String]) -> Vec<String> {
    let mut tables = Vec::new();
    for (i, line) in plan.iter().enumerate() {
        let node = line.trim_start_matches([' ', '-', '>']).trim();
        if !node.starts_with("Index Scan") && !node.starts_with("Index Only Scan") {
            continue;
        }
        let Some(table) = node
            .split(" on ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
        else {
            continue;
        };
        // The node's own detail lines run to the next node.
        let mut details = plan[i + 1..].iter().take_while(|l| !l.contains("->"));
        if !details.any(|l| l.trim().starts_with("Index Cond:")) {
            tables.push(table.to_owned());
        }
    }
    tables
}

/// The table `name` stands for in `sql`: itself, or the table it is an alias of.
fn table_of(sql: &str, name: &str) -> String {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(3) {
        let alias = match pair[1].eq_ignore_ascii_case("AS") {
            true => continue,
            false => pair[1],
        };
        if alias == name && pair[0] != name && is_table_word(&words, pair[0]) {
            return pair[0].to_owned();
        }
    }
    for pair in words.windows(3) {
        if pair[1].eq_ignore_ascii_case("AS") && pair[2] == name {
            return pair[0].to_owned();
        }
    }
    name.to_owned()
}

/// Whether `word` follows FROM, JOIN, UPDATE or INTO somewhere in `words`.
fn is_table_word(words: &[&str], word: &str) -> bool {
    words.windows(2).any(|w| {
        w[1] == word
            && ["FROM", "JOIN", "UPDATE", "INTO"]
                .iter()
                .any(|k| w[0].eq_ignore_ascii_case(k))
    })
}

#[test]
fn an_index_walked_with_a_filter_is_a_whole_read() {
    // PostgreSQL's plan for a user's audit trail on a million users before `ANALYZE`, when
    // it was one `OR` condition.
    let walk = [
        "Limit  (cost=0.43..1204.96 rows=20 width=140)",
        "  ->  Index Scan Backward using audit_logs_created_at on audit_logs  (cost=0.43..1608.6 rows=26705 width=140)",
        "        Filter: ((actor_id = 'u1'::text) OR (target_id = 'u1'::text))",
    ]
    .map(String::from);
    assert_eq!(walked(&walk), ["audit_logs"]);
    let range = [
        "Limit  (cost=8.46..8.47 rows=5 width=140)",
        "  ->  Incremental Sort  (cost=8.46..8.47 rows=5 width=140)",
        "        ->  Index Scan Backward using audit_logs_actor on audit_logs  (cost=0.43..8.45 rows=5 width=140)",
        "              Index Cond: (actor_id = 'u1'::text)",
        "  ->  Index Scan using users_pkey on users  (cost=0.42..8.44 rows=1 width=8)",
        "        Index Cond: (id = 'u1'::text)",
    ]
    .map(String::from);
    assert!(walked(&range).is_empty());
}
