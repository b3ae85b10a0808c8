#!/usr/bin/env python3
"""Draws src/icon.png, the packages' 128x128 icon: a white ring and keyhole on a blue rounded square.

Standard library only (zlib and struct write the PNG), supersampled 4x4 for smooth edges.
Run from anywhere: python3 src/icon.py
"""
import math
import os
import struct
import zlib

SIZE, SAMPLES = 128, 4
BLUE, WHITE = (0x33, 0x66, 0xCC), (0xFF, 0xFF, 0xFF)


def inside_background(x, y):
    # A square with corners rounded at radius 24.
    r = 24
    cx = min(max(x, r), SIZE - r)
    cy = min(max(y, r), SIZE - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def inside_ring(x, y):
    d = math.hypot(x - 64, y - 64)
    return 36 <= d <= 46


def inside_keyhole(x, y):
    if math.hypot(x - 64, y - 55) <= 11:
        return True
    if 58 <= y <= 84:
        # A trapezoid widening downwards from the hole's centre.
        half = 5 + (y - 58) * 4 / 26
        return abs(x - 64) <= half
    return False


def pixel(px, py):
    background = ring = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = px + (sx + 0.5) / SAMPLES
            y = py + (sy + 0.5) / SAMPLES
            if inside_background(x, y):
                background += 1
                if inside_ring(x, y) or inside_keyhole(x, y):
                    ring += 1
    n = SAMPLES * SAMPLES
    if background == 0:
        return (0, 0, 0, 0)
    # White over blue by coverage; alpha by the background's coverage.
    t = ring / background
    rgb = tuple(round(b + (w - b) * t) for b, w in zip(BLUE, WHITE))
    return rgb + (round(255 * background / n),)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = b"".join(b"\x00" + bytes(c for px in range(SIZE) for c in pixel(px, py)) for py in range(SIZE))
png = (b"\x89PNG\r\n\x1a\n"
       + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9))
       + chunk(b"IEND", b""))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
    f.write(png)
