//! `lx syscalls`: the compatibility table, straight from the dispatch table.

use lx_kernel::table::{Level, linux_x86_64_levels};
use std::io::{self, Write};

/// Print every Linux x86_64 syscall with lx's support level. A closed
/// output (`lx syscalls | head`) ends the listing quietly.
pub fn print(markdown: bool) {
    let out = io::stdout();
    let mut w = io::BufWriter::new(out.lock());
    let _ = write_table(&mut w, markdown).and_then(|()| w.flush());
}

fn write_table(w: &mut impl Write, markdown: bool) -> io::Result<()> {
    let (mut full, mut partial, mut none) = (0, 0, 0);
    if markdown {
        writeln!(w, "| nr | syscall | support | note |")?;
        writeln!(w, "|---:|---|---|---|")?;
    } else {
        writeln!(w, "{:>4}  {:<24} {:<14} NOTE", "NR", "NAME", "SUPPORT")?;
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
                ("unimplemented", "ENOSYS, reported once per run")
            }
        };
        if markdown {
            writeln!(w, "| {} | {} | {} | {} |", d.nr, d.name, word, note)?;
        } else {
            writeln!(w, "{:>4}  {:<24} {:<14} {}", d.nr, d.name, word, note)?;
        }
    }
    let summary = format!("{full} full, {partial} partial, {none} unimplemented");
    if markdown {
        writeln!(w, "\n{summary}")
    } else {
        writeln!(w, "# {summary}")
    }
}
