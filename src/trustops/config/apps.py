from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "trustops.config"
    label = "platform_config"
    verbose_name = "Platform configuration"
