"""gunicorn settings for microblog: `gunicorn -c gunicorn.conf.py` from any directory.

Every value can be changed from the environment, so the same file serves a Linux server
(nginx in front), a container and a Heroku-style platform. Reload code and settings without
dropping a request: `kill -HUP <master pid>` starts new workers, then stops the old ones
gracefully (what `systemctl reload microblog` and `supervisorctl signal HUP` do).
"""

import multiprocessing
import os
from pathlib import Path

# The project directory: .env is read from here and the `microblog` package imported from it.
chdir = str(Path(__file__).resolve().parent)
wsgi_app = "microblog:create_app()"

# GUNICORN_BIND (host:port, or unix:/run/microblog.sock); else PORT as a PaaS sets it (all
# interfaces); else 127.0.0.1:8000 for a proxy on the same machine.
if os.environ.get("GUNICORN_BIND"):
    bind = [os.environ["GUNICORN_BIND"]]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

# WEB_CONCURRENCY is the name Heroku-style platforms use; the default is gunicorn's rule of
# thumb for sync workers, which wait on the database: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# More than one thread turns the workers into gthread workers.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A worker silent for `timeout` seconds is killed and replaced; on HUP or TERM, workers get
# `graceful_timeout` seconds to finish the requests they are serving.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

# Access and error logs on standard output / error, for journald, supervisor and containers.
# Each line starts with the client's address as the app sees it (through TRUSTED_PROXIES),
# then the X-Forwarded-For chain as received.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s [%({x-forwarded-for}i)s] "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The app decides which X-Forwarded-* headers to believe (TRUSTED_PROXIES, werkzeug's
# ProxyFix); gunicorn must not act on X-Forwarded-Proto behind its back.
secure_scheme_headers: dict[str, str] = {}

# Worker heartbeats in memory, not on a disk that may be slow (a container's overlay).
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - gunicorn's own advice for containers
if SHARED_MEMORY.is_dir():
    worker_tmp_dir = str(SHARED_MEMORY)

# No runtime control socket (gunicorn 24+): signals do the job, and two instances on one
# machine would fight over its default path. Older gunicorns ignore the setting.
control_socket_disable = True
