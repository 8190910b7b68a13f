"""Screenshots: the type is read from the file's first bytes, never from its name or a header."""
from trustops.kernel.errors import Invalid, PayloadTooLarge

MAX_BYTES = 5 * 1024 * 1024
MAX_PER_TICKET = 20


def image_type(content: bytes) -> str | None:
    """PNG, JPEG or WebP by magic bytes (PNG spec §5.2; JFIF SOI marker; RIFF/WEBP container)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(content: bytes) -> str:
    if not content:
        raise Invalid("empty_attachment", "The file is empty.", field="file")
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge("attachment_too_large", f"A screenshot is at most {MAX_BYTES // (1024 * 1024)} MB.")
    kind = image_type(content)
    if kind is None:
        raise Invalid("unsupported_attachment", "Screenshots must be PNG, JPEG or WebP images.", field="file")
    return kind
