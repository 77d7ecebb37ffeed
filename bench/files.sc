/*
 * files.sc -- the async side of the file benchmark (bench/files_main.c,
 * run by bench/files.py): open a file through the worker pool, read it to
 * the end with strio_file_read (`chunk` bytes asked per call), close it.
 */
#include <fcntl.h>

#include <strio/strio.h>
#include <strio/file.h>

async int fb_read_file(strio_file *f, const char *path, unsigned char *buf,
                       size_t chunk, unsigned long long *total)
{
    long n;
    int rc = await strio_file_open(f, path, O_RDONLY, 0);
    if (rc < 0)
        return rc;
    for (;;) {
        n = await strio_file_read(f, buf, chunk);
        if (n <= 0)
            break;
        *total += (unsigned long long)n;
    }
    rc = await strio_file_close(f);
    return n < 0 ? (int)n : rc;
}
