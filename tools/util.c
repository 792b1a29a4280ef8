/* Shared helpers for the otter CLI. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "otter/partition.h"
#include "otter/url.h"

/* "otter: " + the formatted message + tail, on stderr. */
static void cli_vwarn(const char *tail, const char *fmt, va_list ap)
{
    fputs("otter: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(tail, stderr);
}

int cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vwarn("\n", fmt, ap);
    va_end(ap);
    return CLI_EXIT_FAIL;
}

int cli_usage_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_vwarn("\n(try --help)\n", fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

uint8_t *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_err("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                cli_err("cannot read %s: %s", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
        cap *= 2;
        uint8_t *nb = realloc(buf, cap + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = 0;
    *len = n;
    return buf;
}

int cli_write_file(const char *path, const void *data, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return -1;
    snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        cli_err("cannot create %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        cli_err("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024 * 1024, end++;
    if (mul != 1 && (*end == 'b' || *end == 'B'))
        end++;
    if (*end)
        return -1;
    if (v > UINT64_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

int cli_parse_hex(const char *s, uint8_t *out, size_t len)
{
    size_t n = 0;
    int half = -1;
    for (; *s; s++) {
        if (*s == ' ' || *s == ':')
            continue;
        if (!isxdigit((unsigned char)*s))
            return -1;
        int v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
        if (half < 0) {
            half = v;
        } else {
            if (n >= len)
                return -1;
            out[n++] = (uint8_t)(half << 4 | v);
            half = -1;
        }
    }
    return (n == len && half < 0) ? 0 : -1;
}

void cli_print_hex(FILE *f, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%02x", p[i]);
}

void cli_json_strn(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void cli_json_str(FILE *f, const char *s)
{
    cli_json_strn(f, s, (size_t)-1);
}

const char *cli_opt(int argc, char **argv, int *i, const char *opt)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != 0)
        return NULL;
    if (*i + 1 >= argc) {
        cli_usage_err("%s needs a value", opt);
        exit(CLI_EXIT_USAGE);
    }
    (*i)++;
    return argv[*i];
}

const char *cli_escape(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        if (n + 5 > cap)
            break;
        out[n++] = '\\';
        out[n++] = 'x';
        out[n++] = hex[c >> 4];
        out[n++] = hex[c & 15];
    }
    out[n] = 0;
    return out;
}

const otter_partition_t *cli_find_slot(const otter_ptable_t *pt, const char *name)
{
    uint8_t slot;
    if (otter_slot_parse(name, &slot) == 0 && slot != OTTER_PT_SUBTYPE_TEST)
        return otter_ptable_app(pt, slot);
    return otter_ptable_find_label(pt, name);
}

int cli_check_url(const char *opt, const char *url)
{
    otter_url_t u;
    if (url && otter_url_parse(url, strlen(url), &u) == 0)
        return 0;
    return cli_usage_err("%s'%s' is not a valid URL: want http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH", opt,
                         url ? url : "");
}

int cli_can_open(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_err("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}
