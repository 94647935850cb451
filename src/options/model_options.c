/*-------------------------------------------------------------------------
 *
 * model_options.c
 *	  Validation of a model version's WITH options, with Confluent's rules.
 *
 * Required: provider, task and <provider>.connection naming an existing
 * connection of the provider's type.  Accepted besides: the common
 * <provider>.* options, the provider's own extras and any number (up to
 * 32) of <provider>.params.*.  Anything else is rejected by name.
 * Numeric options are checked for range: the timeouts, and batch_size
 * (rows per request where the format can send several; batch.c).  The
 * response cache's options, mlpredict.cache_ttl (a positive interval) and
 * mlpredict.cache_nondeterministic (a boolean), are the same for every
 * provider (src/cache/).  The
 * request and response formats are resolved here too, so a model whose
 * INPUT/OUTPUT cannot work with its format is refused when it is created,
 * not when it is first called.
 *
 * IDENTIFICATION
 *	  src/options/model_options.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/timestamp.h"

#include "format/format.h"
#include "options/options.h"
#include "provider/provider.h"
#include "util.h"

static const char *const common_options[] = {
	"connection", "client_timeout", "connect_timeout", "input_format", "output_format",
	"input_content_type", "output_content_type", "system_prompt",
	"model_version", "batch_size", NULL
};

/*
 * Free-form descriptive keys Confluent's ALTER MODEL example sets: kept
 * with the version, shown by DESCRIBE and SHOW CREATE MODEL, never sent
 * anywhere (so they may span lines).
 */
static const char *const metadata_options[] = {
	"tag", "description", NULL
};

/*
 * Confluent's 2024 model options that carried the endpoint and secrets
 * inline ('openai.endpoint', 'openai.api_key', ...; its ML_EVALUATE page
 * still shows them).  Connections replaced them: refused with a hint that
 * says so rather than as unknown keys.
 */
static const char *const inline_connection_options[] = {
	"endpoint", "api_key", "api-key", "aws_access_key_id", "aws_secret_access_key",
	"aws_session_token", "aws-access-key", "aws-secret-key", "aws-session-token",
	"service_key", "service-key", NULL
};

/* the response cache's options (src/cache/), the same for every provider */
static const char *const cache_options[] = {
	"mlpredict.cache_ttl", "mlpredict.cache_nondeterministic", NULL
};

static const char *const tasks[] = {
	"classification", "clustering", "embedding", "regression",
	"text_generation", NULL
};

/*
 * option_ereport
 *		Raise an error with a position when the option came from statement
 *		text.
 */
#define option_ereport(opt, statement, ...) \
	ereport(ERROR, \
			(__VA_ARGS__, \
			 (statement) && (opt) && (opt)->location >= 0 ? \
			 internalerrposition(MlErrorPosition(statement, (opt)->location)) : 0, \
			 (statement) && (opt) && (opt)->location >= 0 ? \
			 internalerrquery(statement) : 0))

/*
 * MlModelOption
 *		Value of "<provider>.<suffix>", or NULL.
 */
const char *
MlModelOption(List *options, const char *provider, const char *suffix)
{
	char	   *key = psprintf("%s.%s", provider, suffix);

	return MlOptionGet(options, key);
}

/*
 * MlModelProvider
 *		The provider option's value, lower case (NULL if absent).
 */
const char *
MlModelProvider(List *options)
{
	const char *provider = MlOptionGet(options, "provider");

	return provider ? asc_tolower(provider, strlen(provider)) : NULL;
}

/*
 * require_option
 *		Error for a missing required option.
 */
static const char *
require_option(List *options, const char *key, const char *hint)
{
	const char *value = MlOptionGet(options, key);

	if (value == NULL || value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("required model option \"%s\" is missing", key),
				 errhint("%s", hint)));
	return value;
}

/*
 * check_option_key
 *		Accept provider, task, the provider's namespaced options and params;
 *		reject everything else by name.
 */
static void
check_option_key(MlOption *opt, const MlProvider *provider, const char *statement)
{
	size_t		plen = strlen(provider->name);
	const char *dot = strchr(opt->key, '.');

	if (pg_strcasecmp(opt->key, "provider") == 0 || pg_strcasecmp(opt->key, "task") == 0 ||
		MlKeyInList(opt->key, metadata_options) ||
		MlKeyInList(opt->key, cache_options))
		return;
	if (dot && (size_t) (dot - opt->key) == plen &&
		pg_strncasecmp(opt->key, provider->name, plen) == 0)
	{
		const char *suffix = dot + 1;

		if (pg_strncasecmp(suffix, "params.", 7) == 0 ||
			MlKeyInList(suffix, common_options) ||
			MlKeyInList(suffix, provider->model_options))
			return;
		if (MlKeyInList(suffix, inline_connection_options))
			option_ereport(opt, statement,
						   errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						   errmsg("unrecognized model option \"%s\"", opt->key),
						   errdetail("Endpoints and secrets are no longer model options: a model names a connection, which holds them."),
						   errhint("Create the connection with CREATE CONNECTION name WITH ('type' = '%s', 'endpoint' = '...', <secret keys>) and set '%s.connection' = 'name' instead.",
								   provider->name, provider->name));
	}
	else if (dot && MlProviderLookup(pnstrdup(opt->key, dot - opt->key), true))
		option_ereport(opt, statement,
					   errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					   errmsg("model option \"%s\" does not belong to provider \"%s\"",
							  opt->key, provider->name),
					   errhint("Options of this model are spelled \"%s.<name>\".", provider->name));
	option_ereport(opt, statement,
				   errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				   errmsg("unrecognized model option \"%s\"", opt->key),
				   errhint("Valid options are provider, task, tag, description, mlpredict.cache_ttl, mlpredict.cache_nondeterministic, %s.params.* and %s.<option> for: %s%s%s.",
						   provider->name, provider->name, MlKeyListText(common_options),
						   provider->model_options[0] ? ", " : "",
						   MlKeyListText(provider->model_options)));
}

/*
 * MlCheckModelOptionKey
 *		The key check on its own, for ALTER MODEL ... RESET: a key that SET
 *		would refuse cannot be reset either.
 */
void
MlCheckModelOptionKey(MlOption *opt, const char *provider_name, const char *statement)
{
	check_option_key(opt, MlProviderLookup(provider_name, false), statement);
}

/*
 * check_option_line
 *		Only free text sent inside a JSON body (the system prompt and
 *		<provider>.params.*) may span lines; every other value can reach a
 *		header (sagemaker.custom_attributes, azureml.deployment_name, ...)
 *		or a URL.
 */
static void
check_option_line(MlOption *opt, const MlProvider *provider, const char *statement)
{
	size_t		plen = strlen(provider->name);
	const char *suffix = opt->key + plen + 1;

	if (strlen(opt->key) > plen && opt->key[plen] == '.' &&
		(pg_strcasecmp(suffix, "system_prompt") == 0 ||
		 pg_strncasecmp(suffix, "params.", 7) == 0))
		return;
	if (MlKeyInList(opt->key, metadata_options))
		return;
	MlCheckOptionLine(opt, statement);
}

/*
 * check_connection
 *		<provider>.connection must be given; check_name (the catalog's)
 *		checks that it names a connection of the provider's type that the
 *		current user may use.  Returns the connection's endpoint.
 */
static const char *
check_connection(List *options, const MlProvider *provider,
				 MlModelConnectionCheck check_name)
{
	char	   *key = psprintf("%s.connection", provider->name);
	const char *name = require_option(options, key,
									  "Name a connection created with CREATE CONNECTION.");

	return check_name(name, provider->name);
}

/*
 * check_timeout
 *		<provider>.<suffix> is a whole number from lo to hi (in unit).
 */
static void
check_timeout(List *options, const MlProvider *provider, const char *suffix,
			  int lo, int hi, const char *unit)
{
	const char *value = MlModelOption(options, provider->name, suffix);
	int64		n;

	if (value == NULL)
		return;
	if (!MlParseInt(value, &n) || n < lo || n > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for model option \"%s.%s\": \"%s\"",
						provider->name, suffix, value),
				 errdetail("The timeout is a whole number of %s from %d to %d.",
						   unit, lo, hi)));
}

/*
 * check_batch_size
 *		<provider>.batch_size is a whole number of rows from 1 to
 *		ML_BATCH_SIZE_MAX.
 */
static void
check_batch_size(List *options, const MlProvider *provider,
				 const char *statement)
{
	MlOption   *opt = MlOptionFind(options, psprintf("%s.batch_size", provider->name));
	int64		n;

	if (opt == NULL)
		return;
	if (!MlParseInt(opt->value, &n) || n < 1 || n > ML_BATCH_SIZE_MAX)
		option_ereport(opt, statement,
					   errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					   errmsg("invalid value for model option \"%s\": \"%s\"",
							  opt->key, opt->value),
					   errdetail("The batch size is a whole number of rows from 1 to %d.",
								 ML_BATCH_SIZE_MAX),
					   errhint("1 sends one request per row; larger values are capped by the provider's own limit of inputs per request."));
}

/*
 * interval_usecs
 *		An interval's length in microseconds (a month as 30 days), or -1
 *		if the text is not an interval.
 */
static int64
interval_usecs(const char *text)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Interval   *volatile iv = NULL;

	PG_TRY();
	{
		iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(text),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(mcxt);
		FlushErrorState();
	}
	PG_END_TRY();
	if (iv == NULL)
		return -1;
	return iv->time + ((int64) iv->month * DAYS_PER_MONTH + iv->day) * USECS_PER_DAY;
}

/*
 * check_cache_options
 *		'mlpredict.cache_ttl' is a positive interval (how long a stored
 *		answer is used); 'mlpredict.cache_nondeterministic' a boolean.
 */
static void
check_cache_options(List *options, const char *statement)
{
	MlOption   *ttl = MlOptionFind(options, "mlpredict.cache_ttl");
	MlOption   *nondet = MlOptionFind(options, "mlpredict.cache_nondeterministic");
	bool		flag;

	if (ttl != NULL && interval_usecs(ttl->value) <= 0)
		option_ereport(ttl, statement,
					   errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					   errmsg("invalid value for model option \"%s\": \"%s\"",
							  ttl->key, ttl->value),
					   errdetail("The cache time to live is a positive interval, such as '1 hour'."),
					   errhint("Leave the option out to call the model every time."));
	if (nondet != NULL && !parse_bool(nondet->value, &flag))
		option_ereport(nondet, statement,
					   errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					   errmsg("invalid value for model option \"%s\": \"%s\"",
							  nondet->key, nondet->value),
					   errdetail("The value is true or false."));
}

/*
 * check_formats
 *		Resolve input and output formats and check the schema against them.
 */
static void
check_formats(List *options, const MlProvider *provider, const char *endpoint,
			  List *input, List *output)
{
	const char *in_spec = MlModelOption(options, provider->name, "input_format");
	const char *out_spec = MlModelOption(options, provider->name, "output_format");
	MlFormatChoice formats;

	if (in_spec == NULL)
		in_spec = provider->default_format(endpoint,
										   MlModelOption(options, provider->name, "model_version"));
	MlFormatResolve(in_spec, out_spec, &formats);
	formats.input->check_schema(input, output, "input");
	formats.output->check_schema(input, output, "output");
}

/*
 * MlValidateModelOptions
 *		Validate the complete option set of one model version against its
 *		INPUT/OUTPUT columns.  options have lower-case keys; check_name
 *		checks the connection they name (options sit below the catalog).
 */
void
MlValidateModelOptions(List *options, List *input, List *output,
					   const char *statement, MlModelConnectionCheck check_name)
{
	const char *provider_name;
	const MlProvider *provider;
	const char *task;
	const char *endpoint;
	ListCell   *lc;

	MlCheckDuplicateOptions(options, statement);
	provider_name = require_option(options, "provider",
								   psprintf("Supported providers are %s.", MlProviderNames()));
	provider = MlProviderLookup(provider_name, false);
	task = require_option(options, "task",
						  "Tasks are classification, clustering, embedding, regression and text_generation.");
	if (!MlKeyInList(task, tasks))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported task \"%s\"", task),
				 errhint("Tasks are classification, clustering, embedding, regression and text_generation.")));
	foreach(lc, options)
	{
		check_option_key(lfirst(lc), provider, statement);
		check_option_line(lfirst(lc), provider, statement);
	}
	endpoint = check_connection(options, provider, check_name);
	if (list_length(MlParseParams(options, provider->name, statement)) > MLPREDICT_MAX_PARAMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a model version can have at most %d %s.params.* options",
						MLPREDICT_MAX_PARAMS, provider->name)));
	check_timeout(options, provider, "client_timeout", 1, 3600, "seconds");
	check_timeout(options, provider, "connect_timeout", 100, 600000, "milliseconds");
	check_batch_size(options, provider, statement);
	check_cache_options(options, statement);
	check_formats(options, provider, endpoint, input, output);
}
