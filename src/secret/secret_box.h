/*-------------------------------------------------------------------------
 *
 * secret_box.h
 *	  Sealing a byte string under a 32-byte key: AES-256-GCM with
 *	  additional authenticated data.  Plain C and OpenSSL, no PostgreSQL.
 *
 * A sealed blob is
 *
 *	  version (1 byte) | key id (8) | nonce (12) | ciphertext (n) | tag (16)
 *
 * The key id (the first 8 bytes of SHA-256 over a fixed label and the key)
 * says which key sealed the blob without revealing it, so that opening
 * under another key is reported as such rather than as tampering.  The
 * version and key id are authenticated together with the caller's AAD.
 *
 * IDENTIFICATION
 *	  src/secret/secret_box.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_SECRET_BOX_H
#define MLPREDICT_SECRET_BOX_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_BOX_VERSION		1
#define SECRET_BOX_KEY_LEN		32
#define SECRET_BOX_KEY_ID_LEN	8
#define SECRET_BOX_NONCE_LEN	12
#define SECRET_BOX_TAG_LEN		16
#define SECRET_BOX_HEADER_LEN	(1 + SECRET_BOX_KEY_ID_LEN + SECRET_BOX_NONCE_LEN)
#define SECRET_BOX_OVERHEAD		(SECRET_BOX_HEADER_LEN + SECRET_BOX_TAG_LEN)

/* A key id as 16 lower-case hex digits and a NUL. */
#define SECRET_BOX_KEY_ID_HEX_LEN (2 * SECRET_BOX_KEY_ID_LEN + 1)

typedef enum SecretBoxStatus
{
	SECRET_BOX_OK = 0,
	SECRET_BOX_MALFORMED,		/* too short, or an unknown version */
	SECRET_BOX_OTHER_KEY,		/* sealed under a key with another id */
	SECRET_BOX_TAMPERED,		/* same key id, but authentication failed */
	SECRET_BOX_CRYPTO_ERROR		/* OpenSSL failed (no randomness, ...) */
} SecretBoxStatus;

/* The id of a key. */
extern void secret_box_key_id(const unsigned char *key,
							  unsigned char id[SECRET_BOX_KEY_ID_LEN]);

/* The key id a blob names; false when the blob is too short to have one. */
extern bool secret_box_blob_key_id(const unsigned char *blob, size_t blob_len,
								   unsigned char id[SECRET_BOX_KEY_ID_LEN]);

/* Hex text of a key id (not secret). */
extern void secret_box_key_id_hex(const unsigned char id[SECRET_BOX_KEY_ID_LEN],
								  char out[SECRET_BOX_KEY_ID_HEX_LEN]);

/* Size of the blob sealing plain_len bytes. */
extern size_t secret_box_sealed_len(size_t plain_len);

/*
 * Seal plain under key (SECRET_BOX_KEY_LEN bytes) with aad; out must hold
 * secret_box_sealed_len(plain_len) bytes.  A fresh random nonce each time.
 */
extern SecretBoxStatus secret_box_seal(const unsigned char *key,
									   const unsigned char *aad, size_t aad_len,
									   const unsigned char *plain, size_t plain_len,
									   unsigned char *out);

/*
 * Open a blob sealed under key with aad.  out must hold blob_len bytes (at
 * least one); on success *out_len is the plaintext length.  On failure out
 * is wiped and nothing of it may be used.
 */
extern SecretBoxStatus secret_box_open(const unsigned char *key,
									   const unsigned char *aad, size_t aad_len,
									   const unsigned char *blob, size_t blob_len,
									   unsigned char *out, size_t *out_len);

/* A short description of a status, for messages and tests. */
extern const char *secret_box_status_text(SecretBoxStatus status);

/* Overwrite memory that held key material or plaintext. */
extern void secret_box_wipe(void *p, size_t len);

#endif							/* MLPREDICT_SECRET_BOX_H */
