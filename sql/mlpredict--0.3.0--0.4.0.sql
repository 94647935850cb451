/* mlpredict 0.3.0 -> 0.4.0 (ALTER EXTENSION mlpredict UPDATE) */

\echo Use "ALTER EXTENSION mlpredict UPDATE TO '0.4.0'" to load this file. \quit


/* ML_EVALUATE (issue 18, part "evaluate") */
CREATE FUNCTION mlpredict.ml_evaluate(model text, query text,
	config mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS TABLE (model text, version integer, metrics jsonb)
AS 'MODULE_PATHNAME', 'mlpredict_ml_evaluate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mlpredict.ml_evaluate(text, text, mlpredict.predict_options) IS
	'Scores a model (m, m$n, m$latest or m$all: one row per version) over a query whose first column is the label and the rest the model''s inputs; metrics keyed as Confluent''s ML_EVALUATE';

/*
 * Issue 18, part aifn: Confluent's AI_COMPLETE and AI_EMBEDDING
 * (src/exec/ai_functions.c).  Scalar calls of a model with one string
 * INPUT and one string (ai_complete) or ARRAY<FLOAT|DOUBLE>
 * (ai_embedding) OUTPUT; EXECUTE on the model's typed function is
 * needed, as for ml_predict.  In FROM (LATERAL) and in select lists they
 * are pipelined.
 */
CREATE FUNCTION mlpredict.ai_complete(model text, prompt text,
	config mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_ai_complete'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SUPPORT mlpredict.ml_predict_support;
COMMENT ON FUNCTION mlpredict.ai_complete(text, text, mlpredict.predict_options) IS
	'AI_COMPLETE: the text a model with one STRING INPUT and one STRING OUTPUT answers to a prompt; NULL for a NULL prompt';

CREATE FUNCTION mlpredict.ai_embedding(model text, input text,
	config mlpredict.predict_options DEFAULT mlpredict.options())
RETURNS real[]
AS 'MODULE_PATHNAME', 'mlpredict_ai_embedding'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SUPPORT mlpredict.ml_predict_support;
COMMENT ON FUNCTION mlpredict.ai_embedding(text, text, mlpredict.predict_options) IS
	'AI_EMBEDDING: the embedding a model with one STRING INPUT and one ARRAY<FLOAT> or ARRAY<DOUBLE> OUTPUT returns for a text; NULL for a NULL input';
