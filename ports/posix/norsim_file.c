/* otter POSIX port: the file backing of the NOR flash simulator (see
 * norsim.h): the flash file mapped into memory, and the wear side file.
 * The NOR model itself is norsim.c. Needs POSIX (open, mmap) and stdio. */
#include "norsim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otter/bytes.h"
#include "otter/error.h"

#define MAX_FLASH_SIZE (256u * 1024u * 1024u)
#define WEAR_MAGIC 0x5257544fu /* "OTWR" */

static char *wear_path(const char *path)
{
    size_t n = strlen(path);
    char *p = malloc(n + 6);
    if (p) {
        memcpy(p, path, n);
        memcpy(p + n, ".wear", 6);
    }
    return p;
}

int otter_norsim_create(const char *path, uint32_t size)
{
    if (size == 0 || size % OTTER_NORSIM_SECTOR_SIZE || size > MAX_FLASH_SIZE)
        return OTTER_ERR_FLASH_SIZE;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return OTTER_ERR_IO;
    uint8_t buf[OTTER_NORSIM_BLOCK_SIZE];
    memset(buf, 0xFF, sizeof buf);
    int ret = 0;
    for (uint32_t off = 0; off < size && ret == 0; off += sizeof buf) {
        size_t n = size - off < sizeof buf ? size - off : sizeof buf;
        if (write(fd, buf, n) != (ssize_t)n)
            ret = OTTER_ERR_IO;
    }
    if (close(fd) != 0 && ret == 0)
        ret = OTTER_ERR_IO;
    char *wp = wear_path(path);
    if (wp) {
        unlink(wp);
        free(wp);
    }
    return ret;
}

/* The wear file of the flash file at path, opened with mode, or NULL. */
static FILE *wear_open(const char *path, const char *mode)
{
    char *wp = wear_path(path);
    FILE *f = wp ? fopen(wp, mode) : NULL;
    free(wp);
    return f;
}

static void wear_load(otter_norsim_t *sim)
{
    FILE *f = wear_open(sim->path, "rb");
    if (!f)
        return;
    uint8_t hdr[8];
    uint32_t n = otter_norsim_sector_count(sim);
    if (fread(hdr, 1, 8, f) == 8 && otter_le32(hdr) == WEAR_MAGIC && otter_le32(hdr + 4) == n) {
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b[4];
            if (fread(b, 1, 4, f) != 4)
                break;
            sim->wear[i] = otter_le32(b);
        }
    }
    fclose(f);
}

static void wear_save(const otter_norsim_t *sim)
{
    FILE *f = wear_open(sim->path, "wb");
    if (!f)
        return;
    uint8_t b[8];
    uint32_t n = otter_norsim_sector_count(sim);
    otter_put_le32(b, WEAR_MAGIC);
    otter_put_le32(b + 4, n);
    fwrite(b, 1, 8, f);
    for (uint32_t i = 0; i < n; i++) {
        otter_put_le32(b, sim->wear[i]);
        fwrite(b, 1, 4, f);
    }
    fclose(f);
}

/* Map the file; sim->path and sim->opt are already set. */
static int map_file(otter_norsim_t *sim)
{
    int fd = open(sim->path, O_RDWR);
    if (fd < 0)
        return OTTER_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return OTTER_ERR_IO;
    }
    if (st.st_size <= 0 || st.st_size % OTTER_NORSIM_SECTOR_SIZE || (uint64_t)st.st_size > MAX_FLASH_SIZE) {
        close(fd);
        return OTTER_ERR_FLASH_SIZE;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        close(fd);
        return OTTER_ERR_IO;
    }
    sim->fd = fd;
    sim->map = m;
    sim->size = (uint32_t)st.st_size;
    sim->powered = 1;
    sim->cut_countdown = 0;
    return 0;
}

static void unmap_file(otter_norsim_t *sim)
{
    if (sim->map) {
        msync(sim->map, sim->size, MS_SYNC);
        munmap(sim->map, sim->size);
        sim->map = NULL;
    }
    if (sim->fd >= 0) {
        close(sim->fd);
        sim->fd = -1;
    }
}

/* backing_close hook: save wear (if persisted), unmap, free. */
static void file_close(otter_norsim_t *sim)
{
    if (sim->wear && sim->path && sim->opt.persist_wear)
        wear_save(sim);
    unmap_file(sim);
    free(sim->wear);
    free(sim->path);
    sim->wear = NULL;
    sim->path = NULL;
}

/* backing_reopen hook: remap the file, as a power cycle would find it. */
static int file_reopen(otter_norsim_t *sim)
{
    uint32_t old_size = sim->size;
    unmap_file(sim);
    int ret = map_file(sim);
    if (ret == 0 && sim->size != old_size)
        ret = OTTER_ERR_FLASH_SIZE; /* the file changed under us */
    if (ret == 0 && sim->opt.persist_wear)
        wear_save(sim);
    return ret;
}

int otter_norsim_open(otter_norsim_t *sim, const char *path, const otter_norsim_options_t *opt)
{
    otter_norsim_init(sim);
    if (opt)
        sim->opt = *opt;
    else
        otter_norsim_options_default(&sim->opt);
    sim->backing_close = file_close;
    sim->backing_reopen = file_reopen;
    sim->path = strdup(path);
    if (!sim->path) {
        otter_norsim_close(sim);
        return OTTER_ERR_IO;
    }
    int ret = map_file(sim);
    if (ret == 0) {
        sim->wear = calloc(sim->size / OTTER_NORSIM_SECTOR_SIZE, sizeof *sim->wear);
        if (!sim->wear)
            ret = OTTER_ERR_IO;
    }
    if (ret != 0) {
        otter_norsim_close(sim);
        return ret;
    }
    if (sim->opt.persist_wear)
        wear_load(sim);
    return 0;
}
