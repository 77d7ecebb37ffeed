/* strio.h -- umbrella header: include this and link libstrio.a. */
#ifndef STRIO_H
#define STRIO_H

#include <strio/async.h>
#include <strio/task.h>

#endif
