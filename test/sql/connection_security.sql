-- Connection security: who may create connections, option values that
-- would inject HTTP header lines, and credentials in endpoint query
-- strings.  Each case is an attack an outside audit made as an
-- unprivileged role; the output shows it refused (or masked).
CREATE EXTENSION IF NOT EXISTS mlpredict;
\set VERBOSITY default

CREATE FUNCTION pg_temp.try(sql text,
  OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sql;
  state := '00000';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

CREATE ROLE regress_cs_mallory;		-- any login role
CREATE ROLE regress_cs_dana;		-- granted the right to create connections
GRANT CREATE ON SCHEMA public TO regress_cs_mallory, regress_cs_dana;

------------------------------------------------------------------------
-- Creating connections is a privilege the DBA grants
------------------------------------------------------------------------
-- not granted to PUBLIC: neither form works for an ordinary role
SELECT has_function_privilege('regress_cs_mallory',
  'mlpredict.create_connection(text, jsonb, text)', 'EXECUTE') AS mallory_may_create;
SET ROLE regress_cs_mallory;
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('m-openai', '{"type": "openai", "endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "sk-mallory"}')$$);
SELECT * FROM pg_temp.try($$SELECT * FROM mlpredict.execute('CREATE CONNECTION m-openai WITH (''type'' = ''openai'', ''endpoint'' = ''https://api.openai.com/v1/chat/completions'', ''api-key'' = ''sk-mallory'')')$$);
-- a search_path of its own does not reach another create_connection
CREATE FUNCTION public.create_connection(text, jsonb, text) RETURNS void LANGUAGE sql AS 'SELECT';
SET search_path = public, mlpredict;
SELECT * FROM pg_temp.try($$SELECT * FROM mlpredict.execute('CREATE CONNECTION m-openai WITH (''type'' = ''openai'', ''endpoint'' = ''https://api.openai.com/v1/chat/completions'', ''api-key'' = ''sk-mallory'')')$$);
RESET search_path;
DROP FUNCTION public.create_connection(text, jsonb, text);
RESET ROLE;
SELECT count(*) AS mallory_connections FROM mlpredict.connections WHERE name = 'm-openai';

-- granted: both forms work
GRANT EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) TO regress_cs_dana;
SET ROLE regress_cs_dana;
SELECT mlpredict.create_connection('d-openai', '{"type": "openai", "endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "sk-dana-key-1"}');
SELECT * FROM mlpredict.execute($$CREATE CONNECTION d-sagemaker WITH ('type' = 'sagemaker', 'endpoint' = 'https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/e/invocations', 'aws-access-key' = 'AKIDEXAMPLE', 'aws-secret-key' = 'wJalrXUtnFEMI')$$);
RESET ROLE;
-- revoked: creating stops; owning and altering what exists does not
REVOKE EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM regress_cs_dana;
SET ROLE regress_cs_dana;
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('d-second', '{"type": "openai", "endpoint": "https://api.openai.com/v1/chat/completions", "api-key": "sk-dana-key-2"}')$$);
SELECT mlpredict.alter_connection('d-openai', '{"api-key": "sk-dana-key-3"}');
RESET ROLE;
GRANT EXECUTE ON FUNCTION mlpredict.create_connection(text, jsonb, text) TO regress_cs_dana;

------------------------------------------------------------------------
-- Values that would end an HTTP header line are refused when stored
------------------------------------------------------------------------
SET ROLE regress_cs_dana;
-- secrets (sent as headers)
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_connection('d-crlf', jsonb_build_object('type', 'openai', 'endpoint', 'https://api.openai.com/v1/chat/completions', 'api-key', E'sk-x\r\nX-Injected: 1'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('d-openai', jsonb_build_object('api-key', E'sk-x\nX-Injected: 1'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('d-sagemaker', jsonb_build_object('aws-secret-key', E'abc\r\n'))$$);
-- connection options and the endpoint, in any part of the URL
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('d-sagemaker', jsonb_build_object('aws-region', E'us-east-1\r\nHost: evil'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('d-openai', jsonb_build_object('endpoint', E'https://api.openai.com/v1/chat/completions#a\r\nX: 1'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('d-openai', jsonb_build_object('endpoint', E'https://api.openai.com/v1/chat/completions?x=\n1'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_connection('d-openai', jsonb_build_object('endpoint', E'https://api.openai.com/v1/chat\tcompletions'))$$);
-- the statement form points at the value
SELECT * FROM mlpredict.execute(E'ALTER CONNECTION d-sagemaker SET (''aws-region'' = ''us-east-1\r\nX: 1'')');
-- model options that become SageMaker and Azure ML headers
SELECT mlpredict.create_model('dana_sm', 'x DOUBLE', 'y DOUBLE',
  '{"provider": "sagemaker", "task": "regression", "sagemaker.connection": "d-sagemaker"}');
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_model('dana_sm', jsonb_build_object('sagemaker.custom_attributes', E'a=1\r\nX-Injected: 1'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.alter_model('dana_sm', jsonb_build_object('sagemaker.target_variant', E'v1\n'))$$);
SELECT * FROM pg_temp.try($$SELECT mlpredict.create_model('dana_sm2', 'x DOUBLE', 'y DOUBLE', jsonb_build_object('provider', 'sagemaker', 'task', 'regression', 'sagemaker.connection', 'd-sagemaker', 'sagemaker.inference_component_name', E'ic\r\nX: 1'))$$);
-- free text sent inside a JSON body may span lines
SELECT mlpredict.create_model('dana_chat', 'prompt STRING', 'answer STRING',
  jsonb_build_object('provider', 'openai', 'task', 'text_generation', 'openai.connection', 'd-openai',
                     'openai.system_prompt', E'Line one.\nLine two.', 'openai.params.stop', E'\n'));
SELECT options->>'openai.system_prompt' AS system_prompt FROM mlpredict.models WHERE name = 'dana_chat';
RESET ROLE;

------------------------------------------------------------------------
-- Credentials in endpoint query strings are masked, in any case
------------------------------------------------------------------------
SELECT mlpredict.create_connection('fn-azureml', '{"type": "azureml", "endpoint": "https://fn.azurewebsites.net/api/score?code=Zm9vYmFyLWZ1bmN0aW9uLWtleQ==&api-version=1", "api-key": "k-azureml-1"}');
SELECT mlpredict.create_connection('fn-upper', '{"type": "azureml", "endpoint": "https://fn.azurewebsites.net/api/score?KEY=UPPERCASEKEY123&Sig=SIGNATURE99", "api-key": "k-azureml-2"}');
SET ROLE regress_cs_mallory;
SELECT name, endpoint FROM mlpredict.connections WHERE name LIKE 'fn-%' ORDER BY name;
SELECT * FROM mlpredict.execute('DESCRIBE CONNECTION fn-azureml');
SELECT mlpredict.masked_endpoint('https://h.example/p?access_token=abc&alt=json&x-goog-api-key=k#f');
RESET ROLE;
-- nowhere in the views is the key text
SELECT count(*) AS views_showing_keys
FROM (SELECT c::text AS t FROM mlpredict.connections c) v
WHERE t LIKE '%Zm9vYmFy%' OR t LIKE '%UPPERCASEKEY%' OR t LIKE '%SIGNATURE99%';
-- nor in a request shown by debug_request, nor in an error about the endpoint
SELECT mlpredict.create_model('fn_model', 'x DOUBLE', 'y DOUBLE',
  '{"provider": "azureml", "task": "regression", "azureml.connection": "fn-azureml"}');
SELECT url FROM mlpredict.debug_request('fn_model', 1.5);
SELECT mlpredict.create_connection('bad-bedrock', '{"type": "bedrock", "endpoint": "https://bedrock-runtime.us-east-1.amazonaws.com/nothing?X-Amz-Security-Token=TOKENVALUE1", "aws-access-key": "AKIDEXAMPLE", "aws-secret-key": "wJalrXUtnFEMI"}');

-- clean up
SELECT mlpredict.drop_model('fn_model');
SELECT mlpredict.drop_model('dana_chat');
SELECT mlpredict.drop_model('dana_sm');
SELECT mlpredict.drop_connection(name, true) FROM mlpredict.connections
  WHERE name IN ('fn-azureml', 'fn-upper', 'd-openai', 'd-sagemaker');
REVOKE ALL ON SCHEMA public FROM regress_cs_mallory, regress_cs_dana;
REVOKE ALL ON FUNCTION mlpredict.create_connection(text, jsonb, text) FROM regress_cs_dana;
DROP ROLE regress_cs_mallory;
DROP ROLE regress_cs_dana;
DROP EXTENSION mlpredict CASCADE;
