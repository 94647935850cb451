-- Hostile answers: sizes, counts, shapes and numbers that a provider's
-- answer states about itself must be checked before they are believed.
-- Each attack gets a clean error (never a crash, a huge allocation or a
-- read past the body); valid answers of the same shape still decode.
-- Everything goes through mlpredict.decode_response, which any role with
-- EXECUTE on a model can call: no network is needed.
CREATE EXTENSION mlpredict;
SELECT mlpredict.create_connection('atk', '{"type": "openai", "endpoint": "https://api.example.com/score", "api-key": "sk-atk"}');
-- model(name, output, input_format): a model on atk with one INT input
CREATE FUNCTION pg_temp.model(name text, output text, fmt text) RETURNS integer LANGUAGE sql AS $$
  SELECT mlpredict.create_model(name, 'x INT', output,
    jsonb_build_object('provider', 'openai', 'task', 'classification',
                       'openai.connection', 'atk', 'openai.input_format', fmt));
$$;
-- j(text): a response body given as text
CREATE FUNCTION pg_temp.j(body text) RETURNS bytea LANGUAGE sql AS $$ SELECT convert_to(body, 'UTF8') $$;
-- tri(model, json, binary): a Triton answer of a JSON header and binary
-- tensor data, with its Inference-Header-Content-Length
CREATE FUNCTION pg_temp.tri_body(hdr text, bin bytea) RETURNS bytea LANGUAGE sql AS $$ SELECT convert_to(hdr, 'UTF8') || bin $$;
CREATE FUNCTION pg_temp.tri_headers(hdr text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('Inference-Header-Content-Length', octet_length(convert_to(hdr, 'UTF8'))::text) $$;

-- ===================================================================
-- TRITON (KSERVE-V2): shapes
-- ===================================================================
SELECT pg_temp.model('tri_arr', 'o ARRAY<INT>', 'TRITON');
SELECT pg_temp.model('tri_mat', 'o ARRAY<ARRAY<INT>>', 'TRITON');
SELECT pg_temp.model('tri_int', 'o INT', 'TRITON');
SELECT pg_temp.model('tri_real', 'o FLOAT', 'TRITON');
SELECT pg_temp.model('tri_big', 'o BIGINT', 'TRITON');
SELECT pg_temp.model('tri_str', 'o ARRAY<STRING>', 'TRITON');
-- valid answers still decode: a batch dimension, a matrix, empty tensors
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1, 3], "data": [1, 2, 3]}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_mat', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [2, 2], "data": [[1, 2], [3, 4]]}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1, 0], "data": []}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_mat', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [3, 0], "data": []}]}')) AS t(o int[]);
-- the audit's answer: 16777216 * 16777216 * 65536 = 2^64 overflowed int64
-- to 0, matched the 0 values, and nest() read past them (SIGSEGV, every
-- backend of the cluster restarted)
SELECT * FROM mlpredict.decode_response('tri_arr', convert_to('{"outputs":[{"name":"out","datatype":"INT32","shape":[16777216,16777216,65536],"data":[]}]}','UTF8')) AS t(o int[]);
-- the same overflow in four dimensions (2^16 each), also a crash before
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [65536, 65536, 65536, 65536], "data": []}]}')) AS t(o int[]);
-- an empty tensor whose other dimensions are huge: nest() asked for 64 GB
-- (an internal "invalid memory alloc request size" error before)
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [2147483647, 2147483647, 0], "data": []}]}')) AS t(o int[]);
-- ... or millions of empty arrays, built one by one (decoded to {} after
-- seconds and hundreds of megabytes before; [33554532, 0], which make fuzz
-- found against the old check, took a 1 GB array and 33 million more)
SELECT * FROM mlpredict.decode_response('tri_mat', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [3000000, 0], "data": []}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_mat', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [33554532, 0], "data": []}]}')) AS t(o int[]);
-- the overflowing shape on a binary tensor (no binary data at all)
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [16777216, 16777216, 65536], "parameters": {"binary_data_size": 0}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, ''::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
-- shapes that were refused already: a negative or oversized dimension,
-- more than 6 dimensions, a mismatch
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [-1], "data": [1]}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [4294967296], "data": [1]}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1, 1, 1, 1, 1, 1, 1], "data": [1]}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [2, 3], "data": [1, 2, 3, 4, 5]}]}')) AS t(o int[]);
-- a tensor nested deeper than the stack allows
\set VERBOSITY terse
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "data": ' || repeat('[', 100000) || '1' || repeat(']', 100000) || '}]}')) AS t(o int[]);
\set VERBOSITY default

-- ===================================================================
-- TRITON: binary tensor data
-- ===================================================================
-- valid: two BYTES elements and two INT32s
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": 10}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_str', pg_temp.tri_body(r.hdr, '\x02000000686900000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o text[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1, 2], "parameters": {"binary_data_size": 8}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, '\xffffffff07000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
-- a JSON header size beyond the body, beyond 64 bits, signed, not a number
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "data": [1]}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.j(r.hdr), 'application/octet-stream', '{"Inference-Header-Content-Length": "18446744073709551616"}') AS t(o int[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "data": [1]}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.j(r.hdr), 'application/octet-stream', '{"Inference-Header-Content-Length": "-5"}') AS t(o int[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "data": [1]}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.j(r.hdr), 'application/vnd.sagemaker-triton.binary+json;json-header-size=0x10') AS t(o int[]);
-- binary_data_size beyond the data, negative, beyond int32
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "parameters": {"binary_data_size": 2147483647}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, '\x01000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "parameters": {"binary_data_size": -4}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, '\x01000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "parameters": {"binary_data_size": 18446744073709551620}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, '\x01000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
-- a BYTES length prefix of 4 GB, one that runs one byte past, a ragged
-- fixed-width tensor
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_str', pg_temp.tri_body(r.hdr, '\xffffffff6869'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o text[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 6}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_str', pg_temp.tri_body(r.hdr, '\x030000006869'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o text[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [1], "parameters": {"binary_data_size": 6}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, '\x010000000200'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
-- a BYTES element with a NUL byte is not text (it was copied only up to
-- the NUL, and the UTF-8 check then read its length from that short copy)
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 44}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_str', pg_temp.tri_body(r.hdr, '\x28000000'::bytea || '\x6100'::bytea || convert_to(repeat('b', 38), 'UTF8')), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o text[]);
-- more BYTES elements than mlpredict.max_output_elements: counting stops
-- past the cap
SET mlpredict.max_output_elements = 3;
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "BYTES", "shape": [4], "parameters": {"binary_data_size": 16}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_str', pg_temp.tri_body(r.hdr, '\x00000000000000000000000000000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o text[]);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [4], "parameters": {"binary_data_size": 16}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_arr', pg_temp.tri_body(r.hdr, '\x00000000000000000000000000000000'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_arr', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [4], "data": [1, 2, 3, 4]}]}')) AS t(o int[]);
-- an empty tensor may not build more arrays than the cap either
SELECT * FROM mlpredict.decode_response('tri_mat', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [3, 0], "data": []}]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tri_mat', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT32", "shape": [4, 0], "data": []}]}')) AS t(o int[]);
RESET mlpredict.max_output_elements;

-- ===================================================================
-- Answer numbers that do not fit the OUTPUT types
-- ===================================================================
SELECT pg_temp.model('js_int', 'o INT', 'JSON');
SELECT pg_temp.model('js_small', 'o SMALLINT', 'JSON');
SELECT pg_temp.model('js_real', 'o FLOAT', 'JSON');
SELECT pg_temp.model('js_vec', 'o ARRAY<FLOAT>', 'JSON');
SELECT pg_temp.model('js_vec8', 'o ARRAY<DOUBLE>', 'JSON');
SELECT pg_temp.model('csv2', 'a INT, b FLOAT', 'CSV');
-- JSON: integers beyond int4/int2, exponents beyond float4/float8, in
-- scalars and in vectors (read straight from the text)
SELECT * FROM mlpredict.decode_response('js_int', pg_temp.j('99999999999')) AS t(o int);
SELECT * FROM mlpredict.decode_response('js_int', pg_temp.j('1e400')) AS t(o int);
SELECT * FROM mlpredict.decode_response('js_int', pg_temp.j('-9223372036854775809')) AS t(o int);
SELECT * FROM mlpredict.decode_response('js_small', pg_temp.j('40000')) AS t(o smallint);
SELECT * FROM mlpredict.decode_response('js_real', pg_temp.j('1e400')) AS t(o real);
SELECT * FROM mlpredict.decode_response('js_real', pg_temp.j('3.5e38')) AS t(o real);
SELECT * FROM mlpredict.decode_response('js_vec', pg_temp.j('[0.5, 1e39, 1]')) AS t(o real[]);
SELECT * FROM mlpredict.decode_response('js_vec', pg_temp.j('{"o": [0.5, -1e400]}')) AS t(o real[]);
SELECT * FROM mlpredict.decode_response('js_vec8', pg_temp.j('[1e309]')) AS t(o float8[]);
SELECT * FROM mlpredict.decode_response('js_vec', pg_temp.j('[0.5, 0.25]')) AS t(o real[]);
-- CSV fields go through the types' input functions
SELECT * FROM mlpredict.decode_response('csv2', pg_temp.j('99999999999,1')) AS t(a int, b real);
SELECT * FROM mlpredict.decode_response('csv2', pg_temp.j('1,1e400')) AS t(a int, b real);
SELECT * FROM mlpredict.decode_response('csv2', pg_temp.j('7,0.5')) AS t(a int, b real);
-- TRITON: JSON data and binary data beyond the column's type
SELECT * FROM mlpredict.decode_response('tri_int', pg_temp.j('{"outputs": [{"name": "o", "datatype": "INT64", "shape": [1], "data": [99999999999]}]}')) AS t(o int);
SELECT * FROM mlpredict.decode_response('tri_real', pg_temp.j('{"outputs": [{"name": "o", "datatype": "FP64", "shape": [1], "data": [1e400]}]}')) AS t(o real);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "INT64", "shape": [1], "parameters": {"binary_data_size": 8}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_int', pg_temp.tri_body(r.hdr, '\xffffffffffffff7f'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "UINT64", "shape": [1], "parameters": {"binary_data_size": 8}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_big', pg_temp.tri_body(r.hdr, '\xffffffffffffffff'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o bigint);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "FP64", "shape": [1], "parameters": {"binary_data_size": 8}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_real', pg_temp.tri_body(r.hdr, '\x000000000000f07f'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o real);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "FP64", "shape": [1], "parameters": {"binary_data_size": 8}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_real', pg_temp.tri_body(r.hdr, '\x9c7500883ce4377e'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o real);
WITH r(hdr) AS (VALUES ('{"outputs": [{"name": "o", "datatype": "FP32", "shape": [1], "parameters": {"binary_data_size": 4}}]}'))
SELECT t.* FROM r, LATERAL mlpredict.decode_response('tri_int', pg_temp.tri_body(r.hdr, '\x0000c07f'::bytea), 'application/octet-stream', pg_temp.tri_headers(r.hdr)) AS t(o int);

-- ===================================================================
-- BINARY: the whole body as one value
-- ===================================================================
SELECT pg_temp.model('bin_arr', 'o ARRAY<INT>', 'BINARY');
SELECT pg_temp.model('bin_real', 'o FLOAT', 'BINARY');
SELECT * FROM mlpredict.decode_response('bin_arr', '\x01000000feffffff'::bytea) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('bin_arr', ''::bytea) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('bin_arr', '\x0100000002'::bytea) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('bin_real', '\x0000c07f00'::bytea) AS t(o real);
SET mlpredict.max_output_elements = 3;
SELECT * FROM mlpredict.decode_response('bin_arr', '\x00000000000000000000000000000000'::bytea) AS t(o int[]);
RESET mlpredict.max_output_elements;

-- ===================================================================
-- Nesting and shapes of JSON arrays (JSON, TF-SERVING, JSON-ARRAY)
-- ===================================================================
SELECT pg_temp.model('js_mat', 'o ARRAY<ARRAY<INT>>', 'JSON');
SELECT pg_temp.model('tf_mat', 'o ARRAY<ARRAY<INT>>', 'TF-SERVING');
SELECT pg_temp.model('ja_two', 'a INT, b INT', 'JSON-ARRAY');
SELECT * FROM mlpredict.decode_response('js_mat', pg_temp.j('[[1, 2], [3, 4]]')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('js_mat', pg_temp.j('[[1, 2], [3]]')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('js_mat', pg_temp.j('[[], [1]]')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('tf_mat', pg_temp.j('{"predictions": [[[1, 2], [3, 4, 5]]]}')) AS t(o int[]);
SELECT * FROM mlpredict.decode_response('js_vec', pg_temp.j('[[0.5, 1], [2]]')) AS t(o real[]);
SELECT * FROM mlpredict.decode_response('ja_two', pg_temp.j('[1, 2, 3]')) AS t(a int, b int);
\set VERBOSITY terse
SELECT * FROM mlpredict.decode_response('js_mat', pg_temp.j(repeat('[', 100000) || repeat(']', 100000))) AS t(o int[]);
\set VERBOSITY default
SET mlpredict.max_output_elements = 3;
SELECT * FROM mlpredict.decode_response('js_vec', pg_temp.j('[1, 2, 3, 4]')) AS t(o real[]);
SELECT * FROM mlpredict.decode_response('js_mat', pg_temp.j('[[1, 2], [3, 4]]')) AS t(o int[]);
RESET mlpredict.max_output_elements;

SET client_min_messages = warning;
DROP EXTENSION mlpredict CASCADE;
