/*-------------------------------------------------------------------------
 *
 * typed_function.c
 *	  The typed function of a model: schema.model(<INPUT columns>) RETURNS
 *	  TABLE (<OUTPUT columns>), kept in step with the model.
 *
 * The function is an ordinary SQL function owned by the model's creator,
 * so GRANT/REVOKE EXECUTE on it is how roles are allowed to use the model,
 * pg_dump carries it with its grants, and the planner can inline it into a
 * call of mlpredict.ml_predict.  EXECUTE is revoked from PUBLIC when it is
 * created.  ml_predict checks the same privilege, so calling the generic
 * function does not bypass the grant.
 *
 * Its options parameter defaults to mlpredict.options() rather than NULL:
 * the planner evaluates that immutable C function while simplifying the
 * query, which loads the library and with it the planner hook that
 * pipelines LATERAL calls (pipeline_path.c), so even a session's first
 * statement is pipelined when the library is not preloaded.
 *
 * The DDL runs through SPI as the current user; names are always quoted
 * and schema-qualified.
 *
 * IDENTIFICATION
 *	  src/catalog/typed_function.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "options/options.h"
#include "types/typemap.h"
#include "util.h"

/*
 * input_names_clash
 *		IN parameters can be named after the INPUT columns unless a name is
 *		also an OUTPUT column or "options".
 */
static bool
input_names_clash(MlModel *model)
{
	ListCell   *lc;

	foreach(lc, model->input)
	{
		MlColumn   *in = lfirst(lc);
		ListCell   *lc2;

		if (strcmp(in->name, "options") == 0)
			return true;
		foreach(lc2, model->output)
			if (strcmp(in->name, ((MlColumn *) lfirst(lc2))->name) == 0)
				return true;
	}
	return false;
}

/*
 * signature
 *		"schema.name(type, ..., mlpredict.predict_options)" for ALTER/DROP.
 */
static char *
signature(const char *schema, const char *name, MlModel *model)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s(", quote_qualified_identifier(schema, name));
	foreach(lc, model->input)
		appendStringInfo(&buf, "%s, ", ((MlColumn *) lfirst(lc))->pgtype);
	appendStringInfoString(&buf, "mlpredict.predict_options)");
	return buf.data;
}

/*
 * create_statement
 *		CREATE [OR REPLACE] FUNCTION text for the model.
 */
static char *
create_statement(MlModel *model, const char *schema, const char *name, bool replace)
{
	StringInfoData buf;
	bool		named = !input_names_clash(model);
	ListCell   *lc;
	int			i = 0;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sFUNCTION %s(", replace ? "OR REPLACE " : "",
					 quote_qualified_identifier(schema, name));
	foreach(lc, model->input)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(&buf, "%s%s %s", i++ ? ", " : "",
						 named ? quote_identifier(col->name) : "", col->pgtype);
	}
	appendStringInfo(&buf, ", %s mlpredict.predict_options DEFAULT mlpredict.options()) RETURNS TABLE (",
					 named ? "options" : "");
	i = 0;
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(&buf, "%s%s %s", i++ ? ", " : "", quote_identifier(col->name), col->pgtype);
	}
	appendStringInfo(&buf, ") LANGUAGE sql VOLATILE PARALLEL SAFE ROWS 1 AS $mlpredict$ SELECT * FROM mlpredict.ml_predict(%s",
					 quote_literal_cstr(quote_qualified_identifier(schema, name)));
	for (i = 1; i <= list_length(model->input) + 1; i++)
		appendStringInfo(&buf, ", $%d", i);
	appendStringInfoString(&buf, ") AS p(");
	i = 0;
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(&buf, "%s%s %s", i++ ? ", " : "", quote_identifier(col->name), col->pgtype);
	}
	appendStringInfoString(&buf, ") $mlpredict$");
	return buf.data;
}

/*
 * run_ddl
 *		Execute utility statements as the current user.
 */
static void
run_ddl(const char *sql)
{
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute(sql, false, 0);
	if (rc < 0)
		elog(ERROR, "could not run \"%s\": %s", sql, SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * TypedFunctionCreate
 *		Create the model's function, revoke EXECUTE from PUBLIC and describe
 *		it with a comment.
 */
void
TypedFunctionCreate(MlModel *model)
{
	char	   *sig = signature(model->schema, model->name, model);

	run_ddl(create_statement(model, model->schema, model->name, false));
	run_ddl(psprintf("REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC", sig));
	run_ddl(psprintf("COMMENT ON FUNCTION %s IS %s", sig,
					 quote_literal_cstr(psprintf("mlpredict model %s%s%s",
												 MlQualifiedModelName(model->schema, model->name),
												 model->comment ? ": " : "",
												 model->comment ? model->comment : ""))));
}

/*
 * TypedFunctionRename
 *		Follow a model rename (and schema move), then point the body at the
 *		new name.  Grants and ownership are kept.
 */
void
TypedFunctionRename(MlModel *model, const char *new_schema, const char *new_name)
{
	if (!OidIsValid(TypedFunctionLookup(model)))
		return;
	if (strcmp(model->name, new_name) != 0)
		run_ddl(psprintf("ALTER FUNCTION %s RENAME TO %s",
						 signature(model->schema, model->name, model),
						 quote_identifier(new_name)));
	if (strcmp(model->schema, new_schema) != 0)
		run_ddl(psprintf("ALTER FUNCTION %s SET SCHEMA %s",
						 signature(model->schema, new_name, model),
						 quote_identifier(new_schema)));
	run_ddl(create_statement(model, new_schema, new_name, true));
}

/*
 * TypedFunctionDrop
 *		Drop the model's function if it still exists.
 */
void
TypedFunctionDrop(MlModel *model)
{
	run_ddl(psprintf("DROP FUNCTION IF EXISTS %s",
					 signature(model->schema, model->name, model)));
}

/*
 * TypedFunctionLookup
 *		OID of the model's function, InvalidOid if it is gone.
 */
Oid
TypedFunctionLookup(MlModel *model)
{
	int			nargs = list_length(model->input) + 1;
	Oid		   *argtypes = palloc(sizeof(Oid) * nargs);
	ListCell   *lc;
	int			i = 0;

	if (!OidIsValid(get_namespace_oid(model->schema, true)))
		return InvalidOid;
	foreach(lc, model->input)
		argtypes[i++] = ((MlColumn *) lfirst(lc))->typid;
	argtypes[i] = MlRuntimeOptionsTypeId();
	return LookupFuncName(list_make2(makeString(model->schema), makeString(model->name)),
						  nargs, argtypes, true);
}

/*
 * TypedFunctionCheckExecute
 *		The current user must be allowed to EXECUTE the model's function.
 *		If the function was dropped by hand, only the model's owner (or a
 *		superuser) may use the model.
 */
void
TypedFunctionCheckExecute(MlModel *model)
{
	Oid			func = TypedFunctionLookup(model);
	char	   *display = MlQualifiedModelName(model->schema, model->name);

	if (!OidIsValid(func))
	{
		CatalogCheckOwner(GetUserId(), model->owner, "model", display);
		return;
	}
	if (MlProcAclCheck(func, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for model \"%s\"", display),
				 errhint("The model's owner can allow its use with GRANT EXECUTE ON FUNCTION %s TO <role>.",
						 signature(model->schema, model->name, model))));
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
	MlModel    *model;
	char	   *display;
	const char *role;

	if (ref->version_kind != ML_VERSION_DEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("privileges are granted on a whole model, not on one version"),
				 errhint("Name the model without a $version suffix.")));
	model = CatalogGetModel(ref, false);
	display = MlQualifiedModelName(model->schema, model->name);
	CatalogCheckOwner(GetUserId(), model->owner, "model", display);
	if (!OidIsValid(TypedFunctionLookup(model)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("the function of model \"%s\" does not exist", display),
				 errhint("Recreate the model to recreate its function.")));
	if (pg_strcasecmp(grantee, "public") == 0)
		role = "PUBLIC";
	else
	{
		(void) get_role_oid(grantee, false);
		role = quote_identifier(grantee);
	}
	run_ddl(psprintf(grant ? "GRANT EXECUTE ON FUNCTION %s TO %s" :
					 "REVOKE EXECUTE ON FUNCTION %s FROM %s",
					 signature(model->schema, model->name, model), role));
}
