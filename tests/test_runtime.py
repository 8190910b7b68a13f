"""Server processes tune the garbage collector once the application is loaded."""
import gc

from trustops.kernel import runtime


def test_serving_raises_the_collector_thresholds_and_freezes_the_startup_heap():
    before_thresholds = gc.get_threshold()
    try:
        runtime.prepare_for_serving()
        assert gc.get_threshold() == runtime.SERVING_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before_thresholds)
