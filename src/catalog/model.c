/*-------------------------------------------------------------------------
 *
 * model.c
 *	  CREATE / ALTER / DROP MODEL, versions and reading models back.
 *
 * A model lives in a schema like a table: unqualified names are created in
 * the first schema of search_path and looked up along search_path, and
 * creating one needs CREATE on the schema.  INPUT, OUTPUT, COMMENT and task
 * belong to the model; each version (1..10) has its own WITH options.
 * Repeating CREATE MODEL adds a version; the default version stays until
 * ALTER MODEL ... SET ('default_version' = 'N').  When the default version
 * is dropped, the highest remaining version becomes the default.
 *
 * IDENTIFICATION
 *	  src/catalog/model.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "options/options.h"
#include "stats/stats.h"
#include "syntax/names.h"
#include "types/typemap.h"
#include "util.h"

/* A model row plus the text of all its versions, as read. */
typedef struct RawVersion
{
	int			version;
	char	   *options;
} RawVersion;

/*
 * model_display
 *		schema.name for messages.
 */
static char *
model_display(const char *schema, const char *name)
{
	return MlQualifiedModelName(schema, name);
}

/*
 * CatalogModelCreationSchema
 *		Schema a new model goes to: the named one, or the first schema of
 *		search_path.  The caller must have CREATE on it.
 */
char *
CatalogModelCreationSchema(MlModelRef *ref)
{
	Oid			nsp;
	AclResult	aclresult;

	if (ref->schema)
		nsp = get_namespace_oid(ref->schema, false);
	else
	{
		List	   *path = fetch_search_path(false);

		if (path == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_SCHEMA),
					 errmsg("no schema has been selected to create in"),
					 errhint("Qualify the model name with a schema, or set search_path.")));
		nsp = linitial_oid(path);
	}
	aclresult = MlNamespaceAclCheck(nsp, GetUserId(), ACL_CREATE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_SCHEMA, get_namespace_name(nsp));
	return get_namespace_name(nsp);
}

/*
 * model_exists_in
 *		Does schema.name exist in the catalog?
 */
static bool
model_exists_in(const char *schema, const char *name)
{
	CatalogAccess access;
	Oid			types[2] = {NAMEOID, TEXTOID};
	Datum		values[2];
	int			n;

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = CStringGetTextDatum(name);
	CatalogBegin(&access);
	n = CatalogExec("SELECT FROM mlpredict.model WHERE schema_name OPERATOR(pg_catalog.=) $1 "
					"AND name OPERATOR(pg_catalog.=) $2",
					2, types, values, "  ", true);
	CatalogEnd(&access);
	return n > 0;
}

/*
 * find_model_schema
 *		The named schema if it has a model called name, else the first
 *		schema on search_path that has one; NULL if none.
 */
static char *
find_model_schema(const char *named_schema, const char *name)
{
	ListCell   *lc;

	if (named_schema)
		return model_exists_in(named_schema, name) ? pstrdup(named_schema) : NULL;
	foreach(lc, fetch_search_path(false))
	{
		char	   *schema = get_namespace_name(lfirst_oid(lc));

		if (schema && model_exists_in(schema, name))
			return schema;
	}
	return NULL;
}

/*
 * CatalogResolveModelSchema
 *		Schema holding the referenced model: the named one, or the first
 *		schema on search_path that has a model of that name.  When no model
 *		has the name, its other spelling (ref->alt_name: Flink keeps the
 *		case of unquoted names) is looked up the same way, and ref is
 *		changed to name the model found.
 */
char *
CatalogResolveModelSchema(MlModelRef *ref, bool missing_ok)
{
	char	   *schema = find_model_schema(ref->schema, ref->name);

	if (schema)
		return schema;
	if (ref->alt_name && (schema = find_model_schema(ref->schema, ref->alt_name)) != NULL)
	{
		ref->name = ref->alt_name;
		ref->alt_name = NULL;
		return schema;
	}
	if (missing_ok)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("model \"%s\" does not exist",
					ref->schema ? model_display(ref->schema, ref->name) : ref->name),
			 ref->schema ? 0 :
			 errhint("Unqualified model names are looked up along search_path.")));
	return NULL;
}

/*
 * load_versions
 *		Read a model row and all its versions.  Returns a model whose
 *		version-specific fields are unset, and the versions in *versions.
 */
static MlModel *
load_versions(const char *schema, const char *name, List **versions)
{
	CatalogAccess access;
	Oid			types[2] = {NAMEOID, TEXTOID};
	Datum		values[2];
	MlModel    *model;
	char	   *input = NULL,
			   *output = NULL,
			   *defv = NULL;
	RawVersion *raw;
	int			n,
				i;

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = CStringGetTextDatum(name);
	CatalogBegin(&access);
	n = CatalogExec("SELECT m.input::text, m.output::text, m.task, m.comment, "
					"  m.default_version::text, m.owner::oid::text, v.version::text, v.options::text "
					"FROM mlpredict.model m JOIN mlpredict.model_version v "
					"  ON v.schema_name OPERATOR(pg_catalog.=) m.schema_name "
					"  AND v.name OPERATOR(pg_catalog.=) m.name "
					"WHERE m.schema_name OPERATOR(pg_catalog.=) $1 AND m.name OPERATOR(pg_catalog.=) $2 "
					"ORDER BY v.version",
					2, types, values, "  ", true);
	model = SPI_palloc(sizeof(MlModel));
	raw = SPI_palloc(sizeof(RawVersion) * (n + 1));
	if (n > 0)
	{
		input = CatalogGetText(0, 1);
		output = CatalogGetText(0, 2);
		model->task = CatalogGetText(0, 3);
		model->comment = CatalogGetText(0, 4);
		defv = CatalogGetText(0, 5);
		model->owner_id = atooid(CatalogGetText(0, 6));
	}
	for (i = 0; i < n; i++)
	{
		raw[i].version = atoi(CatalogGetText(i, 7));
		raw[i].options = CatalogGetText(i, 8);
	}
	CatalogEnd(&access);
	if (n == 0)
		return NULL;

	model->schema = pstrdup(schema);
	model->name = pstrdup(name);
	model->input = MlColumnsFromJson(input);
	model->output = MlColumnsFromJson(output);
	model->owner = CatalogOwnerName(model->owner_id);
	model->default_version = atoi(defv);
	model->version = 0;
	model->options = NIL;
	*versions = NIL;
	for (i = 0; i < n; i++)
	{
		RawVersion *r = palloc(sizeof(RawVersion));

		*r = raw[i];
		*versions = lappend(*versions, r);
	}
	return model;
}

/*
 * with_version
 *		Copy of model describing one version.
 */
static MlModel *
with_version(MlModel *model, RawVersion *raw)
{
	MlModel    *copy = palloc(sizeof(MlModel));

	*copy = *model;
	copy->version = raw->version;
	copy->options = MlOptionsFromJsonText(raw->options, "model");
	return copy;
}

/*
 * pick_version
 *		The version a reference addresses (not $all); error if missing.
 */
static RawVersion *
pick_version(MlModel *model, List *versions, MlModelRef *ref, bool missing_ok)
{
	int			want = model->default_version;
	ListCell   *lc;

	if (ref->version_kind == ML_VERSION_NUMBER)
		want = ref->version;
	else if (ref->version_kind == ML_VERSION_LATEST)
		want = ((RawVersion *) llast(versions))->version;
	foreach(lc, versions)
		if (((RawVersion *) lfirst(lc))->version == want)
			return lfirst(lc);
	if (missing_ok)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("version %d of model \"%s\" does not exist", want,
					model_display(model->schema, model->name))));
	return NULL;
}

/*
 * CatalogGetModelVersions
 *		All versions a reference addresses ($all: every version), each as an
 *		MlModel.  NIL if the model does not exist and missing_ok.
 */
List *
CatalogGetModelVersions(MlModelRef *ref, bool missing_ok)
{
	char	   *schema = CatalogResolveModelSchema(ref, missing_ok);
	List	   *versions = NIL;
	List	   *result = NIL;
	MlModel    *model;
	ListCell   *lc;
	RawVersion *raw;

	if (schema == NULL)
		return NIL;
	model = load_versions(schema, ref->name, &versions);
	if (model == NULL)
		return NIL;
	if (ref->version_kind == ML_VERSION_ALL)
	{
		foreach(lc, versions)
			result = lappend(result, with_version(model, lfirst(lc)));
		return result;
	}
	raw = pick_version(model, versions, ref, missing_ok);
	return raw ? list_make1(with_version(model, raw)) : NIL;
}

/*
 * CatalogGetModel
 *		One version of a model ($all is refused).
 */
MlModel *
CatalogGetModel(MlModelRef *ref, bool missing_ok)
{
	List	   *versions;

	if (ref->version_kind == ML_VERSION_ALL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"$all\" cannot be used here"),
				 errhint("Name one version, such as \"%s$1\", or the model alone for its default version.",
						 ref->name)));
	versions = CatalogGetModelVersions(ref, missing_ok);
	return versions ? linitial(versions) : NULL;
}

/*
 * check_same_definition
 *		A new version must keep INPUT, OUTPUT, COMMENT and task.
 */
static void
check_same_definition(MlModel *model, List *input, List *output,
					  const char *comment, const char *task)
{
	const char *what = NULL;

	if (!MlColumnsEqual(model->input, input))
		what = "INPUT";
	else if (!MlColumnsEqual(model->output, output))
		what = "OUTPUT";
	else if ((model->comment == NULL) != (comment == NULL) ||
			 (comment && strcmp(model->comment, comment) != 0))
		what = "COMMENT";
	else if (strcmp(model->task, task) != 0)
		what = "task";
	if (what)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("a new version of model \"%s\" must keep its %s",
						model_display(model->schema, model->name), what),
				 errdetail("Repeating CREATE MODEL adds a version; only the WITH options may change between versions."),
				 errhint("Drop the model with DROP MODEL %s$all to redefine it.",
						 model_display(model->schema, model->name))));
}

/*
 * insert_version
 *		Add a version row.
 */
static void
insert_version(const char *schema, const char *name, int version, List *options)
{
	CatalogAccess access;
	Oid			types[4] = {NAMEOID, TEXTOID, INT4OID, TEXTOID};
	Datum		values[4];

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = CStringGetTextDatum(name);
	values[2] = Int32GetDatum(version);
	values[3] = CStringGetTextDatum(MlOptionsToJson(options));
	CatalogBegin(&access);
	CatalogExec("INSERT INTO mlpredict.model_version (schema_name, name, version, options) "
				"VALUES ($1, $2, $3, $4::jsonb)",
				4, types, values, "    ", false);
	CatalogEnd(&access);
}

/*
 * insert_model
 *		Add a model row.
 */
static void
insert_model(const char *schema, const char *name, List *input, List *output,
			 const char *task, const char *comment)
{
	CatalogAccess access;
	Oid			types[7] = {NAMEOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, REGROLEOID};
	Datum		values[7];
	char		nulls[7];

	memset(nulls, ' ', sizeof(nulls));	/* SPI: no column is null */
	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = CStringGetTextDatum(name);
	values[2] = CStringGetTextDatum(MlColumnsToJson(input));
	values[3] = CStringGetTextDatum(MlColumnsToJson(output));
	values[4] = CStringGetTextDatum(task);
	values[5] = comment ? CStringGetTextDatum(comment) : (Datum) 0;
	nulls[5] = comment ? ' ' : 'n';
	values[6] = ObjectIdGetDatum(GetUserId());
	CatalogBegin(&access);
	CatalogExec("INSERT INTO mlpredict.model (schema_name, name, input, output, task, comment, owner) "
				"VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)",
				7, types, values, nulls, false);
	CatalogEnd(&access);
}

/*
 * Most columns a model may declare: every INPUT column is an argument of
 * ml_predict (with the model and the options, within PostgreSQL's 100),
 * and every OUTPUT column a column of its result (at most 1600).
 */
#define MAX_INPUT_COLUMNS	(FUNC_MAX_ARGS - 2)
#define MAX_OUTPUT_COLUMNS	MaxHeapAttributeNumber

/*
 * check_column_count
 *		ERROR when a clause declares more columns than a call can carry.
 */
static List *
check_column_count(List *columns, const char *clause)
{
	bool		input = strcmp(clause, "INPUT") == 0;
	int			max = input ? MAX_INPUT_COLUMNS : MAX_OUTPUT_COLUMNS;

	if (list_length(columns) > max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("model %s declares %d columns, more than the %d a call can carry",
						clause, list_length(columns), max),
				 input ?
				 errhint("Pass related values as one ROW<...> or ARRAY<...> column.") :
				 errhint("Return related values as one ROW<...> or ARRAY<...> column.")));
	return columns;
}

/*
 * parse_model_columns
 *		INPUT and OUTPUT columns of a CREATE MODEL; both are required.
 */
static List *
parse_model_columns(const char *text, int location, const char *clause,
					const char *statement)
{
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("CREATE MODEL requires an %s clause", clause),
				 errhint("Declare the columns, for example %s (text STRING).", clause)));
	return check_column_count(MlParseColumns(text, clause, statement, location), clause);
}

/*
 * model_connection
 *		The catalog's part of checking <provider>.connection, for
 *		MlValidateModelOptions: name must be a connection of the provider's
 *		type that the current user may use.  Returns its endpoint.
 */
static const char *
model_connection(const char *name, const char *provider)
{
	MlConnection *conn = CatalogGetConnection(name, false, true);

	if (conn == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("connection \"%s\" does not exist", name),
				 errhint("Create it with CREATE CONNECTION %s WITH ('type' = '%s', ...).",
						 name, provider)));
	if (strcmp(conn->type, provider) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("connection \"%s\" has type \"%s\" but the model's provider is \"%s\"",
						name, conn->type, provider)));
	CatalogCheckConnectionUsage(name);
	return conn->endpoint;
}

/*
 * connection_spelling
 *		The connection a '<provider>.connection' value names: the value as
 *		written, or, when no connection has that name, its lower-case
 *		spelling if one has that (CREATE CONNECTION MyConn stores myconn,
 *		while Flink keeps the case, so Confluent's statements then write
 *		'MyConn').
 */
static char *
connection_spelling(char *name)
{
	char	   *lower;

	if (CatalogGetConnection(name, false, true) != NULL)
		return name;
	lower = asc_tolower(name, strlen(name));
	if (strcmp(lower, name) != 0 && CatalogGetConnection(lower, false, true) != NULL)
		return lower;
	return name;
}

/*
 * canonical_option_values
 *		Values stored in one spelling whatever the case they were written
 *		in: the task in lower case (tasks are matched ignoring case, and
 *		the catalog and the version rules compare the stored task), and a
 *		'<provider>.connection' value written as Confluent's three-part
 *		name ('env.cluster.conn', `env`.`cluster`.`conn`) as its last part,
 *		as connection names do everywhere, then as the connection's stored
 *		spelling (connection_spelling).
 */
static List *
canonical_option_values(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);
		size_t		len = strlen(opt->key);

		if (opt->value != NULL && strcmp(opt->key, "task") == 0)
			opt->value = asc_tolower(opt->value, strlen(opt->value));
		if (opt->value == NULL || len <= 11 ||
			strcmp(opt->key + len - 11, ".connection") != 0)
			continue;
		if (strpbrk(opt->value, ".`\"") != NULL)
			opt->value = MlParseConnectionName(opt->value);
		opt->value = connection_spelling(opt->value);
	}
	return options;
}

/*
 * check_create_options
 *		Options of CREATE MODEL: lower-cased, no default_version.
 */
static List *
check_create_options(List *options, const char *statement)
{
	MlOption   *dv;

	options = canonical_option_values(MlOptionsLowerKeys(options));
	dv = MlOptionFind(options, "default_version");
	if (dv)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"default_version\" cannot be set by CREATE MODEL"),
				 errhint("Use ALTER MODEL ... SET ('default_version' = 'N')."),
				 statement && dv->location >= 0 ?
				 internalerrposition(MlErrorPosition(statement, dv->location)) : 0,
				 statement && dv->location >= 0 ? internalerrquery(statement) : 0));
	return options;
}

/*
 * add_version
 *		CREATE MODEL on an existing model: append version max+1.
 */
static int
add_version(MlModel *model, List *versions, List *input, List *output,
			List *options, const char *comment)
{
	int			next = ((RawVersion *) llast(versions))->version + 1;

	CatalogCheckOwner(GetUserId(), model->owner_id, "model",
					  model_display(model->schema, model->name));
	check_same_definition(model, input, output, comment, MlOptionGet(options, "task"));
	if (list_length(versions) >= MLPREDICT_MAX_VERSIONS || next > MLPREDICT_MAX_VERSIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("model \"%s\" cannot have more than %d versions",
						model_display(model->schema, model->name), MLPREDICT_MAX_VERSIONS),
				 errhint("Drop an old version with DROP MODEL %s$N.",
						 model_display(model->schema, model->name))));
	insert_version(model->schema, model->name, next, options);
	return next;
}

/*
 * CatalogCreateModel
 *		CREATE MODEL: a new model with version 1 and its typed function, or
 *		a new version of an existing one.  Returns the version created, or
 *		0 when IF NOT EXISTS skipped an existing model.
 */
int
CatalogCreateModel(MlModelRef *ref, const char *input_text, int input_location,
				   const char *output_text, int output_location, List *options,
				   const char *comment, bool if_not_exists, const char *statement)
{
	List	   *input = parse_model_columns(input_text, input_location, "INPUT", statement);
	List	   *output = parse_model_columns(output_text, output_location, "OUTPUT", statement);
	char	   *schema;
	List	   *versions = NIL;
	MlModel    *model;

	if (ref->version_kind != ML_VERSION_DEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("CREATE MODEL takes a model name without a version"),
				 errhint("Repeating CREATE MODEL on the same name adds the next version.")));
	options = check_create_options(options, statement);
	MlValidateModelOptions(options, input, output, statement, model_connection);
	schema = CatalogModelCreationSchema(ref);
	model = load_versions(schema, ref->name, &versions);
	/* the other spelling of the name (see CatalogResolveModelSchema) */
	if (model == NULL && ref->alt_name &&
		(model = load_versions(schema, ref->alt_name, &versions)) != NULL)
		ref->name = ref->alt_name;
	if (model && if_not_exists)
	{
		ereport(NOTICE,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("model \"%s\" already exists, skipping", model_display(schema, ref->name))));
		return 0;
	}
	if (model)
		return add_version(model, versions, input, output, options, comment);

	insert_model(schema, ref->name, input, output, MlOptionGet(options, "task"), comment);
	insert_version(schema, ref->name, 1, options);
	model = load_versions(schema, ref->name, &versions);
	TypedFunctionCreate(model);
	return 1;
}

/*
 * update_default_version
 *		Point the model at another default version.
 */
static void
update_default_version(MlModel *model, int version)
{
	CatalogAccess access;
	Oid			types[3] = {NAMEOID, TEXTOID, INT4OID};
	Datum		values[3];

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(model->schema));
	values[1] = CStringGetTextDatum(model->name);
	values[2] = Int32GetDatum(version);
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.model SET default_version = $3 "
				"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
				3, types, values, "   ", false);
	CatalogEnd(&access);
}

/*
 * set_default_version
 *		ALTER MODEL m SET ('default_version' = 'N').
 */
static void
set_default_version(MlModel *model, List *versions, MlOption *opt)
{
	int64		n;
	MlModelRef	ref = {model->schema, model->name, ML_VERSION_NUMBER, 0};

	if (!MlParseInt(opt->value, &n) || n < 1 || n > MLPREDICT_MAX_VERSIONS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for \"default_version\": \"%s\"", opt->value),
				 errhint("Use the number of an existing version.")));
	ref.version = (int) n;
	(void) pick_version(model, versions, &ref, false);
	update_default_version(model, (int) n);
}

/*
 * apply_set_reset
 *		New option list of a version after SET and RESET.
 */
static List *
apply_set_reset(List *options, List *set_options, List *reset_keys, MlModel *model,
				const char *statement)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, reset_keys)
	{
		MlOption   *opt = lfirst(lc);
		const char *key = opt->key;

		if (pg_strcasecmp(key, "provider") == 0 || pg_strcasecmp(key, "task") == 0 ||
			(strlen(key) > 11 && pg_strcasecmp(key + strlen(key) - 11, ".connection") == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot reset required model option \"%s\"", key)));
		if (pg_strcasecmp(key, "default_version") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot reset \"default_version\""),
					 errdetail("The default version is a property of the model, not an option of a version."),
					 errhint("Choose one with ALTER MODEL %s SET ('default_version' = '<n>').",
							 model->name)));
		/* a key SET would refuse is refused here too, not ignored */
		MlCheckModelOptionKey(opt, MlOptionGet(options, "provider"), statement);
	}
	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (MlOptionFind(set_options, opt->key) || MlOptionFind(reset_keys, opt->key))
			continue;
		result = lappend(result, opt);
	}
	result = list_concat(result, set_options);
	if (strcmp(MlOptionGet(result, "task"), model->task) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("cannot change the task of model \"%s\"",
						model_display(model->schema, model->name)),
				 errdetail("The task is shared by all versions of a model.")));
	return result;
}

/*
 * update_version_options
 *		Store new options for one version.
 */
static void
update_version_options(MlModel *model, int version, List *options)
{
	CatalogAccess access;
	Oid			types[4] = {NAMEOID, TEXTOID, INT4OID, TEXTOID};
	Datum		values[4];

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(model->schema));
	values[1] = CStringGetTextDatum(model->name);
	values[2] = Int32GetDatum(version);
	values[3] = CStringGetTextDatum(MlOptionsToJson(options));
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.model_version SET options = $4::jsonb "
				"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2 "
				"AND version OPERATOR(pg_catalog.=) $3",
				4, types, values, "    ", false);
	CatalogEnd(&access);
}

/*
 * CatalogAlterModelOptions
 *		ALTER MODEL m[$v] SET (...) / RESET (...).  Without a version the
 *		default version is changed.  'default_version' moves the default.
 */
bool
CatalogAlterModelOptions(MlModelRef *ref, List *set_options, List *reset_keys,
						 bool if_exists, const char *statement)
{
	char	   *schema = CatalogResolveModelSchema(ref, if_exists);
	List	   *versions = NIL;
	MlModel    *model = schema ? load_versions(schema, ref->name, &versions) : NULL;
	MlOption   *dv;
	RawVersion *raw;
	MlModel    *current;

	if (model == NULL)
	{
		ereport(NOTICE, (errmsg("model \"%s\" does not exist, skipping", ref->name)));
		return false;
	}
	CatalogCheckOwner(GetUserId(), model->owner_id, "model", model_display(schema, ref->name));
	if (ref->version_kind == ML_VERSION_ALL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ALTER MODEL cannot change all versions at once"),
				 errhint("Name one version, such as \"%s$1\".", ref->name)));
	raw = pick_version(model, versions, ref, if_exists);
	if (raw == NULL)
	{
		ereport(NOTICE, (errmsg("model version does not exist, skipping")));
		return false;
	}
	set_options = canonical_option_values(MlOptionsLowerKeys(set_options));
	MlCheckDuplicateOptions(set_options, statement);
	dv = MlOptionFind(set_options, "default_version");
	if (dv)
	{
		set_default_version(model, versions, dv);
		set_options = list_delete_ptr(set_options, dv);
	}
	if (set_options == NIL && reset_keys == NIL)
		return true;
	current = with_version(model, raw);
	current->options = apply_set_reset(current->options, set_options,
									   reset_keys, model, statement);
	MlValidateModelOptions(current->options, model->input, model->output, statement,
						   model_connection);
	update_version_options(model, raw->version, current->options);
	return true;
}

/*
 * CatalogRenameModel
 *		ALTER MODEL m RENAME TO [schema.]new; the typed function follows.
 */
bool
CatalogRenameModel(MlModelRef *ref, MlModelRef *new_ref, bool if_exists)
{
	char	   *schema = CatalogResolveModelSchema(ref, if_exists);
	List	   *versions = NIL;
	MlModel    *model = schema ? load_versions(schema, ref->name, &versions) : NULL;
	char	   *new_schema;
	CatalogAccess access;
	Oid			types[4] = {NAMEOID, TEXTOID, NAMEOID, TEXTOID};
	Datum		values[4];

	if (model == NULL)
	{
		ereport(NOTICE, (errmsg("model \"%s\" does not exist, skipping", ref->name)));
		return false;
	}
	if (ref->version_kind != ML_VERSION_DEFAULT || new_ref->version_kind != ML_VERSION_DEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("ALTER MODEL ... RENAME TO renames the whole model, not a version")));
	CatalogCheckOwner(GetUserId(), model->owner_id, "model", model_display(schema, ref->name));
	new_schema = new_ref->schema ? CatalogModelCreationSchema(new_ref) : schema;
	if (model_exists_in(new_schema, new_ref->name))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("model \"%s\" already exists", model_display(new_schema, new_ref->name))));
	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	values[1] = CStringGetTextDatum(ref->name);
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(new_schema));
	values[3] = CStringGetTextDatum(new_ref->name);
	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.model SET schema_name = $3, name = $4 "
				"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
				4, types, values, "    ", false);
	CatalogEnd(&access);
	TypedFunctionRename(model, new_schema, new_ref->name);
	return true;
}

/*
 * delete_rows
 *		Delete one version (version > 0) or the whole model (version 0).
 */
static void
delete_rows(MlModel *model, int version)
{
	CatalogAccess access;
	Oid			types[3] = {NAMEOID, TEXTOID, INT4OID};
	Datum		values[3];

	values[0] = DirectFunctionCall1(namein, CStringGetDatum(model->schema));
	values[1] = CStringGetTextDatum(model->name);
	values[2] = Int32GetDatum(version);
	CatalogBegin(&access);
	if (version > 0)
		CatalogExec("DELETE FROM mlpredict.model_version "
					"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2 "
					"AND version OPERATOR(pg_catalog.=) $3",
					3, types, values, "   ", false);
	else
		CatalogExec("DELETE FROM mlpredict.model "
					"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
					2, types, values, "  ", false);
	CatalogEnd(&access);
}

/*
 * CatalogDropModel
 *		DROP MODEL m (default version), m$N, m$latest or m$all.  Dropping
 *		the last version drops the model and its typed function.
 */
bool
CatalogDropModel(MlModelRef *ref, bool if_exists)
{
	char	   *schema = CatalogResolveModelSchema(ref, if_exists);
	List	   *versions = NIL;
	MlModel    *model = schema ? load_versions(schema, ref->name, &versions) : NULL;
	RawVersion *raw;
	int			highest = 0;
	ListCell   *lc;

	if (model == NULL)
	{
		ereport(NOTICE, (errmsg("model \"%s\" does not exist, skipping", ref->name)));
		return false;
	}
	CatalogCheckOwner(GetUserId(), model->owner_id, "model", model_display(schema, ref->name));
	if (ref->version_kind == ML_VERSION_ALL || list_length(versions) == 1)
	{
		raw = ref->version_kind == ML_VERSION_ALL ? NULL :
			pick_version(model, versions, ref, if_exists);
		if (ref->version_kind != ML_VERSION_ALL && raw == NULL)
		{
			ereport(NOTICE, (errmsg("model version does not exist, skipping")));
			return false;
		}
		/* rows first: the sql_drop event trigger then has nothing to forget */
		delete_rows(model, 0);
		TypedFunctionDrop(model);
		MlStatsForget(MyDatabaseId, NULL, MlQualifiedModelName(model->schema, model->name));
		return true;
	}
	raw = pick_version(model, versions, ref, if_exists);
	if (raw == NULL)
	{
		ereport(NOTICE, (errmsg("model version does not exist, skipping")));
		return false;
	}
	delete_rows(model, raw->version);
	if (raw->version != model->default_version)
		return true;
	foreach(lc, versions)
		if (((RawVersion *) lfirst(lc))->version != raw->version)
			highest = ((RawVersion *) lfirst(lc))->version;
	update_default_version(model, highest);
	return true;
}

/*
 * CatalogListModels
 *		Names of the models in a schema (default: first schema of
 *		search_path), sorted.
 */
List *
CatalogListModels(const char *schema)
{
	CatalogAccess access;
	Oid			types[1] = {NAMEOID};
	Datum		values[1];
	List	   *names;

	if (schema == NULL)
	{
		List	   *path = fetch_search_path(false);

		if (path == NIL)
			return NIL;
		schema = get_namespace_name(linitial_oid(path));
	}
	values[0] = DirectFunctionCall1(namein, CStringGetDatum(schema));
	CatalogBegin(&access);
	CatalogExec("SELECT name FROM mlpredict.model WHERE schema_name OPERATOR(pg_catalog.=) $1 "
				"ORDER BY name COLLATE \"C\"",
				1, types, values, " ", true);
	names = CatalogGetTextColumn(&access, 1);
	CatalogEnd(&access);
	return names;
}

/*
 * CatalogAlterModelOwner
 *		ALTER MODEL m OWNER TO role: the model and its typed function change
 *		hands together.  PostgreSQL's rules for ALTER ... OWNER apply (owner
 *		or superuser; membership in the new role), and the new owner must be
 *		allowed to use every connection the model's versions name, as it
 *		would to create the model.
 */
void
CatalogAlterModelOwner(MlModelRef *ref, const char *new_owner)
{
	char	   *schema;
	List	   *versions = NIL;
	MlModel    *model;
	Oid			owner;
	ListCell   *lc;

	if (ref->version_kind != ML_VERSION_DEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("ALTER MODEL ... OWNER TO changes the whole model, not a version")));
	schema = CatalogResolveModelSchema(ref, false);
	model = load_versions(schema, ref->name, &versions);
	owner = CatalogNewOwner(new_owner, model->owner_id, "model",
							model_display(schema, ref->name));
	foreach(lc, versions)
	{
		MlModel    *version = with_version(model, lfirst(lc));
		ListCell   *lo;

		foreach(lo, version->options)
		{
			MlOption   *opt = lfirst(lo);
			size_t		len = strlen(opt->key);

			if (len > 11 && strcmp(opt->key + len - 11, ".connection") == 0)
				CatalogCheckRoleConnectionUsage(opt->value, owner);
		}
	}
	TypedFunctionSetOwner(model, owner);
	CatalogSetModelOwner(model, owner);
}

/*
 * CatalogSetModelOwner
 *		Store a model's owner of record; no checks (the callers made them,
 *		or PostgreSQL did for ALTER FUNCTION ... OWNER TO).
 */
void
CatalogSetModelOwner(MlModel *model, Oid owner)
{
	CatalogAccess access;

	CatalogBegin(&access);
	CatalogExec("UPDATE mlpredict.model SET owner = $3 "
				"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
				3, (Oid[]) {NAMEOID, TEXTOID, REGROLEOID},
				(Datum[]) {DirectFunctionCall1(namein, CStringGetDatum(model->schema)),
						   CStringGetTextDatum(model->name), ObjectIdGetDatum(owner)},
				"   ", false);
	CatalogEnd(&access);
}

/*
 * drop_function_of
 *		Drop a model's typed function for DROP CONNECTION ... CASCADE.  The
 *		function may belong to another role: as DROP ... CASCADE drops
 *		dependent objects of other owners, it is deleted through the
 *		dependency machinery (RESTRICT: a view on it still stops the drop).
 */
static void
drop_function_of(MlModel *model)
{
	ObjectAddress address;

	address.classId = ProcedureRelationId;
	address.objectId = TypedFunctionLookup(model);
	address.objectSubId = 0;
	if (OidIsValid(address.objectId))
		performDeletion(&address, DROP_RESTRICT, 0);
}

/*
 * uses_connection
 *		Does a version (its options as stored JSON) name the connection?
 */
static bool
uses_connection(RawVersion *raw, const char *connection)
{
	ListCell   *lc;

	foreach(lc, MlOptionsFromJsonText(raw->options, "model"))
	{
		MlOption   *opt = lfirst(lc);
		size_t		len = strlen(opt->key);

		if (len > 11 && pg_strcasecmp(opt->key + len - 11, ".connection") == 0 &&
			strcmp(opt->value, connection) == 0)
			return true;
	}
	return false;
}

/*
 * CatalogDropModelsUsing
 *		For DROP CONNECTION ... CASCADE (the connection's owner or a
 *		superuser, checked by the caller): drop every model version that
 *		uses the connection, whoever owns it; a model left without versions
 *		is dropped with its typed function, and one that lost its default
 *		version gets the highest remaining one.
 */
void
CatalogDropModelsUsing(const char *connection)
{
	CatalogAccess access;
	List	   *schemas;
	List	   *names;
	ListCell   *ls;
	ListCell   *ln;

	CatalogBegin(&access);
	CatalogExec("SELECT DISTINCT schema_name::text, name FROM mlpredict.model_version v "
				"WHERE EXISTS (SELECT FROM jsonb_each_text(v.options) e "
				"  WHERE e.key OPERATOR(pg_catalog.~~) '%.connection' AND e.value OPERATOR(pg_catalog.=) $1)",
				1, (Oid[]) {TEXTOID}, (Datum[]) {CStringGetTextDatum(connection)}, " ", true);
	schemas = CatalogGetTextColumn(&access, 1);
	names = CatalogGetTextColumn(&access, 2);
	CatalogEnd(&access);

	forboth(ls, schemas, ln, names)
	{
		List	   *versions = NIL;
		MlModel    *model = load_versions(lfirst(ls), lfirst(ln), &versions);
		int			highest = 0;
		bool		default_gone = false;
		ListCell   *lc;

		if (model == NULL)
			continue;
		foreach(lc, versions)
		{
			RawVersion *raw = lfirst(lc);

			if (!uses_connection(raw, connection))
				highest = raw->version;
			else if (raw->version == model->default_version)
				default_gone = true;
		}
		if (highest == 0)
		{
			delete_rows(model, 0);
			drop_function_of(model);
			continue;
		}
		foreach(lc, versions)
			if (uses_connection(lfirst(lc), connection))
				delete_rows(model, ((RawVersion *) lfirst(lc))->version);
		if (default_gone)
			update_default_version(model, highest);
	}
}

/*
 * CatalogFollowSchemaRename
 *		After ALTER SCHEMA ... RENAME (ddl_command_end event trigger): a
 *		model whose schema name no longer exists follows its typed
 *		function, which PostgreSQL moved with the schema: the function
 *		found by name, owner (the model's) and a body naming the model under
 *		its old schema.  The rows take the new schema name and the body is
 *		rewritten to name it.
 */
void
CatalogFollowSchemaRename(void)
{
	CatalogAccess access;
	List	   *old_schemas;
	List	   *names;
	List	   *new_schemas;
	ListCell   *lo;
	ListCell   *ln;
	ListCell   *lnew;

	CatalogBegin(&access);
	CatalogExec("SELECT m.schema_name::text, m.name, n.nspname::text "
				"FROM mlpredict.model m "
				"JOIN pg_proc p ON p.proname OPERATOR(pg_catalog.=) m.name "
				"  AND p.proowner OPERATOR(pg_catalog.=) m.owner::oid "
				"  AND p.pronargs OPERATOR(pg_catalog.>) 0 "
				"  AND p.proargtypes[p.pronargs - 1] OPERATOR(pg_catalog.=) 'mlpredict.predict_options'::regtype "
				"  AND starts_with(p.prosrc, ' SELECT * FROM mlpredict.ml_predict(' "
				"      OPERATOR(pg_catalog.||) quote_literal(quote_ident(m.schema_name::text) "
				"      OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) quote_ident(m.name)) "
				"      OPERATOR(pg_catalog.||) ', $1') "
				"JOIN pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace "
				"WHERE NOT EXISTS (SELECT FROM pg_namespace o "
				"  WHERE o.nspname OPERATOR(pg_catalog.=) m.schema_name)",
				0, NULL, NULL, NULL, true);
	old_schemas = CatalogGetTextColumn(&access, 1);
	names = CatalogGetTextColumn(&access, 2);
	new_schemas = CatalogGetTextColumn(&access, 3);
	CatalogEnd(&access);

	forthree(lo, old_schemas, ln, names, lnew, new_schemas)
	{
		List	   *versions = NIL;
		MlModel    *model;

		CatalogBegin(&access);
		CatalogExec("UPDATE mlpredict.model SET schema_name = $3 "
					"WHERE schema_name OPERATOR(pg_catalog.=) $1 AND name OPERATOR(pg_catalog.=) $2",
					3, (Oid[]) {NAMEOID, TEXTOID, NAMEOID},
					(Datum[]) {DirectFunctionCall1(namein, CStringGetDatum(lfirst(lo))),
							   CStringGetTextDatum(lfirst(ln)),
							   DirectFunctionCall1(namein, CStringGetDatum(lfirst(lnew)))},
					"   ", false);
		CatalogEnd(&access);
		model = load_versions(lfirst(lnew), lfirst(ln), &versions);
		if (model)
			TypedFunctionRebody(model);
	}
}

/*
 * CatalogGrantModel
 *		GRANT (or REVOKE) EXECUTE on a model's function to (from) a role or
 *		PUBLIC: the model owner's (or a superuser's) way to allow its use.
 *		The privilege covers every version, so ref names no version.
 */
void
CatalogGrantModel(MlModelRef *ref, const char *grantee, bool grant)
{
	if (ref->version_kind != ML_VERSION_DEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("privileges are granted on a whole model, not on one version"),
				 errhint("Name the model without a $version suffix.")));
	TypedFunctionGrant(CatalogGetModel(ref, false), grantee, grant);
}
