-- Usage statistics: mlpredict.stat_connections, mlpredict.stat_models,
-- stat_reset and stat_info.  Calls, rows, errors by class, retries, bytes,
-- the tokens each provider's answer reports, latency percentiles; reset;
-- who may reset.  Only values that do not depend on timing are shown.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

-- the views' columns
SELECT attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute WHERE attrelid = 'mlpredict.stat_models'::regclass AND attnum > 0
ORDER BY attnum;
SELECT array_agg(attname ORDER BY attnum) AS stat_connections
FROM pg_attribute WHERE attrelid = 'mlpredict.stat_connections'::regclass AND attnum > 0;

SELECT mlpredict.create_connection('stats-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('stats-azure', '{"type": "azureopenai", "endpoint": "http://127.0.0.1:18787/openai/deployments/embed/embeddings?api-version=2024-06-01", "api-key": "azure-test-key"}');
SELECT mlpredict.create_connection('stats-anthropic', '{"type": "anthropic", "endpoint": "http://127.0.0.1:18787/v1/messages", "api-key": "sk-ant-api03-mlpredict-test-key"}');
SELECT mlpredict.create_connection('stats-gemini', '{"type": "googleai", "endpoint": "http://127.0.0.1:18787/v1beta/models/gemini-2.0-flash:generateContent", "api-key": "AIzaSyMLPREDICT-test-key-0123456789"}');
SELECT mlpredict.create_connection('stats-titan', '{"type": "bedrock", "endpoint": "http://127.0.0.1:18787/model/amazon.titan-text-express-v1/invoke", "aws-region": "us-east-1", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');
SELECT mlpredict.create_connection('stats-llama', '{"type": "bedrock", "endpoint": "http://127.0.0.1:18787/model/meta.llama3-8b-instruct-v1:0/invoke", "aws-region": "us-east-1", "aws-access-key": "AKIAMLPREDICTTEST01", "aws-secret-key": "mlpredict+test/Secret/Key0123456789abcdefGH"}');

SELECT mlpredict.create_model('stats_chat', 'text STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "stats-openai", "openai.model_version": "gpt-4o-mini"}');
-- a second model on the same connection
SELECT mlpredict.create_model('stats_chat2', 'text STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "stats-openai", "openai.model_version": "gpt-4o-mini"}');
SELECT mlpredict.create_model('stats_embed', 'text STRING', 'v ARRAY<FLOAT>', '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "stats-azure"}');
SELECT mlpredict.create_model('stats_claude', 'text STRING', 'answer STRING', '{"provider": "anthropic", "task": "text_generation", "anthropic.connection": "stats-anthropic", "anthropic.model_version": "claude-sonnet-4-20250514", "anthropic.params.max_tokens": "20"}');
SELECT mlpredict.create_model('stats_gemini', 'text STRING', 'answer STRING', '{"provider": "googleai", "task": "text_generation", "googleai.connection": "stats-gemini"}');
SELECT mlpredict.create_model('stats_titan', 'text STRING', 'answer STRING', '{"provider": "bedrock", "task": "text_generation", "bedrock.connection": "stats-titan"}');
SELECT mlpredict.create_model('stats_llama', 'text STRING', 'answer STRING', '{"provider": "bedrock", "task": "text_generation", "bedrock.connection": "stats-llama"}');

-- a clean slate
SELECT mlpredict.stat_reset();
SELECT count(*) AS models FROM mlpredict.stat_models;
SELECT count(*) AS connections FROM mlpredict.stat_connections;
SELECT dropped FROM mlpredict.stat_info();

-- two rows, a client error (not retried), a retried 503 and an answer
-- that is not JSON; the errors are caught so that only their SQLSTATE shows
CREATE TABLE stats_input (id int, text text);
INSERT INTO stats_input VALUES (1, 'one two three'), (2, 'four five');
SELECT id, answer IS NOT NULL AS answered FROM stats_input, LATERAL stats_chat(text) ORDER BY id;
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN 'failed: ' || SQLSTATE;
END $$;
SELECT pg_temp.try($$SELECT * FROM stats_chat('refused [[status:400]]')$$);
SELECT pg_temp.try($$SELECT * FROM stats_chat('flaky once [[fail-times:1:503]]')$$);
SELECT pg_temp.try($$SELECT * FROM stats_chat('garbled [[bad-json]]')$$);
SELECT answer IS NOT NULL AS answered FROM stats_chat2('hello [[sleep:200]]');
SELECT array_length(v, 1) AS dims FROM stats_embed('embed these four words');
-- a NULL input sends nothing and counts nothing
SELECT * FROM stats_chat(NULL);

-- per model: the failed calls count as calls with an error of their
-- class, the retried one as a call with one retry; rows are answers
-- decoded; tokens are what the answers report (embeddings: prompt only)
SELECT model, connection, calls, rows, errors, errors_client, errors_server,
	   errors_response, errors_timeout + errors_connection + errors_throttled + errors_canceled AS other_errors,
	   retries, prompt_tokens, completion_tokens, in_flight
FROM mlpredict.stat_models WHERE model LIKE 'public.stats_chat%' OR model = 'public.stats_embed'
ORDER BY model;
SELECT model, bytes_sent > 0 AS sent, bytes_received > 0 AS received,
	   latency_p50_ms > 0 AS p50, latency_p50_ms <= latency_p95_ms AND latency_p95_ms <= latency_p99_ms AS ordered,
	   throttled_ms >= 0 AS throttled_ms, stats_reset IS NOT NULL AS since
FROM mlpredict.stat_models ORDER BY model;

-- the one answer of stats_chat2 took 200 ms or a little more
SELECT latency_p50_ms BETWEEN 180 AND 2000 AS p50, latency_p99_ms BETWEEN 180 AND 2000 AS p99
FROM mlpredict.stat_models WHERE model = 'public.stats_chat2';

-- per connection: the sum of its models
SELECT connection, calls, rows, errors, errors_client, retries, prompt_tokens, completion_tokens,
	   latency_p99_ms IS NOT NULL AS timed
FROM mlpredict.stat_connections WHERE connection IN ('stats-openai', 'stats-azure') ORDER BY connection;
SELECT c.connection, c.calls = sum(m.calls) AS calls, c.rows = sum(m.rows) AS rows,
	   c.bytes_sent = sum(m.bytes_sent) AS bytes_sent, c.prompt_tokens = sum(m.prompt_tokens) AS prompt_tokens
FROM mlpredict.stat_connections c JOIN mlpredict.stat_models m USING (connection)
GROUP BY c.connection, c.calls, c.rows, c.bytes_sent, c.prompt_tokens ORDER BY 1;

-- token usage in each provider's own fields: Anthropic usage.input_tokens,
-- Gemini usageMetadata, Bedrock's x-amzn-bedrock-*-token-count headers
SELECT answer IS NOT NULL AS answered FROM stats_claude('Hello Claude, how are you');
SELECT answer IS NOT NULL AS answered FROM stats_gemini('Hello Gemini');
SELECT answer IS NOT NULL AS answered FROM stats_titan('Hello Titan');
SELECT answer IS NOT NULL AS answered FROM stats_llama('Hello Llama');
SELECT model, calls, rows, prompt_tokens, completion_tokens
FROM mlpredict.stat_models WHERE model IN ('public.stats_claude', 'public.stats_gemini', 'public.stats_titan', 'public.stats_llama')
ORDER BY model;

-- everyone may read the statistics; only superusers and the extension
-- owner may reset them
CREATE ROLE regress_stats_reader;
SET ROLE regress_stats_reader;
SELECT count(*) > 0 AS visible FROM mlpredict.stat_models;
SELECT mlpredict.stat_reset();
RESET ROLE;
DROP ROLE regress_stats_reader;

-- a reset clears the database's rows
SELECT mlpredict.stat_reset();
SELECT count(*) AS models FROM mlpredict.stat_models;
SELECT count(*) AS connections FROM mlpredict.stat_connections;
-- and counting starts again
SELECT answer IS NOT NULL AS answered FROM stats_chat('again');
SELECT model, calls, rows, errors, retries FROM mlpredict.stat_models;
SELECT connection, calls, rows FROM mlpredict.stat_connections;

-- the statistics are not transactional
BEGIN;
SELECT answer IS NOT NULL AS answered FROM stats_chat('rolled back');
ROLLBACK;
SELECT calls FROM mlpredict.stat_models;

-- whether they are cluster-wide follows shared_preload_libraries
SELECT shared = (current_setting('shared_preload_libraries') LIKE '%mlpredict%') AS consistent,
	   dropped FROM mlpredict.stat_info();

DROP TABLE stats_input;

-- another database sees only its own rows, even for the same connection
-- and model names (last: in a session without preloading, leaving this
-- database ends its statistics)
\set origdb :DBNAME
CREATE DATABASE regress_pool_stats_other;
\c regress_pool_stats_other
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('stats-openai', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('stats_chat', 'text STRING', 'answer STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "stats-openai", "openai.model_version": "gpt-4o-mini"}');
SELECT answer IS NOT NULL AS answered FROM stats_chat('elsewhere');
SELECT model, connection, calls, rows FROM mlpredict.stat_models;
SELECT connection, calls, rows FROM mlpredict.stat_connections;
\c :origdb
DROP DATABASE regress_pool_stats_other WITH (FORCE);

-- clean up
DROP EXTENSION mlpredict CASCADE;
