/*-------------------------------------------------------------------------
 *
 * test_secret_box.c
 *	  Unit tests of src/secret/secret_box.c: a plain C11 program, no server
 *	  and no framework.  Built and run by "make unit".
 *
 * Seals and opens under fixed keys: the round trip (also of an empty
 * string), the blob layout, fresh nonces, and every way opening must fail:
 * another AAD, one flipped bit in each part of the blob (version, key id,
 * nonce, ciphertext, tag), another key (reported as such, not as
 * tampering), truncated and extended blobs.  A failed open leaves the
 * output buffer wiped.
 *
 * Prints one line per failed check and ends with "N passed, M failed";
 * exits non-zero when a check failed.
 *
 * IDENTIFICATION
 *	  test/unit/test_secret_box.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "secret/secret_box.h"

#include "unit_check.h"

#define CHECK(cond) check((cond), __LINE__, #cond)

static const char plain_text[] = "{\"api-key\": \"sk-unit-test-secret-value\"}";
static const char aad_text[] = "mlpredict connection secret\0conn-a\0openai\0https://x.example/v1";
static const char other_aad_text[] = "mlpredict connection secret\0conn-b\0openai\0https://x.example/v1";

static unsigned char key_a[SECRET_BOX_KEY_LEN];
static unsigned char key_b[SECRET_BOX_KEY_LEN];

/* Seal plain_text under key_a with aad_text into a fresh buffer. */
static unsigned char *
seal_sample(size_t *blob_len)
{
	size_t		len = secret_box_sealed_len(strlen(plain_text));
	unsigned char *blob = malloc(len);

	if (secret_box_seal(key_a, (const unsigned char *) aad_text, sizeof(aad_text) - 1,
						(const unsigned char *) plain_text, strlen(plain_text),
						blob) != SECRET_BOX_OK)
	{
		printf("FAIL: sealing the sample failed\n");
		exit(1);
	}
	*blob_len = len;
	return blob;
}

/* Open a blob under key with aad_text; the status, output in out. */
static SecretBoxStatus
open_with(const unsigned char *key, const unsigned char *blob, size_t blob_len,
		  unsigned char *out, size_t *out_len)
{
	return secret_box_open(key, (const unsigned char *) aad_text, sizeof(aad_text) - 1,
						   blob, blob_len, out, out_len);
}

/* Whether the n bytes at p are all zero. */
static int
all_zero(const unsigned char *p, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Whether the n bytes at p contain the text needle. */
static int
contains(const unsigned char *p, size_t n, const char *needle)
{
	size_t		len = strlen(needle);
	size_t		i;

	for (i = 0; i + len <= n; i++)
		if (memcmp(p + i, needle, len) == 0)
			return 1;
	return 0;
}

static void
test_round_trip(void)
{
	size_t		blob_len;
	unsigned char *blob = seal_sample(&blob_len);
	unsigned char out[256];
	size_t		out_len = 0;
	unsigned char id[SECRET_BOX_KEY_ID_LEN];
	unsigned char blob_id[SECRET_BOX_KEY_ID_LEN];
	char		hex[SECRET_BOX_KEY_ID_HEX_LEN];

	CHECK(blob_len == strlen(plain_text) + 1 + 8 + 12 + 16);
	CHECK(blob[0] == SECRET_BOX_VERSION);
	secret_box_key_id(key_a, id);
	CHECK(secret_box_blob_key_id(blob, blob_len, blob_id));
	CHECK(memcmp(id, blob_id, sizeof(id)) == 0);
	CHECK(memcmp(id, blob + 1, sizeof(id)) == 0);
	secret_box_key_id_hex(id, hex);
	CHECK(strlen(hex) == 16 && strspn(hex, "0123456789abcdef") == 16);
	/* the plaintext does not show in the blob */
	CHECK(!contains(blob, blob_len, "sk-unit-test"));

	CHECK(open_with(key_a, blob, blob_len, out, &out_len) == SECRET_BOX_OK);
	CHECK(out_len == strlen(plain_text));
	CHECK(memcmp(out, plain_text, out_len) == 0);
	CHECK(ERR_peek_error() == 0);
	free(blob);
}

static void
test_empty_plaintext(void)
{
	unsigned char blob[SECRET_BOX_OVERHEAD];
	unsigned char out[SECRET_BOX_OVERHEAD];
	size_t		out_len = 99;

	CHECK(secret_box_seal(key_a, NULL, 0, (const unsigned char *) "", 0, blob) == SECRET_BOX_OK);
	CHECK(secret_box_open(key_a, NULL, 0, blob, sizeof(blob), out, &out_len) == SECRET_BOX_OK);
	CHECK(out_len == 0);
	/* no AAD is not the same as some AAD */
	CHECK(open_with(key_a, blob, sizeof(blob), out, &out_len) == SECRET_BOX_TAMPERED);
}

static void
test_fresh_nonce(void)
{
	size_t		len1,
				len2;
	unsigned char *b1 = seal_sample(&len1);
	unsigned char *b2 = seal_sample(&len2);

	CHECK(len1 == len2);
	CHECK(memcmp(b1 + 9, b2 + 9, SECRET_BOX_NONCE_LEN) != 0);
	CHECK(memcmp(b1 + SECRET_BOX_HEADER_LEN, b2 + SECRET_BOX_HEADER_LEN,
				 len1 - SECRET_BOX_HEADER_LEN) != 0);
	free(b1);
	free(b2);
}

static void
test_wrong_aad(void)
{
	size_t		blob_len;
	unsigned char *blob = seal_sample(&blob_len);
	unsigned char out[256];
	size_t		out_len = 0;

	CHECK(secret_box_open(key_a, (const unsigned char *) other_aad_text, sizeof(other_aad_text) - 1,
						  blob, blob_len, out, &out_len) == SECRET_BOX_TAMPERED);
	CHECK(out_len == 0);
	CHECK(all_zero(out, blob_len - SECRET_BOX_OVERHEAD));
	/* a prefix of the AAD does not do either */
	CHECK(secret_box_open(key_a, (const unsigned char *) aad_text, sizeof(aad_text) - 2,
						  blob, blob_len, out, &out_len) == SECRET_BOX_TAMPERED);
	CHECK(ERR_peek_error() == 0);
	free(blob);
}

/* Flip one bit at offset; opening must give expect. */
static void
flip_and_open(size_t offset, SecretBoxStatus expect, int line)
{
	size_t		blob_len;
	unsigned char *blob = seal_sample(&blob_len);
	unsigned char out[256];
	size_t		out_len = 0;
	SecretBoxStatus status;
	char		what[96];

	blob[offset] ^= 0x10;
	status = open_with(key_a, blob, blob_len, out, &out_len);
	snprintf(what, sizeof(what), "bit flipped at offset %zu gives \"%s\", not \"%s\"",
			 offset, secret_box_status_text(status), secret_box_status_text(expect));
	check(status == expect && out_len == 0, line, what);
	free(blob);
}

static void
test_flipped_bits(void)
{
	size_t		data_len = strlen(plain_text);
	size_t		tag_at = SECRET_BOX_HEADER_LEN + data_len;

	flip_and_open(0, SECRET_BOX_MALFORMED, __LINE__);	/* version */
	flip_and_open(1, SECRET_BOX_OTHER_KEY, __LINE__);	/* key id */
	flip_and_open(8, SECRET_BOX_OTHER_KEY, __LINE__);
	flip_and_open(9, SECRET_BOX_TAMPERED, __LINE__);	/* nonce */
	flip_and_open(20, SECRET_BOX_TAMPERED, __LINE__);
	flip_and_open(21, SECRET_BOX_TAMPERED, __LINE__);	/* ciphertext */
	flip_and_open(21 + data_len / 2, SECRET_BOX_TAMPERED, __LINE__);
	flip_and_open(tag_at - 1, SECRET_BOX_TAMPERED, __LINE__);
	flip_and_open(tag_at, SECRET_BOX_TAMPERED, __LINE__);	/* tag */
	flip_and_open(tag_at + SECRET_BOX_TAG_LEN - 1, SECRET_BOX_TAMPERED, __LINE__);
}

static void
test_wrong_key(void)
{
	size_t		blob_len;
	unsigned char *blob = seal_sample(&blob_len);
	unsigned char out[256];
	size_t		out_len = 0;
	unsigned char id_a[SECRET_BOX_KEY_ID_LEN];
	unsigned char id_b[SECRET_BOX_KEY_ID_LEN];

	secret_box_key_id(key_a, id_a);
	secret_box_key_id(key_b, id_b);
	CHECK(memcmp(id_a, id_b, sizeof(id_a)) != 0);
	CHECK(open_with(key_b, blob, blob_len, out, &out_len) == SECRET_BOX_OTHER_KEY);
	CHECK(out_len == 0);

	/*
	 * A blob that claims key_b's id but was sealed under key_a: the id
	 * matches, so this is tampering, not "another key".
	 */
	memcpy(blob + 1, id_b, sizeof(id_b));
	CHECK(open_with(key_b, blob, blob_len, out, &out_len) == SECRET_BOX_TAMPERED);
	CHECK(ERR_peek_error() == 0);
	free(blob);
}

static void
test_truncated(void)
{
	size_t		blob_len;
	unsigned char *blob = seal_sample(&blob_len);
	unsigned char *longer = malloc(blob_len + 1);
	unsigned char out[256];
	size_t		out_len = 0;
	unsigned char id[SECRET_BOX_KEY_ID_LEN];

	CHECK(open_with(key_a, blob, 0, out, &out_len) == SECRET_BOX_MALFORMED);
	CHECK(open_with(key_a, blob, 5, out, &out_len) == SECRET_BOX_MALFORMED);
	CHECK(!secret_box_blob_key_id(blob, 5, id));
	CHECK(open_with(key_a, blob, SECRET_BOX_HEADER_LEN, out, &out_len) == SECRET_BOX_MALFORMED);
	CHECK(open_with(key_a, blob, SECRET_BOX_OVERHEAD - 1, out, &out_len) == SECRET_BOX_MALFORMED);
	CHECK(open_with(key_a, blob, blob_len - 1, out, &out_len) == SECRET_BOX_TAMPERED);
	CHECK(open_with(key_a, blob, SECRET_BOX_OVERHEAD, out, &out_len) == SECRET_BOX_TAMPERED);
	memcpy(longer, blob, blob_len);
	longer[blob_len] = 0;
	CHECK(open_with(key_a, longer, blob_len + 1, out, &out_len) == SECRET_BOX_TAMPERED);
	CHECK(out_len == 0);
	CHECK(ERR_peek_error() == 0);
	free(longer);
	free(blob);
}

int
main(void)
{
	int			i;

	for (i = 0; i < SECRET_BOX_KEY_LEN; i++)
	{
		key_a[i] = (unsigned char) (i * 7 + 1);
		key_b[i] = (unsigned char) (i * 7 + 2);
	}
	test_round_trip();
	test_empty_plaintext();
	test_fresh_nonce();
	test_wrong_aad();
	test_flipped_bits();
	test_wrong_key();
	test_truncated();
	return unit_report();
}
