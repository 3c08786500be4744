//! Linux x86_64 signal frames: building one on the guest's stack to run its
//! handler, and rt_sigreturn(2) taking it down again.
//!
//! Layout (arch/x86/kernel/signal.c, `get_sigframe`): below the interrupted
//! stack pointer (minus the 128-byte red zone, or at the top of the
//! alternate stack with SA_ONSTACK) comes the FPU/xsave image aligned to 64,
//! then `struct rt_sigframe { pretcode; ucontext uc; siginfo info; }` aligned
//! so that the handler starts with `rsp % 16 == 8`, as after a call.

use super::SigAction;
use super::action::set_action;
use super::altstack;
use crate::ctx::{Ctx, SysResult};
use crate::host::Host;
use crate::kernel::{Kernel, SignalOutcome};
use crate::regs::Regs;
use crate::trace;
use crate::user;
use lx_abi::Errno;
use lx_abi::signal::{DefaultAction, SIG_DFL, SIG_IGN, SIGSEGV, SaFlags, SigSet, default_action};
use lx_abi::structs::{
    RT_SIGFRAME_INFO_OFFSET, RT_SIGFRAME_SIZE, RT_SIGFRAME_UC_OFFSET, Sigcontext, Siginfo, StackT,
    UC_FP_XSTATE, UC_SIGCONTEXT_SS, UC_STRICT_RESTORE_SS, Ucontext,
};
use zerocopy::IntoBytes;

const EFLAGS_TF: u64 = 0x100;
const EFLAGS_DF: u64 = 0x400;
const EFLAGS_RF: u64 = 0x10000;
/// The eflags bits rt_sigreturn takes from the frame (Linux's FIX_EFLAGS).
const FIX_EFLAGS: u64 = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x10000 | 0x40000;
const RED_ZONE: u64 = 128;

/// Is this a fault raised by the CPU for the instruction that was running
/// (as opposed to a signal someone sent)? Such signals cannot be blocked or
/// ignored: Linux forces them (force_sig_info).
fn is_synchronous_fault(info: &Siginfo) -> bool {
    info.si_code > 0 && matches!(info.si_signo, 4 | 5 | 7 | 8 | 11)
}

/// Deliver `info` to the guest (see [`Kernel::deliver_signal`]).
pub fn deliver(
    k: &mut Kernel,
    host: &dyn Host,
    regs: &mut Regs,
    fp: &mut [u8],
    info: &Siginfo,
) -> SignalOutcome {
    let sig = info.si_signo as u32;
    if !(1..=64).contains(&sig) {
        return SignalOutcome::Ignored;
    }
    let forced = is_synchronous_fault(info);
    if k.sig.mask.contains(sig) && !forced {
        k.sig.make_pending(*info);
        return SignalOutcome::Pending;
    }
    let act = k.sig.actions[sig as usize];
    if k.tracing {
        trace::signal(host, info);
    }
    let fatal_default = || match default_action(sig) {
        DefaultAction::Terminate | DefaultAction::CoreDump => SignalOutcome::Fatal(sig),
        // Stop signals only reach lx when it holds them; the host stops the
        // process natively for the rest.
        DefaultAction::Stop | DefaultAction::Ignore | DefaultAction::Continue => {
            SignalOutcome::Ignored
        }
    };
    match act.handler {
        SIG_DFL => fatal_default(),
        SIG_IGN if forced => SignalOutcome::Fatal(sig),
        SIG_IGN => SignalOutcome::Ignored,
        _ if forced && k.sig.mask.contains(sig) => SignalOutcome::Fatal(sig),
        _ => {
            // A syscall interrupted by this signal: restarted after the
            // handler with SA_RESTART, else it returns EINTR.
            if let Some(nr) = k.restart.take()
                && act.flags & lx_abi::signal::SaFlags::RESTART.bits() != 0
            {
                regs.rip = regs.rip.wrapping_sub(2);
                regs.rax = u64::from(nr);
            }
            match setup_frame(k, host, regs, fp, info, &act) {
                Ok(()) => SignalOutcome::Delivered,
                // Linux: a frame that cannot be written is a SIGSEGV (force_sigsegv).
                Err(_) => SignalOutcome::Fatal(SIGSEGV),
            }
        }
    }
}

fn setup_frame(
    k: &mut Kernel,
    host: &dyn Host,
    regs: &mut Regs,
    fp: &mut [u8],
    info: &Siginfo,
    act: &SigAction,
) -> Result<(), Errno> {
    let sig = info.si_signo as u32;
    let flags = SaFlags::from_bits_retain(act.flags);
    let alt = k.sig.altstack;
    let on_alt = alt.contains(regs.rsp);
    let mut sp = if flags.contains(SaFlags::ONSTACK) && alt.size != 0 && !on_alt {
        alt.sp + alt.size
    } else {
        regs.rsp.wrapping_sub(RED_ZONE)
    };
    // FPU state first, 64-byte aligned.
    sp = sp.wrapping_sub(fp.len() as u64) & !63;
    let fp_addr = sp;
    if !fp.is_empty() {
        user::copy_out(host, fp_addr, fp)?;
    }
    let frame = (sp.wrapping_sub(RT_SIGFRAME_SIZE as u64) & !15).wrapping_sub(8);
    let uc_addr = frame + RT_SIGFRAME_UC_OFFSET as u64;
    let info_addr = frame + RT_SIGFRAME_INFO_OFFSET as u64;

    let xstate = fp.len() > 512;
    let uc = Ucontext {
        uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | if xstate { UC_FP_XSTATE } else { 0 },
        uc_link: 0,
        uc_stack: StackT {
            ss_sp: alt.sp,
            ss_flags: alt.ss_flags(regs.rsp) | alt.flags as i32,
            _pad: 0,
            ss_size: alt.size,
        },
        uc_mcontext: to_sigcontext(regs, if fp.is_empty() { 0 } else { fp_addr }, k.sig.mask.0),
        uc_sigmask: k.sig.restore_mask.take().unwrap_or(k.sig.mask).0,
    };
    let mut bytes = [0u8; RT_SIGFRAME_SIZE];
    bytes[..8].copy_from_slice(&act.restorer.to_le_bytes());
    bytes[RT_SIGFRAME_UC_OFFSET..RT_SIGFRAME_UC_OFFSET + core::mem::size_of::<Ucontext>()]
        .copy_from_slice(uc.as_bytes());
    bytes[RT_SIGFRAME_INFO_OFFSET..RT_SIGFRAME_INFO_OFFSET + 128].copy_from_slice(info.as_bytes());
    user::copy_out(host, frame, &bytes)?;

    // SS_AUTODISARM: the stack is disabled while the handler runs; the
    // saved uc_stack brings it back on rt_sigreturn.
    if flags.contains(SaFlags::ONSTACK) && alt.flags != 0 && !on_alt {
        k.sig.altstack = super::AltStack::default();
    }
    regs.rdi = u64::from(sig);
    regs.rsi = info_addr;
    regs.rdx = uc_addr;
    regs.rax = 0;
    regs.rsp = frame;
    regs.rip = act.handler;
    regs.eflags &= !(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);

    let mut m = k.sig.mask.union(act.mask);
    if !flags.contains(SaFlags::NODEFER) {
        m.add(sig);
    }
    k.sig.set_mask(m);
    if flags.contains(SaFlags::RESETHAND) {
        let mut ctx_regs = *regs;
        let mut nofp: [u8; 0] = [];
        let mut ctx = Ctx {
            k,
            host,
            regs: &mut ctx_regs,
            fpstate: &mut nofp,
            nr: 0,
        };
        set_action(&mut ctx, sig, SigAction::default())?;
    }
    Ok(())
}

fn to_sigcontext(r: &Regs, fpstate: u64, oldmask: u64) -> Sigcontext {
    Sigcontext {
        r8: r.r8,
        r9: r.r9,
        r10: r.r10,
        r11: r.r11,
        r12: r.r12,
        r13: r.r13,
        r14: r.r14,
        r15: r.r15,
        rdi: r.rdi,
        rsi: r.rsi,
        rbp: r.rbp,
        rbx: r.rbx,
        rdx: r.rdx,
        rax: r.rax,
        rcx: r.rcx,
        rsp: r.rsp,
        rip: r.rip,
        eflags: r.eflags,
        cs: r.csgsfs as u16,
        gs: (r.csgsfs >> 16) as u16,
        fs: (r.csgsfs >> 32) as u16,
        ss: (r.csgsfs >> 48) as u16,
        err: r.err,
        trapno: r.trapno,
        oldmask,
        cr2: r.cr2,
        fpstate,
        reserved1: [0; 8],
    }
}

/// rt_sigreturn(2): restore the registers, FPU state, mask and alternate
/// stack saved in the frame the handler returns through. A frame that
/// cannot be read is a SIGSEGV, as on Linux.
pub fn sys_rt_sigreturn(c: &mut Ctx<'_>) -> SysResult {
    let frame = c.regs.rsp.wrapping_sub(8);
    let uc: Ucontext = match c.read(frame.wrapping_add(RT_SIGFRAME_UC_OFFSET as u64)) {
        Ok(uc) => uc,
        Err(_) => c.host.die_by_signal(SIGSEGV),
    };
    let sc = &uc.uc_mcontext;
    let r = &mut *c.regs;
    r.r8 = sc.r8;
    r.r9 = sc.r9;
    r.r10 = sc.r10;
    r.r11 = sc.r11;
    r.r12 = sc.r12;
    r.r13 = sc.r13;
    r.r14 = sc.r14;
    r.r15 = sc.r15;
    r.rdi = sc.rdi;
    r.rsi = sc.rsi;
    r.rbp = sc.rbp;
    r.rbx = sc.rbx;
    r.rdx = sc.rdx;
    r.rax = sc.rax;
    r.rcx = sc.rcx;
    r.rsp = sc.rsp;
    r.rip = sc.rip;
    r.eflags = (r.eflags & !FIX_EFLAGS) | (sc.eflags & FIX_EFLAGS);
    if sc.fpstate != 0 && !c.fpstate.is_empty() {
        // The host validates the xsave header when the trap returns; a
        // corrupted one ends the process with SIGSEGV, as Linux does.
        if user::copy_in(c.host, sc.fpstate, c.fpstate).is_err() {
            c.host.die_by_signal(SIGSEGV);
        }
    }
    c.k.sig.set_mask(SigSet(uc.uc_sigmask));
    let sp = c.regs.rsp;
    // Linux restores the alternate stack and ignores errors doing so.
    let _ = altstack::set(&mut c.k.sig.altstack, sp, &uc.uc_stack);
    Ok(c.regs.rax as usize)
}
