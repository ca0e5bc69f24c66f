from django.apps import AppConfig


class MizanDjangoConfig(AppConfig):
    name = "mizan_django"
    verbose_name = "Mizan"
