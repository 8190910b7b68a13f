import os

from django.core.wsgi import get_wsgi_application

from trustops.kernel.runtime import prepare_for_serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustops.settings")
application = get_wsgi_application()
prepare_for_serving()
