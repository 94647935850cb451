/*-------------------------------------------------------------------------
 *
 * answer.c
 *	  Reading an answer for decoding: through the text index of its body
 *	  (json_text.c) when the model's OUTPUT is a float vector, so that a
 *	  vector never becomes jsonb numerics, else through jsonb.
 *
 * Both readings give the same results: the index is made only of bodies
 * jsonb reads the same way, and what the index cannot tell (a value that
 * is not there, or is inside an array of numbers) is asked of jsonb.  A
 * vector comes from the index only when MlJsonToDatum would make the very
 * same array of it; anything else (a null, a domain, a nested array, an
 * overflow) goes the jsonb way, whose errors stay the reference.
 *
 * IDENTIFICATION
 *	  src/format/answer.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "format/format.h"
#include "format/json_text.h"
#include "format/llm_common.h"
#include "types/json_datum.h"
#include "types/typemap.h"
#include "util.h"
#include "wire/target.h"

/*
 * vector_element
 *		FLOAT4OID or FLOAT8OID when the model's only OUTPUT column is a
 *		real[] or a float8[], else InvalidOid.
 */
static Oid
vector_element(MlTarget *target)
{
	MlColumn   *col;

	if (target->noutputs != 1)
		return InvalidOid;
	col = linitial(target->model->output);
	if (col->typid == FLOAT4ARRAYOID)
		return FLOAT4OID;
	if (col->typid == FLOAT8ARRAYOID)
		return FLOAT8OID;
	return InvalidOid;
}

/*
 * MlAnswerOpen
 *		Get ready to read body, indexing its text when that can help; the
 *		index converts the vectors' numbers as it checks them, so a body is
 *		read once, whatever its size, and each row's vector is a copy.
 */
void
MlAnswerOpen(MlAnswer *answer, MlTarget *target, MlResponseBody *body)
{
	Oid			element = vector_element(target);

	answer->target = target;
	answer->body = body;
	answer->text = NULL;
	if (body->json == NULL && element != InvalidOid)
		answer->text = MlJsonTextScan(body->data, body->len, element);
	/* for the usage lookups that follow (usage.c) */
	body->text = answer->text;
}

/*
 * text_node
 *		The index's node at pointer, or ML_JSON_TEXT_NONE when the index
 *		knows there is no value there, or ML_JSON_TEXT_UNKNOWN when jsonb
 *		must be asked (no index, or a pointer into an array of numbers).
 */
static int
text_node(MlAnswer *answer, const char *pointer)
{
	if (answer->text == NULL)
		return ML_JSON_TEXT_UNKNOWN;
	return MlJsonTextPointer(answer->text, pointer);
}

/*
 * answer_json
 *		The answer through jsonb, parsed on first use.
 */
static Jsonb *
answer_json(MlAnswer *answer)
{
	return MlResponseJson(answer->target, answer->body);
}

/*
 * MlAnswerLength
 *		The number of elements of the array at pointer; -1 when the value
 *		there is not an array, ML_ANSWER_MISSING when there is none.
 */
int
MlAnswerLength(MlAnswer *answer, const char *pointer)
{
	int			node = text_node(answer, pointer);
	JsonbValue	value;

	if (node >= 0)
	{
		MlJsonTextNode *n = &answer->text->nodes[node];

		return (n->kind == JT_ARRAY || n->kind == JT_NUMBERS) ? n->count : -1;
	}
	if (node == ML_JSON_TEXT_NONE ||
		!MlJsonPointer(answer_json(answer), pointer, &value))
		return ML_ANSWER_MISSING;
	return MlJsonArrayLength(&value);
}

/*
 * MlAnswerIsObject
 *		Is there an object at pointer?
 */
bool
MlAnswerIsObject(MlAnswer *answer, const char *pointer)
{
	int			node = text_node(answer, pointer);
	JsonbValue	value;

	if (node >= 0)
		return answer->text->nodes[node].kind == JT_OBJECT;
	return node == ML_JSON_TEXT_UNKNOWN &&
		MlJsonPointer(answer_json(answer), pointer, &value) &&
		MlJsonIsObject(&value);
}

/*
 * MlAnswerInt
 *		The number at pointer when it is written as an integer (no
 *		fraction, no exponent).
 */
bool
MlAnswerInt(MlAnswer *answer, const char *pointer, int64 *value)
{
	int			node = text_node(answer, pointer);
	JsonbValue	v;
	char	   *text;
	const char *digits;
	bool		ok;

	if (node >= 0 && MlJsonTextInt(answer->text, node, value))
		return true;
	if (node == ML_JSON_TEXT_NONE ||
		!MlJsonPointer(answer_json(answer), pointer, &v) || v.type != jbvNumeric)
		return false;
	text = MlJsonValueToText(&v);
	digits = text + (text[0] == '-');
	ok = digits[0] != '\0' && strspn(digits, "0123456789") == strlen(digits) &&
		MlParseInt(text, value);
	pfree(text);
	return ok;
}

/*
 * fast_node
 *		Fill the only OUTPUT column, a float vector, from the index's node
 *		when it is an array of numbers, straight from the text, as
 *		MlJsonToDatum would from the parsed value, or, with in_wrapper, from
 *		a one-element array holding that value (which a column declared with
 *		one array level reads by unwrapping).  False, filling nothing, when
 *		that cannot be done: the caller then reads the answer through jsonb.
 */
static bool
fast_node(MlAnswer *answer, int node, bool in_wrapper, Datum *values,
		  bool *nulls)
{
	MlColumn   *col;
	MlJsonTextNode *n;
	const void *converted;

	if (node < 0 || answer->target->noutputs != 1)
		return false;
	col = linitial(answer->target->model->output);
	n = &answer->text->nodes[node];
	if (n->kind != JT_NUMBERS || (in_wrapper && MlColumnDimensions(col) != 1))
		return false;
	/* the numbers converted by the scan, for this very column type */
	converted = (answer->text->value_type ==
				 (col->typid == FLOAT4ARRAYOID ? FLOAT4OID : FLOAT8OID)) ?
		MlJsonTextValues(answer->text, node) : NULL;
	if (converted != NULL ?
		!MlJsonFloatsToDatum(converted, n->count, col->typid,
							 MlColumnDimensions(col),
							 answer->target->display_name, &values[0]) :
		!MlJsonNumbersToDatum(answer->text->data + n->start, n->end - n->start,
							  n->count, col->typid, MlColumnDimensions(col),
							  answer->target->display_name, &values[0]))
		return false;
	nulls[0] = false;
	return true;
}

/*
 * MlAnswerFastOutput
 *		fast_node for the value at pointer.
 */
bool
MlAnswerFastOutput(MlAnswer *answer, const char *pointer, bool in_wrapper,
				   Datum *values, bool *nulls)
{
	return fast_node(answer, text_node(answer, pointer), in_wrapper,
					 values, nulls);
}

/*
 * MlAnswerFastColumns
 *		Fill the only OUTPUT column, a float vector, by the generic rule
 *		(MlDecodeOutputColumns) from the value at pointer, without jsonb
 *		when that value is an array of numbers, a one-element array holding
 *		one, or an object whose member named after the column is one (the
 *		rule takes an exact name first).  False, filling nothing, otherwise.
 */
bool
MlAnswerFastColumns(MlAnswer *answer, const char *pointer, Datum *values,
					bool *nulls)
{
	int			node = text_node(answer, pointer);
	MlJsonTextNode *n;
	MlColumn   *col;

	if (node < 0)
		return false;
	n = &answer->text->nodes[node];
	if (n->kind == JT_OBJECT)
	{
		col = linitial(answer->target->model->output);
		node = MlJsonTextMember(answer->text, node, col->name);
		return fast_node(answer, node, false, values, nulls);
	}
	if (n->kind == JT_ARRAY && n->count == 1)
		return fast_node(answer, MlJsonTextElement(answer->text, node, 0),
						 true, values, nulls);
	return fast_node(answer, node, false, values, nulls);
}

/*
 * MlAnswerVector
 *		The only OUTPUT column from the value at pointer (MlDecodeAtPointer;
 *		with null_is_error, MlDecodeVector), without jsonb when it can.
 */
void
MlAnswerVector(MlAnswer *answer, const char *pointer, bool null_is_error,
			   Datum *values, bool *nulls)
{
	Jsonb	   *response;

	if (MlAnswerFastOutput(answer, pointer, false, values, nulls))
		return;
	response = answer_json(answer);
	if (null_is_error)
		MlDecodeVector(answer->target, response, pointer, values, nulls);
	else
		MlDecodeAtPointer(answer->target, response, pointer, values, nulls);
}

/*
 * MlCheckBatchCount
 *		The answer to a request of nrows rows must have an array of nrows
 *		results at pointer.
 */
void
MlCheckBatchCount(MlAnswer *answer, const char *pointer, int nrows)
{
	MlTarget   *target = answer->target;
	int			len = MlAnswerLength(answer, pointer);
	JsonbValue	value;

	if (len == nrows)
		return;
	if (len == ML_ANSWER_MISSING)
	{
		/* raises the usual "no value at" error, showing the response */
		MlJsonRequire(target, answer_json(answer), pointer, &value);
	}
	if (len < 0)
	{
		(void) MlJsonPointer(answer_json(answer), pointer, &value);
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("response of model \"%s\" has a JSON %s at \"%s\" where a request of %d rows needs an array of results",
						target->display_name, MlJsonKindName(&value), pointer, nrows),
				 errdetail("Response: %s", MlResponseExcerpt(target, &value))));
	}
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg_plural("response of model \"%s\" has %d result at \"%s\" for a request of %d rows",
						   "response of model \"%s\" has %d results at \"%s\" for a request of %d rows",
						   len, target->display_name, len, pointer, nrows),
			 errdetail("A request of several rows needs one result per row, in the order sent.")));
}
