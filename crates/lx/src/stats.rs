//! `--stats`: the `strace -c` table from the run's shared counters.

use lx_kernel::stats::{SLOTS, read_slot};
use std::fmt::Write;

/// Format the summary table, busiest syscall first.
pub fn table(page: &[u8]) -> String {
    let mut rows: Vec<(String, u64, u64, u64)> = (0..SLOTS)
        .filter_map(|nr| {
            let c = read_slot(page, nr);
            (c.calls > 0).then(|| {
                let name = lx_abi::syscalls::desc(nr as u32)
                    .map_or_else(|| format!("syscall_{nr}"), |d| d.name.to_string());
                (name, c.calls, c.errors, c.ns)
            })
        })
        .collect();
    rows.sort_by(|a, b| b.3.cmp(&a.3).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    let total_ns: u64 = rows.iter().map(|r| r.3).sum();
    let total_calls: u64 = rows.iter().map(|r| r.1).sum();
    let total_err: u64 = rows.iter().map(|r| r.2).sum();
    let mut s = String::new();
    let rule = "------ ----------- ----------- --------- --------- ----------------\n";
    s.push_str("% time     seconds  usecs/call     calls    errors syscall\n");
    s.push_str(rule);
    let pct = |ns: u64| {
        if total_ns == 0 {
            0.0
        } else {
            ns as f64 * 100.0 / total_ns as f64
        }
    };
    for (name, calls, errors, ns) in &rows {
        let errs = if *errors > 0 {
            errors.to_string()
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "{:>6.2} {:>11.6} {:>11} {:>9} {:>9} {}",
            pct(*ns),
            *ns as f64 / 1e9,
            ns / 1000 / calls.max(&1),
            calls,
            errs,
            name
        );
    }
    s.push_str(rule);
    let errs = if total_err > 0 {
        total_err.to_string()
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "{:>6.2} {:>11.6} {:>11} {:>9} {:>9} total",
        100.0,
        total_ns as f64 / 1e9,
        total_ns / 1000 / total_calls.max(1),
        total_calls,
        errs
    );
    s
}
