"""Exit 0 when this machine's web server answers /healthz with 200, else 1: the container
HEALTHCHECK. It asks gunicorn directly (GUNICORN_BIND) with the site's own host name
(BASE_URL), since the app refuses requests for other hosts."""

import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit


def main() -> int:
    bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
    port = bind.rpartition(":")[2]
    host = urlsplit(os.environ.get("BASE_URL", "")).hostname or "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - our URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
