#!/usr/bin/env python3
"""Writes news.warc (WARC/1.1, plain) and news.warc.gz (WARC/1.0, one gzip member per record,
as CC-NEWS does). All content is invented for dyad's tests. Run from this folder:
    python3 make_warc.py
"""
import gzip

EN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbor city opens new ferry terminal</title>
<meta property="article:published_time" content="2025-10-29T09:30:00+09:00">
</head><body><article><h1>Harbor city opens new ferry terminal</h1>
<p>The city of Eastport opened its new ferry terminal on Wednesday, ending two years of works on the old pier.</p>
<p>The terminal can handle four ferries at once, the port authority said.</p>
</article></body></html>
"""

KO_PAGE = """<html><head><title>한빛시, 새 시립 도서관 개관</title></head>
<body><article><h1>한빛시, 새 시립 도서관 개관</h1>
<p>한빛시는 29일 새 시립 도서관을 개관했다. 도서관에는 책 12만 권이 있다.</p>
<p>시장은 "주민 누구나 이용할 수 있다"고 말했다.</p>
</article></body></html>
"""

GZ_PAGE = """<html><head><meta charset="utf-8"><title>Old bridge reopens after repairs</title></head>
<body><article><h1>Old bridge reopens after repairs</h1>
<p>The Millbrook bridge reopened to traffic on Thursday after eight months of repairs.</p>
</article></body></html>
"""

CHUNKED_PAGE = """<html><head><meta charset="utf-8"><title>Fish market moves to the east pier</title></head>
<body><article><h1>Fish market moves to the east pier</h1>
<p>Eastport's fish market will move to the east pier next spring, traders were told.</p>
</article></body></html>
"""


def http(status, headers, body):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("ascii") + body


def chunked(body, size=40):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return out + b"0\r\n\r\n"


def record(version, n, kind, uri, content_type, block):
    head = [
        f"WARC/{version}",
        f"WARC-Type: {kind}",
        "WARC-Date: 2025-10-30T01:02:03Z",
        f"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012d}>",
    ]
    if uri:
        head.append(f"WARC-Target-URI: {uri}")
    head += [f"Content-Type: {content_type}", f"Content-Length: {len(block)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + block + b"\r\n\r\n"


def records(version):
    en = EN_PAGE.encode("utf-8")
    ko = KO_PAGE.encode("euc-kr")
    gz = gzip.compress(GZ_PAGE.encode("utf-8"), mtime=0)
    ch = CHUNKED_PAGE.encode("utf-8")
    jpeg = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]) + b"JFIF\x00" + bytes(range(256))
    resp = "application/http; msgtype=response"
    return [
        ("warcinfo", None, "application/warc-fields",
         b"software: dyad test fixture\r\nformat: WARC File Format\r\n"),
        ("request", "https://news.example.com/2025/10/29/harbor-ferry", "application/http; msgtype=request",
         b"GET /2025/10/29/harbor-ferry HTTP/1.1\r\nHost: news.example.com\r\n\r\n"),
        ("response", "https://news.example.com/2025/10/29/harbor-ferry", resp,
         http("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", len(en))], en)),
        ("metadata", "https://news.example.com/2025/10/29/harbor-ferry", "application/warc-fields",
         b"fetchTimeMs: 120\r\n"),
        ("response", "https://news.example.kr/society/library", resp,
         http("200 OK", [("Content-Type", "text/html; charset=euc-kr"), ("Content-Length", len(ko))], ko)),
        ("response", "https://news.example.com/2025/10/30/bridge", resp,
         http("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                         ("Content-Length", len(gz))], gz)),
        ("response", "https://news.example.com/2025/10/30/market", resp,
         http("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")],
              chunked(ch))),
        ("response", "https://news.example.com/missing", resp,
         http("404 Not Found", [("Content-Type", "text/html")], b"<html><body>Not found</body></html>")),
        ("response", "https://news.example.com/photo.jpg", resp,
         http("200 OK", [("Content-Type", "image/jpeg"), ("Content-Length", len(jpeg))], jpeg)),
        ("revisit", "https://news.example.com/2025/10/29/harbor-ferry", resp,
         b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"),
    ]


def main():
    with open("news.warc", "wb") as f:
        for n, (kind, uri, ct, block) in enumerate(records("1.1"), 1):
            f.write(record("1.1", n, kind, uri, ct, block))
    with open("news.warc.gz", "wb") as f:
        for n, (kind, uri, ct, block) in enumerate(records("1.0"), 1):
            f.write(gzip.compress(record("1.0", n, kind, uri, ct, block), mtime=0))


main()
