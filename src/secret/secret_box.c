/*-------------------------------------------------------------------------
 *
 * secret_box.c
 *	  AES-256-GCM sealing of byte strings (layout in secret_box.h).
 *
 * Only OpenSSL's EVP interface is used, so that the unit test
 * (test/unit/test_secret_box.c) builds without a server.  Every nonce is
 * 12 random bytes from RAND_bytes; with one key per cluster and a handful
 * of seals per ALTER CONNECTION, random nonces stay far below the
 * collision bound of GCM.  The blob's version byte and key id are fed to
 * GCM as the first part of the additional data, ahead of the caller's AAD
 * (both have fixed positions, so the concatenation is unambiguous).
 *
 * Nothing here prints or logs; callers turn a status into an error.  The
 * OpenSSL error queue is left empty whatever happens.
 *
 * IDENTIFICATION
 *	  src/secret/secret_box.c
 *
 *-------------------------------------------------------------------------
 */
#include "secret/secret_box.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/strbuf.h"

/* Hashed ahead of the key to derive its id: ids of other uses differ. */
static const char key_id_label[] = "mlpredict secret box key id v1";

/* Offsets in a blob. */
#define OFF_KEY_ID	1
#define OFF_NONCE	(OFF_KEY_ID + SECRET_BOX_KEY_ID_LEN)
#define OFF_DATA	SECRET_BOX_HEADER_LEN

void
secret_box_wipe(void *p, size_t len)
{
	if (p && len > 0)
		OPENSSL_cleanse(p, len);
}

void
secret_box_key_id(const unsigned char *key, unsigned char id[SECRET_BOX_KEY_ID_LEN])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	memset(id, 0, SECRET_BOX_KEY_ID_LEN);
	if (md != NULL &&
		EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		EVP_DigestUpdate(md, key_id_label, sizeof(key_id_label) - 1) == 1 &&
		EVP_DigestUpdate(md, key, SECRET_BOX_KEY_LEN) == 1 &&
		EVP_DigestFinal_ex(md, digest, &digest_len) == 1 &&
		digest_len >= SECRET_BOX_KEY_ID_LEN)
		memcpy(id, digest, SECRET_BOX_KEY_ID_LEN);
	EVP_MD_CTX_free(md);
	secret_box_wipe(digest, sizeof(digest));
	ERR_clear_error();
}

bool
secret_box_blob_key_id(const unsigned char *blob, size_t blob_len,
					   unsigned char id[SECRET_BOX_KEY_ID_LEN])
{
	if (blob_len < OFF_KEY_ID + SECRET_BOX_KEY_ID_LEN)
		return false;
	memcpy(id, blob + OFF_KEY_ID, SECRET_BOX_KEY_ID_LEN);
	return true;
}

void
secret_box_key_id_hex(const unsigned char id[SECRET_BOX_KEY_ID_LEN],
					  char out[SECRET_BOX_KEY_ID_HEX_LEN])
{
	hex_encode_lower(id, SECRET_BOX_KEY_ID_LEN, out);
}

size_t
secret_box_sealed_len(size_t plain_len)
{
	return plain_len + SECRET_BOX_OVERHEAD;
}

/*
 * feed_aad
 *		Give GCM the blob header (version and key id) and the caller's AAD.
 */
static bool
feed_aad(EVP_CIPHER_CTX *ctx, bool encrypt, const unsigned char *header,
		 const unsigned char *aad, size_t aad_len)
{
	int			len;

	if ((encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate)
		(ctx, NULL, &len, header, OFF_NONCE) != 1)
		return false;
	if (aad_len > 0 &&
		(encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate)
		(ctx, NULL, &len, aad, (int) aad_len) != 1)
		return false;
	return true;
}

SecretBoxStatus
secret_box_seal(const unsigned char *key,
				const unsigned char *aad, size_t aad_len,
				const unsigned char *plain, size_t plain_len,
				unsigned char *out)
{
	EVP_CIPHER_CTX *ctx;
	int			len = 0;
	int			final_len = 0;
	bool		ok;

	if (plain_len > INT_MAX - SECRET_BOX_OVERHEAD || aad_len > INT_MAX)
		return SECRET_BOX_CRYPTO_ERROR;
	out[0] = SECRET_BOX_VERSION;
	secret_box_key_id(key, out + OFF_KEY_ID);
	if (RAND_bytes(out + OFF_NONCE, SECRET_BOX_NONCE_LEN) != 1)
	{
		ERR_clear_error();
		return SECRET_BOX_CRYPTO_ERROR;
	}

	ctx = EVP_CIPHER_CTX_new();
	ok = ctx != NULL &&
		EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SECRET_BOX_NONCE_LEN, NULL) == 1 &&
		EVP_EncryptInit_ex(ctx, NULL, NULL, key, out + OFF_NONCE) == 1 &&
		feed_aad(ctx, true, out, aad, aad_len) &&
		(plain_len == 0 ||
		 EVP_EncryptUpdate(ctx, out + OFF_DATA, &len, plain, (int) plain_len) == 1) &&
		EVP_EncryptFinal_ex(ctx, out + OFF_DATA + len, &final_len) == 1 &&
		(size_t) (len + final_len) == plain_len &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SECRET_BOX_TAG_LEN,
							out + OFF_DATA + plain_len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
	{
		secret_box_wipe(out, secret_box_sealed_len(plain_len));
		return SECRET_BOX_CRYPTO_ERROR;
	}
	return SECRET_BOX_OK;
}

SecretBoxStatus
secret_box_open(const unsigned char *key,
				const unsigned char *aad, size_t aad_len,
				const unsigned char *blob, size_t blob_len,
				unsigned char *out, size_t *out_len)
{
	unsigned char own_id[SECRET_BOX_KEY_ID_LEN];
	unsigned char tag[SECRET_BOX_TAG_LEN];
	EVP_CIPHER_CTX *ctx;
	size_t		data_len;
	int			len = 0;
	int			final_len = 0;
	int			verified = 0;
	bool		ok;

	*out_len = 0;
	if (blob_len < OFF_NONCE || blob[0] != SECRET_BOX_VERSION)
		return SECRET_BOX_MALFORMED;
	secret_box_key_id(key, own_id);
	if (memcmp(own_id, blob + OFF_KEY_ID, SECRET_BOX_KEY_ID_LEN) != 0)
		return SECRET_BOX_OTHER_KEY;
	if (blob_len < SECRET_BOX_OVERHEAD || blob_len > INT_MAX || aad_len > INT_MAX)
		return SECRET_BOX_MALFORMED;
	data_len = blob_len - SECRET_BOX_OVERHEAD;
	memcpy(tag, blob + OFF_DATA + data_len, SECRET_BOX_TAG_LEN);

	ctx = EVP_CIPHER_CTX_new();
	ok = ctx != NULL &&
		EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SECRET_BOX_NONCE_LEN, NULL) == 1 &&
		EVP_DecryptInit_ex(ctx, NULL, NULL, key, blob + OFF_NONCE) == 1 &&
		feed_aad(ctx, false, blob, aad, aad_len) &&
		(data_len == 0 ||
		 EVP_DecryptUpdate(ctx, out, &len, blob + OFF_DATA, (int) data_len) == 1) &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SECRET_BOX_TAG_LEN, tag) == 1;
	if (ok)
		verified = EVP_DecryptFinal_ex(ctx, out + len, &final_len);
	EVP_CIPHER_CTX_free(ctx);
	ERR_clear_error();
	if (!ok || verified != 1 || (size_t) (len + final_len) != data_len)
	{
		secret_box_wipe(out, data_len);
		return ok ? SECRET_BOX_TAMPERED : SECRET_BOX_CRYPTO_ERROR;
	}
	*out_len = data_len;
	return SECRET_BOX_OK;
}

const char *
secret_box_status_text(SecretBoxStatus status)
{
	switch (status)
	{
		case SECRET_BOX_OK:
			return "ok";
		case SECRET_BOX_MALFORMED:
			return "not a sealed value of a known version";
		case SECRET_BOX_OTHER_KEY:
			return "sealed under another key";
		case SECRET_BOX_TAMPERED:
			return "failed authentication";
		case SECRET_BOX_CRYPTO_ERROR:
			return "cryptographic library failure";
	}
	return "unknown status";
}
