#!/usr/bin/env python3
"""Refresh token rotations done by SQLite alone, for `latchkey-bench --scale`'s report: what a
rotation costs the database itself on the seeded file, against a small file of the same schema.

Runs on the seeded database a scale run kept (`LATCHKEY_BENCH_KEEP=1`):

    python3 bench/bare-rotation.py /tmp/.../seeded/latchkey.db [seconds]

One thread does what Latchkey's reader and group-commit writer do for a rotation, with the
same statements and settings (WAL, synchronous = FULL): the read of the token with its grant
and user, then, sixteen rotations to a transaction, the consuming UPDATE and the INSERT of the
next token (a time-ordered key, as Latchkey's). 128 chains, each rotating its own latest token,
as the benchmark's connections do. Measured three ways, alternated over the rounds:

- small: a new file with the seeded file's schema and only the chains' rows;
- seeded: the seeded file, chains started from live seeded tokens of random users;
- seeded + sweep: the same while the sweep's DELETE of expired refresh tokens (500 a step,
  pausing 100 ms, or four times the step's time if longer) takes its turns on the writer.

It writes to the seeded file (consumes tokens, adds some): run it on a copy you can lose.
"""

import hashlib
import os
import random
import sqlite3
import sys
import time

READ = """SELECT r.token_hash, r.grant_id, r.scope, r.created_at, r.expires_at, g.*, u.*
FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id LEFT JOIN users u ON u.id = g.user_id
WHERE r.token_hash = ? AND r.consumed_at IS NULL AND r.expires_at > ? AND g.revoked_at IS NULL"""
CONSUME = """UPDATE refresh_tokens SET consumed_at = ?
WHERE token_hash = ? AND consumed_at IS NULL RETURNING grant_id"""
INSERT = """INSERT INTO refresh_tokens (token_hash, grant_id, scope, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)"""
SWEEP = """DELETE FROM refresh_tokens WHERE token_hash IN
(SELECT token_hash FROM refresh_tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?)"""
CHAINS = 128
BATCH = 16
DAY_MS = 24 * 3600 * 1000
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def now_ms():
    return int(time.time() * 1000)


def key(ms):
    """A stored key shaped as Latchkey's: nine base-36 digits of time, a SHA-256 in hex."""
    prefix = ""
    for _ in range(9):
        ms, digit = divmod(ms, 36)
        prefix = DIGITS[digit] + prefix
    return prefix + hashlib.sha256(os.urandom(32)).hexdigest()


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON",
                   "busy_timeout = 5000", "temp_store = MEMORY"):
        db.execute("PRAGMA " + pragma)
    return db


def live_chains(db):
    """Live seeded tokens of random users: (key, grant)."""
    top = db.execute("SELECT MAX(rowid) FROM refresh_tokens").fetchone()[0]
    chains, now = [], now_ms()
    while len(chains) < CHAINS:
        row = db.execute(
            "SELECT token_hash, grant_id FROM refresh_tokens WHERE rowid = ? "
            "AND consumed_at IS NULL AND expires_at > ?", (random.randint(1, top), now)
        ).fetchone()
        if row and all(row[0] != c[0] for c in chains):
            chains.append(list(row))
    return chains


def small_copy(seeded, path):
    """A new file with the seeded file's schema and the chains' users, grants and tokens."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = connect(path)
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("ATTACH DATABASE ? AS seeded", (seeded,))
    for (sql,) in db.execute(
            "SELECT sql FROM seeded.sqlite_schema WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite%' ORDER BY type = 'index', rowid").fetchall():
        db.execute(sql)
    source = connect(seeded)
    chains = live_chains(source)
    source.close()
    for token, grant in chains:
        db.execute("INSERT OR IGNORE INTO grants SELECT * FROM seeded.grants WHERE id = ?", (grant,))
        db.execute("INSERT OR IGNORE INTO users SELECT * FROM seeded.users WHERE id = "
                   "(SELECT user_id FROM seeded.grants WHERE id = ?)", (grant,))
        db.execute("INSERT INTO refresh_tokens SELECT * FROM seeded.refresh_tokens "
                   "WHERE token_hash = ?", (token,))
    db.execute("DETACH DATABASE seeded")
    db.close()
    return chains


def rotate(path, chains, seconds, sweeping):
    """Rotations per second on the file at `path`, and the writer's share taken by the sweep."""
    reader, writer = connect(path), connect(path)
    done, swept, sweep_time, turn = 0, 0, 0.0, 0
    next_sweep = time.monotonic()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if sweeping and time.monotonic() >= next_sweep:
            t = time.monotonic()
            writer.execute("BEGIN IMMEDIATE")
            swept += writer.execute(SWEEP, (now_ms(), 500)).rowcount
            writer.execute("COMMIT")
            took = time.monotonic() - t
            sweep_time += took
            next_sweep = time.monotonic() + max(0.1, 4 * took)
        now = now_ms()
        batch = []
        for _ in range(BATCH):
            chain = chains[turn % CHAINS]
            turn += 1
            found = reader.execute(READ, (chain[0], now)).fetchone()
            if found is None:
                sys.exit(f"token {chain[0]} is not live")
            batch.append((chain, key(now)))
        writer.execute("BEGIN IMMEDIATE")
        for chain, new in batch:
            writer.execute(CONSUME, (now, chain[0])).fetchone()
            writer.execute(INSERT, (new, chain[1], "openid profile offline_access",
                                    now, now + 30 * DAY_MS))
            chain[0] = new
        writer.execute("COMMIT")
        done += BATCH
    elapsed = time.monotonic() - started
    reader.close()
    writer.close()
    return done / elapsed, sweep_time / elapsed, swept


def main():
    seeded = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    small = os.path.join(os.path.dirname(os.path.abspath(seeded)), "bare-small.db")
    small_chains = small_copy(seeded, small)
    seeded_chains = live_chains(connect(seeded))
    results = {"small": [], "seeded": [], "seeded + sweep": []}
    for _ in range(2):
        results["small"].append(rotate(small, small_chains, seconds, False))
        results["seeded"].append(rotate(seeded, seeded_chains, seconds, False))
        results["seeded + sweep"].append(rotate(seeded, seeded_chains, seconds, True))
    print(f"SQLite {sqlite3.sqlite_version}, one thread, {BATCH} rotations per transaction, "
          f"{CHAINS} chains, {seconds:.0f} s per run, 2 rounds alternated")
    print("| file | rotations/s (per round) | writer time sweeping | rows swept |")
    print("|---|---:|---:|---:|")
    for name, runs in results.items():
        rates = " / ".join(f"{r:.0f}" for r, _, _ in runs)
        share = max(s for _, s, _ in runs)
        swept = sum(n for _, _, n in runs)
        print(f"| {name} | {rates} | {share:.0%} | {swept} |")


if __name__ == "__main__":
    main()
