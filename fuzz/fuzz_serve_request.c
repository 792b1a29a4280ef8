/* Fuzz target: otter serve's request head parser (tools/serve_http.c, built
 * into this target directly because tools/ is not a library), then the Range
 * and If-Range logic on what it parsed, and the response head for it (for a
 * directory that does not exist: no file I/O). Aborts when an invariant
 * breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/serve_http.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_range(const char *v, uint64_t size)
{
    uint64_t first = 0, last = 0;
    int k = parse_range(v, size, &first, &last);
    if (k < -1 || k > 1)
        abort();
    if (k == 1 && (first > last || last >= size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > SERVE_REQ_MAX)
        return 0;
    struct serve_req *req = calloc(1, sizeof *req);
    struct serve_server *srv = calloc(1, sizeof *srv);
    struct serve_resp *resp = calloc(1, sizeof *resp);
    if (!req || !srv || !resp)
        abort();
    int st = serve_parse_request((const char *)data, size, req);
    if (st != 0 && st != 400 && st != 414 && st != 505)
        abort();
    if (st == 0) {
        if (req->target[0] != '/' || strlen(req->target) >= sizeof req->target)
            abort();
        if (req->has_range) {
            check_range(req->range, 0);
            check_range(req->range, 1);
            check_range(req->range, 1577648);
            check_range(req->range, UINT64_MAX / 2);
        }
        if (req->has_if_range)
            (void)if_range_matches(req->if_range, "\"1-2\"", 0);
        srv->o.dir = "/nonexistent-otter-fuzz-dir";
        srv->o.fault_times = -1;
        srv->o.cut_after = srv->o.stall_after = -1;
        serve_build_response(srv, req, resp);
        if (resp->head_len >= sizeof resp->head || resp->fd != -1)
            abort();
    } else {
        serve_build_error(srv, st, 1, resp);
        if (resp->head_len == 0 || resp->head_len >= sizeof resp->head)
            abort();
    }
    free(req);
    free(srv);
    free(resp);
    return 0;
}
