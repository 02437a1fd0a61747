"""PythonAnywhere's WSGI file for microblog (README, "Deploying on PythonAnywhere").

Paste this into the file the Web tab links to (/var/www/<username>_pythonanywhere_com_wsgi.py)
and change PROJECT to where you cloned the repository. The settings come from .env in the
project (SECRET_KEY, BASE_URL, DATABASE_URL, ...), as with every other way of running it.
"""

import os
import sys
from pathlib import Path

PROJECT = Path(os.environ.get("MICROBLOG_HOME", Path.home() / "microblog"))

sys.path.insert(0, str(PROJECT))
# The app reads .env from the current directory, as `flask` and gunicorn see it.
os.chdir(PROJECT)

from microblog import create_app  # noqa: E402 - needs the path above

application = create_app()
