"""Writes one `## NAME` section of BENCHMARKS.md, keeping the others: shared by the scripts under
Benchmarks/, which each measure one thing and own one section."""
import os
import re

HEADER = "# Benchmarks\n\nMeasured by the scripts under `Benchmarks/`; each section says how to reproduce it.\n"


def replace_section(md_path, name, section):
    """Replaces the section headed `## name` (up to the next `## `) with `section`, or appends it."""
    section = section.rstrip("\n") + "\n"
    text = open(md_path).read() if os.path.exists(md_path) else HEADER
    pattern = re.compile(r"^## " + re.escape(name) + r"[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda m: section + ("\n" if m.end() < len(text) else ""), text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(md_path, "w") as f:
        f.write(text)
