"""Small valid images for upload tests."""

import io
import struct
import zlib

from PIL import Image


def png(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    # A checkerboard of 8-pixel squares, so the image is visible on a white page.
    def pixel(x: int, y: int) -> bytes:
        return b"\x00\x00\x00" if (x // 8 + y // 8) % 2 else b"\xff\xff\xff"

    raw = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int = 16, height: int = 16, *, comment: bytes = b"") -> bytes:
    """A real JPEG (a grey square), with a comment segment if given."""
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", comment=comment)
    return out.getvalue()


def jpeg_header(width: int = 8, height: int = 8) -> bytes:
    """The markers up to the start of frame: enough for the size check to read."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"
