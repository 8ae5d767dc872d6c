#!/usr/bin/env python3
"""HCS 8.0.2 / OceanStor Dorado V6 simulator for Blockferry's tests. See README.md next to this file."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hcssim.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
