"""What a sandbox build prints: the console lines of each stage, as a Pipeline (or a freestyle
job's shell steps) prints them, so a console tail reads like one from a real Jenkins.

Pure text, no clock: `sandbox.jenkins_model` decides when each line appears.
"""

from __future__ import annotations

import hashlib

GIT_SERVER = "https://git.example.com"
REGISTRY = "registry.example.com"


def commit_of(job: str, branch: str, number: int) -> str:
    """A stable fake commit id for a build (the same build always checked out the same)."""
    return hashlib.sha1(f"{job}/{branch}/{number}".encode(), usedforsecurity=False).hexdigest()


def image_tag(branch: str, number: int) -> str:
    """The tag a build pushes: a release number from the main branch, else the branch."""
    if branch in ("main", "master"):
        return f"1.1.{number}"
    slug = "".join(c if c.isalnum() or c in ".-" else "-" for c in branch.lower()).strip("-.")
    return f"{slug[:100] or 'branch'}-{number}"


def preamble(job: str, app: str, cause: str, *, pipeline: bool) -> list[str]:
    workspace = f"/var/jenkins_home/workspace/{job.replace('/', '_')}"
    if not pipeline:
        return [cause, "Running as SYSTEM", f"Building in workspace {workspace}"]
    return [
        cause,
        f"Obtained Jenkinsfile from git {GIT_SERVER}/{app}.git",
        "[Pipeline] Start of Pipeline",
        "[Pipeline] node",
        f"Running on Jenkins in {workspace}",
        "[Pipeline] {",
    ]


def stage_lines(
    stage: str, *, app: str, job: str, branch: str, number: int, fail: bool
) -> list[str]:
    """The lines a stage prints; a failing stage ends in the error that failed it."""
    commit = commit_of(job, branch, number)
    tag = image_tag(branch, number)
    workspace = f"/var/jenkins_home/workspace/{job.replace('/', '_')}"
    test_class = "".join(part.capitalize() for part in app.split("-")) + "ServiceTest"
    body: dict[str, list[str]] = {
        "Checkout": [
            "The recommended git tool is: NONE",
            f" > git rev-parse --resolve-git-dir {workspace}/.git # timeout=10",
            "Fetching changes from the remote Git repository",
            f" > git fetch --tags --force --progress -- {GIT_SERVER}/{app}.git"
            " +refs/heads/*:refs/remotes/origin/* # timeout=10",
            f" > git rev-parse refs/remotes/origin/{branch}^{{commit}} # timeout=10",
            f"Checking out Revision {commit} (refs/remotes/origin/{branch})",
            f" > git checkout -f {commit} # timeout=10",
            f'Commit message: "{app}: build {number} from {branch}"',
        ],
        "Build": [
            "+ ./gradlew --no-daemon assemble",
            "> Task :compileJava",
            "> Task :processResources",
            "> Task :classes",
            "> Task :bootJar",
            "> Task :assemble",
            "BUILD SUCCESSFUL in 41s",
            "5 actionable tasks: 5 executed",
        ],
        "Test": [
            "+ ./gradlew --no-daemon test",
            "> Task :compileTestJava",
            "> Task :test",
            f"{test_class} > chargesTheCard() PASSED",
            f"{test_class} > refundsPartially() PASSED",
            f"{test_class} > retriesOnTimeout() PASSED",
        ],
        "Push image": [
            f"+ docker build -t {REGISTRY}/{app}:{tag} .",
            "#1 [internal] load build definition from Dockerfile",
            "#5 [2/3] COPY build/libs/app.jar /app.jar",
            "#6 exporting to image",
            f"+ docker push {REGISTRY}/{app}:{tag}",
            f"{tag}: digest: sha256:{commit}{commit[:24]} size: 1789",
            f"+ echo {tag}",
            "[Pipeline] archiveArtifacts",
            "Archiving artifacts",
        ],
    }
    generic = [f"+ make {stage.lower().replace(' ', '-')}", f"{stage}: ok"]
    if fail:
        failing = {
            "Checkout": [
                f" > git rev-parse refs/remotes/origin/{branch}^{{commit}} # timeout=10",
                "ERROR: Couldn't find any revision to build. "
                "Verify the repository and branch configuration for this job.",
            ],
            "Build": [
                "+ ./gradlew --no-daemon assemble",
                "> Task :compileJava FAILED",
                f"{workspace}/src/main/java/com/example/App.java:42: error: cannot find symbol",
                "FAILURE: Build failed with an exception.",
                "BUILD FAILED in 23s",
            ],
            "Test": [
                f"{test_class} > rejectsExpiredCard() FAILED",
                "    org.opentest4j.AssertionFailedError: expected: <DECLINED> but was: <APPROVED>",
                "        at app//org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)",
                f"        at app//com.example.{test_class}"
                f".rejectsExpiredCard({test_class}.java:87)",
                "",
                "4 tests completed, 1 failed",
                "",
                "FAILURE: Build failed with an exception.",
                "",
                "* What went wrong:",
                "Execution failed for task ':test'.",
                "> There were failing tests. See the report at: "
                f"file://{workspace}/build/reports/tests/test/index.html",
                "",
                "BUILD FAILED in 48s",
            ],
            "Push image": [
                f"+ docker push {REGISTRY}/{app}:{tag}",
                f"denied: requested access to the resource is denied: {REGISTRY}/{app}",
            ],
        }
        known = body.get(stage, generic)
        return known[: len(known) // 2] + failing.get(stage, [f"ERROR: {stage} failed"])
    return body.get(stage, generic)


def stage_open(stage: str, *, pipeline: bool) -> list[str]:
    if not pipeline:
        script = int(commit_of("script", stage, 0)[:8], 16)
        return [f"[{stage}] $ /bin/sh -xe /tmp/jenkins{script}.sh"]
    return ["[Pipeline] stage", f"[Pipeline] {{ ({stage})"]


def stage_close(*, pipeline: bool) -> list[str]:
    return ["[Pipeline] }", "[Pipeline] // stage"] if pipeline else []


def stage_skipped(stage: str) -> list[str]:
    return [
        "[Pipeline] stage",
        f"[Pipeline] {{ ({stage})",
        f'Stage "{stage}" skipped due to earlier failure(s)',
        "[Pipeline] }",
        "[Pipeline] // stage",
    ]


def ending(result: str, *, pipeline: bool, aborted_by: str | None = None) -> list[str]:
    lines: list[str] = []
    if aborted_by is not None:
        lines.append(f"Aborted by {aborted_by}")
    if pipeline:
        lines += ["[Pipeline] }", "[Pipeline] // node", "[Pipeline] End of Pipeline"]
    if result == "FAILURE":
        lines.append("ERROR: script returned exit code 1" if pipeline else "Build step failed")
    lines.append(f"Finished: {result}")
    return lines
