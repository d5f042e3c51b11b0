"""`./course hub`: run the course's demo JupyterHub (coursehub.launch)."""

import sys

from coursehub.launch import main

if __name__ == "__main__":
    sys.exit(main())
