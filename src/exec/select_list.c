/*-------------------------------------------------------------------------
 *
 * select_list.c
 *	  Model calls written in a select list are pipelined too: a planner
 *	  hook moves each one into a LATERAL function relation of its query
 *	  level, where pipeline_path.c offers the MLPredict join.
 *
 * "SELECT id, mlpredict.ai_complete('m', q) FROM t" would call the model
 * once per row, waiting for each answer.  Before planning, this hook
 * rewrites such a query level as if it had been written
 *
 *	   SELECT id, f.ai_complete FROM t, LATERAL mlpredict.ai_complete('m', q) f
 *
 * (the call replaced by a Var of the new relation; a model's typed
 * function, which returns a row, by ROW(f.col, ...), so that
 * "(sentimentmodel(text)).sentiment" becomes f.sentiment), which gives
 * the same rows: ai_complete and ai_embedding are scalar, so their
 * relation always has one row and the pipelined join never drops one; a
 * typed function is a set-returning function, and an inner join gives
 * exactly ProjectSet's rows for one SRF (one row, or none under
 * on_error = skip).  Equal calls share one relation.
 *
 * A level is rewritten only when that keeps its meaning and cost:
 *	- a plain SELECT (INSERT ... SELECT's SELECT, subqueries, CTEs, views
 *	  and sublinks are levels of their own); UPDATE, DELETE, INSERT ...
 *	  VALUES and MERGE levels are left alone (see the README),
 *	- with a FROM clause, no aggregates, GROUP BY, HAVING, window
 *	  functions, set operations, FOR UPDATE/SHARE, and no ORDER BY with
 *	  LIMIT/OFFSET (the select list would then be computed only for the
 *	  rows kept, after the sort),
 *	- the call's arguments use only this level's columns (no outer
 *	  references, subqueries, aggregates or SRFs), its model and options
 *	  are the same for every row (what pipeline_path.c requires),
 *	- the call is evaluated for every row: it is not inside CASE,
 *	  COALESCE, AND/OR or any expression that may skip it (only plain
 *	  function and operator calls, casts, field selections, row and array
 *	  constructors, NULL tests and the like may contain it),
 *	- the only set-returning function of the select list is the model's
 *	  typed function (one call, possibly written more than once).
 * Anything else keeps the ordinary one-call-per-row evaluation.
 *
 * This is done in the planner hook, never after parse analysis, so stored
 * view and rule definitions keep the query as written; EXPLAIN shows the
 * MLPredict node.  With mlpredict.enable_pipeline = off nothing is
 * rewritten.
 *
 * IDENTIFICATION
 *	  src/exec/select_list.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "utils/lsyscache.h"

#include "exec/pipeline.h"
#include "exec/select_list.h"
#include "mlpredict.h"
#include "settings.h"

/* One query level being rewritten. */
typedef struct LevelRewrite
{
	int			nrtable;		/* range table entries before the rewrite */
	List	   *calls;			/* FuncExpr moved (as written) */
	List	   *rtes;			/* and the RangeTblEntry of each */
} LevelRewrite;

static planner_hook_type prev_planner_hook = NULL;

static void rewrite_query(Query *query);

/*
 * local_walker
 *		True if node uses anything but this level's columns and constants:
 *		outer references, subqueries, aggregates, window functions, SRFs.
 */
static bool
local_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var))
		return ((Var *) node)->varlevelsup != 0;
	if (IsA(node, PlaceHolderVar) || IsA(node, SubLink) || IsA(node, Aggref) ||
		IsA(node, GroupingFunc) || IsA(node, WindowFunc) || IsA(node, Query))
		return true;
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcretset)
		return true;
	if (IsA(node, OpExpr) && ((OpExpr *) node)->opretset)
		return true;
	return expression_tree_walker(node, local_walker, context);
}

/*
 * call_moves
 *		Whether a call (its arguments already rewritten) goes into a
 *		LATERAL relation; *desc is the typed function's row, or NULL.
 */
static bool
call_moves(FuncExpr *call, TupleDesc *desc)
{
	*desc = NULL;
	if (local_walker((Node *) call->args, NULL) || !MlPipelinableCall((Node *) call))
		return false;
	if (!call->funcretset)
		return true;
	/*
	 * A typed function: a row (several OUTPUT columns) or a scalar (one).
	 * ml_predict returns record, which a select list cannot take anyway.
	 */
	switch (get_expr_result_type((Node *) call, NULL, desc))
	{
		case TYPEFUNC_COMPOSITE:
			return true;
		case TYPEFUNC_SCALAR:
			*desc = NULL;
			return true;
		default:
			return false;
	}
}

/*
 * function_rte
 *		A LATERAL function relation for call, as the parser would make it
 *		(no permissions: a function relation has none to check).
 */
static RangeTblEntry *
function_rte(FuncExpr *call, TupleDesc desc)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	RangeTblFunction *rtfunc = makeNode(RangeTblFunction);
	char	   *fname = get_func_name(call->funcid);
	List	   *colnames = NIL;

	if (desc == NULL)
		colnames = list_make1(makeString(pstrdup(fname)));
	else
		for (int i = 0; i < desc->natts; i++)
			colnames = lappend(colnames,
							   makeString(pstrdup(NameStr(TupleDescAttr(desc, i)->attname))));
	rtfunc->funcexpr = (Node *) call;
	rtfunc->funccolcount = list_length(colnames);
	rte->rtekind = RTE_FUNCTION;
	rte->functions = list_make1(rtfunc);
	rte->lateral = true;
	rte->inFromCl = true;
	rte->eref = makeAlias(fname, colnames);
	return rte;
}

/*
 * call_value
 *		What replaces the call: the relation's column, or for a typed
 *		function the row of its columns.
 */
static Node *
call_value(FuncExpr *call, TupleDesc desc, Index rtindex)
{
	RowExpr    *row;

	if (desc == NULL)
		return (Node *) makeVar(rtindex, 1, call->funcresulttype, exprTypmod((Node *) call),
								call->funccollid, 0);
	row = makeNode(RowExpr);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		row->args = lappend(row->args,
							makeVar(rtindex, i + 1, att->atttypid, att->atttypmod,
									att->attcollation, 0));
		row->colnames = lappend(row->colnames, makeString(pstrdup(NameStr(att->attname))));
	}
	row->row_typeid = call->funcresulttype;
	row->row_format = COERCE_IMPLICIT_CAST;
	row->location = -1;
	return (Node *) row;
}

/*
 * move_call
 *		The value replacing call: a relation of its own, or the one of an
 *		equal call already moved.
 */
static Node *
move_call(FuncExpr *call, TupleDesc desc, LevelRewrite *level)
{
	ListCell   *lc;
	int			i = 0;

	foreach(lc, level->calls)
	{
		i++;
		if (equal(lfirst(lc), call))
			return call_value(call, desc, level->nrtable + i);
	}
	level->calls = lappend(level->calls, call);
	level->rtes = lappend(level->rtes, function_rte(call, desc));
	return call_value(call, desc, level->nrtable + list_length(level->calls));
}

/*
 * always_evaluates
 *		Expressions that evaluate every argument for every row, so a call
 *		inside them may be moved: anything that may skip an argument (CASE,
 *		COALESCE, AND/OR, ...) or is not known here keeps its calls.
 */
static bool
always_evaluates(Node *node)
{
	switch (nodeTag(node))
	{
		case T_FuncExpr:
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
		case T_FieldSelect:
		case T_RelabelType:
		case T_CoerceViaIO:
		case T_ConvertRowtypeExpr:
		case T_CollateExpr:
		case T_RowExpr:
		case T_ArrayExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_CoerceToDomain:
		case T_List:
			return true;
		default:
			return false;
	}
}

/*
 * move_calls
 *		expression_tree_mutator: move every qualifying call, innermost
 *		first (so a call whose input is another call's answer follows it
 *		into the join).
 */
static Node *
move_calls(Node *node, LevelRewrite *level)
{
	TupleDesc	desc;

	if (node == NULL || !always_evaluates(node))
		return node;
	node = expression_tree_mutator(node, move_calls, level);
	if (IsA(node, FuncExpr) && call_moves((FuncExpr *) node, &desc))
		return move_call((FuncExpr *) node, desc, level);
	return node;
}

/*
 * level_qualifies
 *		Whether this query level's select list may be computed in its
 *		FROM clause without changing its rows or what it calls.
 */
static bool
level_qualifies(Query *query)
{
	return query->commandType == CMD_SELECT && query->utilityStmt == NULL &&
		query->jointree != NULL && query->jointree->fromlist != NIL &&
		query->setOperations == NULL && !query->hasAggs &&
		!query->hasWindowFuncs && query->groupClause == NIL &&
		query->groupingSets == NIL && query->havingQual == NULL &&
		query->rowMarks == NIL && !query->hasForUpdate &&
		!(query->sortClause != NIL &&
		  (query->limitCount != NULL || query->limitOffset != NULL));
}

/*
 * rewrite_level
 *		Move this level's qualifying select-list calls into its FROM
 *		clause.  All or nothing: if a set-returning function would be left
 *		in the select list, the level is left as written.
 */
static void
rewrite_level(Query *query)
{
	LevelRewrite level = {0};
	List	   *tlist = NIL;
	ListCell   *lc;

	if (!level_qualifies(query))
		return;
	level.nrtable = list_length(query->rtable);
	foreach(lc, query->targetList)
	{
		TargetEntry *tle = flatCopyTargetEntry(lfirst_node(TargetEntry, lc));

		tle->expr = (Expr *) move_calls((Node *) tle->expr, &level);
		tlist = lappend(tlist, tle);
	}
	if (level.calls == NIL || expression_returns_set((Node *) tlist))
		return;
	query->targetList = tlist;
	query->hasTargetSRFs = false;
	query->rtable = list_concat(query->rtable, level.rtes);
	for (int i = 1; i <= list_length(level.rtes); i++)
	{
		RangeTblRef *ref = makeNode(RangeTblRef);

		ref->rtindex = level.nrtable + i;
		query->jointree->fromlist = lappend(query->jointree->fromlist, ref);
	}
}

/*
 * rewrite_walker
 *		query_tree_walker's walker: every sub-query (CTEs, FROM subqueries,
 *		sublinks) is a level of its own.
 */
static bool
rewrite_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		rewrite_query((Query *) node);
		return false;
	}
	return expression_tree_walker(node, rewrite_walker, context);
}

/*
 * rewrite_query
 *		Rewrite query and every query below it, the inner levels first.
 */
static void
rewrite_query(Query *query)
{
	ListCell   *lc;

	check_stack_depth();
	/* a recursive CTE's parts stay as written */
	foreach(lc, query->cteList)
		if (((CommonTableExpr *) lfirst(lc))->cterecursive)
			return;
	query_tree_walker(query, rewrite_walker, NULL, 0);
	rewrite_level(query);
}

/*
 * select_list_planner
 *		planner_hook: rewrite, then plan as usual.  Only where mlpredict
 *		is installed (the model lookups need its catalog).
 */
static PlannedStmt *
select_list_planner(Query *parse, const char *query_string, int cursorOptions,
					ParamListInfo boundParams)
{
	if (mlpredict_enable_pipeline &&
		OidIsValid(get_namespace_oid(MLPREDICT_SCHEMA, true)))
		rewrite_query(parse);
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * MlSelectListInit
 *		See select_list.h.
 */
void
MlSelectListInit(void)
{
	prev_planner_hook = planner_hook;
	planner_hook = select_list_planner;
}
