//! Logging: `tracing` with `RUST_LOG` as the filter (default `info`), pretty or JSON lines.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Targets held at `info` whatever `RUST_LOG` says: at `debug` they print SQL bind parameters,
/// which include password and token hashes.
const QUIET: &[&str] = &["tokio_postgres=info", "diesel=info"];

/// The filter for `directives` (`RUST_LOG` syntax), with the secret-printing targets quieted.
pub fn filter(directives: &str) -> EnvFilter {
    let mut filter = EnvFilter::new(directives);
    for quiet in QUIET {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the global subscriber; a second call (tests) is a no-op.
pub fn init(format: LogFormat) {
    let directives = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "info,tower_http=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(&directives))
        .with_target(false);
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
