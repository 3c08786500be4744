/* seccomp_trap.c: the floor under lx's per-syscall cost: a bare seccomp
 * SECCOMP_RET_TRAP round trip. Installs a filter that traps getppid; the
 * SIGSYS handler "serves" it by writing the result into REG_RAX of the
 * ucontext; then N x syscall(SYS_getppid).
 * Usage: seccomp_trap [N]   (default 1000000)
 * Prints: calls=N total_ns=T ns_per_call=X
 * Self-contained (no <linux/...> headers) so it builds with musl-gcc. */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
#define BPF_LD_W_ABS 0x20  /* BPF_LD | BPF_W | BPF_ABS */
#define BPF_JEQ_K 0x15     /* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_RET_K 0x06     /* BPF_RET | BPF_K */
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define AUDIT_ARCH_X86_64 0xc000003eu
#define SECCOMP_MODE_FILTER 2
#define FAKE_PPID 4242

static volatile long traps;

static void on_sigsys(int sig, siginfo_t *info, void *vctx)
{
    ucontext_t *uc = vctx;
    uc->uc_mcontext.gregs[REG_RAX] = FAKE_PPID;
    traps++;
    (void)sig, (void)info;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0) {
        perror("sigaction");
        return 1;
    }

    struct sock_filter f[] = {
        {BPF_LD_W_ABS, 0, 0, 4},                     /* A = seccomp_data.arch */
        {BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64},        /* x86_64? skip next */
        {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
        {BPF_LD_W_ABS, 0, 0, 0},                     /* A = seccomp_data.nr */
        {BPF_JEQ_K, 0, 1, SYS_getppid},              /* getppid? trap : allow */
        {BPF_RET_K, 0, 0, SECCOMP_RET_TRAP},
        {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
    };
    struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof f[0]), f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("seccomp");
        return 1;
    }

    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (syscall(SYS_getppid) != FAKE_PPID) {
            fprintf(stderr, "getppid was not trapped at iteration %ld\n", i);
            return 1;
        }
    }
    long long t1 = now_ns();
    if (traps != n) {
        fprintf(stderr, "expected %ld traps, got %ld\n", n, traps);
        return 1;
    }
    printf("calls=%ld total_ns=%lld ns_per_call=%.1f\n", n, t1 - t0, n ? (double)(t1 - t0) / n : 0.0);
    return 0;
}
