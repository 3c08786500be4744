//! `lx syscalls`: the compatibility table, straight from the dispatch table.

use lx_kernel::table::{Level, linux_x86_64_levels};

/// Print every Linux x86_64 syscall with lx's support level.
pub fn print(markdown: bool) {
    let mut full = 0;
    let mut partial = 0;
    let mut none = 0;
    if markdown {
        println!("| nr | syscall | support | note |");
        println!("|---:|---|---|---|");
    } else {
        println!("{:>4}  {:<24} {:<14} NOTE", "NR", "NAME", "SUPPORT");
    }
    for (d, level) in linux_x86_64_levels() {
        let (word, note) = match level {
            Level::Full => {
                full += 1;
                ("full", "")
            }
            Level::Partial(n) => {
                partial += 1;
                ("partial", n)
            }
            Level::Unimplemented => {
                none += 1;
                ("unimplemented", "returns ENOSYS, reported once per run")
            }
        };
        if markdown {
            println!("| {} | {} | {} | {} |", d.nr, d.name, word, note);
        } else {
            println!("{:>4}  {:<24} {:<14} {}", d.nr, d.name, word, note);
        }
    }
    let summary = format!("{full} full, {partial} partial, {none} unimplemented");
    if markdown {
        println!("\n{summary}");
    } else {
        println!("# {summary}");
    }
}
