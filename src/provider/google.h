/*-------------------------------------------------------------------------
 *
 * google.h
 *	  What the googleai and vertexai providers share: verb rewriting, URL
 *	  key checks, and service-account access tokens.
 *
 * IDENTIFICATION
 *	  src/provider/google.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_GOOGLE_H
#define MLPREDICT_GOOGLE_H

#include "postgres.h"

/* A parsed service-account key (the JSON Google hands out). */
typedef struct MlServiceAccount
{
	char	   *client_email;
	char	   *private_key;	/* PEM */
	char	   *private_key_id; /* may be NULL */
	char	   *token_uri;
} MlServiceAccount;

/* googleai.c */
extern char *MlGoogleRewriteVerb(const char *path, const char *from, const char *to);
extern void MlGoogleCheckNoKeyInUrl(const char *endpoint);

/* gcp_token.c */
extern MlServiceAccount *MlParseServiceAccount(const char *json, bool check_key);
extern const char *MlGcpAccessToken(const char *service_key, const char *connection,
									int timeout_ms);

#endif							/* MLPREDICT_GOOGLE_H */
