/* Fuzz target: URL parsing and reference resolution, including the in-place
 * layout the HTTP client uses (base, NUL, reference in one array). */
#include <stdint.h>
#include <string.h>

#include "otter/error.h"
#include "otter/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    otter_url_t u;
    if (otter_url_parse((const char *)data, size, &u) == 0) {
        if (u.host_off + u.host_len > size || u.target_off + u.target_len > size || u.host_len == 0)
            __builtin_trap();
    }
    char out[300];
    int n = otter_url_resolve(out, sizeof out, "http://a.example:8080/b/c/d;p?q", (const char *)data, size);
    if (n >= 0 && (size_t)n != strlen(out))
        __builtin_trap();
    /* in place: first line of the input as base, the rest as reference */
    if (size > 200)
        return 0;
    char buf[512];
    size_t split = 0;
    while (split < size && data[split] != '\n')
        split++;
    memcpy(buf, data, split);
    buf[split] = '\0';
    size_t rl = split < size ? size - split - 1 : 0;
    memcpy(buf + split + 1, data + split + (split < size), rl);
    n = otter_url_resolve(buf, sizeof buf, buf, buf + split + 1, rl);
    if (n >= 0 && (size_t)n != strlen(buf))
        __builtin_trap();
    return 0;
}
