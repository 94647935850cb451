/*-------------------------------------------------------------------------
 *
 * message.c
 *	  Encoding and decoding of the pool's request and response messages
 *	  (see message.h).
 *
 * Requests carry secrets (authorization headers) through shared memory;
 * the buffers holding them are wiped by the callers once sent or used.
 *
 * IDENTIFICATION
 *	  src/pool/message.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "compat.h"
#include "pool/message.h"

#define POOL_REQUEST_MAGIC		0x52514d4c	/* "LMQR" */
#define POOL_RESPONSE_MAGIC		0x53524d4c	/* "LMRS" */
#define POOL_RETRY_WAIT_MAGIC	0x57524d4c	/* "LMRW" */

typedef struct PoolRequestHeader
{
	uint32		magic;
	uint32		id;
	int32		timeout_ms;
	int32		connect_timeout_ms;
	int32		retry_count;
	bool		allow_http;
	uint64		max_body;
	HttpRoute	route;
	uint32		nheaders;
	uint64		body_len;
} PoolRequestHeader;

/*
 * A response: this header, the attempts kept (Min(nattempts,
 * HTTP_MAX_ATTEMPTS_KEPT) of them, each its fixed part and its error as a
 * string), the error as a string, the headers, the body.  Only what is
 * used travels: an answer on the first attempt costs a few dozen bytes
 * besides its headers and body, not the 2.5 kB of the full struct.
 */
typedef struct PoolResponseHeader
{
	uint32		magic;
	uint32		id;
	int32		outcome;
	int64		status;
	double		elapsed_ms;
	int32		nattempts;
	uint32		nheaders;
	uint64		body_len;
} PoolResponseHeader;

/* A retry-wait notice: the whole message. */
typedef struct PoolRetryWaitMessage
{
	uint32		magic;
	uint32		id;
	uint32		waiting;
} PoolRetryWaitMessage;

/* The fixed part of an attempt in a response message. */
typedef struct PoolAttemptHeader
{
	int32		outcome;
	int64		status;
	double		elapsed_ms;
	double		waited_ms;
} PoolAttemptHeader;

/* A cursor over a received message. */
typedef struct MsgReader
{
	const char *data;
	Size		len;
	Size		pos;
} MsgReader;

static void put_string(StringInfo buf, const char *s);
static const char *get_string(MsgReader *r);
static const char *get_bytes(MsgReader *r, Size n);
static void put_headers(StringInfo buf, List *headers, bool with_secret);
static List *get_headers(MsgReader *r, uint32 n, bool with_secret);
pg_noreturn static void malformed(void);

/* The bytes of a body of body_len that follow its head in pieces. */
static inline uint64
body_in_pieces(uint64 body_len)
{
	return body_len > POOL_BODY_PIECE ? body_len : 0;
}

static void
put_string(StringInfo buf, const char *s)
{
	appendBinaryStringInfo(buf, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void
malformed(void)
{
	ereport(ERROR,
			errcode(ERRCODE_INTERNAL_ERROR),
			errmsg("malformed message in the mlpredict connection pool"));
}

static const char *
get_bytes(MsgReader *r, Size n)
{
	const char *p;

	if (n > r->len - r->pos)
		malformed();
	p = r->data + r->pos;
	r->pos += n;
	return p;
}

/* A NUL-terminated string in the message (points into it). */
static const char *
get_string(MsgReader *r)
{
	const char *p = r->data + r->pos;
	const char *nul = memchr(p, '\0', r->len - r->pos);

	if (nul == NULL)
		malformed();
	r->pos += (nul - p) + 1;
	return p;
}

/*
 * put_headers
 *		Name and value of each header; with_secret adds the secret flag
 *		(requests only: response headers are never secret).
 */
static void
put_headers(StringInfo buf, List *headers, bool with_secret)
{
	ListCell   *lc;

	foreach(lc, headers)
	{
		HttpHeader *header = (HttpHeader *) lfirst(lc);

		put_string(buf, header->name);
		put_string(buf, header->value);
		if (with_secret)
			appendStringInfoChar(buf, header->secret ? 1 : 0);
	}
}

/* The n headers put_headers wrote, copied into the current context. */
static List *
get_headers(MsgReader *r, uint32 n, bool with_secret)
{
	List	   *headers = NIL;

	for (uint32 i = 0; i < n; i++)
	{
		HttpHeader *header = palloc(sizeof(HttpHeader));

		header->name = pstrdup(get_string(r));
		header->value = pstrdup(get_string(r));
		header->secret = with_secret && *get_bytes(r, 1) != 0;
		headers = lappend(headers, header);
	}
	return headers;
}

void
PoolEncodeRequest(StringInfo buf, uint32 id, const HttpRequest *request)
{
	PoolRequestHeader h;

	memset(&h, 0, sizeof(h));
	h.magic = POOL_REQUEST_MAGIC;
	h.id = id;
	h.timeout_ms = request->timeout_ms;
	h.connect_timeout_ms = request->connect_timeout_ms;
	h.retry_count = request->retry_count;
	h.allow_http = request->allow_http;
	h.max_body = request->max_body;
	h.route = request->route;
	h.nheaders = list_length(request->headers);
	h.body_len = request->body != NULL ? request->body_len : 0;

	resetStringInfo(buf);
	appendBinaryStringInfo(buf, (const char *) &h, sizeof(h));
	put_string(buf, request->method);
	put_string(buf, request->url);
	put_headers(buf, request->headers, true);
	if (h.body_len > 0)
		appendBinaryStringInfo(buf, request->body, (int) h.body_len);
}

/*
 * PoolDecodeRequest
 *		A request in the current memory context (strings copied).
 */
HttpRequest *
PoolDecodeRequest(const char *data, Size len, uint32 *id)
{
	MsgReader	r = {data, len, 0};
	PoolRequestHeader h;
	HttpRequest *request = palloc0(sizeof(HttpRequest));

	memcpy(&h, get_bytes(&r, sizeof(h)), sizeof(h));
	if (h.magic != POOL_REQUEST_MAGIC)
		malformed();
	*id = h.id;
	request->timeout_ms = h.timeout_ms;
	request->connect_timeout_ms = h.connect_timeout_ms;
	request->retry_count = h.retry_count;
	request->allow_http = h.allow_http;
	request->max_body = h.max_body;
	request->route = h.route;
	request->route.connection[HTTP_ROUTE_NAME_LEN - 1] = '\0';
	request->route.model[HTTP_ROUTE_NAME_LEN - 1] = '\0';
	request->method = pstrdup(get_string(&r));
	request->url = pstrdup(get_string(&r));
	request->headers = get_headers(&r, h.nheaders, true);
	if (h.body_len > MaxAllocSize - 1)
		malformed();
	request->body_len = h.body_len;
	request->body = palloc(h.body_len + 1);
	memcpy(request->body, get_bytes(&r, h.body_len), h.body_len);
	request->body[h.body_len] = '\0';
	return request;
}

int
PoolEncodeResponse(StringInfo buf, uint32 id, const HttpResponse *response)
{
	PoolResponseHeader h;

	memset(&h, 0, sizeof(h));
	h.magic = POOL_RESPONSE_MAGIC;
	h.id = id;
	h.outcome = response->outcome;
	h.status = response->status;
	h.elapsed_ms = response->elapsed_ms;
	h.nattempts = response->nattempts;
	h.nheaders = list_length(response->headers);
	h.body_len = response->body.data != NULL ? response->body.len : 0;

	resetStringInfo(buf);
	enlargeStringInfo(buf, sizeof(h) + 256 + (int) h.body_len);
	appendBinaryStringInfo(buf, (const char *) &h, sizeof(h));
	for (int i = 0; i < Min(h.nattempts, HTTP_MAX_ATTEMPTS_KEPT); i++)
	{
		const HttpAttempt *a = &response->attempts[i];
		PoolAttemptHeader ah;

		memset(&ah, 0, sizeof(ah));
		ah.outcome = a->outcome;
		ah.status = a->status;
		ah.elapsed_ms = a->elapsed_ms;
		ah.waited_ms = a->waited_ms;
		appendBinaryStringInfo(buf, (const char *) &ah, sizeof(ah));
		put_string(buf, a->error);
	}
	put_string(buf, response->error);
	put_headers(buf, response->headers, false);
	if (h.body_len > 0)
		appendBinaryStringInfo(buf, response->body.data, (int) h.body_len);
	return buf->len - (int) body_in_pieces(h.body_len);
}

void
PoolEncodeRetryWait(StringInfo buf, uint32 id, bool waiting)
{
	PoolRetryWaitMessage m;

	memset(&m, 0, sizeof(m));
	m.magic = POOL_RETRY_WAIT_MAGIC;
	m.id = id;
	m.waiting = waiting ? 1 : 0;
	resetStringInfo(buf);
	appendBinaryStringInfo(buf, (const char *) &m, sizeof(m));
}

/*
 * PoolDecodeRetryWait
 *		Whether the message is a retry-wait notice, and if so what it says.
 */
bool
PoolDecodeRetryWait(const char *data, Size len, uint32 *id, bool *waiting)
{
	PoolRetryWaitMessage m;

	if (len != sizeof(m))
		return false;
	memcpy(&m, data, sizeof(m));
	if (m.magic != POOL_RETRY_WAIT_MAGIC)
		return false;
	*id = m.id;
	*waiting = m.waiting != 0;
	return true;
}

uint32
PoolResponseId(const char *data, Size len, Size *body_left)
{
	MsgReader	r = {data, len, 0};
	PoolResponseHeader h;

	memcpy(&h, get_bytes(&r, sizeof(h)), sizeof(h));
	if (h.magic != POOL_RESPONSE_MAGIC)
		malformed();
	*body_left = body_in_pieces(h.body_len);
	return h.id;
}

void
PoolDecodeResponse(const char *data, Size len, HttpResponse *response)
{
	MsgReader	r = {data, len, 0};
	PoolResponseHeader h;
	Size		inline_len;

	memcpy(&h, get_bytes(&r, sizeof(h)), sizeof(h));
	if (h.magic != POOL_RESPONSE_MAGIC)
		malformed();
	response->outcome = (HttpOutcome) h.outcome;
	response->status = (long) h.status;
	response->elapsed_ms = h.elapsed_ms;
	response->nattempts = h.nattempts;
	if (h.nattempts < 0)
		malformed();
	for (int i = 0; i < Min(h.nattempts, HTTP_MAX_ATTEMPTS_KEPT); i++)
	{
		HttpAttempt *a = &response->attempts[i];
		PoolAttemptHeader ah;

		memcpy(&ah, get_bytes(&r, sizeof(ah)), sizeof(ah));
		a->outcome = (HttpOutcome) ah.outcome;
		a->status = (long) ah.status;
		a->elapsed_ms = ah.elapsed_ms;
		a->waited_ms = ah.waited_ms;
		strlcpy(a->error, get_string(&r), sizeof(a->error));
	}
	strlcpy(response->error, get_string(&r), sizeof(response->error));
	response->headers = get_headers(&r, h.nheaders, false);
	/* the rest is the body, or nothing when it follows in pieces */
	inline_len = r.len - r.pos;
	if (h.body_len > MaxAllocSize - 1 ||
		inline_len != h.body_len - body_in_pieces(h.body_len))
		malformed();
	if (response->body.data == NULL)
		initStringInfo(&response->body);
	else
		resetStringInfo(&response->body);
	enlargeStringInfo(&response->body, (int) h.body_len);
	appendBinaryStringInfo(&response->body, get_bytes(&r, inline_len),
						   (int) inline_len);
}

/*
 * PoolAppendBodyPiece
 *		Append a piece of the body that PoolDecodeResponse left to come
 *		(*left bytes of it, counted down); with response NULL (its request
 *		was forgotten), only count it.
 */
void
PoolAppendBodyPiece(const char *data, Size len, Size *left,
					HttpResponse *response)
{
	if (len == 0 || len > *left || len > POOL_BODY_PIECE)
		malformed();
	if (response != NULL)
		appendBinaryStringInfo(&response->body, data, (int) len);
	*left -= len;
}
