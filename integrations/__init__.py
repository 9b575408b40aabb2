"""Clients of outside systems (Kubernetes, Jenkins, Jira, Alertmanager, Prometheus, chat).

Each client maps its vendor's errors into `bot.errors`-shaped exceptions of its own module
and returns plain values; no vendor model leaves this package.
"""
