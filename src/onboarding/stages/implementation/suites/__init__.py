"""Test modules the stage 04 checks run with pytest in a child process, against a project.

They are the course's hidden tests: each test is one expectation of an exercise, and its
assertion message is the ❌ line's text. They hold what the service must do, never how.
"""
