"""Configuration and database access (STAND-IN until stage 04 joins the blueprint)."""
