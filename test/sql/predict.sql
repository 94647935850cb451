-- ml_predict and the typed functions: both query forms, versions, NULLs,
-- argument and column checks, runtime options, debug_request.
CREATE EXTENSION IF NOT EXISTS mlpredict;

\i test/helpers/standin.sql
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;

SELECT * FROM mlpredict.execute($$CREATE CONNECTION openai-connection WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:18787/v1/chat/completions', 'api-key' = 'sk-test-openai-key')$$);
SELECT * FROM mlpredict.execute($$CREATE CONNECTION azureopenai-cli-connection WITH ('type' = 'azureopenai', 'endpoint' = 'http://127.0.0.1:18787/openai/deployments/embed/embeddings?api-version=2024-06-01', 'api-key' = 'azure-test-key')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-3.5-turbo', 'openai.system_prompt' = 'Analyze the sentiment of the text and return only POSITIVE, NEGATIVE, or NEUTRAL.' );$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL sentimentmodel INPUT(text STRING) OUTPUT(sentiment STRING) COMMENT 'sentiment analysis model' WITH ( 'provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'openai-connection', 'openai.model_version' = 'gpt-4o-mini', 'openai.params.temperature' = '0', 'openai.params.max_tokens' = '3', 'openai.params.stop' = 'END,STOP')$$);
SELECT * FROM mlpredict.execute($$CREATE MODEL azure_embed INPUT (text STRING) OUTPUT (response ARRAY<FLOAT>) WITH ( 'azureopenai.connection'='azureopenai-cli-connection', 'provider'='azureopenai', 'task'='embedding' );$$);

CREATE TABLE text_stream (id BIGINT, text TEXT);
INSERT INTO text_stream VALUES
  (1, 'The mitochondria are the powerhouse of the cell'),
  (2, 'Happy Birthday! You are great!'),
  (3, 'Today was bad day in the stock market.');

-- typed form: no column list
SELECT id, text, sentiment FROM text_stream, LATERAL sentimentmodel(text) ORDER BY id;
-- generic form with a column definition list (renaming is allowed)
SELECT id, p.label FROM text_stream, LATERAL mlpredict.ml_predict('sentimentmodel', text) AS p(label text) ORDER BY id;
SELECT id, p.* FROM text_stream CROSS JOIN LATERAL mlpredict.ml_predict('public.sentimentmodel$1', text) AS p(sentiment text) ORDER BY id;
SELECT id, s.* FROM text_stream LEFT JOIN LATERAL sentimentmodel(text) s ON true ORDER BY id;
-- the typed function in the select list
SELECT id, sentimentmodel(text) FROM text_stream ORDER BY id;

-- what went over the wire: the chat request of version 1, with the system prompt
-- (the last row's: the select list above is pipelined, so the three requests
-- of its rows may arrive in any order)
SELECT r->>'path' AS path, r->'headers'->>'authorization' AS auth, r->'body' AS body
FROM jsonb_array_elements(pg_temp.standin('/_control/requests?n=3')) r
WHERE r->'body'->'messages'->1->>'content' LIKE 'Today%';

-- versions: $2 sends its own model_version and params (stop as a list)
SELECT * FROM mlpredict.ml_predict('sentimentmodel$2', 'great day') AS p(s text);
SELECT r->'body' AS body FROM jsonb_array_elements(pg_temp.standin('/_control/requests?n=1')) r;
SELECT * FROM mlpredict.ml_predict('sentimentmodel$latest', 'great day') AS p(s text);
SELECT body FROM mlpredict.debug_request('sentimentmodel', 'great day');
SELECT method, url, headers, body FROM mlpredict.debug_request('sentimentmodel$2', 'great day');
-- params: types inferred or forced by a suffix, dots nest objects, ".." is a literal dot
SELECT mlpredict.create_model('params_demo', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation",
  "openai.connection": "openai-connection", "openai.params.response_format.type": "json_object",
  "openai.params.seed.int": "7", "openai.params.user.string": "42", "openai.params.logprobs": "true",
  "openai.params.TopP": "0.5", "openai.params.metadata.app..name": "demo", "openai.params.metadata.tier": "gold"}');
SELECT body::jsonb FROM mlpredict.debug_request('params_demo', 'hi');
-- (JSON mode: OpenAI wants the word JSON in the messages)
SELECT * FROM params_demo('hi, answer in json [[sleep:1]]');

-- embeddings through Azure OpenAI: 1536 deterministic floats, no "model" field
SELECT id, array_length(response, 1) AS dims, response[1:3] AS head
FROM text_stream, LATERAL azure_embed(text) ORDER BY id;
SELECT (SELECT response FROM azure_embed('alien')) = (SELECT response FROM azure_embed('alien')) AS deterministic;
SELECT r->>'path' AS path, r->'headers'->>'api-key' AS key, r->'body' AS body
FROM jsonb_array_elements(pg_temp.standin('/_control/requests?n=1')) r;

-- any PostgreSQL type with a text input can be an OUTPUT, domains included
CREATE DOMAIN embedding_1536 AS real[] CHECK (array_length(VALUE, 1) = 1536);
CREATE DOMAIN embedding_3 AS real[] CHECK (array_length(VALUE, 1) = 3);
SELECT mlpredict.create_model('embed_domain', 'text STRING', 'e embedding_1536',
  '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "azureopenai-cli-connection"}');
SELECT mlpredict.create_model('embed_small', 'text STRING', 'e embedding_3',
  '{"provider": "azureopenai", "task": "embedding", "azureopenai.connection": "azureopenai-cli-connection"}');
SELECT pg_typeof(e), array_length(e, 1) FROM embed_domain('alien');
SELECT * FROM embed_small('alien');

-- NULL input: a row of NULLs and no request
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT * FROM sentimentmodel(NULL);
SELECT * FROM mlpredict.ml_predict('azure_embed', NULL::text) AS p(response real[]);
SELECT pg_temp.standin('/_control/stats')->'requests' AS requests;

-- argument checks
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'a', 'b') AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel') AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 42) AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'ok'::varchar(10)) AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel', VARIADIC ARRAY['a']) AS p(s text);
SELECT * FROM mlpredict.ml_predict(NULL, 'a') AS p(s text);
SELECT * FROM mlpredict.ml_predict('nosuch', 'a') AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel$all', 'a') AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel$5', 'a') AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentiment model', 'a') AS p(s text);
-- the column definition list must match OUTPUT
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'a') AS p(s integer);
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'a') AS p(s text, t text);
SELECT * FROM mlpredict.ml_predict('azure_embed', 'a') AS p(v double precision[]);
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'a');

-- runtime options: options() and Confluent's MAP style
SELECT mlpredict.options(client_timeout => 60, retry_count => 5);
SELECT mlpredict.map('async_enabled', true, 'client_timeout', 60, 'max_parallelism', 20, 'retry_count', 5, 'debug', 'false');
SELECT mlpredict.map('CLIENT_TIMEOUT', '30');
SELECT mlpredict.map('client_timeout');
SELECT mlpredict.map('timeout', 30);
SELECT mlpredict.map('client_timeout', 'soon');
SELECT mlpredict.map('debug', 'maybe');
SELECT mlpredict.map('retry_count', 1, 'retry_count', 2);
SELECT mlpredict.options(client_timeout => 0);
-- connect_timeout is in milliseconds, 100 to 600000
SELECT (mlpredict.options(connect_timeout => 250)).connect_timeout;
SELECT mlpredict.map('connect_timeout', 50);
SELECT mlpredict.options(max_parallelism => 5000);
SELECT * FROM sentimentmodel('so happy', mlpredict.options(retry_count => 0));
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'so happy', mlpredict.map('client_timeout', 5)) AS p(s text);
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'so happy', ROW(0, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::mlpredict.predict_options) AS p(s text);
-- client_timeout bounds one request
SELECT * FROM sentimentmodel('slow [[sleep:3000]]', mlpredict.options(client_timeout => 1, retry_count => 0));
-- statement_timeout cancels a request in flight
SET statement_timeout = '300ms';
SELECT * FROM sentimentmodel('slower [[sleep:5000]]');
RESET statement_timeout;
-- retries: two 503s then an answer, within retry_count
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT * FROM sentimentmodel('flaky but great [[fail-times:2:503]] [[retry-after:0]]');
SELECT pg_temp.standin('/_control/stats')->'by_status' AS by_status;
SELECT * FROM sentimentmodel('flakier [[fail-times:3:503]] [[retry-after:0]]', mlpredict.options(retry_count => 1));
-- debug prints one notice per attempt (terse: timing is in the detail)
\set VERBOSITY terse
SELECT * FROM sentimentmodel('great [[fail-times:1:429]] [[retry-after:0]]', mlpredict.map('debug', true));
\set VERBOSITY default

-- permission: EXECUTE on the typed function is needed, for both forms
CREATE ROLE mlp_user;
GRANT SELECT ON text_stream TO mlp_user;
SET ROLE mlp_user;
SELECT * FROM sentimentmodel('x');
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'x') AS p(s text);
SELECT * FROM mlpredict.debug_request('sentimentmodel', 'x');
RESET ROLE;
GRANT EXECUTE ON FUNCTION sentimentmodel(text, mlpredict.predict_options) TO mlp_user;
SET ROLE mlp_user;
SELECT id, sentiment FROM text_stream, LATERAL sentimentmodel(text) ORDER BY id;
SELECT * FROM mlpredict.ml_predict('sentimentmodel', 'so happy') AS p(s text);
SELECT * FROM azure_embed('x');
RESET ROLE;
REVOKE ALL ON text_stream FROM mlp_user;
DROP OWNED BY mlp_user;
DROP ROLE mlp_user;

-- clean up
DROP TABLE text_stream;
DROP EXTENSION mlpredict CASCADE;
DROP DOMAIN embedding_1536, embedding_3;
