"""A realistic synthetic network in the load formats, the same for the same seed.

Members buy from manufacturers, who buy from processors and mills, who buy from
international traders, who buy from local exporters, who buy from aggregators
and cooperatives, who buy from smallholders (the leaves). Below manufacturers
every chain carries one commodity and stays in plausible countries. Traders
also buy from each other (cycles), sellers have several buyers (diamonds), and
members share suppliers. Requirements travel down only partly, audits expire,
findings stay open. Plain lists and integer node numbers keep a million
organisations to about 20 s and 0.7 GB.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from typing import Any, TypeVar

from graph.model import (
    Adoption,
    Audit,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
    Sourcing,
)
from loaders import generate_sites as sites

_T = TypeVar("_T")
REFERENCE_DAY = date(2026, 11, 25)  # the default "today": output never reads the clock
SOURCING_PER_NODE = 1.7
SCHEMES = ("SMETA", "amfori BSCI", "SA8000", "RBA", "RA")

# Roles, in the order nodes are numbered: every edge goes to a later role,
# except trades among traders and the one member supplying another.
MEMBER, MFR, PRC, TRD, EXP, AGG, COOP, SH = range(8)
_SHARE = {MFR: 0.07, PRC: 0.06, TRD: 0.03, EXP: 0.06, AGG: 0.06, COOP: 0.04}  # rest: SH
_PREFIX = {MFR: "S-MFR-", PRC: "S-PRC-", TRD: "S-TRD-", EXP: "S-EXP-", AGG: "S-AGG-"}
_PREFIX |= {COOP: "S-COOP-", SH: "SH-"}
# Mean number of buyers of a seller in the layer above.
_BUYERS = {PRC: 3.0, TRD: 3.0, EXP: 2.5, AGG: 2.2, COOP: 2.0}

# name, share of chain nodes, origin countries (repeats weigh), processing/trading hubs
_COMMODITIES = (
    ("cocoa", 0.22, "CI CI CI GH GH EC CM NG ID BR PE", "NL BE DE CH US MY"),
    ("palm oil", 0.20, "ID ID ID MY MY TH CO NG GT PG HN", "MY SG NL DE IN"),
    ("coffee", 0.18, "BR BR VN VN CO ID ET HN UG PE IN MX GT KE", "DE IT CH US BE"),
    ("soy", 0.12, "BR BR BR AR AR US PY BO", "NL CN ES DE"),
    ("cane sugar", 0.10, "BR BR IN IN TH MX GT AU ZA", "GB US AE NL"),
    ("tea", 0.10, "IN IN KE LK CN VN MW RW", "GB AE NL DE"),
    ("natural rubber", 0.08, "TH TH ID ID VN CI MY LR", "SG MY CN"),
)
_COMM = tuple(c[0] for c in _COMMODITIES)
_WEIGHT = tuple(c[1] for c in _COMMODITIES)
_ORIGINS = tuple(tuple(c[2].split()) for c in _COMMODITIES)
_HUBS = tuple(tuple(c[3].split()) for c in _COMMODITIES)
_CONSUMERS = tuple("NL GB US CH DE FR BE IT JP SE ES CA DK IE".split())
_FACTORIES = tuple("CN IN MX BR TR TH VN PL ZA ID".split())

_MEMBERS = (
    ("ACME", "Acme Foods"),
    ("NORDA", "Norda Brands"),
    ("HELVA", "Helvetia Nutrition"),
    ("BRIGHT", "Brightwell Consumer Goods"),
    ("MAPLE", "Maple & Oak Foods"),
    ("LUMEN", "Lumen Home Care"),
    ("SUNFD", "Sunfield Beverages"),
    ("ORCHD", "Orchard Lane Confectionery"),
    ("TIDAL", "Tidal Personal Care"),
    ("KORU", "Koru Snacks"),
)
# code, title, frameworks
_REQUIREMENTS = (
    ("SCOC", "Supplier Code of Conduct", ("UNGC", "UNGP", "ILO")),
    ("HR", "Human Rights Due Diligence", ("UNGP", "OECD")),
    ("CL", "No Child Labour", ("ILO", "UNGP")),
    ("FL", "No Forced Labour", ("ILO", "UNGP")),
    ("DEF", "No Deforestation, No Conversion", ("UNGC", "AFi")),
    ("WAGE", "Living Wage and Living Income", ("UNGP", "ILO")),
    ("HS", "Health and Safety at Work", ("ILO",)),
)

_PLACES = tuple(
    "Gold Coast|Riverside|Highland|Green Valley|Sunrise|Eastern|Lakeshore|Savanna|Coastal|"
    "Mountain View|Red Earth|Golden Leaf|Blue Ridge|Palm Grove|Central|Northern|Southern|"
    "Western|Twin Rivers|Evergreen|Harbour|Crown|Pioneer|Unity|Heritage".split("|")
)
_MFR_NOUNS = ("Foods", "Confectionery", "Bakeries", "Beverages", "Packing", "Home Care")
_PRC_NOUNS = (
    "Cocoa Processing",
    "Palm Oil Mill",
    "Coffee Mill",
    "Soy Crushing",
    "Sugar Mill",
    "Tea Factory",
    "Rubber Factory",
)
_ROLE_NOUNS = {TRD: "Trading", EXP: "Exporters", AGG: "Buying Centre", COOP: "Cooperative"}
_FARMERS = {  # region: (first names, family names)
    "wa": ("Kofi Ama Kwame Akosua Yaw Adjoa Koffi Aya Konan Awa", "Mensah Owusu Boateng Kouassi Yao Koné Traoré Asante Bamba Okafor"),
    "la": ("José María Juan Ana Carlos Rosa Luis Carmen Pedro Lucía", "Silva Santos Gómez Rodríguez López Hernández Pérez Oliveira Ramírez Torres"),
    "sea": ("Budi Siti Agus Dewi Somchai Malee Minh Lan Ahmad Nur", "Santoso Wijaya Hidayat Saelim Wongsa Tran Nguyen Pham Abdullah Ismail"),
    "ea": ("Abebe Wanjiru Mwangi Otieno Achieng Kato Nakato Tesfaye Chikondi Uwase", "Bekele Kamau Odhiambo Mugisha Ochieng Wambui Phiri Banda Habimana Tadesse"),
    "sa": ("Ramesh Lakshmi Suresh Priya Anil Kumari Nimal Sunita Ravi Meena", "Patel Kumar Singh Perera Reddy Fernando Das Nair Rao Gupta"),
    "cn": ("Wei Fang Jun Li Ming Hua Lei Xia Yong Mei", "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou"),
    "en": ("John Mary James Linda Robert Susan Peter Karen Thabo Emma", "Miller Smith Johnson Brown Nkosi Taylor Anderson Wilson Moore Clark"),
}  # fmt: skip
_FARMERS_SPLIT = {k: (tuple(f.split()), tuple(n.split())) for k, (f, n) in _FARMERS.items()}
_REGION = {c: "wa" for c in "CI GH NG CM LR".split()}
_REGION |= {c: "la" for c in "EC BR PE CO GT HN MX AR PY BO".split()}
_REGION |= {c: "sea" for c in "ID MY TH VN PG".split()}
_REGION |= {c: "ea" for c in "ET UG KE MW RW".split()}
_REGION |= {"IN": "sa", "LK": "sa", "CN": "cn"}

# how often each role has a LEI, DUNS, GLN, Open Supply Hub id
_IDENTIFIER_ODDS = {MEMBER: (1, 1, 0.8, 0), MFR: (0.4, 0.6, 0.4, 0.3), PRC: (0.2, 0.4, 0.1, 0.2)}
_IDENTIFIER_ODDS |= {TRD: (0.6, 0.5, 0.1, 0), EXP: (0.1, 0.2, 0, 0.05), AGG: (0, 0.05, 0, 0.02)}
# how often each role has an abbreviation (cooperatives: initials and a tag), a location
_ABBREVIATED = {COOP: 0.7, TRD: 0.3}
_LOCATED = {PRC: 0.9, COOP: 0.5, SH: 0.6}

# audited share of sites by role, and the schemes each role is audited under
_AUDITED = {MFR: 0.8, PRC: 0.7, TRD: 0.5, EXP: 0.4, AGG: 0.3, COOP: 0.45, SH: 0.5}
_ROLE_SCHEMES = {
    MFR: ("SMETA", "SMETA", "amfori BSCI", "SA8000", "RBA"),
    PRC: ("SMETA", "amfori BSCI", "SA8000", "RA"),
    TRD: ("SMETA", "amfori BSCI", "SA8000"),
    EXP: ("amfori BSCI", "SMETA", "RA"),
    AGG: ("RA", "amfori BSCI"),
    COOP: ("RA", "RA", "SA8000", "amfori BSCI"),
    SH: ("RA",),
}
_VALIDITY = {"SMETA": (365, 730), "amfori BSCI": (365, 730), "SA8000": (1095,)}
_VALIDITY |= {"RBA": (730,), "RA": (1095,)}
_VALIDITY |= {"RSPO": (1825,), "ISPO": (1825,), "MSPO": (1825,)}  # the brands profile's
_RATINGS = {
    "SMETA": (None,),
    "amfori BSCI": ("A", "B", "C", "C", "D", "E"),
    "SA8000": ("certified",),
    "RBA": ("Platinum", "Gold", "Silver", "Bronze", None),
    "RA": ("certified", "certified", "conditional"),
    "RSPO": ("certified", "certified", "suspended"),
    "ISPO": ("certified",),
    "MSPO": ("certified",),
}
_AUDITORS = ("SGS", "Bureau Veritas", "Intertek", "TÜV SÜD", "ELEVATE", "LRQA", "Control Union")
_CATEGORIES = (
    "health and safety",
    "working hours",
    "wages and benefits",
    "child labour",
    "forced labour",
    "freedom of association",
    "discrimination",
    "environment",
    "business ethics",
    "management systems",
)
_FINDINGS_PER_AUDIT = (0, 0, 1, 1, 1, 2, 2, 3, 4)
_DUE = {Severity.CRITICAL: 30, Severity.MAJOR: 60, Severity.MINOR: 90}
_EVIDENCE = ("signed supplier code", "contract clause", "self-assessment", "policy on website")

# The cascade: a buyer passes a requirement to each supplier with probability
# _PASS * _DECAY**(tier-1); a supplier adopts the first time with _ADOPT.
_PASS, _DECAY, _ADOPT = 0.9, 0.7, 0.72
_PAST, _FUTURE = 6000, 2000  # the span of days the generator uses around today


PROFILES = ("tiers", "brands")
MEMBERS_BY_DEFAULT = {"tiers": 5, "brands": 15}


def generate(
    *,
    nodes: int = 5000,
    members: int | None = None,
    seed: int = 42,
    today: date | None = None,
    profile: str = "tiers",
) -> GraphBatch:
    """About `nodes` organisations (exactly, from a few hundred up) of which
    `members` (default: the profile's MEMBERS_BY_DEFAULT) are members, with every
    kind of row; the same arguments give the same batch. `today` (default
    REFERENCE_DAY) is the day audits expire against. `profile` is "tiers" (the
    chains above) or "brands" (loaders/generate_brands.py: few members, each
    listing hundreds to thousands of mills)."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    members = MEMBERS_BY_DEFAULT[profile] if members is None else members
    if members < 1:
        raise ValueError("members must be at least 1")
    network: type[_Network] = _Network
    if profile == "brands":
        from loaders.generate_brands import BrandsNetwork

        network = BrandsNetwork
    if nodes < members + network.MIN_NODES:
        raise ValueError(
            f"nodes must exceed members by at least {network.MIN_NODES} in the {profile} profile"
        )
    collecting = gc.isenabled()
    gc.disable()  # millions of acyclic rows: the cycle collector would only rescan them
    try:
        return network(nodes, members, seed, today or REFERENCE_DAY).build()
    finally:
        if collecting:
            gc.enable()


class _Network:
    """The tiers profile; the brands profile reuses its requirements, cascade and
    audits with its own tables (the class attributes)."""

    MIN_NODES = 200
    PREFIX: dict[int, str] = _PREFIX
    MEMBER_NAMES: tuple[tuple[str, str], ...] = _MEMBERS
    AUDITED: dict[int, float] = _AUDITED
    ROLE_SCHEMES: dict[int, tuple[str, ...]] = _ROLE_SCHEMES
    SCHEMES: tuple[str, ...] = SCHEMES
    REQUIREMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = _REQUIREMENTS
    ABBREVIATED: dict[int, float] = _ABBREVIATED
    LOCATED: dict[int, float] = _LOCATED
    MILL_SERIES = 1  # the first digit of the profile's UML mill ids
    PASS, DECAY, ADOPT = _PASS, _DECAY, _ADOPT

    def __init__(self, nodes: int, members: int, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.seed = seed
        self.nodes, self.members = nodes, members
        self.days = [today + timedelta(days=k) for k in range(-_PAST, _FUTURE)]
        self.batch = GraphBatch()
        self.sourcing = self.batch.sourcing
        self.ids: list[str] = []
        self.role: list[int] = []
        self.comm: list[int] = []
        self.layer: dict[tuple[int, int], list[int]] = {}  # (role, commodity) -> nodes
        self.primary: list[int] = []  # each node's first buyer, -1 for members
        self.out: list[list[int]] = []  # distinct sellers of each buyer
        self.mask: list[int] = []  # bit m: member m reaches the node
        self.wants: list[set[int]] = []  # commodities each member buys
        self.numbered: dict[int, int] = {}  # ids handed out per role
        self.groups: set[int] = set()  # smallholders that are farm groups
        self.country: list[str] = []  # each node's country, once organisations are made
        self.located: dict[int, tuple[float | None, float | None]] = {}  # buyers' locations
        # abbreviations and locations draw from their own generator, seeded once the
        # organisations are made: the other draws stay what they were before them
        self.sites = random.Random()

    def _pick(self, seq: Sequence[_T]) -> _T:
        """random.choice, several times faster (the generator's hot loops use it)."""
        return seq[int(self.rnd() * len(seq))]

    def _between(self, lo: int, hi: int) -> int:
        """random.randint, faster."""
        return lo + int(self.rnd() * (hi - lo + 1))

    def day(self, offset: int) -> date:
        """The day `offset` days from today (negative: in the past)."""
        return self.days[offset + _PAST]

    def build(self) -> GraphBatch:
        self._nodes()
        self._chains()
        self._organisations()
        self._requirements()
        self._audits()
        self._consents()
        return self.batch

    # ---- nodes and sourcing ------------------------------------------
    def _nodes(self) -> None:
        suppliers = self.nodes - self.members
        per_role = {r: max(len(_COMM), round(share * suppliers)) for r, share in _SHARE.items()}
        per_role[MFR] = max(self.members, per_role[MFR])
        self._add_members()
        self._add(MFR, -1, per_role[MFR])
        counts = {
            r: [max(1, round(per_role[r] * w)) for w in _WEIGHT] for r in (PRC, TRD, EXP, AGG, COOP)
        }
        smallholders = self.nodes - len(self.ids) - sum(sum(v) for v in counts.values())
        counts[SH] = [max(1, round(smallholders * w)) for w in _WEIGHT]
        counts[SH][0] += smallholders - sum(counts[SH])
        for r, per_comm in counts.items():
            for c, n in enumerate(per_comm):
                self._add(r, c, n)
        self.out = [[] for _ in range(len(self.ids) - smallholders)]
        self.primary = [-1] * len(self.ids)

    def _add_members(self) -> None:
        names = self.MEMBER_NAMES
        for m in range(self.members):
            code = names[m % len(names)][0]
            self._add(MEMBER, -1, 1, f"M-{code}{m // len(names) + 1 if m >= len(names) else ''}")

    def _member_name(self, m: int) -> str:
        names = self.MEMBER_NAMES
        return names[m % len(names)][1] + (f" {m // len(names) + 1}" if m >= len(names) else "")

    def _add(self, role: int, comm: int, n: int, name: str | None = None) -> None:
        start = len(self.ids)
        if name is not None:
            self.ids.append(name)
        else:
            seen, width = self.numbered.get(role, 0), 7 if role == SH else 6
            self.ids.extend(f"{self.PREFIX[role]}{seen + k:0{width}d}" for k in range(1, n + 1))
            self.numbered[role] = seen + n
        self.role.extend([role] * n)
        self.comm.extend([comm] * n)
        self.layer.setdefault((role, comm), []).extend(range(start, start + n))

    def _edge(self, b: int, s: int, c: int) -> None:
        self.out[b].append(s)
        r, buyer = self.rnd(), self.ids[b]
        # recent edges were mostly registered by the buyer on the platform
        since = self.days[_PAST - 30 - int(r * 4000)]
        self.sourcing.append(
            Sourcing(buyer, self.ids[s], _COMM[c], since, buyer if r < 0.35 else None)
        )

    def _tickets(self, buyers: list[int], alpha: float, cap: int) -> list[int]:
        """Buyers repeated by a heavy-tailed weight: a few big, many small."""
        pareto = self.rng.paretovariate
        return [b for b in buyers for _ in range(min(cap, int(pareto(alpha))))]

    def _link(
        self, buyers: list[int], sellers: list[int], mean: float, c: int, tickets: list[int]
    ) -> None:
        """Each seller gets about `mean` distinct buyers, each buyer a seller."""
        rnd, nb, nt = self.rng.random, len(buyers), len(tickets)
        whole, frac = int(mean - 1), (mean - 1) % 1
        for j, s in enumerate(sellers):
            first = buyers[j] if j < nb else tickets[int(rnd() * nt)]
            self.primary[s] = first
            self._edge(first, s, c)
            chosen = [first]
            for _ in range(whole + (rnd() < frac)):
                for _try in range(3):
                    b = tickets[int(rnd() * nt)]
                    if b not in chosen:
                        chosen.append(b)
                        self._edge(b, s, c)
                        break
        for b in buyers[len(sellers) :]:
            s = sellers[int(rnd() * len(sellers))]
            if s not in self.out[b]:
                self._edge(b, s, c)

    def _shortcuts(self, buyers: list[int], sellers: list[int], n: int, c: int) -> None:
        """`n` edges that skip a layer (a mill buying from a cooperative)."""
        rnd = self.rng.random
        for _ in range(n):
            b, s = buyers[int(rnd() * len(buyers))], sellers[int(rnd() * len(sellers))]
            if s not in self.out[b]:
                self._edge(b, s, c)

    def _chains(self) -> None:
        rng, m_count = self.rng, self.members
        self.wants = [{_COMM.index("palm oil")} for _ in range(m_count)]  # in nearly everything
        for c in range(len(_COMM)):
            self.wants[c % m_count].add(c)
        for want in self.wants:
            target = rng.randint(2, 4)
            while len(want) < target:
                want.add(rng.choices(range(len(_COMM)), _WEIGHT)[0])
        size = [rng.paretovariate(1.5) for _ in range(m_count)]
        by_comm: dict[int, list[int]] = {c: [] for c in range(len(_COMM))}
        for j, x in enumerate(self.layer[MFR, -1]):
            m = j if j < m_count else rng.choices(range(m_count), size)[0]
            comms = rng.sample(sorted(self.wants[m]), min(len(self.wants[m]), rng.randint(1, 3)))
            for c in comms:
                by_comm[c].append(x)
            buyers = [m]
            if m_count > 1 and rng.random() < 0.4:  # another member buying the same goods
                others = [o for o in range(m_count) if o != m and self.wants[o] >= set(comms)]
                buyers.extend(rng.sample(others, min(1, len(others))))
            self.primary[x] = m
            for b in buyers:
                self._edge(b, x, next((c for c in comms if c in self.wants[b]), comms[0]))
        if m_count >= 3:  # an ingredients member also supplies another member
            self._edge(0, m_count - 1, min(self.wants[m_count - 1]))
        for c in range(len(_COMM)):
            mfrs = by_comm[c] or [rng.choice(self.layer[MFR, -1])]
            self._link(mfrs, self.layer[PRC, c], _BUYERS[PRC], c, self._tickets(mfrs, 1.5, 50))
            prcs = self.layer[PRC, c]
            self._link(prcs, self.layer[TRD, c], _BUYERS[TRD], c, self._tickets(prcs, 1.5, 50))
        self._reach(stop=self.layer[TRD, 0][0])
        for c in range(len(_COMM)):
            self._trades(c)
            trd, exp, agg, coop = (self.layer[r, c] for r in (TRD, EXP, AGG, COOP))
            self._link(trd, exp, _BUYERS[EXP], c, self._tickets(trd, 1.3, 100))
            self._link(exp, agg, _BUYERS[AGG], c, self._tickets(exp, 1.5, 50))
            self._link(agg, coop, _BUYERS[COOP], c, self._tickets(agg, 1.5, 50))
            self._shortcuts(trd, agg, round(0.3 * len(agg)), c)
            self._shortcuts(exp, coop, round(0.4 * len(coop)), c)
            self._shortcuts(self.layer[PRC, c], coop, round(0.1 * len(coop)), c)
        smallholders = sum(len(self.layer[SH, c]) for c in range(len(_COMM)))
        budget = round(SOURCING_PER_NODE * self.nodes) - len(self.sourcing)
        side = round(0.08 * smallholders)  # smallholders also selling to an aggregator
        mean = max(1.0, (budget - side) / smallholders)
        for c in range(len(_COMM)):
            coop, sh = self.layer[COOP, c], self.layer[SH, c]
            self._link(coop, sh, mean, c, self._tickets(coop, 1.2, 400))
            self._shortcuts(self.layer[AGG, c], sh, round(side * len(sh) / smallholders), c)
        self._reach(stop=len(self.out))

    def _trades(self, c: int) -> None:
        """Traders of one commodity buy from each other, some both ways (cycles).
        A trader only buys from one reached by all its members' chains, so trades
        never make a node deeper than its layer."""
        traders, mask, rnd = self.layer[TRD, c], self.mask, self.rng.random
        if len(traders) < 2:
            return
        for _ in range(round(0.4 * len(traders)) + 1):
            for _try in range(10):
                a, b = traders[int(rnd() * len(traders))], traders[int(rnd() * len(traders))]
                if a != b and mask[a] & ~mask[b] == 0 and b not in self.out[a]:
                    self._edge(a, b, c)
                    if mask[a] == mask[b] and rnd() < 0.5 and a not in self.out[b]:
                        self._edge(b, a, c)
                    break

    def _reach(self, stop: int) -> None:
        """Which members reach each node, propagated through buyers before `stop`
        (every buyer comes before its sellers, but for trades among traders)."""
        self.mask = mask = [0] * len(self.ids)
        for m in range(self.members):
            mask[m] = 1 << m
        for b in range(stop):
            mb = mask[b]
            for s in self.out[b]:
                mask[s] |= mb

    # ---- organisations -------------------------------------------------
    def _organisations(self) -> None:
        pick, rnd, ids, orgs = self._pick, self.rnd, self.ids, self.batch.organisations
        country = self.country
        salt = self.rng.randrange(10**6)
        self.sites.seed(salt)
        for i in range(len(self.out)):  # all but smallholders, numbered last
            role, c = self.role[i], self.comm[i]
            if role == MEMBER:
                cc, name = pick(_CONSUMERS), self._member_name(i)
            elif role == MFR:
                cc = pick(_CONSUMERS if rnd() < 0.75 else _FACTORIES)
                name = pick(_names(MFR, c))
            elif role == PRC:
                cc = pick(_ORIGINS[c] if rnd() < 0.5 else _HUBS[c])
                name = pick(_names(PRC, c))
            else:
                p = self.primary[i]
                if role == TRD:
                    cc = pick(_HUBS[c] if rnd() < 0.55 else _ORIGINS[c])
                elif role in (AGG, COOP) and self.role[p] in (EXP, AGG) and rnd() < 0.9:
                    cc = country[p]  # buying stations sit near their exporter
                else:
                    cc = pick(_ORIGINS[c])
                name = pick(_names(role, c))
            country.append(cc)
            kind = Kind.MEMBER if role == MEMBER else Kind.SUPPLIER
            more = self._identifiers(i, role, c, cc, salt) | self._known_by(i, role, name, cc)
            orgs.append(Organisation(ids[i], kind, name, cc, **more))
        primary, smallholder = self.primary, Kind.SMALLHOLDER
        for i in range(len(self.out), len(ids)):
            cc = country[primary[i]]  # next to the cooperative it sells to
            if rnd() < 0.02:
                self.groups.add(i)
                pool = _farm_names(cc, groups=True)
            else:
                pool = _farm_names(cc, groups=False)
            country.append(cc)
            name = pool[int(rnd() * len(pool))]
            orgs.append(Organisation(ids[i], smallholder, name, cc, **self._farm(i, cc)))

    def _identifiers(self, i: int, role: int, c: int, cc: str, salt: int) -> dict[str, Any]:
        """A few optional identifiers, more of them on bigger organisations; each
        valid, and unique in the network (they follow from distinct numbers)."""
        rnd, out = self.rnd, {}
        lei, duns, gln, os_id = _IDENTIFIER_ODDS.get(role, (0, 0, 0, 0.03))
        n = i * 104_729 + salt  # distinct per node
        if rnd() < lei:
            out["lei"] = sites.lei(n)
        if rnd() < duns:
            out["duns"] = sites.duns(n)
        if rnd() < gln:
            out["gln"] = sites.gln(n)
        if rnd() < os_id:
            out["os_id"] = sites.os_id(n, cc)
        if role == PRC and _COMM[c] == "palm oil" and rnd() < 0.9:
            out["mill_id"] = sites.uml(self.MILL_SERIES, int(self.ids[i].rsplit("-", 1)[1]))
        return out

    def _known_by(self, i: int, role: int, name: str, cc: str) -> dict[str, Any]:
        """An abbreviation and a location for some roles (kept: their farms lie near)."""
        rnd = self.sites.random
        out: dict[str, Any] = {}
        if rnd() < self.ABBREVIATED.get(role, 0):
            tag = sites.tag(self.sites) if role == COOP else ""
            out["abbreviation"] = sites.abbreviation(name, tag)
        if rnd() < self.LOCATED.get(role, 0):
            out["lat"], out["lon"] = where = sites.location(self.sites, cc)
            if where[0] is not None:
                self.located[i] = where
        return out

    def _farm(self, i: int, cc: str) -> dict[str, Any]:
        """Some farms' location: near the buyer they first sold to when it has one."""
        if self.sites.random() >= self.LOCATED[SH]:
            return {}
        lat, lon = sites.location(self.sites, cc, self.located.get(self.primary[i], (None, None)))
        return {"lat": lat, "lon": lon}

    # ---- consent to the joint list -----------------------------------------
    CONSENT = (0.6, 0.15)  # odds that a supplier consents: audited, not audited

    def _consents(self) -> None:
        """Some suppliers consent to the joint list, audited ones more often; drawn
        from their own generator, after every other row, so those stay as they were."""
        draw = random.Random(f"consent-{self.seed}").random
        audited = {a.organisation for a in self.batch.audits}
        orgs = self.batch.organisations
        for k, o in enumerate(orgs):
            if o.kind == Kind.SUPPLIER and draw() < self.CONSENT[o.id not in audited]:
                orgs[k] = replace(o, listed=True)

    # ---- requirements and their cascade ---------------------------------
    def _requirements(self) -> None:
        rng, batch = self.rng, self.batch
        turn = rng.randrange(3)
        for m in range(self.members):
            code = self.ids[m].removeprefix("M-")
            for scheme in sorted(rng.sample(self.SCHEMES, rng.randint(2, 4))):
                batch.recognitions.append(Recognition(self.ids[m], scheme))
            more = (m + turn) % 3  # 1-3 requirements each, about two on average
            picks = [self.REQUIREMENTS[0], *rng.sample(self.REQUIREMENTS[1:], more)]
            for req_code, title, frameworks in picks:
                req = f"REQ-{code}-{req_code}"
                version = rng.choice(("1", "2", "3", "2025.1"))
                batch.requirements.append(
                    Requirement(req, f"{batch.organisations[m].name} {title}", version, frameworks)
                )
                batch.requires.append(Requires(self.ids[m], req))
                self._cascade(m, req)

    def _cascade(self, m: int, req: str) -> None:
        rnd, randint, ids, out, days = self.rnd, self._between, self.ids, self.out, self.days
        pass_on, adoptions, buyers = self.batch.pass_on, self.batch.adoptions, len(self.out)
        adopted_at = {m: -randint(400, 1500)}
        decided = {m}
        frontier, tier = [m], 1
        while frontier:
            p, following = self.PASS * self.DECAY ** (tier - 1), []
            for v in frontier:
                since = adopted_at[v]
                for w in out[v] if v < buyers else ():
                    if rnd() >= p:
                        continue
                    at = min(0, since + 7 + int(rnd() * 114))
                    pass_on.append(PassOn(ids[v], ids[w], req, days[at + _PAST]))
                    if w in decided:
                        continue
                    decided.add(w)
                    if rnd() < self.ADOPT:
                        adopted_at[w] = took = min(0, at + int(rnd() * 91))
                        evidence = _EVIDENCE[int(rnd() * len(_EVIDENCE))]
                        adoptions.append(Adoption(ids[w], req, days[took + _PAST], evidence))
                        following.append(w)
            frontier, tier = following, tier + 1
        # a few adopt on their own, unasked: not reached, the cascade's orphans
        bit, n = 1 << m, len(ids)
        for _ in range(max(2, len(adopted_at) // 100)):
            for _try in range(50):
                w = self.members + int(rnd() * (n - self.members))
                if self.mask[w] & bit and w not in decided:
                    decided.add(w)
                    adoptions.append(Adoption(ids[w], req, self.day(-randint(0, 700)), None))
                    break

    # ---- audits ----------------------------------------------------------
    def _audits(self) -> None:
        rnd, audited = self.rng.random, self.AUDITED
        members_of: dict[int, list[int]] = {}
        for i in range(self.members, len(self.ids)):
            role = self.role[i]
            if (role == SH and i not in self.groups) or rnd() >= audited[role]:
                continue
            mask = self.mask[i]
            if mask not in members_of:
                members_of[mask] = [m for m in range(self.members) if mask >> m & 1]
            for _ in range(1 + (rnd() < 0.3)):
                self._audit(i, role, members_of[mask] or list(range(self.members)))

    def _scheme(self, org: int, role: int) -> str:
        return self._pick(self.ROLE_SCHEMES[role])

    def _audit(self, org: int, role: int, customers: list[int]) -> None:
        rng, rnd, batch = self.rng, self.rnd, self.batch
        pick, between = self._pick, self._between
        audit_id = f"AUD-{len(batch.audits) + 1:07d}"
        scheme = self._scheme(org, role)
        age = between(0, 1200)
        valid = pick(_VALIDITY[scheme])
        commissioner = org if rnd() < 0.25 else pick(customers)
        shared_all = rnd() < 0.2
        batch.audits.append(
            Audit(
                audit_id,
                self.ids[org],
                scheme,
                self.day(-age),
                self.day(valid - age),
                self.ids[commissioner],
                pick(_RATINGS[scheme]),
                pick(_AUDITORS),
                shared_all,
            )
        )
        if not shared_all and rnd() < 0.4:
            others = [m for m in customers if m != commissioner] or list(range(self.members))
            for m in rng.sample(others, min(len(others), between(1, 2))):
                if m != commissioner:
                    batch.shares.append(Share(audit_id, self.ids[m]))
        for _ in range(pick(_FINDINGS_PER_AUDIT)):
            r = rnd()
            severity = (
                Severity.CRITICAL if r < 0.06 else Severity.MAJOR if r < 0.36 else Severity.MINOR
            )
            due = _DUE[severity] - age  # days from today
            closed = rnd() < (0.85 if due < -90 else 0.4)
            batch.findings.append(
                Finding(
                    f"FND-{len(batch.findings) + 1:07d}",
                    audit_id,
                    severity,
                    FindingStatus.CLOSED if closed else FindingStatus.OPEN,
                    pick(_CATEGORIES),
                    self.day(due),
                )
            )


@cache
def _names(role: int, c: int) -> list[str]:
    """Plausible names of a supplier of a role and commodity (names may repeat)."""
    if role == MFR:
        nouns: Sequence[str] = _MFR_NOUNS
    elif role == PRC:
        nouns = (_PRC_NOUNS[c],)
    else:
        nouns = (f"{_COMM[c].title()} {_ROLE_NOUNS[role]}",)
    return [f"{place} {noun}" for place in _PLACES for noun in nouns]


@cache
def _farm_names(country: str, *, groups: bool) -> list[str]:
    first, family = _FARMERS_SPLIT[_REGION.get(country, "en")]
    if groups:
        return [f"{place} {name} Farmers Group" for place in _PLACES for name in family]
    return [f"{given} {name} farm" for given in first for name in family]
