#!/usr/bin/env python3
"""Times trafilatura's main-text extraction for `dyad bench --compare trafilatura`.

Reads JSON Lines on standard input, one page per line: {"key": "...", "html": "..."}. All
pages are read first; then `trafilatura.extract` runs on each of them, `--repeat` times, with
the process pinned to one CPU, and only those calls are timed. Writes one JSON object to
standard output:

    {"system": "trafilatura 2.3.1", "pages": 181, "seconds": 2.31, "cpu_seconds": 2.2,
     "texts": {"<key>": "..."}}

`seconds` is the mean wall-clock time of one pass over all pages, `cpu_seconds` the mean CPU
time of this thread for one pass (what one core spent, whatever else the machine runs). The texts are scored by dyad with the
same metric as its own output. Exit status 3 means trafilatura cannot be imported.

Set it up once, for example:

    python3 -m venv /work/venv-traf
    /work/venv-traf/bin/pip install trafilatura lxml_html_clean
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--favor-precision", action="store_true")
    a = ap.parse_args()
    try:
        import trafilatura
    except Exception as e:  # ImportError, or a broken dependency (lxml.html.clean)
        print(f"cannot import trafilatura: {e}", file=sys.stderr)
        sys.exit(3)
    pages = []
    for line in sys.stdin.buffer:
        if line.strip():
            d = json.loads(line)
            pages.append((d["key"], d["html"]))
    # One core: stay on the first CPU this process may use.
    if hasattr(os, "sched_setaffinity"):
        try:
            cpus = sorted(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpus[0]})
        except OSError:
            pass
    texts = {}
    repeat = max(1, a.repeat)
    start = time.perf_counter()
    cpu_start = time.thread_time()
    for r in range(repeat):
        for key, html in pages:
            text = trafilatura.extract(html, favor_precision=a.favor_precision)
            if r == 0:
                texts[key] = text or ""
    seconds = (time.perf_counter() - start) / repeat
    cpu_seconds = (time.thread_time() - cpu_start) / repeat
    version = getattr(trafilatura, "__version__", "?")
    json.dump(
        {
            "system": f"trafilatura {version}" + (" (favor_precision)" if a.favor_precision else ""),
            "pages": len(pages),
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "texts": texts,
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main()
