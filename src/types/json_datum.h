/*-------------------------------------------------------------------------
 *
 * json_datum.h
 *	  Conversions between SQL values and JSON: serializing model inputs into
 *	  request bodies, parsing provider responses, JSON pointers, field
 *	  lookup, and converting response values back into typed SQL values.
 *
 * All JSON handling uses PostgreSQL's jsonb representation.  Container
 * values are passed around as JsonbValues of type jbvBinary that point into
 * a Jsonb document; such values are only valid while that document is.
 * Every function may raise ERROR; results are allocated in
 * CurrentMemoryContext.
 *
 * IDENTIFICATION
 *	  src/types/json_datum.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MLPREDICT_JSON_DATUM_H
#define MLPREDICT_JSON_DATUM_H

#include "mlpredict.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* SQL value -> JSON text appended to buf (model input serialization) */
extern void MlDatumToJson(StringInfo buf, Datum value, bool isnull, Oid typid);

/* provider response body -> jsonb; "who" names the sender in errors */
extern Jsonb *MlParseJson(const char *body, size_t len, const char *who);

/* the same, but NULL instead of an error when the body is not JSON */
extern Jsonb *MlTryParseJson(const char *body, size_t len);

/* JSON text in the database encoding -> jsonb, or NULL when not JSON */
extern Jsonb *MlTryParseJsonText(const char *text, size_t len);

/* RFC 6901 JSON pointer lookup; false when the path does not exist */
extern bool MlJsonPointer(Jsonb *doc, const char *pointer, JsonbValue *out);
extern bool MlJsonPointerValue(const JsonbValue *in, const char *pointer,
							   JsonbValue *out);

/* field lookup: exact name, then case-insensitive, then nested values */
extern bool MlJsonFindField(const JsonbValue *object, const char *name,
							JsonbValue *out);

/*
 * JSON value -> SQL value of typid/typmod.  ndims_declared is the number of
 * array levels the model declared for the column (0 = unknown); model and
 * column name the model and its output column in error messages.  An
 * array of more elements (all dimensions together) than
 * mlpredict.max_output_elements is refused before it is built.
 */
extern Datum MlJsonToDatum(const JsonbValue *value, Oid typid, int32 typmod,
						   int ndims_declared, const char *model,
						   const char *column, bool *isnull);

/*
 * Raise the ERROR (54000) for an output array of n elements when n is
 * above mlpredict.max_output_elements; model names the model.  Every
 * decoder calls it before it allocates an array's elements.
 */
extern void MlCheckOutputElements(int64 n, const char *model);

/*
 * The JSON text (len bytes, from its '[' to its ']') of a flat, non-empty
 * array of count numbers (already checked as JSON) -> float4[] or float8[]
 * value of typid, exactly as MlJsonToDatum converts that array once
 * parsed, without jsonb numerics, in time linear in len.  False,
 * converting nothing, when typid is not real[] or float8[] (or
 * ndims_declared is above 1), or a number overflows the element type.
 */
extern bool MlJsonNumbersToDatum(const char *text, int len, int count,
								 Oid typid, int ndims_declared,
								 const char *model, Datum *result);

/*
 * The same from count numbers already converted (float4 for real[],
 * float8 for float8[], as MlJsonNumbersToDatum converts them): a copy.
 */
extern bool MlJsonFloatsToDatum(const void *values, int count, Oid typid,
								int ndims_declared, const char *model,
								Datum *result);

/* JSON text of a value (scalar or container) */
extern char *MlJsonValueToText(const JsonbValue *value);

/* "string", "number", "boolean", "null", "object" or "array" */
extern const char *MlJsonKindName(const JsonbValue *value);

#endif							/* MLPREDICT_JSON_DATUM_H */
