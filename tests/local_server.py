"""The tests' local HTTP servers (a stand-in Kolada, a hostile one, the rendered site)."""

import sys
from http.server import ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    """Says nothing when a client drops its connection: the fetch tests give up on slow and
    endless answers on purpose, and Chromium drops idle sockets. Other errors still print."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
