/* open_loop.c: N x (open, fstat, close) of one file.
 * Usage: open_loop [N] [PATH]   (default 100000, /etc/passwd)
 * Prints: calls=N total_ns=T ns_per_call=X (per open+fstat+close triple,
 * CLOCK_MONOTONIC inside the program). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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
    long n = argc > 1 ? atol(argv[1]) : 100000;
    const char *path = argc > 2 ? argv[2] : "/etc/passwd";
    struct stat st;
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) != 0 || close(fd) != 0) {
            perror(path);
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("calls=%ld total_ns=%lld ns_per_call=%.1f\n", n, t1 - t0, n ? (double)(t1 - t0) / n : 0.0);
    return 0;
}
