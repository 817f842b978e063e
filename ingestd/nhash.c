/* nhash.c - see nhash.h. */
#define _GNU_SOURCE
#include "nhash.h"

#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_SIZE (1u << 20)

struct node {
	struct node *next;
	struct nhash_job job;
};

struct nhash {
	int dirfd;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct node *todo, **todo_tail; /* FIFO */
	struct node *done, **done_tail;
	size_t pending;
	bool stop;
};

static void
append(struct node ***tail, struct node *n)
{
	n->next = NULL;
	**tail = n;
	*tail = &n->next;
}

int
nhash_fd(int fd, char *id, uint64_t *size, bool (*stop)(void *ctx), void *ctx)
{
	unsigned char *buf = malloc(READ_SIZE);
	struct sha256 h;

	if (!buf)
		abort();
	sha256_init(&h);
	*size = 0;
	for (;;) {
		ssize_t r;

		if (stop && stop(ctx)) {
			free(buf);
			return ECANCELED;
		}
		r = read(fd, buf, READ_SIZE);
		if (r == 0)
			break;
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			return e;
		}
		sha256_update(&h, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	free(buf);
	sha256_final_hex(&h, id);
	return 0;
}

static bool
stopping(void *ctx)
{
	struct nhash *self = ctx;
	bool stop;

	pthread_mutex_lock(&self->mu);
	stop = self->stop;
	pthread_mutex_unlock(&self->mu);
	return stop;
}

/* 0 and job->id, job->size; or an errno (ECANCELED: asked to stop). */
static int
hash_file(struct nhash *self, struct nhash_job *job)
{
	struct stat st;
	int fd =
	    openat(self->dirfd, job->dest,
	           O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	int rc;

	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		rc = errno;
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return EINVAL;
	}
	rc = nhash_fd(fd, job->id, &job->size, stopping, self);
	close(fd);
	return rc;
}

static void *
run(void *arg)
{
	struct nhash *self = arg;

	pthread_mutex_lock(&self->mu);
	for (;;) {
		struct node *n;

		while (!self->stop && !self->todo)
			pthread_cond_wait(&self->cv, &self->mu);
		if (self->stop)
			break;
		n = self->todo;
		self->todo = n->next;
		if (!self->todo)
			self->todo_tail = &self->todo;
		pthread_mutex_unlock(&self->mu);
		n->job.err = hash_file(self, &n->job);
		pthread_mutex_lock(&self->mu);
		if (n->job.err == ECANCELED) {
			free(n);
			break;
		}
		append(&self->done_tail, n);
	}
	pthread_mutex_unlock(&self->mu);
	return NULL;
}

nhash_t *
nhash_new(int dirfd)
{
	struct nhash *self = calloc(1, sizeof(*self));

	if (!self)
		abort();
	self->dirfd = dirfd;
	self->todo_tail = &self->todo;
	self->done_tail = &self->done;
	pthread_mutex_init(&self->mu, NULL);
	pthread_cond_init(&self->cv, NULL);
	if (pthread_create(&self->thread, NULL, run, self) != 0) {
		pthread_cond_destroy(&self->cv);
		pthread_mutex_destroy(&self->mu);
		free(self);
		return NULL;
	}
	return self;
}

static void
free_list(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		free(n);
		n = next;
	}
}

void
nhash_destroy(nhash_t **self_p)
{
	struct nhash *self = *self_p;

	if (!self)
		return;
	pthread_mutex_lock(&self->mu);
	self->stop = true;
	pthread_cond_signal(&self->cv);
	pthread_mutex_unlock(&self->mu);
	pthread_join(self->thread, NULL);
	free_list(self->todo);
	free_list(self->done);
	pthread_cond_destroy(&self->cv);
	pthread_mutex_destroy(&self->mu);
	free(self);
	*self_p = NULL;
}

void
nhash_submit(nhash_t *self, const char *dest, const char *marker)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	snprintf(n->job.dest, sizeof(n->job.dest), "%s", dest);
	snprintf(n->job.marker, sizeof(n->job.marker), "%s", marker);
	pthread_mutex_lock(&self->mu);
	append(&self->todo_tail, n);
	self->pending++;
	pthread_cond_signal(&self->cv);
	pthread_mutex_unlock(&self->mu);
}

size_t
nhash_take(nhash_t *self, struct nhash_job *out, size_t max)
{
	size_t k = 0;

	pthread_mutex_lock(&self->mu);
	while (k < max && self->done) {
		struct node *n = self->done;

		self->done = n->next;
		if (!self->done)
			self->done_tail = &self->done;
		out[k++] = n->job;
		free(n);
		self->pending--;
	}
	pthread_mutex_unlock(&self->mu);
	return k;
}

size_t
nhash_pending(nhash_t *self)
{
	size_t n;

	pthread_mutex_lock(&self->mu);
	n = self->pending;
	pthread_mutex_unlock(&self->mu);
	return n;
}
