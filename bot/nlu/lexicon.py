"""Words that are never app names, and the words that point back at the previous command.

Kept apart from the grammar so the app resolver and the context step read one list; it must
hold words only, no patterns and no decisions.
"""

from __future__ import annotations

_ENGLISH = """
a an the of for to in into on onto at by from with without and or but then so also too as
it its it's that this these those them they their there here what what's whats which who
whom whose how how's hows is are was were be been being am do does did doing done have has
had having will would shall should can could may might must let lets let's i i'm me my mine
we us our you your yours he she his her please pls plz kindly thanks thank thx now just
quickly quick asap right again still already about around after before over under up down
out off back some any all every each everything everyone anything nothing something more
less fewer extra additional another much many few lot lots last latest previous prior
current new old same other next first second top one two three four five six seven eight nine
ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty
thirty forty fifty sixty seventy eighty ninety hundred zero couple pair dozen single
go going get got give gave show tell list see check look looking want need like make set
keep put take bring run running start started stop stopped halt pause turn kill launch spin
add remove increase decrease reduce raise lower bump drop grow shrink up down
by per via than if when where why while until yes no not ok okay sure hey hi hello yo
well good great fine healthy alive broken wrong weather today tomorrow yesterday time
app apps application applications service services svc deployment deployments deploy
deploys deploying deployed redeploy release releases released ship shipped push promote
upgrade update rollout roll rolled rolling out pod pods instance instances replica replicas
copy copies container containers node nodes worker workers job jobs pipeline pipelines
build builds rebuild ci jenkins version versions revision revisions rev tag tags image
images branch branches namespace namespaces ns cluster clusters env environment
log logs lines line tail output status state health healthcheck doing history histories
scale scaled scaling rescale resize restart restarts restarted bounce reboot recycle
cycle rollback revert undo downgrade restore sprint sprints standup stand daily scrum
backlog alert alerts alarm alarms firing incidents incident silence mute snooze slo slos
sli error errors budget budgets burn rate help commands command usage sla uptime please
summary digest report post posting posted meeting issue issues ticket tickets bug bugs
story stories task tasks jira assign move mark done progress todo review
hours hour minutes minute min mins days day weeks week seconds second h m d s w
audit audits audited auditing trail change changed changes changing modified touched edited
reverted bounced rebooted approved recently anyone anybody someone somebody thing things stuff
"""

NOT_APP_NAMES: frozenset[str] = frozenset(_ENGLISH.split())

# Words that point back at what the channel talked about last ("scale it to 5", "그거 재시작").
PRONOUNS_EN: frozenset[str] = frozenset({"it", "that", "this", "them", "same", "one"})
PRONOUN_PHRASES_EN: tuple[str, ...] = (
    "that app",
    "this app",
    "same app",
    "the same",
    "that one",
    "this one",
    "that service",
    "same service",
    "same one",
)
PRONOUNS_KO: frozenset[str] = frozenset(
    {
        "그거",
        "그것",
        "그걸",
        "그게",
        "걔",
        "얘",
        "이거",
        "이것",
        "저거",
        "저것",
        "거기",
        "같은",
        "해당",
    }
)
