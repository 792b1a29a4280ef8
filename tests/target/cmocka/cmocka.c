/* The cmocka shim's runner and asserts (see cmocka.h for why it exists).
 * Formats avoid %z and %j: Debian's newlib is built without C99 formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmocka.h"

enum { RESULT_PASS, RESULT_FAIL, RESULT_SKIP };

/* The test being run: where a failed assert jumps back to. */
static struct {
    jmp_buf env;
    int active;
} shim;

static void end_test(int result) __attribute__((noreturn));
static void end_test(int result)
{
    if (!shim.active) {
        /* An assert outside a test (group fixture, main): nothing to return to. */
        printf("[  ERROR   ] assert outside a test\n");
        fflush(stdout);
        _Exit(1);
    }
    longjmp(shim.env, result);
}

void print_message(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vprintf(format, ap);
    va_end(ap);
}

void print_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vprintf(format, ap);
    va_end(ap);
}

void _shim_fail(const char *file, int line, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    printf("[  ERROR   ] --- ");
    vprintf(format, ap);
    va_end(ap);
    printf("\n[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
    end_test(RESULT_FAIL);
}

void _shim_skip(const char *file, int line)
{
    printf("[   SKIP   ] --- %s:%d\n", file, line);
    end_test(RESULT_SKIP);
}

void _shim_assert_true(int ok, const char *expr, const char *file, int line)
{
    if (!ok)
        _shim_fail(file, line, "%s", expr);
}

void _shim_assert_int(LargestIntegralType a, LargestIntegralType b, int want_equal, const char *file, int line)
{
    if ((a == b) != want_equal)
        _shim_fail(file, line, "%lld (%#llx) %s %lld (%#llx)", (long long)a, (unsigned long long)a,
                   want_equal ? "!=" : "==", (long long)b, (unsigned long long)b);
}

void _shim_assert_range(LargestIntegralType v, LargestIntegralType lo, LargestIntegralType hi, const char *file,
                        int line)
{
    if (v < lo || v > hi)
        _shim_fail(file, line, "%llu is not within the range [%llu, %llu]", (unsigned long long)v,
                   (unsigned long long)lo, (unsigned long long)hi);
}

void _shim_assert_string(const char *a, const char *b, int want_equal, const char *file, int line)
{
    int eq = (a == b) || (a && b && strcmp(a, b) == 0);
    if (eq != want_equal)
        _shim_fail(file, line, "\"%s\" %s \"%s\"", a ? a : "(null)", want_equal ? "!=" : "==", b ? b : "(null)");
}

void _shim_assert_memory(const void *a, const void *b, size_t n, int want_equal, const char *file, int line)
{
    const unsigned char *x = a, *y = b;
    size_t i = 0;
    if (!x || !y)
        _shim_fail(file, line, "memory compare with a NULL pointer");
    while (i < n && x[i] == y[i])
        i++;
    if ((i == n) != want_equal) {
        if (want_equal)
            _shim_fail(file, line, "%lu bytes differ at offset %lu: 0x%02x != 0x%02x", (unsigned long)n,
                       (unsigned long)i, x[i], y[i]);
        _shim_fail(file, line, "%lu bytes are equal", (unsigned long)n);
    }
}

/* Runs one test; its teardown runs whether it passed or not, as in cmocka. */
static int run_one(const struct CMUnitTest *t)
{
    void *state = t->initial_state;
    volatile int result = RESULT_PASS, setup_ok = 0;
    printf("[ RUN      ] %s\n", t->name);
    shim.active = 1;
    int jumped = setjmp(shim.env);
    if (jumped == 0) {
        if (t->setup_func && t->setup_func(&state) != 0) {
            printf("[  ERROR   ] %s: setup failed\n", t->name);
            result = RESULT_FAIL;
        } else {
            setup_ok = 1;
            t->test_func(&state);
        }
    } else {
        result = jumped;
    }
    shim.active = 0; /* an assert in teardown ends the run: no jump back into this frame */
    if (t->teardown_func && setup_ok) {
        if (t->teardown_func(&state) != 0) {
            printf("[  ERROR   ] %s: teardown failed\n", t->name);
            result = RESULT_FAIL;
        }
    }
    printf("%s %s\n", result == RESULT_PASS ? "[       OK ]" : result == RESULT_SKIP ? "[  SKIPPED ]" : "[  FAILED  ]",
           t->name);
    fflush(stdout);
    return result;
}

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    void *gstate = NULL;
    size_t failed = 0, skipped = 0;
    printf("[==========] %s: Running %lu test(s).\n", group_name, (unsigned long)count);
    if (group_setup && group_setup(&gstate) != 0) {
        printf("[  ERROR   ] %s: group setup failed\n", group_name);
        return (int)count;
    }
    for (size_t i = 0; i < count; i++) {
        struct CMUnitTest t = tests[i];
        if (!t.initial_state)
            t.initial_state = gstate;
        int r = run_one(&t);
        failed += r == RESULT_FAIL;
        skipped += r == RESULT_SKIP;
    }
    if (group_teardown && group_teardown(&gstate) != 0) {
        printf("[  ERROR   ] %s: group teardown failed\n", group_name);
        failed++;
    }
    printf("[==========] %s: %lu test(s) run.\n", group_name, (unsigned long)count);
    printf("[  PASSED  ] %lu test(s).\n", (unsigned long)(count - failed - skipped));
    if (skipped)
        printf("[  SKIPPED ] %lu test(s).\n", (unsigned long)skipped);
    if (failed)
        printf("[  FAILED  ] %lu test(s).\n", (unsigned long)failed);
    fflush(stdout);
    /* A skip is not a pass (as scripts/check-skips.sh holds on the host). */
    return (int)(failed + skipped);
}
