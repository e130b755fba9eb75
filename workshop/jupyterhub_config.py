# JupyterHub's configuration for a workshop on one machine. Start it with `make workshop`, which
# checks the cohort file, prepares the machine and passes its decisions in WORKSHOP_* variables;
# the configuration itself is `workshop.hubconfig.configure`, where the tests can read it.
from workshop.hubconfig import HubSettings, configure

configure(c, HubSettings.from_env())  # noqa: F821 - `c` is given by JupyterHub
