"""Test modules the capstone's checks run with pytest in a child process, against a project.

The course's hidden acceptance tests for recurring weekly bookings: each test is one behaviour
the PRD asks for, and its assertion message is the ❌ line's text. They hold what the service
must do, never how.
"""
