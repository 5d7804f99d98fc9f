//! The `latchkey` command line. Every command reads the same configuration as `serve`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use latchkey_core::jwt::Algorithm;

use crate::app::{self, Clock};
use crate::config::{Config, Sources};
use crate::manage;

#[derive(Debug, Parser)]
#[command(
    name = "latchkey",
    version,
    about = "Latchkey, an OpenID Connect provider"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct Settings {
    /// Configuration file [default: ./latchkey.toml when it exists]
    #[arg(long = "config", env = "LATCHKEY_CONFIG", global = true)]
    config_file: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:3001]
    #[arg(long, env = "LATCHKEY_LISTEN", global = true)]
    listen: Option<String>,
    /// URL clients use to reach this server; the issuer is <public-url>/oidc
    /// [default: http://127.0.0.1:3001]
    #[arg(long, env = "LATCHKEY_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// sqlite://PATH or postgres://... [default: sqlite://latchkey-data/latchkey.db]
    #[arg(
        long,
        env = "LATCHKEY_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Algorithm of JWT access tokens: ES256 or RS256 [default: ES256]
    #[arg(long, env = "LATCHKEY_ACCESS_TOKEN_ALG", global = true)]
    access_token_alg: Option<String>,
    /// Name shown on the hosted pages [default: Latchkey]
    #[arg(long, env = "LATCHKEY_COMPANY_NAME", global = true)]
    company_name: Option<String>,
    /// https URL of the company's logo on the hosted pages
    #[arg(long, env = "LATCHKEY_LOGO_URL", global = true)]
    logo_url: Option<String>,
    /// Whether people may create their own account: true or false [default: true]
    #[arg(long, env = "LATCHKEY_SIGN_UP", global = true)]
    sign_up: Option<String>,
    /// Second factors: optional (users may enroll) or required (everyone enrolls) [default: optional]
    #[arg(long, env = "LATCHKEY_MFA", global = true)]
    mfa: Option<String>,
    /// Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR ranges, comma-separated
    #[arg(long, env = "LATCHKEY_TRUSTED_PROXIES", global = true)]
    trusted_proxies: Option<String>,
    /// Address for Prometheus metrics at /metrics, e.g. 127.0.0.1:9090 [default: none]
    #[arg(long, env = "LATCHKEY_METRICS_LISTEN", global = true)]
    metrics_listen: Option<String>,
    /// File holding the secret that encrypts private keys at rest
    /// (or set LATCHKEY_SECRET_KEY)
    #[arg(long, env = "LATCHKEY_SECRET_KEY_FILE", global = true)]
    secret_key_file: Option<PathBuf>,
    /// Hosts (name or name:port, comma-separated) whose client ID metadata documents may be
    /// fetched although they resolve to private or loopback addresses, over http too
    #[arg(long, env = "LATCHKEY_CIMD_ALLOW_HOSTS", global = true)]
    cimd_allow_hosts: Option<String>,
    /// PEM file of extra root certificates trusted when fetching client ID metadata documents
    #[arg(long, env = "LATCHKEY_CIMD_CA_FILE", global = true)]
    cimd_ca_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the server
    Serve,
    /// Apply database migrations and exit
    Migrate,
    /// Copy the SQLite database to FILE while the server runs (a consistent snapshot)
    Backup {
        /// The new file to write; it must not exist
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Create a machine-to-machine application allowed `all` on the management API
    Bootstrap {
        /// Print one JSON object: clientId, clientSecret, resource, issuer, tokenEndpoint
        #[arg(long)]
        json: bool,
    },
    /// Signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Users
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create a user, reading the password from the first line of standard input
    Create {
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Give the user the built-in administrator role
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (required: passwords never go on the command line)
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// List signing keys (public information only)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Rotate: next becomes current, current becomes previous, a new next is published
    Rotate {
        /// Only this family: RSA or EC [default: both]
        #[arg(long, value_parser = parse_family)]
        alg: Option<Algorithm>,
        /// Rotate even while the previous key may still verify live tokens or the next one was just published (a leaked key)
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
}

fn parse_family(value: &str) -> Result<Algorithm, String> {
    manage::keys::parse_family(value).ok_or_else(|| "expected RSA or EC".to_owned())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve => "info,sqlx=warn",
        _ => "warn",
    };
    crate::logs::init(default_level);

    let sources = Sources {
        config_file: cli.settings.config_file,
        listen: cli.settings.listen,
        public_url: cli.settings.public_url,
        database_url: cli.settings.database_url,
        access_token_alg: cli.settings.access_token_alg,
        company_name: cli.settings.company_name,
        sign_up: cli.settings.sign_up,
        mfa: cli.settings.mfa,
        logo_url: cli.settings.logo_url,
        trusted_proxies: cli.settings.trusted_proxies,
        metrics_listen: cli.settings.metrics_listen,
        secret_key: None,
        secret_key_file: cli.settings.secret_key_file,
        cimd_allow_hosts: cli.settings.cimd_allow_hosts,
        cimd_ca_file: cli.settings.cimd_ca_file,
        mail: crate::config::mail::MailSources::default(),
        retention: crate::config::retention::RetentionSources::default(),
    }
    .with_process_env();
    let config = match sources.resolve() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("latchkey: invalid configuration: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("latchkey: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("latchkey: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    let clock = Clock::system();
    match command {
        Command::Serve => app::run(config, clock).await,
        Command::Migrate => {
            app::open_db(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Backup { to } => {
            let db = app::open_db(&config).await?;
            if to.exists() {
                anyhow::bail!("{} already exists; choose a new file", to.display());
            }
            db.backup_to(&to.to_string_lossy()).await?;
            println!("backed up to {}", to.display());
            Ok(())
        }
        Command::Bootstrap { json } => {
            let db = app::open_db(&config).await?;
            let credentials = manage::bootstrap::bootstrap(&db, &config, clock.now_ms()).await?;
            if json {
                println!("{}", serde_json::to_string(&credentials)?);
            } else {
                println!("Created a machine-to-machine application for the management API.");
                println!("  client ID:      {}", credentials.client_id);
                println!(
                    "  client secret:  {}  (shown only now)",
                    credentials.client_secret
                );
                println!("  resource:       {}", credentials.resource);
                println!("  token endpoint: {}", credentials.token_endpoint);
            }
            Ok(())
        }
        Command::Users(UsersCommand::Create {
            username,
            email,
            name,
            admin,
            password_stdin: _,
        }) => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let state = app::build(config, clock).await?;
            let input = manage::users::NewUser {
                username,
                primary_email: email,
                primary_email_verified: None,
                primary_phone: None,
                name,
                password: Some(password),
                custom_data: None,
                profile: None,
                avatar: None,
            };
            let actor = manage::Actor::command_line();
            let user = manage::users::create(&state, &actor, input)
                .await
                .map_err(problem)?;
            if admin {
                let roles = manage::roles::RoleIds {
                    role_ids: vec![latchkey_core::resource::ADMIN_ROLE_ID.to_owned()],
                };
                manage::assignments::assign_to_user(&state, &actor, &user.id, roles)
                    .await
                    .map_err(problem)?;
            }
            println!("{}", serde_json::to_string(&user)?);
            Ok(())
        }
        Command::Keys(KeysCommand::List { json }) => {
            let db = app::open_db(&config).await?;
            // Opening the keyring creates the keys on a database that has none yet.
            crate::keyring::Keyring::open(db.clone(), config.secret_key.as_deref(), clock.now_ms())
                .await?;
            print_keys(&db.find_signing_keys().await?, json)
        }
        Command::Keys(KeysCommand::Rotate { alg, force, json }) => {
            let state = app::build(config, clock).await?;
            let algorithms =
                alg.map_or_else(|| vec![Algorithm::RS256, Algorithm::ES256], |a| vec![a]);
            // Through the same operation as the API and the console, so that it is audited.
            let actor = manage::Actor::command_line();
            manage::keys::rotate_now(&state, &actor, &algorithms, force)
                .await
                .map_err(|p| match p.code() {
                    "key.rotation_too_soon" => anyhow::anyhow!("{p} (--force rotates anyway)"),
                    _ => problem(p),
                })?;
            print_keys(&state.db.find_signing_keys().await?, json)
        }
    }
}

/// A management error as one line for the terminal.
fn problem(p: manage::Error) -> anyhow::Error {
    match p.field() {
        Some(field) => anyhow::anyhow!("{} ({field}): {p}", p.code()),
        None => anyhow::anyhow!("{}: {p}", p.code()),
    }
}

fn print_keys(keys: &[latchkey_core::keys::SigningKey], json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<_> = keys
            .iter()
            .map(|k| {
                serde_json::json!({"id": k.kid, "algorithm": k.algorithm.as_str(), "state": k.state.as_str(), "createdAt": k.created_at, "retiredAt": k.retired_at, "encrypted": k.encrypted})
            })
            .collect();
        println!("{}", serde_json::to_string(&list)?);
    } else {
        for k in keys {
            let retired = k
                .retired_at
                .map_or(String::new(), |at| format!("  retired {at}"));
            println!(
                "{}  {}  {:<8}  created {}{retired}",
                k.kid,
                k.algorithm.as_str(),
                k.state.as_str(),
                k.created_at
            );
        }
    }
    Ok(())
}
