"""Parsers and simulators of the artefacts learners write, one module per kind of artefact.

A GitHub Actions workflow and its expressions, a Dockerfile, an OpenAPI document, a requirements
file, Markdown documents, a Prometheus scrape (`exposition`), a Prometheus rule file
(`alert_rules`) and the PromQL in it (`promql`): each is read here into plain data, with line
numbers for messages, and tested on its own (`tests/artefacts/`). The stage packages judge what these return; nothing here
knows about exercises, hints or ✅ lines.
"""
