"""A local Earth Engine REST service for offline DAG development and tests.

``run_emulator(**options)`` starts one in a subprocess and yields its base URL; the command
``eeexport-emulator`` serves one in the foreground. Importing this package stays light: FastAPI
and uvicorn are loaded only in the server process.
"""

from .config import EmulatorConfig
from .runner import EmulatorClient, run_emulator

__all__ = ["EmulatorClient", "EmulatorConfig", "run_emulator"]
