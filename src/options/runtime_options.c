/*-------------------------------------------------------------------------
 *
 * runtime_options.c
 *	  Runtime options for one ml_predict call: the mlpredict.predict_options
 *	  composite type, its constructors options() and map(), and reading a
 *	  value of it with defaults from the GUCs.
 *
 * Confluent passes these as a trailing MAP['client_timeout', 60, ...].
 * Here a value of a dedicated type plays that role, so it can never be
 * confused with a model input.  map() keeps Confluent's key/value style,
 * accepting values of any type, as the Confluent docs mix them.
 *
 * IDENTIFICATION
 *	  src/options/runtime_options.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "options/options.h"
#include "pool/pool.h"
#include "util.h"

PG_FUNCTION_INFO_V1(mlpredict_options);
PG_FUNCTION_INFO_V1(mlpredict_map);

#define RUNTIME_NATTS 8

static const char *const runtime_keys[RUNTIME_NATTS] = {
	"client_timeout", "retry_count", "debug", "max_parallelism", "async_enabled",
	"connect_timeout", "ordered", "on_error"
};

/* Fields by position in mlpredict.predict_options. */
#define F_DEBUG			2
#define F_ASYNC			4
#define F_ORDERED		6
#define F_ON_ERROR		7

static const char *const on_error_names[] = {"fail", "null", "skip"};

/*
 * MlRuntimeOptionsTypeId
 *		OID of mlpredict.predict_options.
 */
Oid
MlRuntimeOptionsTypeId(void)
{
	Oid			nsp = get_namespace_oid("mlpredict", false);

	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("predict_options"),
						   ObjectIdGetDatum(nsp));
}

/*
 * MlRuntimeOptionsDefaults
 *		Defaults from the GUCs.  client_timeout stays 0 ("not given") so
 *		that a model's own <provider>.client_timeout can take precedence
 *		over the GUC.
 */
void
MlRuntimeOptionsDefaults(MlRuntimeOptions *opts)
{
	opts->client_timeout = 0;	/* unset: model option, then GUC */
	opts->retry_count = mlpredict_retry_count;
	opts->debug = false;
	opts->max_parallelism = mlpredict_max_parallelism;
	opts->async_enabled = true;
	opts->connect_timeout = 0;	/* unset: model option, then GUC */
	opts->ordered = true;
	opts->on_error = ML_ON_ERROR_FAIL;
}

/*
 * parse_on_error
 *		The on_error value named by text (case-insensitive), or an error.
 */
static MlOnError
parse_on_error(const char *text)
{
	for (int i = 0; i < lengthof(on_error_names); i++)
		if (pg_strcasecmp(text, on_error_names[i]) == 0)
			return (MlOnError) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("runtime option \"on_error\" must be fail, null or skip, got \"%s\"", text),
			 errhint("fail raises the error (the default), null gives the row NULL outputs, skip drops the row.")));
	return ML_ON_ERROR_FAIL;
}

/*
 * MlOnErrorName
 *		"fail", "null" or "skip".
 */
const char *
MlOnErrorName(MlOnError on_error)
{
	return on_error_names[on_error];
}

/*
 * check_range
 *		Raise an error unless lo <= value <= hi.
 */
static void
check_range(const char *key, int value, int lo, int hi)
{
	if (value < lo || value > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("runtime option \"%s\" must be between %d and %d, got %d",
						key, lo, hi, value)));
}

/*
 * check_client_timeout_ceiling
 *		A per-call client_timeout may not exceed mlpredict.max_client_timeout:
 *		a request held open that long holds a slot of the connection pool.
 *		Checked when the call runs, under the setting in force then.
 */
static void
check_client_timeout_ceiling(int client_timeout)
{
	if (client_timeout > mlpredict_max_client_timeout)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("runtime option \"client_timeout\" must not exceed mlpredict.max_client_timeout (%d s), got %d",
						mlpredict_max_client_timeout, client_timeout),
				 errhint("Use a smaller client_timeout, or ask a superuser to raise mlpredict.max_client_timeout.")));
}

/*
 * validate_runtime
 *		Range checks of the reader (the constructors check the ranges
 *		too, but not the ceiling, which may change before the call runs).
 */
static void
validate_runtime(const MlRuntimeOptions *opts)
{
	if (opts->client_timeout != 0)
	{
		check_range("client_timeout", opts->client_timeout, 1, 3600);
		check_client_timeout_ceiling(opts->client_timeout);
	}
	check_range("retry_count", opts->retry_count, 0, 100);
	check_range("max_parallelism", opts->max_parallelism, 1, 1024);
	if (opts->connect_timeout != 0)
		check_range("connect_timeout", opts->connect_timeout, 100, 600000);
}

/*
 * MlRuntimeOptionsFromDatum
 *		Overlay the non-null fields of a predict_options value on *opts
 *		(which the caller filled with defaults).
 */
void
MlRuntimeOptionsFromDatum(Datum composite, MlRuntimeOptions *opts)
{
	HeapTupleHeader th = DatumGetHeapTupleHeader(composite);
	HeapTupleData tuple;
	TupleDesc	tupdesc;
	Datum		values[RUNTIME_NATTS];
	bool		nulls[RUNTIME_NATTS];

	tupdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
									 HeapTupleHeaderGetTypMod(th));
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	tuple.t_data = th;
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	if (tupdesc->natts != RUNTIME_NATTS)
		elog(ERROR, "unexpected predict_options layout");
	heap_deform_tuple(&tuple, tupdesc, values, nulls);
	ReleaseTupleDesc(tupdesc);

	if (!nulls[0])
		opts->client_timeout = DatumGetInt32(values[0]);
	if (!nulls[1])
		opts->retry_count = DatumGetInt32(values[1]);
	if (!nulls[2])
		opts->debug = DatumGetBool(values[2]);
	if (!nulls[3])
		opts->max_parallelism = DatumGetInt32(values[3]);
	if (!nulls[4])
		opts->async_enabled = DatumGetBool(values[4]);
	if (!nulls[5])
		opts->connect_timeout = DatumGetInt32(values[5]);
	if (!nulls[F_ORDERED])
		opts->ordered = DatumGetBool(values[F_ORDERED]);
	if (!nulls[F_ON_ERROR])
		opts->on_error = parse_on_error(TextDatumGetCString(values[F_ON_ERROR]));
	validate_runtime(opts);
}

/*
 * build_options_datum
 *		Form a predict_options value from per-field values/nulls.
 */
static Datum
build_options_datum(Datum *values, bool *nulls)
{
	TupleDesc	tupdesc = lookup_rowtype_tupdesc_copy(MlRuntimeOptionsTypeId(), -1);
	HeapTuple	tuple;

	BlessTupleDesc(tupdesc);
	tuple = heap_form_tuple(tupdesc, values, nulls);
	return HeapTupleGetDatum(tuple);
}

/*
 * validate_fields
 *		Range-check the given fields (nulls mean "default").
 */
static void
validate_fields(Datum *values, bool *nulls)
{
	if (!nulls[0])
		check_range("client_timeout", DatumGetInt32(values[0]), 1, 3600);
	if (!nulls[1])
		check_range("retry_count", DatumGetInt32(values[1]), 0, 100);
	if (!nulls[3])
		check_range("max_parallelism", DatumGetInt32(values[3]), 1, 1024);
	if (!nulls[5])
		check_range("connect_timeout", DatumGetInt32(values[5]), 100, 600000);
	if (!nulls[F_ON_ERROR])
		(void) parse_on_error(TextDatumGetCString(values[F_ON_ERROR]));
}

/*
 * mlpredict_options
 *		options(client_timeout => 60, ...): named-argument constructor.
 */
Datum
mlpredict_options(PG_FUNCTION_ARGS)
{
	Datum		values[RUNTIME_NATTS];
	bool		nulls[RUNTIME_NATTS];
	int			i;

	for (i = 0; i < RUNTIME_NATTS; i++)
	{
		nulls[i] = PG_ARGISNULL(i);
		values[i] = nulls[i] ? (Datum) 0 : PG_GETARG_DATUM(i);
	}
	validate_fields(values, nulls);
	PG_RETURN_DATUM(build_options_datum(values, nulls));
}

/*
 * runtime_key_index
 *		Field number of a runtime option key (case-insensitive), or error.
 */
static int
runtime_key_index(const char *key)
{
	int			i;

	for (i = 0; i < RUNTIME_NATTS; i++)
		if (pg_strcasecmp(key, runtime_keys[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized runtime option \"%s\"", key),
			 errhint("Valid runtime options are client_timeout, connect_timeout, retry_count, debug, max_parallelism, async_enabled, ordered and on_error.")));
	return -1;
}

/*
 * arg_as_text
 *		Text of argument i of a VARIADIC "any" call, via its output function.
 */
static char *
arg_as_text(FunctionCallInfo fcinfo, int i)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, i);
	Oid			outfunc;
	bool		varlena;

	if (type == UNKNOWNOID)
		return pstrdup(DatumGetCString(PG_GETARG_DATUM(i)));
	getTypeOutputInfo(type, &outfunc, &varlena);
	return OidOutputFunctionCall(outfunc, PG_GETARG_DATUM(i));
}

/*
 * parse_runtime_value
 *		Convert the text of a runtime option value to its field's type.
 */
static Datum
parse_runtime_value(int field, const char *key, const char *text)
{
	int64		n;
	bool		b;

	if (field == F_ON_ERROR)
		return CStringGetTextDatum(text);
	if (field == F_DEBUG || field == F_ASYNC || field == F_ORDERED)
	{
		if (!parse_bool(text, &b))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("runtime option \"%s\" requires a boolean value, got \"%s\"", key, text)));
		return BoolGetDatum(b);
	}
	if (!MlParseInt(text, &n) || n < PG_INT32_MIN || n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("runtime option \"%s\" requires an integer value, got \"%s\"", key, text)));
	return Int32GetDatum((int32) n);
}

/*
 * mlpredict_map
 *		map('client_timeout', 60, 'debug', true, ...): Confluent's MAP style.
 */
Datum
mlpredict_map(PG_FUNCTION_ARGS)
{
	Datum		values[RUNTIME_NATTS] = {0};
	bool		nulls[RUNTIME_NATTS] = {true, true, true, true, true, true, true, true};
	bool		seen[RUNTIME_NATTS] = {0};
	int			nargs = PG_NARGS();
	int			i;

	if (get_fn_expr_variadic(fcinfo->flinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("map() does not accept a VARIADIC array"),
				 errhint("Pass keys and values as separate arguments.")));
	if (nargs % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("map() requires an even number of arguments: key, value, ...")));
	for (i = 0; i < nargs; i += 2)
	{
		char	   *key;
		int			field;

		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("runtime option names must not be null")));
		key = arg_as_text(fcinfo, i);
		field = runtime_key_index(key);
		if (seen[field])
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("runtime option \"%s\" specified more than once", key)));
		seen[field] = true;
		if (PG_ARGISNULL(i + 1))
			continue;
		values[field] = parse_runtime_value(field, key, arg_as_text(fcinfo, i + 1));
		nulls[field] = false;
	}
	validate_fields(values, nulls);
	PG_RETURN_DATUM(build_options_datum(values, nulls));
}
