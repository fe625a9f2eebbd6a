"""A local HTTP server for the download tests (a helper, not tests)."""

import contextlib
import http.server
import threading


@contextlib.contextmanager
def serve_folder(root):
    """A real HTTP server on 127.0.0.1 (never another address) serving the files in `root`,
    stopped on exit; yields its base URL."""
    def handler(*a, **kw):
        return http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **kw)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *a: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
