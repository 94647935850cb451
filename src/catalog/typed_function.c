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
 * and schema-qualified, column types included, the body is a single
 * string literal, and each statement is parsed and refused unless it is
 * exactly one statement of the expected kind (run_ddl), so nothing in a
 * model's definition can add a statement, whoever runs the DDL later (a
 * superuser's RENAME reruns CREATE OR REPLACE).
 *
 * The model's function is found by qualified name and argument type OIDs,
 * and accepted only if it is the one mlpredict wrote: owned by the
 * model's owner, SQL, its body calling this model.  A function of another
 * role with a look-alike signature grants nothing.
 *
 * IDENTIFICATION
 *	  src/catalog/typed_function.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

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
 *		"schema.name(type, ..., mlpredict.predict_options)" for ALTER/DROP;
 *		the column types are schema-qualified (typemap.c).
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
 * display_signature
 *		The signature for messages: as signature(), with pg_catalog's
 *		types unqualified.
 */
static char *
display_signature(MlModel *model)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s(", quote_qualified_identifier(model->schema, model->name));
	foreach(lc, model->input)
	{
		appendStringInfo(&buf, "%s, ", MlColumnTypeName(lfirst(lc)));
	}
	appendStringInfoString(&buf, "mlpredict.predict_options)");
	return buf.data;
}

/*
 * body_prefix
 *		The start of the body of schema.name's function, up to its first
 *		argument: what tells the function mlpredict wrote for this model.
 *		The pipeline (pipeline_path.c) recognises the same shape.
 */
static char *
body_prefix(const char *schema, const char *name)
{
	return psprintf(" SELECT * FROM mlpredict.ml_predict(%s, $1",
					quote_literal_cstr(quote_qualified_identifier(schema, name)));
}

/*
 * function_body
 *		The SQL body: a call of ml_predict naming the model, every argument
 *		passed on, with the OUTPUT columns as its column definition list.
 */
static char *
function_body(MlModel *model, const char *schema, const char *name)
{
	StringInfoData buf;
	ListCell   *lc;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, body_prefix(schema, name));
	for (i = 2; i <= list_length(model->input) + 1; i++)
		appendStringInfo(&buf, ", $%d", i);
	appendStringInfoString(&buf, ") AS p(");
	i = 0;
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(&buf, "%s%s %s", i++ ? ", " : "", quote_identifier(col->name), col->pgtype);
	}
	appendStringInfoString(&buf, ") ");
	return buf.data;
}

/*
 * create_statement
 *		CREATE [OR REPLACE] FUNCTION text for the model.  Every name is
 *		quoted, and the body is one string literal (quote_literal_cstr), so
 *		no column name or comment can end it; run_ddl also refuses anything
 *		but one CREATE FUNCTION.
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
	appendStringInfo(&buf, ") LANGUAGE sql VOLATILE PARALLEL SAFE ROWS 1 AS %s",
					 quote_literal_cstr(function_body(model, schema, name)));
	return buf.data;
}

/*
 * run_ddl
 *		Execute one generated utility statement as the current user.  The
 *		text is parsed first and refused unless it is exactly one statement
 *		of the expected kind, so that no text from a model definition can
 *		ever add a statement of its own.
 */
static void
run_ddl(const char *sql, NodeTag expected)
{
	List	   *parsed = pg_parse_query(sql);
	int			rc;

	if (list_length(parsed) != 1 ||
		nodeTag(linitial_node(RawStmt, parsed)->stmt) != expected)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("refusing to run a generated statement for a model's function"),
				 errdetail("The statement text is not exactly one statement of the expected kind.")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute(sql, false, 0);
	if (rc < 0)
		elog(ERROR, "could not run a statement for a model's function: %s",
			 SPI_result_code_string(rc));
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

	run_ddl(create_statement(model, model->schema, model->name, false),
			T_CreateFunctionStmt);
	run_ddl(psprintf("REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC", sig), T_GrantStmt);
	run_ddl(psprintf("COMMENT ON FUNCTION %s IS %s", sig,
					 quote_literal_cstr(psprintf("mlpredict model %s%s%s",
												 MlQualifiedModelName(model->schema, model->name),
												 model->comment ? ": " : "",
												 model->comment ? model->comment : ""))),
			T_CommentStmt);
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
						 quote_identifier(new_name)),
				T_RenameStmt);
	if (strcmp(model->schema, new_schema) != 0)
		run_ddl(psprintf("ALTER FUNCTION %s SET SCHEMA %s",
						 signature(model->schema, new_name, model),
						 quote_identifier(new_schema)),
				T_AlterObjectSchemaStmt);
	run_ddl(create_statement(model, new_schema, new_name, true), T_CreateFunctionStmt);
}

/*
 * TypedFunctionRebody
 *		Rewrite the body to name the model where it now is (after its
 *		schema was renamed; the caller found the function).
 */
void
TypedFunctionRebody(MlModel *model)
{
	run_ddl(create_statement(model, model->schema, model->name, true), T_CreateFunctionStmt);
}

/*
 * TypedFunctionDrop
 *		Drop the model's function if it still exists (and is the model's:
 *		a function of another owner is left alone).
 */
void
TypedFunctionDrop(MlModel *model)
{
	if (OidIsValid(TypedFunctionLookup(model)))
		run_ddl(psprintf("DROP FUNCTION %s",
						 signature(model->schema, model->name, model)),
				T_DropStmt);
}

/*
 * TypedFunctionSetOwner
 *		ALTER FUNCTION ... OWNER TO for the model's function, as the current
 *		user (PostgreSQL checks membership and the schema's CREATE).
 */
void
TypedFunctionSetOwner(MlModel *model, Oid new_owner)
{
	if (OidIsValid(TypedFunctionLookup(model)))
		run_ddl(psprintf("ALTER FUNCTION %s OWNER TO %s",
						 signature(model->schema, model->name, model),
						 quote_identifier(GetUserNameFromId(new_owner, false))),
				T_AlterOwnerStmt);
}

/*
 * is_models_function
 *		Whether func is the function mlpredict wrote for the model: an SQL
 *		function owned by the model's owner, neither SECURITY DEFINER nor
 *		with SET options, whose body calls this model.
 */
static bool
is_models_function(Oid func, MlModel *model)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(func));
	Form_pg_proc proc;
	bool		isnull;
	bool		ok;

	if (!HeapTupleIsValid(tuple))
		return false;
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	ok = proc->proowner == model->owner_id && proc->prolang == SQLlanguageId &&
		!proc->prosecdef && proc->proretset &&
		heap_attisnull(tuple, Anum_pg_proc_proconfig, NULL);
	if (ok)
	{
		char	   *src = TextDatumGetCString(SysCacheGetAttr(PROCOID, tuple,
															  Anum_pg_proc_prosrc,
															  &isnull));
		char	   *prefix = body_prefix(model->schema, model->name);

		ok = strncmp(src, prefix, strlen(prefix)) == 0;
	}
	ReleaseSysCache(tuple);
	return ok;
}

/*
 * TypedFunctionLookup
 *		OID of the model's function, InvalidOid if it is gone or is not the
 *		model's own.  The lookup is by schema-qualified name and the
 *		argument types' OIDs (resolved with a pinned search_path when the
 *		model was read), so the caller's search_path plays no part.
 */
Oid
TypedFunctionLookup(MlModel *model)
{
	int			nargs = list_length(model->input) + 1;
	Oid		   *argtypes = palloc(sizeof(Oid) * nargs);
	ListCell   *lc;
	int			i = 0;
	Oid			func;

	if (!OidIsValid(get_namespace_oid(model->schema, true)))
		return InvalidOid;
	foreach(lc, model->input)
		argtypes[i++] = ((MlColumn *) lfirst(lc))->typid;
	argtypes[i] = MlRuntimeOptionsTypeId();
	func = LookupFuncName(list_make2(makeString(model->schema), makeString(model->name)),
						  nargs, argtypes, true);
	if (!OidIsValid(func) || !is_models_function(func, model))
		return InvalidOid;
	return func;
}

/*
 * TypedFunctionCheckExecute
 *		The current user must be allowed to EXECUTE the model's function.
 *		If the function is missing (or is not the model's own), only the
 *		model's owner (or a superuser) may use the model.
 */
void
TypedFunctionCheckExecute(MlModel *model)
{
	Oid			func = TypedFunctionLookup(model);
	char	   *display = MlQualifiedModelName(model->schema, model->name);

	if (!OidIsValid(func))
	{
		if (CatalogRoleOwns(GetUserId(), model->owner_id))
			return;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for model \"%s\"", display),
				 errdetail("The model's function %s does not exist or is not the model's own; only the model's owner may use the model.",
						   display_signature(model)),
				 errhint("The model's owner can recreate the model.")));
	}
	if (MlProcAclCheck(func, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for model \"%s\"", display),
				 errhint("The model's owner can allow its use with GRANT EXECUTE ON FUNCTION %s TO <role>.",
						 display_signature(model))));
}

/*
 * TypedFunctionGrant
 *		GRANT (or REVOKE) EXECUTE on a model's function to (from) a role or
 *		PUBLIC, for the model's owner (or a superuser); CatalogGrantModel
 *		(model.c) has found the model.
 */
void
TypedFunctionGrant(MlModel *model, const char *grantee, bool grant)
{
	char	   *display;
	const char *role;

	display = MlQualifiedModelName(model->schema, model->name);
	CatalogCheckOwner(GetUserId(), model->owner_id, "model", display);
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
					 signature(model->schema, model->name, model), role),
			T_GrantStmt);
}
