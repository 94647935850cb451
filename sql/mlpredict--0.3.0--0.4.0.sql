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
