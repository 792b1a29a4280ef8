/* bench/timeit: run one command as a whole process and print what it cost.
 *
 * usage: timeit [-o FILE] CMD [ARG...]
 * Prints one line to stdout, or appends it to FILE with -o:
 *   "wall_s user_s sys_s maxrss_kb exit"
 *   wall_s     elapsed monotonic time, seconds
 *   user_s     user CPU of the command and every descendant it waited for
 *   sys_s      system CPU, likewise
 *   maxrss_kb  largest resident set of the command or a descendant, KiB
 *   exit       the command's exit status (128+N if killed by signal N)
 * The command's own stdout/stderr pass through. Exits with the command's
 * status so callers can tell a failed run from a slow one. Used by
 * bench/run.sh so that the benchmark needs neither GNU time nor hyperfine. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    FILE *out = stdout;
    int first = 1;
    if (argc > 2 && argv[1][0] == '-' && argv[1][1] == 'o' && argv[1][2] == 0) {
        out = fopen(argv[2], "ae"); /* close-on-exec: not the command's */
        if (!out) {
            perror(argv[2]);
            return 125;
        }
        first = 3;
    }
    if (argc <= first) {
        fputs("usage: timeit [-o FILE] CMD [ARG...]\n", stderr);
        return 2;
    }
    struct rusage before, after;
    struct timespec t0, t1;
    getrusage(RUSAGE_CHILDREN, &before);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("timeit: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[first], argv + first);
        perror("timeit: exec");
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) {
        perror("timeit: waitpid");
        return 125;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_CHILDREN, &after);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(out, "%.4f %.4f %.4f %ld %d\n", wall, tv_s(after.ru_utime) - tv_s(before.ru_utime),
           tv_s(after.ru_stime) - tv_s(before.ru_stime), after.ru_maxrss, code);
    if (out != stdout)
        fclose(out);
    return code;
}
