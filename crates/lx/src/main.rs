//! `lx`: run Linux x86_64 programs inside lx's own compatibility kernel.

mod arena;
mod launch;
mod mounts;
mod stats;
mod table;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static ALLOC: arena::Arena = arena::Arena;

/// Run unmodified Linux x86_64 programs with every system call served by
/// lx's compatibility kernel.
#[derive(Parser, Debug)]
#[command(name = "lx", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run PROGRAM with ARGS under lx.
    Run(Box<RunArgs>),
    /// Print the syscall table: number, name, support level, note.
    Syscalls {
        /// Print a Markdown table (the compatibility document).
        #[arg(long)]
        markdown: bool,
    },
}

/// Options of `lx run`. Everything from PROGRAM on belongs to the guest.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Set an environment variable for the guest (repeatable).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Start the guest with an empty environment (before --env).
    #[arg(long)]
    pub clear_env: bool,
    /// Print every syscall in strace's format, to stderr or FILE.
    #[arg(long, value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "-")]
    pub trace: Option<PathBuf>,
    /// Print a per-syscall summary at exit, like `strace -c`.
    #[arg(long)]
    pub stats: bool,
    /// Do not report unimplemented syscalls.
    #[arg(long, short)]
    pub quiet: bool,
    /// Use DIR as the guest's root directory (default: the host's /).
    #[arg(short = 'r', long = "rootfs", value_name = "DIR")]
    pub rootfs: Option<PathBuf>,
    /// Let writes reach the root directory (default: a per-run overlay).
    #[arg(long)]
    pub rw: bool,
    /// Keep the overlay (the guest's writes) in DIR, for the next run.
    #[arg(long, value_name = "DIR", conflicts_with = "rw")]
    pub overlay: Option<PathBuf>,
    /// Make host directory HOST visible at GUEST (default: the same path);
    /// `:ro` makes it read-only. Repeatable.
    #[arg(short = 'b', long = "bind", value_name = "HOST[:GUEST][:ro]")]
    pub bind: Vec<String>,
    /// Mount a fresh tmpfs at PATH (repeatable).
    #[arg(long, value_name = "PATH")]
    pub tmpfs: Vec<String>,
    /// Start in DIR (a guest path; default: the current directory, or / with --rootfs).
    #[arg(short = 'w', long = "cwd", value_name = "DIR")]
    pub cwd: Option<String>,
    /// Show the guest uid and gid 0 (root), with its own files owned by root.
    #[arg(short = '0', long = "root")]
    pub root: bool,
    /// The uid the guest sees.
    #[arg(long, value_name = "UID")]
    pub uid: Option<u32>,
    /// The gid the guest sees.
    #[arg(long, value_name = "GID")]
    pub gid: Option<u32>,
    /// Serve every guest exec with a host exec of lx's runtime (slower; the
    /// new image gets a freshly randomized address-space layout, as after
    /// Linux's exec). Default: a single-threaded process execs in place.
    /// LX_EXEC_IN_PLACE=0 in lx's environment does the same.
    #[arg(long)]
    pub host_exec: bool,
    /// Never patch guest syscall sites (every guest syscall then traps
    /// into lx through SIGSYS; slower). LX_PATCH=0 does the same.
    #[arg(long)]
    pub no_patch: bool,
    /// The program (a path, or a name looked up in PATH) and its arguments.
    #[arg(value_name = "PROGRAM [ARGS]", required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<OsString>,
}

impl RunArgs {
    /// The program as given.
    pub fn program(&self) -> &OsString {
        &self.command[0]
    }
    /// The arguments after it.
    pub fn args(&self) -> &[OsString] {
        &self.command[1..]
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Run(args) => ExitCode::from(launch::run(&args)),
        Cmd::Syscalls { markdown } => {
            table::print(markdown);
            ExitCode::SUCCESS
        }
    }
}
