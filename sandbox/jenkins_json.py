"""The JSON the sandbox Jenkins answers with, in the shapes Jenkins 2.4xx and its Pipeline,
Git and Notification plugins use: jobs and folders, builds with their actions, queue items,
`wfapi/describe` stages and the Notification plugin's build event.

`depth` works as in Jenkins: at 0 a nested object (a job's builds, a folder's jobs) is only
named; each level more shows it in full. A `tree` query renders deep and then picks fields.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sandbox.jenkins_model import Build, Folder, JenkinsWorld, Job, QueueItem, stage_state

PIPELINE_JOB = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
PIPELINE_RUN = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
FREESTYLE_JOB = "hudson.model.FreeStyleProject"
FREESTYLE_RUN = "hudson.model.FreeStyleBuild"
FOLDER = "com.cloudbees.hudson.plugins.folder.Folder"
JENKINS_VERSION = "2.479.3"
_DECLARATIVE = "org.jenkinsci.plugins.pipeline.modeldefinition"
_COLORS = {
    "SUCCESS": "blue",
    "FAILURE": "red",
    "UNSTABLE": "yellow",
    "ABORTED": "aborted",
    "NOT_BUILT": "notbuilt",
}


def item_path(full_name: str) -> str:
    """`a/b` -> `job/a/job/b/`, each name URL-quoted as Jenkins writes it."""
    return "".join(f"job/{quote(part, safe='')}/" for part in full_name.split("/") if part)


def job_url(base: str, job: Job | Folder) -> str:
    return base + item_path(job.full_name)


def build_url(base: str, build: Build) -> str:
    return f"{job_url(base, build.job)}{build.number}/"


# -- jobs and folders ----------------------------------------------------------------------
def color(job: Job) -> str:
    done = next((b for b in job.newest_first() if not b.building), None)
    base = _COLORS.get(done.result or "", "notbuilt") if done else "notbuilt"
    return base + ("_anime" if any(b.building for b in job.builds) else "")


def summary(base: str, node: Job | Folder) -> dict[str, Any]:
    if isinstance(node, Folder):
        return {"_class": FOLDER, "name": node.name, "url": job_url(base, node)}
    kind = PIPELINE_JOB if node.spec.pipeline else FREESTYLE_JOB
    return {"_class": kind, "name": node.name, "url": job_url(base, node), "color": color(node)}


def root_json(base: str, world: JenkinsWorld, depth: int) -> dict[str, Any]:
    return {
        "_class": "hudson.model.Hudson",
        "assignedLabels": [{"name": "built-in"}],
        "mode": "NORMAL",
        "nodeDescription": "the Jenkins controller's built-in node",
        "nodeName": "",
        "numExecutors": world.executors,
        "description": "Sandbox Jenkins for Kuber",
        "jobs": [_child(base, world, c, depth) for c in world.root.children.values()],
        "overallLoad": {},
        "primaryView": {"_class": "hudson.model.AllView", "name": "all", "url": base},
        "quietDownReason": None,
        "quietingDown": False,
        "slaveAgentPort": -1,
        "unlabeledLoad": {"_class": "jenkins.model.UnlabeledLoadStatistics"},
        "url": base,
        "useCrumbs": True,
        "useSecurity": True,
        "views": [{"_class": "hudson.model.AllView", "name": "all", "url": base}],
    }


def _child(base: str, world: JenkinsWorld, node: Job | Folder, depth: int) -> dict[str, Any]:
    if depth <= 0:
        return summary(base, node)
    if isinstance(node, Folder):
        return folder_json(base, world, node, depth - 1)
    return job_json(base, world, node, depth - 1)


def folder_json(base: str, world: JenkinsWorld, folder: Folder, depth: int) -> dict[str, Any]:
    path = folder.full_name.replace("/", " » ")
    return {
        "_class": FOLDER,
        "actions": [{}, {"_class": "com.cloudbees.plugins.credentials.ViewCredentialsAction"}],
        "description": folder.description or None,
        "displayName": folder.name,
        "displayNameOrNull": None,
        "fullDisplayName": path,
        "fullName": folder.full_name,
        "name": folder.name,
        "url": job_url(base, folder),
        "healthReport": [],
        "jobs": [_child(base, world, c, depth) for c in folder.children.values()],
        "primaryView": {
            "_class": "hudson.model.AllView",
            "name": "All",
            "url": job_url(base, folder),
        },
        "views": [{"_class": "hudson.model.AllView", "name": "All", "url": job_url(base, folder)}],
    }


def parameter_definitions(job: Job) -> list[dict[str, Any]]:
    definitions = []
    for spec in job.spec.parameters:
        kind = spec.kind
        value_class = "BooleanParameterValue" if kind == "Boolean" else "StringParameterValue"
        default = spec.default
        if kind == "Choice" and default == "":
            default = spec.choices[0]
        entry: dict[str, Any] = {
            "_class": f"hudson.model.{kind}ParameterDefinition",
            "defaultParameterValue": {
                "_class": f"hudson.model.{value_class}",
                "name": spec.name,
                "value": default,
            },
            "description": spec.description or None,
            "name": spec.name,
            "type": f"{kind}ParameterDefinition",
        }
        if kind == "Choice":
            entry["choices"] = list(spec.choices)
        if kind == "String":
            entry["trim"] = True
        definitions.append(entry)
    return definitions


def job_json(base: str, world: JenkinsWorld, job: Job, depth: int) -> dict[str, Any]:
    kind = PIPELINE_JOB if job.spec.pipeline else FREESTYLE_JOB
    newest = job.newest_first()

    def ref(build: Build | None) -> dict[str, Any] | None:
        if build is None:
            return None
        if depth >= 1:
            return build_json(base, build)
        run = PIPELINE_RUN if job.spec.pipeline else FREESTYLE_RUN
        return {"_class": run, "number": build.number, "url": build_url(base, build)}

    waiting = world.waiting_item(job)
    parameters = parameter_definitions(job)
    actions: list[dict[str, Any]] = [{}]
    properties: list[dict[str, Any]] = []
    if parameters:
        definition = {
            "_class": "hudson.model.ParametersDefinitionProperty",
            "parameterDefinitions": parameters,
        }
        actions.append(definition)
        properties.append(definition)
    body: dict[str, Any] = {
        "_class": kind,
        "actions": actions,
        "description": job.spec.description or "",
        "displayName": job.name,
        "displayNameOrNull": None,
        "fullDisplayName": job.full_name.replace("/", " » "),
        "fullName": job.full_name,
        "name": job.name,
        "url": job_url(base, job),
        "buildable": True,
        "builds": [ref(b) for b in newest[:100]],
        "color": color(job),
        "firstBuild": ref(newest[-1] if newest else None),
        "healthReport": _health(job),
        "inQueue": waiting is not None,
        "keepDependencies": False,
        "lastBuild": ref(job.permalink("lastBuild")),
        "lastCompletedBuild": ref(job.permalink("lastCompletedBuild")),
        "lastFailedBuild": ref(job.permalink("lastFailedBuild")),
        "lastStableBuild": ref(job.permalink("lastStableBuild")),
        "lastSuccessfulBuild": ref(job.permalink("lastSuccessfulBuild")),
        "lastUnstableBuild": ref(job.permalink("lastUnstableBuild")),
        "lastUnsuccessfulBuild": ref(job.permalink("lastUnsuccessfulBuild")),
        "nextBuildNumber": job.next_number,
        "property": properties,
        "queueItem": queue_item_json(base, waiting, now=None) if waiting else None,
        "concurrentBuild": job.spec.concurrent,
    }
    if job.spec.pipeline:
        body["resumeBlocked"] = False
    else:
        body |= {
            "disabled": False,
            "downstreamProjects": [],
            "labelExpression": None,
            "scm": {"_class": "hudson.plugins.git.GitSCM"},
            "upstreamProjects": [],
        }
    return body


def _health(job: Job) -> list[dict[str, Any]]:
    done = [b for b in job.newest_first() if not b.building][:5]
    if not done:
        return []
    failed = sum(1 for b in done if b.result != "SUCCESS")
    score = 100 - failed * 100 // len(done)
    return [
        {
            "description": f"Build stability: {failed} out of the last {len(done)} builds failed.",
            "iconClassName": "icon-health-80plus" if score > 80 else "icon-health-40to59",
            "iconUrl": "health-80plus.png" if score > 80 else "health-40to59.png",
            "score": score,
        }
    ]


# -- builds --------------------------------------------------------------------------------
def build_json(base: str, build: Build) -> dict[str, Any]:
    job = build.job
    actions: list[dict[str, Any]] = []
    if build.parameters:
        actions.append(
            {
                "_class": "hudson.model.ParametersAction",
                "parameters": [_parameter_value(name, value) for name, value in build.parameters],
            }
        )
    actions.append({"_class": "hudson.model.CauseAction", "causes": list(build.causes)})
    commit = build.commit
    branch_ref = f"refs/remotes/origin/{build.branch}"
    actions.append(
        {
            "_class": "hudson.plugins.git.util.BuildData",
            "buildsByBranchName": {
                branch_ref: {
                    "_class": "hudson.plugins.git.util.Build",
                    "buildNumber": build.number,
                    "buildResult": None,
                    "marked": {"SHA1": commit, "branch": [{"SHA1": commit, "name": branch_ref}]},
                    "revision": {"SHA1": commit, "branch": [{"SHA1": commit, "name": branch_ref}]},
                }
            },
            "lastBuiltRevision": {"SHA1": commit, "branch": [{"SHA1": commit, "name": branch_ref}]},
            "remoteUrls": [f"https://git.example.com/{job.app}.git"],
            "scmName": "",
        }
    )
    if job.spec.pipeline:
        actions += [
            {"_class": "org.jenkinsci.plugins.workflow.libs.LibrariesAction"},
            {"_class": _DECLARATIVE + ".actions.RestartDeclarativePipelineAction"},
            {},
            {"_class": "org.jenkinsci.plugins.workflow.job.views.FlowGraphAction"},
        ]
    if build.aborted_by is not None:
        actions.append(
            {
                "_class": "jenkins.model.InterruptedBuildAction",
                "causes": [
                    {
                        "_class": "jenkins.model.CauseOfInterruption$UserInterruption",
                        "shortDescription": f"Aborted by {build.aborted_by}",
                    }
                ],
            }
        )
    run = PIPELINE_RUN if job.spec.pipeline else FREESTYLE_RUN
    body: dict[str, Any] = {
        "_class": run,
        "actions": actions,
        "artifacts": [
            {
                "displayPath": path.rsplit("/", 1)[-1],
                "fileName": path.rsplit("/", 1)[-1],
                "relativePath": path,
            }
            for path in sorted(build.artifacts)
        ],
        "building": build.building,
        "description": build.description,
        "displayName": f"#{build.number}",
        "duration": build.duration_ms,
        "estimatedDuration": build.estimated_ms,
        "executor": {"_class": "hudson.model.OneOffExecutor"} if build.building else None,
        "fullDisplayName": f"{job.full_name.replace('/', ' » ')} #{build.number}",
        "id": str(build.number),
        "keepLog": False,
        "number": build.number,
        "queueId": build.queue_id,
        "result": build.result,
        "timestamp": int(build.started_at * 1000),
        "url": build_url(base, build),
        "changeSets": [],
        "culprits": [],
        "inProgress": build.building,
        "nextBuild": None,
        "previousBuild": None,
    }
    if not job.spec.pipeline:
        body["builtOn"] = ""
        del body["inProgress"]
    return body


def _parameter_value(name: str, value: str | bool) -> dict[str, Any]:
    kind = "BooleanParameterValue" if isinstance(value, bool) else "StringParameterValue"
    return {"_class": f"hudson.model.{kind}", "name": name, "value": value}


def stages_json(base: str, build: Build, now: float) -> dict[str, Any]:
    """`wfapi/describe`: the run and the stages it has reached, as Pipeline Stage View shows."""
    href = f"/{item_path(build.job.full_name)}{build.number}"
    stages = []
    for index, stage in enumerate(build.stages):
        status = stage_state(build, index, now)
        if status is None:
            continue
        started = build.started_at + stage.start
        if status == "IN_PROGRESS":
            length = now - started
        elif status == "NOT_EXECUTED":
            length = 0.0
        elif status == "ABORTED" and build.ended_at is not None:
            length = build.ended_at - started
        else:
            length = stage.length
        node = 6 + index * 7
        stages.append(
            {
                "_links": {"self": {"href": f"{href}/execution/node/{node}/wfapi/describe"}},
                "id": str(node),
                "name": stage.name,
                "execNode": "",
                "status": status,
                "startTimeMillis": int(started * 1000),
                "durationMillis": max(0, int(length * 1000)),
                "pauseDurationMillis": 0,
            }
        )
    status = {
        None: "IN_PROGRESS",
        "SUCCESS": "SUCCESS",
        "FAILURE": "FAILED",
        "ABORTED": "ABORTED",
        "UNSTABLE": "UNSTABLE",
    }.get(build.result, "FAILED")
    end = build.ended_at if build.ended_at is not None else now
    return {
        "_links": {"self": {"href": f"{href}/wfapi/describe"}},
        "id": str(build.number),
        "name": f"#{build.number}",
        "status": status,
        "startTimeMillis": int(build.started_at * 1000),
        "endTimeMillis": int(end * 1000),
        "durationMillis": int((end - build.started_at) * 1000),
        "queueDurationMillis": int((build.started_at - build.queued_at) * 1000),
        "pauseDurationMillis": 0,
        "stages": stages,
    }


# -- the queue -----------------------------------------------------------------------------
def queue_item_json(base: str, item: QueueItem, now: float | None) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    if item.parameters:
        actions.append(
            {
                "_class": "hudson.model.ParametersAction",
                "parameters": [_parameter_value(n, v) for n, v in item.parameters],
            }
        )
    actions.append({"_class": "hudson.model.CauseAction", "causes": list(item.causes)})
    body: dict[str, Any] = {
        "actions": actions,
        "blocked": item.blocked,
        "buildable": item.buildable,
        "id": item.id,
        "inQueueSince": int(item.queued_at * 1000),
        "params": "".join(f"\n{n}={v}" for n, v in item.parameters),
        "stuck": False,
        "task": summary(base, item.job),
        "url": f"queue/item/{item.id}/",
        "why": item.why,
    }
    if item.waiting:
        if item.buildable:
            body["_class"] = "hudson.model.Queue$BuildableItem"
            body["pending"] = False
        elif item.blocked:
            body["_class"] = "hudson.model.Queue$BlockedItem"
        else:
            body["_class"] = "hudson.model.Queue$WaitingItem"
            body["timestamp"] = int(item.quiet_until * 1000)
        return body
    body["_class"] = "hudson.model.Queue$LeftItem"
    body["cancelled"] = item.cancelled
    body["executable"] = (
        {
            "_class": PIPELINE_RUN if item.job.spec.pipeline else FREESTYLE_RUN,
            "number": item.build.number,
            "url": build_url(base, item.build),
        }
        if item.build is not None
        else None
    )
    return body


def queue_json(base: str, world: JenkinsWorld) -> dict[str, Any]:
    items = [queue_item_json(base, i, None) for i in world.queue.values() if i.waiting]
    return {"_class": "hudson.model.Queue", "discoverableItems": [], "items": items}


# -- the Notification plugin ---------------------------------------------------------------
def notification(base: str, build: Build, phase: str) -> dict[str, Any]:
    """The Notification plugin's JSON for one build phase (STARTED, COMPLETED, FINALIZED)."""
    job = build.job
    relative = item_path(job.full_name)
    payload: dict[str, Any] = {
        "name": job.full_name,
        "display_name": job.name,
        "url": relative,
        "build": {
            "full_url": build_url(base, build),
            "number": build.number,
            "queue_id": build.queue_id,
            "timestamp": int(build.started_at * 1000),
            "duration": build.duration_ms,
            "phase": phase,
            "url": f"{relative}{build.number}/",
            "scm": {
                "url": f"https://git.example.com/{job.app}.git",
                "branch": f"origin/{build.branch}",
                "commit": build.commit,
                "changes": [],
                "culprits": [],
            },
            "parameters": dict(build.parameters),
            "log": "",
            "notes": "",
            "artifacts": {
                path.rsplit("/", 1)[-1]: {"archive": f"{build_url(base, build)}artifact/{path}"}
                for path in sorted(build.artifacts)
            },
        },
    }
    if phase != "STARTED" and build.result is not None:
        payload["build"]["status"] = build.result
    return payload
