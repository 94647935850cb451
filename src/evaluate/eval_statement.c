/*-------------------------------------------------------------------------
 *
 * eval_statement.c
 *	  From a model version and the caller's evaluation query to the
 *	  statement ML_EVALUATE runs: the task, the checks of the query's shape
 *	  and types, and the SQL text that predicts every row through the
 *	  pipelined LATERAL join.
 *
 * The query must be one SELECT whose first column is the label and whose
 * other columns are the model's INPUT columns in order.  It becomes
 *
 *	 SELECT <label>, <prediction>[, <point>]
 *	 FROM (<query>) AS q(label, in1, ...)
 *	   LEFT JOIN LATERAL mlpredict.ml_predict($1, q.in1, ..., $2)
 *	     AS p(<the model's OUTPUT columns>) ON true
 *
 * $1 is the version's reference and $2 the caller's runtime options,
 * both written as literals (constants for the planner).  The
 * planner gives that join to the pipelined executor (exec/pipeline_path.c),
 * so evaluating rows costs what predicting them costs.  LEFT JOIN keeps a
 * row that on_error = skip drops, with a NULL prediction, so failed rows
 * can be counted.  The label and prediction are converted in SQL to what
 * the task scores (eval_collect.c): text, float8 or float8[].  Any
 * mismatch is reported here, before a request is sent.
 *
 * Needs SPI to be connected (the query is prepared to learn its columns).
 *
 * IDENTIFICATION
 *	  src/evaluate/eval_statement.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "evaluate/eval_statement.h"
#include "types/typemap.h"
#include "util.h"

static const char *const task_names[] = {
	"classification", "regression", "clustering", "embedding", "text_generation"
};

/*
 * EvalTaskOf
 *		The task a model version is evaluated as (its 'task' option).
 */
EvalTask
EvalTaskOf(MlModel *model)
{
	for (int i = 0; i < lengthof(task_names); i++)
		if (model->task && pg_strcasecmp(model->task, task_names[i]) == 0)
			return (EvalTask) i;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("model \"%s\" has task \"%s\", which ML_EVALUATE cannot score",
					MlQualifiedModelName(model->schema, model->name),
					model->task ? model->task : ""),
			 errhint("ML_EVALUATE scores classification, regression, clustering, embedding and text_generation models.")));
	return EVAL_CLASSIFICATION;		/* keep the compiler quiet */
}

/* the model's name for messages */
static const char *
model_display(MlModel *model)
{
	return MlQualifiedModelName(model->schema, model->name);
}

/*
 * select_text
 *		The text of query's one SELECT statement (without a trailing
 *		semicolon), or an error.
 */
static char *
select_text(const char *query)
{
	List	   *raw = raw_parser(query, RAW_PARSE_DEFAULT);
	RawStmt    *rs;

	if (list_length(raw) != 1 || !IsA(((RawStmt *) linitial(raw))->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query of ML_EVALUATE must be one SELECT statement"),
				 errhint("Pass the rows to score as SELECT label, input1, input2, ... FROM table.")));
	rs = linitial(raw);
	if (rs->stmt_len > 0)
		return pnstrdup(query + rs->stmt_location, rs->stmt_len);
	return pstrdup(query + rs->stmt_location);
}

/*
 * query_desc
 *		The result columns of the query (prepared, not run).
 */
static TupleDesc
query_desc(const char *sql)
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);
	CachedPlanSource *source;

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	source = linitial(SPI_plan_get_plan_sources(plan));
	if (source->resultDesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the query of ML_EVALUATE returns no rows")));
	return CreateTupleDescCopy(source->resultDesc);
}

static char
category_of(Oid type)
{
	char		category;
	bool		preferred;

	get_type_category_preferred(getBaseType(type), &category, &preferred);
	return category;
}

/* an array of numbers (after domains) */
static bool
numeric_array(Oid type)
{
	Oid			elem = get_element_type(getBaseType(type));

	return OidIsValid(elem) && category_of(elem) == TYPCATEGORY_NUMERIC;
}

/* a vector that converts to float8[]: a numeric array or, like pgvector's
 * vector, a type with a cast to real[] */
static bool
vector_type(Oid type)
{
	Oid			real_array = FLOAT4ARRAYOID;

	return numeric_array(type) ||
		can_coerce_type(1, &type, &real_array, COERCION_EXPLICIT);
}

/* SQL converting expr of type to float8[] */
static char *
as_float8_array(const char *expr, Oid type)
{
	if (OidIsValid(get_element_type(getBaseType(type))))
		return psprintf("CAST(%s AS float8[])", expr);
	return psprintf("CAST(CAST(%s AS real[]) AS float8[])", expr);
}

static void
label_type_error(MlModel *model, Form_pg_attribute label, MlColumn *out,
				 const char *want, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("the label column \"%s\" has type %s, but model \"%s\" (task %s) needs %s",
					NameStr(label->attname), format_type_be(label->atttypid),
					model_display(model), model->task, want),
			 errdetail("The model's first OUTPUT column \"%s\" is %s; the first column of the query is the label it is compared with.",
					   out->name, out->decl),
			 errhint("%s", hint)));
}

static void
output_type_error(MlModel *model, MlColumn *out, const char *want)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("model \"%s\" (task %s) cannot be evaluated: its first OUTPUT column \"%s\" is %s, not %s",
					model_display(model), model->task, out->name, out->decl, want),
			 errhint("ML_EVALUATE scores the first OUTPUT column of a model.")));
}

/*
 * label_and_prediction
 *		The SQL of the label and prediction columns for the task, after
 *		checking their types.
 */
static void
label_and_prediction(MlModel *model, EvalTask task, Form_pg_attribute label,
					 StringInfo sql)
{
	MlColumn   *out = linitial(model->output);
	char	   *pred = psprintf("p.%s", quote_identifier(out->name));
	Oid			lt = label->atttypid;
	Oid			ot = out->typid;

	switch (task)
	{
		case EVAL_CLASSIFICATION:
			if (category_of(lt) == TYPCATEGORY_STRING && category_of(ot) == TYPCATEGORY_STRING)
				appendStringInfoString(sql, "CAST(q.label AS text)");
			else if (can_coerce_type(1, &lt, &ot, COERCION_IMPLICIT))
				appendStringInfo(sql, "CAST(CAST(q.label AS %s) AS text)", out->pgtype);
			else
				label_type_error(model, label, out, MlColumnTypeName(out),
								 "Cast the label to the type of the model's output in the query.");
			appendStringInfo(sql, ", CAST(%s AS text)", pred);
			break;
		case EVAL_REGRESSION:
			if (category_of(ot) != TYPCATEGORY_NUMERIC)
				output_type_error(model, out, "a number");
			if (category_of(lt) != TYPCATEGORY_NUMERIC)
				label_type_error(model, label, out, "a number",
								 "Select a numeric label, or cast it in the query.");
			appendStringInfo(sql, "CAST(q.label AS float8), CAST(%s AS float8)", pred);
			break;
		case EVAL_CLUSTERING:
			/* the label is not used: clusters are scored by their points */
			appendStringInfo(sql, "NULL::text, CAST(%s AS text)", pred);
			break;
		case EVAL_EMBEDDING:
			if (!vector_type(ot))
				output_type_error(model, out, "an array of numbers");
			if (!numeric_array(lt) && lt != ot)
				label_type_error(model, label, out, "an array of numbers",
								 "Select the expected vector as real[] or float8[].");
			appendStringInfo(sql, "%s, %s", as_float8_array("q.label", lt),
							 as_float8_array(pred, ot));
			break;
		case EVAL_TEXT_GENERATION:
			if (category_of(ot) != TYPCATEGORY_STRING)
				output_type_error(model, out, "a string");
			if (category_of(lt) != TYPCATEGORY_STRING)
				label_type_error(model, label, out, "a string",
								 "Select the reference text as text, or cast it in the query.");
			appendStringInfo(sql, "CAST(q.label AS text), CAST(%s AS text)", pred);
			break;
	}
}

/*
 * point_column
 *		For clustering: the float8[] of the numeric inputs (arrays
 *		flattened), the points the clusters are scored on.
 */
static void
point_column(MlModel *model, TupleDesc desc, StringInfo sql)
{
	int			used = 0;

	appendStringInfoString(sql, ", ARRAY[]::float8[]");
	for (int i = 1; i < desc->natts; i++)
	{
		Oid			type = TupleDescAttr(desc, i)->atttypid;

		if (category_of(type) == TYPCATEGORY_NUMERIC)
			appendStringInfo(sql, " || CAST(q.in%d AS float8)", i);
		else if (numeric_array(type))
			appendStringInfo(sql, " || CAST(q.in%d AS float8[])", i);
		else
			continue;
		used++;
	}
	if (used == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("model \"%s\" (task clustering) has no numeric input to measure its clusters by",
						model_display(model)),
				 errdetail("The clustering metrics are distances between the points each row's numeric inputs form; the model's INPUT is (%s).",
						   MlColumnsToFlink(model->input)),
				 errhint("Evaluate a clustering model whose inputs are numbers or arrays of numbers.")));
}

/*
 * EvalStatement
 *		The statement that predicts and converts every row of query for
 *		model (see the file header); ERROR when the query does not fit.
 */
char *
EvalStatement(MlModel *model, EvalTask task, const char *query,
			  const char *model_literal, const char *options_literal)
{
	char	   *select = select_text(query);
	TupleDesc	desc = query_desc(select);
	int			ninputs = list_length(model->input);
	StringInfoData sql;
	ListCell   *lc;
	int			i;

	if (desc->natts != ninputs + 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the query of ML_EVALUATE returns %d column%s, but model \"%s\" needs %d",
						desc->natts, desc->natts == 1 ? "" : "s",
						model_display(model), ninputs + 1),
				 errdetail("The first column is the label, then one column per INPUT column of the model: (%s).",
						   MlColumnsToFlink(model->input)),
				 errhint("Select the label followed by the model's inputs in order.")));

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	label_and_prediction(model, task, TupleDescAttr(desc, 0), &sql);
	if (task == EVAL_CLUSTERING)
		point_column(model, desc, &sql);
	appendStringInfo(&sql, "\nFROM (%s) AS q(label", select);
	for (i = 1; i <= ninputs; i++)
		appendStringInfo(&sql, ", in%d", i);
	appendStringInfo(&sql, ")\n  LEFT JOIN LATERAL mlpredict.ml_predict(%s", model_literal);
	for (i = 1; i <= ninputs; i++)
		appendStringInfo(&sql, ", q.in%d", i);
	if (options_literal)
		appendStringInfo(&sql, ", %s", options_literal);
	appendStringInfoString(&sql, ") AS p(");
	foreach(lc, model->output)
	{
		MlColumn   *col = lfirst(lc);

		appendStringInfo(&sql, "%s%s %s", foreach_current_index(lc) ? ", " : "",
						 quote_identifier(col->name), col->pgtype);
	}
	appendStringInfoString(&sql, ") ON true");
	return sql.data;
}
