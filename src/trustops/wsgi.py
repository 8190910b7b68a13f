import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustops.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process. Moving it out of the
# cyclic garbage collector's reach keeps each collection to the objects requests create; a batch of reports
# creates tens of thousands, and full collections walking the whole heap cost intake about a quarter of its
# CPU. With a pre-forking server (`gunicorn --preload`) the frozen pages also stay shared between workers.
gc.freeze()
