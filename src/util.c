/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Option lists and small string helpers shared by the catalog, DDL and
 *	  executor code.
 *
 * Options are lists of MlOption.  They come from statement text (with a
 * location) or from a jsonb object (without one), and are stored in the
 * catalog as flat jsonb objects of strings.
 *
 * IDENTIFICATION
 *	  src/util.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "catalog/pg_collation.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "util.h"

/*
 * MlMakeOption
 *		Build an option in the current memory context.
 */
MlOption *
MlMakeOption(const char *key, const char *value, int location)
{
	MlOption   *opt = palloc(sizeof(MlOption));

	opt->key = pstrdup(key);
	opt->value = value ? pstrdup(value) : NULL;
	opt->location = location;
	return opt;
}

/*
 * MlOptionFind
 *		Find an option by key, ignoring case; NULL if absent.
 */
MlOption *
MlOptionFind(List *options, const char *key)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (pg_strcasecmp(opt->key, key) == 0)
			return opt;
	}
	return NULL;
}

/*
 * MlOptionGet
 *		Value of an option, ignoring key case; NULL if absent.
 */
const char *
MlOptionGet(List *options, const char *key)
{
	MlOption   *opt = MlOptionFind(options, key);

	return opt ? opt->value : NULL;
}

/*
 * scalar_to_text
 *		Text of a scalar jsonb value used as an option value.
 */
static char *
scalar_to_text(JsonbValue *v, const char *key, const char *what)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value of %s option \"%s\" must be a string, number or boolean",
							what, key)));
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * MlOptionsFromJsonb
 *		Turn a flat jsonb object into an option list.  what names the kind
 *		of options for error messages ("connection", "model").
 */
List *
MlOptionsFromJsonb(Jsonb *jsonb, const char *what)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	List	   *result = NIL;
	char	   *key = NULL;

	if (jsonb == NULL)
		return NIL;
	if (!JB_ROOT_IS_OBJECT(jsonb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s options must be a JSON object", what),
				 errhint("Pass options as jsonb, for example '{\"type\": \"openai\"}'.")));
	if (JB_ROOT_COUNT(jsonb) > ML_MAX_OPTIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s options hold %d keys, more than %d", what,
						(int) JB_ROOT_COUNT(jsonb), ML_MAX_OPTIONS)));

	it = JsonbIteratorInit(&jsonb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (v.type == jbvNull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("value of %s option \"%s\" must not be null", what, key)));
			result = lappend(result,
							 MlMakeOption(key, scalar_to_text(&v, key, what), -1));
		}
	}
	return result;
}

/*
 * MlOptionsToJson
 *		Serialize options as a flat JSON object of strings (storage form).
 */
char *
MlOptionsToJson(List *options)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);

		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		escape_json(&buf, opt->key);
		appendStringInfoString(&buf, ": ");
		escape_json(&buf, opt->value);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * strcasestr_params
 *		Where the parameter name starts in "<provider>.params.<name>", or NULL.
 */
static char *
strcasestr_params(char *key)
{
	char	   *dot = strchr(key, '.');

	if (dot && pg_strncasecmp(dot, ".params.", 8) == 0)
		return dot + 8;
	return NULL;
}

/*
 * MlOptionsLowerKeys
 *		Copy of the list with keys folded to lower case, except the parameter
 *		name of "<p>.params.<name>": APIs take camelCase fields as written.
 */
List *
MlOptionsLowerKeys(List *options)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);
		char	   *key = pstrdup(opt->key);
		char	   *params = strcasestr_params(key);
		char	   *p;

		for (p = key; *p && (params == NULL || p < params); p++)
			*p = pg_tolower((unsigned char) *p);
		result = lappend(result, MlMakeOption(key, opt->value, opt->location));
	}
	return result;
}

/*
 * MlErrorPosition
 *		1-based character position of a byte offset, for internalerrposition.
 */
int
MlErrorPosition(const char *statement, int location)
{
	if (statement == NULL || location < 0)
		return 0;
	return pg_mbstrlen_with_len(statement, location) + 1;
}

/*
 * MlCheckOptionLine
 *		An option whose value goes into an HTTP header, a URL or a signed
 *		request line must be one line: no control characters (CR and LF
 *		would end the header and start another).  Checked when the option
 *		is stored, so that a model never fails for it at call time.  The
 *		value itself is never echoed: it may be a secret.
 */
void
MlCheckOptionLine(MlOption *opt, const char *statement)
{
	for (const unsigned char *c = (const unsigned char *) opt->value; *c; c++)
	{
		if (*c >= 0x20 && *c != 0x7f)
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value of option \"%s\" must not contain control characters", opt->key),
				 errdetail("Byte %d of the value is 0x%02x; the value is sent in an HTTP header or URL, where a line break would end it.",
						   (int) ((const char *) c - opt->value) + 1, *c),
				 errhint("Remove line breaks and other control characters from the value."),
				 statement && opt->location >= 0 ?
				 internalerrposition(MlErrorPosition(statement, opt->location)) : 0,
				 statement && opt->location >= 0 ? internalerrquery(statement) : 0));
	}
}

/*
 * MlCheckDuplicateOptions
 *		Reject a key given twice, in any mix of case.
 */
void
MlCheckDuplicateOptions(List *options, const char *statement)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		MlOption   *opt = lfirst(lc);
		ListCell   *lc2;

		CHECK_FOR_INTERRUPTS();
		for_each_cell(lc2, options, lnext(options, lc))
		{
			MlOption   *other = lfirst(lc2);

			if (pg_strcasecmp(opt->key, other->key) != 0)
				continue;
			if (statement && other->location >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("option \"%s\" specified more than once", other->key),
						 errhint("Option keys are case-insensitive."),
						 internalerrposition(MlErrorPosition(statement, other->location)),
						 internalerrquery(statement)));
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("option \"%s\" specified more than once", other->key),
					 errhint("Option keys are case-insensitive.")));
		}
	}
}

/*
 * like_pattern_text
 *		The pattern as text for PostgreSQL's LIKE.  A last, unpaired
 *		backslash is doubled: SHOW ... LIKE has always matched it as a
 *		literal backslash, where LIKE would refuse the pattern.
 */
static text *
like_pattern_text(const char *pattern)
{
	bool		escape_pending = false;
	const char *p;

	for (p = pattern; *p; p += pg_mblen(p))
		escape_pending = !escape_pending && *p == '\\';
	if (!escape_pending)
		return cstring_to_text(pattern);
	return cstring_to_text(psprintf("%s\\", pattern));
}

/*
 * MlLikeMatch
 *		Does value match a SHOW ... LIKE pattern?  PostgreSQL's own LIKE
 *		under the C collation: % any run, _ any one character, backslash
 *		escapes the next character, case-sensitive, in time polynomial in
 *		the pattern (no backtracking blow-up on '%a%a%a...').
 */
bool
MlLikeMatch(const char *value, const char *pattern)
{
	return DatumGetBool(DirectFunctionCall2Coll(textlike, C_COLLATION_OID,
												PointerGetDatum(cstring_to_text(value)),
												PointerGetDatum(like_pattern_text(pattern))));
}

/*
 * MlQualifiedModelName
 *		schema.name with each part quoted only when needed.
 */
char *
MlQualifiedModelName(const char *schema, const char *name)
{
	return quote_qualified_identifier(schema, name);
}

/*
 * MlParseInt
 *		Parse a decimal integer with optional surrounding spaces.
 */
bool
MlParseInt(const char *value, int64 *result)
{
	char	   *end;
	long long	v;

	if (value == NULL || *value == '\0')
		return false;
	errno = 0;
	v = strtoll(value, &end, 10);
	while (*end == ' ')
		end++;
	if (errno != 0 || *end != '\0' || end == value)
		return false;
	*result = (int64) v;
	return true;
}

/*
 * MlOptionsFromJsonText
 *		Options from the text of a stored jsonb object (NULL gives NIL).
 */
List *
MlOptionsFromJsonText(const char *text, const char *what)
{
	if (text == NULL)
		return NIL;
	return MlOptionsFromJsonb(DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																 CStringGetDatum(text))),
							  what);
}

/*
 * MlSplitUrl
 *		Take an absolute http(s) URL apart; false if it is not one.
 */
bool
MlSplitUrl(const char *url, MlUrl *out)
{
	const char *p = strstr(url, "://");
	const char *path;
	const char *end;
	const char *q;
	const char *colon;

	if (p == NULL)
		return false;
	out->scheme = pnstrdup(url, p - url);
	p += 3;
	path = p + strcspn(p, "/?#");
	if (path == p)
		return false;
	out->authority = pnstrdup(p, path - p);
	colon = strrchr(out->authority, ':');
	if (colon && strchr(colon, ']') == NULL)
		out->host = pnstrdup(out->authority, colon - out->authority);
	else
		out->host = pstrdup(out->authority);
	end = path + strcspn(path, "#");
	q = memchr(path, '?', end - path);
	out->path = (q ? q : end) == path ? pstrdup("/") : pnstrdup(path, (q ? q : end) - path);
	out->query = q ? pnstrdup(q + 1, end - q - 1) : NULL;
	return true;
}

/*
 * MlJoinUrl
 *		The URL again, from its pieces.
 */
char *
MlJoinUrl(const MlUrl *url)
{
	return psprintf("%s://%s%s%s%s", url->scheme, url->authority, url->path,
					url->query ? "?" : "", url->query ? url->query : "");
}

/*
 * MlPinSearchPath
 *		See util.h.
 */
int
MlPinSearchPath(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}
