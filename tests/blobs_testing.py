"""Object stores for tests: moto's S3 server on 127.0.0.1 (a real HTTP endpoint, as browsers and boto3 see S3),
and small helpers shared by the blob contract suite and the storage API tests."""

from __future__ import annotations

import hashlib
import io
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config as BotoConfig

from bkend_mcp.config_storage import S3Settings

MIB = 1024 * 1024
CORS_RULES = {
    "CORSRules": [
        {
            "AllowedOrigins": ["*"],
            "AllowedMethods": ["PUT", "GET", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 600,
        }
    ]
}
"""The bucket CORS an operator sets up (docs/storage.md): browsers PUT with Content-Type and read ETag."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def moto_s3(bucket: str = "bkend-test") -> Iterator[S3Settings]:
    """moto's server mode on a free port with one bucket (CORS configured); its settings, path-style."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        settings = S3Settings(
            bucket=bucket,
            region="us-east-1",
            endpoint=f"http://127.0.0.1:{port}",
            access_key_id="testing",
            secret_access_key="testing",
            force_path_style=True,
        )
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            endpoint_url=settings.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=BotoConfig(s3={"addressing_style": "path"}),
        )
        client.create_bucket(Bucket=bucket)
        client.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS_RULES)
        client.close()
        yield settings
    finally:
        server.stop()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def multipart_etag(parts: list[bytes]) -> str:
    return hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + f"-{len(parts)}"


def png(width: int = 400, height: int = 300, color: str = "red") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def image_size(data: bytes) -> tuple[str, int, int]:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    return str(image.format), image.width, image.height
