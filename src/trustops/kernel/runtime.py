"""How a long-running server process is set up once the application is loaded."""
import gc

# A batch of reports allocates hundreds of thousands of short-lived objects. With the interpreter's default
# thresholds (700, 10, 10) the cyclic collector ran some 140 times per batch of 1,000 reports and took over a
# third of intake's CPU; with these it runs a few times per batch. Reference counting still frees almost
# everything at once: the collector is only for cycles, which can wait a little longer.
SERVING_GC_THRESHOLDS = (50_000, 20, 100)


def prepare_for_serving() -> None:
    """Tune the garbage collector for request work and take what is loaded so far out of its reach.

    What is loaded by now (Django, the apps, their modules) lives as long as the process: frozen, full
    collections never walk it again, and with a pre-forking server (`gunicorn --preload`) its pages stay shared
    between workers.
    """
    gc.set_threshold(*SERVING_GC_THRESHOLDS)
    gc.collect()
    gc.freeze()
