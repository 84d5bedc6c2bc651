#!/usr/bin/env python3
"""Serves a directory (web/dist) on 127.0.0.1, sending the precompressed copy of a file (FILE.br, FILE.gz, made by
scripts/build-web.sh) when the browser accepts that encoding, with `Content-Encoding` and `Vary: Accept-Encoding`.
Standard library only. Usage: serve.py PORT DIRECTORY"""

import functools
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    # The wasm must be served as application/wasm for streaming compilation.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".js": "text/javascript"}

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        accepted = {e.split(";")[0].strip() for e in self.headers.get("Accept-Encoding", "").split(",")}
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            if encoding in accepted and os.path.isfile(path + suffix) and os.path.isfile(path):
                try:
                    f = open(path + suffix, "rb")
                except OSError:
                    break
                size = os.fstat(f.fileno()).st_size
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(path))
                self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(size))
                self.send_header("Vary", "Accept-Encoding")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                return f
        return super().send_head()

    def log_message(self, format, *args):
        if os.environ.get("SERVE_LOG"):
            super().log_message(format, *args)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: serve.py PORT DIRECTORY")
    port, directory = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(Handler, directory=directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
