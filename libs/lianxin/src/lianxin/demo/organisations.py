"""The demo's places, departments, member units and big committees.

From the articles: the four communities and their districts and streets, the Nanmenshan alliance
(Taipingjie with Beimenkou, Dadongmen, Qianjingjie, Nanmenshan and Hejiabao, and 7 non-public
party branches, running the six joint mechanisms), the departments whistled to, and the member
units the articles name (老东粥皇; 敦仁派出所; Longze's three co-building units). Everything else
(most unit names, the officers' names, agreement and term dates, the Nanmenshan communities'
street) is made up for the demo.
"""

from __future__ import annotations

DISTRICTS = [
    {"code": "xishan", "name": "西山区", "city": "昆明市"},
    {"code": "fuling", "name": "涪陵区", "city": "重庆市"},
    {"code": "laoshan", "name": "崂山区", "city": "青岛市"},
    {"code": "kuancheng", "name": "宽城区", "city": "长春市"},
]

STREETS = [
    {"code": "yongchang", "name": "永昌街道", "district_code": "xishan"},
    {"code": "dunren", "name": "敦仁街道", "district_code": "fuling"},
    {"code": "shazikou", "name": "沙子口街道", "district_code": "laoshan"},
    {"code": "tuanshan", "name": "团山街道", "district_code": "kuancheng"},
]

COMMUNITIES = [
    {"code": "yongxinglu", "name": "永兴路社区", "street_code": "yongchang", "area_km2": 0.2},
    {"code": "taipingjie", "name": "太平街社区", "street_code": "dunren", "area_km2": 0.36},
    {"code": "longze", "name": "山海社区龙泽书苑小区", "street_code": "shazikou", "area_km2": 0.05},
    {"code": "changshan", "name": "长山花园社区", "street_code": "tuanshan"},
    # Nanmenshan's other communities (the article does not name their street).
    {"code": "beimenkou", "name": "北门口社区", "street_code": "dunren"},
    {"code": "dadongmen", "name": "大东门社区", "street_code": "dunren"},
    {"code": "qianjingjie", "name": "黔靖街社区", "street_code": "dunren"},
    {"code": "nanmenshan", "name": "南门山社区", "street_code": "dunren"},
    {"code": "hejiabao", "name": "何家堡社区", "street_code": "dunren"},
]

EVERYWHERE = [{"level": "district", "code": d["code"]} for d in DISTRICTS]


def _department(code, name, name_en, categories, areas=EVERYWHERE, **more) -> dict:
    return {
        "code": code,
        "name": name,
        "name_en": name_en,
        "categories": categories,
        "areas": areas,
        **more,
    }


# One of each department, serving the whole demo (district-level, as the articles describe them).
DEPARTMENTS = [
    _department(
        "city_management",
        "城市管理综合执法局",
        "City management and law enforcement",
        ["illegal_parking", "illegal_construction", "city_appearance"],
    ),
    _department("landscaping", "园林绿化局", "Landscaping", ["landscaping"]),
    _department(
        "power_supply",
        "供电公司",
        "Power supply company",
        ["power_supply"],
        sla={"acknowledge_minutes": 15},
    ),
    _department("police", "派出所", "Police station", ["public_security"]),
    _department(
        "housing",
        "住房和城乡建设委员会",
        "Housing and urban-rural development",
        ["housing", "illegal_construction"],
    ),
    _department("civil_affairs", "民政局", "Civil affairs", ["hardship_aid", "elderly_care"]),
    _department("judicial", "司法所", "Judicial office", ["dispute_mediation", "legal_aid"]),
    _department(
        "market_supervision",
        "市场监督管理局",
        "Market supervision",
        ["market_order", "food_safety"],
    ),
    _department(
        "fire",
        "消防救援大队",
        "Fire and rescue",
        ["fire_safety"],
        sla={"acknowledge_minutes": 5, "resolve_hours": {"emergency": 1}},
    ),
    _department(
        "court",
        "宽城区人民法院",
        "Kuancheng District People's Court",
        ["litigation"],
        [{"level": "district", "code": "kuancheng"}],
    ),
    # Scenario 1's co-handler: the compound's property company, reached by a signed webhook.
    _department(
        "property",
        "朝华新城物业服务中心",
        "Chaohua Xincheng property management",
        ["property_management", "power_supply"],
        [{"level": "community", "code": "taipingjie"}],
        channels=[{"kind": "webhook", "url": "https://wuye.example.cn/lianxin/webhook"}],
    ),
]


def _units(prefix, community, relation, names_kinds, signed_on=None) -> list[dict]:
    units = []
    for i, (name, kind) in enumerate(names_kinds, start=1):
        unit = {
            "code": f"{prefix}{i:02d}",
            "name": name,
            "kind": kind,
            "community_code": community,
            "relation": relation,
        }
        if relation == "co_building":
            unit["agreement"] = {"signed_on": signed_on, "expires_on": None}
        units.append(unit)
    return units


# Taipingjie: 30 party and government organs, mass and social organisations, key merchants.
_TPJ = [
    ("敦仁派出所", "party_government_organ"),
    ("敦仁司法所", "party_government_organ"),
    ("敦仁街道社区卫生服务中心", "hospital"),
    ("涪陵区市场监管所敦仁分所", "party_government_organ"),
    ("敦仁税务所", "party_government_organ"),
    ("太平街小学", "school"),
    ("敦仁街道总工会", "mass_organisation"),
    ("敦仁街道团工委", "mass_organisation"),
    ("敦仁街道妇联", "mass_organisation"),
    ("涪陵区残联敦仁服务站", "mass_organisation"),
    ("太平街社区商会", "social_organisation"),
    ("银龄先锋服务队", "social_organisation"),
    ("艺树灌溉志愿者服务队", "social_organisation"),
    ("共享太平社区爱心基金", "social_organisation"),
    ("涪陵区律师协会太平街工作站", "social_organisation"),
    ("太平街社会工作服务站", "social_organisation"),
] + [(f"太平街重点商户{i:02d}", "merchant") for i in range(1, 15)]

# Yongxinglu: 3 public units inside the community, 28 co-building units outside it.
_YXL_RESIDENT = [
    ("永兴路幼儿园", "school"),
    ("西山区永昌供水服务站", "public_institution"),
    ("永昌街道卫生服务站", "hospital"),
]
_YXL_KINDS = [
    "party_government_organ",
    "public_institution",
    "enterprise",
    "school",
    "hospital",
    "social_organisation",
    "mass_organisation",
]
_YXL_CO_BUILDING = [
    ("老东粥皇", "merchant"),
    *[(f"永兴路共建单位{i:02d}", _YXL_KINDS[i % 7]) for i in range(2, 29)],
]

_LONGZE = [
    ("山海社区卫生服务站", "hospital"),
    ("福彩四方居家养老服务中心", "social_organisation"),
    ("中国海洋大学外国语学院", "school"),
]

_NANMENSHAN_BRANCHES = [
    (f"南门山非公企业党支部（{n}）", "non_public_party_branch") for n in "一二三四五六七"
]

MEMBER_UNITS = (
    _units("tpj-u", "taipingjie", "resident", _TPJ)
    + _units("yxl-u", "yongxinglu", "resident", _YXL_RESIDENT)
    + _units("yxl-g", "yongxinglu", "co_building", _YXL_CO_BUILDING, "2023-03-01")
    + _units("lz-u", "longze", "co_building", _LONGZE, "2024-01-10")
    + _units("nms-b", "nanmenshan", "resident", _NANMENSHAN_BRANCHES)
)

ALLIANCES = [
    {
        "code": "nanmenshan",
        "name": "南门山党群服务中心联盟",
        "community_codes": [
            "taipingjie",
            "beimenkou",
            "dadongmen",
            "qianjingjie",
            "nanmenshan",
            "hejiabao",
        ],
        "branch_unit_codes": [u["code"] for u in MEMBER_UNITS if u["code"].startswith("nms-b")],
    },
    {
        "code": "lianxin",
        "name": "连心党建联盟",
        "community_codes": ["yongxinglu", "taipingjie", "longze", "changshan"],
    },
]

_MEMBER_NAMES = [
    *("周建国", "吴秀兰", "郑志强", "王丽华", "冯国庆"),
    *("陈玉梅", "褚卫东", "卫红霞", "蒋德明", "沈桂芳"),
]


def _committee(community: str, secretary: dict, deputy: dict, unit_prefix: str) -> dict:
    units = [u for u in MEMBER_UNITS if u["code"].startswith(unit_prefix)]
    return {
        "community_code": community,
        "secretary": secretary,
        "deputy": deputy,
        "members": [
            {
                "member_unit_code": u["code"],
                "name": _MEMBER_NAMES[i % len(_MEMBER_NAMES)] + ("" if i < 10 else f"{i}"),
                "post": "兼职委员",
            }
            for i, u in enumerate(units)
        ],
    }


BIG_COMMITTEES = [
    # A street leader stationed in the community is secretary, the community party secretary
    # deputy, the member units' party leaders part-time members (Taipingjie).
    _committee(
        "taipingjie",
        {"name": "刘志远", "post": "敦仁街道驻社区领导"},
        {"name": "何晓梅", "post": "太平街社区党委书记"},
        "tpj-u",
    ),
    # Yongxinglu: the 3 resident units' party leaders sit on the big committee.
    _committee(
        "yongxinglu",
        {"name": "赵文斌", "post": "永昌街道驻社区领导"},
        {"name": "杨秀珍", "post": "永兴路社区党委书记"},
        "yxl-u",
    ),
]

# Quarterly rotating chairs (轮值主席) for the year.
_QUARTERS = [("01-01", "03-31"), ("04-01", "06-30"), ("07-01", "09-30"), ("10-01", "12-31")]
CHAIR_TERMS = {
    community: [
        {"member_unit_code": unit, "starts_on": f"2026-{start}", "ends_on": f"2026-{end}"}
        for unit, (start, end) in zip(units, _QUARTERS, strict=True)
    ]
    for community, units in {
        "taipingjie": ["tpj-u01", "tpj-u07", "tpj-u11", "tpj-u02"],
        "yongxinglu": ["yxl-u01", "yxl-u02", "yxl-u03", "yxl-u01"],
    }.items()
}
