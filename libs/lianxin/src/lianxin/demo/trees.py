"""The demo's grid trees, party organisations and people, generated so that they add up to the
articles' figures (`FIGURES`). The articles give counts, not names: apart from 朝华新城 and
长江星辰 (Taipingjie's compounds in the transformer and stilt-floor stories), the names of
compounds, business districts and people are made up. People carry no phone numbers.
"""

from __future__ import annotations

from lianxin.demo.figures import FIGURES, split

CN = "零一二三四五六七八九十"
OFFICERS = [
    "micro_grid_leader",
    "party_building_instructor",
    "safety_hygiene_supervisor",
    "civil_mediator",
    "fire_warden",
    "police_officer",
    "grid_inspector",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖"
    "贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵"
)
# Two-character given names, one after the other.
GIVEN = (
    "建国秀英志强桂兰海燕德华玉兰国平淑珍立新春梅文斌丽娟永红"
    "凤英少华明亮金凤宏伟翠花振东惠敏红梅国栋秀珍晓东建华淑芬"
    "卫国爱华忠诚雪梅长青光明素琴玉珍建军桂英学文月华"
)


def person_name(i: int) -> str:
    k = (i * 7) % (len(GIVEN) // 2)
    return SURNAMES[i % len(SURNAMES)] + GIVEN[2 * k : 2 * k + 2]


def numeral(n: int) -> str:
    return CN[n] if n <= 10 else "十" + CN[n - 10]


def node(community, code, name, kind, parent=None, **more) -> dict:
    return {
        "community_code": community,
        "code": code,
        "name": name,
        "kind": kind,
        "parent_code": parent,
        **more,
    }


def person(code, name, node_code, party_member_kind, *roles: str) -> dict:
    """Someone living at `node_code` who holds `roles` there (a building leader, a crew member)."""
    return {
        "code": code,
        "name": name,
        "node_code": node_code,
        "party_member_kind": party_member_kind,
        "roles": [{"role": role, "node_code": node_code} for role in roles],
    }


def party(community, code, name, kind, node_codes, linked=None) -> dict:
    found = {"community_code": community, "code": code, "name": name, "kind": kind}
    return {**found, "node_codes": node_codes, "linked_households": linked}


def party_households(community, node_code, count, name, seed) -> list[dict]:
    """`count` party households (党员中心户, 党员家庭户) on one node, the k-th called `name`
    and k; each links 20 to 30 households, a number `seed` (the node's place) varies."""
    return [
        party(
            community,
            f"{node_code}-h{k}",
            f"{name}{k}",
            "party_household",
            [node_code],
            20 + (seed + k) % 11,
        )
        for k in range(1, count + 1)
    ]


# Taipingjie: 7 residential grids of one compound each, 3 business-district grids; 44
# micro-grids of 90–100 households. The compounds' micro-grids and merchants are chosen so that
# 朝华新城 (288 households and 50 merchants lost power) and 长江星辰 (632 households and 166
# merchants affected) are large enough for their stories.
TPJ_COMPOUNDS = [
    ("朝华新城", 5, 60),
    ("长江星辰", 7, 180),
    ("太平苑", 5, 25),
    ("白鹤苑", 5, 25),
    ("望江小区", 4, 25),
    ("兴华小区", 4, 25),
    ("母城小区", 3, 25),
]
TPJ_DISTRICTS = [("太平街商圈", 4), ("中山路商圈", 4), ("兴华路商圈", 3)]


def taipingjie() -> tuple[list[dict], list[dict], list[dict]]:
    c = "taipingjie"
    nodes, micro = [], []
    for g, (compound, micros, _) in enumerate(TPJ_COMPOUNDS, start=1):
        grid, cc = f"tpj-g{g:02d}", f"tpj-c{g:02d}"
        nodes.append(
            node(c, grid, f"第{numeral(g)}网格（{compound}）", "grid", grid_type="residential")
        )
        nodes.append(node(c, cc, compound, "compound", grid, addresses=[compound]))
        micro += [(grid, cc, compound, m) for m in range(1, micros + 1)]
    for g, (district, micros) in enumerate(TPJ_DISTRICTS, start=len(TPJ_COMPOUNDS) + 1):
        grid = f"tpj-g{g:02d}"
        nodes.append(
            node(
                c, grid, f"第{numeral(g)}网格（{district}）", "grid", grid_type="business_district"
            )
        )
        micro += [(grid, grid, district, m) for m in range(1, micros + 1)]
    households = [90 + (i * 7) % 11 for i in range(len(micro))]
    residents = split(FIGURES[c]["residents"], households)
    merchants = []
    for _, micros, count in TPJ_COMPOUNDS:
        merchants += split(count, [1] * micros)
    business = len(micro) - len(merchants)
    merchants += split(FIGURES[c]["merchants"] - sum(merchants), [1] * business)
    for i, (grid, parent, place, m) in enumerate(micro):
        nodes.append(
            node(
                c,
                f"{grid}-m{m:02d}",
                f"{place}第{m}微网格",
                "micro_grid",
                parent,
                households=households[i],
                residents=residents[i],
                merchants=merchants[i],
                addresses=[f"{place}{2 * m - 1}栋", f"{place}{2 * m}栋"],
            )
        )
    micro_codes = [n["code"] for n in nodes if n["kind"] == "micro_grid"]
    grids = [n for n in nodes if n["kind"] == "grid"]
    parties = [
        party(c, f"{g['code']}-branch", f"{g['name'][:4]}党支部", "grid_party_branch", [g["code"]])
        for g in grids
    ]
    # 100 party households: 3 in each of the first 12 micro-grids, 2 in the other 32.
    for i, code in enumerate(micro_codes):
        parties += party_households(c, code, 3 if i < 12 else 2, f"党员中心户{code[-6:]}-", i)
    people = []
    # 105 people hold the micro-grids' 308 posts (一长六员): 3 in the first 17, 2 in the rest.
    for i, code in enumerate(micro_codes):
        crew = 3 if i < 17 else 2
        for j in range(crew):
            n = len(people) + 1
            member = ["registered", "transferred_retiree", None][j]
            roles = [role for k, role in enumerate(OFFICERS) if k % crew == j]
            people.append(person(f"tpj-p{n:03d}", person_name(n), code, member, *roles))
    # 96 in-service party members, double-reported from their employer member units.
    employers = [f"tpj-u{i:02d}" for i in range(1, 17)]
    for n in range(1, FIGURES[c]["in_service_members"] + 1):
        people.append(
            {
                "code": f"tpj-s{n:02d}",
                "name": person_name(500 + n),
                "node_code": micro_codes[n % len(micro_codes)],
                "party_member_kind": "in_service",
                "employer_unit_code": employers[n % len(employers)],
                "double_report": "reported",
            }
        )
    return nodes, parties, people


def yongxinglu() -> tuple[list[dict], list[dict], list[dict]]:
    c = "yongxinglu"
    f = FIGURES[c]
    nodes = [node(c, f"yxl-g{g:02d}", f"第{numeral(g)}网格", "grid") for g in range(1, 5)]
    per_grid = split(f["buildings"], [1] * f["grids"])
    households = split(f["households"], [1] * f["buildings"])
    residents = split(f["residents"], households)
    merchants = split(f["merchants"], [1] * f["buildings"])
    b, parties, people = 0, [], []
    for g, count in enumerate(per_grid, start=1):
        for _ in range(count):
            code = f"yxl-b{b + 1:02d}"
            nodes.append(
                node(
                    c,
                    code,
                    f"{b + 1}栋",
                    "building",
                    f"yxl-g{g:02d}",
                    households=households[b],
                    residents=residents[b],
                    merchants=merchants[b],
                    addresses=[f"{b + 1}栋"],
                )
            )
            # A party household in each of the 86 buildings, and a building leader.
            parties.append(
                party(
                    c, f"{code}-h1", f"{b + 1}栋党员中心户", "party_household", [code], 20 + b % 11
                )
            )
            member = ["transferred_retiree", "registered", None][b % 3]
            people.append(
                person(f"yxl-p{b + 1:02d}", person_name(200 + b), code, member, "building_leader")
            )
            b += 1
    parties += [
        party(
            c,
            f"yxl-g{g:02d}-branch",
            f"第{numeral(g)}居民小区党支部",
            "grid_party_branch",
            [f"yxl-g{g:02d}"],
        )
        for g in range(1, 5)
    ]
    return nodes, parties, people


def longze() -> tuple[list[dict], list[dict], list[dict]]:
    c = "longze"
    f = FIGURES[c]
    nodes = [node(c, f"lz-g{g}", f"龙泽书苑第{numeral(g)}网格", "grid") for g in (1, 2)]
    households = split(f["households"], [1] * f["buildings"])
    merchants = split(f["merchants"], [1] * f["buildings"])
    parties = [party(c, "lz-branch", "龙泽书苑小区党支部", "grid_party_branch", ["lz-g1", "lz-g2"])]
    for b in range(f["buildings"]):
        code = f"lz-b{b + 1:02d}"
        nodes.append(
            node(
                c,
                code,
                f"{b + 1}号楼",
                "building",
                f"lz-g{1 + b // 5}",
                households=households[b],
                merchants=merchants[b],
                addresses=[f"{b + 1}号楼"],
            )
        )
        parties.append(
            party(c, f"{code}-group", f"{b + 1}号楼党小组", "building_party_group", [code])
        )
    return nodes, parties, []


def changshan() -> tuple[list[dict], list[dict], list[dict]]:
    c = "changshan"
    f = FIGURES[c]
    nodes = [node(c, f"csh-g{g:02d}", f"第{numeral(g)}网格", "grid") for g in range(1, 11)]
    # 11 buildings (two in the first grid), 45 units: 5 in the first building, 4 in each other.
    units_per_building = [5] + [4] * 10
    households = split(f["households"], [1] * f["units"])
    residents = split(f["residents"], households)
    # 24 building party groups over the units, 161 party households (4 or 3 a unit).
    group_sizes = {1: [2, 2, 1], 2: [2, 1, 1]}
    parties = [
        party(
            c,
            f"csh-g{g:02d}-branch",
            f"第{numeral(g)}网格党支部",
            "grid_party_branch",
            [f"csh-g{g:02d}"],
        )
        for g in range(1, 11)
    ]
    people, u = [], 0
    for b, units in enumerate(units_per_building, start=1):
        building = f"csh-b{b:02d}"
        nodes.append(
            node(
                c, building, f"{b}栋", "building", f"csh-g{max(1, b - 1):02d}", addresses=[f"{b}栋"]
            )
        )
        if b <= f["building_leaders"]:
            people.append(
                person(
                    f"csh-bl{b:02d}",
                    person_name(300 + b),
                    building,
                    "registered",
                    "building_leader",
                )
            )
        unit_codes = []
        for k in range(1, units + 1):
            code = f"{building}-u{k}"
            unit_codes.append(code)
            nodes.append(
                node(
                    c,
                    code,
                    f"{b}栋{k}单元",
                    "unit",
                    building,
                    households=households[u],
                    residents=residents[u],
                    addresses=[f"{b}栋{k}单元"],
                )
            )
            parties += party_households(c, code, 4 if u < 26 else 3, f"{b}栋{k}单元党员家庭户", u)
            member = ["registered", "transferred_retiree", None][u % 3]
            people.append(
                person(f"csh-ul{u + 1:02d}", person_name(400 + u), code, member, "unit_leader")
            )
            u += 1
        at = 0
        for n, size in enumerate(group_sizes.get(b, [2, 2]), start=1):
            covered = unit_codes[at : at + size]
            at += size
            parties.append(
                party(
                    c,
                    f"{building}-group{n}",
                    f"{b}栋第{numeral(n)}党小组",
                    "building_party_group",
                    covered,
                )
            )
    return nodes, parties, people


TREES = {
    name: make()
    for name, make in (
        ("taipingjie", taipingjie),
        ("yongxinglu", yongxinglu),
        ("longze", longze),
        ("changshan", changshan),
    )
}
