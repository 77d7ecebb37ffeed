/* strio.h -- umbrella header: include this and link libstrio.a. */
#ifndef STRIO_H
#define STRIO_H

#include <strio/async.h>
#include <strio/error.h>
#include <strio/time.h>
#include <strio/timer.h>
#include <strio/task.h>
#include <strio/loop.h>
#include <strio/cancel.h>
#include <strio/waitq.h>
#include <strio/nursery.h>
#include <strio/sleep.h>
#include <strio/sync.h>
#include <strio/stream.h>
#include <strio/listener.h>
#include <strio/memstream.h>
#include <strio/stapled.h>
#include <strio/bufread.h>

#endif
