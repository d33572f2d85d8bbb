#ifndef C_MALLOC_TUNING_H
#define C_MALLOC_TUNING_H

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>

/// glibc's M_ARENA_MAX, which Swift's Glibc module does not export. Returns 1 on success.
static inline int cmalloctuning_set_arena_max(int arenas) {
    return mallopt(M_ARENA_MAX, arenas);
}
#else
static inline int cmalloctuning_set_arena_max(int arenas) {
    (void)arenas;
    return 0;
}
#endif

#endif
