"""Run the Python checks of deploy/ (one section per module, or those named on the command line).

Usage: python3 deploy/checks/run.py [compose] [k8s] [systemd_units] [dockerfile] [samples]
"""

import importlib
import sys

from report import main_guard

SECTIONS = ("compose", "k8s", "systemd_units", "dockerfile", "samples")

if __name__ == "__main__":
    for name in sys.argv[1:] or SECTIONS:
        main_guard(importlib.import_module(name).run)
