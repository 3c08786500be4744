//! Signal numbers, names and descriptions, the kernel `sigset_t`,
//! `sigaction` flags, `sigaltstack` flags, `si_code` values and the default
//! action of every signal (Linux x86_64).

use bitflags::bitflags;

macro_rules! signals {
    ($($name:ident = $val:literal, $desc:literal;)*) => {
        $(#[doc = concat!("`", stringify!($name), "`: ", $desc, ".")] pub const $name: u32 = $val;)*

        const fn std_name(sig: u32) -> Option<&'static str> {
            match sig { $($val => Some(stringify!($name)),)* _ => None }
        }

        const fn std_description(sig: u32) -> Option<&'static str> {
            match sig { $($val => Some($desc),)* _ => None }
        }
    };
}

signals! {
    SIGHUP = 1, "Hangup";
    SIGINT = 2, "Interrupt";
    SIGQUIT = 3, "Quit";
    SIGILL = 4, "Illegal instruction";
    SIGTRAP = 5, "Trace/breakpoint trap";
    SIGABRT = 6, "Aborted";
    SIGBUS = 7, "Bus error";
    SIGFPE = 8, "Floating point exception";
    SIGKILL = 9, "Killed";
    SIGUSR1 = 10, "User defined signal 1";
    SIGSEGV = 11, "Segmentation fault";
    SIGUSR2 = 12, "User defined signal 2";
    SIGPIPE = 13, "Broken pipe";
    SIGALRM = 14, "Alarm clock";
    SIGTERM = 15, "Terminated";
    SIGSTKFLT = 16, "Stack fault";
    SIGCHLD = 17, "Child exited";
    SIGCONT = 18, "Continued";
    SIGSTOP = 19, "Stopped (signal)";
    SIGTSTP = 20, "Stopped";
    SIGTTIN = 21, "Stopped (tty input)";
    SIGTTOU = 22, "Stopped (tty output)";
    SIGURG = 23, "Urgent I/O condition";
    SIGXCPU = 24, "CPU time limit exceeded";
    SIGXFSZ = 25, "File size limit exceeded";
    SIGVTALRM = 26, "Virtual timer expired";
    SIGPROF = 27, "Profiling timer expired";
    SIGWINCH = 28, "Window changed";
    SIGIO = 29, "I/O possible";
    SIGPWR = 30, "Power failure";
    SIGSYS = 31, "Bad system call";
}

/// `SIGIOT` is `SIGABRT`.
pub const SIGIOT: u32 = SIGABRT;
/// `SIGPOLL` is `SIGIO`.
pub const SIGPOLL: u32 = SIGIO;
/// The first real-time signal as the kernel numbers them (glibc reserves 32
/// and 33 and reports `SIGRTMIN` as 34; musl reserves 32..=34).
pub const SIGRTMIN: u32 = 32;
/// The last real-time signal.
pub const SIGRTMAX: u32 = 64;
/// The highest signal number: valid signals are `1..=NSIG`.
pub const NSIG: u32 = 64;

/// The name strace gives signal `sig` (`"SIGUSR1"`; real-time signals are
/// `"SIGRTMIN"`, `"SIGRT_1"` ... `"SIGRT_32"`), or None outside `1..=64`.
pub const fn name(sig: u32) -> Option<&'static str> {
    match std_name(sig) {
        Some(n) => Some(n),
        None if sig >= SIGRTMIN && sig <= SIGRTMAX => Some(RT_NAMES[(sig - SIGRTMIN) as usize]),
        None => None,
    }
}

const RT_NAMES: [&str; 33] = [
    "SIGRTMIN", "SIGRT_1", "SIGRT_2", "SIGRT_3", "SIGRT_4", "SIGRT_5", "SIGRT_6", "SIGRT_7",
    "SIGRT_8", "SIGRT_9", "SIGRT_10", "SIGRT_11", "SIGRT_12", "SIGRT_13", "SIGRT_14", "SIGRT_15",
    "SIGRT_16", "SIGRT_17", "SIGRT_18", "SIGRT_19", "SIGRT_20", "SIGRT_21", "SIGRT_22", "SIGRT_23",
    "SIGRT_24", "SIGRT_25", "SIGRT_26", "SIGRT_27", "SIGRT_28", "SIGRT_29", "SIGRT_30", "SIGRT_31",
    "SIGRT_32",
];

/// glibc's `strsignal` text for signal `sig`, which shells print when a job
/// dies (`"Segmentation fault"`).
///
/// Real-time signals follow glibc, whose `SIGRTMIN` is 34: signals 34..=64
/// are `"Real-time signal 0"` ... `"Real-time signal 30"`, and 32 and 33
/// (reserved by glibc) are `"Unknown signal 32"` / `"Unknown signal 33"`.
/// Numbers outside `1..=64` give `"Unknown signal"`.
pub const fn description(sig: u32) -> &'static str {
    match std_description(sig) {
        Some(d) => d,
        None if sig >= SIGRTMIN && sig <= SIGRTMAX => RT_DESCRIPTIONS[(sig - SIGRTMIN) as usize],
        None => "Unknown signal",
    }
}

const RT_DESCRIPTIONS: [&str; 33] = [
    "Unknown signal 32",
    "Unknown signal 33",
    "Real-time signal 0",
    "Real-time signal 1",
    "Real-time signal 2",
    "Real-time signal 3",
    "Real-time signal 4",
    "Real-time signal 5",
    "Real-time signal 6",
    "Real-time signal 7",
    "Real-time signal 8",
    "Real-time signal 9",
    "Real-time signal 10",
    "Real-time signal 11",
    "Real-time signal 12",
    "Real-time signal 13",
    "Real-time signal 14",
    "Real-time signal 15",
    "Real-time signal 16",
    "Real-time signal 17",
    "Real-time signal 18",
    "Real-time signal 19",
    "Real-time signal 20",
    "Real-time signal 21",
    "Real-time signal 22",
    "Real-time signal 23",
    "Real-time signal 24",
    "Real-time signal 25",
    "Real-time signal 26",
    "Real-time signal 27",
    "Real-time signal 28",
    "Real-time signal 29",
    "Real-time signal 30",
];

/// Is `sig` a valid signal number (`1..=64`)?
#[inline]
pub const fn is_valid(sig: u32) -> bool {
    sig >= 1 && sig <= NSIG
}

/// The kernel's `sigset_t` on x86_64: one 64-bit word, signal `n` is bit
/// `n - 1`. Operations ignore numbers outside `1..=64`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SigSet(pub u64);

impl SigSet {
    /// No signals.
    #[inline]
    pub const fn empty() -> SigSet {
        SigSet(0)
    }

    /// Every signal `1..=64`.
    #[inline]
    pub const fn full() -> SigSet {
        SigSet(u64::MAX)
    }

    const fn bit(sig: u32) -> u64 {
        if is_valid(sig) { 1u64 << (sig - 1) } else { 0 }
    }

    /// Is `sig` in the set? (false for invalid numbers)
    #[inline]
    pub const fn contains(self, sig: u32) -> bool {
        self.0 & Self::bit(sig) != 0
    }

    /// Add `sig` (no effect for invalid numbers).
    #[inline]
    pub const fn add(&mut self, sig: u32) {
        self.0 |= Self::bit(sig);
    }

    /// Remove `sig`.
    #[inline]
    pub const fn remove(&mut self, sig: u32) {
        self.0 &= !Self::bit(sig);
    }

    /// Signals in either set.
    #[inline]
    pub const fn union(self, other: SigSet) -> SigSet {
        SigSet(self.0 | other.0)
    }

    /// Signals in `self` but not in `other`.
    #[inline]
    pub const fn difference(self, other: SigSet) -> SigSet {
        SigSet(self.0 & !other.0)
    }

    /// Signals in both sets.
    #[inline]
    pub const fn intersection(self, other: SigSet) -> SigSet {
        SigSet(self.0 & other.0)
    }

    /// Is the set empty?
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The signals in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = u32> {
        let mut rest = self.0;
        core::iter::from_fn(move || {
            if rest == 0 {
                return None;
            }
            let bit = rest.trailing_zeros();
            rest &= rest - 1;
            Some(bit + 1)
        })
    }
}

/// `rt_sigprocmask` how: add the given signals to the mask.
pub const SIG_BLOCK: u32 = 0;
/// `rt_sigprocmask` how: remove the given signals from the mask.
pub const SIG_UNBLOCK: u32 = 1;
/// `rt_sigprocmask` how: replace the mask.
pub const SIG_SETMASK: u32 = 2;

/// `sa_handler` value: the default action.
pub const SIG_DFL: u64 = 0;
/// `sa_handler` value: ignore the signal.
pub const SIG_IGN: u64 = 1;
/// Returned by `signal()` on error (not a handler the kernel accepts).
pub const SIG_ERR: u64 = u64::MAX;

bitflags! {
    /// `sa_flags` of `struct sigaction` (named without `SA_`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct SaFlags: u64 {
        /// `SA_NOCLDSTOP`: no SIGCHLD when children stop.
        const NOCLDSTOP = 0x0000_0001;
        /// `SA_NOCLDWAIT`: children do not become zombies.
        const NOCLDWAIT = 0x0000_0002;
        /// `SA_SIGINFO`: three-argument handler.
        const SIGINFO = 0x0000_0004;
        /// `SA_UNSUPPORTED`: probe bit, never set by the kernel in oldact.
        const UNSUPPORTED = 0x0000_0400;
        /// `SA_EXPOSE_TAGBITS`: keep address tag bits in `si_addr`.
        const EXPOSE_TAGBITS = 0x0000_0800;
        /// `SA_RESTORER`: `sa_restorer` is valid (required on x86_64).
        const RESTORER = 0x0400_0000;
        /// `SA_ONSTACK`: run on the alternate signal stack.
        const ONSTACK = 0x0800_0000;
        /// `SA_RESTART`: restart interrupted syscalls.
        const RESTART = 0x1000_0000;
        /// `SA_NODEFER`: do not block the signal in its handler.
        const NODEFER = 0x4000_0000;
        /// `SA_RESETHAND`: reset to SIG_DFL on delivery.
        const RESETHAND = 0x8000_0000;
    }
}

impl SaFlags {
    /// The named flags, in declaration order, without `bitflags::Flags` in scope.
    pub const FLAGS: &'static [bitflags::Flag<SaFlags>] = <SaFlags as bitflags::Flags>::FLAGS;
}

/// `ss_flags`: the thread is running on the alternate stack.
pub const SS_ONSTACK: i32 = 1;
/// `ss_flags`: the alternate stack is disabled.
pub const SS_DISABLE: i32 = 2;
/// `ss_flags` (sigaltstack input): disarm the stack while a handler runs on it.
pub const SS_AUTODISARM: u32 = 1 << 31;
/// `SS_FLAG_BITS`: the mode flags a caller may OR into `ss_flags`.
pub const SS_FLAG_BITS: u32 = SS_AUTODISARM;
/// Smallest alternate stack sigaltstack accepts (`MINSIGSTKSZ`).
pub const MINSIGSTKSZ: usize = 2048;
/// Suggested alternate stack size (`SIGSTKSZ`).
pub const SIGSTKSZ: usize = 8192;

// si_code values common to all signals.
/// Sent by kill(2) or raise(3).
pub const SI_USER: i32 = 0;
/// Sent by the kernel.
pub const SI_KERNEL: i32 = 0x80;
/// Sent by sigqueue(3) / rt_sigqueueinfo(2).
pub const SI_QUEUE: i32 = -1;
/// POSIX timer expiry.
pub const SI_TIMER: i32 = -2;
/// POSIX message queue state change.
pub const SI_MESGQ: i32 = -3;
/// AIO completion.
pub const SI_ASYNCIO: i32 = -4;
/// Queued SIGIO.
pub const SI_SIGIO: i32 = -5;
/// Sent by tkill(2) or tgkill(2).
pub const SI_TKILL: i32 = -6;
/// Sent by execve killing subsidiary threads.
pub const SI_DETHREAD: i32 = -7;
/// Asynchronous name lookup completion.
pub const SI_ASYNCNL: i32 = -60;

// SIGILL si_codes.
/// Illegal opcode.
pub const ILL_ILLOPC: i32 = 1;
/// Illegal operand.
pub const ILL_ILLOPN: i32 = 2;
/// Illegal addressing mode.
pub const ILL_ILLADR: i32 = 3;
/// Illegal trap.
pub const ILL_ILLTRP: i32 = 4;
/// Privileged opcode.
pub const ILL_PRVOPC: i32 = 5;
/// Privileged register.
pub const ILL_PRVREG: i32 = 6;
/// Coprocessor error.
pub const ILL_COPROC: i32 = 7;
/// Internal stack error.
pub const ILL_BADSTK: i32 = 8;

// SIGFPE si_codes.
/// Integer divide by zero.
pub const FPE_INTDIV: i32 = 1;
/// Integer overflow.
pub const FPE_INTOVF: i32 = 2;
/// Floating-point divide by zero.
pub const FPE_FLTDIV: i32 = 3;
/// Floating-point overflow.
pub const FPE_FLTOVF: i32 = 4;
/// Floating-point underflow.
pub const FPE_FLTUND: i32 = 5;
/// Floating-point inexact result.
pub const FPE_FLTRES: i32 = 6;
/// Floating-point invalid operation.
pub const FPE_FLTINV: i32 = 7;
/// Subscript out of range.
pub const FPE_FLTSUB: i32 = 8;
/// Undiagnosed floating-point exception.
pub const FPE_FLTUNK: i32 = 14;

// SIGSEGV si_codes.
/// Address not mapped.
pub const SEGV_MAPERR: i32 = 1;
/// Invalid permissions for a mapped object.
pub const SEGV_ACCERR: i32 = 2;
/// Failed address bound checks.
pub const SEGV_BNDERR: i32 = 3;
/// Protection key check failed.
pub const SEGV_PKUERR: i32 = 4;
/// Control protection (shadow stack) fault.
pub const SEGV_CPERR: i32 = 10;

// SIGBUS si_codes.
/// Invalid address alignment.
pub const BUS_ADRALN: i32 = 1;
/// Nonexistent physical address (e.g. past the end of a mapped file).
pub const BUS_ADRERR: i32 = 2;
/// Object-specific hardware error.
pub const BUS_OBJERR: i32 = 3;
/// Hardware memory error consumed: action required.
pub const BUS_MCEERR_AR: i32 = 4;
/// Hardware memory error detected: action optional.
pub const BUS_MCEERR_AO: i32 = 5;

// SIGTRAP si_codes.
/// Process breakpoint.
pub const TRAP_BRKPT: i32 = 1;
/// Process trace trap.
pub const TRAP_TRACE: i32 = 2;
/// Process taken branch trap.
pub const TRAP_BRANCH: i32 = 3;
/// Hardware breakpoint/watchpoint.
pub const TRAP_HWBKPT: i32 = 4;
/// Undiagnosed trap.
pub const TRAP_UNK: i32 = 5;

// SIGCHLD si_codes.
/// Child has exited.
pub const CLD_EXITED: i32 = 1;
/// Child was killed.
pub const CLD_KILLED: i32 = 2;
/// Child terminated abnormally and dumped core.
pub const CLD_DUMPED: i32 = 3;
/// Traced child has trapped.
pub const CLD_TRAPPED: i32 = 4;
/// Child has stopped.
pub const CLD_STOPPED: i32 = 5;
/// Stopped child has continued.
pub const CLD_CONTINUED: i32 = 6;

// SIGIO/SIGPOLL si_codes.
/// Data input available.
pub const POLL_IN: i32 = 1;
/// Output buffers available.
pub const POLL_OUT: i32 = 2;
/// Input message available.
pub const POLL_MSG: i32 = 3;
/// I/O error.
pub const POLL_ERR: i32 = 4;
/// High priority input available.
pub const POLL_PRI: i32 = 5;
/// Device disconnected.
pub const POLL_HUP: i32 = 6;

// SIGSYS si_codes.
/// Seccomp triggered (`SECCOMP_RET_TRAP`).
pub const SYS_SECCOMP: i32 = 1;
/// Syscall user dispatch triggered.
pub const SYS_USER_DISPATCH: i32 = 2;

/// What the kernel does with a signal whose handler is `SIG_DFL`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DefaultAction {
    /// Terminate the process.
    Terminate,
    /// Terminate the process and dump core.
    CoreDump,
    /// Discard the signal.
    Ignore,
    /// Stop the process.
    Stop,
    /// Continue the process if stopped.
    Continue,
}

/// The default action of `sig` (signal(7)); real-time signals terminate.
/// Numbers outside `1..=64` give `Terminate`.
pub const fn default_action(sig: u32) -> DefaultAction {
    use DefaultAction::*;
    match sig {
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => CoreDump,
        SIGCHLD | SIGURG | SIGWINCH => Ignore,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => Stop,
        SIGCONT => Continue,
        _ => Terminate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names() {
        assert_eq!(SIGKILL, 9);
        assert_eq!(SIGCHLD, 17);
        assert_eq!(SIGSYS, 31);
        assert_eq!(name(SIGUSR1), Some("SIGUSR1"));
        assert_eq!(name(SIGSTKFLT), Some("SIGSTKFLT"));
        assert_eq!(name(SIGIO), Some("SIGIO"));
        assert_eq!(name(32), Some("SIGRTMIN"));
        assert_eq!(name(33), Some("SIGRT_1"));
        assert_eq!(name(64), Some("SIGRT_32"));
        assert_eq!(name(0), None);
        assert_eq!(name(65), None);
        for sig in 1..=NSIG {
            assert!(name(sig).is_some());
        }
    }

    #[test]
    fn descriptions() {
        assert_eq!(description(SIGSEGV), "Segmentation fault");
        assert_eq!(description(SIGFPE), "Floating point exception");
        assert_eq!(description(SIGSTOP), "Stopped (signal)");
        assert_eq!(description(SIGTSTP), "Stopped");
        assert_eq!(description(SIGCHLD), "Child exited");
        assert_eq!(description(SIGSYS), "Bad system call");
        assert_eq!(description(32), "Unknown signal 32");
        assert_eq!(description(34), "Real-time signal 0");
        assert_eq!(description(64), "Real-time signal 30");
        assert_eq!(description(0), "Unknown signal");
        assert_eq!(description(99), "Unknown signal");
    }

    #[test]
    fn sigset() {
        let mut s = SigSet::empty();
        assert!(s.is_empty());
        s.add(SIGUSR1);
        s.add(SIGTERM);
        s.add(64);
        s.add(0);
        s.add(65);
        assert_eq!(s.0, (1 << 9) | (1 << 14) | (1 << 63));
        assert!(s.contains(SIGUSR1) && s.contains(64) && !s.contains(SIGINT) && !s.contains(0));
        let v: [u32; 3] = [SIGUSR1, SIGTERM, 64];
        assert!(s.iter().eq(v.iter().copied()));
        s.remove(SIGTERM);
        assert!(!s.contains(SIGTERM));
        assert_eq!(SigSet::full().iter().count(), 64);
        assert_eq!(SigSet(0b11).union(SigSet(0b100)), SigSet(0b111));
        assert_eq!(SigSet(0b111).difference(SigSet(0b010)), SigSet(0b101));
        assert_eq!(SigSet(0b110).intersection(SigSet(0b011)), SigSet(0b010));
    }

    #[test]
    fn sa_flags_and_actions() {
        assert_eq!(SaFlags::RESTORER.bits(), 0x0400_0000);
        assert_eq!(SaFlags::RESETHAND.bits(), 0x8000_0000);
        assert_eq!(SaFlags::SIGINFO.bits(), 4);
        assert_eq!(SS_AUTODISARM, 0x8000_0000);
        assert_eq!(default_action(SIGSEGV), DefaultAction::CoreDump);
        assert_eq!(default_action(SIGTERM), DefaultAction::Terminate);
        assert_eq!(default_action(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(default_action(SIGWINCH), DefaultAction::Ignore);
        assert_eq!(default_action(SIGTTOU), DefaultAction::Stop);
        assert_eq!(default_action(SIGCONT), DefaultAction::Continue);
        assert_eq!(default_action(SIGRTMIN + 3), DefaultAction::Terminate);
        assert_eq!(default_action(SIGPWR), DefaultAction::Terminate);
        assert_eq!(default_action(SIGSYS), DefaultAction::CoreDump);
    }
}
