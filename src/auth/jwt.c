/*-------------------------------------------------------------------------
 *
 * jwt.c
 *	  RS256 JWT assertions for Google service accounts: base64url, a JSON
 *	  string escaper, the header and claims documents, RSASSA-PKCS1-v1_5
 *	  with SHA-256 over "header.claims", and the token request body.
 *
 * Pure C11 with libc and libcrypto only, deliberately without "postgres.h":
 * the module build compiles this file with the server's flags, and the unit
 * tests (make unit) link it into a plain program that verifies the
 * signature with the public key.  Everything is malloc'd; nothing is
 * global; nothing is printed.
 *
 * The key is read with a passphrase callback that refuses, so an encrypted
 * key fails instead of prompting on a terminal.  OpenSSL's error queue is
 * cleared after every failure (after its reason has been copied into the
 * message: reasons such as "no start line" never quote the key).
 *
 * IDENTIFICATION
 *	  src/auth/jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jwt.h"
#include "strbuf.h"

#define GRANT_TYPE_JWT_BEARER \
	"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"

/*
 * set_openssl_error
 *		what, followed by OpenSSL's reason for the latest error if it has
 *		one; then the error queue is emptied.
 */
static void
set_openssl_error(char *errbuf, size_t errlen, const char *what)
{
	const char *reason = ERR_reason_error_string(ERR_peek_last_error());

	if (reason != NULL)
		auth_set_error(errbuf, errlen, "%s: %s", what, reason);
	else
		auth_set_error(errbuf, errlen, "%s", what);
	ERR_clear_error();
}


/*
 * jwt_base64url
 *		malloc'd base64url without padding (see jwt.h).
 */
char *
jwt_base64url(const unsigned char *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t		rest = len % 3;
	size_t		i;
	size_t		o = 0;
	char	   *out;

	if (len > (SIZE_MAX / 4 - 1) * 3 || (data == NULL && len > 0))
		return NULL;
	out = malloc(len / 3 * 4 + (rest ? rest + 1 : 0) + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3)
	{
		unsigned long v = ((unsigned long) data[i] << 16) |
			((unsigned long) data[i + 1] << 8) | data[i + 2];

		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = alphabet[(v >> 6) & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (rest > 0)
	{
		unsigned long v = ((unsigned long) data[i] << 16) |
			(rest == 2 ? (unsigned long) data[i + 1] << 8 : 0);

		out[o++] = alphabet[(v >> 18) & 0x3f];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		if (rest == 2)
			out[o++] = alphabet[(v >> 6) & 0x3f];
	}
	out[o] = '\0';
	return out;
}

/*
 * append_json_string
 *		s as a JSON string literal: quotes, backslashes and control
 *		characters escaped; other bytes (UTF-8 included) as they are.
 */
static void
append_json_string(StrBuf *sb, const char *s)
{
	static const char digits[] = "0123456789abcdef";

	strbuf_putc(sb, '"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
		{
			strbuf_putc(sb, '\\');
			strbuf_putc(sb, (char) c);
		}
		else if (c == '\b')
			strbuf_append(sb, "\\b");
		else if (c == '\f')
			strbuf_append(sb, "\\f");
		else if (c == '\n')
			strbuf_append(sb, "\\n");
		else if (c == '\r')
			strbuf_append(sb, "\\r");
		else if (c == '\t')
			strbuf_append(sb, "\\t");
		else if (c < 0x20)
		{
			char		esc[6] = {'\\', 'u', '0', '0', digits[c >> 4],
			digits[c & 0x0f]};

			strbuf_append_n(sb, esc, sizeof(esc));
		}
		else
			strbuf_putc(sb, (char) c);
	}
	strbuf_putc(sb, '"');
}

/* Append "name":"value" (name is a plain literal), after a comma if not first. */
static void
append_json_member(StrBuf *sb, const char *name, const char *value)
{
	if (sb->len > 1)
		strbuf_putc(sb, ',');
	append_json_string(sb, name);
	strbuf_putc(sb, ':');
	append_json_string(sb, value);
}

/* Append "name":number, after a comma if not first. */
static void
append_json_number(StrBuf *sb, const char *name, long long value)
{
	char		num[32];

	snprintf(num, sizeof(num), "%lld", value);
	if (sb->len > 1)
		strbuf_putc(sb, ',');
	append_json_string(sb, name);
	strbuf_putc(sb, ':');
	strbuf_append(sb, num);
}

/*
 * header_json
 *		malloc'd {"alg":"RS256","typ":"JWT"[,"kid":key_id]}.
 */
static char *
header_json(const char *key_id)
{
	StrBuf		sb = {0};

	strbuf_putc(&sb, '{');
	append_json_member(&sb, "alg", "RS256");
	append_json_member(&sb, "typ", "JWT");
	if (key_id != NULL && key_id[0] != '\0')
		append_json_member(&sb, "kid", key_id);
	strbuf_putc(&sb, '}');
	return strbuf_finish(&sb);
}

/*
 * claims_json
 *		malloc'd {"iss":..,"scope":..,"aud":..,"iat":iat,"exp":exp}.
 */
static char *
claims_json(const char *client_email, const char *scope,
			const char *audience, long long iat, long long exp)
{
	StrBuf		sb = {0};

	strbuf_putc(&sb, '{');
	append_json_member(&sb, "iss", client_email);
	append_json_member(&sb, "scope", scope);
	append_json_member(&sb, "aud", audience);
	append_json_number(&sb, "iat", iat);
	append_json_number(&sb, "exp", exp);
	strbuf_putc(&sb, '}');
	return strbuf_finish(&sb);
}

/* Append base64url(text); marks sb failed if that cannot be computed. */
static void
append_base64url(StrBuf *sb, const char *text)
{
	char	   *enc = text ? jwt_base64url((const unsigned char *) text,
										   strlen(text)) : NULL;

	if (enc == NULL)
		sb->failed = 1;
	else
		strbuf_append(sb, enc);
	free(enc);
}

/*
 * signing_input
 *		malloc'd base64url(header) "." base64url(claims), or NULL on OOM.
 */
static char *
signing_input(const char *client_email, const char *key_id,
			  const char *scope, const char *audience, long long iat,
			  long long exp)
{
	char	   *header = header_json(key_id);
	char	   *claims = claims_json(client_email, scope, audience, iat, exp);
	StrBuf		sb = {0};

	append_base64url(&sb, header);
	strbuf_putc(&sb, '.');
	append_base64url(&sb, claims);
	free(header);
	free(claims);
	return strbuf_finish(&sb);
}

/*
 * refuse_passphrase
 *		PEM passphrase callback: no passphrase, so an encrypted key fails
 *		rather than prompting on the terminal.
 */
static int
refuse_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void) buf;
	(void) size;
	(void) rwflag;
	(void) arg;
	return -1;
}

/*
 * pem_problem
 *		A message for the two common ways a key text is not PEM at all (no
 *		BEGIN line; JSON "\n" escapes left undecoded), else NULL: OpenSSL
 *		only says "unsupported" then.
 */
static const char *
pem_problem(const char *pem)
{
	if (strstr(pem, "-----BEGIN ") == NULL)
		return "the service account's private key is not in PEM format";
	if (strstr(pem, "\\n") != NULL)
		return "the service account's private key contains \"\\n\" "
			"escapes instead of line breaks";
	return NULL;
}

/*
 * load_rsa_key
 *		The RSA private key of a PEM text (PKCS#8 or PKCS#1), or NULL with
 *		errbuf set.
 */
static EVP_PKEY *
load_rsa_key(const char *pem, char *errbuf, size_t errlen)
{
	BIO		   *bio;
	EVP_PKEY   *pkey = NULL;
	const char *problem = pem_problem(pem);

	if (problem != NULL)
	{
		auth_set_error(errbuf, errlen, "%s", problem);
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, -1);
	if (bio != NULL)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, refuse_passphrase, NULL);
	BIO_free(bio);
	if (pkey == NULL)
	{
		set_openssl_error(errbuf, errlen,
						  "could not read the service account's private key");
		return NULL;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
	{
		EVP_PKEY_free(pkey);
		auth_set_error(errbuf, errlen,
				  "the service account's private key is not an RSA key");
		return NULL;
	}
	return pkey;
}

/*
 * rs256_signature
 *		malloc'd base64url of RSASSA-PKCS1-v1_5 SHA-256 over input, or NULL
 *		with errbuf set.
 */
static char *
rs256_signature(EVP_PKEY *pkey, const char *input, char *errbuf,
				size_t errlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int			size = EVP_PKEY_get_size(pkey);
	size_t		siglen = size > 0 ? (size_t) size : 0;
	unsigned char *sig = siglen > 0 ? malloc(siglen) : NULL;
	char	   *out = NULL;

	if (ctx != NULL && sig != NULL &&
		EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
		EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *) input,
					   strlen(input)) == 1)
	{
		out = jwt_base64url(sig, siglen);
		if (out == NULL)
			auth_set_error(errbuf, errlen, "out of memory");
	}
	else
		set_openssl_error(errbuf, errlen, "RS256 signing failed");
	EVP_MD_CTX_free(ctx);
	free(sig);
	return out;
}

/*
 * check_arguments
 *		The text arguments are present and exp does not overflow; -1 with
 *		errbuf set otherwise.
 */
static int
check_arguments(const char *client_email, const char *private_key_pem,
				const char *scope, const char *audience, long long iat,
				long lifetime_s, char *errbuf, size_t errlen)
{
	const char *msg = NULL;

	if (client_email == NULL || client_email[0] == '\0')
		msg = "the service account has no client_email";
	else if (private_key_pem == NULL || private_key_pem[0] == '\0')
		msg = "the service account has no private_key";
	else if (scope == NULL || scope[0] == '\0')
		msg = "no OAuth2 scope given";
	else if (audience == NULL || audience[0] == '\0')
		msg = "no token audience given";
	else if (lifetime_s <= 0 || iat < 0 || iat > LLONG_MAX - lifetime_s)
		msg = "invalid token issue time or lifetime";
	if (msg == NULL)
		return 0;
	auth_set_error(errbuf, errlen, "%s", msg);
	return -1;
}

/*
 * join_assertion
 *		malloc'd input "." sig, or NULL with errbuf set.
 */
static char *
join_assertion(const char *input, const char *sig, char *errbuf,
			   size_t errlen)
{
	StrBuf		sb = {0};
	char	   *out;

	strbuf_append(&sb, input);
	strbuf_putc(&sb, '.');
	strbuf_append(&sb, sig);
	out = strbuf_finish(&sb);
	if (out == NULL)
		auth_set_error(errbuf, errlen, "out of memory");
	return out;
}

/*
 * jwt_rs256_assertion
 *		The signed assertion "header.claims.signature" (see jwt.h).
 */
char *
jwt_rs256_assertion(const char *client_email, const char *private_key_pem,
					const char *key_id, const char *scope,
					const char *audience, long long iat, long lifetime_s,
					char *errbuf, size_t errlen)
{
	char	   *input;
	char	   *sig = NULL;
	char	   *out = NULL;
	EVP_PKEY   *pkey;

	if (check_arguments(client_email, private_key_pem, scope, audience, iat,
						lifetime_s, errbuf, errlen) < 0)
		return NULL;
	pkey = load_rsa_key(private_key_pem, errbuf, errlen);
	if (pkey == NULL)
		return NULL;
	input = signing_input(client_email, key_id, scope, audience, iat,
						  iat + lifetime_s);
	if (input == NULL)
		auth_set_error(errbuf, errlen, "out of memory");
	else
		sig = rs256_signature(pkey, input, errbuf, errlen);
	EVP_PKEY_free(pkey);
	if (sig != NULL)
		out = join_assertion(input, sig, errbuf, errlen);
	free(input);
	free(sig);
	return out;
}

/* Whether c needs no escaping in a form value (the unreserved set). */
static int
is_form_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		c == '~';
}

/*
 * jwt_token_request_body
 *		malloc'd grant_type=...jwt-bearer&assertion=<jwt>, the assertion
 *		form-encoded (a JWT needs no escaping, but nothing is assumed).
 */
char *
jwt_token_request_body(const char *assertion)
{
	static const char digits[] = "0123456789ABCDEF";
	StrBuf		sb = {0};

	if (assertion == NULL)
		return NULL;
	strbuf_append(&sb, GRANT_TYPE_JWT_BEARER "&assertion=");
	for (; *assertion; assertion++)
	{
		unsigned char c = (unsigned char) *assertion;
		char		esc[3] = {'%', digits[c >> 4], digits[c & 0x0f]};

		if (is_form_safe(c))
			strbuf_putc(&sb, (char) c);
		else
			strbuf_append_n(&sb, esc, 3);
	}
	return strbuf_finish(&sb);
}
