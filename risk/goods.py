"""The `goods` component: ILAB's listing of the commodities a node sells inside the
member's network (on SOURCES_FROM edges into it from the member or its network),
in the node's country; the highest level over its commodities, 0 when none is listed."""

from __future__ import annotations

import numpy as np

from risk.columns import RiskColumns
from risk.tables import RiskTables
from views.member import MemberView


def goods_component(view: MemberView, columns: RiskColumns, tables: RiskTables) -> np.ndarray:
    """float64 per position: the goods component on the network, NaN elsewhere."""
    goods = tables.goods
    assert goods is not None
    tier = view.network.tier
    keep = (tier[columns.buyer] >= 0) & (tier[columns.seller] > 0)
    seller, commodity = columns.seller[keep], columns.commodity[keep]
    country = columns.country[seller]
    out = np.where(tier > 0, 0.0, np.nan)
    for c, name in enumerate(columns.commodities):
        good = tables.commodities.good_of(name, goods.goods)
        if good is None:
            continue
        by_country = np.array([goods.level.get((good, cc), 0.0) for cc in columns.countries])
        at = commodity == c
        if at.any():
            np.maximum.at(out, seller[at], by_country[country[at]])
    return out
