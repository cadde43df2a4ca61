"""Writes of the four-strong evaluation. Keyword-only, ``actor`` required, atomic,
validated, guarded by the policy and audited.

Each step has its own action (``access/roles.py``):

- ``fourstrong.system_manage`` (organ party committee office): indicator systems;
- ``fourstrong.review`` on the cycle's scope (organ party committee office): starting
  a cycle, review and final score, public notice, answering objections, naming and
  the re-review that revokes the title;
- ``fourstrong.self_assess`` on the branch (branch secretary): scores, evidence, submit;
- ``fourstrong.recommend`` on the branch's *parent* (the superior committee — the
  organ office granted on the committee or general branch above it): recommend or
  send back; nobody recommends their own branch;
- ``fourstrong.object`` on the branch (members and branch secretaries of the branch,
  i.e. party members within scope): objections, only during the public notice.

The platform administrator, security administrator and auditor have none of them.
The public functions below drive a cycle through every step from code (the demo data
uses them); their signatures are stable.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.access import policy
from dangjian.access.roles import Action
from dangjian.core import audit, signing
from dangjian.organizations.models import Organization, OrganizationKind

from . import computed
from .models import (
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    ComputedKey,
    Cycle,
    Dimension,
    Indicator,
    IndicatorSystem,
    Objection,
    Score,
    Source,
    SystemStatus,
)

S = AssessmentStatus
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def _guard(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Permissions (also used by the views to show the actions)


def can_manage_systems(actor) -> bool:
    return policy.has_action(actor, Action.FOURSTRONG_SYSTEM_MANAGE)


def can_start_cycle(actor, scope: Organization) -> bool:
    return policy.can(actor, Action.FOURSTRONG_REVIEW, scope)


def can_self_assess(actor, assessment: Assessment) -> bool:
    return policy.can(actor, Action.FOURSTRONG_SELF_ASSESS, assessment.branch)


def can_recommend(actor, assessment: Assessment) -> bool:
    parent = assessment.branch.parent
    return parent is not None and policy.can(actor, Action.FOURSTRONG_RECOMMEND, parent)


def can_review(actor, assessment: Assessment) -> bool:
    return policy.can(actor, Action.FOURSTRONG_REVIEW, assessment.cycle.scope)


def can_object(actor, assessment: Assessment) -> bool:
    return policy.can(actor, Action.FOURSTRONG_OBJECT, assessment.branch)


# Indicator systems


def system_in_use(system: IndicatorSystem) -> bool:
    return system.cycles.exists()


def _ensure_editable(system: IndicatorSystem) -> None:
    if system_in_use(system):
        raise ValidationError(
            _(
                "This indicator system is used by an assessment cycle and cannot be changed; "
                "create a new version instead."
            )
        )
    if system.status == SystemStatus.PUBLISHED:
        raise ValidationError(
            _("A published indicator system cannot be changed; create a new version instead.")
        )


def weight_total(system: IndicatorSystem) -> Decimal:
    return system.indicators.aggregate(total=Sum("weight"))["total"] or Decimal("0")


@transaction.atomic
def system_create(*, actor, name: str) -> IndicatorSystem:
    _guard(can_manage_systems(actor))
    system = IndicatorSystem(name=name, created_by=actor if actor else None)
    system.full_clean()
    system.save()
    audit.record(actor=actor, action="create", note="fourstrong.system_create", obj=system)
    return system


@transaction.atomic
def indicator_add(*, actor, system: IndicatorSystem, **fields) -> Indicator:
    _guard(can_manage_systems(actor))
    system = IndicatorSystem.objects.select_for_update(of=("self",)).get(pk=system.pk)
    _ensure_editable(system)
    indicator = Indicator(system=system, **fields)
    indicator.full_clean()
    indicator.save()
    audit.record(actor=actor, action="create", note="fourstrong.indicator_add", obj=indicator)
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    _guard(can_manage_systems(actor))
    system = IndicatorSystem.objects.select_for_update(of=("self",)).get(pk=indicator.system_id)
    _ensure_editable(system)
    indicator = Indicator.objects.get(pk=indicator.pk)
    before = audit.snapshot(indicator, fields)
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    audit.record(
        actor=actor,
        action="update",
        note="fourstrong.indicator_update",
        obj=indicator,
        changes=audit.diff(before, audit.snapshot(indicator, fields)),
    )
    return indicator


@transaction.atomic
def system_publish(*, actor, system: IndicatorSystem) -> IndicatorSystem:
    _guard(can_manage_systems(actor))
    system = IndicatorSystem.objects.select_for_update(of=("self",)).get(pk=system.pk)
    if system.status == SystemStatus.PUBLISHED:
        raise ValidationError(_("This indicator system is already published."))
    if not system.indicators.exists():
        raise ValidationError(_("An indicator system needs at least one indicator."))
    total = weight_total(system)
    if total != HUNDRED:
        raise ValidationError(
            _("The weights of the indicators add up to %(total)s; they must add up to 100.")
            % {"total": format(total.normalize(), "f")}
        )
    system.status = SystemStatus.PUBLISHED
    system.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="update", note="fourstrong.system_publish", obj=system)
    return system


@transaction.atomic
def system_new_version(*, actor, system: IndicatorSystem) -> IndicatorSystem:
    """A draft copy of ``system`` with the next version number and the same indicators."""
    _guard(can_manage_systems(actor))
    latest = (
        IndicatorSystem.objects.filter(name=system.name).aggregate(n=Max("version_number"))["n"]
        or 0
    )
    copy = IndicatorSystem.objects.create(
        name=system.name,
        version_number=latest + 1,
        copied_from=system,
        created_by=actor if actor else None,
    )
    Indicator.objects.bulk_create(
        Indicator(
            system=copy,
            dimension=i.dimension,
            name=i.name,
            weight=i.weight,
            max_score=i.max_score,
            rule=i.rule,
            source=i.source,
            computed_key=i.computed_key,
            order=i.order,
        )
        for i in system.indicators.all()
    )
    audit.record(actor=actor, action="create", note="fourstrong.system_new_version", obj=copy)
    return copy


# The standard indicator system: the four dimensions, 25 points each, with every
# computed indicator. Names and rules are Chinese on purpose (they are the rules'
# own text, as printed in the notice of the evaluation).
DEFAULT_SYSTEM_NAME = "四强党支部创建指标体系"
DEFAULT_INDICATORS = (
    # dimension, name, weight, maximum score, computed key ("" = scored by reviewers), rule
    (
        Dimension.POLITICAL,
        "第一议题学习及时",
        10,
        10,
        ComputedKey.STUDY_PROMPTNESS,
        "年度第一议题在下达后30日内学习的比例×满分",
    ),
    (Dimension.POLITICAL, "政治建设和意识形态工作", 15, 15, "", "对照支部工作条例，凭材料评分"),
    (
        Dimension.LEADERSHIP,
        "三会一课落实",
        15,
        15,
        ComputedKey.LIFE_COMPLIANCE,
        "本期组织生活制度达标项所占比例×满分",
    ),
    (Dimension.LEADERSHIP, "支部班子建设", 10, 10, "", "班子配备齐全、分工明确、履职到位"),
    (
        Dimension.MEMBERS,
        "党员教育培训学时",
        10,
        10,
        ComputedKey.TRAINING_HOURS,
        "党员人均年度培训学时÷32学时×满分，满分封顶",
    ),
    (Dimension.MEMBERS, "党员管理和发展", 15, 15, "", "党员教育管理、发展党员、党费收缴规范"),
    (
        Dimension.ROLE,
        "督办任务按期完成",
        10,
        10,
        ComputedKey.TASK_ON_TIME,
        "年度到期牵头任务按期办结的比例×满分",
    ),
    (
        Dimension.ROLE,
        "专项行动按时报送",
        5,
        5,
        ComputedKey.CAMPAIGN_REPORTING,
        "年度到期的专项行动报送要求按时报送且未被退回的比例×满分",
    ),
    (Dimension.ROLE, "中心工作成效", 10, 10, "", "围绕中心、服务大局的成效，凭材料评分"),
)


@transaction.atomic
def default_system_create(
    *, actor, name: str = DEFAULT_SYSTEM_NAME, publish: bool = True
) -> IndicatorSystem:
    """The standard system (weights add up to 100, all five computed indicators), as the
    next version of ``name``; published unless ``publish`` is False."""
    _guard(can_manage_systems(actor))
    latest = IndicatorSystem.objects.filter(name=name).aggregate(n=Max("version_number"))["n"]
    system = IndicatorSystem(
        name=name, version_number=(latest or 0) + 1, created_by=actor if actor else None
    )
    system.full_clean()
    system.save()
    audit.record(actor=actor, action="create", note="fourstrong.default_system_create", obj=system)
    for order, (dimension, title, weight, top, key, rule) in enumerate(DEFAULT_INDICATORS):
        indicator = Indicator(
            system=system,
            dimension=dimension,
            name=title,
            weight=Decimal(weight),
            max_score=Decimal(top),
            rule=rule,
            source=Source.COMPUTED if key else Source.REVIEWED,
            computed_key=key,
            order=order,
        )
        indicator.full_clean()
        indicator.save()
    if publish:
        system = system_publish(actor=actor, system=system)
    return system


# Cycles


def _suggestion(indicator: Indicator, share: float | None) -> Decimal | None:
    if share is None:
        return None
    value = indicator.max_score * Decimal(str(share))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def cycle_start(*, actor, year: int, system: IndicatorSystem, scope: Organization) -> Cycle:
    """Start a yearly cycle over the active branches below ``scope``; computed indicators
    are filled in as suggested self and final scores."""
    _guard(can_start_cycle(actor, scope))
    system = IndicatorSystem.objects.get(pk=system.pk)
    if system.status != SystemStatus.PUBLISHED:
        raise ValidationError(_("Only a published indicator system can be used by a cycle."))
    if Cycle.objects.filter(year=year, scope=scope).exists():
        raise ValidationError(_("There is already a cycle for this year and scope."))
    cycle = Cycle(year=year, system=system, scope=scope, created_by=actor if actor else None)
    cycle.full_clean()
    cycle.save()
    indicators = list(system.indicators.all())
    branches = Organization.objects.active().filter(
        path__startswith=scope.path, kind=OrganizationKind.BRANCH
    )
    for branch in branches:
        assessment = Assessment.objects.create(cycle=cycle, branch=branch)
        scores = []
        for indicator in indicators:
            suggested = None
            if indicator.source == Source.COMPUTED:
                suggested = _suggestion(
                    indicator,
                    computed.compute(indicator.computed_key, user=actor, branch=branch, year=year),
                )
            scores.append(
                Score(
                    assessment=assessment,
                    indicator=indicator,
                    suggested=suggested,
                    self_score=suggested,
                    final_score=suggested,
                )
            )
        Score.objects.bulk_create(scores)
        _event(actor, assessment, "started")
    audit.record(actor=actor, action="create", note="fourstrong.cycle_start", obj=cycle)
    return cycle


# Assessment steps


def _event(actor, assessment: Assessment, step: str, comment: str = "") -> AssessmentEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AssessmentEvent.objects.create(
        assessment=assessment,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        step=step,
        comment=comment,
    )


def _locked(assessment: Assessment, version: int | None = None) -> Assessment:
    """The assessment's row, locked; a stale ``version`` (from the form) is refused."""
    current = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__scope", "branch__parent")
        .get(pk=assessment.pk)
    )
    if version is not None and int(version) != current.version:
        raise ValidationError(
            _(
                "Someone else changed this assessment in the meantime. "
                "Reload the page to see their changes, then apply yours again."
            ),
            code="conflict",
        )
    return current


def _require(assessment: Assessment, *statuses: str) -> None:
    if assessment.status not in statuses:
        raise ValidationError(
            _("This step is not possible while the assessment is “%(status)s”.")
            % {"status": assessment.get_status_display()}
        )


def _move(actor, assessment: Assessment, status: str, step: str, comment: str = "") -> None:
    before = assessment.status
    assessment.status = status
    assessment.version += 1
    assessment.save()
    _event(actor, assessment, step, comment)
    audit.record(
        actor=actor,
        action="update",
        obj=assessment,
        changes={"status": [before, status], "step": step},
        note=f"fourstrong.{step}: {comment}"[:300],
    )


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise ValidationError(_("Enter a number.")) from exc
    if not number.is_finite():  # "NaN", "Infinity": not a score
        raise ValidationError(_("Enter a number."))
    return number


def _set_scores(assessment: Assessment, values: dict, field: str, evidence: dict | None = None):
    scores = {s.indicator_id: s for s in assessment.scores.select_related("indicator")}
    errors = []
    changed = []
    for indicator_id, raw in values.items():
        score = scores.get(int(indicator_id))
        if score is None:
            raise ValidationError(_("This indicator does not belong to the assessment."))
        setattr(score, field, _decimal(raw))
        if evidence is not None and int(indicator_id) in evidence:
            score.evidence = evidence[int(indicator_id)] or ""
        try:
            score.full_clean()
        except ValidationError as exc:
            errors.extend(exc.messages)
        changed.append(score)
    if errors:
        raise ValidationError(errors)
    for score in changed:
        score.save()


@transaction.atomic
def self_assessment_save(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    scores: dict,
    evidence: dict | None = None,
) -> Assessment:
    """Save the branch's own scores ({indicator id: score}) and evidence ({indicator id: text})."""
    assessment = _locked(assessment, version)
    _guard(can_self_assess(actor, assessment))
    _require(assessment, S.SELF_ASSESSMENT)
    _set_scores(assessment, scores, "self_score", evidence)
    assessment.version += 1
    assessment.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=actor, action="update", note="fourstrong.self_assessment_save", obj=assessment
    )
    return assessment


@transaction.atomic
def self_assessment_submit(
    *, actor, assessment: Assessment, version: int | None = None, comment: str = ""
) -> Assessment:
    assessment = _locked(assessment, version)
    _guard(can_self_assess(actor, assessment))
    _require(assessment, S.SELF_ASSESSMENT)
    missing = assessment.scores.filter(self_score__isnull=True).count()
    if missing:
        raise ValidationError(
            _("%(count)s indicators have no self score yet.") % {"count": missing}
        )
    _move(actor, assessment, S.SUBMITTED, "submitted", comment)
    return assessment


@transaction.atomic
def recommend(
    *, actor, assessment: Assessment, version: int | None = None, comment: str = ""
) -> Assessment:
    assessment = _locked(assessment, version)
    _guard(can_recommend(actor, assessment))
    _require(assessment, S.SUBMITTED)
    _move(actor, assessment, S.RECOMMENDED, "recommended", comment)
    return assessment


@transaction.atomic
def send_back(
    *, actor, assessment: Assessment, version: int | None = None, comment: str
) -> Assessment:
    """The superior committee returns a submitted self-assessment with a reason."""
    assessment = _locked(assessment, version)
    _guard(can_recommend(actor, assessment))
    _require(assessment, S.SUBMITTED)
    if not comment.strip():
        raise ValidationError(_("Give the reason for sending it back."))
    _move(actor, assessment, S.SELF_ASSESSMENT, "sent_back", comment)
    return assessment


def weighted_total(scores) -> Decimal | None:
    total = Decimal("0")
    for score in scores:
        if score.final_score is None:
            return None
        total += score.final_score / score.indicator.max_score * score.indicator.weight
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def review(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    final_scores: dict | None = None,
    comment: str = "",
) -> Assessment:
    """The office's review: final scores ({indicator id: score}; missing ones keep the self
    score) and the total."""
    assessment = _locked(assessment, version)
    _guard(can_review(actor, assessment))
    _require(assessment, S.RECOMMENDED)
    values = {s.indicator_id: s.self_score for s in assessment.scores.all()}
    values.update({int(k): v for k, v in (final_scores or {}).items()})
    _set_scores(assessment, values, "final_score")
    assessment.total = weighted_total(assessment.scores.select_related("indicator"))
    _move(actor, assessment, S.REVIEWED, "reviewed", comment)
    return assessment


@transaction.atomic
def notice_start(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    start: datetime.date,
    end: datetime.date,
    comment: str = "",
) -> Assessment:
    assessment = _locked(assessment, version)
    _guard(can_review(actor, assessment))
    _require(assessment, S.REVIEWED)
    if start is None or end is None or end < start:
        raise ValidationError(_("The public notice must end on or after the day it starts."))
    assessment.notice_start = start
    assessment.notice_end = end
    _move(actor, assessment, S.PUBLIC_NOTICE, "public_notice", comment)
    return assessment


@transaction.atomic
def objection_add(
    *, actor, assessment: Assessment, text: str, on: datetime.date | None = None
) -> Objection:
    assessment = _locked(assessment)
    _guard(can_object(actor, assessment))
    on = on or timezone.localdate()
    if assessment.status != S.PUBLIC_NOTICE:
        raise ValidationError(_("Objections are only taken during the public notice."))
    if on > assessment.notice_end:
        raise ValidationError(
            _("The public notice ended on %(end)s; objections are no longer accepted.")
            % {"end": assessment.notice_end.isoformat()}
        )
    if on < assessment.notice_start:
        raise ValidationError(_("The public notice has not started yet."))
    if not text.strip():
        raise ValidationError({"text": _("Write the objection.")})
    objection = Objection(
        assessment=assessment,
        text=text,
        submitted_on=on,
        submitted_by=actor if actor else None,
    )
    objection.full_clean()
    objection.save()
    _event(actor, assessment, "objection")
    audit.record(actor=actor, action="create", note="fourstrong.objection_add", obj=assessment)
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
    assessment = _locked(objection.assessment)
    _guard(can_review(actor, assessment))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    objection.answer = answer
    objection.answered_by = actor if actor else None
    objection.answered_at = timezone.now()
    objection.save()
    _event(actor, assessment, "objection_answered", answer)
    audit.record(actor=actor, action="update", note="fourstrong.objection_answer", obj=assessment)
    return objection


@transaction.atomic
def decide(
    *, actor, assessment: Assessment, version: int | None = None, named: bool, comment: str = ""
) -> Assessment:
    """Name the branch a four-strong branch (or not) once objections are answered."""
    assessment = _locked(assessment, version)
    _guard(can_review(actor, assessment))
    _require(assessment, S.PUBLIC_NOTICE)
    if assessment.objections.filter(answer="").exists():
        raise ValidationError(_("Answer every objection before deciding."))
    if named:
        _move(actor, assessment, S.NAMED, "named", comment)
        signing.sign_operation(actor, assessment, "fourstrong.name")
    else:
        _move(actor, assessment, S.NOT_NAMED, "not_named", comment)
    return assessment


@transaction.atomic
def revoke(
    *, actor, assessment: Assessment, version: int | None = None, comment: str
) -> Assessment:
    """Re-review that revokes the title (a reason is required)."""
    assessment = _locked(assessment, version)
    _guard(can_review(actor, assessment))
    _require(assessment, S.NAMED)
    if not comment.strip():
        raise ValidationError(_("Give the reason for revoking the title."))
    _move(actor, assessment, S.REVOKED, "revoked", comment)
    return assessment
