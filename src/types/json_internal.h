/*-------------------------------------------------------------------------
 *
 * json_internal.h
 *	  Definitions shared by the files that implement json_datum.h; not
 *	  for use outside src/types.
 *
 * json_encode.c owns the classification of SQL types into TypeConvs,
 * which json_decode.c reuses for the opposite direction.  json_path.c
 * owns JSON text validation and the helpers that walk jsonb values, which
 * the other two use.
 *
 * IDENTIFICATION
 *	  src/types/json_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_JSON_INTERNAL_H
#define MLPREDICT_JSON_INTERNAL_H

#include "fmgr.h"
#include "utils/jsonb.h"

/* How a SQL type maps to JSON. */
typedef enum JsonCategory
{
	JC_STRING,					/* text, varchar, bpchar, name, "char" */
	JC_BOOL,
	JC_INT2,
	JC_INT4,
	JC_INT8,
	JC_FLOAT4,
	JC_FLOAT8,
	JC_NUMERIC,
	JC_BYTEA,
	JC_JSON,
	JC_JSONB,
	JC_DATETIME,				/* date, time, timetz, timestamp(tz) */
	JC_ARRAY,
	JC_COMPOSITE,
	JC_OTHER					/* through the type's text I/O functions */
} JsonCategory;

/* One classified type, with what converting its values needs. */
typedef struct TypeConv
{
	Oid			typid;			/* type as requested, maybe a domain */
	Oid			basetype;		/* typid with domains stripped */
	int32		typmod;			/* typmod that applies to basetype */
	JsonCategory cat;
	char		typtype;		/* of basetype */
	bool		is_domain;
	void	   *domain_extra;	/* domain_check()'s cache */
	bool		have_iofunc;
	FmgrInfo	iofunc;			/* input or output function of basetype */
	Oid			typioparam;
	/* JC_ARRAY */
	struct TypeConv *elem;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	/* JC_COMPOSITE: one entry per attribute, filled lazily */
	Oid			attrs_typid;
	int			nattrs;
	struct TypeConv **attrs;
} TypeConv;

/* in json_encode.c */
extern TypeConv *JsonTypeConvCreate(Oid typid, int32 typmod, bool for_input);
extern TypeConv **JsonTypeConvAttrs(TypeConv *tc, Oid tuptype, int natts);

/* in json_path.c */
extern bool JsonTextValid(char *s, size_t len, int encoding);
extern void JsonNormalize(const JsonbValue *in, JsonbValue *out);
extern bool JsonIsArray(const JsonbValue *v);
extern bool JsonIsObject(const JsonbValue *v);
extern int	JsonSize(const JsonbValue *v);
extern bool JsonArrayGet(const JsonbValue *arr, int i, JsonbValue *out);
extern JsonbValue *JsonChildren(const JsonbValue *v, int *n,
								JsonbValue **keys);
extern bool JsonObjectLookup(const JsonbValue *obj, const char *name,
							 int namelen, bool ignore_case, JsonbValue *out);

#endif							/* MLPREDICT_JSON_INTERNAL_H */
