"""Text preparation: one-to-one normalization and page-furniture removal.

Every transformation here keeps character offsets: the normalized text and the body have the
same length as the input, so a match found in them is also a span of the original text. Page
furniture (navigation, datelines, 来源/作者/阅读次数, copyright and licence lines, phone numbers,
share buttons, image file names, reporter bylines) is blanked with spaces so no field can be
taken from it; datelines are kept aside because they give the year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Full-width ASCII → half-width, ideographic space → space: one character for one.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update(
    {
        0x3000: 0x20,
        0x00A0: 0x20,
        0x200B: 0x20,
        0xFEFF: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x202F: 0x20,
        0x3010: 0x5B,
        0x3011: 0x5D,
        0xFE54: 0x3B,
        0xFF64: 0x3001,
    }
)
# Control characters (other than tab/newline) become spaces.
_FULLWIDTH.update({cp: 0x20 for cp in range(0x00, 0x20) if cp not in (0x09, 0x0A)})
_FULLWIDTH[0x0D] = 0x0A
_FULLWIDTH[0x7F] = 0x20


_TO_NORMALIZE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FULLWIDTH)) + "]")


def normalize(text: str) -> str:
    """Map full-width punctuation to ASCII and control characters to spaces (same length)."""
    return _TO_NORMALIZE.sub(lambda m: chr(_FULLWIDTH[ord(m.group(0))]), text)


@dataclass
class Dateline:
    year: int | None  # None for a month-day dateline (日期:12-28)
    month: int
    day: int
    start: int
    end: int
    labelled: bool = False  # preceded by 日期/发布日期/发布时间 …


@dataclass
class Prepared:
    """The text as the extractors see it."""

    original: str
    norm: str  # normalized, same length as original
    body: str  # norm with furniture blanked, same length
    masked: str  # body with punctuation inside “…” and 《…》 neutralized (for splitting)
    quoted: str = ""  # "1" where the character is inside “…” or 《…》, else "0"
    furniture: list[tuple[int, int]] = field(default_factory=list)
    datelines: list[Dateline] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)  # content line spans in body
    cache: dict = field(default_factory=dict)


# Furniture keywords: a line containing one of these (outside a sentence) is page furniture.
_FURNITURE_KEYS_SRC = (
    r"来源\s*[:]|作者\s*[:]|发布时间|发布日期|发布者|发布开发区|更新时间|阅读次数|阅读量|阅读\s*[:]|"
    r"浏览次数|浏览量|浏览\s*[:]|点击数|点击量|责任编辑|编辑\s*[:]|审核\s*[:]|审核人|初审|复审|审定|"
    r"签发\s*[:]|编审\s*[:]|供稿|撰稿\s*[:]|信息来源|文章来源|版权所有|版权声明|ICP|备案号|许可证|"
    r"公网安备|邮编|电话\s*[:]|传真\s*[:]|邮箱\s*[:]|地址\s*[:]|网站主办|主办单位|技术支持|承办单位|"
    r"打印本页|打印本文|关闭窗口|字体\s*[:]|字号\s*[:]|分享到|分享\s*[:]|扫一扫|返回顶部|上一篇|"
    r"下一篇|当前位置|当前的位置|您的位置|现在的位置|所在位置|您在\s*[:]|我的位置|首页\s*[>»]|设为首页|加入收藏|[Pp]roduced\s*[Bb]y|"
    r"相关阅读|相关新闻|打开APP|举报中心|网络警察|报警岗亭|记者证|违法和不良信息|A-\s*A\+|"
    r"【大|点击搜索|\bhttps?://|www\.|\.(?:jpg|jpeg|png|gif|bmp)\b|微信图片|转载请注明|投稿"
)


def _first_chars(src: str) -> str:
    """A character class of the characters an alternation of mostly literal words can start with
    (a cheap lookahead that lets the regex engine skip most positions)."""
    chars = set()
    for alt in src.split("|"):
        alt = alt.removeprefix("(?:").removeprefix("\\b")
        if alt.startswith("\\"):
            chars.add(alt[1])
        elif alt.startswith("["):
            chars.update(alt[1 : alt.index("]")])
        elif alt:
            chars.add(alt[0])
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


_FURNITURE_KEYS = re.compile(
    "(?=" + _first_chars(_FURNITURE_KEYS_SRC) + ")(?:" + _FURNITURE_KEYS_SRC + ")"
)
_DATE_TIME = (
    r"(?:(?P<y1>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m1>\d{1,2})\s*[-/.月]\s*(?P<d1>\d{1,2})\s*日?"
    r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>(?:19|20)\d\d))"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
DATE_TIME_RE = re.compile(_DATE_TIME)
# A line that is only a date/time, perhaps labelled (日期:2021-12-07 / 2023年03月24日).
_DATELINE_ONLY = re.compile(
    r"^[\s|]*(?:日期|时间|发布日期|发布时间|发表时间)?\s*[:]?\s*"
    + _DATE_TIME
    + r"(?:\s*星期[一二三四五六日天])?[\s|]*$"
)
_SENTENCE_END = re.compile(r"[。!?]|[,;][^,;。]{3,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PHONE = re.compile(r"(?:0\d{2,3}-)?\d{7,}")
_PHONE_OK = re.compile(r"(?:0\d{2,3}-?)?\d{7,8}|1[3-9]\d{9}")
# In-line bylines: 本报讯(记者 X) / XX网讯 (见习记者X) / 新华社北京电 …
_BYLINE = re.compile(
    r"^[\s]*(?:(?:[\u4e00-\u9fffA-Za-z0-9、]{0,16}讯|新华社[\u4e00-\u9fff]{0,6}电|"
    r"[\u4e00-\u9fffA-Za-z0-9]{1,12}\d{1,2}月\d{1,2}日电)\s*(?:\([^()\n]{0,40}\))?"
    r"(?:\s*[\u4e00-\u9fff ]{0,20}?报道)?|"
    r"\([^()\n]{0,30}(?:记者|通讯员|供稿|撰稿|文/|图/)[^()\n]{0,30}\))\s*"
)
# Trailing parenthetical credit at the end of a paragraph: (办公室) (文/焦阳 图/刘珊珊) …
_TRAIL_CREDIT = re.compile(r"\((?:[^()\n]{1,40})\)\s*$")
_CREDIT_HINT = re.compile(
    r"记者|通讯员|供稿|撰稿|编辑|文/|图/|审核|摄|办公室|支部|处|科|部|室|中心|组|办|院|局|站|[\u4e00-\u9fff]{2,3}$"
)


_TRAILING_DATE = re.compile(r"\s+" + _DATE_TIME + r"\s*$")
_PUNCT_END = re.compile(r"[。]")
_HEADLINE_WORDS = re.compile(r"召开|举办|举行|开展|学习|会议|活动|党课|论坛|仪式|开班|传达|党日")


def _is_furniture_line(line: str, next_line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _DATELINE_ONLY.match(s) or _MONTH_DAY_LINE.match(s):
        return True
    if DATE_TIME_RE.match(s) and len(s) <= 40 and "。" not in s:
        return True  # "2024-06-28 14:05 中国经济导报-中国发展网"
    if len(s) <= 40 and "。" not in s and re.search(r"(?:摄影|摄|供图|图片来源)$", s):
        return True  # a photo caption: "会议现场   赵倩摄影"
    td = _TRAILING_DATE.search(s)
    if td and td.start() <= 20 and not _HEADLINE_WORDS.search(s, 0, td.start()):
        return True  # "北京青年报客户端 2023-06-27 17:10"
    # A real sentence that merely mentions 来源 etc. is long and punctuated; furniture lines
    # are short or have no sentence punctuation.
    if len(s) > 200 and s.count("。") >= 2:
        return False  # a prose paragraph
    if len(s) < 60 or "。" not in s:
        m = _FURNITURE_KEYS.search(s)
        # A headline with its furniture on the same line (…论坛(第一期)发布时间:…) is content:
        # the furniture tail is cut off later.
        if m and not (m.start() >= 8 and _HEADLINE_WORDS.search(s, 0, m.start())):
            return True
    han = len(s) if len(s) > 40 else len(_HAN.findall(s))
    if han == 0:
        # English navigation, phone numbers, bullets, separators are furniture; digits alone
        # directly before a line starting with 月/日 are a broken date (3\n月15日).
        return not (re.fullmatch(r"\d{1,2}", s) and next_line.lstrip()[:1] in ("月", "日"))
    if han <= 8 and not re.search(r"[。,;!?]", s) and len(s) <= 12:
        return True  # captions, site names, short navigation, labels (今天是:)
    toks = s.split()
    if len(toks) >= 3 and all(len(t) <= 6 for t in toks) and not re.search(r"[。,;:]", s):
        return True  # a menu: 重大意义 总要求 目标任务 重点措施
    if s.startswith(("•", "·", "|", ">", "»")):
        return True
    if ">" in s and not re.search(r"[。,]", s):
        return True  # breadcrumbs
    if s.startswith("摘要"):
        return True
    if han < 30 and any(_PHONE_OK.fullmatch(m.group(0)) for m in _PHONE.finditer(s)):
        return True
    # A line that is only a parenthetical credit.
    return bool(re.fullmatch(r"\([^()]{1,40}\)", s))


_MONTH_DAY_LINE = re.compile(r"(?:日期|发布日期|发布时间)\s*[:]\s*(\d{1,2})-(\d{1,2})(?![\d-])")
_DATE_LABEL = re.compile(r"日期|时间|发布|更新|来源")


def _dateline_from(text: str, start: int) -> Dateline | None:
    m = DATE_TIME_RE.search(text)
    if not m:
        md = _MONTH_DAY_LINE.search(text)
        if md and 1 <= int(md.group(1)) <= 12 and 1 <= int(md.group(2)) <= 31:
            return Dateline(
                None, int(md.group(1)), int(md.group(2)), start + md.start(), start + md.end(), True
            )
        return None
    y = m.group("y1") or m.group("y2")
    mo = m.group("m1") or m.group("m2")
    d = m.group("d1") or m.group("d2")
    try:
        y_i, mo_i, d_i = int(y), int(mo), int(d)
    except (TypeError, ValueError):
        return None
    if not (1 <= mo_i <= 12 and 1 <= d_i <= 31):
        return None
    labelled = bool(_DATE_LABEL.search(text[max(0, m.start() - 8) : m.start()]))
    return Dateline(y_i, mo_i, d_i, start + m.start(), start + m.end(), labelled)


_QUOTED = re.compile(r"“[^“”\n]{0,400}”|《[^《》\n]{0,200}》|\([^()\n]{0,80}\)")
_SEPARATORS = re.compile(r"[,;。、:!?]")


def _mask_quotes(s: str) -> tuple[str, str]:
    """Neutralize separators inside “…”, 《…》 and (…) so splitting keeps quoted names whole.

    Returns the masked text and a flag string ("1" inside “…” or 《…》). Quotes nested inside
    a book title (《关于…“…”…》) are covered by the outer match.
    """
    masked_parts: list[str] = []
    flag_parts: list[str] = []
    pos = 0
    for m in _QUOTED.finditer(s):
        a, b = m.span()
        masked_parts.append(s[pos:a])
        flag_parts.append("0" * (a - pos))
        inner = _SEPARATORS.sub("·", s[a + 1 : b - 1])
        masked_parts.append(s[a] + inner + s[b - 1])
        flag = "0" if s[a] == "(" else "1"
        flag_parts.append("0" + flag * (b - a - 2) + flag)
        pos = b
    masked_parts.append(s[pos:])
    flag_parts.append("0" * (len(s) - pos))
    return "".join(masked_parts), "".join(flag_parts)


def prepare(text: str) -> Prepared:
    """Normalize, find furniture and datelines, and build the body the extractors read."""
    norm = normalize(text)
    body = list(norm)
    furniture: list[tuple[int, int]] = []
    datelines: list[Dateline] = []
    content_lines: list[tuple[int, int]] = []

    raw_lines: list[tuple[int, int]] = []
    pos = 0
    for part in norm.split("\n"):
        raw_lines.append((pos, pos + len(part)))
        pos += len(part) + 1

    def blank(a: int, b: int) -> None:
        if b > a:  # spans never cross a line end
            furniture.append((a, b))
            body[a:b] = [" "] * (b - a)

    for idx, (a, b) in enumerate(raw_lines):
        line = norm[a:b]
        nxt = ""
        if len(line) <= 3:
            for c, d in raw_lines[idx + 1 : idx + 4]:
                if norm[c:d].strip():
                    nxt = norm[c:d]
                    break
        if _is_furniture_line(line, nxt):
            dl = _dateline_from(line, a)
            if dl:
                datelines.append(dl)
            lead = len(line) - len(line.lstrip())
            blank(a + lead, b)
            continue
        # A content line may carry furniture after its text (title + 发布时间:… on one line).
        m = _FURNITURE_KEYS.search(line) if "。" not in line[-60:] else None
        if m and m.start() > 0 and "。" not in line[m.start() :]:
            cut = m.start()
            # Step back over a date directly before the keyword (2019-03-02来源:).
            dm = re.search(_DATE_TIME + r"\s*$", line[:cut])
            if dm:
                cut = dm.start()
            dl = _dateline_from(line[cut:], a + cut)
            if dl:
                datelines.append(dl)
            blank(a + cut, b)
            line = line[:cut]
            b = a + cut
        else:
            # A trailing date on a headline line (… 临时党支部成立 2020-05-26).
            dm = _TRAILING_DATE.search(line) if not _PUNCT_END.search(line) else None
            if dm:
                dl = _dateline_from(line[dm.start() :], a + dm.start())
                if dl:
                    datelines.append(dl)
                blank(a + dm.start(), b)
                line = line[: dm.start()]
                b = a + dm.start()
        # Leading byline (本报讯(记者 X) / 滨州日报讯 / (通讯员 X)).
        bm = _BYLINE.match(line)
        if bm and bm.end() > 0 and re.search(r"讯|电|记者|通讯员|供稿", bm.group(0)):
            md = re.search(r"(\d{1,2})月(\d{1,2})日(?:电|讯)", bm.group(0))
            if md and 1 <= int(md.group(1)) <= 12 and 1 <= int(md.group(2)) <= 31:
                # "XX网北京9月1日电": the day the report was filed (no year)
                datelines.append(
                    Dateline(None, int(md.group(1)), int(md.group(2)), a + md.start(), a + md.end())
                )
            blank(a, a + bm.end())
        # Trailing credit at the end of a paragraph: 。(办公室)
        tm = _TRAIL_CREDIT.search(line)
        if tm and (tm.start() == 0 or line[: tm.start()].rstrip().endswith(("。", "!", "”", "?"))):
            inner = tm.group(0)[1:-1]
            if _CREDIT_HINT.search(inner) and len(inner) <= 40:
                blank(a + tm.start(), b)
        # Phone numbers never belong to a field.
        for pm in _PHONE.finditer(line):
            if _PHONE_OK.fullmatch(pm.group(0)) and not re.search(
                r"年|月|日|号", line[max(0, pm.start() - 1) : pm.end() + 1]
            ):
                blank(a + pm.start(), a + pm.end())
        if "".join(body[a:b]).strip():
            content_lines.append((a, b))

    body_s = "".join(body)
    masked, quoted = _mask_quotes(body_s)
    return Prepared(
        original=text,
        norm=norm,
        body=body_s,
        masked=masked,
        quoted=quoted,
        furniture=furniture,
        datelines=datelines,
        lines=content_lines,
    )


def paragraphs(p: Prepared) -> list[tuple[int, int]]:
    """Content lines that are prose paragraphs (contain sentence punctuation)."""
    if "paragraphs" in p.cache:
        return p.cache["paragraphs"]
    out = []
    for a, b in p.lines:
        m = p.masked[a:b]
        if ("。" in m or (re.search(r"[,;]", m) and len(m.strip()) >= 40)) and len(m.strip()) >= 12:
            out.append((a, b))
    p.cache["paragraphs"] = out
    return out


_SENT_SPLIT = re.compile(r"[。!?;\n]")


def sentences(p: Prepared, a: int = 0, b: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans in [a, b) of the body, split on 。!?; and newlines (quote-aware)."""
    b = len(p.body) if b is None else b
    key = ("sentences", a, b)
    if key in p.cache:
        return p.cache[key]
    out = []
    start = a
    for m in _SENT_SPLIT.finditer(p.masked, a, b):
        if p.body[start : m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if p.body[start:b].strip():
        out.append((start, b))
    p.cache[key] = out
    return out


def strip_span(s: str, a: int, b: int, chars: str = " \t\n") -> tuple[int, int]:
    while a < b and s[a] in chars:
        a += 1
    while b > a and s[b - 1] in chars:
        b -= 1
    return a, b
