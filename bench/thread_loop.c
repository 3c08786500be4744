/* thread_loop.c: threads under a runner.
 * Usage: thread_loop create N | pingpong N
 *   create:   N x (pthread_create + pthread_join) of an empty thread
 *   pingpong: N round trips between two threads over a mutex and two
 *             condition variables (futex waits and wakes)
 * Prints: calls=N total_ns=T ns_per_call=X (CLOCK_MONOTONIC). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *nothing(void *arg) { return arg; }

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ping = PTHREAD_COND_INITIALIZER, pong = PTHREAD_COND_INITIALIZER;
static long turn, rounds;

static void *ponger(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (long i = 0; i < rounds; i++) {
        while (turn != 1)
            pthread_cond_wait(&ping, &mu);
        turn = 0;
        pthread_cond_signal(&pong);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "create";
    long n = argc > 2 ? atol(argv[2]) : 1000;
    long long t0 = now_ns();
    if (strcmp(mode, "create") == 0) {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, nothing, NULL)) {
                perror("pthread_create");
                return 1;
            }
            pthread_join(t, NULL);
        }
    } else {
        rounds = n;
        pthread_t t;
        pthread_create(&t, NULL, ponger, NULL);
        pthread_mutex_lock(&mu);
        for (long i = 0; i < n; i++) {
            turn = 1;
            pthread_cond_signal(&ping);
            while (turn != 0)
                pthread_cond_wait(&pong, &mu);
        }
        pthread_mutex_unlock(&mu);
        pthread_join(t, NULL);
    }
    long long t1 = now_ns();
    printf("calls=%ld total_ns=%lld ns_per_call=%.1f\n", n, t1 - t0, n ? (double)(t1 - t0) / n : 0.0);
    return 0;
}
