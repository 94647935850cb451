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

#include "http/http.h"
#include "wire/target.h"

/* MlProvider, the interface each provider fills in, is in wire/target.h */

/* provider.c: key lists shared by providers */
extern const char *const MlApiKeySecrets[];
extern const char *const MlNoKeys[];
extern const char *const MlAwsSecrets[];
extern const char *const MlAwsRequiredSecrets[];
extern const char *const MlAwsConnectionOptions[];

/* registry.c */
extern const MlProvider *MlProviderLookup(const char *name, bool missing_ok);
extern char *MlProviderNames(void);

/* provider.c */
extern const char *MlCanonicalSecretKey(const char *key);
extern bool MlKeyInList(const char *key, const char *const *list);
extern char *MlKeyListText(const char *const *list);
extern void MlCheckEndpoint(const char *endpoint, const char *statement, int location);
extern char *MlMaskedEndpoint(const char *endpoint);
extern void MlAddHeader(HttpRequest *request, const char *name, const char *value,
						bool secret);

/* provider.c: helpers shared by providers */
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
