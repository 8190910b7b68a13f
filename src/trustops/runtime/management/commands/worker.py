import logging

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

from trustops.kernel.runtime import prepare_for_serving


class Command(RunHuey):
    help = "Run the background job worker (the Huey consumer): deliveries, ledger sealing, scheduled jobs."

    def handle(self, *args, **options):
        huey_log = logging.getLogger("huey")
        if options.get("verbose") is not None:
            # -V/-q: huey prints through its own handler; do not print every line twice through the root one.
            huey_log.propagate = False
        elif not huey_log.handlers:
            # Leave output to the project's logging settings (warnings and errors) instead of huey's chatter.
            huey_log.addHandler(logging.NullHandler())
        prepare_for_serving()
        super().handle(*args, **options)
