/* otter POSIX port: getrandom(2) as the TLS entropy source. */
#include "posix_rng.h"

#include <errno.h>
#include <sys/random.h>

#include "otter/error.h"

int otter_posix_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return OTTER_ERR_IO;
        }
        done += (size_t)n;
    }
    return OTTER_OK;
}
