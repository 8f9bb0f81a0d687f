# SPDX-License-Identifier: BSD-3-Clause
"""A multipart/form-data body -> uploaded files held in memory, within limits.

The body is read as a stream and parsed with python-multipart's low-level parser;
file contents go to ``bytearray`` buffers, never to disk, and reading stops as soon
as a file or the whole body passes its limit (:class:`UploadTooLarge`, HTTP 413).
A body that is not well-formed multipart raises :class:`BadUpload` (HTTP 400).
Client file names are kept only as labels: nothing here touches the filesystem.
"""

from dataclasses import dataclass

from ngep.web._limits import format_bytes

__all__ = ["BadUpload", "Upload", "UploadTooLarge", "read_multipart"]


class BadUpload(ValueError):
    """The request body is not the multipart form the API expects (HTTP 400)."""


class UploadTooLarge(ValueError):
    """A file, the body or the number of files is over a limit (HTTP 413)."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its client-side name (a label only) and its bytes."""

    name: str
    data: bytes


class _Part:
    __slots__ = ("field", "filename", "data", "headers")

    def __init__(self):
        self.field = None
        self.filename = None
        self.data = bytearray()
        self.headers = []


def _label(raw):
    """A file name safe to show: the last path component, printable, <= 200 chars."""
    text = raw.decode("utf-8", errors="replace")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable())
    return (text or "unnamed")[:200]


class _Collector:
    """python-multipart callbacks that collect parts and enforce the limits."""

    def __init__(self, limits, field):
        from python_multipart.multipart import parse_options_header

        self._parse_options = parse_options_header
        self.limits = limits
        self.field = field
        self.files = []
        self.n_fields = 0
        self.part = None
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.ended = False

    def on_part_begin(self):
        self.part = _Part()

    def on_header_field(self, data, start, end):
        self.header_name += data[start:end]

    def on_header_value(self, data, start, end):
        self.header_value += data[start:end]

    def on_header_end(self):
        self.part.headers.append(
            (bytes(self.header_name).lower(), bytes(self.header_value))
        )
        self.header_name.clear()
        self.header_value.clear()

    def on_headers_finished(self):
        disposition = dict(self.part.headers).get(b"content-disposition")
        if disposition is None:
            raise BadUpload("a multipart part has no Content-Disposition header")
        kind, options = self._parse_options(disposition)
        if kind.lower() != b"form-data" or b"name" not in options:
            raise BadUpload(
                "a multipart part is not 'form-data' with a name; send the files "
                f"as the form field {self.field!r}"
            )
        self.part.field = options[b"name"].decode("utf-8", errors="replace")
        if b"filename" in options:
            self.part.filename = _label(options[b"filename"])
            if self.part.field == self.field:
                if len(self.files) >= self.limits.max_files:
                    raise UploadTooLarge(
                        f"more than {self.limits.max_files} files in one request; "
                        "send them in several requests or raise --max-files"
                    )
        else:
            self.n_fields += 1
            if self.n_fields > 100:
                raise BadUpload("more than 100 non-file form fields")

    def on_part_data(self, data, start, end):
        part = self.part
        part.data += data[start:end]
        if part.filename is None:
            if len(part.data) > 64 * 1024:
                raise BadUpload(f"the form field {part.field!r} is over 64 KiB")
        elif len(part.data) > self.limits.max_file_bytes:
            raise UploadTooLarge(
                f"{part.filename}: the file is larger than the limit of "
                f"{format_bytes(self.limits.max_file_bytes)} per file"
            )

    def on_part_end(self):
        part, self.part = self.part, None
        if part.filename is not None and part.field == self.field:
            self.files.append(Upload(part.filename, bytes(part.data)))

    def on_end(self):
        self.ended = True


async def read_multipart(
    content_type, stream, limits, *, content_length=None, field="files"
):
    """Parse a multipart/form-data body into the files of one form field.

    Parameters
    ----------
    content_type : str or None
        The request's Content-Type header (holds the boundary).
    stream : async iterable of bytes
        The request body.
    limits : Limits
        Per-file, per-request and file-count limits.
    content_length : str or None, default=None
        The Content-Length header, checked before anything is read.
    field : str, default="files"
        The form field holding the files; files under other names are ignored.

    Returns
    -------
    list of Upload
        In the order they were sent.

    Raises
    ------
    BadUpload
        Not multipart, no boundary, a broken or truncated body.
    UploadTooLarge
        The body, a file, or the number of files is over its limit.
    """
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header

    kind, options = parse_options_header(content_type or "")
    if kind.lower() != b"multipart/form-data":
        raise BadUpload(
            "the body must be multipart/form-data with the files in the field "
            f"{field!r} (got Content-Type {content_type or 'none'!r})"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadUpload("the multipart Content-Type has no boundary")
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise BadUpload(f"invalid Content-Length {content_length!r}") from None
        if declared > limits.max_request_bytes:
            raise UploadTooLarge(_request_message(limits))
    collector = _Collector(limits, field)
    callbacks = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_part_data",
            "on_part_end",
            "on_end",
        )
    }
    try:
        parser = MultipartParser(boundary, callbacks)
        received = 0
        async for chunk in stream:
            received += len(chunk)
            if received > limits.max_request_bytes:
                raise UploadTooLarge(_request_message(limits))
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise BadUpload(f"malformed multipart body: {exc}") from None
    if not collector.ended:
        raise BadUpload(
            "the multipart body ended before its closing boundary (truncated upload?)"
        )
    return collector.files


def _request_message(limits):
    return (
        f"the request is larger than the limit of "
        f"{format_bytes(limits.max_request_bytes)}; send fewer files per request"
    )
