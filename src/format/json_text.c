/*-------------------------------------------------------------------------
 *
 * json_text.c
 *	  Reading a response body straight from its JSON text: one checking
 *	  pass builds a flat index of the values (json_text.h), in which an
 *	  array of nothing but numbers is a single node.
 *
 * Parsing a 1536-number embedding into jsonb costs one numeric_in per
 * number, and converting it back to float4 one numeric_out and strtof
 * more; most of the time of decoding an embedding went there.  With this
 * index, a vector's numbers go from their text to float4 or float8 once:
 * when the caller names the type, in the same pass that checks them
 * (float_parse.c's JSON readers), else later from the text
 * (MlJsonNumbersToDatum in json_decode.c).  Either way the body is read
 * in time linear in its length, and so are lookups of array elements in
 * any order (MlJsonTextElement).
 *
 * The index stands in for jsonb only where jsonb would give the same
 * result, so the scan accepts a body only when MlParseJson would parse it
 * without an error: strict RFC 8259 syntax, valid UTF-8, no \u0000, paired
 * surrogates, numbers within numeric's range.  It refuses, without an
 * error, whatever it does not check itself (a database encoding other
 * than UTF-8 with non-ASCII text, nesting deeper than MAX_DEPTH, numbers
 * longer than MAX_NUMBER_LEN): callers then read the body through jsonb,
 * whose result or error stays the reference.  Lookups follow jsonb: the
 * last of duplicate keys wins.
 *
 * The body must be followed by a '\0' (response bodies are StringInfo
 * data), which the scanning loops use as their stop.
 *
 * IDENTIFICATION
 *	  src/format/json_text.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"

#include "format/json_text.h"
#include "settings.h"
#include "types/float_parse.h"

/* deeper documents are left to jsonb (its own limit is the stack) */
#define MAX_DEPTH			64
/* numeric_in takes these: at most 1000 for an exponent, and few digits */
#define MAX_NUMBER_LEN		400
#define MAX_EXPONENT		1000

typedef struct Scan
{
	const char *data;
	const char *p;				/* next byte */
	const char *end;			/* data + len, where a '\0' is */
	bool		utf8;			/* the database encoding is UTF-8 */
	MlJsonText *doc;
	int			maxnodes;
} Scan;

static bool scan_value(Scan *s, int depth);

/* JSON white space */
static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline void
skip_space(Scan *s)
{
	while (is_space(*s->p))
		s->p++;
}

/*
 * add_node
 *		A new node of kind starting at the current byte; its index.  Nodes
 *		move when the array grows, so callers keep indexes, not pointers.
 */
static int
add_node(Scan *s, MlJsonTextKind kind)
{
	MlJsonText *doc = s->doc;
	MlJsonTextNode *node;

	if (doc->nnodes == s->maxnodes)
	{
		s->maxnodes *= 2;
		doc->nodes = repalloc(doc->nodes, sizeof(MlJsonTextNode) * s->maxnodes);
	}
	node = &doc->nodes[doc->nnodes];
	memset(node, 0, sizeof(MlJsonTextNode));
	node->first_value = -1;
	node->kind = kind;
	node->start = s->p - s->data;
	return doc->nnodes++;
}

/*
 * finish_node
 *		The value of node ends at the current byte; its subtree, here.
 */
static void
finish_node(Scan *s, int node)
{
	s->doc->nodes[node].end = s->p - s->data;
	s->doc->nodes[node].next = s->doc->nnodes;
}

/*
 * number_end
 *		Past the JSON number at p, or NULL when there is none or it is one
 *		numeric_in might refuse (too long, exponent beyond MAX_EXPONENT).
 */
static const char *
number_end(const char *p)
{
	const char *start = p;
	int			exponent = 0;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
	{
		while (is_digit(*p))
			p++;
	}
	else
		return NULL;
	if (*p == '.')
	{
		p++;
		if (!is_digit(*p))
			return NULL;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return NULL;
		while (is_digit(*p))
		{
			if (exponent <= MAX_EXPONENT)
				exponent = exponent * 10 + (*p - '0');
			p++;
		}
	}
	if (exponent > MAX_EXPONENT || p - start > MAX_NUMBER_LEN)
		return NULL;
	return p;
}

/*
 * hex4
 *		The four hex digits at p as a number, or -1.
 */
static int
hex4(const char *p)
{
	int			v = 0;

	for (int i = 0; i < 4; i++)
	{
		char		c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * scan_escape
 *		Check the escape at s->p (after the backslash) and step past it.
 *		\u escapes must be what jsonb takes: not \u0000, surrogates in
 *		high-low pairs, and (left to jsonb) nothing beyond ASCII unless the
 *		database is UTF-8.
 */
static bool
scan_escape(Scan *s)
{
	const char *p = s->p;
	int			code;

	if (*p != '\0' && strchr("\"\\/bfnrt", *p) != NULL)
	{
		s->p++;
		return true;
	}
	if (*p != 'u' || (code = hex4(p + 1)) < 0 || code == 0)
		return false;
	p += 5;
	if (code >= 0xDC00 && code <= 0xDFFF)
		return false;
	if (code >= 0xD800 && code <= 0xDBFF)
	{
		int			low;

		if (p[0] != '\\' || p[1] != 'u' || (low = hex4(p + 2)) < 0 ||
			low < 0xDC00 || low > 0xDFFF)
			return false;
		p += 6;
	}
	if (code >= 0x80 && !s->utf8)
		return false;
	s->p = p;
	return true;
}

/*
 * scan_string
 *		Step past the string starting at s->p (its opening quote).
 *		*escaped tells whether it has escapes.
 */
static bool
scan_string(Scan *s, bool *escaped)
{
	const unsigned char *p = (const unsigned char *) s->p + 1;

	*escaped = false;
	for (;;)
	{
		unsigned char c = *p;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
		{
			p++;
			continue;
		}
		if (c == '"')
			break;
		if (c == '\\')
		{
			*escaped = true;
			s->p = (const char *) p + 1;
			if (!scan_escape(s))
				return false;
			p = (const unsigned char *) s->p;
			continue;
		}
		if (c < 0x20 || !s->utf8)
			return false;		/* control character, or left to jsonb */
		else
		{
			int			l = pg_utf_mblen(p);

			if ((const char *) p + l > s->end || !pg_utf8_islegal(p, l))
				return false;
			p += l;
		}
	}
	s->p = (const char *) p + 1;
	return true;
}

/*
 * grow_values
 *		Room for more converted numbers (doubling: amortized constant time
 *		per number).
 */
static void
grow_values(MlJsonText *doc)
{
	Size		elsize = doc->value_type == FLOAT4OID ? sizeof(float4) : sizeof(float8);

	doc->maxvalues = doc->maxvalues == 0 ? 2048 : doc->maxvalues * 2;
	if (doc->values == NULL)
		doc->values = MemoryContextAllocHuge(CurrentMemoryContext,
											 doc->maxvalues * elsize);
	else
		doc->values = repalloc_huge(doc->values, doc->maxvalues * elsize);
}

/*
 * convert_number
 *		Check and convert the JSON number at p in one pass (float_parse.c,
 *		with number_end's limits), appending it to doc->values; returns its
 *		end, or NULL when float_parse.c does not take it, as it does not
 *		what number_end refuses.  *overflow tells whether it overflowed the
 *		type.
 */
static inline const char *
convert_number(MlJsonText *doc, const char *p, const char *end,
			   bool *overflow)
{
	MlFloatStatus status;
	const char *stop;

	if (doc->nvalues == doc->maxvalues)
		grow_values(doc);
	if (doc->value_type == FLOAT4OID)
	{
		float4	   *v = (float4 *) doc->values + doc->nvalues;

		stop = MlParseJsonFloat4(p, end, MAX_NUMBER_LEN, MAX_EXPONENT, v,
								 &status);
		if (stop != NULL && status == ML_FLOAT_ZERO)
			*v = 0.0f;			/* numeric has no -0 */
	}
	else
	{
		float8	   *v = (float8 *) doc->values + doc->nvalues;

		stop = MlParseJsonFloat8(p, end, MAX_NUMBER_LEN, MAX_EXPONENT, v,
								 &status);
		if (stop != NULL && status == ML_FLOAT_ZERO)
			*v = 0.0;
	}
	doc->nvalues++;
	*overflow = (stop != NULL && status == ML_FLOAT_OVERFLOW);
	return stop;
}

/*
 * scan_numbers
 *		At an array's '[': if every element is a number, one JT_NUMBERS
 *		node for the array, its numbers converted when the document wants
 *		them (MlJsonTextScan).  False, having consumed nothing, otherwise.
 *		Converted numbers are checked and converted in one pass over their
 *		text (float_parse.c checks JSON's syntax and number_end's limits
 *		itself), others checked by number_end.
 */
static bool
scan_numbers(Scan *s)
{
	MlJsonText *doc = s->doc;
	const char *p = s->p + 1;
	int			count = 0;
	int			node;
	Size		first = doc->nvalues;
	bool		convert = (doc->value_type != InvalidOid);

	for (;;)
	{
		const char *stop = NULL;
		bool		overflow = false;

		while (is_space(*p))
			p++;
		if (convert && count < mlpredict_max_output_elements)
			stop = convert_number(doc, p, s->end, &overflow);
		if (stop == NULL || overflow)
		{
			/*
			 * Not converted (too many numbers, whose decoding fails anyway,
			 * or an overflow, which the text or jsonb reports); number_end
			 * says whether it is a number at all.
			 */
			if (convert)
			{
				convert = false;
				doc->nvalues = first;
			}
			stop = number_end(p);
		}
		if ((p = stop) == NULL)
		{
			doc->nvalues = first;
			return false;
		}
		count++;
		if ((count & 65535) == 0)
			CHECK_FOR_INTERRUPTS();
		while (is_space(*p))
			p++;
		if (*p == ']')
			break;
		if (*p != ',')
		{
			doc->nvalues = first;
			return false;
		}
		p++;
	}
	node = add_node(s, JT_NUMBERS);
	s->p = p + 1;
	doc->nodes[node].count = count;
	doc->nodes[node].first_value = convert ? (int) first : -1;
	doc->nnumbers++;
	finish_node(s, node);
	return true;
}

/*
 * scan_array
 *		The array at s->p.
 */
static bool
scan_array(Scan *s, int depth)
{
	const char *q = s->p + 1;
	int			node;
	int			count = 0;

	while (is_space(*q))
		q++;
	if ((*q == '-' || is_digit(*q)) && scan_numbers(s))
		return true;
	node = add_node(s, JT_ARRAY);
	s->p++;
	skip_space(s);
	if (*s->p != ']')
	{
		for (;;)
		{
			if (!scan_value(s, depth + 1))
				return false;
			count++;
			skip_space(s);
			if (*s->p == ']')
				break;
			if (*s->p != ',')
				return false;
			s->p++;
		}
	}
	s->p++;
	s->doc->nodes[node].count = count;
	finish_node(s, node);
	return true;
}

/*
 * scan_object
 *		The object at s->p; each member's node carries its key.
 */
static bool
scan_object(Scan *s, int depth)
{
	int			node = add_node(s, JT_OBJECT);
	int			count = 0;

	s->p++;
	skip_space(s);
	if (*s->p != '}')
	{
		for (;;)
		{
			const char *key;
			int			keylen;
			bool		escaped;
			int			member;

			skip_space(s);
			if (*s->p != '"')
				return false;
			key = s->p + 1;
			if (!scan_string(s, &escaped))
				return false;
			keylen = (s->p - 1) - key;
			skip_space(s);
			if (*s->p != ':')
				return false;
			s->p++;
			member = s->doc->nnodes;
			if (!scan_value(s, depth + 1))
				return false;
			s->doc->nodes[member].key_start = key - s->data;
			s->doc->nodes[member].key_len = keylen;
			s->doc->nodes[member].key_escaped = escaped;
			count++;
			skip_space(s);
			if (*s->p == '}')
				break;
			if (*s->p != ',')
				return false;
			s->p++;
		}
	}
	s->p++;
	s->doc->nodes[node].count = count;
	finish_node(s, node);
	return true;
}

/*
 * scan_literal
 *		true, false or null at s->p.
 */
static bool
scan_literal(Scan *s, const char *word, MlJsonTextKind kind)
{
	size_t		len = strlen(word);
	int			node;

	if (strncmp(s->p, word, len) != 0)
		return false;
	node = add_node(s, kind);
	s->p += len;
	finish_node(s, node);
	return true;
}

/*
 * scan_value
 *		The value at s->p (after white space), with its nodes.
 */
static bool
scan_value(Scan *s, int depth)
{
	int			node;
	bool		escaped;

	if (depth > MAX_DEPTH)
		return false;
	skip_space(s);
	switch (*s->p)
	{
		case '{':
			return scan_object(s, depth);
		case '[':
			return scan_array(s, depth);
		case '"':
			node = add_node(s, JT_STRING);
			if (!scan_string(s, &escaped))
				return false;
			finish_node(s, node);
			return true;
		case 't':
			return scan_literal(s, "true", JT_TRUE);
		case 'f':
			return scan_literal(s, "false", JT_FALSE);
		case 'n':
			return scan_literal(s, "null", JT_NULL);
		default:
			{
				const char *end = number_end(s->p);

				if (end == NULL)
					return false;
				node = add_node(s, JT_NUMBER);
				s->p = end;
				finish_node(s, node);
				return true;
			}
	}
}

/*
 * MlJsonTextScan
 *		See json_text.h.
 */
MlJsonText *
MlJsonTextScan(const char *data, int len, Oid value_type)
{
	Scan		s;
	MlJsonText *doc;

	Assert(value_type == InvalidOid || value_type == FLOAT4OID ||
		   value_type == FLOAT8OID);
	if (data == NULL || len <= 0 || data[len] != '\0')
		return NULL;
	doc = palloc0(sizeof(MlJsonText));
	doc->data = data;
	doc->len = len;
	doc->cursor_array = -1;
	doc->table_array = -1;
	doc->value_type = value_type;
	s.data = s.p = data;
	s.end = data + len;
	s.utf8 = (GetDatabaseEncoding() == PG_UTF8);
	s.doc = doc;
	s.maxnodes = 32;
	doc->nodes = palloc(sizeof(MlJsonTextNode) * s.maxnodes);
	if (!scan_value(&s, 0))
		goto refused;
	skip_space(&s);
	if (s.p != s.end)
		goto refused;
	return doc;

refused:
	if (doc->values)
		pfree(doc->values);
	pfree(doc->nodes);
	pfree(doc);
	return NULL;
}

/*
 * MlJsonTextValues
 *		See json_text.h.
 */
const void *
MlJsonTextValues(MlJsonText *doc, int node)
{
	int			first;

	if (node < 0 || doc->nodes[node].kind != JT_NUMBERS ||
		(first = doc->nodes[node].first_value) < 0)
		return NULL;
	if (doc->value_type == FLOAT4OID)
		return (const float4 *) doc->values + first;
	return (const float8 *) doc->values + first;
}

/* ---------------------------------------------------------------------
 * Lookups
 * ---------------------------------------------------------------------
 */

/*
 * unescape
 *		The checked string text [p, end) (quotes excluded) with its escapes
 *		undone, appended to out (UTF-8; the scan refused escapes beyond
 *		ASCII in other database encodings).
 */
static void
unescape(const char *p, const char *end, StringInfo out)
{
	while (p < end)
	{
		unsigned char utf8[8];
		int			code;

		if (*p != '\\')
		{
			appendStringInfoChar(out, *p++);
			continue;
		}
		p++;
		switch (*p)
		{
			case 'b':
				appendStringInfoChar(out, '\b');
				break;
			case 'f':
				appendStringInfoChar(out, '\f');
				break;
			case 'n':
				appendStringInfoChar(out, '\n');
				break;
			case 'r':
				appendStringInfoChar(out, '\r');
				break;
			case 't':
				appendStringInfoChar(out, '\t');
				break;
			case 'u':
				code = hex4(p + 1);
				p += 4;
				if (code >= 0xD800 && code <= 0xDBFF)
				{
					code = 0x10000 + ((code - 0xD800) << 10) + (hex4(p + 3) - 0xDC00);
					p += 6;
				}
				unicode_to_utf8((pg_wchar) code, utf8);
				appendBinaryStringInfo(out, (char *) utf8, pg_utf_mblen(utf8));
				break;
			default:			/* " \ / */
				appendStringInfoChar(out, *p);
				break;
		}
		p++;
	}
}

/*
 * decode_key
 *		The key of member node with its escapes undone.
 */
static void
decode_key(MlJsonText *doc, int node, StringInfo out)
{
	const char *p = doc->data + doc->nodes[node].key_start;

	resetStringInfo(out);
	unescape(p, p + doc->nodes[node].key_len, out);
}

/*
 * MlJsonTextString
 *		See json_text.h.
 */
char *
MlJsonTextString(MlJsonText *doc, int node, int *len)
{
	MlJsonTextNode *n = &doc->nodes[node];
	const char *p = doc->data + n->start + 1;
	const char *end = doc->data + n->end - 1;
	StringInfoData out;

	Assert(n->kind == JT_STRING);
	if (memchr(p, '\\', end - p) == NULL)
	{
		*len = end - p;
		return pnstrdup(p, end - p);
	}
	initStringInfo(&out);
	unescape(p, end, &out);
	*len = out.len;
	return out.data;
}

/*
 * member
 *		The member of object node named key, the last one of that name as
 *		jsonb keeps; -1 if none.
 */
static int
member(MlJsonText *doc, int node, const char *key, int keylen)
{
	int			child = node + 1;
	int			found = -1;
	StringInfoData buf;

	buf.data = NULL;
	for (int i = 0; i < doc->nodes[node].count; i++)
	{
		MlJsonTextNode *n = &doc->nodes[child];

		if (!n->key_escaped)
		{
			if (n->key_len == keylen &&
				memcmp(doc->data + n->key_start, key, keylen) == 0)
				found = child;
		}
		else
		{
			if (buf.data == NULL)
				initStringInfo(&buf);
			decode_key(doc, child, &buf);
			if (buf.len == keylen && memcmp(buf.data, key, keylen) == 0)
				found = child;
		}
		child = n->next;
	}
	if (buf.data)
		pfree(buf.data);
	return found;
}

/*
 * MlJsonTextMember
 *		See json_text.h.
 */
int
MlJsonTextMember(MlJsonText *doc, int node, const char *key)
{
	if (node < 0 || doc->nodes[node].kind != JT_OBJECT)
		return ML_JSON_TEXT_NONE;
	return member(doc, node, key, strlen(key));
}

/*
 * element_table
 *		The node of every element of array node, in a table made once (the
 *		last array read out of order keeps its table).
 */
static int *
element_table(MlJsonText *doc, int node)
{
	int			child = node + 1;

	if (doc->table_array == node && doc->table != NULL)
		return doc->table;
	if (doc->table != NULL)
		pfree(doc->table);
	doc->table = palloc(sizeof(int) * doc->nodes[node].count);
	for (int k = 0; k < doc->nodes[node].count; k++)
	{
		doc->table[k] = child;
		child = doc->nodes[child].next;
	}
	doc->table_array = node;
	return doc->table;
}

/*
 * MlJsonTextElement
 *		See json_text.h.  Walks from the previous element looked up in the
 *		same array when it can, so that reading elements in order is linear
 *		in all; any other element (one before it, as when results' indexes
 *		are not in order, or after a lookup in another array) comes from a
 *		table of the array's elements, made once, so that any order of
 *		lookups is linear too.
 */
int
MlJsonTextElement(MlJsonText *doc, int node, int i)
{
	int			child = node + 1;
	int			k = 0;

	if (node < 0 || doc->nodes[node].kind != JT_ARRAY ||
		i < 0 || i >= doc->nodes[node].count)
		return -1;
	if (doc->cursor_array == node && doc->cursor_index <= i)
	{
		child = doc->cursor_node;
		k = doc->cursor_index;
	}
	else if (i > 0)
	{
		child = element_table(doc, node)[i];
		k = i;
	}
	for (; k < i; k++)
		child = doc->nodes[child].next;
	doc->cursor_array = node;
	doc->cursor_index = i;
	doc->cursor_node = child;
	return child;
}

/*
 * array_index
 *		A pointer segment as an array index (decimal, no leading zeros, in
 *		int32 range, as MlJsonPointer reads them), or -1.
 */
static int
array_index(const char *seg, int len)
{
	int64		index = 0;

	if (len == 0 || (len > 1 && seg[0] == '0'))
		return -1;
	for (int i = 0; i < len; i++)
	{
		if (!is_digit(seg[i]))
			return -1;
		index = index * 10 + (seg[i] - '0');
		if (index > PG_INT32_MAX)
			return -1;
	}
	return (int) index;
}

/*
 * MlJsonTextPointer
 *		See json_text.h.
 */
int
MlJsonTextPointer(MlJsonText *doc, const char *pointer)
{
	StringInfoData seg;
	const char *p = pointer;
	int			cur = 0;

	if (p == NULL || *p == '\0')
		return 0;
	if (*p == '/')
		p++;
	initStringInfo(&seg);
	for (;;)
	{
		const char *end = strchr(p, '/');
		int			len = end ? (int) (end - p) : (int) strlen(p);
		MlJsonTextKind kind = doc->nodes[cur].kind;

		/* undo RFC 6901 escaping: ~0 is '~', ~1 is '/' */
		resetStringInfo(&seg);
		for (int i = 0; i < len; i++)
		{
			if (p[i] != '~')
				appendStringInfoChar(&seg, p[i]);
			else if (i + 1 < len && (p[i + 1] == '0' || p[i + 1] == '1'))
				appendStringInfoChar(&seg, p[++i] == '0' ? '~' : '/');
			else
			{
				cur = ML_JSON_TEXT_NONE;
				break;
			}
		}
		if (cur >= 0 && kind == JT_OBJECT)
			cur = member(doc, cur, seg.data, seg.len);
		else if (cur >= 0 && kind == JT_ARRAY)
			cur = MlJsonTextElement(doc, cur, array_index(seg.data, seg.len));
		else if (cur >= 0 && kind == JT_NUMBERS)
			cur = ML_JSON_TEXT_UNKNOWN;
		else
			cur = ML_JSON_TEXT_NONE;	/* a scalar, or a bad ~ escape */
		if (cur < 0 || end == NULL)
			break;
		p = end + 1;
	}
	pfree(seg.data);
	return cur;
}

/*
 * MlJsonTextInt
 *		See json_text.h: a number written as an integer (an optional '-'
 *		and at most 18 digits).
 */
bool
MlJsonTextInt(MlJsonText *doc, int node, int64 *value)
{
	const char *p;
	const char *end;
	bool		neg;
	int64		v = 0;

	if (node < 0 || doc->nodes[node].kind != JT_NUMBER)
		return false;
	p = doc->data + doc->nodes[node].start;
	end = doc->data + doc->nodes[node].end;
	neg = (*p == '-');
	if (neg)
		p++;
	if (end - p > 18)
		return false;
	for (; p < end; p++)
	{
		if (!is_digit(*p))
			return false;
		v = v * 10 + (*p - '0');
	}
	*value = neg ? -v : v;
	return true;
}

/*
 * MlJsonTextWithoutNumbers
 *		See json_text.h.  Token usage lives outside vectors, so this small
 *		document answers the usage lookups as the whole one would.
 */
char *
MlJsonTextWithoutNumbers(MlJsonText *doc, int *len)
{
	StringInfoData buf;
	int			pos = 0;

	initStringInfo(&buf);
	for (int i = 0; i < doc->nnodes; i++)
	{
		MlJsonTextNode *n = &doc->nodes[i];

		if (n->kind != JT_NUMBERS)
			continue;
		appendBinaryStringInfo(&buf, doc->data + pos, n->start - pos);
		appendStringInfoString(&buf, "[]");
		pos = n->end;
	}
	appendBinaryStringInfo(&buf, doc->data + pos, doc->len - pos);
	*len = buf.len;
	return buf.data;
}
