"""Draw icon.png, the MCP bundle's 512x512 icon: a white "C" on a copper rounded square.

Usage: python scripts/draw_icon.py [--check]
Pure Python (zlib and a PNG writer), so no imaging library is needed. Edges are smoothed from
each shape's signed distance. With --check it writes nothing and exits 1 when icon.png's
pixels differ from what this script draws (the compressed bytes may differ between zlib builds).
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

ICON = Path(__file__).resolve().parent.parent / "icon.png"
SIZE = 512
CORNER = 104  # radius of the square's corners
TOP, BOTTOM = (0xD9, 0x8C, 0x4F), (0x9C, 0x52, 0x25)  # copper, lighter at the top
ARC_RADIUS, ARC_HALF_WIDTH = 140.0, 42.0
GAP = math.radians(42)  # half the opening of the C, around the +x axis


def _square_distance(x: float, y: float) -> float:
    """Signed distance to the rounded square that fills the canvas (negative inside)."""
    half = SIZE / 2
    qx, qy = abs(x - half) - (half - CORNER), abs(y - half) - (half - CORNER)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - CORNER


def _c_distance(x: float, y: float) -> float:
    """Signed distance to the "C": an arc with round ends, open towards the right."""
    dx, dy = x - SIZE / 2, SIZE / 2 - y
    if abs(math.atan2(dy, dx)) >= GAP:
        return abs(math.hypot(dx, dy) - ARC_RADIUS) - ARC_HALF_WIDTH
    end_x, end_y = ARC_RADIUS * math.cos(GAP), math.copysign(ARC_RADIUS * math.sin(GAP), dy)
    return math.hypot(dx - end_x, dy - end_y) - ARC_HALF_WIDTH


def _coverage(distance: float) -> float:
    return min(max(0.5 - distance, 0.0), 1.0)


def pixels() -> bytes:
    """The image as PNG scanlines: a filter byte, then RGBA for each pixel of the row."""
    rows = bytearray()
    for y in range(SIZE):
        t = y / (SIZE - 1)
        copper = [round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True)]
        rows.append(0)
        for x in range(SIZE):
            cx, cy = x + 0.5, y + 0.5
            alpha = _coverage(_square_distance(cx, cy))
            white = _coverage(_c_distance(cx, cy))
            rows += bytes(round(c + (255 - c) * white) for c in copper)
            rows.append(round(255 * alpha))
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(scanlines: bytes) -> bytes:
    """A SIZE x SIZE 8-bit RGBA PNG file holding these scanlines."""
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(scanlines, 9))
        + _chunk(b"IEND", b"")
    )


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and decompressed scanlines of a PNG written by ``png`` (one IDAT chunk or more)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG file")
    offset, width, height, compressed = 8, 0, 0, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            compressed += body
        offset += 12 + length
    return width, height, zlib.decompress(compressed)


def main() -> int:
    """Write icon.png, or with --check report whether it shows what this script draws."""
    drawn = pixels()
    if "--check" in sys.argv:
        if not ICON.exists() or read_png(ICON.read_bytes())[2] != drawn:
            print("icon.png is not what scripts/draw_icon.py draws: run it", file=sys.stderr)
            return 1
        return 0
    ICON.write_bytes(png(drawn))
    print(f"wrote {ICON.name} ({ICON.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
