"""Word lists the parser's rules are built from.

The genre (机关党建 news reports) is formulaic: titles precede names, meetings are named by a
small vocabulary, requirements are enumerated with 一要/一是/（一）. These lists encode that
vocabulary; the rules in :mod:`.extract` combine them. Keep them general (no names of particular
bodies or people).
"""

import re


def trie_regex(words) -> str:
    """A regex alternation of literal ``words`` as a prefix tree (fast to match, longest first)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = node.get("", False)
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if end else body

    return "(?:" + emit(trie) + ")"


# Administrative and party titles that end the "titles" run before a person's name
# (局党组成员、副局长王育宏). Longest alternatives first so that 副局长 wins over 局长.
TITLE_SUFFIXES = sorted(
    {
        "书记",
        "副书记",
        "常务副书记",
        "专职副书记",
        "局长",
        "厅长",
        "部长",
        "司长",
        "处长",
        "科长",
        "主任",
        "组长",
        "成员",
        "委员",
        "常委",
        "主席",
        "秘书长",
        "县长",
        "区长",
        "市长",
        "省长",
        "州长",
        "镇长",
        "乡长",
        "校长",
        "院长",
        "馆长",
        "站长",
        "所长",
        "总工程师",
        "总经济师",
        "总会计师",
        "工程师",
        "教授",
        "研究员",
        "董事长",
        "总经理",
        "经理",
        "主委",
        "巡视员",
        "调研员",
        "组员",
        "教育长",
        "领导",
        "专员",
        "代表",
        "支委",
        "检察长",
        "总督察",
        "督察",
        "庭长",
        "队长",
        "政委",
        "社长",
        "总编辑",
        "台长",
        "行长",
        "署长",
        "主编",
        "会长",
        "理事长",
        "副局长",
        "副厅长",
        "副部长",
        "副司长",
        "副处长",
        "副主任",
        "副组长",
        "副主席",
        "副秘书长",
        "副县长",
        "副区长",
        "副市长",
        "副省长",
        "副校长",
        "副院长",
        "副馆长",
        "副站长",
        "副所长",
        "副教授",
        "副主委",
        "副专员",
        "副总经理",
        "副台长",
        "副社长",
        "常务副县长",
        "常务副区长",
        "常务副市长",
        "常务副主任",
        "常务副校长",
        "常务副院长",
        "常务副局长",
        "常务副厅长",
        "常务副部长",
        "纪检组长",
        "副会长",
        "老师",
        "讲师",
    },
    key=len,
    reverse=True,
)


def first_chars(words) -> str:
    return "[" + "".join(re.escape(c) for c in sorted({w[0] for w in words})) + "]"


TITLE_SUFFIX_RE = re.compile(
    "(?="
    + first_chars(TITLE_SUFFIXES)
    + ")"
    + trie_regex(TITLE_SUFFIXES)
    + r"(?:\([\u4e00-\u9fff]{1,6}\))?"
)

# What may follow a person's name in a report (主持/出席/讲话 …): the name ends where one
# of these begins. Longest first.
AFTER_NAME_WORDS = sorted(
    {
        "主持",
        "出席",
        "参加",
        "列席",
        "讲话",
        "致辞",
        "致欢迎辞",
        "作",
        "做",
        "为",
        "在",
        "代表",
        "带领",
        "领学",
        "领读",
        "领誓",
        "宣读",
        "宣布",
        "传达",
        "应邀",
        "到会",
        "莅临",
        "委托",
        "指出",
        "强调",
        "表示",
        "要求",
        "对",
        "向",
        "就",
        "从",
        "围绕",
        "结合",
        "以",
        "讲授",
        "讲解",
        "授课",
        "介绍",
        "分享",
        "颁奖",
        "总结",
        "点评",
        "发言",
        "肯定",
        "希望",
        "提出",
        "说",
        "带队",
        "率",
        "一行",
        "陪同",
        "等",
        "同志",
        "参观",
        "调研",
        "听取",
        "通报",
        "部署",
        "作为",
        "深入",
        "认真",
        "首先",
        "随后",
        "分别",
        "也",
        "还",
        "并",
        "主讲",
        "解读",
        "辅导",
        "上",
        "讲",
        "汇报",
        "述职",
        "交流",
        "发表",
        "寄语",
        "致",
        "批示",
        "签署",
        "两位",
        "二位",
        "三位",
        "两人",
        "二人",
        "等人",
    },
    key=len,
    reverse=True,
)
AFTER_NAME_RE = trie_regex(AFTER_NAME_WORDS)
AFTER_NAME_MULTI_RE = re.compile(
    trie_regex([w for w in AFTER_NAME_WORDS if len(w) >= 2] + ["同志", "等同志"])
)

# How the text involves a named person, strongest first (出席并致辞 → 致辞).
ROLE_WORDS = [
    ("委托", "委托"),
    ("主持", "主持"),
    ("致欢迎辞", "致辞"),
    ("致辞", "致辞"),
    ("党课", "授课"),
    ("授课", "授课"),
    ("讲授", "授课"),
    ("讲解", "授课"),
    ("辅导", "授课"),
    ("讲座", "授课"),
    ("解读", "授课"),
    ("讲话", "讲话"),
    ("发言", "发言"),
    ("领学", "领学"),
    ("宣读", "宣读"),
    ("宣布", "宣布"),
    ("报告", "报告"),
    ("点评", "点评"),
    ("颁奖", "颁奖"),
    ("表态", "表态"),
    ("指导", "指导"),
    ("列席", "列席"),
    ("出席", "出席"),
    ("参加", "参加"),
    ("指出", "讲话"),
    ("强调", "讲话"),
    ("要求", "讲话"),
    ("肯定", "讲话"),
    ("提出", "讲话"),
    ("介绍", "介绍"),
    ("分享", "交流"),
    ("交流", "交流"),
]

# Words that look like two-to-four-character names but are not (全体, 同志 …).
NOT_NAMES = {
    "同志",
    "全体",
    "党员",
    "干部",
    "职工",
    "成员",
    "代表",
    "领导",
    "负责",
    "有关",
    "各级",
    "各位",
    "部分",
    "相关",
    "其他",
    "主要",
    "全体党员",
    "党员干部",
    "负责同志",
    "负责人",
    "班子",
    "大家",
    "双方",
    "参会",
    "与会",
    "会议",
    "活动",
    "支部",
    "党支部",
    "委员",
    "书记",
    "主任",
    "局长",
    "一行",
    "以上",
    "本人",
    "他们",
    "我们",
    "单位",
    "部门",
    "机关",
    "全局",
    "全厅",
    "全市",
    "出席",
    "参加",
    "主持",
    "讲话",
    "列席",
    "代表团",
    "报告团",
    "同时",
    "分别",
    "共同",
}

# Common Chinese surnames (single and compound). A candidate name normally starts with one.
SURNAMES_2 = {
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "令狐",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "百里",
    "呼延",
    "万俟",
}
SURNAMES_1 = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠"
    "惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉"
    "禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修"
    "邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴"
    "昝智幸奉植衡富尧闭由"
)

# Words that end a conveyed/studied item (讲话、指示批示、会议精神、《…》 …).
STUDY_TERMINALS = (
    "讲话",
    "精神",
    "指示",
    "批示",
    "要求",
    "部署",
    "文章",
    "意见",
    "条例",
    "规定",
    "决定",
    "报告",
    "规则",
    "》",
    "纪实",
    "通知",
    "方案",
    "论述",
    "内容",
    "文件",
    "公报",
    "回信",
    "贺信",
    "思想",
    "重要讲话",
    "章程",
    "党章",
    "准则",
    "讲话稿",
    "发言",
    "致辞",
    "贺词",
    "通报",
    "措施",
    "纲要",
    "法",
    "宪法",
    "理论",
    "工作报告",
    "讲话要求",
    "部署要求",
    "重要指示",
    "指示精神",
    "专题",
    "会议",
    "大会",
    "全会",
    "党代会",
)

# The seven capabilities asked of cadres (七种能力).
CAPABILITIES = [
    "政治能力",
    "调查研究能力",
    "科学决策能力",
    "改革攻坚能力",
    "应急处突能力",
    "群众工作能力",
    "抓落实能力",
]

# Activity types and the words that reveal them, in the order of REPORT_SCHEMA.md.
ACTIVITY_TYPE_PATTERNS = [
    ("启动仪式", r"启动仪式|启动会|正式启动|启动大会"),
    ("论坛", r"论坛"),
    ("主题党日", r"主题党日|主题党团(?:联合)?日|党日活动|党员活动日"),
    ("专题党课", r"党课"),
    ("专题培训", r"培训班|专题培训|读书班|培训会|集中培训|开班式|开班仪式|开学典礼"),
    (
        "交流展示",
        r"交流展示|成果展示|展示交流|成果交流|交流会|交流座谈会|展演|评展|展评|评定会|评比|擂台|经验交流会|"
        r"观摩会",
    ),
    ("报告会", r"报告会|宣讲会|宣讲报告"),
    ("联学联建", r"联学|联建|共建|结对|共学|党建联谊|联创"),
]
ACTIVITY_OTHER_RE = r"仪式|活动|讲堂|开放日|参观|比赛|竞赛|演讲|朗诵|志愿服务"

# Meeting types (REPORT_SCHEMA.md) and their words; the earliest match in the event phrase wins.
MEETING_TYPE_PATTERNS = [
    (
        "党组理论学习中心组学习",
        r"党组(?:\([^()]{1,8}\)|扩大)?(?:理论学习)?中心组|党组[^,。;]{0,8}理论学习中心组",
    ),
    (
        "党委理论学习中心组学习",
        r"(?:党委|党工委|[市县区省州旗]委)(?:\(扩大\)|扩大)?(?:理论学习)?中心组",
    ),
    (
        "党组会议",
        r"党组(?:\(扩大\)|扩大)?会议?|党组(?:第[\d一二三四五六七八九十]+次)?(?:\(扩大\)|扩大)?会议",
    ),
    (
        "党委会议",
        r"党委(?:\(扩大\)|扩大)?会议?|党委常委会|党工委会议|"
        r"[市县区省州旗]委(?:第[\d一二三四五六七八九十]+次)?常委(?:\(扩大\)|扩大)?会",
    ),
    ("支部委员会", r"支部委员会(?:会议)?|支委会"),
    ("支部党员大会", r"支部(?:党员)?大会|支部[^,。;]{0,6}(?:党员大会|成立大会)"),
]
MEETING_OTHER_RE = (
    r"会议|学习会|研讨会|例会|座谈会|述职|传达学习|集体学习|专题学习|党员大会|成立大会|"
    r"推进会|部署会"
)

# Verbs that introduce the event in a lead sentence (X召开/举办/举行/开展 …).
EVENT_VERB_RE = (
    r"组织召开|组织开展|召开|举办|举行|开展|开班|召集|邀请|签署(?=[^,。;]{0,12}协议)|签订(?=[^,。;]{0,12}协议)|"
    r"组织(?=(?:全体|支部|机关|部分)?(?:党员|干部|职工|人员|同志)|开展|召开|举办|举行)"
)

# Adverbs and time words to strip from the end of a subject (迅速组织召开 → 迅速).
SUBJECT_TAIL_RE = re.compile(
    r"(?:迅速|及时|专门|隆重|正式|认真|如期|近日|日前|又|再次|第一时间|特别|精心|共同|联合|今天|昨天|前天|"
    r"上午|下午|晚上|当天|成功|圆满|顺利|于|已|也|还|再|赴[^,。;]{0,25}|在[^,。;]{0,25}|于\d{1,2}月\d{1,2}日)+$"
)

# Words cutting an organization name off an event name (市总工会集中主题党日活动 → 市总工会).
ORG_CUT_RE = re.compile(
    r"(?:理论学习中心组|中心组|党组会|党委会|集中|首届|首场|首期|第[\d一二三四五六七八九十百]+[期届次场]|"
    r"\d{4}年|主题党日|党日|会议|学习会|活动|论坛|仪式|培训班|读书班|报告会|展演|评展|成立大会|"
    r"大会|启动|专题|党课|“)"
)

# Campaign words: a named campaign ends with one of these.
CAMPAIGN_END_RE = (
    r"(?:能力提升行动|专项行动|提升行动|攻坚行动|三年行动|创建行动|(?<=”)行动|学习教育|主题教育|教育实践活动|实践活动|专题活动|"
    r"系列活动|宣讲活动|创建活动|竞赛活动|主题年活动)"
)

# Organization-like endings for presenting units.
UNIT_END_RE = (
    r"(?:党支部|党总支|党委|党工委|支部|司|厅|局|处|科|室|所|部|中心|院|公司|委|办|街道|站|队|"
    r"馆|市场|校|中队|大队|集团|社区|村)"
)
