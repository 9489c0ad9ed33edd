#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make-media.py KIND PATH: writes a small real file of KIND for the viewers
# and players of 57-real-apps.bats, made at test time with nothing but the
# standard library:
#   pdf   one page with a line of text (Helvetica), a filled red square
#   png   96x64 RGB, a colour gradient
#   svg   a red circle and a line of text
#   rtf   a line of text
#   wav   6 s of a 440 Hz sine, 16-bit mono 8 kHz
#   y4m   6 s of 160x120 video at 10 frames a second, moving colour bars
import math
import struct
import sys
import wave
import zlib


def pdf(path):
    content = (b"BT /F1 24 Tf 72 700 Td (hello from the jail) Tj ET\n"
               b"1 0 0 rg 72 500 150 150 re f\n")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)


def png(path):
    w, h = 96, 64
    rows = b"".join(b"\0" + b"".join(bytes((x * 255 // w, y * 255 // h, 128)) for x in range(w))
                    for y in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def svg(path):
    with open(path, "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120">'
                '<circle cx="60" cy="60" r="50" fill="red"/>'
                '<text x="20" y="115">hello from the jail</text></svg>\n')


def rtf(path):
    with open(path, "w") as f:
        f.write("{\\rtf1\\ansi {\\fs48 hello from the jail}\\par}\n")


def wav(path):
    rate = 8000
    with wave.open(path, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(6 * rate)))


def y4m(path):
    w, h, fps = 160, 120, 10
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n" % (w, h, fps))
        for n in range(6 * fps):
            f.write(b"FRAME\n")
            f.write(bytes(((x + 4 * n) % w) * 255 // w for _ in range(h) for x in range(w)))
            f.write(bytes([90]) * (w * h // 4))
            f.write(bytes([240]) * (w * h // 4))


KINDS = {"pdf": pdf, "png": png, "svg": svg, "rtf": rtf, "wav": wav, "y4m": y4m}

if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
    sys.exit("usage: make-media.py {%s} PATH" % "|".join(KINDS))
KINDS[sys.argv[1]](sys.argv[2])
