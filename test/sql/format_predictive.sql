-- Predictive formats (JSON, JSON-ARRAY, CSV, TEXT, BINARY, PANDAS-DATAFRAME,
-- TF-SERVING, TRITON and their variants): for every format the exact request
-- body for typed inputs, the typed row decoded from representative answers,
-- odd ones and errors included, and the CREATE MODEL schema checks.  The
-- models use an openai connection: providers and formats combine freely.
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('c', '{"type": "openai", "endpoint": "https://api.example.com/score", "api-key": "sk-x"}');
CREATE TYPE pt AS (x int, tag text);
-- model(name, input, output, input_format [, more options]): a model on c
CREATE FUNCTION pg_temp.model(name text, input text, output text, fmt text, more jsonb DEFAULT '{}')
RETURNS integer LANGUAGE sql AS $$
  SELECT mlpredict.create_model(name, input, output,
    jsonb_build_object('provider', 'openai', 'task', 'classification',
                       'openai.connection', 'c', 'openai.input_format', fmt) || more);
$$;
-- j(text): a response body given as text
CREATE FUNCTION pg_temp.j(body text) RETURNS bytea LANGUAGE sql AS $$ SELECT convert_to(body, 'UTF8') $$;

-- ===================================================================
-- JSON (alias JSON-OBJECT): {"<col>": v, ..., <params>}
-- ===================================================================
-- every kind of value; parameters at top level under their own names
SELECT pg_temp.model('wide', 'n INT, big BIGINT, f FLOAT, d DOUBLE, amount DECIMAL(10, 2), ok BOOLEAN, note STRING, raw BYTES, v ARRAY<DOUBLE>, r ROW<x INT, tag STRING>, q pt, day DATE, tm time',
  'label STRING, score DOUBLE, cluster INT', 'JSON',
  '{"openai.params.temperature": "0.5", "openai.params.options.top.int": "3"}');
SELECT headers->>'Content-Type' AS content_type, headers->>'Accept' AS accept, body
FROM mlpredict.debug_request('wide', 7, 9000000000, 1.5::real, 0.1::float8, 12.30, true,
  E'a,b "q"\nü', '\x00ff10'::bytea, ARRAY[1.5, NULL, -3e-7]::float8[], '{"x": 1, "tag": null}',
  ROW(2, NULL)::pt, '2024-02-29'::date, '12:30:05'::time);
-- JSON:w wraps the columns; parameters stay at top level
SELECT pg_temp.model('wrapped', 'credit_limit INT, age INT', 'predicted_default INT', 'JSON-OBJECT:features',
  '{"openai.params.threshold": "0.7"}');
SELECT body FROM mlpredict.debug_request('wrapped', 5000, 35);

-- answers: the generic rule; an object maps columns by name (exact, then
-- case-insensitive, then nested), one-element arrays unwrap for scalars
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('{"label": "yes", "score": 0.93, "cluster": 3}'))
  AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('{"result": {"LABEL": "no", "details": {"score": 1e-3}}, "cluster": [4]}'))
  AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('{"label": null, "score": null, "cluster": null}'))
  AS t(label text, score float8, cluster int);
-- an array maps positionally; [[...]] around the answer unwraps
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('["yes", 0.5, 2]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('[["yes", 0.5, [2]]]')) AS t(label text, score float8, cluster int);
-- JSON:w as the input format reads the answer at /w as well
SELECT * FROM mlpredict.decode_response('wrapped', pg_temp.j('{"features": {"predicted_default": 1}}')) AS t(predicted_default int);
-- errors: a missing field (secrets masked), a wrong count, a lone scalar,
-- a missing pointer, a value of the wrong type, a body that is not JSON
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('{"label": "key sk-x leaked", "cluster": 1}'))
  AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('["yes", 0.5]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('0.5')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wrapped', pg_temp.j('{"predicted_default": 1}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('{"label": 1, "score": 0.5, "cluster": 1}'))
  AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('wide', pg_temp.j('label=yes')) AS t(label text, score float8, cluster int);

-- one output: a scalar, a one-element array, or a named field; an explicit
-- output_format JSON:/pointer
SELECT pg_temp.model('regress', 'x DOUBLE, y DOUBLE', 'price DOUBLE', 'JSON', '{"openai.output_format": "JSON:/result/0"}');
SELECT pg_temp.model('regress2', 'x DOUBLE, y DOUBLE', 'price DOUBLE', 'JSON');
SELECT * FROM mlpredict.decode_response('regress', pg_temp.j('{"result": [[1234.5]]}')) AS t(price float8);
SELECT * FROM mlpredict.decode_response('regress2', pg_temp.j('1234.5')) AS t(price float8);
SELECT * FROM mlpredict.decode_response('regress2', pg_temp.j('[1234.5]')) AS t(price float8);
SELECT * FROM mlpredict.decode_response('regress2', pg_temp.j('{"Price": "1234.5"}')) AS t(price float8);
SELECT * FROM mlpredict.decode_response('regress2', pg_temp.j('{"prediction": 1234.5}')) AS t(price float8);
SELECT * FROM mlpredict.decode_response('regress', pg_temp.j('{"result": []}')) AS t(price float8);

-- ROW outputs: a ROW<...> (jsonb) or composite column takes its field or,
-- when alone and absent, the whole object; composites map fields by name
SELECT pg_temp.model('rowout', 'x INT', 'r ROW<label STRING, score DOUBLE>', 'JSON');
SELECT * FROM mlpredict.decode_response('rowout', pg_temp.j('{"label": "a", "score": 0.5}')) AS t(r jsonb);
SELECT * FROM mlpredict.decode_response('rowout', pg_temp.j('{"r": {"label": "b", "score": 0.25}, "other": 1}')) AS t(r jsonb);
SELECT pg_temp.model('compout', 'x INT', 'label STRING, p pt', 'JSON');
SELECT * FROM mlpredict.decode_response('compout', pg_temp.j('{"label": "a", "p": {"X": 1, "tag": "t", "extra": true}}')) AS t(label text, p pt);
SELECT * FROM mlpredict.decode_response('compout', pg_temp.j('["a", {"x": 2}]')) AS t(label text, p pt);
SELECT pg_temp.model('compout1', 'x INT', 'p pt', 'JSON');
SELECT * FROM mlpredict.decode_response('compout1', pg_temp.j('{"x": 3, "tag": "whole"}')) AS t(p pt);
-- a sole ARRAY output takes the whole array, [[...]] unwrapped
SELECT pg_temp.model('probs', 'x INT', 'probabilities ARRAY<DOUBLE>', 'JSON');
SELECT * FROM mlpredict.decode_response('probs', pg_temp.j('[0.1, 0.9]')) AS t(p float8[]);
SELECT * FROM mlpredict.decode_response('probs', pg_temp.j('[[0.1, 0.9]]')) AS t(p float8[]);
SELECT * FROM mlpredict.decode_response('probs', pg_temp.j('{"probabilities": [[0.2, 0.8]]}')) AS t(p float8[]);

-- AZUREML-TENSOR = JSON:input_data; TF-SERVING-COLUMN (TF-SERVING-COL) and
-- MLFLOW-TENSOR = JSON:inputs; all three answer as JSON:outputs
SELECT pg_temp.model('aztensor', 'credit_limit INT, age INT', 'predicted_default INT', 'AZUREML-TENSOR');
SELECT pg_temp.model('tfcol', 'credit_limit INT, age INT', 'predicted_default INT', 'TF-SERVING-COL');
SELECT pg_temp.model('mlflowt', 'credit_limit INT, age INT', 'label STRING, score DOUBLE', 'mlflow_tensor', '{"openai.params.top_k": "2"}');
SELECT body FROM mlpredict.debug_request('aztensor', 5000, 35);
SELECT body FROM mlpredict.debug_request('tfcol', 5000, 35);
SELECT body FROM mlpredict.debug_request('mlflowt', 5000, 35);
SELECT * FROM mlpredict.decode_response('aztensor', pg_temp.j('{"outputs": [1]}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('tfcol', pg_temp.j('{"outputs": [[0]]}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('mlflowt', pg_temp.j('{"outputs": {"label": "good", "score": 0.75}}')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('mlflowt', pg_temp.j('{"predictions": [{"label": "good", "score": 0.75}]}')) AS t(label text, score float8);

-- ===================================================================
-- JSON-ARRAY: [v1, v2, ...], or a sole ARRAY input as the whole body
-- ===================================================================
SELECT pg_temp.model('jarr', 'credit_limit INT, rate DECIMAL(5, 3), vip BOOLEAN, name STRING, tags ARRAY<STRING>, p pt',
  'label STRING, score DOUBLE, cluster INT', 'JSON-ARRAY', '{"openai.params.temperature": "0"}');
SELECT body FROM mlpredict.debug_request('jarr', 5000, 0.125, false, 'Zoë', ARRAY['a', NULL], ROW(1, 't')::pt);
SELECT pg_temp.model('jarr1', 'features ARRAY<FLOAT>', 'predicted_default INT', 'JSON-ARRAY');
SELECT body FROM mlpredict.debug_request('jarr1', ARRAY[0.5, 1, -2.25]::real[]);
SELECT pg_temp.model('jarr2', 'm ARRAY<ARRAY<INT>>', 'predicted_default INT', 'JSON-ARRAY');
SELECT body FROM mlpredict.debug_request('jarr2', ARRAY[[1, 2], [3, 4]]);
-- answers: positional with a length check; the one-element answer of a
-- pandas-style server ([[...]] or [{...}]) by the generic rule
SELECT * FROM mlpredict.decode_response('jarr', pg_temp.j('["yes", 0.25, 7]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('jarr', pg_temp.j('[["no", "0.5", 1.0]]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('jarr', pg_temp.j('[{"cluster": 2, "score": 0.1, "label": "maybe"}]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('jarr', pg_temp.j('[null, null, null]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('jarr1', pg_temp.j('[1]')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('jarr1', pg_temp.j('[[0]]')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('jarr1', pg_temp.j('[1, 0]')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('jarr', pg_temp.j('["yes", 0.25]')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('jarr', pg_temp.j('{"label": "yes", "score": 0.25, "cluster": 7}')) AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('jarr1', pg_temp.j('[1.5]')) AS t(predicted_default int);
-- a sole ARRAY output takes the whole array; JSON-ARRAY:/pointer
SELECT pg_temp.model('jarrv', 'x INT', 'scores ARRAY<DOUBLE>', 'JSON-ARRAY', '{"openai.output_format": "JSON-ARRAY:/data"}');
SELECT * FROM mlpredict.decode_response('jarrv', pg_temp.j('{"data": [0.5, 0.25, null]}')) AS t(scores float8[]);
SELECT * FROM mlpredict.decode_response('jarrv', pg_temp.j('{"data": [[0.5, 0.25]]}')) AS t(scores float8[]);
SELECT * FROM mlpredict.decode_response('jarrv', pg_temp.j('{"data": 0.5}')) AS t(scores float8[]);

-- ===================================================================
-- CSV: one RFC 4180 record each way
-- ===================================================================
SELECT pg_temp.model('csv', 'n INT, big BIGINT, f FLOAT, d DOUBLE, amount DECIMAL(10, 2), ok BOOLEAN, note STRING, pad STRING, empty STRING, raw BYTES, day DATE',
  'label STRING, score DOUBLE, cluster INT', 'CSV', '{"openai.params.temperature": "0"}');
SELECT headers->>'Content-Type' AS content_type, headers->>'Accept' AS accept, body
FROM mlpredict.debug_request('csv', -7, 9000000000, 1.5::real, 1e100::float8, 12.30, true,
  E'a,b "q"\r\nü', ' padded ', '', '\x00ff10'::bytea, '2024-02-29'::date);
-- a sole array is flattened; a NULL element is an empty field
SELECT pg_temp.model('csvarr', 'features ARRAY<DOUBLE>', 'predicted_default INT', 'CSV');
SELECT body FROM mlpredict.debug_request('csvarr', ARRAY[1.5, NULL, 'NaN', 3]::float8[]);
SELECT pg_temp.model('csvtxt', 'words ARRAY<STRING>', 'predicted_default INT', 'CSV');
SELECT body FROM mlpredict.debug_request('csvtxt', ARRAY['plain', 'with,comma', NULL, '', 'say "hi"']);
SELECT pg_temp.model('csvpg', 'features real[]', 'predicted_default INT', 'CSV');
SELECT body FROM mlpredict.debug_request('csvpg', ARRAY[[1, 2], [3, 4]]::real[]);
-- answers: the first record; fields through the types' input functions,
-- an unquoted empty field is NULL, a quoted one an empty string
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j(E'yes,0.93,3\n'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j(E'"a, ""b""\nc",  1e-3 ,-4\r\nignored,0,0\r\n'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT label IS NULL AS label_null, score, cluster IS NULL AS cluster_null
FROM mlpredict.decode_response('csv', pg_temp.j(',0.5,'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT label = '' AS label_empty FROM mlpredict.decode_response('csv', pg_temp.j('"",0.5,1'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('csvarr', pg_temp.j(E'1\n'), 'text/csv') AS t(predicted_default int);
SELECT pg_temp.model('csvv', 'x INT', 'scores ARRAY<FLOAT>', 'CSV');
SELECT * FROM mlpredict.decode_response('csvv', pg_temp.j(E'0.1,0.2,,0.7\n0.9'), 'text/csv') AS t(scores real[]);
SELECT pg_temp.model('csvb', 'x INT', 'ok BOOLEAN, blob BYTES, day DATE, amount DECIMAL(6, 2)', 'CSV');
SELECT * FROM mlpredict.decode_response('csvb', pg_temp.j('t,AP8Q,2024-02-29,3.14159'), 'text/csv') AS t(ok bool, blob bytea, day date, amount numeric);
-- errors: wrong count, bad CSV, a field that does not convert, bad base64, empty body
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j('yes,0.93'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j(E'"yes,0.93,3\n'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j('"yes"!,0.93,3'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j('yes,high,3'), 'text/csv') AS t(label text, score float8, cluster int);
SELECT * FROM mlpredict.decode_response('csvb', pg_temp.j('t,!!,2024-02-29,1'), 'text/csv') AS t(ok bool, blob bytea, day date, amount numeric);
SELECT * FROM mlpredict.decode_response('csv', pg_temp.j(E'\r\n'), 'text/csv') AS t(label text, score float8, cluster int);
-- schema checks at CREATE MODEL
SELECT pg_temp.model('csvbad', 'a INT, r ROW<x INT>', 'y INT', 'CSV');
SELECT pg_temp.model('csvbad', 'a INT, v ARRAY<INT>', 'y INT', 'CSV');
SELECT pg_temp.model('csvbad', 'v ARRAY<ARRAY<INT>>', 'y INT', 'CSV');
SELECT pg_temp.model('csvbad', 'a INT', 'y INT, p pt', 'CSV');
SELECT pg_temp.model('csvbad', 'a INT', 'y INT, v ARRAY<INT>', 'CSV');
SELECT * FROM mlpredict.execute($$CREATE MODEL csvbad INPUT (a INT) OUTPUT (r ROW<label STRING, score DOUBLE>) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'c', 'openai.input_format' = 'CSV')$$);

-- ===================================================================
-- TEXT (alias TXT): strings joined with line breaks; the whole body back
-- ===================================================================
SELECT pg_temp.model('txt', 'title STRING, body VARCHAR(100), code CHAR(3)', 'summary STRING', 'TXT');
SELECT headers->>'Content-Type' AS content_type, body FROM mlpredict.debug_request('txt', 'Title', E'Line 1\nLine 2, «ü»', 'ab');
SELECT * FROM mlpredict.decode_response('txt', pg_temp.j(E'A summary, with "quotes".\n'), 'text/plain') AS t(summary text);
SELECT pg_temp.model('txtbad', 'title STRING, n INT', 'summary STRING', 'TEXT');
SELECT pg_temp.model('txtbad', 'title STRING', 'summary STRING, n INT', 'TEXT');
SELECT pg_temp.model('txtbad', 'title STRING', 'n INT', 'TEXT');

-- ===================================================================
-- BINARY: little-endian bytes; several inputs: variable-width values
-- (strings, bytes, arrays) get a 4-byte little-endian length prefix
-- ===================================================================
SELECT pg_temp.model('bin1', 'n INT', 'y INT', 'BINARY');
SELECT headers->>'Content-Type' AS content_type, body FROM mlpredict.debug_request('bin1', 5000);
SELECT pg_temp.model('bintxt', 'prompt STRING', 'y BYTES', 'BINARY');
SELECT body, convert_to(body, 'UTF8') AS utf8 FROM mlpredict.debug_request('bintxt', 'Zoë');
SELECT pg_temp.model('binarr', 'v ARRAY<FLOAT>', 'y ARRAY<FLOAT>', 'BINARY');
SELECT body FROM mlpredict.debug_request('binarr', ARRAY[1, -2.5]::real[]);
SELECT pg_temp.model('binmulti', 's SMALLINT, n INT, big BIGINT, f FLOAT, d DOUBLE, ok BOOLEAN, note STRING, raw BYTES, v ARRAY<SMALLINT>',
  'y DOUBLE', 'BINARY');
SELECT body FROM mlpredict.debug_request('binmulti', -2::smallint, 5000, -1::bigint, 0.5::real, 1.5::float8, true, 'é', '\x0102'::bytea, ARRAY[1, -1]::smallint[]);
SELECT * FROM mlpredict.debug_request('binarr', ARRAY[1, NULL]::real[]);
-- answers: the single OUTPUT column from the whole body
SELECT * FROM mlpredict.decode_response('bin1', '\x2a000000'::bytea, 'application/octet-stream') AS t(y int);
SELECT * FROM mlpredict.decode_response('bin1', '\xfeffffff'::bytea, 'application/octet-stream') AS t(y int);
SELECT * FROM mlpredict.decode_response('binmulti', '\x000000000000f83f'::bytea, 'application/octet-stream') AS t(y float8);
SELECT * FROM mlpredict.decode_response('binarr', '\x0000803f000020c0'::bytea, 'application/octet-stream') AS t(y real[]);
SELECT * FROM mlpredict.decode_response('binarr', ''::bytea, 'application/octet-stream') AS t(y real[]);
SELECT * FROM mlpredict.decode_response('bintxt', '\x00ff'::bytea, 'application/octet-stream') AS t(y bytea);
SELECT pg_temp.model('binout', 'n INT', 'label STRING', 'BINARY');
SELECT * FROM mlpredict.decode_response('binout', pg_temp.j('Zoë'), 'application/octet-stream') AS t(label text);
SELECT pg_temp.model('binbool', 'n INT', 'ok BOOLEAN', 'BINARY');
SELECT * FROM mlpredict.decode_response('binbool', '\x01'::bytea, 'application/octet-stream') AS t(ok bool);
-- errors: a body that does not fit the type
SELECT * FROM mlpredict.decode_response('bin1', '\x2a0000'::bytea, 'application/octet-stream') AS t(y int);
SELECT * FROM mlpredict.decode_response('binarr', '\x0000803f00'::bytea, 'application/octet-stream') AS t(y real[]);
-- schema checks at CREATE MODEL
SELECT pg_temp.model('binbad', 'amount DECIMAL(10, 2)', 'y INT', 'BINARY');
SELECT pg_temp.model('binbad', 'n INT, p pt', 'y INT', 'BINARY');
SELECT pg_temp.model('binbad', 'n INT', 'y INT, z INT', 'BINARY');
SELECT pg_temp.model('binbad', 'n INT', 'r ROW<label STRING>', 'BINARY');
SELECT pg_temp.model('binbad', 'n INT', 'm ARRAY<ARRAY<INT>>', 'BINARY');
SELECT pg_temp.model('binbad', 'n INT', 'words ARRAY<STRING>', 'BINARY');

-- ===================================================================
-- PANDAS-DATAFRAME (PANDAS-DATAFRAME-SPLIT), AZUREML-PANDAS-DATAFRAME:
-- a one-row frame in split orientation; the answer is a JSON-ARRAY
-- ===================================================================
SELECT pg_temp.model('pandas', 'credit_limit INT, rate FLOAT, vip BOOLEAN, note STRING, raw BYTES, v ARRAY<DOUBLE>, p pt',
  'predicted_default INT', 'PANDAS-DATAFRAME', '{"openai.params.predict_method": "predict_proba"}');
SELECT body FROM mlpredict.debug_request('pandas', 5000, 0.25::real, true, E'x,"y"\n', '\x00'::bytea, ARRAY[0.5, NULL]::float8[], ROW(NULL, 'ü')::pt);
SELECT pg_temp.model('pandaskey', 'credit_limit INT, age INT', 'predicted_default INT', 'PANDAS-DATAFRAME-SPLIT:my_frame');
SELECT body FROM mlpredict.debug_request('pandaskey', 5000, 35);
SELECT pg_temp.model('azpandas', 'credit_limit INT, age INT', 'label STRING, score DOUBLE', 'AZUREML-PANDAS-DATAFRAME');
SELECT body FROM mlpredict.debug_request('azpandas', 5000, 35);
SELECT * FROM mlpredict.decode_response('pandas', pg_temp.j('[1]')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('pandaskey', pg_temp.j('[0.0]')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('azpandas', pg_temp.j('[["approve", 0.875]]')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('azpandas', pg_temp.j('[{"label": "deny", "score": 0.125}]')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('azpandas', pg_temp.j('["approve", 0.875]')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('pandas', pg_temp.j('[1, 0]')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('pandas', pg_temp.j('{"predictions": [1]}')) AS t(predicted_default int);
-- the frame formats only write requests
SELECT pg_temp.model('pandasbad', 'a INT', 'y INT', 'JSON', '{"openai.output_format": "PANDAS-DATAFRAME"}');

-- ===================================================================
-- TF-SERVING (TENSORFLOW-SERVING, TF-SERVING-ROW, KSERVE-V1),
-- VERTEXAI-PYTORCH and the output-only JSON-ARRAY-OF-OBJECTS
-- ===================================================================
SELECT pg_temp.model('tf1', 'features ARRAY<DOUBLE>', 'predicted_default INT', 'TF-SERVING');
SELECT body FROM mlpredict.debug_request('tf1', ARRAY[1.5, 2]::float8[]);
SELECT pg_temp.model('tfimg', 'image BYTES', 'label STRING', 'TENSORFLOW-SERVING');
SELECT body FROM mlpredict.debug_request('tfimg', '\x89504e47'::bytea);
-- several inputs: an object per instance, bytes as {"b64": ...} under
-- <col>_bytes; parameters in "parameters" (where Vertex AI reads them)
SELECT pg_temp.model('tfmulti', 'credit_limit INT, rate DOUBLE, name STRING, image BYTES, tags ARRAY<STRING>, p ROW<x INT>',
  'classes ARRAY<STRING>, scores ARRAY<DOUBLE>', 'KSERVE-V1', '{"openai.params.confidence_threshold": "0.5", "openai.params.max_predictions.int": "5"}');
SELECT body FROM mlpredict.debug_request('tfmulti', 5000, 0.25, 'Zoë "Z"', '\xff'::bytea, ARRAY['a', 'b'], '{"x": 1}');
SELECT pg_temp.model('tfrow', 'credit_limit INT, age INT', 'predicted_default INT', 'tf_serving_row:data');
SELECT body FROM mlpredict.debug_request('tfrow', 5000, 35);
SELECT pg_temp.model('pytorch1', 'text STRING', 'label STRING', 'VERTEXAI-PYTORCH');
SELECT pg_temp.model('pytorch', 'credit_limit INT, age INT', 'label STRING, score DOUBLE', 'VERTEXAI-PYTORCH');
SELECT body FROM mlpredict.debug_request('pytorch1', 'great movie');
SELECT body FROM mlpredict.debug_request('pytorch', 5000, 35);
-- answers: element 0 of /predictions by the generic rule
SELECT * FROM mlpredict.decode_response('tf1', pg_temp.j('{"predictions": [1]}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('tf1', pg_temp.j('{"predictions": [[0]], "deployedModelId": "123", "model": "projects/p/models/456"}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('tfrow', pg_temp.j('{"predictions": [1]}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('tfmulti', pg_temp.j('{"predictions": [{"classes": ["0", "1"], "scores": [0.12, 0.88]}], "deployedModelId": "1"}'))
  AS t(classes text[], scores float8[]);
SELECT * FROM mlpredict.decode_response('pytorch', pg_temp.j('{"predictions": [["good", 0.75]]}')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('pytorch', pg_temp.j('{"predictions": [{"result": {"label": "good", "score": [0.75]}}]}')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('pytorch1', pg_temp.j('{"predictions": "good"}')) AS t(label text);
-- errors: the server's error, no predictions, an empty list, a scalar for two columns
SELECT * FROM mlpredict.decode_response('tf1', pg_temp.j('{"error": "Input to reshape is a tensor with 2 values, but the requested shape has 4"}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('tf1', pg_temp.j('{"outputs": [1]}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('tf1', pg_temp.j('{"predictions": []}')) AS t(predicted_default int);
SELECT * FROM mlpredict.decode_response('pytorch', pg_temp.j('{"predictions": ["good"]}')) AS t(label text, score float8);
-- an explicit output_format TF-SERVING:/pointer replaces /predictions
SELECT pg_temp.model('tfptr', 'x INT', 'label STRING, score DOUBLE', 'TF-SERVING', '{"openai.output_format": "TF-SERVING:/result"}');
SELECT * FROM mlpredict.decode_response('tfptr', pg_temp.j('{"result": [{"label": "x", "score": 1}]}')) AS t(label text, score float8);
-- JSON-ARRAY-OF-OBJECTS: the same, from the root when it is an array
SELECT pg_temp.model('hf', 'text STRING', 'label STRING, score DOUBLE', 'JSON', '{"openai.output_format": "JSON-ARRAY-OF-OBJECTS"}');
SELECT body FROM mlpredict.debug_request('hf', 'I love it');
SELECT * FROM mlpredict.decode_response('hf', pg_temp.j('[{"label": "POSITIVE", "score": 0.9998}]')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('hf', pg_temp.j('{"predictions": [{"label": "NEGATIVE", "score": 0.5}]}')) AS t(label text, score float8);
SELECT * FROM mlpredict.decode_response('hf', pg_temp.j('[{"label": "POSITIVE"}]')) AS t(label text, score float8);
SELECT pg_temp.model('hfbad', 'text STRING', 'label STRING', 'JSON-ARRAY-OF-OBJECTS');

-- ===================================================================
-- TRITON (KSERVE-V2): KServe v2 tensors, Triton's binary tensor extension
-- ===================================================================
-- numbers and booleans travel as JSON; scalars have shape [1], arrays their
-- dimensions with data flat in row-major order
SELECT pg_temp.model('tri', 's SMALLINT, n INT, big BIGINT, f FLOAT, d DOUBLE, amount DECIMAL(10, 2), ok BOOLEAN, m ARRAY<ARRAY<FLOAT>>',
  'label INT, score FLOAT', 'TRITON', '{"openai.params.priority.int": "1"}');
SELECT headers->>'Content-Type' AS content_type, body
FROM mlpredict.debug_request('tri', 1::smallint, 5000, 9000000000, 0.5::real, 0.1::float8, 12.30, true, ARRAY[[1, 2], [3, 4.5]]::real[]);
SELECT * FROM mlpredict.debug_request('tri', 1::smallint, 5000, 9000000000, 0.5::real, 0.1::float8, 12.30, true, ARRAY[[1, NULL]]::real[]);
-- strings and bytes travel as binary tensors after the JSON header; STRING
-- and BYTES outputs ask for binary outputs
SELECT pg_temp.model('tribin', 'prompt STRING, image BYTES, n INT, words ARRAY<STRING>', 'label STRING, score FLOAT', 'KSERVE-V2');
SELECT headers->>'Content-Type' AS content_type, headers->>'Inference-Header-Content-Length' AS json_length,
       convert_from(substr(b, 1, (headers->>'Inference-Header-Content-Length')::int), 'UTF8') AS json_header,
       substr(b, (headers->>'Inference-Header-Content-Length')::int + 1) AS tensor_data
FROM mlpredict.debug_request('tribin', 'héllo', '\x00ff'::bytea, 7, ARRAY['a', '']) r,
     LATERAL (SELECT decode(substr(r.body, 3), 'hex') AS b) x;
-- answers: tensors matched to OUTPUT columns by name, whatever their order
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"model_name": "credit", "model_version": "1", "outputs": [
  {"name": "SCORE", "datatype": "FP32", "shape": [1, 1], "data": [0.75]},
  {"name": "label", "datatype": "INT64", "shape": [1], "data": [1]}]}')) AS t(label int, score real);
-- else by position when the counts match
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"outputs": [
  {"name": "output0", "datatype": "INT32", "shape": [1], "data": [0]},
  {"name": "output1", "datatype": "FP32", "shape": [1], "data": [[0.25]]}]}')) AS t(label int, score real);
-- ARRAY columns take the shape, less a leading batch dimension
SELECT pg_temp.model('triarr', 'x FLOAT', 'probs ARRAY<FLOAT>, m ARRAY<ARRAY<DOUBLE>>, flags ARRAY<BOOLEAN>', 'TRITON');
SELECT * FROM mlpredict.decode_response('triarr', pg_temp.j('{"outputs": [
  {"name": "probs", "datatype": "FP32", "shape": [1, 3], "data": [0.1, 0.2, 0.7]},
  {"name": "m", "datatype": "FP64", "shape": [1, 2, 2], "data": [[[1, 2], [3, 4]]]},
  {"name": "flags", "datatype": "BOOL", "shape": [0], "data": []}]}')) AS t(probs real[], m float8[], flags bool[]);
-- binary outputs: each tensor's binary_data_size bytes after the JSON header
WITH r(json, bin) AS (VALUES ('{"outputs": [{"name": "label", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 10}},
  {"name": "score", "datatype": "FP32", "shape": [1], "parameters": {"binary_data_size": 4}}]}', '\x06000000686f6cc3a0210000403f'::bytea))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tribin', convert_to(r.json, 'UTF8') || r.bin, 'application/octet-stream',
  jsonb_build_object('Inference-Header-Content-Length', octet_length(r.json)::text)) AS t(label text, score real);
-- SageMaker's variant gives the JSON size in the Content-Type
WITH r(json, bin) AS (VALUES ('{"outputs": [{"name": "label", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}},
  {"name": "score", "datatype": "FP64", "shape": [1], "data": [0.5]}]}', '\x020000006f6b'::bytea))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tribin', convert_to(r.json, 'UTF8') || r.bin,
  'application/vnd.sagemaker-triton.binary+json;json-header-size=' || octet_length(r.json)) AS t(label text, score real);
SELECT pg_temp.model('tribytes', 'x INT', 'image BYTES, delta SMALLINT, counts ARRAY<BIGINT>', 'TRITON');
WITH r(json, bin) AS (VALUES ('{"outputs": [{"name": "image", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 7}},
  {"name": "delta", "datatype": "INT16", "shape": [1], "parameters": {"binary_data_size": 2}},
  {"name": "counts", "datatype": "UINT32", "shape": [2], "parameters": {"binary_data_size": 8}}]}', '\x0300000000ff10feffffffffff07000000'::bytea))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tribytes', convert_to(r.json, 'UTF8') || r.bin, 'application/octet-stream',
  jsonb_build_object('inference-header-content-length', octet_length(r.json)::text)) AS t(image bytea, delta smallint, counts bigint[]);
-- errors: the server's error, a missing tensor, too many values for a
-- scalar, a shape that does not match, bad binary data
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"error": "unexpected inference input ''amount'' for model ''credit''"}')) AS t(label int, score real);
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"outputs": [{"name": "label", "datatype": "INT64", "shape": [1], "data": [1]}]}')) AS t(label int, score real);
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"outputs": [{"name": "label", "datatype": "INT64", "shape": [2], "data": [1, 0]},
  {"name": "score", "datatype": "FP32", "shape": [1], "data": [0.5]}]}')) AS t(label int, score real);
SELECT * FROM mlpredict.decode_response('triarr', pg_temp.j('{"outputs": [{"name": "probs", "shape": [2, 2], "data": [1, 2, 3]},
  {"name": "m", "shape": [1], "data": [1]}, {"name": "flags", "data": [true]}]}')) AS t(probs real[], m float8[], flags bool[]);
WITH r(json, bin) AS (VALUES ('{"outputs": [{"name": "label", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 10}},
  {"name": "score", "datatype": "FP32", "shape": [1], "data": [1]}]}', '\x05000000686f6c61'::bytea))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tribin', convert_to(r.json, 'UTF8') || r.bin, 'application/octet-stream',
  jsonb_build_object('Inference-Header-Content-Length', octet_length(r.json)::text)) AS t(label text, score real);
WITH r(json, bin) AS (VALUES ('{"outputs": [{"name": "label", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}},
  {"name": "score", "datatype": "FP32", "shape": [1], "data": [1]}]}', '\x05000000686f'::bytea))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tribin', convert_to(r.json, 'UTF8') || r.bin, 'application/octet-stream',
  jsonb_build_object('Inference-Header-Content-Length', octet_length(r.json)::text)) AS t(label text, score real);
SELECT * FROM mlpredict.decode_response('tribin', pg_temp.j('{"outputs": [{"name": "label", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}},
  {"name": "score", "datatype": "FP32", "shape": [1], "data": [1]}]}')) AS t(label text, score real);
SELECT * FROM mlpredict.decode_response('tri', pg_temp.j('{"outputs": []}'), 'application/json', '{"Inference-Header-Content-Length": "999"}') AS t(label int, score real);
-- schema checks at CREATE MODEL
SELECT pg_temp.model('tribad', 'day DATE', 'y INT', 'TRITON');
SELECT pg_temp.model('tribad', 'x INT', 'r ROW<label STRING>', 'TRITON');
SELECT pg_temp.model('tribad', 'p pt', 'y INT', 'TRITON');

SET client_min_messages = warning;
DROP EXTENSION mlpredict CASCADE;
DROP TYPE pt;
