/*-------------------------------------------------------------------------
 *
 * json_path.c
 *	  Parsing provider responses into jsonb and finding values in them.
 *
 * This file owns:
 *	- checking and parsing a response body into jsonb (MlParseJson,
 *	  MlTryParseJson), with the error for a body that is not JSON;
 *	- walking parsed responses: RFC 6901 pointers and field lookup;
 *	- naming and printing JSON values (MlJsonKindName, MlJsonValueToText);
 *	- the jsonb walking helpers json_encode.c and json_decode.c share
 *	  (json_internal.h).
 *
 * Note that jsonb keeps object keys sorted by length and then bytewise,
 * not in document order; "first match" in field searches follows that
 * stored order.
 *
 * IDENTIFICATION
 *	  src/types/json_path.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "common/jsonapi.h"
#include "common/string.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "compat.h"
#include "types/json_datum.h"
#include "types/json_internal.h"

/* longest part of a response body quoted in an error message */
#define BODY_EXCERPT_LEN	200

/* ---------------------------------------------------------------------
 * Parsing responses
 * ---------------------------------------------------------------------
 */

/*
 * JsonTextValid
 *		Does s hold valid JSON in the given encoding?  Never raises an error
 *		for bad input.
 */
bool
JsonTextValid(char *s, size_t len, int encoding)
{
	JsonLexContext *lex;
	JsonParseErrorType rc;

	lex = MlJsonLexContextCreate(s, len, encoding, false);
	rc = pg_parse_json(lex, &nullSemAction);
	MlJsonLexContextFree(lex);
	return rc == JSON_SUCCESS;
}

/*
 * body_excerpt
 *		A printable rendering of the first bytes of a response body for
 *		error messages: control characters and bytes that are not valid
 *		UTF-8 (or any non-ASCII byte when the server encoding is not UTF-8)
 *		are escaped, and "..." marks a cut.
 */
static char *
body_excerpt(const char *body, size_t len)
{
	StringInfoData out;
	const unsigned char *p = (const unsigned char *) body;
	size_t		limit = Min(len, BODY_EXCERPT_LEN);
	size_t		i = 0;
	bool		utf8 = (GetDatabaseEncoding() == PG_UTF8);

	initStringInfo(&out);
	while (i < limit)
	{
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f)
			appendStringInfoChar(&out, (char) c);
		else if (c == '\n')
			appendStringInfoString(&out, "\\n");
		else if (c == '\r')
			appendStringInfoString(&out, "\\r");
		else if (c == '\t')
			appendStringInfoString(&out, "\\t");
		else if (c >= 0x80 && utf8 && pg_utf_mblen(p + i) <= len - i &&
				 pg_utf8_islegal(p + i, pg_utf_mblen(p + i)))
		{
			int			l = pg_utf_mblen(p + i);

			appendBinaryStringInfo(&out, body + i, l);
			i += l;
			continue;
		}
		else
			appendStringInfo(&out, "\\x%02x", c);
		i++;
	}
	if (i < len)
		appendStringInfoString(&out, "...");
	return out.data;
}

/*
 * report_invalid_json
 *		Raise the error for a response that could not be parsed; edata is
 *		the error the parser raised.
 */
static void
report_invalid_json(const char *body, size_t len, const char *who,
					ErrorData *edata)
{
	char	   *reason;

	if (edata->detail)
		reason = edata->detail;
	else
	{
		/* turn the parser's primary message into a sentence */
		reason = psprintf("%s.", edata->message);
		reason[0] = pg_toupper((unsigned char) reason[0]);
	}

	ereport(ERROR,
			errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			errmsg("%s returned a response that is not valid JSON", who),
			len == 0 ?
			errdetail("%s The response body is empty.", reason) :
			len > BODY_EXCERPT_LEN ?
			errdetail("%s The response body starts with: %s", reason,
					  body_excerpt(body, len)) :
			errdetail("%s The response body is: %s", reason,
					  body_excerpt(body, len)),
			errhint("Check that the model's output format matches what the endpoint returns."));
}

/*
 * MlParseJson
 *		Parse a provider response body (UTF-8) into jsonb, converting it to
 *		the server encoding.  Data errors from the parser (bad syntax, bad
 *		encoding, unsupported escapes) become one error naming who; other
 *		errors (cancel, out of memory) propagate unchanged.  The result is
 *		allocated in CurrentMemoryContext.
 */
Jsonb *
MlParseJson(const char *body, size_t len, const char *who)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	Jsonb	   *volatile result = NULL;
	ErrorData  *volatile edata = NULL;
	char	   *copy;

	/* jsonb_in wants a terminated string; embedded NULs fail validation */
	copy = palloc(len + 1);
	memcpy(copy, body, len);
	copy[len] = '\0';

	PG_TRY();
	{
		char	   *conv = pg_any_to_server(copy, (int) len, PG_UTF8);

		result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
													CStringGetDatum(conv)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
	}
	PG_END_TRY();

	if (result == NULL)
		report_invalid_json(body, len, who, edata);
	pfree(copy);
	return result;
}

/*
 * MlTryParseJson
 *		Parse a body that may not be JSON (an error page, say): NULL when it
 *		is not valid UTF-8 JSON, without raising an error.  In a database
 *		whose encoding is not UTF-8 only ASCII bodies are parsed, since
 *		converting others could fail.
 */
Jsonb *
MlTryParseJson(const char *body, size_t len)
{
	char	   *copy;

	if (body == NULL || len == 0 || memchr(body, '\0', len) != NULL)
		return NULL;
	copy = pnstrdup(body, len);
	if (!JsonTextValid(copy, len, PG_UTF8) ||
		(GetDatabaseEncoding() != PG_UTF8 && !pg_is_ascii(copy)))
	{
		/* not JSON, or not representable without a conversion that may fail */
		pfree(copy);
		return NULL;
	}
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(copy)));
}

/*
 * MlTryParseJsonText
 *		Parse JSON text already in the database encoding (a model's answer
 *		taken out of a parsed response): NULL when it is not valid JSON,
 *		without raising an error.
 */
Jsonb *
MlTryParseJsonText(const char *text, size_t len)
{
	char	   *copy;

	if (text == NULL || len == 0 || memchr(text, '\0', len) != NULL)
		return NULL;
	copy = pnstrdup(text, len);
	if (!JsonTextValid(copy, len, GetDatabaseEncoding()))
	{
		pfree(copy);
		return NULL;
	}
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(copy)));
}

/* ---------------------------------------------------------------------
 * Navigating JSON values
 * ---------------------------------------------------------------------
 */

/*
 * JsonNormalize
 *		Copy in to out, unpacking a raw scalar (the root of a scalar jsonb
 *		document) into the scalar itself.
 */
void
JsonNormalize(const JsonbValue *in, JsonbValue *out)
{
	if (in->type == jbvBinary && JsonContainerIsScalar(in->val.binary.data))
	{
		if (!JsonbExtractScalar(in->val.binary.data, out))
			elog(ERROR, "could not extract scalar from jsonb container");
	}
	else if (in->type == jbvArray && in->val.array.rawScalar &&
			 in->val.array.nElems == 1)
		*out = in->val.array.elems[0];
	else
		*out = *in;
}

/* True if v (normalized) is a JSON array. */
bool
JsonIsArray(const JsonbValue *v)
{
	return v->type == jbvArray ||
		(v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data));
}

/* True if v (normalized) is a JSON object. */
bool
JsonIsObject(const JsonbValue *v)
{
	return v->type == jbvObject ||
		(v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data));
}

/* Number of elements (or pairs) of a normalized array or object. */
int
JsonSize(const JsonbValue *v)
{
	if (v->type == jbvArray)
		return v->val.array.nElems;
	if (v->type == jbvObject)
		return v->val.object.nPairs;
	return JsonContainerSize(v->val.binary.data);
}

/*
 * JsonArrayGet
 *		Element i of a normalized array, in O(1); false if out of range.
 */
bool
JsonArrayGet(const JsonbValue *arr, int i, JsonbValue *out)
{
	JsonbValue *v;

	if (i < 0 || i >= JsonSize(arr))
		return false;
	if (arr->type == jbvArray)
	{
		JsonNormalize(&arr->val.array.elems[i], out);
		return true;
	}
	v = getIthJsonbValueFromContainer(arr->val.binary.data, (uint32) i);
	if (v == NULL)
		return false;
	*out = *v;
	pfree(v);
	return true;
}

/*
 * JsonChildren
 *		The element values of an array or the member values of an object, in
 *		stored order, with nested containers as jbvBinary.  When keys is not
 *		NULL and v is an object, *keys receives the matching keys.  The
 *		result is freshly allocated.
 */
JsonbValue *
JsonChildren(const JsonbValue *v, int *n, JsonbValue **keys)
{
	int			size = JsonSize(v);
	JsonbValue *items = palloc(sizeof(JsonbValue) * Max(size, 1));
	JsonbValue *names = NULL;
	int			count = 0;

	if (keys && JsonIsObject(v))
		names = palloc(sizeof(JsonbValue) * Max(size, 1));

	if (v->type == jbvArray)
	{
		for (int i = 0; i < size; i++)
			items[count++] = v->val.array.elems[i];
	}
	else if (v->type == jbvObject)
	{
		for (int i = 0; i < size; i++)
		{
			if (names)
				names[count] = v->val.object.pairs[i].key;
			items[count++] = v->val.object.pairs[i].value;
		}
	}
	else
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbIteratorToken tok;
		JsonbValue	jv;

		while ((tok = JsonbIteratorNext(&it, &jv, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY && names)
				names[count] = jv;
			else if ((tok == WJB_VALUE || tok == WJB_ELEM) && count < size)
				items[count++] = jv;
		}
	}
	*n = count;
	if (keys)
		*keys = names;
	return items;
}

/*
 * JsonObjectLookup
 *		Member name of a normalized object: exact match, or with
 *		ignore_case an ASCII case-insensitive one (first in stored order).
 */
bool
JsonObjectLookup(const JsonbValue *obj, const char *name, int namelen,
				 bool ignore_case, JsonbValue *out)
{
	JsonbValue *keys;
	JsonbValue *values;
	int			n;
	bool		found = false;

	if (!ignore_case && obj->type == jbvBinary)
		return getKeyJsonValueFromContainer(obj->val.binary.data, name,
											namelen, out) != NULL;

	values = JsonChildren(obj, &n, &keys);
	for (int i = 0; i < n && !found; i++)
	{
		if (keys[i].val.string.len != namelen)
			continue;
		if (ignore_case ?
			pg_strncasecmp(keys[i].val.string.val, name, namelen) == 0 :
			memcmp(keys[i].val.string.val, name, namelen) == 0)
		{
			*out = values[i];
			found = true;
		}
	}
	pfree(values);
	pfree(keys);
	return found;
}

/*
 * pointer_step
 *		Follow one decoded pointer segment from cur; false if it leads
 *		nowhere.  Array indexes are decimal without leading zeros.
 */
static bool
pointer_step(const JsonbValue *cur, const char *seg, int seglen,
			 JsonbValue *out)
{
	JsonbValue	next;
	int64		index = 0;

	if (JsonIsObject(cur))
	{
		if (!JsonObjectLookup(cur, seg, seglen, false, &next))
			return false;
		JsonNormalize(&next, out);
		return true;
	}
	if (!JsonIsArray(cur) || seglen == 0 ||
		(seglen > 1 && seg[0] == '0'))
		return false;
	for (int i = 0; i < seglen; i++)
	{
		if (!isdigit((unsigned char) seg[i]))
			return false;
		index = index * 10 + (seg[i] - '0');
		if (index > PG_INT32_MAX)
			return false;
	}
	return JsonArrayGet(cur, (int) index, out);
}

/*
 * decode_segment
 *		Undo RFC 6901 escaping (~1 is '/', ~0 is '~') of one segment into
 *		seg; false on any other use of '~'.
 */
static bool
decode_segment(const char *p, int len, StringInfo seg)
{
	resetStringInfo(seg);
	for (int i = 0; i < len; i++)
	{
		if (p[i] != '~')
			appendStringInfoChar(seg, p[i]);
		else if (i + 1 < len && (p[i + 1] == '0' || p[i + 1] == '1'))
		{
			appendStringInfoChar(seg, p[i + 1] == '0' ? '~' : '/');
			i++;
		}
		else
			return false;
	}
	return true;
}

/*
 * MlJsonPointerValue
 *		Follow an RFC 6901 JSON pointer from in.  "" is in itself; a missing
 *		leading '/' is assumed.  Returns false when the path does not exist
 *		(or the pointer is malformed).  Containers come back as jbvBinary
 *		pointing into the same document.
 */
bool
MlJsonPointerValue(const JsonbValue *in, const char *pointer, JsonbValue *out)
{
	JsonbValue	cur;
	StringInfoData seg;
	const char *p = pointer;

	JsonNormalize(in, &cur);
	if (p == NULL || *p == '\0')
	{
		*out = cur;
		return true;
	}
	if (*p == '/')
		p++;

	initStringInfo(&seg);
	for (;;)
	{
		const char *end = strchr(p, '/');
		int			seglen = end ? (int) (end - p) : (int) strlen(p);
		JsonbValue	next;

		if (!decode_segment(p, seglen, &seg) ||
			!pointer_step(&cur, seg.data, seg.len, &next))
		{
			pfree(seg.data);
			return false;
		}
		cur = next;
		if (end == NULL)
			break;
		p = end + 1;
	}
	pfree(seg.data);
	*out = cur;
	return true;
}

/*
 * MlJsonPointer
 *		MlJsonPointerValue starting from the root of doc.
 */
bool
MlJsonPointer(Jsonb *doc, const char *pointer, JsonbValue *out)
{
	JsonbValue	root;

	root.type = jbvBinary;
	root.val.binary.data = &doc->root;
	root.val.binary.len = VARSIZE(doc) - VARHDRSZ;
	return MlJsonPointerValue(&root, pointer, out);
}

/*
 * find_field
 *		Search v for member name: in an object, an exact then a
 *		case-insensitive match; failing that, the nested objects and arrays
 *		below, depth-first.
 */
static bool
find_field(const JsonbValue *v, const char *name, int namelen,
		   JsonbValue *out)
{
	JsonbValue *children;
	int			n;
	bool		found = false;

	check_stack_depth();
	if (JsonIsObject(v))
	{
		if (JsonObjectLookup(v, name, namelen, false, out) ||
			JsonObjectLookup(v, name, namelen, true, out))
		{
			JsonNormalize(out, out);
			return true;
		}
	}
	else if (!JsonIsArray(v))
		return false;

	children = JsonChildren(v, &n, NULL);
	for (int i = 0; i < n && !found; i++)
	{
		if (JsonIsObject(&children[i]) || JsonIsArray(&children[i]))
			found = find_field(&children[i], name, namelen, out);
	}
	pfree(children);
	return found;
}

/*
 * MlJsonFindField
 *		Confluent's field lookup for an output column: a member with exactly
 *		this name, else one matching case-insensitively, else the first
 *		match found searching nested objects and arrays depth-first.  Member
 *		order is jsonb's stored order (shorter keys first), not document
 *		order.  Returns false when there is no such member.
 */
bool
MlJsonFindField(const JsonbValue *object, const char *name, JsonbValue *out)
{
	JsonbValue	v;

	JsonNormalize(object, &v);
	return find_field(&v, name, strlen(name), out);
}

/*
 * MlJsonKindName
 *		Short name of a JSON value's kind, for messages.
 */
const char *
MlJsonKindName(const JsonbValue *value)
{
	JsonbValue	v;

	JsonNormalize(value, &v);
	switch (v.type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvArray:
			return "array";
		case jbvObject:
			return "object";
		case jbvBinary:
			return JsonContainerIsArray(v.val.binary.data) ? "array" : "object";
		default:
			return "string";	/* jbvDatetime only exists inside jsonpath */
	}
}

/*
 * MlJsonValueToText
 *		The JSON text of a value (scalar or container), palloc'd.
 */
char *
MlJsonValueToText(const JsonbValue *value)
{
	JsonbValue	v;
	StringInfoData buf;

	JsonNormalize(value, &v);
	switch (v.type)
	{
		case jbvNull:
			return pstrdup("null");
		case jbvBool:
			return pstrdup(v.val.boolean ? "true" : "false");
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v.val.numeric)));
		case jbvString:
			initStringInfo(&buf);
			escape_json(&buf, pnstrdup(v.val.string.val, v.val.string.len));
			return buf.data;
		case jbvBinary:
			return JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
		case jbvArray:
		case jbvObject:
			{
				Jsonb	   *jb = JsonbValueToJsonb(&v);

				return JsonbToCString(NULL, &jb->root, VARSIZE(jb));
			}
		default:
			elog(ERROR, "unexpected jsonb value type: %d", (int) v.type);
			return NULL;		/* keep compiler quiet */
	}
}
