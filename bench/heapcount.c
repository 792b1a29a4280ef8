/* bench/heapcount.so: an LD_PRELOAD malloc interposer that measures heap use.
 *
 * Debian's mbedTLS is built without MBEDTLS_PLATFORM_MEMORY, so its
 * allocations can only be seen from outside. This library wraps malloc,
 * calloc, realloc, free, posix_memalign, aligned_alloc and memalign (through
 * glibc's __libc_* entry points, so no dlsym bootstrap is needed) and keeps:
 *   - live bytes (requested sizes) and their peak;
 *   - at the peak, the sizes of the largest live blocks, so a report can
 *     subtract TLS record buffers (the two ~16.7 KB blocks mbedTLS allocates);
 *   - number of allocations.
 * It also measures the main thread's peak stack: a constructor grows the
 * stack by STACK_PAINT bytes and fills it with a pattern; at exit the lowest
 * overwritten byte gives the depth reached below the constructor's frame
 * (within a few hundred bytes of main's).
 * Allocations made from inside mbedTLS's libraries (libmbed* or
 * libtfpsacrypto*: the caller's return address is in them) are also counted
 * on their own, so that the figure for mbedTLS does not depend on what the
 * program around it does. Where mbedTLS is linked statically into the
 * program (3.6, 4.0), HEAPCOUNT_MBED_RANGES names a file of "START END" hex
 * lines: the program's address ranges (as linked, before relocation) that
 * hold mbedTLS's functions (bench/run.sh writes it from the symbol table).
 * At exit it appends one line to the file named by HEAPCOUNT_OUT (or stderr):
 *   "peak=<bytes> allocs=<n> stack=<bytes> mbed_peak=<bytes> top=<s1>,...,<s8>
 *    mbed_top=<s1>,...,<s8>"
 *   (top: largest live blocks at the moment of the peak, biggest first;
 *   mbed_top: the same for mbedTLS's blocks at mbedTLS's peak)
 * Each block carries a 16-byte header: its size and the distance back to the
 * start of the underlying glibc block. Not thread-safe
 * beyond what the process under test needs (otter is single-threaded). */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

#define HDR 16u
#define TOPN 8
#define TRACK 4096 /* live blocks tracked for the top list */

static size_t live, peak, nallocs;
static size_t peak_top[TOPN];
static size_t mlive, mpeak;
static size_t mpeak_top[TOPN];
/* Live block sizes, for the "largest blocks at the peak" list. */
static size_t tracked[TRACK];
static void *tracked_ptr[TRACK];
static uint8_t tracked_mbed[TRACK];

/* Address ranges of the loaded mbedTLS libraries, and of mbedTLS's code
 * linked into the program. */
#define MAXR 512
static uintptr_t rlo[MAXR], rhi[MAXR];
static int nr, ranges_done;

/* The program's own ranges from HEAPCOUNT_MBED_RANGES, moved by its load
 * bias (the first object dl_iterate_phdr reports is the program). */
static void static_ranges(uintptr_t bias)
{
    const char *path = getenv("HEAPCOUNT_MBED_RANGES");
    if (!path || !*path)
        return;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    static char buf[MAXR * 40];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    char *p = buf;
    while (*p && nr < MAXR) {
        char *e;
        unsigned long lo = strtoul(p, &e, 16);
        if (e == p)
            break;
        p = e;
        unsigned long hi = strtoul(p, &e, 16);
        if (e == p)
            break;
        p = e;
        rlo[nr] = bias + lo;
        rhi[nr] = bias + hi;
        nr++;
        while (*p == '\n' || *p == ' ' || *p == '\r')
            p++;
    }
}

static int find_mbed(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    int *first = data;
    if (*first) {
        *first = 0;
        static_ranges(info->dlpi_addr);
    }
    if (!info->dlpi_name || (!strstr(info->dlpi_name, "libmbed") && !strstr(info->dlpi_name, "libtfpsacrypto")))
        return 0;
    for (int i = 0; i < info->dlpi_phnum && nr < MAXR; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            rlo[nr] = info->dlpi_addr + ph->p_vaddr;
            rhi[nr] = rlo[nr] + ph->p_memsz;
            nr++;
        }
    }
    return 0;
}

static int from_mbed(const void *ret)
{
    if (!ranges_done) {
        ranges_done = 1;
        int first = 1;
        dl_iterate_phdr(find_mbed, &first);
    }
    uintptr_t a = (uintptr_t)ret;
    for (int i = 0; i < nr; i++)
        if (a >= rlo[i] && a < rhi[i])
            return 1;
    return 0;
}

static void track_add(void *p, size_t n, int mbed)
{
    for (size_t i = 0; i < TRACK; i++)
        if (!tracked_ptr[i]) {
            tracked_ptr[i] = p;
            tracked[i] = n;
            tracked_mbed[i] = (uint8_t)mbed;
            return;
        }
}

static void track_del(void *p)
{
    for (size_t i = 0; i < TRACK; i++)
        if (tracked_ptr[i] == p) {
            tracked_ptr[i] = NULL;
            return;
        }
}

static void snapshot_top(size_t *out, int only_mbed)
{
    size_t top[TOPN] = {0};
    for (size_t i = 0; i < TRACK; i++) {
        if (!tracked_ptr[i] || (only_mbed && !tracked_mbed[i]))
            continue;
        size_t v = tracked[i];
        for (size_t k = 0; k < TOPN; k++)
            if (v > top[k]) {
                size_t t = top[k];
                top[k] = v;
                v = t;
            }
    }
    memcpy(out, top, sizeof top);
}

/* The header's second word: the distance back to the glibc block, with the
 * top bit set for a block mbedTLS allocated. */
#define MBED_BIT ((size_t)1 << (sizeof(size_t) * 8 - 1))

static void *account(void *raw, size_t n, size_t off, const void *caller)
{
    if (!raw)
        return NULL;
    int mbed = from_mbed(caller);
    uint8_t *p = (uint8_t *)raw + off;
    size_t word = off | (mbed ? MBED_BIT : 0);
    memcpy(p - HDR, &n, sizeof n);
    memcpy(p - HDR + sizeof n, &word, sizeof word);
    live += n;
    nallocs++;
    track_add(p, n, mbed);
    if (live > peak) {
        peak = live;
        snapshot_top(peak_top, 0);
    }
    if (mbed) {
        mlive += n;
        if (mlive > mpeak) {
            mpeak = mlive;
            snapshot_top(mpeak_top, 1);
        }
    }
    return p;
}

static size_t size_of(void *p)
{
    size_t n;
    memcpy(&n, (uint8_t *)p - HDR, sizeof n);
    return n;
}

void *malloc(size_t n)
{
    if (n > SIZE_MAX - HDR)
        return NULL;
    return account(__libc_malloc(n + HDR), n, HDR, __builtin_return_address(0));
}

void free(void *p)
{
    if (!p)
        return;
    size_t word;
    memcpy(&word, (uint8_t *)p - HDR + sizeof(size_t), sizeof word);
    size_t n = size_of(p);
    live -= n;
    if (word & MBED_BIT)
        mlive -= n;
    track_del(p);
    __libc_free((uint8_t *)p - (word & ~MBED_BIT));
}

void *calloc(size_t a, size_t b)
{
    if (b && a > (SIZE_MAX - HDR) / b)
        return NULL;
    if (a * b > SIZE_MAX - HDR)
        return NULL;
    /* glibc's calloc, not malloc + memset: a compiler may fold the latter
     * back into a call to calloc, which would recurse here. */
    return account(__libc_calloc(1, a * b + HDR), a * b, HDR, __builtin_return_address(0));
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (!n) {
        free(p);
        return NULL;
    }
    if (n > SIZE_MAX - HDR)
        return NULL;
    void *q = account(__libc_malloc(n + HDR), n, HDR, __builtin_return_address(0));
    if (!q)
        return NULL;
    size_t old = size_of(p);
    memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
}

void *memalign(size_t align, size_t n)
{
    if (align <= HDR)
        return malloc(n);
    if (n > SIZE_MAX - align)
        return NULL;
    /* The header sits right before the aligned address. */
    return account(__libc_memalign(align, n + align), n, align, __builtin_return_address(0));
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

#define STACK_PAINT (1024u * 1024u)
#define STACK_MARGIN 4096u
#define STACK_BYTE 0xA5
static uint8_t *stack_top;    /* the constructor's frame */
static uint8_t *stack_bottom; /* lowest painted byte */

/* Touch the stack downwards so its pages exist, recording the deepest byte. */
static __attribute__((noinline)) void stack_grow(unsigned left)
{
    volatile uint8_t chunk[16384];
    chunk[0] = 0;
    if ((uint8_t *)chunk < stack_bottom || !stack_bottom)
        stack_bottom = (uint8_t *)chunk;
    if (left > sizeof chunk)
        stack_grow(left - (unsigned)sizeof chunk);
}

__attribute__((constructor)) static void stack_paint(void)
{
    stack_top = __builtin_frame_address(0);
    stack_grow(STACK_PAINT);
    memset(stack_bottom, STACK_BYTE, (size_t)(stack_top - STACK_MARGIN - stack_bottom));
}

static size_t stack_used(void)
{
    if (!stack_bottom)
        return 0;
    const uint8_t *p = stack_bottom;
    while (p < stack_top - STACK_MARGIN && *p == STACK_BYTE)
        p++;
    return (size_t)(stack_top - p);
}

__attribute__((destructor)) static void heapcount_report(void)
{
    char line[512];
    int len = snprintf(line, sizeof line, "peak=%zu allocs=%zu stack=%zu mbed_peak=%zu top=", peak,
                       nallocs, stack_used(), mpeak);
    for (int k = 0; k < TOPN && len < (int)sizeof line - 48; k++)
        len += snprintf(line + len, sizeof line - (size_t)len, "%s%zu", k ? "," : "", peak_top[k]);
    len += snprintf(line + len, sizeof line - (size_t)len, " mbed_top=");
    for (int k = 0; k < TOPN && len < (int)sizeof line - 24; k++)
        len += snprintf(line + len, sizeof line - (size_t)len, "%s%zu", k ? "," : "", mpeak_top[k]);
    line[len++] = '\n';
    const char *path = getenv("HEAPCOUNT_OUT");
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) : 2;
    if (fd >= 0) {
        ssize_t w = write(fd, line, (size_t)len);
        (void)w;
        if (fd != 2)
            close(fd);
    }
}
