/*-------------------------------------------------------------------------
 *
 * pipeline_path.c
 *	  The planner side of pipelined model calls: recognise a LATERAL call
 *	  of ml_predict (or of a model's typed function) fed by the outer
 *	  relation, offer a CustomPath for the join, and turn it into a plan.
 *
 * PostgreSQL runs "FROM t, LATERAL f(t.x)" as a nested loop that calls f
 * once per outer row and waits for it.  set_join_pathlist_hook sees the
 * join of the outer relation with the function's relation and offers a
 * cheaper path that reads outer rows ahead and keeps requests in flight
 * (pipeline.c).  It is offered for inner joins and for LEFT JOIN LATERAL
 * ... ON true, with any WHERE clauses above applied as the node's quals,
 * and as a partial path when the outer side can be scanned in parallel.
 *
 * The call qualifies when the function is mlpredict's ml_predict, or the
 * scalar ai_complete or ai_embedding (by their C symbols; their function
 * relation always has one row, so the join never drops a row, see
 * pipeline.c), or the typed function of a model, as the catalog knows it
 * (TypedFunctionLookup for the model named like the function); the
 * model name and runtime options must not depend on the outer row, and
 * the query must not use the function's whole row.  Anything else keeps
 * the ordinary nested loop, which gives the same rows, one call at a time.
 *
 * The hook is installed when the library is loaded.  ml_predict's planner
 * support function (mlpredict_ml_predict_support) makes the planner load
 * it before join planning, so the first query of a session is pipelined
 * too.
 *
 * IDENTIFICATION
 *	  src/exec/pipeline_path.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parse_relation.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "catalog/ml_catalog.h"
#include "compat.h"
#include "exec/ai_functions.h"
#include "exec/pipeline.h"
#include "mlpredict.h"
#include "options/options.h"

PG_FUNCTION_INFO_V1(mlpredict_ml_predict_support);

#define ML_PREDICT_SYMBOL "mlpredict_ml_predict"

/* A recognised call. */
typedef struct PipeCallInfo
{
	Oid			funcid;
	Expr	   *model;			/* text expression naming the model */
	List	   *inputs;			/* model input expressions */
	Expr	   *options;		/* predict_options expression or NULL */
} PipeCallInfo;

static set_join_pathlist_hook_type prev_join_pathlist_hook = NULL;

static void pipeline_join_paths(PlannerInfo *root, RelOptInfo *joinrel,
								RelOptInfo *outerrel, RelOptInfo *innerrel,
								JoinType jointype, JoinPathExtraData *extra);
static Plan *pipeline_plan(PlannerInfo *root, RelOptInfo *rel,
						   CustomPath *best_path, List *tlist,
						   List *clauses, List *custom_plans);

static const CustomPathMethods pipeline_path_methods = {
	.CustomName = "MLPredict",
	.PlanCustomPath = pipeline_plan,
};

/*
 * MlPipelineInit
 *		See pipeline.h.
 */
void
MlPipelineInit(void)
{
	prev_join_pathlist_hook = set_join_pathlist_hook;
	set_join_pathlist_hook = pipeline_join_paths;
	RegisterCustomScanMethods(&MlPipelineScanMethods);
}

/*
 * mlpredict_ml_predict_support
 *		ml_predict's planner support function.  Its being called loads the
 *		library (and so the hook above) early in planning; it answers no
 *		request itself.
 */
Datum
mlpredict_ml_predict_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(NULL);
}

/*
 * typed_function_model
 *		If func (schema.name) is the typed function mlpredict wrote for the
 *		model schema.name, the model's qualified name as ml_predict takes
 *		it; else NULL.  The catalog decides (TypedFunctionLookup: found by
 *		name and argument types, owned by the model's owner, the body
 *		mlpredict wrote), so nothing that does not survive a dump (an OID)
 *		is stored and the body text is not parsed a second time here.
 */
static char *
typed_function_model(Oid func, Oid namespace, const char *proname)
{
	MlModelRef	ref = {0};
	MlModel    *model;

	ref.schema = get_namespace_name(namespace);
	ref.name = pstrdup(proname);
	ref.version_kind = ML_VERSION_DEFAULT;
	if (ref.schema == NULL)
		return NULL;
	model = CatalogGetModel(&ref, true);
	if (model == NULL || TypedFunctionLookup(model) != func)
		return NULL;
	return quote_qualified_identifier(model->schema, model->name);
}

/*
 * recognise_call
 *		Fill *call if funcexpr is a pipelinable call; false if not.  With
 *		unplanned, funcexpr comes from a query not yet planned, whose calls
 *		may still omit a defaulted options argument (select_list.c).
 */
static bool
recognise_call(Node *funcexpr, PipeCallInfo *call, bool unplanned)
{
	FuncExpr   *fexpr;
	HeapTuple	tuple;
	Form_pg_proc proc;
	char	   *src;
	char	   *model = NULL;
	bool		direct;
	bool		typed;
	MlAiKind	ai = ML_AI_NONE;
	int			nargs;
	Oid			namespace;
	NameData	proname;
	bool		isnull;
	bool		ok = false;

	if (!IsA(funcexpr, FuncExpr))
		return false;
	fexpr = (FuncExpr *) funcexpr;
	if (fexpr->funcvariadic)
		return false;
	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fexpr->funcid));
	if (!HeapTupleIsValid(tuple))
		return false;
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	src = TextDatumGetCString(SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc,
											  &isnull));
	direct = proc->prolang == ClanguageId && strcmp(src, ML_PREDICT_SYMBOL) == 0;
	if (proc->prolang == ClanguageId)
		ai = MlAiKindOfSymbol(src);
	/* ml_predict and typed functions return sets, the AI functions not */
	if (fexpr->funcretset != (ai == ML_AI_NONE))
	{
		ReleaseSysCache(tuple);
		return false;
	}
	direct = direct || (ai != ML_AI_NONE && list_length(fexpr->args) >= 2);
	/* cheap tests first: only a candidate costs a catalog lookup */
	nargs = list_length(fexpr->args);
	typed = !direct && proc->prolang == SQLlanguageId && !proc->prosecdef &&
		heap_attisnull(tuple, Anum_pg_proc_proconfig, NULL) &&
		proc->pronargs >= 1 &&
		(nargs == proc->pronargs ||
		 (unplanned && nargs == proc->pronargs - 1 && proc->pronargdefaults >= 1)) &&
		proc->proargtypes.values[proc->pronargs - 1] == MlRuntimeOptionsTypeId();
	namespace = proc->pronamespace;
	proname = proc->proname;
	ReleaseSysCache(tuple);
	if (typed)
		model = typed_function_model(fexpr->funcid, namespace, NameStr(proname));

	memset(call, 0, sizeof(PipeCallInfo));
	call->funcid = fexpr->funcid;
	if (direct && list_length(fexpr->args) >= 1)
	{
		Node	   *last = llast(fexpr->args);

		call->model = linitial(fexpr->args);
		call->inputs = list_copy_tail(fexpr->args, 1);
		if (list_length(call->inputs) > 0 &&
			exprType(last) == MlRuntimeOptionsTypeId())
		{
			call->options = (Expr *) last;
			call->inputs = list_truncate(call->inputs, list_length(call->inputs) - 1);
		}
		ok = exprType((Node *) call->model) == TEXTOID;
	}
	else if (model != NULL)
	{
		call->model = (Expr *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
										 CStringGetTextDatum(model), false, false);
		call->inputs = list_copy(fexpr->args);
		if (nargs == get_func_nargs(fexpr->funcid))
		{
			call->inputs = list_truncate(call->inputs, nargs - 1);
			call->options = llast(fexpr->args);
		}
		ok = true;
	}
	/* the model and the options are the same for every row */
	if (ok && (contain_var_clause((Node *) call->model) ||
			   contain_volatile_functions((Node *) call->model) ||
			   contain_var_clause((Node *) call->options) ||
			   contain_volatile_functions((Node *) call->options) ||
			   contain_subplans((Node *) fexpr->args)))
		ok = false;
	return ok;
}

/*
 * MlPipelinableCall
 *		See pipeline.h.
 */
bool
MlPipelinableCall(Node *funcexpr)
{
	PipeCallInfo call;

	return recognise_call(funcexpr, &call, true);
}

/*
 * uses_function_row
 *		Does expr reference the function relation's whole row or a system
 *		column (which the scan tuple does not carry)?
 */
static bool
uses_function_row(Node *expr, Index relid)
{
	List	   *vars = pull_var_clause(expr, PVC_RECURSE_AGGREGATES |
									   PVC_RECURSE_WINDOWFUNCS |
									   PVC_INCLUDE_PLACEHOLDERS);
	ListCell   *lc;

	foreach(lc, vars)
	{
		Node	   *node = lfirst(lc);

		if (IsA(node, PlaceHolderVar))
			return true;
		if (IsA(node, Var) && ((Var *) node)->varno == relid &&
			((Var *) node)->varattno <= 0)
			return true;
	}
	return false;
}

/*
 * join_quals
 *		The clauses the node must apply, or false if the join cannot be
 *		pipelined: every clause of an inner join (and the function's own
 *		restrictions) is a filter on joined rows; a LEFT join qualifies
 *		only with ON true, its WHERE clauses being filters too.
 */
static bool
join_quals(RelOptInfo *joinrel, RelOptInfo *innerrel, JoinType jointype,
		   List *restrictlist, List **quals)
{
	ListCell   *lc;

	*quals = NIL;
	if (jointype == JOIN_LEFT && innerrel->baserestrictinfo != NIL)
		return false;
	foreach(lc, list_concat_copy(restrictlist, innerrel->baserestrictinfo))
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (rinfo->pseudoconstant)
			return false;
		if (jointype == JOIN_LEFT && !RINFO_IS_PUSHED_DOWN(rinfo, joinrel->relids))
			return false;
		if (uses_function_row((Node *) rinfo->clause, innerrel->relid))
			return false;
		*quals = lappend(*quals, rinfo);
	}
	return true;
}

/*
 * keeps_order
 *		Whether rows come out in the outer order: unless the options ask
 *		for ordered = false, or cannot be known before execution.
 */
static bool
keeps_order(Expr *options)
{
	MlRuntimeOptions runtime;

	if (options == NULL)
		return true;
	if (!IsA(options, Const))
		return false;
	if (((Const *) options)->constisnull)
		return true;
	MlRuntimeOptionsDefaults(&runtime);
	MlRuntimeOptionsFromDatum(((Const *) options)->constvalue, &runtime);
	return runtime.ordered;
}

/*
 * make_path
 *		A pipelined join over outer_path (partial or not) with the function
 *		relation funcrelid.
 */
static CustomPath *
make_path(PlannerInfo *root, RelOptInfo *joinrel, Path *outer_path,
		  Index funcrelid, PipeCallInfo *call, List *quals, JoinType jointype,
		  bool partial)
{
	CustomPath *path = makeNode(CustomPath);
	double		rows = partial ? outer_path->rows : joinrel->rows;
	int			flags = 0;

	path->path.pathtype = T_CustomScan;
	path->path.parent = joinrel;
	path->path.pathtarget = joinrel->reltarget;
	path->path.param_info = NULL;
	path->path.parallel_aware = false;
	path->path.parallel_safe = joinrel->consider_parallel && outer_path->parallel_safe;
	path->path.parallel_workers = partial ? outer_path->parallel_workers : 0;
	path->path.rows = rows;
	path->path.startup_cost = outer_path->startup_cost;
	/* cheaper than the nested loop, which rescans the function per row */
	path->path.total_cost = outer_path->total_cost + outer_path->rows * cpu_tuple_cost;
	path->path.pathkeys = keeps_order(call->options) ? outer_path->pathkeys : NIL;
	path->custom_paths = list_make1(outer_path);
	if (jointype == JOIN_LEFT)
		flags |= PIPE_FLAG_LEFT_JOIN;
	if (root->tuple_fraction > 0.0)
		flags |= PIPE_FLAG_SLOW_START;
	path->custom_private = list_make5(quals, call->model, call->inputs,
									  call->options, makeInteger(flags));
	path->custom_private = lappend(path->custom_private,
								   makeInteger((int) call->funcid));
	path->custom_private = lappend(path->custom_private,
								   makeInteger((int) funcrelid));
	path->methods = &pipeline_path_methods;
	return path;
}

/*
 * pipeline_join_paths
 *		set_join_pathlist_hook: offer the pipelined join where it applies.
 */
static void
pipeline_join_paths(PlannerInfo *root, RelOptInfo *joinrel,
					RelOptInfo *outerrel, RelOptInfo *innerrel,
					JoinType jointype, JoinPathExtraData *extra)
{
	RangeTblEntry *rte;
	RangeTblFunction *rtfunc;
	PipeCallInfo call;
	List	   *quals;
	Path	   *outer_path;
	ListCell   *lc;

	if (prev_join_pathlist_hook)
		prev_join_pathlist_hook(root, joinrel, outerrel, innerrel, jointype, extra);
	if (!mlpredict_enable_pipeline)
		return;
	if (jointype != JOIN_INNER && jointype != JOIN_LEFT)
		return;
	if (innerrel->reloptkind != RELOPT_BASEREL || innerrel->rtekind != RTE_FUNCTION)
		return;
	if (bms_is_empty(innerrel->lateral_relids) ||
		!bms_is_subset(innerrel->lateral_relids, outerrel->relids) ||
		!bms_is_empty(joinrel->lateral_relids))
		return;
	rte = planner_rt_fetch(innerrel->relid, root);
	if (list_length(rte->functions) != 1 || rte->funcordinality)
		return;
	rtfunc = linitial(rte->functions);
	if (!recognise_call(rtfunc->funcexpr, &call, false))
		return;
	if (uses_function_row((Node *) joinrel->reltarget->exprs, innerrel->relid))
		return;
	if (!join_quals(joinrel, innerrel, jointype, extra->restrictlist, &quals))
		return;

	/* over every outer path, so that one giving a wanted order can win */
	foreach(lc, outerrel->pathlist)
	{
		outer_path = lfirst(lc);
		if (outer_path->param_info == NULL)
			add_path(joinrel, (Path *) make_path(root, joinrel, outer_path,
												 innerrel->relid, &call,
												 quals, jointype, false));
	}
	if (joinrel->consider_parallel && outerrel->partial_pathlist != NIL)
	{
		outer_path = linitial(outerrel->partial_pathlist);
		if (outer_path->param_info == NULL && outer_path->parallel_safe)
			add_partial_path(joinrel, (Path *) make_path(root, joinrel, outer_path,
														 innerrel->relid, &call,
														 quals, jointype, true));
	}
}

/*
 * function_columns
 *		Every output column of the function relation, as Vars, and their
 *		names.
 */
static List *
function_columns(PlannerInfo *root, Index relid, List **names)
{
	RangeTblEntry *rte = planner_rt_fetch(relid, root);
	List	   *colvars = NIL;

	MlExpandRTE(rte, relid, names, &colvars);
	return colvars;
}

/*
 * add_function_vars
 *		Append to the scan tuple each Var of the function relation that
 *		exprs use (as written, so that setrefs matches them), noting its
 *		column in *attnos.
 */
static List *
add_function_vars(List *scan_tlist, Node *exprs, Index relid, List **attnos)
{
	List	   *vars = pull_var_clause(exprs, PVC_RECURSE_AGGREGATES |
									   PVC_RECURSE_WINDOWFUNCS |
									   PVC_RECURSE_PLACEHOLDERS);
	ListCell   *lc;

	foreach(lc, vars)
	{
		Var		   *var = lfirst(lc);
		ListCell   *lc2;
		bool		present = false;

		if (!IsA(var, Var) || var->varno != relid || var->varlevelsup != 0)
			continue;
		foreach(lc2, scan_tlist)
			if (equal(((TargetEntry *) lfirst(lc2))->expr, var))
				present = true;
		if (present)
			continue;
		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry((Expr *) copyObject(var),
											 list_length(scan_tlist) + 1, NULL, false));
		*attnos = lappend_int(*attnos, var->varattno);
	}
	return scan_tlist;
}

/*
 * pipeline_plan
 *		PlanCustomPath: the CustomScan for a pipelined join.
 */
static Plan *
pipeline_plan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
			  List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	Plan	   *outer_plan = linitial(custom_plans);
	List	   *quals = extract_actual_clauses(linitial(best_path->custom_private), false);
	Expr	   *model = lsecond(best_path->custom_private);
	List	   *inputs = lthird(best_path->custom_private);
	Expr	   *options = lfourth(best_path->custom_private);
	int			flags = intVal(list_nth(best_path->custom_private, 4));
	int			funcid = intVal(list_nth(best_path->custom_private, 5));
	Index		relid = intVal(list_nth(best_path->custom_private, 6));
	List	   *scan_tlist = NIL;
	List	   *attnos = NIL;
	List	   *types = NIL;
	List	   *typmods = NIL;
	List	   *names = NIL;
	ListCell   *lc;

	/*
	 * The function's relation comes from the path: the join's relids are
	 * not just the two sides (from PG16 they include an outer join's own
	 * range table index too).
	 */
	foreach(lc, outer_plan->targetlist)
	{
		TargetEntry *tle = lfirst(lc);

		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry(copyObject(tle->expr),
											 list_length(scan_tlist) + 1, NULL, false));
	}
	scan_tlist = add_function_vars(scan_tlist, (Node *) tlist, relid, &attnos);
	scan_tlist = add_function_vars(scan_tlist, (Node *) quals, relid, &attnos);
	foreach(lc, function_columns(root, relid, &names))
	{
		types = lappend_oid(types, exprType(lfirst(lc)));
		typmods = lappend_int(typmods, exprTypmod(lfirst(lc)));
	}

	if (options == NULL)
		options = (Expr *) makeNullConst(MlRuntimeOptionsTypeId(), -1, InvalidOid);

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = quals;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_plans = custom_plans;
	cscan->custom_exprs = lappend(lcons(model, list_copy(inputs)), options);
	cscan->custom_scan_tlist = scan_tlist;
	cscan->custom_private = list_make5(makeInteger(list_length(inputs)),
									   makeInteger(list_length(outer_plan->targetlist)),
									   makeInteger(flags), makeInteger(funcid),
									   attnos);
	cscan->custom_private = lappend(cscan->custom_private, types);
	cscan->custom_private = lappend(cscan->custom_private, names);
	cscan->custom_private = lappend(cscan->custom_private, typmods);
	cscan->methods = &MlPipelineScanMethods;
	return &cscan->scan.plan;
}
