/*-------------------------------------------------------------------------
 *
 * sigv4.c
 *	  AWS Signature Version 4: the canonical request (path normalisation and
 *	  double encoding, canonical query string, canonical headers), the
 *	  string to sign, the signing-key chain and the Authorization header.
 *
 * Pure C11 with libc and libcrypto only, deliberately without "postgres.h":
 * the module build compiles this file with the server's flags, and the unit
 * tests (make unit) link it into a plain program that runs AWS's test suite
 * against it.  Characters are classified by hand rather than with
 * <ctype.h>, so the locale cannot change a canonical form.  Everything is
 * malloc'd; nothing is global; nothing is printed.  Copies of the secret
 * and the intermediate keys are wiped with OPENSSL_cleanse before they are
 * freed, and no error message mentions the secret.
 *
 * The rules follow AWS's documentation and botocore (the reference the
 * test suite was written against):
 *	 - header names lower-cased and sorted; values trimmed, runs of white
 *	   space (including the line breaks of folded values) collapsed to one
 *	   space; repeated names joined with "," in the order given;
 *	 - query parameters split on '&', name and value percent-decoded and
 *	   re-encoded with the unreserved set A-Za-z0-9-._~, sorted by name and
 *	   then value; "name" alone becomes "name=";
 *	 - for every service but S3, "." / ".." segments and empty segments are
 *	   removed from the path and the path is URI-encoded once more ('/'
 *	   kept), so the %3A of a Bedrock model id signs as %253A.
 *
 * IDENTIFICATION
 *	  src/auth/sigv4.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sigv4.h"
#include "strbuf.h"

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR	"aws4_request"
#define SHA256_LEN			32
#define AMZ_DATE_LEN		16	/* YYYYMMDDTHHMMSSZ */
#define DATESTAMP_LEN		8	/* YYYYMMDD */


/* One header to sign after normalisation. */
typedef struct CanonHeader
{
	char	   *name;			/* lower case */
	char	   *value;			/* trimmed, white space collapsed */
	int			pos;			/* position in the request, for a stable sort */
} CanonHeader;

/* One query parameter, name and value already in canonical encoding. */
typedef struct QueryParam
{
	char	   *name;
	char	   *value;
} QueryParam;

/* Whether c is an ASCII letter or digit. */
static int
is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9');
}

/* RFC 3986 unreserved: A-Za-z0-9 - . _ ~ */
static int
is_unreserved(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* White space that header canonicalisation collapses, line breaks too. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		c == '\v' || c == '\f';
}

/* An RFC 9110 token character (header names, methods). */
static int
is_tchar(unsigned char c)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	return is_alnum(c) || (c != '\0' && strchr(extra, c) != NULL);
}

/* Whether s is a non-empty token. */
static int
is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!is_tchar((unsigned char) *s))
			return 0;
	return 1;
}

/*
 * is_scope_part
 *		Non-empty printable ASCII without '/' or ',': safe inside the
 *		credential scope and the Authorization header.
 */
static int
is_scope_part(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ',')
			return 0;
	}
	return 1;
}

/* ASCII lower case, whatever the locale. */
static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/*
 * append_encoded
 *		Percent-encode s[0..len) into sb: every byte outside the unreserved
 *		set becomes %XX (upper-case hex); '/' stays when keep_slash.
 */
static void
append_encoded(StrBuf *sb, const char *s, size_t len, int keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (is_unreserved(c) || (keep_slash && c == '/'))
			strbuf_putc(sb, (char) c);
		else
		{
			char		esc[3] = {'%', digits[c >> 4], digits[c & 0x0f]};

			strbuf_append_n(sb, esc, 3);
		}
	}
}

/*
 * sigv4_uri_encode
 *		malloc'd percent-encoding of s (see sigv4.h).
 */
char *
sigv4_uri_encode(const char *s, int keep_slash)
{
	StrBuf		sb = {0};

	if (s == NULL)
		return NULL;
	append_encoded(&sb, s, strlen(s), keep_slash);
	return strbuf_finish(&sb);
}

/*
 * sha256
 *		Raw SHA-256 of data[0..len) into md; 0 if OpenSSL fails.
 */
static int
sha256(const void *data, size_t len, unsigned char md[SHA256_LEN])
{
	unsigned int mdlen = 0;

	if (EVP_Digest(data != NULL ? data : "", len, md, &mdlen,
				   EVP_sha256(), NULL) != 1 || mdlen != SHA256_LEN)
	{
		ERR_clear_error();
		return 0;
	}
	return 1;
}

/*
 * sigv4_sha256_hex
 *		Lower-case hex SHA-256 into out[65]; "" if OpenSSL fails.
 */
void
sigv4_sha256_hex(const unsigned char *data, size_t len, char out[65])
{
	unsigned char md[SHA256_LEN];

	if (!sha256(data, len, md))
	{
		out[0] = '\0';
		return;
	}
	hex_encode_lower(md, SHA256_LEN, out);
}

/*
 * hmac_sha256
 *		HMAC-SHA256 of msg[0..msglen) under key into out; 0 on failure.
 */
static int
hmac_sha256(const unsigned char *key, size_t keylen,
			const char *msg, size_t msglen, unsigned char out[SHA256_LEN])
{
	unsigned int outlen = 0;

	if (keylen > INT_MAX ||
		HMAC(EVP_sha256(), key, (int) keylen, (const unsigned char *) msg,
			 msglen, out, &outlen) == NULL || outlen != SHA256_LEN)
	{
		ERR_clear_error();
		return 0;
	}
	return 1;
}

/*
 * derive_signing_key
 *		kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
 *		service), "aws4_request"); 0 on failure.  The copies of the secret
 *		and the intermediate keys are wiped.
 */
static int
derive_signing_key(const SigV4Request *req, unsigned char key[SHA256_LEN])
{
	size_t		slen = strlen(req->secret_key);
	unsigned char *k_secret = malloc(slen + 4);
	unsigned char k_date[SHA256_LEN];
	unsigned char k_region[SHA256_LEN];
	unsigned char k_service[SHA256_LEN];
	int			ok;

	if (k_secret == NULL)
		return 0;
	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, req->secret_key, slen);
	ok = hmac_sha256(k_secret, slen + 4, req->amz_date, DATESTAMP_LEN, k_date) &&
		hmac_sha256(k_date, SHA256_LEN, req->region, strlen(req->region),
					k_region) &&
		hmac_sha256(k_region, SHA256_LEN, req->service, strlen(req->service),
					k_service) &&
		hmac_sha256(k_service, SHA256_LEN, SIGV4_TERMINATOR,
					strlen(SIGV4_TERMINATOR), key);
	OPENSSL_cleanse(k_secret, slen + 4);
	OPENSSL_cleanse(k_date, sizeof(k_date));
	OPENSSL_cleanse(k_region, sizeof(k_region));
	OPENSSL_cleanse(k_service, sizeof(k_service));
	free(k_secret);
	return ok;
}

/*
 * is_amz_date
 *		Whether s has the form YYYYMMDDTHHMMSSZ (digits checked, not ranges).
 */
static int
is_amz_date(const char *s)
{
	int			i;

	if (s == NULL || strlen(s) != AMZ_DATE_LEN)
		return 0;
	for (i = 0; i < AMZ_DATE_LEN; i++)
	{
		char		c = s[i];

		if (i == 8 ? c != 'T' : i == 15 ? c != 'Z' : (c < '0' || c > '9'))
			return 0;
	}
	return 1;
}

/*
 * check_headers
 *		Every header has a token name and a value; exactly the checks that
 *		need no allocation.  -1 with errbuf set on a bad header.
 */
static int
check_headers(const SigV4Request *req, char *errbuf, size_t errlen)
{
	int			i;

	if (req->nheaders < 0 || (req->nheaders > 0 && req->headers == NULL))
	{
		auth_set_error(errbuf, errlen, "invalid header list");
		return -1;
	}
	for (i = 0; i < req->nheaders; i++)
	{
		if (!is_token(req->headers[i].name))
		{
			auth_set_error(errbuf, errlen, "header %d has no valid name", i + 1);
			return -1;
		}
		if (req->headers[i].value == NULL)
		{
			auth_set_error(errbuf, errlen, "header \"%s\" has no value",
					  req->headers[i].name);
			return -1;
		}
	}
	return 0;
}

/*
 * check_request
 *		Reject what cannot be signed; -1 with a message in errbuf.
 */
static int
check_request(const SigV4Request *req, char *errbuf, size_t errlen)
{
	const char *msg = NULL;

	if (!is_token(req->method))
		msg = "missing or invalid HTTP method";
	else if (req->path == NULL || (req->path[0] != '\0' && req->path[0] != '/'))
		msg = "request path must be empty or start with \"/\"";
	else if (req->body == NULL && req->body_len > 0)
		msg = "request body is missing";
	else if (!is_scope_part(req->access_key))
		msg = "missing or invalid access key id";
	else if (req->secret_key == NULL || req->secret_key[0] == '\0')
		msg = "missing secret access key";
	else if (!is_scope_part(req->region))
		msg = "missing or invalid region";
	else if (!is_scope_part(req->service))
		msg = "missing or invalid service name";
	else if (!is_amz_date(req->amz_date))
		msg = "x-amz-date must have the form YYYYMMDDTHHMMSSZ";
	if (msg != NULL)
	{
		auth_set_error(errbuf, errlen, "%s", msg);
		return -1;
	}
	return check_headers(req, errbuf, errlen);
}

/*
 * normalize_path
 *		malloc'd path without empty, "." and ".." segments (".." drops the
 *		segment before it, never above the root), starting with '/', ending
 *		with '/' if the input did and a segment is left; "/" if none is.
 *		This is botocore's remove_dot_segments.
 */
static char *
normalize_path(const char *path)
{
	size_t		len = strlen(path);
	char	   *out = malloc(len + 3);
	size_t		olen = 0;
	const char *p = path;

	if (out == NULL)
		return NULL;
	while (*p)
	{
		const char *seg;
		size_t		n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = (size_t) (p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
		{
			/* back to the '/' that starts the last segment kept */
			while (olen > 0 && out[--olen] != '/')
				;
			continue;
		}
		out[olen++] = '/';
		memcpy(out + olen, seg, n);
		olen += n;
	}
	if (olen == 0 || (len > 0 && path[len - 1] == '/'))
		out[olen++] = '/';
	out[olen] = '\0';
	return out;
}

/*
 * append_canonical_uri
 *		The canonical URI: "/" for an empty path; the path as given for S3;
 *		otherwise the normalised path, URI-encoded once more.  0 on OOM.
 */
static int
append_canonical_uri(StrBuf *sb, const SigV4Request *req)
{
	char	   *norm;

	if (req->path[0] == '\0')
		strbuf_putc(sb, '/');
	else if (!req->double_encode_path)
		strbuf_append(sb, req->path);
	else
	{
		norm = normalize_path(req->path);
		if (norm == NULL)
			return 0;
		append_encoded(sb, norm, strlen(norm), 1);
		free(norm);
	}
	return 1;
}

/*
 * pct_decode
 *		malloc'd percent-decoding of s[0..len) (not NUL-safe: decoded bytes
 *		may include NUL, hence *outlen).  "%XX" becomes its byte; anything
 *		else, '+' and a '%' without two hex digits included, is kept.
 */
static char *
pct_decode(const char *s, size_t len, size_t *outlen)
{
	char	   *out = malloc(len + 1);
	size_t		i;
	size_t		o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		int			hi = -1;
		int			lo = -1;

		if (s[i] == '%' && i + 2 < len)
		{
			hi = hex_digit_value(s[i + 1]);
			lo = hex_digit_value(s[i + 2]);
		}
		if (hi >= 0 && lo >= 0)
		{
			out[o++] = (char) (hi * 16 + lo);
			i += 2;
		}
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * canon_component
 *		malloc'd canonical form of one query name or value: decoded, then
 *		encoded with the unreserved set ('/' encoded too).  NULL on OOM.
 */
static char *
canon_component(const char *s, size_t len)
{
	StrBuf		sb = {0};
	size_t		dlen;
	char	   *dec = pct_decode(s, len, &dlen);

	if (dec == NULL)
		return NULL;
	append_encoded(&sb, dec, dlen, 0);
	free(dec);
	return strbuf_finish(&sb);
}

/* Order of query parameters: by name, then by value (byte order). */
static int
cmp_param(const void *a, const void *b)
{
	const QueryParam *pa = a;
	const QueryParam *pb = b;
	int			c = strcmp(pa->name, pb->name);

	return c != 0 ? c : strcmp(pa->value, pb->value);
}

/* Free n parameters and the array. */
static void
free_params(QueryParam *params, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
}

/*
 * parse_query
 *		Split query on '&' into canonical name/value pairs (empty pieces
 *		skipped).  *params gets the array, *n its length; 0 on OOM.
 */
static int
parse_query(const char *query, QueryParam **params, size_t *n)
{
	size_t		max = 1;
	const char *p;

	for (p = query; *p; p++)
		max += (*p == '&');
	*n = 0;
	*params = calloc(max, sizeof(QueryParam));
	if (*params == NULL)
		return 0;
	for (p = query; *p;)
	{
		size_t		len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		QueryParam *qp = &(*params)[*n];

		if (len > 0)
		{
			size_t		nlen = eq ? (size_t) (eq - p) : len;

			(*n)++;
			qp->name = canon_component(p, nlen);
			qp->value = eq ? canon_component(eq + 1, len - nlen - 1)
				: canon_component("", 0);
			if (qp->name == NULL || qp->value == NULL)
				return 0;
		}
		p += len + (p[len] == '&');
	}
	return 1;
}

/*
 * append_canonical_query
 *		The canonical query string ("" for none).  0 on OOM.
 */
static int
append_canonical_query(StrBuf *sb, const char *query)
{
	QueryParam *params = NULL;
	size_t		n = 0;
	size_t		i;

	if (query == NULL || *query == '\0')
		return 1;
	if (!parse_query(query, &params, &n))
	{
		if (params != NULL)
			free_params(params, n);
		return 0;
	}
	if (n > 1)
		qsort(params, n, sizeof(QueryParam), cmp_param);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			strbuf_putc(sb, '&');
		strbuf_append(sb, params[i].name);
		strbuf_putc(sb, '=');
		strbuf_append(sb, params[i].value);
	}
	free_params(params, n);
	return 1;
}

/* malloc'd ASCII lower-case copy of s. */
static char *
lower_dup(const char *s)
{
	size_t		len = strlen(s);
	char	   *out = malloc(len + 1);
	size_t		i;

	if (out == NULL)
		return NULL;
	for (i = 0; i <= len; i++)
		out[i] = ascii_lower(s[i]);
	return out;
}

/*
 * normalize_value
 *		malloc'd header value without leading and trailing white space, each
 *		inner run of white space (line breaks of folded values included)
 *		replaced by one space.
 */
static char *
normalize_value(const char *s)
{
	char	   *out = malloc(strlen(s) + 1);
	size_t		o = 0;
	int			pending = 0;

	if (out == NULL)
		return NULL;
	for (; *s; s++)
	{
		if (is_space(*s))
		{
			pending = (o > 0);
			continue;
		}
		if (pending)
			out[o++] = ' ';
		pending = 0;
		out[o++] = *s;
	}
	out[o] = '\0';
	return out;
}

/* Order of headers: by lower-case name, then as given. */
static int
cmp_header(const void *a, const void *b)
{
	const CanonHeader *ha = a;
	const CanonHeader *hb = b;
	int			c = strcmp(ha->name, hb->name);

	return c != 0 ? c : (ha->pos > hb->pos) - (ha->pos < hb->pos);
}

/* Free n headers and the array. */
static void
free_headers(CanonHeader *h, int n)
{
	int			i;

	if (h == NULL)
		return;
	for (i = 0; i < n; i++)
	{
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

/*
 * collect_headers
 *		The request's headers normalised and sorted into *out (nheaders
 *		entries).  0 on OOM.
 */
static int
collect_headers(const SigV4Request *req, CanonHeader **out)
{
	CanonHeader *h;
	int			i;

	*out = NULL;
	h = calloc(req->nheaders > 0 ? (size_t) req->nheaders : 1,
			   sizeof(CanonHeader));
	if (h == NULL)
		return 0;
	for (i = 0; i < req->nheaders; i++)
	{
		h[i].name = lower_dup(req->headers[i].name);
		h[i].value = normalize_value(req->headers[i].value);
		h[i].pos = i;
		if (h[i].name == NULL || h[i].value == NULL)
		{
			free_headers(h, i + 1);
			return 0;
		}
	}
	if (req->nheaders > 1)
		qsort(h, (size_t) req->nheaders, sizeof(CanonHeader), cmp_header);
	*out = h;
	return 1;
}

/*
 * append_headers
 *		"name:value\n" per distinct name into canon (values of a repeated
 *		name joined with ',' in request order) and "name;name..." into
 *		names.  h is sorted.
 */
static void
append_headers(StrBuf *canon, StrBuf *names, const CanonHeader *h, int n)
{
	int			i = 0;

	while (i < n)
	{
		int			j;

		strbuf_append(canon, h[i].name);
		strbuf_putc(canon, ':');
		for (j = i; j < n && strcmp(h[j].name, h[i].name) == 0; j++)
		{
			if (j > i)
				strbuf_putc(canon, ',');
			strbuf_append(canon, h[j].value);
		}
		strbuf_putc(canon, '\n');
		if (names->len > 0)
			strbuf_putc(names, ';');
		strbuf_append(names, h[i].name);
		i = j;
	}
}

/* Whether the sorted headers include host. */
static int
has_host(const CanonHeader *h, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].name, "host") == 0)
			return 1;
	return 0;
}

/*
 * append_canonical_headers
 *		Canonical headers into canon and the signed-header list into names;
 *		-1 with errbuf set if host is missing or memory runs out.
 */
static int
append_canonical_headers(StrBuf *canon, StrBuf *names,
						 const SigV4Request *req, char *errbuf, size_t errlen)
{
	CanonHeader *h;
	int			ok;

	if (!collect_headers(req, &h))
	{
		auth_set_error(errbuf, errlen, "out of memory");
		return -1;
	}
	ok = has_host(h, req->nheaders);
	if (ok)
		append_headers(canon, names, h, req->nheaders);
	else
		auth_set_error(errbuf, errlen, "the headers to sign must include host");
	free_headers(h, req->nheaders);
	return ok ? 0 : -1;
}

/*
 * build_canonical_request
 *		out->canonical_request and out->signed_headers:
 *		METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n HEX(SHA256(body)).
 */
static int
build_canonical_request(const SigV4Request *req, SigV4Result *out,
						char *errbuf, size_t errlen)
{
	StrBuf		cr = {0};
	StrBuf		names = {0};
	char		body_hash[65];

	strbuf_append(&cr, req->method);
	strbuf_putc(&cr, '\n');
	if (!append_canonical_uri(&cr, req))
		cr.failed = 1;
	strbuf_putc(&cr, '\n');
	if (!append_canonical_query(&cr, req->query))
		cr.failed = 1;
	strbuf_putc(&cr, '\n');
	if (append_canonical_headers(&cr, &names, req, errbuf, errlen) < 0)
	{
		free(strbuf_finish(&cr));
		free(strbuf_finish(&names));
		return -1;
	}
	sigv4_sha256_hex(req->body, req->body_len, body_hash);
	strbuf_putc(&cr, '\n');
	strbuf_append(&cr, names.data != NULL ? names.data : "");
	strbuf_putc(&cr, '\n');
	strbuf_append(&cr, body_hash);
	out->canonical_request = strbuf_finish(&cr);
	out->signed_headers = strbuf_finish(&names);
	if (out->canonical_request == NULL || out->signed_headers == NULL ||
		body_hash[0] == '\0')
	{
		auth_set_error(errbuf, errlen, "out of memory or hashing failed");
		return -1;
	}
	return 0;
}

/* Append the credential scope date/region/service/aws4_request. */
static void
append_scope(StrBuf *sb, const SigV4Request *req)
{
	strbuf_append_n(sb, req->amz_date, DATESTAMP_LEN);
	strbuf_putc(sb, '/');
	strbuf_append(sb, req->region);
	strbuf_putc(sb, '/');
	strbuf_append(sb, req->service);
	strbuf_putc(sb, '/');
	strbuf_append(sb, SIGV4_TERMINATOR);
}

/*
 * build_string_to_sign
 *		out->string_to_sign: algorithm \n amz_date \n scope \n
 *		HEX(SHA256(canonical request)).
 */
static int
build_string_to_sign(const SigV4Request *req, SigV4Result *out,
					 char *errbuf, size_t errlen)
{
	StrBuf		sb = {0};
	char		cr_hash[65];

	sigv4_sha256_hex((const unsigned char *) out->canonical_request,
					 strlen(out->canonical_request), cr_hash);
	strbuf_append(&sb, SIGV4_ALGORITHM "\n");
	strbuf_append(&sb, req->amz_date);
	strbuf_putc(&sb, '\n');
	append_scope(&sb, req);
	strbuf_putc(&sb, '\n');
	strbuf_append(&sb, cr_hash);
	out->string_to_sign = strbuf_finish(&sb);
	if (out->string_to_sign == NULL || cr_hash[0] == '\0')
	{
		auth_set_error(errbuf, errlen, "out of memory or hashing failed");
		return -1;
	}
	return 0;
}

/*
 * build_signature
 *		out->signature: hex HMAC of the string to sign under the derived
 *		signing key.
 */
static int
build_signature(const SigV4Request *req, SigV4Result *out,
				char *errbuf, size_t errlen)
{
	unsigned char key[SHA256_LEN];
	unsigned char mac[SHA256_LEN];
	int			ok;

	ok = derive_signing_key(req, key) &&
		hmac_sha256(key, SHA256_LEN, out->string_to_sign,
					strlen(out->string_to_sign), mac);
	OPENSSL_cleanse(key, sizeof(key));
	if (ok)
		out->signature = malloc(2 * SHA256_LEN + 1);
	if (!ok || out->signature == NULL)
	{
		auth_set_error(errbuf, errlen, "computing the signature failed");
		return -1;
	}
	hex_encode_lower(mac, SHA256_LEN, out->signature);
	return 0;
}

/*
 * build_authorization
 *		out->authorization: "AWS4-HMAC-SHA256 Credential=AKID/scope,
 *		SignedHeaders=..., Signature=...".
 */
static int
build_authorization(const SigV4Request *req, SigV4Result *out,
					char *errbuf, size_t errlen)
{
	StrBuf		sb = {0};

	strbuf_append(&sb, SIGV4_ALGORITHM " Credential=");
	strbuf_append(&sb, req->access_key);
	strbuf_putc(&sb, '/');
	append_scope(&sb, req);
	strbuf_append(&sb, ", SignedHeaders=");
	strbuf_append(&sb, out->signed_headers);
	strbuf_append(&sb, ", Signature=");
	strbuf_append(&sb, out->signature);
	out->authorization = strbuf_finish(&sb);
	if (out->authorization == NULL)
	{
		auth_set_error(errbuf, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * sigv4_sign
 *		Sign req into out (see sigv4.h).
 */
int
sigv4_sign(const SigV4Request *req, SigV4Result *out, char *errbuf,
		   size_t errlen)
{
	if (out == NULL)
	{
		auth_set_error(errbuf, errlen, "no result to fill in");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (req == NULL)
	{
		auth_set_error(errbuf, errlen, "no request to sign");
		return -1;
	}
	if (check_request(req, errbuf, errlen) < 0 ||
		build_canonical_request(req, out, errbuf, errlen) < 0 ||
		build_string_to_sign(req, out, errbuf, errlen) < 0 ||
		build_signature(req, out, errbuf, errlen) < 0 ||
		build_authorization(req, out, errbuf, errlen) < 0)
	{
		sigv4_result_free(out);
		return -1;
	}
	return 0;
}

/*
 * sigv4_result_free
 *		Free the fields of out and reset them; safe on a zeroed result.
 */
void
sigv4_result_free(SigV4Result *out)
{
	if (out == NULL)
		return;
	free(out->canonical_request);
	free(out->string_to_sign);
	free(out->signed_headers);
	free(out->signature);
	free(out->authorization);
	memset(out, 0, sizeof(*out));
}
