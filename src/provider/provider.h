/*-------------------------------------------------------------------------
 *
 * provider.h
 *	  Providers: connection types, their secrets, and how a request reaches
 *	  them (URL and authentication).
 *
 * A provider knows the transport side of a model call: which connection
 * keys it accepts, which model options beyond the common ones, which
 * request format to pick when the model does not name one, and how to
 * address and authenticate an HTTP request.  What goes into the body is
 * the format's business (format.h), so providers and formats combine
 * freely.
 *
 * IDENTIFICATION
 *	  src/provider/provider.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_PROVIDER_H
#define MLPREDICT_PROVIDER_H

#include "catalog/catalog.h"
#include "http/http.h"

struct MlTarget;

typedef struct MlProvider
{
	const char *name;			/* provider name = connection type */
	const char *const *secret_keys; /* canonical secret keys accepted */
	const char *const *required_secrets;
	const char *const *connection_options;	/* non-secret keys accepted */
	const char *const *model_options;	/* "<p>.x" suffixes beyond the
										 * common ones */

	/* format used when the model names none; NULL means not supported yet */
	const char *(*default_format) (const char *endpoint);

	/* set URL and authentication headers; NULL means not supported yet */
	void		(*prepare_request) (struct MlTarget *target, HttpRequest *request);
} MlProvider;

/* provider.c: key lists shared by providers */
extern const char *const MlApiKeySecrets[];
extern const char *const MlNoKeys[];

/* provider.c */
extern const MlProvider *MlProviderLookup(const char *name, bool missing_ok);
extern const char *MlCanonicalSecretKey(const char *key);
extern char *MlProviderNames(void);
extern bool MlKeyInList(const char *key, const char *const *list);
extern char *MlKeyListText(const char *const *list);
extern void MlCheckEndpoint(const char *endpoint, const char *statement, int location);
extern void MlAddHeader(HttpRequest *request, const char *name, const char *value,
						bool secret);

/* openai.c */
extern const MlProvider MlProviderOpenAI;
extern const MlProvider MlProviderAzureOpenAI;

#endif							/* MLPREDICT_PROVIDER_H */
