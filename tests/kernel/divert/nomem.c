/* Out of memory inside the library never reaches a C caller as a C++ exception: every call
 * fails with -1/ENOMEM instead, leaks no descriptor, and the library works again once memory
 * is back. Runs under LD_PRELOAD=failmalloc.so (failmalloc_set switches failures on).
 *   nomem <port>
 * Prints one line per call: "<call> <result>" with result "ENOMEM", "OK" or the errno name. */
#define _GNU_SOURCE
#include "common.h"
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>

#include <divert.h>

static void (*set_failing)(int);
static pthread_barrier_t go, done;
static int thread_rc, thread_errno;

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static const char *result(int rc, int err)
{
	static char buf[32];
	if (rc >= 0)
		return "OK";
	if (err == ENOMEM)
		return "ENOMEM";
	snprintf(buf, sizeof buf, "errno %d", err);
	return buf;
}

/* A thread's first receive allocates its receive buffer. */
static void *receiver(void *arg)
{
	unsigned char buf[64];
	pthread_barrier_wait(&go);
	thread_rc = recv(*(int *)arg, buf, sizeof buf, MSG_DONTWAIT);
	thread_errno = errno;
	pthread_barrier_wait(&done);
	return NULL;
}

int main(int argc, char **argv)
{
	int fd, fd2, fd3, fd4, fds_before, fds_after, rc_socket, err_socket, rc_open, err_open;
	int rc_bind, err_bind;
	struct sockaddr_in sin;
	int port = atoi(argv[1]);
	pthread_t t;

	if (argc != 2)
		return 2;
	set_failing = (void (*)(int))dlsym(RTLD_DEFAULT, "failmalloc_set");
	if (set_failing == NULL) {
		fprintf(stderr, "run me with LD_PRELOAD=failmalloc.so\n");
		return 2;
	}
	fd = divert_open_port(port);
	fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port + 2);
	pthread_barrier_init(&go, NULL, 2);
	pthread_barrier_init(&done, NULL, 2);
	pthread_create(&t, NULL, receiver, &fd);
	fds_before = open_fds();

	set_failing(1);
	rc_socket = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	err_socket = errno;
	rc_open = divert_open(port + 1, 0);
	err_open = errno;
	rc_bind = bind(fd4, (struct sockaddr *)&sin, sizeof sin);
	err_bind = errno;
	pthread_barrier_wait(&go);
	pthread_barrier_wait(&done);
	set_failing(0);
	fds_after = open_fds();

	printf("socket %s\n", result(rc_socket, err_socket));
	printf("divert_open %s\n", result(rc_open, err_open));
	printf("bind %s\n", result(rc_bind, err_bind));
	printf("first-recv-in-thread %s\n", result(thread_rc, thread_errno));
	printf("descriptors-leaked %d\n", fds_after - fds_before);
	pthread_join(t, NULL);

	/* Memory is back: the same calls work. */
	fd2 = socket(AF_INET, SOCK_RAW, IPPROTO_DIVERT);
	printf("socket-after %s\n", result(fd2, errno));
	fd3 = divert_open(port + 1, 0);
	printf("divert_open-after %s\n", result(fd3, errno));
	printf("bind-after %s\n", result(bind(fd4, (struct sockaddr *)&sin, sizeof sin), errno));
	pthread_create(&t, NULL, receiver, &fd);
	pthread_barrier_wait(&go);
	pthread_barrier_wait(&done);
	pthread_join(t, NULL);
	printf("recv-after %s\n", thread_rc < 0 && thread_errno == EAGAIN ? "EAGAIN" :
						result(thread_rc, thread_errno));
	return 0;
}
