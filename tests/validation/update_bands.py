#!/usr/bin/env python3
"""Rewrites the band table of src/core/advice/bands.cpp from the validation set.

Run from the repository root after the points or the predictions change:
    python3 tests/validation/update_bands.py build/willitfit
It runs `willitfit validate --bands` (the 80th percentile of |error| per category and engine over
tests/validation/points.json) and puts its rows between the GENERATED markers. The Catch2 test
"the band table in bands.cpp is the one the validation set gives today" fails until this is done.
"""
import re, subprocess, sys

binary = sys.argv[1] if len(sys.argv) > 1 else "build/willitfit"
rows = subprocess.run([binary, "validate", "--bands"], capture_output=True, text=True, check=True).stdout
path = "src/core/advice/bands.cpp"
text = open(path).read()
new, n = re.subn(r"(// BEGIN GENERATED BAND TABLE[^\n]*\n).*?(// END GENERATED BAND TABLE)",
                 lambda m: m.group(1) + rows + m.group(2), text, flags=re.S)
assert n == 1, "markers not found in " + path
open(path, "w").write(new)
print(rows, end="")
