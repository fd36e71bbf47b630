"""`manage.py demo`: load a small, realistic publication so Vigil has something to show.

Written fresh for Vigil (enterprise-IT topics). Dates are relative to today, so the
demo always has claims due soon and overdue. Safe to run twice: everything is looked
up by slug or username first, and an article that exists is left as it is.

The publication's year is replayed through the same actions the desk uses
(publish, review, write a correction, submit and weigh dissent, draft a
rewrite), each run on the day it happened: actions date what they write today
and refuse a backdated entry, so the demo moves the clock (time-machine, a dev
dependency) instead of writing reviews or log entries itself. The record it
leaves, events included, reads as if the desk had made it.
"""

import datetime
import io
import random

from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from articles.models import Article, Pillar, Section
from articles.services import rewrite_draft, rewrite_submit
from claims.models import Claim, Verdict
from claims.services import article_publish, claim_create
from corrections.models import CorrectionEntry
from corrections.services import correction_entry_write
from dissent.services import dissent_submit, dissent_weigh
from reviews.services import review_record
from vigil.roles import ADMINS, EDITORS

H, P, N = Verdict.HOLDING, Verdict.PARTIAL, Verdict.NOT_HOLDING

PILLARS = {
    "agentic-ai-governance": (
        "Agentic AI governance",
        "Oversight patterns, evaluation practice and accountability for AI agents that act inside enterprise systems.",
    ),
    "cloud-economics": (
        "Cloud economics",
        "What cloud and data platforms really cost once the contract is signed, and who decides.",
    ),
    "resilient-operations": (
        "Resilient operations",
        "Incident response, identity and the unglamorous work that keeps enterprise systems up.",
    ),
}

SECTIONS = {
    "understanding-ai": ("Understanding AI", "Explainers and analysis on AI in the enterprise."),
    "infrastructure": ("Infrastructure", "Cloud, data centres, networks and the platforms on top."),
    "security": ("Security", "Identity, incident response and the threat picture."),
    "leadership": ("Leadership", "Budgets, teams and decisions for technology leaders."),
}


def _body(opening, heading, middle, closing_heading, points):
    items = "\n".join(f"- {point}" for point in points)
    return f"{opening}\n\n## {heading}\n\n{middle}\n\n## {closing_heading}\n\n{items}\n"


# Each article: slug, title, dek, section, pillar, published (days ago), revised (days ago or None),
# body, and claims: (statement, verdict, cadence, reviewed days ago or None, due in days, note, triggers).
ARTICLES = [
    dict(
        slug="evaluation-budget-for-ai-agents",
        title="Your AI agent budget is missing its evaluation line",
        dek="Model fees and integration work are budgeted. The people and tooling that decide whether an agent's output was right usually are not — and that is where projects stall.",
        section="understanding-ai", pillar="agentic-ai-governance", published=300, revised=40,
        body=_body(
            "Most business cases for an AI agent count three things: the model, the integration, and the platform. The fourth cost — judging whether last week's answers were any good — tends to arrive later, as a surprise, when the pilot has to become a service.",
            "Why evaluation is the bottleneck",
            "An agent that drafts replies to supplier queries can be demonstrated in a week. Making it good enough to leave unsupervised takes months of reading transcripts, labelling failures, and turning those labels into test sets that run before every change. That work needs people who know the workflow, and it needs time on their calendars.\n\nTeams that treat evaluation as a one-off acceptance test find that quality drifts as prompts, models and source data change underneath them. Teams that fund it as a standing activity catch regressions before customers do.",
            "What to put in the plan",
            [
                "A named owner for each deployed agent's evaluation set, with time budgeted, not borrowed.",
                "A regression suite that runs on every prompt, model or retrieval change.",
                "A review rhythm with the business owner of the workflow, monthly at least.",
            ],
        ),
        claims=[
            ("Enterprise AI-agent deployments that budget for a standing evaluation function reach production quality faster than those that do not.",
             P, 60, 20, 40,
             "The pattern is consistent in practitioner reports and vendor case studies, but no controlled comparison has been published. The verdict stays **Partial** until one is.",
             ["A published multi-company study comparing time-to-production with and without a funded evaluation team.",
              "A major analyst survey breaking out evaluation spend as its own budget line."]),
            ("Evaluation work is most often under-counted in agent cost models.",
             H, 90, 30, 60,
             "Budget templates from three large consultancies still omit it as a line of its own.",
             ["A widely used cost template that adds evaluation as a named line."]),
        ],
    ),
    dict(
        slug="human-oversight-eu-ai-act",
        title="What 'human oversight' will mean for agents under the EU AI Act",
        dek="The Act asks for people who can understand, monitor and override high-risk systems. For agents that act on their own, that is an organisational design problem, not a checkbox.",
        section="understanding-ai", pillar="agentic-ai-governance", published=210, revised=None,
        body=_body(
            "The phrase in the regulation is short; the implications are not. A person assigned to oversee a high-risk system must be able to understand its capacities and limits, notice when it misbehaves, and stop it.",
            "Oversight is a staffing question",
            "For a classifier that scores loan applications, oversight can mean a reviewer who samples decisions. For an agent that opens tickets, changes configurations and e-mails suppliers, the overseer needs tooling that shows what the agent did and why, in time to intervene.\n\nFew organisations have that tooling today. Logs exist, but they are written for engineers debugging failures, not for a risk owner asking whether the agent stayed within its mandate.",
            "Where to start",
            [
                "Write down each agent's mandate: what it may do without asking.",
                "Give the overseer an action log in plain language, not only raw traces.",
                "Test the stop button: who can pause the agent, and how fast.",
            ],
        ),
        claims=[
            ("Most enterprises deploying AI agents lack tooling that lets a non-engineer oversee what the agent did.",
             P, 45, 50, -5,
             "Vendor roadmaps promise oversight consoles; few are generally available.",
             ["General availability of an oversight console from a major agent platform.",
              "Guidance from the AI Office that specifies what oversight tooling must show."]),
            ("Oversight duties for agents will fall mainly on business owners rather than IT teams.",
             P, 60, 30, 30, "Early guidance points both ways.", []),
        ],
    ),
    dict(
        slug="agent-permissions-least-privilege",
        title="Give AI agents the permissions of an intern, not an administrator",
        dek="Agents inherit whatever access their service account holds. Least privilege is old advice; agents make it urgent.",
        section="security", pillar="agentic-ai-governance", published=150, revised=None,
        body=_body(
            "When an agent is wired into a ticketing system, a code repository and a mailbox, it acts with the union of those permissions. A prompt-injection in one incoming e-mail can then reach all three.",
            "The blast radius is the permission set",
            "Security teams have spent a decade shrinking human administrator rights. Agent service accounts are quietly undoing that work, because broad access makes demos smoother.\n\nScoped, short-lived credentials per task are harder to set up but cap the damage an injected instruction can do.",
            "Practical controls",
            [
                "One service account per agent and per workflow, never shared.",
                "Write actions behind an approval step until the evaluation record justifies removing it.",
                "Alert on any permission used for the first time.",
            ],
        ),
        claims=[
            ("Prompt injection through inbound content is the most common route to unintended agent actions in enterprise pilots.",
             N, 30, 25, 5,
             "Incident write-ups published since the article point more often to over-broad tool access than to injection as the root cause. The verdict moved to **Not holding**.",
             ["A public incident database with a category for agent actions and enough cases to rank causes."]),
            ("Most agent service accounts in enterprise pilots hold broader permissions than their tasks need.",
             H, 60, 25, 35, "Confirmed by access reviews reported in two security vendors' studies.", []),
        ],
    ),
    dict(
        slug="finops-commitments-trap",
        title="Cloud commitment discounts are turning into lock-in",
        dek="Three-year commitments cut the unit price and raise the cost of leaving. Finance teams should price the exit, not only the discount.",
        section="infrastructure", pillar="cloud-economics", published=260, revised=90,
        body=_body(
            "Committed-use discounts look like free money on a spreadsheet: promise to spend, pay less per hour. The catch is that the promise outlives the architecture it was sized for.",
            "How commitments age",
            "Workloads move to containers, then to managed services, then to a different region for data-residency reasons. Each move can strand part of a commitment that was bought against the old shape.\n\nThe result is a discount that is real on paper and partly unused in practice, and a migration plan that now carries a penalty.",
            "What to ask before signing",
            [
                "How much of the commitment is flexible across services and regions?",
                "What is the cost of the unused portion if the largest workload moves?",
                "Who owns the commitment after the project that justified it ends?",
            ],
        ),
        claims=[
            ("Enterprises routinely leave a material share of cloud commitments unused by the end of the term.",
             H, 60, 10, 50,
             "Three FinOps practitioner surveys report unused commitment as a top-three waste category.",
             ["A provider change that makes unused commitments transferable across services by default."]),
            ("Commitment terms are lengthening on average.",
             P, 60, 62, -2,
             "Supported by anecdote and procurement advisers; not yet by published contract data.",
             ["Published aggregate contract data from a procurement benchmarking firm."]),
        ],
    ),
    dict(
        slug="egress-fees-data-gravity",
        title="Egress fees are a tax on changing your mind",
        dek="Moving data out of a cloud costs far more than moving it in. That asymmetry shapes architecture decisions long before anyone reads the invoice.",
        section="infrastructure", pillar="cloud-economics", published=190, revised=None,
        body=_body(
            "Data goes into a cloud for free and comes out at a price. Over years, that price decides where analytics run, where backups live and which provider wins the next project.",
            "Data gravity is partly a pricing decision",
            "Engineers talk about data gravity as if it were physics. Part of it is: latency and bandwidth are real. Part of it is a tariff, and tariffs can change.\n\nRegulators have noticed. Switching rules now require providers to reduce and eventually remove charges for customers leaving, which changes the maths of multi-cloud designs.",
            "What changes for architects",
            [
                "Price exit scenarios in the original design, not at renewal.",
                "Keep a current inventory of where large datasets live and who reads them.",
                "Watch how providers implement switching rules: the details matter more than the headline.",
            ],
        ),
        claims=[
            ("Regulatory switching rules will materially reduce egress costs for enterprises leaving a provider.",
             P, 45, 40, 5,
             "Providers have waived fees for customers who leave entirely; ordinary multi-cloud traffic is still charged.",
             ["A provider cutting standard egress rates, not only exit waivers.",
              "Enforcement action under the switching provisions."]),
        ],
    ),
    dict(
        slug="sovereign-cloud-labels",
        title="'Sovereign cloud' is a label, so read the contract",
        dek="Sovereignty offerings range from a local data centre to a separately operated company. The difference is in who can be compelled to hand over data.",
        section="infrastructure", pillar="cloud-economics", published=120, revised=None,
        body=_body(
            "Every large provider now sells something called sovereign. The products differ in ways that matter to a regulator and are easy to miss in a sales deck.",
            "Three questions that sort the offers",
            "Where is the data stored? Who operates the service day to day? And which jurisdiction's courts can order the operator to disclose it? Only the last one decides whether a foreign authority can reach the data.\n\nA local region answers the first question. A locally staffed operations team answers the second. Only a separate legal entity with its own control over keys starts to answer the third.",
            "For buyers",
            [
                "Ask for the legal structure of the operator in writing.",
                "Check who holds encryption keys and where.",
                "Expect fewer services and later feature releases in separately operated clouds.",
            ],
        ),
        claims=[
            ("Separately operated sovereign clouds lag their parent clouds' feature releases by months.",
             H, 90, 30, 60, "Release notes confirm a lag of one to three quarters for most services.",
             ["Feature parity commitments written into sovereign-cloud contracts."]),
        ],
    ),
    dict(
        slug="gpu-capacity-planning",
        title="Planning GPU capacity without betting the budget",
        dek="Reserved GPU capacity is scarce and expensive; on-demand capacity is unreliable. A portfolio approach beats picking one.",
        section="infrastructure", pillar="cloud-economics", published=80, revised=None,
        body=_body(
            "Teams building on large models face a choice their CPU-era predecessors rarely did: reserve scarce accelerators for a year or more, or gamble on finding them when needed.",
            "Why the market is lumpy",
            "Accelerator supply arrives in large batches tied to new chip generations. Between batches, on-demand capacity in popular regions can vanish for days.\n\nReservations remove that risk and add another: paying for last year's chips when this year's are twice as efficient.",
            "A portfolio",
            [
                "Reserve the steady base load, measured, not forecast.",
                "Keep burst workloads portable across two regions or providers.",
                "Revisit the split at every chip generation.",
            ],
        ),
        claims=[
            ("On-demand GPU capacity in major regions remains unreliable for multi-day training runs.",
             P, 30, 28, 2, "Availability has improved in some regions but varies by week.",
             ["Providers publishing capacity availability figures by region."]),
            ("Inference, not training, is now the larger share of enterprise accelerator spend.",
             H, 60, 30, 30, "Consistent with provider earnings commentary.",
             []),
        ],
    ),
    dict(
        slug="incident-postmortems-blameless",
        title="Blameless post-mortems only work if someone acts on them",
        dek="Writing the review is the easy part. Most organisations lack a way to track whether the fixes actually shipped.",
        section="security", pillar="resilient-operations", published=240, revised=60,
        body=_body(
            "The blameless post-mortem has become standard practice. The follow-through has not: action items go into a backlog and compete with feature work they usually lose to.",
            "The follow-up gap",
            "A review that names five fixes and ships one has documented a risk, not reduced it. The same failure then returns, and the next review cites the first.\n\nOrganisations that close the gap give post-mortem actions an owner outside the team that wrote them and report their completion to leadership.",
            "What works",
            [
                "Track post-mortem actions separately from the product backlog.",
                "Report the share of actions closed within 30 days.",
                "Revisit open actions at the next incident review, by name.",
            ],
        ),
        claims=[
            ("Fewer than half of post-mortem action items are completed within a quarter in typical enterprises.",
             P, 60, 70, -10, "Survey evidence is thin and self-reported.",
             ["An industry survey with a sample large enough to break out completion rates by sector."]),
        ],
    ),
    dict(
        slug="identity-is-the-new-outage",
        title="When identity fails, everything fails",
        dek="Single sign-on concentrates risk. The outage that takes down your identity provider takes down every system behind it.",
        section="security", pillar="resilient-operations", published=170, revised=None,
        body=_body(
            "Consolidating logins behind one identity provider made security better and operations more fragile. A single outage there now locks staff out of everything at once.",
            "A single point of failure by design",
            "Break-glass accounts exist for this case, but they are often untested, stored in the very password manager that needs single sign-on, or known to one person who is on holiday.\n\nResilience here is a rehearsal problem: the plan only works if it has been practised.",
            "Rehearse the bad day",
            [
                "Keep break-glass credentials offline and test them every quarter.",
                "List the systems that fail closed when identity is down, and decide if that is right.",
                "Include the identity provider in disaster-recovery exercises.",
            ],
        ),
        claims=[
            ("Break-glass access is untested in most organisations that rely on a single identity provider.",
             H, 60, 15, 45, "Confirmed by two incident-response firms' annual reports.", ["A regulator requiring tested break-glass procedures."]),
        ],
    ),
    dict(
        slug="observability-costs",
        title="Observability bills are growing faster than the systems they watch",
        dek="Logs, metrics and traces are priced by volume, and volume grows with every microservice. Sampling and retention policies are now budget decisions.",
        section="infrastructure", pillar="resilient-operations", published=100, revised=None,
        body=_body(
            "Observability platforms charge by what you send them. As systems split into more services, each one emitting its own telemetry, the bill grows faster than traffic.",
            "Volume is a choice",
            "Most telemetry is never read. Debug-level logs kept for a year, traces sampled at 100 per cent, high-cardinality metrics nobody graphs: each was a reasonable default once.\n\nTeams that set retention and sampling deliberately cut spend without losing the signals they use in incidents.",
            "Where to look first",
            [
                "Retention by data type, tied to how far back incidents actually look.",
                "Tail-based sampling for traces.",
                "A monthly report of the top telemetry producers by cost.",
            ],
        ),
        claims=[
            ("Observability spend is growing faster than underlying infrastructure spend for most cloud-native organisations.",
             P, 45, 44, 1, "Vendor-sponsored surveys agree; independent data is scarce.", ["An independent benchmark of observability spend as a share of infrastructure spend."]),
            ("Tail-based sampling cuts tracing costs without harming incident response.",
             H, 90, 35, 55, "", []),
        ],
    ),
    dict(
        slug="cio-ai-talent-internal",
        title="Look inside before hiring for AI operations roles",
        dek="The people who know a workflow best are already on the payroll. Training them to run AI agents is often cheaper than hiring strangers to learn the business.",
        section="leadership", pillar="agentic-ai-governance", published=60, revised=None,
        body=_body(
            "Recruiting for AI roles defaults to the external market, where candidates are scarce and expensive. Meanwhile the staff who understand the processes being automated are rarely asked.",
            "Domain knowledge is the hard part",
            "Teaching an experienced claims handler or service-desk lead to write evaluation cases is a matter of weeks. Teaching an outside specialist what a good answer looks like in that workflow can take a year.\n\nInternal candidates also carry trust: the teams whose work changes are more willing to accept an agent that someone they know has tested.",
            "How to start",
            [
                "Offer secondments from operations into the AI team, with a way back.",
                "Pair each secondee with an engineer for the first project.",
                "Count evaluation skill in promotion criteria.",
            ],
        ),
        claims=[
            ("Internal candidates from operations teams become productive in AI evaluation roles faster than external hires.",
             P, 60, None, 4, "Plausible and widely reported; not yet measured.", ["A published comparison of ramp-up times for internal and external hires in these roles."]),
        ],
    ),
    dict(
        slug="it-budgets-2027",
        title="IT budgets for next year: flat totals, shifting lines",
        dek="Headline technology budgets are barely growing. Inside them, money is moving from maintenance to AI and security.",
        section="leadership", pillar="cloud-economics", published=75, revised=None,
        body=_body(
            "Survey after survey shows technology budgets rising slowly, if at all. The more telling numbers are inside the total, where lines are being cut to fund new ones.",
            "Where the money moves",
            "Maintenance of older systems, on-premises hardware refreshes and some outsourced services are losing share. AI programmes and security are gaining it.\n\nThat shift is not free: deferred maintenance shows up later as incidents and emergency spend.",
            "For budget owners",
            [
                "Make deferred maintenance visible as a risk, with an owner.",
                "Fund AI programmes with a stage gate tied to evaluation results.",
                "Keep security spend tied to specific risks, not percentages.",
            ],
        ),
        claims=[
            ("Enterprise IT budgets will grow by less than inflation in the coming year.",
             N, 30, 33, -3, "Two major surveys published since the article show growth slightly above inflation.", ["The next round of analyst budget surveys."]),
            ("Maintenance budgets are being cut to fund AI programmes.",
             H, 60, 30, 30, "", []),
        ],
    ),
    dict(
        slug="ransomware-recovery-time",
        title="Ransomware recovery is measured in weeks, not hours",
        dek="Backups exist. Restoring an entire estate from them, in the right order, with clean identity, takes far longer than most plans assume.",
        section="security", pillar="resilient-operations", published=14, revised=None,
        body=_body(
            "Recovery plans tend to quote the time to restore one system. A ransomware event needs hundreds restored, in dependency order, after the attacker has been removed.",
            "Why it takes so long",
            "Identity has to be rebuilt first, because attackers live in it. Then core infrastructure, then applications, each checked for persistence. Backups that were never restore-tested turn out to be incomplete.\n\nThe organisations that recover fastest have rehearsed a full-estate restore, not just single systems.",
            "What to rehearse",
            [
                "Restore order: write it down and test it.",
                "A clean identity rebuild from offline material.",
                "Communications while e-mail is unavailable.",
            ],
        ),
        claims=[
            ("Median recovery time from a disruptive ransomware attack exceeds three weeks for large enterprises.",
             H, 60, None, 46, "Consistent across incident-response vendors' published figures.", ["A government incident report with recovery-time statistics."]),
            ("Backups that were never restore-tested are the most common cause of extended recovery.",
             P, 45, None, 31, "Frequently cited by responders; no systematic data yet.", []),
        ],
    ),
]

DISSENT = [
    # (article slug, claim index, argument, material?) — None leaves it received, unweighed.
    ("evaluation-budget-for-ai-agents", 0,
     "The article treats evaluation as a separate team. In the deployments I have seen, evaluation was embedded in the product team and still worked; the claim should be about funded time, not a team. "
     "Two of the three projects I know that stalled had a team on paper and no hours behind it.",
     True),
    ("finops-commitments-trap", 0,
     "Unused commitment is often a deliberate trade: the discount still beats on-demand even at 80 per cent use. "
     "The finance teams I work with model the break-even point before signing and accept some waste as the price of the rate.",
     False),
    ("human-oversight-eu-ai-act", 0,
     "Two agent platforms announced oversight dashboards last month; the claim may already be out of date. "
     "If the tooling now ships with the platform, the staffing gap the article describes is smaller than it says, at least for new deployments.",
     None),
    ("it-budgets-2027", 0,
     "The surveys you cite measure planned budgets, not actual spend; actual spend has run below plan for three years. "
     "Comparing plans with plans hides that gap, so the claim about flat totals may be right for the wrong reason.",
     None),
]


# A closing section per article: where the evidence stands and what the piece does not claim.
EVIDENCE = {
    "evaluation-budget-for-ai-agents": "Practitioner write-ups from teams running support, procurement and IT-service agents describe the same arc: a fast pilot, a long plateau, and progress again only once someone owned the evaluation set. Vendor case studies say the same in softer words. What is missing is a comparison across companies that controls for the difficulty of the workflow. Until one exists, the argument rests on a consistent pattern rather than a measured effect, and the verdict says so.",
    "human-oversight-eu-ai-act": "The obligations phase in over several years, and the guidance that will say what adequate oversight looks like in practice is still being drafted. Early drafts talk about competence, authority and time: the overseer must understand the system, be allowed to stop it, and have the hours to watch it. None of those is a feature a vendor can ship on its own. Each is a decision about people, and most organisations have not yet made it.",
    "agent-permissions-least-privilege": "The incidents made public so far are few and often anonymised, which makes ranking their causes hard. Where root causes are given, broad standing access appears more often than clever injection: an agent did something allowed but unintended because nothing narrower had been set up. That finding moved the original claim. It does not make injection harmless; it means the cheapest defence is the permission set.",
    "finops-commitments-trap": "FinOps surveys put unused commitments near the top of reported waste, and procurement advisers describe longer terms being offered in exchange for deeper discounts. Providers have added some flexibility, letting commitments cover more services, but the headline discount still rewards the longest, narrowest promise. The question for finance is not whether the discount is real. It is whether the architecture will still fit the promise in year three.",
    "egress-fees-data-gravity": "Providers have responded to switching rules by waiving fees for customers who leave entirely, usually on application and with conditions. Ordinary traffic between clouds, which is what multi-cloud designs generate every day, is still billed at standard rates. The rules may yet bite harder as they are enforced. For now, the saving arrives mainly at the point of leaving, not in the running costs of staying spread out.",
    "sovereign-cloud-labels": "Release notes make the feature lag easy to check: new services and regions reach separately operated clouds one to three quarters after the parent cloud, and some never arrive. Buyers accept that trade for legal separation. The risk is paying for the label without the separation, when the operator remains subject to the parent company's home jurisdiction. The contract, not the brochure, says which one you bought.",
    "gpu-capacity-planning": "Capacity has eased in some regions since the last chip generation shipped, and providers now sell short reservations for training runs. Multi-day on-demand runs in the most popular regions still fail to start often enough that teams plan around it. Inference has grown faster than training in most enterprise budgets, which shifts the planning problem from finding a large block once to holding a steady base all year.",
    "incident-postmortems-blameless": "The survey figures on completion are self-reported and come from organisations motivated enough to answer a survey about post-mortems, which likely flatters them. Interviews with incident leads tell a consistent story anyway: actions that need another team's time stall first, and actions without a named owner are rarely closed. The fix is organisational and cheap, which is perhaps why it is so often skipped.",
    "identity-is-the-new-outage": "Incident-response firms report that organisations hit by identity-provider outages or compromises frequently find their break-glass accounts unusable: expired passwords, hardware tokens in a locked office, or credentials stored behind the very login that failed. Testing these paths once a quarter costs an afternoon. Not testing them has cost some organisations days of lost access to every system they run.",
    "observability-costs": "The surveys that report observability spend outpacing infrastructure are mostly sponsored by vendors selling ways to reduce it, so the size of the gap should be read with care. The direction matches what platform teams describe, though: each new service adds telemetry by default, and nobody is asked to remove any. Teams that review telemetry by cost each month find the largest producers are rarely the most useful.",
    "cio-ai-talent-internal": "Organisations that have tried secondments report shorter ramp-up times and easier adoption, but they are also the organisations most likely to write about success. No study has yet compared internal and external hires for these roles on the same measures. The verdict will move when one does; until then the advice rests on a plausible mechanism and a handful of accounts.",
    "it-budgets-2027": "The headline claim did not survive: two large budget surveys published after the article put average growth slightly above inflation, which is why its verdict moved. The second claim, that money is moving from maintenance to AI and security, held up in the same surveys. The shift inside the budget matters more to most technology leaders than the total, and it carries a deferred-maintenance risk that rarely appears on the same slide.",
    "ransomware-recovery-time": "Recovery times reported by incident-response firms cluster around three to four weeks for large, disruptive events, measured to the restoration of core business services. Full recovery of every system takes longer. The organisations at the short end share one habit: they have restored their whole estate in an exercise, in order, from backups they did not trust until they had tested them.",
}


# Longer pieces carry a further section before the evidence.
FURTHER = {
    "ransomware-recovery-time": """## The order of restoration

Identity comes first, and it is the step most plans underestimate. Attackers who reach domain administrator rights leave scheduled tasks, service accounts and group memberships behind; restoring directory servers from a backup taken after they arrived restores the attacker too. Teams that recover well rebuild identity from known-good material kept offline, then bring systems back one trust boundary at a time.

Core infrastructure follows: name resolution, time, certificate services, the hypervisors and storage that everything else runs on. Only then do line-of-business applications return, each checked for persistence before it is reconnected. A plan that lists applications by business priority without this dependency order will stall on the first day, when the most important system cannot authenticate anyone.

## Backups that restore

Immutable, offline copies have become standard advice and are now common. The gap has moved to restoration: copies that were never restored at scale, restore throughput that was sized for one system rather than hundreds, and runbooks that assume the people who wrote them are available. A full-estate restore exercise, even of a representative slice, finds these gaps while they are cheap.

## Communicating while the lights are out

E-mail, chat and the intranet are usually among the first casualties. Recovery teams need a way to reach staff, customers and regulators that does not depend on the systems being restored: printed call trees, an out-of-band messaging service, pre-agreed statements. Regulators in several jurisdictions expect notification within days; missing that window adds a second incident to the first.
""",
    "evaluation-budget-for-ai-agents": """## What the evaluation function does

Day to day, the work is unglamorous. Someone reads a sample of the agent's conversations or actions every week, marks the failures, and sorts them into kinds: wrong facts, wrong tone, right answer to the wrong question, a step skipped. Each kind becomes a handful of test cases. Over months, the test set turns into the organisation's working definition of a good answer.

That definition is the asset. It lets a team swap one model for another and know within a day whether quality held. It lets them change a prompt without guessing. It gives the business owner something firmer than a demonstration to sign off against. Without it, every change is a bet, and the safest bet is to change nothing, which is how promising agents freeze at pilot stage.

## Who does it well

The best evaluators tend to be people who have done the work the agent is doing: the experienced service-desk analyst, the procurement officer who knows which supplier answers are evasive. They recognise a plausible wrong answer quickly. Engineers are needed to build the tooling around them, but the judgement itself is domain knowledge, and it is rarely for sale on the open market.
""",
}


class Command(BaseCommand):
    help = "Load a realistic demo publication (safe to run twice)."

    def handle(self, *args, **options):
        try:
            import time_machine
        except ImportError:
            raise CommandError(
                "The demo replays its history on a moving clock with time-machine, "
                "a dev dependency: pip install -e '.[dev]' (make run does)."
            ) from None
        today = timezone.localdate()
        with transaction.atomic():
            editor, admin = self._people()
            pillars = {
                slug: Pillar.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})[0]
                for slug, (name, description) in PILLARS.items()
            }
            sections = {
                slug: Section.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})[0]
                for slug, (name, description) in SECTIONS.items()
            }
            history = History()
            created = set()
            for index, spec in enumerate(ARTICLES):
                if Article.objects.filter(slug=spec["slug"]).exists():
                    continue
                self._article(history, spec, index, today, editor, admin, pillars, sections)
                created.add(spec["slug"])
            self._extras(history, today, editor, admin, created)
            history.replay(time_machine)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo publication ready: {len(created)} new article(s), {Article.objects.count()} in all. "
                "Sign in as editor / vigil-editor-demo or admin / vigil-admin-demo."
            )
        )

    def _people(self):
        editors, _ = Group.objects.get_or_create(name=EDITORS)
        admins, _ = Group.objects.get_or_create(name=ADMINS)
        # So the demo people can use the Django admin: admins manage everything
        # (the admin itself keeps reviews and the correction log append-only),
        # editors look things up. Adding permissions twice is a no-op.
        vigil_apps = ["articles", "claims", "reviews", "corrections", "dissent"]
        admins.permissions.add(
            *Permission.objects.filter(content_type__app_label__in=[*vigil_apps, "auth"])
        )
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label__in=vigil_apps, codename__startswith="view_")
        )
        people = []
        for username, password, group, name in [
            ("editor", "vigil-editor-demo", editors, ("Ruth", "Okafor")),
            ("admin", "vigil-admin-demo", admins, ("Tomasz", "Wilk")),
        ]:
            user, made = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "email": f"{username}@vigil.example", "first_name": name[0], "last_name": name[1]},
            )
            if made:
                user.set_password(password)
                user.save()
            user.groups.add(group)
            people.append(user)
        return people

    def _article(self, history, spec, index, today, editor, admin, pillars, sections):
        """The draft and its claims on the day it was published, then its reviews."""
        published_on = today - datetime.timedelta(days=spec["published"])
        made = history.made.setdefault(spec["slug"], {"last_review": {}})

        def publish():
            article = Article(
                slug=spec["slug"],
                title=spec["title"],
                dek=spec["dek"],
                body_markdown=(
                    spec["body"]
                    + (f"\n{FURTHER[spec['slug']]}" if spec["slug"] in FURTHER else "")
                    + f"\n## The evidence so far\n\n{EVIDENCE[spec['slug']]}\n"
                ),
                section=sections[spec["section"]],
                pillar=pillars[spec["pillar"]],
                revised_on=today - datetime.timedelta(days=spec["revised"]) if spec["revised"] else None,
                drafted_by="Ruth Okafor",
                cover_alt=f"Abstract illustration in layered colour bands for “{spec['title']}”",
            )
            article.cover.save(f"demo-{spec['slug']}.jpg", ContentFile(cover_jpeg(seed=index)), save=False)
            article.save()  # a draft: readers see it only once it is published, below
            made["article"] = article.pk
            made["claims"] = [
                claim_create(
                    actor=editor,
                    article=article,
                    statement=statement,
                    verdict=self._reviews(claim_spec, published_on, today)[0],
                    cadence_days=cadence,
                    is_primary=position == 0,
                    holding_up_note=note,
                    triggers=triggers,
                )
                for position, claim_spec in enumerate(spec["claims"])
                for statement, _, cadence, _, _, note, triggers in [claim_spec]
            ]
            made["claims"] = [claim.pk for claim in made["claims"]]
            # Publishing starts each claim's schedule: first due a cadence later.
            article_publish(article=article, admin=admin)

        history.on(published_on, publish)
        for position, claim_spec in enumerate(spec["claims"]):
            _, reviews = self._reviews(claim_spec, published_on, today)
            for (on, verdict), following in zip(reviews, [*reviews[1:], None]):
                # Each review sets the next one's day as its due date, so none is late;
                # the latest leaves the date to the schedule, as the desk's form does.
                due = following[0] if following else None
                history.on(on, self._review(made, position, verdict, editor, next_review_due=due))
                made["last_review"][position] = on

    @staticmethod
    def _reviews(claim_spec, published_on, today):
        """(the verdict the claim is published with, [(day, verdict) of each review
        since]) leading to the claim's current verdict, so its timeline has points.

        The reviews are the claim's whole history, kept as the method promises:
        one every `cadence` days back from the latest to the first, which falls
        after publication and within a cadence of it. The path's last steps
        lead to the current verdict; the reviews before them keep the verdict
        the article was published with, which is never Not holding (only a
        review reaches that)."""
        _, verdict, cadence, reviewed_ago, _, _, _ = claim_spec
        if reviewed_ago is None:
            return verdict, []
        last = today - datetime.timedelta(days=reviewed_ago)
        if last <= published_on:
            raise CommandError(f"Demo data: a review {reviewed_ago} days ago comes before its article's publication.")
        days = []
        while last > published_on:
            days.insert(0, last)
            last -= datetime.timedelta(days=cadence)
        path = {H: [P, H], P: [P, P], N: [H, P, N]}[verdict]
        steps = path[-(len(days) + 1):]
        verdicts = [steps[0]] * (len(days) + 1 - len(steps)) + steps
        return verdicts[0], list(zip(days, verdicts[1:], strict=True))

    @staticmethod
    def _review(made, position, verdict, editor, next_review_due=None):
        def review():
            claim = Claim.objects.get(pk=made["claims"][position])
            review_record(
                claim=claim,
                editor=editor,
                verdict=verdict,
                cadence_days=claim.cadence_days,
                next_review_due=next_review_due,
                reasoning=REASONING[verdict],
                evidence_considered="Sources listed in the holding-up note, rechecked on the review date.",
            )

        return review

    def _extras(self, history, today, editor, admin, created):
        """Corrections, a sign-off request, an open rewrite and dissent, each added
        only together with the article it belongs to, so a second run adds nothing."""
        entries = [
            ("finops-commitments-trap", CorrectionEntry.Kind.CORRECTION, 90,
             "An earlier version said commitment terms start at five years; the longest standard term is three years.", ""),
            ("incident-postmortems-blameless", CorrectionEntry.Kind.CLARIFICATION, 60,
             "Clarified that the completion figures are self-reported by survey respondents.", ""),
            ("evaluation-budget-for-ai-agents", CorrectionEntry.Kind.UPDATE, 40,
             "Updated the list of budget lines: evaluation tooling and the people who read transcripts are now separate lines.",
             "REVIEW: assess whether the primary claim should be reframed from 'an evaluation team' to 'funded evaluation time'."),
        ]
        for slug, kind, days_ago, text, question in entries:
            if slug not in created:
                continue

            def write(made=history.made[slug], kind=kind, text=text, question=question):
                correction_entry_write(
                    article=Article.objects.get(pk=made["article"]), kind=kind, text=text, editor=editor,
                    signoff_question=question, signoff_addressed_to=admin if question else None,
                )

            history.on(today - datetime.timedelta(days=days_ago), write)
        if "human-oversight-eu-ai-act" in created:
            made = history.made["human-oversight-eu-ai-act"]

            def draft():
                article = Article.objects.get(pk=made["article"])
                rewrite = rewrite_draft(
                    article=article,
                    editor=editor,
                    title="Human oversight of AI agents under the EU AI Act: a staffing plan",
                    dek=article.dek,
                    body_markdown=article.body_markdown
                    + "\n## Who the overseer reports to\n\nThe overseer needs authority as well as tooling.\n",
                    reader_note=(
                        "This piece is being rewritten to reflect the latest guidance on oversight of high-risk systems. "
                        "The text below stays in place until the rewrite is signed off; the change will be dated in the correction log."
                    ),
                )
                # Submitted at once: the demo shows readers the banner.
                rewrite_submit(rewrite=rewrite, editor=editor)

            history.on(today - datetime.timedelta(days=3), draft)
        for slug, claim_index, argument, material in DISSENT:
            if slug not in created:
                continue
            made = history.made[slug]
            # After the claim's last review, so no review had to weigh it; weighed
            # in the moderation queue the day after it arrived.
            spec = next(spec for spec in ARTICLES if spec["slug"] == slug)
            since = made["last_review"].get(claim_index, today - datetime.timedelta(days=spec["published"]))
            sent_on = min(since + datetime.timedelta(days=1), today)

            def submit(made=made, claim_index=claim_index, argument=argument, material=material):
                made.setdefault("dissent", {})[argument] = dissent_submit(
                    claim=Claim.objects.select_related("article").get(pk=made["claims"][claim_index]),
                    argument=argument, name="Sam Reader",
                    consent_to_credit=material is True, sources=["https://example.org/practitioner-notes"],
                )

            history.on(sent_on, submit)
            if material is not None:

                def weigh(made=made, argument=argument, material=material):
                    dissent_weigh(
                        dissent=made["dissent"][argument], material=material, editor=editor,
                        note="Weighed in the moderation queue.",
                    )

                history.on(min(sent_on + datetime.timedelta(days=1), today), weigh)


class History:
    """The demo's steps, each run through the actions on the day it happened."""

    def __init__(self):
        self.steps = []
        self.made = {}  # article slug -> what its steps made, for the later steps

    def on(self, day, step):
        self.steps.append((day, len(self.steps), step))

    def replay(self, time_machine):
        zone = timezone.get_current_timezone()
        for day, _, step in sorted(self.steps, key=lambda entry: entry[:2]):
            # Mid-morning in the publication's time zone, so the local date is `day`.
            moment = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=zone)
            with time_machine.travel(moment, tick=False):
                step()


REASONING = {
    H: "The evidence cited still supports the claim and nothing on the trigger list has appeared.",
    P: "The direction is supported, but the evidence is anecdotal or partial; no trigger has fired.",
    N: "New evidence contradicts the claim as written; the verdict moves and the change is logged.",
}


def cover_jpeg(*, seed, size=(1200, 630)):
    """A calm abstract cover: a two-colour gradient with soft overlapping discs."""
    palettes = [
        ("#1f3b57", "#c9d8e3"), ("#2d4a3e", "#dfe8d8"), ("#4a2f3f", "#ecd9dd"),
        ("#3b3a5c", "#d9d6ea"), ("#5a3e1f", "#efe2cf"),
    ]
    rng = random.Random(seed)
    dark, light = palettes[seed % len(palettes)]
    width, height = size
    gradient = Image.linear_gradient("L").rotate(rng.choice([30, 60, 120, 150]), expand=True)
    gradient = gradient.resize(size)
    image = ImageOps.colorize(gradient, black=dark, white=light).convert("RGBA")
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(6):
        radius = rng.randint(height // 6, height // 2)
        x, y = rng.randint(0, width), rng.randint(0, height)
        shade = rng.choice([(255, 255, 255, 46), (0, 0, 0, 36), (255, 255, 255, 28)])
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shade)
    for offset in range(0, width, 48):
        draw.line((offset, height, offset + height // 2, 0), fill=(255, 255, 255, 14), width=2)
    image = Image.alpha_composite(image, overlay.filter(ImageFilter.GaussianBlur(2))).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()
