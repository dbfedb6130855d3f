"""Client-side seams that point the real client libraries at the fake.

* :class:`LoopbackHttp` — an ``httplib2.Http`` for googleapiclient. googleapiclient
  builds media-upload URLs from the discovery document's ``rootUrl`` and only swaps
  the *host* for the one in ``client_options["api_endpoint"]`` (see
  ``googleapiclient.discovery._fix_up_media_path_base_url``), so an upload to a fake
  at ``http://127.0.0.1:PORT`` is sent to ``https://127.0.0.1:PORT/upload/...``. This
  class sends such requests over plain http. It also drops 308 from the redirect codes
  as ``googleapiclient.http.build_http`` does (resumable uploads answer 308).
* :class:`RerouteAdapter` — a ``requests`` transport adapter that sends requests for
  Google's hosts to the fake; mount it on gspread's session (``client.http_client.session``).
"""
from __future__ import annotations

import urllib.parse

import httplib2
import requests.adapters

GOOGLE_HOSTS = (
    "https://sheets.googleapis.com/",
    "https://www.googleapis.com/",
    "https://forms.googleapis.com/",
    "https://gmail.googleapis.com/",
    "https://admin.googleapis.com/",
    "https://drive.googleapis.com/",
)


class LoopbackHttp(httplib2.Http):
    """httplib2.Http that rewrites ``https://<fake netloc>`` to ``http://<fake netloc>``."""

    def __init__(self, base_url: str, timeout: float = 30, **kwargs) -> None:
        super().__init__(timeout=timeout, **kwargs)
        self._netloc = urllib.parse.urlsplit(base_url).netloc
        self.redirect_codes = self.redirect_codes - {308}

    def request(self, uri, method="GET", body=None, headers=None,
                redirections=httplib2.DEFAULT_MAX_REDIRECTS, connection_type=None):
        secure = f"https://{self._netloc}"
        if uri.startswith(secure):
            uri = "http://" + uri[len("https://"):]
        return super().request(uri, method, body=body, headers=headers,
                               redirections=redirections, connection_type=connection_type)


class RerouteAdapter(requests.adapters.HTTPAdapter):
    """Sends every request it is mounted for to ``base_url`` keeping path and query."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        request.url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


def mount(session: requests.Session, base_url: str) -> requests.Session:
    """Route ``session``'s requests for Google's API hosts to the fake at ``base_url``."""
    adapter = RerouteAdapter(base_url)
    for prefix in GOOGLE_HOSTS:
        session.mount(prefix, adapter)
    return session
