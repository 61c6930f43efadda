"""The brands profile of the generator: the shape real brand disclosures have.

A few member brands each list hundreds to thousands of mills (palm oil mills,
with their UML mill ids, and cocoa processors), and most mills are listed by
many members: a mill's popularity decides how likely each member is to list it.
Part of the network has a tier of traders and refiners between the brands and
the mills (about 60% of a member's commodities go partly through one to three
of them; traders also trade with each other), the rest is listed directly.
Below the mills: estates, cooperatives and smallholders, in the mills'
countries. Requirements, pass-on and adoption, audits and findings come from the
tiers profile's code (loaders/generate.py) with this profile's tables.
"""

from __future__ import annotations

from functools import cache

from graph.model import Kind, Organisation
from loaders.generate import (
    _COMM,
    _CONSUMERS,
    _PLACES,
    _REQUIREMENTS,
    COOP,
    MEMBER,
    PRC,
    SH,
    TRD,
    _farm_names,
    _names,
    _Network,
)

ESTATE = 8  # a role the tiers profile does not have: a plantation selling to its mill
PALM, COCOA = _COMM.index("palm oil"), _COMM.index("cocoa")
_WEIGHTS = ((PALM, 0.8), (COCOA, 0.2))  # share of every role's sites by commodity
BRAND_SCHEMES = ("RSPO", "ISPO", "MSPO", "RA", "SMETA", "amfori BSCI")

# origins weighted by repeats (Indonesia and Malaysia make most palm oil)
_MILL_ORIGINS = {
    PALM: tuple("ID ID ID ID ID ID ID MY MY MY MY MY TH TH CO CO GT GT NG HN PG EC BR CI GH".split()),
    COCOA: tuple("CI CI CI CI GH GH GH EC CM NG ID BR PE".split()),
}  # fmt: skip
_TRADER_HUBS = {
    PALM: tuple("SG SG SG MY MY ID ID NL DE IN US".split()),
    COCOA: tuple("NL NL BE CH CI GH US DE MY".split()),
}
_MILL_PLACES = {  # a few districts where mills are
    "ID": "Pelalawan|Siak|Kampar|Rokan Hulu|Sanggau|Ketapang|Kotawaringin|Paser|Muaro Jambi|"
    "Langkat|Asahan|Musi Banyuasin",
    "MY": "Sandakan|Lahad Datu|Tawau|Kluang|Segamat|Miri|Bintulu|Kuantan|Teluk Intan|Keningau",
    "TH": "Surat Thani|Krabi|Chumphon|Trang|Satun",
    "CO": "Tumaco|Puerto Wilches|Codazzi|San Alberto|Cumaral",
    "GT": "Sayaxche|Fray Bartolome|Escuintla|Izabal",
}
_GROUPS = (
    "Sawit Makmur", "Agro Lestari", "Sinar Jaya", "Bumi Hijau", "Tunas Baru", "Kencana Agri",
    "Mitra Sejahtera", "Permata Hijau", "Cahaya Abadi", "Karya Sawit", "Sumber Tani",
    "Bina Sains", "Mutiara", "Hijau Lestari", "Borneo Agro", "Eka Jaya",
)  # fmt: skip
_TRADERS = {
    PALM: ("Golden Oleo", "Apex Refining", "Musim Oils", "Pacific Oils & Fats", "Kuala Refinery",
           "Nusantara Oleochem", "Harbour Oils", "Straits Edible Oils", "Equator Agri"),
    COCOA: ("Tropic Cocoa", "Atlantic Cocoa Trading", "Meridian Commodities", "Gold Coast Cocoa",
            "Equator Agri"),
}  # fmt: skip
_LEGAL = {"SG": "Pte Ltd", "MY": "Sdn Bhd", "ID": "PT", "NL": "B.V.", "BE": "NV", "DE": "GmbH"}
_LEGAL |= {"CH": "AG", "US": "Inc."}
_BRANDS = (
    ("ACME", "Acme Foods"), ("NORDA", "Norda Brands"), ("HELVA", "Helvetia Nutrition"),
    ("BRIGHT", "Brightwell Consumer Goods"), ("MAPLE", "Maple & Oak Foods"),
    ("LUMEN", "Lumen Home Care"), ("SUNFD", "Sunfield Beverages"),
    ("ORCHD", "Orchard Lane Confectionery"), ("TIDAL", "Tidal Personal Care"),
    ("KORU", "Koru Snacks"), ("PURA", "Pura Beauty"), ("VERDE", "Verde Snacks"),
    ("ALPIN", "Alpine Dairy & Chocolate"), ("COAST", "Coastline Soap Co."),
    ("GRAIN", "Golden Grain Bakeries"), ("NOVA", "Nova Household"),
    ("FJORD", "Fjord Confectionery"), ("SAKU", "Sakura Foods"),
    ("CREST", "Crestwood Cosmetics"), ("ATLAS", "Atlas Food Group"),
)  # fmt: skip
_VIA_TRADERS = 0.6  # members buying a commodity partly through traders; and the share routed


class BrandsNetwork(_Network):
    MIN_NODES = 1500
    PREFIX = {TRD: "S-TRD-", PRC: "S-MILL-", ESTATE: "S-EST-", COOP: "S-COOP-", SH: "SH-"}
    MEMBER_NAMES = _BRANDS
    AUDITED = {TRD: 0.8, PRC: 0.75, ESTATE: 0.6, COOP: 0.45, SH: 0.5}
    ROLE_SCHEMES = {
        TRD: ("SMETA", "SMETA", "RSPO", "amfori BSCI"),
        PRC: ("RSPO", "RSPO", "SMETA", "RA"),
        ESTATE: ("RSPO", "RSPO", "RA"),
        COOP: ("RA", "RA", "RSPO"),
        SH: ("RA", "RSPO"),
    }
    SCHEMES = BRAND_SCHEMES
    ABBREVIATED = {COOP: 0.7, TRD: 0.4}
    LOCATED = {PRC: 0.9, ESTATE: 0.8, COOP: 0.5, SH: 0.6}
    MILL_SERIES = 2
    # fifteen members' requirements over one shared base: passed on less far down
    # than in the tiers profile, or every farm would hold most members' codes
    PASS, DECAY, ADOPT = 0.9, 0.5, 0.6
    REQUIREMENTS = tuple(
        ("NDPE", "No Deforestation, No Peat, No Exploitation", ("AFi", "UNGP"))
        if code == "DEF"
        else (code, title, frameworks)
        for code, title, frameworks in _REQUIREMENTS
    )

    # ---- nodes: members, traders, mills, then what sits below the mills -----
    def _nodes(self) -> None:
        traders = min(60, max(8, round(0.002 * self.nodes)))
        mills = min(8000, max(300, round(0.03 * self.nodes)))
        below = self.nodes - self.members - traders - mills
        estates, coops = round(0.04 * below), round(0.05 * below)
        self._add_members()
        for role, n in ((TRD, traders), (PRC, mills), (ESTATE, estates), (COOP, coops)):
            self._add_by_commodity(role, n)
        buyers = len(self.ids)
        self._add_by_commodity(SH, below - estates - coops)
        self.out = [[] for _ in range(buyers)]
        self.primary = [-1] * len(self.ids)

    def _add_by_commodity(self, role: int, n: int) -> None:
        palm = n - sum(round(n * w) for c, w in _WEIGHTS if c != PALM)
        for c, w in _WEIGHTS:
            self._add(role, c, palm if c == PALM else round(n * w))

    # ---- sourcing ---------------------------------------------------------
    def _chains(self) -> None:
        rnd, pick, m_count = self.rnd, self._pick, self.members
        self.wants = [{PALM} | ({COCOA} if rnd() < 0.5 else set()) for _ in range(m_count)]
        appetite = [0.4 + 0.55 * rnd() for _ in range(m_count)]  # share of mills it lists
        via: dict[tuple[int, int], list[int]] = {}  # (member, commodity) -> its traders
        for c, _ in _WEIGHTS:
            traders = self.layer[TRD, c]
            buying = [m for m in range(m_count) if c in self.wants[m]] or [0]
            for m in buying:
                if rnd() < _VIA_TRADERS:
                    via[m, c] = self._pick_traders(traders, self._between(1, 3))
            for t in traders:  # every trader sells to some member
                if not any(t in via.get((m, c), ()) for m in buying):
                    via.setdefault((pick(buying), c), []).append(t)
            for (m, c_), ts in sorted(via.items()):
                if c_ == c:
                    for t in ts:
                        self.primary[t] = m if self.primary[t] < 0 else self.primary[t]
                        self._edge(m, t, c)
        self._reach(stop=self.layer[TRD, PALM][0])  # the traders' members, before trades
        for c, _ in _WEIGHTS:
            self._trades(c)
            self._listings(c, appetite, via)
            self._below_mills(c)
        self._reach(stop=len(self.out))

    def _pick_traders(self, traders: list[int], n: int) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < min(n, len(traders)):
            t = self._pick(traders)
            if t not in chosen:
                chosen.append(t)
        return chosen

    def _listings(
        self, c: int, appetite: list[float], via: dict[tuple[int, int], list[int]]
    ) -> None:
        """Each member lists a mill with probability popularity x appetite: popular
        mills are listed by nearly every member. A listed mill is sold to the
        member directly, or (when the member has traders) often through one."""
        rnd, pick = self.rnd, self._pick
        members = [m for m in range(self.members) if c in self.wants[m]]
        sold_to: set[tuple[int, int]] = set()
        for mill in self.layer[PRC, c]:
            popularity = rnd() ** 0.35  # skewed towards 1
            for m in members:
                if rnd() >= popularity * appetite[m]:
                    continue
                traders = via.get((m, c))
                buyer = pick(traders) if traders and rnd() < _VIA_TRADERS else m
                if (buyer, mill) not in sold_to:
                    sold_to.add((buyer, mill))
                    self._edge(buyer, mill, c)
                    if self.primary[mill] < 0:
                        self.primary[mill] = buyer
            if self.primary[mill] < 0:  # listed by nobody: a trader buys from it
                self.primary[mill] = buyer = pick(self.layer[TRD, c])
                self._edge(buyer, mill, c)

    def _below_mills(self, c: int) -> None:
        """Estates sell to their mill, cooperatives to one or two mills, smallholders
        to a cooperative or straight to a mill, some to a second buyer."""
        mills, coops = self.layer[PRC, c], self.layer[COOP, c]
        estates, smallholders = self.layer[ESTATE, c], self.layer[SH, c]
        self._link(mills, estates, 1.15, c, self._tickets(mills, 1.5, 20))
        self._link(mills, coops, 1.5, c, self._tickets(mills, 1.5, 50))
        direct = round(0.35 * len(smallholders))
        self._link(mills, smallholders[:direct], 1.0, c, self._tickets(mills, 1.2, 400))
        self._link(coops, smallholders[direct:], 1.0, c, self._tickets(coops, 1.2, 400))
        self._shortcuts(mills, smallholders[direct:], round(0.08 * len(smallholders)), c)

    # ---- organisations ------------------------------------------------------
    def _organisations(self) -> None:
        pick, rnd, ids, orgs = self._pick, self.rnd, self.ids, self.batch.organisations
        country, primary = self.country, self.primary
        salt = self.rng.randrange(10**6)
        self.sites.seed(salt)
        for i in range(len(self.out)):  # all but smallholders, numbered last
            role, c = self.role[i], self.comm[i]
            if role == MEMBER:
                cc, name = pick(_CONSUMERS), self._member_name(i)
            elif role == TRD:
                cc = pick(_TRADER_HUBS[c])
                name = _legal(pick(_TRADERS[c]), cc)
            elif role == PRC:
                cc = pick(_MILL_ORIGINS[c])
                name = self._mill_name(c, cc)
            elif role == ESTATE:
                cc = country[primary[i]]
                name = _legal(f"{pick(_GROUPS)} {pick(_places(cc))} Estate", cc, local=True)
            else:  # cooperatives sit near the mill they first sold to
                cc = country[primary[i]] if rnd() < 0.9 else pick(_MILL_ORIGINS[c])
                name = pick(_names(COOP, c))
            country.append(cc)
            kind = Kind.MEMBER if role == MEMBER else Kind.SUPPLIER
            more = self._identifiers(i, role, c, cc, salt) | self._known_by(i, role, name, cc)
            orgs.append(Organisation(ids[i], kind, name, cc, **more))
        for i in range(len(self.out), len(ids)):
            cc = country[primary[i]]
            groups = rnd() < 0.02
            if groups:
                self.groups.add(i)
            pool = _farm_names(cc, groups=groups)
            country.append(cc)
            name = pool[int(rnd() * len(pool))]
            orgs.append(Organisation(ids[i], Kind.SMALLHOLDER, name, cc, **self._farm(i, cc)))

    def _mill_name(self, c: int, cc: str) -> str:
        """Mills of one group go by the group's name, some told apart by a numeral only."""
        if c != PALM:
            return self._pick(_names(PRC, c))
        mill = " POM" if cc == "ID" else " Palm Oil Mill"
        numeral = f" {self._between(1, 4)}" if self.rnd() < 0.3 else ""
        return _legal(f"{self._pick(_GROUPS)} {self._pick(_places(cc))}{mill}{numeral}", cc, True)

    def _scheme(self, org: int, role: int) -> str:
        """National palm oil schemes where they exist: ISPO in Indonesia, MSPO in Malaysia."""
        cc = self.country[org]
        if role in (PRC, ESTATE) and self.comm[org] == PALM and self.rnd() < 0.35:
            if cc in ("ID", "MY"):
                return "ISPO" if cc == "ID" else "MSPO"
        return self._pick(self.ROLE_SCHEMES[role])


def _legal(name: str, cc: str, local: bool = False) -> str:
    """The name with the country's legal form; `local` sites only where it is the
    usual way to name one (PT, Sdn Bhd)."""
    form = _LEGAL.get(cc)
    if form is None or (local and cc not in ("ID", "MY")):
        return name if local else f"{name} Ltd"
    return f"PT {name}" if form == "PT" else f"{name} {form}"


@cache
def _places(cc: str) -> tuple[str, ...]:
    known = _MILL_PLACES.get(cc)
    return tuple(known.split("|")) if known else _PLACES
