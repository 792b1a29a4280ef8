/* otter release: loading, saving and option helpers its subcommands
 * share (tools/release_cli.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "host_error.h"
#include "release_cli.h"

void release_free(release_t *r)
{
    free(r->text);
    for (unsigned i = 0; i < r->n_owned; i++)
        free(r->owned[i]);
    memset(r, 0, sizeof *r);
}

/* Keep a copy of s for as long as r lives; NULL when out of room. */
otter_index_str_t release_str(release_t *r, const char *s)
{
    otter_index_str_t out = {NULL, 0};
    if (r->n_owned == sizeof r->owned / sizeof r->owned[0])
        return out;
    char *c = strdup(s);
    if (!c)
        return out;
    r->owned[r->n_owned++] = c;
    out.p = c;
    out.len = strlen(c);
    return out;
}

int release_index_err(const release_t *r, int err)
{
    if (r->idx.err_line)
        return cli_err("%s: line %u: %s", r->path, r->idx.err_line, otter_host_strerror(err));
    return cli_err("%s: %s", r->path, otter_host_strerror(err));
}

int release_load(release_t *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    if (cli_can_open(path))
        return CLI_EXIT_FAIL;
    r->text = cli_read_file(path, &r->len);
    if (!r->text)
        return CLI_EXIT_FAIL;
    int ret = otter_index_parse(&r->idx, r->text, r->len, false);
    if (ret)
        return release_index_err(r, ret);
    r->was_signed = r->idx.has_sig;
    return CLI_EXIT_OK;
}

/* Write the (edited) index back, unsigned; a signed one gets the next
 * sequence number so that its signed successor never reuses one. */
int release_save(release_t *r, const char *out)
{
    char buf[OTTER_INDEX_MAX_SIZE];
    size_t len = 0;
    if (r->was_signed)
        r->idx.seq++;
    r->idx.has_sig = false;
    int ret = otter_index_write(&r->idx, buf, sizeof buf, &len);
    if (ret == OTTER_ERR_BUF_TOO_SMALL)
        return cli_err("%s: the index would be larger than %u bytes; remove releases or URLs", r->path,
                       OTTER_INDEX_MAX_SIZE);
    if (ret)
        return cli_err("%s: %s", r->path, otter_host_strerror(ret));
    return cli_write_file(out ? out : r->path, buf, len) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int release_parse_date(const char *opt, const char *s, int64_t *t)
{
    if (otter_index_time_parse(s, strlen(s), t) != 0)
        return cli_usage_err("%s '%s' is not a date like 2027-01-31T00:00:00Z", opt, s);
    return CLI_EXIT_OK;
}

int release_parse_num(const char *opt, const char *s, uint64_t max, uint64_t *v)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-' || n > max)
        return cli_usage_err("%s '%s' is not a number from 0 to %llu", opt, s, (unsigned long long)max);
    *v = n;
    return CLI_EXIT_OK;
}

/* --days N or --expires DATE into *t (now + 30 days when neither). */
int release_expiry(const char *days, const char *date, int64_t *t)
{
    uint64_t d = 30;
    if (date)
        return release_parse_date("--expires", date, t);
    if (days && release_parse_num("--days", days, 36500, &d))
        return CLI_EXIT_USAGE;
    *t = (int64_t)time(NULL) + (int64_t)d * 86400;
    return CLI_EXIT_OK;
}
