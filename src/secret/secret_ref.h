/*-------------------------------------------------------------------------
 *
 * secret_ref.h
 *	  Secret references: 'env:NAME' and 'file:/absolute/path' in place of
 *	  a literal secret (secret_ref.c).
 *
 * IDENTIFICATION
 *	  src/secret/secret_ref.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_SECRET_REF_H
#define MLPREDICT_SECRET_REF_H

/* Whether a stored secret value is a reference (starts with env: or file:). */
extern bool SecretRefIsReference(const char *value);

/*
 * Check a reference's syntax at CREATE/ALTER CONNECTION (22023 when bad).
 * key is the secret's canonical name; the value is never printed.
 */
extern void SecretRefCheck(const char *key, const char *value);

/*
 * The secret a value stands for: the value itself for a literal, else
 * what the reference names, read now (palloc'd).  Errors name the
 * connection, the secret and the variable or file, never the secret.
 */
extern char *SecretRefResolve(const char *connection, const char *key,
							  const char *value);

#endif							/* MLPREDICT_SECRET_REF_H */
