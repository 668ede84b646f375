//! Configuration: environment variables (`STOREFRONT_*` and `DATABASE_URL`), over an optional
//! `storefront.toml` whose keys are the same names in lower case without the prefix
//! (`bind`, `database_url`, `jwt_secret`, ...). The environment wins.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::db::{DatabaseUrl, PoolOptions};
use crate::error::Secret;

/// Every setting, with its default. The README lists the same table; keep them together.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "DATABASE_URL",
        "sqlite://data/storefront.db",
        "sqlite://PATH or postgres://...",
    ),
    ("STOREFRONT_BIND", "127.0.0.1:8080", "listen address"),
    ("STOREFRONT_ENV", "development", "development or production"),
    (
        "STOREFRONT_DATA_DIR",
        "data",
        "folder for the development JWT secret and mail files",
    ),
    (
        "STOREFRONT_JWT_SECRET",
        "",
        "at least 32 bytes; generated once in development",
    ),
    (
        "STOREFRONT_SMTP_URL",
        "",
        "smtp://user:pass@host:587 (STARTTLS) or smtp://127.0.0.1:2525",
    ),
    (
        "STOREFRONT_MAIL_FROM",
        "Storefront <no-reply@localhost>",
        "sender of every mail",
    ),
    (
        "STOREFRONT_PUBLIC_URL",
        "http://127.0.0.1:8080",
        "base for links in mails",
    ),
    (
        "STOREFRONT_ALLOWED_ORIGINS",
        "",
        "comma list: CORS and redirect_url validation",
    ),
    (
        "STOREFRONT_TRUSTED_PROXIES",
        "",
        "comma list of proxy addresses or CIDR ranges whose X-Forwarded-For is believed",
    ),
    (
        "STOREFRONT_HSTS_MAX_AGE",
        "31536000",
        "Strict-Transport-Security max-age in production, seconds (0: no header)",
    ),
    (
        "STOREFRONT_SEED",
        "demo",
        "demo (development, empty database) or none",
    ),
    (
        "STOREFRONT_LOG_FORMAT",
        "pretty",
        "pretty or json (RUST_LOG sets the filter)",
    ),
    (
        "STOREFRONT_ACCESS_TOKEN_TTL",
        "3600",
        "access JWT lifetime, seconds",
    ),
    (
        "STOREFRONT_REFRESH_TOKEN_TTL",
        "2592000",
        "session absolute lifetime, seconds",
    ),
    (
        "STOREFRONT_REFRESH_REUSE_GRACE",
        "10",
        "seconds a rotated refresh token may be replayed",
    ),
    (
        "STOREFRONT_PASSWORD_RESET_TTL",
        "900",
        "reset token lifetime, seconds",
    ),
    (
        "STOREFRONT_EMAIL_VERIFICATION_TTL",
        "86400",
        "lifetime of email verification and email change links, seconds",
    ),
    (
        "STOREFRONT_REQUIRE_VERIFIED_EMAIL",
        "false",
        "true: sign-in needs a verified email (EMAIL_NOT_VERIFIED otherwise)",
    ),
    (
        "STOREFRONT_DATA_EXPORT_TTL",
        "86400",
        "lifetime of a data export download link, seconds",
    ),
    ("STOREFRONT_SHOP_NAME", "Storefront Demo", "the shop's name"),
    ("STOREFRONT_CURRENCY", "USD", "default currency, ISO 4217"),
    (
        "STOREFRONT_COUNTRIES",
        "US",
        "countries the shop sells to, ISO 3166-1 alpha-2, comma list",
    ),
    ("STOREFRONT_DB_POOL_SIZE", "16", "most database connections"),
    (
        "STOREFRONT_DB_POOL_TIMEOUT",
        "5",
        "seconds a request waits for a connection",
    ),
    (
        "STOREFRONT_BODY_LIMIT",
        "102400",
        "largest request body, bytes",
    ),
    (
        "STOREFRONT_REQUEST_TIMEOUT",
        "30",
        "seconds before a request is answered 408",
    ),
    (
        "STOREFRONT_MAX_HEADER_BYTES",
        "16384",
        "largest header block of a request, bytes (431 beyond)",
    ),
    (
        "STOREFRONT_MAX_URL_BYTES",
        "8192",
        "longest request target (path and query), bytes (414 beyond)",
    ),
    (
        "STOREFRONT_HEADER_READ_TIMEOUT",
        "30",
        "seconds a connection has to send a request's headers; also closes idle keep-alive connections",
    ),
    (
        "STOREFRONT_CATALOG_CACHE_TTL",
        "2",
        "seconds anonymous catalogue reads are served from the in-process cache (and max-age); 0 disables",
    ),
    (
        "STOREFRONT_SHUTDOWN_TIMEOUT",
        "30",
        "seconds in-flight requests get on shutdown",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_DEPTH",
        "15",
        "deepest GraphQL selection",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_COMPLEXITY",
        "5000",
        "largest GraphQL query cost",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_BATCH",
        "5",
        "operations in one batched GraphQL request",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_ALIASES",
        "30",
        "aliased fields in one GraphQL operation",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_FIELD_REPEATS",
        "10",
        "times one field may be selected in one selection set",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_DIRECTIVES",
        "5",
        "directives on one field",
    ),
    (
        "STOREFRONT_GRAPHQL_MAX_QUERY_SIZE",
        "32768",
        "longest GraphQL query text, bytes",
    ),
    (
        "STOREFRONT_GRAPHQL_TIMEOUT",
        "10",
        "seconds one GraphQL operation may run",
    ),
    (
        "STOREFRONT_GRAPHQL_INTROSPECTION",
        "",
        "true or false; empty: on in development, off in production",
    ),
    (
        "STOREFRONT_GRAPHQL_SUGGESTIONS",
        "",
        "\"did you mean\" hints in errors; empty: on in development, off in production",
    ),
    (
        "STOREFRONT_GRAPHIQL",
        "",
        "serve /graphiql; empty: on in development, off in production",
    ),
    (
        "STOREFRONT_WS_MAX_CONNECTIONS",
        "1000",
        "GraphQL WebSockets open at once per instance; more are answered 503",
    ),
    (
        "STOREFRONT_WS_MAX_SUBSCRIPTIONS",
        "20",
        "subscriptions running at once on one WebSocket",
    ),
    (
        "STOREFRONT_WS_MAX_MESSAGE",
        "65536",
        "largest WebSocket message a client may send, bytes",
    ),
    (
        "STOREFRONT_WS_KEEPALIVE",
        "15",
        "seconds between pings; a socket silent for three is closed",
    ),
    (
        "STOREFRONT_WS_INIT_TIMEOUT",
        "10",
        "seconds a new socket has to send connection_init (else closed 4408)",
    ),
    (
        "STOREFRONT_EVENTS_BUFFER",
        "1024",
        "events a subscriber may fall behind before it is told it lagged",
    ),
    (
        "STOREFRONT_PASSWORD_HASH_CONCURRENCY",
        "0",
        "password hashes computed at once; 0 = one per core",
    ),
    (
        "STOREFRONT_THROTTLE_WINDOW",
        "300",
        "seconds of one throttle window (fixed windows)",
    ),
    (
        "STOREFRONT_THROTTLE_LOGIN_PER_IP",
        "30",
        "login and password-change attempts per IP per window",
    ),
    (
        "STOREFRONT_THROTTLE_LOGIN_PER_ACCOUNT",
        "10",
        "login and password-change attempts per account per window",
    ),
    (
        "STOREFRONT_THROTTLE_REGISTER_PER_IP",
        "10",
        "registrations per IP per window",
    ),
    (
        "STOREFRONT_THROTTLE_REFRESH_PER_IP",
        "120",
        "refresh-token uses per IP per window",
    ),
    (
        "STOREFRONT_THROTTLE_RESET_PER_IP",
        "10",
        "password reset requests and attempts per IP per window",
    ),
    (
        "STOREFRONT_THROTTLE_RESET_PER_ACCOUNT",
        "5",
        "password reset requests per email per window",
    ),
    (
        "STOREFRONT_THROTTLE_ACCOUNT_MAIL_PER_IP",
        "10",
        "verification resends, email changes and data exports per IP per window",
    ),
    (
        "STOREFRONT_THROTTLE_ACCOUNT_MAIL_PER_ACCOUNT",
        "3",
        "verification resends, email changes and data exports per account per window",
    ),
    (
        "STOREFRONT_THROTTLE_GIFT_CARD_PER_IP",
        "20",
        "gift card codes tried on carts per IP per window",
    ),
    (
        "STOREFRONT_THROTTLE_GIFT_CARD_PER_ACCOUNT",
        "10",
        "gift card codes tried on carts per account (signed in) or cart (guest) per window",
    ),
    (
        "STOREFRONT_SHIPPING_RATE",
        "500",
        "flat delivery price per order, in minor units of the currency",
    ),
    (
        "STOREFRONT_FREE_SHIPPING_OVER",
        "",
        "item total (minor units) from which delivery is free; empty = never",
    ),
    (
        "STOREFRONT_TAX_RATE",
        "0",
        "tax in percent of items plus delivery (e.g. 8.875); 0 = no tax",
    ),
    (
        "STOREFRONT_MAIL_POLL_INTERVAL",
        "10",
        "seconds between the mail worker's looks for mail queued by other instances",
    ),
    (
        "STOREFRONT_MAIL_RETRY_DELAY",
        "5",
        "seconds before a failed mail is retried, doubled each time",
    ),
    (
        "STOREFRONT_MAIL_RETRY_MAX_DELAY",
        "1800",
        "longest wait between two attempts at a mail, seconds",
    ),
    (
        "STOREFRONT_MAIL_MAX_ATTEMPTS",
        "20",
        "attempts at a mail before it is given up",
    ),
    (
        "STOREFRONT_MAIL_LEASE",
        "120",
        "seconds a worker holds a mail it is sending; then another instance may retake it",
    ),
    (
        "STOREFRONT_CART_TTL",
        "2592000",
        "seconds after which an untouched guest cart is deleted (30 days)",
    ),
    (
        "STOREFRONT_EVENT_RETENTION",
        "2592000",
        "seconds events, and mail already sent or given up, are kept (30 days)",
    ),
    (
        "STOREFRONT_HOUSEKEEPING_INTERVAL",
        "3600",
        "seconds between housekeeping passes (expired rows, old carts and events)",
    ),
    (
        "STOREFRONT_WISHLIST_MAX_LISTS",
        "20",
        "wishlists one customer may keep",
    ),
    (
        "STOREFRONT_WISHLIST_MAX_ITEMS",
        "200",
        "items (distinct variants) one wishlist may hold",
    ),
    (
        "STOREFRONT_WISHLIST_MAX_QUANTITY",
        "10000",
        "largest quantity of one wishlist item",
    ),
];

/// Development or production: production refuses unsafe defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Whether to load the demo catalogue into an empty database at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedMode {
    Demo,
    None,
}

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// GraphQL limits, all set explicitly.
#[derive(Clone, Debug)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_batch: usize,
    pub max_aliases: usize,
    pub max_field_repeats: usize,
    pub max_directives: usize,
    pub max_query_size: usize,
    pub timeout: Duration,
    /// Whether `__schema` and `__type` answer.
    pub introspection: bool,
    /// Whether errors suggest names ("did you mean ...").
    pub suggestions: bool,
    /// Whether `/graphiql` is served.
    pub graphiql: bool,
}

/// Bounds of the GraphQL WebSocket and of event publication (DESIGN.md section 7).
#[derive(Clone, Debug)]
pub struct SocketLimits {
    pub max_connections: usize,
    pub max_subscriptions: usize,
    pub max_message: usize,
    pub keepalive: Duration,
    pub init_timeout: Duration,
    /// Events one subscriber may fall behind before it is told it lagged.
    pub events_buffer: usize,
}

/// Throttles (DESIGN.md section 5): attempts allowed per fixed window, per IP and per account.
#[derive(Clone, Debug)]
pub struct ThrottleLimits {
    pub window: Duration,
    pub login_per_ip: u32,
    pub login_per_account: u32,
    pub register_per_ip: u32,
    pub refresh_per_ip: u32,
    pub reset_per_ip: u32,
    pub reset_per_account: u32,
    pub account_mail_per_ip: u32,
    pub account_mail_per_account: u32,
    pub gift_card_per_ip: u32,
    pub gift_card_per_account: u32,
}

/// What a connection may send before any route runs: the header block, the request target,
/// and how long the headers may take to arrive (slow clients hold a connection each).
#[derive(Clone, Debug)]
pub struct TransportLimits {
    /// Header names and values of one request, added up (431 beyond).
    pub max_header_bytes: usize,
    /// The request target, path and query (414 beyond).
    pub max_url_bytes: usize,
    /// From the moment the server waits for a request until its headers are complete.
    pub header_read_timeout: Duration,
}

/// The mail worker (`store::mail::worker`).
#[derive(Clone, Debug)]
pub struct MailSettings {
    pub poll_interval: Duration,
    pub lease: Duration,
    pub retry_delay: Duration,
    pub retry_max_delay: Duration,
    pub max_attempts: i32,
}

/// Bounds of wishlists (`store::wishlists`): exceeding one is a validation error.
#[derive(Clone, Debug)]
pub struct WishlistLimits {
    pub max_lists: i64,
    pub max_items: i64,
    pub max_quantity: i32,
}

/// Housekeeping (`store::jobs`): how often, and what counts as old.
#[derive(Clone, Debug)]
pub struct Housekeeping {
    pub interval: Duration,
    pub cart_ttl: Duration,
    pub event_retention: Duration,
}

/// The whole configuration, resolved and validated.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    pub env: Environment,
    pub data_dir: PathBuf,
    /// `None` until resolved at start (development generates one into `data_dir`).
    pub jwt_secret: Option<Secret<String>>,
    pub smtp_url: Option<Secret<String>>,
    pub mail_from: String,
    pub public_url: String,
    pub allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` names the client (`src/http/client_ip.rs`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `Strict-Transport-Security` max-age sent in production; 0 sends none.
    pub hsts_max_age: u64,
    pub seed: SeedMode,
    pub log_format: LogFormat,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub refresh_reuse_grace: Duration,
    pub password_reset_ttl: Duration,
    pub email_verification_ttl: Duration,
    pub require_verified_email: bool,
    pub data_export_ttl: Duration,
    pub shop_name: String,
    pub currency: String,
    /// Countries the shop sells to (ISO 3166-1 alpha-2, upper case): Medusa's one region.
    pub countries: Vec<String>,
    pub pool: PoolOptions,
    pub body_limit: usize,
    pub request_timeout: Duration,
    /// Bounds of a request before it reaches a route (`src/http/transport.rs`).
    pub transport: TransportLimits,
    /// How long an anonymous catalogue read is answered from the micro-cache (and the
    /// `max-age` it carries); zero disables both.
    pub catalog_cache_ttl: Duration,
    pub shutdown_timeout: Duration,
    pub graphql: GraphqlLimits,
    pub sockets: SocketLimits,
    /// Password hashes computed at once (each takes ~19 MiB and one core for ~30 ms).
    pub password_hash_concurrency: usize,
    pub throttle: ThrottleLimits,
    pub checkout: CheckoutRates,
    pub mail: MailSettings,
    pub housekeeping: Housekeeping,
    pub wishlists: WishlistLimits,
}

/// Delivery and tax: one flat delivery rate and one tax rate (DESIGN.md keeps checkout simple;
/// the README says so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRates {
    /// Delivery price per order, minor units.
    pub shipping_rate: i64,
    /// Item total (minor units) from which delivery is free.
    pub free_shipping_over: Option<i64>,
    /// Tax rate in millionths (8.875 % = 88_750).
    pub tax_rate_ppm: i64,
}

/// A configuration problem, said in one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Reads the process environment over `storefront.toml` (or the file named by
    /// `STOREFRONT_CONFIG`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let explicit = std::env::var("STOREFRONT_CONFIG").ok();
        let path = explicit.clone().unwrap_or_else(|| "storefront.toml".into());
        let file = if Path::new(&path).exists() {
            read_file(Path::new(&path))?
        } else if explicit.is_some() {
            return Err(ConfigError(format!(
                "STOREFRONT_CONFIG names `{path}`, which does not exist"
            )));
        } else {
            BTreeMap::new()
        };
        Self::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| file.get(&file_key(name)).cloned())
        })
    }

    /// Builds the configuration from any source of `NAME -> value` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| -> String {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default_of(name).to_owned())
        };
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let env = match get("STOREFRONT_ENV").as_str() {
            "development" | "dev" => Environment::Development,
            "production" | "prod" => Environment::Production,
            other => {
                return Err(ConfigError(format!(
                    "STOREFRONT_ENV is `{other}`: use development or production"
                )));
            }
        };
        let database_url = DatabaseUrl::parse(&get("DATABASE_URL")).map_err(ConfigError)?;
        let bind_text = get("STOREFRONT_BIND");
        let bind = bind_text.parse().map_err(|_| {
            ConfigError(format!(
                "STOREFRONT_BIND is `{bind_text}`: use HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080"
            ))
        })?;
        let (jwt_secret, smtp_url) = secrets(env, &set)?;
        let seed = seed_mode(env, &set)?;
        let log_format = log_format(&get)?;
        let currency = currency(&get)?;
        let countries = countries(&get)?;
        let allowed_origins = get("STOREFRONT_ALLOWED_ORIGINS")
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();

        Ok(Self {
            database_url,
            bind,
            env,
            data_dir: PathBuf::from(get("STOREFRONT_DATA_DIR")),
            jwt_secret,
            smtp_url,
            mail_from: get("STOREFRONT_MAIL_FROM"),
            public_url: get("STOREFRONT_PUBLIC_URL")
                .trim_end_matches('/')
                .to_owned(),
            allowed_origins,
            trusted_proxies: trusted_proxies(&get)?,
            hsts_max_age: seconds(&get, "STOREFRONT_HSTS_MAX_AGE", 0)?.as_secs(),
            seed,
            log_format,
            access_token_ttl: seconds(&get, "STOREFRONT_ACCESS_TOKEN_TTL", 1)?,
            refresh_token_ttl: seconds(&get, "STOREFRONT_REFRESH_TOKEN_TTL", 1)?,
            refresh_reuse_grace: seconds(&get, "STOREFRONT_REFRESH_REUSE_GRACE", 0)?,
            password_reset_ttl: seconds(&get, "STOREFRONT_PASSWORD_RESET_TTL", 1)?,
            email_verification_ttl: seconds(&get, "STOREFRONT_EMAIL_VERIFICATION_TTL", 1)?,
            require_verified_email: boolean(&get, "STOREFRONT_REQUIRE_VERIFIED_EMAIL")?,
            data_export_ttl: seconds(&get, "STOREFRONT_DATA_EXPORT_TTL", 1)?,
            shop_name: get("STOREFRONT_SHOP_NAME"),
            currency,
            countries,
            pool: PoolOptions {
                max_size: number(&get, "STOREFRONT_DB_POOL_SIZE", 1)?,
                wait_timeout: seconds(&get, "STOREFRONT_DB_POOL_TIMEOUT", 1)?,
            },
            body_limit: number(&get, "STOREFRONT_BODY_LIMIT", 1024)?,
            request_timeout: seconds(&get, "STOREFRONT_REQUEST_TIMEOUT", 1)?,
            transport: TransportLimits {
                max_header_bytes: number(&get, "STOREFRONT_MAX_HEADER_BYTES", 1024)?,
                max_url_bytes: number(&get, "STOREFRONT_MAX_URL_BYTES", 256)?,
                header_read_timeout: seconds(&get, "STOREFRONT_HEADER_READ_TIMEOUT", 1)?,
            },
            catalog_cache_ttl: seconds(&get, "STOREFRONT_CATALOG_CACHE_TTL", 0)?,
            shutdown_timeout: seconds(&get, "STOREFRONT_SHUTDOWN_TIMEOUT", 0)?,
            graphql: GraphqlLimits {
                max_depth: number(&get, "STOREFRONT_GRAPHQL_MAX_DEPTH", 2)?,
                max_complexity: number(&get, "STOREFRONT_GRAPHQL_MAX_COMPLEXITY", 10)?,
                max_batch: number(&get, "STOREFRONT_GRAPHQL_MAX_BATCH", 1)?,
                max_aliases: number(&get, "STOREFRONT_GRAPHQL_MAX_ALIASES", 0)?,
                max_field_repeats: number(&get, "STOREFRONT_GRAPHQL_MAX_FIELD_REPEATS", 1)?,
                max_directives: number(&get, "STOREFRONT_GRAPHQL_MAX_DIRECTIVES", 1)?,
                max_query_size: number(&get, "STOREFRONT_GRAPHQL_MAX_QUERY_SIZE", 1024)?,
                timeout: seconds(&get, "STOREFRONT_GRAPHQL_TIMEOUT", 1)?,
                introspection: by_environment(&get, "STOREFRONT_GRAPHQL_INTROSPECTION", env)?,
                suggestions: by_environment(&get, "STOREFRONT_GRAPHQL_SUGGESTIONS", env)?,
                graphiql: by_environment(&get, "STOREFRONT_GRAPHIQL", env)?,
            },
            sockets: SocketLimits {
                max_connections: number(&get, "STOREFRONT_WS_MAX_CONNECTIONS", 1)?,
                max_subscriptions: number(&get, "STOREFRONT_WS_MAX_SUBSCRIPTIONS", 1)?,
                max_message: number(&get, "STOREFRONT_WS_MAX_MESSAGE", 1024)?,
                keepalive: seconds(&get, "STOREFRONT_WS_KEEPALIVE", 1)?,
                init_timeout: seconds(&get, "STOREFRONT_WS_INIT_TIMEOUT", 1)?,
                events_buffer: number(&get, "STOREFRONT_EVENTS_BUFFER", 16)?,
            },
            password_hash_concurrency: match number(
                &get,
                "STOREFRONT_PASSWORD_HASH_CONCURRENCY",
                0,
            )? {
                0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
                n => n,
            },
            throttle: throttle_limits(&get)?,
            checkout: checkout_rates(&get, &set)?,
            mail: mail_settings(&get)?,
            housekeeping: Housekeeping {
                interval: seconds(&get, "STOREFRONT_HOUSEKEEPING_INTERVAL", 1)?,
                cart_ttl: seconds(&get, "STOREFRONT_CART_TTL", 1)?,
                event_retention: seconds(&get, "STOREFRONT_EVENT_RETENTION", 1)?,
            },
            wishlists: wishlist_limits(&get)?,
        })
    }

    /// Whether this is a development setup (generated secrets, demo seed, mail to files).
    pub fn is_development(&self) -> bool {
        self.env == Environment::Development
    }
}

type OptionalSecret = Option<Secret<String>>;

/// The JWT secret and SMTP URL, checked; production needs both set explicitly.
fn secrets(
    env: Environment,
    set: &impl Fn(&str) -> Option<String>,
) -> Result<(OptionalSecret, OptionalSecret), ConfigError> {
    let jwt_secret = set("STOREFRONT_JWT_SECRET").map(Secret::new);
    if let Some(secret) = &jwt_secret
        && secret.expose().len() < 32
    {
        return Err(ConfigError(
            "STOREFRONT_JWT_SECRET is shorter than 32 bytes: use a long random value \
             (`openssl rand -hex 32`)"
                .into(),
        ));
    }
    let smtp_url = set("STOREFRONT_SMTP_URL").map(Secret::new);
    if let Some(url) = &smtp_url {
        crate::smtp::check_url(url.expose()).map_err(|e| {
            ConfigError(format!(
                "STOREFRONT_SMTP_URL is not usable: {e} (use smtp://user:pass@host:587, \
                 smtps://user:pass@host:465 or smtp://127.0.0.1:2525)"
            ))
        })?;
    }
    if env == Environment::Production {
        let mut missing = Vec::new();
        if jwt_secret.is_none() {
            missing.push("STOREFRONT_JWT_SECRET");
        }
        if smtp_url.is_none() {
            missing.push("STOREFRONT_SMTP_URL");
        }
        if !missing.is_empty() {
            return Err(ConfigError(format!(
                "STOREFRONT_ENV=production needs {} set explicitly",
                missing.join(" and ")
            )));
        }
    }
    Ok((jwt_secret, smtp_url))
}

fn seed_mode(
    env: Environment,
    set: &impl Fn(&str) -> Option<String>,
) -> Result<SeedMode, ConfigError> {
    match set("STOREFRONT_SEED").as_deref().map(str::trim) {
        None if env == Environment::Production => Ok(SeedMode::None),
        None | Some("demo") => Ok(SeedMode::Demo),
        Some("none") => Ok(SeedMode::None),
        Some(other) => Err(ConfigError(format!(
            "STOREFRONT_SEED is `{other}`: use demo or none"
        ))),
    }
}

fn log_format(get: &impl Fn(&str) -> String) -> Result<LogFormat, ConfigError> {
    match get("STOREFRONT_LOG_FORMAT").as_str() {
        "pretty" => Ok(LogFormat::Pretty),
        "json" => Ok(LogFormat::Json),
        other => Err(ConfigError(format!(
            "STOREFRONT_LOG_FORMAT is `{other}`: use pretty or json"
        ))),
    }
}

fn currency(get: &impl Fn(&str) -> String) -> Result<String, ConfigError> {
    let currency = get("STOREFRONT_CURRENCY").to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ConfigError(format!(
            "STOREFRONT_CURRENCY is `{currency}`: use an ISO 4217 code such as USD"
        )));
    }
    Ok(currency)
}

/// `STOREFRONT_COUNTRIES`: ISO 3166-1 alpha-2 codes, upper-cased, without repeats.
fn countries(get: &impl Fn(&str) -> String) -> Result<Vec<String>, ConfigError> {
    let mut countries = Vec::new();
    for code in get("STOREFRONT_COUNTRIES").split(',').map(str::trim) {
        let code = code.to_ascii_uppercase();
        if code.is_empty() {
            continue;
        }
        if rust_iso3166::from_alpha2(&code).is_none() {
            return Err(ConfigError(format!(
                "STOREFRONT_COUNTRIES has `{code}`: use ISO 3166-1 alpha-2 codes such as US,CA"
            )));
        }
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    Ok(countries)
}

fn mail_settings(get: &impl Fn(&str) -> String) -> Result<MailSettings, ConfigError> {
    let retry_delay = seconds(get, "STOREFRONT_MAIL_RETRY_DELAY", 1)?;
    let retry_max_delay = seconds(get, "STOREFRONT_MAIL_RETRY_MAX_DELAY", 1)?;
    if retry_max_delay < retry_delay {
        return Err(ConfigError(
            "STOREFRONT_MAIL_RETRY_MAX_DELAY is shorter than STOREFRONT_MAIL_RETRY_DELAY".into(),
        ));
    }
    Ok(MailSettings {
        poll_interval: seconds(get, "STOREFRONT_MAIL_POLL_INTERVAL", 1)?,
        lease: seconds(get, "STOREFRONT_MAIL_LEASE", 30)?,
        retry_delay,
        retry_max_delay,
        max_attempts: i32::try_from(count(get, "STOREFRONT_MAIL_MAX_ATTEMPTS")?)
            .map_err(|_| ConfigError("STOREFRONT_MAIL_MAX_ATTEMPTS is too large".into()))?,
    })
}

fn wishlist_limits(get: &impl Fn(&str) -> String) -> Result<WishlistLimits, ConfigError> {
    let quantity = number(get, "STOREFRONT_WISHLIST_MAX_QUANTITY", 1)?;
    Ok(WishlistLimits {
        max_lists: number(get, "STOREFRONT_WISHLIST_MAX_LISTS", 1)? as i64,
        max_items: number(get, "STOREFRONT_WISHLIST_MAX_ITEMS", 1)? as i64,
        max_quantity: i32::try_from(quantity)
            .map_err(|_| ConfigError("STOREFRONT_WISHLIST_MAX_QUANTITY is too large".into()))?,
    })
}

fn throttle_limits(get: &impl Fn(&str) -> String) -> Result<ThrottleLimits, ConfigError> {
    Ok(ThrottleLimits {
        window: seconds(get, "STOREFRONT_THROTTLE_WINDOW", 1)?,
        login_per_ip: count(get, "STOREFRONT_THROTTLE_LOGIN_PER_IP")?,
        login_per_account: count(get, "STOREFRONT_THROTTLE_LOGIN_PER_ACCOUNT")?,
        register_per_ip: count(get, "STOREFRONT_THROTTLE_REGISTER_PER_IP")?,
        refresh_per_ip: count(get, "STOREFRONT_THROTTLE_REFRESH_PER_IP")?,
        reset_per_ip: count(get, "STOREFRONT_THROTTLE_RESET_PER_IP")?,
        reset_per_account: count(get, "STOREFRONT_THROTTLE_RESET_PER_ACCOUNT")?,
        account_mail_per_ip: count(get, "STOREFRONT_THROTTLE_ACCOUNT_MAIL_PER_IP")?,
        account_mail_per_account: count(get, "STOREFRONT_THROTTLE_ACCOUNT_MAIL_PER_ACCOUNT")?,
        gift_card_per_ip: count(get, "STOREFRONT_THROTTLE_GIFT_CARD_PER_IP")?,
        gift_card_per_account: count(get, "STOREFRONT_THROTTLE_GIFT_CARD_PER_ACCOUNT")?,
    })
}

fn checkout_rates(
    get: &impl Fn(&str) -> String,
    set: &impl Fn(&str) -> Option<String>,
) -> Result<CheckoutRates, ConfigError> {
    Ok(CheckoutRates {
        shipping_rate: number(get, "STOREFRONT_SHIPPING_RATE", 0)? as i64,
        free_shipping_over: set("STOREFRONT_FREE_SHIPPING_OVER")
            .map(|_| number(get, "STOREFRONT_FREE_SHIPPING_OVER", 0).map(|n| n as i64))
            .transpose()?,
        tax_rate_ppm: percent_ppm(&get("STOREFRONT_TAX_RATE")).ok_or_else(|| {
            ConfigError(format!(
                "STOREFRONT_TAX_RATE is `{}`: use a percentage from 0 to 100, e.g. 20 or 8.875",
                get("STOREFRONT_TAX_RATE")
            ))
        })?,
    })
}

fn default_of(name: &str) -> &'static str {
    SETTINGS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, default, _)| *default)
        .unwrap_or_default()
}

/// `STOREFRONT_BIND` -> `bind`, `DATABASE_URL` -> `database_url`.
fn file_key(name: &str) -> String {
    name.strip_prefix("STOREFRONT_")
        .unwrap_or(name)
        .to_ascii_lowercase()
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
    let fail = |e: String| ConfigError(format!("cannot read {}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| fail(e.to_string()))?;
    let known: Vec<String> = SETTINGS.iter().map(|(n, _, _)| file_key(n)).collect();
    let mut values = BTreeMap::new();
    for (key, value) in table {
        if !known.contains(&key) {
            return Err(fail(format!(
                "unknown key `{key}` (known: {})",
                known.join(", ")
            )));
        }
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        values.insert(key, value);
    }
    Ok(values)
}

fn boolean(get: &impl Fn(&str) -> String, name: &str) -> Result<bool, ConfigError> {
    match get(name).trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(ConfigError(format!(
            "{name} is `{other}`: use true or false"
        ))),
    }
}

/// `STOREFRONT_TRUSTED_PROXIES`: addresses (`10.0.0.7`) or ranges (`10.0.0.0/8`).
fn trusted_proxies(get: &impl Fn(&str) -> String) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    get("STOREFRONT_TRUSTED_PROXIES")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ConfigError(format!(
                        "STOREFRONT_TRUSTED_PROXIES: `{p}` is not an address or a CIDR range"
                    ))
                })
        })
        .collect()
}

/// A switch that defaults to on in development and off in production (Apollo Server's
/// defaults for introspection and the like).
fn by_environment(
    get: &impl Fn(&str) -> String,
    name: &str,
    env: Environment,
) -> Result<bool, ConfigError> {
    if get(name).trim().is_empty() {
        return Ok(env == Environment::Development);
    }
    boolean(get, name)
}

fn number(get: &impl Fn(&str) -> String, name: &str, min: usize) -> Result<usize, ConfigError> {
    let text = get(name);
    match text.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(ConfigError(format!(
            "{name} is `{text}`: use a whole number of at least {min}"
        ))),
    }
}

fn count(get: &impl Fn(&str) -> String, name: &str) -> Result<u32, ConfigError> {
    let n = number(get, name, 1)?;
    u32::try_from(n).map_err(|_| ConfigError(format!("{name} is too large")))
}

/// A percentage with at most four decimals ("8.875") in millionths (88_750).
fn percent_ppm(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || fraction.len() > 4
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<4}").parse().ok()?;
    let ppm = whole.checked_mul(10_000)?.checked_add(fraction)?;
    (ppm <= 1_000_000).then_some(ppm)
}

fn seconds(get: &impl Fn(&str) -> String, name: &str, min: u64) -> Result<Duration, ConfigError> {
    number(get, name, min as usize).map(|n| Duration::from_secs(n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_nothing_set() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("data/storefront.db"))
        );
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.env, Environment::Development);
        assert_eq!(c.seed, SeedMode::Demo);
        assert_eq!(c.access_token_ttl, Duration::from_secs(3600));
        assert_eq!(c.refresh_token_ttl, Duration::from_secs(2_592_000));
        assert_eq!(c.refresh_reuse_grace, Duration::from_secs(10));
        assert_eq!(c.password_reset_ttl, Duration::from_secs(900));
        assert_eq!(c.transport.max_header_bytes, 16 * 1024);
        assert_eq!(c.transport.max_url_bytes, 8 * 1024);
        assert_eq!(c.transport.header_read_timeout, Duration::from_secs(30));
    }

    #[test]
    fn production_needs_secret_and_mail() {
        let err = config(&[("STOREFRONT_ENV", "production")]).unwrap_err();
        assert_eq!(
            err.0,
            "STOREFRONT_ENV=production needs STOREFRONT_JWT_SECRET and STOREFRONT_SMTP_URL set explicitly"
        );
        let ok = config(&[
            ("STOREFRONT_ENV", "production"),
            ("STOREFRONT_JWT_SECRET", &"x".repeat(32)),
            ("STOREFRONT_SMTP_URL", "smtp://127.0.0.1:2525"),
        ])
        .unwrap();
        assert_eq!(ok.seed, SeedMode::None);
    }

    #[test]
    fn short_secret_and_bad_values_are_refused() {
        assert!(config(&[("STOREFRONT_JWT_SECRET", "short")]).is_err());
        assert!(config(&[("STOREFRONT_BIND", "nowhere")]).is_err());
        assert!(config(&[("STOREFRONT_ACCESS_TOKEN_TTL", "-1")]).is_err());
        assert!(config(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(config(&[("DATABASE_URL", "sqlite://:memory:")]).is_err());
    }

    #[test]
    fn debug_never_shows_a_password_or_secret() {
        let jwt = "j".repeat(40);
        let c = config(&[
            ("DATABASE_URL", "postgres://user:hunter2@host/db"),
            ("STOREFRONT_JWT_SECRET", &jwt),
            (
                "STOREFRONT_SMTP_URL",
                "smtp://mailer:smtp-pass-9@127.0.0.1:2525",
            ),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        for secret in ["hunter2", jwt.as_str(), "smtp-pass-9"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("postgres://user:***@host/db"), "{shown}");
        let shown = format!("{:?}", c.database_url);
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn allowed_origins_are_a_comma_list() {
        let c = config(&[(
            "STOREFRONT_ALLOWED_ORIGINS",
            "https://shop.example, http://localhost:3000/",
        )])
        .unwrap();
        assert_eq!(
            c.allowed_origins,
            vec!["https://shop.example", "http://localhost:3000"]
        );
    }

    #[test]
    fn the_config_file_uses_lowercase_names_and_refuses_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("storefront-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("storefront.toml");
        std::fs::write(
            &path,
            "bind = \"0.0.0.0:9000\"\naccess_token_ttl = 60\nallowed_origins = [\"https://a.example\", \"https://b.example\"]\n",
        )
        .unwrap();
        let file = read_file(&path).unwrap();
        let c = Config::from_lookup(|name| file.get(&file_key(name)).cloned()).unwrap();
        assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(c.access_token_ttl, Duration::from_secs(60));
        assert_eq!(
            c.allowed_origins,
            vec!["https://a.example", "https://b.example"]
        );

        std::fs::write(&path, "bnid = \"0.0.0.0:9000\"\n").unwrap();
        let err = read_file(&path).unwrap_err();
        assert!(err.0.contains("unknown key `bnid`"), "{}", err.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn throttles_have_defaults_and_smtp_urls_are_checked() {
        let c = config(&[]).unwrap();
        assert_eq!(c.throttle.window, Duration::from_secs(300));
        assert_eq!(c.throttle.login_per_ip, 30);
        assert_eq!(c.throttle.login_per_account, 10);
        assert!(c.password_hash_concurrency >= 1);
        assert!(config(&[("STOREFRONT_THROTTLE_LOGIN_PER_IP", "0")]).is_err());
        for ok in [
            "smtp://127.0.0.1:2525",
            "smtp://user:pass@mail.example:587",
            "smtps://user:pass@mail.example",
            "smtp://mail.example?tls=opportunistic",
        ] {
            assert!(config(&[("STOREFRONT_SMTP_URL", ok)]).is_ok(), "{ok}");
        }
        for bad in ["ftp://mail.example", "not a url", "smtp://x?tls=maybe"] {
            assert!(config(&[("STOREFRONT_SMTP_URL", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_readme_lists_every_setting() {
        let readme = include_str!("../README.md");
        for (name, _, _) in SETTINGS {
            assert!(
                readme.contains(&format!("`{name}`")),
                "README.md lacks {name}"
            );
        }
    }

    #[test]
    fn checkout_rates_parse() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.checkout,
            CheckoutRates {
                shipping_rate: 500,
                free_shipping_over: None,
                tax_rate_ppm: 0
            }
        );
        let c = config(&[
            ("STOREFRONT_TAX_RATE", "8.875"),
            ("STOREFRONT_FREE_SHIPPING_OVER", "10000"),
            ("STOREFRONT_SHIPPING_RATE", "0"),
        ])
        .unwrap();
        assert_eq!(c.checkout.tax_rate_ppm, 88_750);
        assert_eq!(c.checkout.free_shipping_over, Some(10_000));
        assert_eq!(c.checkout.shipping_rate, 0);
        for bad in ["-1", "101", "1.23456", "abc", "1e3"] {
            assert!(config(&[("STOREFRONT_TAX_RATE", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_keys_drop_the_prefix() {
        assert_eq!(file_key("STOREFRONT_BIND"), "bind");
        assert_eq!(file_key("DATABASE_URL"), "database_url");
    }
}
