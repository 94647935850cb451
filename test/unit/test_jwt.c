/*-------------------------------------------------------------------------
 *
 * test_jwt.c
 *	  Unit tests of src/auth/jwt.c: a plain C11 program, no server and no
 *	  framework.  Built and run by "make unit".
 *
 * A 2048-bit RSA key is generated with OpenSSL and written as PEM (PKCS#8,
 * and PKCS#1 for the second format); assertions built from it are split,
 * base64url-decoded, compared with the exact header and claims JSON, and
 * their signatures verified with the public key.  Tampered parts must fail
 * verification; bad keys and arguments must give NULL, a message without
 * key material, and an empty OpenSSL error queue.
 *
 * Prints one line per failed check and ends with "N passed, M failed";
 * exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_jwt.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/jwt.h"

#include "unit_check.h"

#define EMAIL		"svc-123@my-project.iam.gserviceaccount.com"
#define KEY_ID		"0123456789abcdef0123456789abcdef01234567"
#define SCOPE		"https://www.googleapis.com/auth/cloud-platform"
#define AUDIENCE	"https://oauth2.googleapis.com/token"
#define IAT			1700000000LL
#define LIFETIME	3600L
#define GRANT		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
#define HEADER_KID	"{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" KEY_ID "\"}"
#define HEADER_NOKID "{\"alg\":\"RS256\",\"typ\":\"JWT\"}"
#define CLAIMS \
	"{\"iss\":\"" EMAIL "\",\"scope\":\"" SCOPE "\",\"aud\":\"" AUDIENCE \
	"\",\"iat\":1700000000,\"exp\":1700003600}"


/* A JWT split into its three parts, the first two decoded. */
typedef struct JwtParts
{
	char	   *header_b64;
	char	   *claims_b64;
	char	   *sig_b64;
	char	   *header;			/* decoded, NUL-terminated */
	char	   *claims;
	unsigned char *sig;
	size_t		sig_len;
} JwtParts;

/* Record a check of a string against the expected one (NULL never matches). */
static void
check_str(const char *got, const char *want, int line, const char *what)
{
	int			ok = got != NULL && want != NULL && strcmp(got, want) == 0;

	check(ok, line, what);
	if (!ok)
		printf("  got:  %s\n  want: %s\n", got ? got : "(null)",
			   want ? want : "(null)");
}

/* Value of a base64url character, or -1 (padding and '+' '/' included). */
static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * b64url_decode
 *		malloc'd decoding of unpadded base64url s (NUL appended), its length
 *		in *len; NULL if s is not strict unpadded base64url.
 */
static unsigned char *
b64url_decode(const char *s, size_t *len)
{
	size_t		n = strlen(s);
	unsigned char *out = malloc(n / 4 * 3 + 3);
	unsigned long acc = 0;
	size_t		bits = 0;
	size_t		o = 0;
	size_t		i;

	if (out == NULL || n % 4 == 1)
	{
		free(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
	{
		int			v = b64url_value(s[i]);

		if (v < 0)
		{
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned long) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[o++] = (unsigned char) (acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* Free the parts of a split JWT. */
static void
free_parts(JwtParts *p)
{
	free(p->header_b64);
	free(p->claims_b64);
	free(p->sig_b64);
	free(p->header);
	free(p->claims);
	free(p->sig);
	memset(p, 0, sizeof(*p));
}

/* malloc'd copy of s[0..n). */
static char *
copy_n(const char *s, size_t n)
{
	char	   *out = malloc(n + 1);

	if (out != NULL)
	{
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

/*
 * split_jwt
 *		Cut jwt at its two dots and decode each part; 0 if it is not three
 *		base64url parts.
 */
static int
split_jwt(const char *jwt, JwtParts *p)
{
	const char *d1 = jwt ? strchr(jwt, '.') : NULL;
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	size_t		len;

	memset(p, 0, sizeof(*p));
	if (d2 == NULL || strchr(d2 + 1, '.') != NULL)
		return 0;
	p->header_b64 = copy_n(jwt, (size_t) (d1 - jwt));
	p->claims_b64 = copy_n(d1 + 1, (size_t) (d2 - d1 - 1));
	p->sig_b64 = copy_n(d2 + 1, strlen(d2 + 1));
	if (!p->header_b64 || !p->claims_b64 || !p->sig_b64)
		return 0;
	p->header = (char *) b64url_decode(p->header_b64, &len);
	p->claims = (char *) b64url_decode(p->claims_b64, &len);
	p->sig = b64url_decode(p->sig_b64, &p->sig_len);
	return p->header != NULL && p->claims != NULL && p->sig != NULL;
}

/*
 * verify_rs256
 *		Whether sig is a valid RS256 signature of header_b64 "." claims_b64
 *		under pkey's public half.
 */
static int
verify_rs256(EVP_PKEY *pkey, const char *header_b64, const char *claims_b64,
			 const unsigned char *sig, size_t sig_len)
{
	size_t		n = strlen(header_b64) + strlen(claims_b64) + 2;
	char	   *input = malloc(n);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int			ok = 0;

	if (input != NULL && ctx != NULL)
	{
		snprintf(input, n, "%s.%s", header_b64, claims_b64);
		ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
			EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *) input,
							 strlen(input)) == 1;
	}
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(input);
	return ok;
}

/* malloc'd text of a memory BIO; the BIO is freed. */
static char *
bio_text(BIO *bio)
{
	char	   *data = NULL;
	long		n = bio ? BIO_get_mem_data(bio, &data) : 0;
	char	   *out = n > 0 ? copy_n(data, (size_t) n) : NULL;

	BIO_free(bio);
	return out;
}

/* PEM PKCS#8 ("BEGIN PRIVATE KEY") of pkey, malloc'd. */
static char *
pem_pkcs8(EVP_PKEY *pkey)
{
	BIO		   *bio = BIO_new(BIO_s_mem());

	if (bio != NULL &&
		PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
	{
		BIO_free(bio);
		return NULL;
	}
	return bio_text(bio);
}

/* PEM PKCS#1 ("BEGIN RSA PRIVATE KEY") of pkey, malloc'd. */
static char *
pem_pkcs1(EVP_PKEY *pkey)
{
	BIO		   *bio = BIO_new(BIO_s_mem());

	if (bio != NULL &&
		PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL, NULL, 0, NULL,
											 NULL) != 1)
	{
		BIO_free(bio);
		return NULL;
	}
	return bio_text(bio);
}

/* PEM of pkey as encrypted PKCS#8 (passphrase "secret"), malloc'd. */
static char *
pem_encrypted(EVP_PKEY *pkey)
{
	BIO		   *bio = BIO_new(BIO_s_mem());
	char		pass[] = "secret";

	if (bio != NULL &&
		PEM_write_bio_PKCS8PrivateKey(bio, pkey, EVP_aes_256_cbc(), NULL, 0,
									  NULL, pass) != 1)
	{
		BIO_free(bio);
		return NULL;
	}
	return bio_text(bio);
}

/* One base64url check. */
static void
check_b64(const char *data, size_t len, const char *want, int line)
{
	char	   *got = jwt_base64url((const unsigned char *) data, len);

	check_str(got, want, line, "base64url");
	free(got);
}

/*
 * test_base64url
 *		RFC 4648 section 10 vectors (no padding), the url alphabet's '-' and
 *		'_', and a round trip of every byte value.
 */
static void
test_base64url(void)
{
	unsigned char all[256];
	char	   *enc;
	unsigned char *dec;
	size_t		len = 0;
	int			i;

	check_b64("", 0, "", __LINE__);
	check_b64(NULL, 0, "", __LINE__);
	check_b64("f", 1, "Zg", __LINE__);
	check_b64("fo", 2, "Zm8", __LINE__);
	check_b64("foo", 3, "Zm9v", __LINE__);
	check_b64("foob", 4, "Zm9vYg", __LINE__);
	check_b64("fooba", 5, "Zm9vYmE", __LINE__);
	check_b64("foobar", 6, "Zm9vYmFy", __LINE__);
	check_b64("\xfb\xef\xbe", 3, "----", __LINE__);	/* standard "++++" */
	check_b64("\xff\xff\xff", 3, "____", __LINE__);	/* standard "////" */
	check_b64("\xfb\xff", 2, "-_8", __LINE__);	/* standard "+/8=" */
	check_b64("\0", 1, "AA", __LINE__);
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char) (255 - i);
	enc = jwt_base64url(all, sizeof(all));
	dec = enc ? b64url_decode(enc, &len) : NULL;
	check(dec != NULL && len == sizeof(all) && memcmp(dec, all, len) == 0,
		  __LINE__, "round trip of all byte values");
	free(enc);
	free(dec);
	check(jwt_base64url(NULL, 1) == NULL, __LINE__, "NULL data with a length");
}

/*
 * check_assertion
 *		jwt has the wanted header and claims and verifies under pkey.
 */
static void
check_assertion(const char *jwt, EVP_PKEY *pkey, const char *want_header,
				const char *want_claims, int line)
{
	JwtParts	p;

	check(jwt != NULL, line, "assertion built");
	check(split_jwt(jwt, &p), line, "three base64url parts");
	check_str(p.header, want_header, line, "header JSON");
	check_str(p.claims, want_claims, line, "claims JSON");
	check(p.sig_len == 256, line, "2048-bit signature");
	check(p.sig != NULL &&
		  verify_rs256(pkey, p.header_b64, p.claims_b64, p.sig, p.sig_len),
		  line, "signature verifies");
	free_parts(&p);
}

/*
 * check_tampering
 *		Changed claims (a later exp) or a flipped signature bit must not
 *		verify.
 */
static void
check_tampering(const char *jwt, EVP_PKEY *pkey)
{
	JwtParts	p;
	const char *forged = "{\"iss\":\"" EMAIL "\",\"scope\":\"" SCOPE
		"\",\"aud\":\"" AUDIENCE "\",\"iat\":1700000000,\"exp\":1900000000}";
	char	   *forged_b64 = jwt_base64url((const unsigned char *) forged,
										   strlen(forged));

	check(split_jwt(jwt, &p), __LINE__, "split");
	check(p.sig != NULL && forged_b64 != NULL &&
		  !verify_rs256(pkey, p.header_b64, forged_b64, p.sig, p.sig_len),
		  __LINE__, "tampered claims fail verification");
	if (p.sig != NULL && p.claims_b64 != NULL && p.claims_b64[0] != '\0')
	{
		p.claims_b64[0] = p.claims_b64[0] == 'e' ? 'f' : 'e';
		check(!verify_rs256(pkey, p.header_b64, p.claims_b64, p.sig,
							p.sig_len), __LINE__,
			  "one changed claims character fails verification");
		p.claims_b64[0] = p.claims_b64[0] == 'e' ? 'f' : 'e';
		p.sig[p.sig_len / 2] ^= 0x01;
		check(!verify_rs256(pkey, p.header_b64, p.claims_b64, p.sig,
							p.sig_len), __LINE__,
			  "flipped signature bit fails verification");
	}
	free(forged_b64);
	free_parts(&p);
}

/* The assertion of the standard claims with a given PEM and key id. */
static char *
standard_assertion(const char *pem, const char *kid)
{
	char		err[256] = "";
	char	   *jwt = jwt_rs256_assertion(EMAIL, pem, kid, SCOPE, AUDIENCE, IAT,
										  LIFETIME, err, sizeof(err));

	if (jwt == NULL)
		printf("  error: %s\n", err);
	return jwt;
}

/*
 * test_assertions
 *		Header with and without kid, exact claims, verification, PKCS#1,
 *		determinism, JSON escaping, tampering, the token request body.
 */
static void
test_assertions(EVP_PKEY *pkey, const char *pkcs8, const char *pkcs1)
{
	char	   *jwt = standard_assertion(pkcs8, KEY_ID);
	char	   *again = standard_assertion(pkcs8, KEY_ID);
	char	   *other;
	char	   *body;
	char		want_body[4096];

	check_assertion(jwt, pkey, HEADER_KID, CLAIMS, __LINE__);
	check_str(again, jwt, __LINE__, "RS256 (PKCS#1 v1.5) is deterministic");
	check_tampering(jwt, pkey);

	body = jwt_token_request_body(jwt);
	snprintf(want_body, sizeof(want_body), "%s&assertion=%s", GRANT,
			 jwt ? jwt : "");
	check_str(body, want_body, __LINE__, "token request body");
	free(body);

	other = standard_assertion(pkcs8, NULL);
	check_assertion(other, pkey, HEADER_NOKID, CLAIMS, __LINE__);
	free(other);
	other = standard_assertion(pkcs8, "");
	check_assertion(other, pkey, HEADER_NOKID, CLAIMS, __LINE__);
	free(other);
	other = standard_assertion(pkcs1, KEY_ID);
	check_assertion(other, pkey, HEADER_KID, CLAIMS, __LINE__);
	check_str(other, jwt, __LINE__, "PKCS#1 and PKCS#8 sign alike");
	free(other);
	free(jwt);
	free(again);
}

/* Quotes, backslashes, control characters and UTF-8 in every string. */
static void
test_escaping(EVP_PKEY *pkey, const char *pem)
{
	char		err[256] = "";
	char	   *jwt = jwt_rs256_assertion("a\"b\\c\n\t\x01\x1f\xc3\xa9@x", pem,
										  "k\"/\b\f\r", "s\\", "</aud>",
										  0, 1, err, sizeof(err));

	check_assertion(jwt, pkey,
					"{\"alg\":\"RS256\",\"typ\":\"JWT\","
					"\"kid\":\"k\\\"/\\b\\f\\r\"}",
					"{\"iss\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\xc3\xa9@x\","
					"\"scope\":\"s\\\\\",\"aud\":\"</aud>\","
					"\"iat\":0,\"exp\":1}", __LINE__);
	free(jwt);
}

/*
 * check_refused
 *		The assertion is refused with a message that shows no key material
 *		(leak, if not NULL, must not appear), and OpenSSL's queue is empty.
 */
static void
check_refused(const char *email, const char *pem, long long iat,
			  long lifetime, const char *leak, int line)
{
	char		err[512] = "";
	char	   *jwt = jwt_rs256_assertion(email, pem, KEY_ID, SCOPE, AUDIENCE,
										  iat, lifetime, err, sizeof(err));

	check(jwt == NULL, line, "refused");
	check(err[0] != '\0', line, "has a message");
	check(leak == NULL || strstr(err, leak) == NULL, line,
		  "message shows no key material");
	check(strstr(err, "MII") == NULL, line, "message shows no base64 key");
	check(ERR_peek_error() == 0, line, "OpenSSL error queue is empty");
	check(jwt_rs256_assertion(email, pem, NULL, SCOPE, AUDIENCE, iat,
							  lifetime, NULL, 0) == NULL, line,
		  "refused, no errbuf");
	ERR_clear_error();
	free(jwt);
}

/* A copy of the PEM's first base64 line, to look for in messages. */
static void
first_key_line(const char *pem, char *buf, size_t size)
{
	const char *nl = strchr(pem, '\n');
	size_t		n = nl ? strcspn(nl + 1, "\n") : 0;

	if (n >= size)
		n = size - 1;
	memcpy(buf, nl ? nl + 1 : "", n);
	buf[n] = '\0';
}

/*
 * json_escaped
 *		malloc'd copy of pem with each line break written as the two
 *		characters '\\' 'n', as in a key file's JSON when nobody decoded it.
 */
static char *
json_escaped(const char *pem)
{
	char	   *out = malloc(2 * strlen(pem) + 1);
	char	   *o = out;

	if (out == NULL)
		return NULL;
	for (; *pem; pem++)
	{
		if (*pem == '\n')
		{
			*o++ = '\\';
			*o++ = 'n';
		}
		else
			*o++ = *pem;
	}
	*o = '\0';
	return out;
}

/* Whether refusing pem gives the message about "\n" escapes. */
static int
escaped_message(const char *pem)
{
	char		err[256] = "";

	free(jwt_rs256_assertion(EMAIL, pem, KEY_ID, SCOPE, AUDIENCE, IAT,
							 LIFETIME, err, sizeof(err)));
	return strstr(err, "escapes") != NULL;
}

/*
 * test_refusals
 *		Garbage, truncated, encrypted and non-RSA keys; missing arguments;
 *		overflowing or empty lifetimes.
 */
static void
test_refusals(const char *pkcs8, const char *encrypted, const char *ec_pem)
{
	static const char garbage[] =
		"-----BEGIN PRIVATE KEY-----\nTOPSECRETNOTAKEYATALL\n"
		"-----END PRIVATE KEY-----\n";
	char		key_line[80];
	char	   *truncated = copy_n(pkcs8, strlen(pkcs8) / 2);
	char	   *escaped = json_escaped(pkcs8);

	first_key_line(pkcs8, key_line, sizeof(key_line));
	check_refused(EMAIL, garbage, IAT, LIFETIME, "TOPSECRET", __LINE__);
	check_refused(EMAIL, "XYZZY no PEM here", IAT, LIFETIME, "XYZZY", __LINE__);
	check_refused(EMAIL, truncated, IAT, LIFETIME, key_line, __LINE__);
	check_refused(EMAIL, escaped, IAT, LIFETIME, key_line, __LINE__);
	check(escaped != NULL && escaped_message(escaped), __LINE__,
		  "undecoded \\n escapes are named in the message");
	check_refused(EMAIL, encrypted, IAT, LIFETIME, key_line, __LINE__);
	check_refused(EMAIL, ec_pem, IAT, LIFETIME, NULL, __LINE__);
	check_refused(NULL, pkcs8, IAT, LIFETIME, key_line, __LINE__);
	check_refused("", pkcs8, IAT, LIFETIME, key_line, __LINE__);
	check_refused(EMAIL, NULL, IAT, LIFETIME, NULL, __LINE__);
	check_refused(EMAIL, pkcs8, IAT, 0, key_line, __LINE__);
	check_refused(EMAIL, pkcs8, LLONG_MAX - 10, LIFETIME, key_line, __LINE__);
	check(jwt_rs256_assertion(EMAIL, pkcs8, KEY_ID, NULL, AUDIENCE, IAT,
							  LIFETIME, NULL, 0) == NULL, __LINE__, "no scope");
	check(jwt_rs256_assertion(EMAIL, pkcs8, KEY_ID, SCOPE, "", IAT,
							  LIFETIME, NULL, 0) == NULL, __LINE__,
		  "no audience");
	free(truncated);
	free(escaped);
}

/* The form body's own encoding, and NULL. */
static void
test_request_body(void)
{
	char	   *body = jwt_token_request_body("aB0.-_~");

	check_str(body, GRANT "&assertion=aB0.-_~", __LINE__, "plain");
	free(body);
	body = jwt_token_request_body("a b+c/=");
	check_str(body, GRANT "&assertion=a%20b%2Bc%2F%3D", __LINE__, "escaped");
	free(body);
	check(jwt_token_request_body(NULL) == NULL, __LINE__, "NULL");
}

int
main(void)
{
	EVP_PKEY   *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
	EVP_PKEY   *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char	   *pkcs8 = pkey ? pem_pkcs8(pkey) : NULL;
	char	   *pkcs1 = pkey ? pem_pkcs1(pkey) : NULL;
	char	   *encrypted = pkey ? pem_encrypted(pkey) : NULL;
	char	   *ec_pem = ec ? pem_pkcs8(ec) : NULL;

	test_base64url();
	test_request_body();
	check(pkcs8 && pkcs1 && encrypted && ec_pem, __LINE__, "test keys made");
	if (pkcs8 && pkcs1 && encrypted && ec_pem)
	{
		check(strstr(pkcs8, "-----BEGIN PRIVATE KEY-----") == pkcs8 &&
			  strstr(pkcs1, "-----BEGIN RSA PRIVATE KEY-----") == pkcs1 &&
			  strstr(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ==
			  encrypted, __LINE__, "PEM formats as intended");
		test_assertions(pkey, pkcs8, pkcs1);
		test_escaping(pkey, pkcs8);
		test_refusals(pkcs8, encrypted, ec_pem);
	}
	free(pkcs8);
	free(pkcs1);
	free(encrypted);
	free(ec_pem);
	EVP_PKEY_free(pkey);
	EVP_PKEY_free(ec);
	return unit_report();
}
