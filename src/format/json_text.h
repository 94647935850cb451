/*-------------------------------------------------------------------------
 *
 * json_text.h
 *	  A response body read straight from its JSON text (json_text.c): a
 *	  checked, flat index of its values in which an array of numbers is
 *	  one node whose numbers stay text, so that embedding vectors reach
 *	  float4[] without becoming jsonb numerics first.
 *
 * IDENTIFICATION
 *	  src/format/json_text.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_JSON_TEXT_H
#define MLPREDICT_JSON_TEXT_H

#include "postgres.h"

typedef enum MlJsonTextKind
{
	JT_NULL,
	JT_FALSE,
	JT_TRUE,
	JT_NUMBER,
	JT_STRING,
	JT_ARRAY,
	JT_OBJECT,
	JT_NUMBERS					/* a non-empty array of nothing but numbers */
} MlJsonTextKind;

/* One value; the nodes of a document are in document order. */
typedef struct MlJsonTextNode
{
	MlJsonTextKind kind;
	bool		key_escaped;	/* object member whose key has escapes */
	int			start;			/* the value's text is data[start, end) */
	int			end;
	int			count;			/* elements or members; JT_NUMBERS: numbers */
	int			next;			/* the node after this value and its own */
	int			key_start;		/* object member: its key, quotes excluded */
	int			key_len;
	int			first_value;	/* JT_NUMBERS: its first number in values, or
								 * -1 when its numbers were not converted */
} MlJsonTextNode;

typedef struct MlJsonText
{
	const char *data;			/* the body; data[len] is '\0' */
	int			len;
	MlJsonTextNode *nodes;		/* nodes[0] is the root */
	int			nnodes;
	int			nnumbers;		/* how many JT_NUMBERS nodes */
	/* the numbers of JT_NUMBERS arrays, converted while scanning */
	Oid			value_type;		/* FLOAT4OID, FLOAT8OID, or InvalidOid: none */
	void	   *values;			/* float4 or float8, in document order */
	Size		nvalues;
	Size		maxvalues;
	/* the last element looked up, so that walking an array is linear */
	int			cursor_array;
	int			cursor_index;
	int			cursor_node;
	/* every element of one array, made when it is read out of order */
	int			table_array;
	int		   *table;
} MlJsonText;

/*
 * The index of a body, or NULL when the body is not one that jsonb would
 * read without error or that needs a conversion the scan does not check
 * (the caller then reads it through jsonb).  Never raises an ERROR for a
 * bad body.  With value_type FLOAT4OID or FLOAT8OID, the numbers of each
 * JT_NUMBERS array are also converted to that type as they are checked
 * (float_parse.c, a zero as +0, as numeric gives it), in the same pass
 * over the text, unless one overflows or the array is longer than
 * mlpredict.max_output_elements (whose decoding fails anyway): then that
 * node's first_value is -1.  The time is linear in len.
 */
extern MlJsonText *MlJsonTextScan(const char *data, int len, Oid value_type);

/* the converted numbers of JT_NUMBERS node (float4 or float8), or NULL */
extern const void *MlJsonTextValues(MlJsonText *doc, int node);

/*
 * The node at an RFC 6901 pointer (as MlJsonPointer: "" is the root, the
 * last of duplicate keys wins), or ML_JSON_TEXT_NONE when there is no
 * value there, or ML_JSON_TEXT_UNKNOWN when the pointer leads into a
 * JT_NUMBERS array, whose elements have no nodes.
 */
#define ML_JSON_TEXT_NONE		(-1)
#define ML_JSON_TEXT_UNKNOWN	(-2)
extern int	MlJsonTextPointer(MlJsonText *doc, const char *pointer);

/* member key of object node (the last of that name), or ML_JSON_TEXT_NONE */
extern int	MlJsonTextMember(MlJsonText *doc, int node, const char *key);

/* element i of array node, or ML_JSON_TEXT_NONE */
extern int	MlJsonTextElement(MlJsonText *doc, int node, int i);

/*
 * The text of JT_STRING node, its escapes undone, NUL-terminated and
 * palloc'd; its length in *len.  What jsonb would hold for it.
 */
extern char *MlJsonTextString(MlJsonText *doc, int node, int *len);

/* the integer a JT_NUMBER node holds; false when it is not one */
extern bool MlJsonTextInt(MlJsonText *doc, int node, int64 *value);

/* the document with every JT_NUMBERS array written as [] */
extern char *MlJsonTextWithoutNumbers(MlJsonText *doc, int *len);

#endif							/* MLPREDICT_JSON_TEXT_H */
