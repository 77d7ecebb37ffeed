/*
 * strio/posix.h -- hosted (POSIX) pieces: the monotonic clock, the poll()
 * backend and the worker-thread pool.
 */
#ifndef STRIO_POSIX_H
#define STRIO_POSIX_H

#include <strio/time.h>

/* Makes `clock` read CLOCK_MONOTONIC. */
void strio_monotonic_clock_init(strio_clock *clock);

#endif
