"""The workshop hub: cohort, JupyterHub launcher and the cohort dashboard service."""
