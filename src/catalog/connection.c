/*-------------------------------------------------------------------------
 *
 * connection.c
 *	  CREATE / ALTER / DROP CONNECTION and reading connections back.
 *
 * A connection is a provider endpoint plus its secrets.  Secret keys are
 * stored under their canonical spelling (api-key, aws-access-key, ...)
 * in mlpredict.connection_secret, apart from the endpoint and non-secret
 * options in mlpredict.connection, so that views and DESCRIBE can never
 * show them.  Each connection type accepts exactly its own keys, plus the
 * connection pool's limits that every type takes (max_concurrency,
 * requests_per_minute, tokens_per_minute).
 *
 * IDENTIFICATION
 *	  src/catalog/connection.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#include "catalog/catalog.h"
#include "provider/provider.h"
#include "util.h"

/* What CREATE/ALTER CONNECTION options split into. */
typedef struct ConnectionSpec
{
	char	   *type;
	char	   *endpoint;
	List	   *secrets;		/* canonical keys */
	List	   *options;
} ConnectionSpec;

#define conn_ereport(opt, statement, ...) \
	ereport(ERROR, \
			(__VA_ARGS__, \
			 (statement) && (opt) && (opt)->location >= 0 ? \
			 internalerrposition(MlErrorPosition(statement, (opt)->location)) : 0, \
			 (statement) && (opt) && (opt)->location >= 0 ? \
			 internalerrquery(statement) : 0))

/*
 * check_connection_name
 *		Names are non-empty and fit in an identifier.
 */
static void
check_connection_name(const char *name)
{
	if (name == NULL || name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("connection name must not be empty")));
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("connection name \"%s\" is too long", name),
				 errdetail("Names can be at most %d bytes long.", NAMEDATALEN - 1)));
}

/*
 * add_secret
 *		Record one secret under its canonical key, checking it is accepted
 *		by the type and within Confluent's length limit.
 */
static void
add_secret(ConnectionSpec *spec, const MlProvider *provider, MlOption *opt,
		   const char *canonical, const char *statement)
{
	if (!MlKeyInList(canonical, provider->secret_keys))
		conn_ereport(opt, statement,
					 errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" is not valid for connections of type \"%s\"",
							opt->key, provider->name),
					 errhint("Connections of type \"%s\" take the secrets: %s.",
							 provider->name, MlKeyListText(provider->secret_keys)));
	if (opt->value[0] == '\0')
		conn_ereport(opt, statement,
					 errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("secret \"%s\" must not be empty", opt->key));
	if (strlen(opt->value) > MLPREDICT_MAX_SECRET_LEN)
		conn_ereport(opt, statement,
					 errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("secret \"%s\" is longer than %d bytes", opt->key,
							MLPREDICT_MAX_SECRET_LEN));
	if (MlOptionFind(spec->secrets, canonical))
		conn_ereport(opt, statement,
					 errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("option \"%s\" specified more than once", canonical),
					 errhint("\"%s\" and its aliases name the same secret.", canonical));
	spec->secrets = lappend(spec->secrets, MlMakeOption(canonical, opt->value, opt->location));
}

/* The pool's limits, valid for every connection type (see src/pool). */
static const char *const pool_options[] = {
	"max_concurrency", "requests_per_minute", "tokens_per_minute", NULL
};

/*
 * add_pool_option
 *		A limit of the connection pool: a positive integer.
 */
static void
add_pool_option(ConnectionSpec *spec, MlOption *opt, const char *statement)
{
	char	   *end;
	long		value;

	errno = 0;
	value = strtol(opt->value, &end, 10);
	if (errno != 0 || end == opt->value || *end != '\0' || value < 1 || value > 100000000)
		conn_ereport(opt, statement,
					 errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for connection option \"%s\": \"%s\"",
							opt->key, opt->value),
					 errhint("The value must be an integer between 1 and 100000000."));
	spec->options = lappend(spec->options,
							MlMakeOption(asc_tolower(opt->key, strlen(opt->key)),
										 psprintf("%ld", value), opt->location));
}

/*
 * add_option
 *		Sort one WITH/SET option into the spec.
 */
static void
add_option(ConnectionSpec *spec, const MlProvider *provider, MlOption *opt,
		   const char *statement)
{
	const char *canonical = MlCanonicalSecretKey(opt->key);

	if (pg_strcasecmp(opt->key, "type") == 0)
		return;
	if (pg_strcasecmp(opt->key, "endpoint") == 0)
	{
		MlCheckEndpoint(opt->value, statement, opt->location);
		spec->endpoint = opt->value;
	}
	else if (canonical)
		add_secret(spec, provider, opt, canonical, statement);
	else if (MlKeyInList(opt->key, pool_options))
		add_pool_option(spec, opt, statement);
	else if (MlKeyInList(opt->key, provider->connection_options))
		spec->options = lappend(spec->options,
								MlMakeOption(asc_tolower(opt->key, strlen(opt->key)),
											 opt->value, opt->location));
	else
		conn_ereport(opt, statement,
					 errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" is not valid for connections of type \"%s\"",
							opt->key, provider->name),
					 errhint("Valid options are type, endpoint, %s, %s%s%s.",
							 MlKeyListText(provider->secret_keys),
							 MlKeyListText(pool_options),
							 provider->connection_options[0] ? ", " : "",
							 MlKeyListText(provider->connection_options)));
}

/*
 * check_required_secrets
 *		Every required secret of the type must be present, and the provider's
 *		own checks must pass.
 */
static void
check_required_secrets(ConnectionSpec *spec, const MlProvider *provider)
{
	const char *const *key;

	for (key = provider->required_secrets; *key; key++)
		if (MlOptionFind(spec->secrets, *key) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("connections of type \"%s\" require the secret \"%s\"",
							provider->name, *key)));
	if (provider->check_connection)
		provider->check_connection(spec->endpoint, spec->options, spec->secrets);
}

/*
 * build_spec
 *		Validate CREATE CONNECTION options into a spec.
 */
static ConnectionSpec *
build_spec(List *options, const char *statement)
{
	ConnectionSpec *spec = palloc0(sizeof(ConnectionSpec));
	const MlProvider *provider;
	MlOption   *type = MlOptionFind(options, "type");
	ListCell   *lc;

	MlCheckDuplicateOptions(options, statement);
	if (type == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("required connection option \"type\" is missing"),
				 errhint("Connection types are %s.", MlProviderNames())));
	provider = MlProviderLookup(type->value, true);
	if (provider == NULL)
		conn_ereport(type, statement,
					 errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unsupported connection type \"%s\"", type->value),
					 errhint("Connection types are %s.", MlProviderNames()));
	spec->type = pstrdup(provider->name);
	foreach(lc, options)
		add_option(spec, provider, lfirst(lc), statement);
	if (spec->endpoint == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("required connection option \"endpoint\" is missing")));
	check_required_secrets(spec, provider);
	return spec;
}

/*
 * store_connection
 *		Insert (or, when replace, overwrite) the rows of a connection.
 */
static void
store_connection(const char *name, ConnectionSpec *spec, const char *comment,
				 bool replace)
{
	CatalogAccess access;
	Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[7];
	char		nulls[7] = "       ";

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(spec->type);
	values[2] = CStringGetTextDatum(spec->endpoint);
	values[3] = CStringGetTextDatum(MlOptionsToJson(spec->options));
	values[4] = comment ? CStringGetTextDatum(comment) : (Datum) 0;
	nulls[4] = comment ? ' ' : 'n';
	values[5] = CStringGetTextDatum(MlOptionsToJson(spec->secrets));
	values[6] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));

	CatalogBegin(&access);
	if (replace)
		CatalogExec("DELETE FROM mlpredict.connection_secret WHERE connection OPERATOR(pg_catalog.=) $1",
					1, types, values, nulls, false);
	CatalogExec(replace ?
				"UPDATE mlpredict.connection SET type = $2, endpoint = $3, options = $4::jsonb, comment = $5 "
				"WHERE name OPERATOR(pg_catalog.=) $1" :
				"INSERT INTO mlpredict.connection (name, type, endpoint, options, comment, owner) "
				"VALUES ($1, $2, $3, $4::jsonb, $5, $7)",
				replace ? 5 : 7, types, values, nulls, false);
	CatalogExec("INSERT INTO mlpredict.connection_secret (connection, secrets) VALUES ($1, $2::jsonb)",
				2, types, (Datum[]) {values[0], values[5]}, "  ", false);
	CatalogEnd(&access);
}

/*
 * CatalogCreateConnection
 *		CREATE [OR REPLACE] CONNECTION [IF NOT EXISTS].  Returns false when
 *		IF NOT EXISTS skipped an existing connection.
 */
bool
CatalogCreateConnection(const char *name, List *options, const char *comment,
						bool or_replace, bool if_not_exists, const char *statement)
{
	MlConnection *existing;
	ConnectionSpec *spec;

	check_connection_name(name);
	spec = build_spec(options, statement);
	existing = CatalogGetConnection(name, false, true);
	if (existing && if_not_exists)
	{
		ereport(NOTICE,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("connection \"%s\" already exists, skipping", name)));
		return false;
	}
	if (existing && !or_replace)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("connection \"%s\" already exists", name),
				 errhint("Use CREATE OR REPLACE CONNECTION, or ALTER CONNECTION ... SET to change it.")));
	if (existing)
	{
		CatalogCheckOwner(GetUserId(), existing->owner, "connection", name);
		if (strcmp(existing->type, spec->type) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot change the type of connection \"%s\" from \"%s\" to \"%s\"",
							name, existing->type, spec->type),
					 errhint("Drop the connection and create it again.")));
	}
	store_connection(name, spec, comment, existing != NULL);
	return true;
}

/*
 * CatalogAlterConnection
 *		ALTER CONNECTION ... SET: change endpoint, secrets or options; the
 *		type cannot change.  Returns false when IF EXISTS skipped.
 */
bool
CatalogAlterConnection(const char *name, List *options, bool if_exists,
					   const char *statement)
{
	MlConnection *conn = CatalogGetConnection(name, true, true);
	const MlProvider *provider;
	ConnectionSpec *spec = palloc0(sizeof(ConnectionSpec));
	MlOption   *type;
	ListCell   *lc;

	if (conn == NULL)
	{
		if (!if_exists)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("connection \"%s\" does not exist", name)));
		ereport(NOTICE,
				(errmsg("connection \"%s\" does not exist, skipping", name)));
		return false;
	}
	CatalogCheckOwner(GetUserId(), conn->owner, "connection", name);
	MlCheckDuplicateOptions(options, statement);
	type = MlOptionFind(options, "type");
	if (type && pg_strcasecmp(type->value, conn->type) != 0)
		conn_ereport(type, statement,
					 errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot change the type of connection \"%s\"", name),
					 errhint("Drop the connection and create it again."));
	provider = MlProviderLookup(conn->type, false);
	foreach(lc, options)
		add_option(spec, provider, lfirst(lc), statement);

	/* keep what was not set */
	if (spec->endpoint == NULL)
		spec->endpoint = conn->endpoint;
	foreach(lc, conn->secrets)
		if (!MlOptionFind(spec->secrets, ((MlOption *) lfirst(lc))->key))
			spec->secrets = lappend(spec->secrets, lfirst(lc));
	foreach(lc, conn->options)
		if (!MlOptionFind(spec->options, ((MlOption *) lfirst(lc))->key))
			spec->options = lappend(spec->options, lfirst(lc));
	spec->type = conn->type;
	check_required_secrets(spec, provider);
	store_connection(name, spec, conn->comment, true);
	return true;
}

/*
 * models_using
 *		Text listing the models whose versions use a connection, or NULL.
 */
static char *
models_using(const char *name)
{
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	StringInfoData buf;
	int			n,
				i;

	initStringInfo(&buf);
	CatalogBegin(&access);
	n = CatalogExec("SELECT format('%s$%s', quote_ident(schema_name::text) || '.' || quote_ident(name), version) "
					"FROM mlpredict.model_version v "
					"WHERE EXISTS (SELECT FROM jsonb_each_text(v.options) e "
					"  WHERE e.key OPERATOR(pg_catalog.~~) '%.connection' AND e.value OPERATOR(pg_catalog.=) $1) "
					"ORDER BY v.schema_name, v.name, v.version",
					1, types, values, " ", true);
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	CatalogEnd(&access);
	return n > 0 ? buf.data : NULL;
}

/*
 * CatalogDropConnection
 *		DROP CONNECTION; refused while model versions use the connection.
 *		Returns false when IF EXISTS skipped.
 */
bool
CatalogDropConnection(const char *name, bool if_exists)
{
	MlConnection *conn = CatalogGetConnection(name, false, true);
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	char	   *users;

	if (conn == NULL)
	{
		if (!if_exists)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("connection \"%s\" does not exist", name)));
		ereport(NOTICE,
				(errmsg("connection \"%s\" does not exist, skipping", name)));
		return false;
	}
	CatalogCheckOwner(GetUserId(), conn->owner, "connection", name);
	users = models_using(name);
	if (users)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop connection \"%s\" because models use it", name),
				 errdetail("Used by %s.", users),
				 errhint("Drop those model versions first, or point them at another connection with ALTER MODEL ... SET.")));
	CatalogBegin(&access);
	CatalogExec("DELETE FROM mlpredict.connection WHERE name OPERATOR(pg_catalog.=) $1",
				1, types, values, " ", false);
	CatalogEnd(&access);
	return true;
}

/*
 * CatalogGetConnection
 *		Read a connection (with its secrets only when asked); NULL if it
 *		does not exist and missing_ok.
 */
MlConnection *
CatalogGetConnection(const char *name, bool with_secrets, bool missing_ok)
{
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	MlConnection *conn = NULL;
	char	   *options = NULL;
	char	   *secrets = NULL;

	CatalogBegin(&access);
	if (CatalogExec("SELECT c.name, c.type, c.endpoint, c.options::text, c.comment, c.owner::text, "
					"  s.secrets::text "
					"FROM mlpredict.connection c "
					"LEFT JOIN mlpredict.connection_secret s ON s.connection OPERATOR(pg_catalog.=) c.name "
					"WHERE c.name OPERATOR(pg_catalog.=) $1",
					1, types, values, " ", true) == 1)
	{
		conn = SPI_palloc(sizeof(MlConnection));
		conn->name = CatalogGetText(0, 1);
		conn->type = CatalogGetText(0, 2);
		conn->endpoint = CatalogGetText(0, 3);
		options = CatalogGetText(0, 4);
		conn->comment = CatalogGetText(0, 5);
		conn->owner = CatalogGetText(0, 6);
		if (with_secrets)
			secrets = CatalogGetText(0, 7);
	}
	CatalogEnd(&access);

	if (conn == NULL)
	{
		if (!missing_ok)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("connection \"%s\" does not exist", name)));
		return NULL;
	}
	conn->options = MlOptionsFromJsonText(options, "connection");
	conn->secrets = MlOptionsFromJsonText(secrets, "connection");
	return conn;
}

/*
 * CatalogListConnections
 *		Names of all connections, sorted.
 */
List *
CatalogListConnections(void)
{
	CatalogAccess access;
	List	   *names;

	CatalogBegin(&access);
	CatalogExec("SELECT name FROM mlpredict.connection ORDER BY name COLLATE \"C\"",
				0, NULL, NULL, NULL, true);
	names = CatalogGetTextColumn(&access, 1);
	CatalogEnd(&access);
	return names;
}
