//! Filling a database with a large deployment's worth of rows, fast, for the scale benchmark
//! (`latchkey-bench --scale`): multi-row `INSERT`s of a few hundred rows, twenty to a
//! transaction, the same SQL on both databases. Every row is made up from its number, so
//! that the benchmark can name any of them again (a user's name, a live refresh token).

use latchkey_core::grant::token_hash;

use crate::sql::statement::{Arg, Statement, placeholders_from};
use crate::{Db, Result};

/// What to add, relative to `now_ms`.
#[derive(Debug, Clone)]
pub struct Population {
    pub users: u64,
    /// One argon2id hash for every user: hashing a million passwords would take hours and
    /// measure nothing the benchmark is about.
    pub password_hash: String,
    /// The two applications each user has a grant (and a consent) for.
    pub apps: [String; 2],
    pub now_ms: i64,
}

/// Refresh tokens per grant; the last one is live, the others expired or consumed.
pub const TOKENS_PER_GRANT: u64 = 10;
/// Audit entries per user, spread over the last 180 days.
pub const AUDIT_PER_USER: u64 = 5;
/// Users per organization.
pub const USERS_PER_ORGANIZATION: u64 = 100;

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;
const FIRST: [&str; 16] = [
    "olivia", "liam", "emma", "noah", "amelia", "oliver", "sophia", "elijah", "ava", "lucas",
    "mia", "mateo", "chloe", "hugo", "ines", "jules",
];
const LAST: [&str; 16] = [
    "martin", "garcia", "smith", "muller", "rossi", "dubois", "silva", "kowalski", "nguyen",
    "jensen", "novak", "moreau", "costa", "weber", "laurent", "bernard",
];

pub fn user_id(n: u64) -> String {
    format!("seed{n:017}")
}

/// `olivia_martin42`: names repeat, numbers make them unique.
pub fn username(n: u64) -> String {
    let first = FIRST[(n % 16) as usize];
    let last = LAST[((n / 16) % 16) as usize];
    format!("{first}_{last}{n}")
}

/// `olivia.martin42@example.com`.
pub fn email(n: u64) -> String {
    format!("{}@example.com", username(n).replace('_', "."))
}

/// The refresh token `k` of user `n`'s grant to application `app` (0 or 1), seeded at
/// `now_ms`: shaped as Latchkey's own (`random::ordered_secret`: a prefix that sorts by the
/// time it was issued, so that the index grows at its end as it does in service), with a
/// tail made from its numbers rather than random.
pub fn refresh_token(n: u64, app: usize, k: u64, now_ms: i64) -> String {
    let mut value = latchkey_core::random::ordered_secret(issued(n, k, now_ms));
    value.truncate(latchkey_core::random::TIME_PREFIX_LEN);
    value.push_str(&format!("{:x>43}", format!("seed{n}r{app}r{k}")));
    value
}

/// When refresh token `k` of user `n`'s grants was issued: a day apart, the live one about a
/// day ago; a millisecond later per user, so that seeding appends to each token index as a
/// server in service does, rather than writing at random pages.
fn issued(n: u64, k: u64, now_ms: i64) -> i64 {
    now_ms - (TOKENS_PER_GRANT - k) as i64 * DAY_MS + n as i64
}

/// Whether refresh token `k` of a grant is the live one.
pub fn live(k: u64) -> bool {
    k == TOKENS_PER_GRANT - 1
}

fn grant_id(n: u64, app: usize) -> String {
    format!("seedgrant{n:012}x{app}")
}

fn organization_id(o: u64) -> String {
    format!("seedorg{o:012}")
}

/// `INSERT INTO table (columns) VALUES (...), (...)` for `rows`, each `columns.len()` values.
fn insert(table: &str, columns: &[&str], rows: Vec<Vec<Arg>>) -> Statement {
    let width = columns.len();
    let groups: Vec<String> = (0..rows.len())
        .map(|r| format!("({})", placeholders_from(r * width + 1, width)))
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        groups.join(", ")
    );
    Statement::new(sql, rows.into_iter().flatten())
}

/// Rows per statement and statements per transaction.
const ROWS: u64 = 250;
const STATEMENTS: u64 = 20;

impl Db {
    /// Add `population`'s users (`from` to `to`, exclusive) with everything that hangs off
    /// them: their grants, consents, refresh tokens, audit entries and memberships. Called
    /// in chunks, so that the caller can show progress.
    pub async fn seed(&self, population: &Population, from: u64, to: u64) -> Result<()> {
        let mut statements = Vec::new();
        let mut start = from;
        while start < to {
            let end = (start + ROWS).min(to);
            statements.extend(self.seed_rows(population, start, end));
            if statements.len() as u64 >= STATEMENTS {
                self.execute(std::mem::take(&mut statements)).await?;
            }
            start = end;
        }
        if !statements.is_empty() {
            self.execute(statements).await?;
        }
        Ok(())
    }

    fn seed_rows(&self, p: &Population, from: u64, to: u64) -> Vec<Statement> {
        let now = p.now_ms;
        let created = |n: u64| now - 400 * DAY_MS + (n as i64 % 1000) * 60_000;
        // Grants are younger than their refresh tokens' absolute lifetime (180 days), older
        // than their first token (ten days ago).
        let granted = |n: u64| now - 20 * DAY_MS - (n as i64 % 1000) * 60_000;
        let mut out = Vec::new();
        let organizations: Vec<Vec<Arg>> = (from..to)
            .filter(|n| n % USERS_PER_ORGANIZATION == 0)
            .map(|n| {
                let o = n / USERS_PER_ORGANIZATION;
                vec![
                    organization_id(o).into(),
                    format!("Organization {o}").into(),
                    created(n).into(),
                ]
            })
            .collect();
        if !organizations.is_empty() {
            let columns = ["id", "name", "created_at"];
            out.push(insert("organizations", &columns, organizations));
        }
        let users = (from..to).map(|n| {
            vec![
                user_id(n).into(),
                username(n).into(),
                email(n).into(),
                format!(
                    "{} {}",
                    FIRST[(n % 16) as usize],
                    LAST[((n / 16) % 16) as usize]
                )
                .into(),
                (&p.password_hash).into(),
                created(n).into(),
                created(n).into(),
            ]
        });
        let columns = [
            "id",
            "username",
            "primary_email",
            "name",
            "password_hash",
            "created_at",
            "updated_at",
        ];
        out.push(insert("users", &columns, users.collect()));
        let members = (from..to).map(|n| {
            let o = n / USERS_PER_ORGANIZATION;
            vec![
                organization_id(o).into(),
                user_id(n).into(),
                created(n).into(),
            ]
        });
        let columns = ["organization_id", "user_id", "created_at"];
        out.push(insert("organization_users", &columns, members.collect()));

        let pairs: Vec<(u64, usize)> = (from..to).flat_map(|n| [(n, 0), (n, 1)]).collect();
        let consents = pairs.iter().map(|&(n, a)| {
            vec![
                grant_id(n, a).into(),
                user_id(n).into(),
                (&p.apps[a]).into(),
                granted(n).into(),
                granted(n).into(),
            ]
        });
        let columns = [
            "id",
            "user_id",
            "application_id",
            "created_at",
            "last_used_at",
        ];
        out.push(insert("consents", &columns, consents.collect()));
        let scopes = pairs.iter().flat_map(|&(n, a)| {
            ["profile", "offline_access"].map(|s| vec![grant_id(n, a).into(), s.into()])
        });
        let columns = ["consent_id", "scope"];
        out.push(insert("consent_user_scopes", &columns, scopes.collect()));
        let grants = pairs.iter().map(|&(n, a)| {
            vec![
                grant_id(n, a).into(),
                (&p.apps[a]).into(),
                user_id(n).into(),
                "openid profile offline_access".into(),
                granted(n).into(),
                granted(n).into(),
            ]
        });
        let columns = [
            "id",
            "client_id",
            "user_id",
            "scope",
            "auth_time",
            "created_at",
        ];
        out.push(insert("grants", &columns, grants.collect()));

        // Ten refresh tokens per grant, one statement per few grants: expired ones (odd),
        // consumed ones (even), then the live one. The expired ones expired hours ago: a
        // server in service keeps such tokens for a day (`REPLAY_MEMORY_MS`) and has deleted
        // older ones, so the run does not start on a backlog its sweeper would be clearing.
        let tokens: Vec<Vec<Arg>> = pairs
            .iter()
            .flat_map(|&(n, a)| (0..TOKENS_PER_GRANT).map(move |k| (n, a, k)))
            .map(|(n, a, k)| {
                let issued = issued(n, k, now);
                let (expires, consumed) = match (live(k), k % 2) {
                    (true, _) => (now + 30 * DAY_MS, None),
                    (false, 1) => (now - 4 * HOUR_MS - k as i64 * 60_000, None),
                    (false, _) => (now + 20 * DAY_MS, Some(issued + DAY_MS)),
                };
                vec![
                    token_hash(&refresh_token(n, a, k, now)).into(),
                    grant_id(n, a).into(),
                    "openid profile offline_access".into(),
                    issued.into(),
                    expires.into(),
                    consumed.into(),
                ]
            })
            .collect();
        let columns = [
            "token_hash",
            "grant_id",
            "scope",
            "created_at",
            "expires_at",
            "consumed_at",
        ];
        for chunk in tokens.chunks(ROWS as usize) {
            out.push(insert("refresh_tokens", &columns, chunk.to_vec()));
        }

        let audit: Vec<Vec<Arg>> = (from..to)
            .flat_map(|n| (0..AUDIT_PER_USER).map(move |e| (n, e)))
            .map(|(n, e)| {
                let at = now - ((n * 7 + e * 37) % 180) as i64 * DAY_MS - e as i64 * 1000;
                vec![
                    format!("seedaudit{n:012}x{e}").into(),
                    at.into(),
                    "user".into(),
                    user_id(n).into(),
                    "sign_in.success".into(),
                    "application".into(),
                    (&p.apps[(e % 2) as usize]).into(),
                ]
            })
            .collect();
        let columns = [
            "id",
            "created_at",
            "actor_type",
            "actor_id",
            "action",
            "target_type",
            "target_id",
        ];
        for chunk in audit.chunks(ROWS as usize) {
            out.push(insert("audit_logs", &columns, chunk.to_vec()));
        }
        out
    }
}
