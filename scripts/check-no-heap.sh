#!/usr/bin/env bash
# check-no-heap.sh NM ARCHIVE...
#
# The library never allocates (DESIGN.md section 4). Fails, naming the
# object and symbol, if any object in ARCHIVE needs an allocator entry point.
# Run on the archive rather than the sources, so it covers generated code.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 NM ARCHIVE..." >&2
    exit 2
fi
nm=$1
shift

# The C allocator and the libc calls that hand back heap memory.
heap='malloc|calloc|realloc|reallocarray|free|aligned_alloc|posix_memalign|memalign|valloc|pvalloc|strdup|strndup|asprintf|vasprintf|open_memstream|getline|getdelim'

status=0
for lib in "$@"; do
    # `nm -A -u` prints "archive:object:                 U symbol".
    if ! out=$("$nm" -A -u "$lib"); then
        echo "no-heap: FAILED: $nm could not read $lib" >&2
        exit 1
    fi
    hits=$(awk -v re="^($heap)\$" '$NF ~ re { print "  " $1 " " $NF }' <<<"$out")
    if [ -n "$hits" ]; then
        echo "no-heap: FAILED: $lib references the heap:" >&2
        echo "$hits" >&2
        status=1
    else
        echo "no-heap: ok, $lib references no allocator"
    fi
done
exit $status
