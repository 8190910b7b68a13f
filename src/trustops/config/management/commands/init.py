from django.core.management.base import BaseCommand

from trustops.config.initialisation import has_run, initialise


class Command(BaseCommand):
    help = ("Give a freshly migrated database its starting configuration (the policy catalogue, a default "
            "queue, the appeals queue). Runs once; later runs change nothing.")

    def handle(self, *args, **options):
        ran_before = has_run()
        created = initialise()
        if options["verbosity"] == 0:
            return
        if ran_before:
            self.stdout.write("Already initialised: nothing changed.")
        elif created:
            self.stdout.write("Initialised: " + ", ".join(created) + ".")
        else:
            self.stdout.write("Initialised: everything was configured already.")
