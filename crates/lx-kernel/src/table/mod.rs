//! Syscall tables: one per ABI. A table binds each supported syscall number
//! of an ABI (numbers, names and argument kinds live in `lx-abi`) to its
//! handler and support level. Dispatch, `--trace`, the once-only ENOSYS
//! report, `lx syscalls` and the compatibility document all read it.

pub mod linux_x86_64;

use lx_abi::syscalls::{SYSCALLS, SyscallDesc};

/// How completely lx implements a syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Linux semantics for every argument lx accepts.
    Full,
    /// Works for the common cases; the note says what is missing.
    Partial(&'static str),
}

/// One bound row: the syscall, its support level, and whether it returns.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub nr: u32,
    pub support: Support,
    /// exit, exit_group: traced before the call, which never returns.
    pub noreturn: bool,
}

/// Support of one syscall as reported by `lx syscalls`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Full,
    Partial(&'static str),
    /// Returns ENOSYS and is reported once per run.
    Unimplemented,
}

/// Every syscall of the Linux x86_64 ABI with lx's support level.
pub fn linux_x86_64_levels() -> impl Iterator<Item = (&'static SyscallDesc, Level)> {
    SYSCALLS.iter().map(|d| {
        let level = match linux_x86_64::row(d.nr) {
            Some(Row {
                support: Support::Full,
                ..
            }) => Level::Full,
            Some(Row {
                support: Support::Partial(n),
                ..
            }) => Level::Partial(n),
            None => Level::Unimplemented,
        };
        (d, level)
    })
}

/// Bind rows of a table: `name: Support => |ctx, args| handler(...);`
/// emits `ROWS` (sorted by number) and `call`, the dispatch `match`.
macro_rules! bind {
    ($($name:ident $(#[$noret:ident])? : $support:expr => |$c:ident, $a:ident| $body:expr;)*) => {
        /// The bound rows, in the order written (sorted by number; a test checks).
        pub static ROWS: &[Row] = &[
            $(Row { nr: nr::$name, support: $support, noreturn: bind!(@noret $($noret)?) },)*
        ];

        /// Run the handler of syscall `nr`, or None if lx does not implement it.
        #[inline]
        pub fn call(ctx: &mut Ctx<'_>, nr: u32, args: &Args) -> Option<SysResult> {
            Some(match nr {
                $(nr::$name => { let $c: &mut Ctx<'_> = ctx; let $a: &Args = args; $body })*
                _ => return None,
            })
        }
    };
    (@noret noreturn) => { true };
    (@noret) => { false };
}
pub(crate) use bind;
