/* getppid_loop.c: N x syscall(SYS_getppid) (libc cannot cache it), or with
 * -DWRAPPER N x getppid() through libc's wrapper (glibc's is the
 * `mov eax, 110; syscall` site lx patches into a direct call).
 * Usage: getppid_loop [N]   (default 1000000)
 * Prints: calls=N total_ns=T ns_per_call=X  (measured with CLOCK_MONOTONIC
 * inside the program; bench/run also measures wall time from outside). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
#ifdef WRAPPER
#define CALL() getppid()
#else
#define CALL() syscall(SYS_getppid)
#endif
    long ppid = CALL();
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (CALL() != ppid) {
            fprintf(stderr, "getppid changed at iteration %ld\n", i);
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("calls=%ld total_ns=%lld ns_per_call=%.1f\n", n, t1 - t0, n ? (double)(t1 - t0) / n : 0.0);
    return 0;
}
