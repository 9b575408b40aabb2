"""The sample team's Jira: project PAY on scrum board 1, three closed sprints that give a
velocity, an active sprint of twenty issues whose changelog gives the burndown a shape (work
done, an estimate raised, an issue added on day three, one Blocked and one flagged), a future
sprint and a ranked backlog with a bug filed in the last hours.

Times are relative to `now`, so the sprint is always six and a half days in: the burndown,
"done since yesterday" and "new bugs" have something to show whenever the sandbox starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.jira_model import JiraWorld, User

#: Kuber's own account and the people of the sample team (kuber.yaml names them by email).
BOT = User("kuber", "Kuber Bot", "kuber@example.com", "JIRAUSER10000")
PEOPLE = (
    User("akim", "Alice Kim", "alice@example.com", "JIRAUSER10100"),
    User("bpark", "Bob Park", "bob@example.com", "JIRAUSER10101"),
    User("cchoi", "Carol Choi", "carol@example.com", "JIRAUSER10102"),
    User("dlee", "Dan Lee", "dan@example.com", "JIRAUSER10103"),
)
SPRINT_DAYS = 14
#: How far into the active sprint `now` is.
ELAPSED = timedelta(days=6, hours=10)


@dataclass(frozen=True)
class Spec:
    """One issue: what it is, where it sits and what happened to it (days from the start
    of the active sprint, negative before it)."""

    summary: str
    kind: str
    points: float | None
    assignee: str | None
    created: float
    #: "S9".."S13", or None for the backlog.
    sprint: str | None = None
    started: float | None = None
    done: float | None = None
    blocked: float | None = None
    flagged: float | None = None
    #: (day, new estimate)
    estimate: tuple[float, float] | None = None
    #: Carried from sprint 11 into sprint 12 when 11 closed.
    carried: bool = False
    #: The day it joined its sprint (default: just before that sprint started).
    joined: float | None = None


# In key order (PAY-1, PAY-2, …): keys follow creation, as in Jira.
SPECS: tuple[Spec, ...] = (
    # Sprint 9 (days -42 to -28): 37 points done.
    Spec("Card vault migration to the new HSM", "Story", 13, "akim", -50, "S9", -41, -30),
    Spec("Checkout v2: new payment sheet", "Story", 13, "bpark", -49, "S9", -41, -33),
    Spec("Settlement job skips weekend batches", "Bug", 8, "dlee", -48, "S9", -40, -35),
    Spec("PG credentials in Kubernetes secrets", "Task", 3, "cchoi", -47, "S9", -38, -37),
    # Sprint 10 (days -28 to -14): 42 points done.
    Spec("Refund API: partial refunds", "Story", 13, "bpark", -44, "S10", -27, -17),
    Spec("Checkout v2: address autocomplete", "Story", 13, "akim", -40, "S10", -27, -19),
    Spec("Payment retries with exponential backoff", "Story", 8, "dlee", -38, "S10", -25, -20),
    Spec("Receipt emails in Korean", "Task", 5, "cchoi", -35, "S10", -24, -22),
    Spec("Flaky test: refund timeout", "Bug", 3, "akim", -33, "S10", -23, -22.5),
    # Sprint 11 (days -14 to 0): 39 points done, PAY-12 carried over.
    Spec("Tokenise cards for recurring payments", "Story", 13, "akim", -30, "S11", -13, -4),
    Spec("Payment status webhooks for merchants", "Story", 13, "dlee", -29, "S11", -13, -6),
    Spec(
        "Retry card authorisation on gateway timeout",
        "Story",
        3,
        "bpark",
        -28,
        "S11",
        -3,
        carried=True,
    ),
    Spec("Checkout v2: saved cards", "Story", 8, "cchoi", -27, "S11", -12, -5),
    Spec("Settlement report totals off by one day", "Bug", 5, "bpark", -26, "S11", -11, -9),
    # Refined during sprint 11: most go into sprint 12, some stay in the backlog.
    Spec("Apple Pay button on checkout", "Story", 3, "akim", -15, "S12", 0.2, 1.5),
    Spec("Checkout v2: Safari layout fixes", "Story", 3, "cchoi", -14.5, "S12", 0.3, 2.6),
    Spec("Refund API: idempotency keys", "Story", 3, "bpark", -14, "S12", 0.5, blocked=4.2),
    Spec("Export settlements as CSV", "Story", 5, None, -13.5),
    Spec("Fix rounding of KRW amounts in receipts", "Bug", 2, "dlee", -13, "S12", 1.0, 1.8),
    Spec("Payment method icons in dark mode", "Task", 1, "cchoi", -12.5, "S12"),
    Spec("Load test checkout v2", "Task", 2, "akim", -12, "S12", 2.0, 4.5),
    Spec("Remove legacy PayPal v1 client", "Task", 3, None, -11.5),
    Spec("Webhook signature check for PG callbacks", "Story", 3, "bpark", -11, "S12", 1.1, 5.9),
    Spec("3-D Secure challenge in WebView", "Story", 3, "dlee", -10.5, "S12", 3.1, flagged=5.0),
    Spec("Partial refunds from the admin UI", "Story", 8, None, -10),
    Spec("Payment status page copy (ko/en)", "Task", 1, "cchoi", -9.5, "S12", 0.8, 0.9),
    Spec("Alert on settlement batch failures", "Task", 1, "akim", -9, "S12"),
    Spec("Upgrade PG SDK to 4.x", "Task", 2, "dlee", -8.5, "S13", joined=1.0),
    Spec("Card BIN lookup cache", "Story", 1, None, -8, "S12"),
    Spec(
        "Split the payment-service DB pool",
        "Story",
        3,
        "bpark",
        -7.5,
        "S12",
        2.1,
        estimate=(2.0, 5),
    ),
    Spec("현금영수증 발급 API 연동", "Story", 5, None, -7),
    Spec("결제 오류 메시지 한국어화", "Task", 1, "cchoi", -6.5, "S12"),
    Spec("Duplicate receipt emails", "Bug", 2, None, -6),
    Spec("Dashboard for refund latency", "Task", 1, "dlee", -5.5, "S12", 4.0, 6.1),
    Spec("Investigate flaky checkout e2e test", "Task", None, None, -5),
    Spec("Remove card data from debug logs", "Bug", 3, "akim", -4.5, "S12", 0.1, 0.6),
    Spec("Subscriptions: prorated upgrades", "Story", 13, None, -4),
    Spec("Timeout budget for PG calls", "Story", 1, None, -3.5, "S12"),
    Spec("Settlement report for finance", "Story", 5, None, -3, "S13", joined=1.0),
    Spec("Retry queue metrics", "Task", 1, "bpark", -2.5, "S12"),
    Spec("Localise receipts for Japan", "Story", 8, None, -2),
    Spec("Fraud score threshold per merchant", "Story", 3, "dlee", -1.5, "S12"),
    Spec("Migrate payment cron jobs to CronJobs", "Task", 3, None, -1),
    # Added to the running sprint on day 3.
    Spec("Refund double-charged on retry", "Bug", 5, "bpark", 2.9, "S12", 3.2, joined=3.0),
    # Filed in the last hours.
    Spec("Login fails on Safari 17 with saved cards", "Bug", None, None, 6.3),
)

#: Backlog order, best first (keys by their number); the sprints' issues rank above.
BACKLOG_ORDER = (45, 33, 25, 18, 31, 22, 43, 35, 37, 41)


def seed_team(
    world: JiraWorld,
    *,
    now: datetime,
    project: str = "PAY",
    name: str = "Payments",
    board: int = 1,
    estimation: bool = True,
) -> None:
    """Add the team's project, board, sprints and issues to `world`."""
    for user in (BOT, *PEOPLE):
        world.users.setdefault(user.name, user)
    world.add_project(project, name, lead="akim")
    world.add_board(board, f"{project} board", project, estimation=estimation)
    start = (now - ELAPSED).replace(second=0, microsecond=0)

    def day(offset: float) -> datetime:
        return start + timedelta(days=offset)

    sprints = {}
    for number in (9, 10, 11):
        begins = day(-(12 - number) * SPRINT_DAYS)
        sprints[f"S{number}"] = world.add_sprint(
            f"{project} Sprint {number}",
            board,
            state="future",  # opened and closed below, in time order
            goal=None,
            start=begins,
            end=begins + timedelta(days=SPRINT_DAYS),
            completed=begins + timedelta(days=SPRINT_DAYS, hours=-1),
            sprint_id=number,
        )
    sprints["S12"] = world.add_sprint(
        f"{project} Sprint 12",
        board,
        state="future",
        goal="Checkout v2 works on Safari; refunds are safe to retry",
        start=day(0),
        end=day(SPRINT_DAYS),
        sprint_id=12,
    )
    sprints["S13"] = world.add_sprint(
        f"{project} Sprint 13",
        board,
        state="future",
        goal=None,
        start=day(SPRINT_DAYS),
        end=day(2 * SPRINT_DAYS),
        sprint_id=13,
    )
    # Events are applied in time order, across issues, so each changelog reads forwards and
    # each sprint is still open when issues join it.
    events: list[tuple[datetime, int, str, object]] = []
    for number, spec in enumerate(SPECS, 1):
        events.append((day(spec.created), number, "create", spec))
        if spec.sprint is not None:
            sprint = sprints[spec.sprint]
            joined = day(spec.joined) if spec.joined is not None else sprint.start
            assert joined is not None
            events.append((joined - timedelta(hours=2), number, "join", sprint.id))
        if spec.started is not None:
            events.append((day(spec.started), number, "status", "21"))
        if spec.estimate is not None:
            events.append((day(spec.estimate[0]), number, "points", spec.estimate[1]))
        if spec.blocked is not None:
            events.append((day(spec.blocked), number, "status", "41"))
        if spec.flagged is not None:
            events.append((day(spec.flagged), number, "flag", True))
        if spec.done is not None:
            events.append((day(spec.done), number, "status", "31"))
        if spec.carried:
            completed = sprints["S11"].completed
            assert completed is not None
            events.append((completed + timedelta(minutes=1), number, "carry", 12))
    for number in (9, 10, 11):
        sprint = sprints[f"S{number}"]
        assert sprint.start is not None
        assert sprint.completed is not None
        events.append((sprint.start - timedelta(hours=1), 0, "open", sprint.id))
        events.append((sprint.completed, 0, "close", sprint.id))
    events.append((day(0) - timedelta(hours=1), 0, "open", 12))
    events.sort(key=lambda event: (event[0], event[1]))
    keys: dict[int, str] = {}
    for at, number, what, value in events:
        if what == "open":
            world.sprints[int(str(value))].state = "active"
            continue
        if what == "close":
            world.sprints[int(str(value))].state = "closed"
            continue
        spec = SPECS[number - 1]
        author = spec.assignee or "akim"
        if what == "create":
            issue = world.create_issue(
                project=project,
                issue_type=spec.kind,
                summary=spec.summary,
                reporter="akim" if spec.kind != "Bug" else "dlee",
                at=at,
                assignee=spec.assignee,
                points=spec.points,
                priority="High" if spec.kind == "Bug" else "Medium",
            )
            keys[number] = issue.key
            continue
        issue = world.issues[keys[number]]
        if what == "join":
            world.move_to_sprint(issue, world.sprints[int(str(value))], by="akim", at=at)
        elif what == "status":
            world.transition(issue, str(value), by=author, at=at)
        elif what == "points":
            world.set_points(issue, float(str(value)), by=author, at=at)
        elif what == "flag":
            world.set_flag(issue, True, by=author, at=at)
            world.add_comment(
                issue,
                "(flag) Flag added\n\nWaiting for the card network's test certificates.",
                by=author,
                at=at,
            )
        elif what == "carry":
            world.carry_over(issue, world.sprints[int(str(value))], by="akim", at=at)
    # Ranks: the active sprint in planning order, then the next sprint, then the backlog.
    in_sprint = [keys[n] for n, s in enumerate(SPECS, 1) if s.sprint == "S12"]
    next_sprint = [keys[n] for n, s in enumerate(SPECS, 1) if s.sprint == "S13"]
    backlog = [keys[n] for n in BACKLOG_ORDER]
    rest = [k for k in world.rank if k not in {*in_sprint, *next_sprint, *backlog}]
    world.rank = [*rest, *in_sprint, *next_sprint, *backlog]
