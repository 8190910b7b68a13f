"""Who may see what: the one place that knows the rules, per resource.

Every selector of every app, the hand-written claim SQL, the API and the console ask here. A rule is a `Q` over
the resource's own fields, so it composes into any query (`prefix` walks to the resource from another one:
`case_filter(viewer, "case__")` filters ledger events, decisions or audits by the case they belong to).

The rules (DESIGN §5):
- Vendor staff see only queues contracted to their vendor, the cases in them, the subjects of those cases and
  the events of those cases.
- Everyone sees only subjects in the data regions they are cleared for (and cases, events, decisions on them).
- A queue may require a clearance (restricted content: child safety, terrorism, NCII). Its cases are seen and
  worked only by people holding that clearance, admins and policy managers included.
- Roles that neither review nor read cases (support, engineering, the vendor manager for cases) see no case.
"""
from dataclasses import dataclass

from django.db.models import Q

from trustops.identity.roles import (
    CONFIGURER_ROLES,
    IN_HOUSE_CASE_ROLES,
    LEAD_ROLES,
    QUALITY_READER_ROLES,
    REVIEWER_ROLES,
    Role,
)

ALL_REGIONS = "*"
# Clearances for restricted content; a queue names one of these in `required_clearance`.
CLEARANCES = {
    "restricted:child_safety": "child sexual exploitation and abuse",
    "restricted:terrorism_ncii": "terrorist content and non-consensual intimate imagery",
}
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Viewer:
    """What the access rules need to know about the person (or machine) asking, built once per request."""
    user_id: int | None
    username: str
    role: str
    vendor_id: int | None
    team_id: int | None
    regions: frozenset[str] | None          # None: every region
    clearances: frozenset[str]
    second_factor: bool = False             # signed in with a verified TOTP device in this session

    @property
    def pk(self) -> int | None:
        return self.user_id

    def region_codes(self) -> list[str] | None:
        return None if self.regions is None else sorted(self.regions)

    @property
    def is_vendor_staff(self) -> bool:
        return self.vendor_id is not None

    @property
    def reviews_in_house(self) -> bool:
        return self.vendor_id is None and self.role in IN_HOUSE_CASE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and self.vendor_id is None

    def is_cleared_for(self, region: str) -> bool:
        return self.regions is None or region in self.regions

    def holds(self, clearance: str) -> bool:
        return not clearance or clearance in self.clearances


def viewer(person) -> Viewer:
    """The Viewer for a user (memoised on the user object, which lives as long as the request), or itself."""
    if isinstance(person, Viewer):
        return person
    cached = getattr(person, "_access_viewer", None)
    if cached is not None:
        return cached
    if person is None or not getattr(person, "is_authenticated", False):
        built = Viewer(None, "", "", None, None, frozenset(), frozenset())
    else:
        regions = list(person.cleared_regions or [])
        built = Viewer(
            user_id=person.pk, username=person.username, role=person.role, vendor_id=person.vendor_id,
            team_id=person.team_id, regions=None if ALL_REGIONS in regions else frozenset(regions),
            clearances=frozenset(getattr(person, "clearances", None) or []),
            second_factor=bool(getattr(person, "is_verified", lambda: False)()))
        person._access_viewer = built
    return built


def forget(person) -> None:
    """Drop a memoised Viewer (after the person's roles or clearances changed in this request)."""
    if hasattr(person, "_access_viewer"):
        del person._access_viewer


def _regions(v: Viewer, field: str) -> Q:
    if v.regions is None:
        return Q()
    return Q(**{f"{field}__in": sorted(v.regions)}) if v.regions else NOTHING


def _cleared_queues(v: Viewer, prefix: str) -> Q:
    """Queues whose required clearance (if any) the viewer holds."""
    return Q(**{f"{prefix}required_clearance": ""}) | Q(**{f"{prefix}required_clearance__in": sorted(v.clearances)})


# ---- queues -----------------------------------------------------------------------------------------------

def queue_filter(person, prefix: str = "") -> Q:
    """Active queues the viewer may see: vendor staff their vendor's, in-house reviewers and readers all;
    restricted queues only with the clearance."""
    v = viewer(person)
    if v.is_vendor_staff:
        scope = Q(**{f"{prefix}vendors": v.vendor_id})
    elif v.reviews_in_house:
        scope = Q()
    else:
        return NOTHING
    return scope & Q(**{f"{prefix}active": True}) & _cleared_queues(v, prefix)


def may_work_queue(person, *, active: bool, required_clearance: str, contracted: bool,
                   open_to_team: bool) -> bool:
    """Whether the viewer may take cases from a queue they can see, given the queue's facts."""
    v = viewer(person)
    if v.role not in REVIEWER_ROLES or not active or not v.holds(required_clearance):
        return False
    if v.is_vendor_staff:
        return contracted
    return v.role == Role.ADMIN or open_to_team


# ---- cases, and what belongs to a case --------------------------------------------------------------------

def case_filter(person, prefix: str = "") -> Q:
    """Cases the viewer may see."""
    v = viewer(person)
    if v.is_vendor_staff:
        scope = Q(**{f"{prefix}queue__vendors": v.vendor_id})
    elif v.reviews_in_house:
        scope = Q()
    else:
        return NOTHING
    return scope & _regions(v, f"{prefix}subject__region") & _cleared_queues(v, f"{prefix}queue__")


def claim_sql(person, *, case: str = "c", subject: str = "s") -> tuple[str, list, bool]:
    """`case_filter` for a claim from one queue the viewer may work, as SQL over `review_case {case}` joined to
    `subjects_subject {subject}`: (condition, parameters, whether the subject join is needed).

    The queue's vendor and clearance rules were checked when the queue was read (`may_work_queue`); what is left
    per case is the region. tests/test_access_matrix.py holds this equal to `case_filter`.
    """
    v = viewer(person)
    if v.regions is None:
        return "TRUE", [], False
    if not v.regions:
        return "FALSE", [], False
    regions = sorted(v.regions)
    return f"{subject}.region IN ({', '.join(['%s'] * len(regions))})", regions, True


# ---- subjects ---------------------------------------------------------------------------------------------

def subject_filter(person, prefix: str = "") -> Q:
    """Subjects the viewer may see: in a cleared region; for vendor staff only the subjects of their cases.

    An item with a case in a restricted queue is restricted content: hidden from anyone without the clearance
    (accounts stay visible; only their cases in such queues are hidden). The rule walks from the subject to its
    cases, so it can match a subject once per case: `subjects.selectors` applies it through a subquery.
    """
    v = viewer(person)
    if v.is_vendor_staff:
        scope = case_filter(v, f"{prefix}cases__")
    elif v.reviews_in_house:
        scope = Q()
    else:
        return NOTHING
    lacking = sorted(set(CLEARANCES) - v.clearances)
    if lacking:
        scope &= (Q(**{f"{prefix}type__in": ACCOUNT_TYPES})
                  | ~Q(**{f"{prefix}cases__queue__required_clearance__in": lacking}))
    return scope & _regions(v, f"{prefix}region")


ACCOUNT_TYPES = ("user", "creator", "merchant")


# ---- the ledger -------------------------------------------------------------------------------------------

def event_filter(person, prefix: str = "") -> Q:
    """Ledger events the viewer may see in a subject's timeline: events of cases they may see, and the
    subject's own events that belong to no case."""
    return Q(**{f"{prefix}case__isnull": True}) | case_filter(person, f"{prefix}case__")


# ---- decisions, for quality and reporting -----------------------------------------------------------------

def decision_filter(person, prefix: str = "") -> Q:
    """Decisions in the viewer's quality scope: QA and leads, decisions on cases they may see; vendor managers,
    decisions their vendor's people made, on subjects in their regions and outside restricted queues they are
    not cleared for; reviewers, their own decisions (on cases they may still see)."""
    v = viewer(person)
    case = f"{prefix}case__"
    if v.role in QUALITY_READER_ROLES and not v.is_vendor_staff:
        return case_filter(v, case)
    if v.role == Role.VENDOR_MANAGER and v.vendor_id:
        return (Q(**{f"{prefix}reviewer__vendor_id": v.vendor_id}) & _regions(v, f"{case}subject__region")
                & _cleared_queues(v, f"{case}queue__"))
    if v.role in REVIEWER_ROLES and v.user_id:
        return Q(**{f"{prefix}reviewer_id": v.user_id}) & case_filter(v, case)
    return NOTHING


def reads_quality(person) -> bool:
    v = viewer(person)
    return v.role in QUALITY_READER_ROLES and not v.is_vendor_staff


def reads_delivery_log(person) -> bool:
    """The outbound webhook delivery log (endpoints, errors): operations leads."""
    v = viewer(person)
    return v.role in {Role.ADMIN, Role.TEAM_LEAD} and not v.is_vendor_staff


# ---- the floor: who runs it, and whose work it shows ------------------------------------------------------

# Vendor staff who run their own vendor's floor.
VENDOR_FLOOR_ROLES = {Role.VENDOR_MANAGER, Role.TEAM_LEAD}


def runs_floor(person) -> bool:
    """Team leads, policy managers and admins run the floor; a vendor's managers and leads their vendor's."""
    v = viewer(person)
    if v.is_vendor_staff:
        return v.role in VENDOR_FLOOR_ROLES
    return v.role in LEAD_ROLES


def floor_people_filter(person, prefix: str = "") -> Q:
    """People whose work (holds, decisions, skips) a floor viewer sees and may hand cases to: everyone for
    in-house leads, their own vendor's people for vendor staff. Cases stay scoped by `case_filter`."""
    v = viewer(person)
    if not runs_floor(v):
        return NOTHING
    if v.is_vendor_staff:
        return Q(**{f"{prefix}vendor_id": v.vendor_id})
    return Q()


# ---- configuration, people and API tokens -----------------------------------------------------------------

def configures_platform(person) -> bool:
    """Queues, routing rules and webhook endpoints: admins and policy managers, never vendor staff.

    They see every queue's configuration (restricted ones included); the cases stay behind the clearance."""
    v = viewer(person)
    return v.role in CONFIGURER_ROLES and not v.is_vendor_staff


def administers_people(person) -> bool:
    """Accounts (roles, regions, vendor, team, clearances, deactivation): in-house admins only."""
    return viewer(person).is_admin


def person_filter(person, prefix: str = "") -> Q:
    """Accounts a viewer may open and change in the console: every account for admins, none for anyone else."""
    return Q() if administers_people(person) else NOTHING


def token_filter(person, prefix: str = "") -> Q:
    """API tokens a viewer sees and may revoke: their own; admins also everyone's. Anyone else's is not found."""
    v = viewer(person)
    if v.user_id is None:
        return NOTHING
    if v.is_admin:
        return Q()
    return Q(**{f"{prefix}user_id": v.user_id})


# ---- compliance: statements of reasons, legal clocks, holds, retention, data subjects, access audit ---------

COMPLIANCE_ROLES = {Role.COMPLIANCE_OFFICER, Role.ADMIN}


def works_compliance(person) -> bool:
    """The compliance workspace and its API: compliance officers and admins, never vendor staff. Others (the
    analyst's token carries `compliance:read`) see nothing there: every compliance list is empty for them and
    every compliance record a 404."""
    v = viewer(person)
    return v.role in COMPLIANCE_ROLES and not v.is_vendor_staff


def compliance_subject_filter(person, prefix: str = "") -> Q:
    """Compliance records about a subject (legal clocks, holds, data subject requests) that the viewer sees:
    compliance staff, for subjects in their cleared regions."""
    v = viewer(person)
    if not works_compliance(v):
        return NOTHING
    return _regions(v, f"{prefix}region")


def statement_filter(person, prefix: str = "") -> Q:
    """Statements of reasons compliance staff see: in their cleared regions, and for decisions in restricted
    queues only with that queue's clearance (the statement quotes the decision's facts)."""
    v = viewer(person)
    if not works_compliance(v):
        return NOTHING
    return _regions(v, f"{prefix}region") & _cleared_queues(v, f"{prefix}decision__case__queue__")


def reads_access_audit(person) -> bool:
    """Who searched what sensitive content and personal data: compliance staff (the log names cases and
    subjects, which stay scoped by `case_filter` and `subject_filter` when opened)."""
    return works_compliance(person)


# ---- risk: rules, hits, labels, monitors ------------------------------------------------------------------

RISK_WRITER_ROLES = {Role.ADMIN, Role.POLICY_MANAGER, Role.INVESTIGATOR}
RISK_READER_ROLES = RISK_WRITER_ROLES | {Role.ANALYST, Role.MERCHANT_SPECIALIST}


def reads_risk(person) -> bool:
    """Risk rules, their precision, backtests and monitors: investigators, policy managers, admins, analysts and
    merchant specialists (read), never vendor staff. Hits and labels name subjects, so each is shown only when
    its subject is visible to the viewer (`subject_filter`: cleared regions, restricted content)."""
    v = viewer(person)
    return v.role in RISK_READER_ROLES and not v.is_vendor_staff


def writes_risk(person) -> bool:
    """Writing, backtesting, publishing and retiring rules, monitors and breakers: investigators, policy
    managers and admins."""
    v = viewer(person)
    return v.role in RISK_WRITER_ROLES and not v.is_vendor_staff


# ---- the support desk: tickets, replies, the knowledge base, incidents, escalations -----------------------

# Who works the desk: sees every ticket, internal notes included, and writes the knowledge base.
SUPPORT_DESK_ROLES = {Role.SUPPORT_SPECIALIST, Role.ADMIN}
# Who reads internal articles (SOPs, workarounds) besides the desk.
KB_INTERNAL_ROLES = {Role.SUPPORT_SPECIALIST, Role.ADMIN, Role.ENGINEER, Role.ESCALATIONS_SPECIALIST}
# Who sees and runs incidents; others follow an incident they subscribed to.
INCIDENT_ROLES = {Role.SUPPORT_SPECIALIST, Role.ADMIN, Role.ENGINEER, Role.TEAM_LEAD, Role.ESCALATIONS_SPECIALIST}
# Who works creator and user escalations.
CREATOR_ESCALATION_ROLES = {Role.ESCALATIONS_SPECIALIST, Role.ADMIN, Role.SUPPORT_SPECIALIST}


def works_support_desk(person) -> bool:
    v = viewer(person)
    return v.role in SUPPORT_DESK_ROLES and not v.is_vendor_staff


def ticket_filter(person, prefix: str = "") -> Q:
    """Tickets the viewer may see.

    - The desk (support specialists, admins): every ticket.
    - Engineers: their own tickets and the tickets escalated to them.
    - Everyone else (vendor staff included): only the tickets they asked (or an IM bot filed for them), and a
      machine the tickets it filed.
    """
    v = viewer(person)
    if v.user_id is None:
        return NOTHING
    if works_support_desk(v):
        return Q()
    own = Q(**{f"{prefix}requester_id": v.user_id}) | Q(**{f"{prefix}submitted_by_id": v.user_id})
    if v.role == Role.ENGINEER and not v.is_vendor_staff:
        return own | Q(**{f"{prefix}engineering_issue__engineer_id": v.user_id})
    return own


def sees_internal_notes(person, ticket) -> bool:
    """Internal notes: the desk, and the engineer a ticket is escalated to; never the requester as such."""
    v = viewer(person)
    if works_support_desk(v):
        return True
    issue = getattr(ticket, "engineering_issue", None) if ticket is not None else None
    return v.role == Role.ENGINEER and issue is not None and issue.engineer_id == v.user_id


def article_filter(person, prefix: str = "") -> Q:
    """Articles: published ones for every signed-in person; internal ones for the desk, engineering and
    escalations; drafts for the desk and their owner."""
    v = viewer(person)
    if v.user_id is None:
        return NOTHING
    q = Q(**{f"{prefix}visibility": "published"})
    if v.role in KB_INTERNAL_ROLES and not v.is_vendor_staff:
        q |= Q(**{f"{prefix}visibility": "internal"})
    if works_support_desk(v):
        q |= Q(**{f"{prefix}visibility": "draft"})
    else:
        q |= Q(**{f"{prefix}visibility": "draft", f"{prefix}owner_id": v.user_id})
    return q


def incident_filter(person, prefix: str = "") -> Q:
    """Incidents: the incident roles see all; anyone else those they subscribed to or hold a role in."""
    v = viewer(person)
    if v.user_id is None:
        return NOTHING
    if v.role in INCIDENT_ROLES and not v.is_vendor_staff:
        return Q()
    return (Q(**{f"{prefix}subscribers": v.user_id}) | Q(**{f"{prefix}commander_id": v.user_id})
            | Q(**{f"{prefix}scribe_id": v.user_id}) | Q(**{f"{prefix}liaison_id": v.user_id}))


def runs_incidents(person) -> bool:
    v = viewer(person)
    return v.role in INCIDENT_ROLES and not v.is_vendor_staff


def creator_escalation_filter(person, prefix: str = "") -> Q:
    """Creator and user escalations: creator and user excellence (escalations specialists), the desk and admins,
    for accounts in their cleared regions; never vendor staff. (Escalations are about accounts, never restricted
    content, so the region is the whole of the subject rule here.)"""
    v = viewer(person)
    if v.role in CREATOR_ESCALATION_ROLES and not v.is_vendor_staff:
        return _regions(v, f"{prefix}subject__region")
    return NOTHING


def escalation_account_filter(person, prefix: str = "") -> Q:
    """The accounts an escalation may be opened about by this person: users and creators in cleared regions."""
    v = viewer(person)
    if not opens_creator_escalations(v):
        return NOTHING
    return Q(**{f"{prefix}type__in": ("user", "creator")}) & _regions(v, f"{prefix}region")


def opens_creator_escalations(person) -> bool:
    """Who opens an escalation: those who work them, and the integrations partners and communications post
    through (an integration token)."""
    v = viewer(person)
    return v.role in (CREATOR_ESCALATION_ROLES | {Role.INTEGRATION}) and not v.is_vendor_staff


def works_creator_escalations(person) -> bool:
    """Who owns and closes escalations and generates the weekly insights."""
    v = viewer(person)
    return v.role in CREATOR_ESCALATION_ROLES and not v.is_vendor_staff


# ---- merchants ----------------------------------------------------------------------------------------------

# Who works on merchants in-house: governs them (onboarding, licences, funds) or reads them.
MERCHANT_GOVERNORS = {Role.MERCHANT_SPECIALIST, Role.ADMIN}
MERCHANT_READERS = {Role.MERCHANT_SPECIALIST, Role.ADMIN, Role.POLICY_MANAGER, Role.ANALYST, Role.INVESTIGATOR,
                    Role.INTEGRATION}


def merchant_filter(person, prefix: str = "") -> Q:
    """Merchants the viewer may see.

    Merchant specialists, admins, policy managers, analysts and investigators (read) and the integrating platform
    see the merchants of their cleared regions. Vendor staff see a merchant only through a case they may see on
    its account or one of its listings (and then with its personal and bank data masked: `masks_merchant`).
    Everyone else sees none.
    """
    v = viewer(person)
    if v.is_vendor_staff:
        return (case_filter(v, f"{prefix}account__cases__")
                | case_filter(v, f"{prefix}listings__subject__cases__"))
    if v.role not in MERCHANT_READERS:
        return NOTHING
    return _regions(v, f"{prefix}region")


def masks_merchant(person) -> bool:
    """Vendor staff read a merchant's identity, owners and bank data masked."""
    return viewer(person).is_vendor_staff


def governs_merchants(person) -> bool:
    """Who moves merchants through their lifecycle, reviews their documents and licences, sets funds."""
    v = viewer(person)
    return v.role in MERCHANT_GOVERNORS and not v.is_vendor_staff


def onboards_merchants(person) -> bool:
    """Who sends merchants' applications, documents, licences, listings and daily figures: the platform, too."""
    v = viewer(person)
    return (v.role in MERCHANT_GOVERNORS or v.role == Role.INTEGRATION) and not v.is_vendor_staff


def configures_merchants(person) -> bool:
    """The category tree and the health, benefits and funds rules: merchant specialists, admins, policy managers."""
    v = viewer(person)
    return v.role in {Role.MERCHANT_SPECIALIST, Role.ADMIN, Role.POLICY_MANAGER} and not v.is_vendor_staff


def uses_merchant_workspace(person) -> bool:
    v = viewer(person)
    return v.role in MERCHANT_READERS - {Role.INTEGRATION} and not v.is_vendor_staff


# ---- vendors: profiles, contracts, measurement, invoices, scorecards --------------------------------------

# In-house people who read every vendor's figures and prices.
VENDOR_READER_ROLES = {Role.VENDOR_MANAGER, Role.ADMIN, Role.ANALYST}
# In-house people who manage vendors: profiles, contracts, invoices (the first approval).
VENDOR_WRITER_ROLES = {Role.VENDOR_MANAGER, Role.ADMIN}


def vendor_filter(person, prefix: str = "") -> Q:
    """Vendors (`identity.Vendor`) whose profile, contracts, figures, invoices and scorecards the viewer sees.

    In-house vendor managers, admins and analysts: every vendor. A vendor's own managers (role vendor_manager
    with that vendor): their vendor only, so never another vendor's prices or figures. Everyone else: none.
    `prefix` walks to the vendor from another resource (`vendor__` from an invoice)."""
    v = viewer(person)
    if v.is_vendor_staff:
        if v.role == Role.VENDOR_MANAGER:
            return Q(**{f"{prefix}id": v.vendor_id})
        return NOTHING
    if v.role in VENDOR_READER_ROLES:
        return Q()
    return NOTHING


def reads_vendors(person) -> bool:
    """Whether the vendor pages and API answer this viewer at all (what they show is `vendor_filter`)."""
    v = viewer(person)
    return (v.role == Role.VENDOR_MANAGER) if v.is_vendor_staff else v.role in VENDOR_READER_ROLES


def manages_vendors(person) -> bool:
    """In-house vendor managers and admins: profiles, status, contracts, computing invoices, the manager's
    approval and resolving disputes. Never vendor staff."""
    v = viewer(person)
    return v.role in VENDOR_WRITER_ROLES and not v.is_vendor_staff


def approves_as_finance(person) -> bool:
    """The second approval of an invoice (finance): in-house admins."""
    return viewer(person).is_admin


def speaks_for_vendor(person, vendor_id: int) -> bool:
    """Who may put a vendor's own count on its invoice and dispute it: the in-house managers, and that vendor's
    own managers."""
    v = viewer(person)
    if v.is_vendor_staff:
        return v.role == Role.VENDOR_MANAGER and v.vendor_id == vendor_id
    return manages_vendors(v)


def roster_filter(person, prefix: str = "") -> Q:
    """Shift templates, roster entries and adherence figures: those of the vendors the viewer sees
    (`vendor_filter`), so a vendor's own managers see their own vendor's people and rosters alone."""
    return vendor_filter(person, f"{prefix}vendor__")


def manages_roster(person, vendor_id: int) -> bool:
    """Who enters shift templates and rosters: in-house vendor managers and admins, and that vendor's own
    managers (their site plans its own floor)."""
    return speaks_for_vendor(person, vendor_id)


# ---- workforce planning: forecasts, staffing plans, requirements, training, improvement plans --------------
"""Who sees and does what in workforce planning:
- In-house planners (admins, analysts, in-house vendor managers) see every queue's forecasts and staffing plans,
  every requirement, certification, quiz and improvement plan. Analysts read; vendor managers and admins act.
- A vendor's own managers (and its team leads) see forecasts and plans of the queues their vendor works (the
  per-vendor headcount trimmed to their own vendor), their own vendor's people's certifications and their
  vendor's improvement plans; never requirements, allocations or another vendor's figures.
- Agents (and every reviewer) see the quizzes of the queues they may see, and their own attempts and
  certifications; an improvement plan's owner sees the plans they own.
- In-house stakeholders who file requirements (policy managers, team leads, QA leads) see the ones they filed.
"""
PLANNER_ROLES = {Role.ADMIN, Role.ANALYST, Role.VENDOR_MANAGER}
REQUIREMENT_FILER_ROLES = {Role.ADMIN, Role.VENDOR_MANAGER, Role.POLICY_MANAGER, Role.TEAM_LEAD, Role.QA_LEAD}
TRAINING_MANAGER_ROLES = {Role.ADMIN, Role.VENDOR_MANAGER, Role.QA_LEAD}


def plans_all(person) -> bool:
    """In-house planners: every queue, vendor and person."""
    v = viewer(person)
    return v.role in PLANNER_ROLES and not v.is_vendor_staff


def _vendor_manager(v: Viewer) -> bool:
    return v.is_vendor_staff and v.role in VENDOR_FLOOR_ROLES


def reads_planning(person) -> bool:
    """The staffing planner (forecasts and plans): in-house planners and a vendor's managers."""
    v = viewer(person)
    return plans_all(v) or _vendor_manager(v)


def acts_on_planning(person) -> bool:
    """Runs forecasts and plans, approves requirements, manages improvement plans: in-house vendor managers
    and admins."""
    v = viewer(person)
    return v.role in {Role.ADMIN, Role.VENDOR_MANAGER} and not v.is_vendor_staff


def planning_queue_filter(person, prefix: str = "") -> Q:
    """Queues whose forecasts and staffing plans the viewer sees (restricted queues only with the clearance)."""
    v = viewer(person)
    if plans_all(v):
        return _cleared_queues(v, prefix)
    if _vendor_manager(v):
        return Q(**{f"{prefix}vendors": v.vendor_id}) & _cleared_queues(v, prefix)
    return NOTHING


def files_requirements(person) -> bool:
    v = viewer(person)
    return v.role in REQUIREMENT_FILER_ROLES and not v.is_vendor_staff


def requirement_filter(person, prefix: str = "") -> Q:
    v = viewer(person)
    if plans_all(v):
        return Q()
    if files_requirements(v):
        return Q(**{f"{prefix}requested_by_id": v.user_id})
    return NOTHING


def manages_training(person) -> bool:
    """Writes SOPs and quizzes: in-house vendor managers, QA leads and admins."""
    v = viewer(person)
    return v.role in TRAINING_MANAGER_ROLES and not v.is_vendor_staff


def people_filter(person, prefix: str = "") -> Q:
    """People whose certifications and attempts the viewer sees: all for in-house planners and training
    managers, their vendor's for its managers, themselves for everyone else."""
    v = viewer(person)
    if plans_all(v) or manages_training(v):
        return Q()
    if _vendor_manager(v):
        return Q(**{f"{prefix}vendor_id": v.vendor_id})
    if v.user_id:
        return Q(**{f"{prefix}pk": v.user_id})
    return NOTHING


def quiz_filter(person, prefix: str = "") -> Q:
    """Quizzes of the queues the viewer sees (training managers and planners: every queue)."""
    v = viewer(person)
    if plans_all(v) or manages_training(v):
        return Q()
    if _vendor_manager(v):
        return Q(**{f"{prefix}queue__vendors": v.vendor_id})
    return queue_filter(v, f"{prefix}queue__")


def improvement_filter(person, prefix: str = "") -> Q:
    v = viewer(person)
    if plans_all(v) or manages_training(v):
        return Q()
    if _vendor_manager(v):
        return Q(**{f"{prefix}vendor_id": v.vendor_id})
    if v.user_id:
        return Q(**{f"{prefix}owner_id": v.user_id})
    return NOTHING
