"""Greet someone: reads JSON parameters on stdin, writes a JSON result."""

import json
import sys

params = json.load(sys.stdin)
greeting = f"Hello, {params['name']}!"
if params.get("shout"):
    greeting = greeting.upper()
json.dump({"greeting": greeting}, sys.stdout)
