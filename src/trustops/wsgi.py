import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustops.settings")

from trustops.kernel.runtime import prepare_for_serving  # noqa: E402
from trustops.runtime.serving import application as configured_application  # noqa: E402

# Any WSGI server (waitress through `trustops serve`, or gunicorn) gets the same proxy-header rules.
application = configured_application()
prepare_for_serving()
