/*-------------------------------------------------------------------------
 *
 * jwt.h
 *	  The RS256-signed JWT assertion of a Google service account, for the
 *	  OAuth2 JWT bearer grant (RFC 7523) that mints Vertex AI access tokens,
 *	  and the form body that exchanges it.
 *
 * Plain C11 with libc and OpenSSL's libcrypto, deliberately without
 * "postgres.h": the module build compiles it with the server's flags and
 * the unit tests (make unit) link it into a plain program.  No global
 * state, no output; results are malloc'd (free with free()).  Error
 * messages never contain key material, and OpenSSL's error queue is left
 * empty after a failure.
 *
 * IDENTIFICATION
 *	  src/auth/jwt.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_JWT_H
#define MLPREDICT_JWT_H

#include <stddef.h>

/*
 * malloc'd base64url (RFC 4648 section 5: '-' and '_', no '=' padding) of
 * data[0..len); NULL if memory runs out.  data may be NULL when len is 0.
 */
extern char *jwt_base64url(const unsigned char *data, size_t len);

/*
 * The signed assertion "header.claims.signature" for the OAuth2 JWT bearer
 * grant:
 *	 header {"alg":"RS256","typ":"JWT","kid":key_id} (kid omitted when key_id
 *	 is NULL or empty),
 *	 claims {"iss":client_email,"scope":scope,"aud":audience,"iat":iat,
 *	 "exp":iat+lifetime_s}.
 * private_key_pem is a PEM PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN
 * RSA PRIVATE KEY") RSA private key; an encrypted key is refused (no
 * passphrase is ever asked for).  Returns malloc'd text, or NULL with a
 * message in errbuf (never containing key material).
 */
extern char *jwt_rs256_assertion(const char *client_email,
								 const char *private_key_pem,
								 const char *key_id, const char *scope,
								 const char *audience, long long iat,
								 long lifetime_s, char *errbuf,
								 size_t errlen);

/*
 * malloc'd application/x-www-form-urlencoded body of the token request:
 * grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=<jwt>
 * NULL if assertion is NULL or memory runs out.
 */
extern char *jwt_token_request_body(const char *assertion);

#endif							/* MLPREDICT_JWT_H */
