//! The load generator: `wrk` (Debian's package), the same for both servers. Each operation is
//! a small Lua script; one-time artefacts (codes, refresh tokens) come from a prepared pool,
//! one file per wrk thread, and a rotated refresh token goes back into its thread's pool.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// One HTTP request shape, fixed or drawing one item per request from a pool.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Fixed(String),
    /// `prefix + item + suffix`, one pool item per request.
    Pooled {
        prefix: String,
        suffix: String,
        items: Vec<String>,
        /// Put the `refresh_token` of each answer back into the pool.
        recycle: bool,
    },
    /// No body; each request's path is the next of these (whole paths), in turn.
    Paths(Vec<String>),
}

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcome {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Non-2xx/3xx answers, socket errors and timeouts.
    pub errors: u64,
}

/// Load settings shared by every run.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub threads: usize,
    pub connections: usize,
    pub seconds: u64,
}

pub fn run(load: Load, base: &str, request: &Request, dir: &Path) -> anyhow::Result<Outcome> {
    let script = dir.join("script.lua");
    std::fs::write(&script, lua(request, dir, load.threads)?)?;
    let output = Command::new("wrk")
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.seconds))
        .args(["--latency", "--timeout", "5s", "-s"])
        .arg(&script)
        .arg(format!("{base}{}", request.path))
        .output()
        .context("running wrk (install it: apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse(&text)
}

fn quoted(value: &str) -> String {
    format!("{value:?}")
}

fn lua(request: &Request, dir: &Path, threads: usize) -> anyhow::Result<String> {
    let mut headers = String::from("local headers = {}\n");
    for (name, value) in &request.headers {
        headers += &format!("headers[{}] = {}\n", quoted(name), quoted(value));
    }
    let script = match &request.body {
        Body::Paths(paths) => {
            for thread in 0..threads {
                let file = dir.join(format!("paths-{thread}.txt"));
                std::fs::write(file, paths.join("\n") + "\n")?;
            }
            format!(
                "{headers}local threads = 0\nfunction setup(thread) thread:set(\"id\", threads); threads = threads + 1 end\n\
                 paths = {{}}\nlocal next = 0\nfunction init(args)\n  for line in io.lines({dir} .. \"/paths-\" .. id .. \".txt\") do\n    if #line > 0 then paths[#paths + 1] = line end\n  end\n  next = id * 7919\nend\n\
                 function request()\n  next = next + 1\n  return wrk.format({method}, paths[(next % #paths) + 1], headers, nil)\nend\n",
                dir = quoted(&dir.to_string_lossy()),
                method = quoted(request.method),
            )
        }
        Body::None | Body::Fixed(_) => {
            let body = match &request.body {
                Body::Fixed(body) => format!("wrk.body = {}\n", quoted(body)),
                _ => String::new(),
            };
            format!(
                "{headers}wrk.method = {}\nfor k, v in pairs(headers) do wrk.headers[k] = v end\n{body}",
                quoted(request.method)
            )
        }
        Body::Pooled {
            prefix,
            suffix,
            items,
            recycle,
        } => {
            for thread in 0..threads {
                let slice: Vec<&str> = items
                    .iter()
                    .skip(thread)
                    .step_by(threads)
                    .map(String::as_str)
                    .collect();
                std::fs::write(
                    dir.join(format!("pool-{thread}.txt")),
                    slice.join("\n") + "\n",
                )?;
            }
            let recycle = match recycle {
                true => {
                    "function response(status, hdrs, body)\n  local token = body:match('\"refresh_token\":\"([^\"]+)\"')\n  if token then pool[#pool + 1] = token end\nend\n"
                }
                false => "",
            };
            format!(
                "{headers}local threads = 0\nfunction setup(thread) thread:set(\"id\", threads); threads = threads + 1 end\n\
                 pool = {{}}\nfunction init(args)\n  for line in io.lines({dir} .. \"/pool-\" .. id .. \".txt\") do\n    if #line > 0 then pool[#pool + 1] = line end\n  end\nend\n\
                 function request()\n  local item = table.remove(pool)\n  if not item then wrk.thread:stop(); item = \"exhausted\" end\n  return wrk.format({method}, {path}, headers, {prefix} .. item .. {suffix})\nend\n{recycle}",
                dir = quoted(&dir.to_string_lossy()),
                method = quoted(request.method),
                path = quoted(&request.path),
                prefix = quoted(prefix),
                suffix = quoted(suffix),
            )
        }
    };
    Ok(script)
}

fn parse(text: &str) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(value)) => outcome.requests_per_second = value.parse()?,
            (Some("50.000%" | "50%"), Some(value)) => outcome.p50_ms = millis(value)?,
            (Some("99.000%" | "99%"), Some(value)) => outcome.p99_ms = millis(value)?,
            (Some("Non-2xx"), _) => {
                outcome.errors += line.rsplit(' ').next().unwrap_or("0").parse::<u64>()?;
            }
            (Some("Socket"), Some("errors:")) => {
                for part in line.trim_start_matches("Socket errors:").split(',') {
                    let count = part.split_whitespace().last().unwrap_or("0");
                    outcome.errors += count.parse::<u64>()?;
                }
            }
            (Some(count), Some("requests")) => outcome.requests = count.parse()?,
            _ => {}
        }
    }
    if outcome.requests_per_second == 0.0 {
        bail!("wrk printed no rate:\n{text}");
    }
    Ok(outcome)
}

fn millis(value: &str) -> anyhow::Result<f64> {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .context("latency without a unit")?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        other => bail!("unknown latency unit {other}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_wrk_prints() {
        let text = "Running 1s test @ http://127.0.0.1:3001/oidc/jwks\n  2 threads and 64 connections\n  Latency Distribution\n     50%  412.00us\n     75%  600.00us\n     90%    1.10ms\n     99%    4.52ms\n  31234 requests in 1.00s, 20.00MB read\n  Socket errors: connect 0, read 1, write 0, timeout 2\n  Non-2xx or 3xx responses: 5\nRequests/sec:  31200.12\nTransfer/sec:     20.00MB\n";
        let outcome = parse(text).unwrap_or_default();
        assert_eq!(outcome.requests, 31234);
        assert_eq!(outcome.errors, 8);
        assert!((outcome.p50_ms - 0.412).abs() < 1e-9);
        assert!((outcome.p99_ms - 4.52).abs() < 1e-9);
        assert!((outcome.requests_per_second - 31200.12).abs() < 1e-9);
    }
}
