//! With `AKTSOM_PROFILE=1`, `aktsom build` prints each stage's wall time, the process's
//! CPU time and its peak memory to standard error (Linux; for measuring, not a
//! feature); `aktsom serve` prints the stages of each rebuild. The one profiler of the
//! crate: stages are named where they end, with [`stage`].

use std::sync::Mutex;
use std::time::Instant;

static LAST: Mutex<Option<(Instant, f64)>> = Mutex::new(None);

pub(crate) fn on() -> bool {
    std::env::var_os("AKTSOM_PROFILE").is_some_and(|v| v == "1")
}

/// (CPU seconds so far, peak RSS in MB) of this process.
fn usage() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    ((ticks(11) + ticks(12)) / 100.0, hwm / 1024.0)
}

pub(crate) fn start() {
    if on() {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        *last = Some((Instant::now(), usage().0));
    }
}

pub(crate) fn stage(name: &str) {
    if !on() {
        return;
    }
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((t, cpu)) = *last {
        let (now_cpu, peak) = usage();
        eprintln!(
            "profile: {name:<40} {:>9.1} ms wall {:>8.0} ms CPU  peak {peak:>6.0} MB",
            t.elapsed().as_secs_f64() * 1000.0,
            (now_cpu - cpu) * 1000.0
        );
        *last = Some((Instant::now(), now_cpu));
    }
}
