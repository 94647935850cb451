/*
 * http_ceiling.c: the throughput ceiling for bench/pipeline_bench.sh.
 *
 * A plain concurrent HTTP client: libcurl multi, keep-alive connections,
 * CONCURRENCY transfers in flight, TOTAL POST requests per round.  Every
 * request carries the body of BODY_FILE, except that each "{{i}}" in it
 * is replaced by a row number: with K of them, request n carries rows
 * (n-1)*K+1 .. n*K, so the bodies have the shape of the rows' requests
 * (K = 1: one row per request; K > 1: a batch of K rows).  Several rounds
 * reuse the same connections; each round prints one line:
 *
 *   round=1 requests=2000 concurrency=32 seconds=1.234 rps=1620.7 rows_per_request=1 rows_per_s=1620.7 errors=0
 *
 * An error is a failed transfer or an answer other than 2xx.  Exit status
 * 1 when any request failed.
 *
 *   cc -O2 -o http_ceiling http_ceiling.c $(curl-config --cflags --libs)
 *   http_ceiling -u URL -b BODY_FILE [-n TOTAL] [-c CONCURRENCY]
 *                [-r ROUNDS] [-H 'Header: value']... [-C CA_FILE]
 *
 * -C trusts the certificates of CA_FILE for an https:// URL (a test
 * server's self-signed one).  Over TLS, libcurl offers HTTP/2 and
 * multiplexes when the server agrees.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct Transfer
{
	CURL	   *easy;
	char	   *body;			/* this request's body */
	size_t		body_cap;
	size_t		received;
} Transfer;

static const char *url;
static char *body_template;
static long total = 2000;
static long concurrency = 32;
static int	rounds = 1;
static struct curl_slist *headers;
static const char *ca_file;

static void
die(const char *what)
{
	fprintf(stderr, "http_ceiling: %s\n", what);
	exit(2);
}

static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		len = 0,
				cap = 0,
				n;

	if (!f)
	{
		fprintf(stderr, "http_ceiling: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do
	{
		if (cap - len < 4096)
		{
			cap = cap ? cap * 2 : 8192;
			if (!(buf = realloc(buf, cap)))
				die("out of memory");
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	/* a trailing newline (from a shell here-string or psql) is not body */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return buf;
}

static int	rows_per_request;	/* "{{i}}" in the template */

/* the template with its "{{i}}"s replaced by request n's rows, into t->body */
static void
make_body(Transfer *t, long n)
{
	long		row = (n - 1) * rows_per_request;
	char		num[32];
	size_t		need = strlen(body_template) + 1 + rows_per_request * (sizeof(num) - 1);
	const char *p;
	char	   *out;

	if (need > t->body_cap)
	{
		t->body_cap = need;
		if (!(t->body = realloc(t->body, need)))
			die("out of memory");
	}
	out = t->body;
	for (p = body_template; *p;)
	{
		if (strncmp(p, "{{i}}", 5) == 0)
		{
			size_t		numlen = (size_t) snprintf(num, sizeof(num), "%ld", ++row);

			memcpy(out, num, numlen);
			out += numlen;
			p += 5;
		}
		else
			*out++ = *p++;
	}
	*out = '\0';
}

static size_t
discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void) data;
	((Transfer *) arg)->received += size * nmemb;
	return size * nmemb;
}

static void
start(CURLM *multi, Transfer *t, long number)
{
	make_body(t, number);
	t->received = 0;
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, (long) strlen(t->body));
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->body);
	if (curl_multi_add_handle(multi, t->easy) != CURLM_OK)
		die("curl_multi_add_handle failed");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	CURLM	   *multi;
	Transfer   *transfers;
	long		nhandles;
	int			opt;
	int			any_error = 0;

	headers = curl_slist_append(NULL, "Expect:");	/* no 100-continue */
	while ((opt = getopt(argc, argv, "u:b:n:c:r:H:C:")) != -1)
	{
		switch (opt)
		{
			case 'u':
				url = optarg;
				break;
			case 'b':
				body_template = read_file(optarg);
				break;
			case 'n':
				total = atol(optarg);
				break;
			case 'c':
				concurrency = atol(optarg);
				break;
			case 'r':
				rounds = atoi(optarg);
				break;
			case 'H':
				headers = curl_slist_append(headers, optarg);
				break;
			case 'C':
				ca_file = optarg;
				break;
			default:
				fprintf(stderr, "usage: %s -u URL -b BODY_FILE [-n TOTAL] [-c CONCURRENCY] [-r ROUNDS] [-H 'Name: value']... [-C CA_FILE]\n", argv[0]);
				return 2;
		}
	}
	if (!url || !body_template || total < 1 || concurrency < 1 || rounds < 1)
		die("need -u URL and -b BODY_FILE; -n, -c and -r must be at least 1");

	for (const char *p = body_template; (p = strstr(p, "{{i}}")) != NULL; p += 5)
		rows_per_request++;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("curl_global_init failed");
	multi = curl_multi_init();
	/* one kept-alive connection per transfer in flight, no more */
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, concurrency);
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency);

	nhandles = concurrency < total ? concurrency : total;
	transfers = calloc(nhandles, sizeof(Transfer));
	if (!transfers)
		die("out of memory");
	for (long i = 0; i < nhandles; i++)
	{
		Transfer   *t = &transfers[i];

		t->easy = curl_easy_init();
		curl_easy_setopt(t->easy, CURLOPT_URL, url);
		curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
		curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
		curl_easy_setopt(t->easy, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, 60L);
		if (ca_file)
			curl_easy_setopt(t->easy, CURLOPT_CAINFO, ca_file);
	}

	for (int round = 1; round <= rounds; round++)
	{
		long		started = 0,
					done = 0,
					errors = 0;
		double		t0 = now(),
					seconds;

		for (long i = 0; i < nhandles; i++)
			start(multi, &transfers[i], ++started);
		while (done < total)
		{
			int			running,
						queued;
			CURLMsg    *msg;

			if (curl_multi_perform(multi, &running) != CURLM_OK)
				die("curl_multi_perform failed");
			while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
			{
				Transfer   *t;
				long		status = 0;

				if (msg->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
				curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
				if (msg->data.result != CURLE_OK || status < 200 || status > 299)
				{
					if (errors++ == 0)
						fprintf(stderr, "http_ceiling: request failed: %s, HTTP status %ld\n",
								curl_easy_strerror(msg->data.result), status);
				}
				curl_multi_remove_handle(multi, t->easy);
				done++;
				if (started < total)
					start(multi, t, ++started);
			}
			if (done < total &&
				curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK)
				die("curl_multi_poll failed");
		}
		seconds = now() - t0;
		printf("round=%d requests=%ld concurrency=%ld seconds=%.3f rps=%.1f rows_per_request=%d rows_per_s=%.1f errors=%ld\n",
			   round, total, nhandles, seconds, total / seconds,
			   rows_per_request, total * (rows_per_request ? rows_per_request : 1) / seconds, errors);
		fflush(stdout);
		if (errors)
			any_error = 1;
	}

	for (long i = 0; i < nhandles; i++)
	{
		curl_easy_cleanup(transfers[i].easy);
		free(transfers[i].body);
	}
	free(transfers);
	curl_multi_cleanup(multi);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	free(body_template);
	return any_error;
}
