/*-------------------------------------------------------------------------
 *
 * endpoint_mask.h
 *	  Hiding credentials that endpoints carry in their query strings:
 *	  Azure Functions' ?code=, Google's ?key=, SAS signatures (?sig=),
 *	  tokens.  Pure C with libc only, so that it can be unit-tested without
 *	  a server (test/unit/test_endpoint_mask.c).
 *
 * A query parameter is a credential when its name, compared without case,
 * is "code" or contains "key", "token", "secret", "sig", "password",
 * "credential" or "auth".  Its value is replaced by "*****"; the names
 * and every other parameter stay readable, so that an endpoint can still be
 * recognised in views and errors.  User information in the authority
 * ("https://user:password@host") is masked whole.
 *
 * Nothing here allocates, raises errors or keeps state.
 *
 * IDENTIFICATION
 *	  src/http/endpoint_mask.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_ENDPOINT_MASK_H
#define MLPREDICT_ENDPOINT_MASK_H

#include <stdbool.h>
#include <stddef.h>

/* What a credential's value is shown as. */
#define ENDPOINT_MASK_TEXT "*****"

/*
 * Room that EndpointMask may need for url: every parameter value, and the
 * user information, can grow to the mask's length, and there are at most
 * len / 2 + 1 parameters.
 */
#define ENDPOINT_MASK_SIZE(len) \
	((len) + ((len) / 2 + 2) * (sizeof(ENDPOINT_MASK_TEXT) - 1) + 1)

extern bool EndpointParamIsCredential(const char *name, size_t len);
extern bool EndpointHasCredential(const char *url);
extern bool EndpointNextCredential(const char *url, const char **cursor,
								   const char **value, size_t *len);
extern size_t EndpointMask(const char *url, char *out, size_t outsize);

#endif							/* MLPREDICT_ENDPOINT_MASK_H */
