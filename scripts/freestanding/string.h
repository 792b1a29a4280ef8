/* The only C library header the portable core may use when it is built
 * freestanding by scripts/cross.sh: the memory and string functions every
 * embedded C library (newlib, picolibc, ESP-IDF ROM) provides. Including any
 * other C library header (stdio.h, stdlib.h, assert.h, time.h, ...) fails the
 * cross build on purpose. gcc's own freestanding headers (stddef.h, stdint.h,
 * stdbool.h, limits.h, stdarg.h, ...) remain available. */
#ifndef OTTER_FREESTANDING_STRING_H
#define OTTER_FREESTANDING_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

#endif
