from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """The long-running processes: the web server and the background worker."""
    name = "trustops.runtime"
    label = "runtime"
