"""The agile domain, pure logic: a sprint's progress and burndown, blocked work, velocity and
the risk of carrying work over, and what a stand-up tells. It reads issues and sprints through
the shapes of `sprint.model` and calls no outside system; commands fetch, this computes."""
