from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "trustops.simulation"
    label = "simulation"
