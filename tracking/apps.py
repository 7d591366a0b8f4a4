from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"

    def ready(self) -> None:
        from tracking import rollups

        rollups.connect_signals()
        from tracking.attribution import resolve

        resolve.connect_signals()
