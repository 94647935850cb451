/*-------------------------------------------------------------------------
 *
 * cq_define.c
 *	  CREATE CONTINUOUS QUERY: validate INSERT INTO sink SELECT ... FROM
 *	  source, LATERAL model(...) [WHERE ...] and record it.
 *
 * The INSERT is parsed by PostgreSQL's own raw parser, after two
 * length-preserving rewrites of Flink's spelling: `quoted` identifiers
 * become "quoted", and LATERAL TABLE(ML_PREDICT('m', col)) loses its
 * TABLE( ... ) wrapper, leaving the ml_predict call PostgreSQL parses;
 * a trailing MAP['k', v, ...] of runtime options becomes map('k', v, ...),
 * mlpredict.map().
 * Because every byte keeps its offset, the positions of the raw parse
 * tree, and of every error raised here, point into the statement the user
 * wrote (an error context callback moves PostgreSQL's cursor positions to
 * the internal query, as SQL functions do).
 *
 * The shape accepted: one source table with a primary key (or the unique
 * key named with 'key' = 'a, b'), one model call whose arguments are
 * source columns, a select list of source columns and model outputs, an
 * optional WHERE on source columns with immutable functions only, a sink
 * table with a unique index on the columns that receive the source key
 * (or the source itself, for derived columns).  Everything else is
 * refused with 0A000 at its position.
 *
 * Recording: the catalog row and the progress row (as the extension
 * owner), the capture trigger on the source (as the creating user, who
 * must be allowed to create it), and the backfill of existing keys, all in
 * the creating transaction.
 *
 * IDENTIFICATION
 *	  src/continuous/cq_define.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/json.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "continuous/cq_internal.h"
#include "syntax/lexer.h"
#include "syntax/names.h"
#include "types/typemap.h"
#include "util.h"

/* what creation learns about the statement */
typedef struct CqDefine
{
	const char *statement;		/* as written, for error positions */
	const char *name;
	Oid			source;
	const char *source_alias;
	Oid			sink;
	MlModel    *model;
	const char *model_alias;
	MlModelRef *model_ref;
	List	   *inputs;			/* char * source columns */
	char	   *runtime_options;	/* the call's trailing options, deparsed, or NULL */
	List	   *targets;		/* ContinuousTarget * */
	List	   *keys;			/* char * source key columns */
	List	   *sink_keys;		/* char * sink columns receiving them */
	List	   *where_columns;	/* char * source columns the WHERE reads */
	char	   *where_clause;	/* deparsed, or NULL */
	/* options */
	bool		backfill;
	bool		delete_rows;
	int			batch_size;
	int			max_attempts;
	char	   *provenance_column;
	char	   *key_option;
	int			key_location;
} CqDefine;

#define NOT_SUPPORTED(d, loc, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), \
			 errmsg(__VA_ARGS__), \
			 cq_position((d), (loc)), \
			 errhint("A continuous query is INSERT INTO sink [(columns)] SELECT columns FROM source, LATERAL model(columns) [WHERE condition on the source].")))

/*
 * cq_position
 *		Mark byte offset location of the statement (nothing for -1).
 */
static int
cq_position(CqDefine *d, int location)
{
	/* errposition(0) sets none, and keeps the call in every path */
	return errposition(location < 0 ? 0 : DdlErrorPosition(d->statement, location));
}

/*
 * transpose_position
 *		Error context callback: a cursor position (from the raw parser, the
 *		expression transformer or this file) becomes a position in the
 *		statement given as internal query, as in SQL function bodies.
 */
static void
transpose_position(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
}

/*
 * flink_to_sql
 *		The statement with everything before query_location blanked, Flink
 *		`identifiers` turned into "identifiers", and each LATERAL TABLE(
 *		... ) wrapper removed; every byte keeps its offset.
 */
static char *
flink_to_sql(CqDefine *d, int query_location)
{
	char	   *text = pstrdup(d->statement);
	DdlLexer	lex;
	DdlToken   *tokens;
	int			ntokens;
	int			i;

	memset(text, ' ', query_location);
	DdlLexerInit(&lex, d->statement + query_location, d->statement, query_location);
	lex.soft_errors = true;
	lex.join_hyphens = false;
	tokens = DdlLexerTokenize(&lex, &ntokens);
	for (i = 0; i < ntokens; i++)
	{
		DdlToken   *tok = &tokens[i];

		if (tok->quote == '`')
		{
			if (strchr(tok->value, '"') || strchr(tok->value, '`'))
				NOT_SUPPORTED(d, tok->location, "identifiers with quote characters are not supported");
			text[tok->location] = '"';
			text[tok->location + tok->length - 1] = '"';
		}
		else if (DdlTokenIsKeyword(tok, "MAP") && i + 1 < ntokens &&
				 DdlTokenIsPunct(&tokens[i + 1], '['))
		{
			/* Flink's MAP['k', v, ...] becomes map('k', v, ...) */
			int			depth = 0;
			int			j;

			for (j = i + 1; j < ntokens; j++)
			{
				if (DdlTokenIsPunct(&tokens[j], '['))
					depth++;
				else if (DdlTokenIsPunct(&tokens[j], ']') && --depth == 0)
					break;
			}
			if (j < ntokens)
			{
				text[tokens[i + 1].location] = '(';
				text[tokens[j].location] = ')';
			}
		}
		else if (DdlTokenIsKeyword(tok, "TABLE") && i > 0 && i + 1 < ntokens &&
				 DdlTokenIsKeyword(&tokens[i - 1], "LATERAL") &&
				 DdlTokenIsPunct(&tokens[i + 1], '('))
		{
			int			depth = 0;
			int			j;

			memset(text + tok->location, ' ', tok->length);
			for (j = i + 1; j < ntokens; j++)
			{
				if (DdlTokenIsPunct(&tokens[j], '('))
					depth++;
				else if (DdlTokenIsPunct(&tokens[j], ')') && --depth == 0)
					break;
			}
			if (j < ntokens)
			{
				text[tokens[i + 1].location] = ' ';
				text[tokens[j].location] = ' ';
			}
		}
	}
	return text;
}

/* is s in the list of C strings? */
static bool
str_member(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/* the name a raw ColumnRef field holds (A_Star gives NULL) */
static char *
field_name(Node *field)
{
	return IsA(field, String) ? strVal(field) : NULL;
}

/* is name a live user column of relid? */
static bool
is_column(Oid relid, const char *name)
{
	AttrNumber	att = get_attnum(relid, name);

	return att > 0;
}

/* the model output column called name, or NULL */
static MlColumn *
output_column(CqDefine *d, const char *name)
{
	ListCell   *lc;

	foreach(lc, d->model->output)
	{
		MlColumn   *col = lfirst(lc);

		if (strcmp(col->name, name) == 0)
			return col;
	}
	return NULL;
}

/*
 * resolve_column
 *		A column reference of the select list, the model's arguments or the
 *		WHERE: a source column (kind CQ_TARGET_SOURCE) or, when outputs may
 *		be named, a model output.  Refuses anything else at its position.
 */
static ContinuousTargetKind
resolve_column(CqDefine *d, ColumnRef *ref, bool outputs_allowed, const char *where,
			   char **column)
{
	int			n = list_length(ref->fields);
	char	   *name = field_name(llast(ref->fields));
	char	   *qualifier = n >= 2 ? field_name(list_nth(ref->fields, n - 2)) : NULL;
	bool		in_source,
				in_output;

	if (name == NULL)
		NOT_SUPPORTED(d, ref->location, "* is not supported in %s", where);
	if (n > 2)
		NOT_SUPPORTED(d, ref->location, "column references in %s are written column or alias.column", where);
	if (qualifier && strcmp(qualifier, d->source_alias) != 0 &&
		strcmp(qualifier, d->model_alias) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("missing FROM-clause entry for table \"%s\"", qualifier),
				 cq_position(d, ref->location)));
	in_source = (!qualifier || strcmp(qualifier, d->source_alias) == 0) && is_column(d->source, name);
	in_output = (!qualifier || strcmp(qualifier, d->model_alias) == 0) && output_column(d, name) != NULL;
	if (in_source && in_output)
		ereport(ERROR,
				(errcode(ERRCODE_AMBIGUOUS_COLUMN),
				 errmsg("column reference \"%s\" is ambiguous", name),
				 errdetail("It names a column of the source and an output of the model."),
				 errhint("Qualify it with %s. or %s.", d->source_alias, d->model_alias),
				 cq_position(d, ref->location)));
	if (in_output && !outputs_allowed)
		NOT_SUPPORTED(d, ref->location, "%s may only refer to columns of the source; \"%s\" is an output of the model",
					  where, name);
	if (!in_source && !in_output)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" does not exist", name),
				 errdetail(outputs_allowed ? "Neither the source %s nor the model %s has it." :
						   "The source %s has no such column (model %s).",
						   ContinuousRelationName(d->source),
						   MlQualifiedModelName(d->model->schema, d->model->name)),
				 cq_position(d, ref->location)));
	*column = pstrdup(name);
	return in_source ? CQ_TARGET_SOURCE : CQ_TARGET_OUTPUT;
}

/*
 * open_table
 *		A RangeVar that must name a table (or partitioned table).
 */
static Oid
open_table(CqDefine *d, RangeVar *rv, LOCKMODE lock, const char *role)
{
	Oid			relid = RangeVarGetRelid(rv, lock, true);
	char		kind;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist", rv->relname),
				 errdetail("It is the %s of the continuous query.", role),
				 cq_position(d, rv->location)));
	kind = get_rel_relkind(relid);
	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", rv->relname),
				 errdetail("The %s of a continuous query must be a table.", role),
				 cq_position(d, rv->location)));
	return relid;
}

/* the FROM list as (source RangeVar, model RangeFunction) */
static void
split_from(CqDefine *d, List *from, RangeVar **source, RangeFunction **call)
{
	Node	   *first,
			   *second;

	if (list_length(from) == 1 && IsA(linitial(from), JoinExpr))
	{
		JoinExpr   *j = linitial(from);

		if (j->jointype != JOIN_INNER || j->quals || j->usingClause || j->isNatural ||
			!IsA(j->rarg, RangeFunction))
			NOT_SUPPORTED(d, exprLocation(j->rarg), "joins are not supported in a continuous query");
		first = j->larg;
		second = j->rarg;
	}
	else if (list_length(from) == 2)
	{
		first = linitial(from);
		second = lsecond(from);
	}
	else if (list_length(from) < 2)
		NOT_SUPPORTED(d, from ? exprLocation(linitial(from)) : -1,
					  "a continuous query needs a model call: FROM source, LATERAL model(columns)");
	else
		NOT_SUPPORTED(d, exprLocation(list_nth(from, 2)),
					  "a continuous query reads one source table and calls one model");

	if (IsA(first, RangeFunction) && IsA(second, RangeVar))
		NOT_SUPPORTED(d, exprLocation(first), "the source table comes first: FROM source, LATERAL model(columns)");
	if (IsA(first, JoinExpr) || IsA(second, JoinExpr))
		NOT_SUPPORTED(d, -1, "joins are not supported in a continuous query");
	if (!IsA(first, RangeVar))
		NOT_SUPPORTED(d, exprLocation(first), "the source of a continuous query must be a table");
	if (!IsA(second, RangeFunction))
		NOT_SUPPORTED(d, exprLocation(second), IsA(second, RangeVar) ?
					  "joins are not supported in a continuous query" :
					  "a continuous query reads one source table and calls one model");
	*source = (RangeVar *) first;
	*call = (RangeFunction *) second;
}

/* true if a FuncCall name is mlpredict's generic ml_predict */
static bool
is_ml_predict(List *funcname)
{
	if (strcmp(strVal(llast(funcname)), "ml_predict") != 0)
		return false;
	return list_length(funcname) == 1 ||
		(list_length(funcname) == 2 && strcmp(strVal(linitial(funcname)), "mlpredict") == 0);
}

/* is a raw argument a call of mlpredict's map() or options()? */
static bool
is_runtime_options(Node *arg)
{
	FuncCall   *fc = (FuncCall *) arg;
	const char *name;

	if (!IsA(arg, FuncCall))
		return false;
	name = strVal(llast(fc->funcname));
	if (strcmp(name, "map") != 0 && strcmp(name, "options") != 0)
		return false;
	return list_length(fc->funcname) == 1 ||
		(list_length(fc->funcname) == 2 && strcmp(strVal(linitial(fc->funcname)), "mlpredict") == 0);
}

/* may a raw runtime option value be kept in the catalog: a constant? */
static bool
constant_option(Node *node)
{
	if (IsA(node, NamedArgExpr))
		node = (Node *) ((NamedArgExpr *) node)->arg;
	if (IsA(node, TypeCast))
		node = ((TypeCast *) node)->arg;
	return IsA(node, A_Const);
}

/*
 * deparse_qualified
 *		Deparse expr with search_path = pg_catalog, pg_temp, the one its
 *		batches run with: every function, operator and type outside
 *		pg_catalog is written schema-qualified, so that the stored text
 *		means the same objects whoever runs it, with whatever search_path.
 */
static char *
deparse_qualified(Node *expr, List *dpcontext, bool forceprefix)
{
	int			nest = MlPinSearchPath();
	char	   *text = deparse_expression(expr, dpcontext, forceprefix, false);

	AtEOXact_GUC(true, nest);
	return text;
}

/*
 * resolve_runtime_options
 *		The model call's trailing runtime options (Confluent's MAP[...],
 *		mlpredict.map(...) or mlpredict.options(...)), constants only:
 *		checked now, kept deparsed, passed to every batch's call.
 */
static void
resolve_runtime_options(CqDefine *d, Node *arg)
{
	FuncCall   *fc = copyObject((FuncCall *) arg);
	ParseState *pstate;
	Node	   *expr;
	ListCell   *lc;

	foreach(lc, fc->args)
		if (!constant_option(lfirst(lc)))
			NOT_SUPPORTED(d, exprLocation(lfirst(lc)), "the runtime options of a continuous query must be constants");
	/* always mlpredict's own function, whatever the search_path */
	fc->funcname = list_make2(makeString("mlpredict"), llast(fc->funcname));
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = d->statement;
	expr = transformExpr(pstate, (Node *) fc, EXPR_KIND_SELECT_TARGET);
	if (exprType(expr) != typenameTypeId(NULL, makeTypeNameFromNameList(
															 list_make2(makeString("mlpredict"), makeString("predict_options")))))
		NOT_SUPPORTED(d, fc->location, "the last argument of the model call must be a column or runtime options");
	/* evaluated now, to check the keys and values */
	(void) eval_const_expressions(NULL, expr);
	d->runtime_options = deparse_qualified(expr, NIL, false);
}

/*
 * resolve_model
 *		The model call: model(cols), mlpredict.ml_predict('model', cols) or
 *		(Flink, after flink_to_sql) ML_PREDICT('model', cols).
 */
static void
resolve_model(CqDefine *d, RangeFunction *rf)
{
	List	   *pair;
	FuncCall   *fc;
	List	   *args;
	ListCell   *lc;
	int			location;

	if (list_length(rf->functions) != 1 || rf->is_rowsfrom)
		NOT_SUPPORTED(d, -1, "a continuous query calls one model");
	if (rf->ordinality)
		NOT_SUPPORTED(d, -1, "WITH ORDINALITY is not supported in a continuous query");
	pair = linitial(rf->functions);
	if (!IsA(linitial(pair), FuncCall))
		NOT_SUPPORTED(d, exprLocation(linitial(pair)), "the LATERAL item must be a model call");
	fc = linitial(pair);
	location = fc->location;
	if (fc->agg_order || fc->agg_filter || fc->over || fc->agg_star || fc->agg_distinct || fc->func_variadic)
		NOT_SUPPORTED(d, location, "the model call takes plain column arguments");
	args = fc->args;
	if (is_ml_predict(fc->funcname))
	{
		Node	   *first = args ? linitial(args) : NULL;

		if (first == NULL || !IsA(first, A_Const) || !IsA(&((A_Const *) first)->val, String))
			NOT_SUPPORTED(d, first ? exprLocation(first) : location,
						  "the first argument of ML_PREDICT must be the model name as a string literal");
		d->model_ref = MlParseModelRef(strVal(&((A_Const *) first)->val));
		args = list_delete_first(list_copy(args));
		location = exprLocation(first);
	}
	else
	{
		char	   *parts[3];
		int			nparts = 0;

		foreach(lc, fc->funcname)
			if (nparts < 3)
				parts[nparts++] = strVal(lfirst(lc));
		d->model_ref = MlMakeModelRef(parts, nparts, NameListToString(fc->funcname),
									  d->statement, location);
	}
	if (d->model_ref->version_kind == ML_VERSION_ALL ||
		d->model_ref->version_kind == ML_VERSION_LATEST)
		NOT_SUPPORTED(d, location, "a continuous query calls the model's default version or one numbered version");
	d->model = CatalogGetModel(d->model_ref, true);
	if (d->model == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model %s does not exist", d->model_ref->schema ?
						MlQualifiedModelName(d->model_ref->schema, d->model_ref->name) :
						quote_identifier(d->model_ref->name)),
				 cq_position(d, location)));
	d->model_alias = rf->alias ? rf->alias->aliasname : strVal(llast(fc->funcname));
	if (rf->alias && rf->alias->colnames)
		NOT_SUPPORTED(d, location, "column aliases of the model call are not supported; name the outputs in the select list");

	if (args && is_runtime_options(llast(args)))
	{
		resolve_runtime_options(d, llast(args));
		args = list_truncate(list_copy(args), list_length(args) - 1);
	}
	foreach(lc, args)
	{
		Node	   *arg = lfirst(lc);
		char	   *column;

		if (!IsA(arg, ColumnRef))
			NOT_SUPPORTED(d, exprLocation(arg), "the model's arguments must be columns of the source");
		(void) resolve_column(d, (ColumnRef *) arg, false, "the model's arguments", &column);
		d->inputs = lappend(d->inputs, column);
	}
	if (list_length(d->inputs) != list_length(d->model->input))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("model %s takes %d input columns, the call passes %d",
						MlQualifiedModelName(d->model->schema, d->model->name),
						list_length(d->model->input), list_length(d->inputs)),
				 cq_position(d, fc->location)));
}

/*
 * refuse_select_clauses
 *		What a continuous query's SELECT may not have.
 */
static void
refuse_select_clauses(CqDefine *d, SelectStmt *sel, int stmt_location)
{
	if (sel == NULL || sel->valuesLists)
		NOT_SUPPORTED(d, stmt_location, "a continuous query inserts the rows of a SELECT");
	if (sel->op != SETOP_NONE)
		NOT_SUPPORTED(d, stmt_location, "UNION, INTERSECT and EXCEPT are not supported in a continuous query");
	if (sel->withClause)
		NOT_SUPPORTED(d, sel->withClause->location, "WITH is not supported in a continuous query");
	if (sel->intoClause)
		NOT_SUPPORTED(d, stmt_location, "SELECT INTO is not supported in a continuous query");
	if (sel->distinctClause)
		NOT_SUPPORTED(d, linitial(sel->distinctClause) ? exprLocation(linitial(sel->distinctClause)) : stmt_location,
					  "DISTINCT is not supported in a continuous query");
	if (sel->groupClause)
		NOT_SUPPORTED(d, exprLocation(linitial(sel->groupClause)), "GROUP BY is not supported in a continuous query");
	if (sel->havingClause)
		NOT_SUPPORTED(d, exprLocation(sel->havingClause), "HAVING is not supported in a continuous query");
	if (sel->windowClause)
		NOT_SUPPORTED(d, exprLocation(linitial(sel->windowClause)), "WINDOW is not supported in a continuous query");
	if (sel->sortClause)
		NOT_SUPPORTED(d, exprLocation(linitial(sel->sortClause)),
					  "ORDER BY is not supported in a continuous query: rows are processed as they change");
	if (sel->limitCount || sel->limitOffset)
		NOT_SUPPORTED(d, exprLocation(sel->limitCount ? sel->limitCount : sel->limitOffset),
					  "LIMIT and OFFSET are not supported in a continuous query");
	if (sel->lockingClause)
		NOT_SUPPORTED(d, stmt_location, "FOR UPDATE and FOR SHARE are not supported in a continuous query");
}

/* does any aggregate, window function or subquery hide in the raw expression? */
static bool
raw_has_unsupported(Node *node, void *context)
{
	CqDefine   *d = context;

	if (node == NULL)
		return false;
	if (IsA(node, SubLink))
		NOT_SUPPORTED(d, exprLocation(node), "subqueries are not supported in a continuous query");
	if (IsA(node, FuncCall) && ((FuncCall *) node)->over)
		NOT_SUPPORTED(d, exprLocation(node), "window functions are not supported in a continuous query");
	if (IsA(node, ColumnRef))
	{
		char	   *column;

		(void) resolve_column(d, (ColumnRef *) node, false, "WHERE", &column);
		if (!list_member(d->where_columns, makeString(column)))
			d->where_columns = lappend(d->where_columns, makeString(column));
		return false;
	}
	return raw_expression_tree_walker(node, raw_has_unsupported, context);
}

/*
 * resolve_where
 *		Check the WHERE (source columns only, immutable functions only, no
 *		aggregates or subqueries) and deparse it with the source as "s".
 */
static void
resolve_where(CqDefine *d, Node *where, const char *sql)
{
	ParseState *pstate;
	Relation	rel;
	ParseNamespaceItem *nsitem;
	Node	   *expr;

	if (where == NULL)
		return;
	(void) raw_has_unsupported(where, d);

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = sql;
	rel = table_open(d->source, AccessShareLock);
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
										   makeAlias(d->source_alias, NIL), false, true);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	expr = transformExpr(pstate, copyObject(where), EXPR_KIND_WHERE);
	expr = coerce_to_boolean(pstate, expr, "WHERE");
	table_close(rel, NoLock);

	if (pstate->p_hasAggs)
		NOT_SUPPORTED(d, exprLocation(where), "aggregates are not supported in a continuous query");
	if (contain_mutable_functions(expr))
		NOT_SUPPORTED(d, exprLocation(where),
					  "the WHERE of a continuous query may use immutable functions only");
	d->where_clause = deparse_qualified(expr, deparse_context_for("s", d->source), true);
}

/* the unique index of relid on exactly the columns (any order), or InvalidOid */
static Oid
unique_index_on(Oid relid, List *columns, bool primary_only, List **pk_columns)
{
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	Oid			found = InvalidOid;

	foreach(lc, indexes)
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index idx;
		bool		match = true;
		List	   *names = NIL;
		int			i;

		if (!HeapTupleIsValid(tup))
			continue;
		idx = (Form_pg_index) GETSTRUCT(tup);
		if (!idx->indisunique || !idx->indimmediate || !idx->indisvalid ||
			(primary_only && !idx->indisprimary) ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL) ||
			!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
			match = false;
		for (i = 0; match && i < idx->indnkeyatts; i++)
		{
			char	   *att = get_attname(relid, idx->indkey.values[i], false);

			names = lappend(names, att);
			if (!primary_only)
			{
				ListCell   *c;
				bool		in = false;

				foreach(c, columns)
					in |= strcmp(lfirst(c), att) == 0;
				match &= in;
			}
		}
		if (match && (primary_only || idx->indnkeyatts == list_length(columns)))
		{
			found = idx->indexrelid;
			if (pk_columns)
				*pk_columns = names;
		}
		ReleaseSysCache(tup);
		if (OidIsValid(found))
			break;
	}
	table_close(rel, AccessShareLock);
	return found;
}

/* "a, b" for messages */
static char *
column_list(List *columns)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, columns)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", quote_identifier(lfirst(lc)));
	return buf.data;
}

/*
 * resolve_source_key
 *		The source's primary key, or the unique key the 'key' option names
 *		(its columns NOT NULL).
 */
static void
resolve_source_key(CqDefine *d, int source_location)
{
	ListCell   *lc;
	List	   *names;
	Relation	rel;

	if (d->key_option == NULL)
	{
		if (!OidIsValid(unique_index_on(d->source, NIL, true, &d->keys)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("source %s has no primary key", ContinuousRelationName(d->source)),
					 errdetail("A continuous query follows the source's rows by their key."),
					 errhint("Add a primary key, or name a unique key of NOT NULL columns with WITH ('key' = 'column, ...')."),
					 cq_position(d, source_location)));
		return;
	}
	if (!SplitIdentifierString(pstrdup(d->key_option), ',', &names) || names == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"key\" must list column names separated by commas, not \"%s\"", d->key_option),
				 cq_position(d, d->key_location)));
	rel = table_open(d->source, AccessShareLock);
	foreach(lc, names)
	{
		char	   *col = lfirst(lc);
		AttrNumber	att = get_attnum(d->source, col);

		if (att <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key column \"%s\" does not exist in the source %s", col,
							ContinuousRelationName(d->source)),
					 cq_position(d, d->key_location)));
		if (!TupleDescAttr(RelationGetDescr(rel), att - 1)->attnotnull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("key column \"%s\" of the source must be NOT NULL", col),
					 cq_position(d, d->key_location)));
		d->keys = lappend(d->keys, pstrdup(col));
	}
	table_close(rel, AccessShareLock);
	if (!OidIsValid(unique_index_on(d->source, d->keys, false, NULL)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("source %s has no unique index on (%s)", ContinuousRelationName(d->source),
						column_list(d->keys)),
				 errhint("The key must be a primary key or a unique, non-partial index without expressions."),
				 cq_position(d, d->key_location)));
}

/* the sink column of the target reading source column col, or NULL */
static char *
sink_column_of(CqDefine *d, const char *col)
{
	ListCell   *lc;

	foreach(lc, d->targets)
	{
		ContinuousTarget *t = lfirst(lc);

		if (t->kind == CQ_TARGET_SOURCE && strcmp(t->column, col) == 0)
			return t->sink_column;
	}
	return NULL;
}

/*
 * resolve_targets
 *		The select list against the sink's columns (named, or all in order).
 */
static void
resolve_targets(CqDefine *d, InsertStmt *ins, SelectStmt *sel)
{
	List	   *sink_columns = NIL;
	ListCell   *lc;
	int			i = 0;

	if (ins->cols)
	{
		foreach(lc, ins->cols)
		{
			ResTarget  *rt = lfirst(lc);

			if (rt->indirection)
				NOT_SUPPORTED(d, rt->location, "subscripts and fields of sink columns are not supported");
			if (!is_column(d->sink, rt->name))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of relation %s does not exist", rt->name,
								ContinuousRelationName(d->sink)),
						 cq_position(d, rt->location)));
			if (list_member(sink_columns, makeString(rt->name)))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" specified more than once", rt->name),
						 cq_position(d, rt->location)));
			sink_columns = lappend(sink_columns, makeString(rt->name));
		}
	}
	else
	{
		Relation	rel = table_open(d->sink, AccessShareLock);
		TupleDesc	desc = RelationGetDescr(rel);

		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped && !att->attgenerated)
				sink_columns = lappend(sink_columns, makeString(pstrdup(NameStr(att->attname))));
		}
		table_close(rel, AccessShareLock);
	}

	i = 0;
	foreach(lc, sel->targetList)
	{
		ResTarget  *rt = lfirst(lc);
		ContinuousTarget *t = palloc0(sizeof(ContinuousTarget));
		Oid			from,
					to;
		AttrNumber	att;

		if (!IsA(rt->val, ColumnRef))
			NOT_SUPPORTED(d, exprLocation(rt->val),
						  "the select list of a continuous query may name columns of the source and outputs of the model only");
		if (i >= list_length(sink_columns))
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("INSERT has more expressions than target columns"),
					 cq_position(d, exprLocation(rt->val))));
		t->kind = resolve_column(d, (ColumnRef *) rt->val, true, "the select list", &t->column);
		t->sink_column = strVal(list_nth(sink_columns, i++));
		att = get_attnum(d->sink, t->sink_column);
		to = get_atttype(d->sink, att);
		from = t->kind == CQ_TARGET_SOURCE ?
			get_atttype(d->source, get_attnum(d->source, t->column)) :
			output_column(d, t->column)->typid;
		if (!can_coerce_type(1, &from, &to, COERCION_ASSIGNMENT))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" is of type %s but expression is of type %s",
							t->sink_column, format_type_be(to), format_type_be(from)),
					 cq_position(d, exprLocation(rt->val))));
		d->targets = lappend(d->targets, t);
	}
	if (ins->cols && i < list_length(sink_columns))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("INSERT has more target columns than expressions"),
				 cq_position(d, ((ResTarget *) list_nth(ins->cols, i))->location)));

	if (d->provenance_column)
	{
		ContinuousTarget *t = palloc0(sizeof(ContinuousTarget));
		AttrNumber	att = get_attnum(d->sink, d->provenance_column);
		Oid			from = INT4OID,
					to;

		if (att <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("provenance column \"%s\" does not exist in the sink %s",
							d->provenance_column, ContinuousRelationName(d->sink))));
		to = get_atttype(d->sink, att);
		if (TypeCategory(to) != TYPCATEGORY_NUMERIC ||
			!can_coerce_type(1, &from, &to, COERCION_ASSIGNMENT))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("provenance column \"%s\" must hold an integer (the model version), not %s",
							d->provenance_column, format_type_be(to))));
		foreach(lc, d->targets)
			if (strcmp(((ContinuousTarget *) lfirst(lc))->sink_column, d->provenance_column) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("provenance column \"%s\" is also written by the select list",
								d->provenance_column)));
		t->kind = CQ_TARGET_VERSION;
		t->sink_column = d->provenance_column;
		d->targets = lappend(d->targets, t);
	}
}

/*
 * resolve_sink_key
 *		The sink columns receiving the source key, and the sink's unique
 *		index on them; for sink = source, the derived columns must be
 *		neither inputs, key nor WHERE columns (writing them would queue the
 *		row again).
 */
static void
resolve_sink_key(CqDefine *d, int sink_location)
{
	ListCell   *lc;

	foreach(lc, d->keys)
	{
		char	   *sink_col = sink_column_of(d, lfirst(lc));

		if (sink_col == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("the select list must include the source's key column \"%s\"",
							(char *) lfirst(lc)),
					 errdetail("The sink is written with an upsert on the source key (%s).",
							   column_list(d->keys)),
					 cq_position(d, sink_location)));
		d->sink_keys = lappend(d->sink_keys, sink_col);
	}
	if (d->sink != d->source)
	{
		if (!OidIsValid(unique_index_on(d->sink, d->sink_keys, false, NULL)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("sink %s has no unique index on (%s)", ContinuousRelationName(d->sink),
							column_list(d->sink_keys)),
					 errdetail("The sink is written with INSERT ... ON CONFLICT on the columns that receive the source key."),
					 errhint("Create one: CREATE UNIQUE INDEX ON %s (%s);",
							 ContinuousRelationName(d->sink), column_list(d->sink_keys)),
					 cq_position(d, sink_location)));
		return;
	}
	foreach(lc, d->targets)
	{
		ContinuousTarget *t = lfirst(lc);

		if (t->kind == CQ_TARGET_SOURCE)
		{
			if (strcmp(t->column, t->sink_column) != 0)
				NOT_SUPPORTED(d, sink_location,
							  "when the sink is the source, a source column may only be written to itself (\"%s\" into \"%s\")",
							  t->column, t->sink_column);
			continue;
		}
		if (list_member(d->where_columns, makeString(t->sink_column)) ||
			sink_column_of(d, t->sink_column) != NULL ||
			str_member(d->keys, t->sink_column))
			NOT_SUPPORTED(d, sink_location,
						  "when the sink is the source, the derived column \"%s\" may not also be a key, input or WHERE column",
						  t->sink_column);
		if (str_member(d->inputs, t->sink_column))
			NOT_SUPPORTED(d, sink_location,
						  "when the sink is the source, the derived column \"%s\" may not also be a model input",
						  t->sink_column);
	}
}

/*
 * apply_options
 *		WITH (...) at create: backfill, delete, batch_size, max_attempts,
 *		provenance_column, key.
 */
static void
apply_options(CqDefine *d, List *options)
{
	ListCell   *lc;

	d->backfill = true;
	d->delete_rows = true;
	d->batch_size = CQ_DEFAULT_BATCH_SIZE;
	d->max_attempts = CQ_DEFAULT_MAX_ATTEMPTS;
	d->key_location = -1;
	MlCheckDuplicateOptions(options, d->statement);
	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (pg_strcasecmp(opt->key, "key") == 0)
		{
			d->key_option = opt->value;
			d->key_location = opt->location;
		}
	}
	{
		/* the shared checks of create and alter */
		char	   *json = ContinuousOptionsJson(options, d->statement, false, NULL);
		List	   *merged = MlOptionsFromJsonText(json, "continuous query");
		const char *v;
		int64		n;

		d->backfill = strcmp(MlOptionGet(merged, "backfill"), "true") == 0;
		d->delete_rows = strcmp(MlOptionGet(merged, "delete"), "true") == 0;
		(void) MlParseInt(MlOptionGet(merged, "batch_size"), &n);
		d->batch_size = (int) n;
		(void) MlParseInt(MlOptionGet(merged, "max_attempts"), &n);
		d->max_attempts = (int) n;
		v = MlOptionGet(merged, "provenance_column");
		d->provenance_column = v ? pstrdup(v) : NULL;
	}
}

/* the definition as a ContinuousQuery, for the checks and the batch text */
static ContinuousQuery *
as_query(CqDefine *d)
{
	ContinuousQuery *cq = palloc0(sizeof(ContinuousQuery));
	ListCell   *lc;
	int			i = 0;

	cq->name = pstrdup(d->name);
	cq->owner = GetUserId();
	cq->source = d->source;
	cq->sink = d->sink;
	cq->sink_is_source = d->source == d->sink;
	cq->nkeys = list_length(d->keys);
	cq->source_key = palloc0(sizeof(char *) * cq->nkeys);
	cq->sink_key = palloc0(sizeof(char *) * cq->nkeys);
	cq->key_types = palloc0(sizeof(Oid) * cq->nkeys);
	foreach(lc, d->keys)
	{
		cq->source_key[i] = lfirst(lc);
		cq->sink_key[i] = list_nth(d->sink_keys, i);
		cq->key_types[i] = get_atttype(d->source, get_attnum(d->source, lfirst(lc)));
		i++;
	}
	cq->model_schema = d->model->schema;
	cq->model_name = d->model->name;
	cq->model_version = d->model_ref->version_kind == ML_VERSION_NUMBER ? d->model_ref->version : 0;
	cq->ninputs = list_length(d->inputs);
	cq->inputs = palloc0(sizeof(char *) * Max(cq->ninputs, 1));
	i = 0;
	foreach(lc, d->inputs)
		cq->inputs[i++] = lfirst(lc);
	cq->ntargets = list_length(d->targets);
	cq->targets = palloc0(sizeof(ContinuousTarget) * Max(cq->ntargets, 1));
	i = 0;
	foreach(lc, d->targets)
		cq->targets[i++] = *(ContinuousTarget *) lfirst(lc);
	cq->where_clause = d->where_clause;
	cq->running = true;
	cq->backfill = d->backfill;
	cq->delete_rows = d->delete_rows;
	cq->batch_size = d->batch_size;
	cq->max_attempts = d->max_attempts;
	cq->provenance_column = d->provenance_column;
	cq->runtime_options = d->runtime_options;
	return cq;
}

/* ARRAY['a', 'b']::name[] */
static char *
name_array(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "ARRAY[");
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	appendStringInfoString(&buf, "]::pg_catalog.name[]");
	return buf.data;
}

/* the targets as the catalog's jsonb text */
static char *
targets_json(CqDefine *d)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, d->targets)
	{
		ContinuousTarget *t = lfirst(lc);

		appendStringInfoString(&buf, foreach_current_index(lc) ? ", {\"sink\": " : "{\"sink\": ");
		escape_json(&buf, t->sink_column);
		if (t->kind == CQ_TARGET_VERSION)
			appendStringInfoString(&buf, ", \"version\": true}");
		else
		{
			appendStringInfoString(&buf, t->kind == CQ_TARGET_SOURCE ? ", \"source\": " : ", \"output\": ");
			escape_json(&buf, t->column);
			appendStringInfoChar(&buf, '}');
		}
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* does a continuous query of this name exist? */
static bool
query_exists(const char *name)
{
	CatalogAccess access;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	bool		found;

	CatalogBegin(&access);
	found = CatalogExec("SELECT FROM mlpredict.continuous_query WHERE name OPERATOR(pg_catalog.=) $1",
						1, argtypes, values, NULL, true) > 0;
	CatalogEnd(&access);
	return found;
}

/*
 * record_query
 *		The catalog and progress rows, as the extension owner.
 */
static void
record_query(CqDefine *d, ContinuousQuery *cq, const char *options_json, const char *statement)
{
	CatalogAccess access;
	StringInfoData sql;
	Oid			argtypes[10] = {TEXTOID, OIDOID, OIDOID, OIDOID, TEXTOID, TEXTOID, INT4OID,
	TEXTOID, TEXTOID, TEXTOID};
	Datum		values[10];
	char		nulls[10];

	memset(nulls, ' ', sizeof(nulls));
	values[0] = CStringGetTextDatum(d->name);
	values[1] = ObjectIdGetDatum(GetUserId());
	values[2] = ObjectIdGetDatum(d->source);
	values[3] = ObjectIdGetDatum(d->sink);
	values[4] = CStringGetTextDatum(d->model->schema);
	values[5] = CStringGetTextDatum(d->model->name);
	values[6] = Int32GetDatum(cq->model_version);
	if (cq->model_version == 0)
		nulls[6] = 'n';
	values[7] = CStringGetTextDatum(targets_json(d));
	values[8] = d->where_clause ? CStringGetTextDatum(d->where_clause) : (Datum) 0;
	if (!d->where_clause)
		nulls[8] = 'n';
	values[9] = CStringGetTextDatum(options_json);

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "INSERT INTO mlpredict.continuous_query (name, owner, source, source_key, sink, sink_key, "
					 "model_schema, model_name, model_version, inputs, targets, where_clause, options, statement) "
					 "VALUES ($1, $2::pg_catalog.regrole, $3::pg_catalog.regclass, %s, $4::pg_catalog.regclass, %s, "
					 "$5, $6, $7, %s, $8::pg_catalog.jsonb, $9, $10::pg_catalog.jsonb, %s)",
					 name_array(d->keys), name_array(d->sink_keys), name_array(d->inputs),
					 quote_literal_cstr(statement));
	CatalogBegin(&access);
	CatalogExec(sql.data, 10, argtypes, values, nulls, false);
	CatalogExec("INSERT INTO mlpredict.continuous_query_progress (query) VALUES ($1)",
				1, argtypes, values, NULL, false);
	CatalogEnd(&access);
}

/*
 * followed_columns
 *		The source columns whose change queues a row: key, inputs, WHERE
 *		columns.
 */
static List *
followed_columns(CqDefine *d)
{
	List	   *columns = list_copy(d->keys);
	ListCell   *lc;

	foreach(lc, d->inputs)
		if (!str_member(columns, lfirst(lc)))
			columns = lappend(columns, lfirst(lc));
	foreach(lc, d->where_columns)
		if (!str_member(columns, strVal(lfirst(lc))))
			columns = lappend(columns, strVal(lfirst(lc)));
	return columns;
}

/*
 * create_trigger
 *		AFTER INSERT OR DELETE OR UPDATE OF <followed_columns> ON source FOR
 *		EACH ROW, and AFTER TRUNCATE ON source FOR EACH STATEMENT, as the
 *		creating user.
 */
static void
create_trigger(CqDefine *d)
{
	StringInfoData sql;
	List	   *columns = followed_columns(d);

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TRIGGER %s AFTER INSERT OR DELETE OR UPDATE OF %s ON %s "
					 "FOR EACH ROW EXECUTE FUNCTION mlpredict.continuous_query_capture(%s)",
					 quote_identifier(psprintf(CQ_TRIGGER_PREFIX "%s", d->name)),
					 column_list(columns), ContinuousRelationName(d->source),
					 quote_literal_cstr(d->name));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create the capture trigger");
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TRIGGER %s AFTER TRUNCATE ON %s "
					 "FOR EACH STATEMENT EXECUTE FUNCTION mlpredict.continuous_query_capture(%s)",
					 quote_identifier(psprintf(CQ_TRUNCATE_PREFIX "%s", d->name)),
					 ContinuousRelationName(d->source), quote_literal_cstr(d->name));
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create the capture trigger");
	SPI_finish();
}

/* the rights the creating user needs, besides those of every batch */
static void
check_create_rights(CqDefine *d, ContinuousQuery *cq)
{
	ContinuousCheckPrivileges(cq);
	if (pg_class_aclcheck(d->source, GetUserId(), ACL_TRIGGER) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to create a trigger on %s", ContinuousRelationName(d->source)),
				 errdetail("A continuous query follows its source with a trigger; its owner needs the TRIGGER privilege on the source.")));
}

/* the batch statement must parse and analyze as the owner */
static void
check_batch_statement(ContinuousQuery *cq)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	char	   *sql = ContinuousBatchSQL(cq, NULL);
	char	   *del = ContinuousDeleteSQL(cq);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_prepare(sql, 1, argtypes) == NULL ||
		(del && SPI_prepare(del, 1, argtypes) == NULL))
		elog(ERROR, "could not prepare the batch statement: %s", SPI_result_code_string(SPI_result));
	SPI_finish();
}

/*
 * ContinuousQueryCreate
 *		Validate and record one continuous query.
 */
bool
ContinuousQueryCreate(const char *name, const char *statement, int query_location,
					  List *options, bool if_not_exists)
{
	CqDefine	d;
	ErrorContextCallback callback;
	char	   *sql;
	List	   *raw;
	RawStmt    *rs;
	InsertStmt *ins;
	SelectStmt *sel;
	RangeVar   *source_rv;
	RangeFunction *call;
	ContinuousQuery *cq;
	char	   *options_json;

	memset(&d, 0, sizeof(d));
	d.statement = statement;
	d.name = name;
	if (name == NULL || name[0] == '\0' || strlen(name) > CQ_MAX_NAME_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid continuous query name \"%s\"", name ? name : ""),
				 errdetail("A name has 1 to %d bytes.", CQ_MAX_NAME_BYTES)));
	if (query_exists(name))
	{
		if (!if_not_exists)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("continuous query \"%s\" already exists", name)));
		ereport(NOTICE,
				(errmsg("continuous query \"%s\" already exists, skipping", name)));
		return false;
	}
	apply_options(&d, options);

	callback.callback = transpose_position;
	callback.arg = (void *) statement;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	sql = flink_to_sql(&d, query_location);
	raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		NOT_SUPPORTED(&d, raw ? ((RawStmt *) lsecond(raw))->stmt_location : query_location,
					  "a continuous query is one INSERT ... SELECT statement");
	rs = linitial(raw);
	if (!IsA(rs->stmt, InsertStmt))
		NOT_SUPPORTED(&d, rs->stmt_location, "a continuous query is an INSERT ... SELECT statement");
	ins = (InsertStmt *) rs->stmt;
	if (ins->withClause)
		NOT_SUPPORTED(&d, ins->withClause->location, "WITH is not supported in a continuous query");
	if (ins->onConflictClause)
		NOT_SUPPORTED(&d, ins->onConflictClause->location,
					  "ON CONFLICT is not supported in a continuous query: the sink is written with an upsert on the source key");
	if (MlInsertReturningList(ins) != NIL)
		NOT_SUPPORTED(&d, exprLocation(linitial(MlInsertReturningList(ins))),
					  "RETURNING is not supported in a continuous query");
	sel = (SelectStmt *) ins->selectStmt;
	refuse_select_clauses(&d, sel, rs->stmt_location);

	split_from(&d, sel->fromClause, &source_rv, &call);
	d.source = open_table(&d, source_rv, ShareRowExclusiveLock, "source");
	d.source_alias = source_rv->alias ? source_rv->alias->aliasname : source_rv->relname;
	resolve_model(&d, call);
	d.sink = open_table(&d, ins->relation, RowExclusiveLock, "sink");
	resolve_where(&d, sel->whereClause, sql);
	resolve_source_key(&d, source_rv->location);
	resolve_targets(&d, ins, sel);
	resolve_sink_key(&d, ins->relation->location);
	error_context_stack = callback.previous;

	cq = as_query(&d);
	check_create_rights(&d, cq);
	check_batch_statement(cq);
	ContinuousCheckNoLoop(cq, followed_columns(&d));

	options_json = ContinuousOptionsJson(options, statement, false, NULL);
	if (d.runtime_options)
	{
		StringInfoData json;

		initStringInfo(&json);
		appendBinaryStringInfo(&json, options_json, strlen(options_json) - 1);
		appendStringInfoString(&json, ", \"runtime_options\": ");
		escape_json(&json, d.runtime_options);
		appendStringInfoChar(&json, '}');
		options_json = json.data;
	}
	record_query(&d, cq, options_json,
				 ContinuousCanonicalStatement(name, options_json, statement + query_location));
	create_trigger(&d);
	if (d.backfill)
		(void) ContinuousEnqueueAll(cq);
	ContinuousWakeAtCommit();
	return true;
}
