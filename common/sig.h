/* sig.h - SIGTERM/SIGINT as a flag for the daemons' loops.
 *
 * Does: the first SIGTERM or SIGINT sets a flag that loops check (their
 * zmq_poll has a 250 ms timeout and treats EINTR as "check the flag"); a
 * second one exits at once with 128+sig (the operator means it). SIGPIPE
 * is ignored. Helper threads are started with every signal blocked, so
 * the main thread is the one interrupted.
 * Does not: drain anything itself. */
#ifndef COMMON_SIG_H
#define COMMON_SIG_H

#include <signal.h>

/* Installs the handlers. 0 or -1 (errno set). */
int sig_install(void);
/* The signal that asked us to stop, or 0. */
int sig_stopping(void);
/* Blocks every signal in the calling thread, saving the old mask in
 * *saved: call around pthread_create() and library calls that start
 * threads (ZeroMQ's context, libmicrohttpd), then sig_restore(). */
void sig_block_all(sigset_t *saved);
void sig_restore(const sigset_t *saved);

#endif
