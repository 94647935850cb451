#!/usr/bin/python3
"""Write a fresh Google service-account key file for the stand-in's Vertex AI
routes (uses python3-cryptography):

    python3 test/standin/make_service_account.py --out KEY.json --public-key PUB.pem \\
        --token-uri http://127.0.0.1:PORT/token [--client-email E] [--project-id P]

A new 2048-bit RSA key pair is generated each time.  KEY.json has the fields
of a real key file (type, project_id, private_key_id, private_key as PKCS#8
PEM, client_email, client_id, auth_uri, token_uri, ...); PUB.pem is the
public key to give the stand-in (--gcp-public-key PUB.pem --gcp-client-email
E).  private_key_id is public_key_id(), the SHA-1 of the public key, which is
also the JWT "kid" the stand-in expects by default.

The token URI is only written into the file; the stand-in does not need to
run yet (its port may be unknown: write any URL, e.g. https://oauth2.googleapis.com/token,
which the stand-in accepts as the JWT audience too, and point the client at
the stand-in some other way).
"""

import argparse
import hashlib
import json
import os
import secrets
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_PROJECT = "mlpredict-test"


def public_key_id(public_key):
    """Hex SHA-1 of the DER SubjectPublicKeyInfo (40 hex digits, like a real
    private_key_id).  public_key: a cryptography key object or PEM text/bytes."""
    if isinstance(public_key, (str, bytes)):
        data = public_key.encode("ascii") if isinstance(public_key, str) else public_key
        public_key = serialization.load_pem_public_key(data)
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha1(der).hexdigest()


def public_pem(public_key):
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo
                                   ).decode("ascii")


def public_pem_from_private(private_pem):
    """The public key PEM of a PKCS#8 (or PKCS#1) private key PEM."""
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    return public_pem(key.public_key())


def generate(token_uri, client_email=None, project_id=DEFAULT_PROJECT):
    """(key-file dict, public key PEM) for a new RSA-2048 key pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode("ascii")
    client_email = client_email or "mlpredict-standin@%s.iam.gserviceaccount.com" % (
        project_id)
    client_id = str(100000000000000000000 + secrets.randbelow(10 ** 20))
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": public_key_id(key.public_key()),
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                + client_email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    return info, public_pem(key.public_key())


def _write(path, text, mode):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="key file to write (JSON)")
    p.add_argument("--public-key", required=True, help="public key PEM to write")
    p.add_argument("--token-uri", required=True, help="token_uri for the key file")
    p.add_argument("--client-email", help="client_email (default "
                   "mlpredict-standin@<project>.iam.gserviceaccount.com)")
    p.add_argument("--project-id", default=DEFAULT_PROJECT)
    args = p.parse_args(argv)
    info, pub = generate(args.token_uri, args.client_email, args.project_id)
    _write(args.out, json.dumps(info, indent=2) + "\n", 0o600)
    _write(args.public_key, pub, 0o644)
    return 0


if __name__ == "__main__":
    sys.exit(main())
