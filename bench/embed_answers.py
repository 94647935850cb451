#!/usr/bin/env python3
"""Fixed OpenAI embedding answers served by nginx, for the benchmarks
(bench/decode_bench.sh, bench/pipeline_bench.sh), so that the provider
costs nothing and every batch gets an answer of its own size.

  embed_answers.py --dir DIR --port PORT --first-body-len L1 --row-len R \\
      SET:ROWS:DIMS:DIGITS ...

writes DIR/www/SET/nROWS.json for every ROWS of each set (a list such as
1-64 or 256,2048): an /v1/embeddings answer of ROWS vectors of DIMS
numbers with DIGITS decimals (0: the shortest text of a random double, 17
significant digits or so), and DIR/nginx.conf, which serves
POST http://127.0.0.1:PORT/SET/v1/embeddings with the answer whose row
count the request's Content-Length gives: a request of N rows is
L1 + (N - 1) * R bytes long (the caller makes every row's text the same
length, and measures L1 and R from mlpredict.debug_request).  A request
of any other length gets 404.

Run nginx with: nginx -c DIR/nginx.conf (it stays in the foreground).
"""

import argparse
import os
import random
import zlib


def parse_rows(spec):
    rows = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            rows.extend(range(int(a), int(b) + 1))
        else:
            rows.append(int(part))
    return sorted(set(rows))


def number(rng, digits):
    x = rng.uniform(-0.1, 0.1)
    return repr(x) if digits == 0 else "%.*f" % (digits, x)


def write_set(www, name, rows, dims, digits):
    rng = random.Random(zlib.crc32(("%s:%d:%d" % (name, dims, digits)).encode()))
    vectors = [",".join(number(rng, digits) for _ in range(dims))
               for _ in range(max(rows))]
    os.makedirs(os.path.join(www, name), exist_ok=True)
    for n in rows:
        with open(os.path.join(www, name, "n%d.json" % n), "w") as f:
            f.write('{"object":"list","data":[')
            f.write(",".join('{"object":"embedding","index":%d,"embedding":[%s]}'
                             % (k, vectors[k]) for k in range(n)))
            f.write('],"model":"text-embedding-3-small",'
                    '"usage":{"prompt_tokens":%d,"total_tokens":%d}}' % (n, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--first-body-len", type=int, required=True)
    ap.add_argument("--row-len", type=int, required=True)
    ap.add_argument("sets", nargs="+")
    args = ap.parse_args()

    www = os.path.join(args.dir, "www")
    all_rows = set()
    for spec in args.sets:
        name, rows, dims, digits = spec.split(":")
        rows = parse_rows(rows)
        all_rows.update(rows)
        write_set(www, name, rows, int(dims), int(digits))
    lengths = "\n".join("\t\t%d n%d;" % (args.first_body_len + (n - 1) * args.row_len, n)
                        for n in sorted(all_rows))
    with open(os.path.join(args.dir, "nginx.conf"), "w") as f:
        f.write("""worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 1000000;
	client_body_temp_path %(dir)s/tmp_body;
	proxy_temp_path %(dir)s/tmp_proxy;
	fastcgi_temp_path %(dir)s/tmp_fastcgi;
	uwsgi_temp_path %(dir)s/tmp_uwsgi;
	scgi_temp_path %(dir)s/tmp_scgi;
	map $content_length $rows_file {
		default none;
%(lengths)s
	}
	server {
		listen 127.0.0.1:%(port)d;
		# a POST becomes a GET of the answer file (error_page redirects so)
		location ~ ^/(?<set>\\w+)/v1/embeddings$ {
			error_page 405 =200 /answers/$set/$rows_file.json;
			return 405;
		}
		location /answers/ {
			internal;
			default_type application/json;
			alias %(www)s/;
		}
	}
}
""" % {"dir": args.dir, "port": args.port, "lengths": lengths, "www": www})


if __name__ == "__main__":
    main()
