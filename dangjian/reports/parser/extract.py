"""Field extractors. Each takes the prepared text and returns values with their spans.

All regular expressions here are bounded (no nested unbounded repetition), so a hostile or
huge input cannot make them backtrack catastrophically.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from . import lexicon as lx
from . import names as nm
from .text import Prepared, paragraphs, sentences, strip_span

Span = tuple[int, int]

HAN = r"\u4e00-\u9fff"
_TITLE_KEYWORDS = re.compile(
    r"召开|举办|举行|开展|学习|会议|活动|党课|论坛|仪式|开班|传达|党日|成立|评展|交流|培训|座谈|"
    r"报告会|读书班|讲座|宣讲|党组|党委|支部|集体|专题|启动|共建|联建|签约|研讨|述职"
)
_EVENT_VERB = re.compile("(?=[组召举开邀签])(?:" + lx.EVENT_VERB_RE + ")")
_MODAL = re.compile(r"(?<![重主纲提需必])要(?![点闻案件素])|应当|必须|务必|需要|号召|引导|进一步")
_DATE_MD = re.compile(
    r"(?=\d)(?:(?P<y>(?:19|20)\d\d)\s{0,2}年\s{0,2})?(?P<m>\d{1,2})\s{0,2}月\s{0,2}(?P<d>\d{1,2})\s{0,2}[日号]"
)
_DATE_D_ONLY = re.compile(r"(?<![\d月.])(?P<d>\d{1,2})日(?:至|—|-|~|、)")
# "16日下午,X召开…" opening the lead: the month comes from the dateline.
_DATE_D_LEAD = re.compile(r"\s{0,4}(?P<d>\d{1,2})日(?=[上中下]午|晚|早|凌晨|,)")
# "317日" for 3月17日 (the 月 lost when the page was made): read against the dateline.
_DATE_LOST_MONTH = re.compile(r"(?<![\d月.年/:-])(?P<md>\d{3,4})日")


def _lost_month(md: str, dl) -> str | None:
    """The one reading of ``md`` (month digits + day digits) in the 40 days before the dateline."""
    end = dt.date(dl.year, dl.month, dl.day)
    found = []
    for k in (1, 2):
        mo, d = int(md[:k]), int(md[k:])
        for y in (dl.year, dl.year - 1):
            try:
                day = dt.date(y, mo, d)
            except ValueError:
                continue
            if 0 <= (end - day).days <= 40:
                found.append(day)
    return found[0].isoformat() if len(found) == 1 else None


_RELATIVE_DAY = re.compile(r"(?:今天|今日|昨天|昨日)(?!是)")
_YEAR_IN_NAME = re.compile(r"((?:19|20)\d\d)\s{0,2}年(?!度|以来|前|后|底|初|末|上半年|下半年)")


def value_of(p: Prepared, span: Span) -> str:
    a, b = strip_span(p.original, *span, chars=" \t\n\u3000\u00a0")
    return p.original[a:b]


# --------------------------------------------------------------------------- title


@dataclass
class Title:
    value: str | None = None
    spans: list[Span] = field(default_factory=list)


def _is_sentence_line(s: str) -> bool:
    return "。" in s or len(s) > 90 or s.rstrip().endswith((",", ";", ":"))


def find_title(p: Prepared) -> Title:
    lines = p.lines
    if not lines:
        return Title()
    lead_idx = next(
        (i for i, (a, b) in enumerate(lines) if _is_sentence_line(p.masked[a:b])), len(lines)
    )

    def candidate(i: int) -> bool:
        a, b = lines[i]
        s = p.body[a:b].strip()
        return (
            6 <= len(s) <= 90
            and not _is_sentence_line(p.masked[a:b])
            and (not re.match(r"^\d", s) or bool(re.match(r"^(?:19|20)\d\d年[^\d]", s)))
        )

    def adjacent(i: int, j: int) -> bool:
        return p.body[lines[i][1] : lines[j][0]] == "\n"

    blocks: list[list[int]] = []
    for i in range(lead_idx):
        if not candidate(i):
            continue
        if blocks and blocks[-1][-1] == i - 1 and adjacent(i - 1, i):
            blocks[-1].append(i)
        else:
            blocks.append([i])
    chosen = None
    for blk in reversed(blocks):
        text = "".join(p.body[lines[i][0] : lines[i][1]] for i in blk)
        if _TITLE_KEYWORDS.search(text):
            chosen = blk
            break
    if chosen is None:
        # A headline placed after the body, directly above its dateline (…会议精神\n日期:…).
        dl_starts = [d.start for d in p.datelines]
        for i in range(lead_idx + 1, len(lines)):
            a, b = lines[i]
            if not candidate(i) or not _TITLE_KEYWORDS.search(p.body[a:b]):
                continue
            nxt = p.norm.find("\n", b)
            if nxt >= 0 and any(nxt < s <= nxt + 30 for s in dl_starts):
                chosen = [i]
                break
    if chosen is None:
        return Title()
    spans: list[Span] = []
    for i in chosen:
        sp = strip_span(p.body, *lines[i])
        while sp[1] > sp[0] and p.body[sp[1] - 1] in "| ":
            sp = (sp[0], sp[1] - 1)  # "…会议精神 |": a separator after the headline
        if spans and p.body[sp[0] : sp[1]] == p.body[spans[-1][0] : spans[-1][1]]:
            continue  # the same headline printed twice
        spans.append(sp)
    value = "".join(value_of(p, s) for s in spans)
    return Title(value=value or None, spans=spans)


# --------------------------------------------------------------------------- event


@dataclass
class Event:
    sentence: Span | None = None  # the lead sentence that names the event
    verb: Span | None = None
    subject: Span | None = None
    chair_verb: bool = False  # "…NAME主持召开…"


def _clause_start(masked: str, lo: int, pos: int) -> int:
    k = max(masked.rfind(c, lo, pos) for c in ",:;。\n")
    return k + 1 if k >= 0 else lo


def _clean_subject(body: str, a: int, b: int, masked: str) -> Span | None:
    s = body[a:b]
    # Leading date/time and purpose phrases.
    m = re.match(
        r"^\s*(?:(?:19|20)\d\d\s{0,2}年)?\s{0,2}(?:\d{1,2}\s{0,2}月)?\s{0,2}\d{1,2}\s{0,2}[日号]"
        r"(?:至\s{0,2}(?:\d{1,2}\s{0,2}月)?\s{0,2}\d{1,2}\s{0,2}日)?"
        r"(?:[上中下]午|晚上?|早上|凌晨|当天)?\s*",
        s,
    )
    if m:
        a += m.end()
    s = body[a:b]
    m = re.match(
        r"^\s*(?:于\s{0,2}(?:\d{1,2}月)?\d{1,2}日)?(?:今天|今日|昨天|昨日|日前|近日|当天|随后|然后|接着|之后)?"
        r"(?:[上中下]午|晚上?)?\s*",
        s,
    )
    if m:
        a += m.end()
    s = body[a:b]
    m = re.match(r"^由[^,。;]{1,30}?(?:承办|主办|举办)的", s)
    if m:
        a += m.end()
    s = body[a:b]
    m = lx.SUBJECT_TAIL_RE.search(s)
    if m and m.start() > 0:
        b = a + m.start()
    a, b = strip_span(body, a, b)
    s = body[a:b]
    om = re.search("(?<!党)组织(?!部|人事|处|科|员|党委|党总支|党支部)", s)
    k = om.start() if om else -1
    if k >= 2:
        b = a + k  # "X组织…开展": the organizer is X
        s = body[a:b]
    lm = re.match(
        rf"(.{{2,40}}?(?:党支部|党总支|党委|党组|党工委|支部))(?:书记|副书记|委员)[{HAN}]{{2,4}}?(?:带领|率领)",
        s,
    )
    if lm:
        b = a + lm.end(1)  # "X党支部书记刘晓宁带领全体党员…": the body is X
        s = body[a:b]
    m = re.search(r"的(?:全体)?(?:党员|干部|同志|职工)|(?:全体)?(?:党员|成员|人员)(?:干部)?$", s)
    if m and m.start() >= 2:
        b = a + m.start()  # "X的党员…前往Y" / "X成员": the body is X
        s = body[a:b]
    if not s or len(s) > 60 or not re.search(f"[{HAN}]", s):
        return None
    if s[-1] in "对为把将向和与及以从被让使":
        return None
    if re.match(
        r"以|为|在|随着|围绕|按照|根据|结合|通过|经过|迎接|庆祝|紧扣|聚焦|坚持|深入|认真|推进|推动|"
        r"加强|巩固|创新|进一步|扎实",
        s,
    ):
        return None
    if re.search(r"之际|期间|时$|以来|为了|根据|按照", s) or re.search(r"[,。;]", masked[a:b]):
        return None
    if re.search(r"(?:全会|全国代表大会|党代会|两会)$", s):
        return None  # "党的十九届四中全会于…在北京召开": background, not the report's event
    return (a, b)


def _went_subject(p: Prepared, sa: int, cs: int) -> Span | None:
    """ "X赴Y参观学习,联合开展…": the subject of the clause before (X), when it went somewhere."""
    pcs = _clause_start(p.masked, sa, cs - 1)
    m = re.search(
        r"赴|到|前往|走进|以[^,。;]{1,30}为(?:主题|契机|载体|抓手)$", p.masked[pcs : cs - 1]
    )
    if not m or m.start() < 2:
        return None
    return _clean_subject(p.body, pcs, pcs + m.start(), p.masked)


def find_event(p: Prepared, title: Title) -> Event:
    paras = [x for x in paragraphs(p) if x not in title.spans][:3]
    for pa, pb in paras:
        for sa, sb in sentences(p, pa, pb):
            for vm in _EVENT_VERB.finditer(p.masked, sa, sb):
                if vm.start() > sa and p.masked[vm.start() - 1] == "·":
                    continue  # inside quotes
                ctx = p.body[max(sa, vm.start() - 4) : vm.start()]
                if _MODAL.search(ctx) or re.search(r"(?:胜利|即将)$", ctx):
                    continue
                if p.body[vm.end() : vm.end() + 1] == "的" and re.search(
                    r"由[^,。;]{1,30}$", p.body[sa : vm.start()]
                ):
                    continue  # "由X举办的Y培训班…开班": the event's verb comes later
                cs = _clause_start(p.masked, sa, vm.start())
                if p.body[max(cs, vm.start() - 2) : vm.start()] == "主持":
                    return Event(sentence=(sa, sb), verb=vm.span(), subject=None, chair_verb=True)
                if cs > sa and not p.body[cs : vm.start()].strip(" 联合共同一起"):
                    subj = _went_subject(p, sa, cs)
                elif cs > sa and re.fullmatch(r"\s*在[^,。;]{2,30}", p.body[cs : vm.start()]):
                    # "X揭牌仪式,在Y举行": the event named in the clause before is the subject
                    pcs = _clause_start(p.masked, sa, cs - 1)
                    subj = _clean_subject(p.body, pcs, cs - 1, p.masked)
                    if subj and not _event_noun(p.body[subj[0] : subj[1]]):
                        subj = None
                else:
                    subj = _clean_subject(p.body, cs, vm.start(), p.masked)
                if subj is None:
                    continue
                return Event(sentence=(sa, sb), verb=vm.span(), subject=subj)
    for pa, pb in paras[:1]:
        # No event verb: "X(共同)到Y参观学习…" — X went somewhere for the event.
        for sa, sb in sentences(p, pa, pb)[:2]:
            gm = _WENT_EVENT.search(p.masked, sa, sb)
            if gm:
                cs = _clause_start(p.masked, sa, gm.start())
                subj = _clean_subject(p.body, cs, gm.start(), p.masked)
                if subj:
                    return Event(sentence=(sa, sb), verb=gm.span("v"), subject=subj)
    if paras:
        sa, sb = sentences(p, *paras[0])[0]
        return Event(sentence=(sa, sb))
    return Event()


_WENT_EVENT = re.compile(
    r"(?:共同|一起|一同|联合)?(?P<v>赴|到|前往|走进)[^,。;]{2,30}?(?:参观|开展|进行|学习)"
)


def title_subject(p: Prepared, title: Title) -> Span | None:
    if not title.spans:
        return None
    a, b = title.spans[0]
    text = p.masked[a:b]
    # "kicker——subject verb …": the subject follows the dash.
    dash = text.rfind("——")
    start = a + dash + 2 if dash >= 0 else a
    m = _EVENT_VERB.search(p.masked, start, b)
    if not m:
        return None
    cs = _clause_start(p.masked, start, m.start())
    sub = _clean_subject(p.body, cs, m.start(), p.masked)
    if sub and p.body[sub[0] : sub[1]].endswith("主持"):
        return None  # "县委书记X主持召开县委常委会": a person, not the body
    return sub


# --------------------------------------------------------------------------- kind / types


@dataclass
class Kinds:
    kind: str | None = None
    meeting_type: str | None = None
    activity_types: list[str] = field(default_factory=list)
    evidence: list[Span] = field(default_factory=list)


def _phrases(p: Prepared, title: Title, ev: Event) -> list[tuple[str, list[int]]]:
    """Where the event is named: the lead clause (subject + object, without the verb), the title.

    Each phrase comes with the body offset of each of its characters (for evidence spans).
    """
    out = []
    if ev.sentence and ev.verb:
        sa, sb = ev.sentence
        sub = ev.subject or (_clause_start(p.masked, sa, ev.verb[0]), ev.verb[0])
        if ev.subject and re.search("组织的", p.body[ev.subject[1] : ev.verb[0]]):
            sub = (ev.subject[0], ev.verb[0])  # "X组织的…培训班…开班": the event is named there
        # Joined without the verb so that "X党组 召开 扩大会议" reads as "X党组扩大会议".
        after = ev.verb[1] + (1 if p.body[ev.verb[1] : ev.verb[1] + 1] == "了" else 0)
        idx = list(range(*sub)) + list(range(after, sb))
        out.append(("".join(p.masked[i] for i in idx), idx))
    elif ev.sentence:
        out.append((p.masked[ev.sentence[0] : ev.sentence[1]], list(range(*ev.sentence))))
    for a, b in title.spans:
        out.append((p.masked[a:b], list(range(a, b))))
    return out


_SPEECH_PHRASE = re.compile(
    r"[^,;。]{0,40}?(?:会|会议|论坛|仪式|典礼|座谈会)上的(?:重要)?讲话|[^,;。]{0,40}?会议?精神"
)


def classify(p: Prepared, title: Title, ev: Event) -> Kinds:
    """Meeting or activity, and its type, from the event clause first, then the title."""
    phrases = [
        (_SPEECH_PHRASE.sub(lambda m: "·" * len(m.group(0)), text), idx)
        for text, idx in _phrases(p, title, ev)
    ]
    if not ev.verb:
        for a, b in paragraphs(p)[:1]:
            phrases.append((p.masked[a:b], list(range(a, b))))

    def span(idx: list[int], m: re.Match) -> Span:
        return (idx[m.start()], idx[m.end() - 1] + 1)

    acts: list[tuple[int, str, Span]] = []
    for text, idx in phrases:
        for name, pat in lx.ACTIVITY_TYPE_PATTERNS:
            m = re.search(pat, text)
            if m:
                acts.append((idx[m.start()], name, span(idx, m)))
        if acts:
            break  # the first phrase that names an activity decides
        if any(re.search(pat, text) for _, pat in lx.MEETING_TYPE_PATTERNS):
            break  # the first phrase names a meeting: the title's words do not override it
    meeting: tuple[int, str, Span] | None = None
    for text, idx in phrases:
        best = None
        for name, pat in lx.MEETING_TYPE_PATTERNS:
            m = next(
                (x for x in re.finditer(pat, text) if not re.match(r"议?精神", text[x.end() :])),
                None,
            )
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), name, span(idx, m))
        if best is None:
            m = re.search(lx.MEETING_OTHER_RE, text)
            if m:
                best = (m.start(), "其他", span(idx, m))
        if best:
            meeting = best
            break
    k = Kinds()
    if acts:
        k.kind = "activity"
        seen = []
        for _, name, span in sorted(acts):
            if name not in seen:
                seen.append(name)
                k.evidence.append(span)
        # A lecture given during the event (讲授/上/聆听…党课) is one of its activities.
        if "专题党课" not in seen and re.search(
            r"(?<![将要])(?<![^共]同)(?:讲授|讲|上|聆听|作)[^。;]{0,30}党课", p.masked
        ):
            seen.append("专题党课")
        k.activity_types = seen
        return k
    if meeting:
        k.kind, k.meeting_type = "meeting", meeting[1]
        k.evidence.append(meeting[2])
        return k
    for text, idx in phrases:
        m = re.search(lx.ACTIVITY_OTHER_RE, text)
        if m:
            k.kind, k.activity_types = "activity", ["其他"]
            k.evidence.append(span(idx, m))
            return k
    return k


# --------------------------------------------------------------------------- date


@dataclass
class DateResult:
    value: str | None = None
    span: Span | None = None
    confidence: float = 0.0


def _fmt(y: int | None, m: int, d: int) -> str | None:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if y is None:
        return f"--{m:02d}-{d:02d}"
    try:
        dt.date(y, m, d)
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def find_date(p: Prepared, title: Title, ev: Event) -> DateResult:
    # A labelled dateline (发布日期:…, 日期:…) is the page's own date; prefer it.
    labelled = [d for d in p.datelines if d.labelled]
    dl = (labelled or p.datelines or [None])[0]
    regions: list[Span] = []
    if ev.sentence:
        regions.append(ev.sentence)
    paras = paragraphs(p)[:2]
    regions.extend(paras)
    if p.lines:
        regions.append((p.lines[0][0], min(len(p.body), p.lines[0][0] + 1500)))
    for ra, rb in regions:
        for m in _DATE_MD.finditer(p.body, ra, rb):
            if p.masked[m.start()] == "·" or (m.start() > 0 and p.masked[m.start() - 1] == "·"):
                continue
            mo, d = int(m.group("m")), int(m.group("d"))
            y = int(m.group("y")) if m.group("y") else None
            conf = 0.9
            if y is None:
                y = _infer_year(p, title, ev, mo, d, dl)
                conf = 0.8 if y else 0.7
            v = _fmt(y, mo, d)
            if v:
                return DateResult(v, m.span(), conf)
        if dl:
            m = _DATE_D_ONLY.search(p.body, ra, rb) or _DATE_D_LEAD.match(p.body, ra)
            if m:
                v = _fmt(dl.year, dl.month, int(m.group("d")))
                if v and int(m.group("d")) <= dl.day:
                    return DateResult(v, m.span(), 0.6)
            m = _DATE_LOST_MONTH.search(p.body, ra, min(rb, ra + 200))
            if m and dl.year:
                v = _lost_month(m.group("md"), dl)
                if v:
                    return DateResult(v, m.span(), 0.5)
            m = _RELATIVE_DAY.search(p.body, ra, min(rb, ra + 40))
            if m:
                day = dt.date(dl.year or 2000, dl.month, dl.day)  # 2000: a leap year
                if m.group(0) in ("昨天", "昨日"):
                    day -= dt.timedelta(days=1)
                v = day.isoformat() if dl.year else f"--{day.month:02d}-{day.day:02d}"
                return DateResult(v, m.span(), 0.6)
    return DateResult()


def _infer_year(p, title: Title, ev: Event, mo: int, d: int, dl) -> int | None:
    if dl and dl.year:
        return dl.year if (mo, d) <= (dl.month, dl.day) else dl.year - 1
    texts = [p.body[a:b] for a, b in title.spans]
    if ev.sentence:
        texts.append(p.body[ev.sentence[0] : ev.sentence[1]])
    for t in texts:
        m = _YEAR_IN_NAME.search(t)
        if m:
            return int(m.group(1))
    return None


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    name: str
    titles: str | None
    role: str | None
    span: Span


_AFTER_MULTI = sorted((w for w in lx.AFTER_NAME_WORDS if len(w) >= 2), key=len, reverse=True)
_AFTER_SINGLE = {w for w in lx.AFTER_NAME_WORDS if len(w) == 1}
_HAN_CH = re.compile(f"[{HAN}]")
_HAN_RUN = re.compile(f"[{HAN}]+")
_POST_RE = re.compile("等同志|同志|等")
# One-character words that follow a name (李林就…, 王华还…) and so cannot end a longer name.
_AFTER_WORDS_SET = set(lx.AFTER_NAME_WORDS) | {"强调", "指出", "要求", "表示", "认为"}
_NAME_TAIL_WORDS = set("还也并又都就再便已曾对向从率说在")
_SEP_RE = re.compile(f"[、和与及](?=[{HAN}])")
_TITLE_PREFIX_NOISE = re.compile(r"^[^、]{0,6}?(?:由|受|邀请|会上|随后|其中|以及|并请)")
# "在尹荣刚的领誓下": a person named by what they led.
_UNDER = re.compile(rf"在(?P<n>[{HAN}]{{2,3}}?)(?:同志)?的(?P<r>领誓|带领|主持)下")
_BY_CHAIR = re.compile(rf"由(?P<n>[{HAN}]{{2,4}}?)(?:同志)?主持")
# "NAME TITLE verb" at a clause start (田平副校长作动员讲话, 邱立志副教授讲授…): found by the
# title word, then the name is read backwards.
_TITLE_THEN_VERB = re.compile(
    r"(?=[常副校教讲研老局厅部主书组院县区市处司])(?:常务)?副?(?:校长|教授|讲师|研究员|老师|局长|厅长|部长|主任|书记|组长|院长|县长|区长|市长|主席|主委|"
    r"教育长|处长|司长)(?=作|做|讲授|主讲|授课|致辞|主持|出席|宣读|宣布|围绕|讲话|为|领学|介绍|传达|带领|组织)"
)
# A bare name opening a clause before a strong verb (汪洋作为…代表发表了讲话).
_STRONG_VERB = re.compile(
    rf"(?=[作主出宣领致发代])(?:作为|主持|出席|宣读|宣布|作了|领学|致辞|发表|代表[{HAN}]{{0,12}}发言)"
)


# A list of bare names before a verb (岳金林、李兴华…等在家市领导出席 / 甲、乙作交流发言).
_NAME_LIST = re.compile(
    rf"(?:(?<=[,;:。\s])|^)(?P<l>[{HAN}]{{2,3}}(?:、[{HAN}]{{2,3}}){{1,20}})"
    rf"(?:等[{HAN}]{{0,8}}?|[一二三四五六七八九十两\d]+位同志)?"
    r"(?=出席|参加|列席|请假|作[^,;。]{0,8}发言|发言|分别作)"
)


def _follow_score(text: str, k: int, end: int) -> float:
    """How well a name may end at ``k``: by what follows it."""
    if k >= end:
        return 2.5
    if lx.AFTER_NAME_MULTI_RE.match(text, k):
        return 3.0
    rest = text[k : k + 2]
    ch = rest[0]
    if ch in "还也并又都就再便已曾":
        return 2.2  # an adverb after the name (李林还…)
    if ch in ",;。:)\n 、":
        return 2.5
    if ch == "等":
        return 2.5
    if ch in _AFTER_SINGLE:
        return 2.0
    if ch in "和与及" and len(rest) > 1 and _HAN_CH.match(rest[1]):
        return 1.5
    return 0.0


def _in_name_list(text: str, pos: int, k: int, end: int) -> bool:
    """A three-character name without a common surname inside a list of names
    (部党组成员库热西、汪民…): the next item of the list is a surnamed name."""
    if k - pos != 3 or k >= end or text[k] != "、" or nm.is_common_word(text[pos:k]):
        return False
    for n in (2, 3):
        nxt = text[k + 1 : k + 1 + n]
        if (
            len(nxt) == n
            and nm.has_surname(nxt)
            and _follow_score(text, k + 1 + n, end) >= 2.5
            and nm.plausible_name(nxt, strong_context=True)
        ):
            return True
    return False


def _scan_names(p: Prepared, pos: int, end: int) -> tuple[list[tuple[str, Span, bool]], int]:
    """Parse a list of names starting at ``pos`` (王育宏、卓玛才让 / 董普选和汤鹏超).

    Returns (names with spans and whether the context is strong, end of the last name).
    A name stops where a verb (主持/出席 …), a separator or punctuation follows; when nothing
    recognizable follows, the segmenter decides (a token tagged as a person name).
    """
    text = p.body
    out: list[tuple[str, Span, bool]] = []
    last_end = pos
    if pos >= end or not _HAN_CH.match(text, pos) or text[pos] in "和与及等或":
        return out, last_end
    while pos < end:
        best = None
        for n in (3, 2, 4):
            k = pos + n
            if k > end:
                continue
            cand = text[pos:k]
            if not _HAN_RUN.fullmatch(cand) or cand.endswith("等") or "同志" in cand:
                continue
            if n > 2 and cand[-1] in _NAME_TAIL_WORDS and _follow_score(text, k - 1, end) > 0:
                continue  # 柳小惠就深入…: the name is 柳小惠, 就 belongs to the verb phrase
            sc = _follow_score(text, k, end)
            if sc > 0 and (best is None or sc > best[0]):
                best = (sc, n)
        if best is None:
            # Rules cannot tell where the name ends: ask the segmenter.
            if not nm.has_surname(text[pos : pos + 2]):
                break
            toks = nm.tag(text[pos : min(end, pos + 8)])
            if toks and toks[0][1].startswith("nr") and 2 <= len(toks[0][0]) <= 4:
                best = (1.0, len(toks[0][0]))
            else:
                break
        k = pos + best[1]
        name = text[pos:k]
        if name in _AFTER_WORDS_SET:
            break  # "书记强调,": a verb, not a name
        strong = best[0] >= 3.0
        if not nm.plausible_name(name, strong_context=strong or best[0] >= 2.5) and not (
            _in_name_list(text, pos, k, end)
        ):
            break
        if best[0] < 2.0:
            # Weak evidence: the segmenter must read a name (or a surname) where it starts.
            toks = nm.tag(name)
            if not toks or not (toks[0][1].startswith("nr") or len(toks[0][0]) == 1):
                break
        out.append((name, (pos, k), strong))
        last_end = k
        post = _POST_RE.match(text, k)
        if post:
            last_end = post.end()
            k = last_end
        sep = _SEP_RE.match(text, k)
        if not sep or post:
            break
        pos = k + 1
    return out, last_end


_ROLE_RE = re.compile("|".join(re.escape(w) for w, _ in lx.ROLE_WORDS))
_ROLE_RANK = {w: (i, r) for i, (w, r) in enumerate(lx.ROLE_WORDS)}
_CLAUSE_END = re.compile(r"[,;。]")


def _role_after(p: Prepared, pos: int, sent_end: int) -> str | None:
    """How the text involves the person named just before ``pos``.

    In the clause right after the name the strongest role word wins (出席并致辞 → 致辞);
    failing that, the first role word later in the sentence (…,县政府党组成员X出席会议).
    """
    m = _CLAUSE_END.search(p.masked, pos, sent_end)
    clause_end = m.start() if m else sent_end
    best = None
    for rm in _ROLE_RE.finditer(p.body, pos, clause_end):
        rank = _ROLE_RANK[rm.group(0)]
        if best is None or rank[0] < best[0]:
            best = rank
    if best:
        return best[1]
    rm = _ROLE_RE.search(p.body, clause_end, sent_end)
    return _ROLE_RANK[rm.group(0)][1] if rm else None


def _titles_before(p: Prepared, sa: int, suffix_end: int, floor: int) -> str | None:
    k = suffix_end
    lo = max(sa, floor)
    while k > lo and p.masked[k - 1] not in ",;。:\n“”!?":
        k -= 1
    raw = p.body[k:suffix_end].strip()
    raw = _TITLE_PREFIX_NOISE.sub("", raw) if len(raw) > 2 else raw
    raw = raw.lstrip("、和与及 ")
    return raw or None


_SPEAKER_OF = re.compile(r"在[^,。;]{2,40}?上(?:所作|作|发表)?的(?:重要)?(?:讲话|报告|致辞)")


def find_people(p: Prepared, exclude: list[Span]) -> tuple[Person | None, list[Person]]:
    """The chair (主持) and the other named people, in order of appearance."""
    found: list[Person] = []
    limit = min(len(p.body), (p.lines[0][0] if p.lines else 0) + 20000)
    sents = sentences(p, 0, limit)
    if not sents:
        return None, []
    starts = [a for a, _ in sents]

    def sentence_of(pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0 or pos >= sents[i][1]:
            return None
        return sents[i]

    ex_sorted = sorted(exclude)
    ex_starts = [x for x, _ in ex_sorted]

    def excluded(a: int) -> bool:
        if p.quoted[a : a + 1] == "1":
            return True
        i = bisect.bisect_right(ex_starts, a) - 1
        return i >= 0 and ex_sorted[i][0] <= a < ex_sorted[i][1]

    def at_clause_start(sa: int, pos: int) -> bool:
        return pos == sa or p.masked[pos - 1] in ",;:。 \n"

    lo, hi = sents[0][0], sents[-1][1]
    floors: dict[int, int] = {}
    for tm in lx.TITLE_SUFFIX_RE.finditer(p.body, lo, hi):
        sent = sentence_of(tm.start())
        if sent is None:
            continue
        sa, sb = sent
        floor = floors.get(sa, sa)
        if tm.start() < floor:
            continue
        names, last = _scan_names(p, tm.end(), sb)
        if tm.group(0) == "党员":
            # "党员" is a weak title (党员管理, 发展党员程序): only surnamed, uncommon names
            names = [
                x
                for x in names
                if len(x[0]) <= 3
                and nm.has_surname(x[0])
                and not nm.is_common_word(x[0])
                and _follow_score(p.body, x[1][1], sb) >= 2.0
            ]
        if not names:
            continue
        titles = _titles_before(p, sa, tm.end(), floor)
        if _SPEAKER_OF.match(p.body, last) or (
            re.search(r"(?:按照|根据|遵照)[^,。;]*$", p.body[sa : tm.start()])
            and re.match(r"(?:同志)?(?:的)?(?:要求|指示|部署)", p.body[last:])
        ):
            floors[sa] = last
            continue  # "检察长张军在…上所作的报告": whose speech it is, not a participant
        for name, span, _strong in names:
            if not excluded(span[0]):
                found.append(Person(name, titles, _role_after(p, last, sb), span))
        floors[sa] = last
    for m in _UNDER.finditer(p.body, lo, hi):
        n = m.group("n")
        if (
            sentence_of(m.start())
            and nm.plausible_name(n, strong_context=True)
            and not excluded(m.start("n"))
        ):
            found.append(Person(n, None, m.group("r"), m.span("n")))
    for m in _BY_CHAIR.finditer(p.body, lo, hi):
        n = m.group("n")
        ok = sentence_of(m.start()) and nm.plausible_name(n, strong_context=True)
        if ok and not excluded(m.start("n")):
            found.append(Person(n, None, "主持", m.span("n")))
    for m in _TITLE_THEN_VERB.finditer(p.body, lo, hi):
        sent = sentence_of(m.start())
        if sent is None:
            continue
        sa, sb = sent
        for n_len in (2, 3):
            ns = m.start() - n_len
            if ns < sa:
                continue
            n = p.body[ns : m.start()]
            if not _HAN_RUN.fullmatch(n):
                continue
            org = ""
            if not at_clause_start(sa, ns):
                org = p.body[_clause_start(p.masked, sa, ns) : ns].strip()
                if not re.search(r"[部院处校所心委局]$", org):
                    continue
            if nm.plausible_name(n, strong_context=True) and not excluded(ns):
                role = _role_after(p, m.end(), sb)
                found.append(Person(n, (org + m.group(0)) or None, role, (ns, m.start())))
                break
    for m in _STRONG_VERB.finditer(p.body, lo, hi):
        sent = sentence_of(m.start())
        if sent is None:
            continue
        sa, sb = sent
        for n_len in (2, 3):
            ns = m.start() - n_len
            if ns < sa or not at_clause_start(sa, ns):
                continue
            n = p.body[ns : m.start()]
            if not _HAN_RUN.fullmatch(n) or not nm.has_surname(n):
                continue
            toks = nm.tag(p.body[ns : m.end()])
            if (
                toks
                and toks[0][0] == n
                and toks[0][1].startswith("nr")
                and nm.plausible_name(n, strong_context=True)
                and not excluded(ns)
            ):
                found.append(Person(n, None, _role_after(p, m.start(), sb), (ns, m.start())))
                break
    for m in _NAME_LIST.finditer(p.body, lo, hi):
        sent = sentence_of(m.start())
        if sent is None or not at_clause_start(sent[0], m.start()):
            continue
        names = m.group("l").split("、")
        off = m.start("l")
        spans = []
        for n in names:
            spans.append((n, (off, off + len(n))))
            off += len(n) + 1
        if all(nm.has_surname(n) and nm.plausible_name(n, strong_context=True) for n in names):
            role = _role_after(p, m.end("l"), sent[1])
            for n, sp in spans:
                if not excluded(sp[0]):
                    found.append(Person(n, None, role, sp))
    found.sort(key=lambda x: x.span[0])
    chair = next((x for x in found if x.role == "主持"), None)
    leaders: list[Person] = []
    seen = {chair.name} if chair else set()
    for x in found:
        if x.name in seen:
            continue
        seen.add(x.name)
        leaders.append(x)
    return chair, leaders


# --------------------------------------------------------------------------- org / venue


def _cut_org(s: str) -> str:
    m = re.search(r"党组(?!书记|成员|副书记|中心组成员|织)", s)
    if m and m.start() > 0:
        return s[: m.end()]
    if re.search(r"(?:党支部|党总支|党委|党工委|委员会)$", s):
        return s.strip(" “”")  # already a party organization's name
    m = lx.ORG_CUT_RE.search(s)
    if m and m.start() >= 2:
        s = s[: m.start()]
        po = list(re.finditer(r"党支部|党总支|党委|党工委", s))
        if po and 0 < len(s) - po[-1].end() <= 4 and not re.search(r"[部处室局办委]$", s):
            s = s[: po[-1].end()]  # "X党支部线上微(党课)": the branch
    return s.strip(" “”")


@dataclass
class OrgResult:
    value: str | None = None
    span: Span | None = None
    confidence: float = 0.0


# "十六届第43次": the session and the meeting's number.
_NTH = r"[\d一二三四五六七八九十]+届|(?:[\d一二三四五六七八九十]+届)?第[\d一二三四五六七八九十]+次"


def _org_from_chair(chair: Person | None) -> str | None:
    if not chair or not chair.titles:
        return None
    for seg in re.split(r"[、,]", chair.titles):
        m = re.match(rf"^([{HAN}()]{{2,20}}?(?:党组|党委))(?:副)?书记", seg)
        if m:
            return m.group(1)
    return None


def find_org(p: Prepared, title: Title, ev: Event, kinds: Kinds, chair: Person | None) -> OrgResult:
    meeting_of = None
    if kinds.meeting_type and kinds.meeting_type.startswith("党组"):
        meeting_of = "党组"
    elif kinds.meeting_type and kinds.meeting_type.startswith("党委"):
        meeting_of = "党委"

    def finish(s: str, span: Span | None, conf: float) -> OrgResult:
        s = _cut_org(s)
        if not s or len(s) < 2:
            return OrgResult()
        if meeting_of and not re.search(r"党组|党委|党工委|工委$|支部|总支|[市县区省州旗]委$", s):
            s += meeting_of
        return OrgResult(s, span, conf)

    ts = title_subject(p, title)
    if ts:
        s = p.body[ts[0] : ts[1]]
        if not lx.ORG_CUT_RE.match(s) and not _event_noun(s):
            got = finish(s, ts, 0.85)
            lead = _lead_org(p, ev)
            if (
                got.value
                and lead
                and len(lead.value) > len(got.value)
                and lead.value.endswith(got.value)
            ):
                return lead  # title "党委…开展集中学习", lead "医院党委…": the fuller name
            return got
    corg = _org_from_chair(chair)
    if corg and meeting_of:
        lead = _lead_org(p, ev)
        if lead and len(lead.value) > len(corg) and lead.value.endswith(corg):
            return lead  # chair "学院党委副书记", lead "研究生学院党委…": the fuller name
        if ev.subject and not ev.chair_verb:
            s = p.body[ev.subject[0] : ev.subject[1]]
            if (
                len(s) >= 4
                and not _event_noun(s)
                and not s.startswith("我")
                and not lx.ORG_CUT_RE.match(s)
                and re.search(r"[局厅委院队办部会校所署站心司处馆]$", s)
            ):
                return finish(
                    s, ev.subject, 0.75
                )  # "盐城调查队召开党组…" over the chair's "盐城队党组"
        return OrgResult(corg, chair.span if chair else None, 0.75)
    if ev.verb:
        m = re.match(
            r"\s*(?:了)?(?:第?[\d一二三四五六七八九十]+届)?(?:第[\d一二三四五六七八九十]+次)?"
            rf"([{HAN}]{{0,12}}?(?:党组|党委|党工委|[市县区省州旗]委(?=(?:{_NTH})?常委)))"
            rf"(?=(?:{_NTH})?(?:\(扩大\)|扩大|会议|会|常委|理论学习中心组|理论中心组|中心组))",
            p.body[ev.verb[1] : ev.verb[1] + 30],
        )
        if m and (len(m.group(1)) >= 4 or (ev.chair_verb and len(m.group(1)) >= 2)):
            a = ev.verb[1] + m.start(1)
            return OrgResult(m.group(1), (a, a + len(m.group(1))), 0.7)
    if ev.subject:
        s = p.body[ev.subject[0] : ev.subject[1]]
        if _event_noun(s):
            # The event itself is the subject ("X党组中心组学习会召开"): the organizer is the
            # host (由…主办) or the body named before the event's name, if any.
            host = _host(p)
            if host:
                return host
            cut = _cut_org(s)
            if (
                cut != s.strip(" “”")
                and len(cut) >= 2
                and re.search(r"[委局厅组部院办会区县市镇乡道校馆所关团队站心支织统]$", cut)
            ):
                return finish(cut, ev.subject, 0.6)
            return OrgResult()
        s2 = re.split(r"联合(?!党支部|党委|党总支|支部)|一行", s)[0]
        if s2:
            return finish(s2, ev.subject, 0.7)
    host = _host(p)
    if host:
        return host
    lm = _LECTURE_FOR.search(p.body, 0, min(len(p.body), 1500))
    if lm:
        return OrgResult(lm.group(1), lm.span(1), 0.5)
    if corg:
        return OrgResult(corg, chair.span if chair else None, 0.5)
    return OrgResult()


# "…为X党支部全体党员讲党课": the lecture is X's.
_LECTURE_FOR = re.compile(
    rf"为([{HAN}]{{2,30}}?(?:党支部|党总支|党委))(?:全体)?(?:党员|师生|干部)[^,。;]{{0,12}}?(?:讲|上)[^,。;]{{0,6}}党课"
)


def _lead_org(p: Prepared, ev: Event) -> OrgResult | None:
    """The organization named as the lead sentence's subject, if it is one (no event noun)."""
    if not ev.subject:
        return None
    s = re.split(r"联合(?!党支部|党委|党总支|支部)|一行", p.body[ev.subject[0] : ev.subject[1]])[0]
    if not s or _event_noun(s) or lx.ORG_CUT_RE.match(s):
        return None
    s = _cut_org(s)
    if len(s) < 2 or not re.search(r"(?:党组|党委|党工委|支部|总支)$", s):
        return None
    return OrgResult(s, ev.subject, 0.8)


def org_from_people(people: list[Person], meeting_of: str | None) -> str | None:
    """Last resort: the body in the first person's titles (上海专员办党组成员 → 上海专员办)."""
    for x in people:
        m = re.match(rf"([{HAN}()]{{2,20}}?)(党组|党委)(?:成员|书记|副书记|委员)", x.titles or "")
        if m and not re.match(r"^(?:局|厅|部|委|院|市|区|县|省|总局|中心)$", m.group(1)):
            return m.group(1) + (m.group(2) if meeting_of else "")
    return None


def _event_noun(s: str) -> bool:
    return bool(
        re.search(r"论坛|会议|活动|仪式|培训|读书班|报告会|展演|评展|展评|大会|学习会|推进会", s)
    )


def _host(p: Prepared) -> OrgResult | None:
    m = re.search(
        rf"由([{HAN}、和与]{{2,40}}?)(?:联合|共同|策划)?(?:主办|举办)",
        p.body[: min(len(p.body), 3000)],
    )
    if m:
        return OrgResult(m.group(1), m.span(1), 0.6)
    return None


_VENUE_RE = re.compile(
    rf"(?=[在于])(?<![所存现正实内])(?:在|于)(?P<v>[{HAN}\d()A-Za-z·“”-]{{2,28}}?)(?:隆重|正式|如期|顺利|集中|联合|温情|热烈)?"
    r"(?:召开|举办|举行|开展|开班|组织开展|组织召开|进行|观看|收听收看)"
)
_GO_RE = re.compile(
    rf"(?:赴|到|前往|走进)(?P<v>[{HAN}\d()·“”]{{2,24}}?)(?:联合|集中|进行)?(?:开展|参观|举行|召开|举办)"
)
# "出发前往X,": where the group went.
_WENT_TO = re.compile(rf"(?:出发前往|走进)(?P<v>[{HAN}\d()·“”]{{4,24}}?)(?=[,,。])")
# "在X为…党员讲党课": where a lecture was given.
_LECTURE_AT = re.compile(
    rf"在(?P<v>[{HAN}\d()A-Za-z]{{2,20}}?)为[^,。;]{{2,40}}?(?:讲|上)[^,。;]{{0,6}}党课"
)
_NOT_VENUE = re.compile(
    r"的|和|与|范围|思维|率先|之际|期间|基础上|过程中|框架|之下|之中|新时代|前夕|当天|此次|本次|这次|^此|^会上"
)


def find_venue(
    p: Prepared, ev: Event, exclude: list[Span] | None = None, title: Title | None = None
) -> tuple[str | None, Span | None]:
    """Where the event was held: 在X召开/举办/举行…, 赴X开展… in the lead."""
    exclude = exclude or []
    regions = []
    if ev.sentence:
        regions.append(ev.sentence)
    paras = paragraphs(p)[:1]
    if not (ev.verb and paras and not (paras[0][0] <= ev.verb[0] < paras[0][1])):
        regions.extend(paras)  # not a background paragraph before the event's
    regions.extend(title.spans if title else [])
    for ra, rb in regions:
        for rx in (_VENUE_RE, _GO_RE, _LECTURE_AT, _WENT_TO):
            for m in rx.finditer(p.body, ra, rb):
                v = m.group("v")
                if any(x < m.end("v") and m.start("v") < y for x, y in exclude):
                    continue
                if _NOT_VENUE.search(v) or re.fullmatch(r"[\d月日年上下午]+", v):
                    continue
                v = re.sub(r"^\d{1,2}月\d{1,2}日(?:[上下]午)?在?", "", v)
                a = m.end("v") - len(v)
                if len(v) >= 2:
                    return v, (a, m.end("v"))
    return None, None


# --------------------------------------------------------------------------- study items

_STUDY_TRIGGER = re.compile(
    r"(?=[书传学集认深专重原领研观宣])(?:宣读(?=了?[^,。;]{0,6}《[^》]{0,30}(?:学习|贯彻|精神|讲话))|书面传达学习|传达学习|学习传达|学习贯彻|传达贯彻|集中学习|集体学习|认真学习|深入学习|专题学习|"
    r"重点学习|原原本本学习|领学|领读|研读|传达|学习|观看(?=了?《))(?:了)?"
)
_ITEM_LEAD = re.compile(
    r"^(?:了|学习了|传达了|领学了|领读了|宣读了|书面学习了|讨论|认真|全文|深入|重点|集中|集体|专题|学习|传达|研讨|"
    r"全面贯彻落实|贯彻落实|贯彻|"
    r"落实|以及|和|及|并|还|又|等|新华社发表的|有关|相关)+"
)
_ITEM_TAIL = re.compile(
    r"(?:等|全文|原文|等内容|等文件|\(以下简称[^()]{1,20}\)|专题辅导报告|辅导报告|专题报告|专题辅导)+$"
)
_CONTINUE_STOP = re.compile(
    r"^(?:研究|并|就|对|围绕|审议|听取|进行|提出|部署|会议|结合|要求|强调|指出|引导|推动|切实|深刻|部分|全体|"
    r"进一步|大家|与会|通过|从|以(?!及)|把|为|在|让|使|表示|认为|他|她)"
)


_NOUN_USE = re.compile(
    r"的|委员会|\(|扩大|会议|作|做|交流|研讨|心得|体会|笔记|计划|制度|活动|型|小组|强国|教育|班|会|室|园地|氛围|热潮|纪律|时间|"
    r"效果|成果|成效|平台|资料|材料|形式|内容丰富|习惯|机会|宣传|领会"
)
# "根据…部署要求,": a noun, not a modal verb before what follows.
_NOUN_REQUIREMENT = re.compile(r"(?:部署|工作|有关|上级)要求[,;]")
_REQ_OK = re.compile(r"(?:部署|讲话|指示|重要|批示|工作|精神|有关|总体|具体|决策|重点)要求$")


# "…精神并对下一步工作进行了部署": the item ends before 并.
_AND_THEN = re.compile(r"(?<=精神|讲话|指示|会议|文件|报告)并(?=对|就|研究|结合|围绕|部署|提出)")
# A comma or semicolon not inside a book title (《发扬五四精神,不负伟大时代》).
_SEP_OUTSIDE_BOOK = re.compile(r"[,;](?![^《》]{0,40}》)")


def _ends_item(s: str) -> bool:
    s = _ITEM_TAIL.sub("", s.strip())
    if s.endswith("要求") and not _REQ_OK.search(s):
        return False
    return s.endswith(lx.STUDY_TERMINALS) or bool(
        re.search(
            r"》$|〉$|》(?:单行本|读本|全文)?\([^()]{1,12}\)$|(?:文章|讲话|论述)“[^“”]{2,60}”$", s
        )
    )


def _split_items(p: Prepared, a: int, b: int) -> list[Span]:
    """Split a comma-free stretch into items at 、/以及/和/及/与 where the left part is complete."""
    text = p.masked[a:b]
    cuts = [0]
    for m in re.finditer(r"以及|、|和|及|与|》(?=《)", text):
        if m.group(0) != "》" and text.count("《", 0, m.start()) > text.count("》", 0, m.start()):
            continue  # inside a book title: 《…思想和基本方略》
        if m.group(0) == "》":
            cuts.append(m.start() + 1)
            continue
        left = p.body[a + cuts[-1] : a + m.start()]
        k = left.rfind("在")
        open_at = k >= 0 and not re.search(r"(?:上|时|中|期间)的", left[k:])
        if open_at and re.search(r"(?:上|时|中)的(?:重要)?讲话", text[m.end() :]):
            continue  # "在A和B交流会上的讲话" is one item
        if _ends_item(left):
            cuts.append(m.start())
    cuts.append(len(text))
    out = []
    for i in range(len(cuts) - 1):
        s, e = a + cuts[i], a + cuts[i + 1]
        seg = p.body[s:e]
        lm = _ITEM_LEAD.match(seg.lstrip("、 "))
        s += len(seg) - len(seg.lstrip("、 ")) + (lm.end() if lm else 0)
        seg = p.body[s:e]
        alias = re.search(r"\(以下简称[^()]{1,20}\)\s*$", seg)
        if alias:
            e = s + alias.start()
            seg = p.body[s:e]
        tm = _ITEM_TAIL.search(seg.rstrip())
        if tm:
            e = s + tm.start()
        s, e = strip_span(p.body, s, e)
        if p.body.count("《", s, e) > p.body.count("》", s, e):
            continue  # a title cut off with the text (《四川省贯彻…)
        if re.match(r"进行|作出|作了|提出|《[^》]{1,4}》中", p.body[s:e]):
            continue  # "进行了部署", "《报告》中第一个方面": not an item
        if e - s >= 5 or (e - s >= 3 and p.body[s] == "《"):
            out.append((s, e))
    return out


_PUNCT_RE = re.compile(r"[\s\W_]+")
_STUDY_OBJECT = re.compile(
    r"对(?P<x>[^,。;对]{4,60}?)进行(?:了)?(?:集中|专题)?(?:领学|学习|传达|解读|宣讲)(?![^,。;]{0,3}[会班])"
)


_STUDY_AROUND = re.compile(
    r"(?<![要将])围绕(?P<x>[^,。;]{6,120}?)(?:开展|进行)(?:了)?(?:专题|集中|集体)?学习"
)


def find_study_items(p: Prepared, exclude: list[Span] | None = None) -> list[Span]:
    """Speeches, instructions, conferences and documents conveyed or studied (传达学习 …)."""
    exclude = exclude or []
    items: list[Span] = []
    limit = min(len(p.body), (p.lines[0][0] if p.lines else 0) + 20000)
    for sa, sb in sentences(p, 0, limit):
        if any(x <= sa < y or x < sb <= y for x, y in exclude):
            continue
        pos = sa
        while True:
            m = _STUDY_TRIGGER.search(p.masked, pos, sb)
            if not m:
                break
            pos = m.end()
            stop = sb
            quoted_topic = False
            if p.quoted[m.start()] == "1":
                # Only a quoted study topic opening with the trigger: “学习…精神”专题辅导.
                if p.body[m.start() - 1 : m.start()] != "“":
                    continue
                close = p.body.find("”", m.end(), sb)
                if close < 0 or re.match(r"主题|为主题", p.body[close + 1 : close + 4]):
                    continue  # “学习贯彻…精神”主题党日: a theme, not a lecture's topic
                stop = close
                quoted_topic = True
            before = p.body[sa : m.start()]
            cs = _clause_start(p.masked, sa, m.start())
            after = p.body[m.end() : m.end() + 4]
            if (
                not quoted_topic
                and (
                    any(
                        not _NOUN_REQUIREMENT.match(before, max(0, x.start() - 2))
                        # "为进一步…,X召开…会议,学习了…": the purpose clause's modal
                        and not _EVENT_VERB.search(before, x.end())
                        for x in _MODAL.finditer(before)
                    )
                    or p.body[max(sa, m.start() - 1) : m.start()] in ("再", "为")
                    or re.match(r"为|把|将|通过|坚持|结合|以", p.body[cs:sb].lstrip())
                    # "对学习贯彻X进行…", "通过学习X", "到Y学习X", "将组织…学习X": not studied
                    or re.search(
                        r"(?:通过|对|就)[^,。;]{0,6}$|(?:赴|到)[^,。;]{1,10}$",
                        p.body[cs : m.start()],
                    )
                    or re.search(r"将(?:组织|开展|围绕|通过|采取)", before)
                    or p.body[max(sa, m.start() - 2) : m.start()] in ("理论", "进一步")
                    or (
                        p.body[max(sa, m.start() - 2) : m.start()] == "围绕"
                        and not re.search(r"进行(?:了)?(?:座谈|研讨|交流)", p.body[m.end() : sb])
                    )
                    or (_NOUN_USE.match(after) and "《" not in p.body[m.end() : m.end() + 5])
                    or after.startswith("教育")
                )
            ):
                continue
            # Collect comma-separated pieces that each end like an item.
            cur = m.end()
            got: list[Span] = []
            while cur < stop:
                cm = _SEP_OUTSIDE_BOOK.search(p.masked, cur, stop)
                end = cm.start() if cm else stop
                then = _AND_THEN.search(p.body, cur, end)
                if then:
                    end, cm, stop = then.start(), None, then.start()  # "X精神并对…进行了部署"
                piece = p.body[cur:end]
                stripped = _ITEM_LEAD.sub("", piece.strip())
                if not (_ends_item(stripped) or "《" in piece):
                    # A speaker named before the speech ("县委书记X,县委常委Y在…上的讲话精神"):
                    # the comma joins two speakers of one item.
                    nm2 = re.search(r"[,;]", p.masked[end + 1 : stop]) if cm else None
                    end2 = end + 1 + nm2.start() if nm2 else stop
                    if (
                        cm
                        and len(piece) <= 16
                        and lx.TITLE_SUFFIX_RE.search(piece)
                        and _ends_item(p.body[end + 1 : end2])
                    ):
                        got.extend(_split_items(p, cur, end2))
                        cur = end2 + (1 if end2 < stop else 0)
                        if end2 >= stop or p.masked[end2] == ";":
                            break
                        continue
                    break
                got.extend(_split_items(p, cur, end))
                if not cm or p.masked[end] == ";":
                    cur = end
                    break
                nxt = p.body[end + 1 : end + 6]
                if _CONTINUE_STOP.match(nxt):
                    cur = end
                    break
                cur = end + 1
            items.extend(got)
            pos = max(pos, cur)
    # "对X进行领学/学习/传达", "围绕X开展专题学习": X was studied.
    for m in list(_STUDY_OBJECT.finditer(p.body, 0, limit)) + list(
        _STUDY_AROUND.finditer(p.body, 0, limit)
    ):
        a, b = strip_span(p.body, m.start("x"), m.end("x"))
        x = p.body[a:b]
        if re.fullmatch(r"《[^》]{1,4}》", x):
            continue  # 《条例》: a short name for a document named before
        if (_ends_item(x) or "《" in x) and not any(x0 <= a < y0 for x0, y0 in exclude):
            items.extend(_split_items(p, a, b))
    # De-duplicate by text, keep order.
    seen, out = set(), []
    for s in items:
        t = p.body[s[0] : s[1]]
        generic = re.fullmatch(
            r"[\s\d]*(?:上级|上级有关|有关|相关)?(?:会议|讲话|文件)?(?:精神|文件)", t
        )
        key = _PUNCT_RE.sub("", t)[:14]
        if t not in seen and not generic and (len(key) < 14 or key not in seen):
            seen.add(t)
            seen.add(key)
            out.append(s)
    return out


# --------------------------------------------------------------------------- measures

_ENUM_RE = re.compile(
    r"(?=[一二三四五六七八九十(])(?:"
    r"(?:(?<=[。;:,!?\s“])|^)(?P<num>[一二三四五六七八九十])(?P<k>要|是)(?P<rest>[^,;。:!?\n]{1,60})"
    r"|\((?P<pnum>[一二三四五六七八九十])\)(?P<prest>[^,;。:!?\n]{1,60}))"
)
_NUMS = "一二三四五六七八九十"
_EXPOSITORY = re.compile(
    r"特点|成效|成绩|亮点|做法|经验|收获|情况|变化|体会|优势|原因|问题|议程|环节|步骤|内容|部分|阶段"
)


def find_measures(p: Prepared) -> list[Span]:
    runs: list[list[tuple[int, Span]]] = []
    limit = min(len(p.body), (p.lines[0][0] if p.lines else 0) + 20000)
    for m in _ENUM_RE.finditer(p.masked, 0, limit):
        num = m.group("num") or m.group("pnum")
        n = _NUMS.index(num) + 1
        span = (m.start(), m.end())
        if n == 1:
            # Expository enumerations (四个特点:一是…) are not requirements.
            k = max(p.masked.rfind("。", 0, m.start()), p.masked.rfind("\n", 0, m.start()))
            intro = p.body[k + 1 : m.start()]
            if len(intro.strip()) < 4 and k > 0:
                # "…分两个阶段进行。一是…": the sentence before introduces the run
                k2 = max(p.masked.rfind("。", 0, k), p.masked.rfind("\n", 0, k))
                intro = p.body[k2 + 1 : k]
            if _EXPOSITORY.search(intro[-20:]):
                runs.append([(-1, span)])
                continue
            runs.append([(1, span)])
        elif runs and runs[-1][-1][0] == n - 1 and m.start() - runs[-1][-1][1][1] < 2500:
            runs[-1].append((n, span))
    out = []
    for run in runs:
        if len(run) >= 2 and run[0][0] == 1:
            out.extend(strip_span(p.body, *s) for _, s in run)
    # A measure cut off by the end of the text (…三是各社会) is not a measure.
    return [s for s in out if p.body[s[1] :].strip()]


# --------------------------------------------------------------------------- presenting units

_EXCHANGE = re.compile(
    r"交流展示|交流发言|交流了|经验交流|作交流|展示交流|交流经验|分享了|讲述了|展示了|介绍了|作了交流|"
    r"学习交流发言|进行交流|交流创建"
)
_UNIT_SUBJECT = re.compile(
    rf"(?P<u>[{HAN}\d()]{{2,28}}?{lx.UNIT_END_RE})(?:的(?:党员)?代表[{HAN}]{{0,6}}?)?"
    r"(?=讲述|分享|展示|介绍|交流|聚焦|结合|通过|以|围绕|从|作了|分别|就|汇报|立足|紧扣|用|也|向)"
)
_UNIT_LIST = re.compile(
    rf"(?P<l>(?:(?!等)[{HAN}\d()]){{2,30}}(?:、(?:(?!等)[{HAN}\d()]){{2,30}}){{0,20}})等\s{{0,2}}\d{{1,3}}\s{{0,2}}(?:个|家)"
)
# A clause that only sets the scene before the presenters (活动中, / 论坛上, / 会上,).
_SCENE_LEAD = re.compile(r"(?:活动|会议|论坛|仪式|培训|交流会|座谈会)(?:中|上|期间)|会上|随后|最后")
_BAD_UNIT = re.compile(r"个|等|各|全体|大家|双方|我们|党员们|与会|参会|其中|代表们")


def find_presenting_units(p: Prepared, kinds: Kinds) -> list[Span]:
    """Units or branches that presented or exchanged experience (activities only)."""
    if kinds.kind != "activity":
        return []
    out: list[Span] = []
    for pa, pb in paragraphs(p):
        if not _EXCHANGE.search(p.body[pa:pb]):
            continue
        for sa, sb in sentences(p, pa, pb):
            sent = p.body[sa:sb]
            if "推荐" in sent:
                continue
            # "A、B、C等3家单位党支部书记…作了交流发言"
            prev_end = -1
            for m in _UNIT_LIST.finditer(p.body, sa, sb):
                after_list = (
                    m.start("l") == prev_end
                )  # "…等3个党工委和B等8个": 党工委 is a category
                prev_end = m.end()
                tail_end = re.search(r"[,;。]", p.masked[m.end() : sb])
                tail = p.body[m.end() : m.end() + tail_end.start() if tail_end else sb]
                if not re.search(r"交流|发言|展示|分享|介绍|汇报", tail):
                    continue
                base = m.start("l")
                for piece in re.finditer(r"[^、]+", m.group("l")):
                    a, b = base + piece.start(), base + piece.end()
                    cm = re.search(
                        r"(?:仪式后|之后|随后|其中|会上|期间|活动中|论坛上|后)", p.body[a:b]
                    )
                    if cm:
                        a += cm.end()
                    off = a
                    for j, part in enumerate(p.body[a:b].split("和")):
                        skip = after_list and j == 0 and piece.start() == 0
                        if len(part) >= 2 and not _BAD_UNIT.search(part) and not skip:
                            out.append((off, off + len(part)))
                        off += len(part) + 1
            # Clause subjects: "其中,X讲述了…;Y聚焦…" / "X的党员代表…交流发言"
            first = True
            for ca, cb in _clauses(p, sa, sb):
                txt = p.body[ca:cb]
                lead = re.match(r"^\s*(?:其中|此外|随后|同时|最后|首先|会上)?\s*", txt)
                ca2 = ca + (lead.end() if lead else 0)
                m = _UNIT_SUBJECT.match(p.body, ca2, cb)
                opens = first or p.body[ca - 1 : ca] == ";" or bool(lead and lead.group(0).strip())
                first = p.body[ca:cb].strip() in ("其中", "此外", "同时", "随后") or bool(
                    _SCENE_LEAD.fullmatch(p.body[ca:cb].strip())
                )
                if (
                    not m
                    or _BAD_UNIT.search(m.group("u"))
                    or re.match(r"积极|认真|进一步|主动|大力|不断|充分", m.group("u"))
                ):
                    continue
                if opens or "代表" in m.group(0):
                    out.append(m.span("u"))
    seen, res = set(), []
    for s in out:
        t = p.body[s[0] : s[1]]
        if t not in seen:
            seen.add(t)
            res.append(s)
    return res


def _clauses(p: Prepared, sa: int, sb: int) -> list[Span]:
    """Comma/semicolon-separated clauses of a sentence (quote-aware)."""
    out = []
    start = sa
    for m in re.finditer(r"[,;]", p.masked[sa:sb]):
        out.append((start, sa + m.start()))
        start = sa + m.end()
    out.append((start, sb))
    return out


# --------------------------------------------------------------------------- campaign

_CAMP_END = re.compile("(?=[能专提攻三行学主教实系宣创竞活])" + lx.CAMPAIGN_END_RE)
_CAMP_AFTER_ATTACHED = re.compile(
    r"启动仪式|启动会|读书班|动员会|推进会|开班|启动大会|第[\d一二三四五六七八九十]+(?:次|期|场)|"
    r"[^,。;]{0,10}?(?:交流会|座谈会|推进会|部署会|总结会)"
)
_CAMP_PURPOSE = re.compile(
    r"为(?:了)?(?:扎实|深入|认真|进一步|全面|持续)?(?:开展|推进|推动|抓好|落实|确保)"
)
_CAMP_BASIS = re.compile(r"根据")
# "结合当前开展…教育实践活动": the event is part of it.
_CAMP_WITH = re.compile(r"结合(?:当前|正在)?(?:开展|深入开展)(?:的)?")
_CAMP_BASIS_AFTER = re.compile(r"(?:的)?(?:部署|安排|要求)")
_CAMP_CURTAIN = re.compile(r"拉开(?:了)?")
_CAMP_CURTAIN_AFTER = re.compile(r"(?:的)?序幕")


def _campaign_candidates(p: Prepared, ra: int, rb: int) -> list[tuple[int, int, int]]:
    """(pattern rank, start, end) of campaign names ending inside [ra, rb)."""
    out = []
    for e in _CAMP_END.finditer(p.masked, ra, rb):
        lo = max(ra, e.start() - 60)
        win = p.masked[lo : e.start()]
        clause = max(win.rfind(c) for c in ",。;:\n")
        cstart = lo + clause + 1
        if _CAMP_AFTER_ATTACHED.match(p.masked, e.end()) or _CAMP_AFTER_ATTACHED.match(
            p.body, e.end() + 1 if p.body[e.end() : e.end() + 1] == "“" else e.end()
        ):
            out.append((0, cstart, e.end()))
            continue
        sent_start = max(p.masked.rfind(c, 0, cstart) for c in "。\n") + 1
        if re.match(
            r"(?:扎实|深入|认真|进一步|全面|持续)?(?:开展|推进|推动|贯彻|落实)",
            p.masked[cstart : e.start()],
        ) and p.body[sent_start:cstart].lstrip().startswith("为"):
            lead = re.match(
                r"(?:扎实|深入|认真|进一步|全面|持续)?(?:开展|推进|推动|贯彻|落实)",
                p.masked[cstart : e.start()],
            )
            out.append((1, cstart + lead.end(), e.end()))
            continue
        for rank, rx, after in (
            (1, _CAMP_PURPOSE, None),
            (1, _CAMP_WITH, None),
            (2, _CAMP_BASIS, _CAMP_BASIS_AFTER),
            (3, _CAMP_CURTAIN, _CAMP_CURTAIN_AFTER),
        ):
            ms = list(rx.finditer(p.masked, cstart, e.start()))
            if ms and (after is None or after.match(p.masked, e.end())):
                out.append((rank, ms[-1].end(), e.end()))
                break
    return out


def _trim_campaign(p: Prepared, a: int, b: int) -> Span:
    s = p.body[a:b]
    cut = 0
    first_q = s.find("“") if "“" in s else len(s)
    for m in re.finditer(lx.EVENT_VERB_RE + r"|暨|(?<!党)的|了|在|开启|启动", s):
        if m.group(0) == "暨" or m.start() < first_q:
            cut = max(cut, m.end())
    q = s.find("“", cut)
    if q > cut:
        y = re.search(r"(?:19|20)\d\d年$", s[:q])
        cut = y.start() if y and y.start() >= cut else q
    return strip_span(p.body, a + cut, b)


def find_campaign(p: Prepared, title: Title, ev: Event, org: str | None = None) -> Span | None:
    """The campaign the event belongs to, when named.

    (…能力提升行动启动仪式 / 为扎实开展…学习教育 / 根据…专题活动部署 / 拉开…宣讲活动序幕)
    """
    regions = [ev.sentence] if ev.sentence else []
    regions.extend(title.spans)
    regions.extend(paragraphs(p)[:2])
    cands = []
    for ri, (ra, rb) in enumerate(regions):
        for rank, a, b in _campaign_candidates(p, ra, rb):
            if rank == 1 and ri > 0 and (ra, rb) in title.spans:
                continue
            cands.append((rank, ri, a, b))
    for _rank, _ri, a0, b0 in sorted(cands):
        a, b = _trim_campaign(p, a0, b0)
        lead = re.match(r"(?:我校|我局|我院|我厅|我部|我委|我办|我市|我区|我县)", p.body[a:b])
        if lead:
            a += lead.end()
        elif org and p.body[a:b].startswith(org):
            a += len(org)
        if b - a >= 4:
            return (a, b)
    return None


# --------------------------------------------------------------------------- extras


def find_capabilities(p: Prepared) -> list[tuple[str, Span]]:
    """The seven capabilities (七种能力) the text names, in order of appearance.

    "提升政治能力" alone is common prose, so 政治能力 counts only beside another of the seven.
    """
    out = []
    for cap in lx.CAPABILITIES:
        k = p.body.find(cap)
        if k >= 0:
            out.append((cap, (k, k + len(cap))))
    if len(out) == 1 and out[0][0] == "政治能力":
        return []
    return sorted(out, key=lambda x: x[1][0])


_SERIES = re.compile(r"(?:把|将)(?P<l>[^。]{10,400}?)等系列活动")


def find_planned_activities(p: Prepared) -> list[tuple[str, str, Span]]:
    m = _SERIES.search(p.masked)
    if not m:
        return []
    out = []
    base = m.start("l")
    for piece in re.finditer(r"[^、]+", m.group("l")):
        a, b = base + piece.start(), base + piece.end()
        lead = re.match(r"^(?:举办|开展|举行|组织|召开)", p.body[a:b])
        if lead:
            a += lead.end()
        a, b = strip_span(p.body, a, b)
        text = p.body[a:b]
        kind = "其他"
        for name, pat in lx.ACTIVITY_TYPE_PATTERNS:
            if re.search(pat, text):
                kind = name
                break
        if len(text) >= 3:
            out.append((text, kind, (a, b)))
    return out


_PARTICIPATE = re.compile(r"(?:等)?(?:参加|列席)")


def find_participant_groups(p: Prepared, people: list[Person]) -> list[Span]:
    """Groups (not named people) that took part: 各部门党支部副书记, 全体党员 …"""
    names = {x.name for x in people}
    out = []
    for pa, pb in paragraphs(p)[:2]:
        for sa, sb in sentences(p, pa, pb):
            for m in _PARTICIPATE.finditer(p.masked, sa, sb):
                # The groups are the comma-joined stretch before the verb, back to a clause
                # that has a verb of its own.
                start = _clause_start(p.masked, sa, m.start())
                k = start
                while k > sa:
                    prev = _clause_start(p.masked, sa, k - 1)
                    txt = p.body[prev : k - 1]
                    if _EVENT_VERB.search(txt) or re.search(
                        r"主持|出席|讲话|致辞|举行|召开|[\d]月", txt
                    ):
                        break
                    k = prev
                for ga, gb in _group_spans(p, k, m.start()):
                    txt = p.body[ga:gb]
                    if any(n in txt for n in names) or _EVENT_VERB.search(txt) or "主持" in txt:
                        continue
                    if re.search(
                        r"党员|干部|负责|同志|书记|代表|成员|职工|人员|委员|主任|全体", txt
                    ):
                        out.append((ga, gb))
    return out


def _group_spans(p: Prepared, a: int, b: int) -> list[Span]:
    out = []
    start = a
    for m in re.finditer(r"[,]", p.masked[a:b]):
        out.append(strip_span(p.body, start, a + m.start()))
        start = a + m.end()
    out.append(strip_span(p.body, start, b))
    return [s for s in out if s[1] - s[0] >= 2]


_THEME = re.compile(r"(?:以|围绕)“(?P<t>[^“”\n]{2,60})”为主题|主题为“(?P<u>[^“”\n]{2,60})”")


def find_theme(p: Prepared) -> Span | None:
    """The activity's theme when the text states one (活动以“…”为主题 / 主题为“…”)."""
    for pa, pb in paragraphs(p)[:3]:
        m = _THEME.search(p.body, pa, pb)
        if m:
            g = "t" if m.group("t") else "u"
            return strip_span(p.body, m.start(g), m.end(g))
    return None


# What a presenter talked about: the rest of its clause, up to ; or 。 (quote-aware).
# "围绕“X”作交流发言" / "以“X”为题作交流发言" give X; "讲述了X" gives X.
_TOPIC_FRAME = re.compile(
    r"^(?:围绕|以|就)(?P<x>.{2,200}?)(?:为题|为主题)?(?:作|做|进行)(?:了)?(?:交流)?(?:发言|交流|展示)$"
)
_TOPIC_VERB = re.compile(
    r"^(?:的(?:党员)?代表[\u4e00-\u9fff]{0,10}?)?(?:讲述了|分享了|介绍了|展示了|交流了|汇报了|"
    r"分享|讲述|介绍|展示|交流|汇报)(?!发言)"
)
# Without a verb, the rest is a topic only when it opens as the genre's presenter clauses do.
_TOPIC_OPEN = re.compile(r"^(?:聚焦|结合|通过|以|围绕|从|立足|紧扣|用|就)")


def find_presentation_topics(p: Prepared, units: list[Span]) -> list[Span | None]:
    """For each presenting unit, what it presented (None when the text does not say)."""
    out: list[Span | None] = []
    for i, (_a, b) in enumerate(units):
        limit = units[i + 1][0] if i + 1 < len(units) and units[i + 1][0] > b else len(p.masked)
        stop = b
        while stop < limit and p.masked[stop] not in ";。\n" and stop - b < 300:
            stop += 1
        while stop > b and p.body[stop - 1] in ",,、;; ":
            stop -= 1  # the next presenter's clause starts after a comma
        a2, b2 = b, stop
        seg = p.body[a2:b2]
        m = _TOPIC_FRAME.match(seg)
        if m:
            a2, b2 = a2 + m.start("x"), a2 + m.end("x")
        else:
            v = _TOPIC_VERB.match(seg)
            if v:
                a2 += v.end()
            elif not _TOPIC_OPEN.match(seg):
                # A unit in a list (A、B等3家单位…) or followed by other prose: no topic.
                out.append(None)
                continue
        a2, b2 = strip_span(p.body, a2, b2)
        if b2 - a2 >= 2 and p.body[a2] in "“" and p.body[b2 - 1] in "”":
            inner = p.body[a2 + 1 : b2 - 1]
            if "“" not in inner and "”" not in inner:
                a2, b2 = a2 + 1, b2 - 1
        out.append((a2, b2) if b2 - a2 >= 2 and b2 - a2 <= 200 else None)
    return out


# --------------------------------------------------------------------------- inferred year

_ANNIV_NUM = r"(?P<n>\d{1,3})\s{0,2}(?:周年|岁生日)"
_BIRTH_RE = re.compile(
    "(?P<who>" + "|".join(lx.BIRTH_YEARS) + r")(?:同志)?诞辰\s{0,2}" + _ANNIV_NUM
)
_FOUNDING_RE = [
    (re.compile(rf"{pat}[^,。;\d]{{0,4}}?{_ANNIV_NUM}"), base) for pat, base in lx.FOUNDING_YEARS
]
_YEAR_MENTION = re.compile(r"(?<!\d)((?:199|20\d)\d)\s{0,2}年(?!度|以来|前|后|底|初|末|级)")


def infer_year(p: Prepared) -> tuple[int, str, Span, str] | None:
    """A year the text implies when it gives none for the event: (year, evidence, span, source).

    An anniversary (毛泽东同志诞辰130周年 → 1893 + 130 = 2023; 建党102周年 → 1921 + 102) is
    strong evidence; failing that, the one year the text mentions (2018年学习计划) is weak
    evidence. A suggestion for the importer: the schema's ``date`` keeps ``--MM-DD``.
    """
    found: list[tuple[int, int, str, Span, str]] = []
    for m in _BIRTH_RE.finditer(p.body):
        y = lx.BIRTH_YEARS[m.group("who")] + int(m.group("n"))
        found.append((m.start(), y, p.body[m.start() : m.end()], m.span(), "anniversary"))
    for rx, base in _FOUNDING_RE:
        for m in rx.finditer(p.body):
            y = base + int(m.group("n"))
            found.append((m.start(), y, p.body[m.start() : m.end()], m.span(), "anniversary"))
    years = {y for _, y, _, _, _ in found}
    if len(years) == 1:
        first = min(found)
        return first[1], first[2], first[3], first[4]
    if years:
        return None  # anniversaries pointing at different years: no suggestion
    mentions = list(_YEAR_MENTION.finditer(p.body))
    if mentions and len({m.group(1) for m in mentions}) == 1:
        m = mentions[0]
        return int(m.group(1)), p.body[m.start() : m.end()], m.span(), "mention"
    return None
