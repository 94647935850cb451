/*-------------------------------------------------------------------------
 *
 * connection.c
 *	  CREATE / ALTER CONNECTION and reading connections back.
 *
 * A connection is a provider endpoint plus its secrets.  Secret keys are
 * stored under their canonical spelling (api-key, aws-access-key, ...)
 * in mlpredict.connection_secret, apart from the endpoint and non-secret
 * options in mlpredict.connection, so that views and DESCRIBE can never
 * show them.  Each connection type accepts exactly its own keys, plus the
 * connection pool's limits that every type takes (max_concurrency,
 * requests_per_minute, tokens_per_minute).
 *
 * Secrets at rest: connection_secret.sealed holds the JSON object of the
 * secrets sealed with AES-256-GCM under the cluster key
 * (src/secret/secret_box.c, cluster_key.c); connection_secret.keys holds
 * what views show, each key with "*****" or, for a reference, the
 * reference text.  The additional data binds the ciphertext to its row:
 * a label, the connection's name, type and endpoint.  A ciphertext copied
 * to another connection, or an endpoint changed behind our back, fails
 * to open; every CREATE/ALTER seals again.  Opening happens only when the
 * secrets are needed (a model call, ALTER), and a failure tells a
 * ciphertext of another cluster's key (55000, after restoring a dump
 * elsewhere) from a tampered one (XX001).  ALTER CONNECTION ... SET that
 * gives every required secret anew works even then, discarding the old.
 *
 * A secret may be a reference, 'env:NAME' or 'file:/path'
 * (src/secret/secret_ref.c), resolved each time the secrets are loaded for
 * use.  Only superusers may create or alter a connection whose secrets
 * hold a reference: it reads the server's environment and files (and a
 * non-superuser owner must not be able to point such a connection at an
 * endpoint of their choosing).
 *
 * Creating a connection needs EXECUTE on mlpredict.create_connection(),
 * which only superusers have until they grant it (check_create_privilege).
 * Option values that reach HTTP headers or URLs are refused when they
 * contain control characters (MlCheckOptionLine).
 *
 * DROP CONNECTION, which may drop the model versions that use the
 * connection, is connection_drop.c's, above model.c.
 *
 * IDENTIFICATION
 *	  src/catalog/connection.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "provider/provider.h"
#include "secret/cluster_key.h"
#include "secret/secret_box.h"
#include "secret/secret_ref.h"
#include "util.h"

static MlConnection *read_connection(const char *name, bool missing_ok,
									 bytea **sealed);

/* Shown in views instead of a literal secret. */
#define MASKED_SECRET "*****"

/* The start of every connection's additional data (see connection_aad). */
static const char aad_label[] = "mlpredict connection secrets v1";

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
	if (SecretRefIsReference(opt->value))
		SecretRefCheck(canonical, opt->value);
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
	/* everything but a Vertex AI service key (JSON) reaches headers or URLs */
	if (canonical == NULL || strcmp(canonical, "service-key") != 0)
		MlCheckOptionLine(opt, statement);
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
 * literal_secrets
 *		The secrets that are not references.
 */
static List *
literal_secrets(List *secrets)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, secrets)
		if (!SecretRefIsReference(((MlOption *) lfirst(lc))->value))
			result = lappend(result, lfirst(lc));
	return result;
}

/*
 * missing_secret
 *		The first secret the type requires that secrets lacks, or NULL.
 */
static const char *
missing_secret(List *secrets, const MlProvider *provider)
{
	const char *const *key;

	for (key = provider->required_secrets; *key; key++)
		if (MlOptionFind(secrets, *key) == NULL)
			return *key;
	return NULL;
}

/*
 * check_required_secrets
 *		Every required secret of the type must be present, and the provider's
 *		own checks must pass.  The provider checks only literal values:
 *		a reference is resolved, and its value checked, when it is used.
 */
static void
check_required_secrets(ConnectionSpec *spec, const MlProvider *provider)
{
	const char *missing = missing_secret(spec->secrets, provider);

	if (missing)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("connections of type \"%s\" require the secret \"%s\"",
						provider->name, missing)));
	if (provider->check_connection)
		provider->check_connection(spec->endpoint, spec->options,
								   literal_secrets(spec->secrets));
}

/*
 * check_reference_privilege
 *		Only superusers may create or change a connection whose secrets
 *		read the server's environment or files.
 */
static void
check_reference_privilege(const char *name, List *secrets)
{
	ListCell   *lc;

	if (superuser())
		return;
	foreach(lc, secrets)
	{
		MlOption   *opt = lfirst(lc);

		if (SecretRefIsReference(opt->value))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for secret references in connection \"%s\"", name),
					 errdetail("Secret \"%s\" is read from the database server's environment or files; only superusers may create or alter connections with such secrets.",
							   opt->key),
					 errhint("Give the secret as a literal value, or ask a superuser to set up the connection.")));
	}
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
 * connection_aad
 *		The additional data that binds sealed secrets to their row: the
 *		label, the connection's name, type and endpoint, each ended by a NUL
 *		(none of them can contain one).
 */
static void
connection_aad(StringInfo aad, const char *name, const char *type,
			   const char *endpoint)
{
	initStringInfo(aad);
	appendBinaryStringInfo(aad, aad_label, sizeof(aad_label));
	appendBinaryStringInfo(aad, name, strlen(name) + 1);
	appendBinaryStringInfo(aad, type, strlen(type) + 1);
	appendBinaryStringInfo(aad, endpoint, strlen(endpoint) + 1);
}

/*
 * seal_secrets
 *		The secrets' JSON object sealed under the cluster key for this row.
 */
static bytea *
seal_secrets(const char *name, const ConnectionSpec *spec)
{
	char	   *plain = MlOptionsToJson(spec->secrets);
	size_t		plain_len = strlen(plain);
	size_t		sealed_len = secret_box_sealed_len(plain_len);
	bytea	   *sealed = palloc(VARHDRSZ + sealed_len);
	StringInfoData aad;
	SecretBoxStatus status;

	connection_aad(&aad, name, spec->type, spec->endpoint);
	status = secret_box_seal(ClusterKeyGet(),
							 (const unsigned char *) aad.data, aad.len,
							 (const unsigned char *) plain, plain_len,
							 (unsigned char *) VARDATA(sealed));
	secret_box_wipe(plain, plain_len);
	if (status != SECRET_BOX_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not encrypt the secrets of connection \"%s\"", name),
				 errdetail_internal("%s", secret_box_status_text(status))));
	SET_VARSIZE(sealed, VARHDRSZ + sealed_len);
	return sealed;
}

/*
 * shown_keys
 *		What views show of the secrets: each key with ***** or, for a
 *		reference, the reference.
 */
static char *
shown_keys(List *secrets)
{
	List	   *shown = NIL;
	ListCell   *lc;

	foreach(lc, secrets)
	{
		MlOption   *opt = lfirst(lc);

		shown = lappend(shown,
						MlMakeOption(opt->key,
									 SecretRefIsReference(opt->value) ? opt->value : MASKED_SECRET,
									 -1));
	}
	return MlOptionsToJson(shown);
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
	Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, REGROLEOID, BYTEAOID};
	Datum		values[8];
	char		nulls[8];

	memset(nulls, ' ', sizeof(nulls));	/* SPI: no column is null */
	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(spec->type);
	values[2] = CStringGetTextDatum(spec->endpoint);
	values[3] = CStringGetTextDatum(MlOptionsToJson(spec->options));
	values[4] = comment ? CStringGetTextDatum(comment) : (Datum) 0;
	nulls[4] = comment ? ' ' : 'n';
	values[5] = CStringGetTextDatum(shown_keys(spec->secrets));
	values[6] = ObjectIdGetDatum(GetUserId());
	values[7] = PointerGetDatum(seal_secrets(name, spec));

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
	CatalogExec("INSERT INTO mlpredict.connection_secret (connection, keys, sealed) VALUES ($1, $2::jsonb, $3)",
				3, (Oid[]) {TEXTOID, TEXTOID, BYTEAOID},
				(Datum[]) {values[0], values[5], values[7]}, "   ", false);
	CatalogEnd(&access);
}

/*
 * unseal_secrets
 *		Open a connection's sealed secrets into *secrets (as stored:
 *		references unresolved).  Any status but SECRET_BOX_OK leaves
 *		*secrets NIL.
 */
static SecretBoxStatus
unseal_secrets(const MlConnection *conn, bytea *sealed, List **secrets)
{
	size_t		len = VARSIZE_ANY_EXHDR(sealed);
	unsigned char *plain = palloc(len + 1);
	size_t		plain_len = 0;
	StringInfoData aad;
	SecretBoxStatus status;

	*secrets = NIL;
	connection_aad(&aad, conn->name, conn->type, conn->endpoint);
	status = secret_box_open(ClusterKeyGet(),
							 (const unsigned char *) aad.data, aad.len,
							 (const unsigned char *) VARDATA_ANY(sealed), len,
							 plain, &plain_len);
	if (status == SECRET_BOX_OK)
	{
		plain[plain_len] = '\0';
		*secrets = MlOptionsFromJsonText((char *) plain, "connection");
		secret_box_wipe(plain, plain_len);
	}
	pfree(plain);
	return status;
}

/*
 * report_unseal_failure
 *		The error for secrets that cannot be opened: another cluster's key
 *		(55000) or a ciphertext that fails authentication (XX001).
 */
static void
report_unseal_failure(const MlConnection *conn, bytea *sealed,
					  SecretBoxStatus status)
{
	unsigned char id[SECRET_BOX_KEY_ID_LEN];
	char		stored_id[SECRET_BOX_KEY_ID_HEX_LEN];
	char		own_id[SECRET_BOX_KEY_ID_HEX_LEN];

	switch (status)
	{
		case SECRET_BOX_OK:
			return;
		case SECRET_BOX_OTHER_KEY:
			(void) secret_box_blob_key_id((const unsigned char *) VARDATA_ANY(sealed),
										  VARSIZE_ANY_EXHDR(sealed), id);
			secret_box_key_id_hex(id, stored_id);
			secret_box_key_id(ClusterKeyGet(), id);
			secret_box_key_id_hex(id, own_id);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("secrets of connection \"%s\" were encrypted under another cluster key",
							conn->name),
					 errdetail("They were encrypted under the key with id %s, and this cluster's key (mlpredict.secret_key_file) has id %s.  This happens after a dump is restored into another cluster.",
							   stored_id, own_id),
					 errhint("Re-enter the secrets with ALTER CONNECTION %s SET (...), or install the original cluster's key file as mlpredict.secret_key_file.",
							 conn->name)));
			break;
		case SECRET_BOX_TAMPERED:
		case SECRET_BOX_MALFORMED:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("secrets of connection \"%s\" failed authentication", conn->name),
					 status == SECRET_BOX_TAMPERED ?
					 errdetail("The stored ciphertext was altered, or copied from another connection, or the connection's endpoint was changed outside ALTER CONNECTION.") :
					 errdetail("The stored value is not encrypted secrets of a known format."),
					 errhint("Re-enter the secrets with ALTER CONNECTION %s SET (...), or install the original cluster's key file as mlpredict.secret_key_file.",
							 conn->name)));
			break;
		case SECRET_BOX_CRYPTO_ERROR:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not decrypt the secrets of connection \"%s\"", conn->name),
					 errdetail_internal("%s", secret_box_status_text(status))));
			break;
	}
}

/*
 * secrets_to_keep
 *		For ALTER: the stored secrets (references unresolved).  When they
 *		cannot be opened, the ALTER may still replace them all: if it gives
 *		every required secret, the old ones are dropped with a NOTICE;
 *		otherwise the error is raised.
 */
static List *
secrets_to_keep(const MlConnection *conn, bytea *sealed,
				const ConnectionSpec *spec, const MlProvider *provider)
{
	List	   *old = NIL;
	SecretBoxStatus status;

	if (sealed == NULL)
		return NIL;
	status = unseal_secrets(conn, sealed, &old);
	if (status == SECRET_BOX_OK)
		return old;
	if (status == SECRET_BOX_CRYPTO_ERROR ||
		missing_secret(spec->secrets, provider) != NULL)
		report_unseal_failure(conn, sealed, status);
	ereport(NOTICE,
			(errmsg("discarding the stored secrets of connection \"%s\", which cannot be decrypted",
					conn->name),
			 status == SECRET_BOX_OTHER_KEY ?
			 errdetail("They were encrypted under another cluster key.") :
			 errdetail("They failed authentication."),
			 errhint("Only the secrets given in this ALTER CONNECTION are kept.")));
	return NIL;
}

/*
 * check_create_privilege
 *		Creating connections is a right the DBA grants: EXECUTE on
 *		mlpredict.create_connection(text, jsonb, text), revoked from PUBLIC
 *		at installation, as postgres_fdw needs USAGE on the wrapper for
 *		CREATE SERVER.  The function form checks it on entry; the statement
 *		form (execute()) reaches here without it, so it is checked here for
 *		both.  The function is found by its qualified name and argument
 *		types, whatever the caller's search_path.
 */
static void
check_create_privilege(const char *name)
{
	Oid			argtypes[3] = {TEXTOID, JSONBOID, TEXTOID};
	Oid			func;

	func = LookupFuncName(list_make2(makeString("mlpredict"), makeString("create_connection")),
						  3, argtypes, true);
	if (OidIsValid(func) && MlProcAclCheck(func, GetUserId(), ACL_EXECUTE) == ACLCHECK_OK)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to create connection \"%s\"", name),
			 errdetail("Creating connections needs EXECUTE on mlpredict.create_connection(text, jsonb, text), which superusers have and PUBLIC does not."),
			 errhint("A superuser can allow it with GRANT EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) TO <role>.")));
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

	check_create_privilege(name);
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
		CatalogCheckOwner(GetUserId(), existing->owner_id, "connection", name);
		if (strcmp(existing->type, spec->type) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot change the type of connection \"%s\" from \"%s\" to \"%s\"",
							name, existing->type, spec->type),
					 errhint("Drop the connection and create it again.")));
	}
	check_reference_privilege(name, spec->secrets);
	store_connection(name, spec, comment, existing != NULL);
	return true;
}

/*
 * CatalogReportMissingConnection
 *		What ALTER and DROP CONNECTION say of a connection that does not
 *		exist: an error, or with IF EXISTS a NOTICE that it was skipped.
 */
void
CatalogReportMissingConnection(const char *name, bool if_exists)
{
	if (!if_exists)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("connection \"%s\" does not exist", name)));
	ereport(NOTICE,
			(errmsg("connection \"%s\" does not exist, skipping", name)));
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
	bytea	   *sealed = NULL;
	MlConnection *conn = read_connection(name, true, &sealed);
	const MlProvider *provider;
	List	   *old_secrets;
	ConnectionSpec *spec = palloc0(sizeof(ConnectionSpec));
	MlOption   *type;
	ListCell   *lc;

	if (conn == NULL)
	{
		CatalogReportMissingConnection(name, if_exists);
		return false;
	}
	CatalogCheckOwner(GetUserId(), conn->owner_id, "connection", name);
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

	/* keep what was not set (secrets as stored: references unresolved) */
	if (spec->endpoint == NULL)
		spec->endpoint = conn->endpoint;
	old_secrets = secrets_to_keep(conn, sealed, spec, provider);
	foreach(lc, old_secrets)
		if (!MlOptionFind(spec->secrets, ((MlOption *) lfirst(lc))->key))
			spec->secrets = lappend(spec->secrets, lfirst(lc));
	foreach(lc, conn->options)
		if (!MlOptionFind(spec->options, ((MlOption *) lfirst(lc))->key))
			spec->options = lappend(spec->options, lfirst(lc));
	spec->type = conn->type;
	check_required_secrets(spec, provider);
	check_reference_privilege(name, spec->secrets);
	store_connection(name, spec, conn->comment, true);
	return true;
}

/*
 * read_connection
 *		Read a connection without its secrets; when sealed is given, also
 *		its sealed secrets (NULL if it has none).  NULL if the connection
 *		does not exist and missing_ok.
 */
static MlConnection *
read_connection(const char *name, bool missing_ok, bytea **sealed)
{
	CatalogAccess access;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	MlConnection *conn = NULL;
	char	   *options = NULL;

	if (sealed)
		*sealed = NULL;
	CatalogBegin(&access);
	if (CatalogExec("SELECT c.name, c.type, c.endpoint, c.options::text, c.comment, c.owner::oid::text, "
					"  s.sealed "
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
		conn->owner_id = atooid(CatalogGetText(0, 6));
		if (sealed)
			*sealed = (bytea *) CatalogGetVarlena(&access, 0, 7);
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
	conn->owner = CatalogOwnerName(conn->owner_id);
	conn->options = MlOptionsFromJsonText(options, "connection");
	conn->secrets = NIL;
	return conn;
}

/*
 * CatalogGetConnection
 *		Read a connection (with its secrets only when asked: opened, and
 *		references resolved); NULL if it does not exist and missing_ok.
 */
MlConnection *
CatalogGetConnection(const char *name, bool with_secrets, bool missing_ok)
{
	bytea	   *sealed = NULL;
	MlConnection *conn = read_connection(name, missing_ok,
										 with_secrets ? &sealed : NULL);
	List	   *stored = NIL;
	ListCell   *lc;

	if (conn == NULL || !with_secrets)
		return conn;
	if (sealed)
	{
		SecretBoxStatus status = unseal_secrets(conn, sealed, &stored);

		if (status != SECRET_BOX_OK)
			report_unseal_failure(conn, sealed, status);
	}
	foreach(lc, stored)
	{
		MlOption   *opt = lfirst(lc);

		conn->secrets = lappend(conn->secrets,
								MlMakeOption(opt->key,
											 SecretRefResolve(conn->name, opt->key, opt->value),
											 -1));
	}
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
