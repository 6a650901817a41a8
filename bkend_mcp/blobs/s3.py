"""S3 and S3-compatible object stores through boto3 presigned URLs (spec/storage.md §7.3).

Presigned PUTs sign only `content-type` and `host`, so the documented client code (a PUT with the Content-Type it
asked for, nothing else) works unchanged. Keys get `key_prefix` prepended here and nowhere else. Two clients: one on
the internal endpoint for server-side calls, one on the public endpoint for the URLs browsers use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from bkend_mcp.blobs.base import BlobError, ObjectInfo, Part, PendingUpload
from bkend_mcp.config_storage import S3Settings

ERROR_CODES = {"NoSuchKey": "NoSuchKey", "404": "NoSuchKey", "NotFound": "NoSuchKey"}
S3_ATTEMPTS = 3
"""Tries per call (the first and two retries), each bounded by `S3Settings.timeout_s` for connect and read."""
UNREACHABLE = (BotoConnectionError, HTTPClientError)
"""botocore's failures to connect or to get an answer in time (refused, timed out, reset)."""
MIN_UPLOAD_CHUNK = 8 * 1024 * 1024


def _error(exc: ClientError) -> BlobError:
    code = str(exc.response.get("Error", {}).get("Code", "ServiceUnavailable"))
    return BlobError(ERROR_CODES.get(code, code), str(exc.response.get("Error", {}).get("Message", "")))


@contextmanager
def _reachable() -> Iterator[None]:
    """An object store that refuses the connection or stays silent past the timeout: `ServiceUnavailable`."""
    try:
        yield
    except UNREACHABLE:
        raise BlobError("ServiceUnavailable", "The object store did not answer in time; retry") from None


class S3BlobStore:
    redirect_downloads = True

    def __init__(self, settings: S3Settings):
        self.settings = settings
        self.client = self._client(settings.endpoint)
        self.presigner = self._client(settings.public_endpoint or settings.endpoint)

    def _client(self, endpoint: str | None) -> Any:
        style = "path" if self.settings.force_path_style else "auto"
        return boto3.client(
            "s3",
            region_name=self.settings.region,
            endpoint_url=endpoint,
            aws_access_key_id=self.settings.access_key_id,
            aws_secret_access_key=self.settings.secret_access_key,
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": style},
                retries={"total_max_attempts": S3_ATTEMPTS, "mode": "standard"},
                connect_timeout=self.settings.timeout_s,
                read_timeout=self.settings.timeout_s,
            ),
        )

    def _key(self, key: str) -> str:
        return self.settings.key_prefix + key

    def _presign(self, method: str, params: dict[str, Any], expires_in: int, http_method: str) -> str:
        full = {"Bucket": self.settings.bucket, **params, "Key": self._key(params["Key"])}
        return self.presigner.generate_presigned_url(method, Params=full, ExpiresIn=expires_in, HttpMethod=http_method)

    def _call(self, method: str, **params: Any) -> Any:
        if "Key" in params:
            params["Key"] = self._key(params["Key"])
        try:
            with _reachable():
                return getattr(self.client, method)(Bucket=self.settings.bucket, **params)
        except ClientError as exc:
            raise _error(exc) from exc

    # --- URLs -----------------------------------------------------------------------------------------------------

    def presign_put(self, key: str, content_type: str, expires_in: int, max_bytes: int) -> str:
        return self._presign("put_object", {"Key": key, "ContentType": content_type}, expires_in, "PUT")

    def presign_part(self, key: str, upload_id: str, part_number: int, expires_in: int, max_bytes: int) -> str:
        params = {"Key": key, "UploadId": upload_id, "PartNumber": part_number}
        return self._presign("upload_part", params, expires_in, "PUT")

    def presign_get(self, key: str, expires_in: int, *, content_type: str, disposition: str) -> str:
        params = {"Key": key, "ResponseContentType": content_type, "ResponseContentDisposition": disposition}
        return self._presign("get_object", params, expires_in, "GET")

    def object_url(self, key: str) -> str:
        return self.presign_put(key, "application/octet-stream", 60, 0).split("?", 1)[0]

    # --- multipart ------------------------------------------------------------------------------------------------

    def create_multipart(self, key: str, content_type: str) -> str:
        return str(self._call("create_multipart_upload", Key=key, ContentType=content_type)["UploadId"])

    def complete_multipart(self, key: str, upload_id: str, parts: Sequence[Part]) -> ObjectInfo:
        listed = [{"PartNumber": p.number, "ETag": '"' + p.etag.strip().strip('"') + '"'} for p in parts]
        self._call("complete_multipart_upload", Key=key, UploadId=upload_id, MultipartUpload={"Parts": listed})
        info = self.head(key)
        if info is None:
            raise BlobError("NoSuchKey", "The assembled object is not readable yet")
        return info

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._call("abort_multipart_upload", Key=key, UploadId=upload_id)
        except BlobError as exc:
            if exc.code != "NoSuchUpload":
                raise

    def pending_uploads(self, started_before: datetime) -> Iterator[PendingUpload]:
        paginator = self.client.get_paginator("list_multipart_uploads")
        with _reachable():
            for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=self.settings.key_prefix):
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] < started_before:
                        key = upload["Key"][len(self.settings.key_prefix) :]
                        yield PendingUpload(key, upload["UploadId"], upload["Initiated"])

    # --- objects --------------------------------------------------------------------------------------------------

    def head(self, key: str) -> ObjectInfo | None:
        try:
            head = self._call("head_object", Key=key)
        except BlobError as exc:
            if exc.code == "NoSuchKey":
                return None
            raise
        etag = str(head["ETag"]).strip('"')
        modified = head.get("LastModified") or datetime.now(UTC)
        return ObjectInfo(key, int(head["ContentLength"]), etag, head.get("ContentType"), modified)

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        ranged = {"Range": f"bytes={start}-{'' if end is None else end}"} if start or end is not None else {}
        body = self._call("get_object", Key=key, **ranged)["Body"]
        return body.iter_chunks(1024 * 1024)

    def write(self, key: str, chunks: Iterable[bytes], content_type: str) -> ObjectInfo:
        """A multipart upload of at most 8 MiB buffered at a time (one PUT when it fits in one part)."""
        buffered, parts, upload_id = bytearray(), list[Part](), None
        for chunk in chunks:
            buffered += chunk
            if len(buffered) >= MIN_UPLOAD_CHUNK:
                upload_id = upload_id or self.create_multipart(key, content_type)
                parts.append(self._upload_part(key, upload_id, len(parts) + 1, bytes(buffered)))
                buffered.clear()
        if upload_id is None:
            self._call("put_object", Key=key, Body=bytes(buffered), ContentType=content_type)
        else:
            if buffered:
                parts.append(self._upload_part(key, upload_id, len(parts) + 1, bytes(buffered)))
            return self.complete_multipart(key, upload_id, parts)
        info = self.head(key)
        assert info is not None
        return info

    def _upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> Part:
        answer = self._call("upload_part", Key=key, UploadId=upload_id, PartNumber=number, Body=body)
        return Part(number, str(answer["ETag"]).strip('"'))

    def list_keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        full = self._key(prefix)
        with _reachable():
            for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=full):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.settings.key_prefix) :]

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=key)

    def set_public(self, key: str, public: bool) -> None:
        """Make the unsigned object URL answer (compat C19) the two ways buckets allow it: a `public-read` ACL
        (buckets with ACLs enabled) and the tag `bkend-visibility=public|private` (for a bucket policy that grants
        anonymous reads of tagged objects, spec §7.3 `tag-policy`). Each is best effort: a bucket that supports
        neither still serves public files through `/cdn/{key}`."""
        tags = {"TagSet": [{"Key": "bkend-visibility", "Value": "public" if public else "private"}]}
        for method, params in (
            ("put_object_acl", {"ACL": "public-read" if public else "private"}),
            ("put_object_tagging", {"Tagging": tags}),
        ):
            try:
                self._call(method, Key=key, **params)
            except BlobError:
                pass

    def close(self) -> None:
        self.client.close()
        self.presigner.close()
