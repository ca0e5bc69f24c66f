"""`manage.py mizan_export [--output FILE] [--check]`: writes the schema-export from the code.

Settings: MIZAN = {"project": ..., "doc": ..., "clients": [modules to import], "types": module
whose named types come first, in the order it declares them, "output": default path,
"schema_url": the "$schema" member}."""
import difflib
import enum
import importlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, is_typeddict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mizan_django import export
from mizan_django.types import SchemaError, named_marker


class Command(BaseCommand):
    help = "Write the Mizan schema-export of this project's @client views."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: settings.MIZAN['output']); - for stdout")
        parser.add_argument("--check", action="store_true",
                            help="write nothing; exit 1 with a diff when the file differs from the code")

    def handle(self, *args, **options):
        config = settings.MIZAN
        for module in config["clients"]:
            importlib.import_module(module)
        try:
            document = export.build(project=config["project"], doc=config.get("doc"), schema_url=config.get("schema_url"),
                                    declared_types=_declared(config.get("types")))
        except SchemaError as error:
            raise CommandError(str(error)) from None
        text = export.render(document)
        output = options["output"] or str(config["output"])
        if output == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if options["check"]:
            current = path.read_text() if path.exists() else ""
            if current != text:
                sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                           str(path), "mizan_export"))
                self.stderr.write(f"{path} is stale: run manage.py mizan_export")
                sys.exit(1)
            self.stdout.write(f"{path} is up to date")
            return
        # Atomic: a failed run leaves the previous file.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(text)
        os.replace(handle.name, path)
        self.stdout.write(f"wrote {path} ({len(document['clients'])} clients, {len(document['types'])} types)")


def _declared(module_name: str | None) -> list[Any]:
    """The named types a module defines, in definition order (module dicts keep it)."""
    if not module_name:
        return []
    module = importlib.import_module(module_name)
    found = []
    for value in vars(module).values():
        if named_marker(value) is not None:
            found.append(value)
        elif isinstance(value, type) and value.__module__ == module_name \
                and (is_typeddict(value) or issubclass(value, enum.Enum)):
            found.append(value)
    return found
