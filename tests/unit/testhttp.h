/* testhttp.h - a raw HTTP/1.1 client for the tests of the HTTP server
 * (metrics.c and the POST route of httpin.c), on 127.0.0.1. */
#ifndef TESTHTTP_H
#define TESTHTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sends req (len bytes) on a fresh connection to 127.0.0.1:port and reads
 * the answer to the end; returns its status code (-1 when there is none)
 * and sets *body (malloc'd, NULL on failure) to what follows the header
 * block. */
static int
http_request(int port, const char *req, size_t len, char **body)
{
	struct sockaddr_in sa;
	char *resp = NULL, *p;
	size_t n = 0, cap = 0;
	int fd, status = -1;

	*body = NULL;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto done;
	/* The server may answer and close before it has read everything
	 * (413 by Content-Length): a short write is fine. */
	if (send(fd, req, len, MSG_NOSIGNAL) < 0)
		goto done;
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t got;

		if (cap - n < 4096) {
			cap = cap * 2 + 8192;
			resp = realloc(resp, cap);
			if (!resp)
				abort();
		}
		got = read(fd, resp + n, cap - n - 1);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	if (!resp)
		goto done;
	resp[n] = '\0';
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	p = strstr(resp, "\r\n\r\n");
	*body = strdup(p ? p + 4 : "");
done:
	free(resp);
	close(fd);
	return status;
}

#endif
