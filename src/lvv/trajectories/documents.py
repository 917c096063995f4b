"""Uploaded documents on a trajectory: what may be uploaded, and the write itself.

A document is checked at the edge (size, a known file type recognised by its first bytes, not by
its name or by what the browser says) and stored in one transaction with its timeline event. Who may
open it follows its visibility class, like a note (`lvv.accounts.access.document_scope`)."""

from __future__ import annotations

import hashlib
import re

from django.db import transaction

from lvv.audit.services import log_change
from lvv.core.exceptions import ApplicationError

from .models import Document, NoteVisibility, Trajectory
from .services import class_label, require_item_class
from .timeline import event_append

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

#: Accepted file types: (content type, extensions, first bytes).
FILE_TYPES = [
    ("application/pdf", (".pdf",), b"%PDF-"),
    ("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        b"PK\x03\x04",
    ),
]

MSG_EMPTY_FILE = "Het bestand is leeg."
MSG_TOO_LARGE = "Het bestand is groter dan 10 MB."
MSG_FILE_TYPE = "Alleen PDF, PNG, JPEG en Word (.docx) kunnen worden toegevoegd."
MSG_FILE_CONTENT = "De inhoud van het bestand past niet bij een {ext}-bestand."
MSG_NO_TITLE = "Geef het document een titel."


def safe_filename(name: str) -> str:
    """The file's own name without folders or characters that break a download header."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:200] or "document"


def detect_type(filename: str, content: bytes) -> str:
    """The content type for an accepted file, else ApplicationError in Dutch."""
    lower = filename.lower()
    for content_type, extensions, magic in FILE_TYPES:
        if lower.endswith(extensions):
            if not content.startswith(magic):
                raise ApplicationError(MSG_FILE_CONTENT.format(ext=extensions[0].lstrip(".").upper()), field="file")
            return content_type
    raise ApplicationError(MSG_FILE_TYPE, field="file")


@transaction.atomic
def document_add(*, actor, trajectory: Trajectory, title: str, filename: str, content: bytes, visibility: str):
    title = (title or "").strip()
    if not title:
        raise ApplicationError(MSG_NO_TITLE, field="title")
    require_item_class(visibility)
    if not content:
        raise ApplicationError(MSG_EMPTY_FILE, field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ApplicationError(MSG_TOO_LARGE, field="file")
    filename = safe_filename(filename)
    content_type = detect_type(filename, content)
    document = Document.objects.create(
        trajectory=trajectory,
        title=title[:200],
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        visibility=visibility,
        author=actor,
        organisation=actor.organisation,
    )
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="document",
        actor=actor,
        description=f"Document toegevoegd ({class_label(visibility)})",
        shared=visibility != NoteVisibility.ORGANISATIE,
    )
    return document
