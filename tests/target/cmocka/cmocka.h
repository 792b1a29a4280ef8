/* A cmocka-compatible test shim for the QEMU target tests (tests/target/).
 *
 * Why it exists: cmocka is a host library in Debian (libcmocka-dev), with no
 * build for arm-none-eabi or riscv32, and the target tests must compile the
 * host test sources unchanged. This header implements only the subset those
 * sources use: the assert_* macros below, fail / fail_msg, skip,
 * print_message / print_error, cmocka_unit_test[_setup_teardown|_prestate]
 * and cmocka_run_group_tests. Mocks (will_return, expect_*) and cmocka's
 * test_malloc leak checks are not implemented; a source that uses them does
 * not compile here, which is the signal to add them.
 *
 * Semantics follow cmocka 1.1: integer asserts compare as uintmax_t, a failed
 * assert ends the current test (longjmp back to the runner) and the group
 * carries on, cmocka_run_group_tests returns the number of failed tests.
 * Output uses cmocka's "[ RUN      ]" / "[       OK ]" / "[  FAILED  ]"
 * lines, which scripts/target.sh counts. No allocation; state is one static
 * struct (this is test code on a bare-metal target, not the core).
 */
#ifndef OTTER_TARGET_CMOCKA_H
#define OTTER_TARGET_CMOCKA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef uintmax_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup(f, setup) { #f, f, setup, NULL, NULL }
#define cmocka_unit_test_teardown(f, teardown) { #f, f, NULL, teardown, NULL }
#define cmocka_unit_test_setup_teardown(f, setup, teardown) { #f, f, setup, teardown, NULL }
#define cmocka_unit_test_prestate(f, state) { #f, f, NULL, NULL, state }
#define cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, state) { #f, f, setup, teardown, state }

#define cmocka_run_group_tests(tests, setup, teardown) \
    _cmocka_run_group_tests(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
    _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

#define cast_to_largest_integral_type(v) ((LargestIntegralType)(v))
#define cast_ptr_to_largest_integral_type(v) ((LargestIntegralType)(uintptr_t)(v))

#define assert_true(c) _shim_assert_true(!!(c), #c, __FILE__, __LINE__)
#define assert_false(c) _shim_assert_true(!(c), "!(" #c ")", __FILE__, __LINE__)
#define assert_return_code(rc, err) _shim_assert_true((rc) >= 0, #rc " >= 0", __FILE__, __LINE__)
#define assert_non_null(p) _shim_assert_true((p) != NULL, #p " != NULL", __FILE__, __LINE__)
#define assert_null(p) _shim_assert_true((p) == NULL, #p " == NULL", __FILE__, __LINE__)
#define assert_ptr_equal(a, b) \
    _shim_assert_int(cast_ptr_to_largest_integral_type(a), cast_ptr_to_largest_integral_type(b), 1, __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b) \
    _shim_assert_int(cast_ptr_to_largest_integral_type(a), cast_ptr_to_largest_integral_type(b), 0, __FILE__, __LINE__)
#define assert_int_equal(a, b) \
    _shim_assert_int(cast_to_largest_integral_type(a), cast_to_largest_integral_type(b), 1, __FILE__, __LINE__)
#define assert_int_not_equal(a, b) \
    _shim_assert_int(cast_to_largest_integral_type(a), cast_to_largest_integral_type(b), 0, __FILE__, __LINE__)
#define assert_in_range(v, lo, hi)                                                                  \
    _shim_assert_range(cast_to_largest_integral_type(v), cast_to_largest_integral_type(lo),         \
                       cast_to_largest_integral_type(hi), __FILE__, __LINE__)
#define assert_string_equal(a, b) _shim_assert_string((const char *)(a), (const char *)(b), 1, __FILE__, __LINE__)
#define assert_string_not_equal(a, b) _shim_assert_string((const char *)(a), (const char *)(b), 0, __FILE__, __LINE__)
#define assert_memory_equal(a, b, n) _shim_assert_memory((const void *)(a), (const void *)(b), (size_t)(n), 1, __FILE__, __LINE__)
#define assert_memory_not_equal(a, b, n) \
    _shim_assert_memory((const void *)(a), (const void *)(b), (size_t)(n), 0, __FILE__, __LINE__)

#define fail() _shim_fail(__FILE__, __LINE__, "%s", "fail()")
#define fail_msg(...) _shim_fail(__FILE__, __LINE__, __VA_ARGS__)
#define skip() _shim_skip(__FILE__, __LINE__)

void print_message(const char *format, ...) __attribute__((format(printf, 1, 2)));
void print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
void _shim_assert_true(int ok, const char *expr, const char *file, int line);
void _shim_assert_int(LargestIntegralType a, LargestIntegralType b, int want_equal, const char *file, int line);
void _shim_assert_range(LargestIntegralType v, LargestIntegralType lo, LargestIntegralType hi, const char *file,
                        int line);
void _shim_assert_string(const char *a, const char *b, int want_equal, const char *file, int line);
void _shim_assert_memory(const void *a, const void *b, size_t n, int want_equal, const char *file, int line);
void _shim_fail(const char *file, int line, const char *format, ...) __attribute__((format(printf, 3, 4), noreturn));
void _shim_skip(const char *file, int line) __attribute__((noreturn));

#endif
