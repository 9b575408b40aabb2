"""`POST /jenkins/notify`: build results Jenkins sends (the Notification plugin's JSON) for
builds not started from chat, posted to the channels of the team that owns the job's app; a
red build of the main branch is called out.

`handle_notification` takes the request as parsed (its `Authorization` header and its JSON)
and answers `(status, body)`. Jenkins does not need to hear anything but 2xx for what it sent
correctly, so a phase Kuber does not report, a job no app names and a build started from chat
(it carries its requester in a REQUESTED_BY-like parameter; Kuber reports those in their own
thread) are acknowledged and ignored. A build is reported once, however many phases of it
arrive and however often: its post is named after the job and the build (`work_scope`), and
the outbox stores a name once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.alerts.markup import Markup
from bot.alerts.webhook import given_token, token_matches
from bot.i18n import translate
from bot.messages import Reply
from bot.settings import App, Settings
from bot.work_scope import work_scope

PATH = "/jenkins/notify"
#: Parameters by which a build says who asked for it from chat.
REQUESTER_PARAMETERS = ("REQUESTED_BY", "TRIGGERED_BY", "KUBER_USER")
BRANCH_PARAMETERS = ("BRANCH", "GIT_BRANCH", "BRANCH_NAME", "GIT_REF")
MAIN_BRANCHES = frozenset({"main", "master"})
#: The phases that carry a result; the plugin sends STARTED, COMPLETED and FINALIZED.
RESULT_PHASES = frozenset({"COMPLETED", "FINALIZED"})

#: (platform, channel, thread, reply) -> ref: `Outbox.enqueue_post`.
Post = Callable[[str, str, str | None, Reply], str]


def handle_notification(
    authorization: str | None,
    payload: Any,
    *,
    settings: Settings,
    post: Post,
    platforms: Sequence[str],
) -> tuple[int, dict[str, Any]]:
    """Check, understand and report one notification; return the HTTP answer."""
    token = settings.env.webhook_token
    if token is None:
        return 404, {"error": "the Jenkins notification endpoint is off: set KUBER_WEBHOOK_TOKEN"}
    given = given_token(authorization)
    if given is None or not token_matches(given, token.get_secret_value()):
        return 401, {"error": "missing or wrong credentials: send the webhook token as a bearer"}
    parsed = _parse(payload)
    if isinstance(parsed, str):
        return 400, {"error": parsed}
    job, build = parsed
    phase = str(build.get("phase", "")).upper()
    status = build.get("status")
    if phase not in RESULT_PHASES or not isinstance(status, str):
        return 202, {"ignored": f"phase {phase or '?'} carries no result"}
    parameters = build.get("parameters")
    parameters = parameters if isinstance(parameters, Mapping) else {}
    if _requested_from_chat(parameters):
        return 202, {"ignored": "started from chat; reported in its thread"}
    app = _app_for(settings, job)
    if app is None:
        return 202, {"ignored": f"no app in kuber.yaml builds with job {job}"}
    team = settings.config.team(app.team) if app.team else None
    channels = [
        (platform, getattr(team.channels, platform, None))
        for platform in platforms
        if team is not None and getattr(team.channels, platform, None)
    ]
    if not channels:
        return 202, {"ignored": f"the team of {app.name} has no channel here"}
    branch = _branch(parameters, build)
    posted = []
    for platform, channel in channels:
        assert channel is not None
        reply = _render(platform, app.name, job, build, status, branch)
        # One post per build and channel, whichever phases arrive and how often.
        with work_scope(f"jenkins-notify:{job}:{build['number']}:{platform}:{channel}"):
            posted.append(post(platform, channel, None, reply))
    return 200, {"status": "posted", "posts": len(posted)}


def _parse(payload: Any) -> tuple[str, Mapping[str, Any]] | str:
    """(job, build) from the plugin's JSON, or why it is not that."""
    if not isinstance(payload, Mapping):
        return "the body must be the Notification plugin's JSON object"
    job = payload.get("name")
    build = payload.get("build")
    if not isinstance(job, str) or not job:
        return "`name` (the job's full name) is missing"
    if not isinstance(build, Mapping):
        return "`build` is missing"
    number = build.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return "`build.number` must be a positive number"
    return job, build


def _requested_from_chat(parameters: Mapping[str, Any]) -> bool:
    upper = {str(k).upper(): v for k, v in parameters.items()}
    return any(upper.get(name) not in (None, "") for name in REQUESTER_PARAMETERS)


def _app_for(settings: Settings, job: str) -> App | None:
    for app in settings.config.apps:
        if job in (app.jenkins_job, app.deploy_job):
            return app
    return None


def _branch(parameters: Mapping[str, Any], build: Mapping[str, Any]) -> str | None:
    upper = {str(k).upper(): v for k, v in parameters.items()}
    for name in BRANCH_PARAMETERS:
        value = upper.get(name)
        if isinstance(value, str) and value:
            return value
    scm = build.get("scm")
    branch = scm.get("branch") if isinstance(scm, Mapping) else None
    if isinstance(branch, str) and branch:
        return branch.removeprefix("refs/heads/").removeprefix("origin/")
    return None


def _render(
    platform: str,
    app: str,
    job: str,
    build: Mapping[str, Any],
    status: str,
    branch: str | None,
) -> Reply:
    markup = Markup(platform)
    number = build["number"]
    values = {"app": app, "job": job, "number": number, "branch": branch or "-", "status": status}
    if status == "SUCCESS":
        text = translate("en", "jenkins_notify_green", **values)
    elif branch in MAIN_BRANCHES and status in ("FAILURE", "UNSTABLE"):
        text = markup.bold(translate("en", "jenkins_notify_main_red", **values))
    else:
        text = translate("en", "jenkins_notify_red", **values)
    url = build.get("full_url")
    link = markup.link(url, f"{job} #{number}") if isinstance(url, str) and url else None
    return Reply(text, context=link, is_error=status != "SUCCESS")


def notify_route(settings: Settings, post: Post, platforms: Sequence[str]) -> Route:
    """The route, for the server's table: the JSON is read here, the work done off the
    event loop (it writes to the outbox)."""

    async def notify(request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        status, body = await run_in_threadpool(
            handle_notification,
            request.headers.get("authorization"),
            payload,
            settings=settings,
            post=post,
            platforms=platforms,
        )
        return JSONResponse(body, status_code=status)

    return Route(PATH, notify, methods=["POST"])
