//! Reloading the export: on `SIGHUP`, and whenever the file's contents change.
//!
//! The file is read again every `interval` and reloaded when its bytes differ from the
//! last ones tried, so a write that lands within one timestamp tick is still seen, and a
//! refused export is not retried until it changes (or `SIGHUP` asks for it).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

use crate::gateway::Gateway;

/// Watches `path` and reloads `gateway` from it until `shutdown` is cancelled. `loaded` is
/// the text the gateway was started with.
///
/// # Errors
/// The `SIGHUP` handler could not be installed.
pub fn watch(
    gateway: Arc<Gateway>,
    path: PathBuf,
    loaded: String,
    interval: Duration,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let mut hangup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        let mut last = loaded;
        // The text it was started with was just read: the first look is one interval on.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let forced = tokio::select! {
                () = shutdown.cancelled() => return,
                _ = hangup.recv() => true,
                _ = ticks.tick() => false,
            };
            let text = match tokio::task::spawn_blocking({
                let path = path.clone();
                move || std::fs::read_to_string(path)
            })
            .await
            {
                Ok(Ok(text)) => text,
                Ok(Err(error)) => {
                    if forced {
                        eprintln!("gateway: reload of {} refused: {error}", path.display());
                    }
                    continue;
                }
                Err(_) => continue,
            };
            if !forced && text == last {
                continue;
            }
            match gateway.reload(&text) {
                Ok(generation) => {
                    eprintln!(
                        "gateway: reloaded {} (generation {generation})",
                        path.display()
                    );
                }
                Err(error) => eprintln!(
                    "gateway: reload of {} refused, still serving the previous export: {error}",
                    path.display()
                ),
            }
            last = text;
        }
    });
    Ok(())
}
