/*-------------------------------------------------------------------------
 *
 * registry.c
 *	  The list of providers, and finding one by name.
 *
 * The list is the only place that names every provider; it sits apart from
 * the helpers the providers share (provider.c), so that no provider
 * depends on the list that depends on it.
 *
 * IDENTIFICATION
 *	  src/provider/registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "provider/provider.h"

static const MlProvider *const providers[] = {
	&MlProviderOpenAI,
	&MlProviderAzureOpenAI,
	&MlProviderAzureML,
	&MlProviderBedrock,
	&MlProviderSageMaker,
	&MlProviderGoogleAI,
	&MlProviderVertexAI,
	&MlProviderAnthropic,
	NULL
};

/*
 * MlProviderNames
 *		Comma-separated list of provider names, for hints.
 */
char *
MlProviderNames(void)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; providers[i]; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", providers[i]->name);
	return buf.data;
}

/*
 * MlProviderLookup
 *		Find a provider by name, ignoring case.
 */
const MlProvider *
MlProviderLookup(const char *name, bool missing_ok)
{
	int			i;

	for (i = 0; name && providers[i]; i++)
		if (pg_strcasecmp(providers[i]->name, name) == 0)
			return providers[i];
	if (missing_ok)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unsupported provider \"%s\"", name ? name : ""),
			 name && pg_strcasecmp(name, "confluent") == 0 ?
			 errdetail("Provider \"confluent\" is Confluent Cloud's managed models, which run inside Confluent Cloud and have no endpoint to call from here.") : 0,
			 errhint("Supported providers are %s.", MlProviderNames())));
	return NULL;
}
