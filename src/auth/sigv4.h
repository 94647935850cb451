/*-------------------------------------------------------------------------
 *
 * sigv4.h
 *	  AWS Signature Version 4 for one HTTP request (Bedrock, SageMaker):
 *	  canonical request, string to sign, signature and Authorization header.
 *
 * Plain C11 with libc and OpenSSL's libcrypto, deliberately without
 * "postgres.h": the module build compiles it with the server's flags and
 * the unit tests (make unit) link it into a plain program, which checks it
 * against AWS's own test suite.  No global state, no output; results are
 * malloc'd and released with sigv4_result_free.
 *
 * The caller passes the request exactly as it will go on the wire (path
 * already percent-encoded once, header values as sent, the body bytes that
 * will be sent) plus the credentials and the timestamp; the signer does not
 * add headers.  For temporary credentials add "X-Amz-Security-Token" to the
 * headers (it is then signed, as botocore does) and send it.
 *
 * IDENTIFICATION
 *	  src/auth/sigv4.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_SIGV4_H
#define MLPREDICT_SIGV4_H

#include <stddef.h>

/* One header to sign: any case, any order; duplicates are combined. */
typedef struct SigV4Header
{
	const char *name;
	const char *value;
} SigV4Header;

typedef struct SigV4Request
{
	const char *method;			/* "POST" */
	const char *path;			/* path exactly as sent on the wire, already
								 * percent-encoded once, e.g.
								 * "/model/amazon.titan-embed-text-v2%3A0/invoke";
								 * "" means "/" */
	const char *query;			/* raw query string without '?', or NULL */
	const SigV4Header *headers; /* headers to sign, any case/order, MUST
								 * include host; values as sent */
	int			nheaders;
	const unsigned char *body;	/* may be NULL when body_len is 0 */
	size_t		body_len;
	const char *access_key;
	const char *secret_key;
	const char *region;
	const char *service;		/* "bedrock", "sagemaker", "service" ... */
	const char *amz_date;		/* "YYYYMMDDTHHMMSSZ" */
	int			double_encode_path; /* 1 for every service except s3:
									 * normalise the path (remove "." and ".."
									 * segments and duplicate slashes) and
									 * URI-encode it again in the canonical
									 * request (so %3A becomes %253A); 0 (s3):
									 * the path is used as given */
} SigV4Request;

typedef struct SigV4Result
{
	char	   *canonical_request;	/* malloc'd */
	char	   *string_to_sign; /* malloc'd */
	char	   *signed_headers; /* "host;x-amz-date", malloc'd */
	char	   *signature;		/* 64 lower-case hex chars, malloc'd */
	char	   *authorization;	/* full Authorization header value, malloc'd */
} SigV4Result;

/*
 * Sign req.  0 on success, every field of out set; on failure -1, every
 * field of out NULL, and a message in errbuf (never containing the secret).
 */
extern int	sigv4_sign(const SigV4Request *req, SigV4Result *out,
					   char *errbuf, size_t errlen);

/* Free the fields of out (not out itself) and set them to NULL. */
extern void sigv4_result_free(SigV4Result *out);

/* Lower-case hex SHA-256 of data into out[65] (NUL-terminated). */
extern void sigv4_sha256_hex(const unsigned char *data, size_t len,
							 char out[65]);

/*
 * malloc'd percent-encoding of s: every byte outside A-Za-z0-9-._~ becomes
 * %XX (upper-case hex); '/' is kept when keep_slash is non-zero.  For
 * putting a Bedrock model id or ARN in one path segment (keep_slash = 0).
 * NULL if s is NULL or memory runs out.
 */
extern char *sigv4_uri_encode(const char *s, int keep_slash);

#endif							/* MLPREDICT_SIGV4_H */
