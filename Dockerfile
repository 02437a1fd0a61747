# microblog's image: the app, its dependencies and compiled translations, run by a user
# without privileges. `docker compose up` (docker-compose.yml) runs it behind nginx.
#
#   docker build -t microblog .
#   docker run -e SECRET_KEY=... -e BASE_URL=https://... -e DATABASE_URL=... -p 8000:8000 microblog

# --- build: a virtual environment with the dependencies, and the .mo catalogs ------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /venv
COPY setup.cfg pyproject.toml README.md ./
COPY microblog microblog
COPY templates templates
# Installs the dependencies (all wheels: nothing to compile); the app itself runs from /app.
RUN /venv/bin/pip install . && /venv/bin/pip uninstall --yes microblog
COPY . .
RUN /venv/bin/pybabel compile -d translations

# --- run: no compiler, no pip cache, no sources of the build ------------------------------
FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOG_TO_STDOUT=1 \
    GUNICORN_BIND=0.0.0.0:8000 \
    TRUSTED_PROXIES=1
RUN useradd --system --create-home --home-dir /home/microblog --shell /usr/sbin/nologin microblog
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
# The app's only writable place: instance/ (the SQLite file, when no DATABASE_URL is set).
RUN install -d -o microblog -g microblog /app/instance
WORKDIR /app
USER microblog
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
CMD ["deploy/boot.sh"]
