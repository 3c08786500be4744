/* spawn_loop.c: N x (fork, exec /bin/true, waitpid).
 * Usage: spawn_loop [N] [PROGRAM] [fork|vfork] [MIB]
 *   (default 1000, /bin/true, fork, 0): vfork instead of fork, from a
 *   parent that first touched MIB MiB of heap.
 * Prints: calls=N total_ns=T ns_per_call=X (per cycle, CLOCK_MONOTONIC). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
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
    long n = argc > 1 ? atol(argv[1]) : 1000;
    const char *prog = argc > 2 ? argv[2] : "/bin/true";
    int use_vfork = argc > 3 && argv[3][0] == 'v';
    size_t heap = argc > 4 ? (size_t)atol(argv[4]) << 20 : 0;
    char *mem = heap ? malloc(heap) : NULL;
    for (size_t i = 0; mem && i < heap; i += 4096)
        mem[i] = 1;
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = use_vfork ? vfork() : fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            execl(prog, prog, (char *)0);
            _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "child failed at %ld\n", i);
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("calls=%ld total_ns=%lld ns_per_call=%.1f\n", n, t1 - t0, n ? (double)(t1 - t0) / n : 0.0);
    return 0;
}
