/*-------------------------------------------------------------------------
 *
 * params.c
 *	  <provider>.params.* model options: parsing, typing and emitting them
 *	  into JSON request bodies.
 *
 * Rules (Confluent's): names are case-insensitive; the standard names have
 * aliases (topk, maxp, maxgenlen, stop_sequences, ...); a type suffix
 * .int/.float/.bool/.string/.csv may follow the name, otherwise the type is
 * inferred (integer, then float, then true/false, else string; csv only
 * when asked, except for stop which is a list); dots in a name nest JSON
 * objects, and an empty segment ("a..b") stands for a literal dot.
 *
 * IDENTIFICATION
 *	  src/wire/params.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "util.h"
#include "wire/params.h"

typedef struct StandardParam
{
	const char *name;
	MlParamType type;
	const char *aliases[7];
} StandardParam;

static const StandardParam standard_params[] = {
	{"temperature", ML_PARAM_FLOAT, {"temperature", NULL}},
	{"top_p", ML_PARAM_FLOAT, {"top_p", "topp", "max_p", "maxp", "p", NULL}},
	{"top_k", ML_PARAM_FLOAT, {"top_k", "topk", "max_k", "maxk", "k", NULL}},
	{"max_tokens", ML_PARAM_INT, {"max_tokens", "maxtokens", "maxtokencount",
	"maxtokenstosample", "maxgenlen", "maxoutputtokens"}},
	{"stop", ML_PARAM_CSV, {"stop", "stop_sequences", "stopsequences", NULL}},
	{NULL, ML_PARAM_STRING, {NULL}}
};

/*
 * Levels a parameter name may nest ("a.b.c" is three).  Request bodies
 * nest a few; the body is written recursively, one level per segment, so
 * a name of 200000 dots overflowed the stack (SIGSEGV) when the model was
 * called.
 */
#define ML_PARAM_MAX_DEPTH 16

/*
 * split_path
 *		Split a parameter name on dots; an empty segment joins its
 *		neighbours with a literal dot.
 */
static List *
split_path(const char *name)
{
	List	   *path = NIL;
	StringInfoData seg;
	const char *p;

	initStringInfo(&seg);
	for (p = name; *p; p++)
	{
		if (*p != '.')
		{
			appendStringInfoChar(&seg, *p);
			continue;
		}
		if (p[1] == '.')
		{
			appendStringInfoChar(&seg, '.');
			p++;
			continue;
		}
		path = lappend(path, pstrdup(seg.data));
		resetStringInfo(&seg);
	}
	path = lappend(path, pstrdup(seg.data));
	return path;
}

/*
 * strip_type_suffix
 *		Remove a .int/.float/.bool/.string/.csv suffix; returns whether one
 *		was present and sets *type.
 */
static bool
strip_type_suffix(char *name, MlParamType *type)
{
	static const struct
	{
		const char *suffix;
		MlParamType type;
	}			suffixes[] = {
		{".int", ML_PARAM_INT}, {".float", ML_PARAM_FLOAT},
		{".bool", ML_PARAM_BOOL}, {".string", ML_PARAM_STRING},
		{".csv", ML_PARAM_CSV}
	};
	size_t		len = strlen(name);
	int			i;

	for (i = 0; i < lengthof(suffixes); i++)
	{
		size_t		slen = strlen(suffixes[i].suffix);

		if (len > slen && pg_strcasecmp(name + len - slen, suffixes[i].suffix) == 0)
		{
			name[len - slen] = '\0';
			*type = suffixes[i].type;
			return true;
		}
	}
	return false;
}

/*
 * standard_param
 *		The standard parameter a (single-segment) name stands for, or NULL.
 */
static const StandardParam *
standard_param(const char *name)
{
	int			i,
				j;

	for (i = 0; standard_params[i].name; i++)
		for (j = 0; j < lengthof(standard_params[i].aliases) &&
			 standard_params[i].aliases[j]; j++)
			if (pg_strcasecmp(standard_params[i].aliases[j], name) == 0)
				return &standard_params[i];
	return NULL;
}

/*
 * value_fits
 *		Does value parse as the given type?
 */
static bool
value_fits(const char *value, MlParamType type)
{
	char	   *end;
	int64		i;
	bool		b;
	double		d;

	switch (type)
	{
		case ML_PARAM_INT:
			return MlParseInt(value, &i);
		case ML_PARAM_FLOAT:
			errno = 0;
			d = strtod(value, &end);
			return *value && *end == '\0' && errno == 0 && isfinite(d);
		case ML_PARAM_BOOL:
			return pg_strcasecmp(value, "true") == 0 ||
				pg_strcasecmp(value, "false") == 0 || parse_bool(value, &b);
		default:
			return true;
	}
}

/*
 * infer_type
 *		Integer, then float, then boolean, else string.
 */
static MlParamType
infer_type(const char *value)
{
	if (value_fits(value, ML_PARAM_INT))
		return ML_PARAM_INT;
	if (value_fits(value, ML_PARAM_FLOAT))
		return ML_PARAM_FLOAT;
	if (pg_strcasecmp(value, "true") == 0 || pg_strcasecmp(value, "false") == 0)
		return ML_PARAM_BOOL;
	return ML_PARAM_STRING;
}

/*
 * parse_one_param
 *		Build an MlParam from one option whose key starts with prefix.
 */
static MlParam *
parse_one_param(MlOption *opt, size_t prefixlen, const char *statement)
{
	MlParam    *param = palloc0(sizeof(MlParam));
	const StandardParam *std;
	bool		explicit_type;
	static const char *const type_names[] = {"string", "integer", "float", "boolean", "csv"};

	param->key = pstrdup(opt->key);
	param->name = pstrdup(opt->key + prefixlen);
	explicit_type = strip_type_suffix(param->name, &param->type);
	if (param->name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter option \"%s\" has no parameter name", opt->key)));
	param->path = split_path(param->name);
	if (list_length(param->path) > ML_PARAM_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("parameter option \"%.*s%s\" nests more than %d levels",
						pg_mbcliplen(opt->key, strlen(opt->key), 64), opt->key,
						strlen(opt->key) > 64 ? "..." : "", ML_PARAM_MAX_DEPTH),
				 errdetail("Each dot in a parameter name opens a JSON object."),
				 statement && opt->location >= 0 ?
				 internalerrposition(MlErrorPosition(statement, opt->location)) : 0,
				 statement && opt->location >= 0 ? internalerrquery(statement) : 0));
	param->value = pstrdup(opt->value);
	std = list_length(param->path) == 1 ? standard_param(param->name) : NULL;
	param->standard = std ? std->name : NULL;
	if (!explicit_type)
		param->type = std ? std->type : infer_type(param->value);
	if (!value_fits(param->value, param->type))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for parameter \"%s\": \"%s\"", param->name, param->value),
				 errdetail("The parameter is of type %s.", type_names[param->type]),
				 statement && opt->location >= 0 ?
				 internalerrposition(MlErrorPosition(statement, opt->location)) : 0,
				 statement && opt->location >= 0 ? internalerrquery(statement) : 0));
	return param;
}

/*
 * param_key
 *		The first-level JSON key a parameter sets.
 */
static const char *
param_key(const MlParam *param)
{
	return param->standard ? param->standard : linitial(param->path);
}

/*
 * check_conflicts
 *		Two parameters may not set the same value: "stop" and
 *		"stop_sequences" (aliases), or "a" and "a.b" (a value and an object).
 */
static void
check_conflicts(List *params)
{
	ListCell   *lc;

	foreach(lc, params)
	{
		MlParam    *a = lfirst(lc);
		ListCell   *lc2;

		for_each_cell(lc2, params, lnext(params, lc))
		{
			MlParam    *b = lfirst(lc2);
			int			depth = Min(list_length(a->path), list_length(b->path));
			int			i;
			bool		same_prefix = strcmp(param_key(a), param_key(b)) == 0;

			for (i = 1; same_prefix && i < depth; i++)
				same_prefix = strcmp(list_nth(a->path, i), list_nth(b->path, i)) == 0;
			if (same_prefix && (a->standard || b->standard ||
								list_length(a->path) != list_length(b->path) ||
								depth == list_length(a->path)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("options \"%s\" and \"%s\" set the same parameter",
								a->key, b->key),
						 errhint("Keep one of them.")));
		}
	}
}

/*
 * MlParseParams
 *		All <provider>.params.* options as MlParams, in option order.
 */
List *
MlParseParams(List *options, const char *provider, const char *statement)
{
	char	   *prefix = psprintf("%s.params.", provider);
	size_t		prefixlen = strlen(prefix);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (pg_strncasecmp(opt->key, prefix, prefixlen) == 0)
			result = lappend(result, parse_one_param(opt, prefixlen, statement));
	}
	check_conflicts(result);
	return result;
}

/*
 * MlAppendParamValue
 *		Append a parameter's value as JSON of its type.
 */
void
MlAppendParamValue(StringInfo buf, const MlParam *param)
{
	bool		b = false;

	switch (param->type)
	{
		case ML_PARAM_INT:
		case ML_PARAM_FLOAT:
			appendStringInfoString(buf, param->value);
			break;
		case ML_PARAM_BOOL:
			(void) parse_bool(param->value, &b);
			appendStringInfoString(buf, b ? "true" : "false");
			break;
		case ML_PARAM_STRING:
			escape_json(buf, param->value);
			break;
		case ML_PARAM_CSV:
			{
				char	   *copy = pstrdup(param->value);
				char	   *item;
				char	   *save = NULL;
				bool		first = true;

				appendStringInfoChar(buf, '[');
				for (item = strtok_r(copy, ",", &save); item;
					 item = strtok_r(NULL, ",", &save))
				{
					if (!first)
						appendStringInfoString(buf, ", ");
					escape_json(buf, item);
					first = false;
				}
				appendStringInfoChar(buf, ']');
			}
			break;
	}
}

/*
 * append_level
 *		Emit the params whose path shares prefix segments [0, depth) as
 *		members of one JSON object, nesting where names continue.
 */
static void
append_level(StringInfo buf, List *params, int depth,
			 const char *(*rename) (const MlParam *param), bool *first)
{
	ListCell   *lc;
	List	   *done = NIL;

	check_stack_depth();
	foreach(lc, params)
	{
		MlParam    *param = lfirst(lc);
		const char *renamed = (depth == 0 && rename) ? rename(param) : NULL;
		const char *key = renamed ? renamed : list_nth(param->path, depth);
		List	   *group = NIL;
		ListCell   *lc2;

		if (renamed == MlParamSkip)
			continue;

		if (list_member(done, makeString((char *) key)))
			continue;
		done = lappend(done, makeString((char *) key));
		appendStringInfoString(buf, *first ? "" : ", ");
		*first = false;
		escape_json(buf, key);
		appendStringInfoString(buf, ": ");
		if (renamed || list_length(param->path) == depth + 1)
		{
			MlAppendParamValue(buf, param);
			continue;
		}
		for_each_cell(lc2, params, lc)
		{
			MlParam    *other = lfirst(lc2);

			if (list_length(other->path) > depth + 1 &&
				strcmp(list_nth(other->path, depth), key) == 0)
				group = lappend(group, other);
		}
		appendStringInfoChar(buf, '{');
		{
			bool		inner_first = true;

			append_level(buf, group, depth + 1, NULL, &inner_first);
		}
		appendStringInfoChar(buf, '}');
	}
}

/* what a rename callback returns to leave a parameter out */
const char	MlParamSkip[] = "";

/*
 * MlAppendParams
 *		Append params as members of the JSON object being written to buf
 *		(the caller wrote "{" and maybe members; *first says whether a comma
 *		is needed).  rename maps a parameter to the API's name, returns NULL
 *		to keep the parameter's own (possibly nested) name, or MlParamSkip
 *		to leave it out (a parameter the API does not take, or one another
 *		call places elsewhere in the body).
 */
void
MlAppendParams(StringInfo buf, List *params,
			   const char *(*rename) (const MlParam *param), bool *first)
{
	append_level(buf, params, 0, rename, first);
}

/*
 * MlStandardParamName
 *		For rename callbacks: a standard parameter's name in names (NULL
 *		entries keep the standard name), and non_standard for any other
 *		parameter (NULL keeps its own nested name, MlParamSkip leaves it
 *		out).
 */
const char *
MlStandardParamName(const MlParam *param, const MlStandardNames *names,
					const char *non_standard)
{
	const char *renamed = NULL;

	if (param->standard == NULL)
		return non_standard;
	if (strcmp(param->standard, "temperature") == 0)
		renamed = names->temperature;
	else if (strcmp(param->standard, "top_p") == 0)
		renamed = names->top_p;
	else if (strcmp(param->standard, "top_k") == 0)
		renamed = names->top_k;
	else if (strcmp(param->standard, "max_tokens") == 0)
		renamed = names->max_tokens;
	else if (strcmp(param->standard, "stop") == 0)
		renamed = names->stop;
	return renamed ? renamed : param->standard;
}

/*
 * MlParamsAny
 *		Would MlAppendParams with this rename emit anything?  (Formats that
 *		write an optional sub-object, like Titan's textGenerationConfig,
 *		only write it when it has members.)
 */
bool
MlParamsAny(List *params, const char *(*rename) (const MlParam *param))
{
	ListCell   *lc;

	foreach(lc, params)
		if (rename == NULL || rename(lfirst(lc)) != MlParamSkip)
			return true;
	return false;
}
