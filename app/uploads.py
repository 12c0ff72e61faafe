"""Reading an uploaded file from a multipart body as it arrives, with a size limit: the API's
upload (app/api/documents.py) and the documents page's form (app/pages/documents.py) share it.

Starlette's own form parsing reads (and spools to disk) the whole body before a route sees
it. Here a declared `Content-Length` over the limit is refused without reading the file, and
the parse stops as soon as the file passes the limit, so an oversize upload is never read
whole (docs/operations.md, `TAVOLO_UPLOAD_MAX_BYTES`). A form that wants to come back with
what was typed gets the text fields read before the refusal: those sent before the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from boards.errors import InvalidInput, TooLarge
from boards.meeting_documents import megabytes

# Room for the other form fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024
# The upload form has a file, a title and a CSRF token; a few more fields are tolerated.
MAX_FIELDS = 5
# A text field is a title or a token: over this it is not one (Starlette allows 1 MB).
MAX_FIELD_BYTES = FORM_OVERHEAD


def too_large(limit: int) -> TooLarge:
    return TooLarge("The file is larger than the limit of {limit} MB", limit=megabytes(limit))


class CappedParser(MultiPartParser):
    """Starlette's multipart parser, stopping once the files pass `limit` bytes, or as soon
    as a file begins if `fields_only`."""

    def __init__(self, *args, limit: int, fields_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.fields_only = fields_only
        self.file_bytes = 0

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        if self.fields_only and self._current_part.file is not None:
            raise too_large(self.limit)

    def text_fields(self) -> dict[str, str]:
        """The text fields read so far."""
        return {name: value for name, value in self.items if isinstance(value, str)}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self.file_bytes += end - start
            if self.file_bytes > self.limit:
                raise too_large(self.limit)
        super().on_part_data(data, start, end)


@dataclass
class Upload:
    """What a multipart upload brought: the file (None if it had no file part), its title and
    its other text fields (the pages' CSRF token among them)."""

    file: UploadFile | None
    title: str
    fields: dict[str, str]

    async def close(self) -> None:
        if self.file is not None:
            await self.file.close()


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


async def read_form(request: Request, limit: int, typed: dict[str, str] | None = None) -> Upload:
    """The file and text fields of a multipart body, reading at most `limit` bytes of file.

    `typed`, if given, receives the text fields as they were read, those before a refusal
    too, for the form to come back with them; a declared length over the limit then still
    reads the fields sent before the file (at most MAX_FIELDS of MAX_FIELD_BYTES), none of
    the file. Without it, such a body is refused before anything is read.

    Raises TooLarge (a declared length over the limit, or as soon as the file passes it),
    InvalidInput (not multipart, unreadable).
    """
    declared = request.headers.get("content-length", "")
    over = declared.isdigit() and int(declared) > limit + FORM_OVERHEAD
    if over and typed is None:
        raise too_large(limit)
    if not is_multipart(request):
        raise InvalidInput("Send the document as multipart/form-data, in the field 'file'")
    parser = CappedParser(request.headers, request.stream(), max_files=1, max_fields=MAX_FIELDS,
                          max_part_size=MAX_FIELD_BYTES, limit=limit, fields_only=over)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidInput("The upload could not be read: {reason}", reason=str(error)) from None
    finally:
        if typed is not None:
            typed.update(parser.text_fields())
    upload = form.get("file")
    fields = parser.text_fields()
    return Upload(file=upload if isinstance(upload, UploadFile) else None,
                  title=fields.get("title", ""), fields=fields)


async def read_upload(request: Request, limit: int) -> tuple[UploadFile, str]:
    """The uploaded file and its title from a multipart body. Raises TooLarge, InvalidInput."""
    upload = await read_form(request, limit)
    if upload.file is None:
        raise InvalidInput("Send the document in the field 'file'", field="file")
    return upload.file, upload.title
