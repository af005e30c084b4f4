"""Writes a throwaway CA and a server certificate it signed, for the TLS tests.

Usage: make_ca.py DIR NAME...   (the server certificate covers 127.0.0.1 and every NAME)
Writes DIR/ca.pem, DIR/server.pem and DIR/server.key.
"""
import datetime
import ipaddress
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

directory = pathlib.Path(sys.argv[1])
names = sys.argv[2:]
now = datetime.datetime.now(datetime.timezone.utc)
valid = (now - datetime.timedelta(hours=1), now + datetime.timedelta(days=2))


def certificate(subject, issuer, public_key, signing_key, extensions):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


ca_key = ec.generate_private_key(ec.SECP256R1())
ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "awssecrets test CA")])
ca = certificate(
    ca_name,
    ca_name,
    ca_key.public_key(),
    ca_key,
    [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
    ],
)
server_key = ec.generate_private_key(ec.SECP256R1())
alternative_names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))] + [x509.DNSName(name) for name in names]
server = certificate(
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "awssecrets test server")]),
    ca_name,
    server_key.public_key(),
    ca_key,
    [
        (x509.SubjectAlternativeName(alternative_names), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ],
)
(directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
(directory / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
(directory / "server.key").write_bytes(
    server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
)
