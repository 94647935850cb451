/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  The function forms of the DDL: mlpredict.create_connection(),
 *	  create_model(), alter_*, drop_*, describe_*, show_create_model(),
 *	  grant_* and revoke_*.
 *
 * They take names as text and options as jsonb, and reach the same
 * catalog code as the statement form (execute.c).
 *
 * IDENTIFICATION
 *	  src/ddl/functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "ddl/ddl.h"
#include "ddl/describe.h"
#include "syntax/names.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_create_connection);
PG_FUNCTION_INFO_V1(mlpredict_alter_connection);
PG_FUNCTION_INFO_V1(mlpredict_drop_connection);
PG_FUNCTION_INFO_V1(mlpredict_alter_connection_owner);
PG_FUNCTION_INFO_V1(mlpredict_describe_connection);
PG_FUNCTION_INFO_V1(mlpredict_create_model);
PG_FUNCTION_INFO_V1(mlpredict_alter_model);
PG_FUNCTION_INFO_V1(mlpredict_rename_model);
PG_FUNCTION_INFO_V1(mlpredict_alter_model_owner);
PG_FUNCTION_INFO_V1(mlpredict_drop_model);
PG_FUNCTION_INFO_V1(mlpredict_describe_model);
PG_FUNCTION_INFO_V1(mlpredict_show_create_model);
PG_FUNCTION_INFO_V1(mlpredict_grant_connection);
PG_FUNCTION_INFO_V1(mlpredict_revoke_connection);
PG_FUNCTION_INFO_V1(mlpredict_grant_model);
PG_FUNCTION_INFO_V1(mlpredict_revoke_model);

/*
 * required_text
 *		A text argument that must not be NULL.
 */
static char *
required_text(FunctionCallInfo fcinfo, int arg, const char *what)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	return text_to_cstring(PG_GETARG_TEXT_PP(arg));
}

/*
 * optional_text
 *		A text argument, NULL allowed.
 */
static char *
optional_text(FunctionCallInfo fcinfo, int arg)
{
	return PG_ARGISNULL(arg) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(arg));
}

/*
 * emit_result_rows
 *		Typed rows from a DESCRIBE result: text columns, with "true"/"false"
 *		and numbers converted by each column's input function.
 */
static void
emit_result_rows(FunctionCallInfo fcinfo, DdlResult *result)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AttInMetadata *meta;
	ListCell   *lc;

	MlInitMaterializedSRF(fcinfo, false);
	meta = TupleDescGetAttInMetadata(rsinfo->setDesc);
	foreach(lc, result->rows)
	{
		HeapTuple	tuple = BuildTupleFromCStrings(meta, lfirst(lc));

		tuplestore_puttuple(rsinfo->setResult, tuple);
	}
}

Datum
mlpredict_create_connection(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("connection options must not be null")));
	CatalogCreateConnection(name,
							MlOptionsFromJsonb(PG_GETARG_JSONB_P(1), "connection"),
							optional_text(fcinfo, 2), false, false, NULL);
	PG_RETURN_VOID();
}

Datum
mlpredict_alter_connection(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	CatalogAlterConnection(name, MlOptionsFromJsonb(PG_GETARG_JSONB_P(1), "connection"),
						   false, NULL);
	PG_RETURN_VOID();
}

Datum
mlpredict_drop_connection(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	CatalogDropConnection(name, PG_GETARG_BOOL(1), PG_GETARG_BOOL(2));
	PG_RETURN_VOID();
}

Datum
mlpredict_alter_connection_owner(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	CatalogAlterConnectionOwner(name, required_text(fcinfo, 1, "role name"));
	PG_RETURN_VOID();
}

Datum
mlpredict_describe_connection(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	emit_result_rows(fcinfo, DescribeConnection(name));
	return (Datum) 0;
}

Datum
mlpredict_create_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));
	char	   *input = required_text(fcinfo, 1, "model input");
	char	   *output = required_text(fcinfo, 2, "model output");
	int			version;

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model options must not be null")));
	version = CatalogCreateModel(ref, input, -1, output, -1,
								 MlOptionsFromJsonb(PG_GETARG_JSONB_P(3), "model"),
								 optional_text(fcinfo, 4), false, NULL);
	PG_RETURN_INT32(version);
}

/*
 * reset_keys
 *		text[] of option keys as MlOptions with NULL values.
 */
static List *
reset_keys(ArrayType *array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	List	   *result = NIL;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("option names to reset must not be null")));
		result = lappend(result, MlMakeOption(TextDatumGetCString(elems[i]), NULL, -1));
	}
	return result;
}

Datum
mlpredict_alter_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));
	List	   *set = PG_ARGISNULL(1) ? NIL :
		MlOptionsFromJsonb(PG_GETARG_JSONB_P(1), "model");
	List	   *reset = PG_ARGISNULL(2) ? NIL : reset_keys(PG_GETARG_ARRAYTYPE_P(2));

	CatalogAlterModelOptions(ref, set, reset, false, NULL);
	PG_RETURN_VOID();
}

Datum
mlpredict_rename_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));
	MlModelRef *new_ref = MlParseModelRef(required_text(fcinfo, 1, "new model name"));

	CatalogRenameModel(ref, new_ref, false);
	PG_RETURN_VOID();
}

Datum
mlpredict_alter_model_owner(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));

	CatalogAlterModelOwner(ref, required_text(fcinfo, 1, "role name"));
	PG_RETURN_VOID();
}

Datum
mlpredict_drop_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));

	CatalogDropModel(ref, PG_GETARG_BOOL(1));
	PG_RETURN_VOID();
}

Datum
mlpredict_describe_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));

	emit_result_rows(fcinfo, DescribeModel(ref, true));
	return (Datum) 0;
}

Datum
mlpredict_show_create_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));

	PG_RETURN_TEXT_P(cstring_to_text(ShowCreateModelText(ref)));
}

Datum
mlpredict_grant_connection(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	CatalogGrantConnection(name, required_text(fcinfo, 1, "role name"), true);
	PG_RETURN_VOID();
}

Datum
mlpredict_revoke_connection(PG_FUNCTION_ARGS)
{
	char	   *name = MlParseConnectionName(required_text(fcinfo, 0, "connection name"));

	CatalogGrantConnection(name, required_text(fcinfo, 1, "role name"), false);
	PG_RETURN_VOID();
}

Datum
mlpredict_grant_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));

	CatalogGrantModel(ref, required_text(fcinfo, 1, "role name"), true);
	PG_RETURN_VOID();
}

Datum
mlpredict_revoke_model(PG_FUNCTION_ARGS)
{
	MlModelRef *ref = MlParseModelRef(required_text(fcinfo, 0, "model name"));

	CatalogGrantModel(ref, required_text(fcinfo, 1, "role name"), false);
	PG_RETURN_VOID();
}
