"""Local servers that speak the HTTP protocols of Kubernetes, Slack, Mattermost, Jenkins and
Jira closely enough that the real client libraries (and kubectl) work against them unchanged.

They exist for tests, `kuber demo` and newcomers; production never imports them.
"""
