//! Tracing setup, after zero-to-production's `get_subscriber`/`init_subscriber` pair.

use crate::config::TelemetrySettings;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Install the global subscriber: JSON lines or human-readable, filtered by `RUST_LOG` or the
/// configured level. Logs go to stderr so stdout stays free for command output.
pub fn init_subscriber(settings: &TelemetrySettings) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{},lapin=warn", settings.level)));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: a second call (tests, the CLI running stages in-process) is harmless.
    if settings.json {
        let _ = registry
            .with(fmt::layer().json().with_current_span(true).with_writer(std::io::stderr))
            .try_init();
    } else {
        // Colours only on a terminal: log files and journald get plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let _ = registry.with(fmt::layer().with_target(false).with_ansi(ansi).with_writer(std::io::stderr)).try_init();
    }
}
