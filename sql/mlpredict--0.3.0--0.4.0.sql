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

/*
 * Duplicate inputs and the response cache (issue 18, part "cache";
 * src/cache/).  Answers of model versions that opt in with the model
 * option 'mlpredict.cache_ttl', keyed by the SHA-256 of the model
 * version's identity and the inputs.  Only the extension owner may read
 * the table (the code reads it as the owner, after checking the caller's
 * EXECUTE on the model); DROP MODEL removes a version's entries through
 * the foreign key.  Not marked with pg_extension_config_dump: answers are
 * recomputable and may be another role's, so pg_dump leaves them out.
 */
CREATE TABLE mlpredict.response_cache (
	key			bytea PRIMARY KEY,
	schema_name	name NOT NULL,
	name		text NOT NULL,
	version		integer NOT NULL,
	outputs		text[] NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at	timestamptz NOT NULL,
	FOREIGN KEY (schema_name, name, version)
		REFERENCES mlpredict.model_version (schema_name, name, version)
		ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX response_cache_version ON mlpredict.response_cache (schema_name, name, version);
COMMENT ON TABLE mlpredict.response_cache IS
	'Response cache: stored model outputs by call key, for model versions with mlpredict.cache_ttl; readable only by the extension owner, never dumped';
REVOKE ALL ON mlpredict.response_cache FROM PUBLIC;

CREATE FUNCTION mlpredict.cache_clear(model text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'mlpredict_cache_clear'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION mlpredict.cache_clear(text) IS
	'Deletes the response cache''s entries of a model (every version, or the one named as m$n) for its owner, or of every model (NULL) for a superuser; returns the entries deleted';

-- stat_models and its function gain cache_hits and cache_misses at the
-- end: the new function replaces the old one under the view (CREATE OR
-- REPLACE VIEW may add columns at the end), so views over stat_models
-- and its grants survive the update.
ALTER FUNCTION mlpredict.stat_models_raw() RENAME TO stat_models_raw_030;
CREATE FUNCTION mlpredict.stat_models_raw(
	OUT model text, OUT connection text, OUT calls bigint, OUT rows bigint, OUT errors bigint,
	OUT errors_client bigint, OUT errors_throttled bigint, OUT errors_server bigint,
	OUT errors_timeout bigint, OUT errors_connection bigint, OUT errors_response bigint,
	OUT errors_canceled bigint, OUT retries bigint, OUT throttled bigint,
	OUT throttled_ms double precision, OUT in_flight integer, OUT bytes_sent bigint,
	OUT bytes_received bigint, OUT prompt_tokens bigint, OUT completion_tokens bigint,
	OUT latency_p50_ms double precision, OUT latency_p95_ms double precision,
	OUT latency_p99_ms double precision, OUT stats_reset timestamptz,
	OUT cache_hits bigint, OUT cache_misses bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mlpredict_stat_models_raw'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION mlpredict.stat_models_raw() IS
	'Usage statistics per model and connection of the current database; read them through mlpredict.stat_models';
CREATE OR REPLACE VIEW mlpredict.stat_models AS
SELECT * FROM mlpredict.stat_models_raw();
COMMENT ON VIEW mlpredict.stat_models IS
	'Per model (schema.name) and connection of the current database: the columns of mlpredict.stat_connections, then the response cache''s hits and misses; readable by everyone (counts and names only)';
DROP FUNCTION mlpredict.stat_models_raw_030();

/* Issue 18 (xlate): Flink queries in execute(), and their translation */
CREATE FUNCTION mlpredict.translate(statement text)
RETURNS text
AS 'MODULE_PATHNAME', 'mlpredict_translate'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION mlpredict.translate(text) IS
	'The PostgreSQL text mlpredict.execute() runs for Confluent/Flink statements: Flink queries translated, other statements as execute() calls';
COMMENT ON FUNCTION mlpredict.execute(text) IS
	'Runs Confluent statements verbatim, several separated by semicolons in order: CREATE/ALTER/DROP/DESCRIBE/SHOW for connections and models, GRANT/REVOKE, continuous queries, and Flink queries (SELECT, INSERT, CREATE TABLE) translated to PostgreSQL';
