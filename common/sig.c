/* sig.c - the only signal handler: it sets a flag (STYLE.md 8). */
#include "sig.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t s_stop;

static void
on_signal(int sig)
{
	if (s_stop)
		_exit(128 + sig); /* second signal: the operator means it */
	s_stop = sig;
}

int
sig_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking call returns EINTR and the loop looks at
	 * the flag at once. */
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int
sig_stopping(void)
{
	return (int)s_stop;
}

void
sig_block_all(sigset_t *saved)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, saved);
}

void
sig_restore(const sigset_t *saved)
{
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}
