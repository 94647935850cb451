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

#include "catalog/ml_catalog.h"
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

	/*
	 * Format used when the model names none (Confluent's auto-detection),
	 * from the connection's endpoint and the model's model_version option
	 * (NULL when unset).
	 */
	const char *(*default_format) (const char *endpoint, const char *model_version);

	/*
	 * Set the URL and authentication of a request whose body and content
	 * headers are final (signing providers cover them).
	 */
	void		(*prepare_request) (struct MlTarget *target, HttpRequest *request);

	/*
	 * prepare_request for a body meant for another method of the model
	 * the endpoint names (method: the verb, such as batchEmbedContents
	 * for a batch of embedContent requests; MlRequestBody.method); NULL
	 * when the provider has no such methods, and then formats that need
	 * one take one row per request.
	 */
	void		(*prepare_method) (struct MlTarget *target, HttpRequest *request,
								   const char *method);

	/*
	 * Extra checks of a connection at CREATE/ALTER CONNECTION time, beyond
	 * the key lists (a parsable service key, a derivable AWS region); may
	 * be NULL.  options and secrets are MlOption lists with canonical keys.
	 */
	void		(*check_connection) (const char *endpoint, List *options,
									 List *secrets);
} MlProvider;

/* provider.c: key lists shared by providers */
extern const char *const MlApiKeySecrets[];
extern const char *const MlNoKeys[];
extern const char *const MlAwsSecrets[];
extern const char *const MlAwsRequiredSecrets[];
extern const char *const MlAwsConnectionOptions[];

/* provider.c */
extern const MlProvider *MlProviderLookup(const char *name, bool missing_ok);
extern const char *MlCanonicalSecretKey(const char *key);
extern char *MlProviderNames(void);
extern bool MlKeyInList(const char *key, const char *const *list);
extern char *MlKeyListText(const char *const *list);
extern void MlCheckEndpoint(const char *endpoint, const char *statement, int location);
extern char *MlMaskedEndpoint(const char *endpoint);
extern void MlAddHeader(HttpRequest *request, const char *name, const char *value,
						bool secret);

/* provider.c: helpers shared by providers */
extern const char *MlConnectionSecret(struct MlTarget *target, const char *key);
extern void MlSetHeader(HttpRequest *request, const char *name, const char *value,
						bool secret);
extern void MlRemoveHeader(HttpRequest *request, const char *name);
extern const char *MlRequestHeader(HttpRequest *request, const char *name);

/* one file per provider family */
extern const MlProvider MlProviderOpenAI;	/* openai.c */
extern const MlProvider MlProviderAzureOpenAI;	/* openai.c */
extern const MlProvider MlProviderAzureML;	/* azureml.c */
extern const MlProvider MlProviderBedrock;	/* bedrock.c */
extern const MlProvider MlProviderSageMaker;	/* sagemaker.c */
extern const MlProvider MlProviderGoogleAI; /* googleai.c */
extern const MlProvider MlProviderVertexAI; /* vertexai.c */
extern const MlProvider MlProviderAnthropic;	/* anthropic.c */

#endif							/* MLPREDICT_PROVIDER_H */
