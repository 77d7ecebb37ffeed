/*
 * Unix-domain stream sockets (see strio/unix_socket.h): addresses, the
 * listener with its file policy, and the connecting side in the dialect.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/unix_socket.h>

int strio_unix_address(const char *path, strio_sockaddr *out)
{
    size_t n;
    memset(out, 0, sizeof *out);
    if (path == NULL || path[0] == 0)
        return -EINVAL;
    n = strlen(path);
    out->u.un.sun_family = AF_UNIX;
    if (path[0] == '@') {
        /* abstract: a leading NUL, then the name (no NUL of its own; the
         * length says where it ends) */
        if (n == 1)
            return -EINVAL;
        if (n > sizeof out->u.un.sun_path)
            return -ENAMETOOLONG;
        memcpy(out->u.un.sun_path + 1, path + 1, n - 1);
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
        return 0;
    }
    if (n >= sizeof out->u.un.sun_path)
        return -ENAMETOOLONG;
    memcpy(out->u.un.sun_path, path, n + 1);
    out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return 0;
}

int strio_unix_unlink_socket(const char *path)
{
    struct stat st;
    if (path == NULL || path[0] == 0)
        return -EINVAL;
    if (path[0] == '@')
        return 0;
    if (lstat(path, &st) < 0)
        return -errno;
    if (!S_ISSOCK(st.st_mode))
        return -ENOTSOCK;
    if (unlink(path) < 0)
        return -errno;
    return 0;
}

int strio_open_unix_listener(strio_socket_listener *l, const char *path,
                             int flags)
{
    strio_socket s;
    strio_sockaddr a;
    int rc = strio_unix_address(path, &a);
    strio_socket_listener_init(l, &(strio_socket)STRIO_SOCKET_INIT);
    if (rc < 0)
        return rc;
    if (flags & STRIO_UNIX_REPLACE) {
        rc = strio_unix_unlink_socket(path);
        if (rc == -ENOTSOCK)            /* never remove another file */
            return -EADDRINUSE;
        if (rc < 0 && rc != -ENOENT)
            return rc;
    }
    rc = strio_socket_create(&s, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    return strio__socket_listener_open(l, &s, &a);
}

async int strio_open_unix_stream(const char *path, strio_socket_stream *out)
{
    strio_socket s;
    strio_sockaddr a;
    int rc = strio_unix_address(path, &a);
    if (rc == 0)
        rc = strio_socket_create(&s, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0) {
        if (strio_task_cancelled(STRIO_SELF))
            return STRIO_ECANCELED;
        await strio_socket_yield();
        return rc;
    }
    rc = await strio_socket_connect(&s, &a);    /* cancelled: closes s */
    if (rc == 0)
        rc = strio_socket_stream_init(out, &s);
    strio_socket_close(&s);                     /* taken over, or failed */
    return rc;
}
