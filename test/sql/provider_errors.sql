-- What users see when the provider or the network misbehaves: HTTP errors,
-- throttling, broken or oversized responses, unreachable endpoints.  Secrets
-- never appear.
CREATE EXTENSION IF NOT EXISTS mlpredict;
\i test/helpers/standin.sql

SELECT mlpredict.create_connection('good', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('wrong-key', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v1/chat/completions", "api-key": "sk-wrong-secret-value"}');
SELECT mlpredict.create_connection('wrong-path', '{"type": "openai", "endpoint": "http://127.0.0.1:18787/v2/nothing/here", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_connection('closed-port', '{"type": "openai", "endpoint": "http://127.0.0.1:1/v1/chat/completions", "api-key": "sk-test-openai-key"}');
SELECT mlpredict.create_model('chat', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "good"}');
SELECT mlpredict.create_model('chat_wrong_key', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "wrong-key"}');
SELECT mlpredict.create_model('chat_wrong_path', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "wrong-path"}');
SELECT mlpredict.create_model('chat_closed', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "closed-port"}');
SELECT mlpredict.create_model('chat_bad_param', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "good", "openai.params.temperature.string": "hot"}');
SELECT mlpredict.create_model('chat_as_int', 'q STRING', 'a STRING', '{"provider": "openai", "task": "text_generation", "openai.connection": "good", "openai.output_format": "OPENAI-CHAT:/usage/total_tokens"}');

-- authentication, routing and request errors are not retried
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT * FROM chat_wrong_key('hello');
SELECT * FROM chat_wrong_path('hello');
SELECT * FROM chat_bad_param('hello');
SELECT pg_temp.standin('/_control/stats')->'by_status' AS by_status;

-- a provider that quotes the credential back: masked
SELECT * FROM chat('hello [[echo-auth]]');
-- a provider that quotes the input back: the row's text is masked too
SELECT * FROM chat('private patient note [[echo-input]]');

-- throttling: retried with Retry-After; a quota error is not
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT * FROM chat('busy [[status:429]]', mlpredict.options(retry_count => 1));
SELECT * FROM chat('broke [[quota]]');
SELECT pg_temp.standin('/_control/stats')->'by_status' AS by_status;
SELECT * FROM chat('down [[status:500]]', mlpredict.options(retry_count => 2));
SELECT * FROM chat('teapot [[status:418]]');

-- broken responses
SELECT * FROM chat('garbled [[bad-json]]');
SELECT * FROM chat('nothing [[empty]]');
SELECT * FROM chat('refused [[null-content]]');
SELECT * FROM chat_as_int('a number where text was declared');
SET mlpredict.max_response_size = 64;
SELECT * FROM chat('huge [[big:200000]]');
RESET mlpredict.max_response_size;
-- big answers (beyond 64 kB, they cross the pool's queue in pieces after
-- their head): a query that stops reading while some still arrive leaves
-- the next answers whole, each the one asked for
SELECT length(c.a) > 150000 AS long FROM generate_series(1, 6) g,
  LATERAL chat('big ' || g || ' [[big:200000]]', mlpredict.options(max_parallelism => 6)) c LIMIT 1;
SELECT g, left(c.a, 11) AS head, length(c.a) BETWEEN 199000 AND 200000 AS long
FROM generate_series(1, 3) g, LATERAL chat('next ' || g || ' [[big:200000]]') c ORDER BY g;

-- the network (libcurl words the detail differently from version to
-- version: "127.0.0.1 port 1: Couldn't connect to server" in Debian 12,
-- "127.0.0.1:1: Could not connect to server" in sid)
DO $$
DECLARE
  state text; msg text; detail text; hint text;
BEGIN
  PERFORM * FROM chat_closed('hello', mlpredict.options(retry_count => 0));
EXCEPTION WHEN others THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
  RAISE NOTICE '%: %', state, msg;
  RAISE NOTICE 'detail names the address: %', detail ~ '^Failed to connect to 127\.0\.0\.1( port |:)1: ';
  RAISE NOTICE 'hint: %', hint;
END $$;
-- (libcurl's detail depends on whether the connection was a kept-alive
-- one, which it retries on a new connection: "Empty reply from server" or
-- "Connection died, tried 5 times before giving up")
\set VERBOSITY terse
SELECT * FROM chat('hang up [[drop]]', mlpredict.options(retry_count => 0));
\set VERBOSITY default
SELECT pg_temp.standin('/_control/reset', 'POST') IS NOT NULL AS reset;
SELECT * FROM chat('hang up once [[fail-times:1:drop]]');
SELECT pg_temp.standin('/_control/stats')->'requests' AS requests;

-- plain http stops working when the setting is turned off
SET mlpredict.allow_insecure_http = off;
SELECT * FROM chat('hello');
RESET mlpredict.allow_insecure_http;

-- no secret in the server log either (the log of pg_regress's temporary
-- instance; errors above were logged with their details)
SELECT pg_read_file(current_setting('data_directory') || '/../../log/postmaster.log') AS log \gset
SELECT length(:'log') > 0 AS log_read,
       position('request rejected for credential' IN :'log') > 0 AS error_logged,
       :'log' ~ '(sk-test-openai-key|sk-wrong-secret-value)' AS secret_in_log;

DROP EXTENSION mlpredict CASCADE;
